//! A report's table as CSV (RFC 4180): a header row of column labels, a row
//! per result row (the keys as shown, the figures as exact decimals), then
//! the totals row; fields quoted where needed, CRLF line ends. A text cell
//! that a spreadsheet would run as a formula (it starts with `=`, `+`, `-`,
//! `@`, a tab or a carriage return) is written with a leading `'`, so a
//! company named `=HYPERLINK(…)` is shown, not run; plain numbers stay numbers.

use super::table::Table;

pub const CONTENT_TYPE: &str = "text/csv; charset=utf-8";

pub fn render(table: &Table) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(vec![]);
    w.write_record(table.columns.iter().map(|c| inert(&c.label)))?;
    for r in table.rows.iter().chain(table.totals.as_ref()) {
        w.write_record(r.labels.iter().chain(&r.values).map(|cell| inert(cell)))?;
    }
    Ok(w.into_inner()?)
}

/// A cell no spreadsheet runs as a formula.
fn inert(cell: &str) -> String {
    let formula = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if formula && !is_number(cell) { format!("'{cell}") } else { cell.to_string() }
}

/// A plain decimal such as `-12.50`: a figure, not a formula.
fn is_number(cell: &str) -> bool {
    let digits = cell.strip_prefix('-').unwrap_or(cell);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, "0"));
    !int.is_empty() && !frac.is_empty() && (int.bytes().chain(frac.bytes())).all(|b| b.is_ascii_digit())
}

/// A download name: the report's name in lower-case words joined by `-`.
pub fn filename(name: &str, extension: &str) -> String {
    let mut out = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-');
    format!("{}.{extension}", if out.is_empty() { "report" } else { out })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Function, Source, table::build, tests::def};

    #[test]
    fn csv_quotes_and_ends_lines_with_crlf() {
        let d = def(Source::Leads, &["company"], &[(Function::Count, "")]);
        let t =
            build(&d, vec![(vec!["Acme, \"the\" best".into()], vec!["2".into()]), (vec!["".into()], vec!["1".into()])]);
        let out = String::from_utf8(render(&t).unwrap()).unwrap();
        assert_eq!(out, "Company,Count\r\n\"Acme, \"\"the\"\" best\",2\r\n(none),1\r\nTotal,3\r\n");
        // And it parses back to the same table.
        let mut r = csv::Reader::from_reader(out.as_bytes());
        let rows: Vec<Vec<String>> = r.records().map(|r| r.unwrap().iter().map(String::from).collect()).collect();
        assert_eq!(rows[0], ["Acme, \"the\" best", "2"]);
    }

    #[test]
    fn cells_a_spreadsheet_would_run_are_written_inert() {
        let d = def(Source::Leads, &["company"], &[(Function::Count, "")]);
        let t = build(
            &d,
            vec![
                (vec!["=HYPERLINK(\"http://evil.example\",\"x\")".into()], vec!["2".into()]),
                (vec!["+1 555 0100".into()], vec!["1".into()]),
                (vec!["@SUM(A1)".into()], vec!["1".into()]),
                (vec!["-2+3".into()], vec!["-12.50".into()]),
                (vec!["\tTab".into()], vec!["1".into()]),
            ],
        );
        let out = String::from_utf8(render(&t).unwrap()).unwrap();
        let mut r = csv::Reader::from_reader(out.as_bytes());
        let cells: Vec<Vec<String>> = r.records().map(|r| r.unwrap().iter().map(String::from).collect()).collect();
        // The table sorts its rows: look each one up by its label.
        let row = |label: &str| cells.iter().find(|r| r[0] == label).unwrap_or_else(|| panic!("{label}: {cells:?}"));
        row("'=HYPERLINK(\"http://evil.example\",\"x\")");
        row("'+1 555 0100");
        row("'@SUM(A1)");
        row("'\tTab");
        assert_eq!(row("'-2+3")[1], "-12.50", "a figure stays a number");
    }

    #[test]
    fn file_names_are_plain() {
        assert_eq!(filename("Pipeline by stage", "csv"), "pipeline-by-stage.csv");
        assert_eq!(filename(" ÄÖ / x ", "svg"), "x.svg");
        assert_eq!(filename("!!", "csv"), "report.csv");
    }
}
