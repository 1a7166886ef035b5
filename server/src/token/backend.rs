//! `auth/token/*`: create, look up, renew and revoke tokens, and manage token roles.

use std::sync::{Arc, Weak};

use time::OffsetDateTime;

use super::TokenEntry;
use super::create::{self, CreateContext, CreateRequest};
use super::lookup::{auth_block, lookup_data};
use super::roles::Role;
use crate::core::Core;
use crate::framework::{Field, FieldData, Framework, Path, SpecialPaths};
use crate::logical::{Error, Operation, Request, Response, Result};

pub struct TokenBackend {
    core: Weak<Core>,
}

impl TokenBackend {
    fn core(&self) -> Result<Arc<Core>> {
        self.core.upgrade().ok_or(Error::Sealed)
    }

    /// The caller's token (every path here but none of the logins needs one).
    fn caller(req: &Request) -> Result<Arc<TokenEntry>> {
        req.token.clone().ok_or(Error::PermissionDenied)
    }

    async fn create_with(
        &self,
        req: Request,
        d: FieldData,
        role: Option<Role>,
        orphan_path: bool,
    ) -> Result<Option<Response>> {
        let core = self.core()?;
        let state = core.unsealed()?;
        let parent = Self::caller(&req)?;
        let ttl = match d.duration("ttl")? {
            0 => d.duration("lease")?,
            ttl => ttl,
        };
        let request = CreateRequest {
            id: d.opt_string("id")?,
            policies: d.is_set("policies").then(|| d.strings("policies")).transpose()?,
            meta: d.kv_pairs("meta")?,
            no_parent: d.bool("no_parent")?,
            no_default_policy: d.bool("no_default_policy")?,
            renewable: d.bool("renewable")?,
            ttl,
            explicit_max_ttl: d.duration("explicit_max_ttl")?,
            period: d.duration("period")?,
            num_uses: d.int("num_uses")?,
            display_name: d.string("display_name")?,
            token_type: d.string("type")?,
            entity_alias: d.string("entity_alias")?,
            orphan_path,
        };
        let (default_ttl, max_ttl) = core.token_mount_ttls()?;
        let path = match &role {
            Some(role) if !role.path_suffix.is_empty() => {
                format!("auth/token/create/{}/{}", role.name, role.path_suffix)
            }
            Some(role) => format!("auth/token/create/{}", role.name),
            None if orphan_path => "auth/token/create-orphan".into(),
            None => "auth/token/create".into(),
        };
        let ctx = CreateContext {
            parent: &parent,
            sudo: req.sudo,
            role: role.as_ref(),
            path,
            mount_default_ttl: default_ttl,
            mount_max_ttl: max_ttl,
        };
        let mut created = create::create(&state.tokens, request, ctx).await?;
        created.entry = state.tokens.insert(created.entry).await?;
        let mut response = Response {
            auth: Some(auth_block(&created.entry, &created.token)),
            warnings: created.warnings,
            ..Default::default()
        };
        for policy in &created.entry.policies {
            if policy != "root" && !core.policy_exists(policy).await? {
                response.warnings.push(format!("Policy {policy:?} does not exist"));
            }
        }
        Ok(Some(response))
    }

    async fn create(self: Arc<Self>, req: Request, d: FieldData) -> Result<Option<Response>> {
        self.create_with(req, d, None, false).await
    }

    async fn create_orphan(self: Arc<Self>, req: Request, d: FieldData) -> Result<Option<Response>> {
        self.create_with(req, d, None, true).await
    }

    async fn create_role(self: Arc<Self>, req: Request, d: FieldData) -> Result<Option<Response>> {
        let name = d.string("role_name")?;
        let state = self.core()?.unsealed()?;
        let role = Role::load(state.tokens.storage(), &name)
            .await?
            .ok_or_else(|| Error::invalid(format!("unknown role {name}")))?;
        self.create_with(req, d, Some(role), false).await
    }

