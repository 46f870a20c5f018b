//! YAML text to a spanned [`Node`] tree, built from saphyr-parser's event
//! stream (not serde), so that every key and value keeps its byte span,
//! mapping entries keep their source order and duplicate keys survive for the
//! model to report.
//!
//! saphyr-parser reports positions in characters and some of its event spans
//! are wider or narrower than the node as written (a quoted scalar's span runs
//! on over trailing blanks and comments, a block scalar's starts at its first
//! content line, an anchored node's starts at the anchor). This module turns
//! them into byte spans of the node itself; see `Builder::scalar_span` and
//! `Builder::open`.

use std::borrow::Cow;
use std::cell::Cell;
use std::collections::HashMap;
use std::sync::Arc;

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Tag};

use super::limits::Limits;
use crate::shared::Text;
use crate::source::Span;
use crate::tree::{Entry, Node, Scalar, ScalarKind, SyntaxError, Value};

/// Parses one YAML document into a spanned tree, within the default limits.
pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    parse_with(text, &Limits::default())
}

/// Parses one YAML document into a spanned tree, within `limits` (depth,
/// nodes, nodes added by aliases; the file size is the loader's business).
pub fn parse_with(text: &str, limits: &Limits) -> Result<Node, SyntaxError> {
    parse_source(&Arc::new(text.to_string()), limits)
}

/// [`parse_with`] on a file's text as the loader holds it: the tree's
/// scalars are slices of it.
pub fn parse_source(source: &Arc<String>, limits: &Limits) -> Result<Node, SyntaxError> {
    parse_events(source, limits, Reparse::Allowed)
}

/// Whether an error may be placed by parsing part of the text again (see
/// [`flow_too_deep`]): once, at most.
#[derive(Clone, Copy, PartialEq)]
enum Reparse {
    Allowed,
    Done,
}

fn parse_events(source: &Arc<String>, limits: &Limits, reparse: Reparse) -> Result<Node, SyntaxError> {
    let text = source.as_str();
    let offsets = ByteOffsets::new(text);
    let mut builder = Builder::new(source, limits);
    let mut documents = 0;
    for next in Parser::new_from_str(text) {
        let (event, marks) =
            next.map_err(|error| scan_error(text, &offsets, &error, limits, builder.open_flow(), reparse))?;
        let span = ordered_span(offsets.at(marks.start.index()), offsets.at(marks.end.index()));
        if let Event::DocumentStart(_) = event {
            documents += 1;
            if documents > 1 {
                return Err(SyntaxError::new(
                    span,
                    "a second document: a snapshot file holds one YAML document (one document per file)"
                        .into(),
                ));
            }
        }
        builder.event(event, span)?;
    }
    let root = builder.finish()?;
    match unprintable(text) {
        Some(at) => Err(unprintable_error(text, at)),
        None => Ok(root),
    }
}

/// The offset of the first character YAML 1.2 does not allow in a stream
/// (outside `c-printable`): a C0 control other than tab, LF and CR; DEL; a
/// C1 control other than NEL; U+FFFE or U+FFFF. saphyr-parser stops only at
/// NUL, and loads the others into scalars as if they were text.
fn unprintable(text: &str) -> Option<usize> {
    // Each such character starts with one of these bytes (0xC2 starts
    // U+0080..U+00BF, 0xEF U+F000..U+FFFF). Chunks are tested for them
    // without branches, which the compiler vectorizes; the rare chunk with
    // one is decoded.
    let suspect =
        |b: u8| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) | (b == 0x7F) | (b == 0xC2) | (b == 0xEF);
    const CHUNK: usize = 64;
    for (k, chunk) in text.as_bytes().chunks(CHUNK).enumerate() {
        if !chunk.iter().fold(false, |any, &b| any | suspect(b)) {
            continue;
        }
        // From the character that holds the chunk's first byte, to the
        // last character that starts in the chunk.
        let mut from = k * CHUNK;
        while !text.is_char_boundary(from) {
            from -= 1;
        }
        let end = k * CHUNK + chunk.len();
        let mut chars = text[from..].char_indices().take_while(|&(i, _)| from + i < end);
        if let Some((i, _)) = chars.find(|&(_, c)| !printable(c)) {
            return Some(from + i);
        }
    }
    None
}

