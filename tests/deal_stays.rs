//! Each deal move keeps when the deal left that stage (its next move), written by the
//! transaction that records the next move, whichever way deals move: created, moved by hand,
//! closed, created and moved again by a partner's upsert. After a mix of moves in two
//! workspaces, every move's end equals a recount from the moves themselves.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::EntityTrait;
use serde_json::{json, Value};

use crate::support::{Session, TestApp};

async fn data(app: &TestApp, session: &Session, query: &str, field: &str, vars: Value) -> Value {
    app.gql(Some(&session.access), query, vars)
        .await
        .data(field)
        .clone()
}

/// Opens a deal at acme.com, moves it through `stages` by hand, and wins it when `win`.
async fn walk(app: &TestApp, owner: &Session, stages: &[&str], win: bool) {
    let account = data(
        app,
        owner,
        "mutation { upsertAccounts(accounts: [{domain: \"acme.com\"}]) { id } }",
        "upsertAccounts",
        json!({}),
    )
    .await;
    let deal = data(
        app,
        owner,
        "mutation($a: ID!) { createOpportunity(input: {name: \"Acme\", accountId: $a, amount: 1000}) { id } }",
        "createOpportunity",
        json!({ "a": account[0]["id"] }),
    )
    .await;
    for stage in stages {
        data(
            app,
            owner,
            "mutation($id: ID!, $s: OpportunityStage!) { updateOpportunity(id: $id, input: {stage: $s}) { id } }",
            "updateOpportunity",
            json!({ "id": deal["id"], "s": stage }),
        )
        .await;
    }
    if win {
        data(
            app,
            owner,
            "mutation($id: ID!) { closeOpportunity(id: $id, won: true) { id } }",
            "closeOpportunity",
            json!({ "id": deal["id"] }),
        )
        .await;
    }
}

/// A partner's deal created in QUALIFICATION, then moved to PROPOSAL by a second upsert.
async fn upserted(app: &TestApp, owner: &Session) {
    for stage in ["QUALIFICATION", "PROPOSAL"] {
        let results = data(
            app,
            owner,
            "mutation($s: OpportunityStage!) { upsertOpportunities(opportunities: [{externalId: \"crm-1\", name: \"Globex\", accountDomain: \"globex.com\", amount: 5000, stage: $s}]) { status } }",
            "upsertOpportunities",
            json!({ "s": stage }),
        )
        .await;
        assert_ne!(results[0]["status"], "REJECTED", "{results}");
    }
}

type Stay = (DateTime<Utc>, Option<DateTime<Utc>>);

#[actix_web::test]
async fn every_move_keeps_when_its_stage_ended() {
    let app = TestApp::start().await;
    let north = app.owner("North").await;
    let south = app.owner("South").await;
    walk(
        &app,
        &north,
        &["QUALIFICATION", "PROPOSAL", "NEGOTIATION"],
        true,
    )
    .await;
    walk(&app, &north, &[], false).await;
    walk(&app, &south, &["PROPOSAL"], false).await;
    upserted(&app, &north).await;
    upserted(&app, &south).await;

    let moves = entity::opportunity_stage_change::Entity::find()
        .all(app.db())
        .await
        .unwrap();
    // 5 + 1 + 2 by hand, 2 + 2 by upsert.
    assert_eq!(moves.len(), 12);
    let mut by_deal: HashMap<_, Vec<_>> = HashMap::new();
    for m in &moves {
        by_deal.entry(m.opportunity_id).or_default().push(m);
    }
    assert_eq!(by_deal.len(), 5);
    for history in by_deal.values_mut() {
        history.sort_by_key(|m| (m.changed_at, m.id));
        let kept: Vec<Stay> = history.iter().map(|m| (m.changed_at, m.left_at)).collect();
        let recounted: Vec<Stay> = history
            .iter()
            .enumerate()
            .map(|(i, m)| (m.changed_at, history.get(i + 1).map(|next| next.changed_at)))
            .collect();
        assert_eq!(kept, recounted, "deal {}", history[0].opportunity_id);
        assert_eq!(
            history.iter().filter(|m| m.left_at.is_none()).count(),
            1,
            "a deal is in exactly one stage"
        );
    }
}
