//! Checks on the values people and partner apps send, each naming the field at fault.

use serde_json::{Map, Value};

use super::text::is_domain;
use crate::error::{AppError, AppResult};

/// Custom attributes: a flat JSON object of scalars or string lists, within these limits.
pub const MAX_CUSTOM_KEYS: usize = 50;
pub const MAX_CUSTOM_BYTES: usize = 8 * 1024;
pub const MAX_TAGS: usize = 50;
pub const MAX_TEXT: usize = 500;

/// Trims a required name: 1 to `max` characters.
pub fn required_text(raw: &str, field: &str, max: usize) -> AppResult<String> {
    let text = raw.trim();
    if text.is_empty() || text.chars().count() > max {
        return Err(AppError::bad_input(
            field,
            format!("must be 1 to {max} characters"),
        ));
    }
    Ok(text.to_owned())
}

/// Trims optional text; blank becomes `None`.
pub fn optional_text(raw: Option<&str>, field: &str) -> AppResult<Option<String>> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) if text.chars().count() > MAX_TEXT => Err(AppError::bad_input(
            field,
            format!("must be at most {MAX_TEXT} characters"),
        )),
        Some(text) => Ok(Some(text.to_owned())),
    }
}

/// The longest competitor name a deal keeps.
pub const MAX_COMPETITOR: usize = 200;

/// A deal's competitor: trimmed, at most 200 characters; blank is none.
pub fn competitor(raw: Option<&str>, field: &str) -> AppResult<Option<String>> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(name) if name.chars().count() > MAX_COMPETITOR => Err(AppError::bad_input(
            field,
            format!("must be at most {MAX_COMPETITOR} characters"),
        )),
        Some(name) => Ok(Some(name.to_owned())),
    }
}

/// A company domain from what people paste: scheme, `www.` and paths are dropped.
pub fn company_domain(raw: &str, field: &str) -> AppResult<String> {
    let lowered = raw.trim().to_lowercase();
    let without_scheme = lowered
        .strip_prefix("https://")
        .or_else(|| lowered.strip_prefix("http://"))
        .unwrap_or(&lowered);
    let host = without_scheme.split(['/', '?', '#']).next().unwrap_or("");
    let host = host
        .strip_prefix("www.")
        .unwrap_or(host)
        .trim_end_matches('.');
    if is_domain(host) {
        Ok(host.to_owned())
    } else {
        Err(AppError::bad_input(
            field,
            "is not a valid domain such as example.com",
        ))
    }
}

/// An ISO 3166-1 alpha-2 country code, upper-cased.
pub fn country(raw: &str, field: &str) -> AppResult<String> {
    let code = raw.trim().to_uppercase();
    isocountry::CountryCode::for_alpha2(&code)
        .map(|_| code)
        .map_err(|_| AppError::bad_input(field, "is not an ISO 3166-1 alpha-2 country code"))
}

/// An ISO 4217 currency code, upper-cased.
pub fn currency(raw: &str, field: &str) -> AppResult<String> {
    let code = raw.trim().to_uppercase();
    iso_currency::Currency::from_code(&code)
        .map(|_| code)
        .ok_or_else(|| AppError::bad_input(field, "is not an ISO 4217 currency code"))
}

pub fn non_negative_int(value: i64, field: &str) -> AppResult<i64> {
    if value < 0 {
        return Err(AppError::bad_input(field, "must not be negative"));
    }
    Ok(value)
}

pub fn non_negative_amount(value: f64, field: &str) -> AppResult<f64> {
    if !value.is_finite() || value < 0.0 {
        return Err(AppError::bad_input(field, "must be a non-negative amount"));
    }
    Ok((value * 100.0).round() / 100.0)
}

/// A `http(s)://` URL.
pub fn url(raw: &str, field: &str) -> AppResult<String> {
    let url = raw.trim();
    let host = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .and_then(|rest| rest.split(['/', '?', '#', ':']).next());
    match host {
        Some(host) if (is_domain(host) || host == "localhost") && url.len() <= 2048 => {
            Ok(url.to_owned())
        }
        _ => Err(AppError::bad_input(field, "must be an http or https URL")),
    }
}

/// Tags: trimmed, non-empty, at most 64 characters each, de-duplicated, at most [`MAX_TAGS`].
pub fn tags(raw: &[String], field: &str) -> AppResult<Vec<String>> {
    if raw.len() > MAX_TAGS {
        return Err(AppError::bad_input(
            field,
            format!("at most {MAX_TAGS} tags"),
        ));
    }
    let mut tags: Vec<String> = Vec::with_capacity(raw.len());
    for (index, tag) in raw.iter().enumerate() {
        let tag = tag.trim();
        if tag.is_empty() || tag.chars().count() > 64 {
            return Err(AppError::bad_input(
                format!("{field}[{index}]"),
                "must be 1 to 64 characters",
            ));
        }
        if !tags.iter().any(|t| t.eq_ignore_ascii_case(tag)) {
            tags.push(tag.to_owned());
        }
    }
    Ok(tags)
}

