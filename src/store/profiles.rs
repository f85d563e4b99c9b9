//! The `profiles` table and its `profile_tokens` index: member [`Profile`]s per server.
//!
//! Saving a profile also rewrites its path tokens ([`peers::profile_path_tokens`]) in the same
//! transaction, so [`Store::peer_candidates_matching`] can fetch only the profiles that share a
//! token with the seeker's goal. [`Store::delete_member`] forgets a member entirely.

use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use super::{
    db_date, db_id, db_list, db_time, flag, from_db_date, from_db_id, from_db_list, from_db_time,
    Change, Context, Store, StoreError,
};
use crate::core::peers::{self, CandidateQuery, PATH_TOKENS_VERSION};
use crate::core::profile::{Profile, Stage};

const COLUMNS: &str = "guild_id, user_id, role, field, stage, move_from, move_to, moved_on, \
                       topics, can_help_with, CAST(open_to_coffee AS INTEGER) AS open_to_coffee, \
                       updated_at";

const UPSERT: &str = "INSERT INTO profiles (guild_id, user_id, role, field, stage, move_from, \
     move_to, moved_on, topics, can_help_with, open_to_coffee, updated_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
     ON CONFLICT (guild_id, user_id) DO UPDATE SET \
     role = excluded.role, field = excluded.field, stage = excluded.stage, \
     move_from = excluded.move_from, move_to = excluded.move_to, moved_on = excluded.moved_on, \
     topics = excluded.topics, can_help_with = excluded.can_help_with, \
     open_to_coffee = excluded.open_to_coffee, updated_at = excluded.updated_at";

const TOKENS_META_KEY: &str = "path_tokens_version";

impl Store {
    /// Saves a profile, replacing the member's previous one in that server.
    pub async fn upsert_profile(&self, profile: &Profile) -> Result<(), StoreError> {
        const OP: &str = "saving a profile";
        let mut tx = self.pool.begin().await.ctx(OP)?;
        write_profile(&mut tx, profile, OP).await?;
        self.announce(&mut tx, changed(profile), OP).await?;
        tx.commit().await.ctx(OP)
    }

    /// Saves many profiles in one transaction (imports, benchmarks).
    pub async fn upsert_profiles(&self, profiles: &[Profile]) -> Result<(), StoreError> {
        const OP: &str = "saving profiles";
        let mut tx = self.pool.begin().await.ctx(OP)?;
        for profile in profiles {
            write_profile(&mut tx, profile, OP).await?;
            self.announce(&mut tx, changed(profile), OP).await?;
        }
        tx.commit().await.ctx(OP)
    }

    /// The member's profile in that server, if they made one.
    pub async fn profile(
        &self,
        guild_id: u64,
        user_id: u64,
    ) -> Result<Option<Profile>, StoreError> {
        const OP: &str = "reading a profile";
        let sql = format!("SELECT {COLUMNS} FROM profiles WHERE guild_id = $1 AND user_id = $2");
        let row = sqlx::query(&sql)
            .bind(db_id(guild_id))
            .bind(db_id(user_id))
            .fetch_optional(&self.pool)
            .await
            .ctx(OP)?;
        row.map(|row| read_profile(&row, OP)).transpose()
    }

    /// Forgets everything about a member in one transaction: their profile and its tokens, every
    /// suggestion-log row where they were suggested or asked, and their coaching state (which is
    /// per user, so it goes whichever server they asked from).
    pub async fn delete_member(&self, guild_id: u64, user_id: u64) -> Result<(), StoreError> {
        const OP: &str = "deleting a member's data";
        let (guild, user) = (db_id(guild_id), db_id(user_id));
        let mut tx = self.pool.begin().await.ctx(OP)?;
        for sql in [
            "DELETE FROM profiles WHERE guild_id = $1 AND user_id = $2",
            "DELETE FROM profile_tokens WHERE guild_id = $1 AND user_id = $2",
            "DELETE FROM suggestion_log WHERE guild_id = $1 AND (suggested_id = $2 OR seeker_id = $2)",
        ] {
            sqlx::query(sql)
                .bind(guild)
                .bind(user)
                .execute(&mut *tx)
                .await
                .ctx(OP)?;
        }
        // The coaching conversation and pending follow-ups are the member's wherever they are.
        for sql in [
            "DELETE FROM coaching WHERE user_id = $1",
            "DELETE FROM follow_ups WHERE user_id = $1",
        ] {
            sqlx::query(sql)
                .bind(user)
                .execute(&mut *tx)
                .await
                .ctx(OP)?;
        }
        self.announce(&mut tx, Change::Profile { guild_id, user_id }, OP)
            .await?;
        tx.commit().await.ctx(OP)
    }

