//! Issue 19, items 5, 6 and 11: SLA triggers close precisely (meeting the first-touch SLA closes
//! only its triggers; the inbox filters by `open` and `kinds`), overturned rejections stop
//! counting, and the source rule judges calendar months that are over.

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

use crate::support::{
    fixtures::{hot_lead, team},
    Session, TestApp,
};

const LOG_TOUCH: &str =
    "mutation($input: LogTouchInput!) { logTouch(input: $input) { lead { id } } }";
const INBOX: &str = "query($open: Boolean, $kinds: [TriggerKind!]) { triggers(first: 100, open: $open, kinds: $kinds) { id kind dueAt acknowledgedAt message lead { id } } }";

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

async fn inbox(
    app: &TestApp,
    who: &Session,
    open: Option<bool>,
    kinds: Option<&[&str]>,
) -> Vec<Value> {
    app.gql(
        Some(&who.access),
        INBOX,
        json!({"open": open, "kinds": kinds}),
    )
    .await
    .data("triggers")
    .as_array()
    .unwrap()
    .clone()
}

#[actix_web::test]
async fn meeting_the_first_touch_sla_closes_only_its_triggers() {
    let app = TestApp::start_with(|config| config.job_poll_ms = 3_600_000).await;
    let team = team(&app).await;
    let lead = hot_lead(&app, &team, "ivy@sla.example", "Website").await;
    let assigned = inbox(&app, &team.rep, None, None).await;
    let hot = assigned
        .iter()
        .find(|t| t["lead"]["id"] == lead.as_str())
        .expect("the rep hears of the lead");
    let first_touch_due = at(&hot["dueAt"]);

    // A week later nobody has touched the lead: the first touch is breached, the status
    // update warned.
    app.state
        .clock
        .advance_to(first_touch_due + Duration::days(7));
    for _ in 0..4 {
        run_jobs(&app).await;
    }
    let sla = ["SLA_WARNING", "SLA_BREACHED"];
    let open = inbox(&app, &team.rep, Some(true), Some(&sla)).await;
    assert!(
        open.iter().any(|t| at(&t["dueAt"]) == first_touch_due),
        "{open:?}"
    );
    let status_due: Vec<DateTime<Utc>> = open
        .iter()
        .map(|t| at(&t["dueAt"]))
        .filter(|due| *due != first_touch_due)
        .collect();
    assert!(
        !status_due.is_empty(),
        "the status-update clock warned: {open:?}"
    );
    assert!(open.iter().all(|t| t["kind"] != "HOT_LEAD_ENGAGED"));

    // The first touch meets the first-touch SLA only: the status update is still due.
    app.gql(
        Some(&team.rep.access),
        LOG_TOUCH,
        json!({"input": {"leadId": lead, "channel": "CALL", "outcome": "CONNECTED"}}),
    )
    .await
    .data("logTouch");
    let still_open = inbox(&app, &team.rep, Some(true), Some(&sla)).await;
    assert!(
        !still_open.is_empty(),
        "the status-update triggers stay open"
    );
    for t in &still_open {
        assert_ne!(at(&t["dueAt"]), first_touch_due, "{t}");
        assert!(t["acknowledgedAt"].is_null());
    }
    let closed = inbox(&app, &team.rep, Some(false), Some(&sla)).await;
    assert!(!closed.is_empty());
    assert!(closed
        .iter()
        .all(|t| at(&t["dueAt"]) == first_touch_due && !t["acknowledgedAt"].is_null()));
    // The filters combine: kinds alone keeps both, open alone keeps the hot-lead trigger too.
    let warnings = inbox(&app, &team.rep, None, Some(&["SLA_WARNING"])).await;
    assert!(!warnings.is_empty());
    assert!(warnings.iter().all(|t| t["kind"] == "SLA_WARNING"));
    let all_open = inbox(&app, &team.rep, Some(true), None).await;
    assert!(all_open.iter().any(|t| t["kind"] == "HOT_LEAD_ENGAGED"));
    assert_eq!(
        all_open
            .iter()
            .filter(|t| sla.contains(&t["kind"].as_str().unwrap()))
            .count(),
        still_open.len()
    );

    // Accepting the lead meets the status update: nothing about the SLAs is due any more.
    app.gql(
        Some(&team.rep.access),
        "mutation($id: ID!) { acceptLead(id: $id) { stage } }",
        json!({"id": lead}),
    )
    .await
    .data("acceptLead");
    assert!(inbox(&app, &team.rep, Some(true), Some(&sla))
        .await
        .is_empty());
}
