//! `/profile set|show|delete` and `/peers [goal]`: members describe their path, and find people
//! a few steps ahead on it who opted in to coffee chats. [`peers_for`] is the one path to
//! suggestions (the command, the "Find peers" button and a failed `right-people` review).

use std::collections::HashMap;

use chrono::Duration;
use poise::serenity_prelude as serenity;
use poise::CreateReply;

use crate::core::peers::{PeerIndex, Seeker, Suggestion, LOAD_WINDOW_DAYS};
use crate::core::profile::{Profile, ProfileInput, Stage};
use crate::discord::error::UserError;
use crate::discord::render::{self, ids, no_pings};
use crate::discord::reply::whisper;
use crate::discord::state::{Context, Data, Error};

/// How many peers a suggestion lists.
pub const PEERS_LIMIT: usize = 5;

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

/// Find members a few steps ahead on your path who are open to a coffee chat.
#[poise::command(slash_command, guild_only)]
pub async fn peers(
    ctx: Context<'_>,
    #[description = "Where you're heading, e.g. \"UX research\" (default: your profile's move or field)"]
    #[max_length = 100]
    goal: Option<String>,
) -> Result<(), Error> {
    let (guild, user) = ids_of(ctx)?;
    let answer = peers_for(ctx.data(), guild, user, goal).await?;
    whisper(ctx, render::truncate(&answer.text(), render::MESSAGE_MAX)).await
}

/// What members are told when they have no profile.
pub const NO_PROFILE: &str =
    "You have no profile in this server yet. Add one with `/profile set` so I can match your stage and path.";

/// Suggestions for one member, with what to tell them.
#[derive(Debug)]
pub struct PeersAnswer {
    pub suggestions: Vec<Suggestion>,
    pub has_profile: bool,
    pub has_goal: bool,
}

impl PeersAnswer {
    /// The answer as text (mentions render as names and never ping).
    pub fn text(&self) -> String {
        let mut out = String::new();
        if self.suggestions.is_empty() {
            out.push_str(if self.has_goal {
                "Nobody who opted in is one to three stages ahead of you on that path yet (or they've had plenty of requests this week). Try a broader goal."
            } else {
                "Tell me where you're heading (`/peers goal: UX research`), or add a move to your profile."
            });
        } else {
            out.push_str(
                "**People a few steps ahead on your path** (they opted in to coffee chats):",
            );
            for s in &self.suggestions {
                out.push_str(&format!("\n• <@{}>: {}", s.user_id, s.reason));
            }
        }
        if !self.has_profile {
            out.push_str("\n\n");
            out.push_str(NO_PROFILE);
        }
        out
    }
}

/// Suggests up to [`PEERS_LIMIT`] peers for `user`, respects the weekly cap and records them.
pub async fn peers_for(
    data: &Data,
    guild: u64,
    user: u64,
    goal: Option<String>,
) -> Result<PeersAnswer, Error> {
    let now = data.clock.now();
    let profile: Option<Profile> = data.store.profile(guild, user).await?;
    let seeker = Seeker {
        guild_id: guild,
        user_id: user,
        profile,
        goal: goal.filter(|g| !g.trim().is_empty()),
    };
    let loaded = data
        .peers
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .contains_key(&guild);
    if !loaded {
        let open = data
            .store
            .peer_candidates(guild, 0, Stage::Exploring, Stage::Leading)
            .await?;
        data.peers
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .entry(guild)
            .or_insert_with(|| PeerIndex::new(open));
    }
    let since = now - Duration::days(LOAD_WINDOW_DAYS);
    let recent: HashMap<u64, u32> = data.store.recent_suggestion_counts(guild, since).await?;
    let cap = data
        .guild_settings(guild)
        .await?
        .suggestion_cap
        .unwrap_or(data.settings.suggestion_cap);
    let suggestions = data
        .peers
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .get(&guild)
        .map(|index| index.suggest(&seeker, &recent, cap, PEERS_LIMIT, now))
        .unwrap_or_default();
    let chosen: Vec<u64> = suggestions.iter().map(|s| s.user_id).collect();
    if !chosen.is_empty() {
        data.store
            .record_suggestions(guild, user, &chosen, now)
            .await?;
    }
    Ok(PeersAnswer {
        has_profile: seeker.profile.is_some(),
        has_goal: seeker.goal().is_some(),
        suggestions,
    })
}

fn ids_of(ctx: Context<'_>) -> Result<(u64, u64), Error> {
    let guild = ctx
        .guild_id()
        .ok_or_else(|| UserError::err("This command works inside a server."))?;
    Ok((guild.get(), ctx.author().id.get()))
}
