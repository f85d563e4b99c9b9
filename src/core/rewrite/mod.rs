//! The better phrasing: [`Rewriter::rewrite`] edits the member's draft instead of replacing it.
//!
//! The draft is read into sentences ([`draft::Reader`]); every sentence that is not the problem
//! stays as written, in its place, with its lines, greeting and signature. Each failed check
//! changes only what failed: a phrase is swapped in place where `[[edits]]` of
//! `config/rewrite.toml` know one (the free "pick your brain" becomes one specific question),
//! a sentence that asks for the wrong thing becomes the right ask (the meeting wrapped around an
//! introduction becomes the request for the introduction; free professional advice becomes a
//! paid booking), and a request with nothing in it for the reader gets an offer built from
//! what the sender says about themselves, placed right after it. Which of these repairs a
//! failed check gets is its entry under `[repairs]` of `config/rewrite.toml`. What only the
//! member can word is left to them ([`Phrasing::left`]), with a note from `[yours]` quoting the
//! words that failed: an offer with nothing in the draft to build it from (unless a rule of
//! `offer.placeholder_after` adds a slot for it), a smaller yes after the rules of
//! `left_rules`, the question past their public work unless the words that failed are the
//! draft's own ask. A draft that fails nothing is returned as it is, with a [`Phrasing::note`]
//! saying so. The phrasing is confirmed once more, but for what is left to the member; what
//! still fails gets one more round of the same edits, so the phrasing of the phrasing is the
//! same text.
//!
//! [`parse`](Rewriter::parse) and [`RewriteFile::check`] read `config/rewrite.toml` (in
//! `load.rs`); `plan.rs` holds the per-sentence actions of one round of edits and renders
//! them; `repair.rs` has the repair of each kind of failed check, the phrase swaps, the offer
//! and the easy out.

pub mod draft;
mod load;
mod plan;
mod repair;
#[cfg(test)]
mod tests;

use super::checks::CheckSet;
use super::judge::{fails_in_draft, judge, Finding, Source, Status};
use draft::{Draft, Role, Specifics};
use load::Repair;
pub use load::{RewriteFile, Rewriter};
use plan::{slots, Action, Plan};

/// The most `[placeholders]` a phrasing adds: more and it stops being the member's message.
pub const MAX_PLACEHOLDERS: usize = 2;

/// The better phrasing and, when the draft needed no change, a line saying why.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Phrasing {
    /// The edited draft (the draft itself when it needed no change).
    pub text: String,
    /// A line for the member: the draft reads well, it asks for nothing yet, or what is in it
    /// for the reader is left for them to add.
    pub note: Option<String>,
    /// The failed checks left for the member to repair (see [`Review::left_to_member`]).
    ///
    /// [`Review::left_to_member`]: crate::core::Review::left_to_member
    pub left: Vec<String>,
    /// What the member still has to add to an edited phrasing; `note` says it when the draft
    /// needed no edit.
    pub left_note: Option<String>,
}

