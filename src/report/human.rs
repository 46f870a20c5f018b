//! Human output: one miette report per finding, pointing at the offending
//! setting with related places as secondary labels (same file) or related
//! reports (other files).

use std::fmt;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceCode, ThemeCharacters, ThemeStyles,
};
use rayon::prelude::*;

use super::excerpt::{Cut, Excerpt};
use super::{Summary, visible};
use crate::finding::{Finding, Severity};
use crate::source::{SourceFile, SourceSet, Span};

#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
    /// Terminal width to wrap at.
    pub width: usize,
}

/// The report as text (see [`write()`]), for a few findings: a rule's
/// example, a test. A report goes through `write`: rendered into one text
/// grown as it goes, 100,000 diagnostics took twice as long.
pub fn render(findings: &[Finding], sources: &SourceSet, summary: &Summary, style: Style) -> String {
    let mut out = Vec::new();
    // Writing into a Vec cannot fail, and what is written is text.
    let _ = write(findings, sources, summary, style, &mut out);
    String::from_utf8(out).expect("the report is text")
}

/// Diagnostics rendered together, in parallel, before they are written.
const BATCH: usize = 1024;

/// Writes each finding's diagnostic, then the summary line. Diagnostics
/// render in parallel, a batch at a time, written in order as each batch is
/// done: rendered all at once, the 63,490 of a 59 MB site with many
/// problems were held twice over, 563 MB.
pub fn write(
    findings: &[Finding],
    sources: &SourceSet,
    summary: &Summary,
    style: Style,
    out: &mut impl std::io::Write,
) -> std::io::Result<()> {
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
            .with_context_lines(CONTEXT)
    };
    // Each diagnostic renders on its own, so they render in parallel (a
    // handler per worker) and are written in order.
    for batch in findings.chunks(BATCH) {
        let rendered: Vec<String> = batch
            .par_iter()
            .map_init(handler, |handler, finding| {
                let diagnostic = FindingDiagnostic::new(finding, sources, Cut::new(style.width));
                let mut out = String::new();
                // Writing into a String cannot fail.
                let _ = handler.render_report(&mut out, &diagnostic);
                let mut out = without_trailing_spaces(out);
                out.push('\n');
                out
            })
            .collect();
        rendered.iter().try_for_each(|text| out.write_all(text.as_bytes()))?;
    }
    writeln!(out, "{}", summary.line())
}

/// A rendered report, each line without its trailing spaces: miette writes
/// a related report's severity, then its code, which it has none of
/// ("Advice: " ends with a space).
pub fn without_trailing_spaces(report: String) -> String {
    if !report.contains(" \n") {
        return report;
    }
    report.lines().map(str::trim_end).collect::<Vec<_>>().join("\n") + "\n"
}

/// The lines of context miette shows around a label.
const CONTEXT: usize = 1;

/// What a diagnostic's labels point into, and the labels: the file itself,
/// or an [`Excerpt`] of it when a line to show is long.
struct Shown<'a> {
    source: Source<'a>,
    labels: Vec<LabeledSpan>,
}

enum Source<'a> {
    File(&'a SourceFile),
    Excerpt(Excerpt),
}

impl<'a> Shown<'a> {
    /// `labels` (text, span) in `file`, the first the primary one, each cut
    /// to its first line; and those an excerpt leaves out (far along a long
    /// line from the primary one), with their spans in the file.
    fn new(file: &'a SourceFile, labels: Vec<(Option<String>, Span)>, cut: Cut) -> (Shown<'a>, Vec<Label>) {
        let labels: Vec<Label> = labels
            .into_iter()
            .enumerate()
            .map(|(n, (text, span))| Label { primary: n == 0, text, span: file.first_line(span) })
            .collect();
        match excerpted(file, &labels, cut) {
            Some((excerpt, shown, left_out)) => {
                (Shown { source: Source::Excerpt(excerpt), labels: shown }, left_out)
            }
            None => {
                let labels = labels.into_iter().map(|label| label.at(label.span)).collect();
                (Shown { source: Source::File(file), labels }, Vec::new())
            }
        }
    }

    fn source(&self) -> &dyn SourceCode {
        match &self.source {
            Source::File(file) => *file,
            Source::Excerpt(excerpt) => excerpt,
        }
    }
}

/// A label of a diagnostic, its span in the file.
struct Label {
    primary: bool,
    text: Option<String>,
    span: Span,
}

