//! Writing YAML scalars by hand. A string is written plain only when every
//! YAML reader, 1.2 or 1.1, reads it back as that same string; anything else
//! is double-quoted with escapes. Plain scalars never hold flow indicators
//! (`,[]{}`), so they are safe inside `{ ... }` too.

use std::fmt::Write;

/// Words a YAML 1.1 or 1.2 reader turns into a null or a boolean.
const RESERVED: &[&str] = &["null", "true", "false", "yes", "no", "on", "off", "y", "n"];

/// A string value or key: plain when that is unambiguous, else quoted.
pub fn scalar(text: &str) -> String {
    if is_plain_safe(text) { text.to_string() } else { quoted(text) }
}

/// An identifier: plain when it is only digits (a REST numeric id, which
/// the snapshot compares as text anyway), else quoted.
pub fn id(text: &str) -> String {
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) { text.to_string() } else { quoted(text) }
}

/// Always double-quoted: account ids (`qm:…`, `712020:…`) hold colons, and
/// quoting every one keeps them strings whatever they look like.
pub fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            // Control characters, the BOM and Unicode line breaks are not
            // allowed (or not kept) raw in a quoted scalar.
            c if c.is_control() || matches!(c, '\u{feff}' | '\u{2028}' | '\u{2029}') => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Text for a `#` comment: one line, whatever the input held.
pub fn comment(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

/// Plain only when the text starts with a letter (so it is no number, no
/// indicator and no `.inf`), holds only letters, digits and a few inner
/// punctuation marks (no `:` or `#`, so never `: ` or ` #`), does not end in
/// a space and is no reserved word.
fn is_plain_safe(text: &str) -> bool {
    let Some(first) = text.chars().next() else { return false };
    first.is_alphabetic()
        && !text.ends_with(' ')
        && !RESERVED.iter().any(|word| word.eq_ignore_ascii_case(text))
        && text.chars().all(|c| {
            c.is_alphanumeric() || matches!(c, ' ' | '_' | '-' | '.' | '/' | '@' | '+' | '(' | ')' | '\'')
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::{ScalarKind, Value};

    /// What the snapshot loader reads back for `value: <written>`.
    fn read_back(written: &str) -> (String, ScalarKind) {
        let text = format!("value: {written}\nflow: {{ value: {written} }}\n");
        let root = crate::load::yaml::parse(&text).unwrap_or_else(|e| panic!("{text}: {e:?}"));
        let Value::Map(entries) = root.value else { panic!("not a mapping: {text}") };
        let block = entries[0].value.as_scalar().expect("scalar").clone();
        let Value::Map(flow) = &entries[1].value.value else { panic!("flow is not a mapping: {text}") };
        let in_flow = flow[0].value.as_scalar().expect("scalar").clone();
        assert_eq!((&block.text, block.kind), (&in_flow.text, in_flow.kind), "{text}");
        (block.text.to_string(), block.kind)
    }

    #[test]
    fn every_string_reads_back_as_itself() {
        let cases = [
            "Alice Ng",
            "alice.ng@acme.com",
            "Priya.Shah@Contoso.com",
            "qm:a3b4c5d6-e7f8-4a9b-8c0d-1e2f3a4b5c6d:7e8f9a0b",
            "712020:3f8e2a41-6c0d-4b7e-9a15-2d4c8b1e7f03",
            "5b10a2844c20165700ede21g",
            "10000",
            "-1",
            "1e3",
            "0x1F",
            ".inf",
            "true",
            "Yes",
            "NO",
            "off",
            "y",
            "null",
            "~",
            "",
            " leading",
            "trailing ",
            "a: b",
            "a #b",
            "#comment",
            "Copy of HR, confidential",
            "[x]",
            "{y}",
            "@handle",
            "`tick`",
            "it's",
            "'quoted'",
            "\"double\"",
            "back\\slash",
            "line\nbreak",
            "tab\there",
            "bom\u{feff}",
            "Zoë Ørsted",
            "東京チーム",
            "- dash",
            "? question",
            "| pipe",
            "> fold",
            "%percent",
            "!tag",
            "&anchor",
            "*alias",
            "Service Desk Team",
            "sd.customer.portal.only",
        ];
        for case in cases {
            let written = scalar(case);
            let (text, kind) = read_back(&written);
            assert_eq!(text, case, "written as {written}");
            assert_eq!(kind, ScalarKind::Str, "{case:?} written as {written}");
        }
    }

    #[test]
    fn account_ids_are_always_quoted_and_numeric_ids_plain() {
        assert_eq!(quoted("712020:abc"), "\"712020:abc\"");
        assert_eq!(quoted("plain"), "\"plain\"");
        assert_eq!(id("10000"), "10000");
        assert_eq!(id("1"), "1");
        assert_eq!(id("x1"), "\"x1\"");
        assert_eq!(id(""), "\"\"");
        assert_eq!(read_back(&id("10000")), ("10000".to_string(), ScalarKind::Int));
    }

    #[test]
    fn plain_where_readable() {
        assert_eq!(scalar("alice.ng@acme.com"), "alice.ng@acme.com");
        assert_eq!(scalar("Service Desk Team"), "Service Desk Team");
        assert_eq!(scalar("yes"), "\"yes\"");
        assert_eq!(scalar("a: b"), "\"a: b\"");
    }

    #[test]
    fn comments_stay_on_one_line() {
        assert_eq!(comment("a\nb\r\tc"), "a b  c");
    }
}
