//! `cubbyhole/`: private storage per token. Every token sees only its own entries (kept
//! under its hash), and they are deleted when the token is revoked.

use std::sync::Arc;

use serde_json::{Map, Value};

use crate::framework::{Backend, FieldData, Framework, Path};
use crate::logical::{BackendConfig, Error, Operation, Request, Response, Result, Storage, StorageView};

pub struct Cubbyhole {
    storage: StorageView,
}

pub fn factory(config: BackendConfig) -> std::result::Result<Arc<dyn Backend>, Error> {
    let paths = vec![
        Path::new("{path?*}")
            .on(Operation::Read, Cubbyhole::read)
            .on(Operation::Update, Cubbyhole::write)
            .on(Operation::Delete, Cubbyhole::delete)
            .on(Operation::List, Cubbyhole::list)
            .exists(Cubbyhole::exists)
            .help(
                "Store secrets only this token can read.",
                "The body is stored as given; it is gone once the token is revoked.",
            ),
    ];
    Ok(Arc::new(
        Framework::new(Arc::new(Cubbyhole { storage: config.storage }), paths)
            .help("Per-token private secret storage."),
    ))
}

impl Cubbyhole {
    /// This token's own folder.
    fn view(&self, req: &Request) -> Result<StorageView> {
        let token = req.token.as_ref().ok_or(Error::PermissionDenied)?;
        Ok(self.storage.sub_view(&format!("{}/", token.id_hash)))
    }

    async fn read(self: Arc<Self>, req: Request, _d: FieldData) -> Result<Option<Response>> {
        if req.path.is_empty() || req.path.ends_with('/') {
            return Ok(None);
        }
        match self.view(&req)?.get(&req.path).await? {
            Some(bytes) => {
                let data: Map<String, Value> = serde_json::from_slice(&bytes).map_err(Error::internal)?;
                Ok(Some(Response { data: Some(data), ..Default::default() }))
            }
            None => Ok(None),
        }
    }

    async fn write(self: Arc<Self>, req: Request, _d: FieldData) -> Result<Option<Response>> {
        if req.path.is_empty() {
            return Err(Error::invalid("missing path"));
        }
        if req.data.is_empty() {
            return Err(Error::invalid("missing data fields"));
        }
        let bytes = serde_json::to_vec(&req.data).map_err(Error::internal)?;
        self.view(&req)?.put(&req.path, &bytes).await?;
        Ok(None)
    }

    async fn delete(self: Arc<Self>, req: Request, _d: FieldData) -> Result<Option<Response>> {
        if !req.path.is_empty() && !req.path.ends_with('/') {
            self.view(&req)?.delete(&req.path).await?;
        }
        Ok(None)
    }

    async fn list(self: Arc<Self>, req: Request, _d: FieldData) -> Result<Option<Response>> {
        let folder =
            if req.path.is_empty() || req.path.ends_with('/') { req.path.clone() } else { format!("{}/", req.path) };
        let keys = self.view(&req)?.list(&folder).await?;
        Ok((!keys.is_empty()).then(|| Response::list(keys)))
    }

    async fn exists(self: Arc<Self>, req: Request, _d: FieldData) -> Result<bool> {
        Ok(!req.path.is_empty() && self.view(&req)?.get(&req.path).await?.is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn as_token(req: Request, hash: &str) -> Request {
        let mut req = req;
        let now = time::OffsetDateTime::now_utc();
        req.token =
            Some(Arc::new(crate::token::TokenEntry::orphan(hash.into(), "a".into(), vec!["default".into()], now)));
        req
    }

    #[tokio::test]
    async fn each_token_sees_only_its_own() {
        let b = factory(BackendConfig::for_tests(&[])).unwrap();
        let write = Request::new(Operation::Update, "app/db").with_data(json!({"password": "x"}));
        assert!(b.handle(as_token(write, "aaa")).await.unwrap().is_none());
        let read = |hash| as_token(Request::new(Operation::Read, "app/db"), hash);
        assert_eq!(b.handle(read("aaa")).await.unwrap().unwrap().data.unwrap()["password"], "x");
        assert!(b.handle(read("bbb")).await.unwrap().is_none(), "another token's cubbyhole is empty");
        let list = as_token(Request::new(Operation::List, "app/"), "aaa");
        assert_eq!(b.handle(list).await.unwrap().unwrap().data.unwrap()["keys"], json!(["db"]));
        let empty = as_token(Request::new(Operation::Update, "x").with_data(json!({})), "aaa");
        assert!(b.handle(empty).await.is_err());
    }
}
