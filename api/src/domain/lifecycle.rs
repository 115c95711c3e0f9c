//! The lead state machine: which stage a lead may move to, and by which named transition.
//!
//! Conversion rates, velocity, stage aging and rejection rates are all computed from the
//! recorded stage changes, so a move the funnel does not allow must be refused here rather than
//! patched up in reports. Transitions are named (not just "from -> to") because the same pair
//! of stages means different things: MQL -> NURTURE is a rejection, a recycle or a lead gone
//! cold, and each feeds a different metric.
//!
//! This module knows stages only. Who may fire a transition, inside which window and with which
//! reason code is checked by the API layer before it asks for the next stage.

use std::fmt;

use entity::LeadStage;
use serde::{Deserialize, Serialize};

use LeadStage::{Customer, Disqualified, Lead, Mql, Nurture, Opportunity, Sal, Sql};

/// A named move between stages. The stored spelling is [`Transition::as_str`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Transition {
    /// LEAD | NURTURE -> MQL: the lead now meets the active contract.
    Qualify,
    /// MQL -> SAL: the assigned rep accepts it.
    Accept,
    /// MQL -> NURTURE (default) | DISQUALIFIED: the rep refuses it inside the rejection window.
    /// Most reason codes send the lead back to marketing; a duplicate or unreachable contact
    /// is better disqualified, so the caller picks the target with [`move_to`].
    Reject,
    /// NURTURE | DISQUALIFIED -> MQL: a leader upheld marketing's dispute of a rejection, so the
    /// lead goes back to its rep as the MQL it was.
    Reinstate,
    /// SAL -> SQL: qualified by sales (BANT).
    QualifySales,
    /// SAL | SQL -> OPPORTUNITY: a deal is opened.
    Convert,
    /// OPPORTUNITY -> CUSTOMER: the deal was won.
    Win,
    /// OPPORTUNITY -> NURTURE: the deal was lost; the person goes back to marketing rather than
    /// staying forever in a stage that counts as open pipeline.
    Lose,
    /// MQL | SAL | SQL -> NURTURE with a tag (FUTURE, RE_ENGAGE, CHECK_BACK).
    Recycle,
    /// Any open stage -> DISQUALIFIED.
    Disqualify,
    /// NURTURE | DISQUALIFIED -> LEAD: start over as an unqualified lead.
    Reopen,
    /// LEAD | MQL -> NURTURE: no engagement for the contract's nurture period. Only stages
    /// marketing still owns: once sales accepted a lead, its SLAs govern it, not decay.
    ReturnToNurture,
}

impl Transition {
    /// Every transition, in declaration order.
    pub const ALL: [Transition; 12] = [
        Transition::Qualify,
        Transition::Accept,
        Transition::Reject,
        Transition::Reinstate,
        Transition::QualifySales,
        Transition::Convert,
        Transition::Win,
        Transition::Lose,
        Transition::Recycle,
        Transition::Disqualify,
        Transition::Reopen,
        Transition::ReturnToNurture,
    ];

    /// The stored (and GraphQL) spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Transition::Qualify => "QUALIFY",
            Transition::Accept => "ACCEPT",
            Transition::Reject => "REJECT",
            Transition::Reinstate => "REINSTATE",
            Transition::QualifySales => "QUALIFY_SALES",
            Transition::Convert => "CONVERT",
            Transition::Win => "WIN",
            Transition::Lose => "LOSE",
            Transition::Recycle => "RECYCLE",
            Transition::Disqualify => "DISQUALIFY",
            Transition::Reopen => "REOPEN",
            Transition::ReturnToNurture => "RETURN_TO_NURTURE",
        }
    }

    /// How an error message says it: "cannot {verb} a lead in stage ...".
    fn verb(self) -> &'static str {
        match self {
            Transition::Qualify => "qualify",
            Transition::Accept => "accept",
            Transition::Reject => "reject",
            Transition::Reinstate => "reinstate",
            Transition::QualifySales => "sales-qualify",
            Transition::Convert => "convert",
            Transition::Win => "win",
            Transition::Lose => "lose",
            Transition::Recycle => "recycle",
            Transition::Disqualify => "disqualify",
            Transition::Reopen => "reopen",
            Transition::ReturnToNurture => "return to nurture",
        }
    }

    /// The stages this transition leaves from.
    pub fn sources(self) -> &'static [LeadStage] {
        match self {
            Transition::Qualify => &[Lead, Nurture],
            Transition::Accept | Transition::Reject => &[Mql],
            Transition::Reinstate | Transition::Reopen => &[Nurture, Disqualified],
            Transition::QualifySales => &[Sal],
            Transition::Convert => &[Sal, Sql],
            Transition::Win | Transition::Lose => &[Opportunity],
            Transition::Recycle => &[Mql, Sal, Sql],
            Transition::Disqualify => &[Lead, Mql, Sal, Sql, Opportunity, Nurture],
            Transition::ReturnToNurture => &[Lead, Mql],
        }
    }

    /// The stages it may arrive at; the first is where [`next_stage`] goes.
    pub fn targets(self) -> &'static [LeadStage] {
        match self {
            Transition::Qualify | Transition::Reinstate => &[Mql],
            Transition::Accept => &[Sal],
            Transition::Reject => &[Nurture, Disqualified],
            Transition::QualifySales => &[Sql],
            Transition::Convert => &[Opportunity],
            Transition::Win => &[Customer],
            Transition::Lose | Transition::Recycle | Transition::ReturnToNurture => &[Nurture],
            Transition::Disqualify => &[Disqualified],
            Transition::Reopen => &[Lead],
        }
    }
}

