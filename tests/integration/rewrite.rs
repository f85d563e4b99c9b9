//! The better phrasing edits the draft: on every labelled draft we keep (our own sets, the dev
//! corpus and the rewordings of real requests), it keeps what was not the problem, re-reviews
//! clean, is stable, and adds at most two placeholders and no second ask; explicit cases pin
//! down the repairs.

use coffee_coach::core::review::Source;
use coffee_coach::core::Status;

use crate::support::{data_dir, labelled, review, Labelled};

/// Every labelled draft the tests have: at least the 40 the phrasing is held to.
fn all_drafts() -> Vec<Labelled> {
    [
        "dev.jsonl",
        "more-drafts.jsonl",
        "fresh-drafts.jsonl",
        "real/train.jsonl",
        "real/test.jsonl",
    ]
    .iter()
    .flat_map(|f| labelled(&data_dir().join(f)))
    .filter(|d| !d.text.trim().is_empty())
    .collect()
}

/// Sentences of the draft that hold no evidence of a failure: the phrasing keeps them verbatim.
fn untouched_sentences(draft: &str, evidence: &[(usize, usize)]) -> Vec<String> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in draft.char_indices() {
        let end = i + c.len_utf8();
        let abbreviation = ["Mr", "Ms", "Mrs", "Dr", "Prof"]
            .iter()
            .any(|a| draft[..i].ends_with(a));
        let boundary = matches!(c, '.' | '?' | '!' | '\n')
            && !abbreviation
            && draft[end..].chars().next().is_none_or(char::is_whitespace);
        if boundary || end == draft.len() {
            let piece = draft[start..end].trim();
            let touched = evidence.iter().any(|&(s, e)| s < end && start < e);
            if piece.split_whitespace().count() >= 3 && !touched {
                out.push(piece.to_string());
            }
            start = end;
        }
    }
    out
}

/// The phrasing of `draft` (to no one in particular), once its review fails `check`.
fn phrasing_when_failing(draft: &str, check: &str) -> String {
    let r = review(draft, None);
    assert_eq!(
        r.finding(check).map(|f| f.status),
        Some(Status::Failed),
        "{check}: {draft}"
    );
    r.rewrite
}

fn count_asks(text: &str) -> usize {
    text.matches('?').count()
}

