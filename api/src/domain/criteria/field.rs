//! The fixed catalogue of fields a criterion may test.
//!
//! Fields are an enum rather than strings so that evaluation, which runs per event, never
//! parses or compares names: a `Facts` implementation matches on the variant.

use std::fmt;
use std::str::FromStr;

/// What a field holds, which decides the ops and values a comparison on it may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldKind {
    Text,
    Number,
    Bool,
    TextList,
    /// A custom attribute or event property: text, number or bool, known only per record, so
    /// the comparison's value decides how it is compared.
    Scalar,
}

impl FieldKind {
    /// The lower-case name used in error messages ("GT does not apply to a text field").
    pub fn as_str(self) -> &'static str {
        match self {
            FieldKind::Text => "text",
            FieldKind::Number => "number",
            FieldKind::Bool => "bool",
            FieldKind::TextList => "text list",
            FieldKind::Scalar => "custom",
        }
    }
}

/// The key of a dynamic field (`account.custom.<key>`, `event.properties.<key>`).
///
/// Only constructible through [`FieldKey::new`], so every key in a `Field` is known to be
/// 1 to 64 ASCII letters, digits or underscores: safe to use as a JSON key or in a SQL path.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FieldKey(String);

impl FieldKey {
    pub const MAX_LEN: usize = 64;

