//! The tips of `config/tips.toml`: each [`Tip`], the list [`Tips`] with its strict loading and
//! validation, and the seeded pick that serves `/tip`.

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

/// The five check ids, in their canonical order (also the tie-break order when leaning).
pub const CHECK_IDS: [&str; 5] = [
    "reason-for-them",
    "not-free-advice",
    "not-searchable",
    "right-size-ask",
    "right-people",
];

/// The pseudo-check of tips that are about networking in general rather than one check.
pub const GENERAL: &str = "general";

/// Everything that can go wrong while loading a tips file. Every variant names the file, and
/// the tip where there is one.
#[derive(Debug, thiserror::Error)]
pub enum TipsError {
    /// The file could not be read.
    #[error("{file}: cannot read the tips file: {source}")]
    Read {
        file: String,
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid TOML, or its top level is not `[[tip]]` tables.
    #[error("{file}: {message}")]
    Syntax { file: String, message: String },
    /// One `[[tip]]` table has an unknown key, a missing key or a wrong type.
    #[error("{file}: tip `{tip}`: {message}")]
    Tip {
        file: String,
        tip: String,
        message: String,
    },
    /// The id is not kebab-case (lowercase ASCII letters and digits joined by single dashes).
    #[error("{file}: tip `{tip}`: the id must be kebab-case, like `say-what-they-get`")]
    BadId { file: String, tip: String },
    /// Two tips share an id.
    #[error("{file}: tip `{tip}` is defined more than once; ids must be unique")]
    DuplicateId { file: String, tip: String },
    /// The check is not one of the five ids nor `general`.
    #[error(
        "{file}: tip `{tip}`: unknown check `{check}` (expected one of {expected}, or `general`)"
    )]
    UnknownCheck {
        file: String,
        tip: String,
        check: String,
        expected: String,
    },
    /// A text field is present but empty.
    #[error("{file}: tip `{tip}`: `{field}` is empty")]
    Empty {
        file: String,
        tip: String,
        field: &'static str,
    },
    /// The file has no tip at all.
    #[error("{file}: no tips: add at least one `[[tip]]` table")]
    NoTips { file: String },
}

/// One tip as written in `config/tips.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tip {
    /// Stable kebab-case id; stored in [`TipHistory::shown`](super::TipHistory::shown).
    pub id: String,
    /// One of [`CHECK_IDS`] or [`GENERAL`].
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
}

impl Tips {
    /// Reads and validates a tips file.
    pub fn load(path: impl AsRef<Path>) -> Result<Tips, TipsError> {
        let path = path.as_ref();
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| TipsError::Read {
            file: file.clone(),
            source,
        })?;
        Tips::from_str(&text, &file)
    }

    /// Parses and validates tips from TOML text; `source` names the file in errors.
    pub fn from_str(text: &str, source: &str) -> Result<Tips, TipsError> {
        let file = source.to_string();
        let syntax = |message: String| TipsError::Syntax {
            file: file.clone(),
            message,
        };
        let mut table: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| syntax(format!("invalid TOML: {}", e.message())))?;
        let entries = match table.remove("tip") {
            Some(toml::Value::Array(entries)) => entries,
            Some(_) => return Err(syntax("`tip` must be an array of `[[tip]]` tables".into())),
            None => Vec::new(),
        };
        if let Some(key) = table.keys().next() {
            return Err(syntax(format!(
                "unknown top-level key `{key}`; only `[[tip]]` tables are allowed"
            )));
        }
        let mut tips = Vec::with_capacity(entries.len());
        let mut seen = HashSet::new();
        for (index, entry) in entries.into_iter().enumerate() {
            let name = entry
                .get("id")
                .and_then(toml::Value::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| format!("#{} (no id)", index + 1));
            let tip = Tip::deserialize(entry).map_err(|e| TipsError::Tip {
                file: file.clone(),
                tip: name.clone(),
                message: e.message().to_string(),
            })?;
            validate_tip(&tip, &file)?;
            if !seen.insert(tip.id.clone()) {
                return Err(TipsError::DuplicateId { file, tip: tip.id });
            }
            tips.push(tip);
        }
        if tips.is_empty() {
            return Err(TipsError::NoTips { file });
        }
        Ok(Tips { tips })
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

fn validate_tip(tip: &Tip, file: &str) -> Result<(), TipsError> {
    if !is_kebab_case(&tip.id) {
        return Err(TipsError::BadId {
            file: file.to_string(),
            tip: tip.id.clone(),
        });
    }
    if tip.check != GENERAL && !CHECK_IDS.contains(&tip.check.as_str()) {
        return Err(TipsError::UnknownCheck {
            file: file.to_string(),
            tip: tip.id.clone(),
            check: tip.check.clone(),
            expected: CHECK_IDS
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    let fields = [
        ("text", Some(&tip.text)),
        ("before", tip.before.as_ref()),
        ("after", tip.after.as_ref()),
    ];
    for (field, value) in fields {
        if value.is_some_and(|v| v.trim().is_empty()) {
            return Err(TipsError::Empty {
                file: file.to_string(),
                tip: tip.id.clone(),
                field,
            });
        }
    }
    Ok(())
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
