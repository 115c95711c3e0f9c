//! The facts the criteria language reads, as plain structs the API layer fills from rows.
//!
//! Criteria run per event, so these views are built once per record and then only borrowed:
//! [`Facts::get`] hands out references into them and never allocates.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::criteria::{FactValue, Facts, Field, OwnedFact};

/// An account's firmographics.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AccountView {
    pub domain: Option<String>,
    pub name: Option<String>,
    pub industry: Option<String>,
    pub employees: Option<i64>,
    pub annual_revenue: Option<f64>,
    pub country: Option<String>,
    pub region: Option<String>,
    pub technologies: Vec<String>,
    pub segment: Option<String>,
    pub tier: Option<String>,
    pub lifecycle: Option<String>,
    pub named_account: bool,
    pub fit_score: Option<i32>,
    pub custom: CustomFields,
}

/// A contact's own attributes (its scores and stage belong to the [`LeadView`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContactView {
    pub email: Option<String>,
    pub email_domain: Option<String>,
    pub personal_email: bool,
    pub title: Option<String>,
    pub persona: Option<String>,
    pub seniority: Option<String>,
    pub tags: Vec<String>,
    pub custom: CustomFields,
    /// The name of the lead's source (`lead.source`); the row holds only its id.
    pub source: Option<String>,
}

/// The event being evaluated, borrowed from the ingested batch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EventView<'a> {
    pub event_type: &'a str,
    /// Read as scalars only: a list-valued property has no borrowed [`FactValue`] form, and
    /// converting one would allocate per event, so it reads as missing.
    pub properties: &'a Map<String, Value>,
}

/// Everything a lead-level criterion may test: the contact, its account, its scores and,
/// while an event is being processed, that event.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LeadView<'a> {
    pub account: Option<&'a AccountView>,
    pub contact: &'a ContactView,
    pub fit_score: Option<i32>,
    pub score: Option<i32>,
    pub engagement_score: Option<i32>,
    pub pql_score: Option<i32>,
    pub stage: Option<&'a str>,
    pub source: Option<&'a str>,
    pub source_detail: Option<&'a str>,
    pub event: Option<EventView<'a>>,
}

/// The lead-level view of a contact row, for fit, contract, routing and play criteria: every
/// lead field of the catalogue is filled from the row (the source's name from `contact`).
pub fn lead_view<'a>(
    row: &'a entity::contact::Model,
    contact: &'a ContactView,
    account: Option<&'a AccountView>,
) -> LeadView<'a> {
    LeadView {
        account,
        contact,
        fit_score: Some(row.fit_score),
        score: Some(row.engagement_score),
        engagement_score: Some(row.engagement_score),
        pql_score: Some(row.pql_score),
        stage: Some(row.stage.as_str()),
        source: contact.source.as_deref(),
        source_detail: row.source_detail.as_deref(),
        event: None,
    }
}

/// Workspace-defined attributes (`account.custom.*`, `contact.custom.*`), already in fact form.
///
/// Rows store them as a JSON object, but a JSON list of strings cannot be lent out as the
/// `&[String]` a [`FactValue::TextList`] needs, so the conversion happens here, once per
/// loaded record, instead of on every evaluation. Values that are neither a string, a number,
/// a bool nor a non-empty list of strings (null, objects, mixed lists) are dropped: no
/// criterion could test them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CustomFields(BTreeMap<String, OwnedFact>);

impl CustomFields {
    /// From a row's JSON column; anything but an object (null, say) means no attributes.
    pub fn from_json(json: &Value) -> Self {
        match json {
            Value::Object(map) => map
                .iter()
                .map(|(key, value)| (key.clone(), value.clone()))
                .collect(),
            _ => Self::default(),
        }
    }

