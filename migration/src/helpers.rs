//! Building blocks shared by the migrations: tenant tables, tenant-scoped foreign keys, indexes.

use sea_orm_migration::{prelude::*, schema::*};

pub fn name(table: &str) -> Alias {
    Alias::new(table)
}

/// A tenant table: `id` primary key and `workspace_id` referencing the workspace.
pub fn tenant_table(table: &str) -> TableCreateStatement {
    Table::create()
        .table(name(table))
        .col(pk_uuid(name("id")))
        .col(uuid(name("workspace_id")))
        .foreign_key(
            ForeignKey::create()
                .from(name(table), name("workspace_id"))
                .to(name("workspaces"), name("id"))
                .on_delete(ForeignKeyAction::Cascade),
        )
        .to_owned()
}

/// A reference from `table.column` to `target.id` inside the same workspace.
pub fn tenant_fk(table: &str, column: &str, target: &str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from_tbl(name(table))
        .from_col(name("workspace_id"))
        .from_col(name(column))
        .to_tbl(name(target))
        .to_col(name("workspace_id"))
        .to_col(name("id"))
        .to_owned()
}

pub fn index(table: &str, columns: &[&str], unique: bool) -> IndexCreateStatement {
    let prefix = if unique { "ux" } else { "ix" };
    let mut statement = Index::create()
        .name(format!("{prefix}_{table}_{}", columns.join("_")))
        .table(name(table))
        .to_owned();
    for column in columns {
        statement.col(name(column));
    }
    if unique {
        statement.unique();
    }
    statement
}

pub async fn create(
    manager: &SchemaManager<'_>,
    table: TableCreateStatement,
    indexes: &[IndexCreateStatement],
) -> Result<(), DbErr> {
    manager.create_table(table).await?;
    for index in indexes {
        manager.create_index(index.clone()).await?;
    }
    Ok(())
}

/// Creates each `(table, columns)` index (not unique).
pub async fn create_indexes(
    manager: &SchemaManager<'_>,
    indexes: &[(&str, &[&str])],
) -> Result<(), DbErr> {
    for (table, columns) in indexes {
        manager.create_index(index(table, columns, false)).await?;
    }
    Ok(())
}

/// Drops each `(table, columns)` index [`create_indexes`] made.
pub async fn drop_indexes(
    manager: &SchemaManager<'_>,
    indexes: &[(&str, &[&str])],
) -> Result<(), DbErr> {
    for (table, columns) in indexes {
        let index_name = format!("ix_{table}_{}", columns.join("_"));
        manager.drop_index(drop_named(table, &index_name)).await?;
    }
    Ok(())
}

/// Drops the index of `table` called `index_name`.
pub fn drop_named(table: &str, index_name: &str) -> IndexDropStatement {
    Index::drop().name(index_name).table(name(table)).to_owned()
}
