//! Stage changes that follow the primary quote and its order: the automatic
//! stages.
//!
//! | event (outbox topic) | moves the project to |
//! |---|---|
//! | `quote.contract_sent` (the primary quote's) | Contract out |
//! | `order.placed` (from the primary quote) | Order Management |
//! | `order.completed` (that order) | Closed won |
//! | `order.cancelled` (that order) | back to Contract out, from Order Management |
//!
//! The consumer decides which events concern the project (its primary quote,
//! the order placed from it); this module decides what they do:
//!
//! - **Forward only, idempotent**: an event whose stage the project has
//!   already reached or passed changes nothing, so a redelivered event and
//!   one overtaken by a later one (an `order.completed` before its
//!   `order.placed`) are harmless. An event may jump several stages: an order
//!   placed while the project is still in Proposal takes it straight to Order
//!   Management.
//! - **Closed is final**: a project closed won or lost ignores every event;
//!   a user who closed it as lost decided, and an order does not undo that.
//! - **Gates still hold**: an event that takes the project out of a manual
//!   stage leaves it forward, so the gates of every manual stage it leaves
//!   apply. This is where Proposal's gate (Verbal Agreement) bites, since
//!   only the contract being sent ever leaves Proposal forward. The event
//!   cannot be refused (it happened elsewhere), so it is **held**: the
//!   project stays where it is, and the consumer keeps the latest held event
//!   and applies it again whenever a gate field changes; once the gates are
//!   open it moves the project. An `order.cancelled` drops a held
//!   `order.placed`/`order.completed`.
//! - **A cancelled order** takes a project in Order Management back to
//!   Contract out: the contract is still out and a new order can be placed.
//!   Anywhere else it changes nothing (no order had moved the project).

use super::{
    gates::{Gate, ProjectFacts},
    moves::Move,
    stage::Stage,
};

prm_kit::text_enum!(
    /// An event of another service that moves a project by itself, named by
    /// its outbox topic.
    AutoEvent {
        ContractSent => "quote.contract_sent",
        OrderPlaced => "order.placed",
        OrderCompleted => "order.completed",
        OrderCancelled => "order.cancelled",
    }
);

impl AutoEvent {
    pub const ALL: [AutoEvent; 4] =
        [AutoEvent::ContractSent, AutoEvent::OrderPlaced, AutoEvent::OrderCompleted, AutoEvent::OrderCancelled];

    /// The stage a forward event leads to; `None` for a cancelled order.
    pub fn target(self) -> Option<Stage> {
        match self {
            AutoEvent::ContractSent => Some(Stage::ContractOut),
            AutoEvent::OrderPlaced => Some(Stage::OrderManagement),
            AutoEvent::OrderCompleted => Some(Stage::ClosedWon),
            AutoEvent::OrderCancelled => None,
        }
    }
}

/// What an event does to a project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The project changes stage.
    Moved(Move),
    /// The project would leave a stage whose gate is shut: it stays, and the
    /// event waits for the missing fields (see the module notes).
    Held { event: AutoEvent, missing: Vec<Gate> },
    /// Nothing changes.
    Ignored(Ignored),
}

/// Why an event changes nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ignored {
    /// The project is closed (won or lost).
    Closed,
    /// The project is already in the event's stage or past it.
    AlreadyReached,
    /// An order was cancelled, but no order had moved the project.
    NoOrderInProgress,
}

impl Outcome {
    /// One line for logs and the project's history.
    pub fn explain(&self) -> String {
        match self {
            Outcome::Moved(m) => format!("moved from {} to {}", m.from().label(), m.to().label()),
            Outcome::Held { event, missing } => {
                let needs: Vec<String> =
                    missing.iter().map(|g| format!("leaving {} needs {}", g.stage().label(), g.missing())).collect();
                format!("{event} held: {}", needs.join("; "))
            }
            Outcome::Ignored(Ignored::Closed) => "ignored: the project is closed".into(),
            Outcome::Ignored(Ignored::AlreadyReached) => "ignored: the project is already there or past it".into(),
            Outcome::Ignored(Ignored::NoOrderInProgress) => "ignored: no order had moved the project".into(),
        }
    }
}

/// What `event` does to the project described by `facts`.
pub fn apply_event(facts: &ProjectFacts, event: AutoEvent) -> Outcome {
    let record_type = facts.record_type();
    let from = facts.stage();
    if from.is_closed() {
        return Outcome::Ignored(Ignored::Closed);
    }
    let Some(to) = event.target() else {
        return if from == Stage::OrderManagement {
            Outcome::Moved(Move::new(record_type, from, Stage::ContractOut))
        } else {
            Outcome::Ignored(Ignored::NoOrderInProgress)
        };
    };
    // An open stage and an automatic one are on every path.
    let (Some(i), Some(j)) = (record_type.index_of(from), record_type.index_of(to)) else {
        unreachable!("{from} and {to} are on the {record_type} path");
    };
    if i >= j {
        return Outcome::Ignored(Ignored::AlreadyReached);
    }
    let missing: Vec<Gate> =
        record_type.path()[i..j].iter().filter_map(|s| Gate::leaving(*s)).filter(|g| !g.is_met(facts)).collect();
    if !missing.is_empty() {
        return Outcome::Held { event, missing };
    }
    Outcome::Moved(Move::new(record_type, from, to))
}

#[cfg(test)]
mod tests {
    use super::{AutoEvent::*, Ignored::*, *};
    use crate::domain::{
        gates::{Amount, UserCount},
        probability::Probabilities,
        stage::{Position, RecordType, Stage::*},
    };

