//! Redis pub/sub: one shared subscriber connection per process, fanned out in-process to every
//! socket, re-established with backoff when Redis goes away.

use std::time::Duration;

use futures_util::StreamExt;
use redis::{aio::ConnectionManager, io::tcp::TcpSettings, AsyncCommands, IntoConnectionInfo};
use tokio::sync::broadcast;

use super::{async_trait_free::BoxFuture, Bus, BusError, BusEvent, BusMessage, LOCAL_CAPACITY};

const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// The longest a caller waits on the shared Redis connection. While Redis is down the
/// connection manager parks every command on its reconnect attempts (six, with backoff: about
/// ten seconds), which would hold each request that publishes or is rate limited that long;
/// past this they fail instead, are logged, and the caller carries on. Matches the manager's
/// own per-command response timeout.
const CALL_TIMEOUT: Duration = Duration::from_millis(500);

/// `call` bounded by [`CALL_TIMEOUT`].
pub(crate) async fn bounded<T>(
    call: impl std::future::Future<Output = redis::RedisResult<T>>,
) -> Result<T, BusError> {
    match tokio::time::timeout(CALL_TIMEOUT, call).await {
        Ok(result) => result.map_err(unavailable),
        Err(_) => Err(BusError::Unavailable(format!(
            "redis did not answer within {CALL_TIMEOUT:?}"
        ))),
    }
}

pub struct RedisBus {
    publisher: ConnectionManager,
    channel: String,
    local: broadcast::Sender<BusMessage>,
}

impl RedisBus {
    /// Connects the publisher and starts the subscriber task. `namespace` separates deployments
    /// that share one Redis (instances of one deployment share their database, so its schema
    /// name serves).
    pub async fn connect(url: &str, namespace: &str) -> Result<Self, BusError> {
        // A publish goes out at once, not after the previous one's reply (Nagle's algorithm).
        let info = url
            .into_connection_info()
            .map_err(unavailable)?
            .set_tcp_settings(TcpSettings::default().set_nodelay(true));
        let client = redis::Client::open(info).map_err(unavailable)?;
        let publisher = ConnectionManager::new(client.clone())
            .await
            .map_err(unavailable)?;
        let local = broadcast::channel(LOCAL_CAPACITY).0;
        let channel = format!("accord:bus:{namespace}");
        tokio::spawn(run_subscriber(client, channel.clone(), local.clone()));
        Ok(Self {
            publisher,
            channel,
            local,
        })
    }
}

fn unavailable(err: redis::RedisError) -> BusError {
    BusError::Unavailable(err.to_string())
}

/// Forwards every message on the channel to local subscribers, forever, reconnecting with
/// exponential backoff.
async fn run_subscriber(
    client: redis::Client,
    channel: String,
    local: broadcast::Sender<BusMessage>,
) {
    let mut backoff = Duration::from_millis(50);
    loop {
        match client.get_async_pubsub().await {
            Ok(mut pubsub) => match pubsub.subscribe(&channel).await {
                Ok(()) => {
                    tracing::info!("redis bus subscribed");
                    backoff = Duration::from_millis(50);
                    // Messages published while we were away are gone; subscribers re-read.
                    let _ = local.send(BusMessage {
                        workspace_id: uuid::Uuid::nil(),
                        event: BusEvent::Resync,
                    });
                    let mut messages = pubsub.on_message();
                    while let Some(msg) = messages.next().await {
                        let Ok(payload) = msg.get_payload::<Vec<u8>>() else {
                            continue;
                        };
                        match serde_json::from_slice::<BusMessage>(&payload) {
                            Ok(message) => {
                                let _ = local.send(message);
                            }
                            Err(err) => tracing::warn!(%err, "undecodable bus message"),
                        }
                    }
                    tracing::warn!("redis bus subscription lost; reconnecting");
                }
                Err(err) => tracing::warn!(%err, "redis subscribe failed"),
            },
            Err(err) => tracing::warn!(%err, "redis bus connection failed"),
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

impl Bus for RedisBus {
    fn publish(&self, message: BusMessage) -> BoxFuture<'_, Result<(), BusError>> {
        let mut conn = self.publisher.clone();
        Box::pin(async move {
            let payload = serde_json::to_vec(&message)
                .map_err(|err| BusError::Unavailable(err.to_string()))?;
            bounded(conn.publish::<_, _, ()>(&self.channel, payload)).await
        })
    }

    fn subscribe(&self) -> broadcast::Receiver<BusMessage> {
        self.local.subscribe()
    }

    fn check(&self) -> BoxFuture<'_, Result<(), BusError>> {
        let mut conn = self.publisher.clone();
        Box::pin(async move {
            bounded(redis::cmd("PING").query_async::<String>(&mut conn))
                .await
                .map(|_| ())
        })
    }

    fn name(&self) -> &'static str {
        "redis"
    }
}

impl RedisBus {
    /// A handle on the shared publishing connection, for other users of Redis in this process.
    pub fn connection(&self) -> ConnectionManager {
        self.publisher.clone()
    }
}
