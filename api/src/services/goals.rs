//! Shared goals (seed 004, step 5): a metric, a target, a period and owners from both teams.

use chrono::{DateTime, Utc};
use entity::{goal, GoalMetric as StoredMetric, Role};
use sea_orm::{ActiveValue::Set, ConnectionTrait};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::{
    auth::{Actor, Credential},
    domain::{
        metrics::month_start,
        permissions::{role_allows, Permission},
        planning::{Goal, GoalMetric, GoalOwner, GoalProgress, Period, Team},
        validate,
    },
    error::{AppError, AppResult},
    services::{access, metrics::goal_progress, unit_of_work::UnitOfWork},
    state::AppState,
    store::{self, Tenant},
};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StoredOwner {
    user_id: Uuid,
    team: Team,
}

pub fn metric_of(stored: StoredMetric) -> GoalMetric {
    match stored {
        StoredMetric::SalesAcceptedPipeline => GoalMetric::SalesAcceptedPipeline,
        StoredMetric::MarketingSourcedClosedRevenue => GoalMetric::MarketingSourcedClosedRevenue,
        StoredMetric::MarketingInfluencedRevenue => GoalMetric::MarketingInfluencedRevenue,
        StoredMetric::ClosedWonRevenue => GoalMetric::ClosedWonRevenue,
        StoredMetric::PipelineCreated => GoalMetric::PipelineCreated,
        StoredMetric::Mqls => GoalMetric::Mqls,
        StoredMetric::Sals => GoalMetric::Sals,
        StoredMetric::MqlAcceptanceRate => GoalMetric::MqlAcceptanceRate,
        StoredMetric::WinRate => GoalMetric::WinRate,
        StoredMetric::SlaCompliance => GoalMetric::SlaCompliance,
    }
}

/// The team a member owns goals for, by the permission table (`OwnGoalForMarketing`,
/// `OwnGoalForSales`); members who may own neither have none.
fn team_of(role: Role) -> Option<Team> {
    if role_allows(role, Permission::OwnGoalForMarketing) {
        Some(Team::Marketing)
    } else if role_allows(role, Permission::OwnGoalForSales) {
        Some(Team::Sales)
    } else {
        None
    }
}

/// The domain goal of a stored row.
pub fn goal_of(row: &goal::Model) -> AppResult<Goal> {
    let owners: Vec<StoredOwner> =
        serde_json::from_value(row.owners.clone()).map_err(AppError::internal)?;
    Ok(Goal {
        metric: metric_of(row.metric),
        target: row.target,
        period: Period {
            start: row.period_start,
            months: u32::try_from(row.period_months).unwrap_or(1),
        },
        owners: owners
            .into_iter()
            .map(|o| GoalOwner {
                member_id: o.user_id,
                team: o.team,
            })
            .collect(),
    })
}

pub struct NewGoal {
    pub name: String,
    pub metric: StoredMetric,
    pub target: f64,
    pub period: Period,
    pub owner_ids: Vec<Uuid>,
}

/// What `updateGoal` changes: each field given replaces the goal's.
#[derive(Default)]
pub struct GoalChanges {
    pub name: Option<String>,
    pub metric: Option<StoredMetric>,
    pub target: Option<f64>,
    pub period: Option<Period>,
    pub owner_ids: Option<Vec<Uuid>>,
}

/// The owners named by `owner_ids`, each with the team their role owns goals for.
async fn owners_of<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    owner_ids: &[Uuid],
) -> AppResult<Vec<GoalOwner>> {
    // Every id first: one that names nobody here is NOT_FOUND whatever the others are.
    let mut members = Vec::with_capacity(owner_ids.len());
    for (i, user_id) in owner_ids.iter().enumerate() {
        let member = tenant
            .member_by_user(*user_id)
            .await?
            .ok_or(AppError::not_found_at("member", format!("ownerIds.{i}")))?;
        members.push(member);
    }
    let mut owners = Vec::with_capacity(members.len());
    for (i, member) in members.iter().enumerate() {
        let team = team_of(member.role).ok_or_else(|| {
            AppError::bad_input(
                format!("ownerIds.{i}"),
                "owners come from marketing (leader, marketer) or sales (leader, manager, rep)",
            )
        })?;
        owners.push(GoalOwner {
            member_id: member.user_id,
            team,
        });
    }
    Ok(owners)
}

