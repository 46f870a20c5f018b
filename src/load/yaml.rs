//! YAML text to a spanned [`Node`] tree, built from saphyr-parser's event
//! stream (not serde), so that every key and value keeps its byte span,
//! mapping entries keep their source order and duplicate keys survive for the
//! model to report.
//!
//! saphyr-parser reports positions in characters and some of its event spans
//! are wider or narrower than the node as written (a quoted scalar's span runs
//! on over trailing blanks and comments, a block scalar's starts at its first
//! content line, an anchored node's starts at the anchor). This module turns
//! them into byte spans of the node itself; see [`Builder::scalar_span`] and
//! [`Builder::open`].

use std::borrow::Cow;
use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Tag};

use super::MAX_DEPTH;
use crate::source::Span;
use crate::tree::{Entry, Node, Scalar, ScalarKind, SyntaxError, Value};

/// The most nodes aliases may add to one YAML document (each alias adds a
/// copy of its anchored node, and each anchored node is kept once more).
/// Without a bound, a few lines of nested aliases ("billion laughs") expand
/// to billions of nodes. Nodes written out are not counted: a big snapshot
/// file is not an attack, and its size is bounded by the file itself.
pub const MAX_ALIAS_NODES: usize = 1_000_000;

/// Parses one YAML document into a spanned tree.
pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    let offsets = ByteOffsets::new(text);
    let mut builder = Builder::new(text);
    let mut documents = 0;
    for next in Parser::new_from_str(text) {
        let (event, marks) = next.map_err(|error| scan_error(text, &offsets, &error))?;
        let span = ordered_span(offsets.at(marks.start.index()), offsets.at(marks.end.index()));
        if let Event::DocumentStart(_) = event {
            documents += 1;
            if documents > 1 {
                return Err(SyntaxError {
                    span,
                    message:
                        "a second document: a snapshot file holds one YAML document (one document per file)"
                            .into(),
                });
            }
        }
        builder.event(event, span)?;
    }
    builder.finish()
}

/// Turns saphyr-parser's character indices into byte offsets. ASCII text
/// (the usual case) maps one to one; otherwise the byte offset of every
/// `CHECKPOINT_EVERY`th character is kept and the rest is a short walk.
struct ByteOffsets<'t> {
    text: &'t str,
    checkpoints: Option<Vec<usize>>,
}

const CHECKPOINT_EVERY: usize = 64;

impl<'t> ByteOffsets<'t> {
    fn new(text: &'t str) -> Self {
        let checkpoints = (!text.is_ascii())
            .then(|| text.char_indices().step_by(CHECKPOINT_EVERY).map(|(byte, _)| byte).collect());
        ByteOffsets { text, checkpoints }
    }

    /// Byte offset of a character index; past the end clamps to the end.
    fn at(&self, char_index: usize) -> usize {
        let len = self.text.len();
        let Some(checkpoints) = &self.checkpoints else {
            return char_index.min(len);
        };
        let Some(&base) = checkpoints.get(char_index / CHECKPOINT_EVERY) else {
            return len;
        };
        self.text[base..]
            .char_indices()
            .nth(char_index % CHECKPOINT_EVERY)
            .map_or(len, |(offset, _)| base + offset)
    }
}

fn ordered_span(a: usize, b: usize) -> Span {
    Span::new(a.min(b), a.max(b))
}

/// A saphyr-parser error as a SyntaxError on the offending character.
fn scan_error(text: &str, offsets: &ByteOffsets, error: &ScanError) -> SyntaxError {
    let at = offsets.at(error.marker().index());
    // saphyr-parser counts flow nesting in a u8 and reports the 256th level
    // itself, often before emitting any event (it scans ahead for keys).
    let message = if error.info() == "recursion limit exceeded" {
        too_deep()
    } else {
        format!("invalid YAML: {}", readable(error.info()))
    };
    SyntaxError { span: char_at(text, at), message }
}

/// saphyr-parser says "while parsing a block mapping, did not find expected
/// key"; the problem reads better first: "did not find expected key (while
/// parsing a block mapping)".
fn readable(info: &str) -> String {
    match info.strip_prefix("while ").and_then(|rest| rest.split_once(", ")) {
        Some((context, problem)) => format!("{problem} (while {context})"),
        None => info.to_string(),
    }
}

