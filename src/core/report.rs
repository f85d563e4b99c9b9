//! Renderers of a [`Review`] for people and scripts: [`text`] for a terminal and [`json`] for
//! tools. The Discord embed is the third renderer and lives in the adapter.

use serde_json::json;

use super::review::{Review, Status};

/// The symbol a line of the review starts with.
pub fn status_mark(status: Status) -> &'static str {
    match status {
        Status::Passed => "passed",
        Status::Failed => "FAILED",
        Status::NotJudged => "not judged",
    }
}

/// The review as plain text for a person in a terminal.
pub fn text(review: &Review) -> String {
    let mut out = String::new();
    if let Some(note) = review.unjudged_note() {
        out.push_str(&note);
        out.push('\n');
        return out;
    }
    for f in &review.checks {
        out.push_str(&format!(
            "{:<11} {:<16} {}\n",
            status_mark(f.status),
            f.id,
            f.title
        ));
        if f.status == Status::Failed {
            let quotes: Vec<String> = f
                .evidence
                .iter()
                .map(|e| format!("\"{}\"", e.text))
                .collect();
            out.push_str(&format!("            because: {}\n", f.reason));
            if !quotes.is_empty() {
                out.push_str(&format!("            words: {}\n", quotes.join(", ")));
            }
            if let Some(hint) = &f.hint {
                out.push_str(&format!("            try: {hint}\n"));
            }
        }
    }
    let m = &review.metrics;
    out.push_str(&format!(
        "\n{} words, {} sentences, {:.0}% about you, {}\n",
        m.words,
        m.sentences,
        m.self_share * 100.0,
        if m.ends_with_ask {
            "ends with a clear ask"
        } else {
            "no clear ask at the end"
        }
    ));
    match &review.rewrite_note {
        Some(note) => out.push_str(&format!("\n{note}\n\n")),
        None => out.push_str("\nBetter phrasing:\n\n"),
    }
    out.push_str(&review.rewrite);
    out.push('\n');
    if let Some(note) = &review.left_note {
        out.push_str(&format!("\n{note}\n"));
    }
    out
}

/// The review as the JSON shape scripts rely on:
/// `{"checks":[{"id","status","evidence":[{"start","end","text"}],"reason"}],"rewrite","metrics"}`.
pub fn json(review: &Review) -> serde_json::Value {
    json!({
        "checks": review.checks,
        "rewrite": review.rewrite,
        "rewrite_note": review.rewrite_note,
        "left_to_member": review.left_to_member,
        "left_note": review.left_note,
        "metrics": review.metrics,
        "empty": review.empty,
        "language": review.language,
    })
}
