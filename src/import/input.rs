//! Reading the input folder: every `*.json` and `*.csv` below it (hidden
//! names skipped, like the snapshot loader), decoded as UTF-8 (a BOM is
//! dropped) and, for JSON, parsed. What cannot be read is a located error.

use std::fmt;
use std::path::Path;

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
    inputs.files.push(InputFile { name, relative, text, content });
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

/// The 1-based line of the first occurrence of `needle` in `text`.
pub fn line_of(text: &str, needle: &str) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    text.find(needle).map(|at| text[..at].matches('\n').count() + 1)
}

/// The 1-based line where the JSON string `value` first appears.
pub fn line_of_json_string(text: &str, value: &str) -> Option<usize> {
    serde_json::to_string(value).ok().and_then(|quoted| line_of(text, &quoted))
}

/// The 1-based line where the JSON string `value` appears for the `n`th
/// time (0 is the first): where a record repeating another one is.
pub fn line_of_nth_json_string(text: &str, value: &str, n: usize) -> Option<usize> {
    let quoted = serde_json::to_string(value).ok()?;
    text.match_indices(&quoted).nth(n).map(|(at, _)| text[..at].matches('\n').count() + 1)
}

/// The 1-based line where the value at `path` starts, each step an
/// object's key or, in a list, an index: for records that hold no string
/// of their own to search for. `None` when the path is not there.
pub fn line_of_path(text: &str, path: &[&str]) -> Option<usize> {
    use crate::tree::Value as Tree;
    let mut node = &crate::load::json::parse(text).ok()?;
    for step in path {
        node = match &node.value {
            Tree::Map(entries) => {
                &entries.iter().find(|e| e.key.as_scalar().is_some_and(|k| k.text == *step))?.value
            }
            Tree::Seq(items) => items.get(step.parse::<usize>().ok()?)?,
            Tree::Scalar(_) => return None,
        };
    }
    let start = node.span.start().min(text.len());
    Some(text[..start].matches('\n').count() + 1)
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

    #[test]
    fn lines_of_strings() {
        let text = "{\n \"id\": \"a\\\"b\",\n \"x\": \"qm:1\"\n}";
        assert_eq!(line_of_json_string(text, "qm:1"), Some(3));
        assert_eq!(line_of_json_string(text, "a\"b"), Some(2));
        assert_eq!(line_of(text, "nope"), None);
    }
}
