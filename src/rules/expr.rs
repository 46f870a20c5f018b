//! CEL expressions in rule files: compiled once, checked for unknown
//! variables and functions, and located in the rule file for errors.

use std::collections::HashSet;
use std::sync::Arc;

use cel::common::ast::{EntryExpr, Expr as Ast, IdedExpr};
use cel::common::value::CowVal;
use cel::{Context, Env, ExecutionError, Program, Value};

use super::error::{RuleError, RuleSource, did_you_mean};
use super::view::{DATA_MAPS, FIELDS};

/// Functions rules may call: CEL's standard library and strings extension,
/// and sitelint's own (see [`super::functions`]).
pub const FUNCTIONS: &[&str] = &[
    // standard library
    "size",
    "contains",
    "startsWith",
    "endsWith",
    "matches",
    "int",
    "uint",
    "double",
    "string",
    "bytes",
    "bool",
    "type",
    "dyn",
    "max",
    "min",
    "has",
    // strings extension
    "charAt",
    "indexOf",
    "lastIndexOf",
    "lowerAscii",
    "upperAscii",
    "replace",
    "split",
    "substring",
    "trim",
    "join",
    "quote",
    "reverse",
    "format",
    // sitelint
    "key_of",
    "value_of",
    "stated",
];

/// One compiled expression and where its text is in the rule file.
#[derive(Debug)]
pub struct Expr {
    pub program: Program,
    pub text: String,
    /// Byte range of the expression's text in the rule file.
    pub span: (usize, usize),
}

impl Expr {
    /// Evaluates the expression in `ctx`. The result may borrow the
    /// context's values and the model: nodes stay nodes (see
    /// [`super::view::node`]) rather than being copied into a `cel::Value`.
    pub fn evaluate<'e, 'v>(&'e self, ctx: &'e Context<'_, 'v>) -> Result<CowVal<'e, 'v>, ExecutionError> {
        Value::resolve_val(self.program.expression(), ctx)
    }
}

pub fn compile(
    env: &Env,
    source: &RuleSource,
    text: &str,
    scalar: (usize, usize),
    variables: &[&str],
) -> Result<Expr, Box<RuleError>> {
    let locate = |char_offset: usize, len: usize| locate(source, scalar, text, char_offset, len);
    let program = env.compile(text).map_err(|errors| {
        let first = errors.errors.first();
        let (line, column) = first.map_or((1, 1), |e| (e.pos.0.max(1) as usize, e.pos.1.max(1) as usize));
        // An error at the end of input (`a &&`) is shown on the last token,
        // not past a block scalar's trailing line break.
        let last = text.trim_end().chars().count().saturating_sub(1);
        let offset = char_offset_of(text, line, column).min(last);
        let message = first.map_or_else(|| "syntax error".to_string(), |e| e.msg.clone());
        RuleError::new(source, locate(offset, 1), format!("CEL syntax error: {message}")).label("here")
    })?;
    check_names(&program, variables).map_err(|(unknown, id)| {
        let offset = program.source_info().offset_for(id).map_or(0, |(start, _)| start as usize);
        let start = match unknown {
            // A selection is recorded at its `.`, the field name follows.
            Unknown::Field(_) => name_after(text, offset, unknown.name()),
            _ => name_start(text, offset, unknown.name()),
        };
        let span = locate(start, unknown.name().chars().count());
        unknown.into_error(source, span, variables)
    })?;
    let span = locate(0, text.chars().count());
    Ok(Expr { program, text: text.to_string(), span })
}

enum Unknown {
    Variable(String),
    Function(String),
    Field(String),
}

impl Unknown {
    fn name(&self) -> &str {
        match self {
            Unknown::Variable(n) | Unknown::Function(n) | Unknown::Field(n) => n,
        }
    }

    fn into_error(self, source: &RuleSource, span: (usize, usize), variables: &[&str]) -> Box<RuleError> {
        let (what, candidates): (&str, &[&str]) = match &self {
            Unknown::Variable(_) => ("variable", variables),
            Unknown::Function(_) => ("function", FUNCTIONS),
            Unknown::Field(_) => ("field", FIELDS),
        };
        let name = self.name();
        let error = RuleError::new(source, span, format!("unknown {what} `{name}`"))
            .label(format!("not a known {what}"));
        match did_you_mean(name, candidates.iter().copied()) {
            Some(close) => error.help(format!("did you mean `{close}`?")),
            None => error.help(format!("known {what}s: {}", candidates.join(", "))),
        }
    }
}

/// Walks the expression, tracking the variables comprehensions bind, and
/// returns the first unknown name with the id of the node that uses it.
fn check_names(program: &Program, variables: &[&str]) -> Result<(), (Unknown, u64)> {
    let mut bound: Vec<String> = Vec::new();
    let functions: HashSet<&str> = FUNCTIONS.iter().copied().collect();
    walk(program.expression(), variables, &functions, &mut bound)
}

