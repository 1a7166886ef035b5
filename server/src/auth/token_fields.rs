//! The token settings every credential-issuing auth method stores per user or role, after
//! OpenBao's `tokenutil`: `token_policies`, `token_ttl`, `token_max_ttl`,
//! `token_explicit_max_ttl`, `token_period`, `token_num_uses`, `token_no_default_policy`,
//! `token_bound_cidrs`, `token_type` and OpenBao's `token_strictly_bind_ip`. Shared so
//! that userpass, AppRole and later methods declare, parse, show and apply them alike.
//!
//! Invariant: a [`TokenParams`] that passed [`TokenParams::validate`] is one the core can
//! turn into a token as is: no negative counts, `ttl <= max_ttl`, no periodic or
//! limited-use batch tokens, bound CIDRs in canonical form.
//!
//! Also here: [`parse_policies`] (OpenBao's `policyutil.ParsePolicies`) and the `upgrade_*`
//! helpers for the deprecated spellings (`policies`, `ttl`, ...) that methods still accept.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::cidr;
use crate::framework::{Field, FieldData, Path};
use crate::logical::{Auth, Error, Result};

/// The kind of token a login creates. `Default` lets the mount's setting decide.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenType {
    #[default]
    Default,
    Service,
    Batch,
}

impl TokenType {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenType::Default => "default",
            TokenType::Service => "service",
            TokenType::Batch => "batch",
        }
    }

    fn parse(s: &str) -> Result<TokenType> {
        match s.trim() {
            "" | "default" => Ok(TokenType::Default),
            "service" => Ok(TokenType::Service),
            "batch" => Ok(TokenType::Batch),
            other => Err(Error::invalid(format!("invalid 'token_type' value {other:?}"))),
        }
    }
}

/// Token settings as stored. Durations are whole seconds.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TokenParams {
    /// As written (`token_policies` is kept verbatim, like OpenBao; logins normalise).
    pub token_policies: Vec<String>,
    pub token_ttl: u64,
    pub token_max_ttl: u64,
    pub token_explicit_max_ttl: u64,
    pub token_period: u64,
    pub token_num_uses: i64,
    pub token_no_default_policy: bool,
    /// Canonical CIDR strings (see [`cidr`]).
    pub token_bound_cidrs: Vec<String>,
    pub token_type: TokenType,
    pub token_strictly_bind_ip: bool,
}

/// The field declarations, for a path that stores token settings.
pub fn fields() -> Vec<Field> {
    vec![
        Field::strings("token_policies", "Comma-separated list of policies for tokens issued by this login."),
        Field::duration("token_ttl", "The initial TTL of issued tokens (seconds or a duration such as \"1h\")."),
        Field::duration("token_max_ttl", "The maximum lifetime of issued tokens."),
        Field::duration(
            "token_explicit_max_ttl",
            "If set, issued tokens carry this hard maximum TTL, unaffected by later changes of the role or mount.",
        ),
        Field::duration(
            "token_period",
            "If set, issued tokens are periodic: renewable forever, each renewal for this long.",
        ),
        Field::int("token_num_uses", "How many requests an issued token may make; 0 means unlimited."),
        Field::bool("token_no_default_policy", "If true, the 'default' policy is not added to issued tokens."),
        Field::strings(
            "token_bound_cidrs",
            "Comma-separated list or JSON list of CIDR blocks; issued tokens work only from these addresses.",
        ),
        Field::string("token_type", "The type of token to issue: service, batch or default (the mount's choice)."),
        Field::bool(
            "token_strictly_bind_ip",
            "If true, issued tokens are bound to the IP address the login came from. Conflicts with token_bound_cidrs.",
        ),
    ]
}

/// `path` with the token fields declared.
pub fn with_fields<E: Send + Sync + 'static>(path: Path<E>) -> Path<E> {
    fields().into_iter().fold(path, Path::field)
}

