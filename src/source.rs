//! Source files as read from disk, with a line index so that turning a byte
//! offset into a line and column (and miette's label rendering) costs a binary
//! search instead of a scan of the file.
//!
//! A line ends at LF, CRLF or a lone CR (old Mac files): YAML 1.2 reads all
//! three as line breaks, and editors show a lone CR in JSON as one too.

use std::borrow::Cow;
use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

/// A byte range in one source file, `start..end`.
///
/// Offsets are kept in 32 bits: the model holds a span for every entity,
/// field and reference of a site (millions), and 8 bytes instead of 16 is
/// a tenth of its memory. A file of 4 GiB or more could not be parsed in
/// memory anyway; offsets past that saturate rather than wrap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    start: u32,
    end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        debug_assert!(start <= end);
        Span { start: offset32(start), end: offset32(end) }
    }

    pub fn start(&self) -> usize {
        self.start as usize
    }

    pub fn end(&self) -> usize {
        self.end as usize
    }

    pub fn len(&self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
}

impl From<Span> for SourceSpan {
    fn from(span: Span) -> Self {
        (span.start(), span.len()).into()
    }
}

/// Index of a file in a [`SourceSet`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct FileId(pub u32);

/// A place in a file: what every diagnostic and every model entity points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    pub file: FileId,
    pub span: Span,
}

/// 1-based line and column; the column counts characters, not bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

/// One file's text and where its lines start.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as the user named it: the PATH argument joined with the
    /// file's path below it. This is what diagnostics print.
    pub path: PathBuf,
    /// The path relative to the snapshot root, `/`-separated; sort key.
    pub relative: String,
    /// Shared with the model's strings that point into it; an `Arc` of a
    /// `String` so that they hold a thin pointer (and the text read from
    /// disk is not copied into an `Arc<str>`).
    pub text: Arc<String>,
    /// Where its lines start, built on first use: most files of a big
    /// snapshot have no finding.
    lines: OnceLock<LineIndex>,
    /// A bound on the columns of its widest line, found on first use.
    widest_line: OnceLock<usize>,
    /// The characters before each [`BLOCK`] of the text, counted on first
    /// use: a column far along a long line (minified JSON is one line of
    /// megabytes) is then counted from a block, not from the line's start.
    chars: OnceLock<Vec<u32>>,
    /// Its lines as excerpts show them ([`shown_text`]), made on first use
    /// where they differ from [`line_bytes`](Self::line_bytes).
    shown: OnceLock<Option<String>>,
}

/// How many line breaks come before each [`BLOCK`] of the text; a line is
/// found by counting the breaks from the start of its block.
///
/// A big snapshot has findings in every file, and pretty-printed JSON has a
/// line every 20 bytes or so: a start for every line was a fifth of the
/// text's size (120 MB at 600 MB), allocated while the report was written.
/// Counting by blocks takes memchr's vectorized count; the index of every
/// 32nd line's start, before it, went from break to break, and building it
/// for the 59 MB site took 11 ms of the report's time, against 3.
#[derive(Debug)]
struct LineIndex {
    /// Line breaks before byte `k * BLOCK`, for each block `k` (32-bit,
    /// like spans); one entry for an empty text.
    breaks: Vec<u32>,
    /// Lines in the text: its line breaks, plus one.
    count: usize,
    /// The text with each lone CR made an LF, if it has one: lines are
    /// found in it, by LF alone, at the same offsets. `None` for the usual
    /// text, whose lines are found in the text itself.
    lone_crs_as_lf: Option<Vec<u8>>,
}

/// A lookup counts the line breaks in at most about this many bytes.
const BLOCK: usize = 1024;

impl SourceFile {
    pub fn new(path: PathBuf, relative: String, text: impl Into<Arc<String>>) -> Self {
        SourceFile {
            path,
            relative,
            text: text.into(),
            lines: OnceLock::new(),
            widest_line: OnceLock::new(),
            chars: OnceLock::new(),
            shown: OnceLock::new(),
        }
    }

    /// Finds where its lines are, unless that is known already: what a
    /// line or column is first asked of the file does anyway.
    pub fn index_lines(&self) {
        self.lines();
    }

