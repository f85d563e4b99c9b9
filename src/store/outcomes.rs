//! The `follow_ups` and `outcomes` tables: "ask me in a week how it went", and the answers.
//!
//! A [`FollowUp`] is a stored, scheduled job: it survives restarts, is claimed before its DM is
//! sent (so it goes out once), and holds the member id only until the member answers. Then
//! one `outcomes` row keeps the server, the week, the checks' statuses, whether the better
//! phrasing was used and the answer, and the follow-up (with the member id) is deleted. Never
//! the draft or the recipient.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::any::AnyRow;
use sqlx::Row;

/// The columns [`follow_up`] reads.
const FOLLOW_UP_COLUMNS: &str = "id, user_id, guild_id, week_start, statuses, \
     CAST(used_phrasing AS INTEGER) AS used_phrasing, due_at, asked";

use super::{
    db_date, db_id, db_time, flag, from_db_date, from_db_id, from_db_time, Context, Store,
    StoreError,
};
use crate::core::outcomes::{Outcome, Record};
use crate::core::review::Status;

/// How many times a member is asked at most ("no reply yet" asks once more).
pub const MAX_ASKS: i64 = 2;

/// A follow-up a member asked for under a review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUp {
    /// The review's key: the id in the buttons of the review and of the DM.
    pub id: u64,
    pub user_id: u64,
    /// The server of the review; `None` in DMs and user installs (then it counts nowhere).
    pub guild_id: Option<u64>,
    pub week_start: NaiveDate,
    /// Check id and status, as the review found them.
    pub statuses: Vec<(String, Status)>,
    pub used_phrasing: bool,
    /// When to ask.
    pub due_at: DateTime<Utc>,
    /// DMs sent so far.
    pub asked: i64,
}

impl Store {
    /// Saves a follow-up; asking twice under the same review keeps the first.
    pub async fn add_follow_up(&self, f: &FollowUp) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO follow_ups (id, user_id, guild_id, week_start, statuses, used_phrasing, \
             due_at, asked, sent_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(db_id(f.id))
        .bind(db_id(f.user_id))
        .bind(f.guild_id.map(db_id))
        .bind(db_date(f.week_start))
        .bind(db_statuses(&f.statuses))
        .bind(f.used_phrasing)
        .bind(db_time(f.due_at))
        .bind(f.asked)
        .execute(&self.pool)
        .await
        .ctx("saving a follow-up")?;
        Ok(())
    }

