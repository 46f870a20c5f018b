//! Evaluates rules over the view, in parallel: the rules over one
//! collection in one pass over its items, chunks of items spread over the
//! thread pool, and the findings sorted afterwards, so the output does not
//! depend on the thread count.
//!
//! A [`Probe`] can watch a run: it reports each rule's time (for `--stats`)
//! and counts evaluated items (for the progress bar). Neither changes what
//! the run finds.

use std::mem::take;
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use cel::common::types::{CelBool, CelString, Kind};
use cel::common::value::Val;
use cel::{Context, Env};
use foldhash::HashSet;
use rayon::prelude::*;
use thin_vec::ThinVec;

use super::budget;
use super::error::{EXPRESSION_HELP, RuleRuntimeError, execution_error};
use super::expr::Expr;
use super::functions::{self, LOC};
use super::quick::{self, Chunk, Quick, QuickExpr};
use super::rule::Rule;
use super::template::{Template, display};
use super::view::node::{Node, Of, Place};
use super::view::{Collection, View};
use crate::finding::{Details, Finding, Message, Related, SharedText};
use crate::source::Location;

#[derive(Debug, Default)]
pub struct Outcome {
    pub findings: Vec<Finding>,
    pub errors: Vec<RuleRuntimeError>,
    /// What each rule cost, in rule order, when the probe timed the rules;
    /// empty otherwise.
    pub rules: Vec<RuleStats>,
}

/// What one rule cost in a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleStats {
    pub code: Arc<str>,
    pub collection: &'static str,
    /// The items of its collection it was evaluated on.
    pub items: usize,
    /// The findings it produced, before selection, suppressions and the
    /// baseline.
    pub findings: usize,
    /// The time its items took to evaluate, summed over threads: CPU time
    /// rather than wall time, since rules and their items run in parallel.
    pub time: Duration,
}

/// What to watch while rules run; the default watches nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct Probe<'a> {
    /// Report each rule's time into [`Outcome::rules`] (rules are timed
    /// anyway, for their time limit).
    pub time_rules: bool,
    /// Incremented each time an item has been evaluated.
    pub evaluated: Option<&'a AtomicU64>,
}

/// What a rule's items gave, in collection order: their findings and
/// errors, and how long they took.
#[derive(Default)]
struct Tally {
    /// The findings of each chunk of items that has any, joined once the
    /// rule is done: joined at every step of rayon's reduction, each finding
    /// was copied once per level (a dozen times for a rule over 180,000
    /// customer references), and a site with many problems has tens of
    /// thousands.
    findings: Vec<Vec<Finding>>,
    errors: Vec<RuleRuntimeError>,
    time: Duration,
}

impl Tally {
    fn count(&self) -> usize {
        self.findings.iter().map(Vec::len).sum()
    }

    /// `self` then `later`: rayon reduces neighbouring runs of items in
    /// order, so errors list their items in collection order.
    fn then(mut self, later: Tally) -> Tally {
        self.findings.extend(later.findings);
        for e in later.errors {
            merge_error(&mut self.errors, e);
        }
        self.time += later.time;
        self
    }
}

/// The help, labels and related messages of a run's findings, each text once.
///
/// A rule's help names the setting to change, and most of its findings
/// name the same one: the 63,490 findings of a 59 MB site with 20% problems
/// had 54 different helps, 17 MB of them as copies, and 1,621 different
/// related messages among 59,898. Shared by the threads: findings are few
/// next to the items, so the lock is rarely waited on.
#[derive(Debug, Default)]
pub(super) struct SharedTexts(Mutex<HashSet<SharedText>>);

impl SharedTexts {
    /// `text`, as the run's other findings already share it.
    fn share(&self, text: &str) -> SharedText {
        let mut texts = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(shared) = texts.get(text) {
            return shared.clone();
        }
        let shared = SharedText::from(text);
        texts.insert(shared.clone());
        shared
    }
}

/// How long a rule may run before it is stopped, unless told otherwise.
pub const DEFAULT_TIME_LIMIT: Duration = Duration::from_secs(60);

/// How many items of a collection are evaluated together, at most: each
/// rule over the collection runs on a chunk of its items in turn. The rules
/// over a big collection read the same things of an item (the account
/// behind a customer reference), which the first rule brings into the
/// processor's cache for the others; and a rule's time is read from the
/// clock once a chunk rather than once an item.
const CHUNK: usize = quick::BATCH;

