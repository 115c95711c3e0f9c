//! A lead's history read from its index alone (issue 20's dashboards at a million leads):
//! `attribution` reads each deal's lead's events and touches in time order, `assetPerformance`
//! the stage changes of every lead an asset reached. Each read found its rows through the index
//! by `(workspace, contact, time)` and then fetched every row from the table, one random page
//! each (at a million leads: 2.4 s for the attribution's events, 0.5 s for the reached leads'
//! moves). Each index now carries the columns those reads take, so they are answered from the
//! index (measured on the benchmark's million leads: 2.4 s -> 0.29 s and 0.99 s -> 0.49 s for
//! the statements). Postgres keeps the extra columns as payload (`INCLUDE`); SQLite, which has
//! no payload columns, as trailing keys. Each replaces the index it starts with.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

use crate::helpers::{drop_indexes, drop_named, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// An index by `(workspace, contact, time)` and the columns it now carries.
struct Covering {
    table: &'static str,
    time: &'static str,
    name: &'static str,
    carries: &'static str,
}

const INDEXES: [Covering; 3] = [
    Covering {
        table: "events",
        time: "occurred_at",
        name: "ix_events_contact_history",
        carries: "id, source_id, campaign_id",
    },
    Covering {
        table: "touches",
        time: "occurred_at",
        name: "ix_touches_contact_history",
        carries: "id, asset_id",
    },
    Covering {
        table: "stage_changes",
        time: "changed_at",
        name: "ix_stage_changes_contact_history",
        carries: "from_stage, to_stage",
    },
];

impl Covering {
    /// The columns of the plain index it replaces.
    fn plain(&self) -> [&'static str; 3] {
        ["workspace_id", "contact_id", self.time]
    }

    fn create(&self, backend: DbBackend) -> String {
        let Covering {
            table,
            time,
            name,
            carries,
        } = self;
        match backend {
            DbBackend::Postgres => format!(
                "CREATE INDEX {name} ON {table} (workspace_id, contact_id, {time}) \
                 INCLUDE ({carries})"
            ),
            _ => format!(
                "CREATE INDEX {name} ON {table} (workspace_id, contact_id, {time}, {carries})"
            ),
        }
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for covering in &INDEXES {
            db.execute_unprepared(&covering.create(db.get_database_backend()))
                .await?;
            drop_indexes(manager, &[(covering.table, &covering.plain())]).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for covering in &INDEXES {
            manager
                .create_index(index(covering.table, &covering.plain(), false))
                .await?;
            manager
                .drop_index(drop_named(covering.table, covering.name))
                .await?;
        }
        Ok(())
    }
}
