//! `prm.quote.v1.QuoteService`: proto ⇄ domain translation, the store, and
//! the outbox events of primary quotes.

use std::{collections::HashMap, str::FromStr};

use prm_kit::{
    Caller, Error, Result, Role,
    auth::{CallerInterceptor, InternalKey},
    listing::{Field, FieldKind, ListParams, Listing, SortValue},
    mail::Mailer,
    money::{self, Currency, from_units, to_units},
    outbox, owned,
    pricing::DISCOUNT_IS_THE_VENDORS,
    record::{self, parse_id},
    references::References,
    text::required_line,
    time,
};
use prm_proto::{
    account::v1::{GetAccountRequest, GetContactRequest, account_service_client::AccountServiceClient},
    common::v1::{Address, RecordType},
    quote::v1::{self as pb, quote_service_server::QuoteService},
};
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, Set,
};
use tonic::{Request, Response, Status, transport::Channel};
use uuid::Uuid;

use crate::{
    domain::{Billing, Discount, Family, LineAmounts, Quantity, QuoteStatus, Sku, line_net, quote_number, totals},
    store::{list_price, partner_discount, product, quote, quote_line, wap},
};

pub struct QuoteApi {
    db: DatabaseConnection,
    accounts: Channel,
    references: References,
    key: InternalKey,
    mailer: Mailer,
    /// The vendor's name, at the head of every quote document.
    vendor: String,
}

impl QuoteApi {
    pub fn new(
        db: DatabaseConnection,
        accounts: Channel,
        references: References,
        key: InternalKey,
        mailer: Mailer,
        vendor: String,
    ) -> Self {
        QuoteApi { db, accounts, references, key, mailer, vendor }
    }
}

type Reply<T> = std::result::Result<Response<T>, Status>;

fn require_vendor(caller: &Caller) -> Result<()> {
    match caller.role {
        Role::VendorAdmin | Role::Ops => Ok(()),
        r => Err(Error::PermissionDenied(format!("only vendor admins maintain the price book, not a {r}"))),
    }
}

fn family_in(v: i32) -> Result<Family> {
    match pb::ProductFamily::try_from(v) {
        Ok(pb::ProductFamily::Licenses) => Ok(Family::Licenses),
        Ok(pb::ProductFamily::Hwaas) => Ok(Family::Hwaas),
        Ok(pb::ProductFamily::Classound) => Ok(Family::Classound),
        Ok(pb::ProductFamily::Hardware) => Ok(Family::Hardware),
        Ok(pb::ProductFamily::Services) => Ok(Family::Services),
        _ => Err(Error::invalid("family", "is required: licenses, hwaas, classound, hardware or services")),
    }
}

fn family_out(s: &str) -> pb::ProductFamily {
    match s.parse::<Family>() {
        Ok(Family::Licenses) => pb::ProductFamily::Licenses,
        Ok(Family::Hwaas) => pb::ProductFamily::Hwaas,
        Ok(Family::Classound) => pb::ProductFamily::Classound,
        Ok(Family::Hardware) => pb::ProductFamily::Hardware,
        Ok(Family::Services) => pb::ProductFamily::Services,
        Err(_) => pb::ProductFamily::Unspecified,
    }
}

fn billing_in(v: i32) -> Result<Billing> {
    match pb::Billing::try_from(v) {
        Ok(pb::Billing::Monthly) => Ok(Billing::Monthly),
        Ok(pb::Billing::OneTime) => Ok(Billing::OneTime),
        _ => Err(Error::invalid("billing", "is required: monthly or one_time")),
    }
}

fn billing_out(s: &str) -> pb::Billing {
    match s.parse::<Billing>() {
        Ok(Billing::Monthly) => pb::Billing::Monthly,
        Ok(Billing::OneTime) => pb::Billing::OneTime,
        Err(_) => pb::Billing::Unspecified,
    }
}

fn status_in(v: i32) -> Result<QuoteStatus> {
    Ok(match pb::QuoteStatus::try_from(v) {
        Ok(pb::QuoteStatus::Draft) => QuoteStatus::Draft,
        Ok(pb::QuoteStatus::Presented) => QuoteStatus::Presented,
        Ok(pb::QuoteStatus::ContractSent) => QuoteStatus::ContractSent,
        Ok(pb::QuoteStatus::Accepted) => QuoteStatus::Accepted,
        Ok(pb::QuoteStatus::Rejected) => QuoteStatus::Rejected,
        Ok(pb::QuoteStatus::Expired) => QuoteStatus::Expired,
        _ => return Err(Error::invalid("status", "is required")),
    })
}

fn status_out(s: &str) -> pb::QuoteStatus {
    match s.parse::<QuoteStatus>() {
        Ok(QuoteStatus::Draft) => pb::QuoteStatus::Draft,
        Ok(QuoteStatus::Presented) => pb::QuoteStatus::Presented,
        Ok(QuoteStatus::ContractSent) => pb::QuoteStatus::ContractSent,
        Ok(QuoteStatus::Accepted) => pb::QuoteStatus::Accepted,
        Ok(QuoteStatus::Rejected) => pb::QuoteStatus::Rejected,
        Ok(QuoteStatus::Expired) => pb::QuoteStatus::Expired,
        Err(_) => pb::QuoteStatus::Unspecified,
    }
}

const SHIPPING_TYPES: &[&str] = &["end_user", "partner", "reseller"];

fn shipping_in(v: i32) -> Result<&'static str> {
    match pb::ShippingAddressType::try_from(v) {
        Ok(pb::ShippingAddressType::EndUser) | Ok(pb::ShippingAddressType::Unspecified) => Ok("end_user"),
        Ok(pb::ShippingAddressType::Partner) => Ok("partner"),
        Ok(pb::ShippingAddressType::Reseller) => Ok("reseller"),
        Err(_) => Err(Error::invalid("shipping_address_type", format!("unknown type {v}"))),
    }
}

fn shipping_out(s: &str) -> pb::ShippingAddressType {
    match s {
        "end_user" => pb::ShippingAddressType::EndUser,
        "partner" => pb::ShippingAddressType::Partner,
        "reseller" => pb::ShippingAddressType::Reseller,
        _ => pb::ShippingAddressType::Unspecified,
    }
}

/// An ISO date (`2026-12-31`), or empty for none.
fn expiry_in(s: &str) -> Result<String> {
    Ok(time::optional_date("expiry_date", s)?.map(|d| d.to_string()).unwrap_or_default())
}

fn product_out(p: &product::Model, prices: &[list_price::Model]) -> pb::Product {
    pb::Product {
        id: p.id.to_string(),
        sku: p.sku.clone(),
        name: p.name.clone(),
        family: family_out(&p.family) as i32,
        billing: billing_out(&p.billing) as i32,
        active: p.active,
        list_prices: prices.iter().map(|lp| money::units_to_proto(&lp.currency, lp.amount_units)).collect(),
        create_time: Some(time::to_proto(p.create_time)),
        update_time: Some(time::to_proto(p.update_time)),
    }
}

