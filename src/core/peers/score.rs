//! Scoring peers for a [`Seeker`]: the factors of a [`PeerScore`], the pre-filter the store runs
//! ([`CandidateQuery`]), [`suggest`] with the weekly cap and its sort, and the one-line [`reason`].

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use super::tokens::path_tokens;
use crate::core::profile::{Profile, Stage};

/// How many times a member may be suggested in [`LOAD_WINDOW_DAYS`] when the server set no cap.
pub const DEFAULT_SUGGESTION_CAP: u32 = 3;
/// The window, in days, that the suggestion cap counts over.
pub const LOAD_WINDOW_DAYS: i64 = 7;
/// Fewest steps ahead a peer may be.
pub const MIN_STEPS_AHEAD: u8 = 1;
/// Most steps ahead a peer may be.
pub const MAX_STEPS_AHEAD: u8 = 3;
/// Longest reason line, in characters.
pub const MAX_REASON_CHARS: usize = 200;

const PATH_POINTS: f32 = 40.0;
const ORIGIN_POINTS: u32 = 10;
const TOPIC_POINTS_EACH: u32 = 5;
const MAX_SHARED_TOPICS_SCORED: usize = 3;

/// The member asking for peers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seeker {
    /// The server they asked in; peers come from the same server.
    pub guild_id: u64,
    /// The member; never suggested to themself.
    pub user_id: u64,
    /// Their profile, if they made one. Without one they count as [`Stage::Exploring`].
    pub profile: Option<Profile>,
    /// The goal typed in `/peers goal`, if any. It wins over the profile's `move_to` and field.
    pub goal: Option<String>,
}

/// What the store needs to fetch the only rows that can score for a [`Seeker`]: same server,
/// open to coffee, a stage in range, at least one path token in common, not the seeker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandidateQuery {
    /// The server.
    pub guild_id: u64,
    /// The seeker, left out.
    pub exclude_user: u64,
    /// Lowest stage that can score.
    pub min_stage: Stage,
    /// Highest stage that can score.
    pub max_stage: Stage,
    /// The goal's [`path_tokens`]; a candidate needs one of them in its [`profile_path_tokens`](super::profile_path_tokens).
    pub path_tokens: Vec<String>,
}

impl Seeker {
    /// The seeker's stage: their profile's, or [`Stage::Exploring`] without one.
    pub fn stage(&self) -> Stage {
        self.profile
            .as_ref()
            .map_or(Stage::Exploring, |profile| profile.stage)
    }

    /// The path they aim at: the typed goal, else their profile's `move_to`, else its field.
    pub fn goal(&self) -> Option<&str> {
        let typed = self
            .goal
            .as_deref()
            .map(str::trim)
            .filter(|g| !g.is_empty());
        typed.or_else(|| {
            let profile = self.profile.as_ref()?;
            profile
                .move_to
                .as_deref()
                .map(str::trim)
                .filter(|g| !g.is_empty())
                .or(Some(profile.field.trim()).filter(|g| !g.is_empty()))
        })
    }

    /// The stage range that can score (one to three rungs up), or `None` at the top rung.
    pub fn stage_range(&self) -> Option<(Stage, Stage)> {
        let rank = self.stage().rank();
        let min = Stage::from_rank(rank + MIN_STEPS_AHEAD)?;
        let max = Stage::from_rank((rank + MAX_STEPS_AHEAD).min(Stage::Leading.rank()))?;
        Some((min, max))
    }

    /// The store's pre-filter for this seeker, or `None` when nobody can score (no goal at all,
    /// or already at the top of the ladder): the adapter can then skip the query and say why.
    pub fn candidate_query(&self) -> Option<CandidateQuery> {
        let (min_stage, max_stage) = self.stage_range()?;
        let path_tokens = path_tokens(self.goal()?);
        if path_tokens.is_empty() {
            return None;
        }
        Some(CandidateQuery {
            guild_id: self.guild_id,
            exclude_user: self.user_id,
            min_stage,
            max_stage,
            path_tokens,
        })
    }
}

/// Which part of the candidate's profile matched the seeker's goal best.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PathSource {
    /// Where their move led.
    MoveTo,
    /// Their field.
    Field,
    /// Their current role.
    Role,
    /// Where their move started (a weaker match: they left that path).
    MoveFrom,
}

impl PathSource {
    fn weight(self) -> f32 {
        match self {
            PathSource::MoveTo => 1.0,
            PathSource::Field => 0.9,
            PathSource::Role => 0.8,
            PathSource::MoveFrom => 0.5,
        }
    }
}

