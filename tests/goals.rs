//! Goals can be updated and closed and show at-risk. A goal of 4 SALs in March 2027, read on
//! 15 March at noon (14.5 of 31 days gone, 0.468): one SAL so far (0.25) is at risk; a target
//! of 2 (0.5) is not; a period not started yet never is. Its owners edit it, others may not;
//! closing takes it out of the open list, and a closed goal is neither edited nor closed again.

use chrono::{TimeZone, Utc};
use serde_json::json;

use crate::support::{
    fixtures::{hot_lead, team},
    TestApp,
};

const FIELDS: &str = "id name target periodStart atRisk attainment closedAt owners { userId team }";

#[actix_web::test]
async fn goals_are_updated_by_their_owners_closed_once_and_show_at_risk() {
    let app = TestApp::start_with(|config| config.job_poll_ms = 3_600_000).await;
    let team = team(&app).await;
    app.state
        .clock
        .freeze_at(Utc.with_ymd_and_hms(2027, 3, 15, 12, 0, 0).unwrap());
    let lead = hot_lead(&app, &team, "sal@goals.io", "Webinar").await;
    app.gql(
        Some(&team.rep.access),
        "mutation($id: ID!) { acceptLead(id: $id) { stage } }",
        json!({"id": lead}),
    )
    .await
    .data("acceptLead");

    let created = app
        .gql(
            Some(&team.cmo.access),
            &format!("mutation($o: [ID!]!) {{ createGoal(input: {{name: \"March SALs\", metric: SALS, target: 4, period: {{start: \"2027-03-01\", months: 1}}, ownerIds: $o}}) {{ {FIELDS} }} }}"),
            json!({"o": [team.cmo.user_id, team.cro.user_id]}),
        )
        .await;
    let goal = created.data("createGoal").clone();
    assert_eq!(goal["attainment"], 0.25);
    assert_eq!(
        goal["atRisk"], true,
        "0.25 of the target, 0.468 of the month"
    );
    assert_eq!(goal["closedAt"], json!(null));
    let id = goal["id"].clone();

    let update = format!(
        "mutation($id: ID!, $input: GoalUpdateInput!) {{ updateGoal(id: $id, input: $input) {{ {FIELDS} }} }}"
    );
    // Neither a rep nor a marketer the goal does not name may change it.
    for outsider in [&team.rep, &team.marketer] {
        let refused = app
            .gql(
                Some(&outsider.access),
                &update,
                json!({"id": id, "input": {"target": 2}}),
            )
            .await;
        assert_eq!(refused.code(), "FORBIDDEN", "{}", refused.raw);
    }
    // The leader hands it to the marketer and the rep, and halves the target: on track.
    let handed = app
        .gql(
            Some(&team.cmo.access),
            &update,
            json!({"id": id, "input": {"target": 2, "ownerIds": [team.marketer.user_id, team.rep.user_id]}}),
        )
        .await;
    let g = handed.data("updateGoal");
    assert_eq!(g["target"], 2.0);
    assert_eq!(g["attainment"], 0.5);
    assert_eq!(g["atRisk"], false);
    assert_eq!(
        g["owners"],
        json!([{"userId": team.marketer.user_id, "team": "MARKETING"}, {"userId": team.rep.user_id, "team": "SALES"}])
    );
    // Now the rep owns it: they rename it and move it to April (not started: never at risk).
    let moved = app
        .gql(
            Some(&team.rep.access),
            &update,
            json!({"id": id, "input": {"name": "April SALs", "period": {"start": "2027-04-10", "months": 1}}}),
        )
        .await;
    let g = moved.data("updateGoal");
    assert_eq!(g["name"], "April SALs");
    assert_eq!(g["periodStart"], "2027-04-01");
    assert_eq!(g["atRisk"], false);
    // The same rules as creating one, named under `input`.
    let one_team = app
        .gql(
            Some(&team.marketer.access),
            &update,
            json!({"id": id, "input": {"ownerIds": [team.marketer.user_id]}}),
        )
        .await;
    assert_eq!(one_team.field(), Some("input.ownerIds"), "{}", one_team.raw);
    let zero = app
        .gql(
            Some(&team.marketer.access),
            &update,
            json!({"id": id, "input": {"target": 0}}),
        )
        .await;
    assert_eq!(zero.field(), Some("input.target"), "{}", zero.raw);
    // Back to March: 1 of 2 at 0.468 is on track, 1 of 4 is at risk again.
    let back = app
        .gql(
            Some(&team.marketer.access),
            &update,
            json!({"id": id, "input": {"target": 4, "period": {"start": "2027-03-01", "months": 1}}}),
        )
        .await;
    assert_eq!(back.data("updateGoal")["atRisk"], true);

    // A second goal stays open.
    app.gql(
        Some(&team.cro.access),
        "mutation($o: [ID!]!) { createGoal(input: {name: \"Q2 MQLs\", metric: MQLS, target: 100, period: {start: \"2027-04-01\", months: 3}, ownerIds: $o}) { id } }",
        json!({"o": [team.cmo.user_id, team.cro.user_id]}),
    )
    .await
    .data("createGoal");

    let close = format!("mutation($id: ID!) {{ closeGoal(id: $id) {{ {FIELDS} }} }}");
    let by_cro = app
        .gql(Some(&team.cro.access), &close, json!({"id": id}))
        .await;
    let closed = by_cro.data("closeGoal");
    assert!(closed["closedAt"].is_string());
    assert_eq!(closed["atRisk"], false, "a closed goal is not at risk");
    let twice = app
        .gql(Some(&team.rep.access), &close, json!({"id": id}))
        .await;
    assert_eq!(twice.code(), "CONFLICT", "{}", twice.raw);
    let edit_closed = app
        .gql(
            Some(&team.rep.access),
            &update,
            json!({"id": id, "input": {"target": 3}}),
        )
        .await;
    assert_eq!(edit_closed.code(), "CONFLICT");

    let open = app
        .gql(
            Some(&team.rep.access),
            "{ goals { totalCount nodes { name } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        open.data("goals"),
        &json!({"totalCount": 1, "nodes": [{"name": "Q2 MQLs"}]})
    );
    let all = app
        .gql(
            Some(&team.rep.access),
            "{ goals(includeClosed: true) { totalCount nodes { name closedAt } } }",
            json!({}),
        )
        .await;
    let all = all.data("goals");
    assert_eq!(all["totalCount"], 2);
    assert_eq!(all["nodes"][1]["name"], "April SALs");
    assert!(all["nodes"][1]["closedAt"].is_string());
    let unknown = app
        .gql(
            Some(&team.cro.access),
            &close,
            json!({"id": uuid::Uuid::now_v7().to_string()}),
        )
        .await;
    assert_eq!(unknown.code(), "NOT_FOUND");
}
