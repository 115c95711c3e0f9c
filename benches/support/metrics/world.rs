//! What the generated leads are credited to: reps, leaders, sources, campaigns and their plays,
//! and a year of spend. Made once per workspace through the API (it is small), except the
//! members, which `generate::ensure_team` inserts.

use std::net::SocketAddr;

use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, Utc};
use serde_json::json;
use uuid::Uuid;

use super::review;
use crate::support::{generate::ensure_team, gql};
use accord_api::state::AppState;

/// Everything a lead can be credited to, and the instant its history ends at.
pub struct World {
    pub workspace_id: Uuid,
    pub now: DateTime<Utc>,
    pub reps: Vec<Uuid>,
    /// The marketing leader (disputes rejections) and the sales leader (resolves disputes).
    pub leaders: Vec<Uuid>,
    pub sources: Vec<Uuid>,
    /// Each campaign with the source it runs on.
    pub campaigns: Vec<(Uuid, Uuid)>,
    pub plays: Vec<Uuid>,
    /// Content some touches use.
    pub assets: Vec<Uuid>,
}

impl World {
    /// A campaign on `source` (most leads' campaign is one of their source's).
    pub fn campaign_of(&self, source: Uuid, pick: u64) -> Uuid {
        let on_source: Vec<Uuid> = self
            .campaigns
            .iter()
            .filter(|(_, s)| *s == source)
            .map(|(c, _)| *c)
            .collect();
        let pool = if on_source.is_empty() {
            self.campaigns.iter().map(|(c, _)| *c).collect()
        } else {
            on_source
        };
        pool[(pick % pool.len() as u64) as usize]
    }
}

const CAMPAIGNS: &[&str] = &[
    "Q1 pipeline push",
    "Spring webinar series",
    "Pricing page retargeting",
    "CFO guide ebook",
    "Partner co-marketing",
    "Summer product launch",
    "ROI calculator",
    "Q4 year-end offer",
];

/// Reps, the two leaders, sources, campaigns (one per name, over the sources), a cadence with
/// two plays per campaign, assets, 13 months of spend per source and campaign, and the review
/// history (see `review`).
pub async fn build_world(
    state: &AppState,
    addr: SocketAddr,
    token: &str,
    workspace_id: Uuid,
    now: DateTime<Utc>,
    reps: usize,
) -> World {
    let (reps, sources) = ensure_team(&state.store, workspace_id, reps).await;
    let leaders = review::leaders(addr, state.store.db(), workspace_id).await;
    let assets = review::assets(addr, token).await;
    let mut campaigns = Vec::new();
    let mut plays = Vec::new();
    let cadence = gql(addr, Some(token), "mutation { createCadence(input: {name: \"Follow-up\", steps: [{dayOffset: 0, channel: EMAIL, theme: VALUE_PROPOSITION}, {dayOffset: 2, channel: CALL, theme: CUSTOMER_STORY}, {dayOffset: 5, channel: LINKEDIN, theme: NEXT_STEP}]}) { id } }", json!({})).await;
    let cadence = cadence["createCadence"]["id"].as_str().unwrap().to_owned();
    for (i, name) in CAMPAIGNS.iter().enumerate() {
        let source = sources[i % sources.len()];
        let made = gql(
            addr,
            Some(token),
            "mutation($n: String!, $s: ID!) { createCampaign(input: {name: $n, sourceId: $s}) { id } }",
            json!({"n": name, "s": source.to_string()}),
        )
        .await;
        let id = made["createCampaign"]["id"].as_str().unwrap().to_owned();
        campaigns.push((Uuid::parse_str(&id).unwrap(), source));
        for (j, kind) in ["MQL_ASSIGNED", "PQL_REACHED"].iter().enumerate() {
            let play = gql(
                addr,
                Some(token),
                &format!("mutation($n: String!, $c: ID!, $k: ID!) {{ createPlay(input: {{name: $n, cadenceId: $k, campaignId: $c, trigger: {{kind: {kind}}}, exclusive: false}}) {{ id }} }}"),
                json!({"n": format!("{name} follow-up {}", j + 1), "c": id, "k": cadence}),
            )
            .await;
            let play = play["createPlay"]["id"].as_str().unwrap();
            plays.push(Uuid::parse_str(play).unwrap());
        }
    }
    record_spend(addr, token, &sources, &campaigns, now).await;
    review::history(state.store.db(), addr, token, now, &leaders, &assets).await;
    World {
        workspace_id,
        now,
        reps,
        leaders,
        sources,
        campaigns,
        plays,
        assets,
    }
}

/// 13 months of spend (the generated year and the month before it) per source and campaign.
async fn record_spend(
    addr: SocketAddr,
    token: &str,
    sources: &[Uuid],
    campaigns: &[(Uuid, Uuid)],
    now: DateTime<Utc>,
) {
    let this_month = NaiveDate::from_ymd_opt(now.year(), now.month(), 1).unwrap();
    for back in 0..13 {
        let month = this_month - Months::new(back);
        let month = format!("{:04}-{:02}", month.year(), month.month());
        for (i, source) in sources.iter().enumerate() {
            let amount = 20_000 + 5_000 * i as i64 + 1_000 * i64::from(back % 3);
            spend(addr, token, "sourceId", *source, &month, amount).await;
        }
        for (i, (campaign, _)) in campaigns.iter().enumerate() {
            let amount = 4_000 + 1_500 * i as i64;
            spend(addr, token, "campaignId", *campaign, &month, amount).await;
        }
    }
}

async fn spend(addr: SocketAddr, token: &str, key: &str, id: Uuid, month: &str, amount: i64) {
    gql(
        addr,
        Some(token),
        &format!("mutation($id: ID!, $m: String!, $a: Float!) {{ recordSpend(input: {{{key}: $id, month: $m, amount: $a}}) {{ id }} }}"),
        json!({"id": id.to_string(), "m": month, "a": amount as f64}),
    )
    .await;
}

/// The Monday of the week `at` falls in.
pub fn monday_of(at: DateTime<Utc>) -> NaiveDate {
    let day = at.date_naive();
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}
