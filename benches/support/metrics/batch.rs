//! The rows of a chunk of leads, and their multi-row INSERTs: as many rows per statement as
//! the backend's limit on bound values allows, tables in foreign-key order.

use entity::{
    account, account_signal, contact, event, opportunity, opportunity_stage_change, rejection,
    sla_clock, stage_change, touch,
};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, IntoActiveModel, Iterable,
};

#[derive(Default)]
pub struct Batch {
    pub accounts: Vec<account::Model>,
    pub contacts: Vec<contact::Model>,
    pub stage_changes: Vec<stage_change::Model>,
    pub opportunities: Vec<opportunity::Model>,
    pub deal_moves: Vec<opportunity_stage_change::Model>,
    pub clocks: Vec<sla_clock::Model>,
    pub rejections: Vec<rejection::Model>,
    pub touches: Vec<touch::Model>,
    pub events: Vec<event::Model>,
    pub signals: Vec<account_signal::Model>,
}

/// Row counts, for the generation report.
#[derive(Default, Debug, Clone, Copy)]
pub struct Counts {
    pub accounts: u64,
    pub contacts: u64,
    pub stage_changes: u64,
    pub opportunities: u64,
    pub deal_moves: u64,
    pub clocks: u64,
    pub rejections: u64,
    pub touches: u64,
    pub events: u64,
}

impl Counts {
    pub fn add(&mut self, batch: &Batch) {
        self.accounts += batch.accounts.len() as u64;
        self.contacts += batch.contacts.len() as u64;
        self.stage_changes += batch.stage_changes.len() as u64;
        self.opportunities += batch.opportunities.len() as u64;
        self.deal_moves += batch.deal_moves.len() as u64;
        self.clocks += batch.clocks.len() as u64;
        self.rejections += batch.rejections.len() as u64;
        self.touches += batch.touches.len() as u64;
        self.events += batch.events.len() as u64;
    }
}

/// Bound values per statement: Postgres takes 65,535, SQLite (3.32+) 32,766.
pub fn max_values(backend: DbBackend) -> usize {
    match backend {
        DbBackend::Postgres => 65_535,
        _ => 32_766,
    }
}

impl Batch {
    /// Everything but the events, in foreign-key order.
    pub async fn insert_leads<C: ConnectionTrait>(
        self,
        db: &C,
    ) -> Result<Vec<event::Model>, DbErr> {
        put(db, self.accounts).await?;
        put(db, self.contacts).await?;
        put(db, self.stage_changes).await?;
        put(db, self.opportunities).await?;
        put(db, self.deal_moves).await?;
        put(db, self.clocks).await?;
        put(db, self.rejections).await?;
        put(db, self.touches).await?;
        put(db, self.signals).await?;
        Ok(self.events)
    }
}

/// Inserts `rows` with as few statements as the backend allows.
pub async fn put<C, M, A>(db: &C, rows: Vec<M>) -> Result<(), DbErr>
where
    C: ConnectionTrait,
    M: IntoActiveModel<A>,
    A: ActiveModelTrait,
{
    let columns = <A::Entity as EntityTrait>::Column::iter().count();
    let per_statement = (max_values(db.get_database_backend()) / columns).max(1);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows
            .by_ref()
            .take(per_statement)
            .map(IntoActiveModel::into_active_model)
            .collect();
        <A::Entity as EntityTrait>::insert_many(chunk)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}
