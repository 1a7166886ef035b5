//! Acceptance, tokens and auth methods: the real `arcanum` binary (dev mode) driven by the
//! real `bao` CLI (OpenBao 2.7.2). Token create/lookup/renew/revoke and roles, userpass
//! login and lockout, a non-root token held to its policy, its use limit and its TTL, and
//! tokens' leases (lookup, list, renew, revoke, revoke -prefix).
//! Expectations were checked against `bao server -dev` unless a comment says otherwise.

mod common;

use common::cli::{Cli, Dev, strings};
use serde_json::{Value, json};

/// OpenBao's words for a valid token its policies refuse (go-multierror's rendering).
const POLICY_DENIED: &str = "Code: 403. Errors:\n\n* 1 error occurred:\n\t* permission denied";
/// ...and for a missing, unknown, expired, used-up or revoked token.
const TOKEN_DENIED: &str = "Code: 403. Errors:\n\n* permission denied";

const APP_POLICY: &str = "path \"secret/data/app/*\" {\n  capabilities = [\"create\", \"read\", \"update\"]\n}\n\
                          path \"secret/metadata/app/*\" {\n  capabilities = [\"list\"]\n}\n\
                          path \"auth/token/create\" {\n  capabilities = [\"update\"]\n}\n";

/// `bao token create args...` with `bao`'s token; returns (token, accessor, the whole reply).
fn create(bao: &Cli, args: &[&str]) -> (String, String, Value) {
    let mut full = vec!["token", "create"];
    full.extend_from_slice(args);
    let reply = bao.json(&full);
    let auth = &reply["auth"];
    (auth["client_token"].as_str().unwrap().to_string(), auth["accessor"].as_str().unwrap().to_string(), reply)
}

