use serde_json::json;

use super::*;
use crate::logical::Operation;
use crate::policy::AclRequest;

fn parse(text: &str) -> Policy {
    parse_policy("p", text).unwrap_or_else(|e| panic!("{text:?} should parse: {e}"))
}

fn rule(text: &str) -> PathRule {
    let mut policy = parse(text);
    assert_eq!(policy.rules.len(), 1, "{text:?}");
    policy.rules.remove(0)
}

/// The error for `text`, checked against the position and message expected.
fn fails(text: &str, line: usize, column: usize, message: &str) {
    let err = parse_policy("p", text).expect_err(text);
    assert_eq!((err.line, err.column, err.message.as_str()), (line, column, message), "{text:?}");
    assert_eq!(err.to_string(), format!("failed to parse policy: At {line}:{column}: {message}"));
}

// §1.4, row by row.

#[test]
fn unclosed_list_at_end_of_input() {
    fails(r#"path "a" { capabilities = ["read""#, 1, 34, "expected `]`");
}

#[test]
fn unclosed_list_reported_where_the_brace_is() {
    let text = "# one\n# two\npath \"a\" {\n  policy = \"read\"\n  capabilities = [\"read\"\n}\n";
    fails(text, 6, 1, "expected `]`");
}

#[test]
fn a_bare_word() {
    fails("hello", 1, 1, "key 'hello' expected start of object ('{') or assignment ('=')");
}

#[test]
fn base64_text_is_not_decoded() {
    // OpenBao decodes valid base64 before parsing; Arcanum parses the text as given.
    fails("abcd", 1, 1, "key 'abcd' expected start of object ('{') or assignment ('=')");
    let encoded = "cGF0aCAiYiIgeyBjYXBhYmlsaXRpZXMgPSBbInJlYWQiXSB9"; // path "b" { capabilities = ["read"] }
    assert!(parse_policy("p", encoded).is_err());
}

#[test]
fn an_invalid_capability() {
    fails(r#"path "a" { capabilities = ["reed"] }"#, 1, 28, r#"path "a": invalid capability "reed""#);
    let text = "path \"a\" {\n  capabilities = [\n    \"read\", \"subscribe\"]\n}\n";
    fails(text, 3, 13, r#"path "a": invalid capability "subscribe""#);
    fails(r#"path "a" { capabilities = ["READ"] }"#, 1, 28, r#"path "a": invalid capability "READ""#);
    fails(r#"path "a" { capabilities = ["root"] }"#, 1, 28, r#"path "a": invalid capability "root""#);
}

#[test]
fn an_unknown_top_level_block() {
    fails(r#"foo "a" { capabilities = ["read"] }"#, 1, 1, r#"invalid key "foo""#);
}

#[test]
fn an_unknown_top_level_attribute() {
    let text = "path \"a\" {\n  capabilities = [\"read\"]\n}\n\nbar = 2\n";
    fails(text, 5, 1, r#"invalid key "bar""#);
}

#[test]
fn top_level_keys_are_checked_before_path_blocks() {
    let text = "path \"a\" { capabilities = [\"reed\"] }\nbar = 2\n";
    fails(text, 2, 1, r#"invalid key "bar""#);
}

#[test]
fn an_unknown_key_in_a_block() {
    let text = "path \"a\" {\n  capabilitie = [\"read\"]\n}\n";
    fails(text, 2, 3, r#"path "a": invalid key "capabilitie""#);
}

#[test]
fn plus_star_is_forbidden() {
    fails(
        r#"path "a/+*" { capabilities = ["read"] }"#,
        1,
        6,
        r#"path "a/+*": invalid use of wildcards ('+*' is forbidden)"#,
    );
}

#[test]
fn max_wrapping_ttl_below_min() {
    let text =
        "path \"a\" {\n  capabilities = [\"read\"]\n  min_wrapping_ttl = \"10m\"\n  max_wrapping_ttl = \"1m\"\n}\n";
    fails(text, 4, 22, r#"path "a": max_wrapping_ttl cannot be less than min_wrapping_ttl"#);
}

#[test]
fn a_bad_duration() {
    let text = "path \"a\" {\n  min_wrapping_ttl = \"abc\"\n}\n";
    fails(text, 2, 22, r#"path "a": error parsing min_wrapping_ttl: invalid duration "abc""#);
    let text = "path \"a\" {\n  max_wrapping_ttl = -5\n}\n";
    fails(text, 2, 22, r#"path "a": error parsing max_wrapping_ttl: invalid duration -5"#);
    let text = "path \"a\" {\n  max_wrapping_ttl = true\n}\n";
    fails(text, 2, 22, r#"path "a": error parsing max_wrapping_ttl: expected a duration, found a boolean"#);
}

#[test]
fn an_invalid_legacy_policy() {
    fails(r#"path "a" { policy = "foo" }"#, 1, 21, r#"path "a": invalid policy "foo""#);
}

#[test]
fn capabilities_not_a_list() {
    let text = "path \"a\" {\n  capabilities = [\"read\"]\n}\n\npath \"b\" {\n  capabilities = \"read\"\n}\n";
    fails(text, 6, 18, r#"path "b": capabilities: expected a list of strings, found a string"#);
}

#[test]
fn capabilities_not_a_list_in_json() {
    let text = "{\"path\": {\n  \"a\": {\"capabilities\": \"read\"}\n}}";
    fails(text, 2, 25, r#"path "a": capabilities: expected a list of strings, found a string"#);
}

#[test]
fn allowed_parameter_values_not_a_list() {
    let text = "path \"a\" {\n  capabilities = [\"read\"]\n  allowed_parameters = {\"x\" = \"notalist\"}\n}\n";
    fails(text, 3, 31, r#"path "a": allowed_parameters: "x": expected a list of values, found a string"#);
    let text = "path \"a\" {\n  denied_parameters = [\"x\"]\n}\n";
    fails(
        text,
        2,
        23,
        r#"path "a": denied_parameters: expected an object of parameter names to lists of values, found a list"#,
    );
}

// Further errors, each with its position.

#[test]
fn malformed_json_is_refused() {
    // OpenBao 2.7.2 accepted these (204) and granted nothing.
    let err = parse_policy("p", r#"{"path": "#).unwrap_err();
    assert_eq!((err.line, err.column), (1, 10), "{err}");
    assert!(err.message.starts_with("invalid JSON: EOF while parsing a value"), "{err}");
    let err = parse_policy("p", "{\"path\": {\"a\": {\"capabilities\": [\"read\"]}}").unwrap_err();
    assert_eq!(err.line, 1, "{err}");
    assert!(err.message.starts_with("invalid JSON: EOF while parsing an object"), "{err}");
    let err = parse_policy("p", "{\"path\": {\"a\": {}}}}").unwrap_err();
    assert_eq!((err.line, err.column), (1, 20), "{err}");
    assert!(err.message.contains("trailing characters"), "{err}");
}

#[test]
fn json_semantic_errors_point_at_the_key_or_value() {
    let text = "{\n  \"path\": {\n    \"a\": {\n      \"capabilitie\": [\"read\"]\n    }\n  }\n}";
    fails(text, 4, 7, r#"path "a": invalid key "capabilitie""#);
    let text = "{\"name\": \"x\", \"paths\": {}}";
    fails(text, 1, 15, r#"invalid key "paths""#);
    let text = "{\"path\": {\"a\": {\"capabilities\": [\"read\"], \"capabilities\": [\"list\"]}}}";
    fails(text, 1, 43, r#"path "a": duplicate key "capabilities""#);
    let text = "{\"path\": \"a\"}";
    fails(text, 1, 10, r#""path" must map paths to rules, found a string"#);
    let text = "{\"path\": {\"a\": [\"read\"]}}";
    fails(text, 1, 17, r#"path "a": expected a block of settings, found a string"#);
}

#[test]
fn hcl_values_that_are_not_literals() {
    let text = "path \"a\" {\n  capabilities = [read]\n}\n";
    fails(text, 2, 19, r#"path "a": capabilities: expected a string, found the bare word read (put it in quotes)"#);
    let text = "path \"a\" {\n  allowed_parameters = { \"x\" = [upper(\"a\")] }\n}\n";
    fails(text, 2, 33, r#"path "a": allowed_parameters: "x": expected a value, found a function call"#);
    let text = "path \"a\" {\n  capabilities = [\"${x}\"]\n}\n";
    let err = parse_policy("p", text).unwrap_err();
    assert_eq!((err.line, err.column), (2, 19));
    assert!(err.message.contains("interpolated string"), "{err}");
}

#[test]
fn hcl1_layouts_hcl2_refuses_get_a_hint() {
    // OpenBao (HCL 1) accepts these; the error says what to change.
    let err = parse_policy("p", "path \"a\" {\n  capabilities = [\"read\"] }\n").unwrap_err();
    assert_eq!((err.line, err.column), (2, 27));
    assert!(err.message.contains("a line of its own"), "{err}");
    let err = parse_policy("p", "path \"a\" { policy = \"read\" capabilities = [\"list\"] }").unwrap_err();
    assert!(err.message.contains("a line of its own"), "{err}");
}

#[test]
fn templating_must_balance() {
    let msg =
        r#"path "a/{{identity.entity.id": failed to validate policy templating: unbalanced templating characters"#;
    fails(r#"path "a/{{identity.entity.id" { capabilities = ["read"] }"#, 1, 6, msg);
    assert!(parse_policy("p", r#"path "a/}}/{{x}}" { }"#).is_err());
    assert!(parse_policy("p", r#"path "a/{{x}}}}" { }"#).is_err());
}

#[test]
fn other_settings_are_validated() {
    let text = "path \"a\" {\n  capabilities = [\"read\"]\n  list_scan_response_keys_filter_path = \"{{ .key }}\"\n}\n";
    fails(
        text,
        3,
        41,
        r#"path "a": list_scan_response_keys_filter_path needs to be used on a path with the list capability"#,
    );
    let text = "path \"a\" {\n  expiration = \"tomorrow\"\n}\n";
    fails(text, 2, 16, r#"path "a": invalid expiration time: could not parse string as date and time"#);
    let text = "path \"a\" {\n  pagination_limit = -1\n}\n";
    fails(text, 2, 22, r#"path "a": pagination_limit: expected a non-negative integer, found a number"#);
    let text = "path \"a\" {\n  required_parameters = [1]\n}\n";
    fails(text, 2, 26, r#"path "a": required_parameters: expected a string, found a number"#);
    let text = "path \"a\" {\n  control_group = {\n    approvers = 2\n  }\n}\n";
    fails(text, 3, 5, r#"path "a": control_group: invalid key "approvers""#);
}

#[test]
fn columns_count_characters_not_bytes() {
    let text = "path \"é\" {\n  capabilities = [\"réad\"]\n}\n";
    fails(text, 2, 19, r#"path "é": invalid capability "réad""#);
}

#[test]
fn errors_convert_to_a_bad_request() {
    let err = parse_policy("p", "hello").unwrap_err();
    let core: crate::logical::Error = err.into();
    assert!(
        matches!(core, crate::logical::Error::InvalidRequest(m) if m.starts_with("failed to parse policy: At 1:1:"))
    );
}

// What parses, and into what.

#[test]
fn empty_policies_grant_nothing() {
    for text in ["", "   ", "# just a comment", "// c\n/* c */\n", "{}", " {} ", "\n\n"] {
        let policy = parse(text);
        assert!(policy.rules.is_empty(), "{text:?}");
        assert_eq!(policy.text, text);
    }
    assert_eq!(rule(r#"path "a" { capabilities = [] }"#).capabilities, Capabilities::NONE);
    assert_eq!(rule(r#"path "a" { }"#).capabilities, Capabilities::NONE);
    assert_eq!(rule("path \"a\" {\n}\n").capabilities, Capabilities::NONE);
}

#[test]
fn a_full_block() {
    let text = r#"
path "/secret/data/*" {
  capabilities        = ["create", "read", "update", "patch", "delete", "list", "scan"]
  allowed_parameters  = { "Foo" = [], "bar" = ["x", "y*", 1, true, null, ["l"]] }
  denied_parameters   = { "secret" = [] }
  required_parameters = ["Must"]
  min_wrapping_ttl    = "1m"
  max_wrapping_ttl    = 3600
  mfa_methods         = ["totp"]
  pagination_limit    = 50
  comment             = "anything"
}
name = "ignored"
"#;
    let policy = parse(text);
    assert_eq!(policy.text, text);
    assert_eq!(policy.name, "p");
    assert!(!policy.templated);
    let r = &policy.rules[0];
    assert_eq!(r.path, "secret/data/*");
    assert_eq!(r.kind, RuleKind::Prefix);
    assert_eq!(r.key(), "secret/data/");
    assert_eq!(r.capabilities.names(), ["create", "read", "update", "patch", "delete", "list", "scan"]);
    assert_eq!(r.allowed_parameters["foo"], Vec::<serde_json::Value>::new());
    assert_eq!(
        r.allowed_parameters["bar"],
        vec![json!("x"), json!("y*"), json!(1), json!(true), json!(null), json!(["l"])]
    );
    assert_eq!(r.denied_parameters["secret"], Vec::<serde_json::Value>::new());
    assert_eq!(r.required_parameters, ["Must"], "kept as written");
    assert_eq!((r.min_wrapping_ttl, r.max_wrapping_ttl), (60, 3600));
    assert_eq!(r.mfa_methods, ["totp"]);
    assert_eq!(r.pagination_limit, 50);
}

#[test]
fn the_same_policy_as_json() {
    let text = r#"{"path": {"secret/*": {"capabilities": ["read", "list"], "allowed_parameters": {"A": ["1", 2]},
        "min_wrapping_ttl": "1m"}, "sys/mounts": {"capabilities": ["read"]}}, "name": "x"}"#;
    let policy = parse(text);
    assert_eq!(policy.rules.len(), 2);
    assert_eq!(policy.rules[0].path, "secret/*");
    assert_eq!(policy.rules[0].capabilities.names(), ["read", "list"]);
    assert_eq!(policy.rules[0].allowed_parameters["a"], vec![json!("1"), json!(2)]);
    assert_eq!(policy.rules[0].min_wrapping_ttl, 60);
    assert_eq!(policy.rules[1].path, "sys/mounts");
    assert_eq!(policy.rules[1].kind, RuleKind::Exact);
}

#[test]
fn json_lists_of_objects_and_repeated_paths() {
    let text =
        r#"{"path": [{"a": {"capabilities": ["read"]}}, {"b": [{"policy": "read"}, {"capabilities": ["sudo"]}]}]}"#;
    let paths: Vec<_> = parse(text).rules.into_iter().map(|r| (r.path, r.capabilities.names())).collect();
    assert_eq!(paths, [("a".into(), vec!["read"]), ("b".into(), vec!["read", "list"]), ("b".into(), vec!["sudo"])]);
    let text = r#"{"path": {"a": {}}, "path": {"b": {}}}"#;
    assert_eq!(parse(text).rules.len(), 2);
}

#[test]
fn hcl_attribute_form_of_path() {
    let text = "path = {\n  \"a\" = { capabilities = [\"read\"] }\n}\n";
    assert_eq!(rule(text).path, "a");
}

#[test]
fn legacy_policy_values_add_to_capabilities() {
    assert_eq!(rule(r#"path "a" { policy = "read" }"#).capabilities.names(), ["read", "list"]);
    assert_eq!(
        rule(r#"path "a" { policy = "write" }"#).capabilities.names(),
        ["create", "read", "update", "delete", "list"]
    );
    let text = "path \"a\" {\n  policy = \"sudo\"\n  capabilities = [\"patch\"]\n}\n";
    assert_eq!(rule(text).capabilities.names(), ["create", "read", "update", "patch", "delete", "list", "sudo"]);
    let text = "path \"a\" {\n  capabilities = [\"patch\"]\n  policy = \"deny\"\n}\n";
    assert_eq!(rule(text).capabilities, Capabilities::DENY);
}

#[test]
fn deny_makes_a_block_deny_only() {
    let text = r#"
path "a" {
  capabilities       = ["read", "deny", "list"]
  allowed_parameters = { "x" = [] }
  denied_parameters  = { "y" = [] }
  required_parameters = ["z"]
  max_wrapping_ttl   = "1h"
}
"#;
    let r = rule(text);
    assert_eq!(r.capabilities, Capabilities::DENY);
    assert!(r.allowed_parameters.is_empty() && r.denied_parameters.is_empty() && r.required_parameters.is_empty());
    assert_eq!(r.max_wrapping_ttl, 0);
    assert_eq!(rule(r#"path "a" { capabilities = ["deny"] }"#).capabilities.names(), ["deny"]);
}

#[test]
fn paths_and_their_kinds() {
    let kind = |p: &str| rule(&format!("path {p:?} {{ }}"));
    assert_eq!((kind("/kv/lead").path, kind("/kv/lead").kind), ("kv/lead".into(), RuleKind::Exact));
    assert_eq!(kind("//kv").path, "/kv", "only one leading slash goes, as in OpenBao");
    assert_eq!(kind("kv/mid*dle").kind, RuleKind::Exact);
    assert_eq!(kind("kv/a/b*").kind, RuleKind::Prefix);
    assert_eq!(kind("*").key(), "");
    assert_eq!(kind("kv/+/c").kind, RuleKind::Segment);
    assert_eq!(kind("kv/+/c*").key(), "kv/+/c*", "segment rules keep their *");
    assert_eq!(kind("+").kind, RuleKind::Segment);
    assert_eq!(kind("+/x").kind, RuleKind::Segment);
    assert_eq!(kind("kv/a+b").kind, RuleKind::Exact);
    assert_eq!(rule("path { }").path, "path", "a block without a label is the path \"path\"");
    assert_eq!(rule(r#"path "a" "b" { }"#).path, "a", "only the first label counts");
}

#[test]
fn parameter_names_are_lowercased_and_merged() {
    let text =
        "path \"a\" {\n  allowed_parameters = { \"Num\" = [1], \"NUM\" = [2], \"x\" = [\"a\"], \"X\" = [] }\n}\n";
    let r = rule(text);
    assert_eq!(r.allowed_parameters["num"], vec![json!(2), json!(1)]);
    assert_eq!(r.allowed_parameters["x"], Vec::<serde_json::Value>::new(), "an empty list wins");
}

#[test]
fn nested_block_form_of_parameters() {
    let text = "path \"a\" {\n  allowed_parameters {\n    foo = [\"x\"]\n  }\n}\n";
    assert_eq!(rule(text).allowed_parameters["foo"], vec![json!("x")]);
}

#[test]
fn identity_templates_are_marked() {
    let policy =
        parse("path \"identity/entity/id/{{identity.entity.id}}\" {\n  capabilities = [\"read\"]\n}\npath \"b\" { }\n");
    assert!(policy.templated);
    assert!(policy.rules[0].templated);
    assert!(!policy.rules[1].templated);
    assert!(parse(r#"path "x/{{identity.bogus}}" { }"#).templated, "unknown placeholders pass, as in OpenBao");
}

#[test]
fn expirations_and_filters() {
    let r = rule("path \"a\" {\n  expiration = \"2030-01-02T03:04:05Z\"\n}\n");
    assert_eq!(r.expiration.unwrap().unix_timestamp(), 1_893_553_445);
    assert_eq!(rule("path \"a\" {\n  expiration = 100\n}\n").expiration.unwrap().unix_timestamp(), 100);
    assert_eq!(rule("path \"a\" {\n  expiration = \"100\"\n}\n").expiration.unwrap().unix_timestamp(), 100);
    assert_eq!(rule("path \"a\" {\n  expiration = \"\"\n}\n").expiration, None);
    let text =
        "path \"a\" {\n  capabilities = [\"list\"]\n  list_scan_response_keys_filter_path = \"x/{{ .key }}\"\n}\n";
    assert_eq!(rule(text).list_scan_response_keys_filter_path.as_deref(), Some("x/{{ .key }}"));
    let text = "path \"a\" {\n  control_group {\n    ttl = \"1h\"\n    factor \"ops\" {\n      identity {\n        approvals = 1\n      }\n    }\n  }\n}\n";
    assert_eq!(rule(text).capabilities, Capabilities::NONE);
}

// No input panics.

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const SEEDS: [&str; 4] = [
    "path \"kv/+/x*\" {\n  capabilities = [\"read\", \"list\"]\n  allowed_parameters = { \"a\" = [\"1\", 2] }\n  min_wrapping_ttl = \"1m\"\n}\n",
    "{\"path\": {\"a/*\": {\"capabilities\": [\"deny\"], \"denied_parameters\": {\"*\": []}}}}",
    crate::policy::builtin::DEFAULT_POLICY,
    "path \"é/{{identity.entity.id}}\" {\n  policy = \"sudo\"\n  control_group { ttl = 5 }\n}\n",
];

const ALPHABET: &[u8] = b"{}[]()\"=:,*+/\\\n #${}%<-.0123456789abcde\xc3\xa9ptlh\t\r\xff";

fn mutate(rng: &mut Rng, text: &str) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for _ in 0..=rng.below(4) {
        let at = rng.below(bytes.len() + 1);
        match rng.below(3) {
            0 if at < bytes.len() => {
                bytes.remove(at);
            }
            1 => bytes.insert(at, ALPHABET[rng.below(ALPHABET.len())]),
            _ if at < bytes.len() => bytes[at] = ALPHABET[rng.below(ALPHABET.len())],
            _ => bytes.push(b'}'),
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

#[test]
fn garbage_never_panics() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut parsed = 0;
    for i in 0..4000 {
        let text = if i % 2 == 0 {
            let len = rng.below(80);
            let bytes: Vec<u8> = (0..len).map(|_| ALPHABET[rng.below(ALPHABET.len())]).collect();
            String::from_utf8_lossy(&bytes).into_owned()
        } else {
            let seed = SEEDS[rng.below(SEEDS.len())];
            mutate(&mut rng, seed)
        };
        if let Ok(policy) = parse_policy("fuzz", &text) {
            parsed += 1;
            let acl = crate::policy::Acl::new(&[std::sync::Arc::new(policy)]);
            let data = json!({"a": "1", "limit": "5", "Must": [1]});
            let data = data.as_object();
            for path in ["kv/a/x", "a/b", "", "/", "kv//", "é"] {
                let _ = acl.capabilities(path);
                for operation in [Operation::Read, Operation::Update, Operation::List, Operation::Scan] {
                    let req = AclRequest { path, operation, data, sudo_required: i % 3 == 0, wrap_ttl: Some(60) };
                    let _ = acl.explain_request(&req);
                }
            }
            let _ = acl.resultant();
        }
    }
    assert!(parsed > 100, "the mutations should leave many policies valid ({parsed})");
}

#[test]
fn pathological_sizes_do_not_panic() {
    let deep = format!("x = {}1{}", "[".repeat(10_000), "]".repeat(10_000));
    assert!(parse_policy("p", &deep).is_err());
    let deep_json = format!("{{\"path\": {}1{}}}", "[".repeat(10_000), "]".repeat(10_000));
    assert!(parse_policy("p", &deep_json).is_err());
    let long = format!("path \"{}\" {{ capabilities = [\"read\"] }}", "a/".repeat(50_000));
    assert_eq!(parse(&long).rules.len(), 1);
    let _ = parse_policy("p", "\u{feff}path \"a\" { }");
}
