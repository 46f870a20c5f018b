//! The command line: parses arguments, runs the pipeline, prints, and maps
//! the outcome to an exit code.
//!
//! Each command has its module (`check`; `rules`, with `rule` and
//! `test-rules`; `access`; `import` is [`crate::import`]). What they share
//! is here: loading the rules, writing to stdout and stderr, the width text
//! wraps at, and printing the errors that make a run unusable.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, Report};

use crate::config::{Config, ConfigArgs};
use crate::report::human;
use crate::rules::RuleSet;
use crate::{load, output_file};

mod access;
mod check;
mod rules;

use access::{AccessArgs, access};
use check::{CheckArgs, check};
pub use check::{CheckOutput, Model, run_check};
use rules::{RuleArgs, RulesArgs, TestRulesArgs, explain_rule, list_rules, test_rules};

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
    /// Run the test cases carried by rule files (the rules a check runs, or DIRs').
    TestRules(TestRulesArgs),
    /// Explain why a person can or cannot reach a service project.
    Access(AccessArgs),
    /// Turn saved Atlassian exports (REST responses, the user CSV) into a snapshot folder.
    Import(crate::import::ImportArgs),
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
        Command::Access(args) => access(&args),
        Command::Import(args) => crate::import::run(&args),
    };
    ExitCode::from(code)
}

/// Warns of the files a folder has that were not read, for the case of their
/// extension: nothing is skipped without a word.
fn warn_unread(unread: &[String]) {
    for name in unread {
        write_stderr(&format!("warning: {name} was not read: {}\n", load::UNREAD));
    }
}

/// Writes notes, warnings and `--stats` to stderr. A failed write (stderr
/// closed, or a full disk) is ignored, as [`fail`] ignores it: `eprintln!`
/// would panic, and neither the report nor the exit code depends on stderr.
pub(crate) fn write_stderr(text: &str) {
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

/// Writes an output file whole (see [`output_file`]).
fn write_file(path: &Path, what: &str, text: &str) -> Result<(), Report> {
    output_file::write_with(path, what, |file| file.write_all(text.as_bytes()))
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 { word.to_string() } else { format!("{word}s") }
}

/// `1 rule`, `3 rules`.
fn plural_n(n: usize, word: &str) -> String {
    format!("{n} {}", plural(n, word))
}

/// Writes `text` to stdout: exit 0, or 2 when it cannot be written.
pub(crate) fn print(text: &str) -> u8 {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|_| stdout.flush()) {
        Ok(()) => EXIT_CLEAN,
        Err(error) => stdout_failed(&error),
    }
}

/// Exit 2 for output that could not be written to stdout, saying why (a
/// full disk, say) unless the reader has gone (`| head`), which is no news.
fn stdout_failed(error: &std::io::Error) -> u8 {
    if error.kind() != std::io::ErrorKind::BrokenPipe {
        write_stderr(&format!("error: cannot write the output to stdout: {error}\n"));
    }
    EXIT_UNUSABLE
}

fn stderr_color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// The rules `rules` and `rule` describe: those of the config file too.
fn configured_rules(config: &ConfigArgs, dirs: &[PathBuf]) -> Result<RuleSet, Vec<Report>> {
    load_rules(config.load()?.as_ref(), dirs)
}

/// The built-in rules, the config file's rule folders, then the command
/// line's, each folder once.
fn load_rules(config: Option<&Config>, dirs: &[PathBuf]) -> Result<RuleSet, Vec<Report>> {
    let mut rules = RuleSet::builtin()?;
    for dir in distinct(config.iter().flat_map(|c| &c.rules).chain(dirs)) {
        rules.add_dir(dir)?;
    }
    Ok(rules)
}

/// `dirs` without the folders an earlier one names already (in the config
/// and in a pre-commit hook's `--rules`, say): read twice, each of their
/// rules would be defined twice. A folder that can't be resolved is kept,
/// for reading it to report.
fn distinct<'a>(dirs: impl IntoIterator<Item = &'a PathBuf>) -> Vec<&'a PathBuf> {
    let mut seen: Vec<PathBuf> = Vec::new();
    let mut kept = Vec::new();
    for dir in dirs {
        match std::fs::canonicalize(dir) {
            Ok(same) if seen.contains(&same) => {}
            same => {
                seen.extend(same.ok());
                kept.push(dir);
            }
        }
    }
    kept
}

/// Prints errors that make the run unusable to stderr; exit code 2.
fn fail(errors: &[Report], color: bool) -> u8 {
    let mut stderr = std::io::stderr().lock();
    for error in errors {
        let _ = writeln!(stderr, "{}", render_error(error.as_ref(), color, width(Stream::Stderr)));
    }
    EXIT_UNUSABLE
}

/// `error` as miette shows it, `width` columns wide.
pub fn render_error(error: &dyn Diagnostic, color: bool, width: usize) -> String {
    let theme = if color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let mut out = String::new();
    let error = human::Windowed::new(error, width);
    let _ = GraphicalReportHandler::new_themed(theme).with_width(width).render_report(&mut out, &error);
    human::without_trailing_spaces(out)
}

/// Where text is written, for the width it wraps at.
#[derive(Clone, Copy)]
enum Stream {
    Stdout,
    Stderr,
    /// A file (`--output`): never a terminal.
    File,
}

/// Wrap width of text written to `stream`: see [`wrap_width`].
fn width(stream: Stream) -> usize {
    let terminal = match stream {
        Stream::Stdout => terminal_size::terminal_size_of(std::io::stdout()),
        Stream::Stderr => terminal_size::terminal_size_of(std::io::stderr()),
        Stream::File => None,
    };
    wrap_width(std::env::var("COLUMNS").ok().as_deref(), terminal.map(|(width, _)| usize::from(width.0)))
}

/// `COLUMNS` when set to 40 or more; else the width of the terminal written
/// to, if it is one, so that a report fills the window it is read in; else
/// 100, so that output piped or written to a file is the same everywhere.
fn wrap_width(columns: Option<&str>, terminal: Option<usize>) -> usize {
    let usable = |width: &usize| *width >= 40;
    // A terminal narrower than 40 columns gets 40, the narrowest report:
    // nearer its width than 100.
    let terminal = terminal.map(|width| width.max(40));
    columns.and_then(|c| c.parse().ok()).filter(usable).or(terminal).unwrap_or(100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_output_wraps_at_columns_else_the_terminal_else_100() {
        assert_eq!(wrap_width(Some("120"), Some(200)), 120);
        assert_eq!(wrap_width(None, Some(200)), 200);
        assert_eq!(wrap_width(None, None), 100);
        // Too narrow or not a number: the next choice.
        assert_eq!(wrap_width(Some("20"), Some(150)), 150);
        assert_eq!(wrap_width(Some("wide"), None), 100);
        assert_eq!(wrap_width(None, Some(30)), 40);
    }
}
