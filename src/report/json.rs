//! JSON output: one document with every finding, every rule that failed
//! while running, and the summary, lines and columns 1-based, `file` the
//! path as opened.

use std::io::{self, Write};

use rayon::prelude::*;
use serde::Serialize;

use super::Summary;
use super::format::RuleFailure;
use crate::finding::{Finding, Message};
use crate::source::{Location, SourceSet};

/// A finding as the document has it. (Serialized by hand, [`finding`];
/// the tests serialize it with serde_json too, which the hand must match.)
#[cfg_attr(test, derive(Serialize))]
struct JsonFinding<'a> {
    code: &'a str,
    name: &'a str,
    severity: &'a str,
    message: &'a Message,
    /// What the finding is about: the name suppressions and baselines use.
    entity: Option<&'a str>,
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    help: Option<&'a str>,
    url: Option<&'a str>,
    related: Vec<JsonRelated<'a>>,
}

#[cfg_attr(test, derive(Serialize))]
struct JsonRelated<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    message: &'a str,
}

/// A rule that failed while running or ran out of time: where in its rule
/// file, and why. A reader of the document alone (a CI step, a dashboard)
/// would otherwise take its missing findings for a pass.
#[derive(Serialize)]
struct JsonError<'a> {
    rule: &'a str,
    message: &'a str,
    file: &'a str,
    line: usize,
    column: usize,
    help: &'a str,
}

impl<'a> JsonError<'a> {
    fn new(failure: &'a RuleFailure) -> JsonError<'a> {
        JsonError {
            rule: failure.code,
            message: &failure.message,
            file: failure.file,
            line: failure.at.line,
            column: failure.at.column,
            help: failure.help,
        }
    }
}

impl Serialize for Summary {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Summary", 5)?;
        st.serialize_field("errors", &self.errors)?;
        st.serialize_field("warnings", &self.warnings)?;
        st.serialize_field("infos", &self.infos)?;
        st.serialize_field("files", &self.files)?;
        st.serialize_field("suppressed", &self.suppressed)?;
        st.end()
    }
}

/// Findings serialized together, in parallel, before they are written.
const BATCH: usize = 1024;
/// Findings one thread serializes into one buffer.
const PART: usize = 64;

/// Writes the document to `out`: the bytes `serde_json::to_writer_pretty`
/// writes for the whole document, and a line break.
///
/// Serializing is most of a JSON report's time (escaping each message and
/// help byte by byte), so findings are serialized in parallel, a batch at a
/// time, and written in order as each batch is done: at 500 MB of snapshot
/// the report is about 100 MB, which need not be held in memory first.
pub fn write(
    findings: &[Finding],
    sources: &SourceSet,
    failures: &[RuleFailure],
    summary: &Summary,
    out: impl Write,
) -> io::Result<()> {
    let mut out = EscapeControls::new(out);
    // Each file's path as printed, once rather than per finding.
    let paths: Vec<String> = sources.iter().map(|(id, _)| sources.path(id).display().to_string()).collect();
    out.write_all(b"{\n  \"findings\": [")?;
    for (index, batch) in findings.chunks(BATCH).enumerate() {
        let parts = batch
            .par_chunks(PART)
            .map(|part| serialize_part(part, sources, &paths))
            .collect::<io::Result<Vec<_>>>()?;
        for (n, part) in parts.iter().enumerate() {
            // Every finding follows a separator; the first one's has no comma.
            let first = index == 0 && n == 0;
            out.write_all(if first { &part[1..] } else { part })?;
        }
    }
    out.write_all(if findings.is_empty() { b"],\n  \"errors\": " } else { b"\n  ],\n  \"errors\": " })?;
    let errors: Vec<JsonError> = failures.iter().map(JsonError::new).collect();
    let mut text = Vec::new();
    serde_json::to_writer_pretty(&mut text, &errors)?;
    indent(&text, 1, &mut out)?;
    out.write_all(b",\n  \"summary\": ")?;
    text.clear();
    serde_json::to_writer_pretty(&mut text, summary)?;
    indent(&text, 1, &mut out)?;
    out.write_all(b"\n}\n")
}

