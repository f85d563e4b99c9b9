//! The review of one draft: [`review`] runs a [`CheckSet`] over the text and returns a [`Review`].
//!
//! A [`Review`] holds one [`Finding`] per check (passed, failed or not judged), each failure with
//! [`Evidence`] (byte spans into the draft or the recipient description, with the quoted words),
//! plain [`Metrics`] about the text, and the better phrasing from [`crate::core::rewrite`].
//! The draft is scanned once with the set of every draft pattern; spans are collected only for
//! the patterns that matched.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::Range;

use regex::SetMatches;
use serde::Serialize;

use super::checks::{Check, CheckSet, Group, Rule, Silent};
use super::normalize::Normalized;
use super::rewrite::Rewriter;

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Passed,
    Failed,
    NotJudged,
}

impl Status {
    /// The status as the JSON output spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Passed => "passed",
            Status::Failed => "failed",
            Status::NotJudged => "not_judged",
        }
    }
}

/// Which text a span points into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Draft,
    Recipient,
}

/// The words that triggered a failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// Byte offset of the first byte, on a char boundary.
    pub start: usize,
    /// Byte offset one past the last byte, on a char boundary.
    pub end: usize,
    /// The quoted words, `text[start..end]`.
    pub text: String,
    /// Whether the span is in the draft or in the recipient description.
    pub source: Source,
}

/// The result of one check on one draft.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// The check id, e.g. `reason-for-them`.
    pub id: String,
    /// The check's short title.
    pub title: String,
    /// Passed, failed or not judged.
    pub status: Status,
    /// For a failure, the words that triggered it, in order; empty otherwise.
    pub evidence: Vec<Evidence>,
    /// For a failure, why in one sentence; for a pass or not judged, a short note.
    pub reason: String,
    /// For a failure, how to fix it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// For a failure, the name of the rule that fired (e.g. `meeting-for-a-favour`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
}

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
    /// A line about the phrasing when the draft needed no change (it reads well, or it asks
    /// for nothing yet).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rewrite_note: Option<String>,
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
        metrics,
        empty: false,
        language: None,
    }
}

/// Runs every check over a non-empty draft, without the better phrasing.
pub(crate) fn judge(draft: &str, recipient: Option<&str>, checks: &CheckSet) -> Vec<Finding> {
    let scan = Scan::new(draft, recipient, checks);
    checks.checks().iter().map(|c| scan.judge(c)).collect()
}

/// Spans of the normalized text per (source is recipient, pattern index).
type FoundSpans = HashMap<(bool, usize), Vec<Range<usize>>>;

/// The draft and recipient after one pass of each pattern set over their normalized text.
struct Scan<'a> {
    draft: &'a str,
    recipient: &'a str,
    draft_read: Normalized<'a>,
    recipient_read: Normalized<'a>,
    draft_hits: SetMatches,
    recipient_hits: SetMatches,
    set: &'a CheckSet,
    /// Spans found so far, per (source is recipient, pattern index): checks share patterns.
    found: RefCell<FoundSpans>,
}

