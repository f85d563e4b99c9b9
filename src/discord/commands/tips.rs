//! `/tip`: one tip, shown only to you, with a button to share it in the channel.

use poise::serenity_prelude as serenity;
use poise::CreateReply;

use crate::discord::render::{self, ids, no_pings};
use crate::discord::reply::served_guild;
use crate::discord::state::{Context, Error};

/// Show a short tip on writing coffee requests that get a yes.
#[poise::command(slash_command)]
pub async fn tip(ctx: Context<'_>) -> Result<(), Error> {
    let tips = &ctx.data().tips;
    // The interaction id is as good a seed as any and keeps the core deterministic.
    let seed = ctx.id() ^ ctx.author().id.get();
    let tip = tips.random_pick(seed);
    let index = tips.all().iter().position(|t| t.id == tip.id).unwrap_or(0);
    let mut reply = CreateReply::default()
        .content(render::tip_text(tip, None))
        .ephemeral(true)
        .allowed_mentions(no_pings());
    if served_guild(ctx).is_some() {
        reply = reply.components(vec![serenity::CreateActionRow::Buttons(vec![
            serenity::CreateButton::new(ids::with_key(ids::TIP_SHARE, index as u64))
                .label("Share in channel")
                .style(serenity::ButtonStyle::Secondary),
        ])]);
    }
    ctx.send(reply).await?;
    Ok(())
}
