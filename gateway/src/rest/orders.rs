//! `/api/v1/orders`: orders placed from accepted quotes, and stock orders.

use axum::{
    Json, Router,
    body::Bytes,
    extract::Path,
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, patch},
};
use chrono::{DateTime, Utc};
use prm_proto::order::v1 as pb;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::words::table;

use super::{
    AddressJson, ListQuery, Page, address,
    catalogue::MoneyJson,
    object, refuse_server_owned, split_verb,
    status::{OrProblem, problem},
    time,
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
    "project_id",
    "account_id",
    "mrr",
    "one_time_total",
    "create_time",
    "update_time",
    "moves",
];

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct OrderLineJson {
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
pub struct OrderJson {
    pub id: String,
    /// e.g. `ORD-000123`.
    pub number: String,
    pub partner_id: String,
    pub owner_id: String,
    /// `project` (from a quote) or `stock`.
    #[serde(rename = "type")]
    #[schema(schema_with = type_schema)]
    pub order_type: String,
    /// `draft`, `submitted`, `approved`, `shipped`, `completed` or `cancelled`.
    #[schema(schema_with = status_schema)]
    pub status: String,
    pub quote_id: String,
    pub project_id: String,
    pub account_id: String,
    pub currency_code: String,
    pub shipping_address: AddressJson,
    pub lines: Vec<OrderLineJson>,
    pub mrr: MoneyJson,
    pub one_time_total: MoneyJson,
    pub create_time: Option<DateTime<Utc>>,
    pub update_time: Option<DateTime<Utc>>,
    /// The statuses you may move the order to now (`:transition`).
    #[schema(schema_with = moves_schema)]
    pub moves: Vec<String>,
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
/// A stock order line: priced from the price book with the partner's
/// discount, neither of which a partner sets.
pub struct StockLineInput {
    pub product_id: String,
    #[schema(minimum = 1, maximum = 1_000_000)]
    pub quantity: i64,
}

/// Either `{"quote_id"}` (an order from an accepted quote), or a stock order:
/// `{"type": "stock", "currency_code", "shipping_address", "lines"}`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct OrderInput {
    pub quote_id: String,
    /// `stock` for a stock order; empty for an order from a quote.
    #[serde(rename = "type")]
    #[schema(schema_with = type_schema)]
    pub order_type: String,
    pub currency_code: String,
    pub shipping_address: Option<AddressJson>,
    pub lines: Vec<StockLineInput>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderTransitionInput {
    #[schema(schema_with = status_schema)]
    pub status: String,
}

/// A vendor admin's override of a stock order line's discount, while the
/// order is a draft or submitted; the override is in the order's history.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderLinePatch {
    /// Percent, 0 to 100, at most two decimals.
    pub discount_percent: String,
}

table!(TYPE, type_schema, pb::OrderType, "ORDER_TYPE_", empty: true);
table!(STATUS, status_schema, pb::OrderStatus, "ORDER_STATUS_", empty: false);
table!(BILLING, billing_schema, pb::Billing, "BILLING_", empty: true);

fn moves_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    STATUS.list_schema()
}

