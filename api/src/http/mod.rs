//! actix-web routes: `/graphql`, `/graphql/ws`, `/graphiql` (and its assets), `/healthz`, `/readyz`, `/metrics`.

pub mod client_ip;
mod graphiql;
mod graphql;
mod health;
pub mod persisted;
mod request_id;
pub mod server;
pub mod socket_slots;
mod ws;

use actix_web::web;

use crate::{
    auth::{actor::Lookup, Actor},
    graphql::AccordSchema,
    state::AppState,
};

pub use request_id::RequestId;

/// Registers every route; shared by the server and the tests' `actix_web::test` service.
pub fn configure(state: AppState, schema: AccordSchema) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg: &mut web::ServiceConfig| {
        let max_body = state.config.max_body_bytes;
        let metrics_beside_api = state.config.metrics_bind.is_none();
        cfg.app_data(web::Data::new(state))
            .app_data(web::Data::new(schema))
            .app_data(web::PayloadConfig::new(max_body))
            .service(
                web::resource("/graphql")
                    .route(web::post().to(graphql::post))
                    .route(web::get().to(graphql::get)),
            )
            .service(web::resource("/graphql/ws").route(web::get().to(ws::handle)))
            .service(web::resource("/graphiql").route(web::get().to(graphiql::page)))
            .service(
                web::resource("/graphiql/assets/{name}")
                    .wrap(actix_web::middleware::Compress::default())
                    .route(web::get().to(graphiql::asset)),
            )
            .service(web::resource("/healthz").route(web::get().to(health::healthz)))
            .service(web::resource("/readyz").route(web::get().to(health::readyz)));
        if metrics_beside_api {
            configure_metrics(cfg);
        }
    }
}

/// `/metrics` alone: beside the API, or on its own listener when ACCORD_METRICS_BIND is set.
pub(crate) fn configure_metrics(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/metrics").route(web::get().to(health::metrics)));
}

/// The outcome of reading the `Authorization` header.
pub(crate) enum Caller {
    Anonymous,
    Known(Actor),
    /// A credential was sent but is not valid.
    Rejected,
    /// The credential could not be checked right now.
    Unavailable,
}

/// Reads `Authorization: Bearer …` (or the WebSocket's `connection_init` value) into a caller.
pub(crate) async fn resolve_caller(
    state: &AppState,
    header: Option<&str>,
    lookup: Lookup,
) -> Caller {
    let Some(header) = header.map(str::trim).filter(|h| !h.is_empty()) else {
        return Caller::Anonymous;
    };
    let Some(token) = header
        .strip_prefix("Bearer ")
        .or_else(|| header.strip_prefix("bearer "))
    else {
        return Caller::Rejected;
    };
    match crate::auth::actor::authenticate(state, token.trim(), lookup).await {
        Ok(actor) => Caller::Known(actor),
        Err(crate::auth::actor::AuthFailure::Invalid) => Caller::Rejected,
        Err(crate::auth::actor::AuthFailure::Unavailable(err)) => {
            tracing::error!(error = ?err, "credential check failed");
            Caller::Unavailable
        }
    }
}