impl TokenParams {
    /// Apply the token fields the request sent; the others keep their value. Call
    /// [`validate`](Self::validate) once every change (legacy fields too) is applied.
    pub fn parse(&mut self, d: &FieldData) -> Result<()> {
        if d.is_set("token_policies") {
            self.token_policies = d.strings("token_policies")?;
        }
        if d.is_set("token_ttl") {
            self.token_ttl = d.duration("token_ttl")?;
        }
        if d.is_set("token_max_ttl") {
            self.token_max_ttl = d.duration("token_max_ttl")?;
        }
        if d.is_set("token_explicit_max_ttl") {
            self.token_explicit_max_ttl = d.duration("token_explicit_max_ttl")?;
        }
        if d.is_set("token_period") {
            self.token_period = d.duration("token_period")?;
        }
        if d.is_set("token_num_uses") {
            self.token_num_uses = d.int("token_num_uses")?;
        }
        if d.is_set("token_no_default_policy") {
            self.token_no_default_policy = d.bool("token_no_default_policy")?;
        }
        if d.is_set("token_bound_cidrs") {
            self.token_bound_cidrs = cidr::parse_list(&d.strings("token_bound_cidrs")?).map_err(Error::invalid)?;
        }
        if d.is_set("token_type") {
            self.token_type = TokenType::parse(&d.string("token_type")?)?;
        }
        if d.is_set("token_strictly_bind_ip") {
            self.token_strictly_bind_ip = d.bool("token_strictly_bind_ip")?;
        }
        Ok(())
    }

    /// Check the settings as a whole, with OpenBao's messages.
    pub fn validate(&self) -> Result<()> {
        if self.token_num_uses < 0 {
            return Err(Error::invalid("'token_num_uses' cannot be negative"));
        }
        if self.token_type == TokenType::Batch {
            if self.token_period != 0 {
                return Err(Error::invalid(
                    "'token_type' cannot be 'batch' or 'default_batch' when set to generate periodic tokens",
                ));
            }
            if self.token_num_uses != 0 {
                return Err(Error::invalid(
                    "'token_type' cannot be 'batch' or 'default_batch' when set to generate tokens with limited use count",
                ));
            }
        }
        if self.token_ttl > 0 && self.token_max_ttl > 0 && self.token_ttl > self.token_max_ttl {
            return Err(Error::invalid("'token_ttl' cannot be greater than 'token_max_ttl'"));
        }
        if self.token_strictly_bind_ip && !self.token_bound_cidrs.is_empty() {
            return Err(Error::invalid("'token_strictly_bind_ip' conflicts with 'token_bound_cidrs'; set only one"));
        }
        Ok(())
    }

    /// The read shape: every field, durations in seconds, empty lists as `[]`.
    pub fn populate_data(&self, data: &mut Map<String, Value>) {
        data.insert("token_policies".into(), json!(self.token_policies));
        data.insert("token_ttl".into(), json!(self.token_ttl));
        data.insert("token_max_ttl".into(), json!(self.token_max_ttl));
        data.insert("token_explicit_max_ttl".into(), json!(self.token_explicit_max_ttl));
        data.insert("token_period".into(), json!(self.token_period));
        data.insert("token_num_uses".into(), json!(self.token_num_uses));
        data.insert("token_no_default_policy".into(), json!(self.token_no_default_policy));
        data.insert("token_bound_cidrs".into(), json!(self.token_bound_cidrs));
        data.insert("token_type".into(), json!(self.token_type.as_str()));
        data.insert("token_strictly_bind_ip".into(), json!(self.token_strictly_bind_ip));
    }

    /// Fill a login's [`Auth`] from these settings. `remote_addr` is the login's client
    /// address; with `token_strictly_bind_ip` the token is bound to it, and a login
    /// without a usable address is refused.
    pub fn populate_auth(&self, auth: &mut Auth, remote_addr: Option<&str>) -> Result<()> {
        auth.policies = parse_policies(&self.token_policies);
        auth.ttl = self.token_ttl;
        auth.max_ttl = self.token_max_ttl;
        auth.explicit_max_ttl = self.token_explicit_max_ttl;
        auth.period = self.token_period;
        auth.num_uses = self.token_num_uses;
        auth.no_default_policy = self.token_no_default_policy;
        auth.renewable = true;
        auth.token_type = self.token_type.as_str().to_string();
        auth.bound_cidrs = if self.token_strictly_bind_ip {
            let ip = remote_addr.and_then(cidr::parse_remote).ok_or(Error::PermissionDenied)?;
            vec![ip.to_string()]
        } else {
            self.token_bound_cidrs.clone()
        };
        Ok(())
    }
}

/// OpenBao's `ParsePolicies`: trimmed, lowercased, without empties or duplicates, sorted;
/// `root` anywhere means just `["root"]`. `default` is not added here (the core adds it
/// unless `no_default_policy`).
pub fn parse_policies(raw: &[String]) -> Vec<String> {
    let mut policies: Vec<String> = raw.iter().map(|p| p.trim().to_lowercase()).filter(|p| !p.is_empty()).collect();
    if policies.iter().any(|p| p == "root") {
        return vec!["root".into()];
    }
    policies.sort();
    policies.dedup();
    policies
}

