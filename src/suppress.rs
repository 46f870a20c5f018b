//! Suppressions: findings the config file says to live with, named by code
//! and entity (case-insensitive), each with a reason and maybe an expiry date.
//! Stale ones are findings themselves (SL100, SL101), so they get cleaned up.

use miette::Report;

use crate::config::{Config, Suppression};
use crate::date::Date;
use crate::finding::{Check, Finding};
use crate::rules::error::did_you_mean;
use crate::selection::{Selection, always_reported};
use crate::source::{FileId, Location};

/// Every suppression names one code there is, of a finding it can hide.
pub fn check_codes(config: &Config, known: &[&str]) -> Vec<Report> {
    let mut errors = Vec::new();
    for s in &config.suppressions {
        let code = s.code.text.as_str();
        let (message, help) = if always_reported(code) {
            (
                format!("{code} cannot be suppressed"),
                "a file that does not parse is skipped: fix the file".into(),
            )
        } else if ABOUT_THE_CONFIG.iter().any(|c| c.code() == code) {
            // They are computed after suppressions apply, from them.
            (
                format!("{code} cannot be suppressed"),
                format!("fix the suppression it reports, or ignore {code}"),
            )
        } else if known.contains(&code) {
            continue;
        } else {
            let help = match did_you_mean(&code.to_uppercase(), known.iter().copied()) {
                Some(close) => format!("did you mean `{close}`?"),
                None => "a suppression names one code; `sitelint rules` lists them".into(),
            };
            (format!("unknown code `{code}`"), help)
        };
        errors.push(config.error(s.code.span, "this code", message, Some(help)));
    }
    errors
}

/// The checks that report on suppressions themselves.
const ABOUT_THE_CONFIG: [Check; 2] = [Check::UnusedSuppression, Check::ExpiredSuppression];

/// Findings after suppressions.
pub struct Outcome {
    /// What is still reported.
    pub findings: Vec<Finding>,
    /// How many findings a suppression hid.
    pub suppressed: usize,
    /// SL100 and SL101 findings about the config file.
    pub stale: Vec<Finding>,
}

/// What one suppression did.
#[derive(Default)]
struct Use<'f> {
    hidden: usize,
    /// Findings it matched after it expired: reported again.
    revived: Vec<&'f Finding>,
    /// Another suppression that hid what this one matches (the same code
    /// and entity, maybe in another case; an unexpired one wins).
    repeats: Option<usize>,
}

/// Hides the findings an unexpired suppression matches; `file` is the config
/// file's id in the report's sources.
pub fn apply(
    config: &Config,
    file: FileId,
    findings: Vec<Finding>,
    today: Date,
    selection: &Selection,
) -> Outcome {
    let entities: Vec<String> = config.suppressions.iter().map(|s| s.entity.text.to_lowercase()).collect();
    let mut uses: Vec<Use> = config.suppressions.iter().map(|_| Use::default()).collect();
    let mut hidden = vec![false; findings.len()];
    for (n, finding) in findings.iter().enumerate() {
        let subject = finding.subject().to_lowercase();
        let matching = || {
            (0..entities.len())
                .filter(|&i| config.suppressions[i].code.text == finding.code() && entities[i] == subject)
        };
        let expired = |i: &usize| config.suppressions[*i].expires.is_some_and(|(date, _)| date < today);
        // An unexpired suppression wins over an expired one for the same finding.
        if let Some(i) = matching().find(|i| !expired(i)) {
            uses[i].hidden += 1;
            hidden[n] = true;
            for other in matching().filter(|&j| j != i) {
                uses[other].repeats.get_or_insert(i);
            }
        } else if let Some(i) = matching().next() {
            uses[i].revived.push(finding);
        }
    }
    let at = |span| Location { file, span };
    let mut stale = Vec::new();
    for (s, used) in config.suppressions.iter().zip(&uses) {
        if !used.revived.is_empty() {
            // Only an expired suppression revives findings.
            if let Some((date, span)) = s.expires {
                stale.push(expired(s, date, at(span), &used.revived));
            }
        } else if used.hidden == 0 && selection.is_selected(&s.code.text) {
            // A suppression of a code that did not run cannot be judged.
            let stale_one = match used.repeats {
                Some(other) => repeated(s, at(s.span), at(config.suppressions[other].span)),
                None => unused(s, at(s.span), &findings),
            };
            stale.push(stale_one);
        }
    }
    let suppressed = uses.iter().map(|u| u.hidden).sum();
    let findings = findings.into_iter().zip(hidden).filter(|(_, hidden)| !hidden).map(|(f, _)| f).collect();
    Outcome { findings, suppressed, stale }
}

fn describe(s: &Suppression) -> String {
    format!("suppression of {} for {}", s.code.text, s.entity.text)
}

fn expired(s: &Suppression, date: Date, at: Location, revived: &[&Finding]) -> Finding {
    let finding = Check::ExpiredSuppression
        .at(at, format!("{} expired on {date}: the finding is reported again", describe(s)))
        .with_label("expired")
        .with_help(format!(
            "fix the finding and delete the suppression, or move `expires` later; it was there because: {}",
            s.reason
        ));
    revived.iter().fold(finding, |f, r| {
        f.with_related(r.primary, format!("the {} finding it no longer hides", r.code()))
    })
}

/// A suppression that matches only what another one hides.
fn repeated(s: &Suppression, at: Location, other: Location) -> Finding {
    Check::UnusedSuppression
        .at(at, format!("{} is not needed: another suppression hides the same findings", describe(s)))
        .with_label("repeated")
        .with_help("delete one of the two (entities compare case-insensitively)")
        .with_related(other, "the suppression that hides them")
}

fn unused(s: &Suppression, at: Location, findings: &[Finding]) -> Finding {
    let same_code: Vec<_> =
        findings.iter().filter(|f| f.code() == &*s.code.text).map(Finding::subject).collect();
    let help = match did_you_mean(&s.entity.text, same_code.iter().map(|s| &**s)) {
        Some(close) => format!("did you mean entity `{close}`?"),
        None => "delete it: what it hid is fixed, or its code or entity does not name a finding".into(),
    };
    Check::UnusedSuppression
        .at(at, format!("{} matches no finding", describe(s)))
        .with_label("unused")
        .with_help(help)
}
