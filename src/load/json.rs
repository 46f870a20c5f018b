//! JSON text to a spanned [`Node`] tree, with jsonc-parser's AST parser held
//! to strict JSON (RFC 8259): every JSONC/JSON5 extension is switched off, and
//! the few leniencies no option covers are checked here.

use std::cell::Cell;
use std::sync::Arc;

use jsonc_parser::ast::{self, ObjectPropName};
use jsonc_parser::common::{Range, Ranged};
use jsonc_parser::errors::ParseError;
use jsonc_parser::tokens::Token;
use jsonc_parser::{CollectOptions, ParseOptions, Scanner, ScannerOptions, parse_to_ast};

use super::limits::Limits;
use crate::shared::Text;
use crate::source::{Span, shortened};
use crate::tree::{Entry, Node, Scalar, ScalarKind, SyntaxError, Value};

/// Parses one JSON document into a spanned tree, within the default limits.
pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    parse_with(text, &Limits::default())
}

/// Parses one JSON document into a spanned tree, within `limits` (depth and
/// nodes; the file size is the loader's business, and JSON has no aliases).
pub fn parse_with(text: &str, limits: &Limits) -> Result<Node, SyntaxError> {
    parse_source(&Arc::new(text.to_string()), limits)
}

/// [`parse_with`] on a file's text as the loader holds it: the tree's
/// scalars are slices of it.
pub fn parse_source(source: &Arc<String>, limits: &Limits) -> Result<Node, SyntaxError> {
    let characters = check_text(source, limits)?;
    match Strict::build(source, limits) {
        Some(root) => characters.map(|()| root),
        // Not plain strict JSON within the limits: jsonc-parser's AST parser
        // says what is wrong (or, should it accept, its tree is converted).
        None => parse_ast(source, limits, characters),
    }
}

/// [`parse_source`] through jsonc-parser's AST, the text checked.
fn parse_ast(
    source: &Arc<String>,
    limits: &Limits,
    characters: Result<(), SyntaxError>,
) -> Result<Node, SyntaxError> {
    let parsed =
        parse_to_ast(source, &CollectOptions::default(), &strict()).map_err(|e| parse_error(source, &e))?;
    let Some(value) = parsed.value else {
        return Err(super::empty_file());
    };
    characters?;
    let mut nodes = Nodes { count: 0, limits, source };
    convert(value, &mut nodes)
}

fn strict() -> ParseOptions {
    ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    }
}

/// Builds the tree straight from jsonc-parser's scanner, without its AST
/// (which cost as much again as the scanning, and was dropped right after
/// conversion). It takes only strict JSON, a subset of what the AST parser
/// accepts with [`strict`] options, and gives up (`None`) at the first
/// thing it does not expect: a comment, a trailing or missing comma, a
/// second root value, a scanner error, a limit crossed. The AST parser then
/// runs, so what is accepted and every error message are its own.
struct Strict<'t, 'l> {
    scanner: Scanner<'t>,
    nodes: Nodes<'l>,
}

