//! Tips, and the decision of which tip is due now.
//!
//! [`Tips`] is the list loaded (strictly) from `config/tips.toml`: each [`Tip`] has a stable
//! kebab-case id, the check it teaches (one of [`CHECK_IDS`] or [`GENERAL`]), a short text, and
//! optional `before`/`after` example phrasings. [`Tips::random_pick`] serves `/tip` from a seed
//! the adapter passes in. The schedule side is [`TipSchedule`] (channel, [`Cadence`], local hour,
//! time zone) with [`next_due`], and [`decide`], which looks at the stored [`TipHistory`], the
//! channel's activity and the server's recent check failures and returns a [`Decision`]: set the
//! first due time, wait, skip a quiet slot, or post a given tip with the history to store.
//! Nothing here reads the clock: `now` is always an argument.

use std::collections::HashSet;
use std::fmt;
use std::path::Path;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// The five check ids, in their canonical order (also the tie-break order when leaning).
pub const CHECK_IDS: [&str; 5] = [
    "reason-for-them",
    "not-free-advice",
    "not-searchable",
    "right-size-ask",
    "right-people",
];

/// The pseudo-check of tips that are about networking in general rather than one check.
pub const GENERAL: &str = "general";

/// Everything that can go wrong while loading a tips file. Every variant names the file, and
/// the tip where there is one.
#[derive(Debug, thiserror::Error)]
pub enum TipsError {
    /// The file could not be read.
    #[error("{file}: cannot read the tips file: {source}")]
    Read {
        file: String,
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid TOML, or its top level is not `[[tip]]` tables.
    #[error("{file}: {message}")]
    Syntax { file: String, message: String },
    /// One `[[tip]]` table has an unknown key, a missing key or a wrong type.
    #[error("{file}: tip `{tip}`: {message}")]
    Tip {
        file: String,
        tip: String,
        message: String,
    },
    /// The id is not kebab-case (lowercase ASCII letters and digits joined by single dashes).
    #[error("{file}: tip `{tip}`: the id must be kebab-case, like `say-what-they-get`")]
    BadId { file: String, tip: String },
    /// Two tips share an id.
    #[error("{file}: tip `{tip}` is defined more than once; ids must be unique")]
    DuplicateId { file: String, tip: String },
    /// The check is not one of the five ids nor `general`.
    #[error(
        "{file}: tip `{tip}`: unknown check `{check}` (expected one of {expected}, or `general`)"
    )]
    UnknownCheck {
        file: String,
        tip: String,
        check: String,
        expected: String,
    },
    /// A text field is present but empty.
    #[error("{file}: tip `{tip}`: `{field}` is empty")]
    Empty {
        file: String,
        tip: String,
        field: &'static str,
    },
    /// The file has no tip at all.
    #[error("{file}: no tips: add at least one `[[tip]]` table")]
    NoTips { file: String },
}

/// One tip as written in `config/tips.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tip {
    /// Stable kebab-case id; stored in [`TipHistory::shown`].
    pub id: String,
    /// One of [`CHECK_IDS`] or [`GENERAL`].
    pub check: String,
    /// The tip itself, one or two sentences.
    pub text: String,
    /// An example phrasing that the tip warns against.
    #[serde(default)]
    pub before: Option<String>,
    /// The same example, improved.
    #[serde(default)]
    pub after: Option<String>,
}

/// The loaded tips, in file order. Never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tips {
    tips: Vec<Tip>,
}

