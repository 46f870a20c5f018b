//! Every shipped rule carries inline test cases (at least one where it
//! fires and one where it stays quiet), and they all pass. The cases pin
//! the primary location and the related ones, line and column.

use sitelint::rules::RuleSet;
use sitelint::rules::engine::DEFAULT_TIME_LIMIT;
use sitelint::rules::testing::run_tests;

#[test]
fn every_built_in_rule_passes_its_inline_tests() {
    let rules = RuleSet::builtin().unwrap();
    let mut failures = Vec::new();
    for rule in &rules.rules {
        for case in run_tests(&rules.env, rule, Some(DEFAULT_TIME_LIMIT)) {
            if !case.passed() {
                let actual: Vec<String> = case.actual.iter().map(ToString::to_string).collect();
                let expected: Vec<String> = case.expected.iter().map(ToString::to_string).collect();
                failures.push(format!(
                    "{} \"{}\": expected {expected:?}, actual {actual:?}, errors {:?}",
                    rule.reporter.code, case.test.name, case.errors
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_built_in_rule_has_a_firing_and_a_quiet_case() {
    let rules = RuleSet::builtin().unwrap();
    for rule in &rules.rules {
        let fires = rule.tests.iter().any(|t| t.expect.iter().any(|e| e.code == *rule.reporter.code));
        let quiet = rule.tests.iter().any(|t| t.expect.iter().all(|e| e.code != *rule.reporter.code));
        assert!(fires, "{} has no test case where it fires", rule.reporter.code);
        assert!(quiet, "{} has no test case where it stays quiet", rule.reporter.code);
    }
}

#[test]
fn a_wrong_expectation_fails() {
    // The harness itself must be able to fail: shift one expected column.
    let rules = RuleSet::builtin().unwrap();
    let rule = rules.get("UA005").unwrap();
    let mut text = rule.source.text.to_string();
    let expectation = "- { code: UA005, line: 3, column: 15";
    assert!(text.contains(expectation), "UA005's firing case moved; update this test");
    text = text.replace(expectation, "- { code: UA005, line: 3, column: 16");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("UA005.yaml"),
        text.replace("code: UA005", "code: XUA005")
            .replace("{ code: UA005", "{ code: XUA005")
            .replace("name: public-domain-approved", "name: public-domain-approved-copy"),
    )
    .unwrap();
    let mut extended = RuleSet::builtin().unwrap();
    extended.add_dir(dir.path()).unwrap();
    let copy = extended.get("XUA005").unwrap();
    let results = run_tests(&extended.env, copy, Some(DEFAULT_TIME_LIMIT));
    assert!(results.iter().any(|r| !r.passed()), "a wrong column must fail");
}

/// Custom rules that exercise the view (every collection as a rule sees
/// it) pass their inline cases.
#[test]
fn the_fixture_rules_pass_their_inline_tests() {
    let mut rules = RuleSet::builtin().unwrap();
    let builtin = rules.rules.len();
    rules.add_dir("tests/fixtures/rule-cases".as_ref()).unwrap();
    assert!(rules.rules.len() > builtin);
    let mut failures = Vec::new();
    for rule in &rules.rules[builtin..] {
        assert!(!rule.tests.is_empty(), "{} has no cases", rule.reporter.code);
        for case in run_tests(&rules.env, rule, Some(DEFAULT_TIME_LIMIT)) {
            if !case.passed() {
                let actual: Vec<String> = case.actual.iter().map(ToString::to_string).collect();
                failures.push(format!(
                    "{} \"{}\": expected {:?}, actual {actual:?}, errors {:?}",
                    rule.reporter.code,
                    case.test.name,
                    case.expected.iter().map(ToString::to_string).collect::<Vec<_>>(),
                    case.errors
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
