//! The review meeting as stored: sessions, attendance and the decision log. Each change is one
//! unit of work and answers with the meeting as committed.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::{action_item, membership, revenue_review, review_decision, Role};
use sea_orm::{ActiveValue::Set, ConnectionTrait, IntoActiveModel};
use uuid::Uuid;

use crate::{
    domain::{
        metrics::{week_start, Range},
        permissions::{role_allows, Permission, NO_SEAT},
        review::{decisions_per_meeting, quorum, Attendance, Quorum, QuorumSide, Session},
        validate,
    },
    error::{AppError, AppResult},
    services::unit_of_work::UnitOfWork,
    state::AppState,
    store::{self, Tenant},
};

/// A session with everything recorded in it.
#[derive(Debug, Clone)]
pub struct Meeting {
    pub review: revenue_review::Model,
    pub attendance: Vec<(entity::review_attendance::Model, Role)>,
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

fn attendance_of((row, role): &(entity::review_attendance::Model, Role)) -> Attendance {
    let side = if role_allows(*role, Permission::HoldReviewQuorumForMarketing) {
        QuorumSide::Marketing
    } else if role_allows(*role, Permission::HoldReviewQuorumForSales) {
        QuorumSide::Sales
    } else {
        QuorumSide::Neither
    };
    Attendance {
        member_id: row.user_id,
        side,
        present: row.present,
    }
}

/// Opens the review of the week holding `week_of` (this week by default; one per week: CONFLICT
/// when it exists).
pub async fn start(
    state: &AppState,
    workspace_id: Uuid,
    week_of: Option<NaiveDate>,
    me: Uuid,
) -> AppResult<Meeting> {
    let now = state.clock.now();
    let work = UnitOfWork::begin(state, workspace_id).await?;
    let review = start_in(&work.tenant(), week_of.unwrap_or(now.date_naive()), me, now).await?;
    work.commit().await?;
    get(&state.store.tenant(workspace_id), review.id).await
}

async fn start_in<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    week_of: NaiveDate,
    me: Uuid,
    now: DateTime<Utc>,
) -> AppResult<revenue_review::Model> {
    let week_of = week_start(week_of);
    let exists = store::reviews::of_week(tenant, week_of).await?;
    if exists.is_some() {
        return Err(AppError::Conflict(format!(
            "the review of the week of {week_of} has already started"
        )));
    }
    let row = revenue_review::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(tenant.workspace_id()),
        week_of: Set(week_of),
        started_at: Set(now),
        started_by: Set(me),
        log_published_at: Set(None),
        log_published_by: Set(None),
    };
    store::reviews::insert(tenant, row).await
}

/// The meeting of the week holding `week_of`, if it was started.
pub async fn of_week<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    week_of: NaiveDate,
) -> AppResult<Option<Meeting>> {
    match store::reviews::of_week(tenant, week_start(week_of)).await? {
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
    let mut attendance = store::reviews::attendance_of(tenant, &ids).await?;
    let members = tenant.members().await?;
    let role_of = |user: Uuid| {
        members
            .iter()
            .find(|m| m.user_id == user)
            .map_or(NO_SEAT, |m| m.role)
    };
    let mut decisions = store::reviews::decisions_of(tenant, &ids).await?;
    let mut action_items = store::reviews::action_items_of(tenant, &ids).await?;
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
pub(super) async fn member<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    user_id: Uuid,
    field: &str,
) -> AppResult<membership::Model> {
    tenant
        .member_by_user(user_id)
        .await?
        .ok_or(AppError::not_found_at("member", field))
}

/// Records who was there (a second record for a person replaces the first): (user id, present).
pub async fn record_attendance(
    state: &AppState,
    workspace_id: Uuid,
    review_id: Uuid,
    entries: &[(Uuid, bool)],
) -> AppResult<Meeting> {
    let work = UnitOfWork::begin(state, workspace_id).await?;
    record_attendance_in(&work.tenant(), review_id, entries, state.clock.now()).await?;
    work.commit().await?;
    get(&state.store.tenant(workspace_id), review_id).await
}

async fn record_attendance_in<C: ConnectionTrait>(
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
        store::reviews::record_attendance(tenant, review_id, *user_id, *present, now).await?;
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
pub async fn record_decision(
    state: &AppState,
    workspace_id: Uuid,
    review_id: Uuid,
    decision: &str,
    me: Uuid,
) -> AppResult<Meeting> {
    let work = UnitOfWork::begin(state, workspace_id).await?;
    record_decision_in(&work.tenant(), review_id, decision, me, state.clock.now()).await?;
    work.commit().await?;
    get(&state.store.tenant(workspace_id), review_id).await
}

async fn record_decision_in<C: ConnectionTrait>(
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
    let row = review_decision::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(tenant.workspace_id()),
        review_id: Set(review_id),
        decision: Set(decision),
        recorded_by: Set(me),
        recorded_at: Set(now),
    };
    store::reviews::insert_decision(tenant, row).await
}

/// Publishes the decision log (once); it is late when published more than 24 hours after the
/// meeting started.
pub async fn publish_log(
    state: &AppState,
    workspace_id: Uuid,
    review_id: Uuid,
    me: Uuid,
) -> AppResult<Meeting> {
    let work = UnitOfWork::begin(state, workspace_id).await?;
    publish_log_in(&work.tenant(), review_id, me, state.clock.now()).await?;
    work.commit().await?;
    get(&state.store.tenant(workspace_id), review_id).await
}

async fn publish_log_in<C: ConnectionTrait>(
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
    store::reviews::save(tenant, review).await?;
    Ok(())
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
    let reviews = store::reviews::started_since(tenant, range.from).await?;
    let sessions: Vec<_> = load_many(tenant, reviews)
        .await?
        .iter()
        .map(Meeting::session)
        .collect();
    Ok(decisions_per_meeting(&sessions, &range)?)
}