impl Tips {
    /// Reads and validates a tips file.
    pub fn load(path: impl AsRef<Path>) -> Result<Tips, TipsError> {
        let path = path.as_ref();
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| TipsError::Read {
            file: file.clone(),
            source,
        })?;
        Tips::from_str(&text, &file)
    }

    /// Parses and validates tips from TOML text; `source` names the file in errors.
    pub fn from_str(text: &str, source: &str) -> Result<Tips, TipsError> {
        let file = source.to_string();
        let syntax = |message: String| TipsError::Syntax {
            file: file.clone(),
            message,
        };
        let mut table: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| syntax(format!("invalid TOML: {}", e.message())))?;
        let entries = match table.remove("tip") {
            Some(toml::Value::Array(entries)) => entries,
            Some(_) => return Err(syntax("`tip` must be an array of `[[tip]]` tables".into())),
            None => Vec::new(),
        };
        if let Some(key) = table.keys().next() {
            return Err(syntax(format!(
                "unknown top-level key `{key}`; only `[[tip]]` tables are allowed"
            )));
        }
        let mut tips = Vec::with_capacity(entries.len());
        let mut seen = HashSet::new();
        for (index, entry) in entries.into_iter().enumerate() {
            let name = entry
                .get("id")
                .and_then(toml::Value::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| format!("#{} (no id)", index + 1));
            let tip = Tip::deserialize(entry).map_err(|e| TipsError::Tip {
                file: file.clone(),
                tip: name.clone(),
                message: e.message().to_string(),
            })?;
            validate_tip(&tip, &file)?;
            if !seen.insert(tip.id.clone()) {
                return Err(TipsError::DuplicateId { file, tip: tip.id });
            }
            tips.push(tip);
        }
        if tips.is_empty() {
            return Err(TipsError::NoTips { file });
        }
        Ok(Tips { tips })
    }

    /// All tips in file order.
    pub fn all(&self) -> &[Tip] {
        &self.tips
    }

    /// The tip with this id.
    pub fn get(&self, id: &str) -> Option<&Tip> {
        self.tips.iter().find(|t| t.id == id)
    }

    /// How many tips there are (at least one).
    pub fn len(&self) -> usize {
        self.tips.len()
    }

    /// Always false: loading rejects an empty file.
    pub fn is_empty(&self) -> bool {
        self.tips.is_empty()
    }

    /// A tip for `/tip`, chosen from `seed` (the adapter passes a random seed; the same seed
    /// always gives the same tip).
    pub fn random_pick(&self, seed: u64) -> &Tip {
        // `Tips` is never empty (checked at load), so the index is in range.
        let len = self.tips.len().max(1) as u64;
        let index = (splitmix64(seed) % len) as usize;
        &self.tips[index.min(self.tips.len().saturating_sub(1))]
    }
}

fn validate_tip(tip: &Tip, file: &str) -> Result<(), TipsError> {
    if !is_kebab_case(&tip.id) {
        return Err(TipsError::BadId {
            file: file.to_string(),
            tip: tip.id.clone(),
        });
    }
    if tip.check != GENERAL && !CHECK_IDS.contains(&tip.check.as_str()) {
        return Err(TipsError::UnknownCheck {
            file: file.to_string(),
            tip: tip.id.clone(),
            check: tip.check.clone(),
            expected: CHECK_IDS
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    let fields = [
        ("text", Some(&tip.text)),
        ("before", tip.before.as_ref()),
        ("after", tip.after.as_ref()),
    ];
    for (field, value) in fields {
        if value.is_some_and(|v| v.trim().is_empty()) {
            return Err(TipsError::Empty {
                file: file.to_string(),
                tip: tip.id.clone(),
                field,
            });
        }
    }
    Ok(())
}

fn is_kebab_case(id: &str) -> bool {
    !id.is_empty()
        && id.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// A well-mixed 64-bit hash of the seed, so nearby seeds give unrelated picks.
fn splitmix64(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// On which days a scheduled tip may be posted (in the schedule's time zone).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Cadence {
    /// Every day.
    Daily,
    /// Monday to Friday.
    Weekdays,
    /// Mondays only.
    Weekly,
}

impl Cadence {
    /// Whether a tip may be posted on this (local) weekday.
    pub fn allows(self, day: Weekday) -> bool {
        match self {
            Cadence::Daily => true,
            Cadence::Weekdays => !matches!(day, Weekday::Sat | Weekday::Sun),
            Cadence::Weekly => day == Weekday::Mon,
        }
    }

    /// The lowercase name used in settings and in `/setup`.
    pub fn as_str(self) -> &'static str {
        match self {
            Cadence::Daily => "daily",
            Cadence::Weekdays => "weekdays",
            Cadence::Weekly => "weekly",
        }
    }
}

impl fmt::Display for Cadence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text was not `daily`, `weekdays` or `weekly`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown cadence `{0}`: expected `daily`, `weekdays` or `weekly`")]
pub struct ParseCadenceError(pub String);

impl FromStr for Cadence {
    type Err = ParseCadenceError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "daily" => Ok(Cadence::Daily),
            "weekdays" => Ok(Cadence::Weekdays),
            "weekly" => Ok(Cadence::Weekly),
            _ => Err(ParseCadenceError(s.to_string())),
        }
    }
}

/// A server's tip schedule: post in `channel_id` at local `hour:00` on the days `cadence` allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TipSchedule {
    /// The mentoring channel.
    pub channel_id: u64,
    /// Which days.
    pub cadence: Cadence,
    /// Local hour, 0-23 (a larger value is treated as 23).
    pub hour: u8,
    /// The server's time zone.
    pub tz: Tz,
}

