//! The case service: support cases partners submit and support agents
//! answer, with their status path, assignment, a comment thread (with
//! internal comments for support only) and e-mail notifications. The e-mails
//! are queued in the outbox with the change that causes them and sent by the
//! kit's relay through a [`prm_kit::mail::MailSink`], so a mail server that
//! is down delays them but neither loses them nor fails the change.
//!
//! Rules live in [`domain`], storage in [`store`], the wire in [`grpc`].

pub mod aggregates;
pub mod domain;
pub mod grpc;
pub mod store;

use std::sync::Arc;

use prm_kit::{
    auth::AuthInterceptor,
    mail::MailSink,
    outbox::{OutboxApi, Sink},
    record::RecordFeatures,
    search::SearchApi,
    server::{PrmService, ServiceContext},
};
use prm_proto::{
    case::v1::case_service_server::CaseServiceServer,
    outbox::v1::outbox_service_server::OutboxServiceServer,
    record::v1::{aggregate_service_server::AggregateServiceServer, record_service_server::RecordServiceServer},
};
use tonic::service::{Routes, interceptor::InterceptedService};

pub struct CaseService;

impl PrmService for CaseService {
    const NAME: &'static str = "case";
    const GRPC_NAMES: &'static [&'static str] = &[
        "prm.case.v1.CaseService",
        "prm.record.v1.RecordService",
        "prm.record.v1.SearchService",
        "prm.record.v1.AggregateService",
        "prm.outbox.v1.OutboxService",
    ];
    type Migrator = store::Migrator;

    /// Support agents work on every partner's cases.
    fn row_scope(caller: &prm_kit::Caller) -> prm_kit::scope::Scope {
        prm_kit::scope::Scope::cases(caller)
    }

    fn routes(ctx: ServiceContext) -> anyhow::Result<Routes> {
        let auth = AuthInterceptor::new(ctx.key.clone());
        let api = grpc::CaseApi::new(ctx.db.clone(), ctx.mail.clone());
        let records = RecordFeatures::new(ctx.db.clone(), store::Access::new(ctx.db.clone()));
        let search = SearchApi::new(ctx.db.clone(), aggregates::search_scopes).server();
        let aggregate = AggregateServiceServer::new(aggregates::AggregateApi::new(ctx.db.clone()));
        Ok(Routes::new(CaseServiceServer::with_interceptor(api, auth.clone()))
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

    /// The outbox holds e-mails only; the relay sends them.
    fn event_sink(ctx: &ServiceContext) -> anyhow::Result<Option<Arc<dyn Sink>>> {
        Ok(Some(Arc::new(MailSink::new(&ctx.mail)?)))
    }
}
