//! CEL expressions in rule files: compiled once, checked for unknown
//! variables and functions, and located in the rule file for errors.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};

use cel::common::ast::{CallExpr, EntryExpr, Expr as Ast, IdedExpr, LiteralValue, operators};
use cel::common::value::CowVal;
use cel::{Context, Env, ExecutionError, ParseErrors, Program, Value};

use super::error::{RuleError, RuleSource, did_you_mean};
use super::position::InFile;
use super::view::DATA_MAPS;
use super::view::schema::{Ty, all_fields};

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

/// Programs compiled so far, by their text, for the rules compiled together
/// to share: the built-in rules write 201 expressions, 111 of them
/// different (`item.permission` 16 times, `item` 14), and each compile is a
/// run of cel's ANTLR lexer and parser (the example's check: 32 of 61
/// million instructions, though on both cores).
#[derive(Debug, Default)]
pub struct Programs(Mutex<HashMap<String, Arc<Program>>>);

impl Programs {
    /// `text` compiled in `env`, once. (What fails to compile is not kept:
    /// a rule file with an error is rare, and reported as it is found.)
    fn compile(&self, env: &Env, text: &str) -> Result<Arc<Program>, ParseErrors> {
        let lock = || self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(program) = lock().get(text) {
            return Ok(Arc::clone(program));
        }
        // Compiled unlocked: rule files are compiled on several threads.
        let program = Arc::new(env.compile(text)?);
        Ok(Arc::clone(lock().entry(text.to_string()).or_insert(program)))
    }
}

/// One compiled expression and where its text is in the rule file.
#[derive(Debug)]
pub struct Expr {
    /// The expression as written (for its source positions, and for the
    /// quick test, which reads it), shared by the expressions written alike.
    pub program: Arc<Program>,
    /// What is evaluated: the program's expression, its field selections
    /// rooted at their variable directly ([`select_from_values`]).
    evaluated: IdedExpr,
    pub text: String,
    /// Byte range of the expression's text in the rule file.
    pub span: (usize, usize),
    /// What its value is, as far as is known when the rule is loaded.
    pub ty: Ty,
}

/// A variable an expression may use, and what it is.
pub type Var<'a> = (&'a str, Ty);

impl Expr {
    /// Evaluates the expression in `ctx`. The result may borrow the
    /// context's values and the model: nodes stay nodes (see
    /// [`super::view::node`]) rather than being copied into a `cel::Value`.
    pub fn evaluate<'e, 'v>(&'e self, ctx: &'e Context<'_, 'v>) -> Result<CowVal<'e, 'v>, ExecutionError> {
        Value::resolve_val(&self.evaluated, ctx)
    }
}

pub fn compile(
    env: &Env,
    programs: &Programs,
    source: &RuleSource,
    at: InFile,
    variables: &[Var],
) -> Result<Expr, Box<RuleError>> {
    let text = at.text();
    let locate = |char_offset: usize, len: usize| at.locate(source, char_offset, len);
    let program = programs.compile(env, text).map_err(|errors| {
        let first = errors.errors.first();
        let (line, column) = first.map_or((1, 1), |e| (e.pos.0.max(1) as usize, e.pos.1.max(1) as usize));
        // An error at the end of input (`a &&`) is shown on the last token,
        // not past a block scalar's trailing line break.
        let last = text.trim_end().chars().count().saturating_sub(1);
        let offset = char_offset_of(text, line, column).min(last);
        let message = first.map_or("syntax error", |e| syntax_message(&e.msg));
        RuleError::new(source, locate(offset, 1), format!("CEL syntax error: {message}")).label("here")
    })?;
    let ty = check_names(&program, variables).map_err(|(unknown, id)| {
        // CEL records a node's offset in bytes.
        let byte = program.source_info().offset_for(id).map_or(0, |(start, _)| start as usize);
        let offset = text.char_indices().take_while(|&(i, _)| i < byte).count();
        let start = match unknown {
            // A selection is recorded at its `.`, the field name follows.
            Unknown::Field(..) => name_after(text, offset, unknown.name()),
            _ => name_start(text, offset, unknown.name()),
        };
        let span = locate(start, unknown.name().chars().count());
        let names: Vec<&str> = variables.iter().map(|(name, _)| *name).collect();
        unknown.into_error(source, span, &names)
    })?;
    let span = locate(0, text.chars().count());
    let mut evaluated = program.expression().clone();
    select_from_values(&mut evaluated);
    Ok(Expr { program, evaluated, text: text.to_string(), span, ty })
}

