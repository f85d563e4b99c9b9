//! [`PeerIndex`]: the open profiles of one server in memory, indexed by path token, so a
//! `/peers` query reads only the profiles that can score.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};

use super::score::{suggest, CandidateQuery, Seeker, Suggestion};
use super::tokens::profile_path_tokens;
use crate::core::profile::Profile;

/// The open profiles of one server in memory, with an inverted index from path token to
/// members, so a `/peers` query touches only the profiles that share a word with the goal
/// instead of reading thousands of rows from the database. The adapter fills it from the store
/// once per server and keeps it in step with every profile write or delete.
#[derive(Debug, Default, Clone)]
pub struct PeerIndex {
    profiles: HashMap<u64, (Profile, Vec<String>)>,
    by_token: HashMap<String, HashSet<u64>>,
}

impl PeerIndex {
    /// An index over these profiles (closed ones are left out).
    pub fn new(profiles: impl IntoIterator<Item = Profile>) -> PeerIndex {
        let mut index = PeerIndex::default();
        for p in profiles {
            index.upsert(p);
        }
        index
    }

    /// Adds or replaces a member's profile; a profile not open to coffee is removed.
    pub fn upsert(&mut self, profile: Profile) {
        self.remove(profile.user_id);
        if profile.open_to_coffee {
            let tokens = profile_path_tokens(&profile);
            for t in &tokens {
                self.by_token
                    .entry(t.clone())
                    .or_default()
                    .insert(profile.user_id);
            }
            self.profiles.insert(profile.user_id, (profile, tokens));
        }
    }

    /// Removes a member.
    pub fn remove(&mut self, user_id: u64) {
        if let Some((_, tokens)) = self.profiles.remove(&user_id) {
            for t in tokens {
                if let Some(users) = self.by_token.get_mut(&t) {
                    users.remove(&user_id);
                    if users.is_empty() {
                        self.by_token.remove(&t);
                    }
                }
            }
        }
    }

    /// How many open profiles the index holds.
    pub fn len(&self) -> usize {
        self.profiles.len()
    }

    /// Whether the index is empty.
    pub fn is_empty(&self) -> bool {
        self.profiles.is_empty()
    }

    /// The profiles that can score for `query`: a path token in common, stage in range, not the
    /// seeker. The same pre-filter as the store's `peer_candidates_matching`.
    pub fn candidates(&self, query: &CandidateQuery) -> Vec<&Profile> {
        let mut seen = HashSet::new();
        query
            .path_tokens
            .iter()
            .filter_map(|t| self.by_token.get(t))
            .flatten()
            .filter(|&&user| user != query.exclude_user && seen.insert(user))
            .filter_map(|user| self.profiles.get(user).map(|(p, _)| p))
            .filter(|p| p.stage >= query.min_stage && p.stage <= query.max_stage)
            .collect()
    }

    /// [`suggest`] over this index.
    pub fn suggest(
        &self,
        seeker: &Seeker,
        recent_suggestions: &HashMap<u64, u32>,
        cap: u32,
        limit: usize,
        now: DateTime<Utc>,
    ) -> Vec<Suggestion> {
        match seeker.candidate_query() {
            Some(query) => suggest(
                seeker,
                self.candidates(&query),
                recent_suggestions,
                cap,
                limit,
                now,
            ),
            None => Vec::new(),
        }
    }
}
