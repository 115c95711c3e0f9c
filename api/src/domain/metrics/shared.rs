//! The shared metrics of seed 002's revenue metrics stack and seed 004's shared goals, per group.
//! Each field of [`SharedMetrics`] documents its formula; the GraphQL schema repeats it.

use std::collections::BTreeMap;

use chrono::{DateTime, Months, Utc};

use super::range::{midnight, GroupKey};
use super::spend::{carries_spend, share_of};
use super::stats::{percentile, share};
use super::Counted;
use super::{Attribution, DealStatus, Facts, GroupBy, MetricsError, Range, Stage};

/// Seed 002: maintain 3-4x pipeline coverage at all times.
pub const DEFAULT_COVERAGE_BAND: (f64, f64) = (3.0, 4.0);

/// What the open pipeline is measured against.
#[derive(Debug, Clone, PartialEq)]
pub struct CoverageTarget {
    /// The revenue the open pipeline must cover (the coming period's bookings target).
    pub target: f64,
    /// Targets of single groups (a rep's quota, a segment's target), for SOURCE, SEGMENT, REP,
    /// CAMPAIGN and PLAY reports. Groups without one get no coverage.
    pub per_group: BTreeMap<GroupKey, f64>,
    /// The healthy ratio, low and high (3x to 4x by default).
    pub band: (f64, f64),
}

impl CoverageTarget {
    /// A workspace-wide target with the seed's 3-4x band.
    pub fn new(target: f64) -> Self {
        Self {
            target,
            per_group: BTreeMap::new(),
            band: DEFAULT_COVERAGE_BAND,
        }
    }

    fn validate(&self) -> Result<(), MetricsError> {
        let positive = |v: f64| v.is_finite() && v > 0.0;
        if !positive(self.target) {
            return Err(MetricsError::at("coverage.target", "must be positive"));
        }
        if !self.per_group.values().all(|v| positive(*v)) {
            return Err(MetricsError::at("coverage.perGroup", "must be positive"));
        }
        let (low, high) = self.band;
        if !(positive(low) && positive(high) && low <= high) {
            return Err(MetricsError::at(
                "coverage.band",
                "needs 0 < low <= high, for example 3 and 4",
            ));
        }
        Ok(())
    }
}

/// A metrics request.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricsQuery {
    pub range: Range,
    /// `None`: the total only.
    pub group_by: Option<GroupBy>,
    /// The moment the report is made: SLA clocks due after it and not yet met are still running.
    pub as_of: DateTime<Utc>,
    pub coverage: Option<CoverageTarget>,
}

/// Where the coverage ratio stands against its band.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoverageStatus {
    Below,
    Within,
    Above,
}

/// Pipeline coverage: open pipeline / target.
#[derive(Debug, Clone, PartialEq)]
pub struct PipelineCoverage {
    /// Sum of the amounts of deals open at the end of the range (created before it, closed
    /// after it or not at all).
    pub open_pipeline: f64,
    pub target: f64,
    /// open pipeline / target.
    pub ratio: f64,
    pub band: (f64, f64),
    pub status: CoverageStatus,
}

impl PipelineCoverage {
    fn of(open_pipeline: f64, target: f64, band: (f64, f64)) -> Self {
        let ratio = open_pipeline / target;
        let status = if ratio < band.0 {
            CoverageStatus::Below
        } else if ratio > band.1 {
            CoverageStatus::Above
        } else {
            CoverageStatus::Within
        };
        Self {
            open_pipeline,
            target,
            ratio,
            band,
            status,
        }
    }
}

/// How often one reason code was given.
#[derive(Debug, Clone, PartialEq)]
pub struct ReasonCount {
    pub reason: String,
    pub count: u64,
    /// count / all rejections in the group (coded or not).
    pub share: f64,
}

