//! The funnel over a range, from the stage history alone: how many leads entered each stage, how
//! many of those went on down the path, how long stays in each stage last (velocity), and how
//! the leads sitting in each stage now compare with that.
//!
//! A stay is the time from a lead's entry into a stage to its next move, whatever the move. The
//! conversion of an entry is judged by that next move only: it converts when the move goes
//! further down the path (SAL -> OPPORTUNITY converts SAL even though it skips SQL), and not
//! when it leaves the path (NURTURE, DISQUALIFIED).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::stats::{days, lower_median, share};
use super::{midnight, Counted, DailyCount, MetricsError, Range, Stage, StageChange};

/// One stage of the funnel.
#[derive(Debug, Clone, PartialEq)]
pub struct FunnelStage {
    pub stage: Stage,
    /// Entries into the stage in the range (a lead entering twice counts twice).
    pub entered: u64,
    /// Of those entries, the ones whose next move (at any time up to `as_of`) went further down
    /// the path.
    pub advanced: u64,
    /// advanced / entered: the stage-to-stage conversion. `None` for CUSTOMER, NURTURE and
    /// DISQUALIFIED, which lead nowhere further, and when nothing entered. Entries still in the
    /// stage count as not (yet) advanced.
    pub conversion: Option<f64>,
    /// Median (lower) length in days of the stays in the stage that ended in the range: the
    /// stage's velocity, and the yardstick for aging.
    pub median_days: Option<f64>,
    /// Leads in the stage at `as_of`.
    pub current: u64,
    /// Median (lower) days those leads have spent in the stage so far.
    pub current_median_age_days: Option<f64>,
    /// How many of those have been in the stage longer than `median_days`; `None` when the
    /// stage has no median.
    pub over_median: Option<u64>,
}

/// Every stage, in the order of [`Stage::ALL`].
#[derive(Debug, Clone, PartialEq)]
pub struct Funnel {
    pub stages: Vec<FunnelStage>,
}

impl Funnel {
    pub fn stage(&self, stage: Stage) -> &FunnelStage {
        self.stages
            .iter()
            .find(|s| s.stage == stage)
            .expect("the funnel has every stage")
    }
}

/// One stay of a lead in a stage: a row of the stage history together with the lead's next
/// move (the store keeps it on the row as `left_at` and `next_stage`).
#[derive(Debug, Clone, PartialEq)]
pub struct Stay {
    pub lead_id: Uuid,
    pub stage: Stage,
    pub entered_at: DateTime<Utc>,
    /// Where the lead went next and when; `None` while it is still in the stage.
    pub next: Option<(Stage, DateTime<Utc>)>,
}

/// The stays a history of stage changes makes, each with its lead's next change.
pub fn stays_of(changes: &[StageChange]) -> Vec<Stay> {
    let mut histories: HashMap<Uuid, Vec<&StageChange>> = HashMap::new();
    for change in changes {
        histories.entry(change.lead_id).or_default().push(change);
    }
    let mut stays = Vec::with_capacity(changes.len());
    for history in histories.values_mut() {
        // Stable: changes at the same instant keep the order they were recorded in.
        history.sort_by_key(|c| c.at);
        for (i, entry) in history.iter().enumerate() {
            stays.push(Stay {
                lead_id: entry.lead_id,
                stage: entry.to,
                entered_at: entry.at,
                next: history.get(i + 1).map(|n| (n.to, n.at)),
            });
        }
    }
    stays
}

/// How a stage's entries in the range fared: the funnel's flow, from the stays alone.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Flow {
    pub entered: u64,
    pub advanced: u64,
    /// Median (lower) length of the stays that ended in the range.
    pub median: Option<Duration>,
}

