//! The store on both backends (a temporary SQLite file, a fresh PostgreSQL database): every
//! table round-trips, deletes are complete, what one `Store` wrote a fresh `Store` on the same
//! database reads back, and the weekly cap holds when many suggest at once.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use coffee_coach::core::peers::{self, Seeker};
use coffee_coach::core::profile::{Profile, Stage};
use coffee_coach::store::{GuildSettings, ReplyMode, Store, TipState, WeekStats};

use crate::on_both_backends;
use crate::testdb::TestDb;

const GUILD: u64 = 1_100_000_000_000_000_001;
const OTHER_GUILD: u64 = 1_100_000_000_000_000_002;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 15, 12, 0, 0).unwrap()
}

on_both_backends!(
    profile_round_trips,
    upsert_overwrites,
    delete_member_removes_every_row_about_them,
    candidates_are_prefiltered_by_server_openness_stage_and_self,
    suggestion_counts_cover_the_window_and_count_distinct_seekers,
    settings_round_trip,
    coaching_saves_loads_and_purges,
    stats_increment_and_read_back_by_week,
    tip_state_and_activity_round_trip,
    a_fresh_store_reads_what_the_first_one_wrote,
    the_weekly_cap_holds_when_two_stores_suggest_at_once,
    changes_reach_every_listener_on_postgres,
    a_tip_slot_is_taken_once,
    issue_13_a_follow_up_is_claimed_once_asked_again_once_then_kept_without_the_member,
);

fn profile(guild_id: u64, user_id: u64, stage: Stage) -> Profile {
    Profile {
        guild_id,
        user_id,
        role: "UX researcher <@42> **bold**".into(),
        field: "design".into(),
        stage,
        move_from: Some("teaching".into()),
        move_to: Some("UX research".into()),
        moved_on: NaiveDate::from_ymd_opt(2024, 3, 1),
        topics: vec!["portfolios".into(), "user interviews, remote".into()],
        can_help_with: "case studies".into(),
        open_to_coffee: true,
        updated_at: now(),
    }
}

async fn profile_round_trips(db: TestDb) {
    let store = db.open().await;
    // Snowflakes above 2^63 would not fit; real ones are far below, but use a large one.
    let p = profile(GUILD, u64::MAX >> 1, Stage::FirstRole);
    store.upsert_profile(&p).await.unwrap();
    assert_eq!(
        store.profile(GUILD, p.user_id).await.unwrap(),
        Some(p.clone())
    );
    assert_eq!(store.profile(OTHER_GUILD, p.user_id).await.unwrap(), None);

    let mut bare = profile(GUILD, 7, Stage::Exploring);
    bare.move_from = None;
    bare.move_to = None;
    bare.moved_on = None;
    bare.topics.clear();
    bare.can_help_with.clear();
    bare.open_to_coffee = false;
    store.upsert_profile(&bare).await.unwrap();
    assert_eq!(store.profile(GUILD, 7).await.unwrap(), Some(bare));
}

async fn upsert_overwrites(db: TestDb) {
    let store = db.open().await;
    let p = profile(GUILD, 5, Stage::FirstRole);
    store.upsert_profile(&p).await.unwrap();
    let mut changed = p.clone();
    changed.stage = Stage::Senior;
    changed.move_to = Some("product management".into());
    changed.topics = vec!["roadmaps".into()];
    changed.updated_at = now() + Duration::days(1);
    store.upsert_profile(&changed).await.unwrap();
    assert_eq!(store.profile(GUILD, 5).await.unwrap(), Some(changed));

    // The token index follows the new profile: the old goal no longer reaches it via move_to,
    // the new one does.
    let seeker = Seeker {
        guild_id: GUILD,
        user_id: 1,
        profile: Some(profile(GUILD, 1, Stage::FirstRole)),
        goal: Some("product management".into()),
    };
    let q = seeker.candidate_query().unwrap();
    let found = store.peer_candidates_matching(&q).await.unwrap();
    assert_eq!(found.iter().map(|p| p.user_id).collect::<Vec<_>>(), vec![5]);
}

