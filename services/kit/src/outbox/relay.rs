//! The relay: claims due events with a lease, delivers them, and records the
//! outcome; a failed delivery is retried with exponential backoff.

use std::{sync::Arc, time::Duration};

use prm_proto::outbox::v1::{self as pb, event_sink_service_client::EventSinkServiceClient};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter, QueryOrder,
    sea_query::{Expr, ExprTrait, LockBehavior, LockType, Query},
};
use tokio::sync::watch;

use super::outbox_event;
use crate::{
    Caller, Result,
    auth::{CallerInterceptor, InternalKey},
    time,
};

/// Where events go.
#[tonic::async_trait]
pub trait Sink: Send + Sync + 'static {
    async fn deliver(&self, event: &pb::Event) -> anyhow::Result<()>;
}

#[derive(Debug, Clone)]
pub struct RelayConfig {
    /// Events claimed per round.
    pub batch: u64,
    /// Pause between rounds when nothing was due.
    pub poll_interval: Duration,
    /// How long a claimed event is left to its relay before another may take it.
    pub lease: Duration,
    /// First retry delay; doubles with each failure up to `max_backoff`.
    pub base_backoff: Duration,
    pub max_backoff: Duration,
}

impl Default for RelayConfig {
    fn default() -> Self {
        RelayConfig {
            batch: 100,
            poll_interval: Duration::from_millis(500),
            lease: Duration::from_secs(30),
            base_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(300),
        }
    }
}

pub struct Relay {
    db: DatabaseConnection,
    sink: Arc<dyn Sink>,
    config: RelayConfig,
}

fn after(d: Duration) -> chrono::DateTime<chrono::Utc> {
    time::now() + chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

pub fn to_proto(e: &outbox_event::Model) -> pb::Event {
    pb::Event {
        id: e.id.to_string(),
        topic: e.topic.clone(),
        aggregate_id: e.aggregate_id.clone(),
        payload_json: e.payload.clone(),
        create_time: Some(time::to_proto(e.create_time)),
        attempts: e.attempts,
        deliver_time: e.deliver_time.map(time::to_proto),
        last_error: e.last_error.clone(),
    }
}

impl Relay {
    pub fn new(db: DatabaseConnection, sink: Arc<dyn Sink>, config: RelayConfig) -> Relay {
        Relay { db, sink, config }
    }

    fn backoff(&self, attempts: i32) -> Duration {
        let factor = 2u32.saturating_pow(attempts.saturating_sub(1).clamp(0, 20) as u32);
        self.config.base_backoff.saturating_mul(factor).min(self.config.max_backoff)
    }

    /// Claims the due events: each gets a lease and one more attempt counted.
    async fn claim(&self) -> Result<Vec<outbox_event::Model>> {
        let mut due = Query::select();
        due.column(outbox_event::Column::Id)
            .from(outbox_event::Entity)
            .and_where(outbox_event::Column::DeliverTime.is_null())
            .and_where(outbox_event::Column::NextAttemptTime.lte(time::now()))
            .order_by(outbox_event::Column::NextAttemptTime, sea_orm::Order::Asc)
            .order_by(outbox_event::Column::Id, sea_orm::Order::Asc)
            .limit(self.config.batch);
        if self.db.get_database_backend() == DbBackend::Postgres {
            // Concurrent relays skip each other's rows instead of waiting.
            due.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
        }
        let claimed = outbox_event::Entity::update_many()
            .col_expr(outbox_event::Column::NextAttemptTime, Expr::value(after(self.config.lease)))
            .col_expr(outbox_event::Column::Attempts, Expr::col(outbox_event::Column::Attempts).add(1))
            .filter(outbox_event::Column::Id.in_subquery(due))
            .exec_with_returning(&self.db)
            .await?;
        Ok(claimed)
    }

    /// One round: claim, deliver, record. Answers how many were delivered.
    pub async fn run_once(&self) -> Result<usize> {
        let mut claimed = self.claim().await?;
        claimed.sort_by_key(|e| e.id);
        let mut delivered = 0;
        for event in claimed {
            let outcome = self.sink.deliver(&to_proto(&event)).await;
            let update = outbox_event::Entity::update_many().filter(outbox_event::Column::Id.eq(event.id));
            match outcome {
                Ok(()) => {
                    update
                        .col_expr(outbox_event::Column::DeliverTime, Expr::value(Some(time::now())))
                        .col_expr(outbox_event::Column::LastError, Expr::value(String::new()))
                        .exec(&self.db)
                        .await?;
                    delivered += 1;
                }
                Err(e) => {
                    let retry = after(self.backoff(event.attempts));
                    tracing::warn!(event_id = %event.id, topic = %event.topic, attempts = event.attempts, error = %e, "event delivery failed; will retry");
                    update
                        .col_expr(outbox_event::Column::NextAttemptTime, Expr::value(retry))
                        .col_expr(outbox_event::Column::LastError, Expr::value(format!("{e:#}")))
                        .exec(&self.db)
                        .await?;
                }
            }
        }
        Ok(delivered)
    }

    /// Runs rounds until `stop` turns true.
    pub fn spawn(self, mut stop: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            loop {
                let pause = match self.run_once().await {
                    Ok(n) if n > 0 => Duration::ZERO,
                    Ok(_) => self.config.poll_interval,
                    Err(e) => {
                        tracing::warn!(error = %e, "outbox relay round failed");
                        self.config.poll_interval
                    }
                };
                tokio::select! {
                    _ = tokio::time::sleep(pause) => {}
                    _ = stop.wait_for(|s| *s) => return,
                }
            }
        })
    }

    /// Events not delivered yet, oldest first (for tests and ops).
    pub async fn pending(&self) -> Result<Vec<outbox_event::Model>> {
        Ok(outbox_event::Entity::find()
            .filter(outbox_event::Column::DeliverTime.is_null())
            .order_by_asc(outbox_event::Column::Id)
            .all(&self.db)
            .await?)
    }
}

/// Delivers over gRPC to a consuming service's `EventSinkService`, as the
/// system itself (an ops caller with the nil user id).
pub struct GrpcSink {
    client: EventSinkServiceClient<
        tonic::service::interceptor::InterceptedService<tonic::transport::Channel, CallerInterceptor>,
    >,
}

impl GrpcSink {
    pub fn new(channel: tonic::transport::Channel, key: &InternalKey) -> anyhow::Result<GrpcSink> {
        Ok(GrpcSink {
            client: EventSinkServiceClient::with_interceptor(channel, CallerInterceptor::new(key, &Caller::system())?),
        })
    }
}

#[tonic::async_trait]
impl Sink for GrpcSink {
    async fn deliver(&self, event: &pb::Event) -> anyhow::Result<()> {
        self.client.clone().deliver_event(pb::DeliverEventRequest { event: Some(event.clone()) }).await?;
        Ok(())
    }
}
