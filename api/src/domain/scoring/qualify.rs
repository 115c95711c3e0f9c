//! What a score means for the funnel: threshold crossings, MQL (HOT, PQL or WARM).

use serde::{Deserialize, Serialize};

use super::{EntryKind, ScoreBreakdown, ScoringModel};

/// Which way a score moved across a threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Crossing {
    Up,
    Down,
    None,
}

/// How a score moving from `before` to `after` crossed `threshold` (reaching it counts as above).
///
/// Judged on the two scores alone, never on a "has fired" flag, so a lead that decays below the
/// threshold and climbs back fires [`Crossing::Up`] again.
pub fn crossing(threshold: i32, before: i32, after: i32) -> Crossing {
    match (before >= threshold, after >= threshold) {
        (false, true) => Crossing::Up,
        (true, false) => Crossing::Down,
        _ => Crossing::None,
    }
}

/// The kind of an MQL, which picks its first-touch SLA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MqlKind {
    /// A hand-raiser (demo request, contact sales): five minutes to first touch.
    Hot,
    /// Product-qualified: the PQL score reached the PQL threshold. Its own path to MQL, routed
    /// and clocked like a HOT MQL (a user getting value from the product is worth a call now).
    Pql,
    /// Crossed the threshold by behaviour.
    Warm,
}

/// Whether a lead's fit, engagement and product signals make it an MQL under the scoring terms,
/// and which kind.
///
/// The score half of the contract only: the API layer also checks the acceptance criteria (the
/// contact fits the ICP, its source is not paused). Two paths lead here:
/// - **By engagement**: `fit + score.total` must reach the MQL threshold *and* the engagement
///   score must be above zero: with the seed's fit rules a well-fitting contact reaches 50 on
///   fit alone, and a list import is not a marketing-qualified lead until the person does
///   something. The engagement score counts decay, so a lead gone cold stops being a candidate.
/// - **By product usage**: the PQL score reaches the PQL threshold ([`is_pql`]), whatever the
///   engagement score; PQL points do not decay.
///
/// The kind, strongest first: HOT when a hand-raiser event is anywhere in the ledger behind
/// `score` and the engagement path holds (a lead that asked for a demo and then crosses the
/// threshold on a later page view, or on a fit re-score, is still a person waiting for a call;
/// a hand-raise alone does not make an MQL, it usually reaches the threshold by itself, +50);
/// then PQL; then WARM.
pub fn mql_kind(model: &ScoringModel, fit: i32, score: &ScoreBreakdown) -> Option<MqlKind> {
    let engaged = score.total > 0 && fit.saturating_add(score.total) >= model.mql_threshold;
    let hand_raised = score
        .lines
        .iter()
        .any(|l| l.kind == EntryKind::Behaviour && model.hand_raisers.contains(&l.rule));
    match (engaged, is_pql(model, score)) {
        (true, _) if hand_raised => Some(MqlKind::Hot),
        (_, true) => Some(MqlKind::Pql),
        (true, false) => Some(MqlKind::Warm),
        (false, false) => None,
    }
}

