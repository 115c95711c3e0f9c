//! One lead's year, as the rows Accord would have written for it. The lead is created (LEAD,
//! no stage change row) and then walks the funnel: ~30% become MQLs (assigned to a rep, with a
//! FIRST_TOUCH and a STATUS_UPDATE clock); sales accepts ~60% of MQLs and rejects ~25% (a
//! rejection row; some disputed, some of those upheld, which reinstates the MQL); SAL -> SQL
//! ~50%, SQL -> OPPORTUNITY ~50% (a deal); a deal ends won (CUSTOMER) or lost (NURTURE) unless
//! it is still open at `now`; some leads are recycled to NURTURE, disqualified, or qualify
//! again from NURTURE. Nothing happens at or after `now`.
//!
//! Each stage change row is a stay: its `left_at`/`next_stage` are the lead's next row's
//! `changed_at`/`to_stage` (NULL for the current stay), and the contact's `stage` and
//! `stage_changed_at` are those of its last row.

use chrono::{DateTime, Duration, Utc};
use entity::{contact, stage_change, LeadStage, MqlKind};
use serde_json::json;
use uuid::Uuid;

use super::{batch::Batch, deal, world::World, Draw, Ids};
use crate::support::generate::{Rng, TITLES};

use LeadStage::{Disqualified, Lead, Mql, Nurture, Opportunity, Sal, Sql};

/// An account as its leads see it.
pub struct AccountRef {
    pub id: Uuid,
    pub domain: String,
    pub segment: &'static str,
}

/// The generator state shared by the leads of a run.
pub struct Gen<'w> {
    pub world: &'w World,
    pub rng: Rng,
    pub ids: Ids,
}

/// A lead while its history is being written.
pub(super) struct Sim {
    pub id: Uuid,
    pub source: Uuid,
    pub account: Uuid,
    pub segment: &'static str,
    pub created: DateTime<Utc>,
    pub stage: LeadStage,
    pub at: DateTime<Utc>,
    pub owner: Option<Uuid>,
    pub assigned_at: Option<DateTime<Utc>>,
    pub mql_kind: Option<MqlKind>,
    pub campaign: Option<Uuid>,
    pub play: Option<Uuid>,
    /// Index of the lead's current stay in `Batch::stage_changes`.
    pub last_row: Option<usize>,
    /// Clocks still running: index in `Batch::clocks` and when the rep would have met it.
    pub clocks: Vec<(usize, Option<DateTime<Utc>>)>,
    /// A move decided in advance (a deal's end, a reinstatement): stage, when, why.
    pub planned: Option<(LeadStage, DateTime<Utc>, &'static str)>,
    pub reinstated: bool,
    pub moves: u32,
    pub first_mql: Option<DateTime<Utc>>,
}

fn days(n: i64) -> Duration {
    Duration::days(n)
}

impl Gen<'_> {
    /// Writes lead number `n` of `account` and everything that happened to it.
    pub fn lead(&mut self, n: u64, account: &AccountRef, batch: &mut Batch) {
        let now = self.world.now;
        let created = now - self.rng.within(Duration::zero(), days(365), 1);
        let mut s = Sim {
            id: self.ids.next(),
            source: *self.rng.pick(&self.world.sources),
            account: account.id,
            segment: account.segment,
            created,
            stage: Lead,
            at: created,
            owner: None,
            assigned_at: None,
            mql_kind: None,
            campaign: None,
            play: None,
            last_row: None,
            clocks: Vec::new(),
            planned: None,
            reinstated: false,
            moves: 0,
            first_mql: None,
        };
        while s.moves < 12 {
            let Some((to, at, why)) = self.next_move(&mut s) else {
                break;
            };
            if at >= now {
                break;
            }
            self.apply(&mut s, to, at, why, batch);
        }
        self.settle_clocks(&mut s, None, batch);
        if matches!(s.stage, Sal | Sql) {
            self.follow_ups(&s, now, batch);
        }
        let last_engaged = self.events(n, &s, account, batch);
        let title = *self.rng.pick(TITLES);
        batch.contacts.push(contact::Model {
            id: s.id,
            workspace_id: self.world.workspace_id,
            email: Some(format!("person{n}@{}", account.domain)),
            external_id: None,
            account_id: Some(account.id),
            name: Some(format!("Person {n}")),
            title: Some(title.to_owned()),
            persona: None,
            seniority: None,
            personal_email: false,
            source_id: Some(s.source),
            source_detail: None,
            owner_id: s.owner,
            stage: s.stage,
            fit_score: self.rng.below(101) as i32,
            fit_breakdown: None,
            engagement_score: self.rng.below(120) as i32,
            pql_score: 0,
            // Leads marketing still owns carry no engagement time, so the 60-day return to
            // nurture never moves them while a benchmark runs.
            last_engaged_at: (!matches!(s.stage, Lead | Mql)).then_some(last_engaged),
            mql_kind: s.mql_kind,
            stage_changed_at: Some(s.at),
            assigned_at: s.assigned_at,
            routing: None,
            tags: json!([]),
            opted_out_at: None,
            custom: json!({}),
            check_back_on: None,
            recycle_tag: None,
            waiting_since: None,
            last_event_at: None,
            created_at: created,
            updated_at: s.at,
        });
    }

