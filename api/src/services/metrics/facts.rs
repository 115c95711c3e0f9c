//! Loads what the metrics read, for one span of time, with one query per kind of fact (plus
//! chunked lookups of the leads and accounts they are credited to). Every query is bounded by
//! the span and served by an index; nothing reads the whole history.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use entity::{
    account, contact, event, opportunity, rejection, sla_clock, spend, stage_change, touch,
    LeadStage, OpportunityStage, SlaKind,
};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, FromQueryResult, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::stage_of;
use crate::{
    domain::metrics::{
        month_start, Attribution, DealStatus, Facts, FirstTouch, Opportunity, Range, Rejection,
        SlaClock, Spend, Stage, StageChange,
    },
    error::AppResult,
    store::Tenant,
};

/// Lookups by id go in chunks well under both databases' limits on bound values.
const CHUNK: usize = 5_000;

/// What to load besides the facts of the range itself.
#[derive(Debug, Clone, Copy, Default)]
pub struct Extras {
    /// The SAL and SQL stays that began before the range and were still running in it, with
    /// their ends: mid-funnel aging needs them.
    pub mid_funnel_stays: bool,
    /// Disputes still open, whenever the rejection was.
    pub open_disputes: bool,
    /// Deals closed this long before the range too (win rates over a trailing window).
    pub closed_before: Duration,
}

#[derive(FromQueryResult)]
struct StageRow {
    contact_id: Uuid,
    from_stage: Option<LeadStage>,
    to_stage: LeadStage,
    changed_at: DateTime<Utc>,
    source_id: Option<Uuid>,
    owner_id: Option<Uuid>,
    segment: Option<String>,
    campaign_id: Option<Uuid>,
    play_id: Option<Uuid>,
    left_at: Option<DateTime<Utc>>,
    next_stage: Option<LeadStage>,
}

impl StageRow {
    fn change(&self) -> StageChange {
        StageChange {
            lead_id: self.contact_id,
            from: self.from_stage.map(stage_of),
            to: stage_of(self.to_stage),
            at: self.changed_at,
            attribution: Attribution {
                source_id: self.source_id,
                segment: self.segment.clone(),
                owner_id: self.owner_id,
                campaign_id: self.campaign_id,
                play_id: self.play_id,
            },
        }
    }
}

/// Everything the shared metrics of `range` read (stage changes back to the month before it,
/// for the lead velocity rate), as known at `as_of`.
pub async fn load_facts<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    range: &Range,
    as_of: DateTime<Utc>,
    extras: Extras,
) -> AppResult<Facts> {
    let mut facts = Facts {
        stage_changes: stage_changes(tenant, range, extras.mid_funnel_stays).await?,
        opportunities: opportunities(tenant, range, extras.closed_before).await?,
        ..Facts::default()
    };
    let mut leads = LeadCredit::default();
    let clocks = clocks(tenant, range).await?;
    let rejections = rejections(tenant, range, extras.open_disputes).await?;
    let ids: Vec<Uuid> = clocks
        .iter()
        .map(|c| c.contact_id)
        .chain(rejections.iter().map(|r| r.contact_id))
        .collect();
    leads.load(tenant, &ids).await?;
    let touched = touch_times(tenant, &clocks, range).await?;
    for clock in &clocks {
        let attribution = leads.attribution(clock.contact_id, Some(clock.assignee_id));
        if clock.kind == SlaKind::FirstTouch && range.contains(clock.started_at) {
            facts.first_touches.push(FirstTouch {
                lead_id: clock.contact_id,
                assigned_at: clock.started_at,
                // The rep's first logged touch, not the clock's end: accepting or rejecting
                // also ends a first-touch clock, but is not a touch.
                first_touch_at: touched
                    .get(&clock.contact_id)
                    .and_then(|times| times.iter().find(|at| **at >= clock.started_at).copied()),
                attribution: attribution.clone(),
            });
        }
        if range.contains(clock.due_at) {
            facts.sla_clocks.push(SlaClock {
                lead_id: clock.contact_id,
                due_at: clock.due_at,
                met_at: clock.met_at,
                breached_at: clock.breached_at,
                attribution,
            });
        }
    }
    let handed_over = mql_entries(tenant, &rejections, range.to.max(as_of)).await?;
    for row in rejections {
        let handed_over_at = handed_over
            .get(&row.contact_id)
            .and_then(|entries| entries.iter().rev().find(|at| **at <= row.rejected_at))
            .copied()
            .unwrap_or(row.rejected_at);
        let mut attribution = leads.attribution(row.contact_id, Some(row.rejected_by));
        attribution.source_id = row.source_id.or(attribution.source_id);
        facts.rejections.push(Rejection {
            lead_id: row.contact_id,
            reason: Some(row.reason.as_str().to_owned()),
            at: row.rejected_at,
            handed_over_at,
            disputed_at: row.disputed_at,
            resolved_at: row.resolved_at,
            attribution,
        });
    }
    facts.spend = spend_rows(tenant, range).await?;
    Ok(facts)
}

