//! One round of edits of a draft: a [`Plan`] holds the draft's sentences and an [`Action`] for
//! each (keep, remove, replace, swap phrases inside it) with what goes before and after it;
//! [`Plan::render`] applies them and tidies the whitespace. The placeholder budget
//! ([`Plan::spend`]) keeps a phrasing to at most two `[slots]`.

use super::draft::{Draft, Role};
use crate::core::judge::Finding;

/// What happens to one sentence.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Action {
    Keep,
    Remove,
    Replace(String),
    /// Phrase swaps inside the sentence: (start, end) relative to the sentence, new words.
    Swap(Vec<(usize, usize, String)>),
}

/// The edits planned for one draft.
pub(super) struct Plan<'a> {
    pub(super) draft: Draft<'a>,
    pub(super) actions: Vec<Action>,
    pub(super) before: Vec<Vec<String>>,
    pub(super) after: Vec<Vec<String>>,
    /// The ask became a favour by message or a paid booking: no easy out needed.
    pub(super) ask_settled: bool,
    /// How many more `[placeholders]` the phrasing may add (two in all).
    pub(super) slots: usize,
}

impl Plan<'_> {
    /// The last sentence of `body` in the same paragraph as sentence `i` (no blank line between).
    pub(super) fn paragraph_end(&self, i: usize, body: &[usize]) -> usize {
        let text = self.draft.text;
        let mut end = i;
        for &j in body.iter().filter(|&&j| j > i) {
            if !body.contains(&j) {
                break;
            }
            let gap = &text[self.draft.sentences[end].span.end..self.draft.sentences[j].span.start];
            if gap.matches('\n').count() >= 2 || j != end + 1 {
                break;
            }
            end = j;
        }
        end
    }

    /// Whether a kept sentence outside `hit` asks a question of its own ("Can we meet?"; a
    /// closing "let me know if you have questions" does not count).
    pub(super) fn other_ask(&self, hit: &[usize]) -> bool {
        (0..self.actions.len()).any(|j| {
            let s = &self.draft.sentences[j];
            !s.frame
                && s.role == Role::Ask
                && self.sentence(j).trim_end().ends_with('?')
                && !hit.contains(&j)
                && self.actions[j] != Action::Remove
        })
    }

    /// Whether sentence `i` asks something and no kept sentence after it does.
    pub(super) fn is_last_ask(&self, i: usize) -> bool {
        self.draft.sentences[i].role == Role::Ask
            && !(i + 1..self.actions.len()).any(|j| {
                let s = &self.draft.sentences[j];
                !s.frame && s.role == Role::Ask && self.actions[j] != Action::Remove
            })
    }

    pub(super) fn sentence(&self, i: usize) -> &str {
        self.draft.sentence(i)
    }

    /// The sentences that hold draft evidence of `f` (see [`Draft::sentences_with_evidence`]).
    pub(super) fn sentences_with_evidence(&self, f: &Finding, frame: bool) -> Vec<usize> {
        self.draft.sentences_with_evidence(f, frame)
    }

    /// `text` as it may go in: its `[placeholders]` kept while the budget lasts, else their
    /// brackets dropped (the hints read as plain words).
    pub(super) fn spend(&mut self, text: String) -> String {
        let n = text.matches('[').count();
        if n <= self.slots {
            self.slots -= n;
            text
        } else {
            text.replace(['[', ']'], "")
        }
    }

    /// The sentences that stay, in order, without the frame (greeting, subject, sign-off).
    pub(super) fn body(&self) -> Vec<usize> {
        (0..self.actions.len())
            .filter(|&i| !self.draft.sentences[i].frame && self.actions[i] != Action::Remove)
            .collect()
    }

    /// Whether sentence `i` is on a line that starts as a list item ("- ", "* ", "• ", "3. ").
    pub(super) fn is_list_item(&self, i: usize) -> bool {
        let text = self.draft.text;
        let start = self.draft.sentences[i].span.start;
        let line = text[text[..start].rfind('\n').map_or(0, |n| n + 1)..].trim_start();
        let numbered = line.trim_start_matches(|c: char| c.is_ascii_digit());
        line.starts_with(['-', '*', '•'])
            || (numbered.len() < line.len() && numbered.starts_with(['.', ')']))
    }

    /// Replaces sentence `i`, keeping its first letter's case when it followed a greeting.
    pub(super) fn replace(&mut self, i: usize, with: &str) {
        let with = &self.spend(with.to_string());
        let starts_lower = self.sentence(i).starts_with(|c: char| c.is_lowercase());
        let with = if starts_lower && !with.starts_with("I ") && !with.starts_with("I'") {
            lower_first(with)
        } else {
            with.to_string()
        };
        self.actions[i] = Action::Replace(with);
    }

    /// The draft with every action applied, whitespace tidied.
    pub(super) fn render(&self) -> String {
        let text = self.draft.text;
        let sentences = &self.draft.sentences;
        let mut out = String::with_capacity(text.len() + 200);
        out.push_str(&text[..sentences.first().map_or(text.len(), |s| s.span.start)]);
        for (i, s) in sentences.iter().enumerate() {
            let gap_end = sentences.get(i + 1).map_or(text.len(), |n| n.span.start);
            let gap = &text[s.span.end..gap_end];
            let mut pieces: Vec<String> = self.before[i].clone();
            let inserted = !pieces.is_empty();
            let own = |t: &str| {
                if inserted {
                    upper_first(t)
                } else {
                    t.to_string()
                }
            };
            match &self.actions[i] {
                Action::Keep => pieces.push(own(&text[s.span.clone()])),
                Action::Remove => {}
                Action::Replace(with) => pieces.push(own(with)),
                Action::Swap(swaps) => {
                    let own = &text[s.span.clone()];
                    let mut swaps = swaps.clone();
                    swaps.sort_by_key(|&(start, _, _)| start);
                    let mut edited = String::with_capacity(own.len() + 80);
                    let mut at = 0;
                    for (start, end, words) in swaps {
                        edited.push_str(&own[at..start]);
                        edited.push_str(&words);
                        at = end;
                    }
                    edited.push_str(&own[at..]);
                    pieces.push(if inserted {
                        upper_first(&edited)
                    } else {
                        edited
                    });
                }
            }
            let new_paragraph = self.after[i].first().is_some_and(|p| p.starts_with('\n'));
            if !self.after[i].is_empty() && !new_paragraph {
                // "Coffee sometime" gets its full stop before the next sentence.
                if let Some(last) = pieces.last_mut() {
                    if !last.ends_with(['.', '!', '?', '…', ':', ')', '"', '\'']) {
                        last.push(full_stop(last));
                    }
                }
            }
            pieces.extend(self.after[i].iter().cloned());
            let pieces: Vec<String> = pieces.into_iter().filter(|p| !p.is_empty()).collect();
            if pieces.is_empty() {
                if gap.contains('\n') {
                    out.push_str(gap);
                }
                continue;
            }
            out.push_str(&pieces.join(" "));
            out.push_str(if gap.is_empty() && i + 1 < sentences.len() {
                " "
            } else {
                gap
            });
        }
        tidy(&out)
    }
}

