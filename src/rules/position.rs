//! Where a piece of an expression is in its rule file.
//!
//! A YAML scalar's value is not its source text: quotes, escapes (`\"`,
//! `''`), indentation and line folding stand between them. Errors are
//! found in the value (by CEL, or by sitelint's checks), so each of the
//! value's characters is traced back to the source text it was read from.

use super::error::RuleSource;

/// Where an expression is written: in the YAML scalar whose value is
/// `value` and whose source is the rule file's bytes `span`, at the bytes
/// `start..end` of the value (a template's expression is part of it).
#[derive(Debug, Clone, Copy)]
pub struct InFile<'a> {
    pub value: &'a str,
    pub span: (usize, usize),
    pub start: usize,
    pub end: usize,
}

impl<'a> InFile<'a> {
    /// All of the scalar's value.
    pub fn whole(value: &'a str, span: (usize, usize)) -> InFile<'a> {
        InFile { value, span, start: 0, end: value.len() }
    }

    /// The expression's text.
    pub fn text(&self) -> &'a str {
        &self.value[self.start..self.end]
    }

    /// The bytes `start..end` of the expression, within the same scalar.
    pub fn part(&self, start: usize, end: usize) -> InFile<'a> {
        InFile { start: self.start + start, end: self.start + end, ..*self }
    }

    /// Byte range in the rule file of `len` characters at `char_offset` of
    /// the expression's text (at least one character, where the text has
    /// one); the whole scalar when its source cannot be traced.
    pub fn locate(&self, source: &RuleSource, char_offset: usize, len: usize) -> (usize, usize) {
        let file = &*source.text;
        let (start, end) = (self.span.0.min(file.len()), self.span.1.min(file.len()));
        let Some(region) = file.get(start..end) else { return (start, end) };
        let text = self.text();
        let byte = |chars: usize| text.char_indices().nth(chars).map_or(text.len(), |(i, _)| i);
        let first = self.start + byte(char_offset).min(text.len().saturating_sub(1));
        let last = (self.start + byte(char_offset + len.max(1))).saturating_sub(1).max(first);
        let traced = trace(Style::of(file, start), region, self.value);
        // The characters' source, from the first's start to the last's end.
        let from = traced.iter().find(|(at, ..)| *at >= first).map(|&(_, s, _)| s);
        let to = traced.iter().rev().find(|(at, ..)| *at <= last).map(|&(_, _, e)| e);
        match (from, to) {
            (Some(from), Some(to)) if from < to => (start + from, start + to),
            _ => (start, end),
        }
    }
}

/// For each character of `value` that `region` (the scalar's source) spells,
/// in order: its byte offset in `value` and the bytes of `region` that
/// spell it. Characters the source folds from elsewhere (a line break read
/// as a space) are matched to the nearest source character like them.
fn trace(style: Style, region: &str, value: &str) -> Vec<(usize, usize, usize)> {
    let mut at = match style {
        Style::Double | Style::Single => 1,
        Style::Block | Style::Plain => 0,
    };
    let mut traced = Vec::with_capacity(value.len());
    'chars: for (offset, c) in value.char_indices() {
        while at < region.len() {
            let (spelled, width) = style.unit(&region[at..]);
            at += width;
            if spelled == Some(c) {
                traced.push((offset, at - width, at));
                continue 'chars;
            }
        }
        break;
    }
    traced
}

#[derive(Clone, Copy)]
enum Style {
    Plain,
    Single,
    Double,
    Block,
}

impl Style {
    /// How the scalar starting at byte `start` of `file` is written. A
    /// block scalar's span starts at its content, on the line after its
    /// header (`|`, `>-`, `!!str |`), which only that line tells: its
    /// content may itself start with a quote, `|` or `>`.
    fn of(file: &str, start: usize) -> Style {
        let line_start = file[..start].rfind('\n').map_or(0, |i| i + 1);
        let at_indentation = file[line_start..start].bytes().all(|b| b == b' ' || b == b'\t');
        let header = file[..line_start]
            .lines()
            .rev()
            .find(|line| !line.trim().is_empty())
            .map(|line| line.split(" #").next().unwrap_or(line).trim_end());
        let block = at_indentation
            && header.and_then(|h| h.rsplit([' ', ':', '-']).next()).is_some_and(|last| {
                last.starts_with(['|', '>'])
                    && last[1..].bytes().all(|b| b.is_ascii_digit() || b == b'+' || b == b'-')
            });
        if block {
            return Style::Block;
        }
        match file.as_bytes().get(start) {
            Some(b'"') => Style::Double,
            Some(b'\'') => Style::Single,
            _ => Style::Plain,
        }
    }

