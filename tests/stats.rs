//! `check --stats` and the progress bar, on the built binary: the stats go to
//! stderr and leave the report as it is; they count the example's files and
//! entities exactly, list every phase and every rule that ran, slowest rule
//! first; the progress bar shows only on a terminal, never with --quiet, and
//! is gone when the check ends.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const EXAMPLE: &str = "snapshots/example";

/// Phases a check goes through, in order, as `--stats` names them.
const PHASES: [&str; 8] = ["setup", "read+decode", "model", "view", "rules", "filter", "report", "total"];

fn sitelint(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sitelint"));
    cmd.args(args)
        .env_remove("NO_COLOR")
        .env_remove("COLUMNS")
        .env("SITELINT_TIMESTAMP", "2026-11-20T10:00:00");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("sitelint runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// What `--stats` printed, parsed.
#[derive(Debug)]
struct Printed {
    /// `name value` lines above the tables (`files`, `entities`, ...), with
    /// continuation lines joined.
    facts: BTreeMap<String, String>,
    /// Phase name, milliseconds and peak memory in MB, in printed order.
    phases: Vec<(String, f64, f64)>,
    /// Rule code, for_each, items, findings and milliseconds, in printed order.
    rules: Vec<(String, String, usize, usize, f64)>,
    /// The line under the rule table.
    footer: String,
}

fn millis(cell: &str) -> f64 {
    cell.strip_suffix(" ms")
        .and_then(|ms| ms.trim().parse().ok())
        .unwrap_or_else(|| panic!("not a time: {cell:?}"))
}

/// Parses the stats at the end of stderr.
fn parse(stderr: &str) -> Printed {
    let start = stderr.find("stats\n").unwrap_or_else(|| panic!("no stats in {stderr:?}"));
    let mut lines = stderr[start..].lines().skip(1).peekable();
    let mut facts = BTreeMap::new();
    let mut last = String::new();
    while let Some(line) = lines.next_if(|l| !l.trim_start().starts_with("phase ")) {
        if line.starts_with("            ") {
            let value: &mut String = facts.get_mut(&last).unwrap();
            *value += " ";
            *value += line.trim();
            continue;
        }
        let (name, value) = line.trim().split_once(' ').unwrap();
        last = name.to_string();
        facts.insert(last.clone(), value.trim().to_string());
    }
    lines.next(); // the phase header
    let mut phases = Vec::new();
    while let Some(line) = lines.next_if(|l| !l.trim_start().starts_with("rule ")) {
        match line.split_whitespace().collect::<Vec<_>>()[..] {
            [name, time, "ms", peak, "MB"] => {
                phases.push((name.to_string(), millis(&format!("{time} ms")), peak.parse().unwrap()))
            }
            // Where the system does not say.
            [name, time, "ms", "-"] => {
                phases.push((name.to_string(), millis(&format!("{time} ms")), f64::NAN))
            }
            _ => panic!("not a phase line: {line:?}"),
        }
    }
    assert_eq!(
        lines.next().map(str::split_whitespace).map(Iterator::collect::<Vec<_>>),
        Some(vec!["rule", "for_each", "items", "findings", "time", "share"])
    );
    let mut rules = Vec::new();
    let mut footer = String::new();
    for line in lines {
        let cells: Vec<&str> = line.split_whitespace().collect();
        match cells[..] {
            [code, each, items, findings, time, "ms", share] if share.ends_with('%') => rules.push((
                code.to_string(),
                each.to_string(),
                items.parse().unwrap(),
                findings.parse().unwrap(),
                millis(&format!("{time} ms")),
            )),
            _ => {
                assert!(footer.is_empty(), "one line after the rules: {line:?}");
                footer = line.trim().to_string();
            }
        }
    }
    Printed { facts, phases, rules, footer }
}

/// The built-in rules' codes, as `sitelint rules` lists them, without the
/// built-in snapshot checks (SL), which are not rules.
fn builtin_codes() -> Vec<String> {
    let out = sitelint(&["rules", "--format", "json", "--no-config"], &[]);
    let rules: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut codes: Vec<String> = rules
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap().to_string())
        .filter(|code| !code.starts_with("SL"))
        .collect();
    codes.sort();
    codes
}

fn check_with_stats(args: &[&str]) -> (Output, Printed) {
    let mut all = vec!["check", "--no-config", "--stats"];
    all.extend(args);
    let out = sitelint(&all, &[]);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", text(&out.stderr));
    let printed = parse(&text(&out.stderr));
    (out, printed)
}

#[test]
fn the_report_is_the_same_bytes_with_and_without_stats_in_every_format() {
    for format in ["json", "sarif", "human", "junit", "github"] {
        let base = ["check", EXAMPLE, "--no-config", "--format", format, "--color", "never"];
        let plain = sitelint(&base, &[]);
        let with_stats = sitelint(&[&base[..], &["--stats"]].concat(), &[]);
        assert_eq!(plain.status.code(), Some(1), "{format}: {}", text(&plain.stderr));
        assert_eq!(with_stats.status.code(), Some(1), "{format}");
        assert!(!plain.stdout.is_empty(), "{format}");
        assert!(plain.stdout == with_stats.stdout, "{format}: --stats changed the report");
        assert_eq!(text(&plain.stderr), "", "{format}");
        assert!(text(&with_stats.stderr).starts_with("stats\n"), "{format}: {}", text(&with_stats.stderr));
        assert!(!text(&with_stats.stdout).contains(" ms"), "{format}: timings leaked into the report");
    }
}

#[test]
fn stats_with_output_file_leave_the_file_as_without() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.sarif"), dir.path().join("b.sarif"));
    let args = |file: &Path| {
        ["check", EXAMPLE, "--no-config", "--format", "sarif", "--output", file.to_str().unwrap()]
            .map(str::to_string)
    };
    let plain = Command::new(env!("CARGO_BIN_EXE_sitelint")).args(args(&a)).output().unwrap();
    let stats = Command::new(env!("CARGO_BIN_EXE_sitelint")).args(args(&b)).arg("--stats").output().unwrap();
    assert_eq!((plain.stdout.len(), stats.stdout.len()), (0, 0));
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    assert!(text(&stats.stderr).starts_with("stats\n"));
}

