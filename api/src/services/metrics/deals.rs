//! Deals as the metrics read them: each open at the range's end or closed in it (or in the
//! trailing window win rates need), in one statement. What a deal's lead history and account
//! say (sourced by marketing, touched before the close, segment, campaign and play) is looked
//! up through indexes by correlated subqueries, and only where the report can use it: a deal
//! merely open at the end counts only for coverage, in the report's own grouping.

use chrono::{DateTime, Duration, Utc};
use entity::OpportunityStage;
use sea_orm::{ConnectionTrait, FromQueryResult};
use uuid::Uuid;

use super::statement;
use crate::{
    domain::metrics::{Attribution, DealStatus, GroupBy, Opportunity, Range},
    error::AppResult,
    store::Tenant,
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

/// A deal "in play" for the range: created in it or closed (these need everything).
const IN_PLAY: &str = "(d.created_at >= $3 OR d.closed_at IS NOT NULL)";

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

/// The lead's move into a stage, credited to a campaign or play.
fn credited(column: &str) -> String {
    format!(
        "(SELECT s.{column} FROM stage_changes s \
          WHERE s.workspace_id = d.workspace_id AND s.contact_id = d.lead_id \
            AND s.to_stage = 'OPPORTUNITY' AND s.{column} IS NOT NULL \
          ORDER BY s.changed_at DESC LIMIT 1)"
    )
}

pub(super) async fn opportunities<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    range: &Range,
    needs: DealNeeds,
) -> AppResult<Vec<Opportunity>> {
    let postgres = tenant.conn().get_database_backend() == sea_orm::DbBackend::Postgres;
    let (no_id, no_text, no_time) = if postgres {
        (
            "CAST(NULL AS uuid)",
            "CAST(NULL AS text)",
            "CAST(NULL AS timestamptz)",
        )
    } else {
        ("NULL", "NULL", "NULL")
    };
    let in_play = |expression: String| format!("CASE WHEN {IN_PLAY} THEN {expression} END");
    let grouped = |by: GroupBy| needs.group_by == Some(by) && !needs.closed_only;
    let segment = "(SELECT a.segment FROM accounts a \
        WHERE a.workspace_id = d.workspace_id AND a.id = d.account_id)"
        .to_owned();
    // Every deal of a closed-only read is in play.
    let segment = if grouped(GroupBy::Segment) || (needs.segments && needs.closed_only) {
        segment
    } else if needs.segments {
        in_play(segment)
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
        "d.created_at < $2 AND (d.closed_at IS NULL OR d.closed_at >= $4)"
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
