//! Cost-based rate limits: each user and each API token may spend a budget of query cost per
//! fixed window. In memory on one instance; in Redis when instances share it.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use redis::aio::ConnectionManager;

use crate::bus::{bounded_redis_call, BoxFuture};

/// What is left of the budget after a charge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    pub limit: u64,
    pub remaining: u64,
    pub reset_after_secs: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charge {
    Allowed(Budget),
    Exceeded { retry_after_secs: u64 },
}

pub trait RateLimiter: Send + Sync + 'static {
    /// Spends `cost` from `key`'s budget for the current window, or says when to retry.
    fn charge<'a>(&'a self, key: &'a str, cost: u64) -> BoxFuture<'a, Charge>;
}

/// The fixed window a moment falls in, and the seconds until it ends.
fn window(now: Duration, length: Duration) -> (u64, u64) {
    let length = length.as_secs().max(1);
    let index = now.as_secs() / length;
    (index, length - now.as_secs() % length)
}

fn now() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
}

/// Decides a charge from the window's total after adding `cost`.
fn decide(total: u64, cost: u64, limit: u64, reset_after_secs: u64) -> Charge {
    if total > limit && cost > 0 {
        Charge::Exceeded {
            retry_after_secs: reset_after_secs,
        }
    } else {
        Charge::Allowed(Budget {
            limit,
            remaining: limit.saturating_sub(total),
            reset_after_secs,
        })
    }
}

pub struct MemoryRateLimiter {
    limit: u64,
    window: Duration,
    spent: Mutex<HashMap<String, (u64, u64)>>,
}

impl MemoryRateLimiter {
    pub fn new(limit: u64, window: Duration) -> Self {
        Self {
            limit,
            window,
            spent: Mutex::new(HashMap::new()),
        }
    }

    fn charge_now(&self, key: &str, cost: u64, now: Duration) -> Charge {
        let (index, reset) = window(now, self.window);
        let mut spent = self
            .spent
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if spent.len() > 100_000 {
            spent.retain(|_, (w, _)| *w == index);
        }
        let entry = spent.entry(key.to_owned()).or_insert((index, 0));
        if entry.0 != index {
            *entry = (index, 0);
        }
        let total = entry.1 + cost;
        let charge = decide(total, cost, self.limit, reset);
        if matches!(charge, Charge::Allowed(_)) {
            entry.1 = total;
        }
        charge
    }
}

impl RateLimiter for MemoryRateLimiter {
    fn charge<'a>(&'a self, key: &'a str, cost: u64) -> BoxFuture<'a, Charge> {
        let charge = self.charge_now(key, cost, now());
        Box::pin(async move { charge })
    }
}

pub struct RedisRateLimiter {
    conn: ConnectionManager,
    /// Separates deployments that share one Redis.
    namespace: String,
    limit: u64,
    window: Duration,
}

impl RedisRateLimiter {
    pub fn new(conn: ConnectionManager, namespace: &str, limit: u64, window: Duration) -> Self {
        Self {
            conn,
            namespace: namespace.to_owned(),
            limit,
            window,
        }
    }
}

impl RateLimiter for RedisRateLimiter {
    fn charge<'a>(&'a self, key: &'a str, cost: u64) -> BoxFuture<'a, Charge> {
        Box::pin(async move {
            let (index, reset) = window(now(), self.window);
            let redis_key = format!("accord:rl:{}:{key}:{index}", self.namespace);
            let mut conn = self.conn.clone();
            let result: Result<(u64,), _> = bounded_redis_call(
                redis::pipe()
                    .atomic()
                    .incr(&redis_key, cost)
                    .expire(&redis_key, (reset + 1) as i64)
                    .ignore()
                    .query_async(&mut conn),
            )
            .await;
            match result {
                Ok((total,)) => {
                    let charge = decide(total, cost, self.limit, reset);
                    if matches!(charge, Charge::Exceeded { .. }) {
                        // A refused request spends nothing, as in memory.
                        let _: Result<i64, _> = bounded_redis_call(
                            redis::cmd("DECRBY")
                                .arg(&redis_key)
                                .arg(cost)
                                .query_async(&mut conn),
                        )
                        .await;
                    }
                    charge
                }
                Err(err) => {
                    // A limiter outage must not take the API down with it.
                    tracing::warn!(%err, "rate limiter unavailable; allowing the request");
                    Charge::Allowed(Budget {
                        limit: self.limit,
                        remaining: self.limit,
                        reset_after_secs: reset,
                    })
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spends_until_the_budget_is_gone_then_resets() {
        let limiter = MemoryRateLimiter::new(100, Duration::from_secs(60));
        let t0 = Duration::from_secs(600);
        assert!(matches!(
            limiter.charge_now("u", 60, t0),
            Charge::Allowed(Budget { remaining: 40, .. })
        ));
        assert_eq!(
            limiter.charge_now("u", 60, t0 + Duration::from_secs(10)),
            Charge::Exceeded {
                retry_after_secs: 50
            }
        );
        // A refused request spends nothing.
        assert!(matches!(
            limiter.charge_now("u", 40, t0 + Duration::from_secs(10)),
            Charge::Allowed(Budget { remaining: 0, .. })
        ));
        assert!(matches!(
            limiter.charge_now("u", 60, t0 + Duration::from_secs(60)),
            Charge::Allowed(Budget { remaining: 40, .. })
        ));
    }

    #[test]
    fn keys_are_independent() {
        let limiter = MemoryRateLimiter::new(10, Duration::from_secs(60));
        let t0 = Duration::from_secs(0);
        assert!(matches!(
            limiter.charge_now("a", 10, t0),
            Charge::Allowed(_)
        ));
        assert!(matches!(
            limiter.charge_now("b", 10, t0),
            Charge::Allowed(_)
        ));
    }
}
