//! The capability set of a path rule, as a small bitset.
//!
//! Invariant: a set holding `deny` is deny-only. [`Capabilities::insert`] and
//! [`Capabilities::union`] keep it that way, so `deny` can never be combined with
//! a grant, whichever order the bits arrive in.

use std::fmt;

use serde::{Serialize, Serializer};

use crate::logical::Operation;

/// A set of capabilities (`create`, `read`, `update`, `patch`, `delete`, `list`, `sudo`,
/// `deny`, `scan`).
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Capabilities(u16);

impl Capabilities {
    pub const NONE: Capabilities = Capabilities(0);
    pub const CREATE: Capabilities = Capabilities(1);
    pub const READ: Capabilities = Capabilities(1 << 1);
    pub const UPDATE: Capabilities = Capabilities(1 << 2);
    pub const PATCH: Capabilities = Capabilities(1 << 3);
    pub const DELETE: Capabilities = Capabilities(1 << 4);
    pub const LIST: Capabilities = Capabilities(1 << 5);
    pub const SUDO: Capabilities = Capabilities(1 << 6);
    pub const DENY: Capabilities = Capabilities(1 << 7);
    pub const SCAN: Capabilities = Capabilities(1 << 8);

    /// Every capability with its policy name, in the order they are usually written.
    const NAMED: [(Capabilities, &'static str); 9] = [
        (Self::CREATE, "create"),
        (Self::READ, "read"),
        (Self::UPDATE, "update"),
        (Self::PATCH, "patch"),
        (Self::DELETE, "delete"),
        (Self::LIST, "list"),
        (Self::SUDO, "sudo"),
        (Self::DENY, "deny"),
        (Self::SCAN, "scan"),
    ];

    /// The order `sys/internal/ui/resultant-acl` reports them in (OpenBao's fixed order:
    /// not alphabetical, `patch` and `scan` come last).
    const RESULTANT_ORDER: [Capabilities; 8] =
        [Self::CREATE, Self::DELETE, Self::LIST, Self::READ, Self::SUDO, Self::UPDATE, Self::PATCH, Self::SCAN];

    /// The capability a policy names `name` (case-sensitive, as in OpenBao).
    pub fn from_name(name: &str) -> Option<Capabilities> {
        Self::NAMED.iter().find(|(_, n)| *n == name).map(|(c, _)| *c)
    }

    /// What the legacy `policy = "..."` setting of a path block expands to.
    pub fn from_legacy_policy(name: &str) -> Option<Capabilities> {
        let read = Self::READ.union(Self::LIST);
        let write = read.union(Self::CREATE).union(Self::UPDATE).union(Self::DELETE);
        match name {
            "deny" => Some(Self::DENY),
            "read" => Some(read),
            "write" => Some(write),
            "sudo" => Some(write.union(Self::SUDO)),
            _ => None,
        }
    }

    /// The capability `operation` needs; `None` for help, which every token may ask for.
    pub fn for_operation(operation: Operation) -> Option<Capabilities> {
        match operation {
            Operation::Read => Some(Self::READ),
            Operation::Create => Some(Self::CREATE),
            Operation::Update => Some(Self::UPDATE),
            Operation::Patch => Some(Self::PATCH),
            Operation::Delete => Some(Self::DELETE),
            Operation::List => Some(Self::LIST),
            Operation::Scan => Some(Self::SCAN),
            Operation::Help => None,
        }
    }

    pub fn contains(self, other: Capabilities) -> bool {
        self.0 & other.0 == other.0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn is_deny(self) -> bool {
        self.contains(Self::DENY)
    }

    /// Both sets together; `deny` on either side leaves only `deny`.
    pub fn union(self, other: Capabilities) -> Capabilities {
        if self.is_deny() || other.is_deny() { Self::DENY } else { Capabilities(self.0 | other.0) }
    }

    pub fn insert(&mut self, other: Capabilities) {
        *self = self.union(other);
    }

    /// The names in the order policies usually list them (`create, read, update, ...`).
    pub fn names(self) -> Vec<&'static str> {
        Self::NAMED.iter().filter(|(c, _)| self.contains(*c)).map(|(_, n)| *n).collect()
    }

    /// The answer of `sys/capabilities*`: names sorted alphabetically, `["deny"]` for deny
    /// or for an empty set.
    pub fn sorted_names(self) -> Vec<&'static str> {
        let mut names = self.names();
        if self.is_deny() || names.is_empty() {
            return vec!["deny"];
        }
        names.sort_unstable();
        names
    }

