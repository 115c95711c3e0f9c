//! Webhooks, their outbox of deliveries and the attempt log.

use chrono::{DateTime, Utc};
use entity::{
    webhook, webhook_attempt, webhook_delivery, workspace, DeliveryStatus, WebhookStatus,
};
use sea_orm::{
    sea_query::{Expr, LockBehavior, LockType},
    ActiveEnum, ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, IntoActiveModel, Iterable,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::{json, Value};
use uuid::Uuid;

use super::{sql, Global, Tenant};
use crate::error::AppResult;

/// How many webhooks the workspace holds. On Postgres two registrations at once take turns on
/// the workspace's row (a lock that leaves inserts referencing it free); SQLite's write
/// transaction already serializes them.
pub async fn count_for_registration<C: ConnectionTrait>(tenant: &Tenant<'_, C>) -> AppResult<u64> {
    if tenant.conn().get_database_backend() == DbBackend::Postgres {
        workspace::Entity::find_by_id(tenant.workspace_id())
            .lock(LockType::NoKeyUpdate)
            .one(tenant.conn())
            .await?;
    }
    Ok(tenant
        .select::<webhook::Entity>()
        .count(tenant.conn())
        .await?)
}

/// A webhook to register, its URL and events already checked.
pub struct NewWebhookRow {
    pub url: String,
    pub events: Vec<String>,
    pub secret: String,
    pub created_by: Uuid,
}

pub async fn insert<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    new: NewWebhookRow,
    now: DateTime<Utc>,
) -> AppResult<webhook::Model> {
    Ok(webhook::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(tenant.workspace_id()),
        url: Set(new.url),
        events: Set(json!(new.events)),
        secret: Set(new.secret),
        status: Set(WebhookStatus::Active),
        disabled_reason: Set(None),
        disabled_at: Set(None),
        created_by: Set(new.created_by),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(tenant.conn())
    .await?)
}

/// What changes on a webhook: each `Some` is written, with `updated_at`.
#[derive(Default)]
pub struct WebhookChange {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    pub status: Option<WebhookStatus>,
    /// Why and when it was disabled; `Some(None)` clears both.
    pub disabled: Option<Option<(String, DateTime<Utc>)>>,
}

/// Writes `change` to `row` (a webhook of this workspace read through `tenant`).
pub async fn change<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    row: webhook::Model,
    change: WebhookChange,
    now: DateTime<Utc>,
) -> AppResult<webhook::Model> {
    let mut active = row.into_active_model();
    if let Some(url) = change.url {
        active.url = Set(url);
    }
    if let Some(events) = change.events {
        active.events = Set(json!(events));
    }
    if let Some(status) = change.status {
        active.status = Set(status);
    }
    if let Some(disabled) = change.disabled {
        let (reason, at) = disabled.unzip();
        active.disabled_reason = Set(reason);
        active.disabled_at = Set(at);
    }
    active.updated_at = Set(now);
    Ok(active.update(tenant.conn()).await?)
}

/// Deletes a webhook with its deliveries and their attempts.
pub async fn delete<C: ConnectionTrait>(tenant: &Tenant<'_, C>, id: Uuid) -> AppResult<()> {
    webhook::Entity::delete_many()
        .filter(webhook::Column::WorkspaceId.eq(tenant.workspace_id()))
        .filter(webhook::Column::Id.eq(id))
        .exec(tenant.conn())
        .await?;
    Ok(())
}

