//! Day one of the demo: the team and its seats, the API token, and what both teams agreed on
//! (ICP, contract, routing, plays) plus the market (sources, campaigns, content, accounts).

mod agreement;

use std::collections::HashMap;

use entity::{user, Role};
use serde_json::{json, Value};
use uuid::Uuid;

use super::{
    cast::{self, MID_MARKET, SMB},
    client::{Api, Member},
    plan::{World, WORKSPACE_NAME},
    DemoError, DemoReport, DEMO_PASSWORD,
};
use crate::{
    auth::password, error::AppError, services::unit_of_work::UnitOfWork, state::AppState, store,
};

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
    let work = UnitOfWork::begin_global(state).await?;
    let mut users = Vec::with_capacity(world.team.len());
    for person in &world.team {
        users.push(
            store::people::create_user(
                &work.global(),
                &person.email,
                &person.name,
                hash.clone(),
                Some(state.clock.now()),
            )
            .await?,
        );
    }
    let workspace =
        crate::services::workspaces::create(&work, WORKSPACE_NAME, users[0].id, state.clock.now())
            .await?;
    let tenant = work.tenant_of(workspace.id);
    let mut seats = Vec::with_capacity(users.len());
    for (user, person) in users.iter().zip(&world.team).skip(1) {
        seats.push((
            tenant.add_member(user.id, person.role).await?.id,
            person.team,
        ));
    }
    work.commit().await?;
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
    let workspaces = store::people::workspaces_of(&state.store.global(), owner.id).await?;
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
    agreement::icp(api, team).await?;
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
            "comparison",
            "Feature comparison sheet",
            "OTHER",
            "DECISION",
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
    agreement::accounts(api, world, team).await?;
    agreement::contract(api, team).await?;
    agreement::routing(api, team).await?;
    agreement::plays(api, team, &assets, &campaigns).await?;
    Ok(Catalog {
        sources,
        assets,
        campaigns,
    })
}

/// A JSON string's text (ids come back as strings).
pub fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_owned()
}

pub(super) fn refused(operation: &str, error: &Value) -> DemoError {
    DemoError::Refused {
        operation: operation.to_owned(),
        code: "BAD_USER_INPUT".to_owned(),
        message: format!("{} at {}", text(&error["message"]), text(&error["field"])),
    }
}
