//! Writing snapshot files, YAML or JSON, one entity at a time.
//!
//! An entity (a user, a project, an organization with its members) is built
//! as a small [`V`] tree and written at once; list sections are streamed
//! item by item through a [`Writer`], so the site is never held in memory.

use std::borrow::Cow;
use std::io::{self, Write};

use super::Format;

/// A value to write.
#[derive(Debug, Clone)]
pub(crate) enum V {
    /// A string, quoted in YAML only when a plain scalar would change it.
    S(String),
    /// A string always quoted in YAML (account ids, ids that look numeric).
    Q(String),
    Int(u64),
    Bool(bool),
    List(Vec<V>),
    Map(Vec<(Cow<'static, str>, V)>),
    /// Written on one line: a YAML flow collection, a one-line JSON value.
    Flow(Box<V>),
}

impl V {
    pub(crate) fn s(text: impl Into<String>) -> V {
        V::S(text.into())
    }

    pub(crate) fn q(text: impl Into<String>) -> V {
        V::Q(text.into())
    }

    pub(crate) fn flow(self) -> V {
        V::Flow(Box::new(self))
    }

    pub(crate) fn strs<I: IntoIterator<Item = String>>(items: I) -> V {
        V::List(items.into_iter().map(V::S).collect())
    }
}

/// A mapping with its keys in the order given.
#[derive(Debug, Default)]
pub(crate) struct M(Vec<(Cow<'static, str>, V)>);

impl M {
    pub(crate) fn new() -> M {
        M(Vec::new())
    }

    pub(crate) fn with(mut self, key: impl Into<Cow<'static, str>>, value: V) -> M {
        self.0.push((key.into(), value));
        self
    }

    pub(crate) fn push(&mut self, key: impl Into<Cow<'static, str>>, value: V) {
        self.0.push((key.into(), value));
    }

    pub(crate) fn v(self) -> V {
        V::Map(self.0)
    }
}

/// One snapshot file: a top-level mapping whose list sections are
/// streamed.
pub(crate) struct Writer<W: Write> {
    out: W,
    format: Format,
    /// Sections written so far (JSON needs commas between them).
    sections: usize,
    /// In a streamed list: its key, and how many items were written.
    list: Option<(&'static str, usize)>,
}

impl<W: Write> Writer<W> {
    /// Starts a file; `comment` heads a YAML file (JSON has no comments).
    pub(crate) fn new(mut out: W, format: Format, comment: &str) -> io::Result<Writer<W>> {
        match format {
            Format::Yaml => writeln!(out, "# {comment}")?,
            Format::Json => out.write_all(b"{")?,
        }
        Ok(Writer { out, format, sections: 0, list: None })
    }

    /// A whole section: `key: value`.
    pub(crate) fn section(&mut self, key: &str, value: &V) -> io::Result<()> {
        self.end_list()?;
        match self.format {
            Format::Yaml => {
                yaml_key(&mut self.out, key)?;
                yaml_block(&mut self.out, value, 2)?;
            }
            Format::Json => {
                self.json_section_key(key)?;
                json_pretty(&mut self.out, value, 2)?;
            }
        }
        self.sections += 1;
        Ok(())
    }

    /// Starts a list section streamed with [`Writer::item`].
    pub(crate) fn begin_list(&mut self, key: &'static str) -> io::Result<()> {
        self.end_list()?;
        self.list = Some((key, 0));
        Ok(())
    }

    pub(crate) fn item(&mut self, value: &V) -> io::Result<()> {
        let Some((key, count)) = self.list.as_mut() else {
            return Err(io::Error::other("item written outside a list section"));
        };
        let key: &'static str = key;
        let first = *count == 0;
        *count += 1;
        match self.format {
            Format::Yaml => {
                if first {
                    yaml_key(&mut self.out, key)?;
                    self.out.write_all(b"\n")?;
                }
                self.out.write_all(b"  - ")?;
                yaml_item(&mut self.out, value, 4)?;
            }
            Format::Json => {
                if first {
                    self.json_section_key(key)?;
                    self.out.write_all(b"[\n    ")?;
                } else {
                    self.out.write_all(b",\n    ")?;
                }
                json_pretty(&mut self.out, value, 4)?;
            }
        }
        Ok(())
    }

    fn end_list(&mut self) -> io::Result<()> {
        let Some((key, count)) = self.list.take() else {
            return Ok(());
        };
        match (self.format, count) {
            (Format::Yaml, 0) => {
                yaml_key(&mut self.out, key)?;
                self.out.write_all(b" []\n")?;
            }
            (Format::Yaml, _) => {}
            (Format::Json, 0) => {
                self.json_section_key(key)?;
                self.out.write_all(b"[]")?;
            }
            (Format::Json, _) => self.out.write_all(b"\n  ]")?,
        }
        self.sections += 1;
        Ok(())
    }

    fn json_section_key(&mut self, key: &str) -> io::Result<()> {
        self.out.write_all(if self.sections == 0 { b"\n  " } else { b",\n  " })?;
        json_string(&mut self.out, key)?;
        self.out.write_all(b": ")
    }

    /// Ends the file and hands back the output (to flush it).
    pub(crate) fn finish(mut self) -> io::Result<W> {
        self.end_list()?;
        if self.format == Format::Json {
            self.out.write_all(b"\n}\n")?;
        }
        Ok(self.out)
    }
}

// ---- YAML ----

fn pad(out: &mut impl Write, indent: usize) -> io::Result<()> {
    const SPACES: &[u8] = &[b' '; 64];
    let mut left = indent;
    while left > 0 {
        let n = left.min(SPACES.len());
        out.write_all(&SPACES[..n])?;
        left -= n;
    }
    Ok(())
}

fn yaml_key(out: &mut impl Write, key: &str) -> io::Result<()> {
    yaml_string(out, key, false)?;
    out.write_all(b":")
}

/// A value after `key:`; nested block content is indented by `indent`.
fn yaml_block(out: &mut impl Write, value: &V, indent: usize) -> io::Result<()> {
    match value {
        V::List(items) if items.is_empty() => out.write_all(b" []\n"),
        V::Map(entries) if entries.is_empty() => out.write_all(b" {}\n"),
        V::List(items) => {
            out.write_all(b"\n")?;
            for item in items {
                pad(out, indent)?;
                out.write_all(b"- ")?;
                yaml_item(out, item, indent + 2)?;
            }
            Ok(())
        }
        V::Map(entries) => {
            out.write_all(b"\n")?;
            for (key, value) in entries {
                pad(out, indent)?;
                yaml_key(out, key)?;
                yaml_block(out, value, indent + 2)?;
            }
            Ok(())
        }
        V::Flow(inner) => {
            out.write_all(b" ")?;
            yaml_flow(out, inner)?;
            out.write_all(b"\n")
        }
        scalar => {
            out.write_all(b" ")?;
            yaml_scalar(out, scalar)?;
            out.write_all(b"\n")
        }
    }
}

/// A list item after `- `, at column `indent`.
fn yaml_item(out: &mut impl Write, value: &V, indent: usize) -> io::Result<()> {
    match value {
        V::Map(entries) if !entries.is_empty() => {
            for (i, (key, value)) in entries.iter().enumerate() {
                if i > 0 {
                    pad(out, indent)?;
                }
                yaml_key(out, key)?;
                yaml_block(out, value, indent + 2)?;
            }
            Ok(())
        }
        V::Flow(inner) => {
            yaml_flow(out, inner)?;
            out.write_all(b"\n")
        }
        other => {
            yaml_flow(out, other)?;
            out.write_all(b"\n")
        }
    }
}

fn yaml_flow(out: &mut impl Write, value: &V) -> io::Result<()> {
    match value {
        V::List(items) => {
            out.write_all(b"[")?;
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.write_all(b", ")?;
                }
                yaml_flow(out, item)?;
            }
            out.write_all(b"]")
        }
        V::Map(entries) if entries.is_empty() => out.write_all(b"{}"),
        V::Map(entries) => {
            out.write_all(b"{ ")?;
            for (i, (key, value)) in entries.iter().enumerate() {
                if i > 0 {
                    out.write_all(b", ")?;
                }
                yaml_key(out, key)?;
                out.write_all(b" ")?;
                yaml_flow(out, value)?;
            }
            out.write_all(b" }")
        }
        V::Flow(inner) => yaml_flow(out, inner),
        scalar => yaml_scalar(out, scalar),
    }
}

fn yaml_scalar(out: &mut impl Write, value: &V) -> io::Result<()> {
    match value {
        V::S(text) => yaml_string(out, text, false),
        V::Q(text) => yaml_string(out, text, true),
        V::Int(n) => write!(out, "{n}"),
        V::Bool(b) => write!(out, "{b}"),
        _ => yaml_flow(out, value),
    }
}

fn yaml_string(out: &mut impl Write, text: &str, quote: bool) -> io::Result<()> {
    if !quote && plain_is_safe(text) {
        return out.write_all(text.as_bytes());
    }
    out.write_all(b"\"")?;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        let escaped: Option<&[u8]> = match c {
            '"' => Some(b"\\\""),
            '\\' => Some(b"\\\\"),
            '\n' => Some(b"\\n"),
            '\t' => Some(b"\\t"),
            _ => None,
        };
        if let Some(escaped) = escaped {
            out.write_all(&text.as_bytes()[start..i])?;
            out.write_all(escaped)?;
            start = i + c.len_utf8();
        }
    }
    out.write_all(&text.as_bytes()[start..])?;
    out.write_all(b"\"")
}

/// Whether `text` reads back as the same string when written plain, in
/// block and flow context alike. Conservative: anything unusual is quoted.
fn plain_is_safe(text: &str) -> bool {
    let Some(first) = text.chars().next() else {
        return false;
    };
    first.is_alphabetic()
        && !text.ends_with(' ')
        && !text.chars().any(|c| c.is_control() || ":#,[]{}&*!|>'\"%`\\?".contains(c))
        && !matches!(
            text.to_ascii_lowercase().as_str(),
            "true" | "false" | "null" | "yes" | "no" | "on" | "off"
        )
}

// ---- JSON ----

fn json_pretty(out: &mut impl Write, value: &V, indent: usize) -> io::Result<()> {
    match value {
        V::List(items) if items.is_empty() => out.write_all(b"[]"),
        V::Map(entries) if entries.is_empty() => out.write_all(b"{}"),
        V::List(items) => {
            out.write_all(b"[")?;
            for (i, item) in items.iter().enumerate() {
                out.write_all(if i == 0 { b"\n" } else { b",\n" })?;
                pad(out, indent + 2)?;
                json_pretty(out, item, indent + 2)?;
            }
            out.write_all(b"\n")?;
            pad(out, indent)?;
            out.write_all(b"]")
        }
        V::Map(entries) => {
            out.write_all(b"{")?;
            for (i, (key, value)) in entries.iter().enumerate() {
                out.write_all(if i == 0 { b"\n" } else { b",\n" })?;
                pad(out, indent + 2)?;
                json_string(out, key)?;
                out.write_all(b": ")?;
                json_pretty(out, value, indent + 2)?;
            }
            out.write_all(b"\n")?;
            pad(out, indent)?;
            out.write_all(b"}")
        }
        V::Flow(inner) => json_flow(out, inner),
        scalar => json_flow(out, scalar),
    }
}

fn json_flow(out: &mut impl Write, value: &V) -> io::Result<()> {
    match value {
        V::S(text) | V::Q(text) => json_string(out, text),
        V::Int(n) => write!(out, "{n}"),
        V::Bool(b) => write!(out, "{b}"),
        V::List(items) => {
            out.write_all(b"[")?;
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.write_all(b", ")?;
                }
                json_flow(out, item)?;
            }
            out.write_all(b"]")
        }
        V::Map(entries) => {
            out.write_all(b"{")?;
            for (i, (key, value)) in entries.iter().enumerate() {
                if i > 0 {
                    out.write_all(b", ")?;
                }
                json_string(out, key)?;
                out.write_all(b": ")?;
                json_flow(out, value)?;
            }
            out.write_all(b"}")
        }
        V::Flow(inner) => json_flow(out, inner),
    }
}