/// Deliveries of a webhook that has been turned off will not go out.
pub async fn cancel_pending<C: ConnectionTrait>(
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

/// The workspace's webhooks, oldest first.
pub async fn list<C: ConnectionTrait>(tenant: &Tenant<'_, C>) -> AppResult<Vec<webhook::Model>> {
    Ok(tenant
        .select::<webhook::Entity>()
        .order_by_asc(webhook::Column::CreatedAt)
        .all(tenant.conn())
        .await?)
}

/// The webhooks that receive events now.
pub async fn active<C: ConnectionTrait>(tenant: &Tenant<'_, C>) -> AppResult<Vec<webhook::Model>> {
    Ok(tenant
        .select::<webhook::Entity>()
        .filter(webhook::Column::Status.eq(WebhookStatus::Active))
        .all(tenant.conn())
        .await?)
}

/// Puts one delivery of `event` (id `event_id`, body `payload`) for each of `hooks` in the
/// outbox, due now, in one statement.
pub async fn queue<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    hooks: &[Uuid],
    event_id: Uuid,
    event: &str,
    payload: &Value,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if hooks.is_empty() {
        return Ok(());
    }
    let rows = hooks.iter().map(|&hook| webhook_delivery::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(tenant.workspace_id()),
        webhook_id: Set(hook),
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
    });
    webhook_delivery::Entity::insert_many(rows)
        .exec(tenant.conn())
        .await?;
    Ok(())
}

/// Queues a batch's deliveries, as many to a statement as the bound values allow.
pub async fn queue_many<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    rows: Vec<webhook_delivery::ActiveModel>,
) -> AppResult<()> {
    super::sql::insert_all::<webhook_delivery::Entity, _>(tenant, &rows).await
}

/// A webhook's deliveries, newest first, at most `first` (capped at 500), of one status when
/// asked.
pub async fn deliveries<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    webhook_id: Uuid,
    first: u64,
    status: Option<DeliveryStatus>,
) -> AppResult<Vec<webhook_delivery::Model>> {
    let mut query = tenant
        .select::<webhook_delivery::Entity>()
        .filter(webhook_delivery::Column::WebhookId.eq(webhook_id))
        .order_by_desc(webhook_delivery::Column::CreatedAt)
        .limit(first.min(500));
    if let Some(status) = status {
        query = query.filter(webhook_delivery::Column::Status.eq(status));
    }
    Ok(query.all(tenant.conn()).await?)
}

/// Up to `limit` due deliveries of any workspace but the `full` ones, oldest due first. On
/// Postgres the rows are locked and rows another sender holds are skipped.
pub async fn due<C: ConnectionTrait>(
    global: &Global<'_, C>,
    now: DateTime<Utc>,
    limit: usize,
    full: &[Uuid],
) -> AppResult<Vec<webhook_delivery::Model>> {
    let mut due = webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::Status.eq(DeliveryStatus::Pending))
        .filter(webhook_delivery::Column::NextAttemptAt.lte(now))
        .order_by_asc(webhook_delivery::Column::NextAttemptAt)
        .limit(limit as u64);
    if !full.is_empty() {
        due = due.filter(webhook_delivery::Column::WorkspaceId.is_not_in(full.iter().copied()));
    }
    if global.conn().get_database_backend() == DbBackend::Postgres {
        due = due.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    Ok(due.all(global.conn()).await?)
}

/// Hides the deliveries from other senders until `until` (the lease), and returns the webhooks
/// they go to.
pub async fn lease<C: ConnectionTrait>(
    global: &Global<'_, C>,
    deliveries: &[webhook_delivery::Model],
    until: DateTime<Utc>,
) -> AppResult<Vec<webhook::Model>> {
    let ids: Vec<Uuid> = deliveries.iter().map(|d| d.id).collect();
    webhook_delivery::Entity::update_many()
        .col_expr(webhook_delivery::Column::NextAttemptAt, Expr::value(until))
        .filter(webhook_delivery::Column::Id.is_in(ids))
        .exec(global.conn())
        .await?;
    let hook_ids: Vec<Uuid> = deliveries.iter().map(|d| d.webhook_id).collect();
    Ok(webhook::Entity::find()
        .filter(webhook::Column::Id.is_in(hook_ids))
        .all(global.conn())
        .await?)
}

/// One try at a delivery, as the attempt log keeps it.
pub struct Attempt {
    pub at: DateTime<Utc>,
    pub status_code: Option<i32>,
    pub latency_ms: i32,
    pub error: Option<String>,
}

