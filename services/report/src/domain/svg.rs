//! A report's chart as an SVG document, drawn here by hand: bar, line, pie
//! and funnel, with axes, escaped labels and a legend when there are
//! several series. The same chart always gives the same bytes.
//!
//! Every drawn figure carries a class (`bar`, `point`, `slice`, `stage`)
//! and `data-category` / `data-series` / `data-value` attributes, so the
//! document says what it shows to a program as well as to a person.

use std::{fmt::Write, str::FromStr};

use rust_decimal::{Decimal, prelude::ToPrimitive};

use super::{
    ChartType,
    table::{Chart, Series},
};

pub const CONTENT_TYPE: &str = "image/svg+xml";

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 420.0;
const TOP: f64 = 48.0;
const BOTTOM: f64 = HEIGHT - 64.0;
const LEFT: f64 = 80.0;
const LEGEND_WIDTH: f64 = 160.0;
const PALETTE: [&str; 10] =
    ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];

/// Text for XML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 does not allow at all.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

fn number(v: &str) -> Option<f64> {
    Decimal::from_str(v.trim()).ok().and_then(|d| d.to_f64())
}

fn colour(i: usize) -> &'static str {
    PALETTE[i % PALETTE.len()]
}

/// A step of 1, 2 or 5 × 10ⁿ giving about five ticks over `range`.
fn nice_step(range: f64) -> f64 {
    let raw = range / 5.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    let f = raw / magnitude;
    let nice = if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * magnitude
}

fn tick_label(v: f64, step: f64) -> String {
    let places = if step >= 1.0 { 0 } else { (-step.log10()).ceil() as usize };
    let s = format!("{v:.places$}");
    if s.starts_with('-') && s.trim_start_matches(['-', '0', '.']).is_empty() { s[1..].to_string() } else { s }
}

/// The value axis: from the least to the greatest value, always with zero.
struct Scale {
    lo: f64,
    hi: f64,
    step: f64,
}

impl Scale {
    fn of(series: &[Series]) -> Scale {
        let values: Vec<f64> = series.iter().flat_map(|s| s.values.iter().filter_map(|v| number(v))).collect();
        let (mut lo, mut hi) = values.iter().fold((0f64, 0f64), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
        if (hi - lo).abs() < f64::EPSILON {
            hi = lo + 1.0;
        }
        // Counts are not drawn against fractional ticks.
        let whole = values.iter().all(|v| v.fract() == 0.0);
        let step = if whole { nice_step(hi - lo).max(1.0) } else { nice_step(hi - lo) };
        lo = (lo / step).floor() * step;
        hi = (hi / step).ceil() * step;
        Scale { lo, hi, step }
    }

    fn y(&self, v: f64) -> f64 {
        BOTTOM - (v - self.lo) / (self.hi - self.lo) * (BOTTOM - TOP)
    }
}

pub fn render(chart: &Chart) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="12" role="img" aria-label="{t}">"#,
        w = WIDTH,
        h = HEIGHT,
        t = escape(&chart.title)
    );
    let _ = write!(s, r##"<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>"##);
    let _ = write!(
        s,
        r#"<text class="title" x="{x}" y="24" text-anchor="middle" font-size="16" font-weight="bold">{t}</text>"#,
        x = WIDTH / 2.0,
        t = escape(&chart.title)
    );
    if chart.categories.is_empty() || chart.series.is_empty() {
        let _ = write!(
            s,
            r#"<text class="empty" x="{x}" y="{y}" text-anchor="middle">No data</text></svg>"#,
            x = WIDTH / 2.0,
            y = HEIGHT / 2.0
        );
        return s;
    }
    match chart.kind {
        ChartType::Bar => bars(&mut s, chart),
        ChartType::Line => lines(&mut s, chart),
        ChartType::Pie => pies(&mut s, chart),
        ChartType::Funnel => funnels(&mut s, chart),
    }
    s.push_str("</svg>");
    s
}

/// The right edge of the plot: a legend takes the right when there is one.
fn right(legend: bool) -> f64 {
    if legend { WIDTH - LEGEND_WIDTH - 16.0 } else { WIDTH - 24.0 }
}

