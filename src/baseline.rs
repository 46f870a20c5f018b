//! Baselines: the findings a site had when the file was written, so that a
//! check reports only new ones. A finding is recorded by code and subject
//! (its entity, or the message of a snapshot check), with a count when the
//! same pair occurs more than once, and never by line: edits elsewhere in a
//! file do not make old findings new. Where a pair occurs more than once,
//! the entry also records where each one is (its file and the keys down to
//! it), so that when one more comes, the one reported is the new one.

use std::collections::{BTreeMap, HashMap};
use std::num::NonZeroUsize;
use std::path::Path;

use miette::Report;
use serde::{Deserialize, Serialize};

use crate::finding::Finding;
use crate::report::keypath::key_paths;
use crate::selection::always_reported;
use crate::source::{SourceSet, json_error};

/// The file format's version. Version 1 had no `at`, and is read too.
const VERSION: u32 = 2;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BaselineFile {
    version: u32,
    findings: Vec<Entry>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    code: String,
    entity: String,
    #[serde(default = "one", skip_serializing_if = "is_one")]
    count: NonZeroUsize,
    /// Where each of them is: `file: key path` ([`key_paths`]), which edits
    /// elsewhere in the file leave alone. Recorded for one finding too: when
    /// a second appears, the one at the recorded place is the known one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    at: Vec<String>,
}

fn one() -> NonZeroUsize {
    NonZeroUsize::MIN
}

fn is_one(n: &NonZeroUsize) -> bool {
    *n == NonZeroUsize::MIN
}

/// What entries are matched by: the subject compares case-insensitively,
/// like suppressions, so a re-cased email is still the same finding.
fn key(code: &str, subject: &str) -> (String, String) {
    (code.to_string(), subject.to_lowercase())
}

/// `findings` as a baseline file: sorted, one entry per code and subject.
/// SL001 is left out, since it is always reported. Also returns how many
/// findings it records.
pub fn render(findings: &[Finding], sources: &SourceSet) -> (String, usize) {
    let recorded: Vec<&Finding> = findings.iter().filter(|f| !always_reported(f.code())).collect();
    let mut groups: BTreeMap<(String, String), Vec<&Finding>> = BTreeMap::new();
    for &f in &recorded {
        groups.entry(key(f.code(), &f.subject())).or_default().push(f);
    }
    let grouped: Vec<&Finding> = groups.values().flatten().copied().collect();
    let mut places = places(&grouped, sources).into_iter();
    let entries = groups
        .into_values()
        .map(|group| {
            let mut at: Vec<String> = places.by_ref().take(group.len()).collect();
            at.sort();
            Entry {
                code: group[0].code().to_string(),
                entity: group[0].subject().to_string(),
                count: NonZeroUsize::new(group.len()).unwrap_or(NonZeroUsize::MIN),
                at,
            }
        })
        .collect();
    let file = BaselineFile { version: VERSION, findings: entries };
    // Serializing plain data to a String cannot fail.
    (serde_json::to_string_pretty(&file).unwrap_or_default() + "\n", recorded.len())
}

/// Where each finding is: its file, and the keys down to it.
fn places(findings: &[&Finding], sources: &SourceSet) -> Vec<String> {
    let paths = key_paths(findings, sources);
    findings
        .iter()
        .zip(paths.iter())
        .map(|(f, path)| format!("{}: {path}", sources.get(f.primary.file).relative))
        .collect()
}

/// A baseline as read: how many findings each code and subject had, and
/// where, when it had several.
pub struct Baseline {
    counts: HashMap<(String, String), usize>,
    places: HashMap<(String, String), Vec<String>>,
}

/// Findings after the baseline.
pub struct Filtered {
    /// Findings the baseline does not have.
    pub findings: Vec<Finding>,
    /// Findings it has, not reported.
    pub known: usize,
    /// Findings it has that are gone, of the codes that ran.
    pub fixed: usize,
}

