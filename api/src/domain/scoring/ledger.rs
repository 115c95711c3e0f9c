//! The score ledger: point entries keyed by the event that caused them, and the breakdown read
//! back from them at a given moment.
//!
//! Keying every entry by its event makes replays harmless (an event already in the ledger adds
//! nothing) and makes the score explainable (each line is a rule that fired). Decay is never
//! written to the ledger: it depends only on the time since the last engagement, so it is
//! computed exactly at read time and a lead read twice a week apart shows two honest scores.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{DecayStep, ScoreRule, ScoringModel, ICP_MATCH_SIGNAL};

/// Which score an entry counts towards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EntryKind {
    Behaviour,
    Pql,
}

/// Points one event earned under one rule.
///
/// An event that matches a positive rule whose cap (or single use) is spent still gets an entry,
/// worth 0: it is engagement (it holds off decay) and it shows in the rule's count. An event
/// matching a spent negative rule gets none, since it is not engagement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LedgerEntry {
    pub event_id: Uuid,
    /// The rule's event type.
    pub rule: String,
    pub kind: EntryKind,
    pub points: i32,
    pub occurred_at: DateTime<Utc>,
}

impl LedgerEntry {
    /// Whether this entry shows interest, and so restarts the decay clock.
    fn is_engagement(&self) -> bool {
        self.points >= 0
    }
}

/// The entries an event adds to a lead whose ledger is `existing`: at most one behaviour and one
/// PQL entry. An event already in the ledger adds nothing, so replays never count twice. An event
/// named like [`ICP_MATCH_SIGNAL`] earns no PQL points: Accord records that signal itself
/// ([`icp_match_entry`]), a partner app cannot claim it.
pub fn entries_for_event(
    model: &ScoringModel,
    event_id: Uuid,
    event_type: &str,
    occurred_at: DateTime<Utc>,
    existing: &[LedgerEntry],
) -> Vec<LedgerEntry> {
    if existing.iter().any(|e| e.event_id == event_id) {
        return Vec::new();
    }
    [
        (EntryKind::Behaviour, &model.behaviour),
        (EntryKind::Pql, &model.pql),
    ]
    .into_iter()
    .filter_map(|(kind, rules)| {
        let rule = rules.iter().find(|r| {
            r.event_type == event_type
                && !(kind == EntryKind::Pql && event_type == ICP_MATCH_SIGNAL)
        })?;
        let points = award(rule, kind, existing)?;
        Some(LedgerEntry {
            event_id,
            rule: rule.event_type.clone(),
            kind,
            points,
            occurred_at,
        })
    })
    .collect()
}

/// The PQL entry "company matches the ICP" ([`ICP_MATCH_SIGNAL`]) for a lead whose fit matches
/// its ICP ([`super::matches_icp`]), credited to `event_id` at `occurred_at`: the lead's latest
/// event of the batch that found the match, so the entry names a real event and does not move
/// the decay clock past the lead's own engagement. At most once per lead; none when the model
/// has no such rule.
pub fn icp_match_entry(
    model: &ScoringModel,
    event_id: Uuid,
    occurred_at: DateTime<Utc>,
    existing: &[LedgerEntry],
) -> Option<LedgerEntry> {
    let rule = model
        .pql
        .iter()
        .find(|r| r.event_type == ICP_MATCH_SIGNAL)?;
    if existing
        .iter()
        .any(|e| e.kind == EntryKind::Pql && e.rule == ICP_MATCH_SIGNAL)
    {
        return None;
    }
    let points = award(rule, EntryKind::Pql, existing)?;
    Some(LedgerEntry {
        event_id,
        rule: ICP_MATCH_SIGNAL.to_owned(),
        kind: EntryKind::Pql,
        points,
        occurred_at,
    })
}

