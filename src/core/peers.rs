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

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use crate::core::profile::{Profile, Stage};

/// How many times a member may be suggested in [`LOAD_WINDOW_DAYS`] when the server set no cap.
pub const DEFAULT_SUGGESTION_CAP: u32 = 3;
/// The window, in days, that the suggestion cap counts over.
pub const LOAD_WINDOW_DAYS: i64 = 7;
/// Fewest steps ahead a peer may be.
pub const MIN_STEPS_AHEAD: u8 = 1;
/// Most steps ahead a peer may be.
pub const MAX_STEPS_AHEAD: u8 = 3;
/// Version of [`path_tokens`]. The store keeps a token index built with it; bump this whenever
/// the normalisation changes so the store rebuilds the index at start-up.
pub const PATH_TOKENS_VERSION: u32 = 1;
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
    /// The goal's [`path_tokens`]; a candidate needs one of them in its [`profile_path_tokens`].
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

/// Words that say nothing about a path.
const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "as", "at", "be", "become", "by", "career", "for", "from", "get", "in",
    "into", "i", "is", "it", "job", "me", "my", "new", "of", "on", "or", "role", "some", "the",
    "to", "towards", "via", "want", "with",
];

/// Normalises path text into tokens: lowercase, punctuation as separators, stop words dropped,
/// a light stemming ("researchers" and "research", "teaching" and "teacher" meet), sorted and
/// deduplicated. The store indexes profiles by these tokens; see [`PATH_TOKENS_VERSION`].
pub fn path_tokens(text: &str) -> Vec<String> {
    let mut tokens: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .filter(|w| !STOP_WORDS.contains(&w.as_str()))
        .map(|w| stem(&w))
        .filter(|w| !w.is_empty())
        .collect();
    tokens.sort();
    tokens.dedup();
    tokens
}

/// Every path token of a profile: its move's both sides, field and role.
pub fn profile_path_tokens(profile: &Profile) -> Vec<String> {
    let mut tokens: Vec<String> = [
        profile.move_to.as_deref(),
        profile.move_from.as_deref(),
        Some(profile.field.as_str()),
        Some(profile.role.as_str()),
    ]
    .into_iter()
    .flatten()
    .flat_map(path_tokens)
    .collect();
    tokens.sort();
    tokens.dedup();
    tokens
}

