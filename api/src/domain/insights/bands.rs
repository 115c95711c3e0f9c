//! Size and revenue bands, and the ICP criteria that propose adding some of them.
//!
//! A band's label and its bounds live in one table, so the segment a deal lands in and the
//! criterion that would admit it cannot disagree.

use serde_json::{json, Value};

use super::UNKNOWN;

/// A half-open band `[low, high)`; `None` is unbounded on that side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Band {
    pub label: &'static str,
    pub low: Option<i64>,
    pub high: Option<i64>,
}

const fn band(label: &'static str, low: Option<i64>, high: Option<i64>) -> Band {
    Band { label, low, high }
}

/// Employee counts, in ascending order.
pub(super) const EMPLOYEE_BANDS: [Band; 5] = [
    band("1-49", Some(1), Some(50)),
    band("50-199", Some(50), Some(200)),
    band("200-999", Some(200), Some(1_000)),
    band("1000-4999", Some(1_000), Some(5_000)),
    band("5000+", Some(5_000), None),
];

/// Annual revenue in dollars, in ascending order.
pub(super) const REVENUE_BANDS: [Band; 5] = [
    band("<$1M", None, Some(1_000_000)),
    band("$1M-$10M", Some(1_000_000), Some(10_000_000)),
    band("$10M-$50M", Some(10_000_000), Some(50_000_000)),
    band("$50M-$250M", Some(50_000_000), Some(250_000_000)),
    band("$250M+", Some(250_000_000), None),
];

impl Band {
    fn contains(&self, value: f64) -> bool {
        // Band bounds are far below 2^53, so they convert to f64 exactly.
        self.low.is_none_or(|low| value >= low as f64)
            && self.high.is_none_or(|high| value < high as f64)
    }
}

/// A company with no employees is a data-entry error, not a tiny company.
pub(super) fn employee_band(employees: i64) -> &'static str {
    if employees < 1 {
        return UNKNOWN;
    }
    band_of(&EMPLOYEE_BANDS, employees as f64)
}

/// Negative (or NaN) revenue is a data-entry error, not a tiny company.
pub(super) fn revenue_band(revenue: f64) -> &'static str {
    if revenue.is_nan() || revenue < 0.0 {
        return UNKNOWN;
    }
    band_of(&REVENUE_BANDS, revenue)
}

fn band_of(bands: &[Band], value: f64) -> &'static str {
    bands
        .iter()
        .find(|b| b.contains(value))
        .map_or(UNKNOWN, |b| b.label)
}

/// Whether the field holds whole numbers, so a band's open upper bound can be written as an
/// inclusive BETWEEN (`[50, 199]` reads better than `>= 50 and < 200`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Values {
    Integers,
    Reals,
}

/// A criterion admitting the accounts in any of the labelled bands. Adjacent bands merge into
/// one range, so "200-999" and "1000-4999" become `BETWEEN 200 and 4999`, not two clauses;
/// labels that name no band (such as [`UNKNOWN`]) are ignored. `None` when none is left.
pub(super) fn bands_criteria(
    field: &str,
    bands: &[Band],
    labels: &[&str],
    values: Values,
) -> Option<Value> {
    let mut ranges: Vec<(Option<i64>, Option<i64>)> = Vec::new();
    let mut previous: Option<usize> = None;
    for (i, b) in bands.iter().enumerate() {
        if !labels.contains(&b.label) {
            continue;
        }
        match ranges.last_mut() {
            Some(range) if previous.is_some_and(|p| p + 1 == i) => range.1 = b.high,
            _ => ranges.push((b.low, b.high)),
        }
        previous = Some(i);
    }
    let mut clauses: Vec<Value> = ranges
        .into_iter()
        .map(|(low, high)| range(field, low, high, values))
        .collect();
    match clauses.len() {
        0 => None,
        1 => clauses.pop(),
        _ => Some(json!({ "any": clauses })),
    }
}