impl Label {
    /// The label, at `span`.
    fn at(&self, span: Span) -> LabeledSpan {
        let (text, span) = (self.text.clone(), (span.start(), span.len()));
        if self.primary {
            LabeledSpan::new_primary_with_span(text, span)
        } else {
            LabeledSpan::new_with_span(text, span)
        }
    }
}

/// `labels` of `file` (the first the one a long line is cut around) shown
/// from an excerpt of it, if a line to show is too long for `cut`: the
/// excerpt, the labels placed in it, and those it leaves out.
fn excerpted(
    file: &SourceFile,
    labels: &[Label],
    cut: Cut,
) -> Option<(Excerpt, Vec<LabeledSpan>, Vec<Label>)> {
    let spans: Vec<Span> = labels.iter().map(|label| label.span).collect();
    let (excerpt, placed) = Excerpt::of(file, &spans, CONTEXT, cut)?;
    let (mut shown, mut left_out) = (Vec::new(), Vec::new());
    for (label, placed) in labels.iter().zip(placed) {
        match placed {
            Some(span) => shown.push(label.at(span)),
            None => left_out.push(Label { primary: false, text: label.text.clone(), span: label.span }),
        }
    }
    Some((excerpt, shown, left_out))
}

struct FindingDiagnostic<'a> {
    finding: &'a Finding,
    shown: Shown<'a>,
    related: Vec<RelatedElsewhere<'a>>,
}

impl<'a> FindingDiagnostic<'a> {
    /// The finding with its label and the related places in its file as
    /// labels; related places elsewhere (miette labels only point into the
    /// diagnostic's own source) and those an excerpt leaves out, as related
    /// reports.
    fn new(finding: &'a Finding, sources: &'a SourceSet, cut: Cut) -> FindingDiagnostic<'a> {
        let file = sources.get(finding.primary.file);
        // miette shows a file's excerpts in file order, so a related place
        // well above the finding would come first, and the first `file:line`
        // a reader sees would not be the setting to change: such a place is
        // shown after the finding, as one in another file is. Within
        // 2 x CONTEXT lines it shares the finding's excerpt, whose header is
        // the finding's.
        let line = |span: Span| file.line_col(span.start()).line;
        let first_shared = line(finding.primary.span).saturating_sub(2 * CONTEXT);
        let (same_file, elsewhere): (Vec<_>, Vec<_>) = finding
            .related
            .iter()
            .partition(|r| r.location.file == finding.primary.file && line(r.location.span) >= first_shared);
        let labels = std::iter::once((finding.label.as_deref().map(escaped), finding.primary.span))
            .chain(same_file.iter().map(|r| (Some(escaped(&r.message)), r.location.span)))
            .collect();
        let (shown, left_out) = Shown::new(file, labels, cut);
        let elsewhere = elsewhere
            .into_iter()
            .map(|r| (sources.get(r.location.file), escaped(&r.message), r.location.span));
        let left_out = left_out.into_iter().map(|label| (file, label.text.unwrap_or_default(), label.span));
        let related = elsewhere
            .chain(left_out)
            .map(|(file, message, span)| RelatedElsewhere::new(file, message, span, cut))
            .collect();
        FindingDiagnostic { finding, shown, related }
    }
}

/// A label's or related place's text as shown: see [`visible`].
fn escaped(text: &str) -> String {
    visible(text).into_owned()
}

impl fmt::Debug for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FindingDiagnostic").field("code", &self.finding.code()).finish()
    }
}

impl fmt::Display for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&visible(&self.finding.message().text()))
    }
}

impl std::error::Error for FindingDiagnostic<'_> {}

impl Diagnostic for FindingDiagnostic<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(format!("{}({})", self.finding.code(), self.finding.name())))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.finding.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        let help = self.finding.help.as_deref().map(visible);
        let url = self.finding.url();
        match (help, url) {
            (Some(h), Some(u)) => Some(Box::new(format!("{h}\nsee: {u}"))),
            (Some(h), None) => Some(Box::new(h)),
            (None, Some(u)) => Some(Box::new(format!("see: {u}"))),
            (None, None) => None,
        }
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(self.shown.source())
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.shown.labels.iter().cloned()))
    }

    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn Diagnostic> + 'b>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(self.related.iter().map(|r| r as &dyn Diagnostic)))
    }
}

/// A related place shown as a report of its own: in another file than the
/// finding's, or too far along a long line from the finding's label.
struct RelatedElsewhere<'a> {
    message: String,
    shown: Shown<'a>,
}

