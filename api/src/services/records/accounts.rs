//! `upsertAccounts`: accounts by domain.

use std::collections::HashMap;

use async_graphql::{InputObject, MaybeUndefined, ID};
use chrono::{DateTime, Utc};
use entity::{account, Lifecycle};
use sea_orm::IntoActiveModel;
use serde_json::{json, Value};
use uuid::Uuid;

use super::{
    check_batch_size, member_ids, owner_patch, text_patch, UpsertResult, UpsertStatus, Write,
};
use crate::{
    domain::validate,
    error::{AppError, AppResult},
    services::fit::{account_view, contact_view, lead_view, stored, FitModels},
    services::{ingest::reevaluate, unit_of_work::UnitOfWork},
    state::AppState,
    store::{self, records::take_identity_turn, Tenant},
};

/// An account to create or update, found by its domain. Omitted fields keep their value; `null`
/// clears a nullable field.
#[derive(InputObject, Clone, Default)]
pub struct AccountInput {
    /// The company's domain (`acme.com`; `https://www.acme.com/` is cleaned to that).
    pub domain: String,
    pub name: Option<String>,
    pub industry: MaybeUndefined<String>,
    pub employees: MaybeUndefined<i32>,
    /// Annual revenue in US dollars.
    pub annual_revenue: MaybeUndefined<f64>,
    /// ISO 3166-1 alpha-2, e.g. `US`.
    pub country: MaybeUndefined<String>,
    pub region: MaybeUndefined<String>,
    pub technologies: Option<Vec<String>>,
    /// A flat JSON object (at most 50 keys, 8 KiB): strings, numbers, booleans, string lists.
    pub custom_attributes: Option<async_graphql::Json<Value>>,
    pub segment: MaybeUndefined<String>,
    pub tier: MaybeUndefined<String>,
    pub lifecycle: Option<Lifecycle>,
    pub named_account: Option<bool>,
    pub owner_id: MaybeUndefined<ID>,
}

/// An input after validation: every value checked, ready to apply.
struct Valid {
    domain: String,
    name: Option<String>,
    industry: MaybeUndefined<String>,
    employees: MaybeUndefined<i64>,
    annual_revenue: MaybeUndefined<f64>,
    country: MaybeUndefined<String>,
    region: MaybeUndefined<String>,
    technologies: Option<Vec<String>>,
    custom: Option<serde_json::Map<String, Value>>,
    segment: MaybeUndefined<String>,
    tier: MaybeUndefined<String>,
    lifecycle: Option<Lifecycle>,
    named_account: Option<bool>,
    owner_id: MaybeUndefined<ID>,
}

fn validate_input(input: AccountInput, path: &str) -> AppResult<Valid> {
    let at = |field: &str| format!("{path}.{field}");
    Ok(Valid {
        domain: validate::company_domain(&input.domain, &at("domain"))?,
        name: input
            .name
            .map(|n| validate::required_text(&n, &at("name"), 200))
            .transpose()?,
        industry: text_patch(input.industry, &at("industry"))?,
        employees: input
            .employees
            .map_value(|n| validate::non_negative_int(i64::from(n), &at("employees")))
            .transpose()?,
        annual_revenue: input
            .annual_revenue
            .map_value(|n| validate::non_negative_amount(n, &at("annualRevenue")))
            .transpose()?,
        country: input
            .country
            .map_value(|c| validate::country(&c, &at("country")))
            .transpose()?,
        region: text_patch(input.region, &at("region"))?,
        technologies: input
            .technologies
            .map(|t| validate::tags(&t, &at("technologies")))
            .transpose()?,
        custom: input
            .custom_attributes
            .map(|c| validate::custom_attributes(&c.0, &at("customAttributes")))
            .transpose()?,
        segment: text_patch(input.segment, &at("segment"))?,
        tier: text_patch(input.tier, &at("tier"))?,
        lifecycle: input.lifecycle,
        named_account: input.named_account,
        owner_id: input.owner_id,
    })
}

