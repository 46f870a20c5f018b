//! What sitelint reports: a finding points at one place (the setting to
//! change) and may name related places (the other side of the story).

use std::sync::Arc;

use crate::source::Location;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(text: &str) -> Option<Severity> {
        match text {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub code: Arc<str>,
    pub name: Arc<str>,
    pub severity: Severity,
    pub message: String,
    pub help: Option<String>,
    pub url: Option<Arc<str>>,
    pub primary: Location,
    /// Text of the primary label (what is wrong right here).
    pub label: Option<String>,
    pub related: Vec<Related>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Related {
    pub location: Location,
    pub message: String,
}

impl Finding {
    /// The order findings are printed in: file, then position, then code.
    /// Files are numbered in sorted path order, so `FileId` order is path order.
    pub fn sort_key(&self) -> impl Ord + '_ {
        (self.primary, &self.code, &self.message)
    }
}

/// Sorts findings into their printing order and drops exact repeats (the
/// same rule reaching the same place twice with the same message).
pub fn sort_findings(findings: &mut Vec<Finding>) {
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    findings.dedup();
}
