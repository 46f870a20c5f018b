//! One rule: its file format (read with serde-saphyr, which keeps spans so
//! errors point into the rule file) and its compiled form.

use std::sync::Arc;

use cel::Env;
use cel::common::ast::{Expr as Ast, LiteralValue};
use serde::Deserialize;
use serde_saphyr::Spanned;

use super::error::{RuleError, RuleSource, did_you_mean};
use super::expr::{self, Expr, Programs, Var};
use super::position::InFile;
use super::template::Template;
use super::view::COLLECTIONS;
use super::view::schema::{self, Ty};
use crate::finding::{Reporter, Severity};

/// A rule file as written. Unknown fields are errors.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    code: Spanned<String>,
    name: Spanned<String>,
    severity: Spanned<String>,
    summary: Spanned<String>,
    /// The full explanation `sitelint rule CODE` prints: why it matters.
    #[serde(default)]
    description: Option<String>,
    url: Spanned<String>,
    /// The collection of the model the rule looks at, one item at a time.
    for_each: Spanned<String>,
    /// Named CEL values computed for each item, in order, before `when`;
    /// later expressions use them by name.
    #[serde(default, rename = "let")]
    lets: Lets,
    /// CEL: true when the item has the problem.
    when: Spanned<String>,
    /// Template: what is wrong and what people in the field see.
    message: Spanned<String>,
    /// Template: text of the primary label.
    #[serde(default)]
    label: Option<Spanned<String>>,
    /// Template: what the finding is about, for suppressions and baselines;
    /// the item's natural name (key, email, name, domain) when not given.
    #[serde(default)]
    entity: Option<Spanned<String>>,
    /// Template: how to fix it.
    help: Spanned<String>,
    /// CEL: where the finding points (an entity, `key(..)` or `value(..)`).
    at: Spanned<String>,
    #[serde(default)]
    related: Vec<RelatedFile>,
    /// Inline test cases, run by `sitelint test-rules`.
    #[serde(default)]
    tests: Vec<TestFile>,
}

/// A test case: a small snapshot and the findings it must produce.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TestFile {
    name: String,
    snapshot: Spanned<String>,
    /// Findings of this rule (and SL checks) the snapshot produces; empty
    /// for a case where the rule must stay quiet.
    #[serde(default)]
    expect: Vec<Spanned<Expected>>,
}

/// An expected finding, by code and 1-based line of the inline snapshot;
/// its column and related places (`"LINE:COL"`) are checked when given.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expected {
    pub code: String,
    pub line: usize,
    #[serde(default)]
    pub column: Option<usize>,
    #[serde(default)]
    pub related: Option<Vec<Position>>,
}

/// `LINE:COL`, 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl<'de> Deserialize<'de> for Position {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        let parsed = text
            .split_once(':')
            .and_then(|(l, c)| Some(Position { line: l.parse().ok()?, column: c.parse().ok()? }));
        parsed.ok_or_else(|| serde::de::Error::custom(format!("expected LINE:COL, got `{text}`")))
    }
}

impl std::fmt::Display for Position {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

#[derive(Debug)]
pub struct RuleTest {
    pub name: String,
    pub snapshot: String,
    /// Where the snapshot's text starts in the rule file, for reporting.
    pub snapshot_span: (usize, usize),
    pub expect: Vec<Expected>,
}

/// `let:` entries in the order written (a later one may use an earlier one).
#[derive(Debug, Default)]
struct Lets(Vec<(Spanned<String>, Spanned<String>)>);

impl<'de> Deserialize<'de> for Lets {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Lets;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a mapping of names to CEL expressions")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Lets, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(Lets(entries))
            }
        }
        d.deserialize_map(Visitor)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RelatedFile {
    /// CEL list: one related location per element, bound to `it`.
    #[serde(default)]
    for_each: Option<Spanned<String>>,
    at: Spanned<String>,
    message: Spanned<String>,
}

#[derive(Debug)]
pub struct Rule {
    /// Its code, name and documentation link, as its findings name them.
    pub reporter: Arc<Reporter>,
    pub severity: Severity,
    pub summary: String,
    pub description: Option<String>,
    pub collection: &'static str,
    /// Named values, bound in order for each item before `when`.
    pub lets: Vec<(String, Expr)>,
    pub when: Expr,
    pub message: Template,
    pub label: Option<Template>,
    pub entity: Option<Template>,
    pub help: Template,
    pub at: Expr,
    pub related: Vec<RelatedRule>,
    pub tests: Vec<RuleTest>,
    pub source: RuleSource,
}