/// The hour given to [`TipSchedule::new`] was not 0-23.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("hour {0} is out of range: use 0-23 (local time)")]
pub struct InvalidHour(pub u8);

impl TipSchedule {
    /// A schedule, checking that `hour` is 0-23 (for `/setup`).
    pub fn new(channel_id: u64, cadence: Cadence, hour: u8, tz: Tz) -> Result<Self, InvalidHour> {
        if hour > 23 {
            return Err(InvalidHour(hour));
        }
        Ok(TipSchedule {
            channel_id,
            cadence,
            hour,
            tz,
        })
    }
}

/// The next local `hour:00` on an allowed day strictly after `after`.
///
/// Across DST: a local time that does not exist (clocks jump forward over it) becomes the first
/// instant after the jump; a local time that happens twice (clocks go back) is the earlier one.
pub fn next_due(schedule: &TipSchedule, after: DateTime<Utc>) -> DateTime<Utc> {
    let tz = schedule.tz;
    let hour = u32::from(schedule.hour.min(23));
    let local_date = after.with_timezone(&tz).date_naive();
    // Start a day early so a slot shifted by a DST gap is never missed; 10 days covers a week.
    let mut date = local_date.pred_opt().unwrap_or(local_date);
    for _ in 0..10 {
        if schedule.cadence.allows(date.weekday()) {
            if let Some(naive) = date.and_hms_opt(hour, 0, 0) {
                if let Some(instant) = resolve_local(&tz, naive) {
                    if instant > after {
                        return instant;
                    }
                }
            }
        }
        match date.succ_opt() {
            Some(next) => date = next,
            None => break,
        }
    }
    // Unreachable for real dates; a day later is a safe answer that never loops.
    after + Duration::days(1)
}

/// The UTC instant of a local time: the earliest if ambiguous, the first valid minute after it
/// if it falls in a gap.
fn resolve_local(tz: &Tz, naive: NaiveDateTime) -> Option<DateTime<Utc>> {
    let mut candidate = naive;
    // Gaps are at most a few hours (usually one); search a day of minutes at most.
    for _ in 0..=(24 * 60) {
        if let Some(local) = tz.from_local_datetime(&candidate).earliest() {
            return Some(local.with_timezone(&Utc));
        }
        candidate += Duration::minutes(1);
    }
    None
}

/// What the store keeps per server about scheduled tips.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TipHistory {
    /// When the next tip is due; `None` until [`decide`] first schedules one.
    pub next_due: Option<DateTime<Utc>>,
    /// Ids of the tips posted in the current rotation, oldest first.
    pub shown: Vec<String>,
    /// When the last scheduled tip was posted.
    pub last_posted_at: Option<DateTime<Utc>>,
}

/// What the adapter should do now for one server's schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// First run (no due time stored yet): store this due time, post nothing.
    Schedule { next_due: DateTime<Utc> },
    /// Not due yet: do nothing.
    NotYet,
    /// Due, but nobody wrote in the channel since the last tip: post nothing, store this due time.
    Skip { next_due: DateTime<Utc> },
    /// Post this tip and store `new_history`.
    Post {
        tip_id: String,
        new_history: TipHistory,
    },
}

impl Decision {
    /// The history the adapter should store after acting on this decision, or `None` when
    /// nothing changes.
    pub fn updated_history(&self, old: &TipHistory) -> Option<TipHistory> {
        match self {
            Decision::NotYet => None,
            Decision::Schedule { next_due } | Decision::Skip { next_due } => Some(TipHistory {
                next_due: Some(*next_due),
                ..old.clone()
            }),
            Decision::Post { new_history, .. } => Some(new_history.clone()),
        }
    }
}

