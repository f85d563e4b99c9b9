//! The bot's settings: [`Settings`] merges `config/bot.toml` with environment variables
//! (`DISCORD_TOKEN`, `DEV_GUILD_ID`, `DISCORD_API_URL`, `MENTORING_CHANNEL_ID`, `COMMAND_PREFIX`,
//! `DATABASE_URL`, `SHARDS`, `HEALTH_ADDR`, `LOG_FORMAT`, `SCHEDULER_TICK_SECS`). Per-server
//! settings from `/setup` override these at run time.

use crate::core::shards::Shards;
use crate::core::{ConfigFiles, Problem, Problems};

use serde::{Deserialize, Deserializer};

/// The Discord REST base URL used when `DISCORD_API_URL` is not set.
pub const DEFAULT_API_URL: &str = "https://discord.com";

pub use crate::store::ReplyMode;

/// `config/bot.toml` as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BotFile {
    pub command_prefix: String,
    pub mentoring_channel_id: u64,
    #[serde(deserialize_with = "reply_mode")]
    pub reply_mode: ReplyMode,
    pub reviews_per_minute: u32,
    pub suggestion_cap: u32,
    pub database_url: String,
    #[serde(default = "default_pool_size")]
    pub database_pool_size: u32,
    #[serde(default = "default_worker_threads")]
    pub worker_threads: usize,
    pub max_draft_chars: usize,
    pub follow_up_after_days: u32,
    pub outcomes_min: u32,
}

/// Everything `coffee-coach run` needs.
#[derive(Clone)]
pub struct Settings {
    /// The bot token (never logged: `Debug` hides it).
    pub token: String,
    /// Register commands in this guild only (instantly) instead of globally.
    pub dev_guild_id: Option<u64>,
    /// REST base URL; when it is not Discord's own, serenity's rate limiter is off.
    pub api_url: String,
    /// The watched mentoring channel, if any.
    pub mentoring_channel_id: Option<u64>,
    /// The prefix command.
    pub command_prefix: String,
    /// Where the prefix command answers.
    pub reply_mode: ReplyMode,
    /// Reviews a member may ask for per minute.
    pub reviews_per_minute: u32,
    /// How often one member may be suggested as a peer in 7 days.
    pub suggestion_cap: u32,
    /// The store.
    pub database_url: String,
    /// Connections the store's pool opens at most.
    pub database_pool_size: u32,
    /// Threads of the async runtime (`worker_threads` in `bot.toml`, default 1).
    pub worker_threads: usize,
    /// The gateway shards this process runs (`SHARDS`, default `auto`).
    pub shards: Shards,
    /// How often the scheduler looks at the time (`SCHEDULER_TICK_SECS`, default 30).
    pub scheduler_tick: std::time::Duration,
    /// Longest draft accepted, in characters.
    pub max_draft_chars: usize,
    /// When "ask me in a week how it went" asks (and asks again after "no reply yet").
    pub follow_up_after: chrono::Duration,
    /// Outcomes each side of a check needs before `/stats` shows a yes-rate or a tip cites it.
    pub outcomes_min: u32,
    /// Where `/healthz` and `/metrics` listen (`HEALTH_ADDR`); none when unset.
    pub health_addr: Option<std::net::SocketAddr>,
    /// Structured logs (`LOG_FORMAT=json`).
    pub log_json: bool,
    /// The config (checks, templates, tips, coaching script): built in, or from a folder.
    pub config: crate::core::ConfigFiles,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("token", &"<hidden>")
            .field("dev_guild_id", &self.dev_guild_id)
            .field("api_url", &self.api_url)
            .field("mentoring_channel_id", &self.mentoring_channel_id)
            .field("command_prefix", &self.command_prefix)
            .field("reply_mode", &self.reply_mode)
            .field("reviews_per_minute", &self.reviews_per_minute)
            .field("suggestion_cap", &self.suggestion_cap)
            .field("database_url", &without_password(&self.database_url))
            .field("database_pool_size", &self.database_pool_size)
            .field("worker_threads", &self.worker_threads)
            .field("shards", &format_args!("{}", self.shards))
            .finish()
    }
}

/// A database URL fit for a log line: `postgres://user:secret@host/db` becomes
/// `postgres://user:***@host/db`.
fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let Some((credentials, host)) = rest.split_once('@') else {
        return url.to_string();
    };
    match credentials.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_string(),
    }
}

