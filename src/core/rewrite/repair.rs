//! The repairs of failed checks, each changing only what failed: [`Rewriter::repair`] turns
//! the sentences at fault into the right ask (the kind of repair is the check's entry under
//! `[repairs]` of `config/rewrite.toml`) or swaps their phrases in place
//! ([`Rewriter::swap_phrases`], the `[[edits]]`); [`Rewriter::add_offer`] puts something in it
//! for the reader; [`Rewriter::add_easy_out`] closes an ask for time with an easy out. [`fill`]
//! fills a template from the draft's [`Specifics`].

use super::draft::{Role, Specifics};
use super::load::Repair;
use super::plan::{slot_spans, Action, Plan};
use super::Rewriter;
use crate::core::judge::{Finding, Source};

impl Rewriter {
    /// Repairs one failed check (all but those repaired by an offer): `paid` when a failed
    /// rule calls for a paid booking.
    pub(super) fn repair(&self, plan: &mut Plan, f: &Finding, paid: bool, specifics: &Specifics) {
        let repair = self.repair_of(f);
        let (subjects, hit): (Vec<usize>, Vec<usize>) = plan
            .sentences_with_evidence(f, repair == Some(Repair::Remove))
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
        if paid && (repair == Some(Repair::Feedback) || kind == Some("paid")) {
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
        let ask = match (repair, kind) {
            (_, Some(kind @ ("vouch" | "standing"))) => Some(kind),
            (Some(Repair::Favour), _) => Some(favour_kind(f)),
            (Some(Repair::Feedback), _) => Some("feedback"),
            (Some(Repair::Public), _) => Some("public"),
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
        let favour = repair == Some(Repair::Favour);
        if favour && ask != "vouch" && ask != "standing" && own_ask.is_some() {
            for &i in &meeting {
                plan.actions[i] = Action::Remove;
            }
        } else if ask == "feedback" && (other_ask || !plan.is_last_ask(first)) {
            // A free service mentioned beside the real ask ("I can't afford one") just goes.
            for &i in &hit {
                plan.actions[i] = Action::Remove;
            }
            return;
        } else if ask == "vouch" || ask == "standing" {
            // The big ask stays the member's; a smaller yes is offered right after it.
            let letter = f.evidence.iter().any(|e| {
                let quoted = e.text.to_lowercase();
                [
                    "letter",
                    "reference",
                    "recommend",
                    "endors",
                    "testimonial",
                    "blurb",
                ]
                .iter()
                .any(|w| quoted.contains(w))
            });
            let template = match ask {
                "standing" => &t.asks.standing,
                _ if letter => &t.asks.vouch_letter,
                _ => &t.asks.vouch,
            };
            let alternative = plan.spend(fill(template, specifics, None));
            // After the ask it is the alternative to: "I'm looking for an internship. ...
            // Would you introduce me?" gets it after the question, not before.
            let last = hit[hit.len() - 1];
            let at = (last..plan.actions.len())
                .find(|&i| {
                    let s = &plan.draft.sentences[i];
                    !s.frame && s.role == Role::Ask && plan.actions[i] != Action::Remove
                })
                .unwrap_or(last);
            plan.after[at].push(alternative);
            return;
        } else if ask == "public" {
            // The sender's sentence stays; the one question past what is online follows it.
            // With no placeholder left, a line without one: a bare hint would go out as words.
            let line = match plan.slots {
                0 => t.asks.public_plain.clone(),
                _ => plan.spend(fill(&t.asks.public, specifics, None)),
            };
            // After what goes on from the sentence in its paragraph ("I'm asking because ..."),
            // but before the next ask or the thanks.
            let body = plan.body();
            let last = hit[hit.len() - 1];
            let end = plan.paragraph_end(last, &body);
            let mut at = last;
            for j in body.iter().copied().filter(|&j| j > last && j <= end) {
                let s = plan.sentence(j);
                if plan.draft.sentences[j].role == Role::Ask || self.reader.is_closing(s) {
                    break;
                }
                at = j;
            }
            plan.after[at].push(line);
            return;
        } else {
            let template = match ask {
                "intro" => &t.asks.intro,
                "question" => &t.asks.question,
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
        plan.ask_settled |= favour || ask == "feedback";
    }

    /// Swaps the failing phrases of `f` in place where an `[[edits]]` pattern knows them.
    pub(super) fn swap_phrases(
        &self,
        plan: &mut Plan,
        f: &Finding,
        hit: &[usize],
        sp: &Specifics,
    ) -> bool {
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
    pub(super) fn add_offer(&self, plan: &mut Plan, sp: &Specifics) {
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
            (None, role) => match (&sp.project, &t.project, role.as_ref().zip(t.role.as_ref())) {
                (Some(project), Some(line), _) => line.replace("{project}", project),
                (_, _, Some((role, line))) => line
                    .replace("{role}", role)
                    .replace("{about_topic}", &about),
                _ => t.placeholder.clone(),
            },
        };
        let mut body = plan.body();
        // The closing lines at the end (thanks, regards, contact details, links) are not where
        // an offer goes.
        while body.len() > 1
            && body
                .last()
                .is_some_and(|&i| self.reader.is_closing(plan.sentence(i)))
        {
            body.pop();
        }
        // The ask: the last question, else the last sentence that asks ("let me know if I can
        // send anything else!" comes after the question it follows up).
        let asks = || {
            body.iter()
                .copied()
                .filter(|&i| plan.draft.sentences[i].role == Role::Ask)
        };
        let question = |i: &usize| match &plan.actions[*i] {
            Action::Replace(with) => with.trim_end().ends_with('?'),
            _ => plan.sentence(*i).trim_end().ends_with('?'),
        };
        let ask = asks().rfind(question).or_else(|| asks().next_back());
        // The offer closes the ask's paragraph ("Could we talk? I'm asking because ..."), before
        // its thanks.
        let ask = ask.map(|i| {
            let mut end = plan.paragraph_end(i, &body);
            while end > i && self.reader.is_closing(plan.sentence(end)) {
                end = body.iter().copied().rfind(|&j| j < end).unwrap_or(i);
            }
            end
        });
        // An offer built from the sender's experience follows the sentence that tells of it
        // ("I taught for nine years."), else the last thing said about the sender before the
        // ask; a sentence to finish ("In return, ...") closes the ask's paragraph.
        let built_from = sp.years.as_deref().or(sp.role.as_deref());
        let me = built_from.and_then(|words| {
            let words = words.to_lowercase();
            let tells = |i: &usize| plan.sentence(*i).to_lowercase().contains(&words);
            let about_me = |i: &usize| plan.draft.sentences[*i].role == Role::AboutMe;
            body.iter()
                .copied()
                .find(tells)
                .or_else(|| {
                    body.iter()
                        .copied()
                        .take_while(|&i| Some(i) != ask)
                        .filter(about_me)
                        .last()
                })
                .or_else(|| body.iter().copied().find(about_me))
        });
        let Some(mut at) = me.or(ask).or(body.last().copied()) else {
            return;
        };
        // "I've been a counselor for 18 years… I've been writing forever.": a trailing-off
        // sentence goes on into the next one, so the offer waits for its end.
        while plan.sentence(at).trim_end().ends_with(['…', ',', ';'])
            || plan.sentence(at).trim_end().ends_with("...")
        {
            match body.iter().find(|&&j| j > at) {
                Some(&next) => at = next,
                None => break,
            }
        }
        // After a list item the offer starts a paragraph of its own instead of joining the item.
        let offer = match plan.is_list_item(at) {
            true => format!("\n\n{offer}"),
            false => offer,
        };
        plan.after[at].push(offer);
    }

    /// An easy out after the last ask for time, when the draft has none.
    pub(super) fn add_easy_out(&self, plan: &mut Plan) {
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
            let at = plan.paragraph_end(i, &plan.body());
            plan.after[at].push(self.templates.easy_out.clone());
        }
    }
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

/// Fills `{topic}`, `{content}`, `{target}`, `{question}`, `{object}` from the draft; what the
/// draft does not say becomes a `[placeholder]` with a hint.
pub(super) fn fill(template: &str, sp: &Specifics, object: Option<&str>) -> String {
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
