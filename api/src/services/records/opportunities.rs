//! `upsertOpportunities`: deals by the partner system's id (`externalId`), each on the account
//! of its domain (found, or created like a contact's).

use std::collections::{HashMap, HashSet};

use async_graphql::{InputObject, MaybeUndefined, ID};
use chrono::{DateTime, NaiveDate, Utc};
use entity::{opportunity, OpportunityStage};
use sea_orm::IntoActiveModel;
use uuid::Uuid;

use super::{
    accounts::AccountsByDomain, check_batch_size, member_ids, owner_patch, source_patch,
    text_patch, UpsertResult, UpsertStatus, Write,
};
use crate::{
    domain::validate,
    error::{AppError, AppResult},
    services::unit_of_work::UnitOfWork,
    services::{
        fit::FitModels,
        opportunities::{insert_stage_changes, is_closed, on_closed, stage_change},
    },
    state::AppState,
    store::{self, records::take_identity_turn},
};

/// A deal to create or update, found by `externalId`. Omitted fields keep their value; `null`
/// clears a nullable field. `name`, `accountDomain` and `amount` are required to create one.
#[derive(InputObject, Clone, Default)]
pub struct OpportunityUpsertInput {
    /// The partner system's id for this deal: the key.
    pub external_id: String,
    pub name: Option<String>,
    /// The account's domain; an account is created for a new one.
    pub account_domain: Option<String>,
    pub amount: Option<f64>,
    /// ISO 4217; a new deal without one is in USD.
    pub currency: Option<String>,
    /// A new deal without one starts in DISCOVERY. A closed stage closes the deal (at its close
    /// date, if past); a win makes its account a CUSTOMER. Unlike `closeOpportunity`, no webhook
    /// announces it. A closed deal is not reopened.
    pub stage: Option<OpportunityStage>,
    pub close_date: MaybeUndefined<NaiveDate>,
    pub lost_reason: MaybeUndefined<String>,
    /// The competitor the deal is (or was) up against; at most 200 characters.
    pub competitor: MaybeUndefined<String>,
    pub owner_id: MaybeUndefined<ID>,
    pub source_id: MaybeUndefined<ID>,
}

struct Valid {
    external_id: String,
    name: Option<String>,
    account_domain: Option<String>,
    amount: Option<f64>,
    currency: Option<String>,
    stage: Option<OpportunityStage>,
    close_date: MaybeUndefined<NaiveDate>,
    lost_reason: MaybeUndefined<String>,
    competitor: MaybeUndefined<String>,
    owner_id: MaybeUndefined<ID>,
    source_id: MaybeUndefined<ID>,
}

fn validate_input(input: OpportunityUpsertInput, path: &str) -> AppResult<Valid> {
    let at = |field: &str| format!("{path}.{field}");
    Ok(Valid {
        external_id: validate::required_text(&input.external_id, &at("externalId"), 200)?,
        name: input
            .name
            .map(|n| validate::required_text(&n, &at("name"), 200))
            .transpose()?,
        account_domain: input
            .account_domain
            .map(|d| validate::company_domain(&d, &at("accountDomain")))
            .transpose()?,
        amount: input
            .amount
            .map(|a| validate::non_negative_amount(a, &at("amount")))
            .transpose()?,
        currency: input
            .currency
            .map(|c| validate::currency(&c, &at("currency")))
            .transpose()?,
        stage: input.stage,
        close_date: input.close_date,
        lost_reason: text_patch(input.lost_reason, &at("lostReason"))?,
        competitor: competitor_patch(input.competitor, &at("competitor"))?,
        owner_id: input.owner_id,
        source_id: input.source_id,
    })
}

