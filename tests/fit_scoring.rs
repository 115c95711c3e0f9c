//! ICPs and fit scores: hand-computed scores for the seed's fit rules, background rescoring on
//! activation, versions, validation of the criteria and who may change the ICP.
//!
//! The fixture ICP is the seed's fit rules (DESIGN.md section 3) written with the criteria
//! language; every expected score below is derived by hand next to the assertion.

use std::time::Duration;

use serde_json::{json, Value};

use crate::support::{
    icps::{
        activate_icp, compare, create_icp, fit, icp, icp_count, rule, update_icp, upsert_accounts,
        upsert_contacts,
    },
    wait, Session, TestApp,
};

const SIZE: &str = "Company size in range";
const INDUSTRY: &str = "Industry match";
const GEOGRAPHY: &str = "Geographic fit";
const COMPETITOR: &str = "Competitor company";
const TITLE: &str = "Title matches ICP";
const BUSINESS_EMAIL: &str = "Business email";
const PERSONAL_EMAIL: &str = "Personal email";

/// The account criteria of the fixture ICP with their weights, in ICP order.
const ACCOUNT_RULES: [(&str, i64); 4] = [
    (SIZE, 20),
    (INDUSTRY, 15),
    (GEOGRAPHY, 10),
    (COMPETITOR, -50),
];
/// The contact criteria of the fixture ICP with their weights, in ICP order.
const CONTACT_RULES: [(&str, i64); 3] = [(TITLE, 25), (BUSINESS_EMAIL, 5), (PERSONAL_EMAIL, -10)];

/// The seed's fit rules as an `IcpInput` for the LAND motion.
fn seed_rules(name: &str) -> Value {
    json!({
        "name": name,
        "motion": "LAND",
        "accountCriteria": [
            rule(SIZE, 20, compare("account.employees", "BETWEEN", json!([200, 5000]))),
            rule(INDUSTRY, 15, compare("account.industry", "IN", json!(["Software", "SaaS"]))),
            rule(GEOGRAPHY, 10, compare("account.country", "IN", json!(["US", "CA", "GB"]))),
            rule(COMPETITOR, -50, compare("account.custom.competitor", "EQ", json!(true))),
        ],
        "contactCriteria": [
            rule(TITLE, 25, compare("contact.title", "MATCHES",
                json!(["vp sales", "head of sales", "chief revenue officer"]))),
            rule(BUSINESS_EMAIL, 5, compare("contact.personalEmail", "EQ", json!(false))),
            rule(PERSONAL_EMAIL, -10, compare("contact.personalEmail", "EQ", json!(true))),
        ],
    })
}

/// The `fitBreakdown` expected for `rules` when exactly the criteria named in `met` hold.
fn breakdown<'a>(rules: impl IntoIterator<Item = &'a (&'a str, i64)>, met: &[&str]) -> Value {
    rules
        .into_iter()
        .map(|(name, weight)| json!({"criterion": name, "weight": weight, "met": met.contains(name)}))
        .collect()
}

/// An account's breakdown: the account criteria only.
fn account_breakdown(met: &[&str]) -> Value {
    breakdown(&ACCOUNT_RULES, met)
}

/// A lead's breakdown: the account criteria (on its account), then the contact criteria.
fn lead_breakdown(met: &[&str]) -> Value {
    breakdown(ACCOUNT_RULES.iter().chain(&CONTACT_RULES), met)
}

/// Polls `fitScoring` until the recomputation started by activating `icp_id` is DONE; returns
/// the job. Fails after 15 s.
async fn wait_for_rescoring(app: &TestApp, session: &Session, icp_id: &Value) -> Value {
    wait::until(
        &format!("fit scoring for {icp_id} finishes"),
        Duration::from_secs(15),
        || async {
            let reply = app
                .gql(
                    Some(&session.access),
                    "{ fitScoring { icpId status processed total finishedAt } }",
                    json!({}),
                )
                .await;
            let job = reply.data("fitScoring").clone();
            (job["icpId"] == *icp_id && job["status"] == "DONE").then_some(job)
        },
    )
    .await
}

/// The fit scores of some accounts, then of some leads.
async fn scores(app: &TestApp, session: &Session, accounts: &[Value], leads: &[Value]) -> Vec<i64> {
    let mut found = Vec::new();
    for id in accounts {
        found.push(fit(app, session, "account", id).await.0);
    }
    for id in leads {
        found.push(fit(app, session, "lead", id).await.0);
    }
    found
}

