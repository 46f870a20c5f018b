//! The output formats and the one entry point that renders a check's
//! result in any of them.

use clap::ValueEnum;

use super::{Summary, human, json};
use crate::finding::{Check, Finding, Severity};
use crate::rules::Rule;
use crate::source::SourceSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// miette diagnostics and a summary line.
    Human,
    /// One JSON document.
    Json,
}

/// What a rule is, for formats that describe the rules that ran.
#[derive(Debug, Clone)]
pub struct RuleInfo<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub severity: Severity,
    pub summary: &'a str,
    pub url: Option<&'a str>,
}

impl<'a> RuleInfo<'a> {
    /// Every rule that ran, then the built-in snapshot checks.
    pub fn all(rules: &'a [Rule]) -> Vec<RuleInfo<'a>> {
        let rules = rules.iter().map(|r| RuleInfo {
            code: &r.code,
            name: &r.name,
            severity: r.severity,
            summary: &r.summary,
            url: Some(&r.url),
        });
        let checks = Check::ALL.iter().map(|c| RuleInfo {
            code: c.code(),
            name: c.name(),
            severity: c.severity(),
            summary: c.summary(),
            url: None,
        });
        rules.chain(checks).collect()
    }
}

/// A check's result, ready to render.
pub struct Output<'a> {
    pub findings: &'a [Finding],
    pub sources: &'a SourceSet,
    pub summary: Summary,
    pub rules: &'a [RuleInfo<'a>],
    pub style: human::Style,
}

pub fn render(format: OutputFormat, out: &Output) -> String {
    match format {
        OutputFormat::Human => human::render(out.findings, out.sources, &out.summary, out.style),
        OutputFormat::Json => json::render(out.findings, out.sources, &out.summary),
    }
}