impl<'t> Strict<'t, '_> {
    fn build(source: &'t Arc<String>, limits: &Limits) -> Option<Node> {
        // The scanner options the AST parser derives from [`strict`], so that
        // both paths scan alike.
        let ParseOptions {
            allow_single_quoted_strings,
            allow_hexadecimal_numbers,
            allow_unary_plus_numbers,
            allow_bare_decimal_point_numbers,
            allow_non_finite_numbers,
            allow_extended_string_escapes,
            ..
        } = strict();
        let options = ScannerOptions {
            allow_single_quoted_strings,
            allow_hexadecimal_numbers,
            allow_unary_plus_numbers,
            allow_bare_decimal_point_numbers,
            allow_non_finite_numbers,
            allow_extended_string_escapes,
        };
        let nodes = Nodes { count: 0, limits, source };
        let mut strict = Strict { scanner: Scanner::new(source, &options), nodes };
        let first = strict.next()?;
        let root = strict.value(first)?;
        // One root value, then nothing.
        matches!(strict.scanner.scan(), Ok(None)).then_some(root)
    }

    /// The next token; `None` at the end of the text or on a scanner error.
    fn next(&mut self) -> Option<Token<'t>> {
        self.scanner.scan().ok().flatten()
    }

    fn range(&self) -> Range {
        Range { start: self.scanner.token_start(), end: self.scanner.token_end() }
    }

    /// The value that starts with `token`. Recursion is bounded by
    /// [`check_text`].
    fn value(&mut self, token: Token<'t>) -> Option<Node> {
        let range = self.range();
        self.nodes.add(range).ok()?;
        let leaf = |text: &str, kind| Some(self.nodes.scalar(range, text, kind));
        match token {
            Token::String(text) => leaf(&text, ScalarKind::Str),
            Token::Number(literal) => leaf(literal, number_kind(literal)),
            Token::Boolean(value) => leaf(if value { "true" } else { "false" }, ScalarKind::Bool(value)),
            Token::Null => leaf("null", ScalarKind::Null),
            Token::OpenBracket => self.array(range.start),
            Token::OpenBrace => self.object(range.start),
            _ => None,
        }
    }

    fn array(&mut self, start: usize) -> Option<Node> {
        let mut items = Vec::new();
        let mut token = self.next()?;
        if token != Token::CloseBracket {
            loop {
                items.push(self.value(token)?);
                match self.next()? {
                    Token::Comma => token = self.next().filter(|t| *t != Token::CloseBracket)?,
                    Token::CloseBracket => break,
                    _ => return None,
                }
            }
        }
        Some(Node { span: Span::new(start, self.scanner.token_end()), value: Value::Seq(items) })
    }

    fn object(&mut self, start: usize) -> Option<Node> {
        let mut entries = Vec::new();
        let mut token = self.next()?;
        if token != Token::CloseBrace {
            loop {
                let Token::String(name) = token else { return None };
                let key_range = self.range();
                self.nodes.add(key_range).ok()?;
                let key = self.nodes.scalar(key_range, &name, ScalarKind::Str);
                if self.next()? != Token::Colon {
                    return None;
                }
                let first = self.next()?;
                entries.push(Entry { key, value: self.value(first)? });
                match self.next()? {
                    Token::Comma => token = self.next()?,
                    Token::CloseBrace => break,
                    _ => return None,
                }
            }
        }
        Some(Node { span: Span::new(start, self.scanner.token_end()), value: Value::Map(entries) })
    }
}

fn parse_error(text: &str, error: &ParseError) -> SyntaxError {
    let Range { start, end } = error.range();
    let end = end.min(text.len());
    let kind = error.kind().to_string();
    // jsonc-parser capitalises its messages ("Trailing commas are not allowed").
    let mut chars = kind.chars();
    let kind = chars.next().map(|c| c.to_lowercase().chain(chars).collect()).unwrap_or(kind);
    let span = Span::new(start.min(end), end);
    // "unexpected token" alone leaves the reader to spot it (`NaN`, `True`).
    let token = if kind == "unexpected token" { token_text(&text[span.start()..span.end()]) } else { None };
    let message = match token {
        Some(token) => format!("invalid JSON: unexpected token {token}"),
        None => format!("invalid JSON: {kind}"),
    };
    SyntaxError::new(span, message)
}

/// A token as a message quotes it: a word as written, a character that
/// does not show (a NUL, a second byte order mark) by its code point.
fn token_text(token: &str) -> Option<String> {
    let mut chars = token.chars();
    match (chars.next()?, chars.next()) {
        (c, None) if c.is_control() || c.is_whitespace() || c == '\u{feff}' => {
            Some(format!("U+{:04X}", u32::from(c)))
        }
        _ if token.chars().any(|c| c.is_control()) => None,
        // A run of letters can be the rest of a minified line.
        _ => Some(format!("`{}`", shortened(token, TOKEN_SHOWN))),
    }
}

/// The most characters of an unexpected token a message quotes.
const TOKEN_SHOWN: usize = 40;

/// Calls `between(offset, byte)` for every byte outside strings (their
/// quotes included) and `control(offset)` for every control character inside
/// one; stops at the first error. Most of a snapshot's bytes are in strings,
/// so those are skipped to the next quote or backslash a run at a time.
fn scan(
    text: &str,
    mut between: impl FnMut(usize, u8) -> Result<(), SyntaxError>,
    mut control: impl FnMut(usize) -> Result<(), SyntaxError>,
) -> Result<(), SyntaxError> {
    let bytes = text.as_bytes();
    let mut controls = |from: usize, to: usize| match bytes[from..to].iter().position(|&b| b < 0x20) {
        Some(at) => control(from + at),
        None => Ok(()),
    };
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        between(i, byte)?;
        i += 1;
        if byte != b'"' {
            continue;
        }
        // Inside a string, up to its closing quote (or the end of the text).
        loop {
            let Some(run) = memchr::memchr2(b'"', b'\\', &bytes[i..]) else {
                return controls(i, bytes.len());
            };
            controls(i, i + run)?;
            i += run;
            if bytes[i] == b'"' {
                break;
            }
            // A backslash: the byte it escapes is still inside the string.
            let escaped_end = (i + 2).min(bytes.len());
            controls(i + 1, escaped_end)?;
            i = escaped_end;
        }
        between(i, b'"')?;
        i += 1;
    }
    Ok(())
}

