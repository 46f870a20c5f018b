//! The rule catalogue as text: `sitelint rules` (table, JSON, Markdown for
//! docs/rules.md) and `sitelint rule CODE`.

use std::sync::Arc;

use cel::Env;
use serde::Serialize;

use crate::finding::{Check, sort_findings};
use crate::rules::Rule;
use crate::rules::view::{COLLECTIONS, View};

/// One line per rule, then the built-in checks.
pub fn table(rules: &[Rule]) -> String {
    let mut out = String::new();
    for r in rules {
        out += &format!(
            "{:<7} {:<8} {:<40} {}\n",
            r.reporter.code,
            r.severity.as_str(),
            r.reporter.name,
            r.summary
        );
    }
    for c in Check::ALL {
        out += &format!("{:<7} {:<8} {:<40} {}\n", c.code(), c.severity().as_str(), c.name(), c.summary());
    }
    out
}

#[derive(Serialize)]
struct JsonRule<'a> {
    code: &'a str,
    name: &'a str,
    severity: &'a str,
    summary: &'a str,
    url: Option<&'a str>,
    for_each: Option<&'a str>,
}

pub fn json(rules: &[Rule]) -> String {
    let mut list: Vec<JsonRule> = rules
        .iter()
        .map(|r| JsonRule {
            code: &r.reporter.code,
            name: &r.reporter.name,
            severity: r.severity.as_str(),
            summary: &r.summary,
            url: Some(r.url()),
            for_each: Some(r.collection),
        })
        .collect();
    list.extend(Check::ALL.iter().map(|c| JsonRule {
        code: c.code(),
        name: c.name(),
        severity: c.severity().as_str(),
        summary: c.summary(),
        url: None,
        for_each: None,
    }));
    let mut out = super::json::escape_controls(serde_json::to_string_pretty(&list).unwrap_or_default());
    out.push('\n');
    out
}

fn collection_text(name: &str) -> &'static str {
    COLLECTIONS.iter().find(|(n, _)| *n == name).map_or("", |(_, text)| text)
}

/// The first inline test that makes the rule fire: the example to show.
fn firing_example(rule: &Rule) -> Option<&str> {
    rule.tests
        .iter()
        .find(|t| t.expect.iter().any(|e| e.code == *rule.reporter.code))
        .map(|t| t.snapshot.as_str())
}

/// The fix sitelint gives on the rule's example (its first firing test):
/// the help of the example's first finding, as `sitelint rule CODE` shows
/// it. A rule's help is a template; this is it filled in.
pub fn example_fix(env: &Arc<Env>, rule: &Rule) -> Option<String> {
    let loaded =
        crate::load::load_text(&format!("{}-example.yaml", rule.reporter.code), firing_example(rule)?)
            .ok()?;
    let (site, facts, _) = crate::model::build(&loaded.documents);
    let view = View::build(&site, &facts);
    let mut findings = crate::rules::run(env, std::slice::from_ref(rule), &view).findings;
    sort_findings(&mut findings);
    Some(findings.iter().find(|f| f.code() == &*rule.reporter.code)?.help.as_deref()?.to_string())
}

/// `sitelint rule CODE`: everything about one rule. `finding` is the
/// example's finding as the human report shows it, message and fix included.
pub fn explain(rule: &Rule, finding: Option<&str>, width: usize) -> String {
    // Paragraphs are reflowed to the width: a rule file's text breaks its
    // lines where its author's editor did.
    let wrap = |text: &str| {
        let paragraphs = text.trim_end().split("\n\n").map(|paragraph| {
            let words = paragraph.split_whitespace().collect::<Vec<_>>().join(" ");
            textwrap::fill(&words, super::wrapping(width))
        });
        paragraphs.collect::<Vec<_>>().join("\n\n")
    };
    let mut out = format!(
        "{} {} ({})\n\n{}\n",
        rule.reporter.code,
        rule.reporter.name,
        rule.severity.as_str(),
        wrap(&rule.summary)
    );
    if let Some(d) = &rule.description {
        out += &format!("\n{}\n", wrap(d));
    }
    out += &format!("\n{}\n", wrap(&format!("Looks at {}.", collection_text(rule.collection))));
    // Shown only where the rule was seen to fire on it.
    if let (Some(example), Some(_)) = (firing_example(rule), finding) {
        out += "\nExample: this snapshot triggers it\n\n";
        for line in example.lines() {
            out += &format!("    {line}\n");
        }
    }
    if let Some(finding) = finding {
        out += "\nWhat sitelint reports for it, and the fix:\n\n";
        out += finding;
    }
    out += &format!("\nDocumentation: {}\n", rule.url());
    out
}

/// `sitelint rule SL001`: one of the checks built into sitelint.
pub fn explain_check(check: Check, width: usize) -> String {
    let wrap = |text: &str| textwrap::fill(text, super::wrapping(width));
    format!(
        "{} {} ({})\n\n{}\n\n{}\n\nBuilt into sitelint: the README's Configuration and Bad input sections say more.\n",
        check.code(),
        check.name(),
        check.severity().as_str(),
        wrap(check.summary()),
        wrap(check.detail()),
    )
}

/// docs/rules.md: generated from the rule files, never edited by hand.
pub fn markdown(rules: &[Rule]) -> String {
    let mut out = String::from(
        "# sitelint rules\n\n\
         <!-- Generated by `sitelint rules --format markdown` from the rule files; do not edit. -->\n\n\
         | code | name | severity | summary |\n|---|---|---|---|\n",
    );
    for r in rules {
        out += &format!(
            "| [{}](#{}) | {} | {} | {} |\n",
            r.reporter.code,
            r.reporter.code.to_lowercase(),
            r.reporter.name,
            r.severity.as_str(),
            r.summary
        );
    }
    for c in Check::ALL {
        out += &format!("| {} | {} | {} | {} |\n", c.code(), c.name(), c.severity().as_str(), c.summary());
    }
    for r in rules {
        out += &format!(
            "\n## {}\n\n**{}** · {} · looks at {}\n\n{}\n",
            r.reporter.code,
            r.reporter.name,
            r.severity.as_str(),
            collection_text(r.collection),
            r.summary
        );
        if let Some(d) = &r.description {
            out += &format!("\n{}\n", d.trim_end());
        }
        if let Some(example) = firing_example(r) {
            out += &format!("\nExample that triggers it:\n\n```yaml\n{}\n```\n", example.trim_end());
        }
        out += &format!("\nDocumentation: <{}>\n", r.url());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleSet;

    /// A rule file breaks its description's lines where its author's editor
    /// did; the explanation reflows each paragraph to the width.
    #[test]
    fn explain_reflows_paragraphs_to_the_width() {
        let rules = RuleSet::builtin().map_err(|e| format!("{e:?}")).unwrap();
        let rule = rules.rules.iter().find(|r| &*r.reporter.code == "CA004").unwrap();
        let out = explain(rule, None, 60);
        assert!(out.contains("\nPortal-only (external) customer accounts exist only while\ncustomer access allows them: external customers on, and,\n"), "{out}");
        let prose = out.split("Documentation:").next().unwrap();
        assert!(prose.lines().all(|line| line.chars().count() <= 60), "{prose}");
    }
}
