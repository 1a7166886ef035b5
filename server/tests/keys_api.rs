//! Key management over HTTP, in-process: barrier key rotation, rekey (OpenBao's
//! authenticated `sys/rotate/root/*` and Vault's legacy `sys/rekey/*`), and root token
//! generation with its OTP encoding.

mod common;

use arcanum::http::ApiOptions;
use axum::http::StatusCode;
use common::Api;
use serde_json::{Value, json};

fn strings(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn rotation_adds_a_term_and_needs_a_token() {
    let (mut api, _) = Api::unsealed().await;
    let r = api.get("/v1/sys/key-status").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["data"]["term"], 1);
    // Like Vault, key-status repeats its data at the top level.
    assert_eq!(r.body["term"], 1);
    assert!(r.body["request_id"].as_str().is_some_and(|id| !id.is_empty()));

    assert_eq!(api.call("PUT", "/v1/sys/rotate", None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(api.call("POST", "/v1/sys/rotate/keyring", None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(api.get("/v1/sys/key-status").await.body["data"]["term"], 3);
    assert_eq!(api.get("/v1/sys/rotate").await.status, StatusCode::METHOD_NOT_ALLOWED);

    api.token = None;
    assert_eq!(api.call("PUT", "/v1/sys/rotate", None).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn rekey_issues_new_shares_that_unseal_and_retires_the_old_ones() {
    let (api, old_keys) = Api::unsealed().await;
    let r = api.get("/v1/sys/rotate/root/init").await;
    assert_eq!(r.body["data"]["started"], false);
    assert_eq!(r.body["data"]["required"], 2);

    let r = api.put("/v1/sys/rotate/root/init", json!({"secret_shares": 4, "secret_threshold": 3})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let nonce = r.body["data"]["nonce"].as_str().unwrap().to_string();
    assert_eq!((r.body["data"]["n"].clone(), r.body["data"]["t"].clone()), (json!(4), json!(3)));

    let again = api.put("/v1/sys/rotate/root/init", json!({"secret_shares": 4, "secret_threshold": 3})).await;
    assert!(again.error().contains("already in progress"));
    let bad = api.put("/v1/sys/rotate/root/update", json!({"key": old_keys[0], "nonce": "wrong"})).await;
    assert!(bad.error().contains(&format!("nonce for this rekey operation is \"{nonce}\"")), "{}", bad.error());

    let r = api.put("/v1/sys/rotate/root/update", json!({"key": old_keys[0], "nonce": nonce})).await;
    assert_eq!(r.body["data"]["progress"], 1);
    let r = api.put("/v1/sys/rotate/root/update", json!({"key": old_keys[2], "nonce": nonce})).await;
    assert_eq!(r.body["data"]["complete"], true, "{:?}", r.body);
    let new_keys = strings(&r.body["data"]["keys"]);
    assert_eq!(new_keys.len(), 4);
    assert_eq!(api.get("/v1/sys/rotate/root/init").await.body["data"]["started"], false);

    let status = api.get("/v1/sys/seal-status").await.body;
    assert_eq!((status["t"].clone(), status["n"].clone()), (json!(3), json!(4)));

    api.core.seal().await.unwrap();
    let r = api.unseal_with(&old_keys).await;
    assert!(r.error().contains("do not reconstruct"), "old shares no longer unseal: {:?}", r.body);
    let r = api.unseal_with(&new_keys[1..4]).await;
    assert_eq!(r.body["sealed"], false);
}

#[tokio::test]
async fn rekey_with_verification_installs_only_after_the_new_shares_come_back() {
    let (api, old_keys) = Api::unsealed().await;
    let r = api
        .put(
            "/v1/sys/rotate/root/init",
            json!({"secret_shares": 3, "secret_threshold": 2, "require_verification": true}),
        )
        .await;
    let nonce = r.body["data"]["nonce"].as_str().unwrap().to_string();
    api.put("/v1/sys/rotate/root/update", json!({"key": old_keys[0], "nonce": nonce})).await;
    let r = api.put("/v1/sys/rotate/root/update", json!({"key": old_keys[1], "nonce": nonce})).await;
    assert_eq!(r.body["data"]["verification_required"], true);
    let vnonce = r.body["data"]["verification_nonce"].as_str().unwrap().to_string();
    let new_keys = strings(&r.body["data"]["keys"]);

    // Not yet installed: the old shares still unseal.
    api.core.seal().await.unwrap();
    assert_eq!(api.unseal_with(&old_keys[1..3]).await.body["sealed"], false);
    // Sealing cancelled the ceremony; start again.
    let r = api
        .put(
            "/v1/sys/rotate/root/init",
            json!({"secret_shares": 3, "secret_threshold": 2, "require_verification": true}),
        )
        .await;
    let nonce = r.body["data"]["nonce"].as_str().unwrap().to_string();
    api.put("/v1/sys/rotate/root/update", json!({"key": old_keys[0], "nonce": nonce})).await;
    let r = api.put("/v1/sys/rotate/root/update", json!({"key": old_keys[2], "nonce": nonce})).await;
    let vnonce2 = r.body["data"]["verification_nonce"].as_str().unwrap().to_string();
    assert_ne!(vnonce, vnonce2);
    let new_keys2 = strings(&r.body["data"]["keys"]);
    assert_ne!(new_keys, new_keys2);

    // Shares of the *old* key do not verify.
    api.put("/v1/sys/rotate/root/verify", json!({"key": old_keys[0], "nonce": vnonce2})).await;
    let r = api.put("/v1/sys/rotate/root/verify", json!({"key": old_keys[1], "nonce": vnonce2})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.error().contains("do not rebuild the new unseal key"), "{}", r.error());

    // A failed verification starts over under a new nonce.
    let vnonce3 = api.get("/v1/sys/rotate/root/verify").await.body["data"]["nonce"].as_str().unwrap().to_string();
    assert_ne!(vnonce3, vnonce2);
    api.put("/v1/sys/rotate/root/verify", json!({"key": new_keys2[0], "nonce": vnonce3})).await;
    let r = api.put("/v1/sys/rotate/root/verify", json!({"key": new_keys2[2], "nonce": vnonce3})).await;
    assert_eq!(r.body["data"]["complete"], true, "{:?}", r.body);

    api.core.seal().await.unwrap();
    assert_eq!(api.unseal_with(&new_keys2[..2]).await.body["sealed"], false);
}

#[tokio::test]
async fn generate_root_mints_a_working_token_hidden_by_the_otp() {
    let (api, keys) = Api::unsealed().await;
    let r = api.get("/v1/sys/generate-root-token/attempt").await;
    assert_eq!((r.body["data"]["started"].clone(), r.body["data"]["otp_length"].clone()), (json!(false), json!(26)));

    let r = api.put("/v1/sys/generate-root-token/attempt", json!({})).await;
    let otp = r.body["data"]["otp"].as_str().unwrap().to_string();
    let nonce = r.body["data"]["nonce"].as_str().unwrap().to_string();
    assert_eq!(otp.len(), 26);
    assert_eq!(api.get("/v1/sys/generate-root-token/attempt").await.body["data"]["otp"], "", "the OTP is shown once");

    api.put("/v1/sys/generate-root-token/update", json!({"key": keys[1], "nonce": nonce})).await;
    let r = api.put("/v1/sys/generate-root-token/update", json!({"key": keys[2], "nonce": nonce})).await;
    assert_eq!(r.body["data"]["complete"], true, "{:?}", r.body);
    let encoded = r.body["data"]["encoded_token"].as_str().unwrap().to_string();
    assert_eq!(encoded.len(), 35, "unpadded base64 of 26 bytes");

    // sys/decode-token needs no token, as in OpenBao.
    let anonymous = Api { router: api.router.clone(), core: api.core.clone(), token: None };
    let r = anonymous.put("/v1/sys/decode-token", json!({"encoded_token": encoded, "otp": otp})).await;
    let token = r.body["data"]["token"].as_str().unwrap().to_string();
    assert!(token.starts_with("s.") && token.len() == 26);
    assert_ne!(Some(&token), api.token.as_ref());

    let with_new = Api { router: api.router.clone(), core: api.core.clone(), token: Some(token) };
    assert_eq!(with_new.call("PUT", "/v1/sys/rotate", None).await.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn generate_root_refuses_wrong_shares_and_cancels() {
    let (api, keys) = Api::unsealed().await;
    let r = api.put("/v1/sys/generate-root-token/attempt", json!({"otp": "short"})).await;
    assert!(r.error().contains("26"), "{}", r.error());
    let r = api.put("/v1/sys/generate-root-token/attempt", json!({"pgp_key": "a2V5"})).await;
    assert!(r.error().contains("not supported"));

    let r = api.put("/v1/sys/generate-root-token/attempt", json!({})).await;
    let nonce = r.body["data"]["nonce"].as_str().unwrap().to_string();
    let other = Api::new().await;
    let (foreign, _) = other.init(3, 2).await;
    api.put("/v1/sys/generate-root-token/update", json!({"key": keys[0], "nonce": nonce})).await;
    let r = api.put("/v1/sys/generate-root-token/update", json!({"key": foreign[1], "nonce": nonce})).await;
    assert!(r.error().contains("do not reconstruct"));
    assert_eq!(api.get("/v1/sys/generate-root-token/attempt").await.body["data"]["progress"], 0);

    assert_eq!(api.call("DELETE", "/v1/sys/generate-root-token/attempt", None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(api.get("/v1/sys/generate-root-token/attempt").await.body["data"]["started"], false);
}

#[tokio::test]
async fn vaults_unauthenticated_ceremonies_are_off_unless_the_listener_enables_them() {
    let (api, _) = Api::unsealed().await;
    let r = api.get("/v1/sys/rekey/init").await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(r.error().contains("disabled"));
    assert_eq!(api.get("/v1/sys/generate-root/attempt").await.status, StatusCode::METHOD_NOT_ALLOWED);

    let options = ApiOptions { unauthenticated_rekey: true, unauthenticated_generate_root: true, ..Default::default() };
    let mut api = Api::with_options(options).await;
    let (keys, _) = api.init(3, 2).await;
    api.unseal_with(&keys[..2]).await;
    api.token = None;

    let r = api.put("/v1/sys/rekey/init", json!({"secret_shares": 2, "secret_threshold": 2})).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.get("data").is_none(), "legacy endpoints answer bare JSON");
    let nonce = r.body["nonce"].as_str().unwrap().to_string();
    api.put("/v1/sys/rekey/update", json!({"key": keys[0], "nonce": nonce})).await;
    let r = api.put("/v1/sys/rekey/update", json!({"key": keys[1], "nonce": nonce})).await;
    assert_eq!(r.body["complete"], true);
    let new_keys = strings(&r.body["keys"]);

    let r = api.put("/v1/sys/generate-root/attempt", json!({})).await;
    let (otp, nonce) = (r.body["otp"].as_str().unwrap().to_string(), r.body["nonce"].as_str().unwrap().to_string());
    api.put("/v1/sys/generate-root/update", json!({"key": new_keys[0], "nonce": nonce})).await;
    let r = api.put("/v1/sys/generate-root/update", json!({"key": new_keys[1], "nonce": nonce})).await;
    assert_eq!(r.body["complete"], true);
    assert_eq!(r.body["encoded_token"], r.body["encoded_root_token"]);
    let token = arcanum::seal::generate_root::decode_token(r.body["encoded_token"].as_str().unwrap(), &otp).unwrap();
    api.token = Some(token.to_string());
    assert_eq!(api.get("/v1/sys/key-status").await.status, StatusCode::OK);
}
