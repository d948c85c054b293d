//! Ids that name another service's records, checked by the service that owns
//! them, in the caller's scope, before they are stored.
//!
//! A service never trusts an id it was handed: it asks the owner's
//! `RecordService.GetRecordInfo` as the caller, so a record of another
//! partner (or no record at all) is refused exactly like a missing one, and
//! the answer says whose the record is and which account it belongs to.

use std::collections::BTreeMap;

use prm_proto::{
    common::v1::{RecordRef, RecordType},
    record::v1::{self as pb, record_service_client::RecordServiceClient},
};
use tonic::transport::Channel;
use uuid::Uuid;

use crate::{
    Caller, Error, Result,
    auth::{CallerInterceptor, InternalKey},
    record::{RecordInfo, type_name},
    server::ServiceContext,
};

/// The service that owns records of `kind`.
pub fn owner_service(kind: RecordType) -> Option<&'static str> {
    Some(match kind {
        RecordType::Account | RecordType::Contact => "account",
        RecordType::Lead => "lead",
        RecordType::Project => "project",
        RecordType::Quote => "quote",
        RecordType::Order => "order",
        RecordType::Case => "case",
        RecordType::Task => "task",
        RecordType::Unspecified => return None,
    })
}

/// Channels to the services whose records this one refers to.
#[derive(Clone)]
pub struct References {
    channels: BTreeMap<&'static str, Channel>,
    key: InternalKey,
}

impl References {
    /// Channels to those of `services` that are deployed (have a URL).
    pub fn new<'a>(ctx: &ServiceContext, services: impl IntoIterator<Item = &'a &'static str>) -> anyhow::Result<Self> {
        let mut channels = BTreeMap::new();
        for name in services {
            if ctx.downstream.contains_key(*name) {
                channels.insert(*name, ctx.channel(name)?);
            }
        }
        Ok(References { channels, key: ctx.key.clone() })
    }

    /// Whose the record is, if the caller sees it; NOT_FOUND otherwise,
    /// exactly as its own service answers.
    pub async fn info(&self, caller: &Caller, kind: RecordType, id: Uuid) -> Result<RecordInfo> {
        let service = owner_service(kind).ok_or(Error::NotFound)?;
        let channel = self
            .channels
            .get(service)
            .cloned()
            .ok_or_else(|| Error::Unavailable(format!("the {service} service is not deployed here")))?;
        let mut client = RecordServiceClient::with_interceptor(channel, CallerInterceptor::new(&self.key, caller)?);
        let reply = client
            .get_record_info(pb::GetRecordInfoRequest {
                record: Some(RecordRef { r#type: kind as i32, id: id.to_string() }),
            })
            .await;
        let bad = |what: &str| Error::Internal(anyhow::anyhow!("the {service} service sent a bad {what}"));
        match reply {
            Ok(r) => {
                let r = r.into_inner();
                Ok(RecordInfo {
                    partner_id: Uuid::parse_str(&r.partner_id).map_err(|_| bad("partner id"))?,
                    owner_id: Uuid::parse_str(&r.owner_id).map_err(|_| bad("owner id"))?,
                    account_id: match r.account_id.as_str() {
                        "" => None,
                        a => Some(Uuid::parse_str(a).map_err(|_| bad("account id"))?),
                    },
                })
            }
            Err(s) if s.code() == tonic::Code::NotFound => Err(Error::NotFound),
            Err(s) => Err(Error::Unavailable(format!("the {service} service: {}", s.message()))),
        }
    }

    /// The record named by the request's `field`, which must be one the
    /// caller sees and of `partner_id`; else bad input naming `field`.
    pub async fn check(
        &self,
        caller: &Caller,
        kind: RecordType,
        id: Uuid,
        partner_id: Uuid,
        field: &str,
    ) -> Result<RecordInfo> {
        let refused = || Error::invalid(field, format!("names no {} you can see", type_name(kind)));
        match self.info(caller, kind, id).await {
            Ok(info) if info.partner_id == partner_id => Ok(info),
            Ok(_) | Err(Error::NotFound) => Err(refused()),
            Err(e) => Err(e),
        }
    }

    /// Keeps a record the caller has just stored, which refers to `id`, only
    /// if [`check`](Self::check) still passes now that it is stored;
    /// otherwise runs `undo` and answers the check's refusal. This second
    /// look is what a delete's [`fence`](crate::fence) relies on: a delete
    /// that did not see the new record has fenced `id` off by now. It runs
    /// as its own task, so a caller who hangs up cannot stop the undo.
    pub async fn confirm<U, Fut>(
        &self,
        caller: &Caller,
        kind: RecordType,
        id: Uuid,
        partner_id: Uuid,
        field: &'static str,
        undo: U,
    ) -> Result<()>
    where
        U: FnOnce() -> Fut + Send + 'static,
        Fut: std::future::Future<Output = Result<()>> + Send,
    {
        let (this, caller) = (self.clone(), caller.clone());
        // The task carries the call's row scope, which the undo's writes need.
        tokio::spawn(crate::db::scoped(crate::db::current_scope(), async move {
            match this.check(&caller, kind, id, partner_id, field).await {
                Ok(_) => Ok(()),
                Err(refused) => {
                    undo().await?;
                    Err(refused)
                }
            }
        }))
        .await
        .map_err(|e| Error::Internal(e.into()))?
    }
}
