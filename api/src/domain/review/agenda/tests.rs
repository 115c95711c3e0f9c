//! The agenda of the review held the week of March 16th 2026 (reviewing March 9-16) over the
//! metrics fixture plus three deals created that week, derived by hand.

use super::super::metrics::fixture::{self, assert_close, assert_some_close, at, date, S1, S2};
use super::super::metrics::{Attribution, DealStatus, Opportunity};
use super::*;

fn deal(n: u128, source: Uuid, segment: &str, amount: f64, day: u32) -> Opportunity {
    Opportunity {
        id: Uuid::from_u128(0x0200 + n),
        amount,
        created_at: at(3, day, 9, 0),
        closed_at: None,
        status: DealStatus::Open,
        marketing_sourced: false,
        marketing_touched_before_close: false,
        attribution: Attribution {
            source_id: Some(source),
            segment: Some(segment.into()),
            ..Default::default()
        },
    }
}

fn open(n: u128, stage: &str, entered: DateTime<Utc>) -> OpenDeal {
    OpenDeal {
        id: Uuid::from_u128(n),
        stage: stage.into(),
        entered_stage_at: entered,
        amount: 1_000.0 * n as f64,
        owner_id: None,
    }
}

fn variant(label: &str, touches: u64, replies: u64) -> Variant {
    Variant {
        label: label.into(),
        touches,
        replies,
    }
}

fn subject_line_test() -> MessagingTest {
    MessagingTest {
        id: Uuid::from_u128(0x7E57),
        name: "Subject line: ROI vs pain".into(),
        started_at: at(3, 2, 9, 0),
        ended_at: Some(at(3, 13, 17, 0)),
        variants: vec![variant("ROI", 200, 30), variant("Pain", 200, 14)],
    }
}

fn medians() -> HashMap<String, Duration> {
    HashMap::from([
        ("DISCOVERY".to_string(), Duration::days(10)),
        ("PROPOSAL".to_string(), Duration::days(20)),
    ])
}

#[test]
fn the_agenda_of_the_week_of_march_16() {
    let mut facts = fixture::facts();
    facts.opportunities.extend([
        deal(7, S1, "ENT", 10_000.0, 11),
        deal(8, S2, "SMB", 25_000.0, 13),
        deal(9, S1, "SMB", 5_000.0, 14),
    ]);
    let open_deals = [
        open(1, "DISCOVERY", at(2, 20, 10, 0)),
        open(2, "DISCOVERY", at(2, 21, 10, 0)),
        open(3, "PROPOSAL", at(1, 15, 10, 0)),
        open(4, "NEGOTIATION", at(1, 1, 10, 0)),
    ];
    let older = MessagingTest {
        id: Uuid::from_u128(0x01D),
        name: "Old".into(),
        started_at: at(2, 1, 9, 0),
        ended_at: Some(at(3, 1, 9, 0)),
        variants: vec![],
    };
    let next = MessagingTest {
        id: Uuid::from_u128(0x4E7),
        name: "Next".into(),
        started_at: at(3, 16, 0, 0),
        ended_at: None,
        variants: vec![],
    };
    let tests = [older, subject_line_test(), next];
    let medians = medians();
    // Any day of the week works: Wednesday March 18th is the week of Monday the 16th.
    let input = AgendaInput {
        week_of: date(3, 18),
        as_of: at(3, 16, 10, 0),
        facts: &facts,
        open_deals: &open_deals,
        stage_medians: &medians,
        tests: &tests,
        rejection_window: Duration::hours(48),
        lost_deals: &[],
    };
    let agenda = agenda(&input);
    assert_eq!(agenda.week_of, date(3, 16));
    assert_eq!(agenda.reviewed, Range::week_of(date(3, 9)));

    // Created March 9-16: O7 (S1, ENT, 10,000), O8 (S2, SMB, 25,000), O9 (S1, SMB, 5,000).
    // O1 is created on the 16th, the next week.
    assert_eq!(agenda.opportunities, 3);
    assert_close(agenda.pipeline_created, 40_000.0);
    // By source, largest first: S2 25,000 (1 deal), S1 10,000 + 5,000 = 15,000 (2 deals).
    let by_source: Vec<(GroupKey, u64, f64)> = agenda
        .pipeline_by_source
        .iter()
        .map(|l| (l.key.clone(), l.opportunities, l.amount))
        .collect();
    assert_eq!(
        by_source,
        [
            (GroupKey::Id(S2), 1, 25_000.0),
            (GroupKey::Id(S1), 2, 15_000.0)
        ]
    );
    // By segment: SMB 25,000 + 5,000 = 30,000 (2), ENT 10,000 (1).
    let by_segment: Vec<(GroupKey, u64, f64)> = agenda
        .pipeline_by_segment
        .iter()
        .map(|l| (l.key.clone(), l.opportunities, l.amount))
        .collect();
    assert_eq!(
        by_segment,
        [
            (GroupKey::Segment("SMB".into()), 2, 30_000.0),
            (GroupKey::Segment("ENT".into()), 1, 10_000.0)
        ]
    );

    // MQLs March 9-16: E (10th), F (12th). Rejected: E, WRONG_SEGMENT. 1 / 2.
    assert_eq!((agenda.mqls, agenda.rejections), (2, 1));
    assert_some_close(agenda.rejection_rate, 0.5);
    let reasons: Vec<&str> = agenda
        .top_reasons
        .iter()
        .map(|r| r.reason.as_str())
        .collect();
    assert_eq!(reasons, ["WRONG_SEGMENT"]);

    // At March 16th 10:00: deal 3 has been in PROPOSAL since Jan 15th 10:00, 17 + 28 + 15 = 60
    // days (to Feb 1st, to Mar 1st, to Mar 16th), 40 over the 20-day median; deal 1 in DISCOVERY since Feb 20th, 9 + 15 = 24 days,
    // 14 over 10 (stuck: two weeks exactly); deal 2 since Feb 21st, 23 days, 13 over (not
    // yet); deal 4's NEGOTIATION has no median.
    let stuck: Vec<(u128, f64, f64, f64)> = agenda
        .stuck_deals
        .iter()
        .map(|d| {
            (
                d.id.as_u128(),
                d.days_in_stage,
                d.median_days,
                d.days_over_median,
            )
        })
        .collect();
    assert_eq!(stuck, [(3, 60.0, 20.0, 40.0), (1, 24.0, 10.0, 14.0)]);

    // The test that ran March 9-16 is the subject-line test (the old one ended March 1st, the
    // next starts on the 16th).
    let test = agenda.test.as_ref().unwrap();
    assert_eq!(test.name, "Subject line: ROI vs pain");
    assert_eq!(test.leader.as_deref(), Some("ROI"));

    // Checklist: E's rejection came 48 hours after hand-over, coded; a test ran.
    assert!(agenda.checklist.aligned);
    assert_eq!(agenda.checklist.top_reasons, agenda.top_reasons);
}

