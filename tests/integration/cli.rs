//! `coffee-coach review` and `coffee-coach check-config` as a user runs them.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use crate::support::config_dir;

fn coffee_coach(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_coffee-coach"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("DISCORD_TOKEN")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut pipe = child.stdin.take().expect("stdin");
    pipe.write_all(stdin.unwrap_or("").as_bytes())
        .expect("write stdin");
    drop(pipe);
    child.wait_with_output().expect("the binary finishes")
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).expect("stdout is JSON")
}

#[test]
fn json_output_has_every_check_with_its_status_and_evidence() {
    let out = coffee_coach(
        &[
            "review",
            "--format",
            "json",
            "Hi Tamar, I finished your memoir last week and would really like to meet you for a coffee.",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out);
    let checks = v["checks"].as_array().expect("checks");
    let ids: Vec<&str> = checks.iter().filter_map(|c| c["id"].as_str()).collect();
    assert_eq!(
        ids,
        [
            "reason-for-them",
            "not-free-advice",
            "not-searchable",
            "right-size-ask",
            "right-people"
        ]
    );
    let reason = &checks[0];
    assert_eq!(reason["status"], "failed");
    let e = &reason["evidence"][0];
    assert_eq!(e["text"], "like to meet you for a coffee");
    assert!(e["start"].as_u64().is_some() && e["end"].as_u64().is_some());
    assert!(reason["reason"].as_str().is_some_and(|r| !r.is_empty()));
    assert_eq!(checks[4]["status"], "not_judged");
    assert!(v["rewrite"]
        .as_str()
        .is_some_and(|r| r.starts_with("Hi Tamar,")));
    assert!(v["metrics"]["words"].as_u64().is_some());
}

#[test]
fn recipient_feeds_the_checks_that_need_it() {
    let draft = "Hey Ben, let's grab coffee! I'd love to get your thoughts on how I should structure my freelance income.";
    let without = json(&coffee_coach(&["review", "--format", "json", draft], None));
    let with = json(&coffee_coach(
        &[
            "review",
            "--format",
            "json",
            "--recipient",
            "tax advisor",
            draft,
        ],
        None,
    ));
    assert_eq!(without["checks"][1]["status"], "passed");
    assert_eq!(with["checks"][1]["status"], "failed");
}

#[test]
fn text_output_is_a_line_per_check_then_the_better_phrasing() {
    let out = coffee_coach(
        &["review", "-"],
        Some("Can I pick your brain over coffee sometime?"),
    );
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("FAILED      not-free-advice"), "{text}");
    assert!(text.contains("\"pick your brain\""), "{text}");
    assert!(text.contains("Better phrasing:"), "{text}");
}

#[test]
fn drafts_come_from_a_file_or_standard_input() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("draft.txt");
    std::fs::write(&path, "Tell me about product management over coffee?").expect("write");
    let out = coffee_coach(
        &[
            "review",
            "--format",
            "json",
            "--file",
            path.to_str().expect("utf-8"),
        ],
        None,
    );
    assert_eq!(json(&out)["checks"][2]["status"], "failed");
    let out = coffee_coach(
        &["review", "--format", "json", "--file", "-"],
        Some("Tell me about PMs over coffee?"),
    );
    assert_eq!(json(&out)["checks"][2]["status"], "failed");
}

#[test]
fn fail_on_failed_exits_1_only_when_a_check_failed() {
    let bad = coffee_coach(
        &["review", "--fail-on-failed", "Can I pick your brain?"],
        None,
    );
    assert_eq!(bad.status.code(), Some(1));
    let good = coffee_coach(
        &[
            "review",
            "--fail-on-failed",
            "Hi Tom, quick one: could you tell me whether the SQL test at your company is timed? I've done two other take-homes this month and I'm happy to share my notes on them. Thanks either way!",
        ],
        None,
    );
    assert_eq!(good.status.code(), Some(0));
}

