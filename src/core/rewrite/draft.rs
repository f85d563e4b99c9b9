//! The shape of a draft, as the better phrasing edits it: [`Draft::parse`] finds the sentences
//! (byte spans into the member's text, across lines broken mid-sentence), the greeting, the
//! sign-off, and what each body sentence does ([`Role`]: the ask, something about the sender).
//! [`Specifics`] are the details the phrasing reuses: what of theirs the sender read, the topic,
//! who they want an introduction to, their one question, their experience.

use std::borrow::Cow;
use std::ops::{Index, Range};

use regex::{CaptureLocations, Regex};

use crate::core::judge::{Finding, Source};

/// What a sentence of the body does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Asks the reader for something (a question, "would you", "I'd love to").
    Ask,
    /// Says something about the sender ("I'm a nurse", "I spent nine years...").
    AboutMe,
    /// Anything else.
    Other,
}

/// One sentence of the draft.
#[derive(Debug, Clone)]
pub struct Sentence {
    /// Byte span in the draft, without surrounding whitespace.
    pub span: Range<usize>,
    /// What it does.
    pub role: Role,
    /// Whether it is the greeting, a subject line or part of the sign-off.
    pub frame: bool,
    /// Whether it is a subject line ("Subject: ..."): part of the frame, but its words can be
    /// the problem.
    pub subject: bool,
}

/// A draft cut into sentences.
#[derive(Debug, Clone)]
pub struct Draft<'a> {
    /// The member's text.
    pub text: &'a str,
    /// Its sentences in order.
    pub sentences: Vec<Sentence>,
}

impl Draft<'_> {
    /// The sentences that hold draft evidence of `f`: not the frame (greeting, sign-off),
    /// except a subject line, or any of it when `frame` is true.
    pub fn sentences_with_evidence(&self, f: &Finding, frame: bool) -> Vec<usize> {
        let mut out: Vec<usize> = Vec::new();
        for e in f.evidence.iter().filter(|e| e.source == Source::Draft) {
            for (i, s) in self.sentences.iter().enumerate() {
                let editable = !s.frame || s.subject || frame;
                if editable && s.span.start < e.end && e.start < s.span.end && !out.contains(&i) {
                    out.push(i);
                }
            }
        }
        out.sort_unstable();
        out
    }

    /// The text of sentence `i`.
    pub fn sentence(&self, i: usize) -> &str {
        &self.text[self.sentences[i].span.clone()]
    }
}

/// What the draft says that a repair can reuse.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Specifics {
    /// What of theirs the sender read or heard: ("heard", "podcast on school budgets").
    pub content: Option<(String, String)>,
    /// What the request is about, e.g. "onboarding design".
    pub topic: Option<String>,
    /// Who the sender wants an introduction to.
    pub target: Option<String>,
    /// The sender's one question.
    pub question: Option<String>,
    /// How long the sender has done what they do ("nine years").
    pub years: Option<String>,
    /// What the sender is ("a school nurse").
    pub role: Option<String>,
    /// A piece of work the sender is making and could send when done ("dissertation").
    pub project: Option<String>,
}

/// The compiled patterns that read a draft's shape.
#[derive(Debug, Clone)]
pub struct Reader {
    greeting: Folded,
    subject: Folded,
    sign_off: Folded,
    ask: Folded,
    about_me: Folded,
    content: Folded,
    topic: Folded,
    target: Folded,
    question: Folded,
    years: Folded,
    role: Folded,
    project: Folded,
    pub(super) meeting: Folded,
    pub(super) easy_out: Folded,
    closing: Folded,
}

