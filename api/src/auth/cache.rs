//! What authentication reads from the database, kept for a few seconds per process, so that an
//! authenticated request makes no database round trip: whether a session is still live, a
//! member's role in a workspace, an API token by its digest.
//!
//! Every change that affects these is announced on the bus (`SessionRevoked`,
//! `MembershipEnded`, `MembershipChanged`, `ApiTokenRevoked`, `ApiTokenChanged`) and evicts the
//! entry: on the instance that made the change before its request answers (the unit of work
//! evicts locally as it publishes), on the others when the message arrives. A lost message is
//! bounded by the time to live; a lost stretch of messages (`Resync`, a lagging receiver) clears
//! everything.

use std::{
    borrow::Borrow,
    hash::Hash,
    num::NonZeroUsize,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex, MutexGuard,
    },
    time::{Duration, Instant},
};

use chrono::{DateTime, Utc};
use entity::Role;
use lru::LruCache;
use tokio::sync::broadcast::error::RecvError;
use uuid::Uuid;

use crate::bus::{Bus, BusEvent, BusMessage};

/// How often an API token's `lastUsedAt` is written, at most, per token and process.
pub const TOUCH_EVERY: Duration = Duration::from_secs(60);

/// What a request needs of an API token row.
#[derive(Debug, Clone)]
pub struct TokenGrant {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub scopes: Vec<String>,
    pub expires_at: Option<DateTime<Utc>>,
    pub trusted_documents_only: bool,
}

/// Taken before a database read: the read may be remembered only if no eviction happened since,
/// or a read that raced a revocation would put the revoked credential back for a whole TTL.
#[derive(Debug, Clone, Copy)]
pub struct Ticket(u64);

/// One kind of entry, least recently used first out.
struct Shelf<K: Hash + Eq, V> {
    entries: Mutex<LruCache<K, (Instant, V)>>,
}

impl<K: Hash + Eq, V: Clone> Shelf<K, V> {
    fn new(capacity: NonZeroUsize) -> Self {
        Self {
            entries: Mutex::new(LruCache::new(capacity)),
        }
    }

    fn lock(&self) -> MutexGuard<'_, LruCache<K, (Instant, V)>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn get<Q>(&self, key: &Q, ttl: Duration) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let mut entries = self.lock();
        match entries.get(key) {
            Some((stored, value)) if stored.elapsed() < ttl => Some(value.clone()),
            Some(_) => {
                entries.pop(key);
                None
            }
            None => None,
        }
    }

    /// Stores `value` unless an eviction came after `ticket` (checked under the lock, so an
    /// eviction either sees the entry and removes it or makes this call drop it).
    fn put(&self, epoch: &AtomicU64, ticket: Ticket, key: K, value: V) {
        let mut entries = self.lock();
        if epoch.load(Ordering::Acquire) == ticket.0 {
            entries.put(key, (Instant::now(), value));
        }
    }

    fn pop(&self, key: &K) {
        self.lock().pop(key);
    }

    /// Removes every entry `doomed` picks (a scan: only for rare events).
    fn remove_where(&self, doomed: impl Fn(&V) -> bool)
    where
        K: Clone,
    {
        let mut entries = self.lock();
        let keys: Vec<K> = entries
            .iter()
            .filter(|(_, (_, value))| doomed(value))
            .map(|(key, _)| key.clone())
            .collect();
        for key in keys {
            entries.pop(&key);
        }
    }

    fn clear(&self) {
        self.lock().clear();
    }
}

/// The per-process credential cache (see the module documentation).
pub struct CredentialCache {
    ttl: Duration,
    /// Bumped by every eviction; see [`Ticket`].
    epoch: AtomicU64,
    /// Session (refresh-token family) id -> still live.
    families: Shelf<Uuid, bool>,
    /// (workspace, user) -> the role of the seat, `None` without one.
    seats: Shelf<(Uuid, Uuid), Option<Role>>,
    /// Token digest -> the token, `None` when unknown or revoked.
    tokens: Shelf<String, Option<TokenGrant>>,
    /// Token id -> when this process last wrote its `lastUsedAt`.
    touched: Shelf<Uuid, ()>,
}