/// One pass over the text before it is parsed. Nesting deeper than the
/// limit is an error at once: jsonc-parser recurses once per level (it
/// stops itself at 512), so checking first keeps deep input off the stack
/// and reports our own limit. What jsonc-parser accepts beyond RFC 8259
/// whatever the options (raw control characters inside strings, other
/// whitespace such as a vertical tab, a form feed or any Unicode space
/// between tokens) is the inner error, reported once the text has parsed: a
/// syntax error comes first.
fn check_text(text: &str, limits: &Limits) -> Result<Result<(), SyntaxError>, SyntaxError> {
    #[derive(Clone, Copy)]
    enum Stray {
        Between,
        InString,
    }
    let first: Cell<Option<(usize, Stray)>> = Cell::new(None);
    let stray = |offset: usize, kind: Stray| first.set(first.get().or(Some((offset, kind))));
    let mut depth = 0usize;
    let between = |offset: usize, byte: u8| {
        match byte {
            b'[' | b'{' => depth += 1,
            b']' | b'}' => depth = depth.saturating_sub(1),
            b'\t' | b'\n' | b'\r' | 0x20..0x80 => {}
            _ => stray(offset, Stray::Between),
        }
        if depth > limits.max_depth {
            return Err(SyntaxError::new(Span::new(offset, offset + 1), limits.too_deep()));
        }
        Ok(())
    };
    let control = |offset: usize| {
        stray(offset, Stray::InString);
        Ok(())
    };
    scan(text, between, control)?;
    let Some((offset, kind)) = first.get() else { return Ok(Ok(())) };
    let c = text.get(offset..).and_then(|rest| rest.chars().next()).unwrap_or_default();
    let (what, where_, span) = match kind {
        Stray::Between => (
            "character",
            "between values: only spaces, tabs and line breaks are allowed",
            Span::new(offset, offset + c.len_utf8()),
        ),
        Stray::InString => {
            ("control character", "inside a string: write it escaped", Span::new(offset, offset + 1))
        }
    };
    let message = format!("invalid JSON: {what} U+{:04X} {where_}", u32::from(c));
    Ok(Err(SyntaxError::new(span, message)))
}

/// Makes the tree's nodes from the file's text, and counts them against
/// [`Limits::max_nodes`]: keys and values, as the YAML parser counts them.
struct Nodes<'l> {
    count: usize,
    limits: &'l Limits,
    source: &'l Arc<String>,
}

impl Nodes<'_> {
    /// A scalar reading `text`: a slice of the file's text unless escapes
    /// made it differ.
    fn scalar(&self, range: Range, text: &str, kind: ScalarKind) -> Node {
        let span = span(range);
        Node { span, value: Value::Scalar(Scalar { text: Text::within(self.source, span, text), kind }) }
    }

    fn add(&mut self, range: Range) -> Result<(), SyntaxError> {
        self.count += 1;
        if self.count > self.limits.max_nodes {
            // The node's first character: a collection's span is the whole of it.
            let span = Span::new(range.start, range.start + 1);
            return Err(SyntaxError::new(span, self.limits.too_many_nodes()));
        }
        Ok(())
    }
}

