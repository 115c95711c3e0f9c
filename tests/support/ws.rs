//! A real WebSocket client speaking graphql-transport-ws (or the legacy graphql-ws) to a test
//! server, with the close code visible to assertions.

use std::time::Duration;

use accord_api::bus::{Activity, ActivityKind, Bus, BusEvent, BusMessage};
use actix_web::web::Bytes;
use awc::{
    ws::{Codec, Frame, Message},
    BoxedSocket,
};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use uuid::Uuid;

use super::TestApp;

pub const TRANSPORT_WS: &str = "graphql-transport-ws";
pub const LEGACY_WS: &str = "graphql-ws";

/// How the activity of [`WsClient::await_activity`] starts its message.
const PROBE: &str = "accord-test-probe";

/// Whether a message is the probe activity of some socket's [`WsClient::await_activity`] (a
/// socket of the same workspace opened earlier sees the probes of a later one).
fn is_probe(message: &Value) -> bool {
    message["payload"]["data"]["workspaceActivity"]["message"]
        .as_str()
        .is_some_and(|text| text.starts_with(PROBE))
}

#[derive(Debug)]
pub enum WsEvent {
    Message(Value),
    Closed(Option<u16>),
}

pub struct WsClient {
    framed: actix_codec::Framed<BoxedSocket, Codec>,
}

impl WsClient {
    pub async fn connect(app: &TestApp, protocol: &str) -> Self {
        Self::connect_addr(&app.addr.to_string(), protocol).await
    }

    pub async fn connect_addr(addr: &str, protocol: &str) -> Self {
        let (_, framed) = awc::Client::new()
            .ws(format!("ws://{addr}/graphql/ws"))
            .protocols([protocol])
            .max_frame_size(1024 * 1024)
            .connect()
            .await
            .expect("websocket connects");
        WsClient { framed }
    }

    pub async fn send(&mut self, message: Value) {
        self.framed
            .send(Message::Text(message.to_string().into()))
            .await
            .expect("websocket send");
    }

    /// Sends `message` as a text message split into continuation frames of `piece` bytes.
    pub async fn send_fragmented(&mut self, message: Value, piece: usize) {
        use actix_http::ws::Item;
        let text = message.to_string();
        let chunks: Vec<Bytes> = text
            .as_bytes()
            .chunks(piece)
            .map(Bytes::copy_from_slice)
            .collect();
        let last = chunks.len() - 1;
        for (i, chunk) in chunks.into_iter().enumerate() {
            let item = match i {
                0 => Item::FirstText(chunk),
                i if i == last => Item::Last(chunk),
                _ => Item::Continue(chunk),
            };
            self.framed
                .send(Message::Continuation(item))
                .await
                .expect("websocket send");
        }
    }

    pub async fn send_raw(&mut self, text: &str) {
        self.framed
            .send(Message::Text(text.to_owned().into()))
            .await
            .expect("websocket send");
    }

    /// The next message or close, answering pings; panics after `secs` seconds of silence.
    pub async fn recv_within(&mut self, secs: u64) -> WsEvent {
        self.try_recv_within(secs)
            .await
            .unwrap_or_else(|| panic!("nothing received within {secs} s"))
    }

    /// The next message or close, or `None` after `secs` seconds of silence.
    pub async fn try_recv_within(&mut self, secs: u64) -> Option<WsEvent> {
        self.try_recv_for(Duration::from_secs(secs)).await
    }

    /// The next message or close, or `None` after `span` of silence.
    pub async fn try_recv_for(&mut self, span: Duration) -> Option<WsEvent> {
        let deadline = tokio::time::Instant::now() + span;
        loop {
            let frame = tokio::time::timeout_at(deadline, self.framed.next())
                .await
                .ok()?;
            match frame {
                Some(Ok(Frame::Text(bytes))) => {
                    return Some(WsEvent::Message(
                        serde_json::from_slice(&bytes).expect("JSON message"),
                    ))
                }
                Some(Ok(Frame::Close(reason))) => {
                    return Some(WsEvent::Closed(reason.map(|r| u16::from(r.code))))
                }
                Some(Ok(Frame::Ping(bytes))) => {
                    let _ = self.framed.send(Message::Pong(bytes)).await;
                }
                Some(Ok(_)) => {}
                Some(Err(_)) | None => return Some(WsEvent::Closed(None)),
            }
        }
    }

