//! Accord's sockets send what is written at once. With Nagle's algorithm on, a short segment
//! written while an earlier one is unacknowledged waits for the peer's delayed ACK, about 40 ms
//! on Linux: the tail of every statement larger than one segment (an ingest batch's multi-row
//! INSERT), a reply or socket push right after another. sqlx 0.9.0 stopped setting
//! `TCP_NODELAY` (0.9.1 sets it again) and actix-http leaves it to its caller. The ingest
//! benchmark showed it: a batch of 1,000 took 0.8 s over TCP and 0.28 s over the Unix socket.

use std::os::fd::BorrowedFd;

use sea_orm::{ConnectionTrait, DbBackend, Statement};

use crate::support::TestApp;

/// The inodes of this process's open TCP sockets from local port `local` (to remote port
/// `remote`, when given), from `/proc/self/net`.
fn socket_inodes(local: u16, remote: Option<u16>) -> Vec<String> {
    const ESTABLISHED: &str = "01";
    let local = format!(":{local:04X}");
    let remote = remote.map(|port| format!(":{port:04X}"));
    ["/proc/self/net/tcp", "/proc/self/net/tcp6"]
        .iter()
        .filter_map(|table| std::fs::read_to_string(table).ok())
        .flat_map(|table| table.lines().skip(1).map(str::to_owned).collect::<Vec<_>>())
        .filter_map(|line| {
            let columns: Vec<&str> = line.split_whitespace().collect();
            let to = remote
                .as_deref()
                .is_none_or(|port| columns[2].ends_with(port));
            (columns[1].ends_with(&local) && to && columns[3] == ESTABLISHED)
                .then(|| columns[9].to_owned())
        })
        .collect()
}

/// The file descriptor of the socket with this inode.
fn socket_fd(inode: &str) -> Option<i32> {
    let wanted = format!("socket:[{inode}]");
    std::fs::read_dir("/proc/self/fd")
        .ok()?
        .filter_map(Result::ok)
        .find(|entry| {
            std::fs::read_link(entry.path()).is_ok_and(|target| target.to_str() == Some(&wanted))
        })?
        .file_name()
        .to_str()?
        .parse()
        .ok()
}

/// Whether the socket with this inode, open in this process, has `TCP_NODELAY` set.
fn nodelay(inode: &str) -> bool {
    let fd = socket_fd(inode).expect("its descriptor in this process");
    // SAFETY: its owner keeps the descriptor open while the test holds the connection; it is
    // only read here.
    let socket = unsafe { BorrowedFd::borrow_raw(fd) };
    socket2::SockRef::from(&socket).tcp_nodelay().unwrap()
}

#[actix_web::test]
async fn the_stores_postgres_connections_send_without_waiting_for_acks() {
    let app = TestApp::start().await;
    let db = app.db();
    if db.get_database_backend() != DbBackend::Postgres {
        // The embedded default reaches its store in-process: there is no socket to check.
        assert_eq!(db.get_database_backend(), DbBackend::Sqlite);
        return;
    }
    // One pooled connection's ports, as the database server sees them.
    let row = db
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT inet_client_port() AS client, inet_server_port() AS server",
        ))
        .await
        .unwrap()
        .unwrap();
    let port = |column| row.try_get::<i32>("", column).unwrap() as u16;
    let inodes = socket_inodes(port("client"), Some(port("server")));
    assert_eq!(inodes.len(), 1, "the pooled connection's socket");
    assert!(
        nodelay(&inodes[0]),
        "the store's connection waits for ACKs (Nagle's algorithm is on)"
    );
}

#[actix_web::test]
async fn the_servers_connections_send_without_waiting_for_acks() {
    let app = TestApp::start().await;
    // The test client keeps its connection open after a request, so the server holds its end.
    let reply = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert!(reply.status().is_success());
    let inodes = socket_inodes(app.addr.port(), None);
    assert!(
        !inodes.is_empty(),
        "the server's end of the client's connection"
    );
    for inode in inodes {
        assert!(
            nodelay(&inode),
            "the server's end of a client connection waits for ACKs (Nagle's algorithm is on)"
        );
    }
}
