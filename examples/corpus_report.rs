//! How the checks agree with a labelled set, per check:
//! `cargo run --example corpus_report [FILE...] [--texts TEXTS.jsonl] [--quiet]`.
//!
//! Each line of FILE is `{"id","text","recipient","labels":{check: true|false|null}}`. With
//! `--texts`, the `text` of each id is taken from TEXTS instead (the collected real requests,
//! kept out of the repository); items without a text there are skipped. Prints every
//! disagreement (unless `--quiet`), then per check: failures caught (recall), reported failures
//! that were right (precision, a failure reported where the judges said "can't tell" counts as
//! wrong), and drafts labelled as passing that failed.

use std::collections::HashMap;

use coffee_coach::core::{default_config, Engine, Status};
use labelled::{read_jsonl, read_texts};

#[path = "common/labelled.rs"]
mod labelled;

#[derive(Default)]
struct Tally {
    labelled_fail: usize,
    caught: usize,
    reported: usize,
    right: usize,
    labelled_pass: usize,
    false_fail: usize,
    agree: usize,
    total: usize,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut files = Vec::new();
    let mut texts: HashMap<String, String> = HashMap::new();
    let mut quiet = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--texts" => {
                let path = args.next().ok_or("--texts needs a file")?;
                texts.extend(read_texts(&path)?);
            }
            "--quiet" => quiet = true,
            _ => files.push(arg),
        }
    }
    if files.is_empty() {
        files.push(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/dev.jsonl").into());
    }
    let engine = Engine::from_files(&default_config()?)?;
    let mut tallies: Vec<(String, Tally)> = engine
        .checks
        .checks()
        .iter()
        .map(|c| (c.id.clone(), Tally::default()))
        .collect();
    let mut drafts = 0;
    for path in &files {
        for item in read_jsonl(path)? {
            let id = item["id"].as_str().unwrap_or_default();
            let text = if texts.is_empty() {
                item["text"].as_str().unwrap_or_default()
            } else {
                match texts.get(id) {
                    Some(t) => t.as_str(),
                    None => continue,
                }
            };
            drafts += 1;
            let recipient = item["recipient"].as_str();
            let review = engine.review(text, recipient);
            for (f, (_, t)) in review.checks.iter().zip(tallies.iter_mut()) {
                let Some(label) = item["labels"].get(&f.id) else {
                    continue;
                };
                let failed = f.status == Status::Failed;
                if failed {
                    t.reported += 1;
                    t.right += usize::from(label.as_bool() == Some(false));
                }
                match label.as_bool() {
                    Some(false) => {
                        t.labelled_fail += 1;
                        t.caught += usize::from(failed);
                    }
                    Some(true) => {
                        t.labelled_pass += 1;
                        t.false_fail += usize::from(failed);
                    }
                    None if failed && !quiet => println!(
                        "{id} {}: label null got Failed {:?}",
                        f.id,
                        f.evidence.iter().map(|e| &e.text).collect::<Vec<_>>()
                    ),
                    None => {}
                }
                if let Some(want) = label.as_bool() {
                    t.total += 1;
                    let got = match f.status {
                        Status::Passed => Some(true),
                        Status::Failed => Some(false),
                        Status::NotJudged => None,
                    };
                    if got == Some(want) {
                        t.agree += 1;
                    } else if !quiet {
                        println!(
                            "{id} {}: label {want} got {:?} {:?}",
                            f.id,
                            f.status,
                            f.evidence.iter().map(|e| &e.text).collect::<Vec<_>>()
                        );
                    }
                }
            }
            if std::env::var_os("SHOW").is_some() {
                println!("--- {id}\n{text}\n=> {}\n", review.rewrite);
            }
        }
    }
    let pct = |a: usize, b: usize| {
        if b == 0 {
            "-".to_string()
        } else {
            format!("{:.0}% ({a}/{b})", 100.0 * a as f64 / b as f64)
        }
    };
    println!("\n{drafts} drafts");
    println!("| check | failures caught | reported failures right | labelled passing that failed | agreement |");
    println!("|---|---|---|---|---|");
    let (mut agree, mut total, mut reported, mut right) = (0, 0, 0, 0);
    for (id, t) in &tallies {
        println!(
            "| {id} | {} | {} | {} | {} |",
            pct(t.caught, t.labelled_fail),
            pct(t.right, t.reported),
            pct(t.false_fail, t.labelled_pass),
            pct(t.agree, t.total)
        );
        agree += t.agree;
        total += t.total;
        reported += t.reported;
        right += t.right;
    }
    println!("agreement {agree}/{total}; reported failures right {right}/{reported}");
    Ok(())
}
