//! Loading: snapshot files on disk to spanned trees.
//!
//! [`load_path`] finds the snapshot files under PATH, reads and parses them in
//! parallel, and returns them in sorted path order: every [`FileId`] and every
//! finding is the same whatever the thread count. [`load_path_with`] does the
//! same within configured [`Limits`], telling an observer (the progress bar)
//! how far it got.

pub mod json;
pub mod limits;
pub mod yaml;

#[cfg(test)]
mod test_support;

use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use walkdir::WalkDir;

pub use self::limits::{ByteSize, Limit, Limits};
use crate::finding::{Check, Finding};
use crate::source::{FileId, Location, SourceFile, SourceSet, Span};
use crate::tree::{Document, Node, SyntaxError};

/// How to load a snapshot: within which limits, and whom to tell as files
/// are read. The default is the default limits and nobody to tell.
#[derive(Clone, Copy, Default)]
pub struct LoadOptions<'a> {
    pub limits: Limits,
    /// Called once, before any file is read, with the number of files to read.
    pub on_found: Option<&'a (dyn Fn(usize) + Sync)>,
    /// Called once per file when it is read and parsed (or skipped for its
    /// size), with the length of its text in bytes (0 when skipped), from
    /// whichever thread read it.
    pub on_file: Option<&'a (dyn Fn(u64) + Sync)>,
    /// Files and folders of a snapshot folder not to read, as canonical
    /// paths: the run's own report and baseline, which `check . --output
    /// report.json` would otherwise lint on the next run, and its rule
    /// folders, whose rule files are not snapshot files.
    pub skip: &'a [PathBuf],
}

/// A snapshot as read: its files, the ones that parsed (as documents, or as
/// what [`load_path_map`] made of each), and SL001 for the ones that did not
/// (or are empty), which are then skipped.
#[derive(Debug)]
pub struct Loaded<D = Document> {
    pub sources: SourceSet,
    pub documents: Vec<D>,
    pub findings: Vec<Finding>,
    /// Files in the folder named like snapshot files but for the case of
    /// their extension (`users.YAML`), which are not read: relative names,
    /// in path order, for a warning.
    pub unread: Vec<String>,
    /// How many files with content did not parse (SL001, not for being
    /// empty): what they define is unknown.
    pub unparsed: usize,
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

    #[error("{path} is UTF-16 text, not UTF-8")]
    #[diagnostic(
        code(sitelint::load::utf16),
        help(
            "snapshot files are UTF-8 text; convert the file (iconv -f UTF-16 -t UTF-8, or save it as UTF-8) and run again"
        )
    )]
    Utf16 { path: PathBuf },

    #[error("cannot read {path} in the snapshot folder")]
    #[diagnostic(
        code(sitelint::load::walk),
        help("check that it is readable, or point PATH at another folder")
    )]
    Walk {
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    #[error("{path} is a symbolic link to {target}, which does not exist")]
    #[diagnostic(
        code(sitelint::load::broken_link),
        help("fix or remove the link, or point PATH at another folder")
    )]
    BrokenLink { path: PathBuf, target: PathBuf },

    #[error("{path} is not a regular file (a named pipe, socket or device)")]
    #[diagnostic(
        code(sitelint::load::not_a_file),
        help(
            "a snapshot folder holds regular files; remove it, rename it so it does not end in .yaml, .yml or .json, or name it on the command line to read it as a stream"
        )
    )]
    NotAFile { path: PathBuf },

    #[error("symlink loop: {path} leads back to {ancestor}")]
    #[diagnostic(
        code(sitelint::load::symlink_loop),
        help("sitelint follows symbolic links in the snapshot folder: remove the link that loops")
    )]
    SymlinkLoop { path: PathBuf, ancestor: PathBuf },

    #[error("nothing to lint in {path}: {reason}")]
    #[diagnostic(
        code(sitelint::load::nothing_to_lint),
        help(
            "a snapshot with nothing to lint is a usage error, never a pass: point PATH at the exported *.yaml, *.yml or *.json files"
        )
    )]
    NothingToLint { path: PathBuf, reason: String },
}

/// Reads the snapshot at `path`: a folder (every `*.yaml`, `*.yml` and
/// `*.json` below it, hidden names skipped) or a single file, within the
/// default limits.
pub fn load_path(path: &Path) -> Result<Loaded, LoadError> {
    load_path_with(path, &LoadOptions::default())
}

