//! User and partner administration over REST. Visibility follows DOMAIN.md:
//! a record the caller may not see answers 404 (ids cannot be probed); a
//! visible record the caller's role may not change answers 403.

use axum::Json;
use axum::Router;
use axum::extract::{FromRef, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::{Auth, AuthUser, UserView};
use crate::identity::{IdentityError, NewUser, Partner, PostalAddress, Role, User};
use crate::problem::{ApiJson, ApiQuery, Problem};
use crate::rest::Page;

/// A malformed id cannot name a record, so it is simply not found.
fn parse_id(s: &str) -> Result<Uuid, Problem> {
    Uuid::parse_str(s).map_err(|_| Problem::not_found())
}

fn created(location: String, body: impl serde::Serialize) -> Response {
    (StatusCode::CREATED, [(header::LOCATION, location)], Json(body)).into_response()
}

/// Whether `caller` may see `user`.
async fn can_see_user(auth: &Auth, caller: &AuthUser, user: &User) -> Result<bool, Problem> {
    if caller.user_id == user.id {
        return Ok(true);
    }
    Ok(match caller.role {
        Role::VendorAdmin => true,
        Role::PartnerUser | Role::PartnerAdmin => caller.partner_id.is_some() && caller.partner_id == user.partner_id,
        Role::AccountManager => match user.partner_id {
            Some(pid) => auth.identity().assigned_partners(caller.user_id).await?.contains(&pid),
            None => false,
        },
        Role::SupportAgent => false,
    })
}

/// Whether `caller` may see `partner_id`.
async fn can_see_partner(auth: &Auth, caller: &AuthUser, partner_id: Uuid) -> Result<bool, Problem> {
    Ok(match caller.role {
        // Support works every partner's cases, so it needs their names.
        Role::VendorAdmin | Role::SupportAgent => true,
        Role::PartnerUser | Role::PartnerAdmin => caller.partner_id == Some(partner_id),
        Role::AccountManager => auth.identity().assigned_partners(caller.user_id).await?.contains(&partner_id),
    })
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListUsersQuery {
    /// The users of this partner only (a vendor admin's filter; a partner admin sees their own).
    partner_id: Option<Uuid>,
}

#[utoipa::path(get, path = "/api/v1/users", tag = "admin", params(ListUsersQuery),
    responses((status = 200, body = Page<UserView>, description = "the users of your scope: a vendor admin's all, a partner admin's own partner's"),
        (status = 403, description = "only admins list users")))]
pub(crate) async fn list_users(
    State(auth): State<Auth>,
    caller: AuthUser,
    ApiQuery(q): ApiQuery<ListUsersQuery>,
) -> Result<Json<Page<UserView>>, Problem> {
    let scope = match caller.role {
        Role::VendorAdmin => q.partner_id,
        Role::PartnerAdmin => {
            // Another partner's users are invisible, so asking for them lists nothing.
            if q.partner_id.is_some_and(|p| Some(p) != caller.partner_id) {
                return Ok(Json(Page::all(Vec::new())));
            }
            Some(caller.partner_id.ok_or_else(Problem::forbidden)?)
        }
        _ => return Err(Problem::forbidden()),
    };
    let users = auth.identity().list_users(scope).await?;
    Ok(Json(Page::all(users.into_iter().map(UserView::from).collect())))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateUserBody {
    email: String,
    display_name: String,
    password: String,
    role: Role,
    partner_id: Option<Uuid>,
}

#[utoipa::path(post, path = "/api/v1/users", tag = "admin", request_body = CreateUserBody,
    responses((status = 201, body = UserView), (status = 400, description = "a field is missing or invalid (the problem names it)"),
        (status = 403, description = "only admins create users; a partner admin only partner roles"),
        (status = 409, description = "the e-mail address is taken")))]
pub(crate) async fn create_user(
    State(auth): State<Auth>,
    caller: AuthUser,
    ApiJson(body): ApiJson<CreateUserBody>,
) -> Result<Response, Problem> {
    let partner_id = match caller.role {
        Role::VendorAdmin => body.partner_id,
        Role::PartnerAdmin => {
            if !body.role.is_partner_role() {
                return Err(Problem::forbidden());
            }
            // A partner admin's users always join the admin's own partner.
            if body.partner_id.is_some() && body.partner_id != caller.partner_id {
                return Err(Problem::bad_request_field(
                    "partner_id",
                    "partner admins can only create users in their own partner",
                ));
            }
            caller.partner_id
        }
        _ => return Err(Problem::forbidden()),
    };
    let user = auth
        .identity()
        .create_user(NewUser {
            email: body.email,
            display_name: body.display_name,
            password: body.password,
            role: body.role,
            partner_id,
        })
        .await?;
    Ok(created(format!("/api/v1/users/{}", user.id), UserView::from(user)))
}

