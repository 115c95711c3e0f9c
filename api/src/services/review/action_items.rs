//! Action items: what a person owes the team, usually out of a review. Each change is one unit
//! of work.

use chrono::{DateTime, Utc};
use entity::{action_item, revenue_review};
use sea_orm::{ActiveValue::Set, ConnectionTrait, IntoActiveModel};
use uuid::Uuid;

use super::meeting::member;
use crate::{
    domain::{review::stale_action_items, validate},
    error::{AppError, AppResult},
    services::unit_of_work::UnitOfWork,
    state::AppState,
    store::{self, Tenant},
};

/// What an action item asks, of whom, by when.
pub struct NewActionItem {
    pub review_id: Option<Uuid>,
    pub title: String,
    pub owner_id: Uuid,
    pub due_at: Option<DateTime<Utc>>,
}

/// Creates an action item; problems are named under `input`.
pub async fn create(
    state: &AppState,
    workspace_id: Uuid,
    item: NewActionItem,
    me: Uuid,
) -> AppResult<action_item::Model> {
    let work = UnitOfWork::begin(state, workspace_id).await?;
    let row = create_in(&work.tenant(), item, me, state.clock.now())
        .await
        .map_err(|err| err.inside("input"))?;
    work.commit().await?;
    Ok(row)
}

async fn create_in<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    item: NewActionItem,
    me: Uuid,
    now: DateTime<Utc>,
) -> AppResult<action_item::Model> {
    let title = validate::required_text(&item.title, "title", 500)?;
    if let Some(review_id) = item.review_id {
        tenant
            .get::<revenue_review::Entity>(review_id)
            .await
            .map_err(|err| err.at_field("reviewId"))?;
    }
    member(tenant, item.owner_id, "ownerId").await?;
    if item.due_at.is_some_and(|due| due <= now) {
        return Err(AppError::bad_input("dueAt", "must be in the future"));
    }
    let row = action_item::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(tenant.workspace_id()),
        review_id: Set(item.review_id),
        title: Set(title),
        owner_id: Set(item.owner_id),
        due_at: Set(item.due_at),
        created_by: Set(me),
        created_at: Set(now),
        completed_at: Set(None),
        completed_by: Set(None),
    };
    store::reviews::insert_action_item(tenant, row).await
}

/// Completes an action item: its owner may, and so may whoever runs the review.
pub async fn complete(
    state: &AppState,
    workspace_id: Uuid,
    id: Uuid,
    me: Uuid,
    runs_reviews: bool,
) -> AppResult<action_item::Model> {
    let work = UnitOfWork::begin(state, workspace_id).await?;
    let tenant = work.tenant();
    let item = tenant.get::<action_item::Entity>(id).await?;
    if item.owner_id != me && !runs_reviews {
        return Err(AppError::forbidden(
            "only the item's owner or whoever runs the review may complete it",
        ));
    }
    if item.completed_at.is_some() {
        return Err(AppError::Conflict(
            "the action item is already complete".into(),
        ));
    }
    let mut row = item.into_active_model();
    row.completed_at = Set(Some(state.clock.now()));
    row.completed_by = Set(Some(me));
    let saved = store::reviews::save_action_item(&tenant, row).await?;
    work.commit().await?;
    Ok(saved)
}

/// Action items, oldest first; only the open ones when `open_only`.
pub async fn list<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    open_only: bool,
) -> AppResult<Vec<action_item::Model>> {
    store::reviews::action_items(tenant, open_only).await
}

/// Open action items created more than two weeks before `as_of`, oldest first.
pub async fn stale<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    as_of: DateTime<Utc>,
) -> AppResult<Vec<action_item::Model>> {
    let open = list(tenant, true).await?;
    let facts: Vec<crate::domain::review::ActionItem> = open
        .iter()
        .map(|i| crate::domain::review::ActionItem {
            id: i.id,
            owner_id: i.owner_id,
            created_at: i.created_at,
            due_at: i.due_at,
            completed_at: i.completed_at,
        })
        .collect();
    Ok(stale_action_items(&facts, as_of)
        .into_iter()
        .filter_map(|s| open.iter().find(|i| i.id == s.id))
        .cloned()
        .collect())
}