    fn lines(&self) -> &LineIndex {
        self.lines.get_or_init(|| {
            let text = self.text.as_bytes();
            let (breaks, count, lone_cr) = count_breaks(text);
            if !lone_cr {
                return LineIndex { breaks, count, lone_crs_as_lf: None };
            }
            let lf = lone_crs_as_lf(text);
            let (breaks, count, _) = count_breaks(&lf);
            LineIndex { breaks, count, lone_crs_as_lf: Some(lf) }
        })
    }

    /// The text's bytes as its lines are found in: each line break ends in
    /// LF (see [`LineIndex::lone_crs_as_lf`]).
    fn line_bytes(&self) -> &[u8] {
        self.lines().lone_crs_as_lf.as_deref().unwrap_or(self.text.as_bytes())
    }

    /// The text's bytes as excerpts show them: its lines, each control
    /// character in a visible one of the same length.
    fn shown_bytes(&self) -> &[u8] {
        let lines = self.line_bytes();
        let shown = self.shown.get_or_init(|| {
            // Lone CRs are line feeds by now, so the text is still UTF-8.
            let text = std::str::from_utf8(lines).ok()?;
            match shown_text(text) {
                Cow::Borrowed(_) => None,
                Cow::Owned(shown) => Some(shown),
            }
        });
        shown.as_ref().map_or(lines, |shown| shown.as_bytes())
    }

    /// At least as many columns as its widest line takes when shown (line
    /// break excluded): the bytes of its longest line, since a character
    /// takes at most a column a byte, but a tab, which takes up to four. A
    /// text with a tab has no bound.
    pub(crate) fn widest_line(&self) -> usize {
        *self.widest_line.get_or_init(|| {
            let text = self.line_bytes();
            if memchr::memchr(b'\t', text).is_some() {
                return usize::MAX;
            }
            let mut start = 0;
            let mut longest = 0;
            for at in memchr::memchr_iter(b'\n', text).chain([text.len()]) {
                longest = longest.max(at - start);
                start = at + 1;
            }
            longest
        })
    }

    /// How many lines it has: its line breaks, plus one.
    pub(crate) fn line_count(&self) -> usize {
        self.lines().count
    }

    /// Where 0-based line `line` starts, if the file has it.
    pub(crate) fn line_start(&self, line: usize) -> Option<usize> {
        let lines = self.lines();
        if line >= lines.count {
            return None;
        }
        if line == 0 {
            return Some(0);
        }
        // The line starts after the line-th break, which lies in the last
        // block with fewer breaks before it (the first block has none).
        let block = lines.breaks.partition_point(|&before| (before as usize) < line) - 1;
        let from = block * BLOCK;
        let nth = line - lines.breaks[block] as usize;
        memchr::memchr_iter(b'\n', &self.line_bytes()[from..]).nth(nth - 1).map(|at| from + at + 1)
    }

