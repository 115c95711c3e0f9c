//! GraphQL over WebSocket: `graphql-transport-ws` with its close codes (4400 bad message, 4401
//! subscribe before ack, 4403 forbidden, 4408 init timeout, 4409 duplicate id, 4429 second init),
//! and the legacy `graphql-ws` subprotocol. Sockets close with 1001 on shutdown, 4403 when their
//! credential is revoked or expires or the member's role changed (clients reconnect and get the
//! new role), 4429 when the credential already holds too many sockets, and 1013 (retryable) when
//! the credential could not be checked. A socket runs a bounded number of subscriptions.

use std::{collections::HashMap, sync::Arc, time::Duration};

use actix_http::{
    header::{HeaderMap, SEC_WEBSOCKET_PROTOCOL},
    ws::{CloseCode, CloseReason, ProtocolError},
};
use actix_web::HttpResponse;
use futures_util::{
    stream::{self, AbortHandle, Abortable, BoxStream, SelectAll},
    StreamExt,
};
use serde_json::{json, Value};

use self::transport::{Incoming, Transport};
use super::{resolve_caller, socket_slots::SocketSlot, Caller};
use crate::{
    auth::{actor::Lookup, Actor, Credential},
    bus::{BusEvent, BusMessage},
    graphql::{
        context::{RequestActor, RequestMeta},
        extension::finish_response,
        loaders::Loaders,
        AccordSchema,
    },
    state::AppState,
};

mod transport;
pub mod upgrade;

const KEEPALIVE: Duration = Duration::from_secs(15);
const AUTH_ATTEMPTS: u32 = 3;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Protocol {
    /// The current protocol (`graphql-transport-ws`).
    TransportWs,
    /// The legacy subscriptions-transport-ws protocol (`graphql-ws`).
    LegacyWs,
}

impl Protocol {
    fn negotiate(headers: &HeaderMap) -> Option<Self> {
        let offered = headers.get(SEC_WEBSOCKET_PROTOCOL)?.to_str().ok()?;
        let offered: Vec<&str> = offered.split(',').map(str::trim).collect();
        if offered.contains(&"graphql-transport-ws") {
            Some(Protocol::TransportWs)
        } else if offered.contains(&"graphql-ws") {
            Some(Protocol::LegacyWs)
        } else {
            None
        }
    }

    fn name(self) -> &'static str {
        match self {
            Protocol::TransportWs => "graphql-transport-ws",
            Protocol::LegacyWs => "graphql-ws",
        }
    }
}

/// `/graphql/ws` asked without an upgrade (upgrades never reach the app: see [`upgrade`]).
pub async fn handle() -> HttpResponse {
    HttpResponse::BadRequest().body(
        "connect with a WebSocket offering the graphql-transport-ws (or legacy graphql-ws) subprotocol",
    )
}

/// One response of a subscription, or `None` when its stream ended.
type Outgoing = (String, Option<async_graphql::Response>);

/// A running subscription: its stream lives in the connection's [`SelectAll`]; this is how to
/// stop it and what its responses are finished with.
struct Running {
    abort: AbortHandle,
    meta: Arc<RequestMeta>,
    /// Whether it has sent a response yet (an error before the first is the protocol's `error`).
    started: bool,
}

struct Connection {
    state: AppState,
    schema: AccordSchema,
    protocol: Protocol,
    transport: Transport,
    actor: Option<Actor>,
    /// The credential as sent in `connection_init`, checked again every so often.
    authorization: Option<String>,
    /// This socket's place in its credential's count of open sockets.
    _slot: Option<SocketSlot>,
    init_received: bool,
    subscriptions: HashMap<String, Running>,
    /// Every running subscription's responses, polled by the connection's own task: an idle
    /// subscription costs its stream's state, not a task and a channel of its own.
    streams: SelectAll<Abortable<BoxStream<'static, Outgoing>>>,
}

