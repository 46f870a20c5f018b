//! The output formats and the one entry point that renders a check's
//! result in any of them.

use std::io::{self, Write};
use std::path::{Component, Path};
use std::sync::Arc;

use cel::Env;
use clap::ValueEnum;
use rayon::prelude::*;

use super::{Summary, github, human, json, junit, sarif};
use crate::finding::{Check, Finding, Severity};
use crate::rules::error::RuleRuntimeError;
use crate::rules::{Rule, RuleSet};
use crate::source::{FileId, LineCol, Location, SourceSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// miette diagnostics and a summary line.
    Human,
    /// One JSON document.
    Json,
    /// SARIF 2.1.0, for code scanning (GitHub, GitLab, IDEs).
    Sarif,
    /// JUnit XML: one test suite per rule, one failing test case per finding.
    Junit,
    /// GitHub Actions workflow commands: one annotation per finding.
    Github,
}

impl OutputFormat {
    /// Whether writing it parses the files with findings again, to name
    /// each finding's key path (SARIF's fingerprints, JUnit's test cases):
    /// a tree per thread at a time, on top of all the check holds.
    pub fn parses_again(self) -> bool {
        matches!(self, OutputFormat::Sarif | OutputFormat::Junit)
    }
}

/// What a rule is, for formats that describe the rules that ran.
#[derive(Clone)]
pub struct RuleInfo<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub severity: Severity,
    pub summary: &'a str,
    /// What `sitelint rule CODE` says beyond the summary: the rule file's
    /// `description`, if it has one.
    pub description: Option<&'a str>,
    pub url: Option<&'a str>,
    /// The rule and the environment it runs in, to run it on its example
    /// for the fix SARIF's rule help shows; `None` for the built-in checks.
    pub rule: Option<(&'a Arc<Env>, &'a Rule)>,
}

impl<'a> RuleInfo<'a> {
    /// Every rule that ran, then the built-in snapshot checks.
    pub fn all(set: &'a RuleSet) -> Vec<RuleInfo<'a>> {
        let rules = set.rules.iter().map(|r| RuleInfo {
            code: &r.reporter.code,
            name: &r.reporter.name,
            severity: r.severity,
            summary: &r.summary,
            description: r.description.as_deref(),
            url: Some(r.url()),
            rule: Some((&set.env, r)),
        });
        let checks = Check::ALL.iter().map(|c| RuleInfo::check(*c));
        rules.chain(checks).collect()
    }

    /// A built-in check: its summary is all there is to say of it.
    fn check(c: Check) -> RuleInfo<'static> {
        RuleInfo {
            code: c.code(),
            name: c.name(),
            severity: c.severity(),
            summary: c.summary(),
            description: None,
            url: None,
            rule: None,
        }
    }

    /// A rule the list does not describe, known only from its findings.
    pub(super) fn unlisted(code: &'a str, name: &'a str, severity: Severity, url: Option<&'a str>) -> Self {
        RuleInfo { code, name, severity, summary: "", description: None, url, rule: None }
    }
}

/// A rule that failed while it ran or ran out of its time limit. stderr
/// shows the error in full; every format but human says so too (SARIF and
/// JUnit, which list the rules that ran, or a rule's "no findings" would
/// read as a pass; JSON and GitHub, whose readers may never see stderr), and
/// the human summary line counts them.
#[derive(Debug, Clone)]
pub struct RuleFailure<'a> {
    pub code: &'a str,
    /// The error as stderr's first line says it.
    pub message: String,
    /// The rule file, as its error names it.
    pub file: &'a str,
    /// Where in it the failing expression starts.
    pub at: LineCol,
    pub help: &'a str,
}

impl<'a> RuleFailure<'a> {
    pub fn new(error: &'a RuleRuntimeError) -> RuleFailure<'a> {
        let at = error.src.line_col(error.span.offset());
        let file = error.src.relative.as_str();
        RuleFailure { code: &error.code, message: error.to_string(), file, at, help: &error.help }
    }

    /// The rule file, unless it is built into sitelint (nothing on disk for
    /// an annotation or a code-scanning location to point at).
    pub(super) fn file_on_disk(&self) -> Option<&'a str> {
        (!self.file.starts_with(crate::rules::registry::BUILTIN)).then_some(self.file)
    }

    /// `file:line:column` of the failing expression.
    pub(super) fn place(&self) -> String {
        format!("{}:{}:{}", self.file, self.at.line, self.at.column)
    }

