//! Reading the input folder: every `*.json` and `*.csv` below it (hidden
//! names skipped, like the snapshot loader), decoded as UTF-8 (a BOM is
//! dropped) and, for JSON, parsed. What cannot be read is a located error.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use walkdir::WalkDir;

use crate::source::json_error;

/// One input file, read.
pub struct InputFile {
    /// The path as shown to the user: the input path joined with the
    /// file's path below it, `/`-separated.
    pub name: String,
    /// The path below the input folder, `/`-separated: where file-name
    /// conventions are looked for.
    pub relative: String,
    pub text: String,
    pub content: Content,
    /// Found when first asked, then kept: records are placed by the strings
    /// they hold, and searching the text from its start for each took
    /// minutes on a permission scheme file of 24,000 grants.
    places: Places,
}

#[derive(Default)]
struct Places {
    /// The offset where each line starts.
    lines: OnceLock<Vec<usize>>,
    /// Each JSON string of the file (keys too), decoded, to the offsets of
    /// its opening quotes, in order.
    strings: OnceLock<HashMap<String, Vec<usize>>>,
    /// The file as a spanned tree, for records found by their path.
    tree: OnceLock<Option<crate::tree::Node>>,
}

impl InputFile {
    pub fn new(name: String, relative: String, text: String, content: Content) -> InputFile {
        InputFile { name, relative, text, content, places: Places::default() }
    }

    /// The 1-based line of the byte at `offset`.
    pub fn line_at(&self, offset: usize) -> usize {
        let lines = self.places.lines.get_or_init(|| {
            std::iter::once(0)
                .chain(memchr::memchr_iter(b'\n', self.text.as_bytes()).map(|at| at + 1))
                .collect()
        });
        lines.partition_point(|&start| start <= offset)
    }

    /// The 1-based line where the JSON string `value` first appears (as a
    /// whole string, key or value).
    pub fn line_of_string(&self, value: &str) -> Option<usize> {
        self.line_of_nth_string(value, 0)
    }

    /// The 1-based line where the JSON string `value` appears for the `n`th
    /// time (0 is the first): where a record repeating another one is.
    pub fn line_of_nth_string(&self, value: &str, n: usize) -> Option<usize> {
        let strings = self.places.strings.get_or_init(|| json_strings(&self.text));
        strings.get(value)?.get(n).map(|&at| self.line_at(at))
    }

    /// The 1-based line where the value at `path` starts, each step an
    /// object's key or, in a list, an index: for records that hold no string
    /// of their own to search for. `None` when the path is not there.
    pub fn line_of_path(&self, path: &[&str]) -> Option<usize> {
        use crate::tree::Value as Tree;
        let tree = self.places.tree.get_or_init(|| crate::load::json::parse(&self.text).ok());
        let mut node = tree.as_ref()?;
        for step in path {
            node = match &node.value {
                Tree::Map(entries) => {
                    &entries.iter().find(|e| e.key.as_scalar().is_some_and(|k| k.text == *step))?.value
                }
                Tree::Seq(items) => items.get(step.parse::<usize>().ok()?)?,
                Tree::Scalar(_) => return None,
            };
        }
        Some(self.line_at(node.span.start().min(self.text.len())))
    }
}

/// Every string of a JSON text (which has parsed), decoded, to the offsets
/// of its opening quotes.
fn json_strings(text: &str) -> HashMap<String, Vec<usize>> {
    let bytes = text.as_bytes();
    let mut strings: HashMap<String, Vec<usize>> = HashMap::new();
    let mut at = 0;
    while let Some(open) = memchr::memchr(b'"', &bytes[at..]).map(|i| at + i) {
        let mut end = open + 1;
        let mut escaped = false;
        // Outside strings, valid JSON has no quote: the next one opens a
        // string, and the first unescaped one after it closes it.
        while let Some(quote) = memchr::memchr2(b'"', b'\\', &bytes[end..]).map(|i| end + i) {
            if bytes[quote] == b'\\' {
                escaped = true;
                end = quote + 2;
                continue;
            }
            end = quote;
            break;
        }
        let Some(literal) = text.get(open..=end) else { break };
        let value = if escaped {
            serde_json::from_str::<String>(literal).unwrap_or_else(|_| literal.to_string())
        } else {
            literal[1..literal.len() - 1].to_string()
        };
        strings.entry(value).or_default().push(open);
        at = end + 1;
    }
    strings
}