/// An owner's workspace whose active LAND ICP is the seed's fit rules.
async fn workspace_with_seed_icp(app: &TestApp) -> (Session, Value) {
    let owner = app.owner("Fit").await;
    let icp = create_icp(app, &owner, seed_rules("Mid-market software")).await;
    activate_icp(app, &owner, &icp["id"]).await;
    (owner, icp["id"].clone())
}

/// A software company in range, in a fitting country: every account criterion but the
/// competitor one holds.
fn acme() -> Value {
    json!({"domain": "acme-soft.com", "name": "Acme Software", "industry": "Software",
           "employees": 400, "country": "US"})
}

/// A SaaS competitor that otherwise fits.
fn rival(competitor: bool) -> Value {
    json!({"domain": "rival.io", "name": "Rival", "industry": "SaaS", "employees": 1200,
           "country": "CA", "customAttributes": {"competitor": competitor}})
}

#[actix_web::test]
async fn fit_scores_match_the_seed_rules_computed_by_hand() {
    let app = TestApp::start().await;
    let (owner, _) = workspace_with_seed_icp(&app).await;
    let accounts = upsert_accounts(
        &app,
        &owner,
        json!([
            acme(),
            rival(true),
            {"domain": "cornershop.com", "name": "Corner Shop", "industry": "Retail",
             "employees": 12, "country": "BR"},
            {"domain": "globex.de", "name": "Globex", "industry": "Fintech",
             "employees": 5000, "country": "DE"},
        ]),
    )
    .await;
    let [acme_id, rival_id, shop_id, globex_id] = &accounts[..] else {
        panic!("four accounts")
    };

    // Accounts score on the account criteria only.
    // Acme: size 20 + industry 15 + geography 10 = 45.
    assert_eq!(
        fit(&app, &owner, "account", acme_id).await,
        (45, account_breakdown(&[SIZE, INDUSTRY, GEOGRAPHY]))
    );
    // Rival: 20 + 15 + 10 - 50 (competitor) = -5, clamped to 0.
    assert_eq!(
        fit(&app, &owner, "account", rival_id).await,
        (
            0,
            account_breakdown(&[SIZE, INDUSTRY, GEOGRAPHY, COMPETITOR])
        )
    );
    // Corner Shop: 12 employees, Retail, Brazil: nothing holds = 0.
    assert_eq!(
        fit(&app, &owner, "account", shop_id).await,
        (0, account_breakdown(&[]))
    );
    // Globex: 5,000 employees is inside BETWEEN [200, 5000] (inclusive) = 20; Fintech and
    // Germany are not in the lists.
    assert_eq!(
        fit(&app, &owner, "account", globex_id).await,
        (20, account_breakdown(&[SIZE]))
    );

    let leads = upsert_contacts(
        &app,
        &owner,
        json!([
            {"email": "jane@acme-soft.com", "title": "VP of Sales"},
            {"email": "jane.doe@gmail.com", "title": "VP Sales", "accountDomain": "acme-soft.com"},
            {"email": "sam@rival.io", "title": "Head of Sales"},
            {"email": "intern@gmail.com", "title": "Sales Intern", "accountDomain": "rival.io"},
            {"email": "cro@gmail.com", "title": "Chief Revenue Officer"},
            {"email": "ops@cornershop.com", "title": "Store Manager"},
            {"email": "max@globex.de", "title": "Chief Revenue Officer"},
        ]),
    )
    .await;
    let expected = [
        // VP of Sales at Acme, business email: title 25 + size 20 + industry 15
        // + geography 10 + business email 5 = 75.
        (75, vec![SIZE, INDUSTRY, GEOGRAPHY, TITLE, BUSINESS_EMAIL]),
        // The same profile with a gmail address: 25 + 20 + 15 + 10 - 10 (personal email) = 60.
        (60, vec![SIZE, INDUSTRY, GEOGRAPHY, TITLE, PERSONAL_EMAIL]),
        // Head of Sales at the competitor: 25 + 20 + 15 + 10 - 50 + 5 = 25.
        (
            25,
            vec![SIZE, INDUSTRY, GEOGRAPHY, COMPETITOR, TITLE, BUSINESS_EMAIL],
        ),
        // An intern with a gmail address at the competitor: 20 + 15 + 10 - 50 - 10 = -15,
        // clamped to 0.
        (
            0,
            vec![SIZE, INDUSTRY, GEOGRAPHY, COMPETITOR, PERSONAL_EMAIL],
        ),
        // A CRO with a gmail address and no account: contact criteria only, 25 - 10 = 15.
        (15, vec![TITLE, PERSONAL_EMAIL]),
        // A store manager at a small Brazilian retailer: business email only = 5.
        (5, vec![BUSINESS_EMAIL]),
        // A CRO at Globex: size 20 + title 25 + business email 5 = 50.
        (50, vec![SIZE, TITLE, BUSINESS_EMAIL]),
    ];
    assert_eq!(leads.len(), expected.len());
    for (index, (id, (score, met))) in leads.iter().zip(expected).enumerate() {
        assert_eq!(
            fit(&app, &owner, "lead", id).await,
            (score, lead_breakdown(&met)),
            "contact {index}"
        );
    }

    // The lead without an account really has none; the gmail VP is at Acme as asked.
    let accounts_of = app
        .gql(
            Some(&owner.access),
            "query($a: ID!, $b: ID!) { a: lead(id: $a) { personalEmail account { domain } } b: lead(id: $b) { personalEmail account { domain } } }",
            json!({"a": leads[4], "b": leads[1]}),
        )
        .await;
    let data = &accounts_of.body["data"];
    assert_eq!(
        data["a"],
        json!({"personalEmail": true, "account": null}),
        "{}",
        accounts_of.raw
    );
    assert_eq!(
        data["b"],
        json!({"personalEmail": true, "account": {"domain": "acme-soft.com"}})
    );
}

