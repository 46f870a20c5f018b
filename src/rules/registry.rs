//! The rules a check runs: the default ones embedded in the binary, plus
//! rule folders named at run time.

use std::path::Path;
use std::sync::Arc;

use cel::Env;
use miette::Report;

use super::error::{RuleError, RuleSource};
use super::expr::{self, Programs};
use super::rule::Rule;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));
}

pub struct RuleSet {
    pub env: Arc<Env>,
    pub rules: Vec<Rule>,
    /// What the rules' expressions compiled to, for the rules added later.
    programs: Programs,
}

impl RuleSet {
    /// The rules shipped with sitelint.
    pub fn builtin() -> Result<RuleSet, Vec<Report>> {
        let mut set = RuleSet { env: expr::env(), rules: Vec::new(), programs: Programs::default() };
        let sources = embedded::EMBEDDED_RULES
            .iter()
            .map(|(name, text)| RuleSource { name: format!("{BUILTIN}{name}"), text: (*text).into() });
        set.add(sources, Builtins::Keep)?;
        Ok(set)
    }

    /// Adds every `*.yaml`/`*.yml` file of a folder, in name order. Hidden
    /// files are skipped, as in snapshot folders: an editor's lock file
    /// (`.#ACME001.yaml`) or backup copy is not a rule.
    ///
    /// A `*.YAML` file (any case but lower) is an error, where a snapshot
    /// folder's is a warning: a rule folder holds files written for
    /// sitelint, so it is a rule meant to run, and a rule left out makes a
    /// check pass that should fail, which a warning on stderr does not stop.
    pub fn add_dir(&mut self, dir: &Path) -> Result<(), Vec<Report>> {
        self.add(Self::read_dir(dir)?, Builtins::Keep)
    }

    /// [`add_dir`](Self::add_dir), where a file named as a built-in rule's
    /// and defining its code takes its place: `sitelint test-rules rules` in
    /// a checkout tests the rule files as edited there.
    /// Returns how many rules it added: the last ones of [`rules`](Self::rules).
    pub fn add_dir_over_builtins(&mut self, dir: &Path) -> Result<usize, Vec<Report>> {
        let sources = Self::read_dir(dir)?;
        let added = sources.len();
        self.add(sources, Builtins::Replace).map(|()| added)
    }

    fn read_dir(dir: &Path) -> Result<Vec<RuleSource>, Vec<Report>> {
        let io = |e: std::io::Error| vec![miette::miette!("cannot read rule folder {}: {e}", dir.display())];
        if dir.is_file() {
            return Err(vec![miette::miette!(
                help = "name the folder that holds it: a rule folder's *.yaml files are read",
                "rule folder {} is a file",
                dir.display()
            )]);
        }
        let mut paths = Vec::new();
        let mut misnamed = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(io)? {
            let entry = entry.map_err(io)?;
            if entry.file_name().as_encoded_bytes().starts_with(b".") {
                continue;
            }
            let path = entry.path();
            // Subfolders are not read, whatever their name.
            if path.is_dir() {
                continue;
            }
            match path.extension() {
                Some(e) if e == "yaml" || e == "yml" => paths.push(path),
                Some(e) if e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml") => {
                    misnamed.push(miette::miette!(
                        help = "rename it with a lower-case extension",
                        "rule file {} is not read: rule file extensions are .yaml and .yml, in lower case",
                        path.display()
                    ));
                }
                _ => {}
            }
        }
        if !misnamed.is_empty() {
            return Err(misnamed);
        }
        if paths.is_empty() {
            return Err(vec![miette::miette!(
                help = "a rule folder holds one rule per .yaml file",
                "no rule files in {}",
                dir.display()
            )]);
        }
        paths.sort();
        let mut sources = Vec::new();
        for path in paths {
            if !path.exists() {
                return Err(vec![miette::miette!(
                    help = "point the link at a rule file, or remove it",
                    "rule file {} is a broken symbolic link",
                    path.display()
                )]);
            }
            // Reading a named pipe would wait for a writer.
            if !path.is_file() {
                return Err(vec![miette::miette!(
                    help = "a rule folder holds one rule per .yaml file: move it out or rename it",
                    "rule file {} is not a regular file (a named pipe, socket or device)",
                    path.display()
                )]);
            }
            let text = crate::source::read_text(&path, "rule file").map_err(|e| vec![e])?;
            sources.push(RuleSource { name: path.display().to_string(), text: text.into() });
        }
        Ok(sources)
    }

    /// Parses rule files in parallel; reports every bad file, and a code
    /// defined twice at the later definition.
    fn add(
        &mut self,
        sources: impl IntoIterator<Item = RuleSource>,
        builtins: Builtins,
    ) -> Result<(), Vec<Report>> {
        use rayon::prelude::*;
        let sources: Vec<RuleSource> = sources.into_iter().collect();
        let parsed: Vec<Result<Rule, Box<RuleError>>> =
            sources.into_par_iter().map(|s| Rule::parse_sharing(&self.env, &self.programs, s)).collect();
        let mut errors = Vec::new();
        for result in parsed {
            match result {
                Ok(rule) => match self.rules.iter().position(|r| r.reporter.code == rule.reporter.code) {
                    Some(first)
                        if builtins == Builtins::Replace && same_builtin(&self.rules[first], &rule) =>
                    {
                        self.rules.remove(first);
                        self.rules.push(rule);
                    }
                    Some(first) => errors.push(Report::new(*duplicate_code(&rule, &self.rules[first]))),
                    None => match self.rules.iter().find(|r| r.reporter.name == rule.reporter.name) {
                        Some(first) => errors.push(Report::new(*duplicate_name(&rule, first))),
                        None => self.rules.push(rule),
                    },
                },
                Err(e) => errors.push(Report::new(*e)),
            }
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }

    pub fn get(&self, code: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| &*r.reporter.code == code)
    }
}

