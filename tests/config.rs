//! The configuration file and the flags over it: discovery, selection,
//! severities, rule folders, fail-on, suppressions, --output.

#[path = "fixtures/config/support.rs"]
mod support;

use support::{EXAMPLE_CODES, Site};

/// Asserts that a check of the example with this config stops (exit 2)
/// and says each of `parts`.
fn rejects(config: &str, parts: &[&str]) {
    let site = Site::new();
    site.write(".sitelint.yaml", config);
    site.check(&[]).unusable(parts);
}

/// The codes a check of the example reports with this config and flags.
fn codes_with(config: &str, args: &[&str]) -> Vec<String> {
    let site = Site::new();
    site.write(".sitelint.yaml", config);
    let run = site.check(args);
    assert_ne!(run.code, Some(2), "{}", run.stderr);
    run.codes()
}

#[test]
fn config_is_found_from_a_subfolder() {
    let site = Site::new();
    site.write(".sitelint.yaml", "ignore: [AC, PS]\n");
    let run = site.run_in("work/deep", &["check", "../../snap", "--format", "json"], &[]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert_eq!(run.codes(), ["CH001", "UA005"]);
    // Diagnostics name it by its path from the current folder.
    site.write(".sitelint.yaml", "ignroe: [AC]\n");
    let run = site.run_in("work/deep", &["check", "../../snap"], &[]);
    run.unusable(&["[../../.sitelint.yaml:1:1]"]);
}

#[test]
fn config_flag_names_the_file_and_no_config_ignores_it() {
    let site = Site::new();
    site.write(".sitelint.yaml", "select: [UA]\n");
    site.write("ci/strict.yaml", "select: [CH]\n");
    assert_eq!(site.check(&[]).codes(), ["UA005"]);
    assert_eq!(site.check(&["--config", "ci/strict.yaml"]).codes(), ["CH001"]);
    assert_eq!(site.check(&["--no-config"]).codes(), EXAMPLE_CODES);
    let missing = site.check(&["--config", "ci/none.yaml"]);
    missing.unusable(&["cannot read config file ci/none.yaml"]);
}

#[test]
fn the_more_specific_selector_wins() {
    assert_eq!(codes_with("select: [PS]\nignore: [PS007]\n", &[]), ["PS001"]);
    assert_eq!(codes_with("select: [PS001]\nignore: [PS]\n", &[]), ["PS001"]);
    assert_eq!(codes_with("select: [PS00, PS007]\nignore: [PS00]\n", &[]), ["PS007"]);
    // Equally specific: ignore wins.
    assert_eq!(codes_with("select: [PS001, UA]\nignore: [PS001]\n", &[]), ["UA005"]);
}

/// Custom codes have any number of digits: a whole code is no prefix of a
/// longer one (`--ignore ACME1` hid ACME10 too).
#[test]
fn a_whole_code_selects_that_code_alone() {
    let site = Site::new();
    let rule = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/config/rules/ACME001.yaml"
    ))
    .unwrap();
    for code in ["ACME1", "ACME10"] {
        let named = rule.replace("ACME001", code).replace("partner-account", &format!("partner-{code}"));
        site.write(&format!("acme-rules/{code}.yaml"), &named);
    }
    let codes = |config: &str, args: &[&str]| {
        site.write(".sitelint.yaml", &format!("rules: [acme-rules]\n{config}"));
        let mut codes = site.check(args).codes();
        codes.dedup();
        codes
    };
    assert_eq!(codes("", &["--select", "ACME", "--ignore", "ACME1"]), ["ACME10"]);
    assert_eq!(codes("", &["--select", "ACME1"]), ["ACME1"]);
    assert_eq!(codes("select: [ACME10]\n", &[]), ["ACME10"]);
    // A prefix that is no code still selects every code it begins.
    assert_eq!(codes("select: [ACME]\n", &[]), ["ACME1", "ACME10"]);
    // So does a severity.
    site.write(".sitelint.yaml", "rules: [acme-rules]\nselect: [ACME]\nseverity: {ACME1: error}\n");
    let run = site.check(&[]);
    let severities: Vec<_> =
        run.findings().iter().map(|f| (f["code"].clone(), f["severity"].clone())).collect();
    assert!(
        severities.iter().all(|(code, severity)| (code == "ACME1") == (severity == "error")),
        "{severities:?}"
    );
    assert!(severities.iter().any(|(code, _)| code == "ACME10"), "{severities:?}");
}

