//! The meeting's rules (seed 004): no meeting when both the CMO and the CRO are absent; a written
//! decision log circulated within 24 hours of every session; decisions per meeting and open
//! action items older than two weeks as the review's own metrics.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::metrics::Range;
use super::ReviewError;

/// The log is due this long after the session ends.
pub const LOG_DEADLINE_HOURS: i64 = 24;

/// An open action item older than this many days is listed as stale.
pub const STALE_AFTER_DAYS: i64 = 14;

/// The side an attendee counts for in the quorum (the services decide it with the permission
/// table: `HoldReviewQuorumForMarketing`, `HoldReviewQuorumForSales`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuorumSide {
    /// The CMO.
    Marketing,
    /// The CRO.
    Sales,
    Neither,
}

/// One expected attendee and whether they came.
#[derive(Debug, Clone, PartialEq)]
pub struct Attendance {
    pub member_id: Uuid,
    pub side: QuorumSide,
    pub present: bool,
}

/// Which leaders are in the room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quorum {
    pub marketing_leader_present: bool,
    pub sales_leader_present: bool,
}

impl Quorum {
    /// The meeting is held unless both leaders are absent.
    pub fn met(&self) -> bool {
        self.marketing_leader_present || self.sales_leader_present
    }
}

/// The quorum of a session: any member who counts for a side (a leader's seat) counts for it.
pub fn quorum(attendance: &[Attendance]) -> Quorum {
    let present = |side| attendance.iter().any(|a| a.side == side && a.present);
    Quorum {
        marketing_leader_present: present(QuorumSide::Marketing),
        sales_leader_present: present(QuorumSide::Sales),
    }
}

/// One session of the review, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub log_published_at: Option<DateTime<Utc>>,
    pub quorum: Quorum,
    pub decisions: u32,
}

/// Whether the session's decision log missed its deadline: published more than 24 hours after
/// the session ended (or started, if no end was recorded), or still unpublished at `as_of` with
/// the deadline passed.
pub fn log_late(session: &Session, as_of: DateTime<Utc>) -> bool {
    let deadline =
        session.ended_at.unwrap_or(session.started_at) + Duration::hours(LOG_DEADLINE_HOURS);
    match session.log_published_at {
        Some(published) => published > deadline,
        None => as_of > deadline,
    }
}

/// Decisions per meeting: decisions recorded / sessions held, over sessions started in `range`
/// that had a quorum (a session without one was not a meeting). `None` without any.
pub fn decisions_per_meeting(
    sessions: &[Session],
    range: &Range,
) -> Result<Option<f64>, ReviewError> {
    range.validate("range")?;
    let held: Vec<&Session> = sessions
        .iter()
        .filter(|s| range.contains(s.started_at) && s.quorum.met())
        .collect();
    let decisions: u32 = held.iter().map(|s| s.decisions).sum();
    Ok((!held.is_empty()).then(|| f64::from(decisions) / held.len() as f64))
}

/// An action item from a review.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionItem {
    pub id: Uuid,
    pub owner_id: Uuid,
    pub created_at: DateTime<Utc>,
    pub due_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
}

impl ActionItem {
    pub fn open_at(&self, as_of: DateTime<Utc>) -> bool {
        self.created_at <= as_of && self.completed_at.is_none_or(|done| done > as_of)
    }
}

/// The action items open at `as_of` that were created more than two weeks before it, oldest
/// first.
pub fn stale_action_items(items: &[ActionItem], as_of: DateTime<Utc>) -> Vec<&ActionItem> {
    let mut stale: Vec<&ActionItem> = items
        .iter()
        .filter(|i| i.open_at(as_of) && as_of - i.created_at > Duration::days(STALE_AFTER_DAYS))
        .collect();
    stale.sort_by_key(|i| i.created_at);
    stale
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, day, hour, 0, 0).unwrap()
    }

    fn attendee(side: QuorumSide, present: bool) -> Attendance {
        Attendance {
            member_id: Uuid::now_v7(),
            side,
            present,
        }
    }

    #[test]
    fn no_meeting_without_either_leader() {
        use QuorumSide::*;
        let both_absent = quorum(&[
            attendee(Marketing, false),
            attendee(Sales, false),
            attendee(Neither, true),
            attendee(Neither, true),
        ]);
        assert!(!both_absent.met());
        let cro_only = quorum(&[attendee(Marketing, false), attendee(Sales, true)]);
        assert!(cro_only.met());
        assert!(!cro_only.marketing_leader_present);
        let cmo_only = quorum(&[attendee(Marketing, true)]);
        assert!(cmo_only.met());
        // Nobody who counts for a side on the list: no quorum.
        assert!(!quorum(&[attendee(Neither, true)]).met());
        // Two marketing leaders, one of them present.
        assert!(quorum(&[attendee(Marketing, false), attendee(Marketing, true)]).met());
    }

    fn session(ended: Option<u32>, published: Option<(u32, u32)>, decisions: u32) -> Session {
        Session {
            started_at: at(2, 10),
            ended_at: ended.map(|h| at(2, h)),
            log_published_at: published.map(|(d, h)| at(d, h)),
            quorum: Quorum {
                marketing_leader_present: true,
                sales_leader_present: false,
            },
            decisions,
        }
    }

    #[test]
    fn logs_are_due_a_day_after_the_session() {
        // Ended Mar 2 at 11:00: due Mar 3 at 11:00.
        assert!(!log_late(&session(Some(11), Some((3, 11)), 0), at(9, 0)));
        assert!(log_late(&session(Some(11), Some((3, 12)), 0), at(9, 0)));
        assert!(!log_late(&session(Some(11), None, 0), at(3, 11)));
        assert!(log_late(&session(Some(11), None, 0), at(3, 12)));
        // No end recorded: counted from the start (10:00).
        assert!(log_late(&session(None, Some((3, 11)), 0), at(9, 0)));
    }

    #[test]
    fn decisions_per_meeting_held() {
        let mut no_quorum = session(Some(11), None, 9);
        no_quorum.quorum.marketing_leader_present = false;
        let mut later = session(Some(11), None, 1);
        later.started_at = at(9, 10);
        let sessions = [session(Some(11), None, 4), later, no_quorum];
        let march = Range::new(at(1, 0), at(31, 0)).unwrap();
        // Held: 4 and 1 decisions; the session without quorum does not count. 5 / 2.
        assert_eq!(decisions_per_meeting(&sessions, &march), Ok(Some(2.5)));
        let early = Range::new(at(1, 0), at(2, 0)).unwrap();
        assert_eq!(decisions_per_meeting(&sessions, &early), Ok(None));
    }

    #[test]
    fn stale_action_items_are_open_and_older_than_two_weeks() {
        let item = |created: u32, completed: Option<u32>| ActionItem {
            id: Uuid::now_v7(),
            owner_id: Uuid::now_v7(),
            created_at: at(created, 9),
            due_at: None,
            completed_at: completed.map(|d| at(d, 9)),
        };
        let items = [
            item(10, None),    // 20 days old at Mar 30 09:00: stale
            item(2, None),     // 28 days: stale, listed first
            item(16, None),    // exactly 14 days: not older than two weeks
            item(1, Some(29)), // done
            item(1, Some(31)), // done after as_of: still open then, and stale
        ];
        let stale = stale_action_items(&items, at(30, 9));
        let created: Vec<DateTime<Utc>> = stale.iter().map(|i| i.created_at).collect();
        assert_eq!(created, [at(1, 9), at(2, 9), at(10, 9)]);
    }
}
