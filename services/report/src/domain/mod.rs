//! The rules of reports, pure: no I/O, no wire types.
//!
//! | rule | where |
//! |---|---|
//! | what a definition may hold, checked field by field | [`Definition::check`] |
//! | money is never summed across currencies | [`Definition::effective`] |
//! | column keys and labels ("Sum of MRR") | [`Definition::columns`] |
//! | what a source's fields may be grouped by and measured | [`fields`] |
//! | the built-in reports and who sees them | [`builtin`] |
//! | who sees, edits and deletes a saved report | [`access`] |
//! | what an id in a filter refers to, checked before a report is saved | [`reference_of`] |
//! | rows sorted, totals, chart data | [`table`] |
//! | CSV and SVG | [`csv`], [`svg`] |

pub mod access;
pub mod builtin;
pub mod csv;
pub mod fields;
pub mod svg;
pub mod table;

use prm_kit::{
    Error, Result,
    text::{paragraph, required_line},
};

prm_kit::text_enum!(
    /// The collection a report runs over, and the service that owns it.
    Source {
        Leads => "leads",
        Projects => "projects",
        Quotes => "quotes",
        Orders => "orders",
        Cases => "cases",
        Tasks => "tasks",
    }
);

/// What an id a filter compares a field with names: a record another
/// service owns, or a partner. Either must be one the caller sees before a
/// report naming it is saved, exactly as any other reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reference {
    Account,
    Project,
    Quote,
    Partner,
}

/// The reference of a filter field that holds one. People (`owner_id`,
/// `submitter_id`, `assignee_id`) are the gateway's, which no service can
/// ask; an id of someone outside the caller's scope matches no row of it.
pub fn reference_of(field: &str) -> Option<Reference> {
    Some(match field {
        "account_id" => Reference::Account,
        "project_id" => Reference::Project,
        "quote_id" => Reference::Quote,
        "partner_id" | "distributed_partner_id" => Reference::Partner,
        _ => return None,
    })
}

impl Source {
    /// The record service whose `AggregateService` answers for it.
    pub fn service(self) -> &'static str {
        match self {
            Source::Leads => "lead",
            Source::Projects => "project",
            Source::Quotes => "quote",
            Source::Orders => "order",
            Source::Cases => "case",
            Source::Tasks => "task",
        }
    }

    /// Whether its amounts carry a currency (`currency_code`).
    fn has_money(self) -> bool {
        matches!(self, Source::Projects | Source::Quotes | Source::Orders)
    }
}

prm_kit::text_enum!(
    /// How a date field is grouped; `none` groups by the value itself.
    Bucket {
        None => "none",
        Day => "day",
        Week => "week",
        Month => "month",
        Quarter => "quarter",
        Year => "year",
        Age => "age",
    }
);

prm_kit::text_enum!(Function { Count => "count", Sum => "sum", Avg => "avg", Min => "min", Max => "max" });

prm_kit::text_enum!(ChartType { Bar => "bar", Line => "line", Pie => "pie", Funnel => "funnel" });

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grouping {
    pub field: String,
    pub bucket: Bucket,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Measure {
    pub function: Function,
    /// Empty for a count of rows.
    pub field: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sort {
    /// A column key; empty sorts by the groupings.
    pub column: String,
    pub descending: bool,
}

/// What a report computes and shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Definition {
    pub name: String,
    pub description: String,
    pub source: Source,
    pub filter: String,
    pub group_by: Vec<Grouping>,
    pub measures: Vec<Measure>,
    pub sort: Sort,
    pub chart_type: ChartType,
    /// Index into `measures`.
    pub chart_measure: usize,
}

pub const MAX_GROUPINGS: usize = 3;
pub const MAX_MEASURES: usize = 10;
pub const MAX_NAME: usize = 100;
pub const MAX_DESCRIPTION: usize = 2000;
pub const MAX_FILTER: usize = 2000;
/// The grouping appended to reports that measure money.
pub const CURRENCY: &str = "currency_code";

/// Numeric fields of the money sources that are not money: counts,
/// percentages and yes/no flags. Any other field summed, averaged or
/// compared on projects, quotes or orders is taken for money, so a field
/// added later is kept apart by currency rather than mixed.
const NOT_MONEY: &[&str] = &[
    "probability",
    "total_users",
    "users_of_poc",
    "demo_done",
    "approved_by_am",
    "bonus_pipeline_satisfied",
    "open",
    "verbal_agreement",
    "primary",
    "line_count",
    "quantity",
];

/// Fields whose values have an order of their own, not the alphabet's.
pub fn natural_order(source: Source, field: &str) -> Option<&'static [&'static str]> {
    match (source, field) {
        // The stage machine: new business, then existing customer's own
        // first stage, then the automatic ones, won before lost.
        (Source::Projects, "stage") => Some(&[
            "intro_qualification",
            "demo",
            "project_presentation",
            "presentation",
            "proposal",
            "contract_out",
            "order_management",
            "closed_won",
            "closed_lost",
        ]),
        (Source::Leads, "status") => Some(&["new", "working", "nurturing", "qualified", "unqualified", "converted"]),
        (Source::Cases, "status") => Some(&["new", "in_progress", "waiting_on_partner", "solved", "closed"]),
        (Source::Cases | Source::Tasks, "priority") => Some(&["low", "normal", "medium", "high", "urgent"]),
        _ => None,
    }
}