impl<'a> RelatedElsewhere<'a> {
    fn new(file: &'a SourceFile, message: String, span: Span, cut: Cut) -> RelatedElsewhere<'a> {
        // One label, the window's own: nothing is left out.
        let (shown, _) = Shown::new(file, vec![(None, span)], cut);
        RelatedElsewhere { message, shown }
    }
}

impl fmt::Debug for RelatedElsewhere<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for RelatedElsewhere<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RelatedElsewhere<'_> {}

impl Diagnostic for RelatedElsewhere<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Advice)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(self.shown.source())
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.shown.labels.iter().cloned()))
    }
}

/// An error to print (a rule file's, the config file's), its labels shown
/// from an excerpt of its source when a line to show is wider than the
/// report; all else as the error has it.
pub struct Windowed<'a> {
    inner: &'a dyn Diagnostic,
    shown: Option<ErrorExcerpt>,
}

/// What an error shows from an excerpt: its labels there, and those the
/// excerpt leaves out (far along a long line from the primary one), each
/// shown after it from an excerpt of its own.
struct ErrorExcerpt {
    excerpt: Excerpt,
    labels: Vec<LabeledSpan>,
    left_out: Vec<RelatedElsewhere<'static>>,
}

impl<'a> Windowed<'a> {
    pub fn new(inner: &'a dyn Diagnostic, width: usize) -> Windowed<'a> {
        Windowed { inner, shown: windowed(inner, Cut::new(width)) }
    }
}

/// The excerpt and labels of `diagnostic`, if a line around one of its
/// labels is too long for `cut`; its source is then read whole (an error's
/// source is any `SourceCode`, often a `NamedSource`), which happens once a
/// run at most.
fn windowed(diagnostic: &dyn Diagnostic, cut: Cut) -> Option<ErrorExcerpt> {
    let source = diagnostic.source_code()?;
    let mut labels: Vec<LabeledSpan> = diagnostic.labels()?.collect();
    let long = |label: &LabeledSpan| {
        let around = source.read_span(label.inner(), CONTEXT, CONTEXT);
        around.is_ok_and(|around| {
            let last_line = around.line() + around.line_count();
            around
                .data()
                .split(|&b| b == b'\n')
                .any(|line| cut.too_long(&String::from_utf8_lossy(line), last_line))
        })
    };
    if !labels.iter().any(long) {
        return None;
    }
    let whole = source.read_span(&(0, 0).into(), 0, usize::MAX).ok()?;
    let name = whole.name().unwrap_or_default().to_string();
    let text = String::from_utf8_lossy(whole.data()).into_owned();
    let file = SourceFile::new(name.clone().into(), name, text);
    // The primary label first: the one a long line is cut around.
    labels.sort_by_key(|label| !label.primary());
    let labels: Vec<Label> = labels
        .iter()
        .map(|l| Label {
            primary: l.primary(),
            text: l.label().map(str::to_string),
            span: file.first_line(Span::new(l.offset(), l.offset() + l.len())),
        })
        .collect();
    let (excerpt, labels, left_out) = excerpted(&file, &labels, cut)?;
    // Each on a line too long to show whole: an excerpt of its own.
    let left_out = left_out
        .into_iter()
        .filter_map(|label| {
            let (excerpt, placed) = Excerpt::of(&file, &[label.span], CONTEXT, cut)?;
            let span = placed[0]?;
            let shown = Shown {
                source: Source::Excerpt(excerpt),
                labels: vec![LabeledSpan::new_with_span(None, (span.start(), span.len()))],
            };
            Some(RelatedElsewhere { message: label.text.unwrap_or_default(), shown })
        })
        .collect();
    Some(ErrorExcerpt { excerpt, labels, left_out })
}

impl fmt::Debug for Windowed<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.inner, f)
    }
}

impl fmt::Display for Windowed<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.inner, f)
    }
}

/// Its causes are the error's, which miette prints after it.
impl std::error::Error for Windowed<'_> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner.source()
    }
}

