//! Secret engines and system backends, each a path table on the framework.

pub mod sys;