/// How people read a key: the stage machine's names for stages; other
/// values as they are (the gateway names people and partners).
pub fn key_label(source: Source, field: &str, key: &str) -> Option<&'static str> {
    if (source, field) != (Source::Projects, "stage") {
        return None;
    }
    Some(match key {
        "intro_qualification" => "Intro / Qualification",
        "demo" => "Demo",
        "project_presentation" => "Project Presentation",
        "presentation" => "Presentation",
        "proposal" => "Proposal",
        "contract_out" => "Contract out",
        "order_management" => "Order Management",
        "closed_won" => "Closed won",
        "closed_lost" => "Closed lost",
        _ => return None,
    })
}

/// How people read a field name.
pub fn field_label(field: &str) -> String {
    let known = match field {
        "mrr" => "MRR",
        "pipeline_mrr" => "Pipeline MRR",
        "amount_mrr" => "Amount MRR",
        "expected_mrr" => "Expected MRR",
        "weighted_pipeline" => "Weighted pipeline",
        "currency_code" => "Currency",
        "owner_id" => "Owner",
        "partner_id" => "Partner",
        "submitter_id" => "Submitter",
        "assignee_id" => "Assignee",
        "account_id" => "Account",
        "approved_by_am" => "Approved by AM",
        "bonus_pipeline_satisfied" => "Bonus Pipeline satisfied",
        "capex" => "Capex",
        "record_type" => "Record type",
        _ => "",
    };
    if !known.is_empty() {
        return known.to_string();
    }
    let words = field.replace(['_', '.'], " ");
    let mut cs = words.chars();
    match cs.next() {
        Some(c) => c.to_uppercase().chain(cs).collect(),
        None => String::new(),
    }
}

/// The column of a grouping or a measure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub key: String,
    pub label: String,
    pub measure: bool,
    pub field: String,
    pub money: bool,
}

impl Grouping {
    pub fn key(&self) -> String {
        match self.bucket {
            Bucket::None => self.field.clone(),
            b => format!("{}_{b}", self.field),
        }
    }

    fn label(&self) -> String {
        let f = field_label(&self.field);
        match self.bucket {
            Bucket::None => f,
            b => format!("{f} ({b})"),
        }
    }
}

impl Measure {
    pub fn key(&self) -> String {
        match (self.function, self.field.as_str()) {
            (Function::Count, "") => "count".into(),
            (f, field) => format!("{f}_{field}"),
        }
    }

    fn label(&self) -> String {
        let f = field_label(&self.field);
        match (self.function, self.field.as_str()) {
            (Function::Count, "") => "Count".into(),
            (Function::Count, _) => format!("Count of {f}"),
            (Function::Sum, _) => format!("Sum of {f}"),
            (Function::Avg, _) => format!("Average of {f}"),
            (Function::Min, _) => format!("Minimum of {f}"),
            (Function::Max, _) => format!("Maximum of {f}"),
        }
    }

    /// Whether this measure is an amount of money on `source` (see [`NOT_MONEY`]).
    pub fn is_money(&self, source: Source) -> bool {
        source.has_money() && self.function != Function::Count && !NOT_MONEY.contains(&self.field.as_str())
    }
}

