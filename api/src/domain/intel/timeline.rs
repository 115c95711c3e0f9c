//! `Lead.timeline`: a lead's events, touches, stage changes, score entries and triggers merged
//! into one list, newest first (what a CRM shows: the latest first, scrolling back in time).
//! Items of one moment come in [`TimelineKind`] order (the event, the points it earned, the
//! stage change it caused, the trigger that went out, then touches), then by id, the larger
//! (newer v7 id) first. A cursor is
//! the last item's `(time, kind, id)`; the next page is every item strictly after it in that
//! order, which for each kind is one bounded, index-ordered read ([`Bound`]).

use chrono::{DateTime, Utc};
use uuid::Uuid;

/// The kinds a timeline merges, in the order items of one moment are listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TimelineKind {
    Event,
    ScoreEntry,
    StageChange,
    Trigger,
    Touch,
}

impl TimelineKind {
    pub const ALL: [TimelineKind; 5] = [
        TimelineKind::Event,
        TimelineKind::ScoreEntry,
        TimelineKind::StageChange,
        TimelineKind::Trigger,
        TimelineKind::Touch,
    ];
}

/// Where an item sits in the timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimelineKey {
    pub at: DateTime<Utc>,
    pub kind: TimelineKind,
    pub id: Uuid,
}

impl TimelineKey {
    /// Whether `self` comes before `other` in the timeline (newest first; one moment in kind
    /// order; one kind by id, the larger first).
    pub fn precedes(&self, other: &TimelineKey) -> bool {
        self.order(other) == std::cmp::Ordering::Less
    }

    fn order(&self, other: &TimelineKey) -> std::cmp::Ordering {
        other
            .at
            .cmp(&self.at)
            .then_with(|| self.kind.cmp(&other.kind))
            .then_with(|| other.id.cmp(&self.id))
    }
}

/// Which rows of one kind come after a cursor, as the store reads them (newest first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// No cursor: from the newest.
    All,
    /// Strictly older than the time (the kind lists before the cursor's at that moment).
    Before(DateTime<Utc>),
    /// At the time or older (the kind lists after the cursor's at that moment).
    AtOrBefore(DateTime<Utc>),
    /// Older, or at the time with a smaller id (the cursor's own kind).
    BeforeId(DateTime<Utc>, Uuid),
}

/// The rows of `kind` strictly after `cursor`.
pub fn bound(kind: TimelineKind, cursor: Option<&TimelineKey>) -> Bound {
    match cursor {
        None => Bound::All,
        Some(c) if kind < c.kind => Bound::Before(c.at),
        Some(c) if kind > c.kind => Bound::AtOrBefore(c.at),
        Some(c) => Bound::BeforeId(c.at, c.id),
    }
}

/// Merges per-kind lists (each already newest first and bounded by [`bound`]) into the page of
/// `first` items; returns the page and whether more follow.
pub fn merge<T>(
    lists: Vec<Vec<T>>,
    first: usize,
    key: impl Fn(&T) -> TimelineKey,
) -> (Vec<T>, bool) {
    let mut all: Vec<T> = lists.into_iter().flatten().collect();
    all.sort_by(|a, b| key(a).order(&key(b)));
    let more = all.len() > first;
    all.truncate(first);
    (all, more)
}

/// An event's line: its type.
pub fn describe_event(event_type: &str) -> String {
    format!("Event {event_type}")
}

/// A score entry's line: its points and the rule, e.g. "+25 behaviour points for
/// pricing_page_visit".
pub fn describe_score(rule: &str, points: i32, pql: bool) -> String {
    let kind = if pql { "PQL" } else { "behaviour" };
    format!("{points:+} {kind} points for {rule}")
}

/// A stage change's line, e.g. "LEAD to MQL: score 70 reached 50".
pub fn describe_stage(from: Option<&str>, to: &str, reason: Option<&str>) -> String {
    let moved = match from {
        Some(from) => format!("{from} to {to}"),
        None => format!("Entered {to}"),
    };
    match reason.filter(|r| !r.is_empty()) {
        Some(reason) => format!("{moved}: {reason}"),
        None => moved,
    }
}

/// A trigger's line: its kind and message.
pub fn describe_trigger(kind: &str, message: &str) -> String {
    format!("{kind}: {message}")
}