#[test]
fn a_significant_test_result() {
    let result = test_result(&subject_line_test());
    // ROI 30 / 200 = 0.15, Pain 14 / 200 = 0.07.
    assert_some_close(result.variants[0].reply_rate, 0.15);
    assert_some_close(result.variants[1].reply_rate, 0.07);
    assert_eq!(result.leader.as_deref(), Some("ROI"));
    // Lift (0.15 - 0.07) / 0.07 = 1.142857...
    assert_some_close(result.lift, 0.08 / 0.07);
    // Pooled p = 44 / 400 = 0.11; se = sqrt(0.11 * 0.89 * (1/200 + 1/200)) = sqrt(0.000979)
    // = 0.031289; z = 0.08 / 0.031289 = 2.557 >= 1.96.
    let z = result.z.unwrap();
    assert!((z - 2.5568).abs() < 1e-4, "{z}");
    assert!(result.conclusive);
}

#[test]
fn an_inconclusive_a_tied_and_a_lonely_test() {
    let mut test = subject_line_test();
    // 3 / 20 = 0.15 against 1 / 20 = 0.05: pooled 4 / 40 = 0.1, se = sqrt(0.1 * 0.9 * 0.1)
    // = 0.094868, z = 0.1 / 0.094868 = 1.054 < 1.96: keep testing.
    test.variants = vec![variant("ROI", 20, 3), variant("Pain", 20, 1)];
    let result = test_result(&test);
    assert_eq!(result.leader.as_deref(), Some("ROI"));
    assert!((result.z.unwrap() - 1.0541).abs() < 1e-4);
    assert!(!result.conclusive);

    test.variants = vec![variant("A", 50, 5), variant("B", 100, 10)];
    let tied = test_result(&test);
    assert_eq!(tied.leader, None);
    assert_eq!(tied.z, Some(0.0));
    assert!(!tied.conclusive);

    test.variants = vec![variant("A", 50, 5), variant("B", 0, 0)];
    let lonely = test_result(&test);
    assert_eq!(lonely.variants[1].reply_rate, None);
    assert_eq!(lonely.leader.as_deref(), Some("A"));
    assert_eq!(lonely.z, None);
    assert!(!lonely.conclusive);
}

#[test]
fn the_reviewed_week_is_the_one_before() {
    // A review on Monday March 2nd looks back on Feb 23 - Mar 2; on Sunday March 8th too.
    let expected = Range::week_of(date(2, 23));
    assert_eq!(reviewed_week(date(3, 2)), expected);
    assert_eq!(reviewed_week(date(3, 8)), expected);
    assert_eq!(expected.to, at(3, 2, 0, 0));
}
