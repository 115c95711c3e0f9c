//! GraphQL documents named by hash: Automatic Persisted Queries and trusted documents both key a
//! document by the SHA-256 of its exact text, hex-encoded in lower case (Apollo's convention).

use sha2::{Digest, Sha256};

/// The hash a client sends as `extensions.persistedQuery.sha256Hash` for `document`.
pub fn sha256_hex(document: &str) -> String {
    hex::encode(Sha256::digest(document.as_bytes()))
}

/// The hash of the request's document, once the HTTP handler checked it (request data), so
/// later checks need not hash the document again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentHash(pub String);

/// Normalises a client-sent hash: 64 hex digits in either case, else `None`.
pub fn parse_sha256(raw: &str) -> Option<String> {
    (raw.len() == 64 && raw.bytes().all(|b| b.is_ascii_hexdigit())).then(|| raw.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_the_exact_text_like_apollo_clients() {
        // printf '{ __typename }' | sha256sum
        assert_eq!(
            sha256_hex("{ __typename }"),
            "7f56e67dd21ab3f30d1ff8b7bed08893f0a0db86449836189b361dd1e56ddb4b"
        );
        assert_ne!(sha256_hex("{ __typename }"), sha256_hex("{__typename}"));
    }

    #[test]
    fn accepts_only_64_hex_digits() {
        let hash = sha256_hex("query { x }");
        assert_eq!(parse_sha256(&hash.to_uppercase()), Some(hash.clone()));
        assert_eq!(parse_sha256(&hash[1..]), None);
        assert_eq!(parse_sha256(&format!("{}g", &hash[1..])), None);
    }
}
