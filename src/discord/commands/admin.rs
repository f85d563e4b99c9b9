//! `/setup set|show` and `/stats`, for members with Manage Server. The permission is declared
//! with `default_member_permissions` (Discord hides the command from others) and checked again
//! by poise when it runs (`required_permissions`); anyone else gets a polite refusal.

use chrono::Duration;
use poise::serenity_prelude as serenity;

use crate::core::outcomes;
use crate::core::tips::{self, Cadence};
use crate::discord::error::UserError;
use crate::discord::render;
use crate::discord::reply::whisper;
use crate::discord::state::{Context, Error};
use crate::store::{GuildSettings, ReplyMode};

/// How prefix-command reviews are delivered.
#[derive(Debug, Clone, Copy, poise::ChoiceParameter)]
pub enum ReplyChoice {
    #[name = "thread"]
    Thread,
    #[name = "dm"]
    Dm,
}

/// How often tips are posted.
#[derive(Debug, Clone, Copy, poise::ChoiceParameter)]
pub enum CadenceChoice {
    #[name = "daily"]
    Daily,
    #[name = "weekdays"]
    Weekdays,
    #[name = "weekly"]
    Weekly,
    #[name = "off"]
    Off,
}

/// Server settings for coffee-coach (Manage Server).
#[poise::command(
    slash_command,
    guild_only,
    subcommands("set", "show"),
    subcommand_required,
    default_member_permissions = "MANAGE_GUILD",
    required_permissions = "MANAGE_GUILD"
)]
pub async fn setup(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Change server settings; options you leave out stay as they are.
#[allow(clippy::too_many_arguments)]
#[poise::command(
    slash_command,
    guild_only,
    default_member_permissions = "MANAGE_GUILD",
    required_permissions = "MANAGE_GUILD"
)]
pub async fn set(
    ctx: Context<'_>,
    #[description = "The mentoring channel: the prefix command works there, tips go there"]
    #[channel_types("Text")]
    mentoring_channel: Option<serenity::GuildChannel>,
    #[description = "The prefix command, e.g. !review"]
    #[max_length = 20]
    prefix: Option<String>,
    #[description = "Where prefix-command reviews go"] reply_mode: Option<ReplyChoice>,
    #[description = "How often to post a tip (or off)"] tip_cadence: Option<CadenceChoice>,
    #[description = "Local hour for tips, 0-23"]
    #[min = 0]
    #[max = 23]
    tip_hour: Option<u8>,
    #[description = "Time zone for tips, e.g. Europe/London or Asia/Jerusalem"]
    #[max_length = 64]
    timezone: Option<String>,
    #[description = "Channel for tips, if not the mentoring channel"]
    #[channel_types("Text")]
    tip_channel: Option<serenity::GuildChannel>,
    #[description = "How many members one person may be suggested to per week"]
    #[min = 1]
    #[max = 50]
    suggestion_cap: Option<u32>,
) -> Result<(), Error> {
    let guild = guild_id(ctx)?;
    let data = ctx.data();
    let mut s = data.guild_settings(guild).await?;
    let before = (
        s.tip_cadence.clone(),
        s.tip_hour,
        s.tip_timezone.clone(),
        s.tip_channel_id,
    );
    if let Some(c) = mentoring_channel {
        s.mentoring_channel_id = Some(c.id.get());
    }
    if let Some(p) = prefix {
        let p = p.trim();
        if p.is_empty() || p.contains(char::is_whitespace) {
            return Err(UserError::err(
                "The prefix must be one word without spaces, like `!review`.",
            ));
        }
        s.prefix = Some(p.to_string());
    }
    if let Some(m) = reply_mode {
        s.reply_mode = Some(match m {
            ReplyChoice::Thread => ReplyMode::Thread,
            ReplyChoice::Dm => ReplyMode::Dm,
        });
    }
    if let Some(c) = tip_cadence {
        s.tip_cadence = match c {
            CadenceChoice::Daily => Some(Cadence::Daily.as_str().to_string()),
            CadenceChoice::Weekdays => Some(Cadence::Weekdays.as_str().to_string()),
            CadenceChoice::Weekly => Some(Cadence::Weekly.as_str().to_string()),
            CadenceChoice::Off => None,
        };
    }
    if let Some(h) = tip_hour {
        s.tip_hour = Some(h);
    }
    if let Some(tz) = timezone {
        let tz = tz.trim();
        if tz.parse::<chrono_tz::Tz>().is_err() {
            return Err(UserError::err(format!(
                "I don't know the time zone `{}`. Use a name like Europe/London, America/New_York or Asia/Jerusalem.",
                tz.replace('`', "'")
            )));
        }
        s.tip_timezone = Some(tz.to_string());
    }
    if let Some(c) = tip_channel {
        s.tip_channel_id = Some(c.id.get());
    }
    if let Some(cap) = suggestion_cap {
        s.suggestion_cap = Some(cap);
    }
    let schedule_changed = before
        != (
            s.tip_cadence.clone(),
            s.tip_hour,
            s.tip_timezone.clone(),
            s.tip_channel_id,
        );
    data.save_guild_settings(s.clone()).await?;
    if schedule_changed {
        // The next due time is worked out again from the new schedule.
        let mut state = data.store.tip_state(guild).await?;
        state.guild_id = guild;
        state.next_due = None;
        data.store.save_tip_state(&state).await?;
    }
    let text = format!("Saved.\n{}", describe(&s, ctx));
    whisper(ctx, text).await
}

