//! Logging and tracing: structured logs with tracing (JSON when asked) and, when an OTLP endpoint
//! is configured, our spans exported to a collector. Without an endpoint no exporter, thread or
//! layer exists.

mod otlp_client;
pub mod prometheus;

use std::sync::OnceLock;

use actix_web::http::header::HeaderMap;
use opentelemetry::{
    propagation::{Extractor, TextMapPropagator},
    trace::{TraceContextExt, TracerProvider as _},
};
use opentelemetry_otlp::{SpanExporter, WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::{propagation::TraceContextPropagator, trace::SdkTracerProvider, Resource};
use tracing::{Level, Metadata};
use tracing_opentelemetry::OpenTelemetrySpanExt;
use tracing_subscriber::{
    filter::filter_fn, fmt, layer::SubscriberExt, util::SubscriberInitExt, EnvFilter, Layer,
};

use crate::config::LogFormat;

/// Where spans go, when anywhere; by default nowhere.
#[derive(Default)]
pub struct Export<'a> {
    /// The collector's base URL (`OTEL_EXPORTER_OTLP_ENDPOINT`); spans go to `/v1/traces`.
    pub endpoint: Option<&'a str>,
    pub service_name: &'a str,
}

/// Keeps the exporter alive; [`Telemetry::shutdown`] sends the spans still buffered.
#[must_use]
pub struct Telemetry {
    provider: Option<SdkTracerProvider>,
}

impl Telemetry {
    pub fn shutdown(self) {
        if let Some(provider) = self.provider {
            if let Err(err) = provider.shutdown() {
                eprintln!("accord: the last spans were not exported: {err}");
            }
        }
    }
}

/// Set once the process exports spans, so the GraphQL layer only pays for resolver spans then.
static EXPORTING: OnceLock<()> = OnceLock::new();

pub fn is_exporting() -> bool {
    EXPORTING.get().is_some()
}

/// Installs the global subscriber; a second call (as in tests) is a no-op. An endpoint that
/// cannot be used is logged and tracing goes on without it.
pub fn init(format: LogFormat, filter: &str, export: Export<'_>) -> Telemetry {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let logs = match format {
        LogFormat::Json => fmt::layer()
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_target(false)
            .with_filter(filter)
            .boxed(),
        LogFormat::Text => fmt::layer().with_target(false).with_filter(filter).boxed(),
    };
    let endpoint = export.endpoint.filter(|e| !e.trim().is_empty());
    let exporter = endpoint.map(|endpoint| tracer_provider(endpoint, export.service_name));
    let (provider, build_error) = match exporter {
        Some(Ok(provider)) => (Some(provider), None),
        Some(Err(err)) => (None, Some(err)),
        None => (None, None),
    };
    // The log filter (RUST_LOG) does not decide what is exported: our spans always are, and
    // warnings and errors inside them become span events.
    let spans = provider.as_ref().map(|provider| {
        tracing_opentelemetry::layer()
            .with_tracer(provider.tracer("accord"))
            .with_location(false)
            .with_threads(false)
            .with_target(false)
            .with_tracked_inactivity(false)
            .with_filter(filter_fn(exported))
    });
    let installed = tracing_subscriber::registry()
        .with(logs)
        .with(spans)
        .try_init()
        .is_ok();
    if let Some(err) = build_error {
        tracing::error!(error = %err, "spans will not be exported: the OTLP exporter failed to start");
    }
    if installed && provider.is_some() {
        let _ = EXPORTING.set(());
        tracing::info!(
            endpoint = endpoint.unwrap_or_default(),
            "exporting spans over OTLP/HTTP"
        );
    }
    Telemetry { provider }
}

fn exported(meta: &Metadata<'_>) -> bool {
    meta.target().starts_with("accord_api") && (meta.is_span() || *meta.level() <= Level::WARN)
}

fn tracer_provider(
    endpoint: &str,
    service_name: &str,
) -> Result<SdkTracerProvider, Box<dyn std::error::Error>> {
    let exporter = SpanExporter::builder()
        .with_http()
        .with_protocol(opentelemetry_otlp::Protocol::HttpBinary)
        .with_endpoint(format!("{}/v1/traces", endpoint.trim_end_matches('/')))
        .with_http_client(otlp_client::AwcRelay::start()?)
        .build()?;
    let resource = Resource::builder()
        .with_service_name(service_name.to_owned())
        .build();
    // The batch processor runs on a thread of its own: spans are queued, never sent inline.
    Ok(SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(resource)
        .build())
}

/// The trace id of the current span (32 hex digits) while spans are exported.
pub fn current_trace_id() -> Option<String> {
    if !is_exporting() {
        return None;
    }
    let context = tracing::Span::current().context();
    let span = context.span();
    let span_context = span.span_context();
    span_context
        .is_valid()
        .then(|| span_context.trace_id().to_string())
}

/// Makes `span` continue the caller's trace when the request carries a W3C `traceparent` (a
/// gateway or a traced client), so its spans and ours form one trace.
pub fn continue_trace(span: &tracing::Span, headers: &HeaderMap) {
    if !is_exporting() || !headers.contains_key("traceparent") {
        return;
    }
    let parent = TraceContextPropagator::new().extract(&Headers(headers));
    let _ = span.set_parent(parent);
}

struct Headers<'a>(&'a HeaderMap);

impl Extractor for Headers<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key)?.to_str().ok()
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(|name| name.as_str()).collect()
    }
}
