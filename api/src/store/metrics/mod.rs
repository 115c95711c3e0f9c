//! The reads behind the dashboards' numbers: each loads the facts of one span of time through
//! an index, and the services hand them to the pure domain.

pub mod assets;
pub mod attribution;
pub mod coverage;
mod deals;
mod funnel;
mod history;
mod medians;
mod sales;
pub mod scorecard;
pub mod win_loss;

pub use deals::{open_pipeline, opportunities, DealNeeds};
pub use funnel::{median_stage_entry, stage_counts, stays_in, StageCounts, StayRow};
pub use history::{mid_funnel_stays, stage_entries, StageRow};
pub use medians::lower_median_stays;
pub use sales::{
    clocks_due, closed_deals_since, first_touch_assignments, mql_entries, rejections_in,
    spend_between, within, Assignment,
};
