//! Unit tests of the phrasing's private helpers: loading `rewrite.toml` with every problem at
//! once, tidying whitespace and filling templates.

use super::draft::Specifics;
use super::plan::{squeeze_spaces, tidy};
use super::repair::fill;
use super::Rewriter;
use crate::core::checks::{CheckNames, CORE_CHECK_IDS};

#[test]
fn tidy_keeps_paragraphs_and_drops_the_gaps_of_removed_sentences() {
    assert_eq!(
        tidy("Hi Ana,\n\n  I run a club.  \n\n\n\nBest,\nLi"),
        "Hi Ana,\n\nI run a club.\n\nBest,\nLi"
    );
    assert_eq!(squeeze_spaces("a  b  c"), "a b c");
}

#[test]
fn fill_uses_the_draft_or_a_placeholder() {
    let sp = Specifics {
        topic: Some("school budgets".into()),
        ..Specifics::default()
    };
    assert_eq!(fill("about {topic}", &sp, None), "about school budgets");
    assert_eq!(
        fill("to {target}", &Specifics::default(), None),
        "to [the person or team I'd like to reach]"
    );
    assert_eq!(fill("about {object}", &sp, Some("you")), "about your work");
}

#[test]
fn every_problem_of_rewrite_toml_is_reported_with_its_line() {
    let text = include_str!("../../../config/rewrite.toml");
    let line = |needle: &str| {
        text[..text.find(needle).expect(needle)]
            .matches('\n')
            .count()
            + 1
    };
    let broken = text
        .replace(
            "standing-mentorship = \"standing\"",
            "standing-mentorship = \"hug\"",
        )
        .replace(r"'\b(an|one)\s+hour\s+of\s+your\s+time\b'", "'(an'");
    let names = CheckNames::new(
        &CORE_CHECK_IDS,
        &[
            "standing-mentorship",
            "big-ask-without-offer",
            "paid-advice-without-offer",
        ],
    );
    let err = Rewriter::parse(&broken, "rewrite.toml")
        .check(&names)
        .expect_err("problems")
        .to_string();
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 7, "{err}");
    let ask = format!(
        "rewrite.toml:{}: rule_asks.standing-mentorship: unknown ask `hug`",
        line("standing-mentorship =")
    );
    assert!(lines[0].starts_with(&ask), "{err}");
    let pattern = format!(
        "rewrite.toml:{}: edits[2].pattern: bad pattern `(an`: unclosed group",
        line(r"'\b(an|one)\s+hour")
    );
    assert!(lines[1].starts_with(&pattern), "{err}");
    // The other three rules of `[rule_asks]`, and two of `left_rules`, are not among `names`.
    assert!(
        lines[2..].iter().all(|l| l.contains("unknown rule")),
        "{err}"
    );
}
