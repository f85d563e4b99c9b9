//! Helpers shared by the integration tests, named so that tests read like sentences.

use std::path::PathBuf;
use std::sync::OnceLock;

use coffee_coach::core::review::Finding;
use coffee_coach::core::{Engine, Review, Status};

/// The project's `config/` folder.
pub fn config_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/config"))
}

/// `tests/data/`: the labelled sets and Discord's OpenAPI spec, kept in the repository.
pub fn data_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data"))
}

/// The engine loaded once from `config/`.
pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::load(&config_dir()).expect("config/ loads"))
}

/// Reviews a draft with the project's checks.
pub fn review(draft: &str, recipient: Option<&str>) -> Review {
    engine().review(draft, recipient)
}

fn finding<'a>(review: &'a Review, check: &str) -> &'a Finding {
    review
        .finding(check)
        .unwrap_or_else(|| panic!("no check `{check}` in the review"))
}

/// Asserts that `check` fails on `draft`.
#[track_caller]
pub fn assert_fails(draft: &str, check: &str) {
    let r = review(draft, None);
    let f = finding(&r, check);
    assert_eq!(
        f.status,
        Status::Failed,
        "`{check}` should fail on: {draft}\n{f:?}"
    );
    assert!(
        !f.evidence.is_empty(),
        "a failure quotes its evidence: {f:?}"
    );
}

/// Asserts that `check` passes on `draft`.
#[track_caller]
pub fn assert_passes(draft: &str, check: &str) {
    let r = review(draft, None);
    let f = finding(&r, check);
    assert_eq!(
        f.status,
        Status::Passed,
        "`{check}` should pass on: {draft}\n{f:?}"
    );
}

/// One labelled draft of `tests/data/*.jsonl`.
pub struct Labelled {
    pub id: String,
    pub text: String,
    pub recipient: Option<String>,
    /// Check id -> true (passes), false (fails), null (can't tell).
    pub labels: serde_json::Map<String, serde_json::Value>,
}

/// The labelled drafts of a JSON-lines file.
pub fn labelled(path: &std::path::Path) -> Vec<Labelled> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
            Labelled {
                id: v["id"].as_str().unwrap_or_default().to_string(),
                text: v["text"].as_str().unwrap_or_default().to_string(),
                recipient: v["recipient"].as_str().map(str::to_string),
                labels: v["labels"].as_object().cloned().unwrap_or_default(),
            }
        })
        .collect()
}

/// `coffee-coach run` as operators start it, against the REST address `api_url` and the
/// database `db`, with the test config, quiet logs and no proxy; stdout and stderr discarded.
pub fn bot_command(api_url: &str, db: &str) -> std::process::Command {
    use std::process::Stdio;
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_coffee-coach"));
    command
        .arg("run")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("DISCORD_TOKEN", crate::fake::FakeDiscord::TOKEN)
        .env("DISCORD_API_URL", api_url)
        .env(
            "DEV_GUILD_ID",
            crate::fake::FakeDiscord::GUILD_ID.to_string(),
        )
        .env("DATABASE_URL", db)
        .env("COFFEE_COACH_CONFIG", config_dir())
        .env("RUST_LOG", "warn")
        .env_remove("http_proxy")
        .env_remove("https_proxy")
        .env_remove("HTTP_PROXY")
        .env_remove("HTTPS_PROXY")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

/// A process a test started; killed when the test ends, pass or fail.
pub struct Spawned(pub std::process::Child);

impl std::ops::Deref for Spawned {
    type Target = std::process::Child;
    fn deref(&self) -> &std::process::Child {
        &self.0
    }
}

impl std::ops::DerefMut for Spawned {
    fn deref_mut(&mut self) -> &mut std::process::Child {
        &mut self.0
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
