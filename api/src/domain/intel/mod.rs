//! The lead intel package: seed 002's L.E.A.D. hand-off ("Lead Intel Package: all relevant
//! context compiled") and the marketing SLA's "behavioural data attached (pages, downloads)".
//! Every trigger about a lead carries one, composed when the trigger is written, so the rep
//! acts on it without another query and it shows what was true at that moment:
//!
//! - `why_now`: one sentence, the trigger's headline with the last scored event, the score and
//!   the fit;
//! - `last_events`: the lead's last [`LAST_EVENTS`] scored events (ledger entries grouped by
//!   event, behaviour and PQL points added), newest first;
//! - `fit_top`: the [`FIT_TOP`] heaviest fit lines the lead meets (criteria and personas), by
//!   weight then name;
//! - `score`: the engagement score when the trigger went out (decay counted), `fit_score` the
//!   fit;
//! - `suggested_play`: the play the moment fires for the lead (the highest priority among the
//!   active plays whose trigger fires), else the play the trigger is about, else a play the
//!   lead is running; `suggested_asset`: that play's first asset.
//!
//! [`timeline`] merges a lead's history for `Lead.timeline`.

pub mod timeline;

use chrono::{DateTime, Utc};
use entity::{AssetKind, FunnelStage, TriggerKind};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::domain::{
    fit::FitLine,
    scoring::{EntryKind, LedgerEntry},
};

/// How many scored events an intel package lists.
pub const LAST_EVENTS: usize = 3;
/// How many fit lines it lists.
pub const FIT_TOP: usize = 3;

/// What a trigger about a lead carries, as stored with the trigger (JSON, camelCase).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Intel {
    pub why_now: String,
    pub last_events: Vec<IntelEvent>,
    pub fit_top: Vec<IntelFit>,
    pub score: i32,
    pub fit_score: i32,
    pub suggested_play: Option<IntelPlay>,
    pub suggested_asset: Option<IntelAsset>,
}

/// One scored event: its type, when it happened and the points it earned (all rules).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IntelEvent {
    pub event_id: Uuid,
    pub event_type: String,
    pub occurred_at: DateTime<Utc>,
    pub points: i32,
}