/// What `rule` may still award given the lead's entries, or `None` for no entry at all.
fn award(rule: &ScoreRule, kind: EntryKind, existing: &[LedgerEntry]) -> Option<i32> {
    let (count, total) = existing
        .iter()
        .filter(|e| e.kind == kind && e.rule == rule.event_type)
        .fold((0u32, 0i64), |(n, sum), e| {
            (n + 1, sum + i64::from(e.points))
        });
    let mut magnitude = i64::from(rule.points).abs();
    if !rule.repeatable && count > 0 {
        magnitude = 0;
    }
    if let Some(cap) = rule.cap {
        magnitude = magnitude.min((i64::from(cap) - total.abs()).max(0));
    }
    if magnitude == 0 && rule.points < 0 {
        return None;
    }
    let points = i32::try_from(magnitude).unwrap_or(i32::MAX);
    Some(if rule.points < 0 { -points } else { points })
}

/// The ledger as scoring reads it: one entry per rule, kind and sign (interest or its opposite),
/// holding the group's points summed and its latest time, in the order the groups first fired.
/// Scoring a new event ([`entries_for_event`], [`icp_match_entry`]) and reading the score
/// ([`score_at`]: totals, decay, last engagement, which rules fired) give the same answers on
/// it as on the whole ledger; only the lines' event counts shrink to one. The store computes
/// the same groups in SQL, so a batch reads a few rows per lead, not its whole history.
/// Entries carry the nil event id: an event already recorded is never scored again anyway.
pub fn compact(entries: &[LedgerEntry]) -> Vec<LedgerEntry> {
    let mut groups: Vec<(DateTime<Utc>, LedgerEntry)> = Vec::new();
    for entry in entries {
        let engagement = entry.is_engagement();
        match groups.iter_mut().find(|(_, g)| {
            g.kind == entry.kind && g.rule == entry.rule && g.is_engagement() == engagement
        }) {
            Some((first, group)) => {
                group.points = group.points.saturating_add(entry.points);
                group.occurred_at = group.occurred_at.max(entry.occurred_at);
                *first = (*first).min(entry.occurred_at);
            }
            None => groups.push((
                entry.occurred_at,
                LedgerEntry {
                    event_id: Uuid::nil(),
                    ..entry.clone()
                },
            )),
        }
    }
    groups.sort_by_key(|(first, _)| *first);
    groups.into_iter().map(|(_, group)| group).collect()
}

/// One rule that fired for a lead: its points in total and how many events it counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScoreLine {
    pub rule: String,
    pub kind: EntryKind,
    pub points: i32,
    pub count: u32,
}

/// A lead's score at one moment and every rule behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScoreBreakdown {
    /// Sum of the behaviour entries, before decay.
    pub behaviour: i32,
    /// Sum of the PQL entries; PQL points do not decay.
    pub pql: i32,
    /// The decay in force (0 or negative).
    pub decay: i32,
    /// The step that decay comes from, to say "after 14 days without engagement".
    pub decay_step: Option<DecayStep>,
    /// The engagement score: behaviour plus decay, never below zero (decay takes away interest,
    /// it does not create disinterest).
    pub total: i32,
    pub last_engaged_at: Option<DateTime<Utc>>,
    /// Behaviour rules first, then PQL, each in the order they first fired.
    pub lines: Vec<ScoreLine>,
}

/// Reads the ledger back into a score with the decay exactly as it stands at `now`.
pub fn score_at(
    model: &ScoringModel,
    entries: &[LedgerEntry],
    now: DateTime<Utc>,
) -> ScoreBreakdown {
    let mut lines: Vec<ScoreLine> = Vec::new();
    let (mut behaviour, mut pql) = (0i32, 0i32);
    let mut last_engaged_at: Option<DateTime<Utc>> = None;
    for entry in entries {
        match entry.kind {
            EntryKind::Behaviour => behaviour = behaviour.saturating_add(entry.points),
            EntryKind::Pql => pql = pql.saturating_add(entry.points),
        }
        if entry.is_engagement() {
            last_engaged_at = last_engaged_at.max(Some(entry.occurred_at));
        }
        match lines
            .iter_mut()
            .find(|l| l.kind == entry.kind && l.rule == entry.rule)
        {
            Some(line) => {
                line.points = line.points.saturating_add(entry.points);
                line.count += 1;
            }
            None => lines.push(ScoreLine {
                rule: entry.rule.clone(),
                kind: entry.kind,
                points: entry.points,
                count: 1,
            }),
        }
    }
    // Stable: keeps first-fired order inside each kind.
    lines.sort_by_key(|l| l.kind == EntryKind::Pql);
    let decay_step = decay_step(model, last_engaged_at, now);
    let decay = decay_step.map_or(0, |s| s.points);
    ScoreBreakdown {
        behaviour,
        pql,
        decay,
        decay_step,
        total: behaviour.saturating_add(decay).max(0),
        last_engaged_at,
        lines,
    }
}

