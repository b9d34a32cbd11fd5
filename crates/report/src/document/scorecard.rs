//! The scorecard: one row per question — the sheet's answer shortened, where it stands
//! (one word, by the rule of `pyproof_harness::answer_standing`), the answer to give today
//! with the run's figures, and a link to the question's page. It opens `index.html`,
//! `report.md` and the README.

use super::{cell, inline};
use crate::svg::escape;
use crate::terminal::shorten;
use pyproof_harness::{
    AnswerStanding, Outcome, RunResults, answer_standing, expiry, tests_the_sheet,
};
use std::fmt::Write;

/// One question's row.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The experiment's id (its page is `<id>.html` / `<id>.md`).
    pub id: String,
    /// The sheet's question.
    pub question: String,
    /// The sheet's answer, shortened to its first sentence.
    pub sheet_answer: String,
    /// Where the sheet's answer stands; None when the experiment failed in this run.
    pub standing: Option<AnswerStanding>,
    /// Why, in words: which claims decided it (or the failure).
    pub why: String,
    /// The answer to give today, its figures from the run.
    pub today: Option<String>,
}

/// The sheet's answer cut to its first sentence (and at most about 120 characters), its
/// Markdown emphasis dropped: the scorecard quotes, the page gives it whole. Numbered advice
/// ("1. Use … 2. Downcast … 3. Convert …") keeps every item, shortened to 200 characters.
pub fn short_answer(answer: &str) -> String {
    let plain = answer.replace("**", "");
    if plain.trim_start().starts_with("1. ") {
        return shorten(plain.trim(), 200);
    }
    let first = plain
        .char_indices()
        .find(|&(i, c)| {
            c == '.'
                && plain[i + 1..].starts_with(' ')
                && !plain[..i].ends_with(|d: char| d.is_ascii_digit())
                && !plain[..i].ends_with("e.g")
        })
        .map_or(plain.as_str(), |(i, _)| &plain[..=i]);
    shorten(first.trim(), 120)
}

/// The scorecard's rows in the run's order, then one per failed experiment.
pub fn rows(r: &RunResults) -> Vec<Row> {
    let mut rows: Vec<Row> = r.outcomes.iter().map(|o| row(o, r)).collect();
    for f in &r.failures {
        rows.push(Row {
            id: f.id.clone(),
            question: String::new(),
            sheet_answer: String::new(),
            standing: None,
            why: format!("failed in this run: {}", shorten(&f.error, 160)),
            today: None,
        });
    }
    rows
}

fn row(o: &Outcome, r: &RunResults) -> Row {
    let (standing, mut why) = answer_standing(&o.verdicts);
    if let Some(e) = expiry(&o.verdicts) {
        why.push_str(&format!("; {}", e.line()));
    }
    // A standing that rests on a claim whose verdict changed between repeated runs says so.
    let flapping: Vec<&str> = o
        .verdicts
        .iter()
        .filter(|v| tests_the_sheet(v) && super::flapped(r, &o.id, &v.claim.id))
        .map(|v| v.claim.label.as_str())
        .collect();
    if !flapping.is_empty() {
        why.push_str(&format!(
            "; flapping over the repeated runs: {}",
            flapping.join(", ")
        ));
    }
    Row {
        id: o.id.clone(),
        question: o.question.clone(),
        sheet_answer: short_answer(&o.sheet_answer),
        standing: Some(standing),
        why,
        today: o.today.clone(),
    }
}

fn standing_words(row: &Row) -> String {
    row.standing
        .as_ref()
        .map_or("Failed".to_string(), AnswerStanding::words)
}

/// The scorecard as a Markdown table; `link(id)` is where a question's page is.
pub fn markdown(r: &RunResults, link: &dyn Fn(&str) -> String) -> String {
    let mut out = String::from(
        "| question | the sheet's answer | standing | the answer to give today |\n|---|---|---|---|\n",
    );
    for row in rows(r) {
        let _ = writeln!(
            out,
            "| [{}]({}) | {} | **{}** <br><sub>{}</sub> | {} |",
            if row.question.is_empty() {
                row.id.clone()
            } else {
                cell(&row.question)
            },
            link(&row.id),
            cell(&row.sheet_answer),
            standing_words(&row),
            cell(&row.why),
            cell(row.today.as_deref().unwrap_or("—")),
        );
    }
    out
}

/// The scorecard as an HTML table (cards on a narrow screen, by the page's CSS).
pub fn html(r: &RunResults) -> String {
    let mut out = String::from(
        "<table class=\"scorecard\" id=\"scorecard\"><thead><tr><th>question</th>\
         <th>the sheet's answer</th><th>standing</th><th>the answer to give today</th></tr>\
         </thead><tbody>",
    );
    for row in rows(r) {
        let class = row
            .standing
            .as_ref()
            .map_or("failed", AnswerStanding::class);
        let _ = write!(
            out,
            "<tr class=\"row-{class}\"><td data-label=\"question\"><a href=\"{id}.html\">{q}</a></td>\
             <td data-label=\"the sheet\">{a}</td><td data-label=\"standing\"><span class=\"standing {class}\">{s}</span>\
             <div class=\"small\">{why}</div></td><td data-label=\"today\">{today}</td></tr>",
            id = escape(&row.id),
            q = if row.question.is_empty() {
                escape(&row.id)
            } else {
                inline(&row.question)
            },
            a = inline(&row.sheet_answer),
            s = escape(&standing_words(&row)),
            why = escape(&row.why),
            today = escape(row.today.as_deref().unwrap_or("—")),
        );
    }
    out.push_str("</tbody></table>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sheets_answer_is_cut_at_its_first_sentence() {
        assert_eq!(
            short_answer(
                "A mutex that prevents multiple native threads from executing Python bytecodes \
                 at once. This makes Python \"slow\"."
            ),
            "A mutex that prevents multiple native threads from executing Python bytecodes at once."
        );
        assert_eq!(
            short_answer("1. Use `chunksize` to read data in pieces. 2. Downcast numeric types."),
            "1. Use `chunksize` to read data in pieces. 2. Downcast numeric types."
        );
        assert_eq!(
            short_answer("Lists are mutable; Tuples are immutable. Using 1. and e.g. more."),
            "Lists are mutable; Tuples are immutable."
        );
        assert_eq!(
            short_answer("**Best for I/O**: `asyncio`."),
            "Best for I/O: `asyncio`."
        );
    }
}
