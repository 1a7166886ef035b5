//! `users` and `users/{username}`: listing and managing users, and the user record that
//! `user_password.rs`, `user_policies.rs` and `login.rs` share.
//!
//! Invariants: every handler lowercases the name before touching storage; a write that
//! creates a user carries exactly one of `password` / `password_hash`; a stored record
//! holds a PHC hash, never a password; token settings are validated as a whole after all
//! of a request's changes (new and deprecated spellings) are applied.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use zeroize::{Zeroize, Zeroizing};

use super::{Userpass, password};
use crate::auth::token_fields::{self, TokenParams};
use crate::framework::{Field, FieldData, Path};
use crate::logical::{Error, Operation, Request, Response, Result, Storage};

/// What is stored at `user/<username>`.
#[derive(Default, Serialize, Deserialize)]
#[serde(default)]
pub(super) struct UserEntry {
    /// Argon2id PHC string.
    pub password_hash: String,
    pub token: TokenParams,
    /// Deprecated spellings, kept only so a read shows them as OpenBao does; when set they
    /// equal their `token_*` counterpart.
    pub policies: Vec<String>,
    pub ttl: u64,
    pub max_ttl: u64,
    pub bound_cidrs: Vec<String>,
}

impl UserEntry {
    /// Apply the token fields a request sent, new and deprecated spellings, then check.
    fn apply_token_fields(&mut self, d: &FieldData) -> Result<()> {
        self.token.parse(d)?;
        let t = &mut self.token;
        token_fields::upgrade_policies(d, "policies", "token_policies", &mut self.policies, &mut t.token_policies)?;
        token_fields::upgrade_duration(d, "ttl", "token_ttl", &mut self.ttl, &mut t.token_ttl)?;
        token_fields::upgrade_duration(d, "max_ttl", "token_max_ttl", &mut self.max_ttl, &mut t.token_max_ttl)?;
        token_fields::upgrade_cidrs(
            d,
            "bound_cidrs",
            "token_bound_cidrs",
            &mut self.bound_cidrs,
            &mut t.token_bound_cidrs,
        )?;
        self.token.validate()
    }

    fn read_shape(&self) -> Map<String, Value> {
        let mut data = Map::new();
        self.token.populate_data(&mut data);
        if !self.policies.is_empty() {
            data.insert("policies".into(), json!(self.token.token_policies));
        }
        if self.ttl > 0 {
            data.insert("ttl".into(), json!(self.ttl));
        }
        if self.max_ttl > 0 {
            data.insert("max_ttl".into(), json!(self.max_ttl));
        }
        if !self.bound_cidrs.is_empty() {
            data.insert("bound_cidrs".into(), json!(self.bound_cidrs));
        }
        data
    }
}

/// A password change a request asks for.
pub(super) enum NewPassword {
    Plain(Zeroizing<String>),
    /// An imported hash, already checked.
    Hash(String),
}

impl NewPassword {
    /// `password` / `password_hash` from the request, if either was sent. The request's
    /// own copy of the password is wiped here; the framework's field copy is dropped with it.
    pub(super) fn from_request(req: &mut Request, d: &FieldData) -> Result<Option<NewPassword>> {
        let plain = if d.is_set("password") { Some(Zeroizing::new(d.string("password")?)) } else { None };
        wipe_password(req);
        let hash = if d.is_set("password_hash") { Some(d.string("password_hash")?) } else { None };
        match (plain, hash) {
            (Some(_), Some(_)) => Err(Error::invalid("only one of password or password_hash may be provided")),
            (Some(p), None) if p.is_empty() => Err(Error::invalid("password must not be empty")),
            (Some(p), None) => Ok(Some(NewPassword::Plain(p))),
            (None, Some(h)) => Ok(Some(NewPassword::Hash(password::import_hash(&h)?))),
            (None, None) => Ok(None),
        }
    }

    pub(super) async fn into_phc(self) -> Result<String> {
        match self {
            NewPassword::Plain(p) => password::hash(p).await,
            NewPassword::Hash(h) => Ok(h),
        }
    }
}

/// Overwrite the request's copy of `password` (the request is dropped after the handler,
/// but not necessarily before its memory is reused).
pub(super) fn wipe_password(req: &mut Request) {
    if let Some(Value::String(s)) = req.data.get_mut("password") {
        s.zeroize();
    }
}

/// The user named by the path, lowercased.
pub(super) fn username(d: &FieldData) -> Result<String> {
    let name = d.string("username")?.to_lowercase();
    if name.is_empty() {
        return Err(Error::invalid("missing username"));
    }
    Ok(name)
}

