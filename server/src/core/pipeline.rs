//! The one request pipeline, in DESIGN §2's order. Every API request and every console
//! action that touches data comes through `handle_request`.

use std::sync::Arc;

use super::{Core, Unsealed};
use crate::audit::Trail;
use crate::logical::{Error, Operation, Request, Response, Result};
use crate::policy::AclRequest;
use crate::token::{TokenEntry, UseOutcome};

/// OpenBao's text for a request a valid token's policies do not allow.
pub const POLICY_DENIED: &str = "1 error occurred:\n\t* permission denied\n\n";

impl Core {
    /// Run `req` through seal check, path canonicalisation, token lookup, ACL, the mount
    /// router and the engine. `Ok(None)`: the backend had nothing to return.
    pub async fn handle_request(&self, mut req: Request) -> Result<Option<Response>> {
        let state = self.unsealed()?;
        req.path = canonicalize_path(&req.path)?;
        let Some(trail) = Trail::start(&state.audit, &req) else {
            return self.run_request(&state, req, None).await;
        };
        // Audited requests run detached: a client that hangs up mid-request must not
        // cut its response entry off.
        self.detached(move |core| async move {
            let mut trail = trail;
            let result = core.run_request(&state, req, Some(&mut trail)).await;
            trail.finish(&result).await;
            result
        })
        .await
    }

    async fn run_request(
        &self,
        state: &Unsealed,
        mut req: Request,
        mut trail: Option<&mut Trail>,
    ) -> Result<Option<Response>> {
        let router = state.router();
        let path = req.path.clone();
        let route = router.route(&path);
        let login = route.is_some_and(|(r, rel)| r.backend.special_paths().is_unauthenticated(rel));
        if let (Some(trail), Some((route, _))) = (trail.as_deref_mut(), route) {
            trail.set_mount(route.audit.clone());
        }

        // Token and ACL come before "no such path", so that without the right to a path
        // nobody learns whether it exists.
        let mut last_use = None;
        if !login {
            let (token, last) = self.authenticate(state, &req).await?;
            if last {
                last_use = Some(token.id_hash.clone());
            }
            // The existence check already needs the caller's token: cubbyhole looks in
            // the token's own folder.
            let token = Arc::new(token);
            req.token = Some(token.clone());
            if let Some(trail) = trail.as_deref_mut() {
                trail.set_token(token.clone());
            }
            if let Some((route, relative)) = route {
                req.operation = self.write_kind(&req, route.backend.as_ref(), relative).await?;
                if let Some(trail) = trail.as_deref_mut() {
                    trail.set_operation(req.operation);
                }
            }
            self.authorize(&mut req, &token, route.is_some_and(|(r, rel)| r.backend.special_paths().is_root(rel)))
                .await?;
        }
        let (route, relative) = route.ok_or_else(|| Error::NoRoute(path.clone()))?;

        // Nothing runs unrecorded: no device took the request entry, no request.
        if let Some(trail) = trail {
            trail.record_request().await?;
        }
        let mount_path = route.prefix.clone();
        let accessor = route.entry.accessor.clone();
        req.mount_point = mount_path.clone();
        req.path = relative.to_string();
        let alias = if login { route.backend.login_alias(&req) } else { None };
        if let Some(alias) = &alias {
            self.check_lockout(&accessor, alias).await?;
        }
        let full_path = format!("{mount_path}{}", req.path);
        let result = route.backend.handle(req).await;

        if let Some(alias) = &alias {
            match &result {
                Err(Error::InvalidCredentials) => self.login_failed(&accessor, alias).await?,
                Ok(Some(r)) if r.auth.is_some() => self.login_succeeded(&accessor, alias),
                _ => {}
            }
        }
        let mut response = result?;
        if login
            && let Some(response) = response.as_mut()
            && let Some(auth) = response.auth.as_mut()
        {
            self.issue_login_token(route, &full_path, auth).await?;
        }
        // A lease for returned secrets is registered here (dynamic secrets, later).
        // The trail records the response once this returns (`handle_request`).
        if let Some(hash) = last_use {
            self.revoke_token_tree(&hash).await?;
        }
        Ok(response)
    }

    /// The caller's token, counting one use. Unknown, expired or used-up tokens, and
    /// tokens used from outside their bound networks, are all "permission denied".
    async fn authenticate(&self, state: &Unsealed, req: &Request) -> Result<(TokenEntry, bool)> {
        let token =
            req.client_token.as_deref().filter(|t| !t.is_empty() && t.len() <= 512).ok_or(Error::PermissionDenied)?;
        let (entry, last) = match state.tokens.use_token(&state.tokens.hash(token)).await? {
            UseOutcome::Valid { entry, last } => (*entry, last),
            UseOutcome::Invalid => return Err(Error::PermissionDenied),
        };
        if !entry.bound_cidrs.is_empty()
            && entry.expire_time.is_some()
            && !crate::auth::cidr::remote_allowed(req.connection.remote_addr.as_deref(), &entry.bound_cidrs)
        {
            return Err(Error::PermissionDenied);
        }
        Ok((entry, last))
    }

    /// A write is a create when the backend says the object does not exist yet.
    async fn write_kind(
        &self,
        req: &Request,
        backend: &dyn crate::framework::Backend,
        relative: &str,
    ) -> Result<Operation> {
        if req.operation != Operation::Update {
            return Ok(req.operation);
        }
        let mut probe = req.clone();
        probe.path = relative.to_string();
        Ok(match backend.exists(&probe).await? {
            Some(false) => Operation::Create,
            _ => Operation::Update,
        })
    }

    /// Whether `path` (full) is root-protected: its rule must also grant `sudo`.
    pub fn is_root_path(&self, path: &str) -> bool {
        let Ok(state) = self.unsealed() else { return false };
        let router = state.router();
        router.route(path).is_some_and(|(r, rel)| r.backend.special_paths().is_root(rel))
    }

    /// The token's policies must allow the operation (with `sudo` on root paths).
    async fn authorize(&self, req: &mut Request, token: &TokenEntry, sudo_required: bool) -> Result<()> {
        let acl = self.acl_for(&token.policies).await?;
        let decision = acl.check(&AclRequest {
            path: &req.path,
            operation: req.operation,
            data: Some(&req.data),
            sudo_required,
            wrap_ttl: None,
        });
        if !decision.allowed {
            // A valid token its policies refuse: OpenBao wraps this one in go-multierror
            // (a missing or bad token stays a bare "permission denied").
            return Err(Error::Forbidden(POLICY_DENIED.into()));
        }
        req.sudo = acl.is_root() || acl.capabilities(&req.path).contains(&"sudo");
        Ok(())
    }
}

/// The mount as audit entries name it.
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
