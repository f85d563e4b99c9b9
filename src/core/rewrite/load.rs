//! The templates of `config/rewrite.toml` and their strict loading, in two steps:
//! [`Rewriter::parse`] parses the file and compiles the `[[edits]]` patterns and the draft
//! reader (while the checks compile, on another thread); [`RewriteFile::check`] then checks
//! every check id and rule name it names (`[repairs]`, `[[edits]] check`, `[rule_asks]`)
//! against the checks actually loaded. Every problem of the file is reported at once.

use std::collections::BTreeMap;

use regex::Regex;
use serde::Deserialize;

use super::draft::Reader;
use crate::core::checks::{case_insensitive, pattern_error, CheckNames};
use crate::core::config::{one_line, quoted, FileProblems, Problems};
use crate::core::judge::Finding;

/// Edits drafts with the templates of `config/rewrite.toml` (loaded here; the edits are in
/// [`super`]).
#[derive(Debug, Clone)]
pub struct Rewriter {
    pub(super) templates: Templates,
    pub(super) edits: Vec<Edit>,
    pub(super) reader: Reader,
}

/// The asks a failed rule may call for under `[rule_asks]`.
const ASK_KINDS: [&str; 6] = ["intro", "question", "feedback", "vouch", "standing", "paid"];

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Templates {
    pub(super) easy_out: String,
    pub(super) reads_well: String,
    pub(super) no_ask: String,
    pub(super) recipient_only: String,
    pub(super) offer: Offer,
    pub(super) asks: Asks,
    /// Check id -> how the phrasing repairs it; a check not named goes without its sentences.
    pub(super) repairs: BTreeMap<String, Repair>,
    /// Rule name -> the ask it calls for (one of [`ASK_KINDS`]).
    pub(super) rule_asks: BTreeMap<String, String>,
    /// The rules whose failures are left to the member: the only repair would be a stock line.
    #[serde(default)]
    pub(super) left_rules: Vec<String>,
    /// Check id -> the note when its failure is left to the member (`{quote}`: the words that
    /// failed).
    pub(super) yours: BTreeMap<String, String>,
    /// Added to the note when the offer is left to a sender who never says who they are.
    #[serde(default)]
    pub(super) introduce: Option<String>,
    #[serde(default)]
    edits: Vec<EditFile>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Offer {
    pub(super) years: String,
    /// For a sender who names their role; none when the config has no such line.
    #[serde(default)]
    pub(super) role: Option<String>,
    /// For a sender making something they could send when done; none when the config has
    /// no such line.
    #[serde(default)]
    pub(super) project: Option<String>,
    pub(super) placeholder: String,
    /// The rules of the offer's check after which the placeholder is added (asks for work, a
    /// referral, advice: a trade is missing); after the others (asks for time or one answer)
    /// the offer is left to the member, with its note under `[yours]`.
    #[serde(default)]
    pub(super) placeholder_after: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Asks {
    pub(super) intro: String,
    pub(super) question: String,
    pub(super) feedback: String,
    pub(super) vouch: String,
    pub(super) vouch_letter: String,
    pub(super) standing: String,
    pub(super) paid: String,
    pub(super) public: String,
    pub(super) public_plain: String,
}

/// How the phrasing repairs a failed check: its entry under `[repairs]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(super) enum Repair {
    /// Something in it for them: an offer built from what the sender says about themselves,
    /// placed after it, or else a slot closing the ask's paragraph.
    Offer,
    /// A meeting asked for a small favour becomes the favour (an intro, one question,
    /// feedback on one thing).
    Favour,
    /// Free professional advice becomes feedback on one part, or a paid booking when a failed
    /// rule calls for `paid`.
    Feedback,
    /// What their public content already answers becomes what it leaves open.
    Public,
    /// The sentences at fault go unless they ask, the greeting and subject line included.
    Remove,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct EditFile {
    check: String,
    pattern: String,
    replace: String,
}

/// A phrase swap: where `pattern` matches in a sentence that failed `check`, `replace` is put
/// instead (`{object}`, `{content}`, `{topic}` filled from the draft).
#[derive(Debug, Clone)]
pub(super) struct Edit {
    pub(super) check: String,
    pub(super) pattern: Regex,
    pub(super) replace: String,
}

/// `rewrite.toml` parsed and compiled, with its problems so far; the check ids and rule names
/// it names are checked by [`RewriteFile::check`], once the checks are loaded.
pub struct RewriteFile<'a> {
    rewriter: Option<Rewriter>,
    found: FileProblems<'a>,
}

impl Rewriter {
    /// Parses `rewrite.toml` (`text`, named `file` in problems) and compiles its patterns and
    /// the draft reader: all that does not need the checks, so it can run while they compile.
    pub fn parse<'a>(text: &'a str, file: &str) -> RewriteFile<'a> {
        let mut found = FileProblems::new(file, text);
        let templates: Templates = match toml::from_str(text) {
            Ok(templates) => templates,
            Err(e) => {
                found.toml(&e);
                return RewriteFile {
                    rewriter: None,
                    found,
                };
            }
        };
        for (rule, kind) in &templates.rule_asks {
            if !ASK_KINDS.contains(&kind.as_str()) {
                let message = format!("unknown ask `{kind}` (one of {})", quoted(&ASK_KINDS));
                found.at(format!("rule_asks.{rule}"), message);
            }
        }
        let mut edits = Vec::with_capacity(templates.edits.len());
        for (i, edit) in templates.edits.iter().enumerate() {
            let compiled = case_insensitive(&edit.pattern);
            match Regex::new(&compiled) {
                Ok(pattern) => edits.push(Edit {
                    check: edit.check.clone(),
                    pattern,
                    replace: edit.replace.clone(),
                }),
                Err(e) => {
                    let why = pattern_error(&compiled).unwrap_or_else(|| one_line(&e));
                    let message = format!("bad pattern `{}`: {why}", edit.pattern);
                    found.at(format!("edits[{i}].pattern"), message);
                }
            }
        }
        let rewriter = Rewriter {
            templates,
            edits,
            reader: Reader::new(),
        };
        RewriteFile {
            rewriter: Some(rewriter),
            found,
        }
    }

    /// How the phrasing repairs the check of `f`, if `[repairs]` names it.
    pub(super) fn repair_of(&self, f: &Finding) -> Option<Repair> {
        self.templates.repairs.get(&f.id).copied()
    }
}

