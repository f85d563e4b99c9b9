//! `coffee-coach check-config` on broken copies of the config: every problem of every file in
//! one run, each with its file, line and key; references to checks are checked against the
//! checks actually loaded (issue 11).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Writes the built-in config into a new folder with `coffee-coach config export`.
fn exported() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let config = dir.path().join("config");
    let out = coffee_coach(&["config", "export", config.to_str().expect("utf-8")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (dir, config)
}

fn coffee_coach(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_coffee-coach"))
        .args(args)
        .env_remove("COFFEE_COACH_CONFIG")
        .output()
        .expect("the binary runs")
}

fn check_config(config: &Path) -> Output {
    coffee_coach(&["check-config", config.to_str().expect("utf-8")])
}

/// Replaces the first `from` in `file` of `config` by `to`; returns the line (from 1) where
/// `to` now starts.
#[track_caller]
fn edit(config: &Path, file: &str, from: &str, to: &str) -> usize {
    let path = config.join(file);
    let text = std::fs::read_to_string(&path).expect("read");
    let at = text
        .find(from)
        .unwrap_or_else(|| panic!("`{from}` is not in {file}"));
    let edited = text.replacen(from, to, 1);
    std::fs::write(&path, &edited).expect("write");
    text[..at].matches('\n').count() + 1
}

#[test]
fn issue_11_check_config_reports_every_problem_of_every_file_in_one_run() {
    let (_dir, config) = exported();
    // A tip naming a check that does not exist.
    let tip = edit(
        &config,
        "tips.toml",
        "check = \"not-searchable\"",
        "check = \"no-such-check\"",
    );
    // A repair for a check that does not exist (on the line after `right-people`).
    let repair = 1 + edit(
        &config,
        "rewrite.toml",
        "right-people = \"remove\"\n",
        "right-people = \"remove\"\nno-such-check = \"remove\"\n",
    );
    // A pattern that is not a regex.
    let pattern = edit(
        &config,
        "checks/not-searchable.toml",
        "\"@searchable\"",
        "\"(unclosed\"",
    );
    // A key bot.toml does not know (on the line after `reply_mode`).
    let key = 1 + edit(
        &config,
        "bot.toml",
        "reply_mode = \"thread\"\n",
        "reply_mode = \"thread\"\ncolour = \"blue\"\n",
    );

    let out = check_config(&config);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    let at = |file: &str, line: usize| format!("{}:{line}: ", config.join(file).display());
    let expected = [
        format!("{}unknown field `colour`", at("bot.toml", key)),
        format!(
            "{}rules[0].draft[0]: check `not-searchable`: bad pattern `(unclosed`",
            at("checks/not-searchable.toml", pattern)
        ),
        format!(
            "{}repairs.no-such-check: unknown check `no-such-check`",
            at("rewrite.toml", repair)
        ),
        format!("{}tip[", at("tips.toml", tip)),
    ];
    for want in &expected {
        assert!(err.contains(want.as_str()), "missing `{want}` in:\n{err}");
    }
    assert!(err.contains("unknown check `no-such-check`"), "{err}");
    let problems: Vec<&str> = err.lines().skip(1).collect();
    assert_eq!(problems.len(), 4, "{err}");
    assert!(err.starts_with("coffee-coach: 4 problems in "), "{err}");
}

#[test]
fn issue_11_a_tip_for_a_check_added_to_the_config_is_accepted() {
    let (_dir, config) = exported();
    let text = std::fs::read_to_string(config.join("checks/right-people.toml")).expect("read");
    let added = text.replacen("id = \"right-people\"", "id = \"say-thanks\"", 1);
    std::fs::write(config.join("checks/say-thanks.toml"), added).expect("write");
    edit(
        &config,
        "tips.toml",
        "check = \"not-searchable\"",
        "check = \"say-thanks\"",
    );
    let out = check_config(&config);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn issue_11_the_phrasing_names_only_rules_and_checks_that_are_loaded() {
    let (_dir, config) = exported();
    std::fs::remove_file(config.join("checks/right-people.toml")).expect("remove");
    let out = check_config(&config);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    // `[repairs]` names it, and tips teach it.
    assert!(
        err.contains("repairs.right-people: unknown check `right-people`"),
        "{err}"
    );
    assert!(
        err.contains(".check: tip `") && err.contains("unknown check `right-people`"),
        "{err}"
    );
}
