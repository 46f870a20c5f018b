//! Rendering findings: human (miette) and JSON. Knows nothing of rules or
//! file formats; it gets findings and the sources they point into.

pub mod access;
pub mod catalogue;
mod excerpt;
pub mod format;
pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub(crate) mod keypath;
pub mod sarif;

use crate::finding::{Finding, Severity};
pub(crate) use crate::source::visible;

/// How every text sitelint wraps is wrapped: at spaces only, and a word
/// longer than the width runs past it, so the ids, emails, app keys, paths
/// and URLs that messages quote stay whole, to be found and copied.
pub(crate) fn wrapping(width: usize) -> textwrap::Options<'static> {
    textwrap::Options::new(width)
        .word_separator(textwrap::WordSeparator::AsciiSpace)
        .word_splitter(textwrap::WordSplitter::NoHyphenation)
        .break_words(false)
}

/// Counts by severity, and how many files were read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub files: usize,
    /// Findings a suppression hid (not among the counts above).
    pub suppressed: usize,
    /// Rules that failed while running or ran out of time: their findings
    /// may be missing. (The JSON document lists them instead of counting.)
    pub failed_rules: usize,
}

impl Summary {
    pub fn new(findings: &[Finding], files: usize) -> Summary {
        let count = |s| findings.iter().filter(|f| f.severity == s).count();
        Summary {
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            infos: count(Severity::Info),
            files,
            suppressed: 0,
            failed_rules: 0,
        }
    }

    /// `3 errors, 1 warning in 6 files`, or `no findings in 6 files`, and
    /// `; 1 rule failed` when one did: its findings may be missing, and the
    /// line should not read as the whole story.
    pub fn line(&self) -> String {
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        let mut parts = Vec::new();
        for (n, word) in [(self.errors, "error"), (self.warnings, "warning"), (self.infos, "info")] {
            if n > 0 {
                parts.push(plural(n, word));
            }
        }
        let counts = if parts.is_empty() { "no findings".to_string() } else { parts.join(", ") };
        let suppressed = match self.suppressed {
            0 => String::new(),
            n => format!(" ({n} suppressed)"),
        };
        let failed = match self.failed_rules {
            0 => String::new(),
            n => format!("; {} failed", plural(n, "rule")),
        };
        format!("{counts} in {}{suppressed}{failed}", plural(self.files, "file"))
    }
}
