//! Stage changes made by people: a drag on the Kanban board or an edit of
//! the stage field, both through [`move_by_user`]; and closing as lost,
//! through [`close_lost`].
//!
//! A user may move a project
//! - **forward to the next manual stage** of its path, if the gate of the
//!   stage it leaves is open ([`super::gates`]). One stage at a time: a
//!   skipped stage would skip its gate, and skipping Demo would skip the
//!   Demo Answers of the Bonus Pipeline;
//! - **back to any earlier manual stage**, with no gate: going back claims no
//!   progress, and the gates are checked again on the way forward.
//!
//! A user never moves a project into or out of an automatic stage (Contract
//! out, Order Management, Closed won): those follow the primary quote and its
//! order ([`super::events`]). A closed project (won or lost) does not move:
//! closing is final. Moving to the stage the project is already in is refused
//! rather than silently accepted, so a stale board learns it is stale.
//!
//! A user may close any open project as lost — manual or automatic stage —
//! with a reason; closing as lost passes no gate.

use prm_kit::{Error, Result};

use super::{
    gates::{Gate, ProjectFacts},
    probability::{Percent, Probabilities},
    stage::{RecordType, Stage},
};

/// An accepted stage change. Only the rules of this crate make one, so a
/// `Move` in hand is a move the rules allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Move {
    record_type: RecordType,
    from: Stage,
    to: Stage,
}

impl Move {
    pub(crate) fn new(record_type: RecordType, from: Stage, to: Stage) -> Move {
        Move { record_type, from, to }
    }

    pub fn record_type(self) -> RecordType {
        self.record_type
    }

    pub fn from(self) -> Stage {
        self.from
    }

    pub fn to(self) -> Stage {
        self.to
    }

    /// The project's probability after the move: the default of the stage
    /// it enters.
    pub fn probability(self, table: &Probabilities) -> Percent {
        table.of(self.to)
    }

    /// Does this move take the project on from Demo (from Demo or before it
    /// to a later stage of the path)? Going back or closing as lost does not.
    pub fn leaves_demo(self) -> bool {
        let path = |s| self.record_type.index_of(s);
        match (path(self.from), path(Stage::Demo), path(self.to)) {
            (Some(from), Some(demo), Some(to)) => from <= demo && demo < to,
            _ => false,
        }
    }
}

/// Checks a stage change asked for by a person; a refusal says why, and a
/// shut gate names the missing field.
pub fn move_by_user(facts: &ProjectFacts, to: Stage) -> Result<Move> {
    let record_type = facts.record_type();
    let from = facts.stage();
    let refuse = |m: String| Err(Error::FailedPrecondition(m));
    if from.is_closed() {
        return refuse(format!("the project is {}: a closed project does not change stage", from.label()));
    }
    if to == Stage::ClosedLost {
        return refuse("a project is closed as lost with a reason, not moved there".into());
    }
    // `from` is open, so on the path (a `Position` holds nothing else).
    let (Some(i), Some(j)) = (record_type.index_of(from), record_type.index_of(to)) else {
        return refuse(format!(
            "{} is not on the {} path ({})",
            to.label(),
            record_type.label(),
            record_type.describe_path()
        ));
    };
    if to == from {
        return refuse(format!("the project is already in {}", to.label()));
    }
    if to.is_automatic() {
        return refuse(format!("{}; no one moves a project there by hand", why_automatic(to)));
    }
    if from.is_automatic() {
        return refuse(format!(
            "the project is in {}, which follows the primary quote and its order; it can only be closed as lost by hand",
            from.label()
        ));
    }
    if j > i + 1 {
        let next = record_type.path()[i + 1];
        return refuse(format!(
            "a project moves forward one stage at a time: from {} the next stage is {}",
            from.label(),
            next.label()
        ));
    }
    if j == i + 1
        && let Some(gate) = Gate::leaving(from)
    {
        gate.check(facts)?;
    }
    Ok(Move::new(record_type, from, to))
}

/// What sets an automatic stage, for refusals.
pub fn why_automatic(stage: Stage) -> String {
    let cause = match stage {
        Stage::ContractOut => "the primary quote's contract is sent",
        Stage::OrderManagement => "an order is placed from the primary quote",
        Stage::ClosedWon => "that order is completed",
        _ => return format!("{} is not an automatic stage", stage.label()),
    };
    format!("{} follows when {cause}", stage.label())
}

/// Why a project was lost: required, trimmed, at most 1,000 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LostReason(String);

impl LostReason {
    pub const MAX_CHARS: usize = 1000;

