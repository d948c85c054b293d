//! The gateway's identity store: partners, people, their roles and password
//! hashes (argon2id), and which partners each account manager looks after.
//! Runs on SQLite (embedded) and PostgreSQL from the same entities.

pub mod store;

use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

use argon2::{Argon2, PasswordHash, PasswordHasher as _, PasswordVerifier as _};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectOptions, Database, DatabaseConnection, DbErr, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, Set, SqlErr,
};
use sea_orm_migration::MigratorTrait;
use serde::{Deserialize, Serialize};
use tracing::instrument;
use uuid::Uuid;

pub use store::Migrator;
use store::{am_assignment, partner, user};

pub const MIN_PASSWORD_LEN: usize = 8;
/// argon2 itself has no practical limit; this stops hashing megabytes.
pub const MAX_PASSWORD_LEN: usize = 1024;
const MAX_NAME_LEN: usize = 200;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    PartnerUser,
    PartnerAdmin,
    AccountManager,
    SupportAgent,
    VendorAdmin,
}

impl Role {
    pub const ALL: [Role; 5] =
        [Role::PartnerUser, Role::PartnerAdmin, Role::AccountManager, Role::SupportAgent, Role::VendorAdmin];

    /// The name shared with the services (`partner_user`, …).
    pub fn as_str(self) -> &'static str {
        prm_kit::Role::from(self).as_str()
    }

    /// Partner roles belong to a reseller; the others are vendor staff.
    pub fn is_partner_role(self) -> bool {
        prm_kit::Role::from(self).is_partner_role()
    }
}

