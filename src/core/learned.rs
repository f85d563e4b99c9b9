//! A learned signal beside the rules: for each check it names, a logistic model over the words
//! of the draft and the pairs of words in a row, trained from the labelled real requests
//! (`cargo run --release --example train_learned`) and kept in `config/checks/_learned.toml`.
//! Where the rules neither failed a check nor found a sign that it passes, and the model is
//! confident it fails (its probability at or above the check's `threshold`, with the words
//! pushing past the base rate), the check fails with the rule name [`LEARNED_RULE`], quoting
//! the draft's strongest pairs of words as evidence.
//!
//! The model reads the draft as the patterns do ([`Normalized`](super::normalize::Normalized):
//! lowercased, spaces and quotes made plain), so its evidence maps back to the member's text.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

use serde::Deserialize;

use super::checks::CheckNames;
use super::config::{quoted, FileProblems, Problems};
use super::judge::{Finding, Status};

/// The rule name of a failure the learned signal reported.
pub const LEARNED_RULE: &str = "learned";

/// The most pairs of words a learned failure quotes.
const MAX_EVIDENCE: usize = 3;

/// The least weight a pair of words needs to be quoted: below it, a pair ("and I've", "on the")
/// tells the member nothing, and a check with nothing to quote does not fail.
const MIN_EVIDENCE: f32 = 0.15;

/// The weights of every check the signal reads (`config/checks/_learned.toml`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Learned {
    /// One model per check; checks without one are left to the rules.
    #[serde(default, rename = "check")]
    pub checks: Vec<LearnedCheck>,
}

/// One check's logistic model.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LearnedCheck {
    /// The check id, e.g. `not-searchable`.
    pub id: String,
    /// The log-odds of failing before any feature.
    pub bias: f32,
    /// The probability of failing at or above which the check fails.
    pub threshold: f32,
    /// The weight of each feature: a word (`learn`) or two words in a row (`learn more`).
    pub weights: HashMap<String, f32>,
}

/// A feature of one draft, and where it first occurs in the normalized text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feature<'a> {
    /// The word, or the two words with one space between them.
    pub name: Cow<'a, str>,
    pub span: Range<usize>,
}

/// The distinct features of `text` (normalized, as [`Normalized`](super::normalize::Normalized)
/// gives it): each word and each two words in a row within a sentence, in order of first
/// occurrence. Names are borrowed from `text` where it spells them (a word; two words one space
/// apart).
pub fn features(text: &str) -> Vec<Feature<'_>> {
    // Every occurrence in reading order: each word, then the pair it ends.
    let mut all: Vec<Feature> = Vec::new();
    let mut previous: Option<Range<usize>> = None;
    for (word, breaks) in words(text) {
        if breaks {
            previous = None;
        }
        all.push(Feature {
            name: Cow::Borrowed(&text[word.clone()]),
            span: word.clone(),
        });
        if let Some(before) = previous {
            let span = before.start..word.end;
            let name = match &text[before.end..word.start] {
                " " => Cow::Borrowed(&text[span.clone()]),
                _ => Cow::Owned(format!("{} {}", &text[before], &text[word.clone()])),
            };
            all.push(Feature { name, span });
        }
        previous = Some(word);
    }
    // The first occurrence of each name: a stable sort keeps repeats in reading order.
    let mut read: Vec<(usize, Feature)> = all.into_iter().enumerate().collect();
    read.sort_by(|a, b| a.1.name.cmp(&b.1.name));
    read.dedup_by(|later, first| later.1.name == first.1.name);
    read.sort_unstable_by_key(|&(i, _)| i);
    read.into_iter().map(|(_, f)| f).collect()
}

