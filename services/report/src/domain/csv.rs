//! A report's table as CSV (RFC 4180): a header row of column labels, a row
//! per result row (the keys as shown, the figures as exact decimals), then
//! the totals row; fields quoted where needed, CRLF line ends.

use super::table::Table;

pub const CONTENT_TYPE: &str = "text/csv; charset=utf-8";

pub fn render(table: &Table) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(vec![]);
    w.write_record(table.columns.iter().map(|c| c.label.as_str()))?;
    for r in table.rows.iter().chain(table.totals.as_ref()) {
        w.write_record(r.labels.iter().chain(&r.values))?;
    }
    Ok(w.into_inner()?)
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
    fn file_names_are_plain() {
        assert_eq!(filename("Pipeline by stage", "csv"), "pipeline-by-stage.csv");
        assert_eq!(filename(" ÄÖ / x ", "svg"), "x.svg");
        assert_eq!(filename("!!", "csv"), "report.csv");
    }
}
