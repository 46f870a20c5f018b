//! The command line: parses arguments, runs the pipeline, prints, and maps
//! the outcome to an exit code.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, Report};

use crate::finding::{Finding, Severity, sort_findings};
use crate::report::format::{self, Output, OutputFormat, RuleInfo};
use crate::report::{Summary, catalogue, human};
use crate::rules::{Rule, RuleSet, testing, view::View};
use crate::{load, model};

/// Exit codes: the contract with CI.
pub const EXIT_CLEAN: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_UNUSABLE: u8 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "sitelint",
    version,
    about = "Lints exported Atlassian Cloud site configuration for the settings behind Jira Service Management permission errors."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Lint a site snapshot (a folder of YAML/JSON files, or one file).
    Check(CheckArgs),
    /// List every rule: code, severity, name, summary.
    Rules(RulesArgs),
    /// Explain one rule: what it checks, an example that triggers it, the fix.
    Rule(RuleArgs),
    /// Run the test cases carried by rule files (the built-in rules, or DIR's).
    TestRules(TestRulesArgs),
}

#[derive(Debug, clap::Args)]
struct RulesArgs {
    #[arg(long, value_enum, default_value_t = ListFormat::Human)]
    format: ListFormat,
    /// A folder of extra rule files to list too (repeatable).
    #[arg(long = "rules", value_name = "DIR")]
    rules: Vec<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ListFormat {
    Human,
    Json,
    /// The reference page, docs/rules.md.
    Markdown,
}

#[derive(Debug, clap::Args)]
struct RuleArgs {
    /// The rule's code, e.g. PS001.
    code: String,
    /// A folder of extra rule files (repeatable).
    #[arg(long = "rules", value_name = "DIR")]
    rules: Vec<PathBuf>,
}

#[derive(Debug, clap::Args)]
struct TestRulesArgs {
    /// A folder of rule files; without it, the built-in rules are tested.
    dir: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
struct CheckArgs {
    /// The snapshot: a directory or a single file.
    path: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    format: OutputFormat,
    /// Exit 1 when there is a finding at or above this severity.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    fail_on: FailOn,
    /// A folder of extra rule files, added to the built-in rules (repeatable).
    #[arg(long = "rules", value_name = "DIR")]
    rules: Vec<PathBuf>,
    /// Colored output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

impl FailOn {
    fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Info => Some(Severity::Info),
            FailOn::Never => None,
        }
    }
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // --help and --version are not usage errors.
            return ExitCode::from(if e.use_stderr() { EXIT_UNUSABLE } else { EXIT_CLEAN });
        }
    };
    let code = match cli.command {
        Command::Check(args) => check(&args),
        Command::Rules(args) => list_rules(&args),
        Command::Rule(args) => explain_rule(&args),
        Command::TestRules(args) => test_rules(&args),
    };
    ExitCode::from(code)
}

/// What `check` found, before it is printed.
pub struct CheckOutput {
    pub findings: Vec<Finding>,
    pub sources: crate::source::SourceSet,
    /// Rules that failed while running: the check is not complete.
    pub rule_errors: Vec<Report>,
}

/// Runs the whole pipeline on a snapshot: load, model, rules.
pub fn run_check(path: &std::path::Path, rules: &RuleSet) -> Result<CheckOutput, Report> {
    let loaded = load::load_path(path).map_err(Report::new)?;
    let (site, facts, model_findings) = model::build(&loaded.documents);
    let view = View::build(&site, &facts);
    let outcome = crate::rules::run(&rules.env, &rules.rules, &view);
    let mut findings = loaded.findings;
    findings.extend(model_findings);
    findings.extend(outcome.findings);
    sort_findings(&mut findings);
    Ok(CheckOutput {
        findings,
        sources: loaded.sources,
        rule_errors: outcome.errors.into_iter().map(|e| Report::new(*e)).collect(),
    })
}

fn check(args: &CheckArgs) -> u8 {
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let rules = match load_rules(&args.rules) {
        Ok(rules) => rules,
        Err(errors) => return fail(&errors, stderr_color()),
    };
    let output = match run_check(&args.path, &rules) {
        Ok(output) => output,
        Err(error) => return fail(&[error], stderr_color()),
    };
    let summary = Summary::new(&output.findings, output.sources.len());
    let rule_info = RuleInfo::all(&rules.rules);
    let text = format::render(
        args.format,
        &Output {
            findings: &output.findings,
            sources: &output.sources,
            summary,
            rules: &rule_info,
            style: human::Style { color, width: width() },
        },
    );
    if print(&text) != EXIT_CLEAN {
        return EXIT_UNUSABLE;
    }
    if !output.rule_errors.is_empty() {
        return fail(&output.rule_errors, stderr_color());
    }
    let failing = args
        .fail_on
        .threshold()
        .is_some_and(|threshold| output.findings.iter().any(|f| f.severity >= threshold));
    if failing { EXIT_FINDINGS } else { EXIT_CLEAN }
}

