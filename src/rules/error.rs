//! Errors in rule files, reported with miette inside the rule file.

use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceSpan};
use thiserror::Error;

/// A rule file as read, for pointing into it.
#[derive(Debug, Clone)]
pub struct RuleSource {
    /// What diagnostics print: the path, or `<built-in>/NAME.yaml`.
    pub name: String,
    pub text: Arc<str>,
}

impl RuleSource {
    pub fn named(&self) -> NamedSource<Arc<str>> {
        NamedSource::new(&self.name, self.text.clone())
    }
}

/// A rule file sitelint cannot use: the CLI exits 2.
#[derive(Debug, Error, Diagnostic)]
#[error("{message}")]
#[diagnostic(code(sitelint::rule_file))]
pub struct RuleError {
    pub message: String,
    #[source_code]
    pub src: NamedSource<Arc<str>>,
    /// Primary: the excerpt's header gives its place, not a related one's.
    #[label(primary, "{label}")]
    pub span: SourceSpan,
    pub label: String,
    /// Other places the problem involves: the first of a key written twice.
    #[label(collection)]
    pub related: Vec<LabeledSpan>,
    #[help]
    pub help: Option<String>,
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
        })
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
    pub src: NamedSource<Arc<str>>,
    #[label("this expression")]
    pub span: SourceSpan,
}

/// The help for an expression that failed on an item.
pub const EXPRESSION_HELP: &str = "fix the expression in the rule file (a field the snapshot may not write is null, so guard it: \
     `item.lead != null && ...`; `has()` is always true for a field; a map key that may be missing: `\"key\" in m`); \
     until then the rule reports nothing for these items";

fn failure(items: &[String], message: &str, varied: bool) -> String {
    match items {
        [] => message.to_string(),
        [first, ..] if varied => format!("failed on {}; on `{first}`: {message}", items_text(items)),
        _ => format!("failed on {}: {message}", items_text(items)),
    }
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
