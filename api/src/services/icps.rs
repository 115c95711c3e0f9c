//! ICP versions: drafts are edited in place; editing an active or superseded version makes a new
//! draft; activating one supersedes the active ICP of the same motion and queues a fit-score
//! recomputation.

use async_graphql::ID;
use chrono::Utc;
use entity::{fit_job, icp, IcpMotion, VersionStatus};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, IntoActiveModel};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::{
    domain::{fit::parse_weighted, validate},
    error::{AppError, AppResult},
    services::{
        records::{member_ids, owner},
        unit_of_work::UnitOfWork,
    },
    state::AppState,
    store::{self, Tenant},
};

/// An ICP definition as sent, before validation.
pub struct IcpFields {
    pub name: String,
    pub motion: IcpMotion,
    pub account_criteria: Value,
    pub contact_criteria: Value,
    /// Each persona with its part in the deal: TRIGGERS, BLOCKS or INFLUENCES.
    pub personas: Vec<(String, &'static str)>,
    pub retention_risk_tags: Vec<String>,
    /// A member; the person creating it when absent.
    pub owner_id: Option<ID>,
}

/// A validated ICP definition.
struct IcpDraft {
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

/// Validates the fields sent, naming the path (under `input`) of the first problem.
async fn draft_of<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    fields: IcpFields,
    actor: Option<Uuid>,
) -> AppResult<IcpDraft> {
    let name = validate::required_text(&fields.name, "input.name", 120)?;
    check_criteria(&fields.account_criteria, &fields.contact_criteria)?;
    let mut personas = Vec::with_capacity(fields.personas.len());
    for (index, (persona, role)) in fields.personas.iter().enumerate() {
        let persona =
            validate::required_text(persona, &format!("input.personas[{index}].persona"), 120)?;
        personas.push(json!({"persona": persona, "role": role}));
    }
    let tags = validate::tags(&fields.retention_risk_tags, "input.retentionRiskTags")?;
    let owner_id = match &fields.owner_id {
        Some(raw) => Some(owner(raw, &member_ids(tenant).await?, "input.ownerId")?),
        None => actor,
    };
    Ok(IcpDraft {
        name,
        motion: fields.motion,
        account_criteria: fields.account_criteria,
        contact_criteria: fields.contact_criteria,
        personas: Value::Array(personas),
        retention_risk_tags: json!(tags),
        owner_id,
    })
}

/// Creates an ICP as a draft (version 1); `actor` owns it unless the fields name an owner.
pub async fn create(
    state: &AppState,
    workspace_id: Uuid,
    fields: IcpFields,
    actor: Option<Uuid>,
) -> AppResult<icp::Model> {
    let work = UnitOfWork::begin(state, workspace_id).await?;
    let tenant = work.tenant();
    let draft = draft_of(&tenant, fields, actor).await?;
    let created = insert_version(&tenant, Uuid::now_v7(), 1, draft).await?;
    work.commit().await?;
    Ok(created)
}

async fn insert_version<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    family_id: Uuid,
    version: i32,
    draft: IcpDraft,
) -> AppResult<icp::Model> {
    let row = icp::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(tenant.workspace_id()),
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
    };
    store::icps::insert(tenant, row).await
}

/// Edits a draft in place; an active or superseded version gets a new draft version instead.
/// A version that is not this workspace's is NOT_FOUND before the fields are judged.
pub async fn update(
    state: &AppState,
    workspace_id: Uuid,
    id: Uuid,
    fields: IcpFields,
    actor: Option<Uuid>,
) -> AppResult<icp::Model> {
    let work = UnitOfWork::begin(state, workspace_id).await?;
    let tenant = work.tenant();
    let current = tenant.get::<icp::Entity>(id).await?;
    let draft = draft_of(&tenant, fields, actor).await?;
    let saved = if current.status == VersionStatus::Draft {
        let mut row = current;
        row.name = draft.name;
        row.motion = draft.motion;
        row.account_criteria = draft.account_criteria;
        row.contact_criteria = draft.contact_criteria;
        row.personas = draft.personas;
        row.retention_risk_tags = draft.retention_risk_tags;
        row.owner_id = draft.owner_id;
        store::icps::save(&tenant, row.into_active_model().reset_all()).await?
    } else {
        let latest = store::icps::latest_version(&tenant, current.family_id)
            .await?
            .unwrap_or(current.version);
        insert_version(&tenant, current.family_id, latest + 1, draft).await?
    };
    work.commit().await?;
    Ok(saved)
}

/// Makes a version the active ICP of its motion and queues the recomputation of every fit score.
pub async fn activate(state: &AppState, workspace_id: Uuid, id: Uuid) -> AppResult<icp::Model> {
    let mut work = UnitOfWork::begin(state, workspace_id).await?;
    let (tenant, notices) = work.parts();
    let row = tenant.get::<icp::Entity>(id).await?;
    if row.status == VersionStatus::Active {
        return Ok(row);
    }
    store::icps::supersede_active(&tenant, row.motion).await?;
    let mut active = row.into_active_model();
    active.status = Set(VersionStatus::Active);
    active.activated_at = Set(Some(Utc::now()));
    let activated = store::icps::save(&tenant, active).await?;
    let total = store::icps::records_to_score(&tenant).await?;
    let job = fit_job::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(workspace_id),
        icp_id: Set(activated.id),
        status: Set(crate::jobs::fit::PENDING.to_owned()),
        total: Set(total as i64),
        processed: Set(0),
        cursor: Set(None),
        created_at: Set(Utc::now()),
        finished_at: Set(None),
    };
    store::icps::queue_fit_job(&tenant, job).await?;
    notices.wake_jobs();
    work.commit().await?;
    Ok(activated)
}

/// Deletes a draft; active and superseded versions are history and stay.
pub async fn delete_draft(state: &AppState, workspace_id: Uuid, id: Uuid) -> AppResult<()> {
    let work = UnitOfWork::begin(state, workspace_id).await?;
    let tenant = work.tenant();
    let row = tenant.get::<icp::Entity>(id).await?;
    if row.status != VersionStatus::Draft {
        return Err(AppError::Conflict(
            "only drafts can be deleted; active and past versions are kept".into(),
        ));
    }
    store::icps::delete(&tenant, id).await?;
    work.commit().await?;
    Ok(())
}

/// Every version of the ICP `family_id`, oldest first.
pub async fn versions_of<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    family_id: Uuid,
) -> AppResult<Vec<icp::Model>> {
    store::icps::family(tenant, family_id).await
}

/// The latest recomputation of fit scores, if any.
pub async fn latest_fit_scoring<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
) -> AppResult<Option<fit_job::Model>> {
    store::icps::latest_fit_job(tenant).await
}