/// The chunk size for a collection of `count` items: [`CHUNK`], or less
/// for a small collection, so that its items are still spread over the
/// threads (a custom rule over 50 projects may scan every account for each).
fn chunk_size(count: usize) -> usize {
    (count / (4 * rayon::current_num_threads())).clamp(1, CHUNK)
}

/// Runs `rules`, compiled in `env`, over the view, each rule within
/// [`DEFAULT_TIME_LIMIT`].
pub fn run(env: &Arc<Env>, rules: &[Rule], view: &View) -> Outcome {
    run_limited(env, rules, view, Probe::default(), Some(DEFAULT_TIME_LIMIT))
}

/// [`run`], watched by `probe` (the findings and errors are the same
/// whatever the probe), each rule stopped when its items have taken
/// `limit`, added up over the threads. A stopped rule reports an error and
/// none of its findings, so the output does not depend on how far it got.
pub fn run_limited(
    env: &Arc<Env>,
    rules: &[Rule],
    view: &View,
    probe: Probe,
    limit: Option<Duration>,
) -> Outcome {
    let root = root_context(env, view);
    let texts = SharedTexts::default();
    // The rules over each collection, in rule order, collections in the
    // order rules first name them.
    let mut collections: Vec<(&'static str, Vec<&Rule>)> = Vec::new();
    for rule in rules {
        match collections.iter_mut().find(|(name, _)| *name == rule.collection) {
            Some((_, over)) => over.push(rule),
            None => collections.push((rule.collection, vec![rule])),
        }
    }
    // Per collection, per rule: what its items gave, tallied as they are
    // evaluated (a big site has millions of items and few findings).
    // Nothing is shared between threads but the rules' time and the
    // progress counter.
    let passes: Vec<(Vec<Tally>, usize)> = collections
        .par_iter()
        .map(|(name, over)| {
            let pass = Pass::new(over, view, limit, &texts);
            let items = view.collection(name);
            let (count, size) = (items.len(), chunk_size(items.len()));
            let tallies = (0..count.div_ceil(size))
                .into_par_iter()
                .map(|chunk| pass.chunk(&items, chunk * size..count.min((chunk + 1) * size), &root, probe))
                .reduce(
                    || over.iter().map(|_| Tally::default()).collect(),
                    |earlier, later| earlier.into_iter().zip(later).map(|(e, l)| e.then(l)).collect(),
                );
            (tallies, count)
        })
        .collect();
    let mut tallies: Vec<Option<(Tally, usize)>> = rules.iter().map(|_| None).collect();
    for ((_, over), (pass, count)) in collections.iter().zip(passes) {
        for (rule, tally) in over.iter().zip(pass) {
            let position = rules.iter().position(|r| std::ptr::eq(r, *rule)).expect("a rule of the run");
            tallies[position] = Some((tally, count));
        }
    }
    let stopped = |tally: &Tally| limit.is_some_and(|limit| tally.time >= limit);
    // Room for them all at once: reserved rule by rule, the list doubled
    // past what it needed (room for 119,768 findings of 176 bytes, for
    // 63,483).
    let total =
        tallies.iter().flatten().filter(|(tally, _)| !stopped(tally)).map(|(tally, _)| tally.count()).sum();
    let mut outcome = Outcome { findings: Vec::with_capacity(total), ..Outcome::default() };
    for (rule, (tally, items)) in rules.iter().zip(tallies.into_iter().flatten()) {
        let stopped = stopped(&tally);
        let findings = if stopped { 0 } else { tally.count() };
        if probe.time_rules {
            let (code, collection, time) = (rule.reporter.code.clone(), rule.collection, tally.time);
            outcome.rules.push(RuleStats { code, collection, items, findings, time });
        }
        if stopped {
            outcome.errors.push(out_of_time(rule, limit.unwrap_or_default()));
            continue;
        }
        outcome.findings.extend(tally.findings.into_iter().flatten());
        for e in tally.errors {
            merge_error(&mut outcome.errors, e);
        }
    }
    crate::finding::sort_findings(&mut outcome.findings);
    outcome
}

/// The rules over one collection in one run: their quick tests and the
/// parts of their findings, and the time each has taken so far, over all threads.
struct Pass<'r> {
    view: &'r View<'r>,
    rules: &'r [&'r Rule],
    quick: Vec<Quick<'r>>,
    parts: Vec<FindingParts<'r>>,
    spent: Vec<AtomicU64>,
    limit: Option<Duration>,
    texts: &'r SharedTexts,
}

