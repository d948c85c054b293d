//! The lead service: leads of partners and of the vendor's pool, their
//! status moves, distribution to partners (accept or reject), likely
//! duplicates, and conversion into an account, a contact and a project of
//! the account and project services, all or nothing. Notes, files, history
//! and followers come from the kit.
//!
//! Rules live in [`domain`], storage in [`store`], the wire in [`grpc`], the
//! conversion saga and its recovery in [`convert`].

pub mod aggregates;
pub mod convert;
pub mod domain;
pub mod grpc;
pub mod store;

use std::sync::Arc;

use prm_kit::{
    auth::AuthInterceptor,
    record::RecordFeatures,
    search::SearchApi,
    server::{PrmService, ServiceContext},
    views::ViewApi,
};
use prm_proto::{
    lead::v1::lead_service_server::LeadServiceServer,
    record::v1::{aggregate_service_server::AggregateServiceServer, record_service_server::RecordServiceServer},
};
use tonic::service::{Routes, interceptor::InterceptedService};

/// The service as the kit runs it.
pub struct LeadService;

impl PrmService for LeadService {
    const NAME: &'static str = "lead";
    const GRPC_NAMES: &'static [&'static str] = &[
        "prm.lead.v1.LeadService",
        "prm.record.v1.RecordService",
        "prm.record.v1.SearchService",
        "prm.record.v1.AggregateService",
        "prm.record.v1.ViewService",
    ];
    /// Conversion makes accounts, contacts and projects there.
    const DOWNSTREAM: &'static [&'static str] = &["account", "project"];
    type Migrator = store::Migrator;

    fn routes(ctx: ServiceContext) -> anyhow::Result<Routes> {
        let auth = AuthInterceptor::new(ctx.key.clone());
        let converter = Arc::new(convert::Converter::new(
            ctx.db.clone(),
            ctx.channel("account")?,
            ctx.channel("project")?,
            ctx.key,
        ));
        // Conversions a crash left behind are settled at start, then periodically.
        let recovery = converter.clone().spawn_recovery(convert::RECOVERY_INTERVAL);
        let api = grpc::LeadApi::new(ctx.db.clone(), converter, recovery);
        let search = SearchApi::new(ctx.db.clone(), aggregates::search_scopes).server();
        let aggregate = AggregateServiceServer::new(aggregates::AggregateApi::new(ctx.db.clone()));
        let records = RecordFeatures::new(ctx.db.clone(), store::Access::new(ctx.db.clone()));
        Ok(Routes::new(LeadServiceServer::with_interceptor(api, auth.clone()))
            .add_service(InterceptedService::new(
                RecordServiceServer::new(records)
                    .max_decoding_message_size(prm_kit::record::MAX_MESSAGE_BYTES)
                    .max_encoding_message_size(prm_kit::record::MAX_MESSAGE_BYTES),
                auth.clone(),
            ))
            .add_service(InterceptedService::new(search, auth.clone()))
            .add_service(InterceptedService::new(aggregate, auth.clone()))
            .add_service(InterceptedService::new(ViewApi::new(ctx.db.clone(), grpc::VIEWS).server(), auth)))
    }
}
