//! Long lines, cut for showing. An export's JSON is often minified: a
//! whole file is one line of megabytes. miette prints every line of a
//! snippet whole, and a label past the 65,535th column of a line made it
//! panic (its underline is padded with `format!("{:width$}")`, and Rust's
//! widths stop there). A diagnostic whose lines to show include a long one
//! is shown from an [`Excerpt`]: the lines miette would show, each long one
//! cut to a window around its labels, marked `…` where it was cut, with the
//! file's own line and column numbers.

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

use crate::source::{SourceFile, Span};

/// Lines up to this many bytes are shown whole.
pub const LONG: usize = 400;

/// How much of a long line is shown before its label, and in all (up to
/// twice that, to show a long label whole).
const BEFORE: usize = 60;
const WINDOW: usize = 200;

/// What marks a line cut at its start or end.
const CUT: &str = "…";

/// Lines of a file as a diagnostic shows them.
#[derive(Debug)]
pub struct Excerpt {
    name: String,
    text: String,
    lines: Vec<Line>,
}

/// One line of an excerpt.
#[derive(Debug)]
struct Line {
    /// Where it starts in the excerpt's text, and where its shown part
    /// starts there (after a cut mark).
    start: usize,
    shown: usize,
    /// Where it ends in the excerpt's text, before its line break.
    end: usize,
    /// The file's byte offset of its shown part, and the 0-based column
    /// (in characters) where that is.
    from: usize,
    column: usize,
    /// Its 0-based line in the file.
    line: usize,
    /// Which run of consecutive lines of the file it belongs to.
    run: usize,
}

impl Excerpt {
    /// The excerpt of `file` that shows `spans` (each within one line; the
    /// first, the primary label's, is the one a long line is cut around) and
    /// `context` lines around each, if any of those lines is longer than
    /// [`LONG`]; with each span as it lies in the excerpt, or `None` for a
    /// span its line's window leaves out (a label far along a long line
    /// from the one it is cut around). `None` when every line is short: the
    /// file is shown as it is.
    pub fn of(file: &SourceFile, spans: &[Span], context: usize) -> Option<(Excerpt, Vec<Option<Span>>)> {
        // Most files have no long line at all (pretty-printed JSON, YAML).
        if file.longest_line() <= LONG {
            return None;
        }
        let last = file.line_count() - 1;
        let lines: Vec<usize> = spans.iter().map(|s| file.line_of(s.start())).collect();
        let mut label_lines = lines.clone();
        label_lines.sort_unstable();
        let mut ranges: Vec<(usize, usize)> = Vec::new();
        for &line in &label_lines {
            let (first, end) = (line.saturating_sub(context), (line + context).min(last));
            match ranges.last_mut() {
                Some(range) if first <= range.1 + 1 => range.1 = range.1.max(end),
                _ => ranges.push((first, end)),
            }
        }
        let bounds = |line: usize| (file.line_start(line).unwrap_or_default(), file.line_end(line));
        let long = |line: usize| {
            let (start, end) = bounds(line);
            end - start > LONG
        };
        if !ranges.iter().any(|&(first, end)| (first..=end).any(long)) {
            return None;
        }
        let name = file.path.display().to_string();
        let mut excerpt = Excerpt { name, text: String::new(), lines: Vec::new() };
        for (run, &(first, end)) in ranges.iter().enumerate() {
            for line in first..=end {
                let (start, end) = bounds(line);
                let on_line: Vec<Span> =
                    spans.iter().zip(&lines).filter(|(_, at)| **at == line).map(|(span, _)| *span).collect();
                let window = window(&file.text, start, end, &on_line);
                let column = file.line_col(window.0).column - 1;
                excerpt.push(&file.text, (line, column, run), (start, end), window, line < last);
            }
        }
        let spans = spans.iter().map(|&span| excerpt.place(span)).collect();
        Some((excerpt, spans))
    }

