//! Renders a [`Review`] for Discord, in one place: the ephemeral embed, the buttons under it, the
//! public post, and the draft modal. Everything stays within Discord's limits (embed description
//! 4096 characters, 6000 in all, modal input 4000), truncated at char boundaries with a visible
//! ellipsis so a send never fails on length.

use poise::serenity_prelude as serenity;
use serenity::{
    CreateActionRow, CreateAllowedMentions, CreateButton, CreateEmbed, CreateInputText,
    CreateModal, InputTextStyle,
};

use crate::core::profile::Profile;
use crate::core::review::{Finding, Review, Status};

/// Discord's limit on an embed description.
pub const EMBED_DESCRIPTION_MAX: usize = 4096;
/// Discord's limit on a plain message.
pub const MESSAGE_MAX: usize = 2000;
/// Discord's limit on a modal text input.
pub const MODAL_INPUT_MAX: usize = 4000;

const COLOR_FAILED: u32 = 0xd9822b;
const COLOR_PASSED: u32 = 0x2f9e44;

/// No pings, ever: the bot echoes member text.
pub fn no_pings() -> CreateAllowedMentions {
    CreateAllowedMentions::new()
}

/// Cuts `text` to at most `max` characters, ending with "…" when it was cut.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let keep: String = text.chars().take(max.saturating_sub(1)).collect();
    format!("{}…", keep.trim_end())
}

/// Quoted member text that cannot break out of its formatting (backticks become look-alikes).
fn quote(text: &str) -> String {
    let text = text.replace('`', "ˋ").replace('\n', " ");
    format!("`{}`", truncate(&text, 80))
}

fn mark(status: Status) -> &'static str {
    match status {
        Status::Passed => "✅",
        Status::Failed => "❌",
        Status::NotJudged => "➖",
    }
}

/// One line (or a few) for a finding.
pub fn finding_line(f: &Finding) -> String {
    match f.status {
        Status::Passed => format!("{} **{}**: passed", mark(f.status), f.title),
        Status::NotJudged => format!(
            "{} **{}**: not judged from the text alone",
            mark(f.status),
            f.title
        ),
        Status::Failed => {
            let quotes: Vec<String> = f.evidence.iter().take(4).map(|e| quote(&e.text)).collect();
            let mut line = format!("{} **{}**: {}", mark(f.status), f.title, f.reason);
            if !quotes.is_empty() {
                line.push_str(&format!("\n   Triggered by {}", quotes.join(", ")));
            }
            if let Some(hint) = &f.hint {
                line.push_str(&format!("\n   *Try:* {hint}"));
            }
            line
        }
    }
}

/// The better phrasing in a copyable code block (backtick fences in it are defused).
fn code_block(text: &str, max: usize) -> String {
    let safe = text.replace("```", "ˋˋˋ");
    format!("```\n{}\n```", truncate(&safe, max.saturating_sub(8)))
}

/// The ephemeral review embed. `note` goes first (e.g. which checks now pass); `peers` is a
/// list of suggested peers, added when the draft aims at the wrong people.
pub fn review_embed(review: &Review, note: Option<&str>, peers: Option<&str>) -> CreateEmbed {
    let embed = review_embed_body(review, note);
    match peers {
        Some(text) => embed.field("People a few steps ahead", truncate(text, 1024), false),
        None => embed,
    }
}

fn review_embed_body(review: &Review, note: Option<&str>) -> CreateEmbed {
    if review.empty {
        return CreateEmbed::new().title("Nothing to review").description(
            "The draft is empty. Paste the message you are about to send and I'll check it.",
        );
    }
    if let Some(note) = review.unjudged_note() {
        return CreateEmbed::new().title("Not reviewed").description(note);
    }
    let mut lines: Vec<String> = Vec::new();
    if let Some(note) = note {
        lines.push(note.to_string());
        lines.push(String::new());
    }
    lines.extend(review.checks.iter().map(finding_line));
    let checks = truncate(&lines.join("\n"), 2400);
    // The note quotes the member's words, which can be long: it gets a share of its own, so the
    // phrasing's code block always closes.
    let left = review
        .left_note
        .as_deref()
        .map(|note| format!("\n{}", truncate(note, 800)))
        .unwrap_or_default();
    let room = EMBED_DESCRIPTION_MAX - checks.chars().count() - left.chars().count() - 40;
    let description = match &review.rewrite_note {
        Some(line) => format!(
            "{checks}\n\n**{line}**\n{}",
            code_block(&review.rewrite, room)
        ),
        None => format!(
            "{checks}\n\n**Better phrasing** (copy it, fill in the [brackets]):\n{}{left}",
            code_block(&review.rewrite, room)
        ),
    };
    let failed = review.failed().count();
    CreateEmbed::new()
        .title(if failed == 0 {
            "Your draft passes every check".to_string()
        } else {
            format!(
                "Your draft fails {failed} of {} checks",
                review.checks.len()
            )
        })
        .description(truncate(&description, EMBED_DESCRIPTION_MAX))
        .color(if failed == 0 {
            COLOR_PASSED
        } else {
            COLOR_FAILED
        })
}

