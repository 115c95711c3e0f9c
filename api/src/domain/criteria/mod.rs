//! The one criteria language: ICP criteria, fit rules, routing conditions, play triggers and
//! lead-contract acceptance are all trees of comparisons over a fixed field catalogue.
//!
//! Criteria arrive as JSON (`{"all":[...]}`, `{"any":[...]}`, `{"not":{...}}`,
//! `{"field":"account.industry","op":"IN","value":["Software"]}`) and are validated once, at
//! write time, by [`Criteria::parse_at`], whose errors name the offending JSON path. After that
//! the typed tree is trusted: [`Criteria::evaluate`] runs per event, so it never parses names,
//! never allocates and never fails.

mod eval;
mod field;
mod parse;

#[cfg(test)]
mod laws;

use std::fmt;

use serde_json::{json, Value};

pub use eval::{matches_words, FactValue, Facts, OwnedFact, StaticFacts};
pub use field::{Field, FieldKey, FieldKind, FieldNameError};

/// Deepest nesting accepted: the root is at depth 1.
pub const MAX_DEPTH: usize = 16;
/// Most nodes (groups and comparisons together) in one tree.
pub const MAX_NODES: usize = 200;

/// A predicate over a lead's facts.
#[derive(Debug, Clone, PartialEq)]
pub enum Criteria {
    /// Every child holds. Never empty once parsed.
    All(Vec<Criteria>),
    /// At least one child holds. Never empty once parsed.
    Any(Vec<Criteria>),
    Not(Box<Criteria>),
    Compare(Comparison),
}

/// One `{field, op, value}` test.
///
/// The fields are public so domain code can build criteria (an ICP proposal, say); only
/// [`Criteria::parse_at`] guarantees that the op fits the field and the value fits the op.
/// An ill-typed comparison is not an error at evaluation: it simply never holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub field: Field,
    pub op: Op,
    /// `None` exactly for [`Op::Exists`].
    pub value: Option<Literal>,
}

/// A comparison operator. NE and NOT_IN are the exact complements of EQ and IN, so they hold
/// when the fact is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    Eq,
    Ne,
    In,
    NotIn,
    Gt,
    Gte,
    Lt,
    Lte,
    /// Inclusive on both ends: `[low, high]`.
    Between,
    /// Substring of a text, or member of a text list.
    Contains,
    /// Every word of a phrase appears as a whole word, in any order ("vp sales" matches
    /// "VP of Sales"); the value may list several phrases, any one of which is enough.
    Matches,
    Exists,
}

impl Op {
    pub const ALL: [Op; 12] = [
        Op::Eq,
        Op::Ne,
        Op::In,
        Op::NotIn,
        Op::Gt,
        Op::Gte,
        Op::Lt,
        Op::Lte,
        Op::Between,
        Op::Contains,
        Op::Matches,
        Op::Exists,
    ];

    /// The JSON (and GraphQL enum) spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "EQ",
            Op::Ne => "NE",
            Op::In => "IN",
            Op::NotIn => "NOT_IN",
            Op::Gt => "GT",
            Op::Gte => "GTE",
            Op::Lt => "LT",
            Op::Lte => "LTE",
            Op::Between => "BETWEEN",
            Op::Contains => "CONTAINS",
            Op::Matches => "MATCHES",
            Op::Exists => "EXISTS",
        }
    }

    /// The op spelled `name`, exactly (ops are case-sensitive, like GraphQL enums).
    pub fn from_name(name: &str) -> Option<Op> {
        Op::ALL.into_iter().find(|op| op.as_str() == name)
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The value a comparison tests against. `Between` holds a two-element `NumberList`.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Text(String),
    Number(f64),
    Bool(bool),
    TextList(Vec<String>),
    NumberList(Vec<f64>),
}

/// A refused criteria document: where (a JSON path such as `criteria.all[2].value`) and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct CriteriaError {
    pub path: String,
    pub message: String,
}

/// One line of an explanation: a criterion in words and whether the facts meet it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClauseResult {
    pub description: String,
    pub met: bool,
    /// The facts that decided it: each field the clause tests with its value, as
    /// `lead.source = "Webinar"` (or `lead.source missing`), joined by `, `.
    pub value: String,
}

impl Criteria {
    /// Validates a criteria document whose errors are reported under the root `criteria`.
    pub fn parse(json: &Value) -> Result<Criteria, CriteriaError> {
        Criteria::parse_at(json, "criteria")
    }

    /// Validates a criteria document; error paths start with `root` (e.g. `input.acceptance`)
    /// so the caller's error names the argument the client actually sent.
    pub fn parse_at(json: &Value, root: &str) -> Result<Criteria, CriteriaError> {
        parse::parse(json, root)
    }

