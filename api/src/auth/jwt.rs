//! Access tokens: HS256 JWTs with the algorithm pinned and `exp`, `iss`, `aud` and `sub` required.

use chrono::{DateTime, Utc};
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{AppError, AppResult};

const ALGORITHM: Algorithm = Algorithm::HS256;
const ACCESS_TYPE: &str = "access";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AccessClaims {
    pub sub: Uuid,
    /// The workspace the token acts in, if one was chosen.
    pub wid: Option<Uuid>,
    /// The session (refresh-token family) the token was issued for, so that ending the session
    /// can close the sockets it opened.
    pub sid: Uuid,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
    pub typ: String,
}

/// Signs and checks access tokens with one key.
#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
    audience: String,
}

impl JwtKeys {
    pub fn new(secret: &[u8], issuer: &str, audience: &str) -> Self {
        let mut validation = Validation::new(ALGORITHM);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 5;
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
        }
    }

    pub fn issue(
        &self,
        user_id: Uuid,
        workspace_id: Option<Uuid>,
        session_id: Uuid,
        expires_at: DateTime<Utc>,
    ) -> AppResult<String> {
        let claims = AccessClaims {
            sub: user_id,
            wid: workspace_id,
            sid: session_id,
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            iat: Utc::now().timestamp(),
            exp: expires_at.timestamp(),
            typ: ACCESS_TYPE.to_owned(),
        };
        encode(&Header::new(ALGORITHM), &claims, &self.encoding).map_err(AppError::internal)
    }

    /// The claims of a valid access token; any flaw is UNAUTHENTICATED without detail.
    pub fn verify(&self, token: &str) -> AppResult<AccessClaims> {
        let data = decode::<AccessClaims>(token, &self.decoding, &self.validation)
            .map_err(|_| AppError::Unauthenticated)?;
        if data.claims.typ != ACCESS_TYPE {
            return Err(AppError::Unauthenticated);
        }
        Ok(data.claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
    use chrono::Duration;

    fn keys() -> JwtKeys {
        JwtKeys::new(b"0123456789abcdef0123456789abcdef", "accord", "accord-api")
    }

    #[test]
    fn round_trip() {
        let user = Uuid::now_v7();
        let token = keys()
            .issue(
                user,
                None,
                Uuid::now_v7(),
                Utc::now() + Duration::minutes(5),
            )
            .unwrap();
        assert_eq!(keys().verify(&token).unwrap().sub, user);
    }

    #[test]
    fn expired_tokens_are_refused() {
        let token = keys()
            .issue(
                Uuid::now_v7(),
                None,
                Uuid::now_v7(),
                Utc::now() - Duration::minutes(5),
            )
            .unwrap();
        assert!(keys().verify(&token).is_err());
    }

    #[test]
    fn other_keys_issuers_and_audiences_are_refused() {
        let token = keys()
            .issue(
                Uuid::now_v7(),
                None,
                Uuid::now_v7(),
                Utc::now() + Duration::minutes(5),
            )
            .unwrap();
        let other_key = JwtKeys::new(b"another-secret-another-secret-xx", "accord", "accord-api");
        assert!(other_key.verify(&token).is_err());
        let other_aud = JwtKeys::new(b"0123456789abcdef0123456789abcdef", "accord", "elsewhere");
        assert!(other_aud.verify(&token).is_err());
        let other_iss = JwtKeys::new(b"0123456789abcdef0123456789abcdef", "evil", "accord-api");
        assert!(other_iss.verify(&token).is_err());
    }

    #[test]
    fn alg_none_is_refused() {
        // header {"alg":"none","typ":"JWT"} with valid-looking claims and no signature
        let header = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0";
        let claims = serde_json::json!({
            "sub": Uuid::now_v7(), "sid": Uuid::now_v7(), "wid": null, "iss": "accord",
            "aud": "accord-api", "iat": 0, "exp": 4_000_000_000i64, "typ": "access"
        });
        let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap());
        assert!(keys().verify(&format!("{header}.{body}.")).is_err());
    }
}
