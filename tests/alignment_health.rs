//! Alignment health on five hand-made weeks (from Monday 2027-05-03, 15:00 UTC = 11:00 in New
//! York). Every Monday four demo requests make four HOT MQLs (first-touch clocks due 15:05,
//! status-update clocks due 48 business hours later: the next Tuesday 15:00). In week 0 the rep
//! accepts one lead on Tuesday and leaves it in SAL; in week k (1..4) the rep rejects k leads on
//! Tuesday. Nobody touches anything. Marketing disputes one of week 4's rejections on Wednesday.
//! The report is read on Monday of week 5.

use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::json;

use crate::support::fixtures::{hot_lead, team};
use crate::support::TestApp;

fn week(k: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 5, 3, 15, 0, 0).unwrap() + Duration::weeks(k)
}

fn close(actual: &serde_json::Value, expected: f64) {
    let value = actual.as_f64().unwrap_or_else(|| panic!("{actual}"));
    assert!(
        (value - expected).abs() < 1e-9,
        "expected {expected}, got {value}"
    );
}

#[actix_web::test]
async fn four_weeks_of_rising_rejections_is_theater() {
    let app = TestApp::start_with(|config| config.job_poll_ms = 3_600_000).await;
    let team = team(&app).await;
    let clock = &app.state.clock;
    clock.freeze_at(week(0));
    for k in 0..5 {
        clock.advance_to(week(k));
        let mut leads = Vec::new();
        for i in 0..4 {
            leads
                .push(hot_lead(&app, &team, &format!("w{k}-{i}@health{k}{i}.io"), "Webinar").await);
        }
        clock.advance_to(week(k) + Duration::days(1));
        if k == 0 {
            app.gql(
                Some(&team.rep.access),
                "mutation($id: ID!) { acceptLead(id: $id) { stage } }",
                json!({"id": leads[0]}),
            )
            .await
            .data("acceptLead");
        }
        for lead in leads.iter().take(k as usize) {
            let rejected = app
                .gql(
                    Some(&team.rep.access),
                    "mutation($id: ID!) { rejectLead(id: $id, reason: NO_BUDGET) { id } }",
                    json!({"id": lead}),
                )
                .await;
            rejected.data("rejectLead");
        }
    }
    clock.advance_to(week(4) + Duration::days(2));
    let rejection = app
        .gql(
            Some(&team.marketer.access),
            "query($after: DateTime) { rejections(filter: {rejectedAfter: $after}) { edges { node { id } } } }",
            json!({"after": (week(4) + Duration::hours(23)).to_rfc3339()}),
        )
        .await;
    let rejection_id = rejection.data("rejections")["edges"][0]["node"]["id"].clone();
    app.gql(
        Some(&team.marketer.access),
        "mutation($id: ID!) { disputeRejection(id: $id, note: \"They asked for pricing\") { id } }",
        json!({"id": rejection_id}),
    )
    .await
    .data("disputeRejection");

    clock.advance_to(week(5));
    let reply = app
        .gql(
            Some(&team.cro.access),
            "{ alignmentHealth(weeks: 5) { verdict rejectionRateRises rejectionRate { wrongWay points { weekOf value } } midFunnelAging { wrongWay points { value } } winRateDivergence { wrongWay points { value } } slaCompliance { value } disputeBacklog oldestDisputeDays } }",
            json!({}),
        )
        .await;
    let health = reply.data("alignmentHealth");
    // Rejections / MQLs per week: 0/4, 1/4, 2/4, 3/4, 4/4: four rises in a row.
    let rates: Vec<f64> = health["rejectionRate"]["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["value"].as_f64().unwrap())
        .collect();
    assert_eq!(rates, vec![0.0, 0.25, 0.5, 0.75, 1.0]);
    assert_eq!(health["rejectionRate"]["points"][0]["weekOf"], "2027-05-03");
    assert_eq!(health["rejectionRateRises"], 4);
    assert_eq!(health["rejectionRate"]["wrongWay"], true);
    assert_eq!(health["verdict"], "THEATER");
    // The lead accepted on Tuesday of week 0 sits in SAL: at the end of week k (the next
    // Monday 00:00) it has been there 5 days 9 hours (5.375 days) + 7k days.
    let aging: Vec<f64> = health["midFunnelAging"]["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["value"].as_f64().unwrap())
        .collect();
    assert_eq!(aging, vec![5.375, 12.375, 19.375, 26.375, 33.375]);
    assert_eq!(health["midFunnelAging"]["wrongWay"], true);
    // No deal closed: no divergence.
    assert!(health["winRateDivergence"]["points"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["value"].is_null()));
    assert_eq!(health["winRateDivergence"]["wrongWay"], false);
    // SLA per week: four first-touch clocks due Monday 15:05, none met in time; plus last
    // week's four status-update clocks due Tuesday, met in time by each accept or rejection:
    // week 0: 0/4; week 1: 1/8 (the accepted lead); week 2: 1/8; week 3: 2/8; week 4: 3/8.
    let sla: Vec<f64> = health["slaCompliance"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["value"].as_f64().unwrap())
        .collect();
    assert_eq!(sla, vec![0.0, 0.125, 0.125, 0.25, 0.375]);
    // One dispute open since Wednesday of week 4: five days.
    assert_eq!(health["disputeBacklog"], 1);
    close(&health["oldestDisputeDays"], 5.0);

    let too_short = app
        .gql(
            Some(&team.cro.access),
            "{ alignmentHealth(weeks: 4) { verdict } }",
            json!({}),
        )
        .await;
    assert_eq!(too_short.code(), "BAD_USER_INPUT");
    assert_eq!(too_short.field(), Some("weeks"));
}
