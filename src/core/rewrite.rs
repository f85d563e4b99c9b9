//! The better phrasing: [`Rewriter::rewrite`] turns a draft and its findings into a request that
//! keeps the sender's specifics and repairs every failed check.
//!
//! The [`Rewriter`] holds the templates of `config/rewrite.toml` and a few compiled extractors
//! ([`Specifics`]: the greeting, what of theirs the sender read or heard, the topic, the person
//! they want an introduction to, their one question). The draft's sentences that triggered no
//! failure are kept as they are; the ones that did are dropped and replaced by the repairs and a
//! concrete, time-bounded ask with an easy out. The result is checked again and repaired until
//! no check that the text can judge fails (a few rounds at most), and kept to about 50-125 words.

use std::collections::BTreeMap;
use std::path::Path;

use regex::{Regex, RegexSet};
use serde::Deserialize;

use super::checks::{CheckSet, ConfigError};
use super::review::{judge, sentences, Finding, Source, Status};

/// The most words the better phrasing aims for.
pub const MAX_WORDS: usize = 125;
/// The fewest words the better phrasing aims for before adding a line about the sender.
pub const MIN_WORDS: usize = 50;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Templates {
    greeting: String,
    introduce_yourself: String,
    content: String,
    easy_out: String,
    easy_out_present: Vec<String>,
    repairs: BTreeMap<String, String>,
    asks: Asks,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Asks {
    meeting: String,
    message: String,
    intro: String,
    question: String,
    feedback: String,
    vouch: String,
    standing: String,
    paid: String,
}

/// Writes the better phrasing from the templates in `config/rewrite.toml`.
#[derive(Debug, Clone)]
pub struct Rewriter {
    templates: Templates,
    easy_out_present: RegexSet,
    extract: Extractors,
}

#[derive(Debug, Clone)]
struct Extractors {
    greeting: Regex,
    content: Regex,
    topic: Regex,
    target: Regex,
    question: Regex,
    meeting: Regex,
    sign_off: Regex,
}

/// What the draft says that the better phrasing must keep.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Specifics {
    /// The greeting with the person's name, e.g. "Hi Tamar,".
    pub greeting: Option<String>,
    /// What of theirs the sender read or heard: ("heard", "podcast on school budgets").
    pub content: Option<(String, String)>,
    /// What the request is about, e.g. "onboarding design".
    pub topic: Option<String>,
    /// Who the sender wants an introduction to.
    pub target: Option<String>,
    /// The sender's one question.
    pub question: Option<String>,
    /// The closing and signature on their own lines ("Best,\nIlse"), kept at the end.
    pub sign_off: Option<String>,
    /// The bytes of the draft between the greeting and the sign-off.
    pub body: std::ops::Range<usize>,
}

/// The kind of ask the better phrasing ends with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ask {
    Meeting,
    Message,
    Keep,
    Intro,
    Question,
    Feedback,
    Vouch,
    Standing,
    /// Ask how to book the professional's paid time instead of a free meeting.
    Paid,
}

