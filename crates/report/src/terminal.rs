//! Outcomes as terminal text.

use pyproof_harness::{
    Chart, Lane, Outcome, RunResults, Series, Table, Verdict, format_number, format_value,
};
use std::fmt::Write;

const WIDTH: usize = 100;

/// A line chart as a table for the terminal: one row per x, one column per series.
fn lines_table(title: &str, x_label: &str, y_label: &str, series: &[Series]) -> String {
    let mut xs: Vec<f64> = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.0))
        .collect();
    xs.sort_by(f64::total_cmp);
    xs.dedup();
    let mut headers = vec![x_label.to_string()];
    headers.extend(series.iter().map(|s| s.name.clone()));
    let refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    let mut t = Table::new(format!("{title} ({y_label})"), &refs);
    for x in xs {
        let mut row = vec![format_number(x)];
        for s in series {
            row.push(
                s.points
                    .iter()
                    .find(|p| p.0 == x)
                    .map_or("—".to_string(), |p| format_number(p.1)),
            );
        }
        t.row(row);
    }
    table(&t)
}

/// Wraps `text` at `width` columns, every line indented by `indent`.
pub fn wrap(text: &str, width: usize, indent: &str) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty()
            && indent.len() + line.chars().count() + 1 + word.chars().count() > width
        {
            let _ = writeln!(out, "{indent}{line}");
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        let _ = writeln!(out, "{indent}{line}");
    }
    out
}

fn width(s: &str) -> usize {
    s.chars().count()
}

fn pad(s: &str, w: usize) -> String {
    format!("{s}{}", " ".repeat(w.saturating_sub(width(s))))
}

