//! The HTTP/1 upgrade to a WebSocket, taken over from actix-http's dispatcher: every request
//! that asks to upgrade comes here with its connection. `GET /graphql/ws` offering a GraphQL
//! subprotocol gets `101 Switching Protocols` and is served by [`super::Connection`] on the
//! bare stream ([`super::transport`]); anything else is refused and the connection closed.

use std::io;

use actix_codec::{Framed, FramedParts};
use actix_http::{
    body::BodySize,
    h1::{self, Message},
    header::{self, HeaderValue},
    ws, HttpMessage, Request, Response, StatusCode,
};
use actix_service::{fn_service, ServiceFactory};
use actix_web::{rt::net::TcpStream, web::Bytes};
use futures_util::SinkExt;

use super::{transport::Transport, Connection, Protocol};
use crate::{graphql::AccordSchema, state::AppState};

/// The path sockets connect to.
pub const PATH: &str = "/graphql/ws";

type Upgrading = (Request, Framed<TcpStream, h1::Codec>);

/// The upgrade service `HttpService` hands upgrade requests to.
pub fn factory(
    state: AppState,
    schema: AccordSchema,
) -> impl ServiceFactory<
    Upgrading,
    Config = (),
    Response = (),
    Error = actix_web::Error,
    InitError = (),
> + Clone {
    fn_service(move |(request, framed): Upgrading| {
        serve(state.clone(), schema.clone(), request, framed)
    })
}

async fn serve(
    state: AppState,
    schema: AccordSchema,
    request: Request,
    mut framed: Framed<TcpStream, h1::Codec>,
) -> Result<(), actix_web::Error> {
    if request.path() != PATH {
        return Ok(refuse(framed, StatusCode::NOT_FOUND, "").await?);
    }
    let Some(protocol) = Protocol::negotiate(request.headers()) else {
        const OFFER: &str = "offer the graphql-transport-ws (or legacy graphql-ws) subprotocol";
        return Ok(refuse(framed, StatusCode::BAD_REQUEST, OFFER).await?);
    };
    let mut accepted = match ws::handshake(request.head()) {
        Ok(mut builder) => builder.finish().drop_body(),
        Err(err) => {
            let response: Response<_> = err.into();
            return Ok(refuse(framed, response.status(), "").await?);
        }
    };
    accepted.headers_mut().insert(
        header::SEC_WEBSOCKET_PROTOCOL,
        HeaderValue::from_static(protocol.name()),
    );
    // The request's headers point into the HTTP reader's 8 KiB buffer: let both go now rather
    // than keep them for the socket's life.
    drop(request);
    framed
        .send(Message::Item((accepted, BodySize::None)))
        .await?;
    let FramedParts { io, read_buf, .. } = framed.into_parts();
    let transport = Transport::new(io, &read_buf, state.config.max_ws_message_bytes);
    drop(read_buf);
    // The socket runs on a task of its own, sized for it alone: awaited here, it would sit for
    // the socket's whole life inside the HTTP dispatcher's task, whose state is sized for an
    // ordinary request. Shutdown still reaches it (`AppState::shutdown` closes it with 1001).
    actix_web::rt::spawn(Connection::new(state, schema, protocol, transport).run());
    Ok(())
}

/// Answers `status` with `body` and closes the connection.
async fn refuse(
    mut framed: Framed<TcpStream, h1::Codec>,
    status: StatusCode,
    body: &'static str,
) -> io::Result<()> {
    let mut response = Response::with_body(status, ());
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    framed
        .send(Message::Item((
            response,
            BodySize::Sized(body.len() as u64),
        )))
        .await?;
    if !body.is_empty() {
        framed
            .send(Message::Chunk(Some(Bytes::from_static(body.as_bytes()))))
            .await?;
    }
    framed.send(Message::Chunk(None)).await?;
    framed.close().await
}