    /// The JSON form that [`Criteria::parse`] accepts; integral numbers are written as
    /// integers so stored documents read the way people typed them.
    pub fn to_json(&self) -> Value {
        match self {
            Criteria::All(children) => {
                json!({ "all": children.iter().map(Criteria::to_json).collect::<Vec<_>>() })
            }
            Criteria::Any(children) => {
                json!({ "any": children.iter().map(Criteria::to_json).collect::<Vec<_>>() })
            }
            Criteria::Not(child) => json!({ "not": child.to_json() }),
            Criteria::Compare(c) => {
                let mut node = json!({ "field": c.field.to_string(), "op": c.op.as_str() });
                if let Some(value) = &c.value {
                    node["value"] = value.to_json();
                }
                node
            }
        }
    }

    /// Whether `facts` satisfy the criteria. Pure, infallible, and allocates nothing itself.
    pub fn evaluate(&self, facts: &(impl Facts + ?Sized)) -> bool {
        match self {
            Criteria::All(children) => children.iter().all(|c| c.evaluate(facts)),
            Criteria::Any(children) => children.iter().any(|c| c.evaluate(facts)),
            Criteria::Not(child) => !child.evaluate(facts),
            Criteria::Compare(c) => c.holds(facts.get(&c.field)),
        }
    }

    /// Why the criteria are or are not met: one line per child of a top-level `All` (each
    /// contract criterion, as a lead's "why is this an MQL" shows it), else one line in all.
    pub fn explain(&self, facts: &(impl Facts + ?Sized)) -> Vec<ClauseResult> {
        let clause = |c: &Criteria| ClauseResult {
            description: c.to_string(),
            met: c.evaluate(facts),
            value: c.deciding_values(facts),
        };
        match self {
            Criteria::All(children) => children.iter().map(clause).collect(),
            other => vec![clause(other)],
        }
    }
}

impl Criteria {
    /// Each field the criteria test, once, with the value the facts give it.
    fn deciding_values(&self, facts: &(impl Facts + ?Sized)) -> String {
        let mut fields: Vec<&Field> = Vec::new();
        self.collect_fields(&mut fields);
        fields
            .iter()
            .map(|field| match facts.get(field) {
                Some(value) => format!("{field} = {}", fact_text(value)),
                None => format!("{field} missing"),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn collect_fields<'c>(&'c self, into: &mut Vec<&'c Field>) {
        match self {
            Criteria::All(children) | Criteria::Any(children) => {
                children.iter().for_each(|c| c.collect_fields(into))
            }
            Criteria::Not(child) => child.collect_fields(into),
            Criteria::Compare(c) => {
                if !into.contains(&&c.field) {
                    into.push(&c.field);
                }
            }
        }
    }
}

fn fact_text(value: FactValue<'_>) -> String {
    match value {
        FactValue::Text(s) => format!("{s:?}"),
        FactValue::Number(n) => number_to_json(n).to_string(),
        FactValue::Bool(b) => b.to_string(),
        FactValue::TextList(items) => format!("{items:?}"),
    }
}

impl Literal {
    fn to_json(&self) -> Value {
        match self {
            Literal::Text(s) => Value::from(s.as_str()),
            Literal::Number(n) => number_to_json(*n),
            Literal::Bool(b) => Value::Bool(*b),
            Literal::TextList(items) => items.iter().map(String::as_str).collect(),
            Literal::NumberList(items) => items.iter().copied().map(number_to_json).collect(),
        }
    }
}

fn number_to_json(n: f64) -> Value {
    // Beyond 2^53 not every integer is an f64, so only smaller ones are written as integers.
    const EXACT: f64 = 9_007_199_254_740_992.0;
    if n.fract() == 0.0 && n.abs() < EXACT {
        Value::from(n as i64)
    } else {
        Value::from(n)
    }
}

/// A human reading: `account.employees BETWEEN 200 and 1000`, groups as `(a AND b)`.
impl fmt::Display for Criteria {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let group = |f: &mut fmt::Formatter<'_>, children: &[Criteria], joiner: &str| {
            f.write_str("(")?;
            for (i, child) in children.iter().enumerate() {
                if i > 0 {
                    f.write_str(joiner)?;
                }
                write!(f, "{child}")?;
            }
            f.write_str(")")
        };
        match self {
            Criteria::All(children) => group(f, children, " AND "),
            Criteria::Any(children) => group(f, children, " OR "),
            Criteria::Not(child) => write!(f, "NOT {child}"),
            Criteria::Compare(c) => write!(f, "{c}"),
        }
    }
}

impl fmt::Display for Comparison {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.field, self.op)?;
        match (&self.value, self.op) {
            (Some(Literal::NumberList(range)), Op::Between) if range.len() == 2 => {
                write!(f, " {} and {}", range[0], range[1])
            }
            (Some(value), _) => write!(f, " {value}"),
            (None, _) => Ok(()),
        }
    }
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Text(s) => write!(f, "{s:?}"),
            Literal::Number(n) => write!(f, "{n}"),
            Literal::Bool(b) => write!(f, "{b}"),
            Literal::TextList(items) => write!(f, "{items:?}"),
            Literal::NumberList(items) => {
                f.write_str("[")?;
                for (i, n) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{n}")?;
                }
                f.write_str("]")
            }
        }
    }
}

/// Serialises as [`Criteria::to_json`], so criteria can sit inside other serde types.
impl serde::Serialize for Criteria {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}

