//! Identity resolution for a batch of events: the contact by external id, then email; the account
//! by explicit domain, else a business email's domain (personal email domains create none); the
//! source by name. Missing ones are created, with fit scores, in the batch's transaction.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{account, contact, source, SourceKind};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
};
use uuid::Uuid;

use super::input::ValidEvent;
use crate::{
    domain::email::{email_domain, is_personal_domain},
    error::AppResult,
    services::{
        fit::{account_view, contact_view, lead_view, stored, FitModels},
        records::{accounts::blank_account, contacts::blank_contact},
    },
    store::Tenant,
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
    pub fit: FitModels,
}

fn account_domain(event: &ValidEvent) -> Option<String> {
    event.account_domain.clone().or_else(|| {
        let domain = email_domain(event.email.as_deref()?)?;
        (!is_personal_domain(domain)).then(|| domain.to_owned())
    })
}

pub async fn resolve<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    events: &[(usize, ValidEvent)],
    now: DateTime<Utc>,
) -> AppResult<Resolved> {
    let workspace_id = tenant.workspace_id();
    let fit = FitModels::load(tenant).await?;

    let names: Vec<String> = events
        .iter()
        .filter_map(|(_, e)| e.source.clone())
        .collect();
    let mut sources: HashMap<String, source::Model> = if names.is_empty() {
        HashMap::new()
    } else {
        tenant
            .select::<source::Entity>()
            .filter(source::Column::Name.is_in(names))
            .all(tenant.conn())
            .await?
            .into_iter()
            .map(|s| (s.name.clone(), s))
            .collect()
    };
    let mut new_sources = Vec::new();
    for (_, event) in events {
        if let Some(name) = &event.source {
            sources.entry(name.clone()).or_insert_with(|| {
                let created = source::Model {
                    id: Uuid::now_v7(),
                    workspace_id,
                    name: name.clone(),
                    kind: SourceKind::Other,
                    paused: false,
                    paused_at: None,
                    created_at: now,
                };
                new_sources.push(created.clone());
                created
            });
        }
    }

    let domains: Vec<String> = events
        .iter()
        .filter_map(|(_, e)| account_domain(e))
        .collect();
    let mut accounts: HashMap<String, account::Model> = tenant
        .accounts_by_domains(&domains)
        .await?
        .into_iter()
        .map(|a| (a.domain.clone(), a))
        .collect();
    let mut new_accounts = Vec::new();

    let external_ids: Vec<String> = events
        .iter()
        .filter_map(|(_, e)| e.external_id.clone())
        .collect();
    let emails: Vec<String> = events.iter().filter_map(|(_, e)| e.email.clone()).collect();
    let mut contacts: HashMap<Uuid, contact::Model> = HashMap::new();
    let mut by_external: HashMap<String, Uuid> = HashMap::new();
    let mut by_email: HashMap<String, Uuid> = HashMap::new();
    for row in tenant.contacts_by_keys(&external_ids, &emails).await? {
        if let Some(id) = &row.external_id {
            by_external.insert(id.clone(), row.id);
        }
        if let Some(email) = &row.email {
            by_email.insert(email.clone(), row.id);
        }
        contacts.insert(row.id, row);
    }
    let originals: HashMap<Uuid, contact::Model> = contacts.clone();
    let kept_accounts: Vec<Uuid> = contacts.values().filter_map(|c| c.account_id).collect();
    let mut accounts_by_id: HashMap<Uuid, account::Model> = tenant
        .get_many::<account::Entity>(&kept_accounts)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();

    let mut of_key = HashMap::new();
    for (_, event) in events {
        let account = account_domain(event).map(|domain| {
            accounts
                .entry(domain.clone())
                .or_insert_with(|| {
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
                })
                .clone()
        });
        if let Some(account) = &account {
            accounts_by_id.insert(account.id, account.clone());
        }
        let existing = event
            .external_id
            .as_ref()
            .and_then(|id| by_external.get(id))
            .or_else(|| event.email.as_ref().and_then(|e| by_email.get(e)))
            .copied();
        let contact_id = existing.unwrap_or_else(Uuid::now_v7);
        let row = contacts.entry(contact_id).or_insert_with(|| {
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
        fill(
            &mut row.source_id,
            &event.source.as_ref().map(|name| sources[name].id),
        );
        fill(&mut row.source_detail, &event.source_detail);
        row.personal_email = row
            .email
            .as_deref()
            .and_then(email_domain)
            .is_some_and(is_personal_domain);
        if let Some(id) = &row.external_id {
            by_external.insert(id.clone(), contact_id);
        }
        if let Some(email) = &row.email {
            by_email.insert(email.clone(), contact_id);
        }
        of_key.insert(
            event.key.clone(),
            Who {
                contact_id,
                account_id: row.account_id,
                source_id: event
                    .source
                    .as_ref()
                    .map(|name| sources[name].id)
                    .or(row.source_id),
            },
        );
    }

    for row in contacts.values_mut() {
        let view = contact_view(row);
        let account = row
            .account_id
            .and_then(|id| accounts_by_id.get(&id))
            .map(account_view);
        let (score, breakdown) = stored(&fit.contact(&lead_view(row, &view, account.as_ref())));
        row.fit_score = score;
        row.fit_breakdown = breakdown;
    }

    if !new_sources.is_empty() {
        source::Entity::insert_many(
            new_sources
                .into_iter()
                .map(IntoActiveModel::into_active_model),
        )
        .exec_without_returning(tenant.conn())
        .await?;
    }
    tenant
        .insert_accounts(
            new_accounts
                .into_iter()
                .map(IntoActiveModel::into_active_model)
                .collect(),
        )
        .await?;
    let mut inserts = Vec::new();
    for row in contacts.values() {
        match originals.get(&row.id) {
            None => inserts.push(row.clone().into_active_model()),
            Some(before) if before != row => {
                let mut changed = row.clone();
                changed.updated_at = now;
                changed
                    .into_active_model()
                    .reset_all()
                    .update(tenant.conn())
                    .await?;
            }
            Some(_) => {}
        }
    }
    tenant.insert_contacts(inserts).await?;
    Ok(Resolved {
        of_key,
        contacts,
        accounts: accounts_by_id,
        sources: sources.into_values().map(|s| (s.id, s)).collect(),
        fit,
    })
}

fn fill<T: Clone>(slot: &mut Option<T>, value: &Option<T>) {
    if slot.is_none() {
        slot.clone_from(value);
    }
}
