//! What a project must record before it may leave a stage, and the typed
//! fields those gates read.
//!
//! - leaving **Intro / Qualification** needs **Users of POC** (how many
//!   users use the product);
//! - leaving **Demo** needs **Amount MRR** or **Capex**;
//! - leaving **Proposal** needs **Verbal Agreement**.
//!
//! A gate guards every move *forward* out of its stage, by a user or by an
//! event (Proposal is only ever left forward by the contract being sent, so
//! its gate is checked on that event). Moving back to an earlier stage and
//! closing as lost pass no gate: neither claims progress.
//!
//! A count or amount of zero does not open a gate: "0 users on the POC" or
//! "an MRR of 0" records no more about the deal than leaving the field empty.

use prm_kit::{Error, Result};
use rust_decimal::Decimal;

use super::stage::{Position, RecordType, Stage};

/// A number of users (Total Users, Users of POC): 0 to 1,000,000.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct UserCount(u32);

impl UserCount {
    pub const ZERO: UserCount = UserCount(0);
    pub const MAX: u32 = 1_000_000;

    pub fn parse(field: &str, n: i64) -> Result<UserCount> {
        if n < 0 {
            return Err(Error::invalid(field, "must not be negative"));
        }
        if n > i64::from(Self::MAX) {
            return Err(Error::invalid(field, format!("must be at most {}", Self::MAX)));
        }
        Ok(UserCount(n as u32))
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

/// A non-negative amount of money in the project's currency (Amount MRR,
/// Capex, a weighted average price): at most 4 decimal places and 20 digits,
/// what the stores keep exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Amount(Decimal);

impl Amount {
    pub const ZERO: Amount = Amount(Decimal::ZERO);

    /// A plain decimal string such as `1234.50`.
    pub fn parse(field: &str, s: &str) -> Result<Amount> {
        let d = prm_kit::money::parse_amount(field, s.trim())?;
        Amount::from_decimal(field, d)
    }

    pub fn from_decimal(field: &str, d: Decimal) -> Result<Amount> {
        let d = d.normalize();
        if d.is_sign_negative() && !d.is_zero() {
            return Err(Error::invalid(field, "must not be negative"));
        }
        if d.scale() > prm_kit::money::MAX_SCALE {
            return Err(Error::invalid(field, format!("has more than {} decimal places", prm_kit::money::MAX_SCALE)));
        }
        if d.mantissa().unsigned_abs().to_string().len() > prm_kit::money::MAX_DIGITS {
            return Err(Error::invalid(field, format!("has more than {} digits", prm_kit::money::MAX_DIGITS)));
        }
        // `-0` normalises to a negative zero; store the plain one.
        Ok(Amount(if d.is_zero() { Decimal::ZERO } else { d }))
    }

    pub fn get(self) -> Decimal {
        self.0
    }
}

/// What the stage rules read of a project: where it stands and the fields
/// its gates need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectFacts {
    pub position: Position,
    pub users_of_poc: Option<UserCount>,
    pub amount_mrr: Option<Amount>,
    pub capex: Option<Amount>,
    pub verbal_agreement: bool,
}

impl ProjectFacts {
    /// A project at `position` with none of the gate fields set.
    pub fn new(position: Position) -> ProjectFacts {
        ProjectFacts { position, users_of_poc: None, amount_mrr: None, capex: None, verbal_agreement: false }
    }

    pub fn stage(&self) -> Stage {
        self.position.stage()
    }

    pub fn record_type(&self) -> RecordType {
        self.position.record_type()
    }
}

/// The condition for leaving one stage forward.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Gate {
    UsersOfPoc,
    AmountMrrOrCapex,
    VerbalAgreement,
}

impl Gate {
    pub const ALL: [Gate; 3] = [Gate::UsersOfPoc, Gate::AmountMrrOrCapex, Gate::VerbalAgreement];

    /// The gate on leaving `stage`, if it has one.
    pub fn leaving(stage: Stage) -> Option<Gate> {
        match stage {
            Stage::IntroQualification => Some(Gate::UsersOfPoc),
            Stage::Demo => Some(Gate::AmountMrrOrCapex),
            Stage::Proposal => Some(Gate::VerbalAgreement),
            _ => None,
        }
    }

    /// The stage this gate guards.
    pub fn stage(self) -> Stage {
        match self {
            Gate::UsersOfPoc => Stage::IntroQualification,
            Gate::AmountMrrOrCapex => Stage::Demo,
            Gate::VerbalAgreement => Stage::Proposal,
        }
    }

    pub fn is_met(self, facts: &ProjectFacts) -> bool {
        let positive = |a: Option<Amount>| a.is_some_and(|a| !a.get().is_zero());
        match self {
            Gate::UsersOfPoc => facts.users_of_poc.is_some_and(|n| n.get() > 0),
            Gate::AmountMrrOrCapex => positive(facts.amount_mrr) || positive(facts.capex),
            Gate::VerbalAgreement => facts.verbal_agreement,
        }
    }

