//! `prm.record.v1.AggregateService` of the case service: counts over the
//! caller's cases (in the case scope: support agents every case), computed
//! in its database; and the scope its cases are searched in.

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

use crate::{grpc::CASE_FIELDS, store::case};

/// The cases: their list fields, whether they are open, their comments.
pub const CASES: aggregate::Source<case::Entity> = aggregate::Source {
    name: "cases",
    fields: CASE_FIELDS,
    id_column: case::Column::Id,
    computed: &[
        Field { name: "open", sql: "status NOT IN ('solved', 'closed')", kind: Kind::Flag },
        Field { name: "public_comments", sql: "public_comments", kind: Kind::Integer },
    ],
};

/// The record types global search finds here, each in its caller's scope.
pub fn search_scopes(caller: &Caller) -> Vec<(RecordType, Scope)> {
    vec![(RecordType::Case, case::Entity::scope(caller))]
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
            "cases" => aggregate::run(&self.db, &CASES, owned::visible::<case::Entity>(caller), req).await,
            _ => Err(aggregate::unknown_collection(&[CASES.name])),
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
        Ok(Response::new(aggregate::describe_collection(&[&CASES], &req.get_ref().collection)?))
    }
}
