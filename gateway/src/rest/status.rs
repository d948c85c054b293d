//! gRPC status → HTTP problem, in one place.

use axum::http::StatusCode;
use tonic::{Code, Status};

use crate::problem::Problem;

pub fn problem(status: Status) -> Problem {
    match status.code() {
        Code::InvalidArgument => match prm_kit::error::violated_field(&status) {
            Some((field, message)) => Problem::bad_request_field(field, message),
            None => Problem::bad_request(status.message()),
        },
        Code::NotFound => Problem::not_found(),
        Code::PermissionDenied => Problem::new(StatusCode::FORBIDDEN, status.message()),
        Code::FailedPrecondition => Problem::new(StatusCode::CONFLICT, status.message()),
        Code::AlreadyExists | Code::Aborted => Problem::new(StatusCode::CONFLICT, status.message()),
        Code::Unauthenticated => {
            Problem::internal(format!("service refused the gateway's token: {}", status.message()))
        }
        Code::Unavailable | Code::ResourceExhausted => {
            let mut p = Problem::new(StatusCode::SERVICE_UNAVAILABLE, "The service is unavailable; try again shortly.");
            p.retry_after = Some(1);
            p
        }
        Code::DeadlineExceeded | Code::Cancelled => {
            Problem::new(StatusCode::GATEWAY_TIMEOUT, "The service did not answer in time.")
        }
        _ => Problem::internal(format!("{:?}: {}", status.code(), status.message())),
    }
}

/// `?`-friendly conversion for handler results.
pub trait OrProblem<T> {
    fn or_problem(self) -> Result<T, Problem>;

    /// As `or_problem`, with a field the service names after its request
    /// (`record.id`) renamed to what the REST route calls it (`id`, from the
    /// path): `renames` holds (service's, route's) pairs.
    fn or_problem_as(self, renames: &[(&str, &str)]) -> Result<T, Problem>
    where
        Self: Sized,
    {
        self.or_problem().map_err(|p| renames.iter().fold(p, |p, (from, to)| p.renamed(from, to)))
    }
}

impl<T> OrProblem<T> for Result<tonic::Response<T>, Status> {
    fn or_problem(self) -> Result<T, Problem> {
        self.map(tonic::Response::into_inner).map_err(problem)
    }
}
