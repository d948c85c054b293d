//! Caller identity between the gateway and the services.
//!
//! The gateway authenticates people and sends each call on with a short-lived
//! internal token (JWT, HS256, shared key) in `authorization` metadata. A
//! service verifies it in an interceptor and hands the handler a [`Caller`].
//! Calls without a valid token answer UNAUTHENTICATED.

use std::{
    fmt,
    str::FromStr,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use tonic::{Request, Status, metadata::MetadataValue, service::Interceptor};
use uuid::Uuid;

const ISSUER: &str = "prm-gateway";
const AUDIENCE: &str = "prm-services";

/// The roles of DOMAIN.md, plus `ops` for people debugging services with
/// grpcurl (reads and repairs everything, belongs to no partner).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    PartnerUser,
    PartnerAdmin,
    AccountManager,
    SupportAgent,
    VendorAdmin,
    Ops,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::PartnerUser => "partner_user",
            Role::PartnerAdmin => "partner_admin",
            Role::AccountManager => "account_manager",
            Role::SupportAgent => "support_agent",
            Role::VendorAdmin => "vendor_admin",
            Role::Ops => "ops",
        }
    }

    pub fn is_partner_role(self) -> bool {
        matches!(self, Role::PartnerUser | Role::PartnerAdmin)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "partner_user" => Role::PartnerUser,
            "partner_admin" => Role::PartnerAdmin,
            "account_manager" => Role::AccountManager,
            "support_agent" => Role::SupportAgent,
            "vendor_admin" => Role::VendorAdmin,
            "ops" => Role::Ops,
            other => return Err(format!("unknown role `{other}`")),
        })
    }
}

/// Who is calling: the person on whose behalf the gateway (or ops) acts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Caller {
    pub user_id: Uuid,
    pub partner_id: Option<Uuid>,
    pub role: Role,
    /// For account managers: the partners assigned to them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assigned_partners: Vec<Uuid>,
    /// The partner's tier, for tier discounts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_tier: Option<String>,
}

impl Caller {
    /// The caller attached to a request by [`AuthInterceptor`].
    pub fn of<T>(req: &Request<T>) -> Result<Caller, Status> {
        req.extensions().get::<Caller>().cloned().ok_or_else(|| Status::unauthenticated("missing caller"))
    }

    /// The system itself (event relays, recovery passes): ops with the nil user id.
    pub fn system() -> Caller {
        Caller {
            user_id: Uuid::nil(),
            partner_id: None,
            role: Role::Ops,
            assigned_partners: vec![],
            partner_tier: None,
        }
    }

    /// The system acting within one partner's records: what a consumer of
    /// that partner's events reads of other services sees that partner only.
    pub fn system_for_partner(partner_id: Uuid) -> Caller {
        Caller {
            user_id: Uuid::nil(),
            partner_id: Some(partner_id),
            role: Role::PartnerAdmin,
            assigned_partners: vec![],
            partner_tier: None,
        }
    }

    /// The partner on whose behalf this caller creates records: only people of
    /// a partner company create partner-owned records.
    pub fn creating_partner(&self) -> crate::Result<Uuid> {
        match (self.role.is_partner_role(), self.partner_id) {
            (true, Some(p)) => Ok(p),
            _ => Err(crate::Error::PermissionDenied(format!("a {} cannot create partner records", self.role))),
        }
    }

    /// May this caller edit a record of `partner_id` owned by `owner_id`?
    /// Partner users edit what they own, partner admins anything of their
    /// company; vendor staff only read partner records; ops may repair.
    pub fn may_edit(&self, partner_id: Uuid, owner_id: Uuid) -> bool {
        match self.role {
            Role::PartnerAdmin => self.partner_id == Some(partner_id),
            Role::PartnerUser => self.partner_id == Some(partner_id) && owner_id == self.user_id,
            Role::Ops => true,
            _ => false,
        }
    }

    /// May this caller hand a record to another owner? Only partner admins of
    /// the record's company (and ops).
    pub fn may_change_owner(&self, partner_id: Uuid) -> bool {
        match self.role {
            Role::PartnerAdmin => self.partner_id == Some(partner_id),
            Role::Ops => true,
            _ => false,
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: Uuid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    partner_id: Option<Uuid>,
    role: Role,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    assigned_partners: Vec<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    partner_tier: Option<String>,
    iss: String,
    aud: String,
    iat: i64,
    exp: i64,
}

/// How long an internal token lives unless configured otherwise
/// (`PRM_INTERNAL_TOKEN_TTL_SECS`).
pub const DEFAULT_TOKEN_TTL: Duration = Duration::from_secs(60);

/// Clock skew tolerated between the signing and the verifying process.
const LEEWAY_SECS: u64 = 5;

/// The shared key that signs and verifies internal tokens, and the lifetime
/// of the tokens it signs for callers.
#[derive(Clone)]
pub struct InternalKey {
    encoding: EncodingKey,
    decoding: DecodingKey,
    token_ttl: Duration,
}

impl fmt::Debug for InternalKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("InternalKey(..)")
    }
}

