//! The `guild_settings` table: per-server [`GuildSettings`] set by moderators in `/setup`.
//!
//! Every setting is optional; `None` means "use the default" (the defaults live with the code
//! that uses them). [`ReplyMode`] says where prefix-command reviews go.

use std::fmt;
use std::str::FromStr;

use sqlx::any::AnyRow;
use sqlx::Row;

use super::{db_id, from_db_id, Change, Context, Store, StoreError};

/// Where the review of a prefix command in the mentoring channel is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReplyMode {
    /// In a thread on the member's message.
    Thread,
    /// By direct message.
    Dm,
}

impl ReplyMode {
    /// The stored id: "thread" or "dm".
    pub fn as_str(self) -> &'static str {
        match self {
            ReplyMode::Thread => "thread",
            ReplyMode::Dm => "dm",
        }
    }
}

impl fmt::Display for ReplyMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ReplyMode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_lowercase().as_str() {
            "thread" => Ok(ReplyMode::Thread),
            "dm" | "dms" | "direct message" => Ok(ReplyMode::Dm),
            other => Err(format!("\"{other}\" is not a reply mode; use thread or dm")),
        }
    }
}

/// One server's settings; `None` everywhere for a server that never ran `/setup`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GuildSettings {
    /// The server.
    pub guild_id: u64,
    /// The channel where the prefix command works and tips are posted by default.
    pub mentoring_channel_id: Option<u64>,
    /// The prefix command (default `!review`).
    pub prefix: Option<String>,
    /// Where prefix-command reviews go.
    pub reply_mode: Option<ReplyMode>,
    /// Where scheduled tips go, when not the mentoring channel.
    pub tip_channel_id: Option<u64>,
    /// How often tips are posted ("daily", "weekly", ...), as the scheduler understands it.
    pub tip_cadence: Option<String>,
    /// Local hour (0-23) to post tips.
    pub tip_hour: Option<u8>,
    /// IANA time zone for `tip_hour` ("Europe/Paris").
    pub tip_timezone: Option<String>,
    /// How many different members a peer may be suggested to per week.
    pub suggestion_cap: Option<u32>,
}

const COLUMNS: &str = "guild_id, mentoring_channel_id, prefix, reply_mode, tip_channel_id, \
                       tip_cadence, tip_hour, tip_timezone, suggestion_cap";

impl Store {
    /// The server's settings, all `None` when it has none saved.
    pub async fn guild_settings(&self, guild_id: u64) -> Result<GuildSettings, StoreError> {
        const OP: &str = "reading server settings";
        let sql = format!("SELECT {COLUMNS} FROM guild_settings WHERE guild_id = $1");
        let row = sqlx::query(&sql)
            .bind(db_id(guild_id))
            .fetch_optional(&self.pool)
            .await
            .ctx(OP)?;
        match row {
            Some(row) => read_settings(&row, OP),
            None => Ok(GuildSettings {
                guild_id,
                ..GuildSettings::default()
            }),
        }
    }

    /// Saves the server's settings, replacing every column.
    pub async fn save_guild_settings(&self, s: &GuildSettings) -> Result<(), StoreError> {
        const OP: &str = "saving server settings";
        let mut tx = self.pool.begin().await.ctx(OP)?;
        sqlx::query(
            "INSERT INTO guild_settings (guild_id, mentoring_channel_id, prefix, reply_mode, \
             tip_channel_id, tip_cadence, tip_hour, tip_timezone, suggestion_cap) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (guild_id) DO UPDATE SET \
             mentoring_channel_id = excluded.mentoring_channel_id, prefix = excluded.prefix, \
             reply_mode = excluded.reply_mode, tip_channel_id = excluded.tip_channel_id, \
             tip_cadence = excluded.tip_cadence, tip_hour = excluded.tip_hour, \
             tip_timezone = excluded.tip_timezone, suggestion_cap = excluded.suggestion_cap",
        )
        .bind(db_id(s.guild_id))
        .bind(s.mentoring_channel_id.map(db_id))
        .bind(s.prefix.as_deref())
        .bind(s.reply_mode.map(ReplyMode::as_str))
        .bind(s.tip_channel_id.map(db_id))
        .bind(s.tip_cadence.as_deref())
        .bind(s.tip_hour.map(i16::from))
        .bind(s.tip_timezone.as_deref())
        .bind(s.suggestion_cap.map(i64::from))
        .execute(&mut *tx)
        .await
        .ctx(OP)?;
        let change = Change::GuildSettings {
            guild_id: s.guild_id,
        };
        self.announce(&mut tx, change, OP).await?;
        tx.commit().await.ctx(OP)
    }

    /// Every server's saved settings, by server id (for the tip scheduler).
    pub async fn all_guild_settings(&self) -> Result<Vec<GuildSettings>, StoreError> {
        const OP: &str = "reading all server settings";
        let sql = format!("SELECT {COLUMNS} FROM guild_settings ORDER BY guild_id");
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await.ctx(OP)?;
        rows.iter().map(|row| read_settings(row, OP)).collect()
    }
}

fn read_settings(row: &AnyRow, op: &'static str) -> Result<GuildSettings, StoreError> {
    let corrupt = |detail: String| StoreError::Corrupt { op, detail };
    let id = |col: &str| -> Result<Option<u64>, StoreError> {
        Ok(row.try_get::<Option<i64>, _>(col).ctx(op)?.map(from_db_id))
    };
    let reply_mode = row
        .try_get::<Option<String>, _>("reply_mode")
        .ctx(op)?
        .map(|m| m.parse::<ReplyMode>().map_err(corrupt))
        .transpose()?;
    let tip_hour = row
        .try_get::<Option<i16>, _>("tip_hour")
        .ctx(op)?
        .map(|h| u8::try_from(h).map_err(|_| corrupt(format!("tip hour {h}"))))
        .transpose()?;
    let suggestion_cap = row
        .try_get::<Option<i64>, _>("suggestion_cap")
        .ctx(op)?
        .map(|c| u32::try_from(c).map_err(|_| corrupt(format!("suggestion cap {c}"))))
        .transpose()?;
    Ok(GuildSettings {
        guild_id: from_db_id(row.try_get("guild_id").ctx(op)?),
        mentoring_channel_id: id("mentoring_channel_id")?,
        prefix: row.try_get("prefix").ctx(op)?,
        reply_mode,
        tip_channel_id: id("tip_channel_id")?,
        tip_cadence: row.try_get("tip_cadence").ctx(op)?,
        tip_hour,
        tip_timezone: row.try_get("tip_timezone").ctx(op)?,
        suggestion_cap,
    })
}
