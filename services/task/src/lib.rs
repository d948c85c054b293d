//! The task service: activities of partner people (calls, e-mails, meetings,
//! quotes to send, to-dos) on records of every service, the open activities
//! of a record, and "my tasks" by due date.
//!
//! Rules live in [`domain`], storage in [`store`], the wire in [`grpc`].

pub mod aggregates;
pub mod domain;
pub mod grpc;
pub mod store;

use prm_kit::{
    auth::AuthInterceptor,
    record::RecordFeatures,
    references::References,
    search::SearchApi,
    server::{PrmService, ServiceContext},
};
use prm_proto::{
    record::v1::{aggregate_service_server::AggregateServiceServer, record_service_server::RecordServiceServer},
    task::v1::task_service_server::TaskServiceServer,
};
use tonic::service::{Routes, interceptor::InterceptedService};

pub struct TaskService;

impl PrmService for TaskService {
    const NAME: &'static str = "task";
    const GRPC_NAMES: &'static [&'static str] = &[
        "prm.task.v1.TaskService",
        "prm.record.v1.RecordService",
        "prm.record.v1.SearchService",
        "prm.record.v1.AggregateService",
    ];
    /// The services whose records tasks are about: each says whether the
    /// caller may see a record of its own.
    const DOWNSTREAM: &'static [&'static str] = &["account", "lead", "project", "quote", "order"];
    /// Cases, where the case service is deployed.
    const OPTIONAL_DOWNSTREAM: &'static [&'static str] = &["case"];
    type Migrator = store::Migrator;

    fn routes(ctx: ServiceContext) -> anyhow::Result<Routes> {
        let auth = AuthInterceptor::new(ctx.key.clone());
        let records = References::new(&ctx, Self::DOWNSTREAM.iter().chain(Self::OPTIONAL_DOWNSTREAM))?;
        let api = grpc::TaskApi::new(ctx.db.clone(), records);
        let search = SearchApi::new(ctx.db.clone(), aggregates::search_scopes).server();
        let aggregate = AggregateServiceServer::new(aggregates::AggregateApi::new(ctx.db.clone()));
        let features = RecordFeatures::new(ctx.db.clone(), store::Access::new(ctx.db.clone()));
        Ok(Routes::new(TaskServiceServer::with_interceptor(api, auth.clone()))
            .add_service(InterceptedService::new(
                RecordServiceServer::new(features)
                    .max_decoding_message_size(prm_kit::record::MAX_MESSAGE_BYTES)
                    .max_encoding_message_size(prm_kit::record::MAX_MESSAGE_BYTES),
                auth.clone(),
            ))
            .add_service(InterceptedService::new(search, auth.clone()))
            .add_service(InterceptedService::new(aggregate, auth)))
    }
}
