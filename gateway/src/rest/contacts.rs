//! `/api/v1/contacts`: people of an account.

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

use super::{
    AddressJson, ListQuery, Page, accounts::ChangeOwnerInput, object, refuse_server_owned, split_verb,
    status::OrProblem, time, update_mask,
};
use crate::{
    app::AppState,
    problem::{ApiQuery, Problem, parse_json},
    services::Acting,
};

pub const SERVER_OWNED: &[&str] = &["id", "partner_id", "owner_id", "create_time", "update_time"];
const NESTED: &[&str] = &["mailing_address"];

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ContactJson {
    pub id: String,
    pub partner_id: String,
    pub owner_id: String,
    pub account_id: String,
    pub first_name: String,
    pub last_name: String,
    pub title: String,
    pub email: String,
    pub phone: String,
    pub mailing_address: AddressJson,
    pub create_time: Option<DateTime<Utc>>,
    pub update_time: Option<DateTime<Utc>>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ContactInput {
    pub account_id: String,
    pub first_name: String,
    pub last_name: String,
    pub title: String,
    pub email: String,
    pub phone: String,
    pub mailing_address: Option<AddressJson>,
}

pub fn to_json(c: pb::Contact) -> ContactJson {
    ContactJson {
        id: c.id,
        partner_id: c.partner_id,
        owner_id: c.owner_id,
        account_id: c.account_id,
        first_name: c.first_name,
        last_name: c.last_name,
        title: c.title,
        email: c.email,
        phone: c.phone,
        mailing_address: c.mailing_address.into(),
        create_time: time(c.create_time),
        update_time: time(c.update_time),
    }
}

fn to_proto(id: String, i: ContactInput) -> pb::Contact {
    pb::Contact {
        id,
        account_id: i.account_id,
        first_name: i.first_name,
        last_name: i.last_name,
        title: i.title,
        email: i.email,
        phone: i.phone,
        mailing_address: super::address(i.mailing_address),
        ..Default::default()
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/contacts", get(list).post(create))
        .route("/api/v1/contacts/{id}", get(read).patch(update).delete(delete).post(custom))
}

#[utoipa::path(get, path = "/api/v1/contacts", tag = "contacts", params(ListQuery), responses((status = 200, body = Page<ContactJson>), (status = 400)))]
pub async fn list(acting: Acting, ApiQuery(q): ApiQuery<ListQuery>) -> Result<Json<Page<ContactJson>>, Problem> {
    let r = acting
        .accounts()?
        .list_contacts(pb::ListContactsRequest {
            page_size: q.page_size,
            page_token: q.page_token,
            filter: q.filter,
            order_by: q.order_by,
        })
        .await
        .or_problem()?;
    Ok(Json(Page { items: r.contacts.into_iter().map(to_json).collect(), next_page_token: r.next_page_token }))
}

#[utoipa::path(post, path = "/api/v1/contacts", tag = "contacts", request_body = ContactInput, responses((status = 201, body = ContactJson), (status = 400)))]
pub async fn create(acting: Acting, body: Bytes) -> Result<Response, Problem> {
    let map = object(&body)?;
    refuse_server_owned(&map, SERVER_OWNED)?;
    let input: ContactInput = parse_json(&body)?;
    let c = acting
        .accounts()?
        .create_contact(pb::CreateContactRequest {
            contact: Some(to_proto(String::new(), input)),
            ..Default::default()
        })
        .await
        .or_problem()?
        .contact
        .unwrap_or_default();
    let location = format!("/api/v1/contacts/{}", c.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(to_json(c))).into_response())
}

#[utoipa::path(get, path = "/api/v1/contacts/{id}", tag = "contacts", params(("id" = String, Path)), responses((status = 200, body = ContactJson), (status = 404)))]
pub async fn read(acting: Acting, Path(id): Path<String>) -> Result<Json<ContactJson>, Problem> {
    let c = acting.accounts()?.get_contact(pb::GetContactRequest { id }).await.or_problem()?;
    Ok(Json(to_json(c.contact.unwrap_or_default())))
}

#[utoipa::path(patch, path = "/api/v1/contacts/{id}", tag = "contacts", params(("id" = String, Path)), request_body = ContactInput,
    responses((status = 200, body = ContactJson), (status = 400), (status = 403), (status = 404)))]
pub async fn update(acting: Acting, Path(id): Path<String>, body: Bytes) -> Result<Json<ContactJson>, Problem> {
    let mut map = object(&body)?;
    refuse_server_owned(&map, SERVER_OWNED)?;
    super::nulls_to_empty(&mut map, NESTED);
    let mask = update_mask(&map, NESTED);
    if mask.is_empty() {
        return Err(Problem::bad_request("The body names no field to update."));
    }
    let input: ContactInput = parse_json(&serde_json::to_vec(&map).map_err(Problem::internal)?)?;
    let c = acting
        .accounts()?
        .update_contact(pb::UpdateContactRequest {
            contact: Some(to_proto(id, input)),
            update_mask: Some(prost_types::FieldMask { paths: mask }),
        })
        .await
        .or_problem()?;
    Ok(Json(to_json(c.contact.unwrap_or_default())))
}

#[utoipa::path(delete, path = "/api/v1/contacts/{id}", tag = "contacts", params(("id" = String, Path)), responses((status = 204), (status = 403), (status = 404)))]
pub async fn delete(acting: Acting, Path(id): Path<String>) -> Result<StatusCode, Problem> {
    acting.accounts()?.delete_contact(pb::DeleteContactRequest { id }).await.or_problem()?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/contacts/{id}:changeOwner", tag = "contacts", params(("id" = String, Path)), request_body = ChangeOwnerInput,
    responses((status = 200, body = ContactJson), (status = 400), (status = 403), (status = 404)))]
pub async fn custom(acting: Acting, Path(segment): Path<String>, body: Bytes) -> Result<Response, Problem> {
    let (id, verb) = split_verb(&segment);
    match verb {
        Some("changeOwner") => {
            let input: ChangeOwnerInput = parse_json(&body)?;
            let mut client = acting.accounts()?;
            let current = client
                .get_contact(pb::GetContactRequest { id: id.into() })
                .await
                .or_problem()?
                .contact
                .unwrap_or_default();
            super::records::check_colleague(&acting, &input.new_owner_id, &current.partner_id).await?;
            let c = client
                .change_contact_owner(pb::ChangeContactOwnerRequest { id: id.into(), new_owner_id: input.new_owner_id })
                .await
                .or_problem()?;
            Ok(Json(to_json(c.contact.unwrap_or_default())).into_response())
        }
        Some(verb) => super::records::follow_verb(&acting, super::records::CONTACTS, id, verb).await,
        None => Err(Problem::new(StatusCode::METHOD_NOT_ALLOWED, "POST a new contact to /api/v1/contacts.")),
    }
}