/// Whole days from `since` to `now` (24-hour periods, so "7 days" means a full week), zero if
/// `since` lies ahead, as it may for an event stamped by a fast client clock.
fn days_since(since: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    (now - since).num_days().max(0)
}

fn decay_step(
    model: &ScoringModel,
    last_engaged_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Option<DecayStep> {
    let days = days_since(last_engaged_at?, now);
    model
        .decay
        .iter()
        .filter(|s| i64::from(s.after_days) <= days)
        .max_by_key(|s| s.after_days)
        .copied()
}

/// The decay in force at `now`: the step with the most days that have passed (steps do not add
/// up), or 0 for a lead that never engaged.
pub fn decay_at(
    model: &ScoringModel,
    last_engaged_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> i32 {
    decay_step(model, last_engaged_at, now).map_or(0, |s| s.points)
}

/// Whether a lead last engaged at `last_engaged_at` is due back in nurture at `now`. A lead
/// that never engaged has no clock: pass its creation time if it should have one.
pub fn due_for_nurture(
    model: &ScoringModel,
    last_engaged_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> bool {
    match last_engaged_at {
        Some(at) if model.nurture_after_days > 0 => {
            days_since(at, now) >= i64::from(model.nurture_after_days)
        }
        _ => false,
    }
}

/// The next moment after `now` when the score changes by itself (a decay step starts) or the
/// lead falls due for nurture: when background work should look at the lead again, since a
/// decay step can take it back under a threshold.
pub fn next_change_at(
    model: &ScoringModel,
    last_engaged_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let since = last_engaged_at?;
    let nurture = (model.nurture_after_days > 0).then_some(model.nurture_after_days);
    model
        .decay
        .iter()
        .map(|s| s.after_days)
        .chain(nurture)
        .map(|days| since + Duration::days(i64::from(days)))
        .filter(|at| *at > now)
        .min()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::super::ICP_MATCH_SIGNAL;
    use super::*;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 14, 0, 0).unwrap()
    }

    /// Feeds events through `entries_for_event` like ingestion does, ids 1, 2, ...
    fn ledger(model: &ScoringModel, events: &[(&str, i64)]) -> Vec<LedgerEntry> {
        let mut entries = Vec::new();
        for (i, (event_type, minutes)) in events.iter().enumerate() {
            let id = Uuid::from_u128(i as u128 + 1);
            let at = t0() + Duration::minutes(*minutes);
            let new = entries_for_event(model, id, event_type, at, &entries);
            entries.extend(new);
        }
        entries
    }

    fn line<'a>(b: &'a ScoreBreakdown, rule: &str, kind: EntryKind) -> &'a ScoreLine {
        b.lines
            .iter()
            .find(|l| l.rule == rule && l.kind == kind)
            .unwrap()
    }

    #[test]
    fn seed_scenario_pricing_then_demo() {
        let model = ScoringModel::seed();
        let entries = ledger(&model, &[("pricing_page_visit", 0), ("demo_request", 3)]);
        let score = score_at(&model, &entries, t0() + Duration::minutes(5));
        assert_eq!(score.behaviour, 75);
        assert_eq!(score.total, 75);
        assert_eq!(score.decay, 0);
        // The pricing visit is also a PQL signal; the demo request is not.
        assert_eq!(score.pql, 10);
        assert_eq!(score.last_engaged_at, Some(t0() + Duration::minutes(3)));
        let rules: Vec<_> = score
            .lines
            .iter()
            .map(|l| (l.rule.as_str(), l.kind, l.points))
            .collect();
        assert_eq!(
            rules,
            [
                ("pricing_page_visit", EntryKind::Behaviour, 25),
                ("demo_request", EntryKind::Behaviour, 50),
                ("pricing_page_visit", EntryKind::Pql, 10),
            ]
        );
    }

    #[test]
    fn caps_award_only_what_is_left() {
        let mut model = ScoringModel::seed();
        let opens: Vec<_> = (0..14).map(|i| ("email_open", i)).collect();
        let entries = ledger(&model, &opens);
        let score = score_at(&model, &entries, t0());
        let opens = line(&score, "email_open", EntryKind::Behaviour);
        assert_eq!((opens.points, opens.count), (20, 14));
        assert_eq!(score.total, 20);

        // A cap that is not a multiple of the points awards the remainder, then zeros.
        model.behaviour[3].cap = Some(40); // case_study_download, +15
        let entries = ledger(&model, &[("case_study_download", 0); 4]);
        let points: Vec<_> = entries.iter().map(|e| e.points).collect();
        assert_eq!(points, [15, 15, 10, 0]);
    }

    #[test]
    fn non_repeatable_rules_count_once() {
        let model = ScoringModel::seed();
        let entries = ledger(
            &model,
            &[
                ("demo_request", 0),
                ("demo_request", 10),
                ("unsubscribe", 20),
                ("unsubscribe", 30),
            ],
        );
        let score = score_at(&model, &entries, t0() + Duration::hours(1));
        let demo = line(&score, "demo_request", EntryKind::Behaviour);
        assert_eq!((demo.points, demo.count), (50, 2));
        // The second unsubscribe earns no entry at all.
        let unsub = line(&score, "unsubscribe", EntryKind::Behaviour);
        assert_eq!((unsub.points, unsub.count), (-25, 1));
        assert_eq!(score.total, 25);
        // A capped-out hand-raise still counts as engagement; an unsubscribe never does.
        assert_eq!(score.last_engaged_at, Some(t0() + Duration::minutes(10)));
    }

    #[test]
    fn a_negative_rule_is_capped_by_magnitude() {
        let mut model = ScoringModel::seed();
        model.behaviour.push(ScoreRule {
            event_type: "email_bounce".into(),
            points: -10,
            cap: Some(15),
            repeatable: true,
        });
        let entries = ledger(
            &model,
            &[
                ("session", 0),
                ("email_bounce", 1),
                ("email_bounce", 2),
                ("email_bounce", 3),
            ],
        );
        let points: Vec<_> = entries.iter().map(|e| e.points).collect();
        assert_eq!(points, [10, -10, -5]);
        assert_eq!(score_at(&model, &entries, t0()).total, 0);
    }

    #[test]
    fn replays_add_nothing() {
        let model = ScoringModel::seed();
        let entries = ledger(&model, &[("pricing_page_visit", 0)]);
        assert_eq!(entries.len(), 2);
        for e in &entries {
            assert!(
                entries_for_event(&model, e.event_id, "pricing_page_visit", t0(), &entries)
                    .is_empty()
            );
            // Even replayed under another type: the event id is the key.
            assert!(entries_for_event(&model, e.event_id, "session", t0(), &entries).is_empty());
        }
        let unknown = entries_for_event(&model, Uuid::from_u128(99), "page_view", t0(), &entries);
        assert!(unknown.is_empty());
    }

    #[test]
    fn pql_signals_score_once_and_do_not_decay() {
        let model = ScoringModel::seed();
        let entries = ledger(
            &model,
            &[
                ("invited_3_teammates", 0),
                ("used_core_feature_10_times", 1),
                ("enabled_first_integration", 2),
                ("hit_80_percent_of_free_tier", 3),
                // A partner app cannot send the ICP match: Accord records it.
                (ICP_MATCH_SIGNAL, 4),
            ],
        );
        assert_eq!(score_at(&model, &entries, t0()).pql, 95);
        let mut entries = entries;
        let last = entries.last().unwrap().clone();
        let icp = icp_match_entry(&model, last.event_id, last.occurred_at, &entries).unwrap();
        assert_eq!(
            (icp.rule.as_str(), icp.kind, icp.points),
            (ICP_MATCH_SIGNAL, EntryKind::Pql, 10)
        );
        entries.push(icp);
        // Once per lead.
        assert_eq!(icp_match_entry(&model, last.event_id, t0(), &entries), None);
        let mut without = model.clone();
        without.pql.retain(|r| r.event_type != ICP_MATCH_SIGNAL);
        assert_eq!(icp_match_entry(&without, last.event_id, t0(), &[]), None);
        let score = score_at(&model, &entries, t0() + Duration::days(45));
        assert_eq!(score.pql, 105);
        assert_eq!(score.behaviour, 0);
        assert_eq!(score.decay, -20);
        assert_eq!(score.total, 0);
        assert!(score.lines.iter().all(|l| l.kind == EntryKind::Pql));
    }

    #[test]
    fn decay_follows_the_schedule() {
        let model = ScoringModel::seed();
        let entries = ledger(&model, &[("pricing_page_visit", 0), ("demo_request", 0)]);
        let engaged = t0();
        for (days, decay) in [
            (0, 0),
            (6, 0),
            (7, -5),
            (13, -5),
            (14, -10),
            (29, -10),
            (30, -20),
            (59, -20),
            (60, -20),
            (400, -20),
        ] {
            let now = engaged + Duration::days(days);
            let score = score_at(&model, &entries, now);
            assert_eq!(score.decay, decay, "after {days} days");
            assert_eq!(score.total, 75 + decay, "after {days} days");
            assert_eq!(decay_at(&model, Some(engaged), now), decay);
            assert_eq!(
                due_for_nurture(&model, Some(engaged), now),
                days >= 60,
                "after {days} days"
            );
        }
        // Exactly at read time: a second short of seven days is still six.
        let almost = engaged + Duration::days(7) - Duration::seconds(1);
        assert_eq!(score_at(&model, &entries, almost).decay, 0);
        assert_eq!(score_at(&model, &entries, almost).decay_step, None);
        let week = score_at(&model, &entries, engaged + Duration::days(7));
        assert_eq!(
            week.decay_step,
            Some(DecayStep {
                after_days: 7,
                points: -5
            })
        );
    }

    #[test]
    fn decay_is_not_cumulative_and_steps_may_come_unordered() {
        let mut model = ScoringModel::seed();
        model.decay.reverse();
        let entries = ledger(&model, &[("session", 0)]);
        let score = score_at(&model, &entries, t0() + Duration::days(31));
        // Not -5 - 10 - 20: only the 30-day step, floored at zero.
        assert_eq!((score.decay, score.total), (-20, 0));
        let score = score_at(&model, &entries, t0() + Duration::days(15));
        assert_eq!((score.decay, score.total), (-10, 0));
    }

    #[test]
    fn new_engagement_restarts_the_clock_but_negatives_do_not() {
        let model = ScoringModel::seed();
        let entries = ledger(
            &model,
            &[("pricing_page_visit", 0), ("unsubscribe", 60 * 24 * 10)],
        );
        let score = score_at(&model, &entries, t0() + Duration::days(14));
        assert_eq!(score.last_engaged_at, Some(t0()));
        assert_eq!((score.decay, score.total), (-10, 0));

        let entries = ledger(
            &model,
            &[("pricing_page_visit", 0), ("session", 60 * 24 * 10)],
        );
        let score = score_at(&model, &entries, t0() + Duration::days(14));
        assert_eq!((score.decay, score.total), (0, 35));
        // Events may arrive out of order: the latest engagement counts, not the last ingested.
        let entries = ledger(
            &model,
            &[("session", 60 * 24 * 10), ("pricing_page_visit", 0)],
        );
        assert_eq!(
            score_at(&model, &entries, t0()).last_engaged_at,
            Some(t0() + Duration::days(10))
        );
    }

    #[test]
    fn no_engagement_means_no_decay_and_no_nurture_clock() {
        let model = ScoringModel::seed();
        let empty = score_at(&model, &[], t0());
        assert_eq!(
            (empty.total, empty.decay, empty.last_engaged_at),
            (0, 0, None)
        );
        assert!(empty.lines.is_empty());
        assert!(!due_for_nurture(&model, None, t0()));
        let mut off = model.clone();
        off.nurture_after_days = 0;
        assert!(!due_for_nurture(
            &off,
            Some(t0()),
            t0() + Duration::days(365)
        ));
        // An event from a client clock running ahead does not count as negative days.
        assert_eq!(decay_at(&model, Some(t0() + Duration::days(3)), t0()), 0);
    }

    #[test]
    fn next_change_points_at_the_next_step_then_nurture() {
        let model = ScoringModel::seed();
        let at = |d: i64| t0() + Duration::days(d);
        assert_eq!(next_change_at(&model, Some(t0()), t0()), Some(at(7)));
        assert_eq!(next_change_at(&model, Some(t0()), at(7)), Some(at(14)));
        assert_eq!(next_change_at(&model, Some(t0()), at(20)), Some(at(30)));
        assert_eq!(next_change_at(&model, Some(t0()), at(30)), Some(at(60)));
        assert_eq!(next_change_at(&model, Some(t0()), at(60)), None);
        assert_eq!(next_change_at(&model, None, t0()), None);
    }

    #[test]
    fn entries_are_stored_as_camel_case_json() {
        let model = ScoringModel::seed();
        let entries = ledger(&model, &[("invited_3_teammates", 0)]);
        let json = serde_json::to_value(&entries[0]).unwrap();
        assert_eq!(json["kind"], "PQL");
        assert_eq!(json["eventId"], Uuid::from_u128(1).to_string());
        assert_eq!(json["occurredAt"], "2026-03-02T14:00:00Z");
        let back: LedgerEntry = serde_json::from_value(json).unwrap();
        assert_eq!(back, entries[0]);
    }
    #[test]
    fn the_compact_ledger_scores_like_the_whole_one() {
        let model = ScoringModel::seed();
        let mut whole = ledger(
            &model,
            &[
                ("email_open", 40),
                ("session", 30),
                ("email_open", 29),
                ("pricing_page_visit", 20),
                ("pricing_page_visit", 12),
                ("session", 12),
                ("unsubscribe", 11),
                ("demo_request", 10),
                ("email_open", 9),
            ],
        );
        whole.sort_by_key(|e| e.occurred_at);
        let small = compact(&whole);
        assert!(small.len() < whole.len());
        let now = t0() + Duration::days(3);
        let (a, b) = (score_at(&model, &whole, now), score_at(&model, &small, now));
        assert_eq!((a.behaviour, a.pql, a.total), (b.behaviour, b.pql, b.total));
        assert_eq!((a.decay, a.last_engaged_at), (b.decay, b.last_engaged_at));
        let rules = |s: &ScoreBreakdown| -> Vec<(String, EntryKind, i32)> {
            s.lines
                .iter()
                .map(|l| (l.rule.clone(), l.kind, l.points))
                .collect()
        };
        assert_eq!(rules(&a), rules(&b));
        for event_type in [
            "email_open",
            "pricing_page_visit",
            "demo_request",
            "unsubscribe",
        ] {
            let id = Uuid::now_v7();
            let at = t0() + Duration::days(2);
            let from_whole: Vec<i32> = entries_for_event(&model, id, event_type, at, &whole)
                .iter()
                .map(|e| e.points)
                .collect();
            let from_small: Vec<i32> = entries_for_event(&model, id, event_type, at, &small)
                .iter()
                .map(|e| e.points)
                .collect();
            assert_eq!(from_whole, from_small, "{event_type}");
        }
    }
}