impl Definition {
    /// The definition trimmed and checked; errors name the field under
    /// `report.`. Fields and the filter are the owning service's to check
    /// (it knows its collection); this checks the shape.
    pub fn check(mut self) -> Result<Definition> {
        self.name = required_line("report.name", &self.name, MAX_NAME)?;
        self.description = paragraph("report.description", &self.description, MAX_DESCRIPTION)?;
        self.filter = self.filter.trim().to_string();
        if self.filter.chars().count() > MAX_FILTER {
            return Err(Error::invalid("report.filter", format!("is longer than {MAX_FILTER} characters")));
        }
        let mut keys: Vec<String> = vec![];
        for (i, g) in self.group_by.iter_mut().enumerate() {
            g.field = g.field.trim().to_string();
            if g.field.is_empty() {
                return Err(Error::invalid(format!("report.group_by[{i}].field"), "is required"));
            }
            if keys.contains(&g.key()) {
                return Err(Error::invalid(format!("report.group_by[{i}]"), "repeats an earlier grouping"));
            }
            keys.push(g.key());
        }
        if self.group_by.len() > MAX_GROUPINGS {
            return Err(Error::invalid("report.group_by", format!("at most {MAX_GROUPINGS} groupings")));
        }
        if self.measures.is_empty() || self.measures.len() > MAX_MEASURES {
            return Err(Error::invalid("report.measures", format!("needs 1 to {MAX_MEASURES} measures")));
        }
        for (i, m) in self.measures.iter_mut().enumerate() {
            m.field = m.field.trim().to_string();
            if m.function != Function::Count && m.field.is_empty() {
                return Err(Error::invalid(
                    format!("report.measures[{i}].field"),
                    format!("a {} needs a field", m.function),
                ));
            }
            if keys.contains(&m.key()) {
                return Err(Error::invalid(format!("report.measures[{i}]"), "repeats an earlier measure"));
            }
            keys.push(m.key());
        }
        let effective = self.effective();
        if effective.group_by.len() > MAX_GROUPINGS {
            return Err(Error::invalid(
                "report.group_by",
                format!(
                    "at most {} groupings besides currency_code, which a report measuring money is grouped by",
                    MAX_GROUPINGS - 1
                ),
            ));
        }
        self.sort.column = self.sort.column.trim().to_string();
        if !self.sort.column.is_empty() && !effective.columns().iter().any(|c| c.key == self.sort.column) {
            return Err(Error::invalid(
                "report.sort.column",
                format!("`{}` is not a column of the report: one of {}", self.sort.column, keys.join(", ")),
            ));
        }
        if self.chart_measure >= self.measures.len() {
            return Err(Error::invalid("report.chart_measure", "is not the index of a measure"));
        }
        let plain: Vec<&Grouping> = effective.group_by.iter().filter(|g| g.field != CURRENCY).collect();
        match self.chart_type {
            ChartType::Bar => {}
            ChartType::Line if effective.group_by.is_empty() => {
                return Err(Error::invalid("report.chart_type", "a line chart needs a grouping"));
            }
            ChartType::Line => {}
            ChartType::Pie if plain.len() != 1 => {
                return Err(Error::invalid("report.chart_type", "a pie chart needs exactly one grouping"));
            }
            ChartType::Pie => {}
            ChartType::Funnel => {
                let stages = self.source == Source::Projects
                    && plain.len() == 1
                    && plain[0].field == "stage"
                    && plain[0].bucket == Bucket::None;
                if !stages {
                    return Err(Error::invalid(
                        "report.chart_type",
                        "a funnel shows projects grouped by stage only (the stage pipeline)",
                    ));
                }
            }
        }
        Ok(self)
    }

    /// The definition as it runs: a report that measures money on a source
    /// with currencies is also grouped by `currency_code` (appended last), so
    /// no figure adds up amounts of different currencies.
    pub fn effective(&self) -> Definition {
        let mut d = self.clone();
        let money = d.measures.iter().any(|m| m.is_money(d.source));
        if money && !d.group_by.iter().any(|g| g.field == CURRENCY) {
            d.group_by.push(Grouping { field: CURRENCY.into(), bucket: Bucket::None });
        }
        d
    }

