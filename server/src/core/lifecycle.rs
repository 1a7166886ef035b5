//! Initialise, unseal and seal.
//!
//! Initialisation is one transaction: seal config, wrapped root key, keyring, cluster
//! info and the first root token land together or not at all. The server stays sealed
//! afterwards, as Vault's does: the operator unseals with the shares just printed.

use std::sync::Arc;

use zeroize::Zeroizing;

use super::{Ceremonies, Core, SealStatus, Unsealed};
use crate::barrier::Batch;
use crate::core::cluster::ClusterInfo;
use crate::core::mounts::{MountTable, Table};
use crate::core::router::Router;
use crate::logical::Error;
use crate::seal::{NewUnsealKey, SealConfig, ShareCollector, encode_shares, shamir};
use crate::storage::StorageError;
use crate::token::TokenStore;

/// What `sys/init` asks for.
#[derive(Clone, Debug, Default)]
pub struct InitRequest {
    pub secret_shares: u64,
    pub secret_threshold: u64,
    pub pgp_keys: Option<Vec<String>>,
    pub root_token_pgp_key: String,
    pub stored_shares: u64,
    pub recovery_shares: u64,
    pub recovery_threshold: u64,
    pub recovery_pgp_keys: Option<Vec<String>>,
}

pub struct InitResult {
    pub keys: Vec<String>,
    pub keys_base64: Vec<String>,
    pub root_token: Zeroizing<String>,
}

impl InitRequest {
    fn check_supported(&self) -> Result<(), Error> {
        if self.pgp_keys.as_ref().is_some_and(|k| !k.is_empty()) || !self.root_token_pgp_key.is_empty() {
            return Err(Error::invalid(
                "PGP-encrypted key shares are not supported; omit pgp_keys and root_token_pgp_key",
            ));
        }
        if self.stored_shares > 0 {
            return Err(Error::invalid("stored keys are not supported by the shamir seal; set stored_shares to 0"));
        }
        if self.recovery_shares > 0 || self.recovery_threshold > 0 || self.recovery_pgp_keys.is_some() {
            return Err(Error::invalid("recovery keys are only used with an auto-unseal; omit the recovery_* fields"));
        }
        Ok(())
    }
}

impl Core {
    /// `sys/init`. `root_token_id` picks the root token's id (dev mode only).
    pub async fn init(&self, req: InitRequest, root_token_id: Option<String>) -> Result<InitResult, Error> {
        self.detached(move |core| async move { core.init_now(req, root_token_id.as_deref()).await }).await
    }

    /// `sys/unseal`: take one key share (hex or base64), or reset the attempt.
    pub async fn unseal(&self, key: Option<&str>, reset: bool) -> Result<SealStatus, Error> {
        let key = key.map(|k| Zeroizing::new(k.to_string()));
        self.detached(move |core| async move { core.unseal_now(key.as_deref().map(|k| k.as_str()), reset).await }).await
    }

    /// Seal: drop the unsealed state and every key, and cancel running ceremonies.
    pub async fn seal(&self) -> Result<(), Error> {
        self.detached(|core| async move { core.seal_now().await }).await
    }

    async fn init_now(&self, req: InitRequest, root_token_id: Option<&str>) -> Result<InitResult, Error> {
        req.check_supported()?;
        let config = SealConfig::shamir(req.secret_shares, req.secret_threshold, "invalid seal configuration")?;
        let mut ceremonies = self.ceremonies.lock().await;
        if self.seal.config().await?.is_some() || self.barrier.is_initialized().await? {
            return Err(Error::invalid("Vault is already initialized"));
        }

        let unseal = NewUnsealKey::generate(&config)?;
        let root_key = crate::crypto::random_key().map_err(Error::Internal)?;
        // Another server sharing the database may have initialised it since the check above.
        let mut ops = vec![self.barrier.begin_initialize(root_key.clone()).await.map_err(|e| match e {
            StorageError::AlreadyExists(_) => Error::invalid("Vault is already initialized"),
            other => other.into(),
        })?];
        let setup = async {
            let batch = Arc::new(Batch::new(self.barrier.clone()));
            ClusterInfo::create(batch.as_ref()).await?;
            for table in [Table::Secret, Table::Auth] {
                MountTable::defaults(table)?.save(batch.as_ref(), table).await?;
            }
            let tokens = TokenStore::open(batch.clone()).await?;
            // OpenBao's dev mode makes a chosen root token through `auth/token/create`, so
            // it looks itself up as `token`; a generated root token is `root`.
            let display_name = if root_token_id.is_some() { "token" } else { "root" };
            let (root_token, _) = tokens.create_root(root_token_id, display_name).await?;
            ops.extend(batch.take_ops());
            self.seal.install_first(&unseal, &config, &root_key, ops).await?;
            Ok::<_, Error>(root_token)
        };
        let result = setup.await;
        self.barrier.seal();
        let root_token = result?;

        ceremonies.unseal = None;
        self.publish_progress(&ceremonies);
        let (keys, keys_base64) = encode_shares(&unseal.shares);
        tracing::info!(shares = config.secret_shares, threshold = config.secret_threshold, "initialised");
        Ok(InitResult { keys, keys_base64, root_token })
    }

