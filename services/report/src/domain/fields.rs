//! What a definition may do with each field of a source, from the kind the
//! owning service gives it: group by it (and by which periods), measure
//! it, and whether measuring it is measuring money. A report builder offers
//! exactly this, so what it offers is what [`super::Definition`] runs.

use super::{Bucket, Function, Measure, Source, field_label};

/// What a field holds, as the owning service describes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Uuid,
    Date,
    Timestamp,
    Integer,
    Money,
    Flag,
}

/// The periods a date or a time is grouped by (besides the value itself).
pub const DATE_BUCKETS: &[Bucket] =
    &[Bucket::Day, Bucket::Week, Bucket::Month, Bucket::Quarter, Bucket::Year, Bucket::Age];

impl Kind {
    /// Every kind groups: text and flags by value, ids too (the gateway
    /// names people and partners), dates and times by a period.
    pub fn groupable(self) -> bool {
        true
    }

    /// A sum, average, minimum or maximum takes numbers, money and flags
    /// (as 1/0); the owning service refuses any other field.
    pub fn measurable(self) -> bool {
        matches!(self, Kind::Integer | Kind::Money | Kind::Flag)
    }

    pub fn buckets(self) -> &'static [Bucket] {
        match self {
            Kind::Date | Kind::Timestamp => DATE_BUCKETS,
            _ => &[],
        }
    }
}

/// One field of a source, and what a definition may do with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceField {
    pub name: String,
    pub label: String,
    pub kind: Kind,
    pub groupable: bool,
    pub measurable: bool,
    /// Measuring it groups the report by currency ([`Measure::is_money`]).
    pub money: bool,
    pub buckets: Vec<Bucket>,
    /// An enum's words; empty otherwise.
    pub values: Vec<String>,
}

/// The field `name` of `source`, of `kind`, with an enum's `values`.
pub fn describe(source: Source, name: &str, kind: Kind, values: Vec<String>) -> SourceField {
    let measurable = kind.measurable();
    // Money exactly when a sum of it would be taken for money at run time.
    let money = measurable && Measure { function: Function::Sum, field: name.to_string() }.is_money(source);
    SourceField {
        name: name.to_string(),
        label: field_label(name),
        kind,
        groupable: kind.groupable(),
        measurable,
        money,
        buckets: kind.buckets().to_vec(),
        values,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_group_by_periods_and_numbers_money_and_flags_are_measured() {
        let kinds = [Kind::Text, Kind::Uuid, Kind::Date, Kind::Timestamp, Kind::Integer, Kind::Money, Kind::Flag];
        let rules: Vec<(Kind, bool, bool, usize)> =
            kinds.iter().map(|k| (*k, k.groupable(), k.measurable(), k.buckets().len())).collect();
        assert_eq!(
            rules,
            [
                (Kind::Text, true, false, 0),
                (Kind::Uuid, true, false, 0),
                (Kind::Date, true, false, 6),
                (Kind::Timestamp, true, false, 6),
                (Kind::Integer, true, true, 0),
                (Kind::Money, true, true, 0),
                (Kind::Flag, true, true, 0),
            ]
        );
        let words: Vec<&str> = DATE_BUCKETS.iter().map(|b| b.as_str()).collect();
        assert_eq!(words, ["day", "week", "month", "quarter", "year", "age"]);
    }

    #[test]
    fn a_field_is_money_as_a_sum_of_it_would_be() {
        let f = describe(Source::Projects, "amount_mrr", Kind::Money, vec![]);
        assert_eq!((f.label.as_str(), f.measurable, f.money), ("Amount MRR", true, true));
        // Counts, percentages and flags carry no currency; nor does what is not measured.
        for (name, kind) in [("users_of_poc", Kind::Integer), ("probability", Kind::Integer), ("open", Kind::Flag)] {
            assert!(!describe(Source::Projects, name, kind, vec![]).money, "{name}");
        }
        assert!(!describe(Source::Projects, "currency_code", Kind::Text, vec![]).money);
        // Leads carry no money at all.
        assert!(!describe(Source::Leads, "estimated_users", Kind::Integer, vec![]).money);
        let stage = describe(Source::Projects, "stage", Kind::Text, vec!["demo".into()]);
        assert_eq!(
            stage,
            SourceField {
                name: "stage".into(),
                label: "Stage".into(),
                kind: Kind::Text,
                groupable: true,
                measurable: false,
                money: false,
                buckets: vec![],
                values: vec!["demo".into()],
            }
        );
        let close = describe(Source::Projects, "close_date", Kind::Date, vec![]);
        assert_eq!((close.label.as_str(), close.buckets.len(), close.measurable), ("Close date", 6, false));
    }
}
