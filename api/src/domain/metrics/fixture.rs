//! The fixed fixture the metrics and funnel tests compute by hand: one workspace's February and
//! March 2026. All times are UTC; stage changes happen at 09:00. March 2026 starts on a Sunday,
//! so its Mondays are the 2nd, 9th, 16th, 23rd and 30th.
//!
//! Leads (source, segment, rep; campaign C1 and play P1 where shown), each a line of its stage
//! history:
//! - A (S1, SMB, R1, C1):     MQL Feb 20, SAL Mar 3
//! - B (S1, ENT, R2):         MQL Feb 25
//! - C (S1, SMB, R1, C1, P1): MQL Mar 2, SAL Mar 3, SQL Mar 9, OPPORTUNITY Mar 16, CUSTOMER Mar 28
//! - D (S1, SMB, R2):         MQL Mar 3, NURTURE Mar 4 (rejected), MQL Mar 20, SAL Mar 21
//! - E (S2, ENT, R2):         MQL Mar 10, NURTURE Mar 12 (rejected)
//! - F (S2, ENT, R1, P1):     MQL Mar 12, SAL Mar 14, SQL Mar 17
//! - G (S2, ENT, R1):         MQL Mar 25, DISQUALIFIED Mar 28 (rejected)
//!
//! Deals (amount, created, closed, sourced by marketing, touched by marketing before close):
//! - O1 (C's; S1, SMB, R1, C1, P1): 30,000, Mar 16, won Mar 28, sourced, touched
//! - O2 (S2, ENT, R2):  100,000, Mar 5, open
//! - O3 (S2, ENT, R1):   50,000, Jan 10, lost Mar 20, touched
//! - O4 (S1, SMB, R2):   20,000, Feb 1, won Mar 10, touched
//! - O5 (no source, ENT, R2): 80,000, Mar 25, open, touched
//! - O6 (S2, ENT, R2):   40,000, Feb 15, won Apr 5, sourced, touched
//!
//! First touches (assigned -> first touch): C Mar 2 09:00 -> 09:30; D Mar 3 09:00 -> 13:00;
//! E Mar 10 09:00 -> 09:05; F Mar 12 09:00 -> none; D Mar 20 09:00 -> 09:20;
//! G Mar 25 09:00 -> 10:00; B Feb 25 09:00 -> 10:00.
//!
//! SLA clocks (due, met, breached): k1 C (S1) Mar 2 13:00 met 09:30; k2 D (S1) Mar 3 13:00
//! met 13:00; k3 F (S2) Mar 12 13:00 breached 13:00; k4 G (S2) Mar 27 09:00 met Mar 28 09:00;
//! k5 B (S1) Feb 25 13:00 met 10:00; k6 D (S1) Mar 31 23:00, neither.
//!
//! Rejections (reason, at, handed over): D NO_BUDGET Mar 4 (Mar 3); E WRONG_SEGMENT Mar 12
//! (Mar 10, exactly 48 hours); G WRONG_SEGMENT Mar 28 (Mar 25, 72 hours).
//!
//! Spend: S1 March 6,000 (campaign C1); S2 March 3,000; S1 February 1,000.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use uuid::Uuid;

use super::{
    Attribution, DealStatus, Facts, FirstTouch, Opportunity, Rejection, SlaClock, Spend, Stage,
    StageChange,
};

pub const S1: Uuid = Uuid::from_u128(0x51);
pub const S2: Uuid = Uuid::from_u128(0x52);
pub const R1: Uuid = Uuid::from_u128(0x71);
pub const R2: Uuid = Uuid::from_u128(0x72);
pub const C1: Uuid = Uuid::from_u128(0xC1);
pub const P1: Uuid = Uuid::from_u128(0xF1);

/// Leads A..G are 0xA..0x10.
pub fn lead(letter: char) -> Uuid {
    Uuid::from_u128(u128::from(letter as u32 - 'A' as u32 + 0xA))
}

