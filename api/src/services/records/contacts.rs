//! `upsertContacts`: contacts by external id, then email; each linked to its account (given
//! explicitly, else found or created from a business email's domain).

use std::collections::HashMap;

use async_graphql::{InputObject, MaybeUndefined, ID};
use chrono::{DateTime, Utc};
use entity::{account, contact};
use sea_orm::IntoActiveModel;
use serde_json::{json, Value};
use uuid::Uuid;

use super::{
    accounts::AccountsByDomain, check_batch_size, member_ids, owner_patch, source_patch,
    text_patch, UpsertResult, UpsertStatus, Write,
};
use crate::{
    domain::{
        email::{email_domain, is_personal_domain},
        text::normalize_email,
        validate,
    },
    error::{AppError, AppResult},
    services::fit::{account_view, contact_view, lead_view, stored, FitModels},
    services::{ingest::reevaluate, unit_of_work::UnitOfWork},
    state::AppState,
    store::{self, records::take_identity_turn},
};

/// A contact to create or update, found by `externalId`, else by `email` (one is required).
/// Omitted fields keep their value; `null` clears a nullable field.
#[derive(InputObject, Clone, Default)]
pub struct ContactInput {
    pub email: Option<String>,
    /// The partner system's id for this person.
    pub external_id: Option<String>,
    pub name: MaybeUndefined<String>,
    pub title: MaybeUndefined<String>,
    pub persona: MaybeUndefined<String>,
    pub seniority: MaybeUndefined<String>,
    /// The account's domain; when absent, a business email's domain is used (personal email
    /// domains such as gmail.com create no account).
    pub account_domain: Option<String>,
    pub source_id: MaybeUndefined<ID>,
    pub source_detail: MaybeUndefined<String>,
    pub owner_id: MaybeUndefined<ID>,
    pub tags: Option<Vec<String>>,
    pub custom_attributes: Option<async_graphql::Json<Value>>,
}

struct Valid {
    email: Option<String>,
    external_id: Option<String>,
    name: MaybeUndefined<String>,
    title: MaybeUndefined<String>,
    persona: MaybeUndefined<String>,
    seniority: MaybeUndefined<String>,
    account_domain: Option<String>,
    source_id: MaybeUndefined<ID>,
    source_detail: MaybeUndefined<String>,
    owner_id: MaybeUndefined<ID>,
    tags: Option<Vec<String>>,
    custom: Option<serde_json::Map<String, Value>>,
}

fn validate_input(input: ContactInput, path: &str) -> AppResult<Valid> {
    let at = |field: &str| format!("{path}.{field}");
    let email = input
        .email
        .map(|e| {
            normalize_email(&e)
                .ok_or_else(|| AppError::bad_input(at("email"), "is not a valid email address"))
        })
        .transpose()?;
    let external_id = input
        .external_id
        .map(|id| validate::required_text(&id, &at("externalId"), 200))
        .transpose()?;
    if email.is_none() && external_id.is_none() {
        return Err(AppError::bad_input(path, "needs an email or an externalId"));
    }
    Ok(Valid {
        email,
        external_id,
        name: text_patch(input.name, &at("name"))?,
        title: text_patch(input.title, &at("title"))?,
        persona: text_patch(input.persona, &at("persona"))?,
        seniority: text_patch(input.seniority, &at("seniority"))?,
        account_domain: input
            .account_domain
            .map(|d| validate::company_domain(&d, &at("accountDomain")))
            .transpose()?,
        source_id: input.source_id,
        source_detail: text_patch(input.source_detail, &at("sourceDetail"))?,
        owner_id: input.owner_id,
        tags: input
            .tags
            .map(|t| validate::tags(&t, &at("tags")))
            .transpose()?,
        custom: input
            .custom_attributes
            .map(|c| validate::custom_attributes(&c.0, &at("customAttributes")))
            .transpose()?,
    })
}

/// The account domain a contact belongs to: the explicit one, else a business email's.
fn account_domain_of(valid: &Valid) -> Option<String> {
    valid.account_domain.clone().or_else(|| {
        let domain = email_domain(valid.email.as_deref()?)?;
        (!is_personal_domain(domain)).then(|| domain.to_owned())
    })
}

pub(crate) fn blank_contact(workspace_id: Uuid, now: DateTime<Utc>) -> contact::Model {
    contact::Model {
        id: Uuid::now_v7(),
        workspace_id,
        stage_changed_at: Some(now),
        created_at: now,
        updated_at: now,
        ..crate::store::narrow::blank_contact()
    }
}

/// The references of an item, checked against the workspace.
struct Refs {
    owner_id: MaybeUndefined<Uuid>,
    source_id: MaybeUndefined<Uuid>,
    account_id: Option<Uuid>,
}

fn apply(row: &mut contact::Model, valid: Valid, refs: Refs) {
    if valid.email.is_some() {
        row.email = valid.email;
    }
    if valid.external_id.is_some() {
        row.external_id = valid.external_id;
    }
    row.personal_email = row
        .email
        .as_deref()
        .and_then(email_domain)
        .is_some_and(is_personal_domain);
    if refs.account_id.is_some() {
        row.account_id = refs.account_id;
    }
    valid.name.update_to(&mut row.name);
    valid.title.update_to(&mut row.title);
    valid.persona.update_to(&mut row.persona);
    valid.seniority.update_to(&mut row.seniority);
    refs.source_id.update_to(&mut row.source_id);
    valid.source_detail.update_to(&mut row.source_detail);
    refs.owner_id.update_to(&mut row.owner_id);
    if let Some(tags) = valid.tags {
        row.tags = json!(tags);
    }
    if let Some(custom) = valid.custom {
        row.custom = Value::Object(custom);
    }
}