/// The words of `text` (runs of letters, digits and inner apostrophes), each with whether a
/// sentence or line ended since the word before.
fn words(text: &str) -> impl Iterator<Item = (Range<usize>, bool)> + '_ {
    let mut rest = text.char_indices().peekable();
    let mut broke = false;
    std::iter::from_fn(move || {
        while let Some(&(_, c)) = rest.peek() {
            if c.is_alphanumeric() {
                break;
            }
            broke |= matches!(c, '.' | '!' | '?' | '\n' | ';' | ':');
            rest.next();
        }
        let &(start, _) = rest.peek()?;
        let mut end = start;
        while let Some(&(at, c)) = rest.peek() {
            let inner = c == '\'' && text[at + 1..].starts_with(char::is_alphanumeric);
            if !(c.is_alphanumeric() || inner) {
                break;
            }
            end = at + c.len_utf8();
            rest.next();
        }
        let breaks = std::mem::take(&mut broke);
        Some((start..end, breaks))
    })
}

impl LearnedCheck {
    /// The log-odds that a draft with the distinct features `names` fails this check.
    pub fn score<'n>(&self, names: impl IntoIterator<Item = &'n str>) -> f32 {
        self.bias
            + names
                .into_iter()
                .filter_map(|name| self.weights.get(name))
                .sum::<f32>()
    }

    /// The spans (in the normalized text) of the pairs of words that pushed hardest towards
    /// failing: a single word ("your", "me") says nothing to the member on its own.
    fn strongest(&self, features: &[Feature]) -> Vec<Range<usize>> {
        let mut pushing: Vec<(f32, &Range<usize>)> = features
            .iter()
            .filter(|f| f.name.contains(' '))
            .filter_map(|f| Some((*self.weights.get(f.name.as_ref())?, &f.span)))
            .filter(|(w, _)| *w >= MIN_EVIDENCE)
            .collect();
        pushing.sort_by(|a, b| b.0.total_cmp(&a.0));
        pushing
            .into_iter()
            .take(MAX_EVIDENCE)
            .map(|(_, span)| span.clone())
            .collect()
    }
}

/// The probability of a log-odds.
pub fn probability(log_odds: f32) -> f32 {
    1.0 / (1.0 + (-log_odds).exp())
}

impl Learned {
    /// Reads `_learned.toml` (named `file` in problems); every model must name a known check
    /// once, with a threshold between 0 and 1.
    pub fn parse(text: &str, file: &str, names: &CheckNames) -> Result<Learned, Problems> {
        let mut found = FileProblems::new(file, text);
        let Ok(learned) = toml::from_str::<Learned>(text).map_err(|e| found.toml(&e)) else {
            return Err(Problems(found.into_vec()));
        };
        for (i, model) in learned.checks.iter().enumerate() {
            if let Some(unknown) = names.unknown_check(&model.id) {
                found.at(format!("check[{i}].id"), unknown);
            } else if learned.checks[..i].iter().any(|m| m.id == model.id) {
                found.at(
                    format!("check[{i}].id"),
                    format!("{} has a model already", quoted(&[&model.id])),
                );
            }
            if !(0.0..=1.0).contains(&model.threshold) {
                found.at(
                    format!("check[{i}].threshold"),
                    "the threshold is a probability, between 0 and 1",
                );
            }
        }
        found.finish(learned)
    }

    /// Whether any check has a model.
    pub fn is_empty(&self) -> bool {
        self.checks.is_empty()
    }

