//! The `review_counts` and `check_failures` tables: anonymous weekly counts per server.
//!
//! Only numbers are kept: how many reviews ran in a week and how many failed each check. Never
//! the draft, never the member. [`WeekStats`] is one week read back; the tip scheduler uses
//! [`Store::failures_since`] to favour the check a server fails most.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use sqlx::Row;

use super::{db_date, db_id, from_db_date, Context, Store, StoreError};

/// One week of counts for one server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeekStats {
    /// First day of the week (as the caller defines weeks).
    pub week_start: NaiveDate,
    /// Reviews run that week.
    pub reviews: u32,
    /// Failures per check id, most failed first (ties by id).
    pub failures: Vec<(String, u32)>,
}

/// Reviews and failures per check counted in memory for one server and week, not yet saved.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CountBatch {
    /// Reviews run.
    pub reviews: u32,
    /// Failures per check id.
    pub failures: BTreeMap<String, u32>,
}

impl Store {
    /// Counts one review in the week starting `week_start`, and one failure for each check id
    /// in `failed_check_ids` (an id listed twice counts once).
    pub async fn record_review(
        &self,
        guild_id: u64,
        week_start: NaiveDate,
        failed_check_ids: &[&str],
    ) -> Result<(), StoreError> {
        let unique: BTreeSet<&str> = failed_check_ids.iter().copied().collect();
        let batch = CountBatch {
            reviews: 1,
            failures: unique.into_iter().map(|id| (id.to_string(), 1)).collect(),
        };
        self.add_counts(&[((guild_id, week_start), batch)]).await
    }

    /// Adds counts kept in memory, every server and week of them in one transaction.
    pub async fn add_counts(
        &self,
        batches: &[((u64, NaiveDate), CountBatch)],
    ) -> Result<(), StoreError> {
        const OP: &str = "saving the weekly counts";
        let mut tx = self.pool.begin().await.ctx(OP)?;
        for ((guild_id, week_start), batch) in batches {
            let (guild, week) = (db_id(*guild_id), db_date(*week_start));
            sqlx::query(
                "INSERT INTO review_counts (guild_id, week_start, reviews) VALUES ($1, $2, $3) \
                 ON CONFLICT (guild_id, week_start) \
                 DO UPDATE SET reviews = review_counts.reviews + $3",
            )
            .bind(guild)
            .bind(&week)
            .bind(i64::from(batch.reviews))
            .execute(&mut *tx)
            .await
            .ctx(OP)?;
            for (check_id, failures) in &batch.failures {
                sqlx::query(
                    "INSERT INTO check_failures (guild_id, week_start, check_id, failures) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT (guild_id, week_start, check_id) \
                     DO UPDATE SET failures = check_failures.failures + $4",
                )
                .bind(guild)
                .bind(&week)
                .bind(check_id)
                .bind(i64::from(*failures))
                .execute(&mut *tx)
                .await
                .ctx(OP)?;
            }
        }
        tx.commit().await.ctx(OP)
    }

    /// Every week from `since_week` on (inclusive) that has counts, oldest first.
    pub async fn weekly_stats(
        &self,
        guild_id: u64,
        since_week: NaiveDate,
    ) -> Result<Vec<WeekStats>, StoreError> {
        const OP: &str = "reading weekly stats";
        let (guild, since) = (db_id(guild_id), db_date(since_week));
        let mut weeks: BTreeMap<String, WeekStats> = BTreeMap::new();
        let rows = sqlx::query(
            "SELECT week_start, reviews FROM review_counts \
             WHERE guild_id = $1 AND week_start >= $2",
        )
        .bind(guild)
        .bind(&since)
        .fetch_all(&self.pool)
        .await
        .ctx(OP)?;
        for row in &rows {
            let week: String = row.try_get("week_start").ctx(OP)?;
            let reviews: i64 = row.try_get("reviews").ctx(OP)?;
            let stats = WeekStats {
                week_start: from_db_date(&week, OP)?,
                reviews: count(reviews),
                failures: Vec::new(),
            };
            weeks.insert(week, stats);
        }
        let rows = sqlx::query(
            "SELECT week_start, check_id, failures FROM check_failures \
             WHERE guild_id = $1 AND week_start >= $2 ORDER BY failures DESC, check_id",
        )
        .bind(guild)
        .bind(&since)
        .fetch_all(&self.pool)
        .await
        .ctx(OP)?;
        for row in &rows {
            let week: String = row.try_get("week_start").ctx(OP)?;
            let check_id: String = row.try_get("check_id").ctx(OP)?;
            let failures: i64 = row.try_get("failures").ctx(OP)?;
            let entry = match weeks.get_mut(&week) {
                Some(entry) => entry,
                None => weeks.entry(week.clone()).or_insert(WeekStats {
                    week_start: from_db_date(&week, OP)?,
                    reviews: 0,
                    failures: Vec::new(),
                }),
            };
            entry.failures.push((check_id, count(failures)));
        }
        Ok(weeks.into_values().collect())
    }

    /// Failures per check summed over the weeks from `since_week` on, most failed first (ties
    /// by id).
    pub async fn failures_since(
        &self,
        guild_id: u64,
        since_week: NaiveDate,
    ) -> Result<Vec<(String, u32)>, StoreError> {
        const OP: &str = "reading check failures";
        let rows = sqlx::query(
            "SELECT check_id, CAST(SUM(failures) AS BIGINT) AS n FROM check_failures \
             WHERE guild_id = $1 AND week_start >= $2 GROUP BY check_id \
             ORDER BY n DESC, check_id",
        )
        .bind(db_id(guild_id))
        .bind(db_date(since_week))
        .fetch_all(&self.pool)
        .await
        .ctx(OP)?;
        rows.iter()
            .map(|row| {
                let id: String = row.try_get("check_id").ctx(OP)?;
                let n: i64 = row.try_get("n").ctx(OP)?;
                Ok((id, count(n)))
            })
            .collect()
    }
}

fn count(n: i64) -> u32 {
    u32::try_from(n.max(0)).unwrap_or(u32::MAX)
}