/// A person's role as the services know it; `ops` is no person's role, so
/// it has no counterpart here.
impl From<Role> for prm_kit::Role {
    fn from(r: Role) -> prm_kit::Role {
        match r {
            Role::PartnerUser => prm_kit::Role::PartnerUser,
            Role::PartnerAdmin => prm_kit::Role::PartnerAdmin,
            Role::AccountManager => prm_kit::Role::AccountManager,
            Role::SupportAgent => prm_kit::Role::SupportAgent,
            Role::VendorAdmin => prm_kit::Role::VendorAdmin,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, thiserror::Error)]
#[error("unknown role `{0}`")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Role, UnknownRole> {
        Role::ALL.into_iter().find(|r| r.as_str() == s).ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    #[error("{field}: {message}")]
    Invalid { field: &'static str, message: String },
    #[error("not found")]
    NotFound,
    #[error("{field} already exists")]
    Conflict { field: &'static str },
    #[error("internal error: {0}")]
    Internal(#[source] anyhow::Error),
}

impl IdentityError {
    fn invalid(field: &'static str, message: impl Into<String>) -> IdentityError {
        IdentityError::Invalid { field, message: message.into() }
    }
}

impl From<DbErr> for IdentityError {
    fn from(e: DbErr) -> IdentityError {
        IdentityError::Internal(e.into())
    }
}

/// A unique violation on insert/update becomes a conflict on `field`
/// (the only unique column each write can hit), anything else internal.
fn conflict_or_internal(e: DbErr, field: &'static str) -> IdentityError {
    match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => IdentityError::Conflict { field },
        _ => e.into(),
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Partner {
    pub id: Uuid,
    pub name: String,
    /// Null when the partner has no tier.
    #[schema(required = true)]
    pub tier: Option<String>,
    pub created_at: DateTime<Utc>,
    /// The partner company's address ("Partner Address" on quotes).
    pub partner_address: PostalAddress,
    /// Where the partner receives goods as a reseller, e.g. its warehouse
    /// ("Reseller Address" on quotes).
    pub reseller_address: PostalAddress,
}

/// A postal address; every part optional.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct PostalAddress {
    pub street: String,
    pub city: String,
    pub postal_code: String,
    pub region: String,
    pub country: String,
}

impl PostalAddress {
    fn validate(&self, field: &'static str) -> Result<PostalAddress, IdentityError> {
        let part = |v: &str, max: usize| -> Result<String, IdentityError> {
            let v = v.trim();
            if v.chars().count() > max || v.chars().any(char::is_control) {
                return Err(IdentityError::invalid(
                    field,
                    format!("has a part longer than {max} characters or with control characters"),
                ));
            }
            Ok(v.to_string())
        };
        Ok(PostalAddress {
            street: part(&self.street, 500)?,
            city: part(&self.city, 100)?,
            postal_code: part(&self.postal_code, 20)?,
            region: part(&self.region, 100)?,
            country: part(&self.country, 64)?,
        })
    }

    pub fn is_empty(&self) -> bool {
        self == &PostalAddress::default()
    }
}

impl From<partner::Model> for Partner {
    fn from(m: partner::Model) -> Partner {
        Partner {
            id: m.id,
            name: m.name,
            tier: m.tier,
            created_at: m.created_at,
            partner_address: PostalAddress {
                street: m.partner_street,
                city: m.partner_city,
                postal_code: m.partner_postal_code,
                region: m.partner_region,
                country: m.partner_country,
            },
            reseller_address: PostalAddress {
                street: m.reseller_street,
                city: m.reseller_city,
                postal_code: m.reseller_postal_code,
                region: m.reseller_region,
                country: m.reseller_country,
            },
        }
    }
}

/// A person as the rest of the gateway sees them: never the password hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub partner_id: Option<Uuid>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

impl TryFrom<user::Model> for User {
    type Error = IdentityError;
    fn try_from(m: user::Model) -> Result<User, IdentityError> {
        let role = m.role.parse().map_err(|e: UnknownRole| IdentityError::Internal(e.into()))?;
        Ok(User {
            id: m.id,
            email: m.email,
            display_name: m.display_name,
            role,
            partner_id: m.partner_id,
            active: m.active,
            created_at: m.created_at,
        })
    }
}

#[derive(Clone, Debug)]
pub struct NewUser {
    pub email: String,
    pub display_name: String,
    pub password: String,
    pub role: Role,
    pub partner_id: Option<Uuid>,
}

/// Lower-cased and trimmed so one person cannot register twice by case.
fn normalize_email(email: &str) -> Result<String, IdentityError> {
    let email = email.trim().to_lowercase();
    let valid = email.len() <= 254
        && !email.chars().any(char::is_whitespace)
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.contains('@')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if valid { Ok(email) } else { Err(IdentityError::invalid("email", "not a valid email address")) }
}

fn clean_name(field: &'static str, name: &str) -> Result<String, IdentityError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(IdentityError::invalid(field, "must not be empty"));
    }
    if name.chars().count() > MAX_NAME_LEN {
        return Err(IdentityError::invalid(field, format!("must be at most {MAX_NAME_LEN} characters")));
    }
    Ok(name.to_owned())
}

fn check_password(password: &str) -> Result<(), IdentityError> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_LEN {
        return Err(IdentityError::invalid("password", format!("must be at least {MIN_PASSWORD_LEN} characters")));
    }
    if password.len() > MAX_PASSWORD_LEN {
        return Err(IdentityError::invalid("password", format!("must be at most {MAX_PASSWORD_LEN} bytes")));
    }
    Ok(())
}

/// Partner roles must name their partner; vendor roles must not have one.
fn check_role_partner(role: Role, partner_id: Option<Uuid>) -> Result<(), IdentityError> {
    match (role.is_partner_role(), partner_id) {
        (true, None) => Err(IdentityError::invalid("partner_id", format!("required for role {role}"))),
        (false, Some(_)) => Err(IdentityError::invalid("partner_id", format!("must be empty for role {role}"))),
        _ => Ok(()),
    }
}

/// argon2 is deliberately slow, so it runs off the async worker threads.
async fn hash_password(password: String) -> Result<String, IdentityError> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| IdentityError::Internal(anyhow::anyhow!("hashing password: {e}")))
    })
    .await
    .map_err(|e| IdentityError::Internal(e.into()))?
}

async fn verify_password(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
    })
    .await
    .unwrap_or(false)
}

/// A real hash to check against when the email is unknown, so that answer
/// takes as long as a wrong password and does not reveal who has an account.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    Argon2::default().hash_password(Uuid::new_v4().to_string().as_bytes()).map(|h| h.to_string()).unwrap_or_default()
});

#[derive(Clone, Debug)]
pub struct IdentityStore {
    db: DatabaseConnection,
}

impl IdentityStore {
    /// Connects (`sqlite://path?mode=rwc`, `sqlite::memory:`, `postgres://…`)
    /// and applies pending migrations.
    pub async fn connect_and_migrate(url: &str) -> anyhow::Result<IdentityStore> {
        let mut opts = ConnectOptions::new(url);
        opts.sqlx_logging(false);
        let db = Database::connect(opts).await?;
        Migrator::up(&db, None).await?;
        Ok(IdentityStore { db })
    }

    /// Wraps an existing, already migrated connection.
    pub fn from_connection(db: DatabaseConnection) -> IdentityStore {
        IdentityStore { db }
    }

    pub fn connection(&self) -> &DatabaseConnection {
        &self.db
    }