#[test]
fn extend_select_adds_and_all_selects_everything() {
    assert_eq!(codes_with("select: [AC]\nextend-select: [UA005]\n", &[]), ["AC001", "AC003", "UA005"]);
    assert_eq!(codes_with("select: [ALL]\nignore: [AC, PS]\n", &[]), ["CH001", "UA005"]);
    assert_eq!(codes_with("ignore: [ALL]\nextend-select: [CH]\n", &[]), ["CH001"]);
    assert_eq!(codes_with("select: []\n", &[]), Vec::<String>::new());
}

#[test]
fn flags_are_a_layer_over_the_file() {
    // --select replaces the file's selection.
    assert_eq!(codes_with("select: [PS]\n", &["--select", "AC"]), ["AC001", "AC003"]);
    // The flags' selectors decide over the file's, however specific those are.
    assert_eq!(codes_with("ignore: [AC001]\n", &["--extend-select", "AC"]), EXAMPLE_CODES);
    assert_eq!(codes_with("select: [PS001, PS007]\n", &["--ignore", "PS"]), Vec::<String>::new());
    assert_eq!(codes_with("select: [PS]\n", &["--ignore", "PS001"]), ["PS007"]);
    // Comma-separated and repeatable.
    assert_eq!(
        codes_with("", &["--select", "PS00,CH", "--select", "UA005"]),
        ["CH001", "PS001", "PS007", "UA005"]
    );
}

#[test]
fn a_selector_that_matches_no_code_is_an_error_in_the_config() {
    // Every wrong selector is reported.
    rejects(
        "select: [PS, AC0001]\nseverity:\n  UA: warning\n  XY9: info\n",
        &[
            "`AC0001` matches no rule or check code",
            "[.sitelint.yaml:1:14]",
            "did you mean `AC001`?",
            "`XY9` matches no rule or check code",
            "[.sitelint.yaml:4:3]",
        ],
    );
}

#[test]
fn a_selector_flag_that_matches_no_code_is_a_usage_error() {
    let site = Site::new();
    let run = site.check(&["--no-config", "--ignore", "PS,ps011"]);
    run.unusable(&["--ignore: `ps011` matches no rule or check code", "did you mean `PS011`?"]);
}

#[test]
fn an_unknown_key_is_an_error_with_a_suggestion() {
    rejects(
        "# team settings\nextend_select: [PS]\n",
        &["unknown field `extend_select`", "[.sitelint.yaml:2:1]", "did you mean `extend-select`?"],
    );
}

/// The YAML scanner's errors were labelled at 1:1, the message saying
/// "line 2 column 1" (after the tab) itself.
#[test]
fn a_yaml_syntax_error_is_located_where_the_problem_is() {
    rejects(
        "severity:\n\tPS: info\n",
        &[
            "invalid config file: tabs disallowed within this context (block indentation): YAML",
            "[.sitelint.yaml:2:1]",
        ],
    );
    rejects(
        "ignore: [PS]\nselect: \"PS\n",
        &["invalid config file: unclosed quote\n", "[.sitelint.yaml:2:9]"],
    );
    rejects(
        "select: \"PS\" AC\n",
        &[
            "invalid config file: invalid trailing content after double-quoted scalar",
            "[.sitelint.yaml:1:14]",
        ],
    );
}

#[test]
fn a_key_written_twice_is_reported_at_both() {
    rejects(
        "ignore: [PS]\nfail-on: never\nignore: [AC]\n",
        &["invalid config file: key `ignore` is written twice", "[.sitelint.yaml:3:1]", "first written here"],
    );
}

