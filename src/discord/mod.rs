//! The Discord adapter: parses what Discord sends, calls the core, renders, replies.
//!
//! [`Data`] is the one typed shared state, built before the framework starts and reached with
//! `ctx.data()`. [`commands`] holds the slash and context-menu commands (one file per group, one
//! registry); [`events`] the gateway events that are not commands (the prefix command and DMs,
//! buttons and modals); [`render`] turns a review into an embed; [`error`] keeps internal errors
//! away from members. [`run`] wires it together with serenity's client, pointed at Discord or,
//! with `DISCORD_API_URL`, at a proxy or a test server.

pub mod changes;
pub mod commands;
pub mod counts;
pub mod error;
pub mod events;
pub mod health;
pub mod render;
pub mod reply;
pub mod scheduler;
pub mod session;
pub mod state;

use std::future::Future;
use std::time::Duration;

use anyhow::Context as _;
use poise::serenity_prelude as serenity;

use crate::core::shards::Shards;
use crate::settings::Settings;

pub use error::UserError;
pub use state::{Clock, Context, Data, Error, Hooks, SystemClock};

/// The registry: every slash and context-menu command. `/review`, "Review draft", `/coach` and
/// `/tip` also work from a member's own account (a user install): in servers without the bot,
/// in the bot's DMs and in private channels.
pub fn all_commands() -> Vec<poise::Command<Data, Error>> {
    let mut everywhere = vec![
        commands::review::review(),
        commands::review::review_message(),
        commands::coach::coach(),
        commands::tips::tip(),
    ];
    for command in &mut everywhere {
        command.install_context = Some(vec![
            serenity::InstallationContext::Guild,
            serenity::InstallationContext::User,
        ]);
        command.interaction_context = Some(vec![
            serenity::InteractionContext::Guild,
            serenity::InteractionContext::BotDm,
            serenity::InteractionContext::PrivateChannel,
        ]);
    }
    everywhere.extend([
        commands::profile::profile(),
        commands::peers::peers(),
        commands::admin::setup(),
        commands::admin::stats(),
    ]);
    everywhere
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
    // Several processes on PostgreSQL: follow the others' profile and settings changes.
    if let Some(stream) = store
        .changes()
        .await
        .context("listening for other processes' changes")?
    {
        let caches = changes::Caches {
            peers: data.peers.clone(),
            guilds: data.guilds.clone(),
        };
        changes::spawn(store.clone(), stream, caches);
    }
    let shards = data.settings.shards;
    if let Some(addr) = data.settings.health_addr {
        health::serve(addr, data.metrics.clone(), store.clone()).await?;
    }
    let dev_guild = data.settings.dev_guild_id;
    let framework = poise::Framework::builder()
        .options(poise::FrameworkOptions {
            commands: all_commands(),
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
    let manager = client.shard_manager.clone();
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
        let _ = tokio::time::timeout(Duration::from_secs(3), manager.shutdown_all()).await;
        let _ = stopped.send(());
    });
    let connection = async {
        match shards {
            Shards::Auto => client.start_autosharded().await,
            // serenity's range is inclusive of its end: `first..last` runs first to last.
            Shards::Range { first, last, total } => {
                client.start_shard_range(first..last, total).await
            }
        }
    };
    tokio::select! {
        result = connection => result.context("the Discord connection stopped")?,
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
    one_malloc_arena();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(settings.worker_threads)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(run(settings, shutdown_signal()))
}

/// glibc gives every thread that allocates its own arena of several MB, which it keeps; the bot
/// allocates little and from few threads, so one arena holds its heap in less memory (measured
/// in the README's load test).
fn one_malloc_arena() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a tuning parameter of the allocator, and runs before the
    // runtime starts its threads.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
    }
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
