//! Writes a synthetic site snapshot, for benchmarks and experiments.
//!
//! ```sh
//! cargo run --release --features dev --example generate -- --out /tmp/site --size 50MB --problems 0.01
//! ```
//!
//! `--size` picks counts for a snapshot of about that size (YAML; JSON is
//! about 18% larger); explicit counts override it. Without either, about
//! 1 MB. The same arguments always write the same bytes.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use sitelint::dev::{self, Format, Params};

#[derive(Debug, Parser)]
#[command(about = "Writes a synthetic Atlassian site snapshot (sitelint's dev generator).")]
struct Args {
    /// The folder to write (must not exist or be empty).
    #[arg(long)]
    out: PathBuf,
    /// About this much snapshot: 1MB, 50MB, 500MB, 2GB, ... [default: 1MB]
    #[arg(long, value_parser = dev::parse_size)]
    size: Option<u64>,
    /// Atlassian accounts (agents, staff, partners).
    #[arg(long)]
    users: Option<usize>,
    /// Portal-only customer accounts.
    #[arg(long)]
    customers: Option<usize>,
    #[arg(long)]
    groups: Option<usize>,
    #[arg(long)]
    projects: Option<usize>,
    /// Permission schemes (at most one per project).
    #[arg(long)]
    schemes: Option<usize>,
    #[arg(long)]
    organizations: Option<usize>,
    /// Files each of users, customers and organizations is split into.
    #[arg(long)]
    files: Option<usize>,
    #[arg(long, default_value = "yaml")]
    format: Format,
    /// Fraction of entities that get each rule's problem (0: a healthy site).
    #[arg(long, default_value_t = 0.0)]
    problems: f64,
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Plant only these codes' problems (comma-separated); default: every
    /// code but CA001 and CA005, which contradict settings others need.
    #[arg(long, value_delimiter = ',')]
    only: Option<Vec<String>>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let base = Params::for_size(args.size.unwrap_or(1_000_000));
    let params = Params {
        users: args.users.unwrap_or(base.users),
        customers: args.customers.unwrap_or(base.customers),
        groups: args.groups.unwrap_or(base.groups),
        projects: args.projects.unwrap_or(base.projects),
        schemes: args.schemes.unwrap_or(base.schemes),
        organizations: args.organizations.unwrap_or(base.organizations),
        files: args.files.unwrap_or(base.files),
        format: args.format,
        problems: args.problems,
        seed: args.seed,
        only: args.only,
    };
    let started = Instant::now();
    match dev::generate(&params, &args.out) {
        Ok(generated) => {
            let p = &generated.params;
            let mut summary = format!(
                "wrote {} files, {:.1} MB, to {} in {:.1?}\n",
                generated.files,
                generated.bytes as f64 / 1e6,
                args.out.display(),
                started.elapsed()
            );
            summary.push_str(&format!(
                "{} users, {} customers, {} groups, {} projects, {} schemes, {} organizations ({}, seed {})\n",
                p.users, p.customers, p.groups, p.projects, p.schemes, p.organizations, p.format, p.seed
            ));
            if generated.codes.is_empty() {
                summary.push_str("healthy: no problems planted\n");
            } else {
                let planted: Vec<String> =
                    generated.planted.iter().map(|(code, n)| format!("{code} {n}")).collect();
                summary.push_str(&format!("planted: {}\n", planted.join(", ")));
            }
            // The site is written; a reader of the summary that has gone
            // (`| head -1`) is no failure, and no reason to panic.
            let _ = std::io::stdout().write_all(summary.as_bytes());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
