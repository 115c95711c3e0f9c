//! Traces other tools read: with `OTEL_EXPORTER_OTLP_ENDPOINT` set, the real binary exports a
//! span per request and per resolver over OTLP/HTTP to a collector (a stub here), and the trace
//! id it exports is the one in the error's `extensions.traceId` and in the JSON log line; a
//! caller's W3C `traceparent` is continued.

use std::{
    io::{BufRead, BufReader},
    time::Duration,
};

use actix_web::{web, App, HttpResponse, HttpServer};
use opentelemetry_proto::tonic::{
    collector::trace::v1::ExportTraceServiceRequest,
    common::v1::{any_value, KeyValue},
    trace::v1::Span,
};
use prost::Message;
use serde_json::{json, Value};
use tokio::sync::mpsc;

use crate::support::{
    process::{Launch, ServerProcess},
    Backend, Reply,
};

/// Everything a test waits for arrives well within this.
const PATIENCE: Duration = Duration::from_secs(30);

/// A collector that accepts `POST /v1/traces` and hands each decoded export to the test.
struct StubCollector {
    endpoint: String,
    exports: mpsc::UnboundedReceiver<ExportTraceServiceRequest>,
    spans: Vec<Span>,
    service_names: Vec<String>,
}

impl StubCollector {
    fn start() -> Self {
        let (sender, exports) = mpsc::unbounded_channel();
        let server = HttpServer::new(move || {
            let sender = sender.clone();
            App::new().route(
                "/v1/traces",
                web::post().to(move |body: web::Bytes| {
                    let sender = sender.clone();
                    async move {
                        let export = ExportTraceServiceRequest::decode(body)
                            .expect("the body is an OTLP protobuf export");
                        let _ = sender.send(export);
                        HttpResponse::Ok()
                            .content_type("application/x-protobuf")
                            .finish()
                    }
                }),
            )
        })
        .workers(1)
        .disable_signals()
        .bind("127.0.0.1:0")
        .expect("the stub collector binds");
        let endpoint = format!("http://{}", server.addrs()[0]);
        actix_web::rt::spawn(server.run());
        StubCollector {
            endpoint,
            exports,
            spans: Vec::new(),
            service_names: Vec::new(),
        }
    }

    /// Waits for exports until a span satisfies `wanted`; returns it.
    async fn span(&mut self, what: &str, wanted: impl Fn(&Span) -> bool) -> Span {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            if let Some(span) = self.spans.iter().find(|span| wanted(span)) {
                return span.clone();
            }
            let export = tokio::time::timeout_at(deadline, self.exports.recv())
                .await
                .unwrap_or_else(|_| panic!("no exported {what}; got {:#?}", self.names()))
                .expect("the collector runs");
            for resource_spans in export.resource_spans {
                if let Some(resource) = &resource_spans.resource {
                    self.service_names
                        .extend(attribute(&resource.attributes, "service.name"));
                }
                for scope_spans in resource_spans.scope_spans {
                    self.spans.extend(scope_spans.spans);
                }
            }
        }
    }

    fn names(&self) -> Vec<&str> {
        self.spans.iter().map(|span| span.name.as_str()).collect()
    }
}

fn attribute(attributes: &[KeyValue], key: &str) -> Option<String> {
    let value = attributes.iter().find(|kv| kv.key == key)?.value.as_ref()?;
    match value.value.as_ref()? {
        any_value::Value::StringValue(text) => Some(text.clone()),
        any_value::Value::IntValue(number) => Some(number.to_string()),
        other => Some(format!("{other:?}")),
    }
}

fn span_attribute(span: &Span, key: &str) -> Option<String> {
    attribute(&span.attributes, key)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Reads the server's JSON log lines on a thread of their own (so the pipe never fills).
fn log_lines(server: &mut ServerProcess) -> mpsc::UnboundedReceiver<Value> {
    let stdout = server.stdout.take().expect("stdout is captured");
    let (sender, lines) = mpsc::unbounded_channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Ok(value) = serde_json::from_str::<Value>(&line) {
                if sender.send(value).is_err() {
                    return;
                }
            }
        }
    });
    lines
}

async fn log_line(lines: &mut mpsc::UnboundedReceiver<Value>, wanted: impl Fn(&Value) -> bool) {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let line = tokio::time::timeout_at(deadline, lines.recv())
            .await
            .expect("the log line comes")
            .expect("the server logs");
        if wanted(&line) {
            return;
        }
    }
}

