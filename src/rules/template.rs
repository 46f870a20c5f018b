//! Message templates: text with `{{ expression }}` parts, each a CEL
//! expression compiled when the rule is loaded.

use crate::finding::SharedText;

use cel::common::traits::Indexer;
use cel::common::types::{
    CelBool, CelBytes, CelDouble, CelDuration, CelInt, CelString, CelTimestamp, CelType, CelUInt, Kind,
};
use cel::common::value::Val;
use cel::{Context, Env};

use super::error::{RuleError, RuleSource};
use super::expr::{self, Expr, Programs};
use super::position::InFile;
use super::view::node::{NAME, Place};
use super::view::schema::Ty;

#[derive(Debug)]
pub struct Template {
    parts: Vec<Part>,
    /// The text after the last expression, as every rendering ends (its
    /// trailing white space trimmed), if any.
    ending: Option<SharedText>,
}

#[derive(Debug)]
enum Part {
    Text(String),
    Expr(Expr),
}

impl Template {
    pub fn compile(
        env: &Env,
        programs: &Programs,
        source: &RuleSource,
        at: InFile,
        variables: &[expr::Var],
    ) -> Result<Template, Box<RuleError>> {
        let text = at.text();
        let mut parts = Vec::new();
        // Every part is compiled, and each error kept.
        let mut errors = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find("{{") {
            if open > 0 {
                parts.push(Part::Text(rest[..open].to_string()));
            }
            let after = &rest[open + 2..];
            let Some(close) = after.find("}}") else {
                let offset = text.len() - rest.len() + open;
                let at = at.locate(source, text[..offset].chars().count(), 2);
                return Err(RuleError::new(source, at, "unclosed `{{` in template")
                    .label("opened here")
                    .help("close the expression with `}}`"));
            };
            let inside = &after[..close];
            let start = text.len() - after.len() + (inside.len() - inside.trim_start().len());
            let part = at.part(start, start + inside.trim().len());
            rest = &after[close + 2..];
            let part = match expr::compile(env, programs, source, part, variables) {
                Ok(part) if part.ty == Ty::Place => {
                    let problem = "a place in the snapshot cannot be shown in a message";
                    errors.push(
                        *RuleError::new(source, part.span, problem)
                            .label("a place, for `at`")
                            .help(PLACE_HELP),
                    );
                    continue;
                }
                Ok(part) => part,
                Err(error) => {
                    errors.push(*error);
                    continue;
                }
            };
            parts.push(Part::Expr(part));
        }
        if !errors.is_empty() {
            return Err(RuleError::together(errors));
        }
        if !rest.is_empty() {
            parts.push(Part::Text(rest.to_string()));
        }
        let ending = match parts.last() {
            Some(Part::Text(last)) if !last.trim_end().is_empty() => Some(last.trim_end().into()),
            _ => None,
        };
        Ok(Template { parts, ending })
    }

    /// Its expressions, in order.
    pub fn exprs(&self) -> impl Iterator<Item = &Expr> {
        self.parts.iter().filter_map(|part| match part {
            Part::Text(_) => None,
            Part::Expr(e) => Some(e),
        })
    }

    /// The text every rendering ends with: the template's after its last
    /// expression, if any.
    pub fn ending(&self) -> Option<&SharedText> {
        self.ending.as_ref()
    }

    /// Renders the template; the first failing expression's error is returned.
    pub fn render(&self, ctx: &Context) -> Result<String, (&Expr, String)> {
        let mut out = String::new();
        self.render_with(ctx, |_, _| false, &mut out)?;
        Ok(out)
    }

