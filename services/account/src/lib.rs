//! The account service: accounts (companies a partner sells to) and their
//! contacts, with notes, files, history and followers from the kit.
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
    views::ViewApi,
};
use prm_proto::{
    account::v1::account_service_server::AccountServiceServer,
    outbox::v1::outbox_service_server::OutboxServiceServer,
    record::v1::{aggregate_service_server::AggregateServiceServer, record_service_server::RecordServiceServer},
};
use tonic::service::{Routes, interceptor::InterceptedService};

/// The service as the kit runs it.
pub struct AccountService;

impl PrmService for AccountService {
    const NAME: &'static str = "account";
    const GRPC_NAMES: &'static [&'static str] = &[
        "prm.account.v1.AccountService",
        "prm.record.v1.RecordService",
        "prm.record.v1.SearchService",
        "prm.record.v1.AggregateService",
        "prm.record.v1.ViewService",
        "prm.outbox.v1.OutboxService",
    ];
    /// Projects, asked before an account is deleted whether any names it.
    const DOWNSTREAM: &'static [&'static str] = &["project"];
    /// A deleted contact leaves the contact roles of its projects.
    const EVENTS_TO: Option<&'static str> = Some("project");
    type Migrator = store::Migrator;

    fn routes(ctx: ServiceContext) -> anyhow::Result<Routes> {
        let projects = ctx.channel("project")?;
        let ServiceContext { db, key, .. } = ctx;
        let auth = AuthInterceptor::new(key.clone());
        let api = grpc::AccountApi::new(db.clone(), projects, key);
        let search = SearchApi::new(db.clone(), aggregates::search_scopes).server();
        let aggregate = AggregateServiceServer::new(aggregates::AggregateApi::new(db.clone()));
        let records = RecordFeatures::new(db.clone(), store::Access::new(db.clone()));
        Ok(Routes::new(AccountServiceServer::with_interceptor(api, auth.clone()))
            .add_service(OutboxServiceServer::with_interceptor(OutboxApi::new(db.clone()), auth.clone()))
            .add_service(InterceptedService::new(
                RecordServiceServer::new(records)
                    .max_decoding_message_size(prm_kit::record::MAX_MESSAGE_BYTES)
                    .max_encoding_message_size(prm_kit::record::MAX_MESSAGE_BYTES),
                auth.clone(),
            ))
            .add_service(InterceptedService::new(search, auth.clone()))
            .add_service(InterceptedService::new(aggregate, auth.clone()))
            .add_service(InterceptedService::new(ViewApi::new(db.clone(), grpc::VIEWS).server(), auth)))
    }
}
