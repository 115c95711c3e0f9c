//! Write-time validation of an ICP's weighted criteria, in the criteria parser's style: the
//! first problem found, at the JSON path the client sent it.

use std::collections::HashSet;

use serde_json::Value;

use super::{WeightedCriterion, MAX_CRITERIA, MAX_NAME_CHARS, MAX_WEIGHT};
use crate::domain::criteria::{Criteria, CriteriaError};

/// Validates a client's list of weighted criteria; errors name the JSON path under `path`
/// (e.g. `input.accountCriteria[1].criteria.all[0].value`).
pub fn parse_weighted(json: &Value, path: &str) -> Result<Vec<WeightedCriterion>, CriteriaError> {
    let Value::Array(items) = json else {
        return Err(error(path, "expected a list of weighted criteria"));
    };
    if items.len() > MAX_CRITERIA {
        return Err(error(
            path,
            format!("too many criteria: at most {MAX_CRITERIA}"),
        ));
    }
    let mut names = HashSet::with_capacity(items.len());
    let mut parsed = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let item_path = format!("{path}[{i}]");
        let criterion = weighted(item, &item_path)?;
        // Names label breakdown lines, so two that differ only in case would read as one.
        if !names.insert(criterion.name.to_lowercase()) {
            return Err(error(
                format!("{item_path}.name"),
                format!("duplicate name `{}`", criterion.name),
            ));
        }
        parsed.push(criterion);
    }
    Ok(parsed)
}

fn weighted(json: &Value, path: &str) -> Result<WeightedCriterion, CriteriaError> {
    let Value::Object(map) = json else {
        return Err(error(
            path,
            "expected an object with `name`, `weight` and `criteria`",
        ));
    };
    // Stray keys are refused like the criteria parser does: a typo must not silently vanish.
    if let Some(stray) = map
        .keys()
        .filter(|k| !["name", "weight", "criteria"].contains(&k.as_str()))
        .min()
    {
        return Err(error(format!("{path}.{stray}"), "unexpected key"));
    }

    let name_path = format!("{path}.name");
    let name = match map.get("name") {
        None => return Err(error(name_path, "missing")),
        Some(json) => json
            .as_str()
            .ok_or_else(|| error(&name_path, "expected a string"))?
            .trim(),
    };
    if !(1..=MAX_NAME_CHARS).contains(&name.chars().count()) {
        return Err(error(
            name_path,
            format!("must be 1 to {MAX_NAME_CHARS} characters"),
        ));
    }

    let weight_path = format!("{path}.weight");
    let weight = match map.get("weight") {
        None => return Err(error(weight_path, "missing")),
        Some(json) => json
            .as_i64()
            .and_then(|w| i32::try_from(w).ok())
            .filter(|w| (-MAX_WEIGHT..=MAX_WEIGHT).contains(w))
            .ok_or_else(|| {
                error(
                    &weight_path,
                    format!("expected an integer from -{MAX_WEIGHT} to {MAX_WEIGHT}"),
                )
            })?,
    };

    let criteria_path = format!("{path}.criteria");
    let criteria = match map.get("criteria") {
        None => return Err(error(criteria_path, "missing")),
        Some(json) => Criteria::parse_at(json, &criteria_path)?,
    };
    Ok(WeightedCriterion {
        name: name.to_owned(),
        weight,
        criteria,
    })
}

