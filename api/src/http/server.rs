//! Running the HTTP server: bind, serve, and drain on SIGTERM/SIGINT.

use std::{net::SocketAddr, time::Duration};

use actix_http::HttpService;
use actix_service::{map_config, IntoServiceFactory, ServiceFactoryExt};
use actix_web::{
    dev::{AppConfig, Server},
    middleware, App, HttpServer,
};

use super::ws::upgrade;
use crate::{graphql::build_schema, state::AppState};

/// Binds the configured address and builds the server (not yet running). Returns the addresses
/// actually bound, which matters when the port is 0.
///
/// The app is served through actix-http's `HttpService` directly, as actix-web's `HttpServer`
/// does, so that WebSocket upgrades can be taken off its HTTP/1 dispatcher ([`upgrade`]).
pub fn build(state: &AppState) -> std::io::Result<(Server, Vec<SocketAddr>)> {
    let schema = build_schema(state);
    let config = state.config.clone();
    let listener = std::net::TcpListener::bind(config.bind)?;
    let addr = listener.local_addr()?;
    let app_state = state.clone();
    let mut builder = actix_server::Server::build()
        .disable_signals()
        .shutdown_timeout(config.shutdown_timeout_secs);
    if let Some(workers) = config.workers {
        builder = builder.workers(workers);
    }
    let server = builder
        .listen("accord", listener, move || {
            let app = App::new()
                .wrap(middleware::from_fn(super::request_id::middleware))
                .configure(super::configure(app_state.clone(), schema.clone()))
                .into_factory()
                .map_err(|err: actix_web::Error| err.as_response_error().error_response());
            // Replies and socket pushes go out as soon as they are written, not after the
            // client's delayed ACK of the previous segment (Nagle's algorithm, ~40 ms).
            HttpService::build()
                .tcp_nodelay(true)
                .local_addr(addr)
                .upgrade(upgrade::factory(app_state.clone(), schema.clone()))
                .finish(map_config(app, |_| AppConfig::default()))
                .tcp()
        })?
        .run();
    let addrs = vec![addr];
    if let Some(metrics_bind) = config.metrics_bind {
        serve_metrics(state, metrics_bind)?;
    }
    crate::jobs::start(state);
    crate::services::webhooks::sender::start(state);
    Ok((server, addrs))
}

/// `/metrics` on its own address, so the scrape endpoint need not be public; it stops with the
/// API when shutdown begins.
fn serve_metrics(state: &AppState, bind: SocketAddr) -> std::io::Result<()> {
    let app_state = state.clone();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(actix_web::web::Data::new(app_state.clone()))
            .configure(super::configure_metrics)
    })
    .disable_signals()
    .workers(1)
    .bind(bind)?
    .run();
    let handle = server.handle();
    let mut shutdown = state.shutdown.clone();
    tokio::spawn(async move {
        let _ = shutdown.changed().await;
        handle.stop(true).await;
    });
    tokio::spawn(server);
    tracing::info!(bind = %bind, "metrics are served on their own address");
    Ok(())
}

/// Serves until SIGTERM or SIGINT, then closes sockets with 1001 and drains in-flight requests.
pub async fn serve(state: AppState) -> std::io::Result<()> {
    let (server, addrs) = build(&state)?;
    let config = state.config.clone();
    tracing::info!(
        bind = ?addrs,
        database = if config.is_sqlite() { "sqlite" } else { "postgres" },
        bus = state.bus.name(),
        "Accord is listening"
    );
    let handle = server.handle();
    let signals = tokio::spawn(async move {
        wait_for_signal().await;
        tracing::info!("shutting down: closing sockets and draining requests");
        state.begin_shutdown();
        // Give sockets a moment to send their close frames before connections are cut.
        tokio::time::sleep(Duration::from_millis(200)).await;
        handle.stop(true).await;
    });
    let result = server.await;
    signals.abort();
    result
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
        tokio::select! {
            _ = term.recv() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
