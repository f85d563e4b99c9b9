//! The `suggestion_log` table: who was suggested to whom, and when, for the weekly cap.
//!
//! [`Store::record_suggestions`] logs the peers shown to a seeker (and prunes that server's rows
//! older than [`RETENTION_DAYS`]); [`Store::recent_suggestion_counts`] tells `peers::suggest` how
//! many different members each peer was shown to since a moment.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use sqlx::Row;

use super::{db_id, db_time, from_db_id, Context, Store, StoreError};

/// How long suggestion rows are kept; the cap window is far shorter.
pub const RETENTION_DAYS: i64 = 30;

impl Store {
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
            .execute(&mut *tx)
            .await
            .ctx(OP)?;
        }
        sqlx::query("DELETE FROM suggestion_log WHERE guild_id = $1 AND suggested_at < $2")
            .bind(db_id(guild_id))
            .bind(db_time(now - Duration::days(RETENTION_DAYS)))
            .execute(&mut *tx)
            .await
            .ctx(OP)?;
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
        let rows = sqlx::query(
            "SELECT suggested_id, COUNT(DISTINCT seeker_id) AS n FROM suggestion_log \
             WHERE guild_id = $1 AND suggested_at >= $2 GROUP BY suggested_id",
        )
        .bind(db_id(guild_id))
        .bind(db_time(since))
        .fetch_all(&self.pool)
        .await
        .ctx(OP)?;
        rows.iter()
            .map(|row| {
                let id: i64 = row.try_get("suggested_id").ctx(OP)?;
                let n: i64 = row.try_get("n").ctx(OP)?;
                Ok((from_db_id(id), u32::try_from(n).unwrap_or(u32::MAX)))
            })
            .collect()
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
