//! Background work inside the server, driven by rows in the database (not timers held only in
//! memory), so a restart loses nothing. Each due item is claimed by one instance at a time
//! (`FOR UPDATE SKIP LOCKED` on Postgres; SQLite runs one instance).

pub mod fit;
pub mod nurture;

use std::time::Duration;

use crate::state::AppState;

/// Starts the job loop: it runs whenever woken (after a change that queues work) and at least
/// every `ACCORD_JOB_POLL_MS`.
pub fn start(state: &AppState) {
    let state = state.clone();
    tokio::spawn(async move {
        let poll = Duration::from_millis(state.config.job_poll_ms);
        let mut shutdown = state.shutdown.clone();
        // The return to nurture is a daily matter: looking once a minute is plenty.
        let mut next_nurture = std::time::Instant::now();
        loop {
            if std::time::Instant::now() >= next_nurture {
                if let Err(err) = nurture::run_once(&state, chrono::Utc::now()).await {
                    tracing::error!(error = ?err, "return to nurture failed; retrying later");
                }
                next_nurture = std::time::Instant::now() + Duration::from_secs(60);
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
