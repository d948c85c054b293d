//! `/api/v1/accounts`: companies a partner sells to.

use axum::{
    Json, Router,
    body::Bytes,
    extract::Path,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use chrono::{DateTime, Utc};
use prm_proto::account::v1 as pb;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::words::table;

use super::{
    AddressJson, ListQuery, Page, object, refuse_server_owned, split_verb, status::OrProblem, time, update_mask,
};
use crate::{
    app::AppState,
    problem::{ApiQuery, Problem, parse_json},
    services::Acting,
};

/// Fields the server owns on an account.
pub const SERVER_OWNED: &[&str] = &["id", "partner_id", "owner_id", "create_time", "update_time"];
const NESTED: &[&str] = &["billing_address", "shipping_address"];

/// An account as the API shows it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AccountJson {
    pub id: String,
    pub partner_id: String,
    pub owner_id: String,
    pub name: String,
    /// `prospect`, `customer` or `former_customer`.
    #[serde(rename = "type")]
    #[schema(schema_with = type_schema)]
    pub account_type: String,
    pub industry: String,
    pub website: String,
    pub phone: String,
    pub vat_number: String,
    pub billing_address: AddressJson,
    pub shipping_address: AddressJson,
    pub create_time: Option<DateTime<Utc>>,
    pub update_time: Option<DateTime<Utc>>,
}

/// What a client writes on create (all fields) or update (the fields sent).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct AccountInput {
    pub name: String,
    /// `prospect` (default), `customer` or `former_customer`.
    #[serde(rename = "type")]
    #[schema(schema_with = nullable_type_schema)]
    pub account_type: Option<String>,
    pub industry: String,
    pub website: String,
    pub phone: String,
    pub vat_number: String,
    pub billing_address: Option<AddressJson>,
    pub shipping_address: Option<AddressJson>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeOwnerInput {
    pub new_owner_id: String,
}

table!(TYPE, type_schema, pb::AccountType, "ACCOUNT_TYPE_", empty: true);
fn nullable_type_schema() -> utoipa::openapi::schema::Object {
    TYPE.nullable_schema(true)
}

pub fn to_json(a: pb::Account) -> AccountJson {
    AccountJson {
        account_type: TYPE.word(a.r#type),
        id: a.id,
        partner_id: a.partner_id,
        owner_id: a.owner_id,
        name: a.name,
        industry: a.industry,
        website: a.website,
        phone: a.phone,
        vat_number: a.vat_number,
        billing_address: a.billing_address.into(),
        shipping_address: a.shipping_address.into(),
        create_time: time(a.create_time),
        update_time: time(a.update_time),
    }
}

fn to_proto(id: String, i: AccountInput) -> Result<pb::Account, Problem> {
    Ok(pb::Account {
        id,
        r#type: TYPE.value("type", i.account_type.as_deref().unwrap_or_default())?,
        name: i.name,
        industry: i.industry,
        website: i.website,
        phone: i.phone,
        vat_number: i.vat_number,
        billing_address: super::address(i.billing_address),
        shipping_address: super::address(i.shipping_address),
        ..Default::default()
    })
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/accounts", get(list).post(create))
        .route("/api/v1/accounts/{id}", get(read).patch(update).delete(delete).post(custom))
}

#[utoipa::path(get, path = "/api/v1/accounts", tag = "accounts", params(ListQuery),
    responses((status = 200, body = Page<AccountJson>), (status = 400, description = "bad filter, order_by or page token")))]
pub async fn list(acting: Acting, ApiQuery(q): ApiQuery<ListQuery>) -> Result<Json<Page<AccountJson>>, Problem> {
    let r = acting
        .accounts()?
        .list_accounts(pb::ListAccountsRequest {
            page_size: q.page_size,
            page_token: q.page_token,
            filter: q.filter,
            order_by: q.order_by,
        })
        .await
        .or_problem()?;
    Ok(Json(Page { items: r.accounts.into_iter().map(to_json).collect(), next_page_token: r.next_page_token }))
}

#[utoipa::path(post, path = "/api/v1/accounts", tag = "accounts", request_body = AccountInput,
    responses((status = 201, body = AccountJson), (status = 400, description = "invalid field, named in `errors`")))]