pub async fn upsert_contacts(
    state: &AppState,
    workspace_id: Uuid,
    inputs: Vec<ContactInput>,
    write: Write,
) -> AppResult<Vec<UpsertResult>> {
    check_batch_size(inputs.len(), "contacts")?;
    let mut results: Vec<Option<UpsertResult>> = vec![None; inputs.len()];
    let mut valid = Vec::with_capacity(inputs.len());
    for (index, input) in inputs.into_iter().enumerate() {
        match validate_input(input, &format!("contacts[{index}]")) {
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
    let source_names = tenant.source_names().await?;
    let sources: std::collections::HashSet<Uuid> = source_names.keys().copied().collect();

    let external_ids: Vec<String> = valid
        .iter()
        .filter_map(|(_, v)| v.external_id.clone())
        .collect();
    let emails: Vec<String> = valid.iter().filter_map(|(_, v)| v.email.clone()).collect();
    let found = tenant.contacts_by_keys(&external_ids, &emails).await?;
    let mut by_external: HashMap<String, contact::Model> = HashMap::new();
    let mut by_email: HashMap<String, contact::Model> = HashMap::new();
    for row in found {
        if let Some(id) = &row.external_id {
            by_external.insert(id.clone(), row.clone());
        }
        if let Some(email) = &row.email {
            by_email.insert(email.clone(), row);
        }
    }

    // Contacts keep their account when an update names none: their fit still counts it.
    let kept_ids: Vec<Uuid> = by_external
        .values()
        .chain(by_email.values())
        .filter_map(|c| c.account_id)
        .collect();
    let kept: HashMap<Uuid, account::Model> = tenant
        .get_many::<account::Entity>(&kept_ids)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let domains: Vec<String> = valid
        .iter()
        .filter_map(|(_, v)| account_domain_of(v))
        .collect();
    let mut accounts = AccountsByDomain::load(&tenant, &domains, now).await?;
    let mut inserts = Vec::new();
    let mut seen: HashMap<Uuid, usize> = HashMap::new();
    let mut touched = Vec::new();

    for (index, v) in valid {
        let path = format!("contacts[{index}]");
        let owner_id = match owner_patch(&v.owner_id, &members, &format!("{path}.ownerId")) {
            Ok(patch) => patch,
            Err(err) => {
                results[index] = Some(UpsertResult::rejected(index, &err));
                continue;
            }
        };
        let source_id = match source_patch(&v.source_id, &sources, &format!("{path}.sourceId")) {
            Ok(patch) => patch,
            Err(err) => {
                results[index] = Some(UpsertResult::rejected(index, &err));
                continue;
            }
        };
        let existing = v
            .external_id
            .as_ref()
            .and_then(|id| by_external.get(id))
            .or_else(|| v.email.as_ref().and_then(|e| by_email.get(e)))
            .cloned();
        let (mut row, status) = match existing {
            Some(row) => (row, UpsertStatus::Updated),
            None => (blank_contact(workspace_id, now), UpsertStatus::Created),
        };
        if let Some(first) = seen.insert(row.id, index) {
            let err = AppError::bad_input(
                path,
                format!("names the same person as contacts[{first}] in this batch"),
            );
            results[index] = Some(UpsertResult::rejected(index, &err));
            continue;
        }
        let account = account_domain_of(&v)
            .map(|domain| accounts.get_or_create(&domain))
            .or_else(|| row.account_id.and_then(|id| kept.get(&id)));
        let account_id = account.map(|a| a.id);
        let account_fit_view = account.map(account_view);
        let before = row.clone();
        let refs = Refs {
            owner_id,
            source_id,
            account_id,
        };
        apply(&mut row, v, refs);
        let contact = contact_view(&row, crate::services::fit::source_of(&row, &source_names));
        let (score, breakdown) =
            stored(&fit.contact(&lead_view(&row, &contact, account_fit_view.as_ref())));
        row.fit_score = score;
        row.fit_breakdown = breakdown;
        // Later items of the batch naming the same person find this row (and are refused).
        if let Some(id) = &row.external_id {
            by_external.insert(id.clone(), row.clone());
        }
        if let Some(email) = &row.email {
            by_email.insert(email.clone(), row.clone());
        }
        if status == UpsertStatus::Created {
            results[index] = Some(UpsertResult::written(index, status, row.id));
            touched.push(row.id);
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
            touched.push(row.id);
            store::contacts::save(&tenant, row).await?;
        }
    }
    // Accounts first: contacts refer to them.
    accounts.insert_created(&tenant, &fit).await?;
    tenant.insert_contacts(inserts).await?;
    // Leads whose facts changed may meet the contract now.
    if write == Write::Commit {
        reevaluate::after_change(&tenant, &touched, now, notices).await?;
    }
    write.finish(work).await?;
    Ok(results.into_iter().flatten().collect())
}
