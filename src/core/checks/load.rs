//! Loading the check files: [`CheckSet::from_sources`] parses `_vocabulary.toml` and every
//! check file strictly (`deny_unknown_fields`), builds each [`Check`] with the indexes of its
//! patterns in the shared [`Patterns`], and compiles the two sets. Every problem of every file
//! is collected, and the patterns are checked even when a file has other problems.
//! [`CheckNames::declared`] reads the names the check files declare without compiling anything,
//! to check the other files against when the checks themselves have problems.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::Deserialize;

use super::patterns::{Origin, Patterns};
use super::{Check, CheckNames, CheckSet, Example, Expect, Group, Rule, Silent, CORE_CHECK_IDS};
use crate::core::config::{FileProblems, Problem, Problems};
use crate::core::learned::Learned;

/// One check file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckFile {
    id: String,
    title: String,
    /// What the check flags: for the person reading the file (required, not shown anywhere).
    flags: String,
    /// Why it matters, in our words: for the person reading the file (required, not shown).
    why: String,
    message: String,
    hint: String,
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
struct ExampleFile {
    draft: String,
    #[serde(default)]
    recipient: Option<String>,
}

/// `_vocabulary.toml`: named lists of patterns (any other shape is a parse error).
type VocabularyFile = BTreeMap<String, Vec<String>>;

impl CheckSet {
    /// Builds a check set from in-memory sources: the vocabulary and the check files, each with
    /// the path that names it in problems. Every problem of every file is reported.
    pub fn from_sources<'a>(
        vocabulary: (&Path, &'a str),
        files: impl IntoIterator<Item = (&'a Path, &'a str)>,
    ) -> Result<CheckSet, Problems> {
        let (vocabulary_path, vocabulary_text) = vocabulary;
        let mut found = FileProblems::new(vocabulary_path.display().to_string(), vocabulary_text);
        let lists = toml::from_str::<VocabularyFile>(vocabulary_text)
            .map_err(|e| found.toml(&e))
            .ok();
        let mut builder = Builder {
            vocabulary: lists.map(|lists| Vocabulary {
                file: found.file().to_string(),
                text: vocabulary_text,
                lists,
            }),
            draft: Patterns::default(),
            recipient: Patterns::default(),
        };
        let mut problems: Vec<Problem> = found.into_vec();
        let mut seen: HashMap<String, String> = HashMap::new();
        let mut checks = Vec::new();
        for (path, text) in files {
            let mut found = FileProblems::new(path.display().to_string(), text);
            match toml::from_str::<CheckFile>(text) {
                Err(e) => found.toml(&e),
                Ok(file) => {
                    match seen.get(&file.id) {
                        Some(other) => found.at(
                            "id",
                            format!(
                                "check `{}` has the same id as the check in {other}",
                                file.id
                            ),
                        ),
                        None => {
                            seen.insert(file.id.clone(), found.file().to_string());
                        }
                    }
                    checks.push(builder.check(path, text, file, &mut found));
                }
            }
            problems.extend(found.into_vec());
        }
        checks.sort_by_key(|c| review_order(&c.id));
        if !problems.is_empty() {
            // No set will be built: its patterns are still checked, to report them too.
            problems.extend(builder.draft.problems());
            problems.extend(builder.recipient.problems());
            return Err(Problems(problems));
        }
        match (builder.draft.compile(), builder.recipient.compile()) {
            (Ok((draft_set, draft_regexes)), Ok((recipient_set, recipient_regexes))) => {
                Ok(CheckSet {
                    checks,
                    draft_set,
                    draft_regexes,
                    recipient_set,
                    recipient_regexes,
                    learned: Learned::default(),
                })
            }
            (draft, recipient) => Err(Problems::merge([
                draft.err().map(Problems),
                recipient.err().map(Problems),
            ])),
        }
    }
}

impl CheckNames {
    /// The ids and rule names that the texts of the check files declare, read without
    /// compiling anything (a file with other problems still declares its names). Incomplete
    /// when a file is not valid TOML.
    pub fn declared<'a>(texts: impl IntoIterator<Item = &'a str>) -> CheckNames {
        let mut names = CheckNames::new(&[], &[]);
        for text in texts {
            let Ok(table) = text.parse::<toml::Table>() else {
                names.complete = false;
                continue;
            };
            if let Some(id) = table.get("id").and_then(toml::Value::as_str) {
                names.ids.push(id.to_string());
            }
            let rules = table.get("rules").and_then(toml::Value::as_array);
            names.rules.extend(
                rules
                    .into_iter()
                    .flatten()
                    .filter_map(|rule| rule.get("name")?.as_str().map(str::to_string)),
            );
        }
        names.ids.sort_by_key(|id| review_order(id));
        names
    }
}

/// The five core checks come first, in PRODUCT.md's order; added checks follow by id.
fn review_order(id: &str) -> (usize, String) {
    let rank = CORE_CHECK_IDS.iter().position(|core| *core == id);
    (rank.unwrap_or(CORE_CHECK_IDS.len()), id.to_string())
}

