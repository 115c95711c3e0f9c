//! A CSV row read into the GraphQL input of its kind. Only the text is interpreted here (numbers,
//! dates, lists, enum spellings, owners by email); the values are checked by the same upsert
//! services the API uses. A blank cell leaves the field as it is.

use std::collections::HashMap;

use async_graphql::{MaybeUndefined, ID};
use chrono::NaiveDate;
use entity::{Lifecycle, OpportunityStage};
use sea_orm::Iterable;
use uuid::Uuid;

use super::columns::Columns;
use crate::{
    domain::text::normalize_email,
    error::{AppError, AppResult},
    services::records::{
        self, AccountInput, ContactInput, OpportunityUpsertInput, UpsertResult, Write,
    },
    state::AppState,
};

/// The workspace's members by email, for `owner_email` columns.
pub type Owners = HashMap<String, ID>;

/// What cells name and rows need as ids: members by email, sources by lowercase name.
#[derive(Default)]
pub struct Lookups {
    pub owners: Owners,
    pub sources: HashMap<String, ID>,
}

/// One row's cells, read through the file's columns.
pub struct Row<'a> {
    pub cells: &'a [String],
    pub columns: &'a Columns,
}

impl<'a> Row<'a> {
    /// The trimmed cell feeding `field`; `None` when no column feeds it or it is blank.
    pub(super) fn text(&self, field: &str) -> Option<&'a str> {
        let cell = self.cells.get(self.columns.index_of(field)?)?.trim();
        (!cell.is_empty()).then_some(cell)
    }

    fn owned(&self, field: &str) -> Option<String> {
        self.text(field).map(str::to_owned)
    }

    fn patch(&self, field: &str) -> MaybeUndefined<String> {
        keep(self.owned(field))
    }

    fn parsed<T>(
        &self,
        field: &str,
        parse: impl Fn(&str) -> Option<T>,
        what: &str,
    ) -> AppResult<Option<T>> {
        self.text(field)
            .map(|cell| {
                parse(cell)
                    .ok_or_else(|| AppError::bad_input(field, format!("`{cell}` is not {what}")))
            })
            .transpose()
    }

    fn number(&self, field: &str) -> AppResult<Option<f64>> {
        self.parsed(field, parse_number, "a number")
    }

    /// `a; b; c` (commas and bars work too).
    fn list(&self, field: &str) -> Option<Vec<String>> {
        self.text(field).map(|cell| {
            cell.split([';', ',', '|'])
                .map(str::trim)
                .filter(|item| !item.is_empty())
                .map(str::to_owned)
                .collect()
        })
    }

    /// The source the `source` cell names; none for a blank cell, or in a dry run for a source
    /// the import would create.
    fn source(&self, sources: &HashMap<String, ID>) -> MaybeUndefined<ID> {
        self.text("source")
            .and_then(|name| sources.get(&name.trim().to_lowercase()).cloned())
            .map_or(MaybeUndefined::Undefined, MaybeUndefined::Value)
    }

    fn owner(&self, owners: &Owners) -> AppResult<MaybeUndefined<ID>> {
        let Some(cell) = self.text("owner_email") else {
            return Ok(MaybeUndefined::Undefined);
        };
        normalize_email(cell)
            .and_then(|email| owners.get(&email).cloned())
            .map(MaybeUndefined::Value)
            .ok_or_else(|| {
                AppError::bad_input(
                    "owner_email",
                    format!("no member of the workspace has the email `{cell}`"),
                )
            })
    }
}

/// A value to set, or (for a blank cell) none: the field keeps what it has. A CSV cannot say
/// "clear this field".
fn keep<T>(value: Option<T>) -> MaybeUndefined<T> {
    value.map_or(MaybeUndefined::Undefined, MaybeUndefined::Value)
}

/// `1,200`, `$ 45,000.50`, `€300`: separators and currency signs are dropped.
fn parse_number(cell: &str) -> Option<f64> {
    let digits: String = cell
        .chars()
        .filter(|c| !matches!(c, ',' | ' ' | '_' | '$' | '€' | '£'))
        .collect();
    digits.parse::<f64>().ok().filter(|n| n.is_finite())
}

