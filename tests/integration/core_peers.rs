//! Peer scoring through the public API: path tokens, each factor of the score, who is never
//! suggested, the weekly cap, the deterministic order, and the one-line reason.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use coffee_coach::core::peers::{
    path_tokens, profile_path_tokens, reason, score, suggest, PathSource, Seeker, Suggestion,
    MAX_REASON_CHARS,
};
use coffee_coach::core::profile::{Profile, Stage};

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
fn profile_tokens_cover_every_path_text() {
    let p = profile(2, Stage::Senior);
    let t = profile_path_tokens(&p);
    for word in ["research", "ux", "teach", "design"] {
        assert!(t.contains(&word.to_string()), "{word} in {t:?}");
    }
}
