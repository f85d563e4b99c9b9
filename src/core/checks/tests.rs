//! Loading check files: a good one loads; every kind of problem names the file, the line, the
//! key and the check, and all of them are reported at once.

use std::path::Path;

use super::*;
use crate::core::config::Problems;

const GOOD: &str = r#"
id = "x-check"
title = "T"
flags = "F"
why = "W"
message = "M"
hint = "H"
silent = "pass"
[[rules]]
name = "r"
reason = "R"
draft = ['\bcoffee\b']
[[fails]]
draft = "coffee?"
[[passes]]
draft = "tea?"
"#;

fn load(files: &[(&str, &str)]) -> Result<CheckSet, Problems> {
    CheckSet::from_sources(
        (
            Path::new("_vocabulary.toml"),
            "meeting = ['coffee', '(bad']",
        ),
        files.iter().map(|(p, t)| (Path::new(*p), *t)),
    )
}

fn problems(files: &[(&str, &str)]) -> String {
    load(files).expect_err("problems").to_string()
}

#[test]
fn loads_a_good_check() {
    let set = load(&[("x.toml", GOOD)]).expect("loads");
    assert_eq!(set.checks()[0].id, "x-check");
    assert_eq!(set.names(), CheckNames::new(&["x-check"], &["r"]));
}

#[test]
fn unknown_key_names_the_file_and_the_line() {
    let text = format!("{GOOD}\nsurprise = 1\n");
    let err = problems(&[("x.toml", &text)]);
    assert!(
        err.starts_with("x.toml:18: ") && err.contains("surprise"),
        "{err}"
    );
}

#[test]
fn bad_regex_names_file_line_key_and_check() {
    let text = GOOD.replace(r"'\bcoffee\b'", "'(unclosed'");
    let err = problems(&[("x.toml", &text)]);
    assert_eq!(
        err,
        "x.toml:12: rules[0].draft[0]: check `x-check`: bad pattern `(unclosed`: unclosed group at column 1"
    );
}

#[test]
fn a_bad_regex_of_the_vocabulary_is_named_where_it_is_written() {
    let text = GOOD.replace(r"'\bcoffee\b'", "'@meeting'");
    let err = problems(&[("x.toml", &text)]);
    assert!(
        err.starts_with("_vocabulary.toml:1: meeting[1]: check `x-check`: bad pattern `(bad`"),
        "{err}"
    );
}

#[test]
fn duplicate_id_names_both_files() {
    let err = problems(&[("a.toml", GOOD), ("b.toml", GOOD)]);
    assert!(
        err.contains("a.toml") && err.contains("b.toml") && err.contains("x-check"),
        "{err}"
    );
}

#[test]
fn check_without_examples_is_an_error() {
    let text = GOOD.replace("[[passes]]\ndraft = \"tea?\"\n", "");
    let err = problems(&[("x.toml", &text)]);
    assert!(err.contains("x-check") && err.contains("examples"), "{err}");
}

#[test]
fn unknown_vocabulary_is_an_error() {
    let text = GOOD.replace(r"'\bcoffee\b'", "'@nothing'");
    let err = problems(&[("x.toml", &text)]);
    assert!(
        err.contains("x.toml:12: rules[0].draft[0]") && err.contains("@nothing"),
        "{err}"
    );
}

#[test]
fn every_problem_of_every_file_is_reported_at_once() {
    let bad_regex = GOOD.replace(r"'\bcoffee\b'", "'(unclosed'");
    let unknown_key = GOOD
        .replace("x-check", "y-check")
        .replace("silent =", "colour = 1\nsilent =");
    let empty = GOOD
        .replace("x-check", "z-check")
        .replace("hint = \"H\"", "hint = \" \"");
    let err = problems(&[
        ("a.toml", &bad_regex),
        ("b.toml", &unknown_key),
        ("c.toml", &empty),
    ]);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 3, "{err}");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("a.toml:12: rules[0].draft[0]")),
        "{err}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("b.toml:8: ") && l.contains("colour")),
        "{err}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("c.toml:7: hint: check `z-check`")),
        "{err}"
    );
}

#[test]
fn names_are_declared_even_by_a_file_with_problems() {
    let unknown_key = format!("{GOOD}\nsurprise = 1\n");
    let names = CheckNames::declared([unknown_key.as_str()]);
    assert_eq!(names, CheckNames::new(&["x-check"], &["r"]));
    assert_eq!(names.unknown_check("x-check"), None);
    assert!(names.unknown_check("y").is_some());
    // A file that is not TOML might declare anything: nothing is called unknown.
    let names = CheckNames::declared([GOOD, "id = "]);
    assert_eq!(names.unknown_check("y"), None);
    assert_eq!(names.unknown_rule("q"), None);
}
