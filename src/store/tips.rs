//! The `tip_state` and `channel_activity` tables: where each server is in its tip rotation,
//! and when members last spoke in a channel.
//!
//! [`TipState`] is read and saved whole by the tip scheduler; the core decides what is due.
//! [`Store::mark_activity`] keeps only the latest member message time per channel, so a tip is
//! posted only into a channel that has been active since the last one.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{db_id, db_list, db_time, from_db_list, from_db_time, Context, Store, StoreError};

/// One server's tip rotation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TipState {
    /// The server.
    pub guild_id: u64,
    /// When the next scheduled tip is due, if scheduled.
    pub next_due: Option<DateTime<Utc>>,
    /// Tip ids already shown in the current rotation, in order.
    pub shown: Vec<String>,
    /// When a tip was last posted.
    pub last_posted_at: Option<DateTime<Utc>>,
}

impl Store {
    /// The server's tip rotation; empty (nothing due, nothing shown) if never saved.
    pub async fn tip_state(&self, guild_id: u64) -> Result<TipState, StoreError> {
        const OP: &str = "reading tip state";
        let row = sqlx::query(
            "SELECT next_due, shown, last_posted_at FROM tip_state WHERE guild_id = $1",
        )
        .bind(db_id(guild_id))
        .fetch_optional(&self.pool)
        .await
        .ctx(OP)?;
        let Some(row) = row else {
            return Ok(TipState {
                guild_id,
                ..TipState::default()
            });
        };
        let time = |col: &str| -> Result<Option<DateTime<Utc>>, StoreError> {
            row.try_get::<Option<i64>, _>(col)
                .ctx(OP)?
                .map(|t| from_db_time(t, OP))
                .transpose()
        };
        let shown: String = row.try_get("shown").ctx(OP)?;
        Ok(TipState {
            guild_id,
            next_due: time("next_due")?,
            shown: from_db_list(&shown, OP)?,
            last_posted_at: time("last_posted_at")?,
        })
    }

    /// Saves the server's tip rotation whole.
    pub async fn save_tip_state(&self, state: &TipState) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO tip_state (guild_id, next_due, shown, last_posted_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (guild_id) DO UPDATE SET \
             next_due = excluded.next_due, shown = excluded.shown, \
             last_posted_at = excluded.last_posted_at",
        )
        .bind(db_id(state.guild_id))
        .bind(state.next_due.map(db_time))
        .bind(db_list(&state.shown))
        .bind(state.last_posted_at.map(db_time))
        .execute(&self.pool)
        .await
        .ctx("saving tip state")?;
        Ok(())
    }

    /// Saves the server's next tip rotation only if its due time is still `expected_next_due`
    /// (what the caller read): returns whether this caller took the slot. Two schedulers that
    /// decided on the same slot (processes whose shard ranges overlap by mistake) can never
    /// both post it.
    pub async fn advance_tip_state(
        &self,
        state: &TipState,
        expected_next_due: Option<DateTime<Utc>>,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO tip_state (guild_id, next_due, shown, last_posted_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (guild_id) DO UPDATE SET \
             next_due = excluded.next_due, shown = excluded.shown, \
             last_posted_at = excluded.last_posted_at \
             WHERE tip_state.next_due IS NOT DISTINCT FROM $5",
        )
        .bind(db_id(state.guild_id))
        .bind(state.next_due.map(db_time))
        .bind(db_list(&state.shown))
        .bind(state.last_posted_at.map(db_time))
        .bind(expected_next_due.map(db_time))
        .execute(&self.pool)
        .await
        .ctx("advancing tip state")?;
        Ok(done.rows_affected() == 1)
    }

    /// Notes a member message in the channel at `at`; an older time never replaces a newer one.
    pub async fn mark_activity(
        &self,
        guild_id: u64,
        channel_id: u64,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO channel_activity (guild_id, channel_id, last_message_at) \
             VALUES ($1, $2, $3) ON CONFLICT (guild_id, channel_id) DO UPDATE SET \
             last_message_at = CASE \
                 WHEN excluded.last_message_at > channel_activity.last_message_at \
                 THEN excluded.last_message_at ELSE channel_activity.last_message_at END",
        )
        .bind(db_id(guild_id))
        .bind(db_id(channel_id))
        .bind(db_time(at))
        .execute(&self.pool)
        .await
        .ctx("noting channel activity")?;
        Ok(())
    }

    /// When a member last wrote in the channel, if we saw it.
    pub async fn last_activity(
        &self,
        guild_id: u64,
        channel_id: u64,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        const OP: &str = "reading channel activity";
        let at: Option<i64> = sqlx::query_scalar(
            "SELECT last_message_at FROM channel_activity WHERE guild_id = $1 AND channel_id = $2",
        )
        .bind(db_id(guild_id))
        .bind(db_id(channel_id))
        .fetch_optional(&self.pool)
        .await
        .ctx(OP)?;
        at.map(|t| from_db_time(t, OP)).transpose()
    }
}
