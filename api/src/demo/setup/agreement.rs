//! What both teams agreed on before the story starts: the ICP, the accounts it scores, the
//! signed contract, routing pools per segment, and the plays on their cadences.

use std::collections::HashMap;

use serde_json::{json, Value};

use super::{refused, text, Team};
use crate::demo::{
    cast::{ENTERPRISE, MID_MARKET, SMB},
    client::Api,
    plan::World,
    DemoError,
};

/// Mid-market and enterprise software and fintech companies in North America and Europe, with
/// revenue and marketing leaders as the buyers.
pub(super) async fn icp(api: &Api, team: &Team) -> Result<(), DemoError> {
    let criterion = |name: &str, weight: i32, field: &str, op: &str, value: Value| json!({"name": name, "weight": weight, "criteria": {"field": field, "op": op, "value": value}});
    let input = json!({
        "name": "Mid-market and enterprise SaaS",
        "motion": "LAND",
        "accountCriteria": [
            criterion("200 to 5,000 employees", 35, "account.employees", "BETWEEN", json!([200, 5000])),
            criterion("Software or fintech", 25, "account.industry", "IN", json!(["Software", "Fintech"])),
            criterion("North America or Western Europe", 10, "account.country", "IN", json!(["US", "CA", "GB", "DE", "NL", "FR"])),
            criterion("Runs a CRM we integrate with", 10, "account.technologies", "CONTAINS", json!("Salesforce")),
        ],
        "contactCriteria": [
            criterion("Revenue or marketing leader", 20, "contact.title", "MATCHES", json!(["vp", "head", "director", "chief"])),
            criterion("Students and interns", -30, "contact.title", "MATCHES", json!(["intern", "student"])),
        ],
        "personas": [
            {"persona": "RevOps", "role": "TRIGGERS"},
            {"persona": "Marketing leader", "role": "TRIGGERS"},
            {"persona": "Finance", "role": "BLOCKS"},
            {"persona": "Analyst", "role": "INFLUENCES"},
        ],
        "ownerId": team.owner().user_id.to_string(),
    });
    let made = api
        .run(
            team.owner(),
            "mutation($input: IcpInput!) { createIcp(input: $input) { id } }",
            json!({ "input": input }),
        )
        .await?;
    api.run(
        team.owner(),
        "mutation($id: ID!) { activateIcp(id: $id) { id } }",
        json!({"id": made["createIcp"]["id"]}),
    )
    .await?;
    Ok(())
}

pub(super) async fn accounts(api: &Api, world: &World, team: &Team) -> Result<(), DemoError> {
    let enterprise_reps = team.reps(ENTERPRISE);
    let inputs: Vec<Value> = world
        .companies
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let owner = c.named.then(|| {
                enterprise_reps[i % enterprise_reps.len()]
                    .user_id
                    .to_string()
            });
            json!({
                "domain": c.domain, "name": c.name, "industry": c.industry,
                "employees": c.employees, "country": c.country, "segment": c.segment,
                "technologies": c.technologies, "namedAccount": c.named, "ownerId": owner,
                "annualRevenue": f64::from(c.employees) * 180_000.0,
            })
        })
        .collect();
    for batch in inputs.chunks(200) {
        let done = api
            .run(
                team.owner(),
                "mutation($a: [AccountInput!]!) { upsertAccounts(accounts: $a) { error { message field } } }",
                json!({ "a": batch }),
            )
            .await?;
        for result in done["upsertAccounts"].as_array().into_iter().flatten() {
            if !result["error"].is_null() {
                return Err(refused("upsertAccounts", &result["error"]));
            }
        }
    }
    Ok(())
}

/// The seed contract with the team's commitments, signed by both leaders.
pub(super) async fn contract(api: &Api, team: &Team) -> Result<(), DemoError> {
    let found = api
        .run(
            team.owner(),
            "{ leadContracts { edges { node { id terms } } } }",
            json!({}),
        )
        .await?;
    let node = &found["leadContracts"]["edges"][0]["node"];
    let mut terms = node["terms"].clone();
    terms["commitments"]["mqlsPerMonth"] = json!(120);
    api.run(
        team.owner(),
        "mutation($id: ID!, $t: JSON!) { updateLeadContract(id: $id, terms: $t) { id } }",
        json!({"id": node["id"], "t": terms}),
    )
    .await?;
    for signer in [team.cmo(), team.cro()] {
        api.run(
            signer,
            "mutation($id: ID!) { signLeadContract(id: $id) { status } }",
            json!({"id": node["id"]}),
        )
        .await?;
    }
    Ok(())
}

