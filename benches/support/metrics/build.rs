//! Generation: chunks of 10,000 leads (1,000 accounts of ten), each chunk's rows in one
//! transaction. On Postgres the events of a chunk (the bulk: ~100,000 rows) go in on a second
//! connection while the next chunk is generated and inserted; SQLite has one writer, so there
//! everything is inline.

use std::time::Instant;

use chrono::Duration;
use entity::{account, event, Lifecycle};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, DbErr, TransactionTrait,
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
const SEGMENTS: &[&str] = &["SMB", "SMB", "SMB", "MID_MARKET", "MID_MARKET", "ENTERPRISE"];

/// Generates `leads` leads into the world's workspace. Returns the rows written.
pub async fn generate(db: &DatabaseConnection, world: &World, leads: u64) -> Counts {
    let started = Instant::now();
    let postgres = db.get_database_backend() == DbBackend::Postgres;
    let mut gen = Gen {
        world,
        rng: Rng::new(20_261_123),
        ids: Ids::new(),
    };
    let mut counts = Counts::default();
    // The events lane: one chunk queued while one is being inserted.
    let (send, mut receive) = mpsc::channel::<Vec<event::Model>>(1);
    let events_lane = {
        let db = db.clone();
        actix_web::rt::spawn(async move {
            while let Some(events) = receive.recv().await {
                let txn = db.begin().await?;
                put(&txn, events).await?;
                txn.commit().await?;
            }
            Ok::<(), DbErr>(())
        })
    };
    let mut made = 0;
    while made < leads {
        let size = CHUNK.min(leads - made);
        let batch = chunk(&mut gen, made, size);
        counts.add(&batch);
        let txn = db.begin().await.unwrap();
        let events = batch.insert_leads(&txn).await.unwrap();
        if postgres {
            txn.commit().await.unwrap();
            send.send(events).await.expect("the events lane runs");
        } else {
            put(&txn, events).await.unwrap();
            txn.commit().await.unwrap();
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
    drop(send);
    events_lane.await.unwrap().unwrap();
    counts
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
        for _ in 0..LEADS_PER_ACCOUNT.min(first + size - n) {
            gen.lead(n, &account, &mut batch);
            n += 1;
        }
    }
    batch
}

/// Makes the planner's statistics and the visibility map current after the bulk load
/// (Postgres; SQLite is left as an application would leave it).
pub async fn settle(db: &DatabaseConnection) {
    if db.get_database_backend() == DbBackend::Postgres {
        db.execute_unprepared(
            "VACUUM (ANALYZE) accounts, contacts, stage_changes, opportunities, \
             opportunity_stage_changes, sla_clocks, rejections, touches, events, spend",
        )
        .await
        .unwrap();
    }
}