/// A fit line the lead meets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IntelFit {
    pub criterion: String,
    pub weight: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IntelPlay {
    pub id: Uuid,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IntelAsset {
    pub id: Uuid,
    pub name: String,
    pub kind: AssetKind,
    pub funnel_stage: FunnelStage,
    pub url: Option<String>,
}

/// What is known of a lead at the moment, whatever the trigger: composed once per lead and
/// turned into each trigger's package with [`LeadIntel::for_trigger`].
#[derive(Debug, Clone, PartialEq)]
pub struct LeadIntel {
    pub last_events: Vec<IntelEvent>,
    pub fit_top: Vec<IntelFit>,
    pub score: i32,
    pub fit_score: i32,
    pub play: Option<IntelPlay>,
    pub asset: Option<IntelAsset>,
}

impl LeadIntel {
    /// The lead's facts: its ledger (any order), its stored fit breakdown, its score now and fit.
    pub fn new(
        ledger: &[LedgerEntry],
        fit_breakdown: Option<&Value>,
        score: i32,
        fit_score: i32,
    ) -> Self {
        LeadIntel {
            last_events: last_events(ledger),
            fit_top: fit_top(fit_breakdown),
            score,
            fit_score,
            play: None,
            asset: None,
        }
    }

    /// The package a trigger of `kind` carries.
    pub fn for_trigger(&self, kind: TriggerKind) -> Intel {
        Intel {
            why_now: why_now(kind, self.last_events.first(), self.score, self.fit_score),
            last_events: self.last_events.clone(),
            fit_top: self.fit_top.clone(),
            score: self.score,
            fit_score: self.fit_score,
            suggested_play: self.play.clone(),
            suggested_asset: self.asset.clone(),
        }
    }
}

/// The last [`LAST_EVENTS`] scored events of a ledger, newest first: entries of one event are
/// one line (their points added, PQL included); events of one moment keep the ledger's order,
/// the later entry first. A ledger as scoring may read it compacted (one entry per rule, kind
/// and sign, the nil event id, the latest time) gives one line per rule and time: the rule's
/// latest event with the points the rule earned in all.
pub fn last_events(ledger: &[LedgerEntry]) -> Vec<IntelEvent> {
    // An event's entries share its id; a compacted group's share the rule and latest time.
    let same = |a: &IntelEvent, e: &LedgerEntry| match e.event_id.is_nil() {
        false => a.event_id == e.event_id,
        true => a.event_id.is_nil() && a.occurred_at == e.occurred_at && a.event_type == e.rule,
    };
    let mut events: Vec<(usize, IntelEvent)> = Vec::new();
    for (i, entry) in ledger.iter().enumerate() {
        match events.iter_mut().find(|(_, e)| same(e, entry)) {
            Some((at, event)) => {
                event.points = event.points.saturating_add(entry.points);
                *at = (*at).max(i);
                if entry.kind == EntryKind::Behaviour {
                    event.event_type = entry.rule.clone();
                }
            }
            None => events.push((
                i,
                IntelEvent {
                    event_id: entry.event_id,
                    event_type: entry.rule.clone(),
                    occurred_at: entry.occurred_at,
                    points: entry.points,
                },
            )),
        }
    }
    events.sort_by(|a, b| {
        b.1.occurred_at
            .cmp(&a.1.occurred_at)
            .then_with(|| b.0.cmp(&a.0))
    });
    events
        .into_iter()
        .take(LAST_EVENTS)
        .map(|(_, e)| e)
        .collect()
}

/// The [`FIT_TOP`] heaviest lines the lead meets, from a stored breakdown (a list of
/// [`FitLine`]); lines with no positive weight say nothing in the lead's favour and are left out.
pub fn fit_top(breakdown: Option<&Value>) -> Vec<IntelFit> {
    let lines: Vec<FitLine> = breakdown
        .and_then(|b| serde_json::from_value(b.clone()).ok())
        .unwrap_or_default();
    let mut met: Vec<IntelFit> = lines
        .into_iter()
        .filter(|l| l.met && l.weight > 0)
        .map(|l| IntelFit {
            criterion: l.criterion,
            weight: l.weight,
        })
        .collect();
    met.sort_by(|a, b| {
        b.weight
            .cmp(&a.weight)
            .then_with(|| a.criterion.cmp(&b.criterion))
    });
    met.dedup_by(|a, b| a.criterion == b.criterion);
    met.truncate(FIT_TOP);
    met
}

/// The first words of a trigger's why-now.
pub fn headline(kind: TriggerKind) -> &'static str {
    match kind {
        TriggerKind::LeadAssigned => "New lead assigned to you",
        TriggerKind::HotLeadEngaged => "Hot lead, act now",
        TriggerKind::PlayStepDue => "A play step is due",
        TriggerKind::SlaWarning => "An SLA on this lead is about to run out",
        TriggerKind::SlaBreached => "An SLA on this lead ran out",
        TriggerKind::LeadRecycled => "The lead went back to marketing",
        TriggerKind::RejectionDisputed => "Marketing disputes the rejection of this lead",
        TriggerKind::DisputeResolved => "The dispute over this lead was resolved",
        TriggerKind::CheckBackDue => "The lead's check-back date came",
        TriggerKind::UnroutableLead => "No rep could take this MQL",
        TriggerKind::HotAccount => "The lead's account is in market",
        TriggerKind::CommitteeCovered => "The lead's buying committee is covered",
        TriggerKind::SourcePaused | TriggerKind::SourceAtRisk | TriggerKind::WebhookDisabled => {
            "Needs your attention"
        }
    }
}

