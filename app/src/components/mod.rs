pub mod alert;
pub mod confirm;
pub mod copy;
pub mod diff;
pub mod failure;
pub mod layout;
pub mod style;
