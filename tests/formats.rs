//! The CI formats (SARIF, JUnit, GitHub) on every bundled snapshot: valid
//! against their schemas by real validators, as many findings as JSON,
//! golden output on the example, stable SARIF fingerprints, and escaping of
//! text no format can carry as is.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use serde_json::Value;

/// The JUnit timestamp of every run here, so output is reproducible.
const TIMESTAMP: &str = "2024-05-01T12:00:00";

/// A rule whose message, help and summary hold every character some format
/// must escape: `%`, CR, LF, `:` and `,` (GitHub), markup and a control
/// character (XML).
const AWKWARD_RULE: &str = r#"code: ODD001
name: awkward-text
severity: warning
summary: "Every character a format must escape: <&>\"'%,:"
url: https://example.com/odd?a=1&b=2
for_each: users
when: item.email == "a@x.com"
message: "100% sure, really: <b>&amp; \"quoted\" 'single'\r\nsecond line\ttab \x01 bell"
help: "Escape % and ,"
at: item
"#;

/// The message AWKWARD_RULE produces.
const AWKWARD_MESSAGE: &str =
    "100% sure, really: <b>&amp; \"quoted\" 'single'\r\nsecond line\ttab \u{1} bell";

/// Two users with the same unknown key: two SL002 findings with the same
/// message and no entity, so the same fingerprint key.
const AWKWARD_SNAPSHOT: &str = "\
site:
  name: odd
users:
  - { account_id: a, email: a@x.com, colour: red }
  - { account_id: b, email: b@x.com, colour: blue }
";

/// One `sitelint check` in every format.
struct Run {
    name: String,
    /// Exit code per format, in `FORMATS` order.
    exits: Vec<Option<i32>>,
    json: String,
    sarif: String,
    junit: String,
    github: String,
}

const FORMATS: [&str; 4] = ["json", "sarif", "junit", "github"];

impl Run {
    /// Runs `sitelint check ARGS --format F` in `dir` for every format, at
    /// the same time (a debug build takes about a second per run).
    fn new(name: &str, dir: &Path, args: &[&str]) -> Run {
        let children = FORMATS.map(|format| (format, check_command(dir, args, format).spawn()));
        let mut exits = Vec::new();
        let mut outputs = Vec::new();
        for (format, child) in children {
            let out = child.and_then(|c| c.wait_with_output()).expect("sitelint runs");
            let (code, stdout) = outcome(out, args, format);
            exits.push(code);
            outputs.push(stdout);
        }
        let [json, sarif, junit, github] = <[String; 4]>::try_from(outputs).expect("one output per format");
        Run { name: name.to_string(), exits, json, sarif, junit, github }
    }

    fn json_count(&self) -> usize {
        parse(&self.json)["findings"].as_array().expect("findings").len()
    }

    fn sarif_results(&self) -> Vec<Value> {
        parse(&self.sarif)["runs"][0]["results"].as_array().expect("results").clone()
    }

    fn junit_failures(&self) -> usize {
        let doc = roxmltree::Document::parse(&self.junit).unwrap_or_else(|e| panic!("{}: {e}", self.name));
        doc.descendants()
            .filter(|n| n.has_tag_name("testcase") && n.children().any(|c| c.has_tag_name("failure")))
            .count()
    }

    fn github_lines(&self) -> usize {
        self.github.lines().filter(|l| l.starts_with("::")).count()
    }
}

