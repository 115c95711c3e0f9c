//! The records an event batch names by natural key and may create: sources by name (accounts
//! and contacts have their own modules), and the workspace's identity-write turn.

use std::collections::HashSet;

use entity::{account, contact, source};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QuerySelect,
};

use super::Tenant;
use crate::error::AppResult;

/// Waits for the workspace's identity-write turn (see [`super::serialize_identity_writes`]).
pub async fn take_turn<C: ConnectionTrait>(tenant: &Tenant<'_, C>) -> AppResult<()> {
    super::serialize_identity_writes(tenant.conn(), tenant.workspace_id()).await
}

/// An ingest batch's share of that turn (see [`super::share_identity_writes`]).
pub async fn share_turn<C: ConnectionTrait>(tenant: &Tenant<'_, C>) -> AppResult<()> {
    super::share_identity_writes(tenant.conn(), tenant.workspace_id()).await
}

/// The turn to create new natural keys (see [`super::take_creation_turn`]).
pub async fn take_creation_turn<C: ConnectionTrait>(tenant: &Tenant<'_, C>) -> AppResult<()> {
    super::take_creation_turn(tenant.conn(), tenant.workspace_id()).await
}

/// The sources with these names.
pub async fn sources_named<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    names: Vec<String>,
) -> AppResult<Vec<source::Model>> {
    if names.is_empty() {
        return Ok(Vec::new());
    }
    Ok(tenant
        .select::<source::Entity>()
        .filter(source::Column::Name.is_in(names))
        .all(tenant.conn())
        .await?)
}

/// Inserts new sources in one statement.
pub async fn insert_sources<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    rows: Vec<source::Model>,
) -> AppResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    source::Entity::insert_many(rows.into_iter().map(IntoActiveModel::into_active_model))
        .exec_without_returning(tenant.conn())
        .await?;
    Ok(())
}

/// Which of a batch's natural keys exist already.
pub struct KnownKeys {
    pub sources: HashSet<String>,
    pub domains: HashSet<String>,
    pub external_ids: HashSet<String>,
    pub emails: HashSet<String>,
}

/// The keys among these that name a source, an account or a contact of the workspace: the key
/// columns only, to decide whether a batch creates anything before it locks what it reads.
pub async fn known_keys<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    sources: &[String],
    domains: &[String],
    external_ids: &[String],
    emails: &[String],
) -> AppResult<KnownKeys> {
    let mut known = KnownKeys {
        sources: HashSet::new(),
        domains: HashSet::new(),
        external_ids: HashSet::new(),
        emails: HashSet::new(),
    };
    if !sources.is_empty() {
        known.sources = tenant
            .select::<source::Entity>()
            .select_only()
            .column(source::Column::Name)
            .filter(source::Column::Name.is_in(sources.iter().cloned()))
            .into_tuple::<String>()
            .all(tenant.conn())
            .await?
            .into_iter()
            .collect();
    }
    if !domains.is_empty() {
        known.domains = tenant
            .select::<account::Entity>()
            .select_only()
            .column(account::Column::Domain)
            .filter(account::Column::Domain.is_in(domains.iter().cloned()))
            .into_tuple::<String>()
            .all(tenant.conn())
            .await?
            .into_iter()
            .collect();
    }
    if external_ids.is_empty() && emails.is_empty() {
        return Ok(known);
    }
    let keys = super::contacts::key_condition(external_ids, emails);
    let rows: Vec<(Option<String>, Option<String>)> = tenant
        .select::<contact::Entity>()
        .select_only()
        .column(contact::Column::ExternalId)
        .column(contact::Column::Email)
        .filter(keys)
        .into_tuple()
        .all(tenant.conn())
        .await?;
    for (external_id, email) in rows {
        known.external_ids.extend(external_id);
        known.emails.extend(email);
    }
    Ok(known)
}
