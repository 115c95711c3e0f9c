//! The rituals: the weekly revenue reviews, a messaging test marketing runs, and the shared
//! goals both leaders own.

use chrono::{Datelike, Duration, NaiveDate};
use entity::Role;
use rand::RngExt as _;
use serde_json::json;

use super::{Act, Story};
use crate::demo::{setup::text, DemoError};

impl Story<'_> {
    /// A review of `week_of`: attendance (both leaders, the sales managers and revops; a couple
    /// of managers miss the second one), decisions, action items, and the decision log
    /// published `publish_after` the start.
    pub(super) async fn review(
        &mut self,
        week_of: NaiveDate,
        publish_after: Duration,
    ) -> Result<(), DemoError> {
        let host = self.team.owner();
        let started = self
            .api
            .run(
                host,
                "mutation($w: NaiveDate) { startRevenueReview(weekOf: $w) { id } }",
                json!({ "w": week_of }),
            )
            .await?;
        let review = text(&started["startRevenueReview"]["id"]);
        let invited = [
            Role::MarketingLeader,
            Role::SalesLeader,
            Role::Revops,
            Role::SalesManager,
        ];
        let attendance: Vec<_> = self
            .team
            .members
            .iter()
            .filter(|m| invited.contains(&m.role))
            .map(|m| {
                let present = m.role != Role::SalesManager || self.rng.random_bool(0.7);
                json!({"userId": m.user_id.to_string(), "present": present})
            })
            .collect();
        self.api
            .run(
                host,
                "mutation($id: ID!, $a: [AttendanceInput!]!) { recordAttendance(reviewId: $id, attendance: $a) { quorumMet } }",
                json!({"id": review, "a": attendance}),
            )
            .await?;
        for decision in [
            "Pause content syndication until its rejection rate is under 20%",
            "Enterprise MQLs get a same-day call from the named account owner",
        ] {
            self.api
                .run(
                    host,
                    "mutation($id: ID!, $d: String!) { recordDecision(reviewId: $id, decision: $d) { id } }",
                    json!({"id": review, "d": decision}),
                )
                .await?;
        }
        let marketer = self.team.with_role(Role::Marketer).next().unwrap_or(host);
        let manager = self
            .team
            .with_role(Role::SalesManager)
            .next()
            .unwrap_or(host);
        let due = self.now() + Duration::days(7);
        for (title, owner) in [
            (
                "Rewrite the syndication brief with the ICP's titles",
                marketer,
            ),
            ("Coach the SMB team on the five-minute call", manager),
        ] {
            let made = self
                .api
                .run(
                    host,
                    "mutation($input: ActionItemInput!) { createActionItem(input: $input) { id } }",
                    json!({"input": {"reviewId": review, "title": title,
                                     "ownerId": owner.user_id.to_string(), "dueAt": due}}),
                )
                .await?;
            if owner.role == Role::SalesManager {
                let item = text(&made["createActionItem"]["id"]);
                let owner = owner.user_id;
                self.plan(
                    self.now() + Duration::days(3),
                    Act::CompleteAction { item, owner },
                );
            }
        }
        let publish = self.now() + publish_after;
        self.plan(publish, Act::Publish { review });
        self.counts.reviews += 1;
        Ok(())
    }

    /// Two hand-off emails, one on each inbound cadence: pain against proof.
    pub(super) async fn messaging_test(&mut self) -> Result<(), DemoError> {
        let assets = &self.catalog.assets;
        let variants = json!([
            {"label": "A", "assetId": assets["email_pain"]},
            {"label": "B", "assetId": assets["email_proof"]},
        ]);
        self.api
            .run(
                self.team.cmo(),
                "mutation($input: MessagingTestInput!) { createMessagingTest(input: $input) { id } }",
                json!({"input": {"name": "Hand-off email: the pain or the proof",
                                 "variants": variants, "startedAt": self.now()}}),
            )
            .await
            .map(drop)
    }

    /// This quarter's shared goals, owned by both leaders.
    pub(super) async fn goals(&mut self) -> Result<(), DemoError> {
        let today = self.now().date_naive();
        let quarter_month = (today.month0() / 3) * 3 + 1;
        let start = NaiveDate::from_ymd_opt(today.year(), quarter_month, 1).unwrap_or(today);
        let owners = [
            self.team.cmo().user_id.to_string(),
            self.team.cro().user_id.to_string(),
        ];
        for (name, metric, target) in [
            ("MQLs the contract commits to", "MQLS", 360.0),
            (
                "Pipeline sales accepted",
                "SALES_ACCEPTED_PIPELINE",
                2_500_000.0,
            ),
            ("Win rate", "WIN_RATE", 0.3),
            ("SLA compliance", "SLA_COMPLIANCE", 0.9),
        ] {
            self.api
                .run(
                    self.team.cro(),
                    "mutation($input: GoalInput!) { createGoal(input: $input) { id } }",
                    json!({"input": {"name": name, "metric": metric, "target": target,
                                     "period": {"start": start, "months": 3}, "ownerIds": owners}}),
                )
                .await?;
        }
        Ok(())
    }
}
