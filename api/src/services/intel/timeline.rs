//! `Lead.timeline`: a lead's events, score entries, stage changes, triggers and touches merged
//! newest first ([`crate::domain::intel::timeline`]), a page at a time: one bounded read per kind
//! and page, whatever the page size, merged in memory.

use entity::{event, score_entry, stage_change, touch, trigger, ScoreKind};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use crate::{
    domain::intel::timeline::{
        bound, describe_event, describe_score, describe_stage, describe_touch, describe_trigger,
        merge, TimelineKey, TimelineKind,
    },
    error::AppResult,
    store::{
        timeline::{self as rows, decode_cursor, encode_cursor},
        Tenant,
    },
};

/// The row behind a timeline item.
pub enum Detail {
    Event(event::Model),
    ScoreEntry(score_entry::Model),
    StageChange(stage_change::Model),
    Trigger(trigger::Model),
    Touch(touch::Model),
}

/// One item: where it sits, its cursor, its line and its row.
pub struct TimelineItem {
    pub key: TimelineKey,
    pub cursor: String,
    pub description: String,
    pub detail: Detail,
}

pub struct TimelinePage {
    pub items: Vec<TimelineItem>,
    pub has_next: bool,
}

fn key(kind: TimelineKind, at: chrono::DateTime<chrono::Utc>, id: Uuid) -> TimelineKey {
    TimelineKey { at, kind, id }
}

fn item(detail: Detail) -> (TimelineKey, String, Detail) {
    use TimelineKind as K;
    let (k, line) = match &detail {
        Detail::Event(e) => (
            key(K::Event, e.occurred_at, e.id),
            describe_event(&e.event_type),
        ),
        Detail::ScoreEntry(s) => (
            key(K::ScoreEntry, s.occurred_at, s.id),
            describe_score(&s.rule, s.points, s.kind == ScoreKind::Pql),
        ),
        Detail::StageChange(s) => (
            key(K::StageChange, s.changed_at, s.id),
            describe_stage(
                s.from_stage.map(|f| f.as_str()),
                s.to_stage.as_str(),
                s.reason.as_deref(),
            ),
        ),
        Detail::Trigger(t) => (
            key(K::Trigger, t.created_at, t.id),
            describe_trigger(t.kind.as_str(), &t.message),
        ),
        Detail::Touch(t) => (
            key(K::Touch, t.occurred_at, t.id),
            describe_touch(t.channel.as_str(), t.outcome.as_str(), t.note.as_deref()),
        ),
    };
    (k, line, detail)
}

/// The page of `lead`'s timeline after `after` (a cursor of this list), `first` items long.
pub async fn timeline<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    lead: Uuid,
    first: usize,
    after: Option<&str>,
) -> AppResult<TimelinePage> {
    use TimelineKind as K;
    let cursor = after.map(|raw| decode_cursor(raw, "after")).transpose()?;
    let at = |kind| bound(kind, cursor.as_ref());
    // A page and one, to know whether more follow.
    let limit = first as u64 + 1;
    let (events, entries, stages, triggers, touches) = tokio::try_join!(
        rows::events(tenant, lead, at(K::Event), limit),
        rows::score_entries(tenant, lead, at(K::ScoreEntry), limit),
        rows::stage_changes(tenant, lead, at(K::StageChange), limit),
        rows::triggers(tenant, lead, at(K::Trigger), limit),
        rows::touches(tenant, lead, at(K::Touch), limit),
    )?;
    let lists = vec![
        events.into_iter().map(|r| item(Detail::Event(r))).collect(),
        entries
            .into_iter()
            .map(|r| item(Detail::ScoreEntry(r)))
            .collect(),
        stages
            .into_iter()
            .map(|r| item(Detail::StageChange(r)))
            .collect(),
        triggers
            .into_iter()
            .map(|r| item(Detail::Trigger(r)))
            .collect(),
        touches
            .into_iter()
            .map(|r| item(Detail::Touch(r)))
            .collect(),
    ];
    let (page, has_next) = merge(lists, first, |(k, _, _)| *k);
    Ok(TimelinePage {
        items: page
            .into_iter()
            .map(|(key, description, detail)| TimelineItem {
                cursor: encode_cursor(&key),
                key,
                description,
                detail,
            })
            .collect(),
        has_next,
    })
}
