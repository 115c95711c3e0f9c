//! Health over the five complete weeks before Monday April 6th 2026: the weeks of March 2nd, 9th,
//! 16th, 23rd and 30th. Values derived by hand.

use super::super::metrics::fixture::{at, date};
use uuid::Uuid;

use super::super::metrics::{
    Attribution, Opportunity, Rejection, SlaClock, StageChange, StageStay,
};
use super::*;

fn as_of() -> DateTime<Utc> {
    at(4, 6, 0, 0)
}

fn mondays() -> [NaiveDate; 5] {
    [
        date(3, 2),
        date(3, 9),
        date(3, 16),
        date(3, 23),
        date(3, 30),
    ]
}

fn lead() -> Uuid {
    Uuid::now_v7()
}

fn change(lead_id: Uuid, to: Stage, at: DateTime<Utc>) -> StageChange {
    StageChange {
        lead_id,
        from: None,
        to,
        at,
        attribution: Attribution::default(),
    }
}

fn rejection(at: DateTime<Utc>) -> Rejection {
    Rejection {
        lead_id: lead(),
        reason: Some("WRONG_SEGMENT".into()),
        at,
        handed_over_at: at - Duration::hours(1),
        disputed_at: None,
        resolved_at: None,
        attribution: Attribution::default(),
    }
}

/// Ten MQLs on the Tuesday of each week and `rejected[i]` rejections on its Wednesday.
fn weekly_rejections(facts: &mut Facts, rejected: [usize; 5]) {
    for (monday, count) in mondays().into_iter().zip(rejected) {
        let tuesday = Range::week_of(monday).from + Duration::days(1);
        for _ in 0..10 {
            facts
                .stage_changes
                .push(change(lead(), Stage::Mql, tuesday + Duration::hours(9)));
        }
        for _ in 0..count {
            facts
                .rejections
                .push(rejection(tuesday + Duration::days(1) + Duration::hours(9)));
        }
    }
}

/// X enters SAL on March 1st 00:00 and stays; Y enters SQL on March 20th 12:00 and stays.
fn aging_leads(facts: &mut Facts) {
    for entered_at in [at(3, 1, 0, 0), at(3, 20, 12, 0)] {
        facts.stays.push(StageStay {
            entered_at,
            left_at: None,
        });
    }
}

fn closed(segment: Option<&str>, status: DealStatus, month: u32, day: u32) -> Opportunity {
    Opportunity {
        id: Uuid::now_v7(),
        amount: 1_000.0,
        created_at: at(1, 5, 9, 0),
        closed_at: (status != DealStatus::Open).then(|| at(month, day, 9, 0)),
        status,
        marketing_sourced: false,
        marketing_touched_before_close: false,
        attribution: Attribution {
            segment: segment.map(String::from),
            ..Default::default()
        },
    }
}

/// SMB wins every week; ENT wins once on March 4th and then loses every week.
fn diverging_segments(facts: &mut Facts) {
    use DealStatus::*;
    for (month, day) in [(3, 3), (3, 10), (3, 17), (3, 24), (3, 31)] {
        facts
            .opportunities
            .push(closed(Some("SMB"), Won, month, day));
    }
    facts.opportunities.push(closed(Some("ENT"), Won, 3, 4));
    for (month, day) in [(3, 4), (3, 11), (3, 18), (3, 25), (4, 1)] {
        facts
            .opportunities
            .push(closed(Some("ENT"), Lost, month, day));
    }
    // Neither a deal without a segment nor an open one counts.
    facts.opportunities.push(closed(None, Lost, 3, 12));
    facts.opportunities.push(closed(Some("MID"), Open, 3, 12));
}

fn values(indicator: &Indicator) -> Vec<Option<f64>> {
    indicator.points.iter().map(|p| p.value).collect()
}

fn point(value: Option<f64>) -> WeeklyPoint {
    WeeklyPoint {
        week_of: date(3, 2),
        value,
    }
}

fn series(values: &[Option<f64>]) -> Vec<WeeklyPoint> {
    values.iter().copied().map(point).collect()
}

