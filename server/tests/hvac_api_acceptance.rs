//! Acceptance: the Vault API core (KV v1/v2, tokens, policies, capabilities, mounts, userpass
//! with lockout, the UI mount preflight and OpenAPI) through hvac against the real binary in
//! dev mode. tests/acceptance/hvac_api.py holds the scenario; every expectation in it was
//! checked against a real OpenBao dev server.

mod common;

use std::net::SocketAddr;
use std::process::Command;

use common::process::{ServerProcess, free_port};

#[test]
fn hvac_drives_the_vault_api_core() {
    let dir = tempfile::tempdir().unwrap();
    let addr: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    let listen = addr.to_string();
    let server = ServerProcess::start(
        &["--dev", "--dev-root-token-id", "root", "--dev-listen-address", &listen],
        addr,
        &dir.path().join("log"),
    );
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/acceptance/hvac_api.py");
    let out = Command::new("python3")
        .arg(script)
        .arg(format!("http://{addr}"))
        .env("PYTHONWARNINGS", "ignore::DeprecationWarning")
        // hvac falls back to VAULT_TOKEN and ~/.vault-token when a client has no token.
        .env_remove("VAULT_TOKEN")
        .env_remove("VAULT_ADDR")
        .env("HOME", dir.path())
        .output()
        .expect("python3 runs (make setup installs hvac)");
    let output = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{output}\nserver log:\n{}", server.log_text());
    assert!(output.contains("hvac api scenario passed"), "{output}");
}