/// A member's profile as an embed (their own text, shown as typed; it never pings).
pub fn profile_embed(p: &Profile) -> CreateEmbed {
    let or_dash = |s: &str| {
        if s.trim().is_empty() {
            "–".to_string()
        } else {
            truncate(s, 300)
        }
    };
    let path = match (&p.move_from, &p.move_to) {
        (None, None) => "–".to_string(),
        (from, to) => format!(
            "{} → {}{}",
            from.as_deref().unwrap_or("?"),
            to.as_deref().unwrap_or("?"),
            p.moved_on
                .map(|d| format!(" (since {d})"))
                .unwrap_or_default()
        ),
    };
    CreateEmbed::new()
        .title("Your profile")
        .field("Role", or_dash(&p.role), true)
        .field("Field", or_dash(&p.field), true)
        .field("Stage", p.stage.label(), true)
        .field("Move", truncate(&path, 300), false)
        .field("Topics", or_dash(&p.topics.join(", ")), false)
        .field("Can help with", or_dash(&p.can_help_with), false)
        .field(
            "Open to coffee chats",
            if p.open_to_coffee { "yes" } else { "no" },
            true,
        )
}

/// The public post made when the member presses "Post to channel".
pub fn public_post(review: &Review, member_id: u64) -> String {
    let lines: Vec<String> = review
        .checks
        .iter()
        .map(|f| format!("{} {}", mark(f.status), f.title))
        .collect();
    let head = format!(
        "<@{member_id}> shared a reviewed coffee request:\n{}\n",
        lines.join("\n")
    );
    let room = MESSAGE_MAX.saturating_sub(head.chars().count() + 4);
    truncate(
        &format!("{head}{}", code_block(&review.rewrite, room)),
        MESSAGE_MAX,
    )
}

/// Custom ids of the review's buttons and modals: `cc:<action>:<review key>`.
pub mod ids {
    pub const EDIT: &str = "cc:edit";
    pub const POST: &str = "cc:post";
    pub const PEERS: &str = "cc:peers";
    pub const MODAL: &str = "cc:modal";
    pub const PROFILE_DELETE: &str = "cc:profile-delete";
    pub const PROFILE_KEEP: &str = "cc:profile-keep";
    pub const TIP_SHARE: &str = "cc:tip-share";
    pub const COACH_RESTART: &str = "cc:coach-restart";
    pub const FOLLOW_UP: &str = "cc:follow-up";
    pub const USE_PHRASING: &str = "cc:use-phrasing";
    /// The answers in the follow-up DM; their key is the follow-up's id.
    pub const MET: &str = "cc:fu-met";
    pub const SAID_NO: &str = "cc:fu-no";
    pub const NO_REPLY_YET: &str = "cc:fu-wait";
    pub const NOT_SENT: &str = "cc:fu-unsent";
    pub const STOP_ASKING: &str = "cc:fu-stop";
    pub const DRAFT_INPUT: &str = "draft";
    pub const RECIPIENT_INPUT: &str = "recipient";

    /// `prefix:key`.
    pub fn with_key(prefix: &str, key: u64) -> String {
        format!("{prefix}:{key}")
    }

    /// Splits `prefix:key` into the prefix and the key (0 when there is none).
    pub fn split(custom_id: &str) -> (&str, u64) {
        match custom_id.rsplit_once(':') {
            Some((prefix, key)) if prefix.starts_with("cc:") => (prefix, key.parse().unwrap_or(0)),
            _ => (custom_id, 0),
        }
    }
}