pub(super) fn user_key(username: &str) -> String {
    format!("user/{username}")
}

pub(super) const MISSING_PASSWORD: &str = "must provide either password or password_hash";

impl Userpass {
    /// The stored user, by lowercased name.
    pub(super) async fn load(&self, username: &str) -> Result<Option<UserEntry>> {
        match self.storage.get(&user_key(username)).await? {
            None => Ok(None),
            Some(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| Error::Internal(format!("the stored entry of user {username:?} is corrupt: {e}"))),
        }
    }

    pub(super) async fn save(&self, username: &str, entry: &UserEntry) -> Result<()> {
        let bytes = serde_json::to_vec(entry).map_err(Error::internal)?;
        Ok(self.storage.put(&user_key(username), &bytes).await?)
    }

    async fn list_users(self: Arc<Self>, _req: Request, d: FieldData) -> Result<Option<Response>> {
        let after = d.string("after")?.to_lowercase();
        let limit = usize::try_from(d.int("limit")?).unwrap_or(0);
        let keys: Vec<String> = self
            .storage
            .list("user/")
            .await?
            .into_iter()
            .filter(|k| !k.ends_with('/') && (after.is_empty() || k.as_str() > after.as_str()))
            .take(if limit > 0 { limit } else { usize::MAX })
            .collect();
        Ok((!keys.is_empty()).then(|| Response::list(keys)))
    }

    async fn read_user(self: Arc<Self>, _req: Request, d: FieldData) -> Result<Option<Response>> {
        let user = self.load(&username(&d)?).await?;
        Ok(user.map(|u| Response::data(Value::Object(u.read_shape()))))
    }

    async fn user_exists(self: Arc<Self>, _req: Request, d: FieldData) -> Result<bool> {
        Ok(self.load(&username(&d)?).await?.is_some())
    }

    /// Create or update. Whether this is a create is decided by what is stored, under the
    /// user's lock, not by the operation's name: a user is never created without a password.
    async fn write_user(self: Arc<Self>, mut req: Request, d: FieldData) -> Result<Option<Response>> {
        let username = username(&d)?;
        let new_password = NewPassword::from_request(&mut req, &d)?;
        let _guard = self.locks.lock(&user_key(&username)).await;
        let existing = self.load(&username).await?;
        if existing.is_none() && new_password.is_none() {
            return Err(Error::invalid(MISSING_PASSWORD));
        }
        let mut entry = existing.unwrap_or_default();
        entry.apply_token_fields(&d)?;
        if let Some(p) = new_password {
            entry.password_hash = p.into_phc().await?;
        }
        self.save(&username, &entry).await?;
        Ok(None)
    }

    async fn delete_user(self: Arc<Self>, _req: Request, d: FieldData) -> Result<Option<Response>> {
        let username = username(&d)?;
        let _guard = self.locks.lock(&user_key(&username)).await;
        self.storage.delete(&user_key(&username)).await?;
        Ok(None)
    }
}

pub(super) const USERNAME_HELP: &str = "Username for this user (case-insensitive; stored lowercased).";
pub(super) const PASSWORD_HELP: &str = "Password for this user. Stored only as an Argon2id hash.";
pub(super) const PASSWORD_HASH_HELP: &str = "An Argon2id PHC string ($argon2id$v=19$m=...,t=...,p=...$salt$hash) to use \
     instead of a password. Parameters must be between OWASP's recommendation and m=65536,t=8,p=8.";

pub(super) const DEPRECATED_POLICIES: &str =
    "Deprecated: use \"token_policies\". If both are sent, only \"token_policies\" is used.";
const DEPRECATED_TTL: &str = "Deprecated: use \"token_ttl\". If both are sent, only \"token_ttl\" is used.";
const DEPRECATED_MAX_TTL: &str = "Deprecated: use \"token_max_ttl\". If both are sent, only \"token_max_ttl\" is used.";
const DEPRECATED_BOUND_CIDRS: &str =
    "Deprecated: use \"token_bound_cidrs\". If both are sent, only \"token_bound_cidrs\" is used.";

