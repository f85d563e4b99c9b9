//! Prints how the checks agree with the labelled dev corpus: `cargo run --example corpus_report [FILE]`.

use coffee_coach::core::{default_config_dir, Engine, Status};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).unwrap_or_else(|| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus/dev.jsonl").into()
    });
    let engine = Engine::load(&default_config_dir())?;
    let (mut agree, mut total) = (0, 0);
    let (mut reported, mut right) = (0, 0);
    for line in std::fs::read_to_string(path)?
        .lines()
        .filter(|l| !l.trim().is_empty())
    {
        let item: serde_json::Value = serde_json::from_str(line)?;
        let text = item["text"].as_str().unwrap_or_default();
        let recipient = item["recipient"].as_str();
        let review = engine.review(text, recipient);
        for f in &review.checks {
            let label = &item["labels"][&f.id];
            let got = match f.status {
                Status::Passed => Some(true),
                Status::Failed => Some(false),
                Status::NotJudged => None,
            };
            if f.status == Status::Failed {
                reported += 1;
                if label.as_bool() == Some(false) {
                    right += 1;
                }
            }
            if let Some(want) = label.as_bool() {
                total += 1;
                if got == Some(want) {
                    agree += 1;
                } else {
                    println!(
                        "{} {}: label {} got {:?} {:?}",
                        item["id"],
                        f.id,
                        want,
                        f.status,
                        f.evidence.iter().map(|e| &e.text).collect::<Vec<_>>()
                    );
                }
            }
        }
        if std::env::var_os("SHOW").is_some() {
            println!(
                "--- {} ({})\n{}\n=> {}\n",
                item["id"],
                review.rewrite.split_whitespace().count(),
                text,
                review.rewrite
            );
        }
    }
    println!("agreement {agree}/{total}; reported failures right {right}/{reported}");
    Ok(())
}