impl Rewriter {
    /// Pulls the sender's specifics out of the draft (a role only when the config has a line
    /// to build an offer from it).
    pub fn specifics(&self, draft: &str) -> Specifics {
        let mut specifics = self.reader.specifics(draft);
        if self.templates.offer.role.is_none() {
            specifics.role = None;
        }
        specifics
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
        let any_failed = findings.iter().any(|f| f.status == Status::Failed);
        // Failures the wording can change, their draft evidence counted from the trimmed text.
        let wording = |f: &Finding| f.status == Status::Failed && !recipient_only(f);
        let mut failed: Vec<Finding> = findings.iter().filter(|f| wording(f)).cloned().collect();
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
            let asks = || {
                let draft = self.reader.parse(text);
                draft.sentences.iter().any(|s| s.role == Role::Ask)
            };
            let note = if any_failed {
                &t.recipient_only
            } else if asks() {
                &t.reads_well
            } else {
                &t.no_ask
            };
            return Phrasing {
                text: text.to_string(),
                note: Some(note.clone()),
                ..Phrasing::default()
            };
        }
        let parsed = self.reader.parse(text);
        // The sender's specifics are read only when something failed: a clean draft needs none.
        let specifics = self.specifics(text);
        let (yours, failed): (Vec<Finding>, Vec<Finding>) = failed
            .into_iter()
            .partition(|f| self.left_to_member(f, &specifics, &parsed));
        let left: Vec<String> = yours.iter().map(|f| f.id.clone()).collect();
        let note = self.yours_note(&yours, &parsed);
        if failed.is_empty() {
            return Phrasing {
                text: text.to_string(),
                note,
                left,
                left_note: None,
            };
        }
        let mut out = self.edit(parsed, &failed, &specifics, 0);
        // More rounds, rarely needed, for what the first edits did not settle.
        for _ in 0..2 {
            // Confirming the text is clean (but for what is left to the member) quotes no
            // evidence; only a failure needs it.
            if !fails_in_draft(&out, recipient, checks, &left) {
                break;
            }
            let draft = self.reader.parse(&out);
            let again: Vec<Finding> = judge(&out, recipient, checks)
                .into_iter()
                .filter(|f| wording(f) && !left.contains(&f.id))
                .filter(|f| !self.left_to_member(f, &specifics, &draft))
                .collect();
            if again.is_empty() {
                break;
            }
            let used = slots(&out).saturating_sub(slots(text));
            out = self.edit(draft, &again, &specifics, used);
        }
        Phrasing {
            text: out,
            note: None,
            left,
            left_note: note,
        }
    }

    /// Whether the failure `f` is left to the member, because the only repair would be a
    /// stock line: an offer with nothing in the draft to build it from, after an ask for time
    /// or one answer (not one of the rules of `offer.placeholder_after`); a smaller yes after
    /// a rule of `left_rules`; the question their public work leaves open, unless the words
    /// that failed are the draft's one question (in a thank-you note, a message passing on
    /// someone else's request or a draft with questions of its own, such a line reads as a
    /// non sequitur).
    fn left_to_member(&self, f: &Finding, sp: &Specifics, draft: &Draft) -> bool {
        let t = &self.templates;
        let rule_in = |rules: &[String]| {
            f.rule
                .as_deref()
                .is_some_and(|r| rules.iter().any(|p| p == r))
        };
        if rule_in(&t.left_rules) {
            return true;
        }
        match self.repair_of(f) {
            Some(Repair::Offer) => {
                let built = sp.years.is_some()
                    || sp.role.is_some()
                    || (sp.project.is_some() && t.offer.project.is_some());
                !built && !rule_in(&t.offer.placeholder_after)
            }
            Some(Repair::Public) => {
                let hit = draft.sentences_with_evidence(f, false);
                let asks = hit.iter().any(|&i| draft.sentences[i].role == Role::Ask);
                let other_question = draft.sentences.iter().enumerate().any(|(i, s)| {
                    !s.frame
                        && !hit.contains(&i)
                        && draft.sentence(i).trim_end().ends_with('?')
                        && !self.reader.meeting.is_match(draft.sentence(i))
                });
                !asks || other_question || draft.text.contains('[')
            }
            _ => false,
        }
    }

    /// The note on what is left to the member, one line per check from `[yours]`, with the
    /// words that failed quoted where the line asks for them, and `introduce` when an offer is
    /// left to a sender who never says who they are.
    fn yours_note(&self, yours: &[Finding], draft: &Draft) -> Option<String> {
        let text = draft.text;
        let mut lines: Vec<String> = yours
            .iter()
            .filter_map(|f| {
                let line = self.templates.yours.get(&f.id)?;
                let quote = f
                    .evidence
                    .iter()
                    .find(|e| e.source == Source::Draft)
                    .and_then(|e| text.get(e.start..e.end))
                    .unwrap_or("");
                Some(line.replace("{quote}", quote.trim()))
            })
            .collect();
        let offer_left = yours
            .iter()
            .any(|f| self.repair_of(f) == Some(Repair::Offer));
        let nameless = !self.reader.names_the_sender(draft);
        if let Some(line) = self
            .templates
            .introduce
            .as_ref()
            .filter(|_| offer_left && nameless)
        {
            lines.push(line.clone());
        }
        (!lines.is_empty()).then(|| lines.join(" "))
    }

    /// One round of edits of `draft` for its failed findings; `used` placeholders were added
    /// by earlier rounds.
    fn edit(&self, draft: Draft, failed: &[Finding], specifics: &Specifics, used: usize) -> String {
        let n = draft.sentences.len();
        let mut plan = Plan {
            draft,
            actions: vec![Action::Keep; n],
            before: vec![Vec::new(); n],
            after: vec![Vec::new(); n],
            ask_settled: false,
            slots: MAX_PLACEHOLDERS.saturating_sub(used),
        };
        let offer = failed
            .iter()
            .any(|f| self.repair_of(f) == Some(Repair::Offer));
        // The offer's placeholder, when the draft says nothing to build it from, comes first.
        if offer && specifics.years.is_none() && specifics.role.is_none() {
            plan.slots = plan.slots.saturating_sub(1);
        }
        let paid = failed.iter().any(|f| {
            f.rule
                .as_deref()
                .and_then(|r| self.templates.rule_asks.get(r))
                .is_some_and(|k| k == "paid")
        });
        // The ask is settled first, then what is left; the checks `[repairs]` does not name
        // come last but for the offer, which goes where the edited draft leaves room.
        let order = [
            Some(Repair::Favour),
            Some(Repair::Feedback),
            Some(Repair::Public),
            Some(Repair::Remove),
            None,
        ];
        for repair in order {
            for f in failed.iter().filter(|f| self.repair_of(f) == repair) {
                self.repair(&mut plan, f, paid, specifics);
            }
        }
        if offer && !paid {
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