pub enum Content {
    Json(serde_json::Value),
    Csv,
}

/// A file that is not an export (no `.json` or `.csv` extension): listed in
/// the summary, not read.
pub struct Skipped {
    pub name: String,
}

/// A file that cannot be used, with the place when there is one.
#[derive(Debug)]
pub struct InputError {
    pub name: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
    pub help: Option<String>,
}

impl InputError {
    pub fn new(name: &str, message: impl Into<String>) -> InputError {
        InputError { name: name.to_string(), line: None, column: None, message: message.into(), help: None }
    }

    pub fn at(mut self, line: usize, column: Option<usize>) -> InputError {
        self.line = Some(line);
        self.column = column;
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> InputError {
        self.help = Some(help.into());
        self
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        write!(f, ": {}", self.message)?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

#[derive(Default)]
pub struct Inputs {
    pub files: Vec<InputFile>,
    /// Where every `*.json` and `*.csv` file was found, read or not: the
    /// output folder must hold none of them (`--force` would remove them).
    pub paths: Vec<PathBuf>,
    pub skipped: Vec<Skipped>,
    pub errors: Vec<InputError>,
}

/// Reads every export below `root` (or `root` itself when it is a file), in
/// sorted path order. Only a missing or unwalkable root is an `Err`; a bad
/// file is collected in `errors` so that every problem is reported at once.
pub fn read_inputs(root: &Path) -> Result<Inputs, InputError> {
    let shown = root.to_string_lossy().replace('\\', "/");
    let metadata = std::fs::metadata(root).map_err(|e| {
        InputError::new(&shown, format!("cannot read the input: {e}"))
            .help("INPUT is the folder you saved the exports in (or one exported file)")
    })?;
    let mut inputs = Inputs::default();
    if metadata.is_file() {
        let relative = root.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        read_one(root, shown, relative, &mut inputs);
        return Ok(inputs);
    }
    let walker = WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walker {
        let entry =
            entry.map_err(|e| InputError::new(&shown, format!("cannot walk the input folder: {e}")))?;
        if !entry.file_type().is_file() {
            continue;
        }
        let relative =
            entry.path().strip_prefix(root).unwrap_or(entry.path()).to_string_lossy().replace('\\', "/");
        let name = format!("{}/{relative}", shown.trim_end_matches('/'));
        read_one(entry.path(), name, relative, &mut inputs);
    }
    Ok(inputs)
}

fn read_one(path: &Path, name: String, relative: String, inputs: &mut Inputs) {
    let extension = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase());
    let is_json = match extension.as_deref() {
        Some("json") => true,
        Some("csv") => false,
        _ => {
            inputs.skipped.push(Skipped { name });
            return;
        }
    };
    inputs.paths.push(path.to_path_buf());
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => {
            inputs.errors.push(InputError::new(&name, format!("cannot read the file: {e}")));
            return;
        }
    };
    let text = match decode(&name, bytes) {
        Ok(text) => text,
        Err(e) => {
            inputs.errors.push(e);
            return;
        }
    };
    let content = if is_json {
        match parse_json(&name, &text) {
            Ok(value) => Content::Json(value),
            Err(e) => {
                inputs.errors.push(e);
                return;
            }
        }
    } else {
        Content::Csv
    };
    inputs.files.push(InputFile::new(name, relative, text, content));
}

/// UTF-8 text without its BOM. UTF-16 (what Windows PowerShell 5 writes with
/// `>` or `Out-File`) and other encodings are errors that say how to fix it.
pub fn decode(name: &str, bytes: Vec<u8>) -> Result<String, InputError> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(InputError::new(name, "the file is UTF-16 text, not UTF-8").help(
            "save it as UTF-8 (PowerShell: `Out-File -Encoding utf8`; Excel: \"CSV UTF-8\"), or convert it with `iconv -f UTF-16 -t UTF-8`",
        ));
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(text.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(text)),
        Err(e) => {
            let offset = e.utf8_error().valid_up_to();
            let before = &e.as_bytes()[..offset];
            let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
            let column = offset - before.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1) + 1;
            Err(InputError::new(name, format!("not UTF-8: invalid byte at offset {offset}"))
                .at(line, Some(column))
                .help("save the file as UTF-8 (Excel: \"CSV UTF-8\"), or convert it with iconv"))
        }
    }
}

