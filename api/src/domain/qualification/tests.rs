//! The decision for a lead under the seed contract (MQL threshold 50, minimum fit 25, HOT first
//! touch in 5 business minutes, WARM in 4 business hours).

use chrono::{DateTime, Duration, TimeZone, Utc};
use entity::{contact, LeadStage, MqlKind as StoredMqlKind, SlaKind, TriggerKind};
use serde_json::json;
use uuid::Uuid;

use super::*;
use crate::domain::{
    contract::Terms,
    routing::RuleSpec,
    scoring::{EntryKind, LedgerEntry},
    views::ContactView,
};

/// A Wednesday, 10:00 in New York: inside the seed calendar's business hours.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 4, 15, 0, 0).unwrap()
}

fn lead(fit: i32) -> contact::Model {
    contact::Model {
        id: Uuid::now_v7(),
        workspace_id: Uuid::nil(),
        email: Some("ada@acme.com".into()),
        external_id: None,
        account_id: None,
        name: Some("Ada Lovelace".into()),
        title: Some("CTO".into()),
        persona: None,
        seniority: None,
        personal_email: false,
        source_id: None,
        source_detail: None,
        owner_id: None,
        stage: LeadStage::Lead,
        fit_score: fit,
        fit_breakdown: None,
        engagement_score: 0,
        pql_score: 0,
        last_engaged_at: None,
        mql_kind: None,
        stage_changed_at: None,
        assigned_at: None,
        routing: None,
        tags: json!([]),
        opted_out_at: None,
        custom: json!({}),
        check_back_on: None,
        recycle_tag: None,
        waiting_since: None,
        last_event_at: None,
        created_at: now(),
        updated_at: now(),
    }
}

fn entry(rule: &str, kind: EntryKind, points: i32) -> LedgerEntry {
    LedgerEntry {
        event_id: Uuid::now_v7(),
        rule: rule.into(),
        kind,
        points,
        occurred_at: now() - Duration::minutes(1),
    }
}

fn behaviour(rule: &str, points: i32) -> LedgerEntry {
    entry(rule, EntryKind::Behaviour, points)
}

/// A snapshot where `reps` take leads and are free.
fn seated(reps: &[Uuid]) -> RoutingSnapshot {
    RoutingSnapshot {
        rules: Vec::new(),
        reps: reps
            .iter()
            .map(|rep| {
                let state = RepState {
                    takes_leads: true,
                    ..RepState::default()
                };
                (*rep, state)
            })
            .collect(),
    }
}

/// Decides for `lead` with `ledger`; the named account owner and pause as given.
fn decide_for<'a>(
    lead: &'a contact::Model,
    ledger: &'a [LedgerEntry],
    contact: &'a ContactView,
    named_owner: Option<Uuid>,
    source_paused: bool,
    routing: &mut RoutingSnapshot,
) -> LeadOutcome<'a> {
    let terms = Terms::seed();
    let policy = Policy {
        terms: &terms,
        acceptance: None,
        now: now(),
    };
    let facts = LeadFacts {
        lead,
        ledger,
        contact,
        account: None,
        account_owner: named_owner.and_then(|o| {
            crate::domain::routing::AccountMatch::of(Some(o), true, false, false, true)
        }),
        segment: Some("MID_MARKET".into()),
        source_paused,
        events: Vec::new(),
        campaign_id: None,
    };
    let assessment = assess(facts, &policy);
    let routing = assessment.needs_routing().then_some(routing);
    decide(assessment, routing, &policy).unwrap()
}

fn qualified<'o>(outcome: &'o LeadOutcome<'_>) -> &'o Qualification {
    match &outcome.step {
        Step::Qualified(q) => q,
        other => panic!("expected an MQL, got {other:?}"),
    }
}

