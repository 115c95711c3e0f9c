//! Identity resolution for a batch of events: the contact by external id, then email; the account
//! by explicit domain, else a business email's domain (personal email domains create none); the
//! source by name. Missing ones are created, with fit scores, in the batch's transaction.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{account, contact, source, SourceKind};
use sea_orm::{ConnectionTrait, IntoActiveModel};
use uuid::Uuid;

use super::answers::Item;
use super::input::ValidEvent;
use crate::{
    domain::email::{email_domain, is_personal_domain},
    error::AppResult,
    services::{
        fit::{account_view, contact_view, lead_view, stored, FitModels},
        records::{accounts::blank_account, contacts::blank_contact},
    },
    store::{self, Tenant},
};

/// Who an event is about.
pub struct Who {
    pub contact_id: Uuid,
    pub account_id: Option<Uuid>,
    pub source_id: Option<Uuid>,
}

pub struct Resolved {
    pub of_key: HashMap<String, Who>,
    pub contacts: HashMap<Uuid, contact::Model>,
    pub accounts: HashMap<Uuid, account::Model>,
    pub sources: HashMap<Uuid, source::Model>,
}

fn account_domain(event: &ValidEvent) -> Option<String> {
    event.account_domain.clone().or_else(|| {
        let domain = email_domain(event.email.as_deref()?)?;
        (!is_personal_domain(domain)).then(|| domain.to_owned())
    })
}

pub async fn resolve<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    events: &[Item],
    now: DateTime<Utc>,
) -> AppResult<Resolved> {
    let fit = FitModels::load(tenant).await?;
    let keys = Keys::of(events);
    let lock = store::sql::is_postgres(tenant);
    if lock {
        // Batches of one workspace run side by side. One that creates contacts, accounts or
        // sources takes turns for it (until it commits), decided from the keys alone, before
        // it locks anything; then every batch reads its contacts locked in id order until it
        // commits, so a concurrent batch naming the same people waits for it and then reads
        // what it wrote (scores, caps and stages included). SQLite runs one writer at a time.
        if keys.missing_in(tenant, events).await? {
            store::identity::take_creation_turn(tenant).await?;
        }
    }
    let mut merge = Merge::load(tenant, &keys, now, lock).await?;
    merge.absorb_all(events, &fit);
    merge.rescore(&fit);
    merge.write(tenant).await?;
    Ok(Resolved {
        of_key: merge.of_key,
        contacts: merge.contacts,
        accounts: merge.accounts_by_id,
        sources: merge.sources.into_values().map(|s| (s.id, s)).collect(),
    })
}

/// The batch's records as they are found, then as the events leave them.
struct Merge {
    workspace_id: Uuid,
    now: DateTime<Utc>,
    sources: HashMap<String, source::Model>,
    new_sources: Vec<source::Model>,
    accounts: HashMap<String, account::Model>,
    new_accounts: Vec<account::Model>,
    accounts_by_id: HashMap<Uuid, account::Model>,
    contacts: HashMap<Uuid, contact::Model>,
    /// The contacts as loaded, to write only those the batch changed.
    originals: HashMap<Uuid, contact::Model>,
    by_external: HashMap<String, Uuid>,
    by_email: HashMap<String, Uuid>,
    of_key: HashMap<String, Who>,
}

/// The natural keys a batch names, each once.
struct Keys {
    sources: Vec<String>,
    domains: Vec<String>,
    external_ids: Vec<String>,
    emails: Vec<String>,
}

impl Keys {
    fn of(events: &[Item]) -> Self {
        fn distinct(keys: impl Iterator<Item = String>) -> Vec<String> {
            let mut keys: Vec<String> = keys.collect();
            keys.sort_unstable();
            keys.dedup();
            keys
        }
        Keys {
            sources: distinct(events.iter().filter_map(|(_, e)| e.source.clone())),
            domains: distinct(events.iter().filter_map(|(_, e)| account_domain(e))),
            external_ids: distinct(events.iter().filter_map(|(_, e)| e.external_id.clone())),
            emails: distinct(events.iter().filter_map(|(_, e)| e.email.clone())),
        }
    }

