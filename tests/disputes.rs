//! Overturned rejections stop counting: sales rejects three of four MQLs from one source,
//! marketing disputes two; a leader upholds one and denies the other. The upheld rejection
//! leaves the rejection rate (rows and daily rollups), the source rule's months and alignment
//! health; the denied one still counts. The marketer who disputed receives DISPUTE_RESOLVED
//! with the outcome, both times.

use chrono::{Duration, TimeZone, Utc};
use serde_json::{json, Value};

use crate::support::{
    fixtures::{hot_lead, team, Team},
    TestApp,
};

const HEALTH: &str = "{ alignmentHealth(weeks: 5) { rejectionRate { points { weekOf value } } } }";
const METRICS: &str = "query($from: DateTime!, $to: DateTime!) { metrics(range: {from: $from, to: $to}) { total { mqls rejections rejectionRate } } }";
const SOURCE: &str =
    "query($id: ID!) { sourceHealth(sourceId: $id, months: 2) { month mqls rejections } }";
const RESOLVE: &str =
    "mutation($id: ID!, $up: Boolean!) { resolveDispute(id: $id, upheld: $up) { resolution } }";

struct Readings {
    /// The rejections and the rate of the day they were made.
    rejections: u64,
    rate: f64,
    /// The source's rejections over its months (what the source rule judges).
    source_rejections: u64,
    /// Alignment health's weekly rejection rates.
    weekly: Vec<Value>,
}

async fn read(app: &TestApp, team: &Team, day: (String, String), source: &str) -> Readings {
    let metrics = app
        .gql(
            Some(&team.cro.access),
            METRICS,
            json!({"from": day.0, "to": day.1}),
        )
        .await;
    let total = metrics.data("metrics")["total"].clone();
    let months = app
        .gql(Some(&team.cmo.access), SOURCE, json!({"id": source}))
        .await;
    let health = app.gql(Some(&team.cro.access), HEALTH, json!({})).await;
    let rejections = total["rejections"].as_u64().unwrap();
    let rate = total["rejectionRate"].as_f64().unwrap();
    assert!(
        (rate - rejections as f64 / total["mqls"].as_f64().unwrap()).abs() < 1e-9,
        "{total}"
    );
    Readings {
        rejections,
        rate,
        source_rejections: months
            .data("sourceHealth")
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["rejections"].as_u64().unwrap())
            .sum(),
        weekly: health.data("alignmentHealth")["rejectionRate"]["points"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["value"].clone())
            .collect(),
    }
}

