//! The quote as a PDF: a small, dependency-free PDF 1.4 writer (Helvetica,
//! A4, text only) and the layout of a quote on it: parties, addresses,
//! lines, totals and expiry. Text is WinAnsi-encoded so accents and € print.

use std::fmt::Write as _;

/// What the document shows, already formatted for print.
#[derive(Debug, Clone, Default)]
pub struct QuoteDocument {
    pub title: String,
    pub number: String,
    pub status: String,
    pub account: String,
    pub shipping_address: Vec<String>,
    pub expiry_date: String,
    pub currency: String,
    /// SKU, product, quantity, unit price, discount %, billing, net.
    pub lines: Vec<[String; 7]>,
    pub mrr: String,
    pub one_time_total: String,
}

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 50.0;
const LINE_H: f32 = 14.0;

/// One positioned run of text.
struct Text {
    x: f32,
    size: f32,
    bold: bool,
    s: String,
}

/// Lays the quote out on pages: rows of text runs, a new page when full.
fn layout(doc: &QuoteDocument) -> Vec<Vec<(f32, Vec<Text>)>> {
    let mut rows: Vec<(f32, Vec<Text>)> = Vec::new();
    let t = |x: f32, size: f32, bold: bool, s: &str| Text { x, size, bold, s: s.to_string() };
    rows.push((22.0, vec![t(MARGIN, 18.0, true, &doc.title)]));
    rows.push((LINE_H, vec![t(MARGIN, 10.0, false, &format!("Quote {}  ·  status: {}", doc.number, doc.status))]));
    rows.push((LINE_H * 1.5, vec![t(MARGIN, 11.0, true, "Customer"), t(320.0, 11.0, true, "Ship to")]));
    let ship =
        if doc.shipping_address.is_empty() { vec!["(no address)".to_string()] } else { doc.shipping_address.clone() };
    for (i, line) in ship.iter().enumerate() {
        let left = if i == 0 { doc.account.as_str() } else { "" };
        rows.push((LINE_H, vec![t(MARGIN, 10.0, false, left), t(320.0, 10.0, false, line)]));
    }
    let expiry = if doc.expiry_date.is_empty() { "none".to_string() } else { doc.expiry_date.clone() };
    rows.push((
        LINE_H * 1.5,
        vec![t(MARGIN, 10.0, false, &format!("Valid until: {expiry}    Currency: {}", doc.currency))],
    ));
    let cols = [MARGIN, 120.0, 300.0, 340.0, 410.0, 450.0, 505.0];
    let header = ["SKU", "Product", "Qty", "Unit price", "Disc. %", "Billing", "Net"];
    rows.push((LINE_H * 2.0, header.iter().zip(cols).map(|(h, x)| t(x, 9.0, true, h)).collect()));
    for l in &doc.lines {
        let product: String = l[1].chars().take(34).collect();
        let cells = [&l[0], &product, &l[2], &l[3], &l[4], &l[5], &l[6]];
        rows.push((LINE_H, cells.iter().zip(cols).map(|(c, x)| t(x, 9.0, false, c)).collect()));
    }
    rows.push((LINE_H * 2.0, vec![t(320.0, 11.0, true, "Monthly recurring (MRR):"), t(480.0, 11.0, true, &doc.mrr)]));
    rows.push((LINE_H * 1.2, vec![t(320.0, 11.0, true, "One-time total:"), t(480.0, 11.0, true, &doc.one_time_total)]));

    let mut pages = vec![Vec::new()];
    let mut y = PAGE_H - MARGIN;
    for (advance, runs) in rows {
        if y - advance < MARGIN {
            pages.push(Vec::new());
            y = PAGE_H - MARGIN;
        }
        y -= advance;
        pages.last_mut().expect("a page").push((y, runs));
    }
    pages
}