/// OpenBao's `UpgradeValue` rule for a deprecated field `old_key` next to `new_key`:
/// only the old one sent → both take its value; the new one sent → the old one follows it
/// if it was sent too, and is cleared if not; neither → both unchanged. `parse` reads a
/// sent value.
fn upgrade<T: Clone + Default>(
    d: &FieldData,
    old_key: &str,
    new_key: &str,
    old: &mut T,
    new: &mut T,
    parse: impl Fn(&str) -> Result<T>,
) -> Result<()> {
    match (d.is_set(old_key), d.is_set(new_key)) {
        (true, false) => {
            *old = parse(old_key)?;
            *new = old.clone();
        }
        (true, true) => *old = new.clone(),
        (false, true) => *old = T::default(),
        (false, false) => {}
    }
    Ok(())
}

/// A deprecated duration field (`ttl` for `token_ttl`). Call after [`TokenParams::parse`].
pub fn upgrade_duration(d: &FieldData, old_key: &str, new_key: &str, old: &mut u64, new: &mut u64) -> Result<()> {
    upgrade(d, old_key, new_key, old, new, |k| d.duration(k))
}

/// A deprecated policy list (`policies` for `token_policies`); its values are normalised
/// with [`parse_policies`], unlike `token_policies`.
pub fn upgrade_policies(
    d: &FieldData,
    old_key: &str,
    new_key: &str,
    old: &mut Vec<String>,
    new: &mut Vec<String>,
) -> Result<()> {
    upgrade(d, old_key, new_key, old, new, |k| Ok(parse_policies(&d.strings(k)?)))
}

