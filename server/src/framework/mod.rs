//! The path-table framework engines are written in, after OpenBao's `sdk/framework`:
//! each engine lists its paths (pattern, typed fields, operations, help) once, and
//! routing, field validation and help all come from that one table.

mod backend;
mod duration;
mod field;
mod field_data;
pub mod openapi;
mod path;

pub use backend::{Backend, Framework, SpecialPaths};
pub use duration::parse_duration_seconds;
pub use field::{Field, FieldType};
pub use field_data::FieldData;
pub use path::{ExistenceCheck, Handler, Path};
