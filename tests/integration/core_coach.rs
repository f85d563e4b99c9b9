//! The DM coaching conversation through its public API: the shipped script, each step and its
//! draft, `back`, `keep`, `restart` and `cancel`, bad input, expiry, and the script's errors.

use chrono::{DateTime, Duration, Utc};
use coffee_coach::core::coach::{
    expired, is_start_command, start, step, Answers, CoachScript, CoachState, Reply, Step,
    MAX_ANSWER_CHARS,
};

const SCRIPT_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/config/coach.toml");

fn script() -> CoachScript {
    CoachScript::load(SCRIPT_PATH).unwrap()
}

fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2024-05-01T10:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

/// Runs a conversation; panics if it ends before the last input.
#[track_caller]
fn run(inputs: &[&str]) -> (Option<CoachState>, Reply) {
    let script = script();
    let (mut state, mut reply) = start(&script, t0());
    for (i, input) in inputs.iter().enumerate() {
        let (next, r) = step(
            &script,
            state,
            input,
            t0() + Duration::minutes(i as i64 + 1),
        );
        reply = r;
        match next {
            Some(s) => state = s,
            None => {
                assert_eq!(i + 1, inputs.len(), "ended early at {input:?}: {reply:?}");
                return (None, reply);
            }
        }
    }
    (Some(state), reply)
}

#[track_caller]
fn finished(inputs: &[&str]) -> (String, String, String, bool) {
    match run(inputs) {
        (
            None,
            Reply::Finished {
                intro_text,
                draft,
                recipient,
                small_favour,
            },
        ) => (intro_text, draft, recipient, small_favour),
        other => panic!("not finished: {other:?}"),
    }
}

#[track_caller]
fn prompt_text(reply: &Reply) -> &str {
    match reply {
        Reply::Prompt { text } => text,
        other => panic!("expected a prompt, got {other:?}"),
    }
}

#[track_caller]
fn hint_text(reply: &Reply) -> &str {
    match reply {
        Reply::Hint { text } => text,
        other => panic!("expected a hint, got {other:?}"),
    }
}

const WHO: &str = "a staff engineer at a payments company; I saw her talk at RustConf";
const BRING: &str = "I can share the load-test results from our migration to async Rust.";
const PUBLISHED: &str =
    "talk on retry storms, and it left me wondering how you size the retry budget";

#[test]
fn an_unknown_need_keeps_the_step_and_lists_the_choices() {
    let (state, reply) = run(&[WHO, "banana"]);
    assert_eq!(state.expect("still going").step, Step::Need);
    assert!(
        hint_text(&reply).contains("number from 1 to 4"),
        "{reply:?}"
    );
}

#[track_caller]
fn assert_reads_well(draft: &str) {
    let lower = draft.to_lowercase();
    for banned in [
        "pick your brain",
        "tell me about",
        "would love to hear more",
        "mentor me",
        "recommendation",
        "{",
        "}",
    ] {
        assert!(
            !lower.contains(banned),
            "draft contains {banned:?}:\n{draft}"
        );
    }
    let words = draft.split_whitespace().count();
    assert!((30..=125).contains(&words), "{words} words:\n{draft}");
    assert!(lower.contains("no worries"), "no easy out:\n{draft}");
}

#[test]
fn the_shipped_script_loads() {
    script();
}

#[test]
fn start_asks_who_with_progress() {
    let (state, reply) = start(&script(), t0());
    assert_eq!(state.step, Step::Who);
    assert_eq!(state.started_at, t0());
    assert!(prompt_text(&reply).starts_with("Step 1 of 5\n"));
}

#[test]
fn happy_path_exchange_builds_a_short_coffee_request() {
    let (intro, draft, recipient, small) = finished(&[
        WHO,
        "4",
        "how small teams run on-call without burning out.",
        BRING,
        PUBLISHED,
    ]);
    assert!(!small);
    assert_eq!(recipient, WHO);
    assert!(intro.contains("exchange"));
    assert!(draft
        .contains("compare notes with you on how small teams run on-call without burning out."));
    assert!(draft
        .contains("I can share the load-test results from our migration to async Rust, in case"));
    assert!(draft.contains(
        "I came across your talk on retry storms, and it left me wondering how you size the retry budget."
    ));
    assert!(draft.contains("20-minute call next week"));
    assert_reads_well(&draft);
}

#[test]
fn happy_path_intro_asks_for_the_introduction_directly() {
    let (intro, draft, _, small) = finished(&[
        WHO,
        "an intro",
        "Could you introduce me to Dana on your platform team?",
        BRING,
        "skip",
    ]);
    assert!(small);
    assert!(intro.contains("small favour"));
    assert!(draft.contains("could you introduce me to Dana on your platform team?"));
    assert!(draft.contains("couple of minutes"));
    assert!(!draft.contains("came across"));
    assert!(!draft.to_lowercase().contains("call"));
    assert!(!draft.to_lowercase().contains("coffee"));
    assert_reads_well(&draft);
}