impl Rewriter {
    /// Loads `rewrite.toml`.
    pub fn load(path: &Path) -> Result<Rewriter, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Rewriter::from_str(&text, path)
    }

    /// Parses the templates from text; `path` names the source in errors.
    pub fn from_str(text: &str, path: &Path) -> Result<Rewriter, ConfigError> {
        let parse = |message: String| ConfigError::Parse {
            path: path.to_path_buf(),
            message,
        };
        let templates: Templates = toml::from_str(text).map_err(|e| parse(e.to_string()))?;
        let easy_out_present = RegexSet::new(
            templates
                .easy_out_present
                .iter()
                .map(|p| format!("(?i){p}")),
        )
        .map_err(|e| parse(format!("easy_out_present: {e}")))?;
        Ok(Rewriter {
            templates,
            easy_out_present,
            extract: Extractors::new(),
        })
    }

    /// The ids of checks that have a repair sentence, for `check-config`.
    pub fn repaired_checks(&self) -> impl Iterator<Item = &str> {
        self.templates.repairs.keys().map(String::as_str)
    }

    /// Pulls the sender's specifics out of the draft.
    pub fn specifics(&self, draft: &str) -> Specifics {
        self.extract.specifics(draft)
    }

    /// The better phrasing of `draft`, given its findings.
    pub fn rewrite(
        &self,
        draft: &str,
        recipient: Option<&str>,
        findings: &[Finding],
        checks: &CheckSet,
    ) -> String {
        let draft = draft.trim();
        if draft.is_empty() {
            return String::new();
        }
        // A failure that only the recipient decides (right-people) is not fixed by rewording.
        if !findings
            .iter()
            .any(|f| f.status == Status::Failed && !recipient_only(f))
        {
            return self.polish(draft);
        }
        let specifics = self.specifics(draft);
        let mut plan = Plan {
            failed: findings
                .iter()
                .filter(|f| f.status == Status::Failed)
                .map(|f| f.id.clone())
                .collect(),
            ask: self.choose_ask(draft, findings),
            dropped: Vec::new(),
            forced: Vec::new(),
        };
        // Sentences carrying evidence of a failure are dropped; the others are kept as written.
        let mut kept: Vec<String> = self.body_sentences(draft, specifics.body.clone(), findings);
        let mut text = self.compose(&specifics, &kept, &plan);
        for _ in 0..3 {
            let again = judge(&text, recipient, checks);
            let still: Vec<&Finding> = again
                .iter()
                .filter(|f| f.status == Status::Failed && !recipient_only(f))
                .collect();
            if still.is_empty() {
                break;
            }
            for finding in still {
                if !plan.failed.contains(&finding.id) {
                    plan.failed.push(finding.id.clone());
                }
                if !plan.forced.contains(&finding.id) {
                    plan.forced.push(finding.id.clone());
                }
                for e in finding
                    .evidence
                    .iter()
                    .filter(|e| e.source == Source::Draft)
                {
                    plan.dropped.push(e.text.to_lowercase());
                }
            }
            kept.retain(|s| {
                let lower = s.to_lowercase();
                !plan.dropped.iter().any(|d| lower.contains(d.as_str()))
            });
            text = self.compose(&specifics, &kept, &plan);
        }
        text
    }

    /// A draft that passed every check: kept as written, with an easy out if it has none.
    fn polish(&self, draft: &str) -> String {
        if self.easy_out_present.is_match(draft) {
            return draft.to_string();
        }
        match self.extract.sign_off(draft) {
            Some(at) => format!(
                "{} {}\n\n{}",
                draft[..at].trim_end(),
                self.templates.easy_out,
                draft[at..].trim()
            ),
            None => format!("{draft} {}", self.templates.easy_out),
        }
    }

    fn choose_ask(&self, draft: &str, findings: &[Finding]) -> Ask {
        let failed = |id: &str| {
            findings
                .iter()
                .find(|f| f.id == id && f.status == Status::Failed)
        };
        if let Some(f) = failed("right-size-ask") {
            let words: String = f
                .evidence
                .iter()
                .map(|e| e.text.to_lowercase())
                .collect::<Vec<_>>()
                .join(" ");
            return match f.rule.as_deref() {
                Some("vouch-from-a-stranger") => Ask::Vouch,
                Some("standing-mentorship") => Ask::Standing,
                _ if words.contains("intro") => Ask::Intro,
                _ if words.contains("feedback") => Ask::Feedback,
                _ if words.contains("question") => Ask::Question,
                _ => Ask::Message,
            };
        }
        let paid_service = failed("not-free-advice").is_some_and(|f| {
            matches!(
                f.rule.as_deref(),
                Some("advice-from-a-professional" | "review-my-stuff")
            )
        });
        if paid_service {
            Ask::Paid
        } else if self.extract.meeting.is_match(draft) {
            Ask::Meeting
        } else if sentences(draft).last().is_some_and(|s| s.ends_with('?')) {
            Ask::Keep
        } else {
            Ask::Message
        }
    }

    /// The draft's sentences after the greeting, minus the ones with failure evidence, within
    /// the word budget (preferring sentences about the recipient or with concrete details).
    fn body_sentences(
        &self,
        draft: &str,
        body: std::ops::Range<usize>,
        findings: &[Finding],
    ) -> Vec<String> {
        let evidence: Vec<(usize, usize)> = findings
            .iter()
            .filter(|f| f.status == Status::Failed)
            .flat_map(|f| f.evidence.iter())
            .filter(|e| e.source == Source::Draft)
            .map(|e| (e.start, e.end))
            .collect();
        // The greeting (kept in `specifics`, or dropped when it names nobody) is not body text.
        let (body_start, body_end) = (body.start, body.end);
        let mut out = Vec::new();
        let mut words = 0;
        for (start, sentence) in sentence_spans(draft) {
            let end = start + sentence.len();
            if end <= body_start || start >= body_end {
                continue;
            }
            let sentence = if start < body_start {
                draft[body_start..end].trim_start_matches([',', '!', ' ', '.'])
            } else {
                sentence
            };
            if sentence.is_empty() || evidence.iter().any(|&(s, e)| s < end && start < e) {
                continue;
            }
            let n = word_count(sentence);
            if words + n > MAX_WORDS / 2 {
                break;
            }
            words += n;
            out.push(capitalise(sentence));
        }
        out
    }

    fn compose(&self, specifics: &Specifics, kept: &[String], plan: &Plan) -> String {
        let t = &self.templates;
        let topic = specifics.topic.as_deref().unwrap_or("this");
        let fill = |template: &str| -> String {
            let (verb, content) = specifics
                .content
                .as_ref()
                .map(|(v, c)| (v.as_str(), c.as_str()))
                .unwrap_or(("read", "work"));
            template
                .replace("{topic}", topic)
                .replace("{verb}", verb)
                .replace("{content}", content)
                .replace(
                    "{target}",
                    specifics
                        .target
                        .as_deref()
                        .unwrap_or("[the person or team you want to reach]"),
                )
                .replace(
                    "{question}",
                    specifics
                        .question
                        .as_deref()
                        .unwrap_or("[your one question, in a line]"),
                )
        };
        let mut parts: Vec<String> = Vec::new();
        let kept_text = kept.join(" ").to_lowercase();
        if let Some((_, content)) = &specifics.content {
            if !kept_text.contains(&content.to_lowercase()) {
                parts.push(fill(&t.content));
            }
        }
        parts.extend(kept.iter().cloned());
        // An offer matters when asking for time; a quick favour by message needs none.
        let asks_for_time = matches!(plan.ask, Ask::Meeting | Ask::Standing | Ask::Keep);
        for id in &plan.failed {
            if id == "reason-for-them" && !asks_for_time && !plan.forced.contains(id) {
                continue;
            }
            // Asking to book the paid service is the repair itself.
            if id == "not-free-advice" && plan.ask == Ask::Paid && !plan.forced.contains(id) {
                continue;
            }
            if let Some(repair) = t.repairs.get(id).filter(|r| !r.is_empty()) {
                parts.push(fill(repair));
            }
        }
        let ask = match plan.ask {
            Ask::Meeting => Some(&t.asks.meeting),
            Ask::Message => Some(&t.asks.message),
            Ask::Keep => None,
            Ask::Intro => Some(&t.asks.intro),
            Ask::Question => Some(&t.asks.question),
            Ask::Feedback => Some(&t.asks.feedback),
            Ask::Vouch => Some(&t.asks.vouch),
            Ask::Standing => Some(&t.asks.standing),
            Ask::Paid => Some(&t.asks.paid),
        };
        let has_question = parts.last().is_some_and(|p| p.trim_end().ends_with('?'));
        // The member's own time-bounded meeting question, kept as written, is the ask.
        let own_meeting_ask = plan.ask == Ask::Meeting
            && kept
                .last()
                .is_some_and(|k| k.trim_end().ends_with('?') && self.extract.meeting.is_match(k))
            && parts.last() == kept.last();
        let ask = if own_meeting_ask { None } else { ask };
        match ask {
            Some(ask) => parts.push(fill(ask)),
            None if has_question => {}
            None => parts.push(fill(&t.asks.message)),
        }
        let body = parts.join(" ");
        if !self.easy_out_present.is_match(&body) {
            parts.push(t.easy_out.clone());
        }
        let greeting = specifics
            .greeting
            .clone()
            .unwrap_or_else(|| t.greeting.clone());
        let mut body = parts.join(" ");
        if word_count(&greeting) + word_count(&body) < MIN_WORDS {
            body = format!("{} {body}", t.introduce_yourself);
        }
        match &specifics.sign_off {
            Some(sign_off) => format!("{greeting}\n\n{body}\n\n{sign_off}"),
            None => format!("{greeting}\n\n{body}"),
        }
    }
}