    /// Notes that the member will use the better phrasing of review `id`, if they asked to be
    /// followed up on it. Returns whether there was such a follow-up.
    pub async fn mark_phrasing_used(&self, id: u64, user_id: u64) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE follow_ups SET used_phrasing = TRUE WHERE id = $1 AND user_id = $2",
        )
        .bind(db_id(id))
        .bind(db_id(user_id))
        .execute(&self.pool)
        .await
        .ctx("noting the better phrasing was used")?;
        Ok(done.rows_affected() > 0)
    }

    /// Claims every follow-up due at `now` whose DM has not gone out: one statement marks them
    /// sent and returns them, so two rounds (or two processes) never send the same one.
    pub async fn claim_due_follow_ups(
        &self,
        now: DateTime<Utc>,
    ) -> Result<Vec<FollowUp>, StoreError> {
        const OP: &str = "claiming due follow-ups";
        let rows = sqlx::query(&format!(
            "UPDATE follow_ups SET sent_at = $1, asked = asked + 1 \
             WHERE due_at <= $1 AND sent_at IS NULL RETURNING {FOLLOW_UP_COLUMNS}"
        ))
        .bind(db_time(now))
        .fetch_all(&self.pool)
        .await
        .ctx(OP)?;
        let mut claimed = rows
            .iter()
            .map(|row| follow_up(row, OP))
            .collect::<Result<Vec<_>, _>>()?;
        claimed.sort_by_key(|f| f.due_at);
        Ok(claimed)
    }

    /// Gives a claimed follow-up back when its DM could not be sent, to try again at `retry_at`.
    pub async fn unclaim_follow_up(
        &self,
        id: u64,
        retry_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE follow_ups SET sent_at = NULL, asked = asked - 1, due_at = $1 WHERE id = $2",
        )
        .bind(db_time(retry_at))
        .bind(db_id(id))
        .execute(&self.pool)
        .await
        .ctx("returning a follow-up")?;
        Ok(())
    }

    /// "No reply yet": asks again at `due_at` if the member was asked fewer than
    /// [`MAX_ASKS`] times. Returns whether it will ask again.
    pub async fn ask_again(
        &self,
        id: u64,
        user_id: u64,
        due_at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE follow_ups SET due_at = $1, sent_at = NULL \
             WHERE id = $2 AND user_id = $3 AND asked < $4",
        )
        .bind(db_time(due_at))
        .bind(db_id(id))
        .bind(db_id(user_id))
        .bind(MAX_ASKS)
        .execute(&self.pool)
        .await
        .ctx("scheduling a follow-up again")?;
        Ok(done.rows_affected() > 0)
    }

    /// Records the member's answer to follow-up `id` without the member id and deletes the
    /// follow-up, in one transaction. Returns `false` when there was no such follow-up of
    /// theirs (already answered, or deleted).
    pub async fn answer_follow_up(
        &self,
        id: u64,
        user_id: u64,
        outcome: Outcome,
    ) -> Result<bool, StoreError> {
        const OP: &str = "saving an outcome";
        let mut tx = self.pool.begin().await.ctx(OP)?;
        // Deleting first takes the write lock before anything is read (SQLite), and makes a
        // double click answer once (PostgreSQL's row lock).
        let row = sqlx::query(&format!(
            "DELETE FROM follow_ups WHERE id = $1 AND user_id = $2 RETURNING {FOLLOW_UP_COLUMNS}"
        ))
        .bind(db_id(id))
        .bind(db_id(user_id))
        .fetch_optional(&mut *tx)
        .await
        .ctx(OP)?;
        let Some(row) = row else {
            return Ok(false);
        };
        let f = follow_up(&row, OP)?;
        sqlx::query(
            "INSERT INTO outcomes (guild_id, week_start, statuses, used_phrasing, outcome) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(f.guild_id.map(db_id))
        .bind(db_date(f.week_start))
        .bind(db_statuses(&f.statuses))
        .bind(f.used_phrasing)
        .bind(outcome.as_str())
        .execute(&mut *tx)
        .await
        .ctx(OP)?;
        tx.commit().await.ctx(OP)?;
        Ok(true)
    }

    /// Deletes every pending follow-up of the member ("stop asking me", `/profile delete`).
    pub async fn delete_follow_ups(&self, user_id: u64) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM follow_ups WHERE user_id = $1")
            .bind(db_id(user_id))
            .execute(&self.pool)
            .await
            .ctx("deleting follow-ups")?;
        Ok(())
    }

    /// The member's pending follow-ups (for tests and `/profile show`).
    pub async fn follow_ups_of(&self, user_id: u64) -> Result<Vec<FollowUp>, StoreError> {
        const OP: &str = "reading follow-ups";
        let rows = sqlx::query(&format!(
            "SELECT {FOLLOW_UP_COLUMNS} FROM follow_ups WHERE user_id = $1 ORDER BY due_at"
        ))
        .bind(db_id(user_id))
        .fetch_all(&self.pool)
        .await
        .ctx(OP)?;
        rows.iter().map(|r| follow_up(r, OP)).collect()
    }

    /// Every answered outcome of the server.
    pub async fn outcomes(&self, guild_id: u64) -> Result<Vec<Record>, StoreError> {
        const OP: &str = "reading outcomes";
        let rows = sqlx::query(
            "SELECT statuses, CAST(used_phrasing AS INTEGER) AS used_phrasing, outcome FROM outcomes \
             WHERE guild_id = $1",
        )
        .bind(db_id(guild_id))
        .fetch_all(&self.pool)
        .await
        .ctx(OP)?;
        rows.iter()
            .map(|row| {
                let outcome: String = row.try_get("outcome").ctx(OP)?;
                Ok(Record {
                    statuses: from_db_statuses(&row.try_get::<String, _>("statuses").ctx(OP)?, OP)?,
                    used_phrasing: flag(row, "used_phrasing", OP)?,
                    outcome: Outcome::parse(&outcome).ok_or_else(|| StoreError::Corrupt {
                        op: OP,
                        detail: format!("outcome {outcome:?}"),
                    })?,
                })
            })
            .collect()
    }
}

fn follow_up(row: &AnyRow, op: &'static str) -> Result<FollowUp, StoreError> {
    Ok(FollowUp {
        id: from_db_id(row.try_get("id").ctx(op)?),
        user_id: from_db_id(row.try_get("user_id").ctx(op)?),
        guild_id: row
            .try_get::<Option<i64>, _>("guild_id")
            .ctx(op)?
            .map(from_db_id),
        week_start: from_db_date(&row.try_get::<String, _>("week_start").ctx(op)?, op)?,
        statuses: from_db_statuses(&row.try_get::<String, _>("statuses").ctx(op)?, op)?,
        used_phrasing: flag(row, "used_phrasing", op)?,
        due_at: from_db_time(row.try_get("due_at").ctx(op)?, op)?,
        asked: row.try_get("asked").ctx(op)?,
    })
}

/// Statuses as the database stores them: a JSON object of check id to status.
fn db_statuses(statuses: &[(String, Status)]) -> String {
    let map: serde_json::Map<String, serde_json::Value> = statuses
        .iter()
        .map(|(id, s)| (id.clone(), s.as_str().into()))
        .collect();
    serde_json::Value::Object(map).to_string()
}

fn from_db_statuses(text: &str, op: &'static str) -> Result<Vec<(String, Status)>, StoreError> {
    let corrupt = |detail: String| StoreError::Corrupt { op, detail };
    let map: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(text).map_err(|e| corrupt(format!("statuses {text:?}: {e}")))?;
    map.into_iter()
        .map(|(id, v)| {
            let status = v
                .as_str()
                .and_then(Status::parse)
                .ok_or_else(|| corrupt(format!("status {v} of {id}")))?;
            Ok((id, status))
        })
        .collect()
}