/// 2026-`month`-`day` at `hour`:`minute` UTC.
pub fn at(month: u32, day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, month, day, hour, minute, 0)
        .unwrap()
}

pub fn date(month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, month, day).unwrap()
}

fn attribution(letter: char) -> Attribution {
    let (source, segment, rep, campaign, play) = match letter {
        'A' => (Some(S1), "SMB", R1, Some(C1), None),
        'B' => (Some(S1), "ENT", R2, None, None),
        'C' => (Some(S1), "SMB", R1, Some(C1), Some(P1)),
        'D' => (Some(S1), "SMB", R2, None, None),
        'E' => (Some(S2), "ENT", R2, None, None),
        'F' => (Some(S2), "ENT", R1, None, Some(P1)),
        'G' => (Some(S2), "ENT", R1, None, None),
        // Deals without a lead of their own.
        '2' => (Some(S2), "ENT", R2, None, None),
        '3' => (Some(S2), "ENT", R1, None, None),
        '4' => (Some(S1), "SMB", R2, None, None),
        '5' => (None, "ENT", R2, None, None),
        '6' => (Some(S2), "ENT", R2, None, None),
        _ => unreachable!("no such lead or deal in the fixture"),
    };
    Attribution {
        source_id: source,
        segment: Some(segment.into()),
        owner_id: Some(rep),
        campaign_id: campaign,
        play_id: play,
    }
}

fn history(letter: char, moves: &[(Stage, u32, u32)]) -> Vec<StageChange> {
    let mut from = Some(Stage::Lead);
    moves
        .iter()
        .map(|&(to, month, day)| {
            let change = StageChange {
                lead_id: lead(letter),
                from,
                to,
                at: at(month, day, 9, 0),
                attribution: attribution(letter),
            };
            from = Some(to);
            change
        })
        .collect()
}

pub fn stage_changes() -> Vec<StageChange> {
    use Stage::*;
    [
        history('A', &[(Mql, 2, 20), (Sal, 3, 3)]),
        history('B', &[(Mql, 2, 25)]),
        history(
            'C',
            &[
                (Mql, 3, 2),
                (Sal, 3, 3),
                (Sql, 3, 9),
                (Opportunity, 3, 16),
                (Customer, 3, 28),
            ],
        ),
        history(
            'D',
            &[(Mql, 3, 3), (Nurture, 3, 4), (Mql, 3, 20), (Sal, 3, 21)],
        ),
        history('E', &[(Mql, 3, 10), (Nurture, 3, 12)]),
        history('F', &[(Mql, 3, 12), (Sal, 3, 14), (Sql, 3, 17)]),
        history('G', &[(Mql, 3, 25), (Disqualified, 3, 28)]),
    ]
    .concat()
}

pub fn opportunities() -> Vec<Opportunity> {
    let deal =
        |n: u128, key: char, amount: f64, created, closed, status, sourced, touched| Opportunity {
            id: Uuid::from_u128(0x0100 + n),
            amount,
            created_at: created,
            closed_at: closed,
            status,
            marketing_sourced: sourced,
            marketing_touched_before_close: touched,
            attribution: attribution(key),
        };
    let nine = |month, day| at(month, day, 9, 0);
    vec![
        deal(
            1,
            'C',
            30_000.0,
            nine(3, 16),
            Some(nine(3, 28)),
            DealStatus::Won,
            true,
            true,
        ),
        deal(
            2,
            '2',
            100_000.0,
            nine(3, 5),
            None,
            DealStatus::Open,
            false,
            false,
        ),
        deal(
            3,
            '3',
            50_000.0,
            nine(1, 10),
            Some(nine(3, 20)),
            DealStatus::Lost,
            false,
            true,
        ),
        deal(
            4,
            '4',
            20_000.0,
            nine(2, 1),
            Some(nine(3, 10)),
            DealStatus::Won,
            false,
            true,
        ),
        deal(
            5,
            '5',
            80_000.0,
            nine(3, 25),
            None,
            DealStatus::Open,
            false,
            true,
        ),
        deal(
            6,
            '6',
            40_000.0,
            nine(2, 15),
            Some(nine(4, 5)),
            DealStatus::Won,
            true,
            true,
        ),
    ]
}