    pub async fn recv(&mut self) -> WsEvent {
        self.recv_within(10).await
    }

    /// The next message of a type other than keep-alive (and other than another socket's
    /// [`await_activity`](Self::await_activity) probe), failing on a close.
    pub async fn message(&mut self) -> Value {
        loop {
            match self.recv().await {
                WsEvent::Message(m) if m["type"] == "ka" || is_probe(&m) => continue,
                WsEvent::Message(m) => return m,
                WsEvent::Closed(code) => panic!("socket closed with {code:?}"),
            }
        }
    }

    /// Waits for the server to close the socket and returns the code.
    pub async fn close_code(&mut self) -> Option<u16> {
        self.close_code_within(10).await
    }

    pub async fn close_code_within(&mut self, secs: u64) -> Option<u16> {
        loop {
            if let WsEvent::Closed(code) = self.recv_within(secs).await {
                return code;
            }
        }
    }

    /// `connection_init` with a bearer token, without waiting for an answer.
    pub async fn init_without_ack(&mut self, token: &str) {
        self.send(json!({"type": "connection_init", "payload": {"authorization": format!("Bearer {token}")}}))
            .await;
    }

    /// `connection_init` with a bearer token; expects the ack.
    pub async fn init(&mut self, token: &str) {
        self.init_without_ack(token).await;
        let ack = self.message().await;
        assert_eq!(ack["type"], "connection_ack", "{ack}");
    }

    pub async fn subscribe(&mut self, id: &str, query: &str) {
        self.send(json!({"type": "subscribe", "id": id, "payload": {"query": query}}))
            .await;
    }

    pub async fn subscribe_with(&mut self, id: &str, query: &str, variables: Value) {
        self.send(json!({"type": "subscribe", "id": id, "payload": {"query": query, "variables": variables}}))
            .await;
    }

    /// Waits until the `workspaceActivity` subscription on this socket (whose selection includes
    /// `message`) receives what `bus` carries for `workspace_id`. Nothing marks the moment a
    /// subscription starts listening, so this publishes probe activity on the bus (no row is
    /// written) until one comes through, then reads up to the last probe sent: the next message
    /// the test reads is its own.
    pub async fn await_activity(&mut self, bus: &dyn Bus, workspace_id: &str) {
        let workspace_id: Uuid = workspace_id.parse().expect("a workspace id");
        let nonce = Uuid::now_v7().simple().to_string();
        let probe = |n: u32| format!("{PROBE} {nonce} {n}");
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        let mut sent = 0;
        loop {
            assert!(
                tokio::time::Instant::now() < deadline,
                "the activity subscription never received a probe"
            );
            sent += 1;
            bus.publish(BusMessage {
                workspace_id,
                event: BusEvent::Activity(Activity {
                    id: Uuid::now_v7(),
                    kind: ActivityKind::MemberAdded,
                    actor_user_id: None,
                    subject_id: Uuid::now_v7(),
                    message: probe(sent),
                    occurred_at: chrono::Utc::now(),
                }),
            })
            .await
            .expect("the bus takes the probe");
            // Probes arrive in the order they were published, so once one has arrived every
            // later one will: read until the last.
            let mut arrived = false;
            loop {
                let within = if arrived { 10_000 } else { 200 };
                match self.try_recv_for(Duration::from_millis(within)).await {
                    None if arrived => panic!("probe {sent} never arrived"),
                    None => break,
                    Some(WsEvent::Closed(code)) => panic!("socket closed with {code:?}"),
                    Some(WsEvent::Message(m)) if m["type"] == "ka" => continue,
                    Some(WsEvent::Message(m)) => {
                        let text = m["payload"]["data"]["workspaceActivity"]["message"]
                            .as_str()
                            .unwrap_or_default();
                        assert!(is_probe(&m), "not a probe: {m}");
                        if !text.contains(&nonce) {
                            // Another socket's probe.
                            continue;
                        }
                        if text == probe(sent) {
                            return;
                        }
                        arrived = true;
                    }
                }
            }
        }
    }

    #[allow(dead_code)]
    pub async fn send_binary(&mut self, bytes: &'static [u8]) {
        let _ = self
            .framed
            .send(Message::Binary(Bytes::from_static(bytes)))
            .await;
    }
}
