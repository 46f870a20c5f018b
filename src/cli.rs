//! The command line: parses arguments, runs the pipeline, prints, and maps
//! the outcome to an exit code.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, Report};

use crate::finding::{Finding, Severity, sort_findings};
use crate::report::{self, Summary, human};
use crate::rules::{RuleSet, view::View};
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
}

#[derive(Debug, clap::Args)]
struct CheckArgs {
    /// The snapshot: a directory or a single file.
    path: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
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
enum Format {
    Human,
    Json,
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
    match cli.command {
        Command::Check(args) => ExitCode::from(check(&args)),
    }
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
    let outcome = crate::rules::run(rules, &view);
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
        Err(errors) => return fail(&errors, color),
    };
    let output = match run_check(&args.path, &rules) {
        Ok(output) => output,
        Err(error) => return fail(&[error], color),
    };
    let summary = Summary::new(&output.findings, output.sources.len());
    let text = match args.format {
        Format::Human => {
            human::render(&output.findings, &output.sources, &summary, human::Style { color, width: width() })
        }
        Format::Json => report::json::render(&output.findings, &output.sources, &summary),
    };
    let mut stdout = std::io::stdout().lock();
    if stdout.write_all(text.as_bytes()).and_then(|_| stdout.flush()).is_err() {
        return EXIT_UNUSABLE;
    }
    if !output.rule_errors.is_empty() {
        return fail(&output.rule_errors, color);
    }
    let failing = args
        .fail_on
        .threshold()
        .is_some_and(|threshold| output.findings.iter().any(|f| f.severity >= threshold));
    if failing { EXIT_FINDINGS } else { EXIT_CLEAN }
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
