//! Day one of the demo: the team and its seats, the API token, and what both teams agreed on
//! (ICP, contract, routing, plays) plus the market (sources, campaigns, content, accounts).

use std::collections::HashMap;

use entity::{user, Role};
use serde_json::{json, Value};
use uuid::Uuid;

use super::{
    cast::{self, ENTERPRISE, MID_MARKET, SMB},
    client::{Api, Member},
    plan::{World, WORKSPACE_NAME},
    DemoError, DemoReport, DEMO_PASSWORD,
};
use crate::{auth::password, error::AppError, state::AppState, store};

const TOKEN_SCOPES: [&str; 4] = [
    "events:write",
    "leads:read",
    "triggers:read",
    "metrics:read",
];

pub struct Team {
    pub workspace_id: Uuid,
    pub members: Vec<Member>,
}

impl Team {
    pub fn owner(&self) -> &Member {
        &self.members[0]
    }

    pub fn with_role(&self, role: Role) -> impl Iterator<Item = &Member> {
        self.members.iter().filter(move |m| m.role == role)
    }

    fn first(&self, role: Role) -> &Member {
        self.with_role(role)
            .next()
            .expect("the cast has every role")
    }

    pub fn cmo(&self) -> &Member {
        self.first(Role::MarketingLeader)
    }

    pub fn cro(&self) -> &Member {
        self.first(Role::SalesLeader)
    }

    pub fn member(&self, user_id: Uuid) -> Option<&Member> {
        self.members.iter().find(|m| m.user_id == user_id)
    }

    pub fn reps(&self, segment: &str) -> Vec<&Member> {
        self.with_role(Role::Rep)
            .filter(|m| m.team == Some(segment))
            .collect()
    }
}

