pub mod audit;
pub mod audit_advisor;
pub mod audit_reports;
pub mod home;
pub mod kv;
pub mod lazy;
pub mod leases;
pub mod mount_settings;
pub mod mounts;
pub mod not_found;
pub mod policies;
pub mod policy_edit;
pub mod policy_simulate;
pub mod secrets;
pub mod sign_in;
pub mod staleness;
pub mod tokens;
pub mod unseal;

/// `text` for a query parameter of a console link: any path (spaces, UTF-8, slashes)
/// round-trips unchanged.
pub fn encode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// An RFC 3339 time as the console shows it: `2026-11-25 10:37:25`, to the second, UTC.
pub fn utc(rfc3339: &str) -> String {
    rfc3339.get(..19).unwrap_or(rfc3339).replace('T', " ")
}
