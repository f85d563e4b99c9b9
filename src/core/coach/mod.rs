//! The DM coaching conversation, as a pure state machine.
//!
//! A [`CoachScript`] (loaded strictly from `config/coach.toml`) holds every prompt, hint and
//! draft template, so a community can reword the conversation without touching code. A
//! [`CoachState`] is where one member is: the current [`Step`], their [`Answers`] so far, and
//! when the conversation started and last moved; the adapter stores it as JSON between messages.
//! [`start`] opens a conversation and [`step`] feeds it one message, returning the next state
//! (`None` once it is cancelled or finished) and a [`Reply`] to send. The steps are: who they
//! want to reach, what they really need ([`Need`]: an introduction, one question, feedback on
//! one thing, or a real exchange), the detail of that need, what they can bring, and what the
//! person already published. A small favour becomes a direct favour request; an exchange
//! becomes a short, time-bounded coffee request. `back`, `keep`, `restart` and `cancel` work at
//! every step; anything unexpected gets a [`Reply::Hint`] and keeps the step. Nothing here reads
//! the clock: `now` is always an argument.

mod script;
mod state;
#[cfg(test)]
mod tests;

use chrono::{DateTime, Duration, Utc};

pub use script::CoachScript;
pub use state::{Answer, Answers, CoachState, Need, Reply, Step, TOTAL_STEPS};

use script::fill;

/// A conversation untouched for this long is over (see [`expired`]).
pub const EXPIRY: Duration = Duration::hours(24);

/// The longest answer accepted, in characters.
pub const MAX_ANSWER_CHARS: usize = 500;

const CANCEL_WORDS: [&str; 5] = ["cancel", "stop", "quit", "exit", "/cancel"];
const RESTART_WORDS: [&str; 5] = ["restart", "start over", "/restart", "coach", "/coach"];
const BACK_WORDS: [&str; 3] = ["back", "go back", "/back"];
const KEEP_WORDS: [&str; 3] = ["keep", "same", "keep it"];
const SKIP_WORDS: [&str; 9] = [
    "skip", "nothing", "none", "n/a", "na", "-", "no", "pass", "nope",
];

/// Whether a DM opens a coaching conversation (`coach` or `/coach`, any case).
pub fn is_start_command(input: &str) -> bool {
    matches!(input.trim().to_lowercase().as_str(), "coach" | "/coach")
}

/// Opens a conversation at step 1.
pub fn start(script: &CoachScript, now: DateTime<Utc>) -> (CoachState, Reply) {
    let state = CoachState {
        step: Step::Who,
        answers: Answers::default(),
        started_at: now,
        updated_at: now,
    };
    let reply = Reply::Prompt {
        text: script.prompt(&state),
    };
    (state, reply)
}

/// Whether a conversation has been quiet for [`EXPIRY`] or longer. The adapter checks this
/// before [`step`]: an expired state is dropped (say [`CoachScript::expired_text`]) and the
/// message is handled as a fresh DM.
pub fn expired(state: &CoachState, now: DateTime<Utc>) -> bool {
    now - state.updated_at >= EXPIRY
}

/// Feeds one message of the member to the conversation.
///
/// Returns the state to store (`None` when the conversation ended: cancelled or finished) and
/// the reply to send. Never panics; an unusable answer keeps the step and returns a hint.
pub fn step(
    script: &CoachScript,
    state: CoachState,
    input: &str,
    now: DateTime<Utc>,
) -> (Option<CoachState>, Reply) {
    let mut state = normalise(state);
    state.updated_at = now;
    let text = input.trim();
    let lower = text.to_lowercase();
    let command = lower.as_str();

    if CANCEL_WORDS.contains(&command) {
        return (
            None,
            Reply::Cancelled {
                text: script.commands.cancelled.clone(),
            },
        );
    }
    if RESTART_WORDS.contains(&command) {
        let (fresh, reply) = start(script, now);
        let text = match reply {
            Reply::Prompt { text } => format!("{}\n\n{text}", script.commands.restarted),
            other => return (Some(fresh), other),
        };
        return (Some(fresh), Reply::Prompt { text });
    }
    if BACK_WORDS.contains(&command) {
        return match state.step.previous() {
            Some(previous) => {
                state.step = previous;
                let text = script.prompt(&state);
                (Some(state), Reply::Prompt { text })
            }
            None => {
                let reply = script.hint(&script.commands.back_at_first, &state);
                (Some(state), reply)
            }
        };
    }
    if KEEP_WORDS.contains(&command) && script.previous_answer(&state).is_some() {
        return advance(script, state);
    }
    if text.is_empty() {
        let reply = script.hint(&script.hints.empty, &state);
        return (Some(state), reply);
    }
    if text.chars().count() > MAX_ANSWER_CHARS {
        let max = MAX_ANSWER_CHARS.to_string();
        let hint = fill(&script.hints.too_long, &[("max", &max)]);
        let reply = script.hint(&hint, &state);
        return (Some(state), reply);
    }
    let skipped = SKIP_WORDS.contains(&command);
    match state.step {
        Step::Who | Step::Detail if skipped => {
            let reply = script.hint(&script.hints.required, &state);
            return (Some(state), reply);
        }
        Step::Who => state.answers.who = Some(text.to_string()),
        Step::Detail => state.answers.detail = Some(text.to_string()),
        Step::Need => match script.parse_need(command) {
            Some(need) => {
                if state.answers.need != Some(need) {
                    // The detail question depends on the need.
                    state.answers.detail = None;
                }
                state.answers.need = Some(need);
            }
            None => {
                let reply = script.hint(&script.hints.unknown_need, &state);
                return (Some(state), reply);
            }
        },
        Step::Bring => state.answers.bring = Some(given_or_skipped(text, skipped)),
        Step::Published => state.answers.published = Some(given_or_skipped(text, skipped)),
    }
    advance(script, state)
}

/// Moves to the step after the current one, or finishes.
fn advance(script: &CoachScript, mut state: CoachState) -> (Option<CoachState>, Reply) {
    let next = match state.step {
        Step::Who => Some(Step::Need),
        Step::Need => Some(Step::Detail),
        Step::Detail => Some(Step::Bring),
        Step::Bring => Some(Step::Published),
        Step::Published => None,
    };
    match next {
        Some(next) => {
            state.step = next;
            let state = normalise(state);
            let text = script.prompt(&state);
            (Some(state), Reply::Prompt { text })
        }
        None => match script.finish(&state.answers) {
            Some(reply) => (None, reply),
            None => {
                // Unreachable after `normalise`; fall back to asking the first missing step.
                let state = normalise(state);
                let text = script.prompt(&state);
                (Some(state), Reply::Prompt { text })
            }
        },
    }
}

/// Moves a state that is ahead of its answers (say, restored from a hand-edited store) back to
/// the first missing answer.
fn normalise(mut state: CoachState) -> CoachState {
    if let Some(missing) = state.answers.first_missing() {
        if state.step > missing {
            state.step = missing;
        }
    }
    state
}

fn given_or_skipped(text: &str, skipped: bool) -> Answer {
    if skipped {
        Answer::Skipped
    } else {
        Answer::Given(text.to_string())
    }
}