/// The goal's rules ([`Goal::validate`]), their field named as the input names it.
fn checked(goal: &Goal) -> AppResult<()> {
    goal.validate().map_err(|err| {
        let field = if err.field == "owners" {
            "ownerIds".to_owned()
        } else {
            err.field
        };
        AppError::bad_input(field, err.message)
    })
}

fn stored_owners(goal: &Goal) -> serde_json::Value {
    let stored: Vec<StoredOwner> = goal
        .owners
        .iter()
        .map(|o| StoredOwner {
            user_id: o.member_id,
            team: o.team,
        })
        .collect();
    json!(stored)
}

/// Creates a goal; its owners' teams come from their roles, and both teams must be there.
pub async fn create<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    input: NewGoal,
    me: Uuid,
    now: DateTime<Utc>,
) -> AppResult<goal::Model> {
    let name = validate::required_text(&input.name, "name", 200)?;
    let owners = owners_of(tenant, &input.owner_ids).await?;
    let period = Period {
        start: month_start(input.period.start),
        months: input.period.months,
    };
    let goal = Goal {
        metric: metric_of(input.metric),
        target: input.target,
        period,
        owners,
    };
    checked(&goal)?;
    let row = goal::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(tenant.workspace_id()),
        name: Set(name),
        metric: Set(input.metric),
        target: Set(input.target),
        period_start: Set(period.start),
        period_months: Set(i32::try_from(period.months).unwrap_or(i32::MAX)),
        owners: Set(stored_owners(&goal)),
        created_by: Set(me),
        created_at: Set(now),
        closed_at: Set(None),
    };
    store::goals::insert(tenant, row).await
}

/// Checks that `actor` may edit or close `row` (`EditGoal`: those who set goals edit any, a
/// member who may own goals edits the goals naming them), and that it is still open.
async fn require_editable<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    actor: &Actor,
    row: &goal::Model,
) -> AppResult<Goal> {
    let goal = goal_of(row)?;
    let me = match actor.credential {
        Credential::User { user_id, .. } => Some(user_id),
        Credential::ApiToken { .. } => None,
    };
    let named = me.filter(|me| goal.owners.iter().any(|o| o.member_id == *me));
    access::require_on(tenant, actor, Permission::EditGoal, named).await?;
    if let Some(at) = row.closed_at {
        return Err(AppError::Conflict(format!(
            "this goal was closed at {}",
            at.to_rfc3339()
        )));
    }
    Ok(goal)
}

/// Changes an open goal (problems are named under `input`); the same rules as creating one.
pub async fn update_goal(
    state: &AppState,
    actor: &Actor,
    workspace_id: Uuid,
    id: Uuid,
    changes: GoalChanges,
) -> AppResult<GoalStatus> {
    let work = UnitOfWork::begin(state, workspace_id).await?;
    let tenant = work.tenant();
    let row = tenant.get_for_update::<goal::Entity>(id).await?;
    let mut goal = require_editable(&tenant, actor, &row).await?;
    let inside = |err: AppError| err.inside("input");
    let name = match &changes.name {
        Some(name) => Some(validate::required_text(name, "name", 200).map_err(inside)?),
        None => None,
    };
    if let Some(metric) = changes.metric {
        goal.metric = metric_of(metric);
    }
    if let Some(target) = changes.target {
        goal.target = target;
    }
    if let Some(period) = changes.period {
        goal.period = Period {
            start: month_start(period.start),
            months: period.months,
        };
    }
    if let Some(ids) = &changes.owner_ids {
        goal.owners = owners_of(&tenant, ids).await.map_err(inside)?;
    }
    checked(&goal).map_err(inside)?;
    let mut active = goal::ActiveModel::from(row);
    if let Some(name) = name {
        active.name = Set(name);
    }
    if let Some(metric) = changes.metric {
        active.metric = Set(metric);
    }
    active.target = Set(goal.target);
    active.period_start = Set(goal.period.start);
    active.period_months = Set(i32::try_from(goal.period.months).unwrap_or(i32::MAX));
    active.owners = Set(stored_owners(&goal));
    let saved = store::goals::update(&tenant, active).await?;
    work.commit().await?;
    status_of(&state.store.tenant(workspace_id), saved, state.clock.now()).await
}

