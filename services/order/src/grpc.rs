//! `prm.order.v1.OrderService`: proto ⇄ domain translation, the quote service
//! as the source of accepted quotes and of prices, the store, and the outbox
//! events of project orders.
//!
//! Events (aggregate: the order; payload `{order_id, quote_id, project_id,
//! partner_id}`), each in the transaction of its change, for project orders
//! only (stock orders concern no project):
//! - `order.placed` when an order is placed from a quote;
//! - `order.completed` when it is completed (the project is won);
//! - `order.cancelled` when it is cancelled (the project leaves Order
//!   Management).

use std::str::FromStr;

use prm_kit::{
    Caller, Error, Result, Role,
    auth::{CallerInterceptor, InternalKey},
    listing::{Field, FieldKind, ListParams, Listing, SortValue},
    money::{self, Currency, from_units, to_units},
    outbox, owned,
    pricing::DISCOUNT_IS_THE_VENDORS,
    record::{self, parse_id},
    text::{line, required_line},
    time,
};
use prm_proto::{
    common::v1::{Address, Money, RecordType},
    order::v1::{self as pb, order_service_server::OrderService},
    quote::v1::{self as qpb, quote_service_client::QuoteServiceClient},
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};
use tonic::{Request, Response, Status, service::interceptor::InterceptedService, transport::Channel};
use uuid::Uuid;

use crate::{
    domain::{
        Actor, Billing, Discount, LineAmounts, OrderStatus, OrderType, Quantity, discount_overridable, line_net,
        order_number, totals,
    },
    store::{self, order, order_line},
};

/// A word the order service stored, read back: one it does not know is a
/// broken row, never a default.
fn stored<T: FromStr>(o: &order::Model, word: &str) -> Result<T> {
    word.parse().map_err(|_| Error::Internal(anyhow::anyhow!("order {} holds an unknown value `{word}`", o.number)))
}

/// At most this many lines in a stock order.
const MAX_LINES: usize = 200;

pub struct OrderApi {
    db: DatabaseConnection,
    quotes: Channel,
    key: InternalKey,
}

impl OrderApi {
    pub fn new(db: DatabaseConnection, quotes: Channel, key: InternalKey) -> Self {
        OrderApi { db, quotes, key }
    }
}

type Reply<T> = std::result::Result<Response<T>, Status>;
type QuoteClient = QuoteServiceClient<InterceptedService<Channel, CallerInterceptor>>;

/// Stock orders keep the nil id where they have no quote, project or account.
fn id_out(id: Uuid) -> String {
    if id.is_nil() { String::new() } else { id.to_string() }
}

fn status_in(v: i32) -> Result<OrderStatus> {
    Ok(match pb::OrderStatus::try_from(v) {
        Ok(pb::OrderStatus::Draft) => OrderStatus::Draft,
        Ok(pb::OrderStatus::Submitted) => OrderStatus::Submitted,
        Ok(pb::OrderStatus::Approved) => OrderStatus::Approved,
        Ok(pb::OrderStatus::Shipped) => OrderStatus::Shipped,
        Ok(pb::OrderStatus::Completed) => OrderStatus::Completed,
        Ok(pb::OrderStatus::Cancelled) => OrderStatus::Cancelled,
        _ => return Err(Error::invalid("status", "is required")),
    })
}

fn status_out(s: &str) -> pb::OrderStatus {
    match s.parse::<OrderStatus>() {
        Ok(OrderStatus::Draft) => pb::OrderStatus::Draft,
        Ok(OrderStatus::Submitted) => pb::OrderStatus::Submitted,
        Ok(OrderStatus::Approved) => pb::OrderStatus::Approved,
        Ok(OrderStatus::Shipped) => pb::OrderStatus::Shipped,
        Ok(OrderStatus::Completed) => pb::OrderStatus::Completed,
        Ok(OrderStatus::Cancelled) => pb::OrderStatus::Cancelled,
        Err(_) => pb::OrderStatus::Unspecified,
    }
}

fn type_out(s: &str) -> pb::OrderType {
    match s.parse::<OrderType>() {
        Ok(OrderType::Project) => pb::OrderType::Project,
        Ok(OrderType::Stock) => pb::OrderType::Stock,
        Err(_) => pb::OrderType::Unspecified,
    }
}