/// The vocabulary's lists, with where they were written (for problems with their patterns).
struct Vocabulary<'a> {
    file: String,
    text: &'a str,
    lists: VocabularyFile,
}

/// Builds checks into two shared pattern sets.
struct Builder<'a> {
    /// `None` when `_vocabulary.toml` has a problem of its own: `@name`s are then not checked.
    vocabulary: Option<Vocabulary<'a>>,
    draft: Patterns<'a>,
    recipient: Patterns<'a>,
}

impl<'a> Builder<'a> {
    /// The check of `file` (read from `text` at `path`); what is wrong goes to `found`.
    fn check(
        &mut self,
        path: &Path,
        text: &'a str,
        file: CheckFile,
        found: &mut FileProblems,
    ) -> Check {
        let id = file.id.clone();
        let say = |message: &str| format!("check `{id}`: {message}");
        if !is_kebab(&file.id) {
            found.at("id", say("the id must be kebab-case (a-z, 0-9, -)"));
        }
        let texts = [
            ("title", &file.title),
            ("flags", &file.flags),
            ("why", &file.why),
            ("message", &file.message),
            ("hint", &file.hint),
        ];
        for (key, value) in texts {
            if value.trim().is_empty() {
                found.at(key, say(&format!("`{key}` is empty")));
            }
        }
        if file.fails.is_empty() || file.passes.is_empty() {
            found.whole(say(
                "needs inline examples: at least one [[fails]] and one [[passes]]",
            ));
        }
        if file.rules.is_empty() {
            found.whole(say("needs at least one [[rules]] entry"));
        }
        let mut group = |key: String, patterns: &[String], draft: bool| {
            self.group(&id, text, &key, patterns, draft, found)
        };
        let mut rules = Vec::new();
        for (i, rule) in file.rules.iter().enumerate() {
            let key = format!("rules[{i}]");
            let patterns = |field: &str| format!("{key}.{field}");
            rules.push(Rule {
                name: rule.name.clone(),
                reason: rule.reason.clone(),
                draft: group(patterns("draft"), &rule.draft, true),
                with: group(patterns("with"), &rule.with, true),
                recipient: group(patterns("recipient"), &rule.recipient, false),
                unless: group(patterns("unless"), &rule.unless, true),
            });
        }
        let mitigations = group("mitigations".into(), &file.mitigations, true);
        let passes_draft = group("passes_if.draft".into(), &file.passes_if.draft, true);
        let passes_recipient = group(
            "passes_if.recipient".into(),
            &file.passes_if.recipient,
            false,
        );
        for (i, rule) in file.rules.iter().enumerate() {
            if rule.draft.is_empty() && rule.recipient.is_empty() {
                let message = format!(
                    "rule `{}`: needs `draft` or `recipient` patterns",
                    rule.name
                );
                found.at(format!("rules[{i}]"), say(&message));
            }
        }
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
        Check {
            id: file.id,
            title: file.title,
            message: file.message,
            hint: file.hint,
            silent: file.silent,
            rules,
            mitigations,
            passes_draft,
            passes_recipient,
            examples,
            source: path.to_path_buf(),
        }
    }

    /// The indexes of `patterns` (written at `key` of check `id`, whose file's text is `text`)
    /// in the draft or recipient set, `@name`s expanded.
    fn group(
        &mut self,
        id: &str,
        text: &'a str,
        key: &str,
        patterns: &[String],
        draft: bool,
        found: &mut FileProblems,
    ) -> Group {
        let mut out = Vec::new();
        for (i, pattern) in patterns.iter().enumerate() {
            let key = format!("{key}[{i}]");
            // Each pattern with where it was written: here, or in the vocabulary.
            let written: Vec<(&str, String, &str, &'a str)> = match pattern.strip_prefix('@') {
                None => vec![(pattern.as_str(), key, found.file(), text)],
                Some(name) => {
                    let Some(vocabulary) = &self.vocabulary else {
                        continue;
                    };
                    let Some(list) = vocabulary.lists.get(name) else {
                        found.at(
                            key,
                            format!("check `{id}`: unknown vocabulary list `@{name}`"),
                        );
                        continue;
                    };
                    list.iter()
                        .enumerate()
                        .map(|(j, p)| {
                            let at = format!("{name}[{j}]");
                            (p.as_str(), at, vocabulary.file.as_str(), vocabulary.text)
                        })
                        .collect()
                }
            };
            for (pattern, key, file, text) in written {
                let origin = Origin {
                    file: file.to_string(),
                    text,
                    key,
                    check: id.to_string(),
                };
                let target = if draft {
                    &mut self.draft
                } else {
                    &mut self.recipient
                };
                let index = target.add(pattern, origin);
                if !out.contains(&index) {
                    out.push(index);
                }
            }
        }
        out
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
