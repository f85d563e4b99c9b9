//! Member profiles: where someone is on their career path and whether they take coffee chats.
//!
//! A [`Profile`] is what `/profile` stores for one member of one server. Its [`Stage`] is a rung
//! on an ordered ladder (exploring, studying or retraining, first role, established, senior,
//! leading), which is what "a few steps ahead" in [`crate::core::peers`] counts. Members type a
//! [`ProfileInput`] (raw text, as they wrote it); [`ProfileInput::validate`] checks it and turns
//! it into a [`Profile`], or explains what to fix with a [`ProfileError`] whose message is safe
//! to show the member as is. Text is kept as typed: mentions and markdown are only text here,
//! and the Discord adapter is the one that disables pings when it echoes them.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Longest role or field, in characters.
pub const MAX_ROLE_CHARS: usize = 100;
/// Longest field, in characters.
pub const MAX_FIELD_CHARS: usize = 100;
/// Longest "what I can help with", in characters.
pub const MAX_HELP_CHARS: usize = 300;
/// Longest single topic, in characters.
pub const MAX_TOPIC_CHARS: usize = 40;
/// Most topics on one profile.
pub const MAX_TOPICS: usize = 10;
/// Longest side of a move ("from" or "to"), in characters.
pub const MAX_MOVE_SIDE_CHARS: usize = 100;

/// A rung on the career ladder, from exploring to leading. The order is the ladder's order, so
/// `Stage::Studying < Stage::Senior`, and [`Stage::rank`] counts the steps between two rungs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    /// Looking around, not yet committed to a path.
    Exploring,
    /// Studying, or retraining for a new path.
    Studying,
    /// In the first role on the path.
    FirstRole,
    /// Settled in the path, a few years in.
    Established,
    /// Senior on the path.
    Senior,
    /// Leading people or a practice.
    Leading,
}

impl Stage {
    /// Every stage, bottom rung first.
    pub const ALL: [Stage; 6] = [
        Stage::Exploring,
        Stage::Studying,
        Stage::FirstRole,
        Stage::Established,
        Stage::Senior,
        Stage::Leading,
    ];

    /// The stable id used in storage, commands and JSON ("first-role").
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Exploring => "exploring",
            Stage::Studying => "studying",
            Stage::FirstRole => "first-role",
            Stage::Established => "established",
            Stage::Senior => "senior",
            Stage::Leading => "leading",
        }
    }

    /// The words we show a member ("studying or retraining").
    pub fn label(self) -> &'static str {
        match self {
            Stage::Exploring => "exploring",
            Stage::Studying => "studying or retraining",
            Stage::FirstRole => "first role",
            Stage::Established => "established",
            Stage::Senior => "senior",
            Stage::Leading => "leading",
        }
    }

    /// Position on the ladder, 0 for [`Stage::Exploring`] up to 5 for [`Stage::Leading`].
    /// Stable: the store keeps it to filter by stage range.
    pub fn rank(self) -> u8 {
        match self {
            Stage::Exploring => 0,
            Stage::Studying => 1,
            Stage::FirstRole => 2,
            Stage::Established => 3,
            Stage::Senior => 4,
            Stage::Leading => 5,
        }
    }

    /// The stage at a ladder position, if there is one.
    pub fn from_rank(rank: u8) -> Option<Stage> {
        Stage::ALL.get(usize::from(rank)).copied()
    }

    /// The ladder as a member reads it: "exploring → studying or retraining → ... → leading".
    pub fn ladder_text() -> String {
        Stage::ALL
            .iter()
            .map(|s| s.label())
            .collect::<Vec<_>>()
            .join(" → ")
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A stage name that is not on the ladder; the message lists the ladder.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "\"{typed}\" is not a stage we know. Pick one of: {}.",
    Stage::ladder_text()
)]
pub struct UnknownStage {
    /// What the member typed.
    pub typed: String,
}

impl FromStr for Stage {
    type Err = UnknownStage;

    /// Forgiving: case, spaces, underscores and hyphens do not matter, and a few everyday
    /// synonyms are understood ("retraining", "first role", "student", "lead").
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let key: String = s
            .chars()
            .filter(|c| !matches!(c, ' ' | '_' | '-' | '\t'))
            .flat_map(char::to_lowercase)
            .collect();
        let stage = match key.as_str() {
            "exploring" | "explore" | "explorer" => Stage::Exploring,
            "studying"
            | "student"
            | "study"
            | "retraining"
            | "retrain"
            | "studyingorretraining"
            | "studyingretraining" => Stage::Studying,
            "firstrole" | "firstjob" | "junior" | "entrylevel" => Stage::FirstRole,
            "established" | "midlevel" | "mid" => Stage::Established,
            "senior" => Stage::Senior,
            "leading" | "lead" | "leader" | "leadership" => Stage::Leading,
            _ => {
                return Err(UnknownStage {
                    typed: s.trim().to_string(),
                })
            }
        };
        Ok(stage)
    }
}

