//! The anonymous weekly counts, kept in memory so that no reply waits for the disk.
//!
//! [`Counts::add`] records a review (and the checks it failed) for a server's week in memory;
//! [`Counts::flush`] writes everything pending in one transaction. The flusher task started by
//! [`spawn_flusher`] flushes every few seconds, and the bot flushes once more at shutdown, so a
//! crash loses at most those few seconds of anonymous counts, never anything a member was told
//! is saved. A failed write keeps the counts for the next flush.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::NaiveDate;

use crate::store::{CountBatch, Store, StoreError};

/// How often pending counts are written.
pub const FLUSH_EVERY: Duration = Duration::from_secs(5);

/// Counts not yet written, per (server, week).
#[derive(Debug, Default)]
pub struct Counts {
    pending: Mutex<HashMap<(u64, NaiveDate), CountBatch>>,
}

impl Counts {
    /// Counts one review of `guild` in the week starting `week`, failing `failed` (ids).
    pub fn add(&self, guild: u64, week: NaiveDate, failed: &[&str]) {
        let unique: BTreeSet<&str> = failed.iter().copied().collect();
        let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        let batch = pending.entry((guild, week)).or_default();
        batch.reviews += 1;
        for id in unique {
            *batch.failures.entry(id.to_string()).or_default() += 1;
        }
    }

    /// Writes every pending count; on failure they stay pending for the next flush.
    pub async fn flush(&self, store: &Store) -> Result<(), StoreError> {
        let batches: Vec<((u64, NaiveDate), CountBatch)> = {
            let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
            pending.drain().collect()
        };
        if batches.is_empty() {
            return Ok(());
        }
        let result = store.add_counts(&batches).await;
        if result.is_err() {
            let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
            for (key, batch) in batches {
                let into = pending.entry(key).or_default();
                into.reviews += batch.reviews;
                for (id, n) in batch.failures {
                    *into.failures.entry(id).or_default() += n;
                }
            }
        }
        result
    }
}

/// Flushes `counts` every [`FLUSH_EVERY`] for as long as the bot runs.
pub fn spawn_flusher(counts: Arc<Counts>, store: Store, metrics: super::health::Metrics) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(FLUSH_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            if let Err(e) = counts.flush(&store).await {
                metrics.store_errors.inc();
                tracing::warn!(
                    error = format!("{e:#}"),
                    "could not save the weekly counts; will retry"
                );
            }
        }
    });
}