/// Every shared metric of one group (or of the whole range).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SharedMetrics {
    /// Stage changes into MQL in the range. A lead that becomes an MQL twice counts twice: each
    /// entry is a hand-over sales accepts or rejects.
    pub mqls: u64,
    /// Stage changes into SAL (sales accepted) in the range.
    pub sals: u64,
    /// Stage changes into SQL (sales qualified) in the range.
    pub sqls: u64,
    /// Deals created in the range.
    pub opportunities: u64,
    /// SALs / MQLs, both counted in the range.
    pub mql_acceptance_rate: Option<f64>,
    /// Opportunities / MQLs (seed 002: opportunities / qualified leads), both in the range.
    pub lead_to_opportunity_rate: Option<f64>,
    /// Spend in the range: each month's spend spread evenly over the month, the range taking
    /// the share it covers. `None` when grouped by SEGMENT, REP or PLAY (spend is recorded per
    /// source or campaign only).
    pub spend: Option<f64>,
    /// Spend / opportunities created in the range.
    pub cost_per_opportunity: Option<f64>,
    /// (MQLs this month - MQLs last month) / MQLs last month, where "this month" is the
    /// calendar month holding the end of the range (for MONTH groups, the group's month),
    /// counted from its first day up to the range's end, and "last month" the whole calendar
    /// month before. `None` for WEEK groups and when last month had no MQLs.
    pub lead_velocity_rate: Option<f64>,
    /// Sum of the amounts of deals created in the range.
    pub pipeline_created: f64,
    /// Sum of the amounts of deals created in the range that marketing sourced.
    pub marketing_sourced_pipeline: f64,
    /// Sum of the amounts of deals won in the range whose account marketing touched before the
    /// close.
    pub marketing_influenced_revenue: f64,
    /// Sum of the amounts of deals won in the range that marketing sourced.
    pub marketing_sourced_revenue: f64,
    /// Sum of the amounts of deals won in the range.
    pub closed_won_revenue: f64,
    /// Deals won in the range (closed in it with status WON).
    pub won: u64,
    /// Deals lost in the range.
    pub lost: u64,
    /// won / (won + lost), deals closed in the range.
    pub win_rate: Option<f64>,
    /// Median minutes from assignment to the first touch, over leads assigned in the range that
    /// were touched (nearest rank). Wall-clock minutes, not business hours.
    pub first_touch_p50_minutes: Option<i64>,
    /// 90th percentile of the same (nearest rank).
    pub first_touch_p90_minutes: Option<i64>,
    /// Leads assigned in the range with no touch yet (left out of the percentiles).
    pub untouched: u64,
    /// SLA clocks due in the range whose outcome is known: met, breached, or past due.
    pub sla_due: u64,
    /// Of those, met at or before their due time.
    pub sla_met: u64,
    /// sla_met / sla_due.
    pub sla_compliance: Option<f64>,
    /// Rejections in the range.
    pub rejections: u64,
    /// Rejections / MQLs, both in the range.
    pub rejection_rate: Option<f64>,
    /// Reason codes by count, most frequent first (ties by code); the top three are the review's.
    pub rejection_reasons: Vec<ReasonCount>,
    /// Rejections without a reason code.
    pub uncoded_rejections: u64,
    /// Open pipeline at the end of the range / the coverage target; `None` without a target
    /// (and for WEEK and MONTH groups).
    pub coverage: Option<PipelineCoverage>,
}

/// One group of a report.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupMetrics {
    pub key: GroupKey,
    pub metrics: SharedMetrics,
}

/// The whole range, and the range split by the requested grouping (sorted by key).
#[derive(Debug, Clone, PartialEq)]
pub struct MetricsReport {
    pub total: SharedMetrics,
    pub groups: Vec<GroupMetrics>,
}

/// The running sums of one group.
#[derive(Default)]
struct Tally {
    mqls: u64,
    sals: u64,
    sqls: u64,
    opportunities: u64,
    pipeline_created: f64,
    marketing_sourced_pipeline: f64,
    won: u64,
    lost: u64,
    closed_won_revenue: f64,
    marketing_influenced_revenue: f64,
    marketing_sourced_revenue: f64,
    first_touch_minutes: Vec<i64>,
    untouched: u64,
    sla_due: u64,
    sla_met: u64,
    rejections: u64,
    reasons: BTreeMap<String, u64>,
    uncoded: u64,
    spend: f64,
    open_pipeline: f64,
    lvr_this_month: u64,
    lvr_last_month: u64,
}

