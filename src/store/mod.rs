//! The repository: one [`Store`] over one SQL database, with plain types in and out.
//!
//! [`Store::open`] connects to SQLite (the default, one file) or PostgreSQL (several processes
//! on several machines), picked by the URL's scheme, through sqlx's `Any` driver: the same
//! queries run on both. It applies the migrations in `migrations/` at start-up. Each table
//! has its own file with the `impl Store` methods for it: [`profiles`] (member profiles and
//! their path-token index for the peer query), [`suggestions`] (who was suggested when, for
//! the weekly cap), [`settings`] (per-server [`GuildSettings`]), [`coaching`] (DM coaching
//! state per user), [`stats`] (anonymous weekly review and check-failure counts), [`tips`]
//! (tip rotation [`TipState`] and channel activity), [`outcomes`] (follow-ups and their
//! answers) and [`changes`] (what other processes must hear). Every failure is a
//! [`StoreError`] naming the operation. The SQL is written once for both: `$n` placeholders,
//! `ON CONFLICT ... DO UPDATE`, BIGINT ids (u64 snowflakes cast to i64), instants as unix
//! seconds, dates as ISO text, and BOOLEAN columns read through `CAST(... AS INTEGER)` (the
//! `Any` driver cannot read SQLite's BOOLEAN declared type).
//!
//! On PostgreSQL every change another process must see (a profile, a server's settings) is
//! announced with `NOTIFY` on [`CHANGES_CHANNEL`] in the transaction that makes it; see
//! [`changes`].

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::any::AnyRow;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Executor, Row};
use thiserror::Error;

pub mod changes;
pub mod coaching;
pub mod outcomes;
pub mod profiles;
pub mod settings;
pub mod stats;
pub mod suggestions;
pub mod tips;

pub use changes::{Change, Changes, CHANGES_CHANNEL};
pub use settings::{GuildSettings, ReplyMode};
pub use stats::{CountBatch, WeekStats};
pub use tips::TipState;

/// The database the app uses when none is configured.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/coffee-coach.db";

/// How many connections a pool opens when `config/bot.toml` does not say.
pub const DEFAULT_POOL_SIZE: u32 = 4;

/// Which database a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// One file (or memory), one process.
    Sqlite,
    /// A server that several processes share.
    Postgres,
}

impl Backend {
    /// The backend a database URL names, by its scheme.
    pub fn of(url: &str) -> Option<Backend> {
        let scheme = url.split(':').next()?;
        match scheme {
            "sqlite" => Some(Backend::Sqlite),
            "postgres" | "postgresql" => Some(Backend::Postgres),
            _ => None,
        }
    }
}

/// What went wrong in the store. The messages are for the operator's log, not for members.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The database URL could not be understood. The URL itself is not shown: it may hold a
    /// password.
    #[error("invalid database url (expected sqlite://FILE or postgres://HOST/DB): {reason}")]
    Url {
        /// Why.
        reason: String,
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

/// The one repository type; cheap to clone (it holds a connection pool). Its `Debug` shows the
/// backend only: the URL may hold a password.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// The URL, kept to open the `LISTEN` connection of [`Store::changes`].
    url: Arc<str>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens the database at `url` with [`DEFAULT_POOL_SIZE`] connections; see
    /// [`Store::open_with`].
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        Store::open_with(url, DEFAULT_POOL_SIZE).await
    }

    /// Opens (creating if missing) the database at `url`, e.g. [`DEFAULT_DATABASE_URL`] or
    /// `postgres://user@host/db`, with at most `pool_size` connections, and applies pending
    /// migrations. For a SQLite file the parent folder is created; the journal is WAL with
    /// `synchronous = FULL`, so a write we acknowledged survives a crash or power loss; foreign
    /// keys are on and a busy connection waits up to 2 s. PostgreSQL is durable on commit.
    pub async fn open_with(url: &str, pool_size: u32) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::of(url).ok_or_else(|| StoreError::Url {
            reason: "unknown scheme".to_string(),
        })?;
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        let url = match backend {
            Backend::Sqlite if !in_memory => {
                create_parent(Path::new(sqlite_path(url))).await?;
                with_create_mode(url)
            }
            _ => url.to_string(),
        };
        let options = AnyConnectOptions::from_str(&url)
            .map_err(|e| StoreError::Url {
                reason: e.to_string(),
            })?
            // Statements are logged at debug level only, and never with their arguments.
            .log_statements(tracing::log::LevelFilter::Debug);
        let pool_options = if in_memory {
            // An in-memory database lives as long as one of its connections: keep exactly one.
            AnyPoolOptions::new()
                .min_connections(1)
                .max_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
        } else {
            AnyPoolOptions::new().max_connections(pool_size.max(1))
        };
        let pool = pool_options
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        conn.execute(SQLITE_PRAGMAS).await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .ctx("opening the database")?;
        let store = Store {
            pool,
            backend,
            url: url.into(),
        };
        store.migrate().await?;
        Ok(store)
    }

    /// Which database this store talks to.
    pub fn backend(&self) -> Backend {
        self.backend
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

/// What every SQLite connection sets before its first query (see [`Store::open_with`]). A
/// connection waits up to 2 s for a lock held by another: short enough that the member still
/// gets a "try again" within Discord's 3 s deadline.
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 2000;";

/// The file of a `sqlite://FILE?params` URL.
fn sqlite_path(url: &str) -> &str {
    let rest = url.trim_start_matches("sqlite:").trim_start_matches("//");
    rest.split('?').next().unwrap_or(rest)
}

/// The URL with `mode=rwc` (create the file if missing) unless it names a mode already.
fn with_create_mode(url: &str) -> String {
    if url.contains("mode=") {
        url.to_string()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
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

/// A BOOLEAN column selected as `CAST(col AS INTEGER) AS col`, which every backend can read
/// through `Any`.
pub(crate) fn flag(row: &AnyRow, column: &str, op: &'static str) -> Result<bool, StoreError> {
    Ok(row.try_get::<i64, _>(column).ctx(op)? != 0)
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
