//! Charts for the campus dashboard, drawn on the server as inline SVG: no script, no CDN, and
//! they print. Only presentation attributes are used (the page's CSP allows no inline styles).

/// Escapes text for SVG/HTML content and attributes.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// The drawing is as wide as a phone's column (a 375 px screen shows it at about its own size),
/// so 13-unit text reads at 12 px or more there; on a desktop the page caps its width (app.css).
pub const WIDTH: f64 = 340.0;
const TEXT: f64 = 13.0;

/// Horizontal bars, one per label (the label on its own line above its bar, never cut); `value`
/// of `max` fills the bar. `text` (the number in words) follows the bar.
pub fn bars(title: &str, rows: &[(String, f64, String)], max: f64, color: &str) -> String {
    let (bar_w, row_h) = (250.0, 42.0);
    let h = 30.0 + row_h * rows.len() as f64;
    let mut svg = format!(
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {h}" role="img" aria-label="{t}" xmlns="http://www.w3.org/2000/svg"><text x="0" y="17" font-size="15" font-weight="bold">{t}</text>"#,
        t = esc(title)
    );
    for (i, (label, value, text)) in rows.iter().enumerate() {
        let y = 30.0 + row_h * i as f64;
        // A label longer than the drawing is shortened on it; the table beside has it whole.
        let label: String = if label.chars().count() > 25 {
            label.chars().take(24).chain(['…']).collect()
        } else {
            label.clone()
        };
        let width = if max > 0.0 {
            (value / max).clamp(0.0, 1.0) * bar_w
        } else {
            0.0
        };
        svg.push_str(&format!(
            r##"<text x="0" y="{ly}" font-size="{TEXT}">{l}</text><rect x="0" y="{by}" width="{bar_w}" height="14" fill="#eeeeee"/><rect x="0" y="{by}" width="{width:.1}" height="14" fill="{color}"/><text x="{tx}" y="{ty}" font-size="{TEXT}">{v}</text>"##,
            ly = y + 12.0,
            by = y + 18.0,
            l = esc(&label),
            tx = bar_w + 6.0,
            ty = y + 30.0,
            v = esc(text),
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// A line over time: (label under the axis, value) points, evenly spaced; the first, middle and
/// last dates are written under the axis, the outer ones aligned inside the drawing.
pub fn line(title: &str, points: &[(String, i64)], color: &str) -> String {
    let (w, h, left, top, bottom) = (WIDTH, 200.0, 34.0, 30.0, 30.0);
    let max = points.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1) as f64;
    let plot_w = w - left - 4.0;
    let plot_h = h - top - bottom;
    let step = if points.len() > 1 {
        plot_w / (points.len() - 1) as f64
    } else {
        0.0
    };
    let xy = |i: usize, v: i64| (left + step * i as f64, top + plot_h - (v as f64 / max) * plot_h);
    let path: Vec<String> = points
        .iter()
        .enumerate()
        .map(|(i, (_, v))| {
            let (x, y) = xy(i, *v);
            format!("{x:.1},{y:.1}")
        })
        .collect();
    let mut svg = format!(
        r##"<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-label="{t}" xmlns="http://www.w3.org/2000/svg"><text x="0" y="17" font-size="15" font-weight="bold">{t}</text><line x1="{left}" y1="{base}" x2="{right}" y2="{base}" stroke="#999999"/><text x="0" y="{top2}" font-size="{TEXT}">{max}</text><text x="0" y="{base}" font-size="{TEXT}">0</text><polyline fill="none" stroke="{color}" stroke-width="2" points="{p}"/>"##,
        t = esc(title),
        base = top + plot_h,
        right = w - 4.0,
        top2 = top + 10.0,
        max = max as i64,
        p = path.join(" "),
    );
    let n = points.len();
    let mut shown = vec![0, n / 2, n.saturating_sub(1)];
    shown.dedup();
    for i in shown.into_iter().filter(|i| *i < n) {
        let (x, _) = xy(i, 0);
        let anchor = match i {
            0 => "start",
            _ if i + 1 == n => "end",
            _ => "middle",
        };
        let x = match anchor {
            "start" => x.min(left),
            "end" => w,
            _ => x,
        };
        svg.push_str(&format!(
            r#"<text x="{x:.1}" y="{y}" font-size="{TEXT}" text-anchor="{anchor}">{l}</text>"#,
            y = h - 8.0,
            l = esc(&points[i].0)
        ));
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_maximum_and_escape_labels() {
        let svg = bars(
            "进度",
            &[
                ("<b>党委</b>".into(), 5.0, "50%".into()),
                ("零".into(), 0.0, "0%".into()),
            ],
            10.0,
            "#b3261e",
        );
        assert!(svg.contains("&lt;b&gt;党委&lt;/b&gt;") && !svg.contains("<b>"));
        assert!(svg.contains(r#"width="125.0""#), "half of 250");
        assert!(svg.contains(r#"width="0.0""#));
        assert!(!svg.contains("style="), "no inline styles (CSP)");
    }

    #[test]
    fn a_line_has_a_point_per_sample() {
        let svg = line(
            "逾期",
            &[("10-01".into(), 0), ("11-01".into(), 4), ("12-01".into(), 2)],
            "#cf222e",
        );
        let points = svg.split("points=\"").nth(1).unwrap().split('"').next().unwrap();
        assert_eq!(points.split(' ').count(), 3);
        assert!(svg.contains(">11-01<"));
        // The last date ends at the drawing's right edge instead of being centred past it.
        assert!(svg.contains(r#"text-anchor="end">12-01<"#), "{svg}");
        assert!(svg.contains(r#"text-anchor="start">10-01<"#));
    }

    #[test]
    fn text_is_drawn_at_13_units_in_a_phone_wide_drawing() {
        let svg = bars(
            "进度",
            &[("计算机工程学院党委（名字较长也不截断）".into(), 1.0, "1".into())],
            1.0,
            "#000",
        );
        assert!(svg.contains("viewBox=\"0 0 340 "), "{svg}");
        assert!(
            svg.contains(r#"font-size="13">计算机工程学院党委（名字较长也不截断）<"#),
            "labels whole"
        );
        let long = bars("进度", &[("长".repeat(30), 1.0, "1".into())], 1.0, "#000");
        assert!(
            long.contains(&format!(">{}…<", "长".repeat(24))),
            "only a label wider than the drawing is shortened"
        );
    }
}
