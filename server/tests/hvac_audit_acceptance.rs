//! Acceptance: the audit trail through hvac. People read and write secrets; the query API
//! (`sys/audit-log`) finds each access under the right identity, and no secret in clear.
//! Against the real binary in dev mode; tests/acceptance/hvac_audit.py holds the scenario.

mod common;

use common::process::{run_hvac_scenario, start_dev};

#[test]
fn hvac_users_accesses_are_all_found_by_the_audit_query_api() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_dev(dir.path());
    run_hvac_scenario("hvac_audit.py", &server, dir.path(), "hvac audit scenario passed");
}
