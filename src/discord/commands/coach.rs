//! `/coach` and the guided conversation in DMs. The conversation itself is the core's state
//! machine ([`coach::step`]); this file stores its state after every answer (so it survives a
//! restart), sends the replies, and at the end reviews the assembled draft.

use poise::serenity_prelude as serenity;
use serenity::{CreateActionRow, CreateButton, CreateMessage};

use crate::core::coach::{self, CoachState, Reply};
use crate::discord::commands::review::{review_for, Asker};
use crate::discord::error::member_text;
use crate::discord::render::{self, ids, no_pings};
use crate::discord::reply::whisper;
use crate::discord::state::{Context, Data, Error};

/// Start a step-by-step coaching conversation in your DMs.
#[poise::command(slash_command)]
pub async fn coach(ctx: Context<'_>) -> Result<(), Error> {
    let user = ctx.author().id.get();
    let first = start(ctx.data(), user).await?;
    let text = match ctx.author().direct_message(ctx.http(), first).await {
        Ok(_) => {
            "I've sent you a DM to start coaching. Answer there; type `cancel` any time to stop."
        }
        Err(e) => {
            tracing::info!(error = %e, "cannot DM a member for coaching");
            "I couldn't DM you. Allow direct messages from server members, then try `/coach` again."
        }
    };
    whisper(ctx, text).await
}

/// Starts (or restarts) a conversation for `user` and returns the first message.
pub async fn start(data: &Data, user: u64) -> Result<CreateMessage, Error> {
    Ok(text_message(start_text(data, user).await?))
}

/// Starts (or restarts) a conversation for `user` and returns the first question.
pub async fn start_text(data: &Data, user: u64) -> Result<String, Error> {
    let (state, reply) = coach::start(&data.coach, data.clock.now());
    save(data, user, &state).await?;
    Ok(reply_text(&reply))
}

/// Handles a DM while a conversation may be running. Returns `None` when the member has no
/// conversation (the DM is then reviewed as a draft).
pub async fn continue_in_dm(
    data: &Data,
    user: u64,
    input: &str,
) -> Result<Option<CreateMessage>, Error> {
    if coach::is_start_command(input) {
        return start(data, user).await.map(Some);
    }
    let Some((json, _)) = data.store.coaching(user).await? else {
        return Ok(None);
    };
    let now = data.clock.now();
    let state: CoachState = match serde_json::from_str(&json) {
        Ok(state) => state,
        Err(e) => {
            tracing::warn!(error = %e, "unreadable coaching state; starting over");
            data.store.delete_coaching(user).await?;
            return start(data, user).await.map(Some);
        }
    };
    if coach::expired(&state, now) {
        data.store.delete_coaching(user).await?;
        return Ok(Some(text_message(data.coach.expired_text().to_string())));
    }
    let (next, reply) = coach::step(&data.coach, state, input, now);
    match &next {
        Some(state) => save(data, user, state).await?,
        None => data.store.delete_coaching(user).await?,
    }
    let message = match reply {
        Reply::Finished {
            intro_text,
            draft,
            recipient,
            ..
        } => finished(data, user, &intro_text, &draft, &recipient).await,
        other => text_message(reply_text(&other)),
    };
    Ok(Some(message))
}

/// The review of the assembled draft, with buttons to edit it or start over.
async fn finished(
    data: &Data,
    user: u64,
    intro: &str,
    draft: &str,
    recipient: &str,
) -> CreateMessage {
    let asker = Asker {
        user_id: user,
        guild_id: None,
        surface: "coach",
    };
    match review_for(data, asker, draft, Some(recipient), None).await {
        Ok(reviewed) => {
            let content = format!(
                "{intro}\n\nHere is your draft:\n{}",
                render::truncate(&format!("```\n{}\n```", draft.replace("```", "ˋˋˋ")), 1500)
            );
            CreateMessage::new()
                .content(render::truncate(&content, render::MESSAGE_MAX))
                .embed(reviewed.embed())
                .components(vec![CreateActionRow::Buttons(vec![
                    CreateButton::new(ids::with_key(ids::EDIT, reviewed.key))
                        .label("Edit the draft")
                        .style(serenity::ButtonStyle::Primary),
                    CreateButton::new(ids::with_key(ids::COACH_RESTART, 1))
                        .label("Start over")
                        .style(serenity::ButtonStyle::Secondary),
                ])])
                .allowed_mentions(no_pings())
        }
        Err(e) => text_message(member_text(&e, "coach review")),
    }
}

async fn save(data: &Data, user: u64, state: &CoachState) -> Result<(), Error> {
    let json = serde_json::to_string(state)?;
    data.store
        .save_coaching(user, &json, data.clock.now())
        .await?;
    Ok(())
}

fn reply_text(reply: &Reply) -> String {
    match reply {
        Reply::Prompt { text } | Reply::Hint { text } | Reply::Cancelled { text } => text.clone(),
        Reply::Finished { intro_text, .. } => intro_text.clone(),
    }
}

fn text_message(text: String) -> CreateMessage {
    CreateMessage::new()
        .content(render::truncate(&text, render::MESSAGE_MAX))
        .allowed_mentions(no_pings())
}
