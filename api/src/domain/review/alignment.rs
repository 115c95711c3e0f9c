//! Alignment health: seed 004's three leading indicators of alignment theater, week by week, and
//! the verdict they give.
//!
//! - Lead rejection rate: rejections / MQLs of each week.
//! - Mid-funnel stage aging: the median (lower) days the leads sitting in SAL or SQL at the end
//!   of each week have spent in that stage.
//! - Win-rate divergence by segment: over the deals closed in the 28 days up to the end of each
//!   week (a month, so that a segment's rate rests on more than a week of closes), the highest
//!   segment win rate minus the lowest; `None` with fewer than two segments. Deals without a
//!   segment are left out.
//!
//! For all three, higher is worse. "Moving the wrong way for a month" is judged on the last five
//! weekly points (four week-over-week steps): at least three of the four steps rise and the
//! last point is above the first. One flat or better week does not clear an indicator; noise
//! that ends where it started does not condemn it. A step with a missing point never rises.
//!
//! The verdict: THEATER when the rejection rate rose four weeks in a row (four strict rises
//! over the last five points: "if your lead rejection rate has climbed for four straight weeks,
//! you are already in theater"); otherwise MISALIGNED when at least two of the three indicators
//! move the wrong way; otherwise ALIGNED. THEATER is checked first because it is the seed's
//! sharper diagnosis; the indicators' own flags still show whether two of three moved.

use std::collections::BTreeMap;

use super::metrics::{
    lower_median, metrics, DealStatus, Facts, GroupBy, GroupKey, MetricsQuery, Range, Stage,
    StageStay,
};
use super::ReviewError;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// The fewest weekly points the verdict can be given on: four week-over-week steps.
pub const HEALTH_MIN_WEEKS: usize = 5;

/// The stages whose aging is watched.
pub const MID_FUNNEL: [Stage; 2] = [Stage::Sal, Stage::Sql];

/// Win rates by segment look back this many days from each week's end.
pub const WIN_RATE_WINDOW_DAYS: i64 = 28;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Verdict {
    Aligned,
    Misaligned,
    Theater,
}

/// One week of a series: the week's Monday and its value (`None` when there was nothing to
/// measure).
#[derive(Debug, Clone, PartialEq)]
pub struct WeeklyPoint {
    pub week_of: NaiveDate,
    pub value: Option<f64>,
}

/// A leading indicator: its weekly series, oldest first, and whether it moved the wrong way
/// over the last month.
#[derive(Debug, Clone, PartialEq)]
pub struct Indicator {
    pub points: Vec<WeeklyPoint>,
    pub wrong_way: bool,
}

