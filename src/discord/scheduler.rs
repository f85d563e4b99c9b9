//! The tip scheduler: one task, started once (poise's setup runs on the first READY only), that
//! wakes every tick, asks the core which tip is due for each server ([`tips::decide`] over the
//! stored history, the channel's activity and the last week's failure counts) and posts it.
//! The due time and rotation are saved before posting, so a restart neither skips a slot nor
//! posts twice. It also forgets coaching conversations idle for more than a day. With several
//! processes (`SHARDS`), each posts only for the servers on its own shards.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use poise::serenity_prelude as serenity;
use serenity::{ChannelId, CreateMessage, Http};

use crate::core::coach;
use crate::core::outcomes;
use crate::core::tips::{self, Cadence, Decision, TipHistory, TipSchedule, Tips};
use crate::discord::events::follow_up;
use crate::discord::render::{self, no_pings};
use crate::discord::state::{Clock, Data};
use crate::settings::Settings;
use crate::store::{GuildSettings, Store, TipState};

/// What the scheduler needs from [`Data`] (cheap clones, so it can outlive the framework setup).
#[derive(Clone)]
pub struct Scheduler {
    pub store: Store,
    pub counts: Arc<super::counts::Counts>,
    pub tips: Arc<Tips>,
    pub clock: Arc<dyn Clock>,
    pub settings: Settings,
    pub tick: Duration,
    /// Check id and title, in review order (for the outcome line of a tip).
    pub checks: Arc<Vec<(String, String)>>,
}

impl From<&Data> for Scheduler {
    fn from(data: &Data) -> Scheduler {
        Scheduler {
            store: data.store.clone(),
            counts: data.counts.clone(),
            tips: data.tips.clone(),
            clock: data.clock.clone(),
            settings: data.settings.clone(),
            tick: data.tick,
            checks: Arc::new(
                data.engine
                    .checks
                    .checks()
                    .iter()
                    .map(|c| (c.id.clone(), c.title.clone()))
                    .collect(),
            ),
        }
    }
}

/// Starts the scheduler task.
pub fn spawn(http: Arc<Http>, scheduler: Scheduler) {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(scheduler.tick);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            if let Err(e) = scheduler.run_once(&http).await {
                tracing::error!(error = format!("{e:#}"), "tip scheduler round failed");
            }
        }
    });
}

/// The tip schedule a server's settings describe, if tips are on.
pub fn schedule_of(guild: &GuildSettings, settings: &Settings) -> Option<TipSchedule> {
    let cadence: Cadence = guild.tip_cadence.as_deref()?.parse().ok()?;
    let channel = guild
        .tip_channel_id
        .or(guild.mentoring_channel_id)
        .or(settings.mentoring_channel_id)?;
    let tz = guild
        .tip_timezone
        .as_deref()
        .and_then(|tz| tz.parse().ok())
        .unwrap_or(chrono_tz::UTC);
    TipSchedule::new(channel, cadence, guild.tip_hour.unwrap_or(9), tz).ok()
}

impl Scheduler {
    /// One round over every server with a schedule.
    pub async fn run_once(&self, http: &Http) -> anyhow::Result<()> {
        let now = self.clock.now();
        let shards = self.settings.shards;
        // What belongs to no server (DM coaching, follow-up DMs) is the work of the process
        // that owns shard 0, where DMs arrive; a server's tips, of the process owning its
        // shard. Each slot is still claimed in the store, so a misconfigured overlap of two
        // processes cannot double a follow-up.
        if shards.owns_dms() {
            self.store
                .purge_coaching_older_than(now - coach::EXPIRY)
                .await?;
            if let Err(e) = follow_up::send_due(http, &self.store, now).await {
                tracing::warn!(error = format!("{e:#}"), "follow-ups not sent");
            }
        }
        let all = self.store.all_guild_settings().await?;
        for guild in all.into_iter().filter(|g| shards.owns_guild(g.guild_id)) {
            if let Some(schedule) = schedule_of(&guild, &self.settings) {
                if let Err(e) = self.tick_guild(http, guild.guild_id, &schedule, now).await {
                    tracing::warn!(
                        error = format!("{e:#}"),
                        guild = guild.guild_id,
                        "tip not posted"
                    );
                }
            }
        }
        Ok(())
    }

    async fn tick_guild(
        &self,
        http: &Http,
        guild: u64,
        schedule: &TipSchedule,
        now: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        let state = self.store.tip_state(guild).await?;
        let history = TipHistory {
            next_due: state.next_due,
            shown: state.shown.clone(),
            last_posted_at: state.last_posted_at,
        };
        let active = match self.store.last_activity(guild, schedule.channel_id).await? {
            Some(at) => history.last_posted_at.is_none_or(|last| at > last),
            None => false,
        };
        let since = tips::week_start(now - chrono::Duration::days(7));
        // The counts still in memory decide too.
        if let Err(e) = self.counts.flush(&self.store).await {
            tracing::warn!(error = format!("{e:#}"), "could not save the weekly counts");
        }
        let failures = self.store.failures_since(guild, since).await?;
        let decision = tips::decide(schedule, &history, &self.tips, active, &failures, now);
        let Some(updated) = decision.updated_history(&history) else {
            return Ok(());
        };
        // Saved first: a crash after this line skips at most this one post, never doubles it;
        // and only if nobody advanced the rotation since it was read.
        let next = TipState {
            guild_id: guild,
            next_due: updated.next_due,
            shown: updated.shown,
            last_posted_at: updated.last_posted_at,
        };
        if !self.store.advance_tip_state(&next, state.next_due).await? {
            tracing::debug!(guild, "tip slot already taken by another process");
            return Ok(());
        }
        if let Decision::Post { tip_id, .. } = decision {
            if let Some(tip) = self.tips.get(&tip_id) {
                let citation = self.outcome_line(guild, &tip.check).await?;
                let message = CreateMessage::new()
                    .content(render::tip_text(tip, citation.as_deref()))
                    .allowed_mentions(no_pings());
                ChannelId::new(schedule.channel_id)
                    .send_message(http, message)
                    .await?;
                tracing::info!(guild, tip = %tip_id, "posted a tip");
            }
        }
        Ok(())
    }

    /// What this server's outcomes say about `check`, when a difference holds.
    async fn outcome_line(&self, guild: u64, check: &str) -> anyhow::Result<Option<String>> {
        let Some((_, title)) = self.checks.iter().find(|(id, _)| id == check) else {
            return Ok(None);
        };
        let records = self.store.outcomes(guild).await?;
        let comparison = outcomes::compare(&records, &[check]).remove(0);
        Ok(comparison
            .holds(self.settings.outcomes_min)
            .then(|| render::outcome_citation(title, &comparison)))
    }
}