fn parse_json(name: &str, text: &str) -> Result<serde_json::Value, InputError> {
    serde_json::from_str(text).map_err(|e| {
        // The place is shown in front of the message, as `file:line:column`.
        let (message, at) = json_error(text, &e);
        let error = InputError::new(name, format!("not valid JSON: {message}"));
        let error = match at {
            Some(at) => error.at(at.line, Some(at.column)),
            None => error,
        };
        error.help("save the REST response body as returned (for example with `curl -o FILE`), unedited")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_is_dropped_and_utf16_is_explained() {
        assert_eq!(decode("a.csv", b"\xEF\xBB\xBFUser id".to_vec()).unwrap(), "User id");
        let e = decode("a.csv", vec![0xFF, 0xFE, b'U', 0]).unwrap_err();
        assert!(e.to_string().contains("UTF-16"), "{e}");
    }

    #[test]
    fn invalid_utf8_is_located() {
        let e = decode("a.csv", b"ok\nab\xFFc".to_vec()).unwrap_err();
        assert_eq!((e.line, e.column), (Some(2), Some(3)));
    }

    #[test]
    fn malformed_json_is_located() {
        let e = parse_json("x.json", "{\n  \"a\": 1\n  \"b\": 2\n}").unwrap_err();
        assert_eq!(e.line, Some(3));
        assert!(e.to_string().starts_with("x.json:3:3: not valid JSON: expected `,` or `}`"), "{e}");
    }

    fn json_file(text: &str) -> InputFile {
        let value = serde_json::from_str(text).unwrap();
        InputFile::new("x.json".into(), "x.json".into(), text.into(), Content::Json(value))
    }

    #[test]
    fn lines_of_strings() {
        let file = json_file(
            "{\n \"id\": \"a\\\"b\",\n \"x\": \"qm:1\", \"y\": [\"qm:1\",\r\n\"qm:1x\", \"\\u0071m:1\"]\n}",
        );
        assert_eq!(file.line_of_string("qm:1"), Some(3));
        assert_eq!(file.line_of_string("a\"b"), Some(2));
        assert_eq!(file.line_of_string("x"), Some(3), "keys are strings too");
        assert_eq!(file.line_of_string("nope"), None);
        assert_eq!(file.line_of_string("qm:"), None, "whole strings only");
        assert_eq!(file.line_of_nth_string("qm:1", 1), Some(3));
        // Escapes are decoded: \u0071 is `q`.
        assert_eq!(file.line_of_nth_string("qm:1", 2), Some(4));
        assert_eq!(file.line_of_nth_string("qm:1", 3), None);
    }

    #[test]
    fn lines_of_paths() {
        let file = json_file("{\"a\": [\n  {\"b\": 1},\n  {\"b\":\n 2}\n]}");
        assert_eq!(file.line_of_path(&["a", "1"]), Some(3));
        assert_eq!(file.line_of_path(&["a", "1", "b"]), Some(4));
        assert_eq!(file.line_of_path(&[]), Some(1));
        assert_eq!(file.line_of_path(&["a", "2"]), None);
    }
}
