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

use std::path::Path;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// A conversation untouched for this long is over (see [`expired`]).
pub const EXPIRY: Duration = Duration::hours(24);

/// The longest answer accepted, in characters.
pub const MAX_ANSWER_CHARS: usize = 500;

/// How many prompts a conversation has.
pub const TOTAL_STEPS: u8 = 5;

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

/// Everything that can go wrong while loading a coaching script. Every variant names the file,
/// and the item where there is one.
#[derive(Debug, thiserror::Error)]
pub enum CoachScriptError {
    /// The file could not be read.
    #[error("{file}: cannot read the coaching script: {source}")]
    Read {
        file: String,
        #[source]
        source: std::io::Error,
    },
    /// Invalid TOML, an unknown or missing key, or a wrong type.
    #[error("{file}: {message}")]
    Syntax { file: String, message: String },
    /// A text is empty.
    #[error("{file}: `{item}` is empty")]
    Empty { file: String, item: String },
    /// A text uses a placeholder that is not available there, or lacks a required one.
    #[error("{file}: `{item}`: {message}")]
    Placeholder {
        file: String,
        item: String,
        message: String,
    },
}

/// What the member really needs from the person they want to reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Need {
    /// An introduction to someone they know (a small favour).
    Intro,
    /// An answer to one question (a small favour).
    Question,
    /// Feedback on one specific thing (a small favour).
    Feedback,
    /// A real two-way conversation: the one case where a meeting is the right ask.
    Exchange,
}

impl Need {
    /// All needs, in the order of the numbered choices (1-4).
    pub const ALL: [Need; 4] = [Need::Intro, Need::Question, Need::Feedback, Need::Exchange];

    /// A favour that takes a couple of minutes, to be asked for directly instead of a meeting.
    pub fn is_small_favour(self) -> bool {
        !matches!(self, Need::Exchange)
    }
}

/// Where a conversation is. The order is the order of the prompts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Step {
    /// Who they want to reach: role and how they know of them.
    Who,
    /// What they really need ([`Need`]).
    Need,
    /// The detail of the need: to whom, which question, feedback on what, or which topic.
    Detail,
    /// What they can bring the other person.
    Bring,
    /// What the person already published or said, and what it left open.
    Published,
}

impl Step {
    /// 1-based position, for "Step n of 5".
    pub fn number(self) -> u8 {
        match self {
            Step::Who => 1,
            Step::Need => 2,
            Step::Detail => 3,
            Step::Bring => 4,
            Step::Published => 5,
        }
    }

    fn previous(self) -> Option<Step> {
        match self {
            Step::Who => None,
            Step::Need => Some(Step::Who),
            Step::Detail => Some(Step::Need),
            Step::Bring => Some(Step::Detail),
            Step::Published => Some(Step::Bring),
        }
    }
}

/// An answer that may be skipped on purpose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Answer {
    /// The member's words, trimmed, otherwise verbatim.
    Given(String),
    /// The member sent `skip` (or `nothing`, `none`...).
    Skipped,
}

/// The answers collected so far; later steps may hold answers kept from before a `back`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answers {
    /// Step 1, verbatim: becomes the review's `recipient`.
    pub who: Option<String>,
    /// Step 2.
    pub need: Option<Need>,
    /// Step 3, verbatim.
    pub detail: Option<String>,
    /// Step 4.
    pub bring: Option<Answer>,
    /// Step 5.
    pub published: Option<Answer>,
}

impl Answers {
    /// The first step whose answer is missing (the furthest a state may validly be).
    fn first_missing(&self) -> Option<Step> {
        if self.who.is_none() {
            Some(Step::Who)
        } else if self.need.is_none() {
            Some(Step::Need)
        } else if self.detail.is_none() {
            Some(Step::Detail)
        } else if self.bring.is_none() {
            Some(Step::Bring)
        } else if self.published.is_none() {
            Some(Step::Published)
        } else {
            None
        }
    }
}

/// One member's coaching conversation, stored as JSON by the adapter between messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoachState {
    /// The question the member is answering now.
    pub step: Step,
    /// What they answered so far.
    pub answers: Answers,
    /// When the conversation (or its last restart) began.
    pub started_at: DateTime<Utc>,
    /// When the member last sent something; [`expired`] counts from here.
    pub updated_at: DateTime<Utc>,
}

