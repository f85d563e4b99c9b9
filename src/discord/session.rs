//! Recent reviews kept in memory for the buttons under them ("Edit and re-check", "Post to
//! channel", "Find peers"). [`Sessions`] maps a random key (in the button's custom id) to the
//! [`Session`]: who asked, the draft, the recipient and the statuses, so a re-check can say which
//! checks now pass. Entries expire with the interaction token (15 minutes) and are never written
//! to disk: drafts are not stored.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::core::review::{Review, Status};

/// How long a review's buttons keep working (Discord's interaction token lifetime).
pub const TTL: Duration = Duration::from_secs(15 * 60);
const MAX_SESSIONS: usize = 50_000;

/// One recent review.
#[derive(Debug, Clone)]
pub struct Session {
    /// The member who asked for it; only they may use its buttons.
    pub user_id: u64,
    /// The server it was asked in, if any.
    pub guild_id: Option<u64>,
    pub draft: String,
    pub recipient: Option<String>,
    /// Check id and status, in order.
    pub statuses: Vec<(String, Status)>,
    /// Whether the member said they will use the better phrasing.
    pub used_phrasing: bool,
    created: Instant,
}

/// Recent reviews by key.
#[derive(Debug, Default)]
pub struct Sessions {
    inner: Mutex<HashMap<u64, Session>>,
}

impl Sessions {
    /// Remembers a review and returns the key for its buttons.
    pub fn insert(
        &self,
        user_id: u64,
        guild_id: Option<u64>,
        draft: &str,
        recipient: Option<&str>,
        review: &Review,
        now: Instant,
    ) -> u64 {
        let session = Session {
            user_id,
            guild_id,
            draft: draft.to_string(),
            recipient: recipient.map(str::to_string),
            statuses: review
                .checks
                .iter()
                .map(|f| (f.id.clone(), f.status))
                .collect(),
            used_phrasing: false,
            created: now,
        };
        let mut map = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= MAX_SESSIONS {
            map.retain(|_, s| now.saturating_duration_since(s.created) < TTL);
        }
        let mut key = random_key();
        while map.contains_key(&key) {
            key = random_key();
        }
        map.insert(key, session);
        key
    }

    /// The review behind `key` if it belongs to `user_id` and has not expired.
    pub fn get(&self, key: u64, user_id: u64, now: Instant) -> Option<Session> {
        let map = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        map.get(&key)
            .filter(|s| s.is_live_for(user_id, now))
            .cloned()
    }

    /// Notes that the member will use the better phrasing of review `key` (nothing when the
    /// review is not theirs or has expired).
    pub fn mark_phrasing_used(&self, key: u64, user_id: u64, now: Instant) {
        let mut map = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(s) = map.get_mut(&key).filter(|s| s.is_live_for(user_id, now)) {
            s.used_phrasing = true;
        }
    }
}

impl Session {
    /// Whether `user_id` may still use this review's buttons.
    fn is_live_for(&self, user_id: u64, now: Instant) -> bool {
        self.user_id == user_id && now.saturating_duration_since(self.created) < TTL
    }
}

/// A key that other members cannot guess from their own.
fn random_key() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default(),
    );
    h.finish() >> 1
}

/// "Now passing: …" for a re-check, comparing the previous statuses with the new review.
pub fn progress_note(previous: &[(String, Status)], review: &Review) -> Option<String> {
    let was_failing = |id: &str| {
        previous
            .iter()
            .any(|(p, s)| p == id && *s == Status::Failed)
    };
    let fixed: Vec<&str> = review
        .checks
        .iter()
        .filter(|f| f.status == Status::Passed && was_failing(&f.id))
        .map(|f| f.title.as_str())
        .collect();
    let still = review.failed().count();
    if !review.judged() {
        return None;
    }
    Some(match (fixed.is_empty(), still) {
        (true, 0) => "Re-checked: everything passes.".to_string(),
        (true, _) => format!("Re-checked: no new passes yet, {still} still failing."),
        (false, 0) => format!(
            "Re-checked. Now passing: {}. Everything passes.",
            fixed.join(", ")
        ),
        (false, _) => format!(
            "Re-checked. Now passing: {}. Still failing: {still}.",
            fixed.join(", ")
        ),
    })
}