impl<'a> Scan<'a> {
    fn new(draft: &'a str, recipient: Option<&'a str>, set: &'a CheckSet) -> Scan<'a> {
        let recipient = recipient.unwrap_or("");
        let draft_read = Normalized::new(draft);
        let recipient_read = Normalized::new(recipient);
        Scan {
            draft,
            recipient,
            draft_hits: set.draft_set.matches(&draft_read.text),
            recipient_hits: set.recipient_set.matches(&recipient_read.text),
            draft_read,
            recipient_read,
            set,
            found: RefCell::new(HashMap::new()),
        }
    }

    fn any_draft(&self, group: &Group) -> bool {
        group.iter().any(|&i| self.draft_hits.matched(i))
    }

    fn any_recipient(&self, group: &Group) -> bool {
        group.iter().any(|&i| self.recipient_hits.matched(i))
    }

    fn judge(&self, check: &Check) -> Finding {
        let mitigated = self.any_draft(&check.mitigations);
        let fires = |rule: &&Rule| {
            (rule.draft.is_empty() || self.any_draft(&rule.draft))
                && (rule.with.is_empty() || self.any_draft(&rule.with))
                && (rule.recipient.is_empty() || self.any_recipient(&rule.recipient))
                && !self.any_draft(&rule.unless)
        };
        let fired = check.rules.iter().find(fires);
        let finding = |status, reason: &str, evidence, hint, rule: Option<&str>| Finding {
            id: check.id.clone(),
            title: check.title.clone(),
            status,
            evidence,
            reason: reason.to_string(),
            hint,
            rule: rule.map(str::to_string),
        };
        match fired {
            Some(rule) if !mitigated => {
                // The first rule that fired gives the reason; every rule that fired adds evidence.
                let mut evidence = Vec::new();
                for r in check.rules.iter().filter(fires) {
                    evidence.extend(self.spans(&r.draft, Source::Draft));
                    evidence.extend(self.spans(&r.with, Source::Draft));
                    evidence.extend(self.spans(&r.recipient, Source::Recipient));
                }
                let evidence = self.merge(evidence);
                let reason = if rule.reason.is_empty() {
                    &check.message
                } else {
                    &rule.reason
                };
                finding(
                    Status::Failed,
                    reason,
                    evidence,
                    Some(check.hint.clone()),
                    Some(&rule.name),
                )
            }
            fired => {
                let judged = fired.is_some()
                    || mitigated
                    || self.any_draft(&check.passes_draft)
                    || self.any_recipient(&check.passes_recipient)
                    || check.silent == Silent::Pass;
                if judged {
                    finding(Status::Passed, "Looks good.", Vec::new(), None, None)
                } else {
                    finding(
                        Status::NotJudged,
                        "The text alone does not say enough to judge this.",
                        Vec::new(),
                        None,
                        None,
                    )
                }
            }
        }
    }

    /// Sorts spans and merges the ones that overlap into one quote.
    fn merge(&self, mut spans: Vec<Evidence>) -> Vec<Evidence> {
        spans.sort_by_key(|e| (e.source == Source::Recipient, e.start, e.end));
        let mut out: Vec<Evidence> = Vec::with_capacity(spans.len());
        for e in spans {
            match out.last_mut() {
                Some(last) if last.source == e.source && e.start < last.end => {
                    if e.end > last.end {
                        last.end = e.end;
                        let text = match e.source {
                            Source::Draft => self.draft,
                            Source::Recipient => self.recipient,
                        };
                        last.text = text[last.start..last.end].to_string();
                    }
                }
                _ => out.push(e),
            }
        }
        out
    }

    /// Spans of every matched pattern of `group`, in the draft or the recipient.
    fn spans(&self, group: &Group, source: Source) -> Vec<Evidence> {
        let (original, read, hits, regexes) = match source {
            Source::Draft => (
                self.draft,
                &self.draft_read,
                &self.draft_hits,
                &self.set.draft_regexes,
            ),
            Source::Recipient => (
                self.recipient,
                &self.recipient_read,
                &self.recipient_hits,
                &self.set.recipient_regexes,
            ),
        };
        let mut found = self.found.borrow_mut();
        let mut out = Vec::new();
        for &i in group.iter().filter(|&&i| hits.matched(i)) {
            let spans = found
                .entry((source == Source::Recipient, i))
                .or_insert_with(|| {
                    regexes.get(i).map_or_else(Vec::new, |re| {
                        re.find_iter(&read.text)
                            .filter(|m| !m.is_empty())
                            .map(|m| read.original(m.range()))
                            .collect()
                    })
                });
            out.extend(spans.iter().map(|span| Evidence {
                start: span.start,
                end: span.end,
                text: original[span.clone()].to_string(),
                source,
            }));
        }
        out
    }
}

/// Counts words, sentences and who the text is about.
pub fn metrics(draft: &str) -> Metrics {
    const SELF: [&str; 9] = [
        "i", "me", "my", "mine", "myself", "i'm", "i'd", "i've", "i'll",
    ];
    const OTHER: [&str; 6] = ["you", "your", "yours", "yourself", "you're", "you'd"];
    let mut words = 0;
    let mut self_words = 0;
    let mut other_words = 0;
    for word in draft
        .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’'))
        .filter(|w| w.chars().any(char::is_alphanumeric))
    {
        words += 1;
        // Only short words can be pronouns; a curly apostrophe reads as a straight one.
        if word.len() > 9 {
            continue;
        }
        let word: Cow<str> = if word.contains('’') {
            word.replace('’', "'").into()
        } else {
            word.into()
        };
        let is = |list: &[&str]| list.iter().any(|l| l.eq_ignore_ascii_case(&word));
        if is(&SELF) {
            self_words += 1;
        } else if is(&OTHER) {
            other_words += 1;
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
    }

    #[test]
    fn metrics_of_empty_text_are_zero() {
        assert_eq!(metrics(""), Metrics::default());
    }
}
