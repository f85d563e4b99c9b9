//! How check patterns are compiled: [`Patterns`] collects the distinct patterns of every check
//! (remembering where each was first written, to name it if it is wrong) and compiles them into
//! one [`RegexSet`]; [`LazyRegexes`] holds the single regexes that give evidence spans, each
//! compiled on first use. [`folded`], [`case_insensitive`] and [`ascii_classes`] are the forms a
//! pattern is compiled in.

use std::collections::HashMap;
use std::sync::OnceLock;

use regex::{Regex, RegexSet, RegexSetBuilder};

use crate::core::config::{one_line, Problem};

/// Where a pattern was written: the file (its path and text), the key, and the check using it.
#[derive(Debug, Clone)]
pub(super) struct Origin<'a> {
    pub(super) file: String,
    pub(super) text: &'a str,
    pub(super) key: String,
    pub(super) check: String,
}

/// Deduplicated pattern strings, compiled into one set at the end.
#[derive(Default)]
pub(super) struct Patterns<'a> {
    sources: Vec<String>,
    /// Where each pattern was first written, to name it if it does not compile.
    origins: Vec<Origin<'a>>,
    index: HashMap<String, usize>,
}

impl<'a> Patterns<'a> {
    pub(super) fn add(&mut self, pattern: &str, origin: Origin<'a>) -> usize {
        if let Some(&i) = self.index.get(pattern) {
            return i;
        }
        let i = self.sources.len();
        self.sources.push(pattern.to_string());
        self.origins.push(origin);
        self.index.insert(pattern.to_string(), i);
        i
    }

    /// One set over every pattern; the single regexes (for evidence spans) are built lazily.
    /// Each pattern is parsed once, by the set; only when the set fails is each parsed alone,
    /// to name every pattern (and its file and check) that is wrong.
    pub(super) fn compile(self) -> Result<(RegexSet, LazyRegexes), Vec<Problem>> {
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
            Err(e) => {
                let culprits = self.culprits(&sources);
                if !culprits.is_empty() {
                    return Err(culprits);
                }
                let file = self.origins.first().map(|o| o.file.clone());
                Err(vec![Problem::file(
                    file.unwrap_or_default(),
                    format!("the patterns together do not compile: {}", one_line(&e)),
                )])
            }
        }
    }

    /// Every pattern that does not compile, without building the set (other problems were
    /// found, so there will be no set to build).
    pub(super) fn problems(&self) -> Vec<Problem> {
        let sources: Vec<String> = self.sources.iter().map(|p| folded(p)).collect();
        self.culprits(&sources)
    }

    /// Every pattern that does not parse on its own, as a problem at the key that wrote it.
    fn culprits(&self, compiled: &[String]) -> Vec<Problem> {
        compiled
            .iter()
            .zip(&self.sources)
            .zip(&self.origins)
            .filter_map(|((compiled, written), origin)| {
                let why = pattern_error(compiled)?;
                Some(Problem::at(
                    origin.file.clone(),
                    origin.text,
                    &origin.key,
                    format!("check `{}`: bad pattern `{written}`: {why}", origin.check),
                ))
            })
            .collect()
    }
}

/// Why `pattern` does not parse, in one line (`unclosed group at column 1`); `None` when it does.
pub(crate) fn pattern_error(pattern: &str) -> Option<String> {
    let error = regex_syntax::Parser::new().parse(pattern).err()?;
    Some(match &error {
        regex_syntax::Error::Parse(e) => {
            format!("{} at column {}", e.kind(), e.span().start.column)
        }
        regex_syntax::Error::Translate(e) => {
            format!("{} at column {}", e.kind(), e.span().start.column)
        }
        other => one_line(other),
    })
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
/// [`Normalized`](crate::core::normalize::Normalized), so its letters are lowercased (not those
/// of escapes such as `\B`, `\S` or `\p{Lu}`) instead of compiled case-insensitive. Case folding
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
mod tests {
    use super::{case_insensitive, folded, pattern_error};

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

    #[test]
    fn a_bad_pattern_is_described_in_one_line() {
        assert_eq!(
            pattern_error("(unclosed").as_deref(),
            Some("unclosed group at column 1")
        );
        assert_eq!(pattern_error(r"\bcoffee\b"), None);
    }
}