impl Diagnostic for Windowed<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.inner.code()
    }

    fn severity(&self) -> Option<miette::Severity> {
        self.inner.severity()
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.inner.help()
    }

    fn url<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.inner.url()
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        match &self.shown {
            Some(shown) => Some(&shown.excerpt),
            None => self.inner.source_code(),
        }
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        match &self.shown {
            Some(shown) => Some(Box::new(shown.labels.iter().cloned())),
            None => self.inner.labels(),
        }
    }

    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn Diagnostic> + 'b>> {
        let left_out = self.shown.iter().flat_map(|shown| &shown.left_out).map(|r| r as &dyn Diagnostic);
        match self.inner.related() {
            Some(related) => Some(Box::new(related.chain(left_out))),
            None if self.shown.as_ref().is_some_and(|shown| !shown.left_out.is_empty()) => {
                Some(Box::new(left_out))
            }
            None => None,
        }
    }

    fn diagnostic_source(&self) -> Option<&dyn Diagnostic> {
        self.inner.diagnostic_source()
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::finding::Check;
    use crate::source::{Location, SourceFile, Span};

    /// Diagnostics are written batch by batch, in order, each as it
    /// renders alone, and the summary line last.
    #[test]
    fn diagnostics_are_written_in_order_across_batches() {
        let text = "x\n".repeat(BATCH + 3);
        let mut sources = SourceSet::default();
        let file = sources.add(SourceFile::new(PathBuf::from("a.yaml"), "a.yaml".into(), text));
        let findings: Vec<Finding> = (0..BATCH + 3)
            .map(|n| {
                Check::Syntax.at(Location { file, span: Span::new(2 * n, 2 * n + 1) }, format!("number {n}"))
            })
            .collect();
        let style = Style { color: false, width: 80 };
        let summary = Summary::new(&findings, 1);
        let out = render(&findings, &sources, &summary, style);
        let alone = |f: &Finding| {
            let one = render(std::slice::from_ref(f), &sources, &Summary::new(&[], 1), style);
            one[..one.len() - Summary::new(&[], 1).line().len() - 1].to_string()
        };
        let expected: String = findings.iter().map(alone).collect::<String>() + &summary.line() + "\n";
        assert_eq!(out, expected);
    }

    /// A related place too far along a long line from the finding's label
    /// for the label's window is shown as a report of its own, with its
    /// own window and column.
    #[test]
    fn a_related_place_far_along_a_long_line_gets_its_own_window() {
        let text = format!("[\"here\", {}\"there\"]", "\"filler\", ".repeat(10_000));
        let there = text.find("\"there\"").expect("in the text");
        let mut sources = SourceSet::default();
        let file = sources.add(SourceFile::new(PathBuf::from("a.json"), "a.json".into(), text.clone()));
        let mut finding = Check::Syntax.at(Location { file, span: Span::new(1, 7) }, "a message");
        let at = Location { file, span: Span::new(there, there + 7) };
        finding.related.push(crate::finding::Related { location: at, message: "and there".into() });
        let style = Style { color: false, width: 100 };
        let out = render(std::slice::from_ref(&finding), &sources, &Summary::new(&[], 1), style);
        assert!(out.contains("[a.json:1:2]") && out.contains(&format!("[a.json:1:{}]", there + 1)), "{out}");
        assert!(out.contains("☞ and there"), "{out}");
        assert!(out.len() < 3_000, "{out}");
    }

    /// The first place a reader sees is the finding's: a related place well
    /// above it in its file is shown after it; one just above shares its
    /// excerpt, under the finding's `file:line:col`.
    #[test]
    fn a_related_place_above_the_finding_comes_after_it() {
        let text: String = (1..=12).map(|n| format!("k{n}: v\n")).collect();
        let offset = |line: usize| text.lines().take(line - 1).map(|l| l.len() + 1).sum::<usize>();
        let mut sources = SourceSet::default();
        let file = sources.add(SourceFile::new(PathBuf::from("a.yaml"), "a.yaml".into(), text.clone()));
        let at = |line: usize| Location { file, span: Span::new(offset(line), offset(line) + 2) };
        let mut finding = Check::Syntax.at(at(10), "a message");
        for (line, message) in [(2, "far above"), (8, "just above")] {
            finding.related.push(crate::finding::Related { location: at(line), message: message.into() });
        }
        let style = Style { color: false, width: 100 };
        let out = render(std::slice::from_ref(&finding), &sources, &Summary::new(&[], 1), style);
        assert!(!out.lines().any(|l| l.ends_with(' ')), "no line ends with a space: {out}");
        let headers: Vec<&str> = out.lines().filter(|l| l.contains("╭─[")).map(str::trim).collect();
        assert_eq!(headers, ["╭─[a.yaml:10:1]", "╭─[a.yaml:2:1]"], "{out}");
        let (finding_part, after) =
            out.split_once("a.yaml:10:1").expect("the finding").1.split_once("Advice").expect("after it");
        assert!(finding_part.contains("just above") && after.contains("☞ far above"), "{out}");
    }

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
