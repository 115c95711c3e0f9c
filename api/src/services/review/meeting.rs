//! The review meeting as stored: sessions, attendance, the decision log, action items.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::{action_item, membership, revenue_review, review_attendance, review_decision, Role};
use sea_orm::{
    sea_query::OnConflict, ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait,
    EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use crate::{
    domain::{
        metrics::{week_start, Range},
        review::{decisions_per_meeting, quorum, Attendance, Quorum, ReviewRole, Session},
        validate,
    },
    error::{AppError, AppResult},
    store::Tenant,
};

/// A session with everything recorded in it.
#[derive(Debug, Clone)]
pub struct Meeting {
    pub review: revenue_review::Model,
    pub attendance: Vec<(review_attendance::Model, Role)>,
    pub decisions: Vec<review_decision::Model>,
    pub action_items: Vec<action_item::Model>,
}

impl Meeting {
    pub fn quorum(&self) -> Quorum {
        quorum(
            &self
                .attendance
                .iter()
                .map(attendance_of)
                .collect::<Vec<_>>(),
        )
    }

    pub fn session(&self) -> Session {
        Session {
            started_at: self.review.started_at,
            ended_at: None,
            log_published_at: self.review.log_published_at,
            quorum: self.quorum(),
            decisions: self.decisions.len() as u32,
        }
    }
}

fn attendance_of((row, role): &(review_attendance::Model, Role)) -> Attendance {
    Attendance {
        member_id: row.user_id,
        role: match role {
            Role::MarketingLeader => ReviewRole::MarketingLeader,
            Role::SalesLeader => ReviewRole::SalesLeader,
            _ => ReviewRole::Other,
        },
        present: row.present,
    }
}

/// Opens the review of the week holding `week_of` (one per week: CONFLICT when it exists).
pub async fn start<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    week_of: NaiveDate,
    me: Uuid,
    now: DateTime<Utc>,
) -> AppResult<revenue_review::Model> {
    let week_of = week_start(week_of);
    let exists = tenant
        .select::<revenue_review::Entity>()
        .filter(revenue_review::Column::WeekOf.eq(week_of))
        .one(tenant.conn())
        .await?;
    if exists.is_some() {
        return Err(AppError::Conflict(format!(
            "the review of the week of {week_of} has already started"
        )));
    }
    Ok(revenue_review::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(tenant.workspace_id()),
        week_of: Set(week_of),
        started_at: Set(now),
        started_by: Set(me),
        log_published_at: Set(None),
        log_published_by: Set(None),
    }
    .insert(tenant.conn())
    .await?)
}

/// The meeting of the week holding `week_of`, if it was started.
pub async fn of_week<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    week_of: NaiveDate,
) -> AppResult<Option<Meeting>> {
    let review = tenant
        .select::<revenue_review::Entity>()
        .filter(revenue_review::Column::WeekOf.eq(week_start(week_of)))
        .one(tenant.conn())
        .await?;
    match review {
        Some(review) => Ok(Some(load(tenant, review).await?)),
        None => Ok(None),
    }
}

/// The meeting `id`, NOT_FOUND when it is not this workspace's.
pub async fn get<C: ConnectionTrait>(tenant: &Tenant<'_, C>, id: Uuid) -> AppResult<Meeting> {
    let review = tenant.get::<revenue_review::Entity>(id).await?;
    load(tenant, review).await
}

async fn load<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    review: revenue_review::Model,
) -> AppResult<Meeting> {
    let mut meetings = load_many(tenant, vec![review]).await?;
    Ok(meetings.remove(0))
}

