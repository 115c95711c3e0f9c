//! Re-evaluating leads after their events: scores, the MQL decision under the active contract,
//! routing, assignment, SLA clocks, the rep's trigger and play enrollment, all in the batch's
//! transaction.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use entity::{
    contact, event, lead_contract, membership, routing_rule, sla_clock, source, trigger, LeadStage,
    MqlKind as StoredMqlKind, SlaKind, TriggerKind,
};
use sea_orm::{
    sea_query::{Expr, ExprTrait},
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::identity::Resolved;
use crate::{
    domain::{
        contract::Terms,
        criteria::Criteria,
        lifecycle::{next_stage, Transition},
        metrics::Attribution,
        permissions::{role_allows, Permission},
        plays::Signal,
        routing::{route, RepState, Route, RuleSpec},
        scoring::{decay_at, mql_kind, score_at, LedgerEntry, MqlKind},
    },
    error::{AppError, AppResult},
    services::{
        fit::{account_view, contact_view, lead_view},
        metrics::rollups::{self, Fact},
        notices::{record_stage_change, Credit, Notices, StageMove},
        plays::engine::PlayEngine,
        triggers::{self, NewTrigger},
    },
    store::Tenant,
};

/// Stages in which a lead counts against a rep's capacity.
const OPEN_STAGES: [LeadStage; 3] = [LeadStage::Mql, LeadStage::Sal, LeadStage::Sql];

/// Updates the scores of every lead that received events, qualifies those that now meet the
/// contract, and enrolls leads in the plays their events, assignment or score crossings fire.
/// Triggers and stage changes go into `notices`, to publish after commit.
#[allow(clippy::too_many_arguments)]
pub async fn evaluate<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    contract: Option<&lead_contract::Model>,
    terms: &Terms,
    ledgers: &HashMap<Uuid, Vec<LedgerEntry>>,
    events: &HashMap<Uuid, Vec<&event::Model>>,
    resolved: &Resolved,
    now: DateTime<Utc>,
    notices: &mut Notices,
) -> AppResult<()> {
    let mut router: Option<Router> = None;
    let plays = PlayEngine::load(tenant).await?;
    let acceptance = terms
        .acceptance
        .criteria
        .as_ref()
        .map(Criteria::parse)
        .transpose()
        .map_err(|err| AppError::internal(std::io::Error::other(err.to_string())))?;
    let mut ids: Vec<&Uuid> = ledgers.keys().collect();
    ids.sort();
    let mut changed = Vec::new();
    for id in ids {
        let Some(before) = resolved.contacts.get(id) else {
            continue;
        };
        let mut row = before.clone();
        let score = score_at(&terms.scoring, &ledgers[id], now);
        row.engagement_score = score.behaviour;
        row.pql_score = score.pql;
        row.last_engaged_at = score.last_engaged_at.or(row.last_engaged_at);
        let account = row.account_id.and_then(|a| resolved.accounts.get(&a));
        let account_facts = account.map(account_view);
        let contact_facts = contact_view(&row);
        let mut view = lead_view(&row, &contact_facts, account_facts.as_ref());
        view.score = Some(score.total);
        let kind = mql_kind(&terms.scoring, row.fit_score, &score);
        let accepted = row.fit_score >= terms.acceptance.min_fit
            && acceptance.as_ref().is_none_or(|c| c.evaluate(&view));
        let paused = match row.source_id {
            Some(id) => match resolved.sources.get(&id) {
                Some(known) => known.paused,
                None => tenant
                    .get::<source::Entity>(id)
                    .await
                    .is_ok_and(|s| s.paused),
            },
            None => false,
        };
        let qualifies =
            matches!(row.stage, LeadStage::Lead | LeadStage::Nurture) && accepted && !paused;
        let mut signals: Vec<Signal<'_>> = events
            .get(id)
            .into_iter()
            .flatten()
            .filter_map(|e| match &e.properties {
                serde_json::Value::Object(properties) => Some(Signal::Event {
                    event_type: &e.event_type,
                    properties,
                }),
                _ => None,
            })
            .collect();
        // Both sides with decay as it stands now, so a lead that decayed below the threshold
        // and climbs back crosses it again.
        let decayed_before = Ord::max(
            before.engagement_score.saturating_add(decay_at(
                &terms.scoring,
                before.last_engaged_at,
                now,
            )),
            0,
        );
        signals.push(Signal::ScoreChanged {
            before: decayed_before,
            after: score.total,
        });
        if before.pql_score < terms.scoring.pql_threshold
            && score.pql >= terms.scoring.pql_threshold
        {
            signals.push(Signal::PqlReached);
        }
        match kind {
            Some(kind) if qualifies => {
                if router.is_none() {
                    router = Some(Router::load(tenant).await?);
                }
                let router = router.as_mut().expect("loaded above");
                let named_owner = account.filter(|a| a.named_account).and_then(|a| a.owner_id);
                let segment = account.and_then(|a| a.segment.clone());
                let routed = router.route(&view, named_owner);
                let to = next_stage(row.stage, Transition::Qualify)
                    .map_err(|err| AppError::internal(std::io::Error::other(err.to_string())))?;
                // The new owner is on the stage change's notice, so their manager sees it.
                if let Some(owner) = routed.owner {
                    row.owner_id = Some(owner);
                }
                record_stage_change(
                    tenant,
                    &row,
                    StageMove {
                        to,
                        actor: None,
                        reason: format!(
                            "score {} + fit {} reached the MQL threshold of {}",
                            score.total, row.fit_score, terms.scoring.mql_threshold
                        ),
                        contract,
                        at: now,
                        credit: Credit {
                            campaign_id: events
                                .get(id)
                                .and_then(|batch| batch.iter().rev().find_map(|e| e.campaign_id)),
                            play_id: None,
                        },
                    },
                    notices,
                )
                .await?;
                row.stage = to;
                row.stage_changed_at = Some(now);
                row.mql_kind = Some(stored_kind(kind));
                row.routing = Some(serde_json::to_value(&routed).unwrap_or_default());
                if let Some(owner) = routed.owner {
                    row.owner_id = Some(owner);
                    row.assigned_at = Some(now);
                    router.assigned(tenant, &routed, owner).await?;
                    let payload = serde_json::json!({
                        "lead": crate::services::webhooks::lead_data(&row),
                        "ownerId": owner,
                        "by": "routing",
                        "routing": row.routing,
                    });
                    notices.webhooks +=
                        crate::services::webhooks::emit(tenant, "lead.assigned", payload, now)
                            .await?;
                    notices
                        .triggers
                        .push(assign(tenant, &row, owner, kind, terms, now, segment).await?);
                    signals.push(Signal::MqlAssigned(stored_kind(kind)));
                }
            }
            Some(MqlKind::Hot)
                if row.stage == LeadStage::Mql && row.mql_kind == Some(StoredMqlKind::Warm) =>
            {
                row.mql_kind = Some(StoredMqlKind::Hot);
                if let Some(owner) = row.owner_id {
                    notices.triggers.push(
                        triggers::write(
                            tenant,
                            NewTrigger {
                                recipient_id: owner,
                                kind: TriggerKind::HotLeadEngaged,
                                lead_id: Some(row.id),
                                play_id: None,
                                step: None,
                                due_at: None,
                                message: format!("{} raised a hand: act now", display_name(&row)),
                            },
                            now,
                        )
                        .await?,
                    );
                }
            }
            _ => {}
        }
        if !plays.is_empty() {
            let view = lead_view(&row, &contact_facts, account_facts.as_ref());
            let view = crate::domain::views::LeadView {
                score: Some(score.total),
                ..view
            };
            plays
                .enroll(
                    tenant,
                    &row,
                    &view,
                    &signals,
                    None,
                    &terms.slas.calendar,
                    now,
                )
                .await?;
        }
        if row != *before {
            row.updated_at = now;
            changed.push(row);
        }
    }
    tenant.save_contacts(changed).await?;
    Ok(())
}