/// [`load_path`] with `options`: a file over a limit is SL001 (see
/// [`limits`]), and the observers hear of every file.
pub fn load_path_with(path: &Path, options: &LoadOptions) -> Result<Loaded, LoadError> {
    load_path_map(path, options, |document| document)
}

/// [`load_path_with`], each document handed to `each` on the thread that
/// parsed it, as soon as it is parsed: the caller can turn a file's tree
/// into what it needs and drop it, so the trees of a big snapshot are never
/// all in memory at once.
pub fn load_path_map<D: Send>(
    path: &Path,
    options: &LoadOptions,
    each: impl Fn(Document) -> D + Sync,
) -> Result<Loaded<D>, LoadError> {
    let metadata = fs::metadata(path).map_err(|source| match source.kind() {
        io::ErrorKind::NotFound => {
            broken_link(path).unwrap_or(LoadError::NotFound { path: path.to_path_buf() })
        }
        _ => LoadError::Io { path: path.to_path_buf(), source },
    })?;
    let (candidates, unread) = if metadata.is_dir() {
        find_files(path, options.skip)?
    } else {
        (vec![single_file(path)], Vec::new())
    };
    if candidates.is_empty() {
        let mut reason = String::from("no *.yaml, *.yml or *.json files found");
        if let Some(first) = unread.first() {
            let more = match unread.len() - 1 {
                0 => String::new(),
                n => format!(" and {n} more"),
            };
            reason += &format!(" ({first}{more} not read: {UNREAD})");
        }
        return Err(LoadError::NothingToLint { path: path.to_path_buf(), reason });
    }
    if let Some(on_found) = options.on_found {
        on_found(candidates.len());
    }
    // Biggest first, each thread taking the next file as it is done with
    // one: a big YAML file takes a tenth of a second, and one left for last
    // kept one thread busy while the others waited. Each file gets the id of
    // its place in path order, and the files are put back in that order
    // (see `assemble`), so the outcome does not depend on the schedule.
    let size = |c: &Candidate| fs::metadata(&c.path).map_or(0, |m| m.len());
    let mut queue: Vec<(u64, usize, Candidate)> =
        candidates.into_iter().enumerate().map(|(index, c)| (size(&c), index, c)).collect();
    queue.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut files = queue
        .into_iter()
        .par_bridge()
        .map(|(_, index, candidate)| {
            let read = read_and_parse(candidate, &options.limits);
            if let (Some(on_file), Ok(read)) = (options.on_file, &read) {
                on_file(read.text.len() as u64);
            }
            let file = FileId(index as u32);
            (index, read.map(|read| read.map(|root| each(Document { file, root }))))
        })
        .collect::<Vec<_>>();
    files.sort_by_key(|(index, _)| *index);
    let mut loaded = assemble(path, files.into_iter().map(|(_, file)| file).collect())?;
    loaded.unread = unread;
    Ok(loaded)
}

/// Why a file named like `users.YAML` is not read.
pub const UNREAD: &str = "snapshot file extensions are .yaml, .yml and .json, in lower case";

