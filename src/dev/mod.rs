//! Synthetic sites for benchmarks and tests (cargo feature `dev`).
//!
//! [`generate`] writes a snapshot of a made-up JSM site to a folder: a
//! healthy site on which no rule fires, plus, when [`Params::problems`] is
//! above 0, a seeded fraction of the problems every rule of the catalogue
//! reports (the site-wide settings problems once each). The output is the
//! same bytes for the same parameters, whatever the thread count.
//!
//! The site is split like a real export: `site`, `roles` and `schemes`
//! files, one file per project, and the users, portal-only customers and
//! organizations chunked over [`Params::files`] files each. Files are
//! written in parallel, one entity at a time through a `BufWriter`; an
//! entity's fields are a function of the seed and its index, so nothing
//! the size of the site is kept in memory.
//!
//! ```no_run
//! use sitelint::dev::{Params, generate};
//! let params = Params { problems: 0.01, ..Params::for_size(50_000_000) };
//! let generated = generate(&params, "target/site-50mb".as_ref())?;
//! println!("{} files, {} bytes", generated.files, generated.bytes);
//! # Ok::<(), std::io::Error>(())
//! ```

mod emit;
mod files;
mod names;
mod plan;
mod problems;
mod rng;

use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::path::Path;
use std::str::FromStr;

pub use problems::{CODES, NOT_BY_DEFAULT, SINGLETONS};

/// The format every generated file is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Yaml,
    Json,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Yaml => "yaml",
            Format::Json => "json",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.extension())
    }
}

impl FromStr for Format {
    type Err = String;

    fn from_str(text: &str) -> Result<Format, String> {
        match text.to_ascii_lowercase().as_str() {
            "yaml" | "yml" => Ok(Format::Yaml),
            "json" => Ok(Format::Json),
            _ => Err(format!("unknown format {text:?}: yaml or json")),
        }
    }
}

/// What to generate. Counts below the minimum a coherent site needs are
/// raised to it (see [`Params::normalized`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    /// Atlassian accounts: agents, staff and partners.
    pub users: usize,
    /// Portal-only customer accounts.
    pub customers: usize,
    pub groups: usize,
    pub projects: usize,
    pub schemes: usize,
    pub organizations: usize,
    /// How many files the users, the customers and the organizations are
    /// each split into.
    pub files: usize,
    pub format: Format,
    /// The fraction of eligible entities that get each rule's problem, in
    /// [0, 1]; 0 is a healthy site on which no rule fires. Above 0, every
    /// planted rule fires at least once, and the site-wide settings problems
    /// are planted once each.
    pub problems: f64,
    pub seed: u64,
    /// The rule codes whose problems to plant; `None` is every code but
    /// [`NOT_BY_DEFAULT`] (CA001 and CA005 contradict settings other codes
    /// need, so they are planted only when named).
    pub only: Option<Vec<String>>,
}

/// Bytes of snapshot per unit of [`Params::for_size`]'s scale, measured
/// on generated YAML (JSON comes out about 18% larger).
const BYTES_PER_UNIT: f64 = 906_000.0;

impl Params {
    /// Counts for a snapshot of about `bytes` bytes of YAML (JSON comes out
    /// about 18% larger), in the proportions of a large JSM site: per
    /// 500 MB, about 165,000 Atlassian accounts, 2 million portal-only
    /// customers, 22,000 organizations, 1,100 projects, 55 permission
    /// schemes.
    pub fn for_size(bytes: u64) -> Params {
        let units = bytes as f64 / BYTES_PER_UNIT;
        let scale = |per_unit: f64, min: usize| ((per_unit * units).round() as usize).max(min);
        Params {
            users: scale(300.0, 40),
            customers: scale(3600.0, 60),
            groups: scale(0.5, 8),
            projects: scale(2.0, 6),
            schemes: scale(0.1, 3),
            organizations: scale(40.0, 6),
            files: scale(0.2, 2),
            format: Format::Yaml,
            problems: 0.0,
            seed: 42,
            only: None,
        }
    }

    /// The counts actually generated: each raised to the minimum a coherent
    /// site needs (2 service projects and a software one, a scheme of each
    /// kind, 2 organizations, a customer per organization, ...), schemes
    /// capped so every scheme has a project.
    pub fn normalized(&self) -> Params {
        let mut p = self.clone();
        p.users = p.users.max(20);
        p.groups = p.groups.max(5);
        p.projects = p.projects.max(3);
        p.organizations = p.organizations.max(2);
        p.customers = p.customers.max(10).max(p.organizations);
        p.schemes = p.schemes.clamp(2, p.projects);
        p.files = p.files.max(1);
        p.problems = if p.problems.is_nan() { 0.0 } else { p.problems.clamp(0.0, 1.0) };
        p
    }

    /// A name for these parameters, stable across runs: for caching
    /// generated sites.
    pub fn key(&self) -> String {
        let p = self.normalized();
        let only = p.only.as_ref().map_or("default".to_string(), |codes| codes.join("+"));
        format!(
            "u{}-c{}-g{}-p{}-s{}-o{}-f{}-{}-x{}-seed{}-{}",
            p.users,
            p.customers,
            p.groups,
            p.projects,
            p.schemes,
            p.organizations,
            p.files,
            p.format,
            p.problems,
            p.seed,
            only
        )
    }
}

impl Default for Params {
    /// About 1 MB of YAML, healthy, seed 42.
    fn default() -> Params {
        Params::for_size(1_000_000)
    }
}

/// Parses a size: `500MB`, `1.5GB`, `200kB`, `1MiB`, or bytes.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let trimmed = text.trim();
    let split = trimmed.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(split);
    let number: f64 = number.parse().map_err(|_| format!("not a size: {text:?} (e.g. 50MB)"))?;
    let factor = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "m" | "mb" => 1e6,
        "g" | "gb" => 1e9,
        "kib" => 1024.0,
        "mib" => 1024.0 * 1024.0,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        _ => return Err(format!("unknown size unit in {text:?}: B, kB, MB, GB, KiB, MiB or GiB")),
    };
    Ok((number * factor).round() as u64)
}

/// What [`generate`] wrote.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The parameters after [`Params::normalized`].
    pub params: Params,
    pub files: usize,
    pub bytes: u64,
    /// The codes whose problems were planted (none when `problems` is 0).
    pub codes: Vec<&'static str>,
    /// How many entities (or settings) got each code's problem. A planted
    /// problem is a finding when its entity is reachable (a customer
    /// problem on a listed customer); each code has at least one that is.
    pub planted: BTreeMap<&'static str, usize>,
}

/// Writes the site `params` describes into `out`, which must not exist or
/// be empty (a stale file from another run would join the snapshot).
pub fn generate(params: &Params, out: &Path) -> io::Result<Generated> {
    let plan = plan::Plan::new(params).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    if out.exists() && std::fs::read_dir(out)?.next().is_some() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{} is not empty; generate into a new folder", out.display()),
        ));
    }
    std::fs::create_dir_all(out)?;
    files::write_all(&plan, out)
}