/// A setting that is missing or malformed, with a message safe to print.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("DISCORD_TOKEN is not set: copy .env.example to .env and put your bot token there")]
    MissingToken,
    #[error("{name} must be a Discord id (a number), got `{value}`")]
    BadId { name: &'static str, value: String },
    #[error("{0}")]
    Config(#[from] Problems),
    #[error("{name} must be an address and port such as 127.0.0.1:9100, got `{value}`")]
    BadAddress { name: &'static str, value: String },
    #[error("{name} must be a whole number above 0, got `{value}`")]
    BadNumber { name: &'static str, value: String },
    #[error("SHARDS: {reason}")]
    BadShards { reason: String },
}

impl BotFile {
    /// Reads `bot.toml` of a config strictly.
    pub fn from_files(files: &ConfigFiles) -> Result<BotFile, Problems> {
        let file = files.require("bot.toml")?;
        let path = file.path.display().to_string();
        toml::from_str(&file.text).map_err(|e| Problem::toml(path, &file.text, &e).into())
    }
}

/// `reply_mode` as written ("thread" or "dm"); anything else is an error at its line.
fn default_pool_size() -> u32 {
    crate::store::DEFAULT_POOL_SIZE
}

fn default_worker_threads() -> usize {
    1
}

fn reply_mode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<ReplyMode, D::Error> {
    let text = String::deserialize(deserializer)?;
    text.parse().map_err(serde::de::Error::custom)
}

impl Settings {
    /// Builds the settings from the config's `bot.toml` and a variable lookup (the process
    /// environment in `main`, a map in tests).
    pub fn from_lookup(
        config: ConfigFiles,
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<Settings, SettingsError> {
        let file = BotFile::from_files(&config)?;
        let var = |name: &str| {
            var(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let id = |name: &'static str| -> Result<Option<u64>, SettingsError> {
            var(name)
                .map(|value| {
                    value
                        .parse::<u64>()
                        .map_err(|_| SettingsError::BadId { name, value })
                })
                .transpose()
        };
        Ok(Settings {
            token: var("DISCORD_TOKEN").ok_or(SettingsError::MissingToken)?,
            dev_guild_id: id("DEV_GUILD_ID")?,
            api_url: var("DISCORD_API_URL")
                .map(|u| u.trim_end_matches('/').to_string())
                .unwrap_or_else(|| DEFAULT_API_URL.to_string()),
            mentoring_channel_id: id("MENTORING_CHANNEL_ID")?
                .or((file.mentoring_channel_id != 0).then_some(file.mentoring_channel_id)),
            command_prefix: var("COMMAND_PREFIX").unwrap_or(file.command_prefix),
            reply_mode: file.reply_mode,
            reviews_per_minute: file.reviews_per_minute.max(1),
            suggestion_cap: file.suggestion_cap.max(1),
            database_url: var("DATABASE_URL").unwrap_or(file.database_url),
            database_pool_size: file.database_pool_size.max(1),
            worker_threads: file.worker_threads.max(1),
            shards: var("SHARDS")
                .map(|value| {
                    value
                        .parse()
                        .map_err(|reason| SettingsError::BadShards { reason })
                })
                .transpose()?
                .unwrap_or_default(),
            scheduler_tick: var("SCHEDULER_TICK_SECS")
                .map(|value| match value.parse::<u64>() {
                    Ok(secs) if secs > 0 => Ok(std::time::Duration::from_secs(secs)),
                    _ => Err(SettingsError::BadNumber {
                        name: "SCHEDULER_TICK_SECS",
                        value,
                    }),
                })
                .transpose()?
                .unwrap_or(std::time::Duration::from_secs(30)),
            max_draft_chars: file.max_draft_chars,
            follow_up_after: chrono::Duration::days(i64::from(file.follow_up_after_days.max(1))),
            outcomes_min: file.outcomes_min.max(1),
            health_addr: var("HEALTH_ADDR")
                .map(|value| {
                    value.parse().map_err(|_| SettingsError::BadAddress {
                        name: "HEALTH_ADDR",
                        value,
                    })
                })
                .transpose()?,
            log_json: var("LOG_FORMAT").is_some_and(|f| f.eq_ignore_ascii_case("json")),
            config,
        })
    }

    /// Whether REST goes somewhere other than Discord itself (a proxy or a test server).
    pub fn custom_api(&self) -> bool {
        self.api_url != DEFAULT_API_URL
    }
}

#[cfg(test)]
mod tests {
    use super::without_password;

    #[test]
    fn database_passwords_never_reach_the_log() {
        assert_eq!(
            without_password("postgres://bot:s3cret@db.internal:5432/coffee"),
            "postgres://bot:***@db.internal:5432/coffee"
        );
        assert_eq!(
            without_password("postgres://bot@db/coffee"),
            "postgres://bot@db/coffee"
        );
        assert_eq!(
            without_password("sqlite://data/coffee-coach.db"),
            "sqlite://data/coffee-coach.db"
        );
    }
}
