//! The Bonus Pipeline incentive: partners earn it on projects that had a
//! real demo, recorded at the time, and that their account manager approved.
//!
//! - From **Demo** on, a new-business project shows the **Demo Answers**:
//!   answers to questions the vendor configures ([`DemoQuestions`]).
//!   Existing-customer projects have no Demo stage, so no Demo Answers.
//! - When the project **moves on from Demo** (forward, by a user or by an
//!   event) with every question answered, **Demo Done** becomes true, **Demo
//!   Date** becomes today and **Pipeline MRR** takes the MRR of that moment.
//!   This is not a gate: a project may leave Demo with answers missing, it
//!   just does not earn Demo Done. With no questions configured, every
//!   project that moves on from Demo earns it.
//! - Demo Done is earned once: moving back to Demo and on again later keeps
//!   the first Demo Date and Pipeline MRR, which are frozen so the bonus
//!   cannot be inflated by revisiting Demo once the deal has grown.
//! - **Approved by AM** may be set (or unset) only by an account manager
//!   assigned to the project's partner or a vendor admin (and ops, who may
//!   repair anything). It can be given before the demo is done; the Bonus
//!   Pipeline is satisfied when both hold.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use prm_kit::{Caller, Error, Result, Role};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::{
    moves::Move,
    stage::{Position, RecordType, Stage},
};

/// Does a project at `position` show the Demo Answers? New business, from
/// Demo on (answers given stay visible after the project moves on).
pub fn shows_demo_answers(position: Position) -> bool {
    let rt = position.record_type();
    if rt != RecordType::NewBusiness {
        return false;
    }
    match (rt.index_of(position.stage()), rt.index_of(Stage::Demo)) {
        (Some(at), Some(demo)) => at >= demo,
        // Closed lost: shown if answers were ever given; the caller knows.
        _ => position.stage() == Stage::ClosedLost,
    }
}

/// One vendor-configured question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoQuestion {
    id: Uuid,
    text: String,
}

impl DemoQuestion {
    pub fn id(&self) -> Uuid {
        self.id
    }

    pub fn text(&self) -> &str {
        &self.text
    }
}

/// The vendor's Demo Answers questions: at most 50, each with a distinct id
/// and 1–500 characters of text.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DemoQuestions(Vec<DemoQuestion>);

impl DemoQuestions {
    pub const MAX: usize = 50;
    pub const MAX_CHARS: usize = 500;

    pub fn new(questions: impl IntoIterator<Item = (Uuid, String)>) -> Result<DemoQuestions> {
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        for (i, (id, text)) in questions.into_iter().enumerate() {
            if i == Self::MAX {
                return Err(Error::invalid("demo_questions", format!("at most {} questions", Self::MAX)));
            }
            let field = format!("demo_questions[{i}]");
            if !seen.insert(id) {
                return Err(Error::invalid(format!("{field}.id"), "appears twice"));
            }
            let text = prm_kit::text::paragraph(&format!("{field}.text"), &text, Self::MAX_CHARS)?;
            if text.is_empty() {
                return Err(Error::invalid(format!("{field}.text"), "must not be empty"));
            }
            out.push(DemoQuestion { id, text });
        }
        Ok(DemoQuestions(out))
    }

    pub fn iter(&self) -> impl Iterator<Item = &DemoQuestion> {
        self.0.iter()
    }

    pub fn contains(&self, id: Uuid) -> bool {
        self.0.iter().any(|q| q.id == id)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A project's Demo Answers: question id → a non-empty answer of at most
/// 2,000 characters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DemoAnswers(BTreeMap<Uuid, String>);

impl DemoAnswers {
    pub const MAX_CHARS: usize = 2000;

    /// Answers as stored (their questions may since have been removed).
    pub fn restore(answers: impl IntoIterator<Item = (Uuid, String)>) -> Result<DemoAnswers> {
        let mut out = DemoAnswers::default();
        for (id, text) in answers {
            let text = Self::text(id, &text)?;
            if !text.is_empty() {
                out.0.insert(id, text);
            }
        }
        Ok(out)
    }

    /// Answers `question`, or clears its answer when `text` is blank.
    pub fn answer(&mut self, questions: &DemoQuestions, question: Uuid, text: &str) -> Result<()> {
        if !questions.contains(question) {
            return Err(Error::invalid(format!("demo_answers[{question}]"), "is not a Demo Answers question"));
        }
        let text = Self::text(question, text)?;
        if text.is_empty() {
            self.0.remove(&question);
        } else {
            self.0.insert(question, text);
        }
        Ok(())
    }

    fn text(question: Uuid, text: &str) -> Result<String> {
        prm_kit::text::paragraph(&format!("demo_answers[{question}]"), text, Self::MAX_CHARS)
    }

    pub fn get(&self, question: Uuid) -> Option<&str> {
        self.0.get(&question).map(String::as_str)
    }

    pub fn iter(&self) -> impl Iterator<Item = (Uuid, &str)> {
        self.0.iter().map(|(id, t)| (*id, t.as_str()))
    }

    /// The questions still without an answer.
    pub fn missing<'q>(&self, questions: &'q DemoQuestions) -> Vec<&'q DemoQuestion> {
        questions.iter().filter(|q| !self.0.contains_key(&q.id)).collect()
    }

