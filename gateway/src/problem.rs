//! RFC 9457 problem details (`application/problem+json`): the one error shape
//! the REST API answers with, and a JSON body extractor whose errors name the
//! offending field.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::json;

use crate::identity::IdentityError;

pub const PROBLEM_JSON: &str = "application/problem+json";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub status: StatusCode,
    pub title: String,
    pub detail: String,
    /// The request field at fault, reported in `errors`.
    pub field: Option<String>,
    /// A URI naming the problem type; `None` means `about:blank`.
    pub type_uri: Option<String>,
    /// Seconds, sent as `Retry-After` (429, 503).
    pub retry_after: Option<u64>,
    /// Adds `WWW-Authenticate: Bearer` (401).
    pub bearer_challenge: bool,
}

impl Problem {
    /// A problem whose title is the status's reason phrase.
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Problem {
        Problem {
            status,
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            detail: detail.into(),
            field: None,
            type_uri: None,
            retry_after: None,
            bearer_challenge: false,
        }
    }

    pub fn bad_request(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::BAD_REQUEST, detail)
    }

    pub fn bad_request_field(field: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem::new(StatusCode::BAD_REQUEST, message).with_field(field)
    }

    pub fn not_found() -> Problem {
        Problem::new(StatusCode::NOT_FOUND, "The resource does not exist.")
    }

    pub fn forbidden() -> Problem {
        Problem::new(StatusCode::FORBIDDEN, "Your role does not allow this action.")
    }

    pub fn unauthorized() -> Problem {
        Problem::unauthorized_because("A valid access token is required.")
    }

    pub fn unauthorized_because(detail: impl Into<String>) -> Problem {
        Problem { bearer_challenge: true, ..Problem::new(StatusCode::UNAUTHORIZED, detail) }
    }

    pub fn conflict(field: impl Into<String>) -> Problem {
        let field = field.into();
        Problem::new(StatusCode::CONFLICT, format!("{field} already exists.")).with_field(field)
    }

    /// Sign-ins refused while their counters cannot be kept (Redis down):
    /// the same answer for a right and a wrong password.
    pub fn sign_in_unavailable() -> Problem {
        Problem {
            retry_after: Some(5),
            ..Problem::new(StatusCode::SERVICE_UNAVAILABLE, "Signing in is not possible right now; retry later.")
        }
    }

    pub fn too_many_requests(retry_after_secs: u64) -> Problem {
        Problem {
            retry_after: Some(retry_after_secs),
            ..Problem::new(
                StatusCode::TOO_MANY_REQUESTS,
                format!("Rate limit exceeded; retry in {retry_after_secs} s."),
            )
        }
    }

    /// Logs the cause and answers an opaque 500: internals never reach clients.
    pub fn internal(cause: impl std::fmt::Display) -> Problem {
        tracing::error!(error = %cause, "internal error");
        Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "An internal error occurred.")
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Problem {
        self.field = Some(field.into());
        self
    }

    pub fn with_type(mut self, type_uri: impl Into<String>) -> Problem {
        self.type_uri = Some(type_uri.into());
        self
    }

    pub fn body(&self) -> serde_json::Value {
        let mut body = json!({
            "type": self.type_uri.as_deref().unwrap_or("about:blank"),
            "title": self.title,
            "status": self.status.as_u16(),
            "detail": self.detail,
        });
        if let Some(field) = &self.field {
            body["errors"] = json!([{ "field": field, "message": self.detail }]);
        }
        body
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status.as_u16(), self.detail)
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let mut res = (self.status, self.body().to_string()).into_response();
        let h = res.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if let Some(secs) = self.retry_after {
            h.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if self.bearer_challenge {
            h.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        res
    }
}

impl From<IdentityError> for Problem {
    fn from(e: IdentityError) -> Problem {
        match e {
            IdentityError::Invalid { field, message } => Problem::bad_request_field(field, message),
            IdentityError::NotFound => Problem::not_found(),
            IdentityError::Conflict { field } => Problem::conflict(field),
            IdentityError::Internal(cause) => Problem::internal(format!("{cause:#}")),
        }
    }
}

/// A JSON request body. Unlike `axum::Json`, a rejection is a 400 problem
/// that names the field (`unknown field`, `missing field`, wrong type), so
/// clients can show the message next to the right input.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Problem> {
        if !is_json(req.headers()) {
            return Err(not_json());
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| Problem::new(e.status(), e.body_text()))?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// Whether the request's `Content-Type` is JSON (`application/json`, or
/// `application/…+json`), parameters such as `charset` aside.
fn is_json(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .is_some_and(|v| v == "application/json" || (v.starts_with("application/") && v.ends_with("+json")))
}

fn not_json() -> Problem {
    Problem::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "Expected a body with content-type application/json.")
}

/// Every body the API takes is JSON, but a file's: a body of any other
/// type is refused with 415 before a handler reads it, alike for the
/// handlers that extract JSON and for those that read bytes and parse them.
/// An empty body (a verb without input) needs no type.
pub async fn json_bodies(req: Request, next: axum::middleware::Next) -> axum::response::Response {
    use axum::body::HttpBody;
    let path = req.uri().path();
    let writes =
        matches!(*req.method(), axum::http::Method::POST | axum::http::Method::PUT | axum::http::Method::PATCH);
    if writes
        && path.starts_with("/api/")
        && !crate::rest::is_upload(path)
        && req.body().size_hint().exact() != Some(0)
        && !is_json(req.headers())
    {
        return not_json().into_response();
    }
    next.run(req).await
}

