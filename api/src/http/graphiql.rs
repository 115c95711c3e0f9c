//! GraphiQL served from the binary: the page, pinned React/GraphiQL/graphql-ws builds and our
//! bootstrap script, all same-origin under a Content-Security-Policy that runs only this
//! server's scripts, so `/graphiql` works without internet access and runs no third-party code
//! fetched at view time. The vendored files and how they were fetched: api/assets/graphiql/README.md.

use actix_web::{http::header, web, HttpRequest, HttpResponse};

struct Asset {
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
    /// The file name carries its package version, so a browser may keep it for a year.
    versioned: bool,
}

macro_rules! asset {
    ($name:literal, $content_type:expr, $versioned:literal) => {
        Asset {
            name: $name,
            content_type: $content_type,
            bytes: include_bytes!(concat!("../../assets/graphiql/", $name)),
            versioned: $versioned,
        }
    };
}

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

const ASSETS: &[Asset] = &[
    asset!("react-18.3.1.min.js", JS, true),
    asset!("react-dom-18.3.1.min.js", JS, true),
    asset!("graphql-ws-6.4.2.min.js", JS, true),
    asset!("graphiql-4.1.2.min.js", JS, true),
    asset!("graphiql-4.1.2.min.css", CSS, true),
    asset!("accord-graphiql.js", JS, false),
    asset!("accord-graphiql.css", CSS, false),
];

const PAGE: &str = include_str!("../../assets/graphiql/index.html");

/// The page's policy: scripts, styles and connections of this origin only; GraphiQL's stylesheet
/// inlines its fonts and icons as `data:` URLs. `'self'` covers a same-origin WebSocket in
/// current browsers; the explicit `ws://` and `wss://` sources are for older ones.
fn content_security_policy(host: Option<&str>) -> String {
    let sockets = host
        .filter(|host| is_plain_host(host))
        .map(|host| format!(" ws://{host} wss://{host}"))
        .unwrap_or_default();
    format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; font-src 'self' data:; \
         img-src 'self' data:; connect-src 'self'{sockets}; base-uri 'none'; \
         form-action 'none'; frame-ancestors 'none'"
    )
}

/// A `Host` header fit to echo into the policy: a name or address and a port, nothing that
/// could end a source list or add a directive.
fn is_plain_host(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 255
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
}

pub async fn page(req: HttpRequest) -> HttpResponse {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|value| value.to_str().ok());
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            content_security_policy(host),
        ))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(PAGE)
}

pub async fn asset(name: web::Path<String>) -> HttpResponse {
    let Some(asset) = ASSETS.iter().find(|asset| asset.name == name.as_str()) else {
        return HttpResponse::NotFound().finish();
    };
    let cache = if asset.versioned {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    HttpResponse::Ok()
        .content_type(asset.content_type)
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CACHE_CONTROL, cache))
        .body(asset.bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_names_only_assets_the_binary_holds() {
        for reference in PAGE.split("/graphiql/assets/").skip(1) {
            let name = &reference[..reference.find('"').unwrap()];
            assert!(
                ASSETS.iter().any(|asset| asset.name == name),
                "index.html loads {name}, which is not embedded"
            );
        }
        assert!(
            !PAGE.contains("<script>") && !PAGE.contains("<style"),
            "inline code would need 'unsafe-inline'"
        );
    }

    #[test]
    fn a_host_that_could_extend_the_policy_is_left_out() {
        let policy = content_security_policy(Some("accord.example:8080"));
        assert!(policy
            .contains("connect-src 'self' ws://accord.example:8080 wss://accord.example:8080;"));
        let policy = content_security_policy(Some("evil; script-src *"));
        assert!(policy.contains("connect-src 'self';"));
        assert!(!policy.contains('*'));
    }
}
