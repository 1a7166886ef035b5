pub mod home;
pub mod mounts;
pub mod not_found;
pub mod policies;
pub mod secrets;
pub mod sign_in;
pub mod unseal;
