//! What the fuzz targets check, shared by them: the loader's promises
//! (issue 7). A broken promise is a panic, which libFuzzer reports with the
//! input; add that input as a regression test in tests/hardening.rs.

use std::sync::OnceLock;

use sitelint::finding::{Check, Finding, sort_findings};
use sitelint::load::{json, yaml};
use sitelint::report::format::{self, Output, OutputFormat, RuleInfo};
use sitelint::report::{Summary, human};
use sitelint::rules::RuleSet;
use sitelint::rules::error::RuleSource;
use sitelint::rules::rule::Rule;
use sitelint::rules::view::View;
use sitelint::source::{FileId, Location, SourceFile, SourceSet, Span};
use sitelint::tree::Document;

#[derive(Debug, Clone, Copy)]
pub enum Format {
    Yaml,
    Json,
}

/// Parses `data` as the loader does (UTF-8 only, a leading BOM dropped),
/// then builds the model from the tree: every node, SL001 and model finding
/// lies inside the text, on character boundaries, and the human report
/// shows them (at a width the input picks) without a panic.
pub fn snapshot_file(format: Format, data: &[u8]) {
    // Not UTF-8 is a usage error before any parsing.
    let Ok(text) = std::str::from_utf8(data) else { return };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let parsed = match format {
        Format::Yaml => yaml::parse(text),
        Format::Json => json::parse(text),
    };
    let root = match parsed {
        Ok(root) => root,
        Err(error) => {
            // The flow collection it is inside: its opening bracket.
            if let Some((bracket, _)) = error.inside {
                assert!(
                    matches!(text.get(bracket.start()..bracket.end()), Some("[" | "{")),
                    "{} inside {bracket:?}, not a bracket of {text:?}",
                    error.message
                );
            }
            assert_inside(text, error.span, &error.message);
            let mut finding = Check::Syntax.at(Location { file: FileId(0), span: error.span }, error.message);
            if let Some((bracket, _)) = error.inside {
                finding = finding.with_related(Location { file: FileId(0), span: bracket }, "inside this");
            }
            return render(text, &[finding]);
        }
    };
    for node in root.descendants() {
        assert_inside(text, node.span, "a node");
    }
    let documents = [Document { file: FileId(0), root }];
    let (_, _, findings) = sitelint::model::build(&documents);
    findings.iter().for_each(|finding| assert_finding_inside(text, finding));
    render(text, &findings);
}

/// A YAML snapshot file checked as `sitelint check` checks it: the model,
/// the built-in rules over it, and every report format (SARIF and JUnit
/// parse the file again for key paths). No built-in rule fails, every
/// finding lies inside the text, and nothing panics. Input that does not
/// parse is `load_yaml`'s.
pub fn check_snapshot(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Ok(root) = yaml::parse(text) else { return };
    let documents = [Document { file: FileId(0), root }];
    let (site, facts, mut findings) = sitelint::model::build(&documents);
    let rules = builtin();
    let view = View::build(&site, &facts);
    let outcome = sitelint::rules::run(&rules.env, &rules.rules, &view);
    // A built-in rule that fails on a snapshot is a bug: `check` would stop
    // with exit 2 (the time limit is 60 s, past libFuzzer's timeout).
    assert!(outcome.errors.is_empty(), "a built-in rule failed: {:?}", outcome.errors);
    findings.extend(outcome.findings);
    drop(view);
    findings.iter().for_each(|finding| assert_finding_inside(text, finding));
    sort_findings(&mut findings);
    let mut sources = SourceSet::default();
    // Named as a YAML file: the reports that parse it again go by its name.
    sources.add(SourceFile::new("fuzz.yaml".into(), "fuzz.yaml".into(), text.to_string()));
    let rule_info = RuleInfo::all(rules);
    let out = Output {
        findings: &findings,
        sources: &sources,
        summary: Summary::new(&findings, 1),
        rules: &rule_info,
        failures: &[],
        style: human::Style { color: false, width: text.len() % 300 },
    };
    for format in [
        OutputFormat::Human,
        OutputFormat::Json,
        OutputFormat::Sarif,
        OutputFormat::Junit,
        OutputFormat::Github,
    ] {
        format::write(format, &out, &mut std::io::sink()).expect("a sink takes any report");
    }
}

/// The built-in rules, loaded once.
fn builtin() -> &'static RuleSet {
    static BUILTIN: OnceLock<RuleSet> = OnceLock::new();
    BUILTIN.get_or_init(|| RuleSet::builtin().expect("the built-in rules load"))
}

/// The human report of `findings` in `text`, at a width from 0 to 299 the
/// text picks: source lines are cut to fit it.
fn render(text: &str, findings: &[Finding]) {
    let mut sources = SourceSet::default();
    sources.add(SourceFile::new("fuzz".into(), "fuzz".into(), text.to_string()));
    let width = text.len() % 300;
    let summary = Summary::new(findings, 1);
    human::render(findings, &sources, &summary, human::Style { color: false, width });
}

/// Parses `data` as a rule file: a rule, or an error inside the file.
pub fn rule_file(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // The built-in rules' CEL environment.
    let rules = builtin();
    let source = RuleSource { name: "fuzz.yaml".into(), text: text.into() };
    if let Err(error) = Rule::parse(&rules.env, source) {
        for each in std::iter::once(error.as_ref()).chain(&error.others) {
            let span = Span::new(each.span.offset(), each.span.offset() + each.span.len());
            assert_inside(text, span, &each.message);
        }
        sitelint::cli::render_error(error.as_ref(), false, 100);
    }
}

fn assert_finding_inside(text: &str, finding: &Finding) {
    let places = std::iter::once(finding.primary).chain(finding.related.iter().map(|r| r.location));
    for place in places {
        assert_inside(text, place.span, &finding.message().text());
    }
}

fn assert_inside(text: &str, span: Span, what: &str) {
    assert!(
        span.start() <= span.end()
            && text.is_char_boundary(span.start())
            && text.is_char_boundary(span.end()),
        "{what} at {span:?} is not inside {text:?}"
    );
}
