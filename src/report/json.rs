//! JSON output: one document with every finding and the summary, lines and
//! columns 1-based, `file` the path as opened.

use std::io::{self, Write};

use rayon::prelude::*;
use serde::Serialize;

use super::Summary;
use crate::finding::Finding;
use crate::source::{Location, SourceSet};

#[derive(Serialize)]
struct JsonFinding<'a> {
    code: &'a str,
    name: &'a str,
    severity: &'a str,
    message: &'a str,
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

#[derive(Serialize)]
struct JsonRelated<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    message: &'a str,
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
    summary: &Summary,
    mut out: impl Write,
) -> io::Result<()> {
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
    out.write_all(if findings.is_empty() { b"],\n  \"summary\": " } else { b"\n  ],\n  \"summary\": " })?;
    let mut text = Vec::new();
    serde_json::to_writer_pretty(&mut text, summary)?;
    indent(&text, 1, &mut out)?;
    out.write_all(b"\n}\n")
}

/// `findings` as elements of the document's `findings` array (two levels
/// deep), each after its separator: `,`, a line break and the indentation.
fn serialize_part(findings: &[Finding], sources: &SourceSet, paths: &[String]) -> io::Result<Vec<u8>> {
    let mut part = Vec::new();
    let mut text = Vec::new();
    for finding in findings {
        text.clear();
        serde_json::to_writer_pretty(&mut text, &json_finding(finding, sources, paths))?;
        part.extend_from_slice(b",\n    ");
        indent(&text, 2, &mut part)?;
    }
    Ok(part)
}

/// Writes pretty-printed JSON `text` as it would be printed `depth` levels
/// deep: two spaces more after each line break. Every line break in
/// serde_json's output is between tokens (a string's are escaped).
fn indent(text: &[u8], depth: usize, out: &mut impl Write) -> io::Result<()> {
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
        code: &f.code,
        name: &f.name,
        severity: f.severity.as_str(),
        message: &f.message,
        entity: f.entity.as_deref(),
        file: path(&f.primary),
        line: start.line,
        column: start.column,
        end_line: end.line,
        end_column: end.column,
        help: f.help.as_deref(),
        url: f.url.as_deref(),
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
        summary: Summary,
    }

    fn written(findings: &[Finding], sources: &SourceSet) -> (String, String) {
        let summary = Summary::new(findings, sources.len());
        let mut parallel = Vec::new();
        write(findings, sources, &summary, &mut parallel).unwrap();
        let paths: Vec<String> =
            sources.iter().map(|(id, _)| sources.path(id).display().to_string()).collect();
        let whole =
            Whole { findings: findings.iter().map(|f| json_finding(f, sources, &paths)).collect(), summary };
        let mut at_once = serde_json::to_vec_pretty(&whole).unwrap();
        at_once.push(b'\n');
        (String::from_utf8(parallel).unwrap(), String::from_utf8(at_once).unwrap())
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
                    Check::InvalidValue.at(at(i % 5, 5 + i % 9), format!("line \"{i}\"\nnext\ttab"));
                let finding = finding.with_help("fix \\ it");
                if i % 3 == 0 { finding.with_related(at(5, 8), "there") } else { finding }
            })
            .collect();
        for count in [0, 1, findings.len()] {
            let (parallel, at_once) = written(&findings[..count], &sources);
            assert_eq!(parallel, at_once, "{count} findings");
        }
    }
}
