//! Audit devices: every request recorded, hashed, fail-closed, spilled and delivered.

use std::path::Path;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::common::Api;
use super::{as_token, child_token, denied, ok, unsealed, write_policy};

/// Every JSON entry in an audit file.
fn entries(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}")))
        .collect()
}

async fn enable_file(api: &Api, name: &str, path: &Path, extra: Value) {
    let mut options = json!({ "file_path": path.to_str().unwrap() });
    options.as_object_mut().unwrap().extend(extra.as_object().cloned().unwrap_or_default());
    let r = api.put(&format!("/v1/sys/audit/{name}"), json!({ "type": "file", "options": options })).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
}

/// Point `link` at `target` (a file the device opens on its next reopen).
fn relink(link: &Path, target: &Path) {
    let _ = std::fs::remove_file(link);
    std::os::unix::fs::symlink(target, link).unwrap();
}

#[tokio::test]
async fn a_file_device_records_each_request_and_its_response_with_values_hashed() {
    let api = unsealed().await;
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("audit.log");
    enable_file(&api, "file", &log, json!({})).await;

    ok(api.put("/v1/secret/data/app", json!({"data": {"password": "hunter2", "port": 5432}})).await);
    ok(api.get("/v1/secret/data/app").await);
    let garbage = as_token(&api, "not-a-token");
    denied(&garbage.get("/v1/secret/data/app").await);

    let all = entries(&log);
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(!text.contains("hunter2"), "a secret value reached the audit log");
    assert!(!text.contains(api.token.as_deref().unwrap()), "the root token reached the audit log");
    assert!(!text.contains("not-a-token"), "a presented token reached the audit log");

    // The write: a request entry, then a response entry with the same id.
    let write: Vec<&Value> = all.iter().filter(|e| e["request"]["path"] == "secret/data/app").collect();
    assert_eq!(write[0]["type"], "request");
    assert_eq!(write[0]["request"]["operation"], "create");
    assert_eq!(write[1]["type"], "response");
    assert_eq!(write[0]["request"]["id"], write[1]["request"]["id"]);
    assert_eq!(write[0]["auth"]["display_name"], "root");
    assert_eq!(write[0]["auth"]["policies"], json!(["root"]));
    assert_eq!(write[0]["request"]["mount_type"], "kv");
    assert_eq!(write[0]["request"]["mount_point"], "secret/");
    assert_eq!(write[0]["request"]["data"]["data"]["port"], 5432, "numbers stay as they are");

    // sys/audit-hash finds the secret without anyone writing it down.
    let hash = ok(api.put("/v1/sys/audit-hash/file", json!({"input": "hunter2"})).await)["data"]["hash"].clone();
    assert!(hash.as_str().unwrap().starts_with("hmac-sha256:"));
    assert_eq!(write[0]["request"]["data"]["data"]["password"], hash);
    let read = write.iter().find(|e| e["type"] == "response" && e["request"]["operation"] == "read").unwrap();
    assert_eq!(read["response"]["data"]["data"]["password"], hash);

    // The refused request is recorded with its error.
    let refused: Vec<&&Value> = write.iter().filter(|e| e["error"] == "permission denied").collect();
    assert!(!refused.is_empty(), "the denied read is in the log");
    assert!(refused[0]["auth"]["client_token"].as_str().unwrap().starts_with("hmac-sha256:"));

    let listed = ok(api.get("/v1/sys/audit").await);
    assert_eq!(listed["data"]["file/"]["type"], "file");
    assert_eq!(listed["data"]["file/"]["options"]["file_path"], log.to_str().unwrap());
    assert_eq!(listed["data"]["file/"]["backlog"], 0);
}

#[tokio::test]
async fn with_only_a_failing_device_a_write_is_refused_and_not_stored() {
    let api = unsealed().await;
    let dir = tempfile::tempdir().unwrap();
    let (link, real) = (dir.path().join("audit.log"), dir.path().join("real.log"));
    relink(&link, &real);
    enable_file(&api, "file", &link, json!({})).await;
    ok(api.put("/v1/secret/data/before", json!({"data": {"a": "1"}})).await);

    // The disk fills: the device now writes to /dev/full (ENOSPC).
    relink(&link, Path::new("/dev/full"));
    api.core.reopen_audit_devices().await;
    let r = api.put("/v1/secret/data/refused", json!({"data": {"b": "2"}})).await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{:?}", r.body);
    assert!(r.error().contains("could not be recorded by any audit device"), "{:?}", r.body);
    let r = api.get("/v1/secret/data/before").await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "reads are refused too: {:?}", r.body);

    // Space again: nothing of the refused write was stored.
    relink(&link, &real);
    api.core.reopen_audit_devices().await;
    assert_eq!(api.get("/v1/secret/data/refused").await.status, StatusCode::NOT_FOUND);
    ok(api.get("/v1/secret/data/before").await);
    // Refused requests leave nothing to deliver later: the outage did not fill storage.
    assert_eq!(ok(api.get("/v1/sys/audit").await)["data"]["file/"]["backlog"], 0);
}

