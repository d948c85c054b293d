//! The price book over REST: `/api/v1/products` (everyone reads, vendor admins
//! write), list prices, partner discounts and weighted average prices.

use axum::{
    Json, Router,
    body::Bytes,
    extract::Path,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, put},
};
use chrono::{DateTime, Utc};
use prm_proto::{common::v1::Money, quote::v1 as pb};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::words::table;

use super::{ListQuery, Page, object, refuse_server_owned, status::OrProblem, time, update_mask};
use crate::{
    app::AppState,
    problem::{ApiQuery, Problem, parse_json},
    services::Acting,
};

/// An exact amount of money; `amount` is a decimal string.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct MoneyJson {
    pub currency_code: String,
    pub amount: String,
}

impl From<Option<Money>> for MoneyJson {
    fn from(m: Option<Money>) -> Self {
        let m = m.unwrap_or_default();
        MoneyJson { currency_code: m.currency_code, amount: m.amount }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ProductJson {
    pub id: String,
    pub sku: String,
    pub name: String,
    /// `licenses`, `hwaas`, `classound`, `hardware` or `services`.
    #[schema(schema_with = family_schema)]
    pub family: String,
    /// `monthly` (counts in MRR) or `one_time`.
    #[schema(schema_with = billing_schema)]
    pub billing: String,
    pub active: bool,
    pub list_prices: Vec<MoneyJson>,
    pub create_time: Option<DateTime<Utc>>,
    pub update_time: Option<DateTime<Utc>>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ProductInput {
    /// 2–40 letters, digits and dashes, not starting or ending with a dash; upper-cased.
    #[schema(pattern = r"^\s*[A-Za-z0-9][A-Za-z0-9-]{0,38}[A-Za-z0-9]\s*$")]
    pub sku: String,
    pub name: String,
    #[schema(schema_with = family_schema)]
    pub family: String,
    #[schema(schema_with = billing_schema)]
    pub billing: String,
    pub active: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriceInput {
    /// Decimal string, e.g. "19.99".
    pub amount: String,
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct DiscountJson {
    /// Exactly one of `partner_id` and `tier`.
    pub partner_id: String,
    pub tier: String,
    /// Percent, 0 to 100, e.g. "12.5".
    pub percent: String,
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct WapJson {
    pub currency_code: String,
    pub licenses: String,
    pub hwaas: String,
    pub classound: String,
    pub update_time: Option<DateTime<Utc>>,
}

table!(FAMILY, family_schema, pb::ProductFamily, "PRODUCT_FAMILY_", empty: true);
table!(pub BILLING, billing_schema, pb::Billing, "BILLING_", empty: true);

fn product_json(p: pb::Product) -> ProductJson {
    ProductJson {
        family: FAMILY.word(p.family),
        billing: BILLING.word(p.billing),
        id: p.id,
        sku: p.sku,
        name: p.name,
        active: p.active,
        list_prices: p.list_prices.into_iter().map(|m| Some(m).into()).collect(),
        create_time: time(p.create_time),
        update_time: time(p.update_time),
    }
}

fn wap_json(w: pb::WeightedAveragePrices) -> WapJson {
    WapJson {
        currency_code: w.currency_code,
        licenses: w.licenses,
        hwaas: w.hwaas,
        classound: w.classound,
        update_time: time(w.update_time),
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/products", get(list_products).post(create_product))
        .route("/api/v1/products/{id}", get(read_product).patch(update_product))
        .route("/api/v1/products/{id}/prices/{currency}", put(set_price))
        .route("/api/v1/partner-discounts", get(list_discounts).put(set_discount))
        .route("/api/v1/weighted-average-prices/{currency}", get(read_wap).put(set_wap))
}

#[utoipa::path(get, path = "/api/v1/products", tag = "catalogue", params(ListQuery), responses((status = 200, body = Page<ProductJson>)))]
pub async fn list_products(
    acting: Acting,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Page<ProductJson>>, Problem> {
    let r = acting
        .quotes()?
        .list_products(pb::ListProductsRequest {
            page_size: q.page_size,
            page_token: q.page_token,
            filter: q.filter,
            order_by: q.order_by,
        })
        .await
        .or_problem()?;
    Ok(Json(Page { items: r.products.into_iter().map(product_json).collect(), next_page_token: r.next_page_token }))
}

#[utoipa::path(post, path = "/api/v1/products", tag = "catalogue", request_body = ProductInput,
    responses((status = 201, body = ProductJson), (status = 400), (status = 403, description = "vendor admins only")))]
pub async fn create_product(acting: Acting, body: Bytes) -> Result<Response, Problem> {
    let map = object(&body)?;
    refuse_server_owned(&map, &["id", "list_prices", "create_time", "update_time"])?;
    let i: ProductInput = parse_json(&body)?;
    let p = acting
        .quotes()?
        .create_product(pb::CreateProductRequest {
            product: Some(pb::Product {
                sku: i.sku,
                name: i.name,
                family: FAMILY.value("family", &i.family)?,
                billing: BILLING.value("billing", &i.billing)?,
                ..Default::default()
            }),
        })
        .await
        .or_problem()?
        .product
        .unwrap_or_default();
    let location = format!("/api/v1/products/{}", p.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(product_json(p))).into_response())
}

#[utoipa::path(get, path = "/api/v1/products/{id}", tag = "catalogue", params(("id" = String, Path)), responses((status = 200, body = ProductJson), (status = 404)))]
pub async fn read_product(acting: Acting, Path(id): Path<String>) -> Result<Json<ProductJson>, Problem> {
    let p = acting.quotes()?.get_product(pb::GetProductRequest { id }).await.or_problem()?;
    Ok(Json(product_json(p.product.unwrap_or_default())))
}

#[utoipa::path(patch, path = "/api/v1/products/{id}", tag = "catalogue", params(("id" = String, Path)), request_body = ProductInput,
    responses((status = 200, body = ProductJson), (status = 400), (status = 403)))]
pub async fn update_product(acting: Acting, Path(id): Path<String>, body: Bytes) -> Result<Json<ProductJson>, Problem> {
    let map = object(&body)?;
    refuse_server_owned(&map, &["id", "sku", "list_prices", "create_time", "update_time"])?;
    let mask = update_mask(&map, &[]);
    let i: ProductInput = parse_json(&body)?;
    let p = acting
        .quotes()?
        .update_product(pb::UpdateProductRequest {
            product: Some(pb::Product {
                id,
                name: i.name,
                family: FAMILY.value("family", &i.family)?,
                billing: BILLING.value("billing", &i.billing)?,
                active: i.active,
                ..Default::default()
            }),
            update_mask: Some(prost_types::FieldMask { paths: mask }),
        })
        .await
        .or_problem()?;
    Ok(Json(product_json(p.product.unwrap_or_default())))
}

#[utoipa::path(put, path = "/api/v1/products/{id}/prices/{currency}", tag = "catalogue", params(("id" = String, Path), ("currency" = String, Path)),
    request_body = PriceInput, responses((status = 200, body = ProductJson), (status = 400), (status = 403)))]
pub async fn set_price(
    acting: Acting,
    Path((id, currency)): Path<(String, String)>,
    body: Bytes,
) -> Result<Json<ProductJson>, Problem> {
    let i: PriceInput = parse_json(&body)?;
    let p = acting
        .quotes()?
        .set_list_price(pb::SetListPriceRequest {
            product_id: id,
            price: Some(Money { currency_code: currency, amount: i.amount }),
        })
        .await
        .map_err(|s| {
            super::status::problem(s).renamed("price.amount", "amount").renamed("price.currency_code", "currency")
        })?;
    Ok(Json(product_json(p.into_inner().product.unwrap_or_default())))
}

#[utoipa::path(get, path = "/api/v1/partner-discounts", tag = "catalogue", responses((status = 200, body = Page<DiscountJson>)))]
pub async fn list_discounts(acting: Acting) -> Result<Json<Page<DiscountJson>>, Problem> {
    let r = acting.quotes()?.list_partner_discounts(pb::ListPartnerDiscountsRequest {}).await.or_problem()?;
    Ok(Json(Page::all(
        r.discounts
            .into_iter()
            .map(|d| DiscountJson { partner_id: d.partner_id, tier: d.tier, percent: d.percent })
            .collect(),
    )))
}

#[utoipa::path(put, path = "/api/v1/partner-discounts", tag = "catalogue", request_body = DiscountJson,
    responses((status = 200, body = DiscountJson), (status = 400), (status = 403)))]