fn error(path: impl Into<String>, message: impl Into<String>) -> CriteriaError {
    CriteriaError {
        path: path.into(),
        message: message.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The error for `json` parsed under `input.accountCriteria`, as `path: message`.
    fn refused(json: Value) -> String {
        match parse_weighted(&json, "input.accountCriteria") {
            Ok(parsed) => panic!("accepted {json}: {parsed:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn parse_errors_name_the_offending_path() {
        let ok = json!({"name": "Size", "weight": 20,
            "criteria": {"field": "account.employees", "op": "GTE", "value": 200}});
        let with = |key: &str, value: Value| {
            let mut item = ok.clone();
            item[key] = value;
            json!([ok, item])
        };
        let without = |key: &str| {
            let mut item = ok.clone();
            item.as_object_mut().unwrap().remove(key);
            json!([item])
        };
        let long = "n".repeat(MAX_NAME_CHARS + 1);
        let cases = [
            (
                json!({}),
                "input.accountCriteria: expected a list of weighted criteria",
            ),
            (
                json!([ok, 5]),
                "input.accountCriteria[1]: expected an object with `name`, `weight` and `criteria`",
            ),
            (
                with("points", json!(5)),
                "input.accountCriteria[1].points: unexpected key",
            ),
            (without("name"), "input.accountCriteria[0].name: missing"),
            (
                with("name", json!(5)),
                "input.accountCriteria[1].name: expected a string",
            ),
            (
                with("name", json!("  ")),
                "input.accountCriteria[1].name: must be 1 to 120 characters",
            ),
            (
                with("name", json!(long)),
                "input.accountCriteria[1].name: must be 1 to 120 characters",
            ),
            (
                with("name", json!(" size ")),
                "input.accountCriteria[1].name: duplicate name `size`",
            ),
            (
                without("weight"),
                "input.accountCriteria[0].weight: missing",
            ),
            (
                with("weight", json!(101)),
                "input.accountCriteria[1].weight: expected an integer from -100 to 100",
            ),
            (
                with("weight", json!(-101)),
                "input.accountCriteria[1].weight: expected an integer from -100 to 100",
            ),
            (
                with("weight", json!(2.5)),
                "input.accountCriteria[1].weight: expected an integer from -100 to 100",
            ),
            (
                with("weight", json!("5")),
                "input.accountCriteria[1].weight: expected an integer from -100 to 100",
            ),
            (
                with("weight", json!(i64::MAX)),
                "input.accountCriteria[1].weight: expected an integer from -100 to 100",
            ),
            (
                without("criteria"),
                "input.accountCriteria[0].criteria: missing",
            ),
            (
                with(
                    "criteria",
                    json!({"all": [{"field": "account.employees", "op": "GT", "value": "many"}]}),
                ),
                "input.accountCriteria[1].criteria.all[0].value: expected a number",
            ),
            (
                with(
                    "criteria",
                    json!({"field": "account.size", "op": "GT", "value": 1}),
                ),
                "input.accountCriteria[1].criteria.field: unknown field `account.size`",
            ),
            (
                json!(vec![ok; MAX_CRITERIA + 1]),
                "input.accountCriteria: too many criteria: at most 50",
            ),
        ];
        for (json, expected) in cases {
            assert_eq!(refused(json), expected);
        }
    }

    #[test]
    fn valid_lists_parse_with_trimmed_names_and_boundary_values() {
        let name = "n".repeat(MAX_NAME_CHARS);
        let criteria = json!({"field": "contact.personalEmail", "op": "EQ", "value": true});
        let parsed = parse_weighted(
            &json!([
                {"name": format!(" {name} "), "weight": -100, "criteria": criteria},
                {"name": "Personal email", "weight": 100, "criteria": criteria},
            ]),
            "contactCriteria",
        )
        .unwrap();
        assert_eq!(parsed[0].name, name);
        assert_eq!((parsed[0].weight, parsed[1].weight), (-100, 100));
        assert_eq!(parsed[1].criteria, Criteria::parse(&criteria).unwrap());
        assert_eq!(parse_weighted(&json!([]), "x"), Ok(vec![]));
        let max: Vec<Value> = (0..MAX_CRITERIA)
            .map(|i| json!({"name": format!("c{i}"), "weight": 1, "criteria": criteria}))
            .collect();
        assert_eq!(parse_weighted(&Value::from(max), "x").unwrap().len(), 50);
    }
}
