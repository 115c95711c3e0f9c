//! What the metrics read: plain rows the API layer fills from the store. Nothing here is
//! computed; every figure is derived from these by the functions of this module.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A lead's stage, as the stage history records it (the API layer maps `entity::LeadStage`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Stage {
    Lead,
    Mql,
    Sal,
    Sql,
    Opportunity,
    Customer,
    Nurture,
    Disqualified,
}

impl Stage {
    /// Every stage: the funnel's path first, then the two ways out of it.
    pub const ALL: [Stage; 8] = [
        Stage::Lead,
        Stage::Mql,
        Stage::Sal,
        Stage::Sql,
        Stage::Opportunity,
        Stage::Customer,
        Stage::Nurture,
        Stage::Disqualified,
    ];

    /// The position on the funnel's path (LEAD 0 .. CUSTOMER 5); `None` for NURTURE and
    /// DISQUALIFIED, which are off it.
    pub fn rank(self) -> Option<u8> {
        match self {
            Stage::Lead => Some(0),
            Stage::Mql => Some(1),
            Stage::Sal => Some(2),
            Stage::Sql => Some(3),
            Stage::Opportunity => Some(4),
            Stage::Customer => Some(5),
            Stage::Nurture | Stage::Disqualified => None,
        }
    }

    /// Whether moving from `self` to `to` goes further down the funnel's path.
    pub fn advances_to(self, to: Stage) -> bool {
        matches!((self.rank(), to.rank()), (Some(a), Some(b)) if b > a)
    }
}

/// Who and what a fact is credited to: the dimensions metrics group by. Each is the value at
/// the time of the fact (the lead's source when it became an MQL, the deal's owner when it was
/// created), `None` when there was none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attribution {
    pub source_id: Option<Uuid>,
    pub segment: Option<String>,
    /// The rep who owned the lead or deal.
    pub owner_id: Option<Uuid>,
    pub campaign_id: Option<Uuid>,
    pub play_id: Option<Uuid>,
}

/// One row of the stage history: `lead_id` entered `to` at `at`.
#[derive(Debug, Clone, PartialEq)]
pub struct StageChange {
    pub lead_id: Uuid,
    /// `None` when the lead was created in `to`.
    pub from: Option<Stage>,
    pub to: Stage,
    pub at: DateTime<Utc>,
    pub attribution: Attribution,
}

/// Where a deal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DealStatus {
    Open,
    Won,
    Lost,
}

/// A deal. Campaign and play in its attribution are those of the lead it was converted from.
#[derive(Debug, Clone, PartialEq)]
pub struct Opportunity {
    pub id: Uuid,
    pub amount: f64,
    pub created_at: DateTime<Utc>,
    /// Set when the deal was won or lost; a deal is open at any instant before it.
    pub closed_at: Option<DateTime<Utc>>,
    pub status: DealStatus,
    /// The deal came from a marketing lead (an MQL sales accepted on its way to the deal).
    pub marketing_sourced: bool,
    /// Marketing touched the deal's account before the deal closed.
    pub marketing_touched_before_close: bool,
    pub attribution: Attribution,
}

impl Opportunity {
    /// Whether the deal was open at `at`: created before it and not yet closed.
    pub fn open_at(&self, at: DateTime<Utc>) -> bool {
        self.created_at < at && self.closed_at.is_none_or(|closed| closed >= at)
    }
}

/// An MQL's assignment to a rep and the rep's first logged touch after it.
#[derive(Debug, Clone, PartialEq)]
pub struct FirstTouch {
    pub lead_id: Uuid,
    pub assigned_at: DateTime<Utc>,
    pub first_touch_at: Option<DateTime<Utc>>,
    pub attribution: Attribution,
}

/// An SLA clock (first touch or status update) with its outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct SlaClock {
    pub lead_id: Uuid,
    pub due_at: DateTime<Utc>,
    /// When the rep did what the clock asked.
    pub met_at: Option<DateTime<Utc>>,
    /// When the background work recorded the breach.
    pub breached_at: Option<DateTime<Utc>>,
    pub attribution: Attribution,
}

impl SlaClock {
    /// Met on time: done at or before the due time.
    pub fn met_on_time(&self) -> bool {
        self.met_at.is_some_and(|met| met <= self.due_at)
    }

    /// Whether the clock's outcome is known at `as_of`: it was met, breached, or its due time
    /// has passed. A clock still running is neither compliant nor not.
    pub fn settled(&self, as_of: DateTime<Utc>) -> bool {
        self.met_at.is_some() || self.breached_at.is_some() || self.due_at <= as_of
    }
}

/// Sales refused an MQL.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejection {
    pub lead_id: Uuid,
    /// The reason code (`WRONG_SEGMENT`, ...); `None` when none was given (rows imported from
    /// elsewhere: Accord itself refuses a rejection without one).
    pub reason: Option<String>,
    pub at: DateTime<Utc>,
    /// When the MQL was handed to sales: the rejection window runs from here.
    pub handed_over_at: DateTime<Utc>,
    pub disputed_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub attribution: Attribution,
}

impl Rejection {
    /// Marketing disputed it and no leader has resolved the dispute yet, at `as_of`.
    pub fn dispute_open_at(&self, as_of: DateTime<Utc>) -> bool {
        self.disputed_at.is_some_and(|d| d <= as_of) && self.resolved_at.is_none_or(|r| r > as_of)
    }
}

/// Money spent on a source or a campaign in one calendar month.
#[derive(Debug, Clone, PartialEq)]
pub struct Spend {
    pub amount: f64,
    /// Any day of the month; the whole month is meant.
    pub month: NaiveDate,
    pub source_id: Option<Uuid>,
    pub campaign_id: Option<Uuid>,
}

