//! The project service: projects (opportunities) with the gated stage
//! machine, Cost Info computed from the quote service's prices and the
//! primary quote, the Bonus Pipeline, list views and the Kanban board; and
//! the consumer of the quote and order services' events that move projects
//! through the automatic stages.
//!
//! Rules live in [`domain`], storage in [`store`], the wire in [`grpc`],
//! event handling in [`consumer`].

pub mod aggregates;
pub mod consumer;
pub mod domain;
pub mod grpc;
pub mod store;

use prm_kit::{
    auth::AuthInterceptor,
    record::RecordFeatures,
    search::SearchApi,
    server::{PrmService, ServiceContext},
};
use prm_proto::{
    outbox::v1::event_sink_service_server::EventSinkServiceServer,
    project::v1::project_service_server::ProjectServiceServer,
    record::v1::{aggregate_service_server::AggregateServiceServer, record_service_server::RecordServiceServer},
};
use tonic::service::{Routes, interceptor::InterceptedService};

pub struct ProjectService;

impl PrmService for ProjectService {
    const NAME: &'static str = "project";
    const GRPC_NAMES: &'static [&'static str] = &[
        "prm.project.v1.ProjectService",
        "prm.record.v1.RecordService",
        "prm.record.v1.SearchService",
        "prm.record.v1.AggregateService",
        "prm.outbox.v1.EventSinkService",
    ];
    /// Accounts and contacts to check references; prices and the primary quote.
    const DOWNSTREAM: &'static [&'static str] = &["account", "quote"];
    type Migrator = store::Migrator;

    fn routes(ctx: ServiceContext) -> anyhow::Result<Routes> {
        let auth = AuthInterceptor::new(ctx.key.clone());
        let references = prm_kit::references::References::new(&ctx, Self::DOWNSTREAM)?;
        let clients = grpc::Clients::new(ctx.channel("account")?, ctx.channel("quote")?, ctx.key.clone(), references);
        let api = grpc::ProjectApi::new(ctx.db.clone(), clients.clone());
        let sink = consumer::EventSink::new(ctx.db.clone(), clients);
        let records = RecordFeatures::new(ctx.db.clone(), store::Access::new(ctx.db.clone()));
        let search = SearchApi::new(ctx.db.clone(), aggregates::search_scopes).server();
        let aggregate = AggregateServiceServer::new(aggregates::AggregateApi::new(ctx.db.clone()));
        Ok(Routes::new(ProjectServiceServer::with_interceptor(api, auth.clone()))
            .add_service(EventSinkServiceServer::with_interceptor(sink, auth.clone()))
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