#[test]
fn a_hand_raiser_in_the_icp_is_a_hot_mql_with_five_minutes_to_first_touch() {
    let rep = Uuid::now_v7();
    let before = lead(30);
    let ledger = [behaviour("demo_request", 50)];
    let contact = ContactView::default();
    let outcome = decide_for(
        &before,
        &ledger,
        &contact,
        Some(rep),
        false,
        &mut seated(&[rep]),
    );
    let q = qualified(&outcome);
    assert_eq!(q.to, LeadStage::Mql);
    assert_eq!(
        q.reason,
        "score 50 + fit 30 reached the MQL threshold of 50"
    );
    // The history records the move with the new owner, from the previous stage.
    assert_eq!(
        (q.moving.stage, q.moving.owner_id),
        (LeadStage::Lead, Some(rep))
    );
    assert_eq!(outcome.lead.stage, LeadStage::Mql);
    assert_eq!(outcome.lead.mql_kind, Some(StoredMqlKind::Hot));
    assert_eq!(outcome.lead.engagement_score, 50);
    assert_eq!(outcome.lead.assigned_at, Some(now()));
    let assignment = q.assignment.as_ref().expect("the named owner takes it");
    assert_eq!(assignment.owner, rep);
    assert_eq!(assignment.segment.as_deref(), Some("MID_MARKET"));
    assert_eq!(assignment.clocks[0].kind, SlaKind::FirstTouch);
    assert_eq!(assignment.clocks[0].due_at, now() + Duration::minutes(5));
    assert_eq!(assignment.clocks[1].kind, SlaKind::StatusUpdate);
    assert!(assignment.clocks[0].warn_at < assignment.clocks[0].due_at);
    assert_eq!(assignment.trigger.kind, TriggerKind::HotLeadEngaged);
    assert_eq!(assignment.trigger.recipient_id, rep);
    assert_eq!(
        assignment.trigger.message,
        format!(
            "HOT lead (hand-raiser) assigned to you: Ada Lovelace, CTO; first touch due by {}",
            (now() + Duration::minutes(5)).to_rfc3339()
        )
    );
    assert!(outcome
        .signals
        .contains(&Signal::MqlAssigned(StoredMqlKind::Hot)));
}

#[test]
fn behaviour_over_the_threshold_is_a_warm_mql_with_four_hours() {
    let rep = Uuid::now_v7();
    let before = lead(30);
    let ledger = [behaviour("pricing_page_visit", 25)];
    let contact = ContactView::default();
    let outcome = decide_for(
        &before,
        &ledger,
        &contact,
        Some(rep),
        false,
        &mut seated(&[rep]),
    );
    let assignment = qualified(&outcome).assignment.as_ref().unwrap();
    assert_eq!(outcome.lead.mql_kind, Some(StoredMqlKind::Warm));
    assert_eq!(assignment.clocks[0].due_at, now() + Duration::hours(4));
    assert_eq!(assignment.trigger.kind, TriggerKind::LeadAssigned);
    assert!(assignment
        .trigger
        .message
        .starts_with("new MQL assigned to you"));
}

#[test]
fn below_the_threshold_only_the_scores_change() {
    let before = lead(40);
    // 40 + 2 = 42 < 50.
    let ledger = [behaviour("email_open", 2)];
    let contact = ContactView::default();
    let outcome = decide_for(&before, &ledger, &contact, None, false, &mut seated(&[]));
    assert!(matches!(outcome.step, Step::Rescored));
    assert_eq!(outcome.lead.stage, LeadStage::Lead);
    assert_eq!(outcome.lead.engagement_score, 2);
    assert_eq!(
        outcome.signals,
        vec![Signal::ScoreChanged {
            before: 0,
            after: 2
        }]
    );
}

#[test]
fn fit_alone_never_makes_an_mql() {
    let before = lead(60);
    let contact = ContactView::default();
    let outcome = decide_for(&before, &[], &contact, None, false, &mut seated(&[]));
    assert!(matches!(outcome.step, Step::Rescored));
}

#[test]
fn a_poor_fit_or_a_paused_source_does_not_qualify() {
    let contact = ContactView::default();
    let ledger = [behaviour("demo_request", 50)];
    // Minimum fit is 25.
    let poor = lead(24);
    let outcome = decide_for(&poor, &ledger, &contact, None, false, &mut seated(&[]));
    assert!(matches!(outcome.step, Step::Rescored));
    let paused = lead(30);
    let outcome = decide_for(&paused, &ledger, &contact, None, true, &mut seated(&[]));
    assert!(matches!(outcome.step, Step::Rescored));
    assert_eq!(outcome.lead.stage, LeadStage::Lead);
}

