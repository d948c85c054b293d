//! The quote as a PDF to send to a customer: the vendor, the quote's number,
//! date and validity at the top, the customer and where to ship, the lines
//! in a table whose header is repeated on every page, the MRR and one-time
//! totals, and "Page N of M" at the foot of every page.
//!
//! Written with krilla, a maintained pure-Rust PDF library: it embeds a
//! TrueType font subset to the glyphs a document uses, with the map back to
//! Unicode, so text prints, searches and copies in every alphabet the font
//! has (the standard Helvetica with WinAnsi bytes had no Ł, ř or ő). The
//! font is DejaVu Sans Condensed, regular and bold (`fonts/`, with its
//! Bitstream Vera licence): open, complete for Latin, Greek and Cyrillic, and
//! narrow enough for seven columns on A4. The two files add 1.3 MB to the
//! binary; a document carries only its own glyphs.
//!
//! [`layout`] places every piece of text on its page (pure, and tested
//! here); [`render`] draws the pages.

use std::{ops::Range, sync::LazyLock};

use krilla::{
    Document,
    color::rgb,
    geom::{PathBuilder, Point, Rect},
    metadata::Metadata,
    page::PageSettings,
    paint::{Fill, Stroke},
    text::{Font, TextDirection},
};
use prm_kit::money;

/// What the document shows, already formatted for print.
#[derive(Debug, Clone, Default)]
pub struct QuoteDocument {
    /// Who quotes: the vendor's name.
    pub vendor: String,
    /// `Q-000123`.
    pub number: String,
    /// The quote's name.
    pub title: String,
    /// The day the document is issued, `2026-12-31`.
    pub date: String,
    /// `2026-12-31`, or empty for none.
    pub expiry_date: String,
    pub currency: String,
    /// The customer's name, then its billing address and VAT number.
    pub customer: Vec<String>,
    /// Where the goods go.
    pub ship_to: Vec<String>,
    pub lines: Vec<DocumentLine>,
    /// With the currency: `1,234.50 EUR`.
    pub mrr: String,
    pub one_time_total: String,
}

/// One line of the table; amounts without the currency, which the column
/// headers name.
#[derive(Debug, Clone, Default)]
pub struct DocumentLine {
    pub sku: String,
    pub product: String,
    pub quantity: String,
    pub unit_price: String,
    pub discount_percent: String,
    pub billing: String,
    pub net: String,
}

/// Stored units as printed: the currency's minor unit (more only for a
/// price finer than it), thousands grouped: `1,234.50`, `1,234` yen.
pub fn amount(currency: &str, units: i64) -> String {
    grouped(&money::write_units(currency, units))
}