    /// The valid token named by `field`, or the caller's own when it is empty.
    async fn target(&self, req: &Request, d: &FieldData) -> Result<(Arc<TokenEntry>, String)> {
        let token = d.string("token")?;
        if token.is_empty() {
            return Ok((Self::caller(req)?, req.client_token.clone().unwrap_or_default()));
        }
        let state = self.core()?.unsealed()?;
        match state.tokens.lookup(&token).await? {
            Some(entry) => Ok((Arc::new(entry), token)),
            None => Err(Error::Forbidden("bad token".into())),
        }
    }

    async fn lookup(self: Arc<Self>, req: Request, d: FieldData) -> Result<Option<Response>> {
        let (entry, id) = self.target(&req, &d).await?;
        Ok(Some(Response { data: Some(lookup_data(&entry, &id, OffsetDateTime::now_utc())), ..Default::default() }))
    }

    async fn lookup_self(self: Arc<Self>, req: Request, _d: FieldData) -> Result<Option<Response>> {
        let entry = Self::caller(&req)?;
        let id = req.client_token.clone().unwrap_or_default();
        Ok(Some(Response { data: Some(lookup_data(&entry, &id, OffsetDateTime::now_utc())), ..Default::default() }))
    }

    async fn by_accessor(&self, d: &FieldData) -> Result<Option<TokenEntry>> {
        let accessor = d.string("accessor")?;
        if accessor.is_empty() {
            return Err(Error::invalid("missing accessor"));
        }
        self.core()?.unsealed()?.tokens.lookup_accessor(&accessor).await
    }

    async fn lookup_accessor(self: Arc<Self>, _req: Request, d: FieldData) -> Result<Option<Response>> {
        let entry = self.by_accessor(&d).await?.ok_or_else(invalid_accessor)?;
        Ok(Some(Response { data: Some(lookup_data(&entry, "", OffsetDateTime::now_utc())), ..Default::default() }))
    }

    /// Renew the token with `hash`; `shown` is the token string for the auth block.
    async fn renew_hash(&self, hash: &str, shown: &str, d: &FieldData) -> Result<Option<Response>> {
        let (entry, warnings) = self.core()?.renew_token(hash, d.duration("increment")?).await?;
        Ok(Some(Response { auth: Some(auth_block(&entry, shown)), warnings, ..Default::default() }))
    }

    async fn renew(self: Arc<Self>, _req: Request, d: FieldData) -> Result<Option<Response>> {
        let token = d.string("token")?;
        if token.is_empty() {
            return Err(Error::invalid("missing token ID"));
        }
        let hash = self.core()?.unsealed()?.tokens.hash(&token);
        self.renew_hash(&hash, &token, &d).await
    }

    async fn renew_self(self: Arc<Self>, req: Request, d: FieldData) -> Result<Option<Response>> {
        let entry = Self::caller(&req)?;
        self.renew_hash(&entry.id_hash, &req.client_token.clone().unwrap_or_default(), &d).await
    }

    async fn renew_accessor(self: Arc<Self>, _req: Request, d: FieldData) -> Result<Option<Response>> {
        let entry = self.by_accessor(&d).await?.ok_or_else(invalid_accessor)?;
        self.renew_hash(&entry.id_hash, "", &d).await
    }

    async fn revoke(self: Arc<Self>, _req: Request, d: FieldData) -> Result<Option<Response>> {
        let token = d.string("token")?;
        if token.is_empty() {
            return Err(Error::invalid("missing token ID"));
        }
        let core = self.core()?;
        let hash = core.unsealed()?.tokens.hash(&token);
        core.revoke_token_tree(&hash).await?;
        Ok(None)
    }

    async fn revoke_self(self: Arc<Self>, req: Request, _d: FieldData) -> Result<Option<Response>> {
        let entry = Self::caller(&req)?;
        self.core()?.revoke_token_tree(&entry.id_hash).await?;
        Ok(None)
    }

    async fn revoke_accessor(self: Arc<Self>, _req: Request, d: FieldData) -> Result<Option<Response>> {
        match self.by_accessor(&d).await? {
            Some(entry) => {
                self.core()?.revoke_token_tree(&entry.id_hash).await?;
                Ok(None)
            }
            None => Ok(Some(Response::warnings(vec!["No token found with this accessor".into()]))),
        }
    }

