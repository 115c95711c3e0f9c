//! The shape of an ingested event, its validation, and the per-item answer.

use async_graphql::{Enum, InputObject, Json, SimpleObject, ID};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{
    domain::{text::normalize_email, validate},
    error::{AppError, AppResult, UserError},
    store::parse_optional_id_at,
};

/// Who the event is about. `externalId` is matched first, then `email`.
#[derive(InputObject, Clone, Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct EventContactInput {
    pub email: Option<String>,
    pub external_id: Option<String>,
    pub name: Option<String>,
    pub title: Option<String>,
    pub persona: Option<String>,
    pub seniority: Option<String>,
}

/// The person's company; without it, a business email's domain names the account.
#[derive(InputObject, Clone, Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct EventAccountInput {
    pub domain: String,
    pub name: Option<String>,
    pub industry: Option<String>,
    pub employees: Option<i32>,
    pub country: Option<String>,
}

#[derive(InputObject, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EventInput {
    /// Unique per event and workspace: a replay with the same key is recorded once.
    pub idempotency_key: String,
    /// The event type, e.g. `pricing_page_visit`, `demo_request`, `webinar_attended`.
    #[graphql(name = "type")]
    pub event_type: String,
    /// When it happened; defaults to now. At most 5 minutes in the future.
    pub occurred_at: Option<DateTime<Utc>>,
    pub contact: EventContactInput,
    pub account: Option<EventAccountInput>,
    /// The source's name (created on first use).
    pub source: Option<String>,
    pub source_detail: Option<String>,
    pub campaign_id: Option<ID>,
    pub asset_id: Option<ID>,
    /// A flat JSON object of event properties.
    pub properties: Option<Json<Value>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum IngestStatus {
    /// Recorded now.
    Accepted,
    /// Recorded before under this idempotency key with the same payload.
    Duplicate,
    /// Refused: see `error` (BAD_USER_INPUT with the field, CONFLICT for a reused key, ...).
    Rejected,
}

/// The answer for one event, in the order sent.
#[derive(Debug, Clone, SimpleObject)]
pub struct IngestResult {
    pub index: i32,
    pub status: IngestStatus,
    pub event_id: Option<ID>,
    pub error: Option<UserError>,
}

impl IngestResult {
    pub fn accepted(index: usize, id: Uuid) -> Self {
        Self {
            index: index as i32,
            status: IngestStatus::Accepted,
            event_id: Some(id.into()),
            error: None,
        }
    }

    pub fn duplicate(index: usize, id: Uuid) -> Self {
        Self {
            index: index as i32,
            status: IngestStatus::Duplicate,
            event_id: Some(id.into()),
            error: None,
        }
    }

    pub fn rejected(index: usize, err: &AppError) -> Self {
        Self {
            index: index as i32,
            status: IngestStatus::Rejected,
            event_id: None,
            error: Some(err.into()),
        }
    }

    /// A key seen before: DUPLICATE with the same payload, CONFLICT otherwise.
    pub fn replayed(index: usize, stored: &entity::event::Model, hash: &str) -> Self {
        if stored.payload_hash == hash {
            Self::duplicate(index, stored.id)
        } else {
            Self::rejected(
                index,
                &AppError::Conflict("this idempotency key was used for another event".into()),
            )
        }
    }
}

/// An event after validation.
pub struct ValidEvent {
    pub key: String,
    pub hash: String,
    pub event_type: String,
    pub occurred_at: DateTime<Utc>,
    pub email: Option<String>,
    pub external_id: Option<String>,
    pub contact: EventContactInput,
    pub account_domain: Option<String>,
    pub account: Option<EventAccountInput>,
    pub source: Option<String>,
    pub source_detail: Option<String>,
    pub campaign_id: Option<Uuid>,
    pub asset_id: Option<Uuid>,
    pub properties: Map<String, Value>,
}

fn event_type(raw: &str, field: &str) -> AppResult<String> {
    let t = raw.trim().to_lowercase();
    let ok = !t.is_empty()
        && t.len() <= 100
        && t.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'.');
    ok.then_some(t).ok_or_else(|| {
        AppError::bad_input(field, "is 1 to 100 lower-case letters, digits, `_` or `.`")
    })
}

/// The contact's email (normalized) and partner id: at least one names the person.
fn contact_keys(
    contact: &EventContactInput,
    at: &impl Fn(&str) -> String,
) -> AppResult<(Option<String>, Option<String>)> {
    let email = contact
        .email
        .as_deref()
        .map(|e| {
            normalize_email(e).ok_or_else(|| {
                AppError::bad_input(at("contact.email"), "is not a valid email address")
            })
        })
        .transpose()?;
    let external_id = contact
        .external_id
        .as_deref()
        .map(|id| validate::required_text(id, &at("contact.externalId"), 200))
        .transpose()?;
    if email.is_none() && external_id.is_none() {
        return Err(AppError::bad_input(
            at("contact"),
            "needs an email or an externalId",
        ));
    }
    Ok((email, external_id))
}

/// The account's cleaned domain, once its other facts are checked.
fn account_domain(
    account: Option<&EventAccountInput>,
    at: &impl Fn(&str) -> String,
) -> AppResult<Option<String>> {
    let Some(account) = account else {
        return Ok(None);
    };
    let domain = validate::company_domain(&account.domain, &at("account.domain"))?;
    if let Some(country) = &account.country {
        validate::country(country, &at("account.country"))?;
    }
    if let Some(employees) = account.employees {
        validate::non_negative_int(i64::from(employees), &at("account.employees"))?;
    }
    Ok(Some(domain))
}

pub fn validate(input: EventInput, index: usize, now: DateTime<Utc>) -> AppResult<ValidEvent> {
    let at = |field: &str| format!("events[{index}].{field}");
    // The hash covers the payload exactly as sent, so a replay matches and any change does not.
    let hash = hex::encode(Sha256::digest(
        serde_json::to_vec(&input).unwrap_or_default(),
    ));
    let key = validate::required_text(&input.idempotency_key, &at("idempotencyKey"), 200)?;
    let event_type = event_type(&input.event_type, &at("type"))?;
    let occurred_at = input.occurred_at.unwrap_or(now);
    if occurred_at > now + Duration::minutes(5) {
        return Err(AppError::bad_input(at("occurredAt"), "is in the future"));
    }
    let (email, external_id) = contact_keys(&input.contact, &at)?;
    for (field, value) in [
        ("contact.name", &input.contact.name),
        ("contact.title", &input.contact.title),
        ("contact.persona", &input.contact.persona),
        ("contact.seniority", &input.contact.seniority),
        ("sourceDetail", &input.source_detail),
    ] {
        validate::optional_text(value.as_deref(), &at(field))?;
    }
    let account_domain = account_domain(input.account.as_ref(), &at)?;
    let source = input
        .source
        .as_deref()
        .map(|s| validate::required_text(s, &at("source"), 120))
        .transpose()?;
    let campaign_id =
        parse_optional_id_at(input.campaign_id.as_ref(), "campaign", &at("campaignId"))?;
    let asset_id = parse_optional_id_at(input.asset_id.as_ref(), "asset", &at("assetId"))?;
    let properties = match &input.properties {
        Some(json) => validate::custom_attributes(&json.0, &at("properties"))?,
        None => Map::new(),
    };
    Ok(ValidEvent {
        key,
        hash,
        event_type,
        occurred_at,
        email,
        external_id,
        account_domain,
        source,
        source_detail: validate::optional_text(
            input.source_detail.as_deref(),
            &at("sourceDetail"),
        )?,
        campaign_id,
        asset_id,
        properties,
        contact: input.contact,
        account: input.account,
    })
}
