//! `prm.record.v1.AggregateService` of the account service: counts over the
//! caller's accounts and contacts, computed in its database; and the scopes
//! its records are searched in.

use prm_kit::{
    Caller, Result, aggregate,
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

use crate::{
    grpc::{ACCOUNT_FIELDS, CONTACT_FIELDS},
    store::{account, contact},
};

pub const ACCOUNTS: aggregate::Source<account::Entity> =
    aggregate::Source { name: "accounts", fields: ACCOUNT_FIELDS, id_column: account::Column::Id, computed: &[] };

pub const CONTACTS: aggregate::Source<contact::Entity> =
    aggregate::Source { name: "contacts", fields: CONTACT_FIELDS, id_column: contact::Column::Id, computed: &[] };

/// The record types global search finds here, each in its caller's scope.
pub fn search_scopes(caller: &Caller) -> Vec<(RecordType, Scope)> {
    vec![(RecordType::Account, account::Entity::scope(caller)), (RecordType::Contact, contact::Entity::scope(caller))]
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
            "accounts" => aggregate::run(&self.db, &ACCOUNTS, owned::visible::<account::Entity>(caller), req).await,
            "contacts" => aggregate::run(&self.db, &CONTACTS, owned::visible::<contact::Entity>(caller), req).await,
            _ => Err(aggregate::unknown_collection(&[ACCOUNTS.name, CONTACTS.name])),
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
        Ok(Response::new(aggregate::describe_collection(&[&ACCOUNTS, &CONTACTS], &req.get_ref().collection)?))
    }
}