impl CredentialCache {
    /// A cache keeping each entry `ttl` (zero: nothing is kept) and at most `capacity` entries
    /// of each kind.
    pub fn new(ttl: Duration, capacity: usize) -> Self {
        let capacity = NonZeroUsize::new(capacity).unwrap_or(NonZeroUsize::MIN);
        Self {
            ttl,
            epoch: AtomicU64::new(0),
            families: Shelf::new(capacity),
            seats: Shelf::new(capacity),
            tokens: Shelf::new(capacity),
            touched: Shelf::new(capacity),
        }
    }

    pub fn ticket(&self) -> Ticket {
        Ticket(self.epoch.load(Ordering::Acquire))
    }

    pub fn family_is_live(&self, session_id: Uuid) -> Option<bool> {
        self.families.get(&session_id, self.ttl)
    }

    pub fn remember_family(&self, ticket: Ticket, session_id: Uuid, live: bool) {
        if !self.ttl.is_zero() {
            self.families.put(&self.epoch, ticket, session_id, live);
        }
    }

    pub fn seat(&self, workspace_id: Uuid, user_id: Uuid) -> Option<Option<Role>> {
        self.seats.get(&(workspace_id, user_id), self.ttl)
    }

    pub fn remember_seat(
        &self,
        ticket: Ticket,
        workspace_id: Uuid,
        user_id: Uuid,
        role: Option<Role>,
    ) {
        if !self.ttl.is_zero() {
            self.seats
                .put(&self.epoch, ticket, (workspace_id, user_id), role);
        }
    }

    pub fn token(&self, digest: &str) -> Option<Option<TokenGrant>> {
        self.tokens.get(digest, self.ttl)
    }

    pub fn remember_token(&self, ticket: Ticket, digest: String, grant: Option<TokenGrant>) {
        if !self.ttl.is_zero() {
            self.tokens.put(&self.epoch, ticket, digest, grant);
        }
    }

    /// Whether this request should write the token's `lastUsedAt`: once per [`TOUCH_EVERY`]
    /// per token and process, not once per request.
    pub fn should_touch(&self, token_id: Uuid) -> bool {
        let mut touched = self.touched.lock();
        if touched
            .get(&token_id)
            .is_some_and(|(at, ())| at.elapsed() < TOUCH_EVERY)
        {
            return false;
        }
        touched.put(token_id, (Instant::now(), ()));
        true
    }

    /// Evicts what `message` makes stale; every other message passes untouched.
    pub fn observe(&self, message: &BusMessage) {
        let workspace_id = message.workspace_id;
        match &message.event {
            BusEvent::SessionRevoked { session_id } => {
                let session_id = *session_id;
                self.evict(|cache| cache.families.pop(&session_id));
            }
            BusEvent::MembershipEnded { user_id } | BusEvent::MembershipChanged { user_id } => {
                let key = (workspace_id, *user_id);
                self.evict(|cache| cache.seats.pop(&key));
            }
            BusEvent::ApiTokenRevoked { token_id } | BusEvent::ApiTokenChanged { token_id } => {
                let token_id = *token_id;
                self.evict(|cache| {
                    cache
                        .tokens
                        .remove_where(|grant| grant.as_ref().is_some_and(|g| g.id == token_id))
                });
            }
            BusEvent::Resync => self.clear(),
            BusEvent::Activity(_) | BusEvent::Trigger(_) | BusEvent::StageChanged(_) => {}
        }
    }

    /// Forgets everything (messages may have been missed).
    pub fn clear(&self) {
        self.evict(|cache| {
            cache.families.clear();
            cache.seats.clear();
            cache.tokens.clear();
        });
    }