#[test]
fn the_phrasing_of_every_labelled_draft_keeps_the_draft_and_re_reviews_clean() {
    let drafts = all_drafts();
    let mut failing = 0;
    let mut wrong = Vec::new();
    for d in &drafts {
        let r = review(&d.text, d.recipient.as_deref());
        // A draft in another language has every label "can't tell" (LABELING.md).
        let read_in_english = d.labels.values().any(|l| !l.is_null());
        if let Some(language) = r.language.filter(|_| read_in_english) {
            wrong.push(format!("{}: an English draft read as {language}", d.id));
        }
        if !r.judged() {
            continue;
        }
        let phrasing = &r.rewrite;
        let text_failures: Vec<_> = r
            .failed()
            .filter(|f| f.evidence.iter().any(|e| e.source == Source::Draft))
            .collect();
        if text_failures.is_empty() {
            if phrasing != d.text.trim() || r.rewrite_note.is_none() {
                wrong.push(format!(
                    "{}: a draft that needs no change is returned as is, with a note\n{phrasing}",
                    d.id
                ));
            }
            continue;
        }
        failing += 1;
        // It re-reviews clean on everything the text decides, and is stable.
        let again = review(phrasing, d.recipient.as_deref());
        // What only the member can word (what is in it for them, the question their reading
        // left open, a smaller yes) is left to them, and the note says what to add.
        if !r.left_to_member.is_empty() && r.rewrite_note.is_none() && r.left_note.is_none() {
            wrong.push(format!("{}: what is left to the member has no note", d.id));
        }
        for f in again.failed() {
            if r.left_to_member.contains(&f.id) {
                continue;
            }
            if f.evidence.iter().any(|e| e.source == Source::Draft) {
                wrong.push(format!(
                    "{} {} still fails: {:?}\n{phrasing}",
                    d.id, f.id, f.evidence
                ));
            }
        }
        if again.rewrite != *phrasing {
            wrong.push(format!(
                "{}: not stable\n{phrasing}\n---\n{}",
                d.id, again.rewrite
            ));
        }
        // Lines without failure evidence stay, verbatim (greeting, details, signature).
        let evidence: Vec<(usize, usize)> = text_failures
            .iter()
            .flat_map(|f| f.evidence.iter())
            .filter(|e| e.source == Source::Draft)
            .map(|e| (e.start, e.end))
            .collect();
        let paid = text_failures.iter().any(|f| {
            matches!(
                f.rule.as_deref(),
                Some("advice-from-a-professional" | "paid-advice-without-offer")
            )
        });
        // Compared without case or spacing: a sentence after an inserted one starts upper case.
        let squeezed = |t: &str| {
            t.split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase()
        };
        let kept = squeezed(phrasing);
        for line in untouched_sentences(&d.text, &evidence) {
            if !paid && !kept.contains(&squeezed(&line)) {
                wrong.push(format!(
                    "{}: dropped an untouched sentence {line:?}\n{phrasing}",
                    d.id
                ));
            }
        }
        // At most two placeholders of ours (distinct slots), brackets closed, no second ask.
        let slots = |t: &str| {
            let mut s: Vec<&str> = t
                .split('[')
                .skip(1)
                .filter_map(|p| p.split(']').next())
                .collect();
            s.sort_unstable();
            s.dedup();
            s.len()
        };
        let ours = slots(phrasing).saturating_sub(slots(&d.text));
        if ours > 2 {
            wrong.push(format!("{}: {ours} placeholders\n{phrasing}", d.id));
        }
        if phrasing.matches('[').count() != phrasing.matches(']').count()
            && d.text.matches('[').count() == d.text.matches(']').count()
        {
            wrong.push(format!("{}: unclosed bracket\n{phrasing}", d.id));
        }
        if count_asks(phrasing) > count_asks(&d.text).max(1) {
            wrong.push(format!("{}: more asks than the draft\n{phrasing}", d.id));
        }
    }
    assert!(
        failing >= 40,
        "only {failing} drafts with a failure to rewrite"
    );
    assert!(
        wrong.is_empty(),
        "{} of {failing}:\n\n{}",
        wrong.len(),
        wrong.join("\n\n")
    );
}

#[test]
fn a_draft_that_fails_nothing_is_returned_as_it_is_with_a_note() {
    let draft = "Hi Tom, quick one: could you tell me whether the SQL test at your company is timed? I've done two other take-homes this month and I'm happy to share my notes on them. Thanks either way!";
    let r = review(draft, None);
    assert_eq!(r.rewrite, draft);
    assert!(r
        .rewrite_note
        .as_deref()
        .is_some_and(|n| n.contains("reads well")));
}

#[test]
fn a_draft_that_asks_nothing_gets_a_note_on_what_to_ask_not_an_easy_out() {
    let r = review("I'm at a crossroads in my career.", None);
    assert_eq!(r.rewrite, "I'm at a crossroads in my career.");
    let note = r.rewrite_note.unwrap_or_default();
    assert!(note.contains("doesn't ask"), "{note}");
}

#[test]
fn pick_your_brain_becomes_one_question_in_the_same_sentence() {
    let draft = "Hey Sam!\n\nI just moved into UX research from teaching. Could I pick your brain about hiring loops sometime?\n\nCheers,\nJo";
    let p = &phrasing_when_failing(draft, "not-free-advice");
    assert!(
        p.starts_with("Hey Sam!\n\nI just moved into UX research from teaching."),
        "{p}"
    );
    assert!(
        p.contains("Could I ask you [one specific question] about hiring loops sometime?"),
        "{p}"
    );
    assert!(p.ends_with("\n\nCheers,\nJo"), "{p}");
    assert!(!p.to_lowercase().contains("pick your brain"), "{p}");
}

