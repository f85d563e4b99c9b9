//! Every way the bot answers a member privately, and never pings: [`whisper`] in a command,
//! [`ephemeral`] and [`updated`] as the response to a button or a modal, [`send_retrying`] for
//! a review that Discord refused once. Also who is served ([`served_guild`]) when a member uses
//! the bot from their own account.

use poise::serenity_prelude as serenity;
use poise::CreateReply;
use serenity::{CreateInteractionResponse, CreateInteractionResponseMessage};

use super::render::no_pings;
use super::state::{Context, Error};

/// Answers with a short text that only the member sees (and that never pings).
pub async fn whisper(ctx: Context<'_>, text: impl Into<String>) -> Result<(), Error> {
    ctx.send(
        CreateReply::default()
            .content(text)
            .ephemeral(true)
            .allowed_mentions(no_pings()),
    )
    .await?;
    Ok(())
}

/// Sends a reply; when Discord answers 429 or a 5xx, waits a moment (well within the 3 s
/// deadline) and tries once more. A second refusal goes to the error handler and the log.
pub async fn send_retrying(ctx: Context<'_>, reply: CreateReply) -> Result<(), Error> {
    match ctx.send(reply.clone()).await {
        Ok(_) => Ok(()),
        Err(e) => match retry_delay(&e) {
            Some(wait) => {
                tracing::warn!(status = %e, "Discord refused a reply; retrying once");
                tokio::time::sleep(wait).await;
                ctx.send(reply).await?;
                Ok(())
            }
            None => Err(e.into()),
        },
    }
}

/// How long to wait before retrying a refused request, if it is worth retrying at all.
fn retry_delay(error: &serenity::Error) -> Option<std::time::Duration> {
    let serenity::Error::Http(serenity::HttpError::UnsuccessfulRequest(response)) = error else {
        return None;
    };
    let status = response.status_code.as_u16();
    match status {
        // Interaction callbacks are not in a shared bucket: a short wait is enough, and a
        // longer one would miss Discord's 3 s deadline.
        429 => Some(std::time::Duration::from_millis(500)),
        500..=599 => Some(std::time::Duration::from_millis(250)),
        _ => None,
    }
}

/// The server the bot serves this interaction for: `None` in DMs and when the member uses the
/// bot from their own account (a user install) in a server the bot is not part of.
pub fn served_guild(ctx: Context<'_>) -> Option<u64> {
    match ctx {
        poise::Context::Application(app) => served(
            ctx.guild_id(),
            &app.interaction.authorizing_integration_owners,
        ),
        poise::Context::Prefix(_) => ctx.guild_id().map(|g| g.get()),
    }
}

/// [`served_guild`] from an interaction's server and the installs that authorised it (an
/// interaction without that list predates user installs: its server is served).
pub fn served(
    guild: Option<serenity::GuildId>,
    owners: &serenity::AuthorizingIntegrationOwners,
) -> Option<u64> {
    let guild = guild?;
    let installed_here = owners.0.iter().any(|o| {
        matches!(o, serenity::AuthorizingIntegrationOwner::GuildInstall(Some(g)) if *g == guild)
    });
    (owners.0.is_empty() || installed_here).then_some(guild.get())
}

/// Said under a review asked from a member's own account in a server without the bot.
pub const USER_INSTALL_NOTE: &str = "You're using coffee-coach from your own account here, so I \
    review only: peer suggestions and this server's tips and counts need coffee-coach added to \
    the server.";

/// Replaces the message the button was on with a short text and no buttons.
pub fn updated(text: &str) -> CreateInteractionResponse {
    CreateInteractionResponse::UpdateMessage(
        CreateInteractionResponseMessage::new()
            .content(text)
            .components(Vec::new())
            .allowed_mentions(no_pings()),
    )
}

/// A short ephemeral text response.
pub fn ephemeral(text: &str) -> CreateInteractionResponse {
    CreateInteractionResponse::Message(
        CreateInteractionResponseMessage::new()
            .content(text)
            .ephemeral(true)
            .allowed_mentions(no_pings()),
    )
}
