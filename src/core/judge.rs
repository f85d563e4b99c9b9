//! The ground floor that the review and the better phrasing share: what one check found
//! ([`Finding`], its [`Status`] and [`Evidence`]) and [`judge`], which runs every check over a
//! draft. The draft is scanned once with the set of every draft pattern; spans are collected
//! only for the patterns that matched. Neither [`review`](super::review) nor
//! [`rewrite`](super::rewrite) imports the other: both import this.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::Range;

use regex::SetMatches;
use serde::Serialize;

use super::checks::{Check, CheckSet, Group, Rule, Silent};
use super::learned::LEARNED_RULE;
use super::normalize::Normalized;

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

    /// The status spelled as [`Status::as_str`] spells it, if it is one.
    pub fn parse(text: &str) -> Option<Status> {
        [Status::Passed, Status::Failed, Status::NotJudged]
            .into_iter()
            .find(|s| s.as_str() == text)
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

/// Runs every check over a non-empty draft, without the better phrasing: the rules, then the
/// learned signal where the rules did not fail a check.
pub fn judge(draft: &str, recipient: Option<&str>, checks: &CheckSet) -> Vec<Finding> {
    let scan = Scan::new(draft, recipient, checks);
    let mut findings = scan.rules();
    scan.learn(&mut findings);
    findings
}

/// What the rules alone find (the learned signal is trained on it).
pub fn judge_rules(draft: &str, recipient: Option<&str>, checks: &CheckSet) -> Vec<Finding> {
    Scan::new(draft, recipient, checks).rules()
}

/// Whether any check fails on `draft` with evidence in the draft itself (what the better
/// phrasing can repair): the judgement of [`judge`] without quoting any evidence, for the
/// phrasing to confirm its own text cheaply; the checks named in `skip` are not read.
pub(crate) fn fails_in_draft(
    draft: &str,
    recipient: Option<&str>,
    checks: &CheckSet,
    skip: &[String],
) -> bool {
    let scan = Scan::new(draft, recipient, checks);
    checks
        .checks()
        .iter()
        .filter(|c| !skip.contains(&c.id))
        .any(|c| {
            scan.fired(c)
                .any(|r| !r.draft.is_empty() || !r.with.is_empty())
        })
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

    fn fires(&self, rule: &Rule) -> bool {
        (rule.draft.is_empty() || self.any_draft(&rule.draft))
            && (rule.with.is_empty() || self.any_draft(&rule.with))
            && (rule.recipient.is_empty() || self.any_recipient(&rule.recipient))
            && !self.any_draft(&rule.unless)
    }

    /// The rules of `check` that fire, in order; none when a mitigation matched.
    fn fired<'c>(&'c self, check: &'c Check) -> impl Iterator<Item = &'c Rule> + 'c {
        let mitigated = self.any_draft(&check.mitigations);
        check
            .rules
            .iter()
            .filter(move |r| !mitigated && self.fires(r))
    }

    /// Whether the draft or the recipient shows a sign that `check` passes: a mitigation (which
    /// silences every rule) or a `passes_if` pattern.
    fn passes(&self, check: &Check) -> bool {
        self.any_draft(&check.mitigations)
            || self.any_draft(&check.passes_draft)
            || self.any_recipient(&check.passes_recipient)
    }

    fn judge(&self, check: &Check) -> Finding {
        let mut fired = self.fired(check).peekable();
        let finding = |status, reason: &str, evidence, hint, rule: Option<&str>| Finding {
            id: check.id.clone(),
            title: check.title.clone(),
            status,
            evidence,
            reason: reason.to_string(),
            hint,
            rule: rule.map(str::to_string),
        };
        match fired.peek().copied() {
            Some(rule) => {
                // The first rule that fired gives the reason; every rule that fired adds evidence.
                let mut evidence = Vec::new();
                for r in fired {
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
            None => {
                // A mitigation (which silences every rule) judges the request as passing.
                let judged = self.passes(check) || check.silent == Silent::Pass;
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

    /// What the rules of every check find, in review order.
    fn rules(&self) -> Vec<Finding> {
        self.set.checks.iter().map(|c| self.judge(c)).collect()
    }

    /// Fails each check the learned signal is confident of, where the rules did not.
    fn learn(&self, findings: &mut [Finding]) {
        let learned = &self.set.learned;
        if learned.is_empty() {
            return;
        }
        // The rules' signs of passing (an offer, a peer) stand: the signal reads the rest.
        let open: Vec<bool> = self.set.checks.iter().map(|c| !self.passes(c)).collect();
        for (i, spans) in learned.fails(&self.draft_read.text, findings, &open) {
            let check = &self.set.checks[i];
            let evidence = spans
                .into_iter()
                .map(|span| {
                    let span = self.draft_read.original(span);
                    Evidence {
                        start: span.start,
                        end: span.end,
                        text: self.draft[span].to_string(),
                        source: Source::Draft,
                    }
                })
                .collect();
            findings[i] = Finding {
                id: check.id.clone(),
                title: check.title.clone(),
                status: Status::Failed,
                evidence: self.merge(evidence),
                reason: check.message.clone(),
                hint: Some(check.hint.clone()),
                rule: Some(LEARNED_RULE.to_string()),
            };
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
