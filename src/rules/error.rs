//! Errors in rule files, reported with miette inside the rule file.

use std::sync::Arc;

use miette::{Diagnostic, NamedSource, SourceSpan};
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
    #[label("{label}")]
    pub span: SourceSpan,
    pub label: String,
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
            help: None,
        })
    }

    pub fn label(mut self: Box<Self>, label: impl Into<String>) -> Box<Self> {
        self.label = label.into();
        self
    }

    pub fn help(mut self: Box<Self>, help: impl Into<String>) -> Box<Self> {
        self.help = Some(help.into());
        self
    }
}

/// A rule whose expression failed while the snapshot was checked; the other
/// rules still run, and the CLI exits 2.
#[derive(Debug, Error, Diagnostic)]
#[error("rule {code} failed on {item}: {message}")]
#[diagnostic(
    code(sitelint::rule_runtime),
    help("fix the expression in the rule file; until then the rule reports nothing for this item")
)]
pub struct RuleRuntimeError {
    pub code: Arc<str>,
    pub item: String,
    pub message: String,
    #[source_code]
    pub src: NamedSource<Arc<str>>,
    #[label("this expression")]
    pub span: SourceSpan,
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