/// The meetings of `reviews` with their attendance, decisions and action items, in four
/// statements whatever their number.
async fn load_many<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    reviews: Vec<revenue_review::Model>,
) -> AppResult<Vec<Meeting>> {
    if reviews.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = reviews.iter().map(|r| r.id).collect();
    let mut attendance = tenant
        .select::<review_attendance::Entity>()
        .filter(review_attendance::Column::ReviewId.is_in(ids.iter().copied()))
        .order_by_asc(review_attendance::Column::RecordedAt)
        .all(tenant.conn())
        .await?;
    let members = tenant.members().await?;
    let role_of = |user: Uuid| {
        members
            .iter()
            .find(|m| m.user_id == user)
            .map_or(Role::Viewer, |m| m.role)
    };
    let mut decisions = tenant
        .select::<review_decision::Entity>()
        .filter(review_decision::Column::ReviewId.is_in(ids.iter().copied()))
        .order_by_asc(review_decision::Column::RecordedAt)
        .all(tenant.conn())
        .await?;
    let mut action_items = tenant
        .select::<action_item::Entity>()
        .filter(action_item::Column::ReviewId.is_in(ids.iter().copied()))
        .order_by_asc(action_item::Column::CreatedAt)
        .all(tenant.conn())
        .await?;
    Ok(reviews
        .into_iter()
        .map(|review| {
            let id = review.id;
            let attendance = take_where(&mut attendance, |row| row.review_id == id)
                .into_iter()
                .map(|row| {
                    let role = role_of(row.user_id);
                    (row, role)
                })
                .collect();
            Meeting {
                review,
                attendance,
                decisions: take_where(&mut decisions, |row| row.review_id == id),
                action_items: take_where(&mut action_items, |row| row.review_id == Some(id)),
            }
        })
        .collect())
}

/// Moves the rows `keep` picks out of `rows`, in order.
fn take_where<T>(rows: &mut Vec<T>, keep: impl Fn(&T) -> bool) -> Vec<T> {
    let (taken, rest): (Vec<T>, Vec<T>) = std::mem::take(rows).into_iter().partition(keep);
    *rows = rest;
    taken
}

/// A member of this workspace named by user id in an input, NOT_FOUND at `field` otherwise.
async fn member<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    user_id: Uuid,
    field: &str,
) -> AppResult<membership::Model> {
    tenant
        .member_by_user(user_id)
        .await?
        .ok_or(AppError::not_found_at("member", field))
}

/// Records who was there (a second record for a person replaces the first).
pub async fn record_attendance<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    review_id: Uuid,
    entries: &[(Uuid, bool)],
    now: DateTime<Utc>,
) -> AppResult<()> {
    tenant.get::<revenue_review::Entity>(review_id).await?;
    if entries.is_empty() {
        return Err(AppError::bad_input(
            "attendance",
            "name at least one person",
        ));
    }
    for (i, (user_id, _)) in entries.iter().enumerate() {
        member(tenant, *user_id, &format!("attendance.{i}.userId")).await?;
    }
    for (user_id, present) in entries {
        review_attendance::Entity::insert(review_attendance::ActiveModel {
            id: Set(Uuid::now_v7()),
            workspace_id: Set(tenant.workspace_id()),
            review_id: Set(review_id),
            user_id: Set(*user_id),
            present: Set(*present),
            recorded_at: Set(now),
        })
        .on_conflict(
            OnConflict::columns([
                review_attendance::Column::WorkspaceId,
                review_attendance::Column::ReviewId,
                review_attendance::Column::UserId,
            ])
            .update_columns([
                review_attendance::Column::Present,
                review_attendance::Column::RecordedAt,
            ])
            .to_owned(),
        )
        .exec(tenant.conn())
        .await?;
    }
    Ok(())
}

fn require_quorum(meeting: &Meeting) -> AppResult<()> {
    if meeting.quorum().met() {
        Ok(())
    } else {
        Err(AppError::Conflict(
            "no quorum: record the attendance of the marketing leader or the sales leader first \
             (without both, there is no meeting)"
                .into(),
        ))
    }
}

/// Adds a decision to the log; only a meeting with its quorum decides.
pub async fn record_decision<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    review_id: Uuid,
    decision: &str,
    me: Uuid,
    now: DateTime<Utc>,
) -> AppResult<review_decision::Model> {
    let decision = validate::required_text(decision, "decision", 2_000)?;
    let meeting = get(tenant, review_id).await?;
    require_quorum(&meeting)?;
    if meeting.review.log_published_at.is_some() {
        return Err(AppError::Conflict(
            "the decision log of this review is already published".into(),
        ));
    }
    Ok(review_decision::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(tenant.workspace_id()),
        review_id: Set(review_id),
        decision: Set(decision),
        recorded_by: Set(me),
        recorded_at: Set(now),
    }
    .insert(tenant.conn())
    .await?)
}

