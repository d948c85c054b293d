//! The consumer of the quote, order and account services' events
//! (`prm.outbox.v1.EventSinkService`): the primary quote's MRR becomes the
//! project's MRR, the contract sent, the order placed, completed or
//! cancelled move the project through the automatic stages, and a deleted
//! contact leaves the contact roles.
//!
//! Delivery is at least once, in no guaranteed order. Each event id is
//! applied once (`outbox::accept_once`, in the transaction of the change),
//! and the primary quote is read from the quote service when an event
//! arrives rather than taken from the payload, so a late or repeated event
//! never writes an old MRR over a newer one. An event that arrives while this
//! service is down stays in its publisher's outbox and is retried.

use std::str::FromStr;

use prm_kit::{Caller, Error, Result, Role, money::to_units, outbox, owned, record, record::parse_id, time};
use prm_proto::{
    common::v1::RecordType as Kind,
    outbox::v1::{self as pb, event_sink_service_server::EventSinkService},
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait,
};
use serde::Deserialize;
use tonic::{Request, Response, Status};
use uuid::Uuid;

use crate::{
    domain::AutoEvent,
    grpc::Clients,
    store::{Settings, project, project_contact},
};

pub struct EventSink {
    db: DatabaseConnection,
    clients: Clients,
}

impl EventSink {
    pub fn new(db: DatabaseConnection, clients: Clients) -> Self {
        EventSink { db, clients }
    }
}

/// The fields of quote and order events that concern projects.
#[derive(Debug, Deserialize)]
struct Payload {
    #[serde(default)]
    project_id: Option<Uuid>,
    #[serde(default)]
    partner_id: Option<Uuid>,
    #[serde(default)]
    quote_id: Option<Uuid>,
    #[serde(default)]
    primary: Option<bool>,
    #[serde(default)]
    currency_code: Option<String>,
    #[serde(default)]
    contact_id: Option<Uuid>,
}

/// What an event asks of a project.
enum Action {
    /// Follow the primary quote (which quote, and its MRR).
    RefreshPrimary,
    /// An automatic stage event; order events name the quote they came from.
    Stage(AutoEvent),
    /// The vendor's WAPs of a currency changed: Expected MRR of its projects.
    Waps(String),
    /// A contact was deleted: it leaves the contact roles of its partner's projects.
    ContactDeleted(Uuid),
    Nothing,
}

fn action(topic: &str, p: &Payload) -> Action {
    match topic {
        "quote.primary_changed" | "quote.primary_mrr_changed" => Action::RefreshPrimary,
        "quote.waps_changed" => p.currency_code.clone().map(Action::Waps).unwrap_or(Action::Nothing),
        "contact.deleted" => p.contact_id.map(Action::ContactDeleted).unwrap_or(Action::Nothing),
        // Only the primary quote's contract moves the project.
        "quote.contract_sent" if p.primary == Some(true) => Action::Stage(AutoEvent::ContractSent),
        "order.placed" | "order.completed" | "order.cancelled" => {
            AutoEvent::from_str(topic).map(Action::Stage).unwrap_or(Action::Nothing)
        }
        _ => Action::Nothing,
    }
}