#[test]
fn every_phase_is_timed_in_order_and_adds_up_to_the_total() {
    let (_, printed) = check_with_stats(&[EXAMPLE]);
    let names: Vec<&str> = printed.phases.iter().map(|(name, ..)| name.as_str()).collect();
    assert_eq!(names, PHASES);
    let (parts, total) = printed.phases.split_at(PHASES.len() - 1);
    let sum: f64 = parts.iter().map(|(_, ms, _)| ms).sum();
    // Each part is rounded to a microsecond.
    assert!((sum - total[0].1).abs() < 0.001 * PHASES.len() as f64, "{sum} vs {}", total[0].1);
    assert!(printed.phases.iter().all(|(_, ms, _)| *ms >= 0.0));
    assert!(total[0].1 > 0.0);
}

/// Peak memory (Linux only) is a high-water mark: it never goes down from
/// phase to phase, and the total is the last phase's.
#[cfg(target_os = "linux")]
#[test]
fn every_phase_shows_the_peak_memory_so_far() {
    let (_, printed) = check_with_stats(&[EXAMPLE]);
    let peaks: Vec<f64> = printed.phases.iter().map(|(_, _, mb)| *mb).collect();
    assert!(peaks.windows(2).all(|w| w[0] <= w[1]), "{peaks:?}");
    assert!(peaks[0] > 0.0, "{peaks:?}");
    assert_eq!(peaks.last(), peaks.get(peaks.len() - 2));
}