/// WinAnsi bytes of `s`, escaped for a PDF literal string.
fn pdf_string(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    for c in s.chars() {
        let b = match c {
            '€' => 0x80,
            '·' => 0xB7,
            '–' => 0x96,
            '—' => 0x97,
            c if (c as u32) < 0x20 => b' ',
            c if (c as u32) <= 0xFF => c as u32 as u8,
            _ => b'?',
        };
        if matches!(b, b'(' | b')' | b'\\') {
            out.push(b'\\');
        }
        out.push(b);
    }
    out
}

/// The PDF bytes of the quote.
pub fn render(doc: &QuoteDocument) -> Vec<u8> {
    let pages = layout(doc);
    // Objects: 1 catalog, 2 pages, 3 font, 4 bold font, then page + content per page.
    let mut objects: Vec<Vec<u8>> = Vec::new();
    let kids: Vec<String> = (0..pages.len()).map(|i| format!("{} 0 R", 5 + 2 * i)).collect();
    objects.push(b"<< /Type /Catalog /Pages 2 0 R >>".to_vec());
    objects.push(format!("<< /Type /Pages /Kids [{}] /Count {} >>", kids.join(" "), pages.len()).into_bytes());
    objects.push(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_vec());
    objects.push(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>".to_vec());
    for (i, page) in pages.iter().enumerate() {
        let mut content = Vec::new();
        for (y, runs) in page {
            for r in runs.iter().filter(|r| !r.s.is_empty()) {
                let font = if r.bold { "F2" } else { "F1" };
                let mut op = format!("BT /{font} {} Tf {:.1} {:.1} Td (", r.size, r.x, y).into_bytes();
                op.extend(pdf_string(&r.s));
                op.extend_from_slice(b") Tj ET\n");
                content.extend(op);
            }
        }
        let mut footer = String::new();
        let _ = writeln!(footer, "BT /F1 8 Tf {MARGIN:.1} 30.0 Td (Page {} of {}) Tj ET", i + 1, pages.len());
        content.extend(footer.into_bytes());
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents {} 0 R >>",
                6 + 2 * i
            )
            .into_bytes(),
        );
        let mut stream = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
        stream.extend(content);
        stream.extend_from_slice(b"\nendstream");
        objects.push(stream);
    }
    let mut out = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, obj) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n", i + 1).into_bytes());
        out.extend(obj);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    let mut table = format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for o in offsets {
        let _ = writeln!(table, "{o:010} 00000 n ");
    }
    out.extend(table.into_bytes());
    out.extend(
        format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).into_bytes(),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(lines: usize) -> QuoteDocument {
        QuoteDocument {
            title: "Phones for Globex".into(),
            number: "Q-1".into(),
            status: "draft".into(),
            account: "Globex (Müller)".into(),
            shipping_address: vec!["1 Dock Rd".into(), "20457 Hamburg".into()],
            expiry_date: "2030-01-31".into(),
            currency: "EUR".into(),
            lines: (0..lines)
                .map(|i| {
                    [
                        format!("LIC-{i}"),
                        "License (pro)".into(),
                        "2".into(),
                        "19.90".into(),
                        "10".into(),
                        "monthly".into(),
                        "35.82".into(),
                    ]
                })
                .collect(),
            mrr: "€ 35.82".into(),
            one_time_total: "€ 0".into(),
        }
    }

    #[test]
    fn the_pdf_is_well_formed() {
        let pdf = render(&doc(3));
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.starts_with("%PDF-1.4"));
        assert!(text.trim_end().ends_with("%%EOF"));
        // The xref offset points at the xref table.
        let start: usize = text.rsplit("startxref\n").next().unwrap().lines().next().unwrap().parse().unwrap();
        assert!(pdf[start..].starts_with(b"xref"));
        // Parentheses are escaped, accents are WinAnsi bytes.
        assert!(text.contains("License \\(pro\\)"));
        assert!(pdf.windows(2).any(|w| w == [b'M', 0xFC]));
    }

    #[test]
    fn long_quotes_flow_onto_more_pages() {
        let pdf = String::from_utf8_lossy(&render(&doc(120))).into_owned();
        assert!(pdf.contains("/Count 3"), "120 lines take three pages");
        assert!(pdf.contains("Page 3 of 3"));
    }
}
