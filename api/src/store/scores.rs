//! The score ledger: one row per point-bearing rule an event fired.

use entity::score_entry;
use sea_orm::{ColumnTrait, ConnectionTrait, QueryFilter};
use uuid::Uuid;

use super::Tenant;
use crate::error::AppResult;

/// Every ledger row of these contacts.
pub async fn of_contacts<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    contacts: Vec<Uuid>,
) -> AppResult<Vec<score_entry::Model>> {
    if contacts.is_empty() {
        return Ok(Vec::new());
    }
    let select = tenant
        .select::<score_entry::Entity>()
        .filter(score_entry::Column::ContactId.is_in(contacts));
    Ok(super::positional::all(select, tenant.conn()).await?)
}

/// Appends ledger rows, as many to a statement as the bound values allow (a batch's entries
/// fit one).
pub async fn append<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    rows: Vec<score_entry::ActiveModel>,
) -> AppResult<()> {
    super::sql::insert_all::<score_entry::Entity, _>(tenant, &rows).await
}
