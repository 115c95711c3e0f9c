//! A TCP hop between a test server and its Postgres that the test can cut, to see what clients
//! get while the database is unreachable and that the server recovers by itself.

use std::{
    net::SocketAddr,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex,
    },
};

use tokio::{
    net::{TcpListener, TcpStream},
    task::JoinHandle,
};

pub struct DbProxy {
    pub addr: SocketAddr,
    down: Arc<AtomicBool>,
    links: Arc<Mutex<Vec<JoinHandle<()>>>>,
    /// Connections accepted while down: held open and never answered, like a hung server.
    held: Arc<Mutex<Vec<TcpStream>>>,
}

impl DbProxy {
    pub async fn start(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let proxy = DbProxy {
            addr: listener.local_addr().unwrap(),
            down: Arc::default(),
            links: Arc::default(),
            held: Arc::default(),
        };
        let (down, links, held) = (
            Arc::clone(&proxy.down),
            Arc::clone(&proxy.links),
            Arc::clone(&proxy.held),
        );
        actix_web::rt::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if down.load(Ordering::SeqCst) {
                    held.lock().unwrap().push(client);
                    continue;
                }
                let link = actix_web::rt::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                links.lock().unwrap().push(link);
            }
        });
        proxy
    }

    /// The database goes away: open connections drop, new ones hang unanswered.
    pub fn cut(&self) {
        self.down.store(true, Ordering::SeqCst);
        for link in self.links.lock().unwrap().drain(..) {
            link.abort();
        }
    }

    /// The database is back.
    pub fn restore(&self) {
        self.down.store(false, Ordering::SeqCst);
        self.held.lock().unwrap().clear();
    }

    /// `url` (a `postgres://user@host:port/db` URL) pointed at this proxy instead.
    pub fn url_for(&self, url: &str) -> String {
        let (scheme, rest) = url.split_once("://").expect("a URL");
        let (credentials, host_and_path) = match rest.split_once('@') {
            Some((user, after)) => (format!("{user}@"), after),
            None => (String::new(), rest),
        };
        let path = host_and_path
            .find('/')
            .map_or("", |slash| &host_and_path[slash..]);
        format!("{scheme}://{credentials}{}{path}", self.addr)
    }
}

/// The host and port of a `postgres://` URL.
pub fn upstream_of(url: &str) -> SocketAddr {
    let rest = url.split_once("://").expect("a URL").1;
    let host_and_path = rest.rsplit_once('@').map_or(rest, |(_, after)| after);
    let host = host_and_path.split('/').next().unwrap();
    let host = if host.contains(':') {
        host.to_owned()
    } else {
        format!("{host}:5432")
    };
    let host = host.replace("localhost", "127.0.0.1");
    host.parse()
        .expect("a numeric Postgres host in ACCORD_TEST_DATABASE_URL")
}
