//! Baselines: --write-baseline records the findings by code and entity,
//! --baseline then reports only new ones and counts the fixed ones.

#[path = "fixtures/config/support.rs"]
mod support;

use serde_json::json;
use support::{Run, Site};

/// A site with `base.json` written from the example as it is.
fn baselined() -> Site {
    let site = Site::new();
    let run = site.check(&["--no-config", "--write-baseline", "base.json"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    site
}

fn with_baseline(site: &Site) -> Run {
    site.check(&["--no-config", "--baseline", "base.json"])
}

/// Asserts that a run reported nothing, exited 0 and said `note` on stderr.
fn assert_quiet(run: &Run, note: &str) {
    assert_eq!((run.code, run.codes(), run.stderr.as_str()), (Some(0), Vec::<String>::new(), note));
}

#[test]
fn write_baseline_records_code_and_entity_sorted_and_exits_0() {
    let site = Site::new();
    let run = site.check(&["--no-config", "--write-baseline", "ci/base.json"]);
    assert_eq!((run.code, run.stdout.as_str()), (Some(0), ""));
    assert_eq!(run.stderr, "wrote 6 findings to baseline ci/base.json\n");
    let text = site.read("ci/base.json");
    let written: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        written,
        json!({"version": 2, "findings": [
            {"code": "AC001", "entity": "dana.whitfield@globex.com",
             "at": ["organizations.yaml: organizations[id=2].members[dana.whitfield@globex.com]"]},
            {"code": "AC003", "entity": "Priya.Shah@Contoso.com",
             "at": ["users.yaml: users[account_id=qm:a3b4c5d6-e7f8-4a9b-8c0d-1e2f3a4b5c6d:7e8f9a0b-1c2d-4e3f-9a4b-5c6d7e8f9a0b]"]},
            {"code": "CH001", "entity": "HR", "at": ["projects/HR.yaml: projects[key=HR].service_desk.channel_access"]},
            {"code": "PS001", "entity": "HR confidential scheme",
             "at": ["schemes.json: permissionSchemes[id=10001].permissions"]},
            {"code": "PS007", "entity": "Acme Software scheme: BROWSE_PROJECTS to anyone",
             "at": ["schemes.json: permissionSchemes[id=10002].permissions[id=10703]"]},
            {"code": "UA005", "entity": "gmail.com", "at": ["site.yaml: user_access.approved_domains[domain=gmail.com].domain"]},
        ]})
    );
    // Stable: the same findings write the same bytes.
    site.check(&["--no-config", "--write-baseline", "ci/base.json"]);
    assert_eq!(site.read("ci/base.json"), text);
}

#[test]
fn with_its_baseline_a_site_has_no_findings() {
    let site = baselined();
    assert_quiet(&with_baseline(&site), "baseline: 6 known findings not shown, 0 baseline entries fixed\n");
}

#[test]
fn only_a_new_problem_is_reported() {
    let site = baselined();
    site.edit("snap/site.yaml", "    - domain: acme.com\n", "    - domain: yahoo.com\n      roles: { jira-servicemanagement: customer }\n    - domain: acme.com\n");
    let run = with_baseline(&site);
    assert_eq!(run.code, Some(1));
    assert_eq!(run.codes(), ["UA005"]);
    assert_eq!(run.finding("UA005")["entity"], "yahoo.com");
}

#[test]
fn a_fixed_problem_is_counted() {
    let site = baselined();
    site.edit("snap/site.yaml", "domain: gmail.com", "domain: acme.org");
    assert_quiet(&with_baseline(&site), "baseline: 5 known findings not shown, 1 baseline entry fixed\n");
}

/// Rules that did not run found nothing because they did not look: their
/// entries are not fixed (the note would invite dropping them).
#[test]
fn entries_of_rules_that_did_not_run_are_not_counted_fixed() {
    let site = baselined();
    let run = site.check(&["--no-config", "--baseline", "base.json", "--select", "PS"]);
    assert_quiet(&run, "baseline: 2 known findings not shown, 0 baseline entries fixed\n");
    let run = site.check(&["--no-config", "--baseline", "base.json", "--ignore", "AC,PS"]);
    assert_quiet(&run, "baseline: 2 known findings not shown, 0 baseline entries fixed\n");
}

/// A rule that failed at run time did not look at everything: its entries
/// are not fixed either.
#[test]
fn entries_of_a_rule_that_failed_are_not_counted_fixed() {
    let site = Site::new();
    let rule = |when: &str| {
        format!(
            "code: ZZ001\nname: every-user\nseverity: warning\nsummary: s\nurl: https://example.com\n\
             for_each: users\nwhen: {when}\nmessage: \"{{{{ item }}}}\"\nhelp: h\nat: item\n"
        )
    };
    site.write("rules/zz.yaml", &rule("\"true\""));
    let run = site.check(&["--no-config", "--rules", "rules", "--write-baseline", "base.json"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    // Division by zero: the rule fails on its first item.
    site.write("rules/zz.yaml", &rule("\"1 / 0 == 1\""));
    let run = site.check(&["--no-config", "--rules", "rules", "--baseline", "base.json"]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr.starts_with("baseline: 6 known findings not shown, 0 baseline entries fixed\n"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_baseline_survives_lines_added_above_its_findings() {
    let site = baselined();
    for file in ["site.yaml", "users.yaml", "organizations.yaml", "projects/HR.yaml"] {
        let path = format!("snap/{file}");
        let text = site.read(&path);
        site.write(&path, &format!("# exported again by the nightly job\n# (second export)\n\n{text}"));
    }
    let schemes = site.read("snap/schemes.json");
    site.write("snap/schemes.json", &format!("\n\n\n{schemes}"));
    assert_quiet(&with_baseline(&site), "baseline: 6 known findings not shown, 0 baseline entries fixed\n");
}

#[test]
fn repeated_findings_are_counted() {
    let site = Site::new();
    let extra = "    colour: blue\n    permission_scheme:";
    site.edit("snap/projects/DEV.yaml", "    permission_scheme:", extra);
    site.edit("snap/projects/HELP.yaml", "    permission_scheme:", extra);
    let only_sl = ["--no-config", "--select", "SL"];
    site.check(&[&only_sl[..], &["--write-baseline", "base.json"]].concat());
    let written: serde_json::Value = serde_json::from_str(&site.read("base.json")).unwrap();
    assert_eq!(
        written["findings"],
        json!([{"code": "SL002", "entity": "unknown key `colour` in a project", "count": 2, "at": [
            "projects/DEV.yaml: projects[key=DEV].colour",
            "projects/HELP.yaml: projects[key=HELP].colour",
        ]}])
    );
    let check = || site.check(&[&only_sl[..], &["--baseline", "base.json"]].concat());
    // A third one of the same: only it is new (the first ones in report order are known).
    site.edit("snap/projects/HR.yaml", "    permission_scheme:", extra);
    let run = check();
    assert_eq!(run.codes(), ["SL002"]);
    assert_eq!(run.finding("SL002")["file"], "snap/projects/HR.yaml");
    assert_eq!(run.stderr, "baseline: 2 known findings not shown, 0 baseline entries fixed\n");
    // Two of the three gone: one baseline entry is fixed.
    site.edit("snap/projects/DEV.yaml", extra, "    permission_scheme:");
    site.edit("snap/projects/HR.yaml", extra, "    permission_scheme:");
    assert_quiet(&check(), "baseline: 1 known finding not shown, 1 baseline entry fixed\n");
}

/// One more of a code and subject recorded several times: the one
/// reported is the new one, wherever it sorts, not the last in report order.
#[test]
fn of_repeated_findings_the_new_one_is_reported() {
    let site = Site::new();
    let extra = "    colour: blue\n    permission_scheme:";
    site.edit("snap/projects/HELP.yaml", "    permission_scheme:", extra);
    site.edit("snap/projects/HR.yaml", "    permission_scheme:", extra);
    let only_sl = ["--no-config", "--select", "SL"];
    site.check(&[&only_sl[..], &["--write-baseline", "base.json"]].concat());
    // DEV sorts first: counted in report order, it was taken as known, and
    // HR's old one reported.
    site.edit("snap/projects/DEV.yaml", "    permission_scheme:", extra);
    let check = || site.check(&[&only_sl[..], &["--baseline", "base.json"]].concat());
    let run = check();
    assert_eq!(run.codes(), ["SL002"]);
    assert_eq!(run.finding("SL002")["file"], "snap/projects/DEV.yaml");
    assert_eq!(run.stderr, "baseline: 2 known findings not shown, 0 baseline entries fixed\n");
}

/// A finding recorded once, and a second of its code and subject added
/// where it sorts first: the new one is reported, not the known one (the
/// common case of a second copy, a typo made twice).
#[test]
fn a_second_of_a_finding_recorded_once_is_the_one_reported() {
    let site = Site::new();
    let typo = "    colour: blue\n    permission_scheme:";
    site.edit("snap/projects/HR.yaml", "    permission_scheme:", typo);
    let only_sl = ["--no-config", "--select", "SL"];
    site.check(&[&only_sl[..], &["--write-baseline", "base.json"]].concat());
    site.edit("snap/projects/DEV.yaml", "    permission_scheme:", typo);
    let run = site.check(&[&only_sl[..], &["--baseline", "base.json"]].concat());
    assert_eq!(run.codes(), ["SL002"]);
    assert_eq!(run.finding("SL002")["file"], "snap/projects/DEV.yaml");
    assert_eq!(run.stderr, "baseline: 1 known finding not shown, 0 baseline entries fixed\n");
    // Version 2 files written before places were recorded for one finding
    // are still read: matched by count.
    let mut old: serde_json::Value = serde_json::from_str(&site.read("base.json")).unwrap();
    old["findings"][0].as_object_mut().unwrap().remove("at");
    site.write("old.json", &old.to_string());
    let run = site.check(&[&only_sl[..], &["--baseline", "old.json"]].concat());
    assert_eq!(run.codes(), ["SL002"], "{}", run.stderr);
}

#[test]
fn the_baseline_records_what_selection_and_suppressions_leave() {
    let site = Site::new();
    site.write(
        ".sitelint.yaml",
        "ignore: [PS]\nsuppressions:\n  - {code: AC001, entity: dana.whitfield@globex.com, reason: partner}\n",
    );
    site.check(&["--write-baseline", "base.json"]);
    let written: serde_json::Value = serde_json::from_str(&site.read("base.json")).unwrap();
    let codes: Vec<_> = written["findings"].as_array().unwrap().iter().map(|e| e["code"].clone()).collect();
    assert_eq!(codes, ["AC003", "CH001", "UA005"]);
    let run = site.check(&["--baseline", "base.json"]);
    assert_quiet(&run, "baseline: 3 known findings not shown, 0 baseline entries fixed\n");
    assert_eq!(run.json()["summary"]["suppressed"], 1);
}

#[test]
fn a_file_that_does_not_parse_is_never_baselined() {
    let site = Site::new();
    site.write("snap/broken.yaml", "users: [\n");
    let run = site.check(&["--no-config", "--write-baseline", "base.json"]);
    let warning = "warning: left out 1 SL001 finding (snap/broken.yaml): a file that does not parse is \
                   always reported, and what it defines is in no finding\n";
    assert_eq!(run.stderr, format!("wrote 6 findings to baseline base.json\n{warning}"));
    // The baseline is written, but SL001 fails the run, as it always does.
    assert_eq!(run.code, Some(1));
    // --quiet drops the note, never the warning.
    let run = site.check(&["--no-config", "--write-baseline", "base.json", "-q"]);
    assert_eq!((run.code, run.stderr.as_str()), (Some(1), warning));
    let run = with_baseline(&site);
    assert_eq!((run.code, run.codes()), (Some(1), vec!["SL001".to_string()]));
}

#[test]
fn a_version_1_baseline_is_read() {
    let site = baselined();
    let v1 = site.read("base.json").replace("\"version\": 2", "\"version\": 1");
    site.write("base.json", &v1);
    assert_quiet(&with_baseline(&site), "baseline: 6 known findings not shown, 0 baseline entries fixed\n");
}

#[test]
fn a_missing_or_malformed_baseline_is_an_error() {
    let site = Site::new();
    let run = with_baseline(&site);
    run.unusable(&["cannot read baseline base.json"]);
    site.write("base.json", "{\"version\": 1, \"findings\": [{\"code\": \"AC001\"}]}");
    let run = with_baseline(&site);
    run.unusable(&["baseline base.json is not valid: missing field `entity`"]);
    site.write("base.json", "");
    let run = with_baseline(&site);
    run.unusable(&["baseline base.json is not valid: EOF while parsing a value at line 1 column 1"]);
    site.write("base.json", "{\"version\": 3, \"findings\": []}");
    let run = with_baseline(&site);
    run.unusable(&["baseline base.json has version 3; this sitelint reads versions 1 to 2"]);
    let both = site.check(&["--baseline", "base.json", "--write-baseline", "new.json"]);
    both.unusable(&["cannot be used with"]);
}