    /// The attribute `key` as a fact.
    pub fn get(&self, key: &str) -> Option<FactValue<'_>> {
        self.0.get(key).map(OwnedFact::as_fact)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<Map<String, Value>> for CustomFields {
    fn from(map: Map<String, Value>) -> Self {
        map.into_iter().collect()
    }
}

impl FromIterator<(String, Value)> for CustomFields {
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(iter: I) -> Self {
        CustomFields(
            iter.into_iter()
                .filter_map(|(key, value)| Some((key, owned_fact(value)?)))
                .collect(),
        )
    }
}

fn owned_fact(value: Value) -> Option<OwnedFact> {
    match value {
        Value::String(s) => Some(OwnedFact::Text(s)),
        Value::Number(n) => n.as_f64().map(OwnedFact::Number),
        Value::Bool(b) => Some(OwnedFact::Bool(b)),
        Value::Array(items) if !items.is_empty() => items
            .into_iter()
            .map(|item| match item {
                Value::String(s) => Some(s),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()
            .map(OwnedFact::TextList),
        _ => None,
    }
}

/// A JSON scalar as a borrowed fact; lists and objects have no borrowed form.
fn scalar_fact(value: &Value) -> Option<FactValue<'_>> {
    match value {
        Value::String(s) => Some(FactValue::Text(s)),
        Value::Number(n) => n.as_f64().map(FactValue::Number),
        Value::Bool(b) => Some(FactValue::Bool(*b)),
        _ => None,
    }
}

fn text(value: &Option<String>) -> Option<FactValue<'_>> {
    value.as_deref().map(FactValue::Text)
}

fn number(value: Option<i32>) -> Option<FactValue<'static>> {
    value.map(|n| FactValue::Number(n.into()))
}

/// An empty list reads as missing: enrichment that found nothing and enrichment that never ran
/// look the same in a row, so `EXISTS` means "has at least one".
fn list(items: &[String]) -> Option<FactValue<'_>> {
    (!items.is_empty()).then_some(FactValue::TextList(items))
}

impl Facts for AccountView {
    /// Account fields only: an account alone knows nothing about contacts, leads or events.
    fn get(&self, field: &Field) -> Option<FactValue<'_>> {
        match field {
            Field::AccountDomain => text(&self.domain),
            Field::AccountName => text(&self.name),
            Field::AccountIndustry => text(&self.industry),
            // Head counts stay far below 2^53, where every integer is still an exact f64.
            Field::AccountEmployees => self.employees.map(|n| FactValue::Number(n as f64)),
            Field::AccountAnnualRevenue => self.annual_revenue.map(FactValue::Number),
            Field::AccountCountry => text(&self.country),
            Field::AccountRegion => text(&self.region),
            Field::AccountTechnologies => list(&self.technologies),
            Field::AccountSegment => text(&self.segment),
            Field::AccountTier => text(&self.tier),
            Field::AccountLifecycle => text(&self.lifecycle),
            Field::AccountNamedAccount => Some(FactValue::Bool(self.named_account)),
            Field::AccountFitScore => number(self.fit_score),
            Field::AccountCustom(key) => self.custom.get(key.as_str()),
            _ => None,
        }
    }
}