async fn delete_member_removes_every_row_about_them(db: TestDb) {
    let store = db.open().await;
    store
        .upsert_profile(&profile(GUILD, 5, Stage::Senior))
        .await
        .unwrap();
    store
        .upsert_profile(&profile(GUILD, 6, Stage::Senior))
        .await
        .unwrap();
    store
        .upsert_profile(&profile(OTHER_GUILD, 5, Stage::Senior))
        .await
        .unwrap();
    store
        .record_suggestions(GUILD, 5, &[6], now())
        .await
        .unwrap();
    store
        .record_suggestions(GUILD, 9, &[5, 6], now())
        .await
        .unwrap();
    store.save_coaching(5, "{}", now()).await.unwrap();
    store.save_coaching(6, "{}", now()).await.unwrap();

    store.delete_member(GUILD, 5).await.unwrap();

    assert_eq!(store.profile(GUILD, 5).await.unwrap(), None);
    assert_eq!(store.coaching(5).await.unwrap(), None);
    let counts = store
        .recent_suggestion_counts(GUILD, now() - Duration::days(7))
        .await
        .unwrap();
    assert_eq!(counts.get(&5), None, "as the suggested");
    assert_eq!(
        counts.get(&6),
        Some(&1),
        "only seeker 9 remains, not seeker 5"
    );
    // A first-role seeker aiming at UX research reaches senior members 5 and 6.
    let q = Seeker {
        guild_id: GUILD,
        user_id: 1,
        profile: Some(profile(GUILD, 1, Stage::FirstRole)),
        goal: None,
    }
    .candidate_query()
    .unwrap();
    let ids: Vec<u64> = store
        .peer_candidates_matching(&q)
        .await
        .unwrap()
        .iter()
        .map(|p| p.user_id)
        .collect();
    assert_eq!(ids, vec![6], "no token row left behind for member 5");

    // Other members, and the same member in another server, are untouched.
    assert!(store.profile(GUILD, 6).await.unwrap().is_some());
    assert!(store.profile(OTHER_GUILD, 5).await.unwrap().is_some());
    assert!(store.coaching(6).await.unwrap().is_some());
}

async fn candidates_are_prefiltered_by_server_openness_stage_and_self(db: TestDb) {
    let store = db.open().await;
    let mut closed = profile(GUILD, 4, Stage::Established);
    closed.open_to_coffee = false;
    let mut lawyer = profile(GUILD, 8, Stage::Established);
    lawyer.move_from = Some("finance".into());
    lawyer.move_to = Some("law".into());
    lawyer.field = "law".into();
    lawyer.role = "solicitor".into();
    let all = vec![
        profile(GUILD, 1, Stage::Established), // the seeker
        profile(GUILD, 2, Stage::FirstRole),
        profile(GUILD, 3, Stage::Senior),
        closed,
        profile(GUILD, 5, Stage::Leading),  // out of range
        profile(GUILD, 6, Stage::Studying), // out of range
        profile(OTHER_GUILD, 7, Stage::Established),
        lawyer,
    ];
    store.upsert_profiles(&all).await.unwrap();

    let ids = |v: Vec<Profile>| v.iter().map(|p| p.user_id).collect::<Vec<_>>();
    let got = store
        .peer_candidates(GUILD, 1, Stage::FirstRole, Stage::Senior)
        .await
        .unwrap();
    assert_eq!(ids(got), vec![2, 3, 8]);

    let seeker = Seeker {
        guild_id: GUILD,
        user_id: 1,
        profile: None,
        goal: Some("UX research".into()),
    };
    let q = seeker.candidate_query().unwrap();
    assert_eq!(
        (q.min_stage, q.max_stage),
        (Stage::Studying, Stage::Established)
    );
    let matching = store.peer_candidates_matching(&q).await.unwrap();
    assert_eq!(
        ids(matching.clone()),
        vec![2, 6],
        "stage range, path tokens, not the seeker"
    );

    // The pre-filter is lossless: suggest over it equals suggest over every profile.
    let none = Default::default();
    let from_sql = peers::suggest(&seeker, &matching, &none, 3, 10, now());
    let from_all = peers::suggest(&seeker, &all, &none, 3, 10, now());
    assert_eq!(from_sql, from_all);
}

async fn suggestion_counts_cover_the_window_and_count_distinct_seekers(db: TestDb) {
    let store = db.open().await;
    let old = now() - Duration::days(8);
    store
        .record_suggestions(GUILD, 10, &[1, 2], old)
        .await
        .unwrap();
    store
        .record_suggestions(GUILD, 11, &[1], now())
        .await
        .unwrap();
    store
        .record_suggestions(GUILD, 11, &[1], now() + Duration::seconds(5))
        .await
        .unwrap();
    store
        .record_suggestions(GUILD, 12, &[1, 3], now())
        .await
        .unwrap();
    store
        .record_suggestions(OTHER_GUILD, 12, &[1], now())
        .await
        .unwrap();

    let week = store
        .recent_suggestion_counts(GUILD, now() - Duration::days(7))
        .await
        .unwrap();
    assert_eq!(
        week.get(&1),
        Some(&2),
        "seekers 11 and 12; 11 twice counts once"
    );
    assert_eq!(week.get(&2), None, "outside the window");
    assert_eq!(week.get(&3), Some(&1));

    let month = store
        .recent_suggestion_counts(GUILD, now() - Duration::days(30))
        .await
        .unwrap();
    assert_eq!(month.get(&1), Some(&3));
    assert_eq!(month.get(&2), Some(&1));

    // Recording 31 days later prunes the old rows of that server.
    store
        .record_suggestions(GUILD, 13, &[4], now() + Duration::days(31))
        .await
        .unwrap();
    let all = store
        .recent_suggestion_counts(GUILD, now() - Duration::days(365))
        .await
        .unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all.get(&4), Some(&1));
    assert_eq!(
        store
            .prune_suggestions(now() + Duration::days(60))
            .await
            .unwrap(),
        2,
        "the other server's row and the last one"
    );
}

