//! `prm.record.v1.AggregateService` of the task service: counts over the
//! caller's tasks, computed in its database; and the scope its tasks are
//! searched in. A task without a due date holds the `9999-12-31` sentinel
//! (see [`crate::store::NO_DUE_DATE`]): "due today or overdue" is the list
//! filter `due_date <= "<today>" AND status != "completed"`.

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

use crate::{grpc::TASK_FIELDS, store::task};

/// The tasks: their list fields, whether they are open, whether dated.
pub const TASKS: aggregate::Source<task::Entity> = aggregate::Source {
    name: "tasks",
    fields: TASK_FIELDS,
    id_column: task::Column::Id,
    computed: &[
        Field { name: "open", sql: "status <> 'completed'", kind: Kind::Flag },
        Field { name: "has_due_date", sql: "due_date <> '9999-12-31'", kind: Kind::Flag },
        Field { name: "complete_time", sql: "complete_time", kind: Kind::Timestamp },
    ],
};

/// The record types global search finds here, each in its caller's scope.
pub fn search_scopes(caller: &Caller) -> Vec<(RecordType, Scope)> {
    vec![(RecordType::Task, task::Entity::scope(caller))]
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
            "tasks" => aggregate::run(&self.db, &TASKS, owned::visible::<task::Entity>(caller), req).await,
            _ => Err(aggregate::unknown_collection(&[TASKS.name])),
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
        Ok(Response::new(aggregate::describe_collection(&[&TASKS], &req.get_ref().collection)?))
    }
}