pub async fn set_discount(acting: Acting, body: Bytes) -> Result<Json<DiscountJson>, Problem> {
    let i: DiscountJson = parse_json(&body)?;
    let d = acting
        .quotes()?
        .set_partner_discount(pb::SetPartnerDiscountRequest {
            discount: Some(pb::PartnerDiscount { partner_id: i.partner_id, tier: i.tier, percent: i.percent }),
        })
        .await
        .map_err(|s| super::status::problem(s).without_prefix("discount."))?
        .into_inner()
        .discount
        .unwrap_or_default();
    Ok(Json(DiscountJson { partner_id: d.partner_id, tier: d.tier, percent: d.percent }))
}

#[utoipa::path(get, path = "/api/v1/weighted-average-prices/{currency}", tag = "catalogue", params(("currency" = String, Path)),
    responses((status = 200, body = WapJson), (status = 404)))]
pub async fn read_wap(acting: Acting, Path(currency): Path<String>) -> Result<Json<WapJson>, Problem> {
    let w = acting
        .quotes()?
        .get_weighted_average_prices(pb::GetWeightedAveragePricesRequest { currency_code: currency })
        .await
        .or_problem()?;
    Ok(Json(wap_json(w.prices.unwrap_or_default())))
}

#[utoipa::path(put, path = "/api/v1/weighted-average-prices/{currency}", tag = "catalogue", params(("currency" = String, Path)), request_body = WapJson,
    responses((status = 200, body = WapJson), (status = 400), (status = 403)))]
pub async fn set_wap(acting: Acting, Path(currency): Path<String>, body: Bytes) -> Result<Json<WapJson>, Problem> {
    let map = object(&body)?;
    refuse_server_owned(&map, &["currency_code", "update_time"])?;
    let i: WapJson = parse_json(&body)?;
    let w = acting
        .quotes()?
        .set_weighted_average_prices(pb::SetWeightedAveragePricesRequest {
            prices: Some(pb::WeightedAveragePrices {
                currency_code: currency,
                licenses: i.licenses,
                hwaas: i.hwaas,
                classound: i.classound,
                update_time: None,
            }),
        })
        .await
        .map_err(|s| super::status::problem(s).without_prefix("prices."))?;
    Ok(Json(wap_json(w.into_inner().prices.unwrap_or_default())))
}
