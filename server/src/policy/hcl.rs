//! HCL front end: `hcl-edit` parses the text (keeping byte spans), and this file turns
//! its syntax tree into the [`tree`](super::tree) the validator reads.
//!
//! OpenBao parses policies with HCL 1; `hcl-edit` is HCL 2, which is stricter about
//! layout: each attribute and each block needs its own line, a block whose body starts
//! on the `{` line must end on it too, and attribute names cannot be quoted. Such
//! syntax errors get a hint saying so. Everything else a policy uses (blocks with
//! labels, lists, objects with `=` or `:`, comments, heredocs) reads the same.

use hcl::edit::Span;
use hcl::edit::expr::{Expression, ObjectKey, UnaryOperator};
use hcl::edit::structure::{Block, Body, Structure};
use hcl::edit::template::{Element, Template};

use super::parse::PolicyError;
use super::tree::{Entry, Item, Node, Value};

/// Parse `text` as HCL into the top-level items.
pub(super) fn items(text: &str) -> Result<Vec<Item>, PolicyError> {
    let body = hcl::edit::parser::parse_body(text).map_err(|e| syntax_error(text, &e))?;
    Ok(body.iter().map(item).collect())
}

fn item(structure: &Structure) -> Item {
    match structure {
        Structure::Attribute(attr) => Item {
            key: attr.key.as_str().to_string(),
            at: start(&attr.key, 0),
            labels: Vec::new(),
            block: false,
            value: node(&attr.value, start(&attr.key, 0)),
        },
        Structure::Block(block) => {
            let at = start(&block.ident, 0);
            Item {
                key: block.ident.as_str().to_string(),
                at,
                labels: block.labels.iter().map(|l| (l.as_str().to_string(), start(l, at))).collect(),
                block: true,
                value: Node { at, value: Value::Map(entries(&block.body, at)) },
            }
        }
    }
}

/// A block body as map entries. A nested block `allowed_parameters { a = [] }` becomes
/// an object, as it would in HCL 1; labels become nested keys.
fn entries(body: &Body, parent: usize) -> Vec<Entry> {
    body.iter()
        .map(|structure| match structure {
            Structure::Attribute(attr) => {
                let at = start(&attr.key, parent);
                Entry { key: attr.key.as_str().to_string(), at, value: node(&attr.value, at) }
            }
            Structure::Block(block) => nested_block(block, parent),
        })
        .collect()
}

fn nested_block(block: &Block, parent: usize) -> Entry {
    let at = start(&block.ident, parent);
    let mut value = Node { at, value: Value::Map(entries(&block.body, at)) };
    for label in block.labels.iter().rev() {
        let label_at = start(label, at);
        value = Node {
            at: label_at,
            value: Value::Map(vec![Entry { key: label.as_str().to_string(), at: label_at, value }]),
        };
    }
    Entry { key: block.ident.as_str().to_string(), at, value }
}

/// An expression as a literal value; anything computed becomes [`Value::Other`].
fn node(expr: &Expression, parent: usize) -> Node {
    let at = start(expr, parent);
    let value = match expr {
        Expression::Null(_) => Value::Null,
        Expression::Bool(b) => Value::Bool(*b.value()),
        Expression::Number(n) => number(n.value()),
        Expression::String(s) => Value::String(s.value().clone()),
        Expression::Array(array) => Value::List(array.iter().map(|e| node(e, at)).collect()),
        Expression::Object(object) => object_value(object, at),
        Expression::StringTemplate(t) => literal_template(t, "an interpolated string (write $${ for a literal ${)"),
        Expression::HeredocTemplate(h) => literal_template(&h.template, "a heredoc with interpolation"),
        Expression::Parenthesis(p) => return node(p.inner(), at),
        Expression::UnaryOp(op) if *op.operator.value() == UnaryOperator::Neg => negative(&op.expr),
        Expression::Variable(v) => Value::Other(format!("the bare word {} (put it in quotes)", v.as_str())),
        Expression::Conditional(_) => Value::Other("a conditional expression".into()),
        Expression::FuncCall(_) => Value::Other("a function call".into()),
        Expression::Traversal(_) => Value::Other("an attribute reference".into()),
        Expression::UnaryOp(_) | Expression::BinaryOp(_) => Value::Other("an operator expression".into()),
        Expression::ForExpr(_) => Value::Other("a for expression".into()),
    };
    Node { at, value }
}

fn object_value(object: &hcl::edit::expr::Object, at: usize) -> Value {
    let mut entries = Vec::new();
    for (key, value) in object.iter() {
        let key_at = start(key, at);
        let name = match key {
            ObjectKey::Ident(ident) => ident.as_str().to_string(),
            ObjectKey::Expression(Expression::String(s)) => s.value().clone(),
            ObjectKey::Expression(_) => return Value::Other("an object with a computed key".into()),
        };
        entries.push(Entry { key: name, at: key_at, value: node(value.expr(), key_at) });
    }
    Value::Map(entries)
}

