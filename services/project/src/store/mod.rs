//! Storage of the project service: entities, migrations, the vendor
//! settings, and the way a stored project becomes the facts the rules of
//! [`crate::domain`] reason about. Reads and edits of projects go through the
//! kit's owned-record helpers, which apply tenancy.

mod entities;
mod indexing;
mod migration;

pub use entities::{project, project_contact, project_view, setting};
pub use indexing::{BackfillSearch, Searchable, index};
pub use migration::Migrator;

use std::str::FromStr;

use chrono::NaiveDate;
use prm_kit::{
    Caller, Error, Result,
    money::{self, Currency, from_units, to_units},
    owned::{self, OwnedEntity},
    record::{self, FieldDiff, RecordAccess, RecordInfo},
    time,
};
use prm_proto::common::v1::RecordType as Kind;
use sea_orm::{ActiveValue::Set, ConnectionTrait, DatabaseConnection, EntityTrait, sea_query::OnConflict};
use uuid::Uuid;

use crate::domain::{
    Amount, AutoEvent, BonusPipeline, DemoAnswers, DemoDone, DemoQuestions, InterestedSolutions, Move, Outcome,
    Percent, Position, Probabilities, ProjectFacts, RecordType, Stage, UserCount, Waps, cost, events,
};

impl OwnedEntity for project::Entity {
    const KIND: Kind = Kind::Project;
    const ID: project::Column = project::Column::Id;
    const PARTNER_ID: project::Column = project::Column::PartnerId;
    const OWNER_ID: project::Column = project::Column::OwnerId;
    const UPDATE_TIME: project::Column = project::Column::UpdateTime;
    const ACCOUNT_ID: Option<project::Column> = Some(project::Column::AccountId);

    fn document(row: &project::Model) -> Option<prm_kit::search::Document> {
        Some(Searchable::from(row).document())
    }
}

/// A stored value that the rules refuse: the row was written wrong.
fn corrupt(what: &str, e: impl std::fmt::Display) -> Error {
    Error::Internal(anyhow::anyhow!("stored {what} is invalid: {e}"))
}

impl project::Model {
    pub fn position(&self) -> Result<Position> {
        let rt = RecordType::from_str(&self.record_type).map_err(|e| corrupt("record type", e))?;
        let stage = Stage::from_str(&self.stage).map_err(|e| corrupt("stage", e))?;
        Position::new(rt, stage).map_err(|e| corrupt("stage", e))
    }

    /// What the gates and events look at.
    pub fn facts(&self) -> Result<ProjectFacts> {
        let amount = |units: Option<i64>, field| units.map(|u| Amount::from_decimal(field, from_units(u))).transpose();
        Ok(ProjectFacts {
            users_of_poc: self
                .users_of_poc
                .map(|n| UserCount::parse("users_of_poc", n.into()))
                .transpose()
                .map_err(|e| corrupt("users of POC", e))?,
            amount_mrr: amount(self.amount_mrr_units, "amount_mrr").map_err(|e| corrupt("amount MRR", e))?,
            capex: amount(self.capex_units, "capex").map_err(|e| corrupt("capex", e))?,
            verbal_agreement: self.verbal_agreement,
            ..ProjectFacts::new(self.position()?)
        })
    }

    pub fn total_users(&self) -> Result<UserCount> {
        UserCount::parse("total_users", self.total_users.into()).map_err(|e| corrupt("total users", e))
    }

    pub fn probability(&self) -> Result<Percent> {
        Percent::parse("probability", self.probability.into()).map_err(|e| corrupt("probability", e))
    }

    pub fn interested(&self) -> InterestedSolutions {
        InterestedSolutions {
            licenses: self.solution_licenses,
            hwaas: self.solution_hwaas,
            classound: self.solution_classound,
        }
    }

    pub fn set_interested(&mut self, s: InterestedSolutions) {
        self.solution_licenses = s.licenses;
        self.solution_hwaas = s.hwaas;
        self.solution_classound = s.classound;
    }

    pub fn answers(&self) -> Result<DemoAnswers> {
        let map: std::collections::BTreeMap<Uuid, String> =
            serde_json::from_str(&self.demo_answers).map_err(|e| corrupt("demo answers", e))?;
        DemoAnswers::restore(map).map_err(|e| corrupt("demo answers", e))
    }

