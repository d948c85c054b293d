//! A report's result from the owning service's aggregated rows: the rows in
//! the report's order, a totals row where it means something, and what the
//! chart plots. Figures stay exact decimal text throughout.

use std::{cmp::Ordering, str::FromStr};

use rust_decimal::Decimal;

use super::{Bucket, ChartType, Column, Definition, Function, natural_order};

/// What a row without a value for a key shows.
pub const NONE_LABEL: &str = "(none)";
pub const TOTAL_LABEL: &str = "Total";
/// The age buckets of the owning services, youngest first.
const AGES: &[&str] = &["0-7 days", "8-30 days", "31-90 days", "over 90 days"];

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Row {
    pub keys: Vec<String>,
    pub labels: Vec<String>,
    pub values: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Series {
    pub name: String,
    /// One per category; "" for none.
    pub values: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chart {
    pub kind: ChartType,
    pub title: String,
    pub value_label: String,
    pub categories: Vec<String>,
    pub series: Vec<Series>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
    pub totals: Option<Row>,
    pub chart: Chart,
}

/// The table of `def` (as run, see [`Definition::effective`]) from the
/// aggregated rows: keys and values, one each per grouping and measure.
pub fn build(def: &Definition, raw: Vec<(Vec<String>, Vec<String>)>) -> Table {
    let mut rows: Vec<Row> = raw
        .into_iter()
        .map(|(keys, values)| Row {
            labels: keys.iter().zip(&def.group_by).map(|(k, g)| label(def.source, &g.field, k)).collect(),
            keys,
            values,
        })
        .collect();
    sort_rows(def, &mut rows);
    from_rows(def, rows)
}

/// The table of rows already in order (e.g. with labels the gateway named).
pub fn from_rows(def: &Definition, rows: Vec<Row>) -> Table {
    let columns = def.columns();
    let totals = totals(def, &columns, &rows);
    let chart = chart(def, &columns, &rows);
    Table { columns, rows, totals, chart }
}

fn label(source: super::Source, field: &str, key: &str) -> String {
    match super::key_label(source, field, key) {
        Some(l) => l.to_string(),
        None if key.is_empty() => NONE_LABEL.to_string(),
        None => key.to_string(),
    }
}

fn decimal(v: &str) -> Option<Decimal> {
    Decimal::from_str(v.trim()).ok()
}

/// Keys in their natural order: an order of their own (stages), ages
/// youngest first, numbers as numbers, text as text; no value last.
fn compare_keys(order: Option<&[&str]>, a: &str, b: &str) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Greater,
        (false, true) => return Ordering::Less,
        _ => {}
    }
    if let Some(order) = order {
        let rank = |k: &str| order.iter().position(|o| *o == k).unwrap_or(order.len());
        let by_rank = rank(a).cmp(&rank(b));
        if by_rank != Ordering::Equal {
            return by_rank;
        }
    }
    match (decimal(a), decimal(b)) {
        (Some(x), Some(y)) => x.cmp(&y).then_with(|| a.cmp(b)),
        _ => a.cmp(b),
    }
}