/// A new account with only its domain known.
pub(crate) fn blank_account(
    workspace_id: Uuid,
    domain: &str,
    now: DateTime<Utc>,
) -> account::Model {
    account::Model {
        id: Uuid::now_v7(),
        workspace_id,
        domain: domain.to_owned(),
        name: domain.to_owned(),
        industry: None,
        employees: None,
        annual_revenue: None,
        country: None,
        region: None,
        technologies: json!([]),
        custom: json!({}),
        segment: None,
        tier: None,
        lifecycle: Lifecycle::Target,
        named_account: false,
        owner_id: None,
        fit_score: 0,
        fit_breakdown: None,
        created_at: now,
        updated_at: now,
    }
}

fn apply(row: &mut account::Model, valid: Valid, owner_id: MaybeUndefined<Uuid>) {
    if let Some(name) = valid.name {
        row.name = name;
    }
    valid.industry.update_to(&mut row.industry);
    valid.employees.update_to(&mut row.employees);
    valid.annual_revenue.update_to(&mut row.annual_revenue);
    valid.country.update_to(&mut row.country);
    valid.region.update_to(&mut row.region);
    valid.segment.update_to(&mut row.segment);
    valid.tier.update_to(&mut row.tier);
    owner_id.update_to(&mut row.owner_id);
    if let Some(technologies) = valid.technologies {
        row.technologies = json!(technologies);
    }
    if let Some(custom) = valid.custom {
        row.custom = Value::Object(custom);
    }
    if let Some(lifecycle) = valid.lifecycle {
        row.lifecycle = lifecycle;
    }
    if let Some(named) = valid.named_account {
        row.named_account = named;
    }
}

pub async fn upsert_accounts(
    state: &AppState,
    workspace_id: Uuid,
    inputs: Vec<AccountInput>,
    write: Write,
) -> AppResult<Vec<UpsertResult>> {
    check_batch_size(inputs.len(), "accounts")?;
    let mut results: Vec<Option<UpsertResult>> = vec![None; inputs.len()];
    let mut valid: Vec<(usize, Valid)> = Vec::with_capacity(inputs.len());
    let mut first_by_domain: HashMap<String, usize> = HashMap::new();
    for (index, input) in inputs.into_iter().enumerate() {
        let checked =
            validate_input(input, &format!("accounts[{index}]")).and_then(
                |v| match first_by_domain.insert(v.domain.clone(), index) {
                    Some(first) => Err(AppError::bad_input(
                        format!("accounts[{index}].domain"),
                        format!("repeats accounts[{first}].domain in this batch"),
                    )),
                    None => Ok(v),
                },
            );
        match checked {
            Ok(v) => valid.push((index, v)),
            Err(err) => results[index] = Some(UpsertResult::rejected(index, &err)),
        }
    }

    let now = state.clock.now();
    let mut work = UnitOfWork::begin(state, workspace_id).await?;
    let (tenant, notices) = work.parts();
    take_identity_turn(&tenant).await?;
    let members = member_ids(&tenant).await?;
    let fit = FitModels::load(&tenant).await?;
    let domains: Vec<String> = valid.iter().map(|(_, v)| v.domain.clone()).collect();
    let mut existing: HashMap<String, account::Model> = tenant
        .accounts_by_domains(&domains)
        .await?
        .into_iter()
        .map(|a| (a.domain.clone(), a))
        .collect();
    let mut inserts = Vec::new();
    let mut changed: Vec<account::Model> = Vec::new();
    for (index, v) in valid {
        let owner_id =
            match owner_patch(&v.owner_id, &members, &format!("accounts[{index}].ownerId")) {
                Ok(patch) => patch,
                Err(err) => {
                    results[index] = Some(UpsertResult::rejected(index, &err));
                    continue;
                }
            };
        let (mut row, status) = match existing.remove(&v.domain) {
            Some(row) => (row, UpsertStatus::Updated),
            None => (
                blank_account(workspace_id, &v.domain, now),
                UpsertStatus::Created,
            ),
        };
        let before = row.clone();
        apply(&mut row, v, owner_id);
        let (score, breakdown) = stored(&fit.account(&account_view(&row)));
        row.fit_score = score;
        row.fit_breakdown = breakdown;
        if status == UpsertStatus::Created {
            results[index] = Some(UpsertResult::written(index, status, row.id));
            inserts.push(row.into_active_model());
        } else if row == before {
            results[index] = Some(UpsertResult::written(
                index,
                UpsertStatus::Unchanged,
                row.id,
            ));
        } else {
            row.updated_at = now;
            results[index] = Some(UpsertResult::written(index, status, row.id));
            changed.push(row.clone());
            store::accounts::save(&tenant, row).await?;
        }
    }
    tenant.insert_accounts(inserts).await?;
    // A contact's fit includes its account's criteria, so they move with the account.
    let touched = rescore_contacts_of(&tenant, &fit, &changed).await?;
    // Their leads may meet the contract now (their fit, the account's facts).
    if write == Write::Commit {
        reevaluate::after_change(&tenant, &touched, now, notices).await?;
    }
    write.finish(work).await?;
    Ok(results.into_iter().flatten().collect())
}