    /// For each check open to the signal (`open[i]`, in the order of `findings`) whose model is
    /// confident it fails, its index and the spans (in `text`, normalized) of the words to
    /// quote (a model with no pair of words to quote does not fail the check).
    pub fn fails(
        &self,
        text: &str,
        findings: &[Finding],
        open: &[bool],
    ) -> Vec<(usize, Vec<Range<usize>>)> {
        let models: Vec<(usize, &LearnedCheck)> = findings
            .iter()
            .enumerate()
            .filter(|&(i, f)| open.get(i) == Some(&true) && f.status != Status::Failed)
            .filter_map(|(i, f)| Some((i, self.checks.iter().find(|m| m.id == f.id)?)))
            .collect();
        if models.is_empty() {
            return Vec::new();
        }
        let features = features(text);
        // The words must push towards failing on their own, beyond the base rate in `bias`:
        // most requests fail most checks, and a draft that says nothing of the kind (a
        // congratulation) must not fail on the base rate alone.
        models
            .into_iter()
            .filter(|(_, m)| {
                let score = m.score(features.iter().map(|f| f.name.as_ref()));
                score > m.bias && probability(score) >= m.threshold
            })
            .map(|(i, m)| (i, m.strongest(&features)))
            .filter(|(_, spans)| !spans.is_empty())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<String> {
        features(text)
            .into_iter()
            .map(|f| f.name.into_owned())
            .collect()
    }

    #[test]
    fn features_are_words_and_pairs_within_a_sentence() {
        assert_eq!(
            names("i'd love to. learn more"),
            [
                "i'd",
                "love",
                "i'd love",
                "to",
                "love to",
                "learn",
                "more",
                "learn more"
            ]
        );
        // Repeats count once; apostrophes at a word's edge are not part of it.
        assert_eq!(names("'yes' yes"), ["yes", "yes yes"]);
    }

    #[test]
    fn a_confident_model_quotes_its_strongest_words() {
        let model = LearnedCheck {
            id: "not-searchable".into(),
            bias: -2.0,
            threshold: 0.5,
            weights: [
                ("learn more".to_string(), 2.0),
                ("more about".to_string(), 0.2),
                ("learn".to_string(), 0.5),
            ]
            .into_iter()
            .collect(),
        };
        let learned = Learned {
            checks: vec![model],
        };
        let finding = |status| Finding {
            id: "not-searchable".into(),
            title: String::new(),
            status,
            evidence: Vec::new(),
            reason: String::new(),
            hint: None,
            rule: None,
        };
        let text = "i'd like to learn more about you";
        let fails = learned.fails(text, &[finding(Status::NotJudged)], &[true]);
        assert_eq!(fails.len(), 1);
        let quoted: Vec<&str> = fails[0].1.iter().map(|s| &text[s.clone()]).collect();
        assert_eq!(quoted, ["learn more", "more about"]);
        // A check the rules already failed, or found a sign of passing in, is theirs; a weak
        // score passes.
        assert!(learned
            .fails(text, &[finding(Status::Failed)], &[true])
            .is_empty());
        assert!(learned
            .fails(text, &[finding(Status::Passed)], &[false])
            .is_empty());
        let weak = "tell me about it";
        assert!(learned
            .fails(weak, &[finding(Status::Passed)], &[true])
            .is_empty());
    }

    #[test]
    fn the_file_names_known_checks_once_with_a_probability() {
        let names = CheckNames::new(&["not-searchable", "right-people"], &[]);
        let model = |id: &str, threshold: f32| {
            format!("[[check]]\nid = \"{id}\"\nbias = 0.0\nthreshold = {threshold}\n[check.weights]\n\"a b\" = 1.0\n")
        };
        let good = model("not-searchable", 0.6);
        let learned = Learned::parse(&good, "_learned.toml", &names).unwrap();
        assert_eq!(learned.checks[0].weights["a b"], 1.0);
        let bad = format!(
            "{good}{}{}",
            model("not-searchable", 0.5),
            model("nope", 1.5)
        );
        let problems = Learned::parse(&bad, "_learned.toml", &names).unwrap_err().0;
        let messages: Vec<String> = problems.iter().map(|p| p.message.clone()).collect();
        assert_eq!(messages.len(), 3, "{messages:?}");
        assert!(messages[0].contains("has a model already"), "{messages:?}");
        assert!(messages[1].contains("unknown check `nope`"), "{messages:?}");
        assert!(messages[2].contains("between 0 and 1"), "{messages:?}");
        assert!(Learned::parse("[[check]]\nid = 1", "_learned.toml", &names).is_err());
    }
}
