//! One error type for every service, and its one mapping to gRPC status codes.

use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input; names the offending field (proto field path).
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// Missing, or outside the caller's scope: the two are never told apart.
    #[error("not found")]
    NotFound,
    /// The caller sees the record but may not do this to it.
    #[error("{0}")]
    PermissionDenied(String),
    /// A rule of the domain refuses the change as the record stands.
    #[error("{0}")]
    FailedPrecondition(String),
    #[error("{0}")]
    AlreadyExists(String),
    /// A concurrent change won; the client may retry.
    #[error("{0}")]
    Aborted(String),
    #[error("{0}")]
    Unauthenticated(String),
    /// A dependency (mail server, another service) is down; retry later.
    #[error("{0}")]
    Unavailable(String),
    /// Anything else: logged here, sent to the client as an opaque message.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl Error {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Invalid { field: field.into(), message: message.into() }
    }
}

impl From<sea_orm::DbErr> for Error {
    /// A deadlock or serialization failure lost a race that a retry can win.
    fn from(e: sea_orm::DbErr) -> Self {
        let code = match &e {
            sea_orm::DbErr::Query(sea_orm::RuntimeErr::SqlxError(s))
            | sea_orm::DbErr::Exec(sea_orm::RuntimeErr::SqlxError(s)) => {
                s.as_database_error().and_then(|d| d.code()).map(|c| c.into_owned())
            }
            _ => None,
        };
        match code.as_deref() {
            Some("40P01") | Some("40001") => Error::Aborted("a concurrent change won; retry".into()),
            _ => Error::Internal(anyhow::Error::new(e)),
        }
    }
}

impl From<sea_orm::TransactionError<Error>> for Error {
    fn from(e: sea_orm::TransactionError<Error>) -> Self {
        match e {
            sea_orm::TransactionError::Connection(e) => e.into(),
            sea_orm::TransactionError::Transaction(e) => e,
        }
    }
}

impl From<Error> for Status {
    fn from(e: Error) -> Self {
        match e {
            Error::Invalid { field, message } => Status::with_error_details(
                Code::InvalidArgument,
                format!("{field}: {message}"),
                ErrorDetails::with_bad_request_violation(field, message),
            ),
            Error::NotFound => Status::not_found("not found"),
            Error::PermissionDenied(m) => Status::permission_denied(m),
            Error::FailedPrecondition(m) => Status::failed_precondition(m),
            Error::AlreadyExists(m) => Status::already_exists(m),
            Error::Aborted(m) => Status::aborted(m),
            Error::Unauthenticated(m) => Status::unauthenticated(m),
            Error::Unavailable(m) => Status::unavailable(m),
            Error::Internal(cause) => {
                tracing::error!(error = ?cause, "internal error");
                Status::internal("internal error")
            }
        }
    }
}

/// The field named by an INVALID_ARGUMENT status, if any (used by callers
/// such as the gateway to name the field to their own clients).
pub fn violated_field(status: &Status) -> Option<(String, String)> {
    let details = status.get_error_details();
    let bad = details.bad_request()?;
    let v = bad.field_violations.first()?;
    Some((v.field.clone(), v.description.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_argument_carries_the_field() {
        let status: Status = Error::invalid("account.name", "must not be empty").into();
        assert_eq!(status.code(), Code::InvalidArgument);
        assert_eq!(violated_field(&status), Some(("account.name".into(), "must not be empty".into())));
    }

    #[test]
    fn internal_errors_are_opaque() {
        let status: Status = Error::Internal(anyhow::anyhow!("password=secret")).into();
        assert_eq!(status.code(), Code::Internal);
        assert!(!status.message().contains("secret"));
    }
}