/// Deserialises through [`Criteria::parse`], so a stored document is validated on the way in.
impl<'de> serde::Deserialize<'de> for Criteria {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let json = Value::deserialize(deserializer)?;
        Criteria::parse(&json).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(json: Value) -> Criteria {
        Criteria::parse(&json).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn ops_round_trip_through_their_names() {
        for op in Op::ALL {
            assert_eq!(Op::from_name(op.as_str()), Some(op));
        }
        assert_eq!(Op::from_name("eq"), None);
        assert_eq!(Op::from_name("NOTIN"), None);
    }

    #[test]
    fn json_round_trips_exactly() {
        let documents = [
            json!({"field": "account.industry", "op": "IN", "value": ["Software", "SaaS"]}),
            json!({"field": "account.employees", "op": "BETWEEN", "value": [200, 1000]}),
            json!({"field": "account.annualRevenue", "op": "GTE", "value": 2_500_000}),
            json!({"field": "lead.fitScore", "op": "LT", "value": 12.5}),
            json!({"field": "account.employees", "op": "NOT_IN", "value": [-1, 0.5]}),
            json!({"field": "contact.personalEmail", "op": "EQ", "value": false}),
            json!({"field": "contact.email", "op": "EXISTS"}),
            json!({"field": "contact.title", "op": "MATCHES", "value": ["vp sales", "cro"]}),
            json!({"field": "account.custom.plan", "op": "NE", "value": "free"}),
            json!({"all": [
                {"field": "lead.score", "op": "GTE", "value": 50},
                {"any": [
                    {"field": "contact.tags", "op": "CONTAINS", "value": "champion"},
                    {"not": {"field": "event.properties.path", "op": "EQ", "value": "/jobs"}},
                ]},
            ]}),
        ];
        for document in documents {
            let criteria = parsed(document.clone());
            assert_eq!(criteria.to_json(), document);
            assert_eq!(parsed(criteria.to_json()), criteria);
        }
    }

    #[test]
    fn json_text_round_trips_through_serde() {
        let text = r#"{"not":{"field":"account.employees","op":"GT","value":1000}}"#;
        let criteria: Criteria = serde_json::from_str(text).unwrap();
        assert_eq!(serde_json::to_string(&criteria).unwrap(), text);
        let err = serde_json::from_str::<Criteria>(r#"{"not":{"field":"x","op":"EQ"}}"#);
        assert_eq!(
            err.unwrap_err().to_string(),
            "criteria.not.field: unknown field `x`"
        );
    }

    #[test]
    fn descriptions_read_like_sentences() {
        let between =
            parsed(json!({"field": "account.employees", "op": "BETWEEN", "value": [200, 1000]}));
        assert_eq!(
            between.to_string(),
            "account.employees BETWEEN 200 and 1000"
        );
        let tree = parsed(json!({"any": [
            {"field": "account.industry", "op": "IN", "value": ["Software", "SaaS"]},
            {"not": {"field": "contact.email", "op": "EXISTS"}},
            {"all": [
                {"field": "lead.score", "op": "GTE", "value": 50.5},
                {"field": "account.namedAccount", "op": "EQ", "value": true},
                {"field": "account.employees", "op": "IN", "value": [1, 2]},
            ]},
        ]}));
        assert_eq!(
            tree.to_string(),
            concat!(
                r#"(account.industry IN ["Software", "SaaS"] OR NOT contact.email EXISTS OR "#,
                "(lead.score GTE 50.5 AND account.namedAccount EQ true ",
                "AND account.employees IN [1, 2]))"
            )
        );
    }

    #[test]
    fn explain_lists_each_top_level_criterion() {
        let contract = parsed(json!({"all": [
            {"field": "account.employees", "op": "BETWEEN", "value": [200, 1000]},
            {"field": "lead.score", "op": "GTE", "value": 50},
        ]}));
        let facts = StaticFacts::new()
            .with(Field::AccountEmployees, 350.0)
            .with(Field::LeadScore, 20.0);
        assert_eq!(
            contract.explain(&facts),
            [
                ClauseResult {
                    description: "account.employees BETWEEN 200 and 1000".into(),
                    met: true,
                    value: "account.employees = 350".into(),
                },
                ClauseResult {
                    description: "lead.score GTE 50".into(),
                    met: false,
                    value: "lead.score = 20".into(),
                },
            ]
        );
        let single = parsed(json!({"not": {"field": "lead.score", "op": "GTE", "value": 50}}));
        assert_eq!(
            single.explain(&facts),
            [ClauseResult {
                description: "NOT lead.score GTE 50".into(),
                met: true,
                value: "lead.score = 20".into(),
            }]
        );
        let group = parsed(json!({"any": [
            {"field": "lead.source", "op": "EQ", "value": "webinar"},
            {"field": "lead.score", "op": "GTE", "value": 50},
        ]}));
        assert_eq!(
            group.explain(&facts),
            [ClauseResult {
                description: "(lead.source EQ \"webinar\" OR lead.score GTE 50)".into(),
                met: false,
                value: "lead.source missing, lead.score = 20".into(),
            }]
        );
    }
}
