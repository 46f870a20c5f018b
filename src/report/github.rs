//! GitHub Actions workflow commands: one `::error`/`::warning`/`::notice`
//! line per finding, which the runner turns into an annotation on the file,
//! and an `::error` on the rule file for each rule that failed while running
//! or ran out of time (stderr, which says so too, is seldom read in CI).
//!
//! No summary line: a `::notice` summary would be one more annotation,
//! counted against the runner's annotation limits and listed among the
//! findings as if it were one, and the step's exit code already says
//! whether the check passed.

use std::io::{self, Write};
use std::path::Path;

use super::format::{RuleFailure, details, region, slash_path};
use super::visible;
use crate::finding::{Finding, Severity};
use crate::source::SourceSet;

/// Writes a line per finding, then per failed rule, as they are made: a
/// report of many findings was held whole before it was written.
pub fn write(
    findings: &[Finding],
    sources: &SourceSet,
    failures: &[RuleFailure],
    out: &mut impl Write,
) -> io::Result<()> {
    for f in findings {
        let command = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let (start, end) = region(sources, &f.primary);
        writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            property(&slash_path(sources.path(f.primary.file))),
            start.line,
            start.column,
            end.line,
            end.column,
            property(f.code()),
            data(&details(f, sources)),
        )?;
    }
    for failure in failures {
        // A built-in rule's file is inside sitelint: the annotation goes on
        // the run, not on a file of the repository.
        let place = match failure.file_on_disk() {
            Some(file) => format!(
                "file={},line={},col={},",
                property(&slash_path(Path::new(file))),
                failure.at.line,
                failure.at.column
            ),
            None => String::new(),
        };
        writeln!(
            out,
            "::error {place}title={}::{}",
            property(failure.code),
            data(&format!("{}\nhelp: {}", failure.message, failure.help)),
        )?;
    }
    Ok(())
}

/// Escapes a command's message: the runner reads up to the end of the line
/// and decodes these; control characters are written as escapes, as the
/// log would act on them (see [`visible`]).
fn data(text: &str) -> String {
    visible(&text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")).into_owned()
}

/// Escapes a property value, which also ends at `,` (next property) and
/// `::` (start of the message).
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_follow_the_runner() {
        assert_eq!(data("100% sure,\r\nsee: x"), "100%25 sure,%0D%0Asee: x");
        assert_eq!(property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
        assert_eq!(data("a\u{1b}[2J\u{7}"), "a\\u001b[2J\\u0007");
    }
}
