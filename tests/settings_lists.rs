//! Issue 19, item 15: the members, contract versions, messaging tests, goals and webhook
//! deliveries lists take a `filter` and an `orderBy`, page one row at a time in that order,
//! and keep the arguments they had before (`status`, `runningOnly`, `includeClosed`).

use serde_json::{json, Value};

use crate::support::{
    fixtures::{hot_lead, team, three_messaging_tests},
    TestApp,
};

/// What `field(args)` lists, read with `first: 1`/`after` to the end: the value at `pointer`
/// in each node `selection` selects. Checks `totalCount` against what was read.
async fn one_by_one(
    app: &TestApp,
    token: &str,
    field: &str,
    args: &str,
    (selection, pointer): (&str, &str),
) -> Vec<Value> {
    let sep = if args.is_empty() { "" } else { ", " };
    let document = format!(
        "query($after: String) {{ {field}({args}{sep}first: 1, after: $after) {{ totalCount pageInfo {{ hasNextPage endCursor }} edges {{ node {{ {selection} }} }} }} }}"
    );
    let mut values = Vec::new();
    let mut after = Value::Null;
    loop {
        let reply = app
            .gql(Some(token), &document, json!({"after": after}))
            .await;
        let page = reply.data(field).clone();
        let edges = page["edges"].as_array().unwrap();
        assert!(edges.len() <= 1, "{field}: {}", reply.raw);
        for edge in edges {
            values.push(edge["node"].pointer(pointer).cloned().unwrap_or_default());
        }
        if page["pageInfo"]["hasNextPage"] != true {
            assert_eq!(page["totalCount"].as_u64(), Some(values.len() as u64));
            return values;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
}

fn strings(values: &[&str]) -> Vec<Value> {
    values.iter().map(|v| json!(v)).collect()
}

#[actix_web::test]
async fn members_filter_by_role_and_text_and_order_by_name_email_and_seat() {
    let app = TestApp::start().await;
    let owner = app.owner("Directory").await;
    let zed = app.member_named(&owner, "REP", "Zed Rivers").await;
    app.member_named(&owner, "MARKETER", "Ann Marsh").await;
    let bo = app.member_named(&owner, "REP", "Bo Reyes").await;
    let token = owner.access.as_str();
    let name = ("user { name }", "/user/name");

    assert_eq!(
        one_by_one(&app, token, "members", "", name).await,
        strings(&["Test Person", "Zed Rivers", "Ann Marsh", "Bo Reyes"]),
        "oldest seat first by default"
    );
    assert_eq!(
        one_by_one(&app, token, "members", "orderBy: {field: NAME}", name).await,
        strings(&["Ann Marsh", "Bo Reyes", "Test Person", "Zed Rivers"]),
    );
    assert_eq!(
        one_by_one(
            &app,
            token,
            "members",
            "orderBy: {field: JOINED_AT, direction: DESC}",
            name
        )
        .await,
        strings(&["Bo Reyes", "Ann Marsh", "Zed Rivers", "Test Person"]),
    );
    // Emails start with the role: marketer-, owner-, rep-, rep-.
    let emails = one_by_one(
        &app,
        token,
        "members",
        "orderBy: {field: EMAIL, direction: DESC}",
        ("user { email }", "/user/email"),
    )
    .await;
    let mut sorted = emails.clone();
    sorted.sort_by(|a, b| b.as_str().cmp(&a.as_str()));
    assert_eq!(emails, sorted);
    assert!(emails[3].as_str().unwrap().starts_with("marketer-"));

    assert_eq!(
        one_by_one(
            &app,
            token,
            "members",
            "filter: {role: [REP]}, orderBy: {field: NAME, direction: DESC}",
            name
        )
        .await,
        strings(&["Zed Rivers", "Bo Reyes"]),
    );
    assert_eq!(
        one_by_one(&app, token, "members", "filter: {search: \"RE\"}", name).await,
        strings(&["Zed Rivers", "Bo Reyes"]),
        "in a name (Reyes) or an email (rep-...)"
    );
    app.gql(
        Some(token),
        "mutation($m: ID!) { setMemberAvailability(memberId: $m, outOfOffice: true) { id } }",
        json!({"m": zed.member_id}),
    )
    .await
    .data("setMemberAvailability");
    assert_eq!(
        one_by_one(&app, token, "members", "filter: {outOfOffice: true}", name).await,
        strings(&["Zed Rivers"]),
    );
    // A rep sees the directory too, the same way.
    assert_eq!(
        one_by_one(
            &app,
            &bo.access,
            "members",
            "filter: {role: [MARKETER]}",
            name
        )
        .await,
        strings(&["Ann Marsh"]),
    );
    let bad = app
        .gql(
            Some(token),
            "{ members(filter: {managerId: \"nope\"}) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(bad.code(), "NOT_FOUND", "{}", bad.raw);
}

#[actix_web::test]
async fn contract_versions_tests_goals_and_deliveries_filter_and_order() {
    let app = TestApp::start_with(|config| config.job_poll_ms = 3_600_000).await;
    let team = team(&app).await;
    let owner = team.owner.access.as_str();

    // Contract versions: the signed one (1) and a new draft (2); newest first by default.
    app.gql(
        Some(owner),
        "mutation { draftLeadContract { id } }",
        json!({}),
    )
    .await
    .data("draftLeadContract");
    let version = ("version status", "/version");
    assert_eq!(
        one_by_one(&app, owner, "leadContracts", "", version).await,
        vec![json!(2), json!(1)]
    );
    assert_eq!(
        one_by_one(
            &app,
            owner,
            "leadContracts",
            "orderBy: {field: VERSION, direction: ASC}",
            version
        )
        .await,
        vec![json!(1), json!(2)]
    );
    assert_eq!(
        one_by_one(
            &app,
            owner,
            "leadContracts",
            "filter: {status: [ACTIVE]}",
            version
        )
        .await,
        vec![json!(1)]
    );
    assert_eq!(
        one_by_one(
            &app,
            owner,
            "leadContracts",
            "status: DRAFT, filter: {status: [ACTIVE]}",
            version
        )
        .await,
        Vec::<Value>::new(),
        "the older argument and the filter both apply"
    );

    // Messaging tests: January has ended; most recently started first by default.
    three_messaging_tests(&app, owner).await;
    let name = ("name", "/name");
    let tests = |args: &'static str| one_by_one(&app, owner, "messagingTests", args, name);
    assert_eq!(tests("").await, strings(&["March", "February", "January"]));
    assert_eq!(
        tests("orderBy: {field: NAME, direction: ASC}").await,
        strings(&["February", "January", "March"])
    );
    assert_eq!(
        tests("orderBy: {field: CREATED_AT}").await,
        strings(&["February", "March", "January"]),
        "descending unless asked"
    );
    assert_eq!(
        tests("filter: {nameContains: \"UAR\"}").await,
        strings(&["February", "January"])
    );
    assert_eq!(
        tests("filter: {running: false}").await,
        strings(&["January"])
    );
    assert_eq!(
        tests("runningOnly: true, filter: {running: false}").await,
        strings(&["January"]),
        "the filter decides"
    );
    assert_eq!(
        tests("runningOnly: true").await,
        strings(&["March", "February"])
    );

    // Goals: Q1 is closed; the open ones by default, latest period first.
    let mut goals = Vec::new();
    for (name, metric, start) in [
        ("Q1 SALs", "SALS", "2027-01-01"),
        ("Q3 MQLs", "MQLS", "2027-07-01"),
        ("Q2 SALs", "SALS", "2027-04-01"),
    ] {
        let made = app
            .gql(
                Some(owner),
                "mutation($n: String!, $m: GoalMetric!, $s: NaiveDate!, $o: [ID!]!) { createGoal(input: {name: $n, metric: $m, target: 10, period: {start: $s, months: 3}, ownerIds: $o}) { id } }",
                json!({"n": name, "m": metric, "s": start, "o": [team.cmo.user_id, team.cro.user_id]}),
            )
            .await;
        goals.push(made.data("createGoal")["id"].clone());
    }
    app.gql(
        Some(owner),
        "mutation($id: ID!) { closeGoal(id: $id) { id } }",
        json!({"id": goals[0]}),
    )
    .await
    .data("closeGoal");
    let goals = |args: &'static str| one_by_one(&app, owner, "goals", args, name);
    assert_eq!(goals("").await, strings(&["Q3 MQLs", "Q2 SALs"]));
    assert_eq!(
        goals("includeClosed: true").await,
        strings(&["Q3 MQLs", "Q2 SALs", "Q1 SALs"])
    );
    assert_eq!(goals("filter: {closed: true}").await, strings(&["Q1 SALs"]));
    assert_eq!(
        goals("includeClosed: true, filter: {metric: [SALS]}, orderBy: {field: PERIOD_START, direction: ASC}").await,
        strings(&["Q1 SALs", "Q2 SALs"])
    );
    assert_eq!(
        goals("includeClosed: true, orderBy: {field: NAME, direction: ASC}").await,
        strings(&["Q1 SALs", "Q2 SALs", "Q3 MQLs"])
    );
    assert_eq!(
        goals("filter: {nameContains: \"sal\"}, orderBy: {field: CREATED_AT}").await,
        strings(&["Q2 SALs"]),
    );

    // Deliveries: two events per hot lead (MQL, then assigned), newest first by default.
    let hook = app
        .gql(
            Some(owner),
            "mutation { createWebhook(input: {url: \"https://hooks.example.com/in\", events: [\"lead.mql\", \"lead.assigned\"]}) { webhook { id } } }",
            json!({}),
        )
        .await
        .data("createWebhook")["webhook"]["id"]
        .clone();
    for email in ["ana@deliver.io", "ben@deliver.io"] {
        hot_lead(&app, &team, email, "Webinar").await;
    }
    // Disabled, its pending deliveries are cancelled: the sender leaves them alone while they
    // are paged by their next attempt.
    app.gql(
        Some(owner),
        "mutation($id: ID!) { updateWebhook(id: $id, input: {active: false}) { id } }",
        json!({"id": hook}),
    )
    .await
    .data("updateWebhook");
    let of_hook = format!("webhookId: {hook}");
    let app = &app;
    let listed = |extra: &str| {
        let args = if extra.is_empty() {
            of_hook.clone()
        } else {
            format!("{of_hook}, {extra}")
        };
        async move {
            one_by_one(
                app,
                owner,
                "webhookDeliveries",
                &args,
                ("event payload", ""),
            )
            .await
        }
    };
    let newest_first = listed("").await;
    assert_eq!(newest_first.len(), 4);
    let oldest_first = listed("orderBy: {field: CREATED_AT, direction: ASC}").await;
    assert_eq!(
        oldest_first,
        newest_first.iter().rev().cloned().collect::<Vec<_>>()
    );
    let by_attempt = listed("orderBy: {field: NEXT_ATTEMPT_AT, direction: ASC}").await;
    assert_eq!(by_attempt.len(), 4);
    let assigned = listed("filter: {event: [\"lead.assigned\"]}").await;
    assert_eq!(assigned.len(), 2);
    assert!(assigned.iter().all(|d| d["event"] == "lead.assigned"));
    assert_eq!(
        listed("status: DELIVERED, filter: {event: [\"lead.mql\"]}")
            .await
            .len(),
        0,
        "the older argument and the filter both apply"
    );
    assert_eq!(
        listed("filter: {status: [CANCELLED], event: [\"lead.mql\"]}")
            .await
            .len(),
        2
    );
}