fn billing_out(s: &str) -> pb::Billing {
    match s.parse::<Billing>() {
        Ok(Billing::Monthly) => pb::Billing::Monthly,
        Ok(Billing::OneTime) => pb::Billing::OneTime,
        Err(_) => pb::Billing::Unspecified,
    }
}

/// The billing of a product or quote line as the quote service tells it.
fn billing_of_quote(v: i32) -> Option<Billing> {
    match qpb::Billing::try_from(v) {
        Ok(qpb::Billing::Monthly) => Some(Billing::Monthly),
        Ok(qpb::Billing::OneTime) => Some(Billing::OneTime),
        _ => None,
    }
}

fn line_out(l: &order_line::Model, currency: &str) -> pb::OrderLine {
    pb::OrderLine {
        id: l.id.to_string(),
        product_id: l.product_id.to_string(),
        sku: l.sku.clone(),
        product_name: l.product_name.clone(),
        quantity: l.quantity,
        unit_price: Some(money::units_to_proto(currency, l.unit_price_units)),
        discount_percent: from_units(l.discount_units).to_string(),
        billing: billing_out(&l.billing) as i32,
        net_amount: Some(money::units_to_proto(currency, l.net_units)),
    }
}

fn order_out(o: &order::Model, lines: &[order_line::Model], caller: &Caller) -> pb::Order {
    pb::Order {
        id: o.id.to_string(),
        number: o.number.clone(),
        partner_id: o.partner_id.to_string(),
        owner_id: o.owner_id.to_string(),
        r#type: type_out(&o.order_type) as i32,
        status: status_out(&o.status) as i32,
        quote_id: id_out(o.quote_id),
        project_id: id_out(o.project_id),
        account_id: id_out(o.account_id),
        currency_code: o.currency.clone(),
        shipping_address: Some(Address {
            street: o.ship_street.clone(),
            city: o.ship_city.clone(),
            postal_code: o.ship_postal_code.clone(),
            region: o.ship_region.clone(),
            country: o.ship_country.clone(),
        }),
        lines: lines.iter().map(|l| line_out(l, &o.currency)).collect(),
        mrr: Some(money::units_to_proto(&o.currency, o.mrr_units)),
        one_time_total: Some(money::units_to_proto(&o.currency, o.one_time_units)),
        create_time: Some(time::to_proto(o.create_time)),
        update_time: Some(time::to_proto(o.update_time)),
        moves: o
            .status
            .parse::<OrderStatus>()
            .map(|s| s.moves_for(&Actor::of(caller, o.partner_id, o.owner_id)))
            .unwrap_or_default()
            .into_iter()
            .map(|to| status_out(to.as_str()) as i32)
            .collect(),
    }
}

async fn lines_of<C: ConnectionTrait>(conn: &C, order_id: Uuid) -> Result<Vec<order_line::Model>> {
    Ok(order_line::Entity::find()
        .filter(order_line::Column::OrderId.eq(order_id))
        .order_by_asc(order_line::Column::Position)
        .all(conn)
        .await?)
}

/// The payload of a project order's events, for the project service.
fn event(o: &order::Model) -> serde_json::Value {
    serde_json::json!({
        "order_id": o.id,
        "quote_id": o.quote_id,
        "project_id": o.project_id,
        "partner_id": o.partner_id,
    })
}

pub const ORDER_FIELDS: &[Field<order::Column>] = &[
    Field { name: "number", column: order::Column::Number, kind: FieldKind::Text },
    Field { name: "status", column: order::Column::Status, kind: FieldKind::Enum(OrderStatus::NAMES) },
    Field { name: "type", column: order::Column::OrderType, kind: FieldKind::Enum(OrderType::NAMES) },
    Field { name: "quote_id", column: order::Column::QuoteId, kind: FieldKind::Uuid },
    Field { name: "project_id", column: order::Column::ProjectId, kind: FieldKind::Uuid },
    Field { name: "account_id", column: order::Column::AccountId, kind: FieldKind::Uuid },
    Field { name: "owner_id", column: order::Column::OwnerId, kind: FieldKind::Uuid },
    Field { name: "currency_code", column: order::Column::Currency, kind: FieldKind::Text },
    Field { name: "create_time", column: order::Column::CreateTime, kind: FieldKind::Timestamp },
    Field { name: "update_time", column: order::Column::UpdateTime, kind: FieldKind::Timestamp },
];

