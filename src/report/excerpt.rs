//! Long lines, cut for showing. An export's JSON is often minified: a
//! whole file is one line of megabytes, and pretty-printed JSON still has
//! lines of a few hundred characters (a description, a REST `self` link).
//! miette prints every line of a snippet whole, so a terminal wrapped them
//! under their labels' underlines, and a label past the 65,535th column of
//! a line made it panic (its underline is padded with `format!("{:width$}")`,
//! and Rust's widths stop there). A diagnostic whose lines to show include
//! one wider than the report is shown from an [`Excerpt`]: the lines miette
//! would show, each long one cut to a window around its labels that fits
//! the width, marked `…` where it was cut, with the file's own line and
//! column numbers.

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};
use unicode_width::UnicodeWidthChar;

use crate::source::{SourceFile, Span, visible};

/// The narrowest window a line is cut to, in columns, however narrow the
/// report: less would not show a key with its value.
const NARROWEST: usize = 40;

/// The widest, however wide the report (`COLUMNS=70000` is accepted): a
/// label past the 65,535th column of a line it shows makes miette panic.
const WIDEST: usize = 400;

/// The columns a character of a line takes as miette shows it: a tab up to
/// the next stop of four (four at most, wherever it is), a control
/// character as one (`shown_text`), East Asian wide characters and emoji
/// two, combining marks none.
fn columns(c: char) -> usize {
    match c {
        '\t' => 4,
        c if c.is_control() => 1,
        c => c.width().unwrap_or(0),
    }
}

/// What marks a line cut at its start or end.
const CUT: &str = "…";

/// How lines are cut to fit a report `width` columns wide.
#[derive(Debug, Clone, Copy)]
pub struct Cut {
    width: usize,
}

impl Cut {
    pub fn new(width: usize) -> Cut {
        Cut { width }
    }

    /// How many columns of a line fit beside miette's gutter (a space, the
    /// line number, ` │ `) when the last line number shown is `last_line`
    /// (1-based).
    fn room(self, last_line: usize) -> usize {
        let digits = last_line.checked_ilog10().map_or(1, |d| d as usize + 1);
        self.width.saturating_sub(digits + 4).clamp(NARROWEST, WIDEST)
    }