    /// The message, where, and the fix, for formats with one text per failure.
    pub(super) fn details(&self) -> String {
        format!("{}: {}\nhelp: {}", self.place(), self.message, self.help)
    }
}

/// A check's result, ready to render.
pub struct Output<'a> {
    pub findings: &'a [Finding],
    pub sources: &'a SourceSet,
    pub summary: Summary,
    pub rules: &'a [RuleInfo<'a>],
    /// Rules that ran but did not complete.
    pub failures: &'a [RuleFailure<'a>],
    pub style: human::Style,
}

/// Writes a check's result in `format` to `to`. JSON, SARIF and JUnit are
/// written as they are serialized; the other formats are rendered first
/// (human diagnostics render in parallel), then written.
pub fn write(format: OutputFormat, out: &Output, to: &mut impl Write) -> io::Result<()> {
    index_lines(out.findings, out.sources);
    let summary = Summary { failed_rules: out.failures.len(), ..out.summary };
    match format {
        OutputFormat::Json => json::write(out.findings, out.sources, out.failures, &summary, to),
        OutputFormat::Human => human::write(out.findings, out.sources, &summary, out.style, to),
        OutputFormat::Sarif => sarif::write(out.findings, out.sources, out.rules, out.failures, to),
        OutputFormat::Junit => {
            let meta = junit::Meta::from_environment();
            junit::write(out.findings, out.sources, out.rules, out.failures, &meta, to)
        }
        OutputFormat::Github => github::write(out.findings, out.sources, out.failures, to),
    }
}

/// Indexes the lines of every file a finding points into, in parallel.
/// Each index is a pass over its file's text, and a big snapshot has
/// findings in every file: made one by one as the report was written, they
/// were half of writing a JSON report (10 ms of 20 for 59 MB).
fn index_lines(findings: &[Finding], sources: &SourceSet) {
    let mut files: Vec<FileId> = findings
        .iter()
        .flat_map(|f| std::iter::once(f.primary.file).chain(f.related.iter().map(|r| r.location.file)))
        .collect();
    files.sort_unstable();
    files.dedup();
    files.into_par_iter().for_each(|file| sources.get(file).index_lines());
}

// What the machine-readable formats (SARIF, JUnit, GitHub) share.

/// Where a location starts and ends: 1-based, the end just past the last
/// character, columns counting characters.
pub(super) fn region(sources: &SourceSet, at: &Location) -> (LineCol, LineCol) {
    let file = sources.get(at.file);
    (file.line_col(at.span.start()), file.line_col(at.span.end()))
}

/// The path as opened, `/`-separated whatever the platform (CI systems and
/// URIs want that), without a leading `./` so it matches repository paths.
pub(super) fn slash_path(path: &Path) -> String {
    let mut out = String::new();
    let mut parts = Vec::new();
    for component in path.components() {
        match component {
            Component::Prefix(prefix) => out.push_str(&prefix.as_os_str().to_string_lossy()),
            Component::RootDir => out.push('/'),
            Component::CurDir => {}
            Component::ParentDir => parts.push("..".into()),
            Component::Normal(part) => parts.push(part.to_string_lossy()),
        }
    }
    out + &parts.join("/")
}

/// `file:line:column` of where a location starts.
pub(super) fn place(sources: &SourceSet, at: &Location) -> String {
    let start = region(sources, at).0;
    format!("{}:{}:{}", slash_path(sources.path(at.file)), start.line, start.column)
}

/// The message and the fix: for formats that show one text per finding,
/// since the help is what makes a finding actionable.
pub(super) fn message_with_help(finding: &Finding) -> String {
    match &finding.help {
        Some(help) => format!("{}\nhelp: {help}", finding.message()),
        None => finding.message().to_string(),
    }
}

/// Everything a plain-text report of a finding says after its first line:
/// message, help, the rule's page, and each related place.
pub(super) fn details(finding: &Finding, sources: &SourceSet) -> String {
    let mut text = message_with_help(finding);
    if let Some(url) = finding.url() {
        text += &format!("\nsee: {url}");
    }
    for related in &finding.related {
        text += &format!("\n{}: {}", place(sources, &related.location), related.message);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slash_path_drops_a_leading_dot_and_keeps_absolute_and_parent_parts() {
        assert_eq!(slash_path(Path::new("./snapshots/a.yaml")), "snapshots/a.yaml");
        assert_eq!(slash_path(Path::new("../x/./a.yaml")), "../x/a.yaml");
        assert_eq!(slash_path(Path::new("/tmp/s/a.yaml")), "/tmp/s/a.yaml");
    }
}