async fn stage_changes<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    range: &Range,
    mid_funnel_stays: bool,
) -> AppResult<Vec<StageChange>> {
    use stage_change::Column as S;
    let from = range.history_from();
    let mut condition = Condition::all()
        .add(S::ToStage.is_in([LeadStage::Mql, LeadStage::Sal, LeadStage::Sql]))
        .add(S::ChangedAt.gte(from))
        .add(S::ChangedAt.lt(range.to));
    if mid_funnel_stays {
        let earlier = Condition::all()
            .add(S::ToStage.is_in([LeadStage::Sal, LeadStage::Sql]))
            .add(S::ChangedAt.lt(from))
            .add(
                Condition::any()
                    .add(S::LeftAt.is_null())
                    .add(S::LeftAt.gte(from)),
            );
        condition = Condition::any().add(condition).add(earlier);
    }
    let rows = tenant
        .select::<stage_change::Entity>()
        .filter(condition)
        .select_only()
        .columns([
            S::ContactId,
            S::FromStage,
            S::ToStage,
            S::ChangedAt,
            S::SourceId,
            S::OwnerId,
            S::Segment,
            S::CampaignId,
            S::PlayId,
            S::LeftAt,
            S::NextStage,
        ])
        .into_model::<StageRow>()
        .all(tenant.conn())
        .await?;
    let mut changes: Vec<StageChange> = rows.iter().map(StageRow::change).collect();
    if mid_funnel_stays {
        // Where a mid-funnel stay ended outside the stages loaded above, its end is added as
        // the change it was, so the lead's history shows it leaving.
        let counted = [Stage::Mql, Stage::Sal, Stage::Sql];
        for row in &rows {
            let (Some(left_at), Some(next)) = (row.left_at, row.next_stage) else {
                continue;
            };
            let next = stage_of(next);
            let mid = matches!(row.to_stage, LeadStage::Sal | LeadStage::Sql);
            if mid && left_at < range.to && !counted.contains(&next) {
                changes.push(StageChange {
                    from: Some(stage_of(row.to_stage)),
                    to: next,
                    at: left_at,
                    ..row.change()
                });
            }
        }
    }
    Ok(changes)
}

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

async fn opportunities<C: ConnectionTrait>(
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

/// The source and segment of the leads that clocks and rejections name.
#[derive(Default)]
struct LeadCredit {
    leads: HashMap<Uuid, (Option<Uuid>, Option<String>)>,
}

impl LeadCredit {
    async fn load<C: ConnectionTrait>(
        &mut self,
        tenant: &Tenant<'_, C>,
        ids: &[Uuid],
    ) -> AppResult<()> {
        let mut unique = ids.to_vec();
        unique.sort_unstable();
        unique.dedup();
        let mut rows: Vec<(Uuid, Option<Uuid>, Option<Uuid>)> = Vec::with_capacity(unique.len());
        for chunk in unique.chunks(CHUNK) {
            let part: Vec<(Uuid, Option<Uuid>, Option<Uuid>)> = tenant
                .select::<contact::Entity>()
                .filter(contact::Column::Id.is_in(chunk.iter().copied()))
                .select_only()
                .columns([
                    contact::Column::Id,
                    contact::Column::SourceId,
                    contact::Column::AccountId,
                ])
                .into_tuple()
                .all(tenant.conn())
                .await?;
            rows.extend(part);
        }
        let accounts: Vec<Uuid> = rows.iter().filter_map(|r| r.2).collect();
        let segments = segments(tenant, &accounts).await?;
        for (id, source, account) in rows {
            let segment = account.and_then(|a| segments.get(&a).cloned().flatten());
            self.leads.insert(id, (source, segment));
        }
        Ok(())
    }

    fn attribution(&self, lead: Uuid, owner_id: Option<Uuid>) -> Attribution {
        let (source_id, segment) = self.leads.get(&lead).cloned().unwrap_or_default();
        Attribution {
            source_id,
            segment,
            owner_id,
            campaign_id: None,
            play_id: None,
        }
    }
}

async fn clocks<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    range: &Range,
) -> AppResult<Vec<sla_clock::Model>> {
    use sla_clock::Column as K;
    let due = tenant
        .select::<sla_clock::Entity>()
        .filter(K::DueAt.gte(range.from))
        .filter(K::DueAt.lt(range.to))
        .all(tenant.conn())
        .await?;
    let mut assigned = tenant
        .select::<sla_clock::Entity>()
        .filter(K::Kind.eq(SlaKind::FirstTouch))
        .filter(K::StartedAt.gte(range.from))
        .filter(K::StartedAt.lt(range.to))
        .all(tenant.conn())
        .await?;
    // A clock started and due in the range is in both lists once.
    assigned.retain(|c| !range.contains(c.due_at));
    let mut all = due;
    all.extend(assigned);
    Ok(all)
}