/// Why a candidate scored what they scored. `total` is the sum of the `*_points` fields.
#[derive(Debug, Clone, PartialEq)]
pub struct PeerScore {
    /// Share of the goal's tokens found in the best-matching text, times that text's weight
    /// (move_to 1.0, field 0.9, role 0.8, move_from 0.5); always above 0 for a scored peer.
    pub path_match: f32,
    /// Which text matched best.
    pub path_source: PathSource,
    /// Up to 40 points for the path match.
    pub path_points: u32,
    /// The candidate's move started where the seeker's did.
    pub same_origin: bool,
    /// 10 points for the same starting point, else 0.
    pub origin_points: u32,
    /// Rungs between the seeker and the candidate, 1 to 3.
    pub steps_ahead: u8,
    /// 25 points for one or two steps ahead, 10 for three.
    pub stage_points: u32,
    /// The candidate's topics (as they typed them) that the seeker shares.
    pub shared_topics: Vec<String>,
    /// 5 points per shared topic, counting up to three.
    pub topic_points: u32,
    /// Whole months since the candidate's move, when they gave its date.
    pub months_since_move: Option<u32>,
    /// Up to 15 points for a recent move (within a year), fading to 0 after five years.
    pub recency_points: u32,
    /// The sum; higher is better.
    pub total: u32,
}

/// One peer to show, best first.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    /// The member suggested.
    pub user_id: u64,
    /// How they scored.
    pub score: PeerScore,
    /// One line saying why, for the member to read.
    pub reason: String,
}

/// Share of `goal` found in `text`, both already tokenised.
fn coverage(goal: &[String], text: &[String]) -> f32 {
    if goal.is_empty() {
        return 0.0;
    }
    let found = goal
        .iter()
        .filter(|t| text.binary_search(t).is_ok())
        .count();
    found as f32 / goal.len() as f32
}

/// What is computed once per seeker rather than once per candidate.
struct Prepared {
    guild_id: u64,
    user_id: u64,
    rank: u8,
    goal: Vec<String>,
    origin: Vec<String>,
    topics: HashSet<String>,
}

impl Prepared {
    fn new(seeker: &Seeker) -> Prepared {
        let profile = seeker.profile.as_ref();
        Prepared {
            guild_id: seeker.guild_id,
            user_id: seeker.user_id,
            rank: seeker.stage().rank(),
            goal: seeker.goal().map(path_tokens).unwrap_or_default(),
            origin: profile
                .and_then(|p| p.move_from.as_deref())
                .map(path_tokens)
                .unwrap_or_default(),
            topics: profile
                .map(|p| p.topics.iter().map(|t| topic_key(t)).collect())
                .unwrap_or_default(),
        }
    }
}

fn topic_key(topic: &str) -> String {
    path_tokens(topic).join(" ")
}

/// Rates one candidate for the seeker, or `None` when they must not be suggested: the seeker
/// themself, another server, not open to coffee, a stage gap of 0 or more than 3, or nothing in
/// common between the seeker's goal and the candidate's move, field or role.
pub fn score(seeker: &Seeker, candidate: &Profile, now: DateTime<Utc>) -> Option<PeerScore> {
    score_prepared(&Prepared::new(seeker), candidate, now)
}

fn score_prepared(seeker: &Prepared, candidate: &Profile, now: DateTime<Utc>) -> Option<PeerScore> {
    if candidate.user_id == seeker.user_id
        || candidate.guild_id != seeker.guild_id
        || !candidate.open_to_coffee
    {
        return None;
    }
    let steps_ahead = candidate.stage.rank().checked_sub(seeker.rank)?;
    let stage_points = match steps_ahead {
        1 | 2 => 25,
        3 => 10,
        _ => return None,
    };

    let sources = [
        (PathSource::MoveTo, candidate.move_to.as_deref()),
        (PathSource::Field, Some(candidate.field.as_str())),
        (PathSource::Role, Some(candidate.role.as_str())),
        (PathSource::MoveFrom, candidate.move_from.as_deref()),
    ];
    let mut best: Option<(f32, PathSource)> = None;
    let mut candidate_origin = Vec::new();
    for (source, text) in sources {
        let Some(text) = text else { continue };
        let tokens = path_tokens(text);
        let m = coverage(&seeker.goal, &tokens) * source.weight();
        if m > best.map_or(0.0, |(b, _)| b) {
            best = Some((m, source));
        }
        if source == PathSource::MoveFrom {
            candidate_origin = tokens;
        }
    }
    let (path_match, path_source) = best?;
    let path_points = (path_match * PATH_POINTS).round() as u32;

    let same_origin =
        !seeker.origin.is_empty() && coverage(&seeker.origin, &candidate_origin) >= 0.5;
    let origin_points = if same_origin { ORIGIN_POINTS } else { 0 };

    let shared_topics: Vec<String> = if seeker.topics.is_empty() {
        Vec::new()
    } else {
        let mut seen = HashSet::new();
        candidate
            .topics
            .iter()
            .filter(|t| {
                let key = topic_key(t);
                !key.is_empty() && seeker.topics.contains(&key) && seen.insert(key)
            })
            .cloned()
            .collect()
    };
    let topic_points = TOPIC_POINTS_EACH * shared_topics.len().min(MAX_SHARED_TOPICS_SCORED) as u32;

    let months_since_move = candidate.moved_on.map(|d| months_between(d, now));
    let recency_points = match months_since_move {
        Some(0..=12) => 15,
        Some(13..=24) => 10,
        Some(25..=36) => 6,
        Some(37..=60) => 3,
        _ => 0,
    };

    let total = path_points + origin_points + stage_points + topic_points + recency_points;
    Some(PeerScore {
        path_match,
        path_source,
        path_points,
        same_origin,
        origin_points,
        steps_ahead,
        stage_points,
        shared_topics,
        topic_points,
        months_since_move,
        recency_points,
        total,
    })
}

