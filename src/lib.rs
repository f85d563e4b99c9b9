//! coffee-coach: reviews networking coffee requests and suggests peers a few steps ahead.
//!
//! [`core`] decides everything (review, rewrite, peers, coaching, tips) and imports no
//! Discord, tokio or database type. [`store`] is the SQLite repository. [`discord`] is the thin
//! adapter that parses interactions, calls the core and renders replies. [`cli`] is the command
//! line (`coffee-coach review`, `check-config`, `run`).

pub mod cli;
pub mod core;
pub mod discord;
pub mod settings;
pub mod store;

use std::path::Path;

/// Every problem in a config folder, one line each (empty when all is well). The bot refuses to
/// start on any of them; `coffee-coach check-config` prints them.
pub fn config_problems(dir: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    if let Err(e) = core::Engine::load(dir) {
        problems.push(e.to_string());
    }
    if let Err(e) = settings::BotFile::load(&dir.join("bot.toml")) {
        problems.push(e.to_string());
    }
    problems
}
