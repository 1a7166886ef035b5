pub mod audit;
pub mod audit_reports;
pub mod home;
pub mod kv;
pub mod lazy;
pub mod mount_settings;
pub mod mounts;
pub mod not_found;
pub mod policies;
pub mod policy_edit;
pub mod policy_simulate;
pub mod secrets;
pub mod sign_in;
pub mod unseal;

/// `text` for a query parameter of a console link: any path (spaces, UTF-8, slashes)
/// round-trips unchanged.
pub fn encode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}
