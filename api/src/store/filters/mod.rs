//! The filters lists expose, turned into workspace-scoped selects.

use chrono::{DateTime, Utc};
use entity::{
    account, action_item, asset, cadence, campaign, contact, icp, routing_rule, source, webhook,
    AssetKind, FunnelStage, IcpMotion, LeadStage, Lifecycle, RoutingRuleStatus, SourceKind,
    VersionStatus, WebhookStatus,
};
use sea_orm::{
    sea_query::{Expr, ExprTrait, Func, Query, SimpleExpr},
    ColumnTrait, Condition, ConnectionTrait, DbBackend, QueryFilter, Select,
};
use uuid::Uuid;

mod settings;

pub use settings::*;

use super::{lists::ListFilter, Tenant};

/// A case-insensitive substring condition on any of `columns`.
fn search<C: ColumnTrait>(columns: &[C], text: &str) -> Condition {
    let pattern = format!("%{}%", text.trim().to_lowercase().replace(['%', '_'], ""));
    columns.iter().fold(Condition::any(), |any, column| {
        any.add(Expr::expr(Func::lower(Expr::col(*column))).like(pattern.clone()))
    })
}

/// A case-insensitive substring of the name, when one is given.
fn name_contains<C: ColumnTrait>(column: C, text: &Option<String>) -> Condition {
    match text.as_deref().filter(|t| !t.trim().is_empty()) {
        Some(text) => search(&[column], text),
        None => Condition::all(),
    }
}

#[derive(Debug, Default, Clone)]
pub struct SourceFilter {
    pub name_contains: Option<String>,
    pub kind: Option<Vec<SourceKind>>,
    pub paused: Option<bool>,
}

impl ListFilter<source::Entity> for SourceFilter {
    fn condition(&self) -> Condition {
        use source::Column as S;
        let mut all = Condition::all().add(name_contains(S::Name, &self.name_contains));
        if let Some(kind) = &self.kind {
            all = all.add(S::Kind.is_in(kind.iter().copied()));
        }
        if let Some(paused) = self.paused {
            all = all.add(S::Paused.eq(paused));
        }
        all
    }
}

#[derive(Debug, Default, Clone)]
pub struct CampaignFilter {
    pub name_contains: Option<String>,
    pub source_id: Option<Uuid>,
}

impl ListFilter<campaign::Entity> for CampaignFilter {
    fn condition(&self) -> Condition {
        use campaign::Column as Ca;
        let mut all = Condition::all().add(name_contains(Ca::Name, &self.name_contains));
        if let Some(source) = self.source_id {
            all = all.add(Ca::SourceId.eq(source));
        }
        all
    }
}

#[derive(Debug, Default, Clone)]
pub struct AssetFilter {
    pub name_contains: Option<String>,
    pub kind: Option<Vec<AssetKind>>,
    pub funnel_stage: Option<Vec<FunnelStage>>,
}

impl ListFilter<asset::Entity> for AssetFilter {
    fn condition(&self) -> Condition {
        use asset::Column as As;
        let mut all = Condition::all().add(name_contains(As::Name, &self.name_contains));
        if let Some(kind) = &self.kind {
            all = all.add(As::Kind.is_in(kind.iter().copied()));
        }
        if let Some(stage) = &self.funnel_stage {
            all = all.add(As::FunnelStage.is_in(stage.iter().copied()));
        }
        all
    }
}

#[derive(Debug, Default, Clone)]
pub struct CadenceFilter {
    pub name_contains: Option<String>,
}

impl ListFilter<cadence::Entity> for CadenceFilter {
    fn condition(&self) -> Condition {
        name_contains(cadence::Column::Name, &self.name_contains)
    }
}

#[derive(Debug, Default, Clone)]
pub struct IcpFilter {
    pub name_contains: Option<String>,
    pub status: Option<Vec<VersionStatus>>,
    pub motion: Option<Vec<IcpMotion>>,
}

impl ListFilter<icp::Entity> for IcpFilter {
    fn condition(&self) -> Condition {
        use icp::Column as I;
        let mut all = Condition::all().add(name_contains(I::Name, &self.name_contains));
        if let Some(status) = &self.status {
            all = all.add(I::Status.is_in(status.iter().copied()));
        }
        if let Some(motion) = &self.motion {
            all = all.add(I::Motion.is_in(motion.iter().copied()));
        }
        all
    }
}

#[derive(Debug, Default, Clone)]
pub struct RoutingRuleFilter {
    pub name_contains: Option<String>,
    pub status: Option<Vec<RoutingRuleStatus>>,
}

impl ListFilter<routing_rule::Entity> for RoutingRuleFilter {
    fn condition(&self) -> Condition {
        use routing_rule::Column as R;
        let mut all = Condition::all().add(name_contains(R::Name, &self.name_contains));
        if let Some(status) = &self.status {
            all = all.add(R::Status.is_in(status.iter().copied()));
        }
        all
    }
}

#[derive(Debug, Default, Clone)]
pub struct ActionItemFilter {
    pub title_contains: Option<String>,
    pub owner_id: Option<Uuid>,
    /// Only the ones not yet completed.
    pub open_only: bool,
}

impl ListFilter<action_item::Entity> for ActionItemFilter {
    fn condition(&self) -> Condition {
        use action_item::Column as Ai;
        let mut all = Condition::all().add(name_contains(Ai::Title, &self.title_contains));
        if let Some(owner) = self.owner_id {
            all = all.add(Ai::OwnerId.eq(owner));
        }
        if self.open_only {
            all = all.add(Ai::CompletedAt.is_null());
        }
        all
    }
}

#[derive(Debug, Default, Clone)]
pub struct WebhookFilter {
    pub url_contains: Option<String>,
    pub status: Option<Vec<WebhookStatus>>,
}

