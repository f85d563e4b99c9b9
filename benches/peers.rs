//! Peer matching at scale: 100,000 profiles in one server.
//!
//! Measures the pure `peers::suggest` over what the store returns, and the full path (store
//! query + `suggest`), both with the plain stage-range query and with the path-token
//! pre-filter, and the in-memory `PeerIndex` the bot keeps per server. Each runs on SQLite (a
//! file) and, when `TEST_DATABASE_URL` names a PostgreSQL server (`.ci/postgres start` prints
//! one), on a fresh database there too. Run with
//! `cargo bench --bench peers -- --warm-up-time 1 --measurement-time 3`.

use std::collections::HashMap;
use std::hint::black_box;
use std::time::Instant;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use coffee_coach::core::peers::{self, PeerIndex, Seeker};
use coffee_coach::core::profile::{Profile, Stage};
use coffee_coach::store::Store;
use criterion::{criterion_group, criterion_main, Criterion};

#[path = "../tests/integration/testdb.rs"]
#[allow(dead_code)]
mod testdb;

const GUILD: u64 = 900_000_000_000_000_001;
const PROFILES: u64 = 100_000;

const FIELDS: &[&str] = &[
    "design",
    "software engineering",
    "data science",
    "product management",
    "marketing",
    "sales",
    "finance",
    "law",
    "nursing",
    "teaching",
    "UX research",
    "journalism",
    "consulting",
    "human resources",
    "operations",
    "architecture",
    "biology research",
    "public policy",
    "accounting",
    "game development",
    "cybersecurity",
    "supply chain",
    "nonprofit fundraising",
    "psychology",
    "civil engineering",
];
const ROLES: &[&str] = &[
    "analyst",
    "engineer",
    "designer",
    "manager",
    "researcher",
    "consultant",
    "writer",
    "teacher",
    "nurse",
    "lawyer",
    "director",
    "specialist",
    "coordinator",
    "lead",
    "founder",
];
const TOPICS: &[&str] = &[
    "portfolios",
    "user interviews",
    "salary negotiation",
    "remote work",
    "career change",
    "interview prep",
    "public speaking",
    "side projects",
    "management",
    "mentoring",
    "freelancing",
    "visa questions",
    "returning to work",
    "bootcamps",
    "certifications",
    "networking",
    "writing",
    "leadership",
    "burnout",
    "parental leave",
    "promotion",
    "hiring",
    "open source",
    "startups",
    "phd to industry",
    "statistics",
    "sql",
    "figma",
    "accessibility",
    "research methods",
];

/// A small deterministic generator (xorshift), so every run builds the same server.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 15, 12, 0, 0).unwrap()
}

fn profiles() -> Vec<Profile> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    (0..PROFILES)
        .map(|i| {
            let field = rng.pick(FIELDS);
            let has_move = rng.below(10) < 6;
            let (move_from, move_to, moved_on) = if has_move {
                let year = 2010 + rng.below(15) as i32;
                let month = 1 + rng.below(12) as u32;
                (
                    Some(rng.pick(FIELDS).to_string()),
                    Some(field.to_string()),
                    NaiveDate::from_ymd_opt(year, month, 1),
                )
            } else {
                (None, None, None)
            };
            let topics = (0..rng.below(5))
                .map(|_| rng.pick(TOPICS).to_string())
                .collect();
            Profile {
                guild_id: GUILD,
                user_id: 1_000_000 + i,
                role: format!("{} {}", rng.pick(FIELDS), rng.pick(ROLES)),
                field: field.to_string(),
                stage: Stage::ALL[rng.below(6) as usize],
                move_from,
                move_to,
                moved_on,
                topics,
                can_help_with: "reviewing a CV and talking through the first months".into(),
                open_to_coffee: rng.below(10) < 6,
                updated_at: now(),
            }
        })
        .collect()
}

fn seekers() -> Vec<Seeker> {
    let make = |user_id, stage, from: &str, goal: Option<&str>, to: &str| Seeker {
        guild_id: GUILD,
        user_id,
        profile: Some(Profile {
            guild_id: GUILD,
            user_id,
            role: "teacher".into(),
            field: "teaching".into(),
            stage,
            move_from: Some(from.into()),
            move_to: Some(to.into()),
            moved_on: None,
            topics: vec!["portfolios".into(), "career change".into(), "sql".into()],
            can_help_with: String::new(),
            open_to_coffee: true,
            updated_at: now(),
        }),
        goal: goal.map(str::to_string),
    };
    vec![
        make(1, Stage::Studying, "teaching", None, "UX research"),
        make(
            2,
            Stage::Exploring,
            "finance",
            Some("data science"),
            "data science",
        ),
        make(3, Stage::FirstRole, "law", None, "product management"),
        Seeker {
            guild_id: GUILD,
            user_id: 4,
            profile: None,
            goal: Some("software engineering".into()),
        },
    ]
}