fn stem(word: &str) -> String {
    let mut w = word.to_string();
    let chars = |s: &str| s.chars().count();
    if w.ends_with("ies") && chars(&w) > 4 {
        w.truncate(w.len() - 3);
        w.push('y');
    } else if w.ends_with('s') && !w.ends_with("ss") && chars(&w) > 3 {
        w.pop();
    }
    for suffix in ["ing", "ment", "er", "or", "ed"] {
        if w.ends_with(suffix) && chars(&w) >= suffix.len() + 3 {
            w.truncate(w.len() - suffix.len());
            break;
        }
    }
    if w.ends_with('e') && chars(&w) > 3 {
        w.pop();
    }
    w
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

fn ago_text(months: u32) -> String {
    match months {
        0 => "this month".to_string(),
        1 => "1 month ago".to_string(),
        2..=11 => format!("{months} months ago"),
        12..=23 => "1 year ago".to_string(),
        _ => format!("{} years ago", months / 12),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const GUILD: u64 = 10;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 6, 15, 12, 0, 0).unwrap()
    }

    fn profile(user_id: u64, stage: Stage) -> Profile {
        Profile {
            guild_id: GUILD,
            user_id,
            role: "UX researcher".into(),
            field: "design".into(),
            stage,
            move_from: Some("teaching".into()),
            move_to: Some("UX research".into()),
            moved_on: NaiveDate::from_ymd_opt(2023, 6, 1),
            topics: vec!["portfolios".into(), "user interviews".into()],
            can_help_with: "reviewing a case study".into(),
            open_to_coffee: true,
            updated_at: now(),
        }
    }

    fn seeker_with(stage: Stage, goal: Option<&str>) -> Seeker {
        let mut p = profile(1, stage);
        p.role = "teacher".into();
        p.field = "education".into();
        p.move_to = Some("UX research".into());
        p.moved_on = None;
        p.topics = vec!["Portfolio".into(), "user interview".into(), "salary".into()];
        Seeker {
            guild_id: GUILD,
            user_id: 1,
            profile: Some(p),
            goal: goal.map(str::to_string),
        }
    }

    fn seeker() -> Seeker {
        seeker_with(Stage::Studying, None)
    }

    fn none_recent() -> HashMap<u64, u32> {
        HashMap::new()
    }

    #[test]
    fn tokens_are_normalised() {
        assert_eq!(path_tokens("UX Research!"), vec!["research", "ux"]);
        assert_eq!(path_tokens("UX researchers"), path_tokens("ux research"));
        assert_eq!(path_tokens("teaching"), path_tokens("teacher"));
        assert_eq!(path_tokens("a career in the law"), vec!["law"]);
        assert!(path_tokens("to, from!").is_empty());
    }

    #[test]
    fn path_match_on_move_to_beats_field_and_role() {
        let s = seeker();
        let c = profile(2, Stage::Established);
        let sc = score(&s, &c, now()).unwrap();
        assert_eq!(sc.path_source, PathSource::MoveTo);
        assert_eq!(sc.path_points, 40);

        let mut by_field = profile(3, Stage::Established);
        by_field.move_to = None;
        by_field.move_from = None;
        by_field.role = "designer".into();
        by_field.field = "UX research".into();
        let sf = score(&s, &by_field, now()).unwrap();
        assert_eq!(sf.path_source, PathSource::Field);
        assert!(sf.path_points < sc.path_points);

        let mut partial = profile(4, Stage::Established);
        partial.move_to = Some("market research".into());
        partial.field = "marketing".into();
        partial.role = "analyst".into();
        let sp = score(&s, &partial, now()).unwrap();
        assert!((sp.path_match - 0.5).abs() < 1e-6, "{sp:?}");
    }

    #[test]
    fn no_path_in_common_is_excluded() {
        let s = seeker();
        let mut c = profile(2, Stage::Established);
        c.move_from = Some("finance".into());
        c.move_to = Some("law".into());
        c.field = "law".into();
        c.role = "solicitor".into();
        assert_eq!(score(&s, &c, now()), None);
    }

    #[test]
    fn typed_goal_wins_over_profile() {
        let s = seeker_with(Stage::Studying, Some("data science"));
        assert_eq!(s.goal(), Some("data science"));
        assert_eq!(score(&s, &profile(2, Stage::Established), now()), None);
        let mut c = profile(3, Stage::Established);
        c.move_to = Some("Data Science".into());
        assert!(score(&s, &c, now()).is_some());
    }

    #[test]
    fn goal_falls_back_to_move_to_then_field() {
        let mut s = seeker();
        assert_eq!(s.goal(), Some("UX research"));
        if let Some(p) = s.profile.as_mut() {
            p.move_to = None;
        }
        assert_eq!(s.goal(), Some("education"));
        s.profile = None;
        assert_eq!(s.goal(), None);
        assert_eq!(s.candidate_query(), None);
    }

    #[test]
    fn same_origin_is_a_bonus() {
        let s = seeker();
        let c = profile(2, Stage::Established);
        let with = score(&s, &c, now()).unwrap();
        assert!(with.same_origin);
        assert_eq!(with.origin_points, 10);
        let mut other = c.clone();
        other.move_from = Some("nursing".into());
        let without = score(&s, &other, now()).unwrap();
        assert!(!without.same_origin);
        assert_eq!(with.total - without.total, 10);
    }

    #[test]
    fn stage_gap_one_or_two_is_best_three_ok_others_excluded() {
        let s = seeker(); // studying, rank 1
        let at = |stage| score(&s, &profile(2, stage), now());
        assert_eq!(at(Stage::Exploring), None, "behind");
        assert_eq!(at(Stage::Studying), None, "same stage");
        let one = at(Stage::FirstRole).unwrap();
        let two = at(Stage::Established).unwrap();
        let three = at(Stage::Senior).unwrap();
        assert_eq!((one.steps_ahead, one.stage_points), (1, 25));
        assert_eq!((two.steps_ahead, two.stage_points), (2, 25));
        assert_eq!((three.steps_ahead, three.stage_points), (3, 10));
        assert_eq!(at(Stage::Leading), None, "four steps ahead");
    }

    #[test]
    fn seeker_without_profile_counts_as_exploring() {
        let s = Seeker {
            guild_id: GUILD,
            user_id: 1,
            profile: None,
            goal: Some("UX research".into()),
        };
        assert_eq!(s.stage(), Stage::Exploring);
        assert_eq!(s.stage_range(), Some((Stage::Studying, Stage::Established)));
        assert!(score(&s, &profile(2, Stage::Studying), now()).is_some());
        assert_eq!(score(&s, &profile(2, Stage::Senior), now()), None);
        let q = s.candidate_query().unwrap();
        assert_eq!(q.path_tokens, vec!["research", "ux"]);
        assert_eq!(q.exclude_user, 1);
    }

    #[test]
    fn top_of_the_ladder_has_no_range() {
        let s = seeker_with(Stage::Leading, None);
        assert_eq!(s.stage_range(), None);
        let s = seeker_with(Stage::Established, None);
        assert_eq!(s.stage_range(), Some((Stage::Senior, Stage::Leading)));
    }

    #[test]
    fn topic_overlap_counts_shared_topics() {
        let s = seeker();
        let c = profile(2, Stage::Established);
        let sc = score(&s, &c, now()).unwrap();
        assert_eq!(sc.shared_topics, vec!["portfolios", "user interviews"]);
        assert_eq!(sc.topic_points, 10);
        let mut none = c.clone();
        none.topics = vec!["hiring".into()];
        let sn = score(&s, &none, now()).unwrap();
        assert!(sn.shared_topics.is_empty());
        assert_eq!(sn.topic_points, 0);
        assert_eq!(sc.total - sn.total, 10);
    }

    #[test]
    fn recent_moves_score_higher() {
        let s = seeker();
        let at = |date: Option<NaiveDate>| {
            let mut c = profile(2, Stage::Established);
            c.moved_on = date;
            score(&s, &c, now()).unwrap()
        };
        let d = |y, m| NaiveDate::from_ymd_opt(y, m, 1);
        let recent = at(d(2025, 1));
        assert_eq!(recent.months_since_move, Some(5));
        assert_eq!(recent.recency_points, 15);
        assert_eq!(at(d(2023, 6)).recency_points, 10);
        assert_eq!(at(d(2022, 1)).recency_points, 3);
        assert_eq!(at(d(2010, 1)).recency_points, 0);
        let undated = at(None);
        assert_eq!(undated.months_since_move, None);
        assert_eq!(undated.recency_points, 0);
    }

    #[test]
    fn never_the_seeker_themself() {
        let s = seeker();
        let me = profile(1, Stage::Established);
        assert_eq!(score(&s, &me, now()), None);
        assert!(suggest(&s, [&me], &none_recent(), 3, 5, now()).is_empty());
    }

    #[test]
    fn only_members_open_to_coffee() {
        let s = seeker();
        let mut c = profile(2, Stage::Established);
        c.open_to_coffee = false;
        assert_eq!(score(&s, &c, now()), None);
    }

    #[test]
    fn only_the_same_server() {
        let s = seeker();
        let mut c = profile(2, Stage::Established);
        c.guild_id = GUILD + 1;
        assert_eq!(score(&s, &c, now()), None);
    }

    #[test]
    fn capped_members_are_skipped_and_the_next_best_shown() {
        let s = seeker();
        let best = profile(2, Stage::Established);
        let mut next = profile(3, Stage::Established);
        next.topics.clear();
        let mut third = profile(4, Stage::Senior);
        third.topics.clear();
        let all = [best.clone(), next.clone(), third.clone()];
        let ids = |v: Vec<Suggestion>| v.into_iter().map(|s| s.user_id).collect::<Vec<_>>();

        assert_eq!(
            ids(suggest(&s, &all, &none_recent(), 3, 2, now())),
            vec![2, 3]
        );
        let busy = HashMap::from([(2, 3)]);
        assert_eq!(ids(suggest(&s, &all, &busy, 3, 2, now())), vec![3, 4]);
        let under = HashMap::from([(2, 2)]);
        assert_eq!(ids(suggest(&s, &all, &under, 3, 2, now())), vec![2, 3]);
        // A cap of 0 means the server set no cap.
        let very_busy = HashMap::from([(2, 100)]);
        assert_eq!(ids(suggest(&s, &all, &very_busy, 0, 2, now())), vec![2, 3]);
    }

    #[test]
    fn ties_sort_by_user_id() {
        let s = seeker();
        let a = profile(9, Stage::Established);
        let b = profile(5, Stage::Established);
        let out = suggest(&s, [&a, &b], &none_recent(), 3, 5, now());
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].score.total, out[1].score.total);
        assert_eq!((out[0].user_id, out[1].user_id), (5, 9));
        assert!(suggest(&s, [&a, &b], &none_recent(), 3, 0, now()).is_empty());
    }

    #[test]
    fn reason_reads_as_one_line() {
        let s = seeker();
        let c = profile(2, Stage::Established);
        let out = suggest(&s, [&c], &none_recent(), 3, 5, now());
        assert_eq!(
            out[0].reason,
            "moved from teaching to UX research 2 years ago; 2 steps ahead; \
             shares: portfolios, user interviews; can help with: reviewing a case study"
        );
    }

    #[test]
    fn reason_without_move_uses_role_and_field_and_trims_help() {
        let s = seeker();
        let mut c = profile(2, Stage::FirstRole);
        c.move_from = None;
        c.move_to = None;
        c.moved_on = None;
        c.field = "UX research".into();
        c.topics.clear();
        c.can_help_with = "x".repeat(400);
        let sc = score(&s, &c, now()).unwrap();
        let line = reason(&c, &sc);
        assert!(
            line.starts_with("UX researcher in UX research; 1 step ahead; can help with: xxx"),
            "{line}"
        );
        assert_eq!(line.chars().count(), MAX_REASON_CHARS);
        assert!(line.ends_with('…'));
        assert!(!line.contains('\n'));
    }

    #[test]
    fn ago_text_reads_naturally() {
        assert_eq!(ago_text(0), "this month");
        assert_eq!(ago_text(1), "1 month ago");
        assert_eq!(ago_text(7), "7 months ago");
        assert_eq!(ago_text(12), "1 year ago");
        assert_eq!(ago_text(30), "2 years ago");
    }

    #[test]
    fn profile_tokens_cover_every_path_text() {
        let p = profile(2, Stage::Senior);
        let t = profile_path_tokens(&p);
        for word in ["research", "ux", "teach", "design"] {
            assert!(t.contains(&word.to_string()), "{word} in {t:?}");
        }
    }
}

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