/// A competitor to set (trimmed, at most 200 characters), or `null`/blank to clear it.
fn competitor_patch(
    value: MaybeUndefined<String>,
    field: &str,
) -> AppResult<MaybeUndefined<String>> {
    Ok(match value {
        MaybeUndefined::Value(v) => match validate::competitor(Some(&v), field)? {
            Some(v) => MaybeUndefined::Value(v),
            None => MaybeUndefined::Null,
        },
        MaybeUndefined::Null => MaybeUndefined::Null,
        MaybeUndefined::Undefined => MaybeUndefined::Undefined,
    })
}

/// A new deal needs a name, an account and an amount.
fn check_creatable(v: &Valid, path: &str) -> AppResult<()> {
    let missing = [
        ("name", v.name.is_none()),
        ("accountDomain", v.account_domain.is_none()),
        ("amount", v.amount.is_none()),
    ];
    match missing.into_iter().find(|(_, absent)| *absent) {
        Some((field, _)) => Err(AppError::bad_input(
            format!("{path}.{field}"),
            "is required to create a deal",
        )),
        None => Ok(()),
    }
}

fn blank_deal(
    workspace_id: Uuid,
    external_id: &str,
    account_id: Uuid,
    now: DateTime<Utc>,
) -> opportunity::Model {
    opportunity::Model {
        id: Uuid::now_v7(),
        workspace_id,
        name: String::new(),
        account_id,
        primary_contact_id: None,
        lead_id: None,
        source_id: None,
        owner_id: None,
        amount: 0.0,
        currency: "USD".to_owned(),
        stage: OpportunityStage::Discovery,
        close_date: None,
        lost_reason: None,
        competitor: None,
        created_at: now,
        closed_at: None,
        stage_changed_at: Some(now),
        external_id: Some(external_id.to_owned()),
    }
}

/// The references of an item, checked against the workspace.
struct Refs {
    owner_id: MaybeUndefined<Uuid>,
    source_id: MaybeUndefined<Uuid>,
    account_id: Option<Uuid>,
}

/// A closed deal keeps its stage.
fn check_stage(row: &opportunity::Model, v: &Valid, path: &str) -> AppResult<()> {
    if is_closed(row.stage) && v.stage.is_some_and(|stage| stage != row.stage) {
        return Err(AppError::bad_input(
            format!("{path}.stage"),
            "the deal is closed; a closed deal is not reopened",
        ));
    }
    Ok(())
}

/// Applies a checked item; answers the stage the deal left, if it moved.
fn apply(
    row: &mut opportunity::Model,
    v: Valid,
    refs: Refs,
    now: DateTime<Utc>,
) -> Option<OpportunityStage> {
    let moved = v.stage.filter(|stage| *stage != row.stage);
    if let Some(name) = v.name {
        row.name = name;
    }
    if let Some(account_id) = refs.account_id {
        row.account_id = account_id;
    }
    if let Some(amount) = v.amount {
        row.amount = amount;
    }
    if let Some(currency) = v.currency {
        row.currency = currency;
    }
    v.close_date.update_to(&mut row.close_date);
    v.lost_reason.update_to(&mut row.lost_reason);
    v.competitor.update_to(&mut row.competitor);
    refs.owner_id.update_to(&mut row.owner_id);
    refs.source_id.update_to(&mut row.source_id);
    let stage = moved?;
    let from = row.stage;
    row.stage = stage;
    row.stage_changed_at = Some(now);
    if is_closed(stage) {
        // An imported deal closed on its close date, unless that is still ahead.
        let closed_at = row
            .close_date
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|d| d.and_utc().min(now))
            .unwrap_or(now);
        row.closed_at = Some(closed_at);
        row.stage_changed_at = Some(closed_at);
    }
    Some(from)
}