/// Byte spans of the `[slots]` of a sentence, brackets included.
pub(super) fn slot_spans(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut open = None;
    for (i, c) in text.char_indices() {
        match c {
            '[' => open = Some(i),
            ']' => {
                if let Some(start) = open.take() {
                    out.push((start, i + 1));
                }
            }
            _ => {}
        }
    }
    out
}

/// The distinct `[placeholders]` of a text.
pub(super) fn slots(text: &str) -> usize {
    let mut names: Vec<&str> = text
        .split('[')
        .skip(1)
        .filter_map(|p| p.split(']').next())
        .collect();
    names.sort_unstable();
    names.dedup();
    names.len()
}

/// Trailing spaces, spaces at line starts left by removed sentences, more than one blank line.
pub(super) fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = 0;
    for line in text.trim().lines() {
        let line = line.trim();
        if line.is_empty() {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        out.push_str(&squeeze_spaces(line));
        out.push('\n');
    }
    out.trim_end().to_string()
}

pub(super) fn squeeze_spaces(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut space = false;
    for c in line.chars() {
        if c == ' ' {
            if !space {
                out.push(c);
            }
            space = true;
        } else {
            out.push(c);
            space = false;
        }
    }
    out
}

fn upper_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The mark that ends `sentence` when it has none: `?` for a question ("can I ask you ...",
/// "hi, could you ..."), else `.` ("would really appreciate it", a `[slot]`).
fn full_stop(sentence: &str) -> char {
    const LEAD_INS: [&str; 8] = ["hi", "hey", "hello", "so", "and", "but", "also", "ok"];
    const OPENERS: [&str; 20] = [
        "can", "could", "would", "will", "may", "might", "do", "does", "did", "is", "are",
        "should", "shall", "what", "how", "why", "when", "where", "who", "which",
    ];
    const SUBJECTS: [&str; 10] = [
        "i", "you", "we", "they", "it", "there", "this", "that", "someone", "anyone",
    ];
    if sentence.trim_start().starts_with('[') {
        return '.';
    }
    let mut words = sentence
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .skip_while(|w| LEAD_INS.iter().any(|l| l.eq_ignore_ascii_case(w)));
    let is = |list: &[&str], word: Option<&str>| {
        word.is_some_and(|w| list.iter().any(|l| l.eq_ignore_ascii_case(w)))
    };
    match is(&OPENERS, words.next()) && is(&SUBJECTS, words.next()) {
        true => '?',
        false => '.',
    }
}
