//! Shared goals (seed 004, step 5): a metric, a target, a period and owners from both teams.

use chrono::{DateTime, Utc};
use entity::{goal, GoalMetric as StoredMetric, Role};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, QueryOrder};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::{
    domain::{
        metrics::month_start,
        planning::{Goal, GoalMetric, GoalOwner, Period, Team},
        validate,
    },
    error::{AppError, AppResult},
    store::Tenant,
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

/// The team a role belongs to; leaders, managers and reps have one, the others do not.
fn team_of(role: Role) -> Option<Team> {
    match role {
        Role::MarketingLeader | Role::Marketer => Some(Team::Marketing),
        Role::SalesLeader | Role::SalesManager | Role::Rep => Some(Team::Sales),
        _ => None,
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

/// Creates a goal; its owners' teams come from their roles, and both teams must be there.
pub async fn create<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    input: NewGoal,
    me: Uuid,
    now: DateTime<Utc>,
) -> AppResult<goal::Model> {
    let name = validate::required_text(&input.name, "name", 200)?;
    // Every id first: one that names nobody here is NOT_FOUND whatever the others are.
    let mut members = Vec::with_capacity(input.owner_ids.len());
    for (i, user_id) in input.owner_ids.iter().enumerate() {
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
    goal.validate().map_err(|err| {
        let field = if err.field == "owners" {
            "ownerIds".to_owned()
        } else {
            err.field
        };
        AppError::bad_input(field, err.message)
    })?;
    let stored: Vec<StoredOwner> = goal
        .owners
        .iter()
        .map(|o| StoredOwner {
            user_id: o.member_id,
            team: o.team,
        })
        .collect();
    Ok(goal::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(tenant.workspace_id()),
        name: Set(name),
        metric: Set(input.metric),
        target: Set(input.target),
        period_start: Set(period.start),
        period_months: Set(i32::try_from(period.months).unwrap_or(i32::MAX)),
        owners: Set(json!(stored)),
        created_by: Set(me),
        created_at: Set(now),
    }
    .insert(tenant.conn())
    .await?)
}

/// Every goal, latest period first.
pub async fn list<C: ConnectionTrait>(tenant: &Tenant<'_, C>) -> AppResult<Vec<goal::Model>> {
    Ok(tenant
        .select::<goal::Entity>()
        .order_by_desc(goal::Column::PeriodStart)
        .order_by_asc(goal::Column::Id)
        .all(tenant.conn())
        .await?)
}
