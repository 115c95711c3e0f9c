//! Waiting for something to happen: poll a condition until it holds, with a deadline, instead
//! of sleeping for a guessed time. The only sleeps of the suite are the polling interval here
//! and [`quiet_for`], whose point is a stretch of time in which something must not happen.

use std::{future::Future, time::Duration};

use tokio::time::Instant;

/// How often a condition is looked at again.
const INTERVAL: Duration = Duration::from_millis(50);

/// Calls `probe` until it returns `Some`, and returns that; fails the test, naming `what`,
/// when `within` passes first.
pub async fn until<T, F, Fut>(what: &str, within: Duration, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + within;
    loop {
        if let Some(found) = probe().await {
            return found;
        }
        assert!(Instant::now() < deadline, "{what}: not within {within:?}");
        tokio::time::sleep(INTERVAL).await;
    }
}

/// Lets `span` of real time pass, for assertions that something does NOT happen (no delivery
/// before a retry is due, no message on a socket): no event marks "nothing happened", so the
/// test gives the server a fair chance to do the wrong thing and then looks.
pub async fn quiet_for(span: Duration) {
    tokio::time::sleep(span).await;
}
