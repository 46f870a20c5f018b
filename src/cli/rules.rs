//! `sitelint rules`, `rule` and `test-rules`: the rule catalogue, one
//! rule explained, and the test cases rule files carry.

use std::path::PathBuf;
use std::time::Duration;

use clap::ValueEnum;
use miette::Report;

use crate::config::{ConfigArgs, RuleTimeArgs};
use crate::finding::Check;
use crate::report::{Summary, catalogue, human};
use crate::rules::{Rule, RuleSet, testing, view::View};
use crate::{load, model};

use super::{
    EXIT_CLEAN, EXIT_FINDINGS, EXIT_UNUSABLE, Stream, configured_rules, distinct, fail, load_rules, print,
    stderr_color, width, write_stderr,
};

#[derive(Debug, clap::Args)]
pub(super) struct RulesArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Human)]
    format: ListFormat,
    /// A folder of extra rule files to list too (repeatable).
    #[arg(long = "rules", value_name = "DIR")]
    rules: Vec<PathBuf>,
    #[command(flatten)]
    config: ConfigArgs,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ListFormat {
    /// A table: code, severity, name, summary.
    Human,
    /// Every rule's metadata, as one JSON document.
    Json,
    /// The reference page, docs/rules.md.
    Markdown,
}

#[derive(Debug, clap::Args)]
pub(super) struct RuleArgs {
    /// The rule's code, e.g. PS001.
    code: String,
    /// A folder of extra rule files (repeatable).
    #[arg(long = "rules", value_name = "DIR")]
    rules: Vec<PathBuf>,
    #[command(flatten)]
    config: ConfigArgs,
}

#[derive(Debug, clap::Args)]
pub(super) struct TestRulesArgs {
    /// Folders of rule files whose tests to run; without one, the rules a check runs are tested
    /// (the built-in rules and the configuration file's rule folders: --config and --no-config
    /// apply only then).
    #[arg(value_name = "DIR", conflicts_with_all = ["config", "no_config"])]
    dirs: Vec<PathBuf>,
    #[command(flatten)]
    config: ConfigArgs,
    #[command(flatten)]
    rule_time: RuleTimeArgs,
}

pub(super) fn list_rules(args: &RulesArgs) -> u8 {
    let rules = match configured_rules(&args.config, &args.rules) {
        Ok(rules) => rules,
        Err(errors) => return fail(&errors, stderr_color()),
    };
    let text = match args.format {
        ListFormat::Human => catalogue::table(&rules.rules),
        ListFormat::Json => catalogue::json(&rules.rules),
        ListFormat::Markdown => catalogue::markdown(&rules.rules),
    };
    print(&text)
}

pub(super) fn explain_rule(args: &RuleArgs) -> u8 {
    let rules = match configured_rules(&args.config, &args.rules) {
        Ok(rules) => rules,
        Err(errors) => return fail(&errors, stderr_color()),
    };
    let wanted = args.code.to_uppercase();
    if let Some(check) = Check::of_code(&wanted) {
        return print(&catalogue::explain_check(check, width(Stream::Stdout)));
    }
    let Some(rule) = rules.get(&wanted) else {
        let codes = rules.rules.iter().map(|r| &*r.reporter.code).chain(Check::ALL.map(Check::code));
        let hint = match crate::rules::error::did_you_mean(&wanted, codes) {
            Some(close) => format!(" (did you mean {close}?)"),
            None => String::new(),
        };
        write_stderr(&format!("error: no rule {}{hint}; `sitelint rules` lists them\n", args.code));
        return EXIT_UNUSABLE;
    };
    // A rule that fails on its own example is explained without it, and
    // the failure is an error, as in a check: "no findings" under
    // "this snapshot triggers it" would hide it.
    let (example, errors) = match example_finding(&rules, rule) {
        Ok(example) => (example, Vec::new()),
        Err(errors) => (None, errors),
    };
    let code = print(&catalogue::explain(rule, example.as_deref(), width(Stream::Stdout)));
    if errors.is_empty() { code } else { fail(&errors, stderr_color()) }
}