impl ListFilter<webhook::Entity> for WebhookFilter {
    fn condition(&self) -> Condition {
        use webhook::Column as W;
        let mut all = Condition::all().add(name_contains(W::Url, &self.url_contains));
        if let Some(status) = &self.status {
            all = all.add(W::Status.is_in(status.iter().copied()));
        }
        all
    }
}

#[derive(Debug, Default, Clone)]
pub struct AccountFilter {
    pub segment: Option<String>,
    pub lifecycle: Option<Vec<Lifecycle>>,
    pub owner_id: Option<Uuid>,
    pub named_account: Option<bool>,
    pub industry: Option<String>,
    pub fit_min: Option<i32>,
    pub fit_max: Option<i32>,
    pub search: Option<String>,
    pub created_after: Option<DateTime<Utc>>,
    pub created_before: Option<DateTime<Utc>>,
}

#[derive(Debug, Default, Clone)]
pub struct LeadFilter {
    pub stage: Option<Vec<LeadStage>>,
    /// The segment of the lead's account.
    pub segment: Option<String>,
    pub owner_id: Option<Uuid>,
    pub source_id: Option<Uuid>,
    pub account_id: Option<Uuid>,
    pub fit_min: Option<i32>,
    pub fit_max: Option<i32>,
    pub search: Option<String>,
    pub created_after: Option<DateTime<Utc>>,
    pub created_before: Option<DateTime<Utc>>,
    /// The lead's recycling tag (FUTURE, RE_ENGAGE, CHECK_BACK).
    pub recycle_tag: Option<String>,
    /// Tags the lead carries, every one of them.
    pub tags: Vec<String>,
}

/// The lead carries `tag` in its JSON tags: containment on Postgres (the GIN index over
/// `tags::jsonb`), `json_each` on SQLite.
fn has_tag(backend: DbBackend, tag: &str) -> SimpleExpr {
    match backend {
        DbBackend::Postgres => Expr::cust_with_values(
            "\"contacts\".\"tags\"::jsonb @> $1::jsonb",
            [serde_json::json!([tag]).to_string()],
        ),
        _ => Expr::cust_with_values(
            "EXISTS (SELECT 1 FROM json_each(\"contacts\".\"tags\") WHERE json_each.value = ?)",
            [tag.to_owned()],
        ),
    }
}

impl<C: ConnectionTrait> Tenant<'_, C> {
    pub fn accounts_matching(&self, filter: &AccountFilter) -> Select<account::Entity> {
        use account::Column as A;
        let mut query = self.select::<account::Entity>();
        if let Some(segment) = &filter.segment {
            query = query.filter(A::Segment.eq(segment.clone()));
        }
        if let Some(lifecycle) = &filter.lifecycle {
            query = query.filter(A::Lifecycle.is_in(lifecycle.iter().copied()));
        }
        if let Some(owner) = filter.owner_id {
            query = query.filter(A::OwnerId.eq(owner));
        }
        if let Some(named) = filter.named_account {
            query = query.filter(A::NamedAccount.eq(named));
        }
        if let Some(industry) = &filter.industry {
            query = query.filter(A::Industry.eq(industry.clone()));
        }
        if let Some(min) = filter.fit_min {
            query = query.filter(A::FitScore.gte(min));
        }
        if let Some(max) = filter.fit_max {
            query = query.filter(A::FitScore.lte(max));
        }
        if let Some(after) = filter.created_after {
            query = query.filter(A::CreatedAt.gte(after));
        }
        if let Some(before) = filter.created_before {
            query = query.filter(A::CreatedAt.lt(before));
        }
        if let Some(text) = filter.search.as_deref().filter(|t| !t.trim().is_empty()) {
            query = query.filter(search(&[A::Name, A::Domain], text));
        }
        query
    }

    pub fn leads_matching(&self, filter: &LeadFilter) -> Select<contact::Entity> {
        use contact::Column as L;
        let mut query = self.select::<contact::Entity>();
        if let Some(stage) = &filter.stage {
            query = query.filter(L::Stage.is_in(stage.iter().copied()));
        }
        if let Some(owner) = filter.owner_id {
            query = query.filter(L::OwnerId.eq(owner));
        }
        if let Some(segment) = &filter.segment {
            let accounts = Query::select()
                .column(account::Column::Id)
                .from(account::Entity)
                .and_where(account::Column::WorkspaceId.eq(self.workspace_id()))
                .and_where(account::Column::Segment.eq(segment.clone()))
                .to_owned();
            query = query.filter(L::AccountId.in_subquery(accounts));
        }
        if let Some(source) = filter.source_id {
            query = query.filter(L::SourceId.eq(source));
        }
        if let Some(account) = filter.account_id {
            query = query.filter(L::AccountId.eq(account));
        }
        if let Some(min) = filter.fit_min {
            query = query.filter(L::FitScore.gte(min));
        }
        if let Some(max) = filter.fit_max {
            query = query.filter(L::FitScore.lte(max));
        }
        if let Some(after) = filter.created_after {
            query = query.filter(L::CreatedAt.gte(after));
        }
        if let Some(before) = filter.created_before {
            query = query.filter(L::CreatedAt.lt(before));
        }
        if let Some(text) = filter.search.as_deref().filter(|t| !t.trim().is_empty()) {
            query = query.filter(search(&[L::Name, L::Email], text));
        }
        if let Some(tag) = &filter.recycle_tag {
            query = query.filter(L::RecycleTag.eq(tag.clone()));
        }
        let backend = self.conn().get_database_backend();
        for tag in &filter.tags {
            query = query.filter(has_tag(backend, tag));
        }
        query
    }
}
