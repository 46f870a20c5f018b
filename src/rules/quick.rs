//! A quick test of a rule's `when`, run on each item before the CEL
//! interpreter; and the same quick evaluation of the expressions a finding
//! is made of (its places, the parts of its texts: [`QuickExpr`]), which
//! leaves to the interpreter what it can't tell.
//!
//! On a big site most items fail a rule's condition on its first field or
//! two (an active account, an Atlassian account, a customer whose domain is
//! allowed). The interpreter spends most of its time on the rest: a new
//! scope per item, names resolved through it as qualified names, a boxed
//! value per field read. [`Quick`] is the condition compiled once per run
//! into operations on the view's own field values ([`Field`]): texts,
//! booleans and nodes are compared as they are, without allocating. A
//! comparison of an account's field with a text, and a boolean field of an
//! account, are asked of the view's record of the account ([`AccountTest`]):
//! the rules over hundreds of thousands of accounts and customer references
//! are mostly such questions.
//!
//! The engine asks it of a chunk of items at once ([`Quick::answer_all`]):
//! each operation runs over the chunk in one loop.
//!
//! The test answers one question: is `when` certainly false for this item?
//! Anything else (true, an error, a construct it does not handle, such as a
//! function call or a `let`) leaves the item to the interpreter, which alone
//! decides what a rule reports. Where it does answer, it follows the
//! interpreter's own semantics (cel 0.15's `resolve_val`): `&&` and `||`
//! short-circuit and absorb an error from the other side only as the
//! interpreter does, `==` is [`Val::equals`] (texts, booleans, null and
//! nodes compare as their `equals` does; other pairs are asked), `in` is
//! [`Container::contains`](cel::common::traits::Container::contains), a
//! field is what the node answers, a list literal is a list, and a
//! comprehension is followed only over an empty range, where it is its
//! result expression with the accumulator at its initial value. A test holds
//! the two to the same answer for every rule on every item of the example
//! and of each rule's own test snapshots.

use std::borrow::Cow;
use std::fmt::Write;

use cel::common::ast::{Expr as Ast, IdedExpr, LiteralValue, operators};
use cel::common::types::{CelBool, CelInt, CelList, CelNull, CelString, Kind};
use cel::common::value::Val;

use super::engine::collect_places;
use super::functions::LOC;
use super::template;
use super::view::node::{Node, Of};
use super::view::{AccountTest, Field, View};
use crate::source::Location;

/// A rule's `when`, compiled for the quick test on one view.
#[derive(Debug)]
pub struct Quick<'r>(Op<'r>);