/// Closes an open goal: it leaves the open lists and is no longer at risk. Closing it again is
/// a CONFLICT.
pub async fn close_goal(
    state: &AppState,
    actor: &Actor,
    workspace_id: Uuid,
    id: Uuid,
) -> AppResult<GoalStatus> {
    let now = state.clock.now();
    let work = UnitOfWork::begin(state, workspace_id).await?;
    let tenant = work.tenant();
    let row = tenant.get_for_update::<goal::Entity>(id).await?;
    require_editable(&tenant, actor, &row).await?;
    let saved = store::goals::close(&tenant, row, now).await?;
    work.commit().await?;
    status_of(&state.store.tenant(workspace_id), saved, now).await
}

/// Every open goal, latest period first.
pub async fn list<C: ConnectionTrait>(tenant: &Tenant<'_, C>) -> AppResult<Vec<goal::Model>> {
    store::goals::all(tenant).await
}

/// A goal as stored, as the domain sees it, and its attainment so far.
pub struct GoalStatus {
    pub row: goal::Model,
    pub goal: Goal,
    pub progress: GoalProgress,
    /// Behind its period at the time it was measured ([`crate::domain::planning::at_risk`]);
    /// a closed goal never is.
    pub at_risk: bool,
}

async fn status_of<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    row: goal::Model,
    as_of: DateTime<Utc>,
) -> AppResult<GoalStatus> {
    let goal = goal_of(&row)?;
    let progress = goal_progress(tenant, &goal, as_of).await?;
    let at_risk = row.closed_at.is_none()
        && crate::domain::planning::at_risk(&goal.period, progress.attainment, as_of);
    Ok(GoalStatus {
        row,
        goal,
        progress,
        at_risk,
    })
}

/// Every open goal with its attainment, latest period first.
pub async fn statuses(state: &AppState, workspace_id: Uuid) -> AppResult<Vec<GoalStatus>> {
    let tenant = state.store.tenant(workspace_id);
    let now = state.clock.now();
    let mut statuses = Vec::new();
    for row in list(&tenant).await? {
        statuses.push(status_of(&tenant, row, now).await?);
    }
    Ok(statuses)
}

/// A page of the goals `filter` picks, in the order asked, with their attainment.
pub async fn status_page(
    state: &AppState,
    workspace_id: Uuid,
    filter: &store::filters::GoalFilter,
    (sort, descending): (store::sorts::GoalSort, bool),
    args: store::keyset::PageArgs,
) -> AppResult<store::keyset::RowPage<GoalStatus>> {
    let tenant = state.store.tenant(workspace_id);
    let now = state.clock.now();
    let max = state.config.max_page_size;
    let page = store::lists::filtered(&tenant, filter, sort, descending, args, max).await?;
    let mut rows = Vec::with_capacity(page.rows.len());
    for (cursor, row) in page.rows {
        rows.push((cursor, status_of(&tenant, row, now).await?));
    }
    Ok(store::keyset::RowPage {
        rows,
        has_previous: page.has_previous,
        has_next: page.has_next,
        total_count: page.total_count,
    })
}

/// Creates a goal ([`create`]; problems are named under `input`) and measures it.
pub async fn create_goal(
    state: &AppState,
    workspace_id: Uuid,
    input: NewGoal,
    me: Uuid,
) -> AppResult<GoalStatus> {
    let work = UnitOfWork::begin(state, workspace_id).await?;
    let row = create(&work.tenant(), input, me, state.clock.now())
        .await
        .map_err(|err| err.inside("input"))?;
    work.commit().await?;
    status_of(&state.store.tenant(workspace_id), row, state.clock.now()).await
}