#[actix_web::test]
async fn changing_a_contact_rescores_it() {
    let app = TestApp::start().await;
    let (owner, _) = workspace_with_seed_icp(&app).await;
    upsert_accounts(&app, &owner, json!([acme()])).await;
    let ids = upsert_contacts(
        &app,
        &owner,
        json!([{"email": "jane.doe@gmail.com", "title": "VP Sales", "accountDomain": "acme-soft.com"}]),
    )
    .await;
    // 25 + 20 + 15 + 10 - 10 = 60.
    assert_eq!(fit(&app, &owner, "lead", &ids[0]).await.0, 60);

    upsert_contacts(
        &app,
        &owner,
        json!([{"email": "jane.doe@gmail.com", "title": "Marketing Intern"}]),
    )
    .await;
    // The contact is still at Acme (an update without `accountDomain` keeps the account)...
    let kept = app
        .gql(
            Some(&owner.access),
            "query($id: ID!) { lead(id: $id) { title account { domain } } }",
            json!({"id": ids[0]}),
        )
        .await;
    assert_eq!(
        kept.data("lead"),
        &json!({"title": "Marketing Intern", "account": {"domain": "acme-soft.com"}})
    );
    // ...and the title no longer matches: 20 + 15 + 10 - 10 = 35.
    assert_eq!(
        fit(&app, &owner, "lead", &ids[0]).await,
        (
            35,
            lead_breakdown(&[SIZE, INDUSTRY, GEOGRAPHY, PERSONAL_EMAIL])
        )
    );
}

#[actix_web::test]
async fn changing_an_account_rescores_its_contacts() {
    let app = TestApp::start_with(|c| {
        // The rescoring is the job loop's work: this test is about the loop.
        c.jobs_loop = true;
        c.job_poll_ms = 50;
    })
    .await;
    let (owner, _) = workspace_with_seed_icp(&app).await;
    let account = upsert_accounts(&app, &owner, json!([rival(true)])).await;
    let lead = upsert_contacts(
        &app,
        &owner,
        json!([{"email": "sam@rival.io", "title": "Head of Sales"}]),
    )
    .await;
    // 25 + 20 + 15 + 10 - 50 + 5 = 25.
    assert_eq!(fit(&app, &owner, "lead", &lead[0]).await.0, 25);

    upsert_accounts(&app, &owner, json!([rival(false)])).await;
    // No longer a competitor: the account is 20 + 15 + 10 = 45...
    assert_eq!(
        fit(&app, &owner, "account", &account[0]).await,
        (45, account_breakdown(&[SIZE, INDUSTRY, GEOGRAPHY]))
    );
    // ...and its contact 25 + 20 + 15 + 10 + 5 = 75, right away or at the latest once the
    // background work has run.
    let lines = wait::until(
        "the contact of a changed account gets its new fit score",
        Duration::from_secs(5),
        || async {
            let (score, lines) = fit(&app, &owner, "lead", &lead[0]).await;
            (score == 75).then_some(lines)
        },
    )
    .await;
    assert_eq!(
        lines,
        lead_breakdown(&[SIZE, INDUSTRY, GEOGRAPHY, TITLE, BUSINESS_EMAIL])
    );
}

