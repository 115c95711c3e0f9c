//! Outgoing mail: the links that prove an address, reset a password or offer a seat.
//!
//! With `ACCORD_SMTP_URL` set, mail goes out over SMTP (lettre, rustls) from a background task,
//! so a slow server neither stalls the request nor tells the caller by its timing whether an
//! address is known. Without it (development, tests, the demo) each message is written to the
//! log as one JSON line and kept in the `mail_outbox` table, a development aid from which tests
//! read the links.

pub mod compose;

use std::sync::Arc;

use lettre::{
    message::{header::ContentType, Mailbox},
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
};
use sea_orm::ConnectionTrait;

use crate::{
    config::{Config, ConfigError},
    error::AppResult,
    store::{self, Global},
};

/// What a message is for; the outbox and the log line name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailKind {
    VerifyEmail,
    AddressInUse,
    PasswordReset,
    Invitation,
}

impl MailKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MailKind::VerifyEmail => "verify_email",
            MailKind::AddressInUse => "address_in_use",
            MailKind::PasswordReset => "password_reset",
            MailKind::Invitation => "invitation",
        }
    }
}

/// One message, ready to send.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: String,
    pub kind: MailKind,
    pub subject: String,
    pub body: String,
}

enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Outbox,
}

/// The message as one line of JSON, for the log.
pub fn log_line(mail: &Mail) -> String {
    serde_json::json!({
        "to": mail.to,
        "kind": mail.kind.as_str(),
        "subject": mail.subject,
        "body": mail.body,
    })
    .to_string()
}

/// Sends mail the configured way. Cheap to clone.
#[derive(Clone)]
pub struct Mailer {
    transport: Arc<Transport>,
    from: Mailbox,
}

impl Mailer {
    pub fn new(config: &Config) -> Result<Self, ConfigError> {
        let from = config
            .mail_from
            .parse::<Mailbox>()
            .map_err(|_| ConfigError::new("ACCORD_MAIL_FROM", "is not a valid mailbox"))?;
        let transport = match &config.smtp_url {
            Some(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|_| {
                        ConfigError::new(
                            "ACCORD_SMTP_URL",
                            "must be an smtp:// or smtps:// URL lettre understands",
                        )
                    })?
                    .build(),
            ),
            None => Transport::Outbox,
        };
        Ok(Self {
            transport: Arc::new(transport),
            from,
        })
    }

    /// Whether mail goes to the log and the outbox table rather than an SMTP server.
    pub fn uses_outbox(&self) -> bool {
        matches!(*self.transport, Transport::Outbox)
    }

    /// Sends `mail`. A failure to deliver over SMTP is logged, never returned: the caller's
    /// answer must not depend on it. Call it after the transaction that made the link commits.
    pub async fn send<C: ConnectionTrait>(
        &self,
        global: &Global<'_, C>,
        mail: Mail,
    ) -> AppResult<()> {
        match &*self.transport {
            Transport::Outbox => {
                tracing::info!(target: "accord::mail", "{}", log_line(&mail));
                let kind = mail.kind.as_str();
                store::outbox::keep(global, mail.to, kind, mail.subject, mail.body).await?;
            }
            Transport::Smtp(transport) => {
                let kind = mail.kind.as_str();
                let message = match self.message(mail) {
                    Ok(message) => message,
                    Err(err) => {
                        tracing::warn!(%err, kind, "could not build a mail message");
                        return Ok(());
                    }
                };
                let transport = transport.clone();
                tokio::spawn(async move {
                    if let Err(err) = transport.send(message).await {
                        tracing::warn!(%err, kind, "could not send mail");
                    }
                });
            }
        }
        Ok(())
    }

    fn message(&self, mail: Mail) -> Result<Message, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Message::builder()
            .from(self.from.clone())
            .to(mail.to.parse::<Mailbox>()?)
            .subject(mail.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_logged_message_is_one_json_line_with_everything_sent() {
        let mail = compose::verify_email("http://x", "a@b.co", "acv_1");
        let line = log_line(&mail);
        assert!(!line.contains('\n'));
        let parsed: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(parsed["to"], "a@b.co");
        assert_eq!(parsed["kind"], "verify_email");
        assert_eq!(parsed["body"], mail.body);
    }

    #[test]
    fn an_smtp_url_is_checked_at_start() {
        use clap::Parser as _;
        let mut config = crate::cli::Cli::try_parse_from(["accord"]).unwrap().config;
        assert!(Mailer::new(&config).unwrap().uses_outbox());
        config.smtp_url = Some("smtps://user:secret@mail.example.com".into());
        assert!(!Mailer::new(&config).unwrap().uses_outbox());
        config.smtp_url = Some("http://mail.example.com".into());
        assert_eq!(
            Mailer::new(&config).err().map(|e| e.variable),
            Some("ACCORD_SMTP_URL")
        );
        config.smtp_url = None;
        config.mail_from = "not a mailbox".into();
        assert_eq!(
            Mailer::new(&config).err().map(|e| e.variable),
            Some("ACCORD_MAIL_FROM")
        );
    }
}
