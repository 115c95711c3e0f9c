//! Outbound webhooks: the events a partner app can subscribe to, how deliveries are signed, and
//! when a failing one is tried again.
//!
//! Signature: `Accord-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>` with the
//! Unix timestamp in `Accord-Timestamp`; receivers recompute it over the raw body and reject
//! timestamps more than five minutes old. Retries back off exponentially from 30 seconds, with up
//! to 20% jitter, capped at six hours between attempts; a delivery still failing 24 hours after
//! it was created is given up, and the webhook disabled.
//!
//! A workspace holds at most [`MAX_PER_WORKSPACE`] webhooks. One instance sends at most
//! [`MAX_IN_FLIGHT`] deliveries at once and [`MAX_IN_FLIGHT_PER_WORKSPACE`] for one workspace
//! ([`InFlight`]), each on its own, so receivers that hang hold their own slots, not others'.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use uuid::Uuid;

/// Webhooks one workspace may register.
pub const MAX_PER_WORKSPACE: u64 = 20;
/// Deliveries one instance sends at once.
pub const MAX_IN_FLIGHT: usize = 64;
/// Deliveries of one workspace one instance sends at once.
pub const MAX_IN_FLIGHT_PER_WORKSPACE: usize = 8;

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

/// What becomes of a delivery after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    Delivered,
    RetryAt(DateTime<Utc>),
    /// Given up: the delivery fails and its webhook is disabled.
    GiveUp(GiveUp),
}

/// Why a delivery was given up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GiveUp {
    /// The receiver answered 410 Gone: it wants no more deliveries.
    Gone,
    /// Attempts kept failing for [`GIVE_UP_AFTER`].
    TooLong,
}

impl GiveUp {
    /// The reason kept on the disabled webhook and told its owner.
    pub fn reason(self) -> &'static str {
        match self {
            GiveUp::Gone => "the receiver answered 410 Gone",
            GiveUp::TooLong => "deliveries kept failing for 24 hours",
        }
    }
}

/// The fate of a delivery created at `created_at` whose attempt number `attempts` (1 for the
/// first) ended in `failure` (`None`: delivered), with a jitter draw in `[0, 1)` for the retry.
pub fn fate(
    failure: Option<Failure>,
    created_at: DateTime<Utc>,
    attempts: u32,
    now: DateTime<Utc>,
    jitter: f64,
) -> Fate {
    match failure {
        None => Fate::Delivered,
        Some(Failure::Status(410)) => Fate::GiveUp(GiveUp::Gone),
        Some(_) => match next_attempt(created_at, attempts, now, jitter) {
            Retry::At(at) => Fate::RetryAt(at),
            Retry::GiveUp => Fate::GiveUp(GiveUp::TooLong),
        },
    }
}

/// Why an attempt failed, as recorded in `lastError` and the attempt log: the class of failure
/// only, never the transport's own text (which would describe the receiver's network to whoever
/// registered the URL).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The URL's host is, or resolved to, an address deliveries may not reach.
    BlockedAddress,
    DnsFailure,
    ConnectionRefused,
    /// The connection could not be made for another reason (unreachable network, say).
    ConnectionFailed,
    /// The connection was closed or reset before an answer came.
    ConnectionClosed,
    Timeout,
    TlsError,
    /// The answer was not HTTP.
    InvalidResponse,
    RedirectNotFollowed,
    /// An answer outside 2xx and 3xx.
    Status(u16),
    InvalidUrl,
}

impl Failure {
    /// What a receiver's status code means for the attempt: 2xx delivers, 3xx is not followed.
    pub fn of_status(code: u16) -> Option<Failure> {
        match code {
            200..=299 => None,
            300..=399 => Some(Failure::RedirectNotFollowed),
            _ => Some(Failure::Status(code)),
        }
    }

    pub fn label(self) -> String {
        match self {
            Failure::BlockedAddress => "blocked address".into(),
            Failure::DnsFailure => "dns failure".into(),
            Failure::ConnectionRefused => "connection refused".into(),
            Failure::ConnectionFailed => "connection failed".into(),
            Failure::ConnectionClosed => "connection closed".into(),
            Failure::Timeout => "timeout".into(),
            Failure::TlsError => "tls error".into(),
            Failure::InvalidResponse => "invalid response".into(),
            Failure::RedirectNotFollowed => "redirect not followed".into(),
            Failure::Status(code) => format!("http {code}"),
            Failure::InvalidUrl => "invalid url".into(),
        }
    }
}

/// The deliveries one instance is sending, by workspace: how many more it may start, and
/// whose.
#[derive(Debug)]
pub struct InFlight {
    capacity: usize,
    per_workspace: usize,
    total: usize,
    by_workspace: HashMap<Uuid, usize>,
    /// Due work was left waiting for a slot: a finished delivery should look for it.
    held_back: bool,
}