impl Facts for LeadView<'_> {
    fn get(&self, field: &Field) -> Option<FactValue<'_>> {
        let contact = self.contact;
        match field {
            Field::ContactEmail => text(&contact.email),
            Field::ContactEmailDomain => text(&contact.email_domain),
            Field::ContactPersonalEmail => Some(FactValue::Bool(contact.personal_email)),
            Field::ContactTitle => text(&contact.title),
            Field::ContactPersona => text(&contact.persona),
            Field::ContactSeniority => text(&contact.seniority),
            Field::ContactTags => list(&contact.tags),
            Field::ContactCustom(key) => contact.custom.get(key.as_str()),
            Field::LeadFitScore => number(self.fit_score),
            Field::LeadScore => number(self.score),
            Field::LeadEngagementScore => number(self.engagement_score),
            Field::LeadPqlScore => number(self.pql_score),
            Field::LeadStage => self.stage.map(FactValue::Text),
            Field::LeadSource => self.source.map(FactValue::Text),
            Field::LeadSourceDetail => self.source_detail.map(FactValue::Text),
            Field::EventType => self.event.map(|e| FactValue::Text(e.event_type)),
            Field::EventProperty(key) => self
                .event
                .and_then(|e| e.properties.get(key.as_str()))
                .and_then(scalar_fact),
            // Every remaining field is an account field.
            account_field => self.account?.get(account_field),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::criteria::{Criteria, FieldKey};
    use serde_json::json;

    fn key(name: &str) -> FieldKey {
        FieldKey::new(name).unwrap()
    }

    fn account() -> AccountView {
        AccountView {
            domain: Some("acme.io".into()),
            name: Some("Acme".into()),
            industry: Some("Software".into()),
            employees: Some(400),
            annual_revenue: Some(25_000_000.0),
            country: Some("US".into()),
            region: Some("North America".into()),
            technologies: vec!["Salesforce".into(), "HubSpot".into()],
            segment: Some("Mid-Market".into()),
            tier: Some("Tier 1".into()),
            lifecycle: Some("PROSPECT".into()),
            named_account: true,
            fit_score: Some(80),
            custom: CustomFields::from_json(&json!({
                "competitor": false,
                "seats": 40,
                "plan": "Enterprise",
                "products": ["CRM", "CPQ"],
                "mixed": ["a", 1],
                "empty": [],
                "nested": {"a": 1},
                "nothing": null,
            })),
        }
    }

    fn contact() -> ContactView {
        ContactView {
            email: Some("jane@acme.io".into()),
            email_domain: Some("acme.io".into()),
            personal_email: false,
            title: Some("VP of Sales".into()),
            persona: Some("Sales Leader".into()),
            seniority: Some("VP".into()),
            tags: vec!["champion".into()],
            custom: CustomFields::from_json(&json!({"trial": true})),
            source: Some("Webinar".into()),
        }
    }

    fn lead<'a>(
        account: Option<&'a AccountView>,
        contact: &'a ContactView,
        properties: &'a Map<String, Value>,
    ) -> LeadView<'a> {
        LeadView {
            account,
            contact,
            fit_score: Some(75),
            score: Some(60),
            engagement_score: Some(35),
            pql_score: Some(40),
            stage: Some("MQL"),
            source: Some("Webinar"),
            source_detail: Some("Q3 pipeline webinar"),
            event: Some(EventView {
                event_type: "pricing_page_visit",
                properties,
            }),
        }
    }

    fn holds(facts: &impl Facts, json: Value) -> bool {
        Criteria::parse(&json)
            .unwrap_or_else(|e| panic!("{e}"))
            .evaluate(facts)
    }

    fn field(name: &str) -> Field {
        name.parse().unwrap()
    }

    #[test]
    fn every_fixed_account_field_is_read_from_the_account() {
        let account = account();
        for f in Field::FIXED {
            let is_account = f.to_string().starts_with("account.");
            assert_eq!(account.get(f).is_some(), is_account, "{f}");
        }
        assert_eq!(
            account.get(&Field::AccountEmployees),
            Some(FactValue::Number(400.0))
        );
        assert_eq!(
            account.get(&Field::AccountFitScore),
            Some(FactValue::Number(80.0))
        );
    }

    #[test]
    fn a_lead_reads_every_fixed_field() {
        let (account, contact, properties) = (account(), contact(), Map::new());
        let lead = lead(Some(&account), &contact, &properties);
        for f in Field::FIXED {
            assert!(lead.get(f).is_some(), "{f}");
        }
        assert_eq!(
            lead.get(&Field::LeadFitScore),
            Some(FactValue::Number(75.0))
        );
        assert_eq!(
            lead.get(&Field::EventType),
            Some(FactValue::Text("pricing_page_visit"))
        );
    }

    #[test]
    fn the_view_of_a_row_fills_every_lead_field() {
        let contact = contact();
        let row = entity::contact::Model {
            id: uuid::Uuid::nil(),
            workspace_id: uuid::Uuid::nil(),
            email: None,
            external_id: None,
            account_id: None,
            name: None,
            title: None,
            persona: None,
            seniority: None,
            personal_email: false,
            source_id: Some(uuid::Uuid::nil()),
            source_detail: Some("Q3 pipeline webinar".into()),
            owner_id: None,
            stage: entity::LeadStage::Lead,
            fit_score: 70,
            fit_breakdown: None,
            engagement_score: 30,
            pql_score: 45,
            last_engaged_at: None,
            mql_kind: None,
            stage_changed_at: None,
            assigned_at: None,
            routing: None,
            tags: json!([]),
            check_back_on: None,
            recycle_tag: None,
            waiting_since: None,
            last_event_at: None,
            opted_out_at: None,
            custom: json!({}),
            created_at: chrono::DateTime::UNIX_EPOCH,
            updated_at: chrono::DateTime::UNIX_EPOCH,
        };
        let lead = lead_view(&row, &contact, None);
        for f in Field::FIXED {
            let name = f.to_string();
            if name.starts_with("lead.") {
                assert!(lead.get(f).is_some(), "{f}");
            }
        }
        assert_eq!(
            lead.get(&Field::LeadPqlScore),
            Some(FactValue::Number(45.0))
        );
        assert_eq!(
            lead.get(&Field::LeadSource),
            Some(FactValue::Text("Webinar"))
        );
    }

    #[test]
    fn a_lead_without_account_or_event_has_no_such_facts() {
        let contact = contact();
        let properties = Map::new();
        let lead = LeadView {
            event: None,
            ..lead(None, &contact, &properties)
        };
        for f in Field::FIXED {
            let name = f.to_string();
            if name.starts_with("account.") || name.starts_with("event.") {
                assert_eq!(lead.get(f), None, "{f}");
            }
        }
        assert!(holds(
            &lead,
            json!({"field": "account.industry", "op": "NOT_IN", "value": ["Retail"]})
        ));
    }

    #[test]
    fn custom_fields_keep_scalars_and_string_lists() {
        let account = account();
        let custom = |name: &str| account.get(&Field::AccountCustom(key(name)));
        assert_eq!(custom("competitor"), Some(FactValue::Bool(false)));
        assert_eq!(custom("seats"), Some(FactValue::Number(40.0)));
        assert_eq!(custom("plan"), Some(FactValue::Text("Enterprise")));
        let products = ["CRM".to_owned(), "CPQ".to_owned()];
        assert_eq!(custom("products"), Some(FactValue::TextList(&products)));
        for dropped in ["mixed", "empty", "nested", "nothing", "absent"] {
            assert_eq!(custom(dropped), None, "{dropped}");
        }
        assert_eq!(account.custom.len(), 4);
        assert!(CustomFields::from_json(&Value::Null).is_empty());
        assert!(holds(
            &account,
            json!({"field": "account.custom.products", "op": "CONTAINS", "value": "cpq"})
        ));
    }

    #[test]
    fn contact_custom_fields_and_event_properties_are_read_through_the_lead() {
        let (account, contact) = (account(), contact());
        let properties = json!({"path": "/pricing", "seconds": 42, "repeat": true, "ids": ["x"]});
        let properties = properties.as_object().unwrap();
        let lead = lead(Some(&account), &contact, properties);
        assert_eq!(
            lead.get(&field("contact.custom.trial")),
            Some(FactValue::Bool(true))
        );
        assert_eq!(
            lead.get(&field("account.custom.plan")),
            Some(FactValue::Text("Enterprise"))
        );
        assert_eq!(
            lead.get(&field("event.properties.path")),
            Some(FactValue::Text("/pricing"))
        );
        assert_eq!(
            lead.get(&field("event.properties.seconds")),
            Some(FactValue::Number(42.0))
        );
        assert_eq!(
            lead.get(&field("event.properties.repeat")),
            Some(FactValue::Bool(true))
        );
        assert_eq!(lead.get(&field("event.properties.ids")), None);
        assert_eq!(lead.get(&field("event.properties.absent")), None);
    }

    #[test]
    fn empty_lists_read_as_missing() {
        let account = AccountView::default();
        assert_eq!(account.get(&Field::AccountTechnologies), None);
        assert!(!holds(
            &account,
            json!({"field": "account.technologies", "op": "EXISTS"})
        ));
    }

    #[test]
    fn criteria_evaluate_against_a_lead() {
        let (account, contact, properties) = (account(), contact(), Map::new());
        let lead = lead(Some(&account), &contact, &properties);
        assert!(holds(
            &lead,
            json!({"all": [
                {"field": "contact.title", "op": "MATCHES", "value": ["vp sales"]},
                {"field": "account.employees", "op": "BETWEEN", "value": [200, 5000]},
                {"field": "account.technologies", "op": "CONTAINS", "value": "hubspot"},
                {"field": "contact.tags", "op": "CONTAINS", "value": "champion"},
                {"field": "lead.score", "op": "GTE", "value": 50},
                {"field": "lead.source", "op": "EQ", "value": "webinar"},
                {"field": "contact.personalEmail", "op": "EQ", "value": false},
            ]})
        ));
    }
}
