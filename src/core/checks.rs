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
//!
//! Loading is strict: unknown keys, bad regexes, duplicate ids, unknown vocabulary names and
//! checks without examples are all errors naming the file and the check.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use regex::{Regex, RegexSet, RegexSetBuilder};
use serde::Deserialize;

/// The five check ids of PRODUCT.md, in the order reviews list them.
pub const CORE_CHECK_IDS: [&str; 5] = [
    "reason-for-them",
    "not-free-advice",
    "not-searchable",
    "right-size-ask",
    "right-people",
];

/// Why a check set could not be loaded. Every variant names the file and, where known, the check.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("{path}: check `{check}`: {message}")]
    Check {
        path: PathBuf,
        check: String,
        message: String,
    },
    #[error("{path}: check `{check}` has the same id as a check in {other}")]
    DuplicateId {
        path: PathBuf,
        check: String,
        other: PathBuf,
    },
    #[error("{dir}: no check files found")]
    Empty { dir: PathBuf },
}

/// What a check reports when none of its patterns matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Silent {
    /// Nothing wrong was found, so the check passes.
    Pass,
    /// The text says too little to judge (e.g. no hint of who the recipient is).
    NotJudged,
}

/// One check file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckFile {
    id: String,
    title: String,
    flags: String,
    why: String,
    message: String,
    hint: String,
    /// The kind of repair the better phrasing applies when this check fails.
    repair: Option<String>,
    silent: Silent,
    #[serde(default)]
    mitigations: Vec<String>,
    #[serde(default)]
    passes_if: PatternsFile,
    #[serde(default)]
    rules: Vec<RuleFile>,
    #[serde(default)]
    fails: Vec<ExampleFile>,
    #[serde(default)]
    passes: Vec<ExampleFile>,
    #[serde(default)]
    not_judged: Vec<ExampleFile>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PatternsFile {
    #[serde(default)]
    draft: Vec<String>,
    #[serde(default)]
    recipient: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    name: String,
    reason: String,
    /// Draft patterns; at least one must match (when present). Their matches are the evidence.
    #[serde(default)]
    draft: Vec<String>,
    /// More draft patterns that must also match (e.g. a meeting ask); also evidence.
    #[serde(default)]
    with: Vec<String>,
    /// Recipient patterns that must match (when present).
    #[serde(default)]
    recipient: Vec<String>,
    /// Draft patterns that cancel this rule only.
    #[serde(default)]
    unless: Vec<String>,
}

/// An example draft declared inline in a check file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExampleFile {
    pub draft: String,
    #[serde(default)]
    pub recipient: Option<String>,
}

/// `_vocabulary.toml`: named lists of patterns (any other shape is a parse error).
type VocabularyFile = BTreeMap<String, Vec<String>>;

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
    /// What the check flags, for docs and `/tip`.
    pub flags: String,
    /// Why it matters, in our words.
    pub why: String,
    /// The default one-line reason for a failure.
    pub message: String,
    /// How to fix it, shown with the failure.
    pub hint: String,
    /// Which repair the better phrasing applies (defaults to the id).
    pub repair: String,
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

    /// The check with this id.
    pub fn get(&self, id: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.id == id)
    }

    /// Builds a check set from in-memory sources: the vocabulary and the check files.
    pub fn from_sources<'a>(
        vocabulary: (&Path, &str),
        files: impl IntoIterator<Item = (&'a Path, &'a str)>,
    ) -> Result<CheckSet, ConfigError> {
        let vocab: VocabularyFile =
            toml::from_str(vocabulary.1).map_err(|e| ConfigError::Parse {
                path: vocabulary.0.to_path_buf(),
                message: e.to_string(),
            })?;
        let mut builder = Builder {
            origin: Default::default(),
            vocabulary: vocab,
            draft: Patterns::default(),
            recipient: Patterns::default(),
        };
        let mut seen: HashMap<String, PathBuf> = HashMap::new();
        let mut checks = Vec::new();
        for (path, text) in files {
            let file: CheckFile = toml::from_str(text).map_err(|e| ConfigError::Parse {
                path: path.to_path_buf(),
                message: e.to_string(),
            })?;
            if let Some(other) = seen.get(&file.id) {
                return Err(ConfigError::DuplicateId {
                    path: path.to_path_buf(),
                    check: file.id,
                    other: other.clone(),
                });
            }
            seen.insert(file.id.clone(), path.to_path_buf());
            checks.push(builder.check(path, file)?);
        }
        // The five core checks come first, in PRODUCT.md's order; added checks follow by id.
        checks.sort_by_key(|c| {
            let rank = CORE_CHECK_IDS.iter().position(|id| *id == c.id);
            (rank.unwrap_or(CORE_CHECK_IDS.len()), c.id.clone())
        });
        let (draft_set, draft_regexes) = builder.draft.compile()?;
        let (recipient_set, recipient_regexes) = builder.recipient.compile()?;
        Ok(CheckSet {
            checks,
            draft_set,
            draft_regexes,
            recipient_set,
            recipient_regexes,
        })
    }
}

