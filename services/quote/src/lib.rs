//! The quote service: the vendor's catalogue and price book, weighted average
//! prices, and quotes with their lines, totals, status and primary flag.
//! Changes to a primary quote are published through the outbox.
//!
//! Rules live in [`domain`], storage in [`store`], the wire in [`grpc`].

pub mod aggregates;
pub mod document;
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
    outbox::v1::outbox_service_server::OutboxServiceServer,
    quote::v1::quote_service_server::QuoteServiceServer,
    record::v1::{aggregate_service_server::AggregateServiceServer, record_service_server::RecordServiceServer},
};
use tonic::service::{Routes, interceptor::InterceptedService};

pub struct QuoteService;

impl PrmService for QuoteService {
    const NAME: &'static str = "quote";
    const GRPC_NAMES: &'static [&'static str] = &[
        "prm.quote.v1.QuoteService",
        "prm.record.v1.RecordService",
        "prm.record.v1.SearchService",
        "prm.record.v1.AggregateService",
        "prm.outbox.v1.OutboxService",
    ];
    /// Accounts for addresses and contacts; projects, whose id a quote names,
    /// checked in the caller's scope before a quote is stored.
    const DOWNSTREAM: &'static [&'static str] = &["account", "project"];
    /// Projects follow the primary quote and its order through these events.
    const EVENTS_TO: Option<&'static str> = Some("project");
    type Migrator = store::Migrator;

    fn routes(ctx: ServiceContext) -> anyhow::Result<Routes> {
        let auth = AuthInterceptor::new(ctx.key.clone());
        let mailer = prm_kit::mail::Mailer::new(&ctx.mail)?;
        let references = prm_kit::references::References::new(&ctx, Self::DOWNSTREAM)?;
        // The installation knows its vendor by the name it sends mail as.
        let vendor = vendor_name(&ctx.mail.mail_from);
        let api =
            grpc::QuoteApi::new(ctx.db.clone(), ctx.channel("account")?, references, ctx.key.clone(), mailer, vendor);
        let records = RecordFeatures::new(ctx.db.clone(), store::Access::new(ctx.db.clone()));
        let search = SearchApi::new(ctx.db.clone(), aggregates::search_scopes).server();
        let aggregate = AggregateServiceServer::new(aggregates::AggregateApi::new(ctx.db.clone()));
        Ok(Routes::new(QuoteServiceServer::with_interceptor(api, auth.clone()))
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

/// The display name of `PRM_MAIL_FROM` (`Klangwerk <quotes@…>`), else its
/// address.
fn vendor_name(mail_from: &str) -> String {
    match mail_from.parse::<lettre::message::Mailbox>() {
        Ok(m) => m.name.filter(|n| !n.trim().is_empty()).unwrap_or_else(|| m.email.to_string()),
        Err(_) => mail_from.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_vendor_is_the_name_mail_is_sent_as() {
        assert_eq!(super::vendor_name("Klangwerk GmbH <quotes@klangwerk.example>"), "Klangwerk GmbH");
        assert_eq!(super::vendor_name("quotes@klangwerk.example"), "quotes@klangwerk.example");
    }
}