/// Whether the product signals make the lead a PQL.
pub fn is_pql(model: &ScoringModel, score: &ScoreBreakdown) -> bool {
    score.pql >= model.pql_threshold
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Duration, TimeZone, Utc};
    use uuid::Uuid;

    use super::super::{entries_for_event, score_at, LedgerEntry};
    use super::*;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 14, 0, 0).unwrap()
    }

    fn ingest(model: &ScoringModel, entries: &mut Vec<LedgerEntry>, event_type: &str, day: i64) {
        let id = Uuid::from_u128(entries.len() as u128 + 1000 * (day as u128 + 1));
        let new = entries_for_event(model, id, event_type, t0() + Duration::days(day), entries);
        entries.extend(new);
    }

    #[test]
    fn crossings_fire_again_after_falling_back() {
        let t = 50;
        assert_eq!(crossing(t, 25, 75), Crossing::Up);
        assert_eq!(crossing(t, 49, 50), Crossing::Up);
        assert_eq!(crossing(t, 75, 80), Crossing::None);
        assert_eq!(crossing(t, 80, 50), Crossing::None);
        assert_eq!(crossing(t, 50, 49), Crossing::Down);
        assert_eq!(crossing(t, 10, 40), Crossing::None);
        assert_eq!(crossing(t, 40, 40), Crossing::None);
        assert_eq!(crossing(t, 49, 60), Crossing::Up);
    }

    #[test]
    fn decay_takes_a_lead_under_the_threshold_and_engagement_brings_it_back() {
        let model = ScoringModel::seed();
        let mut entries = Vec::new();
        let score = |entries: &[LedgerEntry], day: i64| {
            score_at(&model, entries, t0() + Duration::days(day)).total
        };
        ingest(&model, &mut entries, "pricing_page_visit", 0);
        ingest(&model, &mut entries, "session", 0);
        ingest(&model, &mut entries, "session", 0);
        let mut seen = vec![score(&entries, 0)];
        seen.push(score(&entries, 7));
        ingest(&model, &mut entries, "webinar_attended", 8);
        seen.push(score(&entries, 8));
        seen.push(score(&entries, 22));
        ingest(&model, &mut entries, "session", 23);
        seen.push(score(&entries, 23));
        assert_eq!(seen, [45, 40, 65, 55, 75]);
        let crossings: Vec<_> = seen.windows(2).map(|w| crossing(70, w[0], w[1])).collect();
        assert_eq!(
            crossings,
            [Crossing::None, Crossing::None, Crossing::None, Crossing::Up]
        );
        let crossings: Vec<_> = seen.windows(2).map(|w| crossing(50, w[0], w[1])).collect();
        assert_eq!(
            crossings,
            [Crossing::None, Crossing::Up, Crossing::None, Crossing::None]
        );
        // At 60 the lead goes up, down with decay, and up again.
        let crossings: Vec<_> = seen.windows(2).map(|w| crossing(60, w[0], w[1])).collect();
        assert_eq!(
            crossings,
            [Crossing::None, Crossing::Up, Crossing::Down, Crossing::Up]
        );
    }

    #[test]
    fn seed_scenario_is_a_hot_mql() {
        let model = ScoringModel::seed();
        let mut entries = Vec::new();
        ingest(&model, &mut entries, "pricing_page_visit", 0);
        let before = score_at(&model, &entries, t0());
        assert_eq!(before.total, 25);
        assert_eq!(mql_kind(&model, 0, &before), None);
        ingest(&model, &mut entries, "demo_request", 0);
        let after = score_at(&model, &entries, t0());
        assert_eq!(after.total, 75);
        assert_eq!(
            crossing(model.mql_threshold, before.total, after.total),
            Crossing::Up
        );
        assert_eq!(mql_kind(&model, 0, &after), Some(MqlKind::Hot));
        // With the VP of Sales' fit the pricing visit alone already made a WARM MQL; the demo
        // request then makes it HOT.
        assert_eq!(mql_kind(&model, 75, &before), Some(MqlKind::Warm));
        assert_eq!(mql_kind(&model, 75, &after), Some(MqlKind::Hot));
    }

    #[test]
    fn warm_by_behaviour_and_nothing_without_engagement() {
        let model = ScoringModel::seed();
        let mut entries = Vec::new();
        let empty = score_at(&model, &entries, t0());
        assert_eq!(mql_kind(&model, 100, &empty), None);
        for _ in 0..3 {
            ingest(&model, &mut entries, "webinar_attended", 0);
        }
        ingest(&model, &mut entries, "case_study_download", 0);
        let score = score_at(&model, &entries, t0());
        assert_eq!(score.total, 55);
        assert_eq!(mql_kind(&model, 0, &score), Some(MqlKind::Warm));
        // A poor fit (personal email, -10) keeps it under.
        assert_eq!(mql_kind(&model, -10, &score), None);
        // Gone cold: the 30-day decay takes it under the threshold.
        let cold = score_at(&model, &entries, t0() + Duration::days(30));
        assert_eq!(cold.total, 35);
        assert_eq!(mql_kind(&model, 0, &cold), None);
        assert_eq!(mql_kind(&model, 15, &cold), Some(MqlKind::Warm));
    }

    #[test]
    fn an_earlier_hand_raise_still_makes_it_hot() {
        let model = ScoringModel::seed();
        let mut entries = Vec::new();
        ingest(&model, &mut entries, "contact_sales", 0);
        ingest(&model, &mut entries, "unsubscribe", 0);
        let score = score_at(&model, &entries, t0());
        assert_eq!(score.total, 25);
        assert_eq!(mql_kind(&model, 10, &score), None);
        // The fit is re-scored higher, with no new event.
        assert_eq!(mql_kind(&model, 30, &score), Some(MqlKind::Hot));
    }

    #[test]
    fn pql_threshold() {
        let model = ScoringModel::seed();
        let mut entries = Vec::new();
        for signal in [
            "invited_3_teammates",
            "used_core_feature_10_times",
            "enabled_first_integration",
            "created_first_project",
        ] {
            ingest(&model, &mut entries, signal, 0);
        }
        assert!(!is_pql(&model, &score_at(&model, &entries, t0())));
        ingest(&model, &mut entries, "pricing_page_visit", 1);
        let score = score_at(&model, &entries, t0() + Duration::days(1));
        assert_eq!(score.pql, 100);
        assert!(is_pql(&model, &score));
        // A PQL is an MQL of its own kind, without any engagement score or fit.
        assert_eq!(score.total, 25);
        assert_eq!(mql_kind(&model, 0, &score), Some(MqlKind::Pql));
        let later = score_at(&model, &entries, t0() + Duration::days(90));
        assert_eq!((later.total, later.pql), (5, 100));
        assert_eq!(mql_kind(&model, -50, &later), Some(MqlKind::Pql));
        // Enough engagement too: still a PQL, unless a hand was raised, which makes it HOT.
        assert_eq!(mql_kind(&model, 40, &score), Some(MqlKind::Pql));
        ingest(&model, &mut entries, "demo_request", 1);
        let hot = score_at(&model, &entries, t0() + Duration::days(1));
        assert_eq!(mql_kind(&model, 0, &hot), Some(MqlKind::Hot));
    }
}