#[derive(Debug)]
enum Op<'r> {
    Item,
    Site,
    /// A comprehension's accumulator.
    Var(&'r str),
    Text(&'r str),
    Bool(bool),
    Null,
    Int(i64),
    /// A part that reads neither the item nor a variable (such as
    /// `site.customer_access.external_domains`): its value, the same for
    /// every item, computed when the test is compiled.
    Const(Value<'r>),
    Select(Box<Op<'r>>, &'r str),
    /// A comparison of an account field with a text, or a boolean account
    /// field: asked of the account's record when `node` is an account
    /// (`item` over users, `item.user` over customer references), else
    /// evaluated as `generic`, the same expression op by op.
    Account {
        node: Box<Op<'r>>,
        test: AccountTest,
        generic: Box<Op<'r>>,
    },
    /// `node.email_domain in list`: where the list is a constant, each
    /// domain of the site is answered once, by its number, as constants
    /// are folded (`None` where this test can't tell); a site has a few
    /// dozen domains and hundreds of thousands of customer references, and
    /// CA004 asks this of each. Evaluated as `generic` where the node is no
    /// account, its email has no domain, or the list is no constant.
    DomainIn {
        node: Box<Op<'r>>,
        by_number: Vec<Option<bool>>,
        generic: Box<Op<'r>>,
    },
    And(Box<[Op<'r>; 2]>),
    Or(Box<[Op<'r>; 2]>),
    Not(Box<Op<'r>>),
    /// The operand as a boolean, or an error: what `true && x` is.
    Truth(Box<Op<'r>>),
    Eq(Box<[Op<'r>; 2]>),
    In(Box<[Op<'r>; 2]>),
    Cond(Box<[Op<'r>; 3]>),
    List(Vec<Op<'r>>),
    /// `a + b`: texts and integers here, other kinds by their CEL adder.
    Add(Box<[Op<'r>; 2]>),
    /// `list.join()` (the separator a text of its own) or `list.join(sep)`.
    Join(Box<[Op<'r>; 2]>),
    /// `size(x)` or `x.size()`: of a list or map, and a text's characters.
    Size(Box<Op<'r>>),
    /// `<`, `<=`, `>` or `>=` (`holds`) of two integers.
    Compare {
        ops: Box<[Op<'r>; 2]>,
        holds: fn(&i64, &i64) -> bool,
    },
    /// `key_of(node)`, `key_of(node, "field")` or `value_of(node, "field")`:
    /// the node's answer to `key` in the place protocol (`_key:field`).
    Place {
        node: Box<Op<'r>>,
        key: String,
    },
    /// A comprehension, followed when its range is empty.
    Fold {
        init: Box<Op<'r>>,
        range: Box<Op<'r>>,
        accu: &'r str,
        /// Whether its result is the accumulator as it stands, as in
        /// `exists`, `all`, `filter` and `map`: over an empty range, that
        /// is `init`. AC003 asks `exists` of every account.
        result_is_accu: bool,
        result: Box<Op<'r>>,
    },
    /// Anything else: the test can't tell.
    Unknown,
}

impl<'r> Quick<'r> {
    /// The test of `when` on the items of `view`.
    pub fn compile(when: &'r IdedExpr, view: &'r View<'r>) -> Quick<'r> {
        Quick(fold_constants(compile(when), view))
    }

    /// The value of `when` for `item`, where this test can tell; `None`
    /// where only the interpreter can. Item by item, as the tests check
    /// [`answer_all`](Self::answer_all) against.
    #[cfg(test)]
    pub fn answer(&self, view: &'r View<'r>, item: Node) -> Option<bool> {
        let cx = Cx { view, item: item.of, scope: None };
        test(&self.0, &cx)
    }

    /// [`answer`](Self::answer) for each item of `chunk`, into `answers`
    /// (as long).
    ///
    /// The rules over a big collection test each item on a field or two:
    /// taken item by item, most of the work was walking the test's
    /// operations and handing values between them. Here each operation runs
    /// over all the items in one loop, and where an operation decides an
    /// item (`false && ...`), its other side is not evaluated for it.
    pub fn answer_all(&self, chunk: &mut Chunk<'r, '_>, answers: &mut [Option<bool>]) {
        tests(&self.0, chunk, &POSITIONS[..chunk.items.len()], answers);
    }
}

/// How many items a [`Chunk`] holds at most.
pub const BATCH: usize = 64;

/// Every position in a chunk, in order.
const POSITIONS: [usize; BATCH] = {
    let mut positions = [0; BATCH];
    let mut i = 0;
    while i < BATCH {
        positions[i] = i;
        i += 1;
    }
    positions
};

/// Items that tests run over together ([`Quick::answer_all`]), and the
/// nodes their fields lead to as far as read (`item.user`): the rules over
/// a collection mostly read the same ones (four of them `item.user` of
/// every customer reference), and each is read once per chunk.
pub struct Chunk<'r, 'c> {
    view: &'r View<'r>,
    items: &'c [Of],
    fields: Vec<(&'r str, [Option<Of>; BATCH])>,
}

impl<'r, 'c> Chunk<'r, 'c> {
    /// At most [`BATCH`] items of `view`.
    pub fn new(view: &'r View<'r>, items: &'c [Of]) -> Chunk<'r, 'c> {
        assert!(items.len() <= BATCH, "a chunk holds at most {BATCH} items");
        Chunk { view, items, fields: Vec::new() }
    }

    /// The node each item's `field` is, if it is one.
    fn field(&mut self, field: &'r str) -> &[Option<Of>; BATCH] {
        let index = match self.fields.iter().position(|(name, _)| *name == field) {
            Some(index) => index,
            None => {
                let mut nodes = [None; BATCH];
                for (node, &item) in nodes.iter_mut().zip(self.items) {
                    *node = node_field(self.view, item, field);
                }
                self.fields.push((field, nodes));
                self.fields.len() - 1
            }
        };
        &self.fields[index].1
    }
}

/// [`test`] of `op` for the items of `chunk` at positions `at`, into `out`.
fn tests<'r>(op: &Op<'r>, chunk: &mut Chunk<'r, '_>, at: &[usize], out: &mut [Option<bool>]) {
    let view = chunk.view;
    let one = |item: Of| Cx { view, item, scope: None };
    match op {
        Op::Bool(b) => out.fill(Some(*b)),
        Op::Const(value) => out.fill(value.as_bool()),
        Op::Not(op) => {
            tests(op, chunk, at, out);
            out.iter_mut().for_each(|answer| *answer = answer.map(|b| !b));
        }
        Op::Truth(op) => tests(op, chunk, at, out),
        // As `test` combines them; the right side only where the left one
        // does not decide.
        Op::And(ops) => {
            tests(&ops[0], chunk, at, out);
            where_undecided(&ops[1], chunk, at, out, Some(false), |left, right| match (left, right) {
                (_, None) => None,
                (Some(true), right) => right,
                (_, Some(false)) => Some(false),
                _ => None,
            });
        }
        Op::Or(ops) => {
            tests(&ops[0], chunk, at, out);
            where_undecided(&ops[1], chunk, at, out, Some(true), |left, right| match (left, right) {
                (_, None) => None,
                (Some(false), right) => right,
                (_, Some(true)) => Some(true),
                _ => None,
            });
        }
        Op::Account { node, .. } | Op::DomainIn { node, .. } => {
            let mut of = [None; BATCH];
            nodes(node, chunk, at, &mut of[..at.len()]);
            for ((answer, of), &i) in out.iter_mut().zip(of).zip(at) {
                *answer = on_record(op, of, &one(chunk.items[i]));
            }
        }
        // Over an empty range, as `eval` has it, the initial value; the
        // range asked of the view without being made (AC003's
        // `item.same_email.exists(...)` of every account).
        Op::Fold { init, range, result_is_accu: true, .. } => match &**range {
            Op::Select(node, field) => {
                let mut of = [None; BATCH];
                nodes(node, chunk, at, &mut of[..at.len()]);
                for ((answer, of), &i) in out.iter_mut().zip(of).zip(at) {
                    let cx = one(chunk.items[i]);
                    *answer = match of.and_then(|of| view.list_is_empty(of, field)) {
                        Some(true) => test(init, &cx),
                        _ => test(op, &cx),
                    };
                }
            }
            _ => one_by_one(op, chunk, at, out),
        },
        op => one_by_one(op, chunk, at, out),
    }
}

/// [`test`] of `op` for each item in turn.
fn one_by_one<'r>(op: &Op<'r>, chunk: &Chunk<'r, '_>, at: &[usize], out: &mut [Option<bool>]) {
    for (answer, &i) in out.iter_mut().zip(at) {
        *answer = test(op, &Cx { view: chunk.view, item: chunk.items[i], scope: None });
    }
}

/// `out[j] = combine(out[j], right)`, `right` the test of `op` on the
/// items whose answer so far is not `decided`; those keep it.
fn where_undecided<'r>(
    op: &Op<'r>,
    chunk: &mut Chunk<'r, '_>,
    at: &[usize],
    out: &mut [Option<bool>],
    decided: Option<bool>,
    combine: impl Fn(Option<bool>, Option<bool>) -> Option<bool>,
) {
    let (mut undecided, mut from) = ([0; BATCH], [0; BATCH]);
    let mut count = 0;
    for (j, (&answer, &i)) in out.iter().zip(at).enumerate() {
        if answer != decided {
            (undecided[count], from[count]) = (i, j);
            count += 1;
        }
    }
    let mut right = [None; BATCH];
    tests(op, chunk, &undecided[..count], &mut right[..count]);
    for (&j, &right) in from[..count].iter().zip(&right[..count]) {
        out[j] = combine(out[j], right);
    }
}

/// [`node`] of `op` for the items of `chunk` at positions `at`, into `out`.
fn nodes<'r>(op: &Op<'r>, chunk: &mut Chunk<'r, '_>, at: &[usize], out: &mut [Option<Of>]) {
    let view = chunk.view;
    match op {
        Op::Item => out.iter_mut().zip(at).for_each(|(of, &i)| *of = Some(chunk.items[i])),
        Op::Site => out.fill(Some(Of::Site)),
        Op::Select(operand, field) if matches!(**operand, Op::Item) => {
            let fields = chunk.field(field);
            out.iter_mut().zip(at).for_each(|(of, &i)| *of = fields[i]);
        }
        Op::Select(operand, field) => {
            nodes(operand, chunk, at, out);
            for of in out.iter_mut() {
                *of = of.and_then(|of| node_field(view, of, field));
            }
        }
        op => {
            for (of, &i) in out.iter_mut().zip(at) {
                *of = node(op, &Cx { view, item: chunk.items[i], scope: None });
            }
        }
    }
}

/// An expression of a finding (a part of a message template), compiled
/// for quick evaluation on one view. A finding's texts take the interpreter
/// a few thousand instructions per part, a boxed value per field read; the
/// rules with thousands of findings on a big site spent most of their time
/// there.
#[derive(Debug)]
pub struct QuickExpr<'r>(Op<'r>);

impl<'r> QuickExpr<'r> {
    pub fn compile(expr: &'r IdedExpr, view: &'r View<'r>) -> QuickExpr<'r> {
        QuickExpr(fold_constants(compile(expr), view))
    }

    /// The value of the expression for `item`, as the interpreter would
    /// give it; `None` where only the interpreter can tell.
    pub fn value(&self, item: Node<'r>) -> Option<Box<dyn Val + 'r>> {
        let cx = Cx { view: item.view, item: item.of, scope: None };
        Some(eval(&self.0, &cx)?.to_val(item.view))
    }

    /// Appends to `out` the places the value of the expression for `item`
    /// stands for, as the engine reads them from the value ([`collect_places`]);
    /// `false`, with `out` as it was, where only the interpreter can tell or
    /// the value is no place. A finding's places are nodes mostly (`item`,
    /// `item.user`): read here without making their CEL values.
    pub fn places(&self, item: Node<'r>, out: &mut Vec<Location>) -> bool {
        let view = item.view;
        let cx = Cx { view, item: item.of, scope: None };
        let place = |of: Of| Node::new(view, of).place(LOC);
        match eval(&self.0, &cx) {
            Some(Value::Null) => {}
            Some(Value::Node(of)) => out.extend(place(of)),
            Some(Value::Nodes(nodes)) => out.extend(nodes.into_iter().filter_map(place)),
            Some(Value::Cel(value)) => {
                let start = out.len();
                if collect_places(value.as_ref(), out).is_err() {
                    out.truncate(start);
                    return false;
                }
            }
            Some(Value::Text(_) | Value::Bool(_) | Value::Int(_)) | None => return false,
        }
        true
    }

    /// Appends to `out` how the value of the expression for `item` reads in
    /// a message, as [`template::display`] shows it; `false`, with `out` as
    /// it was, where only the interpreter can tell.
    pub fn display(&self, item: Node<'r>, out: &mut String) -> bool {
        let cx = Cx { view: item.view, item: item.of, scope: None };
        let start = out.len();
        if show(&self.0, &cx, out).is_none() {
            out.truncate(start);
            return false;
        }
        true
    }
}

/// Appends how the value of `op` reads in a message ([`QuickExpr::display`]);
/// `None` exactly where [`eval`] is, `out` then left for the caller to cut.
///
/// A message is mostly texts joined by `+` and chosen by `?:`; evaluated,
/// each join made a new string from the two before it (27,500 joins for
/// the 6,446 findings of a 5 MB site with 20% problems). Here the parts of
/// a text are written where they end up.
fn show<'r>(op: &Op<'r>, cx: &Cx<'_, 'r>, out: &mut String) -> Option<()> {
    match op {
        Op::Text(text) => out.push_str(text),
        Op::Cond(ops) => show(if test(&ops[0], cx)? { &ops[1] } else { &ops[2] }, cx, out)?,
        // Texts both: written in turn. Anything else (a list, a sum, a text
        // added to a number, which fails) as `eval` has it.
        Op::Add(ops) => {
            let start = out.len();
            if text(&ops[0], cx, out).and_then(|()| text(&ops[1], cx, out)).is_none() {
                out.truncate(start);
                show_value(eval(op, cx)?, cx.view, out)?;
            }
        }
        op => show_value(eval(op, cx)?, cx.view, out)?,
    }
    Some(())
}

/// Appends the value of `op` if it is a text (as [`eval`] gives it);
/// `None` if it is not or can't be told, `out` then left for the caller to
/// cut.
fn text<'r>(op: &Op<'r>, cx: &Cx<'_, 'r>, out: &mut String) -> Option<()> {
    match op {
        Op::Text(text) => out.push_str(text),
        Op::Cond(ops) => text(if test(&ops[0], cx)? { &ops[1] } else { &ops[2] }, cx, out)?,
        Op::Add(ops) => {
            text(&ops[0], cx, out)?;
            text(&ops[1], cx, out)?;
        }
        op => match eval(op, cx)? {
            Value::Text(text) => out.push_str(&text),
            _ => return None,
        },
    }
    Some(())
}

/// Appends how `value` reads in a message, as [`template::display`] shows
/// its CEL value; `None` for a value a message cannot show (a place),
/// which the interpreter reports.
fn show_value<'r>(value: Value<'r>, view: &'r View<'r>, out: &mut String) -> Option<()> {
    match value {
        Value::Text(text) => out.push_str(&text),
        Value::Null => {}
        Value::Bool(b) => _ = write!(out, "{b}"),
        Value::Int(i) => _ = write!(out, "{i}"),
        Value::Node(of) => out.push_str(&view.natural_name(of)),
        Value::Nodes(nodes) => {
            for (i, of) in nodes.into_iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&view.natural_name(of));
            }
        }
        Value::Cel(value) if template::has_place(value.as_ref()) => return None,
        Value::Cel(value) => template::display(value.as_ref(), out),
    }
    Some(())
}

fn compile(e: &IdedExpr) -> Op<'_> {
    let boxed = |e| Box::new(compile(e));
    match &e.expr {
        Ast::Literal(LiteralValue::String(s)) => Op::Text(s.inner()),
        Ast::Literal(LiteralValue::Boolean(b)) => Op::Bool(*b.inner()),
        Ast::Literal(LiteralValue::Int(i)) => Op::Int(*i.inner()),
        Ast::Literal(LiteralValue::Null) => Op::Null,
        Ast::Ident(name) => match name.as_str() {
            "item" => Op::Item,
            "site" => Op::Site,
            _ => Op::Var(name),
        },
        // Hidden keys (the place protocol) are not fields.
        Ast::Select(select) if !select.test && !select.field.starts_with('_') => {
            let generic = Op::Select(boxed(&select.operand), &select.field);
            match AccountTest::flag(&select.field) {
                Some(test) => Op::Account { node: boxed(&select.operand), test, generic: Box::new(generic) },
                None => generic,
            }
        }
        Ast::Call(call) if call.target.is_none() && PLACES.contains(&call.func_name.as_str()) => {
            place(&call.func_name, &call.args)
        }
        Ast::Call(call) if call.target.is_none() => {
            let a = &call.args;
            match (call.func_name.as_str(), a.len()) {
                (operators::LOGICAL_AND, 2) => Op::And(Box::new([compile(&a[0]), compile(&a[1])])),
                (operators::LOGICAL_OR, 2) => Op::Or(Box::new([compile(&a[0]), compile(&a[1])])),
                (operators::LOGICAL_NOT, 1) => Op::Not(boxed(&a[0])),
                (operators::EQUALS, 2) => {
                    let generic = Op::Eq(Box::new([compile(&a[0]), compile(&a[1])]));
                    account_equals(&a[0], &a[1], generic)
                }
                // `a != b` is `!(a == b)`, errors included.
                (operators::NOT_EQUALS, 2) => {
                    let generic = Op::Eq(Box::new([compile(&a[0]), compile(&a[1])]));
                    Op::Not(Box::new(account_equals(&a[0], &a[1], generic)))
                }
                (operators::IN, 2) => {
                    let generic = Op::In(Box::new([compile(&a[0]), compile(&a[1])]));
                    match &a[0].expr {
                        Ast::Select(select) if !select.test && select.field == "email_domain" => {
                            Op::DomainIn {
                                node: boxed(&select.operand),
                                by_number: Vec::new(),
                                generic: Box::new(generic),
                            }
                        }
                        _ => generic,
                    }
                }
                (operators::CONDITIONAL, 3) => {
                    Op::Cond(Box::new([compile(&a[0]), compile(&a[1]), compile(&a[2])]))
                }
                (operators::ADD, 2) => Op::Add(Box::new([compile(&a[0]), compile(&a[1])])),
                (operators::LESS, 2) => compare(a, i64::lt),
                (operators::LESS_EQUALS, 2) => compare(a, i64::le),
                (operators::GREATER, 2) => compare(a, i64::gt),
                (operators::GREATER_EQUALS, 2) => compare(a, i64::ge),
                ("size", 1) => Op::Size(boxed(&a[0])),
                _ => Op::Unknown,
            }
        }
        Ast::Call(call) if call.func_name == "size" && call.args.is_empty() => match &call.target {
            Some(target) => Op::Size(boxed(target)),
            None => Op::Unknown,
        },
        Ast::Call(call) if call.func_name == "join" => match (&call.target, &call.args[..]) {
            (Some(list), []) => Op::Join(Box::new([compile(list), Op::Text("")])),
            (Some(list), [separator]) => Op::Join(Box::new([compile(list), compile(separator)])),
            _ => Op::Unknown,
        },
        Ast::List(list) if list.optional_indices.is_empty() => {
            Op::List(list.elements.iter().map(compile).collect())
        }
        Ast::Comprehension(c) => Op::Fold {
            init: boxed(&c.accu_init),
            range: boxed(&c.iter_range),
            accu: &c.accu_var,
            result_is_accu: matches!(&c.result.expr, Ast::Ident(name) if *name == c.accu_var),
            result: boxed(&c.result),
        },
        _ => Op::Unknown,
    }
}

fn compare(args: &[IdedExpr], holds: fn(&i64, &i64) -> bool) -> Op<'_> {
    Op::Compare { ops: Box::new([compile(&args[0]), compile(&args[1])]), holds }
}

/// sitelint's functions that name a place (see [`super::functions`]).
const PLACES: [&str; 2] = ["key_of", "value_of"];

/// A call of `key_of` or `value_of`, as [`Op::Place`] where its field is a
/// text written in the call (which is the call the functions accept).
fn place<'r>(function: &str, args: &'r [IdedExpr]) -> Op<'r> {
    let field = match args.get(1).map(|field| &field.expr) {
        Some(Ast::Literal(LiteralValue::String(field))) => Some(field.inner()),
        Some(_) => return Op::Unknown,
        None => None,
    };
    let key = match (function, args.len(), field) {
        ("key_of", 1, None) => "_key".to_string(),
        ("key_of", 2, Some(field)) => format!("_key:{field}"),
        ("value_of", 2, Some(field)) => format!("_value:{field}"),
        _ => return Op::Unknown,
    };
    Op::Place { node: Box::new(compile(&args[0])), key }
}

/// `node.field == "text"`, either way round, as an [`Op::Account`] where
/// `field` is one of an account record's texts; else `generic`.
fn account_equals<'r>(a: &'r IdedExpr, b: &'r IdedExpr, generic: Op<'r>) -> Op<'r> {
    let account = |select: &'r IdedExpr, literal: &'r IdedExpr| {
        let (Ast::Select(select), Ast::Literal(LiteralValue::String(text))) = (&select.expr, &literal.expr)
        else {
            return None;
        };
        let test = AccountTest::equals(&select.field, text.inner()).filter(|_| !select.test)?;
        Some((compile(&select.operand), test))
    };
    match account(a, b).or_else(|| account(b, a)) {
        Some((node, test)) => Op::Account { node: Box::new(node), test, generic: Box::new(generic) },
        None => generic,
    }
}

/// `op` with each of its largest parts that read neither the item nor a
/// variable replaced by its value. Rules test the item against settings of
/// the site, and reading those anew for each of a million items was most of
/// what some rules cost. A part this test can't tell stays as it is.
fn fold_constants<'r>(op: Op<'r>, view: &'r View<'r>) -> Op<'r> {
    if is_constant(&op) {
        let cx = Cx { view, item: Of::Site, scope: None };
        return match eval(&op, &cx) {
            Some(value) => Op::Const(value),
            None => op,
        };
    }
    let fold = |op: Box<Op<'r>>| Box::new(fold_constants(*op, view));
    let fold_all = |ops: Box<[Op<'r>; 2]>| Box::new(ops.map(|op| fold_constants(op, view)));
    match op {
        Op::Select(operand, field) => Op::Select(fold(operand), field),
        Op::Account { node, test, generic } => Op::Account { node: fold(node), test, generic: fold(generic) },
        // `true && x` and `false || x` are `x` as a boolean (errors
        // included, as `test` has it): a setting of the site that lets the
        // rest decide.
        Op::And(ops) => match *fold_all(ops) {
            [Op::Const(Value::Bool(true)), right] => Op::Truth(Box::new(right)),
            ops => Op::And(Box::new(ops)),
        },
        Op::Or(ops) => match *fold_all(ops) {
            [Op::Const(Value::Bool(false)), right] => Op::Truth(Box::new(right)),
            ops => Op::Or(Box::new(ops)),
        },
        Op::Not(op) => Op::Not(fold(op)),
        Op::Truth(op) => Op::Truth(fold(op)),
        Op::Eq(ops) => Op::Eq(fold_all(ops)),
        Op::In(ops) => Op::In(fold_all(ops)),
        Op::Add(ops) => Op::Add(fold_all(ops)),
        Op::Join(ops) => Op::Join(fold_all(ops)),
        Op::Place { node, key } => Op::Place { node: fold(node), key },
        Op::Size(op) => Op::Size(fold(op)),
        Op::Compare { ops, holds } => Op::Compare { ops: fold_all(ops), holds },
        Op::DomainIn { node, generic, .. } => {
            let generic = fold(generic);
            // Each domain answered once, if the list is a constant.
            let by_number = match &*generic {
                Op::In(ops) => match &ops[1] {
                    Op::Const(Value::Cel(list)) => {
                        let answer = |name: &'r String| {
                            contains(list.as_ref(), &Value::Text(Cow::Borrowed(name)), view)
                        };
                        view.email_domains().iter().map(answer).collect()
                    }
                    _ => Vec::new(),
                },
                _ => Vec::new(),
            };
            Op::DomainIn { node: fold(node), by_number, generic }
        }
        Op::Cond(ops) => Op::Cond(Box::new(ops.map(|op| fold_constants(op, view)))),
        Op::List(ops) => Op::List(ops.into_iter().map(|op| fold_constants(op, view)).collect()),
        Op::Fold { init, range, accu, result_is_accu, result } => {
            // Its result reads the accumulator: only its operands can be constant.
            Op::Fold { init: fold(init), range: fold(range), accu, result_is_accu, result }
        }
        op => op,
    }
}

/// Whether `op` reads neither the item nor a variable.
fn is_constant(op: &Op) -> bool {
    match op {
        Op::Site | Op::Text(_) | Op::Bool(_) | Op::Null | Op::Int(_) | Op::Const(_) => true,
        Op::Item | Op::Var(_) | Op::Fold { .. } | Op::Unknown => false,
        Op::Select(op, _)
        | Op::Not(op)
        | Op::Truth(op)
        | Op::Account { node: op, .. }
        | Op::DomainIn { node: op, .. }
        | Op::Place { node: op, .. }
        | Op::Size(op) => is_constant(op),
        Op::Compare { ops, .. } => ops.iter().all(is_constant),
        Op::And(ops) | Op::Or(ops) | Op::Eq(ops) | Op::In(ops) | Op::Add(ops) | Op::Join(ops) => {
            ops.iter().all(is_constant)
        }
        Op::Cond(ops) => ops.iter().all(is_constant),
        Op::List(ops) => ops.iter().all(is_constant),
    }
}

/// What an expression is evaluated against.
struct Cx<'s, 'r> {
    view: &'r View<'r>,
    item: Of,
    /// The innermost accumulator in scope.
    scope: Option<(&'r str, &'s Value<'r>, &'s Cx<'s, 'r>)>,
}

/// A value: the simple kinds as themselves, the rest as CEL values.
#[derive(Debug)]
enum Value<'a> {
    Text(Cow<'a, str>),
    Bool(bool),
    Null,
    Int(i64),
    Node(Of),
    Nodes(Vec<Of>),
    Cel(Box<dyn Val + 'a>),
}

impl<'a> Value<'a> {
    fn from_field(field: Field<'a>) -> Value<'a> {
        match field {
            Field::Text(s) => Value::Text(Cow::Borrowed(s)),
            Field::Owned(s) => Value::Text(Cow::Owned(s)),
            Field::Bool(b) => Value::Bool(b),
            Field::Null => Value::Null,
            Field::Node(of) => Value::Node(of),
            Field::Nodes(of) => Value::Nodes(of),
            Field::Val(v) => Value::Cel(v),
        }
    }

    /// The CEL value the interpreter would have.
    fn to_val(&self, view: &'a View<'a>) -> Box<dyn Val + 'a> {
        match self {
            Value::Text(Cow::Borrowed(s)) => Box::new(CelString::from(*s)),
            Value::Text(Cow::Owned(s)) => Box::new(CelString::from(s.clone())),
            Value::Bool(b) => Box::new(CelBool::from(*b)),
            Value::Null => Box::new(CelNull),
            Value::Int(i) => Box::new(CelInt::from(*i)),
            Value::Node(of) => Field::Node(*of).into_val(view),
            Value::Nodes(of) => Field::Nodes(of.clone()).into_val(view),
            Value::Cel(v) => v.clone_as_boxed(),
        }
    }

    fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            Value::Cel(v) => v.downcast_ref::<CelBool>().map(|b| *b.inner()),
            _ => None,
        }
    }

    /// `self == other`, as [`Val::equals`] answers it.
    fn equals(&self, other: &Value<'a>, view: &'a View<'a>) -> bool {
        match (self, other) {
            (Value::Text(a), Value::Text(b)) => a == b,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Null, Value::Null) => true,
            (Value::Node(a), Value::Node(b)) => a == b,
            _ => self.to_val(view).equals(other.to_val(view).as_ref()),
        }
    }
}

// By hand: a CEL value is cloned through its box.
impl Clone for Value<'_> {
    fn clone(&self) -> Self {
        match self {
            Value::Text(s) => Value::Text(s.clone()),
            Value::Bool(b) => Value::Bool(*b),
            Value::Null => Value::Null,
            Value::Int(i) => Value::Int(*i),
            Value::Node(of) => Value::Node(*of),
            Value::Nodes(of) => Value::Nodes(of.clone()),
            Value::Cel(v) => Value::Cel(v.clone_as_boxed()),
        }
    }
}

/// The value of `op`, or `None` when this test can't tell (including when
/// the interpreter would fail).
fn eval<'r>(op: &Op<'r>, cx: &Cx<'_, 'r>) -> Option<Value<'r>> {
    Some(match op {
        Op::Item => Value::Node(cx.item),
        Op::Site => Value::Node(Of::Site),
        Op::Var(name) => {
            let mut scope = cx.scope;
            loop {
                let (var, value, outer) = scope?;
                if var == *name {
                    break value.clone();
                }
                scope = outer.scope;
            }
        }
        Op::Text(s) => Value::Text(Cow::Borrowed(s)),
        Op::Bool(b) => Value::Bool(*b),
        Op::Null => Value::Null,
        Op::Int(i) => Value::Int(*i),
        Op::Const(value) => value.clone(),
        Op::Select(operand, field) => {
            match node(operand, cx).map_or_else(|| eval(operand, cx), |of| Some(Value::Node(of)))? {
                Value::Node(of) => Value::from_field(cx.view.field_value(of, field)?),
                // Data maps (`roles`); optionals and other kinds take other
                // paths in the interpreter.
                Value::Cel(map) if map.get_type().kind() == Kind::Map => {
                    let value = map.as_indexer()?.get(&CelString::from(*field)).ok()?;
                    Value::Cel(value.into_owned())
                }
                _ => return None,
            }
        }
        Op::And(_)
        | Op::Or(_)
        | Op::Not(_)
        | Op::Truth(_)
        | Op::Eq(_)
        | Op::In(_)
        | Op::DomainIn { .. }
        | Op::Compare { .. } => Value::Bool(test(op, cx)?),
        // The standard library's overloads: a list's or map's size, a
        // text's code points.
        Op::Size(op) => Value::Int(match eval(op, cx)? {
            Value::Nodes(nodes) => nodes.len() as i64,
            Value::Text(text) => text.chars().count() as i64,
            Value::Cel(value) => match value.get_type().kind() {
                Kind::List | Kind::Map => *value.as_sizer()?.size().inner(),
                Kind::String => value.downcast_ref::<CelString>()?.inner().chars().count() as i64,
                _ => return None,
            },
            _ => return None,
        }),
        Op::Account { node, test, generic } => match account(node, *test, cx) {
            Some(holds) => Value::Bool(holds),
            None => eval(generic, cx)?,
        },
        Op::Cond(ops) => {
            if test(&ops[0], cx)? {
                eval(&ops[1], cx)?
            } else {
                eval(&ops[2], cx)?
            }
        }
        Op::List(items) => {
            let items = items.iter().map(|op| eval(op, cx).map(|v| v.to_val(cx.view)));
            Value::Cel(Box::new(CelList::from(items.collect::<Option<Vec<_>>>()?)))
        }
        Op::Add(ops) => match (eval(&ops[0], cx)?, eval(&ops[1], cx)?) {
            (Value::Text(a), Value::Text(b)) => Value::Text(Cow::Owned(a.into_owned() + &b)),
            (Value::Int(a), Value::Int(b)) => Value::Int(a.checked_add(b)?),
            (a, b) => {
                let (a, b) = (a.to_val(cx.view), b.to_val(cx.view));
                Value::Cel(a.as_adder()?.add(b.as_ref()).ok()?.into_owned())
            }
        },
        // As the functions answer: null for null, else the node's place.
        Op::Place { node: of, key } => {
            match node(of, cx).map_or_else(|| eval(of, cx), |of| Some(Value::Node(of)))? {
                Value::Null => Value::Null,
                Value::Node(of) => Value::Cel(Node::new(cx.view, of).hidden(key)?),
                _ => return None,
            }
        }
        // The strings extension's `join`, an overload on lists: a list of
        // texts only, and a text for separator.
        Op::Join(ops) => {
            let (Value::Cel(list), Value::Text(separator)) = (eval(&ops[0], cx)?, eval(&ops[1], cx)?) else {
                return None;
            };
            if list.get_type().kind() != Kind::List {
                return None;
            }
            let mut items = list.as_iterable()?.iter();
            let mut texts = Vec::new();
            while let Some(item) = items.next() {
                texts.push(item.downcast_ref::<CelString>()?.inner());
            }
            Value::Text(Cow::Owned(texts.join(&separator)))
        }
        Op::Fold { init, range, accu, result_is_accu, result } => {
            let empty = match eval(range, cx)? {
                Value::Nodes(of) => of.is_empty(),
                Value::Cel(range) => range.as_iterable()?.iter().next().is_none(),
                _ => return None,
            };
            if !empty {
                return None;
            }
            let init = eval(init, cx)?;
            if *result_is_accu {
                return Some(init);
            }
            let inner = Cx { view: cx.view, item: cx.item, scope: Some((accu, &init, cx)) };
            eval(result, &inner)?
        }
        Op::Unknown => return None,
    })
}

/// `op` as a boolean: its value when that is a bool, `None` when it is
/// not or when this test can't tell (as `eval(op)?.as_bool()`). The
/// boolean operators are evaluated here, not through [`eval`]: a [`Value`]
/// is returned through memory, and reading each one back stalled the
/// processor at every step (a fifth of `eval`'s time, by `perf`).
fn test<'r>(op: &Op<'r>, cx: &Cx<'_, 'r>) -> Option<bool> {
    match op {
        Op::Bool(b) => Some(*b),
        Op::Const(value) => value.as_bool(),
        Op::And(ops) => match test(&ops[0], cx) {
            Some(false) => Some(false),
            left => match (left, test(&ops[1], cx)?) {
                (Some(true), right) => Some(right),
                // Whatever the left side is, even an error.
                (_, false) => Some(false),
                _ => None,
            },
        },
        Op::Or(ops) => match test(&ops[0], cx) {
            Some(true) => Some(true),
            left => match (left, test(&ops[1], cx)?) {
                (Some(false), right) => Some(right),
                (_, true) => Some(true),
                _ => None,
            },
        },
        Op::Not(op) => Some(!test(op, cx)?),
        Op::Truth(op) => test(op, cx),
        Op::Account { node: of, .. } | Op::DomainIn { node: of, .. } => on_record(op, node(of, cx), cx),
        Op::Eq(ops) => Some(eval(&ops[0], cx)?.equals(&eval(&ops[1], cx)?, cx.view)),
        Op::Compare { ops, holds } => match (eval(&ops[0], cx)?, eval(&ops[1], cx)?) {
            (Value::Int(a), Value::Int(b)) => Some(holds(&a, &b)),
            _ => None,
        },
        Op::In(ops) => {
            let needle = eval(&ops[0], cx)?;
            match &ops[1] {
                // A list of the site's, read where it is rather than copied.
                Op::Const(Value::Cel(haystack)) => contains(haystack.as_ref(), &needle, cx.view),
                op => match eval(op, cx)? {
                    Value::Cel(haystack) => contains(haystack.as_ref(), &needle, cx.view),
                    other => contains(other.to_val(cx.view).as_ref(), &needle, cx.view),
                },
            }
        }
        Op::Cond(ops) => {
            if test(&ops[0], cx)? {
                test(&ops[1], cx)
            } else {
                test(&ops[2], cx)
            }
        }
        _ => eval(op, cx)?.as_bool(),
    }
}

/// An [`Op::Account`] or [`Op::DomainIn`] test of `of`, the node its
/// `node` stands for (if it is one): answered by the account's record or
/// its domain's number where they tell, else evaluated as its `generic`.
fn on_record<'r>(op: &Op<'r>, of: Option<Of>, cx: &Cx<'_, 'r>) -> Option<bool> {
    let (known, generic) = match op {
        Op::Account { test, generic, .. } => (of.and_then(|of| cx.view.test_account(of, *test)), generic),
        Op::DomainIn { by_number, generic, .. } => {
            let number = of.and_then(|of| cx.view.email_domain_number(of));
            (number.and_then(|n| by_number.get(n).copied().flatten()), generic)
        }
        op => return test(op, cx),
    };
    known.or_else(|| test(generic, cx))
}

