//! Unit tests of the coaching machine that need its private parts: parsing the need, the
//! fragments of the draft, and the state invariants under random input. Conversations through
//! the public API are in `tests/integration/core_coach.rs`.

use super::script::{end_as_question, fragment};
use super::*;
use proptest::prelude::*;

const SCRIPT_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/config/coach.toml");

fn script() -> CoachScript {
    CoachScript::load(SCRIPT_PATH).unwrap()
}

fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2024-05-01T10:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

#[test]
fn need_accepts_numbers_and_words_and_rejects_unknown_choices() {
    let s = script();
    assert_eq!(s.parse_need("1"), Some(Need::Intro));
    assert_eq!(s.parse_need("3."), Some(Need::Feedback));
    assert_eq!(s.parse_need("one question"), Some(Need::Question));
    assert_eq!(s.parse_need("a real conversation"), Some(Need::Exchange));
    assert_eq!(s.parse_need("5"), None);
    assert_eq!(s.parse_need("a task"), None, "`ask` must start a word");
    assert_eq!(s.parse_need("feedback over coffee"), None, "ambiguous");
}

#[test]
fn fragments_drop_repeated_openings_and_one_final_stop() {
    let strip = vec!["i can".to_string()];
    assert_eq!(fragment("I can share notes.", &strip), "share notes");
    assert_eq!(fragment("I candidly share", &strip), "I candidly share");
    assert_eq!(fragment("I can", &strip), "I can");
    assert_eq!(fragment("wait...", &strip), "wait...");
    assert_eq!(fragment("émigré café!", &strip), "émigré café");
    assert_eq!(end_as_question("Why"), "Why?");
    assert_eq!(end_as_question("Why?"), "Why?");
}

fn input() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("back".to_string()),
        Just("cancel".to_string()),
        Just("restart".to_string()),
        Just("keep".to_string()),
        Just("skip".to_string()),
        Just(String::new()),
        (1u8..=6).prop_map(|n| n.to_string()),
        Just("feedback".to_string()),
        Just("x".repeat(MAX_ANSWER_CHARS + 1)),
        any::<String>(),
        "[a-zA-Z .?{}]{0,40}",
    ]
}

proptest! {
    #[test]
    fn random_inputs_never_panic_and_stay_valid(inputs in proptest::collection::vec(input(), 0..30)) {
        let script = script();
        let (mut state, _) = start(&script, t0());
        for input in &inputs {
            let (next, reply) = step(&script, state.clone(), input, t0());
            match next {
                Some(s) => {
                    prop_assert!(!matches!(reply, Reply::Finished { .. } | Reply::Cancelled { .. }), "ended but kept a state");
                    if let Some(missing) = s.answers.first_missing() {
                        prop_assert!(s.step <= missing);
                    }
                    if s.step == Step::Detail {
                        prop_assert!(s.answers.need.is_some());
                    }
                    state = s;
                }
                None => {
                    prop_assert!(matches!(reply, Reply::Finished { .. } | Reply::Cancelled { .. }), "no state but {:?}", reply);
                    return Ok(());
                }
            }
        }
        // From wherever it stopped, plain answers finish within five more messages.
        let answers = ["someone", "4", "a topic", "share my notes", "skip"];
        for _ in 0..5 {
            let answer = answers[usize::from(state.step.number() - 1)];
            match step(&script, state.clone(), answer, t0()) {
                (Some(s), _) => state = s,
                (None, reply) => {
                    prop_assert!(matches!(reply, Reply::Finished { .. }), "expected a draft, got {:?}", reply);
                    return Ok(());
                }
            }
        }
        prop_assert!(false, "did not finish from {:?}", state);
    }
}
