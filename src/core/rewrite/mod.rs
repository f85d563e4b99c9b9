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
//! member to fill, closing the ask's paragraph, when the ask is for work, a referral or advice
//! (`offer.placeholder_after`); after an ask for time or one answer the offer is left to the
//! member, and [`Phrasing::note`] says so. Which of these repairs a failed check gets is
//! its entry under `[repairs]` of `config/rewrite.toml`. A draft that fails nothing is
//! returned as it is, with a [`Phrasing::note`] saying so. The phrasing is reviewed once more;
//! what still fails gets one more round of the same edits, so the phrasing of the phrasing is
//! the same text.
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
use draft::{Role, Specifics};
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
}

impl Rewriter {
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
        // The sender's specifics are read only when something failed: a clean draft needs none.
        let specifics = match findings.iter().any(|f| f.status == Status::Failed) {
            true => self.reader.specifics(text),
            false => Specifics::default(),
        };
        // Failures the wording can change, and of those the offers left to the member.
        let wording = |f: &&Finding| f.status == Status::Failed && !recipient_only(f);
        let offer_left = |f: &&Finding| self.offer_left_to_member(f, &specifics);
        let repairable = |fs: &[Finding]| -> Vec<Finding> {
            fs.iter()
                .filter(wording)
                .filter(|f| !offer_left(f))
                .cloned()
                .collect()
        };
        let left: Vec<String> = findings
            .iter()
            .filter(wording)
            .filter(offer_left)
            .map(|f| f.id.clone())
            .collect();
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
            let note = if !left.is_empty() {
                &t.offer.yours
            } else if findings.iter().any(|f| f.status == Status::Failed) {
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
                left,
            };
        }
        let mut out = self.edit(text, &failed, &specifics, 0);
        // More rounds, rarely needed, for what the first edits did not settle.
        for _ in 0..2 {
            // Confirming the text is clean quotes no evidence; only a failure needs it.
            if !fails_in_draft(&out, recipient, checks) {
                break;
            }
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
            left,
        }
    }

    /// Whether the offer a failure of `f` calls for is left to the member: nothing in the
    /// draft to build it from, and the ask is for time or one answer (not one of the rules of
    /// `offer.placeholder_after`, after which a placeholder is added).
    fn offer_left_to_member(&self, f: &Finding, sp: &Specifics) -> bool {
        let offer = &self.templates.offer;
        let built = sp.years.is_some()
            || sp.role.is_some()
            || (sp.project.is_some() && offer.project.is_some());
        !built
            && self.repair_of(f) == Some(Repair::Offer)
            && !f
                .rule
                .as_deref()
                .is_some_and(|r| offer.placeholder_after.iter().any(|p| p == r))
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
