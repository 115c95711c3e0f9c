//! People, workspaces, log-in throttles and instance secrets: data that no single workspace owns.

use chrono::{DateTime, Utc};
use entity::{instance_secret, login_throttle, membership, user, workspace, Role};
use sea_orm::{
    sea_query::{Expr, ExprTrait, OnConflict},
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::Global;
use crate::error::{AppError, AppResult};

/// The account that proved `email`, if one did (at most one can).
pub async fn verified_user_by_email<C: ConnectionTrait>(
    global: &Global<'_, C>,
    email: &str,
) -> AppResult<Option<user::Model>> {
    Ok(user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .filter(user::Column::EmailVerifiedAt.is_not_null())
        .one(global.conn())
        .await?)
}

/// The accounts a log-in or a password reset for `email` may mean: the verified one first,
/// then the newest unverified ones, at most `limit` in all (so a flood of sign-ups with one
/// address costs a log-in at most `limit` password checks).
pub async fn accounts_for_address<C: ConnectionTrait>(
    global: &Global<'_, C>,
    email: &str,
    limit: u64,
) -> AppResult<Vec<user::Model>> {
    let mut accounts: Vec<user::Model> = verified_user_by_email(global, email)
        .await?
        .into_iter()
        .collect();
    let unverified = user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .filter(user::Column::EmailVerifiedAt.is_null())
        .order_by_desc(user::Column::CreatedAt)
        .order_by_desc(user::Column::Id)
        .limit(limit.saturating_sub(accounts.len() as u64))
        .all(global.conn())
        .await?;
    accounts.extend(unverified);
    Ok(accounts)
}

/// Records that `user_id` proved its address. CONFLICT when another account proved it first.
pub async fn mark_verified<C: ConnectionTrait>(
    global: &Global<'_, C>,
    user_id: Uuid,
    at: DateTime<Utc>,
) -> AppResult<()> {
    user::Entity::update_many()
        .col_expr(user::Column::EmailVerifiedAt, Some(at).into())
        .col_expr(user::Column::UpdatedAt, at.into())
        .filter(user::Column::Id.eq(user_id))
        .filter(user::Column::EmailVerifiedAt.is_null())
        .exec(global.conn())
        .await
        .map_err(address_taken)?;
    Ok(())
}

fn address_taken(err: sea_orm::DbErr) -> AppError {
    match err.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
            AppError::Conflict("another account has already confirmed this address".into())
        }
        _ => err.into(),
    }
}

pub async fn user_by_id<C: ConnectionTrait>(
    global: &Global<'_, C>,
    id: Uuid,
) -> AppResult<Option<user::Model>> {
    Ok(user::Entity::find_by_id(id).one(global.conn()).await?)
}

pub async fn users_by_ids<C: ConnectionTrait>(
    global: &Global<'_, C>,
    ids: &[Uuid],
) -> AppResult<Vec<user::Model>> {
    Ok(user::Entity::find()
        .filter(user::Column::Id.is_in(ids.iter().copied()))
        .all(global.conn())
        .await?)
}

/// Creates an account. Addresses are unique among verified accounts only, so this fails
/// (CONFLICT) only when `verified_at` is set and another account proved the address.
pub async fn create_user<C: ConnectionTrait>(
    global: &Global<'_, C>,
    email: &str,
    name: &str,
    password_hash: String,
    verified_at: Option<DateTime<Utc>>,
) -> AppResult<user::Model> {
    let now = Utc::now();
    let model = user::ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set(email.to_owned()),
        name: Set(name.to_owned()),
        password_hash: Set(password_hash),
        created_at: Set(now),
        updated_at: Set(now),
        email_verified_at: Set(verified_at),
    };
    user::Entity::insert(model)
        .exec_with_returning(global.conn())
        .await
        .map_err(address_taken)
}

pub async fn set_password_hash<C: ConnectionTrait>(
    global: &Global<'_, C>,
    user_id: Uuid,
    hash: String,
) -> AppResult<()> {
    user::Entity::update_many()
        .col_expr(user::Column::PasswordHash, hash.into())
        .col_expr(user::Column::UpdatedAt, Utc::now().into())
        .filter(user::Column::Id.eq(user_id))
        .exec(global.conn())
        .await?;
    Ok(())
}

pub async fn throttle<C: ConnectionTrait>(
    global: &Global<'_, C>,
    email: &str,
) -> AppResult<Option<login_throttle::Model>> {
    Ok(login_throttle::Entity::find_by_id(email.to_owned())
        .one(global.conn())
        .await?)
}

