//! Deals: the opportunity a lead converts into, its stage history, and how it ends (won: the
//! lead becomes a CUSTOMER; lost: back to NURTURE), unless it is still open at `now`.

use chrono::{DateTime, Duration, Utc};
use entity::{opportunity, opportunity_stage_change, LeadStage, OpportunityStage};

use super::{
    batch::Batch,
    lead::{Gen, Sim},
    Draw,
};

use OpportunityStage::{ClosedLost, ClosedWon, Discovery, Negotiation, Proposal, Qualification};

/// The reason of the stage change that a dispute upheld writes.
pub const REINSTATED: &str = "dispute upheld: back to its rep";

const LOST_REASONS: &[&str] = &[
    "No budget",
    "Chose a competitor",
    "No decision",
    "Timing",
    "Missing feature",
];

const COMPETITORS: &[&str] = &["Rivalsoft", "Incumbent CRM", "Build in-house"];

/// Opens the deal of lead `s` converted at `at`; returns the lead's planned move at the end of
/// the deal (which does not happen when it falls after `now`).
pub(super) fn open(
    gen: &mut Gen<'_>,
    s: &Sim,
    at: DateTime<Utc>,
    batch: &mut Batch,
) -> (LeadStage, DateTime<Utc>, &'static str) {
    let now = gen.world.now;
    let (lo, hi) = match s.segment {
        "ENTERPRISE" => (60_000.0, 150_000.0),
        "MID_MARKET" => (20_000.0, 80_000.0),
        _ => (5_000.0, 25_000.0),
    };
    let amount = ((lo + (hi - lo) * gen.rng.unit()) / 100.0).round() * 100.0;
    let length = gen.rng.within(Duration::days(20), Duration::days(300), 1);
    let won = gen.rng.chance(0.5);
    let end = at + length;
    // The stages it passes through, at fractions of its length; a lost deal may stop early.
    let mut path = vec![
        (Discovery, 0.0),
        (Qualification, 0.2),
        (Proposal, 0.5),
        (Negotiation, 0.75),
    ];
    if !won {
        path.truncate(1 + gen.rng.below(4) as usize);
    }
    path.push((if won { ClosedWon } else { ClosedLost }, 1.0));
    let id = gen.ids.next();
    let mut stage = Discovery;
    let mut stage_at = at;
    let mut from = None;
    let mut previous: Option<usize> = None;
    for (to, share) in path {
        let when = at + Duration::seconds((length.num_seconds() as f64 * share) as i64);
        if when >= now {
            break;
        }
        if let Some(index) = previous {
            batch.deal_moves[index].left_at = Some(when);
        }
        previous = Some(batch.deal_moves.len());
        batch.deal_moves.push(opportunity_stage_change::Model {
            id: gen.ids.next(),
            workspace_id: gen.world.workspace_id,
            opportunity_id: id,
            from_stage: from,
            to_stage: to,
            changed_at: when,
            actor_id: s.owner,
            left_at: None,
        });
        from = Some(to);
        stage = to;
        stage_at = when;
    }
    let closed = matches!(stage, ClosedWon | ClosedLost);
    batch.opportunities.push(opportunity::Model {
        id,
        workspace_id: gen.world.workspace_id,
        name: format!("New business {}", id.simple()),
        account_id: s.account,
        primary_contact_id: Some(s.id),
        external_id: None,
        lead_id: Some(s.id),
        source_id: Some(s.source),
        owner_id: s.owner,
        amount,
        currency: "USD".into(),
        stage,
        close_date: Some(end.date_naive()),
        lost_reason: (closed && !won).then(|| gen.rng.pick(LOST_REASONS).to_string()),
        // From the id, not the generator: the rest of the data set stays as it was.
        competitor: (closed && !won)
            .then(|| COMPETITORS[(id.as_u128() % COMPETITORS.len() as u128) as usize].to_string()),
        created_at: at,
        closed_at: closed.then_some(end),
        stage_changed_at: Some(stage_at),
    });
    if won {
        (LeadStage::Customer, end, "deal won")
    } else {
        (LeadStage::Nurture, end, "deal lost")
    }
}
