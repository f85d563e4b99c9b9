//! The repository: one [`Store`] over one SQL database, with plain types in and out.
//!
//! [`Store::open`] connects (SQLite by default, in one file), and applies the migrations in
//! `migrations/` at start-up. Each table has its own file with the `impl Store` methods for it:
//! [`profiles`] (member profiles and their path-token index for the peer query),
//! [`suggestions`] (who was suggested when, for the weekly cap), [`settings`] (per-server
//! [`GuildSettings`]), [`coaching`] (DM coaching state per user), [`stats`] (anonymous weekly
//! review and check-failure counts) and [`tips`] (tip rotation [`TipState`] and channel
//! activity). Every failure is a [`StoreError`] naming the operation. The SQL is portable to
//! PostgreSQL: `$n` placeholders, `ON CONFLICT ... DO UPDATE`, BIGINT ids (u64 snowflakes cast
//! to i64), instants as unix seconds and dates as ISO text.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use thiserror::Error;

pub mod coaching;
pub mod outcomes;
pub mod profiles;
pub mod settings;
pub mod stats;
pub mod suggestions;
pub mod tips;

pub use settings::{GuildSettings, ReplyMode};
pub use stats::{CountBatch, WeekStats};
pub use tips::TipState;

/// The database the app uses when none is configured.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/coffee-coach.db";

/// How long a connection waits for a lock held by another before giving up: short enough that
/// the member still gets a "try again" within Discord's 3 s deadline.
const BUSY_TIMEOUT: Duration = Duration::from_millis(2000);

/// What went wrong in the store. The messages are for the operator's log, not for members.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The database URL could not be understood.
    #[error("invalid database url {url:?}")]
    Url {
        /// The URL as given.
        url: String,
        /// Why.
        #[source]
        source: sqlx::Error,
    },
    /// The folder for the database file could not be created.
    #[error("could not create the database folder {}", path.display())]
    CreateDir {
        /// The folder.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The migrations could not be applied.
    #[error("could not apply the database migrations")]
    Migrate(#[source] sqlx::migrate::MigrateError),
    /// A query failed.
    #[error("database error while {op}")]
    Sql {
        /// What the store was doing ("saving a profile").
        op: &'static str,
        /// The database's error.
        #[source]
        source: sqlx::Error,
    },
    /// A stored value could not be read back (a bug or a hand-edited database).
    #[error("unreadable stored value while {op}: {detail}")]
    Corrupt {
        /// What the store was doing.
        op: &'static str,
        /// What was wrong.
        detail: String,
    },
}

/// Adds the operation's name to a sqlx error.
pub(crate) trait Context<T> {
    fn ctx(self, op: &'static str) -> Result<T, StoreError>;
}

impl<T> Context<T> for Result<T, sqlx::Error> {
    fn ctx(self, op: &'static str) -> Result<T, StoreError> {
        self.map_err(|source| StoreError::Sql { op, source })
    }
}

impl Store {
    /// Whether the store answers a trivial query (for `/healthz`).
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .ctx("checking the store")?;
        Ok(())
    }
}

/// The one repository type; cheap to clone (it holds a connection pool).
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
}

impl Store {
    /// Opens (creating if missing) the database at `url`, e.g. [`DEFAULT_DATABASE_URL`], and
    /// applies pending migrations. For a file database the parent folder is created; the
    /// journal is WAL with `synchronous = FULL`, so a write we acknowledged survives a crash or
    /// power loss; foreign keys are on and a busy connection waits up to 5 s.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        let options = SqliteConnectOptions::from_str(url).map_err(|source| StoreError::Url {
            url: url.to_string(),
            source,
        })?;
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        if !in_memory {
            create_parent(options.get_filename()).await?;
        }
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        let pool_options = if in_memory {
            // An in-memory database lives as long as one of its connections: keep exactly one.
            SqlitePoolOptions::new()
                .min_connections(1)
                .max_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
        } else {
            SqlitePoolOptions::new().max_connections(4)
        };
        let pool = pool_options
            .connect_with(options)
            .await
            .ctx("opening the database")?;
        let store = Store { pool };
        store.migrate().await?;
        Ok(store)
    }

    /// Opens the database file at `path` (created if missing), as [`Store::open`] does.
    pub async fn open_file(path: &Path) -> Result<Store, StoreError> {
        Store::open(&format!("sqlite://{}", path.display())).await
    }

    /// A fresh, private in-memory database with the schema applied, for tests.
    pub async fn open_in_memory() -> Result<Store, StoreError> {
        Store::open("sqlite::memory:").await
    }

    /// Waits for queries in flight, then closes every connection (and checkpoints the WAL).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        sqlx::migrate!()
            .run(&self.pool)
            .await
            .map_err(StoreError::Migrate)?;
        self.refresh_path_tokens().await
    }
}

async fn create_parent(file: &Path) -> Result<(), StoreError> {
    let Some(parent) = file.parent() else {
        return Ok(());
    };
    if parent.as_os_str().is_empty() {
        return Ok(());
    }
    tokio::fs::create_dir_all(parent)
        .await
        .map_err(|source| StoreError::CreateDir {
            path: parent.to_path_buf(),
            source,
        })
}

/// A snowflake as the database stores it. Discord ids fit in 63 bits, so this is lossless.
pub(crate) fn db_id(id: u64) -> i64 {
    id as i64
}

/// A snowflake back from the database.
pub(crate) fn from_db_id(id: i64) -> u64 {
    id as u64
}

/// An instant as the database stores it: unix seconds.
pub(crate) fn db_time(at: DateTime<Utc>) -> i64 {
    at.timestamp()
}

/// An instant back from the database.
pub(crate) fn from_db_time(secs: i64, op: &'static str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp(secs, 0).ok_or_else(|| StoreError::Corrupt {
        op,
        detail: format!("timestamp {secs} out of range"),
    })
}

/// A calendar date as the database stores it: ISO text.
pub(crate) fn db_date(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// A calendar date back from the database.
pub(crate) fn from_db_date(text: &str, op: &'static str) -> Result<NaiveDate, StoreError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|e| StoreError::Corrupt {
        op,
        detail: format!("date {text:?}: {e}"),
    })
}

/// A list of strings as the database stores it: a JSON array.
pub(crate) fn db_list(items: &[String]) -> String {
    // Serialising a slice of strings cannot fail; fall back to an empty list all the same.
    serde_json::to_string(items).unwrap_or_else(|_| "[]".to_string())
}

/// A list of strings back from the database.
pub(crate) fn from_db_list(text: &str, op: &'static str) -> Result<Vec<String>, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt {
        op,
        detail: format!("list {text:?}: {e}"),
    })
}