/// Why the connection ends, as a close frame.
struct Close(u16, &'static str);

impl Connection {
    fn new(
        state: AppState,
        schema: AccordSchema,
        protocol: Protocol,
        transport: Transport,
    ) -> Self {
        Self {
            state,
            schema,
            protocol,
            transport,
            actor: None,
            authorization: None,
            _slot: None,
            init_received: false,
            subscriptions: HashMap::new(),
            streams: SelectAll::new(),
        }
    }

    async fn run(mut self) {
        self.state.prometheus.ws_connections.inc();
        let mut shutdown = self.state.shutdown.clone();
        let mut bus = self.state.bus.subscribe();
        let init_deadline =
            tokio::time::sleep(Duration::from_secs(self.state.config.ws_init_timeout_secs));
        tokio::pin!(init_deadline);
        let mut keepalive = tokio::time::interval(KEEPALIVE);
        keepalive.tick().await;
        let mut recheck =
            tokio::time::interval(Duration::from_secs(self.state.config.ws_recheck_secs));
        recheck.tick().await;

        let close = loop {
            let expiry = self
                .actor
                .as_ref()
                .and_then(Actor::expires_at)
                .map(|at| (at - chrono::Utc::now()).to_std().unwrap_or_default());
            tokio::select! {
                message = self.transport.next() => match message {
                    Some(Ok(Incoming::Text(text))) => {
                        // Boxed: handling a message awaits database work whose state would
                        // otherwise sit inside every idle connection's task.
                        if let Err(close) = Box::pin(self.on_text(&text)).await {
                            break Some(close);
                        }
                    }
                    Some(Ok(Incoming::Binary)) => break Some(Close(4400, "binary messages are not supported")),
                    Some(Ok(Incoming::Ping(bytes))) => {
                        if Box::pin(self.transport.pong(bytes)).await.is_err() { break None; }
                    }
                    Some(Ok(Incoming::Pong)) => {}
                    Some(Ok(Incoming::Close)) | None => break None,
                    Some(Err(ProtocolError::Overflow)) => break Some(Close(1009, "message too big")),
                    Some(Err(_)) => break Some(Close(1002, "protocol error")),
                },
                Some(out) = self.streams.next(), if !self.streams.is_empty() => {
                    // Boxed, like every handler below: what a handler holds while it awaits
                    // (a response being encoded, a frame being written) would otherwise be part
                    // of every idle connection's task.
                    if Box::pin(self.on_outgoing(out)).await.is_err() { break None; }
                }
                _ = &mut init_deadline, if !self.init_received => {
                    break Some(Close(4408, "Connection initialisation timeout"));
                }
                _ = shutdown.changed() => break Some(Close(1001, "server shutting down")),
                received = bus.recv() => match received {
                    Ok(message) if self.is_revoked_by(&message) => break Some(Close(4403, "Forbidden: credential revoked")),
                    _ => {}
                },
                _ = sleep_or_never(expiry) => break Some(Close(4403, "Forbidden: credential expired")),
                _ = recheck.tick(), if self.actor.is_some() => {
                    // Boxed like `on_text`: the credential check's database state is not kept
                    // inside every idle connection.
                    if let Err(close) = Box::pin(self.recheck()).await { break Some(close); }
                }
                _ = keepalive.tick() => {
                    if Box::pin(self.keep_alive()).await.is_err() { break None; }
                }
            }
        };

        for (_, running) in self.subscriptions.drain() {
            running.abort.abort();
            self.state.prometheus.subscriptions.dec();
        }
        self.state.prometheus.ws_connections.dec();
        if let Some(Close(code, reason)) = close {
            let reason = CloseReason {
                code: CloseCode::Other(code),
                description: Some(reason.to_owned()),
            };
            let _ = Box::pin(self.transport.close(Some(reason))).await;
        }
    }

    async fn keep_alive(&mut self) -> Result<(), ()> {
        match self.protocol {
            Protocol::LegacyWs if self.actor.is_some() => self.send(json!({"type": "ka"})).await,
            _ => self.transport.ping().await.map_err(|_| ()),
        }
    }

    async fn send(&mut self, message: Value) -> Result<(), ()> {
        self.transport
            .text(message.to_string())
            .await
            .map_err(|_| ())
    }

    fn is_revoked_by(&self, message: &BusMessage) -> bool {
        let Some(actor) = &self.actor else {
            return false;
        };
        match (&message.event, &actor.credential) {
            (
                BusEvent::SessionRevoked { session_id },
                Credential::User {
                    session_id: mine, ..
                },
            ) => session_id == mine,
            (
                BusEvent::ApiTokenRevoked { token_id },
                Credential::ApiToken { token_id: mine, .. },
            ) => token_id == mine,
            (BusEvent::MembershipEnded { user_id }, Credential::User { user_id: mine, .. }) => {
                user_id == mine && actor.workspace_id == Some(message.workspace_id)
            }
            _ => false,
        }
    }

    async fn on_outgoing(&mut self, (id, response): Outgoing) -> Result<(), ()> {
        let Some(mut response) = response else {
            return if self.finish(&id) {
                self.send(json!({"type": "complete", "id": id})).await
            } else {
                Ok(())
            };
        };
        let Some(running) = self.subscriptions.get_mut(&id) else {
            // Completed by the client while this response was on its way.
            return Ok(());
        };
        let first = !std::mem::replace(&mut running.started, true);
        finish_response(&mut response, &running.meta, &self.state);
        let payload = serde_json::to_value(&response).unwrap_or(Value::Null);
        let failed_before_start = first
            && payload.get("data").is_none_or(Value::is_null)
            && payload.get("errors").is_some();
        let message = match (self.protocol, failed_before_start) {
            (Protocol::TransportWs, true) => {
                self.finish(&id);
                json!({"type": "error", "id": id, "payload": payload["errors"]})
            }
            (Protocol::TransportWs, false) => {
                json!({"type": "next", "id": id, "payload": payload})
            }
            (Protocol::LegacyWs, _) => {
                json!({"type": "data", "id": id, "payload": payload})
            }
        };
        self.send(message).await
    }

    /// Forgets a subscription; returns whether it was still running.
    fn finish(&mut self, id: &str) -> bool {
        match self.subscriptions.remove(id) {
            Some(running) => {
                running.abort.abort();
                self.state.prometheus.subscriptions.dec();
                true
            }
            None => false,
        }
    }

    async fn on_text(&mut self, text: &str) -> Result<(), Close> {
        let Ok(message) = serde_json::from_str::<Value>(text) else {
            return Err(Close(4400, "Invalid message received"));
        };
        let kind = message.get("type").and_then(Value::as_str).unwrap_or("");
        match (self.protocol, kind) {
            (_, "connection_init") => self.on_init(&message).await,
            (Protocol::TransportWs, "ping") => {
                let _ = self.send(json!({"type": "pong"})).await;
                Ok(())
            }
            (Protocol::TransportWs, "pong") => Ok(()),
            (Protocol::TransportWs, "subscribe") | (Protocol::LegacyWs, "start") => {
                let Some(actor) = self.actor.clone() else {
                    return Err(Close(4401, "Unauthorized"));
                };
                let (Some(id), Some(payload)) = (
                    message
                        .get("id")
                        .and_then(Value::as_str)
                        .filter(|id| !id.is_empty()),
                    message.get("payload"),
                ) else {
                    return Err(Close(
                        4400,
                        "Invalid message received: subscribe needs an id and a payload",
                    ));
                };
                let Ok(request) = serde_json::from_value::<async_graphql::Request>(payload.clone())
                else {
                    return Err(Close(
                        4400,
                        "Invalid message received: payload is not a GraphQL request",
                    ));
                };
                if self.subscriptions.contains_key(id) {
                    return match self.protocol {
                        Protocol::TransportWs => {
                            Err(Close(4409, "Subscriber for this id already exists"))
                        }
                        Protocol::LegacyWs => Ok(()),
                    };
                }
                let max = self.state.config.ws_max_subscriptions;
                if self.subscriptions.len() >= max {
                    let error = json!({
                        "message": format!("a socket runs at most {max} subscriptions: complete one first"),
                        "extensions": {"code": "RATE_LIMITED"},
                    });
                    let payload = match self.protocol {
                        Protocol::TransportWs => json!([error]),
                        Protocol::LegacyWs => error,
                    };
                    let _ = self
                        .send(json!({"type": "error", "id": id, "payload": payload}))
                        .await;
                    return Ok(());
                }
                self.start(id.to_owned(), request, actor);
                Ok(())
            }
            (Protocol::TransportWs, "complete") | (Protocol::LegacyWs, "stop") => {
                if let Some(id) = message.get("id").and_then(Value::as_str) {
                    let id = id.to_owned();
                    if self.finish(&id) && self.protocol == Protocol::LegacyWs {
                        let _ = self.send(json!({"type": "complete", "id": id})).await;
                    }
                }
                Ok(())
            }
            (Protocol::LegacyWs, "connection_terminate") => Err(Close(1000, "terminated")),
            _ => Err(Close(4400, "Invalid message received: unknown type")),
        }
    }

    async fn on_init(&mut self, message: &Value) -> Result<(), Close> {
        if self.init_received {
            return Err(Close(4429, "Too many initialisation requests"));
        }
        self.init_received = true;
        let payload = message.get("payload").cloned().unwrap_or(Value::Null);
        let authorization = ["authorization", "Authorization"]
            .iter()
            .find_map(|key| payload.get(*key).and_then(Value::as_str).map(str::to_owned));
        let mut attempt = 0;
        let actor = loop {
            attempt += 1;
            let caller = {
                let _turn = self.state.socket_setup.acquire().await;
                resolve_caller(&self.state, authorization.as_deref(), Lookup::Cached).await
            };
            match caller {
                Caller::Known(actor) => break actor,
                Caller::Anonymous | Caller::Rejected => {
                    if self.protocol == Protocol::LegacyWs {
                        let _ = self
                            .send(json!({"type": "connection_error", "payload": {"message": "Forbidden"}}))
                            .await;
                    }
                    return Err(Close(4403, "Forbidden"));
                }
                // A blip in the database must not end the socket with a code clients give up on.
                Caller::Unavailable if attempt < AUTH_ATTEMPTS => {
                    tokio::time::sleep(Duration::from_millis(200 * u64::from(attempt))).await;
                }
                Caller::Unavailable => return Err(Close(1013, "Try again later")),
            }
        };
        let max = self.state.config.ws_max_sockets_per_credential;
        let Some(slot) = self.state.sockets.take(&actor.rate_limit_key(), max) else {
            return Err(Close(4429, "Too many sockets for this credential"));
        };
        self._slot = Some(slot);
        self.actor = Some(actor);
        self.authorization = authorization;
        let _ = self.send(json!({"type": "connection_ack"})).await;
        if self.protocol == Protocol::LegacyWs {
            let _ = self.send(json!({"type": "ka"})).await;
        }
        Ok(())
    }

    /// Checks the credential again, in the database rather than the credential cache: revoked
    /// (even if its bus message was lost) or moved to another role, the socket closes; the
    /// client reconnects under what holds now. A check that cannot be made now is tried at the
    /// next tick.
    async fn recheck(&mut self) -> Result<(), Close> {
        let Some(current) = &self.actor else {
            return Ok(());
        };
        let caller = {
            let _turn = self.state.socket_setup.acquire().await;
            resolve_caller(&self.state, self.authorization.as_deref(), Lookup::Fresh).await
        };
        match caller {
            // E.g. an API token switched to (or from) allow-list mode.
            Caller::Known(actor) if actor.credential != current.credential => {
                Err(Close(4403, "Forbidden: credential changed"))
            }
            Caller::Known(actor)
                if actor.role == current.role && actor.workspace_id == current.workspace_id =>
            {
                Ok(())
            }
            Caller::Known(_) => Err(Close(4403, "Forbidden: role changed")),
            Caller::Anonymous | Caller::Rejected => {
                Err(Close(4403, "Forbidden: credential revoked"))
            }
            Caller::Unavailable => Ok(()),
        }
    }

    fn start(&mut self, id: String, request: async_graphql::Request, actor: Actor) {
        let meta = RequestMeta::new(uuid::Uuid::now_v7().to_string(), actor.rate_limit_key());
        let workspace_id = actor.workspace_id;
        let request = request
            .data(RequestActor(Some(actor)))
            .data(Arc::clone(&meta))
            .data(Loaders::new(&self.state.store, workspace_id));
        let ended = id.clone();
        let responses = self
            .schema
            .execute_stream(request)
            .map({
                let id = id.clone();
                move |response| (id.clone(), Some(response))
            })
            .chain(stream::once(async move { (ended, None) }))
            .boxed();
        let (abort, registration) = AbortHandle::new_pair();
        self.streams.push(Abortable::new(responses, registration));
        self.subscriptions.insert(
            id,
            Running {
                abort,
                meta,
                started: false,
            },
        );
        self.state.prometheus.subscriptions.inc();
    }
}

async fn sleep_or_never(duration: Option<Duration>) {
    match duration {
        Some(duration) => tokio::time::sleep(duration).await,
        None => std::future::pending().await,
    }
}
