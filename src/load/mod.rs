//! Loading: snapshot files on disk to spanned trees.
//!
//! [`load_path`] finds the snapshot files under PATH, reads and parses them in
//! parallel, and returns them in sorted path order: every [`FileId`] and every
//! finding is the same whatever the thread count.

pub mod json;
pub mod yaml;

#[cfg(test)]
mod test_support;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use walkdir::WalkDir;

use crate::finding::{Check, Finding};
use crate::source::{FileId, Location, SourceFile, SourceSet, Span};
use crate::tree::{Document, Node, SyntaxError};

/// The deepest nesting of lists and mappings a file may have, in YAML and
/// JSON alike. saphyr-parser stops at 255 nested flow collections on its own,
/// so this is the same bound for block and flow style.
pub const MAX_DEPTH: usize = 255;

/// A snapshot as read: its files, the ones that parsed, and SL001 for the
/// ones that did not (or are empty), which are then skipped.
#[derive(Debug)]
pub struct Loaded {
    pub sources: SourceSet,
    pub documents: Vec<Document>,
    pub findings: Vec<Finding>,
}

/// Why a snapshot cannot be linted at all; the CLI exits 2.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum LoadError {
    #[error("{path} does not exist")]
    #[diagnostic(
        code(sitelint::load::not_found),
        help("PATH names a snapshot folder or a single snapshot file")
    )]
    NotFound { path: PathBuf },

    #[error("cannot read {path}")]
    #[diagnostic(code(sitelint::load::io), help("check that the file or folder is readable"))]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    #[error("{path} is not UTF-8: invalid byte at offset {offset}")]
    #[diagnostic(
        code(sitelint::load::not_utf8),
        help("snapshot files are UTF-8 text; convert the file (for example with iconv) and run again")
    )]
    NotUtf8 { path: PathBuf, offset: usize },

    #[error("cannot walk the snapshot folder at {path}")]
    #[diagnostic(
        code(sitelint::load::walk),
        help("remove the symlink loop or the unreadable entry, or point PATH at another folder")
    )]
    Walk {
        path: PathBuf,
        #[source]
        source: walkdir::Error,
    },

    #[error("nothing to lint in {path}: {reason}")]
    #[diagnostic(
        code(sitelint::load::nothing_to_lint),
        help(
            "a snapshot with nothing to lint is a usage error, never a pass: point PATH at the exported *.yaml, *.yml or *.json files"
        )
    )]
    NothingToLint { path: PathBuf, reason: &'static str },
}

/// Reads the snapshot at `path`: a folder (every `*.yaml`, `*.yml` and
/// `*.json` below it, hidden names skipped) or a single file.
pub fn load_path(path: &Path) -> Result<Loaded, LoadError> {
    let metadata = fs::metadata(path).map_err(|source| match source.kind() {
        io::ErrorKind::NotFound => LoadError::NotFound { path: path.to_path_buf() },
        _ => LoadError::Io { path: path.to_path_buf(), source },
    })?;
    let candidates = if metadata.is_dir() { find_files(path)? } else { vec![single_file(path)] };
    if candidates.is_empty() {
        return Err(LoadError::NothingToLint {
            path: path.to_path_buf(),
            reason: "no *.yaml, *.yml or *.json files found",
        });
    }
    // `collect` on an indexed parallel iterator keeps the input order.
    let files = candidates.into_par_iter().map(read_and_parse).collect::<Vec<_>>();
    assemble(path, files)
}

/// A snapshot held in memory as one YAML file named `name`: a rule's
/// inline test case.
pub fn load_text(name: &str, text: &str) -> Result<Loaded, LoadError> {
    let candidate = Candidate { path: name.into(), relative: name.into(), format: Format::Yaml };
    let parsed = candidate.format.parse(text);
    assemble(Path::new(name), vec![Ok(ReadFile { candidate, text: text.to_string(), parsed })])
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Yaml,
    Json,
}

impl Format {
    /// The format of a file found in a folder, if it is a snapshot file.
    fn listed(path: &Path) -> Option<Format> {
        match path.extension()?.to_str()? {
            "yaml" | "yml" => Some(Format::Yaml),
            "json" => Some(Format::Json),
            _ => None,
        }
    }

