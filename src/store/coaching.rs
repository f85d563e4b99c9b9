//! The `coaching` table: the state of a DM coaching conversation, per user, until it ends.
//!
//! The state is opaque JSON written by `core::coach`; the store only keeps it with the time it
//! was saved, so a restart resumes the conversation and stale ones can be purged.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{db_id, db_time, from_db_time, Context, Store, StoreError};

impl Store {
    /// Saves (or replaces) the user's coaching state.
    pub async fn save_coaching(
        &self,
        user_id: u64,
        state_json: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO coaching (user_id, state, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id) DO UPDATE SET state = excluded.state, \
             updated_at = excluded.updated_at",
        )
        .bind(db_id(user_id))
        .bind(state_json)
        .bind(db_time(now))
        .execute(&self.pool)
        .await
        .ctx("saving coaching state")?;
        Ok(())
    }

    /// The user's coaching state and when it was saved, if a conversation is open.
    pub async fn coaching(
        &self,
        user_id: u64,
    ) -> Result<Option<(String, DateTime<Utc>)>, StoreError> {
        const OP: &str = "reading coaching state";
        let row = sqlx::query("SELECT state, updated_at FROM coaching WHERE user_id = $1")
            .bind(db_id(user_id))
            .fetch_optional(&self.pool)
            .await
            .ctx(OP)?;
        match row {
            None => Ok(None),
            Some(row) => {
                let state: String = row.try_get("state").ctx(OP)?;
                let at = from_db_time(row.try_get("updated_at").ctx(OP)?, OP)?;
                Ok(Some((state, at)))
            }
        }
    }

    /// Ends the user's coaching conversation (no-op when there is none).
    pub async fn delete_coaching(&self, user_id: u64) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM coaching WHERE user_id = $1")
            .bind(db_id(user_id))
            .execute(&self.pool)
            .await
            .ctx("deleting coaching state")?;
        Ok(())
    }

    /// Deletes conversations last saved before `cutoff`; returns how many.
    pub async fn purge_coaching_older_than(
        &self,
        cutoff: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM coaching WHERE updated_at < $1")
            .bind(db_time(cutoff))
            .execute(&self.pool)
            .await
            .ctx("purging old coaching state")?;
        Ok(done.rows_affected())
    }
}
