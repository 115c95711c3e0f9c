//! The weekly revenue review (seed 004, step 4): its agenda from the numbers, the meeting's
//! record, and the messaging tests it reports on.

pub mod action_items;
mod agenda;
pub mod meeting;

use chrono::{DateTime, NaiveDate, Utc};
use entity::{action_item, asset, messaging_test};
use sea_orm::{ActiveValue::Set, ConnectionTrait};
use serde_json::json;
use uuid::Uuid;

pub use agenda::{agenda_of, test_with_counts};

use crate::{
    domain::{
        review::{Agenda, MessagingTest},
        validate,
    },
    error::{AppError, AppResult},
    services::unit_of_work::UnitOfWork,
    state::AppState,
    store::{self, Tenant},
};
use meeting::Meeting;

/// The review of one week as read at `as_of`: its agenda, its meeting (once started) and the
/// review's own metrics.
pub struct Review {
    pub as_of: DateTime<Utc>,
    pub agenda: Agenda,
    pub meeting: Option<Meeting>,
    /// Open action items created more than two weeks ago, oldest first.
    pub stale_action_items: Vec<action_item::Model>,
    /// Decisions recorded / meetings held (with quorum) over the last 13 weeks.
    pub decisions_per_meeting: Option<f64>,
}

/// The review of the week holding `week_of` (this week by default).
pub async fn of_week(
    state: &AppState,
    workspace_id: Uuid,
    week_of: Option<NaiveDate>,
) -> AppResult<Review> {
    let now = state.clock.now();
    let week_of = week_of.unwrap_or(now.date_naive());
    let tenant = state.store.tenant(workspace_id);
    let agenda = agenda_of(&tenant, week_of, now).await?;
    let meeting = meeting::of_week(&tenant, week_of).await?;
    let stale_action_items = action_items::stale(&tenant, now).await?;
    Ok(Review {
        as_of: now,
        agenda,
        meeting,
        stale_action_items,
        decisions_per_meeting: meeting::decisions_per_quarter(&tenant, now).await?,
    })
}

/// Every messaging test, most recent first, with its variants' counts so far.
pub async fn tests(
    state: &AppState,
    workspace_id: Uuid,
) -> AppResult<Vec<(messaging_test::Model, MessagingTest)>> {
    let tenant = state.store.tenant(workspace_id);
    let now = state.clock.now();
    let rows = store::reviews::tests(&tenant).await?;
    let mut tests = Vec::with_capacity(rows.len());
    for row in rows {
        let test = test_with_counts(&tenant, &row, now).await?;
        tests.push((row, test));
    }
    Ok(tests)
}

/// A page of the messaging tests `filter` picks, in the order asked, each with its counts so
/// far.
pub async fn test_page(
    state: &AppState,
    workspace_id: Uuid,
    filter: &store::filters::MessagingTestFilter,
    (sort, descending): (store::sorts::MessagingTestSort, bool),
    args: store::keyset::PageArgs,
) -> AppResult<store::keyset::RowPage<(messaging_test::Model, MessagingTest)>> {
    let tenant = state.store.tenant(workspace_id);
    let now = state.clock.now();
    let max = state.config.max_page_size;
    let page = store::lists::filtered(&tenant, filter, sort, descending, args, max).await?;
    let mut rows = Vec::with_capacity(page.rows.len());
    for (cursor, row) in page.rows {
        let test = test_with_counts(&tenant, &row, now).await?;
        rows.push((cursor, (row, test)));
    }
    Ok(store::keyset::RowPage {
        rows,
        has_previous: page.has_previous,
        has_next: page.has_next,
        total_count: page.total_count,
    })
}

/// Ends a running messaging test now, with its result as measured; CONFLICT when it has
/// already ended.
pub async fn end_test(
    state: &AppState,
    workspace_id: Uuid,
    id: Uuid,
) -> AppResult<(messaging_test::Model, MessagingTest)> {
    let work = UnitOfWork::begin(state, workspace_id).await?;
    let tenant = work.tenant();
    let row = tenant.get::<messaging_test::Entity>(id).await?;
    if row.ended_at.is_some() {
        return Err(AppError::Conflict("the test has already ended".into()));
    }
    let now = state.clock.now();
    let mut active: messaging_test::ActiveModel = row.into();
    active.ended_at = Set(Some(now));
    let saved = store::reviews::save_test(&tenant, active).await?;
    work.commit().await?;
    let counted = test_with_counts(&state.store.tenant(workspace_id), &saved, now).await?;
    Ok((saved, counted))
}

/// Creates a messaging test (problems are named under `input`), with its counts so far.
pub async fn start_test(
    state: &AppState,
    workspace_id: Uuid,
    test: NewTest,
    me: Uuid,
) -> AppResult<(messaging_test::Model, MessagingTest)> {
    let work = UnitOfWork::begin(state, workspace_id).await?;
    let row = create_test(&work.tenant(), test, me, state.clock.now())
        .await
        .map_err(|err| err.inside("input"))?;
    work.commit().await?;
    let counted =
        test_with_counts(&state.store.tenant(workspace_id), &row, state.clock.now()).await?;
    Ok((row, counted))
}

/// A messaging test to create: two or more labelled variants, each an asset.
pub struct NewTest {
    pub name: String,
    pub variants: Vec<(String, async_graphql::ID)>,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
}

async fn create_test<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    test: NewTest,
    me: Uuid,
    now: DateTime<Utc>,
) -> AppResult<messaging_test::Model> {
    let name = validate::required_text(&test.name, "name", 200)?;
    if test.variants.len() < 2 {
        return Err(AppError::bad_input(
            "variants",
            "a test compares at least two variants",
        ));
    }
    if test.ended_at.is_some_and(|end| end <= test.started_at) {
        return Err(AppError::bad_input(
            "endedAt",
            "must be later than startedAt",
        ));
    }
    let mut variants = Vec::with_capacity(test.variants.len());
    for (i, (label, asset_id)) in test.variants.iter().enumerate() {
        let label = validate::required_text(label, &format!("variants.{i}.label"), 100)?;
        if variants
            .iter()
            .any(|v: &serde_json::Value| v["label"] == label.as_str())
        {
            return Err(AppError::bad_input(
                format!("variants.{i}.label"),
                "labels must differ",
            ));
        }
        let asset = tenant
            .referenced::<asset::Entity>(asset_id, &format!("variants.{i}.assetId"))
            .await?;
        variants.push(json!({"label": label, "assetId": asset.id}));
    }
    let row = messaging_test::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(tenant.workspace_id()),
        name: Set(name),
        variants: Set(json!(variants)),
        started_at: Set(test.started_at),
        ended_at: Set(test.ended_at),
        created_by: Set(me),
        created_at: Set(now),
    };
    store::reviews::insert_test(tenant, row).await
}
