//! Outbound webhooks for partner apps: register, list, change, delete, and read deliveries with
//! every attempt.

use async_graphql::{ComplexObject, Context, InputObject, Object, Result, SimpleObject, ID};
use chrono::{DateTime, Utc};
use entity::{webhook, webhook_delivery, DeliveryStatus, WebhookStatus};
use uuid::Uuid;

use super::{
    context::ContextExt,
    loaders::{load_one, Loaders},
    pagination::{connection, list_order, named_order, narrowed, Page, PageArgs},
};
use crate::{
    auth::Actor,
    domain::permissions::Permission,
    error::AppError,
    services::webhooks::{self, NewWebhook, WebhookPatch},
    store::{self, parse_id},
};

/// An endpoint Accord POSTs signed events to.
#[derive(SimpleObject)]
pub struct Webhook {
    pub id: ID,
    pub url: String,
    /// Event names, or `*` for all.
    pub events: Vec<String>,
    pub status: WebhookStatus,
    /// Why it was disabled: by a person, after 24 hours of failed deliveries, or an HTTP 410.
    pub disabled_reason: Option<String>,
    pub disabled_at: Option<DateTime<Utc>>,
    /// The user who registered it (for an API token, the token's creator): told when it is
    /// disabled.
    pub created_by: ID,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<webhook::Model> for Webhook {
    fn from(m: webhook::Model) -> Self {
        Self {
            id: m.id.into(),
            url: m.url,
            events: serde_json::from_value(m.events).unwrap_or_default(),
            status: m.status,
            disabled_reason: m.disabled_reason,
            disabled_at: m.disabled_at,
            created_by: m.created_by.into(),
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// A new webhook and its signing secret, shown this once.
#[derive(SimpleObject)]
pub struct CreatedWebhook {
    pub webhook: Webhook,
    /// HMAC-SHA256 key: verify `Accord-Signature` over `<Accord-Timestamp>.<raw body>`.
    pub secret: String,
}

/// One try at delivering.
#[derive(SimpleObject)]
pub struct WebhookAttempt {
    pub attempted_at: DateTime<Utc>,
    /// The receiver's HTTP status; null when it could not be reached or timed out.
    pub status_code: Option<i32>,
    pub latency_ms: i32,
    /// Why it failed, by class only: `blocked address`, `dns failure`, `connection refused`,
    /// `connection failed`, `connection closed`, `timeout`, `tls error`, `invalid response`,
    /// `redirect not followed` (3xx answers are not followed), `invalid url` or `http <status>`.
    pub error: Option<String>,
}

/// One event for one webhook, with every attempt.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct WebhookDelivery {
    pub id: ID,
    /// Shared by every webhook that received the event (`Accord-Event-Id`): de-duplicate on it.
    pub event_id: ID,
    pub event: String,
    pub payload: async_graphql::Json<serde_json::Value>,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_status_code: Option<i32>,
    /// The last attempt's failure class (see `WebhookAttempt.error`).
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
    #[graphql(skip)]
    delivery_id: Uuid,
}

#[ComplexObject]
impl WebhookDelivery {
    /// Every attempt, oldest first.
    async fn attempt_log(&self, ctx: &Context<'_>) -> Result<Vec<WebhookAttempt>> {
        // Through a loader: one query for the attempts of the whole page of deliveries.
        let loaders = ctx.data_unchecked::<Loaders>();
        let rows = load_one(loaders.attempts_by_delivery(), self.delivery_id).await?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .map(|a| WebhookAttempt {
                attempted_at: a.attempted_at,
                status_code: a.status_code,
                latency_ms: a.latency_ms,
                error: a.error,
            })
            .collect())
    }
}

impl From<webhook_delivery::Model> for WebhookDelivery {
    fn from(d: webhook_delivery::Model) -> Self {
        Self {
            id: d.id.into(),
            event_id: d.event_id.into(),
            event: d.event,
            payload: async_graphql::Json(d.payload),
            status: d.status,
            attempts: d.attempts,
            next_attempt_at: d.next_attempt_at,
            last_status_code: d.last_status_code,
            last_error: d.last_error,
            created_at: d.created_at,
            delivered_at: d.delivered_at,
            delivery_id: d.id,
        }
    }
}

#[derive(InputObject)]
pub struct WebhookInput {
    /// http or https, to a public host: `localhost` and loopback, private, link-local,
    /// unique-local, multicast, unspecified, broadcast and carrier-grade NAT addresses are
    /// refused. Kept in normal form.
    pub url: String,
    /// `lead.mql`, `lead.assigned`, `lead.accepted`, `lead.rejected`, `lead.recycled`,
    /// `lead.converted`, `opportunity.won`, `opportunity.lost`, `source.paused`, or `*`.
    pub events: Vec<String>,
    /// 16 to 128 characters; generated when absent.
    pub secret: Option<String>,
}

#[derive(InputObject)]
pub struct WebhookPatchInput {
    /// The same rules as `WebhookInput.url`.
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    /// false disables it (pending deliveries are cancelled); true re-enables it.
    pub active: Option<bool>,
}

fn manager(actor: &Actor) -> Result<Uuid, AppError> {
    actor.require(Permission::ManageWebhooks)
}

named_order!(WebhookOrder, WebhookOrderField, Url);

#[derive(InputObject, Default)]
pub struct WebhookFilter {
    /// Case-insensitive text in the URL.
    pub url_contains: Option<String>,
    pub status: Option<Vec<WebhookStatus>>,
}

list_order!(WebhookDeliveryOrder, WebhookDeliveryOrderField => store::sorts::DeliverySort, desc, {
    CreatedAt,
    NextAttemptAt,
});

#[derive(InputObject, Default)]
pub struct WebhookDeliveryFilter {
    pub status: Option<Vec<DeliveryStatus>>,
    /// Event types, e.g. `lead.mql`.
    pub event: Option<Vec<String>>,
}

#[derive(Default)]
pub struct WebhookQuery;

#[Object]
impl WebhookQuery {
    /// The workspace's webhooks, filtered and ordered (oldest first by default); ties break on
    /// the id.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "first.or(last).unwrap_or(20).max(0) as usize * child_complexity")]
    async fn webhooks(
        &self,
        ctx: &Context<'_>,
        filter: Option<WebhookFilter>,
        order_by: Option<WebhookOrder>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Page<Webhook>> {
        let workspace_id = manager(ctx.actor()?)?;
        let state = ctx.state();
        let filter = filter.unwrap_or_default();
        let spec = store::filters::WebhookFilter {
            url_contains: filter.url_contains,
            status: filter.status,
        };
        let (sort, descending) = WebhookOrder::sort(order_by);
        let page = store::lists::filtered::<webhook::Entity, _>(
            &state.store.tenant(workspace_id),
            &spec,
            sort,
            descending,
            PageArgs::new(ctx, first, after, last, before),
            state.config.max_page_size,
        )
        .await?;
        Ok(connection(page, Webhook::from))
    }

    /// A webhook's deliveries, filtered and ordered (newest first by default); ties break on
    /// the id. `status` still works next to `filter.status`; both apply.
    #[graphql(complexity = "first.or(last).unwrap_or(20).max(0) as usize * child_complexity")]
    #[allow(clippy::too_many_arguments)]
    async fn webhook_deliveries(
        &self,
        ctx: &Context<'_>,
        webhook_id: ID,
        status: Option<DeliveryStatus>,
        filter: Option<WebhookDeliveryFilter>,
        order_by: Option<WebhookDeliveryOrder>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Page<WebhookDelivery>> {
        let workspace_id = manager(ctx.actor()?)?;
        let state = ctx.state();
        let filter = filter.unwrap_or_default();
        let spec = store::filters::DeliveryFilter {
            webhook_id: parse_id(&webhook_id, "webhook")?,
            status: narrowed(filter.status, status),
            event: filter.event,
        };
        let page = webhooks::delivery_page(
            &state.store.tenant(workspace_id),
            &spec,
            WebhookDeliveryOrder::sort(order_by),
            PageArgs::new(ctx, first, after, last, before),
            state.config.max_page_size,
        )
        .await?;
        Ok(connection(page, WebhookDelivery::from))
    }
}

#[derive(Default)]
pub struct WebhookMutation;

#[Object]
impl WebhookMutation {
    /// Registers a webhook; the answer holds its signing secret, shown once.
    async fn create_webhook(
        &self,
        ctx: &Context<'_>,
        input: WebhookInput,
    ) -> Result<CreatedWebhook> {
        let actor = ctx.actor()?;
        let workspace_id = manager(actor)?;
        let state = ctx.state();
        let owner = webhooks::owner_of(&state.store.tenant(workspace_id), actor).await?;
        let new = NewWebhook {
            url: input.url,
            events: input.events,
            secret: input.secret,
        };
        let row = webhooks::create(state, workspace_id, new, owner)
            .await
            .map_err(|err| err.inside("input"))?;
        let secret = row.secret.clone();
        Ok(CreatedWebhook {
            webhook: row.into(),
            secret,
        })
    }

    /// Changes a webhook's URL or events, or turns it off and on.
    async fn update_webhook(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: WebhookPatchInput,
    ) -> Result<Webhook> {
        let workspace_id = manager(ctx.actor()?)?;
        let id = parse_id(&id, "webhook")?;
        let state = ctx.state();
        let patch = WebhookPatch {
            url: input.url,
            events: input.events,
            active: input.active,
        };
        let row = webhooks::update(state, workspace_id, id, patch)
            .await
            .map_err(|err| err.inside("input"))?;
        Ok(row.into())
    }

    /// Deletes a webhook and its delivery log.
    async fn delete_webhook(&self, ctx: &Context<'_>, id: ID) -> Result<ID> {
        let workspace_id = manager(ctx.actor()?)?;
        let raw = id.clone();
        let id = parse_id(&id, "webhook")?;
        webhooks::delete(ctx.state(), workspace_id, id).await?;
        Ok(raw)
    }
}