/// The state of one rewrite: which checks to repair, the ask, the words to avoid.
struct Plan {
    failed: Vec<String>,
    ask: Ask,
    dropped: Vec<String>,
    /// Checks that still failed on a second look: their repair is always added.
    forced: Vec<String>,
}

/// A failure whose only evidence is in the recipient description: no wording can repair it.
fn recipient_only(finding: &Finding) -> bool {
    finding
        .evidence
        .iter()
        .all(|e| e.source == Source::Recipient)
}

impl Extractors {
    fn new() -> Extractors {
        // These patterns are fixed and tested; compiling them cannot fail.
        let re = |p: &str| {
            // ASCII word boundaries keep the regex engine on its fast path.
            Regex::new(&super::checks::ascii_classes(p))
                .unwrap_or_else(|_| unreachable!("bad built-in pattern {p}"))
        };
        Extractors {
            greeting: re(
                r"(?m)^[ \t]*(?i:(?:hi|hey|hello|dear|good (?:morning|afternoon|evening)))(?:[ \t]+[^\s,!?:;]+){0,3}?[ \t]*(?:[,!:]|$)",
            ),
            content: re(
                r"(?i)\b(read|finished|heard|caught|listened to|watched|saw|bought|attended|follow|loved|enjoyed|came across)\s+(?:all\s+|one of\s+)?your\s+([^.,;!?\n]{2,60}?)(?:\s+(?:and|but|so|which|that|where)\b|[.,;!?\n]|$)",
            ),
            topic: re(
                r"(?i)\b(?:about|on|regarding|into|explain what|explain how)\s+([a-z0-9][\w'’-]*(?:\s+[a-z0-9][\w'’-]*){0,4}?)(?:\s+(?:and|so|over|with|but|for|is|are|at|to|in|works?)\b|[.,;!?\n]|$)",
            ),
            target: re(
                r"(?i)\bintroduc(?:e|tion)\s+(?:me\s+)?to\s+([^.,;!?\n]{3,80}?)(?:\s+(?:so|because|and then)\b|[.,;!?\n]|$)",
            ),
            question: re(
                r"(?i)\bquestion\s*(?:about|on|:)?\s*((?:whether|if|how|what|why|when|which|who)\b[^.;!?\n]{3,120})",
            ),
            meeting: re(r"(?i)\b(coffee|lunch|meet|call|chat|sit down|minutes of your time)\b"),
            sign_off: re(
                r"(?im)(?:^|[.!?][ \t]+)[ \t]*(?P<s>(?:best|thanks|thank you|many thanks|regards|kind regards|best regards|warm regards|warmly|sincerely|yours(?: sincerely| truly| faithfully)?|cheers|respectfully|all the best|thanks and regards|with thanks)\b[^\n]{0,40})$",
            ),
        }
    }