    pub fn parse(field: &str, s: &str) -> Result<LostReason> {
        let v = prm_kit::text::paragraph(field, s, Self::MAX_CHARS)?;
        if v.is_empty() {
            return Err(Error::invalid(field, "is required: say why the project was lost"));
        }
        Ok(LostReason(v))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Closes an open project as lost. The reason is a [`LostReason`], so a
/// project is never lost without one.
pub fn close_lost(facts: &ProjectFacts, _reason: &LostReason) -> Result<Move> {
    let from = facts.stage();
    if from.is_closed() {
        return Err(Error::FailedPrecondition(format!("the project is already closed ({})", from.label())));
    }
    Ok(Move::new(facts.record_type(), from, Stage::ClosedLost))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{
        gates::{Amount, UserCount},
        stage::{Position, Stage::*},
    };

    fn at(record_type: RecordType, stage: Stage) -> ProjectFacts {
        ProjectFacts::new(Position::new(record_type, stage).unwrap())
    }

    /// Every gate field set.
    fn ready(record_type: RecordType, stage: Stage) -> ProjectFacts {
        ProjectFacts {
            users_of_poc: Some(UserCount::parse("u", 5).unwrap()),
            amount_mrr: Some(Amount::parse("a", "100").unwrap()),
            capex: None,
            verbal_agreement: true,
            ..at(record_type, stage)
        }
    }

    const NB: RecordType = RecordType::NewBusiness;
    const EC: RecordType = RecordType::ExistingCustomer;

    /// The moves a user may make, written out by hand from the rules.
    const NEW_BUSINESS_MOVES: &[(Stage, Stage)] = &[
        (IntroQualification, Demo),
        (Demo, IntroQualification),
        (Demo, ProjectPresentation),
        (ProjectPresentation, IntroQualification),
        (ProjectPresentation, Demo),
        (ProjectPresentation, Proposal),
        (Proposal, IntroQualification),
        (Proposal, Demo),
        (Proposal, ProjectPresentation),
    ];
    const EXISTING_CUSTOMER_MOVES: &[(Stage, Stage)] = &[(Presentation, Proposal), (Proposal, Presentation)];

    /// Of those, the ones that pass a gate (forward out of a gated stage).
    const GATED: &[(Stage, Stage)] = &[(IntroQualification, Demo), (Demo, ProjectPresentation)];

    #[test]
    fn every_user_move_of_every_record_type_follows_the_table() {
        for (record_type, allowed) in [(NB, NEW_BUSINESS_MOVES), (EC, EXISTING_CUSTOMER_MOVES)] {
            for from in record_type.stages() {
                for to in Stage::ALL {
                    let with_gates_open = move_by_user(&ready(record_type, from), to);
                    let expected = allowed.contains(&(from, to));
                    assert_eq!(with_gates_open.is_ok(), expected, "{record_type}: {from} → {to}");
                    match with_gates_open {
                        Ok(m) => assert_eq!((m.from(), m.to(), m.record_type()), (from, to, record_type)),
                        Err(e) => assert!(matches!(e, Error::FailedPrecondition(_)), "{record_type}: {from} → {to}"),
                    }
                    let with_gates_shut = move_by_user(&at(record_type, from), to);
                    assert_eq!(
                        with_gates_shut.is_ok(),
                        expected && !GATED.contains(&(from, to)),
                        "{record_type}: {from} → {to} with nothing filled in"
                    );
                }
            }
        }
    }

    fn refusal(r: Result<Move>) -> String {
        match r {
            Err(Error::FailedPrecondition(m)) => m,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn leaving_intro_needs_users_of_poc() {
        let mut f = at(NB, IntroQualification);
        let m = refusal(move_by_user(&f, Demo));
        assert!(m.contains("Intro / Qualification") && m.contains("Users of POC"), "{m}");
        f.users_of_poc = Some(UserCount::ZERO);
        assert!(refusal(move_by_user(&f, Demo)).contains("Users of POC"));
        f.users_of_poc = Some(UserCount::parse("users_of_poc", 12).unwrap());
        assert_eq!(move_by_user(&f, Demo).unwrap().to(), Demo);
    }

    #[test]
    fn leaving_demo_needs_amount_mrr_or_capex() {
        let mut f = at(NB, Demo);
        let m = refusal(move_by_user(&f, ProjectPresentation));
        assert!(m.contains("Demo") && m.contains("Amount MRR") && m.contains("Capex"), "{m}");
        f.capex = Some(Amount::parse("capex", "2500").unwrap());
        assert!(move_by_user(&f, ProjectPresentation).is_ok(), "capex is enough");
        f.capex = None;
        f.amount_mrr = Some(Amount::parse("amount_mrr", "99.5").unwrap());
        assert!(move_by_user(&f, ProjectPresentation).is_ok(), "amount MRR is enough");
        assert!(move_by_user(&at(NB, Demo), IntroQualification).is_ok(), "going back passes no gate");
    }

    #[test]
    fn leaving_proposal_is_never_a_users_move() {
        // Its gate (Verbal Agreement) guards the contract being sent: see events.
        for rt in RecordType::ALL {
            let m = refusal(move_by_user(&ready(rt, Proposal), ContractOut));
            assert!(m.contains("primary quote's contract is sent"), "{m}");
        }
    }

    #[test]
    fn refusals_say_why() {
        let m = refusal(move_by_user(&ready(NB, IntroQualification), Proposal));
        assert!(m.contains("one stage at a time") && m.contains("next stage is Demo"), "{m}");
        let m = refusal(move_by_user(&ready(EC, Presentation), Demo));
        assert!(m.contains("Demo is not on the existing customer path"), "{m}");
        let m = refusal(move_by_user(&ready(NB, Proposal), OrderManagement));
        assert!(m.contains("order is placed"), "{m}");
        let m = refusal(move_by_user(&ready(NB, OrderManagement), ClosedWon));
        assert!(m.contains("order is completed"), "{m}");
        let m = refusal(move_by_user(&ready(NB, ContractOut), Proposal));
        assert!(m.contains("only be closed as lost"), "{m}");
        let m = refusal(move_by_user(&ready(NB, ClosedWon), Proposal));
        assert!(m.contains("closed project"), "{m}");
        let m = refusal(move_by_user(&ready(EC, Proposal), Proposal));
        assert!(m.contains("already in Proposal"), "{m}");
        let m = refusal(move_by_user(&ready(EC, Proposal), ClosedLost));
        assert!(m.contains("with a reason"), "{m}");
    }

    #[test]
    fn any_open_project_closes_as_lost_with_a_reason() {
        let reason = LostReason::parse("lost_reason", "  went with a competitor ").unwrap();
        assert_eq!(reason.as_str(), "went with a competitor");
        for rt in RecordType::ALL {
            for from in rt.stages() {
                // Nothing filled in: closing as lost passes no gate.
                let r = close_lost(&at(rt, from), &reason);
                if from.is_open() {
                    let m = r.unwrap();
                    assert_eq!((m.from(), m.to()), (from, ClosedLost), "{rt}: {from}");
                    assert!(!m.leaves_demo());
                } else {
                    assert!(refusal(r).contains("already closed"), "{rt}: {from}");
                }
            }
        }
    }

    #[test]
    fn a_lost_reason_is_required() {
        for bad in ["", "   ", "\n\t"] {
            let err = LostReason::parse("lost_reason", bad).unwrap_err();
            assert!(matches!(&err, Error::Invalid { field, .. } if field == "lost_reason"), "{bad:?}");
        }
        assert!(LostReason::parse("lost_reason", "bad\u{7}bell").is_err());
        assert!(LostReason::parse("lost_reason", &"x".repeat(1001)).is_err());
        assert!(LostReason::parse("lost_reason", &"x".repeat(1000)).is_ok());
    }

    #[test]
    fn entering_a_stage_sets_its_probability() {
        let p = Probabilities::default();
        let m = move_by_user(&ready(NB, IntroQualification), Demo).unwrap();
        assert_eq!(m.probability(&p).get(), 20);
        let m = move_by_user(&ready(NB, Proposal), ProjectPresentation).unwrap();
        assert_eq!(m.probability(&p).get(), 40);
        let m = close_lost(&ready(EC, Proposal), &LostReason::parse("r", "budget").unwrap()).unwrap();
        assert_eq!(m.probability(&p), Percent::ZERO);
    }

    #[test]
    fn only_moving_on_from_demo_leaves_demo() {
        assert!(move_by_user(&ready(NB, Demo), ProjectPresentation).unwrap().leaves_demo());
        assert!(!move_by_user(&ready(NB, Demo), IntroQualification).unwrap().leaves_demo());
        assert!(!move_by_user(&ready(NB, IntroQualification), Demo).unwrap().leaves_demo());
        assert!(!move_by_user(&ready(NB, ProjectPresentation), Proposal).unwrap().leaves_demo());
        assert!(!move_by_user(&ready(EC, Presentation), Proposal).unwrap().leaves_demo());
        assert!(Move::new(NB, IntroQualification, ContractOut).leaves_demo(), "an event jumping over Demo");
    }
}
