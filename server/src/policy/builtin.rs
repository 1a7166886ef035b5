//! The built-in policies: `root` (no text; its ACL allows everything), `default` (attached
//! to tokens unless `no_default_policy`; may be edited, never deleted) and
//! `response-wrapping` (immutable, left out of every LIST).
//!
//! The texts are byte-for-byte OpenBao 2.7.2's: `default` starts with a newline and ends
//! with `}\n`, as `GET sys/policies/acl/default` returns it. The rules for what a policy
//! store may do with these names live here so that every endpoint applies the same ones.

pub const ROOT: &str = "root";
pub const DEFAULT: &str = "default";
pub const RESPONSE_WRAPPING: &str = "response-wrapping";

/// The stored text of the `default` policy.
pub const DEFAULT_POLICY: &str = r#"
# Allow tokens to look up their own properties
path "auth/token/lookup-self" {
    capabilities = ["read"]
}

# Allow tokens to renew themselves
path "auth/token/renew-self" {
    capabilities = ["update"]
}

# Allow tokens to revoke themselves
path "auth/token/revoke-self" {
    capabilities = ["update"]
}

# Allow a token to look up its own capabilities on a path
path "sys/capabilities-self" {
    capabilities = ["update"]
}

# Allow a token to look up its own entity by id or name
path "identity/entity/id/{{identity.entity.id}}" {
  capabilities = ["read"]
}
path "identity/entity/name/{{identity.entity.name}}" {
  capabilities = ["read"]
}


# Allow a token to look up its resultant ACL from all policies. This is useful
# for UIs. It is an internal path because the format may change at any time
# based on how the internal ACL features and capabilities change.
path "sys/internal/ui/resultant-acl" {
    capabilities = ["read"]
}

# Allow a token to renew a lease via lease_id in the request body; old path for
# old clients, new path for newer
path "sys/leases/renew" {
    capabilities = ["update"]
}

# Allow looking up lease properties. This requires knowing the lease ID ahead
# of time and does not divulge any sensitive information.
path "sys/leases/lookup" {
    capabilities = ["update"]
}

# Allow a token to manage its own cubbyhole
path "cubbyhole/*" {
    capabilities = ["create", "read", "update", "delete", "list"]
}

# Allow a token to wrap arbitrary values in a response-wrapping token
path "sys/wrapping/wrap" {
    capabilities = ["update"]
}

# Allow a token to look up the creation time and TTL of a given
# response-wrapping token
path "sys/wrapping/lookup" {
    capabilities = ["update"]
}

# Allow a token to unwrap a response-wrapping token. This is a convenience to
# avoid client token swapping since this is also part of the response wrapping
# policy.
path "sys/wrapping/unwrap" {
    capabilities = ["update"]
}

# Allow general purpose tools
path "sys/tools/hash" {
    capabilities = ["update"]
}
path "sys/tools/hash/*" {
    capabilities = ["update"]
}

# Allow a token to make requests to the Authorization Endpoint for OIDC providers.
path "identity/oidc/provider/+/authorize" {
    capabilities = ["read", "update"]
}
"#;

/// The text of the `response-wrapping` policy.
pub const RESPONSE_WRAPPING_POLICY: &str = r#"
path "cubbyhole/response" {
    capabilities = ["create", "read"]
}

path "sys/wrapping/unwrap" {
    capabilities = ["update"]
}

path "auth/token/revoke-self" {
    capabilities = ["update"]
}
"#;

/// The text a built-in policy starts with: `root` has none (`""`), `default` and
/// `response-wrapping` theirs; `None` for any other name.
pub fn builtin_text(name: &str) -> Option<&'static str> {
    match name {
        ROOT => Some(""),
        DEFAULT => Some(DEFAULT_POLICY),
        RESPONSE_WRAPPING => Some(RESPONSE_WRAPPING_POLICY),
        _ => None,
    }
}

/// Neither writable nor deletable: `root` and `response-wrapping`.
pub fn is_immutable(name: &str) -> bool {
    matches!(name, ROOT | RESPONSE_WRAPPING)
}

