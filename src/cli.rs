//! The command line: `coffee-coach review`, `coffee-coach check-config` and `coffee-coach run`.
//!
//! [`Cli`] is the clap definition; [`run`] dispatches and returns the exit code; [`CliError`]
//! maps every failure to a message on stderr and an exit status (2 for bad usage or unreadable
//! input, 1 for anything else).

use std::io::{IsTerminal, Read};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::core::{report, ConfigFiles, Engine};

/// Drafts longer than this are refused on the command line (Discord allows at most 6000).
pub const MAX_INPUT_BYTES: usize = 1 << 20;

#[derive(Debug, Parser)]
#[command(
    name = "coffee-coach",
    version,
    about = "Reviews networking coffee requests before you send them"
)]
pub struct Cli {
    /// An edited config folder to use instead of the defaults built into the binary
    /// (`coffee-coach config export DIR` writes them out).
    #[arg(long, global = true, env = "COFFEE_COACH_CONFIG", value_name = "DIR")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Review a draft: the five checks, the words that triggered them, and a better phrasing.
    Review {
        /// The draft text (or `-` to read standard input).
        text: Option<String>,
        /// Read the draft from a file (`-` for standard input).
        #[arg(long, short, conflicts_with = "text")]
        file: Option<PathBuf>,
        /// Who the draft is for, e.g. "career coach" or "engineer two years ahead".
        #[arg(long, short)]
        recipient: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Exit with status 1 when any check failed.
        #[arg(long)]
        fail_on_failed: bool,
    },
    /// Check a config folder (checks, templates, bot settings) and report every problem.
    CheckConfig {
        /// The config folder (default: --config, else the built-in defaults).
        dir: Option<PathBuf>,
    },
    /// Work with the config: `config export DIR` writes the built-in defaults for editing.
    Config {
        #[command(subcommand)]
        action: ConfigAction,
    },
    /// Run the Discord bot (needs DISCORD_TOKEN, see .env.example).
    Run,
}

#[derive(Debug, Subcommand)]
pub enum ConfigAction {
    /// Write the built-in defaults into DIR (which must not already hold them).
    Export {
        /// Where to write `bot.toml`, `rewrite.toml`, `tips.toml`, `coach.toml`, `checks/`.
        dir: PathBuf,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// A failure of the command line, with the exit status it maps to.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Config(String),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl CliError {
    /// 2 for bad usage or unreadable input, 1 otherwise.
    pub fn exit_code(&self) -> ExitCode {
        match self {
            CliError::Usage(_) => ExitCode::from(2),
            CliError::Config(_) | CliError::Other(_) => ExitCode::from(1),
        }
    }
}

/// Runs one command and returns its exit status.
pub fn run(cli: Cli) -> Result<ExitCode, CliError> {
    let config = || {
        ConfigFiles::from_dir_or_builtin(cli.config.as_deref()).map_err(|e| {
            let dir = cli.config.as_deref().unwrap_or(std::path::Path::new("."));
            CliError::Config(format!(
                "cannot read the config folder {}: {e}",
                dir.display()
            ))
        })
    };
    match cli.command {
        Command::Review {
            text,
            file,
            recipient,
            format,
            fail_on_failed,
        } => {
            let draft = read_draft(text, file)?;
            let engine = Engine::from_files(&config()?).map_err(|problems| {
                CliError::Config(format!("the config has problems:\n{problems}"))
            })?;
            let review = engine.review(&draft, recipient.as_deref());
            match format {
                Format::Text => print!("{}", report::text(&review)),
                Format::Json => println!("{}", report::json(&review)),
            }
            Ok(if fail_on_failed && review.has_failures() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::CheckConfig { dir } => {
            let files = match dir {
                Some(dir) => ConfigFiles::read(&dir).map_err(|e| {
                    CliError::Config(format!(
                        "cannot read the config folder {}: {e}",
                        dir.display()
                    ))
                })?,
                None => config()?,
            };
            match crate::load_config(&files) {
                Ok(_) => {
                    println!("{}: all config files are valid", files.origin());
                    Ok(ExitCode::SUCCESS)
                }
                Err(problems) => {
                    let n = problems.0.len();
                    let count = if n == 1 {
                        "1 problem".into()
                    } else {
                        format!("{n} problems")
                    };
                    Err(CliError::Config(format!(
                        "{count} in {}:\n{problems}",
                        files.origin()
                    )))
                }
            }
        }
        Command::Config {
            action: ConfigAction::Export { dir },
        } => {
            let written = ConfigFiles::builtin().export(&dir).map_err(|e| {
                CliError::Config(format!("cannot export to {}: {e}", dir.display()))
            })?;
            println!(
                "wrote {} files to {}; use them with --config {} (or COFFEE_COACH_CONFIG)",
                written.len(),
                dir.display(),
                dir.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Run => {
            let settings =
                crate::settings::Settings::from_lookup(config()?, |k| std::env::var(k).ok())
                    .map_err(|e| CliError::Config(e.to_string()))?;
            crate::discord::run_blocking(settings)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The draft from the argument, a file, or standard input.
fn read_draft(text: Option<String>, file: Option<PathBuf>) -> Result<String, CliError> {
    let from_stdin = || -> Result<String, CliError> {
        let mut bytes = Vec::new();
        std::io::stdin()
            .take(MAX_INPUT_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| CliError::Usage(format!("cannot read standard input: {e}")))?;
        utf8(bytes, "standard input")
    };
    match (text, file) {
        (Some(t), None) if t == "-" => from_stdin(),
        (Some(t), None) => Ok(t),
        (None, Some(p)) if p.as_os_str() == "-" => from_stdin(),
        (None, Some(p)) => {
            let bytes = std::fs::read(&p)
                .map_err(|e| CliError::Usage(format!("cannot read {}: {e}", p.display())))?;
            utf8(bytes, &p.display().to_string())
        }
        (None, None) if !std::io::stdin().is_terminal() => from_stdin(),
        (None, None) => Err(CliError::Usage(
            "no draft given: pass the text, --file PATH, or pipe it on standard input".into(),
        )),
        (Some(_), Some(_)) => Err(CliError::Usage("give the text or --file, not both".into())),
    }
}

fn utf8(bytes: Vec<u8>, source: &str) -> Result<String, CliError> {
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(CliError::Usage(format!(
            "{source} is larger than {} KiB; a coffee request should be a few sentences",
            MAX_INPUT_BYTES / 1024
        )));
    }
    String::from_utf8(bytes).map_err(|_| CliError::Usage(format!("{source} is not UTF-8 text")))
}
