//! Times the parts of one review of the bench draft (judge, phrasing, floor):
//! `cargo run --release --example parts`.
use std::hint::black_box;
use std::time::Instant;

use coffee_coach::core::{default_config, Engine};

const DRAFT: &str = include_str!("common/bench_draft.txt");

fn time(label: &str, n: u32, mut f: impl FnMut()) {
    for _ in 0..n / 10 {
        f();
    }
    let t = Instant::now();
    for _ in 0..n {
        f();
    }
    println!(
        "{:>8.2} µs  {label}",
        t.elapsed().as_secs_f64() * 1e6 / f64::from(n)
    );
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let engine = Engine::from_files(&default_config()?)?;
    let recipient = Some("author of a career-change book");
    let review = engine.review(DRAFT, recipient);
    time("review (judge + phrasing)", 20_000, || {
        black_box(engine.review(black_box(DRAFT), recipient));
    });
    time("phrasing alone", 20_000, || {
        black_box(
            engine
                .rewriter
                .rewrite(DRAFT, recipient, &review.checks, &engine.checks),
        );
    });
    time("floor (RegexSet pass + spans)", 20_000, || {
        black_box(engine.checks.scan_floor(black_box(DRAFT)));
    });
    let lower = DRAFT.to_lowercase();
    time("floor on the lowercased draft", 20_000, || {
        black_box(engine.checks.scan_floor(black_box(&lower)));
    });
    time("floor incl. lowercasing", 20_000, || {
        black_box(engine.checks.scan_floor(&black_box(DRAFT).to_lowercase()));
    });
    time("judge alone", 20_000, || {
        black_box(coffee_coach::core::judge::judge(
            black_box(DRAFT),
            recipient,
            &engine.checks,
        ));
    });
    time("language check", 20_000, || {
        black_box(coffee_coach::core::language::foreign_language(black_box(
            DRAFT,
        )));
    });
    time("metrics", 20_000, || {
        black_box(coffee_coach::core::review::metrics(black_box(DRAFT)));
    });
    let clean = engine.review(&review.rewrite, recipient);
    time(
        "review of the phrasing (what a re-judge costs)",
        20_000,
        || {
            black_box(engine.review(black_box(&review.rewrite), recipient));
        },
    );
    println!("phrasing re-reviews clean: {}", clean.failed().count() == 0);
    Ok(())
}