/// `findings` as elements of the document's `findings` array (two levels
/// deep), each after its separator: `,`, a line break and the indentation.
fn serialize_part(findings: &[Finding], sources: &SourceSet, paths: &[String]) -> io::Result<Vec<u8>> {
    // Room for a typical finding's kilobyte, so the part seldom grows.
    let mut part = Vec::with_capacity(findings.len() * 1024);
    for f in findings {
        part.extend_from_slice(b",\n    ");
        finding(&mut part, &json_finding(f, sources, paths));
    }
    Ok(part)
}

/// Writes `f` as serde_json's pretty printer writes it two levels deep.
///
/// By hand: serde_json's printer, through its formatter and a writer, took
/// 13,000 instructions a finding, escaping byte by byte, more than a
/// finding's rule took to make it; a report of many findings was most of a
/// check.
fn finding(out: &mut Vec<u8>, f: &JsonFinding) {
    let mut o = Object::new(out, 2);
    o.key("code").string(f.code);
    o.key("name").string(f.name);
    o.key("severity").string(f.severity);
    o.key("message").parts(f.message.parts());
    o.key("entity").optional(f.entity);
    o.key("file").string(f.file);
    o.key("line").number(f.line);
    o.key("column").number(f.column);
    o.key("end_line").number(f.end_line);
    o.key("end_column").number(f.end_column);
    o.key("help").optional(f.help);
    o.key("url").optional(f.url);
    let out = o.key("related");
    out.push(b'[');
    for (i, r) in f.related.iter().enumerate() {
        out.extend_from_slice(if i == 0 { b"\n" } else { b",\n" });
        out.extend_from_slice(&INDENT[..2 * 4]);
        let mut o = Object::new(out, 4);
        o.key("file").string(r.file);
        o.key("line").number(r.line);
        o.key("column").number(r.column);
        o.key("message").string(r.message);
        o.end();
    }
    if !f.related.is_empty() {
        out.push(b'\n');
        out.extend_from_slice(&INDENT[..2 * 3]);
    }
    out.push(b']');
    o.end();
}

const INDENT: &[u8] = b"          ";

/// A JSON object being written, pretty-printed `depth` levels deep.
struct Object<'o> {
    out: &'o mut Vec<u8>,
    depth: usize,
    empty: bool,
}

impl<'o> Object<'o> {
    fn new(out: &'o mut Vec<u8>, depth: usize) -> Object<'o> {
        out.push(b'{');
        Object { out, depth, empty: true }
    }

    /// Writes the next key; its value goes to what it returns. Keys are
    /// this module's own names, which need no escaping.
    fn key(&mut self, name: &str) -> &mut Vec<u8> {
        debug_assert!(first_to_escape(name.as_bytes()).is_none(), "{name}");
        let separator: &[u8] = if self.empty { b"\n" } else { b",\n" };
        let indent = &INDENT[..2 * (self.depth + 1)];
        self.out.reserve(separator.len() + indent.len() + name.len() + 4);
        self.out.extend_from_slice(separator);
        self.out.extend_from_slice(indent);
        self.out.push(b'"');
        self.out.extend_from_slice(name.as_bytes());
        self.out.extend_from_slice(b"\": ");
        self.empty = false;
        self.out
    }

    fn end(self) {
        if !self.empty {
            self.out.push(b'\n');
            self.out.extend_from_slice(&INDENT[..2 * self.depth]);
        }
        self.out.push(b'}');
    }
}

/// Values, written after a key.
trait Values {
    fn string(&mut self, text: &str);
    /// One string of these parts.
    fn parts<'t>(&mut self, parts: impl Iterator<Item = &'t str>);
    fn optional(&mut self, text: Option<&str>);
    fn number(&mut self, n: usize);
}

impl Values for Vec<u8> {
    fn string(&mut self, text: &str) {
        string(self, text);
    }

