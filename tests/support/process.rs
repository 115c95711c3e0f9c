//! Real `accord` server processes, for what only separate processes can prove.

use std::{
    net::TcpListener,
    process::{Child, ChildStdout, Command, Stdio},
    time::Duration,
};

use serde_json::{json, Value};

use super::{wait, Backend, Reply};

pub struct ServerProcess {
    pub addr: String,
    /// The log, when [`Launch::capture_stdout`] asked for it: read it, or the server blocks.
    pub stdout: Option<ChildStdout>,
    child: Child,
}

/// How to start a server process beyond the defaults.
pub struct Launch<'a> {
    /// Without it the server makes its development key.
    pub with_secret: bool,
    /// More environment variables, set last.
    pub env: &'a [(&'a str, &'a str)],
    pub capture_stdout: bool,
}

impl Default for Launch<'_> {
    fn default() -> Self {
        Launch {
            with_secret: true,
            env: &[],
            capture_stdout: false,
        }
    }
}

impl ServerProcess {
    /// Starts `accord serve` on a free loopback port against `backend`, and waits until ready.
    pub async fn start(backend: &Backend) -> Self {
        Self::start_with(backend, true).await
    }

    /// As [`start`](Self::start); without `with_secret` the server makes its development key.
    pub async fn start_with(backend: &Backend, with_secret: bool) -> Self {
        Self::launch(
            backend,
            Launch {
                with_secret,
                ..Launch::default()
            },
        )
        .await
    }

    /// Starts `accord serve` as `launch` says; waits until ready.
    pub async fn launch(backend: &Backend, launch: Launch<'_>) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let addr = format!("127.0.0.1:{port}");
        let mut command = Command::new(env!("CARGO_BIN_EXE_accord"));
        command
            .arg("serve")
            .env("ACCORD_BIND", &addr)
            .env("DATABASE_URL", &backend.database_url)
            .env("ACCORD_WORKERS", "1")
            .env("ACCORD_DB_MAX_CONNECTIONS", "4")
            .env("RUST_LOG", "warn")
            .env_remove("ACCORD_DATABASE_SCHEMA")
            .env_remove("REDIS_URL")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        if launch.with_secret {
            command.env("JWT_SECRET", "test-secret-test-secret-test-secret!");
        } else {
            command.env_remove("JWT_SECRET");
        }
        if let Some(schema) = &backend.database_schema {
            command.env("ACCORD_DATABASE_SCHEMA", schema);
        }
        if let Some(redis) = &backend.redis_url {
            command.env("REDIS_URL", redis);
        }
        command.envs(launch.env.iter().copied());
        if launch.capture_stdout {
            command.stdout(Stdio::piped());
        }
        let mut child = command.spawn().expect("accord starts");
        let stdout = child.stdout.take();
        let process = ServerProcess {
            addr,
            stdout,
            child,
        };
        process.wait_ready().await;
        process
    }

    /// Waits until `/readyz` answers 200 (database and bus reachable); panics after 15 s.
    pub async fn wait_ready(&self) {
        let client = awc::Client::new();
        let url = format!("http://{}/readyz", self.addr);
        wait::until(
            &format!("accord at {} becomes ready", self.addr),
            Duration::from_secs(15),
            || async {
                let response = client.get(&url).send().await.ok()?;
                response.status().is_success().then_some(())
            },
        )
        .await;
    }
}

impl ServerProcess {
    /// Runs a query or mutation over HTTP; waits up to 60 s for the answer.
    pub async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Reply {
        let mut req = awc::Client::builder()
            .timeout(Duration::from_secs(60))
            .finish()
            .post(format!("http://{}/graphql", self.addr))
            .insert_header(("content-type", "application/json"));
        if let Some(token) = token {
            req = req.insert_header(("authorization", format!("Bearer {token}")));
        }
        let body = json!({"query": query, "variables": variables}).to_string();
        Reply::read(req.send_body(body).await.expect("request sent")).await
    }

    /// Sends SIGKILL (no chance to drain or close anything) and waits for the process to die.
    pub fn kill(mut self) {
        use std::os::unix::process::ExitStatusExt;
        self.child.kill().expect("SIGKILL sent");
        let status = self.child.wait().expect("the killed process is reaped");
        assert_eq!(status.signal(), Some(9), "killed by SIGKILL: {status}");
    }

    /// Sends SIGTERM and waits for the process to exit; returns whether it exited cleanly.
    pub fn terminate(mut self) -> bool {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill runs");
        assert!(sent.success());
        self.child
            .wait()
            .map(|status| status.success())
            .unwrap_or(false)
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
