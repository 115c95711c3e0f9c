//! Fit scores against the workspace's active ICPs: rows become domain views, views get scored.

use std::collections::HashMap;

use entity::{account, contact, icp, source, IcpMotion};
use sea_orm::ConnectionTrait;
use serde_json::Value;
use uuid::Uuid;

/// Rows become views in the domain, which needs the same view to decide on a lead.
pub use crate::domain::views::lead_view;
use crate::{
    domain::{
        fit::{
            best_fit, contact_fit, parse_weighted, score_account, FitResult, IcpModel, Motion,
            Persona,
        },
        views::{AccountView, ContactView, CustomFields, LeadView},
    },
    error::{AppError, AppResult},
    store::{self, Tenant},
};

/// The active ICPs of a workspace, parsed once per batch or job.
pub struct FitModels(Vec<IcpModel>);

impl FitModels {
    pub async fn load<C: ConnectionTrait>(tenant: &Tenant<'_, C>) -> AppResult<Self> {
        store::fit::active_icps(tenant)
            .await?
            .iter()
            .map(model_of)
            .collect::<AppResult<_>>()
            .map(FitModels)
    }

    pub fn from_models(models: Vec<IcpModel>) -> Self {
        FitModels(models)
    }

    /// The highest account fit score any active ICP can give (its positive weights, at most
    /// 100); 0 with no active ICP.
    pub fn max_account_score(&self) -> i32 {
        self.0
            .iter()
            .map(|icp| {
                icp.account_criteria
                    .iter()
                    .map(|c| c.weight.max(0))
                    .sum::<i32>()
                    .min(100)
            })
            .max()
            .unwrap_or(0)
    }

    /// The best fit of an account across the active ICPs, whatever their motion (an account's
    /// fit is its company match); 0 with no breakdown when none is.
    pub fn account(&self, view: &AccountView) -> FitResult {
        best_fit(self.0.iter().map(|icp| score_account(icp, view))).unwrap_or_else(no_fit)
    }

    /// The best fit of a lead across the active ICPs of its motion (EXPAND for a customer's
    /// contact, LAND otherwise); 0 with no breakdown when none is.
    pub fn contact(&self, lead: &LeadView<'_>) -> FitResult {
        contact_fit(&self.0, lead).unwrap_or_else(no_fit)
    }
}

fn no_fit() -> FitResult {
    FitResult {
        score: 0,
        breakdown: Vec::new(),
    }
}

/// The scoring model of a stored ICP version (validated when it was written).
pub fn model_of(row: &icp::Model) -> AppResult<IcpModel> {
    let parse = |json: &Value, path: &str| {
        parse_weighted(json, path).map_err(|err| {
            AppError::internal(std::io::Error::other(format!(
                "stored ICP {} is invalid: {err}",
                row.id
            )))
        })
    };
    let personas: Vec<Persona> = serde_json::from_value(row.personas.clone()).map_err(|err| {
        AppError::internal(std::io::Error::other(format!(
            "stored ICP {} has invalid personas: {err}",
            row.id
        )))
    })?;
    Ok(IcpModel {
        name: row.name.clone(),
        motion: match row.motion {
            IcpMotion::Land => Motion::Land,
            IcpMotion::Expand => Motion::Expand,
        },
        personas,
        account_criteria: parse(&row.account_criteria, "accountCriteria")?,
        contact_criteria: parse(&row.contact_criteria, "contactCriteria")?,
    })
}

fn strings(json: &Value) -> Vec<String> {
    serde_json::from_value(json.clone()).unwrap_or_default()
}

pub fn account_view(row: &account::Model) -> AccountView {
    AccountView {
        domain: Some(row.domain.clone()),
        name: Some(row.name.clone()),
        industry: row.industry.clone(),
        employees: row.employees,
        annual_revenue: row.annual_revenue,
        country: row.country.clone(),
        region: row.region.clone(),
        technologies: strings(&row.technologies),
        segment: row.segment.clone(),
        tier: row.tier.clone(),
        lifecycle: Some(row.lifecycle.as_str().to_owned()),
        named_account: row.named_account,
        fit_score: Some(row.fit_score),
        custom: CustomFields::from_json(&row.custom),
    }
}

/// The criteria view of a contact row; `source` is the name of its source (`lead.source`),
/// which the row knows only by id (see [`source_names`]).
pub fn contact_view(row: &contact::Model, source: Option<&str>) -> ContactView {
    let email_domain = row
        .email
        .as_deref()
        .and_then(crate::domain::email::email_domain)
        .map(str::to_owned);
    ContactView {
        email: row.email.clone(),
        email_domain,
        personal_email: row.personal_email,
        title: row.title.clone(),
        persona: row.persona.clone(),
        seniority: row.seniority.clone(),
        tags: strings(&row.tags),
        custom: CustomFields::from_json(&row.custom),
        source: source.map(str::to_owned),
    }
}

/// The names of the sources of `contacts`, by id, for [`contact_view`].
pub async fn source_names<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    contacts: &[&contact::Model],
) -> AppResult<HashMap<Uuid, String>> {
    let mut ids: Vec<Uuid> = contacts.iter().filter_map(|c| c.source_id).collect();
    ids.sort();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(tenant
        .get_many::<source::Entity>(&ids)
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect())
}

/// The source name of `row` among `names`.
pub fn source_of<'n>(row: &contact::Model, names: &'n HashMap<Uuid, String>) -> Option<&'n str> {
    row.source_id
        .and_then(|id| names.get(&id))
        .map(String::as_str)
}

/// The columns a fit result is stored in.
pub fn stored(result: &FitResult) -> (i32, Option<Value>) {
    let breakdown = (!result.breakdown.is_empty())
        .then(|| serde_json::to_value(&result.breakdown).unwrap_or(Value::Null));
    (result.score, breakdown)
}

/// Ids of accounts whose fit matters to a contact's: the contact's own account.
pub fn account_ids(contacts: &[contact::Model]) -> Vec<Uuid> {
    let mut ids: Vec<Uuid> = contacts.iter().filter_map(|c| c.account_id).collect();
    ids.sort();
    ids.dedup();
    ids
}