/// The flow of every stage over `range`, as known at `as_of` (moves after it have not happened
/// yet). `stays` must hold every stay that began or ended in the range.
pub fn flow(
    stays: &[Stay],
    range: &Range,
    as_of: DateTime<Utc>,
) -> Result<BTreeMap<Stage, Flow>, MetricsError> {
    range.validate("range")?;
    let mut tallies: BTreeMap<Stage, (u64, u64, Vec<Duration>)> = BTreeMap::new();
    for stay in stays.iter().filter(|s| s.entered_at <= as_of) {
        let tally = tallies.entry(stay.stage).or_default();
        let next = stay.next.filter(|(_, at)| *at <= as_of);
        if range.contains(stay.entered_at) {
            tally.0 += 1;
            if next.is_some_and(|(to, _)| stay.stage.advances_to(to)) {
                tally.1 += 1;
            }
        }
        if let Some((_, left)) = next.filter(|(_, at)| range.contains(*at)) {
            tally.2.push(left - stay.entered_at);
        }
    }
    Ok(tallies
        .into_iter()
        .map(|(stage, (entered, advanced, stays))| {
            let median = lower_median(&stays);
            (
                stage,
                Flow {
                    entered,
                    advanced,
                    median,
                },
            )
        })
        .collect())
}

/// Adds to `flows` the entries of whole days counted ahead of time (entries and the stays that
/// advanced, inside `range`); their stays' lengths are not in the counts, so the medians are
/// left to the caller.
pub fn add_counted(flows: &mut BTreeMap<Stage, Flow>, counts: &[DailyCount], range: &Range) {
    for count in counts.iter().filter(|c| range.contains(midnight(c.day))) {
        match count.kind {
            Counted::Entered(stage) => flows.entry(stage).or_default().entered += count.n,
            Counted::Advanced(stage) => flows.entry(stage).or_default().advanced += count.n,
            _ => {}
        }
    }
}

/// The leads sitting in a stage at `as_of`, measured against the stage's median stay.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Occupancy {
    pub current: u64,
    /// Median (lower) time in the stage so far.
    pub median_age: Option<Duration>,
    /// How many have been in the stage longer than the median stay; `None` without a median.
    pub over_median: Option<u64>,
}

impl Occupancy {
    /// From the ages of every lead in the stage (the store computes the same in SQL).
    pub fn of(ages: &[Duration], median: Option<Duration>) -> Self {
        Self {
            current: ages.len() as u64,
            median_age: lower_median(ages),
            over_median: median.map(|m| ages.iter().filter(|age| **age > m).count() as u64),
        }
    }
}

/// The funnel: every stage in the order of [`Stage::ALL`], its flow and its occupancy.
pub fn funnel(
    flows: &BTreeMap<Stage, Flow>,
    mut occupancy: impl FnMut(Stage, Option<Duration>) -> Occupancy,
) -> Funnel {
    let stages = Stage::ALL
        .iter()
        .map(|&stage| {
            let flow = flows.get(&stage).cloned().unwrap_or_default();
            let now = occupancy(stage, flow.median);
            let leads_somewhere = !matches!(
                stage,
                Stage::Customer | Stage::Nurture | Stage::Disqualified
            );
            FunnelStage {
                stage,
                entered: flow.entered,
                advanced: flow.advanced,
                conversion: share(flow.advanced, flow.entered).filter(|_| leads_somewhere),
                median_days: flow.median.map(days),
                current: now.current,
                current_median_age_days: now.median_age.map(days),
                over_median: now.over_median,
            }
        })
        .collect();
    Funnel { stages }
}