fn line_out(l: &quote_line::Model, currency: &str) -> pb::QuoteLine {
    pb::QuoteLine {
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

fn quote_out(q: &quote::Model, lines: &[quote_line::Model], caller: &Caller) -> pb::Quote {
    pb::Quote {
        moves: q
            .status
            .parse::<QuoteStatus>()
            .map(|s| s.moves_for(caller.may_edit(q.partner_id, q.owner_id)))
            .unwrap_or_default()
            .iter()
            .map(|to| status_out(to.as_str()) as i32)
            .collect(),
        id: q.id.to_string(),
        number: q.number.clone(),
        partner_id: q.partner_id.to_string(),
        owner_id: q.owner_id.to_string(),
        project_id: q.project_id.to_string(),
        account_id: q.account_id.to_string(),
        name: q.name.clone(),
        status: status_out(&q.status) as i32,
        expiry_date: q.expiry_date.clone(),
        currency_code: q.currency.clone(),
        shipping_address_type: shipping_out(&q.shipping_type) as i32,
        shipping_address: Some(Address {
            street: q.ship_street.clone(),
            city: q.ship_city.clone(),
            postal_code: q.ship_postal_code.clone(),
            region: q.ship_region.clone(),
            country: q.ship_country.clone(),
        }),
        lines: lines.iter().map(|l| line_out(l, &q.currency)).collect(),
        mrr: Some(money::units_to_proto(&q.currency, q.mrr_units)),
        one_time_total: Some(money::units_to_proto(&q.currency, q.one_time_units)),
        primary: q.is_primary,
        create_time: Some(time::to_proto(q.create_time)),
        update_time: Some(time::to_proto(q.update_time)),
    }
}

async fn lines_of<C: ConnectionTrait>(conn: &C, quote_id: Uuid) -> Result<Vec<quote_line::Model>> {
    Ok(quote_line::Entity::find()
        .filter(quote_line::Column::QuoteId.eq(quote_id))
        .order_by_asc(quote_line::Column::Id)
        .all(conn)
        .await?)
}

async fn prices_of<C: ConnectionTrait>(conn: &C, product_id: Uuid) -> Result<Vec<list_price::Model>> {
    Ok(list_price::Entity::find()
        .filter(list_price::Column::ProductId.eq(product_id))
        .order_by_asc(list_price::Column::Currency)
        .all(conn)
        .await?)
}

/// The event payload of a primary quote, for the project service.
fn event(q: &quote::Model) -> serde_json::Value {
    serde_json::json!({
        "quote_id": q.id,
        "project_id": q.project_id,
        "partner_id": q.partner_id,
        "primary": q.is_primary,
        "status": q.status,
        "currency_code": q.currency,
        "mrr": from_units(q.mrr_units).to_string(),
        "one_time_total": from_units(q.one_time_units).to_string(),
    })
}

pub const QUOTE_FIELDS: &[Field<quote::Column>] = &[
    Field { name: "number", column: quote::Column::Number, kind: FieldKind::Text },
    Field { name: "name", column: quote::Column::Name, kind: FieldKind::Text },
    Field { name: "status", column: quote::Column::Status, kind: FieldKind::Enum(QuoteStatus::NAMES) },
    Field { name: "project_id", column: quote::Column::ProjectId, kind: FieldKind::Uuid },
    Field { name: "account_id", column: quote::Column::AccountId, kind: FieldKind::Uuid },
    Field { name: "owner_id", column: quote::Column::OwnerId, kind: FieldKind::Uuid },
    Field { name: "currency_code", column: quote::Column::Currency, kind: FieldKind::Text },
    Field { name: "expiry_date", column: quote::Column::ExpiryDate, kind: FieldKind::Text },
    Field { name: "create_time", column: quote::Column::CreateTime, kind: FieldKind::Timestamp },
    Field { name: "update_time", column: quote::Column::UpdateTime, kind: FieldKind::Timestamp },
];

fn quote_sort_key(q: &quote::Model, field: &str) -> (SortValue, Uuid) {
    let v: SortValue = match field {
        "number" => q.number.as_str().into(),
        "name" => q.name.as_str().into(),
        "status" => q.status.as_str().into(),
        "project_id" => q.project_id.into(),
        "account_id" => q.account_id.into(),
        "owner_id" => q.owner_id.into(),
        "currency_code" => q.currency.as_str().into(),
        "expiry_date" => q.expiry_date.as_str().into(),
        "update_time" => q.update_time.into(),
        _ => q.create_time.into(),
    };
    (v, q.id)
}

const PRODUCT_FIELDS: &[Field<product::Column>] = &[
    Field { name: "sku", column: product::Column::Sku, kind: FieldKind::Text },
    Field { name: "name", column: product::Column::Name, kind: FieldKind::Text },
    Field { name: "family", column: product::Column::Family, kind: FieldKind::Enum(Family::NAMES) },
    Field { name: "billing", column: product::Column::Billing, kind: FieldKind::Enum(Billing::NAMES) },
    Field { name: "create_time", column: product::Column::CreateTime, kind: FieldKind::Timestamp },
];

fn product_sort_key(p: &product::Model, field: &str) -> (SortValue, Uuid) {
    let v: SortValue = match field {
        "sku" => p.sku.as_str().into(),
        "name" => p.name.as_str().into(),
        "family" => p.family.as_str().into(),
        "billing" => p.billing.as_str().into(),
        _ => p.create_time.into(),
    };
    (v, p.id)
}

impl QuoteApi {
    fn account_client(
        &self,
        caller: &Caller,
    ) -> Result<AccountServiceClient<tonic::service::interceptor::InterceptedService<Channel, CallerInterceptor>>> {
        Ok(AccountServiceClient::with_interceptor(self.accounts.clone(), CallerInterceptor::new(&self.key, caller)?))
    }

    /// The quote, its lines and its account, rendered as a PDF.
    async fn document(&self, caller: &Caller, id: Uuid) -> Result<(quote::Model, Vec<u8>)> {
        let q = owned::find::<quote::Entity, _>(&self.db, caller, id).await?;
        let lines = lines_of(&self.db, id).await?;
        let account = self.account_of(caller, q.account_id).await?;
        let amount = |units: i64| crate::document::amount(&q.currency, units);
        let billing = account.billing_address.unwrap_or_default();
        let mut customer = vec![account.name.clone()];
        customer.extend(address_lines(
            &billing.street,
            &billing.postal_code,
            &billing.city,
            &billing.region,
            &billing.country,
        ));
        if !account.vat_number.is_empty() {
            customer.push(format!("VAT {}", account.vat_number));
        }
        let doc = crate::document::QuoteDocument {
            vendor: self.vendor.clone(),
            number: q.number.clone(),
            title: q.name.clone(),
            date: time::now().date_naive().to_string(),
            expiry_date: q.expiry_date.clone(),
            currency: q.currency.clone(),
            customer,
            ship_to: address_lines(&q.ship_street, &q.ship_postal_code, &q.ship_city, &q.ship_region, &q.ship_country),
            lines: lines
                .iter()
                .map(|l| crate::document::DocumentLine {
                    sku: l.sku.clone(),
                    product: l.product_name.clone(),
                    quantity: crate::document::grouped(&l.quantity.to_string()),
                    unit_price: amount(l.unit_price_units),
                    discount_percent: from_units(l.discount_units).to_string(),
                    billing: l.billing.replace('_', "-"),
                    net: amount(l.net_units),
                })
                .collect(),
            mrr: format!("{} {}", amount(q.mrr_units), q.currency),
            one_time_total: format!("{} {}", amount(q.one_time_units), q.currency),
        };
        let pdf = crate::document::render(&doc).map_err(Error::Internal)?;
        Ok((q, pdf))
    }

    /// The quote's account as the caller sees it (NOT_FOUND otherwise).
    async fn account_of(&self, caller: &Caller, account_id: Uuid) -> Result<prm_proto::account::v1::Account> {
        let mut client =
            AccountServiceClient::with_interceptor(self.accounts.clone(), CallerInterceptor::new(&self.key, caller)?);
        match client.get_account(GetAccountRequest { id: account_id.to_string() }).await {
            Ok(r) => r.into_inner().account.ok_or(Error::NotFound),
            Err(s) if s.code() == tonic::Code::NotFound => {
                Err(Error::invalid("account_id", "names no account you can see"))
            }
            Err(s) => Err(Error::Internal(anyhow::anyhow!("account service: {s}"))),
        }
    }

    /// The discount of the caller's partner: its own, else its tier's, else none.
    async fn partner_discount<C: ConnectionTrait>(
        &self,
        conn: &C,
        partner_id: Uuid,
        tier: Option<&str>,
    ) -> Result<Decimal> {
        let mut scopes = vec![format!("partner:{partner_id}")];
        scopes.extend(tier.map(|t| format!("tier:{t}")));
        let rows = partner_discount::Entity::find()
            .filter(partner_discount::Column::Scope.is_in(scopes.clone()))
            .all(conn)
            .await?;
        Ok(scopes
            .iter()
            .find_map(|s| rows.iter().find(|r| &r.scope == s))
            .map(|r| from_units(r.percent_units))
            .unwrap_or_default())
    }

    /// Opens the transaction of a change to a quote the caller may edit.
    async fn begin_edit(&self, caller: &Caller, id: Uuid) -> Result<(DatabaseTransaction, quote::Model)> {
        let txn = prm_kit::db::begin_write(&self.db).await?;
        let q = owned::find_for_update::<quote::Entity, _>(&txn, caller, id).await?;
        if !caller.may_edit(q.partner_id, q.owner_id) {
            return Err(Error::PermissionDenied(format!("a {} may not change this quote", caller.role)));
        }
        Ok((txn, q))
    }

    /// Recomputes the totals from the lines, saves the quote, and publishes
    /// the new MRR when this is the primary quote and it changed.
    async fn save_totals(
        &self,
        txn: &DatabaseTransaction,
        q: quote::Model,
    ) -> Result<(quote::Model, Vec<quote_line::Model>)> {
        let lines = lines_of(txn, q.id).await?;
        let t = totals(lines.iter().map(|l| LineAmounts {
            billing: l.billing.parse().unwrap_or(Billing::Monthly),
            net: from_units(l.net_units),
        }));
        let (mrr, one_time) = (to_units("mrr", t.mrr)?, to_units("one_time_total", t.one_time)?);
        let changed = mrr != q.mrr_units || one_time != q.one_time_units;
        let mut next = q.clone().into_active_model();
        next.mrr_units = Set(mrr);
        next.one_time_units = Set(one_time);
        next.update_time = Set(time::now());
        let next = next.update(txn).await?;
        if changed && next.is_primary {
            outbox::enqueue(txn, "quote.primary_mrr_changed", next.id, &event(&next)).await?;
        }
        Ok((next, lines))
    }
}

#[tonic::async_trait]
impl QuoteService for QuoteApi {
    #[tracing::instrument(skip_all)]
    async fn create_product(&self, req: Request<pb::CreateProductRequest>) -> Reply<pb::CreateProductResponse> {
        let caller = Caller::of(&req)?;
        require_vendor(&caller)?;
        let p = req.into_inner().product.ok_or_else(|| Error::invalid("product", "is required"))?;
        let sku = Sku::parse("sku", &p.sku)?;
        let name = required_line("name", &p.name, 255)?;
        let (family, billing) = (family_in(p.family)?, billing_in(p.billing)?);
        if product::Entity::find()
            .filter(product::Column::Sku.eq(sku.as_str()))
            .one(&self.db)
            .await
            .map_err(Error::from)?
            .is_some()
        {
            return Err(Error::AlreadyExists(format!("a product with SKU {} exists", sku.as_str())).into());
        }
        let now = time::now();
        let m = product::ActiveModel {
            id: Set(Uuid::now_v7()),
            sku: Set(sku.as_str().to_string()),
            name: Set(name),
            family: Set(family.to_string()),
            billing: Set(billing.to_string()),
            active: Set(true),
            create_time: Set(now),
            update_time: Set(now),
        }
        .insert(&self.db)
        .await
        .map_err(Error::from)?;
        Ok(Response::new(pb::CreateProductResponse { product: Some(product_out(&m, &[])) }))
    }

    #[tracing::instrument(skip_all)]
    async fn get_product(&self, req: Request<pb::GetProductRequest>) -> Reply<pb::GetProductResponse> {
        Caller::of(&req)?;
        let id = parse_id(&req.get_ref().id, "id")?;
        let p = product::Entity::find_by_id(id).one(&self.db).await.map_err(Error::from)?.ok_or(Error::NotFound)?;
        let prices = prices_of(&self.db, id).await?;
        Ok(Response::new(pb::GetProductResponse { product: Some(product_out(&p, &prices)) }))
    }

    #[tracing::instrument(skip_all)]
    async fn list_products(&self, req: Request<pb::ListProductsRequest>) -> Reply<pb::ListProductsResponse> {
        Caller::of(&req)?;
        let r = req.get_ref();
        let listing = Listing::parse(
            ListParams { page_size: r.page_size, page_token: &r.page_token, filter: &r.filter, order_by: &r.order_by },
            PRODUCT_FIELDS,
            product::Column::Id,
            "sku",
        )?;
        let rows = listing.apply(product::Entity::find()).all(&self.db).await.map_err(Error::from)?;
        let (rows, next_page_token) = listing.page(rows, product_sort_key);
        let ids: Vec<Uuid> = rows.iter().map(|p| p.id).collect();
        let prices = list_price::Entity::find()
            .filter(list_price::Column::ProductId.is_in(ids))
            .order_by_asc(list_price::Column::Currency)
            .all(&self.db)
            .await
            .map_err(Error::from)?;
        let mut by_product: HashMap<Uuid, Vec<list_price::Model>> = HashMap::new();
        for lp in prices {
            by_product.entry(lp.product_id).or_default().push(lp);
        }
        let products =
            rows.iter().map(|p| product_out(p, by_product.get(&p.id).map_or(&[][..], Vec::as_slice))).collect();
        Ok(Response::new(pb::ListProductsResponse { products, next_page_token }))
    }

    #[tracing::instrument(skip_all)]
    async fn update_product(&self, req: Request<pb::UpdateProductRequest>) -> Reply<pb::UpdateProductResponse> {
        let caller = Caller::of(&req)?;
        require_vendor(&caller)?;
        let r = req.into_inner();
        let p = r.product.ok_or_else(|| Error::invalid("product", "is required"))?;
        let id = parse_id(&p.id, "id")?;
        let mask = r.update_mask.map(|m| m.paths).unwrap_or_default();
        if mask.is_empty() {
            return Err(Error::invalid("update_mask", "names no field").into());
        }
        let current =
            product::Entity::find_by_id(id).one(&self.db).await.map_err(Error::from)?.ok_or(Error::NotFound)?;
        let mut next = current.into_active_model();
        for path in &mask {
            match path.as_str() {
                "name" => next.name = Set(required_line("name", &p.name, 255)?),
                "family" => next.family = Set(family_in(p.family)?.to_string()),
                "billing" => next.billing = Set(billing_in(p.billing)?.to_string()),
                "active" => next.active = Set(p.active),
                other => {
                    return Err(
                        Error::invalid("update_mask", format!("`{other}` is not a field that can be updated")).into()
                    );
                }
            }
        }
        next.update_time = Set(time::now());
        let m = next.update(&self.db).await.map_err(Error::from)?;
        let prices = prices_of(&self.db, id).await?;
        Ok(Response::new(pb::UpdateProductResponse { product: Some(product_out(&m, &prices)) }))
    }

    #[tracing::instrument(skip_all)]
    async fn set_list_price(&self, req: Request<pb::SetListPriceRequest>) -> Reply<pb::SetListPriceResponse> {
        let caller = Caller::of(&req)?;
        require_vendor(&caller)?;
        let r = req.into_inner();
        let id = parse_id(&r.product_id, "product_id")?;
        let price = money::Money::parse("price", r.price.as_ref())?;
        if price.amount.is_sign_negative() {
            return Err(Error::invalid("price.amount", "must not be negative").into());
        }
        let p = product::Entity::find_by_id(id).one(&self.db).await.map_err(Error::from)?.ok_or(Error::NotFound)?;
        let row = list_price::ActiveModel {
            product_id: Set(id),
            currency: Set(price.currency.as_str().to_string()),
            amount_units: Set(to_units("price.amount", price.amount)?),
        };
        list_price::Entity::insert(row)
            .on_conflict(
                sea_orm::sea_query::OnConflict::columns([list_price::Column::ProductId, list_price::Column::Currency])
                    .update_column(list_price::Column::AmountUnits)
                    .to_owned(),
            )
            .exec(&self.db)
            .await
            .map_err(Error::from)?;
        let prices = prices_of(&self.db, id).await?;
        Ok(Response::new(pb::SetListPriceResponse { product: Some(product_out(&p, &prices)) }))
    }

    #[tracing::instrument(skip_all)]
    async fn set_partner_discount(
        &self,
        req: Request<pb::SetPartnerDiscountRequest>,
    ) -> Reply<pb::SetPartnerDiscountResponse> {
        let caller = Caller::of(&req)?;
        require_vendor(&caller)?;
        let d = req.into_inner().discount.ok_or_else(|| Error::invalid("discount", "is required"))?;
        let scope = match (d.partner_id.trim(), d.tier.trim()) {
            (p, "") if !p.is_empty() => format!("partner:{}", parse_id(p, "discount.partner_id")?),
            ("", t) if !t.is_empty() && t.len() <= 64 => format!("tier:{t}"),
            _ => {
                return Err(Error::invalid("discount", "names exactly one of partner_id and tier").into());
            }
        };
        let pct = Discount::parse("discount.percent", &d.percent)?;
        let row = partner_discount::ActiveModel {
            scope: Set(scope),
            percent_units: Set(to_units("discount.percent", pct.percent())?),
            update_time: Set(time::now()),
        };
        partner_discount::Entity::insert(row)
            .on_conflict(
                sea_orm::sea_query::OnConflict::column(partner_discount::Column::Scope)
                    .update_columns([partner_discount::Column::PercentUnits, partner_discount::Column::UpdateTime])
                    .to_owned(),
            )
            .exec(&self.db)
            .await
            .map_err(Error::from)?;
        Ok(Response::new(pb::SetPartnerDiscountResponse {
            discount: Some(pb::PartnerDiscount { percent: pct.percent().to_string(), ..d }),
        }))
    }

    #[tracing::instrument(skip_all)]
    async fn list_partner_discounts(
        &self,
        req: Request<pb::ListPartnerDiscountsRequest>,
    ) -> Reply<pb::ListPartnerDiscountsResponse> {
        let caller = Caller::of(&req)?;
        let rows = partner_discount::Entity::find()
            .order_by_asc(partner_discount::Column::Scope)
            .all(&self.db)
            .await
            .map_err(Error::from)?;
        // Partners see their own discount and their tier's; account managers
        // every tier's and their assigned partners'; vendor admins and ops all.
        let own = caller.partner_id.map(|p| format!("partner:{p}"));
        let tier = caller.partner_tier.as_ref().map(|t| format!("tier:{t}"));
        let sees = |scope: &str| match caller.role {
            Role::VendorAdmin | Role::Ops => true,
            Role::AccountManager => {
                scope.starts_with("tier:") || caller.assigned_partners.iter().any(|p| scope == format!("partner:{p}"))
            }
            _ => Some(scope) == own.as_deref() || Some(scope) == tier.as_deref(),
        };
        let discounts = rows
            .iter()
            .filter(|r| sees(&r.scope))
            .map(|r| {
                let (kind, value) = r.scope.split_once(':').unwrap_or(("", ""));
                pb::PartnerDiscount {
                    partner_id: if kind == "partner" { value.to_string() } else { String::new() },
                    tier: if kind == "tier" { value.to_string() } else { String::new() },
                    percent: from_units(r.percent_units).to_string(),
                }
            })
            .collect();
        Ok(Response::new(pb::ListPartnerDiscountsResponse { discounts }))
    }

    #[tracing::instrument(skip_all)]
    async fn set_weighted_average_prices(
        &self,
        req: Request<pb::SetWeightedAveragePricesRequest>,
    ) -> Reply<pb::SetWeightedAveragePricesResponse> {
        let caller = Caller::of(&req)?;
        require_vendor(&caller)?;
        let p = req.into_inner().prices.ok_or_else(|| Error::invalid("prices", "is required"))?;
        let currency = Currency::parse("prices.currency_code", &p.currency_code)?;
        let amount = |field: &str, s: &str| -> Result<i64> {
            let d = money::parse_amount(field, s)?;
            if d.is_sign_negative() {
                return Err(Error::invalid(field, "must not be negative"));
            }
            to_units(field, d)
        };
        let now = time::now();
        let txn = prm_kit::db::begin_write(&self.db).await.map_err(Error::from)?;
        let row = wap::ActiveModel {
            currency: Set(currency.as_str().to_string()),
            licenses_units: Set(amount("prices.licenses", &p.licenses)?),
            hwaas_units: Set(amount("prices.hwaas", &p.hwaas)?),
            classound_units: Set(amount("prices.classound", &p.classound)?),
            update_time: Set(now),
        };
        wap::Entity::insert(row)
            .on_conflict(
                sea_orm::sea_query::OnConflict::column(wap::Column::Currency)
                    .update_columns([
                        wap::Column::LicensesUnits,
                        wap::Column::HwaasUnits,
                        wap::Column::ClassoundUnits,
                        wap::Column::UpdateTime,
                    ])
                    .to_owned(),
            )
            .exec(&txn)
            .await
            .map_err(Error::from)?;
        let w = wap::Entity::find_by_id(currency.as_str().to_string())
            .one(&txn)
            .await
            .map_err(Error::from)?
            .ok_or(Error::NotFound)?;
        // Expected MRR of every project in this currency depends on them.
        let changed = serde_json::json!({ "currency_code": w.currency });
        outbox::enqueue(&txn, "quote.waps_changed", Uuid::nil(), &changed).await?;
        txn.commit().await.map_err(Error::from)?;
        Ok(Response::new(pb::SetWeightedAveragePricesResponse { prices: Some(wap_out(&w)) }))
    }

    #[tracing::instrument(skip_all)]
    async fn get_weighted_average_prices(
        &self,
        req: Request<pb::GetWeightedAveragePricesRequest>,
    ) -> Reply<pb::GetWeightedAveragePricesResponse> {
        Caller::of(&req)?;
        let currency = Currency::parse("currency_code", &req.get_ref().currency_code)?;
        let w = wap::Entity::find_by_id(currency.as_str().to_string())
            .one(&self.db)
            .await
            .map_err(Error::from)?
            .ok_or(Error::NotFound)?;
        Ok(Response::new(pb::GetWeightedAveragePricesResponse { prices: Some(wap_out(&w)) }))
    }

    #[tracing::instrument(skip_all)]
    async fn create_quote(&self, req: Request<pb::CreateQuoteRequest>) -> Reply<pb::CreateQuoteResponse> {
        let caller = Caller::of(&req)?;
        let q = req.into_inner().quote.ok_or_else(|| Error::invalid("quote", "is required"))?;
        let name = required_line("name", &q.name, 255)?;
        let project_id = parse_id(&q.project_id, "project_id")?;
        let account_id = parse_id(&q.account_id, "account_id")?;
        let currency = Currency::parse("currency_code", &q.currency_code)?;
        let expiry = expiry_in(&q.expiry_date)?;
        let shipping = shipping_in(q.shipping_address_type)?;
        let partner_id = caller.creating_partner()?;
        // The project must be one of the caller's partner, and the quote is
        // for that project's account.
        let project = self.references.check(&caller, RecordType::Project, project_id, partner_id, "project_id").await?;
        if project.account_id != Some(account_id) {
            return Err(Error::invalid("account_id", "is not the account of the project").into());
        }
        let account = self.account_of(&caller, account_id).await?;
        if account.partner_id != partner_id.to_string() {
            return Err(Error::invalid("account_id", "names no account of your partner").into());
        }
        let ship = shipping_address(shipping, &account, q.shipping_address.as_ref())?;
        let now = time::now();
        let txn = prm_kit::db::begin_write(&self.db).await.map_err(Error::from)?;
        let count = crate::store::next_quote_count(&txn).await?;
        let m = quote::ActiveModel {
            id: Set(Uuid::now_v7()),
            number: Set(quote_number(count)),
            partner_id: Set(partner_id),
            owner_id: Set(caller.user_id),
            project_id: Set(project_id),
            account_id: Set(account_id),
            name: Set(name),
            status: Set(QuoteStatus::Draft.to_string()),
            expiry_date: Set(expiry),
            currency: Set(currency.as_str().to_string()),
            shipping_type: Set(shipping.to_string()),
            ship_street: Set(ship.street),
            ship_city: Set(ship.city),
            ship_postal_code: Set(ship.postal_code),
            ship_region: Set(ship.region),
            ship_country: Set(ship.country),
            mrr_units: Set(0),
            one_time_units: Set(0),
            is_primary: Set(false),
            create_time: Set(now),
            update_time: Set(now),
        };
        let m = m.insert(&txn).await.map_err(Error::from)?;
        crate::store::index(&txn, &m).await?;
        txn.commit().await.map_err(Error::from)?;
        // A project deleted meanwhile takes the new quote with it.
        let (db, id) = (self.db.clone(), m.id);
        self.references
            .confirm(&caller, RecordType::Project, project_id, partner_id, "project_id", move || async move {
                owned::remove_new::<quote::Entity>(&db, id).await
            })
            .await?;
        Ok(Response::new(pb::CreateQuoteResponse { quote: Some(quote_out(&m, &[], &caller)) }))
    }

    #[tracing::instrument(skip_all, fields(id = %req.get_ref().id))]
    async fn get_quote(&self, req: Request<pb::GetQuoteRequest>) -> Reply<pb::GetQuoteResponse> {
        let caller = Caller::of(&req)?;
        let id = parse_id(&req.get_ref().id, "id")?;
        let q = owned::find::<quote::Entity, _>(&self.db, &caller, id).await?;
        let lines = lines_of(&self.db, id).await?;
        Ok(Response::new(pb::GetQuoteResponse { quote: Some(quote_out(&q, &lines, &caller)) }))
    }

    #[tracing::instrument(skip_all)]
    async fn list_quotes(&self, req: Request<pb::ListQuotesRequest>) -> Reply<pb::ListQuotesResponse> {
        let caller = Caller::of(&req)?;
        let r = req.get_ref();
        let listing = Listing::parse(
            ListParams { page_size: r.page_size, page_token: &r.page_token, filter: &r.filter, order_by: &r.order_by },
            QUOTE_FIELDS,
            quote::Column::Id,
            "create_time desc",
        )?;
        let rows = listing.apply(owned::visible::<quote::Entity>(&caller)).all(&self.db).await.map_err(Error::from)?;
        let (rows, next_page_token) = listing.page(rows, quote_sort_key);
        let ids: Vec<Uuid> = rows.iter().map(|q| q.id).collect();
        let lines = quote_line::Entity::find()
            .filter(quote_line::Column::QuoteId.is_in(ids))
            .order_by_asc(quote_line::Column::Id)
            .all(&self.db)
            .await
            .map_err(Error::from)?;
        let mut by_quote: HashMap<Uuid, Vec<quote_line::Model>> = HashMap::new();
        for l in lines {
            by_quote.entry(l.quote_id).or_default().push(l);
        }
        let quotes =
            rows.iter().map(|q| quote_out(q, by_quote.get(&q.id).map_or(&[][..], Vec::as_slice), &caller)).collect();
        Ok(Response::new(pb::ListQuotesResponse { quotes, next_page_token }))
    }

    #[tracing::instrument(skip_all)]
    async fn update_quote(&self, req: Request<pb::UpdateQuoteRequest>) -> Reply<pb::UpdateQuoteResponse> {
        let caller = Caller::of(&req)?;
        let r = req.into_inner();
        let p = r.quote.ok_or_else(|| Error::invalid("quote", "is required"))?;
        let id = parse_id(&p.id, "id")?;
        let mask = r.update_mask.map(|m| m.paths).unwrap_or_default();
        if mask.is_empty() {
            return Err(Error::invalid("update_mask", "names no field").into());
        }
        let (txn, current) = self.begin_edit(&caller, id).await?;
        let status: QuoteStatus = current.status.parse().unwrap_or(QuoteStatus::Draft);
        if status.next().is_empty() {
            return Err(Error::FailedPrecondition(format!("a {status} quote cannot be changed")).into());
        }
        let mut next = current.clone();
        for path in &mask {
            match path.as_str() {
                "name" => next.name = required_line("name", &p.name, 255)?,
                "expiry_date" => next.expiry_date = expiry_in(&p.expiry_date)?,
                "shipping_address_type" => {
                    let t = shipping_in(p.shipping_address_type)?;
                    let account = self.account_of(&caller, current.account_id).await?;
                    let a = shipping_address(t, &account, p.shipping_address.as_ref())?;
                    next.shipping_type = t.to_string();
                    (next.ship_street, next.ship_city, next.ship_postal_code, next.ship_region, next.ship_country) =
                        (a.street, a.city, a.postal_code, a.region, a.country);
                }
                other => {
                    return Err(
                        Error::invalid("update_mask", format!("`{other}` is not a field that can be updated")).into()
                    );
                }
            }
        }
        let changes = record::diff(&[
            ("name", current.name.clone(), next.name.clone()),
            ("expiry_date", current.expiry_date.clone(), next.expiry_date.clone()),
            ("shipping_address_type", current.shipping_type.clone(), next.shipping_type.clone()),
        ]);
        next.update_time = time::now();
        let next = next.into_active_model().reset_all().update(&txn).await.map_err(Error::from)?;
        crate::store::index(&txn, &next).await?;
        record::write_history(&txn, RecordType::Quote, id, next.partner_id, caller.user_id, &changes).await?;
        let lines = lines_of(&txn, id).await?;
        txn.commit().await.map_err(Error::from)?;
        Ok(Response::new(pb::UpdateQuoteResponse { quote: Some(quote_out(&next, &lines, &caller)) }))
    }

    #[tracing::instrument(skip_all, fields(id = %req.get_ref().id))]
    async fn delete_quote(&self, req: Request<pb::DeleteQuoteRequest>) -> Reply<pb::DeleteQuoteResponse> {
        let caller = Caller::of(&req)?;
        let id = parse_id(&req.get_ref().id, "id")?;
        let (txn, q) = self.begin_edit(&caller, id).await?;
        if q.status != QuoteStatus::Draft.as_str() {
            return Err(Error::FailedPrecondition("only a draft quote can be deleted".into()).into());
        }
        if q.is_primary {
            let gone = quote::Model { is_primary: false, mrr_units: 0, one_time_units: 0, ..q.clone() };
            outbox::enqueue(&txn, "quote.primary_changed", q.id, &event(&gone)).await?;
        }
        quote_line::Entity::delete_many()
            .filter(quote_line::Column::QuoteId.eq(id))
            .exec(&txn)
            .await
            .map_err(Error::from)?;
        record::delete_features(&txn, RecordType::Quote, id).await?;
        quote::Entity::delete_by_id(id).exec(&txn).await.map_err(Error::from)?;
        txn.commit().await.map_err(Error::from)?;
        Ok(Response::new(pb::DeleteQuoteResponse {}))
    }

    #[tracing::instrument(skip_all)]
    async fn add_quote_line(&self, req: Request<pb::AddQuoteLineRequest>) -> Reply<pb::AddQuoteLineResponse> {
        let caller = Caller::of(&req)?;
        let r = req.into_inner();
        let id = parse_id(&r.quote_id, "quote_id")?;
        let line = r.line.ok_or_else(|| Error::invalid("line", "is required"))?;
        let product_id = parse_id(&line.product_id, "line.product_id")?;
        let quantity = Quantity::parse("line.quantity", line.quantity)?;
        if !line.discount_percent.trim().is_empty() {
            return Err(Error::invalid("line.discount_percent", DISCOUNT_IS_THE_VENDORS).into());
        }
        let (txn, q) = self.begin_edit(&caller, id).await?;
        editable(&q)?;
        let p = product::Entity::find_by_id(product_id)
            .one(&txn)
            .await
            .map_err(Error::from)?
            .filter(|p| p.active)
            .ok_or_else(|| Error::invalid("line.product_id", "names no active product"))?;
        let price = list_price::Entity::find_by_id((product_id, q.currency.clone()))
            .one(&txn)
            .await
            .map_err(Error::from)?
            .ok_or_else(|| {
                Error::invalid("line.product_id", format!("{} has no list price in {}", p.sku, q.currency))
            })?;
        let discount = Discount::from_decimal(
            "line.discount_percent",
            self.partner_discount(&txn, q.partner_id, caller.partner_tier.as_deref()).await?,
        )?;
        let unit_price = from_units(price.amount_units);
        let net = line_net(quantity, unit_price, discount, currency_of(&q)?);
        quote_line::ActiveModel {
            id: Set(Uuid::now_v7()),
            quote_id: Set(id),
            product_id: Set(product_id),
            sku: Set(p.sku.clone()),
            product_name: Set(p.name.clone()),
            quantity: Set(quantity.get()),
            unit_price_units: Set(price.amount_units),
            discount_units: Set(to_units("line.discount_percent", discount.percent())?),
            billing: Set(p.billing.clone()),
            net_units: Set(to_units("line.net_amount", net)?),
        }
        .insert(&txn)
        .await
        .map_err(Error::from)?;
        let (q, lines) = self.save_totals(&txn, q).await?;
        txn.commit().await.map_err(Error::from)?;
        Ok(Response::new(pb::AddQuoteLineResponse { quote: Some(quote_out(&q, &lines, &caller)) }))
    }

    #[tracing::instrument(skip_all)]
    async fn update_quote_line(&self, req: Request<pb::UpdateQuoteLineRequest>) -> Reply<pb::UpdateQuoteLineResponse> {
        let caller = Caller::of(&req)?;
        let r = req.into_inner();
        let id = parse_id(&r.quote_id, "quote_id")?;
        let line = r.line.ok_or_else(|| Error::invalid("line", "is required"))?;
        let line_id = parse_id(&line.id, "line.id")?;
        let mask = r.update_mask.map(|m| m.paths).unwrap_or_default();
        if mask.is_empty() {
            return Err(Error::invalid("update_mask", "names no field").into());
        }
        // Partners change quantities; the discount is the vendor's, and only a
        // vendor admin overrides it (alone, so the override is all the change).
        let overrides = mask.iter().any(|p| p == "discount_percent");
        let (txn, q) = if overrides {
            if caller.role != Role::VendorAdmin {
                return Err(Error::invalid("line.discount_percent", DISCOUNT_IS_THE_VENDORS).into());
            }
            if mask.len() > 1 {
                return Err(Error::invalid("update_mask", "a discount override changes the discount alone").into());
            }
            let txn = prm_kit::db::begin_write(&self.db).await.map_err(Error::from)?;
            let q = owned::find_for_update::<quote::Entity, _>(&txn, &caller, id).await?;
            (txn, q)
        } else {
            self.begin_edit(&caller, id).await?
        };
        editable(&q)?;
        let current = quote_line::Entity::find_by_id(line_id)
            .filter(quote_line::Column::QuoteId.eq(id))
            .one(&txn)
            .await
            .map_err(Error::from)?
            .ok_or(Error::NotFound)?;
        let mut quantity = Quantity::parse("line.quantity", current.quantity)?;
        let was = Discount::from_decimal("line.discount_percent", from_units(current.discount_units))?;
        let mut discount = was;
        for path in &mask {
            match path.as_str() {
                "quantity" => quantity = Quantity::parse("line.quantity", line.quantity)?,
                "discount_percent" => discount = Discount::parse("line.discount_percent", &line.discount_percent)?,
                other => {
                    return Err(
                        Error::invalid("update_mask", format!("`{other}` is not a field that can be updated")).into()
                    );
                }
            }
        }
        let net = line_net(quantity, from_units(current.unit_price_units), discount, currency_of(&q)?);
        if overrides {
            let changes = record::diff(&[was.override_change(&current.sku, discount)]);
            record::write_history(&txn, RecordType::Quote, id, q.partner_id, caller.user_id, &changes).await?;
        }
        let mut next = current.into_active_model();
        next.quantity = Set(quantity.get());
        next.discount_units = Set(to_units("line.discount_percent", discount.percent())?);
        next.net_units = Set(to_units("line.net_amount", net)?);
        next.update(&txn).await.map_err(Error::from)?;
        let (q, lines) = self.save_totals(&txn, q).await?;
        txn.commit().await.map_err(Error::from)?;
        Ok(Response::new(pb::UpdateQuoteLineResponse { quote: Some(quote_out(&q, &lines, &caller)) }))
    }

    #[tracing::instrument(skip_all)]
    async fn remove_quote_line(&self, req: Request<pb::RemoveQuoteLineRequest>) -> Reply<pb::RemoveQuoteLineResponse> {
        let caller = Caller::of(&req)?;
        let id = parse_id(&req.get_ref().quote_id, "quote_id")?;
        let line_id = parse_id(&req.get_ref().line_id, "line_id")?;
        let (txn, q) = self.begin_edit(&caller, id).await?;
        editable(&q)?;
        let removed = quote_line::Entity::delete_many()
            .filter(quote_line::Column::Id.eq(line_id))
            .filter(quote_line::Column::QuoteId.eq(id))
            .exec(&txn)
            .await
            .map_err(Error::from)?;
        if removed.rows_affected == 0 {
            return Err(Error::NotFound.into());
        }
        let (q, lines) = self.save_totals(&txn, q).await?;
        txn.commit().await.map_err(Error::from)?;
        Ok(Response::new(pb::RemoveQuoteLineResponse { quote: Some(quote_out(&q, &lines, &caller)) }))
    }

    #[tracing::instrument(skip_all, fields(id = %req.get_ref().id))]
    async fn transition_quote(&self, req: Request<pb::TransitionQuoteRequest>) -> Reply<pb::TransitionQuoteResponse> {
        let caller = Caller::of(&req)?;
        let id = parse_id(&req.get_ref().id, "id")?;
        let to = status_in(req.get_ref().status)?;
        let (txn, q) = self.begin_edit(&caller, id).await?;
        let from = QuoteStatus::from_str(&q.status).unwrap_or(QuoteStatus::Draft);
        from.move_to(to)?;
        let mut next = q.clone().into_active_model();
        next.status = Set(to.to_string());
        next.update_time = Set(time::now());
        let next = next.update(&txn).await.map_err(Error::from)?;
        crate::store::index(&txn, &next).await?;
        let changes = record::diff(&[("status", from.to_string(), to.to_string())]);
        record::write_history(&txn, RecordType::Quote, id, next.partner_id, caller.user_id, &changes).await?;
        if next.is_primary {
            let topic = match to {
                QuoteStatus::ContractSent => Some("quote.contract_sent"),
                QuoteStatus::Accepted => Some("quote.accepted"),
                _ => None,
            };
            if let Some(topic) = topic {
                outbox::enqueue(&txn, topic, next.id, &event(&next)).await?;
            }
        }
        let lines = lines_of(&txn, id).await?;
        txn.commit().await.map_err(Error::from)?;
        Ok(Response::new(pb::TransitionQuoteResponse { quote: Some(quote_out(&next, &lines, &caller)) }))
    }

    #[tracing::instrument(skip_all, fields(id = %req.get_ref().id))]
    async fn set_primary_quote(&self, req: Request<pb::SetPrimaryQuoteRequest>) -> Reply<pb::SetPrimaryQuoteResponse> {
        let caller = Caller::of(&req)?;
        let id = parse_id(&req.get_ref().id, "id")?;
        let project_id = owned::find::<quote::Entity, _>(&self.db, &caller, id).await?.project_id;
        let txn = prm_kit::db::begin_write(&self.db).await.map_err(Error::from)?;
        // Lock every quote of the project, in id order, so concurrent calls
        // serialize here without deadlocking.
        let mut siblings = owned::visible::<quote::Entity>(&caller)
            .filter(quote::Column::ProjectId.eq(project_id))
            .order_by_asc(quote::Column::Id);
        if txn.get_database_backend() == sea_orm::DbBackend::Postgres {
            siblings = sea_orm::QuerySelect::lock_exclusive(siblings);
        }
        let siblings = siblings.all(&txn).await.map_err(Error::from)?;
        let q = siblings.iter().find(|s| s.id == id).cloned().ok_or(Error::NotFound)?;
        if !caller.may_edit(q.partner_id, q.owner_id) {
            return Err(Error::PermissionDenied(format!("a {} may not change this quote", caller.role)).into());
        }
        if q.is_primary {
            let lines = lines_of(&txn, id).await?;
            return Ok(Response::new(pb::SetPrimaryQuoteResponse { quote: Some(quote_out(&q, &lines, &caller)) }));
        }
        for s in siblings.iter().filter(|s| s.is_primary && s.id != id && s.partner_id == q.partner_id) {
            let mut prev = s.clone().into_active_model();
            prev.is_primary = Set(false);
            prev.update_time = Set(time::now());
            prev.update(&txn).await.map_err(Error::from)?;
            let changes = record::diff(&[("primary", "true".into(), "false".into())]);
            record::write_history(&txn, RecordType::Quote, s.id, s.partner_id, caller.user_id, &changes).await?;
        }
        let mut next = q.into_active_model();
        next.is_primary = Set(true);
        next.update_time = Set(time::now());
        let next = next.update(&txn).await.map_err(|e| match e.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
                Error::Aborted("another quote became primary at the same time; retry".into())
            }
            _ => Error::from(e),
        })?;
        let changes = record::diff(&[("primary", "false".into(), "true".into())]);
        record::write_history(&txn, RecordType::Quote, id, next.partner_id, caller.user_id, &changes).await?;
        outbox::enqueue(&txn, "quote.primary_changed", next.id, &event(&next)).await?;
        let lines = lines_of(&txn, id).await?;
        txn.commit().await.map_err(|e| match e.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
                Error::Aborted("another quote became primary at the same time; retry".into())
            }
            _ => Error::from(e),
        })?;
        Ok(Response::new(pb::SetPrimaryQuoteResponse { quote: Some(quote_out(&next, &lines, &caller)) }))
    }

    #[tracing::instrument(skip_all)]
    async fn get_primary_quote(&self, req: Request<pb::GetPrimaryQuoteRequest>) -> Reply<pb::GetPrimaryQuoteResponse> {
        let caller = Caller::of(&req)?;
        let project_id = parse_id(&req.get_ref().project_id, "project_id")?;
        let q = owned::visible::<quote::Entity>(&caller)
            .filter(quote::Column::ProjectId.eq(project_id))
            .filter(quote::Column::IsPrimary.eq(true))
            .one(&self.db)
            .await
            .map_err(Error::from)?;
        let quote = match q {
            Some(q) => Some(quote_out(&q, &lines_of(&self.db, q.id).await?, &caller)),
            None => None,
        };
        Ok(Response::new(pb::GetPrimaryQuoteResponse { quote }))
    }

    #[tracing::instrument(skip_all, fields(id = %req.get_ref().id))]
    async fn get_quote_document(
        &self,
        req: Request<pb::GetQuoteDocumentRequest>,
    ) -> Reply<pb::GetQuoteDocumentResponse> {
        let caller = Caller::of(&req)?;
        let id = parse_id(&req.get_ref().id, "id")?;
        let (q, content) = self.document(&caller, id).await?;
        Ok(Response::new(pb::GetQuoteDocumentResponse {
            file_name: file_name(&q),
            content_type: "application/pdf".into(),
            content,
        }))
    }

    #[tracing::instrument(skip_all, fields(id = %req.get_ref().id))]
    async fn send_quote(&self, req: Request<pb::SendQuoteRequest>) -> Reply<pb::SendQuoteResponse> {
        let caller = Caller::of(&req)?;
        let r = req.into_inner();
        let id = parse_id(&r.id, "id")?;
        let contact_id = parse_id(&r.contact_id, "contact_id")?;
        let note = prm_kit::text::paragraph("message", &r.message, 4000)?;
        let q = owned::find::<quote::Entity, _>(&self.db, &caller, id).await?;
        if !caller.may_edit(q.partner_id, q.owner_id) {
            return Err(Error::PermissionDenied(format!("a {} may not send this quote", caller.role)).into());
        }
        let contact =
            match self.account_client(&caller)?.get_contact(GetContactRequest { id: contact_id.to_string() }).await {
                Ok(c) => c.into_inner().contact.unwrap_or_default(),
                Err(s) if s.code() == tonic::Code::NotFound => {
                    return Err(Error::invalid("contact_id", "names no contact you can see").into());
                }
                Err(s) => return Err(Error::Internal(anyhow::anyhow!("account service: {s}")).into()),
            };
        if contact.account_id != q.account_id.to_string() {
            return Err(Error::invalid("contact_id", "is not a contact of the quote's account").into());
        }
        let to: lettre::message::Mailbox = format!("{} {} <{}>", contact.first_name, contact.last_name, contact.email)
            .trim()
            .parse()
            .map_err(|_| Error::invalid("contact_id", "has no usable e-mail address"))?;
        let (q, pdf) = self.document(&caller, id).await?;
        let summary = format!(
            "{note}{}Quote: {}\nMonthly recurring (MRR): {} {}\nOne-time total: {} {}\nValid until: {}\n\nThe quote is attached as a PDF.\n",
            if note.is_empty() { "" } else { "\n\n" },
            q.name,
            q.currency,
            money::write_units(&q.currency, q.mrr_units),
            q.currency,
            money::write_units(&q.currency, q.one_time_units),
            if q.expiry_date.is_empty() { "no expiry" } else { &q.expiry_date },
        );
        let msg = self
            .mailer
            .message()
            .to(to.clone())
            .subject(format!("Quote: {}", q.name))
            .multipart(
                lettre::message::MultiPart::mixed().singlepart(lettre::message::SinglePart::plain(summary)).singlepart(
                    lettre::message::Attachment::new(file_name(&q))
                        .body(pdf, "application/pdf".parse().expect("a valid content type")),
                ),
            )
            .map_err(|e| Error::Internal(anyhow::anyhow!("building the message: {e}")))?;
        self.mailer.send(msg).await.map_err(|e| {
            tracing::warn!(error = %e, "quote e-mail not delivered");
            Error::Unavailable("the mail server did not take the message; try again".into())
        })?;
        let changes = record::diff(&[("sent_to", String::new(), to.email.to_string())]);
        record::write_history(&self.db, RecordType::Quote, id, q.partner_id, caller.user_id, &changes).await?;
        Ok(Response::new(pb::SendQuoteResponse { recipient: to.email.to_string() }))
    }
}

