//! Win/loss and marketing's scorecard: each reads its counts in one or two aggregate
//! statements and hands them to the pure domain.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use entity::SlaKind;
use sea_orm::ConnectionTrait;

use crate::{
    domain::metrics::{
        scorecard::{month_of, month_range, scorecard, ClockCounts, Scorecard},
        win_loss::{win_loss, WinLoss, WinLossGroup},
        Range,
    },
    error::AppResult,
    services::{contracts, fit::FitModels},
    store::{metrics, Tenant},
};

/// The deals closed in `range`, won against lost, split by `group_by`.
pub async fn win_loss_of<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    range: Range,
    group_by: WinLossGroup,
) -> AppResult<WinLoss> {
    range.validate("range")?;
    let counts = metrics::win_loss::closed_counts(tenant, &range, group_by).await?;
    Ok(win_loss(&counts, group_by))
}

/// The active contract's commitments measured over the month `month` names (by default the
/// month holding `as_of` in the contract's time zone), beside sales' SLA compliance; and that
/// time zone.
pub async fn scorecard_of<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    month: Option<&str>,
    as_of: DateTime<Utc>,
) -> AppResult<(Scorecard, Tz)> {
    let (_, terms) = contracts::active_terms(tenant).await?;
    let tz = terms.slas.calendar.time_zone;
    let first: NaiveDate = month_of(month, tz, as_of)?;
    let range = month_range(first, tz)?;
    let max_score = FitModels::load(tenant).await?.max_account_score();
    let (mqls, clocks) = tokio::try_join!(
        metrics::scorecard::mql_counts(tenant, &range, max_score),
        metrics::scorecard::clock_counts(tenant, &range, as_of),
    )?;
    let of_kind = |kind: SlaKind| {
        clocks
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, counts)| *counts)
            .unwrap_or(ClockCounts::default())
    };
    let card = scorecard(
        first,
        range,
        as_of,
        &terms.commitments,
        mqls,
        of_kind(SlaKind::FirstTouch),
        of_kind(SlaKind::StatusUpdate),
    );
    Ok((card, tz))
}
