//! The object-safe `Backend` the router holds, and `Framework<E>`, which implements it
//! for any engine written as a path table.

use std::sync::Arc;

use async_trait::async_trait;
use serde_json::json;

use super::field_data::FieldData;
use super::path::Path;
use crate::logical::{Error, Operation, Request, Response, Result};

/// Paths of a backend that need more, or less, than a token with the right capability.
#[derive(Clone, Debug, Default)]
pub struct SpecialPaths {
    /// Also need `sudo` (e.g. `rotate`). A trailing `*` matches any suffix.
    pub root: Vec<&'static str>,
    /// Need no token at all (login endpoints).
    pub unauthenticated: Vec<&'static str>,
}

impl SpecialPaths {
    pub fn is_root(&self, path: &str) -> bool {
        self.root.iter().any(|p| glob_match(p, path))
    }

    pub fn is_unauthenticated(&self, path: &str) -> bool {
        self.unauthenticated.iter().any(|p| glob_match(p, path))
    }
}

fn glob_match(pattern: &str, path: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => path.starts_with(prefix),
        None => pattern == path,
    }
}

/// What the router calls. Paths it receives are relative to the mount.
#[async_trait]
pub trait Backend: Send + Sync {
    /// Handle a request; `Ok(None)` means "nothing here" (404 for reads, 204 for writes).
    async fn handle(&self, req: Request) -> Result<Option<Response>>;

    fn special_paths(&self) -> &SpecialPaths;

    /// For a write: does the object exist? `None` when the path has no existence check
    /// (then a write is always an update).
    async fn exists(&self, _req: &Request) -> Result<Option<bool>> {
        Ok(None)
    }

    /// For a login: who is logging in, if the path says.
    fn login_alias(&self, _req: &Request) -> Option<String> {
        None
    }

    /// The paths, documented (for OpenAPI).
    fn path_docs(&self) -> Vec<super::openapi::PathDoc> {
        Vec::new()
    }
}

pub struct Framework<E> {
    backend: Arc<E>,
    paths: Vec<Path<E>>,
    special: SpecialPaths,
    help: &'static str,
}

impl<E: Send + Sync + 'static> Framework<E> {
    pub fn new(backend: Arc<E>, paths: Vec<Path<E>>) -> Self {
        Framework { backend, paths, special: SpecialPaths::default(), help: "" }
    }

    pub fn special_paths(mut self, special: SpecialPaths) -> Self {
        self.special = special;
        self
    }

    pub fn help(mut self, help: &'static str) -> Self {
        self.help = help;
        self
    }

    fn route(&self, path: &str) -> Option<(&Path<E>, serde_json::Map<String, serde_json::Value>)> {
        self.paths.iter().find_map(|p| p.matches(path).map(|caps| (p, caps)))
    }
}

