//! Loading: snapshot files on disk to spanned trees.

pub mod json;
pub mod yaml;
