//! Trains the learned signal of `config/checks/_learned.toml` from labelled requests:
//! `cargo run --release --example train_learned -- [FILE...] [--texts TEXTS.jsonl] [--out FILE]`.
//!
//! FILE (default: the `train` rewordings, `tests/data/real/train.jsonl`) holds one request per
//! line, `{"id","text","recipient","source_url","labels":{check: true|false|null}}`; with
//! `--texts`, the text of each id is taken from TEXTS where it has one (the collected real
//! requests). For each check of `CHECKS` a logistic model over the words and the pairs of words
//! learns whether a request fails (a label `false`; `true` and `null` count as not failing, as
//! the corpus report counts a failure reported on `null` as wrong). Its threshold comes from
//! five-fold cross-validation grouped by source, so that no request is scored by a model that
//! saw its source: the lowest at which the model alone is right at least `PRECISION` of the
//! time (on real requests, with at least `MIN_REPORTS` reports), or no model for the check when none
//! is. Prints the cross-validation per check to stderr (with what the model adds where the
//! rules did not fail the check) and the model to `--out` (or stdout).

use std::collections::{BTreeMap, HashMap};

use coffee_coach::core::judge::judge_rules;
use coffee_coach::core::learned::{features, probability, Learned, LearnedCheck};
use coffee_coach::core::normalize::Normalized;
use coffee_coach::core::{default_config, Engine, Status};
use labelled::{read_jsonl, read_texts};

#[path = "common/labelled.rs"]
mod labelled;

/// The checks the signal is trained for. right-people has too few labels to learn from; a
/// not-searchable model passed cross-validation, but of the failures it added to the rules' on
/// requests it never saw (the `test` split and a fresh round), fewer than half were right.
const CHECKS: [&str; 3] = ["reason-for-them", "not-free-advice", "right-size-ask"];
/// How often the failures a model reports alone must be right in cross-validation.
const PRECISION: f32 = 0.85;
/// The fewest failures a model must report in cross-validation to be kept.
const MIN_REPORTS: usize = 3;
const FOLDS: u64 = 5;
/// L2 penalty on the weights (per request, as the loss is a mean).
const L2: f32 = 0.003;
const STEPS: usize = 1500;
const RATE: f32 = 2.0;
/// Smaller weights are left out of the file (they move no decision).
const MIN_WEIGHT: f32 = 0.03;
/// A feature must occur in this many training requests to get a weight.
const MIN_COUNT: usize = 2;

/// One labelled request, as the model reads it.
struct Item {
    features: Vec<String>,
    /// Per check of `CHECKS`: `Some(true)` when it fails, `None` when not labelled.
    fails: Vec<Option<bool>>,
    /// Per check: whether the rules already fail it.
    rules_fail: Vec<bool>,
    fold: u64,
    /// Whether it is a real request (the cross-validation is scored on real requests only).
    real: bool,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut files = Vec::new();
    let mut texts: HashMap<String, String> = HashMap::new();
    let mut out = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--texts" => {
                let path = args.next().ok_or("--texts needs a file")?;
                texts.extend(read_texts(&path)?);
            }
            "--out" => out = Some(args.next().ok_or("--out needs a file")?),
            _ => files.push(arg),
        }
    }
    if files.is_empty() {
        files.push(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/real/train.jsonl").into());
    }
    let engine = Engine::from_files(&default_config()?)?;
    let mut items = Vec::new();
    for file in &files {
        for v in read_jsonl(file)? {
            let id = v["id"].as_str().unwrap_or_default();
            let text = texts
                .get(id)
                .map(String::as_str)
                .or(v["text"].as_str())
                .unwrap_or_default();
            let recipient = v["recipient"].as_str().filter(|r| !r.is_empty());
            let findings = judge_rules(text, recipient, &engine.checks);
            let read = Normalized::new(text);
            let source = v["source_url"].as_str().unwrap_or(id);
            items.push(Item {
                features: features(&read.text)
                    .into_iter()
                    .map(|f| f.name.into_owned())
                    .collect(),
                fails: CHECKS
                    .iter()
                    .map(|c| v["labels"].get(c).map(|l| l.as_bool() == Some(false)))
                    .collect(),
                rules_fail: CHECKS
                    .iter()
                    .map(|c| {
                        findings
                            .iter()
                            .any(|f| f.id == *c && f.status == Status::Failed)
                    })
                    .collect(),
                fold: fold_of(source),
                real: file.contains("/real/"),
            });
        }
    }
    let mut learned = Learned::default();
    for (c, id) in CHECKS.iter().enumerate() {
        let labelled: Vec<&Item> = items.iter().filter(|i| i.fails[c].is_some()).collect();
        let mut scored = Vec::new();
        for fold in 0..FOLDS {
            let (held, kept): (Vec<&Item>, Vec<&Item>) =
                labelled.iter().copied().partition(|i| i.fold == fold);
            let model = train(id, &kept, c);
            scored.extend(
                held.into_iter()
                    .filter(|i| i.real)
                    .map(|i| (p(&model, i), i)),
            );
        }
        let threshold = choose(id, c, &scored);
        if let Some(threshold) = threshold {
            let mut model = train(id, &labelled, c);
            model.threshold = threshold;
            learned.checks.push(model);
        }
    }
    let text = render(&learned)?;
    match out {
        Some(path) => std::fs::write(path, text)?,
        None => print!("{text}"),
    }
    Ok(())
}

