//! The server configuration file, in Vault's HCL style:
//!
//! ```hcl
//! storage "sqlite"     { path = "/var/lib/arcanum/arcanum.db" }
//! # storage "postgresql" { connection_url = "postgres://arcanum@db/arcanum" }
//! listener "tcp" {
//!   address       = "127.0.0.1:8200"
//!   tls_cert_file = "/etc/arcanum/tls.crt"
//!   tls_key_file  = "/etc/arcanum/tls.key"
//! }
//! ui       = true
//! api_addr = "https://arcanum.example.com:8200"
//! ```
//!
//! Every mistake is reported with the block and key it is in; keys Vault knows but
//! Arcanum ignores (`disable_mlock`, `cluster_addr`, ...) produce a warning, unknown keys
//! an error, so a typo never silently changes behaviour.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use hcl::{Block, BlockLabel, Body, Expression, Structure};

#[derive(Clone, Debug, PartialEq)]
pub enum StorageConfig {
    Sqlite { path: PathBuf },
    Postgres { connection_url: String },
}

#[derive(Clone, Debug, PartialEq)]
pub struct ListenerConfig {
    pub address: SocketAddr,
    pub tls_disable: bool,
    pub tls_cert_file: Option<PathBuf>,
    pub tls_key_file: Option<PathBuf>,
    /// OpenBao's switches for Vault's unauthenticated `sys/rekey/*` and
    /// `sys/generate-root/*`; both default to disabled.
    pub disable_unauthed_rekey_endpoints: bool,
    pub disable_unauthed_generate_root_endpoints: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub storage: StorageConfig,
    pub listeners: Vec<ListenerConfig>,
    pub ui: bool,
    pub api_addr: Option<String>,
    /// Vault's `disable_cache`: read every entry from the database.
    pub disable_cache: bool,
    /// OpenBao's declarative `audit "<type>" "<path>" { ... }` blocks: enabled at unseal
    /// when missing.
    pub audit: Vec<AuditDeclaration>,
    /// Accepted for compatibility, ignored; reported once at start-up.
    pub warnings: Vec<String>,
}

/// An audit device the config declares.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AuditDeclaration {
    pub kind: String,
    pub path: String,
    pub description: String,
    pub local: bool,
    /// Values as strings, as the API takes them.
    pub options: std::collections::BTreeMap<String, String>,
}

/// Top-level keys of Vault's config that Arcanum accepts and ignores.
const IGNORED_TOP_LEVEL: &[&str] = &[
    "disable_mlock",
    "cluster_addr",
    "cluster_name",
    "log_level",
    "log_format",
    "pid_file",
    "default_lease_ttl",
    "max_lease_ttl",
    "plugin_directory",
    "telemetry",
    // Arcanum lets sudo tokens enable audit devices through the API, as Vault does.
    "unsafe_allow_api_audit_creation",
];

pub type ConfigResult<T> = Result<T, String>;

impl Config {
    pub fn load(path: &Path) -> ConfigResult<Config> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Config::parse(&text)
    }

    pub fn parse(text: &str) -> ConfigResult<Config> {
        let body: Body = hcl::parse(text).map_err(|e| format!("syntax error: {e}"))?;
        let mut storage = None;
        let mut listeners = Vec::new();
        let mut ui = false;
        let mut api_addr = None;
        let mut audit = Vec::new();
        let mut disable_cache = false;
        let mut warnings = Vec::new();

        for structure in body.into_iter() {
            match structure {
                Structure::Attribute(attr) => match attr.key.as_str() {
                    "ui" => ui = boolean("ui", &attr.expr)?,
                    "api_addr" => api_addr = Some(string("api_addr", &attr.expr)?),
                    "disable_cache" => disable_cache = boolean("disable_cache", &attr.expr)?,
                    key if IGNORED_TOP_LEVEL.contains(&key) => warnings.push(ignored(key)),
                    key => return Err(format!("unknown key {key:?} at the top level")),
                },
                Structure::Block(block) => match block.identifier.as_str() {
                    "storage" => {
                        if storage.is_some() {
                            return Err("only one storage block is allowed".into());
                        }
                        storage = Some(storage_block(&block)?);
                    }
                    "listener" => listeners.push(listener_block(&block)?),
                    "audit" => audit.push(audit_block(&block)?),
                    key if IGNORED_TOP_LEVEL.contains(&key) => warnings.push(ignored(key)),
                    "seal" => {
                        return Err(
                            "seal blocks (auto-unseal) are not supported yet; remove it to use Shamir keys".into()
                        );
                    }
                    other => return Err(format!("unknown block {other:?}")),
                },
            }
        }
        let storage =
            storage.ok_or("a storage block is required, e.g. storage \"sqlite\" { path = \"arcanum.db\" }")?;
        if listeners.is_empty() {
            return Err(
                "at least one listener block is required, e.g. listener \"tcp\" { address = \"127.0.0.1:8200\" }"
                    .into(),
            );
        }
        Ok(Config { storage, listeners, ui, api_addr, disable_cache, audit, warnings })
    }
}