pub fn first_touches() -> Vec<FirstTouch> {
    let touch = |letter, month, day, first: Option<(u32, u32)>| FirstTouch {
        lead_id: lead(letter),
        assigned_at: at(month, day, 9, 0),
        first_touch_at: first.map(|(hour, minute)| at(month, day, hour, minute)),
        attribution: attribution(letter),
    };
    vec![
        touch('C', 3, 2, Some((9, 30))),
        touch('D', 3, 3, Some((13, 0))),
        touch('E', 3, 10, Some((9, 5))),
        touch('F', 3, 12, None),
        touch('D', 3, 20, Some((9, 20))),
        touch('G', 3, 25, Some((10, 0))),
        touch('B', 2, 25, Some((10, 0))),
    ]
}

pub fn sla_clocks() -> Vec<SlaClock> {
    let clock = |letter, due, met, breached| SlaClock {
        lead_id: lead(letter),
        due_at: due,
        met_at: met,
        breached_at: breached,
        attribution: attribution(letter),
    };
    vec![
        clock('C', at(3, 2, 13, 0), Some(at(3, 2, 9, 30)), None),
        clock('D', at(3, 3, 13, 0), Some(at(3, 3, 13, 0)), None),
        clock('F', at(3, 12, 13, 0), None, Some(at(3, 12, 13, 0))),
        clock(
            'G',
            at(3, 27, 9, 0),
            Some(at(3, 28, 9, 0)),
            Some(at(3, 27, 9, 0)),
        ),
        clock('B', at(2, 25, 13, 0), Some(at(2, 25, 10, 0)), None),
        clock('D', at(3, 31, 23, 0), None, None),
    ]
}

pub fn rejections() -> Vec<Rejection> {
    let rejection = |letter, reason: &str, when, handed_over| Rejection {
        lead_id: lead(letter),
        reason: Some(reason.into()),
        at: when,
        handed_over_at: handed_over,
        disputed_at: None,
        resolved_at: None,
        attribution: attribution(letter),
    };
    vec![
        rejection('D', "NO_BUDGET", at(3, 4, 9, 0), at(3, 3, 9, 0)),
        rejection('E', "WRONG_SEGMENT", at(3, 12, 9, 0), at(3, 10, 9, 0)),
        rejection('G', "WRONG_SEGMENT", at(3, 28, 9, 0), at(3, 25, 9, 0)),
    ]
}

pub fn spend() -> Vec<Spend> {
    vec![
        Spend {
            amount: 6_000.0,
            month: date(3, 1),
            source_id: Some(S1),
            campaign_id: Some(C1),
        },
        Spend {
            amount: 3_000.0,
            month: date(3, 1),
            source_id: Some(S2),
            campaign_id: None,
        },
        Spend {
            amount: 1_000.0,
            month: date(2, 1),
            source_id: Some(S1),
            campaign_id: None,
        },
    ]
}

pub fn facts() -> Facts {
    Facts {
        stage_changes: stage_changes(),
        opportunities: opportunities(),
        first_touches: first_touches(),
        sla_clocks: sla_clocks(),
        rejections: rejections(),
        spend: spend(),
        ..Facts::default()
    }
}

/// Asserts two floats agree to 1e-9.
#[track_caller]
pub fn assert_close(actual: f64, expected: f64) {
    assert!(
        (actual - expected).abs() < 1e-9,
        "{actual} is not {expected}"
    );
}

/// Asserts an optional float is present and agrees to 1e-9.
#[track_caller]
pub fn assert_some_close(actual: Option<f64>, expected: f64) {
    match actual {
        Some(actual) => assert_close(actual, expected),
        None => panic!("None is not {expected}"),
    }
}