/// `1234567.5` as `1,234,567.5`.
pub fn grouped(plain: &str) -> String {
    let (sign, digits) = plain.strip_prefix('-').map_or(("", plain), |d| ("-", d));
    let (int, frac) = digits.split_once('.').map_or((digits, None), |(i, f)| (i, Some(f)));
    let mut out = String::from(sign);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

static REGULAR_TTF: &[u8] = include_bytes!("../fonts/DejaVuSansCondensed.ttf");
static BOLD_TTF: &[u8] = include_bytes!("../fonts/DejaVuSansCondensed-Bold.ttf");

/// The font for drawing; parsed once.
static REGULAR: LazyLock<Font> = LazyLock::new(|| Font::new(REGULAR_TTF.into(), 0).expect("the bundled font"));
static BOLD: LazyLock<Font> = LazyLock::new(|| Font::new(BOLD_TTF.into(), 0).expect("the bundled font"));
/// The same fonts for measuring, shaped as krilla shapes them.
static REGULAR_FACE: LazyLock<rustybuzz::Face<'static>> =
    LazyLock::new(|| rustybuzz::Face::from_slice(REGULAR_TTF, 0).expect("the bundled font"));
static BOLD_FACE: LazyLock<rustybuzz::Face<'static>> =
    LazyLock::new(|| rustybuzz::Face::from_slice(BOLD_TTF, 0).expect("the bundled font"));

/// The advance of `text` at `size` points.
fn width(text: &str, size: f32, bold: bool) -> f32 {
    let face = if bold { &*BOLD_FACE } else { &*REGULAR_FACE };
    let mut buffer = rustybuzz::UnicodeBuffer::new();
    buffer.push_str(text);
    buffer.guess_segment_properties();
    let shaped = rustybuzz::shape(face, &[], buffer);
    let units: i32 = shaped.glyph_positions().iter().map(|p| p.x_advance).sum();
    units as f32 * size / face.units_per_em() as f32
}

// A4 in points; y runs down from the top edge, as krilla's does.
const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const LEFT: f32 = 48.0;
const RIGHT: f32 = PAGE_W - 48.0;
/// Lines of the table end above this; the page number sits below.
const ROWS_BOTTOM: f32 = PAGE_H - 64.0;
const FOOTER_Y: f32 = PAGE_H - 34.0;

/// The table's header band starts here on the first page (below the
/// parties) and on the pages after it (below a running header).
const TABLE_TOP_FIRST: f32 = 268.0;
const TABLE_TOP_NEXT: f32 = 76.0;
const TABLE_HEADER_H: f32 = 17.0;
const ROW_H: f32 = 14.0;
const TABLE_SIZE: f32 = 8.5;
/// The totals under the last line: a rule and two rows.
const TOTALS_H: f32 = 46.0;
/// Address lines shown for the customer and for the shipping address.
const PARTY_LINES: usize = 6;

/// The seven columns: where each starts or, right-aligned, ends.
#[derive(Debug, Clone, Copy)]
struct Column {
    title: &'static str,
    /// Left edge, or the right edge when `right`.
    x: f32,
    /// Room for the text.
    width: f32,
    right: bool,
}

const COLUMNS: [Column; 7] = [
    Column { title: "SKU", x: LEFT, width: 70.0, right: false },
    Column { title: "Product", x: 122.0, width: 162.0, right: false },
    Column { title: "Qty", x: 320.0, width: 32.0, right: true },
    Column { title: "Price", x: 390.0, width: 66.0, right: true },
    Column { title: "Disc. %", x: 428.0, width: 34.0, right: true },
    Column { title: "Billing", x: 436.0, width: 40.0, right: false },
    Column { title: "Net", x: RIGHT, width: 68.0, right: true },
];

/// How many lines of the table the page holds: fewer on the first, which
/// has the parties above the table.
pub fn rows_per_page(page: usize) -> usize {
    let top = if page == 0 { TABLE_TOP_FIRST } else { TABLE_TOP_NEXT };
    ((ROWS_BOTTOM - top - TABLE_HEADER_H) / ROW_H) as usize
}

/// The lines each page holds, in order. The totals go below the last line,
/// or on a page of their own when they do not fit there.
fn paginate(lines: usize) -> Vec<Range<usize>> {
    let mut pages: Vec<Range<usize>> = Vec::new();
    let mut start = 0;
    loop {
        let end = (start + rows_per_page(pages.len())).min(lines);
        pages.push(start..end);
        start = end;
        if start == lines {
            let page = pages.len() - 1;
            if rows_bottom(page, end - pages[page].start) + TOTALS_H > ROWS_BOTTOM {
                pages.push(lines..lines);
            }
            return pages;
        }
    }
}

/// How many pages a quote of `lines` lines takes.
pub fn page_count(lines: usize) -> usize {
    paginate(lines).len()
}

fn table_top(page: usize) -> f32 {
    if page == 0 { TABLE_TOP_FIRST } else { TABLE_TOP_NEXT }
}

/// Where `rows` lines of the table end on `page`.
fn rows_bottom(page: usize, rows: usize) -> f32 {
    table_top(page) + TABLE_HEADER_H + rows as f32 * ROW_H
}

/// A piece of text placed on a page: `x` is its left edge, `y` its
/// baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub x: f32,
    pub y: f32,
    pub size: f32,
    pub bold: bool,
    pub text: String,
}

/// One laid-out page: shaded bands (the table header), thin rules, text.
#[derive(Debug, Clone, Default)]
pub struct PageLayout {
    /// Top and height of a band across the content width.
    pub bands: Vec<(f32, f32)>,
    /// The y of a rule across the content width.
    pub rules: Vec<f32>,
    pub runs: Vec<Run>,
}

impl PageLayout {
    /// `text` from `x`, cut with an ellipsis to `max` points.
    fn left(&mut self, x: f32, y: f32, size: f32, bold: bool, text: &str, max: f32) {
        let text = fit(&clean(text), size, bold, max);
        if !text.is_empty() {
            self.runs.push(Run { x, y, size, bold, text });
        }
    }

