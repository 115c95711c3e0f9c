//! The review's fixed agenda for one week, built from the shared metrics of the week before,
//! the open deals against their stage medians, the messaging test that ran, and the deals lost.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::{messaging_test, TouchOutcome};
use sea_orm::ConnectionTrait;
use serde::Deserialize;
use uuid::Uuid;

use crate::{
    domain::{
        metrics::Range,
        review::{
            agenda, reviewed_week, Agenda, AgendaInput, MessagingTest, OpenDeal, Variant,
            STUCK_FOR_DAYS,
        },
    },
    error::AppResult,
    services::{
        contracts,
        metrics::{load_facts, lower_median_stays, Report},
        opportunities::is_closed,
    },
    store::{self, Tenant},
};

/// Deal stage medians are read from this much of the deal stage history.
const MEDIAN_HISTORY_DAYS: i64 = 365;

/// A variant as stored on a messaging test: a label and the asset (message) it sends.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredVariant {
    pub label: String,
    pub asset_id: Uuid,
}

/// The agenda of the review held in the week of `week_of`, as of `as_of`.
pub async fn agenda_of<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    week_of: NaiveDate,
    as_of: DateTime<Utc>,
) -> AppResult<Agenda> {
    let reviewed = reviewed_week(week_of);
    // Independent reads, at once.
    let (facts, (open_deals, stage_medians), tests, terms, lost_deals) = tokio::try_join!(
        load_facts(tenant, &reviewed, as_of, None, Report::Review),
        open_deals(tenant, as_of),
        tests_of(tenant, &reviewed, as_of),
        contracts::active_terms(tenant),
        store::metrics::win_loss::lost_deals(tenant, &reviewed),
    )?;
    let window = terms.1.rejection.window_hours;
    Ok(agenda(&AgendaInput {
        week_of,
        as_of,
        facts: &facts,
        open_deals: &open_deals,
        stage_medians: &stage_medians,
        tests: &tests,
        rejection_window: Duration::hours(i64::from(window)),
        lost_deals: &lost_deals,
    }))
}

/// The open deals that may be stuck (in their stage two weeks longer than its median), and the
/// medians: each stage's median from the last year of deal moves, then only the deals that
/// entered their stage before the cut, through the `(stage, entered)` index.
async fn open_deals<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    as_of: DateTime<Utc>,
) -> AppResult<(Vec<OpenDeal>, HashMap<String, Duration>)> {
    let medians = stage_medians(tenant, as_of - Duration::days(MEDIAN_HISTORY_DAYS)).await?;
    let mut deals = Vec::new();
    for (stage, median) in &medians {
        if is_closed(*stage) {
            continue;
        }
        let cut = as_of - *median - Duration::days(STUCK_FOR_DAYS);
        let rows = store::reviews::open_deals_in_stage_by(tenant, *stage, cut).await?;
        deals.extend(rows.into_iter().map(|deal| OpenDeal {
            id: deal.id,
            stage: deal.stage.as_str().to_owned(),
            entered_stage_at: deal.stage_changed_at.unwrap_or(deal.created_at),
            amount: deal.amount,
            owner_id: deal.owner_id,
        }));
    }
    let medians = medians
        .into_iter()
        .map(|(stage, median)| (stage.as_str().to_owned(), median))
        .collect();
    Ok((deals, medians))
}

/// The lower median length of the finished stays of each deal stage that began since `since`
/// (a stay ends at the deal's next move), ranked in the database.
async fn stage_medians<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    since: DateTime<Utc>,
) -> AppResult<Vec<(entity::OpportunityStage, Duration)>> {
    use sea_orm::Iterable;
    let stages: Vec<_> = entity::OpportunityStage::iter().collect();
    let filter = "changed_at >= $2 AND left_at IS NOT NULL";
    lower_median_stays(
        tenant,
        "opportunity_stage_changes",
        &stages,
        filter,
        vec![since.into()],
    )
    .await
}

/// The messaging tests that ran during `week`, with each variant's touches and replies over
/// the test's own span (up to `as_of`).
async fn tests_of<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    week: &Range,
    as_of: DateTime<Utc>,
) -> AppResult<Vec<MessagingTest>> {
    let rows = store::reviews::tests_during(tenant, week).await?;
    let mut tests = Vec::with_capacity(rows.len());
    for row in rows {
        tests.push(test_with_counts(tenant, &row, as_of).await?);
    }
    Ok(tests)
}

/// A stored test with its variants' touches and replies counted.
pub async fn test_with_counts<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    row: &messaging_test::Model,
    as_of: DateTime<Utc>,
) -> AppResult<MessagingTest> {
    let stored: Vec<StoredVariant> =
        serde_json::from_value(row.variants.clone()).map_err(crate::error::AppError::internal)?;
    let until = row.ended_at.unwrap_or(as_of).min(as_of);
    let assets: Vec<Uuid> = stored.iter().map(|v| v.asset_id).collect();
    let counts = store::reviews::touch_counts(tenant, assets, row.started_at, until).await?;
    let variants = stored
        .iter()
        .map(|variant| {
            let used = || {
                counts
                    .iter()
                    .filter(|(asset, _, _)| *asset == Some(variant.asset_id))
            };
            let total = |rows: &mut dyn Iterator<Item = &(Option<Uuid>, TouchOutcome, i64)>| {
                rows.map(|(_, _, n)| u64::try_from(*n).unwrap_or(0))
                    .sum::<u64>()
            };
            Variant {
                label: variant.label.clone(),
                touches: total(&mut used()),
                replies: total(&mut used().filter(|(_, outcome, _)| {
                    matches!(outcome, TouchOutcome::Replied | TouchOutcome::MeetingBooked)
                })),
            }
        })
        .collect();
    Ok(MessagingTest {
        id: row.id,
        name: row.name.clone(),
        started_at: row.started_at,
        ended_at: row.ended_at,
        variants,
    })
}
