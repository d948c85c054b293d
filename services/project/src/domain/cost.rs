//! Cost Info: the money fields of a project, computed and never typed, in
//! exact decimals (no floating point anywhere).
//!
//! - **Expected MRR (Calculated)** = Total Users × (WAP Licenses +
//!   WAP HWaaS + WAP CLASSOUND), each weighted average price counting only
//!   if that solution is selected in Interested Solution, rounded to the
//!   currency's minor unit, half away from zero.
//! - **MRR** = the primary quote's MRR while the project has a primary quote
//!   (following its changes), else Expected MRR.
//! - **Weighted Pipeline** = MRR × Probability / 100, rounded the same way,
//!   like every priced amount ([`prm_kit::pricing`]).
//! - **Pipeline MRR** = the MRR on the Demo Date, frozen then: see
//!   [`super::bonus`].
//!
//! All amounts are in the project's currency: the consumer reads the WAPs of
//! that currency, and a primary quote is in it too.

use prm_kit::money::Currency;
use rust_decimal::Decimal;

use super::{gates::Amount, gates::UserCount, probability::Percent};

prm_kit::text_enum!(
    /// What the vendor sells, as chosen in a project's Interested Solution.
    Solution {
        Licenses => "licenses",
        Hwaas => "hwaas",
        Classound => "classound",
    }
);

/// Interested Solution: any of licenses, HWaaS and CLASSOUND.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct InterestedSolutions {
    pub licenses: bool,
    pub hwaas: bool,
    pub classound: bool,
}

impl InterestedSolutions {
    pub fn contains(self, s: Solution) -> bool {
        match s {
            Solution::Licenses => self.licenses,
            Solution::Hwaas => self.hwaas,
            Solution::Classound => self.classound,
        }
    }

    /// The selected solutions, in declaration order (how they are stored).
    pub fn selected(self) -> Vec<Solution> {
        [Solution::Licenses, Solution::Hwaas, Solution::Classound].into_iter().filter(|s| self.contains(*s)).collect()
    }
}

impl FromIterator<Solution> for InterestedSolutions {
    fn from_iter<I: IntoIterator<Item = Solution>>(iter: I) -> Self {
        let mut out = InterestedSolutions::default();
        for s in iter {
            match s {
                Solution::Licenses => out.licenses = true,
                Solution::Hwaas => out.hwaas = true,
                Solution::Classound => out.classound = true,
            }
        }
        out
    }
}

/// The vendor's weighted average prices (monthly, per user) in one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Waps {
    pub licenses: Amount,
    pub hwaas: Amount,
    pub classound: Amount,
}

impl Waps {
    pub fn of(&self, s: Solution) -> Amount {
        match s {
            Solution::Licenses => self.licenses,
            Solution::Hwaas => self.hwaas,
            Solution::Classound => self.classound,
        }
    }
}

/// Expected MRR (Calculated).
pub fn expected_mrr(
    total_users: UserCount,
    interested: &InterestedSolutions,
    waps: &Waps,
    currency: Currency,
) -> Decimal {
    let per_user: Decimal = interested.selected().into_iter().map(|s| waps.of(s).get()).sum();
    currency.round(Decimal::from(total_users.get()) * per_user)
}

/// MRR: the primary quote's when there is one, else Expected MRR.
pub fn mrr(expected: Decimal, primary_quote_mrr: Option<Decimal>) -> Decimal {
    primary_quote_mrr.unwrap_or(expected).normalize()
}

/// Weighted Pipeline: MRR × probability %, in the minor unit, half away from zero.
pub fn weighted_pipeline(mrr: Decimal, probability: Percent, currency: Currency) -> Decimal {
    currency.round(mrr * probability.as_decimal() / Decimal::ONE_HUNDRED)
}

/// The computed money fields of a project at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CostInfo {
    pub expected_mrr: Decimal,
    pub mrr: Decimal,
    pub weighted_pipeline: Decimal,
}