/// Computes every shared metric over `query.range`, for the whole range and per group.
pub fn metrics(facts: &Facts, query: &MetricsQuery) -> Result<MetricsReport, MetricsError> {
    query.range.validate("range")?;
    if let Some(coverage) = &query.coverage {
        coverage.validate()?;
    }
    let range = &query.range;
    let mut total = Tally::default();
    let mut groups: BTreeMap<GroupKey, Tally> = BTreeMap::new();
    // Adds a fact to the total and to its group; `at` is the fact's own time.
    let mut tally = |attribution: &Attribution, at: DateTime<Utc>, add: &dyn Fn(&mut Tally)| {
        add(&mut total);
        if let Some(group_by) = query.group_by {
            add(groups.entry(group_by.key(attribution, at)).or_default());
        }
    };

    for change in facts.stage_changes.iter().filter(|c| range.contains(c.at)) {
        tally(&change.attribution, change.at, &|t| match change.to {
            Stage::Mql => t.mqls += 1,
            Stage::Sal => t.sals += 1,
            Stage::Sql => t.sqls += 1,
            _ => {}
        });
    }
    for deal in &facts.opportunities {
        if range.contains(deal.created_at) {
            tally(&deal.attribution, deal.created_at, &|t| {
                t.opportunities += 1;
                t.pipeline_created += deal.amount;
                if deal.marketing_sourced {
                    t.marketing_sourced_pipeline += deal.amount;
                }
            });
        }
        if let Some(closed) = deal.closed_at.filter(|c| range.contains(*c)) {
            tally(&deal.attribution, closed, &|t| match deal.status {
                DealStatus::Won => {
                    t.won += 1;
                    t.closed_won_revenue += deal.amount;
                    if deal.marketing_touched_before_close {
                        t.marketing_influenced_revenue += deal.amount;
                    }
                    if deal.marketing_sourced {
                        t.marketing_sourced_revenue += deal.amount;
                    }
                }
                DealStatus::Lost => t.lost += 1,
                DealStatus::Open => {}
            });
        }
    }
    for touch in facts
        .first_touches
        .iter()
        .filter(|f| range.contains(f.assigned_at))
    {
        let minutes = touch
            .first_touch_at
            .map(|first| (first - touch.assigned_at).num_minutes().max(0));
        tally(&touch.attribution, touch.assigned_at, &|t| match minutes {
            Some(m) => t.first_touch_minutes.push(m),
            None => t.untouched += 1,
        });
    }
    for clock in facts
        .sla_clocks
        .iter()
        .filter(|c| range.contains(c.due_at) && c.settled(query.as_of))
    {
        tally(&clock.attribution, clock.due_at, &|t| {
            t.sla_due += 1;
            if clock.met_on_time() {
                t.sla_met += 1;
            }
        });
    }
    for rejection in facts.rejections.iter().filter(|r| range.contains(r.at)) {
        tally(&rejection.attribution, rejection.at, &|t| {
            t.rejections += 1;
            match &rejection.reason {
                Some(code) => *t.reasons.entry(code.clone()).or_default() += 1,
                None => t.uncoded += 1,
            }
        });
    }
    for count in &facts.daily {
        let at = midnight(count.day);
        if !range.contains(at) {
            continue;
        }
        let n = count.n;
        tally(&count.attribution, at, &|t| match &count.kind {
            Counted::Entered(Stage::Mql) => t.mqls += n,
            Counted::Entered(Stage::Sal) => t.sals += n,
            Counted::Entered(Stage::Sql) => t.sqls += n,
            Counted::Entered(_) | Counted::Advanced(_) => {}
            Counted::Rejected(reason) => {
                t.rejections += n;
                match reason {
                    Some(code) => *t.reasons.entry(code.clone()).or_default() += n,
                    None => t.uncoded += n,
                }
            }
            Counted::SlaDue => t.sla_due += n,
            Counted::SlaMetOnTime => t.sla_met += n,
        });
    }

    for row in &facts.spend {
        let part = share_of(row, range, query.group_by);
        total.spend += part.in_range;
        for (key, amount) in part.groups.into_iter().flatten() {
            groups.entry(key).or_default().spend += amount;
        }
    }
    let open_deals = facts
        .opportunities
        .iter()
        .filter(|d| d.open_at(range.to))
        .map(|d| (&d.attribution, d.amount));
    let summed = facts
        .open_pipeline
        .iter()
        .map(|p| (&p.attribution, p.amount));
    for (attribution, amount) in open_deals.chain(summed) {
        total.open_pipeline += amount;
        if let Some(group_by) = query.group_by.filter(|g| !g.is_time()) {
            let key = group_by.key(attribution, range.to);
            groups.entry(key).or_default().open_pipeline += amount;
        }
    }
    count_velocity(facts, range, query.group_by, &mut total, &mut groups);

    let spend_shown = query.group_by.is_none_or(carries_spend);
    let finish_group = |(key, tally): (GroupKey, Tally)| {
        let target = query
            .coverage
            .as_ref()
            .filter(|_| query.group_by.is_some_and(|g| !g.is_time()))
            .and_then(|c| Some((*c.per_group.get(&key)?, c.band)));
        let velocity = query.group_by != Some(GroupBy::Week);
        GroupMetrics {
            metrics: tally.finish(spend_shown, velocity, target),
            key,
        }
    };
    let groups = groups.into_iter().map(finish_group).collect();
    let target = query.coverage.as_ref().map(|c| (c.target, c.band));
    Ok(MetricsReport {
        total: total.finish(true, true, target),
        groups,
    })
}