#[test]
fn nurtured_leads_qualify_again_and_leads_further_on_do_not() {
    let contact = ContactView::default();
    let ledger = [behaviour("pricing_page_visit", 25)];
    let mut nurtured = lead(30);
    nurtured.stage = LeadStage::Nurture;
    let outcome = decide_for(&nurtured, &ledger, &contact, None, false, &mut seated(&[]));
    assert_eq!(qualified(&outcome).to, LeadStage::Mql);
    let mut accepted = lead(30);
    accepted.stage = LeadStage::Sal;
    let outcome = decide_for(&accepted, &ledger, &contact, None, false, &mut seated(&[]));
    assert!(matches!(outcome.step, Step::Rescored));
}

#[test]
fn with_nobody_to_take_it_the_mql_waits_in_the_fallback_queue() {
    let before = lead(30);
    let ledger = [behaviour("demo_request", 50)];
    let contact = ContactView::default();
    // The named owner does not take leads (routing does not know them): no one is eligible.
    let owner = Uuid::now_v7();
    let outcome = decide_for(
        &before,
        &ledger,
        &contact,
        Some(owner),
        false,
        &mut seated(&[]),
    );
    let q = qualified(&outcome);
    assert!(q.assignment.is_none());
    assert_eq!(q.route.reason, RouteReason::Fallback);
    assert_eq!(outcome.lead.owner_id, None);
    assert_eq!(outcome.lead.assigned_at, None);
    assert_eq!(outcome.lead.stage, LeadStage::Mql);
    assert_eq!(outcome.lead.routing.as_ref().unwrap()["by"], "fallback");
    assert_eq!(
        outcome.lead.waiting_since,
        Some(now()),
        "it joins the queue"
    );
    let (revops, manager) = (Uuid::now_v7(), Uuid::now_v7());
    let told = unroutable(&outcome.lead, &q.route, &[revops, manager]);
    assert_eq!(
        told.iter().map(|t| t.recipient_id).collect::<Vec<_>>(),
        vec![revops, manager]
    );
    assert!(told
        .iter()
        .all(|t| t.kind == TriggerKind::UnroutableLead && t.message.contains("Ada Lovelace")));
    assert!(!outcome
        .signals
        .iter()
        .any(|s| matches!(s, Signal::MqlAssigned(_))));
}

#[test]
fn each_assignment_counts_towards_the_next_leads_routing() {
    let (ann, bob) = (Uuid::now_v7(), Uuid::now_v7());
    let mut routing = seated(&[ann, bob]);
    routing.rules.push(RuleSpec {
        id: Uuid::now_v7(),
        version_id: Uuid::now_v7(),
        version: 1,
        name: "Everyone".into(),
        criteria: crate::domain::criteria::Criteria::parse(
            &json!({"field": "lead.fitScore", "op": "GTE", "value": 0}),
        )
        .unwrap(),
        targets: vec![(ann, 1), (bob, 1)],
        weighted: false,
        capacity: None,
        assigned_count: 0,
    });
    let ledger = [behaviour("demo_request", 50)];
    let contact = ContactView::default();
    let (first, second) = (lead(30), lead(30));
    let one = decide_for(&first, &ledger, &contact, None, false, &mut routing);
    let two = decide_for(&second, &ledger, &contact, None, false, &mut routing);
    let owners = [one.lead.owner_id.unwrap(), two.lead.owner_id.unwrap()];
    assert_ne!(owners[0], owners[1], "round robin moves on");
    assert!(matches!(
        qualified(&one).route.reason,
        RouteReason::Rule { .. }
    ));
    assert_eq!(routing.rules[0].assigned_count, 2);
    assert_eq!(
        routing.reps[&ann].open_leads + routing.reps[&bob].open_leads,
        2
    );
}

