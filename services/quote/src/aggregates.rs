//! `prm.record.v1.AggregateService` of the quote service: counts and money
//! totals over the caller's quotes, computed in its database; and the scope
//! its quotes are searched in.

use prm_kit::{
    Caller, Result,
    aggregate::{self, Field, Kind},
    owned::{self, OwnedEntity},
    scope::Scope,
};
use prm_proto::{
    common::v1::RecordType,
    record::v1::{
        AggregateRequest, AggregateResponse, DescribeCollectionRequest, DescribeCollectionResponse,
        aggregate_service_server::AggregateService,
    },
};
use sea_orm::DatabaseConnection;
use tonic::{Request, Response, Status};

use crate::{grpc::QUOTE_FIELDS, store::quote};

/// The quotes: their list fields and the totals they store.
pub const QUOTES: aggregate::Source<quote::Entity> = aggregate::Source {
    name: "quotes",
    fields: QUOTE_FIELDS,
    id_column: quote::Column::Id,
    computed: &[
        Field { name: "mrr", sql: "mrr_units", kind: Kind::Money },
        Field { name: "one_time_total", sql: "one_time_units", kind: Kind::Money },
        Field { name: "primary", sql: "is_primary", kind: Kind::Flag },
        Field { name: "partner_id", sql: "partner_id", kind: Kind::Uuid },
        Field { name: "open", sql: "status IN ('draft', 'presented', 'contract_sent')", kind: Kind::Flag },
    ],
};

/// The record types global search finds here, each in its caller's scope.
pub fn search_scopes(caller: &Caller) -> Vec<(RecordType, Scope)> {
    vec![(RecordType::Quote, quote::Entity::scope(caller))]
}

pub struct AggregateApi {
    db: DatabaseConnection,
}

impl AggregateApi {
    pub fn new(db: DatabaseConnection) -> Self {
        AggregateApi { db }
    }

    async fn run(&self, caller: &Caller, req: &AggregateRequest) -> Result<AggregateResponse> {
        match req.collection.as_str() {
            "quotes" => aggregate::run(&self.db, &QUOTES, owned::visible::<quote::Entity>(caller), req).await,
            _ => Err(aggregate::unknown_collection(&[QUOTES.name])),
        }
    }
}

#[tonic::async_trait]
impl AggregateService for AggregateApi {
    #[tracing::instrument(skip_all, fields(collection = %req.get_ref().collection))]
    async fn aggregate(
        &self,
        req: Request<AggregateRequest>,
    ) -> std::result::Result<Response<AggregateResponse>, Status> {
        let caller = Caller::of(&req)?;
        Ok(Response::new(self.run(&caller, req.get_ref()).await?))
    }

    #[tracing::instrument(skip_all, fields(collection = %req.get_ref().collection))]
    async fn describe_collection(
        &self,
        req: Request<DescribeCollectionRequest>,
    ) -> std::result::Result<Response<DescribeCollectionResponse>, Status> {
        Caller::of(&req)?;
        Ok(Response::new(aggregate::describe_collection(&[&QUOTES], &req.get_ref().collection)?))
    }
}