fn parse_whole(cell: &str) -> Option<i32> {
    parse_number(cell)
        .filter(|n| n.fract() == 0.0 && *n >= f64::from(i32::MIN) && *n <= f64::from(i32::MAX))
        .map(|n| n as i32)
}

fn parse_bool(cell: &str) -> Option<bool> {
    match cell.to_ascii_lowercase().as_str() {
        "true" | "yes" | "y" | "1" | "x" => Some(true),
        "false" | "no" | "n" | "0" => Some(false),
        _ => None,
    }
}

/// `2026-03-31`, `2026/03/31` or the US `03/31/2026`; a timestamp's date part.
fn parse_date(cell: &str) -> Option<NaiveDate> {
    let day = cell.split(['T', ' ']).next().unwrap_or(cell);
    ["%Y-%m-%d", "%Y/%m/%d", "%m/%d/%Y"]
        .iter()
        .find_map(|format| NaiveDate::parse_from_str(day, format).ok())
}

/// An enum value whatever its case and punctuation: `Closed Won` is `CLOSED_WON`.
fn parse_enum<E: Iterable + Copy>(cell: &str, spelling: impl Fn(E) -> &'static str) -> Option<E> {
    let wanted = squash(cell);
    E::iter().find(|value| squash(spelling(*value)) == wanted)
}