async fn owner_in_workspace(server: &ServerProcess) -> (String, String) {
    let signed_up = server
        .gql(
            None,
            "mutation { signUp(input: {email: \"trace@example.com\", password: \"correct horse battery\", name: \"Tracy\"}) { accessToken } }",
            json!({}),
        )
        .await;
    let token = signed_up.data("signUp")["accessToken"].as_str().unwrap();
    let created = server
        .gql(
            Some(token),
            "mutation { createWorkspace(input: {name: \"Traced\"}) { accessToken workspace { id } } }",
            json!({}),
        )
        .await;
    let created = created.data("createWorkspace");
    (
        created["accessToken"].as_str().unwrap().to_owned(),
        created["workspace"]["id"].as_str().unwrap().to_owned(),
    )
}

#[actix_web::test]
async fn requests_and_resolvers_are_exported_with_the_trace_id_of_errors_and_logs() {
    let mut collector = StubCollector::start();
    let backend = Backend::fresh();
    let mut server = ServerProcess::launch(
        &backend,
        Launch {
            env: &[
                ("OTEL_EXPORTER_OTLP_ENDPOINT", &collector.endpoint),
                ("OTEL_SERVICE_NAME", "accord-traced"),
                // Batches leave every 50 ms instead of every 5 s.
                ("OTEL_BSP_SCHEDULE_DELAY", "50"),
                ("ACCORD_LOG_FORMAT", "json"),
                ("RUST_LOG", "warn,accord_api::http::request_id=debug"),
            ],
            capture_stdout: true,
            ..Launch::default()
        },
    )
    .await;
    let mut logs = log_lines(&mut server);
    let (token, workspace_id) = owner_in_workspace(&server).await;

    let dashboard = server
        .gql(
            Some(&token),
            "query Dashboard { workspace { id name } }",
            json!({}),
        )
        .await;
    assert_eq!(dashboard.data("workspace")["id"], workspace_id.as_str());
    let request = collector
        .span("request span of Dashboard", |span| {
            span.name == "POST /graphql"
                && span_attribute(span, "graphql.operation.name").as_deref() == Some("Dashboard")
        })
        .await;
    assert_eq!(
        span_attribute(&request, "workspace_id").as_deref(),
        Some(workspace_id.as_str())
    );
    assert_eq!(span_attribute(&request, "status").as_deref(), Some("200"));
    assert!(span_attribute(&request, "request_id").is_some());
    let resolver = collector
        .span("resolver span of Query.workspace", |span| {
            span.name == "Query.workspace" && span.parent_span_id == request.span_id
        })
        .await;
    assert_eq!(resolver.trace_id, request.trace_id);
    assert_eq!(
        span_attribute(&resolver, "workspace_id").as_deref(),
        Some(workspace_id.as_str())
    );
    assert_eq!(
        span_attribute(&resolver, "graphql.operation.name").as_deref(),
        Some("Dashboard")
    );
    assert_eq!(
        collector.service_names.first().map(String::as_str),
        Some("accord-traced")
    );

    let missing: Reply = server
        .gql(
            Some(&token),
            "query Missing($id: ID!) { account(id: $id) { name } }",
            json!({ "id": uuid::Uuid::now_v7().to_string() }),
        )
        .await;
    assert_eq!(missing.code(), "NOT_FOUND");
    let extensions = &missing.body["errors"][0]["extensions"];
    let request_id = extensions["requestId"]
        .as_str()
        .expect("requestId")
        .to_owned();
    let trace_id = extensions["traceId"].as_str().expect("traceId").to_owned();
    let failed = collector
        .span("request span of the failing request", |span| {
            span_attribute(span, "request_id").as_deref() == Some(request_id.as_str())
        })
        .await;
    assert_eq!(hex(&failed.trace_id), trace_id);
    // A caller that sends a W3C traceparent (a gateway, a traced client) gets one trace with us.
    let (caller_trace, caller_span) = ("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7");
    let continued = awc::Client::new()
        .post(format!("http://{}/graphql", server.addr))
        .insert_header(("content-type", "application/json"))
        .insert_header(("authorization", format!("Bearer {token}")))
        .insert_header(("traceparent", format!("00-{caller_trace}-{caller_span}-01")))
        .send_body(
            json!({"query": "query Continued { nothing: account(id: \"0\") { name } }"})
                .to_string(),
        )
        .await
        .expect("request sent");
    let continued = Reply::read(continued).await;
    assert_eq!(
        continued.body["errors"][0]["extensions"]["traceId"],
        caller_trace
    );
    let request_in_trace = collector
        .span("request span continuing the caller's trace", |span| {
            span.name == "POST /graphql"
                && span_attribute(span, "graphql.operation.name").as_deref() == Some("Continued")
        })
        .await;
    assert_eq!(hex(&request_in_trace.trace_id), caller_trace);
    assert_eq!(hex(&request_in_trace.parent_span_id), caller_span);

    log_line(&mut logs, |line| {
        line["span"]["request_id"] == request_id.as_str()
            && line["span"]["trace_id"] == trace_id.as_str()
    })
    .await;
}