    /// Line and column of a byte offset. Offsets past the end clamp to the
    /// end; offsets inside a multi-byte character count as that character.
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = offset.min(self.text.len());
        // The line breaks between the offset's block and the offset:
        // counted for the line, the last one for where it starts (before
        // the block if there is none).
        let (from, before) = self.block_of(offset);
        let breaks = &self.line_bytes()[from..offset];
        let line = before + memchr::memchr_iter(b'\n', breaks).count();
        let start = match memchr::memrchr(b'\n', breaks) {
            Some(at) => from + at + 1,
            None => self.line_start(line).unwrap_or_default().min(offset),
        };
        let column = if offset - start > FAR {
            self.chars_before(offset) - self.chars_before(start)
        } else {
            chars(&self.text.as_bytes()[start..offset])
        };
        LineCol { line: line + 1, column: column + 1 }
    }

    /// The characters before byte `offset` (at most the text's length).
    fn chars_before(&self, offset: usize) -> usize {
        let before = self.chars.get_or_init(|| {
            let mut before = Vec::with_capacity(self.text.len() / BLOCK + 2);
            let mut count = 0;
            for block in self.text.as_bytes().chunks(BLOCK) {
                before.push(offset32(count));
                count += chars(block);
            }
            // For the text's end, where a block would start.
            before.push(offset32(count));
            before
        });
        let block = offset / BLOCK;
        before[block] as usize + chars(&self.text.as_bytes()[block * BLOCK..offset])
    }

    /// Byte offset of a 1-based line and character column, if it exists.
    pub fn offset_of(&self, line: usize, column: usize) -> Option<usize> {
        let start = self.line_start(line.checked_sub(1)?)?;
        let end = self.line_end(line - 1);
        let text = &self.text[start..end];
        let mut chars = text.char_indices().map(|(i, _)| i).chain(std::iter::once(text.len()));
        chars.nth(column.checked_sub(1)?).map(|i| start + i)
    }

    /// The part of `span` on its first line: what a label underlines, so an
    /// entity spanning many lines is marked by its first line.
    pub fn first_line(&self, span: Span) -> Span {
        let line_end = self.line_end(self.line_of(span.start().min(self.text.len())));
        Span::new(span.start(), span.end().min(line_end.max(span.start())))
    }

    /// The 0-based line of a byte offset (at most the text's length).
    pub(crate) fn line_of(&self, offset: usize) -> usize {
        let (from, before) = self.block_of(offset);
        before + memchr::memchr_iter(b'\n', &self.line_bytes()[from..offset]).count()
    }

    /// The block of an offset (at most the text's length): where it
    /// starts, and the line breaks before it.
    fn block_of(&self, offset: usize) -> (usize, usize) {
        let breaks = &self.lines().breaks;
        // The text's end may be where a block would start.
        let block = (offset / BLOCK).min(breaks.len() - 1);
        (block * BLOCK, breaks[block] as usize)
    }

    /// End of a 0-based line, before its line break.
    pub(crate) fn line_end(&self, line: usize) -> usize {
        let end = self.line_start(line + 1).map_or(self.text.len(), |s| s - 1);
        let bytes = self.line_bytes();
        let start = self.line_start(line).unwrap_or_default();
        if end > start && bytes.get(end - 1) == Some(&b'\r') { end - 1 } else { end }
    }
}

/// The LFs before each [`BLOCK`] of `text`, its line count (LFs plus one),
/// and whether it has a lone CR. A block is searched for a lone CR only if
/// it has a CR at all, while it is in the cache from the count: a text
/// without a CR (the usual case) costs a search for one; a CRLF text, a
/// comparison of each byte with the next (about a third of the count).
fn count_breaks(text: &[u8]) -> (Vec<u32>, usize, bool) {
    let mut breaks = Vec::with_capacity(text.len() / BLOCK + 1);
    let mut before = 0;
    // A CR that ends the text is lone; any other has a byte after it.
    let mut lone_cr = text.last() == Some(&b'\r');
    for (k, block) in text.chunks(BLOCK).enumerate() {
        breaks.push(offset32(before));
        before += memchr::memchr_iter(b'\n', block).count();
        if !lone_cr && memchr::memchr(b'\r', block).is_some() {
            let after = &text[k * BLOCK + 1..((k + 1) * BLOCK + 1).min(text.len())];
            // Without branches, so that it is vectorized.
            lone_cr = block
                .iter()
                .zip(after)
                .fold(false, |lone, (&b, &next)| lone | ((b == b'\r') & (next != b'\n')));
        }
    }
    if breaks.is_empty() {
        breaks.push(0);
    }
    (breaks, before + 1, lone_cr)
}

/// The text of a rule or config file (`what` says which), lone CRs made
/// LFs, at the same offsets: miette shows these files from their text as
/// it is, breaking lines at LF and CRLF only. A file that is not UTF-8 cannot be
/// shown, so the error says where its first invalid byte is.
pub fn read_text(path: &Path, what: &str) -> Result<String, miette::Report> {
    let bytes =
        std::fs::read(path).map_err(|e| miette::miette!("cannot read {what} {}: {e}", path.display()))?;
    // What Windows PowerShell 5 writes with `>` or `Out-File`.
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(miette::miette!(
            help = format!("{what}s are UTF-8 text; convert it (iconv -f UTF-16 -t UTF-8) and run again"),
            "{what} {} is UTF-16 text, not UTF-8",
            path.display()
        ));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let valid = String::from_utf8_lossy(&e.as_bytes()[..offset]).into_owned();
        let at = SourceFile::new(path.into(), String::new(), valid).line_col(offset);
        miette::miette!(
            help = format!("{what}s are UTF-8 text; convert it (for example with iconv) and run again"),
            "{what} {} is not UTF-8: invalid byte at offset {offset} (line {}, column {})",
            path.display(),
            at.line,
            at.column
        )
    })?;
    Ok(with_lone_crs_as_lf(text))
}