fn check_command(dir: &Path, args: &[&str], format: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sitelint"));
    command
        .arg("check")
        .args(args)
        .args(["--format", format])
        .env("SITELINT_TIMESTAMP", TIMESTAMP)
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// Exit code and stdout of a run that printed nothing to stderr.
fn outcome(out: Output, args: &[&str], format: &str) -> (Option<i32>, String) {
    assert!(out.stderr.is_empty(), "{args:?} {format}: {}", String::from_utf8_lossy(&out.stderr));
    (out.status.code(), String::from_utf8(out.stdout).expect("UTF-8 output"))
}

fn check(dir: &Path, args: &[&str], format: &str) -> (Option<i32>, String) {
    outcome(check_command(dir, args, format).output().expect("sitelint runs"), args, format)
}

fn parse(json: &str) -> Value {
    serde_json::from_str(json).expect("valid JSON")
}

/// The example, each field-report seed and the healthy site, run once per
/// test binary.
fn bundled() -> &'static [Run] {
    static RUNS: OnceLock<Vec<Run>> = OnceLock::new();
    RUNS.get_or_init(|| {
        let here = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut paths = vec![PathBuf::from("snapshots/example"), PathBuf::from("snapshots/healthy")];
        let seeds = std::fs::read_dir(here.join("snapshots/seeds")).expect("snapshots/seeds");
        paths.extend(
            seeds.map(|e| Path::new("snapshots/seeds").join(e.expect("a readable folder").file_name())),
        );
        paths.sort();
        std::thread::scope(|scope| {
            let runs: Vec<_> = paths
                .iter()
                .map(|p| {
                    scope.spawn(|| {
                        Run::new(&p.display().to_string(), here, &[p.to_str().expect("UTF-8 path")])
                    })
                })
                .collect();
            runs.into_iter().map(|run| run.join().expect("each snapshot runs")).collect()
        })
    })
}

fn example() -> &'static Run {
    bundled().iter().find(|r| r.name == "snapshots/example").expect("the example runs")
}

/// AWKWARD_SNAPSHOT in a folder named `odd, dir` with AWKWARD_RULE, run from
/// the folder above so paths are relative.
fn awkward() -> &'static Run {
    static RUN: OnceLock<Run> = OnceLock::new();
    RUN.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temp dir");
        std::fs::create_dir_all(dir.path().join("odd, dir")).unwrap();
        std::fs::create_dir_all(dir.path().join("rules")).unwrap();
        std::fs::write(dir.path().join("odd, dir/site.yaml"), AWKWARD_SNAPSHOT).unwrap();
        std::fs::write(dir.path().join("rules/ODD001.yaml"), AWKWARD_RULE).unwrap();
        Run::new("awkward", dir.path(), &["odd, dir", "--rules", "rules"])
    })
}

#[test]
fn every_format_reports_the_findings_json_reports() {
    for run in bundled().iter().chain([awkward()]) {
        let count = run.json_count();
        let name = &run.name;
        assert_eq!(run.sarif_results().len(), count, "{name}: SARIF results");
        assert_eq!(run.junit_failures(), count, "{name}: failing JUnit test cases");
        assert_eq!(run.github_lines(), count, "{name}: GitHub commands");
        assert!(run.exits.iter().all(|e| *e == run.exits[0]), "{name}: exit codes {:?}", run.exits);
        let expect_clean = name.ends_with("healthy");
        assert_eq!(count == 0, expect_clean, "{name}: {count} findings");
    }
}

#[test]
fn sarif_and_junit_pass_their_schemas() {
    let documents: Vec<[&str; 2]> =
        bundled().iter().chain([awkward()]).map(|r| [&*r.sarif, &*r.junit]).collect();
    let names: Vec<_> = bundled().iter().chain([awkward()]).map(|r| &r.name).collect();
    assert_valid(&documents, &format!("{names:?}"));
}

/// Validates pairs of SARIF and JUnit documents against their schemas;
/// `names` says which run the Nth pair is.
fn assert_valid(documents: &[[&str; 2]], names: &str) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let mut files = Vec::new();
    for (i, [sarif, junit]) in documents.iter().enumerate() {
        for (extension, text) in [("sarif", sarif), ("xml", junit)] {
            let file = dir.path().join(format!("{i}.{extension}"));
            std::fs::write(&file, text).unwrap();
            files.push(file);
        }
    }
    let support = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support");
    let out = Command::new(support::python())
        .arg(support.join("validate.py"))
        .arg(support.join("sarif-schema-2.1.0.json"))
        .arg(support.join("junit.xsd"))
        .args(&files)
        .output()
        .expect("the venv's python runs");
    assert!(
        out.status.success(),
        "invalid documents (N.sarif/N.xml is the Nth of {names}):\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn example_sarif_is_golden() {
    insta::assert_snapshot!("example_sarif", example().sarif);
}