#[derive(Debug)]
pub struct RelatedRule {
    pub for_each: Option<Expr>,
    pub at: Expr,
    pub message: Template,
}

fn span_of<T>(s: &Spanned<T>) -> (usize, usize) {
    let span = s.referenced.span();
    let start = span.byte_offset().unwrap_or(0) as usize;
    (start, start + span.byte_len().unwrap_or(0) as usize)
}

impl Rule {
    /// Where the rule is documented: every rule file gives it.
    pub fn url(&self) -> &str {
        self.reporter.url.as_deref().expect("a rule's reporter has its url")
    }

    /// Reads and checks one rule file; every problem is located in the file.
    pub fn parse(env: &Env, source: RuleSource) -> Result<Rule, Box<RuleError>> {
        Rule::parse_sharing(env, &Programs::default(), source)
    }

    /// [`parse`](Self::parse), with the programs of the rules read before
    /// it (or alongside: `programs` may be shared between threads).
    pub fn parse_sharing(env: &Env, programs: &Programs, source: RuleSource) -> Result<Rule, Box<RuleError>> {
        let file: RuleFile = serde_saphyr::from_str(&source.text).map_err(|e| yaml_error(&source, &e))?;
        let code = checked_code(&source, &file.code)?;
        let severity = Severity::parse(&file.severity.value).ok_or_else(|| {
            RuleError::new(
                &source,
                span_of(&file.severity),
                format!("unknown severity `{}`", file.severity.value),
            )
            .help("severity is one of: error, warning, info")
        })?;
        let collection =
            COLLECTIONS.iter().map(|(name, _)| *name).find(|name| *name == file.for_each.value).ok_or_else(
                || {
                    let names = COLLECTIONS.iter().map(|(n, _)| *n);
                    let error = RuleError::new(
                        &source,
                        span_of(&file.for_each),
                        format!("unknown collection `{}`", file.for_each.value),
                    );
                    match did_you_mean(&file.for_each.value, names.clone()) {
                        Some(close) => error.help(format!("did you mean `{close}`?")),
                        None => error.help(format!("collections: {}", names.collect::<Vec<_>>().join(", "))),
                    }
                },
            )?;
        let compile = |s: &Spanned<String>, vars: &[Var]| {
            expr::compile(env, programs, &source, InFile::whole(&s.value, span_of(s)), vars)
        };
        let template = |s: &Spanned<String>, vars: &[Var]| {
            Template::compile(env, programs, &source, InFile::whole(&s.value, span_of(s)), vars)
        };
        // Every expression is compiled, and every error kept: a file with
        // three typos shows all three, not one per run.
        let mut errors = Vec::new();
        kept(&mut errors, checked_texts(&source, &file));
        kept(&mut errors, checked_expectations(&source, &file));
        // Each `let` sees the ones before it; everything else sees them all.
        // One that does not compile is still bound, so that the
        // expressions using it are not reported as well.
        let item = schema::item_kind(collection).map_or(Ty::Any, Ty::Node);
        let mut item_vars: Vec<Var> = vec![("item", item), ("site", Ty::Node(schema::Kind::Site))];
        let mut lets = Vec::new();
        for (name, value) in &file.lets.0 {
            let bound: Vec<&str> = item_vars.iter().map(|(name, _)| *name).collect();
            // A name that hides another is not bound: the expressions go on
            // seeing what it would hide.
            let named = kept(&mut errors, check_let_name(&source, name, &bound)).is_some();
            let value = kept(&mut errors, compile(value, &item_vars));
            if named {
                item_vars.push((&name.value, value.as_ref().map_or(Ty::Any, |v| v.ty)));
            }
            lets.extend(value.map(|value| (name.value.clone(), value)));
        }
        let mut related = Vec::new();
        for r in &file.related {
            let for_each = r.for_each.as_ref().map(|f| kept(&mut errors, compile(f, &item_vars)));
            let mut vars = item_vars.clone();
            vars.extend(
                for_each.as_ref().map(|each| ("it", each.as_ref().map_or(Ty::Any, |e| e.ty.element()))),
            );
            let at = kept(&mut errors, compile(&r.at, &vars).and_then(|at| checked_at(&source, at)));
            let message = kept(&mut errors, template(&r.message, &vars));
            // Not written, or compiled: `Some`; written but broken: `None`.
            let for_each = for_each.map_or(Some(None), |each| each.map(Some));
            if let (Some(at), Some(message), Some(for_each)) = (at, message, for_each) {
                related.push(RelatedRule { at, message, for_each });
            }
        }
        let when = kept(&mut errors, compile(&file.when, &item_vars).and_then(|w| checked_when(&source, w)));
        let message = kept(&mut errors, template(&file.message, &item_vars));
        let label = kept(&mut errors, file.label.as_ref().map(|l| template(l, &item_vars)).transpose());
        let entity = kept(&mut errors, file.entity.as_ref().map(|e| template(e, &item_vars)).transpose());
        let help = kept(&mut errors, template(&file.help, &item_vars));
        let at = kept(&mut errors, compile(&file.at, &item_vars).and_then(|at| checked_at(&source, at)));
        let (Some(when), Some(message), Some(label), Some(entity), Some(help), Some(at)) =
            (when, message, label, entity, help, at)
        else {
            return Err(RuleError::together(errors));
        };
        if !errors.is_empty() {
            return Err(RuleError::together(errors));
        }
        let (name, url) = (file.name.value.as_str().into(), Some(file.url.value.as_str().into()));
        Ok(Rule {
            reporter: Arc::new(Reporter { code, name, url }),
            severity,
            summary: file.summary.value,
            description: file.description,
            collection,
            when,
            message,
            label,
            entity,
            help,
            at,
            lets,
            related,
            tests: file
                .tests
                .into_iter()
                .map(|t| RuleTest {
                    name: t.name,
                    snapshot_span: span_of(&t.snapshot),
                    snapshot: t.snapshot.value,
                    expect: t.expect.into_iter().map(|e| e.value).collect(),
                })
                .collect(),
            source,
        })
    }
}

