//! Write-time validation: JSON in, a typed tree or an error naming the offending path out.
//!
//! Everything evaluation relies on is checked here (the op fits the field's kind, the value
//! fits the op, lists are not empty, ranges are ordered, phrases have words) so that a stored
//! criteria document can never fail, or surprise, when it runs per event.

use serde_json::{Map, Value};

use super::eval::words;
use super::{Comparison, Criteria, CriteriaError, Field, FieldKind, FieldNameError, Literal, Op};
use super::{MAX_DEPTH, MAX_NODES};

/// The value a comparison needs, decided by its op and its field's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Expect {
    Nothing,
    Text,
    /// Text for CONTAINS: an empty needle would match everything.
    Needle,
    Number,
    Bool,
    /// A custom field's EQ/NE: text, number or bool.
    Scalar,
    TextList,
    NumberList,
    /// A custom field's IN/NOT_IN: all texts or all numbers.
    ScalarList,
    Range,
    /// A phrase or a list of phrases, each with at least one word.
    Phrases,
}

impl Expect {
    /// The one table of which ops apply to which kinds; `None` when the op does not apply.
    pub(super) fn of(op: Op, kind: FieldKind) -> Option<Expect> {
        use FieldKind as K;
        Some(match (op, kind) {
            (Op::Exists, _) => Expect::Nothing,
            (Op::Eq | Op::Ne, K::Text) => Expect::Text,
            (Op::Eq | Op::Ne, K::Number) => Expect::Number,
            (Op::Eq | Op::Ne, K::Bool) => Expect::Bool,
            (Op::Eq | Op::Ne, K::Scalar) => Expect::Scalar,
            (Op::In | Op::NotIn, K::Text | K::TextList) => Expect::TextList,
            (Op::In | Op::NotIn, K::Number) => Expect::NumberList,
            (Op::In | Op::NotIn, K::Scalar) => Expect::ScalarList,
            (Op::Gt | Op::Gte | Op::Lt | Op::Lte, K::Number | K::Scalar) => Expect::Number,
            (Op::Between, K::Number | K::Scalar) => Expect::Range,
            (Op::Contains, K::Text | K::TextList | K::Scalar) => Expect::Needle,
            // A custom field may hold a title-like text, so MATCHES is allowed there too.
            (Op::Matches, K::Text | K::Scalar) => Expect::Phrases,
            _ => return None,
        })
    }

    fn describe(self) -> &'static str {
        match self {
            Expect::Nothing => "no value",
            Expect::Text => "a string",
            Expect::Needle => "a non-empty string",
            Expect::Number => "a number",
            Expect::Bool => "true or false",
            Expect::Scalar => "a string, a number or true/false",
            Expect::TextList => "a non-empty list of strings",
            Expect::NumberList => "a non-empty list of numbers",
            Expect::ScalarList => "a non-empty list of strings or of numbers",
            Expect::Range => "a list of two numbers [low, high]",
            Expect::Phrases => "a phrase or a non-empty list of phrases",
        }
    }
}

pub(super) fn parse(json: &Value, root: &str) -> Result<Criteria, CriteriaError> {
    Parser { nodes: 0 }.node(json, root, 1)
}

fn error(path: impl Into<String>, message: impl Into<String>) -> CriteriaError {
    CriteriaError {
        path: path.into(),
        message: message.into(),
    }
}

/// Counts nodes across the whole tree, which a recursive function's return value cannot.
struct Parser {
    nodes: usize,
}

enum Shape {
    All,
    Any,
    Not,
    Compare,
}

impl Parser {
    fn node(&mut self, json: &Value, path: &str, depth: usize) -> Result<Criteria, CriteriaError> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(error(
                path,
                format!("too many conditions: at most {MAX_NODES} nodes"),
            ));
        }
        if depth > MAX_DEPTH {
            return Err(error(
                path,
                format!("nested too deeply: at most {MAX_DEPTH} levels"),
            ));
        }
        let expected = "an object with `all`, `any`, `not` or `field`";
        let Value::Object(map) = json else {
            return Err(error(path, format!("expected {expected}")));
        };
        let (shape, allowed): (Shape, &[&str]) = if map.contains_key("all") {
            (Shape::All, &["all"])
        } else if map.contains_key("any") {
            (Shape::Any, &["any"])
        } else if map.contains_key("not") {
            (Shape::Not, &["not"])
        } else if map.contains_key("field") || map.contains_key("op") {
            (Shape::Compare, &["field", "op", "value"])
        } else {
            return Err(error(path, format!("expected {expected}")));
        };
        // Stray keys are refused, not ignored: `{"all":[..],"any":[..]}` is surely a mistake.
        // The smallest is reported so the error does not depend on the map's key order.
        if let Some(stray) = map.keys().filter(|k| !allowed.contains(&k.as_str())).min() {
            return Err(error(format!("{path}.{stray}"), "unexpected key"));
        }
        match shape {
            Shape::All => self
                .group(&map["all"], &format!("{path}.all"), depth)
                .map(Criteria::All),
            Shape::Any => self
                .group(&map["any"], &format!("{path}.any"), depth)
                .map(Criteria::Any),
            Shape::Not => {
                let child = self.node(&map["not"], &format!("{path}.not"), depth + 1)?;
                Ok(Criteria::Not(Box::new(child)))
            }
            Shape::Compare => comparison(map, path).map(Criteria::Compare),
        }
    }

    fn group(
        &mut self,
        json: &Value,
        path: &str,
        depth: usize,
    ) -> Result<Vec<Criteria>, CriteriaError> {
        let Value::Array(items) = json else {
            return Err(error(path, "expected a list of criteria"));
        };
        if items.is_empty() {
            return Err(error(path, "must not be empty"));
        }
        items
            .iter()
            .enumerate()
            .map(|(i, item)| self.node(item, &format!("{path}[{i}]"), depth + 1))
            .collect()
    }
}