fn stored_kind(kind: MqlKind) -> StoredMqlKind {
    match kind {
        MqlKind::Hot => StoredMqlKind::Hot,
        MqlKind::Warm => StoredMqlKind::Warm,
    }
}

pub fn display_name(row: &contact::Model) -> String {
    row.name
        .clone()
        .or_else(|| row.email.clone())
        .or_else(|| row.external_id.clone())
        .unwrap_or_else(|| "A lead".to_owned())
}

/// Who an SLA clock of `row` is credited to: the lead's source and segment when it starts,
/// and the rep it runs for.
pub fn clock_credit(row: &contact::Model, owner: Uuid, segment: &Option<String>) -> Attribution {
    Attribution {
        source_id: row.source_id,
        segment: segment.clone(),
        owner_id: Some(owner),
        campaign_id: None,
        play_id: None,
    }
}

/// Starts the SLA clocks of an assignment and writes the owner's trigger.
async fn assign<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    row: &contact::Model,
    owner: Uuid,
    kind: MqlKind,
    terms: &Terms,
    now: DateTime<Utc>,
    segment: Option<String>,
) -> AppResult<trigger::Model> {
    let slas = &terms.slas;
    let calendar = &slas.calendar;
    let first_touch_minutes = match kind {
        MqlKind::Hot => slas.first_touch_hot_minutes,
        MqlKind::Warm => slas.first_touch_warm_minutes,
    };
    let first_touch_due =
        calendar.add_business_duration(now, Duration::minutes(i64::from(first_touch_minutes)));
    let status_due =
        calendar.add_business_duration(now, Duration::hours(i64::from(slas.status_update_hours)));
    for (sla, due) in [
        (SlaKind::FirstTouch, first_touch_due),
        (SlaKind::StatusUpdate, status_due),
    ] {
        sla_clock::Entity::insert(sla_clock::ActiveModel {
            id: Set(Uuid::now_v7()),
            workspace_id: Set(tenant.workspace_id()),
            contact_id: Set(row.id),
            kind: Set(sla),
            assignee_id: Set(owner),
            started_at: Set(now),
            due_at: Set(due),
            warn_at: Set(calendar.warn_at(now, due, slas.warn_share)),
            warned_at: Set(None),
            breached_at: Set(None),
            met_at: Set(None),
            source_id: Set(row.source_id),
            segment: Set(segment.clone()),
            first_touch_at: Set(None),
        })
        .exec(tenant.conn())
        .await?;
        rollups::count(
            tenant,
            Fact::SlaDue,
            due,
            &clock_credit(row, owner, &segment),
        )
        .await?;
    }
    let (trigger_kind, what) = match kind {
        MqlKind::Hot => (TriggerKind::HotLeadEngaged, "HOT lead (hand-raiser)"),
        MqlKind::Warm => (TriggerKind::LeadAssigned, "new MQL"),
    };
    triggers::write(
        tenant,
        NewTrigger {
            recipient_id: owner,
            kind: trigger_kind,
            lead_id: Some(row.id),
            play_id: None,
            step: None,
            due_at: Some(first_touch_due),
            message: format!(
                "{what} assigned to you: {}{}; first touch due by {}",
                display_name(row),
                row.title
                    .as_deref()
                    .map(|t| format!(", {t}"))
                    .unwrap_or_default(),
                first_touch_due.to_rfc3339()
            ),
        },
        now,
    )
    .await
}