/// The buttons under a review: edit and re-check; in a server also find peers and post to
/// channel; then "ask me in a week how it went" and, when there is a better phrasing,
/// "I'll use this version".
pub fn review_buttons(key: u64, in_guild: bool, has_phrasing: bool) -> Vec<CreateActionRow> {
    let mut buttons = vec![CreateButton::new(ids::with_key(ids::EDIT, key))
        .label("Edit and re-check")
        .style(serenity::ButtonStyle::Primary)];
    if in_guild {
        buttons.push(
            CreateButton::new(ids::with_key(ids::PEERS, key))
                .label("Find peers")
                .style(serenity::ButtonStyle::Secondary),
        );
        buttons.push(
            CreateButton::new(ids::with_key(ids::POST, key))
                .label("Post to channel")
                .style(serenity::ButtonStyle::Secondary),
        );
    }
    let mut outcome = vec![CreateButton::new(ids::with_key(ids::FOLLOW_UP, key))
        .label("Ask me in a week how it went")
        .style(serenity::ButtonStyle::Secondary)];
    if has_phrasing {
        outcome.push(
            CreateButton::new(ids::with_key(ids::USE_PHRASING, key))
                .label("I'll use this version")
                .style(serenity::ButtonStyle::Success),
        );
    }
    vec![
        CreateActionRow::Buttons(buttons),
        CreateActionRow::Buttons(outcome),
    ]
}

/// The follow-up DM a week after a review: did you send it, did you get a yes?
pub fn follow_up_message(
    id: u64,
    week_start: chrono::NaiveDate,
    asked: i64,
) -> (String, CreateActionRow) {
    let again = if asked > 1 { " once more" } else { "" };
    let text = format!(
        "Hi! You asked me to check in{again} about the coffee request you reviewed in the week \
         of {week_start}. Did you send it, and did you get a yes? Your answer is kept without \
         your name or the message, only to learn which checks matter here."
    );
    let button = |action: &str, label: &str, style| {
        CreateButton::new(ids::with_key(action, id))
            .label(label)
            .style(style)
    };
    use serenity::ButtonStyle::{Danger, Secondary, Success};
    let row = CreateActionRow::Buttons(vec![
        button(ids::MET, "Yes, we met / talked", Success),
        button(ids::SAID_NO, "They said no", Secondary),
        button(ids::NO_REPLY_YET, "No reply yet", Secondary),
        button(ids::NOT_SENT, "I didn't send it", Secondary),
        button(ids::STOP_ASKING, "Stop asking me", Danger),
    ]);
    (text, row)
}

/// What the member reads after answering a follow-up.
pub fn follow_up_answered(outcome: Option<crate::core::outcomes::Outcome>) -> &'static str {
    use crate::core::outcomes::Outcome;
    match outcome {
        Some(Outcome::Yes) => "Wonderful, enjoy the conversation! Noted, anonymously.",
        Some(Outcome::No) => {
            "Thanks for telling me. A no is common; the next request can go to someone a few \
             steps ahead of you. Noted, anonymously."
        }
        Some(Outcome::NoReply) => "Thanks. No reply after two weeks is noted, anonymously.",
        Some(Outcome::NotSent) => "Thanks, noted. Nothing else is kept about it.",
        None => "That follow-up was already answered or deleted.",
    }
}

/// The outcome part of `/stats`: per check, the yes-rate of requests that passed it against
/// those that failed it, only where each side has at least `min` answers.
pub fn outcome_stats(
    checks: &[(&str, &str)],
    comparisons: &[crate::core::outcomes::Comparison],
    answered: usize,
    min: u32,
) -> String {
    if answered == 0 {
        return "**How requests went:** no follow-up answers yet. Members can press \
                \u{201c}Ask me in a week how it went\u{201d} under a review."
            .to_string();
    }
    let side = |s: crate::core::outcomes::Side| {
        format!("{} of {} ({:.0}%)", s.yes, s.sent, 100.0 * s.rate())
    };
    let mut lines = vec![format!(
        "**How requests went** ({answered} answered follow-ups, anonymous; a yes-rate shows \
         once each side has {min}):"
    )];
    for ((_, title), c) in checks.iter().zip(comparisons) {
        lines.push(if c.shown(min) {
            let verdict = if c.holds(min) {
                format!(" \u{2014} a real difference (Fisher p = {:.3})", c.p_value)
            } else {
                String::new()
            };
            format!(
                "{title}: got a yes when passed {}, when failed {}{verdict}",
                side(c.passed),
                side(c.failed)
            )
        } else {
            format!("{title}: not enough answers yet")
        });
    }
    lines.join("\n")
}

