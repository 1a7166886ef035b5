//! Acceptance for audit devices the way operators use them: the real `bao` CLI against
//! the real binary, and logrotate's way of moving a file away (rename, then SIGHUP).

mod common;

use std::time::{Duration, Instant};

use common::cli::Dev;
use serde_json::Value;

fn entries(path: &std::path::Path) -> Vec<Value> {
    std::fs::read_to_string(path).unwrap_or_default().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn bao_enables_lists_and_disables_a_file_device_that_follows_logrotate() {
    let dev = Dev::start();
    let bao = dev.root();
    let log = dev.dir.path().join("audit.log");
    let file_path = format!("file_path={}", log.display());

    let out = bao.ok(&["audit", "enable", "file", &file_path]);
    assert!(out.contains("Success! Enabled the file audit device at: file/"), "{out}");
    let out = bao.fails(&["audit", "enable", "file", &file_path], 2);
    assert!(out.contains("path already in use"), "{out}");
    let out = bao.fails(&["audit", "enable", "nope"], 2);
    assert!(out.contains(r#"unknown backend type: "nope""#), "{out}");
    let listed = bao.json(&["audit", "list", "-format=json"]);
    assert_eq!(listed["file/"]["type"], "file", "{listed}");
    assert_eq!(listed["file/"]["options"]["file_path"], log.display().to_string());

    bao.ok(&["kv", "put", "secret/app", "password=hunter2"]);
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(!text.contains("hunter2"), "a secret value reached the audit log");
    let hash = bao.json(&["write", "-format=json", "sys/audit-hash/file", "input=hunter2"])["data"]["hash"].clone();
    let put = entries(&log)
        .into_iter()
        .find(|e| e["type"] == "request" && e["request"]["path"] == "secret/data/app")
        .expect("the put is recorded");
    assert_eq!(put["request"]["data"]["data"]["password"], hash);

    // logrotate: move the file away, then SIGHUP; new entries go to a new file.
    let rotated = dev.dir.path().join("audit.log.1");
    std::fs::rename(&log, &rotated).unwrap();
    dev.server.signal("HUP");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !log.exists() {
        assert!(Instant::now() < deadline, "SIGHUP did not reopen the audit file:\n{}", dev.server.log_text());
        std::thread::sleep(Duration::from_millis(50));
    }
    bao.ok(&["kv", "get", "secret/app"]);
    let fresh = entries(&log);
    assert!(fresh.iter().any(|e| e["request"]["path"] == "secret/data/app" && e["request"]["operation"] == "read"));
    assert!(
        entries(&rotated)
            .iter()
            .all(|e| e["request"]["operation"] != "read" || e["request"]["path"] != "secret/data/app")
    );

    let out = bao.ok(&["audit", "disable", "file"]);
    assert!(out.contains("Success! Disabled audit device (if it was enabled) at: file/"), "{out}");
    assert_eq!(bao.json(&["audit", "list", "-format=json"]), serde_json::json!({}));
}

/// OpenBao 2's declarative `audit` block: a config file written for OpenBao starts as is,
/// and its device records from the first unseal on; a path that cannot be opened keeps
/// the server sealed with the reason, instead of running requests unaudited.
#[test]
fn a_device_declared_in_the_config_is_enabled_at_unseal() {
    use common::process::{ServerProcess, bao, bao_json, free_port, text};

    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("audit.log");
    let addr: std::net::SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    let config = |file_path: &str| {
        format!(
            "storage \"sqlite\" {{ path = \"{}\" }}\nlistener \"tcp\" {{\n  address = \"{addr}\"\n  tls_disable = true\n}}\n\
             unsafe_allow_api_audit_creation = true\naudit \"file\" \"to-file\" {{\n  options {{\n    file_path = \"{file_path}\"\n  }}\n}}\n",
            dir.path().join("arcanum.db").display()
        )
    };
    let config_path = dir.path().join("config.hcl");
    std::fs::write(&config_path, config(&log.display().to_string())).unwrap();
    let url = format!("http://{addr}");
    let server = ServerProcess::start(&["--config", config_path.to_str().unwrap()], addr, &dir.path().join("log"));
    let init = bao_json(&url, None, &["operator", "init", "-key-shares=1", "-key-threshold=1", "-format=json"]);
    let key = init["unseal_keys_b64"][0].as_str().unwrap().to_string();
    let root = init["root_token"].as_str().unwrap().to_string();
    let out = bao(&url, None, None, &["operator", "unseal", &key]);
    assert!(out.status.success(), "{}", text(&out));
    let listed = bao_json(&url, Some(&root), &["audit", "list", "-format=json"]);
    assert_eq!(listed["to-file/"]["type"], "file", "{listed}");
    let out = bao(&url, Some(&root), None, &["secrets", "list"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(entries(&log).iter().any(|e| e["request"]["path"] == "sys/mounts"), "the request was recorded");
    drop(server);

    // A declared device that cannot open keeps the server sealed, and unseal says why,
    // rather than running requests without it.
    let broken = "audit \"file\" \"broken\" {\n  options {\n    file_path = \"/nonexistent/dir/audit.log\"\n  }\n}\n";
    std::fs::write(&config_path, config(&log.display().to_string()) + broken).unwrap();
    let server = ServerProcess::start(&["--config", config_path.to_str().unwrap()], addr, &dir.path().join("log-2"));
    let out = bao(&url, None, None, &["operator", "unseal", &key]);
    assert!(!out.status.success(), "{}", text(&out));
    let said = text(&out);
    assert!(said.contains("broken/") && said.contains("/nonexistent/dir/audit.log"), "{said}");
    // `bao status` exits 2 while sealed.
    let status = bao(&url, None, None, &["status", "-format=json"]);
    let status: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(status["sealed"], true, "{status}");
    drop(server);
}