#[test]
fn happy_path_question_keeps_the_question_verbatim() {
    let (_, draft, _, small) = finished(&[
        WHO,
        "2",
        "How do you size the retry budget for **bursty** traffic",
        BRING,
        PUBLISHED,
    ]);
    assert!(small);
    assert!(draft.contains("How do you size the retry budget for **bursty** traffic?"));
    assert_reads_well(&draft);
}

#[test]
fn happy_path_feedback_and_skipped_offer_leaves_a_placeholder() {
    let (intro, draft, _, small) = finished(&[
        WHO,
        "feedback please",
        "the abstract of my talk proposal: is the problem clear?",
        "nothing",
        "none",
    ]);
    assert!(small);
    assert!(draft.contains("feedback on the abstract of my talk proposal: is the problem clear?"));
    assert!(draft.contains("[what you can offer them"));
    assert!(intro.contains("replace the [placeholder]"));
    assert_reads_well(&draft);
}

#[test]
fn back_at_step_two_returns_to_step_one_showing_the_previous_answer() {
    let (state, reply) = run(&[WHO, "back"]);
    let state = state.unwrap();
    assert_eq!(state.step, Step::Who);
    assert_eq!(state.answers.who.as_deref(), Some(WHO));
    let text = prompt_text(&reply);
    assert!(text.starts_with("Step 1 of 5"));
    assert!(text.contains(WHO));
    // `keep` moves on with the same answer; a new answer replaces it.
    let (state, reply) = run(&[WHO, "back", "keep"]);
    assert_eq!(state.unwrap().step, Step::Need);
    assert!(prompt_text(&reply).starts_with("Step 2 of 5"));
    let (state, _) = run(&[WHO, "Back ", "a product designer in fintech"]);
    assert_eq!(
        state.unwrap().answers.who.as_deref(),
        Some("a product designer in fintech")
    );
}

#[test]
fn back_at_step_one_keeps_the_step_with_a_hint() {
    let (state, reply) = run(&["back"]);
    assert_eq!(state.unwrap().step, Step::Who);
    assert!(hint_text(&reply).contains("first step"));
}

#[test]
fn changing_the_need_after_back_asks_the_new_detail() {
    let (state, reply) = run(&[WHO, "1", "Dana", "back", "back", "2"]);
    let state = state.unwrap();
    assert_eq!(state.step, Step::Detail);
    assert_eq!(state.answers.detail, None);
    assert!(prompt_text(&reply).contains("one question"));
    // The same need keeps the detail.
    let (state, _) = run(&[WHO, "1", "Dana", "back", "back", "intro"]);
    assert_eq!(state.unwrap().answers.detail.as_deref(), Some("Dana"));
}

#[test]
fn cancel_works_at_every_step() {
    let answers = [WHO, "4", "on-call", BRING];
    for n in 0..=answers.len() {
        for word in ["cancel", "STOP", "  Cancel  "] {
            let mut inputs: Vec<&str> = answers[..n].to_vec();
            inputs.push(word);
            let (state, reply) = run(&inputs);
            assert!(state.is_none(), "{inputs:?}");
            assert!(matches!(reply, Reply::Cancelled { .. }), "{inputs:?}");
        }
    }
}

#[test]
fn restart_clears_everything() {
    let (state, reply) = run(&[WHO, "4", "on-call", "restart"]);
    let state = state.unwrap();
    assert_eq!(state.step, Step::Who);
    assert_eq!(state.answers, Answers::default());
    assert_eq!(state.started_at, state.updated_at);
    let text = prompt_text(&reply);
    assert!(text.starts_with("Starting over"));
    assert!(text.contains("Step 1 of 5"));
    let (state, _) = run(&[WHO, "coach"]);
    assert_eq!(state.unwrap().step, Step::Who);
}

#[test]
fn bad_inputs_keep_the_step_with_a_hint() {
    let long = "x".repeat(MAX_ANSWER_CHARS + 1);
    for (prefix, expected) in [
        (&[][..], Step::Who),
        (&[WHO][..], Step::Need),
        (&[WHO, "2"][..], Step::Detail),
        (&[WHO, "2", "Why?"][..], Step::Bring),
        (&[WHO, "2", "Why?", BRING][..], Step::Published),
    ] {
        for bad in ["", "   ", long.as_str()] {
            let mut inputs = prefix.to_vec();
            inputs.push(bad);
            let (state, reply) = run(&inputs);
            assert_eq!(state.unwrap().step, expected, "{inputs:?}");
            hint_text(&reply);
        }
    }
    // Exactly the limit is fine.
    let (state, _) = run(&[&"y".repeat(MAX_ANSWER_CHARS)]);
    assert_eq!(state.unwrap().step, Step::Need);
    // Required steps can't be skipped.
    let (state, reply) = run(&["skip"]);
    assert_eq!(state.unwrap().step, Step::Who);
    assert!(hint_text(&reply).contains("can't be skipped"));
    // `keep` with nothing to keep is just an answer at steps 1 and 3, and unknown at step 2.
    let (state, reply) = run(&[WHO, "keep"]);
    assert_eq!(state.unwrap().step, Step::Need);
    hint_text(&reply);
}