/// A snapshot held in memory as one YAML file named `name`: a rule's
/// inline test case.
pub fn load_text(name: &str, text: &str) -> Result<Loaded, LoadError> {
    let candidate = Candidate { path: name.into(), relative: name.into(), format: Format::Yaml };
    let text = Arc::new(text.to_string());
    let parsed =
        candidate.format.parse(&text, &Limits::default()).map(|root| Document { file: FileId(0), root });
    assemble(Path::new(name), vec![Ok(ReadFile { candidate, text, parsed })])
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

    /// The format a file is read in: as listed, or YAML for a file named
    /// on the command line with another extension.
    fn of(path: &Path) -> Format {
        Format::listed(path).unwrap_or(Format::Yaml)
    }

    /// Whether a file not [`listed`](Self::listed) would be, but for the
    /// case of its extension: the spec lists `*.yaml` byte-wise, as Linux
    /// globs do, but such a file was surely meant to be read.
    fn miscased(path: &Path) -> bool {
        let extension = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
        matches!(extension.as_deref(), Some("yaml" | "yml" | "json")) && Format::listed(path).is_none()
    }

    fn parse(self, text: &Arc<String>, limits: &Limits) -> Result<Node, SyntaxError> {
        match self {
            Format::Yaml => yaml::parse_source(text, limits),
            Format::Json => json::parse_source(text, limits),
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
    Candidate { path: path.to_path_buf(), relative: relative.into_owned(), format: Format::of(path) }
}

/// Parses the text of a file the loader read, as it parsed it (JSON or
/// YAML by its name), within `limits`: for a report that needs a tree
/// again after the loader dropped it.
pub fn parse_again(path: &Path, text: &Arc<String>, limits: &Limits) -> Result<Node, SyntaxError> {
    Format::of(path).parse(text, limits)
}

/// Snapshot files below `root`, in byte-wise order of their `/`-separated
/// path relative to `root` (walkdir's per-folder order would put `a/b.yaml`
/// before `a.yaml`), and the files not read for the case of their extension.
fn find_files(root: &Path, skip: &[PathBuf]) -> Result<(Vec<Candidate>, Vec<String>), LoadError> {
    let hidden = |entry: &walkdir::DirEntry| entry.file_name().as_encoded_bytes().starts_with(b".");
    let skipped_folder = |entry: &walkdir::DirEntry, skip: &[PathBuf]| {
        !skip.is_empty()
            && entry.file_type().is_dir()
            && fs::canonicalize(entry.path()).is_ok_and(|path| skip.contains(&path))
    };
    let walk = WalkDir::new(root)
        .follow_links(true)
        .into_iter()
        // The root itself is never skipped, so `check .` works.
        .filter_entry(|entry| entry.depth() == 0 || !(hidden(entry) || skipped_folder(entry, skip)));
    let mut files = Vec::new();
    let mut unread = Vec::new();
    let mut odd: Option<(String, PathBuf)> = None;
    for entry in walk {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => match walk_error(root, error) {
                Some(error) => return Err(error),
                None => continue,
            },
        };
        if entry.file_type().is_dir() {
            continue;
        }
        let Some(format) = Format::listed(entry.path()) else {
            if Format::miscased(entry.path()) {
                unread.push(relative_name(root, entry.path()));
            }
            continue;
        };
        if !skip.is_empty() && fs::canonicalize(entry.path()).is_ok_and(|path| skip.contains(&path)) {
            continue;
        }
        // Reading a named pipe would wait for a writer, and nothing in a
        // folder is skipped without a word: the first, in path order, is an
        // error.
        if !entry.file_type().is_file() {
            let relative = relative_name(root, entry.path());
            if odd.as_ref().is_none_or(|(first, _)| relative < *first) {
                odd = Some((relative, entry.into_path()));
            }
            continue;
        }
        files.push(Candidate {
            relative: relative_name(root, entry.path()),
            path: entry.into_path(),
            format,
        });
    }
    if let Some((_, path)) = odd {
        return Err(LoadError::NotAFile { path });
    }
    files.sort_by(|a, b| a.relative.cmp(&b.relative));
    unread.sort();
    Ok((files, unread))
}

/// What a failed step of the walk means: a symlink loop, a broken link, an
/// unreadable folder, or nothing when the entry would have been skipped
/// anyway (walkdir reports an entry's error before `filter_entry` sees it,
/// so an editor's dangling `.#users.yaml` lock link, or a hidden link that
/// loops back, lands here).
fn walk_error(root: &Path, error: walkdir::Error) -> Option<LoadError> {
    let path = error.path().unwrap_or(root).to_path_buf();
    let name = path.file_name().unwrap_or_default();
    // Before the loop check: a hidden entry is skipped whatever it leads to.
    if path != root && name.as_encoded_bytes().starts_with(b".") {
        return None;
    }
    if let Some(ancestor) = error.loop_ancestor() {
        return Some(LoadError::SymlinkLoop { ancestor: ancestor.to_path_buf(), path });
    }
    // A link named like a file of another kind is not a snapshot file; a
    // link without an extension may have been a folder of them. A folder
    // is walked into whatever its name (`v1.2`), so one that cannot be
    // read is an error.
    let folder = fs::metadata(&path).is_ok_and(|metadata| metadata.is_dir());
    if !folder && Path::new(name).extension().is_some() && Format::listed(&path).is_none() {
        return None;
    }
    if let Some(error) = broken_link(&path) {
        return Some(error);
    }
    // walkdir's error prints its cause, then gives it as its source: the
    // cause alone, not said twice.
    let source = error.into_io_error().unwrap_or_else(|| io::Error::other("cannot walk the folder"));
    Some(LoadError::Walk { path, source })
}

/// The error for `path` when it is a symbolic link whose target is missing.
fn broken_link(path: &Path) -> Option<LoadError> {
    let target = fs::read_link(path).ok()?;
    let missing = fs::metadata(path).is_err_and(|e| e.kind() == io::ErrorKind::NotFound);
    missing.then(|| LoadError::BrokenLink { path: path.to_path_buf(), target })
}

fn relative_name(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    let parts: Vec<_> = relative.components().map(|part| part.as_os_str().to_string_lossy()).collect();
    parts.join("/")
}

/// A file read and parsed (`D`: its tree, or what was made of its document).
struct ReadFile<D = Node> {
    candidate: Candidate,
    /// Shared from here on by the source set and the model's strings.
    text: Arc<String>,
    parsed: Result<D, SyntaxError>,
}

impl ReadFile {
    fn map<D>(self, f: impl FnOnce(Node) -> D) -> ReadFile<D> {
        ReadFile { candidate: self.candidate, text: self.text, parsed: self.parsed.map(f) }
    }
}

/// Whether `bytes` start as UTF-16 text does: with its byte order mark,
/// or (without one) with two ASCII characters, each beside a zero byte.
/// Without a mark, such a file is valid UTF-8 (zero bytes are), and it
/// would read as NULs between the characters: SL001 at the first, naming
/// no encoding.
fn is_utf16(bytes: &[u8]) -> bool {
    let ascii = |b: u8| b != 0 && b.is_ascii();
    match bytes {
        [0xff, 0xfe, ..] | [0xfe, 0xff, ..] => true,
        [a, 0, b, 0, ..] | [0, a, 0, b, ..] => ascii(*a) && ascii(*b),
        _ => false,
    }
}

/// What to do about the parsers' most common errors, whose words name the
/// parser's state rather than the mistake.
const SYNTAX_HELP: [(&[&str], &str); 9] = [
    (
        &["invalid indentation in quoted scalar"],
        "a quoted value is not closed on its line: close the quote where the value ends",
    ),
    (
        &["while scanning a quoted scalar"],
        "a quoted value is not closed: close the quote where the value ends",
    ),
    (
        &["did not find expected '-' indicator"],
        "this line is indented differently from the list above it: line it up with the item it belongs to",
    ),
    (
        &["mapping values are not allowed in this context"],
        "a value that holds `: ` must be quoted (name: \"acme: corp\"), or the line is indented as if it \
         continued the value above it",
    ),
    (&["simple key expect ':'"], "each line of a mapping is `key: value`, and this one has no `:`"),
    (&["found unknown anchor"], "an alias (`*name`) must follow an anchor (`&name`) of the same file"),
    (&["did not find expected node content"], "a value is missing here, or a `[` or `{` above is not closed"),
    (
        &[
            "token `True`",
            "token `False`",
            "token `TRUE`",
            "token `FALSE`",
            "token `None`",
            "token `Null`",
            "token `NULL`",
        ],
        "JSON writes true, false and null in lower case",
    ),
    (&["token `NaN`", "token `Infinity`"], "JSON has no NaN or Infinity: write a number, or null"),
];

fn syntax_help(message: &str) -> Option<&'static str> {
    SYNTAX_HELP.iter().find(|(words, _)| words.iter().any(|w| message.contains(w))).map(|(_, help)| *help)
}

