//! Parameter constraints of a matched rule (§2.6) and the LIST/SCAN page size.
//!
//! Invariants, as in OpenBao: request keys are compared lowercased against the policy's
//! (already lowercased) names, except that a required name is looked up lowercased in
//! the request as sent; a request with no data passes every check but the required
//! one; values match by string glob (`"y*"`, `"*foo"`, `"*foo*"`) when both are strings,
//! else by equality. Unlike OpenBao, numbers compare by value (`1` matches `1.0` and a
//! policy's `1` matches a JSON `1`, which never happens there).

use serde_json::{Map, Value};

use super::PathRule;
use super::acl::Reason;

/// Required, denied and allowed parameters, in that order.
pub(super) fn check_parameters(rule: &PathRule, data: Option<&Map<String, Value>>) -> Result<(), Reason> {
    for name in &rule.required_parameters {
        if !data.is_some_and(|d| d.contains_key(&name.to_lowercase())) {
            return Err(Reason::RequiredParameter(name.clone()));
        }
    }
    let Some(data) = data.filter(|d| !d.is_empty()) else {
        return Ok(());
    };
    check_denied(rule, data)?;
    check_allowed(rule, data)
}

fn check_denied(rule: &PathRule, data: &Map<String, Value>) -> Result<(), Reason> {
    if rule.denied_parameters.contains_key("*") {
        return Err(Reason::AllParametersDenied);
    }
    for (name, value) in data {
        if rule.denied_parameters.get(&name.to_lowercase()).is_some_and(|denied| value_in_list(value, denied)) {
            return Err(Reason::DeniedParameter(name.clone()));
        }
    }
    Ok(())
}

fn check_allowed(rule: &PathRule, data: &Map<String, Value>) -> Result<(), Reason> {
    let allowed = &rule.allowed_parameters;
    let any_name = allowed.contains_key("*");
    if allowed.is_empty() || (any_name && allowed.len() == 1) {
        return Ok(());
    }
    for (name, value) in data {
        match allowed.get(&name.to_lowercase()) {
            None if !any_name => return Err(Reason::ParameterNotAllowed(name.clone())),
            Some(values) if !value_in_list(value, values) => {
                return Err(Reason::ParameterValueNotAllowed(name.clone()));
            }
            _ => {}
        }
    }
    Ok(())
}

/// OpenBao's `pagination_limit` rules for LIST/SCAN: `limit` may be left out (unless
/// required), be `max`, or be an integer from 0 to the rule's limit.
pub(super) fn check_page_size(rule: &PathRule, data: Option<&Map<String, Value>>) -> Result<(), Reason> {
    let limit = rule.pagination_limit;
    if limit == 0 {
        return Ok(());
    }
    let denied = Err(Reason::PageSize { limit });
    let Some(requested) = data.and_then(|d| d.get("limit")) else {
        let required = rule.required_parameters.iter().any(|p| p.eq_ignore_ascii_case("limit"));
        return if required { denied } else { Ok(()) };
    };
    let number = match requested {
        Value::Number(n) => n.as_i64(),
        Value::String(s) if s == "max" => return Ok(()),
        Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    };
    match number {
        Some(n) if (0..=i64::try_from(limit).unwrap_or(i64::MAX)).contains(&n) => Ok(()),
        _ => denied,
    }
}

/// An empty list allows (or denies) every value.
pub(super) fn value_in_list(value: &Value, list: &[Value]) -> bool {
    list.is_empty() || list.iter().any(|pattern| value_matches(pattern, value))
}

fn value_matches(pattern: &Value, value: &Value) -> bool {
    match (pattern, value) {
        (Value::String(pattern), Value::String(value)) => glob_match(pattern, value),
        _ => json_equal(pattern, value),
    }
}

/// OpenBao's `GlobbedStringsMatch`: a `*` at the start and/or end; a pattern shorter
/// than two characters (so `"*"` itself) only matches literally.
fn glob_match(pattern: &str, value: &str) -> bool {
    if pattern.len() < 2 {
        return pattern == value;
    }
    match (pattern.strip_prefix('*'), pattern.strip_suffix('*')) {
        (Some(rest), Some(_)) => value.contains(rest.strip_suffix('*').unwrap_or(rest)),
        (Some(suffix), None) => value.ends_with(suffix),
        (None, Some(prefix)) => value.starts_with(prefix),
        (None, None) => pattern == value,
    }
}

/// Deep equality, with numbers compared by value.
fn json_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => numbers_equal(x, y),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| json_equal(x, y)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| json_equal(v, w)))
        }
        _ => a == b,
    }
}

fn numbers_equal(x: &serde_json::Number, y: &serde_json::Number) -> bool {
    if let (Some(a), Some(b)) = (x.as_i64(), y.as_i64()) {
        return a == b;
    }
    if let (Some(a), Some(b)) = (x.as_u64(), y.as_u64()) {
        return a == b;
    }
    matches!((x.as_f64(), y.as_f64()), (Some(a), Some(b)) if a == b)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn globs_at_either_end() {
        assert!(glob_match("y*", "yes"));
        assert!(glob_match("y*", "y"));
        assert!(!glob_match("y*", "no"));
        assert!(glob_match("*foo", "barfoo"));
        assert!(!glob_match("*foo", "foobar"));
        assert!(glob_match("*foo*", "xfooy"));
        assert!(glob_match("**", "anything"));
        assert!(glob_match("*", "*"));
        assert!(!glob_match("*", "x"), "a lone * is literal, as in OpenBao");
        assert!(!glob_match("a*b", "axb"), "a * in the middle is literal");
        assert!(glob_match("a*b", "a*b"));
    }

    #[test]
    fn values_match_by_type() {
        assert!(value_in_list(&json!("x"), &[]));
        assert!(value_in_list(&json!(1), &[json!(1)]));
        assert!(value_in_list(&json!(1.0), &[json!(1)]), "numbers match by value");
        assert!(!value_in_list(&json!("1"), &[json!(1)]), "a string is not a number");
        assert!(!value_in_list(&json!(["x"]), &[json!("x")]), "a list is not its element");
        assert!(value_in_list(&json!(["x", 2]), &[json!(["x", 2.0])]));
        assert!(!value_in_list(&json!(["x*"]), &[json!(["x*y"])]), "no globbing inside lists");
        assert!(value_in_list(&json!(null), &[json!(null)]));
        assert!(!value_in_list(&json!(null), &[json!("")]));
        assert!(value_in_list(&json!({"a": 1}), &[json!({"a": 1.0})]));
        assert!(!value_in_list(&json!({"a": 1}), &[json!({"a": 1, "b": 2})]));
        assert!(value_in_list(&json!(true), &[json!(true)]));
        assert!(!value_in_list(&json!(u64::MAX), &[json!(-1)]));
    }
}
