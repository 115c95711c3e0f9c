//! Password hashing with argon2id, on the blocking pool so that no async thread waits on it.

use std::{
    sync::{
        atomic::{AtomicUsize, Ordering},
        OnceLock,
    },
    time::Duration,
};

use argon2::{
    password_hash::{phc::PasswordHash, PasswordHasher, PasswordVerifier},
    Algorithm, Argon2, Params, Version,
};

use tokio::sync::Semaphore;

use crate::error::{AppError, AppResult};

/// OWASP's minimum for argon2id: 19 MiB, two passes, one lane.
const MEMORY_KIB: u32 = 19_456;
const ITERATIONS: u32 = 2;
const PARALLELISM: u32 = 1;

pub const MIN_PASSWORD_LEN: usize = 10;
pub const MAX_PASSWORD_LEN: usize = 256;

fn hasher() -> Argon2<'static> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None)
        .expect("argon2 parameters are valid constants");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Refuses passwords too short or too long to be sensible.
pub fn check_strength(password: &str, field: &str) -> AppResult<()> {
    let len = password.chars().count();
    if len < MIN_PASSWORD_LEN {
        return Err(AppError::bad_input(
            field,
            format!("must be at least {MIN_PASSWORD_LEN} characters"),
        ));
    }
    if password.len() > MAX_PASSWORD_LEN {
        return Err(AppError::bad_input(
            field,
            format!("must be at most {MAX_PASSWORD_LEN} bytes"),
        ));
    }
    Ok(())
}

fn hash_blocking(password: &str) -> AppResult<String> {
    hasher()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|err| AppError::internal(std::io::Error::other(err.to_string())))
}

/// Bounds the argon2 work in flight: each hash holds 19 MiB, so a burst of log-ins must queue
/// (briefly) rather than grow the blocking pool and the heap without limit.
struct HashGate {
    slots: Semaphore,
    waiting: AtomicUsize,
    max_waiting: usize,
    max_wait: Duration,
}

impl HashGate {
    const fn new(slots: usize, max_waiting: usize, max_wait: Duration) -> Self {
        Self {
            slots: Semaphore::const_new(slots),
            waiting: AtomicUsize::new(0),
            max_waiting,
            max_wait,
        }
    }

    /// Runs `work` on the blocking pool once a slot is free; RATE_LIMITED when the queue is full
    /// or the wait too long.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> AppResult<T> {
        let busy = || AppError::RateLimited {
            retry_after_secs: 1,
        };
        let permit = match self.slots.try_acquire() {
            Ok(permit) => permit,
            Err(_) => {
                if self.waiting.fetch_add(1, Ordering::AcqRel) >= self.max_waiting {
                    self.waiting.fetch_sub(1, Ordering::AcqRel);
                    return Err(busy());
                }
                let waited = tokio::time::timeout(self.max_wait, self.slots.acquire()).await;
                self.waiting.fetch_sub(1, Ordering::AcqRel);
                match waited {
                    Ok(Ok(permit)) => permit,
                    _ => return Err(busy()),
                }
            }
        };
        let result = tokio::task::spawn_blocking(work)
            .await
            .map_err(AppError::internal);
        drop(permit);
        result
    }
}

/// Eight hashes at once (about 152 MiB), 64 more waiting at most 5 s each.
static HASHING: HashGate = HashGate::new(8, 64, Duration::from_secs(5));

pub async fn hash(password: String) -> AppResult<String> {
    HASHING.run(move || hash_blocking(&password)).await?
}

/// The outcome of checking a password.
#[derive(Debug, PartialEq, Eq)]
pub enum Verified {
    No,
    Yes,
    /// Correct, but the stored hash is weaker than today's parameters.
    YesRehash,
}

fn verify_blocking(password: &str, stored: &str) -> Verified {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return Verified::No;
    };
    if hasher()
        .verify_password(password.as_bytes(), &parsed)
        .is_err()
    {
        return Verified::No;
    }
    let weaker = match Params::try_from(&parsed) {
        Ok(params) => {
            params.m_cost() < MEMORY_KIB
                || params.t_cost() < ITERATIONS
                || parsed.algorithm.as_str() != "argon2id"
        }
        Err(_) => true,
    };
    if weaker {
        Verified::YesRehash
    } else {
        Verified::Yes
    }
}

/// Checks `password` against `stored`; with no stored hash (unknown user) it checks against a
/// dummy hash so that the answer takes as long as for a real account.
pub async fn verify(password: String, stored: Option<String>) -> AppResult<Verified> {
    HASHING
        .run(move || match stored {
            Some(stored) => verify_blocking(&password, &stored),
            None => {
                let _ = verify_blocking(&password, dummy_hash());
                Verified::No
            }
        })
        .await
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        hash_blocking("accord-dummy-password-for-timing").expect("hashing a constant works")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_parameters() {
        let hash = hash_blocking("correct horse battery").unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert_eq!(
            verify_blocking("correct horse battery", &hash),
            Verified::Yes
        );
        assert_eq!(verify_blocking("wrong horse battery", &hash), Verified::No);
    }

    #[test]
    fn weaker_hashes_ask_for_a_rehash() {
        let weak = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8, 1, 1, None).unwrap(),
        )
        .hash_password(b"correct horse battery")
        .unwrap()
        .to_string();
        assert_eq!(
            verify_blocking("correct horse battery", &weak),
            Verified::YesRehash
        );
    }

    #[tokio::test]
    async fn a_full_hashing_queue_refuses_with_rate_limited() {
        static GATE: HashGate = HashGate::new(1, 1, Duration::from_secs(30));
        let (release, hold) = std::sync::mpsc::channel::<()>();
        let busy = tokio::spawn(GATE.run(move || hold.recv().ok()));
        while GATE.slots.available_permits() > 0 {
            tokio::task::yield_now().await;
        }
        let queued = tokio::spawn(GATE.run(|| 2));
        while GATE.waiting.load(Ordering::Acquire) == 0 {
            tokio::task::yield_now().await;
        }
        // One slot busy, one caller waiting: the next is refused at once.
        assert!(matches!(
            GATE.run(|| 3).await,
            Err(AppError::RateLimited { .. })
        ));
        release.send(()).unwrap();
        assert_eq!(busy.await.unwrap().unwrap(), Some(()));
        assert_eq!(queued.await.unwrap().unwrap(), 2);
    }

    #[tokio::test]
    async fn a_long_wait_for_a_slot_is_refused() {
        static GATE: HashGate = HashGate::new(1, 4, Duration::from_millis(50));
        let (release, hold) = std::sync::mpsc::channel::<()>();
        let busy = tokio::spawn(GATE.run(move || hold.recv().ok()));
        while GATE.slots.available_permits() > 0 {
            tokio::task::yield_now().await;
        }
        assert!(matches!(
            GATE.run(|| 1).await,
            Err(AppError::RateLimited { .. })
        ));
        release.send(()).unwrap();
        busy.await.unwrap().unwrap();
    }

    #[test]
    fn strength() {
        assert!(check_strength("short", "password").is_err());
        assert!(check_strength("long enough password", "password").is_ok());
    }
}