/// What members are told when they have no profile.
pub const NO_PROFILE: &str = "You have no profile in this server yet. Add one with \
    `/profile set` so I can match your stage and path.";

/// The answer to `/peers` (mentions render as names and never ping).
pub fn peers_text(
    suggestions: &[crate::core::peers::Suggestion],
    has_profile: bool,
    has_goal: bool,
) -> String {
    let mut out = String::new();
    if suggestions.is_empty() {
        out.push_str(if has_goal {
            "Nobody who opted in is one to three stages ahead of you on that path yet (or \
             they've had plenty of requests this week). Try a broader goal."
        } else {
            "Tell me where you're heading (`/peers goal: UX research`), or add a move to your \
             profile."
        });
    } else {
        out.push_str("**People a few steps ahead on your path** (they opted in to coffee chats):");
        for s in suggestions {
            out.push_str(&format!("\n• <@{}>: {}", s.user_id, s.reason));
        }
    }
    if !has_profile {
        out.push_str("\n\n");
        out.push_str(NO_PROFILE);
    }
    out
}

/// The line a tip or `/stats` adds when this server's outcomes show that passing a check goes
/// with more yeses.
pub fn outcome_citation(title: &str, c: &crate::core::outcomes::Comparison) -> String {
    let times = c
        .ratio()
        .map(|r| format!("{r:.1}x as often"))
        .unwrap_or_else(|| "more often".to_string());
    format!(
        "Here, requests that passed \u{201c}{title}\u{201d} got a yes {times}: {} of {} against {} of {}.",
        c.passed.yes, c.passed.sent, c.failed.yes, c.failed.sent
    )
}

/// The draft modal, pre-filled when editing.
pub fn draft_modal(key: u64, draft: Option<&str>, recipient: Option<&str>) -> CreateModal {
    let mut draft_input =
        CreateInputText::new(InputTextStyle::Paragraph, "Your draft", ids::DRAFT_INPUT)
            .placeholder("Paste the message you are about to send")
            .min_length(1)
            .max_length(MODAL_INPUT_MAX as u16)
            .required(true);
    if let Some(d) = draft.filter(|d| !d.is_empty()) {
        draft_input = draft_input.value(truncate(d, MODAL_INPUT_MAX));
    }
    let mut recipient_input = CreateInputText::new(
        InputTextStyle::Short,
        "Who is it for? (optional)",
        ids::RECIPIENT_INPUT,
    )
    .placeholder("e.g. career coach, engineer two years ahead")
    .max_length(200)
    .required(false);
    if let Some(r) = recipient.filter(|r| !r.is_empty()) {
        recipient_input = recipient_input.value(truncate(r, 200));
    }
    CreateModal::new(ids::with_key(ids::MODAL, key), "Review a coffee request").components(vec![
        CreateActionRow::InputText(draft_input),
        CreateActionRow::InputText(recipient_input),
    ])
}

/// A tip as a short message: the advice, then a before/after example where it has one.
pub fn tip_text(tip: &crate::core::tips::Tip, outcome_line: Option<&str>) -> String {
    let mut text = format!("💡 **Coffee-request tip:** {}", tip.text);
    if let (Some(before), Some(after)) = (&tip.before, &tip.after) {
        text.push_str(&format!("\n> Instead of: {before}\n> Try: {after}"));
    }
    if let Some(line) = outcome_line {
        text.push_str(&format!("\n📈 {line}"));
    }
    truncate(&text, MESSAGE_MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncate_cuts_at_char_boundaries_with_an_ellipsis() {
        assert_eq!(truncate("héllo", 10), "héllo");
        let cut = truncate(&"👩‍💻".repeat(3000), 100);
        assert!(cut.ends_with('…'));
        assert!(cut.chars().count() <= 100);
    }

    #[test]
    fn ids_round_trip() {
        assert_eq!(ids::split(&ids::with_key(ids::EDIT, 42)), (ids::EDIT, 42));
        assert_eq!(ids::split("other"), ("other", 0));
    }
}