fn list_rules(args: &RulesArgs) -> u8 {
    let rules = match load_rules(&args.rules) {
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

fn explain_rule(args: &RuleArgs) -> u8 {
    let rules = match load_rules(&args.rules) {
        Ok(rules) => rules,
        Err(errors) => return fail(&errors, stderr_color()),
    };
    let wanted = args.code.to_uppercase();
    let Some(rule) = rules.get(&wanted) else {
        let codes = rules.rules.iter().map(|r| &*r.code);
        let hint = match crate::rules::error::did_you_mean(&wanted, codes) {
            Some(close) => format!(" (did you mean {close}?)"),
            None => String::new(),
        };
        eprintln!("error: no rule {}{hint}; `sitelint rules` lists them", args.code);
        return EXIT_UNUSABLE;
    };
    let example = example_finding(&rules, rule);
    print(&catalogue::explain(rule, example.as_deref(), width()))
}

/// The human report of the rule's first firing test case.
fn example_finding(rules: &RuleSet, rule: &Rule) -> Option<String> {
    let test = rule.tests.iter().find(|t| t.expect.iter().any(|e| e.code == *rule.code))?;
    let loaded = load::load_text(&format!("{}-example.yaml", rule.code), &test.snapshot).ok()?;
    let (site, facts, _) = model::build(&loaded.documents);
    let view = View::build(&site, &facts);
    let outcome = crate::rules::run(&rules.env, std::slice::from_ref(rule), &view);
    let summary = Summary::new(&outcome.findings, loaded.sources.len());
    let text = human::render(
        &outcome.findings,
        &loaded.sources,
        &summary,
        human::Style { color: false, width: width() },
    );
    // The summary line is noise here.
    Some(
        text.trim_end().rsplit_once('\n').map_or(text.clone(), |(body, _)| body.trim_end().to_string())
            + "\n",
    )
}

fn test_rules(args: &TestRulesArgs) -> u8 {
    let mut rules = match RuleSet::builtin() {
        Ok(rules) => rules,
        Err(errors) => return fail(&errors, stderr_color()),
    };
    // With DIR, its rules are tested; the built-in ones are loaded anyway so
    // that a code defined twice is still an error.
    let first = match &args.dir {
        None => 0,
        Some(dir) => {
            let builtin = rules.rules.len();
            if let Err(errors) = rules.add_dir(dir) {
                return fail(&errors, stderr_color());
            }
            builtin
        }
    };
    let (mut passed, mut failed) = (0, 0);
    let mut out = String::new();
    for rule in &rules.rules[first..] {
        let results = testing::run_tests(&rules.env, rule);
        if results.is_empty() {
            out += &format!("{} {}: no tests\n", rule.code, rule.name);
            continue;
        }
        let bad: Vec<_> = results.iter().filter(|r| !r.passed()).collect();
        passed += results.len() - bad.len();
        failed += bad.len();
        let verdict = if bad.is_empty() { "ok" } else { "FAILED" };
        out += &format!(
            "{} {}: {verdict} ({} of {} passed)\n",
            rule.code,
            rule.name,
            results.len() - bad.len(),
            results.len()
        );
        for case in bad {
            out += &format!("  test \"{}\" failed\n", case.test.name);
            for e in &case.errors {
                out += &format!("    error: {e}\n");
            }
            out += &format!("    expected: {}\n", describe(&case.expected));
            out += &format!("    actual:   {}\n", describe(&case.actual));
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

fn print(text: &str) -> u8 {
    let mut stdout = std::io::stdout().lock();
    if stdout.write_all(text.as_bytes()).and_then(|_| stdout.flush()).is_err() {
        EXIT_UNUSABLE
    } else {
        EXIT_CLEAN
    }
}

fn stderr_color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

fn load_rules(dirs: &[PathBuf]) -> Result<RuleSet, Vec<Report>> {
    let mut rules = RuleSet::builtin()?;
    for dir in dirs {
        rules.add_dir(dir)?;
    }
    Ok(rules)
}

/// Prints errors that make the run unusable to stderr; exit code 2.
fn fail(errors: &[Report], color: bool) -> u8 {
    let mut stderr = std::io::stderr().lock();
    for error in errors {
        let _ = writeln!(stderr, "{}", render_error(error.as_ref(), color));
    }
    EXIT_UNUSABLE
}

pub fn render_error(error: &dyn Diagnostic, color: bool) -> String {
    let theme = if color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let mut out = String::new();
    let _ = GraphicalReportHandler::new_themed(theme).with_width(width()).render_report(&mut out, error);
    out
}

/// Wrap width: `COLUMNS` when set, else 100 so output is the same everywhere.
fn width() -> usize {
    std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()).filter(|w| *w >= 40).unwrap_or(100)
}