#[actix_web::test]
async fn scores_clamp_at_one_hundred() {
    let app = TestApp::start().await;
    let owner = app.owner("Generous").await;
    let generous = json!({
        "name": "Everyone fits",
        "motion": "LAND",
        "accountCriteria": [
            rule("Has people", 100, compare("account.employees", "GTE", json!(1))),
            rule("In the US", 60, compare("account.country", "EQ", json!("US"))),
        ],
        "contactCriteria": [rule("Has a title", 30, json!({"field": "contact.title", "op": "EXISTS"}))],
    });
    let icp = create_icp(&app, &owner, generous).await;
    activate_icp(&app, &owner, &icp["id"]).await;
    let account = upsert_accounts(&app, &owner, json!([acme()])).await;
    let lead = upsert_contacts(
        &app,
        &owner,
        json!([{"email": "jane@acme-soft.com", "title": "VP of Sales"}]),
    )
    .await;
    // 100 + 60 = 160, clamped to 100.
    assert_eq!(fit(&app, &owner, "account", &account[0]).await.0, 100);
    // 100 + 60 + 30 = 190, clamped to 100.
    assert_eq!(fit(&app, &owner, "lead", &lead[0]).await.0, 100);
}

#[actix_web::test]
async fn activating_an_icp_rescores_existing_records_in_the_background() {
    let app = TestApp::start_with(|c| {
        // The rescoring is the job loop's work: this test is about the loop.
        c.jobs_loop = true;
        c.job_poll_ms = 50;
    })
    .await;
    let owner = app.owner("Rescoring").await;
    let accounts = upsert_accounts(&app, &owner, json!([acme(), rival(true)])).await;
    let leads = upsert_contacts(
        &app,
        &owner,
        json!([
            {"email": "jane@acme-soft.com", "title": "VP of Sales"},
            {"email": "jane.doe@gmail.com", "title": "VP Sales", "accountDomain": "acme-soft.com"},
            {"email": "sam@rival.io", "title": "Head of Sales"},
        ]),
    )
    .await;
    // No ICP is active yet: everything scores 0 with nothing to explain, and nothing ran.
    for id in &accounts {
        assert_eq!(fit(&app, &owner, "account", id).await, (0, json!([])));
    }
    for id in &leads {
        assert_eq!(fit(&app, &owner, "lead", id).await, (0, json!([])));
    }
    let idle = app
        .gql(Some(&owner.access), "{ fitScoring { status } }", json!({}))
        .await;
    assert_eq!(idle.data("fitScoring"), &Value::Null);

    let v1 = create_icp(&app, &owner, seed_rules("Mid-market software")).await;
    activate_icp(&app, &owner, &v1["id"]).await;
    let job = wait_for_rescoring(&app, &owner, &v1["id"]).await;
    // 2 accounts + 3 contacts.
    assert_eq!(
        (job["processed"].as_i64(), job["total"].as_i64()),
        (Some(5), Some(5))
    );
    assert!(job["finishedAt"].is_string(), "{job}");
    // Acme 20 + 15 + 10 = 45; Rival 45 - 50 -> 0; Jane 45 + 25 + 5 = 75;
    // Jane Doe (gmail) 45 + 25 - 10 = 60; Sam (competitor) -5 + 25 + 5 = 25.
    assert_eq!(
        scores(&app, &owner, &accounts, &leads).await,
        [45, 0, 75, 60, 25]
    );
    assert_eq!(
        fit(&app, &owner, "lead", &leads[0]).await.1,
        lead_breakdown(&[SIZE, INDUSTRY, GEOGRAPHY, TITLE, BUSINESS_EMAIL])
    );

    // Version 2 of the same motion: Fintech instead of software, and a personal email costs 20.
    let mut rules = seed_rules("Mid-market fintech");
    rules["accountCriteria"][1]["criteria"]["value"] = json!(["Fintech"]);
    rules["contactCriteria"][2]["weight"] = json!(-20);
    let v2 = update_icp(&app, &owner, &v1["id"], rules).await;
    assert_eq!(v2["version"], 2);
    activate_icp(&app, &owner, &v2["id"]).await;
    assert_eq!(icp(&app, &owner, &v1["id"]).await["status"], "SUPERSEDED");
    assert_eq!(icp(&app, &owner, &v2["id"]).await["status"], "ACTIVE");
    let job = wait_for_rescoring(&app, &owner, &v2["id"]).await;
    assert_eq!(
        (job["processed"].as_i64(), job["total"].as_i64()),
        (Some(5), Some(5))
    );
    // Industry no longer holds for anyone: Acme 20 + 10 = 30; Rival 30 - 50 -> 0;
    // Jane 30 + 25 + 5 = 60; Jane Doe 30 + 25 - 20 = 35; Sam -20 + 25 + 5 = 10.
    assert_eq!(
        scores(&app, &owner, &accounts, &leads).await,
        [30, 0, 60, 35, 10]
    );
}

