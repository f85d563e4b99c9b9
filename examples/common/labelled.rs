//! Labelled requests as the corpus examples read them (shared by `corpus_report` and
//! `train_learned`).

use std::collections::HashMap;

type Error = Box<dyn std::error::Error>;

/// The JSON objects of a JSON-lines file, blank lines skipped.
pub fn read_jsonl(path: &str) -> Result<Vec<serde_json::Value>, Error> {
    std::fs::read_to_string(path)?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| Ok(serde_json::from_str(l)?))
        .collect()
}

/// The `text` of each `id` of a texts file (`--texts`: the collected real requests, kept out
/// of the repository).
pub fn read_texts(path: &str) -> Result<HashMap<String, String>, Error> {
    let texts = read_jsonl(path)?.into_iter().filter_map(|v| {
        let id = v["id"].as_str()?.to_string();
        Some((id, v["text"].as_str()?.to_string()))
    });
    Ok(texts.collect())
}
