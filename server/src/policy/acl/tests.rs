use serde_json::json;

use super::*;
use crate::policy::parse_policy;

/// The ACL of `(name, text)` policies.
fn acl(policies: &[(&str, &str)]) -> Acl {
    let parsed: Vec<Arc<Policy>> = policies
        .iter()
        .map(|(name, text)| Arc::new(parse_policy(name, text).unwrap_or_else(|e| panic!("{name}: {e}"))))
        .collect();
    Acl::new(&parsed)
}

/// One policy of one-line `path "p" { capabilities = [...] }` blocks.
fn rules(blocks: &[(&str, &str)]) -> Acl {
    let text: String =
        blocks.iter().map(|(path, caps)| format!("path {path:?} {{ capabilities = [{caps}] }}\n")).collect();
    acl(&[("p", &text)])
}

fn request<'a>(path: &'a str, operation: Operation, data: Option<&'a Map<String, Value>>) -> AclRequest<'a> {
    AclRequest { path, operation, data, sudo_required: false, wrap_ttl: None }
}

fn allows(acl: &Acl, operation: Operation, path: &str) -> bool {
    acl.check(&request(path, operation, None)).allowed
}

fn allows_data(acl: &Acl, operation: Operation, path: &str, data: Value) -> bool {
    let Value::Object(map) = data else { panic!("data must be an object") };
    acl.check(&request(path, operation, Some(&map))).allowed
}

fn reason(acl: &Acl, operation: Operation, path: &str, data: Value) -> Reason {
    let Value::Object(map) = data else { panic!("data must be an object") };
    acl.check(&request(path, operation, Some(&map))).reason
}

// §2.3: lookup and priority.

