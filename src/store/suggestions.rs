//! The `suggestion_log` table: who was suggested to whom, and when, for the weekly cap.
//!
//! [`Store::suggest_within_cap`] is the one way `/peers` suggests: in one transaction it takes
//! the server's row of `suggestion_guard` (so processes suggesting at once take turns), reads
//! how many different members each peer was shown to since a moment, lets the caller pick,
//! and logs the picks (pruning that server's rows older than [`RETENTION_DAYS`]). Two
//! processes can never both show a member past the cap.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use sqlx::{AnyConnection, Row};

use crate::core::peers::Suggestion;

use super::{db_id, db_time, from_db_id, Context, Store, StoreError};

/// How long suggestion rows are kept; the cap window is far shorter.
pub const RETENTION_DAYS: i64 = 30;

impl Store {
    /// Decides and counts in one transaction: `pick` gets, for each member suggested in the
    /// server since `since`, to how many different seekers (see
    /// [`Store::recent_suggestion_counts`]), and returns the suggestions; they are logged as
    /// shown to `seeker_id` at `now` before the transaction commits. Concurrent callers for the
    /// same server wait for each other.
    pub async fn suggest_within_cap(
        &self,
        guild_id: u64,
        seeker_id: u64,
        since: DateTime<Utc>,
        now: DateTime<Utc>,
        pick: impl FnOnce(&HashMap<u64, u32>) -> Vec<Suggestion>,
    ) -> Result<Vec<Suggestion>, StoreError> {
        const OP: &str = "suggesting peers";
        let mut tx = self.pool.begin().await.ctx(OP)?;
        // Writing first takes the lock before anything is read: a row lock on PostgreSQL, the
        // database's write lock on SQLite.
        sqlx::query(
            "INSERT INTO suggestion_guard (guild_id, rounds) VALUES ($1, 1) \
             ON CONFLICT (guild_id) DO UPDATE SET rounds = suggestion_guard.rounds + 1",
        )
        .bind(db_id(guild_id))
        .execute(&mut *tx)
        .await
        .ctx(OP)?;
        let recent = suggestion_counts(&mut tx, guild_id, since, OP).await?;
        let chosen = pick(&recent);
        let ids: Vec<u64> = chosen.iter().map(|s| s.user_id).collect();
        log_suggestions(&mut tx, guild_id, seeker_id, &ids, now, OP).await?;
        tx.commit().await.ctx(OP)?;
        Ok(chosen)
    }

    /// Logs that `suggested` were shown to `seeker` at `now`, and prunes this server's rows
    /// older than [`RETENTION_DAYS`] (an indexed delete, cheap enough to do every time).
    pub async fn record_suggestions(
        &self,
        guild_id: u64,
        seeker_id: u64,
        suggested: &[u64],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        const OP: &str = "recording suggestions";
        let mut tx = self.pool.begin().await.ctx(OP)?;
        log_suggestions(&mut tx, guild_id, seeker_id, suggested, now, OP).await?;
        tx.commit().await.ctx(OP)
    }

    /// For each member suggested in the server since `since`, to how many different seekers.
    /// A seeker who runs `/peers` five times counts once: the cap protects the suggested
    /// member from many askers, not from one curious one.
    pub async fn recent_suggestion_counts(
        &self,
        guild_id: u64,
        since: DateTime<Utc>,
    ) -> Result<HashMap<u64, u32>, StoreError> {
        const OP: &str = "counting recent suggestions";
        let mut conn = self.pool.acquire().await.ctx(OP)?;
        suggestion_counts(&mut conn, guild_id, since, OP).await
    }

    /// Deletes every suggestion row older than `cutoff`, in every server; returns how many.
    pub async fn prune_suggestions(&self, cutoff: DateTime<Utc>) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM suggestion_log WHERE suggested_at < $1")
            .bind(db_time(cutoff))
            .execute(&self.pool)
            .await
            .ctx("pruning old suggestions")?;
        Ok(done.rows_affected())
    }
}

async fn suggestion_counts(
    conn: &mut AnyConnection,
    guild_id: u64,
    since: DateTime<Utc>,
    op: &'static str,
) -> Result<HashMap<u64, u32>, StoreError> {
    let rows = sqlx::query(
        "SELECT suggested_id, COUNT(DISTINCT seeker_id) AS n FROM suggestion_log \
         WHERE guild_id = $1 AND suggested_at >= $2 GROUP BY suggested_id",
    )
    .bind(db_id(guild_id))
    .bind(db_time(since))
    .fetch_all(&mut *conn)
    .await
    .ctx(op)?;
    rows.iter()
        .map(|row| {
            let id: i64 = row.try_get("suggested_id").ctx(op)?;
            let n: i64 = row.try_get("n").ctx(op)?;
            Ok((from_db_id(id), u32::try_from(n).unwrap_or(u32::MAX)))
        })
        .collect()
}

async fn log_suggestions(
    conn: &mut AnyConnection,
    guild_id: u64,
    seeker_id: u64,
    suggested: &[u64],
    now: DateTime<Utc>,
    op: &'static str,
) -> Result<(), StoreError> {
    for &user in suggested {
        sqlx::query(
            "INSERT INTO suggestion_log (guild_id, suggested_id, seeker_id, suggested_at) \
             VALUES ($1, $2, $3, $4) \
             ON CONFLICT (guild_id, suggested_id, seeker_id, suggested_at) DO NOTHING",
        )
        .bind(db_id(guild_id))
        .bind(db_id(user))
        .bind(db_id(seeker_id))
        .bind(db_time(now))
        .execute(&mut *conn)
        .await
        .ctx(op)?;
    }
    sqlx::query("DELETE FROM suggestion_log WHERE guild_id = $1 AND suggested_at < $2")
        .bind(db_id(guild_id))
        .bind(db_time(now - Duration::days(RETENTION_DAYS)))
        .execute(&mut *conn)
        .await
        .ctx(op)?;
    Ok(())
}