impl Reader {
    pub fn new() -> Reader {
        let re = Folded::new;
        Reader {
            greeting: re(
                // A greeting ends in a comma, a colon or "!", or is a line of its own of at most
                // three more words ("Hi Dr. Tamar Levi"): "hi can I pick your brain" is a
                // sentence, not a greeting.
                r"^(?i:hi|hey|hello|dear|good (?:morning|afternoon|evening)|greetings)\b(?:[^\n.!?]{0,40}?[,!:]|(?:[ \t]+[^\s,!?]+){0,3}[ \t]*$)",
            ),
            subject: re(r"^(?i:subject|re|title)\s*:"),
            sign_off: re(
                r"^(?i:best|thanks|thank you|many thanks|regards|kind regards|best regards|warm regards|warmly|sincerely|yours|cheers|respectfully|all the best|with thanks|talk soon|looking forward)\b[^\n]{0,40}$",
            ),
            ask: re(
                r"(?i)\?\s*$|\b(would|could|can|will|may|might)\s+(you|we|i)\b|\b(i[\x27’]d|i would|we[\x27’]d|we would)\s+(really\s+|so\s+)?(love|like)\s+(to\s+(meet|chat|talk|connect|learn|hear|ask|get|have|grab|set up|schedule|speak|pick|know|discuss|find|buy|take|invite)|your|some|an?)\b|\b(i[\x27’]m|i am|i was)\s+(hoping|wondering)\b|\b(i[\x27’]d|i would|we[\x27’]d)\s+(be\s+\w+\s+)?(grateful|appreciate)\b|\blet me know\b|\bare you (open|free|available|up)\b|\bhoping\s+(to|you|we)\b|\bany chance\b|\bplease\b|\bi (want|wanted|need) to (ask|know)\b",
            ),
            about_me: re(
                r"(?i)^(?:(?:so|and|but|also|currently|right now|recently|for context|a bit about me)[,:]?\s+)?(?:my name is|my name[\x27’]s|(?:i[\x27’]m|i am)\s+(?:a|an|the|currently|now|from|based|studying|working|in|at|one|part|finishing|graduating|\d|\[)|i[\x27’]ve|i have|i was|i work|i worked|i spent|i run|i lead|i led|i teach|i taught|i study|i studied|i built|i founded|i manage|i recently|i just|i graduated|i[\x27’]ll be)\b",
            ),
            content: re(
                r"(?i)\b(read|finished|heard|caught|listened to|watched|saw|bought|attended|loved|enjoyed|came across)\s+(?:all\s+|one of\s+)?your\s+([^.,;!?\n]{2,60}?)(?:\s+(?:and|but|so|which|that|where)\b|[.,;!?\n]|$)",
            ),
            topic: re(
                r"(?i)\b(?:about|on|regarding|into)\s+([a-z0-9][\w'’-]*(?:\s+[a-z0-9][\w'’-]*){0,4}?)(?:\s+(?:and|so|over|with|but|for|is|are|at|to|in|works?|if|when|because|last|this|next|recently|too)\b|[.,;!?\n]|$)",
            ),
            target: re(
                r"(?i)\bintroduc(?:e|tion)\s+(?:me\s+)?to\s+([^.,;!?\n]{3,80}?)(?:\s+(?:so|because|and then|if)\b|[.,;!?\n]|$)",
            ),
            question: re(
                r"(?i)\bquestion\s*(?:about|on|:)?\s*((?:whether|if|how|what|why|when|which|who)\b[^.;!?\n]{3,120})",
            ),
            years: re(
                r"(?i)\bi(?:[\x27’]ve| have)?\s+(?:spent|worked|taught|been|led|managed|run|coached|done|practiced|practised|volunteered)\b[^.?!\n]{0,60}?\b((?:\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty)\+?\s+years)\b",
            ),
            project: re(
                r"(?i)\bi(?:[\x27’]m| am)\s+(?:currently\s+|now\s+|also\s+)?(?:writing|working on|researching for|finishing|putting together|preparing|making|producing)\s+(?:an?|my|the)\s+(?:[a-z-]+\s+){0,2}?(dis+ertation|thesis|paper|book|article|report|study|survey|research project|essay|podcast episode|documentary|guide)\b|\bfor\s+(?:an?|my)\s+(dis+ertation|thesis|paper|book|article|report)\s+(?:i[\x27’]m|i am)\s+(?:writing|working on)\b",
            ),
            role: re(
                r"(?i)\bi(?:[\x27’]m| am)\s+(?:currently\s+|now\s+)?(an?\s[a-z][a-z-]+(?:\s[a-z][a-z-]+){0,4}?)(?:\s+(?:at|with|in|for|who|and|based|looking|trying|hoping|from|of)\b|[,.;!?\n]|$)",
            ),
            meeting: re(
                r"(?i)\b(coffee|lunch|meet|meeting|call|chat|talk|speak|hop on|sit down|zoom|minutes of your time|\d+[ -]?min(ute)?s?|get together)\b",
            ),
            closing: re(
                r"(?i)^(thanks|thank you|many thanks|best|regards|kind regards|warm|warmly|cheers|sincerely|all the best|have a (great|good|nice|lovely)|looking forward|talk soon|please (say hi|give my|respond|reply|write back|get back to me)|give my best|say hi|hope to hear|i hope (i|this) (wouldn|won|isn|doesn|didn)[\x27’]?t)\b|@|https?://|www\.|\|",
            ),
            easy_out: re(
                r"(?i)\b(either way|no worries|no pressure|totally understand|completely understand|no problem if not|if not, no|if you[\x27’]re too busy|if now isn[\x27’]t|if you[\x27’]re (busy|swamped)|flexible|work around your|at your convenience|whenever (it )?(suits|works)|fit (around )?your schedule|understand if|accommodate your schedule|(know|understand|realize|realise|appreciate) (that )?(you[\x27’]re|you are|your time is) (very |extremely |really )?(busy|valuable|limited|in demand)|if that[\x27’]s more than you can|convenient for you)\b",
            ),
        }
    }

