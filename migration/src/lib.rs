//! Schema migrations. Every migration runs on both SQLite and Postgres.

pub use sea_orm_migration::prelude::*;

mod helpers;
mod m20261123_000001_foundation;
mod m20261123_000002_revenue_model;
mod m20261123_000003_sort_indexes;
mod m20261123_000004_lead_lifecycle;
mod m20261123_000005_plays;
mod m20261123_000006_revenue_review;
mod m20261123_000007_webhooks;
mod m20261123_000008_opportunity_external_id;
mod m20261123_000009_metric_rollups;
mod m20261124_000010_deal_stays;
mod m20261206_000011_invitations;
mod m20261206_000012_trusted_documents;
mod m20261206_000013_lead_recycling;
mod m20261206_000014_goal_closing;
mod m20261206_000015_routing_rule_versions;
mod m20261206_000016_reevaluation;
mod m20261206_000017_unassigned_leads;
mod m20261206_000018_list_orderings;
mod m20261206_000019_settings_lists;
mod m20261206_000022_deal_competitor;
mod m20261206_000023_intel;
mod m20261206_000024_committee;
mod m20261206_000025_dashboard_reads;
mod m20261207_000026_market_facts;
mod m20261207_000027_history_by_contact;
mod m20261207_000028_lean_lead_indexes;
mod m20261207_000029_deal_credits;
mod m20261207_000030_account_suspects;
mod m20261207_000031_asset_reach;
mod m20261207_000032_won_deal_assets;

pub use m20261123_000009_metric_rollups::{
    backfill as backfill_metric_rollups, FIRST_TOUCHES as STAMP_FIRST_TOUCHES,
};
pub use m20261124_000010_deal_stays::STAY_ENDS as DEAL_STAY_ENDS;
pub use m20261207_000026_market_facts::backfill as backfill_market_facts;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_foundation::Migration),
            Box::new(m20261123_000002_revenue_model::Migration),
            Box::new(m20261123_000003_sort_indexes::Migration),
            Box::new(m20261123_000004_lead_lifecycle::Migration),
            Box::new(m20261123_000005_plays::Migration),
            Box::new(m20261123_000006_revenue_review::Migration),
            Box::new(m20261123_000007_webhooks::Migration),
            Box::new(m20261123_000008_opportunity_external_id::Migration),
            Box::new(m20261123_000009_metric_rollups::Migration),
            Box::new(m20261124_000010_deal_stays::Migration),
            Box::new(m20261206_000011_invitations::Migration),
            Box::new(m20261206_000012_trusted_documents::Migration),
            Box::new(m20261206_000013_lead_recycling::Migration),
            Box::new(m20261206_000014_goal_closing::Migration),
            Box::new(m20261206_000015_routing_rule_versions::Migration),
            Box::new(m20261206_000016_reevaluation::Migration),
            Box::new(m20261206_000017_unassigned_leads::Migration),
            Box::new(m20261206_000018_list_orderings::Migration),
            Box::new(m20261206_000019_settings_lists::Migration),
            Box::new(m20261206_000022_deal_competitor::Migration),
            Box::new(m20261206_000023_intel::Migration),
            Box::new(m20261206_000024_committee::Migration),
            Box::new(m20261206_000025_dashboard_reads::Migration),
            Box::new(m20261207_000026_market_facts::Migration),
            Box::new(m20261207_000027_history_by_contact::Migration),
            Box::new(m20261207_000028_lean_lead_indexes::Migration),
            Box::new(m20261207_000029_deal_credits::Migration),
            Box::new(m20261207_000030_account_suspects::Migration),
            Box::new(m20261207_000031_asset_reach::Migration),
            Box::new(m20261207_000032_won_deal_assets::Migration),
        ]
    }
}
