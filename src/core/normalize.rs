//! What the patterns read: the draft after Unicode clean-up and case folding, with a map back
//! to the original.
//!
//! [`Normalized::new`] applies NFKC, turns every kind of space into a plain space (line and
//! paragraph separators into `\n`), removes zero-width and bidi control characters and the
//! soft hyphen, and straightens curly quotes and apostrophes, so that "pick your brain" pasted
//! with a non-breaking space or a zero-width joiner between two words reads as typed. Letters
//! are lowercased, so the patterns are compiled in lower case instead of case-insensitive
//! (which made them three times slower to compile). Every
//! byte of the normalized text remembers the original bytes it came from, so
//! [`Normalized::original`] turns a span found in the normalized text back into a span of the
//! member's own text, which is what the evidence quotes. Plain ASCII text (most drafts) keeps
//! its byte offsets, so it needs no map at all (and is borrowed when already in lower case).

use std::borrow::Cow;
use std::ops::Range;

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// A text as the patterns read it, and the way back to the text as written.
#[derive(Debug, Clone)]
pub struct Normalized<'a> {
    /// The normalized text.
    pub text: Cow<'a, str>,
    /// For each byte of `text`, the original bytes of the character it came from; empty when
    /// `text` is the original.
    map: Vec<Range<u32>>,
}

impl<'a> Normalized<'a> {
    /// Normalizes `original`; ASCII text without control characters is only lowercased.
    pub fn new(original: &'a str) -> Normalized<'a> {
        let plain = original
            .bytes()
            .all(|b| b.is_ascii() && (b >= b' ' || b == b'\n' || b == b'\r'));
        if plain {
            let text = match original.bytes().any(|b| b.is_ascii_uppercase()) {
                true => Cow::Owned(original.to_ascii_lowercase()),
                false => Cow::Borrowed(original),
            };
            return Normalized {
                text,
                map: Vec::new(),
            };
        }
        let mut text = String::with_capacity(original.len());
        let mut map = Vec::with_capacity(original.len());
        let mut unit = String::new();
        let mut chars = original.char_indices().peekable();
        while let Some((start, c)) = chars.next() {
            // A base character and the combining marks after it normalize together.
            let mut end = start + c.len_utf8();
            while let Some(&(at, next)) = chars.peek() {
                if !is_combining_mark(next) {
                    break;
                }
                end = at + next.len_utf8();
                chars.next();
            }
            let before = text.len();
            unit.clear();
            push_normalized(&original[start..end], c, &mut unit);
            text.extend(unit.chars().flat_map(char::to_lowercase));
            let source = start as u32..end as u32;
            map.extend(std::iter::repeat_n(source, text.len() - before));
        }
        Normalized {
            text: Cow::Owned(text),
            map,
        }
    }

    /// The span of the original text that `span` of the normalized text came from.
    pub fn original(&self, span: Range<usize>) -> Range<usize> {
        if self.map.is_empty() || span.is_empty() {
            return span;
        }
        let start = self
            .map
            .get(span.start)
            .map_or(span.start, |r| r.start as usize);
        let end = self
            .map
            .get(span.end - 1)
            .map_or(span.end, |r| r.end as usize);
        start..end.max(start)
    }
}

/// Appends the normalized form of one character (with its combining marks) to `out`.
fn push_normalized(unit: &str, first: char, out: &mut String) {
    match first {
        '\u{00AD}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}'
        | '\u{FEFF}' => {}
        '\u{2028}' | '\u{2029}' | '\u{0085}' => out.push('\n'),
        '\n' | '\r' => out.push(first),
        '\t' => out.push(' '),
        c if c.is_whitespace() => out.push(' '),
        c if c.is_control() => {}
        '‘' | '’' | '‚' | '‛' | '′' | '`' | '´' => out.push('\''),
        '“' | '”' | '„' | '‟' | '″' | '«' | '»' => out.push('"'),
        '‐' | '‑' | '‒' | '–' | '—' | '―' => out.push('-'),
        c if c.is_ascii() && unit.len() == 1 => out.push(c),
        _ => out.extend(unit.nfkc()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowercase_ascii_is_borrowed() {
        let n = Normalized::new("pick your brain");
        assert!(matches!(n.text, Cow::Borrowed(_)));
        assert_eq!(n.original(5..9), 5..9);
    }

    #[test]
    fn letters_are_lowercased_in_place() {
        let n = Normalized::new("Pick YOUR Brain");
        assert_eq!(n.text, "pick your brain");
        assert_eq!(n.original(5..9), 5..9);
        let original = "\u{c9}COLE \u{a0}Normale";
        let n = Normalized::new(original);
        assert_eq!(n.text, "\u{e9}cole  normale");
        let at = n.text.find("normale").unwrap_or_default();
        assert_eq!(&original[n.original(at..at + 7)], "Normale");
    }

    #[test]
    fn hidden_characters_between_words_are_removed_and_spaces_unified() {
        let n = Normalized::new("pick\u{a0}your\u{200b} brain");
        assert_eq!(n.text, "pick your brain");
        let original = "pick\u{a0}your\u{200b} brain";
        let span = n.original(0..n.text.len());
        assert_eq!(&original[span], original);
    }

    #[test]
    fn curly_quotes_and_full_width_letters_are_plain() {
        let n = Normalized::new("I\u{2019}d love ｃｏｆｆｅｅ");
        assert_eq!(n.text, "i'd love coffee");
        let original = "I\u{2019}d love ｃｏｆｆｅｅ";
        let at = n.text.find("coffee").unwrap_or_default();
        assert_eq!(&original[n.original(at..at + 6)], "ｃｏｆｆｅｅ");
    }

    #[test]
    fn combining_marks_compose() {
        let n = Normalized::new("re\u{301}sume\u{301}");
        assert_eq!(n.text, "résumé");
    }
}
