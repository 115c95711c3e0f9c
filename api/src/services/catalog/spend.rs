//! `recordSpend`: what a source or a campaign cost in a month.

use async_graphql::{InputObject, ID};
use chrono::Utc;
use entity::{campaign, spend};
use uuid::Uuid;

use super::checked_source;
use crate::{
    domain::validate,
    error::{AppError, AppResult},
    services::unit_of_work::UnitOfWork,
    state::AppState,
    store::catalog,
};

/// Spend of one source or one campaign in one month; recording again replaces the amount.
#[derive(InputObject)]
pub struct SpendInput {
    pub source_id: Option<ID>,
    pub campaign_id: Option<ID>,
    /// `YYYY-MM`.
    pub month: String,
    pub amount: f64,
    /// ISO 4217; defaults to USD.
    pub currency: Option<String>,
}

/// Records what a source or a campaign cost in a month, replacing an earlier figure.
pub async fn record_spend(
    state: &AppState,
    workspace_id: Uuid,
    input: SpendInput,
) -> AppResult<spend::Model> {
    let month = validate::month(&input.month, "input.month")?;
    let amount = validate::non_negative_amount(input.amount, "input.amount")?;
    let currency =
        validate::currency(input.currency.as_deref().unwrap_or("USD"), "input.currency")?;
    let work = UnitOfWork::begin(state, workspace_id).await?;
    let tenant = work.tenant();
    let source_id = match &input.source_id {
        Some(raw) => Some(checked_source(&tenant, raw, "input.sourceId").await?),
        None => None,
    };
    let campaign_id = match &input.campaign_id {
        Some(raw) => Some(
            tenant
                .referenced::<campaign::Entity>(raw, "input.campaignId")
                .await?
                .id,
        ),
        None => None,
    };
    if source_id.is_some() == campaign_id.is_some() {
        return Err(AppError::bad_input(
            "input.sourceId",
            "name either a source or a campaign",
        ));
    }
    let row = match tenant.spend_row(source_id, campaign_id, &month).await? {
        Some(mut row) => {
            row.amount = amount;
            row.currency = currency;
            row.recorded_at = Utc::now();
            catalog::save_spend(&tenant, row).await?
        }
        None => {
            let row = spend::Model {
                id: Uuid::now_v7(),
                workspace_id,
                source_id,
                campaign_id,
                month,
                amount,
                currency,
                recorded_at: Utc::now(),
            };
            catalog::insert_spend(&tenant, row).await?
        }
    };
    work.commit().await?;
    Ok(row)
}
