//! How a play ends: a reply or a booked meeting accelerates the lead, an opt-out stops every
//! play, running out of steps without response recycles the lead once the contract's minimum
//! touches are met.

use entity::{LeadStage, TouchOutcome};
use serde::{Deserialize, Serialize};

use crate::domain::lifecycle::{next_stage, Transition};

/// Where an accelerated lead goes: sales accepted (SAL) or, the seed's "into discovery", sales
/// qualified (SQL).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, async_graphql::Enum)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ExitTarget {
    Sal,
    Sql,
}

impl ExitTarget {
    pub fn stage(self) -> LeadStage {
        match self {
            ExitTarget::Sal => LeadStage::Sal,
            ExitTarget::Sql => LeadStage::Sql,
        }
    }
}

/// A play's exit criteria.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExitCriteria {
    /// Touch outcomes that end the play by moving the lead on.
    pub accelerate_on: Vec<TouchOutcome>,
    pub accelerate_to: ExitTarget,
    /// Whether a lead that never responded goes back to nurture (RE_ENGAGE) after the last step.
    pub recycle_when_exhausted: bool,
}

impl Default for ExitCriteria {
    /// The seed's: a reply or a booked meeting moves the lead into discovery (SQL); silence
    /// through the last step sends it back to nurture.
    fn default() -> Self {
        Self {
            accelerate_on: vec![TouchOutcome::Replied, TouchOutcome::MeetingBooked],
            accelerate_to: ExitTarget::Sql,
            recycle_when_exhausted: true,
        }
    }
}

/// What a logged touch does to a running play.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TouchEffect {
    /// The buyer responded as the play hoped: move the lead on, end the play.
    Accelerate(ExitTarget),
    /// The buyer asked not to be contacted: every play for the contact stops.
    StopAll,
    Continue,
}

pub fn touch_effect(exit: &ExitCriteria, outcome: TouchOutcome) -> TouchEffect {
    if outcome == TouchOutcome::OptedOut {
        TouchEffect::StopAll
    } else if exit.accelerate_on.contains(&outcome) {
        TouchEffect::Accelerate(exit.accelerate_to)
    } else {
        TouchEffect::Continue
    }
}

/// The stages a lead at `from` passes through to reach `to`, in order, each a legal move of the
/// lifecycle (LEAD -> MQL -> SAL -> SQL); empty when it is there or past it already.
pub fn acceleration_path(from: LeadStage, to: LeadStage) -> Vec<LeadStage> {
    let mut path = Vec::new();
    let mut at = from;
    for transition in [
        Transition::Qualify,
        Transition::Accept,
        Transition::QualifySales,
    ] {
        if at == to {
            break;
        }
        if let Ok(next) = next_stage(at, transition) {
            path.push(next);
            at = next;
        }
    }
    if at == to {
        path
    } else {
        Vec::new()
    }
}

/// Whether a lead that ran out of steps goes back to nurture now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecycleDecision {
    Recycle,
    /// The contract wants more touches first; the rep still owes `missing`.
    WaitForTouches {
        missing: u32,
    },
    /// The play does not recycle: it just ends.
    End,
}

pub fn recycle_decision(exit: &ExitCriteria, touches: u32, min_touches: u32) -> RecycleDecision {
    if !exit.recycle_when_exhausted {
        RecycleDecision::End
    } else if touches >= min_touches {
        RecycleDecision::Recycle
    } else {
        RecycleDecision::WaitForTouches {
            missing: min_touches - touches,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_accelerate_opt_outs_stop_everything() {
        let exit = ExitCriteria::default();
        assert_eq!(
            touch_effect(&exit, TouchOutcome::Replied),
            TouchEffect::Accelerate(ExitTarget::Sql)
        );
        assert_eq!(
            touch_effect(&exit, TouchOutcome::MeetingBooked),
            TouchEffect::Accelerate(ExitTarget::Sql)
        );
        assert_eq!(
            touch_effect(&exit, TouchOutcome::NoAnswer),
            TouchEffect::Continue
        );
        assert_eq!(
            touch_effect(&exit, TouchOutcome::OptedOut),
            TouchEffect::StopAll
        );
        let no_exit = ExitCriteria {
            accelerate_on: vec![],
            ..Default::default()
        };
        assert_eq!(
            touch_effect(&no_exit, TouchOutcome::OptedOut),
            TouchEffect::StopAll
        );
    }

    #[test]
    fn acceleration_walks_the_lifecycle() {
        use LeadStage::*;
        assert_eq!(acceleration_path(Mql, Sql), vec![Sal, Sql]);
        assert_eq!(acceleration_path(Lead, Sql), vec![Mql, Sal, Sql]);
        assert_eq!(acceleration_path(Sal, Sql), vec![Sql]);
        assert_eq!(acceleration_path(Sql, Sql), Vec::<LeadStage>::new());
        assert_eq!(acceleration_path(Opportunity, Sql), Vec::<LeadStage>::new());
        assert_eq!(acceleration_path(Mql, Sal), vec![Sal]);
    }

    #[test]
    fn recycling_waits_for_the_contract_minimum() {
        let exit = ExitCriteria::default();
        assert_eq!(recycle_decision(&exit, 6, 6), RecycleDecision::Recycle);
        assert_eq!(
            recycle_decision(&exit, 4, 6),
            RecycleDecision::WaitForTouches { missing: 2 }
        );
        let keep = ExitCriteria {
            recycle_when_exhausted: false,
            ..Default::default()
        };
        assert_eq!(recycle_decision(&keep, 0, 6), RecycleDecision::End);
    }
}
