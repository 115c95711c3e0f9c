//! Daily rollups of the facts dashboards count, so that a report over a month reads a few
//! thousand pre-counted rows instead of every stage change, SLA clock and rejection in it.
//!
//! - `metric_rollups`: per workspace, UTC day, fact and dimension, a count `n`. Facts: `STAGE`
//!   (detail: the stage entered), `ADVANCED` (the stage of a stay that ended further down the
//!   path, on the day the stay began), `REJECTION` (the reason code), `SLA_DUE` and `SLA_MET`
//!   (clocks met on time), both on the clock's due day. Each fact is counted once under every dimension (`ALL`,
//!   `SOURCE`, `SEGMENT`, `REP`, `CAMPAIGN`, `PLAY`), so a report grouped one way reads only
//!   that dimension's rows. Absent keys are the nil uuid and the empty string rather than NULL,
//!   because NULLs never collide in a unique index and the upsert needs them to.
//! - Stage changes get an index by stage and stay end, for stage aging at an instant, and one
//!   by lead and stage, for what a deal's lead did.
//! - SLA clocks and rejections keep the source and segment they are credited to when they are
//!   written, as stage changes already do: a count made then must stay the count of the row
//!   read later, whatever happens to the lead's account afterwards. First-touch clocks keep
//!   the lead's first touch after they started, so time to first touch is read without
//!   looking for it among the touches.
//!
//! The writers of the history upsert the rollups in their own transaction; [`backfill`]
//! recounts them from the history (here for existing data, and for bulk loads that insert
//! history directly).

use sea_orm_migration::{prelude::*, schema::*, sea_orm::DbBackend};

use crate::helpers::{create, index, name, tenant_table};

#[derive(DeriveMigrationName)]
pub struct Migration;

pub const TABLE: &str = "metric_rollups";

/// The unique key: also the index every report reads through (dimension and fact fixed, a
/// range of days).
pub const KEY: [&str; 7] = [
    "workspace_id",
    "dimension",
    "fact",
    "day",
    "detail",
    "key_id",
    "key_text",
];

/// Stays by stage and end: those still running (no end) and those that ended after an instant
/// are each one range of it, so stage aging at any instant reads only them, from the index
/// alone (it carries the lead and where it went).
const STAYS: [&str; 6] = [
    "workspace_id",
    "to_stage",
    "left_at",
    "changed_at",
    "contact_id",
    "next_stage",
];

/// A lead's moves into one stage, oldest first: when a deal's lead was accepted, and the
/// campaign its conversion is credited to, are one probe each.
const MOVES: [&str; 4] = ["workspace_id", "contact_id", "to_stage", "changed_at"];

fn stays_index() -> IndexCreateStatement {
    index("stage_changes", &STAYS, false)
}

/// The dimensions every fact is counted under, with the column of the fact's own table that
/// gives its key in each (`None`: the dimension does not apply and the fact is unattributed).
struct Dimensions {
    source: &'static str,
    segment: &'static str,
    rep: &'static str,
    campaign: Option<&'static str>,
    play: Option<&'static str>,
}

/// One kind of fact as its history table holds it.
struct FactSource {
    fact: &'static str,
    /// The detail column expression ('' when none).
    detail: &'static str,
    /// The timestamp whose UTC day the fact is counted on.
    at: &'static str,
    table: &'static str,
    filter: &'static str,
    dimensions: Dimensions,
}

/// A stage's position on the funnel's path (NULL off it), as `Stage::rank` in the API.
macro_rules! rank {
    ($column:literal) => {
        concat!(
            "CASE ",
            $column,
            " WHEN 'LEAD' THEN 0 WHEN 'MQL' THEN 1 WHEN 'SAL' THEN 2 WHEN 'SQL' THEN 3",
            " WHEN 'OPPORTUNITY' THEN 4 WHEN 'CUSTOMER' THEN 5 END"
        )
    };
}

