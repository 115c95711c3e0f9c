//! Source health: the rejection rate of each source per calendar month, from the stage history
//! and the rejections (not from counters), and the contract's source rule that pauses a source.

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use entity::{source, TriggerKind};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use crate::services::notices::Notices;
use crate::{
    domain::{contract::Terms, permissions::Permission},
    error::AppResult,
    services::triggers::{self, NewTrigger},
    store::{audiences, catalog, Tenant},
};

/// One source's figures for one calendar month.
#[derive(Debug, Clone, PartialEq)]
pub struct MonthRate {
    /// `YYYY-MM`.
    pub month: String,
    pub mqls: u64,
    pub rejections: u64,
    pub rate: f64,
}

fn month_start(year: i32, month: u32) -> DateTime<Utc> {
    Utc.from_utc_datetime(
        &NaiveDate::from_ymd_opt(year, month, 1)
            .expect("valid month")
            .and_hms_opt(0, 0, 0)
            .expect("midnight"),
    )
}

/// The first instants of `count` calendar months ending with the month of `now`, oldest first.
fn months_back(now: DateTime<Utc>, count: u32) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let (mut year, mut month) = (now.year(), now.month());
    let mut spans = Vec::new();
    for _ in 0..count {
        let start = month_start(year, month);
        let end = if month == 12 {
            month_start(year + 1, 1)
        } else {
            month_start(year, month + 1)
        };
        spans.push((start, end));
        if month == 1 {
            year -= 1;
            month = 12;
        } else {
            month -= 1;
        }
    }
    spans.reverse();
    spans
}

/// The source's MQLs and rejections in each of the last `months` months (the current included).
pub async fn monthly_rates<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    source_id: Uuid,
    now: DateTime<Utc>,
    months: u32,
) -> AppResult<Vec<MonthRate>> {
    let mut rates = Vec::new();
    for (start, end) in months_back(now, months) {
        let mqls = catalog::mqls_of_source(tenant, source_id, start, end).await?;
        let rejections = catalog::rejections_of_source(tenant, source_id, start, end).await?;
        rates.push(MonthRate {
            month: start.format("%Y-%m").to_string(),
            mqls,
            rejections,
            rate: if mqls == 0 {
                0.0
            } else {
                rejections as f64 / mqls as f64
            },
        });
    }
    Ok(rates)
}

/// Pauses the source when its rejection rate exceeded the contract's limit in each of the last
/// `consecutiveMonths` months, and tells the members who hear of paused sources
/// ([`Permission::HearOfPausedSources`]: the marketing leaders). Idempotent.
pub async fn apply_rule<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    source_id: Uuid,
    terms: &Terms,
    now: DateTime<Utc>,
) -> AppResult<Notices> {
    let rule = &terms.source_rule;
    let row = tenant.get::<source::Entity>(source_id).await?;
    if row.paused {
        return Ok(Notices::default());
    }
    let rates = monthly_rates(tenant, source_id, now, rule.consecutive_months).await?;
    let breached = rates
        .iter()
        .all(|m| m.mqls >= u64::from(rule.min_mqls) && m.rate > rule.max_rejection_rate);
    if !breached {
        return Ok(Notices::default());
    }
    let name = row.name.clone();
    catalog::pause_source(tenant, row, now).await?;
    let leaders = audiences::with_permission(tenant, Permission::HearOfPausedSources).await?;
    let figures: Vec<String> = rates
        .iter()
        .map(|m| format!("{}: {} of {} rejected", m.month, m.rejections, m.mqls))
        .collect();
    let mut written = Vec::new();
    for leader in leaders {
        written.push(
            triggers::write(tenant, NewTrigger {
                recipient_id: leader,
                kind: TriggerKind::SourcePaused,
                lead_id: None,
                play_id: None,
                step: None,
                due_at: None,
                message: format!(
                    "Source `{name}` is paused: its rejection rate passed {:.0}% for {} months ({})",
                    rule.max_rejection_rate * 100.0,
                    rule.consecutive_months,
                    figures.join("; ")
                ),
            }, now)
            .await?,
        );
    }
    let payload = serde_json::json!({
        "source": {"id": source_id, "name": name, "pausedAt": now},
        "months": rates.iter().map(|m| serde_json::json!({"month": m.month, "mqls": m.mqls, "rejections": m.rejections, "rate": m.rate})).collect::<Vec<_>>(),
    });
    let webhooks = crate::services::webhooks::emit(tenant, "source.paused", payload, now).await?;
    let mut notices = Notices::default();
    notices.triggers = written;
    notices.webhooks = webhooks;
    Ok(notices)
}

/// The workspace's sources by lowercase name, with those `names` mentions that are missing
/// created (kind OTHER, as ingestion does) when `create` is set; a dry run leaves them out.
/// Names match case-insensitively, as CRM exports spell them as they like.
pub async fn by_names<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    names: &[String],
    create: bool,
    now: DateTime<Utc>,
) -> AppResult<std::collections::HashMap<String, source::Model>> {
    let mut known: std::collections::HashMap<String, source::Model> = catalog::sources(tenant)
        .await?
        .into_iter()
        .map(|s| (s.name.to_lowercase(), s))
        .collect();
    if !create {
        return Ok(known);
    }
    let mut fresh = Vec::new();
    for name in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
        if known.contains_key(&name.to_lowercase()) {
            continue;
        }
        let made = source::Model {
            id: Uuid::now_v7(),
            workspace_id: tenant.workspace_id(),
            name: name.to_owned(),
            kind: entity::SourceKind::Other,
            paused: false,
            paused_at: None,
            created_at: now,
        };
        known.insert(name.to_lowercase(), made.clone());
        fresh.push(made);
    }
    catalog::insert_sources(tenant, fresh).await?;
    Ok(known)
}
