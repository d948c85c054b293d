//! Asking several services at once: each call has its own deadline, and a
//! service that fails or is too slow leaves a gap that the answer names
//! instead of failing the whole request.

use std::{future::Future, time::Duration};

use serde::Serialize;
use tonic::{Code, Status};
use utoipa::ToSchema;

/// How long one service may take to answer a fan-out call.
pub const DEADLINE: Duration = Duration::from_millis(1_500);

/// A service whose part of the answer is missing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Missing {
    pub service: &'static str,
    /// `unavailable`, `timeout` or `error`.
    pub reason: &'static str,
}

/// `call` under [`DEADLINE`], as the answer or the gap it leaves. The
/// deadline also travels to the service as `grpc-timeout`, so it stops work
/// nobody waits for.
pub async fn call<T>(
    service: &'static str,
    call: impl Future<Output = Result<tonic::Response<T>, Status>>,
) -> Result<T, Missing> {
    match tokio::time::timeout(DEADLINE, call).await {
        Ok(Ok(r)) => Ok(r.into_inner()),
        Ok(Err(s)) => {
            let reason = match s.code() {
                Code::Unavailable => "unavailable",
                Code::DeadlineExceeded | Code::Cancelled => "timeout",
                _ => "error",
            };
            tracing::warn!(service, code = ?s.code(), message = s.message(), "fan-out call failed");
            Err(Missing { service, reason })
        }
        Err(_) => {
            tracing::warn!(service, "fan-out call timed out");
            Err(Missing { service, reason: "timeout" })
        }
    }
}

/// A request with the fan-out deadline set.
pub fn request<T>(message: T) -> tonic::Request<T> {
    let mut r = tonic::Request::new(message);
    r.set_timeout(DEADLINE);
    r
}
