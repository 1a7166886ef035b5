//! Acceptance: the Vault API core (KV v1/v2, tokens, policies, capabilities, mounts, userpass
//! with lockout, the UI mount preflight and OpenAPI) through hvac against the real binary in
//! dev mode. tests/acceptance/hvac_api.py holds the scenario; every expectation in it was
//! checked against a real OpenBao dev server.

mod common;

use common::process::{run_hvac_scenario, start_dev};

#[test]
fn hvac_drives_the_vault_api_core() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_dev(dir.path());
    run_hvac_scenario("hvac_api.py", &server, dir.path(), "hvac api scenario passed");
}
