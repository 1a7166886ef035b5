//! The operations a request can ask for, as Vault names them.

use std::fmt;

/// What a request wants to do. HTTP verbs map onto these in `http::request`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operation {
    Read,
    Create,
    Update,
    Patch,
    Delete,
    List,
    /// A recursive list (OpenBao's SCAN method or `?scan=true`); needs the `scan` capability.
    Scan,
    Help,
}

impl Operation {
    /// The name Vault uses in audit entries, capabilities and help.
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Read => "read",
            Operation::Create => "create",
            Operation::Update => "update",
            Operation::Patch => "patch",
            Operation::Delete => "delete",
            Operation::List => "list",
            Operation::Scan => "scan",
            Operation::Help => "help",
        }
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
