//! The one way a change is written. A [`UnitOfWork`] begins a write transaction (IMMEDIATE on
//! SQLite, so writers take turns instead of failing half-way), hands the use case a
//! workspace-scoped [`Tenant`] and a [`Notices`] collector, and on [`UnitOfWork::commit`]
//! commits, then publishes what was collected and wakes the background workers. Rows first,
//! messages after commit: a notice can never announce a change that rolled back, and a use case
//! cannot forget to announce one. Dropping it without committing rolls everything back.

use sea_orm::DatabaseTransaction;
use uuid::Uuid;

use crate::{
    error::AppResult,
    services::notices::Notices,
    state::AppState,
    store::{Global, Tenant, WriteTurn},
};

pub struct UnitOfWork<'s> {
    state: &'s AppState,
    txn: DatabaseTransaction,
    /// Declared after `txn`, so a unit dropped uncommitted rolls back before the turn passes.
    turn: WriteTurn,
    workspace_id: Option<Uuid>,
    notices: Notices,
}

impl<'s> UnitOfWork<'s> {
    /// Begins a change to the data of one workspace.
    pub async fn begin(state: &'s AppState, workspace_id: Uuid) -> AppResult<Self> {
        let mut work = Self::begin_global(state).await?;
        work.workspace_id = Some(workspace_id);
        Ok(work)
    }

    /// Begins a change to data of no workspace (people, sessions) or one that creates a
    /// workspace; [`UnitOfWork::tenant_of`] reaches a workspace once its id is known.
    pub async fn begin_global(state: &'s AppState) -> AppResult<Self> {
        let (txn, turn) = state.store.begin_write().await?;
        Ok(Self {
            state,
            txn,
            turn,
            workspace_id: None,
            notices: Notices::default(),
        })
    }

    /// The workspace this unit of work was begun for.
    ///
    /// # Panics
    /// When it was begun with [`UnitOfWork::begin_global`]: a programming error, use
    /// [`UnitOfWork::tenant_of`] there.
    pub fn tenant(&self) -> Tenant<'_, DatabaseTransaction> {
        let workspace_id = self
            .workspace_id
            .expect("tenant() needs a unit of work begun for a workspace");
        Tenant::new(&self.txn, workspace_id)
    }

    /// Another workspace's data in this transaction (a workspace just created, a job's pass).
    pub fn tenant_of(&self, workspace_id: Uuid) -> Tenant<'_, DatabaseTransaction> {
        Tenant::new(&self.txn, workspace_id)
    }

    /// Data of no workspace in this transaction.
    pub fn global(&self) -> Global<'_, DatabaseTransaction> {
        Global::new(&self.txn)
    }

    /// What the change will announce after commit.
    pub fn notices(&mut self) -> &mut Notices {
        &mut self.notices
    }

    /// The workspace handle and the collector at once, for use cases that write and announce.
    pub fn parts(&mut self) -> (Tenant<'_, DatabaseTransaction>, &mut Notices) {
        let workspace_id = self
            .workspace_id
            .expect("parts() needs a unit of work begun for a workspace");
        (Tenant::new(&self.txn, workspace_id), &mut self.notices)
    }

    /// Commits, then publishes the collected notices and wakes the workers they name. A bus
    /// failure after commit is logged, not returned: the rows are the truth and subscribers
    /// catch up from them.
    pub async fn commit(self) -> AppResult<()> {
        let Self {
            state,
            txn,
            turn,
            notices,
            ..
        } = self;
        txn.commit().await?;
        drop(turn);
        notices.publish(state).await;
        Ok(())
    }
}