/// An address as printed: the street's lines, postal code and city, region,
/// country; the empty parts left out.
fn address_lines(street: &str, postal_code: &str, city: &str, region: &str, country: &str) -> Vec<String> {
    street
        .lines()
        .map(str::to_string)
        .chain([format!("{postal_code} {city}"), region.to_string(), country.to_string()])
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

/// `quote-<name>.pdf`, safe as a file name.
fn file_name(q: &quote::Model) -> String {
    let slug: String = q
        .name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    format!("quote-{}.pdf", if slug.is_empty() { q.id.to_string() } else { slug })
}

/// The currency a quote was created in (checked then).
fn currency_of(q: &quote::Model) -> Result<Currency> {
    Currency::parse("currency_code", &q.currency)
        .map_err(|e| Error::Internal(anyhow::anyhow!("quote {} has a bad stored currency: {e}", q.id)))
}

fn editable(q: &quote::Model) -> Result<()> {
    let status: QuoteStatus = q.status.parse().unwrap_or(QuoteStatus::Draft);
    if !status.lines_editable() {
        return Err(Error::FailedPrecondition(format!("the lines of a {status} quote cannot change")));
    }
    Ok(())
}

fn wap_out(w: &wap::Model) -> pb::WeightedAveragePrices {
    pb::WeightedAveragePrices {
        currency_code: w.currency.clone(),
        licenses: money::write_units(&w.currency, w.licenses_units),
        hwaas: money::write_units(&w.currency, w.hwaas_units),
        classound: money::write_units(&w.currency, w.classound_units),
        update_time: Some(time::to_proto(w.update_time)),
    }
}

/// The address a shipping type names. The end user's is the account's
/// shipping address (its billing address when that is empty). The partner's
/// and reseller's come from the partner's record, which the gateway owns and
/// sends along in `given`.
fn shipping_address(kind: &str, account: &prm_proto::account::v1::Account, given: Option<&Address>) -> Result<Address> {
    debug_assert!(SHIPPING_TYPES.contains(&kind));
    match kind {
        "end_user" => {
            let ship = account.shipping_address.clone().unwrap_or_default();
            Ok(if ship == Address::default() { account.billing_address.clone().unwrap_or_default() } else { ship })
        }
        _ => match given.filter(|a| **a != Address::default()) {
            Some(a) => Ok(a.clone()),
            None => {
                Err(Error::invalid("shipping_address_type", format!("the partner has no {kind} address on record")))
            }
        },
    }
}
