//! sitelint: lints exported Atlassian Cloud site configuration for the
//! settings behind Jira Service Management permission errors.
//!
//! The flow goes one way: [`load`] (files to spanned trees), [`model`]
//! (typed site and derived access facts), [`rules`] (evaluate), [`report`]
//! (render).

pub mod access;
pub mod allocator;
pub mod baseline;
pub mod cli;
pub mod config;
pub mod date;
#[cfg(feature = "dev")]
pub mod dev;
pub mod finding;
pub mod import;
pub mod load;
pub mod model;
pub mod output_file;
pub mod progress;
pub mod report;
pub mod rules;
pub mod selection;
pub mod shared;
pub mod source;
pub mod stats;
pub mod suppress;
pub mod tree;
pub mod typed_yaml;
