//! Background work inside the server, driven by rows in the database (not timers held only in
//! memory), so a restart loses nothing. Each due item is claimed by one instance at a time
//! (`FOR UPDATE SKIP LOCKED` on Postgres; SQLite runs one instance). Everything reads the
//! state's [`crate::clock::Clock`], so tests can move time forward.

pub mod clocks;
pub mod credits;
mod facts;
pub mod fit;
pub mod nurture;
pub mod periodic;
pub mod reach;
pub mod requalify;
pub mod suspects;
pub mod won_deal_assets;

use std::time::{Duration, Instant};

use crate::{error::AppResult, state::AppState};

/// Slow-moving work (the 60-day return to nurture, the monthly source rule, stalled deals) is
/// looked at this often.
const SLOW_EVERY: Duration = Duration::from_secs(60);

/// Runs every kind of due work once, as of the state's clock: SLA warnings and breaches,
/// cadence steps, plays that ran out, the return to nurture, the monthly source rule, stalled
/// deals and the kept facts (deal credits, account suspects, asset reach, won deals' assets).
/// The job loop calls it (the slow kinds less often); tests call it after moving the clock.
/// Returns how many items were handled.
pub async fn run_due(state: &AppState) -> AppResult<usize> {
    let now = state.clock.now();
    let mut handled = clocks::run_once(state, now).await?;
    handled += nurture::run_once(state, now).await?;
    handled += nurture::check_back(state, now).await?;
    handled += periodic::source_rule(state, now).await?;
    handled += periodic::stalled_opportunities(state, now).await?;
    handled += credits::run_all(state).await?;
    handled += suspects::run_all(state).await?;
    handled += reach::run_all(state).await?;
    handled += won_deal_assets::run_all(state).await?;
    Ok(handled)
}

/// How much due work waits, per queue, across workspaces: SLA clocks past due and not yet
/// handled, cadence steps due and not yet announced, webhook deliveries due.
pub async fn queue_depths(state: &AppState) -> AppResult<Vec<(&'static str, u64)>> {
    crate::store::due_work::queue_depths(&state.store.global(), state.clock.now()).await
}

/// Starts the job loop: it runs whenever woken (after a change that queues work) and at least
/// every `ACCORD_JOB_POLL_MS`. Not started when the configuration turns the loop off (test
/// servers that drive [`run_due`] themselves).
pub fn start(state: &AppState) {
    if !state.config.jobs_loop {
        return;
    }
    let state = state.clone();
    tokio::spawn(async move {
        let poll = Duration::from_millis(state.config.job_poll_ms);
        let mut shutdown = state.shutdown.clone();
        let mut next_slow = Instant::now();
        loop {
            let now = state.clock.now();
            if let Err(err) = clocks::run_once(&state, now).await {
                tracing::error!(error = ?err, "SLA and cadence clocks failed; retrying later");
            }
            if Instant::now() >= next_slow {
                if let Err(err) = nurture::run_once(&state, now).await {
                    tracing::error!(error = ?err, "return to nurture failed; retrying later");
                }
                if let Err(err) = nurture::check_back(&state, now).await {
                    tracing::error!(error = ?err, "check-back leads failed; retrying later");
                }
                if let Err(err) = periodic::source_rule(&state, now).await {
                    tracing::error!(error = ?err, "monthly source rule failed; retrying later");
                }
                if let Err(err) = periodic::stalled_opportunities(&state, now).await {
                    tracing::error!(error = ?err, "stalled-deal plays failed; retrying later");
                }
                next_slow = Instant::now() + SLOW_EVERY;
            }
            loop {
                match fit::run_once(&state).await {
                    Ok(true) => continue,
                    Ok(false) => break,
                    Err(err) => {
                        tracing::error!(error = ?err, "fit-score job failed; retrying later");
                        break;
                    }
                }
            }
            if let Err(err) = credits::run_all(&state).await {
                tracing::error!(error = ?err, "deal credits failed; retrying later");
            }
            if let Err(err) = suspects::run_all(&state).await {
                tracing::error!(error = ?err, "account suspects failed; retrying later");
            }
            if let Err(err) = reach::run_all(&state).await {
                tracing::error!(error = ?err, "asset reach failed; retrying later");
            }
            if let Err(err) = won_deal_assets::run_all(&state).await {
                tracing::error!(error = ?err, "won deals' assets failed; retrying later");
            }
            loop {
                match requalify::run_once(&state).await {
                    Ok(true) => continue,
                    Ok(false) => break,
                    Err(err) => {
                        tracing::error!(error = ?err, "lead re-evaluation failed; retrying later");
                        break;
                    }
                }
            }
            tokio::select! {
                _ = state.jobs_wakeup.notified() => {}
                _ = tokio::time::sleep(poll) => {}
                _ = shutdown.changed() => return,
            }
        }
    });
}

impl AppState {
    /// Tells the job loop there is work now rather than at its next poll.
    pub fn wake_jobs(&self) {
        self.jobs_wakeup.notify_one();
    }
}