/// A query string. Unlike `axum::extract::Query`, a rejection (unknown
/// parameter, wrong type) is a 400 problem like every other error.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiQuery<T>(pub T);

impl<T, S> axum::extract::FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, Problem> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(q)| ApiQuery(q))
            .map_err(|e| Problem::bad_request(e.body_text()))
    }
}

/// Deserializes `bytes`, turning serde's error into a problem naming the field.
/// Every body is an object: serde would also fill a struct from an array, in
/// field order (`["t", "b"]` as a news item), which no client means.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Problem> {
    if !matches!(bytes.trim_ascii_start().first(), None | Some(b'{')) {
        return Err(Problem::bad_request("The body must be a JSON object."));
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut *de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            return Problem::bad_request(format!("The body is not valid JSON: {inner}"));
        }
        let message = strip_position(&inner.to_string());
        match field_from_error(&path, &message) {
            Some(field) => Problem::bad_request_field(field, message),
            None => Problem::bad_request(message),
        }
    })?;
    // Trailing garbage after the value is an error too.
    de.end().map_err(|e| Problem::bad_request(format!("The body is not valid JSON: {e}")))?;
    Ok(value)
}

/// serde_json appends " at line 1 column 42", which means nothing to a form.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_owned(),
        None => msg.to_owned(),
    }
}

/// The dotted path of the field at fault. For a missing field serde's path
/// stops at the parent, so the name comes from the message.
fn field_from_error(path: &str, message: &str) -> Option<String> {
    let parent = if path == "." || path == "?" { "" } else { path };
    let named = ["unknown field `", "missing field `", "duplicate field `"]
        .iter()
        .find_map(|p| message.strip_prefix(p))
        .and_then(|rest| rest.split('`').next());
    match named {
        // The unknown key is already the last path segment.
        Some(name) if parent == name || parent.ends_with(&format!(".{name}")) => Some(parent.to_owned()),
        Some(name) if parent.is_empty() => Some(name.to_owned()),
        Some(name) => Some(format!("{parent}.{name}")),
        None if parent.is_empty() => None,
        None => Some(parent.to_owned()),
    }
}

impl Problem {
    /// Renames the named field: the service's wire path → the REST field.
    pub fn renamed(mut self, from: &str, to: &str) -> Problem {
        if self.field.as_deref() == Some(from) {
            self.field = Some(to.to_string());
        }
        self
    }

    /// Drops a message prefix of the named field (`discount.percent` → `percent`).
    pub fn without_prefix(mut self, prefix: &str) -> Problem {
        if let Some(f) = self.field.as_deref().and_then(|f| f.strip_prefix(prefix)) {
            self.field = Some(f.to_string());
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        email: String,
        count: u32,
        inner: Option<Inner>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        name: String,
    }

    fn field_of(json: &str) -> Option<String> {
        parse_json::<Body>(json.as_bytes()).unwrap_err().field
    }

    #[test]
    fn serde_errors_name_the_field() {
        assert_eq!(field_of(r#"{"email":"a","count":1,"partner_id":"x"}"#).as_deref(), Some("partner_id"));
        assert_eq!(field_of(r#"{"count":1}"#).as_deref(), Some("email"));
        assert_eq!(field_of(r#"{"email":"a","count":"many"}"#).as_deref(), Some("count"));
        assert_eq!(field_of(r#"{"email":"a","count":1,"inner":{"name":"n","id":1}}"#).as_deref(), Some("inner.id"));
        assert_eq!(field_of(r#"{"email":"#), None);
        let p = parse_json::<Body>(br#"{"email":"a","count":1,"x":1}"#).unwrap_err();
        assert_eq!(p.status, StatusCode::BAD_REQUEST);
        assert!(p.detail.starts_with("unknown field `x`"), "{}", p.detail);
        assert!(!p.detail.contains("line"), "{}", p.detail);
    }

    #[test]
    fn a_body_is_an_object_never_an_array_filled_in_field_order() {
        for body in [&br#"["a", 1]"#[..], b"  [null]", b"\"a\"", b"1", b"null"] {
            let p = parse_json::<Body>(body).unwrap_err();
            assert_eq!((p.status, p.detail.as_str()), (StatusCode::BAD_REQUEST, "The body must be a JSON object."));
        }
        assert!(parse_json::<Body>(br#" {"email":"a","count":1}"#).is_ok());
    }

    #[test]
    fn problem_body_has_rfc9457_members() {
        let b = Problem::bad_request_field("email", "bad").body();
        assert_eq!(b["type"], "about:blank");
        assert_eq!(b["status"], 400);
        assert_eq!(b["title"], "Bad Request");
        assert_eq!(b["errors"][0]["field"], "email");
        assert!(Problem::not_found().body().get("errors").is_none());
    }
}
