//! `accord import`: the binary against the test server's database. Realistic exports (BOM, CRLF,
//! quoted commas, quotes and line breaks), header aliases and `--mapping`, the error file, dry
//! runs and idempotent re-runs; and `upsertOpportunities`, the same service through GraphQL.

use std::{path::PathBuf, time::Instant};

use tokio::process::Command;

use serde_json::{json, Value};

use crate::support::{Session, TestApp};

/// A directory of the test's own for its CSV files, removed when the test ends.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Self {
        let name = format!("accord-import-{}", uuid::Uuid::now_v7().simple());
        let dir = std::env::temp_dir().join(name);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

struct Run {
    ok: bool,
    stdout: String,
    stderr: String,
}

impl Run {
    /// The summary line: `KIND: created N, updated N, unchanged N, failed N`.
    fn summary(&self) -> &str {
        self.stdout
            .lines()
            .rev()
            .find(|l| l.contains("created "))
            .unwrap_or_else(|| panic!("no summary in {}\n{}", self.stdout, self.stderr))
    }
}

/// Runs `accord import ARGS` on the test server's database (without blocking the test server).
async fn import(app: &TestApp, args: &[&str]) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_accord"));
    command.arg("import").args(args);
    for var in [
        "REDIS_URL",
        "JWT_SECRET",
        "ACCORD_ENV",
        "ACCORD_DATABASE_SCHEMA",
        "RUST_LOG",
    ] {
        command.env_remove(var);
    }
    command.env("DATABASE_URL", &app.state.config.database_url);
    if let Some(schema) = &app.state.config.database_schema {
        command.env("ACCORD_DATABASE_SCHEMA", schema);
    }
    let output = command.output().await.expect("accord runs");
    Run {
        ok: output.status.success(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// The rows of an error file, header first.
fn error_rows(path: &PathBuf) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(path)
        .unwrap_or_else(|err| panic!("{}: {err}", path.display()));
    reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

fn strings(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|c| (*c).to_owned()).collect()
}

async fn total(app: &TestApp, session: &Session, query: &str) -> Value {
    app.gql(Some(&session.access), query, json!({})).await.body["data"].clone()
}

/// Data row `i` (0-based) of the big contacts file; a few are bad on purpose.
fn contact_row(i: usize) -> String {
    let company = i % 400;
    match i {
        10 => "not-an-email,Ana,Bad,VP Sales,,\r\n".to_owned(),
        2_500 => ",No,Email,CTO,,\r\n".to_owned(),
        50_000 => "extra@company1.com,Too,Many,Cells,,,oops\r\n".to_owned(),
        99_999 => "last@company2.com,Ghost,Owned,CFO,,ghost@nowhere.io\r\n".to_owned(),
        // A quoted comma, doubled quotes and a line break inside quotes.
        i if i % 1_000 == 7 => format!(
            "p{i}@company{company}.com,\"Lopez, Jr.\",\"O\"\"Neil\",\"VP, \"\"Sales\"\"\",\"first line\r\nsecond line\",\r\n"
        ),
        i => format!("p{i}@company{company}.com,Person,{i},Buyer,,\r\n"),
    }
}

#[actix_web::test]
async fn a_hundred_thousand_contacts_import_once_and_re_run_unchanged() {
    let app = TestApp::start().await;
    let owner = app.owner("Big Import").await;
    let dir = Scratch::new();
    let file = dir.join("contacts.csv");
    let rows = 100_000;
    let mut text = String::from(
        "\u{feff}Email Address,First Name,Last Name,Job Title,Notes,Contact Owner\r\n",
    );
    for i in 0..rows {
        text.push_str(&contact_row(i));
    }
    std::fs::write(&file, text).unwrap();
    let workspace = owner.workspace_id.clone().unwrap();
    let path = file.to_str().unwrap();

    let started = Instant::now();
    let first = import(&app, &["contacts", path, "--workspace", &workspace]).await;
    let first_took = started.elapsed();
    assert!(!first.ok, "failed rows make the exit status non-zero");
    assert!(first.stderr.contains("4 rows failed"), "{}", first.stderr);
    let bad = 4;
    assert_eq!(
        first.summary(),
        format!(
            "contacts: created {}, updated 0, unchanged 0, failed {bad}",
            rows - bad
        )
    );
    let errors = error_rows(&dir.join("contacts.errors.csv"));
    let header = strings(&[
        "row",
        "Email Address",
        "First Name",
        "Last Name",
        "Job Title",
        "Notes",
        "Contact Owner",
        "field",
        "message",
    ]);
    assert_eq!(errors[0], header);
    assert_eq!(
        errors[1..],
        [
            strings(&[
                "12",
                "not-an-email",
                "Ana",
                "Bad",
                "VP Sales",
                "",
                "",
                "Email Address",
                "is not a valid email address"
            ]),
            strings(&[
                "2502",
                "",
                "No",
                "Email",
                "CTO",
                "",
                "",
                "",
                "needs an email or an externalId"
            ]),
            strings(&[
                "50002",
                "extra@company1.com",
                "Too",
                "Many",
                "Cells",
                "",
                "",
                "oops",
                "",
                "has 7 cells where the header has 6"
            ]),
            strings(&[
                "100001",
                "last@company2.com",
                "Ghost",
                "Owned",
                "CFO",
                "",
                "ghost@nowhere.io",
                "Contact Owner",
                "no member of the workspace has the email `ghost@nowhere.io`"
            ]),
        ]
    );

    let data = total(
        &app,
        &owner,
        "{ leads { totalCount } accounts { totalCount } lead7: leads(filter: {search: \"p7@company7.com\"}) { edges { node { name title account { domain } } } } }",
    )
    .await;
    assert_eq!(data["leads"]["totalCount"], rows - bad);
    assert_eq!(
        data["accounts"]["totalCount"], 400,
        "one account per business domain"
    );
    assert_eq!(
        data["lead7"]["edges"][0]["node"],
        json!({"name": "Lopez, Jr. O\"Neil", "title": "VP, \"Sales\"", "account": {"domain": "company7.com"}})
    );

    let started = Instant::now();
    let again = import(
        &app,
        &["contacts", path, "--workspace", &workspace, "--quiet"],
    )
    .await;
    let again_took = started.elapsed();
    assert_eq!(
        again.summary(),
        format!(
            "contacts: created 0, updated 0, unchanged {}, failed {bad}",
            rows - bad
        )
    );
    assert!(
        again.stderr.lines().all(|l| !l.contains("columns:")),
        "--quiet: {}",
        again.stderr
    );
    eprintln!("100,000 contacts: first import {first_took:?}, re-run {again_took:?}");
}

#[actix_web::test]
async fn lead_sources_are_found_by_name_and_created_on_first_use() {
    let app = TestApp::start().await;
    let owner = app.owner("Sources").await;
    app.gql(
        Some(&owner.access),
        "mutation { createSource(input: {name: \"Webinar\", kind: WEBINAR}) { id } }",
        json!({}),
    )
    .await
    .data("createSource");
    let dir = Scratch::new();
    let file = dir.join("leads.csv");
    std::fs::write(
        &file,
        "Email,Lead Source,Lead Source Detail\r\nana@acme.com,webinar,Q4 series\r\nbo@acme.com,Trade Show,Booth 12\r\ncy@acme.com,,\r\n",
    )
    .unwrap();
    let path = file.to_str().unwrap();
    let workspace = owner.workspace_id.clone().unwrap();
    let sources = "{ sources { nodes { name kind } } }";

    let dry = import(
        &app,
        &[
            "contacts",
            path,
            "--workspace",
            &workspace,
            "--dry-run",
            "-q",
        ],
    )
    .await;
    assert!(dry.ok, "{}\n{}", dry.stdout, dry.stderr);
    let listed = total(&app, &owner, sources).await;
    assert_eq!(
        listed["sources"]["nodes"].as_array().unwrap().len(),
        1,
        "a dry run creates none"
    );

    let run = import(&app, &["contacts", path, "--workspace", &workspace, "-q"]).await;
    assert!(run.ok, "{}\n{}", run.stdout, run.stderr);
    assert!(run.summary().contains("created 3"), "{}", run.summary());
    let listed = total(&app, &owner, sources).await;
    assert_eq!(
        listed["sources"]["nodes"],
        json!([{"name": "Webinar", "kind": "WEBINAR"}, {"name": "Trade Show", "kind": "OTHER"}])
    );
    let leads = total(
        &app,
        &owner,
        "{ leads(orderBy: {field: CREATED_AT, direction: ASC}) { nodes { email source { name } sourceDetail } } }",
    )
    .await;
    assert_eq!(
        leads["leads"]["nodes"],
        json!([
            {"email": "ana@acme.com", "source": {"name": "Webinar"}, "sourceDetail": "Q4 series"},
            {"email": "bo@acme.com", "source": {"name": "Trade Show"}, "sourceDetail": "Booth 12"},
            {"email": "cy@acme.com", "source": null, "sourceDetail": null},
        ])
    );
}

#[actix_web::test]
async fn accounts_import_with_a_mapping_and_owners_by_email() {
    let app = &TestApp::start().await;
    let owner = app.owner("Accounts Import").await;
    let dir = Scratch::new();
    let file = dir.join("accounts.csv");
    let errors = dir.join("problems.csv");
    std::fs::write(
        &file,
        "Account Name,Website,Employees,Billing Country,Account Owner,Tier Level,Industry\n\
         Acme,https://www.acme.com/,\"1,200\",Germany,OWNER_EMAIL,Gold,Software\n\
         Globex,globex.com,lots,US,,Silver,\n\
         Initech,initech.io,50,USA,,,Banking\n"
            .replace("OWNER_EMAIL", &owner.email.to_uppercase()),
    )
    .unwrap();
    let args = |extra: &[&'static str]| -> Vec<String> {
        let mut args = strings(&["accounts", file.to_str().unwrap(), "--workspace"]);
        args.push(owner.workspace_id.clone().unwrap());
        args.extend(strings(&[
            "--mapping",
            "Tier Level=tier,Industry=",
            "--errors",
            errors.to_str().unwrap(),
        ]));
        args.extend(strings(extra));
        args
    };
    let run = |extra: &[&'static str]| {
        let args = args(extra);
        async move { import(app, &args.iter().map(String::as_str).collect::<Vec<_>>()).await }
    };
    let first = run(&[]).await;
    assert_eq!(
        first.summary(),
        "accounts: created 2, updated 0, unchanged 0, failed 1"
    );
    assert!(
        first.stderr.contains("Tier Level -> tier"),
        "{}",
        first.stderr
    );
    assert!(
        first.stderr.contains("not imported: Industry"),
        "{}",
        first.stderr
    );
    assert_eq!(
        error_rows(&errors)[1],
        strings(&[
            "3",
            "Globex",
            "globex.com",
            "lots",
            "US",
            "",
            "Silver",
            "",
            "Employees",
            "`lots` is not a whole number"
        ])
    );
    let data = total(
        app,
        &owner,
        "{ accounts(orderBy: {field: NAME}) { edges { node { domain name employees country tier industry owner { id } } } } }",
    )
    .await;
    assert_eq!(
        data["accounts"]["edges"],
        json!([
            {"node": {"domain": "acme.com", "name": "Acme", "employees": 1200, "country": "DE", "tier": "Gold", "industry": null, "owner": {"id": owner.user_id}}},
            {"node": {"domain": "initech.io", "name": "Initech", "employees": 50, "country": "US", "tier": null, "industry": null, "owner": null}}
        ])
    );

    // Fixed: Globex comes in, the others are unchanged; the error file is rewritten.
    let text = std::fs::read_to_string(&file)
        .unwrap()
        .replace("lots", "300");
    std::fs::write(&file, text).unwrap();
    let dry = run(&["--dry-run"]).await;
    assert_eq!(
        dry.summary(),
        "dry run, nothing written: accounts: created 1, updated 0, unchanged 2, failed 0"
    );
    assert!(dry.ok, "{}", dry.stderr);
    assert_eq!(
        total(app, &owner, "{ accounts { totalCount } }").await["accounts"]["totalCount"],
        2
    );
    let fixed = run(&[]).await;
    assert!(fixed.ok, "{}", fixed.stderr);
    assert_eq!(
        fixed.summary(),
        "accounts: created 1, updated 0, unchanged 2, failed 0"
    );
    assert_eq!(error_rows(&errors).len(), 1, "only the header is left");

    let bad_mapping = import(
        app,
        &[
            "accounts",
            file.to_str().unwrap(),
            "--workspace",
            "no-such-workspace",
        ],
    )
    .await;
    assert!(!bad_mapping.ok);
    assert!(
        bad_mapping.stderr.contains("no-such-workspace"),
        "{}",
        bad_mapping.stderr
    );
    let bad_mapping = run(&["--mapping", "Website=colour"]).await;
    assert!(
        bad_mapping
            .stderr
            .contains("`colour` is not a field of accounts"),
        "{}",
        bad_mapping.stderr
    );
    let path = file.to_str().unwrap();
    let workspace = owner.workspace_id.clone().unwrap();
    let onto_itself = import(
        app,
        &[
            "accounts",
            path,
            "--workspace",
            &workspace,
            "--errors",
            path,
        ],
    )
    .await;
    assert!(
        onto_itself
            .stderr
            .contains("that is the file being imported"),
        "{}",
        onto_itself.stderr
    );
    assert!(std::fs::read_to_string(&file).unwrap().contains("Globex"));
}

#[actix_web::test]
async fn opportunities_import_by_external_id_on_accounts_by_domain() {
    let app = TestApp::start().await;
    let owner = app.owner("Deals Import").await;
    let rep = app.member(&owner, "REP").await;
    let dir = Scratch::new();
    let file = dir.join("deals.csv");
    std::fs::write(
        &file,
        "\u{feff}Ref,Deal Name,Company Domain,Amount,Currency,Stage,Close Date,Deal Owner\r\n\
         D-1,Acme renewal,acme.com,\"$12,500.00\",usd,Negotiation,2027-01-31,REP\r\n\
         D-2,Globex new,globex.com,8000,EUR,Closed Won,03/15/2026,\r\n\
         D-3,Initech,initech.io,,USD,Discovery,,\r\n\
         D-4,Umbrella,umbrella.com,100,USD,Stalled,,\r\n"
            .replace("REP", &rep.email),
    )
    .unwrap();
    let path = file.to_str().unwrap();
    let workspace = owner.workspace_id.clone().unwrap();
    let args = [
        "opportunities",
        path,
        "--workspace",
        &workspace,
        "--mapping",
        "Ref=external_id",
    ];
    let first = import(&app, &args).await;
    assert_eq!(
        first.summary(),
        "opportunities: created 2, updated 0, unchanged 0, failed 2"
    );
    let errors = error_rows(&dir.join("deals.errors.csv"));
    assert_eq!(errors[1][0], "4");
    assert_eq!(
        errors[1][9..],
        strings(&["Amount", "is required to create a deal"])
    );
    assert_eq!(errors[2][0], "5");
    assert_eq!(errors[2][9], "Stage");
    assert!(
        errors[2][10].starts_with("`Stalled` is not one of DISCOVERY"),
        "{:?}",
        errors[2]
    );

    let data = total(
        &app,
        &owner,
        "{ opportunities(orderBy: {field: AMOUNT}) { edges { node { externalId name amount currency stage closeDate closedAt owner { id } account { domain lifecycle } } } } accounts { totalCount } }",
    )
    .await;
    assert_eq!(
        data["opportunities"]["edges"],
        json!([
            {"node": {"externalId": "D-2", "name": "Globex new", "amount": 8000.0, "currency": "EUR", "stage": "CLOSED_WON", "closeDate": "2026-03-15", "closedAt": "2026-03-15T00:00:00+00:00", "owner": null, "account": {"domain": "globex.com", "lifecycle": "CUSTOMER"}}},
            {"node": {"externalId": "D-1", "name": "Acme renewal", "amount": 12500.0, "currency": "USD", "stage": "NEGOTIATION", "closeDate": "2027-01-31", "closedAt": null, "owner": {"id": rep.user_id}, "account": {"domain": "acme.com", "lifecycle": "TARGET"}}}
        ])
    );
    assert_eq!(
        data["accounts"]["totalCount"], 2,
        "rejected rows create no account"
    );

    let again = import(&app, &args).await;
    assert_eq!(
        again.summary(),
        "opportunities: created 0, updated 0, unchanged 2, failed 2"
    );
}

const UPSERT_OPPORTUNITIES: &str = "mutation($o: [OpportunityUpsertInput!]!) { upsertOpportunities(opportunities: $o) { index status id error { code field message } } }";

async fn upsert(app: &TestApp, session: &Session, items: Value) -> Vec<Value> {
    let reply = app
        .gql(
            Some(&session.access),
            UPSERT_OPPORTUNITIES,
            json!({"o": items}),
        )
        .await;
    reply
        .data("upsertOpportunities")
        .as_array()
        .unwrap()
        .clone()
}

fn statuses(results: &[Value]) -> Vec<(String, Value)> {
    results
        .iter()
        .map(|r| {
            (
                r["status"].as_str().unwrap().to_owned(),
                r["error"]["field"].clone(),
            )
        })
        .collect()
}

#[actix_web::test]
async fn upsert_opportunities_answers_item_by_item() {
    let app = TestApp::start().await;
    let owner = app.owner("Deals").await;
    let first = upsert(
        &app,
        &owner,
        json!([
            {"externalId": "sf-1", "name": "Acme", "accountDomain": "https://acme.com", "amount": 1000, "ownerId": owner.user_id},
            {"externalId": "sf-2", "name": "Globex", "accountDomain": "globex.com", "amount": -5},
            {"externalId": "sf-3", "accountDomain": "initech.io", "amount": 5},
            {"externalId": "sf-1", "name": "Again", "accountDomain": "acme.com", "amount": 1},
            {"externalId": " ", "name": "Blank", "accountDomain": "acme.com", "amount": 1},
            {"externalId": "sf-4", "name": "Bad currency", "accountDomain": "acme.com", "amount": 1, "currency": "ZZZ"},
            {"externalId": "sf-5", "name": "Not mine", "accountDomain": "acme.com", "amount": 1, "ownerId": "not-an-id"},
            {"externalId": "sf-6", "name": "Won", "accountDomain": "won.io", "amount": 50, "stage": "CLOSED_WON", "closeDate": "2026-01-10"}
        ]),
    )
    .await;
    assert_eq!(
        statuses(&first),
        vec![
            ("CREATED".into(), Value::Null),
            ("REJECTED".into(), json!("opportunities[1].amount")),
            ("REJECTED".into(), json!("opportunities[2].name")),
            ("REJECTED".into(), json!("opportunities[3].externalId")),
            ("REJECTED".into(), json!("opportunities[4].externalId")),
            ("REJECTED".into(), json!("opportunities[5].currency")),
            ("REJECTED".into(), json!("opportunities[6].ownerId")),
            ("CREATED".into(), Value::Null),
        ]
    );
    assert_eq!(first[1]["error"]["code"], "BAD_USER_INPUT");
    assert_eq!(first[6]["error"]["code"], "NOT_FOUND");
    let list = "{ opportunities(orderBy: {field: AMOUNT}) { totalCount edges { node { externalId name amount stage closedAt account { domain lifecycle } } } } accounts { totalCount } }";
    let data = total(&app, &owner, list).await;
    assert_eq!(
        data["opportunities"]["totalCount"], 2,
        "rejected items wrote nothing"
    );
    assert_eq!(data["accounts"]["totalCount"], 2);
    assert_eq!(
        data["opportunities"]["edges"][0]["node"],
        json!({"externalId": "sf-6", "name": "Won", "amount": 50.0, "stage": "CLOSED_WON", "closedAt": "2026-01-10T00:00:00+00:00", "account": {"domain": "won.io", "lifecycle": "CUSTOMER"}})
    );

    let second = upsert(
        &app,
        &owner,
        json!([
            {"externalId": "sf-1", "amount": 1500, "stage": "PROPOSAL"},
            {"externalId": "sf-6", "stage": "CLOSED_WON"},
            {"externalId": "sf-6x", "name": "Later", "accountDomain": "acme.com", "amount": 1}
        ]),
    )
    .await;
    assert_eq!(
        statuses(&second),
        vec![
            ("UPDATED".into(), Value::Null),
            ("UNCHANGED".into(), Value::Null),
            ("CREATED".into(), Value::Null),
        ]
    );
    assert_eq!(second[0]["id"], first[0]["id"]);
    let reopen = upsert(
        &app,
        &owner,
        json!([{"externalId": "sf-6", "stage": "DISCOVERY"}]),
    )
    .await;
    assert_eq!(
        statuses(&reopen),
        vec![("REJECTED".into(), json!("opportunities[0].stage"))]
    );
    let lost = upsert(
        &app,
        &owner,
        json!([{"externalId": "sf-1", "stage": "CLOSED_LOST", "lostReason": "Budget"}]),
    )
    .await;
    assert_eq!(lost[0]["status"], "UPDATED");
    let deal = app
        .gql(
            Some(&owner.access),
            "query { opportunities(filter: {status: LOST}) { edges { node { externalId amount lostReason closedAt } } } }",
            json!({}),
        )
        .await;
    let node = &deal.data("opportunities")["edges"][0]["node"];
    assert_eq!(node["externalId"], "sf-1");
    assert_eq!(node["amount"], 1500.0);
    assert_eq!(node["lostReason"], "Budget");
    assert!(node["closedAt"].is_string());

    let empty = app
        .gql(Some(&owner.access), UPSERT_OPPORTUNITIES, json!({"o": []}))
        .await;
    assert_eq!(empty.code(), "BAD_USER_INPUT");
    assert_eq!(empty.field(), Some("opportunities"));
    let (token, _) = app.api_token(&owner, &["opportunities:read"]).await;
    let forbidden = app
        .gql(
            Some(&token),
            UPSERT_OPPORTUNITIES,
            json!({"o": [{"externalId": "x"}]}),
        )
        .await;
    assert_eq!(forbidden.code(), "FORBIDDEN");
}