impl Indicator {
    fn of(points: Vec<WeeklyPoint>) -> Self {
        Self {
            wrong_way: wrong_way(&points),
            points,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct AlignmentHealth {
    pub rejection_rate: Indicator,
    pub mid_funnel_aging: Indicator,
    pub win_rate_divergence: Indicator,
    /// How many weeks in a row, up to the latest, the rejection rate rose.
    pub rejection_rate_rises: u32,
    pub verdict: Verdict,
    /// SLA compliance of each week (met on time / due), carried alongside.
    pub sla_compliance: Vec<WeeklyPoint>,
    /// Rejections disputed by marketing and not yet resolved, at `as_of`.
    pub dispute_backlog: u64,
    /// Days since the oldest of those disputes was raised.
    pub oldest_dispute_days: Option<f64>,
}

/// Whether a higher-is-worse series moved the wrong way over its last five points: at least
/// three of the four steps rise, and the last point is above the first.
pub fn wrong_way(points: &[WeeklyPoint]) -> bool {
    let Some(month) = points.get(points.len().saturating_sub(HEALTH_MIN_WEEKS)..) else {
        return false;
    };
    if month.len() < HEALTH_MIN_WEEKS {
        return false;
    }
    let rising = month.windows(2).filter(|w| rises(&w[0], &w[1])).count();
    rising >= 3 && rises(&month[0], &month[HEALTH_MIN_WEEKS - 1])
}

fn rises(before: &WeeklyPoint, after: &WeeklyPoint) -> bool {
    matches!((before.value, after.value), (Some(a), Some(b)) if b > a)
}

/// Strict rises in a row at the end of the series.
fn rises_in_a_row(points: &[WeeklyPoint]) -> u32 {
    points
        .windows(2)
        .rev()
        .take_while(|w| rises(&w[0], &w[1]))
        .count() as u32
}

/// The indicators over the `weeks` complete weeks before `as_of` (the week holding `as_of` is
/// still running and left out), the verdict, and the backlog.
pub fn alignment_health(
    facts: &Facts,
    as_of: DateTime<Utc>,
    weeks: usize,
) -> Result<AlignmentHealth, ReviewError> {
    if !(HEALTH_MIN_WEEKS..=104).contains(&weeks) {
        return Err(ReviewError::at(
            "weeks",
            format!("must be between {HEALTH_MIN_WEEKS} and 104"),
        ));
    }
    let current = Range::week_of(as_of.date_naive()).from;
    let starts: Vec<DateTime<Utc>> = (0..weeks)
        .map(|i| current - Duration::weeks((weeks - i) as i64))
        .collect();
    let span = Range::new(starts[0], current)?;
    let weekly: BTreeMap<GroupKey, _> = metrics(
        facts,
        &MetricsQuery {
            range: span,
            group_by: Some(GroupBy::Week),
            as_of,
            coverage: None,
        },
    )?
    .groups
    .into_iter()
    .map(|g| (g.key, g.metrics))
    .collect();
    let series = |value: &dyn Fn(DateTime<Utc>) -> Option<f64>| -> Vec<WeeklyPoint> {
        starts
            .iter()
            .map(|start| WeeklyPoint {
                week_of: start.date_naive(),
                value: value(*start),
            })
            .collect()
    };
    let of_week = |start: DateTime<Utc>,
                   pick: fn(&super::metrics::SharedMetrics) -> Option<f64>| {
        weekly
            .get(&GroupKey::Period(start.date_naive()))
            .and_then(pick)
    };
    let rejection_rate = series(&|start| of_week(start, |m| m.rejection_rate));
    let sla_compliance = series(&|start| of_week(start, |m| m.sla_compliance));
    let aging = series(&|start| mid_funnel_age(&facts.stays, start + Duration::weeks(1)));
    let divergence = series(&|start| win_rate_divergence(facts, start + Duration::weeks(1)));

    let rejection_rate_rises = rises_in_a_row(&rejection_rate);
    let (rejection_rate, mid_funnel_aging, win_rate_divergence) = (
        Indicator::of(rejection_rate),
        Indicator::of(aging),
        Indicator::of(divergence),
    );
    let wrong = [&rejection_rate, &mid_funnel_aging, &win_rate_divergence]
        .iter()
        .filter(|i| i.wrong_way)
        .count();
    let verdict = if rejection_rate_rises >= 4 {
        Verdict::Theater
    } else if wrong >= 2 {
        Verdict::Misaligned
    } else {
        Verdict::Aligned
    };
    let disputes: Vec<Duration> = facts
        .rejections
        .iter()
        .chain(&facts.disputes)
        .filter(|r| r.dispute_open_at(as_of))
        .filter_map(|r| r.disputed_at.map(|d| as_of - d))
        .collect();
    Ok(AlignmentHealth {
        rejection_rate,
        mid_funnel_aging,
        win_rate_divergence,
        rejection_rate_rises,
        verdict,
        sla_compliance,
        dispute_backlog: disputes.len() as u64,
        oldest_dispute_days: disputes.iter().max().map(|d| days(*d)),
    })
}

fn days(d: Duration) -> f64 {
    d.num_seconds() as f64 / 86_400.0
}

/// The median days in stage of the leads in a mid-funnel stage just before `end`, from their
/// mid-funnel stays.
fn mid_funnel_age(stays: &[StageStay], end: DateTime<Utc>) -> Option<f64> {
    let ages: Vec<Duration> = stays
        .iter()
        .filter(|stay| stay.running_at(end))
        .map(|stay| end - stay.entered_at)
        .collect();
    lower_median(&ages).map(days)
}

/// Highest minus lowest segment win rate over the deals closed in the window before `end`.
fn win_rate_divergence(facts: &Facts, end: DateTime<Utc>) -> Option<f64> {
    let window = Range {
        from: end - Duration::days(WIN_RATE_WINDOW_DAYS),
        to: end,
    };
    let mut by_segment: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    for deal in &facts.opportunities {
        let (Some(closed), Some(segment)) = (deal.closed_at, &deal.attribution.segment) else {
            continue;
        };
        if !window.contains(closed) {
            continue;
        }
        let tally = by_segment.entry(segment).or_default();
        match deal.status {
            DealStatus::Won => tally.0 += 1,
            DealStatus::Lost => tally.1 += 1,
            DealStatus::Open => {}
        }
    }
    let rates: Vec<f64> = by_segment
        .values()
        .filter(|(won, lost)| won + lost > 0)
        .map(|(won, lost)| *won as f64 / (won + lost) as f64)
        .collect();
    if rates.len() < 2 {
        return None;
    }
    let high = rates.iter().copied().fold(f64::MIN, f64::max);
    let low = rates.iter().copied().fold(f64::MAX, f64::min);
    Some(high - low)
}

#[cfg(test)]
mod tests;