/// One member's profile in one server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    /// The server the profile belongs to.
    pub guild_id: u64,
    /// The member.
    pub user_id: u64,
    /// Current role, as typed ("UX researcher").
    pub role: String,
    /// Field, as typed ("design").
    pub field: String,
    /// Where they are on the ladder.
    pub stage: Stage,
    /// Where a move started ("teaching"), made or wanted.
    pub move_from: Option<String>,
    /// Where a move leads ("UX research").
    pub move_to: Option<String>,
    /// When the move was made (the first of the month or year when only that was given).
    pub moved_on: Option<NaiveDate>,
    /// Topics, as typed, in the member's order.
    pub topics: Vec<String>,
    /// What they can help with, as typed (may be empty).
    pub can_help_with: String,
    /// Whether they opted in to coffee chats; only they can be suggested as peers.
    pub open_to_coffee: bool,
    /// When the profile was last saved.
    pub updated_at: DateTime<Utc>,
}

/// What a member typed into `/profile`, before any checking. Every field is raw text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileInput {
    /// Current role.
    pub role: String,
    /// Field.
    pub field: String,
    /// Stage, any forgiving spelling [`Stage::from_str`] accepts.
    pub stage: String,
    /// The move as "from -> to" ("→" and " to " work too); either side may be left empty.
    pub move_text: Option<String>,
    /// When the move was made: "2024", "2024-03" or "2024-03-15".
    pub moved: Option<String>,
    /// Topics, comma-separated.
    pub topics: Option<String>,
    /// What they can help with.
    pub can_help_with: Option<String>,
    /// Open to coffee chats. Not given means no: being suggested is opt-in.
    pub open_to_coffee: Option<bool>,
}

/// Why a profile was not saved. Every message is written for the member and is safe to show.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ProfileError {
    /// A required field was empty.
    #[error("Please fill in your {field}.")]
    Missing {
        /// Which field ("role", "field", "stage").
        field: &'static str,
    },
    /// A field was longer than its limit.
    #[error("Your {field} is {len} characters long; please keep it to {max}.")]
    TooLong {
        /// Which field.
        field: &'static str,
        /// Its length in characters.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// More topics than allowed.
    #[error("You listed {count} topics; please keep it to {max} of them.")]
    TooManyTopics {
        /// How many were given.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// One topic was too long.
    #[error("The topic \"{topic}\" is too long; please keep each topic to {max} characters.")]
    TopicTooLong {
        /// The topic as typed.
        topic: String,
        /// The limit.
        max: usize,
    },
    /// The stage is not on the ladder.
    #[error(transparent)]
    Stage(#[from] UnknownStage),
    /// The move could not be read as "from -> to".
    #[error(
        "I could not read the move \"{typed}\". Write it as \"from -> to\", for example \"teaching -> UX research\"."
    )]
    Move {
        /// What was typed.
        typed: String,
    },
    /// The date of the move could not be read.
    #[error(
        "I could not read the date \"{typed}\". Write a year (2024), a month (2024-03) or a day (2024-03-15)."
    )]
    Date {
        /// What was typed.
        typed: String,
    },
    /// The date of the move is after today.
    #[error("The move date {date} is in the future; add it once the move has happened.")]
    FutureDate {
        /// The date read.
        date: NaiveDate,
    },
}

impl ProfileInput {
    /// Checks what the member typed and builds their [`Profile`], stamped `now`.
    ///
    /// Leading and trailing spaces are trimmed; everything else is kept as typed. Limits are
    /// counted in characters, not bytes.
    pub fn validate(
        self,
        guild_id: u64,
        user_id: u64,
        now: DateTime<Utc>,
    ) -> Result<Profile, ProfileError> {
        let role = required("role", &self.role, MAX_ROLE_CHARS)?;
        let field = required("field", &self.field, MAX_FIELD_CHARS)?;
        if self.stage.trim().is_empty() {
            return Err(ProfileError::Missing { field: "stage" });
        }
        let stage: Stage = self.stage.parse()?;

        let (move_from, move_to) = match non_empty(self.move_text.as_deref()) {
            Some(text) => parse_move(text)?,
            None => (None, None),
        };
        let moved_on = match non_empty(self.moved.as_deref()) {
            Some(text) => {
                let date = parse_moved(text)?;
                if date > now.date_naive() {
                    return Err(ProfileError::FutureDate { date });
                }
                Some(date)
            }
            None => None,
        };

        let topics = match non_empty(self.topics.as_deref()) {
            Some(text) => parse_topics(text)?,
            None => Vec::new(),
        };

        let can_help_with = self
            .can_help_with
            .as_deref()
            .unwrap_or("")
            .trim()
            .to_string();
        check_len("\"can help with\"", &can_help_with, MAX_HELP_CHARS)?;

        Ok(Profile {
            guild_id,
            user_id,
            role,
            field,
            stage,
            move_from,
            move_to,
            moved_on,
            topics,
            can_help_with,
            open_to_coffee: self.open_to_coffee.unwrap_or(false),
            updated_at: now,
        })
    }
}