async fn backlog(api: &Api) -> u64 {
    ok(api.get("/v1/sys/audit").await)["data"]["broken/"]["backlog"].as_u64().unwrap()
}

#[tokio::test]
async fn beside_a_working_device_a_failing_one_is_spilled_and_catches_up_when_it_recovers() {
    let api = unsealed().await;
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.log");
    let (link, real) = (dir.path().join("broken.log"), dir.path().join("broken-real.log"));
    relink(&link, &real);
    enable_file(&api, "good", &good, json!({})).await;
    enable_file(&api, "broken", &link, json!({})).await;

    relink(&link, Path::new("/dev/full"));
    api.core.reopen_audit_devices().await;
    let mut ids = Vec::new();
    for n in 0..5 {
        let body = ok(api.put(&format!("/v1/secret/data/during-{n}"), json!({"data": {"n": "x"}})).await);
        ids.push(body["request_id"].as_str().unwrap().to_string());
    }
    let waiting = backlog(&api).await;
    assert!(waiting >= 10, "request and response entries of 5 writes wait: {waiting}");
    let health = api.get("/v1/sys/health").await.body;
    assert!(health["audit_backlog"].as_u64().unwrap() >= 10, "{health}");
    let metrics = api.get("/v1/sys/metrics?format=prometheus").await;
    assert!(metrics.headers["content-type"].to_str().unwrap().starts_with("text/plain"));
    let text = metrics.body.as_str().unwrap().to_string();
    let line = text.lines().find(|l| l.starts_with("arcanum_audit_backlog{device=\"broken/\"}")).expect(&text);
    assert!(line.rsplit(' ').next().unwrap().parse::<u64>().unwrap() >= 10, "{text}");
    assert!(text.contains("arcanum_audit_write_failures_total{device=\"broken/\"}"), "{text}");
    let gauges = ok(api.get("/v1/sys/metrics").await)["Gauges"].clone();
    assert!(gauges.as_array().unwrap().iter().any(|g| g["Labels"]["device"] == "good/" && g["Value"] == 0), "{gauges}");
    assert_eq!(api.get("/v1/sys/metrics?format=xml").await.status, StatusCode::BAD_REQUEST);
    // The working device has everything already.
    let good_ids: Vec<Value> = entries(&good).iter().map(|e| e["request"]["id"].clone()).collect();
    assert!(ids.iter().all(|id| good_ids.contains(&json!(id))));

    relink(&link, &real);
    api.core.reopen_audit_devices().await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while backlog(&api).await > 0 {
        assert!(Instant::now() < deadline, "the spill queue did not drain");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let delivered = entries(&real);
    for id in &ids {
        let of_request: Vec<&Value> = delivered.iter().filter(|e| e["request"]["id"] == json!(id)).collect();
        assert_eq!(of_request.len(), 2, "request and response entry of {id} delivered once each");
    }
}

#[tokio::test]
async fn device_options_change_what_entries_show() {
    let api = unsealed().await;
    let dir = tempfile::tempdir().unwrap();
    let raw = dir.path().join("raw.log");
    let plain = dir.path().join("plain.log");
    enable_file(&api, "raw", &raw, json!({"log_raw": "true", "prefix": "AUDIT:"})).await;
    enable_file(&api, "plain", &plain, json!({"hmac_accessor": "false", "elide_list_responses": "true"})).await;
    ok(api.put("/v1/secret/data/a", json!({"data": {"k": "clear-value"}})).await);
    ok(api.call("LIST", "/v1/secret/metadata/", None).await);

    let raw_text = std::fs::read_to_string(&raw).unwrap();
    assert!(raw_text.lines().all(|l| l.starts_with("AUDIT:{")));
    assert!(raw_text.contains("clear-value"), "log_raw keeps values");

    let plain_entries = entries(&plain);
    let accessor = ok(api.get("/v1/auth/token/lookup-self").await)["data"]["accessor"].clone();
    assert!(plain_entries.iter().any(|e| e["auth"]["accessor"] == accessor), "hmac_accessor=false keeps the accessor");
    let list = plain_entries
        .iter()
        .find(|e| e["type"] == "response" && e["request"]["operation"] == "list")
        .expect("the list is recorded");
    assert_eq!(list["response"]["data"]["keys"], 1, "elide_list_responses counts keys");
}

#[tokio::test]
async fn bad_devices_and_requests_get_clear_errors() {
    let api = unsealed().await;
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (json!({"options": {"file_path": "/tmp/x"}}), "type is required"),
        (json!({"type": "carrier-pigeon"}), "unknown backend type: \"carrier-pigeon\""),
        (json!({"type": "file"}), "file_path"),
        (json!({"type": "file", "options": {"file_path": "/nonexistent/dir/a.log"}}), "/nonexistent/dir/a.log"),
        (json!({"type": "file", "options": {"file_path": "discard", "log_raw": "maybe"}}), "log_raw"),
        (json!({"type": "file", "options": {"file_path": "discard", "format": "xml"}}), "xml"),
        (json!({"type": "socket", "options": {"address": "no-such-host.invalid:1"}}), "no-such-host"),
    ];
    for (body, expected) in cases {
        let r = api.put("/v1/sys/audit/bad", body.clone()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}: {:?}", r.body);
        assert!(r.error().contains(expected), "{body}: {:?}", r.body);
    }
    assert_eq!(ok(api.get("/v1/sys/audit").await)["data"], json!({}), "nothing was enabled");

    enable_file(&api, "one", &dir.path().join("one.log"), json!({})).await;
    let r = api.put("/v1/sys/audit/one", json!({"type": "file", "options": {"file_path": "discard"}})).await;
    assert!(r.error().contains("already in use"), "{:?}", r.body);
    let r = api.put("/v1/sys/audit-hash/nope", json!({"input": "x"})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.error().contains("nope"), "{:?}", r.body);

    // Enabling and listing devices needs sudo.
    write_policy(&api, "reader", r#"path "sys/audit*" { capabilities = ["read", "update", "delete"] }"#).await;
    let (token, _) = child_token(&api, json!({"policies": ["reader"]})).await;
    denied(&as_token(&api, &token).get("/v1/sys/audit").await);

    let r = api.call("DELETE", "/v1/sys/audit/one", None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(ok(api.get("/v1/sys/audit").await)["data"], json!({}));
}

#[tokio::test]
async fn devices_survive_sealing_and_keep_their_salt() {
    let (api, keys) = Api::unsealed().await;
    let dir = tempfile::tempdir().unwrap();
    enable_file(&api, "file", &dir.path().join("a.log"), json!({})).await;
    let before = ok(api.put("/v1/sys/audit-hash/file", json!({"input": "x"})).await)["data"]["hash"].clone();
    api.core.seal().await.unwrap();
    ok(api.unseal_with(&keys[..2]).await);
    let after = ok(api.put("/v1/sys/audit-hash/file", json!({"input": "x"})).await)["data"]["hash"].clone();
    assert_eq!(before, after);
}

#[tokio::test]
async fn a_database_device_records_and_serves_while_a_file_device_on_a_full_disk_fails() {
    let api = unsealed().await;
    let r = api.put("/v1/sys/audit/db", json!({"type": "database", "options": {"retention_rows": "100000"}})).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    let r = api.put("/v1/sys/audit/db2", json!({"type": "database"})).await;
    assert!(r.error().contains("already enabled at db/"), "one database device: {:?}", r.body);
    enable_file(&api, "full", Path::new("/dev/full"), json!({})).await;

    let written = ok(api.put("/v1/secret/data/served", json!({"data": {"k": "v"}})).await);
    let id = written["request_id"].as_str().unwrap();
    ok(api.get("/v1/secret/data/served").await);

    let found = ok(api.get("/v1/sys/audit-log/search?path_prefix=secret/data/served&entry_type=request").await);
    let records = found["data"]["records"].as_array().unwrap();
    assert!(records.iter().any(|r| r["request_id"] == id && r["operation"] == "create" && r["display_name"] == "root"));
    let listed = ok(api.get("/v1/sys/audit").await);
    assert!(listed["data"]["full/"]["backlog"].as_u64().unwrap() >= 2, "the full device's entries wait: {listed}");
    assert_eq!(listed["data"]["db/"]["backlog"], 0);

    // Bad filters are named, not run.
    let r = api.get("/v1/sys/audit-log/search?since=yesterday").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.error().contains("since"), "{:?}", r.body);
    let r = api.get("/v1/sys/audit-log/export?format=xml").await;
    assert!(r.error().contains("format"), "{:?}", r.body);
}

#[tokio::test]
async fn without_a_database_device_the_query_api_says_how_to_get_one() {
    let api = unsealed().await;
    let r = api.get("/v1/sys/audit-log/search").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.error().contains("bao audit enable database"), "{:?}", r.body);
}

