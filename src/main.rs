//! The `coffee-coach` binary: loads `.env`, parses the command line, runs, and turns the
//! outcome into an exit code in one place.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // A missing .env is normal (the offline review needs none).
    let _ = dotenvy::dotenv();
    let cli = coffee_coach::cli::Cli::parse();
    match coffee_coach::cli::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("coffee-coach: {err}");
            err.exit_code()
        }
    }
}