#[test]
fn a_warm_mql_that_raises_a_hand_turns_hot_and_its_owner_hears_it() {
    let rep = Uuid::now_v7();
    let mut warm = lead(30);
    warm.stage = LeadStage::Mql;
    warm.mql_kind = Some(StoredMqlKind::Warm);
    warm.owner_id = Some(rep);
    let ledger = [
        behaviour("pricing_page_visit", 25),
        behaviour("demo_request", 50),
    ];
    let contact = ContactView::default();
    let outcome = decide_for(&warm, &ledger, &contact, None, false, &mut seated(&[]));
    assert_eq!(outcome.lead.mql_kind, Some(StoredMqlKind::Hot));
    match &outcome.step {
        Step::BecameHot {
            trigger: Some(trigger),
        } => {
            assert_eq!(trigger.recipient_id, rep);
            assert_eq!(trigger.kind, TriggerKind::HotLeadEngaged);
            assert_eq!(trigger.due_at, None);
            assert_eq!(trigger.message, "Ada Lovelace raised a hand: act now");
        }
        other => panic!("expected HOT with a trigger, got {other:?}"),
    }
    warm.owner_id = None;
    let outcome = decide_for(&warm, &ledger, &contact, None, false, &mut seated(&[]));
    assert!(matches!(outcome.step, Step::BecameHot { trigger: None }));
}

#[test]
fn plays_hear_the_events_the_score_move_and_a_pql_reached() {
    let mut before = lead(10);
    before.engagement_score = 20;
    // Engaged 8 days ago: the seed decays 5 points after 7 days.
    before.last_engaged_at = Some(now() - Duration::days(8));
    let ledger = [
        LedgerEntry {
            occurred_at: now() - Duration::days(8),
            ..behaviour("webinar_attended", 20)
        },
        behaviour("session", 10),
        entry("invited_3_teammates", EntryKind::Pql, 30),
        entry("used_core_feature_10_times", EntryKind::Pql, 25),
        entry("enabled_first_integration", EntryKind::Pql, 20),
        entry("hit_80_percent_of_free_tier", EntryKind::Pql, 20),
        entry("created_first_project", EntryKind::Pql, 15),
    ];
    let contact = ContactView::default();
    let outcome = decide_for(&before, &ledger, &contact, None, false, &mut seated(&[]));
    assert_eq!(outcome.lead.pql_score, 110);
    assert_eq!(
        outcome.signals,
        vec![
            Signal::ScoreChanged {
                before: 15,
                after: 30
            },
            Signal::PqlReached
        ]
    );
}

#[test]
fn the_contracts_acceptance_criteria_read_the_rescored_lead() {
    let terms = Terms::seed();
    let criteria = crate::domain::criteria::Criteria::parse(
        &json!({"field": "lead.score", "op": "GTE", "value": 60}),
    )
    .unwrap();
    let policy = Policy {
        terms: &terms,
        acceptance: Some(&criteria),
        now: now(),
    };
    let contact = ContactView::default();
    let before = lead(30);
    let assess_with = |ledger: &[LedgerEntry]| {
        let facts = LeadFacts {
            lead: &before,
            ledger,
            contact: &contact,
            account: None,
            account_owner: None,
            segment: None,
            source_paused: false,
            events: Vec::new(),
            campaign_id: None,
        };
        assess(facts, &policy).needs_routing()
    };
    // 50 behaviour points make an MQL by score, but the contract asks for 60.
    assert!(!assess_with(&[behaviour("demo_request", 50)]));
    assert!(assess_with(&[
        behaviour("demo_request", 50),
        behaviour("session", 10)
    ]));
}

#[test]
fn a_check_back_lead_waits_for_its_date_and_other_recycled_leads_do_not() {
    let mut nurtured = lead(30);
    nurtured.stage = LeadStage::Nurture;
    assert!(
        waits_no_longer(&nurtured, now()),
        "FUTURE / RE_ENGAGE: no date"
    );
    nurtured.check_back_on = Some(now().date_naive() + Duration::days(1));
    assert!(!waits_no_longer(&nurtured, now()));
    nurtured.check_back_on = Some(now().date_naive());
    assert!(waits_no_longer(&nurtured, now()), "its date came");
}

