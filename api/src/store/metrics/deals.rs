//! Deals as the metrics read them: each created or closed in the range (or closed in the
//! trailing window win rates need) as a row, in one statement. What a deal's lead history and
//! account say (sourced by marketing, touched before the close, segment, campaign and play) is
//! looked up through indexes by correlated subqueries, and only where the report can use it.
//! Deals merely open at the range's end count only for coverage: they are summed in the
//! database per credit of the report's grouping ([`open_pipeline`]).

use chrono::{DateTime, Duration, Utc};
use entity::OpportunityStage;
use sea_orm::{ConnectionTrait, FromQueryResult};
use uuid::Uuid;

use crate::{
    domain::metrics::{Attribution, DealStatus, GroupBy, OpenPipeline, Opportunity, Range},
    error::AppResult,
    store::{
        sql::{is_postgres, statement},
        Tenant,
    },
};

#[derive(FromQueryResult)]
struct DealRow {
    id: Uuid,
    source_id: Option<Uuid>,
    owner_id: Option<Uuid>,
    amount: f64,
    stage: OpportunityStage,
    created_at: DateTime<Utc>,
    closed_at: Option<DateTime<Utc>>,
    segment: Option<String>,
    accepted_at: Option<DateTime<Utc>>,
    campaign_id: Option<Uuid>,
    play_id: Option<Uuid>,
    touched: Option<i32>,
}

/// What a report needs of its deals.
#[derive(Debug, Clone, Copy, Default)]
pub struct DealNeeds {
    /// Deals closed this long before the range too (win rates over a trailing window).
    pub closed_before: Duration,
    /// The report's grouping: a deal open at the end counts in it (coverage).
    pub group_by: Option<GroupBy>,
    /// The segment of every deal in play, whatever the grouping (win rates and pipeline by
    /// segment).
    pub segments: bool,
    /// Only the deals closed in the range (and `closed_before` ahead of it), without the open
    /// pipeline or marketing's part in them: win rates, conversion rates and deal size.
    pub closed_only: bool,
}

/// Typed NULLs and the float type of the connection's backend: Postgres wants the type of a
/// NULL column that decodes as a uuid, text or time.
struct SqlTypes {
    no_id: &'static str,
    no_text: &'static str,
    no_time: &'static str,
    real: &'static str,
}

impl SqlTypes {
    fn of<C: ConnectionTrait>(tenant: &Tenant<'_, C>) -> Self {
        if is_postgres(tenant) {
            SqlTypes {
                no_id: "CAST(NULL AS uuid)",
                no_text: "CAST(NULL AS text)",
                no_time: "CAST(NULL AS timestamptz)",
                real: "double precision",
            }
        } else {
            SqlTypes {
                no_id: "NULL",
                no_text: "NULL",
                no_time: "NULL",
                real: "REAL",
            }
        }
    }
}

/// A deal's segment: its account's.
const SEGMENT: &str = "(SELECT a.segment FROM accounts a \
    WHERE a.workspace_id = d.workspace_id AND a.id = d.account_id)";

/// The lead's move into a stage, credited to a campaign or play.
fn credited(column: &str) -> String {
    format!(
        "(SELECT s.{column} FROM stage_changes s \
          WHERE s.workspace_id = d.workspace_id AND s.contact_id = d.lead_id \
            AND s.to_stage = 'OPPORTUNITY' AND s.{column} IS NOT NULL \
          ORDER BY s.changed_at DESC LIMIT 1)"
    )
}

