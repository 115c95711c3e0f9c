//! Lead contracts: drafts hold the terms; a draft signed for both sides (by a member holding
//! `SignContractForMarketing`, the marketing leader, and one holding `SignContractForSales`, the
//! sales leader) becomes the active contract (the previous one is superseded and kept). Editing
//! a signed or active version makes a new draft.

use chrono::Utc;
use entity::{lead_contract, ContractStatus, Role};
use sea_orm::{ActiveValue::Set, ConnectionTrait, IntoActiveModel};
use serde_json::Value;
use uuid::Uuid;

use crate::{
    domain::{
        contract::Terms,
        permissions::{role_allows, Permission},
    },
    error::{AppError, AppResult},
    services::{ingest::reevaluate, unit_of_work::UnitOfWork},
    state::AppState,
    store::{self, Tenant},
};

/// Parses and validates terms sent by a client, naming the path of the first problem.
pub fn parse_terms(json: &Value) -> AppResult<Terms> {
    let terms: Terms = serde_json::from_value(json.clone()).map_err(|err| {
        AppError::bad_input(
            "terms",
            format!("does not match the contract's shape: {err}"),
        )
    })?;
    terms
        .validate()
        .map_err(|err| AppError::bad_input(err.field, err.message))?;
    Ok(terms)
}

pub fn terms_of(row: &lead_contract::Model) -> AppResult<Terms> {
    serde_json::from_value(row.terms.clone()).map_err(AppError::internal)
}

/// The active contract's terms, or the seed defaults when none is active yet.
pub async fn active_terms<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
) -> AppResult<(Option<lead_contract::Model>, Terms)> {
    match active(tenant).await? {
        Some(row) => {
            let terms = terms_of(&row)?;
            Ok((Some(row), terms))
        }
        None => Ok((None, Terms::seed())),
    }
}

pub async fn active<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
) -> AppResult<Option<lead_contract::Model>> {
    store::contracts::active(tenant).await
}

/// Inserts a new draft version holding `terms`.
pub async fn insert_draft<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    terms: &Terms,
    created_by: Option<Uuid>,
) -> AppResult<lead_contract::Model> {
    let previous = store::contracts::latest(tenant).await?;
    let now = Utc::now();
    let row = lead_contract::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(tenant.workspace_id()),
        family_id: Set(previous.as_ref().map_or_else(Uuid::now_v7, |p| p.family_id)),
        version: Set(previous.map_or(1, |p| p.version + 1)),
        status: Set(ContractStatus::Draft),
        terms: Set(serde_json::to_value(terms).map_err(AppError::internal)?),
        marketing_signed_by: Set(None),
        marketing_signed_at: Set(None),
        sales_signed_by: Set(None),
        sales_signed_at: Set(None),
        activated_at: Set(None),
        created_by: Set(created_by),
        created_at: Set(now),
        updated_at: Set(now),
    };
    store::contracts::insert(tenant, row).await
}

/// A new draft copying `from` (or the active, else the latest, version).
pub async fn draft(
    state: &AppState,
    workspace_id: Uuid,
    from: Option<Uuid>,
    actor: Option<Uuid>,
) -> AppResult<lead_contract::Model> {
    let work = UnitOfWork::begin(state, workspace_id).await?;
    let tenant = work.tenant();
    let base = match from {
        Some(id) => Some(tenant.get::<lead_contract::Entity>(id).await?),
        None => match active(&tenant).await? {
            Some(row) => Some(row),
            None => store::contracts::latest(&tenant).await?,
        },
    };
    let terms = match &base {
        Some(row) => terms_of(row)?,
        None => Terms::seed(),
    };
    let created = insert_draft(&tenant, &terms, actor).await?;
    work.commit().await?;
    Ok(created)
}

/// Replaces a draft's terms; a signed or active version gets a new draft with them instead.
/// A version that is not this workspace's is NOT_FOUND before the terms are judged.
pub async fn update(
    state: &AppState,
    workspace_id: Uuid,
    id: Uuid,
    terms: &Value,
    actor: Option<Uuid>,
) -> AppResult<lead_contract::Model> {
    let work = UnitOfWork::begin(state, workspace_id).await?;
    let tenant = work.tenant();
    let row = tenant.get::<lead_contract::Entity>(id).await?;
    let terms = parse_terms(terms)?;
    let saved = if row.status == ContractStatus::Draft {
        let mut active = row.into_active_model();
        active.terms = Set(serde_json::to_value(&terms).map_err(AppError::internal)?);
        // Changed terms need fresh signatures.
        active.marketing_signed_by = Set(None);
        active.marketing_signed_at = Set(None);
        active.sales_signed_by = Set(None);
        active.sales_signed_at = Set(None);
        active.updated_at = Set(Utc::now());
        store::contracts::save(&tenant, active).await?
    } else {
        insert_draft(&tenant, &terms, actor).await?
    };
    work.commit().await?;
    Ok(saved)
}

/// Records the signer's signature (as the marketing or the sales leader); with both, the draft
/// becomes the active contract.
pub async fn sign(
    state: &AppState,
    workspace_id: Uuid,
    id: Uuid,
    signer: Uuid,
    role: Role,
) -> AppResult<lead_contract::Model> {
    let mut work = UnitOfWork::begin(state, workspace_id).await?;
    let (tenant, notices) = work.parts();
    let row = tenant.get::<lead_contract::Entity>(id).await?;
    if row.status != ContractStatus::Draft {
        return Err(AppError::Conflict(format!(
            "version {} is {} already; draft a new version to change it",
            row.version,
            row.status.as_str()
        )));
    }
    let for_marketing = if role_allows(role, Permission::SignContractForMarketing) {
        true
    } else if role_allows(role, Permission::SignContractForSales) {
        false
    } else {
        return Err(AppError::forbidden(
            "only a MARKETING_LEADER or a SALES_LEADER signs the lead contract",
        ));
    };
    // The contract is an agreement between two people: whoever signed one side (before a role
    // change, say) cannot sign the other.
    let other_side = if for_marketing {
        row.sales_signed_by
    } else {
        row.marketing_signed_by
    };
    if other_side == Some(signer) {
        return Err(AppError::forbidden(
            "you signed this contract for the other side; a second person signs this one",
        ));
    }
    let now = Utc::now();
    let mut active = row.clone().into_active_model();
    if for_marketing {
        active.marketing_signed_by = Set(Some(signer));
        active.marketing_signed_at = Set(Some(now));
    } else {
        active.sales_signed_by = Set(Some(signer));
        active.sales_signed_at = Set(Some(now));
    }
    let marketing = for_marketing || row.marketing_signed_by.is_some();
    let sales = !for_marketing || row.sales_signed_by.is_some();
    if marketing && sales {
        store::contracts::supersede_active(&tenant).await?;
        // The accounts' suspects were counted at the old terms' minimum fit.
        let min_fit = terms_of(&row)?.acceptance.min_fit;
        store::account_suspects::refit(&tenant, min_fit).await?;
        active.status = Set(ContractStatus::Active);
        active.activated_at = Set(Some(now));
        // Leads the old terms held back (a lower threshold, wider criteria) may meet these.
        let why = reevaluate::reason::CONTRACT_SIGNED;
        reevaluate::queue(&tenant, why, None, state.clock.now(), notices).await?;
    }
    active.updated_at = Set(now);
    let saved = store::contracts::save(&tenant, active).await?;
    work.commit().await?;
    Ok(saved)
}