fn comparison(map: &Map<String, Value>, path: &str) -> Result<Comparison, CriteriaError> {
    let field_path = format!("{path}.field");
    let name = required_str(map, "field", &field_path)?;
    let field: Field = name.parse().map_err(|e| {
        let message = match e {
            FieldNameError::Unknown => format!("unknown field `{name}`"),
            FieldNameError::InvalidKey => {
                format!("invalid field `{name}`: a key has 1 to 64 letters, digits or underscores")
            }
        };
        error(&field_path, message)
    })?;

    let op_path = format!("{path}.op");
    let op_name = required_str(map, "op", &op_path)?;
    let op = Op::from_name(op_name).ok_or_else(|| {
        let known = Op::ALL.map(Op::as_str).join(", ");
        error(
            &op_path,
            format!("unknown op `{op_name}`: use one of {known}"),
        )
    })?;
    let kind = field.kind();
    let expect = Expect::of(op, kind).ok_or_else(|| {
        error(
            &op_path,
            format!("{op} does not apply to {} field {field}", kind.as_str()),
        )
    })?;

    let value_path = format!("{path}.value");
    // `null` counts as absent: GraphQL clients send it for an unset nullable input field.
    let value = match (map.get("value").filter(|v| !v.is_null()), expect) {
        (None, Expect::Nothing) => None,
        (Some(_), Expect::Nothing) => {
            return Err(error(value_path, format!("{op} takes no value")))
        }
        (None, _) => {
            return Err(error(
                value_path,
                format!("missing: {op} needs {}", expect.describe()),
            ))
        }
        (Some(json), _) => Some(literal(json, expect, &value_path)?),
    };
    Ok(Comparison { field, op, value })
}

fn required_str<'a>(
    map: &'a Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<&'a str, CriteriaError> {
    match map.get(key) {
        None => Err(error(path, "missing")),
        Some(json) => json
            .as_str()
            .ok_or_else(|| error(path, "expected a string")),
    }
}

fn literal(json: &Value, expect: Expect, path: &str) -> Result<Literal, CriteriaError> {
    let wrong = || error(path, format!("expected {}", expect.describe()));
    let text = |v: &Value| v.as_str().map(str::to_owned);
    let phrase = |v: &Value| {
        v.as_str()
            .filter(|s| words(s).next().is_some())
            .map(str::to_owned)
    };
    match expect {
        Expect::Nothing => Err(wrong()),
        Expect::Text => text(json).map(Literal::Text).ok_or_else(wrong),
        Expect::Needle => match json.as_str() {
            Some(s) if !s.is_empty() => Ok(Literal::Text(s.to_owned())),
            _ => Err(wrong()),
        },
        Expect::Number => json.as_f64().map(Literal::Number).ok_or_else(wrong),
        Expect::Bool => json.as_bool().map(Literal::Bool).ok_or_else(wrong),
        Expect::Scalar => match json {
            Value::String(s) => Ok(Literal::Text(s.clone())),
            Value::Number(n) => n.as_f64().map(Literal::Number).ok_or_else(wrong),
            Value::Bool(b) => Ok(Literal::Bool(*b)),
            _ => Err(wrong()),
        },
        Expect::TextList => list(json, expect, path, text, "a string").map(Literal::TextList),
        Expect::NumberList => {
            list(json, expect, path, Value::as_f64, "a number").map(Literal::NumberList)
        }
        // The first element decides whether the list holds texts or numbers.
        Expect::ScalarList => match json.as_array().and_then(|items| items.first()) {
            Some(Value::Number(_)) => {
                list(json, expect, path, Value::as_f64, "a number").map(Literal::NumberList)
            }
            _ => list(json, expect, path, text, "a string").map(Literal::TextList),
        },
        Expect::Range => {
            let range = list(json, expect, path, Value::as_f64, "a number")?;
            match range[..] {
                [low, high] if low <= high => Ok(Literal::NumberList(range)),
                [_, _] => Err(error(path, "low must not exceed high")),
                _ => Err(wrong()),
            }
        }
        Expect::Phrases => match json {
            Value::String(_) => phrase(json)
                .map(Literal::Text)
                .ok_or_else(|| error(path, "expected a phrase with at least one word")),
            _ => list(
                json,
                expect,
                path,
                phrase,
                "a phrase with at least one word",
            )
            .map(Literal::TextList),
        },
    }
}