    #[instrument(skip(self))]
    pub async fn create_partner(&self, name: &str, tier: Option<&str>) -> Result<Partner, IdentityError> {
        let name = clean_name("name", name)?;
        let tier = match tier.map(str::trim) {
            Some("") | None => None,
            Some(t) => Some(clean_name("tier", t)?),
        };
        let empty = || Set(String::new());
        let m = partner::ActiveModel {
            id: Set(Uuid::now_v7()),
            name: Set(name),
            tier: Set(tier),
            created_at: Set(Utc::now()),
            partner_street: empty(),
            partner_city: empty(),
            partner_postal_code: empty(),
            partner_region: empty(),
            partner_country: empty(),
            reseller_street: empty(),
            reseller_city: empty(),
            reseller_postal_code: empty(),
            reseller_region: empty(),
            reseller_country: empty(),
        }
        .insert(&self.db)
        .await
        .map_err(|e| conflict_or_internal(e, "name"))?;
        Ok(m.into())
    }

    #[instrument(skip(self))]
    pub async fn list_partners(&self) -> Result<Vec<Partner>, IdentityError> {
        let rows = partner::Entity::find().order_by_asc(partner::Column::Name).all(&self.db).await?;
        Ok(rows.into_iter().map(Partner::from).collect())
    }

    #[instrument(skip(self))]
    pub async fn get_partner(&self, id: Uuid) -> Result<Partner, IdentityError> {
        partner::Entity::find_by_id(id).one(&self.db).await?.map(Partner::from).ok_or(IdentityError::NotFound)
    }

    /// Sets the partner's addresses; `None` leaves one as it is.
    #[instrument(skip(self, partner_address, reseller_address))]
    pub async fn set_partner_addresses(
        &self,
        id: Uuid,
        partner_address: Option<&PostalAddress>,
        reseller_address: Option<&PostalAddress>,
    ) -> Result<Partner, IdentityError> {
        let current = partner::Entity::find_by_id(id).one(&self.db).await?.ok_or(IdentityError::NotFound)?;
        let mut m: partner::ActiveModel = current.into();
        if let Some(a) = partner_address {
            let a = a.validate("partner_address")?;
            m.partner_street = Set(a.street);
            m.partner_city = Set(a.city);
            m.partner_postal_code = Set(a.postal_code);
            m.partner_region = Set(a.region);
            m.partner_country = Set(a.country);
        }
        if let Some(a) = reseller_address {
            let a = a.validate("reseller_address")?;
            m.reseller_street = Set(a.street);
            m.reseller_city = Set(a.city);
            m.reseller_postal_code = Set(a.postal_code);
            m.reseller_region = Set(a.region);
            m.reseller_country = Set(a.country);
        }
        Ok(m.update(&self.db).await?.into())
    }

    #[instrument(skip(self, new), fields(email = %new.email, role = %new.role))]
    pub async fn create_user(&self, new: NewUser) -> Result<User, IdentityError> {
        let email = normalize_email(&new.email)?;
        let display_name = clean_name("display_name", &new.display_name)?;
        check_password(&new.password)?;
        check_role_partner(new.role, new.partner_id)?;
        if let Some(pid) = new.partner_id {
            self.partner_must_exist(pid).await?;
        }
        if self.find_model_by_email(&email).await?.is_some() {
            return Err(IdentityError::Conflict { field: "email" });
        }
        let password_hash = hash_password(new.password).await?;
        let m = user::ActiveModel {
            id: Set(Uuid::now_v7()),
            email: Set(email),
            display_name: Set(display_name),
            password_hash: Set(password_hash),
            role: Set(new.role.as_str().to_owned()),
            partner_id: Set(new.partner_id),
            active: Set(true),
            created_at: Set(Utc::now()),
        }
        .insert(&self.db)
        .await
        // A concurrent registration can still win between check and insert.
        .map_err(|e| conflict_or_internal(e, "email"))?;
        m.try_into()
    }

    async fn partner_must_exist(&self, id: Uuid) -> Result<(), IdentityError> {
        match self.get_partner(id).await {
            Err(IdentityError::NotFound) => Err(IdentityError::invalid("partner_id", "no such partner")),
            r => r.map(drop),
        }
    }

    async fn find_model_by_email(&self, email: &str) -> Result<Option<user::Model>, DbErr> {
        user::Entity::find().filter(user::Column::Email.eq(email)).one(&self.db).await
    }

    async fn user_model(&self, id: Uuid) -> Result<user::Model, IdentityError> {
        user::Entity::find_by_id(id).one(&self.db).await?.ok_or(IdentityError::NotFound)
    }

    #[instrument(skip(self))]
    pub async fn get_user(&self, id: Uuid) -> Result<User, IdentityError> {
        self.user_model(id).await?.try_into()
    }