/// The span of the character at `at`, or an empty span at a line break or
/// the end of the text.
fn char_at(text: &str, at: usize) -> Span {
    let len = text
        .get(at..)
        .and_then(|rest| rest.chars().next())
        .filter(|c| *c != '\n' && *c != '\r')
        .map_or(0, char::len_utf8);
    Span::new(at, at + len)
}

fn alias_limit() -> String {
    format!(
        "aliases expand this document by more than {MAX_ALIAS_NODES} nodes: \
         a snapshot file may not grow past that through aliases (an alias bomb?)"
    )
}

fn too_deep() -> String {
    format!(
        "nesting deeper than {MAX_DEPTH} levels: snapshot files are limited to {MAX_DEPTH} nested lists and mappings"
    )
}

/// A finished node with what the limits need to know about it.
#[derive(Debug, Clone)]
struct Built {
    node: Node,
    /// Nodes in the subtree, itself included.
    nodes: usize,
    /// Collections on the longest path down: 0 for a scalar.
    height: usize,
}

/// A collection whose end event has not come yet.
struct Frame {
    items: Items,
    start: usize,
    /// `{...}` or `[...]`: ends at its closing bracket. Block collections
    /// end where their last child ends.
    flow: bool,
    anchor: usize,
    /// End of the last child so far.
    end: usize,
    nodes: usize,
    height: usize,
}

enum Items {
    Seq(Vec<Node>),
    /// Events alternate key, value; `key` holds a key until its value comes.
    Map {
        entries: Vec<Entry>,
        key: Option<Node>,
    },
}

impl Frame {
    fn push(&mut self, child: Built) {
        self.nodes += child.nodes;
        self.height = self.height.max(child.height + 1);
        self.end = child.node.span.end;
        match &mut self.items {
            Items::Seq(items) => items.push(child.node),
            Items::Map { entries, key } => match key.take() {
                None => *key = Some(child.node),
                Some(key) => entries.push(Entry { key, value: child.node }),
            },
        }
    }

    fn finish(self, end: usize) -> Built {
        let value = match self.items {
            Items::Seq(items) => Value::Seq(items),
            // saphyr-parser always sends a value after a key, so no key is left.
            Items::Map { entries, .. } => Value::Map(entries),
        };
        Built {
            node: Node { span: Span::new(self.start, end.max(self.start)), value },
            nodes: self.nodes,
            height: self.height,
        }
    }
}

/// Builds the tree from events with an explicit stack (never recursion), so
/// deep input cannot overflow the thread's stack.
struct Builder<'t> {
    text: &'t str,
    stack: Vec<Frame>,
    root: Option<Node>,
    /// Finished anchored nodes by saphyr-parser's anchor id, for aliases.
    anchors: HashMap<usize, Built>,
    /// Nodes produced so far, alias copies included.
    nodes: usize,
    /// Byte offset where the previous event ended: a block scalar's indicator
    /// (`|`, `>`) is searched for from here.
    last_end: usize,
}

impl<'t> Builder<'t> {
    fn new(text: &'t str) -> Self {
        Builder { text, stack: Vec::new(), root: None, anchors: HashMap::new(), nodes: 0, last_end: 0 }
    }

    fn event(&mut self, event: Event, span: Span) -> Result<(), SyntaxError> {
        match event {
            Event::Scalar(value, style, anchor, tag) => {
                self.scalar(value, style, anchor, tag.as_deref(), span)?;
            }
            Event::SequenceStart(anchor, tag) => {
                self.open(Items::Seq(Vec::new()), anchor, tag.as_deref(), span)?
            }
            Event::MappingStart(anchor, tag) => {
                let items = Items::Map { entries: Vec::new(), key: None };
                self.open(items, anchor, tag.as_deref(), span)?;
            }
            Event::SequenceEnd | Event::MappingEnd => self.close(span)?,
            Event::Alias(id) => self.alias(id, span)?,
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {}
            Event::DocumentStart(_) => {
                // An implicit document's start event spans its first node:
                // only the start is a position before that node.
                self.last_end = span.start;
                return Ok(());
            }
        }
        self.last_end = span.end;
        Ok(())
    }

