//! API-token scopes: `resource:read` or `resource:write`, where write implies read.

/// The resources a partner app can be granted.
pub const RESOURCES: &[&str] = &[
    "workspace",
    "activity",
    "events",
    "contacts",
    "accounts",
    "leads",
    "opportunities",
    "metrics",
    "triggers",
    "webhooks",
];

#[derive(Debug, PartialEq, Eq)]
pub enum ScopeError {
    Malformed(String),
    UnknownResource(String),
}

/// Validates and normalises a list of scopes (trimmed, lower-cased, de-duplicated, sorted).
pub fn parse_scopes(raw: &[String]) -> Result<Vec<String>, (usize, ScopeError)> {
    let mut scopes = Vec::with_capacity(raw.len());
    for (index, scope) in raw.iter().enumerate() {
        let scope = scope.trim().to_ascii_lowercase();
        let Some((resource, access)) = scope.split_once(':') else {
            return Err((index, ScopeError::Malformed(scope)));
        };
        if access != "read" && access != "write" {
            return Err((index, ScopeError::Malformed(scope)));
        }
        if !RESOURCES.contains(&resource) {
            return Err((index, ScopeError::UnknownResource(resource.to_owned())));
        }
        scopes.push(scope);
    }
    scopes.sort();
    scopes.dedup();
    Ok(scopes)
}

/// Whether a token holding `granted` may use `required`.
pub fn grants(granted: &[String], required: &str) -> bool {
    granted.iter().any(|scope| {
        scope == required
            || (required.ends_with(":read")
                && scope.strip_suffix(":write") == required.strip_suffix(":read"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owned(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn normalises_and_deduplicates() {
        let parsed =
            parse_scopes(&owned(&[" Events:Write", "leads:read", "events:write"])).unwrap();
        assert_eq!(parsed, owned(&["events:write", "leads:read"]));
    }

    #[test]
    fn refuses_unknown_resources_and_access() {
        assert_eq!(
            parse_scopes(&owned(&["leads:read", "bogus:read"])),
            Err((1, ScopeError::UnknownResource("bogus".into())))
        );
        assert!(matches!(
            parse_scopes(&owned(&["leads:delete"])),
            Err((0, ScopeError::Malformed(_)))
        ));
        assert!(matches!(
            parse_scopes(&owned(&["leads"])),
            Err((0, ScopeError::Malformed(_)))
        ));
    }

    #[test]
    fn write_implies_read() {
        let granted = owned(&["contacts:write"]);
        assert!(grants(&granted, "contacts:read"));
        assert!(grants(&granted, "contacts:write"));
        assert!(!grants(&granted, "events:write"));
        assert!(!grants(&owned(&["contacts:read"]), "contacts:write"));
    }
}
