//! SLA clocks of one workspace: the ones running on a lead, and stopping them.

use chrono::{DateTime, Utc};
use entity::{sla_clock, SlaKind};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::Tenant;
use crate::error::AppResult;

/// The lead's clocks of `kind` (or of every kind) not yet met.
pub async fn running<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    lead: Uuid,
    kind: Option<SlaKind>,
) -> AppResult<Vec<sla_clock::Model>> {
    use sla_clock::Column as K;
    let mut running = tenant
        .select::<sla_clock::Entity>()
        .filter(K::ContactId.eq(lead))
        .filter(K::MetAt.is_null());
    if let Some(kind) = kind {
        running = running.filter(K::Kind.eq(kind));
    }
    Ok(running.all(tenant.conn()).await?)
}

/// Marks these clocks met at `now`, in one statement.
pub async fn mark_met<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    clocks: &[sla_clock::Model],
    now: DateTime<Utc>,
) -> AppResult<()> {
    use sla_clock::Column as K;
    sla_clock::Entity::update_many()
        .col_expr(K::MetAt, Some(now).into())
        .filter(K::WorkspaceId.eq(tenant.workspace_id()))
        .filter(K::Id.is_in(clocks.iter().map(|c| c.id)))
        .exec(tenant.conn())
        .await?;
    Ok(())
}