/// `text` with each lone CR made an LF, at the same offsets.
fn with_lone_crs_as_lf(text: String) -> String {
    if !text.contains('\r') {
        return text;
    }
    // One ASCII byte for another: still UTF-8.
    String::from_utf8(lone_crs_as_lf(text.as_bytes())).unwrap_or(text)
}

/// `text` with each CR that is not followed by LF made an LF.
fn lone_crs_as_lf(text: &[u8]) -> Vec<u8> {
    let mut lf = text.to_vec();
    for at in memchr::memchr_iter(b'\r', text) {
        if text.get(at + 1) != Some(&b'\n') {
            lf[at] = b'\n';
        }
    }
    lf
}

/// How far along a line a column is counted from the blocks' character
/// counts rather than from the line's start.
const FAR: usize = 4 * BLOCK;

/// How many characters start in UTF-8 `bytes`: its bytes that are not a
/// character's continuation.
fn chars(bytes: &[u8]) -> usize {
    bytes.iter().filter(|b| !is_utf8_continuation(**b)).count()
}

/// A serde_json error in `text`: its message without serde_json's own
/// " at line L column C", and where it is as a 1-based line and character
/// column (none when serde_json gives no place). serde_json's column counts
/// bytes up to and including the one it stopped at, so it is 0 at the start
/// of a line or an empty text, and too big after a multi-byte character.
pub fn json_error(text: &str, error: &serde_json::Error) -> (String, Option<LineCol>) {
    let message = error.to_string();
    if error.line() == 0 {
        return (message, None);
    }
    let message = message.rfind(" at line ").map_or(message.as_str(), |at| &message[..at]).to_string();
    let line = text.split('\n').nth(error.line() - 1).unwrap_or_default();
    let before = &line.as_bytes()[..error.column().saturating_sub(1).min(line.len())];
    (message, Some(LineCol { line: error.line(), column: chars(before) + 1 }))
}

/// An offset in 32 bits, saturating past 4 GiB as [`Span`]'s do.
fn offset32(offset: usize) -> u32 {
    u32::try_from(offset).unwrap_or(u32::MAX)
}

fn is_utf8_continuation(b: u8) -> bool {
    (b & 0xC0) == 0x80
}

/// `text` with its control characters (but tabs and line breaks) written
/// as escapes, `\u001b`: a snapshot's values reach the messages, and an
/// escape sequence in one, printed as it is, would retitle or clear the
/// terminal, or the CI log, of whoever runs the check.
pub(crate) fn visible(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_control(c) {
            let _ = write!(out, "\\u{:04x}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A control character a terminal may act on: C0 (but tab and line
/// feed), DEL and C1.
fn is_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n')
}

/// `text` as a message quotes it: whole, or its first `shown` characters
/// and `…` (a file of one long line of text is one value).
pub(crate) fn shortened(text: &str, shown: usize) -> Cow<'_, str> {
    match text.char_indices().nth(shown) {
        Some((end, _)) => Cow::Owned(format!("{}…", &text[..end])),
        None => Cow::Borrowed(text),
    }
}

/// `text` as an excerpt shows it: each control character (but tab, line
/// feed and carriage return) as `?`, or `¿` for the two-byte ones (C1), so
/// that every span keeps its offsets. A snapshot is anyone's text, and an
/// escape sequence in it, printed as it is, would retitle or clear the
/// terminal of whoever runs the check.
pub(crate) fn shown_text(text: &str) -> Cow<'_, str> {
    // A CR is kept: CRLF line breaks are shown as they are.
    let control = |c: char| is_control(c) && c != '\r';
    if !text.contains(control) {
        return Cow::Borrowed(text);
    }
    let shown = text
        .chars()
        .map(|c| match c {
            c if !control(c) => c,
            c if c.len_utf8() == 1 => '?',
            _ => '¿',
        })
        .collect();
    Cow::Owned(shown)
}

