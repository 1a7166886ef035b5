//! One entry of an engine's path table: a pattern, its fields, a handler per operation,
//! and help text.
//!
//! Patterns are templates: `{name}` matches one name segment (OpenBao's
//! `GenericNameRegex`: word characters, `-` and `.` inside), `{name*}` one or more of any
//! character including `/`, `{name?*}` zero or more. Captures become fields.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use regex::Regex;

use super::field::Field;
use super::field_data::FieldData;
use crate::logical::{Operation, Request, Response, Result};

pub type HandlerFuture = Pin<Box<dyn Future<Output = Result<Option<Response>>> + Send>>;

/// A request handler: an async function of the backend, the request and its fields.
/// Any `async fn(self: Arc<E>, Request, FieldData) -> Result<Option<Response>>` is one.
pub trait Handler<E>: Send + Sync + 'static {
    fn call(&self, backend: Arc<E>, req: Request, data: FieldData) -> HandlerFuture;
}

impl<E, F, Fut> Handler<E> for F
where
    E: Send + Sync + 'static,
    F: Fn(Arc<E>, Request, FieldData) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Option<Response>>> + Send + 'static,
{
    fn call(&self, backend: Arc<E>, req: Request, data: FieldData) -> HandlerFuture {
        Box::pin(self(backend, req, data))
    }
}

pub type ExistenceFuture = Pin<Box<dyn Future<Output = Result<bool>> + Send>>;

/// Whether the object a write names exists, which decides if the write needs the
/// `create` or the `update` capability. Any `async fn(self: Arc<E>, Request, FieldData)
/// -> Result<bool>` is one.
pub trait ExistenceCheck<E>: Send + Sync + 'static {
    fn call(&self, backend: Arc<E>, req: Request, data: FieldData) -> ExistenceFuture;
}

impl<E, F, Fut> ExistenceCheck<E> for F
where
    E: Send + Sync + 'static,
    F: Fn(Arc<E>, Request, FieldData) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<bool>> + Send + 'static,
{
    fn call(&self, backend: Arc<E>, req: Request, data: FieldData) -> ExistenceFuture {
        Box::pin(self(backend, req, data))
    }
}

pub struct Path<E> {
    pub(super) pattern: &'static str,
    pub(super) regex: Regex,
    pub(super) fields: Arc<[Field]>,
    pub(super) operations: Vec<(Operation, Arc<dyn Handler<E>>)>,
    pub(super) existence: Option<Arc<dyn ExistenceCheck<E>>>,
    /// For login paths: the field naming who logs in (user lockout keys on it).
    pub(super) login_alias: Option<&'static str>,
    pub(super) synopsis: &'static str,
    pub(super) description: &'static str,
}

impl<E: Send + Sync + 'static> Path<E> {
    /// What help and the OpenAPI document say about this path.
    pub(super) fn doc(&self) -> super::openapi::PathDoc {
        super::openapi::PathDoc {
            pattern: self.pattern,
            fields: self.fields.to_vec(),
            operations: self.operations.iter().map(|(op, _)| *op).collect(),
            synopsis: self.synopsis,
            description: self.description,
        }
    }

    pub fn new(pattern: &'static str) -> Self {
        let (regex, captures) = compile(pattern);
        let fields: Vec<Field> =
            captures.into_iter().map(|name| Field::string(name, "Part of the request path.")).collect();
        Path {
            pattern,
            regex,
            fields: fields.into(),
            operations: Vec::new(),
            existence: None,
            login_alias: None,
            synopsis: "",
            description: "",
        }
    }

    /// Declare a field (or describe a path capture declared by the pattern).
    pub fn field(mut self, field: Field) -> Self {
        let mut fields: Vec<Field> = self.fields.iter().filter(|f| f.name != field.name).cloned().collect();
        fields.push(field);
        self.fields = fields.into();
        self
    }

    pub fn on(mut self, operation: Operation, handler: impl Handler<E>) -> Self {
        self.operations.push((operation, Arc::new(handler)));
        self
    }

    /// Writes to this path are creates when `check` says the object is absent.
    pub fn exists(mut self, check: impl ExistenceCheck<E>) -> Self {
        self.existence = Some(Arc::new(check));
        self
    }

    /// This is a login path and `field` names who logs in.
    pub fn login_alias(mut self, field: &'static str) -> Self {
        self.login_alias = Some(field);
        self
    }

    pub fn help(mut self, synopsis: &'static str, description: &'static str) -> Self {
        self.synopsis = synopsis;
        self.description = description;
        self
    }

    pub fn pattern(&self) -> &'static str {
        self.pattern
    }

    /// The captures of `path` if this entry matches it whole.
    pub(super) fn matches(&self, path: &str) -> Option<serde_json::Map<String, serde_json::Value>> {
        let caps = self.regex.captures(path)?;
        let mut out = serde_json::Map::new();
        for name in self.regex.capture_names().flatten() {
            if let Some(m) = caps.name(name) {
                out.insert(name.to_string(), serde_json::Value::String(m.as_str().to_string()));
            }
        }
        Some(out)
    }

    /// The handler for `operation`. A create falls back to the update handler, as in
    /// Vault: most paths treat both alike and only the capability differs.
    pub(super) fn handler(&self, operation: Operation) -> Option<&Arc<dyn Handler<E>>> {
        let find = |wanted: Operation| self.operations.iter().find(|(op, _)| *op == wanted).map(|(_, h)| h);
        find(operation).or_else(|| if operation == Operation::Create { find(Operation::Update) } else { None })
    }
}

/// Compile a template into an anchored regex, returning the capture names (slices of
/// the pattern itself).
fn compile(pattern: &'static str) -> (Regex, Vec<&'static str>) {
    let mut re = String::from("^");
    let mut names = Vec::new();
    let mut rest = pattern;
    while let Some(start) = rest.find('{') {
        re.push_str(&regex::escape(&rest[..start]));
        let end =
            rest[start..].find('}').map(|e| start + e).unwrap_or_else(|| panic!("unclosed '{{' in path {pattern:?}"));
        let spec = &rest[start + 1..end];
        let (name, class) = if let Some(name) = spec.strip_suffix("?*") {
            (name, ".*")
        } else if let Some(name) = spec.strip_suffix('*') {
            (name, ".+")
        } else {
            (spec, r"\w(?:[\w.-]*\w)?")
        };
        re.push_str(&format!("(?P<{name}>{class})"));
        names.push(name);
        rest = &rest[end + 1..];
    }
    re.push_str(&regex::escape(rest));
    re.push('$');
    (Regex::new(&re).unwrap_or_else(|e| panic!("bad path pattern {pattern:?}: {e}")), names)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Nothing;

    #[test]
    fn templates_capture_names_and_paths() {
        let p: Path<Nothing> = Path::new("keys/{name}/rotate");
        assert_eq!(p.matches("keys/my-key.v2/rotate").unwrap()["name"], "my-key.v2");
        assert!(p.matches("keys/a/b/rotate").is_none());
        assert!(p.matches("keys/-bad/rotate").is_none());
        assert!(p.matches("keys//rotate").is_none());

        let p: Path<Nothing> = Path::new("data/{path*}");
        assert_eq!(p.matches("data/a/b c/d").unwrap()["path"], "a/b c/d");
        assert!(p.matches("data/").is_none());

        let p: Path<Nothing> = Path::new("metadata/{path?*}");
        assert_eq!(p.matches("metadata/").unwrap()["path"], "");
        assert!(p.matches("rotate.x").is_none());
    }
}