/// It said only "stream did not contain valid UTF-8".
#[test]
fn a_config_file_that_is_not_utf8_says_where() {
    let site = Site::new();
    std::fs::write(site.path(".sitelint.yaml"), b"# \xc9quipe support\nignore: [PS]\n").unwrap();
    site.check(&[]).unusable(&[
        "config file .sitelint.yaml is not UTF-8: invalid byte at offset 2 (line 1, column 3)",
        "convert it",
    ]);
}

/// Lone CR line endings (old Mac files) break lines in the excerpt too.
#[test]
fn a_config_error_with_lone_cr_line_endings_shows_its_line() {
    rejects(
        "# team settings\rselect: [PS]\rextend_select: [AC]\r",
        &["[.sitelint.yaml:3:1]", " 3 │ extend_select: [AC]"],
    );
}

#[test]
fn severity_overrides_change_the_severity_and_the_exit_code() {
    let site = Site::new();
    site.write(".sitelint.yaml", "severity:\n  AC: warning\n  PS: info\n  PS001: error\n");
    let run = site.check(&[]);
    let severity = |code: &str| run.finding(code)["severity"].as_str().unwrap().to_string();
    assert_eq!(
        ["AC001", "AC003", "CH001", "PS001", "PS007", "UA005"].map(severity),
        ["warning", "warning", "warning", "error", "info", "error"]
    );
    assert_eq!(run.code, Some(1));
    site.write(".sitelint.yaml", "severity: {ALL: warning}\n");
    let run = site.check(&[]);
    assert_eq!(run.json()["summary"]["warnings"], 6);
    assert_eq!(run.code, Some(0));
    assert_eq!(site.check(&["--fail-on", "warning"]).code, Some(1));
}

#[test]
fn rule_folders_are_relative_to_the_config_file() {
    let site = Site::new();
    let rule = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/config/rules/ACME001.yaml"
    ));
    site.write("team/acme-rules/ACME001.yaml", &rule.unwrap());
    site.write("team/.sitelint.yaml", "rules: [acme-rules]\nselect: [ACME, CH]\n");
    let run = site.run_in("team/deep", &["check", "../../snap", "--format", "json"], &[]);
    // Warnings only.
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(run.codes(), ["ACME001", "ACME001", "CH001"]);
    assert_eq!(run.finding("CH001")["file"], "../../snap/projects/HR.yaml");
    let entities: Vec<_> =
        run.findings().iter().filter(|f| f["code"] == "ACME001").map(|f| f["entity"].clone()).collect();
    assert_eq!(entities, ["dana.whitfield@globex.com", "maria.rossi@globex.com"]);
    // `rules` and `rule` see them too.
    let listed = site.run_in("team/deep", &["rules"], &[]);
    assert!(listed.stdout.contains("ACME001 warning  partner-account"), "{}", listed.stdout);
    assert_eq!(site.run_in("team/deep", &["rule", "ACME001"], &[]).code, Some(0));
    // A folder that is not there is reported in the file.
    site.write("team/.sitelint.yaml", "rules: [acme-rules, other]\n");
    let run = site.run_in("team/deep", &["check", "../../snap"], &[]);
    run.unusable(&["rule folder `../other` does not exist", "[../.sitelint.yaml:1:21]"]);
    // A rule file named in place of its folder is said to be one.
    site.write("team/.sitelint.yaml", "rules: [acme-rules/ACME001.yaml]\n");
    let run = site.run_in("team/deep", &["check", "../../snap"], &[]);
    run.unusable(&["rule folder `../acme-rules/ACME001.yaml` is not a folder", "[../.sitelint.yaml:1:9]"]);
    let run =
        site.run_in("team", &["check", "../snap", "--no-config", "--rules", "acme-rules/ACME001.yaml"], &[]);
    run.unusable(&["rule folder acme-rules/ACME001.yaml is a file"]);
}

#[test]
fn fail_on_comes_from_the_file_and_the_flag_wins() {
    let site = Site::new();
    // Only CH001, a warning, is left.
    site.write(".sitelint.yaml", "ignore: [AC, PS, UA]\nfail-on: warning\n");
    assert_eq!(site.check(&[]).codes(), ["CH001"]);
    assert_eq!(site.check(&[]).code, Some(1));
    assert_eq!(site.check(&["--fail-on", "error"]).code, Some(0));
    site.write(".sitelint.yaml", "fail-on: never\n");
    assert_eq!(site.check(&[]).code, Some(0));
    assert_eq!(site.check(&["--fail-on", "error"]).code, Some(1));
}