fn non_empty(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|t| !t.is_empty())
}

fn check_len(field: &'static str, text: &str, max: usize) -> Result<(), ProfileError> {
    let len = text.chars().count();
    if len > max {
        return Err(ProfileError::TooLong { field, len, max });
    }
    Ok(())
}

fn required(field: &'static str, text: &str, max: usize) -> Result<String, ProfileError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(ProfileError::Missing { field });
    }
    check_len(field, text, max)?;
    Ok(text.to_string())
}

/// Splits "from -> to" (or "from → to", or "from to to") into its two sides. One side may be
/// empty ("-> UX research"), not both.
pub fn parse_move(text: &str) -> Result<(Option<String>, Option<String>), ProfileError> {
    let bad = || ProfileError::Move {
        typed: text.to_string(),
    };
    let (from, to) = if let Some((from, to)) = text.split_once("->") {
        (from, to)
    } else if let Some((from, to)) = text.split_once('→') {
        (from, to)
    } else {
        // " to " in any case ("teaching To design").
        let at = find_ascii_ci(text, " to ").ok_or_else(bad)?;
        (&text[..at], &text[at + " to ".len()..])
    };
    let side = |s: &str, name: &'static str| -> Result<Option<String>, ProfileError> {
        let s = s.trim();
        if s.is_empty() {
            return Ok(None);
        }
        check_len(name, s, MAX_MOVE_SIDE_CHARS)?;
        Ok(Some(s.to_string()))
    };
    let from = side(from, "move's \"from\" side")?;
    let to = side(to, "move's \"to\" side")?;
    if from.is_none() && to.is_none() {
        return Err(bad());
    }
    Ok((from, to))
}

/// Byte offset of the first case-insensitive match of an ASCII `needle` in `haystack`.
fn find_ascii_ci(haystack: &str, needle: &str) -> Option<usize> {
    let h = haystack.as_bytes();
    let n = needle.as_bytes();
    (0..=h.len().checked_sub(n.len())?).find(|&i| h[i..i + n.len()].eq_ignore_ascii_case(n))
}

/// Reads "2024", "2024-03" or "2024-03-15" ("/" and "." work as separators too). A year alone
/// means January 1st; a month alone means its first day.
pub fn parse_moved(text: &str) -> Result<NaiveDate, ProfileError> {
    let bad = || ProfileError::Date {
        typed: text.to_string(),
    };
    let parts: Vec<&str> = text.trim().split(['-', '/', '.']).collect();
    let num = |s: &str| -> Result<u32, ProfileError> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || s.len() > 4 {
            return Err(bad());
        }
        s.parse().map_err(|_| bad())
    };
    let (year, month, day) = match parts.as_slice() {
        [y] => (num(y)?, 1, 1),
        [y, m] => (num(y)?, num(m)?, 1),
        [y, m, d] => (num(y)?, num(m)?, num(d)?),
        _ => return Err(bad()),
    };
    if !(1900..=9999).contains(&year) {
        return Err(bad());
    }
    let year = i32::try_from(year).map_err(|_| bad())?;
    NaiveDate::from_ymd_opt(year, month, day).ok_or_else(bad)
}

/// Splits comma-separated topics, trims each, skips empty ones between commas, and checks the
/// limits. Topics keep their case and order.
pub fn parse_topics(text: &str) -> Result<Vec<String>, ProfileError> {
    let topics: Vec<String> = text
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect();
    if topics.len() > MAX_TOPICS {
        return Err(ProfileError::TooManyTopics {
            count: topics.len(),
            max: MAX_TOPICS,
        });
    }
    if let Some(topic) = topics.iter().find(|t| t.chars().count() > MAX_TOPIC_CHARS) {
        return Err(ProfileError::TopicTooLong {
            topic: topic.clone(),
            max: MAX_TOPIC_CHARS,
        });
    }
    Ok(topics)
}
