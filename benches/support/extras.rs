//! What the other dashboard lists of issue 16 read, added to a workspace that
//! `generate::ensure_contacts` filled: one deal per account (owned by the account's owner, its
//! first contact as primary), and for every hundredth contact a scored history (20 events with
//! their ledger entries under the seed contract's rules) and a stage history (LEAD, MQL,
//! NURTURE, back to LEAD, so it ends at the stage the contact has). Straight to the database
//! with multi-row inserts, once: a workspace that has deals is taken as done.

use accord_api::store::Store;
use chrono::{Duration, Utc};
use entity::{
    account, contact, event, opportunity, score_entry, stage_change, LeadStage, OpportunityStage,
    ScoreKind,
};
use sea_orm::{
    ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::json;
use uuid::Uuid;

use super::generate::Rng;

/// Event types the seed contract scores, with their points (`ScoringModel::seed`).
const SCORED: &[(&str, i32)] = &[
    ("pricing_page_visit", 25),
    ("case_study_download", 15),
    ("session", 10),
    ("email_open", 2),
    ("webinar_attended", 20),
];
const STAGES: &[OpportunityStage] = &[
    OpportunityStage::Discovery,
    OpportunityStage::Qualification,
    OpportunityStage::Proposal,
    OpportunityStage::Negotiation,
    OpportunityStage::ClosedWon,
    OpportunityStage::ClosedLost,
];
const EVENTS_PER_LEAD: usize = 20;

/// A contact's id, account, source and owner.
type ContactKeys = (Uuid, Option<Uuid>, Option<Uuid>, Option<Uuid>);

/// Adds the deals and the scored, staged leads once. Returns how many deals the workspace has.
pub async fn ensure(store: &Store, workspace_id: Uuid) -> u64 {
    let db = store.db();
    let have = opportunity::Entity::find()
        .filter(opportunity::Column::WorkspaceId.eq(workspace_id))
        .count(db)
        .await
        .unwrap();
    if have > 0 {
        return have;
    }
    let mut rng = Rng::new(7);
    let now = Utc::now();
    let accounts = account::Entity::find()
        .filter(account::Column::WorkspaceId.eq(workspace_id))
        .order_by_asc(account::Column::Id)
        .all(db)
        .await
        .unwrap();
    let contacts: Vec<ContactKeys> = contact::Entity::find()
        .select_only()
        .columns([
            contact::Column::Id,
            contact::Column::AccountId,
            contact::Column::SourceId,
            contact::Column::OwnerId,
        ])
        .filter(contact::Column::WorkspaceId.eq(workspace_id))
        .order_by_asc(contact::Column::Id)
        .into_tuple()
        .all(db)
        .await
        .unwrap();
    let mut first_contact = std::collections::HashMap::new();
    for (id, account_id, _, _) in &contacts {
        if let Some(account_id) = account_id {
            first_contact.entry(*account_id).or_insert(*id);
        }
    }

    let deals: Vec<_> = accounts
        .iter()
        .enumerate()
        .map(|(n, a)| {
            let stage = *rng.pick(STAGES);
            let created_at = a.created_at + Duration::days(rng.below(30) as i64);
            let closed = matches!(
                stage,
                OpportunityStage::ClosedWon | OpportunityStage::ClosedLost
            );
            opportunity::Model {
                id: Uuid::now_v7(),
                workspace_id,
                name: format!("{} new business {n}", a.name),
                account_id: a.id,
                primary_contact_id: first_contact.get(&a.id).copied(),
                lead_id: first_contact.get(&a.id).copied(),
                source_id: None,
                owner_id: a.owner_id,
                amount: (5 + rng.below(200)) as f64 * 1_000.0,
                currency: "USD".into(),
                stage,
                close_date: Some((created_at + Duration::days(90)).date_naive()),
                lost_reason: (stage == OpportunityStage::ClosedLost).then(|| "Budget".into()),
                competitor: None,
                created_at,
                closed_at: closed.then_some(created_at + Duration::days(60)),
                stage_changed_at: Some(created_at),
                external_id: None,
            }
            .into_active_model()
        })
        .collect();
    let made = deals.len() as u64;
    for chunk in deals.chunks(1_000) {
        opportunity::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await
            .unwrap();
    }

    for leads in contacts.iter().step_by(100).collect::<Vec<_>>().chunks(50) {
        let mut events = Vec::new();
        let mut entries = Vec::new();
        let mut changes = Vec::new();
        for (contact_id, account_id, source_id, owner_id) in leads.iter().copied() {
            for e in 0..EVENTS_PER_LEAD {
                let (rule, points) = *rng.pick(SCORED);
                let id = Uuid::now_v7();
                let occurred_at = now - Duration::hours(rng.below(24 * 60) as i64);
                events.push(
                    event::Model {
                        id,
                        workspace_id,
                        idempotency_key: format!("extras-{contact_id}-{e}"),
                        payload_hash: id.simple().to_string(),
                        event_type: rule.into(),
                        occurred_at,
                        contact_id: *contact_id,
                        account_id: *account_id,
                        source_id: *source_id,
                        campaign_id: None,
                        asset_id: None,
                        properties: json!({}),
                        received_at: occurred_at,
                    }
                    .into_active_model(),
                );
                entries.push(
                    score_entry::Model {
                        id: Uuid::now_v7(),
                        workspace_id,
                        contact_id: *contact_id,
                        event_id: id,
                        rule: rule.into(),
                        kind: ScoreKind::Behaviour,
                        points,
                        occurred_at,
                    }
                    .into_active_model(),
                );
            }
            let walk = [
                (None, LeadStage::Lead, "created"),
                (Some(LeadStage::Lead), LeadStage::Mql, "scored in"),
                (Some(LeadStage::Mql), LeadStage::Nurture, "no answer"),
                (Some(LeadStage::Nurture), LeadStage::Lead, "recycled"),
            ];
            for (step, (from, to, reason)) in walk.into_iter().enumerate() {
                let changed_at = now - Duration::days(40 - 10 * step as i64);
                changes.push(
                    stage_change::Model {
                        id: Uuid::now_v7(),
                        workspace_id,
                        contact_id: *contact_id,
                        from_stage: from,
                        to_stage: to,
                        changed_at,
                        actor_id: None,
                        reason: Some(reason.into()),
                        contract_id: None,
                        source_id: *source_id,
                        owner_id: *owner_id,
                        segment: None,
                        campaign_id: None,
                        play_id: None,
                        left_at: (step < 3).then_some(changed_at + Duration::days(10)),
                        next_stage: walk.get(step + 1).map(|next| next.1),
                    }
                    .into_active_model(),
                );
            }
        }
        event::Entity::insert_many(events)
            .exec_without_returning(db)
            .await
            .unwrap();
        score_entry::Entity::insert_many(entries)
            .exec_without_returning(db)
            .await
            .unwrap();
        stage_change::Entity::insert_many(changes)
            .exec_without_returning(db)
            .await
            .unwrap();
    }
    made
}
