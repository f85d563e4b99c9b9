//! Which drafts the checks can read: [`foreign_language`] names the language of a draft that
//! is clearly not English, so the review can say so instead of judging words it cannot read.
//!
//! Most drafts are English and are recognised by their function words without running the
//! identifier; the rest go to `whatlang`, a trigram language identifier, and count as foreign
//! only when it is confident. Placeholders (`[Name]`), addresses and short texts never make a
//! draft foreign.

/// English function words that other languages written in Latin letters rarely use: a share
/// of them in a text means it is English.
const ENGLISH: [&str; 36] = [
    "the", "and", "to", "of", "you", "your", "for", "is", "my", "would", "with", "it", "that",
    "be", "have", "are", "i'm", "i'd", "i've", "we", "this", "at", "about", "if", "can", "could",
    "love", "like", "from", "hi", "thanks", "will", "what", "how", "was", "just",
];

/// The name of the language `text` is written in, when it is confidently not English.
pub fn foreign_language(text: &str) -> Option<&'static str> {
    let (mut words, mut english) = (0usize, 0usize);
    for word in text
        .split(|c: char| !(c.is_alphabetic() || c == '\'' || c == '’'))
        .filter(|w| !w.is_empty())
    {
        words += 1;
        let is_english = ENGLISH.iter().any(|e| e.eq_ignore_ascii_case(word));
        english += usize::from(is_english);
        // Plenty of English function words early on: no need to read further.
        if english >= 6 && english * 8 >= words {
            return None;
        }
    }
    if words < 4 || english * 8 >= words {
        return None;
    }
    let info = whatlang::detect(&without_placeholders(text))?;
    (info.lang() != whatlang::Lang::Eng && info.is_reliable()).then(|| info.lang().eng_name())
}

/// The text without `[placeholders]`, `{fields}` and web addresses, which carry no language.
fn without_placeholders(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut depth = 0u32;
    for word in text.split_inclusive(char::is_whitespace) {
        if word.starts_with("http") || word.contains('@') {
            continue;
        }
        for c in word.chars() {
            match c {
                '[' | '{' => depth += 1,
                ']' | '}' => depth = depth.saturating_sub(1),
                _ if depth == 0 => out.push(c),
                _ => {}
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_drafts_are_read() {
        for draft in [
            "Hi Maya, I bought your book and would love to sit down with you over coffee.",
            "Quick question: is the SQL test timed?",
            "Hey [NAME], saw your talk at [EVENT]. Coffee sometime?",
            "Grüß dich",
        ] {
            assert_eq!(foreign_language(draft), None, "{draft}");
        }
    }

    #[test]
    fn other_languages_are_named() {
        assert_eq!(
            foreign_language(
                "Hola Marta, leí tu libro sobre cambiar de carrera y me encantaría invitarte a un café para hablar de tu experiencia."
            ),
            Some("Spanish")
        );
        assert_eq!(
            foreign_language(
                "Hola Marta, leí tu libro sobre cambiar de carrera y me encantaría invitarte a un café para que me cuentes tu experiencia."
            ),
            Some("Spanish")
        );
        assert_eq!(
            foreign_language(
                "Bonjour Claire, j'ai lu votre article sur la reconversion et j'aimerais beaucoup prendre un café avec vous."
            ),
            Some("French")
        );
    }
}
