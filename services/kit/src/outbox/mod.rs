//! The transactional outbox: an event is written in the same transaction as
//! the change it reports, and a [`Relay`] delivers it to a [`Sink`] with
//! retries and backoff. Delivery is at least once; consumers apply each event
//! id once with [`accept_once`].
//!
//! Rows are claimed with a lease (`UPDATE … WHERE id IN (SELECT … FOR UPDATE
//! SKIP LOCKED)` on PostgreSQL), so several relays can run side by side, and a
//! relay that dies mid-delivery leaves the event to be claimed again when its
//! lease runs out.

mod entities;
mod migration;
mod relay;
mod service;

pub use entities::{inbox_event, outbox_event};
pub use migration::{InboxMigration, OutboxMigration};
pub use relay::{GrpcSink, Relay, RelayConfig, Sink};
pub use service::OutboxApi;

use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};
use uuid::Uuid;

use crate::{Result, time};

/// Queues an event; call it inside the transaction of the change.
pub async fn enqueue<C: ConnectionTrait>(
    conn: &C,
    topic: &str,
    aggregate_id: Uuid,
    payload: &serde_json::Value,
) -> Result<Uuid> {
    let id = Uuid::now_v7();
    let now = time::now();
    outbox_event::ActiveModel {
        id: Set(id),
        topic: Set(topic.to_string()),
        aggregate_id: Set(aggregate_id.to_string()),
        payload: Set(payload.to_string()),
        create_time: Set(now),
        attempts: Set(0),
        next_attempt_time: Set(now),
        deliver_time: Set(None),
        last_error: Set(String::new()),
    }
    .insert(conn)
    .await?;
    Ok(id)
}

/// Records that the consumer applied `event_id`; false when it had before.
/// Call it in the transaction that applies the event, so both commit together.
pub async fn accept_once<C: ConnectionTrait>(conn: &C, event_id: Uuid, topic: &str) -> Result<bool> {
    let row =
        inbox_event::ActiveModel { id: Set(event_id), topic: Set(topic.to_string()), receive_time: Set(time::now()) };
    let inserted = inbox_event::Entity::insert(row).on_conflict_do_nothing().exec(conn).await?;
    Ok(matches!(inserted, sea_orm::TryInsertResult::Inserted(_)))
}