    /// Whether a sentence closes the message (thanks, regards, a signature, contact details, a
    /// link) or is a short line without a full stop (a name, a title): no offer goes after it.
    pub fn is_closing(&self, sentence: &str) -> bool {
        let short_line = sentence.split_whitespace().count() <= 4
            && !sentence.trim_end().ends_with(['.', '?', '!']);
        short_line || self.closing.is_match(sentence)
    }

    /// Whether the draft says who the sender is anywhere in its body ("I'm a nurse", "my
    /// name's Nick"), also inside a sentence that asks.
    pub fn names_the_sender(&self, draft: &Draft) -> bool {
        draft.sentences.iter().enumerate().any(|(i, s)| {
            !s.frame && (s.role == Role::AboutMe || self.about_me.is_match(draft.sentence(i)))
        })
    }

    /// Cuts `text` into sentences and marks the greeting, subject line and sign-off.
    pub fn parse<'a>(&self, text: &'a str) -> Draft<'a> {
        let mut spans = sentence_spans(text);
        // "Hi Tamar, I finished your memoir..." : the greeting is a piece of its own.
        if let Some(i) = spans.iter().take(3).position(|s| {
            let at_line_start = s.start == 0 || text[..s.start].ends_with('\n');
            at_line_start && !self.subject.is_match(&text[s.clone()])
        }) {
            let span = spans[i].clone();
            if let Some(m) = self.greeting.find(&text[span.clone()]) {
                let rest = &text[span.start + m.end..span.end];
                let lead = rest.len() - rest.trim_start().len();
                if rest.trim().chars().any(char::is_alphanumeric) {
                    spans[i] = span.start..span.start + m.end;
                    spans.insert(i + 1, span.start + m.end + lead..span.end);
                }
            }
        }
        let sign_off_at = self.sign_off_start(text, &spans);
        let mut sentences = Vec::with_capacity(spans.len());
        let mut before_body = true;
        for span in spans {
            let s = &text[span.clone()];
            let at_line_start = span.start == 0 || text[..span.start].ends_with('\n');
            let opening = before_body && at_line_start && span.start < 300;
            let subject = opening && self.subject.is_match(s);
            let is_frame = (opening && (subject || self.greeting.is_match(s)))
                || sign_off_at.is_some_and(|at| span.start >= at);
            if !is_frame {
                before_body = false;
            }
            let role = if is_frame {
                Role::Other
            } else if self.ask.is_match(s) {
                Role::Ask
            } else if self.about_me.is_match(s) {
                Role::AboutMe
            } else {
                Role::Other
            };
            sentences.push(Sentence {
                span,
                role,
                frame: is_frame,
                subject,
            });
        }
        Draft { text, sentences }
    }

    /// Where the sign-off starts: a closing line in the second half, with at most a short
    /// signature after it.
    fn sign_off_start(&self, text: &str, spans: &[Range<usize>]) -> Option<usize> {
        let at = spans.iter().rev().take(4).find_map(|span| {
            let at_line_start = span.start == 0 || text[..span.start].ends_with('\n');
            (at_line_start && self.sign_off.is_match(&text[span.clone()])).then_some(span.start)
        })?;
        let tail = &text[at..];
        (at > text.len() / 2 && tail.split_whitespace().count() <= 14 && tail.lines().count() <= 5)
            .then_some(at)
    }

    /// The details a repair can reuse.
    pub fn specifics(&self, text: &str) -> Specifics {
        // Template slots ("[post about X / talk on Y]") are not the sender's words.
        let text = &without_slots(text);
        let content = self.content.captures(text).map(|c| {
            let what = c[2].trim().to_string();
            (c[1].to_lowercase(), what)
        });
        let topic = self
            .topic
            .captures_iter(text)
            .map(|c| c[1].trim().to_string())
            .find(|t| {
                let t = t.to_lowercase();
                !t.is_empty()
                    && !t.starts_with("your ")
                    && ![
                        "whether",
                        "if",
                        "how",
                        "what",
                        "why",
                        "their ",
                        "his ",
                        "her ",
                        "our ",
                        "them",
                        "him",
                        "a ",
                        "an ",
                        "my ",
                        "me",
                        "the phone",
                    ]
                    .iter()
                    .any(|w| t.starts_with(w))
                    && !self.meeting.is_match(&t)
                    && !["you", "it", "that", "this", "linkedin", "board", "behalf"]
                        .contains(&t.as_str())
            })
            .or_else(|| {
                content
                    .as_ref()
                    .and_then(|(_, c)| c.split_once(" on ").map(|(_, t)| t.to_string()))
            });
        let role = self
            .role
            .captures(text)
            .map(|c| c[1].trim().to_string())
            .filter(|r| {
                let r = r.to_lowercase();
                ROLE_NOUNS.iter().any(|n| r.split_whitespace().last() == Some(*n))
                    &&
                // A student's vantage point is rarely what a busy reader wants in return.
                ![
                    "fan",
                    "big",
                    "huge",
                    "bit",
                    "little",
                    "quick",
                    "reader",
                    "follower",
                    "admirer",
                    "student",
                    "junior",
                    "sophomore",
                    "freshman",
                    "senior at",
                    "undergrad",
                    "grad",
                    "major",
                    "intern",
                    "beginner",
                    "newbie",
                    "aspiring",
                    "recent",
                ]
                .iter()
                .any(|w| r.contains(w))
            });
        Specifics {
            topic,
            target: self.target.captures(text).map(|c| c[1].trim().to_string()),
            question: self
                .question
                .captures(text)
                .map(|c| c[1].trim().to_string()),
            years: self.years.captures(text).map(|c| c[1].to_lowercase()),
            project: self.project.captures(text).map(|c| {
                let noun = c.get(1).or_else(|| c.get(2)).unwrap_or("");
                let noun = noun.to_lowercase();
                // "disertation" as typed is still a dissertation.
                if noun.starts_with("dis") {
                    "dissertation".to_string()
                } else {
                    noun
                }
            }),
            role,
            content,
        }
    }
}

