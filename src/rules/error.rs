//! Errors in rule files, reported with miette inside the rule file.

use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, SourceSpan};
use thiserror::Error;

use crate::source::{SourceFile, visible};

/// A rule file as read, for pointing into it.
#[derive(Debug, Clone)]
pub struct RuleSource {
    /// What diagnostics print: the path, or `<built-in>/NAME.yaml`.
    pub name: String,
    pub text: Arc<str>,
}

impl RuleSource {
    /// The file, for miette to show: with sitelint's own source code, its
    /// columns count characters (miette's own counts bytes) and control
    /// characters are not sent to the terminal.
    pub fn named(&self) -> SourceFile {
        SourceFile::new(self.name.clone().into(), self.name.clone(), self.text.to_string())
    }
}

/// A rule file sitelint cannot use: the CLI exits 2.
#[derive(Debug, Error, Diagnostic)]
#[error("{message}")]
#[diagnostic(code(sitelint::rule_file))]
pub struct RuleError {
    pub message: String,
    #[source_code]
    pub src: SourceFile,
    /// Primary: the excerpt's header gives its place, not a related one's.
    #[label(primary, "{label}")]
    pub span: SourceSpan,
    pub label: String,
    /// Other places the problem involves: the first of a key written twice.
    #[label(collection)]
    pub related: Vec<LabeledSpan>,
    #[help]
    pub help: Option<String>,
    /// The file's other errors, shown after this one.
    #[related]
    pub others: Vec<RuleError>,
}

impl RuleError {
    /// Boxed: errors travel through `Result`s, and this one is large.
    pub fn new(source: &RuleSource, span: (usize, usize), message: impl Into<String>) -> Box<Self> {
        Box::new(RuleError {
            message: message.into(),
            src: source.named(),
            span: (span.0, span.1.saturating_sub(span.0)).into(),
            label: "here".into(),
            related: Vec::new(),
            help: None,
            others: Vec::new(),
        })
    }

    /// Errors of one file as one: the first in the file, with the others
    /// shown after it in the order they are written. `errors` is not empty.
    pub fn together(mut errors: Vec<RuleError>) -> Box<RuleError> {
        errors.sort_by_key(|e| e.span.offset());
        let mut first = errors.remove(0);
        first.others = errors;
        Box::new(first)
    }

    pub fn label(mut self: Box<Self>, label: impl Into<String>) -> Box<Self> {
        self.label = label.into();
        self
    }

    pub fn related(mut self: Box<Self>, span: (usize, usize), label: impl Into<String>) -> Box<Self> {
        self.related.push(LabeledSpan::new(Some(label.into()), span.0, span.1.saturating_sub(span.0)));
        self
    }

    pub fn help(mut self: Box<Self>, help: impl Into<String>) -> Box<Self> {
        self.help = Some(help.into());
        self
    }
}

/// A rule that failed while the snapshot was checked: an expression failed
/// on some items, or the rule ran out of its time limit and was stopped. The
/// other rules still run, and the CLI exits 2. One error stands for every
/// item the same expression failed on: an error whose text quotes the item
/// (`String("OPS"), Int(1)`) was one per item, 5,000 for 5,000 users.
#[derive(Debug, Error, Diagnostic)]
#[error("rule {code} {}", failure(.items, .message, *.varied))]
#[diagnostic(code(sitelint::rule_runtime), help("{help}"))]
pub struct RuleRuntimeError {
    pub code: Arc<str>,
    /// The items it failed on, in the order of the collection; empty when
    /// the failure is the rule's, not an item's (the time limit).
    pub items: Vec<String>,
    /// The message for the first item.
    pub message: String,
    /// Whether the expression failed with other messages on later items.
    pub varied: bool,
    pub help: String,
    #[source_code]
    pub src: SourceFile,
    #[label("{label}")]
    pub span: SourceSpan,
    /// What the place is: the failing expression, or where a rule out of
    /// time is shown (its condition, though all of its expressions count).
    pub label: &'static str,
}

