//! The seal endpoints over HTTP, in-process: init, unseal, seal, health, leader, and the
//! errors each gives for bad input.

mod common;

use axum::http::StatusCode;
use common::Api;
use serde_json::json;

#[tokio::test]
async fn an_uninitialised_server_reports_itself_and_refuses_everything_else() {
    let api = Api::new().await;
    let r = api.get("/v1/sys/seal-status").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["initialized"], false);
    assert_eq!(r.body["sealed"], true);
    assert_eq!(r.body["type"], "shamir");
    assert_eq!(r.body["storage_type"], "sqlite");
    assert!(r.body.get("cluster_name").is_none());

    assert_eq!(api.get("/v1/sys/init").await.body, json!({"initialized": false}));
    assert_eq!(api.get("/v1/sys/health").await.status.as_u16(), 501);
    assert_eq!(api.get("/v1/sys/health?uninitcode=299").await.status.as_u16(), 299);
    assert_eq!(api.get("/v1/sys/leader").await.body, json!({"ha_enabled": false}));

    let r = api.get("/v1/sys/key-status").await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.error(), "Vault is sealed");

    let r = api.put("/v1/sys/unseal", json!({"key": "abcd"})).await;
    assert_eq!((r.status, r.error().as_str()), (StatusCode::BAD_REQUEST, "Vault is not initialized"));
}

#[tokio::test]
async fn init_validates_the_split_and_happens_once() {
    let api = Api::new().await;
    for (body, message) in [
        (json!({}), "invalid seal configuration: shares must be at least one"),
        (json!({"secret_shares": 3, "secret_threshold": 4}), "threshold cannot be larger than shares"),
        (json!({"secret_shares": 3, "secret_threshold": 1}), "threshold must be greater than one for multiple shares"),
        (json!({"secret_shares": 256, "secret_threshold": 3}), "shares must be less than 256"),
        (json!({"secret_shares": "five", "secret_threshold": 3}), "invalid request body"),
        (json!({"secret_shares": 3, "secret_threshold": 2, "pgp_keys": ["a", "b", "c"]}), "PGP"),
        (json!({"secret_shares": 3, "secret_threshold": 2, "recovery_shares": 1}), "recovery keys"),
    ] {
        let r = api.put("/v1/sys/init", body.clone()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}");
        assert!(r.error().contains(message), "{body}: {}", r.error());
        assert_eq!(api.get("/v1/sys/init").await.body["initialized"], false, "nothing stored for {body}");
    }
    let r = api.call("PUT", "/v1/sys/init", None).await;
    assert!(r.error().contains("shares must be at least one"));

    let (keys, root) = api.init(5, 3).await;
    assert_eq!(keys.len(), 5);
    assert!(keys.iter().all(|k| k.len() == 66), "33-byte shares in hex");
    assert!(root.starts_with("s.") && root.len() == 26);

    let status = api.get("/v1/sys/seal-status").await.body;
    assert_eq!((status["initialized"].clone(), status["sealed"].clone()), (json!(true), json!(true)));
    assert_eq!((status["t"].clone(), status["n"].clone()), (json!(3), json!(5)));

    let r = api.put("/v1/sys/init", json!({"secret_shares": 1, "secret_threshold": 1})).await;
    assert_eq!((r.status, r.error().as_str()), (StatusCode::BAD_REQUEST, "Vault is already initialized"));
    // The first initialisation's keys still work.
    let r = api.unseal_with(&keys[2..5]).await;
    assert_eq!(r.body["sealed"], false);
}