#[tokio::test]
async fn the_advisor_flags_rules_nobody_used_and_requests_the_policy_saw_denied() {
    let api = unsealed().await;
    ok(api.put("/v1/sys/audit/db", json!({"type": "database"})).await);
    let policy = r#"
path "secret/data/app/*" {
  capabilities = ["read", "update"]
}
path "secret/data/legacy/*" {
  capabilities = ["read"]
}
"#;
    write_policy(&api, "app", policy).await;
    ok(api.put("/v1/secret/data/app/db", json!({"data": {"k": "v"}})).await);
    let (token, _) = child_token(&api, json!({"policies": ["app"]})).await;
    let app = as_token(&api, &token);
    ok(app.get("/v1/secret/data/app/db").await);
    ok(app.get("/v1/secret/data/app/db").await);
    denied(&app.get("/v1/secret/data/other").await);

    let advice = ok(api.get("/v1/sys/audit-log/policy-advice?policy=app&days=7").await)["data"].clone();
    let rules = advice["rules"].as_array().unwrap();
    assert_eq!(rules[0]["pattern"], "secret/data/app/*");
    assert_eq!(rules[0]["requests"], 2, "{advice}");
    assert_eq!(rules[0]["unused_capabilities"], json!(["update"]));
    assert_eq!(rules[1]["pattern"], "secret/data/legacy/*");
    assert_eq!(rules[1]["requests"], 0);
    assert_eq!(
        advice["denied"],
        json!([{"path": "secret/data/other", "operation": "read", "count": 1,
        "last": advice["denied"][0]["last"]}])
    );

    let r = api.get("/v1/sys/audit-log/policy-advice?policy=nope").await;
    assert!(r.error().contains("no policy named"), "{:?}", r.body);
    let r = api.get("/v1/sys/audit-log/policy-advice?policy=app&days=0").await;
    assert!(r.error().contains("days"), "{:?}", r.body);
    denied(&app.get("/v1/sys/audit-log/policy-advice?policy=app").await);
}