    async fn unseal_now(&self, key: Option<&str>, reset: bool) -> Result<SealStatus, Error> {
        {
            let mut ceremonies = self.ceremonies.lock().await;
            let result = self.unseal_step(&mut ceremonies, key, reset).await;
            self.publish_progress(&ceremonies);
            result?;
        }
        self.seal_status().await
    }

    async fn unseal_step(&self, ceremonies: &mut Ceremonies, key: Option<&str>, reset: bool) -> Result<(), Error> {
        let config = self.seal.config().await?.ok_or_else(|| Error::invalid("Vault is not initialized"))?;
        if reset {
            if !self.is_sealed() {
                return Err(Error::invalid("the server is already unsealed; there is no unseal attempt to reset"));
            }
            ceremonies.unseal = None;
            return Ok(());
        }
        if !self.is_sealed() {
            return Ok(());
        }
        let key = key
            .ok_or_else(|| Error::invalid("'key' must be specified in request body as JSON, or 'reset' set to true"))?;
        let collector = ceremonies.unseal.get_or_insert_with(ShareCollector::new);
        let Some(shares) = collector.add(key, config.secret_shares, config.secret_threshold)? else {
            return Ok(());
        };
        ceremonies.unseal = None;
        let unseal_key =
            shamir::combine(&shares, config.secret_shares, config.secret_threshold).map_err(Error::InvalidRequest)?;
        let root_key = self.seal.open_root_key(&unseal_key).await?;
        self.post_unseal(root_key).await?;
        tracing::info!("unsealed");
        Ok(())
    }

    /// Load the keyring and build everything that lives only while unsealed. On any
    /// failure the barrier is sealed again.
    async fn post_unseal(&self, root_key: Zeroizing<[u8; 32]>) -> Result<(), Error> {
        self.barrier.unseal(root_key).await.map_err(|e| match e {
            StorageError::Corrupt { reason, .. } => {
                Error::Internal(format!("the stored keyring does not open with the stored root key: {reason}"))
            }
            other => other.into(),
        })?;
        let state = async {
            let storage: Arc<dyn crate::logical::Storage> = self.barrier.clone();
            let cluster = ClusterInfo::load(storage.as_ref()).await?;
            let tokens = TokenStore::open(storage.clone()).await?;
            let mut tables = Vec::new();
            for table in [Table::Secret, Table::Auth] {
                tables.push(match MountTable::load(storage.as_ref(), table).await? {
                    Some(loaded) => loaded,
                    None => MountTable::defaults(table)?,
                });
            }
            // Built before the state is visible; backends reach the core only per request.
            let router = Router::build(&self.handle(), &tables[0], &tables[1], None)?;
            let audit = crate::audit::Broker::load(storage.clone(), self.barrier.physical().clone()).await?;
            let declared = self.declared_audit.read().unwrap_or_else(|p| p.into_inner()).clone();
            audit.ensure(&declared).await?;
            Ok::<_, Error>(Unsealed {
                router: std::sync::RwLock::new(Arc::new(router)),
                mounts_lock: Default::default(),
                remounts: Default::default(),
                tokens,
                cluster,
                lockout: Default::default(),
                policies: Default::default(),
                audit,
            })
        }
        .await;
        match state {
            Ok(state) => {
                let state = Arc::new(state);
                self.set_unsealed(Some(state.clone()));
                self.sweep_expired_tokens(&state);
                Ok(())
            }
            Err(err) => {
                self.barrier.seal();
                Err(err)
            }
        }
    }

    async fn seal_now(&self) -> Result<(), Error> {
        let mut ceremonies = self.ceremonies.lock().await;
        self.set_unsealed(None);
        self.barrier.seal();
        *ceremonies = Default::default();
        self.publish_progress(&ceremonies);
        tracing::info!("sealed");
        Ok(())
    }

    /// Dev mode: initialise with one share, unseal, mount KV version 2 at `secret/` (as
    /// Vault's dev server does), and return the key and root token.
    pub async fn init_dev(&self, root_token_id: Option<String>) -> Result<InitResult, Error> {
        let init = self
            .init(InitRequest { secret_shares: 1, secret_threshold: 1, ..Default::default() }, root_token_id)
            .await?;
        self.unseal(Some(&init.keys[0]), false).await?;
        self.mount(crate::core::mounts::MountRequest {
            table: Table::Secret,
            path: "secret/".into(),
            kind: "kv".into(),
            description: "key/value secret storage".into(),
            config: Default::default(),
            options: Some([("version".to_string(), "2".to_string())].into()),
            local: false,
            seal_wrap: false,
            external_entropy_access: false,
            plugin_version: String::new(),
        })
        .await?;
        Ok(init)
    }
}