/// Counts the MQLs the lead velocity rate compares: this month (from its first day to the end
/// of the range) and the whole month before, for the total and for each group.
fn count_velocity(
    facts: &Facts,
    range: &Range,
    group_by: Option<GroupBy>,
    total: &mut Tally,
    groups: &mut BTreeMap<GroupKey, Tally>,
) {
    let last_instant = range.to - chrono::Duration::nanoseconds(1);
    let this_month = Range::month_of(last_instant.date_naive());
    let last_month = Range {
        from: midnight(this_month.from.date_naive() - Months::new(1)),
        to: this_month.from,
    };
    let rows = facts
        .stage_changes
        .iter()
        .filter(|c| c.to == Stage::Mql)
        .map(|c| (&c.attribution, c.at, 1));
    let counted = facts
        .daily
        .iter()
        .filter(|c| c.kind == Counted::Entered(Stage::Mql))
        .map(|c| (&c.attribution, midnight(c.day), c.n));
    for (attribution, at, n) in rows.chain(counted) {
        let this = this_month.contains(at) && at < range.to;
        let last = last_month.contains(at);
        if this {
            total.lvr_this_month += n;
        } else if last {
            total.lvr_last_month += n;
        }
        match group_by {
            Some(GroupBy::Month) if at < range.to => {
                // This MQL is "this month" for its own month and "last month" for the next,
                // each of which is a group only if it overlaps the range.
                let own = Range::month_of(at.date_naive());
                let next = Range::month_of(own.to.date_naive());
                if own.intersect(range).is_some() {
                    let key = GroupKey::Period(own.from.date_naive());
                    groups.entry(key).or_default().lvr_this_month += n;
                }
                if next.intersect(range).is_some() {
                    let key = GroupKey::Period(next.from.date_naive());
                    groups.entry(key).or_default().lvr_last_month += n;
                }
            }
            Some(group_by) if !group_by.is_time() && (this || last) => {
                let tally = groups.entry(group_by.key(attribution, at)).or_default();
                if this {
                    tally.lvr_this_month += n;
                } else {
                    tally.lvr_last_month += n;
                }
            }
            _ => {}
        }
    }
}

impl Tally {
    fn finish(
        self,
        spend_shown: bool,
        velocity: bool,
        coverage: Option<(f64, (f64, f64))>,
    ) -> SharedMetrics {
        let spend = spend_shown.then_some(self.spend);
        let mut reasons: Vec<(String, u64)> = self.reasons.into_iter().collect();
        // Most frequent first; the BTreeMap already ordered equal counts by code.
        reasons.sort_by_key(|(_, count)| std::cmp::Reverse(*count));
        let rejections = self.rejections;
        SharedMetrics {
            mqls: self.mqls,
            sals: self.sals,
            sqls: self.sqls,
            opportunities: self.opportunities,
            mql_acceptance_rate: share(self.sals, self.mqls),
            lead_to_opportunity_rate: share(self.opportunities, self.mqls),
            spend,
            cost_per_opportunity: spend
                .filter(|_| self.opportunities > 0)
                .map(|s| s / self.opportunities as f64),
            lead_velocity_rate: (velocity && self.lvr_last_month > 0).then(|| {
                (self.lvr_this_month as f64 - self.lvr_last_month as f64)
                    / self.lvr_last_month as f64
            }),
            pipeline_created: self.pipeline_created,
            marketing_sourced_pipeline: self.marketing_sourced_pipeline,
            marketing_influenced_revenue: self.marketing_influenced_revenue,
            marketing_sourced_revenue: self.marketing_sourced_revenue,
            closed_won_revenue: self.closed_won_revenue,
            won: self.won,
            lost: self.lost,
            win_rate: share(self.won, self.won + self.lost),
            first_touch_p50_minutes: percentile(&self.first_touch_minutes, 0.5),
            first_touch_p90_minutes: percentile(&self.first_touch_minutes, 0.9),
            untouched: self.untouched,
            sla_due: self.sla_due,
            sla_met: self.sla_met,
            sla_compliance: share(self.sla_met, self.sla_due),
            rejections,
            rejection_rate: share(rejections, self.mqls),
            rejection_reasons: reasons
                .into_iter()
                .map(|(reason, count)| ReasonCount {
                    share: count as f64 / rejections as f64,
                    reason,
                    count,
                })
                .collect(),
            uncoded_rejections: self.uncoded,
            coverage: coverage
                .map(|(target, band)| PipelineCoverage::of(self.open_pipeline, target, band)),
        }
    }
}

#[cfg(test)]
mod tests;
