//! `/profile set|show|delete`: members describe their path (role, field, stage, the move they
//! are making) for peer suggestions, see it, and delete everything stored about them.

use poise::serenity_prelude as serenity;
use poise::CreateReply;

use super::peers::ids_of;
use crate::core::profile::{ProfileInput, Stage};
use crate::discord::error::UserError;
use crate::discord::render::{self, ids, no_pings, NO_PROFILE};
use crate::discord::state::{Context, Data, Error};

/// The stage ladder as a choice in Discord.
#[derive(Debug, Clone, Copy, poise::ChoiceParameter)]
pub enum StageChoice {
    #[name = "exploring"]
    Exploring,
    #[name = "studying or retraining"]
    Studying,
    #[name = "first role"]
    FirstRole,
    #[name = "established"]
    Established,
    #[name = "senior"]
    Senior,
    #[name = "leading"]
    Leading,
}

impl From<StageChoice> for Stage {
    fn from(c: StageChoice) -> Stage {
        match c {
            StageChoice::Exploring => Stage::Exploring,
            StageChoice::Studying => Stage::Studying,
            StageChoice::FirstRole => Stage::FirstRole,
            StageChoice::Established => Stage::Established,
            StageChoice::Senior => Stage::Senior,
            StageChoice::Leading => Stage::Leading,
        }
    }
}

/// Your profile for peer suggestions in this server.
#[poise::command(
    slash_command,
    guild_only,
    subcommands("set", "show", "delete"),
    subcommand_required
)]
pub async fn profile(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Set your profile (only you can edit it; options you leave out keep their saved value).
#[allow(clippy::too_many_arguments)]
#[poise::command(slash_command, guild_only)]
pub async fn set(
    ctx: Context<'_>,
    #[description = "Your current role, e.g. \"data analyst\""]
    #[max_length = 100]
    role: String,
    #[description = "Your field, e.g. \"fintech\" or \"health care\""]
    #[max_length = 100]
    field: String,
    #[description = "Where you are on the ladder"] stage: StageChoice,
    #[description = "The move you made or want: \"from -> to\", e.g. \"teaching -> UX research\""]
    #[rename = "move"]
    #[max_length = 210]
    move_text: Option<String>,
    #[description = "When you made the move: 2024, 2024-03 or 2024-03-15"]
    #[max_length = 10]
    moved: Option<String>,
    #[description = "Up to 10 topics, separated by commas"]
    #[max_length = 450]
    topics: Option<String>,
    #[description = "What you can help with, e.g. \"portfolio feedback, intros to fintech recruiters\""]
    #[max_length = 300]
    can_help_with: Option<String>,
    #[description = "Open to coffee chats from members? (default: no)"] open_to_coffee: Option<
        bool,
    >,
) -> Result<(), Error> {
    let (guild, user) = ids_of(ctx)?;
    let data = ctx.data();
    let now = data.clock.now();
    let saved = data.store.profile(guild, user).await?;
    let keep = |typed: Option<String>, old: Option<String>| typed.or(old);
    let input = ProfileInput {
        role,
        field,
        stage: Stage::from(stage).as_str().to_string(),
        move_text: keep(
            move_text,
            saved
                .as_ref()
                .and_then(|p| match (&p.move_from, &p.move_to) {
                    (None, None) => None,
                    (from, to) => Some(format!(
                        "{} -> {}",
                        from.as_deref().unwrap_or(""),
                        to.as_deref().unwrap_or("")
                    )),
                }),
        ),
        moved: keep(
            moved,
            saved
                .as_ref()
                .and_then(|p| p.moved_on.map(|d| d.to_string())),
        ),
        topics: keep(topics, saved.as_ref().map(|p| p.topics.join(", "))),
        can_help_with: keep(
            can_help_with,
            saved.as_ref().map(|p| p.can_help_with.clone()),
        ),
        open_to_coffee: open_to_coffee.or(saved.as_ref().map(|p| p.open_to_coffee)),
    };
    let profile = input
        .validate(guild, user, now)
        .map_err(|e| UserError::err(e.to_string()))?;
    data.store.upsert_profile(&profile).await?;
    if let Some(index) = data
        .peers
        .write()
        .unwrap_or_else(|p| p.into_inner())
        .get_mut(&guild)
    {
        index.upsert(profile.clone());
    }
    let note = if profile.open_to_coffee {
        "Saved. You're open to coffee chats, so members on a similar path may be pointed to you (a few times a week at most)."
    } else {
        "Saved. You're not open to coffee chats, so I won't suggest you to anyone; set `open_to_coffee` to True to change that."
    };
    ctx.send(
        CreateReply::default()
            .content(note)
            .embed(render::profile_embed(&profile))
            .ephemeral(true)
            .allowed_mentions(no_pings()),
    )
    .await?;
    Ok(())
}

/// Show your profile.
#[poise::command(slash_command, guild_only)]
pub async fn show(ctx: Context<'_>) -> Result<(), Error> {
    let (guild, user) = ids_of(ctx)?;
    let reply = match ctx.data().store.profile(guild, user).await? {
        Some(profile) => CreateReply::default().embed(render::profile_embed(&profile)),
        None => CreateReply::default().content(NO_PROFILE),
    };
    ctx.send(reply.ephemeral(true).allowed_mentions(no_pings()))
        .await?;
    Ok(())
}

/// Delete your profile and everything stored about you in this server.
#[poise::command(slash_command, guild_only)]
pub async fn delete(ctx: Context<'_>) -> Result<(), Error> {
    let buttons = vec![serenity::CreateActionRow::Buttons(vec![
        serenity::CreateButton::new(ids::with_key(ids::PROFILE_DELETE, 1))
            .label("Delete everything")
            .style(serenity::ButtonStyle::Danger),
        serenity::CreateButton::new(ids::with_key(ids::PROFILE_KEEP, 1))
            .label("Keep it")
            .style(serenity::ButtonStyle::Secondary),
    ])];
    ctx.send(
        CreateReply::default()
            .content("This deletes your profile and every record about you in this server (suggestion history included). Are you sure?")
            .components(buttons)
            .ephemeral(true)
            .allowed_mentions(no_pings()),
    )
    .await?;
    Ok(())
}

/// Deletes every row about a member and takes them out of suggestions.
pub async fn delete_member(data: &Data, guild: u64, user: u64) -> Result<(), Error> {
    data.store.delete_member(guild, user).await?;
    if let Some(index) = data
        .peers
        .write()
        .unwrap_or_else(|p| p.into_inner())
        .get_mut(&guild)
    {
        index.remove(user);
    }
    Ok(())
}