/// What a test case expects: findings of its own rule or of the SL checks
/// (another rule does not run in it), on 1-based lines and columns.
fn checked_expectations(source: &RuleSource, file: &RuleFile) -> Result<(), Box<RuleError>> {
    for expected in file.tests.iter().flat_map(|t| &t.expect) {
        let Expected { code, line, column, .. } = &expected.value;
        let problem = if *code != file.code.value && !code.starts_with("SL") {
            format!("the case expects {code}, but only {} and the SL checks run in it", file.code.value)
        } else if *line == 0 || *column == Some(0) {
            "lines and columns count from 1".to_string()
        } else {
            continue;
        };
        return Err(RuleError::new(source, span_of(expected), problem).label("this expectation").help(
            "a test case expects its own rule's findings (and SL checks'), by 1-based line of its snapshot",
        ));
    }
    Ok(())
}

/// The value of `result`, or `None` with its errors kept in `errors`.
fn kept<T>(errors: &mut Vec<RuleError>, result: Result<T, Box<RuleError>>) -> Option<T> {
    result
        .map_err(|error| {
            let mut error = *error;
            let others = std::mem::take(&mut error.others);
            errors.push(error);
            errors.extend(others);
        })
        .ok()
}

/// What an expression's value is, when it is known before the rule runs
/// and it is no boolean: a literal, or a field of the model.
fn known_kind(expr: &Expr) -> Option<String> {
    Some(match (&expr.program.expression().expr, expr.ty) {
        (Ast::Literal(literal), _) => match literal {
            LiteralValue::Boolean(_) => return None,
            LiteralValue::Bytes(_) => "bytes".into(),
            LiteralValue::Double(_) | LiteralValue::Int(_) | LiteralValue::UInt(_) => "a number".into(),
            LiteralValue::Null => "null".into(),
            LiteralValue::String(_) => "a text".into(),
        },
        (_, Ty::Any | Ty::Bool) => return None,
        (_, Ty::Node(kind)) => kind.described().into(),
        (_, Ty::Map(_)) => "a map".into(),
        (_, ty) => ty.described()?.into(),
    })
}

/// `when` is true or false: a value known to be neither (a literal number
/// or text, a field holding a text or an entity) is an error when the rule
/// is read, not only on an item the rule runs on.
fn checked_when(source: &RuleSource, when: Expr) -> Result<Expr, Box<RuleError>> {
    match known_kind(&when) {
        None => Ok(when),
        Some(kind) => Err(RuleError::new(source, when.span, format!("`when` must be true or false, not {kind}"))
            .label("not a condition")
            .help("compare it: `item.email.endsWith(\"@acme.com\")`, `item.lead != null`, `stated(item, \"signup\")`")),
    }
}