#[actix_web::test]
async fn editing_a_draft_is_in_place_and_editing_an_active_version_makes_a_new_draft() {
    let app = TestApp::start().await;
    let owner = app.owner("Versions").await;
    let draft = create_icp(&app, &owner, seed_rules("Draft name")).await;
    assert_eq!(
        (&draft["version"], &draft["status"]),
        (&json!(1), &json!("DRAFT"))
    );
    assert_eq!(draft["activatedAt"], Value::Null);

    let edited = update_icp(
        &app,
        &owner,
        &draft["id"],
        seed_rules("Mid-market software"),
    )
    .await;
    assert_eq!(edited["id"], draft["id"], "a draft is edited in place");
    assert_eq!(edited["version"], 1);
    assert_eq!(edited["name"], "Mid-market software");
    assert_eq!(edited["status"], "DRAFT");

    let active = activate_icp(&app, &owner, &draft["id"]).await;
    assert_eq!(active["status"], "ACTIVE");
    assert!(active["activatedAt"].is_string());

    let v2 = update_icp(
        &app,
        &owner,
        &draft["id"],
        seed_rules("Mid-market software v2"),
    )
    .await;
    assert_ne!(v2["id"], draft["id"], "an active version is never edited");
    assert_eq!(v2["familyId"], draft["familyId"]);
    assert_eq!(
        (&v2["version"], &v2["status"]),
        (&json!(2), &json!("DRAFT"))
    );
    let v1 = icp(&app, &owner, &draft["id"]).await;
    assert_eq!(v1["status"], "ACTIVE");
    assert_eq!(v1["name"], "Mid-market software");
    let versions = json!([
        {"id": draft["id"], "version": 1, "status": "ACTIVE"},
        {"id": v2["id"], "version": 2, "status": "DRAFT"},
    ]);
    assert_eq!(v1["versions"], versions);
    assert_eq!(icp(&app, &owner, &v2["id"]).await["versions"], versions);

    // Another motion has its own active ICP: activating it leaves LAND alone.
    let mut expand = seed_rules("Expansion");
    expand["motion"] = json!("EXPAND");
    let expand = create_icp(&app, &owner, expand).await;
    activate_icp(&app, &owner, &expand["id"]).await;
    assert_eq!(icp(&app, &owner, &draft["id"]).await["status"], "ACTIVE");

    let delete = "mutation($id: ID!) { deleteIcp(id: $id) }";
    let refused = app
        .gql(Some(&owner.access), delete, json!({"id": draft["id"]}))
        .await;
    assert_eq!(refused.code(), "CONFLICT");
    let deleted = app
        .gql(Some(&owner.access), delete, json!({"id": v2["id"]}))
        .await;
    assert_eq!(deleted.data("deleteIcp"), &v2["id"]);
    assert_eq!(
        icp(&app, &owner, &draft["id"]).await["versions"],
        json!([{"id": draft["id"], "version": 1, "status": "ACTIVE"}])
    );
    // The active LAND version and the active EXPAND one remain.
    assert_eq!(icp_count(&app, &owner).await, 2);
}