fn bench_peers(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let sqlite = testdb::TestDb::sqlite();
    bench_on(c, &runtime, "sqlite", &sqlite.url);
    if let Some(postgres) = runtime.block_on(testdb::TestDb::postgres("bench peers")) {
        bench_on(c, &runtime, "postgres", &postgres.url);
    }
}

fn bench_on(c: &mut Criterion, runtime: &tokio::runtime::Runtime, backend: &str, url: &str) {
    let all = profiles();
    let store = runtime.block_on(async {
        let store = Store::open(url).await.unwrap();
        let started = Instant::now();
        for chunk in all.chunks(10_000) {
            store.upsert_profiles(chunk).await.unwrap();
        }
        eprintln!(
            "{backend}: loaded {} profiles in {:?}",
            all.len(),
            started.elapsed()
        );
        store
    });
    let seekers = seekers();
    let recent: HashMap<u64, u32> = all
        .iter()
        .filter(|p| p.user_id % 7 == 0)
        .map(|p| (p.user_id, 3))
        .collect();
    let cap = peers::DEFAULT_SUGGESTION_CAP;

    // What the store returns for each seeker, both ways, loaded once for the pure benchmarks.
    let by_range: Vec<Vec<Profile>> = seekers
        .iter()
        .map(|s| {
            let (min, max) = s.stage_range().unwrap();
            runtime
                .block_on(store.peer_candidates(GUILD, s.user_id, min, max))
                .unwrap()
        })
        .collect();
    let by_tokens: Vec<Vec<Profile>> = seekers
        .iter()
        .map(|s| {
            runtime
                .block_on(store.peer_candidates_matching(&s.candidate_query().unwrap()))
                .unwrap()
        })
        .collect();
    for (i, s) in seekers.iter().enumerate() {
        let a = peers::suggest(s, &by_range[i], &recent, cap, 5, now());
        let b = peers::suggest(s, &by_tokens[i], &recent, cap, 5, now());
        assert_eq!(a, b, "the token pre-filter must not change the answer");
        eprintln!(
            "seeker {}: {} rows by stage range, {} by path tokens, {} suggested",
            s.user_id,
            by_range[i].len(),
            by_tokens[i].len(),
            b.len()
        );
    }

    // What the bot runs: an in-memory index per server, loaded once from the store.
    let index = PeerIndex::new(
        runtime
            .block_on(store.peer_candidates(GUILD, 0, Stage::Exploring, Stage::Leading))
            .unwrap(),
    );
    for (i, s) in seekers.iter().enumerate() {
        let want = peers::suggest(s, &by_tokens[i], &recent, cap, 5, now());
        assert_eq!(
            index.suggest(s, &recent, cap, 5, now()),
            want,
            "the index gives the same answer"
        );
    }

    let mut group = c.benchmark_group(format!("peers/{backend}"));
    group.bench_function(
        "index/PeerIndex::suggest over 100k profiles (what /peers runs)",
        |b| {
            let mut i = 0;
            b.iter(|| {
                i = (i + 1) % seekers.len();
                black_box(index.suggest(&seekers[i], &recent, cap, 5, now()))
            })
        },
    );
    group.bench_function("index/PeerIndex::suggest + weekly counts query", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % seekers.len();
            runtime.block_on(async {
                let counts = store
                    .recent_suggestion_counts(GUILD, now() - chrono::Duration::days(7))
                    .await
                    .unwrap();
                black_box(index.suggest(&seekers[i], &counts, cap, 5, now()))
            })
        })
    });
    group.sample_size(20);
    group.bench_function("suggest/pure over stage-range rows", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % seekers.len();
            black_box(peers::suggest(
                &seekers[i],
                &by_range[i],
                &recent,
                cap,
                5,
                now(),
            ))
        })
    });
    group.bench_function("suggest/pure over token-prefiltered rows", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % seekers.len();
            black_box(peers::suggest(
                &seekers[i],
                &by_tokens[i],
                &recent,
                cap,
                5,
                now(),
            ))
        })
    });
    group.bench_function("full/stage-range query + suggest", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % seekers.len();
            let s = &seekers[i];
            let (min, max) = s.stage_range().unwrap();
            runtime.block_on(async {
                let rows = store
                    .peer_candidates(GUILD, s.user_id, min, max)
                    .await
                    .unwrap();
                black_box(peers::suggest(s, &rows, &recent, cap, 5, now()))
            })
        })
    });
    group.bench_function("full/token-prefilter query + suggest", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % seekers.len();
            let s = &seekers[i];
            runtime.block_on(async {
                let q = s.candidate_query().unwrap();
                let rows = store.peer_candidates_matching(&q).await.unwrap();
                black_box(peers::suggest(s, &rows, &recent, cap, 5, now()))
            })
        })
    });
    group.finish();
    runtime.block_on(store.close());
}

criterion_group!(benches, bench_peers);
criterion_main!(benches);
