//! Rules: declarative YAML files with CEL conditions, evaluated over a view
//! of the model. Rules know nothing of file formats.

pub mod budget;
pub mod engine;
pub mod error;
pub mod expr;
pub mod functions;
pub mod position;
mod quick;
pub mod registry;
pub mod rule;
pub mod template;
pub mod testing;
pub mod view;

pub use engine::run;
pub use registry::RuleSet;
pub use rule::Rule;
