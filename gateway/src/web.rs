//! The web portal: the built front-end (`web/dist`) served from the binary
//! itself, and the security headers every answer of the gateway carries.
//!
//! `index.html` is never cached (a deploy shows at the next load); Vite's
//! hashed files under `/assets/` are cached for good; any other path that is
//! not the API and names no file is a page of the app, which routes in the
//! browser. The build writes every text file also brotli- and
//! gzip-compressed beside it (`.br`, `.gz`); the gateway sends the smallest
//! form the browser accepts, never compressing per request.
//! `PRM_WEB_DIR` serves the files from a folder instead, so the front-end
//! can be rebuilt without rebuilding the gateway.

use std::{borrow::Cow, path::PathBuf};

use axum::{
    extract::Request,
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

use crate::problem::Problem;

#[derive(rust_embed::RustEmbed)]
#[folder = "../web/dist"]
#[allow_missing = true]
struct Embedded;

/// The only sources the portal loads from: its own origin, no inline script
/// or style, never framed. It frames only what it made itself from an answer
/// of its own API (`blob:`: the quote's PDF preview).
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; frame-src blob:; object-src 'none'; base-uri 'self'; \
     form-action 'self'; frame-ancestors 'none'";

/// A file's bytes and its ETag.
type Found = (Cow<'static, [u8]>, String);

/// Where the portal's files come from.
#[derive(Clone, Debug)]
pub enum Assets {
    /// Compiled into the binary.
    Embedded,
    /// A folder read at each request (`PRM_WEB_DIR`).
    Dir(PathBuf),
}

impl Assets {
    /// `PRM_WEB_DIR` when set, else the embedded copy.
    pub fn from_env() -> Assets {
        match std::env::var_os("PRM_WEB_DIR").filter(|d| !d.is_empty()) {
            Some(dir) => Assets::Dir(dir.into()),
            None => Assets::Embedded,
        }
    }

    /// The file at `path` (relative, `/`-separated) and its ETag.
    fn get(&self, path: &str) -> Option<Found> {
        // Only plain relative names: nothing climbs out of the folder.
        if path.split('/').any(|seg| seg.is_empty() || seg == "." || seg == ".." || seg.contains('\\')) {
            return None;
        }
        match self {
            Assets::Embedded => {
                let file = Embedded::get(path)?;
                let etag = hex(&file.metadata.sha256_hash()[..16]);
                Some((file.data, etag))
            }
            Assets::Dir(dir) => {
                let bytes = std::fs::read(dir.join(path)).ok()?;
                let etag = {
                    use sha2::Digest;
                    hex(&sha2::Sha256::digest(&bytes)[..16])
                };
                Some((Cow::Owned(bytes), etag))
            }
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What a path outside the API answers: the file it names, else the app's
/// page (for a path that names no file), else 404.
pub async fn serve(assets: Assets, method: Method, uri: axum::http::Uri, headers: HeaderMap) -> Response {
    let path = uri.path();
    if path == "/api" || path.starts_with("/api/") {
        return Problem::new(StatusCode::NOT_FOUND, "No route matches this path.").into_response();
    }
    if method != Method::GET && method != Method::HEAD {
        return Problem::new(StatusCode::METHOD_NOT_ALLOWED, "The portal's pages are only read.").into_response();
    }
    let relative = path.trim_start_matches('/');
    let (name, found) = match assets.get(relative) {
        Some(found) => (relative, Some(found)),
        // A page of the app: the last segment names no file.
        None if !relative.starts_with("assets/") && !relative.rsplit('/').next().unwrap_or("").contains('.') => {
            ("index.html", assets.get("index.html"))
        }
        None => (relative, None),
    };
    let Some((body, etag)) = found else {
        return Problem::new(StatusCode::NOT_FOUND, "No such file.").into_response();
    };
    let (body, etag, encoding) = match precompressed(&assets, name, &headers) {
        Some((encoding, (body, etag))) => (body, etag, Some(encoding)),
        None => (body, etag, None),
    };
    let etag = format!("\"{etag}\"");
    let cache = if name.starts_with("assets/") { "public, max-age=31536000, immutable" } else { "no-cache" };
    let mime = content_type(name);
    let mut res = if headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        StatusCode::NOT_MODIFIED.into_response()
    } else if method == Method::HEAD {
        (StatusCode::OK, [(header::CONTENT_LENGTH, body.len().to_string())]).into_response()
    } else {
        (StatusCode::OK, body.into_owned()).into_response()
    };
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    if let Ok(v) = HeaderValue::from_str(&mime) {
        h.insert(header::CONTENT_TYPE, v);
    }
    // Caches keep one copy per encoding.
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if let Some(encoding) = encoding {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
    }
    res
}

/// The compressed copy of `name` the request accepts, brotli before gzip,
/// with its encoding: a file the build compressed, else none. Each copy has
/// its own ETag, as its bytes differ.
fn precompressed(assets: &Assets, name: &str, headers: &HeaderMap) -> Option<(&'static str, Found)> {
    let accepted = headers.get_all(header::ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()).collect::<Vec<_>>();
    let accepts = |coding: &str| {
        accepted.iter().flat_map(|v| v.split(',')).any(|item| {
            let mut parts = item.split(';').map(str::trim);
            let named = parts.next().is_some_and(|c| c.eq_ignore_ascii_case(coding));
            // `br;q=0` refuses it.
            let refused = parts.any(|p| p.strip_prefix("q=").and_then(|q| q.parse::<f32>().ok()) == Some(0.0));
            named && !refused
        })
    };
    [("br", "br"), ("gzip", "gz")]
        .into_iter()
        .filter(|(coding, _)| accepts(coding))
        .find_map(|(coding, ext)| assets.get(&format!("{name}.{ext}")).map(|found| (coding, found)))
}

fn content_type(name: &str) -> String {
    let guess = mime_guess::from_path(name).first_or_octet_stream();
    match guess.type_() {
        mime_guess::mime::TEXT => format!("{guess}; charset=utf-8"),
        _ if guess.subtype() == mime_guess::mime::JAVASCRIPT => format!("{guess}; charset=utf-8"),
        _ => guess.to_string(),
    }
}

/// Headers on every answer: the content policy, no framing, no sniffing,
/// HTTPS only from the first visit on, no referrer leaving the portal; and
/// `no-store` on API answers (they carry personal data) unless the handler
/// chose otherwise.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::STRICT_TRANSPORT_SECURITY, "max-age=31536000; includeSubDomains"),
    ] {
        h.insert(name, HeaderValue::from_static(value));
    }
    if api && !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}