    pub fn complete(&self, questions: &DemoQuestions) -> bool {
        self.missing(questions).is_empty()
    }
}

/// Demo Done, with what was frozen at that moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoDone {
    /// Demo Date.
    pub date: NaiveDate,
    /// Pipeline MRR: the project's MRR on the Demo Date.
    pub pipeline_mrr: Decimal,
}

/// A project's Bonus Pipeline fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BonusPipeline {
    demo: Option<DemoDone>,
    approved_by_am: bool,
}

impl BonusPipeline {
    pub fn restore(demo: Option<DemoDone>, approved_by_am: bool) -> BonusPipeline {
        BonusPipeline { demo, approved_by_am }
    }

    pub fn demo_done(&self) -> bool {
        self.demo.is_some()
    }

    /// Demo Date and Pipeline MRR, once Demo Done.
    pub fn demo(&self) -> Option<DemoDone> {
        self.demo
    }

    pub fn approved_by_am(&self) -> bool {
        self.approved_by_am
    }

    /// Demo Done and Approved by AM: the requirements are fully satisfied.
    pub fn satisfied(&self) -> bool {
        self.demo_done() && self.approved_by_am
    }

    /// Records what a stage change means for the bonus: moving on from Demo
    /// with every question answered earns Demo Done, dated `today`, with
    /// Pipeline MRR = `mrr`. Returns whether anything changed.
    pub fn after_move(
        &mut self,
        mv: Move,
        questions: &DemoQuestions,
        answers: &DemoAnswers,
        today: NaiveDate,
        mrr: Decimal,
    ) -> bool {
        if self.demo.is_some() || !mv.leaves_demo() || !answers.complete(questions) {
            return false;
        }
        self.demo = Some(DemoDone { date: today, pipeline_mrr: mrr.normalize() });
        true
    }

    /// Sets Approved by AM on a project of `partner_id`.
    pub fn set_approved_by_am(&mut self, caller: &Caller, partner_id: Uuid, approved: bool) -> Result<()> {
        if !may_approve(caller, partner_id) {
            return Err(Error::PermissionDenied(
                "only an account manager of the project's partner or a vendor admin may set Approved by AM".into(),
            ));
        }
        self.approved_by_am = approved;
        Ok(())
    }
}