/// Whole calendar months from `date` to `now`, never negative.
fn months_between(date: NaiveDate, now: DateTime<Utc>) -> u32 {
    let today = now.date_naive();
    let mut months = (today.year() - date.year()) * 12 + today.month() as i32 - date.month() as i32;
    if today.day() < date.day() {
        months -= 1;
    }
    u32::try_from(months).unwrap_or(0)
}

/// Scores every candidate, leaves out anyone suggested `cap` or more times in the last
/// [`LOAD_WINDOW_DAYS`] days (`recent_suggestions` maps user id to that count; `cap == 0`
/// means no cap), and returns the best `limit`, sorted by score (highest first) then user id.
pub fn suggest<'a>(
    seeker: &Seeker,
    candidates: impl IntoIterator<Item = &'a Profile>,
    recent_suggestions: &HashMap<u64, u32>,
    cap: u32,
    limit: usize,
    now: DateTime<Utc>,
) -> Vec<Suggestion> {
    if limit == 0 {
        return Vec::new();
    }
    let prepared = Prepared::new(seeker);
    let mut scored: Vec<(&Profile, PeerScore)> = candidates
        .into_iter()
        .filter(|c| cap == 0 || recent_suggestions.get(&c.user_id).copied().unwrap_or(0) < cap)
        .filter_map(|c| score_prepared(&prepared, c, now).map(|s| (c, s)))
        .collect();
    scored.sort_by(|(a, sa), (b, sb)| {
        sb.total
            .cmp(&sa.total)
            .then_with(|| a.user_id.cmp(&b.user_id))
    });
    // The same member listed twice (should not happen) is shown once.
    let mut seen = HashSet::new();
    scored
        .into_iter()
        .filter(|(c, _)| seen.insert(c.user_id))
        .take(limit)
        .map(|(c, s)| Suggestion {
            user_id: c.user_id,
            reason: reason(c, &s),
            score: s,
        })
        .collect()
}

/// One line saying why this peer: their move (or role and field), how many steps ahead, the
/// topics in common, and what they can help with when there is room.
pub fn reason(candidate: &Profile, score: &PeerScore) -> String {
    let mut parts: Vec<String> = Vec::new();
    let ago = score.months_since_move.map(ago_text);
    let path = match (candidate.move_from.as_deref(), candidate.move_to.as_deref()) {
        (Some(from), Some(to)) => match &ago {
            Some(ago) => format!("moved from {from} to {to} {ago}"),
            None => format!("from {from} to {to}"),
        },
        (None, Some(to)) => match &ago {
            Some(ago) => format!("moved into {to} {ago}"),
            None => format!("heading into {to}"),
        },
        _ => format!("{} in {}", candidate.role, candidate.field),
    };
    parts.push(path);
    parts.push(match score.steps_ahead {
        1 => "1 step ahead".to_string(),
        n => format!("{n} steps ahead"),
    });
    if !score.shared_topics.is_empty() {
        parts.push(format!("shares: {}", score.shared_topics.join(", ")));
    }
    let mut line = parts.join("; ");
    let help = candidate.can_help_with.trim();
    if !help.is_empty() {
        let prefix = "; can help with: ";
        let used = line.chars().count() + prefix.chars().count();
        let room = MAX_REASON_CHARS.saturating_sub(used);
        let help_len = help.chars().count();
        if help_len <= room {
            line.push_str(prefix);
            line.push_str(help);
        } else if room >= 20 {
            line.push_str(prefix);
            line.extend(help.chars().take(room - 1));
            line.push('…');
        }
    }
    line
}

pub(super) fn ago_text(months: u32) -> String {
    match months {
        0 => "this month".to_string(),
        1 => "1 month ago".to_string(),
        2..=11 => format!("{months} months ago"),
        12..=23 => "1 year ago".to_string(),
        _ => format!("{} years ago", months / 12),
    }
}