#[test]
fn example_junit_is_golden() {
    insta::assert_snapshot!("example_junit", without_hostname(&example().junit));
}

#[test]
fn example_github_is_golden() {
    insta::assert_snapshot!("example_github", example().github);
}

/// Replaces each `hostname="…"` value, the one machine-dependent part.
fn without_hostname(junit: &str) -> String {
    let key = " hostname=\"";
    let mut out = String::new();
    let mut rest = junit;
    while let Some(at) = rest.find(key) {
        let value = at + key.len();
        let end = value + rest[value..].find('"').expect("a closing quote");
        out += &rest[..value];
        out += "[hostname]";
        rest = &rest[end..];
    }
    out + rest
}

/// `(fingerprint, ruleId, startLine)` of each SARIF result.
fn fingerprints(sarif: &str) -> Vec<(String, String, u64)> {
    let results = parse(sarif)["runs"][0]["results"].as_array().expect("results").clone();
    results
        .iter()
        .map(|r| {
            (
                r["partialFingerprints"]["sitelint/v2"].as_str().expect("a fingerprint").to_string(),
                r["ruleId"].as_str().expect("a rule id").to_string(),
                r["locations"][0]["physicalLocation"]["region"]["startLine"].as_u64().expect("a line"),
            )
        })
        .collect()
}

#[test]
fn fingerprints_survive_a_line_added_above_and_tell_findings_apart() {
    let dir = tempfile::tempdir().expect("a temp dir");
    support::copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots/example"), dir.path());
    let before = fingerprints(&check(dir.path(), &["."], "sarif").1);
    for entry in walkdir::WalkDir::new(dir.path()) {
        let path = entry.expect("a readable folder").into_path();
        // JSON has no comments, but a blank line shifts it just as well.
        let line = match path.extension().and_then(|e| e.to_str()) {
            Some("yaml") => "# exported again\n",
            Some("json") => "\n",
            _ => continue,
        };
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, format!("{line}{text}")).unwrap();
    }
    let after = fingerprints(&check(dir.path(), &["."], "sarif").1);
    assert!(!before.is_empty());
    assert_eq!(before.len(), after.len());
    for ((fingerprint, rule, line), (fingerprint_after, rule_after, line_after)) in before.iter().zip(&after)
    {
        assert_eq!((fingerprint, rule), (fingerprint_after, rule_after));
        assert_eq!(line + 1, *line_after, "{rule} moved down a line");
    }

    for run in bundled().iter().chain([awkward()]) {
        let mut all: Vec<_> = fingerprints(&run.sarif).into_iter().map(|(f, _, _)| f).collect();
        let count = all.len();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), count, "{}: fingerprints are unique", run.name);
        // Reporters merge test cases with the same classname and name.
        let mut names = test_names(&run.junit);
        let count = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), count, "{}: JUnit test names are unique", run.name);
    }
    // The two SL002 findings share code, message and file, but not the
    // user they are in.
    let sl002: Vec<_> =
        fingerprints(&awkward().sarif).into_iter().filter(|(_, rule, _)| rule == "SL002").collect();
    assert_eq!(sl002.len(), 2);
    assert_ne!(sl002[0].0.split(':').next(), sl002[1].0.split(':').next());
}

/// A user without a JSM role who is a customer of two projects: two AC001
/// findings with the same code, subject and file.
const TWO_PROJECTS: &str = "\
users:
  - { account_id: u1, email: bob@contoso.com }
projects:
  - key: HELP
    type: service_desk
    service_desk: { customers: [bob@contoso.com] }
  - key: SUP
    type: service_desk
    service_desk: { customers: [bob@contoso.com] }
";