/// A deprecated CIDR list (`bound_cidrs` for `token_bound_cidrs`).
pub fn upgrade_cidrs(
    d: &FieldData,
    old_key: &str,
    new_key: &str,
    old: &mut Vec<String>,
    new: &mut Vec<String>,
) -> Result<()> {
    upgrade(d, old_key, new_key, old, new, |k| cidr::parse_list(&d.strings(k)?).map_err(Error::invalid))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn data(raw: Value) -> FieldData {
        let mut all = fields();
        all.push(Field::strings("policies", ""));
        all.push(Field::duration("ttl", ""));
        let fields: Arc<[Field]> = all.into();
        let d = FieldData::new(raw.as_object().cloned().unwrap_or_default(), fields);
        d.validate(true).unwrap();
        d
    }

    fn parsed(raw: Value) -> Result<TokenParams> {
        let mut t = TokenParams::default();
        t.parse(&data(raw))?;
        t.validate()?;
        Ok(t)
    }

    fn message(r: Result<TokenParams>) -> String {
        match r {
            Err(Error::InvalidRequest(m)) => m,
            other => panic!("expected a 400, got {other:?}"),
        }
    }

    #[test]
    fn parses_every_field_and_shows_the_read_shape() {
        let t = parsed(json!({
            "token_policies": "Zed, a ,a", "token_ttl": "1h", "token_max_ttl": 7200, "token_explicit_max_ttl": "3h",
            "token_period": "0", "token_num_uses": "5", "token_no_default_policy": "true",
            "token_bound_cidrs": ["127.0.0.1/32", "10.0.0.0/8"], "token_type": "service",
        }))
        .unwrap();
        let mut m = Map::new();
        t.populate_data(&mut m);
        assert_eq!(
            Value::Object(m),
            json!({"token_policies": ["Zed", "a", "a"], "token_ttl": 3600, "token_max_ttl": 7200,
                   "token_explicit_max_ttl": 10800, "token_period": 0, "token_num_uses": 5,
                   "token_no_default_policy": true, "token_bound_cidrs": ["127.0.0.1", "10.0.0.0/8"],
                   "token_type": "service", "token_strictly_bind_ip": false})
        );
        let mut m = Map::new();
        TokenParams::default().populate_data(&mut m);
        assert_eq!(m["token_policies"], json!([]));
        assert_eq!(m["token_bound_cidrs"], json!([]));
        assert_eq!(m["token_type"], "default");
    }

    #[test]
    fn only_sent_fields_change() {
        let mut t = parsed(json!({"token_ttl": 60, "token_policies": "p"})).unwrap();
        t.parse(&data(json!({"token_max_ttl": 120}))).unwrap();
        assert_eq!((t.token_ttl, t.token_max_ttl), (60, 120));
        assert_eq!(t.token_policies, ["p"]);
        t.parse(&data(json!({"token_policies": ""}))).unwrap();
        assert!(t.token_policies.is_empty(), "an empty string clears the list");
    }

    #[test]
    fn rejects_what_openbao_rejects() {
        assert_eq!(message(parsed(json!({"token_type": "weird"}))), r#"invalid 'token_type' value "weird""#);
        assert_eq!(parsed(json!({"token_type": ""})).unwrap().token_type, TokenType::Default);
        assert_eq!(
            message(parsed(json!({"token_ttl": "2h", "token_max_ttl": "1h"}))),
            "'token_ttl' cannot be greater than 'token_max_ttl'"
        );
        assert!(parsed(json!({"token_ttl": "2h", "token_max_ttl": 0})).is_ok(), "0 means the mount's maximum");
        assert_eq!(message(parsed(json!({"token_num_uses": -1}))), "'token_num_uses' cannot be negative");
        assert!(message(parsed(json!({"token_type": "batch", "token_period": "1h"}))).contains("periodic tokens"));
        assert!(message(parsed(json!({"token_type": "batch", "token_num_uses": 3}))).contains("limited use count"));
        assert!(message(parsed(json!({"token_bound_cidrs": "notacidr"}))).starts_with("error parsing address"));
        assert_eq!(
            message(parsed(json!({"token_bound_cidrs": "10.0.0.0/8", "token_strictly_bind_ip": true}))),
            "'token_strictly_bind_ip' conflicts with 'token_bound_cidrs'; set only one"
        );
    }

    #[test]
    fn policies_normalise_like_openbao() {
        let raw: Vec<String> = ["Zed", " a ", "a", "default", ""].iter().map(|s| s.to_string()).collect();
        assert_eq!(parse_policies(&raw), ["a", "default", "zed"]);
        assert_eq!(parse_policies(&["x".into(), "ROOT".into()]), ["root"]);
        assert!(parse_policies(&[]).is_empty());
    }

    #[test]
    fn legacy_fields_upgrade() {
        let upgrade = |raw: Value, old: &mut Vec<String>, new: &mut Vec<String>| {
            upgrade_policies(&data(raw), "policies", "token_policies", old, new).unwrap()
        };
        let (mut old, mut new) = (vec![], vec![]);
        upgrade(json!({"policies": "Zed, a ,a"}), &mut old, &mut new);
        assert_eq!(old, ["a", "zed"]);
        assert_eq!(new, ["a", "zed"]);
        // The new spelling sent alone clears the old one.
        let mut t = TokenParams { token_policies: new, ..Default::default() };
        let d = data(json!({"token_policies": "q"}));
        t.parse(&d).unwrap();
        upgrade_policies(&d, "policies", "token_policies", &mut old, &mut t.token_policies).unwrap();
        assert!(old.is_empty());
        assert_eq!(t.token_policies, ["q"]);
        // Both sent: the new one wins and the old one mirrors it.
        let d = data(json!({"token_policies": "n", "policies": "o"}));
        t.parse(&d).unwrap();
        upgrade_policies(&d, "policies", "token_policies", &mut old, &mut t.token_policies).unwrap();
        assert_eq!(old, ["n"]);
        assert_eq!(t.token_policies, ["n"]);

        let (mut ttl, mut token_ttl) = (0, 0);
        upgrade_duration(&data(json!({"ttl": "1m"})), "ttl", "token_ttl", &mut ttl, &mut token_ttl).unwrap();
        assert_eq!((ttl, token_ttl), (60, 60));
        upgrade_duration(&data(json!({})), "ttl", "token_ttl", &mut ttl, &mut token_ttl).unwrap();
        assert_eq!((ttl, token_ttl), (60, 60), "nothing sent, nothing changes");
    }

    #[test]
    fn fills_a_login() {
        let t =
            parsed(json!({"token_policies": "B,a", "token_ttl": 30, "token_num_uses": 2, "token_period": 9})).unwrap();
        let mut auth = Auth::default();
        t.populate_auth(&mut auth, Some("10.0.0.1")).unwrap();
        assert_eq!(auth.policies, ["a", "b"]);
        assert_eq!((auth.ttl, auth.num_uses, auth.period, auth.renewable), (30, 2, 9, true));
        assert_eq!(auth.token_type, "default");
        assert!(auth.bound_cidrs.is_empty());

        let strict = parsed(json!({"token_strictly_bind_ip": true})).unwrap();
        strict.populate_auth(&mut auth, Some("10.0.0.1")).unwrap();
        assert_eq!(auth.bound_cidrs, ["10.0.0.1"]);
        assert!(matches!(strict.populate_auth(&mut auth, None), Err(Error::PermissionDenied)));
    }
}
