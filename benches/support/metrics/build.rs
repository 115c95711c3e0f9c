//! Generation: chunks of 10,000 leads (1,000 accounts of ten), each chunk's rows in one
//! transaction. On Postgres the events of a chunk (the bulk: ~100,000 rows) go in on one of two
//! other connections while the next chunks are generated and inserted; SQLite has one writer,
//! so there everything is inline.

use std::time::Instant;

use accord_api::state::AppState;
use chrono::Duration;
use entity::{account, account_signal, event, Lifecycle};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, Statement,
    TransactionTrait,
};
use serde_json::json;
use tokio::sync::mpsc;

use super::{
    batch::{put, Batch, Counts},
    lead::{AccountRef, Gen},
    world::World,
    Draw, Ids,
};
use crate::support::generate::{Rng, COUNTRIES, INDUSTRIES};

const LEADS_PER_ACCOUNT: u64 = 10;
const CHUNK: u64 = 10_000;
/// Most accounts are small.
const SEGMENTS: &[&str] = &[
    "SMB",
    "SMB",
    "SMB",
    "MID_MARKET",
    "MID_MARKET",
    "ENTERPRISE",
];

/// Lanes inserting events on Postgres, each a chunk at a time in its own transaction.
const EVENT_LANES: usize = 2;

/// Generates `leads` leads into the world's workspace. Returns the rows written.
pub async fn generate(state: &AppState, world: &World, leads: u64) -> Counts {
    let db = state.store.db();
    let started = Instant::now();
    let postgres = db.get_database_backend() == DbBackend::Postgres;
    let trusted = postgres && superuser(db).await;
    let mut gen = Gen {
        world,
        rng: Rng::new(20_261_123),
        ids: Ids::new(),
    };
    let mut counts = Counts::default();
    let mut lanes = Vec::new();
    let mut senders = Vec::new();
    for _ in 0..if postgres { EVENT_LANES } else { 0 } {
        // One chunk queued while one is being inserted.
        let (send, mut receive) = mpsc::channel::<Vec<event::Model>>(1);
        let db = db.clone();
        lanes.push(actix_web::rt::spawn(async move {
            while let Some(events) = receive.recv().await {
                let txn = begin(&db, trusted).await?;
                put(&txn, events).await?;
                txn.commit().await?;
            }
            Ok::<(), DbErr>(())
        }));
        senders.push(send);
    }
    let mut made = 0;
    while made < leads {
        let size = CHUNK.min(leads - made);
        let batch = chunk(&mut gen, made, size);
        counts.add(&batch);
        let txn = begin(db, trusted).await.unwrap();
        let events = batch.insert_leads(&txn).await.unwrap();
        if senders.is_empty() {
            put(&txn, events).await.unwrap();
            txn.commit().await.unwrap();
        } else {
            txn.commit().await.unwrap();
            let lane = &senders[(made / CHUNK) as usize % senders.len()];
            if lane.send(events).await.is_err() {
                break; // the lane failed: its error is reported below
            }
        }
        made += size;
        let seconds = started.elapsed().as_secs_f64();
        if made % 100_000 == 0 || made == leads {
            println!(
                "  {made} leads, {} events, {seconds:.0} s ({:.0} leads/s)",
                counts.events,
                made as f64 / seconds
            );
        }
    }
    drop(senders);
    for lane in lanes {
        lane.await.unwrap().unwrap();
    }
    // The history went in without Accord's writers, so nothing counted it: the rollups are
    // recounted from it, as the migration does for existing data.
    let recount = Instant::now();
    accord_api::services::metrics::rollups::rebuild(state)
        .await
        .unwrap();
    println!(
        "  rollups recounted in {:.0} s",
        recount.elapsed().as_secs_f64()
    );
    // The job loop credited deals, counted accounts' suspects, kept leads' reach and won deals'
    // assets while the history was still going in, and nothing made them due again (the
    // generator may write with triggers off): every deal, account, reached lead and won deal is
    // due once more, done with the due work at start.
    for sql in [
        "UPDATE opportunities SET credits_due = TRUE",
        "DELETE FROM deal_credits",
        "UPDATE accounts SET suspects_fit = NULL",
        "DELETE FROM asset_reach_lines",
        "DELETE FROM asset_reach_due",
        "INSERT INTO asset_reach_due (workspace_id, contact_id) \
         SELECT workspace_id, contact_id FROM touches WHERE asset_id IS NOT NULL \
         UNION SELECT workspace_id, contact_id FROM events WHERE asset_id IS NOT NULL",
        "DELETE FROM won_deal_assets",
        "DELETE FROM won_deal_assets_due",
        "INSERT INTO won_deal_assets_due (workspace_id, opportunity_id) \
         SELECT workspace_id, id FROM opportunities WHERE stage = 'CLOSED_WON'",
    ] {
        db.execute_unprepared(sql).await.unwrap();
    }
    counts
}

