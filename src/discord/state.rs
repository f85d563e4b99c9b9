//! The shared state every handler imports: [`Data`] (reached with `ctx.data()`), the error and
//! context types of poise, and the [`Clock`] the adapter reads the time from. Nothing here
//! imports a handler; [`run`](super::run) wires the handlers to it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use anyhow::Context as _;
use chrono::{DateTime, Utc};

use super::{counts, health, session};
use crate::core::coach::CoachScript;
use crate::core::cooldown::Cooldown;
use crate::core::peers::PeerIndex;
use crate::core::tips::Tips;
use crate::core::Engine;
use crate::settings::Settings;
use crate::store::{GuildSettings, Store};

/// The error type of every command and handler; [`UserError`](super::error::UserError)s inside it are shown to members.
pub type Error = anyhow::Error;
/// The poise context of our commands.
pub type Context<'a> = poise::Context<'a, Data, Error>;

/// Everything the handlers share, built once before the framework starts.
pub struct Data {
    /// The checks and rewrite templates.
    pub engine: Engine,
    /// Settings from `config/bot.toml` and the environment.
    pub settings: Settings,
    /// Per-member review limit (never held across an `.await`).
    pub cooldown: Mutex<Cooldown>,
    /// Recent reviews in memory, for the buttons under them (drafts are never stored on disk).
    pub sessions: session::Sessions,
    /// Profiles, settings, counts: everything that is saved.
    pub store: Store,
    /// Open profiles per server in memory, loaded from the store on first use; other
    /// processes' changes reach it through [`changes`](super::changes).
    pub peers: Arc<RwLock<HashMap<u64, PeerIndex>>>,
    /// Per-server settings from `/setup`, cached; written through to the store.
    pub guilds: Arc<RwLock<HashMap<u64, GuildSettings>>>,
    /// The tips of `config/tips.toml`.
    pub tips: Arc<Tips>,
    /// The DM coaching script of `config/coach.toml`.
    pub coach: CoachScript,
    /// Anonymous weekly counts not yet written (flushed every few seconds and at shutdown).
    pub counts: Arc<counts::Counts>,
    /// Counters for `/metrics` and the gateway state for `/healthz`.
    pub metrics: health::Metrics,
    /// The time, from the system or from a test.
    pub clock: Arc<dyn Clock>,
    /// How often the tip scheduler looks at the time.
    pub tick: Duration,
}

/// Where the adapter reads the time; tests drive it by hand.
pub trait Clock: Send + Sync {
    /// The current time.
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock.
#[derive(Debug, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// What tests may change about a running bot: the clock and the scheduler's tick (by default
/// `SCHEDULER_TICK_SECS`).
#[derive(Clone)]
pub struct Hooks {
    pub clock: Arc<dyn Clock>,
    pub tick: Option<Duration>,
}

impl Default for Hooks {
    fn default() -> Hooks {
        Hooks {
            clock: Arc::new(SystemClock),
            tick: None,
        }
    }
}

impl Data {
    /// The server's `/setup` settings (cached after the first read).
    pub async fn guild_settings(&self, guild: u64) -> Result<GuildSettings, Error> {
        if let Some(s) = self
            .guilds
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(&guild)
        {
            return Ok(s.clone());
        }
        let s = self.store.guild_settings(guild).await?;
        self.guilds
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(guild, s.clone());
        Ok(s)
    }

    /// Saves a server's settings and refreshes the cache.
    pub async fn save_guild_settings(&self, s: GuildSettings) -> Result<(), Error> {
        self.store.save_guild_settings(&s).await?;
        self.guilds
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(s.guild_id, s);
        Ok(())
    }

    /// Loads the config, opens the store (applying migrations) and builds the shared state.
    pub async fn new(settings: Settings, hooks: Hooks) -> anyhow::Result<Data> {
        let (loaded, problems) = crate::check_config(&settings.config);
        let Some(crate::LoadedConfig {
            engine,
            tips,
            coach,
        }) = loaded
        else {
            anyhow::bail!("the config has problems:\n{}", problems.join("\n"));
        };
        let store = Store::open_with(&settings.database_url, settings.database_pool_size)
            .await
            .context("opening the database (DATABASE_URL)")?;
        Ok(Data {
            cooldown: Mutex::new(Cooldown::new(
                settings.reviews_per_minute,
                Duration::from_secs(60),
            )),
            sessions: session::Sessions::default(),
            peers: Arc::default(),
            guilds: Arc::default(),
            tips: Arc::new(tips),
            coach,
            counts: Arc::default(),
            metrics: health::Metrics::new(),
            clock: hooks.clock,
            tick: hooks.tick.unwrap_or(settings.scheduler_tick),
            store,
            engine,
            settings,
        })
    }
}