impl Baseline {
    pub fn read(path: &Path) -> Result<Baseline, Report> {
        let help = "write one with `sitelint check PATH --write-baseline FILE`";
        let text = std::fs::read_to_string(path)
            .map_err(|e| miette::miette!(help = help, "cannot read baseline {}: {e}", path.display()))?;
        let file: BaselineFile = serde_json::from_str(&text).map_err(|e| {
            let (message, at) = json_error(&text, &e);
            let at = at.map_or(String::new(), |at| format!(" at line {} column {}", at.line, at.column));
            miette::miette!(help = help, "baseline {} is not valid: {message}{at}", path.display())
        })?;
        if !(1..=VERSION).contains(&file.version) {
            return Err(miette::miette!(
                help = help,
                "baseline {} has version {}; this sitelint reads versions 1 to {VERSION}",
                path.display(),
                file.version
            ));
        }
        let mut counts = HashMap::new();
        let mut places: HashMap<_, Vec<String>> = HashMap::new();
        for e in file.findings {
            let key = key(&e.code, &e.entity);
            *counts.entry(key.clone()).or_default() += e.count.get();
            if !e.at.is_empty() {
                places.entry(key).or_default().extend(e.at);
            }
        }
        Ok(Baseline { counts, places })
    }

    /// Drops the findings the baseline has, as many per code and subject as
    /// it recorded: first those at a place it recorded, then the first ones
    /// in report order. Only entries of codes that `ran` can be fixed: a
    /// rule left out by `--select` or `ignore`, or not loaded, found nothing
    /// because it did not look, and counting its entries as fixed would
    /// invite dropping them from the baseline.
    pub fn filter(self, findings: Vec<Finding>, sources: &SourceSet, ran: impl Fn(&str) -> bool) -> Filtered {
        let Baseline { counts: mut left, mut places } = self;
        let counted = |f: &Finding| !always_reported(f.code());
        let keys: Vec<(String, String)> = findings.iter().map(|f| key(f.code(), &f.subject())).collect();
        let mut now: HashMap<&(String, String), usize> = HashMap::new();
        for (f, key) in findings.iter().zip(&keys) {
            if counted(f) {
                *now.entry(key).or_default() += 1;
            }
        }
        // Where a code and subject has more findings than recorded, the
        // ones still at a recorded place are the known ones; elsewhere
        // every finding is known, and nothing needs placing.
        let placed: Vec<usize> = (0..findings.len())
            .filter(|&n| {
                let key = &keys[n];
                counted(&findings[n])
                    && places.contains_key(key)
                    && now.get(key).copied().unwrap_or(0) > left.get(key).copied().unwrap_or(0)
            })
            .collect();
        let placed_findings: Vec<&Finding> = placed.iter().map(|&n| &findings[n]).collect();
        let mut at_place = vec![false; findings.len()];
        for (&n, place) in placed.iter().zip(self::places(&placed_findings, sources)) {
            let key = &keys[n];
            let recorded = places.get_mut(key).and_then(|list| {
                let i = list.iter().position(|p| *p == place)?;
                Some(list.swap_remove(i))
            });
            if let (Some(_), Some(left)) = (recorded, left.get_mut(key).filter(|left| **left > 0)) {
                *left -= 1;
                at_place[n] = true;
            }
        }
        let mut known = at_place.iter().filter(|&&known| known).count();
        let mut new = Vec::new();
        for ((f, key), at_place) in findings.into_iter().zip(&keys).zip(at_place) {
            if at_place {
                continue;
            }
            match left.get_mut(key).filter(|n| **n > 0 && counted(&f)) {
                Some(n) => {
                    *n -= 1;
                    known += 1;
                }
                None => new.push(f),
            }
        }
        let fixed = left.iter().filter(|((code, _), _)| ran(code)).map(|(_, n)| n).sum();
        Filtered { findings: new, known, fixed }
    }
}
