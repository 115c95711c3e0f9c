//! Normalisation and validation of the text people type.

/// Lower-cases and trims an email; `None` when it is not a plausible address.
pub fn normalize_email(raw: &str) -> Option<String> {
    let email = raw.trim().to_lowercase();
    let (local, domain) = email.split_once('@')?;
    let valid = !local.is_empty()
        && local.len() <= 64
        && email.len() <= 254
        && !email.chars().any(char::is_whitespace)
        && !domain.contains('@')
        && is_domain(domain);
    valid.then_some(email)
}

/// Whether `domain` is a syntactically valid DNS name with a dot.
pub fn is_domain(domain: &str) -> bool {
    domain.len() <= 253
        && domain.contains('.')
        && domain.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

/// A URL-safe slug of a name: lower-case ASCII letters and digits joined by single hyphens.
pub fn slugify(name: &str) -> String {
    let mut slug = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    while slug.ends_with('-') {
        slug.pop();
    }
    if slug.is_empty() {
        slug.push_str("workspace");
    }
    slug.truncate(48);
    slug
}

/// How messages name a lead: its name, else its email, else its partner id.
pub fn display_name(lead: &entity::contact::Model) -> String {
    lead.name
        .clone()
        .or_else(|| lead.email.clone())
        .or_else(|| lead.external_id.clone())
        .unwrap_or_else(|| "A lead".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_case_insensitive() {
        assert_eq!(
            normalize_email("  Ana@Example.COM "),
            Some("ana@example.com".into())
        );
    }

    #[test]
    fn bad_emails_are_refused() {
        for bad in [
            "",
            "ana",
            "@example.com",
            "ana@",
            "ana@localhost",
            "a b@x.com",
            "a@b@c.com",
        ] {
            assert_eq!(normalize_email(bad), None, "{bad}");
        }
    }

    #[test]
    fn slugs() {
        assert_eq!(slugify("Acme Corp, Inc."), "acme-corp-inc");
        assert_eq!(slugify("  !!"), "workspace");
    }
}
