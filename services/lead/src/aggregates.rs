//! `prm.record.v1.AggregateService` of the lead service: counts over the
//! caller's leads, computed in its database, for the home statistics and
//! the reports; and the scope its leads are searched in.
//!
//! Leads are seen as the lead service shows them (its `scope`, on the
//! stored `partner_id`): a partner's leads and those pending for it; the
//! vendor's pool, stored with the nil partner, by the vendor only.

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

use crate::{grpc::LEAD_FIELDS, store::lead};

/// The leads: their list fields, and what the statistics count.
pub const LEADS: aggregate::Source<lead::Entity> = aggregate::Source {
    name: "leads",
    fields: LEAD_FIELDS,
    id_column: lead::Column::Id,
    computed: &[
        Field { name: "estimated_users", sql: "estimated_users", kind: Kind::Integer },
        // Open: still to be decided or converted (not unqualified, not converted).
        Field { name: "open", sql: "status NOT IN ('unqualified', 'converted')", kind: Kind::Flag },
        Field { name: "converted", sql: "status = 'converted'", kind: Kind::Flag },
        Field { name: "pending", sql: "acceptance = 'pending'", kind: Kind::Flag },
        Field { name: "convert_time", sql: "convert_time", kind: Kind::Timestamp },
        Field { name: "distribute_time", sql: "distribute_time", kind: Kind::Timestamp },
    ],
};

/// The record types global search finds here, each in its caller's scope.
pub fn search_scopes(caller: &Caller) -> Vec<(RecordType, Scope)> {
    vec![(RecordType::Lead, lead::Entity::scope(caller))]
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
            "leads" => aggregate::run(&self.db, &LEADS, owned::visible::<lead::Entity>(caller), req).await,
            _ => Err(aggregate::unknown_collection(&[LEADS.name])),
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
        Ok(Response::new(aggregate::describe_collection(&[&LEADS], &req.get_ref().collection)?))
    }
}
