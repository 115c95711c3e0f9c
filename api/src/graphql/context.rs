//! What a resolver reads from its context: the shared state and the caller.

use std::sync::{
    atomic::{AtomicBool, AtomicU64, Ordering},
    Arc, Mutex,
};

use async_graphql::Context;

use crate::{
    auth::Actor,
    error::{AppError, AppResult},
    rate_limit::Budget,
    state::AppState,
};

/// The authenticated caller of this request, if any.
#[derive(Clone)]
pub struct RequestActor(pub Option<Actor>);

/// Facts about one request that the transport needs after execution.
#[derive(Debug, Default)]
pub struct RequestMeta {
    pub request_id: String,
    /// Set when the document failed to parse or validate (a 4xx under graphql-response+json).
    pub request_error: AtomicBool,
    /// Seconds to put in `Retry-After` when the rate limit refused the request.
    pub retry_after_secs: AtomicU64,
    pub budget: Mutex<Option<(u64, Budget)>>,
    /// Who is charged for this request's cost.
    pub rate_limit_key: String,
}

impl RequestMeta {
    pub fn new(request_id: String, rate_limit_key: String) -> Arc<Self> {
        Arc::new(Self {
            request_id,
            rate_limit_key,
            ..Default::default()
        })
    }

    pub fn mark_request_error(&self) {
        self.request_error.store(true, Ordering::Relaxed);
    }

    pub fn is_request_error(&self) -> bool {
        self.request_error.load(Ordering::Relaxed)
    }

    pub fn retry_after(&self) -> Option<u64> {
        match self.retry_after_secs.load(Ordering::Relaxed) {
            0 => None,
            secs => Some(secs),
        }
    }
}

pub trait ContextExt {
    fn state(&self) -> &AppState;
    /// The caller, or UNAUTHENTICATED.
    fn actor(&self) -> AppResult<&Actor>;
}

impl ContextExt for Context<'_> {
    fn state(&self) -> &AppState {
        self.data_unchecked::<AppState>()
    }

    fn actor(&self) -> AppResult<&Actor> {
        self.data_opt::<RequestActor>()
            .and_then(|actor| actor.0.as_ref())
            .ok_or(AppError::Unauthenticated)
    }
}