/// Decides whether a scheduled tip is due now and which one.
///
/// `recent_failures` are the server's anonymous counts per check id over the last 7 days (the
/// adapter sums them); the pick leans toward the most-failed check that still has an unshown
/// tip, and otherwise takes the first unshown tip in file order. When every tip has been shown
/// the rotation starts again (never opening with the tip just posted). After a long downtime
/// only one tip is posted and the next slot is computed from `now`, so there is no burst.
pub fn decide(
    schedule: &TipSchedule,
    history: &TipHistory,
    tips: &Tips,
    channel_active_since_last_tip: bool,
    recent_failures: &[(String, u32)],
    now: DateTime<Utc>,
) -> Decision {
    let Some(due) = history.next_due else {
        return Decision::Schedule {
            next_due: next_due(schedule, now),
        };
    };
    if now < due {
        return Decision::NotYet;
    }
    let following = next_due(schedule, now);
    if !channel_active_since_last_tip {
        return Decision::Skip {
            next_due: following,
        };
    }
    let (tip, mut shown) = pick(tips, &history.shown, recent_failures);
    let tip_id = tip.id.clone();
    shown.push(tip_id.clone());
    Decision::Post {
        tip_id,
        new_history: TipHistory {
            next_due: Some(following),
            shown,
            last_posted_at: Some(now),
        },
    }
}

/// Picks the next tip and returns it with the rotation it belongs to (without the tip itself).
fn pick<'a>(
    tips: &'a Tips,
    shown: &[String],
    failures: &[(String, u32)],
) -> (&'a Tip, Vec<String>) {
    // Forget ids that are no longer in the file.
    let mut rotation: Vec<String> = shown
        .iter()
        .filter(|id| tips.get(id).is_some())
        .cloned()
        .collect();
    let mut avoid = None;
    if tips.all().iter().all(|t| rotation.contains(&t.id)) {
        // Everyone has been shown: start a new rotation, but don't repeat the last tip at once.
        avoid = shown.last().cloned();
        rotation.clear();
    }
    let eligible = |t: &&Tip| !rotation.contains(&t.id) && avoid.as_deref() != Some(t.id.as_str());
    let mut checks: Vec<(&str, u32, usize)> = failures
        .iter()
        .filter(|(_, n)| *n > 0)
        .filter_map(|(check, n)| {
            CHECK_IDS
                .iter()
                .position(|c| c == check)
                .map(|order| (CHECK_IDS[order], *n, order))
        })
        .collect();
    checks.sort_by(|a, b| b.1.cmp(&a.1).then(a.2.cmp(&b.2)));
    let leaning = checks.iter().find_map(|(check, _, _)| {
        tips.all()
            .iter()
            .filter(eligible)
            .find(|t| t.check == *check)
    });
    let chosen = leaning
        .or_else(|| tips.all().iter().find(eligible))
        .or_else(|| tips.all().iter().find(|t| !rotation.contains(&t.id)))
        .unwrap_or(&tips.all()[0]);
    (chosen, rotation)
}