impl<'r> Pass<'r> {
    fn new(
        rules: &'r [&'r Rule],
        view: &'r View<'r>,
        limit: Option<Duration>,
        texts: &'r SharedTexts,
    ) -> Pass<'r> {
        Pass {
            view,
            rules,
            quick: rules.iter().map(|rule| Quick::compile(rule.when.program.expression(), view)).collect(),
            parts: rules.iter().map(|rule| FindingParts::compile(rule, view)).collect(),
            spent: rules.iter().map(|_| AtomicU64::new(0)).collect(),
            limit,
            texts,
        }
    }

    /// Each rule on the items of `range`, in turn; a rule out of time
    /// skips them.
    fn chunk(
        &self,
        items: &Collection<'r>,
        range: Range<usize>,
        root: &Context<'_, 'r>,
        probe: Probe,
    ) -> Vec<Tally> {
        let mut tallies: Vec<Tally> = self.rules.iter().map(|_| Tally::default()).collect();
        let mut maker = Maker::new(self.texts);
        let nodes: Vec<Node> = range.clone().map(|index| items.get(index)).collect();
        let ofs: Vec<Of> = nodes.iter().map(|node| node.of).collect();
        let mut answers = vec![None; nodes.len()];
        let mut chunk = Chunk::new(self.view, &ofs);
        for (k, rule) in self.rules.iter().enumerate() {
            let spent = Duration::from_nanos(self.spent[k].load(Ordering::Relaxed));
            let left = self.limit.map(|limit| limit.saturating_sub(spent));
            if left != Some(Duration::ZERO) {
                let start = Instant::now();
                let tally = &mut tallies[k];
                budget::within(left.and_then(|left| start.checked_add(left)), || {
                    self.quick[k].answer_all(&mut chunk, &mut answers);
                    let parts = Some(&self.parts[k]);
                    // An item the quick test finds true nearly always has a finding.
                    maker.found = Vec::with_capacity(answers.iter().filter(|&&a| a == Some(true)).count());
                    for (&item, &answer) in nodes.iter().zip(&answers) {
                        if budget::exhausted() {
                            break;
                        }
                        let when = match answer {
                            Some(false) => continue,
                            Some(true) => When::True,
                            None => When::Unknown,
                        };
                        if let Err(e) = evaluate(rule, item, root, when, parts, &mut maker) {
                            merge_error(&mut tally.errors, *e);
                        }
                    }
                    if !maker.found.is_empty() {
                        tally.findings.push(take(&mut maker.found));
                    }
                });
                tally.time = start.elapsed();
                let nanos = u64::try_from(tally.time.as_nanos()).unwrap_or(u64::MAX);
                self.spent[k].fetch_add(nanos, Ordering::Relaxed);
            }
            if let Some(evaluated) = probe.evaluated {
                evaluated.fetch_add(range.len() as u64, Ordering::Relaxed);
            }
        }
        tallies
    }
}

/// What a rule's findings are made of (their places, and the expressions
/// of their texts, in order), compiled for the quick evaluation.
pub(super) struct FindingParts<'r> {
    at: QuickExpr<'r>,
    message: Vec<QuickExpr<'r>>,
    help: Vec<QuickExpr<'r>>,
    label: Vec<QuickExpr<'r>>,
    entity: Vec<QuickExpr<'r>>,
    /// Per related place: where, and its message.
    related: Vec<(QuickExpr<'r>, Vec<QuickExpr<'r>>)>,
}