#[test]
fn tokens_create_lookup_renew_revoke_and_roles() {
    let dev = Dev::start();
    let bao = dev.root();
    bao.ok(&["policy", "write", "app", &dev.file("app.hcl", APP_POLICY)]);

    // create: TTL and explicit max. The reply's lease is the TTL asked for, to the second.
    // (Fixed: it was computed after the entry was stored and came out one second short,
    // `token_duration 59m59s` for `-ttl=1h`.)
    let (token, accessor, reply) = create(&bao, &["-policy=app", "-ttl=1h", "-explicit-max-ttl=2h"]);
    let auth = &reply["auth"];
    assert!(token.starts_with("s.") && token.len() == 26, "{token}");
    assert_eq!(auth["lease_duration"], 3600);
    assert_eq!((auth["renewable"].clone(), auth["orphan"].clone()), (json!(true), json!(false)));
    assert_eq!(strings(&auth["policies"]), ["app", "default"]);
    assert_eq!(strings(&auth["token_policies"]), ["app", "default"]);
    let table = bao.ok(&["token", "create", "-policy=app", "-ttl=1h"]);
    assert!(table.contains("token_duration 1h\n") && table.contains(r#"token_policies ["app" "default"]"#), "{table}");

    // lookup by token, by accessor, and of oneself.
    let look = bao.json(&["token", "lookup", &token])["data"].clone();
    assert_eq!(look["accessor"], accessor.as_str());
    assert_eq!(look["id"], token.as_str());
    assert_eq!((look["creation_ttl"].clone(), look["explicit_max_ttl"].clone()), (json!(3600), json!(7200)));
    assert!((3590..=3600).contains(&look["ttl"].as_i64().unwrap()), "{look}");
    assert_eq!((look["display_name"].clone(), look["path"].clone()), (json!("token"), json!("auth/token/create")));
    assert_eq!(look["type"], "service");
    let by_accessor = bao.json(&["token", "lookup", "-accessor", &accessor])["data"].clone();
    assert_eq!(by_accessor["id"], "", "a lookup by accessor never shows the token");
    assert_eq!(by_accessor["policies"], look["policies"]);
    let own = dev.cli(Some(&token));
    assert_eq!(own.json(&["token", "lookup"])["data"]["accessor"], accessor.as_str());
    let root = bao.json(&["token", "lookup"])["data"].clone();
    assert_eq!((root["policies"].clone(), root["ttl"].clone()), (json!(["root"]), json!(0)));
    assert_eq!(root["expire_time"], Value::Null);
    let out = bao.fails(&["token", "lookup", "s.nosuchtoken0000000000000"], 2);
    assert!(out.contains("bad token"), "{out}");
    // Fixed: OpenBao wraps this one in go-multierror; Arcanum's was bare.
    let out = bao.run(&["token", "lookup", "-accessor", "nosuchaccessor"]);
    assert_eq!(out.code, 2);
    assert!(out.text.contains("Code: 400. Errors:\n\n* 1 error occurred:\n\t* invalid accessor"), "{}", out.text);

    // renew: by token, with an increment, by accessor, and oneself.
    let renewed = bao.json(&["token", "renew", "-increment=30m", &token]);
    assert_eq!(renewed["auth"]["lease_duration"], 1800);
    assert_eq!(renewed["auth"]["client_token"], token.as_str());
    assert!(bao.ok(&["token", "renew", "-accessor", &accessor]).contains("token_duration"));
    assert_eq!(own.json(&["token", "renew", "-increment=10m"])["auth"]["lease_duration"], 600);
    let out = bao.fails(&["token", "renew"], 2);
    assert!(out.contains("lease is not renewable"), "the root token has no TTL: {out}");

    // period, use limit, orphan.
    let (periodic, _, reply) = create(&bao, &["-policy=app", "-period=30m"]);
    assert_eq!(reply["auth"]["lease_duration"], 1800);
    assert_eq!(bao.json(&["token", "lookup", &periodic])["data"]["period"], 1800);
    assert_eq!(bao.json(&["token", "renew", "-increment=5m", &periodic])["auth"]["lease_duration"], 1800);
    let (limited, _, _) = create(&bao, &["-policy=app", "-use-limit=3"]);
    assert_eq!(bao.json(&["token", "lookup", &limited])["data"]["num_uses"], 3);
    let (orphan, _, reply) = create(&bao, &["-orphan", "-policy=app"]);
    assert_eq!(reply["auth"]["orphan"], true);
    assert_eq!(reply["auth"]["lease_duration"], 2764800, "the system default TTL, 768h");
    assert_eq!(bao.json(&["token", "lookup", &orphan])["data"]["orphan"], true);

    // Children: revoking a parent revokes them; -mode=orphan leaves them.
    let (parent_a, _, _) = create(&bao, &["-policy=app", "-ttl=1h"]);
    let (parent_b, _, _) = create(&bao, &["-policy=app", "-ttl=1h"]);
    let child_a = create(&dev.cli(Some(&parent_a)), &["-policy=app"]).0;
    let child_b = create(&dev.cli(Some(&parent_b)), &["-policy=app"]).0;
    assert_eq!(bao.json(&["token", "lookup", &child_a])["data"]["orphan"], false);
    let out = dev.cli(Some(&parent_a)).fails(&["token", "create", "-policy=root"], 2);
    assert!(out.contains("child policies must be subset of parent"), "{out}");
    assert!(bao.ok(&["token", "revoke", &parent_a]).contains("Success! Revoked token (if it existed)"));
    assert!(bao.fails(&["token", "lookup", &child_a], 2).contains("bad token"));
    bao.ok(&["token", "revoke", "-mode=orphan", &parent_b]);
    bao.fails(&["token", "lookup", &parent_b], 2);
    assert_eq!(bao.json(&["token", "lookup", &child_b])["data"]["orphan"], true, "the child lives on, orphaned");

    // revoke by accessor, and oneself; revoking a missing token is not an error.
    let (victim, victim_accessor, _) = create(&bao, &["-policy=app"]);
    let accessors = strings(&bao.json(&["list", "auth/token/accessors"]));
    assert!(accessors.contains(&victim_accessor) && accessors.contains(&accessor), "{accessors:?}");
    bao.ok(&["token", "revoke", "-accessor", &victim_accessor]);
    bao.fails(&["token", "lookup", &victim], 2);
    assert!(!strings(&bao.json(&["list", "auth/token/accessors"])).contains(&victim_accessor));
    bao.ok(&["token", "revoke", &victim]);
    own.ok(&["token", "revoke", "-self"]);
    assert!(own.fails(&["token", "lookup"], 2).contains(TOKEN_DENIED));

    // Roles.
    let out = bao.ok(&[
        "write",
        "auth/token/roles/r",
        "allowed_policies=app,other",
        "orphan=true",
        "token_period=1h",
        "token_explicit_max_ttl=3h",
    ]);
    assert!(out.contains("Success! Data written to: auth/token/roles/r"), "{out}");
    let role = bao.json(&["read", "auth/token/roles/r"])["data"].clone();
    assert_eq!(strings(&role["allowed_policies"]), ["app", "other"]);
    assert_eq!((role["orphan"].clone(), role["renewable"].clone()), (json!(true), json!(true)));
    assert_eq!((role["token_period"].clone(), role["token_explicit_max_ttl"].clone()), (json!(3600), json!(10800)));
    assert_eq!(role["token_type"], "default-service");
    // The deprecated `period`/`explicit_max_ttl`/`bound_cidrs` show only what was written
    // under those names. (Fixed: Arcanum mirrored the token_* values into them.)
    assert_eq!((role["period"].clone(), role["explicit_max_ttl"].clone()), (json!(0), json!(0)));
    bao.ok(&["write", "auth/token/roles/old", "period=2h", "explicit_max_ttl=3h", "bound_cidrs=10.0.0.0/8"]);
    let old = bao.json(&["read", "auth/token/roles/old"])["data"].clone();
    assert_eq!((old["period"].clone(), old["token_period"].clone()), (json!(7200), json!(7200)));
    assert_eq!((old["explicit_max_ttl"].clone(), old["token_explicit_max_ttl"].clone()), (json!(10800), json!(10800)));
    assert_eq!(
        (old["bound_cidrs"].clone(), old["token_bound_cidrs"].clone()),
        (json!(["10.0.0.0/8"]), json!(["10.0.0.0/8"]))
    );
    bao.ok(&["write", "auth/token/roles/old", "token_period=1h"]);
    let old = bao.json(&["read", "auth/token/roles/old"])["data"].clone();
    assert_eq!((old["period"].clone(), old["token_period"].clone()), (json!(0), json!(3600)));
    assert_eq!(old["explicit_max_ttl"], 10800, "untouched");
    bao.ok(&["delete", "auth/token/roles/old"]);
    assert_eq!(strings(&bao.json(&["list", "auth/token/roles"])), ["r"]);
    let (role_token, _, reply) = create(&bao, &["-role=r", "-policy=app"]);
    assert_eq!(reply["auth"]["lease_duration"], 3600);
    assert_eq!(reply["auth"]["orphan"], true);
    let look = bao.json(&["token", "lookup", &role_token])["data"].clone();
    assert_eq!((look["role"].clone(), look["path"].clone()), (json!("r"), json!("auth/token/create/r")));
    assert_eq!(strings(&look["policies"]), ["app", "default"]);
    // Fixed: the message had Rust's list syntax and left out "default"; now OpenBao's.
    let out = bao.fails(&["token", "create", "-role=r", "-policy=nope"], 2);
    assert!(
        out.contains(
            r#"token policies (["default" "nope"]) must be subset of the role's allowed policies (["app" "default" "other"]) or glob policies ([])"#
        ),
        "{out}"
    );
    assert!(bao.fails(&["token", "create", "-role=missing"], 2).contains("unknown role missing"));
    bao.ok(&["delete", "auth/token/roles/r"]);
    bao.fails(&["read", "auth/token/roles/r"], 2);
}

#[test]
fn userpass_login_lockout_and_unlock() {
    let dev = Dev::start();
    let bao = dev.root();
    bao.ok(&["policy", "write", "app", &dev.file("app.hcl", APP_POLICY)]);
    let out = bao.ok(&["auth", "enable", "userpass"]);
    assert!(out.contains("Success! Enabled userpass auth method at: userpass/"), "{out}");
    assert!(bao.fails(&["auth", "enable", "userpass"], 2).contains("path is already in use at userpass/"));
    let auths = bao.json(&["auth", "list"]);
    assert_eq!(auths["userpass/"]["type"], "userpass");
    assert!(auths["userpass/"]["accessor"].as_str().unwrap().starts_with("auth_userpass_"));
    assert_eq!(auths["token/"]["type"], "token");
    // Fixed: OpenBao shows a deprecation status for plugins such as userpass (only kv had one).
    assert_eq!(auths["userpass/"]["deprecation_status"], "supported");
    assert_eq!(auths["token/"]["deprecation_status"], "", "none on the wire; the CLI prints its struct's empty field");

    // `bao auth tune` posts to sys/mounts/auth/<path>/tune. (Fixed: that answered
    // `no mount entry found`, so the CLI could not tune any auth method.)
    let out =
        bao.ok(&["auth", "tune", "-default-lease-ttl=1h", "-max-lease-ttl=2h", "-description=people", "userpass"]);
    assert!(out.contains("Success! Tuned the auth method at: userpass/"), "{out}");
    let tune = bao.json(&["read", "sys/auth/userpass/tune"])["data"].clone();
    assert_eq!((tune["default_lease_ttl"].clone(), tune["max_lease_ttl"].clone()), (json!(3600), json!(7200)));
    assert_eq!(tune["description"], "people");
    assert_eq!(bao.json(&["read", "sys/mounts/auth/userpass/tune"])["data"], tune);

    bao.ok(&["write", "auth/userpass/users/bob", "password=hunter2", "policies=app"]);
    assert_eq!(strings(&bao.json(&["read", "auth/userpass/users/bob"])["data"]["token_policies"]), ["app"]);
    assert_eq!(strings(&bao.json(&["list", "auth/userpass/users"])), ["bob"]);

    let anon = dev.cli(None);
    let login = |password: &str| {
        anon.run(&["login", "-no-store", "-method=userpass", "username=bob", &format!("password={password}")])
    };
    let ok = anon.json(&["login", "-no-store", "-method=userpass", "username=bob", "password=hunter2"]);
    let auth = &ok["auth"];
    assert_eq!(strings(&auth["policies"]), ["app", "default"]);
    assert_eq!(auth["metadata"], json!({"username": "bob"}));
    assert_eq!(auth["lease_duration"], 3600, "the tuned mount default");
    // (OpenBao's login also carries an `entity_id`; Arcanum has no identity store yet.)
    let token = auth["client_token"].as_str().unwrap();
    let bob = dev.cli(Some(token));
    bob.ok(&["kv", "put", "secret/app/x", "v=1"]);
    assert_eq!(bob.json(&["token", "lookup"])["data"]["path"], "auth/userpass/login/bob");
    let text = login("hunter2");
    assert_eq!(text.code, 0, "{}", text.text);
    assert!(text.squeezed().contains("Success! You are now authenticated."), "{}", text.text);

    let wrong = login("wrong");
    assert_eq!(wrong.code, 2);
    assert!(wrong.text.contains("Code: 400") && wrong.text.contains("invalid username or password"), "{}", wrong.text);
    let nobody = anon.run(&["login", "-no-store", "-method=userpass", "username=nobody", "password=x"]);
    assert!(nobody.code == 2 && nobody.text.contains("invalid username or password"), "{}", nobody.text);

    // Five wrong passwords in a row lock bob out: then even the right one is refused.
    assert_eq!(bao.json(&["read", "sys/locked-users"])["data"]["total"], 0);
    for _ in 0..4 {
        assert_eq!(login("wrong").code, 2);
    }
    let locked = login("hunter2");
    assert_eq!(locked.code, 2);
    assert!(locked.text.contains(TOKEN_DENIED), "{}", locked.text);
    let users = bao.json(&["read", "sys/locked-users"])["data"].clone();
    assert_eq!(users["total"], 1, "{users}");
    let ns = &users["by_namespace"][0];
    assert_eq!((ns["namespace_id"].clone(), ns["namespace_path"].clone()), (json!("root"), json!("")));
    let entry = &ns["mount_accessors"][0];
    assert_eq!(strings(&entry["alias_identifiers"]), ["bob"]);
    let mount_accessor = entry["mount_accessor"].as_str().unwrap().to_string();
    assert_eq!(mount_accessor, auths["userpass/"]["accessor"].as_str().unwrap());

    bao.ok(&["write", "-f", &format!("sys/locked-users/{mount_accessor}/unlock/bob")]);
    assert_eq!(bao.json(&["read", "sys/locked-users"])["data"]["total"], 0);
    assert_eq!(login("hunter2").code, 0, "unlocked");
    bao.ok(&["write", "-f", &format!("sys/locked-users/{mount_accessor}/unlock/nobody")]);

    // A deleted user cannot log in; a disabled method takes its tokens with it.
    // (Fixed: `unmount` left the method's tokens valid; it now revokes every token whose
    // path is under auth/<mount>/, as OpenBao does.)
    bao.ok(&["delete", "auth/userpass/users/bob"]);
    assert!(login("hunter2").text.contains("invalid username or password"));
    bao.ok(&["auth", "disable", "userpass"]);
    assert!(bob.fails(&["token", "lookup"], 2).contains(TOKEN_DENIED));
}

#[test]
fn a_non_root_token_is_held_to_its_policy_use_limit_and_ttl() {
    let dev = Dev::start();
    let bao = dev.root();
    bao.ok(&["policy", "write", "app", &dev.file("app.hcl", APP_POLICY)]);
    bao.ok(&["kv", "put", "secret/other", "v=1"]);
    let (token, _, _) = create(&bao, &["-policy=app"]);
    let app = dev.cli(Some(&token));

    // Allowed.
    app.ok(&["kv", "put", "secret/app/x", "v=1"]);
    assert_eq!(app.json(&["kv", "get", "secret/app/x"])["data"]["data"], json!({"v": "1"}));
    app.ok(&["kv", "patch", "secret/app/x", "w=2"]);
    assert_eq!(strings(&app.json(&["kv", "list", "secret/app"])), ["x"]);
    app.ok(&["write", "cubbyhole/note", "n=1"]);
    assert_eq!(app.json(&["read", "cubbyhole/note"])["data"], json!({"n": "1"}));

    // Forbidden: exit 2, 403. A valid token refused by its policies gets OpenBao's
    // multierror text. (Fixed: Arcanum answered a bare "permission denied" here.)
    for args in [
        &["kv", "get", "secret/other"][..],
        &["kv", "put", "secret/other", "v=2"],
        &["kv", "list", "secret/"],
        &["kv", "metadata", "get", "secret/app/x"],
        &["kv", "delete", "secret/app/x"],
        &["read", "sys/mounts"],
        &["policy", "write", "mine", "/dev/null"],
        &["secrets", "enable", "-path=mine", "kv"],
        &["list", "auth/token/accessors"],
    ] {
        let out = app.run(args);
        assert_eq!(out.code, 2, "bao {args:?}: {}", out.text);
        assert!(out.text.contains(POLICY_DENIED), "bao {args:?}: {}", out.text);
    }
    assert_eq!(bao.json(&["kv", "get", "secret/other"])["data"]["data"], json!({"v": "1"}), "nothing changed");
    // Cubbyholes are private: root does not see the token's note.
    bao.fails(&["read", "cubbyhole/note"], 2);

    // No token, or a garbage one: a bare "permission denied".
    let anon = dev.cli(None);
    assert!(anon.fails(&["kv", "get", "secret/app/x"], 2).contains("permission denied"));
    assert!(anon.fails(&["read", "secret/data/app/x"], 2).contains(TOKEN_DENIED));
    assert!(dev.cli(Some("s.garbage")).fails(&["read", "secret/data/app/x"], 2).contains(TOKEN_DENIED));

    // -use-limit=2: two uses, then nothing. (`bao kv get` spends one: its preflight
    // sys/internal/ui/mounts call does not count, as in OpenBao.)
    let (twice_token, _, _) = create(&bao, &["-policy=app", "-use-limit=2"]);
    let twice = dev.cli(Some(&twice_token));
    twice.ok(&["kv", "get", "secret/app/x"]);
    twice.ok(&["read", "secret/data/app/x"]);
    assert!(twice.fails(&["read", "secret/data/app/x"], 2).contains(TOKEN_DENIED));
    assert!(bao.fails(&["token", "lookup", &twice_token], 2).contains("bad token"));

    // Revoked: refused at once.
    bao.ok(&["token", "revoke", &token]);
    assert!(app.fails(&["read", "secret/data/app/x"], 2).contains(TOKEN_DENIED));

    // Expired: -ttl=2s, then 3 s later it is refused everywhere.
    let (short, _, reply) = create(&bao, &["-policy=app", "-ttl=2s"]);
    assert_eq!(reply["auth"]["lease_duration"], 2);
    let short_cli = dev.cli(Some(&short));
    short_cli.ok(&["read", "secret/data/app/x"]);
    std::thread::sleep(std::time::Duration::from_secs(3));
    assert!(short_cli.fails(&["read", "secret/data/app/x"], 2).contains(TOKEN_DENIED));
    assert!(short_cli.fails(&["token", "lookup"], 2).contains(TOKEN_DENIED));
    assert!(bao.fails(&["token", "lookup", &short], 2).contains("bad token"));
    let renew = bao.fails(&["token", "renew", &short], 2);
    assert!(renew.contains("token not found"), "{renew}");
}

#[test]
fn token_leases_look_up_list_and_revoke_through_bao() {
    let dev = Dev::start();
    let bao = dev.root();
    let (token, _, _) = create(&bao, &["-policy=default", "-ttl=1h"]);

    // The dev root token has a lease as well, one that never expires (as in OpenBao).
    let keys = strings(&bao.json(&["list", "sys/leases/lookup/auth/token/create"]));
    assert_eq!(keys.len(), 2, "{keys:?}");
    let mut leases: Vec<Value> = keys
        .iter()
        .map(|key| bao.json(&["lease", "lookup", &format!("auth/token/create/{key}")])["data"].clone())
        .collect();
    leases.sort_by_key(|lease| lease["ttl"].as_u64());
    assert_eq!((leases[0]["ttl"].clone(), leases[0]["renewable"].clone()), (json!(0), json!(false)));
    assert!(leases[0]["expire_time"].is_null(), "{}", leases[0]);
    assert!((3590..=3600).contains(&leases[1]["ttl"].as_u64().unwrap()), "{}", leases[1]);
    assert_eq!(leases[1]["path"], "auth/token/create");
    let id = leases[1]["id"].as_str().unwrap();

    // OpenBao's answers to renewing a token's lease here: through the token instead.
    assert!(bao.fails(&["lease", "renew", id], 2).contains("tokens cannot be renewed through this endpoint"));
    let root_lease = leases[0]["id"].as_str().unwrap();
    assert!(bao.fails(&["lease", "renew", root_lease], 2).contains("lease is not renewable"));

    // Listing needs sudo.
    let user = dev.cli(Some(&token));
    assert!(user.fails(&["list", "sys/leases/lookup/auth"], 2).contains(POLICY_DENIED));
    bao.ok(&["lease", "revoke", id]);
    user.fails(&["token", "lookup"], 2);

    // -prefix: every sign-in through userpass, and nothing else.
    bao.ok(&["auth", "enable", "userpass"]);
    bao.ok(&["write", "auth/userpass/users/ana", "password=correct horse", "token_ttl=1h"]);
    let sign_in = || {
        let reply = bao.json(&["write", "auth/userpass/login/ana", "password=correct horse"]);
        reply["auth"]["client_token"].as_str().unwrap().to_string()
    };
    let signed_in = [sign_in(), sign_in()];
    assert_eq!(strings(&bao.json(&["list", "sys/leases/lookup/auth/userpass/login/ana"])).len(), 2);
    bao.ok(&["lease", "revoke", "-prefix", "auth/userpass"]);
    for token in &signed_in {
        dev.cli(Some(token)).fails(&["token", "lookup"], 2);
    }
    bao.ok(&["token", "lookup"]);
    bao.fails(&["list", "sys/leases/lookup/auth/userpass"], 2);
}
