//! `prm.outbox.v1.OutboxService`: what a publishing service has queued and
//! delivered, for ops.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use prm_proto::outbox::v1::{self as pb, outbox_service_server::OutboxService};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use tonic::{Request, Response, Status};
use uuid::Uuid;

use super::{outbox_event, relay::to_proto};
use crate::{Caller, Error, Role};

pub struct OutboxApi {
    db: DatabaseConnection,
}

impl OutboxApi {
    pub fn new(db: DatabaseConnection) -> Self {
        OutboxApi { db }
    }
}

#[tonic::async_trait]
impl OutboxService for OutboxApi {
    async fn list_outbox_events(
        &self,
        req: Request<pb::ListOutboxEventsRequest>,
    ) -> Result<Response<pb::ListOutboxEventsResponse>, Status> {
        let caller = Caller::of(&req)?;
        if !matches!(caller.role, Role::Ops | Role::VendorAdmin) {
            return Err(Error::PermissionDenied("the outbox is for ops".into()).into());
        }
        let r = req.into_inner();
        let size = match r.page_size {
            0 => 50,
            n if n < 0 => return Err(Error::invalid("page_size", "must not be negative").into()),
            n => std::cmp::Ord::min(n, 500) as u64,
        };
        let mut q = outbox_event::Entity::find();
        if r.pending_only {
            q = q.filter(outbox_event::Column::DeliverTime.is_null());
        }
        if !r.page_token.is_empty() {
            let bad = || Error::invalid("page_token", "is not a token of this list");
            let bytes = URL_SAFE_NO_PAD.decode(&r.page_token).map_err(|_| bad())?;
            q = q.filter(outbox_event::Column::Id.gt(Uuid::from_slice(&bytes).map_err(|_| bad())?));
        }
        let mut rows =
            q.order_by_asc(outbox_event::Column::Id).limit(size + 1).all(&self.db).await.map_err(Error::from)?;
        let next_page_token = if rows.len() as u64 > size {
            rows.truncate(size as usize);
            rows.last().map(|e| URL_SAFE_NO_PAD.encode(e.id.as_bytes())).unwrap_or_default()
        } else {
            String::new()
        };
        Ok(Response::new(pb::ListOutboxEventsResponse { events: rows.iter().map(to_proto).collect(), next_page_token }))
    }
}
