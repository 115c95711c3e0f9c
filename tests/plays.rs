//! The seed's sales play end to end (seed 000), on a clock the test moves: a webinar attended by
//! an ICP contact makes an MQL, routed to its rep, who is pushed LEAD_ASSIGNED over the
//! subscription; the play turns its six-touch cadence into tasks on business days over two
//! weeks; a reply accelerates the lead to SQL and ends the play; a lead that never answers goes
//! back to nurture as RE_ENGAGE after the last step, once the contract's six touches are logged.
//! Plus SLA warnings and breaches with escalation, exclusivity, opt-outs and input validation.

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

use crate::support::{
    documents::INGEST,
    fixtures::{seed_team, SeedTeam},
    ws::WsClient,
    ws::TRANSPORT_WS,
    Session, TestApp,
};

const SUBSCRIBE: &str =
    "subscription { playTriggers { id sequence kind message dueAt lead { id } play { id } step } }";
const LOG_TOUCH: &str = "mutation($input: LogTouchInput!) { logTouch(input: $input) { touch { id outcome playId } lead { id stage tags optedOutAt } } }";
const TASKS: &str = "query($f: TaskFilter) { myTasks(filter: $f, first: 50) { totalCount edges { node { id step dayOffset channel theme status dueAt play { id } lead { id } } } } }";
const LEAD: &str = "query($id: ID!) { lead(id: $id) { id stage tags optedOutAt stageHistory { nodes { from to reason } } enrollments { nodes { id status endsAt enrolledAt endReason play { id name } } } touches { nodes { outcome } } } }";

