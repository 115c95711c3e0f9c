//! Evaluation: the per-event hot path, so it borrows every fact and allocates nothing.

use std::collections::HashMap;

use super::{Comparison, Field, Literal, Op};

/// The facts about one lead (its account, contact, scores and the current event).
///
/// Implemented by whatever already holds the records, so evaluation borrows them instead of
/// copying them into a map first.
pub trait Facts {
    /// The field's value, or `None` when the record has no value for it.
    fn get(&self, field: &Field) -> Option<FactValue<'_>>;
}

/// A borrowed fact.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FactValue<'a> {
    Text(&'a str),
    Number(f64),
    Bool(bool),
    TextList(&'a [String]),
}

/// An owned fact, for [`StaticFacts`].
#[derive(Debug, Clone, PartialEq)]
pub enum OwnedFact {
    Text(String),
    Number(f64),
    Bool(bool),
    TextList(Vec<String>),
}

impl OwnedFact {
    pub fn as_fact(&self) -> FactValue<'_> {
        match self {
            OwnedFact::Text(s) => FactValue::Text(s),
            OwnedFact::Number(n) => FactValue::Number(*n),
            OwnedFact::Bool(b) => FactValue::Bool(*b),
            OwnedFact::TextList(items) => FactValue::TextList(items),
        }
    }
}

impl From<&str> for OwnedFact {
    fn from(s: &str) -> Self {
        OwnedFact::Text(s.to_owned())
    }
}

impl From<String> for OwnedFact {
    fn from(s: String) -> Self {
        OwnedFact::Text(s)
    }
}

impl From<f64> for OwnedFact {
    fn from(n: f64) -> Self {
        OwnedFact::Number(n)
    }
}

impl From<bool> for OwnedFact {
    fn from(b: bool) -> Self {
        OwnedFact::Bool(b)
    }
}

impl From<Vec<String>> for OwnedFact {
    fn from(items: Vec<String>) -> Self {
        OwnedFact::TextList(items)
    }
}

impl<const N: usize> From<[&str; N]> for OwnedFact {
    fn from(items: [&str; N]) -> Self {
        OwnedFact::TextList(items.map(str::to_owned).into())
    }
}

/// Facts held in a map: for tests, back-tests and previews, where no record is at hand.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StaticFacts(HashMap<Field, OwnedFact>);

impl StaticFacts {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with(mut self, field: Field, value: impl Into<OwnedFact>) -> Self {
        self.insert(field, value);
        self
    }

    pub fn insert(&mut self, field: Field, value: impl Into<OwnedFact>) {
        self.0.insert(field, value.into());
    }
}

impl FromIterator<(Field, OwnedFact)> for StaticFacts {
    fn from_iter<I: IntoIterator<Item = (Field, OwnedFact)>>(iter: I) -> Self {
        StaticFacts(iter.into_iter().collect())
    }
}

impl Facts for StaticFacts {
    fn get(&self, field: &Field) -> Option<FactValue<'_>> {
        self.0.get(field).map(OwnedFact::as_fact)
    }
}

impl Comparison {
    /// Whether the comparison holds for `fact` (`None`: the fact is missing).
    pub fn holds(&self, fact: Option<FactValue<'_>>) -> bool {
        match self.op {
            Op::Exists => fact.is_some(),
            // The negated ops are exact complements, so a lead with no industry is "not in"
            // the excluded industries, and a fact of an unexpected type is "not equal".
            Op::Ne => !fact.is_some_and(|f| self.test(Op::Eq, f)),
            Op::NotIn => !fact.is_some_and(|f| self.test(Op::In, f)),
            op => fact.is_some_and(|f| self.test(op, f)),
        }
    }

    /// A positive op on a present fact. A fact whose type does not fit the value (a custom
    /// attribute holding a number compared with a text) never holds: no coercion.
    fn test(&self, op: Op, fact: FactValue<'_>) -> bool {
        use FactValue as F;
        use Literal as L;
        let Some(value) = &self.value else {
            return false;
        };
        match (op, fact, value) {
            (Op::Eq, F::Text(a), L::Text(b)) => a.eq_ignore_ascii_case(b),
            (Op::Eq, F::Number(a), L::Number(b)) => a == *b,
            (Op::Eq, F::Bool(a), L::Bool(b)) => a == *b,
            (Op::In, F::Text(a), L::TextList(list)) => has_text(list, a),
            (Op::In, F::TextList(items), L::TextList(list)) => {
                items.iter().any(|item| has_text(list, item))
            }
            (Op::In, F::Number(a), L::NumberList(list)) => list.contains(&a),
            (Op::Gt, F::Number(a), L::Number(b)) => a > *b,
            (Op::Gte, F::Number(a), L::Number(b)) => a >= *b,
            (Op::Lt, F::Number(a), L::Number(b)) => a < *b,
            (Op::Lte, F::Number(a), L::Number(b)) => a <= *b,
            (Op::Between, F::Number(a), L::NumberList(range)) => {
                matches!(range[..], [low, high] if low <= a && a <= high)
            }
            (Op::Contains, F::Text(a), L::Text(b)) => contains_ignore_case(a, b),
            (Op::Contains, F::TextList(items), L::Text(b)) => has_text(items, b),
            (Op::Matches, F::Text(a), L::Text(phrase)) => matches_words(a, phrase),
            (Op::Matches, F::Text(a), L::TextList(phrases)) => {
                phrases.iter().any(|phrase| matches_words(a, phrase))
            }
            _ => false,
        }
    }
}

