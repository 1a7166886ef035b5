pub mod alert;
pub mod copy;
pub mod diff;
pub mod failure;
pub mod layout;
pub mod style;
