//! The daily rollups the dashboards read are kept by the same transactions that write the
//! history: after a mix of writes in two workspaces over several days (MQLs, a first touch on
//! time and one late, acceptance, rejections, the same lead qualifying again and being rejected
//! again, qualification, recycling, the nurture job), they equal a recount from the history,
//! as do the first touches kept on first-touch clocks, and each workspace's reports count only
//! its own facts.

use chrono::{DateTime, Duration, TimeZone, Utc};
use sea_orm::EntityTrait;
use serde_json::{json, Value};

use crate::support::{
    documents::INGEST,
    fixtures::{hot_lead, team, Team},
    TestApp,
};

/// Monday 2027-06-07, 15:00 UTC (11:00 in New York, inside the seed contract's hours).
fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 6, 7, 15, 0, 0).unwrap()
}

type Key = (String, String, String, String, String, String, String, i64);

/// Every rollup row, without its id, in a fixed order.
async fn rollups(app: &TestApp) -> Vec<Key> {
    let mut rows: Vec<Key> = entity::metric_rollup::Entity::find()
        .all(app.db())
        .await
        .unwrap()
        .into_iter()
        .map(|r| {
            (
                r.workspace_id.to_string(),
                r.dimension,
                r.fact,
                r.day.to_string(),
                r.detail,
                r.key_id.to_string(),
                r.key_text,
                r.n,
            )
        })
        .collect();
    rows.sort();
    rows
}

/// Every first-touch clock's first touch, by clock.
async fn first_touches(app: &TestApp) -> Vec<(String, Option<DateTime<Utc>>)> {
    use entity::sla_clock::{Column, Entity};
    use sea_orm::{ColumnTrait, QueryFilter};
    let mut rows: Vec<(String, Option<DateTime<Utc>>)> = Entity::find()
        .filter(Column::Kind.eq(entity::SlaKind::FirstTouch))
        .all(app.db())
        .await
        .unwrap()
        .into_iter()
        .map(|c| (c.id.to_string(), c.first_touch_at))
        .collect();
    rows.sort();
    rows
}

async fn act(app: &TestApp, team: &Team, query: &str, id: &str, field: &str) {
    app.gql(Some(&team.rep.access), query, json!({"id": id}))
        .await
        .data(field);
}

async fn demo_again(app: &TestApp, team: &Team, email: &str) {
    let events = json!([{"idempotencyKey": format!("again-{email}"), "type": "demo_request", "contact": {"email": email}, "source": "Webinar"}]);
    app.gql(Some(&team.token), INGEST, json!({"e": events}))
        .await
        .data("ingestEvents");
}

async fn week_totals(app: &TestApp, team: &Team) -> Value {
    let range = json!({"from": start() - Duration::days(1), "to": start() + Duration::days(6)});
    app.gql(
        Some(&team.owner.access),
        "query($r: RangeInput!) { metrics(range: $r, groupBy: SOURCE) { total { mqls sals sqls rejections slaDue slaMet } groups { key metrics { mqls rejections } } } }",
        json!({"r": range}),
    )
    .await
    .data("metrics")
    .clone()
}

#[actix_web::test]
async fn rollups_equal_a_recount_of_the_history() {
    let app = TestApp::start_with(|config| config.job_poll_ms = 3_600_000).await;
    let a = team(&app).await;
    let b = team(&app).await;
    let clock = &app.state.clock;
    clock.freeze_at(start());
    let ana = hot_lead(&app, &a, "ana@rollup-a.io", "Webinar").await;
    let ben = hot_lead(&app, &a, "ben@rollup-b.io", "Paid Search").await;
    let cy = hot_lead(&app, &a, "cy@rollup-c.io", "Webinar").await;
    let other = hot_lead(&app, &b, "di@rollup-d.io", "Webinar").await;
    let touch = "mutation($id: ID!) { logTouch(input: {leadId: $id, channel: EMAIL, outcome: SENT}) { touch { id } } }";
    // Ana's first touch in time (due 15:05), Ben's late.
    clock.advance_to(start() + Duration::minutes(3));
    act(&app, &a, touch, &ana, "logTouch").await;
    clock.advance_to(start() + Duration::hours(2));
    act(&app, &a, touch, &ben, "logTouch").await;
    act(&app, &b, touch, &other, "logTouch").await;

    clock.advance_to(start() + Duration::days(1));
    act(
        &app,
        &a,
        "mutation($id: ID!) { acceptLead(id: $id) { id } }",
        &ana,
        "acceptLead",
    )
    .await;
    let reject = "mutation($id: ID!) { rejectLead(id: $id, reason: NO_BUDGET) { id } }";
    act(&app, &a, reject, &ben, "rejectLead").await;
    act(&app, &b, reject, &other, "rejectLead").await;

    // Ben qualifies again (a second MQL entry of the same lead, new clocks) and is rejected
    // again; Ana is qualified; Cy is recycled.
    clock.advance_to(start() + Duration::days(2));
    demo_again(&app, &a, "ben@rollup-b.io").await;
    act(
        &app,
        &a,
        "mutation($id: ID!) { qualifyLead(id: $id, bant: {budget: \"b\", authority: \"a\", need: \"n\", timing: \"t\"}) { id } }",
        &ana,
        "qualifyLead",
    )
    .await;
    act(
        &app,
        &a,
        "mutation($id: ID!) { recycleLead(id: $id, tag: FUTURE) { id } }",
        &cy,
        "recycleLead",
    )
    .await;
    clock.advance_to(start() + Duration::days(3));
    act(
        &app,
        &a,
        "mutation($id: ID!) { rejectLead(id: $id, reason: BAD_TIMING) { id } }",
        &ben,
        "rejectLead",
    )
    .await;
    accord_api::jobs::run_due(&app.state).await.unwrap();

    let kept = (rollups(&app).await, first_touches(&app).await);
    accord_api::services::metrics::rollups::rebuild(&app.state)
        .await
        .unwrap();
    let recounted = (rollups(&app).await, first_touches(&app).await);
    assert!(!kept.0.is_empty());
    // Ana's and Ben's first clocks were touched, Cy's and Ben's second were not; B's lead was.
    let touched = kept.1.iter().filter(|(_, at)| at.is_some()).count();
    assert_eq!((kept.1.len(), touched), (5, 3));
    assert_eq!(kept, recounted);

    // Workspace A: MQLs Ana, Ben, Cy, Ben again; SAL Ana; SQL Ana; two rejections of Ben.
    // Clocks due in the range: the four first-touch clocks (5 business minutes: Monday 15:05
    // three times, Wednesday 15:05); the status updates (48 business hours) fall due after the
    // range. Met in time: Ana's (touched 15:03) only: Ben was touched at 17:00, Cy never (his
    // recycling ended the clock late), Ben's second clock ended with Thursday's rejection.
    let totals = week_totals(&app, &a).await;
    assert_eq!(
        totals["total"],
        json!({"mqls": 4, "sals": 1, "sqls": 1, "rejections": 2, "slaDue": 4, "slaMet": 1}),
        "{totals}"
    );
    // Workspace B sees only its own lead: one MQL, one rejection.
    let totals = week_totals(&app, &b).await;
    assert_eq!(totals["total"]["mqls"], 1, "{totals}");
    assert_eq!(totals["total"]["rejections"], 1, "{totals}");
    let groups = totals["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 1, "{totals}");
}
