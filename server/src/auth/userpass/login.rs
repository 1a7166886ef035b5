//! `login/{username}`: check a user's password and describe the token the core should
//! create (the core makes it, fills in `client_token`, `accessor`, `lease_duration`, and
//! applies lockout).
//!
//! Invariants: an unknown user and a wrong password answer with the same words and,
//! within noise, the same time (a dummy Argon2 verification runs for unknown users); only
//! the wrong password of an existing user is [`Error::InvalidCredentials`], the failure the
//! core counts; bound CIDRs are checked only after the password, so a refusal for the
//! address never tells a caller without the password that the user exists.

use std::sync::Arc;

use serde_json::{Map, Value};
use zeroize::Zeroizing;

use super::users::{username, wipe_password};
use super::{Userpass, password};
use crate::auth::cidr;
use crate::framework::{Field, FieldData, Path};
use crate::logical::{Auth, Error, Operation, Request, Response, Result};

const INVALID: &str = "invalid username or password";

impl Userpass {
    async fn login(self: Arc<Self>, mut req: Request, d: FieldData) -> Result<Option<Response>> {
        let username = username(&d)?;
        let password = Zeroizing::new(d.string("password")?);
        wipe_password(&mut req);
        if password.is_empty() {
            return Err(Error::invalid("missing password"));
        }

        let user = self.load(&username).await?;
        let matches = password::verify(password, user.as_ref().map(|u| u.password_hash.clone())).await?;
        let Some(user) = user else {
            // Not counted towards lockout: there is nobody to lock.
            return Err(Error::invalid(INVALID));
        };
        if !matches {
            return Err(Error::InvalidCredentials);
        }

        let remote = req.connection.remote_addr.as_deref();
        if !cidr::remote_allowed(remote, &user.token.token_bound_cidrs) {
            tracing::info!(mount = %req.mount_point, "userpass login refused: client address outside the user's bound CIDRs");
            return Err(Error::PermissionDenied);
        }

        let mut metadata = Map::new();
        metadata.insert("username".into(), Value::String(username.clone()));
        let mut auth = Auth { display_name: username.clone(), metadata, alias_name: username, ..Default::default() };
        user.token.populate_auth(&mut auth, remote)?;
        // Vault's core refuses this for every method; refusing here as well keeps a root
        // token out of a userpass login whatever the core does.
        if auth.policies.iter().any(|p| p == "root") {
            return Err(Error::invalid("auth methods cannot create root tokens"));
        }
        Ok(Some(Response { auth: Some(auth), ..Default::default() }))
    }
}

