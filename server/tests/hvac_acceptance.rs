//! Acceptance: the seal lifecycle through hvac against the real binary, including
//! Vault's unauthenticated rekey and generate-root endpoints, which a listener enables.

mod common;

use std::net::SocketAddr;
use std::process::Command;

use common::process::{ServerProcess, free_port};

#[test]
fn hvac_drives_the_whole_seal_lifecycle() {
    let dir = tempfile::tempdir().unwrap();
    let addr: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    let config = dir.path().join("config.hcl");
    std::fs::write(
        &config,
        format!(
            "storage \"sqlite\" {{ path = \"{}\" }}\nlistener \"tcp\" {{\n  address = \"{addr}\"\n  tls_disable = true\n  \
             disable_unauthed_rekey_endpoints = false\n  disable_unauthed_generate_root_endpoints = false\n}}\n",
            dir.path().join("arcanum.db").display()
        ),
    )
    .unwrap();
    let server = ServerProcess::start(&["--config", config.to_str().unwrap()], addr, &dir.path().join("log"));
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/acceptance/hvac_seal.py");
    let out = Command::new("python3")
        .arg(script)
        .arg(format!("http://{addr}"))
        .output()
        .expect("python3 runs (make setup installs hvac)");
    let output = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{output}\nserver log:\n{}", server.log_text());
    assert!(output.contains("hvac scenario passed"), "{output}");
}