/// A non-empty JSON list whose every item `item` accepts; a bad item is reported at its index.
fn list<T>(
    json: &Value,
    expect: Expect,
    path: &str,
    item: impl Fn(&Value) -> Option<T>,
    item_description: &str,
) -> Result<Vec<T>, CriteriaError> {
    let items = json
        .as_array()
        .filter(|items| !items.is_empty())
        .ok_or_else(|| error(path, format!("expected {}", expect.describe())))?;
    items
        .iter()
        .enumerate()
        .map(|(i, v)| {
            item(v).ok_or_else(|| {
                error(
                    format!("{path}[{i}]"),
                    format!("expected {item_description}"),
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The error for `json`, as `path: message`.
    fn refused(json: Value) -> String {
        match Criteria::parse(&json) {
            Ok(criteria) => panic!("accepted {json}: {criteria}"),
            Err(e) => e.to_string(),
        }
    }

    /// A comparison node from `"field OP"` and a value (`null`: none).
    fn compare(field_op: &str, value: Value) -> Value {
        let (field, op) = field_op.split_once(' ').unwrap();
        json!({"field": field, "op": op, "value": value})
    }

    #[test]
    fn errors_name_the_path_of_the_offending_node() {
        let ok = compare("lead.score GTE", json!(50));
        let unknown = compare("account.foo EQ", json!("x"));
        assert_eq!(
            refused(json!({"all": [ok, ok, unknown]})),
            "criteria.all[2].field: unknown field `account.foo`"
        );
        let like = compare("account.industry LIKE", json!("x"));
        let err = Criteria::parse(&json!({"any": [{"not": like}]})).unwrap_err();
        assert_eq!(err.path, "criteria.any[0].not.op");
        assert_eq!(
            err.message,
            "unknown op `LIKE`: use one of \
             EQ, NE, IN, NOT_IN, GT, GTE, LT, LTE, BETWEEN, CONTAINS, MATCHES, EXISTS"
        );
        let bad = compare("account.employees EQ", json!("5"));
        assert_eq!(
            Criteria::parse_at(&json!({"all": [bad]}), "input.acceptance"),
            Err(CriteriaError {
                path: "input.acceptance.all[0].value".into(),
                message: "expected a number".into(),
            })
        );
    }

    #[test]
    fn fields_and_ops_are_checked() {
        let cases = [
            (
                json!({"field": "x.y", "op": "EXISTS"}),
                "field: unknown field `x.y`",
            ),
            (
                json!({"field": 3, "op": "EXISTS"}),
                "field: expected a string",
            ),
            (json!({"op": "EXISTS"}), "field: missing"),
            (json!({"field": "contact.email"}), "op: missing"),
            (
                json!({"field": "contact.email", "op": ["EQ"]}),
                "op: expected a string",
            ),
        ];
        for (json, expected) in cases {
            assert_eq!(refused(json), format!("criteria.{expected}"));
        }
        let lower_case = refused(compare("contact.email eq", json!("x")));
        assert!(lower_case.starts_with("criteria.op: unknown op `eq`"));
        assert_eq!(
            refused(compare("account.custom.bad-key EQ", json!(1))),
            "criteria.field: invalid field `account.custom.bad-key`: \
             a key has 1 to 64 letters, digits or underscores"
        );
    }

    #[test]
    fn ops_must_fit_the_field_kind() {
        let cases = [
            ("account.industry GT", "text"),
            ("account.industry BETWEEN", "text"),
            ("lead.score CONTAINS", "number"),
            ("lead.score MATCHES", "number"),
            ("contact.tags MATCHES", "text list"),
            ("contact.tags EQ", "text list"),
            ("contact.personalEmail IN", "bool"),
            ("contact.personalEmail LT", "bool"),
        ];
        for (field_op, kind) in cases {
            let (field, op) = field_op.split_once(' ').unwrap();
            assert_eq!(
                refused(compare(field_op, json!(1))),
                format!("criteria.op: {op} does not apply to {kind} field {field}")
            );
        }
    }

    #[test]
    fn values_must_fit_the_op() {
        const TEXTS: &str = "expected a non-empty list of strings";
        const RANGE: &str = "expected a list of two numbers [low, high]";
        const PHRASE: &str = "expected a phrase with at least one word";
        const PHRASES: &str = "expected a phrase or a non-empty list of phrases";
        const SCALAR: &str = "expected a string, a number or true/false";
        #[rustfmt::skip]
        let cases = [
            ("account.name IN", json!([]), "value", TEXTS),
            ("account.name IN", json!("Acme"), "value", TEXTS),
            ("account.name NOT_IN", json!(["a", 1]), "value[1]", "expected a string"),
            ("account.name EQ", json!(1), "value", "expected a string"),
            ("lead.score IN", json!(["1"]), "value[0]", "expected a number"),
            ("lead.score GT", json!("1"), "value", "expected a number"),
            ("contact.personalEmail EQ", json!("true"), "value", "expected true or false"),
            ("lead.score BETWEEN", json!([1]), "value", RANGE),
            ("lead.score BETWEEN", json!([1, 2, 3]), "value", RANGE),
            ("lead.score BETWEEN", json!(5), "value", RANGE),
            ("lead.score BETWEEN", json!([1, "2"]), "value[1]", "expected a number"),
            ("lead.score BETWEEN", json!([10, 1]), "value", "low must not exceed high"),
            ("account.name CONTAINS", json!(""), "value", "expected a non-empty string"),
            ("contact.tags CONTAINS", json!(["a"]), "value", "expected a non-empty string"),
            ("contact.title MATCHES", json!(" - "), "value", PHRASE),
            ("contact.title MATCHES", json!(["vp", "--"]), "value[1]", PHRASE),
            ("contact.title MATCHES", json!([]), "value", PHRASES),
            ("account.custom.x EQ", json!(["a"]), "value", SCALAR),
            ("account.custom.x IN", json!([1, "a"]), "value[1]", "expected a number"),
            ("account.custom.x IN", json!([true]), "value[0]", "expected a string"),
            ("account.custom.x GT", json!(true), "value", "expected a number"),
            ("contact.email EXISTS", json!(true), "value", "EXISTS takes no value"),
            ("contact.email EQ", Value::Null, "value", "missing: EQ needs a string"),
            ("lead.score LT", Value::Null, "value", "missing: LT needs a number"),
        ];
        for (field_op, value, path, message) in cases {
            assert_eq!(
                refused(compare(field_op, value)),
                format!("criteria.{path}: {message}"),
                "{field_op}"
            );
        }
    }

    #[test]
    fn null_value_counts_as_absent() {
        let exists = json!({"field": "contact.email", "op": "EXISTS", "value": null});
        assert!(Criteria::parse(&exists).is_ok());
    }

    #[test]
    fn node_shapes_are_checked() {
        const OBJECT: &str = "expected an object with `all`, `any`, `not` or `field`";
        let ok = compare("lead.score GTE", json!(50));
        let exists = json!({"field": "lead.score", "op": "EXISTS", "why": 1});
        #[rustfmt::skip]
        let cases = [
            (json!({"all": []}), "criteria.all", "must not be empty"),
            (json!({"not": {"any": []}}), "criteria.not.any", "must not be empty"),
            (json!({"all": {}}), "criteria.all", "expected a list of criteria"),
            (json!({"all": [1]}), "criteria.all[0]", OBJECT),
            (json!("lead.score > 5"), "criteria", OBJECT),
            (json!({}), "criteria", OBJECT),
            (json!({"all": [ok], "any": [ok]}), "criteria.any", "unexpected key"),
            (json!({"not": ok, "note": 1, "field": 1}), "criteria.field", "unexpected key"),
            (exists, "criteria.why", "unexpected key"),
        ];
        for (json, path, message) in cases {
            assert_eq!(refused(json), format!("{path}: {message}"));
        }
    }

    fn nested_nots(levels: usize) -> Value {
        let leaf = json!({"field": "lead.score", "op": "EXISTS"});
        (0..levels).fold(leaf, |c, _| json!({"not": c}))
    }

    #[test]
    fn nesting_is_limited_to_sixteen_levels() {
        assert!(Criteria::parse(&nested_nots(MAX_DEPTH - 1)).is_ok());
        let path = format!("criteria{}", ".not".repeat(MAX_DEPTH));
        assert_eq!(
            refused(nested_nots(MAX_DEPTH)),
            format!("{path}: nested too deeply: at most 16 levels")
        );
    }

    #[test]
    fn trees_are_limited_to_two_hundred_nodes() {
        let ok = compare("lead.score GTE", json!(50));
        assert!(Criteria::parse(&json!({"all": vec![ok.clone(); MAX_NODES - 1]})).is_ok());
        assert_eq!(
            refused(json!({"all": vec![ok; MAX_NODES]})),
            "criteria.all[199]: too many conditions: at most 200 nodes"
        );
    }
}
