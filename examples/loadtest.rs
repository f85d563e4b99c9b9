//! Measures the real bot under load: `cargo run --release --example loadtest [-- --count 2000
//! --rate 100]` (needs `cargo build --release --bin coffee-coach` first).
//!
//! With `--shards N --database-url postgres://...` it runs N bot processes (`SHARDS=i/N`) on one
//! PostgreSQL, sends interaction `n` on shard `n % N` (servers spread over the shards), and
//! reports latency and peak RSS per process as well.
//!
//! Starts the fake Discord of the integration tests in this process, runs the release binary
//! `coffee-coach run` against it as a child process, warms it up, then sends `--count` `/review`
//! slash interactions at `--rate` per second, each from a different member (the bot allows 10
//! reviews a minute per member). Latency is the time from handing the INTERACTION_CREATE to the
//! fake's gateway connection to the moment the fake received the bot's
//! `POST /interactions/{id}/{token}/callback` (`RecordedRequest::at`, taken before the fake
//! validates the body against the OpenAPI spec). The child's RSS is sampled every 50 ms from
//! `/proc/<pid>/status`; the peak is its `VmHWM`.
//!
//! Prints count, rate, p50/p90/p99/max latency, peak RSS, OpenAPI violations and how many
//! callbacks carried an embed. Exits non-zero if an interaction got no callback within 10 s or
//! the fake saw a violation.

#[path = "common/drafts.rs"]
mod drafts;
use drafts::DRAFTS;

#[path = "../tests/integration/fake/mod.rs"]
mod fake;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use fake::{option_string, FakeDiscord};
use tokio::time::MissedTickBehavior;

/// How long every interaction may wait for its callback.
const CALLBACK_TIMEOUT: Duration = Duration::from_secs(10);
/// Interactions sent before the measured run (JIT-free, but caches, the validator of the
/// callback route and the connection pool warm up).
const WARMUP: usize = 50;
/// First member id; interaction `i` comes from `MEMBER_BASE + i`.
const MEMBER_BASE: u64 = 1_000_000_000_000_010_000;
/// Quiet time after the last dispatch before the first look at the recorded requests.
const GRACE: Duration = Duration::from_millis(500);
/// RSS sampling period.
const SAMPLE_EVERY: Duration = Duration::from_millis(50);

struct Args {
    count: usize,
    rate: u64,
    shards: u32,
    database_url: Option<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        count: 2000,
        rate: 100,
        shards: 1,
        database_url: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) => (n.to_owned(), Some(v.to_owned())),
            None => (arg.clone(), None),
        };
        let mut value = |what: &str| {
            inline
                .clone()
                .or_else(|| it.next())
                .ok_or_else(|| format!("{what} needs a value"))
        };
        match name.as_str() {
            "--count" => {
                args.count = value("--count")?
                    .parse()
                    .map_err(|e| format!("--count: {e}"))?
            }
            "--rate" => {
                args.rate = value("--rate")?
                    .parse()
                    .map_err(|e| format!("--rate: {e}"))?
            }
            "--shards" => {
                args.shards = value("--shards")?
                    .parse()
                    .map_err(|e| format!("--shards: {e}"))?
            }
            "--database-url" => args.database_url = Some(value("--database-url")?),
            "-h" | "--help" => {
                println!(
                    "usage: loadtest [--count N] [--rate PER_SECOND] [--shards N \
                     --database-url postgres://...]"
                );
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if args.count == 0 || args.rate == 0 || args.shards == 0 {
        return Err("--count, --rate and --shards must be positive".into());
    }
    if args.shards > 1 && args.database_url.is_none() {
        return Err("several processes share one PostgreSQL: give --database-url".into());
    }
    Ok(args)
}

/// `target/<profile>/coffee-coach`, beside `target/<profile>/examples/loadtest`.
fn bot_binary() -> Result<PathBuf, String> {
    let exe = std::env::current_exe().map_err(|e| format!("current_exe: {e}"))?;
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .ok_or_else(|| format!("unexpected location of the example: {}", exe.display()))?;
    let bin = profile_dir.join(format!("coffee-coach{}", std::env::consts::EXE_SUFFIX));
    if !bin.is_file() {
        return Err(format!(
            "{} not found: build the bot first with `cargo build --release --bin coffee-coach` \
             (same CARGO_TARGET_DIR as this example)",
            bin.display()
        ));
    }
    Ok(bin)
}

/// `VmRSS` and `VmHWM` of a process in kB.
fn memory_kb(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

/// User plus system CPU time of a process (`/proc/<pid>/stat`, in USER_HZ = 100 ticks/s).
fn cpu_time(pid: &str) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the `(comm)`, which may contain spaces: state is field 3, utime 14, stime 15.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<u64> = after
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|f| f.parse().ok())
        .collect();
    Duration::from_millis(fields.iter().sum::<u64>() * 10)
}