#[test]
fn a_one_line_draft_opening_with_hi_is_a_sentence_and_the_note_says_what_is_left() {
    // "hi can I pick your brain" is no greeting line: it is the whole request.
    let r = review("hi can I pick your brain", None);
    let p = &r.rewrite;
    assert_eq!(p, "hi can I ask you [one specific question]");
    // What is in it for them is the member's to add, and the note under the phrasing says so.
    assert_eq!(r.left_to_member, ["reason-for-them"]);
    assert!(r.rewrite_note.is_none());
    let note = r.left_note.unwrap_or_default();
    assert!(
        note.starts_with("Yours to add: \"can I pick your brain\" gives them no reason")
            && note.ends_with(
                "Say who you are in one line, too: it is the first thing a stranger looks for."
            ),
        "{note}"
    );
    let r = review(
        "Hi Dr. Levi\nCould I pick your brain about your memoir",
        None,
    );
    assert!(
        r.rewrite.starts_with("Hi Dr. Levi\nCould I ask you"),
        "{}",
        r.rewrite
    );
}

#[test]
fn the_offer_is_built_from_the_senders_experience_and_follows_it() {
    let draft = "Hi Priya, I taught middle-school science for nine years and I'm now moving into instructional design. Would you have 20 minutes for a call next week?";
    let r = review(draft, None);
    let p = &r.rewrite;
    assert!(p.contains("what those nine years taught me"), "{p}");
    let offer = p.find("those nine years").unwrap_or(usize::MAX);
    assert!(
        p.find("taught middle-school science")
            .is_some_and(|at| at < offer),
        "{p}"
    );
    assert!(
        offer < p.find("Would you have 20 minutes").unwrap_or(0),
        "the offer comes before the ask: {p}"
    );
    assert!(!p.contains("In return"), "{p}");
}

#[test]
fn a_sender_making_something_offers_to_send_it_instead_of_a_slot() {
    let draft = "Dear Dr. Amsel, I am writing a dissertation on local newsrooms. Would you be able to answer one question by message: how has your newsroom changed its hiring since 2020?";
    let r = review(draft, None);
    let p = &r.rewrite;
    assert!(
        p.ends_with("I'd be glad to send you the finished dissertation, if it's of interest."),
        "{p}"
    );
    assert!(
        !p.contains('['),
        "no slot when the draft gives the offer: {p}"
    );
    assert!(p.starts_with(draft), "the draft is kept: {p}");
    let again = review(p, None);
    assert_eq!(again.failed().count(), 0, "re-reviews clean: {p}");
    assert_eq!(&again.rewrite, p, "stable");
}

#[test]
fn a_meeting_around_an_introduction_shrinks_to_the_introduction() {
    let r = review(
        "Hi Lior, would you be up for a 30-minute coffee next week? I'm hoping you could introduce me to someone on the payments team.",
        None,
    );
    let p = &r.rewrite;
    assert!(p.starts_with("Hi Lior,"), "{p}");
    assert!(
        p.contains("introduce me to someone on the payments team"),
        "{p}"
    );
    assert!(!p.contains("30-minute coffee"), "{p}");
    assert_eq!(
        p.matches('?').count(),
        0,
        "the kept request is the one ask: {p}"
    );
}

#[test]
fn free_advice_from_a_professional_becomes_a_paid_booking_without_an_easy_out() {
    let r = review(
        "Hi Mark, I saw your LinkedIn post about burnout. Could we grab a coffee so I can get your perspective on how to handle my manager?",
        Some("executive coach"),
    );
    let p = &r.rewrite;
    assert!(p.contains("paid session"), "{p}");
    assert!(!p.to_lowercase().contains("coffee"), "{p}");
    assert!(p.contains("I saw your LinkedIn post about burnout."), "{p}");
    assert!(!p.contains("no worries"), "{p}");
}

#[test]
fn hidden_characters_do_not_hide_a_phrase() {
    for draft in [
        "Can I pick\u{a0}your brain over coffee?",
        "Can I pick your\u{200b} brain over coffee?",
    ] {
        let r = review(draft, None);
        let f = r.finding("not-free-advice").expect("the check");
        assert_eq!(f.status, Status::Failed, "{draft:?}");
        let e = &f.evidence[0];
        assert_eq!(&draft[e.start..e.end], e.text);
    }
}