/// Monday of the ISO week that contains `now` (in UTC): the key of the anonymous weekly counts.
pub fn week_start(now: DateTime<Utc>) -> NaiveDate {
    let date = now.date_naive();
    date - Duration::days(i64::from(date.weekday().num_days_from_monday()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::America::New_York;
    use chrono_tz::Asia::Jerusalem;

    const TIPS_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/config/tips.toml");

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn schedule(cadence: Cadence, hour: u8, tz: Tz) -> TipSchedule {
        TipSchedule {
            channel_id: 42,
            cadence,
            hour,
            tz,
        }
    }

    fn small_tips() -> Tips {
        Tips::from_str(
            r#"
[[tip]]
id = "a-reason"
check = "reason-for-them"
text = "Say what they get."
[[tip]]
id = "b-general"
check = "general"
text = "Thank people."
[[tip]]
id = "c-size"
check = "right-size-ask"
text = "Ask for the favour."
[[tip]]
id = "d-reason"
check = "reason-for-them"
text = "Offer something."
"#,
            "test.toml",
        )
        .unwrap()
    }

    #[test]
    fn the_shipped_tips_file_loads_with_enough_tips_per_check() {
        let tips = Tips::load(TIPS_PATH).unwrap();
        assert!(tips.len() >= 25, "only {} tips", tips.len());
        for check in CHECK_IDS.iter().chain(std::iter::once(&GENERAL)) {
            let n = tips.all().iter().filter(|t| t.check == *check).count();
            assert!(n >= 4, "{check} has only {n} tips");
        }
        let ids: HashSet<_> = tips.all().iter().map(|t| &t.id).collect();
        assert_eq!(ids.len(), tips.len());
        for tip in tips.all() {
            assert!(tip.text.len() <= 300, "{} is too long", tip.id);
        }
    }

    #[test]
    fn loading_rejects_unknown_keys_naming_file_and_tip() {
        let err = Tips::from_str(
            "[[tip]]\nid = \"x\"\ncheck = \"general\"\ntext = \"t\"\ncolour = \"red\"\n",
            "tips.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("tips.toml") && err.contains("`x`") && err.contains("colour"),
            "{err}"
        );
        let err = Tips::from_str("title = \"t\"\n", "tips.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("tips.toml") && err.contains("title"), "{err}");
    }

    #[test]
    fn loading_rejects_duplicates_unknown_checks_empty_text_and_bad_ids() {
        let dup = "[[tip]]\nid = \"x\"\ncheck = \"general\"\ntext = \"t\"\n[[tip]]\nid = \"x\"\ncheck = \"general\"\ntext = \"u\"\n";
        assert!(matches!(
            Tips::from_str(dup, "f.toml"),
            Err(TipsError::DuplicateId { tip, .. }) if tip == "x"
        ));
        let unknown = "[[tip]]\nid = \"x\"\ncheck = \"be-nice\"\ntext = \"t\"\n";
        let err = Tips::from_str(unknown, "f.toml").unwrap_err().to_string();
        assert!(
            err.contains("f.toml") && err.contains("`x`") && err.contains("be-nice"),
            "{err}"
        );
        let empty = "[[tip]]\nid = \"x\"\ncheck = \"general\"\ntext = \"  \"\n";
        assert!(matches!(
            Tips::from_str(empty, "f.toml"),
            Err(TipsError::Empty { field: "text", .. })
        ));
        let bad = "[[tip]]\nid = \"Not_Kebab\"\ncheck = \"general\"\ntext = \"t\"\n";
        assert!(matches!(
            Tips::from_str(bad, "f.toml"),
            Err(TipsError::BadId { .. })
        ));
        let missing = "[[tip]]\nid = \"x\"\ncheck = \"general\"\n";
        let err = Tips::from_str(missing, "f.toml").unwrap_err().to_string();
        assert!(err.contains("`x`") && err.contains("text"), "{err}");
        assert!(matches!(
            Tips::from_str("", "f.toml"),
            Err(TipsError::NoTips { .. })
        ));
        assert!(matches!(
            Tips::from_str("[[tip]\n", "f.toml"),
            Err(TipsError::Syntax { .. })
        ));
        assert!(matches!(
            Tips::load("/nonexistent/tips.toml"),
            Err(TipsError::Read { .. })
        ));
    }

    #[test]
    fn random_pick_is_deterministic_and_spreads() {
        let tips = Tips::load(TIPS_PATH).unwrap();
        assert_eq!(tips.random_pick(7).id, tips.random_pick(7).id);
        let distinct: HashSet<_> = (0..200).map(|s| tips.random_pick(s).id.clone()).collect();
        assert!(distinct.len() > tips.len() / 2);
    }

    #[test]
    fn cadence_parses_and_displays() {
        assert_eq!("daily".parse::<Cadence>(), Ok(Cadence::Daily));
        assert_eq!(" Weekdays ".parse::<Cadence>(), Ok(Cadence::Weekdays));
        assert_eq!("weekly".parse::<Cadence>(), Ok(Cadence::Weekly));
        assert!("monthly".parse::<Cadence>().is_err());
        assert_eq!(Cadence::Weekdays.to_string(), "weekdays");
    }

    #[test]
    fn schedule_hours_are_checked() {
        assert!(TipSchedule::new(1, Cadence::Daily, 23, Jerusalem).is_ok());
        assert_eq!(
            TipSchedule::new(1, Cadence::Daily, 24, Jerusalem),
            Err(InvalidHour(24))
        );
        // A hand-built out-of-range hour is treated as 23, never a panic.
        let s = schedule(Cadence::Daily, 200, chrono_tz::UTC);
        assert_eq!(
            next_due(&s, utc("2024-05-01T00:00:00Z")),
            utc("2024-05-01T23:00:00Z")
        );
    }

    #[test]
    fn daily_is_the_next_hour_strictly_after() {
        let s = schedule(Cadence::Daily, 9, chrono_tz::UTC);
        assert_eq!(
            next_due(&s, utc("2024-05-01T08:59:00Z")),
            utc("2024-05-01T09:00:00Z")
        );
        assert_eq!(
            next_due(&s, utc("2024-05-01T09:00:00Z")),
            utc("2024-05-02T09:00:00Z")
        );
        assert_eq!(
            next_due(&s, utc("2024-05-31T23:00:00Z")),
            utc("2024-06-01T09:00:00Z")
        );
    }

    #[test]
    fn weekdays_skip_the_weekend() {
        let s = schedule(Cadence::Weekdays, 10, chrono_tz::UTC);
        // Friday 2024-05-03 after 10:00 -> Monday 2024-05-06.
        assert_eq!(
            next_due(&s, utc("2024-05-03T10:30:00Z")),
            utc("2024-05-06T10:00:00Z")
        );
        // Saturday -> Monday.
        assert_eq!(
            next_due(&s, utc("2024-05-04T08:00:00Z")),
            utc("2024-05-06T10:00:00Z")
        );
    }

    #[test]
    fn weekly_is_mondays() {
        let s = schedule(Cadence::Weekly, 8, chrono_tz::UTC);
        assert_eq!(
            next_due(&s, utc("2024-05-01T12:00:00Z")),
            utc("2024-05-06T08:00:00Z")
        );
        assert_eq!(
            next_due(&s, utc("2024-05-06T08:00:00Z")),
            utc("2024-05-13T08:00:00Z")
        );
        assert_eq!(
            next_due(&s, utc("2024-05-06T07:00:00Z")),
            utc("2024-05-06T08:00:00Z")
        );
    }

    #[test]
    fn weekly_uses_the_local_monday() {
        // Monday 00:00 in Jerusalem (UTC+3 in summer) is Sunday 21:00 UTC.
        let s = schedule(Cadence::Weekly, 0, Jerusalem);
        assert_eq!(
            next_due(&s, utc("2024-05-05T12:00:00Z")),
            utc("2024-05-05T21:00:00Z")
        );
    }

    #[test]
    fn jerusalem_and_new_york_offsets_change_with_dst() {
        let s = schedule(Cadence::Daily, 9, Jerusalem);
        // Winter: UTC+2.
        assert_eq!(
            next_due(&s, utc("2024-01-10T00:00:00Z")),
            utc("2024-01-10T07:00:00Z")
        );
        // Summer: UTC+3.
        assert_eq!(
            next_due(&s, utc("2024-07-10T00:00:00Z")),
            utc("2024-07-10T06:00:00Z")
        );
        // New York springs forward on 2024-03-10.
        let s = schedule(Cadence::Daily, 9, New_York);
        assert_eq!(
            next_due(&s, utc("2024-03-09T15:00:00Z")),
            utc("2024-03-10T13:00:00Z")
        );
        assert_eq!(
            next_due(&s, utc("2024-03-08T15:00:00Z")),
            utc("2024-03-09T14:00:00Z")
        );
        // And falls back on 2024-11-03.
        assert_eq!(
            next_due(&s, utc("2024-11-02T14:00:00Z")),
            utc("2024-11-03T14:00:00Z")
        );
    }

    #[test]
    fn a_missing_local_hour_becomes_the_first_instant_after_the_jump() {
        // 2024-03-10 02:00 does not exist in New York; clocks go from 01:59:59 EST to 03:00 EDT.
        let s = schedule(Cadence::Daily, 2, New_York);
        let due = next_due(&s, utc("2024-03-09T12:00:00Z"));
        assert_eq!(due, utc("2024-03-10T07:00:00Z"));
        assert_eq!(
            due.with_timezone(&New_York).format("%H:%M").to_string(),
            "03:00"
        );
        // The next day is back to 02:00 EDT.
        assert_eq!(next_due(&s, due), utc("2024-03-11T06:00:00Z"));
    }

    #[test]
    fn an_ambiguous_local_hour_is_the_earlier_instant() {
        // 2024-11-03 01:00 happens twice in New York: 05:00 UTC (EDT) and 06:00 UTC (EST).
        let s = schedule(Cadence::Daily, 1, New_York);
        assert_eq!(
            next_due(&s, utc("2024-11-02T12:00:00Z")),
            utc("2024-11-03T05:00:00Z")
        );
        // Strictly after the first one: the next day, not the repeat of the same hour.
        assert_eq!(
            next_due(&s, utc("2024-11-03T05:00:00Z")),
            utc("2024-11-04T06:00:00Z")
        );
    }

    #[test]
    fn first_run_schedules_without_posting() {
        let s = schedule(Cadence::Daily, 9, chrono_tz::UTC);
        let now = utc("2024-05-01T12:00:00Z");
        let d = decide(&s, &TipHistory::default(), &small_tips(), true, &[], now);
        assert_eq!(
            d,
            Decision::Schedule {
                next_due: utc("2024-05-02T09:00:00Z")
            }
        );
    }

    #[test]
    fn not_yet_before_the_due_time() {
        let s = schedule(Cadence::Daily, 9, chrono_tz::UTC);
        let history = TipHistory {
            next_due: Some(utc("2024-05-02T09:00:00Z")),
            ..TipHistory::default()
        };
        let d = decide(
            &s,
            &history,
            &small_tips(),
            true,
            &[],
            utc("2024-05-02T08:59:59Z"),
        );
        assert_eq!(d, Decision::NotYet);
        assert_eq!(d.updated_history(&history), None);
    }

    #[test]
    fn a_quiet_channel_skips_the_slot() {
        let s = schedule(Cadence::Daily, 9, chrono_tz::UTC);
        let history = TipHistory {
            next_due: Some(utc("2024-05-02T09:00:00Z")),
            shown: vec!["a-reason".into()],
            last_posted_at: Some(utc("2024-05-01T09:00:00Z")),
        };
        let now = utc("2024-05-02T09:00:30Z");
        let d = decide(&s, &history, &small_tips(), false, &[], now);
        assert_eq!(
            d,
            Decision::Skip {
                next_due: utc("2024-05-03T09:00:00Z")
            }
        );
        let stored = d.updated_history(&history).unwrap();
        assert_eq!(stored.shown, history.shown);
        assert_eq!(stored.last_posted_at, history.last_posted_at);
        assert_eq!(stored.next_due, Some(utc("2024-05-03T09:00:00Z")));
    }

    #[test]
    fn posting_then_restarting_neither_skips_nor_doubles() {
        let s = schedule(Cadence::Daily, 9, chrono_tz::UTC);
        let tips = small_tips();
        let now = utc("2024-05-02T09:00:05Z");
        let history = TipHistory {
            next_due: Some(utc("2024-05-02T09:00:00Z")),
            ..TipHistory::default()
        };
        let d = decide(&s, &history, &tips, true, &[], now);
        let Decision::Post {
            tip_id,
            new_history,
        } = &d
        else {
            panic!("expected a post, got {d:?}");
        };
        assert_eq!(tip_id, "a-reason");
        assert_eq!(new_history.last_posted_at, Some(now));
        assert_eq!(new_history.next_due, Some(utc("2024-05-03T09:00:00Z")));
        // Persist as JSON, "restart", and ask again at the same instant.
        let json = serde_json::to_string(&d.updated_history(&history).unwrap()).unwrap();
        let restored: TipHistory = serde_json::from_str(&json).unwrap();
        assert_eq!(
            decide(&s, &restored, &tips, true, &[], now),
            Decision::NotYet
        );
        // Restarting before the due time was reached and persisted: still due, posted once.
        let d2 = decide(&s, &history, &tips, true, &[], now + Duration::minutes(1));
        assert!(matches!(d2, Decision::Post { .. }));
    }

    #[test]
    fn rotation_shows_every_tip_once_before_repeating() {
        let s = schedule(Cadence::Daily, 9, chrono_tz::UTC);
        let tips = small_tips();
        let mut history = TipHistory {
            next_due: Some(utc("2024-05-01T09:00:00Z")),
            ..TipHistory::default()
        };
        let mut posted = Vec::new();
        for _ in 0..8 {
            let now = history.next_due.unwrap();
            let d = decide(&s, &history, &tips, true, &[], now);
            let Decision::Post {
                tip_id,
                new_history,
            } = d
            else {
                panic!("expected a post");
            };
            posted.push(tip_id);
            history = new_history;
        }
        assert_eq!(
            &posted[..4],
            &["a-reason", "b-general", "c-size", "d-reason"]
        );
        let first: HashSet<_> = posted[..4].iter().collect();
        let second: HashSet<_> = posted[4..].iter().collect();
        assert_eq!(first.len(), 4);
        assert_eq!(second.len(), 4);
        // The new rotation does not open with the tip just shown.
        assert_ne!(posted[3], posted[4]);
    }

    #[test]
    fn leans_toward_the_most_failed_check() {
        let s = schedule(Cadence::Daily, 9, chrono_tz::UTC);
        let tips = small_tips();
        let history = TipHistory {
            next_due: Some(utc("2024-05-01T09:00:00Z")),
            shown: vec!["a-reason".into()],
            last_posted_at: None,
        };
        let failures = vec![
            ("reason-for-them".to_string(), 3),
            ("right-size-ask".to_string(), 9),
        ];
        let now = utc("2024-05-01T09:00:00Z");
        let Decision::Post { tip_id, .. } = decide(&s, &history, &tips, true, &failures, now)
        else {
            panic!("expected a post");
        };
        assert_eq!(tip_id, "c-size");
        // When the most-failed check has no unshown tip, the next most-failed one is used.
        let history = TipHistory {
            shown: vec!["a-reason".into(), "c-size".into()],
            ..history
        };
        let Decision::Post { tip_id, .. } = decide(&s, &history, &tips, true, &failures, now)
        else {
            panic!("expected a post");
        };
        assert_eq!(tip_id, "d-reason");
        // Unknown checks and zero counts are ignored.
        let noise = vec![("made-up".to_string(), 50), ("right-people".to_string(), 0)];
        let history = TipHistory {
            shown: vec![],
            ..history
        };
        let Decision::Post { tip_id, .. } = decide(&s, &history, &tips, true, &noise, now) else {
            panic!("expected a post");
        };
        assert_eq!(tip_id, "a-reason");
    }

    #[test]
    fn catch_up_after_downtime_posts_once() {
        let s = schedule(Cadence::Daily, 9, chrono_tz::UTC);
        let tips = small_tips();
        let history = TipHistory {
            next_due: Some(utc("2024-05-01T09:00:00Z")),
            ..TipHistory::default()
        };
        // Down for ten days.
        let now = utc("2024-05-11T15:00:00Z");
        let d = decide(&s, &history, &tips, true, &[], now);
        let new_history = d.updated_history(&history).unwrap();
        assert!(matches!(d, Decision::Post { .. }));
        assert_eq!(new_history.next_due, Some(utc("2024-05-12T09:00:00Z")));
        // Ticking again the same afternoon posts nothing more.
        for minutes in [0, 1, 60, 17 * 60] {
            let later = now + Duration::minutes(minutes);
            assert_eq!(
                decide(&s, &new_history, &tips, true, &[], later),
                Decision::NotYet
            );
        }
    }

    #[test]
    fn stale_ids_in_the_history_are_ignored() {
        let s = schedule(Cadence::Daily, 9, chrono_tz::UTC);
        let history = TipHistory {
            next_due: Some(utc("2024-05-01T09:00:00Z")),
            shown: vec!["removed-tip".into(), "a-reason".into()],
            last_posted_at: None,
        };
        let d = decide(
            &s,
            &history,
            &small_tips(),
            true,
            &[],
            utc("2024-05-01T09:00:00Z"),
        );
        let Decision::Post {
            tip_id,
            new_history,
        } = d
        else {
            panic!("expected a post");
        };
        assert_eq!(tip_id, "b-general");
        assert_eq!(new_history.shown, vec!["a-reason", "b-general"]);
    }

    #[test]
    fn week_start_is_the_monday() {
        let monday = NaiveDate::from_ymd_opt(2024, 5, 6).unwrap();
        assert_eq!(week_start(utc("2024-05-06T00:00:00Z")), monday);
        assert_eq!(week_start(utc("2024-05-08T13:00:00Z")), monday);
        assert_eq!(week_start(utc("2024-05-12T23:59:59Z")), monday);
        assert_eq!(
            week_start(utc("2024-05-13T00:00:00Z")),
            NaiveDate::from_ymd_opt(2024, 5, 13).unwrap()
        );
    }

    proptest::proptest! {
        #[test]
        fn next_due_is_strictly_later_on_an_allowed_day(
            secs in 1_577_836_800i64..1_893_456_000,
            hour in 0u8..24,
            cadence in proptest::sample::select(vec![Cadence::Daily, Cadence::Weekdays, Cadence::Weekly]),
            tz in proptest::sample::select(vec![chrono_tz::UTC, Jerusalem, New_York, chrono_tz::Australia::Lord_Howe, chrono_tz::Europe::London]),
        ) {
            let after = DateTime::from_timestamp(secs, 0).unwrap();
            let s = schedule(cadence, hour, tz);
            let due = next_due(&s, after);
            proptest::prop_assert!(due > after);
            proptest::prop_assert!(due - after <= Duration::days(8));
            let local = due.with_timezone(&tz);
            // Either the exact hour, or the first instant after a DST gap over it.
            let off_by_gap = local.naive_local() - local.date_naive().and_hms_opt(u32::from(hour), 0, 0).unwrap();
            proptest::prop_assert!(off_by_gap >= Duration::zero() && off_by_gap <= Duration::hours(1), "{local}");
            proptest::prop_assert!(cadence.allows(local.weekday()), "{local}");
        }
    }
}
