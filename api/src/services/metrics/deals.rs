//! Deals as the metrics read them: each open in the range or closed in it (or in the trailing
//! window win rates need), with the lead history that says whether marketing sourced it and the
//! first engagement that says whether marketing touched its account before the close.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use entity::{account, contact, event, opportunity, stage_change, LeadStage, OpportunityStage};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, FromQueryResult, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::CHUNK;
use crate::{
    domain::metrics::{Attribution, DealStatus, Opportunity, Range},
    error::AppResult,
    store::Tenant,
};

#[derive(FromQueryResult)]
struct DealRow {
    id: Uuid,
    account_id: Uuid,
    lead_id: Option<Uuid>,
    source_id: Option<Uuid>,
    owner_id: Option<Uuid>,
    amount: f64,
    stage: entity::OpportunityStage,
    created_at: DateTime<Utc>,
    closed_at: Option<DateTime<Utc>>,
}

pub(super) async fn opportunities<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    range: &Range,
    closed_before: Duration,
) -> AppResult<Vec<Opportunity>> {
    use opportunity::Column as O;
    let deals = tenant
        .select::<opportunity::Entity>()
        .filter(O::CreatedAt.lt(range.to))
        .filter(
            Condition::any()
                .add(O::ClosedAt.is_null())
                .add(O::ClosedAt.gte(range.from - closed_before)),
        )
        .select_only()
        .columns([
            O::Id,
            O::AccountId,
            O::LeadId,
            O::SourceId,
            O::OwnerId,
            O::Amount,
            O::Stage,
            O::CreatedAt,
            O::ClosedAt,
        ])
        .into_model::<DealRow>()
        .all(tenant.conn())
        .await?;
    let account_ids: Vec<Uuid> = deals.iter().map(|d| d.account_id).collect();
    let segments = segments(tenant, &account_ids).await?;
    let lead_ids: Vec<Uuid> = deals.iter().filter_map(|d| d.lead_id).collect();
    let histories = deal_leads(tenant, &lead_ids).await?;
    let won_accounts: Vec<Uuid> = deals
        .iter()
        .filter(|d| d.stage == OpportunityStage::ClosedWon)
        .map(|d| d.account_id)
        .collect();
    let first_engaged = first_engagement(tenant, &won_accounts).await?;
    Ok(deals
        .into_iter()
        .map(|deal| {
            let lead = deal.lead_id.and_then(|id| histories.get(&id));
            let status = match deal.stage {
                OpportunityStage::ClosedWon => DealStatus::Won,
                OpportunityStage::ClosedLost => DealStatus::Lost,
                _ => DealStatus::Open,
            };
            let touched = match (deal.closed_at, first_engaged.get(&deal.account_id)) {
                (Some(closed), Some(first)) => *first < closed,
                _ => false,
            };
            Opportunity {
                id: deal.id,
                amount: deal.amount,
                created_at: deal.created_at,
                closed_at: deal.closed_at.filter(|_| status != DealStatus::Open),
                status,
                marketing_sourced: lead
                    .and_then(|l| l.accepted_at)
                    .is_some_and(|accepted| accepted <= deal.created_at),
                marketing_touched_before_close: touched,
                attribution: Attribution {
                    source_id: deal.source_id,
                    segment: segments.get(&deal.account_id).cloned().flatten(),
                    owner_id: deal.owner_id,
                    campaign_id: lead.and_then(|l| l.campaign_id),
                    play_id: lead.and_then(|l| l.play_id),
                },
            }
        })
        .collect())
}

/// A lead's move into a stage, with the campaign and play it is credited to.
type LeadMove = (Uuid, LeadStage, DateTime<Utc>, Option<Uuid>, Option<Uuid>);

/// What a deal's lead history says: whether sales accepted it as an MQL (the deal is then
/// marketing-sourced) and the campaign and play its conversion is credited to.
#[derive(Default)]
struct DealLead {
    accepted_at: Option<DateTime<Utc>>,
    campaign_id: Option<Uuid>,
    play_id: Option<Uuid>,
}

async fn deal_leads<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    lead_ids: &[Uuid],
) -> AppResult<HashMap<Uuid, DealLead>> {
    use stage_change::Column as S;
    let mut leads: HashMap<Uuid, DealLead> = HashMap::new();
    for chunk in lead_ids.chunks(CHUNK) {
        let rows: Vec<LeadMove> = tenant
            .select::<stage_change::Entity>()
            .filter(S::ContactId.is_in(chunk.iter().copied()))
            .filter(S::ToStage.is_in([LeadStage::Sal, LeadStage::Opportunity]))
            .select_only()
            .columns([
                S::ContactId,
                S::ToStage,
                S::ChangedAt,
                S::CampaignId,
                S::PlayId,
            ])
            .into_tuple()
            .all(tenant.conn())
            .await?;
        for (lead, stage, at, campaign, play) in rows {
            let entry = leads.entry(lead).or_default();
            if stage == LeadStage::Sal {
                entry.accepted_at = Some(entry.accepted_at.map_or(at, |a| a.min(at)));
            } else {
                entry.campaign_id = campaign.or(entry.campaign_id);
                entry.play_id = play.or(entry.play_id);
            }
        }
    }
    Ok(leads)
}

/// The first engagement event of any contact of each account.
async fn first_engagement<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    account_ids: &[Uuid],
) -> AppResult<HashMap<Uuid, DateTime<Utc>>> {
    let mut first: HashMap<Uuid, DateTime<Utc>> = HashMap::new();
    for chunk in account_ids.chunks(CHUNK) {
        let contacts: Vec<(Uuid, Option<Uuid>)> = tenant
            .select::<contact::Entity>()
            .filter(contact::Column::AccountId.is_in(chunk.iter().copied()))
            .select_only()
            .columns([contact::Column::Id, contact::Column::AccountId])
            .into_tuple()
            .all(tenant.conn())
            .await?;
        let account_of: HashMap<Uuid, Uuid> = contacts
            .into_iter()
            .filter_map(|(id, account)| Some((id, account?)))
            .collect();
        let ids: Vec<Uuid> = account_of.keys().copied().collect();
        for ids in ids.chunks(CHUNK) {
            let rows: Vec<(Uuid, Option<DateTime<Utc>>)> = tenant
                .select::<event::Entity>()
                .filter(event::Column::ContactId.is_in(ids.iter().copied()))
                .select_only()
                .column(event::Column::ContactId)
                .column_as(event::Column::OccurredAt.min(), "first")
                .group_by(event::Column::ContactId)
                .into_tuple()
                .all(tenant.conn())
                .await?;
            for (contact, at) in rows {
                let (Some(account), Some(at)) = (account_of.get(&contact), at) else {
                    continue;
                };
                let entry = first.entry(*account).or_insert(at);
                *entry = (*entry).min(at);
            }
        }
    }
    Ok(first)
}

async fn segments<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    account_ids: &[Uuid],
) -> AppResult<HashMap<Uuid, Option<String>>> {
    let mut unique = account_ids.to_vec();
    unique.sort_unstable();
    unique.dedup();
    let mut segments = HashMap::with_capacity(unique.len());
    for chunk in unique.chunks(CHUNK) {
        let rows: Vec<(Uuid, Option<String>)> = tenant
            .select::<account::Entity>()
            .filter(account::Column::Id.is_in(chunk.iter().copied()))
            .select_only()
            .columns([account::Column::Id, account::Column::Segment])
            .into_tuple()
            .all(tenant.conn())
            .await?;
        segments.extend(rows);
    }
    Ok(segments)
}