fn order_sort_key(o: &order::Model, field: &str) -> (SortValue, Uuid) {
    let v: SortValue = match field {
        "number" => o.number.as_str().into(),
        "status" => o.status.as_str().into(),
        "type" => o.order_type.as_str().into(),
        "quote_id" => o.quote_id.into(),
        "project_id" => o.project_id.into(),
        "account_id" => o.account_id.into(),
        "owner_id" => o.owner_id.into(),
        "currency_code" => o.currency.as_str().into(),
        "update_time" => o.update_time.into(),
        _ => o.create_time.into(),
    };
    (v, o.id)
}

/// A line ready to be stored, amounts in units.
struct NewLine {
    product_id: Uuid,
    sku: String,
    product_name: String,
    quantity: Quantity,
    unit_price_units: i64,
    discount_units: i64,
    billing: Billing,
    net_units: i64,
}

/// An order ready to be placed, before it has an id and a number.
struct NewOrder {
    order_type: OrderType,
    quote_id: Uuid,
    project_id: Uuid,
    account_id: Uuid,
    currency: String,
    ship: Address,
    lines: Vec<NewLine>,
    mrr_units: i64,
    one_time_units: i64,
}

/// An idempotency key: optional, up to 64 visible characters.
fn request_id_in(s: &str) -> Result<String> {
    if s.chars().count() > 64 || s.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(Error::invalid("request_id", "must be at most 64 visible characters, such as a UUID"));
    }
    Ok(s.to_string())
}

fn shipping_in(a: Option<&Address>) -> Result<Address> {
    let a = a.ok_or_else(|| Error::invalid("shipping_address", "is required"))?;
    Ok(Address {
        street: required_line("shipping_address.street", &a.street, 500)?,
        city: required_line("shipping_address.city", &a.city, 100)?,
        postal_code: line("shipping_address.postal_code", &a.postal_code, 20)?,
        region: line("shipping_address.region", &a.region, 100)?,
        country: line("shipping_address.country", &a.country, 64)?,
    })
}

/// Was this a unique index refusing a row (a race another call won)?
fn is_unique_violation(e: &Error) -> bool {
    match e {
        Error::Internal(cause) => matches!(
            cause.downcast_ref::<sea_orm::DbErr>().and_then(|d| d.sql_err()),
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
        ),
        _ => false,
    }
}

impl OrderApi {
    fn quote_client(&self, caller: &Caller) -> Result<QuoteClient> {
        Ok(QuoteServiceClient::with_interceptor(self.quotes.clone(), CallerInterceptor::new(&self.key, caller)?))
    }

    /// The order the caller's partner placed earlier with `request_id`; it
    /// must have been asked for the same thing (`kind`, and `quote_id` for
    /// project orders).
    async fn replay(
        &self,
        caller: &Caller,
        partner_id: Uuid,
        request_id: &str,
        kind: OrderType,
        quote_id: Uuid,
    ) -> Result<Option<order::Model>> {
        if request_id.is_empty() {
            return Ok(None);
        }
        let Some(o) = owned::visible::<order::Entity>(caller)
            .filter(order::Column::PartnerId.eq(partner_id))
            .filter(order::Column::RequestId.eq(request_id))
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        if o.order_type != kind.as_str() || (kind == OrderType::Project && o.quote_id != quote_id) {
            return Err(Error::invalid("request_id", format!("was used for another order ({})", o.number)));
        }
        Ok(Some(o))
    }

    /// The quote as the caller sees it, if it is accepted: anything else
    /// is bad input naming `quote_id`.
    async fn accepted_quote(&self, caller: &Caller, quote_id: Uuid, partner_id: Uuid) -> Result<qpb::Quote> {
        let mut client = self.quote_client(caller)?;
        let q = match client.get_quote(qpb::GetQuoteRequest { id: quote_id.to_string() }).await {
            Ok(r) => r.into_inner().quote.ok_or_else(|| Error::Internal(anyhow::anyhow!("quote service: no quote")))?,
            Err(s) if s.code() == tonic::Code::NotFound => {
                return Err(Error::invalid("quote_id", "names no accepted quote you can see"));
            }
            Err(s) => return Err(Error::Internal(anyhow::anyhow!("quote service: {s}"))),
        };
        // Partner people see only their partner's quotes; this holds anyway.
        if q.partner_id != partner_id.to_string() {
            return Err(Error::invalid("quote_id", "names no accepted quote you can see"));
        }
        if q.status != qpb::QuoteStatus::Accepted as i32 {
            let status = qpb::QuoteStatus::try_from(q.status)
                .map(|s| s.as_str_name().trim_start_matches("QUOTE_STATUS_").to_lowercase())
                .unwrap_or_default();
            return Err(Error::invalid(
                "quote_id",
                format!("names a {status} quote; only an accepted quote is ordered"),
            ));
        }
        if q.lines.is_empty() {
            return Err(Error::invalid("quote_id", "names a quote without lines"));
        }
        Ok(q)
    }