    async fn revoke_orphan(self: Arc<Self>, req: Request, d: FieldData) -> Result<Option<Response>> {
        if !req.sudo {
            return Err(Error::invalid("root or sudo privileges required to revoke and orphan"));
        }
        let token = d.string("token")?;
        if token.is_empty() {
            return Err(Error::invalid("missing token ID"));
        }
        let core = self.core()?;
        let state = core.unsealed()?;
        let entry = state.tokens.lookup(&token).await?.ok_or_else(|| Error::invalid("token to revoke not found"))?;
        core.revoke_token_orphan(&entry.id_hash).await?;
        Ok(None)
    }

    async fn list_accessors(self: Arc<Self>, _req: Request, _d: FieldData) -> Result<Option<Response>> {
        let accessors = self.core()?.unsealed()?.tokens.accessors().await?;
        Ok(Some(Response::list(accessors)))
    }

    async fn tidy(self: Arc<Self>, _req: Request, _d: FieldData) -> Result<Option<Response>> {
        let core = self.core()?;
        tokio::spawn(async move {
            match core.tidy_tokens().await {
                Ok(revoked) => tracing::info!(revoked, "token tidy finished"),
                Err(err) => tracing::warn!(error = %err, "token tidy failed"),
            }
        });
        Ok(Some(
            Response::warnings(vec![
                "Tidy operation successfully started. Any information from the operation will be printed to Arcanum's server logs."
                    .into(),
            ])
            .with_status(202),
        ))
    }

    async fn list_roles(self: Arc<Self>, _req: Request, _d: FieldData) -> Result<Option<Response>> {
        let names = Role::list(self.core()?.unsealed()?.tokens.storage()).await?;
        Ok((!names.is_empty()).then(|| Response::list(names)))
    }

    async fn read_role(self: Arc<Self>, _req: Request, d: FieldData) -> Result<Option<Response>> {
        let role = Role::load(self.core()?.unsealed()?.tokens.storage(), &d.string("role_name")?).await?;
        Ok(role.map(|r| Response::data(r.to_json())))
    }

    async fn role_exists(self: Arc<Self>, _req: Request, d: FieldData) -> Result<bool> {
        Ok(Role::load(self.core()?.unsealed()?.tokens.storage(), &d.string("role_name")?).await?.is_some())
    }

    async fn write_role(self: Arc<Self>, _req: Request, d: FieldData) -> Result<Option<Response>> {
        let state = self.core()?.unsealed()?;
        let storage = state.tokens.storage();
        let name = d.string("role_name")?.to_lowercase();
        let mut role = Role::load(storage, &name).await?.unwrap_or_default();
        role.name = name;
        let mut warnings = Vec::new();
        let lists: [(&str, &mut Vec<String>); 4] = [
            ("allowed_policies", &mut role.allowed_policies),
            ("disallowed_policies", &mut role.disallowed_policies),
            ("allowed_policies_glob", &mut role.allowed_policies_glob),
            ("disallowed_policies_glob", &mut role.disallowed_policies_glob),
        ];
        for (field, target) in lists {
            if d.is_set(field) {
                *target = create::sanitize_policies(&d.strings(field)?);
            }
        }
        if d.is_set("orphan") {
            role.orphan = d.bool("orphan")?;
        }
        if d.is_set("renewable") {
            role.renewable = d.bool("renewable")?;
        }
        if d.is_set("path_suffix") {
            role.path_suffix = d.string("path_suffix")?;
        }
        if d.is_set("allowed_entity_aliases") {
            role.allowed_entity_aliases =
                Some(d.strings("allowed_entity_aliases")?.into_iter().map(|a| a.to_lowercase()).collect());
        }
        if d.is_set("token_type") {
            role.token_type = d.string("token_type")?;
        }
        if d.is_set("token_no_default_policy") {
            role.token_no_default_policy = d.bool("token_no_default_policy")?;
        }
        if d.is_set("token_num_uses") {
            role.token_num_uses = d.int("token_num_uses")?;
        }
        // Vault's upgrade rule: the new name sets the value and clears the deprecated
        // one; the deprecated name alone sets both (reads show each).
        for (new, old, target, deprecated) in [
            ("token_period", "period", &mut role.token_period, &mut role.period),
            (
                "token_explicit_max_ttl",
                "explicit_max_ttl",
                &mut role.token_explicit_max_ttl,
                &mut role.explicit_max_ttl,
            ),
        ] {
            if d.is_set(new) {
                *target = d.duration(new)?;
                *deprecated = 0;
                if d.is_set(old) {
                    warnings.push(format!(
                        "Both '{new}' and deprecated '{old}' value supplied, ignoring the deprecated value"
                    ));
                }
            } else if d.is_set(old) {
                *target = d.duration(old)?;
                *deprecated = *target;
            }
        }
        if d.is_set("token_bound_cidrs") {
            role.token_bound_cidrs = d.strings("token_bound_cidrs")?;
            role.bound_cidrs.clear();
        } else if d.is_set("bound_cidrs") {
            role.token_bound_cidrs = d.strings("bound_cidrs")?;
            role.bound_cidrs = role.token_bound_cidrs.clone();
        }
        role.validate()?;
        role.save(storage).await?;
        Ok((!warnings.is_empty()).then(|| Response::warnings(warnings)))
    }