#[tokio::test]
async fn unseal_takes_shares_one_at_a_time_and_refuses_bad_ones() {
    let api = Api::new().await;
    let (keys, _) = api.init(5, 3).await;

    let r = api.put("/v1/sys/unseal", json!({"key": keys[0]})).await;
    assert_eq!((r.body["progress"].clone(), r.body["sealed"].clone()), (json!(1), json!(true)));
    let nonce = r.body["nonce"].as_str().unwrap().to_string();
    assert!(!nonce.is_empty());

    for (body, message) in [
        (json!({"key": keys[0]}), "already provided"),
        (json!({"key": "zz-not-a-key"}), "must be a valid hex or base64 string"),
        (json!({"key": "abcd"}), "2 bytes long, but this server's shares are 33 bytes"),
        (json!({}), "'key' must be specified"),
        (json!({"key": 12}), "invalid request body"),
    ] {
        let r = api.put("/v1/sys/unseal", body.clone()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}");
        assert!(r.error().contains(message), "{body}: {}", r.error());
        let status = api.get("/v1/sys/seal-status").await.body;
        assert_eq!(status["progress"], 1, "a refused share keeps the progress ({body})");
        assert_eq!(status["nonce"], nonce.as_str());
    }

    // The same share in its other encoding is still the same share.
    let b64 = base64_of_hex(&keys[0]);
    assert!(api.put("/v1/sys/unseal", json!({"key": b64})).await.error().contains("already provided"));

    let r = api.put("/v1/sys/unseal", json!({"reset": true})).await;
    assert_eq!((r.body["progress"].clone(), r.body["nonce"].clone()), (json!(0), json!("")));

    let r = api.unseal_with(&[keys[1].clone(), keys[3].clone(), base64_of_hex(&keys[4])]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["sealed"], false);
    assert!(r.body["cluster_name"].as_str().unwrap().starts_with("arcanum-cluster-"));

    // Once unsealed: more keys change nothing; reset is refused.
    assert_eq!(api.put("/v1/sys/unseal", json!({"key": keys[0]})).await.body["sealed"], false);
    assert_eq!(api.put("/v1/sys/unseal", json!({"reset": true})).await.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_wrong_share_at_the_threshold_resets_and_leaves_the_server_sealed() {
    let api = Api::new().await;
    let (keys, _) = api.init(3, 2).await;
    let other = Api::new().await;
    let (foreign, _) = other.init(3, 2).await;

    api.put("/v1/sys/unseal", json!({"key": keys[0]})).await;
    let r = api.put("/v1/sys/unseal", json!({"key": foreign[1]})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.error().contains("do not reconstruct this server's unseal key"), "{}", r.error());
    let status = api.get("/v1/sys/seal-status").await.body;
    assert_eq!((status["sealed"].clone(), status["progress"].clone()), (json!(true), json!(0)));

    assert_eq!(api.unseal_with(&keys[1..3]).await.body["sealed"], false);
}

#[tokio::test]
async fn sealing_needs_a_root_token_and_drops_every_key() {
    let (mut api, keys) = Api::unsealed().await;
    let root = api.token.take().unwrap();

    let r = api.put("/v1/sys/seal", json!({})).await;
    assert_eq!((r.status, r.error().as_str()), (StatusCode::FORBIDDEN, "permission denied"));
    api.token = Some("s.notarealtoken0000000000".into());
    assert_eq!(api.put("/v1/sys/seal", json!({})).await.status, StatusCode::FORBIDDEN);
    assert_eq!(api.get("/v1/sys/seal-status").await.body["sealed"], false);

    api.token = Some(root.clone());
    assert_eq!(api.get("/v1/sys/key-status").await.status, StatusCode::OK);
    let r = api.put("/v1/sys/seal", json!({})).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert!(api.core.is_sealed());
    assert_eq!(api.get("/v1/sys/key-status").await.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(api.get("/v1/sys/health").await.status, StatusCode::SERVICE_UNAVAILABLE);
    // Sealing a sealed server is a no-op, as in Vault.
    assert_eq!(api.put("/v1/sys/seal", json!({})).await.status, StatusCode::NO_CONTENT);

    // The same root token works again after unsealing: it was stored, not kept in memory.
    api.unseal_with(&keys[..2]).await;
    assert_eq!(api.get("/v1/sys/key-status").await.status, StatusCode::OK);
}

#[tokio::test]
async fn health_codes_follow_the_state_and_query_flags() {
    let (api, _) = Api::unsealed().await;
    let r = api.get("/v1/sys/health").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!((r.body["initialized"].clone(), r.body["sealed"].clone()), (json!(true), json!(false)));
    assert_eq!(r.body["standby"], false);
    assert!(r.body["version"].as_str().unwrap().starts_with("2.7.2+arcanum."));
    assert_eq!(api.get("/v1/sys/health?activecode=299").await.status.as_u16(), 299);
    assert_eq!(api.get("/v1/sys/health?activecode=204").await.status, StatusCode::NO_CONTENT);
    let r = api.get("/v1/sys/health?activecode=abc").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.error().contains("activecode"));
    let r = api.call("HEAD", "/v1/sys/health", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body, serde_json::Value::Null);
    api.core.seal().await.unwrap();
    assert_eq!(api.get("/v1/sys/health?sealedcode=200").await.status, StatusCode::OK);
}

fn base64_of_hex(hex_key: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(hex::decode(hex_key).unwrap())
}

#[tokio::test]
async fn two_servers_sharing_a_database_cannot_both_initialise() {
    use arcanum::core::{Core, InitRequest};
    use arcanum::storage::SqlStorage;
    let db = arcanum::testing::TestPostgres::create().await.expect("the PostgreSQL on this machine");
    let a = Core::new(std::sync::Arc::new(SqlStorage::open_postgres(&db.url).await.unwrap()));
    let b = Core::new(std::sync::Arc::new(SqlStorage::open_postgres(&db.url).await.unwrap()));
    let req = || InitRequest { secret_shares: 3, secret_threshold: 2, ..Default::default() };
    let (ra, rb) = tokio::join!(a.init(req(), None), b.init(req(), None));
    let (winner, loser) = match (ra, rb) {
        (Ok(w), Err(l)) => (w, l),
        (Err(l), Ok(w)) => (w, l),
        (Ok(_), Ok(_)) => panic!("both initialised the same database"),
        (Err(x), Err(y)) => panic!("neither initialised: {x} / {y}"),
    };
    assert_eq!(loser.to_string(), "Vault is already initialized");
    // The winner's shares unseal either server.
    for core in [&a, &b] {
        core.unseal(Some(&winner.keys[0]), false).await.unwrap();
        assert!(!core.unseal(Some(&winner.keys[1]), false).await.unwrap().sealed);
    }
}
