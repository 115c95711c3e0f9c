//! The decision for one lead after an event batch: its new scores, whether it becomes an MQL
//! under the active contract (HOT, PQL or WARM), who gets it, which SLA clocks start, which triggers
//! its owner receives and which play signals it raises. Pure: the ingestion service loads the
//! facts, asks here, and applies the [`LeadOutcome`] through the store.
//!
//! Two steps, so a batch loads the routing snapshot only when one of its leads qualifies:
//! [`assess`] scores and qualifies without routing, [`decide`] routes and plans.

mod plans;
#[cfg(test)]
mod tests;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{contact, LeadStage, MqlKind as StoredMqlKind, TriggerKind};
use uuid::Uuid;

pub use plans::{unroutable, Assignment, ClockPlan, TriggerPlan};

use super::{
    contract::Terms,
    criteria::Criteria,
    fit::triggers_buying,
    lifecycle::{next_stage, Transition, TransitionError},
    plays::Signal,
    routing::{route, AccountMatch, RepState, Route, RouteReason, RuleSpec},
    scoring::{decay_at, mql_kind, score_at, LedgerEntry, MqlKind, ScoreBreakdown, ScoringModel},
    text::display_name,
    views::{lead_view, AccountView, ContactView, LeadView},
};

/// The batch-wide rules a lead is judged by.
pub struct Policy<'a> {
    pub terms: &'a Terms,
    /// The active contract's acceptance criteria, parsed once per batch.
    pub acceptance: Option<&'a Criteria>,
    pub now: DateTime<Utc>,
}

/// What the batch knows of one lead that received events.
pub struct LeadFacts<'a> {
    /// The lead after identity resolution, before its new scores.
    pub lead: &'a contact::Model,
    /// Its score ledger, this batch's entries included: whole, or compacted as
    /// [`crate::domain::scoring::compact`] says (the same score and decisions).
    pub ledger: &'a [LedgerEntry],
    pub contact: &'a ContactView,
    pub account: Option<&'a AccountView>,
    /// The account's owner when its account claims the lead before the rules (a named account;
    /// a customer, an open deal or an owner under `accountOwnerFirst`).
    pub account_owner: Option<AccountMatch>,
    /// The account's segment, which SLA clocks are credited to.
    pub segment: Option<String>,
    /// Leads from a paused source do not qualify.
    pub source_paused: bool,
    /// This batch's events of the lead, oldest first, as play signals.
    pub events: Vec<Signal<'a>>,
    /// The campaign of the latest event naming one: the MQL is credited to it.
    pub campaign_id: Option<Uuid>,
}

/// The routing state of a batch: rules in order and what routing knows of each rep. Every
/// assignment of the batch counts towards the next lead's routing.
#[derive(Debug, Clone, Default)]
pub struct RoutingSnapshot {
    pub rules: Vec<RuleSpec>,
    pub reps: HashMap<Uuid, RepState>,
}

impl RoutingSnapshot {
    pub fn route(&self, view: &LeadView<'_>, account: Option<AccountMatch>) -> Route {
        route(view, account, &self.rules, &self.reps)
    }

    /// Counts an assignment: the rep's load and the rule's round-robin position.
    pub fn assigned(&mut self, routed: &Route, owner: Uuid) {
        self.reps.entry(owner).or_default().open_leads += 1;
        if let RouteReason::Rule { rule_id, .. } = routed.reason {
            if let Some(rule) = self.rules.iter_mut().find(|r| r.id == rule_id) {
                rule.assigned_count += 1;
            }
        }
    }
}

/// A lead scored and judged, before routing.
pub struct Assessment<'a> {
    facts: LeadFacts<'a>,
    /// The lead with its new scores.
    lead: contact::Model,
    score: ScoreBreakdown,
    kind: Option<MqlKind>,
    qualifies: bool,
}

impl Assessment<'_> {
    /// Whether [`decide`] will route this lead (it becomes an MQL now).
    pub fn needs_routing(&self) -> bool {
        self.kind.is_some() && self.qualifies
    }
}

/// What happens to a lead, as data.
#[derive(Debug)]
pub struct LeadOutcome<'a> {
    /// The lead as it is to be saved.
    pub lead: contact::Model,
    /// Its engagement score now (decay counted), for the plays' view of it.
    pub score: i32,
    pub step: Step,
    /// What the plays hear: the events, the score's move, a PQL reached, an MQL assigned.
    pub signals: Vec<Signal<'a>>,
}