/// Deleting one of two findings about the same subject leaves the other's
/// fingerprint and JUnit test name as they were: GitHub then closes the
/// deleted one's alert, not the survivor's, and a CI system tracking tests
/// sees the survivor's test go on.
#[test]
fn fingerprints_and_test_names_survive_deleting_a_sibling_finding() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let site = dir.path().join("site.yaml");
    let ac001 = || -> (Vec<String>, Vec<String>) {
        let sarif = check(dir.path(), &["site.yaml"], "sarif").1;
        let fingerprints =
            fingerprints(&sarif).into_iter().filter(|(_, rule, _)| rule == "AC001").map(|f| f.0).collect();
        let junit = check(dir.path(), &["site.yaml"], "junit").1;
        let names = test_names(&junit).into_iter().filter(|(class, _)| class == "sitelint.AC001");
        (fingerprints, names.map(|(_, name)| name).collect())
    };
    std::fs::write(&site, TWO_PROJECTS).unwrap();
    let (fingerprints, names) = ac001();
    for list in [&fingerprints, &names] {
        assert_eq!(list.len(), 2, "{list:?}");
        assert_ne!(list[0], list[1]);
    }
    assert_eq!(
        names[1],
        "bob@contoso.com (site.yaml: projects[key=SUP].service_desk.customers[bob@contoso.com])"
    );
    let without_help = TWO_PROJECTS.replace(
        "  - key: HELP\n    type: service_desk\n    service_desk: { customers: [bob@contoso.com] }\n",
        "",
    );
    assert_ne!(without_help, TWO_PROJECTS);
    std::fs::write(&site, without_help).unwrap();
    assert_eq!(ac001(), (fingerprints[1..].to_vec(), names[1..].to_vec()));
}

/// A snapshot named three ways on the command line (from its parent, from
/// inside it, by its absolute path) gets the same JUnit test names and
/// SARIF fingerprints: CI jobs that `cd` differently see the same tests.
#[test]
fn test_names_and_fingerprints_do_not_depend_on_how_the_snapshot_is_named() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let snap = dir.path().join("snap");
    std::fs::create_dir_all(snap.join("projects")).unwrap();
    std::fs::write(snap.join("projects/site.yaml"), TWO_PROJECTS).unwrap();
    // The config file too, for its own finding (SL100: a suppression that
    // hides nothing).
    let config = dir.path().join("cfg.yaml");
    std::fs::write(&config, "suppressions:\n  - { code: AC001, entity: nobody@contoso.com, reason: gone }\n")
        .unwrap();
    let (absolute, absolute_config) = (snap.to_str().unwrap(), config.to_str().unwrap());
    let runs = [
        (dir.path(), ["snap", "--config", "./cfg.yaml"]),
        (snap.as_path(), [".", "--config", "../cfg.yaml"]),
        (dir.path(), [absolute, "--config", absolute_config]),
    ];
    let seen: Vec<_> = runs
        .iter()
        .map(|(from, args)| {
            let names = test_names(&check(from, args, "junit").1);
            (names, fingerprints(&check(from, args, "sarif").1))
        })
        .collect();
    let names = &seen[0].0;
    assert!(
        names.iter().any(|(_, name)| name.contains("(projects/site.yaml: projects[key=SUP]")),
        "{names:?}"
    );
    assert!(
        names.iter().any(|(class, name)| class == "sitelint.SL100" && name.contains("(cfg.yaml")),
        "{names:?}"
    );
    assert_eq!(seen[0], seen[1]);
    assert_eq!(seen[0], seen[2]);
}

/// `(classname, name)` of each JUnit test case.
fn test_names(junit: &str) -> Vec<(String, String)> {
    let doc = roxmltree::Document::parse(junit).expect("well-formed XML");
    doc.descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .map(|n| {
            let attribute = |name| n.attribute(name).expect("classname and name").to_string();
            (attribute("classname"), attribute("name"))
        })
        .collect()
}