/// One sentence: the headline, the last scored event and the score and fit, e.g. "New lead
/// assigned to you: demo_request (+50) at 2027-03-03 09:00 UTC; score 70, fit 45."
pub fn why_now(kind: TriggerKind, last: Option<&IntelEvent>, score: i32, fit: i32) -> String {
    let head = headline(kind);
    match last {
        Some(e) => format!(
            "{head}: {} ({:+}) at {}; score {score}, fit {fit}.",
            e.event_type,
            e.points,
            e.occurred_at.format("%Y-%m-%d %H:%M UTC"),
        ),
        None => format!("{head}: no scored activity yet; score {score}, fit {fit}."),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use serde_json::json;

    use super::*;

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 3, day, hour, 0, 0).unwrap()
    }

    fn entry(
        event: u128,
        rule: &str,
        kind: EntryKind,
        points: i32,
        when: DateTime<Utc>,
    ) -> LedgerEntry {
        LedgerEntry {
            event_id: Uuid::from_u128(event),
            rule: rule.to_owned(),
            kind,
            points,
            occurred_at: when,
        }
    }

    #[test]
    fn last_events_group_an_events_entries_and_keep_the_newest_three() {
        let ledger = vec![
            entry(1, "webinar_attended", EntryKind::Behaviour, 20, at(1, 9)),
            entry(2, "pricing_page_visit", EntryKind::Behaviour, 25, at(2, 9)),
            entry(3, "demo_request", EntryKind::Behaviour, 50, at(3, 9)),
            entry(3, "demo_request", EntryKind::Pql, 10, at(3, 9)),
            entry(4, "email_open", EntryKind::Behaviour, 2, at(2, 12)),
        ];
        let last = last_events(&ledger);
        let seen: Vec<(&str, i32)> = last
            .iter()
            .map(|e| (e.event_type.as_str(), e.points))
            .collect();
        // Mar 3 (50 + 10), Mar 2 12:00, Mar 2 09:00; Mar 1 falls off.
        assert_eq!(
            seen,
            vec![
                ("demo_request", 60),
                ("email_open", 2),
                ("pricing_page_visit", 25)
            ]
        );
        assert!(last_events(&[]).is_empty());
    }

    #[test]
    fn a_compacted_ledger_gives_one_line_per_rule_at_its_latest_time() {
        let nil = 0;
        let ledger = vec![
            // Visits summed (capped at 50) and their PQL line, the latest on Mar 2.
            entry(
                nil,
                "pricing_page_visit",
                EntryKind::Behaviour,
                50,
                at(2, 9),
            ),
            entry(nil, "pricing_page_visit", EntryKind::Pql, 10, at(2, 9)),
            entry(nil, "webinar_attended", EntryKind::Behaviour, 20, at(1, 9)),
            // This batch's event, not compacted.
            entry(9, "demo_request", EntryKind::Behaviour, 50, at(3, 9)),
        ];
        let seen: Vec<(String, i32)> = last_events(&ledger)
            .into_iter()
            .map(|e| (e.event_type, e.points))
            .collect();
        assert_eq!(
            seen,
            vec![
                ("demo_request".to_owned(), 50),
                ("pricing_page_visit".to_owned(), 60),
                ("webinar_attended".to_owned(), 20)
            ]
        );
    }

    #[test]
    fn events_of_one_moment_list_the_later_entry_first() {
        let ledger = vec![
            entry(1, "a", EntryKind::Behaviour, 1, at(1, 9)),
            entry(2, "b", EntryKind::Behaviour, 2, at(1, 9)),
        ];
        let kinds: Vec<String> = last_events(&ledger)
            .into_iter()
            .map(|e| e.event_type)
            .collect();
        assert_eq!(kinds, vec!["b", "a"]);
    }

    #[test]
    fn fit_top_keeps_the_heaviest_met_lines() {
        let breakdown = json!([
            {"criterion": "industry = SaaS", "weight": 15, "met": true},
            {"criterion": "employees 50-500", "weight": 20, "met": true},
            {"criterion": "region = EU", "weight": 30, "met": false},
            {"criterion": "VP Marketing", "weight": 25, "met": true, "personaRole": "TRIGGERS"},
            {"criterion": "Competitor", "weight": -50, "met": true},
            {"criterion": "geo", "weight": 10, "met": true}
        ]);
        let top = fit_top(Some(&breakdown));
        let names: Vec<(&str, i32)> = top
            .iter()
            .map(|f| (f.criterion.as_str(), f.weight))
            .collect();
        assert_eq!(
            names,
            vec![
                ("VP Marketing", 25),
                ("employees 50-500", 20),
                ("industry = SaaS", 15)
            ]
        );
        assert!(fit_top(None).is_empty());
        assert!(fit_top(Some(&json!({"not": "a list"}))).is_empty());
    }

    #[test]
    fn why_now_names_the_moment_the_last_event_and_the_scores() {
        let ledger = vec![entry(3, "demo_request", EntryKind::Behaviour, 50, at(3, 9))];
        let lead = LeadIntel::new(&ledger, None, 70, 45);
        let intel = lead.for_trigger(TriggerKind::LeadAssigned);
        assert_eq!(
            intel.why_now,
            "New lead assigned to you: demo_request (+50) at 2027-03-03 09:00 UTC; score 70, fit 45."
        );
        assert_eq!(intel.score, 70);
        assert_eq!(intel.fit_score, 45);
        let quiet = LeadIntel::new(&[], None, 0, 10).for_trigger(TriggerKind::SlaBreached);
        assert_eq!(
            quiet.why_now,
            "An SLA on this lead ran out: no scored activity yet; score 0, fit 10."
        );
    }

    #[test]
    fn the_package_round_trips_as_stored_json() {
        let mut lead = LeadIntel::new(
            &[entry(
                1,
                "webinar_attended",
                EntryKind::Behaviour,
                20,
                at(1, 9),
            )],
            None,
            20,
            0,
        );
        lead.play = Some(IntelPlay {
            id: Uuid::from_u128(7),
            name: "Demo follow-up".into(),
        });
        let intel = lead.for_trigger(TriggerKind::HotLeadEngaged);
        let stored = serde_json::to_value(&intel).unwrap();
        assert_eq!(stored["suggestedPlay"]["name"], "Demo follow-up");
        assert_eq!(stored["lastEvents"][0]["eventType"], "webinar_attended");
        let back: Intel = serde_json::from_value(stored).unwrap();
        assert_eq!(back, intel);
    }
}