/// What a [`DailyCount`] counts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Counted {
    /// Stage changes into this stage.
    Entered(Stage),
    /// Stays in this stage that ended by a move further down the funnel's path, on the day
    /// they began.
    Advanced(Stage),
    /// Rejections, with their reason code.
    Rejected(Option<String>),
    /// SLA clocks due on the day, every one of them settled (the day ended before the report's
    /// `as_of`).
    SlaDue,
    /// Of those, the clocks met at or before their due time.
    SlaMetOnTime,
}

/// Facts counted ahead of time, per UTC day (the store's rollups): `n` facts of `kind` on
/// `day`, credited to `attribution`. A count holds only the dimension the report groups by
/// (all of `attribution` is `None` for a total or a report by period). A day read as counts is
/// never also read as rows, and lies wholly inside or wholly outside every span a report
/// compares: the loader reads the days a span cuts as rows.
#[derive(Debug, Clone, PartialEq)]
pub struct DailyCount {
    pub day: NaiveDate,
    pub kind: Counted,
    pub attribution: Attribution,
    pub n: u64,
}

/// Everything the metrics read, as loaded by the API layer. For the lead velocity rate, stage
/// changes (as rows or daily counts) must reach back to [`super::Range::history_from`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    pub stage_changes: Vec<StageChange>,
    pub opportunities: Vec<Opportunity>,
    pub first_touches: Vec<FirstTouch>,
    pub sla_clocks: Vec<SlaClock>,
    pub rejections: Vec<Rejection>,
    pub spend: Vec<Spend>,
    /// Stage changes, SLA clocks and rejections of whole days, counted.
    pub daily: Vec<DailyCount>,
    /// The mid-funnel stays (SAL and SQL) that may be running at some instant a report ages
    /// leads at; never counted.
    pub stays: Vec<StageStay>,
    /// Rejections read only for their dispute (the backlog), never counted; none of them is
    /// also in `rejections`.
    pub disputes: Vec<Rejection>,
    /// Deals open at the range's end that are not in `opportunities` (created before the range
    /// and not closed in it), summed per credit in the report's grouping: they count only for
    /// coverage.
    pub open_pipeline: Vec<OpenPipeline>,
}

/// A lead's time in one stage: from its entry to the change that ended it (`None`: still
/// there).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StageStay {
    pub entered_at: DateTime<Utc>,
    pub left_at: Option<DateTime<Utc>>,
}

impl StageStay {
    /// In the stage at the instant just before `at`.
    pub fn running_at(&self, at: DateTime<Utc>) -> bool {
        self.entered_at < at && self.left_at.is_none_or(|left| left >= at)
    }
}

/// The amount of deals open at a range's end, for one credit.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenPipeline {
    pub attribution: Attribution,
    pub amount: f64,
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;

    fn t(hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, hour, 0, 0).unwrap()
    }

    #[test]
    fn a_stay_runs_from_its_entry_to_the_change_that_ends_it() {
        let stay = StageStay {
            entered_at: t(9),
            left_at: Some(t(12)),
        };
        assert!(
            !stay.running_at(t(9)),
            "not yet there just before its entry"
        );
        assert!(stay.running_at(t(10)));
        assert!(stay.running_at(t(12)), "still there just before it left");
        assert!(!stay.running_at(t(13)));
        let running = StageStay {
            left_at: None,
            ..stay
        };
        assert!(running.running_at(t(23)));
    }

    #[test]
    fn the_path_and_the_ways_out() {
        assert!(Stage::Mql.advances_to(Stage::Sal));
        // SAL -> OPPORTUNITY skips SQL but still goes down the path.
        assert!(Stage::Sal.advances_to(Stage::Opportunity));
        assert!(!Stage::Mql.advances_to(Stage::Nurture));
        assert!(!Stage::Nurture.advances_to(Stage::Mql));
        assert!(!Stage::Sql.advances_to(Stage::Sal));
    }

    #[test]
    fn open_deals_and_settled_clocks() {
        let deal = Opportunity {
            id: Uuid::now_v7(),
            amount: 1.0,
            created_at: t(9),
            closed_at: Some(t(12)),
            status: DealStatus::Won,
            marketing_sourced: false,
            marketing_touched_before_close: false,
            attribution: Attribution::default(),
        };
        assert!(!deal.open_at(t(9)));
        assert!(deal.open_at(t(10)));
        // Closed at noon: still open at the instant of noon, gone after.
        assert!(deal.open_at(t(12)));
        assert!(!deal.open_at(t(12) + Duration::seconds(1)));

        let clock = |met: Option<u32>, breached: Option<u32>| SlaClock {
            lead_id: Uuid::now_v7(),
            due_at: t(13),
            met_at: met.map(t),
            breached_at: breached.map(t),
            attribution: Attribution::default(),
        };
        assert!(clock(Some(13), None).met_on_time());
        assert!(!clock(Some(14), Some(13)).met_on_time());
        assert!(!clock(None, None).settled(t(12)));
        assert!(clock(None, None).settled(t(13)));
        assert!(clock(Some(10), None).settled(t(11)));
    }

    #[test]
    fn open_disputes() {
        let rejection = Rejection {
            lead_id: Uuid::now_v7(),
            reason: Some("NO_BUDGET".into()),
            at: t(9),
            handed_over_at: t(8),
            disputed_at: Some(t(10)),
            resolved_at: Some(t(15)),
            attribution: Attribution::default(),
        };
        assert!(!rejection.dispute_open_at(t(9)));
        assert!(rejection.dispute_open_at(t(10)));
        assert!(rejection.dispute_open_at(t(14)));
        assert!(!rejection.dispute_open_at(t(15)));
    }
}
