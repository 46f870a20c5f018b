//! Helpers for the parsers' tests: look into a parsed tree, and say where a
//! span is, panicking with the tree when the shape is not the expected one.

use crate::source::{LineCol, SourceFile, Span};
use crate::tree::{Entry, Node, ScalarKind, SyntaxError, Value};

pub fn parse_ok(parse: impl Fn(&str) -> Result<Node, SyntaxError>, text: &str) -> Node {
    match parse(text) {
        Ok(node) => node,
        Err(error) => panic!("{text:?} should parse: {error:?}"),
    }
}

pub fn parse_err(parse: impl Fn(&str) -> Result<Node, SyntaxError>, text: &str) -> SyntaxError {
    match parse(text) {
        Ok(node) => panic!("{text:?} should not parse: {node:?}"),
        Err(error) => error,
    }
}

pub fn entries(node: &Node) -> &[Entry] {
    match &node.value {
        Value::Map(entries) => entries,
        other => panic!("not a mapping: {other:?}"),
    }
}

pub fn items(node: &Node) -> &[Node] {
    match &node.value {
        Value::Seq(items) => items,
        other => panic!("not a list: {other:?}"),
    }
}

/// The value of the first entry with this key.
pub fn get<'n>(node: &'n Node, key: &str) -> &'n Node {
    let entry = entries(node).iter().find(|e| e.key.as_scalar().is_some_and(|s| s.text == key));
    &entry.unwrap_or_else(|| panic!("no key {key}")).value
}

pub fn scalar(node: &Node) -> (&str, ScalarKind) {
    let scalar = node.as_scalar().unwrap_or_else(|| panic!("not a scalar: {node:?}"));
    (&scalar.text, scalar.kind)
}

pub fn source(name: &str, text: &str) -> SourceFile {
    SourceFile::new(name.into(), name.into(), text.to_string())
}

/// The text a span covers and where it starts.
pub fn at(file: &SourceFile, span: Span) -> (&str, LineCol) {
    (&file.text[span.start()..span.end()], file.line_col(span.start()))
}

pub fn lc(line: usize, column: usize) -> LineCol {
    LineCol { line, column }
}

/// For each key of the top-level mapping of `text`, as `parse` reads it:
/// whether its value's text is a slice of the file's text (no copy).
pub fn values_sliced(
    parse: impl Fn(&std::sync::Arc<String>) -> Result<Node, SyntaxError>,
    text: &str,
) -> Vec<(String, bool)> {
    let source = std::sync::Arc::new(text.to_string());
    let root = parse(&source).unwrap_or_else(|error| panic!("{text:?} should parse: {error:?}"));
    let scalar = |node: &Node| node.as_scalar().map(|s| s.text.clone()).expect("a scalar");
    entries(&root)
        .iter()
        .map(|entry| (scalar(&entry.key).to_string(), scalar(&entry.value).is_slice_of(&source)))
        .collect()
}
