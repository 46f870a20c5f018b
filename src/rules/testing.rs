//! Inline rule tests: each rule file may carry small snapshots and the
//! findings they must produce. `sitelint test-rules` runs them; so does the
//! test suite, for every shipped rule.

use std::sync::Arc;
use std::time::Duration;

use cel::Env;

use super::engine::{self, Probe};
use super::rule::{Expected, Position, Rule, RuleTest};
use super::view::View;
use crate::{load, model};

/// One test case's result.
#[derive(Debug)]
pub struct CaseResult<'r> {
    pub test: &'r RuleTest,
    pub expected: Vec<Expected>,
    /// Findings of the rule under test and SL checks.
    pub actual: Vec<Actual>,
    /// Runtime errors of the rule, or a snapshot that cannot be loaded.
    pub errors: Vec<String>,
}

impl CaseResult<'_> {
    /// Every expected finding is matched by one actual finding (same code
    /// and line, and column when the expectation gives one), and nothing
    /// else was found.
    pub fn passed(&self) -> bool {
        if !self.errors.is_empty() {
            return false;
        }
        let mut unmatched: Vec<&Actual> = self.actual.iter().collect();
        for e in &self.expected {
            let found = unmatched.iter().position(|a| a.matches(e));
            match found {
                Some(i) => _ = unmatched.remove(i),
                None => return false,
            }
        }
        unmatched.is_empty()
    }
}

/// A finding as a test sees it: code and where, 1-based.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Actual {
    pub code: String,
    pub at: Position,
    pub related: Vec<Position>,
    /// What the finding says: why a snapshot gave an SL finding, say.
    pub message: String,
}

impl Actual {
    fn matches(&self, e: &Expected) -> bool {
        let related = e.related.as_ref().is_none_or(|r| {
            let mut r = r.clone();
            r.sort();
            r == self.related
        });
        self.code == e.code
            && self.at.line == e.line
            && e.column.is_none_or(|c| self.at.column == c)
            && related
    }
}

impl std::fmt::Display for Actual {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} at {}", self.code, self.at)?;
        for r in &self.related {
            write!(f, " related {r}")?;
        }
        Ok(())
    }
}

impl std::fmt::Display for Expected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.column {
            Some(c) => write!(f, "{} at {}:{c}", self.code, self.line)?,
            None => write!(f, "{} at line {}", self.code, self.line)?,
        }
        for r in self.related.iter().flatten() {
            write!(f, " related {r}")?;
        }
        Ok(())
    }
}

/// Runs the rule's test cases, each within `limit` (`None`: no limit).
pub fn run_tests<'r>(env: &Arc<Env>, rule: &'r Rule, limit: Option<Duration>) -> Vec<CaseResult<'r>> {
    rule.tests.iter().enumerate().map(|(i, test)| run_case(env, rule, i, test, limit)).collect()
}

fn run_case<'r>(
    env: &Arc<Env>,
    rule: &'r Rule,
    index: usize,
    test: &'r RuleTest,
    limit: Option<Duration>,
) -> CaseResult<'r> {
    let mut expected = test.expect.clone();
    expected.sort();
    let name = format!("{}/tests[{index}].yaml", rule.reporter.code);
    let loaded = match load::load_text(&name, &test.snapshot) {
        Ok(loaded) => loaded,
        Err(e) => return CaseResult { test, expected, actual: Vec::new(), errors: vec![e.to_string()] },
    };
    let (site, facts, model_findings) = model::build(&loaded.documents);
    let view = View::build(&site, &facts);
    let outcome = engine::run_limited(env, std::slice::from_ref(rule), &view, Probe::default(), limit);
    let file = loaded.sources.get(crate::source::FileId(0));
    let position = |offset| {
        let at = file.line_col(offset);
        Position { line: at.line, column: at.column }
    };
    let mut actual: Vec<Actual> = loaded
        .findings
        .iter()
        .chain(&model_findings)
        .chain(&outcome.findings)
        .map(|f| {
            let mut related: Vec<Position> =
                f.related.iter().map(|r| position(r.location.span.start())).collect();
            related.sort();
            Actual {
                code: f.code().to_string(),
                at: position(f.primary.span.start()),
                related,
                message: f.message().text().into_owned(),
            }
        })
        .collect();
    actual.sort();
    let errors = outcome.errors.iter().map(|e| e.to_string()).collect();
    CaseResult { test, expected, actual, errors }
}
