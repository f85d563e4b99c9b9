//! The Discord adapter: parses what Discord sends, calls the core, renders, replies.
//!
//! [`Data`] is the one typed shared state, built before the framework starts and reached with
//! `ctx.data()`. [`commands`] holds the slash and context-menu commands (one file per group, one
//! registry); [`events`] the gateway events that are not commands (the prefix command and DMs,
//! buttons and modals); [`render`] turns a review into an embed; [`error`] keeps internal errors
//! away from members. [`run`] wires it together with serenity's client, pointed at Discord or,
//! with `DISCORD_API_URL`, at a proxy or a test server.

pub mod commands;
pub mod error;
pub mod events;
pub mod render;
pub mod session;

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Mutex, RwLock};
use std::time::Duration;

use anyhow::Context as _;
use poise::serenity_prelude as serenity;

use crate::core::cooldown::Cooldown;
use crate::core::peers::PeerIndex;
use crate::core::Engine;
use crate::settings::Settings;
use crate::store::Store;

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
}

impl Data {
    /// Loads the config, opens the store (applying migrations) and builds the shared state.
    pub async fn new(settings: Settings) -> anyhow::Result<Data> {
        let problems = crate::config_problems(&settings.config_dir);
        if !problems.is_empty() {
            anyhow::bail!("the config has problems:\n{}", problems.join("\n"));
        }
        let engine = Engine::load(&settings.config_dir)?;
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

/// Runs the bot until `shutdown` completes or the connection fails for good.
pub async fn run(
    settings: Settings,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let data = Data::new(settings).await?;
    let http = http(&data.settings)?;
    let dev_guild = data.settings.dev_guild_id;
    let framework = poise::Framework::builder()
        .options(poise::FrameworkOptions {
            commands: commands::all(),
            on_error: |err| Box::pin(error::on_error(err)),
            event_handler: |framework, event| Box::pin(events::handle(framework, event)),
            allowed_mentions: Some(render::no_pings()),
            initialize_owners: false,
            ..Default::default()
        })
        .setup(move |ctx, ready, framework| {
            Box::pin(async move {
                let commands = &framework.options().commands;
                match dev_guild {
                    Some(guild) => {
                        poise::builtins::register_in_guild(ctx, commands, serenity::GuildId::new(guild))
                            .await
                            .context("registering commands in DEV_GUILD_ID")?;
                    }
                    None => poise::builtins::register_globally(ctx, commands)
                        .await
                        .context("registering commands globally")?,
                }
                tracing::info!(user = %ready.user.name, guilds = ready.guilds.len(), "connected and commands registered");
                Ok(data)
            })
        })
        .build();
    let mut client = serenity::ClientBuilder::new_with_http(http, intents())
        .framework(framework)
        .await
        .context("building the Discord client")?;
    let shards = client.shard_manager.clone();
    tokio::spawn(async move {
        shutdown.await;
        tracing::info!("shutting down");
        shards.shutdown_all().await;
    });
    client
        .start()
        .await
        .context("the Discord connection stopped")?;
    Ok(())
}

/// Starts logging and a runtime, runs the bot until Ctrl-C or SIGTERM.
pub fn run_blocking(settings: Settings) -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
                tracing_subscriber::EnvFilter::new("info,serenity=warn,poise=warn")
            }),
        )
        .init();
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
