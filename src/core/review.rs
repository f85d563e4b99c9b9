//! The review of one draft: [`review`] runs a [`CheckSet`] over the text and returns a [`Review`].
//!
//! A [`Review`] holds one [`Finding`] per check (passed, failed or not judged, from
//! [`judge`](super::judge)), each failure with [`Evidence`] (byte spans into the draft or the
//! recipient description, with the quoted words), plain [`Metrics`] about the text, and the
//! better phrasing from [`crate::core::rewrite`].

use serde::Serialize;

use super::checks::CheckSet;
use super::judge::judge;
pub use super::judge::{Evidence, Finding, Source, Status};
use super::rewrite::Rewriter;

/// Plain numbers about the draft.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Metrics {
    /// Characters (Unicode scalar values).
    pub chars: usize,
    /// Words (runs of letters or digits).
    pub words: usize,
    /// Sentences (runs ending in `.`, `!`, `?` or the end of the text).
    pub sentences: usize,
    /// Words about the sender: I, me, my, mine, I'm, I'd...
    pub self_words: usize,
    /// Words about the recipient: you, your, yours...
    pub other_words: usize,
    /// `self_words / (self_words + other_words)`, 0 when both are 0.
    pub self_share: f32,
    /// Whether the last sentence is a concrete ask (a question, or "would you / could you / let me know").
    pub ends_with_ask: bool,
}

/// The review of one draft.
#[derive(Debug, Clone, Serialize)]
pub struct Review {
    /// One finding per check, in the check set's order.
    pub checks: Vec<Finding>,
    /// The better phrasing: the draft, edited where it failed; the draft itself when nothing
    /// failed; empty when nothing was judged.
    pub rewrite: String,
    /// A line about the phrasing when the draft needed no change (it reads well, it asks for
    /// nothing yet, or what it lacks only the member can add).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rewrite_note: Option<String>,
    /// The failed checks the phrasing leaves for the member to repair, because only they know
    /// the words (what is in it for the reader, a smaller yes, the question their reading left
    /// open).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub left_to_member: Vec<String>,
    /// What the member still has to add to an edited phrasing (the checks of
    /// `left_to_member`); when the draft needed no edit, `rewrite_note` says it instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub left_note: Option<String>,
    /// Plain numbers about the draft.
    pub metrics: Metrics,
    /// True when the draft was empty or only whitespace: nothing was judged.
    pub empty: bool,
    /// The language of a draft that is not English (e.g. "Spanish"): nothing was judged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<&'static str>,
}

impl Review {
    /// The finding for a check id.
    pub fn finding(&self, id: &str) -> Option<&Finding> {
        self.checks.iter().find(|f| f.id == id)
    }

    /// The findings that failed.
    pub fn failed(&self) -> impl Iterator<Item = &Finding> {
        self.checks.iter().filter(|f| f.status == Status::Failed)
    }

    /// Whether any check failed.
    pub fn has_failures(&self) -> bool {
        self.failed().next().is_some()
    }

    /// Whether the checks read the draft (it was neither empty nor in another language).
    pub fn judged(&self) -> bool {
        !self.empty && self.language.is_none()
    }

    /// Why nothing was judged, in one line for the member; `None` when the draft was judged.
    pub fn unjudged_note(&self) -> Option<String> {
        if self.empty {
            Some(NOTHING_TO_REVIEW.to_string())
        } else {
            self.language.map(|language| {
                format!("Only English drafts are read for now; this one reads as {language}, so nothing was judged.")
            })
        }
    }
}

/// The reason shown for every check when the draft is empty.
pub const NOTHING_TO_REVIEW: &str = "Nothing to review: the draft is empty.";

/// The reason shown for every check when the draft is not in English.
pub const NOT_ENGLISH: &str = "Only English drafts are read for now.";

/// A review in which no check was judged, each with `reason`.
fn unjudged(
    checks: &CheckSet,
    reason: &str,
    empty: bool,
    language: Option<&'static str>,
) -> Review {
    Review {
        checks: checks
            .checks()
            .iter()
            .map(|c| Finding {
                id: c.id.clone(),
                title: c.title.clone(),
                status: Status::NotJudged,
                evidence: Vec::new(),
                reason: reason.to_string(),
                hint: None,
                rule: None,
            })
            .collect(),
        rewrite: String::new(),
        rewrite_note: None,
        left_to_member: Vec::new(),
        left_note: None,
        metrics: Metrics::default(),
        empty,
        language,
    }
}

