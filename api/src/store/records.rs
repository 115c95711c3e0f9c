//! What batch writes of records by natural key share.

use sea_orm::ConnectionTrait;

use super::Tenant;
use crate::error::AppResult;

/// Waits for this workspace's turn among the writers that create records by natural key
/// (accounts by domain, contacts by email, sources by name) or rewrite leads: see
/// [`super::serialize_identity_writes`]. Call it first in the unit of work.
pub async fn take_identity_turn<C: ConnectionTrait>(tenant: &Tenant<'_, C>) -> AppResult<()> {
    super::serialize_identity_writes(tenant.conn(), tenant.workspace_id()).await
}