    /// Whether the batch names a source, an account or a contact that does not exist yet (a
    /// contact exists when either of its keys is known), read from the keys alone.
    async fn missing_in<C: ConnectionTrait>(
        &self,
        tenant: &Tenant<'_, C>,
        events: &[Item],
    ) -> AppResult<bool> {
        let known = store::identity::known_keys(
            tenant,
            &self.sources,
            &self.domains,
            &self.external_ids,
            &self.emails,
        )
        .await?;
        Ok(known.sources.len() < self.sources.len()
            || known.domains.len() < self.domains.len()
            || events.iter().any(|(_, e)| {
                let by_external = e
                    .external_id
                    .as_ref()
                    .is_some_and(|id| known.external_ids.contains(id));
                let by_email = e.email.as_ref().is_some_and(|m| known.emails.contains(m));
                !by_external && !by_email
            }))
    }
}

impl Merge {
    /// Loads the sources, accounts and contacts the batch names, and the contacts' accounts.
    /// `lock`: the contacts found stay locked until the batch commits (Postgres).
    async fn load<C: ConnectionTrait>(
        tenant: &Tenant<'_, C>,
        keys: &Keys,
        now: DateTime<Utc>,
        lock: bool,
    ) -> AppResult<Self> {
        let sources = store::identity::sources_named(tenant, keys.sources.clone())
            .await?
            .into_iter()
            .map(|s| (s.name.clone(), s))
            .collect();
        let accounts: HashMap<String, account::Model> = tenant
            .accounts_by_domains(&keys.domains)
            .await?
            .into_iter()
            .map(|a| (a.domain.clone(), a))
            .collect();
        let mut merge = Merge {
            workspace_id: tenant.workspace_id(),
            now,
            sources,
            new_sources: Vec::new(),
            accounts_by_id: accounts.values().map(|a| (a.id, a.clone())).collect(),
            accounts,
            new_accounts: Vec::new(),
            contacts: HashMap::new(),
            originals: HashMap::new(),
            by_external: HashMap::new(),
            by_email: HashMap::new(),
            of_key: HashMap::new(),
        };
        let found = match lock {
            true => {
                tenant
                    .lock_contacts_by_keys(&keys.external_ids, &keys.emails)
                    .await?
            }
            false => {
                tenant
                    .contacts_by_keys(&keys.external_ids, &keys.emails)
                    .await?
            }
        };
        for row in found {
            merge.index(&row);
            merge.contacts.insert(row.id, row);
        }
        merge.originals = merge.contacts.clone();
        // The contacts' accounts that no event names by domain.
        let mut others: Vec<Uuid> = merge
            .contacts
            .values()
            .filter_map(|c| c.account_id)
            .filter(|id| !merge.accounts_by_id.contains_key(id))
            .collect();
        others.sort_unstable();
        others.dedup();
        for account in tenant.accounts_by_ids(&others).await? {
            merge.accounts_by_id.insert(account.id, account);
        }
        Ok(merge)
    }

    fn absorb_all(&mut self, events: &[Item], fit: &FitModels) {
        for (_, event) in events {
            self.absorb(event, fit);
        }
    }

    /// Makes a contact findable by its keys for the rest of the batch.
    fn index(&mut self, row: &contact::Model) {
        if let Some(id) = &row.external_id {
            self.by_external.insert(id.clone(), row.id);
        }
        if let Some(email) = &row.email {
            self.by_email.insert(email.clone(), row.id);
        }
    }

    /// Resolves one event: its source, account and contact, created when missing; the contact
    /// takes what it lacks from the event.
    fn absorb(&mut self, event: &ValidEvent, fit: &FitModels) {
        let source_id = self.source_of(event);
        let account = self.account_of(event, fit);
        if let Some(account) = &account {
            self.accounts_by_id.insert(account.id, account.clone());
        }
        let existing = event
            .external_id
            .as_ref()
            .and_then(|id| self.by_external.get(id))
            .or_else(|| event.email.as_ref().and_then(|e| self.by_email.get(e)))
            .copied();
        let contact_id = existing.unwrap_or_else(Uuid::now_v7);
        let (workspace_id, now) = (self.workspace_id, self.now);
        let row = self.contacts.entry(contact_id).or_insert_with(|| {
            let mut fresh = blank_contact(workspace_id, now);
            fresh.id = contact_id;
            fresh
        });
        // Events fill in what the lead lacks; they never overwrite what people entered.
        fill(&mut row.email, &event.email);
        fill(&mut row.external_id, &event.external_id);
        fill(&mut row.name, &event.contact.name);
        fill(&mut row.title, &event.contact.title);
        fill(&mut row.persona, &event.contact.persona);
        fill(&mut row.seniority, &event.contact.seniority);
        fill(&mut row.account_id, &account.as_ref().map(|a| a.id));
        fill(&mut row.source_id, &source_id);
        fill(&mut row.source_detail, &event.source_detail);
        row.personal_email = row
            .email
            .as_deref()
            .and_then(email_domain)
            .is_some_and(is_personal_domain);
        let who = Who {
            contact_id,
            account_id: row.account_id,
            source_id: source_id.or(row.source_id),
        };
        let (external_id, email) = (row.external_id.clone(), row.email.clone());
        if let Some(id) = external_id {
            self.by_external.insert(id, contact_id);
        }
        if let Some(email) = email {
            self.by_email.insert(email, contact_id);
        }
        self.of_key.insert(event.key.clone(), who);
    }