impl RewriteFile<'_> {
    /// The rewriter, once every check id and rule name the file names (`[repairs]`,
    /// `[[edits]] check`, `[rule_asks]`, `left_rules`, `[yours]`, `offer.placeholder_after`)
    /// is found among `names`; else every problem of the file.
    pub fn check(mut self, names: &CheckNames) -> Result<Rewriter, Problems> {
        let Some(rewriter) = self.rewriter else {
            return Err(Problems(self.found.into_vec()));
        };
        let templates = &rewriter.templates;
        for rule in templates.rule_asks.keys() {
            if let Some(why) = names.unknown_rule(rule) {
                self.found.at(format!("rule_asks.{rule}"), why);
            }
        }
        for (i, rule) in templates.offer.placeholder_after.iter().enumerate() {
            if let Some(why) = names.unknown_rule(rule) {
                self.found.at(format!("offer.placeholder_after[{i}]"), why);
            }
        }
        for (i, rule) in templates.left_rules.iter().enumerate() {
            if let Some(why) = names.unknown_rule(rule) {
                self.found.at(format!("left_rules[{i}]"), why);
            }
        }
        let repairs = templates.repairs.keys().map(|id| ("repairs", id));
        for (table, id) in repairs.chain(templates.yours.keys().map(|id| ("yours", id))) {
            if let Some(why) = names.unknown_check(id) {
                self.found.at(format!("{table}.{id}"), why);
            }
        }
        for (i, edit) in templates.edits.iter().enumerate() {
            if let Some(why) = names.unknown_check(&edit.check) {
                self.found.at(format!("edits[{i}].check"), why);
            }
        }
        self.found.finish(rewriter)
    }
}