/// The interaction id in `/api/v10/interactions/{id}/{token}/callback`.
fn callback_id(path: &str) -> Option<&str> {
    let rest = path.split("/interactions/").nth(1)?;
    let (id, rest) = rest.split_once('/')?;
    rest.ends_with("/callback").then_some(id)
}

/// Nearest-rank percentile of a sorted slice.
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// One sent interaction.
struct Sent {
    id: String,
    /// The shard (and so the process) it went to.
    shard: u32,
    /// Just after the INTERACTION_CREATE was queued on the fake's gateway connection.
    dispatched: Instant,
}

/// Sends `/review` from member `MEMBER_BASE + n` with draft `n % 10`, on shard `n % shards`.
async fn send_review(fake: &FakeDiscord, n: usize, shards: u32) -> Sent {
    let draft = DRAFTS[n % DRAFTS.len()];
    let options = serde_json::json!([option_string("draft", draft)]);
    let interaction = fake.slash_command(
        "review",
        options,
        MEMBER_BASE + n as u64,
        FakeDiscord::COFFEE_CHANNEL_ID,
    );
    let shard = (n % shards as usize) as u32;
    let id = fake.send_interaction_to(shard, interaction).await;
    Sent {
        id,
        shard,
        dispatched: Instant::now(),
    }
}

/// What became of the measured interactions.
struct Outcome {
    /// Latency and shard of each answered interaction.
    latencies: Vec<(Duration, u32)>,
    missing: Vec<String>,
    with_embed: usize,
}

