//! What sales does with an MQL: SLA clocks, touches, and rejections (with disputes).

use chrono::{DateTime, Duration, Utc};
use entity::{
    rejection, sla_clock, touch, Channel, LeadStage, RejectionReason, SlaKind, TouchOutcome,
};

use super::{
    batch::Batch,
    deal::REINSTATED,
    lead::{Gen, Sim},
    Draw,
};

const CHANNELS: &[Channel] = &[
    Channel::Email,
    Channel::Email,
    Channel::Call,
    Channel::Linkedin,
];
const OUTCOMES: &[TouchOutcome] = &[
    TouchOutcome::Sent,
    TouchOutcome::Sent,
    TouchOutcome::Connected,
    TouchOutcome::NoAnswer,
    TouchOutcome::Replied,
    TouchOutcome::MeetingBooked,
];
/// Reasons that send the lead back to marketing, and those that disqualify it.
const BACK_TO_MARKETING: &[RejectionReason] = &[
    RejectionReason::WrongSegment,
    RejectionReason::NoBuyingTrigger,
    RejectionReason::NoBuyingTrigger,
    RejectionReason::CompetitorLockIn,
    RejectionReason::NoBudget,
    RejectionReason::BadTiming,
    RejectionReason::BadTiming,
    RejectionReason::Other,
];
const DISQUALIFYING: &[RejectionReason] =
    &[RejectionReason::Duplicate, RejectionReason::BadContactData];

impl Gen<'_> {
    /// Starts a clock of `kind` due `hours` after `at`; its end is settled later. Returns its
    /// index in the batch.
    pub(super) fn clock(
        &mut self,
        s: &Sim,
        kind: SlaKind,
        at: DateTime<Utc>,
        hours: i64,
        batch: &mut Batch,
    ) -> usize {
        let due = at + Duration::hours(hours);
        batch.clocks.push(sla_clock::Model {
            id: self.ids.next(),
            workspace_id: self.world.workspace_id,
            contact_id: s.id,
            kind,
            assignee_id: s.owner.expect("assigned before its clocks start"),
            started_at: at,
            due_at: due,
            warn_at: at + Duration::minutes(hours * 45),
            warned_at: None,
            breached_at: None,
            met_at: None,
            source_id: Some(s.source),
            segment: Some(s.segment.to_owned()),
            // Stamped from the touches once the chunk is in (`rollups::rebuild`).
            first_touch_at: None,
        });
        batch.clocks.len() - 1
    }

    /// The rep logs a touch at `at`.
    pub(super) fn touch(&mut self, s: &Sim, at: DateTime<Utc>, batch: &mut Batch) {
        batch.touches.push(touch::Model {
            id: self.ids.next(),
            workspace_id: self.world.workspace_id,
            contact_id: s.id,
            actor_id: s.owner.expect("only owned leads are touched"),
            channel: *self.rng.pick(CHANNELS),
            outcome: *self.rng.pick(OUTCOMES),
            asset_id: self
                .rng
                .chance(0.4)
                .then(|| *self.rng.pick(&self.world.assets)),
            note: None,
            task_id: None,
            enrollment_id: None,
            play_id: s.play,
            occurred_at: at,
            created_at: at,
        });
    }

    /// More touches while sales works the lead (SAL and SQL stays), before `until`.
    pub(super) fn follow_ups(&mut self, s: &Sim, until: DateTime<Utc>, batch: &mut Batch) {
        for _ in 0..1 + self.rng.below(3) {
            let at = s.at + self.rng.within(Duration::hours(1), Duration::days(10), 2);
            if at < until.min(self.world.now) {
                self.touch(s, at, batch);
            }
        }
    }

    /// Sales rejects the MQL at `at` (to NURTURE or DISQUALIFIED): the rejection row, and for
    /// one in five a dispute, most resolved, a third of those upheld (the lead is reinstated as
    /// an MQL when the dispute is resolved). Returns the stage change's reason.
    pub(super) fn reject(
        &mut self,
        s: &mut Sim,
        to: LeadStage,
        at: DateTime<Utc>,
        batch: &mut Batch,
    ) -> String {
        let now = self.world.now;
        let reason = if to == LeadStage::Disqualified {
            *self.rng.pick(DISQUALIFYING)
        } else {
            *self.rng.pick(BACK_TO_MARKETING)
        };
        let mut row = rejection::Model {
            id: self.ids.next(),
            workspace_id: self.world.workspace_id,
            contact_id: s.id,
            rejected_by: s.owner.expect("an MQL has its rep"),
            source_id: Some(s.source),
            reason,
            note: None,
            rejected_at: at,
            disputed_by: None,
            disputed_at: None,
            dispute_note: None,
            resolution: None,
            resolved_by: None,
            resolved_at: None,
            segment: Some(s.segment.to_owned()),
        };
        let disputed = at + self.rng.within(Duration::hours(4), Duration::days(3), 1);
        if self.rng.chance(0.2) && disputed < now {
            row.disputed_by = Some(self.world.leaders[0]);
            row.disputed_at = Some(disputed);
            row.dispute_note = Some("meets the contract".into());
            let resolved = disputed + self.rng.within(Duration::hours(1), Duration::days(5), 1);
            if self.rng.chance(0.75) && resolved < now {
                let upheld = !s.reinstated && self.rng.chance(0.35);
                row.resolution = Some(if upheld { "UPHELD" } else { "DENIED" }.into());
                row.resolved_by = Some(self.world.leaders[1]);
                row.resolved_at = Some(resolved);
                if upheld {
                    s.reinstated = true;
                    s.planned = Some((LeadStage::Mql, resolved, REINSTATED));
                }
            }
        }
        batch.rejections.push(row);
        format!("rejected: {}", reason.as_str())
    }
}
