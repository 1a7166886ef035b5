//! `users/{username}/password`: set a new password (or `password_hash`) for an existing
//! user, leaving the rest of the record alone.
//!
//! Invariant: the user is looked up and saved under the lowercased name, so this path
//! can never create a second, differently-cased record (OpenBao's bug).

use std::sync::Arc;

use super::Userpass;
use super::users::{
    MISSING_PASSWORD, NewPassword, PASSWORD_HASH_HELP, PASSWORD_HELP, USERNAME_HELP, user_key, username,
};
use crate::framework::{Field, FieldData, Path};
use crate::logical::{Error, Operation, Request, Response, Result};

impl Userpass {
    async fn write_password(self: Arc<Self>, mut req: Request, d: FieldData) -> Result<Option<Response>> {
        let username = username(&d)?;
        let new_password = NewPassword::from_request(&mut req, &d)?.ok_or_else(|| Error::invalid(MISSING_PASSWORD))?;
        let _guard = self.locks.lock(&user_key(&username)).await;
        let mut entry = self.load(&username).await?.ok_or_else(|| Error::invalid("username does not exist"))?;
        entry.password_hash = new_password.into_phc().await?;
        self.save(&username, &entry).await?;
        Ok(None)
    }
}

pub(super) fn paths() -> Vec<Path<Userpass>> {
    vec![
        Path::new("users/{username}/password")
            .field(Field::string("username", USERNAME_HELP))
            .field(Field::string("password", PASSWORD_HELP))
            .field(Field::string("password_hash", PASSWORD_HASH_HELP))
            .on(Operation::Update, Userpass::write_password)
            .help(
                "Reset a user's password.",
                "Sets a new password (or password_hash) for an existing user. Needs 'update'.",
            ),
    ]
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::testing::{harness, message};
    use crate::logical::Error;

    #[tokio::test]
    async fn password_endpoint_changes_only_the_password() {
        let h = harness();
        h.write("users/pw", json!({"password": "old", "token_policies": "p"})).await.unwrap();
        assert!(h.write("users/pw/password", json!({"password": "new"})).await.unwrap().is_none());
        assert!(matches!(h.login("pw", "old").await, Err(Error::InvalidCredentials)));
        assert!(h.login("pw", "new").await.is_ok());
        assert_eq!(h.read("users/pw").await.unwrap()["token_policies"], json!(["p"]));

        assert_eq!(
            message(h.write("users/pw/password", json!({})).await),
            "must provide either password or password_hash"
        );
        assert_eq!(
            message(h.write("users/nobody/password", json!({"password": "x"})).await),
            "username does not exist"
        );
        assert!(h.read("users/nobody").await.is_none());
    }
    #[tokio::test]
    async fn the_new_password_is_hashed_too() {
        let h = harness();
        h.write("users/sec", json!({"password": "first-secret"})).await.unwrap();
        let before = h.stored("sec").await.unwrap();
        h.write("users/sec/password", json!({"password": "second-secret"})).await.unwrap();
        let after = h.stored("sec").await.unwrap();
        assert_ne!(before, after);
        assert!(!after.contains("second-secret") && !after.contains("first-secret"), "{after}");
        assert!(after.contains("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert_eq!(
            message(h.write("users/sec/password", json!({"password": "x", "password_hash": "y"})).await),
            "only one of password or password_hash may be provided"
        );
        assert_eq!(h.stored("sec").await.unwrap(), after, "a refused change changes nothing");
    }
}