fn squash(text: &str) -> String {
    text.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn enum_names<E: Iterable>(spelling: impl Fn(E) -> &'static str) -> String {
    E::iter().map(spelling).collect::<Vec<_>>().join(", ")
}

/// An ISO alpha-2 code from an alpha-3 code or an English name; anything else is left for the
/// service to judge.
fn country_code(cell: &str) -> String {
    use isocountry::CountryCode;
    let alpha3 = CountryCode::for_alpha3_caseless(cell).ok();
    let named = || {
        CountryCode::iter()
            .find(|c| c.name().eq_ignore_ascii_case(cell))
            .copied()
    };
    match alpha3.or_else(named) {
        Some(code) => code.alpha2().to_owned(),
        None => match squash(cell).as_str() {
            "unitedstates" => "US".to_owned(),
            "uk" | "unitedkingdom" => "GB".to_owned(),
            _ => cell.to_owned(),
        },
    }
}

/// What an import needs of each kind: read a row, and upsert a batch through the API's service.
pub(crate) trait Record: Sized + Send + 'static {
    /// The service's name for its items (`contacts[3].email`).
    const NOUN: &'static str;

    fn from_row(row: &Row<'_>, lookups: &Lookups) -> AppResult<Self>;

    async fn upsert(
        state: &AppState,
        workspace_id: Uuid,
        batch: Vec<Self>,
        write: Write,
    ) -> AppResult<Vec<UpsertResult>>;
}

impl Record for AccountInput {
    const NOUN: &'static str = "accounts";

    fn from_row(row: &Row<'_>, lookups: &Lookups) -> AppResult<Self> {
        let whole = |field| row.parsed(field, parse_whole, "a whole number");
        Ok(AccountInput {
            domain: row.owned("domain").unwrap_or_default(),
            name: row.owned("name"),
            industry: row.patch("industry"),
            employees: keep(whole("employees")?),
            annual_revenue: keep(row.number("annual_revenue")?),
            country: keep(row.text("country").map(country_code)),
            region: row.patch("region"),
            technologies: row.list("technologies"),
            custom_attributes: None,
            segment: row.patch("segment"),
            tier: row.patch("tier"),
            lifecycle: row.parsed(
                "lifecycle",
                |cell| parse_enum(cell, Lifecycle::as_str),
                &format!("one of {}", enum_names(Lifecycle::as_str)),
            )?,
            named_account: row.parsed("named_account", parse_bool, "yes or no")?,
            owner_id: row.owner(&lookups.owners)?,
        })
    }

    async fn upsert(
        state: &AppState,
        workspace_id: Uuid,
        batch: Vec<Self>,
        write: Write,
    ) -> AppResult<Vec<UpsertResult>> {
        records::upsert_accounts(state, workspace_id, batch, write).await
    }
}

impl Record for ContactInput {
    const NOUN: &'static str = "contacts";

    fn from_row(row: &Row<'_>, lookups: &Lookups) -> AppResult<Self> {
        let name = row.owned("name").or_else(|| {
            let parts: Vec<&str> = [row.text("first_name"), row.text("last_name")]
                .into_iter()
                .flatten()
                .collect();
            (!parts.is_empty()).then(|| parts.join(" "))
        });
        Ok(ContactInput {
            email: row.owned("email"),
            external_id: row.owned("external_id"),
            name: keep(name),
            title: row.patch("title"),
            persona: row.patch("persona"),
            seniority: row.patch("seniority"),
            account_domain: row.owned("account_domain"),
            source_id: row.source(&lookups.sources),
            source_detail: row.patch("source_detail"),
            owner_id: row.owner(&lookups.owners)?,
            tags: row.list("tags"),
            custom_attributes: None,
        })
    }

    async fn upsert(
        state: &AppState,
        workspace_id: Uuid,
        batch: Vec<Self>,
        write: Write,
    ) -> AppResult<Vec<UpsertResult>> {
        records::upsert_contacts(state, workspace_id, batch, write).await
    }
}

/// Stage names as CRMs spell them, besides ours.
fn parse_stage(cell: &str) -> Option<OpportunityStage> {
    parse_enum(cell, OpportunityStage::as_str).or(match squash(cell).as_str() {
        "won" => Some(OpportunityStage::ClosedWon),
        "lost" => Some(OpportunityStage::ClosedLost),
        _ => None,
    })
}

impl Record for OpportunityUpsertInput {
    const NOUN: &'static str = "opportunities";

    fn from_row(row: &Row<'_>, lookups: &Lookups) -> AppResult<Self> {
        Ok(OpportunityUpsertInput {
            external_id: row.owned("external_id").unwrap_or_default(),
            name: row.owned("name"),
            account_domain: row.owned("account_domain"),
            amount: row.number("amount")?,
            currency: row.owned("currency"),
            stage: row.parsed(
                "stage",
                parse_stage,
                &format!("one of {}", enum_names(OpportunityStage::as_str)),
            )?,
            close_date: keep(row.parsed(
                "close_date",
                parse_date,
                "a date (2026-03-31 or 03/31/2026)",
            )?),
            lost_reason: row.patch("lost_reason"),
            competitor: row.patch("competitor"),
            owner_id: row.owner(&lookups.owners)?,
            source_id: row.source(&lookups.sources),
        })
    }

    async fn upsert(
        state: &AppState,
        workspace_id: Uuid,
        batch: Vec<Self>,
        write: Write,
    ) -> AppResult<Vec<UpsertResult>> {
        let actor = None;
        records::upsert_opportunities(state, workspace_id, actor, batch, write).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_read_the_way_exports_write_them() {
        assert_eq!(parse_number("$ 45,000.50"), Some(45000.5));
        assert_eq!(parse_whole("1,200"), Some(1200));
        assert_eq!(parse_whole("12.5"), None);
        assert_eq!(parse_bool("Yes"), Some(true));
        assert_eq!(
            parse_date("03/31/2026"),
            NaiveDate::from_ymd_opt(2026, 3, 31)
        );
        assert_eq!(
            parse_date("2026-03-31T10:00:00Z"),
            NaiveDate::from_ymd_opt(2026, 3, 31)
        );
        assert_eq!(parse_date("31.03.2026"), None);
        assert_eq!(parse_stage("Closed Won"), Some(OpportunityStage::ClosedWon));
        assert_eq!(
            parse_stage("negotiation"),
            Some(OpportunityStage::Negotiation)
        );
        assert_eq!(parse_stage("Lost"), Some(OpportunityStage::ClosedLost));
        assert_eq!(parse_stage("Stalled"), None);
        assert_eq!(country_code("DEU"), "DE");
        assert_eq!(country_code("United States"), "US");
        assert_eq!(country_code("Germany"), "DE");
        assert_eq!(country_code("XX"), "XX");
    }
}
