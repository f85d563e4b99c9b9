//! The better phrasing: [`Rewriter::rewrite`] edits the member's draft instead of replacing it.
//!
//! The draft is read into sentences ([`draft::Reader`]); every sentence that is not the problem
//! stays as written, in its place, with its lines, greeting and signature. Each failed check
//! changes only what failed: a phrase is swapped in place where `[[edits]]` of
//! `config/rewrite.toml` know one (the free "pick your brain" becomes one specific question),
//! a sentence that asks for the wrong thing becomes the right ask (the meeting wrapped around an
//! introduction becomes the request for the introduction; free professional advice becomes a
//! paid booking), and a request with nothing in it for the reader gets an offer: built from
//! what the sender says about themselves and placed right after it, or else a slot for the
//! member to fill, closing the ask's paragraph. A draft that fails nothing is
//! returned as it is, with a [`Phrasing::note`] saying so. The phrasing is reviewed once more;
//! what still fails gets one more round of the same edits, so the phrasing of the phrasing is
//! the same text.

pub mod draft;

use std::collections::BTreeMap;
use std::path::Path;

use regex::Regex;
use serde::Deserialize;

use super::checks::{CheckSet, ConfigError};
use super::judge::{judge, Finding, Source, Status};
use draft::{Draft, Reader, Role, Specifics};

/// The most `[placeholders]` a phrasing adds: more and it stops being the member's message.
pub const MAX_PLACEHOLDERS: usize = 2;

