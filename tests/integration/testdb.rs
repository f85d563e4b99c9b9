//! A fresh, private database per test on either backend: a SQLite file in a temporary folder,
//! or a new database on the PostgreSQL server of `TEST_DATABASE_URL` (which `.ci/run` starts).
//! Without that variable a local run skips the PostgreSQL cases with a visible line; under
//! `CI=true` a missing server fails the test instead.

use std::sync::atomic::{AtomicU32, Ordering};

use coffee_coach::store::Store;
use sqlx::{Connection, Executor, PgConnection};
use tempfile::TempDir;

/// A test database: its URL and, for SQLite, the folder that holds it.
pub struct TestDb {
    pub url: String,
    _dir: Option<TempDir>,
}

impl TestDb {
    /// A new SQLite file in a temporary folder (kept as long as this value).
    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = format!("sqlite://{}", dir.path().join("nested/coffee.db").display());
        TestDb {
            url,
            _dir: Some(dir),
        }
    }

    /// A new, empty database on the server of `TEST_DATABASE_URL`, or `None` (with a line
    /// saying so) when no server is configured outside CI.
    pub async fn postgres(test: &str) -> Option<TestDb> {
        let admin = postgres_url(test)?;
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "cc_test_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let mut conn = PgConnection::connect(&admin)
            .await
            .unwrap_or_else(|e| panic!("TEST_DATABASE_URL does not answer: {e}"));
        conn.execute(format!("DROP DATABASE IF EXISTS {name}").as_str())
            .await
            .expect("drop an old test database");
        conn.execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .expect("create a test database");
        conn.close().await.ok();
        Some(TestDb {
            url: with_database(&admin, &name),
            _dir: None,
        })
    }

    /// Opens a store on this database (migrations applied).
    pub async fn open(&self) -> Store {
        Store::open(&self.url).await.expect("open the store")
    }
}

/// The PostgreSQL server's URL for tests, or `None` after printing why the case is skipped.
/// Panics under `CI=true`: CI must run every PostgreSQL case.
pub fn postgres_url(test: &str) -> Option<String> {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("CI=true but TEST_DATABASE_URL is not set: {test} must run on PostgreSQL")
        }
        _ => {
            // Written to the stream itself, not through `eprintln!`, which the test harness
            // captures and hides for a passing test: the skip must be seen.
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED {test} on PostgreSQL: set TEST_DATABASE_URL (see .ci/postgres)"
            );
            None
        }
    }
}

/// `url` with its database name replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    // postgres://user@host:port/db: the database is the part after the third slash.
    let server = match base.match_indices('/').nth(2) {
        Some((i, _)) => &base[..i],
        None => base,
    };
    match query {
        Some(q) => format!("{server}/{name}?{q}"),
        None => format!("{server}/{name}"),
    }
}

/// Runs each named `async fn name(db: TestDb)` on SQLite and on PostgreSQL, as the tests
/// `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test]
                async fn sqlite() {
                    super::$name($crate::testdb::TestDb::sqlite()).await;
                }

                #[tokio::test]
                async fn postgres() {
                    let test = concat!(module_path!(), "::postgres");
                    if let Some(db) = $crate::testdb::TestDb::postgres(test).await {
                        super::$name(db).await;
                    }
                }
            }
        )*
    };
}