impl SourceCode for SourceFile {
    /// Same contract as miette's `impl SourceCode for str`, but it finds the
    /// lines around the span with the line index instead of scanning from
    /// the start of the file for every label.
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let len = self.text.len();
        let (offset, span_len) = (span.offset(), span.len());
        if offset + span_len > len {
            return Err(MietteError::OutOfBounds);
        }
        let first = self.line_of(offset).saturating_sub(context_lines_before);
        let last_byte = if span_len > 0 { offset + span_len - 1 } else { offset };
        let last = (self.line_of(last_byte) + context_lines_after).min(self.lines().count - 1);
        // Without context lines the contents start at the span itself, and
        // miette reads the column of the span from them (its `[file:l:c]`).
        let (start, column) = if context_lines_before == 0 {
            (offset, self.line_col(offset).column - 1)
        } else {
            (self.line_start(first).unwrap_or_default(), 0)
        };
        let end = self.line_start(last + 1).unwrap_or(len);
        // miette breaks lines at LF (and CRLF) only.
        Ok(Box::new(MietteSpanContents::new_named(
            visible(&self.path.display().to_string()).into_owned(),
            &self.shown_bytes()[start..end],
            (start, end - start).into(),
            first,
            column,
            last - first + 1,
        )))
    }
}

/// Every file of a snapshot (or of a rule folder), addressed by [`FileId`].
#[derive(Debug, Default)]
pub struct SourceSet {
    files: Vec<SourceFile>,
}

impl SourceSet {
    pub fn add(&mut self, file: SourceFile) -> FileId {
        self.files.push(file);
        FileId((self.files.len() - 1) as u32)
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files.iter().enumerate().map(|(i, f)| (FileId(i as u32), f))
    }