fn has_text(list: &[String], text: &str) -> bool {
    list.iter().any(|item| item.eq_ignore_ascii_case(text))
}

/// Case-insensitive substring search without lower-casing copies. Comparing byte windows is
/// sound on UTF-8: a valid needle can only match at a character boundary, and ASCII folding
/// leaves multi-byte sequences alone.
fn contains_ignore_case(haystack: &str, needle: &str) -> bool {
    needle.is_empty()
        || haystack
            .as_bytes()
            .windows(needle.len())
            .any(|window| window.eq_ignore_ascii_case(needle.as_bytes()))
}

/// The words of a text: runs of letters and digits, so "VP, Sales & Ops" is VP/Sales/Ops.
pub(super) fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
}

/// Whether every word of `phrase` is a whole word of `text`, in any order. Whole words keep
/// "vp" from matching "MVP"; any order lets "vp sales" match "Sales VP". A phrase without
/// words matches nothing (parsing refuses one anyway).
pub fn matches_words(text: &str, phrase: &str) -> bool {
    let mut wanted = words(phrase).peekable();
    wanted.peek().is_some()
        && wanted.all(|word| words(text).any(|candidate| candidate.eq_ignore_ascii_case(word)))
}

#[cfg(test)]
mod tests {
    use super::super::{Criteria, FieldKey};
    use super::*;
    use serde_json::{json, Value};

    fn key(name: &str) -> FieldKey {
        FieldKey::new(name).unwrap()
    }

    fn lead() -> StaticFacts {
        StaticFacts::new()
            .with(Field::AccountIndustry, "Software")
            .with(Field::AccountEmployees, 350.0)
            .with(Field::AccountNamedAccount, true)
            .with(Field::AccountTechnologies, ["Salesforce", "HubSpot"])
            .with(Field::ContactTitle, "VP of Sales, EMEA")
            .with(Field::AccountCustom(key("plan")), "Enterprise")
            .with(Field::AccountCustom(key("seats")), 40.0)
            .with(Field::ContactCustom(key("trial")), true)
    }

    /// Evaluates one comparison against [`lead`].
    fn holds(field: &str, op: &str, value: Value) -> bool {
        let mut json = json!({"field": field, "op": op});
        if !value.is_null() {
            json["value"] = value;
        }
        let criteria = Criteria::parse(&json).unwrap_or_else(|e| panic!("{e}"));
        criteria.evaluate(&lead())
    }

    fn check(field: &str, cases: &[(&str, Value, bool)]) {
        for (op, value, expected) in cases {
            assert_eq!(
                holds(field, op, value.clone()),
                *expected,
                "{field} {op} {value}"
            );
        }
    }

    #[test]
    fn text_fields() {
        check(
            "account.industry",
            &[
                ("EQ", json!("software"), true),
                ("EQ", json!("Soft"), false),
                ("NE", json!("SOFTWARE"), false),
                ("NE", json!("Retail"), true),
                ("IN", json!(["SaaS", "software"]), true),
                ("IN", json!(["Retail"]), false),
                ("NOT_IN", json!(["SaaS", "software"]), false),
                ("NOT_IN", json!(["Retail"]), true),
                ("CONTAINS", json!("WARE"), true),
                ("CONTAINS", json!("hardware"), false),
                ("MATCHES", json!("software"), true),
                ("EXISTS", Value::Null, true),
            ],
        );
    }

    #[test]
    fn matches_is_a_whole_word_match_in_any_order() {
        check(
            "contact.title",
            &[
                ("MATCHES", json!("vp sales"), true),
                ("MATCHES", json!("Sales VP"), true),
                ("MATCHES", json!("vp, emea!"), true),
                ("MATCHES", json!("vp marketing"), false),
                ("MATCHES", json!("sale"), false),
                ("MATCHES", json!(["cro", "vp sales"]), true),
                ("MATCHES", json!(["cro", "cmo"]), false),
            ],
        );
        assert!(!matches_words("MVP Engineer", "vp"));
        assert!(!matches_words("Salesforce Admin", "sales"));
        assert!(matches_words("Co-Founder & CEO", "co founder"));
        assert!(!matches_words("Anything", " - "));
    }

