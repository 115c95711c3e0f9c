//! Running the HTTP server: bind, serve, and drain on SIGTERM/SIGINT.

use std::time::Duration;

use actix_web::{middleware, App, HttpServer};

use crate::{graphql::build_schema, state::AppState};

/// Serves until SIGTERM or SIGINT, then closes sockets with 1001 and drains in-flight requests.
pub async fn serve(state: AppState) -> std::io::Result<()> {
    let schema = build_schema(&state);
    let config = state.config.clone();
    let app_state = state.clone();
    let mut server = HttpServer::new(move || {
        App::new()
            .wrap(middleware::from_fn(super::request_id::middleware))
            .configure(super::configure(app_state.clone(), schema.clone()))
    })
    .disable_signals()
    .shutdown_timeout(config.shutdown_timeout_secs)
    .bind(config.bind)?;
    if let Some(workers) = config.workers {
        server = server.workers(workers);
    }
    tracing::info!(
        bind = %config.bind,
        database = if config.is_sqlite() { "sqlite" } else { "postgres" },
        bus = state.bus.name(),
        "Accord is listening"
    );
    let server = server.run();
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