pub(super) fn paths() -> Vec<Path<Userpass>> {
    vec![
        Path::new("login/{username}")
            .field(Field::string("username", "Username of the user (case-insensitive)."))
            .field(Field::string("password", "Password for this user.").required())
            .on(Operation::Update, Userpass::login)
            .login_alias("username")
            .help(
                "Log in with a username and password.",
                "Checks the password and issues a token with the user's token settings. Needs no \
                 token. Wrong passwords count towards locking the user out.",
            ),
    ]
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::testing::{harness, message};
    use crate::logical::{Auth, Error, Operation, Request};

    async fn auth_of(result: crate::logical::Result<Option<crate::logical::Response>>) -> Auth {
        result.unwrap().unwrap().auth.unwrap()
    }

    #[tokio::test]
    async fn a_good_login_describes_the_token() {
        let h = harness();
        h.write(
            "users/bob",
            json!({"password": "pw", "token_policies": "P2, p1,p1", "token_ttl": "30m", "token_max_ttl": "1h",
                   "token_explicit_max_ttl": "2h", "token_period": "0", "token_num_uses": 3,
                   "token_no_default_policy": true, "token_type": "service"}),
        )
        .await
        .unwrap();
        let resp = h.login("bob", "pw").await.unwrap().unwrap();
        assert!(resp.data.is_none() && resp.warnings.is_empty());
        let auth = resp.auth.unwrap();
        assert_eq!(auth.policies, ["p1", "p2"], "normalised; 'default' is the core's to add");
        assert_eq!(auth.display_name, "bob");
        assert_eq!(auth.alias_name, "bob");
        assert_eq!(auth.metadata["username"], "bob");
        assert_eq!((auth.ttl, auth.max_ttl, auth.explicit_max_ttl, auth.period), (1800, 3600, 7200, 0));
        assert_eq!(auth.num_uses, 3);
        assert!(auth.no_default_policy && auth.renewable);
        assert_eq!(auth.token_type, "service");
        assert!(auth.bound_cidrs.is_empty());
        assert!(auth.client_token.is_empty() && auth.accessor.is_empty(), "the core fills these");
    }

    #[tokio::test]
    async fn legacy_fields_reach_the_token() {
        let h = harness();
        h.write("users/old", json!({"password": "pw", "policies": "B,a", "ttl": 60, "max_ttl": 120})).await.unwrap();
        let auth = auth_of(h.login("old", "pw").await).await;
        assert_eq!(auth.policies, ["a", "b"]);
        assert_eq!((auth.ttl, auth.max_ttl, auth.token_type.as_str()), (60, 120, "default"));
        assert!(!auth.no_default_policy);
    }

    #[tokio::test]
    async fn wrong_password_and_unknown_user_look_alike_but_only_one_counts() {
        let h = harness();
        h.write("users/bob", json!({"password": "pw"})).await.unwrap();
        let wrong = h.login("bob", "nope").await;
        assert!(matches!(wrong, Err(Error::InvalidCredentials)), "counted towards lockout");
        let unknown = h.login("nobody", "nope").await;
        assert!(matches!(&unknown, Err(Error::InvalidRequest(_))), "not counted");
        assert_eq!(wrong.unwrap_err().to_string(), "invalid username or password");
        assert_eq!(unknown.unwrap_err().to_string(), "invalid username or password");
    }

    #[tokio::test]
    async fn missing_or_empty_password_is_a_400() {
        let h = harness();
        h.write("users/bob", json!({"password": "pw"})).await.unwrap();
        assert_eq!(message(h.write("login/bob", json!({})).await), "missing required field 'password'");
        assert_eq!(message(h.login("bob", "").await), "missing password");
        assert_eq!(message(h.write("login/bob", json!({"password": null})).await), "missing password");
        assert!(matches!(h.write("login/bob", json!({"password": {"a": 1}})).await, Err(Error::InvalidRequest(_))));
    }

    #[tokio::test]
    async fn names_are_case_insensitive() {
        let h = harness();
        h.write("users/BoB", json!({"password": "pw"})).await.unwrap();
        let auth = auth_of(h.login("BOB", "pw").await).await;
        assert_eq!((auth.metadata["username"].as_str(), auth.alias_name.as_str()), (Some("bob"), "bob"));
        assert!(matches!(h.login("bOb", "PW").await, Err(Error::InvalidCredentials)), "passwords are not");
    }

    #[tokio::test]
    async fn bound_cidrs_are_enforced_after_the_password() {
        let h = harness();
        h.write("users/net", json!({"password": "pw", "token_bound_cidrs": "10.0.0.0/8,192.168.1.7"})).await.unwrap();
        let login_from = |addr, password| h.login_from(addr, "net", password);
        let auth = auth_of(login_from(Some("10.1.2.3"), "pw").await).await;
        assert_eq!(auth.bound_cidrs, ["10.0.0.0/8", "192.168.1.7"], "the token is bound too");
        assert!(login_from(Some("192.168.1.7"), "pw").await.is_ok());
        assert!(matches!(login_from(Some("192.168.1.8"), "pw").await, Err(Error::PermissionDenied)));
        assert!(matches!(login_from(None, "pw").await, Err(Error::PermissionDenied)), "no address, no login");
        assert!(
            matches!(login_from(Some("8.8.8.8"), "bad").await, Err(Error::InvalidCredentials)),
            "the password is checked first"
        );
    }

    #[tokio::test]
    async fn strictly_bound_tokens_carry_the_login_address() {
        let h = harness();
        h.write("users/strict", json!({"password": "pw", "token_strictly_bind_ip": true})).await.unwrap();
        assert_eq!(auth_of(h.login_from(Some("203.0.113.9"), "strict", "pw").await).await.bound_cidrs, ["203.0.113.9"]);
        assert!(matches!(h.login("strict", "pw").await, Err(Error::PermissionDenied)), "no address to bind to");
    }

    #[tokio::test]
    async fn root_policy_never_reaches_a_token() {
        let h = harness();
        h.write("users/r", json!({"password": "pw", "token_policies": "a,root"})).await.unwrap();
        assert_eq!(message(h.login("r", "pw").await), "auth methods cannot create root tokens");
    }

    #[tokio::test]
    async fn login_path_shape() {
        let h = harness();
        assert!(matches!(h.call(Operation::Read, "login/bob", json!({})).await, Err(Error::UnsupportedOperation)));
        assert!(matches!(h.login("-dash", "pw").await, Err(Error::UnsupportedPath)));
        let req = Request::new(Operation::Update, "login/bob").with_data(json!({"password": "pw"}));
        assert_eq!(h.backend.login_alias(&req).as_deref(), Some("bob"));
        assert!(h.backend.special_paths().is_unauthenticated("login/bob"));
        assert!(!h.backend.special_paths().is_unauthenticated("users/bob"));
        // A Create (the core's name for a write to something new) logs in like an Update.
        h.write("users/bob", json!({"password": "pw"})).await.unwrap();
        assert!(h.call(Operation::Create, "login/bob", json!({"password": "pw"})).await.is_ok());
    }

    #[tokio::test]
    async fn a_damaged_stored_hash_refuses_the_login() {
        use crate::logical::Storage;
        let h = harness();
        h.storage.put("user/broken", br#"{"password_hash":""}"#).await.unwrap();
        assert!(matches!(h.login("broken", "").await, Err(Error::InvalidRequest(_))));
        assert!(matches!(h.login("broken", "anything").await, Err(Error::InvalidCredentials)));
        h.storage.put("user/garbage", b"not json").await.unwrap();
        assert!(matches!(h.login("garbage", "x").await, Err(Error::Internal(_))));
    }
}