/// One pool per segment (enterprise weighted toward the senior team), then everyone else to
/// the SMB pool.
pub(super) async fn routing(api: &Api, team: &Team) -> Result<(), DemoError> {
    let pool = |segment: &str, weight_first: i32| {
        team.reps(segment)
            .iter()
            .enumerate()
            .map(|(i, rep)| {
                json!({"userId": rep.user_id.to_string(),
                       "weight": if i < 5 { weight_first } else { 1 }})
            })
            .collect::<Vec<_>>()
    };
    let rules = [
        (
            "Enterprise",
            json!({"field": "account.segment", "op": "EQ", "value": ENTERPRISE}),
            pool(ENTERPRISE, 2),
            "WEIGHTED",
            25,
        ),
        (
            "Mid-market",
            json!({"field": "account.segment", "op": "EQ", "value": MID_MARKET}),
            pool(MID_MARKET, 1),
            "ROUND_ROBIN",
            30,
        ),
        (
            "Everyone else",
            json!({"field": "lead.stage", "op": "EXISTS"}),
            pool(SMB, 1),
            "ROUND_ROBIN",
            40,
        ),
    ];
    for (position, (name, criteria, targets, strategy, capacity)) in rules.into_iter().enumerate() {
        api.run(
            team.owner(),
            "mutation($input: RoutingRuleInput!) { createRoutingRule(input: $input) { id } }",
            json!({"input": {"name": name, "position": position + 1, "criteria": criteria,
                             "targets": targets, "strategy": strategy, "capacity": capacity}}),
        )
        .await?;
    }
    Ok(())
}

pub(super) async fn plays(
    api: &Api,
    team: &Team,
    assets: &HashMap<&'static str, String>,
    campaigns: &HashMap<&'static str, String>,
) -> Result<(), DemoError> {
    let owner = team.owner();
    let step = |day: i32, channel: &str, theme: &str, asset: Option<&str>, note: &str| {
        json!({"dayOffset": day, "channel": channel, "theme": theme,
               "assetId": asset.map(|a| assets[a].clone()), "instructions": note})
    };
    let cadences = [
        (
            "Hot inbound",
            vec![
                step(
                    0,
                    "CALL",
                    "NEXT_STEP",
                    None,
                    "Call within five minutes; book discovery",
                ),
                step(
                    0,
                    "EMAIL",
                    "VALUE_PROPOSITION",
                    Some("email_pain"),
                    "Confirm the call",
                ),
                step(1, "CALL", "NEXT_STEP", None, "Second attempt"),
                step(
                    3,
                    "EMAIL",
                    "CUSTOMER_STORY",
                    Some("case_study"),
                    "Send the Brightline story",
                ),
                step(5, "LINKEDIN", "SOCIAL_PROOF", None, "Connect"),
                step(8, "EMAIL", "BREAK_UP", None, "Close the loop"),
            ],
        ),
        (
            "Webinar follow-up",
            vec![
                step(
                    0,
                    "EMAIL",
                    "EDUCATION",
                    Some("webinar"),
                    "Share the recording",
                ),
                step(
                    2,
                    "EMAIL",
                    "CUSTOMER_STORY",
                    Some("email_proof"),
                    "What teams like yours changed",
                ),
                step(4, "CALL", "NEXT_STEP", None, "Offer a working session"),
                step(7, "EMAIL", "BREAK_UP", None, "Last note"),
            ],
        ),
        (
            "Win-back",
            vec![
                step(
                    0,
                    "EMAIL",
                    "THOUGHT_LEADERSHIP",
                    Some("ebook"),
                    "Send the playbook",
                ),
                step(
                    10,
                    "CALL",
                    "NEXT_STEP",
                    Some("roi"),
                    "Walk through the ROI model",
                ),
            ],
        ),
    ];
    let mut cadence_ids = Vec::new();
    for (name, steps) in cadences {
        let made = api
            .run(
                owner,
                "mutation($input: CadenceInput!) { createCadence(input: $input) { id } }",
                json!({"input": {"name": name, "steps": steps}}),
            )
            .await?;
        cadence_ids.push(text(&made["createCadence"]["id"]));
    }
    let plays = [
        json!({"name": "Hot hand-raiser", "cadenceId": cadence_ids[0], "priority": 900,
               "trigger": {"kind": "MQL_ASSIGNED", "mqlKinds": ["HOT"]},
               "assetIds": [assets["case_study"]]}),
        json!({"name": "Webinar attendee", "cadenceId": cadence_ids[1], "priority": 500,
               "campaignId": campaigns["webinar"],
               "trigger": {"kind": "EVENT", "eventTypes": ["webinar_attended"]},
               "assetIds": [assets["webinar"]]}),
        json!({"name": "Security review", "cadenceId": cadence_ids[1], "exclusive": false,
               "trigger": {"kind": "SECURITY_PAGE_VIEWED"}}),
        json!({"name": "Closed-lost win-back", "cadenceId": cadence_ids[2], "priority": 200,
               "trigger": {"kind": "CLOSED_LOST"}}),
    ];
    for play in plays {
        let made = api
            .run(
                owner,
                "mutation($input: PlayInput!) { createPlay(input: $input) { id } }",
                json!({ "input": play }),
            )
            .await?;
        api.run(
            owner,
            "mutation($id: ID!) { activatePlay(id: $id) { id } }",
            json!({"id": made["createPlay"]["id"]}),
        )
        .await?;
    }
    Ok(())
}