    /// Prices stock order lines from the price book, in `currency`.
    async fn priced_lines(&self, caller: &Caller, currency: Currency, lines: &[pb::OrderLine]) -> Result<Vec<NewLine>> {
        if lines.is_empty() {
            return Err(Error::invalid("lines", "needs at least one line"));
        }
        if lines.len() > MAX_LINES {
            return Err(Error::invalid("lines", format!("has more than {MAX_LINES} lines")));
        }
        // Everything that needs no price first, so bad input costs no call.
        let mut wanted = Vec::with_capacity(lines.len());
        for (i, l) in lines.iter().enumerate() {
            let product_id = parse_id(&l.product_id, &format!("lines[{i}].product_id"))?;
            let quantity = Quantity::parse(&format!("lines[{i}].quantity"), l.quantity)?;
            if !l.discount_percent.trim().is_empty() {
                return Err(Error::invalid(format!("lines[{i}].discount_percent"), DISCOUNT_IS_THE_VENDORS));
            }
            wanted.push((product_id, quantity));
        }
        let mut client = self.quote_client(caller)?;
        let discount = partner_discount(&mut client, caller).await?;
        let mut out = Vec::with_capacity(wanted.len());
        for (i, (product_id, quantity)) in wanted.into_iter().enumerate() {
            let field = format!("lines[{i}].product_id");
            let p = match client.get_product(qpb::GetProductRequest { id: product_id.to_string() }).await {
                Ok(r) => r.into_inner().product,
                Err(s) if s.code() == tonic::Code::NotFound => None,
                Err(s) => return Err(Error::Internal(anyhow::anyhow!("quote service: {s}"))),
            };
            let p = p.filter(|p| p.active).ok_or_else(|| Error::invalid(&field, "names no active product"))?;
            let price = p.list_prices.iter().find(|m| m.currency_code == currency.as_str()).ok_or_else(|| {
                Error::invalid(&field, format!("{} has no list price in {}", p.sku, currency.as_str()))
            })?;
            let unit_price = money::parse_amount(&field, &price.amount)
                .map_err(|e| Error::Internal(anyhow::anyhow!("quote service: price of {}: {e}", p.sku)))?;
            let billing = billing_of_quote(p.billing)
                .ok_or_else(|| Error::Internal(anyhow::anyhow!("quote service: {} has no billing", p.sku)))?;
            let net = line_net(quantity, unit_price, discount, currency);
            out.push(NewLine {
                product_id,
                sku: p.sku.clone(),
                product_name: p.name.clone(),
                quantity,
                unit_price_units: to_units(&format!("lines[{i}].unit_price"), unit_price)?,
                discount_units: to_units(&format!("lines[{i}].discount_percent"), discount.percent())?,
                billing,
                net_units: to_units(&format!("lines[{i}].net_amount"), net)?,
            });
        }
        Ok(out)
    }

    /// Places an order: its number, row, lines and (for project orders) the
    /// `order.placed` event in one transaction. A race that another call with
    /// the same request_id won answers that call's order.
    async fn place(
        &self,
        caller: &Caller,
        partner_id: Uuid,
        request_id: &str,
        new: NewOrder,
    ) -> Result<(order::Model, Vec<order_line::Model>)> {
        let (kind, quote_id) = (new.order_type, new.quote_id);
        match self.insert(caller, partner_id, request_id, new).await {
            Err(e) if is_unique_violation(&e) => {
                if let Some(o) = self.replay(caller, partner_id, request_id, kind, quote_id).await? {
                    let lines = lines_of(&self.db, o.id).await?;
                    return Ok((o, lines));
                }
                Err(Error::AlreadyExists("an order was placed from this quote at the same time".into()))
            }
            other => other,
        }
    }

