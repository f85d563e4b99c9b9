//! What a community learns from how its requests went: per check, how often requests that
//! passed it got a yes, against those that failed it.
//!
//! A member who asked to be followed up answers a week later whether the request got a yes
//! ([`Outcome`]). Only the checks' statuses and the answer are kept ([`Record`]), never the
//! draft, the recipient or who sent it. [`compare`] puts the records of a server side by side
//! per check; a [`Comparison`] is shown only when each side has at least the configured number
//! of answers (so nobody can be singled out), and a difference *holds* when Fisher's exact test
//! ([`fisher_exact`], two-sided) gives p < 0.05 and passing did better. Pure: no clock, no I/O.

use serde::{Deserialize, Serialize};

use super::judge::Status;

/// The significance level a difference must reach to hold.
pub const ALPHA: f64 = 0.05;

/// What the member answered when asked how the request went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// They met or talked.
    Yes,
    /// They said no.
    No,
    /// Still no reply when asked the second time.
    NoReply,
    /// The member did not send it.
    NotSent,
}

impl Outcome {
    /// The outcome as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Yes => "yes",
            Outcome::No => "no",
            Outcome::NoReply => "no_reply",
            Outcome::NotSent => "not_sent",
        }
    }

    /// The outcome stored as `text`, if it is one.
    pub fn parse(text: &str) -> Option<Outcome> {
        [
            Outcome::Yes,
            Outcome::No,
            Outcome::NoReply,
            Outcome::NotSent,
        ]
        .into_iter()
        .find(|o| o.as_str() == text)
    }

    /// Whether the request went out, so it counts toward a yes-rate.
    pub fn was_sent(self) -> bool {
        self != Outcome::NotSent
    }
}

/// One answered follow-up: the checks' statuses and how it went. Nothing about who sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Check id and status, as the review found them.
    pub statuses: Vec<(String, Status)>,
    /// Whether the member said they would use the better phrasing.
    pub used_phrasing: bool,
    /// How it went.
    pub outcome: Outcome,
}

/// Yeses out of the requests sent, on one side of a check.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Side {
    pub yes: u32,
    pub sent: u32,
}

impl Side {
    /// The share of yeses, 0 when nothing was sent.
    pub fn rate(self) -> f64 {
        if self.sent == 0 {
            0.0
        } else {
            f64::from(self.yes) / f64::from(self.sent)
        }
    }
}

/// One check: requests that passed it against requests that failed it.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// The check id.
    pub check: String,
    pub passed: Side,
    pub failed: Side,
    /// Fisher's exact test, two-sided, on the 2x2 table yes/no by passed/failed.
    pub p_value: f64,
}

impl Comparison {
    /// Whether both sides have at least `min` answers: below that nothing is shown.
    pub fn shown(&self, min: u32) -> bool {
        self.passed.sent >= min && self.failed.sent >= min
    }

    /// Whether passing the check went with more yeses, beyond chance (p < [`ALPHA`]), with at
    /// least `min` answers on each side.
    pub fn holds(&self, min: u32) -> bool {
        self.shown(min) && self.p_value < ALPHA && self.passed.rate() > self.failed.rate()
    }

    /// How many times as often passing got a yes ("2x"), when failing got any.
    pub fn ratio(&self) -> Option<f64> {
        (self.failed.rate() > 0.0).then(|| self.passed.rate() / self.failed.rate())
    }
}

/// Per check in `check_ids` (in that order), the sent requests that passed it against those
/// that failed it. Requests not sent and checks not judged count on neither side.
pub fn compare(records: &[Record], check_ids: &[&str]) -> Vec<Comparison> {
    check_ids
        .iter()
        .map(|&check| {
            let (mut passed, mut failed) = (Side::default(), Side::default());
            for r in records.iter().filter(|r| r.outcome.was_sent()) {
                let side = match r.statuses.iter().find(|(id, _)| id == check) {
                    Some((_, Status::Passed)) => &mut passed,
                    Some((_, Status::Failed)) => &mut failed,
                    _ => continue,
                };
                side.sent += 1;
                side.yes += u32::from(r.outcome == Outcome::Yes);
            }
            Comparison {
                check: check.to_string(),
                passed,
                failed,
                p_value: fisher_exact(
                    passed.yes,
                    passed.sent - passed.yes,
                    failed.yes,
                    failed.sent - failed.yes,
                ),
            }
        })
        .collect()
}

