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

/// Horizontal bars, one per label; `value` of `max` fills the bar. `suffix` follows the number.
pub fn bars(title: &str, rows: &[(String, f64, String)], max: f64, color: &str) -> String {
    let (label_w, bar_w, row_h) = (190.0, 300.0, 26.0);
    let h = 30.0 + row_h * rows.len() as f64;
    let mut svg = format!(
        r#"<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-label="{t}" xmlns="http://www.w3.org/2000/svg"><text x="0" y="16" font-size="14" font-weight="bold">{t}</text>"#,
        w = label_w + bar_w + 80.0,
        t = esc(title)
    );
    for (i, (label, value, text)) in rows.iter().enumerate() {
        let y = 28.0 + row_h * i as f64;
        let width = if max > 0.0 {
            (value / max).clamp(0.0, 1.0) * bar_w
        } else {
            0.0
        };
        let short: String = label.chars().take(14).collect();
        svg.push_str(&format!(
            r##"<text x="0" y="{ty}" font-size="12">{l}</text><rect x="{x}" y="{y}" width="{bar_w}" height="16" fill="#eeeeee"/><rect x="{x}" y="{y}" width="{width:.1}" height="16" fill="{color}"/><text x="{tx}" y="{ty}" font-size="12">{v}</text>"##,
            ty = y + 13.0,
            l = esc(&short),
            x = label_w,
            tx = label_w + bar_w + 6.0,
            v = esc(text),
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// A line over time: (label under the axis, value) points, evenly spaced.
pub fn line(title: &str, points: &[(String, i64)], color: &str) -> String {
    let (w, h, left, top, bottom) = (560.0, 200.0, 40.0, 30.0, 30.0);
    let max = points.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1) as f64;
    let plot_w = w - left - 10.0;
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
        r##"<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-label="{t}" xmlns="http://www.w3.org/2000/svg"><text x="0" y="16" font-size="14" font-weight="bold">{t}</text><line x1="{left}" y1="{base}" x2="{right}" y2="{base}" stroke="#999999"/><text x="0" y="{top2}" font-size="11">{max}</text><text x="0" y="{base}" font-size="11">0</text><polyline fill="none" stroke="{color}" stroke-width="2" points="{p}"/>"##,
        t = esc(title),
        base = top + plot_h,
        right = w - 10.0,
        top2 = top + 10.0,
        max = max as i64,
        p = path.join(" "),
    );
    // A few dates under the axis: first, middle, last.
    let n = points.len();
    for i in [0, n / 2, n.saturating_sub(1)].into_iter().filter(|i| *i < n) {
        let (x, _) = xy(i, 0);
        svg.push_str(&format!(
            r#"<text x="{x:.1}" y="{y}" font-size="11" text-anchor="middle">{l}</text>"#,
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
        assert!(svg.contains(r#"width="150.0""#), "half of 300");
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
    }
}