    async fn insert(
        &self,
        caller: &Caller,
        partner_id: Uuid,
        request_id: &str,
        new: NewOrder,
    ) -> Result<(order::Model, Vec<order_line::Model>)> {
        let txn = prm_kit::db::begin_write(&self.db).await?;
        // Taking the number first serializes placing orders, so the check
        // below sees any order placed before it.
        let count = store::next_order_count(&txn).await?;
        if new.order_type == OrderType::Project
            && let Some(o) = self.order_of_quote(&txn, new.quote_id).await?
        {
            if !request_id.is_empty() && o.request_id == request_id && o.partner_id == partner_id {
                let lines = lines_of(&txn, o.id).await?;
                return Ok((o, lines));
            }
            return Err(Error::AlreadyExists(format!("order {} was placed from this quote", o.number)));
        }
        let now = time::now();
        let id = Uuid::now_v7();
        let o = order::ActiveModel {
            id: Set(id),
            number: Set(order_number(count)),
            partner_id: Set(partner_id),
            owner_id: Set(caller.user_id),
            order_type: Set(new.order_type.to_string()),
            status: Set(OrderStatus::Draft.to_string()),
            quote_id: Set(new.quote_id),
            project_id: Set(new.project_id),
            account_id: Set(new.account_id),
            currency: Set(new.currency),
            ship_street: Set(new.ship.street),
            ship_city: Set(new.ship.city),
            ship_postal_code: Set(new.ship.postal_code),
            ship_region: Set(new.ship.region),
            ship_country: Set(new.ship.country),
            mrr_units: Set(new.mrr_units),
            one_time_units: Set(new.one_time_units),
            request_id: Set(request_id.to_string()),
            create_time: Set(now),
            update_time: Set(now),
        }
        .insert(&txn)
        .await?;
        crate::store::index(&txn, &o).await?;
        let mut lines = Vec::with_capacity(new.lines.len());
        for (position, l) in new.lines.into_iter().enumerate() {
            let line = order_line::ActiveModel {
                id: Set(Uuid::now_v7()),
                order_id: Set(id),
                position: Set(i32::try_from(position).map_err(|_| Error::invalid("lines", "has too many lines"))?),
                product_id: Set(l.product_id),
                sku: Set(l.sku),
                product_name: Set(l.product_name),
                quantity: Set(l.quantity.get()),
                unit_price_units: Set(l.unit_price_units),
                discount_units: Set(l.discount_units),
                billing: Set(l.billing.to_string()),
                net_units: Set(l.net_units),
            }
            .insert(&txn)
            .await?;
            lines.push(line);
        }
        if o.order_type == OrderType::Project.as_str() {
            outbox::enqueue(&txn, "order.placed", o.id, &event(&o)).await?;
        }
        txn.commit().await?;
        Ok((o, lines))
    }

    async fn order_of_quote<C: ConnectionTrait>(&self, conn: &C, quote_id: Uuid) -> Result<Option<order::Model>> {
        Ok(order::Entity::find()
            .filter(order::Column::OrderType.eq(OrderType::Project.as_str()))
            .filter(order::Column::QuoteId.eq(quote_id))
            .one(conn)
            .await?)
    }
}

/// The caller's partner discount as the vendor set it in the quote service:
/// the partner's own, else its tier's, else none.
async fn partner_discount(client: &mut QuoteClient, caller: &Caller) -> Result<Discount> {
    let discounts = client
        .list_partner_discounts(qpb::ListPartnerDiscountsRequest {})
        .await
        .map_err(|s| Error::Internal(anyhow::anyhow!("quote service: {s}")))?
        .into_inner()
        .discounts;
    let own = caller.partner_id.map(|p| p.to_string()).unwrap_or_default();
    let tier = caller.partner_tier.clone().unwrap_or_default();
    let chosen = discounts
        .iter()
        .find(|d| !own.is_empty() && d.partner_id == own)
        .or_else(|| discounts.iter().find(|d| !tier.is_empty() && d.tier == tier));
    match chosen {
        Some(d) => Discount::parse("discount", &d.percent)
            .map_err(|e| Error::Internal(anyhow::anyhow!("quote service: partner discount: {e}"))),
        None => Ok(Discount::NONE),
    }
}