#[actix_web::test]
async fn invalid_criteria_are_refused_at_their_path_and_nothing_is_written() {
    let app = TestApp::start().await;
    let owner = app.owner("Validation").await;
    let size = rule(
        SIZE,
        20,
        compare("account.employees", "BETWEEN", json!([200, 5000])),
    );
    let with = |account: Value, contact: Value| json!({"name": "Broken", "motion": "LAND", "accountCriteria": account, "contactCriteria": contact});
    let cases = [
        (
            "unknown field",
            with(
                json!([
                    size,
                    rule("Headcount", 10, compare("account.size", "GT", json!(1)))
                ]),
                json!([]),
            ),
            "input.accountCriteria[1].criteria.field",
        ),
        (
            "wrong value type, nested",
            with(
                json!([rule(
                    "US mid-market",
                    20,
                    json!({"all": [
                        compare("account.country", "IN", json!(["US"])),
                        compare("account.employees", "GTE", json!("two hundred")),
                    ]})
                )]),
                json!([]),
            ),
            "input.accountCriteria[0].criteria.all[1].value",
        ),
        (
            "wrong op for the field",
            with(
                json!([size]),
                json!([rule(
                    PERSONAL_EMAIL,
                    -10,
                    compare("contact.personalEmail", "MATCHES", json!("yes"))
                )]),
            ),
            "input.contactCriteria[0].criteria.op",
        ),
        (
            "weight out of range",
            with(
                json!([rule(
                    SIZE,
                    150,
                    compare("account.employees", "GTE", json!(200))
                )]),
                json!([]),
            ),
            "input.accountCriteria[0].weight",
        ),
    ];
    let create = "mutation($input: IcpInput!) { createIcp(input: $input) { id } }";
    for (case, input, field) in &cases {
        let reply = app
            .gql(Some(&owner.access), create, json!({ "input": input }))
            .await;
        assert_eq!(reply.code(), "BAD_USER_INPUT", "{case}: {}", reply.raw);
        assert_eq!(reply.field(), Some(*field), "{case}: {}", reply.raw);
    }
    assert_eq!(icp_count(&app, &owner).await, 0, "nothing was written");

    // An invalid edit leaves the draft as it was.
    let draft = create_icp(&app, &owner, seed_rules("Valid")).await;
    let (_, broken, field) = &cases[0];
    let reply = app
        .gql(
            Some(&owner.access),
            "mutation($id: ID!, $input: IcpInput!) { updateIcp(id: $id, input: $input) { id } }",
            json!({"id": draft["id"], "input": broken}),
        )
        .await;
    assert_eq!(reply.code(), "BAD_USER_INPUT");
    assert_eq!(reply.field(), Some(*field));
    let kept = app
        .gql(
            Some(&owner.access),
            "query($id: ID!) { icp(id: $id) { name accountCriteria { name weight criteria description } } }",
            json!({"id": draft["id"]}),
        )
        .await;
    let kept = kept.data("icp");
    assert_eq!(kept["name"], "Valid");
    assert_eq!(kept["accountCriteria"].as_array().unwrap().len(), 4);
    assert_eq!(
        kept["accountCriteria"][0],
        json!({"name": SIZE, "weight": 20,
               "criteria": {"field": "account.employees", "op": "BETWEEN", "value": [200, 5000]},
               "description": "account.employees BETWEEN 200 and 5000"})
    );
    assert_eq!(icp_count(&app, &owner).await, 1);
}

#[actix_web::test]
async fn only_leaders_revops_and_admins_create_icps() {
    let app = TestApp::start().await;
    let owner = app.owner("Roles").await;
    let create = "mutation($input: IcpInput!) { createIcp(input: $input) { id owner { email } } }";
    let input = json!({ "input": seed_rules("Mid-market software") });
    for role in ["REP", "MARKETER"] {
        let member = app.member(&owner, role).await;
        let reply = app.gql(Some(&member.access), create, input.clone()).await;
        assert_eq!(reply.code(), "FORBIDDEN", "{role}");
    }
    let revops = app.member(&owner, "REVOPS").await;
    let created = app.gql(Some(&revops.access), create, input).await;
    assert_eq!(
        created.data("createIcp")["owner"]["email"],
        json!(revops.email),
        "the creator owns the ICP by default"
    );
    let viewer = app.member(&owner, "VIEWER").await;
    assert_eq!(
        icp_count(&app, &viewer).await,
        1,
        "only REVOPS's ICP was written"
    );
}
