//! Path text as tokens: lowercase words without stop words, lightly stemmed, sorted and
//! deduplicated, for a goal ([`path_tokens`]) or a whole profile ([`profile_path_tokens`]).

use crate::core::profile::Profile;

/// Version of [`path_tokens`]. The store keeps a token index built with it; bump this whenever
/// the normalisation changes so the store rebuilds the index at start-up.
pub const PATH_TOKENS_VERSION: u32 = 1;

/// Words that say nothing about a path.
const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "as", "at", "be", "become", "by", "career", "for", "from", "get", "in",
    "into", "i", "is", "it", "job", "me", "my", "new", "of", "on", "or", "role", "some", "the",
    "to", "towards", "via", "want", "with",
];

/// Normalises path text into tokens: lowercase, punctuation as separators, stop words dropped,
/// a light stemming ("researchers" and "research", "teaching" and "teacher" meet), sorted and
/// deduplicated. The store indexes profiles by these tokens; see [`PATH_TOKENS_VERSION`].
pub fn path_tokens(text: &str) -> Vec<String> {
    let mut tokens: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .filter(|w| !STOP_WORDS.contains(&w.as_str()))
        .map(|w| stem(&w))
        .filter(|w| !w.is_empty())
        .collect();
    tokens.sort();
    tokens.dedup();
    tokens
}

/// Every path token of a profile: its move's both sides, field and role.
pub fn profile_path_tokens(profile: &Profile) -> Vec<String> {
    let mut tokens: Vec<String> = [
        profile.move_to.as_deref(),
        profile.move_from.as_deref(),
        Some(profile.field.as_str()),
        Some(profile.role.as_str()),
    ]
    .into_iter()
    .flatten()
    .flat_map(path_tokens)
    .collect();
    tokens.sort();
    tokens.dedup();
    tokens
}

fn stem(word: &str) -> String {
    let mut w = word.to_string();
    let chars = |s: &str| s.chars().count();
    if w.ends_with("ies") && chars(&w) > 4 {
        w.truncate(w.len() - 3);
        w.push('y');
    } else if w.ends_with('s') && !w.ends_with("ss") && chars(&w) > 3 {
        w.pop();
    }
    for suffix in ["ing", "ment", "er", "or", "ed"] {
        if w.ends_with(suffix) && chars(&w) >= suffix.len() + 3 {
            w.truncate(w.len() - suffix.len());
            break;
        }
    }
    if w.ends_with('e') && chars(&w) > 3 {
        w.pop();
    }
    w
}