impl<'r> FindingParts<'r> {
    /// Every expression, for tests.
    #[cfg(test)]
    pub(super) fn exprs(&self) -> impl Iterator<Item = &QuickExpr<'r>> {
        let templates = [&self.message, &self.help, &self.label, &self.entity].into_iter().flatten();
        let related = self.related.iter().flat_map(|(at, message)| std::iter::once(at).chain(message));
        std::iter::once(&self.at).chain(templates).chain(related)
    }

    pub(super) fn compile(rule: &'r Rule, view: &'r View<'r>) -> FindingParts<'r> {
        let expr = |e: &'r Expr| QuickExpr::compile(e.program.expression(), view);
        let template = |template: Option<&'r Template>| -> Vec<QuickExpr<'r>> {
            template.into_iter().flat_map(Template::exprs).map(expr).collect()
        };
        FindingParts {
            at: expr(&rule.at),
            message: template(Some(&rule.message)),
            help: template(Some(&rule.help)),
            label: template(rule.label.as_ref()),
            entity: template(rule.entity.as_ref()),
            related: rule.related.iter().map(|r| (expr(&r.at), template(Some(&r.message)))).collect(),
        }
    }
}

/// The context every item's scope is made in: sitelint's functions and
/// the `site` variable.
pub(super) fn root_context<'p, 'v>(env: &Arc<Env>, view: &'v View<'v>) -> Context<'p, 'v> {
    let mut root = Context::with_env(env.clone());
    functions::register(&mut root);
    root.add_variable_as_val("site", Box::new(view.site()));
    root
}

/// One error per rule, expression and message, listing the items: a broken
/// expression fails the same way on every item, and one report says it.
/// Results come in collection order, so the item lists are deterministic.
fn merge_error(errors: &mut Vec<RuleRuntimeError>, error: RuleRuntimeError) {
    let same = |e: &&mut RuleRuntimeError| e.code == error.code && e.span == error.span;
    match errors.iter_mut().find(same) {
        Some(existing) => {
            existing.varied |= error.varied || existing.message != error.message;
            existing.items.extend(error.items);
        }
        None => errors.push(error),
    }
}

/// What is known of a rule's `when` for an item before it is evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum When {
    /// It is true (the quick test found so): the interpreter need not
    /// evaluate it again.
    True,
    Unknown,
}

