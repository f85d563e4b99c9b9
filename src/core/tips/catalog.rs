//! The tips of `config/tips.toml`: each [`Tip`], the list [`Tips`] with its strict loading and
//! validation (every tip teaches a check actually loaded, or [`GENERAL`]; every problem of every
//! tip is reported), and the seeded pick that serves `/tip`.

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::core::checks::CheckNames;
use crate::core::config::{FileProblems, Problem, Problems};

/// The pseudo-check of tips that are about networking in general rather than one check.
pub const GENERAL: &str = "general";

/// One tip as written in `config/tips.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tip {
    /// Stable kebab-case id; stored in [`TipHistory::shown`](super::TipHistory::shown).
    pub id: String,
    /// The id of a loaded check, or [`GENERAL`].
    pub check: String,
    /// The tip itself, one or two sentences.
    pub text: String,
    /// An example phrasing that the tip warns against.
    #[serde(default)]
    pub before: Option<String>,
    /// The same example, improved.
    #[serde(default)]
    pub after: Option<String>,
}

/// The loaded tips, in file order. Never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tips {
    tips: Vec<Tip>,
    /// The check ids in review order: the tie-break when the schedule leans on failures.
    checks: Vec<String>,
}

impl Tips {
    /// Reads and validates a tips file; `checks` are the checks a tip may teach.
    pub fn load(path: impl AsRef<Path>, checks: &CheckNames) -> Result<Tips, Problems> {
        let path = path.as_ref();
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| Problem::file(file.clone(), format!("cannot read the tips file: {e}")))?;
        Tips::from_str(&text, &file, checks)
    }

    /// Parses and validates tips from TOML text (`source` names the file in problems), each
    /// tip teaching one of `checks` or [`GENERAL`]. Every problem of every tip is reported.
    pub fn from_str(text: &str, source: &str, checks: &CheckNames) -> Result<Tips, Problems> {
        let mut table: toml::Table = text.parse().map_err(|e| Problem::toml(source, text, &e))?;
        let mut found = FileProblems::new(source, text);
        let entries = match table.remove("tip") {
            Some(toml::Value::Array(entries)) => Some(entries),
            Some(_) => {
                found.at("tip", "`tip` must be an array of `[[tip]]` tables");
                None
            }
            None => Some(Vec::new()),
        };
        for key in table.keys() {
            let message =
                format!("unknown top-level key `{key}`; only `[[tip]]` tables are allowed");
            found.at(key.as_str(), message);
        }
        if entries.as_ref().is_some_and(Vec::is_empty) {
            found.whole("no tips: add at least one `[[tip]]` table");
        }
        let mut tips = Vec::new();
        let mut seen = HashSet::new();
        for (index, entry) in entries.into_iter().flatten().enumerate() {
            let key = format!("tip[{index}]");
            let name = entry
                .get("id")
                .and_then(toml::Value::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| format!("#{} (no id)", index + 1));
            let tip = match Tip::deserialize(entry) {
                Ok(tip) => tip,
                Err(e) => {
                    found.at(key, format!("tip `{name}`: {}", e.message()));
                    continue;
                }
            };
            validate_tip(&tip, &key, checks, &mut found);
            if !seen.insert(tip.id.clone()) {
                let message = format!("tip `{name}` is defined more than once; ids must be unique");
                found.at(format!("{key}.id"), message);
            }
            tips.push(tip);
        }
        found.finish(Tips {
            tips,
            checks: checks.ids().to_vec(),
        })
    }

    /// The check ids in review order (the tie-break when leaning on failures).
    pub(super) fn check_order(&self) -> &[String] {
        &self.checks
    }

    /// All tips in file order.
    pub fn all(&self) -> &[Tip] {
        &self.tips
    }

    /// The tip with this id.
    pub fn get(&self, id: &str) -> Option<&Tip> {
        self.tips.iter().find(|t| t.id == id)
    }

    /// How many tips there are (at least one).
    pub fn len(&self) -> usize {
        self.tips.len()
    }

    /// Always false: loading rejects an empty file.
    pub fn is_empty(&self) -> bool {
        self.tips.is_empty()
    }

    /// A tip for `/tip`, chosen from `seed` (the adapter passes a random seed; the same seed
    /// always gives the same tip).
    pub fn random_pick(&self, seed: u64) -> &Tip {
        // `Tips` is never empty (checked at load), so the index is in range.
        let len = self.tips.len().max(1) as u64;
        let index = (splitmix64(seed) % len) as usize;
        &self.tips[index.min(self.tips.len().saturating_sub(1))]
    }
}

/// What is wrong with one tip (at `key`, e.g. `tip[4]`) goes to `found`.
fn validate_tip(tip: &Tip, key: &str, checks: &CheckNames, found: &mut FileProblems) {
    let say = |message: &str| format!("tip `{}`: {message}", tip.id);
    if !is_kebab_case(&tip.id) {
        let message = say("the id must be kebab-case, like `say-what-they-get`");
        found.at(format!("{key}.id"), message);
    }
    if tip.check != GENERAL {
        if let Some(why) = checks.unknown_check(&tip.check) {
            let message = say(&format!("{why}, or `{GENERAL}`"));
            found.at(format!("{key}.check"), message);
        }
    }
    let fields = [
        ("text", Some(&tip.text)),
        ("before", tip.before.as_ref()),
        ("after", tip.after.as_ref()),
    ];
    for (field, value) in fields {
        if value.is_some_and(|v| v.trim().is_empty()) {
            found.at(
                format!("{key}.{field}"),
                say(&format!("`{field}` is empty")),
            );
        }
    }
}

fn is_kebab_case(id: &str) -> bool {
    !id.is_empty()
        && id.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// A well-mixed 64-bit hash of the seed, so nearby seeds give unrelated picks.
fn splitmix64(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
