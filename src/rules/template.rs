//! Message templates: text with `{{ expression }}` parts, each a CEL
//! expression compiled when the rule is loaded.

use cel::{Context, Env, Value};

use super::error::{RuleError, RuleSource};
use super::expr::{self, Expr};

#[derive(Debug)]
pub struct Template {
    parts: Vec<Part>,
}

#[derive(Debug)]
enum Part {
    Text(String),
    Expr(Expr),
}

impl Template {
    pub fn compile(
        env: &Env,
        source: &RuleSource,
        text: &str,
        scalar: (usize, usize),
        variables: &[&str],
    ) -> Result<Template, Box<RuleError>> {
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find("{{") {
            if open > 0 {
                parts.push(Part::Text(rest[..open].to_string()));
            }
            let after = &rest[open + 2..];
            let Some(close) = after.find("}}") else {
                let offset = text.len() - rest.len() + open;
                let at = expr::locate(source, scalar, text, text[..offset].chars().count(), 2);
                return Err(RuleError::new(source, at, "unclosed `{{` in template")
                    .label("opened here")
                    .help("close the expression with `}}`"));
            };
            parts.push(Part::Expr(expr::compile(env, source, after[..close].trim(), scalar, variables)?));
            rest = &after[close + 2..];
        }
        if !rest.is_empty() {
            parts.push(Part::Text(rest.to_string()));
        }
        Ok(Template { parts })
    }

    /// Renders the template; the first failing expression's error is returned.
    pub fn render(&self, ctx: &Context) -> Result<String, (&Expr, String)> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Expr(e) => {
                    let value = e.program.execute(ctx).map_err(|err| (e, err.to_string()))?;
                    display(&value, &mut out);
                }
            }
        }
        Ok(out.trim_end().to_string())
    }
}

/// How a CEL value reads in a message: strings bare, lists comma-separated,
/// entities by their natural name.
pub fn display(value: &Value, out: &mut String) {
    use std::fmt::Write;
    match value {
        Value::String(s) => out.push_str(s),
        Value::Int(i) => _ = write!(out, "{i}"),
        Value::UInt(u) => _ = write!(out, "{u}"),
        Value::Float(f) => _ = write!(out, "{f}"),
        Value::Bool(b) => _ = write!(out, "{b}"),
        Value::Null => {}
        Value::List(items) => {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                display(item, out);
            }
        }
        Value::Map(m) => {
            let name =
                ["key", "email", "name", "domain", "account_id", "text", "app"].iter().find_map(|k| match m
                    .map
                    .get(&cel::objects::Key::from(*k))
                {
                    Some(Value::String(s)) => Some(s.clone()),
                    _ => None,
                });
            match name {
                Some(name) => out.push_str(&name),
                None => out.push_str("<map>"),
            }
        }
        other => _ = write!(out, "{other:?}"),
    }
}