fn read_and_parse(candidate: Candidate, limits: &Limits) -> Result<ReadFile, LoadError> {
    let io_error = |source| LoadError::Io { path: candidate.path.clone(), source };
    let bytes = match read_limited(&candidate.path, limits.max_file_size).map_err(io_error)? {
        Ok(bytes) => bytes,
        Err(size) => {
            // Not read: the SL001 is at 1:1 of an empty text.
            let error = SyntaxError::new(Span::default(), limits.file_too_big(size));
            return Ok(ReadFile { candidate, text: Arc::default(), parsed: Err(error) });
        }
    };
    if is_utf16(&bytes) {
        return Err(LoadError::Utf16 { path: candidate.path.clone() });
    }
    let mut text = String::from_utf8(bytes).map_err(|error| LoadError::NotUtf8 {
        path: candidate.path.clone(),
        offset: error.utf8_error().valid_up_to(),
    })?;
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    let text = Arc::new(text);
    let parsed = candidate.format.parse(&text, limits);
    Ok(ReadFile { candidate, text, parsed })
}

/// A file's bytes, or `Err(size)` when it is bigger than `max`: its size on
/// disk, checked before reading, or `None` when the read went past `max`
/// (the file grew, or is a device or pipe named on the command line), so
/// memory stays bounded whatever the file is.
fn read_limited(path: &Path, max: ByteSize) -> io::Result<Result<Vec<u8>, Option<u64>>> {
    let file = File::open(path)?;
    let size = file.metadata()?.len();
    if size > max.0 {
        return Ok(Err(Some(size)));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(max.0.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max.0 {
        return Ok(Err(None));
    }
    Ok(Ok(bytes))
}

/// Numbers the files in order; the first error in that order wins, so the
/// outcome does not depend on which thread finished first.
/// The files, in order, as one snapshot; file ids are their places in the
/// list, which the documents were given when parsed.
fn assemble<D>(root: &Path, files: Vec<Result<ReadFile<D>, LoadError>>) -> Result<Loaded<D>, LoadError> {
    let mut loaded = Loaded {
        sources: SourceSet::default(),
        documents: Vec::new(),
        findings: Vec::new(),
        unread: Vec::new(),
        unparsed: 0,
    };
    let mut empty = 0;
    let count = files.len();
    for (index, file) in files.into_iter().enumerate() {
        let ReadFile { candidate, text, parsed } = file?;
        let id: FileId = loaded.sources.add(SourceFile::new(candidate.path, candidate.relative, text));
        debug_assert_eq!(id, FileId(index as u32));
        match parsed {
            Ok(document) => loaded.documents.push(document),
            Err(error) => {
                empty += usize::from(is_empty_file(&error));
                loaded.unparsed += usize::from(!is_empty_file(&error));
                let inside = error.inside;
                let (span, message, at_end) = at_the_end(&loaded.sources.get(id).text, error);
                let mut finding = Check::Syntax.at(Location { file: id, span }, message);
                if let Some(help) = syntax_help(&finding.message().text()) {
                    finding = finding.with_help(help);
                }
                // (Not where the error already points: `users: [` and nothing after.)
                if let Some((bracket, list)) = inside.filter(|(bracket, _)| *bracket != span) {
                    let what = if list { "list" } else { "mapping" };
                    let label = match at_end {
                        true => format!("this {what} is never closed"),
                        false => format!("inside the {what} that starts here"),
                    };
                    finding = finding.with_related(Location { file: id, span: bracket }, label);
                }
                loaded.findings.push(finding);
            }
        }
    }
    if empty == count {
        return Err(LoadError::NothingToLint {
            path: root.to_path_buf(),
            reason: "every snapshot file is empty".into(),
        });
    }
    Ok(loaded)
}

/// A syntax error found where the text ends (an unclosed `[`), moved onto
/// its last character: a place after the last line break is on a line
/// with nothing to show, so the excerpt had no label. The flag says
/// whether it was at the end.
fn at_the_end(text: &str, error: SyntaxError) -> (Span, String, bool) {
    let content = text.trim_end();
    match content.chars().next_back() {
        Some(last) if error.span.start() >= content.len() && !is_empty_file(&error) => {
            let span = Span::new(content.len() - last.len_utf8(), content.len());
            (span, format!("{} at the end of the file", error.message), true)
        }
        _ => (error.span, error.message, false),
    }
}

const EMPTY_FILE: &str = "empty file: a snapshot file must hold a mapping of sections";

/// The SL001 for a file with no content, at 1:1.
fn empty_file() -> SyntaxError {
    SyntaxError::new(Span::default(), EMPTY_FILE.into())
}

fn is_empty_file(error: &SyntaxError) -> bool {
    *error == empty_file()
}