    #[test]
    fn number_fields() {
        check(
            "account.employees",
            &[
                ("EQ", json!(350), true),
                ("EQ", json!(350.5), false),
                ("NE", json!(350), false),
                ("NE", json!(10), true),
                ("IN", json!([100, 350]), true),
                ("IN", json!([100]), false),
                ("NOT_IN", json!([100, 350]), false),
                ("NOT_IN", json!([100]), true),
                ("GT", json!(349.5), true),
                ("GT", json!(350), false),
                ("GTE", json!(350), true),
                ("GTE", json!(351), false),
                ("LT", json!(351), true),
                ("LT", json!(350), false),
                ("LTE", json!(350), true),
                ("LTE", json!(349), false),
                ("BETWEEN", json!([350, 1000]), true),
                ("BETWEEN", json!([200, 350]), true),
                ("BETWEEN", json!([350, 350]), true),
                ("BETWEEN", json!([351, 1000]), false),
                ("BETWEEN", json!([1, 349.99]), false),
                ("EXISTS", Value::Null, true),
            ],
        );
    }

    #[test]
    fn bool_fields() {
        check(
            "account.namedAccount",
            &[
                ("EQ", json!(true), true),
                ("EQ", json!(false), false),
                ("NE", json!(false), true),
                ("NE", json!(true), false),
                ("EXISTS", Value::Null, true),
            ],
        );
    }

    #[test]
    fn text_list_fields() {
        check(
            "account.technologies",
            &[
                ("IN", json!(["hubspot", "Marketo"]), true),
                ("IN", json!(["Marketo"]), false),
                ("NOT_IN", json!(["Marketo", "SALESFORCE"]), false),
                ("NOT_IN", json!(["Marketo"]), true),
                ("CONTAINS", json!("salesforce"), true),
                ("CONTAINS", json!("sales"), false),
                ("EXISTS", Value::Null, true),
            ],
        );
    }

    #[test]
    fn custom_fields_compare_by_the_fact_they_hold() {
        check(
            "account.custom.plan",
            &[
                ("EQ", json!("enterprise"), true),
                ("EQ", json!(1), false),
                ("NE", json!(1), true),
                ("IN", json!(["Free", "ENTERPRISE"]), true),
                ("IN", json!([1, 2]), false),
                ("CONTAINS", json!("prise"), true),
                ("MATCHES", json!("enterprise"), true),
                ("GT", json!(1), false),
                ("EXISTS", Value::Null, true),
            ],
        );
        check(
            "account.custom.seats",
            &[
                ("EQ", json!(40), true),
                ("EQ", json!("40"), false),
                ("NE", json!("40"), true),
                ("IN", json!([10, 40]), true),
                ("NOT_IN", json!([10, 40]), false),
                ("GT", json!(39), true),
                ("GTE", json!(40), true),
                ("LT", json!(40), false),
                ("LTE", json!(40), true),
                ("BETWEEN", json!([1, 40]), true),
                ("CONTAINS", json!("4"), false),
            ],
        );
        check(
            "contact.custom.trial",
            &[
                ("EQ", json!(true), true),
                ("NE", json!(true), false),
                ("EQ", json!("true"), false),
            ],
        );
    }

    #[test]
    fn missing_facts_are_only_unequal_and_not_in() {
        for field in [
            "contact.email",
            "lead.score",
            "contact.personalEmail",
            "contact.tags",
        ] {
            assert!(!holds(field, "EXISTS", Value::Null), "{field}");
        }
        check(
            "lead.score",
            &[
                ("EQ", json!(0), false),
                ("NE", json!(0), true),
                ("IN", json!([0]), false),
                ("NOT_IN", json!([0]), true),
                ("GT", json!(-1), false),
                ("LTE", json!(100), false),
                ("BETWEEN", json!([-100, 100]), false),
            ],
        );
        check(
            "contact.email",
            &[
                ("EQ", json!(""), false),
                ("NE", json!(""), true),
                ("CONTAINS", json!("@"), false),
                ("MATCHES", json!("ana"), false),
            ],
        );
        check(
            "contact.tags",
            &[
                ("IN", json!(["vip"]), false),
                ("NOT_IN", json!(["vip"]), true),
                ("CONTAINS", json!("vip"), false),
            ],
        );
    }

    #[test]
    fn case_folding_is_ascii_only() {
        assert!(contains_ignore_case("ÉCOLE Normale", "normale"));
        assert!(!contains_ignore_case("ÉCOLE", "école"));
        assert!(contains_ignore_case("Stra\u{df}e", "STRA\u{df}"));
        assert!(!contains_ignore_case("ab", "abc"));
        assert!(contains_ignore_case("ab", ""));
    }

    #[test]
    fn works_through_a_trait_object() {
        let facts: &dyn Facts = &lead();
        let criteria = Criteria::parse(&json!({"field": "lead.score", "op": "NE", "value": 1}));
        assert!(criteria.unwrap().evaluate(facts));
    }
}
