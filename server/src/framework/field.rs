//! Field declarations: a name, a type that input is coerced to, a default and help.

use serde_json::Value;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldType {
    String,
    Int,
    Bool,
    /// Seconds; accepts `3600`, `"3600"` or `"1h"`.
    DurationSecond,
    /// Accepts `["a","b"]` or `"a,b"`.
    CommaStringSlice,
    /// Accepts `["a","b"]`, or one string as one element (commas kept).
    StringSlice,
    /// String → string map: an object (values turned into strings), `"k=v"`, or `["k=v"]`.
    KvPairs,
    Map,
    /// Any JSON value, unchecked.
    Raw,
}

impl FieldType {
    pub fn name(self) -> &'static str {
        match self {
            FieldType::String => "string",
            FieldType::Int => "int",
            FieldType::Bool => "bool",
            FieldType::DurationSecond => "duration",
            FieldType::CommaStringSlice => "comma-separated strings",
            FieldType::StringSlice => "list of strings",
            FieldType::KvPairs => "key/value pairs",
            FieldType::Map => "map",
            FieldType::Raw => "any",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Field {
    pub name: &'static str,
    pub kind: FieldType,
    pub description: &'static str,
    pub default: Option<Value>,
    pub required: bool,
}

impl Field {
    fn new(name: &'static str, kind: FieldType, description: &'static str) -> Self {
        Field { name, kind, description, default: None, required: false }
    }

    pub fn string(name: &'static str, description: &'static str) -> Self {
        Self::new(name, FieldType::String, description)
    }
    pub fn int(name: &'static str, description: &'static str) -> Self {
        Self::new(name, FieldType::Int, description)
    }
    pub fn bool(name: &'static str, description: &'static str) -> Self {
        Self::new(name, FieldType::Bool, description)
    }
    pub fn duration(name: &'static str, description: &'static str) -> Self {
        Self::new(name, FieldType::DurationSecond, description)
    }
    pub fn strings(name: &'static str, description: &'static str) -> Self {
        Self::new(name, FieldType::CommaStringSlice, description)
    }
    pub fn string_list(name: &'static str, description: &'static str) -> Self {
        Self::new(name, FieldType::StringSlice, description)
    }
    pub fn kv_pairs(name: &'static str, description: &'static str) -> Self {
        Self::new(name, FieldType::KvPairs, description)
    }
    pub fn map(name: &'static str, description: &'static str) -> Self {
        Self::new(name, FieldType::Map, description)
    }
    pub fn raw(name: &'static str, description: &'static str) -> Self {
        Self::new(name, FieldType::Raw, description)
    }

    pub fn default(mut self, value: impl Into<Value>) -> Self {
        self.default = Some(value.into());
        self
    }

    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }
}