/// The keys of the object that follows `prefix` in `text` (`"summary": {`
/// or `[{`), at its own level: `{"a", "b": [{"c"}]}` gives `a`, `b`.
fn keys_after(text: &str, prefix: &str) -> Vec<String> {
    let start = text.find(prefix).unwrap_or_else(|| panic!("{prefix} in {text}")) + prefix.len();
    let (mut keys, mut depth, mut key) = (Vec::new(), 0, None::<String>);
    for c in text[start..].chars() {
        match (c, &mut key) {
            ('"', None) if depth == 0 => key = Some(String::new()),
            ('"', Some(_)) => keys.extend(key.take()),
            (c, Some(k)) => k.push(c),
            ('{' | '[', None) => depth += 1,
            ('}' | ']', None) if depth == 0 => break,
            ('}' | ']', None) => depth -= 1,
            _ => {}
        }
    }
    keys
}

/// The README's `--format json` row names every key the document has.
#[test]
fn readme_names_every_json_key() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let row = readme.lines().find(|l| l.starts_with("| `--format json` |")).expect("the json row");
    let document = parse(&example().json);
    let sorted = |mut keys: Vec<String>| {
        keys.sort();
        keys
    };
    let keys = |value: &Value| sorted(value.as_object().expect("an object").keys().cloned().collect());
    let finding = document["findings"].as_array().unwrap().iter().find(|f| f["related"][0].is_object());
    let finding = finding.expect("a finding with a related place");
    for (prefix, value) in [
        ("one JSON document: `{", &document),
        ("\"findings\": [{", finding),
        ("\"related\": [{", &finding["related"][0]),
        ("\"summary\": {", &document["summary"]),
    ] {
        assert_eq!(sorted(keys_after(row, prefix)), keys(value), "after {prefix}");
    }
}

#[test]
fn github_escapes_messages_and_properties() {
    let line = awkward().github.lines().find(|l| l.contains("ODD001")).expect("the ODD001 annotation");
    // In the message `%`, CR and LF are escaped as the runner decodes them,
    // other control characters as `\u0001` (the log would act on them); in
    // properties `,` and `:` too (the path's comma).
    assert_eq!(
        line,
        "::warning file=odd%2C dir/site.yaml,line=4,col=5,endLine=4,endColumn=51,title=ODD001::\
         100%25 sure, really: <b>&amp; \"quoted\" 'single'%0D%0Asecond line\ttab \\u0001 bell\
         %0Ahelp: Escape %25 and ,%0Asee: https://example.com/odd?a=1&b=2"
    );
}