    /// Adds line `line` of the file (its text `start..end`, at `column` where
    /// `window` starts) as `window` shows it, and a line break unless it is
    /// the file's last line.
    fn push(
        &mut self,
        text: &str,
        (line, column, run): (usize, usize, usize),
        (start, end): (usize, usize),
        window: (usize, usize),
        line_break: bool,
    ) {
        let at = self.text.len();
        if window.0 > start {
            self.text.push_str(CUT);
        }
        let shown = self.text.len();
        self.text.push_str(&crate::source::shown_text(&text[window.0..window.1]));
        let line_end = self.text.len();
        if window.1 < end {
            self.text.push_str(CUT);
        }
        if line_break {
            self.text.push('\n');
        }
        self.lines.push(Line { start: at, shown, end: line_end, from: window.0, column, line, run });
    }

    /// Where `span` of the file lies in the excerpt, cut to its line's
    /// shown part; `None` if it starts outside it.
    fn place(&self, span: Span) -> Option<Span> {
        let line = self
            .lines
            .iter()
            .find(|l| l.from <= span.start() && span.start() <= l.from + (l.end - l.shown))?;
        let start = line.shown + (span.start() - line.from);
        let end = (line.shown + span.end().saturating_sub(line.from)).min(line.end).max(start);
        Some(Span::new(start, end))
    }

    /// The excerpt's line with the text offset `offset`.
    fn line_at(&self, offset: usize) -> Option<usize> {
        let after = self.lines.partition_point(|l| l.start <= offset);
        after.checked_sub(1)
    }
}

/// The part of the file's line `start..end` to show: all of it when it
/// is short; else a window on character boundaries that starts a little
/// before the first of `spans` (the line's start if there is none) and
/// runs [`WINDOW`] bytes, or to that span's end, up to twice as far.
fn window(text: &str, start: usize, end: usize, spans: &[Span]) -> (usize, usize) {
    if end - start <= LONG {
        return (start, end);
    }
    let (first, first_end) = spans.first().map_or((start, start), |s| (s.start(), s.end()));
    let from = first.saturating_sub(BEFORE).max(start);
    let to = first_end.min(from + 2 * WINDOW).max(from + WINDOW).min(end);
    (floor_char(text, from), ceil_char(text, to))
}

fn floor_char(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn ceil_char(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at += 1;
    }
    at
}