/// What the story refers to by name.
pub struct Catalog {
    /// Source name to id, in `SOURCES` order.
    pub sources: Vec<(&'static str, String)>,
    pub assets: HashMap<&'static str, String>,
    pub campaigns: HashMap<&'static str, String>,
}

/// Lead sources: name, kind, and how well their leads fit (the share drawn from the ICP's
/// segments and titles). Content syndication is the cheap one that sales keeps rejecting.
pub const SOURCES: [(&str, &str, f64); 7] = [
    ("Paid search", "PAID_SEARCH", 0.6),
    ("LinkedIn ads", "PAID_SOCIAL", 0.55),
    ("Organic search", "ORGANIC", 0.6),
    ("Webinars", "WEBINAR", 0.7),
    ("Content syndication", "CONTENT", 0.2),
    ("Partner referrals", "PARTNER", 0.85),
    ("Product sign-ups", "PRODUCT", 0.5),
];

/// Monthly spend per source, in dollars (organic, partners and product cost nothing here).
pub const SPEND: [(&str, f64); 4] = [
    ("Paid search", 18_000.0),
    ("LinkedIn ads", 14_000.0),
    ("Webinars", 6_000.0),
    ("Content syndication", 9_000.0),
];

pub async fn team(api: &Api, world: &World) -> Result<Team, DemoError> {
    let state = api.state();
    let hash = password::hash(DEMO_PASSWORD.to_owned()).await?;
    let txn = state.store.begin_write().await?;
    let mut users = Vec::with_capacity(world.team.len());
    for person in &world.team {
        users.push(
            store::people::create_user(&txn, &person.email, &person.name, hash.clone()).await?,
        );
    }
    let workspace =
        crate::services::workspaces::create(&txn, WORKSPACE_NAME, users[0].id, state.clock.now())
            .await?;
    let tenant = store::Tenant::new(&txn, workspace.id);
    let mut seats = Vec::with_capacity(users.len());
    for (user, person) in users.iter().zip(&world.team).skip(1) {
        seats.push((
            tenant.add_member(user.id, person.role).await?.id,
            person.team,
        ));
    }
    txn.commit().await.map_err(AppError::from)?;
    let members: Vec<Member> = users
        .iter()
        .zip(&world.team)
        .map(|(user, person)| Member::new(user.id, workspace.id, person))
        .collect();
    let team = Team {
        workspace_id: workspace.id,
        members,
    };
    // Each rep reports to their segment's manager (the two enterprise teams split by order).
    let managers: Vec<&Member> = team.with_role(Role::SalesManager).collect();
    let mut enterprise_seen = 0;
    for (member, (seat, segment)) in team.members.iter().skip(1).zip(&seats) {
        if member.role != Role::Rep {
            continue;
        }
        let manager = match *segment {
            Some(SMB) => managers[0],
            Some(MID_MARKET) => managers[1],
            _ => {
                enterprise_seen += 1;
                managers[if enterprise_seen <= 5 { 2 } else { 3 }]
            }
        };
        api.run(
            team.owner(),
            "mutation($m: ID!, $u: ID) { setMemberManager(memberId: $m, managerUserId: $u) { id } }",
            json!({"m": seat.to_string(), "u": manager.user_id.to_string()}),
        )
        .await?;
    }
    Ok(team)
}

pub async fn api_token(api: &Api, team: &Team) -> Result<String, DemoError> {
    let created = api
        .run(
            team.owner(),
            "mutation($scopes: [String!]!) { createApiToken(input: {name: \"Website tracker\", scopes: $scopes}) { token } }",
            json!({ "scopes": TOKEN_SCOPES }),
        )
        .await?;
    Ok(text(&created["createApiToken"]["token"]))
}

/// The report for a database that already holds the demo: a fresh API token to get in with.
pub async fn existing(
    state: &AppState,
    world: &World,
    owner: user::Model,
) -> Result<DemoReport, DemoError> {
    let workspaces = store::people::workspaces_of(state.store.db(), owner.id).await?;
    let slug = cast::TEAM_DOMAIN.split('.').next().unwrap_or_default();
    let (_, workspace) = workspaces
        .into_iter()
        .find(|(_, w)| w.slug.starts_with(slug))
        .ok_or_else(|| {
            AppError::Conflict(format!(
                "{} exists but holds no demo workspace: use another database",
                owner.email
            ))
        })?;
    let member = Member::new(owner.id, workspace.id, &world.team[0]);
    let team = Team {
        workspace_id: workspace.id,
        members: vec![member],
    };
    let api_token = api_token(&Api::new(state), &team).await?;
    Ok(DemoReport {
        created: false,
        workspace_name: workspace.name,
        workspace_slug: workspace.slug,
        email: owner.email,
        password: DEMO_PASSWORD,
        api_token,
        counts: Default::default(),
    })
}

pub async fn catalog(api: &Api, world: &World, team: &Team) -> Result<Catalog, DemoError> {
    let owner = team.owner();
    icp(api, team).await?;
    let mut sources = Vec::new();
    for (name, kind, _) in SOURCES {
        let made = api
            .run(
                owner,
                "mutation($name: String!, $kind: SourceKind!) { createSource(input: {name: $name, kind: $kind}) { id } }",
                json!({"name": name, "kind": kind}),
            )
            .await?;
        sources.push((name, text(&made["createSource"]["id"])));
    }
    let mut assets = HashMap::new();
    for (key, name, kind, stage) in [
        (
            "ebook",
            "The Revenue Analytics Playbook",
            "EBOOK",
            "AWARENESS",
        ),
        (
            "webinar",
            "Forecasting without spreadsheets",
            "WEBINAR",
            "CONSIDERATION",
        ),
        (
            "case_study",
            "How Brightline cut churn by 30%",
            "CASE_STUDY",
            "DECISION",
        ),
        (
            "roi",
            "Pipeline ROI calculator",
            "ROI_CALCULATOR",
            "DECISION",
        ),
        (
            "battle_card",
            "Battle card: spreadsheets and BI tools",
            "BATTLE_CARD",
            "VALIDATION",
        ),
        (
            "email_pain",
            "Email A: the cost of a missed hand-off",
            "OTHER",
            "CONSIDERATION",
        ),
        (
            "email_proof",
            "Email B: what Brightline's team changed",
            "OTHER",
            "CONSIDERATION",
        ),
    ] {
        let made = api
            .run(
                owner,
                "mutation($input: AssetInput!) { createAsset(input: $input) { id } }",
                json!({"input": {"name": name, "kind": kind, "funnelStage": stage,
                                 "url": format!("https://lumen-demo.example/{key}")}}),
            )
            .await?;
        assets.insert(key, text(&made["createAsset"]["id"]));
    }
    let source = |name: &str| sources.iter().find(|s| s.0 == name).map(|s| s.1.clone());
    let mut campaigns = HashMap::new();
    for (key, name, source_name, asset) in [
        (
            "webinar",
            "Forecasting webinar series",
            "Webinars",
            "webinar",
        ),
        (
            "ebook",
            "Revenue Analytics Playbook",
            "Content syndication",
            "ebook",
        ),
        (
            "displacement",
            "Spreadsheet displacement",
            "Paid search",
            "battle_card",
        ),
    ] {
        let made = api
            .run(
                owner,
                "mutation($input: CampaignInput!) { createCampaign(input: $input) { id } }",
                json!({"input": {"name": name, "sourceId": source(source_name),
                                 "startsOn": api.state().clock.now().date_naive(),
                                 "assetIds": [assets[asset]]}}),
            )
            .await?;
        campaigns.insert(key, text(&made["createCampaign"]["id"]));
    }
    accounts(api, world, team).await?;
    contract(api, team).await?;
    routing(api, team).await?;
    plays(api, team, &assets, &campaigns).await?;
    Ok(Catalog {
        sources,
        assets,
        campaigns,
    })
}

/// Mid-market and enterprise software and fintech companies in North America and Europe, with
/// revenue and marketing leaders as the buyers.
async fn icp(api: &Api, team: &Team) -> Result<(), DemoError> {
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

async fn accounts(api: &Api, world: &World, team: &Team) -> Result<(), DemoError> {
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
async fn contract(api: &Api, team: &Team) -> Result<(), DemoError> {
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
async fn routing(api: &Api, team: &Team) -> Result<(), DemoError> {
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

async fn plays(
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

/// A JSON string's text (ids come back as strings).
pub fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_owned()
}

fn refused(operation: &str, error: &Value) -> DemoError {
    DemoError::Refused {
        operation: operation.to_owned(),
        code: "BAD_USER_INPUT".to_owned(),
        message: format!("{} at {}", text(&error["message"]), text(&error["field"])),
    }
}