pub async fn upsert_opportunities(
    state: &AppState,
    workspace_id: Uuid,
    actor: Option<Uuid>,
    inputs: Vec<OpportunityUpsertInput>,
    write: Write,
) -> AppResult<Vec<UpsertResult>> {
    check_batch_size(inputs.len(), "opportunities")?;
    let mut results: Vec<Option<UpsertResult>> = vec![None; inputs.len()];
    let mut valid = Vec::with_capacity(inputs.len());
    let mut first_by_key: HashMap<String, usize> = HashMap::new();
    for (index, input) in inputs.into_iter().enumerate() {
        let path = format!("opportunities[{index}]");
        let checked = validate_input(input, &path).and_then(|v| {
            match first_by_key.insert(v.external_id.clone(), index) {
                Some(first) => Err(AppError::bad_input(
                    format!("{path}.externalId"),
                    format!("repeats opportunities[{first}].externalId in this batch"),
                )),
                None => Ok(v),
            }
        });
        match checked {
            Ok(v) => valid.push((index, v)),
            Err(err) => results[index] = Some(UpsertResult::rejected(index, &err)),
        }
    }

    let now = state.clock.now();
    let work = UnitOfWork::begin(state, workspace_id).await?;
    let tenant = work.tenant();
    take_identity_turn(&tenant).await?;
    let members = member_ids(&tenant).await?;
    let sources: HashSet<Uuid> = tenant.source_ids().await?;
    let keys: Vec<String> = valid.iter().map(|(_, v)| v.external_id.clone()).collect();
    let mut existing: HashMap<String, opportunity::Model> = tenant
        .opportunities_by_external_ids(&keys)
        .await?
        .into_iter()
        .filter_map(|o| Some((o.external_id.clone()?, o)))
        .collect();
    let domains: Vec<String> = valid
        .iter()
        .filter_map(|(_, v)| v.account_domain.clone())
        .collect();
    let mut accounts = AccountsByDomain::load(&tenant, &domains, now).await?;
    let mut inserts = Vec::new();
    let mut history = Vec::new();
    let mut closed = Vec::new();

    for (index, v) in valid {
        let path = format!("opportunities[{index}]");
        let found = existing.remove(&v.external_id);
        let checked =
            owner_patch(&v.owner_id, &members, &format!("{path}.ownerId")).and_then(|owner| {
                let source = source_patch(&v.source_id, &sources, &format!("{path}.sourceId"))?;
                match &found {
                    Some(row) => check_stage(row, &v, &path)?,
                    None => check_creatable(&v, &path)?,
                }
                Ok((owner, source))
            });
        let (owner_id, source_id) = match checked {
            Ok(refs) => refs,
            Err(err) => {
                results[index] = Some(UpsertResult::rejected(index, &err));
                continue;
            }
        };
        let account_id = v
            .account_domain
            .as_deref()
            .map(|domain| accounts.get_or_create(domain).id);
        let (mut row, status) = match found {
            Some(row) => (row, UpsertStatus::Updated),
            None => {
                let account_id = account_id.expect("checked: a new deal names its account");
                (
                    blank_deal(workspace_id, &v.external_id, account_id, now),
                    UpsertStatus::Created,
                )
            }
        };
        let before = row.clone();
        let refs = Refs {
            owner_id,
            source_id,
            account_id,
        };
        let moved = apply(&mut row, v, refs, now);
        let at = row.stage_changed_at.unwrap_or(now);
        if status == UpsertStatus::Created {
            history.push(stage_change(&row, None, actor, at));
        } else if let Some(from) = moved {
            history.push(stage_change(&row, Some(from), actor, at));
        }
        if is_closed(row.stage) && (status == UpsertStatus::Created || moved.is_some()) {
            closed.push(row.clone());
        }
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
            results[index] = Some(UpsertResult::written(index, status, row.id));
            store::opportunities::save(&tenant, row).await?;
        }
    }
    // Accounts first: deals refer to them.
    accounts
        .insert_created(&tenant, &FitModels::load(&tenant).await?)
        .await?;
    tenant.insert_opportunities(inserts).await?;
    insert_stage_changes(&tenant, history).await?;
    // Not announced to webhooks (`closeOpportunity` is): imported deals are history, not news.
    for deal in &closed {
        on_closed(&tenant, deal, now).await?;
    }
    write.finish(work).await?;
    Ok(results.into_iter().flatten().collect())
}
