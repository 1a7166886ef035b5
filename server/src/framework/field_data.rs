//! Typed access to a request's fields, coerced by each field's declared type with Vault's
//! tolerances (`"1h"` or `3600`, `"a,b"` or `["a","b"]`, `"true"` or `true`). A value
//! that does not fit its type is a 400 naming the field.

use std::sync::Arc;

use serde_json::{Map, Value};

use super::duration::parse_duration_seconds;
use super::field::{Field, FieldType};
use crate::logical::Error;

pub struct FieldData {
    raw: Map<String, Value>,
    fields: Arc<[Field]>,
}

impl FieldData {
    pub fn new(raw: Map<String, Value>, fields: Arc<[Field]>) -> Self {
        FieldData { raw, fields }
    }

    /// Check every declared field that was sent, and, for writes, that required ones are
    /// present (a path's reads and deletes take no body, whatever its writes need).
    pub fn validate(&self, write: bool) -> Result<(), Error> {
        for field in self.fields.iter() {
            match self.raw.get(field.name) {
                Some(value) => {
                    coerce(field, value)?;
                }
                None if field.required && write => {
                    return Err(Error::invalid(format!("missing required field '{}'", field.name)));
                }
                None => {}
            }
        }
        Ok(())
    }

    /// Names that were sent but that the path does not declare (reported as a warning).
    pub fn unknown_fields(&self) -> Vec<String> {
        let mut unknown: Vec<String> =
            self.raw.keys().filter(|k| !self.fields.iter().any(|f| f.name == k.as_str())).cloned().collect();
        unknown.sort();
        unknown
    }

    /// Whether the request sent `name` at all.
    pub fn is_set(&self, name: &str) -> bool {
        self.raw.contains_key(name)
    }

    /// The coerced value of `name`, its default if not sent, or `None`.
    pub fn get(&self, name: &str) -> Result<Option<Value>, Error> {
        let field = self.field(name)?;
        match self.raw.get(name) {
            Some(value) => coerce(field, value).map(Some),
            None => Ok(field.default.clone()),
        }
    }

    pub fn opt_string(&self, name: &str) -> Result<Option<String>, Error> {
        Ok(self.get(name)?.and_then(|v| v.as_str().map(str::to_string)))
    }

    pub fn string(&self, name: &str) -> Result<String, Error> {
        Ok(self.opt_string(name)?.unwrap_or_default())
    }

    pub fn opt_int(&self, name: &str) -> Result<Option<i64>, Error> {
        Ok(self.get(name)?.and_then(|v| v.as_i64()))
    }

    pub fn int(&self, name: &str) -> Result<i64, Error> {
        Ok(self.opt_int(name)?.unwrap_or(0))
    }

    pub fn bool(&self, name: &str) -> Result<bool, Error> {
        Ok(self.get(name)?.and_then(|v| v.as_bool()).unwrap_or(false))
    }

    /// A duration in seconds.
    pub fn duration(&self, name: &str) -> Result<u64, Error> {
        Ok(self.get(name)?.and_then(|v| v.as_u64()).unwrap_or(0))
    }

    /// A `KvPairs` field as a map.
    pub fn kv_pairs(&self, name: &str) -> Result<std::collections::BTreeMap<String, String>, Error> {
        Ok(match self.get(name)? {
            Some(Value::Object(map)) => {
                map.into_iter().filter_map(|(k, v)| v.as_str().map(|v| (k, v.to_string()))).collect()
            }
            _ => Default::default(),
        })
    }

    pub fn strings(&self, name: &str) -> Result<Vec<String>, Error> {
        Ok(match self.get(name)? {
            Some(Value::Array(items)) => items.into_iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
            _ => Vec::new(),
        })
    }

    fn field(&self, name: &str) -> Result<&Field, Error> {
        self.fields
            .iter()
            .find(|f| f.name == name)
            .ok_or_else(|| Error::Internal(format!("the handler read undeclared field {name:?}")))
    }
}

