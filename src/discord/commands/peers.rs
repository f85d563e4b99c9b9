//! `/peers [goal]`: members find people a few steps ahead on their path (described with
//! `/profile`) who opted in to coffee chats. [`peers_for`] is the one path to suggestions (the
//! command, the "Find peers" button and a failed `right-people` review).

use std::collections::HashMap;

use chrono::Duration;

use crate::core::peers::{PeerIndex, Seeker, Suggestion, LOAD_WINDOW_DAYS};
use crate::core::profile::{Profile, Stage};
use crate::discord::error::UserError;
use crate::discord::render;
use crate::discord::reply::whisper;
use crate::discord::state::{Context, Data, Error};

/// How many peers a suggestion lists.
pub const PEERS_LIMIT: usize = 5;

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
        render::peers_text(&self.suggestions, self.has_profile, self.has_goal)
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
    let cap = data
        .guild_settings(guild)
        .await?
        .suggestion_cap
        .unwrap_or(data.settings.suggestion_cap);
    // Decided and counted in one transaction, so processes suggesting at once keep the cap.
    let suggestions = data
        .store
        .suggest_within_cap(guild, user, since, now, |recent: &HashMap<u64, u32>| {
            data.peers
                .read()
                .unwrap_or_else(|p| p.into_inner())
                .get(&guild)
                .map(|index| index.suggest(&seeker, recent, cap, PEERS_LIMIT, now))
                .unwrap_or_default()
        })
        .await?;
    Ok(PeersAnswer {
        has_profile: seeker.profile.is_some(),
        has_goal: seeker.goal().is_some(),
        suggestions,
    })
}

/// The server and the member of a command that only works in a server.
pub(crate) fn ids_of(ctx: Context<'_>) -> Result<(u64, u64), Error> {
    let guild = ctx
        .guild_id()
        .ok_or_else(|| UserError::err("This command works inside a server."))?;
    Ok((guild.get(), ctx.author().id.get()))
}
