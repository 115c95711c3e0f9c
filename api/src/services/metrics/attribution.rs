//! Attribution and return on spend over a range. Each deal's credit lines are kept once
//! computed (`store::deal_credits`, written by `jobs::credits`): the report sums the range's
//! kept lines in the database, credits the few deals whose lines are due from their history (the
//! deals, their leads' touchpoints and MQL moves, read by id), and adds the spend; the domain
//! does the crediting and the grouping.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::OpportunityStage;
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use super::sales::spend_rows;
use crate::{
    domain::metrics::{
        keyed_credits, report, AttributionGroup, AttributionModel, AttributionReport, Catalog,
        CreditedDeal, Range, TouchOrigin, Touchpoint,
    },
    error::AppResult,
    store::{deal_credits, metrics::attribution as rows, Tenant},
};

/// The credit of the deals created or won in `range` under `model`, grouped by `group`, with
/// the spend of the range.
pub async fn attribution_of<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    range: Range,
    model: AttributionModel,
    group: AttributionGroup,
) -> AppResult<AttributionReport> {
    range.validate("range")?;
    let (total, kept, spend, kinds, campaigns) = tokio::try_join!(
        rows::totals(tenant, &range),
        deal_credits::kept(tenant, &range, model),
        spend_rows(tenant, &range),
        rows::source_kinds(tenant),
        rows::campaign_sources(tenant),
    )?;
    let mut keyed = kept.keyed;
    if !kept.due.is_empty() {
        let deals: Vec<CreditedDeal> = credited_deals(tenant, &kept.due)
            .await?
            .into_iter()
            .map(|(_, deal)| deal)
            .collect();
        keyed.extend(keyed_credits(&deals, &range, model));
    }
    let catalog = Catalog {
        source_kinds: kinds
            .into_iter()
            .map(|(id, kind)| (id, kind.as_str().to_owned()))
            .collect(),
        campaign_sources: campaigns.into_iter().collect(),
    };
    Ok(report(total, &keyed, &spend, &catalog, &range, group))
}

/// The named deals with what their leads did before them, for crediting (three statements at
/// once).
pub async fn credited_deals<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    ids: &[Uuid],
) -> AppResult<Vec<(Uuid, CreditedDeal)>> {
    let (deals, touchpoints, moves) = tokio::try_join!(
        rows::credited_deals(tenant, ids),
        rows::touchpoints(tenant, ids),
        rows::mql_moves(tenant, ids),
    )?;
    let mut by_lead: HashMap<Uuid, Vec<Touchpoint>> = HashMap::new();
    for row in touchpoints {
        by_lead.entry(row.contact_id).or_default().push(Touchpoint {
            id: row.id,
            at: row.at,
            origin: if row.rep == 1 {
                TouchOrigin::Sales
            } else {
                TouchOrigin::Event
            },
            source_id: row.source_id,
            campaign_id: row.campaign_id,
        });
    }
    let mut mqls: HashMap<Uuid, Vec<DateTime<Utc>>> = HashMap::new();
    for row in moves {
        mqls.entry(row.contact_id).or_default().push(row.changed_at);
    }
    Ok(deals
        .into_iter()
        .map(|deal| {
            let lead = deal.lead_id;
            let credited = CreditedDeal {
                amount: deal.amount,
                created_at: deal.created_at,
                won_at: deal
                    .closed_at
                    .filter(|_| deal.stage == OpportunityStage::ClosedWon),
                mql_entries: lead.and_then(|l| mqls.get(&l).cloned()).unwrap_or_default(),
                touchpoints: lead
                    .and_then(|l| by_lead.get(&l).cloned())
                    .unwrap_or_default(),
            };
            (deal.id, credited)
        })
        .collect())
}
