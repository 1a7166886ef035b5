//! The policy text as a small tree of literal values that remember where they were
//! written. Both front ends (`hcl` and `json`) produce it, so one validator (in `parse`)
//! can check either syntax and point at the offending line and column.
//!
//! Invariant: every `at` is a byte offset into the policy text at a character boundary.
//! Converting an expression never fails; what is not a plain literal becomes
//! [`Value::Other`], and the validator reports it with the setting's name.

/// A value and the byte offset where it starts.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Node {
    pub at: usize,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Value {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    List(Vec<Node>),
    /// Entries in the order written; duplicates are kept for the validator to judge.
    Map(Vec<Entry>),
    /// Something that is not a literal (a variable, a function call, an interpolated
    /// string...), described for the error message.
    Other(String),
}

/// `key = value` (or `"key": value`), with the offset of the key.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Entry {
    pub key: String,
    pub at: usize,
    pub value: Node,
}

/// One top-level item: `path "a" { ... }` (a block with labels), `name = "x"`, or in JSON
/// `"path": {...}`.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Item {
    pub key: String,
    pub at: usize,
    /// Block labels with their offsets; empty for attributes and JSON.
    pub labels: Vec<(String, usize)>,
    /// True for an HCL block (`path { }`), whose body is `value`.
    pub block: bool,
    pub value: Node,
}

impl Value {
    /// "a string", "a list"... for messages such as `expected a list, found a string`.
    pub fn describe(&self) -> String {
        match self {
            Value::Null => "null".into(),
            Value::Bool(_) => "a boolean".into(),
            Value::Number(_) => "a number".into(),
            Value::String(_) => "a string".into(),
            Value::List(_) => "a list".into(),
            Value::Map(_) => "an object".into(),
            Value::Other(what) => what.clone(),
        }
    }

    /// The plain JSON value, for parameter values. A part that is not a literal gives
    /// its offset and description instead.
    pub fn to_json(&self, at: usize) -> Result<serde_json::Value, (usize, String)> {
        use serde_json::Value as J;
        Ok(match self {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Number(n) => J::Number(n.clone()),
            Value::String(s) => J::String(s.clone()),
            Value::List(items) => J::Array(items.iter().map(|n| n.value.to_json(n.at)).collect::<Result<_, _>>()?),
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|e| Ok((e.key.clone(), e.value.value.to_json(e.value.at)?)))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Other(what) => return Err((at, what.clone())),
        })
    }
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
pub(super) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters() {
        let text = "ab\ncé\nx";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 2), (1, 3));
        assert_eq!(line_column(text, 3), (2, 1));
        assert_eq!(line_column(text, 6), (2, 3)); // after the two-byte 'é'
        assert_eq!(line_column(text, 5), (2, 2)); // inside 'é': snaps back
        assert_eq!(line_column(text, 999), (3, 2));
        assert_eq!(line_column("", 0), (1, 1));
    }
}
