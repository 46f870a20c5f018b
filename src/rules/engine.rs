//! Evaluates rules over the view, in parallel: each rule's items are spread
//! over the thread pool, and the findings sorted afterwards, so the output
//! does not depend on the thread count.

use std::sync::Arc;

use cel::objects::Key;
use cel::{Context, Env, Value};
use rayon::prelude::*;

use super::error::RuleRuntimeError;
use super::expr::Expr;
use super::functions::{self, FIELD, LOC, PART};
use super::rule::Rule;
use super::template::{Template, display};
use super::view::{Anchor, View};
use crate::finding::{Finding, Related};
use crate::source::Location;

#[derive(Debug, Default)]
pub struct Outcome {
    pub findings: Vec<Finding>,
    pub errors: Vec<RuleRuntimeError>,
}

/// Runs `rules`, compiled in `env`, over the view.
pub fn run(env: &Arc<Env>, rules: &[Rule], view: &View) -> Outcome {
    let mut root = Context::with_env(env.clone());
    functions::register(&mut root);
    root.add_variable_from_value("site", view.site.clone());
    let results: Vec<Result<Vec<Finding>, Box<RuleRuntimeError>>> = rules
        .par_iter()
        .flat_map(|rule| {
            view.collection(rule.collection)
                .par_iter()
                .map(|item| evaluate(rule, item, &root, view))
                .collect::<Vec<_>>()
        })
        .collect();
    let mut outcome = Outcome::default();
    for result in results {
        match result {
            Ok(findings) => outcome.findings.extend(findings),
            Err(e) => merge_error(&mut outcome.errors, *e),
        }
    }
    crate::finding::sort_findings(&mut outcome.findings);
    outcome
}

/// One error per rule, expression and message, listing the items: a broken
/// expression fails the same way on every item, and one report says it.
/// Results come in collection order, so the item lists are deterministic.
fn merge_error(errors: &mut Vec<RuleRuntimeError>, error: RuleRuntimeError) {
    let same = |e: &&mut RuleRuntimeError| {
        e.code == error.code && e.span == error.span && e.message == error.message
    };
    match errors.iter_mut().find(same) {
        Some(existing) => existing.items.extend(error.items),
        None => errors.push(error),
    }
}

/// The findings of one rule on one item.
fn evaluate(
    rule: &Rule,
    item: &Value,
    root: &Context,
    view: &View,
) -> Result<Vec<Finding>, Box<RuleRuntimeError>> {
    let mut ctx = root.new_inner_scope();
    ctx.add_variable_from_value("item", item.clone());
    let fail = |expr: &Expr, message: String| runtime_error(rule, item, expr, message);
    let eval = |expr: &Expr, ctx: &Context| expr.program.execute(ctx).map_err(|e| fail(expr, e.to_string()));
    let render = |t: &Template, ctx: &Context| t.render(ctx).map_err(|(e, m)| fail(e, m));

    for (name, expr) in &rule.lets {
        let value = eval(expr, &ctx)?;
        ctx.add_variable_from_value(name.as_str(), value);
    }
    match eval(&rule.when, &ctx)? {
        Value::Bool(true) => {}
        Value::Bool(false) => return Ok(Vec::new()),
        other => {
            return Err(fail(&rule.when, format!("`when` must be true or false, not {:?}", other.type_of())));
        }
    }
    let primary = locations(view, &eval(&rule.at, &ctx)?).map_err(|m| fail(&rule.at, m))?;
    if primary.is_empty() {
        return Err(fail(&rule.at, "`at` names no place in the snapshot".into()));
    }
    let message = render(&rule.message, &ctx)?;
    let help = render(&rule.help, &ctx)?;
    let label = rule.label.as_ref().map(|l| render(l, &ctx)).transpose()?;
    let entity = match &rule.entity {
        Some(template) => render(template, &ctx)?,
        None => natural_name(item),
    };
    let mut related = Vec::new();
    for r in &rule.related {
        let each = match &r.for_each {
            Some(list) => match eval(list, &ctx)? {
                Value::List(items) => items.iter().cloned().map(Some).collect(),
                Value::Null => Vec::new(),
                other => {
                    return Err(fail(list, format!("`for_each` must be a list, not {:?}", other.type_of())));
                }
            },
            None => vec![None],
        };
        for it in each {
            let mut scope = ctx.new_inner_scope();
            if let Some(it) = it {
                scope.add_variable_from_value("it", it);
            }
            let text = render(&r.message, &scope)?;
            // A related place that is not written (a default) has nowhere to point.
            let places = locations(view, &eval(&r.at, &scope)?).map_err(|m| fail(&r.at, m))?;
            related.extend(places.into_iter().map(|location| Related { location, message: text.clone() }));
        }
    }
    Ok(primary
        .into_iter()
        .map(|at| Finding {
            code: rule.code.clone(),
            name: rule.name.clone(),
            severity: rule.severity,
            message: message.clone(),
            help: Some(help.clone()),
            url: Some(rule.url.clone()),
            primary: at,
            label: label.clone(),
            related: related.iter().filter(|r| r.location != at).cloned().collect(),
            entity: Some(entity.clone()),
        })
        .collect())
}

/// The places a value from `at` stands for: an entity, a `key()`/`value()`
/// location, a reference, or a list of them. Values with no place (null, a
/// setting left at its default) give none.
fn locations(view: &View, value: &Value) -> Result<Vec<Location>, String> {
    let mut out = Vec::new();
    collect_locations(view, value, &mut out)?;
    Ok(out)
}

fn collect_locations(view: &View, value: &Value, out: &mut Vec<Location>) -> Result<(), String> {
    match value {
        Value::Null => Ok(()),
        Value::List(items) => items.iter().try_for_each(|v| collect_locations(view, v, out)),
        Value::Map(m) => {
            let get = |k: &str| m.map.get(&Key::from(k));
            let Some(Value::Int(id)) = get(LOC) else {
                // A map literal or a defaulted section: not a place.
                return Ok(());
            };
            let Some(anchor) = view.anchor(*id) else {
                return Err(format!("`_loc` {id} is not a place in the snapshot"));
            };
            let field = match get(FIELD) {
                Some(Value::String(f)) => Some(f.as_str()),
                _ => None,
            };
            let part = match get(PART) {
                Some(Value::String(p)) => Some(p.as_str()),
                _ => None,
            };
            out.push(match (anchor, part, field) {
                (Anchor::Reference(at), _, _) => at,
                (Anchor::Entity(o), Some("key"), Some(f)) => o.field_key_location(f),
                (Anchor::Entity(o), Some("key"), None) => o.key_location(),
                (Anchor::Entity(o), Some("value"), Some(f)) => o.value_location(f),
                (Anchor::Entity(o), _, _) => o.location(),
            });
            Ok(())
        }
        other => Err(format!("expected a place in the snapshot, got {:?}", other.type_of())),
    }
}

/// How an item reads in a message: a project's key, a user's email, ...
fn natural_name(item: &Value) -> String {
    let mut name = String::new();
    display(item, &mut name);
    name
}

fn runtime_error(rule: &Rule, item: &Value, expr: &Expr, message: String) -> Box<RuleRuntimeError> {
    let name = natural_name(item);
    Box::new(RuleRuntimeError {
        code: rule.code.clone(),
        items: vec![if name.is_empty() { rule.collection.to_string() } else { name }],
        message,
        src: rule.source.named(),
        span: (expr.span.0, expr.span.1 - expr.span.0).into(),
    })
}