    pub fn set_answers(&mut self, answers: &DemoAnswers) {
        let map: std::collections::BTreeMap<String, &str> =
            answers.iter().map(|(id, text)| (id.to_string(), text)).collect();
        self.demo_answers = serde_json::to_string(&map).expect("answers serialise");
    }

    pub fn bonus(&self) -> Result<BonusPipeline> {
        let demo = match (&self.demo_date, self.pipeline_mrr_units) {
            (Some(date), Some(units)) => Some(DemoDone {
                date: NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|e| corrupt("demo date", e))?,
                pipeline_mrr: from_units(units),
            }),
            _ => None,
        };
        Ok(BonusPipeline::restore(demo, self.approved_by_am))
    }
}

impl project::Model {
    /// Recomputes Cost Info: Expected MRR from `waps` when given (else the
    /// stored one stands), MRR from it or the primary quote, and the
    /// Weighted Pipeline at the current probability.
    pub fn recompute(&mut self, waps: Option<&Waps>) -> Result<()> {
        let currency = self.currency()?;
        let expected = match waps {
            Some(w) => cost::expected_mrr(self.total_users()?, &self.interested(), w, currency),
            None => from_units(self.expected_mrr_units),
        };
        let mrr = cost::mrr(expected, self.primary_quote_mrr_units.map(from_units));
        self.expected_mrr_units = to_units("expected_mrr", expected)?;
        self.mrr_units = to_units("mrr", mrr)?;
        self.weighted_pipeline_units =
            to_units("weighted_pipeline", cost::weighted_pipeline(mrr, self.probability()?, currency))?;
        Ok(())
    }

    /// The currency the project was created in (checked then).
    pub fn currency(&self) -> Result<Currency> {
        Currency::parse("currency_code", &self.currency).map_err(|e| corrupt("currency", e))
    }

    /// Carries out a stage change the rules allowed: the stage's default
    /// probability, Demo Done when it leaves Demo with the answers given,
    /// and Cost Info at the new probability.
    pub fn apply_move(&mut self, mv: Move, settings: &Settings, today: NaiveDate) -> Result<()> {
        self.stage = mv.to().to_string();
        self.probability = mv.probability(&settings.probabilities).get().into();
        let mut bonus = self.bonus()?;
        if bonus.after_move(mv, &settings.questions, &self.answers()?, today, from_units(self.mrr_units))
            && let Some(done) = bonus.demo()
        {
            self.demo_date = Some(done.date.format("%Y-%m-%d").to_string());
            self.pipeline_mrr_units = Some(to_units("pipeline_mrr", done.pipeline_mrr)?);
        }
        self.recompute(None)
    }

    /// Applies an automatic-stage event (see [`crate::domain::events`]):
    /// moves, holds it until a gate opens, or lets it go.
    pub fn apply_event(&mut self, event: AutoEvent, settings: &Settings, today: NaiveDate) -> Result<Outcome> {
        let outcome = events::apply_event(&self.facts()?, event);
        match &outcome {
            Outcome::Moved(mv) => {
                self.apply_move(*mv, settings, today)?;
                self.held_event.clear();
            }
            Outcome::Held { event, .. } => self.held_event = event.to_string(),
            Outcome::Ignored(_) => {
                // A cancelled order drops the order events it would undo.
                let held = AutoEvent::from_str(&self.held_event).ok();
                if event == AutoEvent::OrderCancelled
                    && matches!(held, Some(AutoEvent::OrderPlaced | AutoEvent::OrderCompleted))
                {
                    self.held_event.clear();
                }
            }
        }
        Ok(outcome)
    }

    /// After a gate field changed: a held event tries again.
    pub fn retry_held(&mut self, settings: &Settings, today: NaiveDate) -> Result<()> {
        let Ok(event) = AutoEvent::from_str(&self.held_event) else {
            return Ok(());
        };
        if let Outcome::Ignored(_) = self.apply_event(event, settings, today)? {
            self.held_event.clear();
        }
        Ok(())
    }

