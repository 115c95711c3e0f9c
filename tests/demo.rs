//! `accord demo`: one seed tells one story; a second run on the same database makes nothing new
//! and hands out a working API token.

use accord_api::demo::{self, DemoArgs};
use serde_json::json;

use crate::support::{people::demo_access_token, TestApp};

fn small(seed: u64) -> DemoArgs {
    DemoArgs {
        seed,
        days: 30,
        leads_per_day: 3,
    }
}

/// What a dashboard shows of the story: stage entries of the last 30 days.
async fn funnel_entries(app: &TestApp, email: &str) -> Vec<(String, i64)> {
    let token = demo_access_token(app, email).await;
    let funnel = app
        .gql(Some(&token), "{ funnel { stage entered } }", json!({}))
        .await;
    funnel
        .data("funnel")
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["stage"].as_str().unwrap().to_owned(),
                s["entered"].as_i64().unwrap(),
            )
        })
        .collect()
}

#[actix_web::test]
async fn one_seed_tells_one_story() {
    let first = TestApp::start().await;
    let second = TestApp::start().await;
    let a = demo::run(&first.state, &small(11))
        .await
        .expect("the demo builds");
    let b = demo::run(&second.state, &small(11))
        .await
        .expect("the demo builds");
    assert_eq!(a.counts, b.counts);
    assert_eq!(a.email, b.email);
    assert!(
        a.counts.mqls > 0 && a.counts.rejected > 0 && a.counts.touches > 0,
        "{}",
        a.counts
    );
    let entries = funnel_entries(&first, &a.email).await;
    assert!(entries.iter().any(|(_, n)| *n > 0), "{entries:?}");
    // The demo's people are created verified and seated directly (no invitation to accept).
    let token = demo_access_token(&first, &a.email).await;
    let people = first
        .gql(
            Some(&token),
            "{ members(first: 100) { totalCount edges { node { user { emailVerified } } } } }",
            json!({}),
        )
        .await;
    let members = people.data("members");
    assert!(members["totalCount"].as_i64().unwrap() > 1);
    assert!(members["edges"]
        .as_array()
        .unwrap()
        .iter()
        .all(|edge| edge["node"]["user"]["emailVerified"] == true));
    assert_eq!(entries, funnel_entries(&second, &b.email).await);
}

#[actix_web::test]
async fn a_second_run_only_hands_out_a_new_token() {
    let app = TestApp::start().await;
    let made = demo::run(&app.state, &small(3))
        .await
        .expect("the demo builds");
    let again = demo::run(&app.state, &small(3))
        .await
        .expect("the second run answers");
    assert!(made.created && !again.created);
    assert_eq!(again.workspace_slug, made.workspace_slug);
    assert_eq!(again.counts, demo::Counts::default());
    assert_ne!(again.api_token, made.api_token);
    // The fresh token works: it ingests an event for the demo workspace.
    let ingested = app
        .gql(
            Some(&again.api_token),
            "mutation { ingestEvents(events: [{idempotencyKey: \"again-1\", type: \"session\", contact: {email: \"pat@acorn-retail.example\"}}]) { results { status } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        ingested.data("ingestEvents")["results"][0]["status"],
        "ACCEPTED"
    );
}

#[actix_web::test]
async fn the_demo_refuses_a_production_database() {
    use sea_orm::{EntityTrait, PaginatorTrait};
    let app = TestApp::start_with(|config| {
        config.env = accord_api::config::Environment::Production;
    })
    .await;
    let refused = demo::run(&app.state, &small(5)).await;
    assert!(
        matches!(refused, Err(demo::DemoError::Production)),
        "{refused:?}"
    );
    let people = entity::user::Entity::find().count(app.db()).await.unwrap();
    assert_eq!(people, 0, "the refused demo created people");
}

/// The demo's content and triggers are worth looking at: some asset works and one that reps
/// use earns nothing (the comparison sheet stalled leads get), and the MQLs' triggers carry
/// intel.
#[actix_web::test]
async fn the_story_has_content_that_works_and_triggers_with_intel() {
    let app = TestApp::start().await;
    let made = demo::run(&app.state, &small(11))
        .await
        .expect("the demo builds");
    let token = demo_access_token(&app, &made.email).await;
    let content = app
        .gql(
            Some(&token),
            "{ assetPerformance { assets { name performs leadsReached touches replies meetings stageAdvances wonDeals } contentGaps { funnelStage } } }",
            json!({}),
        )
        .await;
    let assets = content.data("assetPerformance")["assets"]
        .as_array()
        .unwrap()
        .clone();
    assert!(assets.iter().any(|a| a["performs"] == true), "{assets:?}");
    let used_in_vain = assets
        .iter()
        .find(|a| a["name"] == "Feature comparison sheet")
        .expect("the comparison sheet is in the catalog");
    assert_eq!(used_in_vain["performs"], false, "{used_in_vain}");
    assert!(
        used_in_vain["touches"].as_i64().unwrap() > 0
            && used_in_vain["leadsReached"].as_i64().unwrap() > 0,
        "{used_in_vain}"
    );
    let card = app
        .gql(
            Some(&token),
            "{ marketingScorecard { marketing { commitment count of } } }",
            json!({}),
        )
        .await;
    let intel = card.data("marketingScorecard")["marketing"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["commitment"] == "MQLS_WITH_INTEL")
        .unwrap()
        .clone();
    assert!(intel["count"].as_i64().unwrap() > 0, "{intel}");
}