/// When the leads assigned in the range were touched, from the range's start on, oldest first.
async fn touch_times<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    clocks: &[sla_clock::Model],
    range: &Range,
) -> AppResult<HashMap<Uuid, Vec<DateTime<Utc>>>> {
    let mut ids: Vec<Uuid> = clocks
        .iter()
        .filter(|c| c.kind == SlaKind::FirstTouch && range.contains(c.started_at))
        .map(|c| c.contact_id)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let mut times: HashMap<Uuid, Vec<DateTime<Utc>>> = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        let rows: Vec<(Uuid, DateTime<Utc>)> = tenant
            .select::<touch::Entity>()
            .filter(touch::Column::ContactId.is_in(chunk.iter().copied()))
            .filter(touch::Column::OccurredAt.gte(range.from))
            .select_only()
            .columns([touch::Column::ContactId, touch::Column::OccurredAt])
            .into_tuple()
            .all(tenant.conn())
            .await?;
        for (lead, at) in rows {
            times.entry(lead).or_default().push(at);
        }
    }
    for list in times.values_mut() {
        list.sort_unstable();
    }
    Ok(times)
}

async fn rejections<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    range: &Range,
    open_disputes: bool,
) -> AppResult<Vec<rejection::Model>> {
    use rejection::Column as R;
    let mut condition = Condition::any().add(
        Condition::all()
            .add(R::RejectedAt.gte(range.from))
            .add(R::RejectedAt.lt(range.to)),
    );
    if open_disputes {
        condition = condition.add(
            Condition::all()
                .add(R::ResolvedAt.is_null())
                .add(R::DisputedAt.is_not_null()),
        );
    }
    Ok(tenant
        .select::<rejection::Entity>()
        .filter(condition)
        .all(tenant.conn())
        .await?)
}

/// When each rejected lead became an MQL (all its entries up to `until`, oldest first).
async fn mql_entries<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    rejections: &[rejection::Model],
    until: DateTime<Utc>,
) -> AppResult<HashMap<Uuid, Vec<DateTime<Utc>>>> {
    use stage_change::Column as S;
    let ids: Vec<Uuid> = rejections.iter().map(|r| r.contact_id).collect();
    let mut entries: HashMap<Uuid, Vec<DateTime<Utc>>> = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        let rows: Vec<(Uuid, DateTime<Utc>)> = tenant
            .select::<stage_change::Entity>()
            .filter(S::ContactId.is_in(chunk.iter().copied()))
            .filter(S::ToStage.eq(LeadStage::Mql))
            .filter(S::ChangedAt.lte(until))
            .select_only()
            .columns([S::ContactId, S::ChangedAt])
            .into_tuple()
            .all(tenant.conn())
            .await?;
        for (lead, at) in rows {
            entries.entry(lead).or_default().push(at);
        }
    }
    for list in entries.values_mut() {
        list.sort_unstable();
    }
    Ok(entries)
}

async fn spend_rows<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    range: &Range,
) -> AppResult<Vec<Spend>> {
    let month = |day: NaiveDate| format!("{:04}-{:02}", day.year(), day.month());
    let first = month(range.history_from().date_naive());
    let last = month(range.to.date_naive());
    let rows = tenant
        .select::<spend::Entity>()
        .filter(spend::Column::Month.gte(first))
        .filter(spend::Column::Month.lte(last))
        .all(tenant.conn())
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let day = NaiveDate::parse_from_str(&format!("{}-01", row.month), "%Y-%m-%d").ok()?;
            Some(Spend {
                amount: row.amount,
                month: month_start(day),
                source_id: row.source_id,
                campaign_id: row.campaign_id,
            })
        })
        .collect())
}
