//! The check pipeline on generated sites, phase by phase (divan).
//!
//! ```sh
//! cargo bench                                  # 1MB and 50MB
//! SITELINT_BENCH_LARGE=1 cargo bench           # 1MB, 50MB and 500MB
//! SITELINT_BENCH_SIZES=5MB,20MB cargo bench -- parse model   # any sizes, some phases
//! ```
//!
//! Phases: `parse` (`load::load_path`), `model` (`model::build`),
//! `rules_only` (`View::build` and `rules::run`, built-in rules), `check`
//! (`cli::run_check` and `report::json::write`: what `sitelint check
//! --format json` does, without a config file), each on a YAML and a JSON
//! snapshot of each size; throughput is snapshot bytes per second.
//! `render_human` renders 100,000 human diagnostics.
//!
//! Then, for each case, the check's time over parsing's (issue 6's first
//! target) from pairs of runs, each check right after its parse, so that
//! the machine's load drifting between divan's benchmarks does not move it.
//!
//! Snapshots are generated once (`sitelint::dev`, seed 42, 1% problems)
//! into `target/tmp/sitelint-bench/<params>/` and reused by later runs.
//!
//! `cargo test` runs this file too (`test = true` in Cargo.toml): without
//! `--bench`, divan runs each benchmark once, and the sizes shrink to
//! 100kB, so the benchmark code is tested in the normal test suite.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

use divan::Bencher;
use divan::counter::BytesCount;
use sitelint::dev::{self, Format, Params};
use sitelint::report::{Summary, human, json};
use sitelint::rules::{RuleSet, view::View};
use sitelint::{cli, load, model};

// The allocator the binary uses (src/main.rs), so the figures are what users get.
#[global_allocator]
static ALLOCATOR: sitelint::allocator::Allocator = sitelint::allocator::Allocator;

fn main() {
    sitelint::allocator::configure();
    // Generate (or find) every snapshot first, so progress messages do not
    // interleave with divan's table.
    for case in cases() {
        site(&case);
    }
    divan::main();
    paired_ratios();
}

/// Prints, for each case, the check's time over parsing's: the median and
/// range over pairs of runs, a parse then a check (`SITELINT_BENCH_PAIRS`,
/// else 11, or one under `cargo test`). What each returns is freed after its clock has stopped, as in
/// the benchmarks.
fn paired_ratios() {
    let pairs = match std::env::var("SITELINT_BENCH_PAIRS") {
        Ok(pairs) => pairs.parse().expect("SITELINT_BENCH_PAIRS is a number"),
        Err(_) if testing() => 1,
        Err(_) => 11,
    };
    println!("check / parse, {pairs} {} each:", if pairs == 1 { "pair" } else { "pairs" });
    for case in cases() {
        let site = site(&case);
        let times: Vec<(f64, f64)> = (0..pairs)
            .map(|_| {
                let start = Instant::now();
                let parsed = load::load_path(&site.dir).unwrap();
                let parse = start.elapsed();
                drop(parsed);
                let start = Instant::now();
                let checked = check_json(&site.dir, rules());
                let check = start.elapsed();
                drop(checked);
                (parse.as_secs_f64(), check.as_secs_f64())
            })
            .collect();
        let spread = |mut values: Vec<f64>| {
            values.sort_by(f64::total_cmp);
            (values[0], values[values.len() / 2], values[values.len() - 1])
        };
        let (low, ratio, high) = spread(times.iter().map(|(parse, check)| check / parse).collect());
        let (_, parse, _) = spread(times.iter().map(|t| t.0 * 1e3).collect());
        let (_, check, _) = spread(times.iter().map(|t| t.1 * 1e3).collect());
        println!(
            "  {case:<10} {ratio:.2}x (from {low:.2}x to {high:.2}x); medians: parse {parse:.1} ms, check {check:.1} ms"
        );
    }
}

/// The sizes to run at: `SITELINT_BENCH_SIZES`, else 1MB, 50MB and 500MB
/// with `SITELINT_BENCH_LARGE=1`, else 1MB and 50MB; 100kB under `cargo test`.
fn sizes() -> Vec<String> {
    if let Ok(list) = std::env::var("SITELINT_BENCH_SIZES") {
        return list.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
    }
    let sizes: &[&str] = if testing() {
        &["100kB"]
    } else if std::env::var_os("SITELINT_BENCH_LARGE").is_some_and(|v| v != "0") {
        &["1MB", "50MB", "500MB"]
    } else {
        &["1MB", "50MB"]
    };
    sizes.iter().map(|s| s.to_string()).collect()
}

/// Whether `cargo test` runs this (divan then runs each benchmark once).
fn testing() -> bool {
    !std::env::args().any(|a| a == "--bench")
}

/// `<size>-<format>` for each size and format.
fn cases() -> Vec<String> {
    sizes().into_iter().flat_map(|size| ["yaml", "json"].map(|format| format!("{size}-{format}"))).collect()
}