/// The funnel of a whole, in-memory history (tests, small workspaces): stays from the changes,
/// occupancy from the stays still open at `as_of`.
pub fn funnel_of_history(
    changes: &[StageChange],
    range: &Range,
    as_of: DateTime<Utc>,
) -> Result<Funnel, MetricsError> {
    let stays: Vec<Stay> = stays_of(changes)
        .into_iter()
        .filter(|s| s.entered_at <= as_of)
        .collect();
    let flows = flow(&stays, range, as_of)?;
    Ok(funnel(&flows, |stage, median| {
        let ages: Vec<Duration> = stays
            .iter()
            .filter(|s| s.stage == stage && s.next.is_none_or(|(_, at)| at > as_of))
            .map(|s| as_of - s.entered_at)
            .collect();
        Occupancy::of(&ages, median)
    }))
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{self, at, date};
    use super::*;

    #[track_caller]
    fn check(
        funnel: &Funnel,
        stage: Stage,
        (entered, advanced, conversion): (u64, u64, Option<f64>),
        median_days: Option<f64>,
        (current, age, over): (u64, Option<f64>, Option<u64>),
    ) {
        let row = funnel.stage(stage);
        assert_eq!(
            (row.entered, row.advanced, row.conversion),
            (entered, advanced, conversion),
            "{stage:?} entries"
        );
        assert_eq!(row.median_days, median_days, "{stage:?} median");
        assert_eq!(
            (row.current, row.current_median_age_days, row.over_median),
            (current, age, over),
            "{stage:?} now"
        );
    }

    #[test]
    fn march_funnel() {
        // As of April 1st 09:00, so ages are whole days.
        let funnel = funnel_of_history(
            &fixture::stage_changes(),
            &Range::month_of(date(3, 1)),
            at(4, 1, 9, 0),
        )
        .unwrap();
        assert_eq!(funnel.stages.len(), 8);
        // Nobody entered LEAD in the history (leads start there before it).
        check(&funnel, Stage::Lead, (0, 0, None), None, (0, None, None));
        // MQL entries: C 2 (-> SAL), D 3 (-> NURTURE), E 10 (-> NURTURE), F 12 (-> SAL),
        // D 20 (-> SAL), G 25 (-> DISQUALIFIED): 3 of 6 advanced.
        // MQL stays ending in March: A Feb 20 -> Mar 3 = 11 days, C 1, D 1, E 2, F 2, D 1, G 3;
        // sorted [1, 1, 1, 2, 2, 3, 11], the lower median is the 4th: 2 days.
        // In MQL now: B since Feb 25, 4 + 31 = 35 days, over 2.
        check(
            &funnel,
            Stage::Mql,
            (6, 3, Some(0.5)),
            Some(2.0),
            (1, Some(35.0), Some(1)),
        );
        // SAL entries: A 3 (still there), C 3 (-> SQL), F 14 (-> SQL), D 21 (still there).
        // Stays ended: C 3 -> 9 = 6, F 14 -> 17 = 3; lower median 3.
        // Now: A for 29 days, D for 11; lower median 11; both over 3.
        check(
            &funnel,
            Stage::Sal,
            (4, 2, Some(0.5)),
            Some(3.0),
            (2, Some(11.0), Some(2)),
        );
        // SQL: C 9 (-> OPPORTUNITY 16, a 7-day stay), F 17 (still there, 15 days > 7).
        check(
            &funnel,
            Stage::Sql,
            (2, 1, Some(0.5)),
            Some(7.0),
            (1, Some(15.0), Some(1)),
        );
        // OPPORTUNITY: C 16 -> CUSTOMER 28, 12 days; nobody there now.
        check(
            &funnel,
            Stage::Opportunity,
            (1, 1, Some(1.0)),
            Some(12.0),
            (0, None, Some(0)),
        );
        // CUSTOMER: C since Mar 28 (4 days); no conversion, no finished stay.
        check(
            &funnel,
            Stage::Customer,
            (1, 0, None),
            None,
            (1, Some(4.0), None),
        );
        // NURTURE: D 4 -> MQL 20 (16 days), E since Mar 12 (20 days > 16).
        check(
            &funnel,
            Stage::Nurture,
            (2, 0, None),
            Some(16.0),
            (1, Some(20.0), Some(1)),
        );
        check(
            &funnel,
            Stage::Disqualified,
            (1, 0, None),
            None,
            (1, Some(4.0), None),
        );
    }

    #[test]
    fn changes_after_as_of_are_not_known_yet() {
        // As of March 15th: F's SQL (17th) has not happened, F is an SAL since the 14th; C is
        // in SQL since the 9th.
        let funnel = funnel_of_history(
            &fixture::stage_changes(),
            &Range::month_of(date(3, 1)),
            at(3, 15, 9, 0),
        )
        .unwrap();
        let sal = funnel.stage(Stage::Sal);
        // Entries by then: A 3, C 3, F 14; C advanced.
        assert_eq!((sal.entered, sal.advanced), (3, 1));
        // Now in SAL: A (12 days), F (1 day).
        assert_eq!(sal.current, 2);
        assert_eq!(sal.current_median_age_days, Some(1.0));
    }

    #[test]
    fn a_backwards_range_is_refused() {
        let range = Range {
            from: at(3, 2, 0, 0),
            to: at(3, 1, 0, 0),
        };
        assert_eq!(
            funnel_of_history(&[], &range, at(4, 1, 0, 0))
                .unwrap_err()
                .field,
            "range.to"
        );
    }
}