    /// `None` unless `key` matches `[A-Za-z0-9_]{1,64}`.
    pub fn new(key: &str) -> Option<Self> {
        let valid = (1..=Self::MAX_LEN).contains(&key.len())
            && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        valid.then(|| FieldKey(key.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Why a name is not a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FieldNameError {
    #[error("unknown field")]
    Unknown,
    #[error("invalid key: use 1 to 64 letters, digits or underscores")]
    InvalidKey,
}

/// Declares the fixed fields once, so the variant, its JSON name and its kind cannot drift.
macro_rules! fields {
    ($($(#[$doc:meta])* $variant:ident = $name:literal : $kind:ident,)*) => {
        /// A field of the catalogue. Its JSON name is its `Display`.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum Field {
            $($(#[$doc])* $variant,)*
            /// `account.custom.<key>`: a workspace-defined account attribute.
            AccountCustom(FieldKey),
            /// `contact.custom.<key>`: a workspace-defined contact attribute.
            ContactCustom(FieldKey),
            /// `event.properties.<key>`: a property of the event being evaluated.
            EventProperty(FieldKey),
        }

        impl Field {
            /// Every field without a key, in catalogue order (for documentation and tests).
            pub const FIXED: &'static [Field] = &[$(Field::$variant,)*];

            /// What the field holds.
            pub fn kind(&self) -> FieldKind {
                match self {
                    $(Field::$variant => FieldKind::$kind,)*
                    Field::AccountCustom(_) | Field::ContactCustom(_) | Field::EventProperty(_) => {
                        FieldKind::Scalar
                    }
                }
            }

            fn fixed_name(&self) -> Option<&'static str> {
                match self {
                    $(Field::$variant => Some($name),)*
                    _ => None,
                }
            }

            fn from_fixed_name(name: &str) -> Option<Field> {
                match name {
                    $($name => Some(Field::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

fields! {
    AccountDomain = "account.domain": Text,
    AccountName = "account.name": Text,
    AccountIndustry = "account.industry": Text,
    AccountEmployees = "account.employees": Number,
    AccountAnnualRevenue = "account.annualRevenue": Number,
    /// ISO 3166-1 alpha-2 code.
    AccountCountry = "account.country": Text,
    AccountRegion = "account.region": Text,
    AccountTechnologies = "account.technologies": TextList,
    AccountSegment = "account.segment": Text,
    AccountTier = "account.tier": Text,
    AccountLifecycle = "account.lifecycle": Text,
    AccountNamedAccount = "account.namedAccount": Bool,
    AccountFitScore = "account.fitScore": Number,
    ContactEmail = "contact.email": Text,
    ContactEmailDomain = "contact.emailDomain": Text,
    ContactPersonalEmail = "contact.personalEmail": Bool,
    ContactTitle = "contact.title": Text,
    ContactPersona = "contact.persona": Text,
    ContactSeniority = "contact.seniority": Text,
    ContactTags = "contact.tags": TextList,
    LeadFitScore = "lead.fitScore": Number,
    LeadScore = "lead.score": Number,
    LeadEngagementScore = "lead.engagementScore": Number,
    LeadPqlScore = "lead.pqlScore": Number,
    LeadStage = "lead.stage": Text,
    LeadSource = "lead.source": Text,
    LeadSourceDetail = "lead.sourceDetail": Text,
    EventType = "event.type": Text,
}

const ACCOUNT_CUSTOM: &str = "account.custom.";
const CONTACT_CUSTOM: &str = "contact.custom.";
const EVENT_PROPERTY: &str = "event.properties.";

impl FromStr for Field {
    type Err = FieldNameError;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        if let Some(field) = Field::from_fixed_name(name) {
            return Ok(field);
        }
        let (key, make): (&str, fn(FieldKey) -> Field) =
            if let Some(key) = name.strip_prefix(ACCOUNT_CUSTOM) {
                (key, Field::AccountCustom)
            } else if let Some(key) = name.strip_prefix(CONTACT_CUSTOM) {
                (key, Field::ContactCustom)
            } else if let Some(key) = name.strip_prefix(EVENT_PROPERTY) {
                (key, Field::EventProperty)
            } else {
                return Err(FieldNameError::Unknown);
            };
        FieldKey::new(key)
            .map(make)
            .ok_or(FieldNameError::InvalidKey)
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (prefix, key) = match self {
            Field::AccountCustom(key) => (ACCOUNT_CUSTOM, key),
            Field::ContactCustom(key) => (CONTACT_CUSTOM, key),
            Field::EventProperty(key) => (EVENT_PROPERTY, key),
            fixed => return f.write_str(fixed.fixed_name().unwrap_or_default()),
        };
        write!(f, "{prefix}{}", key.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_fixed_field_round_trips_through_its_name() {
        assert_eq!(Field::FIXED.len(), 28);
        for field in Field::FIXED {
            assert_eq!(field.to_string().parse::<Field>().as_ref(), Ok(field));
            assert_ne!(field.kind(), FieldKind::Scalar, "{field}");
        }
    }

    #[test]
    fn kinds_follow_the_catalogue() {
        assert_eq!(Field::AccountIndustry.kind(), FieldKind::Text);
        assert_eq!(Field::AccountEmployees.kind(), FieldKind::Number);
        assert_eq!(Field::AccountNamedAccount.kind(), FieldKind::Bool);
        assert_eq!(Field::ContactTags.kind(), FieldKind::TextList);
        let custom: Field = "account.custom.arr_band".parse().unwrap();
        assert_eq!(custom.kind(), FieldKind::Scalar);
    }

    #[test]
    fn dynamic_fields_carry_their_key() {
        for name in [
            "account.custom.x",
            "contact.custom.Plan_2",
            "event.properties.page_path",
        ] {
            let field: Field = name.parse().unwrap();
            assert_eq!(field.to_string(), name);
        }
        assert_eq!(
            "event.properties.utm_source".parse(),
            Ok(Field::EventProperty(FieldKey::new("utm_source").unwrap()))
        );
    }

    #[test]
    fn keys_are_validated() {
        let long = "k".repeat(65);
        for key in ["", "a-b", "a.b", "é", " a", long.as_str()] {
            assert_eq!(
                format!("account.custom.{key}").parse::<Field>(),
                Err(FieldNameError::InvalidKey),
                "{key:?}"
            );
        }
        assert!(FieldKey::new(&"k".repeat(64)).is_some());
    }

    #[test]
    fn unknown_names_are_refused() {
        for name in [
            "",
            "account",
            "account.Industry",
            "lead.custom.x",
            "account.custom",
        ] {
            assert_eq!(
                name.parse::<Field>(),
                Err(FieldNameError::Unknown),
                "{name:?}"
            );
        }
    }
}