/// `text` with every `[slot]` blanked out.
fn without_slots(text: &str) -> Cow<'_, str> {
    if !text.contains('[') {
        return Cow::Borrowed(text);
    }
    let mut depth = 0u32;
    Cow::Owned(
        text.chars()
            .map(|c| match c {
                '[' => {
                    depth += 1;
                    ' '
                }
                ']' => {
                    depth = depth.saturating_sub(1);
                    ' '
                }
                _ if depth > 0 => ' ',
                _ => c,
            })
            .collect(),
    )
}

/// A pattern of the reader, matched without regard to ASCII case: it is compiled without
/// `(?i)` and run over the ASCII-lowercased text, which keeps every byte offset, so what it
/// finds is sliced from the text as written. Plain literals let the regex engine skip ahead
/// (a case-insensitive literal has too many spellings to search for).
#[derive(Debug, Clone)]
pub struct Folded(Regex);

/// The groups of one match of a [`Folded`] pattern, as written in the text.
pub struct Caps<'t> {
    text: &'t str,
    locations: CaptureLocations,
}

impl Folded {
    /// Compiles a built-in pattern; its `(?i)` flags are dropped, the text is folded instead.
    fn new(pattern: &str) -> Folded {
        let pattern = pattern.replace("(?i:", "(?:").replace("(?i)", "");
        // These patterns are fixed and tested; compiling them cannot fail.
        Regex::new(&crate::core::checks::ascii_classes(&pattern))
            .map(Folded)
            .unwrap_or_else(|_| unreachable!("bad built-in pattern {pattern}"))
    }

