//! New messages: the prefix command in the mentoring channel, and drafts sent by DM.
//!
//! Contract: messages from bots are ignored. In a server, only a message in the mentoring channel
//! that starts with the prefix (then a space, a line break or nothing) is reviewed; the review
//! goes in a new thread on that message, or by DM when the server prefers it or the bot cannot
//! create threads. Elsewhere the prefix is ignored. In a DM, any message is reviewed as a draft
//! and answered in the DM, unless the member is in a coaching conversation (or starts one with
//! `coach`): then the message is the next answer. In the channel where tips are scheduled, the
//! time of member messages is recorded (never their text). Members never see an internal error.

use poise::serenity_prelude as serenity;
use serenity::{CreateMessage, CreateThread, Message};

use crate::discord::commands::coach;
use crate::discord::commands::review::{review_for, Asker};
use crate::discord::error::member_text;
use crate::discord::render::no_pings;
use crate::discord::state::{Data, Error};
use crate::settings::ReplyMode;

/// Handles one new message.
pub async fn handle(ctx: &serenity::Context, data: &Data, message: &Message) -> Result<(), Error> {
    if message.author.bot {
        return Ok(());
    }
    match message.guild_id {
        None => dm(ctx, data, message).await,
        Some(guild) => mentoring_channel(ctx, data, message, guild.get()).await,
    }
}

/// The draft after the prefix, if the message starts with it.
pub fn strip_prefix<'a>(content: &'a str, prefix: &str) -> Option<&'a str> {
    let content = content.trim_start();
    let head = content.get(..prefix.len())?;
    if !head.eq_ignore_ascii_case(prefix) {
        return None;
    }
    let rest = &content[prefix.len()..];
    (rest.is_empty() || rest.starts_with(char::is_whitespace)).then(|| rest.trim())
}

async fn mentoring_channel(
    ctx: &serenity::Context,
    data: &Data,
    message: &Message,
    guild: u64,
) -> Result<(), Error> {
    let server = data.guild_settings(guild).await?;
    let channel = message.channel_id.get();
    // Member activity is what lets a scheduled tip go out; only the time is kept.
    let tip_channel = server
        .tip_channel_id
        .or(server.mentoring_channel_id)
        .or(data.settings.mentoring_channel_id);
    if tip_channel == Some(channel) && server.tip_cadence.is_some() {
        data.store
            .mark_activity(guild, channel, data.clock.now())
            .await?;
    }
    let mentoring = server
        .mentoring_channel_id
        .or(data.settings.mentoring_channel_id);
    if mentoring != Some(channel) {
        return Ok(());
    }
    let prefix = server
        .prefix
        .as_deref()
        .unwrap_or(&data.settings.command_prefix);
    let Some(draft) = strip_prefix(&message.content, prefix) else {
        return Ok(());
    };
    let asker = Asker {
        user_id: message.author.id.get(),
        guild_id: Some(guild),
        surface: "prefix",
    };
    let reply = answer(data, asker, draft, prefix).await;
    if server.reply_mode.unwrap_or(data.settings.reply_mode) == ReplyMode::Thread {
        let thread = CreateThread::new("Review of your draft")
            .auto_archive_duration(serenity::AutoArchiveDuration::OneDay);
        match message
            .channel_id
            .create_thread_from_message(&ctx.http, message.id, thread)
            .await
        {
            Ok(thread) => {
                thread.id.send_message(&ctx.http, reply).await?;
                return Ok(());
            }
            Err(e) => {
                tracing::info!(error = %e, channel, "cannot create a thread; answering by DM")
            }
        }
    }
    message.author.direct_message(&ctx.http, reply).await?;
    Ok(())
}

async fn dm(ctx: &serenity::Context, data: &Data, message: &Message) -> Result<(), Error> {
    let user = message.author.id.get();
    let reply = match coach::continue_in_dm(data, user, &message.content).await {
        Ok(Some(reply)) => reply,
        Ok(None) => {
            let asker = Asker {
                user_id: user,
                guild_id: None,
                surface: "dm",
            };
            answer(data, asker, &message.content, &data.settings.command_prefix).await
        }
        Err(e) => CreateMessage::new()
            .content(member_text(&e, "coaching"))
            .allowed_mentions(no_pings()),
    };
    message.channel_id.send_message(&ctx.http, reply).await?;
    Ok(())
}

/// The review of a draft sent as a message (prefix or DM), or a friendly explanation.
async fn answer(data: &Data, asker: Asker, draft: &str, prefix: &str) -> CreateMessage {
    let base = CreateMessage::new().allowed_mentions(no_pings());
    if draft.trim().is_empty() {
        return base.content(format!(
            "Send me the message you're about to send and I'll review it. In the mentoring channel, \
             put it after `{prefix}`."
        ));
    }
    match review_for(data, asker, draft, None, None).await {
        Ok(reviewed) => base
            .embed(reviewed.embed())
            .components(reviewed.buttons(false)),
        Err(e) => base.content(member_text(&e, "message review")),
    }
}

#[cfg(test)]
mod tests {
    use super::strip_prefix;

    #[test]
    fn the_prefix_must_be_a_word_of_its_own() {
        assert_eq!(
            strip_prefix("!review Hi there", "!review"),
            Some("Hi there")
        );
        assert_eq!(strip_prefix("  !REVIEW\nHi", "!review"), Some("Hi"));
        assert_eq!(strip_prefix("!review", "!review"), Some(""));
        assert_eq!(strip_prefix("!reviewer hi", "!review"), None);
        assert_eq!(strip_prefix("hi !review", "!review"), None);
        assert_eq!(strip_prefix("é", "!review"), None);
    }
}