/// Fisher's exact test, two-sided, for the table `[[a, b], [c, d]]`: the probability, with the
/// margins fixed, of a table at most as likely as this one.
pub fn fisher_exact(a: u32, b: u32, c: u32, d: u32) -> f64 {
    let (row1, col1, n) = (a + b, a + c, a + b + c + d);
    if n == 0 {
        return 1.0;
    }
    let ln_fact = ln_factorials(n);
    // The hypergeometric probability of the table whose top-left cell is `x`.
    let ln_p = |x: u32| {
        let (b, c) = (row1 - x, col1 - x);
        let d = n - row1 - c;
        ln_fact[row1 as usize]
            + ln_fact[(n - row1) as usize]
            + ln_fact[col1 as usize]
            + ln_fact[(n - col1) as usize]
            - ln_fact[n as usize]
            - ln_fact[x as usize]
            - ln_fact[b as usize]
            - ln_fact[c as usize]
            - ln_fact[d as usize]
    };
    let observed = ln_p(a);
    let low = (row1 + col1).saturating_sub(n);
    let high = row1.min(col1);
    // Tables as likely as the observed one, up to rounding, count as "at most as likely".
    let p: f64 = (low..=high)
        .map(ln_p)
        .filter(|&lp| lp <= observed + 1e-7)
        .map(f64::exp)
        .sum();
    p.min(1.0)
}

/// `ln(k!)` for `k` in `0..=n`.
fn ln_factorials(n: u32) -> Vec<f64> {
    let mut out = Vec::with_capacity(n as usize + 1);
    out.push(0.0);
    let mut sum = 0.0;
    for k in 1..=n {
        sum += f64::from(k).ln();
        out.push(sum);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-4
    }

    #[test]
    fn fisher_matches_known_values() {
        // The tea-tasting table: p = 0.4857 two-sided.
        assert!(
            close(fisher_exact(3, 1, 1, 3), 0.485_714),
            "{}",
            fisher_exact(3, 1, 1, 3)
        );
        // scipy.stats.fisher_exact([[8, 2], [1, 5]]) = 0.034965
        assert!(
            close(fisher_exact(8, 2, 1, 5), 0.034_965),
            "{}",
            fisher_exact(8, 2, 1, 5)
        );
        // scipy.stats.fisher_exact([[34, 26], [8, 42]]) = 1.2e-5
        assert!(fisher_exact(34, 26, 8, 42) < 1e-4);
        assert!(close(fisher_exact(5, 5, 5, 5), 1.0));
        assert!(close(fisher_exact(0, 0, 0, 0), 1.0));
    }

    fn record(reason: Status, outcome: Outcome) -> Record {
        Record {
            statuses: vec![
                ("reason-for-them".into(), reason),
                ("right-people".into(), Status::NotJudged),
            ],
            used_phrasing: false,
            outcome,
        }
    }

    fn records(passed: (u32, u32), failed: (u32, u32)) -> Vec<Record> {
        let mut out = Vec::new();
        for (status, (yes, no)) in [(Status::Passed, passed), (Status::Failed, failed)] {
            out.extend((0..yes).map(|_| record(status, Outcome::Yes)));
            out.extend((0..no).map(|_| record(status, Outcome::No)));
        }
        out
    }

    #[test]
    fn sides_count_sent_requests_only() {
        let mut rs = records((3, 1), (1, 2));
        rs.push(record(Status::Passed, Outcome::NotSent));
        rs.push(record(Status::Failed, Outcome::NoReply));
        let c = &compare(&rs, &["reason-for-them", "right-people"]);
        assert_eq!(c[0].passed, Side { yes: 3, sent: 4 });
        assert_eq!(c[0].failed, Side { yes: 1, sent: 4 });
        assert_eq!(
            c[1].passed.sent + c[1].failed.sent,
            0,
            "not judged counts nowhere"
        );
    }

    #[test]
    fn nothing_is_shown_below_the_threshold_on_either_side() {
        let c = &compare(&records((9, 0), (0, 30)), &["reason-for-them"])[0];
        assert!(!c.shown(10) && !c.holds(10));
        assert!(c.shown(9) && c.holds(9));
    }

    #[test]
    fn a_difference_holds_only_when_significant_and_in_favour_of_passing() {
        let strong = &compare(&records((34, 26), (8, 42)), &["reason-for-them"])[0];
        assert!(strong.holds(10));
        assert!(close(
            strong.ratio().unwrap_or_default(),
            (34.0 / 60.0) / (8.0 / 50.0)
        ));
        let chance = &compare(&records((6, 6), (5, 7)), &["reason-for-them"])[0];
        assert!(chance.shown(10) && !chance.holds(10));
        let reversed = &compare(&records((8, 42), (34, 26)), &["reason-for-them"])[0];
        assert!(reversed.p_value < ALPHA && !reversed.holds(10));
    }

    #[test]
    fn outcomes_round_trip_through_their_stored_names() {
        for o in [
            Outcome::Yes,
            Outcome::No,
            Outcome::NoReply,
            Outcome::NotSent,
        ] {
            assert_eq!(Outcome::parse(o.as_str()), Some(o));
        }
        assert_eq!(Outcome::parse("maybe"), None);
    }
}
