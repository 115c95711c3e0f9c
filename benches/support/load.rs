//! A closed-loop HTTP load: `concurrency` clients each send the next request when the previous
//! answered, for a fixed time, over keep-alive connections.

use std::{
    net::SocketAddr,
    time::{Duration, Instant},
};

use serde_json::Value;

pub struct LoadResult {
    pub requests: usize,
    pub elapsed: Duration,
    pub latencies: Vec<Duration>,
}

impl LoadResult {
    pub fn per_second(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    pub fn percentile(&self, p: f64) -> Duration {
        let mut sorted = self.latencies.clone();
        sorted.sort();
        let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
        sorted.get(index).copied().unwrap_or_default()
    }
}

pub async fn run(
    addr: SocketAddr,
    token: &str,
    body: Value,
    concurrency: usize,
    duration: Duration,
) -> LoadResult {
    let body = body.to_string();
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let body = body.clone();
        let token = token.to_owned();
        tasks.push(actix_web::rt::spawn(async move {
            let client = awc::Client::builder()
                .timeout(Duration::from_secs(30))
                .finish();
            let mut latencies = Vec::new();
            while Instant::now() < deadline {
                let sent = Instant::now();
                let mut response = client
                    .post(format!("http://{addr}/graphql"))
                    .insert_header(("content-type", "application/json"))
                    .insert_header(("accept", "application/json"))
                    .insert_header(("authorization", format!("Bearer {token}")))
                    .send_body(body.clone())
                    .await
                    .expect("request");
                let bytes = response.body().limit(16 * 1024 * 1024).await.expect("body");
                assert!(
                    response.status().is_success(),
                    "{}",
                    String::from_utf8_lossy(&bytes)
                );
                latencies.push(sent.elapsed());
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.expect("client task"));
    }
    LoadResult {
        requests: latencies.len(),
        elapsed: started.elapsed(),
        latencies,
    }
}
