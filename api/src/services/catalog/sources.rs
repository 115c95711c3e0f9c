//! `createSource`, `updateSource`, `deleteSource`.

use async_graphql::{InputObject, ID};
use chrono::Utc;
use entity::{source, SourceKind};
use uuid::Uuid;

use crate::{
    domain::validate,
    error::AppResult,
    services::unit_of_work::UnitOfWork,
    state::AppState,
    store::{catalog, parse_id},
};

#[derive(InputObject)]
pub struct SourceInput {
    pub name: String,
    pub kind: SourceKind,
}

#[derive(InputObject)]
pub struct SourcePatch {
    pub name: Option<String>,
    pub kind: Option<SourceKind>,
}

/// Creates a source; CONFLICT when the workspace has one of that name.
pub async fn create_source(
    state: &AppState,
    workspace_id: Uuid,
    input: SourceInput,
) -> AppResult<source::Model> {
    let name = validate::required_text(&input.name, "input.name", 120)?;
    let work = UnitOfWork::begin(state, workspace_id).await?;
    let row = source::Model {
        id: Uuid::now_v7(),
        workspace_id,
        name,
        kind: input.kind,
        paused: false,
        paused_at: None,
        rule_window_from: None,
        created_at: Utc::now(),
    };
    let created = catalog::insert_source(&work.tenant(), row).await?;
    work.commit().await?;
    Ok(created)
}

/// Renames a source or changes its kind; CONFLICT when the new name is taken.
pub async fn update_source(
    state: &AppState,
    workspace_id: Uuid,
    id: &ID,
    input: SourcePatch,
) -> AppResult<source::Model> {
    let work = UnitOfWork::begin(state, workspace_id).await?;
    let tenant = work.tenant();
    let mut row = tenant
        .get::<source::Entity>(parse_id(id, "source")?)
        .await?;
    if let Some(name) = input.name {
        row.name = validate::required_text(&name, "input.name", 120)?;
    }
    if let Some(kind) = input.kind {
        row.kind = kind;
    }
    let updated = catalog::save_source(&tenant, row).await?;
    work.commit().await?;
    Ok(updated)
}

/// Deletes a source nothing refers to; CONFLICT while leads, campaigns or spend do.
pub async fn delete_source(state: &AppState, workspace_id: Uuid, id: &ID) -> AppResult<()> {
    let work = UnitOfWork::begin(state, workspace_id).await?;
    let tenant = work.tenant();
    let row = tenant
        .get::<source::Entity>(parse_id(id, "source")?)
        .await?;
    tenant.delete_source_if_unused(row.id).await?;
    work.commit().await
}
