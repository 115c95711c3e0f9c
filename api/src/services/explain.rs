//! Why a lead is or is not an MQL under the active contract: the same facts and rules the
//! ingestion decision reads (`domain::qualification::assess`), reported criterion by criterion,
//! each sub-criterion of the contract's acceptance criteria with the value that decided it.

use chrono::{DateTime, Utc};
use entity::{account, contact, source};
use sea_orm::ConnectionTrait;

use crate::{
    domain::{
        criteria::Criteria,
        scoring::{mql_kind, score_at, MqlKind},
        views::lead_view,
    },
    error::{AppError, AppResult},
    services::{
        contracts,
        fit::{account_view, contact_view},
        ingest::ledger_entry,
    },
    store::{self, Tenant},
};

/// One criterion of the decision: whether the lead meets it, and the facts that decided it.
pub struct CriterionReport {
    pub criterion: String,
    pub met: bool,
    pub detail: String,
}

/// The decision for a lead as it stands now.
pub struct QualificationReport {
    pub qualifies: bool,
    /// HOT, PQL or WARM when it qualifies.
    pub kind: Option<MqlKind>,
    pub criteria: Vec<CriterionReport>,
    /// `NO_SIGNED_CONTRACT` when no contract is signed: the seed's terms judged the lead.
    pub notice: Option<&'static str>,
}

/// What every explanation says while no contract is signed: the workspace runs on the seed's
/// default terms, which nobody agreed to (a theater signal).
pub const NO_SIGNED_CONTRACT: &str = "no signed contract: the seed's default terms apply";

/// The lead `row` judged against the active contract (the seed's terms when none is signed).
pub async fn qualification<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    row: &contact::Model,
    now: DateTime<Utc>,
) -> AppResult<QualificationReport> {
    let (contract, terms) = contracts::active_terms(tenant).await?;
    let ledger: Vec<_> = store::scores::of_contacts(tenant, vec![row.id])
        .await?
        .iter()
        .map(ledger_entry)
        .collect();
    let score = score_at(&terms.scoring, &ledger, now);
    let source = match row.source_id {
        Some(id) => tenant.get::<source::Entity>(id).await.ok(),
        None => None,
    };
    let account = match row.account_id {
        Some(id) => tenant.get_many::<account::Entity>(&[id]).await?.pop(),
        None => None,
    };
    let threshold = terms.scoring.mql_threshold;
    let total = row.fit_score + score.total;
    let source_paused = source.as_ref().is_some_and(|s| s.paused);
    let mut criteria = vec![
        CriterionReport {
            criterion: "fits the ICP".into(),
            met: row.fit_score >= terms.acceptance.min_fit,
            detail: format!("fit {} (needs {})", row.fit_score, terms.acceptance.min_fit),
        },
        CriterionReport {
            criterion: "score reaches the MQL threshold, or the PQL score the PQL threshold".into(),
            met: (total >= threshold && score.total > 0)
                || score.pql >= terms.scoring.pql_threshold,
            detail: format!(
                "fit {} + engagement {} = {total} (threshold {threshold}); PQL {} (threshold {})",
                row.fit_score, score.total, score.pql, terms.scoring.pql_threshold
            ),
        },
        CriterionReport {
            criterion: "source is not paused".into(),
            met: !source_paused,
            detail: if source_paused {
                "its source is paused by the source rule: new leads stay LEAD until revops resumes it".into()
            } else {
                "ok".into()
            },
        },
    ];
    if let Some(json) = &terms.acceptance.criteria {
        let acceptance = Criteria::parse(json)
            .map_err(|err| AppError::internal(std::io::Error::other(err.to_string())))?;
        // The lead as the decision sees it: its scores as of now.
        let mut lead = row.clone();
        lead.engagement_score = score.behaviour;
        lead.pql_score = score.pql;
        let contact = contact_view(&lead, source.as_ref().map(|s| s.name.as_str()));
        let account = account.as_ref().map(account_view);
        let mut view = lead_view(&lead, &contact, account.as_ref());
        view.score = Some(score.total);
        criteria.extend(
            acceptance
                .explain(&view)
                .into_iter()
                .map(|clause| CriterionReport {
                    criterion: format!("meets {}", clause.description),
                    met: clause.met,
                    detail: clause.value,
                }),
        );
    }
    let kind = mql_kind(&terms.scoring, row.fit_score, &score);
    let qualifies = criteria.iter().all(|c| c.met) && kind.is_some();
    Ok(QualificationReport {
        qualifies,
        kind: kind.filter(|_| qualifies),
        criteria,
        notice: contract.is_none().then_some(NO_SIGNED_CONTRACT),
    })
}