/// Counts one failed log-in for `email` in one statement, so that parallel guesses each count;
/// returns the failures now on record.
pub async fn count_failed_log_in<C: ConnectionTrait>(
    global: &Global<'_, C>,
    email: &str,
) -> AppResult<i32> {
    let now = Utc::now();
    let model = login_throttle::ActiveModel {
        email: Set(email.to_owned()),
        failures: Set(1),
        locked_until: Set(None),
        updated_at: Set(now),
    };
    let row = login_throttle::Entity::insert(model)
        .on_conflict(
            OnConflict::column(login_throttle::Column::Email)
                .value(
                    login_throttle::Column::Failures,
                    Expr::col((login_throttle::Entity, login_throttle::Column::Failures)).add(1),
                )
                .value(login_throttle::Column::UpdatedAt, now)
                .to_owned(),
        )
        .exec_with_returning(global.conn())
        .await?;
    Ok(row.failures)
}

/// Locks `email` out until `until`, never shortening a lock already in place.
pub async fn lock_out<C: ConnectionTrait>(
    global: &Global<'_, C>,
    email: &str,
    until: DateTime<Utc>,
) -> AppResult<()> {
    login_throttle::Entity::update_many()
        .col_expr(login_throttle::Column::LockedUntil, Expr::value(until))
        .filter(login_throttle::Column::Email.eq(email))
        .filter(
            login_throttle::Column::LockedUntil
                .is_null()
                .or(login_throttle::Column::LockedUntil.lt(until)),
        )
        .exec(global.conn())
        .await?;
    Ok(())
}

pub async fn clear_throttle<C: ConnectionTrait>(
    global: &Global<'_, C>,
    email: &str,
) -> AppResult<()> {
    login_throttle::Entity::delete_by_id(email.to_owned())
        .exec(global.conn())
        .await?;
    Ok(())
}

pub async fn workspace_by_id<C: ConnectionTrait>(
    global: &Global<'_, C>,
    id: Uuid,
) -> AppResult<Option<workspace::Model>> {
    Ok(workspace::Entity::find_by_id(id).one(global.conn()).await?)
}

pub async fn workspace_by_slug<C: ConnectionTrait>(
    global: &Global<'_, C>,
    slug: &str,
) -> AppResult<Option<workspace::Model>> {
    Ok(workspace::Entity::find()
        .filter(workspace::Column::Slug.eq(slug))
        .one(global.conn())
        .await?)
}

/// Creates a workspace with a unique slug and gives `founder` its first seat, holding `role`.
pub async fn create_workspace<C: ConnectionTrait>(
    global: &Global<'_, C>,
    name: &str,
    base_slug: &str,
    founder: Uuid,
    role: Role,
) -> AppResult<workspace::Model> {
    let taken = workspace::Entity::find()
        .filter(workspace::Column::Slug.starts_with(base_slug))
        .all(global.conn())
        .await?;
    let mut slug = base_slug.to_owned();
    let mut n = 1;
    while taken.iter().any(|w| w.slug == slug) {
        n += 1;
        slug = format!("{base_slug}-{n}");
    }
    let now = Utc::now();
    let created = workspace::Entity::insert(workspace::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(name.to_owned()),
        slug: Set(slug),
        created_at: Set(now),
    })
    .exec_with_returning(global.conn())
    .await?;
    membership::Entity::insert(membership::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(created.id),
        user_id: Set(founder),
        role: Set(role),
        manager_id: Set(None),
        out_of_office: Set(false),
        created_at: Set(now),
    })
    .exec(global.conn())
    .await?;
    Ok(created)
}

/// The user's seat in a workspace, if they have one.
pub async fn membership_of<C: ConnectionTrait>(
    global: &Global<'_, C>,
    workspace_id: Uuid,
    user_id: Uuid,
) -> AppResult<Option<membership::Model>> {
    Ok(membership::Entity::find()
        .filter(membership::Column::WorkspaceId.eq(workspace_id))
        .filter(membership::Column::UserId.eq(user_id))
        .one(global.conn())
        .await?)
}

/// The workspaces a user belongs to, oldest seat first.
pub async fn workspaces_of<C: ConnectionTrait>(
    global: &Global<'_, C>,
    user_id: Uuid,
) -> AppResult<Vec<(membership::Model, workspace::Model)>> {
    let rows = membership::Entity::find()
        .filter(membership::Column::UserId.eq(user_id))
        .order_by_asc(membership::Column::CreatedAt)
        .find_also_related(workspace::Entity)
        .all(global.conn())
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(seat, ws)| ws.map(|ws| (seat, ws)))
        .collect())
}

/// Returns the named secret, creating it with `generate` if absent. Safe when several instances
/// start at once: the first insert wins and everyone reads the winner.
pub async fn secret_or_create<C: ConnectionTrait>(
    global: &Global<'_, C>,
    name: &str,
    generate: impl FnOnce() -> String,
) -> AppResult<String> {
    instance_secret::Entity::insert(instance_secret::ActiveModel {
        name: Set(name.to_owned()),
        value: Set(generate()),
        created_at: Set(Utc::now()),
    })
    .on_conflict(
        OnConflict::column(instance_secret::Column::Name)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(global.conn())
    .await?;
    instance_secret::Entity::find_by_id(name.to_owned())
        .one(global.conn())
        .await?
        .map(|secret| secret.value)
        .ok_or_else(|| AppError::internal(std::io::Error::other("instance secret vanished")))
}