impl SourceCode for Excerpt {
    /// As [`SourceFile`]'s, over the excerpt's lines: context lines stop
    /// where a run of the file's lines does, and the line and column are
    /// the file's.
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let (offset, len) = (span.offset(), span.len());
        let last_byte = if len > 0 { offset + len - 1 } else { offset };
        let (Some(first), Some(last)) = (self.line_at(offset), self.line_at(last_byte)) else {
            return Err(MietteError::OutOfBounds);
        };
        if offset + len > self.text.len() {
            return Err(MietteError::OutOfBounds);
        }
        let run = self.lines[first].run;
        let mut top = first;
        while top > 0 && first - top < context_lines_before && self.lines[top - 1].run == run {
            top -= 1;
        }
        let mut bottom = last;
        while bottom + 1 < self.lines.len()
            && bottom - last < context_lines_after
            && self.lines[bottom + 1].run == run
        {
            bottom += 1;
        }
        let line = &self.lines[first];
        let (start, column) = if context_lines_before == 0 {
            // The file's column: the cut mark counts for the characters it
            // stands for.
            let shown = offset.max(line.shown).min(line.end);
            let cut = self.text[line.shown..shown].chars().count();
            (offset, line.column + cut)
        } else {
            (self.lines[top].start, 0)
        };
        let end = self.lines.get(bottom + 1).map_or(self.text.len(), |next| next.start);
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            &self.text.as_bytes()[start..end],
            (start, end - start).into(),
            self.lines[top].line,
            column,
            bottom - top + 1,
        )))
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn file(text: &str) -> SourceFile {
        SourceFile::new(PathBuf::from("f.json"), "f.json".into(), text.to_string())
    }

    /// The excerpt's text, and each span as it reads there.
    fn shown(f: &SourceFile, spans: &[Span]) -> Option<(String, Vec<Option<String>>)> {
        let (excerpt, placed) = Excerpt::of(f, spans, 1)?;
        let read = |span: Option<Span>| span.map(|s| excerpt.text[s.start()..s.end()].to_string());
        let placed = placed.into_iter().map(read).collect();
        Some((excerpt.text, placed))
    }

    /// Where the excerpt of `spans` reads the `n`th of them from, as
    /// miette's header gives it: 1-based line and column.
    fn header(f: &SourceFile, spans: &[Span], n: usize) -> (usize, usize) {
        let (excerpt, placed) = Excerpt::of(f, spans, 1).expect("an excerpt");
        let contents = excerpt.read_span(&placed[n].expect("shown").into(), 0, 0).expect("in the excerpt");
        (contents.line() + 1, contents.column() + 1)
    }

    fn span_of(text: &str, needle: &str) -> Span {
        let at = text.find(needle).expect("in the text");
        Span::new(at, at + needle.len())
    }

    #[test]
    fn short_lines_are_shown_as_they_are() {
        let f = file("{\n  \"a\": 1\n}\n");
        assert!(shown(&f, &[Span::new(4, 7)]).is_none());
    }

    #[test]
    fn a_long_line_is_cut_around_its_first_label_with_the_files_numbers() {
        let text = format!(
            "{{\"users\": [{}\"bad\": 1, \"near\": 2, {}\"far\": 3]}}\n",
            "x".repeat(5000),
            "y".repeat(5000)
        );
        let f = file(&text);
        let (bad, near, far) =
            (span_of(&text, "\"bad\""), span_of(&text, "\"near\""), span_of(&text, "\"far\""));
        let (excerpt, placed) = shown(&f, &[bad, near, far]).expect("an excerpt");
        let window = &text[bad.start() - BEFORE..bad.start() - BEFORE + WINDOW];
        assert!(window.starts_with('x') && window.ends_with('y'));
        assert_eq!(excerpt, format!("…{window}…\n"));
        assert_eq!(placed, [Some("\"bad\"".to_string()), Some("\"near\"".to_string()), None]);
        assert_eq!(header(&f, &[bad], 0), (1, bad.start() + 1));
        assert_eq!(header(&f, &[bad, near], 1), (1, near.start() + 1));
        assert_eq!(header(&f, &[far], 0), (1, far.start() + 1));
    }

    #[test]
    fn a_long_context_line_is_cut_too_and_runs_keep_their_line_numbers() {
        let text = format!("{}\n\"a\": 1\n{}\"b\": 2\n", "z".repeat(1000), "w\n".repeat(10));
        let f = file(&text);
        let (a, b) = (span_of(&text, "\"a\""), span_of(&text, "\"b\""));
        let (excerpt, placed) = Excerpt::of(&f, &[a, b], 1).expect("an excerpt");
        assert_eq!(excerpt.text, format!("{}…\n\"a\": 1\nw\nw\n\"b\": 2\n", "z".repeat(200)));
        // Line 2 with its context, within its run: lines 1 to 3.
        let around_a = excerpt.read_span(&placed[0].expect("shown").into(), 1, 1).expect("in the excerpt");
        assert_eq!((around_a.line(), around_a.line_count()), (0, 3));
        // Line 13 with its context: lines 12 to 14 (the empty one after the
        // last break), not the run above.
        let around_b = excerpt.read_span(&placed[1].expect("shown").into(), 1, 1).expect("in the excerpt");
        assert_eq!((around_b.line(), around_b.line_count()), (11, 3));
        assert_eq!(std::str::from_utf8(around_b.data()).expect("UTF-8"), "w\n\"b\": 2\n");
        assert_eq!(header(&f, &[a, b], 1), (13, 1));
    }

    #[test]
    fn cuts_fall_between_characters() {
        let text = format!("[{}\"k\"{}]", "é".repeat(3000), "ü".repeat(3000));
        let f = file(&text);
        let k = span_of(&text, "\"k\"");
        let (excerpt, placed) = shown(&f, &[k]).expect("an excerpt");
        assert!(excerpt.starts_with("…é") && excerpt.ends_with("ü…"), "{excerpt}");
        assert_eq!(placed, [Some("\"k\"".to_string())]);
        // Columns count characters, as the file's do.
        assert_eq!(header(&f, &[k], 0), (1, 3002));
    }
}
