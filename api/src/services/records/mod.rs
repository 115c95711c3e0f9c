//! Batch upserts of accounts and contacts by natural key, answered item by item. Every item is
//! validated first; the valid ones are written in one transaction, so an item is either written
//! whole or not at all.

pub(crate) mod accounts;
pub(crate) mod contacts;
pub(crate) mod opportunities;

pub use accounts::{upsert_accounts, AccountInput};
pub use contacts::{upsert_contacts, ContactInput};
pub use opportunities::{upsert_opportunities, OpportunityUpsertInput};

use std::collections::HashSet;

use async_graphql::{Enum, MaybeUndefined, SimpleObject, ID};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use crate::{
    error::{AppError, AppResult, UserError},
    services::unit_of_work::UnitOfWork,
    store::{parse_id, Tenant},
};

/// The most items one batch may carry.
pub const MAX_BATCH: usize = 1000;

/// Whether a batch's writes are kept, or only tried and rolled back (an import's `--dry-run`:
/// every item is answered as it would be).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Write {
    Commit,
    DryRun,
}

impl Write {
    /// Commits the batch's unit of work, or, for a dry run, drops it: a unit of work dropped
    /// without committing rolls back and announces nothing.
    pub(crate) async fn finish(self, work: UnitOfWork<'_>) -> AppResult<()> {
        match self {
            Write::Commit => work.commit().await,
            Write::DryRun => {
                drop(work);
                Ok(())
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum UpsertStatus {
    Created,
    Updated,
    /// Nothing changed.
    Unchanged,
    Rejected,
}

/// The answer for one item of a batch, in the order sent.
#[derive(Debug, Clone, SimpleObject)]
pub struct UpsertResult {
    pub index: i32,
    pub status: UpsertStatus,
    pub id: Option<ID>,
    pub error: Option<UserError>,
}

impl UpsertResult {
    fn written(index: usize, status: UpsertStatus, id: Uuid) -> Self {
        Self {
            index: index as i32,
            status,
            id: Some(id.into()),
            error: None,
        }
    }

    fn rejected(index: usize, err: &AppError) -> Self {
        Self {
            index: index as i32,
            status: UpsertStatus::Rejected,
            id: None,
            error: Some(err.into()),
        }
    }
}

pub(crate) fn check_batch_size(len: usize, field: &str) -> AppResult<()> {
    if len == 0 || len > MAX_BATCH {
        return Err(AppError::bad_input(
            field,
            format!("send 1 to {MAX_BATCH} items"),
        ));
    }
    Ok(())
}

/// The user ids holding a seat in the workspace: owners must be among them.
pub async fn member_ids<C: ConnectionTrait>(tenant: &Tenant<'_, C>) -> AppResult<HashSet<Uuid>> {
    Ok(tenant
        .members()
        .await?
        .into_iter()
        .map(|m| m.user_id)
        .collect())
}

/// Parses an owner id that must name a member of the workspace.
pub fn owner(raw: &ID, members: &HashSet<Uuid>, field: &str) -> AppResult<Uuid> {
    parse_id(raw, "member")
        .ok()
        .filter(|id| members.contains(id))
        .ok_or_else(|| AppError::not_found_at("member", field))
}

/// An owner patch: a new owner (who must be a member), `null` to clear, or unchanged.
pub(crate) fn owner_patch(
    raw: &MaybeUndefined<ID>,
    members: &HashSet<Uuid>,
    field: &str,
) -> AppResult<MaybeUndefined<Uuid>> {
    Ok(match raw {
        MaybeUndefined::Value(raw) => MaybeUndefined::Value(owner(raw, members, field)?),
        MaybeUndefined::Null => MaybeUndefined::Null,
        MaybeUndefined::Undefined => MaybeUndefined::Undefined,
    })
}

/// A source patch: a source of the workspace, `null` to clear, or unchanged. A malformed id or
/// another workspace's is NOT_FOUND at `field`.
pub(crate) fn source_patch(
    raw: &MaybeUndefined<ID>,
    sources: &HashSet<Uuid>,
    field: &str,
) -> AppResult<MaybeUndefined<Uuid>> {
    Ok(match raw {
        MaybeUndefined::Value(raw) => MaybeUndefined::Value(
            parse_id(raw, "source")
                .ok()
                .filter(|id| sources.contains(id))
                .ok_or_else(|| AppError::not_found_at("source", field))?,
        ),
        MaybeUndefined::Null => MaybeUndefined::Null,
        MaybeUndefined::Undefined => MaybeUndefined::Undefined,
    })
}

/// A text patch: trimmed and length-checked; blank clears the field like `null`.
pub(crate) fn text_patch(
    value: MaybeUndefined<String>,
    field: &str,
) -> AppResult<MaybeUndefined<String>> {
    Ok(match value {
        MaybeUndefined::Value(v) => {
            match crate::domain::validate::optional_text(Some(&v), field)? {
                Some(v) => MaybeUndefined::Value(v),
                None => MaybeUndefined::Null,
            }
        }
        MaybeUndefined::Null => MaybeUndefined::Null,
        MaybeUndefined::Undefined => MaybeUndefined::Undefined,
    })
}