impl InFlight {
    pub fn new(capacity: usize, per_workspace: usize) -> Self {
        Self {
            capacity,
            per_workspace,
            total: 0,
            by_workspace: HashMap::new(),
            held_back: false,
        }
    }

    /// How many more deliveries may start.
    pub fn free(&self) -> usize {
        self.capacity.saturating_sub(self.total)
    }

    /// The workspaces using every slot they may have.
    pub fn full_workspaces(&self) -> Vec<Uuid> {
        self.by_workspace
            .iter()
            .filter(|(_, n)| **n >= self.per_workspace)
            .map(|(w, _)| *w)
            .collect()
    }

    /// Which of these due deliveries (by workspace, in order) fit in the free slots.
    pub fn pick(&self, workspaces: &[Uuid]) -> Vec<bool> {
        let mut total = self.total;
        let mut counts: HashMap<Uuid, usize> = HashMap::new();
        workspaces
            .iter()
            .map(|w| {
                let taken = counts
                    .entry(*w)
                    .or_insert_with(|| self.by_workspace.get(w).copied().unwrap_or(0));
                let fits = total < self.capacity && *taken < self.per_workspace;
                if fits {
                    *taken += 1;
                    total += 1;
                }
                fits
            })
            .collect()
    }

    pub fn start(&mut self, workspace: Uuid) {
        self.total += 1;
        *self.by_workspace.entry(workspace).or_default() += 1;
    }

    /// Notes that due work may be waiting for a slot.
    pub fn hold_back(&mut self) {
        self.held_back = true;
    }

    /// Frees a slot; true when work was held back and should be looked for now.
    pub fn finish(&mut self, workspace: Uuid) -> bool {
        self.total = self.total.saturating_sub(1);
        if let Some(n) = self.by_workspace.get_mut(&workspace) {
            *n -= 1;
            if *n == 0 {
                self.by_workspace.remove(&workspace);
            }
        }
        std::mem::take(&mut self.held_back)
    }
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

    #[test]
    fn an_attempt_delivers_retries_or_gives_up() {
        let created = Utc.with_ymd_and_hms(2027, 1, 4, 9, 0, 0).unwrap();
        assert_eq!(fate(None, created, 1, created, 0.0), Fate::Delivered);
        assert_eq!(
            fate(Failure::of_status(500), created, 1, created, 0.0),
            Fate::RetryAt(created + Duration::seconds(30))
        );
        assert_eq!(
            fate(Some(Failure::Timeout), created, 2, created, 0.0),
            Fate::RetryAt(created + Duration::seconds(60))
        );
        // 410 gives up at once, however young the delivery.
        let gone = fate(Failure::of_status(410), created, 1, created, 0.0);
        assert_eq!(gone, Fate::GiveUp(GiveUp::Gone));
        // Any other failure a day on gives up too, for another reason.
        let day = created + GIVE_UP_AFTER;
        let late = fate(Failure::of_status(503), created, 9, day, 0.0);
        assert_eq!(late, Fate::GiveUp(GiveUp::TooLong));
        assert!(GiveUp::Gone.reason().contains("410"));
        assert!(GiveUp::TooLong.reason().contains("24 hours"));
        // A success after a day still delivers.
        assert_eq!(fate(None, created, 9, day, 0.0), Fate::Delivered);
    }

    #[test]
    fn failures_are_named_by_class() {
        assert_eq!(Failure::of_status(204), None);
        assert_eq!(
            Failure::of_status(302).map(Failure::label).as_deref(),
            Some("redirect not followed")
        );
        assert_eq!(
            Failure::of_status(500).map(Failure::label).as_deref(),
            Some("http 500")
        );
        assert_eq!(Failure::BlockedAddress.label(), "blocked address");
        assert_eq!(Failure::ConnectionRefused.label(), "connection refused");
    }

    #[test]
    fn one_workspace_cannot_take_every_slot() {
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let mut ledger = InFlight::new(4, 2);
        // Three of a's due deliveries, then one of b's: a gets two slots, b its one.
        assert_eq!(ledger.pick(&[a, a, a, b]), [true, true, false, true]);
        ledger.start(a);
        ledger.start(a);
        ledger.start(b);
        assert_eq!(ledger.free(), 1);
        assert_eq!(ledger.full_workspaces(), [a]);
        assert_eq!(ledger.pick(&[a, b, b]), [false, true, false]);
        ledger.start(b);
        assert_eq!(ledger.free(), 0);
        assert_eq!(ledger.pick(&[Uuid::from_u128(3)]), [false]);
        // A finished delivery says whether held-back work should be looked for, once.
        ledger.hold_back();
        assert!(ledger.finish(a));
        assert!(!ledger.finish(a));
        assert_eq!(ledger.full_workspaces(), [b]);
        assert_eq!(ledger.free(), 2);
    }
}
