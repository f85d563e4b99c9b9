//! Buttons and modals under a review.
//!
//! Contract: every component or modal interaction whose custom id starts with `cc:` gets exactly
//! one response, ephemeral unless the member pressed "Post to channel"; a button of someone
//! else's review, or of one that expired, gets a short explanation. Other custom ids are ignored.

use poise::serenity_prelude as serenity;
use serenity::{
    ActionRowComponent, ComponentInteraction, CreateInteractionResponse,
    CreateInteractionResponseMessage, CreateMessage, ModalInteraction,
};

use super::follow_up;
use crate::discord::commands::coach;
use crate::discord::commands::peers::peers_for;
use crate::discord::commands::profile::delete_member;
use crate::discord::commands::review::{review_for, Asker, Reviewed};
use crate::discord::error::member_text;
use crate::discord::render::{self, ids, no_pings};
use crate::discord::reply::{ephemeral, updated};
use crate::discord::state::{Data, Error};

const EXPIRED: &str =
    "That review has expired (buttons work for 15 minutes). Run /review again to get a fresh one.";

/// A button press.
pub async fn component(
    ctx: &serenity::Context,
    data: &Data,
    c: &ComponentInteraction,
) -> Result<(), Error> {
    let (action, key) = ids::split(&c.data.custom_id);
    let user = c.user.id.get();
    let session = data.sessions.get(key, user, std::time::Instant::now());
    let response = match (action, session) {
        (ids::EDIT, session) => {
            let modal = match &session {
                Some(s) => render::draft_modal(key, Some(&s.draft), s.recipient.as_deref()),
                None => render::draft_modal(0, None, None),
            };
            CreateInteractionResponse::Modal(modal)
        }
        (ids::POST, Some(s)) => {
            let review = data.engine.review(&s.draft, s.recipient.as_deref());
            let post = CreateMessage::new()
                .content(render::public_post(&review, user))
                .allowed_mentions(no_pings());
            let text = match c.channel_id.send_message(&ctx.http, post).await {
                Ok(_) => {
                    "Posted the better phrasing and the check lines to the channel.".to_string()
                }
                Err(e) => {
                    tracing::warn!(error = %e, channel = c.channel_id.get(), "could not post a review");
                    "I couldn't post in this channel (I may lack permission there).".to_string()
                }
            };
            ephemeral(&text)
        }
        (ids::PEERS, Some(s)) => match s.guild_id {
            Some(guild) => {
                // The recipient description stands in for a goal when the member has none.
                let answer = match peers_for(data, guild, user, None).await {
                    Ok(a) if !a.has_goal => peers_for(data, guild, user, s.recipient.clone()).await,
                    other => other,
                };
                match answer {
                    Ok(a) => ephemeral(&render::truncate(&a.text(), render::MESSAGE_MAX)),
                    Err(e) => ephemeral(&member_text(&e, "find peers")),
                }
            }
            None => ephemeral("Peer suggestions work inside a server: use /peers there."),
        },
        (ids::PROFILE_DELETE, _) => match c.guild_id {
            Some(guild) => match delete_member(data, guild.get(), user).await {
                Ok(()) => {
                    updated("Deleted your profile and everything stored about you in this server.")
                }
                Err(e) => ephemeral(&member_text(&e, "delete profile")),
            },
            None => return Ok(()),
        },
        (ids::PROFILE_KEEP, _) => updated("Kept your profile as it is."),
        (ids::TIP_SHARE, _) => match data.tips.all().get(key as usize) {
            Some(tip) if c.guild_id.is_some() => CreateInteractionResponse::Message(
                CreateInteractionResponseMessage::new()
                    .content(format!(
                        "<@{user}> shared a tip:\n{}",
                        render::tip_text(tip, None)
                    ))
                    .allowed_mentions(no_pings()),
            ),
            _ => ephemeral("That tip can't be shared here."),
        },
        (ids::COACH_RESTART, _) => match coach::start_text(data, user).await {
            Ok(first) => CreateInteractionResponse::Message(
                CreateInteractionResponseMessage::new()
                    .content(render::truncate(&first, render::MESSAGE_MAX))
                    .allowed_mentions(no_pings()),
            ),
            Err(e) => ephemeral(&member_text(&e, "coach restart")),
        },
        (ids::FOLLOW_UP, Some(s)) => follow_up::ask_later(data, key, &s).await,
        (ids::USE_PHRASING, Some(_)) => follow_up::use_phrasing(data, key, user).await,
        (ids::MET | ids::SAID_NO | ids::NO_REPLY_YET | ids::NOT_SENT | ids::STOP_ASKING, _) => {
            follow_up::answer(data, action, key, user).await
        }
        (ids::POST | ids::PEERS | ids::FOLLOW_UP | ids::USE_PHRASING, None) => ephemeral(EXPIRED),
        _ => return Ok(()),
    };
    c.create_response(&ctx.http, response).await?;
    Ok(())
}

/// A submitted draft modal (from `/review` without a draft, or "Edit and re-check").
pub async fn modal(
    ctx: &serenity::Context,
    data: &Data,
    m: &ModalInteraction,
) -> Result<(), Error> {
    let started = std::time::Instant::now();
    let (action, key) = ids::split(&m.data.custom_id);
    if action != ids::MODAL {
        return Ok(());
    }
    let field = |id: &str| {
        m.data
            .components
            .iter()
            .flat_map(|row| row.components.iter())
            .find_map(|c| match c {
                ActionRowComponent::InputText(t) if t.custom_id == id => t.value.clone(),
                _ => None,
            })
            .unwrap_or_default()
    };
    let draft = field(ids::DRAFT_INPUT);
    let recipient = field(ids::RECIPIENT_INPUT);
    let asker = Asker {
        user_id: m.user.id.get(),
        // serenity 0.12 does not give a modal's installs: the server it came from counts.
        guild_id: m.guild_id.map(|g| g.get()),
        surface: "modal",
    };
    let previous = (key != 0).then_some(key);
    let response = match review_for(data, asker, &draft, Some(&recipient), previous).await {
        Ok(reviewed) => review_message(&reviewed, asker.guild_id.is_some()),
        Err(e) => ephemeral(&member_text(&e, "review modal")),
    };
    m.create_response(&ctx.http, response).await?;
    data.metrics
        .reply_seconds
        .observe(started.elapsed().as_secs_f64());
    Ok(())
}

/// A review as an ephemeral interaction response.
pub fn review_message(reviewed: &Reviewed, in_guild: bool) -> CreateInteractionResponse {
    CreateInteractionResponse::Message(
        CreateInteractionResponseMessage::new()
            .embed(reviewed.embed())
            .components(reviewed.buttons(in_guild))
            .ephemeral(true)
            .allowed_mentions(no_pings()),
    )
}
