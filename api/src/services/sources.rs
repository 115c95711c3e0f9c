//! Source health: the rejection rate of each source per calendar month, from the stage history
//! and the rejections (not from counters), and the contract's source rule that pauses a source
//! (its months are `domain::source_rule`).

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use entity::{source, TriggerKind};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use crate::services::notices::Notices;
use crate::{
    domain::{
        contract::{SourceRule, Terms},
        permissions::Permission,
        source_rule::{breached, completed_months, month_in_progress, Figures, Span},
    },
    error::AppResult,
    services::triggers::{self, NewTrigger},
    store::{audiences, catalog, periodic, Tenant},
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

/// The MQLs and rejections of the source in each span.
async fn figures_of<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    source_id: Uuid,
    spans: &[Span],
) -> AppResult<Vec<Figures>> {
    let mut figures = Vec::with_capacity(spans.len());
    for span in spans {
        figures.push(Figures {
            mqls: catalog::mqls_of_source(tenant, source_id, span.start, span.end).await?,
            rejections: catalog::rejections_of_source(tenant, source_id, span.start, span.end)
                .await?,
        });
    }
    Ok(figures)
}

/// The contract's source rule for one source, as of `now`. It judges the months that are over
/// (calendar months in the contract's time zone, from the source's fresh window on): when the
/// rejection rate exceeded the limit in each of the last `consecutiveMonths` of them, the source
/// is paused and the members who hear of paused sources
/// ([`Permission::HearOfPausedSources`]: the marketing leaders) are told. The month in
/// progress only warns them (SOURCE_AT_RISK, once a month). Idempotent.
pub async fn apply_rule<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    source_id: Uuid,
    terms: &Terms,
    now: DateTime<Utc>,
) -> AppResult<Notices> {
    let rule = &terms.source_rule;
    let tz = terms.slas.calendar.time_zone;
    let row = tenant.get::<source::Entity>(source_id).await?;
    if row.paused {
        return Ok(Notices::default());
    }
    let window = row.rule_window_from;
    let months = completed_months(now, tz, rule.consecutive_months, window);
    let figures = figures_of(tenant, source_id, &months).await?;
    if breached(rule, &figures) {
        return pause(tenant, row, rule, &months, &figures, now).await;
    }
    let current = month_in_progress(now, tz, window);
    let so_far = figures_of(tenant, source_id, std::slice::from_ref(&current)).await?[0];
    if !so_far.over_limit(rule) {
        return Ok(Notices::default());
    }
    let job = format!("source_warning:{source_id}");
    if !periodic::claim_period(tenant, &job, &current.month, now).await? {
        return Ok(Notices::default());
    }
    let message = format!(
        "Source `{}` is over the contract's {:.0}% rejection limit this month ({}: {} of {} rejected); {} completed months like it pause it",
        row.name,
        rule.max_rejection_rate * 100.0,
        current.month,
        so_far.rejections,
        so_far.mqls,
        rule.consecutive_months
    );
    tell_leaders(tenant, TriggerKind::SourceAtRisk, message, now).await
}

/// Pauses the source the completed `months` breached the rule in, with a SOURCE_PAUSED trigger
/// to the leaders who hear of it and a `source.paused` webhook.
async fn pause<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    row: source::Model,
    rule: &SourceRule,
    months: &[Span],
    figures: &[Figures],
    now: DateTime<Utc>,
) -> AppResult<Notices> {
    let (source_id, name) = (row.id, row.name.clone());
    catalog::pause_source(tenant, row, now).await?;
    let listed: Vec<String> = months
        .iter()
        .zip(figures)
        .map(|(s, f)| format!("{}: {} of {} rejected", s.month, f.rejections, f.mqls))
        .collect();
    let message = format!(
        "Source `{name}` is paused: its rejection rate passed {:.0}% for {} months ({})",
        rule.max_rejection_rate * 100.0,
        rule.consecutive_months,
        listed.join("; ")
    );
    let mut notices = tell_leaders(tenant, TriggerKind::SourcePaused, message, now).await?;
    let payload = serde_json::json!({
        "source": {"id": source_id, "name": name, "pausedAt": now},
        "months": months.iter().zip(figures).map(|(s, f)| serde_json::json!({"month": s.month, "mqls": f.mqls, "rejections": f.rejections, "rate": f.rate()})).collect::<Vec<_>>(),
    });
    notices.webhooks =
        crate::services::webhooks::emit(tenant, "source.paused", payload, now).await?;
    Ok(notices)
}

/// A trigger for each member who hears of paused sources.
async fn tell_leaders<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    kind: TriggerKind,
    message: String,
    now: DateTime<Utc>,
) -> AppResult<Notices> {
    let mut notices = Notices::default();
    for leader in audiences::with_permission(tenant, Permission::HearOfPausedSources).await? {
        let new = NewTrigger {
            recipient_id: leader,
            kind,
            lead_id: None,
            play_id: None,
            step: None,
            due_at: None,
            intel: None,
            message: message.clone(),
        };
        notices
            .triggers
            .push(triggers::write(tenant, new, now).await?);
    }
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
            rule_window_from: None,
            created_at: now,
        };
        known.insert(name.to_lowercase(), made.clone());
        fresh.push(made);
    }
    catalog::insert_sources(tenant, fresh).await?;
    Ok(known)
}
