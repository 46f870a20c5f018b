//! `sitelint check`: the pipeline from snapshot to report, watched by the
//! progress bar and `--stats`, then selection, suppressions, the baseline
//! and the exit code.

use std::borrow::Cow;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::Duration;

use clap::ValueEnum;
use miette::Report;

use crate::baseline::{self, Baseline};
use crate::config::{Config, ConfigArgs, FailOn, LimitArgs, RuleTimeArgs};
use crate::date::Date;
use crate::finding::{Check, Finding, sort_findings};
use crate::load::{Limits, LoadOptions};
use crate::progress::Progress;
use crate::report::format::{self, Output, OutputFormat, RuleFailure, RuleInfo};
use crate::report::{Summary, human};
use crate::rules::engine::DEFAULT_TIME_LIMIT;
use crate::rules::engine::{Probe, RuleStats};
use crate::rules::error::RuleRuntimeError;
use crate::rules::{RuleSet, view::View};
use crate::selection::{self, Selection, SelectionArgs};
use crate::source::SourceSet;
use crate::stats::{Entities, FindingCounts, Laps, Stats};
use crate::{load, model, output_file, suppress};

use super::{
    EXIT_CLEAN, EXIT_FINDINGS, Stream, fail, load_rules, plural, plural_n, stderr_color, stdout_failed,
    warn_unread, width, write_file, write_stderr,
};

#[derive(Debug, clap::Args)]
pub(super) struct CheckArgs {
    /// The snapshot: a directory or a single file.
    path: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    format: OutputFormat,
    /// Write the report to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Exit 1 when there is a finding at or above this severity [default: the config file's
    /// fail-on, else error].
    #[arg(long, value_enum, value_name = "LEVEL")]
    fail_on: Option<FailOn>,
    /// A folder of extra rule files, added to the built-in rules and the config file's
    /// (repeatable).
    #[arg(long = "rules", value_name = "DIR")]
    rules: Vec<PathBuf>,
    #[command(flatten)]
    config: ConfigArgs,
    #[command(flatten)]
    selection: SelectionArgs,
    #[command(flatten)]
    limits: LimitArgs,
    #[command(flatten)]
    rule_time: RuleTimeArgs,
    /// Report only findings that are not in this baseline file.
    #[arg(long, value_name = "FILE", conflicts_with = "write_baseline")]
    baseline: Option<PathBuf>,
    /// Record the findings in FILE as a baseline, report nothing, and exit 0.
    #[arg(long, value_name = "FILE", conflicts_with = "output")]
    write_baseline: Option<PathBuf>,
    /// Colored output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
    /// After the report, print to stderr the snapshot's size, the time each phase took and the
    /// peak memory after it, and the time each rule took, slowest rule first.
    #[arg(long)]
    stats: bool,
    /// No progress bar and no notes on stderr; errors and warnings are still printed.
    #[arg(long, short)]
    quiet: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

/// What `check` found, before it is printed.
pub struct CheckOutput {
    pub findings: Vec<Finding>,
    pub sources: crate::source::SourceSet,
    /// Rules that failed while running: the check is not complete.
    pub rule_errors: Vec<RuleRuntimeError>,
    /// Files not read for the case of their extension ([`load::Loaded::unread`]).
    pub unread: Vec<String>,
    /// SL005 findings left out because a file did not parse: what they
    /// name may be in it.
    pub unjudged_references: usize,
    /// The model the rules ran on, handed back only to be freed.
    pub model: Model,
}

/// A checked site's model, handed back so that its caller chooses when to
/// free it. A big model is millions of allocations, and freeing them took
/// 45 ms of CPU at 59 MB, longer than most rules: `sitelint check` leaves
/// it to the process's exit ([`Model::leave_to_exit`]) unless its report
/// parses the files again, and the exit hands the pages back whole, so the
/// report has both cores (freeing it on a thread of its own, as before,
/// took one of them while the findings were serialized); the benchmarks
/// free it after the clock has stopped, as they do the trees their `parse`
/// benchmark parses.
pub struct Model {
    _site: model::Site,
    _facts: model::Facts,
}

impl Model {
    /// Leaves the model for the process's exit to free.
    pub fn leave_to_exit(self) {
        std::mem::forget(self);
    }
}

/// Runs the whole pipeline on a snapshot: load, model, rules (default limits).
pub fn run_check(path: &std::path::Path, rules: &RuleSet) -> Result<CheckOutput, Report> {
    let limits = Limits::default();
    let watch = &mut Watch::new(Progress::hidden(), false);
    run_watched(path, rules, &limits, Some(DEFAULT_TIME_LIMIT), &[], watch)
}

/// What watches a check as it runs: the progress bar, and what `--stats`
/// prints.
struct Watch {
    progress: Progress,
    laps: Laps,
    /// Whether `--stats` was asked for: only then are the rules timed one
    /// by one and the entities counted (a pass over every account, a
    /// millisecond or two on a big site).
    stats: bool,
    entities: Entities,
    rules: Vec<RuleStats>,
}

impl Watch {
    fn new(progress: Progress, stats: bool) -> Watch {
        Watch { progress, laps: Laps::start(), stats, entities: Entities::default(), rules: Vec::new() }
    }

