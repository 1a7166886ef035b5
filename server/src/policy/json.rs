//! JSON front end: the same policy written as JSON
//! (`{"path": {"secret/*": {"capabilities": ["read"]}}}`).
//!
//! serde_json checks the syntax first, so malformed JSON is refused with its line and
//! column (OpenBao 2.7.2 accepted it and granted nothing). A small reader then walks the
//! already-valid text to build the [`tree`](super::tree) with byte offsets, which
//! serde_json does not expose. The reader refuses nesting deeper than [`MAX_DEPTH`]
//! (as `hcl-edit` does), which bounds its recursion: valid JSON can nest without limit.

use serde::de::IgnoredAny;

use super::parse::PolicyError;
use super::tree::{Entry, Item, Node, Value, line_column};

/// How deeply arrays and objects may nest (`hcl-edit`'s limit, too).
const MAX_DEPTH: usize = 64;

/// Parse `text` (whose first non-blank character is `{`) into the top-level items.
pub(super) fn items(text: &str) -> Result<Vec<Item>, PolicyError> {
    serde_json::from_str::<IgnoredAny>(text).map_err(|e| syntax_error(text, &e))?;
    let mut reader = Reader { text, pos: 0, depth: 0 };
    let root = reader.value()?;
    let Value::Map(entries) = root.value else {
        return Err(PolicyError::at(text, root.at, "a JSON policy must be an object"));
    };
    Ok(entries
        .into_iter()
        .map(|e| Item { key: e.key, at: e.at, labels: Vec::new(), block: false, value: e.value })
        .collect())
}

/// serde_json's message and position; its column counts bytes, ours characters.
fn syntax_error(text: &str, error: &serde_json::Error) -> PolicyError {
    let full = error.to_string();
    let suffix = format!(" at line {} column {}", error.line(), error.column());
    let message = full.strip_suffix(&suffix).unwrap_or(&full);
    let line_start: usize = text.split_inclusive('\n').take(error.line().saturating_sub(1)).map(str::len).sum();
    let (line, column) = line_column(text, line_start + error.column().saturating_sub(1));
    // serde_json points at the last byte it read; at the end of input that is one past it.
    let column = if error.is_eof() { column + 1 } else { column };
    PolicyError::new(line, column, format!("invalid JSON: {message}"))
}

/// A reader over text serde_json has accepted: it only needs to find where each token
/// starts and ends. It still returns errors rather than trusting that, so a disagreement
/// can never panic.
struct Reader<'a> {
    text: &'a str,
    pos: usize,
    depth: usize,
}

