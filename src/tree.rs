//! The project-owned spanned tree every snapshot file is parsed into, whether
//! it was YAML or JSON. It keeps what the model needs to report precisely:
//! byte spans for every key and value, mapping entries in source order with
//! duplicate keys kept (so they can be reported), and how each scalar was
//! written.

use crate::shared::Text;
use crate::source::Span;

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub span: Span,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Scalar(Scalar),
    Seq(Vec<Node>),
    /// Entries in source order; a key written twice appears twice.
    Map(Vec<Entry>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: Node,
    pub value: Node,
}

/// A scalar as written. `text` is the source text for plain (unquoted) YAML
/// scalars and JSON numbers/literals, and the decoded content for quoted
/// strings, so `id: 10000` and `id: "10000"` both read as `10000`. The
/// text is a slice of the file's where it reads as written.
#[derive(Debug, Clone, PartialEq)]
pub struct Scalar {
    pub text: Text,
    pub kind: ScalarKind,
}

/// What a scalar resolves to under the YAML 1.2 core schema (or JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarKind {
    Null,
    Bool(bool),
    Int,
    Float,
    /// A string: quoted, block, or a plain scalar that is no other kind.
    Str,
}

impl Node {
    /// This node and every node below it, keys included, in no particular
    /// order; without recursion, so any depth is safe.
    pub fn descendants(&self) -> Vec<&Node> {
        let (mut all, mut stack) = (Vec::new(), vec![self]);
        while let Some(node) = stack.pop() {
            all.push(node);
            match &node.value {
                Value::Scalar(_) => {}
                Value::Seq(items) => stack.extend(items),
                Value::Map(entries) => stack.extend(entries.iter().flat_map(|e| [&e.key, &e.value])),
            }
        }
        all
    }

    pub fn kind_name(&self) -> &'static str {
        match &self.value {
            Value::Scalar(s) => match s.kind {
                ScalarKind::Null => "null",
                ScalarKind::Bool(_) => "boolean",
                ScalarKind::Int => "integer",
                ScalarKind::Float => "number",
                ScalarKind::Str => "string",
            },
            Value::Seq(_) => "list",
            Value::Map(_) => "mapping",
        }
    }

    pub fn as_scalar(&self) -> Option<&Scalar> {
        match &self.value {
            Value::Scalar(s) => Some(s),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(&self.value, Value::Scalar(Scalar { kind: ScalarKind::Null, .. }))
    }
}

impl ScalarKind {
    /// Resolves a plain (unquoted) YAML scalar under the YAML 1.2 core schema.
    pub fn of_plain_yaml(text: &str) -> ScalarKind {
        // Most plain scalars are keys, names and emails: a letter that starts
        // none of the words below can only begin a string.
        if text.as_bytes().first().is_some_and(|b| b.is_ascii_alphabetic() && !b"nNtTfF".contains(b)) {
            return ScalarKind::Str;
        }
        match text {
            "" | "~" | "null" | "Null" | "NULL" => return ScalarKind::Null,
            "true" | "True" | "TRUE" => return ScalarKind::Bool(true),
            "false" | "False" | "FALSE" => return ScalarKind::Bool(false),
            ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" | "-.inf" | "-.Inf" | "-.INF" | ".nan"
            | ".NaN" | ".NAN" => return ScalarKind::Float,
            _ => {}
        }
        let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
        let is_int = (!unsigned.is_empty() && unsigned.bytes().all(|b| b.is_ascii_digit()))
            || text
                .strip_prefix("0x")
                .is_some_and(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_hexdigit()))
            || text
                .strip_prefix("0o")
                .is_some_and(|o| !o.is_empty() && o.bytes().all(|b| (b'0'..=b'7').contains(&b)));
        if is_int {
            ScalarKind::Int
        } else if is_core_float(unsigned) {
            ScalarKind::Float
        } else {
            ScalarKind::Str
        }
    }
}

/// `[-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?`
fn is_core_float(text: &str) -> bool {
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(i) => (&text[..i], Some(&text[i + 1..])),
        None => (text, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some((int, frac)) => {
            (int.is_empty() && digits(frac)) || (digits(int) && (frac.is_empty() || digits(frac)))
        }
        None => digits(mantissa),
    };
    let exponent_ok = exponent.is_none_or(|e| digits(e.strip_prefix(['-', '+']).unwrap_or(e)));
    mantissa_ok && exponent_ok
}

#[cfg(test)]
mod tests {
    use super::ScalarKind::{self, *};

    #[test]
    fn plain_scalars_resolve_by_the_core_schema() {
        let cases = [
            ("", Null),
            ("~", Null),
            ("true", Bool(true)),
            ("FALSE", Bool(false)),
            ("yes", Str),
            ("10000", Int),
            ("-3", Int),
            ("0x1F", Int),
            ("1.5", Float),
            ("1e3", Float),
            (".inf", Float),
            ("712020:0d5c", Str),
            ("1.2.3", Str),
            ("acme.com", Str),
            ("name", Str),
            ("Nope", Str),
            ("e1", Str),
            ("x1.5", Str),
        ];
        for (text, kind) in cases {
            assert_eq!(ScalarKind::of_plain_yaml(text), kind, "{text:?}");
        }
    }
}

/// One parsed snapshot file: the contract between the loader and the model.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub file: crate::source::FileId,
    pub root: Node,
}

/// Why a file's text is not a usable document (reported as SL001).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// Where the problem is: the offending byte (or an empty span there).
    pub span: Span,
    pub message: String,
    /// The flow collection (`[`, `{`) the problem is inside, if any: where
    /// it opened, and whether it is a list. A `]` left out surfaces lines
    /// later, where the next block item is no longer allowed.
    pub inside: Option<(Span, bool)>,
}

impl SyntaxError {
    pub fn new(span: Span, message: String) -> SyntaxError {
        SyntaxError { span, message, inside: None }
    }
}