#[test]
fn bad_usage_and_unreadable_input_exit_2_with_a_message() {
    let out = coffee_coach(&["review", "--file", "/no/such/draft.txt"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read /no/such/draft.txt"));
    let out = coffee_coach(&["review", "--format", "yaml", "hi"], None);
    assert_eq!(out.status.code(), Some(2));
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("binary");
    std::fs::write(&path, [0xff, 0xfe, 0x00]).expect("write");
    let out = coffee_coach(&["review", "--file", path.to_str().expect("utf-8")], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not UTF-8"));
}

#[test]
fn an_empty_draft_says_there_is_nothing_to_review() {
    let out = coffee_coach(&["review", "--format", "json", "   "], None);
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out);
    assert_eq!(v["empty"], true);
    assert!(v["checks"]
        .as_array()
        .is_some_and(|c| c.len() == 5 && c.iter().all(|c| c["status"] == "not_judged")));
}

#[test]
fn check_config_accepts_ours_and_names_file_and_check_on_errors() {
    let ok = coffee_coach(
        &["check-config", config_dir().to_str().expect("utf-8")],
        None,
    );
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );

    let dir = tempfile::tempdir().expect("tempdir");
    copy_dir(&config_dir(), dir.path());
    let check = dir.path().join("checks/not-searchable.toml");
    let text = std::fs::read_to_string(&check)
        .expect("read")
        .replace("@searchable", "(unclosed");
    std::fs::write(&check, text).expect("write");
    let bad = coffee_coach(&["check-config", dir.path().to_str().expect("utf-8")], None);
    assert_ne!(bad.status.code(), Some(0));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(
        err.contains("not-searchable.toml") && err.contains("`not-searchable`"),
        "{err}"
    );
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir").flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

#[test]
fn issue_10_the_binary_runs_from_an_empty_folder_on_its_built_in_config() {
    let empty = tempfile::tempdir().expect("a temp dir");
    let out = Command::new(env!("CARGO_BIN_EXE_coffee-coach"))
        .args([
            "review",
            "--format",
            "json",
            "Can I pick your brain over coffee?",
        ])
        .current_dir(empty.path())
        .env_remove("COFFEE_COACH_CONFIG")
        .output()
        .expect("the binary runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out);
    assert_eq!(v["checks"][1]["id"], "not-free-advice");
    assert_eq!(v["checks"][1]["status"], "failed");
}

#[test]
fn issue_10_config_export_writes_the_defaults_and_config_uses_an_edited_copy() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let target = dir.path().join("my-config");
    let target_str = target.to_str().expect("utf-8");
    let out = coffee_coach(&["config", "export", target_str], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(target.join("checks/reason-for-them.toml").is_file());
    // A second export into the same folder refuses to overwrite the member's edits.
    assert_eq!(
        coffee_coach(&["config", "export", target_str], None)
            .status
            .code(),
        Some(1)
    );
    let ok = coffee_coach(&["--config", target_str, "check-config"], None);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    // An edited copy is what the review reads: a community renames a check's title.
    let path = target.join("checks/not-free-advice.toml");
    let text = std::fs::read_to_string(&path).expect("read");
    let edited = text.replace(
        "title = \"Not free advice in disguise\"",
        "title = \"Paid help, asked for free\"",
    );
    std::fs::write(&path, edited).expect("write");
    let out = coffee_coach(
        &[
            "--config",
            target_str,
            "review",
            "--format",
            "json",
            "Can I pick your brain?",
        ],
        None,
    );
    assert_eq!(
        json(&out)["checks"][1]["title"],
        "Paid help, asked for free"
    );
}

#[test]
fn check_config_names_phrasing_rules_that_point_at_nothing() {
    let dir = tempfile::tempdir().expect("a temp dir");
    copy_dir(&config_dir(), dir.path());
    let path = dir.path().join("rewrite.toml");
    let text = std::fs::read_to_string(&path).expect("read");
    let broken = text
        .replace("check = \"not-free-advice\"", "check = \"not-a-check\"")
        .replace(
            "vouch-from-a-stranger = \"vouch\"",
            "no-such-rule = \"vouch\"",
        );
    std::fs::write(&path, broken).expect("write");
    let out = coffee_coach(&["check-config", dir.path().to_str().expect("utf-8")], None);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unknown check `not-a-check`"), "{err}");
    assert!(err.contains("unknown rule `no-such-rule`"), "{err}");
    assert!(err.contains("rewrite.toml"), "{err}");
}
