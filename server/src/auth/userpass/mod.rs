//! The `userpass` auth method: users with a password and token settings, and a login
//! that checks the password and asks the core for a token.
//!
//! Paths (relative to the mount, e.g. `auth/userpass/`):
//! - `users`, `users/` (LIST): user names, with `after`/`limit` paging.
//! - `users/{username}` (create, read, update, delete): one user (`users.rs`).
//! - `users/{username}/password`, `users/{username}/policies` (update): change one part
//!   (`user_password.rs`, `user_policies.rs`).
//! - `login/{username}` (update, unauthenticated): log in (`login.rs`).
//!
//! Storage layout (this mount's private, encrypted view):
//! - `user/<username>`: a JSON [`users::UserEntry`]: the Argon2id PHC hash of the password
//!   (never the password), the token settings, and the deprecated spellings still shown on
//!   read. `<username>` is always lowercased.
//!
//! Invariants: user names are case-insensitive everywhere. They are lowercased before any
//! storage access, on every path (OpenBao stores `users/<Name>/password` under the name as
//! typed, creating a user nobody can log in as or delete; Arcanum does not). Login
//! failures do not say whether the user exists, by word or by timing. Only a wrong
//! password for an existing user is [`Error::InvalidCredentials`], the one failure the core
//! counts towards locking the user out (lockout itself is the core's business).

mod login;
mod password;
mod user_password;
mod user_policies;
mod users;

use std::sync::Arc;

use crate::framework::{Backend, Framework, Path, SpecialPaths};
use crate::logical::{BackendConfig, Error, KeyLocks, StorageView};

pub struct Userpass {
    storage: StorageView,
    /// Serialise read-modify-write of one user (a password change racing a policy change
    /// must not lose either).
    locks: KeyLocks,
}

/// Builds one mounted instance.
pub fn factory(config: BackendConfig) -> Result<Arc<dyn Backend>, Error> {
    Ok(Arc::new(backend(config)))
}

fn backend(config: BackendConfig) -> Framework<Userpass> {
    let userpass = Userpass { storage: config.storage, locks: KeyLocks::default() };
    Framework::new(Arc::new(userpass), paths())
        .special_paths(SpecialPaths { root: vec![], unauthenticated: vec!["login/*"] })
        .help(BACKEND_HELP)
}

fn paths() -> Vec<Path<Userpass>> {
    let mut paths = users::paths();
    paths.extend(user_password::paths());
    paths.extend(user_policies::paths());
    paths.extend(login::paths());
    paths
}

const BACKEND_HELP: &str = "The userpass auth method lets users log in with a username and password. \
Administrators manage users under users/; users log in at login/<username>. User names are \
case-insensitive. Passwords are stored only as Argon2id hashes.";

#[cfg(test)]
mod testing {
    //! Shared helpers for this method's tests: a mounted backend on in-memory storage.

    use serde_json::{Value, json};

    use crate::framework::Backend;
    use crate::logical::{BackendConfig, Operation, Request, Response, Result, Storage, StorageView};

    pub struct Harness {
        pub backend: Box<dyn Backend>,
        pub storage: StorageView,
    }

    pub fn harness() -> Harness {
        let config = BackendConfig::for_tests(&[]);
        let storage = config.storage.clone();
        Harness { backend: Box::new(super::backend(config)), storage }
    }

    impl Harness {
        pub async fn call(&self, op: Operation, path: &str, data: Value) -> Result<Option<Response>> {
            self.backend.handle(Request::new(op, path).with_data(data)).await
        }

        pub async fn write(&self, path: &str, data: Value) -> Result<Option<Response>> {
            self.call(Operation::Update, path, data).await
        }

        /// The `data` of a read, or `None` for a 404.
        pub async fn read(&self, path: &str) -> Option<Value> {
            let resp = self.call(Operation::Read, path, json!({})).await.expect("read failed");
            resp.map(|r| Value::Object(r.data.unwrap_or_default()))
        }

        pub async fn login(&self, user: &str, password: &str) -> Result<Option<Response>> {
            self.login_from(None, user, password).await
        }

        /// A login from client address `addr`.
        pub async fn login_from(&self, addr: Option<&str>, user: &str, password: &str) -> Result<Option<Response>> {
            let mut req =
                Request::new(Operation::Update, format!("login/{user}")).with_data(json!({ "password": password }));
            req.connection.remote_addr = addr.map(str::to_string);
            self.backend.handle(req).await
        }

        /// The raw stored record of `user` (exactly the key given, not lowercased).
        pub async fn stored(&self, user: &str) -> Option<String> {
            let bytes = self.storage.get(&format!("user/{user}")).await.expect("storage failed")?;
            Some(String::from_utf8(bytes).expect("records are JSON"))
        }
    }

    pub fn message(result: Result<Option<Response>>) -> String {
        match result {
            Err(crate::logical::Error::InvalidRequest(m)) => m,
            other => panic!("expected a 400, got {:?}", other.map(|r| r.map(|r| r.data))),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::logical::{BackendConfig, Operation, Request};

    #[tokio::test]
    async fn registered_built_by_the_factory_and_helpful() {
        let (_, factory) = crate::auth::registry().into_iter().find(|(name, _)| *name == "userpass").unwrap();
        let backend = factory(BackendConfig::for_tests(&[])).unwrap();
        assert!(backend.special_paths().is_unauthenticated("login/anyone"));
        assert!(backend.special_paths().root.is_empty());
        for path in ["users", "users/x", "users/x/password", "users/x/policies", "login/x"] {
            let resp = backend.handle(Request::new(Operation::Help, path)).await.unwrap().unwrap();
            let help = resp.data.unwrap()["help"].as_str().unwrap().to_string();
            assert!(help.len() > 40, "{path}: {help}");
        }
        let write = Request::new(Operation::Update, "users/x").with_data(json!({"password": "p"}));
        assert!(backend.handle(write).await.unwrap().is_none());
    }
}