    /// The path diagnostics print for a file.
    pub fn path(&self, id: FileId) -> &Path {
        &self.get(id).path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_keep_offsets_and_saturate_past_4_gib() {
        let span = Span::new(3, 8);
        assert_eq!((span.start(), span.end(), span.len()), (3, 8, 5));
        let (far, end) = (u32::MAX as usize + 10, u32::MAX as usize);
        let span = Span::new(7, far);
        assert_eq!((span.start(), span.end()), (7, end));
        assert_eq!(Span::new(far, far + 5), Span::new(end, end));
        assert_eq!(std::mem::size_of::<Location>(), 12);
    }

    fn file(text: &str) -> SourceFile {
        SourceFile::new("f.yaml".into(), "f.yaml".into(), text.to_string())
    }

    #[test]
    fn line_col_counts_characters_from_one() {
        let f = file("ab\nçd: x\n");
        assert_eq!(f.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(f.line_col(3), LineCol { line: 2, column: 1 });
        // 'd' sits after the two-byte 'ç'.
        assert_eq!(f.line_col(5), LineCol { line: 2, column: 2 });
        assert_eq!(f.offset_of(2, 2), Some(5));
        assert_eq!(f.offset_of(3, 1), Some(f.text.len()));
        assert_eq!(f.offset_of(4, 1), None);
    }

    /// Far along a long line a column is counted from the blocks'
    /// character counts: the same column as counted from the line's start,
    /// at every offset of a line of mixed one- to four-byte characters.
    #[test]
    fn columns_far_along_a_long_line_count_characters() {
        let text = format!("ab\n{}\nc", "xé€😀".repeat(1000));
        assert!(text.len() > FAR + 2 * BLOCK);
        let f = file(&text);
        for offset in 0..=text.len() {
            let before = &text.as_bytes()[..offset];
            let start = before.iter().rposition(|b| *b == b'\n').map_or(0, |at| at + 1);
            let column = chars(&before[start..]) + 1;
            assert_eq!(f.line_col(offset).column, column, "at {offset}");
        }
    }

    #[test]
    fn the_widest_line_is_measured_without_its_break() {
        assert_eq!(file("").widest_line(), 0);
        assert_eq!(file("ab\nabcd\nabc").widest_line(), 4);
        assert_eq!(file("ab\n\nabcde").widest_line(), 5);
        // A tab's columns depend on where it is.
        assert_eq!(file("ab\n\tb").widest_line(), usize::MAX);
    }

    #[test]
    fn first_line_cuts_a_span_at_its_line_break() {
        let f = file("- a: 1\r\n  b: 2\n");
        assert_eq!(f.first_line(Span::new(2, 15)), Span::new(2, 6));
        assert_eq!(f.first_line(Span::new(2, 4)), Span::new(2, 4));
    }

    #[test]
    fn crlf_lines_keep_columns() {
        let f = file("a: 1\r\nbb: 2\r\n");
        assert_eq!(f.line_col(6), LineCol { line: 2, column: 1 });
        assert_eq!(f.line_col(10), LineCol { line: 2, column: 5 });
        assert_eq!(f.offset_of(1, 5), Some(4));
    }

    /// Lines within the index's blocks are counted: every offset and every
    /// line of a text of several blocks, with CRLF breaks, multi-byte
    /// characters and a line longer than a block, read as a plain count says.
    #[test]
    fn lines_within_blocks_are_found_by_counting() {
        let mut text: String = (0..300)
            .map(|i| format!("{}é{}\n", "x".repeat(i % 23), if i % 3 == 0 { "\r" } else { "" }))
            .collect();
        text.insert_str(2000, &"long ".repeat(500));
        assert!(text.len() > 4 * BLOCK);
        let f = file(&text);
        for offset in 0..=text.len() {
            let before = &text.as_bytes()[..offset];
            let line = before.iter().filter(|b| **b == b'\n').count();
            let start = before.iter().rposition(|b| *b == b'\n').map_or(0, |at| at + 1);
            let column = before[start..].iter().filter(|b| !is_utf8_continuation(**b)).count();
            assert_eq!(f.line_col(offset), LineCol { line: line + 1, column: column + 1 }, "at {offset}");
        }
        let starts: Vec<usize> =
            std::iter::once(0).chain(text.match_indices('\n').map(|(at, _)| at + 1)).collect();
        for (line, start) in starts.iter().enumerate() {
            assert_eq!(f.line_start(line), Some(*start), "line {line}");
        }
        assert_eq!(f.line_start(starts.len()), None);
        assert_eq!(f.lines().count, starts.len());
        // No text, and a text ending where a block would start.
        assert_eq!(file("").line_col(0), LineCol { line: 1, column: 1 });
        let whole = "a\n".repeat(BLOCK / 2);
        assert_eq!(file(&whole).line_col(whole.len()), LineCol { line: BLOCK / 2 + 1, column: 1 });
    }

    /// A lone CR breaks a line as LF and CRLF do: every offset and line of
    /// a text of several blocks with all three, a CR at a block's end
    /// before an LF or not, and a CR at the end, as a plain count says.
    #[test]
    fn a_lone_cr_is_a_line_break() {
        let breaks = ["\n", "\r\n", "\r", "\r\r\n"];
        let mut text: String = (0..60).map(|i| format!("{}é{}", "x".repeat(i % 17), breaks[i % 4])).collect();
        for (at, piece) in [(BLOCK - 1, "\r\n"), (2 * BLOCK - 1, "\ry")] {
            text.push_str(&"x".repeat(at - text.len()));
            text.push_str(piece);
        }
        text.push_str(&"z\n".repeat(1000));
        text.push('\r');
        assert_eq!(&text[BLOCK - 1..BLOCK + 1], "\r\n");
        assert_eq!(&text[2 * BLOCK - 1..2 * BLOCK + 1], "\ry");
        let f = file(&text);
        let bytes = text.as_bytes();
        let is_break =
            |at: usize| bytes[at] == b'\n' || (bytes[at] == b'\r' && bytes.get(at + 1) != Some(&b'\n'));
        let (mut line, mut start) = (0, 0);
        for offset in 0..=text.len() {
            let column = chars(&bytes[start..offset]);
            assert_eq!(f.line_col(offset), LineCol { line: line + 1, column: column + 1 }, "at {offset}");
            assert_eq!(f.line_start(line), Some(start), "line {line}");
            if offset < text.len() && is_break(offset) {
                let end = if bytes[offset] == b'\n' && offset > start && bytes[offset - 1] == b'\r' {
                    offset - 1
                } else {
                    offset
                };
                assert_eq!(f.line_end(line), end, "line {line}");
                (line, start) = (line + 1, offset + 1);
            }
        }
        assert_eq!(f.line_count(), line + 1);
        // miette, which breaks lines at LF only, is given the lines as LF.
        let f = file("a: 1\rb: 2\rc: 3\r");
        let contents = f.read_span(&(5, 1).into(), 1, 1).unwrap();
        assert_eq!(
            (std::str::from_utf8(contents.data()).unwrap(), contents.line()),
            ("a: 1\nb: 2\nc: 3\n", 0)
        );
        assert_eq!(f.widest_line(), 4);
        // Without a lone CR, the lines are found in the text itself.
        let x = "x".repeat(BLOCK - 1);
        for text in ["a\nb", "a\r\nb\r\n", "", &format!("{x}\r\ny")] {
            assert!(file(text).lines().lone_crs_as_lf.is_none(), "{text:?}");
        }
        // Across a block's end, and at the end.
        for text in [&format!("{x}\ry"), "a\r"] {
            assert!(file(text).lines().lone_crs_as_lf.is_some(), "{text:?}");
        }
    }

    #[test]
    fn json_errors_are_placed_at_one_based_character_columns() {
        let place = |text: &str| {
            let error = serde_json::from_str::<serde_json::Value>(text).unwrap_err();
            json_error(text, &error)
        };
        // serde_json says column 0 for the end of an empty text or of a line.
        assert_eq!(place(""), ("EOF while parsing a value".into(), Some(LineCol { line: 1, column: 1 })));
        assert_eq!(place("{\"a\": \n").1, Some(LineCol { line: 2, column: 1 }));
        // The `x` is the 7th character and the 8th byte.
        let wide = "[\"é\", x]";
        assert_eq!(serde_json::from_str::<serde_json::Value>(wide).unwrap_err().column(), 8);
        assert_eq!(place(wide).1, Some(LineCol { line: 1, column: 7 }));
        assert_eq!(place("[1]\n\n  ]").1, Some(LineCol { line: 3, column: 3 }));
    }

    #[test]
    fn visible_escapes_control_characters_but_tabs_and_line_feeds() {
        assert_eq!(visible("plain\ttext\n"), Cow::Borrowed("plain\ttext\n"));
        assert_eq!(visible("a\u{1b}[2J\u{7f}\u{9b}\r"), "a\\u001b[2J\\u007f\\u009b\\u000d");
        assert_eq!(visible("é\u{85}ü"), "é\\u0085ü");
    }

    #[test]
    fn excerpts_show_control_characters_at_the_same_offsets() {
        assert_eq!(shown_text("a\tb\r\n"), Cow::Borrowed("a\tb\r\n"));
        assert_eq!(shown_text("a\u{1b}b\u{0}é\u{9b}c"), "a?b?é¿c");
        let f = file("one\nt\u{1b}[2Jo\nthree\n");
        let contents = f.read_span(&(9, 1).into(), 0, 0).unwrap();
        assert_eq!(std::str::from_utf8(contents.data()).unwrap(), "o\n");
        let around = f.read_span(&(4, 1).into(), 1, 0).unwrap();
        assert_eq!(std::str::from_utf8(around.data()).unwrap(), "one\nt?[2Jo\n");
    }

    #[test]
    fn read_span_returns_the_lines_around_the_span() {
        let f = file("one\ntwo\nthree\nfour\n");
        let contents = f.read_span(&(8, 5).into(), 1, 1).unwrap();
        assert_eq!(std::str::from_utf8(contents.data()).unwrap(), "two\nthree\nfour\n");
        assert_eq!(contents.line(), 1);
        let exact = f.read_span(&(10, 2).into(), 0, 0).unwrap();
        assert_eq!((exact.line(), exact.column()), (2, 2));
        assert_eq!(std::str::from_utf8(exact.data()).unwrap(), "ree\n");
        assert!(f.read_span(&(18, 5).into(), 0, 0).is_err());
    }
}
