//! Changes other processes must see: on PostgreSQL every write that a cache holds (a profile, a
//! server's settings) sends `NOTIFY` on [`CHANGES_CHANNEL`] inside its own transaction, so the
//! note goes out exactly when the change is committed, and [`Store::changes`] gives each
//! process a [`Changes`] stream to invalidate its caches from. On SQLite there is one process
//! and nothing to announce.
//!
//! Why notifications rather than reads that bypass the caches: the peer index and the settings
//! cache keep `/peers` and every message in the mentoring channel off the database; a changed
//! profile is rare, a read is constant. A lost connection loses notes, so the stream says
//! [`Change::Missed`] after it reconnects and the caller drops every cache.

use sqlx::postgres::PgListener;
use sqlx::{Any, Executor, Transaction};

use super::{Backend, Context, Store, StoreError};

/// The PostgreSQL channel the processes announce changes on.
pub const CHANGES_CHANNEL: &str = "coffee_coach_changes";

/// One change announced by some process (maybe this one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// A member's profile in a server was saved or deleted.
    Profile { guild_id: u64, user_id: u64 },
    /// A server's `/setup` settings changed.
    GuildSettings { guild_id: u64 },
    /// The stream lost its connection for a while: anything may have changed.
    Missed,
}

impl Change {
    /// The notification payload (ids only, never text a member wrote).
    fn payload(self) -> Option<String> {
        match self {
            Change::Profile { guild_id, user_id } => Some(format!("profile:{guild_id}:{user_id}")),
            Change::GuildSettings { guild_id } => Some(format!("settings:{guild_id}")),
            Change::Missed => None,
        }
    }

    /// A payload back; `None` for anything this version does not know.
    pub fn parse(payload: &str) -> Option<Change> {
        let mut parts = payload.split(':');
        let kind = parts.next()?;
        let mut id = || parts.next()?.parse::<u64>().ok();
        let change = match kind {
            "profile" => Change::Profile {
                guild_id: id()?,
                user_id: id()?,
            },
            "settings" => Change::GuildSettings { guild_id: id()? },
            _ => return None,
        };
        Some(change)
    }
}

/// The stream of changes one process listens to.
pub struct Changes {
    listener: PgListener,
}

impl std::fmt::Debug for Changes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Changes").finish_non_exhaustive()
    }
}

impl Changes {
    /// The next change. After a lost connection the listener reconnects by itself and this
    /// returns [`Change::Missed`] once; unknown payloads are skipped.
    pub async fn next(&mut self) -> Result<Change, StoreError> {
        const OP: &str = "listening for changes";
        loop {
            match self.listener.try_recv().await.ctx(OP)? {
                None => return Ok(Change::Missed),
                Some(note) => {
                    if let Some(change) = Change::parse(note.payload()) {
                        return Ok(change);
                    }
                }
            }
        }
    }
}

impl Store {
    /// A stream of the changes every process announces, or `None` on SQLite (one process).
    pub async fn changes(&self) -> Result<Option<Changes>, StoreError> {
        const OP: &str = "listening for changes";
        if self.backend != Backend::Postgres {
            return Ok(None);
        }
        let mut listener = PgListener::connect(&self.url).await.ctx(OP)?;
        listener.listen(CHANGES_CHANNEL).await.ctx(OP)?;
        Ok(Some(Changes { listener }))
    }

    /// Announces `change` when `tx` commits (nothing on SQLite).
    pub(crate) async fn announce(
        &self,
        tx: &mut Transaction<'_, Any>,
        change: Change,
        op: &'static str,
    ) -> Result<(), StoreError> {
        let Some(payload) = change.payload() else {
            return Ok(());
        };
        if self.backend == Backend::Postgres {
            // NOTIFY takes no bind parameters; the payload is ids and colons only.
            let sql = format!("NOTIFY {CHANGES_CHANNEL}, '{payload}'");
            (&mut **tx).execute(sql.as_str()).await.ctx(op)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_round_trip() {
        for change in [
            Change::Profile {
                guild_id: 1,
                user_id: u64::MAX >> 1,
            },
            Change::GuildSettings { guild_id: 9 },
        ] {
            let payload = change.payload().expect("a payload");
            assert_eq!(Change::parse(&payload), Some(change));
        }
        assert_eq!(Change::Missed.payload(), None);
        assert_eq!(Change::parse("profile:1"), None);
        assert_eq!(Change::parse("tea:1"), None);
    }
}