/// The findings of one rule on one item.
///
/// `parts`, when given, are the parts of the rule's findings compiled on
/// the item's view: what they can tell is not asked of the interpreter.
/// The findings are added to the maker's, all or none.
pub(super) fn evaluate<'v>(
    rule: &Rule,
    item: Node<'v>,
    root: &Context<'_, 'v>,
    when: When,
    parts: Option<&FindingParts<'v>>,
    maker: &mut Maker,
) -> Result<(), Box<RuleRuntimeError>> {
    let mut ctx = root.new_inner_scope();
    ctx.add_variable_as_val("item", Box::new(item));
    let fail = |expr: &Expr, message: String| runtime_error(rule, &item, expr, message);
    let Maker { texts, found, text, related } = maker;
    related.clear();
    let render = |t: &Template, quick: Option<&[QuickExpr<'v>]>, ctx: &Context, out: &mut String| {
        let quick = |n: usize, out: &mut String| quick.is_some_and(|quick| quick[n].display(item, out));
        t.render_with(ctx, quick, out).map_err(|(e, m)| fail(e, m))
    };

    for (name, expr) in &rule.lets {
        let value = expr.evaluate(&ctx).map_err(|e| fail(expr, execution_error(&e)))?.into_owned();
        ctx.add_variable_as_val(name.as_str(), value);
    }
    if when == When::Unknown {
        let when = rule.when.evaluate(&ctx).map_err(|e| fail(&rule.when, execution_error(&e)))?;
        match when.downcast_ref::<CelBool>() {
            Some(when) if *when.inner() => {}
            Some(_) => return Ok(()),
            None => {
                let message = format!("`when` must be true or false, not {}", when.get_type().name());
                return Err(fail(&rule.when, message));
            }
        }
    }
    let places = |at: &Expr, quick: Option<&QuickExpr<'v>>, ctx: &Context<'_, 'v>| {
        let mut out = Vec::new();
        if quick.is_some_and(|quick| quick.places(item, &mut out)) {
            return Ok(out);
        }
        let value = quick.and_then(|quick| quick.value(item));
        places(ctx, at, value).map_err(|m| fail(at, m))
    };
    let primary = places(&rule.at, parts.map(|p| &p.at), &ctx)?;
    if primary.is_empty() {
        return Err(fail(&rule.at, format!("`at` names no place in the snapshot: {AT_TAKES}")));
    }
    render(&rule.message, parts.map(|p| &p.message[..]), &ctx, text)?;
    // The ending all the rule's messages share is kept once (see `Message`).
    let ending = rule.message.ending().map_or("", |e| e);
    debug_assert!(text.ends_with(ending), "{text:?} ends with {ending:?}");
    let own = text.len() - ending.len();
    let mut message = text[..own].to_string();
    render(&rule.help, parts.map(|p| &p.help[..]), &ctx, text)?;
    let help = texts.share(text);
    let mut label = match &rule.label {
        Some(label) => {
            render(label, parts.map(|p| &p.label[..]), &ctx, text)?;
            Some(texts.share(text))
        }
        None => None,
    };
    let mut entity = match &rule.entity {
        Some(template) => {
            render(template, parts.map(|p| &p.entity[..]), &ctx, text)?;
            text.to_string()
        }
        None => item.view.natural_name(item.of).into_owned(),
    };
    for (k, r) in rule.related.iter().enumerate() {
        let each: Vec<Option<Box<dyn Val + 'v>>> = match &r.for_each {
            Some(list) => {
                let value = list.evaluate(&ctx).map_err(|e| fail(list, execution_error(&e)))?;
                match (value.get_type().kind(), value.as_iterable()) {
                    (Kind::List, Some(items)) => {
                        let mut items = items.iter();
                        std::iter::from_fn(|| items.next().map(|it| Some(it.clone_as_boxed()))).collect()
                    }
                    (Kind::NullType, _) => Vec::new(),
                    _ => {
                        let message = format!("`for_each` must be a list, not {}", value.get_type().name());
                        return Err(fail(list, message));
                    }
                }
            }
            None => vec![None],
        };
        for it in each {
            let mut scope = ctx.new_inner_scope();
            if let Some(it) = it {
                scope.add_variable_as_val("it", it);
            }
            let quick = parts.map(|p| &p.related[k]);
            render(&r.message, quick.map(|q| &q.1[..]), &scope, text)?;
            let message = texts.share(text);
            // A related place that is not written (a default) has nowhere to point.
            let places = places(&r.at, quick.map(|q| &q.0), &scope)?;
            related.extend(places.into_iter().map(|location| Related { location, message: message.clone() }));
        }
    }
    // One finding per place; nearly always one, which takes the texts
    // rather than copies of them. Each list of related places is made at
    // its length: grown from empty, one or two took room for four.
    found.reserve(primary.len());
    let last = primary.len() - 1;
    for (n, at) in primary.into_iter().enumerate() {
        let (message, label, entity, related) = if n == last {
            related.retain(|r| r.location != at);
            let mut kept = ThinVec::with_capacity(related.len());
            kept.extend(related.drain(..));
            (take(&mut message), label.take(), take(&mut entity), kept)
        } else {
            let elsewhere = |r: &&Related| r.location != at;
            let mut others = ThinVec::with_capacity(related.iter().filter(elsewhere).count());
            others.extend(related.iter().filter(elsewhere).cloned());
            (message.clone(), label.clone(), entity.clone(), others)
        };
        let message = Message::new(message, rule.message.ending().cloned());
        let mut details = Details::new(Arc::clone(&rule.reporter), rule.severity, message, at);
        details.help = Some(help.clone());
        details.label = label;
        details.related = related;
        details.set_entity(entity);
        found.push(Finding::from(details));
    }
    Ok(())
}

/// Where findings are made: what they share, the findings made so far,
/// and room to make the next, kept from one item to the next. Each text is
/// rendered into `text`, and what a finding keeps copied out at its length.
pub(super) struct Maker<'t> {
    /// Help, labels and related messages, each once.
    texts: &'t SharedTexts,
    pub(super) found: Vec<Finding>,
    text: String,
    related: Vec<Related>,
}

impl<'t> Maker<'t> {
    pub(super) fn new(texts: &'t SharedTexts) -> Maker<'t> {
        Maker { texts, found: Vec::new(), text: String::new(), related: Vec::new() }
    }
}

/// The places the value of `at` stands for: a node that is a place, a
/// `key_of()`/`value_of()` place, or a list of them. Values with no place
/// (null, a map literal, a setting left at its default) give none. `known`
/// is the value, where the quick evaluation could tell it.
fn places<'v>(
    ctx: &Context<'_, 'v>,
    at: &Expr,
    known: Option<Box<dyn Val + 'v>>,
) -> Result<Vec<Location>, String> {
    let mut out = Vec::new();
    match known {
        Some(value) => collect_places(value.as_ref(), &mut out)?,
        None => collect_places(at.evaluate(ctx).map_err(|e| execution_error(&e))?.as_ref(), &mut out)?,
    }
    Ok(out)
}

