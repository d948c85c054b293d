//! `prm.record.v1.AggregateService` and `SearchService` of the project
//! service: counts and sums over the caller's projects, computed in its
//! database, for the home statistics and the reports; and the scope its
//! projects are searched in.

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

use crate::{grpc::PROJECT_FIELDS, store::project};

/// The projects: their list fields plus the Bonus Pipeline and Cost Info
/// fields that lists do not filter on.
pub const PROJECTS: aggregate::Source<project::Entity> = aggregate::Source {
    name: "projects",
    fields: PROJECT_FIELDS,
    id_column: project::Column::Id,
    computed: &[
        Field { name: "pipeline_mrr", sql: "pipeline_mrr_units", kind: Kind::Money },
        Field { name: "amount_mrr", sql: "amount_mrr_units", kind: Kind::Money },
        Field { name: "capex", sql: "capex_units", kind: Kind::Money },
        Field { name: "users_of_poc", sql: "users_of_poc", kind: Kind::Integer },
        Field { name: "verbal_agreement", sql: "verbal_agreement", kind: Kind::Flag },
        Field { name: "demo_done", sql: "demo_date IS NOT NULL", kind: Kind::Flag },
        Field { name: "demo_date", sql: "demo_date", kind: Kind::Date },
        Field { name: "approved_by_am", sql: "approved_by_am", kind: Kind::Flag },
        Field { name: "bonus_pipeline_satisfied", sql: "demo_date IS NOT NULL AND approved_by_am", kind: Kind::Flag },
        Field { name: "open", sql: "stage NOT IN ('closed_won', 'closed_lost')", kind: Kind::Flag },
        Field { name: "won", sql: "stage = 'closed_won'", kind: Kind::Flag },
    ],
};

/// The record types global search finds here, each in its caller's scope.
pub fn search_scopes(caller: &Caller) -> Vec<(RecordType, Scope)> {
    vec![(RecordType::Project, project::Entity::scope(caller))]
}

pub struct AggregateApi {
    db: DatabaseConnection,
}

impl AggregateApi {
    pub fn new(db: DatabaseConnection) -> Self {
        AggregateApi { db }
    }

    pub async fn aggregate(&self, caller: &Caller, req: &AggregateRequest) -> Result<AggregateResponse> {
        match req.collection.as_str() {
            "projects" => aggregate::run(&self.db, &PROJECTS, owned::visible::<project::Entity>(caller), req).await,
            _ => Err(aggregate::unknown_collection(&[PROJECTS.name])),
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
        Ok(Response::new(AggregateApi::aggregate(self, &caller, req.get_ref()).await?))
    }

    #[tracing::instrument(skip_all, fields(collection = %req.get_ref().collection))]
    async fn describe_collection(
        &self,
        req: Request<DescribeCollectionRequest>,
    ) -> std::result::Result<Response<DescribeCollectionResponse>, Status> {
        Caller::of(&req)?;
        Ok(Response::new(aggregate::describe_collection(&[&PROJECTS], &req.get_ref().collection)?))
    }
}
