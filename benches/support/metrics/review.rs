//! What the weekly revenue review reads besides the funnel: the two leaders, content assets
//! (touches use them; a messaging test compares two), and 13 weeks of past meetings with
//! attendance, decisions, published logs and action items. All through the API; it is small.

use std::net::SocketAddr;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::{action_item, revenue_review, review_attendance, review_decision, Role};
use sea_orm::{
    sea_query::Expr, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
};
use serde_json::{json, Value};
use uuid::Uuid;

use super::world::monday_of;
use crate::support::gql;

fn id(value: &Value) -> Uuid {
    Uuid::parse_str(value["id"].as_str().expect("an id")).unwrap()
}

/// Signs up the marketing and the sales leader and seats them (directly: joining through the API
/// takes a mailed invitation); returns their user ids.
pub async fn leaders(addr: SocketAddr, db: &DatabaseConnection, workspace: Uuid) -> Vec<Uuid> {
    let mut ids = Vec::new();
    for (role, name) in [
        (Role::MarketingLeader, "Mara CMO"),
        (Role::SalesLeader, "Sam CRO"),
    ] {
        let email = format!(
            "{}-{}@bench.example.com",
            name.to_lowercase().replace(' ', "-"),
            workspace.simple()
        );
        let signed = gql(
            addr,
            None,
            "mutation($e: String!, $n: String!) { signUp(input: {email: $e, password: \"bench password 123\", name: $n}) { user { id } } }",
            json!({"e": email, "n": name}),
        )
        .await;
        let user_id = id(&signed["signUp"]["user"]);
        ids.push(user_id);
        entity::membership::Entity::insert(entity::membership::ActiveModel {
            id: Set(Uuid::now_v7()),
            workspace_id: Set(workspace),
            user_id: Set(user_id),
            role: Set(role),
            manager_id: Set(None),
            out_of_office: Set(false),
            created_at: Set(Utc::now()),
        })
        .exec(db)
        .await
        .expect("seat a leader");
    }
    ids
}

/// Four content assets, for touches and the messaging test.
pub async fn assets(addr: SocketAddr, token: &str) -> Vec<Uuid> {
    let mut ids = Vec::new();
    for (name, kind, stage) in [
        ("Pricing one-pager", "BATTLE_CARD", "DECISION"),
        ("Customer story: Acme", "CASE_STUDY", "CONSIDERATION"),
        ("ROI calculator", "ROI_CALCULATOR", "VALIDATION"),
        ("State of RevOps report", "WHITEPAPER", "AWARENESS"),
    ] {
        let made = gql(
            addr,
            Some(token),
            &format!("mutation($n: String!) {{ createAsset(input: {{name: $n, kind: {kind}, funnelStage: {stage}}}) {{ id }} }}"),
            json!({"n": name}),
        )
        .await;
        ids.push(id(&made["createAsset"]));
    }
    ids
}

/// A messaging test of the first two assets over the last three weeks, and the reviews of the
/// 13 weeks up to `now`'s: both leaders present most weeks, two decisions, the log published,
/// two action items (the older ones mostly done). The API records them at the real time; they
/// are then moved back to their week (Monday 10:00, the log three hours later).
pub async fn history(
    db: &DatabaseConnection,
    addr: SocketAddr,
    token: &str,
    now: DateTime<Utc>,
    leaders: &[Uuid],
    assets: &[Uuid],
) {
    gql(
        addr,
        Some(token),
        "mutation($a: ID!, $b: ID!, $s: DateTime!) { createMessagingTest(input: {name: \"Case study vs one-pager\", variants: [{label: \"A\", assetId: $a}, {label: \"B\", assetId: $b}], startedAt: $s}) { id } }",
        json!({"a": assets[0].to_string(), "b": assets[1].to_string(), "s": now - Duration::days(21)}),
    )
    .await;
    let this_week = monday_of(now);
    for back in (0..13).rev() {
        let week = this_week - Duration::weeks(back);
        let started = gql(
            addr,
            Some(token),
            "mutation($w: NaiveDate!) { startRevenueReview(weekOf: $w) { id } }",
            json!({"w": week}),
        )
        .await;
        let review_id = id(&started["startRevenueReview"]);
        let review = review_id.to_string();
        let attendance: Vec<Value> = leaders
            .iter()
            .enumerate()
            .map(|(i, leader)| json!({"userId": leader.to_string(), "present": back % 5 != i as i64 + 1}))
            .collect();
        gql(
            addr,
            Some(token),
            "mutation($r: ID!, $a: [AttendanceInput!]!) { recordAttendance(reviewId: $r, attendance: $a) { quorumMet } }",
            json!({"r": review, "a": attendance}),
        )
        .await;
        for decision in [
            "Tighten the MQL threshold for Partners",
            "Re-run the webinar follow-up play",
        ] {
            gql(
                addr,
                Some(token),
                "mutation($r: ID!, $d: String!) { recordDecision(reviewId: $r, decision: $d) { id } }",
                json!({"r": review, "d": decision}),
            )
            .await;
        }
        gql(
            addr,
            Some(token),
            "mutation($r: ID!) { publishDecisionLog(reviewId: $r) { id } }",
            json!({"r": review}),
        )
        .await;
        for (i, owner) in leaders.iter().enumerate() {
            let item = gql(
                addr,
                Some(token),
                "mutation($r: ID!, $o: ID!, $t: String!, $d: DateTime!) { createActionItem(input: {reviewId: $r, title: $t, ownerId: $o, dueAt: $d}) { id } }",
                json!({"r": review, "o": owner.to_string(), "t": format!("Follow-up {back}-{i}"), "d": now + Duration::days(7)}),
            )
            .await;
            if back > 2 && (back + i as i64) % 3 != 0 {
                gql(
                    addr,
                    Some(token),
                    "mutation($i: ID!) { completeActionItem(id: $i) { id } }",
                    json!({"i": id(&item["createActionItem"]).to_string()}),
                )
                .await;
            }
        }
        backdate(db, review_id, week).await;
    }
}

/// Moves a review and what came out of it to Monday 10:00 of `week`.
async fn backdate(db: &DatabaseConnection, review: Uuid, week: NaiveDate) {
    let started = week.and_hms_opt(10, 0, 0).unwrap().and_utc();
    let at = |hours: i64| Expr::value(started + Duration::hours(hours));
    revenue_review::Entity::update_many()
        .col_expr(revenue_review::Column::StartedAt, at(0))
        .col_expr(revenue_review::Column::LogPublishedAt, at(3))
        .filter(revenue_review::Column::Id.eq(review))
        .exec(db)
        .await
        .unwrap();
    review_decision::Entity::update_many()
        .col_expr(review_decision::Column::RecordedAt, at(1))
        .filter(review_decision::Column::ReviewId.eq(review))
        .exec(db)
        .await
        .unwrap();
    review_attendance::Entity::update_many()
        .col_expr(review_attendance::Column::RecordedAt, at(0))
        .filter(review_attendance::Column::ReviewId.eq(review))
        .exec(db)
        .await
        .unwrap();
    action_item::Entity::update_many()
        .col_expr(action_item::Column::CreatedAt, at(1))
        .col_expr(action_item::Column::DueAt, at(24 * 7))
        .filter(action_item::Column::ReviewId.eq(review))
        .exec(db)
        .await
        .unwrap();
    action_item::Entity::update_many()
        .col_expr(action_item::Column::CompletedAt, at(24 * 4))
        .filter(action_item::Column::ReviewId.eq(review))
        .filter(action_item::Column::CompletedAt.is_not_null())
        .exec(db)
        .await
        .unwrap();
}
