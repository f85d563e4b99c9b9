//! Tips, and the decision of which tip is due now.
//!
//! [`Tips`] is the list loaded (strictly) from `config/tips.toml`: each [`Tip`] has a stable
//! kebab-case id, the check it teaches (a loaded check's id or [`GENERAL`]), a short text, and
//! optional `before`/`after` example phrasings. [`Tips::random_pick`] serves `/tip` from a seed
//! the adapter passes in. The schedule side is [`TipSchedule`] (channel, [`Cadence`], local hour,
//! time zone) with [`next_due`], and [`decide`], which looks at the stored [`TipHistory`], the
//! channel's activity and the server's recent check failures and returns a [`Decision`]: set the
//! first due time, wait, skip a quiet slot, or post a given tip with the history to store.
//! Nothing here reads the clock: `now` is always an argument.

mod catalog;
mod schedule;

pub use catalog::{Tip, Tips, GENERAL};
pub use schedule::{
    decide, next_due, week_start, Cadence, Decision, InvalidHour, ParseCadenceError, TipHistory,
    TipSchedule,
};