impl InternalKey {
    pub fn new(secret: &[u8]) -> Self {
        InternalKey {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            token_ttl: DEFAULT_TOKEN_TTL,
        }
    }

    /// The same key, signing caller tokens that live `ttl` (at least a second).
    pub fn with_token_ttl(mut self, ttl: Duration) -> Self {
        self.token_ttl = ttl.max(Duration::from_secs(1));
        self
    }

    /// How long the tokens of a [`CallerInterceptor`] live.
    pub fn token_ttl(&self) -> Duration {
        self.token_ttl
    }

    /// A token for `caller`, valid for `ttl`.
    pub fn sign(&self, caller: &Caller, ttl: Duration) -> anyhow::Result<String> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: caller.user_id,
            partner_id: caller.partner_id,
            role: caller.role,
            assigned_partners: caller.assigned_partners.clone(),
            partner_tier: caller.partner_tier.clone(),
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            iat: now,
            exp: now + ttl.as_secs() as i64,
        };
        Ok(jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)?)
    }

    pub fn verify(&self, token: &str) -> Result<Caller, Status> {
        let mut v = Validation::new(Algorithm::HS256);
        v.set_issuer(&[ISSUER]);
        v.set_audience(&[AUDIENCE]);
        v.leeway = LEEWAY_SECS;
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &v)
            .map_err(|e| Status::unauthenticated(format!("invalid internal token: {e}")))?;
        let c = data.claims;
        Ok(Caller {
            user_id: c.sub,
            partner_id: c.partner_id,
            role: c.role,
            assigned_partners: c.assigned_partners,
            partner_tier: c.partner_tier,
        })
    }
}

/// Server side: refuses calls without a valid token, attaches the [`Caller`].
#[derive(Clone, Debug)]
pub struct AuthInterceptor {
    key: InternalKey,
}

impl AuthInterceptor {
    pub fn new(key: InternalKey) -> Self {
        AuthInterceptor { key }
    }
}

impl Interceptor for AuthInterceptor {
    fn call(&mut self, mut req: Request<()>) -> Result<Request<()>, Status> {
        // The server's row-scope layer has verified this call's token already.
        if let Some(crate::row_security::Verified(caller)) = req.extensions_mut().remove() {
            tracing::Span::current().record("user_id", tracing::field::display(caller.user_id));
            req.extensions_mut().insert(caller);
            return Ok(req);
        }
        let header = req
            .metadata()
            .get("authorization")
            .ok_or_else(|| Status::unauthenticated("missing authorization metadata"))?;
        let token = header
            .to_str()
            .ok()
            .and_then(|h| h.strip_prefix("Bearer "))
            .ok_or_else(|| Status::unauthenticated("authorization must be `Bearer <token>`"))?;
        let caller = self.key.verify(token)?;
        tracing::Span::current().record("user_id", tracing::field::display(caller.user_id));
        req.extensions_mut().insert(caller);
        Ok(req)
    }
}

/// Client side: sends a call on behalf of one caller, with the current trace
/// context, so the callee sees who asked and joins the same trace.
///
/// The token is signed anew once half its lifetime has passed, so a client
/// kept for the life of the process (an outbox relay, a service's own
/// client) never sends an expired one.
#[derive(Clone)]
pub struct CallerInterceptor {
    key: InternalKey,
    caller: Arc<Caller>,
    bearer: Arc<Mutex<Bearer>>,
}

struct Bearer {
    value: MetadataValue<tonic::metadata::Ascii>,
    renew_at: Instant,
}

impl CallerInterceptor {
    pub fn new(key: &InternalKey, caller: &Caller) -> anyhow::Result<Self> {
        let bearer = Self::sign(key, caller)?;
        Ok(CallerInterceptor {
            key: key.clone(),
            caller: Arc::new(caller.clone()),
            bearer: Arc::new(Mutex::new(bearer)),
        })
    }

    fn sign(key: &InternalKey, caller: &Caller) -> anyhow::Result<Bearer> {
        let token = key.sign(caller, key.token_ttl)?;
        Ok(Bearer { value: format!("Bearer {token}").parse()?, renew_at: Instant::now() + key.token_ttl / 2 })
    }

    /// The bearer value to send now, renewed when due.
    fn current(&self) -> Result<MetadataValue<tonic::metadata::Ascii>, Status> {
        let mut bearer = self.bearer.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if Instant::now() >= bearer.renew_at {
            *bearer = Self::sign(&self.key, &self.caller).map_err(|e| {
                tracing::error!(error = %e, "signing an internal token failed");
                Status::internal("internal token could not be signed")
            })?;
        }
        Ok(bearer.value.clone())
    }
}