/// Deduplicated pattern strings, compiled into one set at the end.
#[derive(Default)]
struct Patterns {
    sources: Vec<String>,
    /// The file and check that first used each pattern, to name them if it does not compile.
    origins: Vec<(PathBuf, String)>,
    index: HashMap<String, usize>,
}

impl Patterns {
    fn add(&mut self, pattern: &str, origin: &(PathBuf, String)) -> usize {
        if let Some(&i) = self.index.get(pattern) {
            return i;
        }
        let i = self.sources.len();
        self.sources.push(pattern.to_string());
        self.origins.push(origin.clone());
        self.index.insert(pattern.to_string(), i);
        i
    }

    /// One set over every pattern; the single regexes (for evidence spans) are built lazily.
    /// Each pattern is parsed once, by the set; only when the set fails is each parsed alone,
    /// to name the pattern (and its file and check) that is wrong.
    fn compile(self) -> Result<(RegexSet, LazyRegexes), ConfigError> {
        let sources: Vec<String> = self.sources.iter().map(|p| folded(p)).collect();
        // The lazy DFA's transition cache: the default (2 MiB) fills on every few drafts with a
        // few hundred patterns, the DFA gives up and the slow PikeVM runs instead. A larger
        // cache keeps the set on its fast path; it grows only as states are built.
        let set = RegexSetBuilder::new(&sources)
            .size_limit(64 << 20)
            .dfa_size_limit(4 << 20)
            .build();
        match set {
            Ok(set) => Ok((set, LazyRegexes::new(sources))),
            Err(e) => Err(self
                .culprit(&sources)
                .unwrap_or_else(|| ConfigError::Parse {
                    path: self
                        .origins
                        .first()
                        .map(|o| o.0.clone())
                        .unwrap_or_default(),
                    message: format!("the patterns together do not compile: {e}"),
                })),
        }
    }

    /// The first pattern that does not compile on its own, as an error naming where it is.
    fn culprit(&self, compiled: &[String]) -> Option<ConfigError> {
        compiled.iter().enumerate().find_map(|(i, source)| {
            let e = regex_syntax::Parser::new().parse(source).err()?;
            let (path, check) = self.origins[i].clone();
            Some(ConfigError::Check {
                path,
                check,
                message: format!("bad pattern `{}`: {e}", self.sources[i]),
            })
        })
    }
}

/// The single regexes of a set, each compiled the first time a review needs its spans.
#[derive(Debug, Clone)]
pub(crate) struct LazyRegexes {
    sources: Vec<String>,
    compiled: Vec<OnceLock<Option<Regex>>>,
}

impl LazyRegexes {
    fn new(sources: Vec<String>) -> LazyRegexes {
        let compiled = sources.iter().map(|_| OnceLock::new()).collect();
        LazyRegexes { sources, compiled }
    }

    /// The regex of pattern `i` (compiled now if this is its first use).
    pub(crate) fn get(&self, i: usize) -> Option<&Regex> {
        let source = self.sources.get(i)?;
        self.compiled
            .get(i)?
            .get_or_init(|| Regex::new(source).ok())
            .as_ref()
    }
}

/// The pattern as compiled for the rewriter, which reads the draft as written:
/// case-insensitive, with ASCII classes (see [`ascii_classes`]).
pub(crate) fn case_insensitive(pattern: &str) -> String {
    format!("(?i){}", ascii_classes(pattern))
}