/// A CEL syntax error's message without what repeats or dumps internals:
/// cel words some errors as the debug text of its own error value
/// (`OtherError(ParseError { ..., msg: "Recursion limit of 96 exceeded", ... })`).
fn syntax_message(message: &str) -> &str {
    let message = message.strip_prefix("Syntax error: ").unwrap_or(message);
    match message.split_once("msg: \"").and_then(|(_, rest)| rest.split_once('"')) {
        Some((inner, _)) if message.starts_with("OtherError(") => inner,
        _ => message,
    }
}

/// Roots each chain of field selections (`item.user.email`) at its
/// variable's value rather than its name: the variable `item` is spelled
/// `true ? item : item`, which the interpreter evaluates as `item` (its
/// first special case, borrowing the literal).
///
/// Why: cel 0.15 evaluates a chain rooted at a name as a qualified name,
/// each time. It joins the chain into a string and looks up each prefix
/// (`item.user.email`, `item.user`, `item`) in each scope, innermost first,
/// for a variable or a type named with dots, then selects the fields left.
/// A rule's names are its variables (`check_names` lets no other through),
/// and none is dotted, so the lookup always ends at the root variable, and
/// the value is that variable's, field by field: what the interpreter
/// computes for any other root. Those lookups were 29% of a finding's
/// instructions; the interpreter still walks each chain once to find that
/// it has no name at its root.
fn select_from_values(e: &mut IdedExpr) {
    match &mut e.expr {
        Ast::Select(select) => match &select.operand.expr {
            Ast::Ident(_) => {
                let variable = (*select.operand).clone();
                let yes =
                    IdedExpr { id: variable.id, expr: Ast::Literal(LiteralValue::Boolean(true.into())) };
                let args = vec![yes, variable.clone(), variable];
                let call = CallExpr { func_name: operators::CONDITIONAL.to_string(), target: None, args };
                select.operand.expr = Ast::Call(call);
            }
            _ => select_from_values(&mut select.operand),
        },
        Ast::Call(call) => {
            if let Some(target) = &mut call.target {
                select_from_values(target);
            }
            call.args.iter_mut().for_each(select_from_values);
        }
        Ast::List(list) => list.elements.iter_mut().for_each(select_from_values),
        Ast::Map(map) => {
            for entry in &mut map.entries {
                if let EntryExpr::MapEntry(entry) = &mut entry.expr {
                    select_from_values(&mut entry.key);
                    select_from_values(&mut entry.value);
                }
            }
        }
        Ast::Struct(s) => {
            for entry in &mut s.entries {
                if let EntryExpr::StructField(field) = &mut entry.expr {
                    select_from_values(&mut field.value);
                }
            }
        }
        Ast::Comprehension(c) => {
            let c = &mut **c;
            for part in
                [&mut c.iter_range, &mut c.accu_init, &mut c.loop_cond, &mut c.loop_step, &mut c.result]
            {
                select_from_values(part);
            }
        }
        Ast::Ident(_) | Ast::Literal(_) | Ast::Unspecified => {}
    }
}

enum Unknown {
    Variable(String),
    Function(String),
    /// A field the value it is read from does not have.
    Field(String, Ty),
    /// A place (`key_of(..)`, `value_of(..)`: the function) compared as a value.
    ComparedPlace(String),
    /// A call of `key_of`, `value_of` or `stated` (the function) with
    /// arguments it does not take.
    Call(String),
}

impl Unknown {
    fn name(&self) -> &str {
        match self {
            Unknown::Variable(n)
            | Unknown::Function(n)
            | Unknown::Field(n, _)
            | Unknown::ComparedPlace(n)
            | Unknown::Call(n) => n,
        }
    }