impl Interceptor for CallerInterceptor {
    fn call(&mut self, mut req: Request<()>) -> Result<Request<()>, Status> {
        req.metadata_mut().insert("authorization", self.current()?);
        crate::telemetry::inject_context(req.metadata_mut());
        Ok(req)
    }
}

/// The shortest signing key a binary accepts from its configuration.
pub const MIN_KEY_BYTES: usize = 32;

/// A signing key from configuration fit to run with: at least
/// [`MIN_KEY_BYTES`], and not a placeholder of the deployment examples
/// (`change-me…` in `deploy/.env.example`, `REPLACE-ME…` in the Kubernetes
/// secret), which anyone who read them could forge tokens with.
pub fn check_key(name: &str, key: &str) -> anyhow::Result<()> {
    let lower = key.to_ascii_lowercase();
    if lower.contains("change-me") || lower.contains("replace-me") {
        anyhow::bail!(
            "{name} is the placeholder of the deployment examples: generate a key, e.g. `openssl rand -hex 32`"
        );
    }
    if key.len() < MIN_KEY_BYTES {
        anyhow::bail!(
            "{name} has {} bytes; a key needs at least {MIN_KEY_BYTES} (e.g. `openssl rand -hex 32`)",
            key.len()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller() -> Caller {
        Caller {
            user_id: Uuid::now_v7(),
            partner_id: Some(Uuid::now_v7()),
            role: Role::PartnerUser,
            assigned_partners: vec![],
            partner_tier: None,
        }
    }

    #[test]
    fn a_signed_token_verifies_to_the_same_caller() {
        let key = InternalKey::new(b"k1");
        let c = caller();
        let t = key.sign(&c, Duration::from_secs(60)).unwrap();
        assert_eq!(key.verify(&t).unwrap(), c);
    }

    #[test]
    fn a_token_of_another_key_is_refused() {
        let t = InternalKey::new(b"k1").sign(&caller(), Duration::from_secs(60)).unwrap();
        let err = InternalKey::new(b"k2").verify(&t).unwrap_err();
        assert_eq!(err.code(), tonic::Code::Unauthenticated);
    }

    #[test]
    fn a_long_lived_client_renews_its_token_before_it_expires() {
        let key = InternalKey::new(b"k1").with_token_ttl(Duration::from_secs(1));
        let mut client = CallerInterceptor::new(&key, &caller()).unwrap();
        let token = |i: &mut CallerInterceptor| {
            let req = i.call(Request::new(())).unwrap();
            req.metadata().get("authorization").unwrap().to_str().unwrap().strip_prefix("Bearer ").unwrap().to_owned()
        };
        let first = token(&mut client);
        std::thread::sleep(Duration::from_millis(1100));
        let second = token(&mut client);
        assert_ne!(first, second, "a token older than half its lifetime is replaced");
        let claims = |t: &str| jsonwebtoken::dangerous::insecure_decode::<Claims>(t).unwrap().claims;
        assert_eq!(claims(&second).exp - claims(&second).iat, 1);
        assert!(claims(&second).exp > claims(&first).exp);
    }

    #[test]
    fn a_request_without_token_is_unauthenticated() {
        let mut i = AuthInterceptor::new(InternalKey::new(b"k"));
        let err = i.call(Request::new(())).unwrap_err();
        assert_eq!(err.code(), tonic::Code::Unauthenticated);
    }

    #[test]
    fn partner_users_edit_only_what_they_own() {
        let c = caller();
        let p = c.partner_id.unwrap();
        assert!(c.may_edit(p, c.user_id));
        assert!(!c.may_edit(p, Uuid::now_v7()));
        assert!(!c.may_edit(Uuid::now_v7(), c.user_id));
        let admin = Caller { role: Role::PartnerAdmin, ..c.clone() };
        assert!(admin.may_edit(p, Uuid::now_v7()));
        assert!(!admin.may_edit(Uuid::now_v7(), Uuid::now_v7()));
    }

    #[test]
    fn keys_from_configuration_are_long_and_not_the_examples() {
        let random = "5f0c1e9a7b3d2c4e6a8b0d1f3e5c7a9b";
        assert!(check_key("PRM_INTERNAL_KEY", random).is_ok());
        for (key, says) in [
            ("change-me-internal-key", "placeholder"),
            ("change-me-access-token-key-at-least-32-bytes", "placeholder"),
            ("REPLACE-ME-AT-LEAST-32-BYTES-REPLACE-ME", "placeholder"),
            ("test-key", "at least 32"),
            (&random[..31], "at least 32"),
        ] {
            let e = check_key("PRM_INTERNAL_KEY", key).unwrap_err().to_string();
            assert!(e.contains("PRM_INTERNAL_KEY") && e.contains(says), "{key}: {e}");
        }
    }
}