/// The lines and totals of an accepted quote, as they are. A quote that
/// cannot be read back is the quote service's fault, not the caller's.
fn copy_quote(q: &qpb::Quote) -> Result<NewOrder> {
    let broken = |e: Error| Error::Internal(anyhow::anyhow!("quote {} is malformed: {e}", q.id));
    let currency = Currency::parse("currency_code", &q.currency_code).map_err(broken)?;
    let amount = |field: &str, m: Option<&Money>| -> Result<i64> {
        let m = money::Money::parse(field, m).map_err(broken)?;
        if m.currency != currency {
            return Err(broken(Error::invalid(field, "is not in the quote's currency")));
        }
        to_units(field, m.amount).map_err(broken)
    };
    let mut lines = Vec::with_capacity(q.lines.len());
    for (i, l) in q.lines.iter().enumerate() {
        let f = |name: &str| format!("lines[{i}].{name}");
        let discount = if l.discount_percent.is_empty() {
            Discount::NONE
        } else {
            Discount::parse(&f("discount_percent"), &l.discount_percent).map_err(broken)?
        };
        lines.push(NewLine {
            product_id: parse_id(&l.product_id, &f("product_id")).map_err(broken)?,
            sku: l.sku.clone(),
            product_name: l.product_name.clone(),
            quantity: Quantity::parse(&f("quantity"), l.quantity).map_err(broken)?,
            unit_price_units: amount(&f("unit_price"), l.unit_price.as_ref())?,
            discount_units: to_units(&f("discount_percent"), discount.percent()).map_err(broken)?,
            billing: billing_of_quote(l.billing).ok_or_else(|| broken(Error::invalid(f("billing"), "is unset")))?,
            net_units: amount(&f("net_amount"), l.net_amount.as_ref())?,
        });
    }
    Ok(NewOrder {
        order_type: OrderType::Project,
        quote_id: parse_id(&q.id, "id").map_err(broken)?,
        project_id: parse_id(&q.project_id, "project_id").map_err(broken)?,
        account_id: parse_id(&q.account_id, "account_id").map_err(broken)?,
        currency: currency.as_str().to_string(),
        ship: q.shipping_address.clone().unwrap_or_default(),
        lines,
        mrr_units: amount("mrr", q.mrr.as_ref())?,
        one_time_units: amount("one_time_total", q.one_time_total.as_ref())?,
    })
}

#[tonic::async_trait]
impl OrderService for OrderApi {
    #[tracing::instrument(skip_all, fields(quote_id = %req.get_ref().quote_id))]
    async fn create_order_from_quote(
        &self,
        req: Request<pb::CreateOrderFromQuoteRequest>,
    ) -> Reply<pb::CreateOrderFromQuoteResponse> {
        let caller = Caller::of(&req)?;
        let r = req.into_inner();
        let quote_id = parse_id(&r.quote_id, "quote_id")?;
        let request_id = request_id_in(&r.request_id)?;
        let partner_id = caller.creating_partner()?;
        // A retry answers the first call's order, whatever became of the quote since.
        if let Some(o) = self.replay(&caller, partner_id, &request_id, OrderType::Project, quote_id).await? {
            let lines = lines_of(&self.db, o.id).await?;
            return Ok(Response::new(pb::CreateOrderFromQuoteResponse { order: Some(order_out(&o, &lines, &caller)) }));
        }
        if let Some(o) = self.order_of_quote(&self.db, quote_id).await?.filter(|o| o.partner_id == partner_id) {
            return Err(Error::AlreadyExists(format!("order {} was placed from this quote", o.number)).into());
        }
        let q = self.accepted_quote(&caller, quote_id, partner_id).await?;
        let new = copy_quote(&q)?;
        let (o, lines) = self.place(&caller, partner_id, &request_id, new).await?;
        Ok(Response::new(pb::CreateOrderFromQuoteResponse { order: Some(order_out(&o, &lines, &caller)) }))
    }

