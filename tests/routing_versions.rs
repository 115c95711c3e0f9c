//! Routing rule versions (issue 19, item 9): a rule is created as version 1, published; editing
//! it makes a draft that routes nothing until published; publishing supersedes the version
//! before; rolling back publishes an earlier definition again as the next version. Each lead's
//! routing explanation names the rule and the version that routed it, for good.

use serde_json::{json, Value};

use crate::support::{
    documents::INGEST,
    fixtures::{team, Team},
    TestApp,
};

const RULE: &str = "id ruleId version status publishedAt name assignedCount targets { userId }";

/// A demo request for `email` (a HOT MQL); returns the lead's owner and routing.
async fn routed(app: &TestApp, team: &Team, email: &str) -> Value {
    let events = json!([{"idempotencyKey": format!("demo-{email}"), "type": "demo_request", "contact": {"email": email, "name": email}}]);
    let reply = app
        .gql(Some(&team.token), INGEST, json!({"e": events}))
        .await;
    assert_eq!(
        reply.data("ingestEvents")["results"][0]["status"],
        "ACCEPTED",
        "{}",
        reply.raw
    );
    lead(app, team, email).await
}

async fn lead(app: &TestApp, team: &Team, email: &str) -> Value {
    app.gql(
        Some(&team.owner.access),
        "query($q: String) { leads(filter: {search: $q}) { edges { node { stage owner { id } routing } } } }",
        json!({"q": email}),
    )
    .await
    .data("leads")["edges"][0]["node"]
        .clone()
}

/// Asserts the lead went to `owner` by `rule`, the version numbered `version`.
fn assert_routed_by(lead: &Value, owner: &str, rule: &Value, version: i64) {
    assert_eq!(lead["stage"], "MQL", "{lead}");
    assert_eq!(lead["owner"]["id"], json!(owner), "{lead}");
    let routing = &lead["routing"];
    assert_eq!(routing["by"], "rule", "{lead}");
    assert_eq!(routing["rule_id"], rule["ruleId"], "{lead}");
    assert_eq!(routing["rule"], "Everyone", "{lead}");
    assert_eq!(routing["version"], version, "{lead}");
    assert_eq!(routing["version_id"], rule["id"], "{lead}");
    let explanation = routing["explanation"].as_str().unwrap();
    assert!(
        explanation.contains(&format!("rule `Everyone` (version {version}) matched")),
        "{explanation}"
    );
}

async fn published(app: &TestApp, team: &Team) -> Vec<Value> {
    let query = format!("{{ routingRules(status: PUBLISHED) {{ nodes {{ {RULE} }} }} }}");
    app.gql(Some(&team.owner.access), &query, json!({}))
        .await
        .data("routingRules")["nodes"]
        .as_array()
        .unwrap()
        .clone()
}