    /// Profiles in the server that are open to coffee, with a stage in `min_stage..=max_stage`,
    /// other than `exclude_user`, ordered by user id.
    pub async fn peer_candidates(
        &self,
        guild_id: u64,
        exclude_user: u64,
        min_stage: Stage,
        max_stage: Stage,
    ) -> Result<Vec<Profile>, StoreError> {
        const OP: &str = "reading peer candidates";
        let sql = format!(
            "SELECT {COLUMNS} FROM profiles WHERE guild_id = $1 AND open_to_coffee = $2 \
             AND stage BETWEEN $3 AND $4 AND user_id <> $5 ORDER BY user_id"
        );
        let rows = sqlx::query(&sql)
            .bind(db_id(guild_id))
            .bind(true)
            .bind(i16::from(min_stage.rank()))
            .bind(i16::from(max_stage.rank()))
            .bind(db_id(exclude_user))
            .fetch_all(&self.pool)
            .await
            .ctx(OP)?;
        rows.iter().map(|row| read_profile(row, OP)).collect()
    }

    /// As [`Store::peer_candidates`], and also sharing at least one path token with the goal:
    /// exactly the rows [`peers::score`] can accept, so `peers::suggest` over them gives the
    /// same answer as over every profile, at a fraction of the rows.
    pub async fn peer_candidates_matching(
        &self,
        query: &CandidateQuery,
    ) -> Result<Vec<Profile>, StoreError> {
        const OP: &str = "reading peer candidates";
        if query.path_tokens.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders: Vec<String> = (0..query.path_tokens.len())
            .map(|i| format!("${}", i + 6))
            .collect();
        let sql = format!(
            "SELECT {COLUMNS} FROM profiles WHERE guild_id = $1 AND open_to_coffee = $2 \
             AND stage BETWEEN $3 AND $4 AND user_id <> $5 \
             AND user_id IN (SELECT user_id FROM profile_tokens \
                             WHERE guild_id = $1 AND token IN ({})) \
             ORDER BY user_id",
            placeholders.join(", ")
        );
        let mut q = sqlx::query(&sql)
            .bind(db_id(query.guild_id))
            .bind(true)
            .bind(i16::from(query.min_stage.rank()))
            .bind(i16::from(query.max_stage.rank()))
            .bind(db_id(query.exclude_user));
        for token in &query.path_tokens {
            q = q.bind(token.as_str());
        }
        let rows = q.fetch_all(&self.pool).await.ctx(OP)?;
        rows.iter().map(|row| read_profile(row, OP)).collect()
    }

