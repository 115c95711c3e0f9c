//! A Redis server of a test's own, to stop and start without disturbing other tests. Used in
//! the Redis lane (`ACCORD_TEST_REDIS_URL` set), where `redis-server` is installed.

use std::{
    net::{TcpListener, TcpStream},
    process::{Child, Command, Stdio},
    time::Duration,
};

use super::wait;

pub struct RedisServer {
    pub port: u16,
    child: Child,
}

impl RedisServer {
    /// Starts `redis-server` on a free loopback port.
    pub async fn start_free() -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        Self::start(port).await
    }

    /// Starts `redis-server` on `port` and waits until it accepts connections.
    pub async fn start(port: u16) -> Self {
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server is installed in the Redis lane");
        wait::until(
            &format!("redis-server on {port} accepts connections"),
            Duration::from_secs(10),
            || async { TcpStream::connect(("127.0.0.1", port)).ok().map(drop) },
        )
        .await;
        RedisServer { port, child }
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Kills the server (SIGKILL: connections drop at once) and waits for it to exit.
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}
