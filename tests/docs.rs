//! docs/rules.md is generated from the rule files (`sitelint rules --format
//! markdown`); this test fails when it is stale. Regenerate with
//! `SITELINT_UPDATE_DOCS=1 cargo test --test docs`.

use sitelint::report::catalogue;
use sitelint::rules::RuleSet;

#[test]
fn rules_reference_page_is_current() {
    let rules = RuleSet::builtin().unwrap();
    let generated = catalogue::markdown(&rules.rules);
    let path = "docs/rules.md";
    if std::env::var_os("SITELINT_UPDATE_DOCS").is_some() {
        std::fs::write(path, &generated).unwrap();
    }
    let current = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        current == generated,
        "{path} is stale: run `SITELINT_UPDATE_DOCS=1 cargo test --test docs` and commit it"
    );
}

#[test]
fn every_rule_is_in_the_readme_table_and_links_its_docs() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let rules = RuleSet::builtin().unwrap();
    for rule in &rules.rules {
        assert!(
            readme.contains(&format!("| {} | {} |", rule.reporter.code, rule.reporter.name)),
            "{} missing from README",
            rule.reporter.code
        );
        assert!(rule.url().starts_with("https://"), "{} has no documentation URL", rule.reporter.code);
    }
    assert!(readme.contains("docs/rules.md"), "README links the rules reference");
}

/// docs/snapshot-format.md is the README's copy of the format contract,
/// which lives in `../shared` beside the clone where that is present (as in
/// CI): the copy must not drift from it.
#[test]
fn the_snapshot_format_copy_matches_the_contract() {
    let shared = std::path::Path::new("../shared/SNAPSHOT-FORMAT.md");
    if !shared.exists() {
        return;
    }
    let copy = std::fs::read_to_string("docs/snapshot-format.md").unwrap();
    let (_note, body) = copy.split_once("-->\n\n").expect("the copy's note, then the contract");
    let contract = std::fs::read_to_string(shared).unwrap();
    assert!(
        body == contract,
        "docs/snapshot-format.md differs from ../shared/SNAPSHOT-FORMAT.md: copy it again"
    );
}

/// The finding the README shows is what `sitelint check snapshots/example`
/// prints, word for word (at the default width, without color).
#[test]
fn the_readmes_example_finding_is_the_examples_output() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let start = readme.find("```text\nPS001").expect("the README shows PS001") + "```text\n".len();
    let shown = &readme[start..start + readme[start..].find("\n```").expect("the block ends")];
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_sitelint"))
        .args(["check", "snapshots/example", "--color", "never"])
        .env_remove("COLUMNS")
        .output()
        .unwrap();
    let printed = String::from_utf8(output.stdout).unwrap();
    assert!(printed.contains(shown), "README:\n{shown}\n\nprinted:\n{printed}");
}
