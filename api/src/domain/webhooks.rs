//! Outbound webhooks: the events a partner app can subscribe to, how deliveries are signed, and
//! when a failing one is tried again.
//!
//! Signature: `Accord-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>` with the
//! Unix timestamp in `Accord-Timestamp`; receivers recompute it over the raw body and reject
//! timestamps more than five minutes old. Retries back off exponentially from 30 seconds, with up
//! to 20% jitter, capped at six hours between attempts; a delivery still failing 24 hours after
//! it was created is given up, and the webhook disabled.

use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// The events a webhook can ask for.
pub const EVENTS: [&str; 9] = [
    "lead.mql",
    "lead.assigned",
    "lead.accepted",
    "lead.rejected",
    "lead.recycled",
    "lead.converted",
    "opportunity.won",
    "opportunity.lost",
    "source.paused",
];

/// How long a delivery keeps being retried.
pub const GIVE_UP_AFTER: Duration = Duration::hours(24);
/// The first retry waits this long; each next one twice as long.
const FIRST_RETRY_SECS: i64 = 30;
/// No two attempts are further apart than this.
const MAX_RETRY_SECS: i64 = 6 * 3600;

/// Checks a subscription list: known events, no duplicates, at least one. `"*"` means all.
pub fn validate_events(events: &[String]) -> Result<Vec<String>, String> {
    if events.is_empty() {
        return Err("name at least one event (or \"*\" for all)".into());
    }
    let mut out: Vec<String> = Vec::with_capacity(events.len());
    for event in events {
        let event = event.trim();
        if event != "*" && !EVENTS.contains(&event) {
            return Err(format!(
                "unknown event \"{event}\"; known: {}",
                EVENTS.join(", ")
            ));
        }
        if !out.iter().any(|e| e == event) {
            out.push(event.to_owned());
        }
    }
    Ok(out)
}

/// Whether a webhook subscribed to `events` receives `event`.
pub fn wants(events: &[String], event: &str) -> bool {
    events.iter().any(|e| e == "*" || e == event)
}

/// HMAC-SHA256 over `<timestamp>.<body>`.
fn mac(secret: &str, timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The signature header's value for `body` sent at `timestamp` (Unix seconds).
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    format!(
        "v1={}",
        hex::encode(mac(secret, timestamp, body).finalize().into_bytes())
    )
}

/// Verifies a signature the way a receiver should (constant-time comparison).
pub fn verify(secret: &str, timestamp: i64, body: &[u8], header: &str) -> bool {
    let Some(given) = header.strip_prefix("v1=").and_then(|h| hex::decode(h).ok()) else {
        return false;
    };
    mac(secret, timestamp, body).verify_slice(&given).is_ok()
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    At(DateTime<Utc>),
    GiveUp,
}

/// When to try again after failed attempt number `attempts` (1 for the first), given when the
/// delivery was created, the time now and a jitter draw in `[0, 1)`.
pub fn next_attempt(
    created_at: DateTime<Utc>,
    attempts: u32,
    now: DateTime<Utc>,
    jitter: f64,
) -> Retry {
    if now - created_at >= GIVE_UP_AFTER {
        return Retry::GiveUp;
    }
    let exponent = attempts.saturating_sub(1).min(20);
    let base = (FIRST_RETRY_SECS << exponent).min(MAX_RETRY_SECS);
    let wait = base as f64 * (1.0 + 0.2 * jitter.clamp(0.0, 1.0));
    let at = now + Duration::milliseconds((wait * 1000.0) as i64);
    // The last attempt lands on the deadline rather than past it.
    let deadline = created_at + GIVE_UP_AFTER;
    Retry::At(at.min(deadline))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn events_are_checked_and_deduplicated() {
        let ok = validate_events(&["lead.mql".into(), "lead.mql".into(), "*".into()]).unwrap();
        assert_eq!(ok, vec!["lead.mql", "*"]);
        assert!(validate_events(&[]).is_err());
        let err = validate_events(&["lead.nope".into()]).unwrap_err();
        assert!(err.contains("lead.nope"), "{err}");
        assert!(wants(&["*".into()], "source.paused"));
        assert!(wants(&["lead.mql".into()], "lead.mql"));
        assert!(!wants(&["lead.mql".into()], "lead.rejected"));
    }

    #[test]
    fn signatures_verify_and_detect_tampering() {
        // Known answer: HMAC-SHA256("whsec", "1700000000.{}").
        let sig = signature("whsec", 1_700_000_000, b"{}");
        assert!(sig.starts_with("v1=") && sig.len() == 3 + 64, "{sig}");
        assert!(verify("whsec", 1_700_000_000, b"{}", &sig));
        assert!(!verify("whsec", 1_700_000_001, b"{}", &sig));
        assert!(!verify("other", 1_700_000_000, b"{}", &sig));
        assert!(!verify("whsec", 1_700_000_000, b"{ }", &sig));
        assert!(!verify("whsec", 1_700_000_000, b"{}", "v2=00"));
    }

    #[test]
    fn retries_back_off_and_give_up_after_a_day() {
        let created = Utc.with_ymd_and_hms(2027, 1, 4, 9, 0, 0).unwrap();
        // 30 s, 60 s, 120 s ... without jitter.
        assert_eq!(
            next_attempt(created, 1, created, 0.0),
            Retry::At(created + Duration::seconds(30))
        );
        assert_eq!(
            next_attempt(created, 3, created, 0.0),
            Retry::At(created + Duration::seconds(120))
        );
        // Jitter adds at most a fifth.
        assert_eq!(
            next_attempt(created, 1, created, 1.0),
            Retry::At(created + Duration::seconds(36))
        );
        // Capped at six hours, and never past the deadline.
        let late = created + Duration::hours(20);
        assert_eq!(
            next_attempt(created, 15, late, 0.0),
            Retry::At(created + Duration::hours(24))
        );
        assert_eq!(
            next_attempt(created, 16, created + Duration::hours(24), 0.0),
            Retry::GiveUp
        );
        // Summed up: the schedule keeps trying for the whole day.
        let mut now = created;
        let mut attempts = 0;
        while let Retry::At(at) = next_attempt(created, attempts + 1, now, 0.5) {
            attempts += 1;
            now = at;
        }
        assert!(now - created >= GIVE_UP_AFTER, "{attempts} attempts");
        assert!((10..=20).contains(&attempts), "{attempts}");
    }
}
