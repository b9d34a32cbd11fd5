//! The report of a run as files people read: `report.md`, a self-contained `index.html`
//! (inline CSS and SVG, no script, no network), a copy of `results.json`, and every chart as
//! an SVG file for the Markdown to link. Each file says on its first line that it is
//! generated, and by which command. Criterion's estimates, when `cargo bench` has left them,
//! get a table of their own.

mod criterion;
mod html;
pub mod page;
pub mod scorecard;

use crate::svg::{self, escape};
use crate::terminal::shorten;
use crate::write_atomic;
use criterion::duration;
pub use criterion::{Bench, criterion_estimates};
use html::html;
use pyproof_harness::{
    ClaimVerdict, Environment, Outcome, RepeatedClaim, RunResults, Table, Verdict,
};
use std::collections::BTreeMap;
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

/// With `--repeat N`: each run's wall time, and their median and longest — "Wall time of each
/// of the 5 runs: 301 s, 296 s, 305 s, 299 s, 310 s (median 301 s, longest 310 s)." None for a
/// single run (or results from before the times were kept).
pub fn run_walls(r: &RunResults) -> Option<String> {
    let walls = &r.run_walls_s;
    if walls.len() < 2 {
        return None;
    }
    Some(format!(
        "Wall time of each of the {} runs: {} (median {:.0} s, longest {:.0} s).",
        walls.len(),
        walls
            .iter()
            .map(|w| format!("{w:.0} s"))
            .collect::<Vec<_>>()
            .join(", "),
        pyproof_harness::median(walls),
        walls.iter().copied().fold(f64::NAN, f64::max),
    ))
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
    // Whether any two runs disagreed on a verdict, beside the claims only left undecided
    // in some runs: the first says the verdict cannot be trusted, the second that the run
    // could not settle it every time.
    let contradicting = flapping.iter().filter(|c| c.contradicts()).count();
    let mut t = Table::new(
        format!(
            "Repeatability: {} of {} verdicts changed between the {runs} runs — {contradicting} \
             between two verdicts, {} between a verdict and Inconclusive or a failed run \
             (flapping: not to be trusted on this machine at this scale)",
            flapping.len(),
            claims.len(),
            flapping.len() - contradicting,
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
pub(crate) fn flapped(r: &RunResults, experiment: &str, claim: &str) -> bool {
    r.repeats
        .iter()
        .any(|c| c.flapping && c.experiment == experiment && c.claim == claim)
}

/// The short form of a verdict's evidence for the verdict table.
pub fn key_number(v: &ClaimVerdict) -> String {
    shorten(&v.evidence, 140)
}

pub(crate) fn verdict_class(v: Verdict) -> &'static str {
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
pub(crate) fn run_line(o: &Outcome) -> String {
    let params: Vec<String> = o
        .parameters
        .iter()
        .map(|(k, v)| format!("{k} = {v}"))
        .collect();
    format!(
        "Run: scale {}, {:.1} s{}; {}.",
        o.scale,
        o.duration_s,
        where_the_time_went(o),
        params.join("; ")
    )
}

/// " (longest steps: Pillow thumbnail dask k=2 30 s in 3 stretches, …)": the three steps
/// that took most of a run of a second or more, from the step clock; empty otherwise.
fn where_the_time_went(o: &Outcome) -> String {
    if o.duration_s < 1.0 || o.steps.is_empty() {
        return String::new();
    }
    let longest: Vec<String> = o
        .steps
        .iter()
        .take(3)
        .map(|s| {
            let times = if s.times > 1 {
                format!(" in {} stretches", s.times)
            } else {
                String::new()
            };
            format!("{} {:.0} s{times}", s.label, s.seconds)
        })
        .collect();
    format!(" (longest steps: {})", longest.join(", "))
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
pub(crate) fn chart_path(o: &Outcome, chart_id: &str) -> String {
    format!("charts/{}/{chart_id}.svg", o.id)
}

/// `report.md`: the scorecard, the repeat summary, failures and benchmarks; each question's
/// claims, tables and charts are on its own page (`<id>.md`).
pub fn markdown(r: &RunResults, benches: &[Bench], source: &str) -> String {
    let mut out = format!(
        "<!-- generated by `{COMMAND}` from {source}; do not edit (run `{COMMAND}` again) -->\n\
         # pyproof report\n\n{}\n\n## Scorecard\n\n\
         Each question's standing comes from its claims' verdicts by the rule in \
         [docs/verdicts.md](../verdicts.md#where-an-answer-stands); the answer to give today is \
         filled in from this run's figures. Each question links to its page.\n\n{}",
        cell(&stamp(&r.environment)),
        scorecard::markdown(r, &|id| format!("{id}.md"))
    );
    if !r.repeats.is_empty() {
        out.push('\n');
        match repeatability_table(&r.repeats) {
            Ok(t) => md_table(&mut out, &t),
            Err(all_same) => {
                let _ = writeln!(out, "{all_same}");
            }
        }
    }
    if !r.failures.is_empty() {
        out.push_str("\n## Failed in this run\n\n");
        for f in &r.failures {
            let _ = writeln!(out, "- {}: {}", f.id, cell(&f.error));
        }
    }
    let _ = writeln!(
        out,
        "\n## Time\n\n{}",
        r.outcomes
            .iter()
            .map(|o| format!("{} {:.0} s", o.id, o.duration_s))
            .collect::<Vec<_>>()
            .join(" · ")
    );
    let _ = writeln!(
        out,
        "\nTotal in experiments: {:.0} s{}.",
        r.outcomes.iter().map(|o| o.duration_s).sum::<f64>(),
        r.wall_s.map_or(String::new(), |w| format!(
            "; the whole run: {w:.0} s wall time"
        ))
    );
    if let Some(line) = run_walls(r) {
        let _ = writeln!(out, "\n{line}");
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

pub(crate) fn chart_title(c: &pyproof_harness::Chart) -> &str {
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

/// Writes report.md, index.html, a page per question (`<id>.html`, `<id>.md`), results.json
/// and charts/ under `dir`, each file atomically; returns what was written. `code` holds,
/// per experiment id, the code its docs page quotes (the pages show it as "the code that
/// ran").
pub fn write_report(
    r: &RunResults,
    benches: &[Bench],
    code: &BTreeMap<String, Vec<page::Code>>,
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
    for o in &r.outcomes {
        let quoted = code.get(&o.id).map_or(&[][..], Vec::as_slice);
        for (name, text) in [
            (format!("{}.md", o.id), page::markdown(r, o, quoted, source)),
            (format!("{}.html", o.id), page::html(r, o, quoted, source)),
        ] {
            let path = dir.join(name);
            write_atomic(&path, text.as_bytes())?;
            written.push(path);
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
    fn the_run_line_names_the_longest_steps_of_a_run_that_took_time() {
        use pyproof_harness::steps::Step;
        let mut o = Outcome::new(
            "x",
            pyproof_harness::Section::CheatSheet,
            "q",
            "a",
            pyproof_harness::Scale::Default,
        );
        o.param("k", 2);
        o.duration_s = 0.5;
        o.steps = ["a", "b", "c", "d"]
            .iter()
            .zip([3.0, 2.0, 1.0, 0.5])
            .map(|(label, seconds)| Step {
                label: label.to_string(),
                seconds,
                times: if *label == "a" { 3 } else { 1 },
            })
            .collect();
        assert_eq!(run_line(&o), "Run: scale default, 0.5 s; k = 2.");
        o.duration_s = 6.5;
        assert_eq!(
            run_line(&o),
            "Run: scale default, 6.5 s (longest steps: a 3 s in 3 stretches, b 2 s, c 1 s); k = 2."
        );
    }

    #[test]
    fn a_repeat_keeps_every_runs_wall_time() {
        let mut r = pyproof_harness::testing::made_up_results(Vec::new());
        assert_eq!(run_walls(&r), None);
        r.run_walls_s = vec![301.2];
        assert_eq!(run_walls(&r), None, "one run says nothing a repeat would");
        r.run_walls_s = vec![301.2, 296.4, 310.6];
        assert_eq!(
            run_walls(&r).as_deref(),
            Some(
                "Wall time of each of the 3 runs: 301 s, 296 s, 311 s (median 301 s, longest 311 s)."
            )
        );
        let md = markdown(&r, &[], "x.json");
        assert!(md.contains("Wall time of each of the 3 runs"), "{md}");
    }

    #[test]
    fn the_repeat_line_tells_contradictions_from_claims_left_undecided() {
        use pyproof_harness::Verdict::*;
        let claim = |id: &str, verdicts: Vec<Option<Verdict>>| RepeatedClaim {
            experiment: "x".into(),
            claim: id.into(),
            label: format!("({id})"),
            flapping: verdicts.windows(2).any(|w| w[0] != w[1]),
            verdicts,
        };
        let claims = [
            claim("a", vec![Some(Confirmed), Some(Refuted), Some(Confirmed)]),
            claim(
                "b",
                vec![Some(Confirmed), Some(Inconclusive), Some(Confirmed)],
            ),
            claim("c", vec![Some(Nuanced), None, Some(Nuanced)]),
            claim("d", vec![Some(Refuted); 3]),
        ];
        let t = repeatability_table(&claims).expect("some flapped");
        assert_eq!(
            t.title,
            "Repeatability: 3 of 4 verdicts changed between the 3 runs — 1 between two verdicts, \
             2 between a verdict and Inconclusive or a failed run (flapping: not to be trusted \
             on this machine at this scale)"
        );
        assert_eq!(
            repeatability_table(&claims[3..]).expect_err("none flapped"),
            "Repeatability: every one of 1 verdicts was the same in all 3 runs."
        );
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
