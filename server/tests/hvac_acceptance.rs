//! Acceptance: the seal lifecycle through hvac against the real binary, including
//! Vault's unauthenticated rekey and generate-root endpoints, which a listener enables.

mod common;

use std::net::SocketAddr;

use common::process::{ServerProcess, free_port, run_hvac_scenario};

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
    run_hvac_scenario("hvac_seal.py", &server, dir.path(), "hvac scenario passed");
}