    fn finish(self) -> Result<Node, SyntaxError> {
        match self.root {
            // An empty document is an implicit empty plain scalar, the only
            // null with an empty span (`~`, `null`, `!!null` have text).
            Some(root) if !(root.is_null() && root.span.is_empty()) => Ok(root),
            _ => Err(super::empty_file()),
        }
    }

    fn scalar(
        &mut self,
        value: Cow<str>,
        style: ScalarStyle,
        anchor: usize,
        tag: Option<&Tag>,
        event: Span,
    ) -> Result<(), SyntaxError> {
        let properties = self.properties(anchor, tag, event);
        let span = self.scalar_span(&value, style, &properties, event);
        let scalar = resolve_scalar(value, style, tag, &properties.tag_text(self.text))
            .map_err(|message| SyntaxError { span: properties.tag.unwrap_or(span), message })?;
        let built = Built { node: Node { span, value: Value::Scalar(scalar) }, nodes: 1, height: 0 };
        self.complete(built, anchor)
    }

    /// Where a scalar is written: quotes included, a block scalar from its
    /// indicator, an anchor or tag before it excluded.
    fn scalar_span(&self, value: &str, style: ScalarStyle, properties: &Properties, event: Span) -> Span {
        let start = properties.content_start;
        match style {
            // An empty plain scalar is a missing value: keep saphyr-parser's
            // position (the `:` or `-` before it), or the anchor/tag it has.
            ScalarStyle::Plain if value.is_empty() => match properties.tag.or(properties.anchor) {
                Some(_) => event,
                None => Span::new(event.start, event.start),
            },
            ScalarStyle::Plain => ordered_span(start, event.end),
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
                let end = closing_quote(self.text, start).unwrap_or(event.end);
                ordered_span(start, end)
            }
            ScalarStyle::Literal | ScalarStyle::Folded => {
                let start = if properties.anchor.is_some() || properties.tag.is_some() {
                    start
                } else {
                    block_indicator(self.text, self.last_end, start)
                };
                Span::new(start, trim_blank_end(self.text, start, event.end))
            }
        }
    }

    fn open(
        &mut self,
        items: Items,
        anchor: usize,
        tag: Option<&Tag>,
        event: Span,
    ) -> Result<(), SyntaxError> {
        let properties = self.properties(anchor, tag, event);
        let start = properties.content_start;
        if let Some(tag) = tag {
            let wanted = if matches!(items, Items::Seq(_)) { "seq" } else { "map" };
            if !(tag.is_yaml_core_schema() && tag.suffix == wanted) {
                let span = properties.tag.unwrap_or(event);
                return Err(SyntaxError { span, message: unsupported_tag(&properties.tag_text(self.text)) });
            }
        }
        if self.stack.len() >= MAX_DEPTH {
            return Err(SyntaxError { span: char_at(self.text, start), message: too_deep() });
        }
        // A block collection's start token is empty, at its first key or
        // `-`; a flow collection's runs from its bracket over blanks after it.
        let bytes = self.text.as_bytes();
        let flow = matches!(bytes.get(start), Some(b'{' | b'[')) && event.end > start;
        let start = match items {
            Items::Seq(_) if !flow => sequence_dash(self.text, start),
            _ => start,
        };
        self.stack.push(Frame { items, start, flow, anchor, end: start, nodes: 1, height: 1 });
        Ok(())
    }

    fn close(&mut self, event: Span) -> Result<(), SyntaxError> {
        let Some(frame) = self.stack.pop() else {
            return Ok(());
        };
        // A flow collection's end event starts at its closing bracket.
        let end = if frame.flow { event.start + 1 } else { frame.end };
        let anchor = frame.anchor;
        self.complete(frame.finish(end), anchor)
    }

    fn alias(&mut self, id: usize, span: Span) -> Result<(), SyntaxError> {
        let Some(anchored) = self.anchors.get(&id) else {
            // saphyr-parser resolves names itself; an id without a finished
            // node is an alias inside the node it refers to.
            return Err(SyntaxError {
                span,
                message: "an alias inside the node its anchor names: recursive aliases are not supported"
                    .into(),
            });
        };
        if self.stack.len() + anchored.height > MAX_DEPTH {
            return Err(SyntaxError { span, message: too_deep() });
        }
        let (nodes, mut copy) = (anchored.nodes, anchored.clone());
        self.count(nodes, span)?;
        copy.node.span = span;
        self.attach(copy);
        Ok(())
    }

    /// Adds `built` to its parent, keeping a copy first if it is anchored.
    fn complete(&mut self, built: Built, anchor: usize) -> Result<(), SyntaxError> {
        if anchor != 0 {
            self.count(built.nodes, built.node.span)?;
            self.anchors.insert(anchor, built.clone());
        }
        self.attach(built);
        Ok(())
    }

    fn attach(&mut self, built: Built) {
        match self.stack.last_mut() {
            Some(parent) => parent.push(built),
            None => self.root = Some(built.node),
        }
    }

    /// Counts nodes that aliases add (see [`MAX_ALIAS_NODES`]).
    fn count(&mut self, nodes: usize, at: Span) -> Result<(), SyntaxError> {
        self.nodes = self.nodes.saturating_add(nodes);
        if self.nodes > MAX_ALIAS_NODES {
            return Err(SyntaxError { span: at, message: alias_limit() });
        }
        Ok(())
    }

    fn properties(&self, anchor: usize, tag: Option<&Tag>, event: Span) -> Properties {
        if anchor == 0 && tag.is_none() {
            return Properties { content_start: event.start, anchor: None, tag: None };
        }
        skip_properties(self.text, event.start)
    }
}