#[test]
fn every_rule_that_ran_is_listed_once_slowest_first() {
    let (out, printed) = check_with_stats(&[EXAMPLE, "--format", "json"]);
    let mut codes: Vec<String> = printed.rules.iter().map(|r| r.0.clone()).collect();
    codes.sort();
    assert_eq!(codes, builtin_codes());
    assert_eq!(codes.len(), 30);
    let times: Vec<f64> = printed.rules.iter().map(|r| r.4).collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "not slowest first: {times:?}");
    // Ties (same printed time) are in code order.
    for pair in printed.rules.windows(2) {
        if pair[0].4 == pair[1].4 {
            assert!(pair[0].0 < pair[1].0, "{pair:?}");
        }
    }

    // Items are the sizes of the rules' collections in the example.
    let rule = |code: &str| printed.rules.iter().find(|r| r.0 == code).unwrap().clone();
    let items = |code: &str| {
        let r = rule(code);
        (r.1, r.2)
    };
    assert_eq!(items("PS001"), ("permission_schemes".into(), 3));
    assert_eq!(items("PS007"), ("grants".into(), 148));
    assert_eq!(items("AC003"), ("users".into(), 13));
    assert_eq!(items("CH001"), ("service_projects".into(), 2));
    assert_eq!(items("CH002"), ("organizations".into(), 2));
    assert_eq!(items("UA005"), ("approved_domains".into(), 2));
    assert_eq!(items("UA001"), ("user_invites".into(), 3));
    assert_eq!(items("CA005"), ("customer_access".into(), 1));
    assert_eq!(items("AC005"), ("role_actors".into(), 7));
    assert_eq!(items("AC001"), ("customer_refs".into(), 6));
    // Rules without items took no time; the one with the most took some (a
    // rule with an item or two can take under the half microsecond printed).
    assert!(printed.rules.iter().all(|r| r.2 > 0 || r.4 == 0.0), "{:?}", printed.rules);
    assert!(rule("PS007").4 > 0.0, "{:?}", rule("PS007"));

    // Findings per rule are the report's (no config: nothing is filtered).
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut reported: BTreeMap<String, usize> = BTreeMap::new();
    for finding in report["findings"].as_array().unwrap() {
        *reported.entry(finding["code"].as_str().unwrap().to_string()).or_default() += 1;
    }
    let found: BTreeMap<String, usize> =
        printed.rules.iter().filter(|r| r.3 > 0).map(|r| (r.0.clone(), r.3)).collect();
    assert_eq!(found, reported);
    assert_eq!(
        found.keys().map(String::as_str).collect::<Vec<_>>(),
        ["AC001", "AC003", "CH001", "PS001", "PS007", "UA005"]
    );

    // 7 rules over 148 grants, 9 over 3 schemes, 2 over 13 users, ...
    let all_items: usize = printed.rules.iter().map(|r| r.2).sum();
    assert_eq!(
        printed.footer,
        format!(
            "30 rules, {all_items} items evaluated; a rule's time is the time its items took, added up over the threads"
        )
    );
}

#[test]
fn the_example_is_counted_exactly() {
    let (_, printed) = check_with_stats(&[EXAMPLE]);
    let bytes: u64 = walk(Path::new(EXAMPLE)).iter().map(|f| f.metadata().unwrap().len()).sum();
    assert_eq!(printed.facts["files"], format!("9 ({bytes} bytes)"));
    // Counted in the files:
    // users.yaml: 7 Acme staff, 2 partners, 4 portal-only customers;
    // groups.yaml: 4 groups; roles.yaml: 5 project roles;
    // schemes.json: 3 schemes with 148 grants (136 projectRole holders, 1
    // group holder, 11 holders without a parameter);
    // projects/: DEV, HELP, HR, the last two service projects, each with one
    // email channel; organizations.yaml: Contoso, Globex.
    // References: 137 grant holders naming a role or group; 9 group members;
    // 3 permission_scheme, 3 lead; role actors: DEV 2 groups, HELP 1 user and
    // 1 group, HR 3 users; HELP's 2 customers and 2 organizations;
    // 4 organization members: 137 + 9 + 6 + 7 + 4 + 4 = 167.
    assert_eq!(
        printed.facts["entities"],
        "13 users, 4 groups, 5 project roles, 3 permission schemes, 148 grants, \
         3 projects (2 service projects), 2 organizations, 2 email channels, 167 references"
    );
    assert_eq!(printed.facts["findings"], "6 reported, 0 suppressed, 0 known from the baseline");
    assert!(printed.facts["threads"].parse::<usize>().unwrap() >= 1);
}

