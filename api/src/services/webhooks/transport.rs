//! The HTTP side of a delivery: a client whose connector resolves the receiver's host itself,
//! checks every address ([`outbound::checked_addresses`]) and connects to exactly those (the
//! request keeps the URL's host for the `Host` header and TLS), never follows redirects, reads
//! at most [`MAX_BODY`] of an answer, and reports failures by class ([`Failure`]).

use std::{
    io,
    net::{IpAddr, SocketAddr},
    time::{Duration, Instant},
};

use actix_service::Service;
use actix_tls::connect::{
    tcp::TcpConnectorService, ConnectError as TcpError, ConnectInfo, Connection,
};
use awc::{
    error::{ConnectError, SendRequestError},
    http::Uri,
};
use futures_util::future::LocalBoxFuture;

use crate::domain::{
    outbound::{self, BlockedAddress},
    webhooks::Failure,
};

/// The most of a receiver's answer that is read (the rest is dropped with the connection).
const MAX_BODY: usize = 64 * 1024;

/// Resolves, checks, then connects to the checked addresses.
#[derive(Clone)]
struct CheckedConnector {
    allow_private: bool,
    tcp: TcpConnectorService,
}

impl Service<ConnectInfo<Uri>> for CheckedConnector {
    type Response = Connection<Uri, actix_web::rt::net::TcpStream>;
    type Error = TcpError;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    actix_service::always_ready!();

    fn call(&self, request: ConnectInfo<Uri>) -> Self::Future {
        let (allow_private, tcp) = (self.allow_private, self.tcp);
        Box::pin(async move {
            let host = request
                .hostname()
                .trim_start_matches('[')
                .trim_end_matches(']');
            let port = request.port();
            let found: Vec<SocketAddr> = match host.parse::<IpAddr>() {
                Ok(ip) => vec![SocketAddr::new(ip, port)],
                Err(_) => tokio::net::lookup_host((host, port))
                    .await
                    .map_err(|err| TcpError::Resolver(Box::new(err)))?
                    .collect(),
            };
            if found.is_empty() {
                return Err(TcpError::NoRecords);
            }
            let checked = outbound::checked_addresses(found, allow_private)
                .map_err(|blocked| TcpError::Resolver(Box::new(blocked)))?;
            tcp.call(request.set_addrs(checked)).await
        })
    }
}

/// The client deliveries go out with. Its timeouts are `timeout` (the connection, TLS and the
/// answer each within it; [`post`] bounds the whole attempt by it too).
pub fn client(timeout: Duration, allow_private: bool) -> awc::Client {
    let connector = awc::Connector::new()
        .connector(CheckedConnector {
            allow_private,
            tcp: TcpConnectorService::default(),
        })
        .timeout(timeout)
        .handshake_timeout(timeout);
    awc::Client::builder()
        .connector(connector)
        .timeout(timeout)
        .disable_redirects()
        .finish()
}

/// What one attempt came to: the receiver's status when it answered, and why it failed if it
/// did.
pub struct Answer {
    pub status_code: Option<u16>,
    pub failure: Option<Failure>,
    pub latency: Duration,
}

/// POSTs `body` with `headers` to `url`, all within `timeout`.
pub async fn post(
    client: &awc::Client,
    url: &str,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
    timeout: Duration,
) -> Answer {
    let started = Instant::now();
    let deadline = tokio::time::Instant::from_std(started + timeout);
    let mut request = client.post(url);
    for header in headers {
        request = request.insert_header(header);
    }
    let sent = tokio::time::timeout_at(deadline, request.send_body(body)).await;
    let (status_code, failure) = match sent {
        Err(_elapsed) => (None, Some(Failure::Timeout)),
        Ok(Err(err)) => (None, Some(classify(&err))),
        Ok(Ok(mut response)) => {
            let code = response.status().as_u16();
            // Read a little so the connection can be reused; what it says does not matter.
            let _ = tokio::time::timeout_at(deadline, response.body().limit(MAX_BODY)).await;
            (Some(code), Failure::of_status(code))
        }
    };
    Answer {
        status_code,
        failure,
        latency: started.elapsed(),
    }
}

/// The class of a transport failure.
fn classify(err: &SendRequestError) -> Failure {
    match err {
        SendRequestError::Url(_) => Failure::InvalidUrl,
        SendRequestError::Connect(connect) => match connect {
            ConnectError::Resolver(cause) if cause.downcast_ref::<BlockedAddress>().is_some() => {
                Failure::BlockedAddress
            }
            ConnectError::Resolver(_) | ConnectError::NoRecords | ConnectError::Unresolved => {
                Failure::DnsFailure
            }
            ConnectError::Timeout => Failure::Timeout,
            ConnectError::SslIsNotSupported => Failure::TlsError,
            ConnectError::Io(io) => of_io(io),
            _ => Failure::ConnectionFailed,
        },
        SendRequestError::Timeout => Failure::Timeout,
        SendRequestError::Send(io) => of_io(io),
        SendRequestError::Response(_) | SendRequestError::H2(_) => Failure::InvalidResponse,
        _ => Failure::ConnectionFailed,
    }
}

fn of_io(err: &io::Error) -> Failure {
    use io::ErrorKind::*;
    match err.kind() {
        ConnectionRefused => Failure::ConnectionRefused,
        TimedOut | WouldBlock => Failure::Timeout,
        ConnectionReset | ConnectionAborted | BrokenPipe | UnexpectedEof | NotConnected => {
            Failure::ConnectionClosed
        }
        // The TLS layer reports a failed handshake (a bad certificate, say) as invalid data,
        // and a host it cannot name as invalid input; a TCP connect never does.
        InvalidData | InvalidInput => Failure::TlsError,
        _ => Failure::ConnectionFailed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn connect(err: ConnectError) -> Failure {
        classify(&SendRequestError::Connect(err))
    }

    #[test]
    fn transport_errors_are_reported_by_class() {
        let blocked = BlockedAddress {
            ip: "127.0.0.1".parse().unwrap(),
            range: outbound::Reserved::Loopback,
        };
        assert_eq!(
            connect(ConnectError::Resolver(Box::new(blocked))),
            Failure::BlockedAddress
        );
        let no_such_host = io::Error::other("failed to lookup address information");
        assert_eq!(
            connect(ConnectError::Resolver(Box::new(no_such_host))),
            Failure::DnsFailure
        );
        assert_eq!(connect(ConnectError::NoRecords), Failure::DnsFailure);
        assert_eq!(connect(ConnectError::Timeout), Failure::Timeout);
        assert_eq!(
            connect(ConnectError::Io(io::ErrorKind::ConnectionRefused.into())),
            Failure::ConnectionRefused
        );
        assert_eq!(
            connect(ConnectError::Io(io::Error::new(
                io::ErrorKind::InvalidData,
                "invalid peer certificate"
            ))),
            Failure::TlsError
        );
        assert_eq!(classify(&SendRequestError::Timeout), Failure::Timeout);
        assert_eq!(
            classify(&SendRequestError::Send(
                io::ErrorKind::ConnectionReset.into()
            )),
            Failure::ConnectionClosed
        );
    }
}