#[async_trait]
impl<E: Send + Sync + 'static> Backend for Framework<E> {
    async fn handle(&self, req: Request) -> Result<Option<Response>> {
        let (path, captures) = self.route(&req.path).ok_or(Error::UnsupportedPath)?;
        if req.operation == Operation::Help {
            let doc = path.doc();
            let mut paths = serde_json::Map::new();
            super::openapi::add_paths(&mut paths, &req.mount_point, std::slice::from_ref(&doc));
            return Ok(Some(
                Response::data(json!({
                    "help": super::openapi::help_text(&req.path, &doc),
                    "openapi": super::openapi::document(paths),
                    "see_also": null,
                }))
                .raw(),
            ));
        }
        let handler = path.handler(req.operation).ok_or(Error::UnsupportedOperation)?.clone();
        // Path captures win over body fields of the same name in the fields; the request
        // keeps its body as sent (KV v1 and cubbyhole store it whole).
        let mut raw = req.data.clone();
        raw.extend(captures);
        let data = FieldData::new(raw, path.fields.clone());
        data.validate(matches!(req.operation, Operation::Create | Operation::Update | Operation::Patch))?;
        let unknown = data.unknown_fields();
        let mut response = handler.call(self.backend.clone(), req, data).await?;
        // As in Vault, only an answer with a body carries the warning: it must not turn a
        // 404 or a 204 into a 200.
        if let Some(response) = response.as_mut().filter(|r| r.data.is_some() || r.auth.is_some())
            && !unknown.is_empty()
        {
            response.warnings.push(format!("Endpoint ignored these unrecognized parameters: [{}]", unknown.join(" ")));
        }
        Ok(response)
    }

    fn special_paths(&self) -> &SpecialPaths {
        &self.special
    }

    async fn exists(&self, req: &Request) -> Result<Option<bool>> {
        let Some((path, captures)) = self.route(&req.path) else { return Ok(None) };
        let Some(check) = path.existence.clone() else { return Ok(None) };
        let mut req = req.clone();
        req.data.extend(captures);
        let data = FieldData::new(req.data.clone(), path.fields.clone());
        check.call(self.backend.clone(), req, data).await.map(Some)
    }

    fn path_docs(&self) -> Vec<super::openapi::PathDoc> {
        self.paths.iter().map(Path::doc).collect()
    }

    fn login_alias(&self, req: &Request) -> Option<String> {
        let (path, captures) = self.route(&req.path)?;
        let field = path.login_alias?;
        captures.get(field).or_else(|| req.data.get(field)).and_then(|v| v.as_str()).map(|s| s.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::Field;

    struct Echo;

    impl Echo {
        async fn read(self: Arc<Self>, _req: Request, d: FieldData) -> Result<Option<Response>> {
            Ok(Some(Response::data(json!({ "name": d.string("name")?, "ttl": d.duration("ttl")? }))))
        }
    }

    fn backend() -> Framework<Echo> {
        Framework::new(
            Arc::new(Echo),
            vec![
                Path::new("things/{name}")
                    .field(Field::duration("ttl", "How long"))
                    .on(Operation::Read, Echo::read)
                    .help("Read a thing.", "Reads it."),
            ],
        )
    }

    #[tokio::test]
    async fn routes_validates_and_dispatches() {
        let b = backend();
        let mut req = Request::new(Operation::Read, "things/a");
        req.data.insert("ttl".into(), json!("1m"));
        let resp = b.handle(req).await.unwrap().unwrap();
        assert_eq!(resp.data.unwrap()["ttl"], 60);

        assert!(matches!(b.handle(Request::new(Operation::Read, "nope")).await, Err(Error::UnsupportedPath)));
        assert!(matches!(
            b.handle(Request::new(Operation::Delete, "things/a")).await,
            Err(Error::UnsupportedOperation)
        ));

        let mut req = Request::new(Operation::Read, "things/a");
        req.data.insert("ttl".into(), json!("soon"));
        assert!(matches!(b.handle(req).await, Err(Error::InvalidRequest(_))));
    }

    #[tokio::test]
    async fn path_captures_override_the_body_and_unknown_fields_warn() {
        let b = backend();
        let mut req = Request::new(Operation::Read, "things/real");
        req.data.insert("name".into(), json!("spoofed"));
        req.data.insert("extra".into(), json!(1));
        let resp = b.handle(req).await.unwrap().unwrap();
        assert_eq!(resp.data.as_ref().unwrap()["name"], "real");
        assert_eq!(resp.warnings, vec!["Endpoint ignored these unrecognized parameters: [extra]"]);
    }

    #[tokio::test]
    async fn help_comes_from_the_table() {
        let resp = backend().handle(Request::new(Operation::Help, "things/x")).await.unwrap().unwrap();
        assert!(resp.data.unwrap()["help"].as_str().unwrap().contains("Read a thing."));
    }

    #[test]
    fn special_paths_glob() {
        let s = SpecialPaths { root: vec!["rotate", "raw/*"], unauthenticated: vec!["login/*"] };
        assert!(s.is_root("rotate") && s.is_root("raw/a/b") && !s.is_root("rotate2"));
        assert!(s.is_unauthenticated("login/bob") && !s.is_unauthenticated("users/bob"));
    }
}
