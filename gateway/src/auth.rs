//! People's tokens: short-lived JWT access tokens and rotating, one-use
//! opaque refresh tokens with reuse detection, the `AuthUser` extractor that
//! guards every API route, and the login/refresh/logout/me routes.
//!
//! A login starts a *family* (a session). Each refresh consumes the presented
//! refresh token and issues the next one in the same family; presenting a
//! consumed token again means it was stolen (or replayed), so the whole family
//! is revoked, including its live access tokens.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{FromRef, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::identity::{IdentityError, IdentityStore, Role, User};
use crate::kv::Kv;
use crate::problem::{ApiJson, Problem};

pub const ISSUER: &str = "prm-gateway";
pub const AUDIENCE: &str = "prm-api";
pub const ACCESS_TTL: Duration = Duration::from_secs(15 * 60);
pub const REFRESH_TTL: Duration = Duration::from_secs(30 * 24 * 3600);
/// Tolerated clock skew between gateway replicas.
const LEEWAY_SECS: u64 = 5;

/// Claims of an access token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessClaims {
    pub sub: Uuid,
    pub partner_id: Option<Uuid>,
    pub role: Role,
    pub iat: u64,
    pub exp: u64,
    /// A UUIDv7, so its mint time is known to the millisecond.
    pub jti: String,
    pub typ: String,
    pub iss: String,
    pub aud: String,
    /// The refresh family (session) this token belongs to.
    pub sid: Uuid,
    /// The partner's tier at issue time (prices and discounts depend on it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_tier: Option<String>,
}

/// Stateless access-token checks (signature, expiry, issuer, audience,
/// type) with no store access: cheap enough for rate limiting and
/// idempotency scoping, which must not trust an unverified `sub`.
#[derive(Clone)]
pub struct TokenVerifier(Arc<Keys>);

struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl TokenVerifier {
    pub fn decode(&self, token: &str) -> Option<AccessClaims> {
        let data = jsonwebtoken::decode::<AccessClaims>(token, &self.0.decoding, &self.0.validation).ok()?;
        (data.claims.typ == "access").then_some(data.claims)
    }

    /// The verified subject of the request's bearer token, if any.
    pub fn subject(&self, headers: &HeaderMap) -> Option<Uuid> {
        bearer_token(headers).and_then(|t| self.decode(t)).map(|c| c.sub)
    }
}

/// The token after `Bearer ` in the Authorization header.
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|t| !t.is_empty())
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct TokenPair {
    pub access_token: String,
    pub refresh_token: String,
    /// Always `Bearer`.
    #[schema(value_type = String)]
    pub token_type: &'static str,
    /// Seconds the access token lives.
    pub expires_in: u64,
}

/// What a refresh token stands for, stored under `refresh:<sha256>`.
#[derive(Serialize, Deserialize)]
struct RefreshRecord {
    user_id: Uuid,
    family: Uuid,
    /// When the family's sign-in was, in seconds since the epoch (0 for a
    /// token issued before sessions had an absolute lifetime: its family
    /// counts from its next refresh).
    #[serde(default)]
    signed_in: u64,
}

/// How sign-ins and sessions are held in check.
#[derive(Clone, Debug)]
pub struct SessionPolicy {
    /// Sign-in attempts per account (e-mail address) within
    /// `sign_in_window`, whatever address or token they come with; beyond,
    /// 429 before the password is looked at.
    pub sign_in_per_account: u32,
    pub sign_in_window: Duration,
    /// A session (refresh family) ends this long after its sign-in, however
    /// often it is refreshed (`PRM_SESSION_MAX_AGE_SECS`).
    pub max_age: Duration,
    /// Prepended to counter keys, to share one Redis between deployments.
    pub key_prefix: String,
}

impl Default for SessionPolicy {
    fn default() -> SessionPolicy {
        SessionPolicy {
            sign_in_per_account: 10,
            sign_in_window: Duration::from_secs(15 * 60),
            max_age: Duration::from_secs(7 * 24 * 3600),
            key_prefix: String::new(),
        }
    }
}

/// Token issuing and checking; cheap to clone (shared state behind it).
#[derive(Clone)]
pub struct Auth {
    keys: TokenVerifier,
    kv: Kv,
    identity: IdentityStore,
    policy: Arc<SessionPolicy>,
}

