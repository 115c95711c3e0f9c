//! Each act of the story, done through the API as the person who would do it, and the acts it
//! leads to (a rep answers an MQL, touches it, qualifies it; a deal moves and closes).

use chrono::{Datelike, Duration, NaiveDate};
use rand::{seq::IndexedRandom, RngExt as _};
use serde_json::{json, Value};

use super::{
    journeys::{working_days_after, working_time, PlannedEvent},
    Act, LeadInfo, Story,
};
use crate::demo::{
    cast,
    client::Member,
    setup::{text, SPEND},
    DemoError,
};

const LOW_FIT_REASONS: [(&str, u32); 4] = [
    ("WRONG_SEGMENT", 40),
    ("BAD_CONTACT_DATA", 25),
    ("NO_BUDGET", 20),
    ("DUPLICATE", 15),
];
const GOOD_FIT_REASONS: [(&str, u32); 4] = [
    ("BAD_TIMING", 35),
    ("NO_BUYING_TRIGGER", 30),
    ("COMPETITOR_LOCK_IN", 20),
    ("NO_BUDGET", 15),
];
const OPEN_STAGES: [&str; 3] = ["QUALIFICATION", "PROPOSAL", "NEGOTIATION"];
/// Why the story's deals are lost, in turn, and to whom: two of three go to Rivalsoft.
const LOST: [(&str, Option<&str>); 3] = [
    ("Went with a competitor", Some("Rivalsoft")),
    ("No budget", None),
    ("Went with a competitor", Some("Rivalsoft")),
];
const NEW_MQLS: &str = "{ leads(filter: {stage: [MQL]}, orderBy: {field: UPDATED_AT, direction: DESC}, first: 100) { nodes { id mqlKind assignedAt fitScore owner { id } account { name segment } source { name } } } }";