    #[instrument(skip(self))]
    pub async fn find_by_email(&self, email: &str) -> Result<Option<User>, IdentityError> {
        let email = email.trim().to_lowercase();
        self.find_model_by_email(&email).await?.map(User::try_from).transpose()
    }

    /// All users, or only those of one partner.
    #[instrument(skip(self))]
    pub async fn list_users(&self, partner_id: Option<Uuid>) -> Result<Vec<User>, IdentityError> {
        let mut q = user::Entity::find().order_by_asc(user::Column::Email);
        if let Some(pid) = partner_id {
            q = q.filter(user::Column::PartnerId.eq(pid));
        }
        q.all(&self.db).await?.into_iter().map(User::try_from).collect()
    }

    /// Changes the given fields; a role change must still fit the user's
    /// partner (a partner's user cannot become vendor staff and vice versa).
    #[instrument(skip(self))]
    pub async fn update_user(
        &self,
        id: Uuid,
        display_name: Option<&str>,
        role: Option<Role>,
        active: Option<bool>,
    ) -> Result<User, IdentityError> {
        let current = self.user_model(id).await?;
        let mut am = current.clone().into_active_model();
        if let Some(name) = display_name {
            am.display_name = Set(clean_name("display_name", name)?);
        }
        if let Some(role) = role {
            if role.is_partner_role() != current.partner_id.is_some() {
                return Err(IdentityError::invalid(
                    "role",
                    format!("{role} does not fit this user's partner membership"),
                ));
            }
            am.role = Set(role.as_str().to_owned());
        }
        if let Some(active) = active {
            am.active = Set(active);
        }
        am.update(&self.db).await?.try_into()
    }

    #[instrument(skip(self, password))]
    pub async fn set_password(&self, id: Uuid, password: &str) -> Result<(), IdentityError> {
        check_password(password)?;
        let mut am = self.user_model(id).await?.into_active_model();
        am.password_hash = Set(hash_password(password.to_owned()).await?);
        am.update(&self.db).await?;
        Ok(())
    }

    /// The user when the email and password match an active account, `None`
    /// otherwise; every path hashes once so timing does not tell them apart.
    #[instrument(skip(self, password))]
    pub async fn verify_login(&self, email: &str, password: &str) -> Result<Option<User>, IdentityError> {
        let email = email.trim().to_lowercase();
        let password = password.to_owned();
        let Some(m) = self.find_model_by_email(&email).await? else {
            let dummy = tokio::task::spawn_blocking(|| DUMMY_HASH.clone()).await.unwrap_or_default();
            verify_password(password, dummy).await;
            return Ok(None);
        };
        let ok = verify_password(password, m.password_hash.clone()).await;
        if ok && m.active { Ok(Some(m.try_into()?)) } else { Ok(None) }
    }

    /// Idempotent: assigning twice is not an error.
    #[instrument(skip(self))]
    pub async fn assign_account_manager(&self, user_id: Uuid, partner_id: Uuid) -> Result<(), IdentityError> {
        let u = self.get_user(user_id).await?;
        if u.role != Role::AccountManager {
            return Err(IdentityError::invalid("user_id", "user is not an account_manager"));
        }
        self.get_partner(partner_id).await?;
        let res =
            am_assignment::ActiveModel { user_id: Set(user_id), partner_id: Set(partner_id) }.insert(&self.db).await;
        match res {
            Ok(_) => Ok(()),
            Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// NotFound when there was no such assignment.
    #[instrument(skip(self))]
    pub async fn unassign_account_manager(&self, user_id: Uuid, partner_id: Uuid) -> Result<(), IdentityError> {
        let res = am_assignment::Entity::delete_by_id((user_id, partner_id)).exec(&self.db).await?;
        if res.rows_affected == 0 {
            return Err(IdentityError::NotFound);
        }
        Ok(())
    }

    #[instrument(skip(self))]
    pub async fn assigned_partners(&self, user_id: Uuid) -> Result<Vec<Uuid>, IdentityError> {
        Ok(am_assignment::Entity::find()
            .filter(am_assignment::Column::UserId.eq(user_id))
            .order_by_asc(am_assignment::Column::PartnerId)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|a| a.partner_id)
            .collect())
    }

    /// True when both users belong to the same partner.
    #[instrument(skip(self))]
    pub async fn are_colleagues(&self, user_a: Uuid, user_b: Uuid) -> Result<bool, IdentityError> {
        let a = self.user_model(user_a).await?;
        let b = self.user_model(user_b).await?;
        Ok(a.partner_id.is_some() && a.partner_id == b.partner_id)
    }
}

#[cfg(test)]
pub(crate) mod tests;