#[test]
fn threads_are_the_thread_pool_s() {
    let out = sitelint(&["check", EXAMPLE, "--no-config", "--stats"], &[("RAYON_NUM_THREADS", "3")]);
    assert_eq!(parse(&text(&out.stderr)).facts["threads"], "3");
}

#[test]
fn findings_count_what_suppressions_and_the_baseline_left_out() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("sitelint.yaml");
    std::fs::write(
        &config,
        "suppressions:\n  - code: CH001\n    entity: HR\n    reason: HR is restricted on purpose\n",
    )
    .unwrap();
    let baseline = dir.path().join("base.json");
    // A baseline of the findings left after the suppression: 5.
    let config = config.to_str().unwrap();
    let written = sitelint(
        &["check", EXAMPLE, "--config", config, "--write-baseline", baseline.to_str().unwrap(), "--stats"],
        &[],
    );
    assert_eq!(written.status.code(), Some(0), "{}", text(&written.stderr));
    let stderr = text(&written.stderr);
    assert!(
        stderr.starts_with(&format!("wrote 5 findings to baseline {}\nstats\n", baseline.display())),
        "{stderr}"
    );
    let printed = parse(&stderr);
    assert_eq!(printed.facts["findings"], "5 reported, 1 suppressed, 0 known from the baseline");
    let names: Vec<&str> = printed.phases.iter().map(|(name, ..)| name.as_str()).collect();
    assert_eq!(names, ["setup", "read+decode", "model", "view", "rules", "filter", "baseline", "total"]);

    let out = sitelint(
        &["check", EXAMPLE, "--config", config, "--baseline", baseline.to_str().unwrap(), "--stats"],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with("baseline: 5 known findings not shown, 0 baseline entries fixed\nstats\n"),
        "{stderr}"
    );
    assert_eq!(parse(&stderr).facts["findings"], "0 reported, 1 suppressed, 5 known from the baseline");
}

#[test]
fn deselected_rules_are_not_listed() {
    let (_, printed) = check_with_stats(&[EXAMPLE, "--select", "PS001,AC"]);
    let codes: Vec<&str> = printed.rules.iter().map(|r| r.0.as_str()).collect();
    let mut sorted = codes.clone();
    sorted.sort();
    assert_eq!(sorted, ["AC001", "AC002", "AC003", "AC004", "AC005", "AC006", "PS001"]);
}

#[test]
fn a_custom_rule_is_timed_with_the_built_in_ones() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("acme.yaml"),
        r#"code: ACME001
name: staff-outside-acme
severity: info
summary: Accounts whose email is not at acme.com.
url: https://wiki.acme.com/jsm/accounts
for_each: users
when: item.account_type == "atlassian" && !item.email.endsWith("@acme.com")
message: "{{ item }} is not an acme.com account"
help: Check who this is.
at: item
"#,
    )
    .unwrap();
    let (_, printed) = check_with_stats(&[EXAMPLE, "--rules", dir.path().to_str().unwrap()]);
    // Dana Whitfield (globex.com) and Priya Shah (contoso.com) have Atlassian accounts.
    let acme = printed.rules.iter().find(|r| r.0 == "ACME001").expect("ACME001 is listed");
    assert_eq!((acme.1.as_str(), acme.2, acme.3), ("users", 13, 2));
    assert!(acme.4 > 0.0);
    assert_eq!(printed.rules.len(), 31);
    assert!(printed.footer.starts_with("31 rules, "), "{}", printed.footer);
}