    /// Where the lead goes next, when, and why; `None` when it stays.
    fn next_move(&mut self, s: &mut Sim) -> Option<(LeadStage, DateTime<Utc>, &'static str)> {
        if let Some(planned) = s.planned.take() {
            return Some(planned);
        }
        let r = self.rng.unit();
        let (to, lo, hi, why) = match s.stage {
            Lead if r < 0.30 => (Mql, days(1), days(60), "qualified: meets the contract"),
            Lead if r < 0.34 => (Disqualified, days(1), days(30), "disqualified: not a fit"),
            Lead if r < 0.40 => (Nurture, days(60), days(90), "no engagement for 60 days"),
            Mql if r < 0.60 => (Sal, Duration::hours(1), days(4), "accepted by sales"),
            Mql if r < 0.80 => (Nurture, Duration::hours(1), days(4), "rejected"),
            Mql if r < 0.85 => (Disqualified, Duration::hours(1), days(4), "rejected"),
            Mql if r < 0.90 => (Nurture, days(5), days(20), "recycled: FUTURE"),
            Sal if r < 0.50 => (Sql, days(2), days(20), "qualified by sales"),
            Sal if r < 0.70 => (Nurture, days(7), days(40), "recycled: CHECK_BACK"),
            Sal if r < 0.80 => (Disqualified, days(3), days(30), "disqualified: no fit"),
            Sql if r < 0.50 => (
                Opportunity,
                days(3),
                days(25),
                "converted to an opportunity",
            ),
            Sql if r < 0.70 => (Nurture, days(7), days(40), "recycled: FUTURE"),
            Sql if r < 0.80 => (Disqualified, days(3), days(30), "disqualified: no budget"),
            Nurture if r < 0.12 => (Mql, days(20), days(150), "qualified again"),
            _ => return None,
        };
        // Sales decides on most MQLs within the 48-hour status-update SLA, not all.
        let skew = if s.stage == Mql { 3 } else { 2 };
        Some((to, s.at + self.rng.within(lo, hi, skew), why))
    }