fn ignored(key: &str) -> String {
    format!("{key:?} is accepted for compatibility with Vault and has no effect")
}

fn label(block: &Block) -> ConfigResult<String> {
    match block.labels.as_slice() {
        [BlockLabel::String(s)] => Ok(s.clone()),
        [BlockLabel::Identifier(id)] => Ok(id.to_string()),
        _ => Err(format!(
            "a {} block needs exactly one type label, e.g. {} \"tcp\" {{ ... }}",
            block.identifier, block.identifier
        )),
    }
}

fn storage_block(block: &Block) -> ConfigResult<StorageConfig> {
    let kind = label(block)?;
    let mut path = None;
    let mut url = None;
    let attrs = attributes(block)?;
    match kind.as_str() {
        "sqlite" => {
            for (key, expr) in attrs {
                match key.as_str() {
                    "path" => path = Some(PathBuf::from(string("storage.sqlite.path", expr)?)),
                    other => return Err(format!("unknown key {other:?} in storage \"sqlite\"")),
                }
            }
            let path = path.ok_or("storage \"sqlite\" needs path = \"<database file>\"")?;
            Ok(StorageConfig::Sqlite { path })
        }
        "postgresql" => {
            for (key, expr) in attrs {
                match key.as_str() {
                    "connection_url" => url = Some(string("storage.postgresql.connection_url", expr)?),
                    "max_parallel" | "max_idle_connections" | "ha_enabled" | "table" | "ha_table" => {
                        return Err(format!("{key:?} in storage \"postgresql\" is not supported"));
                    }
                    other => return Err(format!("unknown key {other:?} in storage \"postgresql\"")),
                }
            }
            let connection_url = url.ok_or("storage \"postgresql\" needs connection_url = \"postgres://...\"")?;
            if !(connection_url.starts_with("postgres://") || connection_url.starts_with("postgresql://")) {
                return Err("storage \"postgresql\" connection_url must start with postgres:// or postgresql://".into());
            }
            Ok(StorageConfig::Postgres { connection_url })
        }
        other => Err(format!("storage type {other:?} is not supported; use \"sqlite\" or \"postgresql\"")),
    }
}

fn listener_block(block: &Block) -> ConfigResult<ListenerConfig> {
    let kind = label(block)?;
    if kind != "tcp" {
        return Err(format!("listener type {kind:?} is not supported; use \"tcp\""));
    }
    let mut address = "127.0.0.1:8200".to_string();
    let mut tls_disable = false;
    let mut cert = None;
    let mut key_file = None;
    let mut no_unauthed_rekey = true;
    let mut no_unauthed_generate_root = true;
    for (key, expr) in attributes(block)? {
        match key.as_str() {
            "address" => address = string("listener.tcp.address", expr)?,
            "tls_disable" => tls_disable = boolean("listener.tcp.tls_disable", expr)?,
            "tls_cert_file" => cert = Some(PathBuf::from(string("listener.tcp.tls_cert_file", expr)?)),
            "tls_key_file" => key_file = Some(PathBuf::from(string("listener.tcp.tls_key_file", expr)?)),
            "disable_unauthed_rekey_endpoints" => {
                no_unauthed_rekey = boolean("listener.tcp.disable_unauthed_rekey_endpoints", expr)?
            }
            "disable_unauthed_generate_root_endpoints" => {
                no_unauthed_generate_root = boolean("listener.tcp.disable_unauthed_generate_root_endpoints", expr)?
            }
            other => return Err(format!("unknown key {other:?} in listener \"tcp\"")),
        }
    }
    let address: SocketAddr = address.parse().map_err(|_| {
        format!("listener \"tcp\" address {address:?} is not an IP address and port, e.g. 127.0.0.1:8200")
    })?;
    if !tls_disable && (cert.is_none() || key_file.is_none()) {
        return Err(format!(
            "listener \"tcp\" on {address} needs tls_cert_file and tls_key_file, or tls_disable = true"
        ));
    }
    Ok(ListenerConfig {
        address,
        tls_disable,
        tls_cert_file: cert,
        tls_key_file: key_file,
        disable_unauthed_rekey_endpoints: no_unauthed_rekey,
        disable_unauthed_generate_root_endpoints: no_unauthed_generate_root,
    })
}