/// The answer of an account's record to `test`, when `node` is an account.
fn account<'r>(op: &Op<'r>, test: AccountTest, cx: &Cx<'_, 'r>) -> Option<bool> {
    cx.view.test_account(node(op, cx)?, test)
}

/// The node `op` stands for, where it is one: `item`, `site`, or a field of
/// a node that is a node (`item.user`), read without making a [`Value`] of
/// each step. `None` where it is no node or this test can't tell.
fn node<'r>(op: &Op<'r>, cx: &Cx<'_, 'r>) -> Option<Of> {
    match op {
        Op::Item => Some(cx.item),
        Op::Site => Some(Of::Site),
        Op::Select(operand, field) => node_field(cx.view, node(operand, cx)?, field),
        op => match eval(op, cx)? {
            Value::Node(of) => Some(of),
            _ => None,
        },
    }
}

/// The node a field of `of` is, if it is one.
fn node_field(view: &View, of: Of, field: &str) -> Option<Of> {
    match view.field_value(of, field)? {
        Field::Node(node) => Some(node),
        _ => None,
    }
}

/// `needle in haystack`, as [`Container::contains`](cel::common::traits::Container::contains) answers it.
fn contains<'r>(haystack: &dyn Val, needle: &Value<'r>, view: &'r View<'r>) -> Option<bool> {
    let container = haystack.as_container()?;
    let found = match needle {
        Value::Text(text) => container.contains(&CelString::from(text.as_ref())),
        other => container.contains(other.to_val(view).as_ref()),
    };
    found.ok()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::finding::Finding;
    use crate::rules::RuleSet;
    use crate::rules::engine::{self, FindingParts, Maker, SharedTexts, When, root_context};
    use crate::rules::expr;
    use crate::rules::view::View;
    use crate::{load, model};

    /// The findings of `rule` on `item`, or its error's message.
    fn evaluate<'v>(
        rule: &crate::rules::rule::Rule,
        item: Node<'v>,
        root: &cel::Context<'_, 'v>,
        when: When,
        parts: Option<&FindingParts<'v>>,
    ) -> Result<Vec<Finding>, String> {
        let texts = SharedTexts::default();
        let mut maker = Maker::new(&texts);
        engine::evaluate(rule, item, root, when, parts, &mut maker).map_err(|e| e.message)?;
        Ok(maker.found)
    }

    /// Every site the rules are tested on: the example, and each rule's own
    /// test snapshots (sites where it fires and where it stays quiet).
    fn sites(rules: &RuleSet) -> Vec<load::Loaded> {
        let mut sites = vec![load::load_path("snapshots/example".as_ref()).unwrap()];
        for rule in &rules.rules {
            sites.extend(rule.tests.iter().filter_map(|t| load::load_text("site.yaml", &t.snapshot).ok()));
        }
        sites
    }

    /// Where the quick test answers, the interpreter agrees: where it says
    /// an item's `when` is false, the interpreter finds nothing there, and
    /// where it says true, the rule finds the same with `when` evaluated
    /// again as without. And it does answer false for most items of the
    /// rules over big collections.
    #[test]
    fn where_the_quick_test_answers_the_interpreter_agrees() {
        let rules = RuleSet::builtin().map_err(|e| format!("{e:?}")).unwrap();
        let mut ruled_out: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
        let mut found_true = 0;
        for loaded in sites(&rules) {
            let (site, facts, _) = model::build(&loaded.documents);
            let view = View::build(&site, &facts);
            let root = root_context(&rules.env, &view);
            for rule in &rules.rules {
                let quick = Quick::compile(rule.when.program.expression(), &view);
                let counts = ruled_out.entry(&rule.reporter.code).or_default();
                let items: Vec<Node> = view.collection(rule.collection).iter().collect();
                let mut answers = vec![None; items.len()];
                let ofs: Vec<Of> = items.iter().map(|item| item.of).collect();
                for (ofs, answers) in ofs.chunks(BATCH).zip(answers.chunks_mut(BATCH)) {
                    quick.answer_all(&mut Chunk::new(&view, ofs), answers);
                }
                for (&item, answer) in items.iter().zip(answers) {
                    counts.1 += 1;
                    assert_eq!(
                        answer,
                        quick.answer(&view, item),
                        "{} on {item:?}: at once",
                        rule.reporter.code
                    );
                    let evaluate = |when| evaluate(rule, item, &root, when, None);
                    match answer {
                        Some(false) => {
                            counts.0 += 1;
                            let found = evaluate(When::Unknown).unwrap();
                            assert!(found.is_empty(), "{} on {item:?}: {found:?}", rule.reporter.code);
                        }
                        Some(true) => {
                            found_true += 1;
                            let found = evaluate(When::Unknown).unwrap();
                            assert!(!found.is_empty(), "{} on {item:?}", rule.reporter.code);
                            assert_eq!(
                                evaluate(When::True).unwrap(),
                                found,
                                "{} on {item:?}",
                                rule.reporter.code
                            );
                        }
                        None => {}
                    }
                }
            }
        }
        for code in ["AC001", "AC002", "AC003", "AC004", "AC006", "CA004", "PS007", "CH002"] {
            let (out, of) = ruled_out[code];
            assert!(out * 2 > of, "{code}: {out} of {of} items ruled out quickly");
        }
        assert!(found_true > 20, "{found_true} items found true quickly");
    }

    /// A finding made with its texts and places evaluated quickly is the
    /// finding the interpreter makes, for every rule on every item of every
    /// site it fires on; and the quick evaluation tells most of its parts.
    #[test]
    fn findings_made_quickly_are_the_interpreters() {
        let rules = RuleSet::builtin().map_err(|e| format!("{e:?}")).unwrap();
        let mut told: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
        let mut findings = 0;
        for loaded in sites(&rules) {
            let (site, facts, _) = model::build(&loaded.documents);
            let view = View::build(&site, &facts);
            let root = root_context(&rules.env, &view);
            for rule in &rules.rules {
                let parts = FindingParts::compile(rule, &view);
                for item in view.collection(rule.collection).iter() {
                    let slow = evaluate(rule, item, &root, When::Unknown, None);
                    if slow.as_ref().is_ok_and(Vec::is_empty) {
                        continue;
                    }
                    let quick = evaluate(rule, item, &root, When::Unknown, Some(&parts));
                    assert_eq!(quick, slow, "{} on {item:?}", rule.reporter.code);
                    findings += 1;
                    let counts = told.entry(&rule.reporter.code).or_default();
                    for expr in parts.exprs() {
                        counts.0 += usize::from(expr.value(item).is_some());
                        counts.1 += 1;
                    }
                }
            }
        }
        assert!(findings > 100, "{findings} findings");
        // All of it for the rules over customer references, which a big
        // site has hundreds of thousands of; and most of it overall.
        for code in ["AC001", "AC002", "AC004", "CA004"] {
            let (all, of) = told[code];
            assert_eq!(all, of, "{code}: {all} of {of} parts told quickly");
        }
        let (all, of) = told.values().fold((0, 0), |(a, b), (c, d)| (a + c, b + d));
        assert!(all * 4 > of * 3, "{all} of {of} parts told quickly");
    }

    /// How the quick evaluation shows `text` on the example's first user;
    /// `None` where it leaves it to the interpreter.
    fn shown(text: &str) -> Option<String> {
        let env = expr::env();
        let program = env.compile(text).unwrap();
        let loaded = load::load_path("snapshots/example".as_ref()).unwrap();
        let (site, facts, _) = model::build(&loaded.documents);
        let view = View::build(&site, &facts);
        let quick = QuickExpr::compile(program.expression(), &view);
        let mut out = String::from("|");
        let shown = quick.display(view.collection("users").get(0), &mut out);
        assert!(shown || out == "|", "{text}: left {out:?} behind");
        shown.then_some(out)
    }

    #[test]
    fn shows_texts_joins_sums_and_names() {
        assert_eq!(shown("'a' + \"b\" + item.account_type").as_deref(), Some("|abatlassian"));
        assert_eq!(shown("1 + 2").as_deref(), Some("|3"));
        assert_eq!(shown("[1] + [2, 'x']").as_deref(), Some("|1, 2, x"));
        assert_eq!(shown("['a', 'b'].join(', ')").as_deref(), Some("|a, b"));
        assert_eq!(shown("['a', 'b'].join()").as_deref(), Some("|ab"));
        assert_eq!(shown("item.active ? 'yes' : 'no'").as_deref(), Some("|yes"));
        assert_eq!(shown("null").as_deref(), Some("|"));
        assert_eq!(shown("item").as_deref(), Some("|alice.ng@acme.com"));
        assert_eq!(shown("[item, item]").as_deref(), Some("|alice.ng@acme.com, alice.ng@acme.com"));
        // What the interpreter would fail on, or what it alone evaluates.
        assert_eq!(shown("9223372036854775807 + 1"), None);
        assert_eq!(shown("'a' + 1"), None);
        assert_eq!(shown("[1, 2].join(', ')"), None);
        assert_eq!(shown("['a'].join(1)"), None);
        assert_eq!(shown("'ab'.join()"), None);
        assert_eq!(shown("size(item.email)").as_deref(), Some("|17"));
        assert_eq!(shown("item.email.contains('@')"), None);
        // Texts written part by part, and taken back when a later part is
        // no text.
        assert_eq!(
            shown("'a' + (item.active ? 'b' + item.email : 1) + 'c'").as_deref(),
            Some("|abalice.ng@acme.comc")
        );
        assert_eq!(shown("'a' + 'b' + 1"), None);
        assert_eq!(shown("'a' + (item.active ? 1 : 'b')"), None);
        assert_eq!(shown("item.active ? [1] + [2] : 'x'").as_deref(), Some("|1, 2"));
        assert_eq!(shown("'a' + ['b']"), None);
    }

    /// What the engine reads as places from an expression's value: the
    /// quick reading, and the reading of the quick value (`None` where the
    /// quick reading leaves it to them), on the example's first user.
    fn placed(text: &str) -> (Option<Vec<Location>>, Option<Vec<Location>>) {
        compiled("true", |_, view| {
            let program = expr::env().compile(text).unwrap();
            let quick = QuickExpr::compile(program.expression(), view);
            let item = view.collection("users").get(0);
            let mut out = Vec::new();
            let quickly = quick.places(item, &mut out).then_some(out);
            let mut out = Vec::new();
            let value = quick.value(item).and_then(|value| collect_places(value.as_ref(), &mut out).ok());
            (quickly, value.map(|()| out))
        })
    }

    #[test]
    fn reads_places_as_the_engine_reads_values() {
        for (text, count) in [
            ("item", 1),
            ("[item, item]", 2),
            ("null", 0),
            ("value_of(item, 'email')", 1),
            ("item.active ? [key_of(item, 'email'), item] : null", 2),
            ("item.role_refs", 1),
            ("item.same_email", 0),
        ] {
            let (quickly, value) = placed(text);
            assert_eq!(quickly.as_ref().map(Vec::len), Some(count), "{text}");
            assert_eq!(quickly, value, "{text}");
        }
        // No place, or not for the quick reading to tell: left as it was.
        assert_eq!(placed("'a'"), (None, None));
        assert_eq!(placed("item.email.contains('@')"), (None, None));
        assert_eq!(placed("item.groups"), (None, None), "group names");
    }

    #[test]
    fn names_places_as_the_functions_do() {
        // The quick value, and whether the interpreter's equals it (or
        // fails: `None`), on the example's first user.
        let place = |text: &str| {
            let rules = RuleSet::builtin().map_err(|e| format!("{e:?}")).unwrap();
            let program = rules.env.compile(text).unwrap();
            compiled(text, |_, view| {
                let item = view.collection("users").get(0);
                let quick = QuickExpr::compile(program.expression(), view).value(item);
                let root = root_context(&rules.env, view);
                let mut ctx = root.new_inner_scope();
                ctx.add_variable_as_val("item", Box::new(item));
                let slow = cel::Value::resolve_val(program.expression(), &ctx).ok().map(|v| v.into_owned());
                let same = match (&quick, &slow) {
                    (Some(quick), Some(slow)) => quick.equals(slow.as_ref()),
                    (None, _) => true,
                    (Some(_), None) => false,
                };
                assert!(same, "{text}: quick {quick:?}, interpreted {slow:?}");
                quick.map(|value| value.downcast_ref::<crate::rules::view::node::Place>().is_some())
            })
        };
        assert_eq!(place("value_of(item, 'email')"), Some(true));
        assert_eq!(place("key_of(item, 'email')"), Some(true));
        assert_eq!(place("key_of(item)"), Some(true));
        assert_eq!(place("value_of(item, 'nope')"), Some(true), "the entity, for a field not written");
        assert_eq!(place("value_of(null, 'email')"), Some(false), "null");
        assert_eq!(place("item.active ? value_of(item, 'status') : null"), Some(true));
        // The calls the functions refuse, and a map that is no place.
        assert_eq!(place("value_of(item)"), None);
        assert_eq!(place("key_of(item, 1)"), None);
        assert_eq!(place("value_of({'a': 1}, 'a')"), None);
    }

    /// `f` given the quick test of `text` compiled on the example's view,
    /// and the view.
    fn compiled<T>(text: &str, f: impl FnOnce(&Quick, &View) -> T) -> T {
        let env = expr::env();
        let program = env.compile(text).unwrap();
        let loaded = load::load_path("snapshots/example".as_ref()).unwrap();
        let (site, facts, _) = model::build(&loaded.documents);
        let view = View::build(&site, &facts);
        f(&Quick::compile(program.expression(), &view), &view)
    }

    /// The value the quick test gives `text` on the example's first user,
    /// as `Some(bool)`, or `None` when it can't tell.
    fn quick(text: &str) -> Option<bool> {
        compiled(text, |quick, view| {
            let cx = Cx { view, item: view.collection("users").get(0).of, scope: None };
            test(&quick.0, &cx)
        })
    }

    /// `email_domain in` a list of the site's is answered once per domain,
    /// by its number, and per account as the interpreter answers it: case
    /// folded, and for an email without a domain.
    #[test]
    fn asks_each_email_domain_once_whether_a_list_has_it() {
        let snapshot = "customer_access:\n  external_domains: [Fabrikam.com, tailspin.io]\nusers:\n\
            - {account_id: a, email: clara@FABRIKAM.com}\n\
            - {account_id: b, email: li@initech.com}\n\
            - {account_id: c, email: nodomain}\n\
            - {account_id: d, email: ann@fabrikam.com}\n";
        let loaded = load::load_text("site.yaml", snapshot).unwrap();
        let (site, facts, findings) = model::build(&loaded.documents);
        assert_eq!(findings, []);
        let view = View::build(&site, &facts);
        let text = "item.email_domain in site.customer_access.external_domains";
        let program = expr::env().compile(text).unwrap();
        let quick = Quick::compile(program.expression(), &view);
        let Op::DomainIn { by_number, .. } = &quick.0 else { panic!("{quick:?}") };
        assert_eq!(view.email_domains(), ["fabrikam.com", "initech.com"]);
        assert_eq!(by_number, &[Some(true), Some(false)]);
        let users = view.collection("users");
        let answers: Vec<_> = (0..users.len()).map(|i| quick.answer(&view, users.get(i))).collect();
        assert_eq!(answers, [Some(true), Some(false), Some(false), Some(true)]);
    }

    /// Answered all at once, over more items than one chunk, a test gives
    /// each item the answer it gives it alone: where each operation decides
    /// some items and leaves others, where it falls back item by item, and
    /// with the nodes of the items' fields shared by the tests of a chunk.
    #[test]
    fn answers_all_at_once_as_one_by_one() {
        let mut snapshot = String::from("customer_access:\n  external_domains: [a.com]\nusers:\n");
        for i in 0..150 {
            let (kind, status, domain) =
                (["atlassian", "customer"][i % 2], ["active", "inactive"][i % 3 / 2], i % 5);
            snapshot += &format!(
                "  - {{account_id: u{i}, email: p{i}@{domain}.com, account_type: {kind}, status: {status}}}\n"
            );
        }
        // Two more accounts with the emails of earlier ones, one in a group.
        snapshot += "  - {account_id: d1, email: P1@1.com, account_type: atlassian, groups: [staff]}\n";
        snapshot += "  - {account_id: d2, email: p4@4.com}\ngroups:\n  - {name: staff}\n";
        let customers: Vec<String> = (0..150).map(|i| format!("u{i}")).collect();
        snapshot += &format!(
            "projects:\n  - {{key: HELP, type: service_desk, service_desk: {{customers: [{}]}}}}\n",
            customers.join(", ")
        );
        let loaded = load::load_text("site.yaml", &snapshot).unwrap();
        let (site, facts, _) = model::build(&loaded.documents);
        let view = View::build(&site, &facts);
        let tests = |collection: &str, texts: &[&str]| {
            let items: Vec<Node> = view.collection(collection).iter().collect();
            let ofs: Vec<Of> = items.iter().map(|item| item.of).collect();
            let programs: Vec<_> = texts.iter().map(|text| expr::env().compile(text).unwrap()).collect();
            let quick: Vec<Quick> = programs.iter().map(|p| Quick::compile(p.expression(), &view)).collect();
            let mut answers = vec![vec![None; items.len()]; texts.len()];
            for (n, ofs) in ofs.chunks(BATCH).enumerate() {
                let mut chunk = Chunk::new(&view, ofs);
                for (quick, answers) in quick.iter().zip(&mut answers) {
                    quick.answer_all(&mut chunk, &mut answers[n * BATCH..n * BATCH + ofs.len()]);
                }
            }
            for ((text, quick), answers) in texts.iter().zip(&quick).zip(answers) {
                let one_by_one: Vec<_> = items.iter().map(|&item| quick.answer(&view, item)).collect();
                assert_eq!(answers, one_by_one, "{text}");
                assert!(answers.iter().any(|answer| *answer != answers[0]), "{text}: mixed answers");
            }
        };
        tests(
            "users",
            &[
                "item.account_type == 'customer' && !(item.email_domain in site.customer_access.external_domains)",
                "item.active || item.email == 'p7@2.com'",
                "!item.active && (item.account_type == 'atlassian' || size(item.groups) > 0)",
                "true && item.active",
                "item.nope || item.active",
                "item.active && item.nope",
                "item.account_type == 'customer' && item.same_email.exists(u, u.account_type == 'atlassian')",
                "item.groups.all(g, false) || item.role_refs.exists(r, true)",
                "item.same_email.exists_one(u, true)",
            ],
        );
        tests(
            "customer_refs",
            &[
                "item.user.account_type == 'customer' && !(item.user.email_domain in site.customer_access.external_domains)",
                "item.user.active && item.user.account_type == 'atlassian'",
                "!item.user.active || item.text == 'u3'",
            ],
        );
    }

    #[test]
    fn reads_the_sites_settings_once_when_compiled() {
        let text =
            "!site.customer_access.external || item.email_domain in site.customer_access.external_domains";
        compiled(text, |quick, _| {
            // `false || x`: `x`, as a boolean.
            let Op::Truth(domain_in) = &quick.0 else { panic!("{quick:?}") };
            let Op::DomainIn { node, generic, .. } = &**domain_in else { panic!("{domain_in:?}") };
            assert!(matches!(**node, Op::Item), "the item's part stays: {node:?}");
            let Op::In(operands) = &**generic else { panic!("{generic:?}") };
            assert!(matches!(operands[0], Op::Select(..)), "the item's part stays: {:?}", operands[0]);
            assert!(matches!(operands[1], Op::Const(_)), "{:?}", operands[1]);
        });
        // What it can't tell (here an error) is left to be found out per item.
        compiled("site.nope || item.active", |quick, _| {
            let Op::Or(or) = &quick.0 else { panic!("{quick:?}") };
            assert!(matches!(or[0], Op::Select(..)), "{:?}", or[0]);
        });
    }

    #[test]
    fn follows_the_interpreter_where_an_operand_fails() {
        // `&&` is false when either side is, even if the other fails.
        assert_eq!(quick("item.nope && false"), Some(false));
        assert_eq!(quick("false && item.nope"), Some(false));
        assert_eq!(quick("true && item.nope"), None);
        // `||` fails when its left side does, unless the right is true.
        assert_eq!(quick("item.nope || false"), None);
        assert_eq!(quick("item.nope || true"), Some(true));
        assert_eq!(quick("false || false"), Some(false));
        // Not a bool: the interpreter fails, so no answer.
        assert_eq!(quick("!item.email"), None);
        assert_eq!(quick("1 && false"), Some(false));
        assert_eq!(quick("true && 1"), None);
    }

    #[test]
    fn reads_fields_compares_and_looks_up() {
        assert_eq!(quick("item.account_id == item.account_id"), Some(true));
        assert_eq!(quick("item.email == null"), Some(false));
        assert_eq!(quick("item.email != null"), Some(true));
        assert_eq!(quick("item.status in ['inactive', 'closed']"), Some(false));
        assert_eq!(quick("item.active ? item.status == 'active' : false"), Some(true));
        // An empty range: the comprehension's initial value.
        assert_eq!(quick("[].exists(x, x)"), Some(false));
        assert_eq!(quick("[].all(x, x)"), Some(true));
        // One whose result is more than the accumulator: evaluated with it.
        assert_eq!(quick("[].exists_one(x, x)"), Some(false));
        assert_eq!(quick("item.same_email.exists_one(u, u.active)"), Some(false));
        // A non-empty one, a function call, or a variable it doesn't know:
        // left to the interpreter.
        assert_eq!(quick("[true].exists(x, x)"), None);
        assert_eq!(quick("item.email.startsWith('a')"), None);
        assert_eq!(quick("lacking == true"), None);
        // A map key that is data and missing: the interpreter fails.
        assert_eq!(quick("item.roles.nope == 'x'"), None);
    }

    #[test]
    fn counts_and_compares_integers() {
        // Sizes of lists of nodes, of lists, of maps, of texts (characters).
        assert_eq!(quick("size(item.groups) > 100"), Some(false));
        assert_eq!(quick("size(item.groups) >= 0 && item.groups.size() < 100"), Some(true));
        assert_eq!(quick("size([1, 2]) == 2 && size(item.admin_roles) == 1"), Some(true));
        assert_eq!(quick("size('äb') == 2 && 'äb'.size() <= 2"), Some(true));
        // What has no size, and comparisons of other kinds: the interpreter's.
        assert_eq!(quick("size(item) > 0"), None);
        assert_eq!(quick("size(true) > 0"), None);
        assert_eq!(quick("'a' < 'b'"), None);
        assert_eq!(quick("1 < 2.5"), None);
    }

    #[test]
    fn compares_account_fields_on_the_record() {
        let account = |text: &str| {
            compiled(text, |quick, _| match &quick.0 {
                Op::Account { .. } => "account",
                Op::Not(op) if matches!(**op, Op::Account { .. }) => "not account",
                _ => "other",
            })
        };
        assert_eq!(account("item.account_type == 'atlassian'"), "account");
        assert_eq!(account("'atlassian' == item.account_type"), "account");
        assert_eq!(account("item.status != 'active'"), "not account");
        assert_eq!(account("item.active"), "account");
        assert_eq!(account("item.email == 'a@b.c'"), "other");
        assert_eq!(account("item.account_type == item.status"), "other");
        // The example's first user is an active Atlassian agent.
        assert_eq!(quick("item.account_type == 'atlassian' && item.jsm_role == 'agent'"), Some(true));
        assert_eq!(quick("item.status != 'active' || item.account_type == 'nothing'"), Some(false));
        assert_eq!(quick("item.active && item.site_access && !item.managed_by_other_org"), Some(true));
        // On something that is no account, the same expression is
        // evaluated op by op: a field it lacks fails, one it has compares.
        assert_eq!(quick("site.account_type == 'atlassian'"), None);
        assert_eq!(quick("site.customer_access.external == true"), Some(true));
        assert_eq!(quick("site.customer_access.active"), None);
    }
}