    /// Ends the current phase (for `--stats`) and shows the next one on
    /// the progress bar.
    fn next(&mut self, ended: &'static str, next: impl Into<Cow<'static, str>>, len: Option<u64>) {
        self.laps.lap(ended);
        self.progress.phase(next, len);
    }
}

/// [`run_check`], watched, within `limits`.
fn run_watched(
    path: &Path,
    rules: &RuleSet,
    limits: &Limits,
    rule_time: Option<Duration>,
    own_paths: &[PathBuf],
    watch: &mut Watch,
) -> Result<CheckOutput, Report> {
    watch.progress.phase("finding the snapshot files", None);
    // Each file is decoded as soon as it is parsed, and its tree dropped.
    let loaded = load_watched(path, limits, own_paths, &watch.progress).map_err(Report::new)?;
    watch.next(
        "read+decode",
        format!("building the model of {}", plural_n(loaded.sources.len(), "file")),
        None,
    );
    let (site, facts, model_findings) = model::build_parts(loaded.documents);
    if watch.stats {
        watch.entities = Entities::count(&site);
    }
    // The files' trees and the model's working lists are freed; the view
    // and the findings are mostly of other sizes, so they would take fresh
    // pages while the freed ones waited to be handed back.
    crate::allocator::release_freed();
    watch.next("model", "preparing the rules' view", None);
    let view = View::build(&site, &facts);
    let items = rules.rules.iter().map(|r| view.collection(r.collection).len() as u64).sum();
    watch.next("view", format!("running {}", plural_n(rules.rules.len(), "rule")), Some(items));
    let probe = Probe { time_rules: watch.stats, evaluated: watch.progress.counter() };
    let outcome = crate::rules::engine::run_limited(&rules.env, &rules.rules, &view, probe, rule_time);
    watch.rules = outcome.rules;
    drop(view);
    // The view and the rules' working memory are freed, and what follows
    // (the report) allocates little of the same sizes.
    crate::allocator::release_freed();
    watch.next("rules", "selecting the findings", None);
    // The rules' findings are most of them: the others are added to theirs,
    // not the other way round. (Their codes differ, so the order they are
    // sorted from does not matter.)
    let mut findings = outcome.findings;
    findings.reserve(loaded.findings.len() + model_findings.len());
    // A file that did not parse may define what a reference names: one
    // typo in users.yaml made every reference to its users an SL005,
    // burying the SL001 that explains them all. (An empty file defines
    // nothing.)
    let skipped = loaded.unparsed > 0;
    let unresolved = Check::UnresolvedReference.code();
    let before = model_findings.len();
    let model_findings: Vec<Finding> =
        model_findings.into_iter().filter(|f| !(skipped && f.code() == &*unresolved)).collect();
    let unjudged_references = before - model_findings.len();
    findings.extend(loaded.findings);
    findings.extend(model_findings);
    sort_findings(&mut findings);
    Ok(CheckOutput {
        findings,
        sources: loaded.sources,
        rule_errors: outcome.errors,
        unread: loaded.unread,
        unjudged_references,
        model: Model { _site: site, _facts: facts },
    })
}

/// Loads and decodes the snapshot, showing "reading N files" and how many
/// are read.
fn load_watched(
    path: &Path,
    limits: &Limits,
    skip: &[PathBuf],
    progress: &Progress,
) -> Result<load::Loaded<model::Part>, load::LoadError> {
    let on_found =
        |files: usize| progress.phase(format!("reading {}", plural_n(files, "file")), Some(files as u64));
    let on_file = |_bytes: u64| {
        if let Some(read) = progress.counter() {
            read.fetch_add(1, Ordering::Relaxed);
        }
    };
    let options = LoadOptions { limits: *limits, on_found: Some(&on_found), on_file: Some(&on_file), skip };
    load::load_path_map(path, &options, |document| model::decode::decode_document(&document))
}

pub(super) fn check(args: &CheckArgs) -> u8 {
    match check_run(args) {
        Ok(code) => code,
        Err(errors) => fail(&errors, stderr_color()),
    }
}

/// `check`, every reason to stop early an error: load the config and the
/// rules, run the selected rules, then selection, suppressions and the
/// baseline, in that order.
fn check_run(args: &CheckArgs) -> Result<u8, Vec<Report>> {
    let progress =
        if args.quiet { Progress::hidden() } else { Progress::stderr(crate::progress::delay_from_env()) };
    let mut watch = Watch::new(progress, args.stats);
    let Setup { config, rules, selection, baseline, limits, rule_time, own_paths } = setup(args, &mut watch)?;
    let output =
        run_watched(&args.path, &rules, &limits, rule_time, &own_paths, &mut watch).map_err(|e| vec![e])?;
    let CheckOutput { mut findings, mut sources, rule_errors, unread, unjudged_references, model } = output;
    // The model is not needed again. Where the rules' peak is the check's,
    // it is left to the process's exit: freeing it made a 0.33 s JSON check
    // 8 ms slower (16 paired runs in session 17) and lowered no peak. A
    // format that parses the files again frees it first, for the trees:
    // with 20% problems on the 59 MB JSON site, JUnit peaked at 172-176k
    // KiB instead of 181-185k, and SARIF 1.5 MB lower, each 3-5 ms slower
    // (12 paired runs).
    if args.format.parses_again() {
        drop(model);
    } else {
        model.leave_to_exit();
    }
    let size =
        Size { files: sources.len(), bytes: sources.iter().map(|(_, file)| file.text.len() as u64).sum() };
    selection.apply(&mut findings);
    let (findings, suppressed, mut stale) = match &config {
        None => (findings, 0, Vec::new()),
        Some(config) => {
            // Today (and SITELINT_TODAY, which may be wrong) matters only
            // to a suppression that expires.
            let today = if config.suppressions.iter().any(|s| s.expires.is_some()) {
                Date::today().map_err(|e| vec![miette::miette!("{e}")])?
            } else {
                Date::from_unix_seconds(0)
            };
            let file = sources.add(config.source_file());
            let outcome = suppress::apply(config, file, findings, today, &selection);
            (outcome.findings, outcome.suppressed, outcome.stale)
        }
    };
    if let Some(path) = &args.write_baseline {
        // A run with a failed rule is incomplete: its baseline would be too.
        if !rule_errors.is_empty() {
            return Err(reports(rule_errors));
        }
        return write_baseline(args, path, watch, &sources, &findings, suppressed, size);
    }
    let (mut findings, known, baseline_note) = match baseline {
        Some(baseline) => {
            let known = apply_baseline(baseline, findings, &sources, &rule_errors, &rules, &selection);
            (known.findings, known.known, Some(known.note))
        }
        None => (findings, 0, None),
    };
    // Findings about the config file are selected like the rest, never baselined.
    selection.apply(&mut stale);
    findings.append(&mut stale);
    sort_findings(&mut findings);
    watch.next("filter", format!("rendering {}", plural_n(findings.len(), "finding")), None);
    // The bar is gone before anything is written.
    let Watch { progress, mut laps, entities, rules: rule_stats, .. } = watch;
    progress.finish();
    let run = Run {
        findings: &findings,
        suppressed,
        files: size.files,
        sources: &sources,
        rule_errors: &rule_errors,
    };
    if let Err(error) = write_report(args, &run, &rules, &selection)? {
        return Ok(stdout_failed(&error));
    }
    laps.lap("report");
    // After the report, on stderr whatever the format: stdout (or --output)
    // is the report itself.
    if let Some(note) = baseline_note.filter(|_| !args.quiet) {
        write_stderr(&format!("{note}\n"));
    }
    if unjudged_references > 0 && selection.is_selected(Check::UnresolvedReference.code()) && !args.quiet {
        let references = plural_n(unjudged_references, "reference");
        write_stderr(&format!(
            "note: {references} to unknown names left out (SL005): a file that does not parse (SL001) may define them\n"
        ));
    }
    warn_unread(&unread);
    if args.stats {
        let counts = FindingCounts { reported: findings.len(), suppressed, known };
        print_stats(size, entities, counts, &laps, rule_stats);
    }
    if !rule_errors.is_empty() {
        return Err(reports(rule_errors));
    }
    let fail_on = args.fail_on.or(config.and_then(|c| c.fail_on)).unwrap_or(FailOn::Error);
    // A file that did not parse was skipped, so the check is incomplete:
    // that fails the run even under `never` (README, "Limits").
    let failing = findings.iter().any(|f| {
        selection::always_reported(f.code())
            || fail_on.threshold().is_some_and(|threshold| f.severity >= threshold)
    });
    Ok(if failing { EXIT_FINDINGS } else { EXIT_CLEAN })
}

/// What a check decides before it reads the snapshot.
struct Setup {
    config: Option<Config>,
    /// The selected rules: deselected ones do not run at all.
    rules: RuleSet,
    selection: Selection,
    baseline: Option<Baseline>,
    limits: Limits,
    rule_time: Option<Duration>,
    /// The run's own report, baselines and rule folders: not snapshot
    /// files, wherever they are.
    own_paths: Vec<PathBuf>,
}

/// Loads the config file, the rules and the baseline, and selects the
/// rules; every mistake in them is an error that stops the run.
fn setup(args: &CheckArgs, watch: &mut Watch) -> Result<Setup, Vec<Report>> {
    watch.progress.phase("loading the rules", None);
    let config = args.config.load()?;
    let mut rules = load_rules(config.as_ref(), &args.rules)?;
    let known: Vec<&str> =
        rules.rules.iter().map(|r| &*r.reporter.code).chain(Check::ALL.iter().map(|c| c.code())).collect();
    let selection = Selection::new(&known, config.as_ref(), &args.selection);
    let code_errors = config.as_ref().map(|c| suppress::check_codes(c, &known)).unwrap_or_default();
    let selection = match selection {
        Ok(selection) if code_errors.is_empty() => selection,
        result => return Err(result.err().unwrap_or_default().into_iter().chain(code_errors).collect()),
    };
    let baseline = args.baseline.as_deref().map(Baseline::read).transpose().map_err(|e| vec![e])?;
    let limits = args.limits.limits(config.as_ref());
    rules.rules.retain(|r| selection.is_selected(&r.reporter.code));
    watch.laps.lap("setup");
    let rule_time = args.rule_time.rule_time(config.as_ref());
    let rule_folders = config.iter().flat_map(|c| &c.rules).chain(&args.rules);
    let own_paths = [&args.output, &args.baseline, &args.write_baseline]
        .into_iter()
        .flatten()
        .chain(rule_folders)
        .filter_map(|path| std::fs::canonicalize(path).ok())
        .collect();
    Ok(Setup { config, rules, selection, baseline, limits, rule_time, own_paths })
}

/// How many files and bytes the snapshot has, for `--stats`.
#[derive(Clone, Copy)]
struct Size {
    files: usize,
    bytes: u64,
}

/// `--write-baseline`: records `findings` in the baseline at `path`
/// instead of reporting them.
fn write_baseline(
    args: &CheckArgs,
    path: &Path,
    mut watch: Watch,
    sources: &SourceSet,
    findings: &[Finding],
    suppressed: usize,
    size: Size,
) -> Result<u8, Vec<Report>> {
    watch.next("filter", "writing the baseline", None);
    let (text, recorded) = baseline::render(findings, sources);
    let Watch { progress, mut laps, entities, rules: rule_stats, .. } = watch;
    progress.finish();
    write_file(path, "baseline", &text).map_err(|e| vec![e])?;
    laps.lap("baseline");
    if !args.quiet {
        let what = plural(recorded, "finding");
        write_stderr(&format!("wrote {recorded} {what} to baseline {}\n", path.display()));
    }
    // A file that does not parse was skipped: what it defines is in no
    // finding, so the baseline is incomplete, and SL001 fails the run as
    // it always does.
    let unparsed: Vec<String> = findings
        .iter()
        .filter(|f| selection::always_reported(f.code()))
        .map(|f| sources.path(f.primary.file).display().to_string())
        .collect();
    if !unparsed.is_empty() {
        let what = plural(unparsed.len(), "finding");
        write_stderr(&format!(
            "warning: left out {} SL001 {what} ({}): a file that does not parse is always reported, \
             and what it defines is in no finding\n",
            unparsed.len(),
            unparsed.join(", ")
        ));
    }
    if args.stats {
        let counts = FindingCounts { reported: recorded, suppressed, known: 0 };
        print_stats(size, entities, counts, &laps, rule_stats);
    }
    Ok(if unparsed.is_empty() { EXIT_CLEAN } else { EXIT_FINDINGS })
}

/// The findings a baseline does not know, how many it knew, and the note
/// that says so.
struct Known {
    findings: Vec<Finding>,
    known: usize,
    note: String,
}

/// Leaves out of `findings` those `baseline` knows, judging fixed only the
/// entries of codes that ran to their end.
fn apply_baseline(
    baseline: Baseline,
    findings: Vec<Finding>,
    sources: &SourceSet,
    rule_errors: &[RuleRuntimeError],
    rules: &RuleSet,
    selection: &Selection,
) -> Known {
    // The codes that ran to their end: the selected rules (the others were
    // dropped before the check) that did not fail, and the selected
    // snapshot checks.
    let ran = |code: &str| {
        (rules.rules.iter().any(|r| *r.reporter.code == *code)
            && !rule_errors.iter().any(|e| *e.code == *code))
            || Check::ALL.iter().any(|c| c.code() == code && selection.is_selected(code))
    };
    let filtered = baseline.filter(findings, sources, ran);
    let note = format!(
        "baseline: {} known {} not shown, {} baseline {} fixed",
        filtered.known,
        plural(filtered.known, "finding"),
        filtered.fixed,
        if filtered.fixed == 1 { "entry" } else { "entries" }
    );
    Known { findings: filtered.findings, known: filtered.known, note }
}

/// What a report is made of.
struct Run<'a> {
    findings: &'a [Finding],
    suppressed: usize,
    /// The snapshot's files, which the summary counts (`sources` holds the
    /// config file too, when there is one).
    files: usize,
    sources: &'a SourceSet,
    rule_errors: &'a [RuleRuntimeError],
}