    /// The event's source, created on first use.
    fn source_of(&mut self, event: &ValidEvent) -> Option<Uuid> {
        let name = event.source.as_ref()?;
        let (workspace_id, now) = (self.workspace_id, self.now);
        let new_sources = &mut self.new_sources;
        let source = self.sources.entry(name.clone()).or_insert_with(|| {
            let created = source::Model {
                id: Uuid::now_v7(),
                workspace_id,
                name: name.clone(),
                kind: SourceKind::Other,
                paused: false,
                paused_at: None,
                rule_window_from: None,
                created_at: now,
            };
            new_sources.push(created.clone());
            created
        });
        Some(source.id)
    }

    /// The event's account, created (with what the event says of it, and its fit) when missing.
    fn account_of(&mut self, event: &ValidEvent, fit: &FitModels) -> Option<account::Model> {
        let domain = account_domain(event)?;
        let (workspace_id, now) = (self.workspace_id, self.now);
        let new_accounts = &mut self.new_accounts;
        let account = self.accounts.entry(domain.clone()).or_insert_with(|| {
            let mut created = blank_account(workspace_id, &domain, now);
            if let Some(given) = event
                .account
                .as_ref()
                .filter(|a| a.domain.to_lowercase().contains(&domain))
            {
                created.name = given.name.clone().unwrap_or(created.name);
                created.industry = given.industry.clone();
                created.employees = given.employees.map(i64::from);
                created.country = given.country.as_ref().map(|c| c.to_uppercase());
            }
            let (score, breakdown) = stored(&fit.account(&account_view(&created)));
            created.fit_score = score;
            created.fit_breakdown = breakdown;
            new_accounts.push(created.clone());
            created
        });
        Some(account.clone())
    }

    /// Every contact of the batch gets its fit against its account as it now stands.
    fn rescore(&mut self, fit: &FitModels) {
        let sources: HashMap<Uuid, String> = self
            .sources
            .values()
            .map(|s| (s.id, s.name.clone()))
            .collect();
        for row in self.contacts.values_mut() {
            let view = contact_view(row, crate::services::fit::source_of(row, &sources));
            let account = row
                .account_id
                .and_then(|id| self.accounts_by_id.get(&id))
                .map(account_view);
            let (score, breakdown) = stored(&fit.contact(&lead_view(row, &view, account.as_ref())));
            row.fit_score = score;
            row.fit_breakdown = breakdown;
        }
    }

    /// Inserts the new sources, accounts and contacts; updates the contacts the batch changed.
    async fn write<C: ConnectionTrait>(&mut self, tenant: &Tenant<'_, C>) -> AppResult<()> {
        store::identity::insert_sources(tenant, std::mem::take(&mut self.new_sources)).await?;
        let accounts = std::mem::take(&mut self.new_accounts);
        tenant
            .insert_accounts(
                accounts
                    .into_iter()
                    .map(IntoActiveModel::into_active_model)
                    .collect(),
            )
            .await?;
        let mut inserts = Vec::new();
        for row in self.contacts.values_mut() {
            match self.originals.get(&row.id) {
                None => inserts.push(row.clone().into_active_model()),
                Some(before) if before != row => row.updated_at = self.now,
                Some(_) => {}
            }
        }
        let pairs: Vec<(&contact::Model, &contact::Model)> = self
            .contacts
            .values()
            .filter_map(|row| Some((self.originals.get(&row.id)?, row)))
            .collect();
        store::updates::write_changed::<contact::Entity, _>(tenant, &pairs).await?;
        tenant.insert_contacts(inserts).await
    }
}

fn fill<T: Clone>(slot: &mut Option<T>, value: &Option<T>) {
    if slot.is_none() {
        slot.clone_from(value);
    }
}
