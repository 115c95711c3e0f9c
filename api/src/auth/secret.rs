//! Random secrets and their digests.

use rand::RngExt as _;

/// `bytes` random bytes from the operating system's generator, hex-encoded.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill(&mut buf[..]);
    hex::encode(buf)
}

/// SHA-256 of a high-entropy secret, hex-encoded. Secrets are stored only in this form.
pub fn digest(secret: &str) -> String {
    crate::domain::documents::sha256_hex(secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_secrets_differ_and_have_the_asked_length() {
        let a = random_hex(20);
        assert_eq!(a.len(), 40);
        assert_ne!(a, random_hex(20));
    }

    #[test]
    fn digest_is_stable() {
        assert_eq!(digest("abc"), digest("abc"));
        assert_eq!(digest("abc").len(), 64);
    }
}