#[test]
fn four_rises_in_a_row_is_theater() {
    let mut facts = Facts::default();
    // Rejection rates 1/10, 2/10, 3/10, 4/10, 5/10: four rises in a row.
    weekly_rejections(&mut facts, [1, 2, 3, 4, 5]);
    // SLA clocks: one met on time in the first week, one missed in the second.
    facts.sla_clocks.push(SlaClock {
        lead_id: lead(),
        due_at: at(3, 3, 13, 0),
        met_at: Some(at(3, 3, 12, 0)),
        breached_at: None,
        attribution: Attribution::default(),
    });
    facts.sla_clocks.push(SlaClock {
        lead_id: lead(),
        due_at: at(3, 10, 13, 0),
        met_at: None,
        breached_at: Some(at(3, 10, 13, 0)),
        attribution: Attribution::default(),
    });
    // Disputes: one open since March 20th, one resolved, one raised after as_of.
    let mut open = rejection(at(3, 19, 9, 0));
    open.disputed_at = Some(at(3, 20, 0, 0));
    let mut resolved = rejection(at(3, 24, 9, 0));
    resolved.disputed_at = Some(at(3, 25, 0, 0));
    resolved.resolved_at = Some(at(3, 27, 0, 0));
    let mut later = rejection(at(4, 6, 9, 0));
    later.disputed_at = Some(at(4, 7, 0, 0));
    facts.rejections.extend([open, resolved, later]);
    // The open and the resolved disputes' rejections add to weeks 3 and 4: 4/10 and 5/10,
    // still rising; the later one is outside the weeks.
    let health = alignment_health(&facts, as_of(), 5).unwrap();
    let weeks: Vec<NaiveDate> = health
        .rejection_rate
        .points
        .iter()
        .map(|p| p.week_of)
        .collect();
    assert_eq!(weeks, mondays());
    assert_eq!(
        values(&health.rejection_rate),
        [Some(0.1), Some(0.2), Some(0.4), Some(0.5), Some(0.5)]
    );
    // 0.5 -> 0.5 is not a rise: only 3 rises in a row, so this is not theater yet.
    assert_eq!(health.rejection_rate_rises, 0);
    assert!(health.rejection_rate.wrong_way);
    assert_eq!(health.verdict, Verdict::Aligned);

    // Without the extra rejections: 0.1 .. 0.5, four rises.
    facts.rejections.truncate(15);
    let health = alignment_health(&facts, as_of(), 5).unwrap();
    assert_eq!(health.rejection_rate_rises, 4);
    assert_eq!(health.verdict, Verdict::Theater);
    assert!(!health.mid_funnel_aging.wrong_way);
    assert!(!health.win_rate_divergence.wrong_way);
    let sla: Vec<Option<f64>> = health.sla_compliance.iter().map(|p| p.value).collect();
    assert_eq!(sla, [Some(1.0), Some(0.0), None, None, None]);
}

#[test]
fn three_rises_in_a_row_is_not_theater_yet() {
    let mut facts = Facts::default();
    // 0.3, 0.1, 0.2, 0.3, 0.4: three rises in a row (and the wrong way: three of four steps
    // rise, 0.4 > 0.3), but not four.
    weekly_rejections(&mut facts, [3, 1, 2, 3, 4]);
    let health = alignment_health(&facts, as_of(), 5).unwrap();
    assert_eq!(health.rejection_rate_rises, 3);
    assert!(health.rejection_rate.wrong_way);
    assert_eq!(health.verdict, Verdict::Aligned);
}

#[test]
fn backlog_of_open_disputes() {
    let mut facts = Facts::default();
    let mut open = rejection(at(3, 19, 9, 0));
    open.disputed_at = Some(at(3, 20, 0, 0));
    let mut resolved = rejection(at(3, 24, 9, 0));
    resolved.disputed_at = Some(at(3, 25, 0, 0));
    resolved.resolved_at = Some(at(3, 27, 0, 0));
    let mut later = rejection(at(4, 6, 9, 0));
    later.disputed_at = Some(at(4, 7, 0, 0));
    facts.rejections.extend([open, resolved, later]);
    let health = alignment_health(&facts, as_of(), 5).unwrap();
    // Only the dispute of March 20th is open at April 6th: 12 + 5 = 17 days old.
    assert_eq!(health.dispute_backlog, 1);
    assert_eq!(health.oldest_dispute_days, Some(17.0));
}

