//! The daily rollups (migration 000009): every writer of a counted fact adds it here in its own
//! transaction, so the counts are exactly those of the history; reports read whole days from
//! here instead of loading the rows.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use entity::{metric_rollup, LeadStage, RejectionReason};
use sea_orm::{ActiveValue::Set, ConnectionTrait};
use uuid::Uuid;

use super::stage_of;
use crate::{
    domain::metrics::{Attribution, Counted, DailyCount, GroupBy},
    error::AppResult,
    store::{self, Tenant},
};

/// One way of crediting facts; every fact is counted once under each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dimension {
    All,
    Source,
    Segment,
    Rep,
    Campaign,
    Play,
}

const DIMENSIONS: [Dimension; 6] = [
    Dimension::All,
    Dimension::Source,
    Dimension::Segment,
    Dimension::Rep,
    Dimension::Campaign,
    Dimension::Play,
];

impl Dimension {
    /// The dimension a report grouped this way reads (periods are days summed up).
    pub fn of(group_by: Option<GroupBy>) -> Self {
        match group_by {
            Some(GroupBy::Source) => Dimension::Source,
            Some(GroupBy::Segment) => Dimension::Segment,
            Some(GroupBy::Rep) => Dimension::Rep,
            Some(GroupBy::Campaign) => Dimension::Campaign,
            Some(GroupBy::Play) => Dimension::Play,
            None | Some(GroupBy::Week) | Some(GroupBy::Month) => Dimension::All,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Dimension::All => "ALL",
            Dimension::Source => "SOURCE",
            Dimension::Segment => "SEGMENT",
            Dimension::Rep => "REP",
            Dimension::Campaign => "CAMPAIGN",
            Dimension::Play => "PLAY",
        }
    }

    /// The stored key of `credit` (nil and empty stand for "none": see the migration).
    fn key(self, credit: &Attribution) -> (Uuid, String) {
        let id = |id: Option<Uuid>| (id.unwrap_or(Uuid::nil()), String::new());
        match self {
            Dimension::All => id(None),
            Dimension::Source => id(credit.source_id),
            Dimension::Segment => (Uuid::nil(), credit.segment.clone().unwrap_or_default()),
            Dimension::Rep => id(credit.owner_id),
            Dimension::Campaign => id(credit.campaign_id),
            Dimension::Play => id(credit.play_id),
        }
    }

    /// The attribution a stored key stands for, in this dimension only.
    fn credit(self, key_id: Uuid, key_text: String) -> Attribution {
        let id = (!key_id.is_nil()).then_some(key_id);
        let mut credit = Attribution::default();
        match self {
            Dimension::All => {}
            Dimension::Source => credit.source_id = id,
            Dimension::Segment => credit.segment = (!key_text.is_empty()).then_some(key_text),
            Dimension::Rep => credit.owner_id = id,
            Dimension::Campaign => credit.campaign_id = id,
            Dimension::Play => credit.play_id = id,
        }
        credit
    }
}

/// A fact the rollups count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fact {
    /// A stage change into this stage, on its day.
    Entered(LeadStage),
    /// A stay in this stage that ended by a move further down the funnel's path, on the day
    /// the stay began.
    Advanced(LeadStage),
    /// A rejection, on its day.
    Rejected(RejectionReason),
    /// An SLA clock, on the day it is due.
    SlaDue,
    /// An SLA clock met at or before its due time, on the day it is due.
    SlaMet,
}

const STAGE: &str = "STAGE";
const ADVANCED: &str = "ADVANCED";
const REJECTION: &str = "REJECTION";
const SLA_DUE: &str = "SLA_DUE";
const SLA_MET: &str = "SLA_MET";

impl Fact {
    fn name(self) -> &'static str {
        match self {
            Fact::Entered(_) => STAGE,
            Fact::Advanced(_) => ADVANCED,
            Fact::Rejected(_) => REJECTION,
            Fact::SlaDue => SLA_DUE,
            Fact::SlaMet => SLA_MET,
        }
    }

    fn detail(self) -> &'static str {
        match self {
            Fact::Entered(stage) | Fact::Advanced(stage) => stage.as_str(),
            Fact::Rejected(reason) => reason.as_str(),
            Fact::SlaDue | Fact::SlaMet => "",
        }
    }
}

/// The families of facts a report reads from the rollups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Stages,
    /// Entries and the stays among them that advanced: the funnel's flow.
    Flow,
    Rejections,
    Clocks,
}

impl Family {
    fn names(self) -> &'static [&'static str] {
        match self {
            Family::Stages => &[STAGE],
            Family::Flow => &[STAGE, ADVANCED],
            Family::Rejections => &[REJECTION],
            Family::Clocks => &[SLA_DUE, SLA_MET],
        }
    }
}

/// Counts one `fact` that happened at `at`, credited to `credit`, under every dimension.
pub async fn count<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    fact: Fact,
    at: DateTime<Utc>,
    credit: &Attribution,
) -> AppResult<()> {
    add(tenant, fact, at, credit, 1).await
}

