//! Times the review of the load test's drafts: `cargo run --release --example time_drafts`.

#[path = "common/drafts.rs"]
mod drafts;

use std::time::Instant;

use coffee_coach::core::{default_config, Engine};
use drafts::DRAFTS;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let engine = Engine::from_files(&default_config()?)?;
    for d in DRAFTS {
        let t = Instant::now();
        for _ in 0..200 {
            std::hint::black_box(engine.review(d, None));
        }
        let failed: Vec<String> = engine
            .review(d, None)
            .failed()
            .map(|f| f.id.clone())
            .collect();
        println!(
            "{:>8.1} µs  {}  {failed:?}",
            t.elapsed().as_secs_f64() * 1e6 / 200.0,
            &d[..40.min(d.len())]
        );
    }
    Ok(())
}
