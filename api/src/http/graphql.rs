//! GraphQL over HTTP, per the graphql-http specification: POST JSON and GET queries, media type
//! negotiated from `Accept` (none, or `*/*`, means `application/json`), 4xx and no `data` entry
//! for documents that do not parse or validate (under `application/graphql-response+json`), 405
//! for a mutation over GET, no JSON array batches.

use std::sync::Arc;

use actix_web::{
    http::{header, StatusCode},
    web, HttpMessage, HttpRequest, HttpResponse,
};
use async_graphql::{
    parser::{parse_query, types::OperationType},
    Response, ServerError,
};
use serde::Deserialize;

use super::{client_ip::client_ip, persisted, resolve_caller, Caller, RequestId};
use crate::{
    auth::actor::Lookup,
    error::{AppError, UNAVAILABLE_RETRY_AFTER_SECS},
    graphql::{
        context::{RequestActor, RequestMeta},
        extension::{error_code, finish_response},
        loaders::Loaders,
        AccordSchema,
    },
    state::AppState,
};

const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";
const APPLICATION_JSON: &str = "application/json";

#[derive(Clone, Copy, PartialEq, Eq)]
enum MediaType {
    GraphqlResponseJson,
    Json,
}

impl MediaType {
    /// The media type the client prefers among the two we speak. No `Accept` header, `*/*`
    /// and `application/*` mean `application/json` (what clients written before
    /// `application/graphql-response+json` expect); between two listed types the higher `q`
    /// wins, and on a tie the newer type. A header naming neither (`text/html`) still gets the
    /// newer type: it carries the more useful status codes.
    fn from_accept(req: &HttpRequest) -> Self {
        let Some(accept) = req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.trim().is_empty())
        else {
            return MediaType::Json;
        };
        let (mut graphql_response, mut json) = (None::<f32>, None::<f32>);
        for range in accept.split(',') {
            let mut parts = range.split(';');
            let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let quality = parts
                .filter_map(|param| param.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let slot = match media.as_str() {
                GRAPHQL_RESPONSE_JSON => &mut graphql_response,
                APPLICATION_JSON | "application/*" | "*/*" => &mut json,
                _ => continue,
            };
            *slot = Some(slot.map_or(quality, |seen: f32| seen.max(quality)));
        }
        match (
            graphql_response.filter(|q| *q > 0.0),
            json.filter(|q| *q > 0.0),
        ) {
            (Some(newer), Some(older)) if older > newer => MediaType::Json,
            (None, Some(_)) => MediaType::Json,
            _ => MediaType::GraphqlResponseJson,
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            MediaType::GraphqlResponseJson => "application/graphql-response+json; charset=utf-8",
            MediaType::Json => "application/json; charset=utf-8",
        }
    }
}

/// Query-string parameters of a GET request.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetParams {
    query: Option<String>,
    operation_name: Option<String>,
    variables: Option<String>,
    extensions: Option<String>,
}

pub async fn post(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<AppState>,
    schema: web::Data<AccordSchema>,
) -> HttpResponse {
    let media = MediaType::from_accept(&req);
    let is_json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| {
            ct.starts_with(APPLICATION_JSON) || ct.starts_with(GRAPHQL_RESPONSE_JSON)
        });
    if !is_json {
        return refuse(
            media,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send the request as application/json",
        );
    }
    let value: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(value) => value,
        Err(_) => return refuse(media, StatusCode::BAD_REQUEST, "the body is not valid JSON"),
    };
    if value.is_array() {
        return refuse(
            media,
            StatusCode::BAD_REQUEST,
            "batched requests are not supported",
        );
    }
    // A misspelt `query` must not run as an empty document (a persisted query may omit it).
    if value.get("query").is_none() && value.pointer("/extensions/persistedQuery").is_none() {
        return refuse(
            media,
            StatusCode::BAD_REQUEST,
            "the `query` parameter is required",
        );
    }
    let request: async_graphql::Request = match serde_json::from_value(value) {
        Ok(request) => request,
        Err(err) => {
            return refuse(
                media,
                StatusCode::BAD_REQUEST,
                &format!("not a GraphQL request: {err}"),
            )
        }
    };
    execute(req, state, schema, request, media, false).await
}