fn walk(
    e: &IdedExpr,
    vars: &[&str],
    functions: &HashSet<&str>,
    bound: &mut Vec<String>,
) -> Result<(), (Unknown, u64)> {
    match &e.expr {
        Ast::Ident(name) => {
            if !vars.contains(&name.as_str()) && !bound.iter().any(|b| b == name) {
                return Err((Unknown::Variable(name.clone()), e.id));
            }
        }
        Ast::Call(call) => {
            let operator = call.func_name.starts_with(['_', '@', '!', '-']);
            if !operator && !functions.contains(call.func_name.as_str()) {
                return Err((Unknown::Function(call.func_name.clone()), e.id));
            }
            if let Some(target) = &call.target {
                walk(target, vars, functions, bound)?;
            }
            for arg in &call.args {
                walk(arg, vars, functions, bound)?;
            }
        }
        Ast::Select(select) => {
            if !FIELDS.contains(&select.field.as_str()) && !selects_from_data_map(&select.operand) {
                return Err((Unknown::Field(select.field.clone()), e.id));
            }
            walk(&select.operand, vars, functions, bound)?
        }
        Ast::List(l) => {
            for el in &l.elements {
                walk(el, vars, functions, bound)?;
            }
        }
        Ast::Map(m) => {
            for entry in &m.entries {
                if let EntryExpr::MapEntry(me) = &entry.expr {
                    walk(&me.key, vars, functions, bound)?;
                    walk(&me.value, vars, functions, bound)?;
                }
            }
        }
        Ast::Struct(s) => {
            for entry in &s.entries {
                if let EntryExpr::StructField(f) = &entry.expr {
                    walk(&f.value, vars, functions, bound)?;
                }
            }
        }
        Ast::Comprehension(c) => {
            walk(&c.iter_range, vars, functions, bound)?;
            walk(&c.accu_init, vars, functions, bound)?;
            let depth = bound.len();
            bound.push(c.iter_var.clone());
            bound.extend(c.iter_var2.clone());
            bound.push(c.accu_var.clone());
            let inner = [&c.loop_cond, &c.loop_step, &c.result];
            let result = inner.into_iter().try_for_each(|x| walk(x, vars, functions, bound));
            bound.truncate(depth);
            result?;
        }
        Ast::Literal(_) | Ast::Unspecified => {}
    }
    Ok(())
}

/// Where `name` starts, given the char offset CEL records for its node: a
/// call is recorded at its `(` (or its `.` for a method), so the name is the
/// closest occurrence at or before that offset.
fn name_start(text: &str, char_offset: usize, name: &str) -> usize {
    let byte = text.char_indices().nth(char_offset).map_or(text.len(), |(i, _)| i);
    let upto = (byte + name.len()).min(text.len());
    match text.get(..upto).and_then(|head| head.rfind(name)) {
        Some(at) => text[..at].chars().count(),
        None => char_offset,
    }
}

/// Where `name` starts at or after the char offset CEL records for a field
/// selection.
fn name_after(text: &str, char_offset: usize, name: &str) -> usize {
    let byte = text.char_indices().nth(char_offset).map_or(text.len(), |(i, _)| i);
    match text[byte..].find(name) {
        Some(at) => text[..byte + at].chars().count(),
        None => char_offset,
    }
}

/// `x.roles.NAME`: the name is data (an app key or a role name), not a field.
fn selects_from_data_map(operand: &IdedExpr) -> bool {
    matches!(&operand.expr, Ast::Select(s) if DATA_MAPS.contains(&s.field.as_str()))
}

/// Char offset in `text` of a 1-based line and column.
fn char_offset_of(text: &str, line: usize, column: usize) -> usize {
    let before: usize = text.split_inclusive('\n').take(line - 1).map(|l| l.chars().count()).sum();
    before + column - 1
}

/// Byte range in the rule file of `len` characters at `char_offset` of the
/// expression `text`, read from (part of) the YAML scalar at `scalar`.
///
/// A YAML scalar's value is not its source text (indentation, folding,
/// quotes), so the expression's line is searched for inside the scalar's
/// source; when that fails (a folded line), the offending token is; and
/// failing both, the whole scalar is the answer.
pub fn locate(
    source: &RuleSource,
    scalar: (usize, usize),
    text: &str,
    char_offset: usize,
    len: usize,
) -> (usize, usize) {
    let file = &*source.text;
    let (start, end) = (scalar.0.min(file.len()), scalar.1.min(file.len()));
    let Some(region) = file.get(start..end) else { return (start, end) };
    let byte_in_text = text.char_indices().nth(char_offset).map_or(text.len(), |(i, _)| i);
    let line_start = text[..byte_in_text].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[byte_in_text..].find('\n').map_or(text.len(), |i| byte_in_text + i);
    let line = &text[line_start..line_end];
    let token_end =
        text[byte_in_text..].char_indices().nth(len).map_or(text.len(), |(i, _)| byte_in_text + i);
    let token_len = token_end - byte_in_text;
    let found = if line.trim().is_empty() {
        None
    } else {
        region.find(line).map(|at| at + (byte_in_text - line_start))
    };
    let found = found.or_else(|| {
        let token = &text[byte_in_text..token_end];
        (!token.trim().is_empty()).then(|| region.find(token)).flatten()
    });
    match found {
        Some(at) => (start + at, (start + at + token_len).min(end)),
        None => (start, end),
    }
}

/// The CEL environment rules are compiled and run in.
pub fn env() -> Arc<Env> {
    let mut env = Env::stdlib();
    env.add_extension(cel::extensions::strings).expect("the strings extension declares once");
    Arc::new(env)
}
