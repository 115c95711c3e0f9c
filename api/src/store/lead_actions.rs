//! The rows a lead action writes besides its history: the lead itself, and the deal a
//! conversion opens.

use chrono::{DateTime, NaiveDate, Utc};
use entity::{contact, opportunity, OpportunityStage};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, EntityTrait, IntoActiveModel};
use uuid::Uuid;

use super::Tenant;
use crate::error::AppResult;

/// Writes every column of the (locked) lead back.
pub async fn save_lead<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    lead: contact::Model,
) -> AppResult<contact::Model> {
    Ok(lead
        .into_active_model()
        .reset_all()
        .update(tenant.conn())
        .await?)
}

/// The deal a conversion opens, in DISCOVERY.
pub struct NewDeal {
    pub name: String,
    pub amount: f64,
    pub currency: String,
    pub close_date: Option<NaiveDate>,
    pub account_id: Uuid,
    /// The converted lead: the deal's primary contact and origin.
    pub lead_id: Uuid,
    pub source_id: Option<Uuid>,
    pub owner_id: Option<Uuid>,
    pub at: DateTime<Utc>,
}

/// Inserts the deal a conversion opens.
pub async fn open_deal<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    deal: NewDeal,
) -> AppResult<opportunity::Model> {
    Ok(opportunity::Entity::insert(opportunity::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(tenant.workspace_id()),
        name: Set(deal.name),
        account_id: Set(deal.account_id),
        primary_contact_id: Set(Some(deal.lead_id)),
        lead_id: Set(Some(deal.lead_id)),
        source_id: Set(deal.source_id),
        owner_id: Set(deal.owner_id),
        amount: Set(deal.amount),
        currency: Set(deal.currency),
        stage: Set(OpportunityStage::Discovery),
        close_date: Set(deal.close_date),
        lost_reason: Set(None),
        competitor: Set(None),
        created_at: Set(deal.at),
        closed_at: Set(None),
        stage_changed_at: Set(Some(deal.at)),
        external_id: Set(None),
    })
    .exec_with_returning(tenant.conn())
    .await?)
}