/// `at` names places: an entity, a reference, `key_of(..)`/`value_of(..)`,
/// or a list of them; a value known to be none of these (a text, a
/// boolean, a map of texts) is an error when the rule is read.
fn checked_at(source: &RuleSource, at: Expr) -> Result<Expr, Box<RuleError>> {
    let kind = match at.ty {
        Ty::Node(_) | Ty::Place | Ty::List(Ty::Node(_) | Ty::Place | Ty::Any) => None,
        Ty::List(_) => Some("a list of values".to_string()),
        Ty::Bool => Some("a boolean".to_string()),
        _ => known_kind(&at).filter(|kind| kind != "null"),
    };
    match kind {
        None => Ok(at),
        Some(kind) => Err(RuleError::new(source, at.span, format!("`at` must name a place in the snapshot, not {kind}"))
            .label("no place")
            .help("give an item, a list of items, or a field's place: key_of(item, \"field\") or value_of(item, \"field\")")),
    }
}

/// A `let` name is an identifier that hides nothing: not a variable already
/// bound, not `it`, not a function.
fn check_let_name(source: &RuleSource, name: &Spanned<String>, bound: &[&str]) -> Result<(), Box<RuleError>> {
    let text = name.value.as_str();
    let identifier = text.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    let problem = if !identifier {
        "is not a name: use letters, digits and `_`, starting with a letter"
    } else if bound.contains(&text) || text == "it" {
        "is already a variable"
    } else if expr::FUNCTIONS.contains(&text) {
        "is the name of a function"
    } else {
        return Ok(());
    };
    Err(RuleError::new(source, span_of(name), format!("`let` name `{text}` {problem}")).label("this name"))
}

/// Codes are upper-case letters then digits (`PS001`, `ACME12`); `SL` is
/// sitelint's own.
fn checked_code(source: &RuleSource, code: &Spanned<String>) -> Result<Arc<str>, Box<RuleError>> {
    let text = code.value.as_str();
    let letters = text.trim_end_matches(|c: char| c.is_ascii_digit());
    let well_formed =
        !letters.is_empty() && letters.len() < text.len() && letters.chars().all(|c| c.is_ascii_uppercase());
    if !well_formed {
        return Err(RuleError::new(source, span_of(code), format!("malformed rule code `{text}`"))
            .help("a code is upper-case letters followed by digits, like PS001 or ACME12"));
    }
    if letters == "SL" {
        return Err(RuleError::new(source, span_of(code), format!("rule code `{text}` is reserved"))
            .help("SL codes are sitelint's built-in snapshot checks; choose another prefix"));
    }
    Ok(text.into())
}

/// The texts every finding and report shows: `name` heads each finding
/// (`ACME001(name)`), `url` is a link (SARIF's `helpUri` must be a URI),
/// and an empty summary, message or help would show nothing.
fn checked_texts(source: &RuleSource, file: &RuleFile) -> Result<(), Box<RuleError>> {
    let error = |at: &Spanned<String>, message: String, help: &str| {
        Err(RuleError::new(source, span_of(at), message).help(help.to_string()))
    };
    let name = file.name.value.as_str();
    if name.is_empty() || name.contains(|c: char| c.is_whitespace() || c.is_control()) {
        return error(
            &file.name,
            format!("rule name `{name}` is not a name"),
            "a name is one word of letters, digits and dashes, like agents-must-use-sso-domain",
        );
    }
    let url = file.url.value.as_str();
    let host = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .map(|rest| rest.split(['/', '?', '#']).next().unwrap_or(""));
    if host.is_none_or(str::is_empty) || url.contains(|c: char| c.is_whitespace() || c.is_control()) {
        return error(
            &file.url,
            format!("`{url}` is not a web address"),
            "url is the page that documents the rule: https://, a host, then its path, with no spaces",
        );
    }
    for (key, text) in [("summary", &file.summary), ("message", &file.message), ("help", &file.help)] {
        if text.value.trim().is_empty() {
            return error(text, format!("`{key}` is empty"), "every finding shows it: say it in a few words");
        }
    }
    Ok(())
}

fn yaml_error(source: &RuleSource, error: &serde_saphyr::Error) -> Box<RuleError> {
    let problem = crate::typed_yaml::problem(&source.text, error);
    let help = match crate::typed_yaml::choices_help(error) {
        Some(help) => help,
        // The keys of a rule help with a key missing from the rule itself,
        // not from one of its `related` or `tests` entries.
        None if crate::typed_yaml::missing_at_top(&source.text, error, &problem) => {
            "a rule file has: code, name, severity, summary, url, for_each, when, message, help, at, \
             and optionally description, let, label, entity, related and tests"
                .into()
        }
        None => "the README's \"Writing rules\" section describes each key of a rule file".into(),
    };
    let span = (problem.span.start(), problem.span.end());
    let mut error =
        RuleError::new(source, span, format!("invalid rule file: {}", problem.message)).label(problem.label);
    if let Some((first, label)) = problem.related {
        error = error.related((first.start(), first.end()), label);
    }
    error.help(help)
}