pub async fn create(acting: Acting, body: Bytes) -> Result<Response, Problem> {
    let map = object(&body)?;
    refuse_server_owned(&map, SERVER_OWNED)?;
    let input: AccountInput = parse_json(&body)?;
    let a = acting
        .accounts()?
        .create_account(pb::CreateAccountRequest {
            account: Some(to_proto(String::new(), input)?),
            ..Default::default()
        })
        .await
        .or_problem()?
        .account
        .unwrap_or_default();
    let location = format!("/api/v1/accounts/{}", a.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(to_json(a))).into_response())
}

#[utoipa::path(get, path = "/api/v1/accounts/{id}", tag = "accounts", params(("id" = String, Path)),
    responses((status = 200, body = AccountJson), (status = 404, description = "no such account in your scope")))]
pub async fn read(acting: Acting, Path(id): Path<String>) -> Result<Json<AccountJson>, Problem> {
    let a = acting.accounts()?.get_account(pb::GetAccountRequest { id }).await.or_problem()?;
    Ok(Json(to_json(a.account.unwrap_or_default())))
}

#[utoipa::path(patch, path = "/api/v1/accounts/{id}", tag = "accounts", params(("id" = String, Path)), request_body = AccountInput,
    responses((status = 200, body = AccountJson), (status = 400), (status = 403), (status = 404)))]
pub async fn update(acting: Acting, Path(id): Path<String>, body: Bytes) -> Result<Json<AccountJson>, Problem> {
    let mut map = object(&body)?;
    refuse_server_owned(&map, SERVER_OWNED)?;
    super::nulls_to_empty(&mut map, NESTED);
    let mask = update_mask(&map, NESTED);
    if mask.is_empty() {
        return Err(Problem::bad_request("The body names no field to update."));
    }
    let input: AccountInput = parse_json(&serde_json::to_vec(&map).map_err(Problem::internal)?)?;
    let a = acting
        .accounts()?
        .update_account(pb::UpdateAccountRequest {
            account: Some(to_proto(id, input)?),
            update_mask: Some(prost_types::FieldMask { paths: mask }),
        })
        .await
        .or_problem()?;
    Ok(Json(to_json(a.account.unwrap_or_default())))
}

#[utoipa::path(delete, path = "/api/v1/accounts/{id}", tag = "accounts", params(("id" = String, Path)),
    responses((status = 204, description = "deleted with its contacts"), (status = 403), (status = 404)))]
pub async fn delete(acting: Acting, Path(id): Path<String>) -> Result<StatusCode, Problem> {
    acting.accounts()?.delete_account(pb::DeleteAccountRequest { id }).await.or_problem()?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/accounts/{id}:changeOwner`, `:follow`, `:unfollow`.
#[utoipa::path(post, path = "/api/v1/accounts/{id}:changeOwner", tag = "accounts", params(("id" = String, Path)),
    request_body = ChangeOwnerInput,
    responses((status = 200, body = AccountJson), (status = 400, description = "the new owner is not a colleague"), (status = 403), (status = 404)))]
pub async fn custom(acting: Acting, Path(segment): Path<String>, body: Bytes) -> Result<Response, Problem> {
    let (id, verb) = split_verb(&segment);
    match verb {
        Some("changeOwner") => {
            let input: ChangeOwnerInput = parse_json(&body)?;
            let mut client = acting.accounts()?;
            let current = client
                .get_account(pb::GetAccountRequest { id: id.into() })
                .await
                .or_problem()?
                .account
                .unwrap_or_default();
            super::records::check_colleague(&acting, &input.new_owner_id, &current.partner_id).await?;
            let a = client
                .change_account_owner(pb::ChangeAccountOwnerRequest { id: id.into(), new_owner_id: input.new_owner_id })
                .await
                .or_problem()?;
            Ok(Json(to_json(a.account.unwrap_or_default())).into_response())
        }
        Some(verb) => super::records::follow_verb(&acting, super::records::ACCOUNTS, id, verb).await,
        None => Err(Problem::new(StatusCode::METHOD_NOT_ALLOWED, "POST a new account to /api/v1/accounts.")),
    }
}