async fn create_play(app: &TestApp, team: &SeedTeam, input: Value) -> String {
    let mut input = input;
    input["cadenceId"] = team.cadence_id.clone();
    let created = app
        .gql(
            Some(&team.owner.access),
            "mutation($input: PlayInput!) { createPlay(input: $input) { id status } }",
            json!({"input": input}),
        )
        .await;
    assert_eq!(created.data("createPlay")["status"], "DRAFT");
    let id = created.data("createPlay")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let active = app
        .gql(
            Some(&team.owner.access),
            "mutation($id: ID!) { activatePlay(id: $id) { status activatedAt } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(active.data("activatePlay")["status"], "ACTIVE");
    id
}

fn webinar(key: &str, email: &str, name: &str) -> Value {
    event(key, "webinar_attended", email, name, json!({}))
}

fn event(key: &str, kind: &str, email: &str, name: &str, properties: Value) -> Value {
    json!({
        "idempotencyKey": key,
        "type": kind,
        "properties": properties,
        "contact": {"email": email, "name": name, "title": "VP Sales"},
        "account": {"domain": email.split('@').nth(1).unwrap(), "name": "Acme", "industry": "Software", "employees": 400, "country": "US"},
        "source": "Webinar"
    })
}

async fn ingest(app: &TestApp, token: &str, events: Value) {
    let reply = app.gql(Some(token), INGEST, json!({"e": events})).await;
    for result in reply.data("ingestEvents")["results"].as_array().unwrap() {
        assert_eq!(result["status"], "ACCEPTED", "{result}");
    }
}

/// The rep's live trigger stream, checking that sequences go up by one with no gap.
struct Inbox {
    socket: WsClient,
    last: i64,
}

impl Inbox {
    async fn open(app: &TestApp, token: &str) -> Self {
        let mut socket = WsClient::connect(app, TRANSPORT_WS).await;
        socket.init(token).await;
        socket.subscribe("triggers", SUBSCRIBE).await;
        Inbox { socket, last: 0 }
    }

    async fn next(&mut self) -> Value {
        let message = self.socket.message().await;
        assert_eq!(message["type"], "next", "{message}");
        let trigger = message["payload"]["data"]["playTriggers"].clone();
        let sequence = trigger["sequence"].as_i64().unwrap();
        assert_eq!(sequence, self.last + 1, "sequence order, no gap: {trigger}");
        self.last = sequence;
        trigger
    }

    /// Nothing more arrives for a second.
    async fn quiet(&mut self) {
        if let Some(event) = self.socket.try_recv_within(1).await {
            panic!("unexpected: {event:?}");
        }
    }
}

async fn run_jobs(app: &TestApp) {
    accord_api::jobs::run_due(&app.state)
        .await
        .expect("jobs run");
}

fn at(value: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(value.as_str().unwrap())
        .unwrap()
        .with_timezone(&Utc)
}

async fn tasks_of(app: &TestApp, who: &Session, lead: &str, status: &str) -> Vec<Value> {
    let reply = app
        .gql(
            Some(&who.access),
            TASKS,
            json!({"f": {"leadId": lead, "status": status}}),
        )
        .await;
    reply.data("myTasks")["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

/// The lead, its child lists flattened to their first page's nodes.
async fn lead(app: &TestApp, who: &Session, id: &str) -> Value {
    let mut lead = app
        .gql(Some(&who.access), LEAD, json!({"id": id}))
        .await
        .data("lead")
        .clone();
    for list in ["stageHistory", "enrollments", "touches"] {
        lead[list] = lead[list]["nodes"].take();
    }
    lead
}

async fn touch(app: &TestApp, rep: &Session, lead: &str, task: &Value, outcome: &str) -> Value {
    app.gql(
        Some(&rep.access),
        LOG_TOUCH,
        json!({"input": {"leadId": lead, "channel": task["channel"], "outcome": outcome, "taskId": task["id"]}}),
    )
    .await
    .data("logTouch")
    .clone()
}

#[actix_web::test]
async fn the_seed_play_accelerates_a_reply_and_recycles_silence() {
    let app = TestApp::start_with(|config| config.job_poll_ms = 3_600_000).await;
    let team = seed_team(&app, "Seed Play").await;
    let play = create_play(
        &app,
        &team,
        json!({"name": "Webinar follow-up", "trigger": {"kind": "EVENT", "eventTypes": ["webinar_attended"]}}),
    )
    .await;
    let mut inbox = Inbox::open(&app, &team.rep.access).await;

    // Webinar attended by an ICP contact -> MQL -> assigned -> LEAD_ASSIGNED pushed.
    ingest(
        &app,
        &team.token,
        json!([webinar("w-1", "ana@northwind.com", "Ana Reyes")]),
    )
    .await;
    let assigned = inbox.next().await;
    assert_eq!(assigned["kind"], "LEAD_ASSIGNED");
    let a = assigned["lead"]["id"].as_str().unwrap().to_owned();

    // Six tasks on business days over two weeks, in the workspace calendar.
    let tasks = tasks_of(&app, &team.rep, &a, "OPEN").await;
    assert_eq!(tasks.len(), 6);
    let enrolled = lead(&app, &team.rep, &a).await;
    let enrollment = enrolled["enrollments"][0].clone();
    assert_eq!(enrollment["status"], "ACTIVE");
    assert_eq!(enrollment["play"]["id"], play.as_str());
    let calendar = accord_api::domain::contract::Terms::seed().slas.calendar;
    let start = at(&enrollment["enrolledAt"]);
    for (task, offset) in tasks.iter().zip([0u32, 1, 3, 5, 8, 10]) {
        assert_eq!(task["dayOffset"], offset);
        assert_eq!(
            at(&task["dueAt"]),
            calendar.add_business_days(start, offset),
            "{task}"
        );
        assert_eq!(task["play"]["id"], play.as_str());
    }
    let span = at(&tasks[5]["dueAt"]) - at(&tasks[0]["dueAt"]);
    assert!(
        span >= Duration::days(13) && span <= Duration::days(15),
        "{span}"
    );
    assert_eq!(tasks[0]["theme"], "THOUGHT_LEADERSHIP");
    assert_eq!(tasks[5]["theme"], "NEXT_STEP");

    // The first step becomes due: PLAY_STEP_DUE, once however often the jobs run.
    app.state.clock.advance_to(at(&tasks[0]["dueAt"]));
    run_jobs(&app).await;
    run_jobs(&app).await;
    let due = inbox.next().await;
    assert_eq!(due["kind"], "PLAY_STEP_DUE");
    assert_eq!(due["step"], 1);
    assert_eq!(due["play"]["id"], play.as_str());
    inbox.quiet().await;

    // An email goes out, then the buyer replies to the call: the lead accelerates to SQL.
    let sent = touch(&app, &team.rep, &a, &tasks[0], "SENT").await;
    assert_eq!(sent["lead"]["stage"], "MQL");
    assert_eq!(sent["touch"]["playId"], play.as_str());
    let replied = touch(&app, &team.rep, &a, &tasks[1], "REPLIED").await;
    assert_eq!(replied["lead"]["stage"], "SQL");
    let after = lead(&app, &team.rep, &a).await;
    let moves: Vec<(String, String)> = after["stageHistory"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["from"].as_str().unwrap_or("").to_owned(),
                h["to"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        &moves[moves.len() - 2..],
        [
            ("MQL".to_owned(), "SAL".to_owned()),
            ("SAL".to_owned(), "SQL".to_owned())
        ]
    );
    assert_eq!(after["enrollments"][0]["status"], "ACCELERATED");
    assert!(tasks_of(&app, &team.rep, &a, "OPEN").await.is_empty());
    assert_eq!(tasks_of(&app, &team.rep, &a, "DONE").await.len(), 2);
    assert_eq!(tasks_of(&app, &team.rep, &a, "CANCELLED").await.len(), 4);

    // A second lead never answers: six touches logged, accepted, then the last step passes.
    ingest(
        &app,
        &team.token,
        json!([webinar("w-2", "ben@contoso.com", "Ben Ode")]),
    )
    .await;
    let assigned = inbox.next().await;
    assert_eq!(assigned["kind"], "LEAD_ASSIGNED");
    let b = assigned["lead"]["id"].as_str().unwrap().to_owned();
    app.gql(
        Some(&team.rep.access),
        "mutation($id: ID!) { acceptLead(id: $id) { stage } }",
        json!({"id": b}),
    )
    .await
    .data("acceptLead");
    let tasks = tasks_of(&app, &team.rep, &b, "OPEN").await;
    // Its first step is due at once (the job loop, woken by the ingestion, may beat us to it).
    run_jobs(&app).await;
    if at(&tasks[0]["dueAt"]) <= app.state.clock.now() {
        let due = inbox.next().await;
        assert_eq!(
            (due["kind"].clone(), due["step"].clone()),
            (json!("PLAY_STEP_DUE"), json!(1))
        );
    }
    for (i, task) in tasks.iter().enumerate() {
        let outcome = if i % 2 == 0 { "SENT" } else { "NO_ANSWER" };
        assert_eq!(
            touch(&app, &team.rep, &b, task, outcome).await["lead"]["stage"],
            "SAL"
        );
    }
    let ends_at = at(&lead(&app, &team.rep, &b).await["enrollments"][0]["endsAt"]);
    assert!(ends_at > at(&tasks[5]["dueAt"]));
    app.state.clock.advance_to(ends_at - Duration::minutes(1));
    run_jobs(&app).await;
    assert_eq!(
        lead(&app, &team.rep, &b).await["stage"],
        "SAL",
        "not before the play ends"
    );
    app.state.clock.advance_to(ends_at + Duration::seconds(1));
    run_jobs(&app).await;
    let recycled = inbox.next().await;
    assert_eq!(recycled["kind"], "LEAD_RECYCLED", "{recycled}");
    assert_eq!(recycled["lead"]["id"], b.as_str());
    let b_after = lead(&app, &team.rep, &b).await;
    assert_eq!(b_after["stage"], "NURTURE");
    assert!(b_after["tags"]
        .as_array()
        .unwrap()
        .contains(&json!("RE_ENGAGE")));
    assert_eq!(b_after["enrollments"][0]["status"], "RECYCLED");
    let last = b_after["stageHistory"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        (last["from"].clone(), last["to"].clone()),
        (json!("SAL"), json!("NURTURE"))
    );
    assert!(last["reason"].as_str().unwrap().contains("RE_ENGAGE"));
    inbox.quiet().await;

    // The play's figures come from what happened: 2 enrolled, 1 reply, 1 qualified.
    let figures = app
        .gql(
            Some(&team.owner.access),
            "query($id: ID!) { play(id: $id) { figures { enrolled active replyRate conversionRate onTarget firstTouchP50Minutes conversionTargetLow conversionTargetHigh } } }",
            json!({"id": play}),
        )
        .await;
    let f = figures.data("play")["figures"].clone();
    assert_eq!(f["enrolled"], 2);
    assert_eq!(f["active"], 0);
    assert_eq!(f["replyRate"], 0.5);
    assert_eq!(f["conversionRate"], 0.5);
    assert_eq!(f["onTarget"], true);
    assert!(f["firstTouchP50Minutes"].as_i64().is_some());
    assert_eq!(f["conversionTargetLow"], 0.08);
}

#[actix_web::test]
async fn recycling_waits_for_the_contract_minimum_of_touches() {
    let app = TestApp::start_with(|config| config.job_poll_ms = 3_600_000).await;
    let team = seed_team(&app, "Minimum Touches").await;
    create_play(
        &app,
        &team,
        json!({"name": "Webinar follow-up", "trigger": {"kind": "EVENT", "eventTypes": ["webinar_attended"]}}),
    )
    .await;
    ingest(
        &app,
        &team.token,
        json!([webinar("w-1", "cy@fabrikam.com", "Cy Dune")]),
    )
    .await;
    let leads = app
        .gql(
            Some(&team.cro.access),
            "{ leads { edges { node { id } } } }",
            json!({}),
        )
        .await;
    let c = leads.data("leads")["edges"][0]["node"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let tasks = tasks_of(&app, &team.rep, &c, "OPEN").await;
    touch(&app, &team.rep, &c, &tasks[0], "SENT").await;
    touch(&app, &team.rep, &c, &tasks[1], "NO_ANSWER").await;

    // By hand, RE_ENGAGE needs the contract's six touches too.
    let early = app
        .gql(
            Some(&team.rep.access),
            "mutation($id: ID!) { recycleLead(id: $id, tag: RE_ENGAGE) { stage } }",
            json!({"id": c}),
        )
        .await;
    assert_eq!(early.code(), "BAD_USER_INPUT");
    assert_eq!(early.field(), Some("tag"));

    let ends_at = at(&lead(&app, &team.rep, &c).await["enrollments"][0]["endsAt"]);
    app.state.clock.advance_to(ends_at + Duration::seconds(1));
    run_jobs(&app).await;
    let waiting = lead(&app, &team.rep, &c).await;
    assert_eq!(
        waiting["stage"], "MQL",
        "two touches are not enough to recycle"
    );
    assert_eq!(waiting["enrollments"][0]["status"], "ACTIVE");
    assert!(waiting["enrollments"][0]["endsAt"].is_null());
    let inbox = app
        .gql(
            Some(&team.rep.access),
            "{ triggers(first: 100) { kind message } }",
            json!({}),
        )
        .await;
    assert!(
        inbox
            .data("triggers")
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["kind"] == "PLAY_STEP_DUE"
                && t["message"].as_str().unwrap().contains("log 4 more")),
        "{}",
        inbox.raw
    );
    // The rep makes up the touches: the sixth recycles the lead at once.
    for (i, task) in tasks[2..].iter().enumerate() {
        let reply = touch(&app, &team.rep, &c, task, "NO_ANSWER").await;
        let expected = if i == 3 { "NURTURE" } else { "MQL" };
        assert_eq!(reply["lead"]["stage"], expected, "after touch {}", i + 3);
    }
    let done = lead(&app, &team.rep, &c).await;
    assert_eq!(done["enrollments"][0]["status"], "RECYCLED");
    assert!(done["tags"]
        .as_array()
        .unwrap()
        .contains(&json!("RE_ENGAGE")));
}

#[actix_web::test]
async fn sla_clocks_warn_then_breach_and_escalate_once() {
    let app = TestApp::start_with(|config| config.job_poll_ms = 3_600_000).await;
    let team = seed_team(&app, "Clocks").await;
    let mut inbox = Inbox::open(&app, &team.rep.access).await;
    ingest(
        &app,
        &team.token,
        json!([webinar("w-1", "di@litware.com", "Di Vo")]),
    )
    .await;
    let assigned = inbox.next().await;
    let d = assigned["lead"]["id"].as_str().unwrap().to_owned();
    let due = at(&assigned["dueAt"]);

    app.state.clock.advance_to(due - Duration::minutes(1));
    run_jobs(&app).await;
    let warning = inbox.next().await;
    assert_eq!(warning["kind"], "SLA_WARNING");
    assert!(warning["message"].as_str().unwrap().contains("first touch"));
    assert_eq!(at(&warning["dueAt"]), due);

    app.state.clock.advance_to(due + Duration::seconds(1));
    run_jobs(&app).await;
    run_jobs(&app).await;
    let breach = inbox.next().await;
    assert_eq!(breach["kind"], "SLA_BREACHED");
    assert_eq!(breach["lead"]["id"], d.as_str());
    inbox.quiet().await;
    // No manager on the rep's seat: the sales leader hears of it.
    let escalated = app
        .gql(
            Some(&team.cro.access),
            "{ triggers { kind message lead { id } } }",
            json!({}),
        )
        .await;
    let escalations: Vec<&Value> = escalated
        .data("triggers")
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["kind"] == "SLA_BREACHED")
        .collect();
    assert_eq!(escalations.len(), 1, "{}", escalated.raw);
    assert!(escalations[0]["message"]
        .as_str()
        .unwrap()
        .starts_with("Escalation"));

    // Acting on the lead closes the SLA triggers about it.
    app.gql(
        Some(&team.rep.access),
        LOG_TOUCH,
        json!({"input": {"leadId": d, "channel": "CALL", "outcome": "CONNECTED"}}),
    )
    .await
    .data("logTouch");
    let mine = app
        .gql(
            Some(&team.rep.access),
            "{ triggers { kind acknowledgedAt } }",
            json!({}),
        )
        .await;
    for trigger in mine.data("triggers").as_array().unwrap() {
        let open = trigger["acknowledgedAt"].is_null();
        let is_sla = trigger["kind"].as_str().unwrap().starts_with("SLA_");
        assert_eq!(open, !is_sla, "{trigger}");
    }
}

#[actix_web::test]
async fn exclusive_plays_sales_assist_signals_and_opt_outs() {
    let app = TestApp::start_with(|config| config.job_poll_ms = 3_600_000).await;
    let team = seed_team(&app, "Exclusive").await;
    let webinar_trigger = json!({"kind": "EVENT", "eventTypes": ["webinar_attended"]});
    let high = create_play(
        &app,
        &team,
        json!({"name": "High", "priority": 10, "trigger": webinar_trigger}),
    )
    .await;
    create_play(
        &app,
        &team,
        json!({"name": "Low", "priority": 5, "trigger": webinar_trigger}),
    )
    .await;
    let security = create_play(
        &app,
        &team,
        json!({"name": "Security review", "exclusive": false, "trigger": {"kind": "SECURITY_PAGE_VIEWED"}}),
    )
    .await;
    ingest(
        &app,
        &team.token,
        json!([webinar("w-1", "eve@adatum.com", "Eve Li")]),
    )
    .await;
    let leads = app
        .gql(
            Some(&team.cro.access),
            "{ leads { edges { node { id } } } }",
            json!({}),
        )
        .await;
    let e = leads.data("leads")["edges"][0]["node"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let running = lead(&app, &team.rep, &e).await;
    let plays: Vec<&str> = running["enrollments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|en| en["play"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        plays,
        [high.as_str()],
        "one exclusive play, the highest priority"
    );

    // A sales-assist signal starts a non-exclusive play alongside, once per lead.
    let page = |key: &str| {
        event(
            key,
            "page_view",
            "eve@adatum.com",
            "Eve Li",
            json!({"url": "https://example.com/security"}),
        )
    };
    ingest(&app, &team.token, json!([page("p-1")])).await;
    ingest(&app, &team.token, json!([page("p-2")])).await;
    let running = lead(&app, &team.rep, &e).await;
    let plays: Vec<&str> = running["enrollments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|en| en["play"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(plays, [high.as_str(), security.as_str()]);

    // The same webinar again does not enroll the lead twice in a running play.
    ingest(
        &app,
        &team.token,
        json!([webinar("w-2", "eve@adatum.com", "Eve Li")]),
    )
    .await;
    assert_eq!(
        lead(&app, &team.rep, &e).await["enrollments"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    // OPTED_OUT stops every play for the contact, and none starts again.
    let out = app
        .gql(
            Some(&team.rep.access),
            LOG_TOUCH,
            json!({"input": {"leadId": e, "channel": "EMAIL", "outcome": "OPTED_OUT"}}),
        )
        .await;
    assert!(out.data("logTouch")["lead"]["optedOutAt"].is_string());
    let stopped = lead(&app, &team.rep, &e).await;
    for enrollment in stopped["enrollments"].as_array().unwrap() {
        assert_eq!(enrollment["status"], "STOPPED");
        assert_eq!(enrollment["endReason"], "the contact opted out");
    }
    assert!(tasks_of(&app, &team.rep, &e, "OPEN").await.is_empty());
    ingest(
        &app,
        &team.token,
        json!([webinar("w-3", "eve@adatum.com", "Eve Li")]),
    )
    .await;
    assert_eq!(
        lead(&app, &team.rep, &e).await["enrollments"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[actix_web::test]
async fn bad_plays_and_touches_are_refused_with_the_field_and_write_nothing() {
    let app = TestApp::start().await;
    let team = seed_team(&app, "Refusals").await;
    let owner = &team.owner.access;
    let cadence = "mutation($input: CadenceInput!) { createCadence(input: $input) { id } }";
    let cases = [
        (
            json!({"name": "Empty", "steps": []}),
            "BAD_USER_INPUT",
            "input.steps",
        ),
        (
            json!({"name": "Backwards", "steps": [
                {"dayOffset": 3, "channel": "EMAIL", "theme": "THOUGHT_LEADERSHIP"},
                {"dayOffset": 1, "channel": "CALL", "theme": "NEXT_STEP"}]}),
            "BAD_USER_INPUT",
            "input.steps[1].dayOffset",
        ),
        (
            json!({"name": "Unknown asset", "steps": [
                {"dayOffset": 0, "channel": "EMAIL", "theme": "CUSTOMER_STORY", "assetId": uuid::Uuid::now_v7().to_string()}]}),
            "NOT_FOUND",
            "input.steps[0].assetId",
        ),
    ];
    for (input, code, field) in cases {
        let reply = app.gql(Some(owner), cadence, json!({"input": input})).await;
        assert_eq!(
            (reply.code(), reply.field()),
            (code, Some(field)),
            "{}",
            reply.raw
        );
    }
    let play = "mutation($input: PlayInput!) { createPlay(input: $input) { id } }";
    let cases = [
        (
            json!({"name": "No cadence", "cadenceId": uuid::Uuid::now_v7().to_string(), "trigger": {"kind": "PQL_REACHED"}}),
            "NOT_FOUND",
            "input.cadenceId",
        ),
        (
            json!({"name": "Everything", "cadenceId": team.cadence_id, "trigger": {"kind": "EVENT"}}),
            "BAD_USER_INPUT",
            "input.trigger.eventTypes",
        ),
        (
            json!({"name": "Threshold", "cadenceId": team.cadence_id, "trigger": {"kind": "SCORE_THRESHOLD"}}),
            "BAD_USER_INPUT",
            "input.trigger.threshold",
        ),
        (
            json!({"name": "Bad criteria", "cadenceId": team.cadence_id, "trigger": {"kind": "EVENT", "criteria": {"field": "contact.nothing", "op": "EQ", "value": 1}}}),
            "BAD_USER_INPUT",
            "input.trigger.criteria.field",
        ),
        (
            json!({"name": "Priority", "priority": -1, "cadenceId": team.cadence_id, "trigger": {"kind": "PQL_REACHED"}}),
            "BAD_USER_INPUT",
            "input.priority",
        ),
    ];
    for (input, code, field) in cases {
        let reply = app.gql(Some(owner), play, json!({"input": input})).await;
        assert_eq!(
            (reply.code(), reply.field()),
            (code, Some(field)),
            "{}",
            reply.raw
        );
    }
    let rep_tries = app
        .gql(
            Some(&team.rep.access),
            play,
            json!({"input": {"name": "Mine", "cadenceId": team.cadence_id, "trigger": {"kind": "PQL_REACHED"}}}),
        )
        .await;
    assert_eq!(rep_tries.code(), "FORBIDDEN");
    let counts = app
        .gql(
            Some(owner),
            "{ plays { totalCount } cadences { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(counts.data("plays")["totalCount"], 0);
    assert_eq!(counts.data("cadences")["totalCount"], 1);

    let draft = app
        .gql(
            Some(owner),
            play,
            json!({"input": {"name": "Draft", "cadenceId": team.cadence_id, "trigger": {"kind": "PQL_REACHED"}}}),
        )
        .await;
    let draft_id = draft.data("createPlay")["id"].clone();
    let pause = app
        .gql(
            Some(owner),
            "mutation($id: ID!) { pausePlay(id: $id) { status } }",
            json!({"id": draft_id}),
        )
        .await;
    assert_eq!(
        (pause.code(), pause.field()),
        ("BAD_USER_INPUT", Some("id"))
    );

    // Touches: a lead someone else owns, a time in the future.
    ingest(
        &app,
        &team.token,
        json!([webinar("w-1", "fay@tailspin.com", "Fay Oh")]),
    )
    .await;
    let leads = app
        .gql(
            Some(&team.cro.access),
            "{ leads { edges { node { id } } } }",
            json!({}),
        )
        .await;
    let f = leads.data("leads")["edges"][0]["node"]["id"].clone();
    let other_rep = app.member(&team.owner, "REP").await;
    let foreign = app
        .gql(
            Some(&other_rep.access),
            LOG_TOUCH,
            json!({"input": {"leadId": f, "channel": "CALL", "outcome": "CONNECTED"}}),
        )
        .await;
    assert_eq!(foreign.code(), "FORBIDDEN");
    let future = app
        .gql(
            Some(&team.rep.access),
            LOG_TOUCH,
            json!({"input": {"leadId": f, "channel": "CALL", "outcome": "CONNECTED", "occurredAt": (Utc::now() + Duration::days(1)).to_rfc3339()}}),
        )
        .await;
    assert_eq!(
        (future.code(), future.field()),
        ("BAD_USER_INPUT", Some("input.occurredAt"))
    );
    let touches = lead(&app, &team.rep, f.as_str().unwrap()).await["touches"].clone();
    assert_eq!(touches, json!([]), "refused touches write nothing");
}

#[actix_web::test]
async fn managers_partners_and_dashboards_follow_triggers_by_role() {
    let app = TestApp::start_with(|config| config.job_poll_ms = 3_600_000).await;
    let team = seed_team(&app, "Followers").await;
    let manager = app.member(&team.owner, "SALES_MANAGER").await;
    let marketer = app.member(&team.owner, "MARKETER").await;
    let placed = app
        .gql(
            Some(&team.owner.access),
            "mutation($m: ID!, $u: ID!) { setMemberManager(memberId: $m, managerUserId: $u) { managerId } }",
            json!({"m": team.rep.member_id, "u": manager.user_id}),
        )
        .await;
    assert_eq!(
        placed.data("setMemberManager")["managerId"],
        json!(manager.user_id)
    );
    let own_manager = app
        .gql(
            Some(&team.owner.access),
            "mutation($m: ID!, $u: ID!) { setMemberManager(memberId: $m, managerUserId: $u) { managerId } }",
            json!({"m": team.rep.member_id, "u": team.rep.user_id}),
        )
        .await;
    assert_eq!(
        (own_manager.code(), own_manager.field()),
        ("BAD_USER_INPUT", Some("managerUserId"))
    );
    let by_rep = app
        .gql(
            Some(&team.rep.access),
            "mutation($m: ID!) { setMemberManager(memberId: $m, managerUserId: null) { managerId } }",
            json!({"m": team.rep.member_id}),
        )
        .await;
    assert_eq!(by_rep.code(), "FORBIDDEN");
    let seats = app
        .gql(
            Some(&team.owner.access),
            "{ members { edges { node { id managerId } } } }",
            json!({}),
        )
        .await;
    let rep_seat = seats.data("members")["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["node"]["id"] == json!(team.rep.member_id))
        .unwrap()["node"]["managerId"]
        .clone();
    assert_eq!(rep_seat, json!(manager.user_id), "refusals changed nothing");

    let mut dashboards = Vec::new();
    for who in [&manager, &marketer] {
        let mut socket = WsClient::connect(&app, TRANSPORT_WS).await;
        socket.init(&who.access).await;
        socket
            .subscribe(
                "activity",
                "subscription { workspaceActivity { kind leadId recipientId message } }",
            )
            .await;
        socket
            .await_activity(&*app.state.bus, team.owner.workspace_id.as_deref().unwrap())
            .await;
        dashboards.push(socket);
    }
    ingest(
        &app,
        &team.token,
        json!([webinar("w-1", "gil@wingtip.com", "Gil Tan")]),
    )
    .await;

    // The manager sees the team's stage change and trigger; the marketer only the stage change.
    let mut seen = Vec::new();
    for _ in 0..2 {
        let event = dashboards[0].message().await;
        seen.push(event["payload"]["data"]["workspaceActivity"]["kind"].clone());
    }
    assert_eq!(
        seen,
        [json!("LEAD_STAGE_CHANGED"), json!("TRIGGER_CREATED")]
    );
    let event = dashboards[1].message().await;
    assert_eq!(
        event["payload"]["data"]["workspaceActivity"]["kind"],
        "LEAD_STAGE_CHANGED"
    );
    assert!(
        dashboards[1].try_recv_within(1).await.is_none(),
        "no one's triggers for marketers"
    );

    // A partner app with `triggers:read` follows a named rep; it must name one.
    let (partner, _) = app.api_token(&team.owner, &["triggers:read"]).await;
    let follow = |who: &str| {
        format!("subscription {{ playTriggers(recipientId: \"{who}\") {{ kind sequence }} }}")
    };
    let mut socket = WsClient::connect(&app, TRANSPORT_WS).await;
    socket.init(&partner).await;
    socket.subscribe("rep", &follow(&team.rep.user_id)).await;
    let replayed = socket.message().await;
    assert_eq!(
        replayed["payload"]["data"]["playTriggers"]["kind"],
        "LEAD_ASSIGNED"
    );
    socket.subscribe("nobody", SUBSCRIBE).await;
    let refused = socket.message().await;
    assert_eq!(
        refused["payload"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{refused}"
    );
    let (events_only, _) = app.api_token(&team.owner, &["events:write"]).await;
    let mut socket = WsClient::connect(&app, TRANSPORT_WS).await;
    socket.init(&events_only).await;
    socket.subscribe("rep", &follow(&team.rep.user_id)).await;
    let refused = socket.message().await;
    assert_eq!(
        refused["payload"][0]["extensions"]["code"], "FORBIDDEN",
        "{refused}"
    );
    // A rep follows only themselves.
    let mut socket = WsClient::connect(&app, TRANSPORT_WS).await;
    socket.init(&team.rep.access).await;
    socket.subscribe("boss", &follow(&manager.user_id)).await;
    let refused = socket.message().await;
    assert_eq!(
        refused["payload"][0]["extensions"]["code"], "FORBIDDEN",
        "{refused}"
    );

    // The breach escalates to the rep's manager, not to the sales leader.
    let leads = app
        .gql(
            Some(&team.cro.access),
            "{ leads { edges { node { id } } } }",
            json!({}),
        )
        .await;
    let lead_id = leads.data("leads")["edges"][0]["node"]["id"].clone();
    let assigned = app
        .gql(
            Some(&team.rep.access),
            "{ triggers { dueAt lead { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(assigned.data("triggers")[0]["lead"]["id"], lead_id);
    app.state
        .clock
        .advance_to(at(&assigned.data("triggers")[0]["dueAt"]) + Duration::seconds(1));
    run_jobs(&app).await;
    let escalations = |reply: &crate::support::Reply| {
        reply
            .data("triggers")
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["message"].as_str().unwrap().starts_with("Escalation"))
            .count()
    };
    let boss = app
        .gql(Some(&manager.access), "{ triggers { message } }", json!({}))
        .await;
    assert_eq!(escalations(&boss), 1, "{}", boss.raw);
    let leader = app
        .gql(
            Some(&team.cro.access),
            "{ triggers { message } }",
            json!({}),
        )
        .await;
    assert_eq!(escalations(&leader), 0, "{}", leader.raw);
}

#[actix_web::test]
async fn deals_that_stall_or_are_lost_start_their_plays_once() {
    let app = TestApp::start_with(|config| config.job_poll_ms = 3_600_000).await;
    let team = seed_team(&app, "Deals").await;
    let stalled = create_play(
        &app,
        &team,
        json!({"name": "Stalled rescue", "exclusive": false, "trigger": {"kind": "OPPORTUNITY_STALLED"}}),
    )
    .await;
    let lost = create_play(
        &app,
        &team,
        json!({"name": "Win-back", "exclusive": false, "trigger": {"kind": "CLOSED_LOST"}}),
    )
    .await;
    let made = app
        .gql(
            Some(&team.owner.access),
            "mutation($rep: ID!) { upsertAccounts(accounts: [{domain: \"globex.com\"}]) { id }
               upsertContacts(contacts: [{email: \"x@globex.com\", ownerId: $rep}, {email: \"y@globex.com\", ownerId: $rep}, {email: \"z@globex.com\", ownerId: $rep}]) { id } }",
            json!({"rep": team.rep.user_id}),
        )
        .await;
    let account = made.data("upsertAccounts")[0]["id"].clone();
    let contacts: Vec<Value> = made
        .data("upsertContacts")
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].clone())
        .collect();
    let mut deals = Vec::new();
    for (name, contact) in ["X", "Y", "Z"].iter().zip(&contacts) {
        let deal = app
            .gql(
                Some(&team.owner.access),
                "mutation($a: ID!, $c: ID!, $n: String!) { createOpportunity(input: {name: $n, accountId: $a, primaryContactId: $c, amount: 20000}) { id stage } }",
                json!({"a": account, "c": contact, "n": name}),
            )
            .await;
        deals.push(deal.data("createOpportunity")["id"].clone());
    }
    let advance = "mutation($id: ID!) { updateOpportunity(id: $id, input: {stage: QUALIFICATION}) { stage } }";
    // X leaves discovery after 10 days, Y after 20: the discovery median is 10 days.
    app.state.clock.advance(Duration::days(10));
    app.gql(Some(&team.owner.access), advance, json!({"id": deals[0]}))
        .await
        .data("updateOpportunity");
    app.state.clock.advance(Duration::days(10));
    app.gql(Some(&team.owner.access), advance, json!({"id": deals[1]}))
        .await
        .data("updateOpportunity");
    // Z has sat in discovery for 20 days: stalled. Seen twice, it enrolls once.
    run_jobs(&app).await;
    run_jobs(&app).await;
    let enrolled = |lead: Value| {
        let app = &app;
        let rep = &team.rep;
        async move { lead_plays(app, rep, lead.as_str().unwrap()).await }
    };
    assert_eq!(enrolled(contacts[2].clone()).await, [stalled]);
    assert!(enrolled(contacts[0].clone()).await.is_empty());
    assert!(enrolled(contacts[1].clone()).await.is_empty());

    // Y is lost: its contact is retargeted.
    app.gql(
        Some(&team.owner.access),
        "mutation($id: ID!) { closeOpportunity(id: $id, won: false, reason: \"no budget\") { stage } }",
        json!({"id": deals[1]}),
    )
    .await
    .data("closeOpportunity");
    assert_eq!(enrolled(contacts[1].clone()).await, [lost]);
}

async fn lead_plays(app: &TestApp, who: &Session, id: &str) -> Vec<String> {
    lead(app, who, id).await["enrollments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["play"]["id"].as_str().unwrap().to_owned())
        .collect()
}

#[actix_web::test]
async fn campaigns_list_their_plays_and_definitions_can_change() {
    let app = TestApp::start().await;
    let team = seed_team(&app, "Campaign Plays").await;
    let owner = &team.owner.access;
    let made = app
        .gql(
            Some(owner),
            "mutation { createCampaign(input: {name: \"Q4 webinar\"}) { id }
               createAsset(input: {name: \"Hospital case study\", kind: CASE_STUDY, funnelStage: CONSIDERATION}) { id } }",
            json!({}),
        )
        .await;
    let campaign = made.data("createCampaign")["id"].clone();
    let asset = made.data("createAsset")["id"].clone();
    let play = app
        .gql(
            Some(owner),
            "mutation($c: ID!, $cad: ID!, $a: ID!) { createPlay(input: {name: \"Webinar follow-up\", campaignId: $c, cadenceId: $cad, assetIds: [$a], trigger: {kind: EVENT, eventTypes: [\"webinar_attended\"]}}) { id assets { id } exit { accelerateOn accelerateTo recycleWhenExhausted } } }",
            json!({"c": campaign, "cad": team.cadence_id, "a": asset}),
        )
        .await;
    let created = play.data("createPlay").clone();
    assert_eq!(created["assets"][0]["id"], asset);
    assert_eq!(
        created["exit"],
        json!({"accelerateOn": ["REPLIED", "MEETING_BOOKED"], "accelerateTo": "SQL", "recycleWhenExhausted": true})
    );
    let listed = app
        .gql(
            Some(owner),
            "query($c: ID!) { campaigns { edges { node { plays { id } } } } plays(filter: {campaignId: $c}) { totalCount } }",
            json!({"c": campaign}),
        )
        .await;
    assert_eq!(
        listed.data("campaigns")["edges"][0]["node"]["plays"][0]["id"],
        created["id"]
    );
    assert_eq!(listed.data("plays")["totalCount"], 1);

    let updated = app
        .gql(
            Some(owner),
            "mutation($id: ID!, $cad: ID!) { updatePlay(id: $id, input: {name: \"Score play\", cadenceId: $cad, priority: 7, exclusive: false, trigger: {kind: SCORE_THRESHOLD, threshold: 40}, exit: {accelerateOn: [MEETING_BOOKED], accelerateTo: SAL, recycleWhenExhausted: false}}) { name priority exclusive campaign { id } trigger { kind threshold } exit { accelerateOn accelerateTo recycleWhenExhausted } } }",
            json!({"id": created["id"], "cad": team.cadence_id}),
        )
        .await;
    let updated = updated.data("updatePlay").clone();
    assert_eq!(
        updated["trigger"],
        json!({"kind": "SCORE_THRESHOLD", "threshold": 40})
    );
    assert_eq!(updated["exit"]["accelerateTo"], "SAL");
    assert_eq!(
        (updated["priority"].clone(), updated["exclusive"].clone()),
        (json!(7), json!(false))
    );
    assert!(
        updated["campaign"].is_null(),
        "a replaced definition without campaignId drops it"
    );

    let cadence = app
        .gql(
            Some(owner),
            "mutation($id: ID!, $a: ID!) { updateCadence(id: $id, input: {name: \"Short\", steps: [{dayOffset: 0, channel: EMAIL, theme: CUSTOMER_STORY, assetId: $a}, {dayOffset: 2, channel: CALL, theme: NEXT_STEP}]}) { name steps { dayOffset asset { id } } } }",
            json!({"id": team.cadence_id, "a": asset}),
        )
        .await;
    let cadence = cadence.data("updateCadence").clone();
    assert_eq!(cadence["name"], "Short");
    assert_eq!(cadence["steps"][0]["asset"]["id"], asset);
    assert_eq!(cadence["steps"][1]["dayOffset"], 2);
}
