//! Keeps this process's caches in step with the others' writes (PostgreSQL only): one task
//! reads the store's [`Changes`] stream and re-reads a changed profile into the loaded peer
//! index, forgets a server's cached settings, or drops every cache after a lost connection.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use crate::core::peers::PeerIndex;
use crate::store::{Change, Changes, GuildSettings, Store};

/// The caches a change may touch (the same `Arc`s as [`Data`](super::state::Data)'s).
#[derive(Clone)]
pub struct Caches {
    pub peers: Arc<RwLock<HashMap<u64, PeerIndex>>>,
    pub guilds: Arc<RwLock<HashMap<u64, GuildSettings>>>,
}

/// Starts the task that applies every change announced on `changes`.
pub fn spawn(store: Store, mut changes: Changes, caches: Caches) {
    tokio::spawn(async move {
        loop {
            match changes.next().await {
                Ok(change) => caches.apply(&store, change).await,
                Err(e) => {
                    tracing::warn!(error = format!("{e:#}"), "change stream failed; retrying");
                    // The next read reconnects; anything missed meanwhile is reported as such.
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    });
}

impl Caches {
    /// Applies one change; a profile that cannot be re-read drops its server's index (it is
    /// loaded again on the next `/peers`).
    pub async fn apply(&self, store: &Store, change: Change) {
        match change {
            Change::Profile { guild_id, user_id } => {
                if !self.peers_read().contains_key(&guild_id) {
                    return;
                }
                let fresh = store.profile(guild_id, user_id).await;
                let mut peers = self.peers.write().unwrap_or_else(|p| p.into_inner());
                match (fresh, peers.get_mut(&guild_id)) {
                    (Ok(Some(profile)), Some(index)) => index.upsert(profile),
                    (Ok(None), Some(index)) => index.remove(user_id),
                    (Err(e), _) => {
                        tracing::warn!(error = format!("{e:#}"), "reloading a server's peers");
                        peers.remove(&guild_id);
                    }
                    (_, None) => {}
                }
            }
            Change::GuildSettings { guild_id } => {
                self.guilds
                    .write()
                    .unwrap_or_else(|p| p.into_inner())
                    .remove(&guild_id);
            }
            Change::Missed => {
                tracing::info!("change stream reconnected; dropping cached profiles and settings");
                self.peers
                    .write()
                    .unwrap_or_else(|p| p.into_inner())
                    .clear();
                self.guilds
                    .write()
                    .unwrap_or_else(|p| p.into_inner())
                    .clear();
            }
        }
    }

    fn peers_read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<u64, PeerIndex>> {
        self.peers.read().unwrap_or_else(|p| p.into_inner())
    }
}