/// Facts gathered over a batch of changes, written with one upsert ([`Tally::write`]). A key
/// counted twice is summed here first: one upsert may not touch a row twice.
#[derive(Debug, Default)]
pub struct Tally {
    counts: HashMap<TallyKey, i64>,
}

type TallyKey = (
    Dimension,
    &'static str,
    NaiveDate,
    &'static str,
    Uuid,
    String,
);

impl Tally {
    /// Counts one `fact` that happened at `at`, credited to `credit`, under every dimension.
    pub fn count(&mut self, fact: Fact, at: DateTime<Utc>, credit: &Attribution) {
        for dimension in DIMENSIONS {
            let (key_id, key_text) = dimension.key(credit);
            let key = (
                dimension,
                fact.name(),
                at.date_naive(),
                fact.detail(),
                key_id,
                key_text,
            );
            *self.counts.entry(key).or_default() += 1;
        }
    }

    pub async fn write<C: ConnectionTrait>(self, tenant: &Tenant<'_, C>) -> AppResult<()> {
        if self.counts.is_empty() {
            return Ok(());
        }
        // In key order: concurrent batches counting the same days lock the rows in the same
        // order.
        let mut counts: Vec<(TallyKey, i64)> = self.counts.into_iter().collect();
        counts.sort();
        let rows: Vec<metric_rollup::ActiveModel> = counts
            .into_iter()
            .map(|((dimension, fact, day, detail, key_id, key_text), n)| {
                metric_rollup::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    workspace_id: Set(tenant.workspace_id()),
                    dimension: Set(dimension.name().to_owned()),
                    fact: Set(fact.to_owned()),
                    day: Set(day),
                    detail: Set(detail.to_owned()),
                    key_id: Set(key_id),
                    key_text: Set(key_text),
                    n: Set(n),
                }
            })
            .collect();
        for chunk in rows.chunks(store::sql::rows_per_statement(9)) {
            store::rollups::add(tenant, chunk.to_vec()).await?;
        }
        Ok(())
    }
}

/// Takes back one `fact` counted at `at` under `credit` (a rejection whose dispute was upheld),
/// in the unit of work of the change that overturned it.
pub async fn uncount<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    fact: Fact,
    at: DateTime<Utc>,
    credit: &Attribution,
) -> AppResult<()> {
    add(tenant, fact, at, credit, -1).await
}

async fn add<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    fact: Fact,
    at: DateTime<Utc>,
    credit: &Attribution,
    n: i64,
) -> AppResult<()> {
    let rows = DIMENSIONS.iter().map(|dimension| {
        let (key_id, key_text) = dimension.key(credit);
        metric_rollup::ActiveModel {
            id: Set(Uuid::now_v7()),
            workspace_id: Set(tenant.workspace_id()),
            dimension: Set(dimension.name().to_owned()),
            fact: Set(fact.name().to_owned()),
            day: Set(at.date_naive()),
            detail: Set(fact.detail().to_owned()),
            key_id: Set(key_id),
            key_text: Set(key_text),
            n: Set(n),
        }
    });
    store::rollups::add(tenant, rows.collect()).await
}

/// The counts of `family` on the days of `runs` (half-open runs of days), in `dimension`.
pub async fn daily<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    family: Family,
    dimension: Dimension,
    runs: &[(NaiveDate, NaiveDate)],
) -> AppResult<Vec<DailyCount>> {
    if runs.is_empty() {
        return Ok(Vec::new());
    }
    let rows = store::rollups::on_days(tenant, dimension.name(), family.names(), runs).await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let kind = match row.fact.as_str() {
                STAGE => Counted::Entered(stage_of(stage_named(&row.detail)?)),
                ADVANCED => Counted::Advanced(stage_of(stage_named(&row.detail)?)),
                REJECTION => Counted::Rejected((!row.detail.is_empty()).then_some(row.detail)),
                SLA_DUE => Counted::SlaDue,
                SLA_MET => Counted::SlaMetOnTime,
                _ => return None,
            };
            Some(DailyCount {
                day: row.day,
                kind,
                attribution: dimension.credit(row.key_id, row.key_text),
                n: u64::try_from(row.n).unwrap_or(0),
            })
        })
        .collect())
}

fn stage_named(name: &str) -> Option<LeadStage> {
    use sea_orm::Iterable;
    LeadStage::iter().find(|s| s.as_str() == name)
}

/// Recounts every workspace's rollups from the history, replacing them, stamps first-touch
/// clocks with their first touch and sets the market facts (`store::market_facts`): for data
/// loaded straight into the tables (imports of history, the benchmark's generator).
pub async fn rebuild(state: &crate::state::AppState) -> AppResult<()> {
    let work = crate::services::unit_of_work::UnitOfWork::begin_global(state).await?;
    store::rollups::rebuild(&work.global()).await?;
    work.commit().await
}
