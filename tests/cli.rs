//! The command line on real snapshot folders: golden output, exit codes,
//! determinism across thread counts.

use std::process::{Command, Output};

fn sitelint(args: &[&str]) -> Output {
    sitelint_env(args, &[])
}

fn sitelint_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sitelint"));
    cmd.args(args).env_remove("NO_COLOR").env_remove("COLUMNS");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("sitelint runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

#[test]
fn example_human_output() {
    let out = sitelint(&["check", "snapshots/example", "--color", "never"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    insta::assert_snapshot!("example_human", stdout(&out));
}

#[test]
fn example_json_output() {
    let out = sitelint(&["check", "snapshots/example", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("valid JSON");
    insta::assert_json_snapshot!("example_json", json);
}

#[test]
fn example_fires_at_least_five_different_rules() {
    let out = sitelint(&["check", "snapshots/example", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let mut codes: Vec<&str> =
        json["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
    codes.sort();
    codes.dedup();
    assert!(codes.len() >= 5, "{codes:?}");
    assert!(!codes.iter().any(|c| c.starts_with("SL")), "the example is a valid snapshot: {codes:?}");
}

#[test]
fn output_is_the_same_with_one_thread_or_many() {
    for format in ["human", "json"] {
        let args = ["check", "snapshots/example", "--format", format, "--color", "never"];
        let one = sitelint_env(&args, &[("RAYON_NUM_THREADS", "1")]);
        let many = sitelint_env(&args, &[("RAYON_NUM_THREADS", "8")]);
        assert_eq!(stdout(&one), stdout(&many), "{format}");
    }
}

#[test]
fn healthy_site_has_no_findings_and_exits_0() {
    let out = sitelint(&["check", "snapshots/healthy", "--color", "never"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).starts_with("no findings in 1 file"), "{}", stdout(&out));
}

#[test]
fn fail_on_sets_the_threshold() {
    // CH001 is a warning: with only warnings, the default threshold passes.
    let fixture = "tests/fixtures/cli/warning-only.yaml";
    assert_eq!(sitelint(&["check", fixture]).status.code(), Some(0));
    assert_eq!(sitelint(&["check", fixture, "--fail-on", "warning"]).status.code(), Some(1));
    assert_eq!(sitelint(&["check", fixture, "--fail-on", "info"]).status.code(), Some(1));
    let example = "snapshots/example";
    assert_eq!(sitelint(&["check", example, "--fail-on", "never"]).status.code(), Some(0));
}

#[test]
fn a_missing_path_is_a_usage_error() {
    let out = sitelint(&["check", "snapshots/does-not-exist"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("snapshots/does-not-exist"), "{}", stderr(&out));
    assert!(stdout(&out).is_empty());
}

#[test]
fn a_folder_with_nothing_to_lint_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not a snapshot").unwrap();
    let out = sitelint(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

#[test]
fn a_file_not_read_for_its_extension_case_is_named_in_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("site.yaml"), "users: []\n").unwrap();
    std::fs::write(dir.path().join("users.YAML"), "users: [{account_id: a}]\n").unwrap();
    let folder = dir.path().to_str().unwrap();
    let warning = "warning: users.YAML was not read: snapshot file extensions are .yaml, .yml and .json, in lower case\n";
    for args in [&["check", folder, "-q"][..], &["access", folder, "--user", "a"]] {
        let out = sitelint(args);
        assert!(stderr(&out).contains(warning), "{args:?}: {}", stderr(&out));
    }
    let out = sitelint(&["check", folder]);
    assert_eq!(out.status.code(), Some(0), "the rest is still linted: {}", stderr(&out));
}

#[test]
fn references_are_not_judged_unknown_while_a_file_does_not_parse() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
    write("users.yaml", "users:\n  - {account_id: a, email: a@acme.com}\n");
    write("projects.yaml", "projects:\n  - {key: DEV, type: software, lead: a@acme.com}\n");
    write("groups.yaml", "groups:\n  - {name: g, members: [nobody@acme.com]}\n");
    let folder = dir.path().to_str().unwrap();
    let codes = |out: &Output| -> Vec<String> {
        let json: serde_json::Value = serde_json::from_str(&stdout(out)).unwrap();
        json["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap().to_string()).collect()
    };
    // A real unknown name is SL005.
    let out = sitelint(&["check", folder, "--format", "json"]);
    assert_eq!(codes(&out), ["SL005"], "{}", stdout(&out));
    // users.yaml broken: its users may be what both references name.
    write("users.yaml", "users:\n  - {account_id: a, email: a@acme.com\n");
    let out = sitelint(&["check", folder, "--format", "json"]);
    assert_eq!(codes(&out), ["SL001"], "{}", stdout(&out));
    assert_eq!(out.status.code(), Some(1));
    let note = "note: 2 references to unknown names left out (SL005): a file that does not parse (SL001) may define them";
    assert!(stderr(&out).contains(note), "{}", stderr(&out));
    // Not a word of SL005 when it is not selected.
    let ignored = sitelint(&["check", folder, "--format", "json", "--ignore", "SL005"]);
    assert!(!stderr(&ignored).contains("SL005"), "{}", stderr(&ignored));
    // An empty file defines nothing: unknown names are still judged.
    write("users.yaml", "users:\n  - {account_id: a, email: a@acme.com}\n");
    write("notes.yaml", "");
    let out = sitelint(&["check", folder, "--format", "json"]);
    assert_eq!(codes(&out), ["SL005", "SL001"], "{}", stdout(&out));
}

#[test]
fn a_broken_rule_folder_is_reported_in_the_rule_file_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy("tests/fixtures/rule-errors/cel-typo.yaml", dir.path().join("cel-typo.yaml")).unwrap();
    let out = sitelint(&[
        "check",
        "snapshots/example",
        "--rules",
        dir.path().to_str().unwrap(),
        "--color",
        "never",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("cel-typo.yaml:8:3"), "{err}");
    assert!(err.contains("unknown variable `itm`"), "{err}");
    assert!(stdout(&out).is_empty(), "no partial report when the rules are unusable");
}

#[test]
fn extra_rule_folders_add_rules() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("ACME001.yaml"),
        r#"code: ACME001
name: inactive-accounts
severity: info
summary: Inactive accounts.
url: https://wiki.acme.example/ACME001
for_each: users
when: item.status != "active"
message: "{{ item }} is {{ item.status }}"
help: Remove the account from the export.
at: value_of(item, "status")
"#,
    )
    .unwrap();
    let out = sitelint(&[
        "check",
        "snapshots/example",
        "--format",
        "json",
        "--rules",
        dir.path().to_str().unwrap(),
    ]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let acme: Vec<_> =
        json["findings"].as_array().unwrap().iter().filter(|f| f["code"] == "ACME001").collect();
    assert!(!acme.is_empty(), "the example has an inactive user");
    assert_eq!(acme[0]["file"], "snapshots/example/users.yaml");

    // An editor's dangling lock link and a hidden backup are not rules, and
    // a folder named twice (`./` or not) is read once.
    let folder = dir.path().to_str().unwrap();
    std::fs::write(dir.path().join(".ACME001.yaml"), "code: ACME001\n").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink("root@host.1234:1700000000", dir.path().join(".#ACME001.yaml")).unwrap();
    let again = format!("{folder}/./");
    let twice =
        sitelint(&["check", "snapshots/example", "--format", "json", "--rules", folder, "--rules", &again]);
    assert_eq!(twice.status.code(), Some(1), "{}", stderr(&twice));
    assert_eq!(stdout(&twice), stdout(&out));
}

#[test]
fn help_and_version_exit_0() {
    assert_eq!(sitelint(&["--help"]).status.code(), Some(0));
    assert_eq!(sitelint(&["--version"]).status.code(), Some(0));
    assert_eq!(sitelint(&["check"]).status.code(), Some(2));
}

/// One snapshot per field report in ../shared/seeds reproduces its problem;
/// each one's findings are a golden file.
#[test]
fn field_report_snapshots() {
    let mut seeds: Vec<_> =
        std::fs::read_dir("snapshots/seeds").unwrap().map(|e| e.unwrap().path()).collect();
    seeds.sort();
    assert_eq!(seeds.len(), 5, "one snapshot per field report");
    for seed in seeds {
        let out = sitelint(&["check", seed.to_str().unwrap(), "--format", "json"]);
        assert_eq!(out.status.code(), Some(1), "{} reproduces an error", seed.display());
        let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        let name = seed.file_name().unwrap().to_str().unwrap().to_string();
        insta::assert_json_snapshot!(format!("seed_{name}"), json);
    }
}

/// Field report 000's near misses: the domain is approved with the Customer
/// role, but waits for admin approval, or internal customers are off. AC001
/// says which, points at it, and does not advise approving the domain again.
#[test]
fn a_customer_role_an_approved_domain_withholds_is_named_with_its_reason() {
    let dir = tempfile::tempdir().unwrap();
    let snapshot = "\
site: { name: acme }
user_access:
  approved_domains:
    - domain: Acme.com
      roles: { jira-servicemanagement: customer }
      admin_approval: true
customer_access:
  internal: false
projects:
  - key: HELP
    type: service_desk
    service_desk:
      customers: [ana@acme.com, bo@contoso.com]
users:
  - { account_id: u-ana, email: ana@acme.com }
  - { account_id: u-bo, email: bo@contoso.com }
";
    std::fs::write(dir.path().join("site.yaml"), snapshot).unwrap();
    let out = sitelint(&["check", dir.path().to_str().unwrap(), "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let findings = json["findings"].as_array().unwrap();
    let ac001: Vec<_> = findings.iter().filter(|f| f["code"] == "AC001").collect();
    assert_eq!(ac001.len(), 2, "{findings:#?}");
    let related = |f: &serde_json::Value| -> Vec<(u64, u64, String)> {
        let places = f["related"].as_array().unwrap().iter();
        places
            .map(|r| (r["line"].as_u64().unwrap(), r["column"].as_u64().unwrap(), r["message"].to_string()))
            .collect()
    };
    let help = |f: &serde_json::Value| f["help"].as_str().unwrap().to_string();

    // ana@acme.com: the account, then both reasons, each at its setting.
    let ana = related(ac001[0]);
    assert_eq!(ana.iter().map(|r| (r.0, r.1)).collect::<Vec<_>>(), [(15, 5), (6, 23), (8, 13)], "{ana:?}");
    assert!(ana[1].2.contains("only to accounts an org admin approves"), "{ana:?}");
    assert!(ana[2].2.contains("internal customers are off"), "{ana:?}");
    let help_ana = help(ac001[0]);
    assert!(help_ana.contains("Acme.com is approved with the Customer role, but only for accounts an org admin approves (admin_approval: true), and a domain's Customer role counts only while internal customers are on"), "{help_ana}");
    assert!(help_ana.contains("jira-servicemanagement-customers-acme"), "{help_ana}");

    // bo@contoso.com: no approved domain, so the advice is to approve one,
    // which takes internal customers on too.
    assert_eq!(related(ac001[1]).iter().map(|r| (r.0, r.1)).collect::<Vec<_>>(), [(16, 5)]);
    assert!(
        help(ac001[1]).ends_with(
            "or approve their email domain with the Customer role and turn internal customers on \
             (customer_access.internal: true): a domain's Customer role counts only then."
        ),
        "{}",
        help(ac001[1])
    );
}

/// The findings of `sitelint check --format json` on a snapshot of one file.
fn json_findings(snapshot: &str) -> Vec<serde_json::Value> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("site.yaml"), snapshot).unwrap();
    let out = sitelint(&["check", dir.path().to_str().unwrap(), "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    json["findings"].as_array().unwrap().clone()
}

/// CA004's message where external customers are limited to an empty list,
/// a short list and a long one, and for an email with nothing after its
/// `@` (which has no domain).
#[test]
fn ca004_names_the_domain_list_and_an_email_without_a_domain() {
    let message = |snapshot: &str| {
        let findings = json_findings(snapshot);
        assert_eq!(findings.len(), 1, "{findings:#?}");
        (
            findings[0]["message"].as_str().unwrap().to_string(),
            findings[0]["related"][0]["message"].to_string(),
        )
    };
    let customer = |email: &str, domains: &str| {
        format!(
            "customer_access: {{ external_domains: {domains} }}\n\
             users: [{{ account_id: qm:1, email: \"{email}\", account_type: customer }}]\n\
             projects: [{{ key: HELP, type: service_desk, service_desk: {{ customers: [qm:1] }} }}]\n"
        )
    };
    let (empty, _) = message(&customer("bob@contoso.com", "[]"));
    assert!(
        empty.contains(
            "but external customers are limited to the domains of `external_domains`, an empty list."
        ),
        "{empty}"
    );
    let (no_domain, related) = message(&customer("bob@", "[contoso.com]"));
    assert!(
        no_domain.contains("limited to the domains contoso.com, and their email has no domain."),
        "{no_domain}"
    );
    assert_eq!(related, "\"their domain is not on this list\"");
    // Five domains are named; a longer list is pointed at.
    let five = "[a.io, b.io, c.io, d.io, e.io]";
    let (named, _) = message(&customer("bob@contoso.com", five));
    assert!(
        named.contains(
            "limited to the domains a.io, b.io, c.io, d.io, e.io, and contoso.com is not one of them."
        ),
        "{named}"
    );
    let (six, related) = message(&customer("bob@contoso.com", "[a.io, b.io, c.io, d.io, e.io, f.io]"));
    assert!(
        six.contains(
            "but external customers are limited to the domains listed in `external_domains`, and \
             contoso.com is not one of them."
        ),
        "{six}"
    );
    assert_eq!(related, "\"contoso.com is not on this list\"");
}

/// CH002 names up to five members of an organization linked to no service
/// project, and counts a bigger one's.
#[test]
fn ch002_names_a_few_members_and_counts_many() {
    let message = |members: usize| {
        let emails: Vec<String> = (1..=members).map(|n| format!("p{n}@contoso.com")).collect();
        let users: String = emails
            .iter()
            .enumerate()
            .map(|(n, e)| format!("  - {{ account_id: \"qm:{n}\", email: {e}, account_type: customer }}\n"))
            .collect();
        let snapshot = format!(
            "users:\n{users}organizations:\n  - {{ name: Contoso, members: [{}] }}\n",
            emails.join(", ")
        );
        let findings = json_findings(&snapshot);
        let ch002: Vec<_> = findings.iter().filter(|f| f["code"] == "CH002").collect();
        assert_eq!(ch002.len(), 1, "{findings:#?}");
        ch002[0]["message"].as_str().unwrap().to_string()
    };
    assert_eq!(
        message(5),
        "Organization Contoso is linked to no service project: its members (p1@contoso.com, \
         p2@contoso.com, p3@contoso.com, p4@contoso.com, p5@contoso.com) reach no project through it, \
         and on a restricted portal they are told they have no access."
    );
    assert_eq!(
        message(6),
        "Organization Contoso is linked to no service project: its 6 members reach no project \
         through it, and on a restricted portal they are told they have no access."
    );
    // Members that name no account (SL005) are none it has in the snapshot:
    // "has no members" read wrong beside the list that names one.
    let messages = messages("organizations:\n  - { name: Ghosts, members: [nobody@contoso.com] }\n");
    let ch002 = "Organization Ghosts is linked to no service project and has no members in this \
                 snapshot: it gives access to nothing.";
    assert!(messages.contains(&("CH002".into(), ch002.into())), "{messages:?}");
    assert!(messages.iter().any(|(code, _)| code == "SL005"), "{messages:?}");
}

/// The code and message of each finding of `snapshot`.
fn messages(snapshot: &str) -> Vec<(String, String)> {
    let text = |value: &serde_json::Value| value.as_str().unwrap_or_default().to_string();
    json_findings(snapshot).iter().map(|f| (text(&f["code"]), text(&f["message"]))).collect()
}

/// CH001 too: a restricted project whose lists name only what the snapshot
/// lacks has none of them in it, and says so in those words.
#[test]
fn ch001_counts_the_customers_the_snapshot_has() {
    let messages = messages(
        "projects:\n  - key: R\n    type: service_desk\n    service_desk:\n      \
         channel_access: restricted\n      customers: [ghost@acme.com]\n",
    );
    let ch001 = "Service project R is restricted to its customers but has no customers and no \
                 organizations in this snapshot: nobody can raise requests, and customers who log in \
                 to the portal are told they have no access.";
    assert!(messages.contains(&("CH001".into(), ch001.into())), "{messages:?}");
}

#[test]
fn rules_lists_every_rule_and_check() {
    let out = sitelint(&["rules", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let codes: Vec<&str> = json.as_array().unwrap().iter().map(|r| r["code"].as_str().unwrap()).collect();
    assert_eq!(codes.len(), 38, "30 catalogue rules and 8 built-in checks: {codes:?}");
    assert!(codes.contains(&"PS001") && codes.contains(&"UA006") && codes.contains(&"SL006"));
    let human = stdout(&sitelint(&["rules"]));
    assert!(human.lines().any(|l| l.starts_with("PS001") && l.contains("portal-customers-cannot-browse")));
    let markdown = stdout(&sitelint(&["rules", "--format", "markdown"]));
    assert_eq!(markdown, std::fs::read_to_string("docs/rules.md").unwrap());
}

#[test]
fn rule_explains_one_rule_with_an_example_and_the_fix() {
    let out = sitelint(&["rule", "ac001"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.starts_with("AC001 customer-without-jsm-role (error)"), "{text}");
    assert!(text.contains("Example: this snapshot triggers it"), "{text}");
    assert!(text.contains("You don't have permission to invite customers"), "{text}");
    assert!(text.contains("help: Give the account the JSM Customer role"), "{text}");
    let unknown = sitelint(&["rule", "AC01"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("did you mean"), "{}", stderr(&unknown));
}

#[test]
fn test_rules_passes_the_shipped_rules() {
    let out = sitelint(&["test-rules"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(text.trim_end().ends_with("passed, 0 failed"), "{text}");
    assert_eq!(text.lines().filter(|l| l.contains(": ok (")).count(), 30, "{text}");
    // The checkout's own rules folder: its files take the built-ins' places.
    let folder = sitelint(&["test-rules", "rules"]);
    assert_eq!(stdout(&folder), text, "{}", stderr(&folder));
}

#[test]
fn test_rules_on_a_copy_of_a_built_in_rule_tests_the_copy() {
    let dir = tempfile::tempdir().unwrap();
    let edited = std::fs::read_to_string("rules/AC003.yaml")
        .unwrap()
        .replace("expect: []", "expect: [{ code: AC003, line: 1 }]");
    std::fs::write(dir.path().join("AC003.yaml"), &edited).unwrap();
    let out = sitelint(&["test-rules", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).starts_with("AC003 duplicate-accounts: FAILED"), "{}", stdout(&out));
    // Under another file name, the code is defined twice.
    std::fs::rename(dir.path().join("AC003.yaml"), dir.path().join("mine.yaml")).unwrap();
    let out = sitelint(&["test-rules", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("rule code AC003 is already defined"), "{}", stderr(&out));
}

/// A rule whose one test case expects its finding a line too high.
const FAILING_CASE: &str = r#"code: ACME010
name: closed-accounts
severity: warning
summary: Closed accounts.
url: https://wiki.acme.example/ACME010
for_each: users
when: item.status == "closed"
message: "{{ item }} is closed"
help: Remove it.
at: value_of(item, "status")
tests:
  - name: points at the status
    snapshot: |
      users:
        - account_id: "u1"
          status: closed
    expect:
      - { code: ACME010, line: 2, column: 13 }
"#;

#[test]
fn test_rules_shows_expected_and_actual_for_a_failing_case() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ACME010.yaml"), FAILING_CASE).unwrap();
    let out = sitelint(&["test-rules", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("ACME010 closed-accounts: FAILED (0 of 1 passed)"), "{text}");
    // Where the case is, and what each finding says.
    let file = dir.path().join("ACME010.yaml");
    let case = format!("test \"points at the status\" failed (snapshot at {}:14)", file.display());
    assert!(text.contains(&case), "{text}");
    assert!(text.contains("expected: ACME010 at 2:13"), "{text}");
    assert!(text.contains("actual:   ACME010 at 3:13: u1 is closed"), "{text}");
    assert!(text.trim_end().ends_with("0 passed, 1 failed"), "{text}");
}

#[test]
fn test_rules_without_a_folder_tests_the_config_files_rule_folders_too() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("acme-rules")).unwrap();
    std::fs::write(dir.path().join("acme-rules/ACME010.yaml"), FAILING_CASE).unwrap();
    std::fs::write(dir.path().join(".sitelint.yaml"), "rules: [acme-rules]\n").unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_sitelint")).args(args).current_dir(dir.path()).output().unwrap()
    };
    let out = run(&["test-rules"]);
    assert_eq!(out.status.code(), Some(1), "{}{}", stdout(&out), stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("ACME010 closed-accounts: FAILED (0 of 1 passed)"), "{text}");
    assert!(text.contains("AC001 customer-without-jsm-role: ok"), "{text}");
    // Without the config file, the built-in rules alone.
    let out = run(&["test-rules", "--no-config"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(!stdout(&out).contains("ACME010"), "{}", stdout(&out));
    // A folder named: its rules alone, so the config file has no say.
    let out = run(&["test-rules", "acme-rules", "--no-config"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cannot be used with"), "{}", stderr(&out));
}

#[test]
fn test_rules_tests_every_folder_named_once() {
    let dir = tempfile::tempdir().unwrap();
    let (one, two) = (dir.path().join("one"), dir.path().join("two"));
    std::fs::create_dir(&one).unwrap();
    std::fs::create_dir(&two).unwrap();
    std::fs::write(one.join("ACME010.yaml"), FAILING_CASE).unwrap();
    let passing = FAILING_CASE
        .replace("ACME010", "ACME011")
        .replace("closed-accounts", "closed-accounts-2")
        .replace("line: 2", "line: 3");
    std::fs::write(two.join("ACME011.yaml"), passing).unwrap();
    let (one, two) = (one.to_str().unwrap(), two.to_str().unwrap());
    let out = sitelint(&["test-rules", one, two, one]);
    assert_eq!(out.status.code(), Some(1), "{}{}", stdout(&out), stderr(&out));
    assert_eq!(
        stdout(&out).lines().filter(|l| l.starts_with("ACME")).collect::<Vec<_>>(),
        ["ACME010 closed-accounts: FAILED (0 of 1 passed)", "ACME011 closed-accounts-2: ok (1 of 1 passed)"],
    );
    assert!(stdout(&out).trim_end().ends_with("1 passed, 1 failed"), "{}", stdout(&out));
}

#[test]
fn a_rule_failing_at_run_time_is_reported_once_and_the_others_still_run() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("ACME020.yaml"),
        r#"code: ACME020
name: confluence-users
severity: info
summary: Users with a Confluence role.
url: https://wiki.acme.example/ACME020
for_each: users
when: item.roles["confluence"] == "user"
message: "{{ item }} uses Confluence"
help: Nothing to do.
at: item
"#,
    )
    .unwrap();
    let out = sitelint(&[
        "check",
        "snapshots/example",
        "--rules",
        dir.path().to_str().unwrap(),
        "--color",
        "never",
    ]);
    assert_eq!(out.status.code(), Some(2), "a rule that could not run makes the check incomplete");
    let err = stderr(&out);
    assert_eq!(err.matches("rule ACME020 failed on").count(), 1, "{err}");
    assert!(err.contains("8 more: No such key: confluence"), "{err}");
    assert!(err.contains("ACME020.yaml:7:7"), "{err}");
    // The built-in rules' findings are still reported.
    assert!(stdout(&out).contains("PS001(portal-customers-cannot-browse)"));

    // An error that quotes each item is still one error for the expression.
    let rule = std::fs::read_to_string(dir.path().join("ACME020.yaml")).unwrap();
    let rule =
        rule.replace(r#"when: item.roles["confluence"] == "user""#, r#"when: item.account_id + 1 == "x""#);
    std::fs::write(dir.path().join("ACME020.yaml"), rule).unwrap();
    let out = sitelint(&[
        "check",
        "snapshots/example",
        "--rules",
        dir.path().to_str().unwrap(),
        "--color",
        "never",
    ]);
    let err = stderr(&out);
    assert_eq!(err.matches("rule ACME020 failed on").count(), 1, "{err}");
    assert!(err.contains("more; on `alice.ng@acme.com`: `add` does not apply to \"712020:"), "{err}");
    assert!(err.contains("\" and 1"), "{err}");
}

#[test]
fn access_answers_the_field_report_question_first() {
    let seed = "snapshots/seeds/000-agents-cannot-add-customers";
    let out = sitelint(&["access", seed, "--user", "JORDAN.lee@bluefin.io", "--project", "sup"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let first = text.lines().next().unwrap();
    assert!(
        first.starts_with("jordan.lee@bluefin.io cannot be added to SUP as a customer by an agent"),
        "{first}"
    );
    assert!(text.contains("(AC001)") && text.contains("(UA006)"), "{text}");
    let json = sitelint(&["access", seed, "--user", "jordan.lee@bluefin.io", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(json["projects"][0]["key"], "SUP");
}

#[test]
fn access_json_gives_every_fact_the_same_keys() {
    // No customer_access section: the facts from its defaults are written nowhere.
    let dir = tempfile::tempdir().unwrap();
    let site = "users:\n  - {account_id: \"qm:1\", email: a@b.com, account_type: customer}\n\
                projects:\n  - {key: HELP, type: service_desk, service_desk: {customers: [a@b.com]}}\n";
    std::fs::write(dir.path().join("site.yaml"), site).unwrap();
    let out = sitelint(&["access", dir.path().to_str().unwrap(), "--user", "a@b.com", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let facts: Vec<&serde_json::Value> = json["projects"][0]["answers"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|answer| answer["facts"].as_array().unwrap())
        .collect();
    for fact in &facts {
        // serde_json keeps keys sorted.
        let keys: Vec<&String> = fact.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["column", "effect", "file", "line", "rule", "text"], "{fact}");
    }
    assert!(facts.iter().any(|f| f["file"].is_null() && f["line"].is_null()), "{facts:#?}");
    assert!(facts.iter().any(|f| f["file"].is_string() && f["line"].is_number()), "{facts:#?}");
}

#[test]
fn access_to_an_unknown_user_or_project_is_a_usage_error_with_a_suggestion() {
    let project =
        sitelint(&["access", "snapshots/example", "--user", "bob.martins@acme.com", "--project", "HLEP"]);
    assert_eq!(project.status.code(), Some(2));
    assert!(stderr(&project).contains("did you mean HELP?"), "{}", stderr(&project));
    let user = sitelint(&["access", "snapshots/example", "--user", "bob.martin@acme.com"]);
    assert_eq!(user.status.code(), Some(2));
    assert!(stderr(&user).contains("bob.martins@acme.com"), "{}", stderr(&user));
}

#[cfg(target_os = "linux")]
use std::process::Stdio;

/// Runs sitelint in `dir` with stdout and stderr going where given.
#[cfg(target_os = "linux")]
fn sitelint_to(dir: &std::path::Path, args: &[&str], stdout: Stdio, stderr: Stdio) -> Option<i32> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sitelint"));
    cmd.args(args).current_dir(dir).stdout(stdout).stderr(stderr);
    cmd.status().expect("sitelint runs").code()
}

/// `/dev/full`: every write to it fails with "no space left on device".
#[cfg(target_os = "linux")]
fn full() -> Stdio {
    std::fs::OpenOptions::new().write(true).open("/dev/full").expect("/dev/full").into()
}

/// Notes, warnings and `--stats` that cannot be written to stderr are
/// dropped, never a panic (exit 101): the exit code is the report's.
#[cfg(target_os = "linux")]
#[test]
fn a_stderr_that_cannot_be_written_changes_no_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("snap")).unwrap();
    // An unknown key (SL002) to baseline, and a file that does not parse,
    // so --write-baseline has its note and its warning to print.
    std::fs::write(dir.path().join("snap/a.yaml"), "site:\n  name: x\n  bogus: 1\n").unwrap();
    std::fs::write(dir.path().join("snap/b.yaml"), "site: [\n").unwrap();
    let check = |extra: &[&str]| {
        let args: Vec<&str> = ["check", "snap", "--no-config"].iter().chain(extra).copied().collect();
        sitelint_to(dir.path(), &args, Stdio::null(), full())
    };
    // SL001 fails the run, baseline written or not.
    assert_eq!(check(&["--write-baseline", "base.json"]), Some(1));
    assert_eq!(check(&["--write-baseline", "base.json", "--stats"]), Some(1));
    // The file that does not parse is reported whatever the baseline says.
    assert_eq!(check(&["--baseline", "base.json"]), Some(1));
    assert_eq!(check(&["--stats"]), Some(1));
    let rule = sitelint_to(dir.path(), &["rule", "XX000"], Stdio::null(), full());
    assert_eq!(rule, Some(2));
    let access = ["access", "snap", "--no-config", "--user", "nobody@example.com"];
    assert_eq!(sitelint_to(dir.path(), &access, Stdio::null(), full()), Some(2));
}

/// A report that cannot be written to stdout exits 2 and says why on
/// stderr: CI shows more than a bare exit code.
#[cfg(target_os = "linux")]
#[test]
fn a_stdout_that_cannot_be_written_is_an_error_that_says_why() {
    let root = std::env::current_dir().unwrap();
    for args in
        [&["check", "snapshots/example"][..], &["check", "snapshots/example", "--format", "json"], &["rules"]]
    {
        let out = Command::new(env!("CARGO_BIN_EXE_sitelint"))
            .args(args)
            .current_dir(&root)
            .stdout(full())
            .output()
            .expect("sitelint runs");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = stderr(&out);
        assert!(
            err.contains("error: cannot write the output to stdout: No space left on device"),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn output_dash_is_standard_output() {
    let dir = tempfile::tempdir().unwrap();
    let example = std::env::current_dir().unwrap().join("snapshots/example");
    let run = |extra: &[&str]| {
        let mut args = vec!["check", example.to_str().unwrap(), "--format", "json"];
        args.extend(extra);
        Command::new(env!("CARGO_BIN_EXE_sitelint")).args(&args).current_dir(dir.path()).output().unwrap()
    };
    let dash = run(&["--output", "-"]);
    assert_eq!(dash.status.code(), Some(1));
    assert_eq!(stdout(&dash), stdout(&run(&[])));
    assert!(!dir.path().join("-").exists(), "no file named -");
}

#[test]
fn rule_explains_the_built_in_checks_too() {
    let out = sitelint(&["rule", "sl100"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with(
            "SL100 unused-suppression (warning)\n\nA suppression in the config file that hides nothing."
        ),
        "{text}"
    );
    assert!(text.contains("another suppression of the same code and entity"), "{text}");
    let typo = sitelint(&["rule", "SL01"]);
    assert_eq!(typo.status.code(), Some(2));
    assert!(stderr(&typo).contains("no rule SL01 (did you mean SL001?)"), "{}", stderr(&typo));
}

#[test]
fn the_runs_own_report_and_baseline_in_the_snapshot_folder_are_not_linted() {
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("snap");
    std::fs::create_dir(&snap).unwrap();
    for file in ["users.yaml", "projects"] {
        let from = std::path::Path::new("snapshots/example").join(file);
        if from.is_dir() {
            std::fs::create_dir(snap.join(file)).unwrap();
            for entry in std::fs::read_dir(&from).unwrap() {
                let entry = entry.unwrap();
                std::fs::copy(entry.path(), snap.join(file).join(entry.file_name())).unwrap();
            }
        } else {
            std::fs::copy(&from, snap.join(file)).unwrap();
        }
    }
    let folder = snap.to_str().unwrap();
    let baseline = snap.join("sitelint-baseline.json");
    let report = snap.join("report.json");
    let (baseline, report) = (baseline.to_str().unwrap(), report.to_str().unwrap());
    let write = sitelint(&["check", folder, "--write-baseline", baseline]);
    assert_eq!(write.status.code(), Some(0), "{}", stderr(&write));
    let first = sitelint(&["check", folder, "--baseline", baseline, "--format", "json", "--output", report]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    // Run again: neither file is read as a snapshot file (no SL002).
    let again = sitelint(&["check", folder, "--baseline", baseline, "--format", "json", "--output", report]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(report).unwrap()).unwrap();
    assert_eq!(json["findings"].as_array().unwrap().len(), 0, "{json}");
    // Without the flags that name them, they are snapshot files like any other.
    let plain = sitelint(&["check", folder, "--format", "json"]);
    assert!(stdout(&plain).contains("SL002"), "{}", stdout(&plain));
}

/// A rule that fails on its example is explained without it, and the
/// failure is an error (exit 2): "no findings" under "this snapshot
/// triggers it" hid it.
#[test]
fn a_rule_failing_on_its_example_is_an_error_of_rule() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("ACME002.yaml"),
        "code: ACME002\nname: lead-outside\nseverity: warning\nsummary: A lead from outside.\n\
         url: https://example.com/acme\nhelp: Change the lead.\nmessage: m\nfor_each: projects\n\
         when: int(item.key) > 0\nat: item\n\
         tests:\n  - name: a key\n    snapshot: \"projects: [{key: A, name: Alpha, type: software}]\"\n    \
         expect: [{code: ACME002, line: 1}]\n",
    )
    .unwrap();
    let out = sitelint(&["rule", "ACME002", "--no-config", "--rules", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("ACME002 lead-outside (warning)"), "{}", stdout(&out));
    assert!(!stdout(&out).contains("Example"), "{}", stdout(&out));
    assert!(stderr(&out).contains("rule ACME002 failed on `A`"), "{}", stderr(&out));
}

/// A config-as-code repository keeps its rule folder beside the snapshot
/// files: the rules are not snapshot files, whether the config file or
/// `--rules` names the folder.
#[test]
fn rule_folders_in_the_snapshot_folder_are_not_linted() {
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path();
    std::fs::copy("snapshots/example/users.yaml", snap.join("users.yaml")).unwrap();
    std::fs::create_dir(snap.join("sitelint-rules")).unwrap();
    std::fs::write(
        snap.join("sitelint-rules/ACME001.yaml"),
        "code: ACME001\nname: inactive-user\nseverity: warning\nsummary: An inactive account.\n\
         url: https://example.com/acme\nhelp: Remove it.\nmessage: \"{{ item.email }} is inactive\"\n\
         for_each: users\nwhen: \"!item.active\"\nat: item\n",
    )
    .unwrap();
    std::fs::write(snap.join(".sitelint.yaml"), "rules: [sitelint-rules]\n").unwrap();
    let folder = snap.to_str().unwrap();
    let config = snap.join(".sitelint.yaml");
    let by_config = sitelint(&["check", folder, "--config", config.to_str().unwrap(), "--format", "json"]);
    let by_flag = sitelint(&["check", folder, "--no-config", "--rules", &format!("{folder}/sitelint-rules")]);
    for out in [&by_config, &by_flag] {
        assert_eq!(out.status.code(), Some(1), "{}", stderr(out));
        assert!(!stdout(out).contains("SL002"), "{}", stdout(out));
        assert!(stdout(out).contains("ACME001"), "{}", stdout(out));
    }
    let json: serde_json::Value = serde_json::from_str(&stdout(&by_config)).unwrap();
    assert_eq!(json["summary"]["files"], 1, "{json}");
    // Without the rules, the folder is read like any other.
    let plain = sitelint(&["check", folder, "--no-config", "--format", "json"]);
    assert!(stdout(&plain).contains("SL002"), "{}", stdout(&plain));
}

/// Every item a rule can be about has a name for suppressions and
/// baselines, and reads as it in a message: never `<map>`.
#[test]
fn custom_rules_name_channels_sites_and_holders() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("site.yaml"),
        "site: { url: null }\n\
         groups: [{ name: jira-admins }]\n\
         permission_schemes:\n  \
           - { id: 1, name: S, permissions: [{ permission: BROWSE_PROJECTS, holder: { type: group, parameter: jira-admins } }] }\n\
         projects:\n  \
           - { key: HELP, type: service_desk, service_desk: { email_channels: [{ address: help@acme.com }, {}] } }\n  \
           - { key: HR, type: service_desk, service_desk: { email_channels: [{ address: help@acme.com }] } }\n",
    )
    .unwrap();
    let out = sitelint(&[
        "check",
        dir.path().to_str().unwrap(),
        "--rules",
        "tests/fixtures/rule-cases",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "only info findings: {}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let found: Vec<(String, String, String)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| ["CHAN1", "SITE1", "GRANT1"].contains(&f["code"].as_str().unwrap()))
        .map(|f| {
            let text = |key: &str| f[key].as_str().unwrap().to_string();
            (text("code"), text("entity"), text("message"))
        })
        .collect();
    let expected = [
        ("SITE1", "site", "site has no url"),
        (
            "GRANT1",
            "S: BROWSE_PROJECTS to group jira-admins",
            "BROWSE_PROJECTS is granted to group jira-admins",
        ),
        ("CHAN1", "HELP: help@acme.com", "HELP: help@acme.com takes requests for HELP"),
        ("CHAN1", "HELP: email_channels[1]", "HELP: email_channels[1] takes requests for HELP"),
        ("CHAN1", "HR: help@acme.com", "HR: help@acme.com takes requests for HR"),
    ];
    let expected: Vec<(String, String, String)> =
        expected.iter().map(|(c, e, m)| (c.to_string(), e.to_string(), m.to_string())).collect();
    assert_eq!(found, expected);
}

/// A place the load-time check cannot see in a message (in a list) is a
/// run-time error of the rule, never Rust's debug text in the message.
#[test]
fn a_place_in_a_message_is_a_rule_error_not_debug_text() {
    let rules = tempfile::tempdir().unwrap();
    std::fs::write(
        rules.path().join("PLACE1.yaml"),
        "code: PLACE1\nname: place\nseverity: warning\nsummary: s\nurl: https://example.com\n\
         for_each: customer_access\nwhen: item.internal\n\
         message: \"set at {{ [value_of(item, 'internal')] }}\"\nhelp: h\nat: item\n",
    )
    .unwrap();
    let snapshot = tempfile::tempdir().unwrap();
    std::fs::write(snapshot.path().join("site.yaml"), "customer_access: { internal: true }\n").unwrap();
    let out = sitelint(&[
        "check",
        snapshot.path().to_str().unwrap(),
        "--rules",
        rules.path().to_str().unwrap(),
        "--color",
        "never",
    ]);
    let (out, err) = (stdout(&out), stderr(&out));
    assert!(!out.contains("Place(") && !err.contains("Place("), "{out}{err}");
    assert!(err.contains("rule PLACE1 failed on `customer_access`"), "{err}");
    assert!(err.contains("a place in the snapshot cannot be shown in a message"), "{err}");
}

/// Values a message shows read as CEL writes them, never as Rust's debug text.
#[test]
fn a_message_shows_types_and_bytes_as_text() {
    let rules = tempfile::tempdir().unwrap();
    std::fs::write(
        rules.path().join("SHOW1.yaml"),
        "code: SHOW1\nname: show\nseverity: info\nsummary: s\nurl: https://example.com\n\
         for_each: projects\nwhen: 'true'\n\
         message: \"{{ type(item.key) }} {{ type(1) }} {{ b'ab' }} {{ [1, 'x'] }}\"\nhelp: h\nat: item\n",
    )
    .unwrap();
    let out = sitelint(&[
        "check",
        "snapshots/example/projects/DEV.yaml",
        "--rules",
        rules.path().to_str().unwrap(),
        "--select",
        "SHOW1",
        "--format",
        "json",
    ]);
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&out)).unwrap_or_else(|e| panic!("{e}: {}", stderr(&out)));
    assert_eq!(json["findings"][0]["message"], "string int ab 1, x", "{json}");
}