#[test]
fn junit_and_sarif_carry_awkward_text_intact() {
    let junit = &awkward().junit;
    let doc = roxmltree::Document::parse(junit).expect("well-formed XML");
    let failure = doc
        .descendants()
        .find(|n| n.has_tag_name("failure") && n.attribute("type") == Some("warning"))
        .filter(|n| n.parent().and_then(|p| p.attribute("classname")) == Some("sitelint.ODD001"))
        .expect("the ODD001 failure");
    // XML 1.0 cannot hold U+0001 at all; everything else reads back as is.
    let readable = AWKWARD_MESSAGE.replace('\u{1}', "\u{fffd}");
    assert_eq!(failure.attribute("message"), Some(readable.as_str()));
    assert!(failure.text().is_some_and(|t| t.contains(&readable)), "{junit}");
    let summary = doc
        .descendants()
        .find(|n| {
            n.attribute("name") == Some("summary") && n.attribute("value").is_some_and(|v| v.contains('%'))
        })
        .expect("ODD001's summary property");
    assert_eq!(summary.attribute("value"), Some("Every character a format must escape: <&>\"'%,:"));

    let results = awkward().sarif_results();
    let odd = results.iter().find(|r| r["ruleId"] == "ODD001").expect("the ODD001 result");
    assert_eq!(odd["message"]["text"], format!("{AWKWARD_MESSAGE}\nhelp: Escape % and ,"));
    assert_eq!(odd["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "odd%2C%20dir/site.yaml");
}

#[test]
fn junit_has_a_suite_per_rule_and_a_passing_case_for_quiet_rules() {
    let rules =
        Command::new(env!("CARGO_BIN_EXE_sitelint")).args(["rules", "--format", "json"]).output().unwrap();
    let rules = parse(&String::from_utf8(rules.stdout).unwrap()).as_array().expect("a rule list").len();
    let healthy = bundled().iter().find(|r| r.name.ends_with("healthy")).expect("the healthy site runs");
    let doc = roxmltree::Document::parse(&healthy.junit).expect("well-formed XML");
    let suites: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("testsuite")).collect();
    assert_eq!(suites.len(), rules);
    for suite in suites {
        assert_eq!((suite.attribute("tests"), suite.attribute("failures")), (Some("1"), Some("0")));
    }
}

/// A rule that fails on every item: the division is by zero.
const FAILING_RULE: &str = r#"code: DIV001
name: divides-by-zero
severity: warning
summary: Divides by zero.
url: https://example.com/div
for_each: site
when: 1 / (size(item.name) - size(item.name)) == 1
message: never
help: None.
at: item
"#;

/// A rule whose one item takes 50,625 evaluations, far over the 0.02 s limit
/// the tests set, which a rule of one cheap item stays under even on a busy
/// machine (at 0.001 s, DIV001 once ran out of time before it failed).
const SLOW_RULE: &str = r#"code: SLOW001
name: quartic
severity: info
summary: Adds every four numbers.
url: https://example.com/slow
for_each: site
when: 'l.all(a, l.all(b, l.all(c, l.all(d, a + b + c + d >= 0))))'
let:
  l: '[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]'
message: never
help: None.
at: item
"#;

/// A site with two rules that do not complete: DIV001 fails on its item,
/// SLOW001 runs out of its time limit.
fn failing_rules_site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temp dir");
    std::fs::create_dir_all(dir.path().join("rules")).unwrap();
    std::fs::write(dir.path().join("site.yaml"), AWKWARD_SNAPSHOT).unwrap();
    std::fs::write(dir.path().join("rules/DIV001.yaml"), FAILING_RULE).unwrap();
    std::fs::write(dir.path().join("rules/SLOW001.yaml"), SLOW_RULE).unwrap();
    dir
}