fn legend(s: &mut String, names: &[&str]) {
    let x = WIDTH - LEGEND_WIDTH;
    s.push_str(r#"<g class="legend">"#);
    for (i, name) in names.iter().enumerate() {
        let y = TOP + i as f64 * 18.0;
        let _ = write!(
            s,
            r#"<rect x="{x}" y="{y:.2}" width="12" height="12" fill="{c}"/><text x="{tx}" y="{ty:.2}">{n}</text>"#,
            c = colour(i),
            tx = x + 18.0,
            ty = y + 10.0,
            n = escape(&truncate(name, 22))
        );
    }
    s.push_str("</g>");
}

/// Gridlines, tick labels, the axes and the value label.
fn axes(s: &mut String, chart: &Chart, scale: &Scale, right: f64) {
    s.push_str(r#"<g class="axis">"#);
    let ticks = ((scale.hi - scale.lo) / scale.step).round() as usize;
    for i in 0..=ticks {
        let v = scale.lo + i as f64 * scale.step;
        let y = scale.y(v);
        let _ = write!(
            s,
            r##"<line x1="{LEFT}" y1="{y:.2}" x2="{right:.2}" y2="{y:.2}" stroke="#e0e0e0"/><text x="{tx}" y="{ty:.2}" text-anchor="end">{l}</text>"##,
            tx = LEFT - 6.0,
            ty = y + 4.0,
            l = tick_label(v, scale.step)
        );
    }
    let y0 = scale.y(0.0);
    let _ = write!(
        s,
        r##"<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{BOTTOM}" stroke="#333333"/><line x1="{LEFT}" y1="{y0:.2}" x2="{right:.2}" y2="{y0:.2}" stroke="#333333"/>"##
    );
    let _ = write!(
        s,
        r#"<text class="value-label" x="16" y="{y:.2}" text-anchor="middle" transform="rotate(-90 16 {y:.2})">{l}</text>"#,
        y = (TOP + BOTTOM) / 2.0,
        l = escape(&chart.value_label)
    );
    let width = (right - LEFT) / chart.categories.len() as f64;
    let max_chars = ((width / 7.0) as usize).max(3);
    for (i, c) in chart.categories.iter().enumerate() {
        let _ = write!(
            s,
            r#"<text class="category" x="{x:.2}" y="{y}" text-anchor="middle">{t}</text>"#,
            x = LEFT + width * (i as f64 + 0.5),
            y = BOTTOM + 18.0,
            t = escape(&truncate(c, max_chars))
        );
    }
    s.push_str("</g>");
}

fn data_attrs(category: &str, series: &str, value: &str) -> String {
    format!(r#"data-category="{}" data-series="{}" data-value="{}""#, escape(category), escape(series), escape(value))
}

fn tooltip(category: &str, series: &Series, value: &str) -> String {
    format!("<title>{} / {}: {}</title>", escape(category), escape(&series.name), escape(value))
}

fn bars(s: &mut String, chart: &Chart) {
    let several = chart.series.len() > 1;
    let right = right(several);
    let scale = Scale::of(&chart.series);
    axes(s, chart, &scale, right);
    let group = (right - LEFT) / chart.categories.len() as f64;
    let bar = group * 0.7 / chart.series.len() as f64;
    let y0 = scale.y(0.0);
    for (j, series) in chart.series.iter().enumerate() {
        let _ = write!(s, r#"<g class="series" fill="{}">"#, colour(j));
        for (i, (category, value)) in chart.categories.iter().zip(&series.values).enumerate() {
            let Some(v) = number(value) else { continue };
            let x = LEFT + group * i as f64 + group * 0.15 + bar * j as f64;
            let y = scale.y(v);
            let _ = write!(
                s,
                r#"<rect class="bar" x="{x:.2}" y="{top:.2}" width="{bar:.2}" height="{h:.2}" {a}>{t}</rect>"#,
                top = y.min(y0),
                h = (y - y0).abs(),
                a = data_attrs(category, &series.name, value),
                t = tooltip(category, series, value)
            );
        }
        s.push_str("</g>");
    }
    if several {
        legend(s, &chart.series.iter().map(|x| x.name.as_str()).collect::<Vec<_>>());
    }
}

fn lines(s: &mut String, chart: &Chart) {
    let several = chart.series.len() > 1;
    let right = right(several);
    let scale = Scale::of(&chart.series);
    axes(s, chart, &scale, right);
    let step = (right - LEFT) / chart.categories.len() as f64;
    for (j, series) in chart.series.iter().enumerate() {
        let points: Vec<(f64, f64, usize)> = series
            .values
            .iter()
            .enumerate()
            .filter_map(|(i, v)| number(v).map(|v| (LEFT + step * (i as f64 + 0.5), scale.y(v), i)))
            .collect();
        let _ = write!(s, r#"<g class="series" stroke="{c}" fill="{c}">"#, c = colour(j));
        let path: Vec<String> = points.iter().map(|(x, y, _)| format!("{x:.2},{y:.2}")).collect();
        let _ = write!(s, r#"<polyline class="line" fill="none" stroke-width="2" points="{}"/>"#, path.join(" "));
        for (x, y, i) in points {
            let (category, value) = (&chart.categories[i], &series.values[i]);
            let _ = write!(
                s,
                r#"<circle class="point" cx="{x:.2}" cy="{y:.2}" r="4" {a}>{t}</circle>"#,
                a = data_attrs(category, &series.name, value),
                t = tooltip(category, series, value)
            );
        }
        s.push_str("</g>");
    }
    if several {
        legend(s, &chart.series.iter().map(|x| x.name.as_str()).collect::<Vec<_>>());
    }
}

/// Panels side by side, one per series, each titled by its series.
fn panels(chart: &Chart, right: f64) -> Vec<(f64, f64, f64, &Series)> {
    let width = (right - 24.0) / chart.series.len() as f64;
    chart.series.iter().enumerate().map(|(j, series)| (24.0 + width * j as f64, width, BOTTOM - TOP, series)).collect()
}

fn panel_title(s: &mut String, x: f64, width: f64, series: &Series, several: bool) {
    if several {
        let _ = write!(
            s,
            r#"<text class="series-name" x="{cx:.2}" y="{y}" text-anchor="middle" font-weight="bold">{n}</text>"#,
            cx = x + width / 2.0,
            y = BOTTOM + 24.0,
            n = escape(&truncate(&series.name, 30))
        );
    }
}

fn pies(s: &mut String, chart: &Chart) {
    let right = right(true);
    let several = chart.series.len() > 1;
    for (x, width, height, series) in panels(chart, right) {
        let (cx, cy) = (x + width / 2.0, TOP + height / 2.0);
        let r = (width.min(height) / 2.0 - 8.0).max(8.0);
        let total: f64 = series.values.iter().filter_map(|v| number(v)).filter(|v| *v > 0.0).sum();
        let mut angle = -std::f64::consts::FRAC_PI_2;
        s.push_str(r##"<g class="series" stroke="#ffffff">"##);
        for (i, (category, value)) in chart.categories.iter().zip(&series.values).enumerate() {
            let Some(v) = number(value) else { continue };
            let a = data_attrs(category, &series.name, value);
            let t = tooltip(category, series, value);
            let share = if total > 0.0 && v > 0.0 { v / total } else { 0.0 };
            if share >= 0.999_999 {
                let _ = write!(
                    s,
                    r#"<circle class="slice" cx="{cx:.2}" cy="{cy:.2}" r="{r:.2}" fill="{c}" {a}>{t}</circle>"#,
                    c = colour(i)
                );
            } else if share <= 0.0 {
                // Nothing to draw, but the row is still there.
                let _ =
                    write!(s, r#"<path class="slice" d="M{cx:.2},{cy:.2}Z" fill="{c}" {a}>{t}</path>"#, c = colour(i));
            } else {
                let end = angle + share * std::f64::consts::TAU;
                let (x1, y1) = (cx + r * angle.cos(), cy + r * angle.sin());
                let (x2, y2) = (cx + r * end.cos(), cy + r * end.sin());
                let large = u8::from(share > 0.5);
                let _ = write!(
                    s,
                    r#"<path class="slice" d="M{cx:.2},{cy:.2}L{x1:.2},{y1:.2}A{r:.2},{r:.2} 0 {large} 1 {x2:.2},{y2:.2}Z" fill="{c}" {a}>{t}</path>"#,
                    c = colour(i)
                );
                angle = end;
            }
        }
        s.push_str("</g>");
        panel_title(s, x, width, series, several);
    }
    legend(s, &chart.categories.iter().map(String::as_str).collect::<Vec<_>>());
}

fn funnels(s: &mut String, chart: &Chart) {
    let right = right(false);
    let several = chart.series.len() > 1;
    for (x, width, height, series) in panels(chart, right) {
        let max = series.values.iter().filter_map(|v| number(v)).fold(0f64, f64::max);
        let band = height / chart.categories.len() as f64;
        s.push_str(r#"<g class="series">"#);
        for (i, (category, value)) in chart.categories.iter().zip(&series.values).enumerate() {
            let Some(v) = number(value) else { continue };
            let w = if max > 0.0 { (v.max(0.0) / max) * (width - 16.0) } else { 0.0 };
            let (bx, by) = (x + (width - w) / 2.0, TOP + band * i as f64);
            let _ = write!(
                s,
                r#"<rect class="stage" x="{bx:.2}" y="{y:.2}" width="{w:.2}" height="{h:.2}" fill="{c}" {a}>{t}</rect>"#,
                y = by + 2.0,
                h = (band - 4.0).max(1.0),
                c = colour(i),
                a = data_attrs(category, &series.name, value),
                t = tooltip(category, series, value)
            );
            let _ = write!(
                s,
                r#"<text class="stage-label" x="{cx:.2}" y="{ty:.2}" text-anchor="middle">{l}</text>"#,
                cx = x + width / 2.0,
                ty = by + band / 2.0 + 4.0,
                l = escape(&format!("{}: {value}", truncate(category, 24)))
            );
        }
        s.push_str("</g>");
        panel_title(s, x, width, series, several);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(kind: ChartType, categories: &[&str], series: &[(&str, &[&str])]) -> Chart {
        Chart {
            kind,
            title: "T <&> \"q\"".into(),
            value_label: "Sum of MRR".into(),
            categories: categories.iter().map(|c| c.to_string()).collect(),
            series: series
                .iter()
                .map(|(n, v)| Series { name: n.to_string(), values: v.iter().map(|x| x.to_string()).collect() })
                .collect(),
        }
    }

    fn count(svg: &str, class: &str) -> usize {
        let doc = roxmltree::Document::parse(svg).expect("well-formed XML");
        doc.descendants().filter(|n| n.attribute("class") == Some(class)).count()
    }

    #[test]
    fn every_chart_is_well_formed_with_a_figure_per_value() {
        let cats = ["<demo>", "proposal & more", "closed_won"];
        let one: &[(&str, &[&str])] = &[("EUR", &["10.50", "", "3"])];
        let two: &[(&str, &[&str])] = &[("EUR", &["10.50", "0", "3"]), ("USD", &["-2", "7", ""])];
        for (kind, class) in [
            (ChartType::Bar, "bar"),
            (ChartType::Line, "point"),
            (ChartType::Pie, "slice"),
            (ChartType::Funnel, "stage"),
        ] {
            assert_eq!(count(&render(&chart(kind, &cats, one)), class), 2, "{kind}");
            assert_eq!(count(&render(&chart(kind, &cats, two)), class), 5, "{kind}");
        }
        // A legend for several series of bars.
        let svg = render(&chart(ChartType::Bar, &cats, two));
        assert_eq!(count(&svg, "legend"), 1);
        assert!(svg.contains("&lt;demo&gt;") && svg.contains("T &lt;&amp;&gt; &quot;q&quot;"));
        assert_eq!(count(&render(&chart(ChartType::Bar, &cats, one)), "legend"), 0);
    }

    #[test]
    fn output_is_deterministic_and_empty_charts_say_so() {
        let c = chart(ChartType::Pie, &["a", "b"], &[("x", &["1", "3"])]);
        assert_eq!(render(&c), render(&c));
        let svg = render(&chart(ChartType::Bar, &[], &[]));
        assert_eq!(count(&svg, "empty"), 1);
        // One slice that is the whole pie is a circle.
        let svg = render(&chart(ChartType::Pie, &["a"], &[("x", &["5"])]));
        assert!(svg.contains("<circle class=\"slice\""));
    }

    #[test]
    fn scales_are_nice() {
        assert_eq!(nice_step(1000.0), 200.0);
        assert_eq!(nice_step(7.0), 2.0);
        let s = Scale::of(&[Series { name: String::new(), values: vec!["-3".into(), "12".into()] }]);
        assert_eq!((s.lo, s.hi, s.step), (-5.0, 15.0, 5.0));
        assert_eq!(tick_label(0.5, 0.1), "0.5");
        assert_eq!(tick_label(1000.0, 200.0), "1000");
        let counts = Scale::of(&[Series { name: String::new(), values: vec!["1".into(), "2".into()] }]);
        assert_eq!(counts.step, 1.0);
    }
}
