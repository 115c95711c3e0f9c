//! The weekly revenue review (seed 004, step 4): its agenda from the numbers, the meeting's
//! record, and the messaging tests it reports on.

mod agenda;
pub mod meeting;

use chrono::{DateTime, Utc};
use entity::{asset, messaging_test};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait};
use serde_json::json;
use uuid::Uuid;

pub use agenda::{agenda_of, test_with_counts};

use crate::{
    domain::validate,
    error::{AppError, AppResult},
    store::Tenant,
};

/// A messaging test to create: two or more labelled variants, each an asset.
pub struct NewTest {
    pub name: String,
    pub variants: Vec<(String, async_graphql::ID)>,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
}

pub async fn create_test<C: ConnectionTrait>(
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
    Ok(messaging_test::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(tenant.workspace_id()),
        name: Set(name),
        variants: Set(json!(variants)),
        started_at: Set(test.started_at),
        ended_at: Set(test.ended_at),
        created_by: Set(me),
        created_at: Set(now),
    }
    .insert(tenant.conn())
    .await?)
}