impl Reader<'_> {
    fn value(&mut self) -> Result<Node, PolicyError> {
        self.skip_blank();
        let at = self.pos;
        let value = match self.peek() {
            Some(b'{' | b'[') if self.depth >= MAX_DEPTH => {
                return Err(self.error(at, &format!("invalid JSON: nested more than {MAX_DEPTH} levels deep")));
            }
            Some(b'{') => self.nested(Self::object)?,
            Some(b'[') => self.nested(Self::array)?,
            Some(b'"') => Value::String(self.string()?),
            Some(b't') => self.word("true", Value::Bool(true))?,
            Some(b'f') => self.word("false", Value::Bool(false))?,
            Some(b'n') => self.word("null", Value::Null)?,
            _ => self.number()?,
        };
        Ok(Node { at, value })
    }

    fn nested(&mut self, read: fn(&mut Self) -> Result<Value, PolicyError>) -> Result<Value, PolicyError> {
        self.depth += 1;
        let value = read(self);
        self.depth -= 1;
        value
    }

    fn object(&mut self) -> Result<Value, PolicyError> {
        self.pos += 1;
        let mut entries = Vec::new();
        loop {
            self.skip_blank();
            if self.eat(b'}') {
                return Ok(Value::Map(entries));
            }
            let at = self.pos;
            let key = self.string()?;
            self.skip_blank();
            self.expect(b':')?;
            let value = self.value()?;
            entries.push(Entry { key, at, value });
            self.skip_blank();
            self.eat(b',');
        }
    }

    fn array(&mut self) -> Result<Value, PolicyError> {
        self.pos += 1;
        let mut items = Vec::new();
        loop {
            self.skip_blank();
            if self.eat(b']') {
                return Ok(Value::List(items));
            }
            items.push(self.value()?);
            self.skip_blank();
            self.eat(b',');
        }
    }

    /// A string token, unescaped by serde_json itself.
    fn string(&mut self) -> Result<String, PolicyError> {
        let start = self.pos;
        self.expect(b'"')?;
        let bytes = self.text.as_bytes();
        while let Some(&b) = bytes.get(self.pos) {
            match b {
                b'\\' => self.pos += 2,
                b'"' => {
                    self.pos += 1;
                    return self.decode(start);
                }
                _ => self.pos += 1,
            }
        }
        Err(self.error(start, "unterminated string"))
    }

    fn number(&mut self) -> Result<Value, PolicyError> {
        let start = self.pos;
        let bytes = self.text.as_bytes();
        while bytes.get(self.pos).is_some_and(|b| b.is_ascii_digit() || b"+-.eE".contains(b)) {
            self.pos += 1;
        }
        self.decode(start).map(Value::Number)
    }

    fn word(&mut self, word: &str, value: Value) -> Result<Value, PolicyError> {
        if !self.text.get(self.pos..).is_some_and(|rest| rest.starts_with(word)) {
            return Err(self.error(self.pos, "unexpected token"));
        }
        self.pos += word.len();
        Ok(value)
    }

    /// The token `start..pos` read by serde_json.
    fn decode<T: serde::de::DeserializeOwned>(&self, start: usize) -> Result<T, PolicyError> {
        let token = self.text.get(start..self.pos).unwrap_or_default();
        serde_json::from_str(token).map_err(|e| self.error(start, &format!("invalid JSON: {e}")))
    }

    fn skip_blank(&mut self) {
        let bytes = self.text.as_bytes();
        while bytes.get(self.pos).is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        if found {
            self.pos += 1;
        }
        found
    }

    fn expect(&mut self, byte: u8) -> Result<(), PolicyError> {
        if self.eat(byte) { Ok(()) } else { Err(self.error(self.pos, &format!("expected '{}'", byte as char))) }
    }

    fn error(&self, at: usize, message: &str) -> PolicyError {
        PolicyError::at(self.text, at, message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_point_at_keys_and_values() {
        let text = "{\"path\": {\n  \"a\\\"b\": {\"capabilities\": [\"read\", 1.5, -2, true, null]}}}";
        let items = items(text).unwrap();
        assert_eq!(items[0].key, "path");
        assert_eq!(items[0].at, 1);
        let Value::Map(paths) = &items[0].value.value else { panic!() };
        assert_eq!(paths[0].key, "a\"b");
        assert_eq!(line_column(text, paths[0].at), (2, 3));
        let Value::Map(body) = &paths[0].value.value else { panic!() };
        let Value::List(caps) = &body[0].value.value else { panic!() };
        let values: Vec<_> = caps.iter().map(|n| n.value.clone()).collect();
        assert_eq!(
            values,
            [
                Value::String("read".into()),
                Value::Number(serde_json::Number::from_f64(1.5).unwrap()),
                Value::Number((-2).into()),
                Value::Bool(true),
                Value::Null
            ]
        );
        assert_eq!(&text[caps[1].at..caps[1].at + 3], "1.5");
    }

    #[test]
    fn malformed_json_is_refused_with_a_position() {
        let err = items("{\"path\": ").unwrap_err();
        assert_eq!((err.line, err.column), (1, 10), "{err}");
        assert!(err.message.starts_with("invalid JSON: EOF while parsing a value"), "{err}");
        let err = items("{\"path\": {\n  \"a\": {]}}").unwrap_err();
        assert_eq!((err.line, err.column), (2, 9), "{err}");
        let err = items("{\"é\": 1,}").unwrap_err();
        assert_eq!((err.line, err.column), (1, 9), "{err}");
        assert!(items("[1]").unwrap_err().message.contains("must be an object"));
        let deep = format!("{{\"a\": {}{}}}", "[".repeat(64), "]".repeat(64));
        let err = items(&deep).unwrap_err();
        assert_eq!((err.line, err.column), (1, 70), "{err}");
        assert!(err.message.contains("nested more than 64 levels"), "{err}");
        assert!(items(&format!("{{\"a\": {}{}}}", "[".repeat(62), "]".repeat(62))).is_ok());
    }
}
