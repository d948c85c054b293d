//! The report service: saved report definitions over the record services'
//! collections, run on demand through each owning service's
//! `prm.record.v1.AggregateService` in the caller's scope, and shown as a
//! table, CSV and an SVG chart; plus the built-in reports.
//!
//! Rules live in [`domain`], storage in [`store`], the wire in [`grpc`].

pub mod domain;
pub mod grpc;
pub mod store;

use prm_kit::{
    auth::AuthInterceptor,
    server::{PrmService, ServiceContext},
};
use prm_proto::report::v1::report_service_server::ReportServiceServer;
use tonic::service::Routes;

pub struct ReportService;

impl PrmService for ReportService {
    const NAME: &'static str = "report";
    const GRPC_NAMES: &'static [&'static str] = &["prm.report.v1.ReportService"];
    /// The services that own the collections reports run over, and the
    /// account service, whose accounts a filter may name.
    const DOWNSTREAM: &'static [&'static str] = &["account", "lead", "project", "quote", "order", "case", "task"];
    type Migrator = store::Migrator;

    fn routes(ctx: ServiceContext) -> anyhow::Result<Routes> {
        let auth = AuthInterceptor::new(ctx.key.clone());
        let api = grpc::ReportApi::new(ctx.db.clone(), grpc::Owners::new(&ctx)?);
        Ok(Routes::new(ReportServiceServer::with_interceptor(api, auth)))
    }
}