fn compare_values(a: &str, b: &str, descending: bool) -> Ordering {
    match (decimal(a), decimal(b)) {
        (Some(x), Some(y)) if descending => y.cmp(&x),
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// Sorts by the report's sort column, then by the keys in their natural order.
pub fn sort_rows(def: &Definition, rows: &mut [Row]) {
    let orders: Vec<Option<&[&str]>> = def
        .group_by
        .iter()
        .map(|g| match g.bucket {
            Bucket::Age => Some(AGES),
            Bucket::None => natural_order(def.source, &g.field),
            _ => None,
        })
        .collect();
    let natural = |a: &Row, b: &Row| {
        (0..orders.len())
            .map(|i| compare_keys(orders[i], &a.keys[i], &b.keys[i]))
            .find(|o| *o != Ordering::Equal)
            .unwrap_or(Ordering::Equal)
    };
    let columns = def.columns();
    let by = columns.iter().position(|c| c.key == def.sort.column);
    let groupings = def.group_by.len();
    let desc = def.sort.descending;
    rows.sort_by(|a, b| {
        let first = match by {
            Some(i) if i < groupings => {
                let o = compare_keys(orders[i], &a.keys[i], &b.keys[i]);
                if desc && !a.keys[i].is_empty() && !b.keys[i].is_empty() { o.reverse() } else { o }
            }
            Some(i) => compare_values(&a.values[i - groupings], &b.values[i - groupings], desc),
            None => Ordering::Equal,
        };
        first.then_with(|| natural(a, b))
    });
}

/// Exact decimal text, as the owning services give it: money with at
/// least two places.
pub fn show(d: Decimal, money: bool) -> String {
    let mut d = d.normalize();
    if money && d.scale() < 2 {
        d.rescale(2);
    }
    d.to_string()
}

/// The totals row, when the report has groupings and rows: counts and sums
/// add up; minima and maxima are the least and greatest of the rows; an
/// average cannot be had exactly from averages, so it is left empty (unless
/// there is one row), and so is money over several currencies.
fn totals(def: &Definition, columns: &[Column], rows: &[Row]) -> Option<Row> {
    if def.group_by.is_empty() || rows.is_empty() {
        return None;
    }
    let currency = def.group_by.iter().position(|g| g.field == super::CURRENCY);
    let currencies: std::collections::BTreeSet<&str> =
        currency.map(|i| rows.iter().map(|r| r.keys[i].as_str()).collect()).unwrap_or_default();
    let measure_columns = columns.iter().filter(|c| c.measure);
    let values = def
        .measures
        .iter()
        .zip(measure_columns)
        .enumerate()
        .map(|(j, (m, col))| {
            if col.money && currencies.len() > 1 {
                return String::new();
            }
            let figures: Vec<Decimal> = rows.iter().filter_map(|r| decimal(&r.values[j])).collect();
            let total = match m.function {
                Function::Count | Function::Sum if !figures.is_empty() => Some(figures.iter().sum()),
                Function::Min => figures.iter().min().copied(),
                Function::Max => figures.iter().max().copied(),
                Function::Avg if rows.len() == 1 => figures.first().copied(),
                _ => None,
            };
            total.map(|t| show(t, col.money)).unwrap_or_default()
        })
        .collect();
    let n = def.group_by.len();
    let mut labels = vec![String::new(); n];
    labels[0] = TOTAL_LABEL.into();
    Some(Row { keys: vec![String::new(); n], labels, values })
}

/// The chart: the first grouping along the axis; a series per value of the
/// other groupings (or the one measure plotted); the chart measure's values.
fn chart(def: &Definition, columns: &[Column], rows: &[Row]) -> Chart {
    let m = def.chart_measure.min(def.measures.len().saturating_sub(1));
    let value_label = columns.iter().filter(|c| c.measure).nth(m).map(|c| c.label.clone()).unwrap_or_default();
    let mut categories: Vec<String> = vec![];
    let mut series: Vec<Series> = vec![];
    for r in rows {
        let category = r.labels.first().cloned().unwrap_or_else(|| TOTAL_LABEL.into());
        let name = if r.labels.len() > 1 { r.labels[1..].join(" / ") } else { value_label.clone() };
        let c = categories.iter().position(|x| *x == category).unwrap_or_else(|| {
            categories.push(category);
            for s in &mut series {
                s.values.push(String::new());
            }
            categories.len() - 1
        });
        let s = series.iter().position(|s| s.name == name).unwrap_or_else(|| {
            series.push(Series { name, values: vec![String::new(); categories.len()] });
            series.len() - 1
        });
        series[s].values[c] = r.values.get(m).cloned().unwrap_or_default();
    }
    Chart { kind: def.chart_type, title: def.name.clone(), value_label, categories, series }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Function, Grouping, Source, tests::def};

    fn raw(rows: &[(&[&str], &[&str])]) -> Vec<(Vec<String>, Vec<String>)> {
        rows.iter()
            .map(|(k, v)| (k.iter().map(|s| s.to_string()).collect(), v.iter().map(|s| s.to_string()).collect()))
            .collect()
    }

    #[test]
    fn stages_sort_in_pipeline_order_and_totals_add_up() {
        let d = def(Source::Projects, &["stage"], &[(Function::Count, ""), (Function::Sum, "mrr")]).effective();
        let t = build(
            &d,
            raw(&[
                (&["proposal", "EUR"], &["2", "300.50"]),
                (&["demo", "EUR"], &["1", "100.25"]),
                (&["intro_qualification", "EUR"], &["3", "0.00"]),
                (&["", "EUR"], &["1", "1.00"]),
            ]),
        );
        let stages: Vec<_> = t.rows.iter().map(|r| r.keys[0].as_str()).collect();
        assert_eq!(stages, ["intro_qualification", "demo", "proposal", ""]);
        let labels: Vec<_> = t.rows.iter().map(|r| r.labels[0].as_str()).collect();
        assert_eq!(labels, ["Intro / Qualification", "Demo", "Proposal", NONE_LABEL]);
        let totals = t.totals.unwrap();
        assert_eq!(totals.values, ["7", "401.75"]);
        assert_eq!(totals.labels[0], TOTAL_LABEL);
    }

    #[test]
    fn money_over_several_currencies_has_no_total_and_averages_none() {
        let d =
            def(Source::Projects, &["stage"], &[(Function::Count, ""), (Function::Sum, "mrr"), (Function::Avg, "mrr")])
                .effective();
        let t =
            build(&d, raw(&[(&["demo", "EUR"], &["1", "10.00", "10.00"]), (&["demo", "USD"], &["2", "5.00", "2.50"])]));
        assert_eq!(t.totals.unwrap().values, ["3", "", ""]);
        let d = def(Source::Leads, &["status"], &[(Function::Min, "x"), (Function::Max, "x")]);
        let t = build(&d, raw(&[(&["a"], &["3", "9"]), (&["b"], &["-1.5", "4"])]));
        assert_eq!(t.totals.unwrap().values, ["-1.5", "9"]);
    }

    #[test]
    fn rows_sort_by_a_measure_then_naturally() {
        let mut d = def(Source::Leads, &["source"], &[(Function::Count, "")]);
        d.sort.column = "count".into();
        d.sort.descending = true;
        let t = build(&d, raw(&[(&["web"], &["1"]), (&["event"], &["5"]), (&["other"], &["5"]), (&["x"], &[""])]));
        let keys: Vec<_> = t.rows.iter().map(|r| r.keys[0].as_str()).collect();
        assert_eq!(keys, ["event", "other", "web", "x"]);
    }

    #[test]
    fn ages_and_numbers_keep_their_order() {
        let mut d = def(Source::Cases, &["product"], &[(Function::Count, "")]);
        d.group_by = vec![Grouping { field: "create_time".into(), bucket: Bucket::Age }];
        let t = build(&d, raw(&[(&["over 90 days"], &["1"]), (&["0-7 days"], &["2"]), (&["8-30 days"], &["3"])]));
        let keys: Vec<_> = t.rows.iter().map(|r| r.keys[0].as_str()).collect();
        assert_eq!(keys, ["0-7 days", "8-30 days", "over 90 days"]);
        assert_eq!(compare_keys(None, "10", "9"), Ordering::Greater);
    }

    #[test]
    fn the_chart_has_a_series_per_second_key() {
        let d = def(Source::Projects, &["stage"], &[(Function::Count, ""), (Function::Sum, "mrr")]).effective();
        let d = Definition { chart_measure: 1, ..d };
        let t = build(
            &d,
            raw(&[
                (&["demo", "EUR"], &["1", "10.00"]),
                (&["demo", "USD"], &["1", "20.00"]),
                (&["proposal", "EUR"], &["2", "5.00"]),
            ]),
        );
        assert_eq!(t.chart.categories, ["Demo", "Proposal"]);
        assert_eq!(t.chart.value_label, "Sum of MRR");
        assert_eq!(t.chart.series.len(), 2);
        assert_eq!(t.chart.series[0], Series { name: "EUR".into(), values: vec!["10.00".into(), "5.00".into()] });
        assert_eq!(t.chart.series[1], Series { name: "USD".into(), values: vec!["20.00".into(), "".into()] });
        // No grouping: one category.
        let d = def(Source::Leads, &[], &[(Function::Count, "")]);
        let t = build(&d, raw(&[(&[], &["4"])]));
        assert_eq!(t.chart.categories, [TOTAL_LABEL]);
        assert!(t.totals.is_none());
    }
}