#[test]
fn sl001_is_always_reported() {
    let site = Site::new();
    site.write("snap/broken.yaml", "users: [\n");
    site.write(".sitelint.yaml", "select: [PS]\nignore: [SL]\n");
    assert_eq!(site.check(&[]).codes(), ["PS001", "PS007", "SL001"]);
    // A skipped file fails the run even when no finding should.
    assert_eq!(site.check(&["--fail-on", "never"]).code, Some(1));
    site.write(".sitelint.yaml", "suppressions:\n  - {code: SL001, entity: x, reason: y}\n");
    site.check(&[]).unusable(&["SL001 cannot be suppressed"]);
    rejects("ignore: [SL001]\n", &["SL001 cannot be ignored", "[.sitelint.yaml:1:10]"]);
}

const SUPPRESS_DANA: &str = "\
suppressions:
  - code: AC001
    entity: Dana.Whitfield@Globex.com
    reason: partner account, contract ends in January
    expires: 2027-01-31
";

#[test]
fn a_suppression_hides_its_finding_and_counts_it() {
    let site = Site::new();
    site.write(".sitelint.yaml", SUPPRESS_DANA);
    let today = [("SITELINT_TODAY", "2027-01-31")];
    let run = site.run_in(".", &["check", "snap", "--format", "json"], &today);
    assert_eq!(run.codes(), ["AC003", "CH001", "PS001", "PS007", "UA005"]);
    assert_eq!(run.json()["summary"]["suppressed"], 1);
    let human = site.run_in(".", &["check", "snap", "--color", "never"], &today);
    assert!(human.stdout.ends_with("4 errors, 1 warning in 9 files (1 suppressed)\n"), "{}", human.stdout);
}

/// A finding about a customer names them by email whatever the reference
/// says: `sitelint import` writes account ids, and suppressions (like the
/// README's) name users by email.
#[test]
fn a_suppression_by_email_matches_a_reference_written_as_an_account_id() {
    let site = Site::new();
    site.write(".sitelint.yaml", SUPPRESS_DANA);
    let orgs = site.read("snap/organizations.yaml");
    let by_id =
        orgs.replace("- dana.whitfield@globex.com", "- \"712020:47a1c9e2-3b5d-4f60-8a7c-9e1b2d3f4a5c\"");
    assert_ne!(orgs, by_id);
    site.write("snap/organizations.yaml", &by_id);
    let run = site.run_in(".", &["check", "snap", "--format", "json"], &[("SITELINT_TODAY", "2027-01-31")]);
    assert_eq!(run.codes(), ["AC003", "CH001", "PS001", "PS007", "UA005"], "{}", run.stdout);
    assert_eq!(run.json()["summary"]["suppressed"], 1);
}

