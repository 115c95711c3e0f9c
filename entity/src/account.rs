use sea_orm::entity::prelude::*;

#[allow(unused_imports)]
use crate::*;

/// A target company and its firmographics.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "accounts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    /// Lower-case registrable domain; unique per workspace.
    pub domain: String,
    pub name: String,
    pub industry: Option<String>,
    pub employees: Option<i64>,
    pub annual_revenue: Option<f64>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    pub region: Option<String>,
    pub technologies: Json,
    pub custom: Json,
    pub segment: Option<String>,
    pub tier: Option<String>,
    pub lifecycle: Lifecycle,
    pub named_account: bool,
    pub owner_id: Option<Uuid>,
    /// 0-100 against the active ICP; 0 until one is active.
    pub fit_score: i32,
    pub fit_breakdown: Option<Json>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
