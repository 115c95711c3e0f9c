//! Recomputing every fit score after the active ICP changed, in batches, resumable: the job row
//! keeps its phase and the last id scored.

use chrono::Utc;
use entity::{account, contact, fit_job};
use sea_orm::{
    sea_query::{LockBehavior, LockType},
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::{
    error::AppResult,
    services::fit::{account_view, contact_view, lead_view, stored, FitModels},
    state::AppState,
    store::Tenant,
};

pub const PENDING: &str = "PENDING";
const ACCOUNTS: &str = "ACCOUNTS";
const CONTACTS: &str = "CONTACTS";
pub const DONE: &str = "DONE";
const BATCH: u64 = 500;

/// Runs one batch of the oldest unfinished job; returns whether there was one.
pub async fn run_once(state: &AppState) -> AppResult<bool> {
    let txn = state.store.begin_write().await?;
    let mut claim = fit_job::Entity::find()
        .filter(fit_job::Column::Status.ne(DONE))
        .order_by_asc(fit_job::Column::CreatedAt);
    if txn.get_database_backend() == DbBackend::Postgres {
        claim = claim.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let Some(job) = claim.one(&txn).await? else {
        return Ok(false);
    };
    let tenant = Tenant::new(&txn, job.workspace_id);
    let newer = tenant
        .select::<fit_job::Entity>()
        .filter(fit_job::Column::CreatedAt.gt(job.created_at))
        .one(&txn)
        .await?;
    if newer.is_some() {
        // A later activation rescored everything anyway.
        finish(&txn, &job, job.processed).await?;
        txn.commit().await?;
        return Ok(true);
    }
    let models = FitModels::load(&tenant).await?;
    let (phase, cursor, scored) = match job.status.as_str() {
        PENDING | ACCOUNTS => {
            let n = score_accounts(&tenant, &models, job.cursor).await?;
            match n.last {
                Some(last) if n.count == BATCH => (ACCOUNTS, Some(last), n.count),
                _ => (CONTACTS, None, n.count),
            }
        }
        _ => {
            let n = score_contacts(&tenant, &models, job.cursor).await?;
            match n.last {
                Some(last) if n.count == BATCH => (CONTACTS, Some(last), n.count),
                _ => (DONE, None, n.count),
            }
        }
    };
    let processed = job.processed + scored as i64;
    if phase == DONE {
        finish(&txn, &job, processed).await?;
    } else {
        fit_job::Entity::update_many()
            .col_expr(fit_job::Column::Status, phase.into())
            .col_expr(fit_job::Column::Cursor, cursor.into())
            .col_expr(fit_job::Column::Processed, processed.into())
            .filter(fit_job::Column::Id.eq(job.id))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(true)
}

async fn finish<C: ConnectionTrait>(
    conn: &C,
    job: &fit_job::Model,
    processed: i64,
) -> AppResult<()> {
    fit_job::Entity::update_many()
        .col_expr(fit_job::Column::Status, DONE.into())
        .col_expr(
            fit_job::Column::Processed,
            processed.min(job.total).max(processed).into(),
        )
        .col_expr(fit_job::Column::FinishedAt, Some(Utc::now()).into())
        .filter(fit_job::Column::Id.eq(job.id))
        .exec(conn)
        .await?;
    Ok(())
}

struct Batch {
    count: u64,
    last: Option<Uuid>,
}

async fn score_accounts<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    models: &FitModels,
    after: Option<Uuid>,
) -> AppResult<Batch> {
    let mut query = tenant
        .select::<account::Entity>()
        .order_by_asc(account::Column::Id)
        .limit(BATCH);
    if let Some(after) = after {
        query = query.filter(account::Column::Id.gt(after));
    }
    let rows = query.all(tenant.conn()).await?;
    for row in &rows {
        let (score, breakdown) = stored(&models.account(&account_view(row)));
        if score != row.fit_score || breakdown != row.fit_breakdown {
            tenant.set_account_fit(row.id, score, breakdown).await?;
        }
    }
    Ok(Batch {
        count: rows.len() as u64,
        last: rows.last().map(|r| r.id),
    })
}

async fn score_contacts<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    models: &FitModels,
    after: Option<Uuid>,
) -> AppResult<Batch> {
    let mut query = tenant
        .select::<contact::Entity>()
        .order_by_asc(contact::Column::Id)
        .limit(BATCH);
    if let Some(after) = after {
        query = query.filter(contact::Column::Id.gt(after));
    }
    let rows = query.all(tenant.conn()).await?;
    let account_ids = crate::services::fit::account_ids(&rows);
    let accounts: std::collections::HashMap<Uuid, _> = tenant
        .get_many::<account::Entity>(&account_ids)
        .await?
        .iter()
        .map(|a| (a.id, account_view(a)))
        .collect();
    for row in &rows {
        let view = contact_view(row);
        let account = row.account_id.and_then(|id| accounts.get(&id));
        let (score, breakdown) = stored(&models.contact(&lead_view(row, &view, account)));
        if score != row.fit_score || breakdown != row.fit_breakdown {
            tenant.set_contact_fit(row.id, score, breakdown).await?;
        }
    }
    Ok(Batch {
        count: rows.len() as u64,
        last: rows.last().map(|r| r.id),
    })
}
