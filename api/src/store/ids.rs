//! The one id rule: an id argument is a UUID; a malformed one cannot name any row, so it is
//! NOT_FOUND like an id of another workspace or of no row (with the field, inside inputs).
//! Every id a client sends is parsed here or by [`super::Tenant::referenced`], which checks the
//! row too.

use uuid::Uuid;

use crate::error::{AppError, AppResult};

/// Parses an ID argument; a malformed one cannot name any row, so it is NOT_FOUND like any other
/// id the caller cannot see.
pub fn parse_id(raw: &async_graphql::ID, noun: &'static str) -> AppResult<Uuid> {
    Uuid::parse_str(raw.as_str()).map_err(|_| AppError::not_found(noun))
}

/// Parses an id inside an input: a malformed one is NOT_FOUND at `field`, like an id naming no
/// row (for ids that are checked against their rows later, such as members' user ids).
pub fn parse_id_at(raw: &async_graphql::ID, noun: &'static str, field: &str) -> AppResult<Uuid> {
    Uuid::parse_str(raw.as_str()).map_err(|_| AppError::not_found_at(noun, field))
}

/// Parses an optional ID argument (a filter), by the rule of [`parse_id`].
pub fn parse_optional_id(
    raw: &Option<async_graphql::ID>,
    noun: &'static str,
) -> AppResult<Option<Uuid>> {
    raw.as_ref().map(|id| parse_id(id, noun)).transpose()
}

/// Parses an optional id inside an input before any row is read (a batch checks its references
/// in one query later): a malformed one is NOT_FOUND at `field`, like an id of no row.
pub fn parse_optional_id_at(
    raw: Option<&async_graphql::ID>,
    noun: &'static str,
    field: &str,
) -> AppResult<Option<Uuid>> {
    raw.map(|id| Uuid::parse_str(id.as_str()).map_err(|_| AppError::not_found_at(noun, field)))
        .transpose()
}

impl<C: sea_orm::ConnectionTrait> super::Tenant<'_, C> {
    /// An id filter of a list naming a record of this workspace (an account, a source, a
    /// play...): a malformed id, or one naming no row here, is NOT_FOUND at `field`, as
    /// everywhere; an empty page would hide the mistake. Filters by a person (`ownerId`) name
    /// people, not rows of a workspace, and stay [`parse_optional_id`].
    pub async fn filter_ref<E>(
        &self,
        raw: &Option<async_graphql::ID>,
        field: &str,
    ) -> AppResult<Option<Uuid>>
    where
        E: super::TenantEntity,
        E::Model: super::Identified,
        <E::PrimaryKey as sea_orm::PrimaryKeyTrait>::ValueType: From<Uuid>,
    {
        use super::Identified;
        match raw {
            None => Ok(None),
            Some(raw) => Ok(Some(self.referenced::<E>(raw, field).await?.id())),
        }
    }
}
