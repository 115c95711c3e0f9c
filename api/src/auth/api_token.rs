//! The API token format: `acd_` + 40 hex characters of randomness (160 bits) + 8 hex characters
//! of checksum. A token whose checksum is wrong is refused before any database access.

use sha2::{Digest, Sha256};

use super::secret::random_hex;

pub const PREFIX: &str = "acd_";
const RANDOM_HEX: usize = 40;
const CHECKSUM_HEX: usize = 8;
const DISPLAY_PREFIX: usize = PREFIX.len() + 8;

fn checksum(body: &str) -> String {
    hex::encode(&Sha256::digest(body.as_bytes())[..CHECKSUM_HEX / 2])
}

/// A fresh token secret.
pub fn generate() -> String {
    let body = random_hex(RANDOM_HEX / 2);
    let sum = checksum(&body);
    format!("{PREFIX}{body}{sum}")
}

/// Whether `token` looks like one of ours: prefix, length, hex, checksum.
pub fn is_well_formed(token: &str) -> bool {
    let Some(rest) = token.strip_prefix(PREFIX) else {
        return false;
    };
    if rest.len() != RANDOM_HEX + CHECKSUM_HEX
        || !rest
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return false;
    }
    let (body, sum) = rest.split_at(RANDOM_HEX);
    checksum(body) == sum
}

/// The part of a token that is safe to show in lists.
pub fn display_prefix(token: &str) -> String {
    token.chars().take(DISPLAY_PREFIX).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_tokens_are_well_formed() {
        let token = generate();
        assert!(token.starts_with("acd_"));
        assert_eq!(token.len(), 4 + 48);
        assert!(is_well_formed(&token));
        assert_eq!(display_prefix(&token).len(), 12);
    }

    #[test]
    fn a_changed_character_breaks_the_checksum() {
        let token = generate();
        let mut bytes = token.into_bytes();
        let i = 10;
        bytes[i] = if bytes[i] == b'a' { b'b' } else { b'a' };
        assert!(!is_well_formed(&String::from_utf8(bytes).unwrap()));
    }

    #[test]
    fn foreign_shapes_are_refused() {
        assert!(!is_well_formed("acd_"));
        assert!(!is_well_formed("Bearer something"));
        assert!(!is_well_formed(&format!("xyz_{}", &generate()[4..])));
    }
}