    fn parts<'t>(&mut self, parts: impl Iterator<Item = &'t str>) {
        self.push(b'"');
        parts.for_each(|part| escaped(self, part));
        self.push(b'"');
    }

    fn optional(&mut self, text: Option<&str>) {
        match text {
            Some(text) => string(self, text),
            None => self.extend_from_slice(b"null"),
        }
    }

    /// Digit by digit: `write!` goes through the formatting machinery, ten
    /// times the instructions, for each line and column of a report.
    fn number(&mut self, mut n: usize) {
        let mut digits = [0u8; 20];
        let mut start = digits.len();
        loop {
            start -= 1;
            digits[start] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        self.extend_from_slice(&digits[start..]);
    }
}

/// `text` as a JSON string, escaped as serde_json escapes: `"`, `\\` and
/// the control characters, `\b\t\n\f\r` by name and the others as
/// `\u00XX`; everything else as it is.
fn string(out: &mut Vec<u8>, text: &str) {
    out.push(b'"');
    escaped(out, text);
    out.push(b'"');
}

/// `text` escaped, as in [`string`], without the quotes.
fn escaped(out: &mut Vec<u8>, text: &str) {
    let mut bytes = text.as_bytes();
    while let Some(at) = first_to_escape(bytes) {
        out.extend_from_slice(&bytes[..at]);
        let byte = bytes[at];
        match byte {
            b'"' | b'\\' => out.extend_from_slice(&[b'\\', byte]),
            0x08 => out.extend_from_slice(b"\\b"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            0x0c => out.extend_from_slice(b"\\f"),
            b'\r' => out.extend_from_slice(b"\\r"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.extend_from_slice(&[HEX[usize::from(byte >> 4)], HEX[usize::from(byte & 0xf)]]);
            }
        }
        bytes = &bytes[at + 1..];
    }
    out.extend_from_slice(bytes);
}

/// Where the first byte that JSON escapes is: eight bytes at a time, a
/// word with none of them (no byte under 0x20, no `"`, no `\\`) skipped whole.
fn first_to_escape(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let escapes = |b: u8| b < 0x20 || b == b'"' || b == b'\\';
    let mut words = bytes.chunks_exact(8);
    let mut at = 0;
    for word in words.by_ref() {
        let w = u64::from_le_bytes(word.try_into().expect("chunks of 8"));
        // Some byte below 0x20, or equal to `"` or `\\` (zero after xor):
        // the classic tests, which may also flag a byte after a real one.
        let below = w.wrapping_sub(ONES * 0x20) & !w & HIGH;
        let zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
        if below | zero(w ^ (ONES * u64::from(b'"'))) | zero(w ^ (ONES * u64::from(b'\\'))) != 0
            && let Some(i) = word.iter().position(|&b| escapes(b))
        {
            return Some(at + i);
        }
        at += 8;
    }
    words.remainder().iter().position(|&b| escapes(b)).map(|i| at + i)
}

/// A writer of JSON text that escapes DEL and the C1 control characters
/// (`\u007f`, `\u009b`), which serde_json writes raw: U+009B starts a
/// terminal escape sequence as ESC `[` does, and reports end up printed in
/// CI logs. JSON text is ASCII outside its strings, so every such byte is
/// inside one.
pub(super) struct EscapeControls<W> {
    inner: W,
    /// A 0xC2 byte held back: the write ended before the byte after it.
    lead: bool,
}

impl<W: Write> EscapeControls<W> {
    pub(super) fn new(inner: W) -> EscapeControls<W> {
        EscapeControls { inner, lead: false }
    }

    /// Writes the character U+00`byte` as an escape.
    fn escape(&mut self, byte: u8) -> io::Result<()> {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        self.inner.write_all(&[
            b'\\',
            b'u',
            b'0',
            b'0',
            HEX[usize::from(byte >> 4)],
            HEX[usize::from(byte & 0xf)],
        ])
    }

    /// After a 0xC2 byte: whether `next` makes it a C1 character.
    fn c1(next: u8) -> bool {
        (0x80..0xa0).contains(&next)
    }
}

/// JSON `text` with DEL and the C1 control characters escaped (see
/// [`EscapeControls`]).
pub(crate) fn escape_controls(text: String) -> String {
    if !text.bytes().any(|b| b == 0x7f || b == 0xc2) {
        return text;
    }
    let mut out = Vec::with_capacity(text.len() + 16);
    // Writing to a Vec cannot fail, and escapes are ASCII: the text stays UTF-8.
    let _ = EscapeControls::new(&mut out).write_all(text.as_bytes());
    String::from_utf8(out).unwrap_or(text)
}

impl<W: Write> Write for EscapeControls<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_all(buf)?;
        Ok(buf.len())
    }

    fn write_all(&mut self, mut buf: &[u8]) -> io::Result<()> {
        if self.lead {
            let Some(&next) = buf.first() else { return Ok(()) };
            self.lead = false;
            if Self::c1(next) {
                self.escape(next)?;
                buf = &buf[1..];
            } else {
                self.inner.write_all(&[0xc2])?;
            }
        }
        while let Some(at) = memchr::memchr2(0x7f, 0xc2, buf) {
            self.inner.write_all(&buf[..at])?;
            if buf[at] == 0x7f {
                self.escape(0x7f)?;
                buf = &buf[at + 1..];
                continue;
            }
            match buf.get(at + 1) {
                None => {
                    self.lead = true;
                    return Ok(());
                }
                Some(&next) if Self::c1(next) => self.escape(next)?,
                Some(&next) => self.inner.write_all(&[0xc2, next])?,
            }
            buf = &buf[at + 2..];
        }
        self.inner.write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Writes pretty-printed JSON `text` as it would be printed `depth` levels
/// deep (four at most): two spaces more after each line break. Every line
/// break in serde_json's output is between tokens (a string's are escaped).
pub(super) fn indent(text: &[u8], depth: usize, out: &mut impl Write) -> io::Result<()> {
    const SPACES: &[u8] = b"        ";
    let mut start = 0;
    for at in memchr::memchr_iter(b'\n', text) {
        out.write_all(&text[start..=at])?;
        out.write_all(&SPACES[..2 * depth])?;
        start = at + 1;
    }
    out.write_all(&text[start..])
}

fn json_finding<'a>(f: &'a Finding, sources: &SourceSet, paths: &'a [String]) -> JsonFinding<'a> {
    let path = |l: &Location| paths[l.file.0 as usize].as_str();
    let file = sources.get(f.primary.file);
    let start = file.line_col(f.primary.span.start());
    let end = file.line_col(f.primary.span.end());
    JsonFinding {
        code: f.code(),
        name: f.name(),
        severity: f.severity.as_str(),
        message: f.message(),
        entity: f.entity(),
        file: path(&f.primary),
        line: start.line,
        column: start.column,
        end_line: end.line,
        end_column: end.column,
        help: f.help.as_deref(),
        url: f.url(),
        related: f
            .related
            .iter()
            .map(|r| {
                let at = sources.get(r.location.file).line_col(r.location.span.start());
                JsonRelated { file: path(&r.location), line: at.line, column: at.column, message: &r.message }
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::finding::Check;
    use crate::source::{SourceFile, Span};

    /// The whole document as one serde value, as the report was written
    /// before findings were serialized in parallel.
    #[derive(Serialize)]
    struct Whole<'a> {
        findings: Vec<JsonFinding<'a>>,
        errors: Vec<JsonError<'a>>,
        summary: Summary,
    }

    fn written(findings: &[Finding], sources: &SourceSet, failures: &[RuleFailure]) -> (String, String) {
        let summary = Summary::new(findings, sources.len());
        let mut parallel = Vec::new();
        write(findings, sources, failures, &summary, &mut parallel).unwrap();
        let paths: Vec<String> =
            sources.iter().map(|(id, _)| sources.path(id).display().to_string()).collect();
        let whole = Whole {
            findings: findings.iter().map(|f| json_finding(f, sources, &paths)).collect(),
            errors: failures.iter().map(JsonError::new).collect(),
            summary,
        };
        let mut at_once = serde_json::to_vec_pretty(&whole).unwrap();
        at_once.push(b'\n');
        (String::from_utf8(parallel).unwrap(), String::from_utf8(at_once).unwrap())
    }

    /// Every ASCII character, others, and escapes at every place within
    /// and across the eight-byte words the scan skips.
    /// DEL and C1 are escaped wherever the writes split the text, even
    /// between a character's two bytes; other characters pass as they are.
    #[test]
    fn controls_are_escaped_across_writes() {
        let text = "\"a\u{7f}b\u{9b}c\u{a9}\u{85}é\"".as_bytes();
        for split in 0..=text.len() {
            let mut out = Vec::new();
            let mut writer = EscapeControls::new(&mut out);
            writer.write_all(&text[..split]).unwrap();
            writer.write_all(&text[split..]).unwrap();
            assert_eq!(
                String::from_utf8(out).unwrap(),
                "\"a\\u007fb\\u009bc\u{a9}\\u0085é\"",
                "split at {split}"
            );
        }
    }

    #[test]
    fn strings_escape_as_serde_json_escapes_them() {
        let mut texts: Vec<String> = (0u8..128).map(|b| format!("ab{}cd", b as char)).collect();
        texts.extend(["", "é€😀 plain", "\u{7f}\u{80}", "x\u{1f}\"\\\u{0}"].map(String::from));
        for at in 0..20 {
            for special in ['"', '\\', '\n', '\u{1}', ' ', 'é'] {
                let mut text: String = "0123456789abcdefghij".into();
                text.insert(at, special);
                texts.push(text);
            }
        }
        for text in &texts {
            let mut ours = Vec::new();
            string(&mut ours, text);
            assert_eq!(String::from_utf8(ours).unwrap(), serde_json::to_string(text).unwrap(), "{text:?}");
        }
    }

    #[test]
    fn numbers_are_written_as_rust_formats_them() {
        let mut numbers = vec![0, 1, 9, 10, 99, 100, 101, 12_345, 1_000_000, usize::MAX];
        numbers.extend((0..64).map(|shift| 1usize << shift));
        for n in numbers {
            let mut out = Vec::new();
            out.number(n);
            assert_eq!(String::from_utf8(out).unwrap(), n.to_string());
        }
    }

    #[test]
    fn findings_serialized_in_batches_are_the_document_serialized_at_once() {
        let mut sources = SourceSet::default();
        let text = "a: 1\nb: \"two\"\n";
        let file =
            sources.add(SourceFile::new(PathBuf::from("dir/s.yaml"), "s.yaml".into(), text.to_string()));
        let at = |start, end| Location { file, span: Span::new(start, end) };
        // Past one batch, across parts, with texts to escape and related places.
        let findings: Vec<Finding> = (0..BATCH + PART + 3)
            .map(|i| {
                let finding =
                    Check::InvalidValue.at(at(i % 5, 5 + i % 9), format!("line \"{i}\"\nnext\ttab\u{1}é"));
                let finding = finding.with_help("fix \\ it\r\u{8}\u{c}");
                if i % 3 == 0 { finding.with_related(at(5, 8), "there") } else { finding }
            })
            .collect();
        let failure = RuleFailure {
            code: "DIV001",
            message: "rule DIV001 failed on `\"x\"`".into(),
            file: "rules/DIV001.yaml",
            at: crate::source::LineCol { line: 7, column: 7 },
            help: "fix it",
        };
        for count in [0, 1, findings.len()] {
            for failures in [&[][..], std::slice::from_ref(&failure)] {
                let (parallel, at_once) = written(&findings[..count], &sources, failures);
                assert_eq!(parallel, at_once, "{count} findings, {} failures", failures.len());
            }
        }
    }
}