/// Recursion is bounded by [`check_text`].
fn convert(value: ast::Value, nodes: &mut Nodes) -> Result<Node, SyntaxError> {
    nodes.add(value.range())?;
    Ok(match value {
        ast::Value::StringLit(s) => nodes.scalar(s.range, &s.value, ScalarKind::Str),
        ast::Value::NumberLit(n) => nodes.scalar(n.range, n.value, number_kind(n.value)),
        ast::Value::BooleanLit(b) => {
            nodes.scalar(b.range, if b.value { "true" } else { "false" }, ScalarKind::Bool(b.value))
        }
        ast::Value::NullKeyword(n) => nodes.scalar(n.range, "null", ScalarKind::Null),
        ast::Value::Array(array) => {
            let items =
                array.elements.into_iter().map(|item| convert(item, nodes)).collect::<Result<_, _>>()?;
            Node { span: span(array.range), value: Value::Seq(items) }
        }
        ast::Value::Object(object) => {
            let mut entries = Vec::with_capacity(object.properties.len());
            for property in object.properties {
                let key = key(property.name, nodes)?;
                entries.push(Entry { key, value: convert(property.value, nodes)? });
            }
            Node { span: span(object.range), value: Value::Map(entries) }
        }
    })
}

fn key(name: ObjectPropName, nodes: &mut Nodes) -> Result<Node, SyntaxError> {
    nodes.add(name.range())?;
    Ok(match name {
        ObjectPropName::String(s) => nodes.scalar(s.range, &s.value, ScalarKind::Str),
        // Only with loose property names, which are switched off.
        ObjectPropName::Word(w) => nodes.scalar(w.range, w.value, ScalarKind::Str),
    })
}

fn span(range: Range) -> Span {
    Span::new(range.start, range.end)
}