fn json_string(out: &mut impl Write, text: &str) -> io::Result<()> {
    out.write_all(b"\"")?;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        let escaped: Option<Cow<'static, [u8]>> = match c {
            '"' => Some(Cow::Borrowed(b"\\\"")),
            '\\' => Some(Cow::Borrowed(b"\\\\")),
            '\n' => Some(Cow::Borrowed(b"\\n")),
            '\t' => Some(Cow::Borrowed(b"\\t")),
            c if c.is_control() => Some(Cow::Owned(format!("\\u{:04x}", c as u32).into_bytes())),
            _ => None,
        };
        if let Some(escaped) = escaped {
            out.write_all(&text.as_bytes()[start..i])?;
            out.write_all(&escaped)?;
            start = i + c.len_utf8();
        }
    }
    out.write_all(&text.as_bytes()[start..])?;
    out.write_all(b"\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(format: Format, build: impl FnOnce(&mut Writer<&mut Vec<u8>>) -> io::Result<()>) -> String {
        let mut bytes = Vec::new();
        let mut writer = Writer::new(&mut bytes, format, "test").unwrap();
        build(&mut writer).unwrap();
        writer.finish().unwrap();
        String::from_utf8(bytes).unwrap()
    }

    fn sample() -> V {
        M::new()
            .with("account_id", V::q("712020:abc"))
            .with("name", V::s("Zoë O'Brien"))
            .with("roles", M::new().with("jira-servicemanagement", V::s("customer")).v())
            .with("groups", V::strs(["a".to_string(), "b c".to_string()]))
            .with(
                "grant",
                M::new().with("type", V::s("projectRole")).with("parameter", V::Int(10100)).v().flow(),
            )
            .v()
    }

    #[test]
    fn yaml_streams_block_style() {
        let text = render(Format::Yaml, |w| {
            w.section("format", &V::Int(1))?;
            w.begin_list("users")?;
            w.item(&sample())?;
            w.begin_list("groups")
        });
        assert_eq!(
            text,
            "# test\nformat: 1\nusers:\n  - account_id: \"712020:abc\"\n    name: \"Zoë O'Brien\"\n    \
             roles:\n      jira-servicemanagement: customer\n    groups:\n      - a\n      - b c\n    \
             grant: { type: projectRole, parameter: 10100 }\ngroups: []\n"
        );
    }

    #[test]
    fn json_is_one_pretty_document() {
        let text = render(Format::Json, |w| {
            w.section("format", &V::Int(1))?;
            w.begin_list("users")?;
            w.item(&sample())?;
            w.item(&V::s("x"))?;
            w.begin_list("groups")
        });
        let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed["users"][0]["name"], "Zoë O'Brien");
        assert_eq!(parsed["users"][0]["grant"]["parameter"], 10100);
        assert_eq!(parsed["groups"], serde_json::json!([]));
        assert!(text.contains("\"grant\": {\"type\": \"projectRole\", \"parameter\": 10100}"));
    }

    #[test]
    fn risky_plain_scalars_are_quoted() {
        for text in ["", "true", "No", "1042", "a: b", "#x", "x #y", "-a", "[a]", "https://x", "a,b"] {
            assert!(!plain_is_safe(text), "{text}");
        }
        for text in ["alice.ng@acme.com", "Service Desk Team", "jira-servicemanagement", "Zoë"] {
            assert!(plain_is_safe(text), "{text}");
        }
    }
}
