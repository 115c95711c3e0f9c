use sea_orm::entity::prelude::*;

#[allow(unused_imports)]
use crate::*;

/// A person at an account: a lead once marketing has them.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "contacts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    /// Lower-case; unique per workspace when present.
    pub email: Option<String>,
    /// The partner system's id; unique per workspace when present.
    pub external_id: Option<String>,
    pub account_id: Option<Uuid>,
    pub name: Option<String>,
    pub title: Option<String>,
    pub persona: Option<String>,
    pub seniority: Option<String>,
    pub personal_email: bool,
    pub source_id: Option<Uuid>,
    pub source_detail: Option<String>,
    pub owner_id: Option<Uuid>,
    pub stage: LeadStage,
    /// 0-100 against the active ICP; 0 until one is active.
    pub fit_score: i32,
    pub fit_breakdown: Option<Json>,
    /// Behaviour points in the ledger, before decay (decay depends on when you look).
    pub engagement_score: i32,
    pub pql_score: i32,
    /// The last event that earned positive points; decay counts from here.
    pub last_engaged_at: Option<DateTimeUtc>,
    pub mql_kind: Option<MqlKind>,
    pub stage_changed_at: Option<DateTimeUtc>,
    pub assigned_at: Option<DateTimeUtc>,
    /// Why the lead went to its owner: the rule and the reason, as JSON.
    pub routing: Option<Json>,
    pub tags: Json,
    /// The contact asked not to be contacted: every play stops and none starts.
    pub opted_out_at: Option<DateTimeUtc>,
    pub custom: Json,
    /// The date a CHECK_BACK lead returns to its owner; cleared when it does.
    pub check_back_on: Option<Date>,
    /// The lead's recycling tag (FUTURE, RE_ENGAGE, CHECK_BACK), also one of its `tags`.
    pub recycle_tag: Option<String>,
    /// When this MQL, which no rep could take, started waiting in the unassigned queue;
    /// cleared when it is routed or assigned.
    pub waiting_since: Option<DateTimeUtc>,
    /// When the contact's latest event occurred, whatever its points; null while it has none.
    /// (`funnel_reach`, the furthest stage its history reached, is a column the stage history's
    /// writes keep and the entity leaves out: see migration 000026.)
    pub last_event_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