/// What the bot says next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// The next question, with its progress line ("Step 2 of 5").
    Prompt { text: String },
    /// The answer could not be used; the step stays, and the text repeats its question.
    Hint { text: String },
    /// The member cancelled; the conversation is over.
    Cancelled { text: String },
    /// The conversation is over and produced a draft. The adapter reviews `draft` with
    /// `recipient` and shows the review and the better phrasing.
    Finished {
        /// Says what kind of request was built and why (a favour, or an exchange).
        intro_text: String,
        /// The assembled request; the member's answers appear verbatim.
        draft: String,
        /// Who they are writing to, as the member described them in step 1.
        recipient: String,
        /// True when the need was an introduction, one question or feedback on one thing.
        small_favour: bool,
    },
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Prompts {
    who: String,
    need: String,
    bring: String,
    published: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Hints {
    empty: String,
    too_long: String,
    unknown_need: String,
    required: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Commands {
    cancelled: String,
    restarted: String,
    back_at_first: String,
    previous_answer: String,
    expired: String,
    footer: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct NeedScript {
    label: String,
    keywords: Vec<String>,
    detail_prompt: String,
    #[serde(default)]
    detail_strip: Vec<String>,
    intro_text: String,
    template: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Needs {
    intro: NeedScript,
    question: NeedScript,
    feedback: NeedScript,
    exchange: NeedScript,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct DraftTexts {
    published_sentence: String,
    #[serde(default)]
    published_strip: Vec<String>,
    bring_sentence: String,
    #[serde(default)]
    bring_strip: Vec<String>,
    bring_placeholder: String,
    placeholder_note: String,
}

/// Every text of the coaching conversation, loaded from `config/coach.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoachScript {
    progress: String,
    prompts: Prompts,
    hints: Hints,
    commands: Commands,
    needs: Needs,
    draft: DraftTexts,
}

impl CoachScript {
    /// Reads and validates a coaching script.
    pub fn load(path: impl AsRef<Path>) -> Result<CoachScript, CoachScriptError> {
        let path = path.as_ref();
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| CoachScriptError::Read {
            file: file.clone(),
            source,
        })?;
        CoachScript::from_str(&text, &file)
    }

    /// Parses and validates a coaching script from TOML text; `source` names the file in errors.
    pub fn from_str(text: &str, source: &str) -> Result<CoachScript, CoachScriptError> {
        let script: CoachScript =
            toml::from_str(text).map_err(|e: toml::de::Error| CoachScriptError::Syntax {
                file: source.to_string(),
                message: describe_toml_error(text, &e),
            })?;
        script.validate(source)?;
        Ok(script)
    }

    /// The message for a conversation that [`expired`].
    pub fn expired_text(&self) -> &str {
        &self.commands.expired
    }

    fn need(&self, need: Need) -> &NeedScript {
        match need {
            Need::Intro => &self.needs.intro,
            Need::Question => &self.needs.question,
            Need::Feedback => &self.needs.feedback,
            Need::Exchange => &self.needs.exchange,
        }
    }

    fn validate(&self, file: &str) -> Result<(), CoachScriptError> {
        // (item, text, allowed placeholders, required placeholders)
        let mut texts: Vec<(String, &str, &[&str], &[&str])> = vec![
            ("progress".into(), &self.progress, &["n", "total"], &[]),
            ("prompts.who".into(), &self.prompts.who, &[], &[]),
            ("prompts.need".into(), &self.prompts.need, &[], &[]),
            ("prompts.bring".into(), &self.prompts.bring, &[], &[]),
            (
                "prompts.published".into(),
                &self.prompts.published,
                &[],
                &[],
            ),
            ("hints.empty".into(), &self.hints.empty, &[], &[]),
            ("hints.too_long".into(), &self.hints.too_long, &["max"], &[]),
            (
                "hints.unknown_need".into(),
                &self.hints.unknown_need,
                &[],
                &[],
            ),
            ("hints.required".into(), &self.hints.required, &[], &[]),
            (
                "commands.cancelled".into(),
                &self.commands.cancelled,
                &[],
                &[],
            ),
            (
                "commands.restarted".into(),
                &self.commands.restarted,
                &[],
                &[],
            ),
            (
                "commands.back_at_first".into(),
                &self.commands.back_at_first,
                &[],
                &[],
            ),
            (
                "commands.previous_answer".into(),
                &self.commands.previous_answer,
                &["answer"],
                &["answer"],
            ),
            ("commands.expired".into(), &self.commands.expired, &[], &[]),
            ("commands.footer".into(), &self.commands.footer, &[], &[]),
            (
                "draft.published_sentence".into(),
                &self.draft.published_sentence,
                &["published"],
                &["published"],
            ),
            (
                "draft.bring_sentence".into(),
                &self.draft.bring_sentence,
                &["bring"],
                &["bring"],
            ),
            (
                "draft.bring_placeholder".into(),
                &self.draft.bring_placeholder,
                &[],
                &[],
            ),
            (
                "draft.placeholder_note".into(),
                &self.draft.placeholder_note,
                &[],
                &[],
            ),
        ];
        for (name, need) in [
            ("intro", &self.needs.intro),
            ("question", &self.needs.question),
            ("feedback", &self.needs.feedback),
            ("exchange", &self.needs.exchange),
        ] {
            texts.push((format!("needs.{name}.label"), &need.label, &[], &[]));
            texts.push((
                format!("needs.{name}.detail_prompt"),
                &need.detail_prompt,
                &[],
                &[],
            ));
            texts.push((
                format!("needs.{name}.intro_text"),
                &need.intro_text,
                &[],
                &[],
            ));
            texts.push((
                format!("needs.{name}.template"),
                &need.template,
                &["detail", "bring_sentence", "published_sentence"],
                &["detail", "bring_sentence"],
            ));
            if need.keywords.is_empty() {
                return Err(CoachScriptError::Empty {
                    file: file.to_string(),
                    item: format!("needs.{name}.keywords"),
                });
            }
            for (i, keyword) in need.keywords.iter().enumerate() {
                texts.push((format!("needs.{name}.keywords[{i}]"), keyword, &[], &[]));
            }
            for (i, prefix) in need.detail_strip.iter().enumerate() {
                texts.push((format!("needs.{name}.detail_strip[{i}]"), prefix, &[], &[]));
            }
        }
        for (i, prefix) in self.draft.published_strip.iter().enumerate() {
            texts.push((format!("draft.published_strip[{i}]"), prefix, &[], &[]));
        }
        for (i, prefix) in self.draft.bring_strip.iter().enumerate() {
            texts.push((format!("draft.bring_strip[{i}]"), prefix, &[], &[]));
        }
        for (item, text, allowed, required) in texts {
            if text.trim().is_empty() {
                return Err(CoachScriptError::Empty {
                    file: file.to_string(),
                    item,
                });
            }
            let placeholder_error = |message: String| CoachScriptError::Placeholder {
                file: file.to_string(),
                item: item.clone(),
                message,
            };
            let used = placeholders(text).map_err(placeholder_error)?;
            if let Some(unknown) = used.iter().find(|p| !allowed.contains(&p.as_str())) {
                let expected = if allowed.is_empty() {
                    "none is available here".to_string()
                } else {
                    format!("available: {}", braced(allowed))
                };
                return Err(placeholder_error(format!(
                    "unknown placeholder `{{{unknown}}}` ({expected})"
                )));
            }
            if let Some(missing) = required.iter().find(|r| !used.iter().any(|u| u == *r)) {
                return Err(placeholder_error(format!(
                    "must contain the placeholder `{{{missing}}}`"
                )));
            }
        }
        Ok(())
    }

    fn progress(&self, step: Step) -> String {
        let n = step.number().to_string();
        let total = TOTAL_STEPS.to_string();
        fill(&self.progress, &[("n", &n), ("total", &total)])
    }

    /// The full text of a step's question, with progress and the command footer.
    fn prompt(&self, state: &CoachState) -> String {
        let question = match state.step {
            Step::Who => self.prompts.who.as_str(),
            Step::Need => self.prompts.need.as_str(),
            Step::Detail => match state.answers.need {
                Some(need) => self.need(need).detail_prompt.as_str(),
                None => self.prompts.need.as_str(),
            },
            Step::Bring => self.prompts.bring.as_str(),
            Step::Published => self.prompts.published.as_str(),
        };
        let mut text = format!("{}\n{}", self.progress(state.step), question);
        if let Some(previous) = self.previous_answer(state) {
            text.push_str("\n\n");
            text.push_str(&fill(
                &self.commands.previous_answer,
                &[("answer", &previous)],
            ));
        }
        text.push_str("\n\n");
        text.push_str(&self.commands.footer);
        text
    }

    /// The answer already stored for the current step (after a `back`), as shown to the member.
    fn previous_answer(&self, state: &CoachState) -> Option<String> {
        let a = &state.answers;
        match state.step {
            Step::Who => a.who.clone(),
            Step::Need => a.need.map(|n| self.need(n).label.clone()),
            Step::Detail => a.detail.clone(),
            Step::Bring => a.bring.as_ref().map(|b| self.show_answer(b)),
            Step::Published => a.published.as_ref().map(|b| self.show_answer(b)),
        }
    }

    fn show_answer(&self, answer: &Answer) -> String {
        match answer {
            Answer::Given(text) => text.clone(),
            Answer::Skipped => "skip".to_string(),
        }
    }

    fn hint(&self, hint: &str, state: &CoachState) -> Reply {
        Reply::Hint {
            text: format!("{hint}\n\n{}", self.prompt(state)),
        }
    }

    fn parse_need(&self, lower: &str) -> Option<Need> {
        let number = lower.trim_end_matches(['.', ')']);
        if let Some(need) = match number {
            "1" => Some(Need::Intro),
            "2" => Some(Need::Question),
            "3" => Some(Need::Feedback),
            "4" => Some(Need::Exchange),
            _ => None,
        } {
            return Some(need);
        }
        let mut matched = Need::ALL.into_iter().filter(|need| {
            self.need(*need)
                .keywords
                .iter()
                .any(|k| contains_word_start(lower, &k.to_lowercase()))
        });
        match (matched.next(), matched.next()) {
            (Some(need), None) => Some(need),
            _ => None,
        }
    }

    /// Builds the draft from complete answers.
    fn finish(&self, answers: &Answers) -> Option<Reply> {
        let who = answers.who.as_ref()?;
        let need = answers.need?;
        let detail = answers.detail.as_ref()?;
        let script = self.need(need);
        let detail = match need {
            Need::Question => end_as_question(detail),
            _ => fragment(detail, &script.detail_strip),
        };
        let (bring, placeholder) = match answers.bring.as_ref()? {
            Answer::Given(text) => (fragment(text, &self.draft.bring_strip), false),
            Answer::Skipped => (self.draft.bring_placeholder.clone(), true),
        };
        let bring_sentence = fill(&self.draft.bring_sentence, &[("bring", &bring)]);
        let published_sentence = match answers.published.as_ref()? {
            Answer::Given(text) => {
                let published = fragment(text, &self.draft.published_strip);
                format!(
                    "{} ",
                    fill(&self.draft.published_sentence, &[("published", &published)])
                )
            }
            Answer::Skipped => String::new(),
        };
        let draft = fill(
            &script.template,
            &[
                ("detail", &detail),
                ("bring_sentence", &bring_sentence),
                ("published_sentence", &published_sentence),
            ],
        );
        let draft = draft
            .lines()
            .map(str::trim_end)
            .collect::<Vec<_>>()
            .join("\n")
            .trim()
            .to_string();
        let mut intro_text = script.intro_text.clone();
        if placeholder {
            intro_text.push(' ');
            intro_text.push_str(&self.draft.placeholder_note);
        }
        Some(Reply::Finished {
            intro_text,
            draft,
            recipient: who.clone(),
            small_favour: need.is_small_favour(),
        })
    }
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

/// An answer made to fit mid-sentence: a repeated sentence opening is removed and a single
/// final `.`, `!` or `?` dropped (the template supplies its own); the rest stays verbatim.
fn fragment(text: &str, strip: &[String]) -> String {
    let mut rest = text.trim();
    for prefix in strip {
        if let Some(after) = strip_prefix_words(rest, prefix) {
            if !after.is_empty() {
                rest = after;
                break;
            }
        }
    }
    let mut chars = rest.chars().rev();
    if let (Some(last), second) = (chars.next(), chars.next()) {
        if matches!(last, '.' | '!' | '?') && second != Some(last) {
            rest = &rest[..rest.len() - last.len_utf8()];
        }
    }
    rest.trim_end().to_string()
}

/// A question as the member wrote it, with a `?` added if it has no final punctuation.
fn end_as_question(text: &str) -> String {
    let text = text.trim();
    if text.ends_with(['?', '.', '!']) {
        text.to_string()
    } else {
        format!("{text}?")
    }
}

/// `text` without `prefix` (compared case-insensitively, then followed by whitespace).
fn strip_prefix_words<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let prefix = prefix.trim();
    let head = text.get(..prefix.len())?;
    if head.to_lowercase() != prefix.to_lowercase() {
        return None;
    }
    let rest = text.get(prefix.len()..)?;
    if rest.starts_with(char::is_whitespace) {
        Some(rest.trim_start())
    } else {
        None
    }
}

/// Whether `word` occurs in `text` at the start of a word.
fn contains_word_start(text: &str, word: &str) -> bool {
    if word.is_empty() {
        return false;
    }
    text.match_indices(word).any(|(i, _)| {
        text[..i]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric())
    })
}

/// Replaces `{name}` placeholders in one pass, so member text is never expanded again.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let name = &after[..close];
            values
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value, close))
        });
        match value {
            Some((value, close)) => {
                out.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The `{name}` placeholders used in a template; an unclosed or odd brace is an error.
fn placeholders(text: &str) -> Result<Vec<String>, String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find(['{', '}']) {
        if rest[open..].starts_with('}') {
            return Err("a `}` without its `{`".to_string());
        }
        let after = &rest[open + 1..];
        let close = after
            .find('}')
            .ok_or_else(|| "a `{` without its `}`".to_string())?;
        let name = &after[..close];
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
            return Err(format!("`{{{name}}}` is not a placeholder name"));
        }
        found.push(name.to_string());
        rest = &after[close + 1..];
    }
    Ok(found)
}