fn range(field: &str, low: Option<i64>, high: Option<i64>, values: Values) -> Value {
    let compare = |op: &str, value: Value| json!({"field": field, "op": op, "value": value});
    match (low, high, values) {
        (None, None, _) => json!({"field": field, "op": "EXISTS"}),
        (Some(low), None, _) => compare("GTE", low.into()),
        (None, Some(high), Values::Integers) => compare("LTE", (high - 1).into()),
        (None, Some(high), Values::Reals) => compare("LT", high.into()),
        (Some(low), Some(high), Values::Integers) => compare("BETWEEN", json!([low, high - 1])),
        // BETWEEN is inclusive, and exactly $10M belongs to the band above "$1M-$10M".
        (Some(low), Some(high), Values::Reals) => {
            json!({"all": [compare("GTE", low.into()), compare("LT", high.into())]})
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::criteria::Criteria;

    #[test]
    fn employee_counts_fall_into_their_band() {
        let cases = [
            (1, "1-49"),
            (49, "1-49"),
            (50, "50-199"),
            (199, "50-199"),
            (200, "200-999"),
            (999, "200-999"),
            (1_000, "1000-4999"),
            (4_999, "1000-4999"),
            (5_000, "5000+"),
            (2_000_000, "5000+"),
            (0, UNKNOWN),
            (-3, UNKNOWN),
        ];
        for (employees, label) in cases {
            assert_eq!(employee_band(employees), label, "{employees}");
        }
    }

    #[test]
    fn revenues_fall_into_their_band() {
        let cases = [
            (0.0, "<$1M"),
            (999_999.99, "<$1M"),
            (1_000_000.0, "$1M-$10M"),
            (10_000_000.0, "$10M-$50M"),
            (49_999_999.0, "$10M-$50M"),
            (50_000_000.0, "$50M-$250M"),
            (250_000_000.0, "$250M+"),
            (-1.0, UNKNOWN),
            (f64::NAN, UNKNOWN),
        ];
        for (revenue, label) in cases {
            assert_eq!(revenue_band(revenue), label, "{revenue}");
        }
    }

    fn employees(labels: &[&str]) -> Option<Value> {
        bands_criteria(
            "account.employees",
            &EMPLOYEE_BANDS,
            labels,
            Values::Integers,
        )
    }

    fn revenue(labels: &[&str]) -> Option<Value> {
        bands_criteria(
            "account.annualRevenue",
            &REVENUE_BANDS,
            labels,
            Values::Reals,
        )
    }

    #[test]
    fn employee_bands_become_inclusive_ranges() {
        let field = "account.employees";
        assert_eq!(
            employees(&["50-199"]),
            Some(json!({"field": field, "op": "BETWEEN", "value": [50, 199]}))
        );
        assert_eq!(
            employees(&["5000+"]),
            Some(json!({"field": field, "op": "GTE", "value": 5000}))
        );
        assert_eq!(
            employees(&["5000+", "200-999", "1000-4999"]),
            Some(json!({"field": field, "op": "GTE", "value": 200})),
            "adjacent bands merge, whatever the order they are listed in"
        );
        assert_eq!(
            employees(&["1-49", "1000-4999", UNKNOWN]),
            Some(json!({"any": [
                {"field": field, "op": "BETWEEN", "value": [1, 49]},
                {"field": field, "op": "BETWEEN", "value": [1000, 4999]},
            ]}))
        );
        assert_eq!(employees(&[UNKNOWN]), None);
        assert_eq!(employees(&[]), None);
    }

    #[test]
    fn revenue_bands_become_half_open_ranges() {
        let field = "account.annualRevenue";
        assert_eq!(
            revenue(&["$1M-$10M"]),
            Some(json!({"all": [
                {"field": field, "op": "GTE", "value": 1_000_000},
                {"field": field, "op": "LT", "value": 10_000_000},
            ]}))
        );
        assert_eq!(
            revenue(&["<$1M"]),
            Some(json!({"field": field, "op": "LT", "value": 1_000_000}))
        );
        assert_eq!(
            revenue(&["$250M+", "$50M-$250M"]),
            Some(json!({"field": field, "op": "GTE", "value": 50_000_000}))
        );
        let every: Vec<&str> = REVENUE_BANDS.iter().map(|b| b.label).collect();
        assert_eq!(
            revenue(&every),
            Some(json!({"field": field, "op": "EXISTS"}))
        );
    }

    #[test]
    fn every_band_criterion_parses_and_admits_exactly_its_band() {
        use crate::domain::criteria::{Field, StaticFacts};
        let tables = [
            (&EMPLOYEE_BANDS, Field::AccountEmployees, Values::Integers),
            (&REVENUE_BANDS, Field::AccountAnnualRevenue, Values::Reals),
        ];
        for (bands, field, values) in tables {
            for b in bands {
                let json = bands_criteria(&field.to_string(), bands, &[b.label], values).unwrap();
                let criteria = Criteria::parse(&json).unwrap_or_else(|e| panic!("{e}"));
                // Probe each bound and its neighbours: inside the band exactly when `contains`.
                let probes = [b.low, b.high]
                    .into_iter()
                    .flatten()
                    .flat_map(|n| [n - 1, n, n + 1]);
                for probe in probes {
                    let facts = StaticFacts::new().with(field.clone(), probe as f64);
                    let inside = b.contains(probe as f64);
                    assert_eq!(criteria.evaluate(&facts), inside, "{} {probe}", b.label);
                }
            }
        }
    }
}