/// An integer literal has no fraction and no exponent.
fn number_kind(literal: &str) -> ScalarKind {
    if literal.contains(['.', 'e', 'E']) { ScalarKind::Float } else { ScalarKind::Int }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::limits::DEPTH_CEILING;
    use crate::load::test_support::{self as t, at, entries, items, lc, scalar};

    fn parse_ok(text: &str) -> Node {
        t::parse_ok(parse, text)
    }

    fn parse_err(text: &str) -> SyntaxError {
        t::parse_err(parse, text)
    }

    #[test]
    fn the_scanner_path_builds_the_tree_the_ast_path_builds() {
        let limits = Limits::default();
        for text in [
            r#"{"users": [{"account_id": "a1", "email": "Bob@Contoso.com", "n": -1.5e3, "ok": true}]}"#,
            "{\"a\": {}, \"b\": [], \"c\": [[1, 2], {\"d\": null}], \"a\": false}\n",
            r#"  {"esc": "tab\there \u00e9 \"q\"", "0": 0, "neg": -0, "big": 12345678901234567890}  "#,
            r#"["top", "level", "list"]"#,
            r#""just a string""#,
            "{\"zoë\": \"ünïcode\", \"emoji\": \"\u{1F600}\"}",
        ] {
            let text = &Arc::new(text.to_string());
            let ast = parse_ast(text, &limits, Ok(())).unwrap();
            assert_eq!(Strict::build(text, &limits), Some(ast), "{text}");
        }
    }

    #[test]
    fn the_scanner_path_leaves_anything_else_to_the_ast_parser() {
        let limits = Limits::default();
        for text in [
            "",
            "   \n",
            "{\"a\": 1,}",
            "[1, 2,]",
            "{\"a\": 1 \"b\": 2}",
            "[1 2]",
            "{\"a\" 1}",
            "{a: 1}",
            "{\"a\": 1} {\"b\": 2}",
            "// note\n{}",
            "{\"a\": /* c */ 1}",
            "['single']",
            "{\"n\": 0x1F}",
            "{\"n\": +1}",
            "{\"n\": .5}",
            "{\"n\": NaN}",
            "{\"a\": tru}",
            "{\"a\": \"unterminated}",
            "{\"a\": \"bad \\x41 escape\"}",
            "[1, , 2]",
            "{,}",
            "}",
        ] {
            assert_eq!(Strict::build(&Arc::new(text.to_string()), &limits), None, "{text:?}");
        }
        let tight = Limits { max_nodes: 2, ..Limits::default() };
        assert_eq!(Strict::build(&Arc::new("[1, 2, 3]".to_string()), &tight), None);
    }

    fn source(text: &str) -> crate::source::SourceFile {
        t::source("t.json", text)
    }

    #[test]
    fn scalars_written_as_they_read_are_slices_of_the_text() {
        let text = r#"{"email": "alice@acme.com", "n": 10000, "ok": true, "none": null, "escaped": "a\tb"}"#;
        let expected = [("email", true), ("n", true), ("ok", true), ("none", true), ("escaped", false)];
        let expected = expected.map(|(key, slice)| (key.to_string(), slice));
        assert_eq!(t::values_sliced(|source| parse_source(source, &Limits::default()), text), expected);
        // Through jsonc-parser's AST, alike.
        assert_eq!(t::values_sliced(|source| parse_ast(source, &Limits::default(), Ok(())), text), expected);
    }

    #[test]
    fn keys_values_items_and_entities_have_exact_spans() {
        let text = "{\r\n  \"users\": [\r\n    {\"account_id\": \"qm:1\", \"name\": \"Zoë\"},\r\n    {\"account_id\": 10000}\r\n  ]\r\n}\r\n";
        let file = source(text);
        let root = parse_ok(text);
        assert_eq!(at(&file, root.span).1, lc(1, 1));
        assert_eq!(root.span.end(), text.trim_end().len());
        let users = &entries(&root)[0];
        assert_eq!(at(&file, users.key.span), ("\"users\"", lc(2, 3)));
        assert_eq!(at(&file, users.value.span).1, lc(2, 12));
        let first = &items(&users.value)[0];
        assert_eq!(at(&file, first.span), ("{\"account_id\": \"qm:1\", \"name\": \"Zoë\"}", lc(3, 5)));
        let name = &entries(first)[1].value;
        assert_eq!(at(&file, name.span), ("\"Zoë\"", lc(3, 36)));
        assert_eq!(scalar(name), ("Zoë", ScalarKind::Str));
        let second = &items(&users.value)[1];
        // After the two-byte 'ë' on line 3, line 4 still counts columns from 1.
        assert_eq!(at(&file, entries(second)[0].value.span), ("10000", lc(4, 20)));
        assert_eq!(scalar(&entries(second)[0].value), ("10000", ScalarKind::Int));
    }

    #[test]
    fn scalars_keep_their_literal_text() {
        let root = parse_ok(r#"[1.50, -0, 1e3, true, false, null, "a\nb\u00e9"]"#);
        let scalars: Vec<_> = items(&root).iter().map(scalar).collect();
        assert_eq!(
            scalars,
            [
                ("1.50", ScalarKind::Float),
                ("-0", ScalarKind::Int),
                ("1e3", ScalarKind::Float),
                ("true", ScalarKind::Bool(true)),
                ("false", ScalarKind::Bool(false)),
                ("null", ScalarKind::Null),
                ("a\nbé", ScalarKind::Str),
            ]
        );
    }

    #[test]
    fn duplicate_keys_are_kept_in_order() {
        let root = parse_ok(r#"{"b": 1, "a": 2, "b": 3}"#);
        let pairs: Vec<_> = entries(&root).iter().map(|e| (scalar(&e.key).0, scalar(&e.value).0)).collect();
        assert_eq!(pairs, [("b", "1"), ("a", "2"), ("b", "3")]);
        assert_eq!(entries(&root)[2].key.span, Span::new(17, 20));
    }

    #[test]
    fn extensions_are_rejected() {
        let cases = [
            ("// c\n{}", Span::new(0, 4), "invalid JSON: comments are not allowed"),
            ("{} /* c */", Span::new(3, 10), "invalid JSON: comments are not allowed"),
            ("[1,]", Span::new(2, 3), "invalid JSON: trailing commas are not allowed"),
            ("{\"a\": 1,}", Span::new(7, 8), "invalid JSON: trailing commas are not allowed"),
            ("{a: 1}", Span::new(1, 2), "invalid JSON: expected string for object property"),
            ("['x']", Span::new(1, 2), "invalid JSON: single-quoted strings are not allowed"),
            ("[0x1F]", Span::new(1, 2), "invalid JSON: hexadecimal numbers are not allowed"),
            ("[+1]", Span::new(1, 2), "invalid JSON: unary plus on numbers is not allowed"),
            (
                "[.5]",
                Span::new(1, 2),
                "invalid JSON: leading or trailing decimal points on numbers are not allowed",
            ),
            ("[NaN]", Span::new(1, 4), "invalid JSON: unexpected token `NaN`"),
            ("{\"a\": True}", Span::new(6, 10), "invalid JSON: unexpected token `True`"),
            (
                &format!("[{}]", "x".repeat(50)),
                Span::new(1, 51),
                "invalid JSON: unexpected token `xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…`",
            ),
            ("[1 2]", Span::new(2, 2), "invalid JSON: expected comma"),
            ("{} {}", Span::new(3, 4), "invalid JSON: text cannot contain more than one JSON value"),
        ];
        for (text, span, message) in cases {
            let error = parse_err(text);
            assert_eq!((error.span, error.message.as_str()), (span, message), "{text:?}");
        }
    }

    #[test]
    fn leniencies_without_an_option_are_rejected() {
        let error = parse_err("[\"a\tb\"]");
        assert_eq!(error.span, Span::new(3, 4));
        assert_eq!(error.message, "invalid JSON: control character U+0009 inside a string: write it escaped");
        let error = parse_err("{}\u{a0}");
        assert_eq!(error.span, Span::new(2, 4));
        assert!(error.message.contains("U+00A0 between values"), "{}", error.message);
        let error = parse_err("[1,\u{b}2]");
        assert_eq!(error.span, Span::new(3, 4));
        // Escaped quotes and backslashes do not end a string early.
        assert_eq!(scalar(&parse_ok(r#""a\"\\é""#)), ("a\"\\é", ScalarKind::Str));
    }

    fn check_characters(text: &str) -> Result<(), SyntaxError> {
        check_text(text, &Limits::default()).unwrap()
    }

    fn check_depth(text: &str, limits: &Limits) -> Result<(), SyntaxError> {
        check_text(text, limits).map(|_| ())
    }

    #[test]
    fn strings_are_scanned_to_their_closing_quote() {
        // An escaped byte is still inside the string: a raw control character there too.
        let error = check_characters("[\"a\\\u{1}\"]").unwrap_err();
        assert_eq!((error.span, error.message.contains("U+0001 inside a string")), (Span::new(4, 5), true));
        // An escaped quote does not end it: the tab after it is inside.
        let error = check_characters("[\"a\\\"\tb\"]").unwrap_err();
        assert_eq!((error.span, error.message.contains("U+0009 inside a string")), (Span::new(5, 6), true));
        // After the closing quote, a tab is whitespace again.
        assert!(check_characters("[\"a\\\\\",\t1]").is_ok());
        // Unterminated strings, or a backslash at the very end, end at the end.
        assert!(check_characters("\"ab\\").is_ok() && check_characters("\"ab").is_ok());
        let limits = Limits { max_depth: 1, ..Limits::default() };
        assert!(check_depth("[\"[[[\"]", &limits).is_ok() && check_depth("[\"[[[", &limits).is_ok());
        assert!(check_depth("[\"\\\"\", [1]]", &limits).is_err());
    }

    #[test]
    fn deep_nesting_is_rejected_without_overflowing_the_stack() {
        let text = "[".repeat(100_000) + &"]".repeat(100_000);
        let error = parse_err(&text);
        assert_eq!(error.span, Span::new(DEPTH_CEILING, DEPTH_CEILING + 1));
        assert!(
            error.message.starts_with(&format!("nesting deeper than {DEPTH_CEILING} levels")),
            "{}",
            error.message
        );
        // Brackets inside strings do not count; the limit itself is allowed.
        let text = "[".repeat(DEPTH_CEILING) + "\"[[[[{{{\"" + &"]".repeat(DEPTH_CEILING);
        let root = parse_ok(&text);
        let mut node = &root;
        for _ in 0..DEPTH_CEILING {
            node = &items(node)[0];
        }
        assert_eq!(scalar(node), ("[[[[{{{", ScalarKind::Str));
    }

    #[test]
    fn an_empty_file_is_an_error_at_the_start() {
        assert_eq!(parse_err(""), crate::load::empty_file());
        assert_eq!(parse_err(" \r\n\t"), crate::load::empty_file());
    }

    #[test]
    fn limits_are_configurable() {
        let limits = Limits { max_depth: 2, max_nodes: 5, ..Limits::default() };
        let error = t::parse_err(|text| parse_with(text, &limits), "{\"a\": [[1]]}");
        assert_eq!((error.span, error.message), (Span::new(7, 8), limits.too_deep()));
        // The object, 2 keys and 2 values: 5 nodes.
        assert!(parse_with("{\"a\": 1, \"b\": 2}", &limits).is_ok_and(|root| entries(&root).len() == 2));
        // The sixth node is `2`, in the list.
        let error = t::parse_err(|text| parse_with(text, &limits), "{\"a\": 1, \"b\": [2]}");
        assert_eq!((error.span, error.message), (Span::new(15, 16), limits.too_many_nodes()));
    }
}