    /// Key columns, then measure columns.
    pub fn columns(&self) -> Vec<Column> {
        let keys = self.group_by.iter().map(|g| Column {
            key: g.key(),
            label: g.label(),
            measure: false,
            field: g.field.clone(),
            money: false,
        });
        let measures = self.measures.iter().map(|m| Column {
            key: m.key(),
            label: m.label(),
            measure: true,
            field: m.field.clone(),
            money: m.is_money(self.source),
        });
        keys.chain(measures).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn def(source: Source, group_by: &[&str], measures: &[(Function, &str)]) -> Definition {
        Definition {
            name: "R".into(),
            description: String::new(),
            source,
            filter: String::new(),
            group_by: group_by.iter().map(|f| Grouping { field: f.to_string(), bucket: Bucket::None }).collect(),
            measures: measures
                .iter()
                .map(|(function, f)| Measure { function: *function, field: f.to_string() })
                .collect(),
            sort: Sort::default(),
            chart_type: ChartType::Bar,
            chart_measure: 0,
        }
    }

    fn field_of(e: Error) -> String {
        match e {
            Error::Invalid { field, .. } => field,
            other => panic!("not a validation error: {other:?}"),
        }
    }

    #[test]
    fn money_sums_are_grouped_by_currency() {
        let d = def(Source::Projects, &["stage"], &[(Function::Count, ""), (Function::Sum, "mrr")]);
        let e = d.effective();
        assert_eq!(e.group_by.last().unwrap().field, "currency_code");
        // Counts and flags carry no currency; leads carry no money.
        let d = def(Source::Projects, &["stage"], &[(Function::Count, ""), (Function::Sum, "demo_done")]);
        assert_eq!(d.effective().group_by.len(), 1);
        let d = def(Source::Leads, &["source"], &[(Function::Sum, "estimated_users")]);
        assert_eq!(d.effective().group_by.len(), 1);
        // Not appended twice.
        let d = def(Source::Projects, &["currency_code", "stage"], &[(Function::Sum, "mrr")]);
        assert_eq!(d.effective().group_by.len(), 2);
    }

    #[test]
    fn columns_have_keys_and_labels() {
        let d = def(Source::Projects, &["stage"], &[(Function::Count, ""), (Function::Sum, "mrr")]).effective();
        let cols = d.columns();
        let keys: Vec<_> = cols.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(keys, ["stage", "currency_code", "count", "sum_mrr"]);
        assert_eq!(cols[3].label, "Sum of MRR");
        assert!(cols[3].money && !cols[2].money);
        let g = Grouping { field: "close_date".into(), bucket: Bucket::Month };
        assert_eq!((g.key(), g.label()), ("close_date_month".into(), "Close date (month)".into()));
    }

    #[test]
    fn checks_name_the_field() {
        let ok = def(Source::Projects, &["stage"], &[(Function::Sum, "mrr")]);
        assert!(ok.clone().check().is_ok());
        let cases: Vec<(Definition, &str)> = vec![
            (Definition { name: "  ".into(), ..ok.clone() }, "report.name"),
            (Definition { name: "x".repeat(101), ..ok.clone() }, "report.name"),
            (def(Source::Projects, &["stage"], &[]), "report.measures"),
            (def(Source::Projects, &["stage"], &[(Function::Sum, "")]), "report.measures[0].field"),
            (def(Source::Projects, &["stage"], &[(Function::Count, ""), (Function::Count, "")]), "report.measures[1]"),
            (def(Source::Projects, &["stage", " "], &[(Function::Count, "")]), "report.group_by[1].field"),
            (def(Source::Projects, &["stage", "stage"], &[(Function::Count, "")]), "report.group_by[1]"),
            (def(Source::Leads, &["a", "b", "c", "d"], &[(Function::Count, "")]), "report.group_by"),
            // Three groupings and money: currency_code would be the fourth.
            (def(Source::Projects, &["a", "b", "c"], &[(Function::Sum, "mrr")]), "report.group_by"),
            (
                Definition { sort: Sort { column: "nope".into(), descending: false }, ..ok.clone() },
                "report.sort.column",
            ),
            (Definition { chart_measure: 1, ..ok.clone() }, "report.chart_measure"),
            (
                Definition { chart_type: ChartType::Line, ..def(Source::Leads, &[], &[(Function::Count, "")]) },
                "report.chart_type",
            ),
            (
                Definition { chart_type: ChartType::Pie, ..def(Source::Leads, &["a", "b"], &[(Function::Count, "")]) },
                "report.chart_type",
            ),
            (
                Definition {
                    chart_type: ChartType::Funnel,
                    ..def(Source::Leads, &["status"], &[(Function::Count, "")])
                },
                "report.chart_type",
            ),
        ];
        for (d, field) in cases {
            assert_eq!(field_of(d.clone().check().unwrap_err()), field, "{d:?}");
        }
        // A funnel of projects by stage, with the currency appended, is fine; sort by an appended column too.
        let f = Definition {
            chart_type: ChartType::Funnel,
            sort: Sort { column: "currency_code".into(), descending: true },
            ..ok.clone()
        };
        assert!(f.check().is_ok());
    }
}