fn now_secs() -> u64 {
    jsonwebtoken::get_current_timestamp()
}

fn now_millis() -> u64 {
    u64::try_from(chrono::Utc::now().timestamp_millis()).unwrap_or(0)
}

fn sha256_hex(s: &str) -> String {
    let digest = Sha256::digest(s.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn refresh_key(token: &str) -> String {
    // Only a hash is stored, so a leaked Kv does not leak usable tokens.
    format!("refresh:{}", sha256_hex(token))
}

fn used_key(token: &str) -> String {
    format!("refresh-used:{}", sha256_hex(token))
}

fn family_key(family: Uuid) -> String {
    format!("refresh-family:{family}")
}

fn jti_key(jti: &str) -> String {
    format!("revoked-jti:{jti}")
}

fn user_cutoff_key(user_id: Uuid) -> String {
    format!("tokens-invalid-before:{user_id}")
}

/// Mint time of a UUIDv7 jti in ms since the epoch.
fn jti_millis(jti: &str) -> Option<u64> {
    let (secs, nanos) = Uuid::parse_str(jti).ok()?.get_timestamp()?.to_unix();
    Some(secs * 1000 + u64::from(nanos) / 1_000_000)
}

fn invalid_refresh() -> Problem {
    Problem::new(StatusCode::UNAUTHORIZED, "The refresh token is invalid, expired or already used.")
}

impl Auth {
    /// `secret` signs access tokens (HS256); use at least 32 random bytes.
    pub fn new(secret: &[u8], kv: Kv, identity: IdentityStore) -> Auth {
        if secret.len() < 32 {
            tracing::warn!("access-token secret is shorter than 32 bytes");
        }
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = LEEWAY_SECS;
        let keys =
            Keys { encoding: EncodingKey::from_secret(secret), decoding: DecodingKey::from_secret(secret), validation };
        Auth { keys: TokenVerifier(Arc::new(keys)), kv, identity, policy: Arc::default() }
    }

    pub fn with_policy(mut self, policy: SessionPolicy) -> Auth {
        self.policy = Arc::new(policy);
        self
    }

    /// Checks a sign-in: counted against the account first, so guesses at
    /// one account are bounded whoever makes them. Without the counter
    /// store the sign-in fails closed, the same for a right and a wrong
    /// password. One message for an unknown e-mail, a wrong password and an
    /// inactive account, so the answer does not reveal which accounts exist.
    pub async fn sign_in(&self, email: &str, password: &str) -> Result<User, Problem> {
        let p = &self.policy;
        let key = format!("{}sign-in:{}", p.key_prefix, sha256_hex(&email.trim().to_lowercase()));
        let (count, left) = self.kv.incr(&key, p.sign_in_window).await.map_err(|e| {
            tracing::error!(error = %e, "sign-in counter unavailable; refusing sign-ins");
            Problem::sign_in_unavailable()
        })?;
        if count > i64::from(p.sign_in_per_account) {
            tracing::warn!(attempts = count, "sign-ins of one account throttled");
            return Err(Problem::too_many_requests(crate::ratelimit::whole_seconds(left)));
        }
        self.identity
            .verify_login(email, password)
            .await?
            .ok_or_else(|| Problem::new(StatusCode::UNAUTHORIZED, "Invalid email or password."))
    }

    pub fn verifier(&self) -> TokenVerifier {
        self.keys.clone()
    }

    pub fn kv(&self) -> &Kv {
        &self.kv
    }

    pub fn identity(&self) -> &IdentityStore {
        &self.identity
    }

    async fn access_token(&self, user: &User, family: Uuid) -> Result<String, Problem> {
        let partner_tier = match user.partner_id {
            Some(p) => self.identity.get_partner(p).await?.tier,
            None => None,
        };
        let iat = now_secs();
        let claims = AccessClaims {
            sub: user.id,
            partner_id: user.partner_id,
            role: user.role,
            iat,
            exp: iat + ACCESS_TTL.as_secs(),
            jti: Uuid::now_v7().to_string(),
            typ: "access".to_owned(),
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
            sid: family,
            partner_tier,
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.keys.0.encoding).map_err(Problem::internal)
    }

    async fn pair_in_family(&self, user: &User, family: Uuid, signed_in: u64) -> Result<TokenPair, Problem> {
        let refresh_token = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
        let record =
            serde_json::to_string(&RefreshRecord { user_id: user.id, family, signed_in }).map_err(Problem::internal)?;
        self.kv.set(&refresh_key(&refresh_token), &record, REFRESH_TTL).await.map_err(Problem::internal)?;
        Ok(TokenPair {
            access_token: self.access_token(user, family).await?,
            refresh_token,
            token_type: "Bearer",
            expires_in: ACCESS_TTL.as_secs(),
        })
    }

    /// Starts a new session for `user`.
    pub async fn issue_pair(&self, user: &User) -> Result<TokenPair, Problem> {
        self.pair_in_family(user, Uuid::new_v4(), now_secs()).await
    }

    /// Exchanges a refresh token for a new pair. The token is consumed;
    /// presenting it again revokes its whole family.
    pub async fn refresh(&self, refresh_token: &str) -> Result<TokenPair, Problem> {
        let kv = &self.kv;
        // Atomic take: of two concurrent refreshes with one token, one wins.
        let Some(record) = kv.take(&refresh_key(refresh_token)).await.map_err(Problem::internal)? else {
            let used = kv.get(&used_key(refresh_token)).await.map_err(Problem::internal)?;
            if let Some(family) = used.and_then(|f| Uuid::parse_str(&f).ok()) {
                tracing::warn!(%family, "refresh token reused; revoking its family");
                self.revoke_family(family).await?;
            }
            return Err(invalid_refresh());
        };
        let record: RefreshRecord = serde_json::from_str(&record).map_err(Problem::internal)?;
        kv.set(&used_key(refresh_token), &record.family.to_string(), REFRESH_TTL).await.map_err(Problem::internal)?;
        if kv.get(&family_key(record.family)).await.map_err(Problem::internal)?.is_some() {
            return Err(invalid_refresh());
        }
        let signed_in = if record.signed_in == 0 { now_secs() } else { record.signed_in };
        if now_secs().saturating_sub(signed_in) >= self.policy.max_age.as_secs() {
            // The session has lived its whole life: sign in again.
            self.revoke_family(record.family).await?;
            return Err(invalid_refresh());
        }
        // Re-read the user: a deactivated user loses the session, and a
        // changed role or partner shows up in the next access token.
        let user = match self.identity.get_user(record.user_id).await {
            Ok(u) if u.active => u,
            Ok(_) | Err(IdentityError::NotFound) => {
                self.revoke_family(record.family).await?;
                return Err(invalid_refresh());
            }
            Err(e) => return Err(e.into()),
        };
        self.pair_in_family(&user, record.family, signed_in).await
    }

    async fn revoke_family(&self, family: Uuid) -> Result<(), Problem> {
        self.kv.set(&family_key(family), "revoked", REFRESH_TTL).await.map_err(Problem::internal)
    }

    /// Ends the caller's session: revokes the presented refresh token's
    /// family (when it is the caller's), the caller's own family and the
    /// access token used for this call.
    pub async fn logout(&self, caller: &AuthUser, refresh_token: &str) -> Result<(), Problem> {
        self.revoke_refresh_of(refresh_token, Some(caller.user_id)).await?;
        self.revoke_access(caller).await
    }

    /// Revokes the session (family) of a refresh token: whoever holds the
    /// token may end its session.
    pub async fn revoke_refresh(&self, refresh_token: &str) -> Result<(), Problem> {
        self.revoke_refresh_of(refresh_token, None).await
    }

    async fn revoke_refresh_of(&self, refresh_token: &str, owner: Option<Uuid>) -> Result<(), Problem> {
        let key = refresh_key(refresh_token);
        if let Some(record) = self.kv.get(&key).await.map_err(Problem::internal)?
            && let Ok(record) = serde_json::from_str::<RefreshRecord>(&record)
            && owner.is_none_or(|o| o == record.user_id)
        {
            self.kv.del(&key).await.map_err(Problem::internal)?;
            self.revoke_family(record.family).await?;
        }
        Ok(())
    }

    /// Revokes the caller's session and the access token of this request.
    pub async fn revoke_access(&self, caller: &AuthUser) -> Result<(), Problem> {
        self.revoke_family(caller.session).await?;
        let left = caller.expires_at.saturating_sub(now_secs()) + LEEWAY_SECS;
        self.kv.set(&jti_key(&caller.jti), "1", Duration::from_secs(left)).await.map_err(Problem::internal)
    }

    /// How long a refresh token lives: no longer than its session may.
    pub fn refresh_ttl(&self) -> Duration {
        REFRESH_TTL.min(self.policy.max_age)
    }

    /// The subject of an access token this gateway just signed.
    fn decode_subject(&self, access_token: &str) -> Result<Uuid, Problem> {
        self.keys.decode(access_token).map(|c| c.sub).ok_or_else(|| Problem::internal("a fresh token does not verify"))
    }

    /// Invalidates every access token `user_id` holds now (after a role
    /// change or deactivation), without waiting for them to expire.
    pub async fn revoke_user_tokens(&self, user_id: Uuid) -> Result<(), Problem> {
        let ttl = ACCESS_TTL + Duration::from_secs(LEEWAY_SECS + 1);
        self.kv.set(&user_cutoff_key(user_id), &now_millis().to_string(), ttl).await.map_err(Problem::internal)
    }

    /// Full check of an access token, including revocation (one Kv round trip).
    pub async fn authenticate(&self, token: &str) -> Result<AuthUser, Problem> {
        let claims = self
            .keys
            .decode(token)
            .ok_or_else(|| Problem::unauthorized_because("The access token is invalid or expired."))?;
        let keys = [jti_key(&claims.jti), family_key(claims.sid), user_cutoff_key(claims.sub)];
        let found = self.kv.get_many(&[&keys[0], &keys[1], &keys[2]]).await.map_err(Problem::internal)?;
        let cut_off = found[2]
            .as_deref()
            .and_then(|v| v.parse::<u64>().ok())
            .is_some_and(|cutoff| jti_millis(&claims.jti).is_none_or(|t| t <= cutoff));
        if found[0].is_some() || found[1].is_some() || cut_off {
            return Err(Problem::unauthorized_because("The access token has been revoked."));
        }
        Ok(AuthUser {
            user_id: claims.sub,
            partner_id: claims.partner_id,
            role: claims.role,
            jti: claims.jti,
            session: claims.sid,
            expires_at: claims.exp,
            partner_tier: claims.partner_tier,
        })
    }
}

/// The authenticated caller. As an extractor it answers 401 problem+json
/// with `WWW-Authenticate: Bearer` when the token is missing, invalid,
/// expired or revoked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthUser {
    pub user_id: Uuid,
    pub partner_id: Option<Uuid>,
    pub partner_tier: Option<String>,
    pub role: Role,
    pub jti: String,
    /// The refresh family the token was issued in.
    pub session: Uuid,
    /// `exp` of the access token, seconds since the epoch.
    pub expires_at: u64,
}

impl<S> FromRequestParts<S> for AuthUser
where
    S: Send + Sync,
    Auth: FromRef<S>,
{
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Problem> {
        let auth = Auth::from_ref(state);
        let token = bearer_token(&parts.headers).ok_or_else(Problem::unauthorized)?;
        auth.authenticate(token).await
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct LoginRequest {
    email: String,
    password: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RefreshRequest {
    refresh_token: String,
}

/// The user as the API shows them.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct UserView {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    /// Null for vendor staff.
    #[schema(required = true)]
    pub partner_id: Option<Uuid>,
    pub active: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl From<User> for UserView {
    fn from(u: User) -> UserView {
        UserView {
            id: u.id,
            email: u.email,
            display_name: u.display_name,
            role: u.role,
            partner_id: u.partner_id,
            active: u.active,
            created_at: u.created_at,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct LoginResponse {
    #[serde(flatten)]
    pair: TokenPair,
    user: UserView,
}

/// Token responses must not be cached (RFC 6749 §5.1); the idempotency
/// layer also honours this and never stores them.
const NO_STORE: [(header::HeaderName, &str); 1] = [(header::CACHE_CONTROL, "no-store")];

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest, security(),
    responses((status = 200, body = LoginResponse, description = "a token pair and the signed-in user"),
        (status = 401, description = "wrong e-mail or password"), (status = 429, description = "too many attempts for this account or address")))]
pub(crate) async fn login(
    State(auth): State<Auth>,
    ApiJson(body): ApiJson<LoginRequest>,
) -> Result<impl IntoResponse, Problem> {
    let user = auth.sign_in(&body.email, &body.password).await?;
    let pair = auth.issue_pair(&user).await?;
    let body = LoginResponse { pair, user: user.into() };
    Ok((NO_STORE, Json(body)))
}

#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", request_body = RefreshRequest, security(),
    responses((status = 200, body = TokenPair, description = "a new pair; the refresh token sent is spent"),
        (status = 401, description = "the refresh token is unknown, spent or expired")))]
pub(crate) async fn refresh(
    State(auth): State<Auth>,
    ApiJson(body): ApiJson<RefreshRequest>,
) -> Result<impl IntoResponse, Problem> {
    let pair = auth.refresh(&body.refresh_token).await?;
    Ok((NO_STORE, Json(pair)))
}

#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", request_body = RefreshRequest,
    responses((status = 204, description = "the session and the access token sent are revoked")))]
pub(crate) async fn logout(
    State(auth): State<Auth>,
    caller: AuthUser,
    ApiJson(body): ApiJson<RefreshRequest>,
) -> Result<Response, Problem> {
    auth.logout(&caller, &body.refresh_token).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(get, path = "/api/v1/me", tag = "auth", responses((status = 200, body = UserView, description = "the signed-in user")))]
pub(crate) async fn me(State(auth): State<Auth>, caller: AuthUser) -> Result<Json<UserView>, Problem> {
    match auth.identity.get_user(caller.user_id).await {
        Ok(u) => Ok(Json(u.into())),
        Err(IdentityError::NotFound) => Err(Problem::unauthorized()),
        Err(e) => Err(e.into()),
    }
}

/// `POST /api/v1/auth/{login,refresh,logout}`, the browser's session under
/// `/api/v1/auth/session`, and `GET /api/v1/me`.
pub fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    Auth: FromRef<S>,
{
    Router::new()
        .route("/api/v1/auth/login", post(login))
        .route("/api/v1/auth/refresh", post(refresh))
        .route("/api/v1/auth/logout", post(logout))
        .route(session::PATH, post(session::sign_in).delete(session::sign_out))
        .route(session::REFRESH_PATH, post(session::refresh))
        .route("/api/v1/me", get(me))
}

/// Sign-in fit for a browser: the access token is answered as JSON (the page
/// keeps it in memory), the refresh token travels only in an `HttpOnly`,
/// `Secure`, `SameSite=Strict` cookie sent to these routes alone, so no
/// script of the page can read it.
///
/// Against cross-site requests (CSRF) every route needs the header
/// `X-PRM-CSRF: 1`, which a form or another site's script cannot send without
/// a CORS preflight the gateway never grants, and refuses an `Origin` or
/// `Sec-Fetch-Site` that is not this site.
pub mod session {
    use super::*;

    pub const PATH: &str = "/api/v1/auth/session";
    pub const REFRESH_PATH: &str = "/api/v1/auth/session/refresh";
    pub const COOKIE: &str = "prm_refresh";
    pub const CSRF_HEADER: &str = "x-prm-csrf";

    #[derive(Serialize, utoipa::ToSchema)]
    pub(crate) struct SessionResponse {
        access_token: String,
        #[schema(value_type = String)]
        token_type: &'static str,
        expires_in: u64,
        user: UserView,
    }

    fn set_cookie(value: &str, max_age: u64) -> (header::HeaderName, String) {
        (
            header::SET_COOKIE,
            format!("{COOKIE}={value}; Path={PATH}; Max-Age={max_age}; HttpOnly; Secure; SameSite=Strict"),
        )
    }

    /// The refresh token of the request's cookie.
    fn cookie(headers: &HeaderMap) -> Option<String> {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == COOKIE)
            .map(|(_, value)| value.to_string())
            .filter(|v| !v.is_empty())
    }

    /// Refuses what a page of another site could have sent.
    pub fn check_same_site(headers: &HeaderMap) -> Result<(), Problem> {
        let refused =
            |why: &str| Err(Problem::new(StatusCode::FORBIDDEN, format!("Cross-site request refused: {why}.")));
        if headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()) != Some("1") {
            return refused("the X-PRM-CSRF header is missing");
        }
        if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
            && !matches!(site, "same-origin" | "none")
        {
            return refused("the request comes from another site");
        }
        if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
            let origin_host = origin.split_once("://").map(|(_, rest)| rest).unwrap_or("");
            let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
            if origin_host.is_empty() || !origin_host.eq_ignore_ascii_case(host) {
                return refused("the Origin is not this site");
            }
        }
        Ok(())
    }

    async fn answer(auth: &Auth, pair: TokenPair, user: UserView) -> Response {
        let body = SessionResponse {
            access_token: pair.access_token,
            token_type: pair.token_type,
            expires_in: pair.expires_in,
            user,
        };
        (NO_STORE, [set_cookie(&pair.refresh_token, auth.refresh_ttl().as_secs())], Json(body)).into_response()
    }

    /// `POST /api/v1/auth/session`: signs in; the answer sets the cookie.
    #[utoipa::path(post, path = "/api/v1/auth/session", tag = "auth", operation_id = "session_sign_in", request_body = LoginRequest, security(),
        params(("X-PRM-CSRF" = String, Header, description = "`1`: a cross-site form cannot send it")),
        responses((status = 200, body = SessionResponse, description = "the access token and the user; the refresh token is set as an HttpOnly cookie"),
            (status = 401, description = "wrong e-mail or password"), (status = 403, description = "a cross-site request")))]
    pub(crate) async fn sign_in(
        State(auth): State<Auth>,
        headers: HeaderMap,
        ApiJson(body): ApiJson<LoginRequest>,
    ) -> Result<Response, Problem> {
        check_same_site(&headers)?;
        let user = auth.sign_in(&body.email, &body.password).await?;
        let pair = auth.issue_pair(&user).await?;
        Ok(answer(&auth, pair, user.into()).await)
    }

    /// `POST /api/v1/auth/session/refresh`: a new access token, and the
    /// cookie's token rotated. Without a live session: 401, cookie cleared.
    #[utoipa::path(post, path = "/api/v1/auth/session/refresh", tag = "auth", operation_id = "session_refresh", security(),
        params(("X-PRM-CSRF" = String, Header, description = "`1`: a cross-site form cannot send it")),
        responses((status = 200, body = SessionResponse, description = "a new access token; the cookie's refresh token is rotated"),
            (status = 401, description = "no live session: the cookie is cleared"), (status = 403, description = "a cross-site request")))]
    pub(crate) async fn refresh(State(auth): State<Auth>, headers: HeaderMap) -> Result<Response, Problem> {
        check_same_site(&headers)?;
        let cleared = [set_cookie("", 0)];
        let Some(token) = cookie(&headers) else {
            return Ok(
                (cleared, Problem::new(StatusCode::UNAUTHORIZED, "There is no session to refresh.")).into_response()
            );
        };
        let pair = match auth.refresh(&token).await {
            Ok(pair) => pair,
            Err(problem) if problem.status == StatusCode::UNAUTHORIZED => return Ok((cleared, problem).into_response()),
            Err(problem) => return Err(problem),
        };
        let user_id = auth.decode_subject(&pair.access_token)?;
        let user = auth.identity.get_user(user_id).await?;
        Ok(answer(&auth, pair, user.into()).await)
    }

    /// `DELETE /api/v1/auth/session`: signs out: the cookie's session and
    /// the access token sent with it are revoked, the cookie cleared.
    #[utoipa::path(delete, path = "/api/v1/auth/session", tag = "auth", operation_id = "session_sign_out",
        params(("X-PRM-CSRF" = String, Header, description = "`1`: a cross-site form cannot send it")),
        responses((status = 204, description = "the cookie's session and the access token sent are revoked, the cookie cleared"),
            (status = 403, description = "a cross-site request")))]
    pub(crate) async fn sign_out(State(auth): State<Auth>, headers: HeaderMap) -> Result<Response, Problem> {
        check_same_site(&headers)?;
        if let Some(token) = cookie(&headers) {
            auth.revoke_refresh(&token).await?;
        }
        if let Some(caller) = match bearer_token(&headers) {
            Some(t) => auth.authenticate(t).await.ok(),
            None => None,
        } {
            auth.revoke_access(&caller).await?;
        }
        Ok((StatusCode::NO_CONTENT, [set_cookie("", 0)]).into_response())
    }
}
