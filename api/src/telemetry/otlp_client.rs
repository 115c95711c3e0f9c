//! The HTTP client OTLP exports go out with: awc, the client webhooks already use, so tracing
//! brings no second HTTP stack. awc is single-threaded and the exporter wants a `Send` client, so
//! awc runs on a thread of its own and the exporter hands it requests over a channel.

use std::time::Duration;

use opentelemetry_http::{Bytes, HttpClient, HttpError, Request, Response};
use tokio::sync::{mpsc, oneshot};

/// A span batch that takes longer than this is given up (the exporter logs it).
const TIMEOUT: Duration = Duration::from_secs(10);
/// Largest collector answer read; OTLP answers are a few bytes.
const MAX_ANSWER_BYTES: usize = 64 * 1024;

type Reply = oneshot::Sender<Result<Response<Bytes>, HttpError>>;

#[derive(Debug, Clone)]
pub struct AwcRelay {
    requests: mpsc::Sender<(Request<Bytes>, Reply)>,
}

impl AwcRelay {
    /// Starts the thread that sends; it ends when the exporter (the last sender) is dropped.
    pub fn start() -> std::io::Result<Self> {
        let (requests, mut incoming) = mpsc::channel::<(Request<Bytes>, Reply)>(4);
        std::thread::Builder::new()
            .name("accord-otlp".into())
            .spawn(move || {
                actix_web::rt::System::new().block_on(async move {
                    let client = awc::Client::builder().timeout(TIMEOUT).finish();
                    while let Some((request, reply)) = incoming.recv().await {
                        let _ = reply.send(send(&client, request).await);
                    }
                })
            })?;
        Ok(Self { requests })
    }
}

#[async_trait::async_trait]
impl HttpClient for AwcRelay {
    async fn send_bytes(&self, request: Request<Bytes>) -> Result<Response<Bytes>, HttpError> {
        let (reply, answer) = oneshot::channel();
        self.requests
            .send((request, reply))
            .await
            .map_err(|_| "the OTLP sender thread has stopped")?;
        answer
            .await
            .map_err(|_| "the OTLP sender thread has stopped")?
    }
}

async fn send(client: &awc::Client, request: Request<Bytes>) -> Result<Response<Bytes>, HttpError> {
    let (parts, body) = request.into_parts();
    let method = awc::http::Method::from_bytes(parts.method.as_str().as_bytes())?;
    let mut outgoing = client.request(method, parts.uri.to_string());
    for (name, value) in &parts.headers {
        outgoing = outgoing.insert_header((name.as_str(), value.as_bytes()));
    }
    let mut answer = outgoing
        .send_body(body)
        .await
        .map_err(|err| err.to_string())?;
    let answer_body = answer
        .body()
        .limit(MAX_ANSWER_BYTES)
        .await
        .map_err(|err| err.to_string())?;
    Ok(Response::builder()
        .status(answer.status().as_u16())
        .body(answer_body)?)
}
