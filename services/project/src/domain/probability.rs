//! The probability of winning, per stage: each stage has a default that the
//! vendor may configure, and entering a stage sets the project's probability
//! to that stage's default (people may still edit it afterwards).
//!
//! Closed won is always 100 % and closed lost always 0 %: a closed project's
//! weighted pipeline is all of its MRR or none of it, whatever the vendor's
//! table says about open stages.

use prm_kit::{Error, Result};
use rust_decimal::Decimal;

use super::stage::Stage;

/// A whole percentage, 0 to 100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Percent(u8);

impl Percent {
    pub const ZERO: Percent = Percent(0);
    pub const HUNDRED: Percent = Percent(100);

    pub fn parse(field: &str, n: i64) -> Result<Percent> {
        if !(0..=100).contains(&n) {
            return Err(Error::invalid(field, format!("{n} is not a percentage from 0 to 100")));
        }
        Ok(Percent(n as u8))
    }

    pub fn get(self) -> u8 {
        self.0
    }

    pub fn as_decimal(self) -> Decimal {
        Decimal::from(self.0)
    }
}

/// The vendor's default probability of every stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probabilities([Percent; Stage::ALL.len()]);

impl Default for Probabilities {
    /// Intro 10, Demo 20, (Project) Presentation 40, Proposal 60, Contract
    /// out 80, Order Management 90, Closed won 100, Closed lost 0.
    fn default() -> Self {
        let mut table = [Percent::ZERO; Stage::ALL.len()];
        for stage in Stage::ALL {
            table[stage.ordinal()] = Percent(match stage {
                Stage::IntroQualification => 10,
                Stage::Demo => 20,
                Stage::ProjectPresentation | Stage::Presentation => 40,
                Stage::Proposal => 60,
                Stage::ContractOut => 80,
                Stage::OrderManagement => 90,
                Stage::ClosedWon => 100,
                Stage::ClosedLost => 0,
            });
        }
        Probabilities(table)
    }
}

impl Probabilities {
    /// The probability a project takes on entering `stage`.
    pub fn of(&self, stage: Stage) -> Percent {
        self.0[stage.ordinal()]
    }

    /// The table with `stage` set to `percent`; closed won stays 100 and
    /// closed lost 0.
    pub fn with(mut self, stage: Stage, percent: Percent) -> Result<Probabilities> {
        let fixed = match stage {
            Stage::ClosedWon => Some(Percent::HUNDRED),
            Stage::ClosedLost => Some(Percent::ZERO),
            _ => None,
        };
        if let Some(fixed) = fixed
            && fixed != percent
        {
            return Err(Error::invalid(
                format!("probabilities.{stage}"),
                format!("{} is always {} %", stage.label(), fixed.get()),
            ));
        }
        self.0[stage.ordinal()] = percent;
        Ok(self)
    }

    /// Every stage with its probability, in [`Stage::ALL`] order.
    pub fn iter(&self) -> impl Iterator<Item = (Stage, Percent)> + '_ {
        Stage::ALL.into_iter().map(|s| (s, self.of(s)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_run_from_0_to_100() {
        assert_eq!(Percent::parse("p", 0).unwrap(), Percent::ZERO);
        assert_eq!(Percent::parse("p", 100).unwrap(), Percent::HUNDRED);
        assert_eq!(Percent::parse("p", 33).unwrap().as_decimal(), Decimal::from(33));
        for bad in [-1, 101, i64::MAX] {
            assert!(matches!(Percent::parse("p", bad), Err(Error::Invalid { field, .. }) if field == "p"), "{bad}");
        }
    }

    #[test]
    fn the_defaults_rise_along_the_path() {
        let p = Probabilities::default();
        let table: Vec<(Stage, u8)> = p.iter().map(|(s, p)| (s, p.get())).collect();
        assert_eq!(
            table,
            [
                (Stage::IntroQualification, 10),
                (Stage::Demo, 20),
                (Stage::ProjectPresentation, 40),
                (Stage::Presentation, 40),
                (Stage::Proposal, 60),
                (Stage::ContractOut, 80),
                (Stage::OrderManagement, 90),
                (Stage::ClosedWon, 100),
                (Stage::ClosedLost, 0),
            ]
        );
    }

    #[test]
    fn the_vendor_configures_open_stages_only() {
        let p = Probabilities::default().with(Stage::Demo, Percent::parse("p", 25).unwrap()).unwrap();
        assert_eq!(p.of(Stage::Demo).get(), 25);
        assert_eq!(p.of(Stage::Proposal).get(), 60, "other stages keep theirs");
        let p = p.with(Stage::ClosedWon, Percent::HUNDRED).unwrap().with(Stage::ClosedLost, Percent::ZERO).unwrap();
        let err = p.clone().with(Stage::ClosedWon, Percent::parse("p", 99).unwrap()).unwrap_err();
        assert!(matches!(&err, Error::Invalid { field, .. } if field == "probabilities.closed_won"), "{err}");
        let err = p.with(Stage::ClosedLost, Percent::parse("p", 1).unwrap()).unwrap_err();
        assert!(matches!(&err, Error::Invalid { field, .. } if field == "probabilities.closed_lost"), "{err}");
    }
}
