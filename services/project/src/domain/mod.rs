//! The rules of projects (opportunities), pure: no I/O, no wire types, no
//! clock (today is passed in). Every project rule of DOMAIN.md is here:
//!
//! | rule | where |
//! |---|---|
//! | two record types, each with its own stage path; which stages are automatic | [`stage`] |
//! | gates: Users of POC out of Intro, Amount MRR or Capex out of Demo, Verbal Agreement out of Proposal | [`gates`] |
//! | users move one stage forward through a gate, or back; never into or out of an automatic stage; close as lost with a reason from any open stage | [`moves`] |
//! | the Kanban board: its columns, and a drag is the same checked move | [`stage::RecordType::stages`], [`moves::move_by_user`] |
//! | Contract out, Order Management, Closed won follow the primary quote and its order | [`events`] |
//! | default probability per stage, vendor-configurable, set on entering a stage | [`probability`], [`moves::Move::probability`] |
//! | Expected MRR, MRR, Weighted Pipeline (exact decimals) | [`cost`] |
//! | Demo Answers, Demo Done, Demo Date, Pipeline MRR, Approved by AM | [`bonus`] |
//!
//! Choices where DOMAIN.md is silent, each explained in its module:
//! - users may go back to any earlier manual stage without a gate, and go
//!   forward one stage at a time ([`moves`]);
//! - gates apply to every forward move out of their stage, events included;
//!   an event that meets a shut gate is held until the field is filled in
//!   ([`events`]);
//! - events are idempotent and forward-only, a closed project ignores them,
//!   and a cancelled order takes Order Management back to Contract out
//!   ([`events`]);
//! - zero users or a zero amount does not open a gate ([`gates`]);
//! - closed won is always 100 % and closed lost 0 % ([`probability`]);
//! - missing Demo Answers do not stop a project leaving Demo; Demo Done is
//!   earned once and its date and Pipeline MRR stay frozen ([`bonus`]).

pub mod bonus;
pub mod cost;
pub mod deletes;
pub mod events;
pub mod gates;
pub mod moves;
pub mod probability;
pub mod stage;

pub use bonus::{BonusPipeline, DemoAnswers, DemoDone, DemoQuestion, DemoQuestions, may_approve, shows_demo_answers};
pub use cost::{CostInfo, InterestedSolutions, Solution, Waps, expected_mrr, mrr, weighted_pipeline};
pub use deletes::delete_refusal;
pub use events::{AutoEvent, Ignored, Outcome, apply_event};
pub use gates::{Amount, Gate, ProjectFacts, UserCount};
pub use moves::{LostReason, Move, close_lost, move_by_user, why_automatic};
pub use probability::{Percent, Probabilities};
pub use stage::{Position, RecordType, Stage};
