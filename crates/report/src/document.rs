//! The report of a run as files people read: `report.md`, a self-contained `index.html`
//! (inline CSS and SVG, no script, no network), a copy of `results.json`, and every chart as
//! an SVG file for the Markdown to link. Each file says on its first line that it is
//! generated, and by which command. Criterion's estimates, when `cargo bench` has left them,
//! get a table of their own.

mod criterion;
mod html;

use crate::svg::{self, escape};
use crate::terminal::shorten;
use crate::write_atomic;
use criterion::duration;
pub use criterion::{Bench, criterion_estimates};
use html::html;
use pyproof_harness::{
    ClaimVerdict, Environment, Outcome, RepeatedClaim, RunResults, Table, Verdict,
};
use std::fmt::Write;
use std::io;
use std::path::{Path, PathBuf};

/// The command that writes the report, named in every generated file.
pub const COMMAND: &str = "pyproof report";

/// One line saying where and how the run happened.
pub fn stamp(e: &Environment) -> String {
    let py = e
        .python
        .as_ref()
        .map(|p| format!("Python {} ({})", p.version, p.build))
        .unwrap_or_else(|| "Python unavailable".to_string());
    format!(
        "{py} on {} ({} of {} cores), {}, kernel {}, {} build, scale {}, pyproof {}, run {}",
        e.host.cpu_model,
        e.host.cores_available,
        e.host.cores_online,
        e.host.os,
        e.host.kernel,
        e.build_profile,
        e.scale,
        e.pyproof_version,
        e.date_utc
    )
}

/// With `--repeat N`: the claims whose verdict changed between runs as a table, or — when
/// none did — the sentence saying so.
pub fn repeatability_table(claims: &[RepeatedClaim]) -> Result<Table, String> {
    let runs = claims.first().map_or(0, |c| c.verdicts.len());
    let flapping: Vec<&RepeatedClaim> = claims.iter().filter(|c| c.flapping).collect();
    if flapping.is_empty() {
        return Err(format!(
            "Repeatability: every one of {} verdicts was the same in all {runs} runs.",
            claims.len()
        ));
    }
    let mut t = Table::new(
        format!(
            "Repeatability: {} of {} verdicts changed between the {runs} runs (flapping: not \
             to be trusted on this machine at this scale)",
            flapping.len(),
            claims.len()
        ),
        &["experiment", "claim", "verdict in each run"],
    );
    for c in flapping {
        t.row(vec![
            c.experiment.clone(),
            c.label.clone(),
            c.verdicts
                .iter()
                .map(|v| v.map_or("failed", Verdict::word))
                .collect::<Vec<_>>()
                .join(" → "),
        ]);
    }
    Ok(t)
}

/// Whether claim `claim` of `experiment` flapped over a repeated run.
fn flapped(r: &RunResults, experiment: &str, claim: &str) -> bool {
    r.repeats
        .iter()
        .any(|c| c.flapping && c.experiment == experiment && c.claim == claim)
}

/// The short form of a verdict's evidence for the verdict table.
pub fn key_number(v: &ClaimVerdict) -> String {
    shorten(&v.evidence, 140)
}

fn verdict_class(v: Verdict) -> &'static str {
    match v {
        Verdict::Confirmed => "confirmed",
        Verdict::Refuted => "refuted",
        Verdict::Nuanced => "nuanced",
        Verdict::Inconclusive => "inconclusive",
        Verdict::Skipped => "skipped",
        Verdict::Demonstrated => "demonstrated",
    }
}

