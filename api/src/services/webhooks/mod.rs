//! Outbound webhooks: registration, the outbox written in the transaction of each change, and
//! the sender that delivers it ([`sender`]).

pub mod sender;
mod transport;

pub use transport::Answer;

use chrono::{DateTime, Utc};
use entity::{api_token, webhook, webhook_delivery, DeliveryStatus, WebhookStatus};
use sea_orm::ConnectionTrait;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::{
    auth::{Actor, Credential},
    domain::{outbound, webhooks},
    error::{AppError, AppResult},
    services::unit_of_work::UnitOfWork,
    state::AppState,
    store::{
        self,
        webhooks::{NewWebhookRow, WebhookChange},
        Tenant,
    },
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

/// The person a webhook belongs to: the caller, or the creator of the caller's API token.
pub async fn owner_of<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    actor: &Actor,
) -> AppResult<Uuid> {
    match actor.credential {
        Credential::User { user_id, .. } => Ok(user_id),
        Credential::ApiToken { token_id, .. } => {
            Ok(tenant.get::<api_token::Entity>(token_id).await?.created_by)
        }
    }
}

/// Registers a webhook owned by `me` (private addresses only with
/// `ACCORD_WEBHOOK_ALLOW_PRIVATE`).
pub async fn create(
    state: &AppState,
    workspace_id: Uuid,
    new: NewWebhook,
    me: Uuid,
) -> AppResult<webhook::Model> {
    let url = checked_url(&new.url, state.config.webhook_allow_private)?;
    let events = checked_events(&new.events)?;
    let secret = checked_secret(new.secret)?;
    let work = UnitOfWork::begin(state, workspace_id).await?;
    ensure_room(&work.tenant()).await?;
    let row = NewWebhookRow {
        url,
        events,
        secret,
        created_by: me,
    };
    let row = store::webhooks::insert(&work.tenant(), row, state.clock.now()).await?;
    work.commit().await?;
    Ok(row)
}

/// Refuses a webhook beyond [`webhooks::MAX_PER_WORKSPACE`] (concurrent registrations take
/// turns: see [`store::webhooks::count_for_registration`]).
async fn ensure_room<C: ConnectionTrait>(tenant: &Tenant<'_, C>) -> AppResult<()> {
    let registered = store::webhooks::count_for_registration(tenant).await?;
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

pub async fn update(
    state: &AppState,
    workspace_id: Uuid,
    id: Uuid,
    patch: WebhookPatch,
) -> AppResult<webhook::Model> {
    let (now, allow_private) = (state.clock.now(), state.config.webhook_allow_private);
    let work = UnitOfWork::begin(state, workspace_id).await?;
    let tenant = &work.tenant();
    let row = tenant.get::<webhook::Entity>(id).await?;
    let mut change = WebhookChange::default();
    if let Some(url) = &patch.url {
        change.url = Some(checked_url(url, allow_private)?);
    }
    if let Some(events) = &patch.events {
        change.events = Some(checked_events(events)?);
    }
    match patch.active {
        Some(true) => {
            change.status = Some(WebhookStatus::Active);
            change.disabled = Some(None);
        }
        Some(false) => {
            change.status = Some(WebhookStatus::Disabled);
            change.disabled = Some(Some(("disabled by a person".into(), now)));
            store::webhooks::cancel_pending(tenant, id).await?;
        }
        None => {}
    }
    let row = store::webhooks::change(tenant, row, change, now).await?;
    work.commit().await?;
    Ok(row)
}

/// Deletes a webhook with its deliveries and their attempts.
pub async fn delete(state: &AppState, workspace_id: Uuid, id: Uuid) -> AppResult<()> {
    let work = UnitOfWork::begin(state, workspace_id).await?;
    work.tenant().get::<webhook::Entity>(id).await?;
    store::webhooks::delete(&work.tenant(), id).await?;
    work.commit().await
}

pub async fn list<C: ConnectionTrait>(tenant: &Tenant<'_, C>) -> AppResult<Vec<webhook::Model>> {
    store::webhooks::list(tenant).await
}

/// A webhook's deliveries, newest first (at most `first`, capped at 500); NOT_FOUND when the
/// webhook is not in this workspace.
pub async fn deliveries<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    webhook_id: Uuid,
    first: u64,
    status: Option<DeliveryStatus>,
) -> AppResult<Vec<webhook_delivery::Model>> {
    tenant.get::<webhook::Entity>(webhook_id).await?;
    store::webhooks::deliveries(tenant, webhook_id, first, status).await
}

/// A page of the deliveries `filter` picks (one webhook's), in the order asked; NOT_FOUND when
/// the webhook is not in this workspace.
pub async fn delivery_page<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    filter: &store::filters::DeliveryFilter,
    (sort, descending): (store::sorts::DeliverySort, bool),
    args: store::keyset::PageArgs,
    max_page_size: usize,
) -> AppResult<store::keyset::RowPage<webhook_delivery::Model>> {
    tenant.get::<webhook::Entity>(filter.webhook_id).await?;
    store::lists::filtered(tenant, filter, sort, descending, args, max_page_size).await
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
    let hooks = store::webhooks::active(tenant).await?;
    let (event_id, payload) = envelope(tenant.workspace_id(), event, data, now);
    let wanting = wanting(&hooks, event);
    store::webhooks::queue(tenant, &wanting, event_id, event, &payload, now).await?;
    Ok(wanting.len())
}

/// An event's id and the body every receiver gets.
pub fn envelope(workspace_id: Uuid, event: &str, data: Value, now: DateTime<Utc>) -> (Uuid, Value) {
    let event_id = Uuid::now_v7();
    let payload = json!({
        "id": event_id,
        "type": event,
        "createdAt": now,
        "workspaceId": workspace_id,
        "data": data,
    });
    (event_id, payload)
}

/// The webhooks among `hooks` that subscribed to `event`.
pub fn wanting(hooks: &[entity::webhook::Model], event: &str) -> Vec<Uuid> {
    hooks
        .iter()
        .filter(|hook| {
            let events: Vec<String> =
                serde_json::from_value(hook.events.clone()).unwrap_or_default();
            webhooks::wants(&events, event)
        })
        .map(|hook| hook.id)
        .collect()
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
