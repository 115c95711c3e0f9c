//! Sources, campaigns, assets, spend and opportunities.

use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{json, Value};

use crate::support::{Session, TestApp};

async fn create(
    app: &TestApp,
    session: &Session,
    mutation: &str,
    field: &str,
    variables: Value,
) -> Value {
    let reply = app.gql(Some(&session.access), mutation, variables).await;
    reply.data(field).clone()
}

#[actix_web::test]
async fn sources_campaigns_assets_and_spend() {
    let app = TestApp::start().await;
    let owner = app.owner("Catalog").await;
    let source = create(&app, &owner, "mutation { createSource(input: {name: \"Google Ads\", kind: PAID_SEARCH}) { id name kind paused } }", "createSource", json!({})).await;
    assert_eq!(source["paused"], false);
    let duplicate = app
        .gql(
            Some(&owner.access),
            "mutation { createSource(input: {name: \"Google Ads\", kind: PAID_SEARCH}) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(duplicate.code(), "CONFLICT");

    let asset = create(
        &app,
        &owner,
        "mutation { createAsset(input: {name: \"ROI calculator\", url: \"https://acme.com/roi\", kind: ROI_CALCULATOR, funnelStage: DECISION}) { id kind funnelStage } }",
        "createAsset",
        json!({}),
    )
    .await;
    let bad_url = app
        .gql(Some(&owner.access), "mutation { createAsset(input: {name: \"x\", url: \"javascript:alert(1)\", kind: EBOOK, funnelStage: AWARENESS}) { id } }", json!({}))
        .await;
    assert_eq!(bad_url.field(), Some("input.url"));

    let campaign = create(
        &app,
        &owner,
        "mutation($s: ID, $a: [ID!]!) { createCampaign(input: {name: \"Q4 webinar\", sourceId: $s, startsOn: \"2026-10-01\", endsOn: \"2026-12-31\", assetIds: $a}) { id source { name } assets { name } } }",
        "createCampaign",
        json!({"s": source["id"], "a": [asset["id"]]}),
    )
    .await;
    assert_eq!(campaign["source"]["name"], "Google Ads");
    assert_eq!(campaign["assets"][0]["name"], "ROI calculator");
    let backwards = app
        .gql(Some(&owner.access), "mutation { createCampaign(input: {name: \"x\", startsOn: \"2026-10-01\", endsOn: \"2026-09-01\"}) { id } }", json!({}))
        .await;
    assert_eq!(backwards.field(), Some("input.endsOn"));

    let spend = "mutation($s: ID, $c: ID, $m: String!, $amt: Float!) { recordSpend(input: {sourceId: $s, campaignId: $c, month: $m, amount: $amt}) { month amount currency } }";
    app.gql(
        Some(&owner.access),
        spend,
        json!({"s": source["id"], "m": "2026-10", "amt": 1200.5}),
    )
    .await
    .data("recordSpend");
    app.gql(
        Some(&owner.access),
        spend,
        json!({"s": source["id"], "m": "2026-11", "amt": 900}),
    )
    .await
    .data("recordSpend");
    let replaced = app
        .gql(
            Some(&owner.access),
            spend,
            json!({"s": source["id"], "m": "2026-10", "amt": 1500}),
        )
        .await;
    assert_eq!(replaced.data("recordSpend")["amount"], 1500.0);
    app.gql(
        Some(&owner.access),
        spend,
        json!({"c": campaign["id"], "m": "2026-11", "amt": 300}),
    )
    .await
    .data("recordSpend");
    let both = app
        .gql(
            Some(&owner.access),
            spend,
            json!({"s": source["id"], "c": campaign["id"], "m": "2026-11", "amt": 1}),
        )
        .await;
    assert_eq!(both.code(), "BAD_USER_INPUT");
    let bad_month = app
        .gql(
            Some(&owner.access),
            spend,
            json!({"s": source["id"], "m": "2026-13", "amt": 1}),
        )
        .await;
    assert_eq!(bad_month.field(), Some("input.month"));
    let negative = app
        .gql(
            Some(&owner.access),
            spend,
            json!({"s": source["id"], "m": "2026-12", "amt": -1}),
        )
        .await;
    assert_eq!(negative.field(), Some("input.amount"));

    let sources = app.gql(Some(&owner.access), "{ sources { totalCount edges { node { name spend { month amount } } } } campaigns { edges { node { spend { amount } } } } }", json!({})).await;
    assert_eq!(
        sources.data("sources")["edges"][0]["node"]["spend"],
        json!([{"month": "2026-11", "amount": 900.0}, {"month": "2026-10", "amount": 1500.0}])
    );
    assert_eq!(
        sources.body["data"]["campaigns"]["edges"][0]["node"]["spend"][0]["amount"],
        300.0
    );

    // A source in use cannot be deleted; an unused one can.
    let in_use = app
        .gql(
            Some(&owner.access),
            "mutation($id: ID!) { deleteSource(id: $id) }",
            json!({"id": source["id"]}),
        )
        .await;
    assert_eq!(in_use.code(), "CONFLICT");
    let spare = create(
        &app,
        &owner,
        "mutation { createSource(input: {name: \"Spare\", kind: OTHER}) { id } }",
        "createSource",
        json!({}),
    )
    .await;
    let deleted = app
        .gql(
            Some(&owner.access),
            "mutation($id: ID!) { deleteSource(id: $id) }",
            json!({"id": spare["id"]}),
        )
        .await;
    assert_eq!(deleted.data("deleteSource"), &spare["id"]);

    let rep = app.member(&owner, "REP").await;
    let by_rep = app
        .gql(
            Some(&rep.access),
            "mutation { createSource(input: {name: \"Mine\", kind: OTHER}) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(by_rep.code(), "FORBIDDEN");
}

#[actix_web::test]
async fn opportunities_are_created_updated_and_closed() {
    let app = TestApp::start().await;
    let owner = app.owner("Pipeline").await;
    let rep = app.member(&owner, "REP").await;
    let account = app
        .gql(
            Some(&owner.access),
            "mutation { upsertAccounts(accounts: [{domain: \"acme.com\"}]) { id } }",
            json!({}),
        )
        .await;
    let account_id = account.data("upsertAccounts")[0]["id"].clone();
    let source = create(
        &app,
        &owner,
        "mutation { createSource(input: {name: \"Webinar\", kind: WEBINAR}) { id } }",
        "createSource",
        json!({}),
    )
    .await;
    let lead = app
        .gql(Some(&owner.access), "mutation($s: ID) { upsertContacts(contacts: [{email: \"ana@acme.com\", sourceId: $s}]) { id } }", json!({"s": source["id"]}))
        .await;
    let lead_id = lead.data("upsertContacts")[0]["id"].clone();

    let create_opp = "mutation($a: ID!, $l: ID, $amt: Float!) { createOpportunity(input: {name: \"Acme platform\", accountId: $a, leadId: $l, amount: $amt, currency: \"usd\"}) { id stage currency source { name } lead { email } account { domain } } }";
    let opp = app
        .gql(
            Some(&rep.access),
            create_opp,
            json!({"a": account_id, "l": lead_id, "amt": 48000}),
        )
        .await;
    let opp = opp.data("createOpportunity").clone();
    assert_eq!(opp["stage"], "DISCOVERY");
    assert_eq!(opp["currency"], "USD");
    assert_eq!(
        opp["source"]["name"], "Webinar",
        "the lead's source is attributed"
    );
    let negative = app
        .gql(
            Some(&rep.access),
            create_opp,
            json!({"a": account_id, "amt": -1}),
        )
        .await;
    assert_eq!(negative.field(), Some("input.amount"));
    let missing_account = app
        .gql(
            Some(&rep.access),
            create_opp,
            json!({"a": uuid::Uuid::now_v7(), "amt": 1}),
        )
        .await;
    assert_eq!(missing_account.code(), "NOT_FOUND");
    assert_eq!(missing_account.field(), Some("input.accountId"));

    let update = app
        .gql(Some(&rep.access), "mutation($id: ID!) { updateOpportunity(id: $id, input: {stage: PROPOSAL, amount: 52000, closeDate: \"2026-12-15\"}) { stage amount closeDate } }", json!({"id": opp["id"]}))
        .await;
    assert_eq!(
        update.data("updateOpportunity"),
        &json!({"stage": "PROPOSAL", "amount": 52000.0, "closeDate": "2026-12-15"})
    );
    let sneaky = app
        .gql(Some(&rep.access), "mutation($id: ID!) { updateOpportunity(id: $id, input: {stage: CLOSED_WON}) { stage } }", json!({"id": opp["id"]}))
        .await;
    assert_eq!(sneaky.field(), Some("input.stage"));

    let no_reason = app
        .gql(
            Some(&rep.access),
            "mutation($id: ID!) { closeOpportunity(id: $id, won: false) { stage } }",
            json!({"id": opp["id"]}),
        )
        .await;
    assert_eq!(no_reason.field(), Some("reason"));
    let won = app.gql(Some(&rep.access), "mutation($id: ID!) { closeOpportunity(id: $id, won: true) { stage closedAt account { lifecycle opportunities { nodes { id } } } } }", json!({"id": opp["id"]})).await;
    let won = won.data("closeOpportunity").clone();
    assert_eq!(won["stage"], "CLOSED_WON");
    assert!(won["closedAt"].is_string());
    assert_eq!(won["account"]["lifecycle"], "CUSTOMER");
    assert_eq!(won["account"]["opportunities"]["nodes"][0]["id"], opp["id"]);
    let twice = app
        .gql(
            Some(&rep.access),
            "mutation($id: ID!) { closeOpportunity(id: $id, won: true) { stage } }",
            json!({"id": opp["id"]}),
        )
        .await;
    assert_eq!(twice.code(), "CONFLICT");

    let list = app
        .gql(Some(&owner.access), "{ won: opportunities(filter: {status: WON}) { totalCount } open: opportunities(filter: {status: OPEN}) { totalCount } }", json!({}))
        .await;
    assert_eq!(
        list.body["data"],
        json!({"won": {"totalCount": 1}, "open": {"totalCount": 0}})
    );
    let marketer = app.member(&owner, "MARKETER").await;
    let forbidden = app
        .gql(
            Some(&marketer.access),
            create_opp,
            json!({"a": account_id, "amt": 1}),
        )
        .await;
    assert_eq!(forbidden.code(), "FORBIDDEN");
}

#[actix_web::test]
async fn an_asset_in_use_is_not_deleted() {
    let app = TestApp::start().await;
    let owner = app.owner("Content").await;
    let asset = create(
        &app,
        &owner,
        "mutation { createAsset(input: {name: \"Case study\", kind: CASE_STUDY, funnelStage: DECISION}) { id } }",
        "createAsset",
        json!({}),
    )
    .await["id"]
        .clone();
    let steps = |asset: Value| json!([{"dayOffset": 0, "channel": "EMAIL", "theme": "CUSTOMER_STORY", "assetId": asset}]);
    let cadence = create(
        &app,
        &owner,
        "mutation($s: [CadenceStepInput!]!) { createCadence(input: {name: \"Proof\", steps: $s}) { id } }",
        "createCadence",
        json!({ "s": steps(asset.clone()) }),
    )
    .await["id"]
        .clone();
    let delete = "mutation($id: ID!) { deleteAsset(id: $id) }";
    let refused = app
        .gql(Some(&owner.access), delete, json!({ "id": asset }))
        .await;
    assert_eq!(refused.code(), "CONFLICT", "{}", refused.raw);
    assert!(
        refused.raw.contains("cadence \\\"Proof\\\" (step 1)"),
        "{}",
        refused.raw
    );
    let still = app
        .gql(
            Some(&owner.access),
            "{ assets { nodes { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        still.data("assets")["nodes"][0]["id"],
        asset,
        "nothing was deleted"
    );

    // Once the cadence sends something else, the asset goes.
    app.gql(
        Some(&owner.access),
        "mutation($id: ID!, $s: [CadenceStepInput!]!) { updateCadence(id: $id, input: {steps: $s}) { id } }",
        json!({ "id": cadence, "s": steps(Value::Null) }),
    )
    .await
    .data("updateCadence");
    let deleted = app
        .gql(Some(&owner.access), delete, json!({ "id": asset }))
        .await;
    assert_eq!(deleted.data("deleteAsset"), &asset);
}

#[actix_web::test]
async fn a_deleted_deal_goes_with_its_stage_history() {
    let app = TestApp::start().await;
    let owner = app.owner("Pipeline").await;
    let account = app
        .gql(
            Some(&owner.access),
            "mutation { upsertAccounts(accounts: [{domain: \"acme.com\"}]) { id } }",
            json!({}),
        )
        .await;
    let opp = create(
        &app,
        &owner,
        "mutation($a: ID!) { createOpportunity(input: {name: \"Acme\", accountId: $a, amount: 1000}) { id } }",
        "createOpportunity",
        json!({ "a": account.data("upsertAccounts")[0]["id"] }),
    )
    .await["id"]
        .clone();
    create(
        &app,
        &owner,
        "mutation($id: ID!) { updateOpportunity(id: $id, input: {stage: PROPOSAL}) { id } }",
        "updateOpportunity",
        json!({ "id": opp }),
    )
    .await;
    let deleted = app
        .gql(
            Some(&owner.access),
            "mutation($id: ID!) { deleteOpportunity(id: $id) }",
            json!({ "id": opp }),
        )
        .await;
    assert_eq!(deleted.data("deleteOpportunity"), &opp);
    let left = app
        .gql(
            Some(&owner.access),
            "{ opportunities { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(left.data("opportunities")["totalCount"], 0);
    let opp_id: uuid::Uuid = opp.as_str().unwrap().parse().unwrap();
    let history = entity::opportunity_stage_change::Entity::find()
        .filter(entity::opportunity_stage_change::Column::OpportunityId.eq(opp_id))
        .count(app.db())
        .await
        .unwrap();
    assert_eq!(history, 0, "the stage history went with the deal");
}
