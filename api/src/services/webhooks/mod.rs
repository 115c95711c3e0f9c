//! Outbound webhooks: registration, the outbox written in the transaction of each change, and
//! the sender that delivers it ([`sender`]).

pub mod sender;
mod transport;

use chrono::{DateTime, Utc};
use entity::{webhook, webhook_delivery, workspace, DeliveryStatus, WebhookStatus};
use sea_orm::{
    sea_query::{Expr, LockType},
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::{
    domain::{outbound, webhooks},
    error::{AppError, AppResult},
    store::Tenant,
};

/// A new webhook's settings; without a secret one is generated (and shown once).
pub struct NewWebhook {
    pub url: String,
    pub events: Vec<String>,
    pub secret: Option<String>,
}

/// A URL deliveries may go to (see [`outbound::webhook_url`]), in the normal form it is kept in.
fn checked_url(raw: &str, allow_private: bool) -> AppResult<String> {
    outbound::webhook_url(raw, allow_private)
        .map(String::from)
        .map_err(|refusal| AppError::bad_input("url", refusal.message()))
}

fn checked_events(events: &[String]) -> AppResult<Vec<String>> {
    webhooks::validate_events(events).map_err(|message| AppError::bad_input("events", message))
}

fn checked_secret(secret: Option<String>) -> AppResult<String> {
    match secret {
        Some(secret) if !(16..=128).contains(&secret.len()) => Err(AppError::bad_input(
            "secret",
            "must be 16 to 128 characters",
        )),
        Some(secret) => Ok(secret),
        None => Ok(format!("whsec_{}", crate::auth::secret::random_hex(24))),
    }
}

/// Registers a webhook. `allow_private` is `ACCORD_WEBHOOK_ALLOW_PRIVATE`.
pub async fn create<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    new: NewWebhook,
    me: Uuid,
    now: DateTime<Utc>,
    allow_private: bool,
) -> AppResult<webhook::Model> {
    let url = checked_url(&new.url, allow_private)?;
    let events = checked_events(&new.events)?;
    let secret = checked_secret(new.secret)?;
    ensure_room(tenant).await?;
    Ok(webhook::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(tenant.workspace_id()),
        url: Set(url),
        events: Set(json!(events)),
        secret: Set(secret),
        status: Set(WebhookStatus::Active),
        disabled_reason: Set(None),
        disabled_at: Set(None),
        created_by: Set(me),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(tenant.conn())
    .await?)
}

/// Refuses a webhook beyond [`webhooks::MAX_PER_WORKSPACE`]. On Postgres two registrations at
/// once take turns on the workspace's row (a lock that leaves inserts referencing it free);
/// SQLite's write transaction already serializes them.
async fn ensure_room<C: ConnectionTrait>(tenant: &Tenant<'_, C>) -> AppResult<()> {
    if tenant.conn().get_database_backend() == DbBackend::Postgres {
        workspace::Entity::find_by_id(tenant.workspace_id())
            .lock(LockType::NoKeyUpdate)
            .one(tenant.conn())
            .await?;
    }
    let registered = tenant
        .select::<webhook::Entity>()
        .count(tenant.conn())
        .await?;
    if registered >= webhooks::MAX_PER_WORKSPACE {
        return Err(AppError::Conflict(format!(
            "a workspace holds at most {} webhooks; delete one first",
            webhooks::MAX_PER_WORKSPACE
        )));
    }
    Ok(())
}

/// What an update may change; re-enabling a disabled webhook clears its reason.
#[derive(Default)]
pub struct WebhookPatch {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    pub active: Option<bool>,
}

pub async fn update<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    id: Uuid,
    patch: WebhookPatch,
    now: DateTime<Utc>,
    allow_private: bool,
) -> AppResult<webhook::Model> {
    let row = tenant.get::<webhook::Entity>(id).await?;
    let mut active = row.into_active_model();
    if let Some(url) = &patch.url {
        active.url = Set(checked_url(url, allow_private)?);
    }
    if let Some(events) = &patch.events {
        active.events = Set(json!(checked_events(events)?));
    }
    match patch.active {
        Some(true) => {
            active.status = Set(WebhookStatus::Active);
            active.disabled_reason = Set(None);
            active.disabled_at = Set(None);
        }
        Some(false) => {
            active.status = Set(WebhookStatus::Disabled);
            active.disabled_reason = Set(Some("disabled by a person".into()));
            active.disabled_at = Set(Some(now));
            cancel_pending(tenant, id).await?;
        }
        None => {}
    }
    active.updated_at = Set(now);
    Ok(active.update(tenant.conn()).await?)
}