    /// Where the sign-off starts: the last closing line ("Best," "Thanks and regards, Rohit")
    /// in the second half of the draft, with at most a signature after it.
    fn sign_off(&self, draft: &str) -> Option<usize> {
        let m = self
            .sign_off
            .captures_iter(draft)
            .last()
            .and_then(|c| c.name("s"))?;
        let tail = &draft[m.start()..];
        (m.start() > draft.len() / 2 && word_count(tail) <= 12 && tail.lines().count() <= 4)
            .then_some(m.start())
    }

    fn specifics(&self, draft: &str) -> Specifics {
        // A greeting on one of the first lines counts (after a subject line, for instance).
        let greeting_match = self.greeting.find(draft).filter(|m| m.start() < 300);
        let sign_off = self.sign_off(draft);
        let body = greeting_match.map_or(0, |m| m.end())..sign_off.unwrap_or(draft.len());
        let greeting = greeting_match.and_then(|m| {
            let g = m.as_str().trim().trim_end_matches([',', '!', ':']).trim();
            // "Hi," alone carries no name: the template greeting asks for one.
            (g.split_whitespace().count() > 1).then(|| format!("{g},"))
        });
        let content = self.content.captures(draft).map(|c| {
            let verb = c[1].to_lowercase();
            let verb = if verb == "follow" {
                "follow".into()
            } else {
                verb
            };
            (verb, c[2].trim().to_string())
        });
        let topic = self
            .topic
            .captures_iter(draft)
            .map(|c| c[1].trim().to_string())
            .find(|t| {
                let t = t.to_lowercase();
                !t.is_empty()
                    && !t.starts_with("your ")
                    && !["whether", "if", "how", "what", "why", "my "]
                        .iter()
                        .any(|w| t.starts_with(w))
                    && !self.meeting.is_match(&t)
                    && !["you", "me", "it", "that", "this", "linkedin"].contains(&t.as_str())
            })
            .or_else(|| {
                content
                    .as_ref()
                    .and_then(|(_, c)| c.split_once(" on ").map(|(_, t)| t.to_string()))
            });
        Specifics {
            greeting,
            topic,
            target: self.target.captures(draft).map(|c| c[1].trim().to_string()),
            question: self
                .question
                .captures(draft)
                .map(|c| c[1].trim().to_string()),
            sign_off: sign_off.map(|at| draft[at..].trim().to_string()),
            body,
            content,
        }
    }
}