/// YAML 1.2's `c-printable`.
fn printable(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | ' '..='~' | '\u{85}' | '\u{A0}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Turns saphyr-parser's character indices into byte offsets. ASCII text
/// (the usual case) maps one to one; otherwise the byte offset of every
/// `CHECKPOINT_EVERY`th character is kept, and the rest is a walk from the
/// last offset asked for, or the checkpoint before, whichever is closer.
/// Events come in text order, so most walks are the length of a token.
struct ByteOffsets<'t> {
    text: &'t str,
    checkpoints: Option<Vec<usize>>,
    /// The last answer: (character index, byte offset).
    last: Cell<(usize, usize)>,
}

const CHECKPOINT_EVERY: usize = 64;

impl<'t> ByteOffsets<'t> {
    fn new(text: &'t str) -> Self {
        let checkpoints = (!text.is_ascii())
            .then(|| text.char_indices().step_by(CHECKPOINT_EVERY).map(|(byte, _)| byte).collect());
        ByteOffsets { text, checkpoints, last: Cell::new((0, 0)) }
    }

    /// Byte offset of a character index; past the end clamps to the end.
    fn at(&self, char_index: usize) -> usize {
        let len = self.text.len();
        let Some(checkpoints) = &self.checkpoints else {
            return char_index.min(len);
        };
        let Some(&checkpoint) = checkpoints.get(char_index / CHECKPOINT_EVERY) else {
            return len;
        };
        let from_checkpoint = (char_index - char_index % CHECKPOINT_EVERY, checkpoint);
        let last = self.last.get();
        let (mut char, mut byte) =
            if (from_checkpoint.0..=char_index).contains(&last.0) { last } else { from_checkpoint };
        let bytes = self.text.as_bytes();
        while char < char_index && byte < len {
            byte += 1;
            while bytes.get(byte).is_some_and(|b| (b & 0xC0) == 0x80) {
                byte += 1;
            }
            char += 1;
        }
        self.last.set((char, byte));
        byte
    }
}

fn ordered_span(a: usize, b: usize) -> Span {
    Span::new(a.min(b), a.max(b))
}

/// A saphyr-parser error as a SyntaxError on the offending character.
///
/// `inside` is the flow collection it is inside ([`SyntaxError::inside`]).
fn scan_error(
    text: &str,
    offsets: &ByteOffsets,
    error: &ScanError,
    limits: &Limits,
    inside: Option<(Span, bool)>,
    reparse: Reparse,
) -> SyntaxError {
    let at = offsets.at(error.marker().index());
    let info = error.info();
    if info == "recursion limit exceeded" {
        return flow_too_deep(text, at, limits, reparse);
    }
    if info == "found unprintable character" {
        return unprintable_error(text, at);
    }
    // saphyr-parser reads a NUL as the end of the text, so an unclosed
    // quoted scalar can be a NUL inside it.
    if info.ends_with("found unexpected end of stream")
        && let Some(offset) = text[at..].find('\0')
    {
        return unprintable_error(text, at + offset);
    }
    let (span, problem) = scan_problem(text, at, info);
    SyntaxError { inside, ..SyntaxError::new(span, format!("invalid YAML: {problem}")) }
}

/// A scanner's error `info` at byte `at`, as the offending character and what is
/// wrong there: for a tab, the tab, which the scanner reports after it or
/// lines before it. Rule and config files are parsed by serde-saphyr's
/// scanner, granit-parser, a fork of saphyr-parser that reports tabs with
/// the same words at the same places, so their errors are placed here too.
pub(crate) fn scan_problem(text: &str, at: usize, info: &str) -> (Span, String) {
    let message = readable(info);
    let tab = tab_problem(info).or_else(|| indented_by_tab(text, at).then_some(TabProblem::Indentation));
    match tab {
        Some(problem) => {
            let tab = find_tab(text, at, problem).unwrap_or(at);
            let help = match problem {
                TabProblem::Indentation => TAB_HELP,
                TabProblem::Separation => SEPARATING_TAB_HELP,
            };
            (char_at(text, tab), format!("{message}: {help}"))
        }
        None => (char_at(text, at), message),
    }
}