/// What became of a delivery after an attempt.
pub enum DeliveryState {
    Delivered,
    RetryAt(DateTime<Utc>),
    Failed,
}

/// An attempt to record: the delivery as it was claimed, the attempt, and where it leaves the
/// delivery.
pub struct Recorded<'a> {
    pub delivery: &'a webhook_delivery::Model,
    pub attempt: Attempt,
    pub state: DeliveryState,
}

/// Logs the attempts and moves their deliveries on, for deliveries of any workspace (the
/// sender's, like [`due`] and [`lease`]): one multi-row INSERT of the attempts, each carrying
/// its delivery's workspace, and one `UPDATE ... FROM (VALUES ...)` of the deliveries matched on
/// workspace and id together, per chunk of bound values. A retried delivery keeps its status
/// (one cancelled meanwhile stays cancelled); a delivered or failed one takes its new status.
pub async fn record_attempts<C: ConnectionTrait>(
    global: &Global<'_, C>,
    recorded: &[Recorded<'_>],
) -> AppResult<()> {
    if recorded.is_empty() {
        return Ok(());
    }
    let attempts: Vec<webhook_attempt::ActiveModel> = recorded
        .iter()
        .map(|r| webhook_attempt::ActiveModel {
            id: Set(Uuid::now_v7()),
            workspace_id: Set(r.delivery.workspace_id),
            delivery_id: Set(r.delivery.id),
            attempted_at: Set(r.attempt.at),
            status_code: Set(r.attempt.status_code),
            latency_ms: Set(r.attempt.latency_ms),
            error: Set(r.attempt.error.clone()),
        })
        .collect();
    let columns = <webhook_attempt::Column as Iterable>::iter().count();
    for chunk in attempts.chunks(sql::rows_per_statement(columns)) {
        webhook_attempt::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(global.conn())
            .await?;
    }
    for chunk in recorded.chunks(sql::rows_per_statement(DELIVERY_CHANGE.len())) {
        let (sql, values) = deliveries_moved_on(chunk);
        let statement = sql::statement_for(global.conn().get_database_backend(), &sql, values);
        global.conn().execute_raw(statement).await?;
    }
    Ok(())
}

/// The columns of [`deliveries_moved_on`]'s `VALUES`, in order.
const DELIVERY_CHANGE: [&str; 8] = [
    "workspace_id",
    "id",
    "attempts",
    "last_status_code",
    "last_error",
    "status",
    "delivered_at",
    "next_attempt_at",
];

/// The UPDATE that moves `recorded`'s deliveries on, with its values. A NULL status, delivery
/// time or next attempt in `VALUES` leaves the delivery's own; a delivery no longer pending (one
/// cancelled while its attempt was out) is not rescheduled, so it keeps its place in lists ordered
/// by the next attempt.
fn deliveries_moved_on(recorded: &[Recorded<'_>]) -> (String, Vec<sea_orm::Value>) {
    let width = DELIVERY_CHANGE.len();
    let mut values: Vec<sea_orm::Value> = Vec::with_capacity(recorded.len() * width);
    for r in recorded {
        let (status, delivered_at, next_attempt_at) = match r.state {
            DeliveryState::Delivered => (Some(DeliveryStatus::Delivered), Some(r.attempt.at), None),
            DeliveryState::RetryAt(at) => (None, None, Some(at)),
            DeliveryState::Failed => (Some(DeliveryStatus::Failed), None, None),
        };
        let row: [sea_orm::Value; DELIVERY_CHANGE.len()] = [
            r.delivery.workspace_id.into(),
            r.delivery.id.into(),
            (r.delivery.attempts + 1).into(),
            r.attempt.status_code.into(),
            r.attempt.error.clone().into(),
            status.map(|s| s.to_value()).into(),
            delivered_at.into(),
            next_attempt_at.into(),
        ];
        values.extend(row);
    }
    let tuples = sql::values_tuples(1, recorded.len(), width);
    let t = "webhook_deliveries";
    let sql = format!(
        "WITH v(\"{names}\") AS (VALUES {tuples}) UPDATE \"{t}\" SET \
         \"attempts\" = v.\"attempts\", \"last_status_code\" = v.\"last_status_code\", \
         \"last_error\" = v.\"last_error\", \
         \"status\" = COALESCE(v.\"status\", \"{t}\".\"status\"), \
         \"delivered_at\" = COALESCE(v.\"delivered_at\", \"{t}\".\"delivered_at\"), \
         \"next_attempt_at\" = CASE WHEN \"{t}\".\"status\" = 'PENDING' \
           THEN COALESCE(v.\"next_attempt_at\", \"{t}\".\"next_attempt_at\") \
           ELSE \"{t}\".\"next_attempt_at\" END \
         FROM v WHERE \"{t}\".\"workspace_id\" = v.\"workspace_id\" AND \"{t}\".\"id\" = v.\"id\"",
        names = DELIVERY_CHANGE.join("\", \""),
    );
    (sql, values)
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use entity::{webhook_delivery, DeliveryStatus};
    use sea_orm::Value;
    use serde_json::json;
    use uuid::Uuid;

    use super::{deliveries_moved_on, Attempt, DeliveryState, Recorded, DELIVERY_CHANGE};

    fn delivery(workspace_id: Uuid, attempts: i32) -> webhook_delivery::Model {
        let now = Utc::now();
        webhook_delivery::Model {
            id: Uuid::now_v7(),
            workspace_id,
            webhook_id: Uuid::now_v7(),
            event_id: Uuid::now_v7(),
            event: "lead.mql".into(),
            payload: json!({}),
            status: DeliveryStatus::Pending,
            attempts,
            next_attempt_at: now,
            last_status_code: None,
            last_error: None,
            created_at: now,
            delivered_at: None,
        }
    }

    #[test]
    fn each_row_is_matched_in_its_own_workspace_and_a_retry_keeps_its_status() {
        let (one, two) = (delivery(Uuid::now_v7(), 0), delivery(Uuid::now_v7(), 2));
        let at = Utc::now();
        let attempt = |code: i32, error: Option<&str>| Attempt {
            at,
            status_code: Some(code),
            latency_ms: 5,
            error: error.map(str::to_owned),
        };
        let recorded = [
            Recorded {
                delivery: &one,
                attempt: attempt(200, None),
                state: DeliveryState::Delivered,
            },
            Recorded {
                delivery: &two,
                attempt: attempt(500, Some("http 500")),
                state: DeliveryState::RetryAt(at),
            },
        ];
        let (sql, values) = deliveries_moved_on(&recorded);
        assert!(sql.contains(
            "WHERE \"webhook_deliveries\".\"workspace_id\" = v.\"workspace_id\" AND \"webhook_deliveries\".\"id\" = v.\"id\""
        ));
        assert!(
            sql.contains("($9, $10, $11, $12, $13, $14, $15, $16)"),
            "{sql}"
        );
        let width = DELIVERY_CHANGE.len();
        assert_eq!(values.len(), 2 * width);
        let (first, second) = values.split_at(width);
        assert_eq!(first[0], Value::from(one.workspace_id));
        assert_eq!(first[2], Value::from(1));
        assert_eq!(first[5], Value::from(Some("DELIVERED".to_owned())));
        assert_eq!(first[6], Value::from(Some(at)));
        assert_eq!(first[7], Value::from(None::<chrono::DateTime<Utc>>));
        assert_eq!(second[0], Value::from(two.workspace_id));
        assert_eq!(second[2], Value::from(3));
        // A retried delivery keeps the status it has (a cancelled one stays cancelled).
        assert_eq!(second[5], Value::from(None::<String>));
        assert_eq!(second[7], Value::from(Some(at)));
    }
}