/// Routing state loaded once per batch: the rules in order and the reps' loads.
struct Router {
    rules: Vec<RuleSpec>,
    reps: HashMap<Uuid, RepState>,
}

impl Router {
    async fn load<C: ConnectionTrait>(tenant: &Tenant<'_, C>) -> AppResult<Self> {
        let rules = tenant
            .select::<routing_rule::Entity>()
            .order_by_asc(routing_rule::Column::Position)
            .order_by_asc(routing_rule::Column::CreatedAt)
            .all(tenant.conn())
            .await?
            .iter()
            .filter_map(|row| crate::services::routing::spec_of(row).ok())
            .collect();
        let mut reps: HashMap<Uuid, RepState> = tenant
            .select::<membership::Entity>()
            .all(tenant.conn())
            .await?
            .into_iter()
            .map(|m| {
                (
                    m.user_id,
                    RepState {
                        open_leads: 0,
                        out_of_office: m.out_of_office,
                        takes_leads: role_allows(m.role, Permission::ReceiveLeads),
                    },
                )
            })
            .collect();
        let loads: Vec<(Option<Uuid>, i64)> = tenant
            .select::<contact::Entity>()
            .select_only()
            .column(contact::Column::OwnerId)
            .column_as(Expr::col(contact::Column::Id).count(), "open")
            .filter(contact::Column::Stage.is_in(OPEN_STAGES))
            .filter(contact::Column::OwnerId.is_not_null())
            .group_by(contact::Column::OwnerId)
            .into_tuple()
            .all(tenant.conn())
            .await?;
        for (owner, open) in loads {
            if let Some(owner) = owner {
                reps.entry(owner).or_default().open_leads = open as u32;
            }
        }
        Ok(Router { rules, reps })
    }

    fn route(&self, view: &crate::domain::views::LeadView<'_>, named_owner: Option<Uuid>) -> Route {
        route(view, named_owner, &self.rules, &self.reps)
    }

    /// Counts an assignment: the rep's load and the rule's round-robin position.
    async fn assigned<C: ConnectionTrait>(
        &mut self,
        tenant: &Tenant<'_, C>,
        routed: &Route,
        owner: Uuid,
    ) -> AppResult<()> {
        self.reps.entry(owner).or_default().open_leads += 1;
        if let crate::domain::routing::RouteReason::Rule { rule_id, .. } = routed.reason {
            if let Some(rule) = self.rules.iter_mut().find(|r| r.id == rule_id) {
                rule.assigned_count += 1;
            }
            routing_rule::Entity::update_many()
                .col_expr(
                    routing_rule::Column::AssignedCount,
                    Expr::col(routing_rule::Column::AssignedCount).add(1),
                )
                .filter(routing_rule::Column::WorkspaceId.eq(tenant.workspace_id()))
                .filter(routing_rule::Column::Id.eq(rule_id))
                .exec(tenant.conn())
                .await?;
        }
        Ok(())
    }
}