/// A check pattern as compiled: it reads the case-folded text of
/// [`Normalized`](super::normalize::Normalized), so its letters are lowercased (not those of
/// escapes such as `\B`, `\S` or `\p{Lu}`) instead of compiled case-insensitive. Case folding
/// turns every letter into a class of its cases and made the set of a few hundred patterns
/// take three times as long to compile (measured: 27 ms against 11 ms). Classes are ASCII
/// (see [`ascii_classes`]).
pub(crate) fn folded(pattern: &str) -> String {
    let mut lower = String::with_capacity(pattern.len());
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            lower.extend(c.to_lowercase());
            continue;
        }
        lower.push(c);
        let Some(escaped) = chars.next() else { break };
        lower.push(escaped);
        // `\p{Name}` and `\x{HEX}` keep their braces as written.
        if matches!(escaped, 'p' | 'P' | 'x' | 'u' | 'U') && chars.clone().next() == Some('{') {
            for b in chars.by_ref() {
                lower.push(b);
                if b == '}' {
                    break;
                }
            }
        }
    }
    ascii_classes(&lower)
}

/// `\b`, `\s`, `\w`, `\d` (and their negations) in their ASCII forms, inside and outside brackets.
pub(crate) fn ascii_classes(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut chars = pattern.chars().peekable();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match (c, chars.peek().copied()) {
            ('\\', Some(n)) => {
                chars.next();
                let ascii = match n {
                    'w' => Some("A-Za-z0-9_"),
                    's' => Some(" \\t\\n\\r\\x0B\\x0C"),
                    'd' => Some("0-9"),
                    _ => None,
                };
                match (in_class, ascii) {
                    (true, Some(class)) => out.push_str(class),
                    (false, _) if "bswdBSWD".contains(n) => {
                        out.push_str("(?-u:\\");
                        out.push(n);
                        out.push(')');
                    }
                    _ => {
                        out.push('\\');
                        out.push(n);
                    }
                }
            }
            ('[', _) if !in_class => {
                in_class = true;
                out.push(c);
                // A `]` or `^]` right after the opening bracket is a literal.
                if chars.peek() == Some(&'^') {
                    out.push('^');
                    chars.next();
                }
                if chars.peek() == Some(&']') {
                    out.push(']');
                    chars.next();
                }
            }
            (']', _) if in_class => {
                in_class = false;
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod pattern_tests {
    use super::{case_insensitive, folded};

    #[test]
    fn folded_patterns_are_lowercase_except_escapes() {
        assert_eq!(folded(r"Pick [A-Z]\S\p{Lu}É"), r"pick [a-z](?-u:\S)\p{Lu}é");
        assert_eq!(folded(r"\x{0B}X\bY"), r"\x{0B}x(?-u:\b)y");
    }

    #[test]
    fn unicode_classes_become_ascii_inside_and_outside_brackets() {
        assert_eq!(
            case_insensitive(r"\bhi\s+[\w\s-]"),
            r"(?i)(?-u:\b)hi(?-u:\s)+[A-Za-z0-9_ \t\n\r\x0B\x0C-]"
        );
        assert_eq!(case_insensitive(r"[^.?!\n]"), r"(?i)[^.?!\n]");
        assert_eq!(case_insensitive(r"r[eé]sum[eé]"), "(?i)r[eé]sum[eé]");
    }
}

struct Builder {
    /// The file and check being built, for errors about its patterns.
    origin: (PathBuf, String),
    vocabulary: BTreeMap<String, Vec<String>>,
    draft: Patterns,
    recipient: Patterns,
}

impl Builder {
    fn check(&mut self, path: &Path, file: CheckFile) -> Result<Check, ConfigError> {
        self.origin = (path.to_path_buf(), file.id.clone());
        let err = |message: String| ConfigError::Check {
            path: path.to_path_buf(),
            check: file.id.clone(),
            message,
        };
        if !is_kebab(&file.id) {
            return Err(err("the id must be kebab-case (a-z, 0-9, -)".into()));
        }
        if file.fails.is_empty() || file.passes.is_empty() {
            return Err(err(
                "needs inline examples: at least one [[fails]] and one [[passes]]".into(),
            ));
        }
        if file.rules.is_empty() {
            return Err(err("needs at least one [[rules]] entry".into()));
        }
        let mut rules = Vec::new();
        for rule in &file.rules {
            let in_rule = |m: String| err(format!("rule `{}`: {m}", rule.name));
            if rule.draft.is_empty() && rule.recipient.is_empty() {
                return Err(in_rule("needs `draft` or `recipient` patterns".into()));
            }
            rules.push(Rule {
                name: rule.name.clone(),
                reason: rule.reason.clone(),
                draft: self.group(&rule.draft, true).map_err(in_rule)?,
                with: self.group(&rule.with, true).map_err(in_rule)?,
                recipient: self.group(&rule.recipient, false).map_err(in_rule)?,
                unless: self.group(&rule.unless, true).map_err(in_rule)?,
            });
        }
        let mitigations = self.group(&file.mitigations, true).map_err(err)?;
        let passes_draft = self.group(&file.passes_if.draft, true).map_err(err)?;
        let passes_recipient = self.group(&file.passes_if.recipient, false).map_err(err)?;
        let examples = [
            (&file.fails, Expect::Fail),
            (&file.passes, Expect::Pass),
            (&file.not_judged, Expect::NotJudged),
        ]
        .into_iter()
        .flat_map(|(list, expect)| {
            list.iter().map(move |e| Example {
                draft: e.draft.clone(),
                recipient: e.recipient.clone(),
                expect,
            })
        })
        .collect();
        Ok(Check {
            repair: file.repair.clone().unwrap_or_else(|| file.id.clone()),
            id: file.id,
            title: file.title,
            flags: file.flags,
            why: file.why,
            message: file.message,
            hint: file.hint,
            silent: file.silent,
            rules,
            mitigations,
            passes_draft,
            passes_recipient,
            examples,
            source: path.to_path_buf(),
        })
    }

    /// Compiles a list of patterns (expanding `@name`) into indexes of the draft or recipient set.
    fn group(&mut self, patterns: &[String], draft: bool) -> Result<Group, String> {
        let mut out = Vec::new();
        for pattern in patterns {
            let expanded: Vec<String> = match pattern.strip_prefix('@') {
                Some(name) => self
                    .vocabulary
                    .get(name)
                    .cloned()
                    .ok_or_else(|| format!("unknown vocabulary list `@{name}`"))?,
                None => vec![pattern.clone()],
            };
            for p in expanded {
                let target = if draft {
                    &mut self.draft
                } else {
                    &mut self.recipient
                };
                let i = target.add(&p, &self.origin);
                if !out.contains(&i) {
                    out.push(i);
                }
            }
        }
        Ok(out)
    }
}

fn is_kebab(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !id.starts_with('-')
        && !id.ends_with('-')
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
id = "x-check"
title = "T"
flags = "F"
why = "W"
message = "M"
hint = "H"
silent = "pass"
[[rules]]
name = "r"
reason = "R"
draft = ['\bcoffee\b']
[[fails]]
draft = "coffee?"
[[passes]]
draft = "tea?"
"#;

    fn load(files: &[(&str, &str)]) -> Result<CheckSet, ConfigError> {
        CheckSet::from_sources(
            (Path::new("_vocabulary.toml"), "meeting = ['coffee']"),
            files.iter().map(|(p, t)| (Path::new(*p), *t)),
        )
    }

    #[test]
    fn loads_a_good_check() {
        let set = load(&[("x.toml", GOOD)]).expect("loads");
        assert_eq!(set.checks()[0].id, "x-check");
    }

    #[test]
    fn unknown_key_names_the_file() {
        let text = format!("{GOOD}\nsurprise = 1\n");
        let err = load(&[("x.toml", &text)]).unwrap_err().to_string();
        assert!(err.contains("x.toml") && err.contains("surprise"), "{err}");
    }

    #[test]
    fn bad_regex_names_file_and_check() {
        let text = GOOD.replace(r"'\bcoffee\b'", "'(unclosed'");
        let err = load(&[("x.toml", &text)]).unwrap_err().to_string();
        assert!(
            err.contains("x.toml") && err.contains("x-check") && err.contains("(unclosed"),
            "{err}"
        );
    }

    #[test]
    fn duplicate_id_names_both_files() {
        let err = load(&[("a.toml", GOOD), ("b.toml", GOOD)])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("a.toml") && err.contains("b.toml") && err.contains("x-check"),
            "{err}"
        );
    }

    #[test]
    fn check_without_examples_is_an_error() {
        let text = GOOD.replace("[[passes]]\ndraft = \"tea?\"\n", "");
        let err = load(&[("x.toml", &text)]).unwrap_err().to_string();
        assert!(err.contains("x-check") && err.contains("examples"), "{err}");
    }

    #[test]
    fn unknown_vocabulary_is_an_error() {
        let text = GOOD.replace(r"'\bcoffee\b'", "'@nothing'");
        let err = load(&[("x.toml", &text)]).unwrap_err().to_string();
        assert!(err.contains("@nothing"), "{err}");
    }
}