    async fn delete_role(self: Arc<Self>, _req: Request, d: FieldData) -> Result<Option<Response>> {
        Role::delete(self.core()?.unsealed()?.tokens.storage(), &d.string("role_name")?).await?;
        Ok(None)
    }
}

fn create_fields(path: Path<TokenBackend>) -> Path<TokenBackend> {
    path.field(Field::string("id", "A chosen token id (needs sudo)."))
        .field(Field::string_list("policies", "Policies for the token."))
        .field(Field::kv_pairs("meta", "Arbitrary key=value metadata."))
        .field(Field::bool("no_parent", "Create an orphan (needs sudo)."))
        .field(Field::bool("no_default_policy", "Do not attach the default policy."))
        .field(Field::bool("renewable", "Whether the token can be renewed.").default(true))
        .field(Field::duration("ttl", "Initial time to live."))
        .field(Field::duration("lease", "Deprecated alias of ttl."))
        .field(Field::duration("explicit_max_ttl", "Hard limit on the token's life."))
        .field(Field::duration("period", "Make a periodic token (needs sudo)."))
        .field(Field::int("num_uses", "Uses before the token is revoked (0: unlimited)."))
        .field(Field::string("display_name", "Name shown for the token."))
        .field(Field::string("type", "service (batch tokens are not supported)."))
        .field(Field::string("entity_alias", "Entity alias (needs identity, not yet supported)."))
}

fn token_field(path: Path<TokenBackend>) -> Path<TokenBackend> {
    path.field(Field::string("token", "The token."))
}

fn accessor_field(path: Path<TokenBackend>) -> Path<TokenBackend> {
    path.field(Field::string("accessor", "The token's accessor."))
}

fn increment_field(path: Path<TokenBackend>) -> Path<TokenBackend> {
    path.field(Field::duration("increment", "Seconds (or a duration) to renew by; 0 means the last TTL."))
}

fn role_fields(path: Path<TokenBackend>) -> Path<TokenBackend> {
    let mut path = path;
    for name in ["allowed_policies", "disallowed_policies", "allowed_policies_glob", "disallowed_policies_glob"] {
        path = path.field(Field::strings(name, "Policies (comma-separated or a list)."));
    }
    path.field(Field::bool("orphan", "Tokens have no parent."))
        .field(Field::bool("renewable", "Tokens can be renewed.").default(true))
        .field(Field::string("path_suffix", "Suffix of the path tokens are created on."))
        .field(Field::strings("allowed_entity_aliases", "Entity aliases tokens may use."))
        .field(Field::string("token_type", "service, batch, default-service or default-batch."))
        .field(Field::duration("token_explicit_max_ttl", "Hard limit on tokens' life."))
        .field(Field::duration("explicit_max_ttl", "Deprecated: token_explicit_max_ttl."))
        .field(Field::duration("token_period", "Make periodic tokens."))
        .field(Field::duration("period", "Deprecated: token_period."))
        .field(Field::bool("token_no_default_policy", "Do not attach the default policy."))
        .field(Field::int("token_num_uses", "Uses per token."))
        .field(Field::strings("token_bound_cidrs", "Networks tokens may be used from."))
        .field(Field::strings("bound_cidrs", "Deprecated: token_bound_cidrs."))
}