    /// Whether `line`, shown with `last_line` the last line number, would
    /// be cut.
    pub fn too_long(self, line: &str, last_line: usize) -> bool {
        wider_than(line, self.room(last_line))
    }
}

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
    /// `context` lines around each, if any of those lines is too long for
    /// `cut`; with each span as it lies in the excerpt, or `None` for a span
    /// its line's window leaves out (a label far along a long line from the
    /// one it is cut around). `None` when every line fits: the file is shown
    /// as it is.
    pub fn of(
        file: &SourceFile,
        spans: &[Span],
        context: usize,
        cut: Cut,
    ) -> Option<(Excerpt, Vec<Option<Span>>)> {
        let last = file.line_count() - 1;
        // No line number has more digits than the last: most files have no
        // line too wide at all (YAML, JSON pretty-printed with short values).
        if file.widest_line() <= cut.room(last + 1) {
            return None;
        }
        let lines: Vec<usize> = spans.iter().map(|s| file.line_of(s.start())).collect();
        // miette's gutter is as wide as the last line number it shows.
        let shown_last = lines.iter().max().map_or(0, |line| (line + context).min(last));
        let room = cut.room(shown_last + 1);
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
            wider_than(&file.text[start..end], room)
        };
        if !ranges.iter().any(|&(first, end)| (first..=end).any(long)) {
            return None;
        }
        let name = visible(&file.path.display().to_string()).into_owned();
        let mut excerpt = Excerpt { name, text: String::new(), lines: Vec::new() };
        for (run, &(first, end)) in ranges.iter().enumerate() {
            for line in first..=end {
                let (start, end) = bounds(line);
                let on_line: Vec<Span> =
                    spans.iter().zip(&lines).filter(|(_, at)| **at == line).map(|(span, _)| *span).collect();
                let window = window(&file.text, (start, end), &on_line, room);
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

/// Whether `line` takes more than `room` columns; it is read no further
/// than that (a minified file's line is megabytes long).
fn wider_than(line: &str, room: usize) -> bool {
    forward(line, 0, room) < line.len()
}

/// The part of the file's line `start..end` to show, in `room` columns
/// with its cut marks: all of it when it fits; else as much as fits that
/// shows the first of `spans` (the line's start if there is none): from
/// the line's start when that reaches the span's end; else from a third of
/// the window before the span, or, where the line ends within the window,
/// from up to two thirds before it: miette hangs a label's text from its
/// underline, so a label at the window's right edge ran its text past the
/// width. A span longer than the window is shown whole, up to twice the
/// window, past the width: it is what the finding is about (a grant written
/// on one line, whose holder comes last), and cut with the line, what to
/// change was left out.
fn window(text: &str, (start, end): (usize, usize), spans: &[Span], room: usize) -> (usize, usize) {
    let line = &text[start..end];
    if !wider_than(line, room) {
        return (start, end);
    }
    let mark: usize = CUT.chars().map(columns).sum();
    // Within the line and on its characters' boundaries, as a label's span
    // is; not trusted to be, since a panic here would lose the report.
    let (first, first_end) = spans.first().map_or((start, start), |s| (s.start(), s.end()));
    let first = floor_char(line, first.clamp(start, end) - start);
    let first_end = ceil_char(line, first_end.clamp(start, end) - start).max(first);
    // Cut at the end only.
    if !wider_than(&line[..first_end], room - mark) {
        return (start, start + forward(line, 0, room - mark));
    }
    // Cut at both ends, unless the label is near the start and longer
    // than the window.
    let width = room - 2 * mark;
    let from = back(line, first, width / 3);
    let to = forward(line, from, if from == 0 { width + mark } else { width });
    let to = if to < first_end { forward(line, from, 2 * width).min(first_end) } else { to };
    // Cut at the start only.
    let from = if to == line.len() {
        from.min(back(line, to, room - mark)).max(back(line, first, 2 * width / 3))
    } else {
        from
    };
    (start + from, start + to)
}

// `str::floor_char_boundary` and `ceil_char_boundary` are newer than the
// Rust sitelint supports (1.89).
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

/// Where the text before `at` in `line` that takes at most `room` columns
/// starts.
fn back(line: &str, at: usize, room: usize) -> usize {
    let mut taken = 0;
    for (i, c) in line[..at].char_indices().rev() {
        taken += columns(c);
        if taken > room {
            return i + c.len_utf8();
        }
    }
    0
}

/// Where the text from `at` in `line` that takes at most `room` columns
/// ends.
fn forward(line: &str, at: usize, room: usize) -> usize {
    let mut taken = 0;
    for (i, c) in line[at..].char_indices() {
        taken += columns(c);
        if taken > room {
            return at + i;
        }
    }
    line.len()
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

    /// The width the tests' reports wrap at.
    const CUT: Cut = Cut { width: 100 };

    /// The characters a window of `f`'s line `line` (0-based, shown with a
    /// line of context) shows between cut marks at both its ends, and how
    /// many of them come before its label.
    fn window_of(f: &SourceFile, line: usize) -> (usize, usize) {
        let width = CUT.room((line + 2).min(f.line_count())) - 2;
        (width, width / 3)
    }

    /// The excerpt's text, and each span as it reads there.
    fn shown(f: &SourceFile, spans: &[Span]) -> Option<(String, Vec<Option<String>>)> {
        let (excerpt, placed) = Excerpt::of(f, spans, 1, CUT)?;
        let read = |span: Option<Span>| span.map(|s| excerpt.text[s.start()..s.end()].to_string());
        let placed = placed.into_iter().map(read).collect();
        Some((excerpt.text, placed))
    }

    /// Where the excerpt of `spans` reads the `n`th of them from, as
    /// miette's header gives it: 1-based line and column.
    fn header(f: &SourceFile, spans: &[Span], n: usize) -> (usize, usize) {
        let (excerpt, placed) = Excerpt::of(f, spans, 1, CUT).expect("an excerpt");
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
        let (width, before) = window_of(&f, 0);
        let window = &text[bad.start() - before..bad.start() - before + width];
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
        let (excerpt, placed) = Excerpt::of(&f, &[a, b], 1, CUT).expect("an excerpt");
        // The gutter is as wide as line 14's number, the last shown.
        let room = CUT.room(14);
        assert_eq!(excerpt.text, format!("{}…\n\"a\": 1\nw\nw\n\"b\": 2\n", "z".repeat(room - 1)));
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

    /// A line of pretty-printed JSON: a key, then a long value.
    fn described(value_len: usize) -> String {
        format!("{{\n  \"description\": \"{}\",\n  \"id\": 1\n}}\n", "d".repeat(value_len))
    }

    #[test]
    fn a_line_is_cut_when_it_is_wider_than_the_report_beside_the_gutter() {
        // 100 columns, less 5 for the gutter of a one-digit line number.
        let fits = described(95 - "  \"description\": \"\",".len());
        assert!(shown(&file(&fits), &[span_of(&fits, "\"id\"")]).is_none());
        let wider = described(96 - "  \"description\": \"\",".len());
        let f = file(&wider);
        let (text, _) = shown(&f, &[span_of(&wider, "\"id\"")]).expect("an excerpt");
        // Lines 2 to 4: the long line, then the label's.
        let cut = text.lines().next().expect("the long line");
        assert_eq!(cut.chars().count(), 95, "{cut}");
        assert!(cut.starts_with("  \"description\"") && cut.ends_with("d…"), "{cut}");
    }

    #[test]
    fn a_label_near_its_lines_start_keeps_the_start_and_one_near_its_end_the_end() {
        let text = described(300);
        let f = file(&text);
        // Cut at one end, a line shows all the room but one mark's.
        let room = CUT.room(3);
        let (near_start, _) = shown(&f, &[span_of(&text, "\"description\"")]).expect("an excerpt");
        let line = near_start.lines().nth(1).expect("the long line");
        assert_eq!(line, format!("  \"description\": \"{}…", "d".repeat(room - 1 - 18)));
        // Near its end, the line is shown to its end, the label at most
        // two thirds along the window, which leaves its text room.
        let end = text.find("\",\n").expect("the value's end");
        let (near_end, placed) = shown(&f, &[Span::new(end - 3, end + 1)]).expect("an excerpt");
        let line = near_end.lines().nth(1).expect("the long line");
        let (width, _) = window_of(&f, 1);
        assert_eq!(line, format!("…{}\",", "d".repeat(2 * width / 3 + 3)));
        assert_eq!(placed, [Some("ddd\"".to_string())]);
        // Not as far back as a third from the end: as a third before it.
        let at = end - 30;
        let (near_end, _) = shown(&f, &[Span::new(at, at + 3)]).expect("an excerpt");
        let line = near_end.lines().nth(1).expect("the long line");
        assert_eq!(line, format!("…{}\",", "d".repeat(room - 1 - 2)));
    }

    #[test]
    fn a_label_wider_than_the_window_is_shown_whole_up_to_twice_the_window() {
        let text = format!("[\"{}\", \"{}\", \"{}\"]\n", "a".repeat(500), "b".repeat(150), "c".repeat(500));
        let f = file(&text);
        let (width, before) = window_of(&f, 0);
        let b = span_of(&text, &format!("\"{}\"", "b".repeat(150)));
        let (excerpt, placed) = shown(&f, &[b]).expect("an excerpt");
        let from = b.start() - before;
        assert_eq!(excerpt, format!("…{}…\n", &text[from..b.end()]));
        assert_eq!(placed, [Some(text[b.start()..b.end()].to_string())]);
        // Longer than that, it is cut at twice the window.
        let c = span_of(&text, &format!("\"{}\"", "c".repeat(500)));
        let (excerpt, placed) = shown(&f, &[c]).expect("an excerpt");
        let from = c.start() - before;
        assert_eq!(excerpt, format!("…{}…\n", &text[from..from + 2 * width]));
        assert_eq!(placed, [Some(text[c.start()..from + 2 * width].to_string())]);
    }

    /// The columns miette takes to show `line`: a tab to the next stop of
    /// four.
    fn shown_columns(line: &str) -> usize {
        line.chars().fold(0, |at, c| at + if c == '\t' { 4 - at % 4 } else { columns(c) })
    }

    proptest::proptest! {
        /// Whatever the line, label and width: a cut line fits the room
        /// beside the gutter and shows where its label starts, and a line
        /// that fits is shown whole.
        #[test]
        fn a_window_fits_the_room_and_shows_its_label(
            line in "[aé\u{1F600}\u{65E5}\t \"{}:,]{0,400}",
            at in 0usize..400,
            len in 0usize..200,
            width in 0usize..1_000,
        ) {
            let text = format!("{{\n{line}\n}}\n");
            let chars: Vec<usize> = line.char_indices().map(|(i, _)| i).chain([line.len()]).collect();
            let offset = |n: usize| 2 + chars[n.min(chars.len() - 1)];
            let label = Span::new(offset(at), offset(at + len));
            let f = file(&text);
            let cut = Cut::new(width);
            let room = cut.room(3);
            let most = line.chars().map(columns).sum::<usize>();
            match Excerpt::of(&f, &[label], 1, cut) {
                None => proptest::prop_assert!(shown_columns(&line) <= room),
                Some((excerpt, placed)) => {
                    let shown = excerpt.text.lines().nth(1).expect("the label's line");
                    // A label longer than half the room may take up to twice it.
                    let label_columns = text[label.start()..label.end()].chars().map(columns).sum::<usize>();
                    let limit = if label_columns <= room / 2 { room } else { 2 * room };
                    proptest::prop_assert!(shown_columns(shown) <= limit, "{}", shown);
                    if most <= room {
                        proptest::prop_assert_eq!(shown, line.as_str());
                    }
                    let placed = placed[0].expect("the label is shown");
                    let label_text = &text[label.start()..label.end()];
                    proptest::prop_assert!(label_text.starts_with(&excerpt.text[placed.start()..placed.end()]));
                    proptest::prop_assert!(placed.start() < placed.end() || label.is_empty());
                }
            }
        }
    }

    #[test]
    fn tabs_and_wide_characters_count_as_the_columns_they_take() {
        // Four tabs take 16 columns, so this line takes 112 and is cut.
        let line = format!("\t\t\t\t\"description\": \"{}\",", "d".repeat(76));
        let text = format!("{{\n{line}\n\t\"id\": 1\n}}\n");
        let f = file(&text);
        let room = CUT.room(4);
        let (excerpt, _) = shown(&f, &[span_of(&text, "\"id\"")]).expect("an excerpt");
        // Lines 2 to 4: the long line, then the label's.
        let cut = excerpt.lines().next().expect("the long line");
        assert!(cut.starts_with("\t\t\t\t\"description\"") && cut.ends_with('…'), "{cut}");
        assert_eq!(shown_columns(cut), room);
        // 60 ideographs take 120 columns.
        let text = format!("{{\"name\": \"{}\"}}\n", "日".repeat(60));
        let f = file(&text);
        let (excerpt, _) = shown(&f, &[span_of(&text, "\"name\"")]).expect("an excerpt");
        let cut = excerpt.lines().next().expect("the line");
        assert!(shown_columns(cut) <= CUT.room(2) && cut.ends_with("日…"), "{cut}");
    }

    #[test]
    fn a_label_off_its_lines_characters_is_shown_without_a_panic() {
        // At the LF of a CRLF line break, and inside a character.
        let text = format!("{{\"a\": \"{}\",\r\n\"b\": 1}}\r\n", "x".repeat(500));
        let lf = text.find('\n').expect("a line feed");
        assert!(Excerpt::of(&file(&text), &[Span::new(lf, lf)], 1, CUT).is_some());
        let text = format!("[\"{}\u{0085}{}\"]\n", "x".repeat(500), "y".repeat(500));
        let at = text.find('\u{0085}').expect("a two-byte character");
        assert!(Excerpt::of(&file(&text), &[Span::new(at + 1, at + 2)], 1, CUT).is_some());
    }

    #[test]
    fn the_files_name_is_shown_with_its_control_characters_escaped() {
        let text = format!("[\"{}\"]\n", "x".repeat(500));
        let f = SourceFile::new(PathBuf::from("a\u{1b}[31m.json"), "a.json".into(), text.clone());
        let (excerpt, placed) = Excerpt::of(&f, &[Span::new(1, 3)], 1, CUT).expect("an excerpt");
        let contents = excerpt.read_span(&placed[0].expect("shown").into(), 0, 0).expect("in the excerpt");
        assert_eq!(contents.name(), Some("a\\u001b[31m.json"));
    }

    #[test]
    fn however_wide_the_report_a_window_shows_four_hundred_characters() {
        let text = format!("[{}\"k\"{}]\n", "x".repeat(100_000), "y".repeat(100_000));
        let f = file(&text);
        let k = span_of(&text, "\"k\"");
        let (excerpt, placed) = Excerpt::of(&f, &[k], 1, Cut::new(1_000_000)).expect("an excerpt");
        let line = excerpt.text.lines().next().expect("the line");
        assert_eq!(line.chars().count(), WIDEST, "{line}");
        assert!(placed[0].is_some_and(|k| k.end() < WIDEST * 3));
    }

    #[test]
    fn however_narrow_the_report_a_window_shows_forty_characters() {
        let text = described(300);
        let f = file(&text);
        let narrow = Cut::new(20);
        let (excerpt, _) = Excerpt::of(&f, &[span_of(&text, "\"id\"")], 1, narrow).expect("an excerpt");
        let line = excerpt.text.lines().next().expect("the long line");
        assert_eq!(line.chars().count(), NARROWEST, "{line}");
    }
}