const SOURCES: [FactSource; 5] = [
    FactSource {
        fact: "'STAGE'",
        detail: "to_stage",
        at: "changed_at",
        table: "stage_changes",
        filter: "",
        dimensions: Dimensions {
            source: "source_id",
            segment: "segment",
            rep: "owner_id",
            campaign: Some("campaign_id"),
            play: Some("play_id"),
        },
    },
    // A stay that ended by moving further down the path, counted on the day it began.
    FactSource {
        fact: "'ADVANCED'",
        detail: "to_stage",
        at: "changed_at",
        table: "stage_changes",
        filter: concat!(
            "WHERE next_stage IS NOT NULL AND ",
            rank!("next_stage"),
            " > ",
            rank!("to_stage")
        ),
        dimensions: Dimensions {
            source: "source_id",
            segment: "segment",
            rep: "owner_id",
            campaign: Some("campaign_id"),
            play: Some("play_id"),
        },
    },
    FactSource {
        fact: "'REJECTION'",
        detail: "reason",
        at: "rejected_at",
        table: "rejections",
        // A rejection whose dispute was upheld no longer counts.
        filter: "WHERE resolution IS NULL OR resolution <> 'UPHELD'",
        dimensions: Dimensions {
            source: "source_id",
            segment: "segment",
            rep: "rejected_by",
            campaign: None,
            play: None,
        },
    },
    FactSource {
        fact: "'SLA_DUE'",
        detail: "''",
        at: "due_at",
        table: "sla_clocks",
        filter: "",
        dimensions: Dimensions {
            source: "source_id",
            segment: "segment",
            rep: "assignee_id",
            campaign: None,
            play: None,
        },
    },
    FactSource {
        fact: "'SLA_MET'",
        detail: "''",
        at: "due_at",
        table: "sla_clocks",
        filter: "WHERE met_at IS NOT NULL AND met_at <= due_at",
        dimensions: Dimensions {
            source: "source_id",
            segment: "segment",
            rep: "assignee_id",
            campaign: None,
            play: None,
        },
    },
];

/// Statements that recount every workspace's rollups from the history: the existing counts are
/// replaced. Run them in one transaction (nothing may write history meanwhile).
pub fn backfill(backend: DbBackend) -> Vec<String> {
    let postgres = backend == DbBackend::Postgres;
    let nil = if postgres {
        "CAST('00000000-0000-0000-0000-000000000000' AS uuid)"
    } else {
        "X'00000000000000000000000000000000'"
    };
    let new_id = if postgres {
        "gen_random_uuid()"
    } else {
        "randomblob(16)"
    };
    let day = |column: &str| {
        if postgres {
            format!("CAST(({column} AT TIME ZONE 'UTC') AS DATE)")
        } else {
            format!("date({column})")
        }
    };
    let mut statements = vec![format!("DELETE FROM {TABLE}")];
    for source in &SOURCES {
        let d = &source.dimensions;
        let id_key = |column: Option<&str>| match column {
            Some(column) => format!("COALESCE({column}, {nil})"),
            None => nil.to_owned(),
        };
        let dimensions = [
            ("ALL", nil.to_owned(), "''".to_owned()),
            ("SOURCE", id_key(Some(d.source)), "''".to_owned()),
            (
                "SEGMENT",
                nil.to_owned(),
                format!("COALESCE({}, '')", d.segment),
            ),
            ("REP", id_key(Some(d.rep)), "''".to_owned()),
            ("CAMPAIGN", id_key(d.campaign), "''".to_owned()),
            ("PLAY", id_key(d.play), "''".to_owned()),
        ];
        for (dimension, key_id, key_text) in dimensions {
            let day = day(source.at);
            // Postgres refuses a constant in GROUP BY: only the expressions that vary are listed.
            let mut group = vec!["workspace_id".to_owned(), day.clone()];
            for expression in [source.detail, &key_id, &key_text] {
                if !(expression.starts_with('\'') || expression == nil) {
                    group.push(expression.to_owned());
                }
            }
            let group = group.join(", ");
            statements.push(format!(
                "INSERT INTO {TABLE} (id, workspace_id, dimension, fact, day, detail, key_id, key_text, n) \
                 SELECT {new_id}, workspace_id, '{dimension}', {fact}, day, detail, key_id, key_text, n FROM ( \
                   SELECT workspace_id, {day} AS day, {detail} AS detail, {key_id} AS key_id, \
                          {key_text} AS key_text, COUNT(*) AS n \
                   FROM {table} {filter} \
                   GROUP BY {group}) counted",
                fact = source.fact,
                detail = source.detail,
                table = source.table,
                filter = source.filter,
            ));
        }
    }
    statements
}