/// Deletes a webhook with its deliveries and their attempts.
pub async fn delete<C: ConnectionTrait>(tenant: &Tenant<'_, C>, id: Uuid) -> AppResult<()> {
    tenant.get::<webhook::Entity>(id).await?;
    webhook::Entity::delete_many()
        .filter(webhook::Column::WorkspaceId.eq(tenant.workspace_id()))
        .filter(webhook::Column::Id.eq(id))
        .exec(tenant.conn())
        .await?;
    Ok(())
}

/// Deliveries of a webhook that has been turned off will not go out.
pub(crate) async fn cancel_pending<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    webhook_id: Uuid,
) -> AppResult<()> {
    webhook_delivery::Entity::update_many()
        .col_expr(
            webhook_delivery::Column::Status,
            Expr::value(DeliveryStatus::Cancelled),
        )
        .filter(webhook_delivery::Column::WorkspaceId.eq(tenant.workspace_id()))
        .filter(webhook_delivery::Column::WebhookId.eq(webhook_id))
        .filter(webhook_delivery::Column::Status.eq(DeliveryStatus::Pending))
        .exec(tenant.conn())
        .await?;
    Ok(())
}

pub async fn list<C: ConnectionTrait>(tenant: &Tenant<'_, C>) -> AppResult<Vec<webhook::Model>> {
    Ok(tenant
        .select::<webhook::Entity>()
        .order_by_asc(webhook::Column::CreatedAt)
        .all(tenant.conn())
        .await?)
}

/// Puts `event` in the outbox of every active webhook that asked for it, inside the caller's
/// transaction: the deliveries exist exactly when the change does. Every webhook gets the same
/// event id. Returns how many deliveries were queued (add them to the transaction's
/// [`super::notices::Notices`] so the sender wakes at once).
pub async fn emit<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    event: &str,
    data: Value,
    now: DateTime<Utc>,
) -> AppResult<usize> {
    debug_assert!(webhooks::EVENTS.contains(&event), "{event}");
    let hooks = tenant
        .select::<webhook::Entity>()
        .filter(webhook::Column::Status.eq(WebhookStatus::Active))
        .all(tenant.conn())
        .await?;
    let event_id = Uuid::now_v7();
    let payload = json!({
        "id": event_id,
        "type": event,
        "createdAt": now,
        "workspaceId": tenant.workspace_id(),
        "data": data,
    });
    let rows: Vec<webhook_delivery::ActiveModel> = hooks
        .iter()
        .filter(|hook| {
            let events: Vec<String> =
                serde_json::from_value(hook.events.clone()).unwrap_or_default();
            webhooks::wants(&events, event)
        })
        .map(|hook| webhook_delivery::ActiveModel {
            id: Set(Uuid::now_v7()),
            workspace_id: Set(tenant.workspace_id()),
            webhook_id: Set(hook.id),
            event_id: Set(event_id),
            event: Set(event.to_owned()),
            payload: Set(payload.clone()),
            status: Set(DeliveryStatus::Pending),
            attempts: Set(0),
            next_attempt_at: Set(now),
            last_status_code: Set(None),
            last_error: Set(None),
            created_at: Set(now),
            delivered_at: Set(None),
        })
        .collect();
    let queued = rows.len();
    if queued > 0 {
        webhook_delivery::Entity::insert_many(rows)
            .exec(tenant.conn())
            .await?;
    }
    Ok(queued)
}

/// The payload's view of a lead.
pub fn lead_data(lead: &entity::contact::Model) -> Value {
    json!({
        "id": lead.id,
        "email": lead.email,
        "name": lead.name,
        "stage": lead.stage,
        "ownerId": lead.owner_id,
        "accountId": lead.account_id,
        "sourceId": lead.source_id,
        "fitScore": lead.fit_score,
        "engagementScore": lead.engagement_score,
    })
}