    #[tracing::instrument(skip_all)]
    async fn create_stock_order(
        &self,
        req: Request<pb::CreateStockOrderRequest>,
    ) -> Reply<pb::CreateStockOrderResponse> {
        let caller = Caller::of(&req)?;
        let r = req.into_inner();
        let request_id = request_id_in(&r.request_id)?;
        let o = r.order.ok_or_else(|| Error::invalid("order", "is required"))?;
        let partner_id = caller.creating_partner()?;
        if let Some(o) = self.replay(&caller, partner_id, &request_id, OrderType::Stock, Uuid::nil()).await? {
            let lines = lines_of(&self.db, o.id).await?;
            return Ok(Response::new(pb::CreateStockOrderResponse { order: Some(order_out(&o, &lines, &caller)) }));
        }
        let currency = Currency::parse("currency_code", &o.currency_code)?;
        let ship = shipping_in(o.shipping_address.as_ref())?;
        let lines = self.priced_lines(&caller, currency, &o.lines).await?;
        let t = totals(lines.iter().map(|l| LineAmounts { billing: l.billing, net: from_units(l.net_units) }));
        let new = NewOrder {
            order_type: OrderType::Stock,
            quote_id: Uuid::nil(),
            project_id: Uuid::nil(),
            account_id: Uuid::nil(),
            currency: currency.as_str().to_string(),
            ship,
            lines,
            mrr_units: to_units("mrr", t.mrr)?,
            one_time_units: to_units("one_time_total", t.one_time)?,
        };
        let (o, lines) = self.place(&caller, partner_id, &request_id, new).await?;
        Ok(Response::new(pb::CreateStockOrderResponse { order: Some(order_out(&o, &lines, &caller)) }))
    }

    #[tracing::instrument(skip_all, fields(id = %req.get_ref().id))]
    async fn get_order(&self, req: Request<pb::GetOrderRequest>) -> Reply<pb::GetOrderResponse> {
        let caller = Caller::of(&req)?;
        let id = parse_id(&req.get_ref().id, "id")?;
        let o = owned::find::<order::Entity, _>(&self.db, &caller, id).await?;
        let lines = lines_of(&self.db, id).await?;
        Ok(Response::new(pb::GetOrderResponse { order: Some(order_out(&o, &lines, &caller)) }))
    }

    #[tracing::instrument(skip_all)]
    async fn list_orders(&self, req: Request<pb::ListOrdersRequest>) -> Reply<pb::ListOrdersResponse> {
        let caller = Caller::of(&req)?;
        let r = req.get_ref();
        let listing = Listing::parse(
            ListParams { page_size: r.page_size, page_token: &r.page_token, filter: &r.filter, order_by: &r.order_by },
            ORDER_FIELDS,
            order::Column::Id,
            "create_time desc",
        )?;
        let rows = listing.apply(owned::visible::<order::Entity>(&caller)).all(&self.db).await.map_err(Error::from)?;
        let (rows, next_page_token) = listing.page(rows, order_sort_key);
        let ids: Vec<Uuid> = rows.iter().map(|o| o.id).collect();
        let lines = order_line::Entity::find()
            .filter(order_line::Column::OrderId.is_in(ids))
            .order_by_asc(order_line::Column::Position)
            .all(&self.db)
            .await
            .map_err(Error::from)?;
        let mut by_order: std::collections::HashMap<Uuid, Vec<order_line::Model>> = std::collections::HashMap::new();
        for l in lines {
            by_order.entry(l.order_id).or_default().push(l);
        }
        let orders =
            rows.iter().map(|o| order_out(o, by_order.get(&o.id).map_or(&[][..], Vec::as_slice), &caller)).collect();
        Ok(Response::new(pb::ListOrdersResponse { orders, next_page_token }))
    }

