//! The pure core: no Discord, tokio or database types, and `now` is always an argument.
//!
//! [`checks`] loads the check definitions from `config/checks/`; [`review`] runs them over a
//! draft and produces a [`review::Review`]; [`rewrite`] writes the better phrasing; [`report`]
//! renders a review as terminal text or JSON. [`profile`] and [`peers`] describe members and pick
//! peers a few steps ahead; [`coach`] is the DM coaching state machine; [`tips`] holds the tips
//! and decides which one is due.

pub mod checks;
pub mod coach;
pub mod cooldown;
pub mod language;
pub mod normalize;
pub mod peers;
pub mod profile;
pub mod report;
pub mod review;
pub mod rewrite;
pub mod tips;

use std::path::{Path, PathBuf};

pub use checks::{CheckSet, ConfigError};
pub use review::{Review, Status};
pub use rewrite::Rewriter;

/// The checks and the rewrite templates, loaded together from a config folder.
#[derive(Debug, Clone)]
pub struct Engine {
    /// The compiled checks of `checks/`.
    pub checks: CheckSet,
    /// The templates of `rewrite.toml`.
    pub rewriter: Rewriter,
}

impl Engine {
    /// Loads `DIR/checks/*.toml` and `DIR/rewrite.toml`.
    pub fn load(config_dir: &Path) -> Result<Engine, ConfigError> {
        Ok(Engine {
            checks: CheckSet::load_dir(&config_dir.join("checks"))?,
            rewriter: Rewriter::load(&config_dir.join("rewrite.toml"))?,
        })
    }

    /// Reviews a draft written to `recipient` (a short description, optional).
    pub fn review(&self, draft: &str, recipient: Option<&str>) -> Review {
        review::review(draft, recipient, &self.checks, &self.rewriter)
    }
}

/// The config folder: `COFFEE_COACH_CONFIG` if set, else `./config` when it exists, else the
/// `config/` folder of the source tree the binary was built from.
pub fn default_config_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("COFFEE_COACH_CONFIG") {
        return PathBuf::from(dir);
    }
    let local = PathBuf::from("config");
    if local.join("checks").is_dir() {
        return local;
    }
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/config"))
}