/// Whether the generator may skip the foreign-key triggers (a Postgres superuser).
async fn superuser(db: &DatabaseConnection) -> bool {
    let row = db
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT rolsuper FROM pg_roles WHERE rolname = current_user",
        ))
        .await
        .unwrap();
    row.and_then(|r| r.try_get::<bool>("", "rolsuper").ok())
        .unwrap_or(false)
}

/// A transaction for generated rows. When `trusted`, the foreign-key triggers are skipped for
/// it (`session_replication_role = replica`, Postgres): the rows reference what the generator
/// inserted before them, by construction, and the per-row checks would cost a third of the
/// load. Constraints, indexes and the schema are untouched.
async fn begin(db: &DatabaseConnection, trusted: bool) -> Result<DatabaseTransaction, DbErr> {
    let txn = db.begin().await?;
    if trusted {
        txn.execute_unprepared("SET LOCAL session_replication_role = replica")
            .await?;
    }
    Ok(txn)
}

/// Leads `first .. first + size` and their accounts.
fn chunk(gen: &mut Gen<'_>, first: u64, size: u64) -> Batch {
    let mut batch = Batch::default();
    let now = gen.world.now;
    let mut n = first;
    while n < first + size {
        let number = n / LEADS_PER_ACCOUNT;
        let segment = *gen.rng.pick(SEGMENTS);
        let account = AccountRef {
            id: gen.ids.next(),
            domain: format!("company{number}.example.com"),
            segment,
        };
        batch.accounts.push(account::Model {
            id: account.id,
            workspace_id: gen.world.workspace_id,
            domain: account.domain.clone(),
            name: format!("Company {number}"),
            industry: Some(gen.rng.pick(INDUSTRIES).to_string()),
            employees: Some(match segment {
                "ENTERPRISE" => 1_000 + gen.rng.below(50_000) as i64,
                "MID_MARKET" => 200 + gen.rng.below(800) as i64,
                _ => 5 + gen.rng.below(195) as i64,
            }),
            annual_revenue: Some((1 + gen.rng.below(500)) as f64 * 1_000_000.0),
            country: Some(gen.rng.pick(COUNTRIES).to_string()),
            region: None,
            technologies: json!(["Salesforce"]),
            custom: json!({}),
            segment: Some(segment.to_owned()),
            tier: None,
            lifecycle: Lifecycle::Target,
            named_account: gen.rng.chance(0.05),
            owner_id: Some(*gen.rng.pick(&gen.world.reps)),
            fit_score: gen.rng.below(101) as i32,
            fit_breakdown: None,
            created_at: now - Duration::days(380),
            updated_at: now,
        });
        // Every tenth account is in market (`accountsInMarket`), another tenth scored below
        // the threshold: drawn from the account's number, so the generator's random stream
        // (and every other table) is the same as before these rows existed.
        if number % 10 == 3 || number % 10 == 7 {
            let in_market = number % 10 == 3;
            batch.signals.push(account_signal::Model {
                id: gen.ids.next(),
                workspace_id: gen.world.workspace_id,
                account_id: account.id,
                score: if in_market { 100 + (number % 97) as i32 } else { 40 + (number % 59) as i32 },
                in_market_since: in_market.then(|| now - Duration::hours((number % (90 * 24)) as i64)),
                reason: in_market.then(|| json!({"threshold": 100, "fit": 60, "fitPoints": 30,
                    "engagementPoints": 80, "contacts": [], "personas": ["RevOps"],
                    "missingPersonas": ["Finance"], "events": [{"eventType": "demo_request", "count": 1}]})),
                committee_covered_at: None,
                scored_at: now - Duration::hours((number % 24) as i64),
            });
        }
        for _ in 0..LEADS_PER_ACCOUNT.min(first + size - n) {
            gen.lead(n, &account, &mut batch);
            n += 1;
        }
    }
    batch
}

/// Makes the planner's statistics and the visibility map current after the bulk load
/// (Postgres; SQLite is left as an application would leave it). The recount after the load
/// rewrote every contact once (its latest event and funnel reach), which left the contacts'
/// indexes three times their size (the index by account with the facts: 251 MB, 74 MB
/// rebuilt); they are rebuilt, as a workspace that grew by ingestion never had that rewrite.
pub async fn settle(db: &DatabaseConnection) {
    if db.get_database_backend() == DbBackend::Postgres {
        for sql in [
            "REINDEX TABLE contacts",
            "VACUUM (ANALYZE) accounts, contacts, stage_changes, opportunities, \
             opportunity_stage_changes, sla_clocks, rejections, touches, events, spend, metric_rollups",
        ] {
            db.execute_unprepared(sql).await.unwrap();
        }
    }
}