impl fmt::Display for Transition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A transition the state machine refuses. The API layer reports it as BAD_USER_INPUT, and the
/// message names both stages so a rep sees what the lead is and what the move needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransitionError {
    pub from: LeadStage,
    /// The stage the caller asked for, when it named one ([`move_to`]).
    pub to_attempted: Option<LeadStage>,
    pub transition: Transition,
}

impl fmt::Display for TransitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verb = self.transition.verb();
        match self.to_attempted {
            Some(to) => write!(
                f,
                "cannot {verb} a lead from {} to {}",
                self.from.as_str(),
                to.as_str()
            )?,
            None => write!(f, "cannot {verb} a lead in stage {}", self.from.as_str())?,
        }
        f.write_str(" (only ")?;
        let mut first = true;
        for source in self.transition.sources() {
            for target in self.transition.targets() {
                if !first {
                    f.write_str(", ")?;
                }
                first = false;
                write!(f, "{} -> {}", source.as_str(), target.as_str())?;
            }
        }
        f.write_str(")")
    }
}

impl std::error::Error for TransitionError {}

/// Where `transition` takes a lead in stage `from`; for a transition with several targets,
/// its default (a rejection returns the lead to nurture).
pub fn next_stage(from: LeadStage, transition: Transition) -> Result<LeadStage, TransitionError> {
    if transition.sources().contains(&from) {
        Ok(transition.targets()[0])
    } else {
        Err(TransitionError {
            from,
            to_attempted: None,
            transition,
        })
    }
}

/// Like [`next_stage`], to a target the caller chose (a rejection that disqualifies).
pub fn move_to(
    from: LeadStage,
    transition: Transition,
    to: LeadStage,
) -> Result<LeadStage, TransitionError> {
    if transition.sources().contains(&from) && transition.targets().contains(&to) {
        Ok(to)
    } else {
        Err(TransitionError {
            from,
            to_attempted: Some(to),
            transition,
        })
    }
}

/// Whether some transition moves a lead from `from` to `to` directly (never to the same stage).
pub fn can_move(from: LeadStage, to: LeadStage) -> bool {
    Transition::ALL
        .iter()
        .any(|t| move_to(from, *t, to).is_ok())
}

/// The transitions a lead in `stage` can take, in [`Transition::ALL`] order: what a client
/// offers as actions.
pub fn available(stage: LeadStage) -> impl Iterator<Item = Transition> {
    Transition::ALL
        .into_iter()
        .filter(move |t| t.sources().contains(&stage))
}

/// Whether a lead in `stage` has left the funnel for good: won or disqualified. A disqualified
/// lead can still be reopened, but nothing happens to it on its own.
pub fn is_closed(stage: LeadStage) -> bool {
    matches!(stage, Customer | Disqualified)
}

#[cfg(test)]
mod tests {
    use super::*;

    const STAGES: [LeadStage; 8] = [
        Lead,
        Mql,
        Sal,
        Sql,
        Opportunity,
        Customer,
        Nurture,
        Disqualified,
    ];

    /// The expected default target of every transition from every stage, written out by hand
    /// (not derived from `sources`/`targets`) so a slip in either table shows up here.
    /// Columns follow `STAGES`: LEAD, MQL, SAL, SQL, OPPORTUNITY, CUSTOMER, NURTURE, DISQUALIFIED.
    #[rustfmt::skip]
    fn expected(t: Transition) -> [Option<LeadStage>; 8] {
        let n: Option<LeadStage> = None;
        match t {
            //                               LEAD           MQL            SAL            SQL            OPP            CUST  NURTURE        DISQ
            Transition::Qualify =>          [Some(Mql),     n,             n,             n,             n,             n,    Some(Mql),     n],
            Transition::Accept =>           [n,             Some(Sal),     n,             n,             n,             n,    n,             n],
            Transition::Reject =>           [n,             Some(Nurture), n,             n,             n,             n,    n,             n],
            Transition::Reinstate =>        [n,             n,             n,             n,             n,             n,    Some(Mql),     Some(Mql)],
            Transition::QualifySales =>     [n,             n,             Some(Sql),     n,             n,             n,    n,             n],
            Transition::Convert =>          [n,             n,             Some(Opportunity), Some(Opportunity), n,     n,    n,             n],
            Transition::Win =>              [n,             n,             n,             n,             Some(Customer), n,   n,             n],
            Transition::Lose =>             [n,             n,             n,             n,             Some(Nurture), n,    n,             n],
            Transition::Recycle =>          [n,             Some(Nurture), Some(Nurture), Some(Nurture), n,             n,    n,             n],
            Transition::Disqualify =>       [Some(Disqualified), Some(Disqualified), Some(Disqualified), Some(Disqualified), Some(Disqualified), n, Some(Disqualified), n],
            Transition::Reopen =>           [n,             n,             n,             n,             n,             n,    Some(Lead),    Some(Lead)],
            Transition::ReturnToNurture =>  [Some(Nurture), Some(Nurture), n,             n,             n,             n,    n,             n],
        }
    }