/// The human report of the rule's first firing test case, if it has one
/// and the rule fires on it; the rule's errors if it fails there.
fn example_finding(rules: &RuleSet, rule: &Rule) -> Result<Option<String>, Vec<Report>> {
    let Some(test) = rule.tests.iter().find(|t| t.expect.iter().any(|e| e.code == *rule.reporter.code))
    else {
        return Ok(None);
    };
    let Ok(loaded) = load::load_text(&format!("{}-example.yaml", rule.reporter.code), &test.snapshot) else {
        return Ok(None);
    };
    let (site, facts, _) = model::build(&loaded.documents);
    let view = View::build(&site, &facts);
    let outcome = crate::rules::run(&rules.env, std::slice::from_ref(rule), &view);
    if !outcome.errors.is_empty() {
        return Err(outcome.errors.into_iter().map(Report::new).collect());
    }
    if outcome.findings.is_empty() {
        return Ok(None);
    }
    let summary = Summary::new(&outcome.findings, loaded.sources.len());
    let text = human::render(
        &outcome.findings,
        &loaded.sources,
        &summary,
        human::Style { color: false, width: width(Stream::Stdout) },
    );
    // The summary line is noise here.
    Ok(Some(
        text.trim_end().rsplit_once('\n').map_or(text.clone(), |(body, _)| body.trim_end().to_string())
            + "\n",
    ))
}

pub(super) fn test_rules(args: &TestRulesArgs) -> u8 {
    let (rules, first, limit) = match rules_to_test(args) {
        Ok(found) => found,
        Err(errors) => return fail(&errors, stderr_color()),
    };
    let (mut passed, mut failed) = (0, 0);
    let mut out = String::new();
    for rule in &rules.rules[first..] {
        let results = testing::run_tests(&rules.env, rule, limit);
        if results.is_empty() {
            out += &format!("{} {}: no tests\n", rule.reporter.code, rule.reporter.name);
            continue;
        }
        let bad: Vec<_> = results.iter().filter(|r| !r.passed()).collect();
        passed += results.len() - bad.len();
        failed += bad.len();
        let verdict = if bad.is_empty() { "ok" } else { "FAILED" };
        out += &format!(
            "{} {}: {verdict} ({} of {} passed)\n",
            rule.reporter.code,
            rule.reporter.name,
            results.len() - bad.len(),
            results.len()
        );
        for case in bad {
            // Where the case's snapshot starts in the rule file: the lines
            // of its findings count from there.
            let line = rule.source.text[..case.test.snapshot_span.0].lines().count().max(1);
            let name = &case.test.name;
            out += &format!("  test \"{name}\" failed (snapshot at {}:{line})\n", rule.source.name);
            for e in &case.errors {
                out += &format!("    error: {e}\n");
            }
            out += &format!("    expected: {}\n", describe(&case.expected));
            // One finding a line, with its message: why an SL check fired.
            let actual: Vec<String> = case.actual.iter().map(|a| format!("{a}: {}", a.message)).collect();
            let actual =
                if actual.is_empty() { "no findings".to_string() } else { actual.join("\n              ") };
            out += &format!("    actual:   {actual}\n");
        }
    }
    out += &format!("{passed} passed, {failed} failed\n");
    let code = print(&out);
    if code != EXIT_CLEAN {
        code
    } else if failed > 0 {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }
}

fn describe<T: std::fmt::Display>(findings: &[T]) -> String {
    if findings.is_empty() {
        return "no findings".into();
    }
    findings.iter().map(T::to_string).collect::<Vec<_>>().join(", ")
}

/// The rules `test-rules` loads, where the ones it tests start, and how
/// long each may run on a case: without a folder, every rule a check runs,
/// within the check's time limit. With folders, their rules; the built-in
/// ones are loaded anyway so that a code defined twice is still an error,
/// unless the folder's file is the built-in rule's own (the rules folder of
/// a checkout): the copy in the folder, as edited there, is tested.
fn rules_to_test(args: &TestRulesArgs) -> Result<(RuleSet, usize, Option<Duration>), Vec<Report>> {
    if args.dirs.is_empty() {
        let config = args.config.load()?;
        let limit = args.rule_time.rule_time(config.as_ref());
        return Ok((load_rules(config.as_ref(), &[])?, 0, limit));
    }
    let mut rules = RuleSet::builtin()?;
    let mut added = 0;
    for dir in distinct(&args.dirs) {
        added += rules.add_dir_over_builtins(dir)?;
    }
    let first = rules.rules.len() - added;
    Ok((rules, first, args.rule_time.rule_time(None)))
}
