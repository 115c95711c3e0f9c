//! `accord demo`: a workspace that looks like a real 50-person SaaS revenue team after 90 days
//! of work, so every dashboard has something worth looking at. The history is made by acting
//! through the GraphQL schema on a clock that starts in the past and moves forward event by
//! event: the stage history, SLA clocks, triggers, tasks and rollups are those the product
//! itself wrote. Reproducible from a seed (the same people, companies and story; new ids).

mod cast;
mod client;
mod plan;
mod setup;
mod story;

pub use story::Counts;

use std::fmt;

use chrono::{DateTime, Duration, Timelike, Utc};

use crate::{clock::Clock, error::AppError, state::AppState, store};
use plan::WORKSPACE_NAME;

/// Every demo person signs in with this password.
pub const DEMO_PASSWORD: &str = "accord-demo-2026";

#[derive(clap::Args, Debug, Clone)]
pub struct DemoArgs {
    /// Same seed, same people, companies and story.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// How many days of history to make, ending now.
    #[arg(long, default_value_t = 90, value_parser = clap::value_parser!(u32).range(14..=365))]
    pub days: u32,
    /// New prospects per working day (about a third of that on weekends).
    #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u32).range(1..=500))]
    pub leads_per_day: u32,
}

impl Default for DemoArgs {
    fn default() -> Self {
        Self {
            seed: 7,
            days: 90,
            leads_per_day: 12,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("{operation} was refused ({code}): {message}")]
    Refused {
        operation: String,
        code: String,
        message: String,
    },
    /// Debug, not the client's message: an operator running the demo wants the cause.
    #[error("{0:?}")]
    App(AppError),
    #[error("unexpected answer: {0}")]
    Answer(#[from] serde_json::Error),
    #[error(
        "accord demo refuses to run with ACCORD_ENV=production: its people share a published \
         password"
    )]
    Production,
    #[error(
        "the demo stopped part-way ({cause}); the workspace {WORKSPACE_NAME} holds what was made: \
         run `accord demo` again on an empty database"
    )]
    Stopped { cause: Box<DemoError> },
}

impl From<AppError> for DemoError {
    fn from(err: AppError) -> Self {
        DemoError::App(err)
    }
}

impl DemoError {
    /// A refusal the story expects now and then (the lead moved on by itself, say).
    fn is_conflict(&self) -> bool {
        matches!(self, DemoError::Refused { code, .. } if code == "CONFLICT")
    }
}

/// What `accord demo` prints: how to get in.
#[derive(Debug)]
pub struct DemoReport {
    pub created: bool,
    pub workspace_name: String,
    pub workspace_slug: String,
    pub email: String,
    pub password: &'static str,
    pub api_token: String,
    pub counts: story::Counts,
}

impl fmt::Display for DemoReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.created {
            writeln!(
                f,
                "Created the demo workspace {} ({}): {}",
                self.workspace_name, self.workspace_slug, self.counts
            )?;
        } else {
            writeln!(
                f,
                "The demo workspace {} ({}) is already in this database.",
                self.workspace_name, self.workspace_slug
            )?;
        }
        writeln!(f, "Log in as   {} / {}", self.email, self.password)?;
        writeln!(
            f,
            "API token   {}   (events:write leads:read triggers:read metrics:read)",
            self.api_token
        )?;
        write!(
            f,
            "Every other member (see `members`) signs in with the same password."
        )
    }
}

/// Makes the demo workspace in the state's database, or, when it is there already, says how to
/// get in (with a fresh API token: the first one's secret was shown once).
pub async fn run(state: &AppState, args: &DemoArgs) -> Result<DemoReport, DemoError> {
    // Fifty people who share one published password have no place on a production database.
    if state.config.is_production() {
        return Err(DemoError::Production);
    }
    let world = plan::World::new(args);
    let owner = &world.team[0];
    if let Some(user) =
        store::people::verified_user_by_email(&state.store.global(), &owner.email).await?
    {
        return setup::existing(state, &world, user).await;
    }
    let start = start_of(Utc::now(), args.days);
    let past = state.with_clock(Clock::frozen_at(start));
    let api = client::Api::new(&past);
    let team = setup::team(&api, &world).await?;
    let stopped = |cause| DemoError::Stopped {
        cause: Box::new(cause),
    };
    let api_token = setup::api_token(&api, &team).await.map_err(stopped)?;
    let catalog = setup::catalog(&api, &world, &team).await.map_err(stopped)?;
    let counts = story::tell(&api, &world, &team, &catalog, args)
        .await
        .map_err(stopped)?;
    let workspace = store::people::workspace_by_id(&state.store.global(), team.workspace_id)
        .await?
        .ok_or_else(|| AppError::internal(std::io::Error::other("demo workspace vanished")))?;
    Ok(DemoReport {
        created: true,
        workspace_name: workspace.name,
        workspace_slug: workspace.slug,
        email: owner.email.clone(),
        password: DEMO_PASSWORD,
        api_token,
        counts,
    })
}

/// Midnight UTC `days` ago: the story's first morning.
fn start_of(now: DateTime<Utc>, days: u32) -> DateTime<Utc> {
    let day = now - Duration::days(i64::from(days));
    day.with_hour(0)
        .and_then(|d| d.with_minute(0))
        .and_then(|d| d.with_second(0))
        .and_then(|d| d.with_nanosecond(0))
        .unwrap_or(day)
}