pub fn to_json(o: pb::Order) -> OrderJson {
    OrderJson {
        order_type: TYPE.word(o.r#type),
        status: STATUS.word(o.status),
        id: o.id,
        number: o.number,
        partner_id: o.partner_id,
        owner_id: o.owner_id,
        quote_id: o.quote_id,
        project_id: o.project_id,
        account_id: o.account_id,
        currency_code: o.currency_code,
        shipping_address: o.shipping_address.into(),
        lines: o
            .lines
            .into_iter()
            .map(|l| OrderLineJson {
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
        mrr: o.mrr.into(),
        one_time_total: o.one_time_total.into(),
        create_time: time(o.create_time),
        update_time: time(o.update_time),
        moves: o.moves.into_iter().map(|m| STATUS.word(m)).collect(),
    }
}

fn order_of(o: Option<pb::Order>) -> Json<OrderJson> {
    Json(to_json(o.unwrap_or_default()))
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/orders", get(list).post(create))
        .route("/api/v1/orders/{id}", get(read).post(custom))
        .route("/api/v1/orders/{id}/lines/{line_id}", patch(update_line))
}

#[utoipa::path(get, path = "/api/v1/orders", tag = "orders", params(ListQuery), responses((status = 200, body = Page<OrderJson>), (status = 400)))]
pub async fn list(acting: Acting, ApiQuery(q): ApiQuery<ListQuery>) -> Result<Json<Page<OrderJson>>, Problem> {
    let r = acting
        .orders()?
        .list_orders(pb::ListOrdersRequest {
            page_size: q.page_size,
            page_token: q.page_token,
            filter: q.filter,
            order_by: q.order_by,
        })
        .await
        .or_problem()?;
    Ok(Json(Page { items: r.orders.into_iter().map(to_json).collect(), next_page_token: r.next_page_token }))
}

/// The `Idempotency-Key` of the request also makes the service's own retry
/// check (`request_id`), so a retried order never becomes two.
#[utoipa::path(post, path = "/api/v1/orders", tag = "orders", request_body = OrderInput,
    responses((status = 201, body = OrderJson), (status = 400), (status = 409, description = "the quote has an order already")))]
pub async fn create(acting: Acting, headers: HeaderMap, body: Bytes) -> Result<Response, Problem> {
    let map = object(&body)?;
    refuse_server_owned(&map, SERVER_OWNED)?;
    let i: OrderInput = parse_json(&body)?;
    let request_id =
        headers.get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::to_string).unwrap_or_default();
    let mut client = acting.orders()?;
    let order = match (i.quote_id.is_empty(), i.order_type.as_str()) {
        (false, "" | "project") => {
            if !i.lines.is_empty() || !i.currency_code.is_empty() || i.shipping_address.is_some() {
                return Err(Problem::bad_request_field("lines", "an order from a quote takes the quote's lines"));
            }
            client
                .create_order_from_quote(pb::CreateOrderFromQuoteRequest { quote_id: i.quote_id, request_id })
                .await
                .or_problem()?
                .order
        }
        (true, "stock") => {
            let lines = i
                .lines
                .into_iter()
                .map(|l| pb::OrderLine { product_id: l.product_id, quantity: l.quantity, ..Default::default() })
                .collect();
            let order = pb::Order {
                currency_code: i.currency_code,
                shipping_address: address(i.shipping_address),
                lines,
                ..Default::default()
            };
            client
                .create_stock_order(pb::CreateStockOrderRequest { order: Some(order), request_id })
                .await
                .map_err(|s| problem(s).without_prefix("order."))?
                .into_inner()
                .order
        }
        (true, _) => return Err(Problem::bad_request_field("quote_id", "is required, or `type` must be `stock`")),
        (false, _) => return Err(Problem::bad_request_field("type", "a stock order has no quote_id")),
    }
    .unwrap_or_default();
    let location = format!("/api/v1/orders/{}", order.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(to_json(order))).into_response())
}

#[utoipa::path(get, path = "/api/v1/orders/{id}", tag = "orders", params(("id" = String, Path)), responses((status = 200, body = OrderJson), (status = 404)))]
pub async fn read(acting: Acting, Path(id): Path<String>) -> Result<Json<OrderJson>, Problem> {
    Ok(order_of(acting.orders()?.get_order(pb::GetOrderRequest { id }).await.or_problem()?.order))
}

/// `POST /api/v1/orders/{id}:transition`, `:follow`, `:unfollow`.
#[utoipa::path(post, path = "/api/v1/orders/{id}:transition", tag = "orders", params(("id" = String, Path)), request_body = OrderTransitionInput,
    responses((status = 200, body = OrderJson), (status = 403, description = "approve and ship are the vendor's"), (status = 409, description = "a move the status path does not allow")))]
pub async fn custom(acting: Acting, Path(segment): Path<String>, body: Bytes) -> Result<Response, Problem> {
    let (id, verb) = split_verb(&segment);
    match verb {
        Some("transition") => {
            let i: OrderTransitionInput = parse_json(&body)?;
            let status = STATUS.required("status", &i.status)?;
            let o = acting
                .orders()?
                .transition_order(pb::TransitionOrderRequest { id: id.into(), status })
                .await
                .or_problem()?;
            Ok(order_of(o.order).into_response())
        }
        Some(verb) => super::records::follow_verb(&acting, super::records::ORDERS, id, verb).await,
        None => Err(Problem::new(StatusCode::METHOD_NOT_ALLOWED, "POST a new order to /api/v1/orders.")),
    }
}

#[utoipa::path(patch, path = "/api/v1/orders/{id}/lines/{line_id}", tag = "orders", params(("id" = String, Path), ("line_id" = String, Path)),
    request_body = OrderLinePatch, responses((status = 200, body = OrderJson), (status = 400, description = "not a vendor admin, or a bad discount"), (status = 404),
    (status = 409, description = "a project order, or one the vendor approved")))]
pub async fn update_line(
    acting: Acting,
    Path((id, line_id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Json<OrderJson>, Problem> {
    let i: OrderLinePatch = parse_json(&body)?;
    let o = acting
        .orders()?
        .update_order_line(pb::UpdateOrderLineRequest {
            order_id: id,
            line: Some(pb::OrderLine { id: line_id, discount_percent: i.discount_percent, ..Default::default() }),
            update_mask: Some(prost_types::FieldMask { paths: vec!["discount_percent".into()] }),
        })
        .await
        .map_err(|s| problem(s).without_prefix("line."))?;
    Ok(order_of(o.into_inner().order))
}
