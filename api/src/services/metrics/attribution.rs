//! Attribution and return on spend over a range: the store reads the deals, their leads'
//! touchpoints and MQL moves, the spend and the catalog in a few set-based statements (at
//! once), the domain computes.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::OpportunityStage;
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use super::sales::spend_rows;
use crate::{
    domain::metrics::{
        attribution, AttributionGroup, AttributionModel, AttributionReport, Catalog, CreditedDeal,
        Range, TouchOrigin, Touchpoint,
    },
    error::AppResult,
    store::{metrics::attribution as rows, Tenant},
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
    let (deals, touchpoints, moves, spend, kinds, campaigns) = tokio::try_join!(
        rows::credited_deals(tenant, &range),
        rows::touchpoints(tenant, &range),
        rows::mql_moves(tenant, &range),
        spend_rows(tenant, &range),
        rows::source_kinds(tenant),
        rows::campaign_sources(tenant),
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
    let deals: Vec<CreditedDeal> = deals
        .into_iter()
        .map(|deal| {
            let lead = deal.lead_id;
            CreditedDeal {
                amount: deal.amount,
                created_at: deal.created_at,
                won_at: deal
                    .closed_at
                    .filter(|_| deal.stage == OpportunityStage::ClosedWon),
                mql_entries: lead.and_then(|l| mqls.get(&l).cloned()).unwrap_or_default(),
                touchpoints: lead
                    .and_then(|l| by_lead.get(&l).cloned())
                    .unwrap_or_default(),
            }
        })
        .collect();
    let catalog = Catalog {
        source_kinds: kinds
            .into_iter()
            .map(|(id, kind)| (id, kind.as_str().to_owned()))
            .collect(),
        campaign_sources: campaigns.into_iter().collect(),
    };
    Ok(attribution(&deals, &spend, &catalog, &range, model, group))
}