impl EventSink {
    /// Applies one event; false when its id had been applied before.
    async fn apply(&self, event_id: Uuid, topic: &str, p: Payload) -> Result<bool> {
        match action(topic, &p) {
            Action::Waps(currency) => return self.recompute_currency(event_id, topic, &currency).await,
            Action::ContactDeleted(contact_id) => {
                return self.remove_contact(event_id, topic, contact_id, p.partner_id).await;
            }
            _ => {}
        }
        let project_id = p.project_id.filter(|id| !id.is_nil());
        let system = Caller::system();
        let (action, project_id) = match (action(topic, &p), project_id) {
            (Action::Nothing, _) | (_, None) => (Action::Nothing, Uuid::nil()),
            (a, Some(id)) => (a, id),
        };
        let current = match action {
            Action::Nothing => None,
            _ => project::Entity::find_by_id(project_id).one(&self.db).await?,
        };
        // An event of another partner's quote or order never touches a
        // project (its id may have been named by mistake or on purpose).
        let current = match current {
            Some(c) if p.partner_id == Some(c.partner_id) => Some(c),
            Some(c) => {
                tracing::warn!(project_id = %c.id, event_partner = ?p.partner_id, %topic, "ignored: the event is of another partner");
                None
            }
            None => None,
        };
        let Some(current) = current else {
            // Not about a project of ours (a stock order, a deleted project):
            // recorded as seen, nothing to do.
            let txn = prm_kit::db::begin_write(&self.db).await?;
            let fresh = outbox::accept_once(&txn, event_id, topic).await?;
            txn.commit().await?;
            return Ok(fresh);
        };
        // Calls to the quote service happen before the transaction.
        let primary = match &action {
            Action::RefreshPrimary => Some(self.clients.primary_quote(project_id, current.partner_id).await?),
            Action::Stage(AutoEvent::OrderPlaced | AutoEvent::OrderCompleted | AutoEvent::OrderCancelled)
                if current.primary_quote_id.is_none() || current.primary_quote_id != p.quote_id =>
            {
                Some(self.clients.primary_quote(project_id, current.partner_id).await?)
            }
            _ => None,
        };
        let primary = match primary {
            Some(q) => Some(PrimaryQuote::of(q.as_ref())?),
            None => None,
        };
        let waps = match &primary {
            Some(PrimaryQuote { currency: Some(c), .. }) if *c != current.currency => {
                Some(self.clients.waps(&system, c).await?)
            }
            _ => None,
        };
        let settings = Settings::load(&self.db).await?;

        let txn = prm_kit::db::begin_write(&self.db).await?;
        if !outbox::accept_once(&txn, event_id, topic).await? {
            return Ok(false);
        }
        let Ok(current) = owned::find_for_update::<project::Entity, _>(&txn, &system, project_id).await else {
            txn.commit().await?;
            return Ok(true);
        };
        let mut next = current.clone();
        if let Some(q) = &primary {
            q.write_into(&mut next)?;
        }
        next.recompute(waps.as_ref())?;
        if let Action::Stage(event) = action {
            // Order events count only for an order of the primary quote.
            let of_primary =
                event == AutoEvent::ContractSent || (p.quote_id.is_some() && next.primary_quote_id == p.quote_id);
            if of_primary {
                let outcome = next.apply_event(event, &settings, time::now().date_naive())?;
                tracing::info!(project_id = %project_id, %topic, outcome = %outcome.explain(), "event applied");
            } else {
                tracing::info!(project_id = %project_id, %topic, "ignored: the order is not of the primary quote");
            }
        }
        let changes = next.changes_since(&current);
        if !changes.is_empty() || next.currency != current.currency {
            next.update_time = time::now();
            next.clone().into_active_model().reset_all().update(&txn).await?;
            // The stage shows in the project's search result.
            crate::store::index(&txn, &next).await?;
            record::write_history(&txn, Kind::Project, project_id, next.partner_id, system.user_id, &changes).await?;
        }
        txn.commit().await?;
        Ok(true)
    }
}

impl EventSink {
    /// Recomputes Cost Info of every project in `currency` with the WAPs the
    /// quote service has now (so a late event never brings old prices back),
    /// a page per transaction. Recomputing is idempotent, so an attempt cut
    /// short (the relay's deadline on a very large book) leaves finished
    /// pages behind and the retry skips them; the event counts as applied
    /// once every page is done.
    async fn recompute_currency(&self, event_id: Uuid, topic: &str, currency: &str) -> Result<bool> {
        const PAGE: u64 = 500;
        let system = Caller::system();
        let waps = self.clients.waps(&system, currency).await?;
        let mut after = Uuid::nil();
        let mut changed = 0usize;
        loop {
            let txn = prm_kit::db::begin_write(&self.db).await?;
            let page = project::Entity::find()
                .filter(project::Column::Currency.eq(currency))
                .filter(project::Column::Id.gt(after))
                .order_by_asc(project::Column::Id)
                .limit(PAGE)
                .all(&txn)
                .await?;
            let Some(last) = page.last() else {
                txn.commit().await?;
                break;
            };
            after = last.id;
            for current in &page {
                let mut next = current.clone();
                next.recompute(Some(&waps))?;
                let changes = next.changes_since(current);
                if changes.is_empty() {
                    continue;
                }
                next.update_time = time::now();
                next.into_active_model().reset_all().update(&txn).await?;
                record::write_history(&txn, Kind::Project, current.id, current.partner_id, system.user_id, &changes)
                    .await?;
                changed += 1;
            }
            txn.commit().await?;
        }
        let txn = prm_kit::db::begin_write(&self.db).await?;
        let fresh = outbox::accept_once(&txn, event_id, topic).await?;
        txn.commit().await?;
        tracing::info!(%currency, projects = changed, "Expected MRR recomputed for new WAPs");
        Ok(fresh)
    }
}