/// `audit "file" "to-file" { description = "..." options { file_path = "..." } }`.
fn audit_block(block: &Block) -> ConfigResult<AuditDeclaration> {
    let labels: Vec<String> = block
        .labels
        .iter()
        .map(|l| match l {
            BlockLabel::String(s) => s.clone(),
            BlockLabel::Identifier(id) => id.to_string(),
        })
        .collect();
    let [kind, path] = labels.as_slice() else {
        return Err("an audit block needs a type and a path, e.g. audit \"file\" \"to-file\" { ... }".into());
    };
    let mut declared = AuditDeclaration { kind: kind.clone(), path: path.clone(), ..Default::default() };
    let name = format!("audit \"{kind}\" \"{path}\"");
    for structure in block.body.iter() {
        match structure {
            Structure::Attribute(attr) => match attr.key.as_str() {
                "description" => declared.description = string(&format!("{name} description"), &attr.expr)?,
                "local" => declared.local = boolean(&format!("{name} local"), &attr.expr)?,
                "options" => declared.options = option_values(&name, &attr.expr)?,
                other => return Err(format!("unknown key {other:?} in {name}")),
            },
            Structure::Block(inner) if inner.identifier.as_str() == "options" => {
                for (key, expr) in attributes(inner)? {
                    declared.options.insert(key.clone(), scalar(&format!("{name} option {key}"), expr)?);
                }
            }
            Structure::Block(inner) => {
                return Err(format!("unexpected block {:?} inside {name}", inner.identifier.as_str()));
            }
        }
    }
    Ok(declared)
}

/// `options = { k = "v" }`, the attribute form of the options block.
fn option_values(name: &str, expr: &Expression) -> ConfigResult<std::collections::BTreeMap<String, String>> {
    let Expression::Object(map) = expr else { return Err(format!("{name} options must be a map")) };
    map.iter()
        .map(|(key, value)| {
            let key = match key {
                hcl::ObjectKey::Identifier(id) => id.to_string(),
                hcl::ObjectKey::Expression(Expression::String(s)) => s.clone(),
                _ => return Err(format!("{name} options must have plain keys")),
            };
            let value = scalar(&format!("{name} option {key}"), value)?;
            Ok((key, value))
        })
        .collect()
}

/// A string, number or boolean, as the string the API would receive.
fn scalar(name: &str, expr: &Expression) -> ConfigResult<String> {
    match expr {
        Expression::String(s) => Ok(s.clone()),
        Expression::Number(n) => Ok(n.to_string()),
        Expression::Bool(b) => Ok(b.to_string()),
        _ => Err(format!("{name} must be a string, number or boolean")),
    }
}

fn attributes(block: &Block) -> ConfigResult<Vec<(String, &Expression)>> {
    let mut out = Vec::new();
    for structure in block.body.iter() {
        match structure {
            Structure::Attribute(attr) => out.push((attr.key.to_string(), &attr.expr)),
            Structure::Block(inner) => {
                return Err(format!("unexpected block {:?} inside {}", inner.identifier.as_str(), block.identifier));
            }
        }
    }
    Ok(out)
}

fn string(name: &str, expr: &Expression) -> ConfigResult<String> {
    match expr {
        Expression::String(s) => Ok(s.clone()),
        _ => Err(format!("{name} must be a quoted string")),
    }
}

