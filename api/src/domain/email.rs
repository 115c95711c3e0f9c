//! Free-mail domains: an address there says nothing about the company a person works for.
//!
//! Ingestion uses this twice: to flag `contact.personalEmail` (fit rules reward a business
//! address and penalise a personal one) and to avoid resolving every Gmail user to one giant
//! "gmail.com" account.

use std::cmp::Ordering;

/// Lower-case, sorted by bytes and without duplicates, so a lookup is a binary search (a test
/// keeps it that way). Add domains where they belong alphabetically.
const PERSONAL_DOMAINS: &[&str] = &[
    "126.com",
    "139.com",
    "163.com",
    "aim.com",
    "aol.com",
    "att.net",
    "bk.ru",
    "btinternet.com",
    "comcast.net",
    "daum.net",
    "fastmail.com",
    "fastmail.fm",
    "foxmail.com",
    "free.fr",
    "gmail.com",
    "gmx.at",
    "gmx.com",
    "gmx.de",
    "gmx.net",
    "googlemail.com",
    "hanmail.net",
    "hey.com",
    "hotmail.co.uk",
    "hotmail.com",
    "hotmail.de",
    "hotmail.fr",
    "hotmail.it",
    "icloud.com",
    "inbox.ru",
    "interia.pl",
    "laposte.net",
    "libero.it",
    "list.ru",
    "live.co.uk",
    "live.com",
    "live.fr",
    "mac.com",
    "mail.com",
    "mail.ru",
    "me.com",
    "msn.com",
    "naver.com",
    "o2.pl",
    "orange.fr",
    "outlook.com",
    "outlook.de",
    "outlook.fr",
    "pm.me",
    "proton.me",
    "protonmail.ch",
    "protonmail.com",
    "qq.com",
    "rediffmail.com",
    "rocketmail.com",
    "sbcglobal.net",
    "seznam.cz",
    "sina.com",
    "sky.com",
    "t-online.de",
    "tuta.io",
    "tutanota.com",
    "verizon.net",
    "virginmedia.com",
    "wanadoo.fr",
    "web.de",
    "wp.pl",
    "yahoo.ca",
    "yahoo.co.in",
    "yahoo.co.jp",
    "yahoo.co.uk",
    "yahoo.com",
    "yahoo.com.au",
    "yahoo.com.br",
    "yahoo.de",
    "yahoo.es",
    "yahoo.fr",
    "yahoo.it",
    "yandex.com",
    "yandex.ru",
    "yeah.net",
    "ymail.com",
    "zoho.com",
    "zohomail.com",
];

/// Whether `domain` belongs to a free-mail provider, ignoring ASCII case.
///
/// Only the exact domain counts: `mail.acme.com` is not `mail.com`, and a company on its own
/// domain hosted by Google Workspace is a business address.
pub fn is_personal_domain(domain: &str) -> bool {
    PERSONAL_DOMAINS
        .binary_search_by(|entry| compare_ignore_case(entry, domain))
        .is_ok()
}

/// Whether `email`'s domain is a free-mail one; `false` when there is no domain to judge.
pub fn is_personal_email(email: &str) -> bool {
    email_domain(email).is_some_and(is_personal_domain)
}

/// The part of `email` after its last `@`, as written (no lower-casing, so no allocation);
/// `None` when either side of the `@` is empty. Validation is `text::normalize_email`'s job.
pub fn email_domain(email: &str) -> Option<&str> {
    let (local, domain) = email.trim().rsplit_once('@')?;
    (!local.is_empty() && !domain.is_empty()).then_some(domain)
}

/// Orders a lower-case `entry` against `domain` as if `domain` were lower-cased too, without
/// building the lower-cased copy.
fn compare_ignore_case(entry: &str, domain: &str) -> Ordering {
    entry
        .bytes()
        .cmp(domain.bytes().map(|b| b.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_sorted_lower_case_and_without_duplicates() {
        assert!(PERSONAL_DOMAINS.len() >= 40);
        for pair in PERSONAL_DOMAINS.windows(2) {
            assert!(
                pair[0] < pair[1],
                "{} must come before {}",
                pair[0],
                pair[1]
            );
        }
        for domain in PERSONAL_DOMAINS {
            assert_eq!(domain.to_ascii_lowercase(), *domain);
            assert!(!domain.contains(char::is_whitespace) && domain.contains('.'));
        }
    }

    #[test]
    fn every_listed_domain_is_found() {
        for domain in PERSONAL_DOMAINS {
            assert!(is_personal_domain(domain), "{domain}");
            assert!(is_personal_domain(&domain.to_ascii_uppercase()), "{domain}");
        }
    }

    #[test]
    fn common_providers_are_personal_in_any_case() {
        for domain in [
            "gmail.com",
            "GMail.com",
            "googlemail.com",
            "yahoo.co.uk",
            "Yahoo.FR",
            "hotmail.de",
            "outlook.com",
            "icloud.com",
            "proton.me",
            "pm.me",
            "gmx.net",
            "web.de",
            "mail.ru",
            "qq.com",
            "163.com",
            "hey.com",
        ] {
            assert!(is_personal_domain(domain), "{domain}");
        }
    }

    #[test]
    fn business_and_look_alike_domains_are_not_personal() {
        for domain in [
            "acme.io",
            "mail.acme.com",
            "gmail.co",
            "gmail.com.evil.io",
            "ggmail.com",
            "yahoo",
            "",
            "aaa.com",
            "zzz.com",
        ] {
            assert!(!is_personal_domain(domain), "{domain:?}");
        }
    }

    #[test]
    fn the_domain_is_what_follows_the_last_at() {
        assert_eq!(email_domain("jane@acme.io"), Some("acme.io"));
        assert_eq!(email_domain("  Jane@Gmail.COM "), Some("Gmail.COM"));
        assert_eq!(email_domain("\"a@b\"@acme.io"), Some("acme.io"));
        for invalid in ["", "jane", "@acme.io", "jane@", "@"] {
            assert_eq!(email_domain(invalid), None, "{invalid:?}");
        }
    }

    #[test]
    fn personal_emails_are_judged_by_their_domain() {
        assert!(is_personal_email("jane.doe@GMAIL.com"));
        assert!(!is_personal_email("jane@acme.io"));
        assert!(!is_personal_email("not an email"));
    }
}