/// The fold of a source: the same for every request from it.
fn fold_of(source: &str) -> u64 {
    // FNV-1a: stable across runs and platforms, unlike the std hasher.
    let hash = source.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    hash % FOLDS
}

fn p(model: &LearnedCheck, item: &Item) -> f32 {
    probability(model.score(item.features.iter().map(String::as_str)))
}

/// A logistic model of check `c` (`id`) over `items`, by gradient descent on the mean log loss.
fn train(id: &str, items: &[&Item], c: usize) -> LearnedCheck {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for item in items {
        for f in &item.features {
            *counts.entry(f.as_str()).or_default() += 1;
        }
    }
    let mut names: Vec<&str> = counts
        .iter()
        .filter(|(_, &n)| n >= MIN_COUNT)
        .map(|(&f, _)| f)
        .collect();
    names.sort_unstable();
    let index: HashMap<&str, usize> = names.iter().enumerate().map(|(i, &f)| (f, i)).collect();
    let rows: Vec<(Vec<usize>, f32)> = items
        .iter()
        .map(|item| {
            let row = item
                .features
                .iter()
                .filter_map(|f| index.get(f.as_str()).copied());
            (
                row.collect(),
                if item.fails[c] == Some(true) {
                    1.0
                } else {
                    0.0
                },
            )
        })
        .collect();
    let n = rows.len().max(1) as f32;
    let mut weights = vec![0.0_f32; names.len()];
    let mut bias = 0.0_f32;
    let mut gradient = vec![0.0_f32; names.len()];
    for _ in 0..STEPS {
        gradient
            .iter_mut()
            .zip(&weights)
            .for_each(|(g, w)| *g = L2 * w);
        let mut bias_gradient = 0.0;
        for (row, y) in &rows {
            let z = bias + row.iter().map(|&j| weights[j]).sum::<f32>();
            let error = (probability(z) - y) / n;
            bias_gradient += error;
            row.iter().for_each(|&j| gradient[j] += error);
        }
        bias -= RATE * bias_gradient;
        weights
            .iter_mut()
            .zip(&gradient)
            .for_each(|(w, g)| *w -= RATE * g);
    }
    let weights = names
        .iter()
        .zip(&weights)
        .filter(|(_, w)| w.abs() >= MIN_WEIGHT)
        .map(|(f, w)| (f.to_string(), round(*w)))
        .collect();
    LearnedCheck {
        id: id.to_string(),
        bias: round(bias),
        threshold: 1.0,
        weights,
    }
}

/// A weight rounded to what the file keeps.
fn round(x: f32) -> f32 {
    (x * 1000.0).round() / 1000.0
}

/// `x` as the decimal it prints as (an `f32` widened as it is would print 0.043000001).
fn decimal(x: f32) -> f64 {
    x.to_string().parse().unwrap_or_default()
}

/// The lowest threshold at which the failures the model reports alone (scored in
/// cross-validation) are right `PRECISION` of the time; prints what each threshold gives.
fn choose(id: &str, c: usize, scored: &[(f32, &Item)]) -> Option<f32> {
    let failing = scored
        .iter()
        .filter(|(_, i)| i.fails[c] == Some(true))
        .count();
    let by_rules = scored
        .iter()
        .filter(|(_, i)| i.rules_fail[c] && i.fails[c] == Some(true))
        .count();
    eprintln!("{id}: {failing} failures, the rules catch {by_rules}");
    let mut chosen = None;
    for step in (30..=95).rev().step_by(5) {
        let t = step as f32 / 100.0;
        let added: Vec<_> = scored
            .iter()
            .filter(|(p, i)| *p >= t && !i.rules_fail[c])
            .collect();
        let right = added
            .iter()
            .filter(|(_, i)| i.fails[c] == Some(true))
            .count();
        let alone: Vec<_> = scored.iter().filter(|(p, _)| *p >= t).collect();
        let alone_right = alone
            .iter()
            .filter(|(_, i)| i.fails[c] == Some(true))
            .count();
        eprintln!(
            "  threshold {t:.2}: adds {} failures, {right} right; caught {}/{failing}; alone {}/{} right",
            added.len(),
            by_rules + right, alone_right, alone.len()
        );
        if alone.len() >= MIN_REPORTS && alone_right as f32 >= PRECISION * alone.len() as f32 {
            chosen = Some(t);
        }
    }
    match chosen {
        Some(t) => eprintln!("  kept, threshold {t:.2}"),
        None => eprintln!("  no threshold is right often enough: no model"),
    }
    chosen
}

/// The model as `_learned.toml`, weights sorted by name so that training twice gives the same
/// file.
fn render(learned: &Learned) -> Result<String, toml::ser::Error> {
    #[derive(serde::Serialize)]
    struct File<'a> {
        check: Vec<Check<'a>>,
    }
    #[derive(serde::Serialize)]
    struct Check<'a> {
        id: &'a str,
        bias: f64,
        threshold: f64,
        weights: BTreeMap<&'a str, f64>,
    }
    let file = File {
        check: learned
            .checks
            .iter()
            .map(|m| Check {
                id: &m.id,
                bias: decimal(m.bias),
                threshold: decimal(m.threshold),
                weights: m
                    .weights
                    .iter()
                    .map(|(k, v)| (k.as_str(), decimal(*v)))
                    .collect(),
            })
            .collect(),
    };
    let header = "# The learned signal beside the rules, written by\n\
                  # `cargo run --release --example train_learned`: retrain rather than edit.\n\
                  # Delete this file to judge by the rules alone.\n\n";
    Ok(format!("{header}{}", toml::to_string(&file)?))
}
