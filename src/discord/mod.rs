//! The Discord adapter: parses what Discord sends, calls the core, renders, replies.
//!
//! [`Data`] is the one typed shared state, built before the framework starts and reached with
//! `ctx.data()`. [`commands`] holds the slash and context-menu commands (one file per group, one
//! registry); [`events`] the gateway events that are not commands (the prefix command and DMs,
//! buttons and modals); [`render`] turns a review into an embed; [`error`] keeps internal errors
//! away from members. [`run`] wires it together with serenity's client, pointed at Discord or,
//! with `DISCORD_API_URL`, at a proxy or a test server.

pub mod commands;
pub mod counts;
pub mod error;
pub mod events;
pub mod health;
pub mod render;
pub mod scheduler;
pub mod session;

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use anyhow::Context as _;
use poise::serenity_prelude as serenity;

use crate::core::cooldown::Cooldown;
use chrono::{DateTime, Utc};

use crate::core::coach::CoachScript;
use crate::core::peers::PeerIndex;
use crate::core::tips::Tips;
use crate::core::Engine;
use crate::settings::Settings;
use crate::store::{GuildSettings, Store};

pub use error::UserError;

/// The error type of every command and handler; [`UserError`]s inside it are shown to members.
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
    /// Open profiles per server in memory, loaded from the store on first use.
    pub peers: RwLock<HashMap<u64, PeerIndex>>,
    /// Per-server settings from `/setup`, cached; written through to the store.
    pub guilds: RwLock<HashMap<u64, GuildSettings>>,
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

/// What tests may change about a running bot: the clock and the scheduler's tick.
#[derive(Clone)]
pub struct Hooks {
    pub clock: Arc<dyn Clock>,
    pub tick: Duration,
}