/// The better phrasing and, when the draft needed no change, a line saying why.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Phrasing {
    /// The edited draft (the draft itself when it needed no change).
    pub text: String,
    /// A line for the member: the draft reads well, or it asks for nothing yet.
    pub note: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Templates {
    easy_out: String,
    reads_well: String,
    no_ask: String,
    recipient_only: String,
    offer: Offer,
    asks: Asks,
    rule_asks: BTreeMap<String, String>,
    #[serde(default)]
    edits: Vec<EditFile>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Offer {
    years: String,
    role: String,
    placeholder: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Asks {
    intro: String,
    question: String,
    feedback: String,
    vouch: String,
    standing: String,
    paid: String,
    public: String,
    public_ask: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct EditFile {
    check: String,
    pattern: String,
    replace: String,
}

/// A phrase swap: where `pattern` matches in a sentence that failed `check`, `replace` is put
/// instead (`{object}`, `{content}`, `{topic}` filled from the draft).
#[derive(Debug, Clone)]
struct Edit {
    check: String,
    pattern: Regex,
    replace: String,
}

/// Edits drafts with the templates of `config/rewrite.toml`.
#[derive(Debug, Clone)]
pub struct Rewriter {
    templates: Templates,
    edits: Vec<Edit>,
    reader: Reader,
}

/// What happens to one sentence.
#[derive(Debug, Clone, PartialEq)]
enum Action {
    Keep,
    Remove,
    Replace(String),
    /// Phrase swaps inside the sentence: (start, end) relative to the sentence, new words.
    Swap(Vec<(usize, usize, String)>),
}

/// The edits planned for one draft.
struct Plan<'a> {
    draft: Draft<'a>,
    actions: Vec<Action>,
    before: Vec<Vec<String>>,
    after: Vec<Vec<String>>,
    /// The ask became a favour by message or a paid booking: no easy out needed.
    ask_settled: bool,
    /// How many more `[placeholders]` the phrasing may add (two in all).
    slots: usize,
}

impl Rewriter {
    /// Parses the templates from text; `path` names the source in errors.
    pub fn from_str(text: &str, path: &Path) -> Result<Rewriter, ConfigError> {
        let parse = |message: String| ConfigError::Parse {
            path: path.to_path_buf(),
            message,
        };
        let templates: Templates = toml::from_str(text).map_err(|e| parse(e.to_string()))?;
        const KINDS: [&str; 6] = ["intro", "question", "feedback", "vouch", "standing", "paid"];
        for (rule, kind) in &templates.rule_asks {
            if !KINDS.contains(&kind.as_str()) {
                return Err(parse(format!(
                    "rule_asks.{rule}: unknown ask `{kind}` (one of {})",
                    KINDS.join(", ")
                )));
            }
        }
        let edits = templates
            .edits
            .iter()
            .map(|e| {
                let pattern = Regex::new(&super::checks::case_insensitive(&e.pattern))
                    .map_err(|err| parse(format!("edits: bad pattern `{}`: {err}", e.pattern)))?;
                Ok(Edit {
                    check: e.check.clone(),
                    pattern,
                    replace: e.replace.clone(),
                })
            })
            .collect::<Result<_, ConfigError>>()?;
        Ok(Rewriter {
            templates,
            edits,
            reader: Reader::new(),
        })
    }

    /// The check ids the `[[edits]]` name, for `check-config`.
    pub fn edited_checks(&self) -> impl Iterator<Item = &str> {
        self.edits.iter().map(|e| e.check.as_str())
    }

    /// The rule names `[rule_asks]` names, for `check-config`.
    pub fn rules_named(&self) -> impl Iterator<Item = &str> {
        self.templates.rule_asks.keys().map(String::as_str)
    }

    /// Pulls the sender's specifics out of the draft.
    pub fn specifics(&self, draft: &str) -> Specifics {
        self.reader.specifics(draft)
    }

    /// The better phrasing of `draft`, given its findings.
    pub fn rewrite(
        &self,
        draft: &str,
        recipient: Option<&str>,
        findings: &[Finding],
        checks: &CheckSet,
    ) -> Phrasing {
        let text = draft.trim();
        if text.is_empty() {
            return Phrasing::default();
        }
        let offset = draft.len() - draft.trim_start().len();
        let repairable = |fs: &[Finding]| -> Vec<Finding> {
            fs.iter()
                .filter(|f| f.status == Status::Failed && !recipient_only(f))
                .cloned()
                .collect()
        };
        let mut failed = repairable(findings);
        for f in &mut failed {
            for e in &mut f.evidence {
                if e.source == Source::Draft {
                    e.start = e.start.saturating_sub(offset);
                    e.end = e.end.saturating_sub(offset);
                }
            }
        }
        if failed.is_empty() {
            let t = &self.templates;
            let note = if findings.iter().any(|f| f.status == Status::Failed) {
                &t.recipient_only
            } else if self
                .reader
                .parse(text)
                .sentences
                .iter()
                .any(|s| s.role == Role::Ask)
            {
                &t.reads_well
            } else {
                &t.no_ask
            };
            return Phrasing {
                text: text.to_string(),
                note: Some(note.clone()),
            };
        }
        let specifics = self.reader.specifics(text);
        let mut out = self.edit(text, &failed, &specifics, 0);
        // More rounds, rarely needed, for what the first edits did not settle.
        for _ in 0..2 {
            let again = repairable(&judge(&out, recipient, checks));
            if again.is_empty() {
                break;
            }
            let used = slots(&out).saturating_sub(slots(text));
            out = self.edit(&out, &again, &specifics, used);
        }
        Phrasing {
            text: out,
            note: None,
        }
    }

    /// One round of edits of `text` for its failed findings; `used` placeholders were added
    /// by earlier rounds.
    fn edit(&self, text: &str, failed: &[Finding], specifics: &Specifics, used: usize) -> String {
        let draft = self.reader.parse(text);
        let n = draft.sentences.len();
        let mut plan = Plan {
            draft,
            actions: vec![Action::Keep; n],
            before: vec![Vec::new(); n],
            after: vec![Vec::new(); n],
            ask_settled: false,
            slots: MAX_PLACEHOLDERS.saturating_sub(used),
        };
        // The offer's placeholder, when the draft says nothing to build it from, comes first.
        if failed.iter().any(|f| f.id == "reason-for-them")
            && specifics.years.is_none()
            && specifics.role.is_none()
        {
            plan.slots = plan.slots.saturating_sub(1);
        }
        let paid = failed.iter().any(|f| {
            f.rule
                .as_deref()
                .and_then(|r| self.templates.rule_asks.get(r))
                .is_some_and(|k| k == "paid")
        });
        for id in [
            "right-size-ask",
            "not-free-advice",
            "not-searchable",
            "right-people",
        ] {
            if let Some(f) = failed.iter().find(|f| f.id == id) {
                self.repair(&mut plan, f, paid, specifics);
            }
        }
        for f in failed.iter().filter(|f| {
            ![
                "right-size-ask",
                "not-free-advice",
                "not-searchable",
                "right-people",
                "reason-for-them",
            ]
            .contains(&f.id.as_str())
        }) {
            self.repair(&mut plan, f, paid, specifics);
        }
        if failed.iter().any(|f| f.id == "reason-for-them") && !paid {
            self.add_offer(&mut plan, specifics);
        }
        self.add_easy_out(&mut plan);
        // Never edit a draft down to nothing: what would go stays.
        let kept = (0..plan.actions.len()).any(|i| {
            !plan.draft.sentences[i].frame
                && (plan.actions[i] != Action::Remove || !plan.after[i].is_empty())
        });
        if !kept {
            for action in &mut plan.actions {
                if *action == Action::Remove {
                    *action = Action::Keep;
                }
            }
        }
        plan.render()
    }

    /// Repairs one failed check (all but `reason-for-them`).
    fn repair(&self, plan: &mut Plan, f: &Finding, paid: bool, specifics: &Specifics) {
        let (subjects, hit): (Vec<usize>, Vec<usize>) = plan
            .sentences_with_evidence(f)
            .into_iter()
            .partition(|&i| plan.draft.sentences[i].subject);
        // A subject line gets its phrase swapped, or goes.
        for i in subjects {
            if !self.swap_phrases(plan, f, &[i], specifics) {
                plan.actions[i] = Action::Remove;
            }
        }
        let Some(&first) = hit.first() else {
            return;
        };
        let t = &self.templates;
        let kind = f
            .rule
            .as_deref()
            .and_then(|r| t.rule_asks.get(r))
            .map(String::as_str);
        if paid && (f.id == "not-free-advice" || kind == Some("paid")) {
            // Free professional advice becomes a paid booking; the free meeting goes.
            plan.replace(first, &t.asks.paid);
            for i in 0..plan.actions.len() {
                let s = &plan.draft.sentences[i];
                // The booking is the one ask; the questions belong in the session.
                if i != first && (hit.contains(&i) || s.role == Role::Ask) && !s.frame {
                    plan.actions[i] = Action::Remove;
                }
            }
            plan.ask_settled = true;
            return;
        }
        if self.swap_phrases(plan, f, &hit, specifics) {
            return;
        }
        let ask = match (f.id.as_str(), kind) {
            (_, Some(kind @ ("vouch" | "standing"))) => Some(kind),
            ("right-size-ask", _) => Some(favour_kind(f)),
            ("not-free-advice", _) => Some("feedback"),
            ("not-searchable", _) => Some("public"),
            _ => None,
        };
        let Some(ask) = ask else {
            // Nothing to ask instead (a fan letter's praise): the sentences go, unless they ask.
            for &i in &hit {
                if plan.draft.sentences[i].role != Role::Ask {
                    plan.actions[i] = Action::Remove;
                }
            }
            return;
        };
        // A favour already asked in its own sentence stays the ask; the meeting around it goes.
        let meeting: Vec<usize> = hit
            .iter()
            .copied()
            .filter(|&i| self.reader.meeting.is_match(plan.sentence(i)))
            .collect();
        let own_ask = hit
            .iter()
            .copied()
            .find(|i| !meeting.contains(i) && plan.draft.sentences[*i].role == Role::Ask);
        let other_ask = plan.other_ask(&hit);
        if f.id == "right-size-ask" && ask != "vouch" && ask != "standing" && own_ask.is_some() {
            for &i in &meeting {
                plan.actions[i] = Action::Remove;
            }
        } else if ask == "feedback" && (other_ask || !plan.is_last_ask(first)) {
            // A free service mentioned beside the real ask ("I can't afford one") just goes.
            for &i in &hit {
                plan.actions[i] = Action::Remove;
            }
            return;
        } else if ask == "vouch" {
            // The big ask stays the member's; a smaller one is offered right after it.
            let alternative = fill(&t.asks.vouch, specifics, None);
            let alternative = plan.spend(alternative);
            plan.after[hit[hit.len() - 1]].push(alternative);
            return;
        } else if ask == "standing" && other_ask {
            // The draft asks something else too: that stays the one ask.
            for &i in &hit {
                plan.actions[i] = Action::Remove;
            }
        } else {
            let template = match ask {
                "intro" => &t.asks.intro,
                "question" => &t.asks.question,
                "vouch" => &t.asks.vouch,
                "standing" => &t.asks.standing,
                "public" if plan.is_last_ask(first) && !other_ask => &t.asks.public_ask,
                "public" => &t.asks.public,
                _ => &t.asks.feedback,
            };
            let at = meeting.first().copied().unwrap_or(first);
            plan.replace(at, &fill(template, specifics, None));
            for &i in &hit {
                if i != at {
                    plan.actions[i] = Action::Remove;
                }
            }
        }
        plan.ask_settled |= f.id == "right-size-ask" || ask == "feedback";
    }

    /// Swaps the failing phrases of `f` in place where an `[[edits]]` pattern knows them.
    fn swap_phrases(&self, plan: &mut Plan, f: &Finding, hit: &[usize], sp: &Specifics) -> bool {
        let mut swapped = false;
        for &i in hit {
            if !matches!(plan.actions[i], Action::Keep | Action::Swap(_)) {
                continue;
            }
            let sentence = plan.sentence(i).to_string();
            let mut swaps = match &plan.actions[i] {
                Action::Swap(s) => s.clone(),
                _ => Vec::new(),
            };
            // Words inside a [slot] are hints, not the sender's: never swapped.
            let slots = slot_spans(&sentence);
            for edit in self.edits.iter().filter(|e| e.check == f.id) {
                for c in edit.pattern.captures_iter(&sentence) {
                    let Some(m) = c.get(0) else { continue };
                    let taken = swaps.iter().map(|(s, e, _)| (*s, *e));
                    if taken
                        .chain(slots.iter().copied())
                        .any(|(s, e)| s < m.end() && m.start() < e)
                    {
                        continue;
                    }
                    let object = c.name("object").map(|o| o.as_str());
                    let mut words = String::new();
                    c.expand(&fill(&edit.replace, sp, object), &mut words);
                    let mut words = plan.spend(words);
                    if let Some(rest) = c.name("rest") {
                        words.push_str(rest.as_str());
                    }
                    swaps.push((m.start(), m.end(), words));
                }
            }
            if !swaps.is_empty() {
                plan.actions[i] = Action::Swap(swaps);
                swapped = true;
            }
        }
        swapped
    }

    /// Puts an offer after what the sender says about themselves, or else after the ask.
    fn add_offer(&self, plan: &mut Plan, sp: &Specifics) {
        let t = &self.templates.offer;
        let about = sp
            .topic
            .as_deref()
            .map(|topic| format!(" about {topic}"))
            .unwrap_or_default();
        let offer = match (&sp.years, &sp.role) {
            (Some(years), _) => {
                let those = if years.starts_with("one ") || years.starts_with("1 ") {
                    "that year".to_string()
                } else {
                    format!("those {years}")
                };
                t.years
                    .replace("{years}", &those)
                    .replace("{about_topic}", &about)
            }
            (None, Some(role)) => t
                .role
                .replace("{role}", role)
                .replace("{about_topic}", &about),
            (None, None) => t.placeholder.clone(),
        };
        let live = |i: usize| !matches!(plan.actions[i], Action::Remove);
        let mut body: Vec<usize> = (0..plan.actions.len())
            .filter(|&i| !plan.draft.sentences[i].frame && live(i))
            .collect();
        // The closing lines at the end (thanks, regards, contact details, links) are not where
        // an offer goes.
        while body.len() > 1
            && body
                .last()
                .is_some_and(|&i| self.reader.is_closing(plan.sentence(i)))
        {
            body.pop();
        }
        let ask = body
            .iter()
            .copied()
            .rfind(|&i| plan.draft.sentences[i].role == Role::Ask);
        // The offer closes the ask's paragraph, so it never splits the ask from what follows.
        let ask = ask.map(|i| plan.paragraph_end(i, &body));
        let about_me = |i: &usize| plan.draft.sentences[*i].role == Role::AboutMe;
        // After the last thing said about the sender before the ask, else the first after it.
        let me = body
            .iter()
            .copied()
            .take_while(|&i| Some(i) != ask)
            .filter(about_me)
            .last()
            .or_else(|| body.iter().copied().find(about_me));
        // An offer built from the sender's experience follows it; a slot to fill follows the ask.
        let me = me.filter(|_| sp.years.is_some() || sp.role.is_some());
        match (me, ask, body.last()) {
            (Some(i), _, _) => plan.after[i].push(offer),
            (None, Some(i), _) => plan.after[i].push(offer),
            (None, None, Some(&i)) => plan.after[i].push(offer),
            _ => {}
        }
    }

    /// An easy out after the last ask for time, when the draft has none.
    fn add_easy_out(&self, plan: &mut Plan) {
        if plan.ask_settled || self.reader.easy_out.is_match(plan.draft.text) {
            return;
        }
        let last_ask = (0..plan.actions.len()).rev().find(|&i| {
            let s = &plan.draft.sentences[i];
            !s.frame
                && s.role == Role::Ask
                && plan.actions[i] != Action::Remove
                && self.reader.meeting.is_match(plan.sentence(i))
        });
        if let Some(i) = last_ask {
            let live: Vec<usize> = (0..plan.actions.len())
                .filter(|&j| !plan.draft.sentences[j].frame && plan.actions[j] != Action::Remove)
                .collect();
            let at = plan.paragraph_end(i, &live);
            plan.after[at].push(self.templates.easy_out.clone());
        }
    }
}

impl Plan<'_> {
    /// The last sentence of `body` in the same paragraph as sentence `i` (no blank line between).
    fn paragraph_end(&self, i: usize, body: &[usize]) -> usize {
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
    fn other_ask(&self, hit: &[usize]) -> bool {
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
    fn is_last_ask(&self, i: usize) -> bool {
        self.draft.sentences[i].role == Role::Ask
            && !(i + 1..self.actions.len()).any(|j| {
                let s = &self.draft.sentences[j];
                !s.frame && s.role == Role::Ask && self.actions[j] != Action::Remove
            })
    }

    fn sentence(&self, i: usize) -> &str {
        &self.draft.text[self.draft.sentences[i].span.clone()]
    }

    /// The sentences (not the frame) that hold draft evidence of `f`.
    fn sentences_with_evidence(&self, f: &Finding) -> Vec<usize> {
        let mut out: Vec<usize> = Vec::new();
        for e in f.evidence.iter().filter(|e| e.source == Source::Draft) {
            for (i, s) in self.draft.sentences.iter().enumerate() {
                let editable = !s.frame || s.subject || f.id == "right-people";
                if editable && s.span.start < e.end && e.start < s.span.end && !out.contains(&i) {
                    out.push(i);
                }
            }
        }
        out.sort_unstable();
        out
    }

    /// `text` as it may go in: its `[placeholders]` kept while the budget lasts, else their
    /// brackets dropped (the hints read as plain words).
    fn spend(&mut self, text: String) -> String {
        let n = text.matches('[').count();
        if n <= self.slots {
            self.slots -= n;
            text
        } else {
            text.replace(['[', ']'], "")
        }
    }

    /// Replaces sentence `i`, keeping its first letter's case when it followed a greeting.
    fn replace(&mut self, i: usize, with: &str) {
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
    fn render(&self) -> String {
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
            if !self.after[i].is_empty() {
                // "Coffee sometime" gets its full stop before the next sentence.
                if let Some(last) = pieces.last_mut() {
                    if !last.ends_with(['.', '!', '?', '…', ':', ')', '"', '\'']) {
                        last.push('.');
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
fn slot_spans(text: &str) -> Vec<(usize, usize)> {
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
fn slots(text: &str) -> usize {
    let mut names: Vec<&str> = text
        .split('[')
        .skip(1)
        .filter_map(|p| p.split(']').next())
        .collect();
    names.sort_unstable();
    names.dedup();
    names.len()
}

/// Which small favour a meeting stands in for: an intro, one question or feedback.
fn favour_kind(f: &Finding) -> &'static str {
    let words: String = f
        .evidence
        .iter()
        .filter(|e| e.source == Source::Draft)
        .map(|e| e.text.to_lowercase())
        .collect::<Vec<_>>()
        .join(" ");
    if words.contains("intro") || words.contains("connect") {
        "intro"
    } else if words.contains("feedback") {
        "feedback"
    } else {
        "question"
    }
}

/// Trailing spaces, spaces at line starts left by removed sentences, more than one blank line.
fn tidy(text: &str) -> String {
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

fn squeeze_spaces(line: &str) -> String {
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

/// Fills `{topic}`, `{content}`, `{target}`, `{question}`, `{object}` from the draft; what the
/// draft does not say becomes a `[placeholder]` with a hint.
fn fill(template: &str, sp: &Specifics, object: Option<&str>) -> String {
    let topic = sp.topic.as_deref().unwrap_or("[the topic]");
    let content = sp
        .content
        .as_ref()
        .map(|(_, c)| c.as_str())
        .unwrap_or("[post or talk of theirs]");
    let object = object
        .map(|o| {
            if o.eq_ignore_ascii_case("you") {
                "your work"
            } else {
                o
            }
        })
        .unwrap_or(topic);
    let about_topic = sp
        .topic
        .as_deref()
        .map(|t| format!(" about {t}"))
        .unwrap_or_default();
    template
        .replace("{about_topic}", &about_topic)
        .replace("{topic}", topic)
        .replace("{content}", content)
        .replace("{object}", object)
        .replace(
            "{target}",
            sp.target
                .as_deref()
                .unwrap_or("[the person or team I'd like to reach]"),
        )
        .replace(
            "{question}",
            sp.question
                .as_deref()
                .unwrap_or("[the one thing I'd like to know]"),
        )
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

/// A failure whose only evidence is in the recipient description: no wording can repair it.
fn recipient_only(finding: &Finding) -> bool {
    finding
        .evidence
        .iter()
        .all(|e| e.source == Source::Recipient)
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

    #[test]
    fn tidy_keeps_paragraphs_and_drops_the_gaps_of_removed_sentences() {
        assert_eq!(
            tidy("Hi Ana,\n\n  I run a club.  \n\n\n\nBest,\nLi"),
            "Hi Ana,\n\nI run a club.\n\nBest,\nLi"
        );
        assert_eq!(squeeze_spaces("a  b  c"), "a b c");
    }

    #[test]
    fn fill_uses_the_draft_or_a_placeholder() {
        let sp = Specifics {
            topic: Some("school budgets".into()),
            ..Specifics::default()
        };
        assert_eq!(fill("about {topic}", &sp, None), "about school budgets");
        assert_eq!(
            fill("to {target}", &Specifics::default(), None),
            "to [the person or team I'd like to reach]"
        );
        assert_eq!(fill("about {object}", &sp, Some("you")), "about your work");
    }
}
