//! Shows the review and phrasing of labelled drafts by id: `cargo run --example show FILE ID...`.
use coffee_coach::core::{default_config, Engine, Status};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let engine = Engine::from_files(&default_config()?)?;
    for line in std::fs::read_to_string(&args[0])?.lines() {
        let v: serde_json::Value = serde_json::from_str(line)?;
        let id = v["id"].as_str().unwrap_or_default();
        if !args[1..].iter().any(|a| a == id || a == "all") {
            continue;
        }
        let text = v["text"].as_str().unwrap_or_default();
        let r = engine.review(text, v["recipient"].as_str());
        println!("===== {id} | {}\n{text}\n-----", v["labels"]);
        for f in r.checks.iter().filter(|f| f.status == Status::Failed) {
            let ev: Vec<&str> = f.evidence.iter().map(|e| e.text.as_str()).collect();
            println!(
                "FAILED {} [{}] {:?}",
                f.id,
                f.rule.as_deref().unwrap_or(""),
                ev
            );
        }
        println!("-----\n{}\n", r.rewrite);
    }
    Ok(())
}