pub(super) fn paths() -> Vec<Path<Userpass>> {
    let list = |pattern: &'static str| {
        Path::new(pattern)
            .field(Field::string("after", "List only names that sort after this one."))
            .field(Field::int("limit", "List at most this many names (0: all)."))
            .on(Operation::List, Userpass::list_users)
            .help(LIST_SYNOPSIS, LIST_DESCRIPTION)
    };
    let user = Path::new("users/{username}")
        .field(Field::string("username", USERNAME_HELP))
        .field(Field::string("password", PASSWORD_HELP))
        .field(Field::string("password_hash", PASSWORD_HASH_HELP))
        .field(Field::strings("policies", DEPRECATED_POLICIES))
        .field(Field::duration("ttl", DEPRECATED_TTL))
        .field(Field::duration("max_ttl", DEPRECATED_MAX_TTL))
        .field(Field::strings("bound_cidrs", DEPRECATED_BOUND_CIDRS));
    vec![
        list("users"),
        list("users/"),
        token_fields::with_fields(user)
            .on(Operation::Read, Userpass::read_user)
            .on(Operation::Update, Userpass::write_user)
            .on(Operation::Delete, Userpass::delete_user)
            .exists(Userpass::user_exists)
            .help(USER_SYNOPSIS, USER_DESCRIPTION),
    ]
}