/// No progress bar where it can't be drawn or isn't wanted: stderr piped
/// (as here) has no carriage return or escape sequence, even when the bar
/// would appear at once, and `--quiet` leaves stderr empty.
#[test]
fn no_progress_bar_on_a_pipe_and_quiet_silences_notes() {
    let now = [("SITELINT_PROGRESS_DELAY_MS", "0"), ("TERM", "xterm-256color")];
    for args in [&["check", EXAMPLE, "--no-config"][..], &["check", EXAMPLE, "--no-config", "--quiet"]] {
        let out = sitelint(args, &now);
        assert_eq!(out.status.code(), Some(1));
        assert_eq!(text(&out.stderr), "", "{args:?}");
    }
    let with_stats = sitelint(&["check", EXAMPLE, "--no-config", "--stats"], &now);
    let stderr = text(&with_stats.stderr);
    assert!(!stderr.contains(['\r', '\x1b']), "{stderr:?}");

    // --quiet drops the notes, keeps what was asked for (--stats).
    let dir = tempfile::tempdir().unwrap();
    let baseline = dir.path().join("base.json");
    let baseline = baseline.to_str().unwrap();
    let write = sitelint(&["check", EXAMPLE, "--no-config", "--write-baseline", baseline, "-q"], &now);
    assert_eq!((write.status.code(), text(&write.stderr).as_str()), (Some(0), ""));
    let quiet = sitelint(&["check", EXAMPLE, "--no-config", "--baseline", baseline, "--quiet"], &now);
    assert_eq!((quiet.status.code(), text(&quiet.stderr).as_str()), (Some(0), ""));
    let loud = sitelint(&["check", EXAMPLE, "--no-config", "--baseline", baseline], &now);
    assert_eq!(text(&loud.stderr), "baseline: 6 known findings not shown, 0 baseline entries fixed\n");
    let stats =
        sitelint(&["check", EXAMPLE, "--no-config", "--baseline", baseline, "--quiet", "--stats"], &now);
    assert!(text(&stats.stderr).starts_with("stats\n"), "{}", text(&stats.stderr));
}