/// Reviews `draft`, optionally written to `recipient` (a short description such as "career coach").
pub fn review(
    draft: &str,
    recipient: Option<&str>,
    checks: &CheckSet,
    rewriter: &Rewriter,
) -> Review {
    let recipient = recipient.map(str::trim).filter(|r| !r.is_empty());
    if draft.trim().is_empty() {
        return unjudged(checks, NOTHING_TO_REVIEW, true, None);
    }
    if let Some(language) = super::language::foreign_language(draft) {
        let mut review = unjudged(checks, NOT_ENGLISH, false, Some(language));
        review.metrics = metrics(draft);
        return review;
    }
    let findings = judge(draft, recipient, checks);
    let metrics = metrics(draft);
    let phrasing = rewriter.rewrite(draft, recipient, &findings, checks);
    Review {
        checks: findings,
        rewrite: phrasing.text,
        rewrite_note: phrasing.note,
        left_to_member: phrasing.left,
        left_note: phrasing.left_note,
        metrics,
        empty: false,
        language: None,
    }
}

/// Counts words, sentences and who the text is about.
pub fn metrics(draft: &str) -> Metrics {
    let mut words = 0;
    let mut self_words = 0;
    let mut other_words = 0;
    for word in draft
        .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’'))
        .filter(|w| w.chars().any(char::is_alphanumeric))
    {
        words += 1;
        match pronoun(word) {
            Some(Person::Sender) => self_words += 1,
            Some(Person::Recipient) => other_words += 1,
            None => {}
        }
    }
    let sentences: Vec<&str> = sentences(draft).collect();
    let last = sentences
        .last()
        .map(|s| s.to_lowercase())
        .unwrap_or_default();
    let ends_with_ask = last.trim_end().ends_with('?')
        || [
            "would you",
            "could you",
            "can we",
            "let me know",
            "are you open",
        ]
        .iter()
        .any(|p| last.contains(p));
    let total = self_words + other_words;
    Metrics {
        chars: draft.chars().count(),
        words,
        sentences: sentences.len(),
        self_words,
        other_words,
        self_share: if total == 0 {
            0.0
        } else {
            self_words as f32 / total as f32
        },
        ends_with_ask,
    }
}

/// Whom a pronoun is about.
enum Person {
    Sender,
    Recipient,
}

/// Whom `word` is about, if it is one of the pronouns the metrics count (any case; a curly
/// apostrophe reads as a straight one).
fn pronoun(word: &str) -> Option<Person> {
    // The longest pronoun, "yourself", is 8 letters; "you’re" is 8 bytes too.
    let mut folded = [0u8; 8];
    let mut n = 0;
    for c in word.chars() {
        let b = match c {
            '’' => b'\'',
            c if c.is_ascii() => c.to_ascii_lowercase() as u8,
            _ => return None,
        };
        *folded.get_mut(n)? = b;
        n += 1;
    }
    match &folded[..n] {
        b"i" | b"me" | b"my" | b"mine" | b"myself" | b"i'm" | b"i'd" | b"i've" | b"i'll" => {
            Some(Person::Sender)
        }
        b"you" | b"your" | b"yours" | b"yourself" | b"you're" | b"you'd" => Some(Person::Recipient),
        _ => None,
    }
}

/// Splits text into trimmed sentences (ending at `.`, `!`, `?`, `…` or a line break).
pub fn sentences(text: &str) -> impl Iterator<Item = &str> {
    text.split_inclusive(['.', '!', '?', '…', '\n'])
        .map(str::trim)
        .filter(|s| s.chars().any(char::is_alphanumeric))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_count_who_the_text_is_about() {
        let m = metrics("I read your post. I'd love to meet you. Would you be free?");
        assert_eq!(m.sentences, 3);
        assert_eq!(m.self_words, 2);
        assert_eq!(m.other_words, 3);
        assert!(m.ends_with_ask);
        let m = metrics("YOU’RE kind; I’ll bring MY notes. Yourselves? Mine, myself, you'd.");
        assert_eq!((m.self_words, m.other_words), (4, 2));
    }

    #[test]
    fn metrics_of_empty_text_are_zero() {
        assert_eq!(metrics(""), Metrics::default());
    }
}