pub async fn get(
    req: HttpRequest,
    params: web::Query<GetParams>,
    state: web::Data<AppState>,
    schema: web::Data<AccordSchema>,
) -> HttpResponse {
    let media = MediaType::from_accept(&req);
    let params = params.into_inner();
    let extensions: async_graphql::Extensions = match params.extensions.as_deref() {
        None => Default::default(),
        Some(raw) => match serde_json::from_str(raw) {
            Ok(extensions) => extensions,
            Err(_) => {
                return refuse(
                    media,
                    StatusCode::BAD_REQUEST,
                    "`extensions` is not a JSON object",
                )
            }
        },
    };
    // A persisted query may be named by its hash alone.
    let by_hash = extensions.contains_key(persisted::EXTENSION);
    let Some(query) = params.query.or_else(|| by_hash.then(String::new)) else {
        return refuse(
            media,
            StatusCode::BAD_REQUEST,
            "the `query` parameter is required",
        );
    };
    let mut request = async_graphql::Request::new(query);
    request.operation_name = params.operation_name;
    request.extensions = extensions;
    if let Some(raw) = params.variables {
        match serde_json::from_str(&raw) {
            Ok(variables) => request.variables = variables,
            Err(_) => {
                return refuse(
                    media,
                    StatusCode::BAD_REQUEST,
                    "`variables` is not a JSON object",
                )
            }
        }
    }
    execute(req, state, schema, request, media, true).await
}

/// The operation the request will run, if its document parses and names one. The schema
/// parses the document again to run it: a document without either keyword can hold only
/// queries, so the common read skips this first parse.
fn operation_type(request: &async_graphql::Request) -> Option<OperationType> {
    if !request.query.contains("mutation") && !request.query.contains("subscription") {
        return None;
    }
    let document = parse_query(&request.query).ok()?;
    let mut operations = document.operations.iter();
    let (_, operation) = match &request.operation_name {
        Some(name) => operations.find(|(n, _)| n.map(|n| n.as_str()) == Some(name.as_str()))?,
        None => {
            let first = operations.next()?;
            if operations.next().is_some() {
                return None;
            }
            first
        }
    };
    Some(operation.node.ty)
}

async fn execute(
    req: HttpRequest,
    state: web::Data<AppState>,
    schema: web::Data<AccordSchema>,
    mut request: async_graphql::Request,
    media: MediaType,
    via_get: bool,
) -> HttpResponse {
    if let Err(refusal) = state.persisted_queries.resolve(&mut request) {
        return refusal.respond(media.content_type());
    }
    match operation_type(&request) {
        Some(OperationType::Mutation) if via_get => {
            return HttpResponse::MethodNotAllowed()
                .insert_header((header::ALLOW, "POST"))
                .content_type(media.content_type())
                .json(error_body(
                    "mutations must be sent with POST",
                    "BAD_USER_INPUT",
                ));
        }
        Some(OperationType::Subscription) => {
            return refuse(
                media,
                StatusCode::BAD_REQUEST,
                "subscriptions are served over the WebSocket at /graphql/ws",
            );
        }
        _ => {}
    }
    let request_id = req
        .extensions()
        .get::<RequestId>()
        .map(|id| id.0.clone())
        .unwrap_or_default();
    let authorization = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let actor = match resolve_caller(&state, authorization, Lookup::Cached).await {
        Caller::Anonymous => None,
        Caller::Known(actor) => Some(actor),
        Caller::Rejected => {
            return respond_error(
                media,
                StatusCode::UNAUTHORIZED,
                AppError::Unauthenticated,
                &request_id,
            )
            .insert_header((header::WWW_AUTHENTICATE, "Bearer"))
            .finish_json();
        }
        Caller::Unavailable => {
            return respond_error(
                media,
                StatusCode::SERVICE_UNAVAILABLE,
                AppError::Unavailable,
                &request_id,
            )
            .insert_header((
                header::RETRY_AFTER,
                UNAVAILABLE_RETRY_AFTER_SECS.to_string(),
            ))
            .finish_json();
        }
    };
    let rate_limit_key = match &actor {
        Some(actor) => actor.rate_limit_key(),
        None => match req.peer_addr() {
            Some(peer) => {
                let forwarded_for = req
                    .headers()
                    .get("x-forwarded-for")
                    .and_then(|v| v.to_str().ok());
                let ip = client_ip(peer.ip(), forwarded_for, &state.config.trusted_proxies);
                format!("ip:{ip}")
            }
            None => "ip:unknown".to_owned(),
        },
    };
    let meta = RequestMeta::new(request_id, rate_limit_key);
    let authenticated = actor.is_some();
    let workspace_id = actor.as_ref().and_then(|a| a.workspace_id);
    let request = request
        .data(RequestActor(actor))
        .data(Arc::clone(&meta))
        .data(Loaders::new(&state.store, workspace_id));
    let mut response = schema.execute(request).await;
    finish_response(&mut response, &meta, &state);
    // Refused before execution (parse, validation, cost): the spec says there is no `data`.
    let executed = !meta.is_request_error() && meta.retry_after().is_none();
    let body = response_body(&response, executed);
    let rate_limit = rate_limit_headers(&meta, &state);
    let unavailable = response
        .errors
        .iter()
        .any(|error| error_code(error) == AppError::Unavailable.code());
    let (status, retry_after) = if let Some(retry_after) = meta.retry_after() {
        (StatusCode::TOO_MANY_REQUESTS, Some(retry_after))
    } else if unavailable {
        // Whatever else the response holds, the client should come back shortly.
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Some(UNAVAILABLE_RETRY_AFTER_SECS),
        )
    } else if meta.is_request_error() && media == MediaType::GraphqlResponseJson {
        (StatusCode::BAD_REQUEST, None)
    } else {
        (StatusCode::OK, None)
    };
    let mut builder = HttpResponse::build(status);
    builder.content_type(media.content_type());
    if let Some(secs) = retry_after {
        builder.insert_header((header::RETRY_AFTER, secs.to_string()));
    }
    for pair in rate_limit {
        builder.insert_header(pair);
    }
    for (name, value) in response.http_headers.iter() {
        if let (Ok(name), Ok(value)) = (
            header::HeaderName::from_bytes(name.as_str().as_bytes()),
            header::HeaderValue::from_bytes(value.as_bytes()),
        ) {
            builder.insert_header((name, value));
        }
    }
    if via_get {
        persisted::cache_headers(&mut builder, authenticated, &response);
    }
    builder.body(body)
}