/// The `auditor` policy the docs hand out: the trail, its reports, the advisor and the
/// token list, and not one secret, write or revocation.
#[tokio::test]
async fn the_documented_auditor_policy_reads_the_record_and_no_secret() {
    let api = unsealed().await;
    ok(api.put("/v1/sys/audit/db", json!({"type": "database"})).await);
    write_policy(&api, "auditor", include_str!("../../../docs/policies/auditor.hcl")).await;
    ok(api.put("/v1/secret/data/payroll", json!({"data": {"iban": "DE00"}})).await);
    let (token, accessor) = child_token(&api, json!({"policies": ["auditor"], "ttl": "1h"})).await;
    let auditor = as_token(&api, &token);

    ok(auditor.get("/v1/sys/audit-log/search?path_prefix=secret/").await);
    ok(auditor.get("/v1/sys/audit-log/who-accessed?path=secret/data/payroll").await);
    ok(auditor.get("/v1/sys/audit-log/policy-advice?policy=auditor").await);
    ok(auditor.get("/v1/sys/audit").await);
    ok(auditor.call("LIST", "/v1/auth/token/accessors", None).await);
    ok(auditor.put("/v1/auth/token/lookup-accessor", json!({"accessor": accessor})).await);
    ok(auditor.get("/v1/sys/policies/acl/auditor").await);
    let leases = ok(auditor.call("LIST", "/v1/sys/leases/lookup/auth/token/create/", None).await);
    let lease_id = format!("auth/token/create/{}", leases["data"]["keys"][0].as_str().unwrap());
    ok(auditor.put("/v1/sys/leases/lookup", json!({"lease_id": lease_id})).await);

    denied(&auditor.get("/v1/secret/data/payroll").await);
    denied(&auditor.put("/v1/secret/data/payroll", json!({"data": {"iban": "x"}})).await);
    denied(&auditor.put("/v1/auth/token/revoke-accessor", json!({"accessor": accessor})).await);
    denied(
        &auditor
            .put("/v1/sys/policies/acl/auditor", json!({"policy": "path \"*\" {\n capabilities = [\"sudo\"]\n}\n"}))
            .await,
    );
    denied(&auditor.call("DELETE", "/v1/sys/audit/db", None).await);
    denied(&auditor.put("/v1/sys/leases/revoke", json!({"lease_id": lease_id})).await);
    denied(&auditor.put("/v1/sys/leases/revoke-prefix/auth/token", json!({})).await);
}
