//! Building blocks shared by pages.

pub mod alert;
pub mod copy;
pub mod layout;
