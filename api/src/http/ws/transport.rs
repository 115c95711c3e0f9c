//! A WebSocket's frames straight on its TCP stream, once the HTTP/1 upgrade is done. Reps keep
//! a socket open all day and it is idle nearly all of that time, so an idle socket holds no
//! buffer: it waits for the stream to become readable and only then makes room to read, and
//! gives the room back once every byte read has been decoded. (Served through actix-http's
//! dispatcher, every socket kept two 8 KiB buffers and a message channel for its whole life.)

use std::{io, time::Duration};

use actix_codec::{Decoder, Encoder};
use actix_http::ws::{CloseReason, Codec, Frame, Item, Message, ProtocolError};
use actix_web::web::{Bytes, BytesMut};
use tokio::{io::AsyncWriteExt, net::TcpStream};

/// Room made for one read: a subscription message or two.
const READ_CHUNK: usize = 2048;
/// A peer that does not take a frame within this long is gone.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// A whole message from the peer, continuation frames put together.
pub enum Incoming {
    Text(String),
    Binary,
    Ping(Bytes),
    Pong,
    Close,
}

pub struct Transport {
    io: TcpStream,
    codec: Codec,
    read: BytesMut,
    /// A fragmented message being put together: whether it is text, and its bytes so far.
    partial: Option<(bool, BytesMut)>,
    max_message: usize,
}

impl Transport {
    /// `leftover`: what the HTTP/1 reader had already read past the upgrade request.
    pub fn new(io: TcpStream, leftover: &[u8], max_message: usize) -> Self {
        Self {
            io,
            codec: Codec::new().max_size(max_message),
            read: BytesMut::from(leftover),
            partial: None,
            max_message,
        }
    }

    /// The next whole message, or `None` once the peer has gone. Cancel-safe: what was read
    /// stays in the transport until a message is complete.
    pub async fn next(&mut self) -> Option<Result<Incoming, ProtocolError>> {
        loop {
            match self.codec.decode(&mut self.read) {
                Ok(Some(frame)) => match self.assemble(frame) {
                    Ok(Some(message)) => {
                        self.release_if_drained();
                        return Some(Ok(message));
                    }
                    Ok(None) => continue,
                    Err(err) => return Some(Err(err)),
                },
                Ok(None) => {}
                Err(err) => return Some(Err(err)),
            }
            self.release_if_drained();
            if self.io.readable().await.is_err() {
                return None;
            }
            self.read.reserve(READ_CHUNK);
            match self.io.try_read_buf(&mut self.read) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => {}
                Err(_) => return None,
            }
        }
    }

    /// Puts continuation frames together; `None` while a fragmented message is incomplete.
    fn assemble(&mut self, frame: Frame) -> Result<Option<Incoming>, ProtocolError> {
        Ok(Some(match frame {
            Frame::Text(bytes) => text(&bytes)?,
            Frame::Binary(_) => Incoming::Binary,
            Frame::Ping(bytes) => Incoming::Ping(bytes),
            Frame::Pong(_) => Incoming::Pong,
            Frame::Close(_) => Incoming::Close,
            Frame::Continuation(Item::FirstText(bytes)) => {
                self.partial = Some((true, BytesMut::from(&bytes[..])));
                return Ok(None);
            }
            Frame::Continuation(Item::FirstBinary(bytes)) => {
                self.partial = Some((false, BytesMut::from(&bytes[..])));
                return Ok(None);
            }
            Frame::Continuation(Item::Continue(bytes)) => {
                self.extend_partial(&bytes)?;
                return Ok(None);
            }
            Frame::Continuation(Item::Last(bytes)) => {
                self.extend_partial(&bytes)?;
                match self.partial.take() {
                    Some((true, whole)) => text(&whole)?,
                    _ => Incoming::Binary,
                }
            }
        }))
    }

    fn extend_partial(&mut self, bytes: &[u8]) -> Result<(), ProtocolError> {
        let (_, whole) = self
            .partial
            .as_mut()
            .ok_or(ProtocolError::ContinuationNotStarted)?;
        if whole.len() + bytes.len() > self.max_message {
            return Err(ProtocolError::Overflow);
        }
        whole.extend_from_slice(bytes);
        Ok(())
    }

    /// Gives the read buffer back once everything in it has been decoded.
    fn release_if_drained(&mut self) {
        if self.read.is_empty() && self.read.capacity() > 0 {
            self.read = BytesMut::new();
        }
    }

    pub async fn text(&mut self, text: String) -> io::Result<()> {
        self.send(Message::Text(text.into())).await
    }

    pub async fn ping(&mut self) -> io::Result<()> {
        self.send(Message::Ping(Bytes::new())).await
    }

    pub async fn pong(&mut self, bytes: Bytes) -> io::Result<()> {
        self.send(Message::Pong(bytes)).await
    }

    /// Sends a close frame and ends the stream.
    pub async fn close(&mut self, reason: Option<CloseReason>) -> io::Result<()> {
        self.send(Message::Close(reason)).await?;
        self.io.shutdown().await
    }

    async fn send(&mut self, message: Message) -> io::Result<()> {
        let mut frame = BytesMut::new();
        self.codec
            .encode(message, &mut frame)
            .map_err(io::Error::other)?;
        tokio::time::timeout(WRITE_TIMEOUT, self.io.write_all(&frame))
            .await
            .map_err(|_| io::Error::from(io::ErrorKind::TimedOut))?
    }
}

fn text(bytes: &[u8]) -> Result<Incoming, ProtocolError> {
    std::str::from_utf8(bytes)
        .map(|text| Incoming::Text(text.to_owned()))
        .map_err(|_| ProtocolError::Io(io::Error::from(io::ErrorKind::InvalidData)))
}