/// The smallest YAML case: where 100,000 diagnostics are rendered from.
fn render_case() -> Vec<String> {
    cases().into_iter().take(1).collect()
}

/// A generated snapshot: its folder and size in bytes.
#[derive(Debug, Clone)]
struct Site {
    dir: PathBuf,
    bytes: u64,
}

/// The snapshot for a case, generated on first use and cached on disk.
fn site(case: &str) -> Site {
    static SITES: OnceLock<Mutex<HashMap<String, Site>>> = OnceLock::new();
    let mut sites = SITES.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    sites.entry(case.to_string()).or_insert_with(|| generate(case)).clone()
}

fn generate(case: &str) -> Site {
    let (size, format) = case.rsplit_once('-').expect("cases are <size>-<format>");
    let bytes = dev::parse_size(size).unwrap_or_else(|e| panic!("SITELINT_BENCH_SIZES: {e}"));
    let format: Format = format.parse().expect("yaml or json");
    let params = Params { format, problems: 0.01, ..Params::for_size(bytes) };
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sitelint-bench");
    let dir = root.join(params.key());
    if !dir.exists() {
        // Generated under a temporary name and renamed when complete, so an
        // interrupted run leaves no half site to be reused.
        let partial = root.join(format!("{}.partial", params.key()));
        let _ = std::fs::remove_dir_all(&partial);
        eprintln!("generating {case} into {}", dir.display());
        dev::generate(&params, &partial).unwrap_or_else(|e| panic!("generating {case}: {e}"));
        std::fs::rename(&partial, &dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    }
    Site { bytes: snapshot_bytes(&dir), dir }
}

fn snapshot_bytes(dir: &Path) -> u64 {
    let mut total = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let meta = entry.metadata().unwrap();
        total += if meta.is_dir() { snapshot_bytes(&entry.path()) } else { meta.len() };
    }
    total
}

fn rules() -> &'static RuleSet {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    RULES.get_or_init(|| RuleSet::builtin().expect("built-in rules load"))
}

/// Reading and parsing every file (in parallel).
#[divan::bench(args = cases(), sample_count = 5, sample_size = 1)]
fn parse(bencher: Bencher, case: &str) {
    let site = site(case);
    bencher.counter(BytesCount::new(site.bytes)).bench(|| load::load_path(&site.dir).unwrap());
}

/// Decoding, resolving references, deriving facts.
#[divan::bench(args = cases(), sample_count = 5, sample_size = 1)]
fn model(bencher: Bencher, case: &str) {
    let site = site(case);
    let loaded = load::load_path(&site.dir).unwrap();
    bencher.counter(BytesCount::new(site.bytes)).bench(|| model::build(&loaded.documents));
}

/// Building the CEL view and evaluating the built-in rules.
#[divan::bench(args = cases(), sample_count = 5, sample_size = 1)]
fn rules_only(bencher: Bencher, case: &str) {
    let site = site(case);
    let loaded = load::load_path(&site.dir).unwrap();
    let (model, facts, _) = model::build(&loaded.documents);
    let rules = rules();
    bencher.counter(BytesCount::new(site.bytes)).bench(|| {
        let view = View::build(&model, &facts);
        sitelint::rules::run(&rules.env, &rules.rules, &view)
    });
}

/// The whole check with JSON output. What it returns (the report, the
/// sources, the model) divan frees after the clock has stopped, as it does
/// the trees `parse` returns; `sitelint check` leaves all of it to its exit.
#[divan::bench(args = cases(), sample_count = 5, sample_size = 1)]
fn check(bencher: Bencher, case: &str) {
    let site = site(case);
    let rules = rules();
    bencher.counter(BytesCount::new(site.bytes)).bench(|| check_json(&site.dir, rules));
}

/// What `sitelint check --format json` does: the report, and what it was
/// made from.
fn check_json(dir: &Path, rules: &RuleSet) -> (Vec<u8>, cli::CheckOutput) {
    let output = cli::run_check(dir, rules).unwrap();
    let summary = Summary::new(&output.findings, output.sources.len());
    let mut report = Vec::new();
    json::write(&output.findings, &output.sources, &[], &summary, &mut report).unwrap();
    (report, output)
}

/// 100,000 human diagnostics (1,000 under `cargo test`): the findings of a site with many problems,
/// repeated to that count (each renders independently of the others), written as `sitelint
/// check` writes them, batch by batch, here to nowhere.
#[divan::bench(args = render_case(), sample_count = 3, sample_size = 1)]
fn render_human(bencher: Bencher, case: &str) {
    let count = if testing() { 1_000 } else { 100_000 };
    let site = site(case);
    let output = cli::run_check(&site.dir, rules()).unwrap();
    assert!(!output.findings.is_empty(), "{case} has no findings");
    let findings: Vec<_> = output.findings.iter().cycle().take(count).cloned().collect();
    let summary = Summary::new(&findings, output.sources.len());
    let style = human::Style { color: false, width: 100 };
    bencher
        .bench(|| human::write(&findings, &output.sources, &summary, style, &mut std::io::sink()).unwrap());
}