impl EventSink {
    /// A deleted contact leaves every contact role of its partner's projects
    /// (only that partner's: a contact id is never trusted across partners).
    async fn remove_contact(
        &self,
        event_id: Uuid,
        topic: &str,
        contact_id: Uuid,
        partner_id: Option<Uuid>,
    ) -> Result<bool> {
        let txn = prm_kit::db::begin_write(&self.db).await?;
        let fresh = outbox::accept_once(&txn, event_id, topic).await?;
        if let (true, Some(partner_id)) = (fresh, partner_id) {
            let of_partner = project::Entity::find()
                .select_only()
                .column(project::Column::Id)
                .filter(project::Column::PartnerId.eq(partner_id))
                .into_query();
            let removed = project_contact::Entity::delete_many()
                .filter(project_contact::Column::ContactId.eq(contact_id))
                .filter(project_contact::Column::ProjectId.in_subquery(of_partner))
                .exec(&txn)
                .await?;
            tracing::info!(%contact_id, roles = removed.rows_affected, "a deleted contact left its projects");
        }
        txn.commit().await?;
        Ok(fresh)
    }
}

/// The primary quote as the project keeps it.
struct PrimaryQuote {
    id: Option<Uuid>,
    mrr_units: Option<i64>,
    currency: Option<String>,
}

impl PrimaryQuote {
    fn of(q: Option<&prm_proto::quote::v1::Quote>) -> Result<PrimaryQuote> {
        let Some(q) = q else {
            return Ok(PrimaryQuote { id: None, mrr_units: None, currency: None });
        };
        let bad = |e: Error| Error::Internal(anyhow::anyhow!("the quote service sent a bad primary quote: {e}"));
        let id = parse_id(&q.id, "id").map_err(bad)?;
        let mrr = q.mrr.as_ref().map(|m| m.amount.as_str()).unwrap_or("0");
        let mrr = prm_kit::money::parse_amount("mrr", mrr).and_then(|d| to_units("mrr", d)).map_err(bad)?;
        Ok(PrimaryQuote { id: Some(id), mrr_units: Some(mrr), currency: Some(q.currency_code.clone()) })
    }

    /// MRR follows the primary quote, in its currency.
    fn write_into(&self, m: &mut project::Model) -> Result<()> {
        m.primary_quote_id = self.id;
        m.primary_quote_mrr_units = self.mrr_units;
        if let Some(c) = &self.currency {
            m.currency = c.clone();
        }
        Ok(())
    }
}

#[tonic::async_trait]
impl EventSinkService for EventSink {
    #[tracing::instrument(skip_all, fields(topic = tracing::field::Empty, event_id = tracing::field::Empty))]
    async fn deliver_event(
        &self,
        req: Request<pb::DeliverEventRequest>,
    ) -> std::result::Result<Response<pb::DeliverEventResponse>, Status> {
        let caller = Caller::of(&req)?;
        if caller.role != Role::Ops {
            return Err(Error::PermissionDenied("only the system delivers events".into()).into());
        }
        let event = req.into_inner().event.ok_or_else(|| Error::invalid("event", "is required"))?;
        let span = tracing::Span::current();
        span.record("topic", event.topic.as_str());
        span.record("event_id", event.id.as_str());
        let event_id = parse_id(&event.id, "event.id")?;
        let payload: Payload = serde_json::from_str(&event.payload_json)
            .map_err(|e| Error::invalid("event.payload_json", format!("is not an event payload: {e}")))?;
        let applied = self.apply(event_id, &event.topic, payload).await?;
        Ok(Response::new(pb::DeliverEventResponse { applied }))
    }
}
