//! `Lead.qualification` tells the truth (issue 19, item 2): the contract's acceptance criteria
//! are evaluated against the lead as it stands, each sub-criterion met or not with the value
//! that decided it, and the verdict agrees with what ingestion did.

use serde_json::json;

use crate::{criteria_fields::accepting, support::documents::INGEST};

const QUALIFICATION: &str = "query($q: String) { leads(filter: {search: $q}) { edges { node { stage qualification { qualifies kind criteria { criterion met detail } } } } } }";

#[actix_web::test]
async fn qualification_reports_each_acceptance_criterion_with_its_deciding_value() {
    let app = crate::support::TestApp::start().await;
    let criteria = json!({"all": [
        {"field": "lead.source", "op": "EQ", "value": "webinar"},
        {"field": "account.industry", "op": "IN", "value": ["Software"]},
    ]});
    let (owner, token) = accepting(&app, "Qualification explained", &criteria).await;
    for (email, industry) in [("ret@shop.io", "Retail"), ("soft@code.io", "Software")] {
        let event = json!({
            "idempotencyKey": email,
            "type": "demo_request",
            "contact": {"email": email, "name": email},
            "account": {"domain": email.split('@').nth(1).unwrap(), "name": industry, "industry": industry},
            "source": "Webinar",
        });
        let reply = app.gql(Some(&token), INGEST, json!({"e": [event]})).await;
        assert_eq!(
            reply.data("ingestEvents")["results"][0]["status"],
            "ACCEPTED"
        );
    }
    let read = |email: &'static str| {
        let app = &app;
        let owner = &owner;
        async move {
            app.gql(Some(&owner.access), QUALIFICATION, json!({"q": email}))
                .await
                .data("leads")["edges"][0]["node"]
                .clone()
        }
    };
    let contract_lines = |lead: &serde_json::Value| {
        lead["qualification"]["criteria"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["criterion"].as_str().unwrap().starts_with("meets "))
            .cloned()
            .collect::<Vec<_>>()
    };

    let retail = read("ret@shop.io").await;
    assert_eq!(retail["stage"], "LEAD", "{retail}");
    assert_eq!(retail["qualification"]["qualifies"], false, "{retail}");
    assert_eq!(retail["qualification"]["kind"], json!(null));
    assert_eq!(
        contract_lines(&retail),
        [
            json!({"criterion": "meets lead.source EQ \"webinar\"", "met": true, "detail": "lead.source = \"Webinar\""}),
            json!({"criterion": "meets account.industry IN [\"Software\"]", "met": false, "detail": "account.industry = \"Retail\""}),
        ],
        "{retail}"
    );

    let software = read("soft@code.io").await;
    assert_eq!(software["stage"], "MQL", "{software}");
    assert_eq!(software["qualification"]["qualifies"], true, "{software}");
    assert_eq!(software["qualification"]["kind"], "HOT");
    assert_eq!(
        contract_lines(&software),
        [
            json!({"criterion": "meets lead.source EQ \"webinar\"", "met": true, "detail": "lead.source = \"Webinar\""}),
            json!({"criterion": "meets account.industry IN [\"Software\"]", "met": true, "detail": "account.industry = \"Software\""}),
        ],
        "{software}"
    );
}

/// Issue 19, item 12: a workspace with no signed contract runs on the seed's terms, and its
/// explanations and `alignmentHealth` say so; its stage changes name no contract. Once both
/// leaders sign, the notice goes and new stage changes name the contract.
#[actix_web::test]
async fn unsigned_terms_are_visible() {
    use crate::support::{
        documents::SIGN_CONTRACT,
        icps::{activate_icp, compare, create_icp, rule},
    };
    const NOTICE: &str = "no signed contract: the seed's default terms apply";
    const LEAD: &str = "query($q: String) { leads(filter: {search: $q}) { edges { node { stage qualification { notice } stageHistory { nodes { from to contractId } } } } } }";
    const HEALTH: &str = "{ alignmentHealth { theaterSignals } }";
    let app = crate::support::TestApp::start().await;
    let owner = app.owner("Unsigned terms").await;
    let cmo = app.member(&owner, "MARKETING_LEADER").await;
    let cro = app.member(&owner, "SALES_LEADER").await;
    // Fit 40 for every business email: with a demo request (+50) a lead meets the seed's terms.
    let icp = create_icp(
        &app,
        &owner,
        json!({"name": "Business", "motion": "LAND", "accountCriteria": [],
            "contactCriteria": [rule("Business email", 40, compare("contact.personalEmail", "EQ", json!(false)))]}),
    )
    .await;
    activate_icp(&app, &owner, &icp["id"]).await;
    let (token, _) = app.api_token(&owner, &["events:write"]).await;
    let demo = |email: &str| json!([{"idempotencyKey": email, "type": "demo_request", "contact": {"email": email, "name": email}}]);
    let read = |email: &'static str| {
        let app = &app;
        let owner = &owner;
        async move {
            app.gql(Some(&owner.access), LEAD, json!({"q": email}))
                .await
                .data("leads")["edges"][0]["node"]
                .clone()
        }
    };

    let reply = app
        .gql(
            Some(&token),
            INGEST,
            json!({"e": demo("first@unsigned.io")}),
        )
        .await;
    assert_eq!(
        reply.data("ingestEvents")["results"][0]["status"],
        "ACCEPTED"
    );
    let first = read("first@unsigned.io").await;
    assert_eq!(first["stage"], "MQL", "the seed's terms still act: {first}");
    assert_eq!(first["qualification"]["notice"], NOTICE, "{first}");
    let moves = first["stageHistory"]["nodes"].as_array().unwrap().clone();
    let to_mql = moves.iter().find(|m| m["to"] == "MQL").expect("{first}");
    assert_eq!(to_mql["contractId"], json!(null), "{first}");
    let health = app.gql(Some(&owner.access), HEALTH, json!({})).await;
    assert_eq!(
        health.data("alignmentHealth")["theaterSignals"],
        json!([NOTICE])
    );

    let contracts = app
        .gql(
            Some(&owner.access),
            "{ leadContracts { edges { node { id } } } }",
            json!({}),
        )
        .await;
    let id = contracts.data("leadContracts")["edges"][0]["node"]["id"].clone();
    for signer in [&cmo, &cro] {
        app.gql(Some(&signer.access), SIGN_CONTRACT, json!({"id": id}))
            .await
            .data("signLeadContract");
    }
    let reply = app
        .gql(
            Some(&token),
            INGEST,
            json!({"e": demo("second@unsigned.io")}),
        )
        .await;
    assert_eq!(
        reply.data("ingestEvents")["results"][0]["status"],
        "ACCEPTED"
    );
    let second = read("second@unsigned.io").await;
    assert_eq!(second["stage"], "MQL", "{second}");
    assert_eq!(second["qualification"]["notice"], json!(null), "{second}");
    let moves = second["stageHistory"]["nodes"].as_array().unwrap().clone();
    let to_mql = moves.iter().find(|m| m["to"] == "MQL").expect("{second}");
    assert_eq!(to_mql["contractId"], id, "{second}");
    let health = app.gql(Some(&owner.access), HEALTH, json!({})).await;
    assert_eq!(health.data("alignmentHealth")["theaterSignals"], json!([]));
}