pub(super) fn collect_places(value: &dyn Val, out: &mut Vec<Location>) -> Result<(), String> {
    if let Some(Place(at)) = value.downcast_ref::<Place>() {
        out.push(*at);
        return Ok(());
    }
    match (value.get_type().kind(), value.as_iterable()) {
        (Kind::NullType, _) => Ok(()),
        (Kind::List, Some(items)) => {
            let mut items = items.iter();
            while let Some(item) = items.next() {
                collect_places(item, out)?;
            }
            Ok(())
        }
        (Kind::Map, _) => {
            let place = value.as_indexer().and_then(|m| m.get(&CelString::from(LOC)).ok());
            if let Some(Place(at)) = place.as_ref().and_then(|p| p.downcast_ref::<Place>()) {
                out.push(*at);
            }
            Ok(())
        }
        _ => Err(format!("expected a place in the snapshot, got {}: {AT_TAKES}", value.get_type().name())),
    }
}

/// What `at` and `related` places can be, for their errors.
const AT_TAKES: &str =
    "give an item, a list of items, or a field's place: key_of(item, \"field\") or value_of(item, \"field\")";

/// How an item reads in a message: a project's key, a user's email, ...
fn natural_name(item: &dyn Val) -> String {
    let mut name = String::new();
    display(item, &mut name);
    name
}

/// A rule stopped by its time limit, pointed at its condition.
fn out_of_time(rule: &Rule, limit: Duration) -> RuleRuntimeError {
    let message = format!(
        "ran out of its time limit ({}s) and was stopped: none of its findings are reported",
        limit.as_secs_f64()
    );
    RuleRuntimeError {
        code: rule.reporter.code.clone(),
        items: Vec::new(),
        message,
        varied: false,
        help: "make the rule cheaper (a comprehension nested over a big collection costs the product of \
               their sizes; `--stats` shows each rule's time), or raise the limit with \
               `--max-rule-time SECONDS` or `limits: {max-rule-time: SECONDS}` in .sitelint.yaml (0: no limit)"
            .to_string(),
        src: rule.source.named(),
        span: (rule.when.span.0, rule.when.span.1 - rule.when.span.0).into(),
        label: "this rule: its `when`, `let`, templates and `related` took the time together",
    }
}