/// HTML for the sheet's own inline Markdown (`**bold**`, `` `code` ``), escaped first.
pub fn inline(text: &str) -> String {
    let escaped = escape(text);
    let mut out = String::new();
    let (mut bold, mut code) = (false, false);
    let mut rest = escaped.as_str();
    while !rest.is_empty() {
        if !code && rest.starts_with("**") {
            out.push_str(if bold { "</b>" } else { "<b>" });
            bold = !bold;
            rest = &rest[2..];
        } else if rest.starts_with('`') {
            out.push_str(if code { "</code>" } else { "<code>" });
            code = !code;
            rest = &rest[1..];
        } else {
            let c = rest.chars().next().unwrap_or(' ');
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    if code {
        out.push_str("</code>");
    }
    if bold {
        out.push_str("</b>");
    }
    out
}

/// "Run: scale S, T s; k = v; ...": how an experiment ran.
fn run_line(o: &Outcome) -> String {
    let params: Vec<String> = o
        .parameters
        .iter()
        .map(|(k, v)| format!("{k} = {v}"))
        .collect();
    format!(
        "Run: scale {}, {:.1} s; {}.",
        o.scale,
        o.duration_s,
        params.join("; ")
    )
}

/// Markdown cell text: pipes and newlines would break the table.
pub(crate) fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// `t` as a Markdown table under its bold title.
pub(crate) fn md_table(out: &mut String, t: &Table) {
    let _ = writeln!(out, "**{}**\n", cell(&t.title));
    let _ = writeln!(
        out,
        "| {} |",
        t.headers
            .iter()
            .map(|h| cell(h))
            .collect::<Vec<_>>()
            .join(" | ")
    );
    let _ = writeln!(out, "|{}|", vec!["---"; t.headers.len()].join("|"));
    for r in &t.rows {
        let _ = writeln!(
            out,
            "| {} |",
            r.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | ")
        );
    }
    out.push('\n');
}

/// The chart files' path relative to the report: `charts/<id>/<chart>.svg`.
fn chart_path(o: &Outcome, chart_id: &str) -> String {
    format!("charts/{}/{chart_id}.svg", o.id)
}

/// `report.md`: the verdict table, then one section per experiment.
pub fn markdown(r: &RunResults, benches: &[Bench], source: &str) -> String {
    let mut out = format!(
        "<!-- generated by `{COMMAND}` from {source}; do not edit (run `{COMMAND}` again) -->\n\
         # pyproof report\n\n{}\n\n## Verdicts\n\n\
         | experiment | question | the sheet's answer | claim | verdict | key number |\n\
         |---|---|---|---|---|---|\n",
        cell(&stamp(&r.environment))
    );
    for o in &r.outcomes {
        for v in &o.verdicts {
            let _ = writeln!(
                out,
                "| [{}](#{}) | {} | {} | {} {} | **{}**{} | {} |",
                o.id,
                o.id,
                cell(&o.question),
                cell(&o.sheet_answer),
                v.claim.label,
                cell(&v.claim.statement),
                v.verdict.word(),
                if flapped(r, &o.id, &v.claim.id) {
                    " (flapping)"
                } else {
                    ""
                },
                cell(&key_number(v))
            );
        }
    }
    for f in &r.failures {
        let _ = writeln!(
            out,
            "| {} | | | | **FAILED** | {} |",
            f.id,
            cell(&shorten(&f.error, 140))
        );
    }
    if !r.repeats.is_empty() {
        out.push('\n');
        match repeatability_table(&r.repeats) {
            Ok(t) => md_table(&mut out, &t),
            Err(all_same) => {
                let _ = writeln!(out, "{all_same}");
            }
        }
    }
    for o in &r.outcomes {
        let _ = writeln!(
            out,
            "\n## {}\n\n**Q:** {}\n\n**The sheet:** {}\n",
            o.id,
            cell(&o.question),
            cell(&o.sheet_answer)
        );
        for t in &o.tables {
            md_table(&mut out, t);
        }
        for c in &o.charts {
            let _ = writeln!(
                out,
                "![{}]({})\n",
                cell(chart_title(c)),
                chart_path(o, c.id())
            );
        }
        out.push_str("**Verdicts**\n\n");
        for v in &o.verdicts {
            let _ = writeln!(
                out,
                "- {} **{}** — {}\n  - threshold: {}\n  - evidence: {}",
                v.claim.label,
                v.verdict.word(),
                cell(&v.claim.statement),
                cell(&v.claim.threshold),
                cell(&v.evidence)
            );
        }
        if !o.notes.is_empty() {
            out.push_str("\n**Notes**\n\n");
            for n in &o.notes {
                let _ = writeln!(out, "- {}", cell(n));
            }
        }
        if !o.parameters.is_empty() {
            let _ = writeln!(out, "\n*{}*", cell(&run_line(o)));
        }
    }
    if !benches.is_empty() {
        out.push_str(
            "\n## Benchmarks (criterion, from the last `cargo bench`)\n\n\
             | benchmark | median | mean (95% CI) |\n|---|---|---|\n",
        );
        for b in benches {
            let _ = writeln!(
                out,
                "| {} | {} | {} ({}–{}) |",
                cell(&b.id),
                duration(b.median_ns),
                duration(b.mean_ns),
                duration(b.mean_low_ns),
                duration(b.mean_high_ns)
            );
        }
    }
    out
}

fn chart_title(c: &pyproof_harness::Chart) -> &str {
    match c {
        pyproof_harness::Chart::Bars { title, .. }
        | pyproof_harness::Chart::Timeline { title, .. }
        | pyproof_harness::Chart::Lines { title, .. } => title,
    }
}

/// The results as pretty JSON whose first line, holding the first key, says it is generated
/// (JSON has no comments).
pub fn results_json(r: &RunResults, source: &str) -> serde_json::Result<String> {
    let body = serde_json::to_string_pretty(r)?;
    let rest = body.strip_prefix('{').unwrap_or(&body);
    // The first line says it is generated, like every generated file.
    Ok(format!(
        "{{\"generated\": {},{rest}\n",
        serde_json::to_string(&format!(
            "by `{COMMAND}` from {source}; do not edit (run `{COMMAND}` again)"
        ))?
    ))
}

/// Writes report.md, index.html, results.json and charts/ under `dir`, each file atomically;
/// returns what was written.
pub fn write_report(
    r: &RunResults,
    benches: &[Bench],
    dir: &Path,
    source: &str,
) -> io::Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for o in &r.outcomes {
        for c in &o.charts {
            if let Some(svg) = svg::chart(c) {
                let path = dir.join(chart_path(o, c.id()));
                write_atomic(&path, svg.as_bytes())?;
                written.push(path);
            }
        }
    }
    let json = results_json(r, source).map_err(io::Error::other)?;
    for (name, bytes) in [
        ("results.json", json.into_bytes()),
        ("report.md", markdown(r, benches, source).into_bytes()),
        ("index.html", html(r, benches, source).into_bytes()),
    ] {
        let path = dir.join(name);
        write_atomic(&path, &bytes)?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sheets_inline_markdown_becomes_html_after_escaping() {
        assert_eq!(
            inline("**Best for API**: `FastAPI` + `Pydantic`."),
            "<b>Best for API</b>: <code>FastAPI</code> + <code>Pydantic</code>."
        );
        assert_eq!(
            inline("a < b & `**x**`"),
            "a &lt; b &amp; <code>**x**</code>"
        );
        assert_eq!(inline("**open"), "<b>open</b>");
    }

    #[test]
    fn durations_pick_their_unit() {
        assert_eq!(duration(1.5e9), "1.50 s");
        assert_eq!(duration(2.5e6), "2.50 ms");
        assert_eq!(duration(750.0), "750 ns");
    }

    #[test]
    fn criterion_estimates_are_found_by_directory() {
        let dir = tempfile::tempdir().expect("tempdir");
        let bench = dir.path().join("group").join("fn").join("new");
        std::fs::create_dir_all(&bench).expect("mkdir");
        std::fs::create_dir_all(dir.path().join("report")).expect("mkdir");
        let est = r#"{"mean":{"point_estimate":2000.0,"confidence_interval":{"lower_bound":1900.0,"upper_bound":2100.0}},
                      "median":{"point_estimate":1950.0,"confidence_interval":{"lower_bound":1,"upper_bound":2}}}"#;
        std::fs::write(bench.join("estimates.json"), est).expect("write");
        let found = criterion_estimates(dir.path());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].id, "group/fn");
        assert_eq!(
            (found[0].median_ns, found[0].mean_high_ns),
            (1950.0, 2100.0)
        );
        assert!(criterion_estimates(&dir.path().join("absent")).is_empty());
    }
}