/// May `caller` set Approved by AM on a project of `partner_id`?
pub fn may_approve(caller: &Caller, partner_id: Uuid) -> bool {
    match caller.role {
        Role::AccountManager => caller.assigned_partners.contains(&partner_id),
        Role::VendorAdmin | Role::Ops => true,
        Role::PartnerUser | Role::PartnerAdmin | Role::SupportAgent => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{
        cost::{InterestedSolutions, Waps, expected_mrr, mrr},
        events::{AutoEvent, Outcome, apply_event},
        gates::{Amount, ProjectFacts, UserCount},
        moves::{LostReason, close_lost, move_by_user},
        stage::Stage::*,
    };
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn day(n: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 3, n).unwrap()
    }

    fn questions() -> (DemoQuestions, Uuid, Uuid) {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let q = DemoQuestions::new([(a, "Who attended?".into()), (b, "Which features were shown?".into())]).unwrap();
        (q, a, b)
    }

    fn caller(role: Role, assigned: Vec<Uuid>) -> Caller {
        let partner_id = role.is_partner_role().then(Uuid::now_v7);
        Caller { user_id: Uuid::now_v7(), partner_id, role, assigned_partners: assigned, partner_tier: None }
    }

    #[test]
    fn the_bonus_pipeline_sequence() {
        let (q, a, b) = questions();
        let mut answers = DemoAnswers::default();
        let mut bonus = BonusPipeline::default();
        let waps = Waps { licenses: Amount::parse("w", "10").unwrap(), ..Waps::default() };
        let interested = InterestedSolutions { licenses: true, ..Default::default() };
        let mut f = ProjectFacts::new(Position::start(RecordType::NewBusiness));
        f.users_of_poc = Some(UserCount::parse("u", 3).unwrap());
        f.amount_mrr = Some(Amount::parse("a", "500").unwrap());
        let go = |f: &mut ProjectFacts, bonus: &mut BonusPipeline, answers: &DemoAnswers, to, today, mrr| {
            let mv = move_by_user(f, to).unwrap();
            f.position = Position::new(f.record_type(), mv.to()).unwrap();
            bonus.after_move(mv, &q, answers, today, mrr)
        };

        // Entering Demo shows the questions; it earns nothing yet.
        assert!(!shows_demo_answers(f.position));
        assert!(!go(&mut f, &mut bonus, &answers, Demo, day(1), d("1")));
        assert!(shows_demo_answers(f.position));

        // Half answered: moving on is allowed (not a gate) but earns nothing.
        answers.answer(&q, a, "the CTO").unwrap();
        assert_eq!(answers.missing(&q).iter().map(|q| q.id()).collect::<Vec<_>>(), [b]);
        assert!(!go(&mut f, &mut bonus, &answers, ProjectPresentation, day(2), d("1")));
        assert!(!bonus.demo_done());

        // Back to Demo, every answer given, on again: Demo Done, dated today,
        // Pipeline MRR = the MRR of the moment (30 users × 10).
        assert!(!go(&mut f, &mut bonus, &answers, Demo, day(3), d("1")));
        answers.answer(&q, b, "call routing, CLASSOUND").unwrap();
        let eur = prm_kit::money::Currency::parse("c", "EUR").unwrap();
        let now_mrr = mrr(expected_mrr(UserCount::parse("t", 30).unwrap(), &interested, &waps, eur), None);
        assert!(go(&mut f, &mut bonus, &answers, ProjectPresentation, day(4), now_mrr));
        assert_eq!(bonus.demo(), Some(DemoDone { date: day(4), pipeline_mrr: d("300") }));
        assert!(shows_demo_answers(f.position), "answers stay visible");

        // Frozen: a later MRR and another pass through Demo change nothing.
        assert!(!go(&mut f, &mut bonus, &answers, Demo, day(9), d("999")));
        assert!(!go(&mut f, &mut bonus, &answers, ProjectPresentation, day(9), d("999")));
        assert_eq!(bonus.demo(), Some(DemoDone { date: day(4), pipeline_mrr: d("300") }));

        // The account manager approves: fully satisfied.
        assert!(!bonus.satisfied());
        let partner = Uuid::now_v7();
        bonus.set_approved_by_am(&caller(Role::AccountManager, vec![partner]), partner, true).unwrap();
        assert!(bonus.approved_by_am() && bonus.satisfied());
        bonus.set_approved_by_am(&caller(Role::VendorAdmin, vec![]), partner, false).unwrap();
        assert!(!bonus.satisfied(), "a vendor admin may take it back");
    }

    #[test]
    fn an_event_that_carries_the_project_out_of_demo_earns_demo_done() {
        let (q, a, b) = questions();
        let answers = DemoAnswers::restore([(a, "x".into()), (b, "y".into())]).unwrap();
        let mut f = ProjectFacts::new(Position::new(RecordType::NewBusiness, Demo).unwrap());
        f.capex = Some(Amount::parse("c", "1").unwrap());
        f.verbal_agreement = true;
        let Outcome::Moved(mv) = apply_event(&f, AutoEvent::OrderPlaced) else { panic!("gates are open") };
        let mut bonus = BonusPipeline::default();
        assert!(bonus.after_move(mv, &q, &answers, day(5), d("42.5")));
        assert_eq!(bonus.demo(), Some(DemoDone { date: day(5), pipeline_mrr: d("42.5") }));
    }

    #[test]
    fn going_back_or_losing_from_demo_earns_nothing() {
        let (q, a, b) = questions();
        let answers = DemoAnswers::restore([(a, "x".into()), (b, "y".into())]).unwrap();
        let mut f = ProjectFacts::new(Position::new(RecordType::NewBusiness, Demo).unwrap());
        f.capex = Some(Amount::parse("c", "1").unwrap());
        let mut bonus = BonusPipeline::default();
        let back = move_by_user(&f, IntroQualification).unwrap();
        assert!(!bonus.after_move(back, &q, &answers, day(1), d("1")));
        let lost = close_lost(&f, &LostReason::parse("r", "no budget").unwrap()).unwrap();
        assert!(!bonus.after_move(lost, &q, &answers, day(1), d("1")));
        assert!(!bonus.demo_done());
    }

    #[test]
    fn with_no_questions_moving_on_from_demo_is_enough() {
        let mut f = ProjectFacts::new(Position::new(RecordType::NewBusiness, Demo).unwrap());
        f.amount_mrr = Some(Amount::parse("a", "1").unwrap());
        let mv = move_by_user(&f, ProjectPresentation).unwrap();
        let mut bonus = BonusPipeline::default();
        assert!(bonus.after_move(mv, &DemoQuestions::default(), &DemoAnswers::default(), day(7), d("0")));
        assert!(bonus.demo_done());
    }

    #[test]
    fn existing_customers_have_no_demo_answers() {
        for stage in RecordType::ExistingCustomer.stages() {
            assert!(!shows_demo_answers(Position::new(RecordType::ExistingCustomer, stage).unwrap()), "{stage}");
        }
        let shown: Vec<Stage> = RecordType::NewBusiness
            .stages()
            .filter(|s| shows_demo_answers(Position::new(RecordType::NewBusiness, *s).unwrap()))
            .collect();
        assert_eq!(shown, [Demo, ProjectPresentation, Proposal, ContractOut, OrderManagement, ClosedWon, ClosedLost]);
    }

    #[test]
    fn approved_by_am_is_for_the_partners_account_manager_or_a_vendor_admin() {
        let partner = Uuid::now_v7();
        let refused = [
            caller(Role::PartnerUser, vec![]),
            caller(Role::PartnerAdmin, vec![]),
            caller(Role::SupportAgent, vec![]),
            caller(Role::AccountManager, vec![Uuid::now_v7()]),
            caller(Role::AccountManager, vec![]),
        ];
        for c in refused {
            let mut bonus = BonusPipeline::default();
            let err = bonus.set_approved_by_am(&c, partner, true).unwrap_err();
            assert!(matches!(&err, Error::PermissionDenied(m) if m.contains("Approved by AM")), "{:?}: {err}", c.role);
            assert!(!bonus.approved_by_am(), "{:?}", c.role);
        }
        // A partner admin of the very partner is still not its account manager.
        let mut own_admin = caller(Role::PartnerAdmin, vec![]);
        own_admin.partner_id = Some(partner);
        assert!(!may_approve(&own_admin, partner));
        for c in [
            caller(Role::AccountManager, vec![Uuid::now_v7(), partner]),
            caller(Role::VendorAdmin, vec![]),
            caller(Role::Ops, vec![]),
        ] {
            let mut bonus = BonusPipeline::default();
            bonus.set_approved_by_am(&c, partner, true).unwrap();
            assert!(bonus.approved_by_am() && !bonus.satisfied(), "{:?}: approved, demo not done", c.role);
        }
    }

    #[test]
    fn questions_and_answers_are_checked() {
        let id = Uuid::now_v7();
        let field = |r: Result<DemoQuestions>| match r {
            Err(Error::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(DemoQuestions::new([(id, "  ".into())])), "demo_questions[0].text");
        assert_eq!(field(DemoQuestions::new([(id, "a".into()), (id, "b".into())])), "demo_questions[1].id");
        assert_eq!(field(DemoQuestions::new([(id, "x".repeat(501))])), "demo_questions[0].text");
        assert_eq!(field(DemoQuestions::new((0..51).map(|_| (Uuid::now_v7(), "q".into())))), "demo_questions");
        assert_eq!(DemoQuestions::new((0..50).map(|_| (Uuid::now_v7(), "q".into()))).unwrap().len(), 50);

        let (q, a, _) = questions();
        let mut answers = DemoAnswers::default();
        assert!(answers.answer(&q, Uuid::now_v7(), "hi").is_err(), "not a question");
        assert!(answers.answer(&q, a, &"x".repeat(2001)).is_err());
        answers.answer(&q, a, "  yes ").unwrap();
        assert_eq!(answers.get(a), Some("yes"));
        answers.answer(&q, a, " ").unwrap();
        assert_eq!(answers.get(a), None, "a blank answer clears it");
        assert_eq!(answers.missing(&q).len(), 2);
        assert!(!answers.complete(&q) && answers.complete(&DemoQuestions::default()));
    }
}