fn runtime_error(rule: &Rule, item: &dyn Val, expr: &Expr, message: String) -> Box<RuleRuntimeError> {
    let name = natural_name(item);
    Box::new(RuleRuntimeError {
        code: rule.reporter.code.clone(),
        items: vec![if name.is_empty() { rule.collection.to_string() } else { name }],
        message,
        varied: false,
        help: EXPRESSION_HELP.to_string(),
        src: rule.source.named(),
        span: (expr.span.0, expr.span.1 - expr.span.0).into(),
        label: "this expression",
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::rules::RuleSet;

    /// One service project on a scheme without grants, two users.
    const SNAPSHOT: &str = "\
permission_schemes:
  - { id: 1, name: Support, permissions: [] }
projects:
  - { key: HELP, type: service_desk, permission_scheme: Support }
users:
  - { account_id: a1, email: ann@acme.com }
  - { account_id: a2, email: bob@acme.com }
";

    /// Two customer references of one portal-only account while external
    /// customers are off: two CA004 findings with the same help and the
    /// same related message, each text made once for both.
    #[test]
    fn findings_share_their_help_and_related_messages() {
        let snapshot = "\
customer_access: { internal: true, external: false, external_domains: [northpeak.com] }
users:
  - { account_id: \"qm:sara\", email: sara.lind@northpeak.com, account_type: customer }
organizations:
  - { name: Northpeak, members: [sara.lind@northpeak.com] }
projects:
  - { key: CS, type: service_desk, service_desk: { organizations: [Northpeak] } }
  - { key: HR, type: service_desk, service_desk: { customers: [\"qm:sara\"] } }
";
        let rules = RuleSet::builtin().map_err(|e| format!("{e:?}")).unwrap();
        let loaded = crate::load::load_text("site.yaml", snapshot).unwrap();
        let (site, facts, _) = crate::model::build(&loaded.documents);
        let view = View::build(&site, &facts);
        let outcome = run(&rules.env, &rules.rules, &view);
        let ca004: Vec<&Finding> = outcome.findings.iter().filter(|f| f.code() == "CA004").collect();
        let [first, second] = ca004[..] else { panic!("two CA004 findings: {ca004:#?}") };
        let (Some(help), Some(again)) = (&first.help, &second.help) else { panic!("CA004 gives help") };
        assert_eq!(help, again);
        assert!(SharedText::ptr_eq(help, again), "one help for both");
        let related = |f: &Finding| f.related[0].message.clone();
        assert_eq!(related(first), related(second));
        assert!(SharedText::ptr_eq(&related(first), &related(second)), "one related message for both");
    }

    #[test]
    fn a_probe_times_each_rule_counts_items_and_changes_nothing() {
        let rules = RuleSet::builtin().map_err(|e| format!("{e:?}")).unwrap();
        let loaded = crate::load::load_text("site.yaml", SNAPSHOT).unwrap();
        let (site, facts, _) = crate::model::build(&loaded.documents);
        let view = View::build(&site, &facts);

        let plain = run(&rules.env, &rules.rules, &view);
        let evaluated = AtomicU64::new(0);
        let probe = Probe { time_rules: true, evaluated: Some(&evaluated) };
        let probed = run_limited(&rules.env, &rules.rules, &view, probe, Some(DEFAULT_TIME_LIMIT));

        // The same findings, and per-rule stats only when timed.
        assert_eq!(probed.findings, plain.findings);
        assert_eq!(probed.errors.len(), plain.errors.len());
        assert!(plain.rules.is_empty());

        // One entry per rule, in rule order, with its collection's size.
        let codes: Vec<&str> = probed.rules.iter().map(|r| &*r.code).collect();
        let expected: Vec<&str> = rules.rules.iter().map(|r| &*r.reporter.code).collect();
        assert_eq!(codes, expected);
        let stats = |code: &str| probed.rules.iter().find(|r| &*r.code == code).unwrap();
        assert_eq!((stats("PS001").collection, stats("PS001").items), ("permission_schemes", 1));
        assert_eq!((stats("AC003").collection, stats("AC003").items), ("users", 2));
        assert_eq!((stats("CH001").collection, stats("CH001").items), ("service_projects", 1));
        assert_eq!((stats("PS007").collection, stats("PS007").items), ("grants", 0));
        // customer_access is not written, so CA rules have nothing to look at.
        assert_eq!((stats("CA001").collection, stats("CA001").items), ("customer_access", 0));
        for rule in &probed.rules {
            assert_eq!(rule.items, view.collection(rule.collection).len(), "{}", rule.code);
            assert_eq!(rule.time.is_zero(), rule.items == 0, "{} took {:?}", rule.code, rule.time);
        }

        // Findings per rule add up to what the run found: PS001 and PS002
        // for the scheme without grants.
        let mut found: BTreeMap<&str, usize> = BTreeMap::new();
        for finding in &probed.findings {
            *found.entry(finding.code()).or_default() += 1;
        }
        let counted: BTreeMap<&str, usize> =
            probed.rules.iter().filter(|r| r.findings > 0).map(|r| (&*r.code, r.findings)).collect();
        assert_eq!(counted, found);
        assert_eq!((stats("PS001").findings, stats("PS002").findings), (1, 1));

        // The counter saw every item.
        let items: usize = probed.rules.iter().map(|r| r.items).sum();
        assert_eq!(evaluated.load(Ordering::Relaxed), items as u64);
    }

    #[test]
    fn a_probe_without_timing_only_counts() {
        let rules = RuleSet::builtin().map_err(|e| format!("{e:?}")).unwrap();
        let loaded = crate::load::load_text("site.yaml", SNAPSHOT).unwrap();
        let (site, facts, _) = crate::model::build(&loaded.documents);
        let view = View::build(&site, &facts);
        let evaluated = AtomicU64::new(0);
        let probe = Probe { time_rules: false, evaluated: Some(&evaluated) };
        let outcome = run_limited(&rules.env, &rules.rules, &view, probe, Some(DEFAULT_TIME_LIMIT));
        assert!(outcome.rules.is_empty());
        let items: usize = rules.rules.iter().map(|r| view.collection(r.collection).len()).sum();
        assert_eq!(evaluated.load(Ordering::Relaxed), items as u64);
    }

    #[test]
    fn a_rule_out_of_time_is_stopped_and_reports_an_error_instead_of_findings() {
        let rules = RuleSet::builtin().map_err(|e| format!("{e:?}")).unwrap();
        let loaded = crate::load::load_text("site.yaml", SNAPSHOT).unwrap();
        let (site, facts, _) = crate::model::build(&loaded.documents);
        let view = View::build(&site, &facts);
        let plain = run(&rules.env, &rules.rules, &view);
        assert!(!plain.findings.is_empty() && plain.errors.is_empty());

        // Time to spare: the same as without a limit.
        let hour = Some(Duration::from_secs(3600));
        let spare = run_limited(&rules.env, &rules.rules, &view, Probe::default(), hour);
        assert_eq!(spare.findings, plain.findings);

        // No time at all: every rule is stopped, whatever it got through.
        let none = run_limited(&rules.env, &rules.rules, &view, Probe::default(), Some(Duration::ZERO));
        assert!(none.findings.is_empty());
        assert_eq!(none.errors.len(), rules.rules.len());
        let ps001 = none.errors.iter().find(|e| &*e.code == "PS001").unwrap();
        assert_eq!(
            ps001.to_string(),
            "rule PS001 ran out of its time limit (0s) and was stopped: none of its findings are reported"
        );
        let when = &rules.rules.iter().find(|r| &*r.reporter.code == "PS001").unwrap().when;
        assert_eq!((ps001.span.offset(), ps001.span.len()), (when.span.0, when.span.1 - when.span.0));
        assert!(ps001.help.contains("--max-rule-time"), "{}", ps001.help);
    }

    /// A small collection is still spread over the threads; a big one goes
    /// in chunks of at most [`CHUNK`].
    #[test]
    fn a_collection_has_a_chunk_per_thread_at_least_where_it_has_the_items() {
        let threads = rayon::current_num_threads();
        for count in [0, 1, 7, 50, 1_000, 1_000_000] {
            let size = chunk_size(count);
            assert!((1..=CHUNK).contains(&size), "{count}: {size}");
            assert!(count.div_ceil(size) >= count.min(threads), "{count}: {size}");
        }
        assert_eq!(chunk_size(1_000_000), CHUNK);
    }

    /// Rules over one collection run in one pass over its items, but each
    /// has its own time: one that runs out does not stop the others.
    #[test]
    fn a_rule_out_of_time_does_not_stop_the_other_rules_over_its_collection() {
        let mut rules = RuleSet::builtin().map_err(|e| format!("{e:?}")).unwrap();
        // A million field reads per user: far past the limit on the first.
        let thousand = format!("[{}]", vec!["0"; 1000].join(", "));
        let text = format!(
            "code: SLOW1\nname: slow\nseverity: warning\nsummary: s\nurl: https://example.com\n\
             for_each: users\nwhen: '{thousand}.exists(a, {thousand}.exists(b, item.email == \"x\"))'\n\
             message: m\nhelp: h\nat: item\n"
        );
        let source = crate::rules::error::RuleSource { name: "slow.yaml".into(), text: text.into() };
        rules.rules.push(Rule::parse(&rules.env, source).map_err(|e| e.message).unwrap());
        // AC006 finds the third user.
        let snapshot =
            format!("{SNAPSHOT}  - {{ account_id: a3, status: inactive, admin_roles: [site-admin] }}\n");
        let loaded = crate::load::load_text("site.yaml", &snapshot).unwrap();
        let (site, facts, _) = crate::model::build(&loaded.documents);
        let view = View::build(&site, &facts);
        let plain = run(&rules.env, &rules.rules[..rules.rules.len() - 1], &view);

        let limit = Some(Duration::from_millis(300));
        let outcome = run_limited(&rules.env, &rules.rules, &view, Probe::default(), limit);
        let stopped: Vec<&str> = outcome.errors.iter().map(|e| &*e.code).collect();
        assert_eq!(stopped, ["SLOW1"]);
        assert_eq!(outcome.findings, plain.findings);
        assert!(plain.findings.iter().any(|f| f.code() == "AC006"), "{:?}", plain.findings);
    }
}
