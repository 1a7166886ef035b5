//! ACL policies: parsing (HCL or JSON) and evaluation, with OpenBao's semantics.
//!
//! A request is allowed only if the token's policies, merged into an [`Acl`], have a
//! rule for its path granting the capability its operation needs, and the rule's
//! constraints hold (wrapping TTL, parameters, page size, `sudo` on root-protected
//! paths). Anything else is denied: no policies, no matching rule, or a `deny`.
//!
//! * [`parse_policy`] turns policy text into [`PathRule`]s. Every error names the line
//!   and column of the problem (OpenBao often names only the path).
//! * [`Acl::new`] merges the rules of a token's policies; [`Acl::check`] decides a
//!   request, [`Acl::explain`] says why in words, [`Acl::capabilities`] and
//!   [`Acl::resultant`] answer `sys/capabilities*` and `sys/internal/ui/resultant-acl`.
//! * [`builtin`] holds the `default` and `response-wrapping` texts and which built-in
//!   names may be written or deleted.
//!
//! Where OpenBao is knowingly not followed: malformed JSON is refused (OpenBao accepted
//! it), policy text is never base64-decoded, numbers in parameter lists match by value,
//! and HCL is read by an HCL 2 parser, which wants each attribute and block on its own
//! line. Identity-templated paths are parsed and validated, but the ACL skips them until
//! the token's entity can fill them in.

mod acl;
pub mod advice;
pub mod builtin;
mod capabilities;
mod explain;
mod hcl;
mod json;
mod params;
mod parse;
mod tree;

pub use acl::{Acl, AclDecision, AclRequest, MatchedRule, Reason};
pub use capabilities::Capabilities;
pub use explain::Explanation;
pub use parse::{PathRule, Policy, PolicyError, RuleKind, parse_policy};
