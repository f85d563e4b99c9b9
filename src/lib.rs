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
