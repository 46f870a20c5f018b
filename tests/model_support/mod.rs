//! Test support for the model tests: builds a snapshot from YAML (or JSON)
//! texts with the real loaders and describes findings as
//! `CODE file:line:col message` lines, so tests can assert exact places.

#![allow(dead_code)] // each test crate uses its own part of it

use std::path::PathBuf;

use sitelint::finding::{Finding, sort_findings};
use sitelint::model::{self, Facts, Site};
use sitelint::source::{FileId, Location, SourceFile};
use sitelint::tree::Document;

pub struct Snapshot {
    pub files: Vec<SourceFile>,
    pub documents: Vec<Document>,
}

/// Parses `(name, text)` files in the given order; `.json` names use the
/// JSON parser, everything else the YAML one.
pub fn snapshot(files: &[(&str, &str)]) -> Snapshot {
    let mut snapshot = Snapshot { files: Vec::new(), documents: Vec::new() };
    for (index, (name, text)) in files.iter().enumerate() {
        let root = if name.ends_with(".json") {
            sitelint::load::json::parse(text)
        } else {
            sitelint::load::yaml::parse(text)
        };
        let root = root.unwrap_or_else(|e| panic!("{name} does not parse: {e:?}"));
        snapshot.documents.push(Document { file: FileId(index as u32), root });
        snapshot.files.push(SourceFile::new(PathBuf::from(name), name.to_string(), text.to_string()));
    }
    snapshot
}

/// One YAML file named `s.yaml`.
pub fn yaml(text: &str) -> Snapshot {
    snapshot(&[("s.yaml", text)])
}

impl Snapshot {
    pub fn build(&self) -> (Site, Facts, Vec<Finding>) {
        model::build(&self.documents)
    }

    /// `file:line:col` of a location's start.
    pub fn place(&self, location: Location) -> String {
        let file = &self.files[location.file.0 as usize];
        let at = file.line_col(location.span.start());
        format!("{}:{}:{}", file.relative, at.line, at.column)
    }

    /// The text a location covers.
    pub fn text(&self, location: Location) -> &str {
        let file = &self.files[location.file.0 as usize];
        &file.text[location.span.start()..location.span.end()]
    }

    /// `CODE file:line:col message`, then ` | help: ...` and
    /// ` | related file:line:col message` when present.
    pub fn describe(&self, finding: &Finding) -> String {
        let mut line = format!("{} {} {}", finding.code(), self.place(finding.primary), finding.message());
        if let Some(help) = &finding.help {
            line += &format!(" | help: {help}");
        }
        for related in &finding.related {
            line += &format!(" | related {} {}", self.place(related.location), related.message);
        }
        line
    }

    pub fn describe_all(&self, findings: &[Finding]) -> Vec<String> {
        findings.iter().map(|f| self.describe(f)).collect()
    }

    /// Describes findings in the order the tool prints them (file, then
    /// position, then code).
    pub fn sorted(&self, findings: &[Finding]) -> Vec<String> {
        let mut findings = findings.to_vec();
        sort_findings(&mut findings);
        self.describe_all(&findings)
    }

    /// Builds and describes the findings, in printing order.
    pub fn findings(&self) -> Vec<String> {
        self.sorted(&self.build().2)
    }
}