    /// The `capabilities` of a `resultant-acl` entry: OpenBao's fixed order, `["deny"]`
    /// for deny or for an empty set.
    pub fn resultant_names(self) -> Vec<&'static str> {
        if self.is_deny() {
            return vec!["deny"];
        }
        let names: Vec<&'static str> =
            Self::RESULTANT_ORDER.iter().filter(|c| self.contains(**c)).flat_map(|c| c.names()).collect();
        if names.is_empty() { vec!["deny"] } else { names }
    }
}

/// `[read, list]`, the form explanations use.
impl fmt::Display for Capabilities {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}]", self.names().join(", "))
    }
}

impl fmt::Debug for Capabilities {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Serialised as the list of names, e.g. `["read","list"]`.
impl Serialize for Capabilities {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.names().serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_case_sensitive() {
        for name in ["create", "read", "update", "patch", "delete", "list", "sudo", "deny", "scan"] {
            let cap = Capabilities::from_name(name).unwrap();
            assert_eq!(cap.names(), vec![name]);
        }
        for bad in ["READ", "root", "subscribe", "", "write"] {
            assert_eq!(Capabilities::from_name(bad), None, "{bad}");
        }
    }

    #[test]
    fn deny_absorbs_everything() {
        let mut caps = Capabilities::READ;
        caps.insert(Capabilities::DENY);
        caps.insert(Capabilities::LIST);
        assert_eq!(caps, Capabilities::DENY);
        assert_eq!(Capabilities::DENY.union(Capabilities::SUDO), Capabilities::DENY);
    }

    #[test]
    fn legacy_policies_expand() {
        let names = |p| Capabilities::from_legacy_policy(p).unwrap().names();
        assert_eq!(names("deny"), ["deny"]);
        assert_eq!(names("read"), ["read", "list"]);
        assert_eq!(names("write"), ["create", "read", "update", "delete", "list"]);
        assert_eq!(names("sudo"), ["create", "read", "update", "delete", "list", "sudo"]);
        assert_eq!(Capabilities::from_legacy_policy("foo"), None);
    }

    #[test]
    fn the_three_orders() {
        let caps = Capabilities::SCAN
            .union(Capabilities::PATCH)
            .union(Capabilities::UPDATE)
            .union(Capabilities::READ)
            .union(Capabilities::CREATE)
            .union(Capabilities::SUDO);
        assert_eq!(caps.names(), ["create", "read", "update", "patch", "sudo", "scan"]);
        assert_eq!(caps.sorted_names(), ["create", "patch", "read", "scan", "sudo", "update"]);
        assert_eq!(caps.resultant_names(), ["create", "read", "sudo", "update", "patch", "scan"]);
        assert_eq!(Capabilities::NONE.sorted_names(), ["deny"]);
        assert_eq!(Capabilities::NONE.resultant_names(), ["deny"]);
        assert_eq!(Capabilities::DENY.resultant_names(), ["deny"]);
        assert_eq!(caps.to_string(), "[create, read, update, patch, sudo, scan]");
        assert_eq!(
            serde_json::to_value(Capabilities::READ.union(Capabilities::LIST)).unwrap(),
            serde_json::json!(["read", "list"])
        );
    }

    #[test]
    fn operations_need_their_capability() {
        assert_eq!(Capabilities::for_operation(Operation::List), Some(Capabilities::LIST));
        assert_eq!(Capabilities::for_operation(Operation::Scan), Some(Capabilities::SCAN));
        assert_eq!(Capabilities::for_operation(Operation::Patch), Some(Capabilities::PATCH));
        assert_eq!(Capabilities::for_operation(Operation::Help), None);
    }
}
