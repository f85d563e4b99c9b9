//! Reviews a ~1,000-character draft with every check and the better phrasing (the draft fails
//! four checks, so the rewrite does its full work).
//! Run: `cargo bench --bench review`.

use std::hint::black_box;
use std::path::Path;

use coffee_coach::core::Engine;
use criterion::{criterion_group, criterion_main, Criterion};

const DRAFT: &str = include_str!("../examples/common/bench_draft.txt");

fn bench(c: &mut Criterion) {
    let engine = Engine::load(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/config")))
        .expect("config loads");
    eprintln!("draft: {} bytes", DRAFT.len());
    c.bench_function("review 1000-char draft (all checks + rewrite)", |b| {
        b.iter(|| {
            engine.review(
                black_box(DRAFT),
                black_box(Some("author of a career-change book")),
            )
        })
    });
    // The floor: one RegexSet pass over the same compiled patterns plus the spans of those
    // that matched, on the same drafts.
    c.bench_function("floor 1000-char draft (RegexSet pass + spans)", |b| {
        b.iter(|| engine.checks.scan_floor(black_box(DRAFT)))
    });
    // The patterns are compiled in lower case and the review folds the draft before matching:
    // the same floor on the folded draft is the work those patterns really do.
    let folded = DRAFT.to_lowercase();
    c.bench_function(
        "floor 1000-char draft, folded (RegexSet pass + spans)",
        |b| b.iter(|| engine.checks.scan_floor(black_box(&folded))),
    );
    // What the learned signal adds when the rules leave a check open to it (not on this draft,
    // which fails every check the model reads by a rule): the words and pairs it scores.
    c.bench_function("learned features of the 1000-char draft", |b| {
        b.iter(|| coffee_coach::core::learned::features(black_box(&folded)).len())
    });
    c.bench_function("floor one-line draft (RegexSet pass + spans)", |b| {
        b.iter(|| {
            engine
                .checks
                .scan_floor(black_box("Can I pick your brain over coffee sometime?"))
        })
    });
    c.bench_function("review a one-line draft", |b| {
        b.iter(|| {
            engine.review(
                black_box("Can I pick your brain over coffee sometime?"),
                None,
            )
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
