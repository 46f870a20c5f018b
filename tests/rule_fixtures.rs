//! One firing and one quiet fixture per rule, at least. Each fixture says in
//! its header which rule it is about (`# rule: CODE`) and every finding of
//! that rule it must produce, with its primary and related locations
//! (`# expect: CODE at LINE:COL related LINE:COL ...`); a fixture with no
//! `expect` line must produce none. Fixtures must also be valid snapshots
//! (no SL findings), so a typo in a fixture cannot make a rule look quiet.

use std::path::Path;

use sitelint::cli::run_check;
use sitelint::rules::RuleSet;

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Expected {
    code: String,
    at: (usize, usize),
    related: Vec<(usize, usize)>,
}

fn parse_position(text: &str) -> (usize, usize) {
    let (line, column) = text.split_once(':').expect("LINE:COL");
    (line.parse().unwrap(), column.parse().unwrap())
}

fn header(text: &str) -> (String, Vec<Expected>) {
    let mut rule = None;
    let mut expected = Vec::new();
    for line in text.lines().take_while(|l| l.starts_with('#')) {
        if let Some(code) = line.strip_prefix("# rule: ") {
            rule = Some(code.trim().to_string());
        } else if let Some(spec) = line.strip_prefix("# expect: ") {
            let words: Vec<&str> = spec.split_whitespace().collect();
            assert_eq!(words[1], "at", "{line}");
            let mut related: Vec<_> = words[3..]
                .chunks(2)
                .map(|pair| {
                    assert_eq!(pair[0], "related", "{line}");
                    parse_position(pair[1])
                })
                .collect();
            related.sort();
            expected.push(Expected { code: words[0].into(), at: parse_position(words[2]), related });
        }
    }
    (rule.expect("fixture names its rule with `# rule: CODE`"), expected)
}

#[test]
fn every_rule_fixture_produces_exactly_its_expected_findings() {
    let rules = RuleSet::builtin().unwrap();
    let mut fixtures: Vec<_> =
        std::fs::read_dir("tests/fixtures/rules").unwrap().map(|e| e.unwrap().path()).collect();
    fixtures.sort();
    let mut failures = Vec::new();
    for path in &fixtures {
        let text = std::fs::read_to_string(path).unwrap();
        let (rule, mut expected) = header(&text);
        expected.sort();
        let output = run_check(path, &rules).expect("fixture loads");
        let invalid: Vec<_> = output.findings.iter().filter(|f| f.code.starts_with("SL")).collect();
        assert!(invalid.is_empty(), "{}: fixture is not a valid snapshot: {invalid:#?}", path.display());
        let file = output.sources.get(sitelint::source::FileId(0));
        let position = |offset| {
            let at = file.line_col(offset);
            (at.line, at.column)
        };
        let mut actual: Vec<Expected> = output
            .findings
            .iter()
            .filter(|f| *f.code == *rule)
            .map(|f| {
                let mut related: Vec<_> = f.related.iter().map(|r| position(r.location.span.start)).collect();
                related.sort();
                Expected { code: f.code.to_string(), at: position(f.primary.span.start), related }
            })
            .collect();
        actual.sort();
        if actual != expected {
            failures.push(format!("{}:\n  expected {expected:?}\n  actual   {actual:?}", path.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_rule_has_a_firing_and_a_quiet_fixture() {
    let rules = RuleSet::builtin().unwrap();
    for rule in &rules.rules {
        for kind in ["fires", "quiet"] {
            let path = format!("tests/fixtures/rules/{}-{kind}.yaml", rule.code);
            assert!(Path::new(&path).exists(), "missing {path}");
        }
    }
}
