//! `Account.buyingCommittee` on the Acme of `accounts_in_market` (its ICP: VP Sales TRIGGERS,
//! CFO INFLUENCES, Procurement BLOCKS), a `COMMITTEE_COVERED` play that starts once the VP of
//! Sales and the CFO have both engaged, and the committee of a page of accounts costing the same
//! statements whatever the page size (a DataLoader).

use chrono::Duration;
use serde_json::{json, Value};

use crate::accounts_in_market::{acme, event, lead_id, t0};
use crate::support::{icps::upsert_accounts, icps::upsert_contacts, TestApp};

const COMMITTEE: &str = "query($id: ID!) { account(id: $id) { buyingCommittee { icp covered missing personas { persona role missing present engaged30d engaged90d owned leads { email } } } } }";

async fn committee(app: &TestApp, access: &str, account: &Value) -> Value {
    app.gql(Some(access), COMMITTEE, json!({"id": account}))
        .await
        .data("account")["buyingCommittee"]
        .clone()
}

fn seat(persona: &str, role: &str, counts: [i64; 4], emails: &[&str]) -> Value {
    let leads: Vec<Value> = emails.iter().map(|e| json!({"email": e})).collect();
    json!({"persona": persona, "role": role, "missing": counts[0] == 0, "present": counts[0],
           "engaged30d": counts[1], "engaged90d": counts[2], "owned": counts[3], "leads": leads})
}

#[actix_web::test]
async fn a_committee_half_covered_then_covered_starts_its_play_once() {
    let app = TestApp::start().await;
    let (team, account) = acme(&app, "Committee").await;
    let play = app
        .gql(
            Some(&team.owner.access),
            "mutation($input: PlayInput!) { createPlay(input: $input) { id trigger { kind } } }",
            json!({"input": {"name": "Work the committee", "cadenceId": team.cadence_id,
                             "trigger": {"kind": "COMMITTEE_COVERED"}}}),
        )
        .await
        .data("createPlay")
        .clone();
    assert_eq!(play["trigger"]["kind"], "COMMITTEE_COVERED");
    app.gql(
        Some(&team.owner.access),
        "mutation($id: ID!) { activatePlay(id: $id) { status } }",
        json!({"id": play["id"]}),
    )
    .await
    .data("activatePlay");

    // Before any event: everyone present, nobody engaged or owned; procurement missing.
    let before = committee(&app, &team.rep.access, &account).await;
    assert_eq!(
        before,
        json!({"icp": "Committee", "covered": false, "missing": ["Procurement"], "personas": [
            seat("VP Sales", "TRIGGERS", [1, 0, 0, 0], &["ann@acme.io"]),
            seat("CFO", "INFLUENCES", [1, 0, 0, 0], &["ben@acme.io"]),
            seat("Procurement", "BLOCKS", [0, 0, 0, 0], &[]),
        ]})
    );

    // Ann's demo request makes her a HOT MQL owned by the rep: half covered.
    event(&app, &team, "ann@acme.io", "demo_request").await;
    let half = committee(&app, &team.rep.access, &account).await;
    assert_eq!(half["covered"], false);
    assert_eq!(
        half["personas"][0],
        seat("VP Sales", "TRIGGERS", [1, 1, 1, 1], &["ann@acme.io"])
    );
    assert_eq!(
        half["personas"][1],
        seat("CFO", "INFLUENCES", [1, 0, 0, 0], &["ben@acme.io"])
    );
    let enrollments = "query($id: ID!) { lead(id: $id) { enrollments { nodes { play { id } } } } }";
    let ann = lead_id(&app, &team, "ann@acme.io").await;
    let ann_plays =
        |reply: &crate::support::Reply| reply.data("lead")["enrollments"]["nodes"].clone();
    let none = app
        .gql(Some(&team.owner.access), enrollments, json!({"id": ann}))
        .await;
    assert_eq!(ann_plays(&none), json!([]));

    // A day later Ben (CFO, 20 + fit 50: a WARM MQL, the rep's) attends a webinar: covered.
    // The play starts for Ann, the owned TRIGGERS contact, once.
    app.state.clock.freeze_at(t0() + Duration::days(1));
    event(&app, &team, "ben@acme.io", "webinar_attended").await;
    let covered = committee(&app, &team.rep.access, &account).await;
    assert_eq!(covered["covered"], true);
    assert_eq!(
        covered["personas"][1],
        seat("CFO", "INFLUENCES", [1, 1, 1, 1], &["ben@acme.io"])
    );
    let started = app
        .gql(Some(&team.owner.access), enrollments, json!({"id": ann}))
        .await;
    assert_eq!(ann_plays(&started), json!([{"play": {"id": play["id"]}}]));
    event(&app, &team, "ben@acme.io", "case_study_download").await;
    let again = app
        .gql(Some(&team.owner.access), enrollments, json!({"id": ann}))
        .await;
    assert_eq!(ann_plays(&again).as_array().unwrap().len(), 1);

    // 45 days on nobody has engaged for 30 days: engaged in 90 days, no longer covered.
    app.state.clock.freeze_at(t0() + Duration::days(45));
    let stale = committee(&app, &team.rep.access, &account).await;
    assert_eq!(stale["covered"], false);
    assert_eq!(
        stale["personas"][0],
        seat("VP Sales", "TRIGGERS", [1, 0, 1, 1], &["ann@acme.io"])
    );
}