    /// The fields whose every change is kept in the history, as people read them.
    pub fn tracked(&self) -> Vec<(&'static str, String)> {
        let money = |u: Option<i64>| u.map(|u| money::write_units(&self.currency, u)).unwrap_or_default();
        vec![
            ("name", self.name.clone()),
            ("account_id", self.account_id.to_string()),
            ("stage", self.stage.clone()),
            ("probability", self.probability.to_string()),
            ("close_date", self.close_date.clone()),
            ("total_users", self.total_users.to_string()),
            ("users_of_poc", self.users_of_poc.map(|n| n.to_string()).unwrap_or_default()),
            (
                "interested_solutions",
                self.interested().selected().iter().map(|s| s.to_string()).collect::<Vec<_>>().join(", "),
            ),
            ("amount_mrr", money(self.amount_mrr_units)),
            ("capex", money(self.capex_units)),
            ("verbal_agreement", self.verbal_agreement.to_string()),
            ("expected_mrr", money(Some(self.expected_mrr_units))),
            ("mrr", money(Some(self.mrr_units))),
            ("primary_quote_id", self.primary_quote_id.map(|q| q.to_string()).unwrap_or_default()),
            ("demo_date", self.demo_date.clone().unwrap_or_default()),
            ("pipeline_mrr", money(self.pipeline_mrr_units)),
            ("approved_by_am", self.approved_by_am.to_string()),
            ("lost_reason", self.lost_reason.clone()),
            ("held_event", self.held_event.clone()),
            ("next_step", self.next_step.clone()),
        ]
    }

    /// The tracked fields that differ from `before`.
    pub fn changes_since(&self, before: &project::Model) -> Vec<FieldDiff> {
        let pairs: Vec<(&'static str, String, String)> =
            before.tracked().into_iter().zip(self.tracked()).map(|((f, old), (_, new))| (f, old, new)).collect();
        record::diff(&pairs)
    }
}

/// Resolves projects for the kit's record features.
pub struct Access {
    db: DatabaseConnection,
}

impl Access {
    pub fn new(db: DatabaseConnection) -> Self {
        Access { db }
    }
}

#[tonic::async_trait]
impl RecordAccess for Access {
    async fn find(&self, caller: &Caller, kind: Kind, id: Uuid) -> Result<RecordInfo> {
        match kind {
            Kind::Project => owned::record_info::<project::Entity, _>(&self.db, caller, id).await,
            _ => Err(Error::NotFound),
        }
    }
}

const PROBABILITIES: &str = "probabilities";
const DEMO_QUESTIONS: &str = "demo_questions";

/// The vendor's settings: default probability per stage and the Demo
/// Answers questions; the defaults until a vendor admin changes them.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub probabilities: Probabilities,
    pub questions: DemoQuestions,
}

impl Settings {
    pub async fn load<C: ConnectionTrait>(conn: &C) -> Result<Settings> {
        let rows = setting::Entity::find().all(conn).await?;
        let mut out = Settings::default();
        for row in rows {
            match row.key.as_str() {
                PROBABILITIES => {
                    let table: std::collections::BTreeMap<String, i64> =
                        serde_json::from_str(&row.value).map_err(|e| corrupt("probabilities", e))?;
                    for (stage, p) in table {
                        let stage = Stage::from_str(&stage).map_err(|e| corrupt("probabilities", e))?;
                        let p = Percent::parse("probability", p).map_err(|e| corrupt("probabilities", e))?;
                        out.probabilities =
                            out.probabilities.with(stage, p).map_err(|e| corrupt("probabilities", e))?;
                    }
                }
                DEMO_QUESTIONS => {
                    let list: Vec<(Uuid, String)> =
                        serde_json::from_str(&row.value).map_err(|e| corrupt("demo questions", e))?;
                    out.questions = DemoQuestions::new(list).map_err(|e| corrupt("demo questions", e))?;
                }
                _ => {}
            }
        }
        Ok(out)
    }

    pub async fn save<C: ConnectionTrait>(&self, conn: &C) -> Result<()> {
        let probabilities: std::collections::BTreeMap<String, u8> =
            self.probabilities.iter().map(|(s, p)| (s.to_string(), p.get())).collect();
        let questions: Vec<(Uuid, &str)> = self.questions.iter().map(|q| (q.id(), q.text())).collect();
        for (key, value) in [
            (PROBABILITIES, serde_json::to_string(&probabilities).expect("serialises")),
            (DEMO_QUESTIONS, serde_json::to_string(&questions).expect("serialises")),
        ] {
            let row = setting::ActiveModel { key: Set(key.into()), value: Set(value), update_time: Set(time::now()) };
            setting::Entity::insert(row)
                .on_conflict(
                    OnConflict::column(setting::Column::Key)
                        .update_columns([setting::Column::Value, setting::Column::UpdateTime])
                        .to_owned(),
                )
                .exec(conn)
                .await?;
        }
        Ok(())
    }
}