#[test]
fn the_observed_capability_table() {
    let acl = rules(&[
        ("kv/*", r#""read""#),
        ("kv/a/*", r#""list""#),
        ("kv/a/+/c", r#""create""#),
        ("kv/a/b/+", r#""update""#),
        ("kv/+/b/c", r#""delete""#),
        ("kv/a/b*", r#""sudo""#),
        ("kv/exact", r#""patch""#),
        ("kv/+", r#""list""#),
    ]);
    let table = [
        ("kv/a/b/c", "update"),
        ("kv/a/x/c", "create"),
        ("kv/x/b/c", "delete"),
        ("kv/a/bcd", "sudo"),
        ("kv/a/b", "sudo"),
        ("kv/a/b/c/d", "sudo"),
        ("kv/foo", "list"),
        ("kv/foo/", "read"),
        ("kv/foo/bar", "read"),
        ("kv/a", "list"),
        ("kv/a/", "list"),
        ("kv", "deny"),
        ("kv/exact/", "patch"),
        ("kv/exact", "patch"),
    ];
    for (path, expected) in table {
        assert_eq!(acl.capabilities(path), [expected], "{path}");
    }
}

#[test]
fn priority_between_wildcards() {
    let acl = rules(&[("kv/+/wx", r#""update""#), ("kv/+/w*", r#""create""#)]);
    assert_eq!(acl.capabilities("kv/z/wx"), ["update"], "kv/+ beats kv/* at the same position");
    assert_eq!(acl.capabilities("kv/z/wy"), ["create"]);

    let acl = rules(&[("kv/h/+/+", r#""read""#), ("kv/h/i/+", r#""list""#), ("kv/h/+/j", r#""delete""#)]);
    assert_eq!(acl.capabilities("kv/h/i/j"), ["list"], "the later first wildcard wins");
    assert_eq!(acl.capabilities("kv/h/x/j"), ["delete"], "fewer + segments win");
    assert_eq!(acl.capabilities("kv/h/x/k"), ["read"]);

    let acl = rules(&[("kv/s/ab*", r#""read""#), ("kv/s/a*", r#""list""#), ("kv/+", r#""update""#)]);
    assert_eq!(acl.capabilities("kv/s/abc"), ["read"], "the longest prefix");
    assert_eq!(acl.capabilities("kv/s/axe"), ["list"]);

    let acl = rules(&[("kv/a*", r#""read""#), ("kv/+/x", r#""list""#)]);
    assert_eq!(acl.capabilities("kv/ab/x"), ["read"], "a glob later than the + wins");

    let acl = rules(&[("kv/+/b/+", r#""read""#), ("kv/+/b*", r#""list""#)]);
    assert_eq!(acl.capabilities("kv/a/b/c"), ["read"], "not ending in * beats ending in *");
}

#[test]
fn an_exact_rule_beats_any_glob() {
    let acl = rules(&[("kv/q", r#""read""#), ("kv/q*", r#""deny""#)]);
    assert!(allows(&acl, Operation::Read, "kv/q"));
    assert!(!allows(&acl, Operation::Read, "kv/qq"));
    assert_eq!(acl.capabilities("kv/qq"), ["deny"]);
}

#[test]
fn prefix_and_segment_matching() {
    let acl = rules(&[("kv/a/b*", r#""read""#), ("kv/mid*dle", r#""read""#), ("kv/g/+", r#""read""#)]);
    assert!(allows(&acl, Operation::Read, "kv/a/bcd"), "prefixes are not segment-aware");
    assert!(allows(&acl, Operation::Read, "kv/a/b/c/d"));
    assert!(allows(&acl, Operation::Read, "kv/mid*dle"), "a * inside a path is literal");
    assert!(!allows(&acl, Operation::Read, "kv/middle"));
    assert!(!allows(&acl, Operation::Read, "kv/midxdle"));
    assert!(allows(&acl, Operation::Read, "kv/g/"), "+ matches an empty segment");
    assert!(allows(&acl, Operation::Read, "kv/g/x"));
    assert!(!allows(&acl, Operation::Read, "kv/g/x/y"), "+ without * needs the same segment count");

    let acl = rules(&[("+", r#""read""#), ("+/x/*", r#""list""#)]);
    assert!(allows(&acl, Operation::Read, "anything"));
    assert!(!allows(&acl, Operation::Read, "a/b"));
    assert_eq!(acl.capabilities("a/x/"), ["list"]);
    assert_eq!(acl.capabilities("a/x/y/z"), ["list"]);
    assert_eq!(acl.capabilities("a/y/z"), ["deny"]);

    let acl = rules(&[("*", r#""read""#)]);
    assert!(allows(&acl, Operation::Read, "any/path/at/all"));
    assert!(allows(&acl, Operation::Read, ""));
}

// §2.7: LIST and trailing slashes.

#[test]
fn list_with_an_exact_rule_with_or_without_slash() {
    for pattern in ["kv/lst", "kv/lst/"] {
        let acl = rules(&[(pattern, r#""list""#)]);
        assert!(allows(&acl, Operation::List, "kv/lst"), "{pattern}");
        assert!(allows(&acl, Operation::List, "kv/lst/"), "{pattern}");
    }
}

#[test]
fn list_with_prefix_rules_covering_the_slash() {
    for pattern in ["kv/l/*", "kv/l*", "kv/*"] {
        assert!(allows(&rules(&[(pattern, r#""list""#)]), Operation::List, "kv/l"), "{pattern}");
    }
}

#[test]
fn list_with_segment_rules_counts_the_empty_segment() {
    assert!(allows(&rules(&[("kv/+/+", r#""list""#)]), Operation::List, "kv/l"));
    let acl = rules(&[("kv/+/lst", r#""list""#)]);
    assert!(allows(&acl, Operation::List, "kv/z/lst"), "the fallback without the slash");
    let only_plus = rules(&[("kv/+", r#""list""#)]);
    assert!(allows(&only_plus, Operation::List, "kv/l"), "kv/+ only matches through the fallback");
}

#[test]
fn the_fallback_runs_only_when_nothing_matched() {
    let acl = rules(&[("kv/+", r#""list""#), ("kv/*", r#""read""#)]);
    assert!(!allows(&acl, Operation::List, "kv/l"), "kv/* matches kv/l/ first and grants no list");
    let acl = rules(&[("kv/g/*", r#""read""#), ("kv/g/+", r#""list""#)]);
    assert!(!allows(&acl, Operation::List, "kv/g/1"));
}

#[test]
fn other_operations_never_drop_the_slash() {
    let acl = rules(&[("kv/foo", r#""read", "update", "delete""#)]);
    for op in [Operation::Read, Operation::Update, Operation::Delete] {
        assert!(allows(&acl, op, "kv/foo"));
        assert!(!allows(&acl, op, "kv/foo/"), "{op}");
    }
}

#[test]
fn scan_needs_scan_and_appends_a_slash() {
    let acl = rules(&[("kv/s", r#""scan""#), ("kv/l", r#""list""#)]);
    assert!(allows(&acl, Operation::Scan, "kv/s"));
    assert!(!allows(&acl, Operation::List, "kv/s"));
    assert!(!allows(&acl, Operation::Scan, "kv/l"));
}

// §2.1 and §2.4: operations, sudo, root, help.

#[test]
fn each_operation_needs_its_capability() {
    let ops = [
        (Operation::Read, "read"),
        (Operation::Create, "create"),
        (Operation::Update, "update"),
        (Operation::Patch, "patch"),
        (Operation::Delete, "delete"),
        (Operation::List, "list"),
        (Operation::Scan, "scan"),
    ];
    for (op, cap) in ops {
        let acl = rules(&[("kv/x", &format!("{cap:?}"))]);
        for (other, _) in ops {
            assert_eq!(allows(&acl, other, "kv/x"), other == op, "{cap} for {other}");
        }
    }
    let acl = rules(&[("kv/x", r#""update""#)]);
    assert!(!allows(&acl, Operation::Patch, "kv/x"), "update alone does not allow patch");
    assert!(allows(&acl, Operation::Help, "kv/x"));
    assert!(allows(&Acl::new(&[]), Operation::Help, "anything"));
}

#[test]
fn root_protected_paths_need_sudo() {
    let check = |caps: &str, op: Operation| {
        let acl = rules(&[("sys/auth/*", caps)]);
        let req = AclRequest { sudo_required: true, ..request("sys/auth/x", op, None) };
        acl.check(&req)
    };
    assert_eq!(check(r#""create", "sudo""#, Operation::Update).reason, Reason::MissingCapability);
    assert_eq!(check(r#""update""#, Operation::Update).reason, Reason::SudoRequired);
    assert!(check(r#""update", "sudo""#, Operation::Update).allowed);
    assert!(allows(&rules(&[("sys/auth/*", r#""update""#)]), Operation::Update, "sys/auth/x"), "sudo only when asked");
}

#[test]
fn root_allows_everything() {
    let root = acl(&[("root", ""), ("default", "")]);
    assert!(root.is_root());
    let req = AclRequest { sudo_required: true, wrap_ttl: None, ..request("sys/rotate", Operation::Update, None) };
    let decision = root.check(&req);
    assert!(decision.allowed);
    assert_eq!((decision.reason, decision.rule), (Reason::Root, None));
    assert_eq!(root.capabilities("anything"), ["root"]);
    assert_eq!(root.resultant(), json!({"root": true}));
    assert!(Acl::root().is_root());
    assert!(!rules(&[]).is_root());
}

#[test]
fn no_policies_deny_everything() {
    let none = Acl::new(&[]);
    let decision = none.check(&request("kv/x", Operation::Read, None));
    assert!(!decision.allowed);
    assert_eq!((decision.reason, decision.rule), (Reason::NoRule, None));
    assert_eq!(none.capabilities("kv/x"), ["deny"]);
    assert_eq!(none.resultant(), json!({"exact_paths": {}, "glob_paths": {}, "root": false}));
    let empty = rules(&[("kv/x", "")]);
    assert_eq!(empty.capabilities("kv/x"), ["deny"]);
    assert_eq!(empty.check(&request("kv/x", Operation::Read, None)).reason, Reason::MissingCapability);
}

#[test]
fn leading_slashes_are_ignored() {
    let acl = rules(&[("kv/x", r#""read""#)]);
    assert!(allows(&acl, Operation::Read, "/kv/x"));
    assert_eq!(acl.capabilities("/kv/x"), ["read"]);
}

// §2.5: merging.

#[test]
fn deny_wins_a_merge_and_drops_parameters() {
    let grant = "path \"kv/m/*\" {\n  capabilities = [\"read\"]\n  allowed_parameters = { \"a\" = [] }\n}\n";
    let deny = r#"path "kv/m/*" { capabilities = ["deny"] }"#;
    for order in [[("g", grant), ("d", deny)], [("d", deny), ("g", grant)]] {
        let acl = acl(&order);
        assert_eq!(acl.capabilities("kv/m/x"), ["deny"]);
        let decision = acl.check(&request("kv/m/x", Operation::Read, None));
        assert_eq!(decision.reason, Reason::Deny);
        assert_eq!(decision.rule.unwrap().policies, ["d"], "only the denying policy is named");
        assert_eq!(acl.resultant()["glob_paths"]["kv/m/"], json!({"capabilities": ["deny"]}));
    }
}

#[test]
fn capabilities_are_ored() {
    let acl = acl(&[
        ("a", r#"path "kv/m/*" { capabilities = ["read"] }"#),
        ("b", r#"path "kv/m/*" { capabilities = ["list"] }"#),
    ]);
    assert_eq!(acl.capabilities("kv/m/x"), ["list", "read"]);
    let decision = acl.check(&request("kv/m/x", Operation::Read, None));
    assert_eq!(decision.rule.unwrap().policies, ["a", "b"]);
    assert_eq!(decision.granting_policies, ["a"]);
}

#[test]
fn blocks_for_one_path_in_one_policy_merge() {
    let text = "path \"kv/x\" {\n  capabilities = [\"read\"]\n}\npath \"kv/x\" {\n  capabilities = [\"update\"]\n}\n";
    assert_eq!(acl(&[("p", text)]).capabilities("kv/x"), ["read", "update"]);
}

#[test]
fn different_kinds_never_merge() {
    let acl = rules(&[("kv/a", r#""read""#), ("kv/a*", r#""list""#), ("kv/+", r#""update""#)]);
    assert_eq!(acl.capabilities("kv/a"), ["read"]);
    assert_eq!(acl.capabilities("kv/ab"), ["list"], "kv/a* globs later than kv/+");
    assert_eq!(acl.capabilities("kv/b"), ["update"]);
}

#[test]
fn parameter_maps_merge_key_by_key() {
    let m1 =
        "path \"kv/m/x\" {\n  capabilities = [\"create\", \"read\"]\n  allowed_parameters = { \"a\" = [\"1\"] }\n}\n";
    let m2 = "path \"kv/m/x\" {\n  capabilities = [\"update\"]\n  allowed_parameters = { \"b\" = [] }\n}\n";
    let m3 = "path \"kv/m/x\" {\n  allowed_parameters = { \"a\" = [] }\n}\n";
    let two = acl(&[("m1", m1), ("m2", m2)]);
    assert_eq!(
        two.resultant()["exact_paths"]["kv/m/x"],
        json!({"allowed_parameters": {"a": ["1"], "b": []}, "capabilities": ["create", "read", "update"]})
    );
    assert!(!allows_data(&two, Operation::Update, "kv/m/x", json!({"a": "2"})));
    let three = acl(&[("m1", m1), ("m2", m2), ("m3", m3)]);
    assert!(allows_data(&three, Operation::Update, "kv/m/x", json!({"a": "2"})), "an empty list wins");

    let d1 = "path \"kv/d\" {\n  capabilities = [\"update\"]\n  denied_parameters = { \"a\" = [\"1\"] }\n}\n";
    let d2 = "path \"kv/d\" {\n  denied_parameters = { \"a\" = [\"2\"] }\n}\n";
    let both = acl(&[("d1", d1), ("d2", d2)]);
    assert!(!allows_data(&both, Operation::Update, "kv/d", json!({"a": "1"})));
    assert!(!allows_data(&both, Operation::Update, "kv/d", json!({"a": "2"})));
    assert!(allows_data(&both, Operation::Update, "kv/d", json!({"a": "3"})));
}

#[test]
fn required_parameters_unite_and_ttls_take_the_smaller() {
    let p1 = "path \"kv/w\" {\n  capabilities = [\"update\"]\n  required_parameters = [\"a\"]\n  min_wrapping_ttl = \"1m\"\n  max_wrapping_ttl = \"1h\"\n  pagination_limit = 10\n}\n";
    let p2 = "path \"kv/w\" {\n  required_parameters = [\"b\", \"a\"]\n  min_wrapping_ttl = \"2m\"\n  max_wrapping_ttl = \"30m\"\n  pagination_limit = 5\n}\n";
    let p3 = "path \"kv/w\" {\n  capabilities = [\"read\"]\n}\n";
    let acl = acl(&[("p1", p1), ("p2", p2), ("p3", p3)]);
    assert_eq!(
        acl.resultant()["exact_paths"]["kv/w"],
        json!({"capabilities": ["read", "update"], "required_parameters": ["a", "b"], "min_wrapping_ttl": 60, "max_wrapping_ttl": 1800})
    );
    let listing = acl.check(&AclRequest { wrap_ttl: Some(60), ..request("kv/w", Operation::Read, None) });
    assert_eq!(listing.pagination_limit, None, "only LIST and SCAN report a page limit");
}

#[test]
fn a_merged_max_below_min_denies_everything() {
    let p1 = "path \"kv/w\" {\n  capabilities = [\"read\"]\n  min_wrapping_ttl = \"10m\"\n}\n";
    let p2 = "path \"kv/w\" {\n  max_wrapping_ttl = \"1m\"\n}\n";
    let acl = acl(&[("p1", p1), ("p2", p2)]);
    for ttl in [None, Some(30), Some(60), Some(600), Some(3600)] {
        let decision = acl.check(&AclRequest { wrap_ttl: ttl, ..request("kv/w", Operation::Read, None) });
        assert_eq!(decision.reason, Reason::Wrapping { min: 600, max: 60 }, "{ttl:?}");
    }
}

// §2.4: wrapping TTLs.

#[test]
fn wrapping_ttls_bound_the_request() {
    let max =
        acl(&[("p", "path \"kv/w\" {\n  capabilities = [\"read\", \"update\"]\n  max_wrapping_ttl = \"1h\"\n}\n")]);
    let wrapped =
        |acl: &Acl, ttl: Option<u64>, op| acl.check(&AclRequest { wrap_ttl: ttl, ..request("kv/w", op, None) });
    assert!(!wrapped(&max, None, Operation::Update).allowed, "max requires wrapping");
    assert!(wrapped(&max, Some(300), Operation::Read).allowed);
    assert!(wrapped(&max, Some(3600), Operation::Read).allowed);
    assert!(!wrapped(&max, Some(7200), Operation::Read).allowed);

    let min = acl(&[("p", "path \"kv/w\" {\n  capabilities = [\"read\"]\n  min_wrapping_ttl = 60\n}\n")]);
    assert!(!wrapped(&min, None, Operation::Read).allowed, "min requires wrapping too");
    assert!(!wrapped(&min, Some(59), Operation::Read).allowed);
    assert!(wrapped(&min, Some(60), Operation::Read).allowed);
    assert!(wrapped(&min, Some(86400), Operation::Read).allowed);
}

// §2.6: parameters.

fn param_acl(settings: &str) -> Acl {
    acl(&[(
        "p",
        &format!(
            "path \"kv/p\" {{\n  capabilities = [\"create\", \"read\", \"update\", \"patch\", \"delete\", \"list\"]\n  {settings}\n}}\n"
        ),
    )])
}

#[test]
fn required_parameters_must_be_present() {
    let acl = param_acl("required_parameters = [\"Must\"]");
    assert!(!allows_data(&acl, Operation::Update, "kv/p", json!({})));
    assert!(!allows_data(&acl, Operation::Update, "kv/p", json!({"Must": 1})), "looked up lowercased");
    assert!(!allows_data(&acl, Operation::Update, "kv/p", json!({"MUST": 1})));
    assert!(allows_data(&acl, Operation::Update, "kv/p", json!({"must": 1})));
    assert!(allows_data(&acl, Operation::Read, "kv/p", json!({"must": "1"})), "a GET's query counts");
    assert!(!allows(&acl, Operation::Read, "kv/p"));
    assert!(allows(&acl, Operation::Delete, "kv/p"), "delete is not checked");
    assert_eq!(reason(&acl, Operation::Patch, "kv/p", json!({"x": 1})), Reason::RequiredParameter("Must".into()));
}

#[test]
fn empty_data_passes_denied_and_allowed() {
    let acl = param_acl("denied_parameters = { \"*\" = [] }\n  allowed_parameters = { \"a\" = [\"1\"] }");
    assert!(allows_data(&acl, Operation::Update, "kv/p", json!({})));
    assert!(allows(&acl, Operation::Create, "kv/p"));
    assert_eq!(reason(&acl, Operation::Update, "kv/p", json!({"a": "1"})), Reason::AllParametersDenied);
}

#[test]
fn denied_parameters() {
    let acl = param_acl("denied_parameters = { \"secret\" = [], \"Mode\" = [\"rw\", \"x*\"] }");
    assert_eq!(
        reason(&acl, Operation::Update, "kv/p", json!({"secret": "v"})),
        Reason::DeniedParameter("secret".into())
    );
    assert!(!allows_data(&acl, Operation::Update, "kv/p", json!({"SECRET": null})), "names are case-insensitive");
    assert!(!allows_data(&acl, Operation::Update, "kv/p", json!({"mode": "rw"})));
    assert!(!allows_data(&acl, Operation::Update, "kv/p", json!({"mode": "xyz"})), "globbed values");
    assert!(allows_data(&acl, Operation::Update, "kv/p", json!({"mode": "RW"})), "values are case-sensitive");
    assert!(allows_data(&acl, Operation::Update, "kv/p", json!({"other": 1})));
    let star_values = param_acl("denied_parameters = { \"*\" = [\"only-this\"] }");
    assert!(!allows_data(&star_values, Operation::Update, "kv/p", json!({"a": "b"})), "* denies any key");
}

#[test]
fn allowed_parameters() {
    let acl = param_acl("allowed_parameters = { \"foo\" = [], \"bar\" = [\"x\", \"y*\", \"*z\", \"*mid*\"] }");
    assert!(allows_data(&acl, Operation::Update, "kv/p", json!({"foo": {"any": ["thing"]}, "bar": "x"})));
    assert_eq!(reason(&acl, Operation::Update, "kv/p", json!({"baz": 1})), Reason::ParameterNotAllowed("baz".into()));
    for ok in ["x", "yes", "y", "buzz", "amidst", "mid"] {
        assert!(allows_data(&acl, Operation::Update, "kv/p", json!({"bar": ok})), "{ok}");
    }
    for bad in ["X", "ax", "zed", "mi"] {
        let got = reason(&acl, Operation::Update, "kv/p", json!({"bar": bad}));
        assert_eq!(got, Reason::ParameterValueNotAllowed("bar".into()), "{bad}");
    }
    assert!(!allows_data(&acl, Operation::Update, "kv/p", json!({"bar": ["x"]})), "a list is not its element");
    assert!(allows_data(&acl, Operation::Update, "kv/p", json!({"BAR": "x"})), "names are case-insensitive");
    assert!(allows_data(&acl, Operation::Delete, "kv/p", json!({"baz": 1})), "delete is not checked");
    assert!(allows_data(&acl, Operation::List, "kv/p", json!({"baz": 1})), "list is not checked");
}

#[test]
fn the_star_in_allowed_parameters() {
    let any = param_acl("allowed_parameters = { \"*\" = [] }");
    assert!(allows_data(&any, Operation::Update, "kv/p", json!({"zzz": "q"})));
    let mixed = param_acl("allowed_parameters = { \"*\" = [], \"bar\" = [\"x\"] }");
    assert!(allows_data(&mixed, Operation::Update, "kv/p", json!({"zzz": "q"})));
    assert!(allows_data(&mixed, Operation::Update, "kv/p", json!({"bar": "x"})));
    assert!(!allows_data(&mixed, Operation::Update, "kv/p", json!({"bar": "q"})));
    let empty = param_acl("allowed_parameters = {}");
    assert!(allows_data(&empty, Operation::Update, "kv/p", json!({"zzz": "q"})));
}

#[test]
fn numbers_match_by_value() {
    // OpenBao never matches these (int in the policy, json.Number in the request).
    let acl = param_acl("allowed_parameters = { \"Num\" = [1, 2.5], \"flag\" = [true] }");
    assert!(allows_data(&acl, Operation::Update, "kv/p", json!({"num": 1})));
    assert!(allows_data(&acl, Operation::Update, "kv/p", json!({"num": 1.0})));
    assert!(allows_data(&acl, Operation::Update, "kv/p", json!({"NUM": 2.5})));
    assert!(!allows_data(&acl, Operation::Update, "kv/p", json!({"num": 3})));
    assert!(!allows_data(&acl, Operation::Update, "kv/p", json!({"num": "1"})), "a string is not a number");
    assert!(allows_data(&acl, Operation::Update, "kv/p", json!({"flag": true})));
    assert!(!allows_data(&acl, Operation::Update, "kv/p", json!({"flag": false})));
}

#[test]
fn page_size_limits() {
    let acl = param_acl("pagination_limit = 10");
    let list = |data: Value| {
        let Value::Object(map) = data else { panic!() };
        acl.check(&request("kv/p", Operation::List, Some(&map)))
    };
    let ok = list(json!({}));
    assert!(ok.allowed);
    assert_eq!(ok.pagination_limit, Some(10), "the caller applies the limit");
    for fine in [json!(5), json!("10"), json!("max"), json!(0)] {
        assert!(list(json!({"limit": fine})).allowed, "{fine}");
    }
    for bad in [json!(11), json!(-1), json!("lots"), json!(1.5), json!(null)] {
        assert_eq!(list(json!({"limit": bad})).reason, Reason::PageSize { limit: 10 }, "{bad}");
    }
    let required = param_acl("pagination_limit = 10\n  required_parameters = [\"Limit\"]");
    assert!(!required.check(&request("kv/p", Operation::List, None)).allowed);
}

// §3: capabilities and resultant-acl.

#[test]
fn capabilities_report_the_rule_ignoring_constraints() {
    let text = "path \"kv/m/x\" {\n  capabilities = [\"update\", \"read\", \"create\", \"sudo\"]\n  required_parameters = [\"a\"]\n  max_wrapping_ttl = 60\n}\npath \"kv/d/*\" {\n  capabilities = [\"deny\"]\n}\n";
    let acl = acl(&[("p", text)]);
    assert_eq!(acl.capabilities("kv/m/x"), ["create", "read", "sudo", "update"]);
    assert_eq!(acl.capabilities("kv/d/1"), ["deny"]);
    assert_eq!(acl.capabilities("kv/none"), ["deny"]);
}

#[test]
fn the_resultant_acl() {
    let main = r#"
path "auth/token/lookup-self" {
  capabilities = ["read"]
}
path "kv/m/x" {
  capabilities = ["create", "read", "update"]
  allowed_parameters = { "a" = ["1"], "b" = [] }
}
path "kv/wrap" {
  capabilities = ["create", "read", "update"]
  min_wrapping_ttl = "1m"
  max_wrapping_ttl = "1h"
}
path "kv/required" {
  capabilities = ["create", "read", "update"]
  required_parameters = ["must"]
}
path "kv/deniedall" {
  capabilities = ["create", "update"]
  denied_parameters = { "*" = [] }
}
path "cubbyhole/*" {
  capabilities = ["create", "read", "update", "delete", "list"]
}
path "kv/d/*" {
  capabilities = ["deny"]
}
path "identity/oidc/provider/+/authorize" {
  capabilities = ["read"]
}
path "identity/entity/id/{{identity.entity.id}}" {
  capabilities = ["read"]
}
path "kv/everything" {
  capabilities = ["scan", "patch", "sudo", "update", "read", "list", "delete", "create"]
}
"#;
    let acl = acl(&[("main", main)]);
    assert_eq!(
        acl.resultant(),
        json!({
            "exact_paths": {
                "auth/token/lookup-self": {"capabilities": ["read"]},
                "kv/m/x": {"allowed_parameters": {"a": ["1"], "b": []}, "capabilities": ["create", "read", "update"]},
                "kv/wrap": {"capabilities": ["create", "read", "update"], "max_wrapping_ttl": 3600, "min_wrapping_ttl": 60},
                "kv/required": {"capabilities": ["create", "read", "update"], "required_parameters": ["must"]},
                "kv/deniedall": {"capabilities": ["create", "update"], "denied_parameters": {"*": []}},
                "kv/everything": {"capabilities": ["create", "delete", "list", "read", "sudo", "update", "patch", "scan"]},
            },
            "glob_paths": {
                "cubbyhole/": {"capabilities": ["create", "delete", "list", "read", "update"]},
                "kv/d/": {"capabilities": ["deny"]},
            },
            "root": false,
        })
    );
}

// Rules left out.

#[test]
fn templated_and_expired_rules_are_skipped() {
    let text = "path \"identity/entity/id/{{identity.entity.id}}\" {\n  capabilities = [\"read\"]\n}\n";
    let acl = acl(&[("t", text)]);
    assert!(!allows(&acl, Operation::Read, "identity/entity/id/{{identity.entity.id}}"));
    assert_eq!(acl.resultant()["exact_paths"], json!({}));

    let text = "path \"kv/old\" {\n  capabilities = [\"read\"]\n  expiration = \"2030-01-01T00:00:00Z\"\n}\n";
    let policy = vec![Arc::new(parse_policy("e", text).unwrap())];
    let before = OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
    let after = OffsetDateTime::from_unix_timestamp(1_900_000_000).unwrap();
    assert_eq!(Acl::new_at(&policy, before).capabilities("kv/old"), ["read"]);
    assert_eq!(Acl::new_at(&policy, after).capabilities("kv/old"), ["deny"]);
}

#[test]
fn list_decisions_carry_the_filter_path() {
    let text = "path \"kv/f/*\" {\n  capabilities = [\"list\", \"read\"]\n  list_scan_response_keys_filter_path = \"kv/f/{{ .key }}\"\n}\n";
    let acl = acl(&[("f", text)]);
    let list = acl.check(&request("kv/f", Operation::List, None));
    assert_eq!(list.list_scan_response_keys_filter_path.as_deref(), Some("kv/f/{{ .key }}"));
    let read = acl.check(&request("kv/f/x", Operation::Read, None));
    assert_eq!(read.list_scan_response_keys_filter_path, None);
}

#[test]
fn a_decision_names_its_rule() {
    let acl = acl(&[
        ("dev", r#"path "secret/data/*" { capabilities = ["read", "list"] }"#),
        ("ops", r#"path "secret/data/*" { capabilities = ["update"] }"#),
    ]);
    let decision = acl.check(&request("secret/data/app", Operation::Update, None));
    assert!(decision.allowed);
    assert_eq!(decision.reason, Reason::Granted);
    assert_eq!(
        decision.rule,
        Some(MatchedRule {
            pattern: "secret/data/*".into(),
            kind: RuleKind::Prefix,
            capabilities: Capabilities::READ.union(Capabilities::LIST).union(Capabilities::UPDATE),
            policies: vec!["dev".into(), "ops".into()],
        })
    );
    assert_eq!(decision.granting_policies, ["ops"]);
}
