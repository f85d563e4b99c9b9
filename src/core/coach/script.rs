//! The coaching script of `config/coach.toml`: every prompt, hint and draft template, its strict
//! loading and validation, and the text helpers that fill templates and build the draft.

use std::path::Path;

use serde::Deserialize;

use crate::core::config::{FileProblems, Problem, Problems};

use super::state::{Answer, Answers, CoachState, Need, Reply, Step, TOTAL_STEPS};

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
pub(super) struct Hints {
    pub(super) empty: String,
    pub(super) too_long: String,
    pub(super) unknown_need: String,
    pub(super) required: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Commands {
    pub(super) cancelled: String,
    pub(super) restarted: String,
    pub(super) back_at_first: String,
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
    pub(super) hints: Hints,
    pub(super) commands: Commands,
    needs: Needs,
    draft: DraftTexts,
}

impl CoachScript {
    /// Reads and validates a coaching script.
    pub fn load(path: impl AsRef<Path>) -> Result<CoachScript, Problems> {
        let path = path.as_ref();
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| {
            Problem::file(
                file.clone(),
                format!("cannot read the coaching script: {e}"),
            )
        })?;
        CoachScript::from_str(&text, &file)
    }

    /// Parses and validates a coaching script from TOML text; `source` names the file in
    /// problems. Every empty text and every wrong placeholder is reported.
    pub fn from_str(text: &str, source: &str) -> Result<CoachScript, Problems> {
        let script: CoachScript =
            toml::from_str(text).map_err(|e| Problem::toml(source, text, &e))?;
        let mut found = FileProblems::new(source, text);
        script.validate(&mut found);
        found.finish(script)
    }

    /// The message for a conversation that [`expired`](super::expired).
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

    /// Every empty text and every placeholder that is unknown or missing, into `found`.
    fn validate(&self, found: &mut FileProblems) {
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
                found.at(format!("needs.{name}.keywords"), "is empty");
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
                found.at(item, "is empty");
                continue;
            }
            let used = match placeholders(text) {
                Ok(used) => used,
                Err(message) => {
                    found.at(item, message);
                    continue;
                }
            };
            if let Some(unknown) = used.iter().find(|p| !allowed.contains(&p.as_str())) {
                let expected = if allowed.is_empty() {
                    "none is available here".to_string()
                } else {
                    format!("available: {}", braced(allowed))
                };
                let message = format!("unknown placeholder `{{{unknown}}}` ({expected})");
                found.at(item.clone(), message);
            }
            if let Some(missing) = required.iter().find(|r| !used.iter().any(|u| u == *r)) {
                found.at(
                    item,
                    format!("must contain the placeholder `{{{missing}}}`"),
                );
            }
        }
    }

    fn progress(&self, step: Step) -> String {
        let n = step.number().to_string();
        let total = TOTAL_STEPS.to_string();
        fill(&self.progress, &[("n", &n), ("total", &total)])
    }

    /// The full text of a step's question, with progress and the command footer.
    pub(super) fn prompt(&self, state: &CoachState) -> String {
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
    pub(super) fn previous_answer(&self, state: &CoachState) -> Option<String> {
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

    pub(super) fn hint(&self, hint: &str, state: &CoachState) -> Reply {
        Reply::Hint {
            text: format!("{hint}\n\n{}", self.prompt(state)),
        }
    }

    pub(super) fn parse_need(&self, lower: &str) -> Option<Need> {
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
    pub(super) fn finish(&self, answers: &Answers) -> Option<Reply> {
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

/// An answer made to fit mid-sentence: a repeated sentence opening is removed and a single
/// final `.`, `!` or `?` dropped (the template supplies its own); the rest stays verbatim.
pub(super) fn fragment(text: &str, strip: &[String]) -> String {
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
pub(super) fn end_as_question(text: &str) -> String {
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
pub(super) fn fill(template: &str, values: &[(&str, &str)]) -> String {
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
