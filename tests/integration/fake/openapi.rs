//! Discord's OpenAPI 3.1 spec as a request-body validator.
//!
//! [`Spec`] is loaded once per test process from `tests/data/discord/openapi.json` (MIT, see `LICENSE` beside it). It matches
//! a request's method and path (without `/api/v10`) to an operation by path template
//! (literal segments must match; `{param}` matches any segment; the template with the most
//! literal segments wins, so `/messages/@original` beats `/messages/{message_id}`), then
//! validates the JSON body against the operation's
//! `requestBody.content["application/json"].schema` with the `jsonschema` crate (OpenAPI 3.1
//! schemas are JSON Schema 2020-12). The whole spec is registered as a resource under
//! [`SPEC_URI`] and the operation schema's local `$ref`s are rewritten to point into it.
//! Compiled validators are cached per operation.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::Value;

use super::lock;

/// The URI the spec is registered under while compiling validators.
const SPEC_URI: &str = "https://discord.test/openapi.json";

/// Path to the spec, relative to the crate.
const SPEC_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/discord/openapi.json"
);

/// One operation of the spec.
struct Operation {
    method: String,
    template: String,
    segments: Vec<String>,
    /// `requestBody.content["application/json"].schema`, if any.
    json_schema: Option<Value>,
}

/// The loaded spec with its operations and a validator cache.
pub struct Spec {
    document: Value,
    operations: Vec<Operation>,
    validators: Mutex<HashMap<String, Arc<jsonschema::Validator>>>,
}

/// What the spec says about one request.
pub enum Matched {
    /// The route exists; `template` is its path template.
    Route { template: String },
    /// The path matches a template but that template has no such method.
    WrongMethod { template: String },
    /// No template matches.
    Unknown,
}

/// The process-wide spec (parsed on first use).
pub fn spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| {
        let text = std::fs::read_to_string(SPEC_PATH)
            .unwrap_or_else(|e| panic!("fake Discord: cannot read {SPEC_PATH}: {e}"));
        let document: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("fake Discord: {SPEC_PATH} is not JSON: {e}"));
        Spec::new(document)
    })
}

impl Spec {
    fn new(document: Value) -> Spec {
        let mut operations = Vec::new();
        let paths = document["paths"]
            .as_object()
            .expect("OpenAPI spec has a `paths` object");
        for (template, item) in paths {
            let Some(item) = item.as_object() else {
                continue;
            };
            for (method, op) in item {
                if !matches!(
                    method.as_str(),
                    "get" | "post" | "put" | "patch" | "delete" | "head"
                ) {
                    continue;
                }
                let json_schema = op
                    .pointer("/requestBody/content/application~1json/schema")
                    .cloned();
                operations.push(Operation {
                    method: method.to_ascii_uppercase(),
                    template: template.clone(),
                    segments: split(template),
                    json_schema,
                });
            }
        }
        Spec {
            document,
            operations,
            validators: Mutex::new(HashMap::new()),
        }
    }

    fn find(&self, method: &str, path: &str) -> (Option<&Operation>, Option<&str>) {
        let segments = split(path);
        let mut best: Option<(&Operation, usize)> = None;
        let mut any_method: Option<(&str, usize)> = None;
        for op in &self.operations {
            let Some(literals) = template_matches(&op.segments, &segments) else {
                continue;
            };
            if any_method.is_none_or(|(_, l)| literals > l) {
                any_method = Some((&op.template, literals));
            }
            if op.method == method && best.is_none_or(|(_, l)| literals > l) {
                best = Some((op, literals));
            }
        }
        (best.map(|(op, _)| op), any_method.map(|(t, _)| t))
    }

    /// Which operation `method path` is (path without `/api/v10`).
    pub fn route(&self, method: &str, path: &str) -> Matched {
        match self.find(method, path) {
            (Some(op), _) => Matched::Route {
                template: op.template.clone(),
            },
            (None, Some(template)) => Matched::WrongMethod {
                template: template.to_owned(),
            },
            (None, None) => Matched::Unknown,
        }
    }

    /// Validates a JSON body for `method path`. Returns the error lines (empty if valid or if
    /// the operation takes no JSON body).
    pub fn validate(&self, method: &str, path: &str, body: &Value) -> Vec<String> {
        let (Some(op), _) = self.find(method, path) else {
            return Vec::new();
        };
        let Some(schema) = &op.json_schema else {
            return vec![format!(
                "{method} {} takes no JSON body in the spec, got {body}",
                op.template
            )];
        };
        let key = format!("{} {}", op.method, op.template);
        let validator = {
            let cached = lock(&self.validators).get(&key).cloned();
            match cached {
                Some(v) => v,
                None => {
                    let v = Arc::new(self.compile(schema, &key));
                    lock(&self.validators).insert(key.clone(), Arc::clone(&v));
                    v
                }
            }
        };
        let body = lenient(body);
        validator
            .iter_errors(&body)
            .map(|e| {
                format!(
                    "{key}: at `{}` (schema `{}`): {e}",
                    e.instance_path, e.schema_path
                )
            })
            .collect()
    }

    fn compile(&self, schema: &Value, key: &str) -> jsonschema::Validator {
        let mut schema = schema.clone();
        rebase_refs(&mut schema);
        let resource = jsonschema::Resource::from_contents(self.document.clone())
            .unwrap_or_else(|e| panic!("fake Discord: spec as a JSON Schema resource: {e}"));
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .with_resource(SPEC_URI, resource)
            .build(&schema)
            .unwrap_or_else(|e| panic!("fake Discord: cannot compile the schema of {key}: {e}"))
    }
}

/// The one place the spec is stricter than Discord: it types every snowflake as a string,
/// but Discord documents (and accepts) the *index* of a new upload as an integer attachment
/// id, which is what serenity sends (`"attachments": [{"id": 0, ...}]`). Integer
/// `attachments[*].id`s, at the top level or under `data` (interaction callbacks), are
/// validated as strings; nothing else is relaxed.
fn lenient(body: &Value) -> Value {
    let mut body = body.clone();
    stringify_attachment_ids(&mut body);
    if let Some(data) = body.get_mut("data") {
        stringify_attachment_ids(data);
    }
    body
}

fn stringify_attachment_ids(v: &mut Value) {
    let Some(items) = v.get_mut("attachments").and_then(Value::as_array_mut) else {
        return;
    };
    for item in items {
        if let Some(n) = item.get("id").and_then(Value::as_u64) {
            item["id"] = Value::String(n.to_string());
        }
    }
}

/// Rewrites local `$ref`s (`#/components/...`) to point into the registered spec.
fn rebase_refs(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (k, child) in map.iter_mut() {
                if k == "$ref" {
                    if let Value::String(s) = child {
                        if s.starts_with('#') {
                            *s = format!("{SPEC_URI}{s}");
                        }
                    }
                } else {
                    rebase_refs(child);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(rebase_refs),
        _ => {}
    }
}

fn split(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// `Some(number of literal segments)` if the template matches the path.
fn template_matches(template: &[String], path: &[String]) -> Option<usize> {
    if template.len() != path.len() {
        return None;
    }
    let mut literals = 0;
    for (t, p) in template.iter().zip(path) {
        if t.starts_with('{') && t.ends_with('}') {
            continue;
        }
        if t != p {
            return None;
        }
        literals += 1;
    }
    Some(literals)
}