/// The anchor and tag written before a node, and where its content starts.
struct Properties {
    content_start: usize,
    anchor: Option<Span>,
    tag: Option<Span>,
}

impl Properties {
    fn tag_text(&self, text: &str) -> String {
        self.tag.and_then(|tag| text.get(tag.start..tag.end)).unwrap_or_default().to_string()
    }
}

/// Reads `&anchor` and `!tag` from `from` on, over the blanks, line breaks
/// and comments between them and the content.
fn skip_properties(text: &str, from: usize) -> Properties {
    let bytes = text.as_bytes();
    let mut properties = Properties { content_start: from, anchor: None, tag: None };
    let mut at = from;
    loop {
        match bytes.get(at) {
            Some(b' ' | b'\t' | b'\r' | b'\n') => at += 1,
            Some(b'#') => at = line_end(bytes, at),
            Some(b'&') => {
                let end = token_end(bytes, at);
                properties.anchor = Some(Span::new(at, end));
                at = end;
            }
            Some(b'!') => {
                // A verbatim tag, `!<tag:example.com,2026:x>`, ends at `>`.
                let end = match bytes.get(at + 1) {
                    Some(b'<') => {
                        bytes[at..].iter().position(|b| *b == b'>').map_or(bytes.len(), |i| at + i + 1)
                    }
                    _ => token_end(bytes, at),
                };
                properties.tag = Some(Span::new(at, end));
                at = end;
            }
            _ => break,
        }
    }
    properties.content_start = at;
    properties
}

/// End of an anchor or tag: the next blank, line break or flow indicator.
fn token_end(bytes: &[u8], from: usize) -> usize {
    bytes[from..]
        .iter()
        .position(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b',' | b'[' | b']' | b'{' | b'}'))
        .map_or(bytes.len(), |i| from + i)
}

fn line_end(bytes: &[u8], from: usize) -> usize {
    bytes[from..].iter().position(|b| *b == b'\n').map_or(bytes.len(), |i| from + i)
}

/// The byte after a quoted scalar's closing quote. `''` is an escaped quote
/// in single quotes; a backslash escapes the next character in double quotes.
fn closing_quote(text: &str, open: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let quote = *bytes.get(open).filter(|b| matches!(b, b'\'' | b'"'))?;
    let mut at = open + 1;
    while let Some(&byte) = bytes.get(at) {
        match byte {
            b'\\' if quote == b'"' => at += 2,
            b'\'' if quote == b'\'' && bytes.get(at + 1) == Some(&b'\'') => at += 2,
            _ if byte == quote => return Some(at + 1),
            _ => at += 1,
        }
    }
    None
}

/// A block scalar's `|` or `>`, searched between the previous event's end
/// and the content: only blanks, indicators (`:`, `-`, `?`) and comments lie
/// between. Falls back to the content start.
fn block_indicator(text: &str, from: usize, content: usize) -> usize {
    let bytes = text.as_bytes();
    let mut at = from;
    let mut after_blank = true;
    while at < content {
        match bytes[at] {
            b'|' | b'>' => return at,
            b'#' if after_blank => at = line_end(bytes, at),
            byte => {
                after_blank = matches!(byte, b' ' | b'\t' | b'\r' | b'\n');
                at += 1;
            }
        }
    }
    content
}