/// saphyr-parser counts flow nesting in a u8 and stops at the 256th level,
/// at `at`, often before emitting an event for the levels around it (it
/// scans a flow collection ahead for a key), so the builder never saw the
/// first level too deep: with a block collection around the flow, or a
/// lower max-depth, that is an earlier bracket. The text before `at` nests
/// no deeper than 255 levels: parsed again, it gives the error at the first
/// level too deep, or at a problem before it. An error at its end (where
/// the text was cut) is no problem of the file's: then the 256th level is
/// reported, the first one too deep for a flow collection at the top. (A
/// flow collection that is a block mapping's key gets no event before its
/// `:` is read, in the cut text either: for it, the 256th level is one
/// level late, or more with a lower max-depth, but inside the nesting.)
///
/// The text is parsed again once at most. saphyr-parser's positions can run
/// late (a file found by fuzzing has them one character late after a `%`
/// line with a non-ASCII character), and then the place lies past the
/// bracket: the cut text stopped at the same place again, and parsing it
/// again and again overflowed the stack. Where the shorter text stops at
/// the flow limit too, that place is the one reported.
fn flow_too_deep(text: &str, at: usize, limits: &Limits, reparse: Reparse) -> SyntaxError {
    let too_deep = || SyntaxError::new(char_at(text, at), limits.too_deep());
    if reparse == Reparse::Done {
        return too_deep();
    }
    match parse_events(&Arc::new(text[..at].to_string()), limits, Reparse::Done) {
        Err(error) if error.span.start() < at => error,
        _ => too_deep(),
    }
}

/// The error at a character YAML does not allow (a NUL, the only one
/// saphyr-parser stops at, or one [`unprintable`] finds); named, since the
/// excerpt cannot show it.
fn unprintable_error(text: &str, at: usize) -> SyntaxError {
    let c = text.get(at..).and_then(|rest| rest.chars().next()).unwrap_or_default();
    let name = if c == '\0' { " (NUL)" } else { "" };
    let message = format!(
        "invalid YAML: found unprintable character U+{:04X}{name}: YAML does not allow it; remove it",
        u32::from(c)
    );
    SyntaxError::new(char_at(text, at), message)
}

const TAB_HELP: &str = "YAML does not allow a tab here; indent and separate with spaces";
/// YAML 1.2 allows a tab after `:` or `-` (`s-white`), but saphyr-parser
/// does not: the message must not say the file breaks YAML.
const SEPARATING_TAB_HELP: &str =
    "the YAML parser sitelint uses takes no tab right after `:` or `-` (YAML 1.2 allows one); write a space";

/// What kind of tab a saphyr-parser error is about, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TabProblem {
    /// A tab in a line's indentation. saphyr-parser reports it after the
    /// tab, or at the start of the scalar the line continues, or at a
    /// block scalar's indicator: the tab is the first one that indents a
    /// line with content, from the reported line on.
    Indentation,
    /// A tab after `:` or `-`, or elsewhere on a line: reported after it.
    Separation,
}

fn tab_problem(info: &str) -> Option<TabProblem> {
    const INDENTATION: [&str; 4] = [
        "tabs disallowed within this context (block indentation)",
        "while scanning a plain scalar, found a tab",
        "tab cannot be used as indentation",
        "a block scalar content cannot start with a tab",
    ];
    // Words, not a substring: "found unprintable character" holds "tab".
    let names_tab = info.split(|c: char| !c.is_ascii_alphabetic()).any(|word| matches!(word, "tab" | "tabs"));
    if INDENTATION.contains(&info) {
        Some(TabProblem::Indentation)
    } else if names_tab || info.ends_with("must be followed by a valid YAML whitespace") {
        // saphyr-parser raises "':' (or '-') must be followed by a valid
        // YAML whitespace" only when it skipped a tab there.
        Some(TabProblem::Separation)
    } else {
        None
    }
}

