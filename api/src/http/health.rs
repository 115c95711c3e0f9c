//! Liveness, readiness and metrics.

use std::time::Duration;

use actix_web::{web, HttpResponse};
use serde_json::json;

use crate::state::AppState;

/// The process is up.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// How long readiness waits for each part: a load balancer asking must get an answer at once.
const READINESS_TIMEOUT: Duration = Duration::from_millis(800);

/// One part's answer within [`READINESS_TIMEOUT`]: `Err("unreachable")` when it fails or is late.
async fn probe<E: std::fmt::Debug>(
    part: &str,
    check: impl std::future::Future<Output = Result<(), E>>,
) -> Result<(), &'static str> {
    match tokio::time::timeout(READINESS_TIMEOUT, check).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(err)) => {
            tracing::warn!(part, error = ?err, "readiness: unreachable");
            Err("unreachable")
        }
        Err(_) => {
            tracing::warn!(part, "readiness: no answer in time");
            Err("unreachable")
        }
    }
}

/// The database and the bus answer; 503 with the reason otherwise, within a second either way.
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let (database, bus) = tokio::join!(
        probe("database", state.store.ping()),
        probe("bus", state.bus.check()),
    );
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
                    .prometheus
                    .job_queue_depth
                    .with_label_values(&[queue])
                    .set(depth as i64);
            }
        }
        Err(err) => tracing::warn!(error = ?err, "could not measure the job queues"),
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(state.prometheus.render())
}