    #[tracing::instrument(skip_all, fields(id = %req.get_ref().id))]
    async fn transition_order(&self, req: Request<pb::TransitionOrderRequest>) -> Reply<pb::TransitionOrderResponse> {
        let caller = Caller::of(&req)?;
        let id = parse_id(&req.get_ref().id, "id")?;
        let to = status_in(req.get_ref().status)?;
        let txn = prm_kit::db::begin_write(&self.db).await.map_err(Error::from)?;
        let o = owned::find_for_update::<order::Entity, _>(&txn, &caller, id).await?;
        let from = OrderStatus::from_str(&o.status)
            .map_err(|e| Error::Internal(anyhow::anyhow!("order {}: {e}", o.number)))?;
        from.move_to(to, &Actor::of(&caller, o.partner_id, o.owner_id))?;
        let mut next = o.clone().into_active_model();
        next.status = Set(to.to_string());
        next.update_time = Set(time::now());
        let next = next.update(&txn).await.map_err(Error::from)?;
        crate::store::index(&txn, &next).await?;
        let changes = record::diff(&[("status", from.to_string(), to.to_string())]);
        record::write_history(&txn, RecordType::Order, id, next.partner_id, caller.user_id, &changes).await?;
        if next.order_type == OrderType::Project.as_str() {
            let topic = match to {
                OrderStatus::Completed => Some("order.completed"),
                OrderStatus::Cancelled => Some("order.cancelled"),
                _ => None,
            };
            if let Some(topic) = topic {
                outbox::enqueue(&txn, topic, next.id, &event(&next)).await?;
            }
        }
        let lines = lines_of(&txn, id).await?;
        txn.commit().await.map_err(Error::from)?;
        Ok(Response::new(pb::TransitionOrderResponse { order: Some(order_out(&next, &lines, &caller)) }))
    }

    #[tracing::instrument(skip_all, fields(id = %req.get_ref().order_id))]
    async fn update_order_line(&self, req: Request<pb::UpdateOrderLineRequest>) -> Reply<pb::UpdateOrderLineResponse> {
        let caller = Caller::of(&req)?;
        let r = req.into_inner();
        // Who may, before anything is looked up: a partner's answer is the
        // same for its own orders, another partner's and ids that name none.
        if caller.role != Role::VendorAdmin {
            return Err(Error::invalid("line.discount_percent", DISCOUNT_IS_THE_VENDORS).into());
        }
        let id = parse_id(&r.order_id, "order_id")?;
        let line = r.line.ok_or_else(|| Error::invalid("line", "is required"))?;
        let line_id = parse_id(&line.id, "line.id")?;
        match r.update_mask.map(|m| m.paths).unwrap_or_default().as_slice() {
            [one] if one == "discount_percent" => {}
            [] => return Err(Error::invalid("update_mask", "names no field").into()),
            _ => return Err(Error::invalid("update_mask", "only discount_percent of a line can be updated").into()),
        }
        let to = Discount::parse("line.discount_percent", &line.discount_percent)?;
        let txn = prm_kit::db::begin_write(&self.db).await.map_err(Error::from)?;
        let o = owned::find_for_update::<order::Entity, _>(&txn, &caller, id).await?;
        discount_overridable(stored(&o, &o.order_type)?, stored(&o, &o.status)?)?;
        let current = order_line::Entity::find_by_id(line_id)
            .filter(order_line::Column::OrderId.eq(id))
            .one(&txn)
            .await
            .map_err(Error::from)?
            .ok_or(Error::NotFound)?;
        let was = Discount::from_decimal("line.discount_percent", from_units(current.discount_units))?;
        let currency = Currency::parse("currency_code", &o.currency)
            .map_err(|e| Error::Internal(anyhow::anyhow!("order {}: {e}", o.number)))?;
        let quantity = Quantity::parse("line.quantity", current.quantity)?;
        let net = line_net(quantity, from_units(current.unit_price_units), to, currency);
        let changes = record::diff(&[was.override_change(&current.sku, to)]);
        let mut next_line = current.into_active_model();
        next_line.discount_units = Set(to_units("line.discount_percent", to.percent())?);
        next_line.net_units = Set(to_units("line.net_amount", net)?);
        next_line.update(&txn).await.map_err(Error::from)?;
        let lines = lines_of(&txn, id).await?;
        let mut amounts = Vec::with_capacity(lines.len());
        for l in &lines {
            amounts.push(LineAmounts { billing: stored(&o, &l.billing)?, net: from_units(l.net_units) });
        }
        let t = totals(amounts);
        let mut next = o.clone().into_active_model();
        next.mrr_units = Set(to_units("mrr", t.mrr)?);
        next.one_time_units = Set(to_units("one_time_total", t.one_time)?);
        next.update_time = Set(time::now());
        let next = next.update(&txn).await.map_err(Error::from)?;
        record::write_history(&txn, RecordType::Order, id, next.partner_id, caller.user_id, &changes).await?;
        txn.commit().await.map_err(Error::from)?;
        Ok(Response::new(pb::UpdateOrderLineResponse { order: Some(order_out(&next, &lines, &caller)) }))
    }
}
