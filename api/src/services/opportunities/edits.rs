//! `createOpportunity` and `updateOpportunity`: a deal and its stage move commit together.

use async_graphql::{InputObject, MaybeUndefined, ID};
use chrono::NaiveDate;
use entity::{account, contact, opportunity, source, OpportunityStage};
use uuid::Uuid;

use super::{is_closed, record_stage};
use crate::{
    auth::Actor,
    domain::{permissions::Permission, validate},
    error::{AppError, AppResult},
    services::{
        access,
        records::{member_ids, owner},
        unit_of_work::UnitOfWork,
    },
    state::AppState,
    store::opportunities as deals,
};

#[derive(InputObject)]
pub struct OpportunityInput {
    pub name: String,
    pub account_id: ID,
    pub primary_contact_id: Option<ID>,
    /// The lead the deal came from; its source is attributed unless `sourceId` says otherwise.
    pub lead_id: Option<ID>,
    pub source_id: Option<ID>,
    pub owner_id: Option<ID>,
    pub amount: f64,
    /// ISO 4217; defaults to USD.
    pub currency: Option<String>,
    pub stage: Option<OpportunityStage>,
    pub close_date: Option<NaiveDate>,
    /// The competitor the deal is up against (at most 200 characters).
    pub competitor: Option<String>,
}

#[derive(InputObject)]
pub struct OpportunityPatch {
    pub name: Option<String>,
    pub amount: Option<f64>,
    pub currency: Option<String>,
    /// An open stage; use `closeOpportunity` to win or lose.
    pub stage: Option<OpportunityStage>,
    pub close_date: MaybeUndefined<NaiveDate>,
    pub owner_id: MaybeUndefined<ID>,
    pub primary_contact_id: MaybeUndefined<ID>,
    /// The competitor the deal is up against; `null` clears it.
    pub competitor: MaybeUndefined<String>,
}

/// Opens a deal, owned by the actor unless they name an owner they reach with `UpdateDeal`.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    workspace_id: Uuid,
    input: OpportunityInput,
) -> AppResult<opportunity::Model> {
    let name = validate::required_text(&input.name, "input.name", 200)?;
    let amount = validate::non_negative_amount(input.amount, "input.amount")?;
    let currency =
        validate::currency(input.currency.as_deref().unwrap_or("USD"), "input.currency")?;
    let competitor = validate::competitor(input.competitor.as_deref(), "input.competitor")?;
    let stage = input.stage.unwrap_or(OpportunityStage::Discovery);
    if is_closed(stage) {
        return Err(AppError::bad_input(
            "input.stage",
            "create the deal open, then closeOpportunity",
        ));
    }
    // The deal and its first move commit together.
    let work = UnitOfWork::begin(state, workspace_id).await?;
    let tenant = work.tenant();
    let account_id = tenant
        .referenced::<account::Entity>(&input.account_id, "input.accountId")
        .await?
        .id;
    let primary = match &input.primary_contact_id {
        Some(raw) => Some(
            tenant
                .referenced::<contact::Entity>(raw, "input.primaryContactId")
                .await?
                .id,
        ),
        None => None,
    };
    let lead = match &input.lead_id {
        Some(raw) => Some(
            tenant
                .referenced::<contact::Entity>(raw, "input.leadId")
                .await?,
        ),
        None => None,
    };
    let source_id = match &input.source_id {
        Some(raw) => Some(
            tenant
                .referenced::<source::Entity>(raw, "input.sourceId")
                .await?
                .id,
        ),
        None => lead.as_ref().and_then(|l| l.source_id),
    };
    let owner_id = match &input.owner_id {
        Some(raw) => Some(owner(raw, &member_ids(&tenant).await?, "input.ownerId")?),
        // A person's new deal is theirs unless they name its owner.
        None => actor.user_id().ok(),
    };
    access::require_on(&tenant, actor, Permission::UpdateDeal, owner_id).await?;
    let row = opportunity::Model {
        id: Uuid::now_v7(),
        workspace_id,
        name,
        account_id,
        primary_contact_id: primary,
        lead_id: lead.map(|l| l.id),
        source_id,
        owner_id,
        amount,
        currency,
        stage,
        close_date: input.close_date,
        lost_reason: None,
        competitor,
        created_at: state.clock.now(),
        closed_at: None,
        stage_changed_at: Some(state.clock.now()),
        external_id: None,
    };
    let created = deals::insert(&tenant, row).await?;
    let by = actor.user_id().ok();
    record_stage(&tenant, &created, None, by, created.created_at).await?;
    work.commit().await?;
    Ok(created)
}

/// Edits an open deal. The patch applies to the deal as it is once this unit of work holds it:
/// a close committed meanwhile is seen (and refused), never overwritten.
pub async fn update(
    state: &AppState,
    actor: &Actor,
    workspace_id: Uuid,
    id: Uuid,
    input: OpportunityPatch,
) -> AppResult<opportunity::Model> {
    let work = UnitOfWork::begin(state, workspace_id).await?;
    let tenant = work.tenant();
    let mut row = tenant.get_for_update::<opportunity::Entity>(id).await?;
    access::require_on(&tenant, actor, Permission::UpdateDeal, row.owner_id).await?;
    let mut stage_moved_from = None;
    if let Some(name) = input.name {
        row.name = validate::required_text(&name, "input.name", 200)?;
    }
    if let Some(amount) = input.amount {
        row.amount = validate::non_negative_amount(amount, "input.amount")?;
    }
    if let Some(currency) = input.currency {
        row.currency = validate::currency(&currency, "input.currency")?;
    }
    if let Some(stage) = input.stage {
        if is_closed(stage) || is_closed(row.stage) {
            return Err(AppError::bad_input(
                "input.stage",
                "closing and reopening go through closeOpportunity",
            ));
        }
        if stage != row.stage {
            stage_moved_from = Some(row.stage);
            row.stage = stage;
            row.stage_changed_at = Some(state.clock.now());
        }
    }
    input.close_date.update_to(&mut row.close_date);
    match &input.competitor {
        MaybeUndefined::Value(raw) => {
            row.competitor = validate::competitor(Some(raw), "input.competitor")?
        }
        MaybeUndefined::Null => row.competitor = None,
        MaybeUndefined::Undefined => {}
    }
    match &input.owner_id {
        MaybeUndefined::Value(raw) => {
            let owner = owner(raw, &member_ids(&tenant).await?, "input.ownerId")?;
            // Handing the deal over: the new owner must be in the actor's reach too.
            access::require_on(&tenant, actor, Permission::UpdateDeal, Some(owner)).await?;
            row.owner_id = Some(owner);
        }
        MaybeUndefined::Null => {
            access::require_on(&tenant, actor, Permission::UpdateDeal, None).await?;
            row.owner_id = None;
        }
        MaybeUndefined::Undefined => {}
    }
    match &input.primary_contact_id {
        MaybeUndefined::Value(raw) => {
            row.primary_contact_id = Some(
                tenant
                    .referenced::<contact::Entity>(raw, "input.primaryContactId")
                    .await?
                    .id,
            )
        }
        MaybeUndefined::Null => row.primary_contact_id = None,
        MaybeUndefined::Undefined => {}
    }
    // The deal and its move commit together; the row's lock makes two moves of one deal
    // take turns, so each move's end is computed from the other's committed move.
    let updated = deals::save(&tenant, row).await?;
    if let Some(from) = stage_moved_from {
        let by = actor.user_id().ok();
        record_stage(&tenant, &updated, Some(from), by, state.clock.now()).await?;
    }
    work.commit().await?;
    Ok(updated)
}
