//! When tips are posted: the [`TipSchedule`] and its [`Cadence`], [`next_due`] across time zones
//! and DST, the stored [`TipHistory`], [`decide`] (which tip is due now), and [`week_start`].

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::catalog::{Tip, Tips};

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
            let order = tips.check_order();
            order
                .iter()
                .position(|c| c == check)
                .map(|at| (order[at].as_str(), *n, at))
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