    fn at(record_type: RecordType, stage: Stage) -> ProjectFacts {
        ProjectFacts::new(Position::new(record_type, stage).unwrap())
    }

    fn ready(record_type: RecordType, stage: Stage) -> ProjectFacts {
        ProjectFacts {
            users_of_poc: Some(UserCount::parse("u", 5).unwrap()),
            amount_mrr: None,
            capex: Some(Amount::parse("c", "900").unwrap()),
            verbal_agreement: true,
            ..at(record_type, stage)
        }
    }

    /// Expected with every gate open: `Ok(stage moved to)` or `Err(why ignored)`.
    fn expected(from: Stage, event: AutoEvent) -> Result<Stage, Ignored> {
        match (from, event) {
            (ClosedWon | ClosedLost, _) => Err(Closed),
            (IntroQualification | Demo | ProjectPresentation | Presentation | Proposal, ContractSent) => {
                Ok(ContractOut)
            }
            (ContractOut | OrderManagement, ContractSent) => Err(AlreadyReached),
            (IntroQualification | Demo | ProjectPresentation | Presentation | Proposal | ContractOut, OrderPlaced) => {
                Ok(OrderManagement)
            }
            (OrderManagement, OrderPlaced) => Err(AlreadyReached),
            (_, OrderCompleted) => Ok(ClosedWon),
            (OrderManagement, OrderCancelled) => Ok(ContractOut),
            (_, OrderCancelled) => Err(NoOrderInProgress),
        }
    }

    #[test]
    fn every_event_from_every_stage_with_the_gates_open() {
        for rt in RecordType::ALL {
            for from in rt.stages() {
                for event in AutoEvent::ALL {
                    let got = apply_event(&ready(rt, from), event);
                    let want = match expected(from, event) {
                        Ok(to) => Outcome::Moved(Move::new(rt, from, to)),
                        Err(why) => Outcome::Ignored(why),
                    };
                    assert_eq!(got, want, "{rt}: {event} in {from}");
                }
            }
        }
    }

    /// The gates an event must pass when nothing is filled in, by hand.
    fn shut_gates(from: Stage) -> Vec<Gate> {
        match from {
            IntroQualification => vec![Gate::UsersOfPoc, Gate::AmountMrrOrCapex, Gate::VerbalAgreement],
            Demo => vec![Gate::AmountMrrOrCapex, Gate::VerbalAgreement],
            ProjectPresentation | Presentation | Proposal => vec![Gate::VerbalAgreement],
            _ => vec![],
        }
    }

    #[test]
    fn every_event_from_every_stage_with_the_gates_shut() {
        for rt in RecordType::ALL {
            for from in rt.stages() {
                for event in AutoEvent::ALL {
                    let got = apply_event(&at(rt, from), event);
                    let want = match expected(from, event) {
                        Ok(_) if !shut_gates(from).is_empty() => Outcome::Held { event, missing: shut_gates(from) },
                        Ok(to) => Outcome::Moved(Move::new(rt, from, to)),
                        Err(why) => Outcome::Ignored(why),
                    };
                    assert_eq!(got, want, "{rt}: {event} in {from}");
                }
            }
        }
    }

    #[test]
    fn a_contract_sent_without_verbal_agreement_waits_for_it() {
        let mut f = ready(RecordType::ExistingCustomer, Proposal);
        f.verbal_agreement = false;
        let held = apply_event(&f, ContractSent);
        assert_eq!(held, Outcome::Held { event: ContractSent, missing: vec![Gate::VerbalAgreement] });
        let note = held.explain();
        assert!(note.contains("leaving Proposal needs Verbal Agreement"), "{note}");
        f.verbal_agreement = true;
        let m = match apply_event(&f, ContractSent) {
            Outcome::Moved(m) => m,
            other => panic!("{other:?}"),
        };
        assert_eq!((m.from(), m.to()), (Proposal, ContractOut));
        assert_eq!(m.probability(&Probabilities::default()).get(), 80);
    }

    #[test]
    fn the_whole_automatic_sequence_and_a_cancelled_order() {
        let rt = RecordType::NewBusiness;
        let mut f = ready(rt, Proposal);
        let p = Probabilities::default();
        let mut seen = vec![];
        for event in
            [ContractSent, ContractSent, OrderPlaced, OrderCancelled, OrderPlaced, OrderCompleted, OrderCancelled]
        {
            match apply_event(&f, event) {
                Outcome::Moved(m) => {
                    f.position = Position::new(rt, m.to()).unwrap();
                    seen.push((m.to(), m.probability(&p).get()));
                }
                Outcome::Ignored(_) => seen.push((f.stage(), 255)),
                Outcome::Held { .. } => panic!("gates are open"),
            }
        }
        assert_eq!(
            seen,
            [
                (ContractOut, 80),
                (ContractOut, 255), // redelivered
                (OrderManagement, 90),
                (ContractOut, 80), // cancelled: back, the contract is still out
                (OrderManagement, 90),
                (ClosedWon, 100),
                (ClosedWon, 255), // closed is final
            ]
        );
    }

    #[test]
    fn events_are_named_by_their_topics() {
        for n in AutoEvent::NAMES {
            assert_eq!(n.parse::<AutoEvent>().unwrap().as_str(), *n);
        }
        assert_eq!("order.placed".parse::<AutoEvent>().unwrap(), OrderPlaced);
        assert!("quote.accepted".parse::<AutoEvent>().is_err());
        let names: Vec<&str> = AutoEvent::ALL.iter().map(|e| e.as_str()).collect();
        assert_eq!(names, AutoEvent::NAMES);
    }
}