/// The response as JSON; without its `data` entry when the operation never ran.
fn response_body(response: &Response, executed: bool) -> Vec<u8> {
    if executed {
        return serde_json::to_vec(response).unwrap_or_default();
    }
    let mut value = serde_json::to_value(response).unwrap_or_default();
    if let Some(entries) = value.as_object_mut() {
        entries.remove("data");
    }
    serde_json::to_vec(&value).unwrap_or_default()
}

/// The standard `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` headers, beside
/// the `cost` extension: the caller's budget after this request, or empty after a refusal.
fn rate_limit_headers(meta: &RequestMeta, state: &AppState) -> Vec<(&'static str, String)> {
    let charged = *meta.budget.lock().unwrap_or_else(|p| p.into_inner());
    let (limit, remaining, reset) = match (charged, meta.retry_after()) {
        (Some((_, budget)), _) => (budget.limit, budget.remaining, budget.reset_after_secs),
        (None, Some(retry_after)) => (state.config.rate_limit_budget, 0, retry_after),
        (None, None) => return Vec::new(),
    };
    vec![
        ("ratelimit-limit", limit.to_string()),
        ("ratelimit-remaining", remaining.to_string()),
        ("ratelimit-reset", reset.to_string()),
    ]
}

fn error_body(message: &str, code: &str) -> serde_json::Value {
    serde_json::json!({ "errors": [{ "message": message, "extensions": { "code": code } }] })
}

/// A transport-level refusal before any GraphQL work.
fn refuse(media: MediaType, status: StatusCode, message: &str) -> HttpResponse {
    HttpResponse::build(status)
        .content_type(media.content_type())
        .body(error_body(message, "BAD_USER_INPUT").to_string())
}

struct ErrorResponse {
    builder: actix_web::HttpResponseBuilder,
    body: Vec<u8>,
}

impl ErrorResponse {
    fn insert_header(mut self, header: impl actix_web::http::header::TryIntoHeaderPair) -> Self {
        self.builder.insert_header(header);
        self
    }

    fn finish_json(mut self) -> HttpResponse {
        self.builder.body(self.body)
    }
}

fn respond_error(
    media: MediaType,
    status: StatusCode,
    err: AppError,
    request_id: &str,
) -> ErrorResponse {
    let gql: async_graphql::Error = err.into();
    let mut server_error: ServerError = gql.into_server_error(Default::default());
    let extensions = server_error.extensions.get_or_insert_with(Default::default);
    extensions.set("requestId", request_id);
    if let Some(trace_id) = crate::telemetry::current_trace_id() {
        extensions.set("traceId", trace_id);
    }
    let response = Response::from_errors(vec![server_error]);
    let mut builder = HttpResponse::build(status);
    builder.content_type(media.content_type());
    ErrorResponse {
        builder,
        body: response_body(&response, false),
    }
}
