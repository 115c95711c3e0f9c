//! Plays of one workspace: their definitions, the active ones the engine loads, the list and
//! the stage history their figures read.

use chrono::{DateTime, Utc};
use entity::{play, stage_change, LeadStage, PlayStatus};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::Tenant;
use crate::{
    error::AppResult,
    store::keyset::{self, by_created, time_key, PageArgs, RowPage},
};

/// One play, NOT_FOUND when it is not this workspace's.
pub async fn get<C: ConnectionTrait>(tenant: &Tenant<'_, C>, id: Uuid) -> AppResult<play::Model> {
    tenant.get::<play::Entity>(id).await
}

/// The plays that enroll leads now.
pub async fn active<C: ConnectionTrait>(tenant: &Tenant<'_, C>) -> AppResult<Vec<play::Model>> {
    Ok(tenant
        .select::<play::Entity>()
        .filter(play::Column::Status.eq(PlayStatus::Active))
        .all(tenant.conn())
        .await?)
}

pub async fn insert<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    row: play::ActiveModel,
) -> AppResult<play::Model> {
    Ok(play::Entity::insert(row)
        .exec_with_returning(tenant.conn())
        .await?)
}

/// Writes the changed fields of a play read in this workspace.
pub async fn save<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    row: play::ActiveModel,
) -> AppResult<play::Model> {
    Ok(row.update(tenant.conn()).await?)
}

/// Which plays a list shows: by status, by the campaign they follow up. A campaign id of no
/// play of this workspace (another workspace's) simply matches nothing.
#[derive(Debug, Default, Clone)]
pub struct PlayFilter {
    pub status: Option<PlayStatus>,
    pub campaign_id: Option<Uuid>,
}

/// One page of the workspace's plays, oldest first.
pub async fn page<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    filter: &PlayFilter,
    args: PageArgs,
    max_page_size: usize,
) -> AppResult<RowPage<play::Model>> {
    let mut select = tenant.select::<play::Entity>();
    if let Some(status) = filter.status {
        select = select.filter(play::Column::Status.eq(status));
    }
    if let Some(id) = filter.campaign_id {
        select = select.filter(play::Column::CampaignId.eq(id));
    }
    keyset::page(
        tenant.conn(),
        select,
        play::Column::Id,
        by_created(play::Column::CreatedAt),
        |row: &play::Model| (time_key(row.created_at), row.id),
        args,
        max_page_size,
    )
    .await
}

/// When each of `leads` reached SQL or OPPORTUNITY (a play's conversion), read in chunks of
/// 500 so the statement stays under the databases' parameter limits.
pub async fn qualified_moves<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    leads: &[Uuid],
) -> AppResult<Vec<(Uuid, DateTime<Utc>)>> {
    let mut moves = Vec::new();
    for chunk in leads.chunks(500) {
        for change in tenant
            .select::<stage_change::Entity>()
            .filter(stage_change::Column::ContactId.is_in(chunk.iter().copied()))
            .filter(stage_change::Column::ToStage.is_in([LeadStage::Sql, LeadStage::Opportunity]))
            .all(tenant.conn())
            .await?
        {
            moves.push((change.contact_id, change.changed_at));
        }
    }
    Ok(moves)
}