#[actix_web::test]
async fn committees_of_a_page_of_accounts_cost_constant_statements() {
    let app = TestApp::start_with(|config| config.job_poll_ms = 3_600_000).await;
    let (team, _) = acme(&app, "Committee pages").await;
    let accounts: Vec<Value> = (0..30)
        .map(|i| json!({"domain": format!("firm{i}.io"), "name": format!("Firm {i}"), "industry": "Software"}))
        .collect();
    upsert_accounts(&app, &team.owner, json!(accounts)).await;
    let contacts: Vec<Value> = (0..30)
        .flat_map(|i| {
            [
                json!({"email": format!("vp@firm{i}.io"), "title": "VP Sales", "accountDomain": format!("firm{i}.io")}),
                json!({"email": format!("cfo@firm{i}.io"), "title": "CFO", "accountDomain": format!("firm{i}.io")}),
            ]
        })
        .collect();
    upsert_contacts(&app, &team.owner, json!(contacts)).await;
    let page = "query($n: Int) { accounts(first: $n) { edges { node { domain buyingCommittee { covered personas { present leads { email } } } } } } }";
    let mut costs = Vec::new();
    for n in [5, 25] {
        let mut fewest = u64::MAX;
        for _ in 0..4 {
            let before = app.state.prometheus.statements();
            let reply = app
                .gql(Some(&team.owner.access), page, json!({"n": n}))
                .await;
            let edges = reply.data("accounts")["edges"].as_array().unwrap().clone();
            assert_eq!(edges.len(), n);
            let firm = edges
                .iter()
                .find(|e| e["node"]["domain"] == "firm3.io")
                .map(|e| e["node"]["buyingCommittee"].clone());
            if let Some(firm) = firm {
                assert_eq!(
                    firm["personas"],
                    json!([{"present": 1, "leads": [{"email": "vp@firm3.io"}]},
                           {"present": 1, "leads": [{"email": "cfo@firm3.io"}]},
                           {"present": 0, "leads": []}])
                );
            }
            fewest = fewest.min(app.state.prometheus.statements() - before);
        }
        costs.push(fewest);
    }
    assert_eq!(
        costs[0], costs[1],
        "statements for 5 and 25 accounts: {costs:?}"
    );
    // The page, the ICPs, the contacts, the leads by id: a handful, never one per account.
    assert!(costs[1] <= 6, "{costs:?}");
}

#[actix_web::test]
async fn the_demo_has_a_hot_account_and_a_committee_half_covered() {
    use accord_api::demo::{self, DemoArgs};
    let app = TestApp::start().await;
    let args = DemoArgs {
        seed: 7,
        days: 50,
        leads_per_day: 2,
    };
    let report = demo::run(&app.state, &args).await.expect("the demo builds");
    let token = crate::support::people::demo_access_token(&app, &report.email).await;
    let hot = app
        .gql(
            Some(&token),
            "{ accountsInMarket(first: 50) { edges { node { score account { owner { id } } reason { personas contacts { name } } } } } }",
            json!({}),
        )
        .await;
    let edges = hot.data("accountsInMarket")["edges"]
        .as_array()
        .unwrap()
        .clone();
    let scripted = edges
        .iter()
        .map(|e| &e["node"])
        .find(|n| n["reason"]["contacts"][0]["name"] == "Riley Chen")
        .unwrap_or_else(|| panic!("the scripted hot account: {}", hot.raw));
    assert!(scripted["score"].as_i64().unwrap() >= 100, "{scripted}");
    assert!(scripted["account"]["owner"]["id"].is_string(), "{scripted}");
    let personas = scripted["reason"]["personas"].as_array().unwrap();
    assert!(personas.contains(&json!("RevOps")) && personas.contains(&json!("Analyst")));

    let half = app
        .gql(
            Some(&token),
            "{ leads(filter: {search: \"jordan.lee@\"}) { edges { node { account { buyingCommittee { covered missing personas { persona engaged30d engaged90d } } } } } } }",
            json!({}),
        )
        .await;
    let committee = half.data("leads")["edges"][0]["node"]["account"]["buyingCommittee"].clone();
    assert_eq!(committee["covered"], false, "{}", half.raw);
    let seat = |name: &str| {
        committee["personas"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["persona"] == name)
            .cloned()
            .unwrap()
    };
    assert!(
        seat("RevOps")["engaged30d"].as_i64().unwrap() >= 1,
        "{committee}"
    );
    assert_eq!(seat("Analyst")["engaged30d"], 0, "{committee}");
    assert!(
        seat("Analyst")["engaged90d"].as_i64().unwrap() >= 1,
        "{committee}"
    );
}