/// `text` cut to at most `max` characters at a word boundary, with "…" when cut.
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out = String::new();
    for word in text.split_whitespace() {
        if out.chars().count() + word.chars().count() + 2 > max {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out.push('…');
    out
}

/// A table with aligned columns and a rule under the header.
pub fn table(t: &Table) -> String {
    let cols = t
        .headers
        .len()
        .max(t.rows.iter().map(Vec::len).max().unwrap_or(0));
    let cell = |row: &Vec<String>, i: usize| row.get(i).cloned().unwrap_or_default();
    let widths: Vec<usize> = (0..cols)
        .map(|i| {
            t.rows
                .iter()
                .map(|r| width(&cell(r, i)))
                .chain([width(&cell(&t.headers, i))])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |row: &Vec<String>| {
        let cells: Vec<String> = (0..cols).map(|i| pad(&cell(row, i), widths[i])).collect();
        format!("  {}", cells.join("  ").trim_end())
    };
    let mut out = format!("{}\n{}\n", t.title, line(&t.headers));
    let rule: usize = widths.iter().sum::<usize>() + 2 * cols.saturating_sub(1);
    let _ = writeln!(out, "  {}", "─".repeat(rule));
    for row in &t.rows {
        let _ = writeln!(out, "{}", line(row));
    }
    out
}

/// Horizontal bars scaled to the largest value (or the reference line).
fn bars(title: &str, unit: &str, bars: &[pyproof_harness::Bar], reference: Option<f64>) -> String {
    let label_w = bars.iter().map(|b| width(&b.label)).max().unwrap_or(0);
    let max = bars
        .iter()
        .map(|b| b.value)
        .chain(reference)
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::max);
    let span = 40.0;
    let mut out = format!("{title}\n");
    for b in bars {
        let n = if max > 0.0 && b.value.is_finite() {
            (b.value / max * span).round() as usize
        } else {
            0
        };
        let _ = writeln!(
            out,
            "  {}  {}{} {}",
            pad(&b.label, label_w),
            "█".repeat(n),
            " ".repeat(span as usize - n.min(span as usize)),
            format_value(b.value, unit)
        );
    }
    if let Some(r) = reference {
        let at = (r / max * span).round() as usize;
        let _ = writeln!(
            out,
            "  {}  {}┴ {} (reference)",
            " ".repeat(label_w),
            " ".repeat(at.saturating_sub(1)),
            format_value(r, unit)
        );
    }
    out
}

/// Fraction of [a, b) covered by a lane's intervals.
fn coverage(lane: &Lane, a: f64, b: f64) -> f64 {
    let covered: f64 = lane
        .intervals
        .iter()
        .map(|&(s, e)| (e.min(b) - s.max(a)).max(0.0))
        .sum();
    covered / (b - a)
}

/// The timeline as a strip of `columns` characters per lane over [0, window) seconds, plus
/// a row marking the columns where two lanes both ran.
pub fn timeline_strip(lanes: &[Lane], window: f64, columns: usize) -> String {
    let name_w = lanes
        .iter()
        .map(|l| width(&l.name))
        .max()
        .unwrap_or(0)
        .max(4);
    let step = window / columns as f64;
    let mut out = String::new();
    let mut overlap = vec![false; columns];
    for lane in lanes {
        let mut row = String::new();
        for (c, both) in overlap.iter_mut().enumerate() {
            let (a, b) = (c as f64 * step, (c + 1) as f64 * step);
            let f = coverage(lane, a, b);
            row.push(if f >= 0.5 {
                '█'
            } else if f > 0.0 {
                '▌'
            } else {
                ' '
            });
            let others = lanes.iter().filter(|o| !std::ptr::eq(*o, lane)).any(|o| {
                o.intervals.iter().any(|&(s2, e2)| {
                    lane.intervals
                        .iter()
                        .any(|&(s, e)| s.max(s2).max(a) < e.min(e2).min(b))
                })
            });
            *both |= others;
        }
        let _ = writeln!(out, "  {} │{row}│", pad(&lane.name, name_w));
    }
    let both: String = overlap.iter().map(|&o| if o { '!' } else { ' ' }).collect();
    let _ = writeln!(out, "  {} │{both}│", pad("both", name_w));
    let left = "0 ms".to_string();
    let right = format!("{:.0} ms", window * 1e3);
    let _ = writeln!(
        out,
        "  {} {left}{}{right}",
        " ".repeat(name_w),
        " ".repeat((columns + 2).saturating_sub(width(&left) + width(&right)))
    );
    out
}

/// The whole outcome of one experiment, as printed by the examples and `pyproof run`.
pub fn outcome(o: &Outcome) -> String {
    let mut out = String::new();
    let head = format!("━━ {} · {} ", o.id, o.section);
    let _ = writeln!(
        out,
        "{head}{}",
        "━".repeat(WIDTH.saturating_sub(width(&head)))
    );
    let _ = write!(out, "{}", wrap(&format!("Q: {}", o.question), WIDTH, ""));
    let _ = write!(
        out,
        "{}",
        wrap(&format!("Sheet: \"{}\"", o.sheet_answer), WIDTH, "")
    );
    out.push('\n');
    for t in &o.tables {
        let _ = writeln!(out, "{}", table(t));
    }
    for c in &o.charts {
        match c {
            Chart::Bars {
                title,
                unit,
                bars: b,
                reference,
                ..
            } => {
                let _ = writeln!(out, "{}", bars(title, unit, b, *reference));
            }
            Chart::Timeline {
                title,
                lanes,
                zoom_s,
                ..
            } => {
                let end = lanes
                    .iter()
                    .flat_map(|l| l.intervals.iter().map(|i| i.1))
                    .fold(0.0f64, f64::max);
                let window = zoom_s.unwrap_or(end).min(end).max(1e-6);
                let _ = writeln!(
                    out,
                    "{title} (first {:.0} ms of {:.0} ms; █ running, ▌ part of the column)",
                    window * 1e3,
                    end * 1e3
                );
                let _ = writeln!(out, "{}", timeline_strip(lanes, window, 80));
            }
            Chart::Lines {
                title,
                x_label,
                y_label,
                series,
                ..
            } => {
                let _ = writeln!(out, "{}", lines_table(title, x_label, y_label, series));
            }
        }
    }
    let _ = writeln!(out, "Verdicts");
    for v in &o.verdicts {
        let _ = writeln!(
            out,
            "  {} {:<12} {}",
            v.claim.label,
            v.verdict.word(),
            v.claim.statement
        );
        let _ = write!(
            out,
            "{}",
            wrap(
                &format!("threshold: {}", v.claim.threshold),
                WIDTH,
                "      "
            )
        );
        let _ = write!(
            out,
            "{}",
            wrap(&format!("evidence: {}", v.evidence), WIDTH, "      ")
        );
    }
    if !o.notes.is_empty() {
        let _ = writeln!(out, "\nNotes");
        for n in &o.notes {
            let _ = write!(out, "{}", wrap(&format!("- {n}"), WIDTH, "  "));
        }
    }
    let params: Vec<String> = o
        .parameters
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let _ = write!(
        out,
        "\n{}",
        wrap(
            &format!(
                "Run: scale {}, {:.1} s; {}",
                o.scale,
                o.duration_s,
                params.join("; ")
            ),
            WIDTH,
            ""
        )
    );
    out
}

/// The repeatability table of a `--repeat N` run: the claims whose verdict changed between
/// runs, with every run's verdict; one line when none did.
pub fn repeatability(claims: &[pyproof_harness::RepeatedClaim]) -> String {
    match crate::document::repeatability_table(claims) {
        Ok(t) => table(&t),
        Err(all_same) => all_same,
    }
}

/// How long each experiment took, and the total: what a trial costs on this machine.
pub fn times(r: &RunResults) -> Table {
    let mut t = Table::new("Time", &["experiment", "seconds", "longest step"]);
    for o in &r.outcomes {
        // The step that cost most, so a slow trial says where to cut.
        let longest = o
            .steps
            .first()
            .filter(|s| o.duration_s >= 1.0 && s.seconds > 0.0)
            .map(|s| {
                format!(
                    "{} ({:.0} s × {})",
                    shorten(&s.label, 48),
                    s.seconds,
                    s.times
                )
            })
            .unwrap_or_default();
        t.row(vec![o.id.clone(), format!("{:.1}", o.duration_s), longest]);
    }
    t.row(vec![
        "total in experiments".into(),
        format!(
            "{:.1}",
            r.outcomes.iter().map(|o| o.duration_s).sum::<f64>()
        ),
        String::new(),
    ]);
    if let Some(wall) = r.wall_s {
        t.row(vec![
            "the whole run, wall time".into(),
            format!("{wall:.1}"),
            String::new(),
        ]);
    }
    t
}

/// The verdict table of a whole run, the time each experiment took, the environment stamp
/// and any failures.
pub fn summary(r: &RunResults) -> String {
    let mut t = Table::new("Verdicts", &["experiment", "claim", "verdict", "statement"]);
    let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
    for o in &r.outcomes {
        for v in &o.verdicts {
            *counts.entry(v.verdict.word()).or_default() += 1;
            t.row(vec![
                o.id.clone(),
                v.claim.label.clone(),
                v.verdict.word().to_string(),
                shorten(&v.claim.statement, 60),
            ]);
        }
    }
    for f in &r.failures {
        t.row(vec![
            f.id.clone(),
            "—".into(),
            "FAILED".into(),
            shorten(&f.error, 60),
        ]);
    }
    let mut out = table(&t);
    out.push('\n');
    out.push_str(&table(&times(r)));
    let tally: Vec<String> = Verdict::ALL
        .iter()
        .filter_map(|v| {
            counts
                .get(v.word())
                .map(|n| format!("{n} {}", v.word().to_lowercase()))
        })
        .collect();
    let _ = write!(
        out,
        "\n{}",
        wrap(
            &format!(
                "{}{}. {}.",
                tally.join(", "),
                if r.failures.is_empty() {
                    String::new()
                } else {
                    format!("; {} failed", r.failures.len())
                },
                crate::document::stamp(&r.environment)
            ),
            WIDTH,
            ""
        )
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align_columns() {
        let mut t = Table::new("T", &["a", "long header"]);
        t.row(vec!["wide cell".into(), "x".into()]);
        assert_eq!(
            table(&t),
            "T\n  a          long header\n  ──────────────────────\n  wide cell  x\n"
        );
    }

    #[test]
    fn shorten_cuts_at_a_word() {
        assert_eq!(shorten("short", 10), "short");
        assert_eq!(shorten("one two three four", 10), "one two…");
    }

    #[test]
    fn wrap_breaks_at_the_width() {
        assert_eq!(wrap("aa bb cc", 5, ""), "aa bb\ncc\n");
        assert_eq!(wrap("aa bb", 10, "  "), "  aa bb\n");
    }

    #[test]
    fn strip_shows_alternation_and_overlap() {
        let a = Lane {
            name: "t1".into(),
            intervals: vec![(0.0, 0.5)],
        };
        let b = Lane {
            name: "t2".into(),
            intervals: vec![(0.5, 1.0)],
        };
        let s = timeline_strip(&[a.clone(), b], 1.0, 4);
        assert!(s.contains("t1   │██  │"), "{s}");
        assert!(s.contains("t2   │  ██│"), "{s}");
        assert!(s.contains("both │    │"), "{s}");
        let c = Lane {
            name: "t2".into(),
            intervals: vec![(0.0, 1.0)],
        };
        let s = timeline_strip(&[a, c], 1.0, 4);
        assert!(s.contains("both │!!  │"), "{s}");
    }
}