/// The funnel step a batch takes a lead through.
#[derive(Debug)]
pub enum Step {
    /// Only the scores change.
    Rescored,
    /// The lead becomes an MQL.
    Qualified(Box<Qualification>),
    /// A WARM MQL raised a hand: it is HOT now, and its owner (if any) hears it.
    BecameHot { trigger: Option<TriggerPlan> },
}

/// A lead becoming an MQL.
#[derive(Debug)]
pub struct Qualification {
    /// The lead as the stage history records the move: the new owner, the previous stage.
    pub moving: contact::Model,
    pub to: LeadStage,
    pub reason: String,
    /// The campaign the move is credited to.
    pub campaign_id: Option<Uuid>,
    pub route: Route,
    /// `None` when routing found nobody: the lead waits in the unassigned queue.
    pub assignment: Option<Assignment>,
}

/// Scores the lead and judges it against the contract.
pub fn assess<'a>(facts: LeadFacts<'a>, policy: &Policy<'_>) -> Assessment<'a> {
    let terms = policy.terms;
    let mut lead = facts.lead.clone();
    let score = score_at(&terms.scoring, facts.ledger, policy.now);
    lead.engagement_score = score.behaviour;
    lead.pql_score = score.pql;
    lead.last_engaged_at = score.last_engaged_at.or(lead.last_engaged_at);
    let mut view = lead_view(&lead, facts.contact, facts.account);
    view.score = Some(score.total);
    let kind = mql_kind(&terms.scoring, lead.fit_score, &score);
    let accepted = lead.fit_score >= terms.acceptance.min_fit
        && policy.acceptance.is_none_or(|c| c.evaluate(&view));
    let qualifies = matches!(lead.stage, LeadStage::Lead | LeadStage::Nurture)
        && waits_no_longer(&lead, policy.now)
        && accepted
        && !facts.source_paused;
    Assessment {
        facts,
        lead,
        score,
        kind,
        qualifies,
    }
}

/// A FUTURE or RE_ENGAGE lead re-enters qualification on its next engagement; a CHECK_BACK lead
/// waits for its date (the check-back job hands it back to its owner then).
pub fn waits_no_longer(lead: &contact::Model, now: DateTime<Utc>) -> bool {
    lead.check_back_on
        .is_none_or(|date| date <= now.date_naive())
}

/// Routes and plans what the assessment calls for. `routing` must be given when
/// [`Assessment::needs_routing`] says so.
pub fn decide<'a>(
    assessment: Assessment<'a>,
    routing: Option<&mut RoutingSnapshot>,
    policy: &Policy<'_>,
) -> Result<LeadOutcome<'a>, TransitionError> {
    let mut signals = score_signals(&assessment, policy);
    let Assessment {
        facts,
        mut lead,
        score,
        kind,
        qualifies,
    } = assessment;
    let step = match kind {
        Some(kind) if qualifies => {
            let routing = routing.expect("the caller loads routing when a lead needs it");
            let qualification = qualify(&facts, &mut lead, &score, kind, routing, policy)?;
            if qualification.assignment.is_some() {
                signals.push(Signal::MqlAssigned(stored_kind(kind)));
            }
            Step::Qualified(Box::new(qualification))
        }
        Some(MqlKind::Hot)
            if lead.stage == LeadStage::Mql && lead.mql_kind == Some(StoredMqlKind::Warm) =>
        {
            lead.mql_kind = Some(StoredMqlKind::Hot);
            let trigger = lead.owner_id.map(|owner| TriggerPlan {
                recipient_id: owner,
                kind: TriggerKind::HotLeadEngaged,
                due_at: None,
                message: format!("{} raised a hand: act now", display_name(&lead)),
            });
            Step::BecameHot { trigger }
        }
        _ => Step::Rescored,
    };
    Ok(LeadOutcome {
        lead,
        score: score.total,
        step,
        signals,
    })
}