fn braced(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{{{n}}}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A TOML error as one line with its line number, e.g. "line 12: unknown field `foo`".
fn describe_toml_error(text: &str, error: &toml::de::Error) -> String {
    match error.span() {
        Some(span) => {
            let line = text
                .get(..span.start)
                .map_or(0, |before| before.matches('\n').count())
                + 1;
            format!("line {line}: {}", error.message())
        }
        None => error.message().to_string(),
    }
}

#[cfg(test)]
mod tests {
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
        assert!(draft.contains(
            "compare notes with you on how small teams run on-call without burning out."
        ));
        assert!(draft.contains(
            "I can share the load-test results from our migration to async Rust, in case"
        ));
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
        assert!(
            draft.contains("feedback on the abstract of my talk proposal: is the problem clear?")
        );
        assert!(draft.contains("[what you can offer them"));
        assert!(intro.contains("replace the [placeholder]"));
        assert_reads_well(&draft);
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
        let (state, reply) = run(&[WHO, "banana"]);
        assert_eq!(state.unwrap().step, Step::Need);
        assert!(hint_text(&reply).contains("number from 1 to 4"));
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
        let (_, draft, _, _) =
            finished(&[WHO, "4", "{bring_sentence} and {detail}", BRING, "skip"]);
        assert!(draft.contains("on {bring_sentence} and {detail}."));
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
        assert!(matches!(
            CoachScript::load("/nonexistent/coach.toml"),
            Err(CoachScriptError::Read { .. })
        ));
    }

    #[test]
    fn start_command_is_recognised() {
        assert!(is_start_command(" Coach "));
        assert!(is_start_command("/coach"));
        assert!(!is_start_command("coaching"));
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
}