    /// Rebuilds the path-token index when [`PATH_TOKENS_VERSION`] differs from the one that
    /// built it (run at start-up; a no-op otherwise).
    pub(super) async fn refresh_path_tokens(&self) -> Result<(), StoreError> {
        const OP: &str = "rebuilding the peer token index";
        let stored: Option<String> =
            sqlx::query_scalar("SELECT meta_value FROM store_meta WHERE meta_key = $1")
                .bind(TOKENS_META_KEY)
                .fetch_optional(&self.pool)
                .await
                .ctx(OP)?;
        let current = PATH_TOKENS_VERSION.to_string();
        if stored.as_deref() == Some(current.as_str()) {
            return Ok(());
        }
        let mut tx = self.pool.begin().await.ctx(OP)?;
        sqlx::query("DELETE FROM profile_tokens")
            .execute(&mut *tx)
            .await
            .ctx(OP)?;
        let sql = format!("SELECT {COLUMNS} FROM profiles");
        let rows = sqlx::query(&sql).fetch_all(&mut *tx).await.ctx(OP)?;
        for row in &rows {
            let profile = read_profile(row, OP)?;
            write_tokens(&mut tx, &profile, OP).await?;
        }
        sqlx::query(
            "INSERT INTO store_meta (meta_key, meta_value) VALUES ($1, $2) \
             ON CONFLICT (meta_key) DO UPDATE SET meta_value = excluded.meta_value",
        )
        .bind(TOKENS_META_KEY)
        .bind(&current)
        .execute(&mut *tx)
        .await
        .ctx(OP)?;
        tx.commit().await.ctx(OP)
    }
}

async fn write_profile(
    tx: &mut Transaction<'_, Any>,
    p: &Profile,
    op: &'static str,
) -> Result<(), StoreError> {
    sqlx::query(UPSERT)
        .bind(db_id(p.guild_id))
        .bind(db_id(p.user_id))
        .bind(&p.role)
        .bind(&p.field)
        .bind(i16::from(p.stage.rank()))
        .bind(p.move_from.as_deref())
        .bind(p.move_to.as_deref())
        .bind(p.moved_on.map(db_date))
        .bind(db_list(&p.topics))
        .bind(&p.can_help_with)
        .bind(p.open_to_coffee)
        .bind(db_time(p.updated_at))
        .execute(&mut **tx)
        .await
        .ctx(op)?;
    sqlx::query("DELETE FROM profile_tokens WHERE guild_id = $1 AND user_id = $2")
        .bind(db_id(p.guild_id))
        .bind(db_id(p.user_id))
        .execute(&mut **tx)
        .await
        .ctx(op)?;
    write_tokens(tx, p, op).await
}

async fn write_tokens(
    tx: &mut Transaction<'_, Any>,
    p: &Profile,
    op: &'static str,
) -> Result<(), StoreError> {
    for token in peers::profile_path_tokens(p) {
        sqlx::query("INSERT INTO profile_tokens (guild_id, token, user_id) VALUES ($1, $2, $3)")
            .bind(db_id(p.guild_id))
            .bind(token)
            .bind(db_id(p.user_id))
            .execute(&mut **tx)
            .await
            .ctx(op)?;
    }
    Ok(())
}

/// The change a saved profile announces.
fn changed(p: &Profile) -> Change {
    Change::Profile {
        guild_id: p.guild_id,
        user_id: p.user_id,
    }
}

fn read_profile(row: &AnyRow, op: &'static str) -> Result<Profile, StoreError> {
    let get = |e: sqlx::Error| StoreError::Sql { op, source: e };
    let rank: i16 = row.try_get("stage").map_err(get)?;
    let stage = u8::try_from(rank)
        .ok()
        .and_then(Stage::from_rank)
        .ok_or_else(|| StoreError::Corrupt {
            op,
            detail: format!("stage rank {rank}"),
        })?;
    let moved_on: Option<String> = row.try_get("moved_on").map_err(get)?;
    let topics: String = row.try_get("topics").map_err(get)?;
    Ok(Profile {
        guild_id: from_db_id(row.try_get("guild_id").map_err(get)?),
        user_id: from_db_id(row.try_get("user_id").map_err(get)?),
        role: row.try_get("role").map_err(get)?,
        field: row.try_get("field").map_err(get)?,
        stage,
        move_from: row.try_get("move_from").map_err(get)?,
        move_to: row.try_get("move_to").map_err(get)?,
        moved_on: moved_on.map(|d| from_db_date(&d, op)).transpose()?,
        topics: from_db_list(&topics, op)?,
        can_help_with: row.try_get("can_help_with").map_err(get)?,
        open_to_coffee: flag(row, "open_to_coffee", op)?,
        updated_at: from_db_time(row.try_get("updated_at").map_err(get)?, op)?,
    })
}
