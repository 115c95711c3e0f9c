//! The one error type of the API and its mapping to GraphQL error codes.

use async_graphql::ErrorExtensions;

/// Every failure a resolver can report. The mapping to `extensions.code` lives in [`AppError::code`]
/// and nowhere else.
///
/// It deliberately has no `Display`: async-graphql converts anything displayable into an error
/// without extensions, and that silent path would drop the code. Conversion goes through
/// [`ErrorExtensions`] instead.
#[derive(Debug)]
pub enum AppError {
    Unauthenticated,
    InvalidCredentials,
    Forbidden(String),
    /// `field` is set when the id came inside an input (a reference to another record).
    NotFound {
        entity: &'static str,
        field: Option<String>,
    },
    BadInput {
        field: String,
        message: String,
    },
    Conflict(String),
    RateLimited {
        retry_after_secs: u64,
    },
    SlaWindowClosed(String),
    /// The database cannot be reached right now: the client should retry shortly (HTTP 503 with
    /// `Retry-After`), rather than wait or treat it as a bug.
    Unavailable,
    /// Anything the client cannot act on. Its source is logged, never shown.
    Internal(Box<dyn std::error::Error + Send + Sync>),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthenticated | AppError::InvalidCredentials => "UNAUTHENTICATED",
            AppError::Forbidden(_) => "FORBIDDEN",
            AppError::NotFound { .. } => "NOT_FOUND",
            AppError::BadInput { .. } => "BAD_USER_INPUT",
            AppError::Conflict(_) => "CONFLICT",
            AppError::RateLimited { .. } => "RATE_LIMITED",
            AppError::SlaWindowClosed(_) => "SLA_WINDOW_CLOSED",
            AppError::Unavailable => "UNAVAILABLE",
            AppError::Internal(_) => "INTERNAL",
        }
    }

    pub fn bad_input(field: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::BadInput {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        AppError::Forbidden(message.into())
    }

    pub fn not_found(entity: &'static str) -> Self {
        AppError::NotFound {
            entity,
            field: None,
        }
    }

    /// An id inside an input that names no record of this workspace.
    pub fn not_found_at(entity: &'static str, field: impl Into<String>) -> Self {
        AppError::NotFound {
            entity,
            field: Some(field.into()),
        }
    }

    /// A NOT_FOUND pinned to the input field that named the id; any other error unchanged.
    pub fn at_field(self, field: impl Into<String>) -> Self {
        match self {
            AppError::NotFound { entity, .. } => AppError::not_found_at(entity, field),
            other => other,
        }
    }

    /// The same error with its field named inside the argument `argument` (`title` becomes
    /// `input.title`), for services that validate one input object.
    pub fn inside(self, argument: &str) -> Self {
        match self {
            AppError::BadInput { field, message } => AppError::BadInput {
                field: format!("{argument}.{field}"),
                message,
            },
            AppError::NotFound {
                entity,
                field: Some(field),
            } => AppError::not_found_at(entity, format!("{argument}.{field}")),
            other => other,
        }
    }

    pub fn internal(source: impl std::error::Error + Send + Sync + 'static) -> Self {
        AppError::Internal(Box::new(source))
    }

    /// The message the client sees.
    pub fn message(&self) -> String {
        match self {
            AppError::Unauthenticated => "authentication required".to_owned(),
            AppError::InvalidCredentials => "invalid email or password".to_owned(),
            AppError::Forbidden(message)
            | AppError::Conflict(message)
            | AppError::SlaWindowClosed(message) => message.clone(),
            AppError::NotFound { entity, .. } => format!("{entity} not found"),
            AppError::BadInput { field, message } => format!("{field}: {message}"),
            AppError::RateLimited { retry_after_secs } => {
                format!("rate limit exceeded; retry in {retry_after_secs} s")
            }
            AppError::Unavailable => {
                format!("temporarily unavailable; retry in {UNAVAILABLE_RETRY_AFTER_SECS} s")
            }
            AppError::Internal(_) => "internal error".to_owned(),
        }
    }

    pub fn field(&self) -> Option<&str> {
        match self {
            AppError::BadInput { field, .. } => Some(field),
            AppError::NotFound { field, .. } => field.as_deref(),
            _ => None,
        }
    }
}

/// How long a client should wait before retrying an UNAVAILABLE answer.
pub const UNAVAILABLE_RETRY_AFTER_SECS: u64 = 1;

impl From<sea_orm::DbErr> for AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        if is_outage(&err) {
            tracing::warn!(error = %err, "database unreachable");
            AppError::Unavailable
        } else {
            AppError::internal(err)
        }
    }
}

/// Whether the database could not be reached at all (as opposed to refusing a statement).
fn is_outage(err: &sea_orm::DbErr) -> bool {
    use sea_orm::{sqlx::Error as Sqlx, DbErr, RuntimeErr};
    match err {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(source))
        | DbErr::Query(RuntimeErr::SqlxError(source)) => {
            matches!(
                source.as_ref(),
                Sqlx::Io(_)
                    | Sqlx::Tls(_)
                    | Sqlx::PoolTimedOut
                    | Sqlx::PoolClosed
                    | Sqlx::WorkerCrashed
            )
        }
        _ => false,
    }
}