#[test]
fn updated_at_moves_and_expiry_is_24_hours() {
    let script = script();
    let (state, _) = start(&script, t0());
    let later = t0() + Duration::hours(3);
    let (state, _) = step(&script, state, WHO, later);
    let state = state.unwrap();
    assert_eq!(state.started_at, t0());
    assert_eq!(state.updated_at, later);
    assert!(!expired(
        &state,
        later + Duration::hours(24) - Duration::seconds(1)
    ));
    assert!(expired(&state, later + Duration::hours(24)));
    assert!(!script.expired_text().is_empty());
}

#[test]
fn state_round_trips_through_json() {
    let (state, _) = run(&[WHO, "feedback", "my CV summary", "skip"]);
    let state = state.unwrap();
    let json = serde_json::to_string(&state).unwrap();
    assert!(json.contains("\"step\":\"published\""), "{json}");
    let back: CoachState = serde_json::from_str(&json).unwrap();
    assert_eq!(back, state);
}

#[test]
fn a_state_ahead_of_its_answers_is_moved_back() {
    let script = script();
    let (mut state, _) = start(&script, t0());
    state.step = Step::Published;
    let (state, reply) = step(&script, state, "", t0());
    assert_eq!(state.unwrap().step, Step::Who);
    hint_text(&reply);
}

#[test]
fn member_text_is_not_expanded_as_a_placeholder() {
    let (_, draft, _, _) = finished(&[WHO, "4", "{bring_sentence} and {detail}", BRING, "skip"]);
    assert!(draft.contains("on {bring_sentence} and {detail}."));
}

#[test]
fn script_errors_name_the_file_and_the_item() {
    let text = std::fs::read_to_string(SCRIPT_PATH).unwrap();
    let unknown_key = text.replace("[prompts]\n", "[prompts]\ncolour = \"red\"\n");
    let err = CoachScript::from_str(&unknown_key, "coach.toml")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("coach.toml") && err.contains("colour"),
        "{err}"
    );
    let bad_placeholder = text.replace("Step {n} of {total}", "Step {n} of {all}");
    let err = CoachScript::from_str(&bad_placeholder, "coach.toml")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("coach.toml") && err.contains("progress") && err.contains("{all}"),
        "{err}"
    );
    let missing = text.replace("could you introduce me to {detail}?", "could you help?");
    let err = CoachScript::from_str(&missing, "coach.toml")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("needs.intro.template") && err.contains("{detail}"),
        "{err}"
    );
    let empty = text.replace("label = \"one question\"", "label = \"\"");
    let err = CoachScript::from_str(&empty, "coach.toml")
        .unwrap_err()
        .to_string();
    assert!(err.contains("needs.question.label"), "{err}");
    let missing_key = text.replace("footer = ", "# footer = ");
    let err = CoachScript::from_str(&missing_key, "coach.toml")
        .unwrap_err()
        .to_string();
    assert!(err.contains("footer"), "{err}");
    let err = CoachScript::load("/nonexistent/coach.toml")
        .unwrap_err()
        .to_string();
    assert!(err.contains("cannot read"), "{err}");
}

#[test]
fn issue_11_every_script_problem_is_reported_at_once_with_its_line() {
    let text = std::fs::read_to_string(SCRIPT_PATH).unwrap();
    let line_of = |needle: &str| {
        let at = text.find(needle).expect("in coach.toml");
        text[..at].matches('\n').count() + 1
    };
    let broken = text
        .replace("Step {n} of {total}", "Step {n} of {all}")
        .replace("label = \"one question\"", "label = \"\"");
    let err = CoachScript::from_str(&broken, "coach.toml")
        .unwrap_err()
        .to_string();
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    let progress = format!(
        "coach.toml:{}: progress: unknown placeholder `{{all}}`",
        line_of("Step {n}")
    );
    let label = format!(
        "coach.toml:{}: needs.question.label: is empty",
        line_of("label = \"one question\"")
    );
    assert!(lines[0].starts_with(&progress), "{err}");
    assert_eq!(lines[1], label, "{err}");
    let unknown_key = text.replace("[prompts]\n", "[prompts]\ncolour = \"red\"\n");
    let err = CoachScript::from_str(&unknown_key, "coach.toml")
        .unwrap_err()
        .to_string();
    let at = format!(
        "coach.toml:{}: unknown field `colour`",
        line_of("[prompts]") + 1
    );
    assert!(err.starts_with(&at), "{err}");
}

#[test]
fn start_command_is_recognised() {
    assert!(is_start_command(" Coach "));
    assert!(is_start_command("/coach"));
    assert!(!is_start_command("coaching"));
}