#[test]
fn an_expired_suppression_stops_working_and_says_so() {
    let site = Site::new();
    site.write(".sitelint.yaml", SUPPRESS_DANA);
    let run = site.run_in(".", &["check", "snap", "--format", "json"], &[("SITELINT_TODAY", "2027-02-01")]);
    assert_eq!(run.codes(), ["AC001", "AC003", "CH001", "PS001", "PS007", "SL101", "UA005"]);
    assert_eq!(run.json()["summary"]["suppressed"], 0);
    let expired = run.finding("SL101");
    assert_eq!(expired["severity"], "warning");
    assert_eq!(
        expired["message"],
        "suppression of AC001 for Dana.Whitfield@Globex.com expired on 2027-01-31: the finding is reported again"
    );
    assert_eq!(
        (&expired["file"], &expired["line"], &expired["column"]),
        (&".sitelint.yaml".into(), &5.into(), &14.into())
    );
    let related = &expired["related"][0];
    assert_eq!((&related["file"], &related["line"]), (&"snap/organizations.yaml".into(), &11.into()));
    assert_eq!(related["message"], "the AC001 finding it no longer hides");
    let bad_today = site.run_in(".", &["check", "snap"], &[("SITELINT_TODAY", "2027-02-30")]);
    bad_today.unusable(&["SITELINT_TODAY must be a date, YYYY-MM-DD, not `2027-02-30`"]);
    // Empty, as CI passes an undefined variable: the clock's date, which is
    // past 2027-01-31 only from then on, so the run is checked, not judged.
    let empty = site.run_in(".", &["check", "snap"], &[("SITELINT_TODAY", "")]);
    assert_ne!(empty.code, Some(2), "{}", empty.stderr);
    // Read only when a suppression expires: a stray variable does not stop
    // every check of a config without one.
    site.write(".sitelint.yaml", "ignore: [PS001]\n");
    let no_expiry = site.run_in(".", &["check", "snap"], &[("SITELINT_TODAY", "bogus")]);
    assert_eq!(no_expiry.code, Some(1), "{}", no_expiry.stderr);
}

#[test]
fn an_unused_suppression_is_reported_where_it_is_written() {
    let site = Site::new();
    site.write(
        ".sitelint.yaml",
        "suppressions:\n  - code: PS001\n    entity: HR confidental scheme\n    reason: legacy\n  \
         - {code: AC001, entity: nobody@acme.com, reason: gone}\n",
    );
    let run = site.check(&[]);
    let unused: Vec<_> = run.findings().into_iter().filter(|f| f["code"] == "SL100").collect();
    assert_eq!(unused.len(), 2, "{unused:#?}");
    assert_eq!((&unused[0]["line"], &unused[0]["column"]), (&2.into(), &5.into()));
    assert_eq!(unused[0]["message"], "suppression of PS001 for HR confidental scheme matches no finding");
    assert_eq!(unused[0]["help"], "did you mean entity `HR confidential scheme`?");
    assert_eq!((&unused[1]["line"], &unused[1]["column"]), (&5.into(), &5.into()));
    // The finding it meant is still reported.
    assert_eq!(run.codes().iter().filter(|c| *c == "PS001").count(), 1);
    // A suppression of a code that did not run cannot be judged.
    site.write(
        ".sitelint.yaml",
        "select: [PS, SL]\nsuppressions:\n  - {code: AC001, entity: nobody@acme.com, reason: gone}\n",
    );
    assert_eq!(site.check(&[]).codes(), ["PS001", "PS007"]);
}

#[test]
fn a_suppression_another_one_makes_useless_says_which() {
    let site = Site::new();
    // The same entity in another case, then an expired one of the same.
    site.write(
        ".sitelint.yaml",
        "suppressions:\n  - {code: AC001, entity: dana.whitfield@globex.com, reason: partner}\n  \
         - {code: AC001, entity: Dana.Whitfield@Globex.com, reason: partner}\n  \
         - {code: AC001, entity: DANA.WHITFIELD@GLOBEX.COM, reason: old, expires: 2020-01-01}\n",
    );
    let run = site.check(&[]);
    let stale: Vec<_> = run.findings().into_iter().filter(|f| f["code"] == "SL100").collect();
    assert_eq!(stale.len(), 2, "{stale:#?}");
    for (finding, line) in stale.iter().zip([3, 4]) {
        assert_eq!((&finding["line"], &finding["column"]), (&line.into(), &5.into()));
        let message = finding["message"].as_str().unwrap();
        assert!(message.ends_with("is not needed: another suppression hides the same findings"), "{message}");
        let related = &finding["related"][0];
        assert_eq!((&related["line"], &related["column"]), (&2.into(), &5.into()), "{related}");
    }
    assert!(!run.codes().contains(&"AC001".to_string()), "{:?}", run.codes());
}

