//! Baselines: the findings a site had when the file was written, so that a
//! check reports only new ones. A finding is recorded by code and subject
//! (its entity, or the message of a snapshot check), with a count when the
//! same pair occurs more than once, and never by line: edits elsewhere in a
//! file do not make old findings new.

use std::collections::{BTreeMap, HashMap};
use std::num::NonZeroUsize;
use std::path::Path;

use miette::Report;
use serde::{Deserialize, Serialize};

use crate::finding::Finding;
use crate::selection::always_reported;
use crate::source::json_error;

/// The file format's version; a reader refuses others.
const VERSION: u32 = 1;

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
pub fn render(findings: &[Finding]) -> (String, usize) {
    let mut entries: BTreeMap<(String, String), Entry> = BTreeMap::new();
    let recorded: Vec<&Finding> = findings.iter().filter(|f| !always_reported(&f.code)).collect();
    for f in &recorded {
        entries
            .entry(key(&f.code, f.subject()))
            .and_modify(|e| e.count = e.count.saturating_add(1))
            .or_insert_with(|| Entry {
                code: f.code.to_string(),
                entity: f.subject().to_string(),
                count: one(),
            });
    }
    let file = BaselineFile { version: VERSION, findings: entries.into_values().collect() };
    // Serializing plain data to a String cannot fail.
    (serde_json::to_string_pretty(&file).unwrap_or_default() + "\n", recorded.len())
}

/// A baseline as read: how many findings each code and subject had.
pub struct Baseline {
    counts: HashMap<(String, String), usize>,
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
        if file.version != VERSION {
            return Err(miette::miette!(
                help = help,
                "baseline {} has version {}; this sitelint reads version {VERSION}",
                path.display(),
                file.version
            ));
        }
        let mut counts = HashMap::new();
        for e in file.findings {
            *counts.entry(key(&e.code, &e.entity)).or_default() += e.count.get();
        }
        Ok(Baseline { counts })
    }

    /// Drops the findings the baseline has, as many per code and subject as
    /// it recorded (the first ones in report order). Only entries of codes
    /// that `ran` can be fixed: a rule left out by `--select` or `ignore`,
    /// or not loaded, found nothing because it did not look, and counting
    /// its entries as fixed would invite dropping them from the baseline.
    pub fn filter(self, findings: Vec<Finding>, ran: impl Fn(&str) -> bool) -> Filtered {
        let mut left = self.counts;
        let mut known = 0;
        let mut new = Vec::new();
        for f in findings {
            let slot =
                left.get_mut(&key(&f.code, f.subject())).filter(|n| **n > 0 && !always_reported(&f.code));
            match slot {
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
