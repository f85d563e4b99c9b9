//! Times the review of the load test's drafts: `cargo run --release --example time_drafts`.
use std::time::Instant;

use coffee_coach::core::{default_config, Engine};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let engine = Engine::from_files(&default_config()?)?;
    let src = include_str!("loadtest.rs");
    let start = src.find("const DRAFTS").ok_or("no drafts")?;
    let block = &src[start..src[start..].find("];").ok_or("end")? + start];
    let drafts: Vec<String> = block
        .split("\",")
        .filter_map(|d| {
            d.split_once('"')
                .map(|(_, t)| t.replace("\\\n     ", "").replace("\\'", "'"))
        })
        .collect();
    for d in &drafts {
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