/// Sentences with their byte offsets.
fn sentence_spans(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut offset = 0;
    text.split_inclusive(['.', '!', '?', '…', '\n'])
        .filter_map(move |piece| {
            let start = offset;
            offset += piece.len();
            let trimmed_start = piece.len() - piece.trim_start().len();
            let s = piece.trim();
            s.chars()
                .any(char::is_alphanumeric)
                .then_some((start + trimmed_start, s))
        })
}

/// The sentence with its first letter in upper case ("love your podcast!" after a greeting).
fn capitalise(sentence: &str) -> String {
    let mut chars = sentence.chars();
    match chars.next() {
        Some(first) if first.is_lowercase() => first.to_uppercase().chain(chars).collect(),
        _ => sentence.to_string(),
    }
}

/// Words as a reader counts them.
pub fn word_count(text: &str) -> usize {
    text.split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewriter() -> Rewriter {
        let path = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/config/rewrite.toml"));
        Rewriter::load(path).expect("rewrite.toml loads")
    }

    #[test]
    fn specifics_keep_name_content_topic() {
        let s = rewriter()
            .specifics("Hi Tamar, I heard your podcast on school budgets and would love to meet.");
        assert_eq!(s.greeting.as_deref(), Some("Hi Tamar,"));
        assert_eq!(
            s.content,
            Some(("heard".into(), "podcast on school budgets".into()))
        );
        assert_eq!(s.topic.as_deref(), Some("school budgets"));
    }

    #[test]
    fn specifics_find_intro_target_and_question() {
        let r = rewriter();
        let s = r.specifics("I'm hoping you could introduce me to someone on the payments team.");
        assert_eq!(s.target.as_deref(), Some("someone on the payments team"));
        let s = r.specifics("I have one quick question about whether the SQL test is timed.");
        assert_eq!(s.question.as_deref(), Some("whether the SQL test is timed"));
    }

    #[test]
    fn greeting_without_a_name_is_not_kept() {
        assert_eq!(
            rewriter()
                .specifics("Hi, I want to change careers.")
                .greeting,
            None
        );
    }
}