/// The user if the caller may see them, else 404.
async fn visible_user(auth: &Auth, caller: &AuthUser, id: &str) -> Result<User, Problem> {
    let user = auth.identity().get_user(parse_id(id)?).await?;
    if can_see_user(auth, caller, &user).await? { Ok(user) } else { Err(Problem::not_found()) }
}

#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "admin", params(("id" = String, Path)),
    responses((status = 200, body = UserView), (status = 404, description = "no such user in your scope")))]
pub(crate) async fn get_user(
    State(auth): State<Auth>,
    caller: AuthUser,
    Path(id): Path<String>,
) -> Result<Json<UserView>, Problem> {
    Ok(Json(visible_user(&auth, &caller, &id).await?.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct UpdateUserBody {
    display_name: Option<String>,
    role: Option<Role>,
    active: Option<bool>,
}

#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "admin", params(("id" = String, Path)), request_body = UpdateUserBody,
    responses((status = 200, body = UserView), (status = 403, description = "role and activation are an admin's; anyone renames themselves"),
        (status = 404, description = "no such user in your scope")))]
pub(crate) async fn update_user(
    State(auth): State<Auth>,
    caller: AuthUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<UpdateUserBody>,
) -> Result<Json<UserView>, Problem> {
    let user = visible_user(&auth, &caller, &id).await?;
    let admin_of_user = match caller.role {
        Role::VendorAdmin => true,
        Role::PartnerAdmin => user.partner_id == caller.partner_id,
        _ => false,
    };
    let changes_access = body.role.is_some_and(|r| r != user.role) || body.active.is_some_and(|a| a != user.active);
    // Anyone may rename themselves; role and activation need an admin.
    let allowed = admin_of_user || (caller.user_id == user.id && !changes_access);
    if !allowed {
        return Err(Problem::forbidden());
    }
    if caller.role == Role::PartnerAdmin && body.role.is_some_and(|r| !r.is_partner_role()) {
        return Err(Problem::forbidden());
    }
    let updated = auth.identity().update_user(user.id, body.display_name.as_deref(), body.role, body.active).await?;
    if changes_access {
        // Tokens carry the role; stale ones must not outlive the change.
        auth.revoke_user_tokens(user.id).await?;
    }
    Ok(Json(updated.into()))
}

#[utoipa::path(get, path = "/api/v1/partners", tag = "admin",
    responses((status = 200, body = Page<Partner>, description = "the partners of your scope: all for vendor admins and support, an account manager's assigned ones, a partner's own")))]
pub(crate) async fn list_partners(State(auth): State<Auth>, caller: AuthUser) -> Result<Json<Page<Partner>>, Problem> {
    let all = auth.identity().list_partners().await?;
    let visible = match caller.role {
        Role::VendorAdmin | Role::SupportAgent => all,
        Role::PartnerUser | Role::PartnerAdmin => all.into_iter().filter(|p| Some(p.id) == caller.partner_id).collect(),
        Role::AccountManager => {
            let assigned = auth.identity().assigned_partners(caller.user_id).await?;
            all.into_iter().filter(|p| assigned.contains(&p.id)).collect()
        }
    };
    Ok(Json(Page::all(visible)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreatePartnerBody {
    name: String,
    tier: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/partners", tag = "admin", request_body = CreatePartnerBody,
    responses((status = 201, body = Partner), (status = 403, description = "vendor admins only"), (status = 409, description = "the name is taken")))]
pub(crate) async fn create_partner(
    State(auth): State<Auth>,
    caller: AuthUser,
    ApiJson(body): ApiJson<CreatePartnerBody>,
) -> Result<Response, Problem> {
    if caller.role != Role::VendorAdmin {
        return Err(Problem::forbidden());
    }
    let partner = auth.identity().create_partner(&body.name, body.tier.as_deref()).await?;
    Ok(created(format!("/api/v1/partners/{}", partner.id), partner))
}

#[utoipa::path(get, path = "/api/v1/partners/{id}", tag = "admin", params(("id" = String, Path)),
    responses((status = 200, body = Partner), (status = 404, description = "no such partner in your scope")))]