/// The events, then the score's move (both sides with decay as it stands now, so a lead that
/// decayed below a threshold and climbs back crosses it again), then a PQL reached, then, when
/// the lead engaged and its fit says its persona TRIGGERS the buying motion, that.
fn score_signals<'a>(assessment: &Assessment<'a>, policy: &Policy<'_>) -> Vec<Signal<'a>> {
    let scoring = &policy.terms.scoring;
    let before = assessment.facts.lead;
    let score = &assessment.score;
    let mut signals = assessment.facts.events.clone();
    let decayed_before = Ord::max(
        before.engagement_score.saturating_add(decay_at(
            scoring,
            before.last_engaged_at,
            policy.now,
        )),
        0,
    );
    signals.push(Signal::ScoreChanged {
        before: decayed_before,
        after: score.total,
    });
    if before.pql_score < scoring.pql_threshold && score.pql >= scoring.pql_threshold {
        signals.push(Signal::PqlReached);
    }
    let engaged = !assessment.facts.events.is_empty();
    if engaged && before.fit_breakdown.as_ref().is_some_and(triggers_buying) {
        signals.push(Signal::TriggeringPersona);
    }
    signals
}

/// Moves the lead to MQL: routes it, stamps the route and, when someone gets it, plans the
/// assignment.
fn qualify(
    facts: &LeadFacts<'_>,
    lead: &mut contact::Model,
    score: &ScoreBreakdown,
    kind: MqlKind,
    routing: &mut RoutingSnapshot,
    policy: &Policy<'_>,
) -> Result<Qualification, TransitionError> {
    let now = policy.now;
    let mut view = lead_view(lead, facts.contact, facts.account);
    view.score = Some(score.total);
    let routed = routing.route(&view, facts.account_owner);
    let to = next_stage(lead.stage, Transition::Qualify)?;
    // The new owner is on the stage change's record, so their manager sees it.
    if let Some(owner) = routed.owner {
        lead.owner_id = Some(owner);
    }
    let moving = lead.clone();
    let reason = qualified_because(kind, score, lead.fit_score, &policy.terms.scoring);
    lead.stage = to;
    lead.stage_changed_at = Some(now);
    lead.mql_kind = Some(stored_kind(kind));
    lead.routing = Some(serde_json::to_value(&routed).unwrap_or_default());
    // Nobody can take it: it waits in the unassigned queue from now.
    lead.waiting_since = routed.owner.is_none().then_some(now);
    let assignment = routed.owner.map(|owner| {
        lead.assigned_at = Some(now);
        routing.assigned(&routed, owner);
        plans::assignment(lead, owner, kind, facts.segment.clone(), policy)
    });
    Ok(Qualification {
        moving,
        to,
        reason,
        campaign_id: facts.campaign_id,
        route: routed,
        assignment,
    })
}

/// The stage history's reason for an MQL: which path qualified it, with the figures.
fn qualified_because(
    kind: MqlKind,
    score: &ScoreBreakdown,
    fit: i32,
    model: &ScoringModel,
) -> String {
    match kind {
        MqlKind::Pql => format!(
            "PQL: product score {} reached the PQL threshold of {}",
            score.pql, model.pql_threshold
        ),
        MqlKind::Hot | MqlKind::Warm => format!(
            "score {} + fit {} reached the MQL threshold of {}",
            score.total, fit, model.mql_threshold
        ),
    }
}

/// Routes a waiting MQL (one in the unassigned queue) again, as qualification would: when
/// someone can take it now, stamps the owner, the route and the assignment time on `lead`, takes
/// it out of the queue and plans the assignment, whose clocks start now. `None` (and `lead`
/// untouched) while nobody can.
pub fn route_waiting(
    lead: &mut contact::Model,
    view: &LeadView<'_>,
    account_owner: Option<AccountMatch>,
    segment: Option<String>,
    routing: &mut RoutingSnapshot,
    policy: &Policy<'_>,
) -> Option<(Route, Assignment)> {
    let routed = routing.route(view, account_owner);
    let owner = routed.owner?;
    let kind = match lead.mql_kind {
        Some(StoredMqlKind::Hot) => MqlKind::Hot,
        Some(StoredMqlKind::Pql) => MqlKind::Pql,
        _ => MqlKind::Warm,
    };
    lead.owner_id = Some(owner);
    lead.assigned_at = Some(policy.now);
    lead.waiting_since = None;
    lead.routing = Some(serde_json::to_value(&routed).unwrap_or_default());
    routing.assigned(&routed, owner);
    let assignment = plans::assignment(lead, owner, kind, segment, policy);
    Some((routed, assignment))
}

/// The stored form of an MQL kind.
pub fn stored_kind(kind: MqlKind) -> StoredMqlKind {
    match kind {
        MqlKind::Hot => StoredMqlKind::Hot,
        MqlKind::Warm => StoredMqlKind::Warm,
        MqlKind::Pql => StoredMqlKind::Pql,
    }
}
