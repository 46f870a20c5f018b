//! JSON output: one document with every finding and the summary, lines and
//! columns 1-based, `file` the path as opened.

use std::io::{self, Write};

use serde::Serialize;

use super::Summary;
use crate::finding::Finding;
use crate::source::{Location, SourceSet};

#[derive(Serialize)]
struct Document<'a> {
    findings: Vec<JsonFinding<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    code: &'a str,
    name: &'a str,
    severity: &'a str,
    message: &'a str,
    /// What the finding is about: the name suppressions and baselines use.
    entity: Option<&'a str>,
    file: String,
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
    file: String,
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

/// Writes the document to `out` as it is serialized: at 500 MB of snapshot
/// the report is about 100 MB, which need not be held in memory first.
pub fn write(
    findings: &[Finding],
    sources: &SourceSet,
    summary: &Summary,
    mut out: impl Write,
) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut out, &document(findings, sources, summary))?;
    out.write_all(b"\n")
}

fn document<'a>(findings: &'a [Finding], sources: &SourceSet, summary: &Summary) -> Document<'a> {
    let path = |l: &Location| sources.path(l.file).display().to_string();
    Document {
        findings: findings
            .iter()
            .map(|f| {
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
                            JsonRelated {
                                file: path(&r.location),
                                line: at.line,
                                column: at.column,
                                message: &r.message,
                            }
                        })
                        .collect(),
                }
            })
            .collect(),
        summary: *summary,
    }
}