/// A touch's line, e.g. "EMAIL touch, REPLIED: asked for pricing".
pub fn describe_touch(channel: &str, outcome: &str, note: Option<&str>) -> String {
    match note.filter(|n| !n.is_empty()) {
        Some(note) => format!("{channel} touch, {outcome}: {note}"),
        None => format!("{channel} touch, {outcome}"),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn key(hour: u32, kind: TimelineKind, id: u128) -> TimelineKey {
        TimelineKey {
            at: Utc.with_ymd_and_hms(2027, 3, 1, hour, 0, 0).unwrap(),
            kind,
            id: Uuid::from_u128(id),
        }
    }

    #[test]
    fn lines_say_what_happened() {
        assert_eq!(describe_event("demo_request"), "Event demo_request");
        assert_eq!(
            describe_score("pricing_page_visit", 25, false),
            "+25 behaviour points for pricing_page_visit"
        );
        assert_eq!(
            describe_score("unsubscribe", -25, false),
            "-25 behaviour points for unsubscribe"
        );
        assert_eq!(
            describe_score("trial_started", 30, true),
            "+30 PQL points for trial_started"
        );
        assert_eq!(
            describe_stage(Some("LEAD"), "MQL", Some("score 70 reached 50")),
            "LEAD to MQL: score 70 reached 50"
        );
        assert_eq!(describe_stage(None, "LEAD", None), "Entered LEAD");
        assert_eq!(
            describe_trigger("LEAD_ASSIGNED", "Ana was assigned to you"),
            "LEAD_ASSIGNED: Ana was assigned to you"
        );
        assert_eq!(
            describe_touch("EMAIL", "REPLIED", Some("")),
            "EMAIL touch, REPLIED"
        );
        assert_eq!(
            describe_touch("CALL", "CONNECTED", Some("budget in Q3")),
            "CALL touch, CONNECTED: budget in Q3"
        );
    }

    #[test]
    fn newest_first_then_kind_then_id() {
        use TimelineKind::*;
        let lists = vec![
            vec![key(9, Event, 1), key(8, Event, 2)],
            vec![key(9, ScoreEntry, 3)],
            vec![key(10, Touch, 4)],
            vec![key(9, Trigger, 6), key(9, Trigger, 5)],
        ];
        let (page, more) = merge(lists, 4, |k| *k);
        assert_eq!(
            page,
            vec![
                key(10, Touch, 4),
                key(9, Event, 1),
                key(9, ScoreEntry, 3),
                key(9, Trigger, 6)
            ]
        );
        assert!(more);
        assert!(key(9, Event, 1).precedes(&key(9, ScoreEntry, 3)));
        assert!(key(9, Trigger, 6).precedes(&key(9, Trigger, 5)));
    }

    #[test]
    fn a_cursor_bounds_each_kind_by_where_it_sits_at_that_moment() {
        use TimelineKind::*;
        let cursor = key(9, StageChange, 7);
        let at = cursor.at;
        assert_eq!(bound(Event, Some(&cursor)), Bound::Before(at));
        assert_eq!(bound(ScoreEntry, Some(&cursor)), Bound::Before(at));
        assert_eq!(
            bound(StageChange, Some(&cursor)),
            Bound::BeforeId(at, Uuid::from_u128(7))
        );
        assert_eq!(bound(Trigger, Some(&cursor)), Bound::AtOrBefore(at));
        assert_eq!(bound(Touch, None), Bound::All);
    }

    #[test]
    fn pages_walked_by_cursor_cover_everything_once() {
        use TimelineKind::*;
        let everything = vec![
            key(10, Touch, 4),
            key(9, Event, 1),
            key(9, ScoreEntry, 3),
            key(9, Trigger, 6),
            key(9, Trigger, 5),
            key(8, Event, 2),
        ];
        let mut seen = Vec::new();
        let mut cursor: Option<TimelineKey> = None;
        loop {
            // What the store would read per kind after the cursor.
            let lists: Vec<Vec<TimelineKey>> = TimelineKind::ALL
                .iter()
                .map(|kind| {
                    let b = bound(*kind, cursor.as_ref());
                    everything
                        .iter()
                        .filter(|k| k.kind == *kind)
                        .filter(|k| match b {
                            Bound::All => true,
                            Bound::Before(t) => k.at < t,
                            Bound::AtOrBefore(t) => k.at <= t,
                            Bound::BeforeId(t, id) => k.at < t || (k.at == t && k.id < id),
                        })
                        .copied()
                        .collect()
                })
                .collect();
            let (page, more) = merge(lists, 2, |k| *k);
            cursor = page.last().copied();
            seen.extend(page);
            if !more {
                break;
            }
        }
        assert_eq!(seen, everything);
    }
}
