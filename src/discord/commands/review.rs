//! `/review` (with a `draft` option, or a modal without it) and the "Review draft" message
//! context menu. [`review_for`] is the one path every surface takes: limits, the core review,
//! the session for the buttons.

use std::time::Instant;

use poise::serenity_prelude as serenity;
use poise::CreateReply;

use crate::core::Review;
use crate::discord::error::UserError;
use crate::discord::render::{self, no_pings};
use crate::discord::reply::{send_retrying, served_guild, USER_INSTALL_NOTE};
use crate::discord::session::progress_note;
use crate::discord::state::{Context, Data, Error};

/// A finished review and the key of its session.
pub struct Reviewed {
    pub review: Review,
    pub key: u64,
    /// "Now passing: …" after an edit.
    pub note: Option<String>,
    /// Suggested peers, when the draft aims at the wrong people (in a server).
    pub peers: Option<String>,
}

/// Where the review was asked, for the limits and the buttons.
#[derive(Debug, Clone, Copy)]
pub struct Asker {
    pub user_id: u64,
    pub guild_id: Option<u64>,
    /// Where the review was asked, for `/metrics` (`slash`, `context_menu`, `modal`, ...).
    pub surface: &'static str,
}

/// Reviews a draft for a member: checks the length and the cooldown, runs the core review,
/// remembers it for the buttons, counts it (anonymously) for the server, and lists peers when
/// `right-people` failed. `previous` is the session key of the review being edited.
pub async fn review_for(
    data: &Data,
    asker: Asker,
    draft: &str,
    recipient: Option<&str>,
    previous: Option<u64>,
) -> Result<Reviewed, Error> {
    let max = data.settings.max_draft_chars;
    let chars = draft.chars().count();
    if chars > max {
        return Err(UserError::err(format!(
            "That draft is {chars} characters; I review up to {max}. A coffee request works best \
             in under 125 words, so try trimming it to the essentials."
        )));
    }
    let recipient = recipient.map(str::trim).filter(|r| !r.is_empty());
    let now = Instant::now();
    if !draft.trim().is_empty() {
        let wait = data
            .cooldown
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .try_take(asker.user_id, now);
        if let Err(wait) = wait {
            return Err(UserError::err(format!(
                "You've reached {} reviews a minute. Try again in {} seconds.",
                data.settings.reviews_per_minute,
                wait.as_secs().max(1)
            )));
        }
    }
    let review = data.engine.review(draft, recipient);
    if review.judged() {
        data.metrics
            .reviews
            .with_label_values(&[asker.surface])
            .inc();
        for f in review.failed() {
            data.metrics
                .failures
                .with_label_values(&[f.id.as_str()])
                .inc();
        }
    }
    let note = previous
        .and_then(|key| data.sessions.get(key, asker.user_id, now))
        .and_then(|s| progress_note(&s.statuses, &review));
    let key = data.sessions.insert(
        asker.user_id,
        asker.guild_id,
        draft,
        recipient,
        &review,
        now,
    );
    let mut peers = None;
    if let (Some(guild), false) = (asker.guild_id, !review.judged()) {
        let failed: Vec<&str> = review.failed().map(|f| f.id.as_str()).collect();
        let week = crate::core::tips::week_start(data.clock.now());
        // Counted in memory: the reply never waits for this write (see `counts`).
        data.counts.add(guild, week, &failed);
        if failed.contains(&"right-people") {
            let answer = super::peers::peers_for(data, guild, asker.user_id, None).await?;
            peers = Some(answer.text());
        }
    }
    Ok(Reviewed {
        review,
        key,
        note,
        peers,
    })
}

/// The ephemeral reply for a review: the embed and its buttons.
pub fn reply(reviewed: &Reviewed, in_guild: bool) -> CreateReply {
    CreateReply::default()
        .embed(reviewed.embed())
        .components(reviewed.buttons(in_guild))
        .ephemeral(true)
        .allowed_mentions(no_pings())
}

impl Reviewed {
    /// The review embed, with the re-check note and the peers when there are any.
    pub fn embed(&self) -> serenity::CreateEmbed {
        render::review_embed(&self.review, self.note.as_deref(), self.peers.as_deref())
    }

    /// The buttons under the review (none when there was nothing to review).
    pub fn buttons(&self, in_guild: bool) -> Vec<serenity::CreateActionRow> {
        if !self.review.judged() {
            Vec::new()
        } else {
            render::review_buttons(self.key, in_guild, self.review.failed().next().is_some())
        }
    }
}

/// Review a networking request before you send it.
#[poise::command(slash_command, rename = "review")]
pub async fn review(
    ctx: Context<'_>,
    #[description = "The message you are about to send"]
    #[max_length = 6000]
    draft: Option<String>,
    #[description = "Who it is for, e.g. \"career coach\" or \"engineer two years ahead\""]
    #[max_length = 200]
    recipient: Option<String>,
) -> Result<(), Error> {
    let Some(draft) = draft else {
        let poise::Context::Application(app) = ctx else {
            return Ok(());
        };
        let modal = render::draft_modal(0, None, recipient.as_deref());
        app.interaction
            .create_response(
                ctx.http(),
                serenity::CreateInteractionResponse::Modal(modal),
            )
            .await?;
        app.has_sent_initial_response
            .store(true, std::sync::atomic::Ordering::SeqCst);
        return Ok(());
    };
    let started = std::time::Instant::now();
    let asker = asker(ctx, "slash");
    let mut reviewed = review_for(ctx.data(), asker, &draft, recipient.as_deref(), None).await?;
    user_install_note(ctx, asker, &mut reviewed);
    send_retrying(ctx, reply(&reviewed, asker.guild_id.is_some())).await?;
    let seconds = started.elapsed().as_secs_f64();
    ctx.data().metrics.reply_seconds.observe(seconds);
    Ok(())
}

/// From a member's own account in a server without the bot: say what needs the server.
fn user_install_note(ctx: Context<'_>, asker: Asker, reviewed: &mut Reviewed) {
    if ctx.guild_id().is_some() && asker.guild_id.is_none() {
        reviewed.note = Some(USER_INSTALL_NOTE.to_string());
    }
}

/// Review the message as a draft (only you see the answer).
#[poise::command(context_menu_command = "Review draft", rename = "Review draft")]
pub async fn review_message(ctx: Context<'_>, message: serenity::Message) -> Result<(), Error> {
    if message.content.trim().is_empty() {
        return Err(UserError::err(
            "That message has no text I can review (I read the text of a message, not its embeds or files).",
        ));
    }
    let started = std::time::Instant::now();
    let asker = asker(ctx, "context_menu");
    let mut reviewed = review_for(ctx.data(), asker, &message.content, None, None).await?;
    user_install_note(ctx, asker, &mut reviewed);
    send_retrying(ctx, reply(&reviewed, asker.guild_id.is_some())).await?;
    let seconds = started.elapsed().as_secs_f64();
    ctx.data().metrics.reply_seconds.observe(seconds);
    Ok(())
}

fn asker(ctx: Context<'_>, surface: &'static str) -> Asker {
    Asker {
        user_id: ctx.author().id.get(),
        guild_id: served_guild(ctx),
        surface,
    }
}
