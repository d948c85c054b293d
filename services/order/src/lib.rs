//! The order service: orders placed from accepted quotes (project orders) and
//! stock orders priced from the vendor's price book, with their lines, totals,
//! numbers and status path. Placing and completing a project order, and
//! cancelling one, are published through the outbox.
//!
//! Rules live in [`domain`], storage in [`store`], the wire in [`grpc`].

pub mod aggregates;
pub mod domain;
pub mod grpc;
pub mod store;

use prm_kit::{
    auth::AuthInterceptor,
    outbox::OutboxApi,
    record::RecordFeatures,
    search::SearchApi,
    server::{PrmService, ServiceContext},
};
use prm_proto::{
    order::v1::order_service_server::OrderServiceServer,
    outbox::v1::outbox_service_server::OutboxServiceServer,
    record::v1::{aggregate_service_server::AggregateServiceServer, record_service_server::RecordServiceServer},
};
use tonic::service::{Routes, interceptor::InterceptedService};

pub struct OrderService;

impl PrmService for OrderService {
    const NAME: &'static str = "order";
    const GRPC_NAMES: &'static [&'static str] = &[
        "prm.order.v1.OrderService",
        "prm.record.v1.RecordService",
        "prm.record.v1.SearchService",
        "prm.record.v1.AggregateService",
        "prm.outbox.v1.OutboxService",
    ];
    /// Quotes to order from, and the price book of stock orders.
    const DOWNSTREAM: &'static [&'static str] = &["quote"];
    /// Projects follow the primary quote and its order through these events.
    const EVENTS_TO: Option<&'static str> = Some("project");
    type Migrator = store::Migrator;

    fn routes(ctx: ServiceContext) -> anyhow::Result<Routes> {
        let auth = AuthInterceptor::new(ctx.key.clone());
        let api = grpc::OrderApi::new(ctx.db.clone(), ctx.channel("quote")?, ctx.key.clone());
        let records = RecordFeatures::new(ctx.db.clone(), store::Access::new(ctx.db.clone()));
        let search = SearchApi::new(ctx.db.clone(), aggregates::search_scopes).server();
        let aggregate = AggregateServiceServer::new(aggregates::AggregateApi::new(ctx.db.clone()));
        Ok(Routes::new(OrderServiceServer::with_interceptor(api, auth.clone()))
            .add_service(OutboxServiceServer::with_interceptor(OutboxApi::new(ctx.db.clone()), auth.clone()))
            .add_service(InterceptedService::new(search, auth.clone()))
            .add_service(InterceptedService::new(aggregate, auth.clone()))
            .add_service(InterceptedService::new(
                RecordServiceServer::new(records)
                    .max_decoding_message_size(prm_kit::record::MAX_MESSAGE_BYTES)
                    .max_encoding_message_size(prm_kit::record::MAX_MESSAGE_BYTES),
                auth,
            )))
    }
}