#[test]
fn a_draft_in_another_language_is_not_judged_and_gets_no_phrasing() {
    let r = review(
        "Hola Marta, leí tu libro sobre cambiar de carrera y me encantaría invitarte a un café para que me cuentes tu experiencia.",
        None,
    );
    assert!(!r.judged());
    assert_eq!(r.language, Some("Spanish"));
    assert!(r.checks.iter().all(|f| f.status == Status::NotJudged));
    assert!(r.rewrite.is_empty());
}

#[test]
fn a_question_for_what_is_public_keeps_the_senders_sentence_and_asks_past_it() {
    let draft = "Hi Noa,\n\nI'm a junior analyst. I'd love to learn more about your career path and how you got into venture. Could we talk for 15 minutes next week?\n\nThanks,\nDan";
    let p = &phrasing_when_failing(draft, "not-searchable");
    assert!(
        p.contains("I'd love to learn more about your career path and how you got into venture. The one thing I couldn't find online is [the part I still can't work out]."),
        "{p}"
    );
    assert!(p.ends_with("\n\nThanks,\nDan"), "{p}");
}

#[test]
fn a_role_alone_builds_no_offer_the_member_is_told_what_to_add() {
    // Judges found "what I've seen in my own work" vague: `config/rewrite.toml` has no role
    // line, so a sender who names only their role words the offer themselves.
    let draft = "Hi Ana, my name is Tom. I'm a school nurse in Leeds and I'm moving into health tech. Would you have time for a coffee next week?";
    let r = review(draft, None);
    assert_eq!(r.rewrite, draft);
    assert_eq!(r.left_to_member, ["reason-for-them"]);
    let note = r.rewrite_note.unwrap_or_default();
    assert!(note.starts_with("Yours to add:"), "{note}");
}

#[test]
fn after_a_numbered_list_the_offer_is_a_paragraph_of_its_own() {
    let draft = "Hi Sam, I'm applying for the data role at Acme and see you recruit there.\n\nWould you mind answering three questions?\n\n1. Is the take-home timed?\n2. Who runs the panel?\n3. How long until a reply?\n\nThanks!";
    let p = review(draft, None).rewrite;
    assert!(p.contains("3. How long until a reply?\n\n"), "{p}");
    assert!(
        !p.contains("reply? In return") && !p.contains("reply?. "),
        "{p}"
    );
}

#[test]
fn a_letter_asked_of_a_stranger_is_left_as_written_with_a_note_quoting_the_ask() {
    let draft =
        "Dear Dr. Hale, would you write me a recommendation letter for the fellowship by Friday?";
    let r = review(draft, None);
    assert_eq!(r.rewrite, draft);
    assert_eq!(r.left_to_member, ["reason-for-them", "right-size-ask"]);
    let note = r.rewrite_note.unwrap_or_default();
    assert!(
        note.contains("Yours to size: \"write me a recommendation letter\""),
        "{note}"
    );
}

#[test]
fn offering_to_pay_is_something_in_it_for_them() {
    let draft = "Hi Jen, I loved your proposal class. Could I hire you to review my book proposal in March?";
    let r = review(draft, None);
    assert_eq!(
        r.finding("reason-for-them").map(|f| f.status),
        Some(Status::Passed),
        "{:?}",
        r.finding("reason-for-them")
    );
    assert!(!r.rewrite.contains("In return"), "{}", r.rewrite);
}

#[test]
fn a_standing_mentorship_stays_the_members_ask_and_the_smaller_yes_is_theirs_to_offer() {
    let draft = "Hi Mira, I'm a junior illustrator. Would you mentor me as a writer, meeting once a week for 30 minutes?\n\nThanks,\nJo";
    let r = review(draft, None);
    assert_eq!(
        r.finding("right-size-ask").and_then(|f| f.rule.as_deref()),
        Some("standing-mentorship")
    );
    assert_eq!(r.rewrite, draft);
    assert!(r.left_to_member.contains(&"right-size-ask".to_string()));
    let note = r.rewrite_note.unwrap_or_default();
    assert!(note.contains("one short call first"), "{note}");
}
