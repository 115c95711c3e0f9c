//! Automatic Persisted Queries (Apollo's protocol): a request may name its document by
//! `extensions.persistedQuery.sha256Hash` instead of sending it. An unknown hash answers
//! `PersistedQueryNotFound` and the client resends the hash with the document, which is checked
//! and remembered. Documents live in a bounded in-process LRU cache: each instance has its own,
//! and a miss only costs the client one resend.

use std::sync::Mutex;

use actix_web::{http::header, HttpResponse, HttpResponseBuilder};
use async_graphql::{Response, Value};
use lru::LruCache;

use crate::domain::documents::{parse_sha256, sha256_hex, DocumentHash};

pub const EXTENSION: &str = "persistedQuery";

/// Documents by hash, at most `max_bytes` of document text in all.
pub struct PersistedQueries {
    max_bytes: usize,
    cache: Mutex<Documents>,
}

struct Documents {
    by_hash: LruCache<String, String>,
    bytes: usize,
}

impl PersistedQueries {
    pub fn new(max_bytes: usize) -> Self {
        Self {
            max_bytes,
            cache: Mutex::new(Documents {
                by_hash: LruCache::unbounded(),
                bytes: 0,
            }),
        }
    }

    fn get(&self, sha256: &str) -> Option<String> {
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        cache.by_hash.get(sha256).cloned()
    }

    /// Remembers `document` under its hash `sha256`, evicting the least recently used ones past
    /// the bound.
    pub fn remember(&self, sha256: String, document: &str) {
        if document.len() > self.max_bytes {
            return;
        }
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if cache.by_hash.get(&sha256).is_some() {
            return;
        }
        cache.bytes += document.len();
        cache.by_hash.put(sha256, document.to_owned());
        while cache.bytes > self.max_bytes {
            match cache.by_hash.pop_lru() {
                Some((_, evicted)) => cache.bytes -= evicted.len(),
                None => break,
            }
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .by_hash
            .len()
    }

    /// Fills in the document of a request that names it by hash, or checks and remembers the one
    /// it sends along. Requests without the extension pass unchanged.
    pub fn resolve(&self, request: &mut async_graphql::Request) -> Result<(), Refusal> {
        let Some(extension) = request.extensions.get(EXTENSION) else {
            return Ok(());
        };
        let Value::Object(fields) = extension else {
            return Err(Refusal::Malformed(
                "`extensions.persistedQuery` must be an object",
            ));
        };
        if fields.get("version") != Some(&Value::from(1)) {
            return Err(Refusal::Malformed(
                "unsupported persisted query version: send `version: 1`",
            ));
        }
        let Some(sha256) = (match fields.get("sha256Hash") {
            Some(Value::String(raw)) => parse_sha256(raw),
            _ => None,
        }) else {
            return Err(Refusal::Malformed(
                "`extensions.persistedQuery.sha256Hash` must be 64 hex digits",
            ));
        };
        if request.query.is_empty() {
            request.query = self.get(&sha256).ok_or(Refusal::NotFound)?;
        } else if sha256_hex(&request.query) != sha256 {
            return Err(Refusal::HashMismatch);
        } else {
            self.remember(sha256.clone(), &request.query);
        }
        request.data.insert(DocumentHash(sha256));
        Ok(())
    }
}

/// Why a persisted-query request is answered without running anything.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The hash is not known here: the client resends it with the document.
    NotFound,
    HashMismatch,
    Malformed(&'static str),
}

impl Refusal {
    pub fn respond(&self, content_type: &'static str) -> HttpResponse {
        let (mut builder, message, code) = match self {
            // HTTP 200, as Apollo's clients expect before they retry with the document; never
            // cached, or a CDN would keep answering "not found" after the document is known.
            Refusal::NotFound => {
                let mut builder = HttpResponse::Ok();
                builder
                    .insert_header((header::CACHE_CONTROL, "private, no-cache, must-revalidate"));
                (
                    builder,
                    "PersistedQueryNotFound",
                    "PERSISTED_QUERY_NOT_FOUND",
                )
            }
            Refusal::HashMismatch => (
                HttpResponse::BadRequest(),
                "provided sha does not match query",
                "BAD_USER_INPUT",
            ),
            Refusal::Malformed(message) => (HttpResponse::BadRequest(), *message, "BAD_USER_INPUT"),
        };
        let body = serde_json::json!({
            "errors": [{ "message": message, "extensions": { "code": code } }]
        });
        builder.content_type(content_type).body(body.to_string())
    }
}

/// Caching headers of a GET answer. The answer depends on the credential (and on `Accept`), so
/// it varies by both; one made with a credential is `private` and never lands in a shared cache;
/// an anonymous one follows the schema's cache hints; an answer carrying errors is not stored.
pub fn cache_headers(builder: &mut HttpResponseBuilder, authenticated: bool, response: &Response) {
    builder.insert_header((header::VARY, "Authorization, Accept"));
    let cache_control = if !response.errors.is_empty() {
        "no-store".to_owned()
    } else if authenticated {
        "private, no-cache".to_owned()
    } else {
        response
            .cache_control
            .value()
            .unwrap_or_else(|| "no-cache".to_owned())
    };
    builder.insert_header((header::CACHE_CONTROL, cache_control));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_hash(query: &str, sha256: &str) -> async_graphql::Request {
        let body = serde_json::json!({
            "query": query,
            "extensions": { "persistedQuery": { "version": 1, "sha256Hash": sha256 } }
        });
        serde_json::from_value(body).expect("request")
    }

    #[test]
    fn registers_then_serves_by_hash() {
        let cache = PersistedQueries::new(1024);
        let document = "{ __typename }";
        let sha256 = sha256_hex(document);
        assert_eq!(
            cache.resolve(&mut with_hash("", &sha256)),
            Err(Refusal::NotFound)
        );
        assert_eq!(cache.resolve(&mut with_hash(document, &sha256)), Ok(()));
        let mut by_hash = with_hash("", &sha256.to_uppercase());
        assert_eq!(cache.resolve(&mut by_hash), Ok(()));
        assert_eq!(by_hash.query, document);
    }

    #[test]
    fn refuses_a_hash_of_another_document() {
        let cache = PersistedQueries::new(1024);
        let other = sha256_hex("{ other }");
        assert_eq!(
            cache.resolve(&mut with_hash("{ __typename }", &other)),
            Err(Refusal::HashMismatch)
        );
        assert_eq!(
            cache.resolve(&mut with_hash("", &other)),
            Err(Refusal::NotFound)
        );
    }

    #[test]
    fn evicts_the_least_recently_used_past_the_byte_bound() {
        let cache = PersistedQueries::new(30);
        let (a, b, c) = ("{ a0123456789 }", "{ b0123456789 }", "{ c0123456789 }");
        cache.remember(sha256_hex(a), a);
        cache.remember(sha256_hex(b), b);
        assert!(cache.get(&sha256_hex(a)).is_some()); // `a` is now the most recent
        cache.remember(sha256_hex(c), c);
        assert!(cache.get(&sha256_hex(b)).is_none());
        assert!(cache.get(&sha256_hex(a)).is_some());
        assert!(cache.get(&sha256_hex(c)).is_some());
        {
            let big = "x".repeat(31);
            cache.remember(sha256_hex(&big), &big)
        }; // larger than the whole bound: not kept
        assert_eq!(cache.len(), 2);
    }
}
