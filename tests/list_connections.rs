//! Issue 19, item 15: routing rules, action items, messaging tests, goals, webhooks and a
//! webhook's deliveries are Relay connections, paged in the store with `first`/`after` and
//! `last`/`before`, keeping their filters (`openOnly`, `runningOnly`, `webhookId`, `status`) and
//! their orders (rules by position, goals latest period first, tests and deliveries newest
//! first).

use serde_json::{json, Value};

use crate::support::{
    fixtures::{hot_lead, team, three_messaging_tests},
    TestApp,
};

/// Reads `field` (a connection selected by `selection`, with `args` before the page
/// arguments) two at a time from the start, and returns each node and the total count. Also
/// checks that `last: 1` is the final node and `before` its cursor the one before it.
async fn walk(app: &TestApp, token: &str, field: &str, args: &str, selection: &str) -> Vec<Value> {
    let sep = if args.is_empty() { "" } else { ", " };
    let document = format!(
        "query($first: Int, $after: String, $last: Int, $before: String) {{ {field}({args}{sep}first: $first, after: $after, last: $last, before: $before) {{ totalCount pageInfo {{ hasNextPage hasPreviousPage endCursor }} edges {{ cursor node {{ {selection} }} }} }} }}"
    );
    let mut nodes = Vec::new();
    let mut cursors = Vec::new();
    let mut after = Value::Null;
    let mut total;
    loop {
        let reply = app
            .gql(Some(token), &document, json!({"first": 2, "after": after}))
            .await;
        let page = reply.data(field).clone();
        let edges = page["edges"].as_array().unwrap();
        assert!(edges.len() <= 2, "{field}: {}", reply.raw);
        assert_eq!(page["pageInfo"]["hasPreviousPage"], !after.is_null());
        total = Some(page["totalCount"].as_u64().unwrap());
        for edge in edges {
            cursors.push(edge["cursor"].clone());
            nodes.push(edge["node"].clone());
        }
        if page["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(total, Some(nodes.len() as u64), "{field}: totalCount");
    if let Some(final_node) = nodes.last() {
        let reply = app.gql(Some(token), &document, json!({"last": 1})).await;
        let page = reply.data(field);
        assert_eq!(&page["edges"][0]["node"], final_node, "{field}: last");
        assert_eq!(page["pageInfo"]["hasPreviousPage"], nodes.len() > 1);
        if nodes.len() > 1 {
            let reply = app
                .gql(
                    Some(token),
                    &document,
                    json!({"last": 1, "before": cursors.last()}),
                )
                .await;
            assert_eq!(
                reply.data(field)["edges"][0]["node"],
                nodes[nodes.len() - 2],
                "{field}: before"
            );
        }
    }
    nodes
}

fn names(nodes: &[Value], key: &str) -> Vec<Value> {
    nodes.iter().map(|n| n[key].clone()).collect()
}

#[actix_web::test]
async fn the_review_and_partner_lists_are_paged_connections() {
    let app = TestApp::start_with(|config| config.job_poll_ms = 3_600_000).await;
    let team = team(&app).await;
    let owner = team.owner.access.as_str();

    // Routing rules, in the order routing tries them: by position, whatever the creation order.
    for (name, position) in [("Last", 30), ("Middle", 20), ("Early", 5)] {
        let made = app
            .gql(
                Some(owner),
                "mutation($n: String!, $p: Int!, $r: ID!) { createRoutingRule(input: {name: $n, position: $p, criteria: {field: \"lead.stage\", op: EXISTS}, targets: [{userId: $r}]}) { id } }",
                json!({"n": name, "p": position, "r": team.rep.user_id}),
            )
            .await;
        made.data("createRoutingRule");
    }
    let rules = walk(&app, owner, "routingRules", "", "name position").await;
    let positions: Vec<i64> = rules
        .iter()
        .map(|r| r["position"].as_i64().unwrap())
        .collect();
    assert_eq!(rules.len(), 4, "the team's own rule and three more");
    assert!(positions.windows(2).all(|w| w[0] <= w[1]), "{positions:?}");
    assert_eq!(rules.last().unwrap()["name"], "Last");

    // Action items, oldest first, open ones by default.
    let mut items = Vec::new();
    for title in ["One", "Two", "Three"] {
        let made = app
            .gql(
                Some(owner),
                "mutation($t: String!, $o: ID!) { createActionItem(input: {title: $t, ownerId: $o}) { id } }",
                json!({"t": title, "o": team.cro.user_id}),
            )
            .await;
        items.push(made.data("createActionItem")["id"].clone());
    }
    app.gql(
        Some(owner),
        "mutation($id: ID!) { completeActionItem(id: $id) { id } }",
        json!({"id": items[1]}),
    )
    .await
    .data("completeActionItem");
    let open = walk(&app, owner, "actionItems", "", "title").await;
    assert_eq!(names(&open, "title"), vec![json!("One"), json!("Three")]);
    let all = walk(&app, owner, "actionItems", "openOnly: false", "title").await;
    assert_eq!(
        names(&all, "title"),
        vec![json!("One"), json!("Two"), json!("Three")]
    );

    // Messaging tests, most recently started first; `runningOnly` leaves out the ended one.
    three_messaging_tests(&app, owner).await;
    let tests = walk(&app, owner, "messagingTests", "", "name").await;
    assert_eq!(
        names(&tests, "name"),
        vec![json!("March"), json!("February"), json!("January")]
    );
    let running = walk(&app, owner, "messagingTests", "runningOnly: true", "name").await;
    assert_eq!(
        names(&running, "name"),
        vec![json!("March"), json!("February")]
    );

    // Goals, latest period first.
    for (name, start) in [
        ("Q1", "2027-01-01"),
        ("Q3", "2027-07-01"),
        ("Q2", "2027-04-01"),
    ] {
        let made = app
            .gql(
                Some(owner),
                "mutation($n: String!, $s: NaiveDate!, $o: [ID!]!) { createGoal(input: {name: $n, metric: SALS, target: 10, period: {start: $s, months: 3}, ownerIds: $o}) { id } }",
                json!({"n": name, "s": start, "o": [team.cmo.user_id, team.cro.user_id]}),
            )
            .await;
        made.data("createGoal");
    }
    let goals = walk(&app, owner, "goals", "", "name").await;
    assert_eq!(
        names(&goals, "name"),
        vec![json!("Q3"), json!("Q2"), json!("Q1")]
    );

    // Webhooks, oldest first, and one webhook's deliveries, newest first.
    let mut hooks = Vec::new();
    for url in [
        "https://one.example.com/hook",
        "https://two.example.com/hook",
        "https://three.example.com/hook",
    ] {
        let made = app
            .gql(
                Some(owner),
                "mutation($u: String!) { createWebhook(input: {url: $u, events: [\"lead.mql\"]}) { webhook { id } } }",
                json!({"u": url}),
            )
            .await;
        hooks.push(made.data("createWebhook")["webhook"]["id"].clone());
    }
    let listed = walk(&app, owner, "webhooks", "", "id url").await;
    assert_eq!(names(&listed, "id"), hooks);
    for email in ["ana@paged.io", "ben@paged.io", "cy@paged.io"] {
        hot_lead(&app, &team, email, "Webinar").await;
    }
    let deliveries = walk(
        &app,
        owner,
        "webhookDeliveries",
        &format!("webhookId: {}", hooks[0]),
        "id event payload createdAt",
    )
    .await;
    assert_eq!(deliveries.len(), 3);
    assert!(deliveries.iter().all(|d| d["event"] == "lead.mql"));
    let times: Vec<&str> = deliveries
        .iter()
        .map(|d| d["createdAt"].as_str().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "{times:?}");
}

#[actix_web::test]
async fn goals_show_at_risk_and_a_messaging_test_ends_with_its_result() {
    let app = TestApp::start_with(|config| config.job_poll_ms = 3_600_000).await;
    let team = team(&app).await;
    let owner = team.owner.access.as_str();
    app.state.clock.freeze_at(
        chrono::DateTime::parse_from_rfc3339("2027-03-16T12:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc),
    );

    // Half of March gone with no SAL: behind. April has not started: not at risk.
    for (name, start) in [("March SALs", "2027-03-01"), ("April SALs", "2027-04-01")] {
        let made = app
            .gql(
                Some(owner),
                "mutation($n: String!, $s: NaiveDate!, $o: [ID!]!) { createGoal(input: {name: $n, metric: SALS, target: 10, period: {start: $s, months: 1}, ownerIds: $o}) { id } }",
                json!({"n": name, "s": start, "o": [team.cmo.user_id, team.cro.user_id]}),
            )
            .await;
        made.data("createGoal");
    }
    let goals = app
        .gql(
            Some(owner),
            "{ goals { nodes { name atRisk } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        goals.data("goals")["nodes"],
        json!([
            {"name": "April SALs", "atRisk": false},
            {"name": "March SALs", "atRisk": true},
        ])
    );

    // A running test ends now, with its result; it is no longer running, and ends only once.
    let mut assets = Vec::new();
    for name in ["A copy", "B copy"] {
        let made = app
            .gql(
                Some(owner),
                "mutation($n: String!) { createAsset(input: {name: $n, kind: EBOOK, funnelStage: AWARENESS}) { id } }",
                json!({"n": name}),
            )
            .await;
        assets.push(made.data("createAsset")["id"].clone());
    }
    let test = app
        .gql(
            Some(owner),
            "mutation($a: ID!, $b: ID!) { createMessagingTest(input: {name: \"Subjects\", startedAt: \"2027-03-01T09:00:00Z\", variants: [{label: \"A\", assetId: $a}, {label: \"B\", assetId: $b}]}) { id endedAt } }",
            json!({"a": assets[0], "b": assets[1]}),
        )
        .await;
    let id = test.data("createMessagingTest")["id"].clone();
    assert_eq!(test.data("createMessagingTest")["endedAt"], Value::Null);
    const END: &str = "mutation($id: ID!) { endMessagingTest(id: $id) { id endedAt result { conclusive variants { label touches } } } }";
    let ended = app.gql(Some(owner), END, json!({"id": id})).await;
    let ended = ended.data("endMessagingTest");
    assert!(
        ended["endedAt"]
            .as_str()
            .unwrap()
            .starts_with("2027-03-16T12:00:00"),
        "{ended}"
    );
    assert_eq!(ended["result"]["conclusive"], false);
    assert_eq!(ended["result"]["variants"].as_array().unwrap().len(), 2);
    let running = app
        .gql(
            Some(owner),
            "{ messagingTests(runningOnly: true) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(running.data("messagingTests")["totalCount"], 0);
    let again = app.gql(Some(owner), END, json!({"id": id})).await;
    assert_eq!(again.code(), "CONFLICT");
    // A rep may not end one.
    let by_rep = app
        .gql(Some(&team.rep.access), END, json!({"id": id}))
        .await;
    assert_eq!(by_rep.code(), "FORBIDDEN");
}

/// The names `field` lists under `args`, read one at a time with `first: 1`/`after`; `name`
/// selects the node's name (`name: title` where it is a title).
async fn names_one_by_one(
    app: &TestApp,
    token: &str,
    (field, name): (&str, &str),
    args: &str,
) -> Vec<String> {
    let document = format!(
        "query($after: String) {{ {field}({args}, first: 1, after: $after) {{ totalCount pageInfo {{ hasNextPage endCursor }} edges {{ node {{ {name} }} }} }} }}"
    );
    let mut names = Vec::new();
    let mut after = Value::Null;
    loop {
        let reply = app
            .gql(Some(token), &document, json!({"after": after}))
            .await;
        let page = reply.data(field).clone();
        let edges = page["edges"].as_array().unwrap();
        assert!(edges.len() <= 1, "{field}: {}", reply.raw);
        for edge in edges {
            names.push(edge["node"]["name"].as_str().unwrap().to_owned());
        }
        if page["pageInfo"]["hasNextPage"] != true {
            assert_eq!(page["totalCount"].as_u64(), Some(names.len() as u64));
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    names
}

/// A named list: the mutation creating a row from `$n` (its name) and `$k` (the value its
/// filter picks on), the two `$k` values, a filter (given the first `$k` value) and the names
/// it keeps, by name descending.
struct NamedList {
    field: &'static str,
    name: &'static str,
    /// The name a row is made with, from the test's label.
    spell: fn(&str) -> String,
    create: &'static str,
    created: &'static str,
    picked: Value,
    other: Value,
    filter: fn(&Value) -> String,
    expect: &'static [&'static str],
}

#[actix_web::test]
async fn named_lists_filter_and_order_by_name_and_creation() {
    let app = TestApp::start_with(|config| config.job_poll_ms = 3_600_000).await;
    let team = team(&app).await;
    let owner = team.owner.access.as_str();
    let hub = app
        .gql(
            Some(owner),
            "mutation { createSource(input: {name: \"Campaign hub\", kind: EVENT}) { id } }",
            json!({}),
        )
        .await
        .data("createSource")["id"]
        .clone();
    let table = [
        NamedList {
            field: "sources",
            name: "name",
            spell: str::to_owned,
            create: "mutation($n: String!, $k: SourceKind!) { createSource(input: {name: $n, kind: $k}) { id } }",
            created: "createSource",
            picked: json!("ORGANIC"),
            other: json!("WEBINAR"),
            filter: |_| "nameContains: \"zq\", kind: [ORGANIC]".to_owned(),
            expect: &["zq charlie", "zq bravo"],
        },
        NamedList {
            field: "campaigns",
            name: "name",
            spell: str::to_owned,
            create: "mutation($n: String!, $k: ID) { createCampaign(input: {name: $n, sourceId: $k}) { id } }",
            created: "createCampaign",
            picked: hub.clone(),
            other: Value::Null,
            filter: |hub| format!("nameContains: \"zq\", sourceId: {hub}"),
            expect: &["zq charlie", "zq bravo"],
        },
        NamedList {
            field: "assets",
            name: "name",
            spell: str::to_owned,
            create: "mutation($n: String!, $k: AssetKind!) { createAsset(input: {name: $n, kind: $k, funnelStage: AWARENESS}) { id } }",
            created: "createAsset",
            picked: json!("EBOOK"),
            other: json!("WEBINAR"),
            filter: |_| "nameContains: \"zq\", kind: [EBOOK]".to_owned(),
            expect: &["zq charlie", "zq bravo"],
        },
        NamedList {
            field: "cadences",
            name: "name",
            spell: str::to_owned,
            create: "mutation($n: String!, $k: String) { createCadence(input: {name: $n, description: $k, steps: [{dayOffset: 0, channel: EMAIL, theme: NEXT_STEP}]}) { id } }",
            created: "createCadence",
            picked: json!("first"),
            other: Value::Null,
            filter: |_| "nameContains: \"Q CH\"".to_owned(),
            expect: &["zq charlie"],
        },
        NamedList {
            field: "routingRules",
            name: "name",
            spell: str::to_owned,
            create: "mutation($n: String!, $k: ID!) { createRoutingRule(input: {name: $n, position: 500, criteria: {field: \"lead.stage\", op: EXISTS}, targets: [{userId: $k}]}) { id } }",
            created: "createRoutingRule",
            picked: json!(team.rep.user_id),
            other: json!(team.rep.user_id),
            filter: |_| "nameContains: \"Q CH\", status: [PUBLISHED]".to_owned(),
            expect: &["zq charlie"],
        },
        NamedList {
            field: "actionItems",
            name: "name: title",
            spell: str::to_owned,
            create: "mutation($n: String!, $k: ID!) { createActionItem(input: {title: $n, ownerId: $k}) { id } }",
            created: "createActionItem",
            picked: json!(team.cro.user_id),
            other: json!(team.cmo.user_id),
            filter: |owner| format!("titleContains: \"zq\", ownerId: {owner}"),
            expect: &["zq charlie", "zq bravo"],
        },
        NamedList {
            field: "webhooks",
            name: "name: url",
            spell: |label| format!("https://{}.example.com/hook", label.replace(' ', "-")),
            create: "mutation($n: String!, $k: [String!]!) { createWebhook(input: {url: $n, events: $k}) { webhook { id } } }",
            created: "createWebhook",
            picked: json!(["lead.mql"]),
            other: json!(["lead.assigned"]),
            filter: |_| "urlContains: \"ZQ-C\", status: [ACTIVE]".to_owned(),
            expect: &["zq charlie"],
        },
        NamedList {
            field: "icps",
            name: "name",
            spell: str::to_owned,
            create: "mutation($n: String!, $k: IcpMotion!) { createIcp(input: {name: $n, motion: $k}) { id } }",
            created: "createIcp",
            picked: json!("LAND"),
            other: json!("EXPAND"),
            filter: |_| "nameContains: \"zq\", motion: [LAND], status: [DRAFT]".to_owned(),
            expect: &["zq charlie", "zq bravo"],
        },
    ];
    for list in &table {
        let field = list.field;
        let listed = (field, list.name);
        // Created out of name order; the middle one differs in the filtered field.
        for (name, value) in [
            ("zq bravo", &list.picked),
            ("zq alpha", &list.other),
            ("zq charlie", &list.picked),
        ] {
            app.gql(
                Some(owner),
                list.create,
                json!({"n": (list.spell)(name), "k": value}),
            )
            .await
            .data(list.created);
        }
        let (contains, by_name) = match list.name {
            "name" => ("nameContains", "NAME"),
            "name: title" => ("titleContains", "TITLE"),
            _ => ("urlContains", "URL"),
        };
        let spelled = |labels: &[&str]| -> Vec<String> {
            labels.iter().map(|label| (list.spell)(label)).collect()
        };
        let mine = format!("filter: {{{contains}: \"ZQ\"}}");
        assert_eq!(
            names_one_by_one(&app, owner, listed, &mine).await,
            spelled(&["zq bravo", "zq alpha", "zq charlie"]),
            "{field}: oldest first by default"
        );
        assert_eq!(
            names_one_by_one(
                &app,
                owner,
                listed,
                &format!("{mine}, orderBy: {{field: CREATED_AT, direction: DESC}}")
            )
            .await,
            spelled(&["zq charlie", "zq alpha", "zq bravo"]),
            "{field}: newest first"
        );
        assert_eq!(
            names_one_by_one(
                &app,
                owner,
                listed,
                &format!("{mine}, orderBy: {{field: {by_name}}}")
            )
            .await,
            spelled(&["zq alpha", "zq bravo", "zq charlie"]),
            "{field}: by name"
        );
        assert_eq!(
            names_one_by_one(
                &app,
                owner,
                listed,
                &format!("{mine}, orderBy: {{field: {by_name}, direction: DESC}}")
            )
            .await,
            spelled(&["zq charlie", "zq bravo", "zq alpha"]),
            "{field}: by name, descending"
        );
        let picked = format!(
            "filter: {{{}}}, orderBy: {{field: {by_name}, direction: DESC}}",
            (list.filter)(&list.picked)
        );
        assert_eq!(
            names_one_by_one(&app, owner, listed, &picked).await,
            spelled(list.expect),
            "{field}: filtered"
        );
    }
    // The older `status` argument still applies next to the filter.
    let icps = "{ d: icps(status: DRAFT, filter: {nameContains: \"zq\"}) { totalCount } a: icps(status: ACTIVE, filter: {nameContains: \"zq\", status: [DRAFT]}) { totalCount } }";
    let reply = app.gql(Some(owner), icps, json!({})).await;
    assert_eq!(reply.data("d")["totalCount"], 3);
    assert_eq!(reply.data("a")["totalCount"], 0);
}