fn number(n: &hcl::Number) -> Value {
    let json = if let Some(u) = n.as_u64() {
        Some(serde_json::Number::from(u))
    } else if let Some(i) = n.as_i64() {
        Some(serde_json::Number::from(i))
    } else {
        n.as_f64().and_then(serde_json::Number::from_f64)
    };
    json.map_or_else(|| Value::Other("a number out of range".into()), Value::Number)
}

/// `-5`: HCL parses the sign as an operator.
fn negative(expr: &Expression) -> Value {
    let Expression::Number(n) = expr else {
        return Value::Other("an operator expression".into());
    };
    let json = match (n.value().as_i64(), n.value().as_f64()) {
        (Some(i), _) => i.checked_neg().map(serde_json::Number::from),
        (None, Some(f)) => serde_json::Number::from_f64(-f),
        (None, None) => None,
    };
    json.map_or_else(|| Value::Other("a number out of range".into()), Value::Number)
}

/// A template is a plain string when it holds only literal text.
fn literal_template(template: &Template, otherwise: &str) -> Value {
    let mut text = String::new();
    for element in template.iter() {
        match element {
            Element::Literal(literal) => text.push_str(literal.value()),
            Element::Interpolation(_) | Element::Directive(_) => return Value::Other(otherwise.into()),
        }
    }
    Value::String(text)
}

fn start(item: &impl Span, fallback: usize) -> usize {
    item.span().map_or(fallback, |span| span.start)
}

/// `hcl-edit`'s message at its location, plus a hint where HCL 2's layout rules are the
/// likely cause (see the module docs).
fn syntax_error(text: &str, error: &hcl::edit::parser::Error) -> PolicyError {
    let location = error.location();
    let next = text.get(location.offset()..).unwrap_or_default();
    let message = error.message();
    let block_body = message.starts_with("invalid block body");
    let hint = if message.starts_with("expected newline") || (block_body && next.starts_with(char::is_alphabetic)) {
        " (each attribute and each block needs a line of its own)"
    } else if block_body && next.starts_with('"') {
        " (attribute names are not quoted: write capabilities = [...])"
    } else if block_body && next.starts_with(['\n', '\r']) {
        " (a block whose body starts on the `{` line must end on it: start the body on a new line)"
    } else {
        ""
    };
    let message = match bare_word(next) {
        Some(word) if message == "unexpected token" => {
            format!("key '{word}' expected start of object ('{{') or assignment ('=')")
        }
        _ => format!("{message}{hint}"),
    };
    PolicyError::new(location.line(), location.column(), message)
}

/// The identifier at the start of `rest` when nothing that could continue a structure
/// (`=`, `{` or a label) follows it: HCL 1's "key 'hello' expected..." case.
fn bare_word(rest: &str) -> Option<&str> {
    let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-')).unwrap_or(rest.len());
    let word = &rest[..end];
    let after = rest[end..].trim_start_matches([' ', '\t']);
    let continues = after.starts_with(['=', '{', '"']) || after.starts_with(|c: char| c.is_alphabetic());
    (!word.is_empty() && !continues).then_some(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value_of(text: &str) -> Value {
        let items = items(&format!("x = {text}")).unwrap();
        items.into_iter().next().unwrap().value.value
    }

    #[test]
    fn literals_convert() {
        assert_eq!(value_of("\"a\""), Value::String("a".into()));
        assert_eq!(value_of("5"), Value::Number(5.into()));
        assert_eq!(value_of("-5"), Value::Number((-5).into()));
        assert_eq!(value_of("(7)"), Value::Number(7.into()));
        assert_eq!(value_of("true"), Value::Bool(true));
        assert_eq!(value_of("null"), Value::Null);
        assert_eq!(value_of("\"$${x}\""), Value::String("${x}".into()));
        assert!(matches!(value_of("\"${x}\""), Value::Other(_)));
        assert!(matches!(value_of("read"), Value::Other(w) if w.contains("bare word read")));
        assert!(matches!(value_of("1 + 2"), Value::Other(_)));
        assert!(matches!(value_of("{ (k) = 1 }"), Value::Other(_)));
        assert_eq!(value_of("<<EOF\nhello\nEOF\n"), Value::String("hello\n".into()));
    }

    #[test]
    fn nested_blocks_become_objects() {
        let items = items("path \"a\" {\n  allowed_parameters {\n    foo = []\n  }\n}\n").unwrap();
        let Value::Map(body) = &items[0].value.value else { panic!("not a map") };
        assert_eq!(body[0].key, "allowed_parameters");
        let Value::Map(params) = &body[0].value.value else { panic!("not a map") };
        assert_eq!(params[0].key, "foo");
        assert_eq!(params[0].value.value, Value::List(vec![]));
    }

    #[test]
    fn syntax_errors_get_hints() {
        let err = items("path \"a\" {\n  capabilities = [\"read\"] }").unwrap_err();
        assert!(err.message.contains("line of its own"), "{err}");
        let err = items("path \"a\" {\n  \"capabilities\" = [\"read\"]\n}").unwrap_err();
        assert!(err.message.contains("not quoted"), "{err}");
        let err = items("path \"a\" { capabilities = [\"read\"]\n}").unwrap_err();
        assert!(err.message.contains("must end on it"), "{err}");
    }
}