/// The report in `format` of [`failing_rules_site`], which exits 2.
fn run_failing_rules(dir: &tempfile::TempDir, format: &str) -> String {
    let args = ["site.yaml", "--rules", "rules", "--max-rule-time", "0.02"];
    let out = check_command(dir.path(), &args, format).output().expect("sitelint runs");
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// A rule that failed or ran out of time did not pass: JUnit has an
/// erroring case for it, not "no findings", and SARIF's invocation says the
/// run did not complete and why.
#[test]
fn a_rule_that_did_not_complete_is_an_error_in_junit_and_sarif() {
    let dir = failing_rules_site();
    let run = |format| run_failing_rules(&dir, format);
    let (sarif, junit) = (run("sarif"), run("junit"));
    assert_valid(&[[&sarif, &junit]], "[the failing rules]");

    let doc = roxmltree::Document::parse(&junit).expect("well-formed XML");
    // The places are the `when`s, inside the quotes when quoted.
    for (code, error, place) in [
        ("DIV001", "rule DIV001 failed on `odd`: division by zero of 1", "rules/DIV001.yaml:7:7: "),
        ("SLOW001", "rule SLOW001 ran out of its time limit (0.02s)", "rules/SLOW001.yaml:7:8: "),
    ] {
        let suite = doc
            .descendants()
            .find(|n| n.attribute("name").is_some_and(|name| name.starts_with(code)))
            .unwrap_or_else(|| panic!("a suite for {code}: {junit}"));
        let counts = ["tests", "failures", "errors"].map(|a| suite.attribute(a));
        assert_eq!(counts, [Some("1"), Some("0"), Some("1")], "{junit}");
        let case = suite.children().find(|n| n.has_tag_name("testcase")).expect("a test case");
        let element = case.children().find(|n| n.is_element()).unwrap_or_else(|| panic!("{junit}"));
        assert!(element.has_tag_name("error"), "{junit}");
        assert!(element.attribute("message").is_some_and(|m| m.starts_with(error)), "{junit}");
        assert!(element.text().is_some_and(|t| t.starts_with(place)), "{junit}");
    }

    let sarif = parse(&sarif);
    let invocation = &sarif["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let notified: Vec<_> = invocation["toolExecutionNotifications"]
        .as_array()
        .expect("notifications")
        .iter()
        .map(|n| (n["level"].clone(), n["associatedRule"]["id"].clone(), n["locations"].clone()))
        .collect();
    // Each notification points at the failing expression in the rule file.
    let at = |file, line, column| {
        serde_json::json!([{"physicalLocation": {
            "artifactLocation": {"uri": file},
            "region": {"startLine": line, "startColumn": column}
        }}])
    };
    assert_eq!(
        notified,
        [
            ("error".into(), "DIV001".into(), at("rules/DIV001.yaml", 7, 7)),
            ("error".into(), "SLOW001".into(), at("rules/SLOW001.yaml", 7, 8))
        ]
    );
    // A run that completed says so.
    let clean = parse(&example().sarif);
    assert_eq!(clean["runs"][0]["invocations"], serde_json::json!([{"executionSuccessful": true}]));
}

/// JSON and GitHub readers may never see stderr: the document lists the
/// rules that failed, GitHub annotates their rule files, and the human
/// summary line says how many failed.
#[test]
fn a_rule_that_did_not_complete_is_in_json_github_and_the_summary_line() {
    let dir = failing_rules_site();
    let run = |format| run_failing_rules(&dir, format);
    let json = parse(&run("json"));
    let errors: Vec<_> = json["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| (e["rule"].clone(), e["file"].clone(), e["line"].clone(), e["column"].clone()))
        .collect();
    assert_eq!(
        errors,
        [
            ("DIV001".into(), "rules/DIV001.yaml".into(), 7.into(), 7.into()),
            ("SLOW001".into(), "rules/SLOW001.yaml".into(), 7.into(), 8.into())
        ]
    );
    let message = json["errors"][0]["message"].as_str().expect("a message");
    assert!(message.starts_with("rule DIV001 failed on `odd`: division by zero of 1"), "{message}");
    assert_eq!(json["errors"][0]["help"].as_str().map(str::is_empty), Some(false));
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let row = readme.lines().find(|l| l.starts_with("| `--format json` |")).expect("the json row");
    let mut named = keys_after(row, "\"errors\": [{");
    named.sort();
    let mut keys: Vec<_> = json["errors"][0].as_object().expect("an error").keys().cloned().collect();
    keys.sort();
    assert_eq!(named, keys, "the README's json row names every key of an error");
    assert_eq!(parse(&example().json)["errors"], serde_json::json!([]));

    let github = run("github");
    let annotations: Vec<_> =
        github.lines().filter(|l| l.contains("title=DIV001") || l.contains("title=SLOW001")).collect();
    assert_eq!(annotations.len(), 2, "{github}");
    assert!(
        annotations[0].starts_with(
            "::error file=rules/DIV001.yaml,line=7,col=7,title=DIV001::rule DIV001 failed on `odd`"
        ),
        "{github}"
    );
    assert!(
        annotations[1].starts_with("::error file=rules/SLOW001.yaml,line=7,col=8,title=SLOW001::"),
        "{github}"
    );

    let human = run("human");
    let summary = human.lines().last().expect("a summary line");
    assert!(summary.ends_with(" in 1 file; 2 rules failed"), "{summary}");

    // A built-in rule's file is inside sitelint: its annotation names none.
    let out = Command::new(env!("CARGO_BIN_EXE_sitelint"))
        .args(["check", "snapshots/example", "--max-rule-time", "0.000000001", "--format", "github"])
        .output()
        .expect("sitelint runs");
    let github = String::from_utf8_lossy(&out.stdout);
    let timed_out: Vec<_> = github.lines().filter(|l| l.contains("ran out of its time limit")).collect();
    assert!(!timed_out.is_empty(), "{github}");
    assert!(timed_out.iter().all(|l| l.starts_with("::error title=")), "{github}");
}

/// SARIF and JUnit list the rules that ran: under `--select` the selected
/// ones and SL001, which is always reported, at their configured severity.
#[test]
fn sarif_and_junit_list_only_the_selected_rules() {
    let dir = tempfile::tempdir().expect("a temp dir");
    std::fs::write(dir.path().join(".sitelint.yaml"), "severity: {PS001: warning}\n").unwrap();
    let snapshot = Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots/example");
    let args = [snapshot.to_str().unwrap(), "--select", "PS001"];
    let (_, sarif) = check(dir.path(), &args, "sarif");
    let rules = parse(&sarif)["runs"][0]["tool"]["driver"]["rules"].clone();
    let listed: Vec<_> = rules
        .as_array()
        .expect("rules")
        .iter()
        .map(|r| (r["id"].clone(), r["defaultConfiguration"]["level"].clone()))
        .collect();
    assert_eq!(listed, [("PS001".into(), "warning".into()), ("SL001".into(), "error".into())]);
    // Code scanning shows a rule's full description and help: what
    // `sitelint rule PS001` says, the fix it gives on its example included.
    let explained = Command::new(env!("CARGO_BIN_EXE_sitelint")).args(["rule", "PS001"]).output().unwrap();
    let explained = String::from_utf8(explained.stdout).unwrap();
    let ps001 = &rules[0];
    let description = ps001["fullDescription"]["text"].as_str().expect("a full description");
    assert!(description.len() > ps001["shortDescription"]["text"].as_str().unwrap().len(), "{ps001}");
    let words = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(words(&explained).contains(&words(description)), "{explained}");
    let help = ps001["help"]["text"].as_str().expect("help text");
    let fix =
        help.split("Fix (as given for the rule's example): ").nth(1).expect("the fix").split("\n\n").next();
    let fix = fix.unwrap();
    assert!(words(&explained).contains(&words(fix)), "{fix}\n{explained}");
    assert!(ps001["help"]["markdown"].as_str().is_some_and(|m| m.contains("**Fix**")), "{ps001}");
    assert_eq!(rules[1]["fullDescription"]["text"], rules[1]["shortDescription"]["text"]);
    let (_, junit) = check(dir.path(), &args, "junit");
    let doc = roxmltree::Document::parse(&junit).expect("well-formed XML");
    let suites: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testsuite"))
        .filter_map(|n| n.attribute("name"))
        .collect();
    assert_eq!(suites, ["PS001 portal-customers-cannot-browse", "SL001 invalid-syntax"]);
}

#[test]
fn junit_timestamp_is_now_unless_sitelint_timestamp_is_a_valid_one() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let timestamp = |value: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_sitelint"))
            .args(["check", "snapshots/healthy", "--format", "junit"])
            .env("SITELINT_TIMESTAMP", value)
            .current_dir(here)
            .output()
            .unwrap();
        let junit = String::from_utf8(out.stdout).unwrap();
        let doc = roxmltree::Document::parse(&junit).expect("well-formed XML");
        let suite = doc.descendants().find(|n| n.has_tag_name("testsuite")).expect("a suite");
        suite.attribute("timestamp").expect("a timestamp").to_string()
    };
    assert_eq!(timestamp("1999-12-31T23:59:59"), "1999-12-31T23:59:59");
    let now = timestamp("yesterday");
    assert_eq!(now.len(), 19, "{now}");
    assert!(now.as_str() > "2024", "the current time: {now}");
}

/// The schemas are vendored so the tests run from a lone clone; CI has
/// `../shared` beside the clone, where the contract's copies live, and they
/// must not drift apart.
#[test]
fn vendored_schemas_match_the_shared_ones() {
    let shared = std::path::Path::new("../shared/schemas");
    if !shared.exists() {
        return;
    }
    for name in ["sarif-schema-2.1.0.json", "junit.xsd"] {
        let vendored = std::fs::read(std::path::Path::new("tests/support").join(name)).unwrap();
        let contract = std::fs::read(shared.join(name)).unwrap();
        assert!(
            vendored == contract,
            "tests/support/{name} differs from ../shared/schemas/{name}: copy it again"
        );
    }
}