/// What an expression's failure says, its values written as CEL writes
/// them: cel's own text shows them as Rust's debug text (`Unsupported
/// binary operator 'add': String("OPS"), Int(1)`).
pub fn execution_error(error: &cel::ExecutionError) -> String {
    use cel::ExecutionError as E;
    match error {
        E::UnsupportedBinaryOperator(op, a, b) => {
            format!("`{op}` does not apply to {} and {}", literal(a), literal(b))
        }
        E::ValuesNotComparable(a, b) => format!("{} can not be compared to {}", literal(a), literal(b)),
        E::DivisionByZero(a) => format!("division by zero of {}", literal(a)),
        E::RemainderByZero(a) => format!("remainder by zero of {}", literal(a)),
        E::Overflow(op, a, b) => format!("`{op}` overflows on {} and {}", literal(a), literal(b)),
        E::IndexOutOfBounds(i) => format!("index {} is out of bounds", literal(i)),
        E::UnsupportedIndex(i, of) => format!("{} cannot index {}", literal(i), literal(of)),
        E::UnsupportedKeyType(k) => format!("{} cannot be a map key", literal(k)),
        E::DuplicateKey(k) => format!("the map literal has the key {} twice", literal(k)),
        E::UnsupportedTargetType { target } => format!("invalid argument {}", literal(target)),
        // cel names the Rust trait a value lacks: `size(item)` on an entity.
        E::UnexpectedType { got, want } if want.starts_with("missing trait") => {
            format!("this does not apply to a {got} (an entity reads as a map: use its fields)")
        }
        E::NotSupportedAsMethod { method, target } => {
            format!("`{method}` is not a method of {}", literal(target))
        }
        other => other.to_string(),
    }
}

/// A value as a CEL literal would write it; a list or map by its kind.
fn literal(value: &cel::Value) -> String {
    use cel::Value as V;
    match value {
        V::Int(i) => i.to_string(),
        V::UInt(u) => format!("{u}u"),
        V::Float(f) => format!("{f:?}"),
        V::String(s) => format!("{s:?}"),
        V::Bool(b) => b.to_string(),
        V::Null => "null".into(),
        V::Bytes(b) => format!("b{:?}", String::from_utf8_lossy(b)),
        V::List(items) => format!("[{}]", items.iter().map(literal).collect::<Vec<_>>().join(", ")),
        V::Map(_) => "a map".into(),
        _ => "a value".into(),
    }
}

/// The help for an expression that failed on an item.
pub const EXPRESSION_HELP: &str = "fix the expression in the rule file (a field the snapshot may not write is null, so guard it: \
     `item.lead != null && ...`; `has()` is always true for a field; a map key that may be missing: `\"key\" in m`); \
     until then the rule reports nothing for these items";

/// What failed, and on which items: their names are the snapshot's, shown
/// as [`visible`] shows them.
fn failure(items: &[String], message: &str, varied: bool) -> String {
    let text = match items {
        [] => message.to_string(),
        [first, ..] if varied => format!("failed on {}; on `{first}`: {message}", items_text(items)),
        _ => format!("failed on {}: {message}", items_text(items)),
    };
    visible(&text).into_owned()
}

/// `a`, `` `a` and `b` ``, `` `a`, `b`, `c` and 4 more ``.
fn items_text(items: &[String]) -> String {
    const SHOWN: usize = 3;
    let quoted: Vec<String> = items.iter().take(SHOWN).map(|i| format!("`{i}`")).collect();
    match items.len() {
        0 => "an item".into(),
        1 => quoted[0].clone(),
        n if n <= SHOWN => format!("{} and {}", quoted[..n - 1].join(", "), quoted[n - 1]),
        n => format!("{} and {} more", quoted.join(", "), n - SHOWN),
    }
}

/// The closest of `candidates` to `word`, when it is close enough to be a
/// likely typo.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn execution_errors_write_values_as_cel_does() {
        use cel::{ExecutionError as E, Value as V};
        use std::sync::Arc;
        let add = E::UnsupportedBinaryOperator("add", V::String(Arc::new("OPS".into())), V::Int(1));
        assert_eq!(execution_error(&add), r#"`add` does not apply to "OPS" and 1"#);
        let list = V::List(Arc::new(vec![V::UInt(2), V::Float(1.5), V::Bool(true), V::Null]));
        assert_eq!(
            execution_error(&E::IndexOutOfBounds(list)),
            "index [2u, 1.5, true, null] is out of bounds"
        );
        assert_eq!(execution_error(&E::DivisionByZero(V::Int(10))), "division by zero of 10");
        let bytes = V::Bytes(Arc::new(b"ab".to_vec()));
        assert_eq!(execution_error(&E::UnsupportedKeyType(bytes)), r#"b"ab" cannot be a map key"#);
        // An item's name is the snapshot's: its control characters show.
        assert_eq!(failure(&["a\u{1b}[31m".into()], "m", false), "failed on `a\\u001b[31m`: m");
        let method = E::NotSupportedAsMethod { method: "size".into(), target: V::Int(3) };
        assert_eq!(execution_error(&method), "`size` is not a method of 3");
        let target = E::UnsupportedTargetType { target: V::Bool(false) };
        assert_eq!(execution_error(&target), "invalid argument false");
        // Not the name of a Rust trait.
        let sized = E::UnexpectedType { got: "map".into(), want: "missing trait Sizer".into() };
        assert_eq!(
            execution_error(&sized),
            "this does not apply to a map (an entity reads as a map: use its fields)"
        );
    }
}