#[test]
fn product_signals_at_the_pql_threshold_make_a_pql_clocked_like_a_hot_mql() {
    let rep = Uuid::now_v7();
    let before = lead(30);
    let pql = |rule: &str, points| entry(rule, EntryKind::Pql, points);
    // 30 + 25 + 20 + 15 + 10 = 100: the seed's PQL threshold; no engagement score at all.
    let ledger = [
        pql("invited_3_teammates", 30),
        pql("used_core_feature_10_times", 25),
        pql("enabled_first_integration", 20),
        pql("created_first_project", 15),
        pql("icp_match", 10),
    ];
    let contact = ContactView::default();
    let outcome = decide_for(
        &before,
        &ledger,
        &contact,
        Some(rep),
        false,
        &mut seated(&[rep]),
    );
    let q = qualified(&outcome);
    assert_eq!(
        q.reason,
        "PQL: product score 100 reached the PQL threshold of 100"
    );
    assert_eq!(outcome.lead.mql_kind, Some(StoredMqlKind::Pql));
    assert_eq!(outcome.lead.pql_score, 100);
    assert_eq!(outcome.lead.owner_id, Some(rep));
    let assignment = q.assignment.as_ref().expect("the account's owner takes it");
    assert_eq!(assignment.clocks[0].due_at, now() + Duration::minutes(5));
    assert_eq!(assignment.trigger.kind, TriggerKind::HotLeadEngaged);
    assert!(assignment
        .trigger
        .message
        .starts_with("PQL (product-qualified lead) assigned"));
    // The PQL play hears the threshold reached, with the lead now owned.
    assert!(outcome.signals.contains(&Signal::PqlReached));
    assert!(outcome
        .signals
        .contains(&Signal::MqlAssigned(StoredMqlKind::Pql)));

    // Under the contract's minimum fit, a PQL is not routed either.
    let poor = lead(10);
    let outcome = decide_for(&poor, &ledger, &contact, None, false, &mut seated(&[rep]));
    assert!(matches!(outcome.step, Step::Rescored));
}

#[test]
fn a_waiting_mql_is_routed_once_a_rep_is_eligible_and_its_clocks_start_then() {
    let rep = Uuid::now_v7();
    let mut waiting = lead(30);
    waiting.stage = LeadStage::Mql;
    waiting.mql_kind = Some(StoredMqlKind::Hot);
    waiting.waiting_since = Some(now() - Duration::days(2));
    let contact = ContactView::default();
    let terms = Terms::seed();
    let later = now() + Duration::hours(1);
    let policy = Policy {
        terms: &terms,
        acceptance: None,
        now: later,
    };
    let mut routing = seated(&[rep]);
    let rule = Uuid::now_v7();
    routing.rules.push(RuleSpec {
        id: rule,
        version_id: rule,
        version: 1,
        name: "Everyone".into(),
        criteria: crate::domain::criteria::Criteria::parse(
            &json!({"field": "lead.fitScore", "op": "GTE", "value": 0}),
        )
        .unwrap(),
        targets: vec![(rep, 1)],
        weighted: false,
        capacity: Some(1),
        assigned_count: 0,
    });
    routing.reps.get_mut(&rep).unwrap().open_leads = 1;
    let before = waiting.clone();
    let view = crate::domain::views::lead_view(&before, &contact, None);
    let full = route_waiting(&mut waiting, &view, None, None, &mut routing, &policy);
    assert!(full.is_none(), "at capacity: it keeps waiting");
    assert_eq!(waiting, before);

    routing.reps.get_mut(&rep).unwrap().open_leads = 0;
    let (route, assignment) =
        route_waiting(&mut waiting, &view, None, None, &mut routing, &policy).unwrap();
    assert!(matches!(route.reason, RouteReason::Rule { .. }));
    assert_eq!(waiting.owner_id, Some(rep));
    assert_eq!(waiting.assigned_at, Some(later));
    assert_eq!(waiting.waiting_since, None);
    assert_eq!(waiting.routing.as_ref().unwrap()["by"], "rule");
    let first_touch = &assignment.clocks[0];
    assert_eq!(first_touch.kind, SlaKind::FirstTouch);
    assert_eq!(
        first_touch.due_at,
        later + Duration::minutes(5),
        "a HOT lead's first touch counts from assignment, not from when it qualified"
    );
    assert_eq!(assignment.trigger.kind, TriggerKind::HotLeadEngaged);
    assert_eq!(routing.reps[&rep].open_leads, 1);
}