async fn settings_round_trip(db: TestDb) {
    let store = db.open().await;
    let empty = store.guild_settings(GUILD).await.unwrap();
    assert_eq!(
        empty,
        GuildSettings {
            guild_id: GUILD,
            ..GuildSettings::default()
        }
    );
    let s = GuildSettings {
        guild_id: GUILD,
        mentoring_channel_id: Some(1_200_000_000_000_000_000),
        prefix: Some("!coffee".into()),
        reply_mode: Some(ReplyMode::Dm),
        tip_channel_id: Some(33),
        tip_cadence: Some("weekly".into()),
        tip_hour: Some(9),
        tip_timezone: Some("Europe/Paris".into()),
        suggestion_cap: Some(2),
    };
    store.save_guild_settings(&s).await.unwrap();
    assert_eq!(store.guild_settings(GUILD).await.unwrap(), s);

    let mut changed = s.clone();
    changed.reply_mode = Some(ReplyMode::Thread);
    changed.prefix = None;
    store.save_guild_settings(&changed).await.unwrap();
    let other = GuildSettings {
        guild_id: OTHER_GUILD,
        ..GuildSettings::default()
    };
    store.save_guild_settings(&other).await.unwrap();
    assert_eq!(
        store.all_guild_settings().await.unwrap(),
        vec![changed, other]
    );
}