    fn into_error(self, source: &RuleSource, span: (usize, usize), variables: &[&str]) -> Box<RuleError> {
        let fields;
        let (what, of, candidates): (&str, Option<&str>, &[&str]) = match &self {
            Unknown::ComparedPlace(_) => {
                return RuleError::new(source, span, "a place in the snapshot is compared as a value")
                    .label("a place, for `at`")
                    .help(
                        "`key_of(..)` and `value_of(..)` give places, for `at` and related `at`: compare the \
                         field itself (`item.internal == true`), or ask whether the snapshot writes it \
                         (`stated(item, \"internal\")`)",
                    );
            }
            Unknown::Call(function) => {
                let call = match function.as_str() {
                    "key_of" => "key_of(item) or key_of(item, \"field\")",
                    "value_of" => "value_of(item, \"field\")",
                    _ => "stated(item, \"field\")",
                };
                return RuleError::new(source, span, format!("`{function}` takes {call}"))
                    .label("called with other arguments")
                    .help(format!("write {call}: an entity, then the name of one of its fields as text"));
            }
            Unknown::Variable(_) => ("variable", None, variables),
            Unknown::Function(_) => ("function", None, FUNCTIONS),
            Unknown::Field(_, Ty::Node(kind)) => {
                fields = kind.fields().iter().map(|(name, _)| *name).collect::<Vec<_>>();
                ("field", Some(kind.described()), &fields)
            }
            Unknown::Field(_, ty) => match ty.described() {
                Some(value) => {
                    let name = self.name();
                    return RuleError::new(source, span, format!("unknown field `{name}`"))
                        .label(format!("{value} has no fields"))
                        .help(match ty {
                            Ty::List(_) => format!("read it of each element: `.map(x, x.{name})`, `.exists(x, x.{name} ...)`"),
                            _ => "only entities have fields: the README's collections table says what each field holds"
                                .to_string(),
                        });
                }
                None => {
                    fields = all_fields();
                    ("field", None, &fields)
                }
            },
        };
        let name = self.name();
        let label = match of {
            Some(of) => format!("not a field of {of}"),
            None => format!("not a known {what}"),
        };
        let error = RuleError::new(source, span, format!("unknown {what} `{name}`")).label(label);
        match (did_you_mean(name, candidates.iter().copied()), of) {
            (Some(close), _) => error.help(format!("did you mean `{close}`?")),
            (None, Some(of)) => error.help(format!("the fields of {of}: {}", candidates.join(", "))),
            (None, None) => error.help(format!("known {what}s: {}", candidates.join(", "))),
        }
    }
}

/// Walks the expression, tracking the variables comprehensions bind, and
/// returns what its value is, or the first unknown name with the id of the
/// node that uses it.
fn check_names(program: &Program, variables: &[Var]) -> Result<Ty, (Unknown, u64)> {
    let mut bound: Vec<(String, Ty)> = variables.iter().map(|&(name, ty)| (name.to_string(), ty)).collect();
    let functions: HashSet<&str> = FUNCTIONS.iter().copied().collect();
    walk(program.expression(), &functions, &mut bound)
}