#[test]
fn a_suppression_needs_a_reason_and_a_code_it_can_hide() {
    rejects(
        "suppressions:\n  - {code: SL100, entity: x, reason: y}\n",
        &["SL100 cannot be suppressed", "fix the suppression it reports, or ignore SL100"],
    );
    rejects(
        "suppressions:\n  - code: AC001\n    entity: dana.whitfield@globex.com\n",
        &["the suppression of AC001 for dana.whitfield@globex.com has no reason", "[.sitelint.yaml:2:5]"],
    );
    // A missing field is reported at the entry, not at its last key.
    rejects(
        "suppressions:\n  - code: AC001\n    reason: partner\n",
        &["the suppression of AC001 has no entity", "[.sitelint.yaml:2:5]"],
    );
    rejects(
        "suppressions:\n  - reason: partner\n    entity: x\n",
        &["a suppression has no code", "[.sitelint.yaml:2:5]"],
    );
    rejects(
        "suppressions:\n  - {code: AC001, entity: x, reason: \"  \"}\n",
        &["a suppression's reason is empty", "[.sitelint.yaml:2:38]"],
    );
    rejects(
        "suppressions:\n  - {code: AC001, entity: x, reason: y, expires: 2027-02-30}\n",
        &["`expires` must be a date, YYYY-MM-DD, not `2027-02-30`", "[.sitelint.yaml:2:50]"],
    );
    rejects(
        "suppressions:\n  - {code: AC01, entity: x, reason: y}\n",
        &["unknown code `AC01`", "[.sitelint.yaml:2:12]", "did you mean `AC001`?"],
    );
}

#[test]
fn output_writes_the_report_to_a_file() {
    let site = Site::new();
    for format in ["human", "json"] {
        let on_stdout = site.run_in(".", &["check", "snap", "--no-config", "--format", format], &[]);
        let run = site.run_in(
            ".",
            &["check", "snap", "--no-config", "--format", format, "--output", "out/report"],
            &[],
        );
        assert_eq!((run.code, run.stdout.as_str(), run.stderr.as_str()), (Some(1), "", ""));
        assert_eq!(site.read("out/report"), on_stdout.stdout, "{format}");
    }
    let run = site.run_in(".", &["check", "snap", "--output", "snap/site.yaml/report"], &[]);
    run.unusable(&["cannot write the report to snap/site.yaml/report"]);
}

#[test]
fn limits_are_read_from_the_file_and_checked_where_written() {
    rejects(
        "limits:\n  max-dept: 10\n",
        &["unknown field `max-dept`", "[.sitelint.yaml:2:3]", "did you mean `max-depth`?"],
    );
    // Every bad value is reported, at the value (on lines wide enough to
    // hold the messages unwrapped).
    let site = Site::new();
    site.write(
        ".sitelint.yaml",
        "limits:\n  max-file-size: 12 parsecs\n  max-depth: 300\n  max-nodes: -1\n  max-alias-nodes: lots\n",
    );
    site.run_in(".", &["check", "snap"], &[("COLUMNS", "200")]).unusable(&[
            "`12 parsecs` is not a size: write bytes (`1000`) or a number and a unit (`64KB`, `256MiB`, `1GiB`)",
            "[.sitelint.yaml:2:18]",
            "max-depth must be from 1 to 255 (saphyr-parser, the YAML parser, allows no deeper flow nesting), not 300",
            "[.sitelint.yaml:3:14]",
            "max-nodes must be a whole number, not `-1`",
            "[.sitelint.yaml:4:14]",
            "max-alias-nodes must be a whole number, not `lots`",
            "[.sitelint.yaml:5:20]",
        ]);
    rejects("limits: 10MB\n", &["invalid config file", "[.sitelint.yaml:1:9]"]);
    // Plain bytes, units, and big numbers written with underscores.
    let config = "limits:\n  max-file-size: 1_000_000\n  max-nodes: 10_000\n  max-alias-nodes: 0\n";
    assert_eq!(codes_with(config, &[]), EXAMPLE_CODES);
    let config = "limits: {max-file-size: 2kb}\n";
    let codes = codes_with(config, &[]);
    assert!(codes.iter().filter(|c| *c == "SL001").count() >= 1, "{codes:?}");
    assert_eq!(codes_with(config, &["--max-file-size", "1MiB"]), EXAMPLE_CODES);
}