async fn coaching_saves_loads_and_purges(db: TestDb) {
    let store = db.open().await;
    assert_eq!(store.coaching(1).await.unwrap(), None);
    store
        .save_coaching(1, r#"{"step":"who"}"#, now())
        .await
        .unwrap();
    store
        .save_coaching(1, r#"{"step":"need"}"#, now() + Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!(
        store.coaching(1).await.unwrap(),
        Some((
            r#"{"step":"need"}"#.to_string(),
            now() + Duration::minutes(1)
        ))
    );
    store
        .save_coaching(2, "{}", now() - Duration::days(3))
        .await
        .unwrap();
    store.save_coaching(3, "{}", now()).await.unwrap();
    store.delete_coaching(3).await.unwrap();
    assert_eq!(store.coaching(3).await.unwrap(), None);

    let purged = store
        .purge_coaching_older_than(now() - Duration::days(1))
        .await
        .unwrap();
    assert_eq!(purged, 1);
    assert_eq!(store.coaching(2).await.unwrap(), None);
    assert!(store.coaching(1).await.unwrap().is_some());
}

async fn stats_increment_and_read_back_by_week(db: TestDb) {
    let store = db.open().await;
    let w1 = NaiveDate::from_ymd_opt(2025, 6, 2).unwrap();
    let w2 = NaiveDate::from_ymd_opt(2025, 6, 9).unwrap();
    store
        .record_review(GUILD, w1, &["reason-for-them", "not-searchable"])
        .await
        .unwrap();
    store
        .record_review(GUILD, w1, &["reason-for-them", "reason-for-them"])
        .await
        .unwrap();
    store.record_review(GUILD, w1, &[]).await.unwrap();
    store
        .record_review(GUILD, w2, &["right-people"])
        .await
        .unwrap();
    store
        .record_review(OTHER_GUILD, w2, &["right-people"])
        .await
        .unwrap();

    let weeks = store.weekly_stats(GUILD, w1).await.unwrap();
    assert_eq!(
        weeks,
        vec![
            WeekStats {
                week_start: w1,
                reviews: 3,
                failures: vec![("reason-for-them".into(), 2), ("not-searchable".into(), 1)],
            },
            WeekStats {
                week_start: w2,
                reviews: 1,
                failures: vec![("right-people".into(), 1)],
            },
        ]
    );
    assert_eq!(store.weekly_stats(GUILD, w2).await.unwrap().len(), 1);
    assert_eq!(
        store.failures_since(GUILD, w1).await.unwrap(),
        vec![
            ("reason-for-them".to_string(), 2),
            ("not-searchable".to_string(), 1),
            ("right-people".to_string(), 1),
        ]
    );
}

async fn tip_state_and_activity_round_trip(db: TestDb) {
    let store = db.open().await;
    assert_eq!(
        store.tip_state(GUILD).await.unwrap(),
        TipState {
            guild_id: GUILD,
            ..TipState::default()
        }
    );
    let state = TipState {
        guild_id: GUILD,
        next_due: Some(now() + Duration::days(7)),
        shown: vec!["tip-offer-first".into(), "tip-small-ask".into()],
        last_posted_at: Some(now()),
    };
    store.save_tip_state(&state).await.unwrap();
    assert_eq!(store.tip_state(GUILD).await.unwrap(), state);

    assert_eq!(store.last_activity(GUILD, 3).await.unwrap(), None);
    store.mark_activity(GUILD, 3, now()).await.unwrap();
    store
        .mark_activity(GUILD, 3, now() - Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(store.last_activity(GUILD, 3).await.unwrap(), Some(now()));
    store
        .mark_activity(GUILD, 3, now() + Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(
        store.last_activity(GUILD, 3).await.unwrap(),
        Some(now() + Duration::hours(1))
    );
}

async fn a_fresh_store_reads_what_the_first_one_wrote(db: TestDb) {
    let p = profile(GUILD, 5, Stage::Senior);
    {
        let store = db.open().await;
        store.upsert_profile(&p).await.unwrap();
        store.save_coaching(5, "{\"step\":1}", now()).await.unwrap();
        store
            .record_review(GUILD, now().date_naive(), &["right-people"])
            .await
            .unwrap();
        drop(store);
    }
    let store = db.open().await;
    assert_eq!(store.profile(GUILD, 5).await.unwrap(), Some(p));
    assert!(store.coaching(5).await.unwrap().is_some());
    assert_eq!(
        store
            .failures_since(GUILD, now().date_naive())
            .await
            .unwrap(),
        vec![("right-people".to_string(), 1)]
    );
    store.close().await;
}

#[tokio::test]
async fn in_memory_store_works_for_quick_tests() {
    let store = Store::open_in_memory().await.unwrap();
    store.save_coaching(1, "{}", now()).await.unwrap();
    assert!(store.coaching(1).await.unwrap().is_some());
}

async fn issue_13_a_follow_up_is_claimed_once_asked_again_once_then_kept_without_the_member(
    db: TestDb,
) {
    use coffee_coach::core::outcomes::Outcome;
    use coffee_coach::core::review::Status;
    use coffee_coach::store::outcomes::FollowUp;
    let store = db.open().await;
    let due = now() + Duration::days(7);
    let follow_up = FollowUp {
        id: 42,
        user_id: 7,
        guild_id: Some(9),
        week_start: NaiveDate::from_ymd_opt(2026, 11, 23).expect("a date"),
        statuses: vec![
            ("reason-for-them".into(), Status::Failed),
            ("right-people".into(), Status::NotJudged),
        ],
        used_phrasing: false,
        due_at: due,
        asked: 0,
    };
    store.add_follow_up(&follow_up).await.expect("saved");
    store
        .add_follow_up(&follow_up)
        .await
        .expect("saved twice, kept once");
    assert!(store.mark_phrasing_used(42, 7).await.expect("marked"));
    assert!(!store.mark_phrasing_used(42, 8).await.expect("not theirs"));
    let early = store.claim_due_follow_ups(due - Duration::seconds(1)).await;
    assert!(early.expect("claim").is_empty(), "not due yet");
    let claimed = store.claim_due_follow_ups(due).await.expect("claim");
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].asked, 1);
    assert!(claimed[0].used_phrasing);
    assert!(
        store
            .claim_due_follow_ups(due)
            .await
            .expect("claim")
            .is_empty(),
        "claimed once"
    );
    // Someone else cannot answer it; "no reply yet" asks once more, then it counts as no reply.
    assert!(!store
        .answer_follow_up(42, 8, Outcome::Yes)
        .await
        .expect("answer"));
    let later = due + Duration::days(7);
    assert!(store.ask_again(42, 7, later).await.expect("again"));
    assert_eq!(
        store.claim_due_follow_ups(later).await.expect("claim")[0].asked,
        2
    );
    assert!(!store
        .ask_again(42, 7, later)
        .await
        .expect("not a third time"));
    assert!(store
        .answer_follow_up(42, 7, Outcome::NoReply)
        .await
        .expect("answer"));
    assert!(store.follow_ups_of(7).await.expect("read").is_empty());
    let records = store.outcomes(9).await.expect("outcomes");
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].outcome, Outcome::NoReply);
    assert!(records[0].used_phrasing);
    assert!(records[0]
        .statuses
        .contains(&("reason-for-them".to_string(), Status::Failed)));
    assert!(store.outcomes(10).await.expect("outcomes").is_empty());
}