    /// What is missing, as people and API clients name it.
    pub fn missing(self) -> &'static str {
        match self {
            Gate::UsersOfPoc => "Users of POC (`users_of_poc`: how many users use the product)",
            Gate::AmountMrrOrCapex => "Amount MRR (`amount_mrr`) or Capex (`capex`)",
            Gate::VerbalAgreement => "Verbal Agreement (`verbal_agreement`)",
        }
    }

    /// The refusal of a move through this gate while it is shut.
    pub fn refusal(self) -> Error {
        Error::FailedPrecondition(format!("leaving {} needs {}", self.stage().label(), self.missing()))
    }

    /// `Ok` if the gate is open for `facts`, else its refusal.
    pub fn check(self, facts: &ProjectFacts) -> Result<()> {
        if self.is_met(facts) { Ok(()) } else { Err(self.refusal()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn field_of<T: std::fmt::Debug>(r: Result<T>) -> String {
        match r {
            Err(Error::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn user_counts_are_bounded() {
        assert_eq!(UserCount::parse("total_users", 0).unwrap().get(), 0);
        assert_eq!(UserCount::parse("total_users", 1_000_000).unwrap().get(), 1_000_000);
        assert_eq!(field_of(UserCount::parse("total_users", -1)), "total_users");
        assert_eq!(field_of(UserCount::parse("users_of_poc", 1_000_001)), "users_of_poc");
    }

    #[test]
    fn amounts_are_exact_non_negative_and_bounded() {
        assert_eq!(Amount::parse("capex", "1234.5000").unwrap().get(), d("1234.5"));
        assert_eq!(Amount::parse("capex", "-0").unwrap(), Amount::ZERO);
        assert_eq!(Amount::parse("capex", "9999999999999999.9999").unwrap().get(), d("9999999999999999.9999"));
        for bad in ["-1", "1.23456", "1e3", "", "abc"] {
            assert_eq!(field_of(Amount::parse("capex", bad)), "capex", "{bad:?}");
        }
        assert_eq!(field_of(Amount::from_decimal("amount_mrr", d("100000000000000000000"))), "amount_mrr");
        assert_eq!(field_of(Amount::from_decimal("amount_mrr", d("0.00001"))), "amount_mrr");
    }

    #[test]
    fn each_gate_guards_its_stage() {
        for stage in Stage::ALL {
            let expected = match stage {
                Stage::IntroQualification => Some(Gate::UsersOfPoc),
                Stage::Demo => Some(Gate::AmountMrrOrCapex),
                Stage::Proposal => Some(Gate::VerbalAgreement),
                _ => None,
            };
            assert_eq!(Gate::leaving(stage), expected, "{stage}");
        }
        for gate in Gate::ALL {
            assert_eq!(Gate::leaving(gate.stage()), Some(gate));
        }
    }

    #[test]
    fn gates_open_only_on_a_real_value() {
        let mut f = ProjectFacts::new(Position::start(RecordType::NewBusiness));
        assert!(Gate::ALL.iter().all(|g| !g.is_met(&f)));
        f.users_of_poc = Some(UserCount::ZERO);
        assert!(!Gate::UsersOfPoc.is_met(&f), "zero users is no POC");
        f.users_of_poc = Some(UserCount::parse("u", 1).unwrap());
        assert!(Gate::UsersOfPoc.is_met(&f));

        f.amount_mrr = Some(Amount::ZERO);
        f.capex = Some(Amount::ZERO);
        assert!(!Gate::AmountMrrOrCapex.is_met(&f), "zero amounts say nothing");
        f.capex = Some(Amount::parse("capex", "0.0001").unwrap());
        assert!(Gate::AmountMrrOrCapex.is_met(&f), "capex alone");
        f.capex = None;
        f.amount_mrr = Some(Amount::parse("amount_mrr", "10").unwrap());
        assert!(Gate::AmountMrrOrCapex.is_met(&f), "amount MRR alone");

        f.verbal_agreement = true;
        assert!(Gate::VerbalAgreement.is_met(&f));
        assert!(Gate::ALL.iter().all(|g| g.check(&f).is_ok()));
    }

    #[test]
    fn a_shut_gate_is_a_failed_precondition_naming_the_field() {
        let f = ProjectFacts::new(Position::start(RecordType::NewBusiness));
        for (gate, field) in [
            (Gate::UsersOfPoc, "Users of POC"),
            (Gate::AmountMrrOrCapex, "Capex"),
            (Gate::VerbalAgreement, "Verbal Agreement"),
        ] {
            match gate.check(&f) {
                Err(Error::FailedPrecondition(m)) => {
                    assert!(m.contains(field), "{m}");
                    assert!(m.contains(gate.stage().label()), "{m}");
                }
                other => panic!("{gate:?}: {other:?}"),
            }
        }
    }
}
