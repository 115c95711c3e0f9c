//! ICP versions: drafts are edited in place; editing an active or superseded version makes a new
//! draft; activating one supersedes the active ICP of the same motion and queues a fit-score
//! recomputation.

use chrono::Utc;
use entity::{fit_job, icp, IcpMotion, VersionStatus};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QueryOrder,
};
use serde_json::Value;
use uuid::Uuid;

use crate::{
    domain::fit::parse_weighted,
    error::{AppError, AppResult},
    state::AppState,
    store::Tenant,
};

/// A validated ICP definition.
pub struct IcpDraft {
    pub name: String,
    pub motion: IcpMotion,
    pub account_criteria: Value,
    pub contact_criteria: Value,
    pub personas: Value,
    pub retention_risk_tags: Value,
    pub owner_id: Option<Uuid>,
}

/// Checks the weighted criteria, naming the path of the first problem.
pub fn check_criteria(account: &Value, contact: &Value) -> AppResult<()> {
    for (json, path) in [
        (account, "input.accountCriteria"),
        (contact, "input.contactCriteria"),
    ] {
        parse_weighted(json, path).map_err(|err| AppError::bad_input(err.path, err.message))?;
    }
    Ok(())
}

pub async fn create(
    state: &AppState,
    workspace_id: Uuid,
    draft: IcpDraft,
) -> AppResult<icp::Model> {
    insert_version(state.store.db(), workspace_id, Uuid::now_v7(), 1, draft).await
}

async fn insert_version<C: sea_orm::ConnectionTrait>(
    conn: &C,
    workspace_id: Uuid,
    family_id: Uuid,
    version: i32,
    draft: IcpDraft,
) -> AppResult<icp::Model> {
    Ok(icp::Entity::insert(icp::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(workspace_id),
        family_id: Set(family_id),
        version: Set(version),
        name: Set(draft.name),
        motion: Set(draft.motion),
        status: Set(VersionStatus::Draft),
        account_criteria: Set(draft.account_criteria),
        contact_criteria: Set(draft.contact_criteria),
        personas: Set(draft.personas),
        retention_risk_tags: Set(draft.retention_risk_tags),
        owner_id: Set(draft.owner_id),
        created_at: Set(Utc::now()),
        activated_at: Set(None),
    })
    .exec_with_returning(conn)
    .await?)
}

/// Edits a draft in place; an active or superseded version gets a new draft version instead.
pub async fn update(
    state: &AppState,
    workspace_id: Uuid,
    id: Uuid,
    draft: IcpDraft,
) -> AppResult<icp::Model> {
    let txn = state.store.begin_write().await?;
    let tenant = Tenant::new(&txn, workspace_id);
    let current = tenant.get::<icp::Entity>(id).await?;
    let saved = if current.status == VersionStatus::Draft {
        let mut row = current;
        row.name = draft.name;
        row.motion = draft.motion;
        row.account_criteria = draft.account_criteria;
        row.contact_criteria = draft.contact_criteria;
        row.personas = draft.personas;
        row.retention_risk_tags = draft.retention_risk_tags;
        row.owner_id = draft.owner_id;
        row.into_active_model().reset_all().update(&txn).await?
    } else {
        let latest = tenant
            .select::<icp::Entity>()
            .filter(icp::Column::FamilyId.eq(current.family_id))
            .order_by_desc(icp::Column::Version)
            .one(&txn)
            .await?
            .map_or(current.version, |row| row.version);
        insert_version(&txn, workspace_id, current.family_id, latest + 1, draft).await?
    };
    txn.commit().await?;
    Ok(saved)
}

/// Makes a version the active ICP of its motion and queues the recomputation of every fit score.
pub async fn activate(state: &AppState, workspace_id: Uuid, id: Uuid) -> AppResult<icp::Model> {
    let txn = state.store.begin_write().await?;
    let tenant = Tenant::new(&txn, workspace_id);
    let row = tenant.get::<icp::Entity>(id).await?;
    if row.status == VersionStatus::Active {
        return Ok(row);
    }
    icp::Entity::update_many()
        .col_expr(
            icp::Column::Status,
            VersionStatus::Superseded.as_str().into(),
        )
        .filter(icp::Column::WorkspaceId.eq(workspace_id))
        .filter(icp::Column::Status.eq(VersionStatus::Active))
        .filter(icp::Column::Motion.eq(row.motion))
        .exec(&txn)
        .await?;
    let mut active = row.into_active_model();
    active.status = Set(VersionStatus::Active);
    active.activated_at = Set(Some(Utc::now()));
    let activated = active.update(&txn).await?;
    let total = tenant
        .select::<entity::account::Entity>()
        .count(&txn)
        .await?
        + tenant
            .select::<entity::contact::Entity>()
            .count(&txn)
            .await?;
    fit_job::Entity::insert(fit_job::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(workspace_id),
        icp_id: Set(activated.id),
        status: Set(crate::jobs::fit::PENDING.to_owned()),
        total: Set(total as i64),
        processed: Set(0),
        cursor: Set(None),
        created_at: Set(Utc::now()),
        finished_at: Set(None),
    })
    .exec(&txn)
    .await?;
    txn.commit().await?;
    state.wake_jobs();
    Ok(activated)
}

/// Deletes a draft; active and superseded versions are history and stay.
pub async fn delete_draft(state: &AppState, workspace_id: Uuid, id: Uuid) -> AppResult<()> {
    let tenant = state.store.tenant(workspace_id);
    let row = tenant.get::<icp::Entity>(id).await?;
    if row.status != VersionStatus::Draft {
        return Err(AppError::Conflict(
            "only drafts can be deleted; active and past versions are kept".into(),
        ));
    }
    icp::Entity::delete_many()
        .filter(icp::Column::WorkspaceId.eq(workspace_id))
        .filter(icp::Column::Id.eq(id))
        .exec(tenant.conn())
        .await?;
    Ok(())
}
