//! Tips and their schedule through the public API: loading `config/tips.toml` strictly, the
//! seeded `/tip` pick, cadences, next due times across time zones and DST, and which tip is due.

use std::collections::HashSet;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use chrono_tz::America::New_York;
use chrono_tz::Asia::Jerusalem;
use chrono_tz::Tz;
use coffee_coach::core::checks::{CheckNames, CORE_CHECK_IDS};
use coffee_coach::core::tips::{
    decide, next_due, week_start, Cadence, Decision, InvalidHour, TipHistory, TipSchedule, Tips,
    GENERAL,
};

use crate::support::engine;

const TIPS_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/config/tips.toml");

/// The checks of `config/`, which tips may teach.
fn checks() -> CheckNames {
    engine().checks.names()
}

/// Every problem of a tips file, one per line.
fn problems(text: &str) -> String {
    Tips::from_str(text, "f.toml", &checks())
        .expect_err("problems")
        .to_string()
}

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
        &checks(),
    )
    .unwrap()
}

#[test]
fn the_shipped_tips_file_loads_with_enough_tips_per_check() {
    let tips = Tips::load(TIPS_PATH, &checks()).unwrap();
    assert!(tips.len() >= 25, "only {} tips", tips.len());
    for check in CORE_CHECK_IDS.iter().chain(std::iter::once(&GENERAL)) {
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
fn loading_rejects_unknown_keys_naming_file_line_and_tip() {
    let err = Tips::from_str(
        "[[tip]]\nid = \"x\"\ncheck = \"general\"\ntext = \"t\"\ncolour = \"red\"\n",
        "tips.toml",
        &checks(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.starts_with("tips.toml:1: tip[0]: tip `x`: ") && err.contains("colour"),
        "{err}"
    );
    let err = Tips::from_str("title = \"t\"\n", "tips.toml", &checks())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("tips.toml:1: title") && err.contains("title"),
        "{err}"
    );
}

#[test]
fn loading_rejects_duplicates_unknown_checks_empty_text_and_bad_ids() {
    let dup = "[[tip]]\nid = \"x\"\ncheck = \"general\"\ntext = \"t\"\n[[tip]]\nid = \"x\"\ncheck = \"general\"\ntext = \"u\"\n";
    let err = problems(dup);
    assert!(
        err.contains("f.toml:6: tip[1].id: tip `x` is defined more than once"),
        "{err}"
    );
    let unknown = "[[tip]]\nid = \"x\"\ncheck = \"be-nice\"\ntext = \"t\"\n";
    let err = problems(unknown);
    assert!(
        err.starts_with("f.toml:3: tip[0].check: tip `x`: unknown check `be-nice`"),
        "{err}"
    );
    let empty = "[[tip]]\nid = \"x\"\ncheck = \"general\"\ntext = \"  \"\n";
    assert_eq!(
        problems(empty),
        "f.toml:4: tip[0].text: tip `x`: `text` is empty"
    );
    let bad = "[[tip]]\nid = \"Not_Kebab\"\ncheck = \"general\"\ntext = \"t\"\n";
    assert!(problems(bad).contains("tip[0].id: tip `Not_Kebab`: the id must be kebab-case"));
    let missing = "[[tip]]\nid = \"x\"\ncheck = \"general\"\n";
    let err = problems(missing);
    assert!(err.contains("`x`") && err.contains("text"), "{err}");
    assert_eq!(
        problems(""),
        "f.toml: no tips: add at least one `[[tip]]` table"
    );
    assert!(problems("[[tip]\n").starts_with("f.toml:1: "));
    let err = Tips::load("/nonexistent/tips.toml", &checks())
        .unwrap_err()
        .to_string();
    assert!(err.contains("cannot read"), "{err}");
}

#[test]
fn every_bad_tip_is_reported_in_one_go() {
    let text = "[[tip]]\nid = \"a\"\ncheck = \"be-nice\"\ntext = \" \"\n\n[[tip]]\nid = \"B\"\ncheck = \"general\"\ntext = \"t\"\n";
    let err = problems(text);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 3, "{err}");
    assert!(lines[0].starts_with("f.toml:3: tip[0].check"), "{err}");
    assert!(lines[1].starts_with("f.toml:4: tip[0].text"), "{err}");
    assert!(lines[2].starts_with("f.toml:7: tip[1].id"), "{err}");
}

#[test]
fn a_tip_may_teach_a_check_added_to_the_config() {
    let text = "[[tip]]\nid = \"x\"\ncheck = \"say-thanks\"\ntext = \"t\"\n";
    let added = CheckNames::new(&["reason-for-them", "say-thanks"], &[]);
    let tips = Tips::from_str(text, "f.toml", &added).expect("a tip for an added check");
    assert_eq!(tips.all()[0].check, "say-thanks");
}

#[test]
fn random_pick_is_deterministic_and_spreads() {
    let tips = Tips::load(TIPS_PATH, &checks()).unwrap();
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
    let Decision::Post { tip_id, .. } = decide(&s, &history, &tips, true, &failures, now) else {
        panic!("expected a post");
    };
    assert_eq!(tip_id, "c-size");
    // When the most-failed check has no unshown tip, the next most-failed one is used.
    let history = TipHistory {
        shown: vec!["a-reason".into(), "c-size".into()],
        ..history
    };
    let Decision::Post { tip_id, .. } = decide(&s, &history, &tips, true, &failures, now) else {
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