#[test]
fn two_of_three_for_a_month_is_misaligned() {
    let mut facts = Facts::default();
    // 0.1, 0.2, 0.1, 0.3, 0.4: three rises of four, and 0.4 > 0.1; only two rises in a row.
    weekly_rejections(&mut facts, [1, 2, 1, 3, 4]);
    aging_leads(&mut facts);
    let health = alignment_health(&facts, as_of(), 5).unwrap();
    assert!(health.rejection_rate.wrong_way);
    assert_eq!(health.rejection_rate_rises, 2);
    // At the end of each week (Mar 9, 16, 23, 30, Apr 6): X in SAL for 8, 15, 22, 29, 36 days;
    // Y in SQL from the 23rd for 2.5, 9.5, 16.5 days. Lower medians: 8, 15, then
    // min(22, 2.5) = 2.5, 9.5, 16.5. Steps +, -, +, +, and 16.5 > 8: the wrong way.
    assert_eq!(
        values(&health.mid_funnel_aging),
        [Some(8.0), Some(15.0), Some(2.5), Some(9.5), Some(16.5)]
    );
    assert!(health.mid_funnel_aging.wrong_way);
    assert!(!health.win_rate_divergence.wrong_way);
    assert_eq!(health.verdict, Verdict::Misaligned);
}

#[test]
fn win_rates_drifting_apart() {
    let mut facts = Facts::default();
    diverging_segments(&mut facts);
    // A flat rejection rate.
    weekly_rejections(&mut facts, [2, 2, 2, 2, 2]);
    let health = alignment_health(&facts, as_of(), 5).unwrap();
    // 28 days back from each week's end:
    // Mar 9:  SMB 1/1, ENT 1/2 (won and lost on the 4th) -> 1 - 0.5 = 0.5
    // Mar 16: SMB 2/2, ENT 1/3 -> 2/3
    // Mar 23: ENT 1/4 -> 0.75
    // Mar 30: ENT 1/5 (window from Mar 2) -> 0.8
    // Apr 6:  window from Mar 9: SMB 4/4, ENT 0/4 -> 1.0
    let divergence = values(&health.win_rate_divergence);
    let expected = [0.5, 2.0 / 3.0, 0.75, 0.8, 1.0];
    for (value, want) in divergence.iter().zip(expected) {
        assert!((value.unwrap() - want).abs() < 1e-9, "{value:?} != {want}");
    }
    assert!(health.win_rate_divergence.wrong_way);
    // One indicator of three: still aligned.
    assert!(!health.rejection_rate.wrong_way);
    assert_eq!(health.rejection_rate_rises, 0);
    assert_eq!(health.verdict, Verdict::Aligned);

    // With aging going the wrong way too, two of three.
    aging_leads(&mut facts);
    let health = alignment_health(&facts, as_of(), 5).unwrap();
    assert_eq!(health.verdict, Verdict::Misaligned);
}

#[test]
fn the_wrong_way_rule() {
    let s = |v: &[Option<f64>]| wrong_way(&series(v));
    // Fewer than five points: no month to judge.
    assert!(!s(&[Some(1.0), Some(2.0), Some(3.0), Some(4.0)]));
    // Four rises.
    assert!(s(&[Some(1.0), Some(2.0), Some(3.0), Some(4.0), Some(5.0)]));
    // Three rises and one fall, ending above the start.
    assert!(s(&[Some(1.0), Some(2.0), Some(1.5), Some(3.0), Some(4.0)]));
    // Three rises but back below the start.
    assert!(!s(&[Some(5.0), Some(6.0), Some(1.0), Some(2.0), Some(3.0)]));
    // Two rises only.
    assert!(!s(&[Some(1.0), Some(2.0), Some(2.0), Some(2.0), Some(3.0)]));
    // A missing week breaks two steps.
    assert!(!s(&[Some(1.0), Some(2.0), None, Some(3.0), Some(4.0)]));
    // Only the last five points count: an old fall does not matter.
    assert!(s(&[
        Some(9.0),
        Some(1.0),
        Some(2.0),
        Some(3.0),
        Some(4.0),
        Some(5.0)
    ]));
    assert_eq!(
        rises_in_a_row(&series(&[Some(3.0), Some(1.0), Some(2.0), Some(3.0)])),
        2
    );
}

#[test]
fn too_few_weeks_is_refused() {
    let err = alignment_health(&Facts::default(), as_of(), 4).unwrap_err();
    assert_eq!(err.field, "weeks");
    let quiet = alignment_health(&Facts::default(), as_of(), 8).unwrap();
    assert_eq!(quiet.rejection_rate.points.len(), 8);
    assert_eq!(quiet.verdict, Verdict::Aligned);
    assert_eq!(quiet.dispute_backlog, 0);
    assert_eq!(quiet.oldest_dispute_days, None);
}