/// Whether `at` is the first character of a line indented with a tab: an
/// error there ("did not find expected key" after a block scalar, say) is
/// the tab's doing.
fn indented_by_tab(text: &str, at: usize) -> bool {
    let bytes = text.as_bytes();
    let indent = &bytes[line_start(bytes, at)..at];
    let content = bytes.get(at).is_some_and(|b| !matches!(b, b'\r' | b'\n'));
    content && indent.contains(&b'\t') && indent.iter().all(|b| matches!(b, b' ' | b'\t'))
}

/// The byte offset of the tab a saphyr-parser error at `at` is about.
fn find_tab(text: &str, at: usize, problem: TabProblem) -> Option<usize> {
    let bytes = text.as_bytes();
    let start = line_start(bytes, at);
    match problem {
        TabProblem::Separation => bytes[start..at].iter().rposition(|b| *b == b'\t').map(|i| start + i),
        TabProblem::Indentation => {
            let mut line = start;
            while line < bytes.len() {
                let end = line_end(bytes, line);
                let content = bytes[line..end]
                    .iter()
                    .position(|b| !matches!(b, b' ' | b'\t' | b'\r'))
                    .map(|i| line + i);
                // A line of blanks only may hold tabs.
                let tab = content.and_then(|content| bytes[line..content].iter().position(|b| *b == b'\t'));
                if let Some(tab) = tab {
                    return Some(line + tab);
                }
                line = end + 1;
            }
            None
        }
    }
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
        self.end = child.node.span.end();
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
    /// The file's text, which scalars are slices of (`text` is all of it).
    source: &'t Arc<String>,
    text: &'t str,
    limits: &'t Limits,
    stack: Vec<Frame>,
    root: Option<Node>,
    /// Finished anchored nodes by saphyr-parser's anchor id, for aliases.
    anchors: HashMap<usize, Built>,
    /// Nodes in the tree so far, alias copies included.
    nodes: usize,
    /// Nodes aliases added so far, and anchored nodes kept for them.
    alias_nodes: usize,
    /// Byte offset where the previous event ended: a block scalar's indicator
    /// (`|`, `>`) is searched for from here.
    last_end: usize,
}

