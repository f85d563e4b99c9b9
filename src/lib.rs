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

use core::{ConfigFiles, Problem, Problems};

/// What a config loads into: the engine, the tips and the coaching script.
pub struct LoadedConfig {
    pub engine: core::Engine,
    pub tips: core::tips::Tips,
    pub coach: core::coach::CoachScript,
}

/// Loads a whole config, or reports every problem of every file in one go (sorted by file and
/// line): the checks and the phrasing (`Engine`), `bot.toml`, the tips and the coaching script.
/// The phrasing's and the tips' references to checks and rules are checked against the checks
/// actually loaded. The bot compiles and parses each file once, here.
pub fn load_config(files: &ConfigFiles) -> Result<LoadedConfig, Problems> {
    let (engine, names) = core::Engine::with_names(files);
    let bot = settings::BotFile::from_files(files);
    let tips = files
        .require("tips.toml")
        .map_err(Problems::from)
        .and_then(|f| {
            let source = f.path.display().to_string();
            core::tips::Tips::from_str(&f.text, &source, &names)
        });
    let coach = files
        .require("coach.toml")
        .map_err(Problems::from)
        .and_then(|f| core::coach::CoachScript::from_str(&f.text, &f.path.display().to_string()));
    match (engine, bot, tips, coach) {
        (Ok(engine), Ok(_), Ok(tips), Ok(coach)) => Ok(LoadedConfig {
            engine,
            tips,
            coach,
        }),
        (engine, bot, tips, coach) => {
            let mut all = Problems::merge([engine.err(), bot.err(), tips.err(), coach.err()]);
            all.0
                .sort_by(|a: &Problem, b: &Problem| (&a.file, a.line).cmp(&(&b.file, b.line)));
            all.0.dedup();
            Err(all)
        }
    }
}

/// [`load_config`] as the bot's start-up reads it: the loaded config, or every problem as a
/// line `file:line: key: message`.
pub fn check_config(files: &ConfigFiles) -> (Option<LoadedConfig>, Vec<String>) {
    match load_config(files) {
        Ok(loaded) => (Some(loaded), Vec::new()),
        Err(problems) => (None, problems.0.iter().map(Problem::to_string).collect()),
    }
}