/// What the value of `e` is, checking its names; `bound` holds the
/// variables in scope, innermost last.
fn walk(
    e: &IdedExpr,
    functions: &HashSet<&str>,
    bound: &mut Vec<(String, Ty)>,
) -> Result<Ty, (Unknown, u64)> {
    Ok(match &e.expr {
        Ast::Ident(name) => match bound.iter().rev().find(|(b, _)| b == name) {
            Some(&(_, ty)) => ty,
            None => return Err((Unknown::Variable(name.clone()), e.id)),
        },
        Ast::Call(call) => {
            let operator = call.func_name.starts_with(['_', '@', '!', '-']);
            if !operator && !functions.contains(call.func_name.as_str()) {
                return Err((Unknown::Function(call.func_name.clone()), e.id));
            }
            if let Some(target) = &call.target {
                walk(target, functions, bound)?;
            }
            let mut args = Vec::with_capacity(call.args.len());
            for arg in &call.args {
                args.push(walk(arg, functions, bound)?);
            }
            // A place is for pointing: its value is not the setting's, so a
            // comparison would be silently false (or true), in a list too.
            let compares = [
                operators::EQUALS,
                operators::NOT_EQUALS,
                operators::IN,
                operators::LESS,
                operators::LESS_EQUALS,
                operators::GREATER,
                operators::GREATER_EQUALS,
            ]
            .contains(&call.func_name.as_str());
            let place = |ty: &Ty| matches!(ty, Ty::Place | Ty::List(Ty::Place));
            if let Some(place) = args.iter().position(|ty| compares && place(ty)) {
                let function = match &call.args[place].expr {
                    Ast::Call(call) => call.func_name.clone(),
                    _ => String::new(),
                };
                return Err((Unknown::ComparedPlace(function), call.args[place].id));
            }
            if PLACE_FUNCTIONS.contains(&call.func_name.as_str()) {
                place_call(e.id, call, &args)?;
            }
            match (call.func_name.as_str(), &args[..]) {
                (operators::INDEX, [Ty::List(element) | Ty::Map(element), _]) => **element,
                (operators::CONDITIONAL, [_, yes, no]) if yes == no => *yes,
                ("key_of" | "value_of", _) => Ty::Place,
                _ => Ty::Any,
            }
        }
        Ast::Select(select) => {
            let field = select.field.as_str();
            let ty = match walk(&select.operand, functions, bound)? {
                Ty::Node(kind) => {
                    kind.field(field).ok_or_else(|| (Unknown::Field(field.into(), Ty::Node(kind)), e.id))?
                }
                Ty::Map(element) => *element,
                Ty::Any if all_fields().contains(&field) || selects_from_data_map(&select.operand) => Ty::Any,
                ty => return Err((Unknown::Field(field.into(), ty), e.id)),
            };
            // `has(x.field)` is a selection marked as a test: a boolean.
            if select.test { Ty::Bool } else { ty }
        }
        Ast::List(l) => {
            let mut places = false;
            for el in &l.elements {
                places |= walk(el, functions, bound)? == Ty::Place;
            }
            // Kept as a list of places, which may not be compared either.
            if places { Ty::List(&Ty::Place) } else { Ty::Any }
        }
        Ast::Map(m) => {
            for entry in &m.entries {
                if let EntryExpr::MapEntry(me) = &entry.expr {
                    walk(&me.key, functions, bound)?;
                    walk(&me.value, functions, bound)?;
                }
            }
            Ty::Any
        }
        Ast::Struct(s) => {
            for entry in &s.entries {
                if let EntryExpr::StructField(f) = &entry.expr {
                    walk(&f.value, functions, bound)?;
                }
            }
            Ty::Any
        }
        Ast::Comprehension(c) => {
            let range = walk(&c.iter_range, functions, bound)?;
            walk(&c.accu_init, functions, bound)?;
            let depth = bound.len();
            // Over a list: its elements (or, with two variables, index and
            // element); over a map: its keys (or key and value).
            let (first, second) = match (range, &c.iter_var2) {
                (Ty::List(element), None) => (*element, Ty::Any),
                (Ty::List(element), Some(_)) => (Ty::Any, *element),
                (Ty::Map(value), _) => (Ty::Text, *value),
                _ => (Ty::Any, Ty::Any),
            };
            bound.push((c.iter_var.clone(), first));
            bound.extend(c.iter_var2.clone().map(|name| (name, second)));
            bound.push((c.accu_var.clone(), Ty::Any));
            let inner = [&c.loop_cond, &c.loop_step, &c.result];
            let result = inner.into_iter().try_for_each(|x| walk(x, functions, bound).map(drop));
            bound.truncate(depth);
            result?;
            Ty::Any
        }
        Ast::Literal(_) | Ast::Unspecified => Ty::Any,
    })
}

/// sitelint's functions that take an entity and the name of one of its
/// fields (see [`super::functions`]).
const PLACE_FUNCTIONS: [&str; 3] = ["key_of", "value_of", "stated"];