/// Publishes the decision log (once); it is late when published more than 24 hours after the
/// meeting started.
pub async fn publish_log<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    review_id: Uuid,
    me: Uuid,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let meeting = get(tenant, review_id).await?;
    require_quorum(&meeting)?;
    if meeting.review.log_published_at.is_some() {
        return Err(AppError::Conflict(
            "the decision log of this review is already published".into(),
        ));
    }
    let mut review = meeting.review.into_active_model();
    review.log_published_at = Set(Some(now));
    review.log_published_by = Set(Some(me));
    review.update(tenant.conn()).await?;
    Ok(())
}

/// What an action item asks, of whom, by when.
pub struct NewActionItem {
    pub review_id: Option<Uuid>,
    pub title: String,
    pub owner_id: Uuid,
    pub due_at: Option<DateTime<Utc>>,
}

pub async fn create_action_item<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    item: NewActionItem,
    me: Uuid,
    now: DateTime<Utc>,
) -> AppResult<action_item::Model> {
    let title = validate::required_text(&item.title, "title", 500)?;
    if let Some(review_id) = item.review_id {
        tenant
            .get::<revenue_review::Entity>(review_id)
            .await
            .map_err(|err| err.at_field("reviewId"))?;
    }
    member(tenant, item.owner_id, "ownerId").await?;
    if item.due_at.is_some_and(|due| due <= now) {
        return Err(AppError::bad_input("dueAt", "must be in the future"));
    }
    Ok(action_item::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(tenant.workspace_id()),
        review_id: Set(item.review_id),
        title: Set(title),
        owner_id: Set(item.owner_id),
        due_at: Set(item.due_at),
        created_by: Set(me),
        created_at: Set(now),
        completed_at: Set(None),
        completed_by: Set(None),
    }
    .insert(tenant.conn())
    .await?)
}

/// Completes an action item: its owner may, and so may whoever runs the review.
pub async fn complete_action_item<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    id: Uuid,
    me: Uuid,
    runs_reviews: bool,
    now: DateTime<Utc>,
) -> AppResult<action_item::Model> {
    let item = tenant.get::<action_item::Entity>(id).await?;
    if item.owner_id != me && !runs_reviews {
        return Err(AppError::forbidden(
            "only the item's owner or whoever runs the review may complete it",
        ));
    }
    if item.completed_at.is_some() {
        return Err(AppError::Conflict(
            "the action item is already complete".into(),
        ));
    }
    let mut row = item.into_active_model();
    row.completed_at = Set(Some(now));
    row.completed_by = Set(Some(me));
    Ok(row.update(tenant.conn()).await?)
}

/// Open action items, oldest first.
pub async fn open_action_items<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
) -> AppResult<Vec<action_item::Model>> {
    Ok(tenant
        .select::<action_item::Entity>()
        .filter(action_item::Column::CompletedAt.is_null())
        .order_by_asc(action_item::Column::CreatedAt)
        .all(tenant.conn())
        .await?)
}

/// Decisions per meeting over the quarter (13 weeks) up to `as_of`.
pub async fn decisions_per_quarter<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    as_of: DateTime<Utc>,
) -> AppResult<Option<f64>> {
    let range = Range {
        from: as_of - Duration::weeks(13),
        to: as_of + Duration::seconds(1),
    };
    let reviews = tenant
        .select::<revenue_review::Entity>()
        .filter(revenue_review::Column::StartedAt.gte(range.from))
        .all(tenant.conn())
        .await?;
    let sessions: Vec<_> = load_many(tenant, reviews)
        .await?
        .iter()
        .map(Meeting::session)
        .collect();
    Ok(decisions_per_meeting(&sessions, &range)?)
}