/// Waits until every interaction has a callback or its 10 s ran out, polling the recorded
/// requests (one lock and clone per poll, matched by interaction id).
///
/// The first poll waits [`GRACE`] after the last dispatch: the fake takes `RecordedRequest::at`
/// while holding the lock that `requests()` holds for its deep clone of every request, so a
/// poll that overlaps a callback would delay that callback's `at` by the clone (tens of ms).
async fn collect(fake: &FakeDiscord, sent: &[Sent]) -> Outcome {
    let last = sent.iter().map(|s| s.dispatched).max();
    let deadline = last.map_or_else(Instant::now, |d| d + CALLBACK_TIMEOUT);
    if let Some(last) = last {
        tokio::time::sleep_until((last + GRACE).into()).await;
    }
    loop {
        let requests = fake.requests().await;
        let callbacks: HashMap<&str, &fake::RecordedRequest> = requests
            .iter()
            .filter(|r| r.method == "POST")
            .filter_map(|r| callback_id(&r.path).map(|id| (id, r)))
            .collect();
        let mut latencies = Vec::with_capacity(sent.len());
        let mut missing = Vec::new();
        let mut with_embed = 0;
        for s in sent {
            match callbacks.get(s.id.as_str()) {
                Some(cb) if cb.at.duration_since(s.dispatched) <= CALLBACK_TIMEOUT => {
                    latencies.push((cb.at.saturating_duration_since(s.dispatched), s.shard));
                    if cb.body["data"]["embeds"]
                        .as_array()
                        .is_some_and(|e| !e.is_empty())
                    {
                        with_embed += 1;
                    }
                }
                _ => missing.push(s.id.clone()),
            }
        }
        if missing.is_empty() || Instant::now() >= deadline {
            return Outcome {
                latencies,
                missing,
                with_embed,
            };
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("loadtest: {e}");
            return ExitCode::from(2);
        }
    };
    let bin = match bot_binary() {
        Ok(b) => b,
        Err(e) => {
            eprintln!("loadtest: {e}");
            return ExitCode::from(2);
        }
    };
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().expect("tempdir");

    let fake = FakeDiscord::start().await;
    let database_url = args
        .database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", dir.path().join("load.db").display()));
    let mut bots = Vec::new();
    for shard in 0..args.shards {
        let child = tokio::process::Command::new(&bin)
            .arg("run")
            .current_dir(repo)
            .env_remove("http_proxy")
            .env_remove("https_proxy")
            .env_remove("HTTP_PROXY")
            .env_remove("HTTPS_PROXY")
            .env_remove("ALL_PROXY")
            .env_remove("all_proxy")
            .env("DISCORD_TOKEN", FakeDiscord::TOKEN)
            .env("DISCORD_API_URL", fake.base_url())
            .env("DEV_GUILD_ID", FakeDiscord::GUILD_ID.to_string())
            .env(
                "MENTORING_CHANNEL_ID",
                FakeDiscord::COFFEE_CHANNEL_ID.to_string(),
            )
            .env("DATABASE_URL", &database_url)
            .env("SHARDS", format!("{shard}/{}", args.shards))
            .env("RUST_LOG", "warn")
            .env("COFFEE_COACH_CONFIG", repo.join("config"))
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
        bots.push(child);
    }
    let pids: Vec<u32> = bots.iter().map(|c| c.id().expect("child pid")).collect();

    // RSS sampler, per process.
    let stop = Arc::new(AtomicBool::new(false));
    let peaks: Vec<Arc<AtomicU64>> = pids.iter().map(|_| Arc::default()).collect();
    let sampler = {
        let (stop, peaks, pids) = (Arc::clone(&stop), peaks.clone(), pids.clone());
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(SAMPLE_EVERY);
            while !stop.load(Ordering::Relaxed) {
                tick.tick().await;
                for (pid, peak) in pids.iter().zip(&peaks) {
                    if let Some((rss, _)) = memory_kb(*pid) {
                        peak.fetch_max(rss, Ordering::Relaxed);
                    }
                }
            }
        })
    };

    fake.wait_ready_count(args.shards as usize).await;
    fake.wait_for_nth("PUT", "/commands", args.shards as usize - 1, fake::WAIT)
        .await;

    // Warm-up: also compiles the fake's validator for the callback route.
    let warm: Vec<Sent> = {
        let mut v = Vec::with_capacity(WARMUP);
        for n in 0..WARMUP {
            v.push(send_review(&fake, n, args.shards).await);
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        v
    };
    let warm = collect(&fake, &warm).await;
    if !warm.missing.is_empty() {
        eprintln!(
            "loadtest: {} warm-up interaction(s) got no callback",
            warm.missing.len()
        );
    }
    let rss_before: Vec<u64> = pids
        .iter()
        .map(|pid| memory_kb(*pid).map_or(0, |(rss, _)| rss))
        .collect();
    let bots_cpu = || -> Vec<Duration> { pids.iter().map(|p| cpu_time(&p.to_string())).collect() };
    let (bot_cpu_before, own_cpu_before) = (bots_cpu(), cpu_time("self"));

    // Measured run, paced by absolute ticks.
    let mut sent = Vec::with_capacity(args.count);
    let period = Duration::from_secs_f64(1.0 / args.rate as f64);
    let mut tick = tokio::time::interval(period);
    tick.set_missed_tick_behavior(MissedTickBehavior::Burst);
    let started = Instant::now();
    for i in 0..args.count {
        tick.tick().await;
        sent.push(send_review(&fake, WARMUP + i, args.shards).await);
    }
    let send_secs = started.elapsed().as_secs_f64();
    let bot_cpu: Vec<Duration> = bots_cpu()
        .iter()
        .zip(&bot_cpu_before)
        .map(|(after, before)| after.saturating_sub(*before))
        .collect();
    let own_cpu = cpu_time("self").saturating_sub(own_cpu_before);
    let outcome = collect(&fake, &sent).await;

    stop.store(true, Ordering::Relaxed);
    let _ = sampler.await;
    let memory: Vec<(u64, u64)> = pids
        .iter()
        .zip(&peaks)
        .map(|(pid, peak)| {
            let (rss_end, hwm) = memory_kb(*pid).unwrap_or((0, 0));
            (rss_end, hwm.max(peak.load(Ordering::Relaxed)))
        })
        .collect();
    for mut bot in bots {
        let _ = bot.start_kill();
        let _ = bot.wait().await;
    }

    let violations = fake.violations();
    let mut lat: Vec<Duration> = outcome.latencies.iter().map(|(d, _)| *d).collect();
    lat.sort_unstable();
    let actual_rate = args.count as f64 / send_secs;
    println!("coffee-coach load test: {}", bin.display());
    println!(
        "  interactions  {} /review at {} per second (sent in {:.2} s, {:.1}/s)",
        args.count, args.rate, send_secs, actual_rate
    );
    if lat.is_empty() {
        println!("  latency       no callbacks");
    } else {
        println!(
            "  latency ms    p50 {:.2}  p90 {:.2}  p99 {:.2}  max {:.2}  (dispatch -> callback at the fake)",
            ms(percentile(&lat, 50.0)),
            ms(percentile(&lat, 90.0)),
            ms(percentile(&lat, 99.0)),
            ms(*lat.last().expect("non-empty"))
        );
    }
    for shard in 0..args.shards {
        let i = shard as usize;
        let mut mine: Vec<Duration> = outcome
            .latencies
            .iter()
            .filter(|(_, s)| *s == shard)
            .map(|(d, _)| *d)
            .collect();
        mine.sort_unstable();
        if args.shards > 1 && !mine.is_empty() {
            println!(
                "  process {shard}     SHARDS={shard}/{}: p50 {:.2}  p99 {:.2} ms over {}",
                args.shards,
                ms(percentile(&mine, 50.0)),
                ms(percentile(&mine, 99.0)),
                mine.len()
            );
        }
        println!(
            "  RSS MB        process {shard}: peak {:.1} (VmHWM), after warm-up {:.1}, at the end {:.1}",
            memory[i].1 as f64 / 1024.0,
            rss_before[i] as f64 / 1024.0,
            memory[i].0 as f64 / 1024.0
        );
        println!(
            "  CPU s         process {shard}: {:.2}",
            bot_cpu[i].as_secs_f64()
        );
    }
    println!(
        "  CPU s         fake + load generator {:.2} (while sending)",
        own_cpu.as_secs_f64()
    );
    let mut slowest: Vec<(Duration, usize)> =
        outcome.latencies.iter().map(|(d, _)| *d).zip(0..).collect();
    slowest.sort_unstable_by(|a, b| b.cmp(a));
    let slowest: Vec<String> = slowest
        .iter()
        .take(3)
        .map(|(d, i)| {
            let at = sent[*i].dispatched.duration_since(started);
            format!("{:.2} ms (#{i} at +{:.2} s)", ms(*d), at.as_secs_f64())
        })
        .collect();
    println!("  slowest       {}", slowest.join(", "));
    println!("  violations    {}", violations.len());
    println!(
        "  embeds        {} of {} callbacks carried an embed (real reviews)",
        outcome.with_embed,
        lat.len()
    );
    println!(
        "  missing       {} interaction(s) without a callback within {} s",
        outcome.missing.len(),
        CALLBACK_TIMEOUT.as_secs()
    );
    println!("  targets       p99 <= 2 ms, peak RSS <= 30 MB per process");

    for v in violations.iter().take(5) {
        eprintln!("violation: {v}");
    }
    if !outcome.missing.is_empty() || !violations.is_empty() {
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
