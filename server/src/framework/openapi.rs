//! The OpenAPI document (`sys/internal/specs/openapi`), generated from the same path
//! tables that route requests, so it cannot drift from what the server does.

use serde_json::{Map, Value, json};

use super::field::{Field, FieldType};
use crate::logical::Operation;

/// One path of a backend, as documented.
pub struct PathDoc {
    pub pattern: &'static str,
    pub fields: Vec<Field>,
    pub operations: Vec<Operation>,
    pub synopsis: &'static str,
    pub description: &'static str,
}

fn schema_type(kind: FieldType) -> Value {
    match kind {
        FieldType::String => json!({ "type": "string" }),
        FieldType::Int => json!({ "type": "integer" }),
        FieldType::Bool => json!({ "type": "boolean" }),
        FieldType::DurationSecond => json!({ "type": "string", "format": "duration" }),
        FieldType::CommaStringSlice | FieldType::StringSlice => {
            json!({ "type": "array", "items": { "type": "string" } })
        }
        FieldType::KvPairs | FieldType::Map => json!({ "type": "object" }),
        FieldType::Raw => json!({}),
    }
}

/// `{name}`, `{name*}`, `{name?*}` → `{name}`; also returns the capture names.
fn openapi_path(pattern: &str) -> (String, Vec<String>) {
    let mut out = String::new();
    let mut names = Vec::new();
    let mut rest = pattern;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('}').map(|e| start + e) else { break };
        let name = rest[start + 1..end].trim_end_matches('*').trim_end_matches('?');
        out.push_str(&format!("{{{name}}}"));
        names.push(name.to_string());
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    (out, names)
}

/// A whole OpenAPI document around a `paths` object.
pub fn document(paths: Map<String, Value>) -> Value {
    json!({
        "openapi": "3.0.2",
        "info": {
            "title": "Arcanum",
            "description": "Arcanum's HTTP API: the Vault/OpenBao API, generated from the mounted path tables.",
            "version": crate::core::VERSION,
            "license": { "name": "MPL-2.0" },
        },
        "paths": Value::Object(paths),
        "components": { "securitySchemes": { "token": { "type": "apiKey", "in": "header", "name": "X-Vault-Token" } } },
        "security": [{ "token": [] }],
    })
}

/// The text `?help=1` answers for one path, in Vault's layout: the request, the route,
/// the synopsis, each parameter with its type, then the description.
pub fn help_text(request_path: &str, doc: &PathDoc) -> String {
    let mut text = format!("Request:        {request_path}\nMatching Route: {}\n\n{}\n", doc.pattern, doc.synopsis);
    if !doc.fields.is_empty() {
        text.push_str("\n## PARAMETERS\n");
        for field in &doc.fields {
            text.push_str(&format!("\n    {} ({})\n\n        {}\n", field.name, field.kind.name(), field.description));
        }
    }
    if !doc.description.trim().is_empty() {
        text.push_str(&format!("\n## DESCRIPTION\n\n{}\n", doc.description.trim()));
    }
    text
}

/// Add `docs` (a backend mounted at `prefix`) to the OpenAPI `paths` object.
pub fn add_paths(paths: &mut Map<String, Value>, prefix: &str, docs: &[PathDoc]) {
    for doc in docs {
        let (path, captures) = openapi_path(doc.pattern);
        let parameters: Vec<Value> = captures
            .iter()
            .map(|name| json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" } }))
            .collect();
        let body: Map<String, Value> = doc
            .fields
            .iter()
            .filter(|f| !captures.iter().any(|c| c == f.name))
            .map(|f| {
                let mut schema = schema_type(f.kind);
                schema["description"] = json!(f.description);
                if let Some(default) = &f.default {
                    schema["default"] = default.clone();
                }
                (f.name.to_string(), schema)
            })
            .collect();
        let mut item = Map::new();
        item.insert("summary".into(), json!(doc.synopsis));
        if !doc.description.is_empty() {
            item.insert("description".into(), json!(doc.description));
        }
        if !parameters.is_empty() {
            item.insert("parameters".into(), json!(parameters));
        }
        for op in &doc.operations {
            let (method, extra): (&str, Option<Value>) = match op {
                Operation::Read => ("get", None),
                Operation::List => (
                    "get",
                    Some(
                        json!([{ "name": "list", "in": "query", "required": true, "schema": { "type": "string", "enum": ["true"] } }]),
                    ),
                ),
                Operation::Create | Operation::Update => ("post", None),
                Operation::Patch => ("patch", None),
                Operation::Delete => ("delete", None),
                Operation::Scan | Operation::Help => continue,
            };
            let mut operation =
                json!({ "responses": { "200": { "description": "OK" }, "204": { "description": "empty body" } } });
            if let Some(extra) = extra {
                operation["parameters"] = extra;
            }
            if matches!(method, "post" | "patch") && !body.is_empty() {
                let content_type = if method == "patch" { "application/merge-patch+json" } else { "application/json" };
                operation["requestBody"] = json!({
                    "content": { content_type: { "schema": { "type": "object", "properties": body } } }
                });
            }
            // A path that both reads and lists keeps the read as `get`.
            if !item.contains_key(method) {
                item.insert(method.into(), operation);
            }
        }
        // A folder path (`roles/`, for LIST) is documented without its slash, as OpenBao
        // does, and merged with the path of the same name if the table has both.
        let key = format!("/{prefix}{path}");
        let key = if key.len() > 1 { key.trim_end_matches('/').to_string() } else { key };
        match paths.get_mut(&key) {
            Some(Value::Object(existing)) => {
                for (name, value) in item {
                    existing.entry(name).or_insert(value);
                }
            }
            _ => {
                paths.insert(key, Value::Object(item));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_become_openapi_parameters() {
        assert_eq!(openapi_path("data/{path*}"), ("data/{path}".into(), vec!["path".into()]));
        assert_eq!(openapi_path("keys/{name}/rotate"), ("keys/{name}/rotate".into(), vec!["name".into()]));
        let mut paths = Map::new();
        add_paths(
            &mut paths,
            "secret/",
            &[PathDoc {
                pattern: "data/{path*}",
                fields: vec![Field::map("data", "The secret.")],
                operations: vec![Operation::Read, Operation::Update],
                synopsis: "Read or write a secret.",
                description: "",
            }],
        );
        let item = &paths["/secret/data/{path}"];
        assert!(item["get"].is_object() && item["post"]["requestBody"].is_object());
        assert_eq!(item["parameters"][0]["name"], "path");
    }

    #[test]
    fn folders_lose_their_slash_and_merge_with_the_plain_path() {
        let doc = |pattern, operations| PathDoc { pattern, fields: vec![], operations, synopsis: "", description: "" };
        let mut paths = Map::new();
        add_paths(
            &mut paths,
            "sys/",
            &[doc("policy", vec![Operation::Read]), doc("policy/", vec![Operation::List, Operation::Update])],
        );
        assert_eq!(paths.keys().collect::<Vec<_>>(), ["/sys/policy"]);
        let item = &paths["/sys/policy"];
        assert!(item["get"]["parameters"].is_null(), "the read keeps `get`: {item}");
        assert!(item["post"].is_object());
    }
}
