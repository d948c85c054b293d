//! `/api/v1/quotes`: quotes of a project, their lines, status and the
//! primary flag.

use axum::{
    Json, Router,
    body::Bytes,
    extract::Path,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, patch, post},
};
use chrono::{DateTime, Utc};
use prm_proto::quote::v1 as pb;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::words::table;

use super::{
    AddressJson, ListQuery, Page,
    catalogue::{BILLING, MoneyJson, billing_schema},
    object, refuse_server_owned, split_verb,
    status::{OrProblem, problem},
    time, update_mask,
};
use crate::{
    app::AppState,
    problem::{ApiQuery, Problem, parse_json},
    services::Acting,
};

const SERVER_OWNED: &[&str] = &[
    "id",
    "number",
    "partner_id",
    "owner_id",
    "status",
    "shipping_address",
    "lines",
    "mrr",
    "one_time_total",
    "primary",
    "create_time",
    "update_time",
    "moves",
];

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct QuoteLineJson {
    pub id: String,
    pub product_id: String,
    pub sku: String,
    pub product_name: String,
    pub quantity: i64,
    pub unit_price: MoneyJson,
    pub discount_percent: String,
    #[schema(schema_with = billing_schema)]
    pub billing: String,
    pub net_amount: MoneyJson,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct QuoteJson {
    pub id: String,
    /// `Q-000123`: human-readable and unique, counted in the order quotes
    /// are created.
    pub number: String,
    pub partner_id: String,
    pub owner_id: String,
    pub project_id: String,
    pub account_id: String,
    pub name: String,
    /// `draft`, `presented`, `contract_sent`, `accepted`, `rejected`, `expired`.
    #[schema(schema_with = status_schema)]
    pub status: String,
    #[schema(schema_with = super::dates::date_or_empty_schema)]
    pub expiry_date: String,
    pub currency_code: String,
    /// `end_user`, `partner` or `reseller`.
    #[schema(schema_with = shipping_schema)]
    pub shipping_address_type: String,
    pub shipping_address: AddressJson,
    pub lines: Vec<QuoteLineJson>,
    pub mrr: MoneyJson,
    pub one_time_total: MoneyJson,
    pub primary: bool,
    pub create_time: Option<DateTime<Utc>>,
    pub update_time: Option<DateTime<Utc>>,
    /// The statuses you may move the quote to now (`:transition`).
    #[schema(schema_with = moves_schema)]
    pub moves: Vec<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct QuoteInput {
    /// Set on create only.
    pub project_id: String,
    /// Set on create only.
    pub account_id: String,
    pub name: String,
    /// `2026-12-31`, or "" for none.
    #[schema(schema_with = super::dates::date_or_empty_schema)]
    pub expiry_date: String,
    /// Set on create only.
    pub currency_code: String,
    #[schema(schema_with = shipping_schema)]
    pub shipping_address_type: String,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct LineInput {
    pub product_id: String,
    #[schema(minimum = 1, maximum = 1_000_000)]
    pub quantity: i64,
}

/// A change to a line. The unit price is the price book's and the discount
/// the vendor's partner discount: only a vendor admin overrides a line's
/// discount (alone, and the override is in the quote's history).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct LinePatch {
    #[schema(minimum = 1, maximum = 1_000_000)]
    pub quantity: i64,
    /// Percent, vendor admins only.
    pub discount_percent: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionInput {
    #[schema(schema_with = status_schema)]
    pub status: String,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct SendInput {
    /// A contact of the quote's account, with an e-mail address.
    pub contact_id: String,
    /// Optional text above the summary.
    pub message: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SentJson {
    pub recipient: String,
}

/// For the partner and reseller types: that address from the caller's
/// partner record, which the gateway owns.
async fn partner_shipping(acting: &Acting, kind: &str) -> Result<Option<prm_proto::common::v1::Address>, Problem> {
    if !matches!(kind, "partner" | "reseller") {
        return Ok(None);
    }
    let partner_id = acting.user.partner_id.ok_or_else(|| {
        Problem::bad_request_field("shipping_address_type", "only a partner's people use its addresses")
    })?;
    let p = acting.auth.identity().get_partner(partner_id).await?;
    let a = if kind == "partner" { p.partner_address } else { p.reseller_address };
    Ok(Some(prm_proto::common::v1::Address {
        street: a.street,
        city: a.city,
        postal_code: a.postal_code,
        region: a.region,
        country: a.country,
    }))
}

table!(STATUS, status_schema, pb::QuoteStatus, "QUOTE_STATUS_", empty: false);
table!(SHIPPING, shipping_schema, pb::ShippingAddressType, "SHIPPING_ADDRESS_TYPE_", empty: true);

fn moves_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    STATUS.list_schema()
}

pub fn to_json(q: pb::Quote) -> QuoteJson {
    QuoteJson {
        status: STATUS.word(q.status),
        shipping_address_type: SHIPPING.word(q.shipping_address_type),
        id: q.id,
        number: q.number,
        partner_id: q.partner_id,
        owner_id: q.owner_id,
        project_id: q.project_id,
        account_id: q.account_id,
        name: q.name,
        expiry_date: q.expiry_date,
        currency_code: q.currency_code,
        shipping_address: q.shipping_address.into(),
        lines: q
            .lines
            .into_iter()
            .map(|l| QuoteLineJson {
                billing: BILLING.word(l.billing),
                id: l.id,
                product_id: l.product_id,
                sku: l.sku,
                product_name: l.product_name,
                quantity: l.quantity,
                unit_price: l.unit_price.into(),
                discount_percent: l.discount_percent,
                net_amount: l.net_amount.into(),
            })
            .collect(),
        mrr: q.mrr.into(),
        one_time_total: q.one_time_total.into(),
        primary: q.primary,
        create_time: time(q.create_time),
        update_time: time(q.update_time),
        moves: q.moves.into_iter().map(|m| STATUS.word(m)).collect(),
    }
}

fn quote_of(q: Option<pb::Quote>) -> Json<QuoteJson> {
    Json(to_json(q.unwrap_or_default()))
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/quotes", get(list).post(create))
        .route("/api/v1/quotes/{id}", get(read).patch(update).delete(delete).post(custom))
        .route("/api/v1/quotes/{id}/lines", post(add_line))
        .route("/api/v1/quotes/{id}/lines/{line_id}", patch(update_line).delete(remove_line))
        .route("/api/v1/quotes/{id}/document", get(document))
        .route("/api/v1/projects/{project_id}/primary-quote", get(primary))
}

#[utoipa::path(get, path = "/api/v1/quotes", tag = "quotes", params(ListQuery), responses((status = 200, body = Page<QuoteJson>), (status = 400)))]
pub async fn list(acting: Acting, ApiQuery(q): ApiQuery<ListQuery>) -> Result<Json<Page<QuoteJson>>, Problem> {
    let r = acting
        .quotes()?
        .list_quotes(pb::ListQuotesRequest {
            page_size: q.page_size,
            page_token: q.page_token,
            filter: q.filter,
            order_by: q.order_by,
        })
        .await
        .or_problem()?;
    Ok(Json(Page { items: r.quotes.into_iter().map(to_json).collect(), next_page_token: r.next_page_token }))
}

#[utoipa::path(post, path = "/api/v1/quotes", tag = "quotes", request_body = QuoteInput, responses((status = 201, body = QuoteJson), (status = 400)))]
pub async fn create(acting: Acting, body: Bytes) -> Result<Response, Problem> {
    let quote = input_to_proto(&acting, &body).await?;
    let q = acting
        .quotes()?
        .create_quote(pb::CreateQuoteRequest { quote: Some(quote) })
        .await
        .or_problem()?
        .quote
        .unwrap_or_default();
    let location = format!("/api/v1/quotes/{}", q.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(to_json(q))).into_response())
}

/// A new quote from a request body: server-owned fields refused, and the
/// partner's address filled in for the partner and reseller shipping types.
pub async fn input_to_proto(acting: &Acting, body: &[u8]) -> Result<pb::Quote, Problem> {
    let map = object(body)?;
    refuse_server_owned(&map, SERVER_OWNED)?;
    let i: QuoteInput = parse_json(body)?;
    let shipping_address = partner_shipping(acting, &i.shipping_address_type).await?;
    Ok(pb::Quote {
        shipping_address_type: SHIPPING.value("shipping_address_type", &i.shipping_address_type)?,
        shipping_address,
        project_id: i.project_id,
        account_id: i.account_id,
        name: i.name,
        expiry_date: i.expiry_date,
        currency_code: i.currency_code,
        ..Default::default()
    })
}

#[utoipa::path(get, path = "/api/v1/quotes/{id}", tag = "quotes", params(("id" = String, Path)), responses((status = 200, body = QuoteJson), (status = 404)))]
pub async fn read(acting: Acting, Path(id): Path<String>) -> Result<Json<QuoteJson>, Problem> {
    Ok(quote_of(acting.quotes()?.get_quote(pb::GetQuoteRequest { id }).await.or_problem()?.quote))
}

#[utoipa::path(patch, path = "/api/v1/quotes/{id}", tag = "quotes", params(("id" = String, Path)), request_body = QuoteInput,
    responses((status = 200, body = QuoteJson), (status = 400), (status = 403), (status = 404), (status = 409)))]
pub async fn update(acting: Acting, Path(id): Path<String>, body: Bytes) -> Result<Json<QuoteJson>, Problem> {
    let map = object(&body)?;
    refuse_server_owned(&map, SERVER_OWNED)?;
    for fixed in ["project_id", "account_id", "currency_code"] {
        if map.contains_key(fixed) {
            return Err(Problem::bad_request_field(fixed, format!("`{fixed}` is set when the quote is created")));
        }
    }
    let mask = update_mask(&map, &[]);
    let i: QuoteInput = parse_json(&body)?;
    let shipping_address = partner_shipping(&acting, &i.shipping_address_type).await?;
    let q = acting
        .quotes()?
        .update_quote(pb::UpdateQuoteRequest {
            quote: Some(pb::Quote {
                id,
                name: i.name,
                expiry_date: i.expiry_date,
                shipping_address_type: SHIPPING.value("shipping_address_type", &i.shipping_address_type)?,
                shipping_address,
                ..Default::default()
            }),
            update_mask: Some(prost_types::FieldMask { paths: mask }),
        })
        .await
        .or_problem()?;
    Ok(quote_of(q.quote))
}

#[utoipa::path(delete, path = "/api/v1/quotes/{id}", tag = "quotes", params(("id" = String, Path)),
    responses((status = 204), (status = 403), (status = 404), (status = 409, description = "only drafts are deleted")))]