/// Shown by `LIST sys/policies/acl` and `sys/policy`: all but `response-wrapping`
/// (`root` is listed, last, by the store).
pub fn is_listed(name: &str) -> bool {
    name != RESPONSE_WRAPPING
}

/// The 400 message for writing policy `name`, if it may not be written.
pub fn update_error(name: &str) -> Option<String> {
    is_immutable(name).then(|| format!("cannot update {name:?} policy"))
}

/// The 400 message for deleting policy `name`, if it may not be deleted.
pub fn delete_error(name: &str) -> Option<String> {
    match name {
        DEFAULT => Some("cannot delete default policy".to_string()),
        name if is_immutable(name) => Some(format!("cannot delete {name:?} policy")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logical::Operation;
    use crate::policy::{Acl, AclRequest, RuleKind, parse_policy};
    use std::sync::Arc;

    #[test]
    fn default_policy_text_is_openbaos() {
        assert!(DEFAULT_POLICY.starts_with("\n# Allow tokens to look up their own properties\npath"));
        assert!(DEFAULT_POLICY.ends_with("capabilities = [\"read\", \"update\"]\n}\n"));
        assert_eq!(DEFAULT_POLICY.matches("path \"").count(), 16);
        assert!(RESPONSE_WRAPPING_POLICY.starts_with("\npath \"cubbyhole/response\" {\n    capabilities"));
        assert!(RESPONSE_WRAPPING_POLICY.ends_with("}\n"));
    }

    #[test]
    fn builtin_policies_parse() {
        let default = parse_policy(DEFAULT, DEFAULT_POLICY).unwrap();
        assert_eq!(default.rules.len(), 16);
        assert!(default.templated, "the identity/entity blocks are templated");
        assert_eq!(default.rules.iter().filter(|r| r.templated).count(), 2);
        let oidc = default.rules.iter().find(|r| r.path.starts_with("identity/oidc")).unwrap();
        assert_eq!(oidc.kind, RuleKind::Segment);
        let wrapping = parse_policy(RESPONSE_WRAPPING, RESPONSE_WRAPPING_POLICY).unwrap();
        assert_eq!(wrapping.rules.len(), 3);
        assert!(!wrapping.templated);
    }

    #[test]
    fn default_policy_grants_self_service_only() {
        let acl = Acl::new(&[Arc::new(parse_policy(DEFAULT, DEFAULT_POLICY).unwrap())]);
        assert_eq!(acl.capabilities("auth/token/lookup-self"), ["read"]);
        assert_eq!(acl.capabilities("cubbyhole/x"), ["create", "delete", "list", "read", "update"]);
        assert_eq!(acl.capabilities("identity/oidc/provider/p/authorize"), ["read", "update"]);
        assert_eq!(acl.capabilities("sys/mounts"), ["deny"]);
        // Templated rules wait for the token's entity.
        assert_eq!(acl.capabilities("identity/entity/id/{{identity.entity.id}}"), ["deny"]);
        let req = AclRequest {
            path: "sys/tools/hash/sha2-256",
            operation: Operation::Update,
            data: None,
            sudo_required: false,
            wrap_ttl: None,
        };
        assert!(acl.check(&req).allowed);
    }

    #[test]
    fn store_rules_for_builtin_names() {
        assert_eq!(update_error("root").unwrap(), "cannot update \"root\" policy");
        assert_eq!(update_error("response-wrapping").unwrap(), "cannot update \"response-wrapping\" policy");
        assert_eq!(update_error("default"), None);
        assert_eq!(delete_error("root").unwrap(), "cannot delete \"root\" policy");
        assert_eq!(delete_error("default").unwrap(), "cannot delete default policy");
        assert_eq!(delete_error("response-wrapping").unwrap(), "cannot delete \"response-wrapping\" policy");
        assert_eq!(delete_error("dev"), None);
        assert!(!is_listed("response-wrapping") && is_listed("root") && is_listed("default"));
        assert!(is_immutable("root") && !is_immutable("default"));
        assert_eq!(builtin_text("root"), Some(""));
        assert_eq!(builtin_text("dev"), None);
    }
}
