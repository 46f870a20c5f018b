//! Human output: one miette report per finding, pointing at the offending
//! setting with related places as secondary labels (same file) or related
//! reports (other files).

use std::fmt;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceCode, ThemeCharacters, ThemeStyles,
};
use rayon::prelude::*;

use super::Summary;
use crate::finding::{Finding, Severity};
use crate::source::{FileId, SourceSet};

#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
    /// Terminal width to wrap at.
    pub width: usize,
}

pub fn render(findings: &[Finding], sources: &SourceSet, summary: &Summary, style: Style) -> String {
    let theme = if style.color {
        GraphicalTheme { characters: ThemeCharacters::unicode(), styles: ThemeStyles::rgb() }
    } else {
        GraphicalTheme { characters: ThemeCharacters::unicode(), styles: ThemeStyles::none() }
    };
    // Wrapped as all output is ([`super::wrapping`], whose options miette
    // takes one by one). By default lines also broke after hyphens, where
    // Unicode's line-breaking rules allow (after slashes, say), and inside
    // words too long for a line, cutting ids and URLs. Those rules (ICU's
    // segmenter) were also a quarter of the time to render.
    let wrapping = super::wrapping(style.width);
    let handler = || {
        GraphicalReportHandler::new_themed(theme.clone())
            .with_width(wrapping.width)
            .with_links(false)
            .with_word_separator(wrapping.word_separator)
            .with_word_splitter(wrapping.word_splitter.clone())
            .with_break_words(wrapping.break_words)
    };
    // Each diagnostic renders on its own, so they render in parallel (a
    // handler per worker) and are joined in order.
    let rendered: Vec<String> = findings
        .par_iter()
        .map_init(handler, |handler, finding| {
            let diagnostic =
                FindingDiagnostic { finding, sources, related: related_elsewhere(finding, sources) };
            let mut out = String::new();
            // Writing into a String cannot fail.
            let _ = handler.render_report(&mut out, &diagnostic);
            out.push('\n');
            out
        })
        .collect();
    let mut out = rendered.concat();
    out.push_str(&summary.line());
    out.push('\n');
    out
}

/// Related places in other files than the primary one: miette labels only
/// point into the diagnostic's own source, so each becomes a related report.
fn related_elsewhere<'a>(finding: &'a Finding, sources: &'a SourceSet) -> Vec<RelatedElsewhere<'a>> {
    finding
        .related
        .iter()
        .filter(|r| r.location.file != finding.primary.file)
        .map(|r| RelatedElsewhere {
            file: r.location.file,
            span: r.location.span,
            message: &r.message,
            sources,
        })
        .collect()
}

struct FindingDiagnostic<'a> {
    finding: &'a Finding,
    sources: &'a SourceSet,
    related: Vec<RelatedElsewhere<'a>>,
}

impl fmt::Debug for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FindingDiagnostic").field("code", &self.finding.code).finish()
    }
}

impl fmt::Display for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl std::error::Error for FindingDiagnostic<'_> {}

impl Diagnostic for FindingDiagnostic<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(format!("{}({})", self.finding.code, self.finding.name)))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.finding.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        let help = self.finding.help.as_deref();
        let url = self.finding.url.as_deref();
        match (help, url) {
            (Some(h), Some(u)) => Some(Box::new(format!("{h}\nsee: {u}"))),
            (Some(h), None) => Some(Box::new(h)),
            (None, Some(u)) => Some(Box::new(format!("see: {u}"))),
            (None, None) => None,
        }
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(self.sources.get(self.finding.primary.file))
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let f = self.finding;
        let file = self.sources.get(f.primary.file);
        let primary = LabeledSpan::new_primary_with_span(f.label.clone(), file.first_line(f.primary.span));
        let same_file = f.related.iter().filter(move |r| r.location.file == f.primary.file).map(|r| {
            LabeledSpan::new_with_span(Some(r.message.to_string()), file.first_line(r.location.span))
        });
        Some(Box::new(std::iter::once(primary).chain(same_file)))
    }

    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn Diagnostic> + 'b>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(self.related.iter().map(|r| r as &dyn Diagnostic)))
    }
}

struct RelatedElsewhere<'a> {
    file: FileId,
    span: crate::source::Span,
    message: &'a str,
    sources: &'a SourceSet,
}

impl fmt::Debug for RelatedElsewhere<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message)
    }
}

impl fmt::Display for RelatedElsewhere<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message)
    }
}

impl std::error::Error for RelatedElsewhere<'_> {}

impl Diagnostic for RelatedElsewhere<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Advice)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(self.sources.get(self.file))
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.sources.get(self.file).first_line(self.span);
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(None, span))))
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::finding::Check;
    use crate::source::{Location, SourceFile, Span};

    /// Quoted keys, emails and URLs stay whole: lines break at spaces, not
    /// after the hyphens and slashes inside them, nor inside a word longer
    /// than a line.
    #[test]
    fn lines_break_only_at_spaces() {
        let mut sources = SourceSet::default();
        let file =
            sources.add(SourceFile::new(PathBuf::from("a.yaml"), "a.yaml".into(), "a: b\n".to_string()));
        let style = Style { color: false, width: 40 };
        // Some padding puts each hyphen of the key at the end of a line.
        for padding in 10..40 {
            let long = "https://support.atlassian.com/jira-service-management/docs/a-page";
            let message = format!("{} approved-domains jira-servicemanagement {long}", "x".repeat(padding));
            let finding = Check::Syntax.at(Location { file, span: Span::new(0, 1) }, message);
            let out = render(std::slice::from_ref(&finding), &sources, &Summary::new(&[], 1), style);
            for word in ["approved-domains", "jira-servicemanagement", long] {
                assert!(out.contains(word), "{word} is broken in\n{out}");
            }
        }
    }
}