/// Show this server's settings.
#[poise::command(
    slash_command,
    guild_only,
    default_member_permissions = "MANAGE_GUILD",
    required_permissions = "MANAGE_GUILD"
)]
pub async fn show(ctx: Context<'_>) -> Result<(), Error> {
    let s = ctx.data().guild_settings(guild_id(ctx)?).await?;
    whisper(ctx, describe(&s, ctx)).await
}

/// The effective settings in a few lines (server values, else the bot's defaults).
fn describe(s: &GuildSettings, ctx: Context<'_>) -> String {
    let defaults = &ctx.data().settings;
    let channel = |id: Option<u64>| id.map_or("not set".to_string(), |id| format!("<#{id}>"));
    let tips = match &s.tip_cadence {
        Some(c) => format!(
            "{c} at {}:00 {} in {}",
            s.tip_hour.unwrap_or(9),
            s.tip_timezone.as_deref().unwrap_or("UTC"),
            channel(
                s.tip_channel_id
                    .or(s.mentoring_channel_id)
                    .or(defaults.mentoring_channel_id)
            )
        ),
        None => "off".to_string(),
    };
    format!(
        "**Mentoring channel:** {}\n**Prefix:** `{}`\n**Prefix replies:** {}\n**Tips:** {tips}\n**Suggestion cap:** {} per week",
        channel(s.mentoring_channel_id.or(defaults.mentoring_channel_id)),
        s.prefix.as_deref().unwrap_or(&defaults.command_prefix).replace('`', "'"),
        s.reply_mode.unwrap_or(defaults.reply_mode),
        s.suggestion_cap.unwrap_or(defaults.suggestion_cap),
    )
}

/// Anonymous counts of reviews and failures per check, for the last four weeks.
#[poise::command(
    slash_command,
    guild_only,
    default_member_permissions = "MANAGE_GUILD",
    required_permissions = "MANAGE_GUILD"
)]
pub async fn stats(ctx: Context<'_>) -> Result<(), Error> {
    let data = ctx.data();
    let since = tips::week_start(data.clock.now() - Duration::weeks(3));
    // What is still in memory counts too.
    if let Err(e) = data.counts.flush(&data.store).await {
        tracing::warn!(
            error = format!("{e:#}"),
            "could not save the weekly counts before /stats"
        );
    }
    let guild = guild_id(ctx)?;
    let weeks = data.store.weekly_stats(guild, since).await?;
    let records = data.store.outcomes(guild).await?;
    let checks: Vec<(&str, &str)> = data
        .engine
        .checks
        .checks()
        .iter()
        .map(|c| (c.id.as_str(), c.title.as_str()))
        .collect();
    let ids: Vec<&str> = checks.iter().map(|(id, _)| *id).collect();
    let comparisons = outcomes::compare(&records, &ids);
    let outcome_lines = render::outcome_stats(
        &checks,
        &comparisons,
        records.len(),
        data.settings.outcomes_min,
    );
    let text = if weeks.is_empty() {
        "No reviews in this server in the last four weeks.".to_string()
    } else {
        let mut lines =
            vec!["**Reviews in this server** (anonymous counts, no drafts kept):".to_string()];
        for w in weeks {
            let failures: Vec<String> = w
                .failures
                .iter()
                .map(|(id, n)| format!("{id} {n}"))
                .collect();
            lines.push(format!(
                "Week of {}: {} reviews; failed: {}",
                w.week_start,
                w.reviews,
                if failures.is_empty() {
                    "none".to_string()
                } else {
                    failures.join(", ")
                }
            ));
        }
        lines.join("\n")
    };
    let text = format!("{text}\n\n{outcome_lines}");
    whisper(ctx, render::truncate(&text, render::MESSAGE_MAX)).await
}

fn guild_id(ctx: Context<'_>) -> Result<u64, Error> {
    ctx.guild_id()
        .map(|g| g.get())
        .ok_or_else(|| UserError::err("This command works inside a server."))
}