/// The end of a block scalar without the line breaks and indentation that
/// saphyr-parser's span runs on over.
fn trim_blank_end(text: &str, start: usize, end: usize) -> usize {
    let bytes = text.as_bytes();
    let mut end = end.min(bytes.len());
    while end > start + 1 && matches!(bytes[end - 1], b' ' | b'\t' | b'\r' | b'\n') {
        end -= 1;
    }
    end.max(start)
}

/// A block sequence starts at its first `-`. saphyr-parser puts a sequence
/// that is not indented under its key (`key:\n- a`) at its first item; the
/// dash is then the first thing before it.
fn sequence_dash(text: &str, start: usize) -> usize {
    let bytes = text.as_bytes();
    let at_dash = bytes.get(start) == Some(&b'-')
        && bytes.get(start + 1).is_none_or(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'));
    if at_dash {
        return start;
    }
    let before = bytes[..start].iter().rposition(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'));
    match before {
        Some(dash) if bytes[dash] == b'-' => dash,
        _ => start,
    }
}

/// A scalar's text and kind: plain scalars resolve by the YAML 1.2 core
/// schema, quoted and block scalars are strings, and the core tags
/// `!!str !!int !!float !!bool !!null` override that when the text fits.
fn resolve_scalar(
    value: Cow<str>,
    style: ScalarStyle,
    tag: Option<&Tag>,
    tag_text: &str,
) -> Result<Scalar, String> {
    let text = value.into_owned();
    let Some(tag) = tag else {
        let kind = match style {
            ScalarStyle::Plain => ScalarKind::of_plain_yaml(&text),
            _ => ScalarKind::Str,
        };
        return Ok(Scalar { text, kind });
    };
    let core = if tag.is_yaml_core_schema() { tag.suffix.as_str() } else { "" };
    let resolved = ScalarKind::of_plain_yaml(&text);
    let kind = match (core, resolved) {
        ("str", _) => ScalarKind::Str,
        ("null", ScalarKind::Null) => ScalarKind::Null,
        ("bool", ScalarKind::Bool(value)) => ScalarKind::Bool(value),
        ("int", ScalarKind::Int) => ScalarKind::Int,
        ("float", ScalarKind::Int | ScalarKind::Float) => ScalarKind::Float,
        ("null" | "bool" | "int" | "float", _) => {
            return Err(format!("`{text}` is not a valid value for the tag `{tag_text}`"));
        }
        _ => return Err(unsupported_tag(tag_text)),
    };
    Ok(Scalar { text, kind })
}

fn unsupported_tag(tag_text: &str) -> String {
    format!(
        "unsupported tag `{tag_text}`: only the core tags !!str, !!int, !!float, !!bool, !!null \
         (on scalars), !!seq and !!map are allowed"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::test_support::{self as t, at, entries, get, items, lc, scalar};

    fn parse_ok(text: &str) -> Node {
        t::parse_ok(parse, text)
    }

    fn parse_err(text: &str) -> SyntaxError {
        t::parse_err(parse, text)
    }

    fn source(text: &str) -> crate::source::SourceFile {
        t::source("t.yaml", text)
    }

    #[test]
    fn keys_values_items_and_entities_have_exact_spans() {
        let text = "users:\n  - account_id: \"712020:ab\"   # quoted\n    email: alice@acme.com\n  - account_id: qm:1\n";
        let file = source(text);
        let root = parse_ok(text);
        assert_eq!(root.span, Span::new(0, text.trim_end().len()));
        let users = get(&root, "users");
        assert_eq!(
            at(&file, users.span),
            (
                "- account_id: \"712020:ab\"   # quoted\n    email: alice@acme.com\n  - account_id: qm:1",
                lc(2, 3)
            )
        );
        let alice = &items(users)[0];
        // The entity starts at its first key, not at the dash.
        assert_eq!(
            at(&file, alice.span),
            ("account_id: \"712020:ab\"   # quoted\n    email: alice@acme.com", lc(2, 5))
        );
        let id = &entries(alice)[0];
        assert_eq!(at(&file, id.key.span), ("account_id", lc(2, 5)));
        // The quoted value's span stops at its closing quote, before the comment.
        assert_eq!(at(&file, id.value.span), ("\"712020:ab\"", lc(2, 17)));
        assert_eq!(scalar(&id.value), ("712020:ab", ScalarKind::Str));
        assert_eq!(at(&file, get(alice, "email").span), ("alice@acme.com", lc(3, 12)));
        let second = &items(users)[1];
        assert_eq!(at(&file, second.span), ("account_id: qm:1", lc(4, 5)));
        assert_eq!(scalar(get(second, "account_id")), ("qm:1", ScalarKind::Str));
    }

    #[test]
    fn non_ascii_text_gets_byte_spans_and_character_columns() {
        let text = "site:\n  name: Zoë Ünal\n  url: https://zoë.example\n";
        let file = source(text);
        let root = parse_ok(text);
        let site = get(&root, "site");
        let name = get(site, "name");
        assert_eq!(name.span, Span::new(14, 24));
        assert_eq!(at(&file, name.span), ("Zoë Ünal", lc(2, 9)));
        let url = get(site, "url");
        // After two 2-byte characters on line 2, byte and character counts differ.
        assert_eq!(url.span, Span::new(32, 52));
        assert_eq!(at(&file, url.span), ("https://zoë.example", lc(3, 8)));
        assert_eq!(file.line_col(url.span.end), lc(3, 27));
    }

    #[test]
    fn crlf_line_endings_keep_spans_and_columns() {
        let text = "a: 1\r\nb:\r\n  - x\r\n  - \"y\"\r\nc: |\r\n  text\r\n";
        let file = source(text);
        let root = parse_ok(text);
        let b = get(&root, "b");
        assert_eq!(at(&file, b.span), ("- x\r\n  - \"y\"", lc(3, 3)));
        assert_eq!(at(&file, items(b)[1].span), ("\"y\"", lc(4, 5)));
        let c = get(&root, "c");
        assert_eq!(at(&file, c.span), ("|\r\n  text", lc(5, 4)));
        assert_eq!(scalar(c), ("text\n", ScalarKind::Str));
        assert_eq!(at(&file, entries(&root)[2].key.span), ("c", lc(5, 1)));
    }

    #[test]
    fn flow_collections_span_their_brackets() {
        let text = "roles: {jsm: agent, sw: [a, 'b'] }  # c\nx: &r [1]\n";
        let file = source(text);
        let root = parse_ok(text);
        let roles = get(&root, "roles");
        assert_eq!(at(&file, roles.span), ("{jsm: agent, sw: [a, 'b'] }", lc(1, 8)));
        assert_eq!(at(&file, get(roles, "sw").span), ("[a, 'b']", lc(1, 25)));
        // The anchor is not part of the node.
        assert_eq!(at(&file, get(&root, "x").span), ("[1]", lc(2, 7)));
    }

    #[test]
    fn block_scalars_span_from_their_indicator() {
        let text = "desc: |\n  one\n  two\n\nf: >- # folded\n  a\n  b\nk: !!str |\n  t\n";
        let file = source(text);
        let root = parse_ok(text);
        let desc = get(&root, "desc");
        assert_eq!(at(&file, desc.span), ("|\n  one\n  two", lc(1, 7)));
        assert_eq!(scalar(desc), ("one\ntwo\n", ScalarKind::Str));
        assert_eq!(at(&file, get(&root, "f").span), (">- # folded\n  a\n  b", lc(5, 4)));
        assert_eq!(scalar(get(&root, "f")), ("a b", ScalarKind::Str));
        assert_eq!(at(&file, get(&root, "k").span), ("|\n  t", lc(8, 10)));
    }

    #[test]
    fn unindented_sequences_start_at_their_dash() {
        let text = "groups:\n- name: a\n- name: b\n";
        let file = source(text);
        let root = parse_ok(text);
        let groups = get(&root, "groups");
        assert_eq!(at(&file, groups.span), ("- name: a\n- name: b", lc(2, 1)));
        assert_eq!(at(&file, items(groups)[1].span), ("name: b", lc(3, 3)));
    }

    #[test]
    fn plain_scalars_keep_their_text_and_resolve_by_the_core_schema() {
        let root = parse_ok("a: 10000\nb: \"10000\"\nc: 0x1F\nd: yes\ne: ~\nf:\ng: 1.50\nh: True\n");
        assert_eq!(scalar(get(&root, "a")), ("10000", ScalarKind::Int));
        assert_eq!(scalar(get(&root, "b")), ("10000", ScalarKind::Str));
        assert_eq!(scalar(get(&root, "c")), ("0x1F", ScalarKind::Int));
        assert_eq!(scalar(get(&root, "d")), ("yes", ScalarKind::Str));
        assert_eq!(scalar(get(&root, "e")), ("~", ScalarKind::Null));
        assert_eq!(scalar(get(&root, "f")), ("", ScalarKind::Null));
        assert_eq!(scalar(get(&root, "g")), ("1.50", ScalarKind::Float));
        assert_eq!(scalar(get(&root, "h")), ("True", ScalarKind::Bool(true)));
    }

    #[test]
    fn a_missing_value_is_an_empty_span_at_its_colon() {
        let text = "customers:\nname: x\n";
        let root = parse_ok(text);
        let customers = get(&root, "customers");
        assert!(customers.is_null());
        assert_eq!(customers.span, Span::new(9, 9));
    }

    #[test]
    fn core_tags_set_the_kind() {
        let text =
            "a: !!str 10000\nb: !!int \"42\"\nc: !!float 1\nd: !!bool false\ne: !!null ~\nf: !!map {x: 1}\n";
        let file = source(text);
        let root = parse_ok(text);
        assert_eq!(scalar(get(&root, "a")), ("10000", ScalarKind::Str));
        assert_eq!(at(&file, get(&root, "a").span), ("10000", lc(1, 10)));
        assert_eq!(scalar(get(&root, "b")), ("42", ScalarKind::Int));
        assert_eq!(scalar(get(&root, "c")), ("1", ScalarKind::Float));
        assert_eq!(scalar(get(&root, "d")), ("false", ScalarKind::Bool(false)));
        assert_eq!(scalar(get(&root, "e")), ("~", ScalarKind::Null));
        assert_eq!(entries(get(&root, "f")).len(), 1);
    }

    #[test]
    fn other_tags_are_errors_at_the_tag() {
        let error = parse_err("a: 1\nb: !Ref x\n");
        assert_eq!(error.span, Span::new(8, 12));
        assert!(error.message.starts_with("unsupported tag `!Ref`"), "{}", error.message);
        let error = parse_err("a: !!int abc\n");
        assert_eq!(error.span, Span::new(3, 8));
        assert_eq!(error.message, "`abc` is not a valid value for the tag `!!int`");
        let error = parse_err("a: !!seq {x: 1}\n");
        assert_eq!(error.span, Span::new(3, 8));
        assert!(error.message.starts_with("unsupported tag `!!seq`"), "{}", error.message);
    }

    #[test]
    fn duplicate_keys_are_kept_in_order() {
        let root = parse_ok("b: 1\na: 2\nb: 3\n");
        let keys: Vec<_> = entries(&root).iter().map(|e| (scalar(&e.key).0, scalar(&e.value).0)).collect();
        assert_eq!(keys, [("b", "1"), ("a", "2"), ("b", "3")]);
        assert_eq!(entries(&root)[2].key.span, Span::new(10, 11));
    }

    #[test]
    fn aliases_expand_to_a_copy_spanning_the_alias() {
        let text = "base: &agent {jsm: agent}\nuser: *agent\n";
        let file = source(text);
        let root = parse_ok(text);
        let base = get(&root, "base");
        let user = get(&root, "user");
        assert_eq!(user.value, base.value);
        assert_eq!(at(&file, user.span), ("*agent", lc(2, 7)));
        // Inside the copy, spans point at the anchored original.
        assert_eq!(at(&file, get(user, "jsm").span), ("agent", lc(1, 20)));
        // A block mapping's anchor may sit on the line before it.
        let text = "base: &agent  # shared\n  jsm: agent\nuser: *agent\n";
        let file = source(text);
        let root = parse_ok(text);
        assert_eq!(at(&file, get(&root, "base").span), ("jsm: agent", lc(2, 3)));
        assert_eq!(get(&root, "user").value, get(&root, "base").value);
        let error = parse_err("a: &x [*x]\n");
        assert_eq!(error.span, Span::new(7, 9));
        assert!(error.message.contains("recursive aliases"), "{}", error.message);
    }

    #[test]
    fn an_alias_bomb_is_rejected_quickly() {
        let mut text = String::from("l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n");
        for level in 1..10 {
            let prev = level - 1;
            text += &format!("l{level}: &l{level} [{}]\n", vec![format!("*l{prev}"); 10].join(", "));
        }
        let error = parse_err(&text);
        assert_eq!(error.message, alias_limit());
        // It points into the line of the level that crosses the limit.
        assert_eq!(source(&text).line_col(error.span.start).line, 6);
    }

    #[test]
    fn deep_flow_nesting_is_rejected_without_overflowing_the_stack() {
        let text = "[".repeat(10_000) + &"]".repeat(10_000);
        let error = parse_err(&text);
        assert_eq!(error.message, too_deep());
        // The first level past the limit.
        assert_eq!(error.span, Span::new(MAX_DEPTH, MAX_DEPTH + 1));
    }

    #[test]
    fn deep_block_nesting_is_rejected_without_overflowing_the_stack() {
        let text = "- ".repeat(10_000) + "x\n";
        let error = parse_err(&text);
        assert_eq!(error.message, too_deep());
        assert_eq!(error.span, Span::new(2 * MAX_DEPTH, 2 * MAX_DEPTH + 1));
        // The limit itself is allowed.
        let text = "- ".repeat(MAX_DEPTH) + "x\n";
        let root = parse_ok(&text);
        let mut node = &root;
        for _ in 0..MAX_DEPTH {
            node = &items(node)[0];
        }
        assert_eq!(scalar(node), ("x", ScalarKind::Str));
    }

    #[test]
    fn nesting_through_an_alias_counts_too() {
        let deep = "[".repeat(200) + &"]".repeat(200);
        let text = format!(
            "a: &deep {deep}\nb: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[*deep]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n"
        );
        let error = parse_err(&text);
        assert_eq!(error.message, too_deep());
        assert_eq!(&text[error.span.start..error.span.end], "*deep");
    }

    #[test]
    fn an_empty_document_is_an_error_at_the_start() {
        for text in ["", "   \n", "# only a comment\n", "---\n", "\u{feff}"] {
            let error = parse_err(text);
            assert_eq!(error, crate::load::empty_file(), "{text:?}");
        }
        // An explicit null is content, not an empty file.
        assert!(parse_ok("~\n").is_null());
    }

    #[test]
    fn a_second_document_is_an_error_at_its_start() {
        let text = "a: 1\n---\nb: 2\n";
        let error = parse_err(text);
        assert_eq!(error.span, Span::new(5, 8));
        assert!(error.message.contains("one document per file"), "{}", error.message);
    }

    #[test]
    fn parse_errors_point_at_the_offending_character() {
        let text = "a: 1\nb: [x, y\nc: 2\n";
        let error = parse_err(text);
        assert_eq!(source(text).line_col(error.span.start), lc(3, 2));
        assert!(error.message.starts_with("invalid YAML: "), "{}", error.message);
        let error = parse_err("a: 1\n b: 2\n");
        assert_eq!(error.span, Span::new(7, 8));
        assert_eq!(error.message, "invalid YAML: mapping values are not allowed in this context");
        let error = parse_err("a: *nowhere\n");
        assert_eq!(error.message, "invalid YAML: found unknown anchor (while parsing node)");
    }

    #[test]
    fn a_leading_byte_order_mark_is_skipped() {
        let text = "\u{feff}a: 1\n";
        let root = parse_ok(text);
        assert_eq!(entries(&root)[0].key.span, Span::new(3, 4));
        assert_eq!(get(&root, "a").span, Span::new(6, 7));
    }

    #[test]
    fn byte_offsets_walk_from_checkpoints() {
        let text = "é".repeat(200) + "x";
        let offsets = ByteOffsets::new(&text);
        assert_eq!(offsets.at(0), 0);
        assert_eq!(offsets.at(63), 126);
        assert_eq!(offsets.at(64), 128);
        assert_eq!(offsets.at(200), 400);
        assert_eq!(offsets.at(201), 401);
        assert_eq!(offsets.at(5000), 401);
    }
}
