//! A quick test of a rule's `when`, run on each item before the CEL
//! interpreter.
//!
//! On a big site most items fail a rule's condition on its first field or
//! two (an active account, an Atlassian account, a customer whose domain is
//! allowed). The interpreter spends most of its time on the rest: a new
//! scope per item, names resolved through it as qualified names. Reading the
//! same fields straight from the item's node costs a fraction of that.
//!
//! The test answers one question: is `when` certainly false for this item?
//! Anything else (true, an error, a construct it does not handle, such as a
//! function call or a `let`) leaves the item to the interpreter, which alone
//! decides what a rule reports. Where it does answer, it follows the
//! interpreter's own semantics (cel 0.15's `resolve_val`): `&&` and `||`
//! short-circuit and absorb an error from the other side only as the
//! interpreter does, `==` is [`Val::equals`], `in` is
//! [`Container::contains`](cel::common::traits::Container::contains), a
//! field is the node's [`Indexer`](cel::common::traits::Indexer) answer, a
//! list literal is a list, and a comprehension is followed only over an
//! empty range, where it is its result expression with the accumulator at
//! its initial value. A test holds the two to the same answer for every rule
//! on every item of the example and of each rule's own test snapshots.

use cel::common::ast::{Expr as Ast, IdedExpr, operators};
use cel::common::types::{CelBool, CelList, CelString, Kind};
use cel::common::value::{CowVal, Val};

use super::view::node::Node;

/// Whether `when` is certainly false for `item`; `false` when it is true or
/// when this test can't tell.
pub fn certainly_false(when: &IdedExpr, item: Node<'_>, site: Node<'_>) -> bool {
    let site = Scope { name: "site", value: &site, outer: None };
    let item = Scope { name: "item", value: &item, outer: Some(&site) };
    eval(when, &item).is_some_and(|value| as_bool(&value) == Some(false))
}

/// The variables in scope: `item`, `site`, and the accumulators of the
/// comprehensions being followed, innermost first.
struct Scope<'s, 'v> {
    name: &'s str,
    value: &'s (dyn Val + 'v),
    outer: Option<&'s Scope<'s, 'v>>,
}

impl<'s, 'v> Scope<'s, 'v> {
    fn lookup(&self, name: &str) -> Option<&'s (dyn Val + 'v)> {
        let mut scope = Some(self);
        while let Some(s) = scope {
            if s.name == name {
                return Some(s.value);
            }
            scope = s.outer;
        }
        None
    }
}

/// The value of `e`, or `None` when this test can't tell (including when
/// the interpreter would fail).
fn eval<'s, 'v>(e: &'s IdedExpr, scope: &'s Scope<'s, 'v>) -> Option<CowVal<'s, 'v>> {
    match &e.expr {
        Ast::Literal(literal) => Some(literal.to_val()),
        Ast::Ident(name) => scope.lookup(name).map(CowVal::Borrowed),
        Ast::Select(select) if !select.test => {
            let operand = eval(&select.operand, scope)?;
            // Optionals and non-maps take other paths in the interpreter.
            if operand.get_type().kind() != Kind::Map {
                return None;
            }
            let field = CelString::from(select.field.as_str());
            let value = operand.as_indexer()?.get(&field).ok()?;
            Some(CowVal::Owned(value.into_owned()))
        }
        Ast::Call(call) if call.target.is_none() => {
            let arg = |i: usize| eval(&call.args[i], scope);
            let test = |i: usize| arg(i).and_then(|v| as_bool(&v));
            match (call.func_name.as_str(), call.args.len()) {
                (operators::LOGICAL_AND, 2) => match test(0) {
                    Some(false) => Some(boolean(false)),
                    left => match (left, test(1)) {
                        (Some(true), Some(right)) => Some(boolean(right)),
                        // Whatever the left side is, even an error.
                        (_, Some(false)) => Some(boolean(false)),
                        _ => None,
                    },
                },
                (operators::LOGICAL_OR, 2) => match test(0) {
                    Some(true) => Some(boolean(true)),
                    left => match (left, test(1)) {
                        (Some(false), Some(right)) => Some(boolean(right)),
                        (_, Some(true)) => Some(boolean(true)),
                        _ => None,
                    },
                },
                (operators::LOGICAL_NOT, 1) => test(0).map(|b| boolean(!b)),
                (operators::EQUALS, 2) => Some(boolean(arg(0)?.as_ref().equals(arg(1)?.as_ref()))),
                (operators::NOT_EQUALS, 2) => Some(boolean(!arg(0)?.as_ref().equals(arg(1)?.as_ref()))),
                (operators::IN, 2) => {
                    let (needle, haystack) = (arg(0)?, arg(1)?);
                    haystack.as_container()?.contains(needle.as_ref()).ok().map(boolean)
                }
                (operators::CONDITIONAL, 3) => {
                    if test(0)? {
                        arg(1)
                    } else {
                        arg(2)
                    }
                }
                _ => None,
            }
        }
        Ast::List(list) if list.optional_indices.is_empty() => {
            let items = list.elements.iter().map(|e| eval(e, scope).map(CowVal::into_owned));
            Some(CowVal::owned(CelList::from(items.collect::<Option<Vec<_>>>()?)))
        }
        Ast::Comprehension(c) => {
            let init = eval(&c.accu_init, scope)?;
            let range = eval(&c.iter_range, scope)?;
            if range.as_iterable()?.iter().next().is_some() {
                return None;
            }
            let inner = Scope { name: &c.accu_var, value: init.as_ref(), outer: Some(scope) };
            Some(CowVal::Owned(eval(&c.result, &inner)?.into_owned()))
        }
        _ => None,
    }
}