const LIST_SYNOPSIS: &str = "List users.";
const LIST_DESCRIPTION: &str = "Lists the names of this method's users, sorted. Needs the 'list' capability.";
const USER_SYNOPSIS: &str = "Manage users allowed to authenticate.";
const USER_DESCRIPTION: &str = "Create, read, update and delete users. A new user needs a password (or \
password_hash); an update changes only the fields it sends. Reading never shows the password. Needs \
'create', 'update', 'read' or 'delete' accordingly.\n\nDeleting a user does not revoke tokens already \
issued to them.";

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::testing::{harness, message};
    use crate::logical::{Error, Operation};

    #[tokio::test]
    async fn create_read_update_delete() {
        let h = harness();
        let created = h
            .write(
                "users/bob",
                json!({"password": "s3cret", "token_policies": "p1", "token_ttl": "1h", "token_max_ttl": "2h",
                       "token_no_default_policy": true, "token_num_uses": 5, "token_bound_cidrs": "127.0.0.1/32",
                       "token_type": "service"}),
            )
            .await
            .unwrap();
        assert!(created.is_none(), "a write answers 204");
        assert_eq!(
            h.read("users/bob").await.unwrap(),
            json!({"token_bound_cidrs": ["127.0.0.1"], "token_explicit_max_ttl": 0, "token_max_ttl": 7200,
                   "token_no_default_policy": true, "token_num_uses": 5, "token_period": 0,
                   "token_policies": ["p1"], "token_strictly_bind_ip": false, "token_ttl": 3600,
                   "token_type": "service"})
        );

        // An update changes only what it sends and keeps the password.
        h.write("users/bob", json!({"token_ttl": "30m"})).await.unwrap();
        let data = h.read("users/bob").await.unwrap();
        assert_eq!((data["token_ttl"].clone(), data["token_policies"].clone()), (json!(1800), json!(["p1"])));
        assert!(h.login_from(Some("127.0.0.1"), "bob", "s3cret").await.is_ok());

        h.call(Operation::Delete, "users/bob", json!({})).await.unwrap();
        assert!(h.read("users/bob").await.is_none(), "a deleted user reads as 404");
        assert!(h.call(Operation::Delete, "users/bob", json!({})).await.unwrap().is_none(), "deleting twice is fine");
    }

    #[tokio::test]
    async fn defaults_read_back_empty() {
        let h = harness();
        h.write("users/plain", json!({"password": "x"})).await.unwrap();
        let data = h.read("users/plain").await.unwrap();
        assert_eq!(data["token_policies"], json!([]));
        assert_eq!(data["token_bound_cidrs"], json!([]));
        assert_eq!(data["token_type"], "default");
        assert_eq!(data["token_ttl"], 0);
        for legacy in ["policies", "ttl", "max_ttl", "bound_cidrs", "password", "password_hash"] {
            assert!(data.get(legacy).is_none(), "{legacy} shown");
        }
    }

    #[tokio::test]
    async fn create_needs_exactly_one_password() {
        let h = harness();
        assert_eq!(
            message(h.write("users/a", json!({"token_ttl": 5})).await),
            "must provide either password or password_hash"
        );
        assert_eq!(message(h.write("users/a", json!({})).await), "must provide either password or password_hash");
        assert!(h.read("users/a").await.is_none(), "no user without a password");
        // Even an explicit Create of a missing user, or an Update that the core did not
        // turn into one, is refused the same way.
        assert!(matches!(h.call(Operation::Create, "users/a", json!({})).await, Err(Error::InvalidRequest(_))));
        assert_eq!(
            message(h.write("users/a", json!({"password": "x", "password_hash": "y"})).await),
            "only one of password or password_hash may be provided"
        );
        assert_eq!(message(h.write("users/a", json!({"password": ""})).await), "password must not be empty");
        assert!(h.read("users/a").await.is_none());
    }

    #[tokio::test]
    async fn password_hash_imports_an_argon2id_hash() {
        let h = harness();
        let phc = super::password::hash(zeroize::Zeroizing::new("imported".into())).await.unwrap();
        h.write("users/imp", json!({"password_hash": phc})).await.unwrap();
        assert!(h.login("imp", "imported").await.is_ok());
        assert!(message(h.write("users/imp2", json!({"password_hash": "$2a$10$abc"})).await).contains("bcrypt"));
        assert!(h.read("users/imp2").await.is_none());
    }

    #[tokio::test]
    async fn validation_errors_are_400_and_change_nothing() {
        let h = harness();
        h.write("users/v", json!({"password": "x", "token_ttl": 60})).await.unwrap();
        let before = h.stored("v").await.unwrap();
        for (body, expected) in [
            (json!({"token_type": "weird"}), r#"invalid 'token_type' value "weird""#),
            (json!({"token_ttl": "2h", "token_max_ttl": "1h"}), "'token_ttl' cannot be greater than 'token_max_ttl'"),
            (json!({"token_num_uses": -1}), "'token_num_uses' cannot be negative"),
            (
                json!({"token_type": "batch", "token_period": 60}),
                "'token_type' cannot be 'batch' or 'default_batch' when set to generate periodic tokens",
            ),
            (json!({"ttl": "2h", "max_ttl": "1h"}), "'token_ttl' cannot be greater than 'token_max_ttl'"),
            (
                json!({"token_bound_cidrs": "notacidr"}),
                r#"error parsing address "notacidr": Unable to convert "notacidr" to an IPv4 or IPv6 address"#,
            ),
            (
                json!({"bound_cidrs": "10.0.0.0/40"}),
                r#"error parsing address "10.0.0.0/40": Unable to convert "10.0.0.0/40" to an IPv4 or IPv6 address"#,
            ),
        ] {
            assert_eq!(message(h.write("users/v", body.clone()).await), expected, "{body}");
        }
        assert!(message(h.write("users/v", json!({"token_ttl": "soon"})).await).contains("'token_ttl'"));
        assert_eq!(h.stored("v").await.unwrap(), before);
    }

    #[tokio::test]
    async fn legacy_policies_normalise_but_token_policies_stay_verbatim() {
        let h = harness();
        h.write("users/leg", json!({"password": "x", "policies": "Zed, a ,a,default", "ttl": "1m", "max_ttl": 120, "bound_cidrs": "10.0.0.0/8"}))
            .await
            .unwrap();
        let data = h.read("users/leg").await.unwrap();
        assert_eq!(data["policies"], json!(["a", "default", "zed"]));
        assert_eq!(data["token_policies"], json!(["a", "default", "zed"]));
        assert_eq!((data["ttl"].clone(), data["token_ttl"].clone()), (json!(60), json!(60)));
        assert_eq!((data["max_ttl"].clone(), data["token_max_ttl"].clone()), (json!(120), json!(120)));
        assert_eq!(data["bound_cidrs"], json!(["10.0.0.0/8"]));
        assert_eq!(data["token_bound_cidrs"], json!(["10.0.0.0/8"]));

        h.write("users/new", json!({"password": "x", "token_policies": "Zed, a ,a,default"})).await.unwrap();
        let data = h.read("users/new").await.unwrap();
        assert_eq!(data["token_policies"], json!(["Zed", "a", "a", "default"]));
        assert!(data.get("policies").is_none());

        // Both sent: token_policies wins, and policies mirrors it.
        h.write("users/both", json!({"password": "x", "token_policies": "t", "policies": "old"})).await.unwrap();
        let data = h.read("users/both").await.unwrap();
        assert_eq!((data["token_policies"].clone(), data["policies"].clone()), (json!(["t"]), json!(["t"])));

        // Writing the new spelling later clears the old one.
        h.write("users/leg", json!({"token_policies": "q", "token_ttl": 30})).await.unwrap();
        let data = h.read("users/leg").await.unwrap();
        assert_eq!(data["token_policies"], json!(["q"]));
        assert!(data.get("policies").is_none() && data.get("ttl").is_none());
        assert_eq!(data["max_ttl"], 120, "untouched legacy fields stay");
    }

    #[tokio::test]
    async fn names_are_case_insensitive_on_every_path() {
        let h = harness();
        h.write("users/Carol", json!({"password": "one", "token_policies": "p"})).await.unwrap();
        assert!(h.stored("carol").await.is_some());
        assert!(h.stored("Carol").await.is_none());
        assert_eq!(h.read("users/CAROL").await.unwrap()["token_policies"], json!(["p"]));

        // OpenBao saves these two under the name as typed; Arcanum must not.
        h.write("users/Carol/password", json!({"password": "two"})).await.unwrap();
        h.write("users/CaRoL/policies", json!({"token_policies": "q"})).await.unwrap();
        assert!(h.stored("Carol").await.is_none() && h.stored("CaRoL").await.is_none());
        let list = h.call(Operation::List, "users", json!({})).await.unwrap().unwrap();
        assert_eq!(list.data.unwrap()["keys"], json!(["carol"]));
        assert!(h.login("carol", "two").await.is_ok());
        assert_eq!(h.read("users/carol").await.unwrap()["token_policies"], json!(["q"]));

        h.call(Operation::Delete, "users/CAROL", json!({})).await.unwrap();
        assert!(h.stored("carol").await.is_none());
    }

    #[tokio::test]
    async fn list_pages_and_empty_is_404() {
        let h = harness();
        assert!(h.call(Operation::List, "users", json!({})).await.unwrap().is_none(), "empty list is a 404");
        for name in ["carol", "alice", "bob", "dave"] {
            h.write(&format!("users/{name}"), json!({"password": "x"})).await.unwrap();
        }
        let keys = |resp: Option<crate::logical::Response>| resp.unwrap().data.unwrap()["keys"].clone();
        assert_eq!(
            keys(h.call(Operation::List, "users", json!({})).await.unwrap()),
            json!(["alice", "bob", "carol", "dave"])
        );
        assert_eq!(
            keys(h.call(Operation::List, "users/", json!({})).await.unwrap()),
            json!(["alice", "bob", "carol", "dave"])
        );
        let page = h.call(Operation::List, "users", json!({"after": "alice", "limit": "2"})).await.unwrap();
        assert_eq!(keys(page), json!(["bob", "carol"]));
        assert!(h.call(Operation::List, "users", json!({"after": "dave"})).await.unwrap().is_none());
        assert!(matches!(h.call(Operation::List, "users", json!({"limit": "x"})).await, Err(Error::InvalidRequest(_))));
    }

    #[tokio::test]
    async fn existence_check_drives_create_versus_update() {
        let h = harness();
        let exists =
            async |path: &str| h.backend.exists(&crate::logical::Request::new(Operation::Update, path)).await.unwrap();
        assert_eq!(exists("users/eve").await, Some(false));
        h.write("users/eve", json!({"password": "x"})).await.unwrap();
        assert_eq!(exists("users/eve").await, Some(true));
        assert_eq!(exists("users/EVE").await, Some(true), "case-insensitive");
        assert_eq!(exists("users/eve/password").await, None, "always an update");
        assert_eq!(exists("login/eve").await, None);
    }

    #[tokio::test]
    async fn odd_names_and_methods_are_refused_cleanly() {
        let h = harness();
        for path in ["users/-dash", "users/bad_!name", "users/a/b", "users/", "users/.x"] {
            let result = h.write(path, json!({"password": "x"})).await;
            assert!(matches!(result, Err(Error::UnsupportedPath | Error::UnsupportedOperation)), "{path}");
        }
        assert!(matches!(
            h.call(Operation::Read, "users/x/password", json!({})).await,
            Err(Error::UnsupportedOperation)
        ));
        assert!(matches!(h.write("users/x", json!({"password": ["a"]})).await, Err(Error::InvalidRequest(_))));
        assert!(matches!(h.write("users/x", json!({"token_policies": {"a": 1}})).await, Err(Error::InvalidRequest(_))));
        // Unicode word characters are names too, lowercased like the rest.
        h.write("users/Ünié", json!({"password": "x"})).await.unwrap();
        assert!(h.stored("ünié").await.is_some());
    }

    #[tokio::test]
    async fn the_stored_record_holds_no_plaintext() {
        let h = harness();
        let secret = "correct-horse-battery-staple";
        h.write("users/sec", json!({"password": secret})).await.unwrap();
        h.write("users/sec/password", json!({"password": format!("{secret}-2")})).await.unwrap();
        let record = h.stored("sec").await.unwrap();
        assert!(!record.contains("correct-horse"), "{record}");
        let value: serde_json::Value = serde_json::from_str(&record).unwrap();
        assert!(value["password_hash"].as_str().unwrap().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(h.read("users/sec").await.unwrap().get("password_hash").is_none());
    }
}