/// Errors are printed with --quiet, and the bar never hides them.
#[test]
fn quiet_still_prints_errors() {
    let out = sitelint(&["check", "does/not/exist", "--no-config", "--quiet"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("does/not/exist does not exist"), "{}", text(&out.stderr));
}

#[cfg(unix)]
mod terminal {
    //! stderr on a pseudo-terminal (Python's `pty`, which the tests already
    //! need): what a person at a terminal sees.

    use super::*;

    /// Runs sitelint with stderr on a 24x120 terminal and stdout discarded;
    /// returns what the terminal received.
    fn on_terminal(args: &[&str], env: &[(&str, &str)]) -> Vec<u8> {
        const SCRIPT: &str = r#"
import fcntl, os, pty, struct, subprocess, sys, termios
master, slave = pty.openpty()
fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))
child = subprocess.Popen(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=slave)
os.close(slave)
received = b""
while True:
    try:
        chunk = os.read(master, 65536)
    except OSError:
        break
    if not chunk:
        break
    received += chunk
child.wait()
sys.stdout.buffer.write(received)
"#;
        let mut cmd = Command::new("python3");
        cmd.arg("-c").arg(SCRIPT).arg(env!("CARGO_BIN_EXE_sitelint")).args(args);
        cmd.env_remove("NO_COLOR").env("TERM", "xterm-256color");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().expect("python3 runs");
        assert!(out.status.success(), "{}", text(&out.stderr));
        out.stdout
    }

    /// The text left on a terminal after `bytes`: the escape sequences
    /// console/indicatif use (cursor up/down/left/right, clear line, colors,
    /// cursor visibility) applied, blank lines at the end dropped.
    fn screen(bytes: &[u8]) -> Vec<String> {
        let text = text(bytes);
        let mut lines: Vec<Vec<char>> = vec![Vec::new()];
        let (mut row, mut col) = (0usize, 0usize);
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\r' => col = 0,
                '\n' => row += 1,
                '\x1b' => {
                    assert_eq!(chars.next(), Some('['), "{text:?}");
                    let mut params = String::new();
                    while let Some(p) = chars.next_if(|p| p.is_ascii_digit() || *p == ';' || *p == '?') {
                        params.push(p);
                    }
                    let n = params.parse::<usize>().unwrap_or(1);
                    match chars.next() {
                        Some('A') => row = row.saturating_sub(n),
                        Some('B') => row += n,
                        Some('C') => col += n,
                        Some('D') => col = col.saturating_sub(n),
                        Some('K') if params == "2" => lines[row].clear(),
                        Some('K') => lines[row].truncate(col),
                        Some('m' | 'h' | 'l') => {}
                        other => panic!("unexpected escape {params:?} {other:?} in {text:?}"),
                    }
                }
                c => {
                    let line = &mut lines[row];
                    if line.len() <= col {
                        line.resize(col + 1, ' ');
                    }
                    line[col] = c;
                    col += 1;
                }
            }
            if lines.len() <= row {
                lines.resize(row + 1, Vec::new());
            }
        }
        let mut lines: Vec<String> =
            lines.into_iter().map(|l| l.into_iter().collect::<String>().trim_end().to_string()).collect();
        while lines.last().is_some_and(String::is_empty) {
            lines.pop();
        }
        lines
    }

    const PHASE_MESSAGES: [&str; 6] = [
        "loading the rules",
        "reading the snapshot",
        "building the model of 9 files",
        "preparing the rules' view",
        "running 30 rules",
        "selecting the findings",
    ];

    #[test]
    fn the_bar_shows_phases_and_is_gone_before_the_stats() {
        let received = on_terminal(
            &["check", EXAMPLE, "--no-config", "--stats"],
            &[("SITELINT_PROGRESS_DELAY_MS", "0")],
        );
        let raw = text(&received);
        assert!(PHASE_MESSAGES.iter().any(|m| raw.contains(m)), "no phase shown: {raw:?}");
        assert!(raw.contains("\x1b[2K"), "the bar is cleared: {raw:?}");
        // The terminal shows the stats and nothing of the bar.
        let screen = screen(&received);
        assert_eq!(screen.first().map(String::as_str), Some("stats"), "{screen:#?}");
        assert!(screen.iter().all(|l| !PHASE_MESSAGES.iter().any(|m| l.contains(m))), "{screen:#?}");
        assert!(screen.last().unwrap().starts_with("  30 rules, "), "{screen:#?}");
    }

    #[test]
    fn quiet_shows_no_bar_on_a_terminal() {
        let received = on_terminal(
            &["check", EXAMPLE, "--no-config", "--quiet"],
            &[("SITELINT_PROGRESS_DELAY_MS", "0")],
        );
        assert_eq!(text(&received), "");
    }

    #[test]
    fn a_check_quicker_than_the_delay_draws_nothing() {
        // One small file and the default delay of a second.
        let received = on_terminal(&["check", "tests/fixtures/cli/warning-only.yaml", "--no-config"], &[]);
        assert_eq!(text(&received), "");
    }

    #[test]
    fn a_dumb_terminal_gets_no_bar() {
        let received = on_terminal(
            &["check", EXAMPLE, "--no-config"],
            &[("SITELINT_PROGRESS_DELAY_MS", "0"), ("TERM", "dumb")],
        );
        assert_eq!(text(&received), "");
    }
}

/// The snapshot files below `dir` (none of the example's are hidden).
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml" || e == "json") {
            files.push(path);
        }
    }
    files
}