fn as_bool(value: &CowVal) -> Option<bool> {
    value.downcast_ref::<CelBool>().map(|b| *b.inner())
}

fn boolean<'s, 'v>(b: bool) -> CowVal<'s, 'v> {
    CowVal::Borrowed(if b { &CelBool::TRUE } else { &CelBool::FALSE })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::rules::RuleSet;
    use crate::rules::engine::{evaluate, root_context};
    use crate::rules::expr;
    use crate::rules::view::View;
    use crate::{load, model};

    /// Every site the rules are tested on: the example, and each rule's own
    /// test snapshots (sites where it fires and where it stays quiet).
    fn sites(rules: &RuleSet) -> Vec<load::Loaded> {
        let mut sites = vec![load::load_path("snapshots/example".as_ref()).unwrap()];
        for rule in &rules.rules {
            sites.extend(rule.tests.iter().filter_map(|t| load::load_text("site.yaml", &t.snapshot).ok()));
        }
        sites
    }

    /// Where the quick test says an item's `when` is false, the interpreter
    /// finds nothing there; and it does say so, for most items of the rules
    /// over big collections.
    #[test]
    fn an_item_ruled_out_quickly_is_one_the_interpreter_finds_nothing_on() {
        let rules = RuleSet::builtin().map_err(|e| format!("{e:?}")).unwrap();
        let mut ruled_out: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
        for loaded in sites(&rules) {
            let (site, facts, _) = model::build(&loaded.documents);
            let view = View::build(&site, &facts);
            let root = root_context(&rules.env, &view);
            for rule in &rules.rules {
                let counts = ruled_out.entry(&rule.code).or_default();
                for item in view.collection(rule.collection) {
                    counts.1 += 1;
                    if certainly_false(rule.when.program.expression(), item, view.site()) {
                        counts.0 += 1;
                        let found = evaluate(rule, item, &root).map_err(|e| e.message).unwrap();
                        assert!(found.is_empty(), "{} on {item:?}: {found:?}", rule.code);
                    }
                }
            }
        }
        for code in ["AC001", "AC002", "AC003", "AC004", "AC006", "CA004", "PS007", "CH002"] {
            let (out, of) = ruled_out[code];
            assert!(out * 2 > of, "{code}: {out} of {of} items ruled out quickly");
        }
    }

    /// The value the quick test gives `text` on the example's first user,
    /// as `Some(bool)`, or `None` when it can't tell.
    fn quick(text: &str) -> Option<bool> {
        let env = expr::env();
        let program = env.compile(text).unwrap();
        let loaded = load::load_path("snapshots/example".as_ref()).unwrap();
        let (site, facts, _) = model::build(&loaded.documents);
        let view = View::build(&site, &facts);
        let item = Scope { name: "item", value: &view.collection("users")[0], outer: None };
        eval(program.expression(), &item).and_then(|v| as_bool(&v))
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
        // A non-empty one, a function call, or a variable it doesn't know:
        // left to the interpreter.
        assert_eq!(quick("[true].exists(x, x)"), None);
        assert_eq!(quick("size(item.groups) > 100"), None);
        assert_eq!(quick("lacking == true"), None);
        // A map key that is data and missing: the interpreter fails.
        assert_eq!(quick("item.roles.nope == 'x'"), None);
    }
}
