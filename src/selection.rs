//! Which codes a check reports, and at what severity.
//!
//! `select`, `extend-select` and `ignore` hold selectors: a code (`PS001`), a
//! prefix of codes (`PS`, `PS00`) or `ALL`. A selector that is a code there
//! is selects that code alone: custom codes have any number of digits, and
//! `--ignore ACME1` must not also hide ACME10. The config file and then the
//! command line are two layers. Each layer decides, for every code, with its
//! most specific matching selector (the longest; `ALL` is the least specific):
//! one from `select` or `extend-select` turns the code on, one from `ignore`
//! turns it off, and on a tie `ignore` wins. A code no selector of a layer
//! matches keeps the state the layer before left it in, except that a layer
//! that has `select` turns it off. Before the layers, every code is on.
//!
//! SL001 (a file that does not parse) is always reported, as an error: the
//! file is skipped, so hiding SL001 would hide every problem in the file.

use std::collections::HashSet;

use miette::Report;

use crate::config::{Config, Written};
use crate::finding::{Check, Details, Finding, Severity};
use crate::report::format::RuleInfo;
use crate::rules::error::did_you_mean;

/// Selection on the command line: a layer over the config file's.
#[derive(Debug, clap::Args)]
pub struct SelectionArgs {
    /// Codes or prefixes to report, instead of the config file's `select`
    /// (comma-separated, repeatable; ALL selects every code).
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    select: Option<Vec<String>>,
    /// Codes or prefixes to report in addition (comma-separated, repeatable).
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    extend_select: Vec<String>,
    /// Codes or prefixes not to report (comma-separated, repeatable).
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    ignore: Vec<String>,
}

/// Whether a finding of this code can be hidden at all (see the module
/// documentation).
pub fn always_reported(code: &str) -> bool {
    code == Check::Syntax.code()
}

/// A code prefix (`ALL` is the empty one), or a whole code.
#[derive(Debug)]
struct Selector {
    text: String,
    whole_code: bool,
}

impl Selector {
    fn matches(&self, code: &str) -> bool {
        if self.whole_code { code == self.text } else { code.starts_with(&self.text) }
    }

    /// Longer is more specific; a whole code is as long as any prefix that
    /// matches it.
    fn specificity(&self) -> usize {
        self.text.len()
    }
}

/// What is wrong with a selector, for the caller to locate.
struct Problem {
    message: String,
    help: String,
}

/// Reads a selector; it must match a code there is. `fixed` refuses SL001,
/// for entries that would hide it or change its severity.
fn selector(text: &str, known: &[&str], fixed: bool) -> Result<Selector, Problem> {
    if fixed && always_reported(text) {
        return Err(Problem {
            message: format!("{text} cannot be ignored or given another severity"),
            help: "a file that does not parse is skipped, so its SL001 error is always reported".into(),
        });
    }
    if text == "ALL" {
        return Ok(Selector { text: String::new(), whole_code: false });
    }
    if !text.is_empty() && known.iter().any(|code| code.starts_with(text)) {
        return Ok(Selector { text: text.into(), whole_code: known.contains(&text) });
    }
    // Candidates: the codes, their letter prefixes (`PS`), and ALL.
    let prefixes: HashSet<&str> =
        known.iter().map(|c| c.trim_end_matches(|c: char| c.is_ascii_digit())).collect();
    let candidates = known.iter().copied().chain(prefixes).chain(["ALL"]);
    let help = match did_you_mean(&text.to_uppercase(), candidates) {
        Some(close) => format!("did you mean `{close}`?"),
        None => "a selector is a code, a prefix of codes (PS, PS00) or ALL; `sitelint rules` lists the codes"
            .into(),
    };
    Err(Problem { message: format!("`{text}` matches no rule or check code"), help })
}

/// Reads selectors; each one that is wrong becomes an error, by `report`.
fn read<T: AsRef<str>>(
    entries: &[T],
    known: &[&str],
    fixed: bool,
    errors: &mut Vec<Report>,
    report: impl Fn(&T, Problem) -> Report,
) -> Vec<Selector> {
    let mut selectors = Vec::new();
    for entry in entries {
        match selector(entry.as_ref(), known, fixed) {
            Ok(s) => selectors.push(s),
            Err(problem) => errors.push(report(entry, problem)),
        }
    }
    selectors
}