/// Writes the report in the asked format, to `--output` or stdout. A
/// report that can't be written to an output file stops the run; to
/// stdout, the error is handed back for its exit code.
fn write_report(
    args: &CheckArgs,
    run: &Run,
    rules: &RuleSet,
    selection: &Selection,
) -> Result<Result<(), std::io::Error>, Vec<Report>> {
    let mut summary = Summary::new(run.findings, run.files);
    summary.suppressed = run.suppressed;
    let mut rule_info = RuleInfo::all(rules);
    selection.apply_to_rules(&mut rule_info);
    let failures: Vec<RuleFailure> = run.rule_errors.iter().map(RuleFailure::new).collect();
    // `-` is standard output, as for most tools, not a file named `-`.
    let output_file = args.output.as_deref().filter(|path| *path != Path::new("-"));
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            output_file.is_none() && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        }
    };
    let report = Output {
        findings: run.findings,
        sources: run.sources,
        summary,
        rules: &rule_info,
        failures: &failures,
        style: human::Style {
            color,
            width: width(if output_file.is_some() { Stream::File } else { Stream::Stdout }),
        },
    };
    let write = |to: &mut dyn Write| {
        let mut to = BufWriter::new(to);
        format::write(args.format, &report, &mut to)?;
        to.flush()
    };
    match output_file {
        Some(path) => output_file::write_with(path, "report", write).map_err(|e| vec![e]).map(Ok),
        None => Ok(write(&mut std::io::stdout().lock())),
    }
}

fn reports(errors: Vec<RuleRuntimeError>) -> Vec<Report> {
    errors.into_iter().map(Report::new).collect()
}

/// Prints `--stats` to stderr.
fn print_stats(size: Size, entities: Entities, findings: FindingCounts, laps: &Laps, rules: Vec<RuleStats>) {
    let stats = Stats {
        files: size.files,
        bytes: size.bytes,
        entities,
        findings,
        phases: laps.phases().to_vec(),
        rules,
        threads: rayon::current_num_threads(),
    };
    write_stderr(&stats.render(width(Stream::Stderr)));
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use indicatif::ProgressDrawTarget;

    use super::*;

    #[test]
    fn the_progress_bar_counts_the_files_read() {
        // Never drawn: the delay outlasts the test.
        let progress = Progress::start(Duration::from_secs(3600), ProgressDrawTarget::hidden());
        let loaded =
            load_watched(Path::new("snapshots/example"), &Limits::default(), &[], &progress).unwrap();
        assert_eq!(loaded.sources.len(), 9);
        assert_eq!(progress.current(), Some(("reading 9 files".to_string(), 9, Some(9))));
    }
}