fn coerce(field: &Field, value: &Value) -> Result<Value, Error> {
    let fail = |why: &str| Error::invalid(format!("field '{}' expects {}: {why}", field.name, field.kind.name()));
    match field.kind {
        FieldType::Raw => Ok(value.clone()),
        FieldType::String => match value {
            Value::String(_) => Ok(value.clone()),
            Value::Number(n) => Ok(Value::String(n.to_string())),
            Value::Bool(b) => Ok(Value::String(b.to_string())),
            Value::Null => Ok(Value::String(String::new())),
            _ => Err(fail("got an object or array")),
        },
        FieldType::Int => match value {
            Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    Ok(Value::from(i))
                } else if let Some(f) = n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15) {
                    Ok(Value::from(f as i64))
                } else {
                    Err(fail(&format!("{n} is not a whole number")))
                }
            }
            Value::String(s) if s.trim().is_empty() => Ok(Value::from(0)),
            Value::String(s) => {
                s.trim().parse::<i64>().map(Value::from).map_err(|_| fail(&format!("{s:?} is not a number")))
            }
            _ => Err(fail("got a non-number")),
        },
        FieldType::Bool => match value {
            Value::Bool(_) => Ok(value.clone()),
            Value::Number(n) if n.as_i64() == Some(0) || n.as_i64() == Some(1) => {
                Ok(Value::Bool(n.as_i64() == Some(1)))
            }
            Value::String(s) => match s.trim() {
                "1" | "t" | "T" | "true" | "TRUE" | "True" => Ok(Value::Bool(true)),
                "0" | "f" | "F" | "false" | "FALSE" | "False" | "" => Ok(Value::Bool(false)),
                other => Err(fail(&format!("{other:?} is not true or false"))),
            },
            _ => Err(fail("got a non-boolean")),
        },
        FieldType::DurationSecond => match value {
            Value::Number(n) => n
                .as_u64()
                .or_else(|| n.as_f64().filter(|f| *f >= 0.0 && f.is_finite()).map(|f| f as u64))
                .map(Value::from)
                .ok_or_else(|| fail(&format!("{n} is negative"))),
            Value::String(s) => parse_duration_seconds(s).map(Value::from).map_err(|e| fail(&e)),
            _ => Err(fail("got a non-duration")),
        },
        FieldType::CommaStringSlice => match value {
            Value::Array(items) => items
                .iter()
                .map(|v| match v {
                    Value::String(s) => Ok(Value::String(s.trim().to_string())),
                    Value::Number(n) => Ok(Value::String(n.to_string())),
                    _ => Err(fail("list items must be strings")),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array),
            Value::String(s) => Ok(Value::Array(
                s.split(',').map(str::trim).filter(|p| !p.is_empty()).map(|p| Value::String(p.to_string())).collect(),
            )),
            Value::Null => Ok(Value::Array(vec![])),
            _ => Err(fail("got neither a list nor a string")),
        },
        FieldType::StringSlice => match value {
            Value::String(s) => Ok(Value::Array(vec![Value::String(s.clone())])),
            Value::Null => Ok(Value::Array(vec![])),
            Value::Array(items) => items
                .iter()
                .map(|v| match v {
                    Value::String(s) => Ok(Value::String(s.clone())),
                    Value::Number(n) => Ok(Value::String(n.to_string())),
                    _ => Err(fail("list items must be strings")),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array),
            _ => Err(fail("got neither a list nor a string")),
        },
        FieldType::KvPairs => {
            let pair = |s: &str| match s.split_once('=') {
                Some((k, v)) if !k.is_empty() => Ok((k.to_string(), Value::String(v.to_string()))),
                _ => Err(fail(&format!("{s:?} is not of the form key=value"))),
            };
            match value {
                Value::Null => Ok(Value::Object(Map::new())),
                Value::Object(map) => Ok(Value::Object(
                    map.iter()
                        .map(|(k, v)| {
                            let text = match v {
                                Value::String(s) => s.clone(),
                                other => other.to_string(),
                            };
                            (k.clone(), Value::String(text))
                        })
                        .collect(),
                )),
                Value::String(s) if s.is_empty() => Ok(Value::Object(Map::new())),
                Value::String(s) => pair(s).map(|(k, v)| Value::Object([(k, v)].into_iter().collect())),
                Value::Array(items) => items
                    .iter()
                    .map(|item| {
                        item.as_str().ok_or_else(|| fail("list items must be key=value strings")).and_then(pair)
                    })
                    .collect::<Result<Map<_, _>, _>>()
                    .map(Value::Object),
                _ => Err(fail("got a non-map")),
            }
        }
        FieldType::Map => match value {
            Value::Object(_) => Ok(value.clone()),
            Value::Null => Ok(Value::Object(Map::new())),
            Value::String(s) => match serde_json::from_str::<Value>(s) {
                Ok(v @ Value::Object(_)) => Ok(v),
                _ => Err(fail("the string is not a JSON object")),
            },
            _ => Err(fail("got a non-object")),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn data(raw: Value) -> FieldData {
        let fields: Arc<[Field]> = vec![
            Field::string("name", ""),
            Field::int("count", "").default(3),
            Field::bool("flag", ""),
            Field::duration("ttl", ""),
            Field::strings("policies", ""),
            Field::map("meta", ""),
            Field::string("needed", "").required(),
        ]
        .into();
        FieldData::new(raw.as_object().unwrap().clone(), fields)
    }

    #[test]
    fn coerces_with_vaults_tolerances() {
        let d = data(json!({"name": 5, "count": "7", "flag": "true", "ttl": "1h", "policies": "a, b", "needed": "x"}));
        d.validate(true).unwrap();
        assert_eq!(d.string("name").unwrap(), "5");
        assert_eq!(d.int("count").unwrap(), 7);
        assert!(d.bool("flag").unwrap());
        assert_eq!(d.duration("ttl").unwrap(), 3600);
        assert_eq!(d.strings("policies").unwrap(), vec!["a", "b"]);
        let d = data(json!({"ttl": 60, "policies": ["x"], "needed": "x"}));
        assert_eq!(d.duration("ttl").unwrap(), 60);
        assert_eq!(d.int("count").unwrap(), 3, "default applies");
        assert_eq!(d.strings("policies").unwrap(), vec!["x"]);
    }

    #[test]
    fn mismatches_name_the_field() {
        let err = data(json!({"count": "many", "needed": "x"})).validate(true).unwrap_err().to_string();
        assert!(err.contains("'count'") && err.contains("\"many\""), "{err}");
        let err = data(json!({"ttl": "forever", "needed": "x"})).validate(false).unwrap_err().to_string();
        assert!(err.contains("'ttl'"), "{err}");
        let err = data(json!({})).validate(true).unwrap_err().to_string();
        assert_eq!(err, "missing required field 'needed'");
        assert!(data(json!({})).validate(false).is_ok(), "reads need no body");
        let err = data(json!({"meta": [1], "needed": "x"})).validate(true).unwrap_err().to_string();
        assert!(err.contains("'meta'"), "{err}");
    }

    #[test]
    fn reports_unknown_fields() {
        let d = data(json!({"needed": "x", "zzz": 1, "aaa": 2}));
        assert_eq!(d.unknown_fields(), vec!["aaa", "zzz"]);
    }
}