impl Default for Hooks {
    fn default() -> Hooks {
        Hooks {
            clock: Arc::new(SystemClock),
            tick: Duration::from_secs(30),
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
        let store = Store::open(&settings.database_url)
            .await
            .context("opening the database (DATABASE_URL)")?;
        Ok(Data {
            cooldown: Mutex::new(Cooldown::new(
                settings.reviews_per_minute,
                Duration::from_secs(60),
            )),
            sessions: session::Sessions::default(),
            peers: RwLock::new(HashMap::new()),
            guilds: RwLock::new(HashMap::new()),
            tips: Arc::new(tips),
            coach,
            counts: Arc::default(),
            metrics: health::Metrics::new(),
            clock: hooks.clock,
            tick: hooks.tick,
            store,
            engine,
            settings,
        })
    }
}

/// The gateway intents: message content is needed only for the prefix command in the mentoring
/// channel (DMs carry their content without it).
pub fn intents() -> serenity::GatewayIntents {
    serenity::GatewayIntents::GUILDS
        | serenity::GatewayIntents::GUILD_MESSAGES
        | serenity::GatewayIntents::DIRECT_MESSAGES
        | serenity::GatewayIntents::MESSAGE_CONTENT
}

/// The REST client: Discord itself, or `DISCORD_API_URL` (a proxy or a test server) with
/// serenity's rate limiter off, since that path bypasses it.
fn http(settings: &Settings) -> anyhow::Result<serenity::Http> {
    if !settings.custom_api() {
        return Ok(serenity::Http::new(&settings.token));
    }
    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .context("building the HTTP client")?;
    Ok(serenity::HttpBuilder::new(&settings.token)
        .proxy(settings.api_url.clone())
        .ratelimiter_disabled(true)
        .client(client)
        .build())
}

/// The bodies of the bulk command registration. poise writes `default_member_permissions` as a
/// string; Discord's OpenAPI spec types it as an integer (and Discord accepts both), so it is
/// sent as a number.
fn command_bodies(commands: &[poise::Command<Data, Error>]) -> anyhow::Result<serde_json::Value> {
    let mut bodies = serde_json::to_value(poise::builtins::create_application_commands(commands))?;
    for body in bodies.as_array_mut().into_iter().flatten() {
        let bits = body
            .get("default_member_permissions")
            .and_then(|v| v.as_str())
            .and_then(|s| s.parse::<u64>().ok());
        if let Some(bits) = bits {
            body["default_member_permissions"] = bits.into();
        }
    }
    Ok(bodies)
}

/// Runs the bot until `shutdown` completes or the connection fails for good.
pub async fn run(
    settings: Settings,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    run_with(settings, Hooks::default(), shutdown).await
}

/// [`run`] with a chosen clock and scheduler tick (for tests).
pub async fn run_with(
    settings: Settings,
    hooks: Hooks,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let data = Data::new(settings, hooks).await?;
    let http = http(&data.settings)?;
    if data.settings.custom_api() {
        // serenity would quietly fall back to Discord's own gateway: fail clearly instead.
        let url = &data.settings.api_url;
        tokio::time::timeout(Duration::from_secs(10), http.get_bot_gateway())
            .await
            .map_err(|_| anyhow::anyhow!("DISCORD_API_URL ({url}) did not answer within 10 s"))?
            .with_context(|| format!("DISCORD_API_URL ({url}) is unreachable"))?;
    }
    let (counts, store) = (data.counts.clone(), data.store.clone());
    counts::spawn_flusher(counts.clone(), store.clone(), data.metrics.clone());
    if let Some(addr) = data.settings.health_addr {
        health::serve(addr, data.metrics.clone(), store.clone()).await?;
    }
    let dev_guild = data.settings.dev_guild_id;
    let framework = poise::Framework::builder()
        .options(poise::FrameworkOptions {
            commands: commands::all(),
            on_error: |err| Box::pin(error::on_error(err)),
            event_handler: |framework, event| Box::pin(events::handle(framework, event)),
            allowed_mentions: Some(render::no_pings()),
            // poise runs commands itself: they are counted here, the rest in `events`.
            pre_command: |ctx| {
                Box::pin(async move {
                    let data = ctx.data();
                    data.metrics.interactions.with_label_values(&["command"]).inc();
                })
            },
            initialize_owners: false,
            ..Default::default()
        })
        .setup(move |ctx, ready, framework| {
            Box::pin(async move {
                let commands = command_bodies(&framework.options().commands)?;
                match dev_guild {
                    Some(guild) => ctx
                        .http
                        .create_guild_commands(serenity::GuildId::new(guild), &commands)
                        .await
                        .context("registering commands in DEV_GUILD_ID")?,
                    None => ctx
                        .http
                        .create_global_commands(&commands)
                        .await
                        .context("registering commands globally")?,
                };
                tracing::info!(user = %ready.user.name, guilds = ready.guilds.len(), "connected and commands registered");
                // setup runs once, on the first READY: the scheduler starts once too.
                scheduler::spawn(ctx.http.clone(), scheduler::Scheduler::from(&data));
                Ok(data)
            })
        })
        .build();
    let mut client = serenity::ClientBuilder::new_with_http(http, intents())
        .framework(framework)
        .await
        .context("building the Discord client")?;
    let shards = client.shard_manager.clone();
    let (stopped, on_stop) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        shutdown.await;
        tracing::info!("shutting down");
        if let Err(e) = counts.flush(&store).await {
            tracing::warn!(
                error = format!("{e:#}"),
                "could not save the last weekly counts"
            );
        }
        // A gateway that never answers must not hold the process: give the shards 3 s.
        let _ = tokio::time::timeout(Duration::from_secs(3), shards.shutdown_all()).await;
        let _ = stopped.send(());
    });
    tokio::select! {
        result = client.start() => result.context("the Discord connection stopped")?,
        _ = on_stop => {}
    }
    Ok(())
}

/// Starts logging and a runtime, runs the bot until Ctrl-C or SIGTERM.
pub fn run_blocking(settings: Settings) -> anyhow::Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,serenity=warn,poise=warn"));
    // LOG_FORMAT=json: one JSON object per line, for log collectors. No line ever holds a
    // draft or the token (Settings' Debug hides it).
    if settings.log_json {
        tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter)
            .init();
    } else {
        tracing_subscriber::fmt().with_env_filter(filter).init();
    }
    tracing::info!(?settings, "starting");
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(run(settings, shutdown_signal()))
}

/// Completes on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot listen for SIGTERM; Ctrl-C still works");
                    let _ = tokio::signal::ctrl_c().await;
                    return;
                }
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