impl CostInfo {
    pub fn compute(
        total_users: UserCount,
        interested: &InterestedSolutions,
        waps: &Waps,
        primary_quote_mrr: Option<Decimal>,
        probability: Percent,
        currency: Currency,
    ) -> CostInfo {
        let expected = expected_mrr(total_users, interested, waps, currency);
        let mrr = mrr(expected, primary_quote_mrr);
        CostInfo { expected_mrr: expected, mrr, weighted_pipeline: weighted_pipeline(mrr, probability, currency) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn amount(s: &str) -> Amount {
        Amount::parse("wap", s).unwrap()
    }

    fn users(n: i64) -> UserCount {
        UserCount::parse("total_users", n).unwrap()
    }

    fn pct(n: i64) -> Percent {
        Percent::parse("probability", n).unwrap()
    }

    fn waps() -> Waps {
        Waps { licenses: amount("12.3456"), hwaas: amount("7.5"), classound: amount("0.0001") }
    }

    fn eur() -> Currency {
        Currency::parse("c", "EUR").unwrap()
    }

    #[test]
    fn expected_mrr_counts_only_the_selected_solutions() {
        // 37 users; WAPs 12.3456 / 7.5 / 0.0001; products worked out by hand,
        // then rounded to the cent half away from zero.
        let cases = [
            ((false, false, false), "0.00"),
            ((true, false, false), "456.79"), // 37 × 12.3456 = 456.7872
            ((false, true, false), "277.50"), // 37 × 7.5
            ((false, false, true), "0.00"),   // 37 × 0.0001 = 0.0037
            ((true, true, false), "734.29"),  // 37 × 19.8456 = 734.2872
            ((true, false, true), "456.79"),  // 37 × 12.3457 = 456.7909
            ((false, true, true), "277.50"),  // 37 × 7.5001 = 277.5037
            ((true, true, true), "734.29"),   // 37 × 19.8457 = 734.2909
        ];
        for ((licenses, hwaas, classound), want) in cases {
            let i = InterestedSolutions { licenses, hwaas, classound };
            assert_eq!(expected_mrr(users(37), &i, &waps(), eur()).to_string(), want, "{i:?}");
        }
        // Yen: 37 × 12.3456 = 456.7872 → 457.
        let jpy = Currency::parse("c", "JPY").unwrap();
        let lic = InterestedSolutions { licenses: true, hwaas: false, classound: false };
        assert_eq!(expected_mrr(users(37), &lic, &waps(), jpy).to_string(), "457");
    }

    #[test]
    fn expected_mrr_is_exact_at_the_extremes() {
        let all = InterestedSolutions { licenses: true, hwaas: true, classound: true };
        assert_eq!(expected_mrr(users(0), &all, &waps(), eur()), Decimal::ZERO);
        let big = Waps {
            licenses: amount("9999999999999999.9999"),
            hwaas: amount("9999999999999999.9999"),
            classound: amount("9999999999999999.9999"),
        };
        // 1,000,000 × 29999999999999999.9997
        assert_eq!(expected_mrr(users(1_000_000), &all, &big, eur()), d("29999999999999999999700"));
        assert_eq!(expected_mrr(users(5), &all, &Waps::default(), eur()), Decimal::ZERO, "no WAPs set yet");
    }

    #[test]
    fn interested_solutions_from_their_names() {
        let i: InterestedSolutions =
            ["classound", "licenses", "classound"].iter().map(|n| n.parse::<Solution>().unwrap()).collect();
        assert_eq!(i, InterestedSolutions { licenses: true, hwaas: false, classound: true });
        assert_eq!(i.selected(), [Solution::Licenses, Solution::Classound]);
        assert!("hardware".parse::<Solution>().is_err());
        for n in Solution::NAMES {
            assert_eq!(n.parse::<Solution>().unwrap().as_str(), *n);
        }
    }

    #[test]
    fn mrr_follows_the_primary_quote_while_there_is_one() {
        let i = InterestedSolutions { licenses: true, hwaas: false, classound: false };
        let expected = expected_mrr(users(10), &i, &waps(), eur());
        assert_eq!(expected, d("123.46"), "10 × 12.3456 = 123.456, to the cent");
        assert_eq!(mrr(expected, None), d("123.46"), "no primary quote: expected MRR");
        assert_eq!(mrr(expected, Some(d("99.90"))), d("99.9"), "a primary quote: its MRR");
        assert_eq!(mrr(expected, Some(d("150.00"))), d("150"), "it follows the quote's changes");
        assert_eq!(mrr(expected, Some(Decimal::ZERO)), Decimal::ZERO, "even an empty primary quote");
        assert_eq!(mrr(expected, None), d("123.46"), "primary unset: back to expected");
    }

    #[test]
    fn weighted_pipeline_rounds_to_the_cent_half_away_from_zero() {
        let wp = |mrr: &str, p: Percent| weighted_pipeline(d(mrr), p, eur()).to_string();
        // 1234.5678 × 33 / 100 = 407.407374 → 407.41
        assert_eq!(wp("1234.5678", pct(33)), "407.41");
        assert_eq!(wp("1000", pct(60)), "600.00");
        // 0.01 × 50 % = 0.005: half, away from zero → 0.01
        assert_eq!(wp("0.01", pct(50)), "0.01");
        // 10940.721 was once written as is: 36469.07 × 30 % = 10940.721 → 10940.72
        assert_eq!(wp("36469.07", pct(30)), "10940.72");
        assert_eq!(wp("0.03", pct(10)), "0.00");
        assert_eq!(wp("777.77", Percent::HUNDRED), "777.77");
        assert_eq!(wp("777.77", Percent::ZERO), "0.00");
        // 0.1 summed a thousand times stays exact: no floats.
        let sum: Decimal = (0..1000).map(|_| weighted_pipeline(d("0.1"), Percent::HUNDRED, eur())).sum();
        assert_eq!(sum, d("100"));
    }

    #[test]
    fn cost_info_puts_it_together() {
        let i = InterestedSolutions { licenses: true, hwaas: true, classound: false };
        let c = CostInfo::compute(users(37), &i, &waps(), None, pct(20), eur());
        // 734.29 × 20 % = 146.858 → 146.86
        assert_eq!(c, CostInfo { expected_mrr: d("734.29"), mrr: d("734.29"), weighted_pipeline: d("146.86") });
        let c = CostInfo::compute(users(37), &i, &waps(), Some(d("1234.57")), pct(33), eur());
        assert_eq!(c, CostInfo { expected_mrr: d("734.29"), mrr: d("1234.57"), weighted_pipeline: d("407.41") });
    }
}