    fn apply(
        &mut self,
        s: &mut Sim,
        to: LeadStage,
        at: DateTime<Utc>,
        why: &'static str,
        batch: &mut Batch,
    ) {
        let from = s.stage;
        if from == Mql {
            // Accepting or rejecting is the status update; it also meets a first touch the
            // rep never logged.
            self.settle_clocks(s, Some(at), batch);
        }
        if to == Mql && why != deal::REINSTATED {
            self.assign(s, at, batch);
        }
        if from == Mql && matches!(to, Sal | Sql) && self.rng.chance(0.35) {
            s.play = Some(*self.rng.pick(&self.world.plays));
        }
        if matches!(from, Sal | Sql) {
            self.follow_ups(s, at, batch);
        }
        let mut reason = why.to_owned();
        if why == "rejected" {
            reason = self.reject(s, to, at, batch);
        }
        if to == Opportunity {
            s.planned = Some(deal::open(self, s, at, batch));
        }
        if let Some(row) = s.last_row {
            batch.stage_changes[row].left_at = Some(at);
            batch.stage_changes[row].next_stage = Some(to);
        }
        let by_contract = matches!(to, Mql) || why.starts_with("no engagement");
        batch.stage_changes.push(stage_change::Model {
            id: self.ids.next(),
            workspace_id: self.world.workspace_id,
            contact_id: s.id,
            from_stage: Some(from),
            to_stage: to,
            changed_at: at,
            actor_id: if by_contract { None } else { s.owner },
            reason: Some(reason),
            contract_id: None,
            source_id: Some(s.source),
            owner_id: s.owner,
            segment: Some(s.segment.to_owned()),
            campaign_id: s.campaign,
            play_id: s.play,
            left_at: None,
            next_stage: None,
        });
        s.last_row = Some(batch.stage_changes.len() - 1);
        s.stage = to;
        s.at = at;
        s.moves += 1;
    }

    /// The MQL is routed to a rep: the two SLA clocks start, and the rep's first touch is
    /// planned (most within the 4 hours, some late, a few never).
    fn assign(&mut self, s: &mut Sim, at: DateTime<Utc>, batch: &mut Batch) {
        if s.owner.is_none() || self.rng.chance(0.3) {
            s.owner = Some(*self.rng.pick(&self.world.reps));
        }
        s.assigned_at = Some(at);
        s.first_mql.get_or_insert(at);
        let hot = self.rng.chance(0.3);
        s.mql_kind = Some(if hot { MqlKind::Hot } else { MqlKind::Warm });
        if self.rng.chance(0.65) {
            s.campaign = Some(self.world.campaign_of(s.source, self.rng.next()));
        }
        let r = self.rng.unit();
        let touch = if r < 0.86 {
            Some(at + self.rng.within(Duration::minutes(5), Duration::hours(4), 2))
        } else if r < 0.95 {
            Some(at + self.rng.within(Duration::hours(4), Duration::hours(36), 1))
        } else {
            None
        };
        let first_touch = self.clock(s, entity::SlaKind::FirstTouch, at, 4, batch);
        s.clocks.push((first_touch, touch));
        let status = self.clock(s, entity::SlaKind::StatusUpdate, at, 48, batch);
        s.clocks.push((status, None));
        if let Some(touched) = touch.filter(|t| *t < self.world.now) {
            self.touch(s, touched, batch);
        }
    }

    /// Ends the running clocks: met by the rep's planned time or by the lead leaving MQL at
    /// `leaving`, whichever is first and before `now`; breached (at the due time) when that
    /// came later than due or not at all, once due has passed.
    fn settle_clocks(&mut self, s: &mut Sim, leaving: Option<DateTime<Utc>>, batch: &mut Batch) {
        let now = self.world.now;
        for (index, planned) in s.clocks.drain(..) {
            let met = match (planned, leaving) {
                (Some(p), Some(l)) => Some(p.min(l)),
                (p, l) => p.or(l),
            }
            .filter(|m| *m < now);
            let clock = &mut batch.clocks[index];
            clock.met_at = met;
            let late = met.is_none_or(|m| m > clock.due_at);
            clock.breached_at = (late && clock.due_at <= now).then_some(clock.due_at);
            let warned = met.is_none_or(|m| m > clock.warn_at);
            clock.warned_at = (warned && clock.warn_at <= now).then_some(clock.warn_at);
        }
    }
}
