//! Alignment health over the last complete weeks.

use chrono::{DateTime, Duration, Utc};
use sea_orm::ConnectionTrait;

use super::facts::{load_facts, Report};
use crate::{
    domain::{
        metrics::{GroupBy, Range},
        review::{alignment_health, AlignmentHealth, HEALTH_MIN_WEEKS},
    },
    error::{AppError, AppResult},
    store::Tenant,
};

/// The three leading indicators over the `weeks` complete weeks before `as_of`, the verdict,
/// SLA compliance and the dispute backlog.
pub async fn alignment_of<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    weeks: usize,
    as_of: DateTime<Utc>,
) -> AppResult<AlignmentHealth> {
    if !(HEALTH_MIN_WEEKS..=104).contains(&weeks) {
        return Err(AppError::bad_input(
            "weeks",
            format!("must be between {HEALTH_MIN_WEEKS} and 104"),
        ));
    }
    let current = Range::week_of(as_of.date_naive()).from;
    let span = Range {
        from: current - Duration::weeks(weeks as i64),
        to: current,
    };
    let facts = load_facts(tenant, &span, as_of, Some(GroupBy::Week), Report::Health).await?;
    Ok(alignment_health(&facts, as_of, weeks)?)
}

/// The theater signals the indicators cannot show: a workspace running on terms nobody signed
/// says "no signed contract".
pub async fn theater_signals<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
) -> AppResult<Vec<&'static str>> {
    let signed = crate::services::contracts::active(tenant).await?.is_some();
    Ok(match signed {
        true => Vec::new(),
        false => vec![crate::services::explain::NO_SIGNED_CONTRACT],
    })
}
