//! A reproducible revenue workspace: accounts across segments and industries, contacts with
//! titles, owners and sources. Rows go in with multi-row inserts, straight to the database.

use accord_api::store::Store;
use chrono::{Duration, Utc};
use entity::{account, contact, membership, source, user, LeadStage, Lifecycle, Role, SourceKind};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
};
use serde_json::json;
use uuid::Uuid;

/// A small deterministic generator (xorshift), so every run builds the same workspace.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

pub const INDUSTRIES: &[&str] = &[
    "Software",
    "SaaS",
    "Fintech",
    "Healthcare",
    "Manufacturing",
    "Retail",
    "Education",
];
pub const COUNTRIES: &[&str] = &["US", "US", "US", "CA", "GB", "DE", "FR", "AU", "BR", "IN"];
pub const SEGMENTS: &[&str] = &["SMB", "MID_MARKET", "ENTERPRISE"];
pub const TITLES: &[&str] = &[
    "VP Sales",
    "Head of Sales",
    "Chief Revenue Officer",
    "Sales Manager",
    "Account Executive",
    "VP Marketing",
    "Marketing Manager",
    "RevOps Manager",
    "Software Engineer",
    "CFO",
];

/// The workspace's reps (created once) and sources.
pub async fn ensure_team(store: &Store, workspace_id: Uuid, reps: usize) -> (Vec<Uuid>, Vec<Uuid>) {
    let db = store.db();
    let existing = store.tenant(workspace_id).members().await.unwrap();
    let mut rep_ids: Vec<Uuid> = existing
        .iter()
        .filter(|m| m.role == Role::Rep)
        .map(|m| m.user_id)
        .collect();
    for i in rep_ids.len()..reps {
        let id = Uuid::now_v7();
        user::Entity::insert(user::ActiveModel {
            id: Set(id),
            email: Set(format!(
                "rep{i}-{}@bench.example.com",
                workspace_id.simple()
            )),
            name: Set(format!("Rep {i}")),
            password_hash: Set("not-a-login".into()),
            created_at: Set(Utc::now()),
            updated_at: Set(Utc::now()),
            email_verified_at: Set(Some(Utc::now())),
        })
        .exec(db)
        .await
        .unwrap();
        membership::Entity::insert(membership::ActiveModel {
            id: Set(Uuid::now_v7()),
            workspace_id: Set(workspace_id),
            user_id: Set(id),
            role: Set(Role::Rep),
            manager_id: Set(None),
            out_of_office: Set(false),
            created_at: Set(Utc::now()),
        })
        .exec(db)
        .await
        .unwrap();
        rep_ids.push(id);
    }
    let mut sources: Vec<Uuid> = source::Entity::find()
        .filter(source::Column::WorkspaceId.eq(workspace_id))
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    if sources.is_empty() {
        for (name, kind) in [
            ("Google Ads", SourceKind::PaidSearch),
            ("Webinars", SourceKind::Webinar),
            ("Content", SourceKind::Content),
            ("Partners", SourceKind::Partner),
        ] {
            let id = Uuid::now_v7();
            source::Entity::insert(source::ActiveModel {
                id: Set(id),
                workspace_id: Set(workspace_id),
                name: Set(name.into()),
                kind: Set(kind),
                paused: Set(false),
                paused_at: Set(None),
                rule_window_from: Set(None),
                created_at: Set(Utc::now()),
            })
            .exec(db)
            .await
            .unwrap();
            sources.push(id);
        }
    }
    (rep_ids, sources)
}

/// Fills the workspace up to `contacts` contacts (ten per account). Returns how many exist.
pub async fn ensure_contacts(
    store: &Store,
    workspace_id: Uuid,
    contacts: u64,
    reps: &[Uuid],
    sources: &[Uuid],
) -> u64 {
    let db = store.db();
    let have = contact::Entity::find()
        .filter(contact::Column::WorkspaceId.eq(workspace_id))
        .count(db)
        .await
        .unwrap();
    if have >= contacts {
        return have;
    }
    let mut rng = Rng::new(42 + have);
    let per_account = 10;
    let now = Utc::now();
    let mut made = have;
    while made < contacts {
        let mut accounts = Vec::new();
        let mut people = Vec::new();
        for _ in 0..100 {
            let account_id = Uuid::now_v7();
            let n = made / per_account;
            let domain = format!("company{n}-{}.example.com", rng.below(1_000_000));
            accounts.push(
                account::Model {
                    id: account_id,
                    workspace_id,
                    domain: domain.clone(),
                    name: format!("Company {n}"),
                    industry: Some(rng.pick(INDUSTRIES).to_string()),
                    employees: Some(10 + rng.below(20_000) as i64),
                    annual_revenue: Some((1 + rng.below(500)) as f64 * 1_000_000.0),
                    country: Some(rng.pick(COUNTRIES).to_string()),
                    region: None,
                    technologies: json!(["Salesforce"]),
                    custom: json!({}),
                    segment: Some(rng.pick(SEGMENTS).to_string()),
                    tier: None,
                    lifecycle: Lifecycle::Target,
                    named_account: rng.below(20) == 0,
                    owner_id: Some(*rng.pick(reps)),
                    fit_score: rng.below(101) as i32,
                    fit_breakdown: None,
                    created_at: now - Duration::days(rng.below(365) as i64),
                    updated_at: now,
                }
                .into_active_model(),
            );
            for p in 0..per_account {
                people.push(
                    contact::Model {
                        id: Uuid::now_v7(),
                        workspace_id,
                        email: Some(format!("person{p}@{domain}")),
                        external_id: None,
                        account_id: Some(account_id),
                        name: Some(format!("Person {made}")),
                        title: Some(rng.pick(TITLES).to_string()),
                        persona: None,
                        seniority: None,
                        personal_email: false,
                        source_id: Some(*rng.pick(sources)),
                        source_detail: None,
                        owner_id: Some(*rng.pick(reps)),
                        stage: LeadStage::Lead,
                        fit_score: rng.below(101) as i32,
                        fit_breakdown: None,
                        engagement_score: rng.below(120) as i32,
                        pql_score: 0,
                        last_engaged_at: None,
                        mql_kind: None,
                        stage_changed_at: None,
                        assigned_at: None,
                        routing: None,
                        tags: json!([]),
                        opted_out_at: None,
                        custom: json!({}),
                        check_back_on: None,
                        recycle_tag: None,
                        waiting_since: None,
                        last_event_at: None,
                        created_at: now - Duration::days(rng.below(365) as i64),
                        updated_at: now,
                    }
                    .into_active_model(),
                );
                made += 1;
            }
        }
        account::Entity::insert_many(accounts)
            .exec_without_returning(db)
            .await
            .unwrap();
        for chunk in people.chunks(500) {
            contact::Entity::insert_many(chunk.to_vec())
                .exec_without_returning(db)
                .await
                .unwrap();
        }
    }
    made
}

/// Refreshes the planner's statistics after a bulk load (Postgres only).
pub async fn analyze(store: &Store) {
    use sea_orm::ConnectionTrait;
    if store.db().get_database_backend() == sea_orm::DbBackend::Postgres {
        store.db().execute_unprepared("ANALYZE").await.unwrap();
    }
}
