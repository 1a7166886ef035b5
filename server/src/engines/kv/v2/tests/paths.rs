//! Paths outside the KV v2 API: the group roots and everything else answer 404 with a
//! warning; help comes from the table.

use serde_json::json;

use super::Kv;
use crate::logical::Operation;

const ROOT: &str = "Non-listing operations on the root of a K/V v2 mount are not supported.";

fn invalid(command: &str) -> String {
    format!(
        "Invalid path for a versioned K/V secrets engine. See the API docs for the appropriate API endpoints to use. \
         If using the OpenBao CLI, use 'bao kv {command}' for this operation."
    )
}

#[tokio::test]
async fn group_roots_warn() {
    let kv = Kv::new().await;
    for root in ["data", "metadata", "delete", "undelete", "destroy"] {
        for op in [Operation::Read, Operation::Update, Operation::Patch, Operation::Delete] {
            let resp = kv.ok(op, root, json!({})).await.unwrap();
            assert_eq!((resp.status, resp.data.is_none()), (Some(404), true), "{op} {root}");
            assert_eq!(resp.warnings, vec![ROOT], "{op} {root}");
        }
    }
}

#[tokio::test]
async fn other_paths_say_which_command_to_use() {
    let kv = Kv::new().await;
    for (op, path, command) in [
        (Operation::Read, "foo", "get"),
        (Operation::Read, "", "get"),
        (Operation::Update, "foo", "put"),
        (Operation::Create, "foo/bar", "put"),
        (Operation::Patch, "foo", "patch"),
        (Operation::Delete, "foo", "delete"),
        (Operation::List, "", "list"),
        (Operation::List, "foo", "list"),
        (Operation::List, "config", "list"),
        (Operation::Read, "datax/foo", "get"),
        (Operation::Read, "Data/foo", "get"),
    ] {
        let resp = kv.ok(op, path, json!({})).await.unwrap();
        assert_eq!((resp.status, resp.data.is_none()), (Some(404), true), "{op} {path:?}");
        assert_eq!(resp.warnings, vec![invalid(command)], "{op} {path:?}");
    }
}

#[tokio::test]
async fn listing_a_group_that_does_not_list_is_405() {
    let kv = Kv::new().await;
    for path in ["data", "delete", "subkeys", "subkeys/x", "destroy/x"] {
        let result = kv.call(Operation::List, path, json!({})).await;
        assert!(matches!(result, Err(crate::logical::Error::UnsupportedOperation)), "{path}");
    }
}

#[tokio::test]
async fn help_comes_from_the_table() {
    let kv = Kv::new().await;
    for (path, needle) in [
        ("data/foo", "options.cas"),
        ("metadata/foo", "custom_metadata"),
        ("config", "max_versions"),
        ("destroy/foo", "cannot be undone"),
        ("nowhere", "Not a K/V v2 path"),
    ] {
        let resp = kv.ok(Operation::Help, path, json!({})).await.unwrap();
        let help = resp.data.unwrap()["help"].as_str().unwrap().to_string();
        assert!(help.contains(needle), "{path}: {help}");
    }
}
