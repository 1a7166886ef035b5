//! `subkeys/<path>`: a version's structure without its values. Leaves become `null`;
//! arrays and empty objects count as leaves; `depth` (0: unlimited) cuts the tree.
//! Versions are chosen and refused as for `data/` reads.

use std::sync::Arc;

use serde_json::{Value, json};

use super::data::VersionRead;
use super::{KvV2, path_field};
use crate::framework::{Field, FieldData, Path};
use crate::logical::{Operation, Request, Response, Result};

pub(super) fn paths() -> Vec<Path<KvV2>> {
    vec![
        Path::new("subkeys/{path?*}")
            .field(path_field())
            .field(Field::int("depth", "How deep to go; keys at this depth show as null. 0 means no limit."))
            .field(Field::int("version", "The version to read; absent or 0 means the current one."))
            .on(Operation::Read, KvV2::read_subkeys)
            .help(SYNOPSIS, DESCRIPTION),
    ]
}

impl KvV2 {
    async fn read_subkeys(self: Arc<Self>, _req: Request, d: FieldData) -> Result<Option<Response>> {
        let key = d.string("path")?;
        let depth = d.int("depth")?;
        Ok(match self.read_version(&key, d.int("version")?).await? {
            VersionRead::Missing => None,
            VersionRead::Gone(metadata) => {
                Some(Response::data(json!({"metadata": metadata, "subkeys": null})).with_status(404))
            }
            VersionRead::Live(metadata, data) => {
                Some(Response::data(json!({"metadata": metadata, "subkeys": subkeys(data, depth)})))
            }
        })
    }
}

/// `data` with every leaf replaced by null, objects kept down to `max_depth` levels (0:
/// all). A negative depth behaves as OpenBao's does: like 1.
fn subkeys(data: Value, max_depth: i64) -> Value {
    fn walk(value: Value, depth: i64, max_depth: i64) -> Value {
        match value {
            Value::Object(map) => Value::Object(
                map.into_iter()
                    .map(|(k, v)| {
                        let deeper =
                            matches!(&v, Value::Object(m) if !m.is_empty()) && (max_depth == 0 || depth < max_depth);
                        (k, if deeper { walk(v, depth + 1, max_depth) } else { Value::Null })
                    })
                    .collect(),
            ),
            other => other,
        }
    }
    walk(data, 1, max_depth)
}

const SYNOPSIS: &str = "Read the structure of a secret without its values.";

const DESCRIPTION: &str = r#"
Returns the keys of a version's data with every value replaced by null (read
capability). Arrays and empty objects are leaves. "depth" limits how many levels are
shown (0: all); "version" picks the version (default: the current one). A deleted or
destroyed version answers 404 with its metadata.
"#;

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::subkeys;

    #[test]
    fn leaves_become_null() {
        let data = json!({"a": "1", "n": {"x": [1, 2, {"y": null}], "e": {}, "deep": {"z": {"w": 1}}}});
        assert_eq!(
            subkeys(data.clone(), 0),
            json!({"a": null, "n": {"x": null, "e": null, "deep": {"z": {"w": null}}}})
        );
        assert_eq!(subkeys(data.clone(), 1), json!({"a": null, "n": null}));
        assert_eq!(subkeys(data.clone(), 2), json!({"a": null, "n": {"x": null, "e": null, "deep": null}}));
        assert_eq!(subkeys(data.clone(), -1), json!({"a": null, "n": null}));
        assert_eq!(subkeys(json!({}), 0), json!({}));
        assert_eq!(subkeys(json!(null), 0), json!(null));
    }
}
