//! Access control. A request is allowed only if the token's policies grant the
//! capability its operation needs on its path (`sudo` too on root-protected paths).
//!
//! The only policy that exists so far is the built-in `root`, which grants everything;
//! every other token is denied everything until HCL policies arrive (fail closed).

use crate::logical::{Error, Operation};

pub struct Acl {
    root: bool,
}

impl Acl {
    pub fn from_policies(policies: &[String]) -> Acl {
        Acl { root: policies.iter().any(|p| p == "root") }
    }

    /// Allow or deny `operation` on `path`; `sudo` marks root-protected paths.
    pub fn check(&self, _path: &str, _operation: Operation, _sudo: bool) -> Result<(), Error> {
        if self.root {
            return Ok(());
        }
        Err(Error::PermissionDenied)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_may_do_anything_and_others_nothing() {
        let root = Acl::from_policies(&["root".into()]);
        assert!(root.check("sys/rotate", Operation::Update, true).is_ok());
        let other = Acl::from_policies(&["default".into()]);
        assert!(matches!(other.check("sys/key-status", Operation::Read, false), Err(Error::PermissionDenied)));
    }
}