pub async fn delete(acting: Acting, Path(id): Path<String>) -> Result<StatusCode, Problem> {
    acting.quotes()?.delete_quote(pb::DeleteQuoteRequest { id }).await.or_problem()?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/quotes/{id}/document`: the quote as a PDF.
#[utoipa::path(get, path = "/api/v1/quotes/{id}/document", tag = "quotes", params(("id" = String, Path)),
    responses((status = 200, content_type = "application/pdf", body = super::Binary, description = "the quote document"), (status = 404)))]
pub async fn document(acting: Acting, Path(id): Path<String>) -> Result<Response, Problem> {
    let d = acting.quotes()?.get_quote_document(pb::GetQuoteDocumentRequest { id }).await.or_problem()?;
    let disposition = format!("attachment; filename=\"{}\"", d.file_name.replace('"', "'"));
    Ok(([(header::CONTENT_TYPE, d.content_type), (header::CONTENT_DISPOSITION, disposition)], d.content)
        .into_response())
}

/// `POST /api/v1/quotes/{id}:transition`, `:setPrimary`, `:send`, `:follow`, `:unfollow`.
#[utoipa::path(post, path = "/api/v1/quotes/{id}:transition", tag = "quotes", params(("id" = String, Path)), request_body = TransitionInput,
    responses((status = 200, body = QuoteJson), (status = 409, description = "a move the status path does not allow")))]
pub async fn custom(acting: Acting, Path(segment): Path<String>, body: Bytes) -> Result<Response, Problem> {
    let (id, verb) = split_verb(&segment);
    let mut client = acting.quotes()?;
    let q = match verb {
        Some("transition") => {
            let i: TransitionInput = parse_json(&body)?;
            client
                .transition_quote(pb::TransitionQuoteRequest {
                    id: id.into(),
                    status: STATUS.required("status", &i.status)?,
                })
                .await
                .or_problem()?
                .quote
        }
        Some("setPrimary") => {
            client.set_primary_quote(pb::SetPrimaryQuoteRequest { id: id.into() }).await.or_problem()?.quote
        }
        Some("send") => {
            let i: SendInput = parse_json(&body)?;
            let r = client
                .send_quote(pb::SendQuoteRequest { id: id.into(), contact_id: i.contact_id, message: i.message })
                .await
                .or_problem()?;
            return Ok(Json(SentJson { recipient: r.recipient }).into_response());
        }
        Some(verb) => {
            return super::records::follow_verb(&acting, super::records::QUOTES, id, verb).await;
        }
        None => {
            return Err(Problem::new(StatusCode::METHOD_NOT_ALLOWED, "POST a new quote to /api/v1/quotes."));
        }
    };
    Ok(quote_of(q).into_response())
}

// The other verbs `custom` serves, for the document.

#[utoipa::path(post, path = "/api/v1/quotes/{id}:setPrimary", tag = "quotes", operation_id = "set_primary_quote",
    summary = "Make the quote its project's primary quote: the project's MRR follows it",
    params(("id" = String, Path)),
    responses((status = 200, body = QuoteJson)))]
pub fn set_primary_doc() {}

#[utoipa::path(post, path = "/api/v1/quotes/{id}:send", tag = "quotes", operation_id = "send_quote",
    summary = "E-mail the quote with its PDF to a contact of its account",
    params(("id" = String, Path)), request_body = SendInput,
    responses((status = 200, body = SentJson, description = "the address it went to"),
        (status = 400, description = "the contact is not of the quote's account, or has no e-mail address")))]
pub fn send_doc() {}

#[utoipa::path(post, path = "/api/v1/quotes/{id}/lines", tag = "quotes", params(("id" = String, Path)), request_body = LineInput,
    responses((status = 201, body = QuoteJson), (status = 400), (status = 409, description = "the contract is out: lines are frozen")))]
pub async fn add_line(acting: Acting, Path(id): Path<String>, body: Bytes) -> Result<Response, Problem> {
    let i: LineInput = parse_json(&body)?;
    let q = acting
        .quotes()?
        .add_quote_line(pb::AddQuoteLineRequest {
            quote_id: id,
            line: Some(pb::QuoteLine { product_id: i.product_id, quantity: i.quantity, ..Default::default() }),
        })
        .await
        .map_err(|s| problem(s).renamed("quote_id", "id").without_prefix("line."))?;
    Ok((StatusCode::CREATED, quote_of(q.into_inner().quote)).into_response())
}

#[utoipa::path(patch, path = "/api/v1/quotes/{id}/lines/{line_id}", tag = "quotes", params(("id" = String, Path), ("line_id" = String, Path)),
    request_body = LinePatch, responses((status = 200, body = QuoteJson), (status = 400), (status = 409)))]
pub async fn update_line(
    acting: Acting,
    Path((id, line_id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Json<QuoteJson>, Problem> {
    let map = object(&body)?;
    if map.contains_key("product_id") {
        return Err(Problem::bad_request_field(
            "product_id",
            "a line's product cannot change; remove the line and add another",
        ));
    }
    let mask = update_mask(&map, &[]);
    let i: LinePatch = parse_json(&body)?;
    let q = acting
        .quotes()?
        .update_quote_line(pb::UpdateQuoteLineRequest {
            quote_id: id,
            line: Some(pb::QuoteLine {
                id: line_id,
                quantity: i.quantity,
                discount_percent: i.discount_percent,
                ..Default::default()
            }),
            update_mask: Some(prost_types::FieldMask { paths: mask }),
        })
        .await
        .map_err(|s| problem(s).renamed("quote_id", "id").renamed("line.id", "line_id").without_prefix("line."))?;
    Ok(quote_of(q.into_inner().quote))
}

#[utoipa::path(delete, path = "/api/v1/quotes/{id}/lines/{line_id}", tag = "quotes", params(("id" = String, Path), ("line_id" = String, Path)),
    responses((status = 200, body = QuoteJson), (status = 404), (status = 409)))]
pub async fn remove_line(
    acting: Acting,
    Path((id, line_id)): Path<(String, String)>,
) -> Result<Json<QuoteJson>, Problem> {
    let q = acting
        .quotes()?
        .remove_quote_line(pb::RemoveQuoteLineRequest { quote_id: id, line_id })
        .await
        .or_problem_as(&[("quote_id", "id")])?;
    Ok(quote_of(q.quote))
}

#[utoipa::path(get, path = "/api/v1/projects/{project_id}/primary-quote", tag = "quotes", params(("project_id" = String, Path)),
    responses((status = 200, body = QuoteJson), (status = 404, description = "the project has no primary quote you can see")))]
pub async fn primary(acting: Acting, Path(project_id): Path<String>) -> Result<Json<QuoteJson>, Problem> {
    let q = acting.quotes()?.get_primary_quote(pb::GetPrimaryQuoteRequest { project_id }).await.or_problem()?;
    q.quote.map(|q| Json(to_json(q))).ok_or_else(Problem::not_found)
}