/// Checks a call of `key_of`, `value_of` or `stated` (whose arguments are
/// `args`) as the functions will read it: the field it names, when written
/// as text, must be one the entity has, as `item.field` must; a typo would
/// otherwise point at the whole entity, or read as "not stated".
fn place_call(id: u64, call: &CallExpr, args: &[Ty]) -> Result<(), (Unknown, u64)> {
    let name = call.func_name.as_str();
    let arity_ok = match name {
        "key_of" => matches!(args.len(), 1 | 2),
        _ => args.len() == 2,
    };
    if call.target.is_some() || !arity_ok {
        return Err((Unknown::Call(name.to_string()), id));
    }
    let Some(field) = call.args.get(1) else { return Ok(()) };
    let text = match &field.expr {
        Ast::Literal(LiteralValue::String(text)) => text.inner(),
        Ast::Literal(_) => return Err((Unknown::Call(name.to_string()), id)),
        // A field chosen while the rule runs is checked then.
        _ => return Ok(()),
    };
    // A key of a data map is named after it: "roles.jira-servicemanagement".
    let (head, key) = match text.split_once('.') {
        Some((head, key)) => (head, Some(key)),
        None => (text, None),
    };
    // A key the snapshot may write that the view has no field for
    // (`site.exported_at`) can still be stated and pointed at.
    let written = key.is_none() && crate::model::decode::is_snapshot_key(head);
    let known = written
        || match args[0] {
            Ty::Node(kind) => match (kind.field(head), key) {
                (Some(_), None) => true,
                (Some(ty), Some(_)) => matches!(ty, Ty::Map(_)),
                (None, _) => false,
            },
            Ty::Any => all_fields().contains(&head),
            // A map's keys are data (an app key, a role name), and a value
            // that is no entity is an error when the rule runs.
            _ => true,
        };
    if known { Ok(()) } else { Err((Unknown::Field(text.to_string(), args[0]), field.id)) }
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

/// The CEL environment rules are compiled and run in.
pub fn env() -> Arc<Env> {
    let mut env = Env::stdlib();
    env.add_extension(cel::extensions::strings).expect("the strings extension declares once");
    Arc::new(env)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::engine::root_context;
    use crate::rules::view::View;
    use crate::rules::view::schema::Kind;
    use crate::{load, model};

    #[test]
    fn syntax_messages_are_cels_words_not_its_values() {
        assert_eq!(syntax_message("Syntax error: mismatched input '&&'"), "mismatched input '&&'");
        let dump = "Syntax error: OtherError(ParseError { source: None, pos: (96, -1), \
                    msg: \"Recursion limit of 96 exceeded\", expr_id: 0, source_info: None })";
        assert_eq!(syntax_message(dump), "Recursion limit of 96 exceeded");
    }

    /// Whether some field selection is still rooted at a name.
    fn selects_from_a_name(e: &IdedExpr) -> bool {
        let mut found = false;
        let mut copy = e.clone();
        visit(&mut copy, &mut |e| {
            found |= matches!(&e.expr, Ast::Select(s) if matches!(s.operand.expr, Ast::Ident(_)));
        });
        found
    }

    fn visit(e: &mut IdedExpr, f: &mut impl FnMut(&IdedExpr)) {
        f(e);
        match &mut e.expr {
            Ast::Select(s) => visit(&mut s.operand, f),
            Ast::Call(c) => {
                c.target.iter_mut().for_each(|t| visit(t, f));
                c.args.iter_mut().for_each(|a| visit(a, f));
            }
            Ast::List(l) => l.elements.iter_mut().for_each(|x| visit(x, f)),
            Ast::Comprehension(c) => {
                let c = &mut **c;
                for part in
                    [&mut c.iter_range, &mut c.accu_init, &mut c.loop_cond, &mut c.loop_step, &mut c.result]
                {
                    visit(part, f);
                }
            }
            _ => {}
        }
    }

    /// Rooting selections at values changes no answer: the same values,
    /// the same errors, with comprehension variables, presence tests and
    /// the site's settings, on every customer reference of the example.
    #[test]
    fn selections_from_values_evaluate_as_written() {
        let texts = [
            "item.user.email",
            "item.user.account_type == \"customer\" && item.user.active",
            "has(item.user.email) && has(site.customer_access.external)",
            "item.projects.map(p, p.key)",
            "[item.user].exists(u, u.email_domain == item.user.email_domain)",
            "item.organization.name",
            "site.customer_access.external_domains",
            "value_of(item.user, \"status\")",
        ];
        let env = env();
        let loaded = load::load_path("snapshots/example".as_ref()).unwrap();
        let (site, facts, _) = model::build(&loaded.documents);
        let view = View::build(&site, &facts);
        let root = root_context(&env, &view);
        let refs = view.collection("customer_refs");
        assert!(refs.len() > 3, "the example lists customers");
        let vars = [("item", Ty::Node(Kind::CustomerRef)), ("site", Ty::Node(Kind::Site))];
        for text in texts {
            let source = RuleSource { name: "test.yaml".into(), text: text.into() };
            let expr =
                compile(&env, &Programs::default(), &source, InFile::whole(text, (0, text.len())), &vars)
                    .unwrap();
            assert!(selects_from_a_name(expr.program.expression()), "{text}");
            assert!(!selects_from_a_name(&expr.evaluated), "{text}");
            for index in 0..refs.len() {
                let mut ctx = root.new_inner_scope();
                ctx.add_variable_as_val("item", Box::new(refs.get(index)));
                let written = Value::resolve_val(expr.program.expression(), &ctx);
                let evaluated = expr.evaluate(&ctx);
                match (written, evaluated) {
                    (Ok(a), Ok(b)) => assert!(a.equals(b.as_ref()), "{text} on item {index}: {a:?} / {b:?}"),
                    (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{text} on item {index}"),
                    (a, b) => panic!("{text} on item {index}: {a:?} / {b:?}"),
                }
            }
        }
    }
}