/// Two stores on one database stand for two processes: 12 seekers ask at once, split across
/// them, with a cap of 2; each of the 3 peers is shown to exactly 2 of them, never more.
async fn the_weekly_cap_holds_when_two_stores_suggest_at_once(db: TestDb) {
    const CAP: u32 = 2;
    let (a, b) = (db.open().await, db.open().await);
    let peers: Vec<Profile> = (1..=3)
        .map(|id| profile(GUILD, id, Stage::Established))
        .collect();
    a.upsert_profiles(&peers).await.unwrap();
    let index = std::sync::Arc::new(peers::PeerIndex::new(peers));
    let since = now() - Duration::days(peers::LOAD_WINDOW_DAYS);
    let asks = (100..112u64).map(|seeker| {
        let store = if seeker % 2 == 0 {
            a.clone()
        } else {
            b.clone()
        };
        let index = index.clone();
        tokio::spawn(async move {
            let who = Seeker {
                guild_id: GUILD,
                user_id: seeker,
                profile: None,
                goal: Some("UX research".into()),
            };
            store
                .suggest_within_cap(GUILD, seeker, since, now(), |recent| {
                    index.suggest(&who, recent, CAP, 5, now())
                })
                .await
                .expect("suggest")
        })
    });
    let mut shown = std::collections::HashMap::<u64, u32>::new();
    for ask in asks {
        for s in ask.await.expect("task") {
            *shown.entry(s.user_id).or_default() += 1;
        }
    }
    assert_eq!(shown, [(1, CAP), (2, CAP), (3, CAP)].into(), "{shown:?}");
    let counted = b.recent_suggestion_counts(GUILD, since).await.unwrap();
    assert_eq!(counted, shown, "what was shown is what was counted");
}

/// On PostgreSQL a saved profile, a deleted member and saved settings reach another store's
/// stream (another process) at once; SQLite has one process and no stream.
async fn changes_reach_every_listener_on_postgres(db: TestDb) {
    use coffee_coach::store::{Backend, Change};
    let (writer, reader) = (db.open().await, db.open().await);
    let Some(mut changes) = reader.changes().await.unwrap() else {
        assert_eq!(reader.backend(), Backend::Sqlite);
        return;
    };
    writer
        .upsert_profile(&profile(GUILD, 5, Stage::Senior))
        .await
        .unwrap();
    let saved = Change::Profile {
        guild_id: GUILD,
        user_id: 5,
    };
    assert_eq!(next(&mut changes).await, saved);
    writer.delete_member(GUILD, 5).await.unwrap();
    assert_eq!(next(&mut changes).await, saved);
    writer
        .save_guild_settings(&GuildSettings {
            guild_id: OTHER_GUILD,
            ..GuildSettings::default()
        })
        .await
        .unwrap();
    assert_eq!(
        next(&mut changes).await,
        Change::GuildSettings {
            guild_id: OTHER_GUILD
        }
    );
}

/// The next change on the stream (it arrives in milliseconds; 5 s leaves room for a loaded CI).
async fn next(changes: &mut coffee_coach::store::Changes) -> coffee_coach::store::Change {
    tokio::time::timeout(std::time::Duration::from_secs(5), changes.next())
        .await
        .expect("a change within 5 s")
        .expect("the stream")
}

/// A tip slot is taken once: the second scheduler that read the same due time gets `false`.
async fn a_tip_slot_is_taken_once(db: TestDb) {
    let (a, b) = (db.open().await, db.open().await);
    let due = Some(now());
    let first = TipState {
        guild_id: GUILD,
        next_due: due,
        shown: vec![],
        last_posted_at: None,
    };
    assert!(
        a.advance_tip_state(&first, None).await.unwrap(),
        "a new row"
    );
    let next = TipState {
        next_due: Some(now() + Duration::days(1)),
        shown: vec!["ask-small".into()],
        last_posted_at: due,
        ..first.clone()
    };
    assert!(a.advance_tip_state(&next, due).await.unwrap());
    assert!(!b.advance_tip_state(&next, due).await.unwrap(), "taken");
    assert!(
        !b.advance_tip_state(&first, None).await.unwrap(),
        "not new any more"
    );
    assert_eq!(b.tip_state(GUILD).await.unwrap(), next);
}