    #[test]
    fn every_stage_and_transition() {
        for t in Transition::ALL {
            for (from, want) in STAGES.into_iter().zip(expected(t)) {
                let got = next_stage(from, t);
                match want {
                    Some(to) => assert_eq!(got, Ok(to), "{t} from {}", from.as_str()),
                    None => {
                        let err = got.expect_err(&format!("{t} from {}", from.as_str()));
                        assert_eq!(err.from, from);
                        assert_eq!(err.transition, t);
                        assert_eq!(err.to_attempted, None);
                    }
                }
            }
        }
    }

    #[test]
    fn move_to_accepts_exactly_the_listed_targets() {
        for t in Transition::ALL {
            for from in STAGES {
                for to in STAGES {
                    let allowed = t.sources().contains(&from) && t.targets().contains(&to);
                    let got = move_to(from, t, to);
                    if allowed {
                        assert_eq!(got, Ok(to));
                    } else {
                        assert_eq!(got.unwrap_err().to_attempted, Some(to));
                    }
                }
            }
        }
        assert_eq!(
            move_to(Mql, Transition::Reject, Disqualified),
            Ok(Disqualified)
        );
        assert!(move_to(Mql, Transition::Reject, Sql).is_err());
        assert!(move_to(Sal, Transition::Reject, Nurture).is_err());
    }

    #[test]
    fn direct_moves() {
        // Rows are `from`, columns `to`, both in `STAGES` order.
        #[rustfmt::skip]
        let table: [[u8; 8]; 8] = [
            // LEAD MQL SAL SQL OPP CUST NUR DISQ
            [0, 1, 0, 0, 0, 0, 1, 1], // LEAD
            [0, 0, 1, 0, 0, 0, 1, 1], // MQL
            [0, 0, 0, 1, 1, 0, 1, 1], // SAL
            [0, 0, 0, 0, 1, 0, 1, 1], // SQL
            [0, 0, 0, 0, 0, 1, 1, 1], // OPPORTUNITY
            [0, 0, 0, 0, 0, 0, 0, 0], // CUSTOMER
            [1, 1, 0, 0, 0, 0, 0, 1], // NURTURE
            [1, 1, 0, 0, 0, 0, 0, 0], // DISQUALIFIED
        ];
        for (from, row) in STAGES.into_iter().zip(table) {
            for (to, allowed) in STAGES.into_iter().zip(row) {
                assert_eq!(
                    can_move(from, to),
                    allowed == 1,
                    "{} -> {}",
                    from.as_str(),
                    to.as_str()
                );
            }
        }
    }

    #[test]
    fn no_transition_stays_in_place_and_customer_is_final() {
        for t in Transition::ALL {
            for from in t.sources() {
                assert!(!t.targets().contains(from), "{t} loops on {from:?}");
            }
        }
        assert_eq!(available(Customer).count(), 0);
        assert!(is_closed(Customer) && is_closed(Disqualified));
        assert!(!STAGES[..5].iter().any(|s| is_closed(*s)));
    }

    #[test]
    fn available_lists_what_a_stage_offers() {
        let mql: Vec<_> = available(Mql).collect();
        assert_eq!(
            mql,
            [
                Transition::Accept,
                Transition::Reject,
                Transition::Recycle,
                Transition::Disqualify,
                Transition::ReturnToNurture,
            ]
        );
        for stage in STAGES {
            for t in available(stage) {
                assert!(next_stage(stage, t).is_ok());
            }
        }
    }

    #[test]
    fn errors_name_both_stages() {
        let err = next_stage(Lead, Transition::Accept).unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot accept a lead in stage LEAD (only MQL -> SAL)"
        );
        let err = next_stage(Mql, Transition::Convert).unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot convert a lead in stage MQL (only SAL -> OPPORTUNITY, SQL -> OPPORTUNITY)"
        );
        let err = move_to(Mql, Transition::Reject, Sql).unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot reject a lead from MQL to SQL (only MQL -> NURTURE, MQL -> DISQUALIFIED)"
        );
        let err = next_stage(Sal, Transition::ReturnToNurture).unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot return to nurture a lead in stage SAL (only LEAD -> NURTURE, MQL -> NURTURE)"
        );
    }

    #[test]
    fn stored_spelling_round_trips() {
        for t in Transition::ALL {
            let json = serde_json::to_string(&t).unwrap();
            assert_eq!(json, format!("\"{}\"", t.as_str()));
            assert_eq!(serde_json::from_str::<Transition>(&json).unwrap(), t);
        }
    }
}