/// The deals of `range` as `needs` asks for them, one row each, in one statement.
pub async fn opportunities<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    range: &Range,
    needs: DealNeeds,
) -> AppResult<Vec<Opportunity>> {
    let SqlTypes {
        no_id,
        no_text,
        no_time,
        ..
    } = SqlTypes::of(tenant);
    let grouped = |by: GroupBy| needs.group_by == Some(by) && !needs.closed_only;
    let segment = if grouped(GroupBy::Segment) || needs.segments {
        SEGMENT.to_owned()
    } else {
        no_text.to_owned()
    };
    let (campaign, play) = if grouped(GroupBy::Campaign) || grouped(GroupBy::Play) {
        (credited("campaign_id"), credited("play_id"))
    } else {
        (no_id.to_owned(), no_id.to_owned())
    };
    // Marketing sourced a deal whose lead sales accepted before it: asked of deals created in
    // the range (sourced pipeline) and won in it (sourced revenue).
    let accepted = if needs.closed_only {
        no_time.to_owned()
    } else {
        "CASE WHEN d.created_at >= $3 OR d.stage = 'CLOSED_WON' THEN \
           (SELECT MIN(s.changed_at) FROM stage_changes s \
            WHERE s.workspace_id = d.workspace_id AND s.contact_id = d.lead_id \
              AND s.to_stage = 'SAL') END"
            .to_owned()
    };
    // Marketing touched a won deal's account when any of its contacts engaged before the close.
    let touched = if needs.closed_only {
        "0"
    } else {
        // Nested rather than joined: SQLite otherwise walks the events first (a minute at
        // 100,000 leads instead of milliseconds).
        "CASE WHEN d.stage = 'CLOSED_WON' AND EXISTS (SELECT 1 FROM contacts c \
          WHERE c.workspace_id = d.workspace_id AND c.account_id = d.account_id \
            AND EXISTS (SELECT 1 FROM events e \
              WHERE e.workspace_id = c.workspace_id AND e.contact_id = c.id \
                AND e.occurred_at < d.closed_at)) THEN 1 ELSE 0 END"
    };
    let deals = if needs.closed_only {
        "d.closed_at >= $3 AND d.closed_at < $2 AND d.stage IN ('CLOSED_WON', 'CLOSED_LOST')"
    } else {
        // A deal closed before the range began is not in it, even if it was recorded (created)
        // during it: an import of deals closed long ago.
        "((d.created_at >= $3 AND d.created_at < $2 AND (d.closed_at IS NULL OR d.closed_at >= $4)) \
           OR (d.closed_at >= $4 AND d.closed_at < $2))"
    };
    let sql = format!(
        "SELECT d.id, d.source_id, d.owner_id, d.amount, d.stage, d.created_at, \
           d.closed_at, {segment} AS segment, {accepted} AS accepted_at, \
           {campaign} AS campaign_id, {play} AS play_id, {touched} AS touched \
         FROM opportunities d \
         WHERE d.workspace_id = $1 AND {deals}"
    );
    let since = range.from - needs.closed_before;
    let values = if needs.closed_only {
        vec![tenant.workspace_id().into(), range.to.into(), since.into()]
    } else {
        vec![
            tenant.workspace_id().into(),
            range.to.into(),
            range.from.into(),
            since.into(),
        ]
    };
    let rows = DealRow::find_by_statement(statement(tenant, &sql, values))
        .all(tenant.conn())
        .await?;
    Ok(rows.into_iter().map(deal_of).collect())
}

#[derive(FromQueryResult)]
struct OpenRow {
    key_id: Option<Uuid>,
    key_text: Option<String>,
    amount: Option<f64>,
}

/// The deals open at the end of `range` that were created before it, summed per credit in
/// `group_by`'s dimension (one sum without a grouping, or for a grouping by period).
pub async fn open_pipeline<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    range: &Range,
    group_by: Option<GroupBy>,
) -> AppResult<Vec<OpenPipeline>> {
    let SqlTypes {
        no_id,
        no_text,
        real,
        ..
    } = SqlTypes::of(tenant);
    let (key_id, key_text) = match group_by {
        Some(GroupBy::Source) => ("d.source_id".to_owned(), no_text.to_owned()),
        Some(GroupBy::Rep) => ("d.owner_id".to_owned(), no_text.to_owned()),
        Some(GroupBy::Segment) => (no_id.to_owned(), SEGMENT.to_owned()),
        Some(GroupBy::Campaign) => (credited("campaign_id"), no_text.to_owned()),
        Some(GroupBy::Play) => (credited("play_id"), no_text.to_owned()),
        None | Some(GroupBy::Week) | Some(GroupBy::Month) => (no_id.to_owned(), no_text.to_owned()),
    };
    let sql = format!(
        "SELECT key_id, key_text, CAST(SUM(amount) AS {real}) AS amount FROM ( \
           SELECT {key_id} AS key_id, {key_text} AS key_text, d.amount \
           FROM opportunities d \
           WHERE d.workspace_id = $1 AND d.created_at < $2 \
             AND (d.closed_at IS NULL OR d.closed_at >= $3)) open \
         GROUP BY key_id, key_text"
    );
    let values = vec![
        tenant.workspace_id().into(),
        range.from.into(),
        range.to.into(),
    ];
    let rows = OpenRow::find_by_statement(statement(tenant, &sql, values))
        .all(tenant.conn())
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let mut attribution = Attribution::default();
            match group_by {
                Some(GroupBy::Source) => attribution.source_id = row.key_id,
                Some(GroupBy::Rep) => attribution.owner_id = row.key_id,
                Some(GroupBy::Segment) => attribution.segment = row.key_text,
                Some(GroupBy::Campaign) => attribution.campaign_id = row.key_id,
                Some(GroupBy::Play) => attribution.play_id = row.key_id,
                _ => {}
            }
            OpenPipeline {
                attribution,
                amount: row.amount.unwrap_or(0.0),
            }
        })
        .collect())
}

fn deal_of(deal: DealRow) -> Opportunity {
    let status = match deal.stage {
        OpportunityStage::ClosedWon => DealStatus::Won,
        OpportunityStage::ClosedLost => DealStatus::Lost,
        _ => DealStatus::Open,
    };
    Opportunity {
        id: deal.id,
        amount: deal.amount,
        created_at: deal.created_at,
        closed_at: deal.closed_at.filter(|_| status != DealStatus::Open),
        status,
        marketing_sourced: deal
            .accepted_at
            .is_some_and(|accepted| accepted <= deal.created_at),
        marketing_touched_before_close: deal.touched == Some(1) && deal.closed_at.is_some(),
        attribution: Attribution {
            source_id: deal.source_id,
            segment: deal.segment,
            owner_id: deal.owner_id,
            campaign_id: deal.campaign_id,
            play_id: deal.play_id,
        },
    }
}
