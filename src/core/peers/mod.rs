//! Picking peers "a few steps ahead": members on the same or a similar path, one to three
//! rungs further up the ladder, who opted in to coffee chats.
//!
//! A [`Seeker`] is the member asking (`/peers`), with their [`Profile`] if they have one and the
//! goal they typed, if any. [`score`] rates one candidate [`Profile`] for that seeker and returns
//! the factor breakdown as a [`PeerScore`] (path match, same starting point, steps ahead, shared
//! topics, how recent the move is), or `None` when the candidate must not be suggested at all
//! (the seeker themself, not open to coffee, another server, no path in common, too close or too
//! far on the ladder). [`suggest`] scores every candidate, skips anyone already suggested `cap`
//! times this week (so busy people stay protected), sorts deterministically and writes a
//! one-line reason for each [`Suggestion`]. [`Seeker::candidate_query`] tells the store which
//! rows can possibly score, so it can pre-filter in SQL with the same [`path_tokens`].
//!
//! [`Profile`]: crate::core::profile::Profile

mod index;
mod score;
#[cfg(test)]
mod tests;
mod tokens;

pub use index::PeerIndex;
pub use score::{
    reason, score, suggest, CandidateQuery, PathSource, PeerScore, Seeker, Suggestion,
    DEFAULT_SUGGESTION_CAP, LOAD_WINDOW_DAYS, MAX_REASON_CHARS, MAX_STEPS_AHEAD, MIN_STEPS_AHEAD,
};
pub use tokens::{path_tokens, profile_path_tokens, PATH_TOKENS_VERSION};
