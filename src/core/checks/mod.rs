//! The checks, loaded from TOML files in `config/checks/` and compiled once.
//!
//! A [`CheckSet`] owns every [`Check`] plus two [`RegexSet`]s (one over all draft patterns, one
//! over all recipient patterns) so that a review scans the draft once. A check is a list of
//! [`Rule`]s (each rule fails the check when its patterns match and its `unless` patterns do not),
//! check-wide `mitigations` (an offer of value, a question the content left open: these cancel a
//! failure and count as a pass), `passes_if` signals (positive evidence that the check can be
//! judged and passes), and what to report when nothing matched at all (`silent`). Patterns are
//! case-insensitive regexes; an entry `@name` expands to the named list of
//! `_vocabulary.toml` in the same folder, so checks can share a vocabulary such as `@meeting`.
//! [`CheckNames`] are the check ids and rule names the other config files may refer to.
//!
//! Loading ([`CheckSet::from_sources`], in `load.rs`) is strict and reports every problem of
//! every file at once: unknown keys, bad regexes, duplicate ids, unknown vocabulary names and
//! checks without examples, each as a [`Problem`](super::config::Problem) naming the file, the
//! line, the key and the check. How patterns are compiled is in `patterns.rs`.

mod load;
mod patterns;
#[cfg(test)]
mod tests;

use std::path::PathBuf;

use regex::RegexSet;
use serde::Deserialize;

use super::config::quoted;
use super::learned::{Learned, LEARNED_RULE};

pub(crate) use patterns::{ascii_classes, case_insensitive, pattern_error, LazyRegexes};

/// The five check ids of PRODUCT.md, in the order reviews list them (added checks follow).
pub const CORE_CHECK_IDS: [&str; 5] = [
    "reason-for-them",
    "not-free-advice",
    "not-searchable",
    "right-size-ask",
    "right-people",
];

/// What a check reports when none of its patterns matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Silent {
    /// Nothing wrong was found, so the check passes.
    Pass,
    /// The text says too little to judge (e.g. no hint of who the recipient is).
    NotJudged,
}

/// Indexes into the draft [`RegexSet`] or the recipient [`RegexSet`] of the [`CheckSet`].
pub type Group = Vec<usize>;

/// A failure rule: the check fails when every non-empty group matches and `unless` does not.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Short name for tests and logs.
    pub name: String,
    /// The one-line reason shown when this rule fails the check.
    pub reason: String,
    /// Draft patterns (any); evidence.
    pub draft: Group,
    /// Draft patterns (any) that must also match; evidence.
    pub with: Group,
    /// Recipient patterns (any).
    pub recipient: Group,
    /// Draft patterns (any) that cancel this rule.
    pub unless: Group,
}

/// An inline example with the outcome the check must give.
#[derive(Debug, Clone)]
pub struct Example {
    pub draft: String,
    pub recipient: Option<String>,
    pub expect: Expect,
}

/// The outcome an inline example demands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    Fail,
    Pass,
    NotJudged,
}

/// One compiled check.
#[derive(Debug, Clone)]
pub struct Check {
    /// Stable kebab-case id (`reason-for-them`, ...).
    pub id: String,
    /// Short title for a line of the review.
    pub title: String,
    /// The default one-line reason for a failure.
    pub message: String,
    /// How to fix it, shown with the failure.
    pub hint: String,
    /// What to report when nothing matched.
    pub silent: Silent,
    /// The failure rules.
    pub rules: Vec<Rule>,
    /// Draft patterns that cancel any failure and count as a pass.
    pub mitigations: Group,
    /// Draft patterns that show the check passes.
    pub passes_draft: Group,
    /// Recipient patterns that show the check passes.
    pub passes_recipient: Group,
    /// Inline examples.
    pub examples: Vec<Example>,
    /// The file the check came from.
    pub source: PathBuf,
}

/// All checks, with the compiled pattern sets that a review scans once.
#[derive(Debug, Clone)]
pub struct CheckSet {
    pub(crate) checks: Vec<Check>,
    pub(crate) draft_set: RegexSet,
    pub(crate) draft_regexes: LazyRegexes,
    pub(crate) recipient_set: RegexSet,
    pub(crate) recipient_regexes: LazyRegexes,
    /// The learned signal beside the rules (`_learned.toml`; empty without one).
    pub(crate) learned: Learned,
}

impl CheckSet {
    /// The checks in review order.
    pub fn checks(&self) -> &[Check] {
        &self.checks
    }

    /// The floor any review is measured against (`cargo bench --bench review`): one pass of
    /// the draft pattern set over `text`, then the spans of every pattern that matched.
    /// Returns the number of spans.
    pub fn scan_floor(&self, text: &str) -> usize {
        self.draft_set
            .matches(text)
            .iter()
            .filter_map(|i| self.draft_regexes.get(i))
            .map(|re| re.find_iter(text).count())
            .sum()
    }

    /// The same checks with the learned signal `learned` beside their rules.
    pub fn with_learned(self, learned: Learned) -> CheckSet {
        CheckSet { learned, ..self }
    }

    /// The check with this id.
    pub fn get(&self, id: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.id == id)
    }

    /// The ids (in review order) and rule names of these checks.
    pub fn names(&self) -> CheckNames {
        CheckNames {
            ids: self.checks.iter().map(|c| c.id.clone()).collect(),
            rules: self
                .checks
                .iter()
                .flat_map(|c| c.rules.iter().map(|r| r.name.clone()))
                .collect(),
            complete: true,
        }
    }
}

/// The names the checks define, which the other config files refer to: the check ids (in
/// review order) and the names of their rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckNames {
    ids: Vec<String>,
    rules: Vec<String>,
    /// False when a check file could not be read at all: a name missing here may be in it.
    complete: bool,
}

impl CheckNames {
    /// The names of checks declared elsewhere (tests build them by hand).
    pub fn new(ids: &[&str], rules: &[&str]) -> CheckNames {
        CheckNames {
            ids: ids.iter().map(|s| s.to_string()).collect(),
            rules: rules.iter().map(|s| s.to_string()).collect(),
            complete: true,
        }
    }

    /// The check ids, in review order.
    pub fn ids(&self) -> &[String] {
        &self.ids
    }

    /// Why a reference to check `id` is wrong: `None` when it is a check (or when a check file
    /// could not be read, so nothing can be said).
    pub fn unknown_check(&self, id: &str) -> Option<String> {
        (self.complete && !self.ids.iter().any(|c| c == id)).then(|| {
            format!(
                "unknown check `{id}` (the checks are {})",
                quoted(&self.ids)
            )
        })
    }

    /// Why a reference to rule `name` is wrong: `None` when a check has a rule of that name (the
    /// learned signal's failures, [`LEARNED_RULE`], count as a rule of every check) or when a
    /// check file could not be read, so nothing can be said.
    pub fn unknown_rule(&self, name: &str) -> Option<String> {
        (self.complete && name != LEARNED_RULE && !self.rules.iter().any(|r| r == name))
            .then(|| format!("unknown rule `{name}` (no check has a rule of that name)"))
    }
}