    /// `text` ending at `right`; a number too wide for `max` is set smaller
    /// rather than cut.
    fn right(&mut self, right: f32, y: f32, size: f32, bold: bool, text: &str, max: f32) {
        let text = clean(text);
        let mut size = size;
        while size > 5.0 && width(&text, size, bold) > max {
            size -= 0.5;
        }
        if !text.is_empty() {
            self.runs.push(Run { x: right - width(&text, size, bold), y, size, bold, text });
        }
    }
}

/// One line of print: controls (a newline in a street) as spaces.
fn clean(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>().trim().to_string()
}

/// `text`, or as much of it as fits in `max` points followed by "…".
fn fit(text: &str, size: f32, bold: bool, max: f32) -> String {
    if width(text, size, bold) <= max {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let cut = |n: usize| format!("{}…", chars[..n].iter().collect::<String>().trim_end());
    // The longest prefix that fits, by bisection.
    let (mut lo, mut hi) = (0, chars.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if width(&cut(mid), size, bold) <= max { lo = mid } else { hi = mid - 1 }
    }
    cut(lo)
}

/// The quote on its pages.
pub fn layout(doc: &QuoteDocument) -> Vec<PageLayout> {
    let pages = paginate(doc.lines.len());
    let total = pages.len();
    let mut out = Vec::with_capacity(total);
    for (i, rows) in pages.iter().enumerate() {
        let mut p = PageLayout::default();
        if i == 0 {
            parties(&mut p, doc);
        } else {
            let running = format!("{} · Quote {} · {}", doc.vendor, doc.number, doc.title);
            p.left(LEFT, 58.0, 8.0, false, &running, RIGHT - LEFT);
            p.rules.push(64.0);
        }
        let top = table_top(i);
        let last = i + 1 == total;
        // A page of the totals alone has no table.
        if !rows.is_empty() || i == 0 {
            table_header(&mut p, top, &doc.currency);
        }
        for (row, line) in doc.lines[rows.clone()].iter().enumerate() {
            let y = top + TABLE_HEADER_H + row as f32 * ROW_H + 10.0;
            let cells = [
                &line.sku,
                &line.product,
                &line.quantity,
                &line.unit_price,
                &line.discount_percent,
                &line.billing,
                &line.net,
            ];
            for (c, text) in COLUMNS.iter().zip(cells) {
                if c.right {
                    p.right(c.x, y, TABLE_SIZE, false, text, c.width);
                } else {
                    p.left(c.x, y, TABLE_SIZE, false, text, c.width);
                }
            }
        }
        if doc.lines.is_empty() {
            p.left(COLUMNS[1].x, top + TABLE_HEADER_H + 10.0, TABLE_SIZE, false, "No lines.", 200.0);
        }
        if last {
            let rows_end = if rows.is_empty() && i > 0 {
                table_top(i)
            } else {
                rows_bottom(i, rows.len().max(usize::from(doc.lines.is_empty())))
            };
            totals(&mut p, rows_end, doc);
        }
        p.left(LEFT, FOOTER_Y, 8.0, false, &format!("Quote {}", doc.number), 300.0);
        p.right(RIGHT, FOOTER_Y, 8.0, false, &format!("Page {} of {total}", i + 1), 120.0);
        out.push(p);
    }
    out
}

/// The first page's head: vendor and quote facts, customer and ship-to.
fn parties(p: &mut PageLayout, doc: &QuoteDocument) {
    p.left(LEFT, 66.0, 16.0, true, &doc.vendor, 300.0);
    p.right(RIGHT, 66.0, 16.0, true, "Quote", 150.0);
    p.right(RIGHT, 86.0, 11.0, true, &doc.number, 150.0);
    let expiry = if doc.expiry_date.is_empty() { "no expiry" } else { doc.expiry_date.as_str() };
    for (k, (label, value)) in
        [("Date", doc.date.as_str()), ("Valid until", expiry), ("Currency", doc.currency.as_str())]
            .into_iter()
            .enumerate()
    {
        let y = 106.0 + k as f32 * 13.0;
        p.left(400.0, y, 9.0, false, label, 70.0);
        p.right(RIGHT, y, 9.0, false, value, 75.0);
    }
    let half = (RIGHT - LEFT) / 2.0;
    for (x, title, lines) in [(LEFT, "Customer", &doc.customer), (LEFT + half, "Ship to", &doc.ship_to)] {
        p.left(x, 160.0, 9.0, true, title, half - 10.0);
        let none = ["(none)".to_string()];
        let lines = if lines.is_empty() { &none[..] } else { &lines[..] };
        for (k, line) in lines.iter().take(PARTY_LINES).enumerate() {
            p.left(x, 174.0 + k as f32 * 12.0, 9.0, k == 0 && title == "Customer", line, half - 10.0);
        }
    }
    p.left(LEFT, TABLE_TOP_FIRST - 12.0, 12.0, true, &doc.title, RIGHT - LEFT);
}

fn table_header(p: &mut PageLayout, top: f32, currency: &str) {
    p.bands.push((top, TABLE_HEADER_H));
    let y = top + 11.5;
    for c in COLUMNS {
        let title = match c.title {
            "Price" | "Net" => format!("{} ({currency})", c.title),
            t => t.to_string(),
        };
        if c.right {
            p.right(c.x, y, TABLE_SIZE, true, &title, c.width);
        } else {
            p.left(c.x, y, TABLE_SIZE, true, &title, c.width);
        }
    }
}

fn totals(p: &mut PageLayout, rows_end: f32, doc: &QuoteDocument) {
    p.rules.push(rows_end + 4.0);
    for (k, (label, value)) in
        [("Monthly recurring (MRR)", &doc.mrr), ("One-time total", &doc.one_time_total)].into_iter().enumerate()
    {
        let y = rows_end + 20.0 + k as f32 * 16.0;
        p.left(290.0, y, 10.0, true, label, 135.0);
        p.right(RIGHT, y, 10.0, true, value, 120.0);
    }
}

/// The PDF bytes of the quote.
pub fn render(doc: &QuoteDocument) -> anyhow::Result<Vec<u8>> {
    let pages = layout(doc);
    let mut document = Document::new();
    document
        .set_metadata(Metadata::new().title(format!("Quote {} {}", doc.number, doc.title)).creator(doc.vendor.clone()));
    let a4 = PageSettings::from_wh(PAGE_W, PAGE_H).expect("A4 is a page size");
    let band = Fill { paint: rgb::Color::new(232, 236, 241).into(), ..Default::default() };
    let rule = Stroke { paint: rgb::Color::new(150, 150, 150).into(), width: 0.6, ..Default::default() };
    for layout in &pages {
        let mut page = document.start_page_with(a4.clone());
        let mut s = page.surface();
        s.set_fill(Some(band.clone()));
        for &(top, h) in &layout.bands {
            let mut path = PathBuilder::new();
            path.push_rect(Rect::from_xywh(LEFT - 4.0, top, RIGHT - LEFT + 8.0, h).expect("a band is a rectangle"));
            s.draw_path(&path.finish().expect("a rectangle is a path"));
        }
        s.set_fill(None);
        s.set_stroke(Some(rule.clone()));
        for &y in &layout.rules {
            let mut path = PathBuilder::new();
            path.move_to(LEFT - 4.0, y);
            path.line_to(RIGHT + 4.0, y);
            s.draw_path(&path.finish().expect("a line is a path"));
        }
        s.set_stroke(None);
        s.set_fill(Some(Fill::default()));
        for r in &layout.runs {
            let font = if r.bold { BOLD.clone() } else { REGULAR.clone() };
            s.draw_text(Point::from_xy(r.x, r.y), font, r.size, &r.text, false, TextDirection::Auto);
        }
        s.finish();
        page.finish();
    }
    document.finish().map_err(|e| anyhow::anyhow!("writing the quote's PDF: {e:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(lines: usize) -> QuoteDocument {
        QuoteDocument {
            vendor: "Klangwerk GmbH".into(),
            number: "Q-000042".into(),
            title: "Phones for Globex".into(),
            date: "2026-12-03".into(),
            expiry_date: "2030-01-31".into(),
            currency: "EUR".into(),
            customer: vec!["Globex Łódź".into(), "ul. Piotrkowska 1".into(), "90-001 Łódź".into()],
            ship_to: vec!["1 Dock Rd".into(), "20457 Hamburg".into()],
            lines: (0..lines)
                .map(|i| DocumentLine {
                    sku: format!("LIC-{i}"),
                    product: "License (pro) Dvořák".into(),
                    quantity: "2".into(),
                    unit_price: "1,219.90".into(),
                    discount_percent: "10".into(),
                    billing: "monthly".into(),
                    net: "2,195.82".into(),
                })
                .collect(),
            mrr: "263,498.40 EUR".into(),
            one_time_total: "0.00 EUR".into(),
        }
    }

    fn texts(p: &PageLayout) -> Vec<&str> {
        p.runs.iter().map(|r| r.text.as_str()).collect()
    }

    #[test]
    fn amounts_are_grouped_in_the_minor_unit_of_their_currency() {
        assert_eq!(amount("EUR", 12_345_000), "1,234.50");
        assert_eq!(amount("EUR", 5_000), "0.50");
        assert_eq!(amount("JPY", 12_345_670_000), "1,234,567");
        assert_eq!(amount("KWD", 12_345_670), "1,234.567");
        assert_eq!(amount("EUR", 333), "0.0333", "a price finer than a cent keeps its digits");
        assert_eq!(grouped("-1234567.5"), "-1,234,567.5");
        assert_eq!(grouped("999"), "999");
        assert_eq!(grouped("100000"), "100,000");
    }

    #[test]
    fn pages_hold_their_rows_and_the_totals_fit_below_the_last() {
        let (first, next) = (rows_per_page(0), rows_per_page(1));
        assert!(first < next, "the parties take room on the first page");
        assert_eq!((first, next), (35, 48));
        assert_eq!(page_count(0), 1);
        // The totals take the room of four lines.
        assert_eq!(page_count(first - 4), 1);
        assert_eq!(page_count(first - 3), 2, "the totals on a page of their own");
        assert_eq!(page_count(first), 2);
        assert_eq!(page_count(first + next - 4), 2);
        assert_eq!(page_count(first + next), 3);
        assert_eq!(page_count(120), 3);
        for n in [0, 1, first, first + 1, 120, 500] {
            let pages = paginate(n);
            assert_eq!(pages.iter().map(ExactSizeIterator::len).sum::<usize>(), n);
            assert!(pages.windows(2).all(|w| w[0].end == w[1].start), "{n}: lines in order, none twice");
            assert_eq!(layout(&doc(n)).len(), pages.len());
        }
    }

    #[test]
    fn every_page_has_its_number_and_the_table_header() {
        let pages = layout(&doc(120));
        assert_eq!(pages.len(), 3);
        for (i, p) in pages.iter().enumerate() {
            let t = texts(p);
            assert!(t.contains(&format!("Page {} of 3", i + 1).as_str()), "page {i}: {t:?}");
            assert!(t.contains(&"Product") && t.contains(&"Net (EUR)"), "page {i}: {t:?}");
            assert!(t.contains(&"Quote Q-000042"), "the number in the footer");
        }
        let first = texts(&pages[0]);
        for s in ["Klangwerk GmbH", "Q-000042", "Globex Łódź", "90-001 Łódź", "20457 Hamburg", "2030-01-31"] {
            assert!(first.contains(&s), "{s} on the first page: {first:?}");
        }
        assert!(texts(&pages[2]).contains(&"263,498.40 EUR"), "the totals on the last page");
        assert_eq!(pages.iter().map(|p| texts(p).iter().filter(|t| t.starts_with("LIC-")).count()).sum::<usize>(), 120);
    }

    #[test]
    fn amounts_end_at_their_column_and_long_names_are_cut() {
        let mut d = doc(1);
        d.lines[0].product = "Ærøskøbing ".repeat(30);
        let p = &layout(&d)[0];
        let net = p.runs.iter().find(|r| r.text == "2,195.82").unwrap();
        assert!((net.x + width(&net.text, net.size, false) - RIGHT).abs() < 0.01, "right-aligned");
        let product = p.runs.iter().find(|r| r.text.starts_with("Ærøskøbing")).unwrap();
        assert!(product.text.ends_with('…'));
        assert!(width(&product.text, product.size, false) <= COLUMNS[1].width);
    }

    #[test]
    fn the_pdf_embeds_its_font_and_has_a_page_per_layout_page() {
        let pdf = render(&doc(120)).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("/FontFile2"), "a TrueType font is embedded");
        assert!(text.contains("DejaVuSansCondensed"));
        assert!(pdf.len() < 200_000, "subset fonts keep it small: {} bytes", pdf.len());
    }
}