/// Custom attributes: an object of at most [`MAX_CUSTOM_KEYS`] keys (`[A-Za-z0-9_]{1,64}`)
/// whose values are strings, numbers, booleans or lists of strings, [`MAX_CUSTOM_BYTES`] at most.
pub fn custom_attributes(value: &Value, field: &str) -> AppResult<Map<String, Value>> {
    let Value::Object(map) = value else {
        return Err(AppError::bad_input(field, "must be a JSON object"));
    };
    if map.len() > MAX_CUSTOM_KEYS {
        return Err(AppError::bad_input(
            field,
            format!("at most {MAX_CUSTOM_KEYS} keys"),
        ));
    }
    for (key, item) in map {
        let key_ok = !key.is_empty()
            && key.len() <= 64
            && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !key_ok {
            return Err(AppError::bad_input(
                format!("{field}.{key}"),
                "keys are 1 to 64 letters, digits or underscores",
            ));
        }
        let value_ok = match item {
            Value::String(_) | Value::Number(_) | Value::Bool(_) | Value::Null => true,
            Value::Array(items) => items.iter().all(Value::is_string),
            Value::Object(_) => false,
        };
        if !value_ok {
            return Err(AppError::bad_input(
                format!("{field}.{key}"),
                "values are strings, numbers, booleans or lists of strings",
            ));
        }
    }
    if value.to_string().len() > MAX_CUSTOM_BYTES {
        return Err(AppError::bad_input(
            field,
            format!("at most {MAX_CUSTOM_BYTES} bytes"),
        ));
    }
    Ok(map.clone())
}

/// A calendar month as `YYYY-MM`.
pub fn month(raw: &str, field: &str) -> AppResult<String> {
    let month = raw.trim();
    let valid = month.len() == 7
        && chrono::NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").is_ok();
    if valid {
        Ok(month.to_owned())
    } else {
        Err(AppError::bad_input(
            field,
            "must be a month such as 2026-11",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field_of(err: AppError) -> String {
        err.field().unwrap().to_owned()
    }

    #[test]
    fn domains_are_cleaned() {
        assert_eq!(
            company_domain("https://www.Acme.com/about", "d").unwrap(),
            "acme.com"
        );
        assert_eq!(company_domain("acme.co.uk", "d").unwrap(), "acme.co.uk");
        assert!(company_domain("not a domain", "d").is_err());
        assert!(company_domain("localhost", "d").is_err());
    }

    #[test]
    fn countries_and_currencies() {
        assert_eq!(country("us", "c").unwrap(), "US");
        assert!(country("XX", "c").is_err());
        assert!(country("USA", "c").is_err());
        assert_eq!(currency("eur", "c").unwrap(), "EUR");
        assert!(currency("EUX", "c").is_err());
    }

    #[test]
    fn amounts_and_counts() {
        assert_eq!(non_negative_amount(10.005, "a").unwrap(), 10.01);
        assert!(non_negative_amount(-1.0, "a").is_err());
        assert!(non_negative_amount(f64::NAN, "a").is_err());
        assert!(non_negative_int(-3, "n").is_err());
    }

    #[test]
    fn custom_attributes_are_flat_and_small() {
        assert!(custom_attributes(
            &json!({"plan": "pro", "seats": 12, "beta": true, "regions": ["EU"]}),
            "c"
        )
        .is_ok());
        assert_eq!(
            field_of(custom_attributes(&json!({"nested": {"x": 1}}), "c").unwrap_err()),
            "c.nested"
        );
        assert_eq!(
            field_of(custom_attributes(&json!({"bad key": 1}), "c").unwrap_err()),
            "c.bad key"
        );
        assert!(custom_attributes(&json!([1, 2]), "c").is_err());
        let big: Map<String, Value> = (0..51).map(|i| (format!("k{i}"), json!(i))).collect();
        assert!(custom_attributes(&Value::Object(big), "c").is_err());
    }

    #[test]
    fn tags_are_deduplicated_case_insensitively() {
        let raw = vec![
            "Webinar".to_owned(),
            "webinar".to_owned(),
            " ICP ".to_owned(),
        ];
        assert_eq!(tags(&raw, "t").unwrap(), vec!["Webinar", "ICP"]);
        assert_eq!(field_of(tags(&["".to_owned()], "t").unwrap_err()), "t[0]");
    }

    #[test]
    fn months_and_urls() {
        assert_eq!(month("2026-11", "m").unwrap(), "2026-11");
        assert!(month("2026-13", "m").is_err());
        assert!(month("26-11", "m").is_err());
        assert!(url("https://acme.com/ebook.pdf", "u").is_ok());
        assert!(url("ftp://acme.com", "u").is_err());
        assert!(url("javascript:alert(1)", "u").is_err());
    }
}