/// Each first-touch clock's first touch, from the touches (here for existing data, and after
/// bulk loads that insert touches directly).
pub const FIRST_TOUCHES: &str = "UPDATE sla_clocks SET first_touch_at = \
    (SELECT MIN(t.occurred_at) FROM touches t \
     WHERE t.workspace_id = sla_clocks.workspace_id AND t.contact_id = sla_clocks.contact_id \
       AND t.occurred_at >= sla_clocks.started_at) \
    WHERE kind = 'FIRST_TOUCH'";

/// The credit of SLA clocks and rejections written before this migration: the lead's source and
/// its account's segment as they are now (the best the data can say).
const STAMP_CREDIT: [&str; 4] = [
    FIRST_TOUCHES,
    "UPDATE sla_clocks SET \
        source_id = (SELECT c.source_id FROM contacts c WHERE c.id = sla_clocks.contact_id), \
        segment = (SELECT a.segment FROM contacts c JOIN accounts a ON a.id = c.account_id \
                   WHERE c.id = sla_clocks.contact_id)",
    "UPDATE rejections SET \
        segment = (SELECT a.segment FROM contacts c JOIN accounts a ON a.id = c.account_id \
                   WHERE c.id = rejections.contact_id)",
    "UPDATE rejections SET \
        source_id = (SELECT c.source_id FROM contacts c WHERE c.id = rejections.contact_id) \
     WHERE source_id IS NULL",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, column) in [
            ("sla_clocks", uuid_null(name("source_id"))),
            ("sla_clocks", string_len_null(name("segment"), 100)),
            (
                "sla_clocks",
                timestamp_with_time_zone_null(name("first_touch_at")),
            ),
            ("rejections", string_len_null(name("segment"), 100)),
        ] {
            let mut column = column;
            manager
                .alter_table(
                    Table::alter()
                        .table(name(table))
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        create(
            manager,
            tenant_table(TABLE)
                .col(string_len(name("dimension"), 16))
                .col(string_len(name("fact"), 16))
                .col(date(name("day")))
                .col(string_len(name("detail"), 32))
                .col(uuid(name("key_id")))
                .col(string_len(name("key_text"), 100))
                .col(big_integer(name("n")))
                .to_owned(),
            &[index(TABLE, &KEY, true)],
        )
        .await?;
        manager.create_index(stays_index()).await?;
        manager
            .create_index(index("stage_changes", &MOVES, false))
            .await?;
        let db = manager.get_connection();
        for sql in STAMP_CREDIT {
            db.execute_unprepared(sql).await?;
        }
        for sql in backfill(manager.get_database_backend()) {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for columns in [&MOVES[..], &STAYS[..]] {
            manager
                .drop_index(
                    Index::drop()
                        .name(format!("ix_stage_changes_{}", columns.join("_")))
                        .table(name("stage_changes"))
                        .to_owned(),
                )
                .await?;
        }
        manager
            .drop_table(Table::drop().table(name(TABLE)).to_owned())
            .await?;
        for (table, column) in [
            ("rejections", "segment"),
            ("sla_clocks", "first_touch_at"),
            ("sla_clocks", "segment"),
            ("sla_clocks", "source_id"),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(name(table))
                        .drop_column(name(column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
