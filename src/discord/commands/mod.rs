//! Every command the bot registers, one file per group, listed in [`all`]. Permissions are
//! declared on each command (`default_member_permissions`) and checked again when it runs.

pub mod admin;
pub mod coach;
pub mod peers;
pub mod review;
pub mod tips;

use poise::CreateReply;

use super::render::no_pings;
use super::{Context, Data, Error};

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

/// The registry: every slash and context-menu command.
pub fn all() -> Vec<poise::Command<Data, Error>> {
    vec![
        review::review(),
        review::review_message(),
        peers::profile(),
        peers::peers(),
        coach::coach(),
        tips::tip(),
        admin::setup(),
        admin::stats(),
    ]
}
