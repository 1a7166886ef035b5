//! `users/{username}/policies`: replace an existing user's token policies, leaving the
//! rest of the record alone.
//!
//! Invariant: as in OpenBao, `token_policies` here is normalised (trimmed, lowercased,
//! deduplicated, sorted) and clears the deprecated `policies` unless that was sent too;
//! `policies` alone sets both. The name is lowercased, as everywhere.

use std::sync::Arc;

use super::Userpass;
use super::users::{DEPRECATED_POLICIES, USERNAME_HELP, user_key, username};
use crate::auth::token_fields;
use crate::framework::{Field, FieldData, Path};
use crate::logical::{Error, Operation, Request, Response, Result};

impl Userpass {
    async fn write_policies(self: Arc<Self>, _req: Request, d: FieldData) -> Result<Option<Response>> {
        let username = username(&d)?;
        let _guard = self.locks.lock(&user_key(&username)).await;
        let mut entry = self.load(&username).await?.ok_or_else(|| Error::invalid("username does not exist"))?;
        match (d.is_set("token_policies"), d.is_set("policies")) {
            (true, legacy_too) => {
                entry.token.token_policies = token_fields::parse_policies(&d.strings("token_policies")?);
                entry.policies = if legacy_too { entry.token.token_policies.clone() } else { Vec::new() };
            }
            (false, true) => {
                entry.policies = token_fields::parse_policies(&d.strings("policies")?);
                entry.token.token_policies = entry.policies.clone();
            }
            (false, false) => {}
        }
        self.save(&username, &entry).await?;
        Ok(None)
    }
}

pub(super) fn paths() -> Vec<Path<Userpass>> {
    vec![
        Path::new("users/{username}/policies")
            .field(Field::string("username", USERNAME_HELP))
            .field(Field::strings("token_policies", "Comma-separated list of policies for this user's tokens."))
            .field(Field::strings("policies", DEPRECATED_POLICIES))
            .on(Operation::Update, Userpass::write_policies)
            .help(
                "Update the policies associated with a user.",
                "Replaces an existing user's token policies. Needs 'update'.",
            ),
    ]
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::testing::{harness, message};

    #[tokio::test]
    async fn policies_endpoint() {
        let h = harness();
        h.write("users/pol", json!({"password": "x", "policies": "a"})).await.unwrap();
        h.write("users/pol/policies", json!({"token_policies": "B, c"})).await.unwrap();
        let data = h.read("users/pol").await.unwrap();
        assert_eq!(data["token_policies"], json!(["b", "c"]));
        assert!(data.get("policies").is_none(), "token_policies clears the deprecated field");

        h.write("users/pol/policies", json!({"policies": "Z,y"})).await.unwrap();
        let data = h.read("users/pol").await.unwrap();
        assert_eq!((data["token_policies"].clone(), data["policies"].clone()), (json!(["y", "z"]), json!(["y", "z"])));
        assert!(h.login("pol", "x").await.is_ok(), "the password is kept");

        assert_eq!(
            message(h.write("users/ghost/policies", json!({"token_policies": "a"})).await),
            "username does not exist"
        );
    }
}
