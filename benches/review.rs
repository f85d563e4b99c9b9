//! Reviews a ~1,000-character draft with every check and the better phrasing (the draft fails
//! four checks, so the rewrite does its full work).
//! Run: `cargo bench --bench review`.

use std::hint::black_box;
use std::path::Path;

use coffee_coach::core::Engine;
use criterion::{criterion_group, criterion_main, Criterion};

const DRAFT: &str =
    "Hi Maya, I hope this finds you well. I bought your book on career changes last \
month and read it twice over the holidays. I'm a high-school chemistry teacher with nine years in \
the classroom and I'm thinking about moving into learning design or UX research. I heard your \
podcast on family economics too, and I loved the episode on how people budget a career break. \
I would love to sit down with you over coffee to hear more about your journey and pick your \
brain about the field. Could you also tell me about what UX researchers do day to day? I'm \
hoping you could introduce me to someone at your old company. I know you're busy, so even a \
30-minute coffee next week would be amazing. I can come to your office any day. Thank you so \
much for reading this long message, and for all the work you share with people like me who \
are at a crossroads. I really appreciate it! PS: I also listened to your talk at the \
learning-design meetup and took two pages of notes.";

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