    fn parse(self, text: &str) -> Result<Node, SyntaxError> {
        match self {
            Format::Yaml => yaml::parse(text),
            Format::Json => json::parse(text),
        }
    }
}

/// A file to read: where it is, its name relative to the snapshot root.
struct Candidate {
    path: PathBuf,
    relative: String,
    format: Format,
}

/// A file named on the command line is read whatever its extension.
fn single_file(path: &Path) -> Candidate {
    let relative = path.file_name().map_or_else(|| path.to_string_lossy(), |name| name.to_string_lossy());
    Candidate {
        path: path.to_path_buf(),
        relative: relative.into_owned(),
        format: Format::listed(path).unwrap_or(Format::Yaml),
    }
}

/// Snapshot files below `root`, in byte-wise order of their `/`-separated
/// path relative to `root` (walkdir's per-folder order would put `a/b.yaml`
/// before `a.yaml`).
fn find_files(root: &Path) -> Result<Vec<Candidate>, LoadError> {
    let walk = WalkDir::new(root)
        .follow_links(true)
        // The root itself is never skipped, so `check .` works.
        .into_iter()
        .filter_entry(|entry| entry.depth() == 0 || !entry.file_name().as_encoded_bytes().starts_with(b"."));
    let mut files = Vec::new();
    for entry in walk {
        let entry = entry.map_err(|source| LoadError::Walk {
            path: source.path().unwrap_or(root).to_path_buf(),
            source,
        })?;
        if !entry.file_type().is_file() {
            continue;
        }
        let Some(format) = Format::listed(entry.path()) else {
            continue;
        };
        files.push(Candidate {
            relative: relative_name(root, entry.path()),
            path: entry.into_path(),
            format,
        });
    }
    files.sort_by(|a, b| a.relative.cmp(&b.relative));
    Ok(files)
}

fn relative_name(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    let parts: Vec<_> = relative.components().map(|part| part.as_os_str().to_string_lossy()).collect();
    parts.join("/")
}

/// A file read and parsed.
struct ReadFile {
    candidate: Candidate,
    text: String,
    parsed: Result<Node, SyntaxError>,
}

fn read_and_parse(candidate: Candidate) -> Result<ReadFile, LoadError> {
    let bytes =
        fs::read(&candidate.path).map_err(|source| LoadError::Io { path: candidate.path.clone(), source })?;
    let mut text = String::from_utf8(bytes).map_err(|error| LoadError::NotUtf8 {
        path: candidate.path.clone(),
        offset: error.utf8_error().valid_up_to(),
    })?;
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    let parsed = candidate.format.parse(&text);
    Ok(ReadFile { candidate, text, parsed })
}

/// Numbers the files in order; the first error in that order wins, so the
/// outcome does not depend on which thread finished first.
fn assemble(root: &Path, files: Vec<Result<ReadFile, LoadError>>) -> Result<Loaded, LoadError> {
    let mut loaded = Loaded { sources: SourceSet::default(), documents: Vec::new(), findings: Vec::new() };
    let mut empty = 0;
    let count = files.len();
    for file in files {
        let ReadFile { candidate, text, parsed } = file?;
        let id: FileId = loaded.sources.add(SourceFile::new(candidate.path, candidate.relative, text));
        match parsed {
            Ok(root) => loaded.documents.push(Document { file: id, root }),
            Err(error) => {
                empty += usize::from(is_empty_file(&error));
                let at = Location { file: id, span: error.span };
                loaded.findings.push(Check::Syntax.at(at, error.message));
            }
        }
    }
    if empty == count {
        return Err(LoadError::NothingToLint {
            path: root.to_path_buf(),
            reason: "every snapshot file is empty",
        });
    }
    Ok(loaded)
}

const EMPTY_FILE: &str = "empty file: a snapshot file must hold a mapping of sections";

/// The SL001 for a file with no content, at 1:1.
fn empty_file() -> SyntaxError {
    SyntaxError { span: Span::default(), message: EMPTY_FILE.into() }
}

fn is_empty_file(error: &SyntaxError) -> bool {
    *error == empty_file()
}