/// One layer's selectors.
struct Layer {
    select: Option<Vec<Selector>>,
    extend_select: Vec<Selector>,
    ignore: Vec<Selector>,
}

impl Layer {
    /// On or off, when this layer has a say about `code`.
    fn verdict(&self, code: &str) -> Option<bool> {
        let best = |selectors: &mut dyn Iterator<Item = &Selector>| {
            selectors.filter(|s| s.matches(code)).map(Selector::specificity).max()
        };
        let on = best(&mut self.select.iter().flatten().chain(&self.extend_select));
        let off = best(&mut self.ignore.iter());
        match (on, off) {
            (Some(on), Some(off)) => Some(on > off),
            (Some(_), None) => Some(true),
            (None, Some(_)) => Some(false),
            (None, None) => self.select.is_some().then_some(false),
        }
    }
}

/// The codes a check reports and the severities the config file sets.
pub struct Selection {
    selected: HashSet<String>,
    severity: Vec<(Selector, Severity)>,
}

impl Selection {
    /// The config file's layer, then the command line's; every selector that
    /// matches no code in `known` is reported (in the file, or as a usage
    /// error).
    pub fn new(
        known: &[&str],
        config: Option<&Config>,
        args: &SelectionArgs,
    ) -> Result<Selection, Vec<Report>> {
        let mut errors = Vec::new();
        let mut layers = Vec::new();
        let mut severity = Vec::new();
        if let Some(config) = config {
            let in_file =
                |w: &Written, p: Problem| config.error(w.span, "this selector", p.message, Some(p.help));
            layers.push(Layer {
                select: config.select.as_deref().map(|s| read(s, known, false, &mut errors, in_file)),
                extend_select: read(&config.extend_select, known, false, &mut errors, in_file),
                ignore: read(&config.ignore, known, true, &mut errors, in_file),
            });
            for (key, level) in &config.severity {
                let key = read(std::slice::from_ref(key), known, true, &mut errors, in_file);
                severity.extend(key.into_iter().map(|s| (s, *level)));
            }
        }
        let flag = |name: &'static str| {
            move |_: &String, p: Problem| miette::miette!(help = p.help, "--{name}: {}", p.message)
        };
        layers.push(Layer {
            select: args.select.as_deref().map(|s| read(s, known, false, &mut errors, flag("select"))),
            extend_select: read(&args.extend_select, known, false, &mut errors, flag("extend-select")),
            ignore: read(&args.ignore, known, true, &mut errors, flag("ignore")),
        });
        if !errors.is_empty() {
            return Err(errors);
        }
        let selected = known
            .iter()
            .filter(|code| {
                always_reported(code) || layers.iter().fold(true, |on, l| l.verdict(code).unwrap_or(on))
            })
            .map(|code| code.to_string())
            .collect();
        Ok(Selection { selected, severity })
    }

    pub fn is_selected(&self, code: &str) -> bool {
        self.selected.contains(code)
    }

    /// Drops findings of codes not selected and applies the config file's
    /// severities.
    pub fn apply(&self, findings: &mut Vec<Finding>) {
        findings.retain_mut(|f| {
            let Details { reporter, severity, .. } = &mut **f;
            self.adjust(&reporter.code, severity)
        });
    }

    /// The same for the rule descriptions formats like SARIF carry.
    pub fn apply_to_rules(&self, rules: &mut Vec<RuleInfo>) {
        rules.retain_mut(|r| self.adjust(r.code, &mut r.severity));
    }

    /// Sets the severity of a selected code; false when it is not selected.
    fn adjust(&self, code: &str, severity: &mut Severity) -> bool {
        if !self.is_selected(code) {
            return false;
        }
        let most_specific =
            self.severity.iter().filter(|(s, _)| s.matches(code)).max_by_key(|(s, _)| s.specificity());
        if let Some((_, level)) = most_specific.filter(|_| !always_reported(code)) {
            *severity = *level;
        }
        true
    }
}
