//! The one request pipeline, in DESIGN §2's order. Every API request and every console
//! action that touches data comes through `handle_request`.

use super::Core;
use crate::logical::{Error, Request, Response, Result};
use crate::policy::Acl;

impl Core {
    /// Run `req` through seal check, path canonicalisation, token lookup, ACL and the
    /// mount router. `Ok(None)`: the backend had nothing to return.
    pub async fn handle_request(&self, mut req: Request) -> Result<Option<Response>> {
        let state = self.unsealed()?;
        req.path = canonicalize_path(&req.path)?;
        let route = state.router.route(&req.path);
        let special = route.map(|(mount, relative)| (mount.backend.special_paths(), relative));

        // Token and ACL come before "no such path", so that without the right to a path
        // nobody learns whether it exists.
        if !special.is_some_and(|(s, relative)| s.is_unauthenticated(relative)) {
            let token = match req.client_token.as_deref() {
                Some(token) => state.tokens.lookup(token).await?,
                None => None,
            };
            let token = token.ok_or(Error::PermissionDenied)?;
            let sudo = special.is_some_and(|(s, relative)| s.is_root(relative));
            Acl::from_policies(&token.policies).check(&req.path, req.operation, sudo)?;
        }

        let (mount, relative) = route.ok_or(Error::UnsupportedPath)?;
        req.mount_point = mount.path.clone();
        req.path = relative.to_string();
        mount.backend.handle(req).await
    }
}

/// The path ACL checks is the path routed: decoded once by the HTTP layer, then refused
/// if it could mean anything else — `.`/`..` segments, empty segments, a leading `/`,
/// NUL or other control characters.
pub fn canonicalize_path(path: &str) -> Result<String> {
    if path.is_empty() {
        // `/v1/` itself: no mount has it, so it ends as "permission denied" or 404.
        return Ok(String::new());
    }
    if path.chars().any(char::is_control) {
        return Err(Error::invalid("the request path contains control characters"));
    }
    if path.starts_with('/') {
        return Err(Error::invalid("the request path must not start with '/'"));
    }
    let body = path.strip_suffix('/').unwrap_or(path);
    if body.split('/').any(|seg| seg.is_empty() || seg == "." || seg == "..") {
        return Err(Error::invalid(format!(
            "invalid request path {path:?}: empty, '.' or '..' segments are not allowed"
        )));
    }
    Ok(path.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_paths_pass_and_tricks_fail() {
        for ok in ["sys/key-status", "secret/data/a b", "secret/metadata/", "secret/ключ"] {
            assert_eq!(canonicalize_path(ok).unwrap(), ok);
        }
        assert_eq!(canonicalize_path("").unwrap(), "");
        for bad in ["/sys", "sys//x", "sys/../secret", "sys/./x", "a/..", "sys/x\0", "sys/\u{7}", "sys/x\n"] {
            assert!(canonicalize_path(bad).is_err(), "{bad:?} should be refused");
        }
    }
}