#[cfg(test)]
mod index_tests {
    use super::*;
    use crate::core::profile::Stage;

    fn profile(user_id: u64, field: &str, stage: Stage, open: bool) -> Profile {
        Profile {
            guild_id: 1,
            user_id,
            role: "analyst".into(),
            field: field.into(),
            stage,
            move_from: None,
            move_to: None,
            moved_on: None,
            topics: Vec::new(),
            can_help_with: String::new(),
            open_to_coffee: open,
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn the_index_follows_writes_and_deletes() {
        let mut index = PeerIndex::new([
            profile(1, "UX research", Stage::FirstRole, true),
            profile(2, "UX research", Stage::Established, false),
            profile(3, "nursing", Stage::FirstRole, true),
        ]);
        assert_eq!(index.len(), 2, "closed profiles are not indexed");
        let seeker = Seeker {
            guild_id: 1,
            user_id: 9,
            profile: None,
            goal: Some("UX research".into()),
        };
        let ids = |index: &PeerIndex| -> Vec<u64> {
            index
                .suggest(&seeker, &HashMap::new(), 0, 5, Utc::now())
                .iter()
                .map(|s| s.user_id)
                .collect()
        };
        assert_eq!(ids(&index), [1]);
        index.upsert(profile(2, "UX research", Stage::Established, true));
        assert_eq!(ids(&index).len(), 2);
        index.upsert(profile(1, "nursing", Stage::FirstRole, true));
        assert_eq!(
            ids(&index),
            [2],
            "a changed field leaves the old token's list"
        );
        index.remove(2);
        assert!(ids(&index).is_empty());
    }
}