pub fn backend(core: Weak<Core>) -> Framework<TokenBackend> {
    use Operation::*;
    let paths = vec![
        create_fields(Path::new("create")).on(Update, TokenBackend::create).help("Create a child token.", ""),
        create_fields(Path::new("create-orphan"))
            .on(Update, TokenBackend::create_orphan)
            .help("Create a token with no parent.", ""),
        create_fields(Path::new("create/{role_name}"))
            .on(Update, TokenBackend::create_role)
            .help("Create a token through a role.", ""),
        create_fields(Path::new("create/{role_name}/{suffix*}"))
            .on(Update, TokenBackend::create_role)
            .help("Create a token through a role, on the role's path suffix.", ""),
        token_field(Path::new("lookup"))
            .on(Read, TokenBackend::lookup)
            .on(Update, TokenBackend::lookup)
            .help("Look up a token (the caller's own when none is given).", ""),
        token_field(Path::new("lookup-self"))
            .on(Read, TokenBackend::lookup_self)
            .on(Update, TokenBackend::lookup_self)
            .help("Look up the caller's token.", ""),
        accessor_field(Path::new("lookup-accessor"))
            .on(Update, TokenBackend::lookup_accessor)
            .help("Look up a token by accessor (without its id).", ""),
        increment_field(token_field(Path::new("renew"))).on(Update, TokenBackend::renew).help("Renew a token.", ""),
        increment_field(Path::new("renew-self"))
            .on(Update, TokenBackend::renew_self)
            .help("Renew the caller's token.", ""),
        increment_field(accessor_field(Path::new("renew-accessor")))
            .on(Update, TokenBackend::renew_accessor)
            .help("Renew a token by accessor.", ""),
        token_field(Path::new("revoke"))
            .on(Update, TokenBackend::revoke)
            .help("Revoke a token and every token created under it.", ""),
        Path::new("revoke-self")
            .on(Update, TokenBackend::revoke_self)
            .help("Revoke the caller's token and its children.", ""),
        accessor_field(Path::new("revoke-accessor"))
            .on(Update, TokenBackend::revoke_accessor)
            .help("Revoke a token by accessor.", ""),
        token_field(Path::new("revoke-orphan"))
            .on(Update, TokenBackend::revoke_orphan)
            .help("Revoke a token but keep its children (as orphans). Needs sudo.", ""),
        Path::new("accessors/")
            .on(List, TokenBackend::list_accessors)
            .help("List the accessors of all tokens. Needs sudo.", ""),
        Path::new("roles/").on(List, TokenBackend::list_roles).help("List token roles.", ""),
        role_fields(Path::new("roles/{role_name}"))
            .on(Read, TokenBackend::read_role)
            .on(Update, TokenBackend::write_role)
            .on(Delete, TokenBackend::delete_role)
            .exists(TokenBackend::role_exists)
            .help("Manage a token role.", ""),
        Path::new("tidy").on(Update, TokenBackend::tidy).help("Revoke expired tokens and clean up indexes.", ""),
    ];
    Framework::new(Arc::new(TokenBackend { core }), paths)
        .special_paths(SpecialPaths { root: vec!["revoke-orphan/*", "accessors*"], unauthenticated: vec![] })
        .help("The token store: create, look up, renew and revoke tokens.")
}

/// OpenBao's answer for an unknown accessor (wrapped by go-multierror on its way out).
fn invalid_accessor() -> Error {
    Error::invalid("1 error occurred:\n\t* invalid accessor\n\n")
}