/// Vault accepts `true`, `"true"` and `1` alike.
fn boolean(name: &str, expr: &Expression) -> ConfigResult<bool> {
    match expr {
        Expression::Bool(b) => Ok(*b),
        Expression::String(s) if matches!(s.as_str(), "true" | "1") => Ok(true),
        Expression::String(s) if matches!(s.as_str(), "false" | "0") => Ok(false),
        Expression::Number(n) if n.as_u64() == Some(1) => Ok(true),
        Expression::Number(n) if n.as_u64() == Some(0) => Ok(false),
        _ => Err(format!("{name} must be true or false")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audit_blocks_as_openbao_writes_them() {
        let config = Config::parse(
            r#"
            storage "sqlite" { path = "/tmp/a.db" }
            listener "tcp" { tls_disable = true }
            unsafe_allow_api_audit_creation = true
            audit "file" "to-file" {
              description = "everything"
              options {
                file_path = "/var/log/arcanum/audit.log"
                rotate_max_files = 3
                log_raw = false
              }
            }
            audit "socket" "siem" { options = { address = "10.0.0.1:9090", socket_type = "tcp" } }
            "#,
        )
        .unwrap();
        assert_eq!(config.audit.len(), 2);
        let file = &config.audit[0];
        assert_eq!(
            (file.kind.as_str(), file.path.as_str(), file.description.as_str()),
            ("file", "to-file", "everything")
        );
        assert_eq!(file.options["file_path"], "/var/log/arcanum/audit.log");
        assert_eq!(file.options["rotate_max_files"], "3");
        assert_eq!(file.options["log_raw"], "false");
        assert_eq!(config.audit[1].options["address"], "10.0.0.1:9090");

        let base = "storage \"sqlite\" { path = \"a.db\" }\nlistener \"tcp\" { tls_disable = true }\n";
        for (block, expected) in [
            (r#"audit "file" { }"#, "needs a type and a path"),
            (r#"audit "file" "f" { colour = "red" }"#, "unknown key \"colour\" in audit \"file\" \"f\""),
            ("audit \"file\" \"f\" {\n options {\n file_path = [\"a\"]\n }\n}", "option file_path must be a string"),
        ] {
            let err = Config::parse(&format!("{base}{block}")).unwrap_err();
            assert!(err.contains(expected), "{block}: {err}");
        }
    }

    #[test]
    fn parses_a_vault_style_config() {
        let config = Config::parse(
            r#"
            storage "sqlite" { path = "/tmp/a.db" }
            listener "tcp" {
              address = "127.0.0.1:8200"
              tls_disable = "true"
            }
            listener "tcp" {
              address = "0.0.0.0:8201"
              tls_cert_file = "c.pem"
              tls_key_file = "k.pem"
            }
            ui = true
            api_addr = "http://127.0.0.1:8200"
            disable_mlock = true
            "#,
        )
        .unwrap();
        assert_eq!(config.storage, StorageConfig::Sqlite { path: "/tmp/a.db".into() });
        assert_eq!(config.listeners.len(), 2);
        assert!(config.listeners[0].tls_disable);
        assert_eq!(config.listeners[1].tls_cert_file.as_deref(), Some(Path::new("c.pem")));
        assert!(config.listeners[0].disable_unauthed_rekey_endpoints, "off unless asked for");
        assert!(config.ui);
        assert_eq!(config.warnings.len(), 1);
    }

    #[test]
    fn trailing_spaces_and_comments_are_fine() {
        let config = Config::parse(
            "# comment\nstorage \"sqlite\" {   \n  path = \"x\"   # trailing\n}  \nlistener \"tcp\" {\n  tls_disable = true  \n}\n",
        )
        .unwrap();
        assert!(config.listeners[0].tls_disable);
    }

    #[test]
    fn postgres_storage() {
        let config = Config::parse(
            "storage \"postgresql\" { connection_url = \"postgres://u@h/db\" }\nlistener \"tcp\" { tls_disable = 1 }",
        )
        .unwrap();
        assert_eq!(config.storage, StorageConfig::Postgres { connection_url: "postgres://u@h/db".into() });
        assert_eq!(config.listeners[0].address.to_string(), "127.0.0.1:8200");
    }

    #[test]
    fn errors_name_the_problem() {
        let cases = [
            ("storage \"sqlite\" { path = \"x\" ", "syntax error"),
            ("listener \"tcp\" { tls_disable = true }", "storage block is required"),
            ("storage \"sqlite\" { path = \"x\" }", "listener block is required"),
            ("storage \"file\" { path = \"x\" }\nlistener \"tcp\" {}", "\"file\" is not supported"),
            ("storage \"sqlite\" { pth = \"x\" }\nlistener \"tcp\" {}", "unknown key \"pth\""),
            ("storage \"sqlite\" {}\nlistener \"tcp\" {}", "needs path"),
            ("storage \"sqlite\" { path = \"x\" }\nlistener \"tcp\" {}", "tls_cert_file"),
            (
                "storage \"sqlite\" { path = \"x\" }\nlistener \"tcp\" {\n address = \"nope\" \n tls_disable = true\n}",
                "not an IP address",
            ),
            ("storage \"sqlite\" { path = 5 }\nlistener \"tcp\" { tls_disable = true }", "must be a quoted string"),
            ("storage \"sqlite\" { path = \"x\" }\nlistener \"tcp\" { tls_disable = \"maybe\" }", "true or false"),
            (
                "uii = true\nstorage \"sqlite\" { path = \"x\" }\nlistener \"tcp\" { tls_disable = true }",
                "unknown key \"uii\"",
            ),
            (
                "storage \"postgresql\" { connection_url = \"mysql://x\" }\nlistener \"tcp\" { tls_disable = true }",
                "must start with postgres://",
            ),
        ];
        for (text, expected) in cases {
            let err = Config::parse(text).unwrap_err();
            assert!(err.contains(expected), "{text:?}: got {err:?}, wanted {expected:?}");
        }
    }
}
