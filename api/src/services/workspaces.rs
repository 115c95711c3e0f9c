//! A new workspace and what every workspace starts with.

use chrono::{DateTime, Utc};
use entity::workspace;
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use crate::{
    domain::{contract::Terms, text::slugify},
    error::AppResult,
    services::{contracts, plays::cadences},
    store::{self, Tenant},
};

/// Creates the workspace with `owner` as OWNER, a draft contract holding the seed's defaults and
/// the seed's two-week cadence. Run it inside the caller's write transaction.
pub async fn create<C: ConnectionTrait>(
    conn: &C,
    name: &str,
    owner: Uuid,
    now: DateTime<Utc>,
) -> AppResult<workspace::Model> {
    let workspace = store::people::create_workspace(conn, name, &slugify(name), owner).await?;
    let tenant = Tenant::new(conn, workspace.id);
    contracts::insert_draft(&tenant, &Terms::seed(), Some(owner)).await?;
    cadences::seed(&tenant, Some(owner), now).await?;
    Ok(workspace)
}