impl From<sea_orm::TransactionError<AppError>> for AppError {
    fn from(err: sea_orm::TransactionError<AppError>) -> Self {
        match err {
            sea_orm::TransactionError::Connection(db) => db.into(),
            sea_orm::TransactionError::Transaction(app) => app,
        }
    }
}

impl From<AppError> for async_graphql::Error {
    fn from(err: AppError) -> Self {
        err.extend()
    }
}

impl ErrorExtensions for AppError {
    fn extend(&self) -> async_graphql::Error {
        if let AppError::Internal(source) = self {
            // The request id the client sees is on the current span, so this line and the
            // client's error can be matched.
            tracing::error!(error = %source, detail = ?source, "internal error");
        }
        async_graphql::Error::new(self.message()).extend_with(|_, ext| {
            ext.set("code", self.code());
            if let Some(field) = self.field() {
                ext.set("field", field);
            }
            if let AppError::RateLimited { retry_after_secs } = self {
                ext.set("retryAfter", *retry_after_secs);
            }
        })
    }
}

/// An error reported inside a payload rather than as a GraphQL error, for batch operations
/// that answer item by item.
#[derive(Debug, Clone, async_graphql::SimpleObject)]
pub struct UserError {
    pub code: String,
    pub message: String,
    pub field: Option<String>,
}

impl From<&AppError> for UserError {
    fn from(err: &AppError) -> Self {
        if let AppError::Internal(source) = err {
            tracing::error!(error = %source, "internal error in a batch item");
        }
        UserError {
            code: err.code().to_owned(),
            message: err.message(),
            field: err.field().map(str::to_owned),
        }
    }
}

/// The domain's refusals of a report, a review or a plan name the input field at fault.
macro_rules! bad_input_from {
    ($($error:ty),+) => {
        $(impl From<$error> for AppError {
            fn from(err: $error) -> Self {
                AppError::bad_input(err.field, err.message)
            }
        })+
    };
}

bad_input_from!(
    crate::domain::metrics::MetricsError,
    crate::domain::review::ReviewError,
    crate::domain::planning::PlanningError
);

#[cfg(test)]
mod tests {
    use super::*;

    fn code_of(err: AppError) -> String {
        let gql: async_graphql::Error = err.into();
        let ext = gql.extensions.expect("extensions");
        match ext.get("code") {
            Some(async_graphql::Value::String(code)) => code.clone(),
            other => panic!("no code: {other:?}"),
        }
    }

    #[test]
    fn every_variant_maps_to_its_code() {
        assert_eq!(code_of(AppError::Unauthenticated), "UNAUTHENTICATED");
        assert_eq!(code_of(AppError::forbidden("no")), "FORBIDDEN");
        assert_eq!(code_of(AppError::not_found("lead")), "NOT_FOUND");
        assert_eq!(
            code_of(AppError::bad_input("email", "bad")),
            "BAD_USER_INPUT"
        );
        assert_eq!(code_of(AppError::Conflict("dup".into())), "CONFLICT");
        assert_eq!(
            code_of(AppError::RateLimited {
                retry_after_secs: 3
            }),
            "RATE_LIMITED"
        );
        assert_eq!(
            code_of(AppError::SlaWindowClosed("late".into())),
            "SLA_WINDOW_CLOSED"
        );
        assert_eq!(code_of(AppError::Unavailable), "UNAVAILABLE");
        assert_eq!(
            code_of(AppError::internal(std::io::Error::other("disk"))),
            "INTERNAL"
        );
    }

    #[test]
    fn an_unreachable_database_is_unavailable_and_a_refused_statement_internal() {
        use sea_orm::{ConnAcquireErr, DbErr, RuntimeErr};
        let outages = [
            DbErr::ConnectionAcquire(ConnAcquireErr::Timeout),
            DbErr::ConnectionAcquire(ConnAcquireErr::ConnectionClosed),
            DbErr::Query(RuntimeErr::SqlxError(std::sync::Arc::new(
                sea_orm::sqlx::Error::Io(std::io::Error::from(
                    std::io::ErrorKind::ConnectionRefused,
                )),
            ))),
            DbErr::Exec(RuntimeErr::SqlxError(std::sync::Arc::new(
                sea_orm::sqlx::Error::PoolTimedOut,
            ))),
        ];
        for outage in outages {
            assert_eq!(code_of(outage.into()), "UNAVAILABLE");
        }
        let refused = DbErr::Query(RuntimeErr::Internal("syntax error".into()));
        assert_eq!(code_of(refused.into()), "INTERNAL");
    }

    #[test]
    fn internal_errors_hide_their_source() {
        let err = AppError::internal(std::io::Error::other("postgres://secret@db-host"));
        let gql: async_graphql::Error = err.into();
        assert_eq!(gql.message, "internal error");
    }

    #[test]
    fn bad_input_names_the_field() {
        let gql: async_graphql::Error = AppError::bad_input("input.email", "not an email").into();
        let ext = gql.extensions.expect("extensions");
        assert_eq!(
            ext.get("field"),
            Some(&async_graphql::Value::String("input.email".into()))
        );
    }
}