#[actix_web::test]
async fn routing_rules_are_versioned_published_and_rolled_back_and_leads_name_their_version() {
    let app = TestApp::start().await;
    let team = team(&app).await;
    let other = app.member(&team.owner, "REP").await;
    let rep = team.rep.user_id.clone();

    // The team's rule is version 1, published at creation.
    let rules = published(&app, &team).await;
    assert_eq!(rules.len(), 1, "{rules:?}");
    let v1 = rules[0].clone();
    assert_eq!(v1["version"], 1);
    assert_eq!(v1["status"], "PUBLISHED");
    assert!(v1["publishedAt"].is_string(), "{v1}");
    let first = routed(&app, &team, "ann@one.example").await;
    assert_routed_by(&first, &rep, &v1, 1);

    // Editing the published version makes a draft, version 2: it routes nothing yet.
    let update = format!(
        "mutation($id: ID!, $rep: ID!) {{ updateRoutingRule(id: $id, input: {{name: \"Everyone\", position: 1, criteria: {{field: \"lead.stage\", op: EXISTS}}, targets: [{{userId: $rep}}]}}) {{ {RULE} }} }}"
    );
    let v2 = app
        .gql(
            Some(&team.owner.access),
            &update,
            json!({"id": v1["id"], "rep": other.user_id}),
        )
        .await
        .data("updateRoutingRule")
        .clone();
    assert_eq!(v2["version"], 2, "{v2}");
    assert_eq!(v2["status"], "DRAFT");
    assert_eq!(v2["ruleId"], v1["ruleId"], "the same rule");
    assert_ne!(v2["id"], v1["id"]);
    assert!(v2["publishedAt"].is_null());
    // A draft is edited in place.
    let again = app
        .gql(
            Some(&team.owner.access),
            &update,
            json!({"id": v2["id"], "rep": other.user_id}),
        )
        .await
        .data("updateRoutingRule")
        .clone();
    assert_eq!((&again["id"], &again["version"]), (&v2["id"], &json!(2)));
    let rules = published(&app, &team).await;
    assert_eq!(rules.len(), 1, "{rules:?}");
    assert_eq!(rules[0]["id"], v1["id"], "version 1 still routes");
    let second = routed(&app, &team, "bob@two.example").await;
    assert_routed_by(&second, &rep, &v1, 1);

    // Publishing version 2: it routes from now on; version 1 is superseded.
    let publish = format!("mutation($id: ID!) {{ publishRoutingRule(id: $id) {{ {RULE} }} }}");
    let v2 = app
        .gql(Some(&team.owner.access), &publish, json!({"id": v2["id"]}))
        .await
        .data("publishRoutingRule")
        .clone();
    assert_eq!(v2["status"], "PUBLISHED", "{v2}");
    assert_eq!(v2["assignedCount"], 2, "the rule's count goes on: {v2}");
    let rules = published(&app, &team).await;
    assert_eq!(rules.len(), 1, "{rules:?}");
    assert_eq!(rules[0]["id"], v2["id"]);
    let third = routed(&app, &team, "cy@three.example").await;
    assert_routed_by(&third, &other.user_id, &v2, 2);

    // A superseded version is not published again; it is rolled back to.
    let stale = app
        .gql(Some(&team.owner.access), &publish, json!({"id": v1["id"]}))
        .await;
    assert_eq!(stale.code(), "CONFLICT", "{}", stale.raw);
    let rollback = format!("mutation($id: ID!) {{ rollbackRoutingRule(id: $id) {{ {RULE} }} }}");
    let live = app
        .gql(Some(&team.owner.access), &rollback, json!({"id": v2["id"]}))
        .await;
    assert_eq!(
        live.code(),
        "CONFLICT",
        "the published version: {}",
        live.raw
    );

    // Rolling back to version 1: its definition is live again, as version 3.
    let v3 = app
        .gql(Some(&team.owner.access), &rollback, json!({"id": v1["id"]}))
        .await
        .data("rollbackRoutingRule")
        .clone();
    assert_eq!(v3["version"], 3, "{v3}");
    assert_eq!(v3["status"], "PUBLISHED");
    assert_eq!(v3["ruleId"], v1["ruleId"]);
    assert_eq!(v3["targets"], v1["targets"]);
    assert_eq!(v3["assignedCount"], 3);
    let fourth = routed(&app, &team, "dee@four.example").await;
    assert_routed_by(&fourth, &rep, &v3, 3);

    // The history of the rule, and the leads still naming the version that routed them.
    let history = app
        .gql(
            Some(&team.owner.access),
            "{ routingRules { nodes { id versions { version status } } } }",
            json!({}),
        )
        .await;
    let nodes = history.data("routingRules")["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 3, "every version is listed: {nodes:?}");
    let of_v3 = nodes.iter().find(|n| n["id"] == v3["id"]).unwrap();
    assert_eq!(
        of_v3["versions"],
        json!([
            {"version": 1, "status": "SUPERSEDED"},
            {"version": 2, "status": "SUPERSEDED"},
            {"version": 3, "status": "PUBLISHED"},
        ])
    );
    assert_eq!(published(&app, &team).await[0]["assignedCount"], 4);
    assert_routed_by(&lead(&app, &team, "ann@one.example").await, &rep, &v1, 1);
    assert_routed_by(&lead(&app, &team, "bob@two.example").await, &rep, &v1, 1);
    assert_routed_by(
        &lead(&app, &team, "cy@three.example").await,
        &other.user_id,
        &v2,
        2,
    );

    // Deleting a published version deletes the rule: nothing routes by it any more.
    app.gql(
        Some(&team.owner.access),
        "mutation($id: ID!) { deleteRoutingRule(id: $id) }",
        json!({"id": v3["id"]}),
    )
    .await
    .data("deleteRoutingRule");
    let gone = app
        .gql(
            Some(&team.owner.access),
            "{ routingRules { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(gone.data("routingRules")["totalCount"], 0, "{}", gone.raw);
    let waiting = routed(&app, &team, "eve@five.example").await;
    assert_eq!(waiting["routing"]["by"], "fallback", "{waiting}");
}

/// Rules stored before versions existed become version 1 of themselves, published, and keep
/// their round-robin count.
#[actix_web::test]
async fn rules_stored_before_versions_are_version_1_published() {
    use migration::{Migrator, MigratorTrait};
    use sea_orm::{sea_query::Alias, ConnectionTrait, EntityTrait, Set};

    let backend = crate::support::Backend::fresh();
    let db = accord_api::db::connect_url(
        &backend.database_url,
        2,
        backend.database_schema.as_deref(),
        std::time::Duration::from_secs(10),
    )
    .await
    .unwrap();
    // Everything up to lead recycling, the thirteenth migration.
    Migrator::up(&db, Some(13)).await.unwrap();
    let now = chrono::Utc::now();
    let workspace_id = uuid::Uuid::now_v7();
    entity::workspace::Entity::insert(entity::workspace::ActiveModel {
        id: Set(workspace_id),
        name: Set("Old".into()),
        slug: Set("old-rules".into()),
        created_at: Set(now),
    })
    .exec(&db)
    .await
    .unwrap();
    let rule_id = uuid::Uuid::now_v7();
    let columns = [
        "id",
        "workspace_id",
        "name",
        "position",
        "criteria",
        "targets",
        "strategy",
        "capacity",
        "assigned_count",
        "created_at",
        "updated_at",
    ];
    let insert = sea_orm::sea_query::Query::insert()
        .into_table(Alias::new("routing_rules"))
        .columns(columns.map(Alias::new))
        .values_panic([
            rule_id.into(),
            workspace_id.into(),
            "Everyone".into(),
            1.into(),
            json!({"field": "lead.stage", "op": "EXISTS"}).into(),
            json!([]).into(),
            "ROUND_ROBIN".into(),
            Option::<i32>::None.into(),
            7i64.into(),
            now.into(),
            now.into(),
        ])
        .to_owned();
    db.execute(&insert).await.unwrap();

    Migrator::up(&db, None).await.unwrap();

    let rule = entity::routing_rule::Entity::find_by_id(rule_id)
        .one(&db)
        .await
        .unwrap()
        .expect("the rule is still there");
    assert_eq!(rule.family_id, rule_id, "the rule is its own first version");
    assert_eq!(rule.version, 1);
    assert_eq!(rule.status, entity::RoutingRuleStatus::Published);
    assert_eq!(rule.published_at, Some(rule.created_at));
    assert_eq!(rule.assigned_count, 7);
    let routed_by = accord_api::store::routing_rules::in_order(
        &accord_api::store::Store::new(db.clone()).tenant(workspace_id),
    )
    .await
    .unwrap();
    assert_eq!(
        routed_by.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![rule_id]
    );
}
