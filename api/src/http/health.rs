//! Liveness, readiness and metrics.

use actix_web::{web, HttpResponse};
use serde_json::json;

use crate::state::AppState;

/// The process is up.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// The database and the bus answer; 503 with the reason otherwise.
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let database = state.store.ping().await.map_err(|err| {
        tracing::warn!(error = ?err, "readiness: database unreachable");
        "unreachable"
    });
    let bus = state.bus.check().await.map_err(|err| {
        tracing::warn!(error = %err, "readiness: bus unreachable");
        "unreachable"
    });
    let body = json!({
        "status": if database.is_ok() && bus.is_ok() { "ready" } else { "unavailable" },
        "database": database.err().unwrap_or("ok"),
        "bus": bus.err().unwrap_or("ok"),
        "busKind": state.bus.name(),
    });
    if database.is_ok() && bus.is_ok() {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}

pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    match crate::jobs::queue_depths(&state).await {
        Ok(depths) => {
            for (queue, depth) in depths {
                state
                    .metrics
                    .job_queue_depth
                    .with_label_values(&[queue])
                    .set(depth as i64);
            }
        }
        Err(err) => tracing::warn!(error = ?err, "could not measure the job queues"),
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(state.metrics.render())
}