    pub fn is_match(&self, text: &str) -> bool {
        self.0.is_match(&fold(text))
    }

    pub fn find(&self, text: &str) -> Option<Range<usize>> {
        self.0.find(&fold(text)).map(|m| m.range())
    }

    pub fn captures<'t>(&self, text: &'t str) -> Option<Caps<'t>> {
        self.captures_iter(text).next()
    }

    /// Every match, left to right, none overlapping.
    pub fn captures_iter<'p, 't: 'p>(
        &'p self,
        text: &'t str,
    ) -> impl Iterator<Item = Caps<'t>> + 'p {
        let folded = fold(text);
        let mut at = Some(0);
        std::iter::from_fn(move || {
            let mut locations = self.0.capture_locations();
            let m = self.0.captures_read_at(&mut locations, &folded, at?)?;
            // After an empty match, the search goes on past the next character.
            let step = text[m.end()..].chars().next().map_or(1, char::len_utf8);
            at = Some(if m.is_empty() {
                m.end() + step
            } else {
                m.end()
            })
            .filter(|&a| a <= text.len());
            Some(Caps { text, locations })
        })
    }
}

impl<'t> Caps<'t> {
    /// Group `i` of the match, as written.
    pub fn get(&self, i: usize) -> Option<&'t str> {
        self.locations
            .get(i)
            .map(|(start, end)| &self.text[start..end])
    }
}

impl Index<usize> for Caps<'_> {
    type Output = str;

    fn index(&self, i: usize) -> &str {
        self.get(i)
            .unwrap_or_else(|| panic!("no group {i} in this match"))
    }
}

/// `text` with its ASCII capitals lowered, borrowed when it has none.
fn fold(text: &str) -> Cow<'_, str> {
    match text.bytes().any(|b| b.is_ascii_uppercase()) {
        true => Cow::Owned(text.to_ascii_lowercase()),
        false => Cow::Borrowed(text),
    }
}

impl Default for Reader {
    fn default() -> Self {
        Reader::new()
    }
}

/// What a role the sender can offer a view from ends with.
const ROLE_NOUNS: [&str; 58] = [
    "teacher",
    "nurse",
    "engineer",
    "developer",
    "designer",
    "manager",
    "analyst",
    "researcher",
    "scientist",
    "writer",
    "marketer",
    "consultant",
    "founder",
    "lawyer",
    "accountant",
    "recruiter",
    "sergeant",
    "officer",
    "veteran",
    "parent",
    "professor",
    "lecturer",
    "director",
    "lead",
    "editor",
    "journalist",
    "producer",
    "artist",
    "musician",
    "chef",
    "doctor",
    "pharmacist",
    "therapist",
    "coach",
    "entrepreneur",
    "freelancer",
    "operator",
    "technician",
    "mechanic",
    "electrician",
    "architect",
    "librarian",
    "counselor",
    "counsellor",
    "paramedic",
    "programmer",
    "administrator",
    "specialist",
    "strategist",
    "planner",
    "economist",
    "pilot",
    "soldier",
    "owner",
    "organizer",
    "organiser",
    "volunteer",
    "mentor",
];

/// Words before a full stop that do not end a sentence.
const ABBREVIATIONS: [&str; 14] = [
    "mr", "mrs", "ms", "dr", "prof", "e.g", "i.e", "etc", "vs", "st", "jr", "sr", "inc", "no",
];