pub(crate) async fn get_partner(
    State(auth): State<Auth>,
    caller: AuthUser,
    Path(id): Path<String>,
) -> Result<Json<Partner>, Problem> {
    let id = parse_id(&id)?;
    if !can_see_partner(&auth, &caller, id).await? {
        return Err(Problem::not_found());
    }
    Ok(Json(auth.identity().get_partner(id).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct UpdatePartnerBody {
    partner_address: Option<PostalAddress>,
    reseller_address: Option<PostalAddress>,
}

/// A partner's addresses: its vendor admins and its own partner admins keep them.
#[utoipa::path(patch, path = "/api/v1/partners/{id}", tag = "admin", params(("id" = String, Path)), request_body = UpdatePartnerBody,
    responses((status = 200, body = Partner), (status = 403, description = "a vendor admin, or the partner's own partner admin"),
        (status = 404, description = "no such partner in your scope")))]
pub(crate) async fn update_partner(
    State(auth): State<Auth>,
    caller: AuthUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<UpdatePartnerBody>,
) -> Result<Json<Partner>, Problem> {
    let id = parse_id(&id)?;
    if !can_see_partner(&auth, &caller, id).await? {
        return Err(Problem::not_found());
    }
    let allowed =
        caller.role == Role::VendorAdmin || (caller.role == Role::PartnerAdmin && caller.partner_id == Some(id));
    if !allowed {
        return Err(Problem::forbidden());
    }
    let partner = auth
        .identity()
        .set_partner_addresses(id, body.partner_address.as_ref(), body.reseller_address.as_ref())
        .await?;
    Ok(Json(partner))
}

#[utoipa::path(put, path = "/api/v1/partners/{partner_id}/account_managers/{user_id}", tag = "admin",
    params(("partner_id" = String, Path), ("user_id" = String, Path)),
    responses((status = 204, description = "the account manager is assigned to the partner"), (status = 403, description = "vendor admins only"),
        (status = 404, description = "no such partner or user")))]
pub(crate) async fn assign_account_manager(
    State(auth): State<Auth>,
    caller: AuthUser,
    Path((partner_id, user_id)): Path<(String, String)>,
) -> Result<StatusCode, Problem> {
    if caller.role != Role::VendorAdmin {
        return Err(Problem::forbidden());
    }
    let (partner_id, user_id) = (parse_id(&partner_id)?, parse_id(&user_id)?);
    auth.identity().assign_account_manager(user_id, partner_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/v1/partners/{partner_id}/account_managers/{user_id}", tag = "admin",
    params(("partner_id" = String, Path), ("user_id" = String, Path)),
    responses((status = 204, description = "the assignment is gone"), (status = 403, description = "vendor admins only"),
        (status = 404, description = "no such assignment")))]
pub(crate) async fn unassign_account_manager(
    State(auth): State<Auth>,
    caller: AuthUser,
    Path((partner_id, user_id)): Path<(String, String)>,
) -> Result<StatusCode, Problem> {
    if caller.role != Role::VendorAdmin {
        return Err(Problem::forbidden());
    }
    let (partner_id, user_id) = (parse_id(&partner_id)?, parse_id(&user_id)?);
    match auth.identity().unassign_account_manager(user_id, partner_id).await {
        Ok(()) => Ok(StatusCode::NO_CONTENT),
        Err(IdentityError::NotFound) => Err(Problem::not_found()),
        Err(e) => Err(e.into()),
    }
}

/// `/api/v1/users…` and `/api/v1/partners…`.
pub fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    Auth: FromRef<S>,
{
    Router::new()
        .route("/api/v1/users", get(list_users).post(create_user))
        .route("/api/v1/users/{id}", get(get_user).patch(update_user))
        .route("/api/v1/partners", get(list_partners).post(create_partner))
        .route("/api/v1/partners/{id}", get(get_partner).patch(update_partner))
        .route(
            "/api/v1/partners/{partner_id}/account_managers/{user_id}",
            put(assign_account_manager).delete(unassign_account_manager),
        )
}