/// The accounts a batch names by domain: those that exist, and those the batch creates for
/// domains it names first (contacts by their email's domain, deals by their account's).
pub(crate) struct AccountsByDomain {
    workspace_id: Uuid,
    now: DateTime<Utc>,
    known: HashMap<String, account::Model>,
    created: Vec<String>,
}

impl AccountsByDomain {
    pub(crate) async fn load<C: sea_orm::ConnectionTrait>(
        tenant: &Tenant<'_, C>,
        domains: &[String],
        now: DateTime<Utc>,
    ) -> AppResult<Self> {
        Ok(Self {
            workspace_id: tenant.workspace_id(),
            now,
            known: tenant
                .accounts_by_domains(domains)
                .await?
                .into_iter()
                .map(|a| (a.domain.clone(), a))
                .collect(),
            created: Vec::new(),
        })
    }

    /// The account of `domain`, created (in memory, until [`Self::insert_created`]) if new.
    pub(crate) fn get_or_create(&mut self, domain: &str) -> &account::Model {
        if !self.known.contains_key(domain) {
            self.created.push(domain.to_owned());
            self.known.insert(
                domain.to_owned(),
                blank_account(self.workspace_id, domain, self.now),
            );
        }
        &self.known[domain]
    }

    /// Inserts the accounts this batch created, fit-scored, in one statement. Run it before
    /// writing the records that refer to them.
    pub(crate) async fn insert_created<C: sea_orm::ConnectionTrait>(
        mut self,
        tenant: &Tenant<'_, C>,
        fit: &FitModels,
    ) -> AppResult<()> {
        let mut rows = Vec::with_capacity(self.created.len());
        for domain in &self.created {
            if let Some(mut account) = self.known.remove(domain) {
                let (score, breakdown) = stored(&fit.account(&account_view(&account)));
                account.fit_score = score;
                account.fit_breakdown = breakdown;
                rows.push(account.into_active_model());
            }
        }
        tenant.insert_accounts(rows).await
    }
}

/// Rescores the contacts of accounts that changed (their criteria, or their lifecycle, which
/// picks the ICP motion), in the same transaction; returns their ids.
pub(crate) async fn rescore_contacts_of<C: sea_orm::ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    fit: &FitModels,
    accounts: &[account::Model],
) -> AppResult<Vec<Uuid>> {
    if accounts.is_empty() {
        return Ok(Vec::new());
    }
    let views: HashMap<Uuid, _> = accounts.iter().map(|a| (a.id, account_view(a))).collect();
    let ids: Vec<Uuid> = views.keys().copied().collect();
    let contacts = tenant.contacts_of_accounts(&ids).await?;
    let refs: Vec<&_> = contacts.iter().collect();
    let sources = crate::services::fit::source_names(tenant, &refs).await?;
    let ids = contacts.iter().map(|c| c.id).collect();
    for row in contacts {
        let contact = contact_view(&row, crate::services::fit::source_of(&row, &sources));
        let account = row.account_id.and_then(|id| views.get(&id));
        let (score, breakdown) = stored(&fit.contact(&lead_view(&row, &contact, account)));
        if score != row.fit_score || breakdown != row.fit_breakdown {
            tenant.set_contact_fit(row.id, score, breakdown).await?;
        }
    }
    Ok(ids)
}