/// Sentence spans of `text`: a sentence ends at `.`, `!`, `?` or `…` before a space, at a blank
/// line, and at a line break unless the line was broken mid-sentence (it ends in a letter or a
/// comma and the next line starts in lower case).
pub fn sentence_spans(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let push = |out: &mut Vec<Range<usize>>, from: usize, to: usize| {
        let piece = &text[from..to];
        let lead = piece.len() - piece.trim_start().len();
        let s = piece.trim();
        if s.chars().any(char::is_alphanumeric) {
            out.push(from + lead..from + lead + s.len());
        }
    };
    for (i, c) in text.char_indices() {
        let next = i + c.len_utf8();
        let ends = match c {
            '.' | '!' | '?' | '…' => {
                let followed_by_space = bytes.get(next).is_none_or(|b| b.is_ascii_whitespace());
                let word = text[start..i]
                    .rsplit(|c: char| c.is_whitespace())
                    .next()
                    .unwrap_or("")
                    .to_lowercase();
                followed_by_space && !(c == '.' && ABBREVIATIONS.contains(&word.as_str()))
            }
            '\n' => {
                let line = text[start..i].trim_end();
                let rest = &text[next..];
                let next_line_lower = rest
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_lowercase() || c == '[' || c == '(');
                let line_start = line.rfind('\n').map_or(0, |at| at + 1);
                let words = line[line_start..].split_whitespace().count();
                // A long line ending in a comma goes on; "Hi Ana," and "Best," end there.
                let broken = !line.trim_start().is_empty()
                    && ((line.ends_with(|c: char| c.is_alphabetic() || c == ',')
                        && next_line_lower)
                        || (line.ends_with([',', '—', '–', ';']) && words > 4));
                !broken
            }
            _ => false,
        };
        if ends {
            // Closing quotes and brackets belong to the sentence they close.
            let mut end = next;
            while let Some(b) = bytes.get(end) {
                if matches!(b, b'"' | b'\'' | b')' | b']') && c != '\n' {
                    end += 1;
                } else {
                    break;
                }
            }
            push(&mut out, start, end);
            start = end;
        }
    }
    if start < text.len() {
        push(&mut out, start, text.len());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_broken_mid_sentence_is_one_sentence() {
        let text = "Hi Ana,\nI would love to\nhear how you moved. Thanks!\n\nBest,\nLi";
        let spans: Vec<&str> = sentence_spans(text).into_iter().map(|s| &text[s]).collect();
        assert_eq!(
            spans,
            [
                "Hi Ana,",
                "I would love to\nhear how you moved.",
                "Thanks!",
                "Best,",
                "Li"
            ]
        );
    }

    #[test]
    fn greeting_subject_and_sign_off_are_the_frame() {
        let text = "Subject: a question\nHi Ana,\nI'm a nurse. Could we talk?\n\nBest,\nLi";
        let d = Reader::new().parse(text);
        let frame: Vec<&str> = d
            .sentences
            .iter()
            .filter(|s| s.frame)
            .map(|s| &text[s.span.clone()])
            .collect();
        assert_eq!(frame, ["Subject: a question", "Hi Ana,", "Best,", "Li"]);
        let roles: Vec<Role> = d
            .sentences
            .iter()
            .filter(|s| !s.frame)
            .map(|s| s.role)
            .collect();
        assert_eq!(roles, [Role::AboutMe, Role::Ask]);
    }

    #[test]
    fn specifics_keep_content_topic_target_question_experience() {
        let r = Reader::new();
        let s =
            r.specifics("Hi Tamar, I heard your podcast on school budgets and would love to meet.");
        assert_eq!(
            s.content,
            Some(("heard".into(), "podcast on school budgets".into()))
        );
        assert_eq!(s.topic.as_deref(), Some("school budgets"));
        let s = r.specifics("I'm hoping you could introduce me to someone on the payments team.");
        assert_eq!(s.target.as_deref(), Some("someone on the payments team"));
        let s = r.specifics("I have one quick question about whether the SQL test is timed.");
        assert_eq!(s.question.as_deref(), Some("whether the SQL test is timed"));
        let s = r.specifics("I taught high school math for nine years. I'm a school nurse.");
        assert_eq!(s.years.as_deref(), Some("nine years"));
        assert_eq!(s.role.as_deref(), Some("a school nurse"));
    }
}
