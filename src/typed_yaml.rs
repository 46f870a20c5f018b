//! Rule files and the config file are read into Rust types with
//! serde-saphyr. Its errors become what sitelint reports here, for both: the
//! offending place as a span of the file, and a message without the position
//! serde-saphyr writes into its text (the label shows the place).

use serde_saphyr::{Error, MessageFormatter, UserMessageFormatter};

use crate::load::yaml::{self, scan_problem};
use crate::rules::error::did_you_mean;
use crate::source::Span;
use crate::tree::{Node, Value};

/// What is wrong in a file serde-saphyr could not read, and where.
#[derive(Debug)]
pub struct Problem {
    pub span: Span,
    pub label: String,
    pub message: String,
    /// Another place the problem involves, and its label: where a key
    /// written twice is first written.
    pub related: Option<(Span, String)>,
}

/// Help for a key or value that is not one of its choices: "did you mean
/// `x`?" when one is close, else the choices; `None` for other errors.
pub(crate) fn choices_help(error: &Error) -> Option<String> {
    match error.without_snippet() {
        Error::SerdeUnknownField { field, expected, .. } => Some(one_of(field, expected)),
        Error::SerdeUnknownVariant { variant, expected, .. } => Some(one_of(variant, expected)),
        _ => None,
    }
}

/// "did you mean `x`?" when `word` is close to one of `choices`, else the list.
pub(crate) fn one_of(word: &str, choices: &[&str]) -> String {
    match did_you_mean(word, choices.iter().copied()) {
        Some(close) => format!("did you mean `{close}`?"),
        None => format!("expected one of: {}", choices.join(", ")),
    }
}

/// Whether `error` is a key missing from a mapping at the top of the file
/// (not indented): the mapping [`problem`] points at starts a line, or the
/// file after its byte order mark.
pub(crate) fn missing_at_top(text: &str, error: &Error, problem: &Problem) -> bool {
    let missing = matches!(error.without_snippet(), Error::SerdeMissingField { .. });
    let before = text.get(..problem.span.start()).unwrap_or_default();
    missing && (matches!(before, "" | "\u{feff}") || before.ends_with(['\n', '\r']))
}

/// serde-saphyr's words for what it expected, as a person writing the file
/// would say them: "expected sequence start" is a list, "invalid u64" a
/// whole number.
fn in_plain_words(text: &str, message: String) -> String {
    const WORDS: [(&str, &str); 4] = [
        ("expected sequence start", "expected a list (`- item` lines, or `[a, b]`)"),
        ("expected mapping start", "expected a mapping (`key: value` lines, or `{key: value}`)"),
        ("expected string scalar", "expected a text"),
        ("unexpected end of file", "the file ends where a value was expected"),
    ];
    if message == "unexpected end of file" && text.trim_start_matches('\u{feff}').trim().is_empty() {
        return "the file is empty".into();
    }
    if let Some((_, plain)) = WORDS.iter().find(|(words, _)| message == *words) {
        return (*plain).into();
    }
    match message.strip_prefix("invalid ") {
        Some("u8" | "u16" | "u32" | "u64" | "usize" | "i8" | "i16" | "i32" | "i64" | "isize") => {
            "expected a whole number".into()
        }
        Some("f32" | "f64") => "expected a number".into(),
        _ => message,
    }
}

/// The problem `error` reports in `text`, the text serde-saphyr read.
pub fn problem(text: &str, error: &Error) -> Problem {
    let message = in_plain_words(text, UserMessageFormatter.format_message(error).into_owned());
    let Some(location) = error.location() else {
        return Problem { span: Span::default(), label: "here".into(), message, related: None };
    };
    let span = location.span();
    let Some(start) = span.byte_offset() else {
        // The scanner's errors (a tab, an unclosed quote) come with a
        // position in characters only, and after a tab rather than at it.
        let at = text.char_indices().nth(span.offset() as usize).map_or(text.len(), |(at, _)| at);
        let (span, message) = scan_problem(text, at, &message);
        return Problem { span, label: "here".into(), message, related: None };
    };
    let start = start as usize;
    let at = Span::new(start, start + span.byte_len().unwrap_or(0) as usize);
    if let Error::SerdeMissingField { field, .. } = error.without_snippet() {
        // serde-saphyr places a missing key at the mapping's last key, which
        // says nothing of the mapping: the label is on its first line.
        if let Some(mapping) = mapping_at(text, start) {
            let line_end =
                text[mapping.start()..].find(['\n', '\r']).map_or(text.len(), |n| mapping.start() + n);
            return Problem {
                span: Span::new(mapping.start(), mapping.end().min(line_end)),
                label: format!("this has no `{field}`"),
                message: format!("required key `{field}` is missing"),
                related: None,
            };
        }
    }
    if let Error::DuplicateMappingKey { key, .. } = error.without_snippet() {
        // serde-saphyr's text for it is advice to its own callers ("set
        // DuplicateKeyPolicy in Options").
        let message = match key {
            Some(key) => format!("key `{key}` is written twice"),
            None => "a key is written twice".into(),
        };
        let related = first_key(text, start).map(|first| (first, "first written here".to_string()));
        return Problem { span: at, label: "written again here".into(), message, related };
    }
    Problem { span: at, label: "here".into(), message, related: None }
}

/// The first key of the mapping with a key at byte `at` that is written as
/// that key is, if it is another one.
fn first_key(text: &str, at: usize) -> Option<Span> {
    let root = yaml::parse(text).ok()?;
    let entries = root.descendants().into_iter().find_map(|node| match &node.value {
        Value::Map(entries) if entries.iter().any(|e| e.key.span.start() == at) => Some(entries),
        _ => None,
    })?;
    let again = entries.iter().find(|e| e.key.span.start() == at)?.key.value.clone();
    let first = entries.iter().find(|e| e.key.value == again)?.key.span;
    (first.start() != at).then_some(first)
}

/// The span of the mapping that has a key at byte `at`, or starts there (an
/// empty `{}`), in `text` parsed as the snapshot loader does.
fn mapping_at(text: &str, at: usize) -> Option<Span> {
    let root = yaml::parse(text).ok()?;
    let found = root.descendants().into_iter().find(|node| match &node.value {
        Value::Map(entries) => node.span.start() == at || entries.iter().any(|e| e.key.span.start() == at),
        _ => false,
    });
    found.map(|node: &Node| node.span)
}