    /// [`render`](Self::render) into `out`, which it clears first, asking
    /// `quick` first to append the value of the `n`th expression (see
    /// [`exprs`](Self::exprs)); where it returns `false`, the interpreter
    /// evaluates the expression in `ctx`.
    ///
    /// The engine renders each of a finding's texts into one buffer and
    /// copies out what it keeps, at its length: a text of its own
    /// allocated, grew and was copied again at its length, for each of the
    /// five or so texts of every finding.
    pub fn render_with(
        &self,
        ctx: &Context,
        mut quick: impl FnMut(usize, &mut String) -> bool,
        out: &mut String,
    ) -> Result<(), (&Expr, String)> {
        out.clear();
        let mut n = 0;
        for part in &self.parts {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Expr(e) => {
                    if !quick(n, out) {
                        let value =
                            e.evaluate(ctx).map_err(|err| (e, super::error::execution_error(&err)))?;
                        if has_place(value.as_ref()) {
                            let message =
                                format!("a place in the snapshot cannot be shown in a message: {PLACE_HELP}");
                            return Err((e, message));
                        }
                        display(value.as_ref(), out);
                    }
                    n += 1;
                }
            }
        }
        out.truncate(out.trim_end().len());
        Ok(())
    }
}

/// What to write instead of a place in a message.
const PLACE_HELP: &str = "`key_of(..)` and `value_of(..)` give places, for `at` and related `at`; \
                          to show a field's value, read the field (`item.signup`)";

/// Whether `value` is a place (what `key_of`/`value_of` give) or a list
/// with one: a message cannot show it (its file, line and column are known
/// only once the findings are reported).
pub fn has_place(value: &dyn Val) -> bool {
    if value.downcast_ref::<Place>().is_some() {
        return true;
    }
    match (value.get_type().kind(), value.as_iterable()) {
        (Kind::List, Some(items)) => {
            let mut items = items.iter();
            std::iter::from_fn(|| items.next()).any(has_place)
        }
        _ => false,
    }
}

/// How a CEL value reads in a message: strings bare, lists comma-separated,
/// entities by their natural name.
pub fn display(value: &dyn Val, out: &mut String) {
    use std::fmt::Write;
    match value.get_type().kind() {
        Kind::Map => {
            let name = value.as_indexer().and_then(natural_name);
            out.push_str(name.as_deref().unwrap_or("<map>"));
        }
        Kind::List => {
            let Some(items) = value.as_iterable() else { return };
            let mut items = items.iter();
            let mut first = true;
            while let Some(item) = items.next() {
                if !first {
                    out.push_str(", ");
                }
                first = false;
                display(item, out);
            }
        }
        Kind::NullType => {}
        _ => {
            if let Some(s) = value.downcast_ref::<CelString>() {
                out.push_str(s.inner());
            } else if let Some(i) = value.downcast_ref::<CelInt>() {
                _ = write!(out, "{}", i.inner());
            } else if let Some(u) = value.downcast_ref::<CelUInt>() {
                _ = write!(out, "{}", u.inner());
            } else if let Some(f) = value.downcast_ref::<CelDouble>() {
                _ = write!(out, "{}", f.inner());
            } else if let Some(b) = value.downcast_ref::<CelBool>() {
                _ = write!(out, "{}", b.inner());
            } else if let Some(t) = value.downcast_ref::<CelType>() {
                out.push_str(t.name());
            } else if let Some(b) = value.downcast_ref::<CelBytes>() {
                out.push_str(&String::from_utf8_lossy(b.inner()));
            } else if let Some(t) = value.downcast_ref::<CelTimestamp>() {
                out.push_str(&t.inner().to_rfc3339());
            } else if let Some(d) = value.downcast_ref::<CelDuration>() {
                _ = write!(out, "{}s", d.inner().num_milliseconds() as f64 / 1000.0);
            } else {
                // Never Rust's debug text in a message: the type says what it is.
                _ = write!(out, "<{}>", value.get_type().name());
            }
        }
    }
}

/// The fields an entity's name is read from, in order: the first of them
/// that is a string. A user without an email is named by the account id,
/// not the display name, which two people may share: a suppression of one
/// would hide the other's findings.
pub const NAME_FIELDS: [&str; 7] = ["key", "email", "account_id", "name", "domain", "text", "app"];

/// An entity's name, as the view names it; for a map literal, the first
/// of [`NAME_FIELDS`] that is a string.
fn natural_name(map: &dyn Indexer) -> Option<String> {
    [NAME].iter().chain(&NAME_FIELDS).find_map(|k| {
        let value = map.get(&CelString::from(*k)).ok()?;
        value.downcast_ref::<CelString>().map(|s| s.inner().to_string())
    })
}