impl Story<'_> {
    pub(super) async fn ingest(&mut self, batch: Vec<PlannedEvent>) -> Result<(), DemoError> {
        let events: Vec<Value> = batch
            .iter()
            .map(|e| {
                self.next += 1;
                json!({
                    "idempotencyKey": format!("demo-{}", self.next),
                    "type": e.event_type,
                    "occurredAt": e.at,
                    "contact": e.contact,
                    "source": e.source,
                    "campaignId": e.campaign.map(|c| self.catalog.campaigns[c].clone()),
                    "assetId": e.campaign.map(|c| self.catalog.assets[c].clone()),
                    "properties": e.properties,
                })
            })
            .collect();
        let done = self
            .api
            .run(
                self.team.owner(),
                "mutation($e: [EventInput!]!) { ingestEvents(events: $e) { results { status error { message field } } } }",
                json!({ "e": events }),
            )
            .await?;
        for result in done["ingestEvents"]["results"]
            .as_array()
            .into_iter()
            .flatten()
        {
            if !result["error"].is_null() {
                return Err(DemoError::Refused {
                    operation: "ingestEvents".to_owned(),
                    code: "BAD_USER_INPUT".to_owned(),
                    message: result["error"].to_string(),
                });
            }
        }
        self.counts.events += events.len() as u32;
        self.answer_new_mqls().await
    }

    /// Plans when each new MQL's rep answers: hot leads mostly within the five-minute SLA, warm
    /// ones mostly within hours, a few too late.
    async fn answer_new_mqls(&mut self) -> Result<(), DemoError> {
        let found = self.api.run(self.team.owner(), NEW_MQLS, json!({})).await?;
        let mut fresh: Vec<LeadInfo> = Vec::new();
        for node in found["leads"]["nodes"].as_array().into_iter().flatten() {
            let id = text(&node["id"]);
            let Ok(owner) = text(&node["owner"]["id"]).parse() else {
                continue;
            };
            // A lead that qualifies again is a new hand-over to answer.
            if !self.seen.insert(format!("{id}@{}", node["assignedAt"])) {
                continue;
            }
            fresh.push(LeadInfo {
                id,
                owner,
                hot: node["mqlKind"] == "HOT",
                fit: node["fitScore"].as_i64().unwrap_or_default(),
                segment: text(&node["account"]["segment"]),
                company: text(&node["account"]["name"]),
                source: text(&node["source"]["name"]),
            });
        }
        fresh.sort_by(|a, b| a.id.cmp(&b.id));
        let now = self.now();
        for lead in fresh {
            self.counts.mqls += 1;
            let on_time = self.rng.random_bool(if lead.hot { 0.65 } else { 0.8 });
            let minutes = match (lead.hot, on_time) {
                (true, true) => self.rng.random_range(1..5),
                (true, false) => self.rng.random_range(6..180),
                (false, true) => self.rng.random_range(10..200),
                (false, false) => self.rng.random_range(300..1_800),
            };
            if self.rng.random_bool(0.04) {
                continue; // never answered: the SLA breaches and escalates
            }
            self.plan(now + Duration::minutes(minutes), Act::Respond(lead));
        }
        Ok(())
    }

    pub(super) async fn act(&mut self, act: Act) -> Result<(), DemoError> {
        match act {
            Act::Event(event) => self.ingest(vec![event]).await,
            Act::Respond(lead) => self.respond(lead).await,
            Act::Touch {
                lead,
                outcome,
                asset,
            } => self.touch(&lead, outcome, asset).await,
            Act::Qualify(lead) => self.qualify(lead).await,
            Act::Convert(lead) => self.convert(lead).await,
            Act::Disqualify(lead) => {
                self.as_rep(
                    lead.owner,
                    "mutation($id: ID!) { recycleLead(id: $id, tag: FUTURE) { id } }",
                    json!({"id": lead.id}),
                )
                .await
            }
            Act::Advance { deal, owner, stage } => {
                self.as_rep(
                    owner,
                    "mutation($id: ID!, $stage: OpportunityStage!) { updateOpportunity(id: $id, input: {stage: $stage}) { id } }",
                    json!({"id": deal, "stage": stage}),
                )
                .await
            }
            Act::Close { deal, lead, won } => self.close(deal, lead, won).await,
            Act::Dispute { lead, rejection } => self.dispute(lead, rejection).await,
            Act::Resolve {
                lead,
                rejection,
                upheld,
            } => {
                // Upholding the dispute reinstates the lead, which needs it still out of the
                // funnel; one that came back by itself leaves the dispute overruled.
                let out = matches!(self.stage_of(&lead).await?.as_str(), "NURTURE" | "DISQUALIFIED");
                self.api
                    .run(
                        self.team.cro(),
                        "mutation($id: ID!, $up: Boolean!) { resolveDispute(id: $id, upheld: $up) { id } }",
                        json!({"id": rejection, "up": upheld && out}),
                    )
                    .await
                    .map(drop)
            }
            Act::Jobs => {
                crate::jobs::run_due(self.api.state()).await?;
                Ok(())
            }
            Act::Spend { month } => self.spend(month).await,
            Act::Review {
                week_of,
                publish_after,
            } => self.review(week_of, publish_after).await,
            Act::Publish { review } => {
                self.api
                    .run(
                        self.team.owner(),
                        "mutation($id: ID!) { publishDecisionLog(reviewId: $id) { id } }",
                        json!({ "id": review }),
                    )
                    .await
                    .map(drop)
            }
            Act::CompleteAction { item, owner } => {
                self.as_rep(
                    owner,
                    "mutation($id: ID!) { completeActionItem(id: $id) { id } }",
                    json!({ "id": item }),
                )
                .await
            }
            Act::MessagingTest => self.messaging_test().await,
            Act::Goals => self.goals().await,
        }
    }

    async fn as_rep(
        &self,
        user: uuid::Uuid,
        document: &str,
        variables: Value,
    ) -> Result<(), DemoError> {
        let member = self.member(user)?;
        self.api.run(member, document, variables).await.map(drop)
    }

    fn member(&self, user: uuid::Uuid) -> Result<&Member, DemoError> {
        self.team.member(user).ok_or_else(|| DemoError::Refused {
            operation: "team".to_owned(),
            code: "NOT_FOUND".to_owned(),
            message: format!("{user} is not on the demo team"),
        })
    }

    /// Accept and touch, or reject with a reason; an accepted lead then progresses, stalls or
    /// is disqualified for now.
    async fn respond(&mut self, lead: LeadInfo) -> Result<(), DemoError> {
        let quality = crate::demo::setup::SOURCES
            .iter()
            .find(|s| s.0 == lead.source)
            .map_or(0.5, |s| s.2);
        let low_fit = lead.fit < 40;
        // Most sources stay under the contract's 20% rejection rule; syndication does not, and
        // the monthly source rule pauses it.
        let reject = (1.0 - quality) * 0.22 + if low_fit { 0.08 } else { 0.0 };
        if self.rng.random_bool(reject.min(0.9)) {
            return self.reject(lead, low_fit).await;
        }
        self.as_rep(
            lead.owner,
            "mutation($id: ID!) { acceptLead(id: $id) { id } }",
            json!({"id": lead.id}),
        )
        .await?;
        self.counts.accepted += 1;
        let now = self.now();
        let first = if self.rng.random_bool(0.4) {
            "CONNECTED"
        } else {
            "NO_ANSWER"
        };
        let first_touch = now + Duration::minutes(self.rng.random_range(1..8));
        self.plan(
            first_touch,
            Act::Touch {
                lead: lead.clone(),
                outcome: first,
                asset: None,
            },
        );
        let progress = if low_fit { 0.3 } else { 0.55 };
        let today = now.date_naive();
        let roll: f64 = self.rng.random();
        if roll < progress {
            let reply_day = working_days_after(today, self.rng.random_range(1..5));
            let outcome = if self.rng.random_bool(0.5) {
                "MEETING_BOOKED"
            } else {
                "REPLIED"
            };
            let at = working_time(&mut self.rng, reply_day);
            self.plan(
                at,
                Act::Touch {
                    lead: lead.clone(),
                    outcome,
                    asset: None,
                },
            );
            let qualify_day = working_days_after(reply_day, self.rng.random_range(1..4));
            let at = working_time(&mut self.rng, qualify_day);
            self.plan(at, Act::Qualify(lead));
        } else {
            let touches = self.rng.random_range(2..5);
            let mut day = today;
            for _ in 0..touches {
                day = working_days_after(day, self.rng.random_range(1..4));
                let outcome = *["NO_ANSWER", "SENT", "SENT", "CONNECTED"]
                    .choose(&mut self.rng)
                    .expect("outcomes");
                let at = working_time(&mut self.rng, day);
                // A stalled lead's rep falls back on the comparison sheet: the story's asset
                // that is used and earns nothing (no reply, meeting or advance follows it).
                self.plan(
                    at,
                    Act::Touch {
                        lead: lead.clone(),
                        outcome,
                        asset: Some("comparison"),
                    },
                );
            }
            if roll > 0.85 {
                let at = working_time(&mut self.rng, working_days_after(day, 2));
                self.plan(at, Act::Disqualify(lead));
            }
        }
        Ok(())
    }

    async fn reject(&mut self, lead: LeadInfo, low_fit: bool) -> Result<(), DemoError> {
        let reasons: &[(&str, u32)] = if low_fit {
            &LOW_FIT_REASONS
        } else {
            &GOOD_FIT_REASONS
        };
        let reason = cast::weighted(&mut self.rng, reasons);
        let note = format!(
            "{} at {}",
            reason.to_lowercase().replace('_', " "),
            lead.company
        );
        self.as_rep(
            lead.owner,
            "mutation($id: ID!, $r: RejectionReason!, $n: String) { rejectLead(id: $id, reason: $r, note: $n) { id } }",
            json!({"id": lead.id, "r": reason, "n": note}),
        )
        .await?;
        self.counts.rejected += 1;
        if self.rng.random_bool(0.25) {
            let newest = self
                .api
                .run(
                    self.team.owner(),
                    "{ rejections(first: 1) { nodes { id } } }",
                    json!({}),
                )
                .await?;
            let rejection = text(&newest["rejections"]["nodes"][0]["id"]);
            let day = working_days_after(self.now().date_naive(), 1);
            let at = working_time(&mut self.rng, day);
            self.plan(at, Act::Dispute { lead, rejection });
        }
        Ok(())
    }

    async fn dispute(&mut self, lead: LeadInfo, rejection: String) -> Result<(), DemoError> {
        let marketer = self
            .team
            .with_role(entity::Role::Marketer)
            .nth(self.rng.random_range(0..9))
            .unwrap_or(self.team.cmo());
        self.api
            .run(
                marketer,
                "mutation($id: ID!, $n: String!) { disputeRejection(id: $id, note: $n) { id } }",
                json!({"id": rejection, "n": "Fits the ICP and asked for a demo: worth a second look"}),
            )
            .await?;
        self.counts.disputes += 1;
        let day = working_days_after(self.now().date_naive(), self.rng.random_range(1..3));
        let upheld = self.rng.random_bool(0.5);
        let at = working_time(&mut self.rng, day);
        self.plan(
            at,
            Act::Resolve {
                lead,
                rejection,
                upheld,
            },
        );
        Ok(())
    }

    /// Logs a touch, carrying out the rep's open cadence task for the lead when there is one,
    /// with the task's asset unless the rep sends `asset` of the catalog.
    async fn touch(
        &mut self,
        lead: &LeadInfo,
        outcome: &'static str,
        asset: Option<&'static str>,
    ) -> Result<(), DemoError> {
        let rep = self.member(lead.owner)?.clone();
        let tasks = self
            .api
            .run(
                &rep,
                "query($l: ID!) { myTasks(filter: {leadId: $l}, first: 1) { nodes { id channel asset { id } } } }",
                json!({"l": lead.id}),
            )
            .await?;
        let task = &tasks["myTasks"]["nodes"][0];
        let channel = task["channel"].as_str().unwrap_or("CALL");
        let asset = match asset {
            Some(key) => json!(self.catalog.assets[key]),
            None => task["asset"]["id"].clone(),
        };
        let input = json!({"leadId": lead.id, "channel": channel, "outcome": outcome,
                           "taskId": task["id"], "assetId": asset});
        self.api
            .run(
                &rep,
                "mutation($input: LogTouchInput!) { logTouch(input: $input) { touch { id } } }",
                json!({ "input": input }),
            )
            .await?;
        self.counts.touches += 1;
        Ok(())
    }

    async fn qualify(&mut self, lead: LeadInfo) -> Result<(), DemoError> {
        let bant = json!({"budget": "Approved for this half", "authority": "VP signs; CFO reviews",
                          "need": "Forecasts built by hand every week", "timing": "This quarter"});
        match self.stage_of(&lead).await?.as_str() {
            "SAL" => {
                self.as_rep(
                    lead.owner,
                    "mutation($id: ID!, $b: BantInput!) { qualifyLead(id: $id, bant: $b) { id } }",
                    json!({"id": lead.id, "b": bant}),
                )
                .await?
            }
            // A reply on a play's cadence already moved the lead to SQL.
            "SQL" => {}
            _ => return Ok(()),
        }
        if self.rng.random_bool(0.75) {
            let day = working_days_after(self.now().date_naive(), self.rng.random_range(1..5));
            let at = working_time(&mut self.rng, day);
            self.plan(at, Act::Convert(lead));
        }
        Ok(())
    }

    async fn stage_of(&self, lead: &LeadInfo) -> Result<String, DemoError> {
        Ok(text(&self.standing(lead).await?["stage"]))
    }

    /// The lead's stage and account, as its owner sees them.
    async fn standing(&self, lead: &LeadInfo) -> Result<Value, DemoError> {
        let found = self
            .api
            .run(
                self.team.owner(),
                "query($id: ID!) { lead(id: $id) { stage account { id } } }",
                json!({"id": lead.id}),
            )
            .await?;
        Ok(found["lead"].clone())
    }

    async fn convert(&mut self, lead: LeadInfo) -> Result<(), DemoError> {
        let standing = self.standing(&lead).await?;
        // A deal opens on an account: a lead from a personal email has none, so its rep keeps
        // working it as an SQL (which day the story reaches one depends on the calendar).
        if text(&standing["stage"]) != "SQL" || standing["account"].is_null() {
            return Ok(());
        }
        let amount = match lead.segment.as_str() {
            cast::ENTERPRISE => self.rng.random_range(80..300) * 1_000,
            cast::MID_MARKET => self.rng.random_range(25..80) * 1_000,
            _ => self.rng.random_range(8..25) * 1_000,
        };
        let today = self.now().date_naive();
        let close = today + Duration::days(self.rng.random_range(30..75));
        let company = if lead.company.is_empty() {
            "Self-serve team"
        } else {
            &lead.company
        };
        let input = json!({"name": format!("{company}: Lumen platform"), "amount": amount,
                           "closeDate": close});
        let rep = self.member(lead.owner)?.clone();
        let made = self
            .api
            .run(
                &rep,
                "mutation($id: ID!, $input: ConvertLeadInput!) { convertLead(id: $id, input: $input) { id } }",
                json!({"id": lead.id, "input": input}),
            )
            .await?;
        self.counts.opportunities += 1;
        let deal = text(&made["convertLead"]["id"]);
        let mut day = today;
        let fate: f64 = self.rng.random();
        let reached = match fate {
            f if f < 0.4 => 3,
            f if f < 0.75 => self.rng.random_range(1..3),
            _ => self.rng.random_range(0..3),
        };
        let stages = &OPEN_STAGES[..reached];
        for stage in stages {
            day = working_days_after(day, self.rng.random_range(3..10));
            let at = working_time(&mut self.rng, day);
            self.plan(
                at,
                Act::Advance {
                    deal: deal.clone(),
                    owner: lead.owner,
                    stage,
                },
            );
        }
        if fate < 0.75 {
            day = working_days_after(day, self.rng.random_range(4..15));
            let at = working_time(&mut self.rng, day);
            self.plan(
                at,
                Act::Close {
                    deal,
                    lead,
                    won: fate < 0.4,
                },
            );
        }
        Ok(())
    }

    /// Closes the deal; half the lost ones get the win-back play's first email a week later.
    /// Lost deals take turns through the reasons (a pattern for `winLoss`: most go to one
    /// competitor), without drawing from the random stream the rest of the story follows.
    async fn close(&mut self, deal: String, lead: LeadInfo, won: bool) -> Result<(), DemoError> {
        let (reason, competitor) = if won {
            ("Chose Lumen", None)
        } else {
            LOST[self.counts.lost as usize % LOST.len()]
        };
        self.as_rep(
            lead.owner,
            "mutation($id: ID!, $won: Boolean!, $r: String, $c: String) { closeOpportunity(id: $id, won: $won, reason: $r, competitor: $c) { id } }",
            json!({"id": deal, "won": won, "r": reason, "c": competitor}),
        )
        .await?;
        if won {
            self.counts.won += 1;
        } else {
            self.counts.lost += 1;
            if self.rng.random_bool(0.5) {
                let day = working_days_after(self.now().date_naive(), 5);
                let at = working_time(&mut self.rng, day);
                self.plan(
                    at,
                    Act::Touch {
                        lead,
                        outcome: "SENT",
                        asset: None,
                    },
                );
            }
        }
        Ok(())
    }

    async fn spend(&mut self, month: NaiveDate) -> Result<(), DemoError> {
        for (source, amount) in SPEND {
            let source_id = self
                .catalog
                .sources
                .iter()
                .find(|s| s.0 == source)
                .map(|s| s.1.clone());
            let amount = (amount * self.rng.random_range(0.85..1.15)).round();
            self.api
                .run(
                    self.team.cmo(),
                    "mutation($input: SpendInput!) { recordSpend(input: $input) { id } }",
                    json!({"input": {"sourceId": source_id, "amount": amount,
                                     "month": format!("{:04}-{:02}", month.year(), month.month())}}),
                )
                .await?;
        }
        Ok(())
    }
}
