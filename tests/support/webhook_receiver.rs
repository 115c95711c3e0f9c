//! A real HTTP receiver for outbound webhooks, scripted per path, and a wait for the
//! deliveries the sender (which runs on its own) reports.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use serde_json::{json, Value};

use super::{wait, TestApp};

/// What the receiver does with the next request to a path.
#[derive(Clone, Copy)]
pub enum Answer {
    Status(u16),
    /// Answers 200, but only after the sender's timeout.
    Hang,
    /// 302 to another path of the receiver.
    Redirect(&'static str),
    /// 200 with a body that never ends.
    Endless,
}

/// A request as received.
#[derive(Clone, Debug)]
pub struct Received {
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
}

#[derive(Default)]
pub struct Receiver {
    /// Scripted answers per path; when a script runs out, the path's default.
    pub scripts: HashMap<String, VecDeque<Answer>>,
    pub defaults: HashMap<String, Answer>,
    pub received: HashMap<String, Vec<Received>>,
}

pub type Shared = Arc<Mutex<Receiver>>;

async fn receive(req: HttpRequest, body: web::Bytes, shared: web::Data<Shared>) -> HttpResponse {
    let path = req.path().to_owned();
    let answer = {
        let mut receiver = shared.lock().unwrap();
        let headers = req
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
            .collect();
        receiver
            .received
            .entry(path.clone())
            .or_default()
            .push(Received {
                headers,
                body: body.to_vec(),
            });
        let scripted = receiver
            .scripts
            .get_mut(&path)
            .and_then(VecDeque::pop_front);
        scripted
            .or_else(|| receiver.defaults.get(&path).copied())
            .unwrap_or(Answer::Status(200))
    };
    match answer {
        Answer::Status(code) => {
            HttpResponse::build(actix_web::http::StatusCode::from_u16(code).unwrap()).finish()
        }
        Answer::Hang => {
            // Not a wait of the test: the receiver's behaviour under test is an answer that
            // comes too late (after the sender's timeout, which tests set below 3 s).
            tokio::time::sleep(StdDuration::from_secs(3)).await;
            HttpResponse::Ok().finish()
        }
        Answer::Redirect(to) => HttpResponse::Found()
            .insert_header(("Location", to))
            .finish(),
        Answer::Endless => HttpResponse::Ok().streaming(futures_util::stream::repeat_with(|| {
            Ok::<_, actix_web::Error>(web::Bytes::from_static(&[b'x'; 8192]))
        })),
    }
}

/// Starts the receiver on a loopback port; returns its base URL. Webhooks reach it only on a
/// server started with `ACCORD_WEBHOOK_ALLOW_PRIVATE`.
pub fn start_receiver(shared: Shared) -> String {
    let data = web::Data::new(shared);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .default_service(web::to(receive))
    })
    .workers(1)
    .disable_signals()
    .bind("127.0.0.1:0")
    .unwrap();
    let port = server.addrs()[0].port();
    actix_web::rt::spawn(server.run());
    format!("http://localhost:{port}")
}

pub const DELIVERIES: &str = "query($id: ID!) { webhookDeliveries(webhookId: $id) { nodes { eventId event status attempts lastStatusCode lastError payload attemptLog { statusCode latencyMs error } } } }";

/// Polls the webhook's deliveries until `done` holds (the sender runs on its own).
pub async fn wait_for(
    app: &TestApp,
    access: &str,
    webhook: &Value,
    done: impl Fn(&Value) -> bool,
) -> Value {
    wait::until(
        &format!("the deliveries of {webhook} get there"),
        StdDuration::from_secs(10),
        || async {
            let reply = app
                .gql(Some(access), DELIVERIES, json!({"id": webhook}))
                .await;
            let deliveries = reply.data("webhookDeliveries")["nodes"].clone();
            done(&deliveries).then_some(deliveries)
        },
    )
    .await
}