/// How the names of built-in rule files begin: they are inside sitelint,
/// not files a report can point at.
pub(crate) const BUILTIN: &str = "<built-in>/";

/// What a rule file with a built-in rule's code does.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Builtins {
    /// It is an error: the code is defined twice.
    Keep,
    /// It takes the built-in's place, if it has its file name.
    Replace,
}

/// Whether `rule` is a copy of the built-in rule `builtin` (maybe edited):
/// the same code, in a file of the same name.
fn same_builtin(builtin: &Rule, rule: &Rule) -> bool {
    let file_name = Path::new(&rule.source.name).file_name().and_then(|n| n.to_str());
    builtin.source.name.strip_prefix(BUILTIN).is_some_and(|name| Some(name) == file_name)
}

/// A name is how a finding is headed (`ACME001(name)`) and how SARIF and
/// `sitelint rules` list the rule: two rules of one name read as one.
fn duplicate_name(rule: &Rule, first: &Rule) -> Box<RuleError> {
    let text = &rule.source.text;
    let name = &*rule.reporter.name;
    // The top-level `name:` key (a test case's is indented), then the name.
    let key = text.match_indices("name:").map(|(at, _)| at).find(|&at| at == 0 || text[..at].ends_with('\n'));
    let at = key.and_then(|key| text[key..].find(name).map(|n| key + n)).unwrap_or(0);
    RuleError::new(&rule.source, (at, at + name.len()), format!("rule name {name} is already used"))
        .label("used again here")
        .help(format!(
            "{} ({}) has this name; give this rule another",
            first.reporter.code, first.source.name
        ))
}

fn duplicate_code(rule: &Rule, first: &Rule) -> Box<RuleError> {
    let text = &rule.source.text;
    let at = text.find(&*rule.reporter.code).unwrap_or(0);
    RuleError::new(
        &rule.source,
        (at, at + rule.reporter.code.len()),
        format!("rule code {} is already defined", rule.reporter.code),
    )
    .label("defined again here")
    .help(format!("{} is defined in {}; give this rule another code", rule.reporter.code, first.source.name))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Expressions written alike in different rule files are compiled once:
    /// every built-in rule that points `at: item` holds the same program.
    #[test]
    fn rules_written_alike_share_one_program() {
        let rules = RuleSet::builtin().map_err(|e| format!("{e:?}")).unwrap();
        let at_item: Vec<&Arc<cel::Program>> =
            rules.rules.iter().filter(|r| r.at.text == "item").map(|r| &r.at.program).collect();
        assert!(at_item.len() > 1, "several built-in rules point at the item");
        assert!(at_item.iter().all(|program| Arc::ptr_eq(program, at_item[0])));
        let when = |code: &str| &rules.get(code).expect("a built-in rule").when.program;
        assert!(!Arc::ptr_eq(when("PS001"), when("AC002")), "different texts, different programs");
    }
}