    /// The character the source at the start of `rest` spells (none for a
    /// line continuation), and how many bytes spell it.
    fn unit(self, rest: &str) -> (Option<char>, usize) {
        let mut chars = rest.chars();
        let Some(c) = chars.next() else { return (None, 0) };
        match (self, c) {
            (Style::Single, '\'') if rest.starts_with("''") => (Some('\''), 2),
            (Style::Double, '\\') => match chars.next() {
                Some(e @ ('x' | 'u' | 'U')) => {
                    let digits = match e {
                        'x' => 2,
                        'u' => 4,
                        _ => 8,
                    };
                    let hex = rest.get(2..2 + digits).unwrap_or("");
                    let spelled = u32::from_str_radix(hex, 16).ok().and_then(char::from_u32);
                    (spelled, 2 + hex.len())
                }
                Some(e) => (double_escape(e), 1 + e.len_utf8()),
                None => (None, 1),
            },
            _ => (Some(c), c.len_utf8()),
        }
    }
}

/// The character a double-quoted YAML scalar's `\e` stands for; none for an
/// escaped line break (a continuation).
fn double_escape(e: char) -> Option<char> {
    Some(match e {
        '0' => '\0',
        'a' => '\x07',
        'b' => '\x08',
        't' | '\t' => '\t',
        'n' => '\n',
        'v' => '\x0b',
        'f' => '\x0c',
        'r' => '\r',
        'e' => '\x1b',
        'N' => '\u{85}',
        '_' => '\u{a0}',
        'L' => '\u{2028}',
        'P' => '\u{2029}',
        '\n' | '\r' => return None,
        other => other,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rule-file text a located range covers. The scalar starts after
    /// `: `, or for a block scalar (as serde-saphyr spans it) at its content.
    fn located(file: &str, value: &str, char_offset: usize, len: usize) -> String {
        let source = RuleSource { name: "r.yaml".into(), text: file.into() };
        let start = file.find(": ").unwrap() + 2;
        let start = if file[start..].starts_with(['|', '>']) {
            file[start..].find('\n').unwrap() + start + 1
        } else {
            start
        };
        let at = InFile::whole(value, (start, file.len()));
        let (from, to) = at.locate(&source, char_offset, len);
        file[from..to].to_string()
    }

    #[test]
    fn characters_are_traced_through_quotes_escapes_and_folding() {
        let value = "item.name == \"ééé\" && item.emial";
        let at = value.find("emial").unwrap();
        let chars = value[..at].chars().count();
        // Plain, and with characters of several bytes before.
        assert_eq!(located(&format!("when: {value}"), value, chars, 5), "emial");
        // Double-quoted, with escaped quotes before.
        let double = "when: \"item.name == \\\"ééé\\\" && item.emial\"";
        assert_eq!(located(double, value, chars, 5), "emial");
        // The second `&&`, not the first.
        let value = "a == \"x\" && && b";
        let double = "when: \"a == \\\"x\\\" && && b\"";
        assert_eq!(located(double, value, 12, 2), "&&");
        assert_eq!(located(double, value, 12, 3).len(), 3);
        // Single-quoted, with doubled quotes before.
        let value = "item.active && item.name == 'a' 'b'";
        let single = "when: 'item.active && item.name == ''a'' ''b'''";
        assert_eq!(located(single, value, 32, 3), "''b''");
        // A folded block scalar: line breaks read as spaces.
        let value = "item.active &&\nitem.emial";
        let block = "when: |\n  item.active &&\n  item.emial\n";
        assert_eq!(located(block, value, 15, 10), "item.emial");
        let folded = "when: >-\n  item.active &&\n  item.emial";
        assert_eq!(located(folded, "item.active && item.emial", 15, 10), "item.emial");
        // Block scalars whose content starts with a quote, `>` or `|`.
        let value = "\"x\" == item.emial\n";
        assert_eq!(located("when: |\n  \"x\" == item.emial\n", value, 12, 5), "emial");
        // The first `nmae`, on the block's second line, not its third.
        let value = ">\nx > y {{ item.nmae }} z\nx > y {{ item.nmae }} z\n";
        let file = "message: |\n  >\n  x > y {{ item.nmae }} z\n  x > y {{ item.nmae }} z\n";
        let source = RuleSource { name: "r.yaml".into(), text: file.into() };
        let at = InFile::whole(value, (file.find("  >").unwrap(), file.len()));
        assert_eq!(at.locate(&source, value.find("nmae").unwrap(), 4).0, file.find("nmae").unwrap());
        let value = "'x' == item.emial";
        assert_eq!(located("when: !!str >- # a comment\n  'x' == item.emial", value, 12, 5), "emial");
        // An empty expression: the whole scalar.
        assert_eq!(located("when: \"\"", "", 0, 1), "\"\"");
        // An escape by code point.
        let value = "x == \"é\" && y.z";
        let double = "when: \"x == \\\"\\u00e9\\\" && y.z\"";
        assert_eq!(located(double, value, 14, 1), "z");
    }
}
