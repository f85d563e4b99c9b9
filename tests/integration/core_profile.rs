//! Member profiles through the public API: the stage ladder and its forgiving parsing, and
//! `/profile` input validation (moves, dates, topics, limits, missing fields).

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use coffee_coach::core::profile::{
    parse_move, parse_moved, parse_topics, ProfileError, ProfileInput, Stage, MAX_ROLE_CHARS,
};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 15, 12, 0, 0).unwrap()
}

fn input() -> ProfileInput {
    ProfileInput {
        role: "UX researcher".into(),
        field: "design".into(),
        stage: "first role".into(),
        move_text: Some("teaching -> UX research".into()),
        moved: Some("2023-09".into()),
        topics: Some("portfolios, user interviews".into()),
        can_help_with: Some("reviewing a case study".into()),
        open_to_coffee: Some(true),
    }
}

#[test]
fn ladder_is_ordered_and_round_trips() {
    assert!(Stage::ALL.windows(2).all(|w| w[0] < w[1]));
    for (i, s) in Stage::ALL.iter().enumerate() {
        assert_eq!(usize::from(s.rank()), i);
        assert_eq!(Stage::from_rank(s.rank()), Some(*s));
        assert_eq!(s.as_str().parse::<Stage>(), Ok(*s));
        assert_eq!(s.label().parse::<Stage>(), Ok(*s));
    }
    assert_eq!(Stage::from_rank(6), None);
    assert_eq!(Stage::FirstRole.as_str(), "first-role");
    assert_eq!(Stage::Studying.label(), "studying or retraining");
}

#[test]
fn stage_parsing_is_forgiving() {
    for typed in ["First Role", "first_role", "FIRST-ROLE", " firstrole "] {
        assert_eq!(typed.parse::<Stage>(), Ok(Stage::FirstRole), "{typed}");
    }
    assert_eq!("Retraining".parse::<Stage>(), Ok(Stage::Studying));
    assert_eq!("lead".parse::<Stage>(), Ok(Stage::Leading));
}

#[test]
fn unknown_stage_lists_the_ladder() {
    let err = "wizard".parse::<Stage>().unwrap_err().to_string();
    assert!(err.contains("\"wizard\""), "{err}");
    for s in Stage::ALL {
        assert!(err.contains(s.label()), "{err}");
    }
}

#[test]
fn validate_builds_the_profile() {
    let p = input().validate(1, 2, now()).unwrap();
    assert_eq!(p.guild_id, 1);
    assert_eq!(p.user_id, 2);
    assert_eq!(p.stage, Stage::FirstRole);
    assert_eq!(p.move_from.as_deref(), Some("teaching"));
    assert_eq!(p.move_to.as_deref(), Some("UX research"));
    assert_eq!(p.moved_on, NaiveDate::from_ymd_opt(2023, 9, 1));
    assert_eq!(p.topics, vec!["portfolios", "user interviews"]);
    assert!(p.open_to_coffee);
    assert_eq!(p.updated_at, now());
}

#[test]
fn move_accepts_arrow_unicode_arrow_and_to() {
    for typed in [
        "teaching -> UX research",
        "teaching→UX research",
        "teaching To UX research",
    ] {
        let (from, to) = parse_move(typed).unwrap();
        assert_eq!(from.as_deref(), Some("teaching"), "{typed}");
        assert_eq!(to.as_deref(), Some("UX research"), "{typed}");
    }
    assert_eq!(
        parse_move("-> data science").unwrap(),
        (None, Some("data science".into()))
    );
    assert!(matches!(
        parse_move("data science"),
        Err(ProfileError::Move { .. })
    ));
    assert!(matches!(parse_move(" -> "), Err(ProfileError::Move { .. })));
}

#[test]
fn moved_accepts_year_month_day() {
    let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    assert_eq!(parse_moved("2024").unwrap(), d(2024, 1, 1));
    assert_eq!(parse_moved("2024-03").unwrap(), d(2024, 3, 1));
    assert_eq!(parse_moved("2024-03-15").unwrap(), d(2024, 3, 15));
    assert_eq!(parse_moved("2024/3").unwrap(), d(2024, 3, 1));
    for bad in ["March", "2024-13", "2024-02-30", "24", "", "2024--1"] {
        assert!(parse_moved(bad).is_err(), "{bad}");
    }
}

#[test]
fn moved_in_the_future_is_refused() {
    let mut i = input();
    i.moved = Some("2025-07".into());
    let err = i.validate(1, 2, now()).unwrap_err();
    assert!(matches!(err, ProfileError::FutureDate { .. }));
    assert!(err.to_string().contains("future"));
    // This month is fine: it reads as the first of the month.
    let mut i = input();
    i.moved = Some("2025-06".into());
    assert!(i.validate(1, 2, now()).is_ok());
}

#[test]
fn length_limits_are_in_characters() {
    let mut i = input();
    i.role = "é".repeat(MAX_ROLE_CHARS);
    assert!(i.clone().validate(1, 2, now()).is_ok());
    i.role.push('é');
    let err = i.validate(1, 2, now()).unwrap_err();
    assert_eq!(
        err,
        ProfileError::TooLong {
            field: "role",
            len: 101,
            max: 100
        }
    );
    assert!(err.to_string().contains("keep it to 100"));

    let mut i = input();
    i.field = "x".repeat(101);
    assert!(matches!(
        i.validate(1, 2, now()),
        Err(ProfileError::TooLong { field: "field", .. })
    ));

    let mut i = input();
    i.can_help_with = Some("x".repeat(301));
    assert!(matches!(
        i.validate(1, 2, now()),
        Err(ProfileError::TooLong { .. })
    ));

    let mut i = input();
    i.move_text = Some(format!("{} -> design", "x".repeat(101)));
    assert!(matches!(
        i.validate(1, 2, now()),
        Err(ProfileError::TooLong { .. })
    ));
}

#[test]
fn topic_limits() {
    let eleven = (0..11)
        .map(|i| format!("t{i}"))
        .collect::<Vec<_>>()
        .join(",");
    assert_eq!(
        parse_topics(&eleven),
        Err(ProfileError::TooManyTopics { count: 11, max: 10 })
    );
    let long = "y".repeat(41);
    assert!(matches!(
        parse_topics(&format!("ok, {long}")),
        Err(ProfileError::TopicTooLong { .. })
    ));
    assert_eq!(parse_topics("a,, b ,").unwrap(), vec!["a", "b"]);
}

#[test]
fn missing_fields_are_named() {
    let mut i = input();
    i.role = "  ".into();
    assert_eq!(
        i.validate(1, 2, now()),
        Err(ProfileError::Missing { field: "role" })
    );
    let mut i = input();
    i.stage = String::new();
    assert_eq!(
        i.validate(1, 2, now()),
        Err(ProfileError::Missing { field: "stage" })
    );
    let mut i = input();
    i.stage = "guru".into();
    assert!(matches!(
        i.validate(1, 2, now()),
        Err(ProfileError::Stage(_))
    ));
}

#[test]
fn text_is_kept_as_typed() {
    let mut i = input();
    i.role = "**Lead** <@123> @everyone".into();
    i.open_to_coffee = None;
    let p = i.validate(1, 2, now()).unwrap();
    assert_eq!(p.role, "**Lead** <@123> @everyone");
    assert!(!p.open_to_coffee, "opt-in: not given means no");
}