    /// Bumps the epoch first, so a read in flight cannot put back what `remove` takes out.
    fn evict(&self, remove: impl FnOnce(&Self)) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
        remove(self);
    }

    /// Evicts on every message this process receives from `bus`, for as long as it runs.
    pub fn listen(self: &Arc<Self>, bus: &dyn Bus) {
        let mut receiver = bus.subscribe();
        let cache = Arc::downgrade(self);
        tokio::spawn(async move {
            loop {
                let received = receiver.recv().await;
                let Some(cache) = cache.upgrade() else {
                    return;
                };
                match received {
                    Ok(message) => cache.observe(&message),
                    // Evictions were dropped: nothing cached can be trusted.
                    Err(RecvError::Lagged(_)) => cache.clear(),
                    Err(RecvError::Closed) => return,
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(event: BusEvent) -> BusMessage {
        BusMessage {
            workspace_id: Uuid::nil(),
            event,
        }
    }

    fn grant(id: Uuid) -> TokenGrant {
        TokenGrant {
            id,
            workspace_id: Uuid::nil(),
            scopes: vec!["workspace:read".into()],
            expires_at: None,
            trusted_documents_only: false,
        }
    }

    #[test]
    fn entries_live_for_the_ttl_and_not_at_all_with_zero() {
        let cache = CredentialCache::new(Duration::from_secs(60), 10);
        let session = Uuid::now_v7();
        cache.remember_family(cache.ticket(), session, true);
        assert_eq!(cache.family_is_live(session), Some(true));

        let off = CredentialCache::new(Duration::ZERO, 10);
        off.remember_family(off.ticket(), session, true);
        assert_eq!(off.family_is_live(session), None);

        let short = CredentialCache::new(Duration::from_millis(1), 10);
        short.remember_family(short.ticket(), session, true);
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(short.family_is_live(session), None);
    }

    #[test]
    fn revocations_evict_only_what_they_name() {
        let cache = CredentialCache::new(Duration::from_secs(60), 10);
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        // Any seat will do: which one is the permission table's business.
        let seat = <Role as sea_orm::Iterable>::iter().next().expect("a role");
        let ticket = cache.ticket();
        cache.remember_family(ticket, a, true);
        cache.remember_family(ticket, b, true);
        cache.remember_seat(ticket, Uuid::nil(), a, Some(seat));
        cache.remember_seat(ticket, Uuid::nil(), b, Some(seat));
        cache.remember_token(ticket, "da".into(), Some(grant(a)));
        cache.remember_token(ticket, "db".into(), Some(grant(b)));

        cache.observe(&message(BusEvent::SessionRevoked { session_id: a }));
        cache.observe(&message(BusEvent::MembershipChanged { user_id: a }));
        cache.observe(&message(BusEvent::ApiTokenRevoked { token_id: a }));
        assert_eq!(cache.family_is_live(a), None);
        assert_eq!(cache.seat(Uuid::nil(), a), None);
        assert!(cache.token("da").is_none());
        assert_eq!(cache.family_is_live(b), Some(true));
        assert_eq!(cache.seat(Uuid::nil(), b), Some(Some(seat)));
        assert!(cache.token("db").is_some());

        cache.observe(&message(BusEvent::Resync));
        assert_eq!(cache.family_is_live(b), None);
        assert!(cache.token("db").is_none());
    }

    #[test]
    fn a_read_that_raced_an_eviction_is_not_remembered() {
        let cache = CredentialCache::new(Duration::from_secs(60), 10);
        let session = Uuid::now_v7();
        let before = cache.ticket();
        cache.observe(&message(BusEvent::SessionRevoked {
            session_id: session,
        }));
        cache.remember_family(before, session, true);
        assert_eq!(cache.family_is_live(session), None);
    }

    #[test]
    fn the_cache_is_bounded_and_touches_are_throttled() {
        let cache = CredentialCache::new(Duration::from_secs(60), 2);
        let ids: Vec<Uuid> = (0..3).map(|_| Uuid::now_v7()).collect();
        for id in &ids {
            cache.remember_family(cache.ticket(), *id, true);
        }
        assert_eq!(
            cache.family_is_live(ids[0]),
            None,
            "least recently used out"
        );
        assert_eq!(cache.family_is_live(ids[2]), Some(true));

        assert!(cache.should_touch(ids[0]));
        assert!(!cache.should_touch(ids[0]));
        assert!(cache.should_touch(ids[1]));
    }
}