#[actix_web::test]
async fn an_upheld_dispute_takes_the_rejection_out_and_the_marketer_hears_both_outcomes() {
    let app = TestApp::start_with(|config| config.job_poll_ms = 3_600_000).await;
    let team = team(&app).await;
    // The source rule reads the real month: the story happens now.
    let t0 = Utc::now();
    app.state.clock.freeze_at(t0);
    let mut leads = Vec::new();
    for i in 0..4 {
        leads.push(hot_lead(&app, &team, &format!("d{i}@dispute{i}.io"), "Trade show").await);
    }
    for lead in &leads[..3] {
        app.gql(
            Some(&team.rep.access),
            "mutation($id: ID!) { rejectLead(id: $id, reason: NO_BUDGET) { stage } }",
            json!({"id": lead}),
        )
        .await
        .data("rejectLead");
    }
    let listed = app
        .gql(
            Some(&team.marketer.access),
            "{ rejections { edges { node { id rejectedAt lead { id } source { id } } } } }",
            json!({}),
        )
        .await;
    let rejections = listed.data("rejections")["edges"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(rejections.len(), 3);
    let of = |lead: &str| -> Value {
        rejections
            .iter()
            .find(|e| e["node"]["lead"]["id"] == lead)
            .unwrap()["node"]
            .clone()
    };
    let (upheld, denied) = (of(&leads[0]), of(&leads[1]));
    let source = upheld["source"]["id"].as_str().unwrap().to_owned();
    for rejection in [&upheld, &denied] {
        app.gql(
            Some(&team.marketer.access),
            "mutation($id: ID!) { disputeRejection(id: $id, note: \"They asked for a quote\") { id } }",
            json!({"id": rejection["id"]}),
        )
        .await
        .data("disputeRejection");
    }
    // The day of the rejections, whole: the metrics read it from the daily rollups.
    let midnight = Utc.from_utc_datetime(&t0.date_naive().and_hms_opt(0, 0, 0).unwrap());
    let day = (
        midnight.to_rfc3339(),
        (midnight + Duration::days(1)).to_rfc3339(),
    );
    // A week later the rejections' week is over: alignment health has it as a point.
    app.state.clock.advance_to(t0 + Duration::days(8));
    let before = read(&app, &team, day.clone(), &source).await;
    assert_eq!(before.rejections, 3);
    assert!((before.rate - 0.75).abs() < 1e-9);
    assert_eq!(before.source_rejections, 3);
    let week = before
        .weekly
        .iter()
        .position(|v| v.as_f64() == Some(0.75))
        .unwrap_or_else(|| panic!("3 of 4 in the rejections' week: {:?}", before.weekly));

    let resolved = app
        .gql(
            Some(&team.cro.access),
            RESOLVE,
            json!({"id": upheld["id"], "up": true}),
        )
        .await;
    assert_eq!(resolved.data("resolveDispute")["resolution"], "UPHELD");
    let after = read(&app, &team, day.clone(), &source).await;
    assert_eq!(
        after.rejections, 2,
        "the upheld rejection left the day's count"
    );
    assert_eq!(after.source_rejections, 2, "and the source rule's months");
    assert_eq!(
        after.weekly[week].as_f64(),
        Some(0.5),
        "and alignment health: {:?}",
        after.weekly
    );

    let resolved = app
        .gql(
            Some(&team.cro.access),
            RESOLVE,
            json!({"id": denied["id"], "up": false}),
        )
        .await;
    assert_eq!(resolved.data("resolveDispute")["resolution"], "DENIED");
    let denied_after = read(&app, &team, day.clone(), &source).await;
    assert_eq!(
        denied_after.rejections, 2,
        "a denied dispute's rejection counts"
    );
    assert_eq!(denied_after.source_rejections, 2);
    assert_eq!(denied_after.weekly[week].as_f64(), Some(0.5));
    let again = app
        .gql(
            Some(&team.cro.access),
            RESOLVE,
            json!({"id": denied["id"], "up": true}),
        )
        .await;
    assert_eq!(again.code(), "CONFLICT");

    // The marketer who disputed hears both outcomes; the rep gets the upheld lead back.
    let inbox = app
        .gql(
            Some(&team.marketer.access),
            "{ triggers(kinds: [DISPUTE_RESOLVED]) { kind message lead { id } } }",
            json!({}),
        )
        .await;
    let told = inbox.data("triggers").as_array().unwrap().clone();
    assert_eq!(told.len(), 2, "{}", inbox.raw);
    assert_eq!(told[0]["lead"]["id"], json!(leads[0]));
    assert!(told[0]["message"].as_str().unwrap().starts_with("UPHELD"));
    assert_eq!(told[1]["lead"]["id"], json!(leads[1]));
    assert!(told[1]["message"].as_str().unwrap().starts_with("DENIED"));
    let rep = app
        .gql(
            Some(&team.rep.access),
            "{ triggers(kinds: [DISPUTE_RESOLVED]) { lead { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(rep.data("triggers"), &json!([{"lead": {"id": leads[0]}}]));

    // Recounting the rollups from the history agrees with what was counted as it happened.
    accord_api::services::metrics::rollups::rebuild(&app.state)
        .await
        .unwrap();
    let rebuilt = read(&app, &team, day, &source).await;
    assert_eq!(rebuilt.rejections, 2);
}