impl<'t> Builder<'t> {
    fn new(source: &'t Arc<String>, limits: &'t Limits) -> Self {
        Builder {
            source,
            text: source.as_str(),
            limits,
            stack: Vec::new(),
            root: None,
            anchors: HashMap::new(),
            nodes: 0,
            alias_nodes: 0,
            last_end: 0,
        }
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
                self.last_end = span.start();
                return Ok(());
            }
        }
        self.last_end = span.end();
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
        let text = Text::within(self.source, span, &value);
        let scalar = resolve_scalar(text, style, tag, &properties.tag_text(self.text))
            .map_err(|message| SyntaxError::new(properties.tag.unwrap_or(span), message))?;
        self.count_nodes(1, span)?;
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
                None => Span::new(event.start(), event.start()),
            },
            ScalarStyle::Plain => ordered_span(start, event.end()),
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
                let end = closing_quote(self.text, start).unwrap_or(event.end());
                ordered_span(start, end)
            }
            ScalarStyle::Literal | ScalarStyle::Folded => {
                let start = if properties.anchor.is_some() || properties.tag.is_some() {
                    start
                } else {
                    block_indicator(self.text, self.last_end, start)
                };
                Span::new(start, trim_blank_end(self.text, start, event.end()))
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
                return Err(SyntaxError::new(span, unsupported_tag(&properties.tag_text(self.text))));
            }
        }
        if self.stack.len() >= self.limits.max_depth {
            return Err(SyntaxError::new(char_at(self.text, start), self.limits.too_deep()));
        }
        self.count_nodes(1, char_at(self.text, start))?;
        // A block collection's start token is empty, at its first key or
        // `-`; a flow collection's runs from its bracket over blanks after it.
        let bytes = self.text.as_bytes();
        let flow = matches!(bytes.get(start), Some(b'{' | b'[')) && event.end() > start;
        let start = match items {
            Items::Seq(_) if !flow => sequence_dash(self.text, start),
            _ => start,
        };
        self.stack.push(Frame { items, start, flow, anchor, end: start, nodes: 1, height: 1 });
        Ok(())
    }

    /// The innermost flow collection not yet closed: its bracket, and
    /// whether it is a list.
    fn open_flow(&self) -> Option<(Span, bool)> {
        let frame = self.stack.iter().rev().find(|frame| frame.flow)?;
        Some((Span::new(frame.start, frame.start + 1), matches!(frame.items, Items::Seq(_))))
    }

    fn close(&mut self, event: Span) -> Result<(), SyntaxError> {
        let Some(frame) = self.stack.pop() else {
            return Ok(());
        };
        // A flow collection's end event starts at its closing bracket.
        let end = if frame.flow { event.start() + 1 } else { frame.end };
        let anchor = frame.anchor;
        self.complete(frame.finish(end), anchor)
    }

    fn alias(&mut self, id: usize, span: Span) -> Result<(), SyntaxError> {
        let Some(&Built { nodes, height, .. }) = self.anchors.get(&id) else {
            // saphyr-parser resolves names itself; an id without a finished
            // node is an alias inside the node it refers to.
            return Err(SyntaxError::new(
                span,
                "an alias inside the node its anchor names: recursive aliases are not supported".into(),
            ));
        };
        if self.stack.len() + height > self.limits.max_depth {
            return Err(SyntaxError::new(span, self.limits.too_deep()));
        }
        // Counted before the copy is made, so a bomb never gets built.
        self.count_alias_nodes(nodes, span)?;
        self.count_nodes(nodes, span)?;
        let mut copy = self.anchors[&id].clone();
        copy.node.span = span;
        self.attach(copy);
        Ok(())
    }

    /// Adds `built` to its parent, keeping a copy first if it is anchored.
    fn complete(&mut self, built: Built, anchor: usize) -> Result<(), SyntaxError> {
        if anchor != 0 {
            self.count_alias_nodes(built.nodes, built.node.span)?;
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

    /// Counts nodes that aliases add ([`Limits::max_alias_nodes`]).
    fn count_alias_nodes(&mut self, nodes: usize, at: Span) -> Result<(), SyntaxError> {
        self.alias_nodes = self.alias_nodes.saturating_add(nodes);
        if self.alias_nodes > self.limits.max_alias_nodes {
            return Err(SyntaxError::new(at, self.limits.too_many_alias_nodes()));
        }
        Ok(())
    }

    /// Counts nodes of the tree ([`Limits::max_nodes`]), before they are built.
    fn count_nodes(&mut self, nodes: usize, at: Span) -> Result<(), SyntaxError> {
        self.nodes = self.nodes.saturating_add(nodes);
        if self.nodes > self.limits.max_nodes {
            return Err(SyntaxError::new(at, self.limits.too_many_nodes()));
        }
        Ok(())
    }

    fn properties(&self, anchor: usize, tag: Option<&Tag>, event: Span) -> Properties {
        if anchor == 0 && tag.is_none() {
            return Properties { content_start: event.start(), anchor: None, tag: None };
        }
        skip_properties(self.text, event.start())
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
        self.tag.and_then(|tag| text.get(tag.start()..tag.end())).unwrap_or_default().to_string()
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

/// Where the line of `at` starts: after an LF, or a CR (alone, it breaks
/// a line in YAML; before an LF, the LF follows it).
fn line_start(bytes: &[u8], at: usize) -> usize {
    bytes[..at].iter().rposition(|b| matches!(b, b'\n' | b'\r')).map_or(0, |i| i + 1)
}

/// Where the line of `from` ends: at its line break, LF, CRLF or CR.
fn line_end(bytes: &[u8], from: usize) -> usize {
    bytes[from..].iter().position(|b| matches!(b, b'\n' | b'\r')).map_or(bytes.len(), |i| from + i)
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
    text: Text,
    style: ScalarStyle,
    tag: Option<&Tag>,
    tag_text: &str,
) -> Result<Scalar, String> {
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
    use crate::load::limits::DEPTH_CEILING;
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
    fn scalars_written_as_they_read_are_slices_of_the_text() {
        let text = "plain: alice@acme.com\nquoted: 'qm:1'\ndouble: \"x\"\nescaped: \"a\\tb\"\nfolded: >\n  two\n  lines\n";
        let sliced = t::values_sliced(|source| parse_source(source, &Limits::default()), text);
        let expected =
            [("plain", true), ("quoted", true), ("double", true), ("escaped", false), ("folded", false)];
        assert_eq!(sliced, expected.map(|(key, slice)| (key.to_string(), slice)));
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
        assert_eq!(file.line_col(url.span.end()), lc(3, 27));
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
        assert_eq!(error.message, Limits::default().too_many_alias_nodes());
        // It points into the line of the level that crosses the limit.
        assert_eq!(source(&text).line_col(error.span.start()).line, 6);
    }

    #[test]
    fn deep_flow_nesting_is_rejected_without_overflowing_the_stack() {
        let text = "[".repeat(10_000) + &"]".repeat(10_000);
        let error = parse_err(&text);
        assert_eq!(error.message, Limits::default().too_deep());
        // The first level past the limit.
        assert_eq!(error.span, Span::new(DEPTH_CEILING, DEPTH_CEILING + 1));
    }

    #[test]
    fn deep_block_nesting_is_rejected_without_overflowing_the_stack() {
        let text = "- ".repeat(10_000) + "x\n";
        let error = parse_err(&text);
        assert_eq!(error.message, Limits::default().too_deep());
        assert_eq!(error.span, Span::new(2 * DEPTH_CEILING, 2 * DEPTH_CEILING + 1));
        // The limit itself is allowed.
        let text = "- ".repeat(DEPTH_CEILING) + "x\n";
        let root = parse_ok(&text);
        let mut node = &root;
        for _ in 0..DEPTH_CEILING {
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
        assert_eq!(error.message, Limits::default().too_deep());
        assert_eq!(&text[error.span.start()..error.span.end()], "*deep");
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
        assert_eq!(source(text).line_col(error.span.start()), lc(3, 2));
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
        // Asked out of order, from the last answer or from a checkpoint.
        assert_eq!(offsets.at(70), 140);
        assert_eq!(offsets.at(66), 132);
        assert_eq!(offsets.at(130), 260);
        assert_eq!(offsets.at(1), 2);
        let mixed = "aé€😀".repeat(20);
        let offsets = ByteOffsets::new(&mixed);
        let starts: Vec<usize> = mixed.char_indices().map(|(byte, _)| byte).collect();
        for (i, byte) in starts.iter().enumerate().rev().chain(starts.iter().enumerate()) {
            assert_eq!(offsets.at(i), *byte, "{i}");
        }
        assert_eq!(offsets.at(80), mixed.len());
    }

    fn parse_err_with(text: &str, limits: Limits) -> SyntaxError {
        match parse_with(text, &limits) {
            Ok(node) => panic!("{text:?} should not parse: {node:?}"),
            Err(error) => error,
        }
    }

    #[test]
    fn tab_errors_point_at_the_tab() {
        let cases = [
            // Indentation, reported by saphyr-parser after the tab.
            ("site:\n\tname: acme\n", lc(2, 1), "tabs disallowed within this context (block indentation)"),
            // The line a plain scalar would continue on, reported at the scalar.
            ("site:\n  name: acme\n\turl: x\n", lc(3, 1), "found a tab (while scanning a plain scalar)"),
            ("a:\n  b: 1\n \t c: 2\n", lc(3, 2), "found a tab (while scanning a plain scalar)"),
            // A tab inside a scalar is content; the one indenting the next line is not.
            ("a: x\ty\n\tb: 1\n", lc(2, 1), "found a tab (while scanning a plain scalar)"),
            ("a: \"x\ty\"\n\tb: 1\n", lc(2, 1), "tabs disallowed within this context (block indentation)"),
            ("a:\n  b: \"x\n\ty\"\n", lc(3, 1), "tab cannot be used as indentation"),
            ("site:\n  name: |\n\tx\n", lc(3, 1), "a block scalar content cannot start with a tab"),
            // A tab-indented line that ends a block scalar.
            ("a: |\n  x\n\ty\n", lc(3, 1), "did not find expected key (while parsing a block mapping)"),
            // After `:` or `-`, reported after the tab.
            ("site:\n  name:\tacme\n", lc(2, 8), "':' must be followed by a valid YAML whitespace"),
            ("- \t- x\n", lc(1, 3), "'-' must be followed by a valid YAML whitespace"),
        ];
        for (text, at, problem) in cases {
            let error = parse_err(text);
            let file = source(text);
            assert_eq!(
                (&text[error.span.start()..error.span.end()], file.line_col(error.span.start())),
                ("\t", at),
                "{text:?}"
            );
            let help =
                if problem.ends_with("valid YAML whitespace") { SEPARATING_TAB_HELP } else { TAB_HELP };
            assert_eq!(error.message, format!("invalid YAML: {problem}: {help}"), "{text:?}");
        }
        // Tabs on a blank line, and as separation inside a line, are fine.
        parse_ok("a: b\n\t\nc: [x,\ty]\n");
    }

    #[test]
    fn the_depth_limit_is_configurable() {
        let limits = Limits { max_depth: 3, ..Limits::default() };
        // The fourth level, the mapping in the list, starts at `c`.
        let error = parse_err_with("a:\n  b:\n    - c: 1\n", limits);
        assert_eq!((error.span, error.message), (Span::new(14, 15), limits.too_deep()));
        assert!(parse_with("a:\n  b:\n    - c\n", &limits).is_ok());
        let error = parse_err_with("a: [[{b: 1}]]\n", limits);
        assert_eq!(error.span, Span::new(5, 6));
        // saphyr-parser scans deep flow nesting ahead and stops at its own
        // limit, the 256th level, first: the error is still at the fourth.
        let text = "[".repeat(300) + &"]".repeat(300);
        let error = parse_err_with(&text, limits);
        assert_eq!((error.span, error.message), (Span::new(3, 4), limits.too_deep()));
        let text = format!("a: [x, {}", "[".repeat(300));
        assert_eq!(parse_err_with(&text, limits).span, Span::new(8, 9));
        // A problem before the first level too deep comes first.
        let text = format!("a: [x y: z: {}", "[".repeat(300));
        let error = parse_err_with(&text, limits);
        assert_eq!(error.span, Span::new(10, 11), "{}", error.message);
    }

    #[test]
    fn the_node_limit_counts_keys_values_and_alias_copies() {
        let limits = Limits { max_nodes: 7, ..Limits::default() };
        // The mapping, 2 keys, the list and its 2 items: 6 nodes.
        let text = "a: [x, y]\nb: 1\n";
        assert!(parse_with(text, &limits).is_ok());
        // The eighth node is `1`.
        let error = parse_err_with("a: [x, y, z]\nb: 1\n", limits);
        assert_eq!((error.span, error.message), (Span::new(16, 17), limits.too_many_nodes()));
        // An alias adds a copy of its node: 1 + 2 + 2 + 2 (the copy) = 7, then one more.
        assert!(parse_with("a: &x [1]\nb: *x\n", &limits).is_ok());
        let error = parse_err_with("a: &x [1, 2]\nb: *x\n", limits);
        assert_eq!(error.span, Span::new(16, 18));
    }

    #[test]
    fn the_alias_limit_is_configurable() {
        let limits = Limits { max_alias_nodes: 10, ..Limits::default() };
        // The anchored list of 4 nodes is kept once and copied once: 8.
        assert!(parse_with("a: &x [1, 2, 3]\nb: *x\n", &limits).is_ok());
        let error = parse_err_with("a: &x [1, 2, 3]\nb: *x\nc: *x\n", limits);
        assert_eq!((error.span, error.message), (Span::new(25, 27), limits.too_many_alias_nodes()));
    }
}
