//! Hostile and broken input never crashes, hangs or lies (issue 7, the
//! loader's half): every kind of bad file gets its own clear, located
//! error and the right exit code; the limits on files hold and say how to
//! raise them; every output format reports the same findings; a run never
//! writes to the snapshot; and, as properties over generated input, no text
//! makes the snapshot or rule-file loaders panic or point outside the file.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use proptest::prelude::*;
use serde_json::Value as Json;

/// A temporary folder to run sitelint in; snapshots go in `snap/`.
struct Dir(tempfile::TempDir);

/// One run of the binary.
#[derive(Debug)]
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// A finding as the JSON output has it: code, line, column, message.
type Seen = (String, u64, u64, String);

impl Dir {
    fn new() -> Dir {
        Dir(tempfile::tempdir().expect("temporary folder"))
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.0.path().join(relative)
    }

    fn write(&self, relative: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(relative);
        fs::create_dir_all(path.parent().expect("has a parent")).expect("create folder");
        fs::write(&path, content).expect("write file");
        path
    }

    /// Copies a folder of the repository (`snapshots/example`) to `to`.
    fn copy(&self, from: &str, to: &str) {
        copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join(from), &self.path(to));
    }

    /// Runs sitelint in this folder, with nothing from the caller's
    /// environment that changes the output.
    fn run(&self, args: &[&str]) -> Run {
        self.run_with(Command::new(env!("CARGO_BIN_EXE_sitelint")), args).expect("sitelint runs")
    }

    /// `command` (sitelint, or what runs it) with `args` as [`Dir::run`]
    /// runs sitelint; `None` when it does not start.
    fn run_with(&self, mut command: Command, args: &[&str]) -> Option<Run> {
        command.args(args).current_dir(self.0.path());
        for var in ["NO_COLOR", "COLUMNS", "SITELINT_TODAY", "SITELINT_TIMESTAMP"] {
            command.env_remove(var);
        }
        let out = command.output().ok()?;
        Some(Run {
            code: out.status.code(),
            stdout: String::from_utf8(out.stdout).expect("UTF-8 stdout"),
            stderr: String::from_utf8(out.stderr).expect("UTF-8 stderr"),
        })
    }

    /// [`Dir::run`] as user and group 65534 (nobody), for a root who reads
    /// every file whatever its mode; `None` when setpriv cannot do that
    /// here (not installed, or the binary is out of nobody's reach).
    #[cfg(unix)]
    fn run_as_nobody(&self, args: &[&str]) -> Option<Run> {
        use std::os::unix::fs::PermissionsExt;
        // A temporary folder is its owner's only.
        fs::set_permissions(self.0.path(), fs::Permissions::from_mode(0o755)).expect("chmod");
        let run = |args: &[&str]| {
            let mut setpriv = Command::new("setpriv");
            setpriv.args([
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                env!("CARGO_BIN_EXE_sitelint"),
            ]);
            self.run_with(setpriv, args)
        };
        run(&["--version"]).filter(|run| run.code == Some(0))?;
        run(args)
    }

    /// `check PATH --format json ARGS`.
    fn check(&self, path: &str, args: &[&str]) -> Run {
        let all: Vec<&str> = ["check", path, "--format", "json"].iter().chain(args).copied().collect();
        self.run(&all)
    }
}

impl Run {
    fn json(&self) -> Json {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("{e}: {}\n{}", self.stdout, self.stderr))
    }

    /// Every finding of a JSON report.
    fn findings(&self) -> Vec<Seen> {
        let json = self.json();
        let findings = json["findings"].as_array().expect("findings");
        findings
            .iter()
            .map(|f| {
                let text = |key: &str| f[key].as_str().expect("a string").to_string();
                let number = |key: &str| f[key].as_u64().expect("a number");
                (text("code"), number("line"), number("column"), text("message"))
            })
            .collect()
    }

    /// Asserts the run stopped as unusable (exit 2, nothing on stdout) with
    /// this error.
    fn unusable(&self, error: &str) {
        assert_eq!((self.code, self.stdout.as_str()), (Some(2), ""), "{}", self.stderr);
        assert!(self.stderr.contains(&format!("× {error}\n")), "no {error:?} in:\n{}", self.stderr);
    }
}

fn seen(code: &str, line: u64, column: u64, message: &str) -> Seen {
    (code.to_string(), line, column, message.to_string())
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("create folder");
    for entry in fs::read_dir(from).expect("read folder") {
        let entry = entry.expect("folder entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).expect("copy file");
        }
    }
}

const TAB: &str = "YAML does not allow a tab here; indent and separate with spaces";
const EMPTY: &str = "empty file: a snapshot file must hold a mapping of sections";

// Bad input: each case its own message, place and exit code.

#[test]
fn a_non_utf8_file_stops_the_run_naming_the_file_and_offset() {
    let dir = Dir::new();
    dir.write("snap/a.yaml", "users: []\n");
    dir.write("snap/b.yaml", b"site:\n  name: caf\xe9\n");
    dir.check("snap", &[]).unusable("snap/b.yaml is not UTF-8: invalid byte at offset 17");
    // UTF-16, as some Windows tools export it, with its byte order mark or
    // without (then valid UTF-8, NULs between the characters).
    dir.write("snap/b.yaml", b"\xff\xfes\x00i\x00");
    dir.check("snap", &[]).unusable("snap/b.yaml is UTF-16 text, not UTF-8");
    dir.write("snap/b.yaml", b"");
    dir.write("snap/c.json", b"{\x00\"\x00u\x00");
    dir.check("snap", &[]).unusable("snap/c.json is UTF-16 text, not UTF-8");
}

#[test]
fn a_byte_order_mark_does_not_shift_columns() {
    let dir = Dir::new();
    dir.write("snap/a.yaml", "\u{feff}site:\n  name: acme\n  bogus: 1\n");
    dir.write("snap/b.json", "\u{feff}{\"customer_access\": {\"signups\": \"allow\"}}");
    let run = dir.check("snap", &[]);
    assert_eq!(run.code, Some(0), "warnings only: {}", run.stderr);
    assert_eq!(
        run.findings(),
        [
            seen("SL002", 3, 3, "unknown key `bogus` in `site`"),
            seen("SL002", 1, 22, "unknown key `signups` in `customer_access`"),
        ]
    );
    let human = dir.run(&["check", "snap", "--color", "never"]);
    assert!(human.stdout.contains("[snap/a.yaml:3:3]"), "{}", human.stdout);
}

#[test]
fn crlf_line_endings_keep_lines_and_columns() {
    let dir = Dir::new();
    dir.write("snap/a.yaml", "site:\r\n  name: acme\r\n  bogus: 1\r\nusers: [\r\n");
    dir.write("snap/b.yaml", "site:\r\n  name: acme\r\n  bogus: 1\r\n");
    dir.write("snap/c.json", "{\r\n  \"users\": [],\r\n  \"grups\": []\r\n}\r\n");
    let run = dir.check("snap", &[]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert_eq!(
        run.findings(),
        [
            // Where the text ends, on its last character: line 5 has nothing to show.
            seen(
                "SL001",
                4,
                8,
                "invalid YAML: did not find expected node content (while parsing a node) at the end of the file",
            ),
            seen("SL002", 3, 3, "unknown key `bogus` in `site`"),
            seen("SL002", 3, 3, "unknown key `grups` in the top level of a snapshot file"),
        ]
    );
    // The end of a span stops before the `\r`.
    let json = run.json();
    assert_eq!(
        (&json["findings"][1]["end_line"], &json["findings"][1]["end_column"]),
        (&3.into(), &8.into())
    );
}

/// A `]` or `}` left out surfaces where the parser gives up, lines later:
/// the error also points at the bracket it belongs to.
#[test]
fn an_error_inside_a_flow_collection_points_at_its_bracket() {
    let dir = Dir::new();
    dir.write("snap/a.yaml", "users:\n  - account_id: u1\n    groups: [a, b\n");
    dir.write("snap/b.yaml", "users:\n  - account_id: u1\n    groups: [a, b\n  - account_id: u2\n");
    dir.write("snap/c.yaml", "site: {name: acme\nusers: []\n");
    // Not inside one (its list closed), or the error is at the bracket.
    dir.write("snap/d.yaml", "users: [{account_id: u1}]\nbroken: : x\n");
    dir.write("snap/e.yaml", "users: [\n");
    let run = dir.check("snap", &[]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let json = run.json();
    // Each finding's line and column, and its related places'.
    type Place<'a> = (u64, u64, Vec<(u64, u64, &'a str)>);
    let places: Vec<Place> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let related = f["related"].as_array().unwrap().iter();
            let related = related.map(|r| {
                (r["line"].as_u64().unwrap(), r["column"].as_u64().unwrap(), r["message"].as_str().unwrap())
            });
            (f["line"].as_u64().unwrap(), f["column"].as_u64().unwrap(), related.collect())
        })
        .collect();
    assert_eq!(
        places,
        [
            (3, 17, vec![(3, 13, "this list is never closed")]),
            (4, 15, vec![(3, 13, "inside the list that starts here")]),
            (2, 6, vec![(1, 7, "inside the mapping that starts here")]),
            (2, 9, vec![]),
            (1, 8, vec![]),
        ]
    );
}

/// YAML 1.2 reads a lone CR (old Mac line endings) as a line break, and
/// editors show one in JSON as a line break too: every format reports the
/// lines and columns an editor shows, and the human report shows the lines.
#[test]
fn lone_cr_line_endings_break_lines_in_every_format() {
    let dir = Dir::new();
    dir.write("snap/a.yaml", "site:\r  name: acme\r  bogus: 1\r");
    dir.write("snap/b.yaml", "users:\r\t- account_id: u1\r");
    dir.write("snap/c.json", "{\r  \"users\": [],\r  \"grups\": []\r}\r");
    let run = dir.check("snap", &[]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let tab = format!("invalid YAML: tabs disallowed within this context (block indentation): {TAB}");
    let places = [(3, 3, 3, 8), (2, 1, 2, 2), (3, 3, 3, 10)];
    assert_eq!(
        run.findings(),
        [
            seen("SL002", 3, 3, "unknown key `bogus` in `site`"),
            seen("SL001", 2, 1, &tab),
            seen("SL002", 3, 3, "unknown key `grups` in the top level of a snapshot file"),
        ]
    );
    let json = run.json();
    let json_places: Vec<_> = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|finding| {
            let number = |key: &str| finding[key].as_u64().expect("a number");
            (number("line"), number("column"), number("end_line"), number("end_column"))
        })
        .collect();
    assert_eq!(json_places, places);
    let sarif: Json =
        serde_json::from_str(&dir.run(&["check", "snap", "--format", "sarif"]).stdout).expect("SARIF");
    let regions: Vec<_> = sarif["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|result| {
            let region = &result["locations"][0]["physicalLocation"]["region"];
            let number = |key: &str| region[key].as_u64().expect("a number");
            (number("startLine"), number("startColumn"), number("endLine"), number("endColumn"))
        })
        .collect();
    assert_eq!(regions, places);
    let human = dir.run(&["check", "snap", "--color", "never"]).stdout;
    for shown in [
        "[snap/a.yaml:3:3]",
        " 2 │   name: acme\n 3 │   bogus: 1\n",
        "[snap/c.json:3:3]",
        " 3 │   \"grups\": []\n",
    ] {
        assert!(human.contains(shown), "no {shown:?} in:\n{human}");
    }
    assert!(!human.contains('\r'), "{human}");
}

#[test]
fn a_tab_in_indentation_is_sl001_at_the_tab() {
    let dir = Dir::new();
    dir.write("snap/a.yaml", "site:\n\tname: acme\n");
    dir.write("snap/b.yaml", "users:\n  - account_id: u1\n\t  email: a@acme.com\n");
    dir.write("snap/c.yaml", "site:\n  name:\tacme\n");
    let run = dir.check("snap", &[]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert_eq!(
        run.findings(),
        [
            seen(
                "SL001",
                2,
                1,
                &format!("invalid YAML: tabs disallowed within this context (block indentation): {TAB}")
            ),
            seen("SL001", 3, 1, &format!("invalid YAML: found a tab (while scanning a plain scalar): {TAB}")),
            seen(
                "SL001",
                2,
                8,
                "invalid YAML: ':' must be followed by a valid YAML whitespace: the YAML parser sitelint \
                 uses takes no tab right after `:` or `-` (YAML 1.2 allows one); write a space"
            ),
        ]
    );
}

#[test]
fn a_nul_is_sl001_at_the_nul_named_not_taken_for_a_tab() {
    let dir = Dir::new();
    dir.write("snap/a.yaml", "site:\n  name: x\0y\n");
    dir.write("snap/b.yaml", "site:\n  name: \"é\0\"\n");
    dir.write("snap/c.yaml", "\0site: {}\n");
    let run = dir.check("snap", &[]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let nul = "invalid YAML: found unprintable character U+0000 (NUL): YAML does not allow it; remove it";
    assert_eq!(
        run.findings(),
        [seen("SL001", 2, 10, nul), seen("SL001", 2, 11, nul), seen("SL001", 1, 1, nul)]
    );
}

/// YAML 1.2 allows no control character but tab and line breaks (and NEL),
/// no DEL, and no U+FFFE/U+FFFF; saphyr-parser stops only at NUL and loads
/// the others as text, so they were taken silently.
#[test]
fn a_control_character_in_yaml_is_sl001_at_it_named() {
    let dir = Dir::new();
    dir.write("snap/a.yaml", "site:\n  name: \"a\u{1}b\"\n");
    dir.write("snap/b.yaml", "users:\n  - account_id: \"é\"\n    name: x\u{7f}y\n");
    dir.write("snap/c.yaml", "groups:\n  - name: a\u{85}b\u{9f}c\n");
    dir.write("snap/d.yaml", "projects: []\n# \u{ffff}\n");
    // Allowed: NEL, NBSP, a character past the BMP, a tab in a quoted string.
    dir.write("snap/e.yaml", "organizations:\n  - name: \"a\u{85}b\u{a0}c\u{1f600}\td\"\n");
    let run = dir.check("snap", &[]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let named = |code: &str| {
        format!("invalid YAML: found unprintable character U+{code}: YAML does not allow it; remove it")
    };
    assert_eq!(
        run.findings(),
        [
            seen("SL001", 2, 11, &named("0001")),
            seen("SL001", 3, 12, &named("007F")),
            seen("SL001", 2, 14, &named("009F")),
            seen("SL001", 2, 3, &named("FFFF")),
            // e.yaml loads: its organization is there to be linked to nothing.
            seen(
                "CH002",
                2,
                5,
                "Organization a\u{85}b\u{a0}c\u{1f600}\td is linked to no service project and has no members \
                 in this snapshot: it gives access to nothing.",
            ),
        ]
    );
}

/// A snapshot's control characters reach neither the terminal nor a CI
/// log as they are: an escape sequence would act there. Messages write
/// them as escapes; excerpts as `?` (`¿` for C1), keeping every column.
#[test]
fn control_characters_are_shown_not_sent_to_the_terminal() {
    let dir = Dir::new();
    dir.write(
        "snap/u.json",
        "{\"users\": [{\"account_id\": \"a\", \"status\": \"\\u001b]0;x\\u0007\\u009b2J\"}]}\n",
    );
    dir.write("snap/v.yaml", "users:\n  - account_id: \"b\u{1b}[2J\"\n");
    for format in ["human", "github"] {
        let mut command = Command::new(env!("CARGO_BIN_EXE_sitelint"));
        command.env("NO_COLOR", "1");
        let run = dir.run_with(command, &["check", "snap", "--format", format]).expect("sitelint runs");
        assert_eq!(run.code, Some(1), "{}", run.stderr);
        assert!(!run.stdout.contains(|c: char| c.is_control() && c != '\n'), "{format}: {:?}", run.stdout);
        assert!(
            run.stdout.contains("found string `\\u001b]0;x\\u0007\\u009b2J`"),
            "{format}: {}",
            run.stdout
        );
        if format == "human" {
            // The YAML's ESC, at its column: the label under `?`.
            assert!(
                run.stdout.contains("2 │   - account_id: \"b?[2J\"\n   ·                   ─"),
                "{}",
                run.stdout
            );
        }
    }
}

/// In reports read as files too: `cat report.json` in a CI log must not
/// send DEL or a C1 control (U+009B acts as ESC `[`) to the terminal.
/// serde_json writes them raw; ESC and NUL it escapes.
#[test]
fn reports_carry_no_control_characters_raw() {
    let dir = Dir::new();
    dir.write(
        "snap/u.json",
        "{\"users\": [{\"account_id\": \"a\", \"status\": \"\\u007f\\u009b2J\\u00a9\"}]}\n",
    );
    let raw = |text: &str| text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r'));
    for format in ["json", "sarif", "junit"] {
        let run = dir.run(&["check", "snap", "--format", format]);
        assert_eq!(run.code, Some(1), "{}", run.stderr);
        assert!(!raw(&run.stdout), "{format}: {:?}", run.stdout);
        // Other characters of two bytes are kept (U+00A9, ©).
        assert!(run.stdout.contains("2J©"), "{format}: {}", run.stdout);
        let escaped = if format == "junit" { "\u{fffd}\u{fffd}2J" } else { "\\u007f\\u009b2J" };
        assert!(run.stdout.contains(escaped), "{format}: {}", run.stdout);
    }
    let json = dir.check("snap", &[]).json();
    let message = json["findings"][0]["message"].as_str().expect("a message");
    assert!(message.contains("\u{7f}\u{9b}2J©"), "the JSON still reads back as the text: {message:?}");
}

/// The parsers' words name their state; the help names the mistake.
#[test]
fn common_syntax_errors_say_what_to_do() {
    let dir = Dir::new();
    let cases = [
        (
            "a.yaml",
            "site:\n  name: acme: corp\n",
            "invalid YAML: mapping values are not allowed in this context",
            "quoted",
        ),
        (
            "b.yaml",
            "users:\n  - *nope\n",
            "invalid YAML: found unknown anchor (while parsing node)",
            "anchor",
        ),
        (
            "c.yaml",
            "users:\n  - account_id: \"abc\n    email: a@b.com\n",
            "invalid YAML: invalid indentation in quoted scalar",
            "close the quote",
        ),
        ("d.json", "{\"users\": [True]}", "invalid JSON: unexpected token `True`", "lower case"),
        ("e.json", "{\"users\": [NaN]}", "invalid JSON: unexpected token `NaN`", "no NaN"),
    ];
    for (name, text, _, _) in cases {
        dir.write(&format!("snap/{name}"), text);
    }
    let run = dir.check("snap", &[]);
    let json = run.json();
    let findings = json["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), cases.len(), "{findings:#?}");
    for (finding, (name, _, message, help)) in findings.iter().zip(cases) {
        assert_eq!(finding["message"], message, "{name}");
        assert!(finding["help"].as_str().is_some_and(|h| h.contains(help)), "{name}: {finding:#?}");
    }
}

#[test]
fn an_empty_file_is_sl001_at_1_1_and_an_empty_snapshot_is_a_usage_error() {
    let dir = Dir::new();
    dir.write("snap/empty.yaml", "");
    dir.write("snap/comment.yml", "# to do\n");
    dir.write("snap/blank.json", " \r\n");
    dir.check("snap", &[]).unusable("nothing to lint in snap: every snapshot file is empty");
    dir.check("snap/empty.yaml", &[])
        .unusable("nothing to lint in snap/empty.yaml: every snapshot file is empty");
    dir.write("snap/users.yaml", "users: []\n");
    let run = dir.check("snap", &[]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert_eq!(
        run.findings(),
        [seen("SL001", 1, 1, EMPTY), seen("SL001", 1, 1, EMPTY), seen("SL001", 1, 1, EMPTY)]
    );
    let human = dir.run(&["check", "snap", "--color", "never"]);
    assert!(human.stdout.contains("[snap/empty.yaml:1:1]"), "{}", human.stdout);
}

#[test]
fn a_file_that_is_not_a_mapping_is_sl003_at_its_start() {
    let dir = Dir::new();
    dir.write("snap/list.yaml", "# users\n- account_id: u1\n- account_id: u2\n");
    dir.write("snap/list.json", "[{\"account_id\": \"u1\"}]");
    dir.write("snap/scalar.yaml", "just text\n");
    dir.write("snap/zlong.yaml", format!("{}\n", "x".repeat(100)));
    let run = dir.check("snap", &[]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let message = |found: &str| format!("the top level of a snapshot file must be a mapping, found {found}");
    assert_eq!(
        run.findings(),
        [
            seen("SL003", 1, 1, &message("list")),
            seen("SL003", 2, 1, &message("list")),
            seen("SL003", 1, 1, &message("string `just text`")),
            // A long one is quoted up to its 60th character.
            seen("SL003", 1, 1, &message(&format!("string `{}…`", "x".repeat(60)))),
        ]
    );
}

#[test]
fn a_path_that_does_not_exist_is_a_usage_error() {
    let dir = Dir::new();
    dir.check("nowhere", &[]).unusable("nowhere does not exist");
    dir.run(&["access", "nowhere", "--user", "x@acme.com"]).unusable("nowhere does not exist");
}

#[cfg(unix)]
#[test]
fn a_symlink_loop_is_a_usage_error() {
    let dir = Dir::new();
    dir.write("snap/users.yaml", "users: []\n");
    std::os::unix::fs::symlink(".", dir.path("snap/again")).expect("symlink");
    dir.check("snap", &[]).unusable("symlink loop: snap/again leads back to snap");
}

#[cfg(unix)]
#[test]
fn a_hidden_symlink_loop_is_skipped_as_hidden() {
    let dir = Dir::new();
    dir.write("snap/site.yaml", "site:\n  name: acme\n  bogus: 1\n");
    std::os::unix::fs::symlink(".", dir.path("snap/.self")).expect("symlink");
    let run = dir.check("snap", &[]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(run.findings(), [seen("SL002", 3, 3, "unknown key `bogus` in `site`")]);
}

#[cfg(unix)]
#[test]
fn a_broken_link_is_a_usage_error() {
    let dir = Dir::new();
    dir.write("snap/users.yaml", "users: []\n");
    std::os::unix::fs::symlink("../export/site.yaml", dir.path("snap/site.yaml")).expect("symlink");
    dir.check("snap", &[])
        .unusable("snap/site.yaml is a symbolic link to ../export/site.yaml, which does not exist");
    dir.check("snap/site.yaml", &[])
        .unusable("snap/site.yaml is a symbolic link to ../export/site.yaml, which does not exist");
}

#[cfg(unix)]
#[test]
fn an_unreadable_file_is_a_usage_error() {
    use std::os::unix::fs::PermissionsExt;
    let dir = Dir::new();
    dir.write("snap/users.yaml", "users: []\n");
    let secret = dir.write("snap/secret.yaml", "site: {name: acme}\n");
    fs::set_permissions(&secret, fs::Permissions::from_mode(0o000)).expect("chmod");
    if fs::read(&secret).is_ok() {
        // root reads whatever the mode says; but nobody can read
        // /proc/self/mem from its start (nothing is mapped there).
        fs::remove_file(&secret).expect("remove");
        std::os::unix::fs::symlink("/proc/self/mem", &secret).expect("symlink");
        let run = dir.check("snap", &[]);
        run.unusable("cannot read snap/secret.yaml");
        assert!(run.stderr.contains("Input/output error"), "{}", run.stderr);
        return;
    }
    let run = dir.check("snap", &[]);
    run.unusable("cannot read snap/secret.yaml");
    assert!(run.stderr.contains("Permission denied"), "{}", run.stderr);
}

#[cfg(unix)]
#[test]
fn an_unreadable_folder_is_a_usage_error_whatever_its_name() {
    use std::os::unix::fs::PermissionsExt;
    let dir = Dir::new();
    dir.write("snap/users.yaml", "users: []\n");
    // A dot in the name does not make a folder a file of another kind.
    for name in ["v12", "v1.2"] {
        dir.write(&format!("snap/{name}/site.yaml"), "site: {name: acme}\n");
        let folder = dir.path(&format!("snap/{name}"));
        fs::set_permissions(&folder, fs::Permissions::from_mode(0o000)).expect("chmod");
        let error = format!("cannot read snap/{name} in the snapshot folder");
        if fs::read_dir(&folder).is_err() {
            dir.check("snap", &[]).unusable(&error);
        } else {
            // root lists whatever the mode says: run as nobody instead.
            match dir.run_as_nobody(&["check", "snap", "--format", "json"]) {
                Some(run) => run.unusable(&error),
                None => {
                    eprintln!("skipped {name}: running as root, and setpriv cannot run sitelint as nobody")
                }
            }
        }
        fs::set_permissions(&folder, fs::Permissions::from_mode(0o755)).expect("chmod");
        fs::remove_dir_all(&folder).expect("remove folder");
    }
}

#[test]
fn a_folder_named_like_a_snapshot_file_is_walked_into() {
    let dir = Dir::new();
    dir.write("snap/users.yaml/part.yaml", "users: [\n");
    let run = dir.check("snap", &[]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert_eq!(run.json()["findings"][0]["file"], "snap/users.yaml/part.yaml");
}

/// In a rule folder too: the check waited forever on a pipe named `x.yaml`.
#[cfg(unix)]
#[test]
fn a_pipe_in_a_rule_folder_is_a_usage_error_not_waited_on() {
    let dir = Dir::new();
    dir.write("snap/users.yaml", "users: []\n");
    dir.write("rules/sub.yaml/ignored.yaml", "not read: subfolders are not rule files");
    let fifo = Command::new("mkfifo").arg(dir.path("rules/pipe.yaml")).status();
    if !fifo.is_ok_and(|status| status.success()) {
        eprintln!("skipped: mkfifo did not run");
        return;
    }
    let rules = dir.path("rules");
    let run = dir.check("snap", &["--rules", rules.to_str().unwrap()]);
    assert_eq!((run.code, run.stdout.as_str()), (Some(2), ""), "{}", run.stderr);
    let error = format!("rule file {}", rules.join("pipe.yaml").display());
    assert!(run.stderr.contains(&error), "{}", run.stderr);
    assert!(run.stderr.contains("is not a regular file (a named pipe,"), "{}", run.stderr);
}

#[cfg(unix)]
#[test]
fn a_pipe_or_device_in_the_snapshot_folder_is_a_usage_error_not_waited_on() {
    let dir = Dir::new();
    dir.write("snap/users.yaml", "users: []\n");
    // Reading a pipe with no writer would wait forever; /dev/zero never ends.
    std::os::unix::fs::symlink("/dev/zero", dir.path("snap/zero.yaml")).expect("symlink");
    dir.check("snap", &[]).unusable("snap/zero.yaml is not a regular file (a named pipe, socket or device)");
    let fifo = Command::new("mkfifo").arg(dir.path("snap/pipe.yaml")).status();
    if fifo.is_ok_and(|status| status.success()) {
        // The first in path order.
        dir.check("snap", &[])
            .unusable("snap/pipe.yaml is not a regular file (a named pipe, socket or device)");
    } else {
        eprintln!("skipped the pipe: mkfifo did not run");
    }
    // Not a snapshot file by its name: not read, as any other file.
    fs::rename(dir.path("snap/zero.yaml"), dir.path("snap/zero.dev")).expect("rename");
    let _ = fs::remove_file(dir.path("snap/pipe.yaml"));
    let run = dir.check("snap", &[]);
    assert_eq!((run.code, run.findings()), (Some(0), vec![]), "{}", run.stderr);
    assert_eq!(run.json()["summary"]["files"], 1);
    // Named on the command line, a device is read up to the size limit.
    let run = dir.check("snap/zero.dev", &["--max-file-size", "1KB"]);
    let message = limit_message(
        "file too big: more than the max-file-size limit of 1000 bytes; reading stopped there",
        "max-file-size",
        "SIZE",
        "",
    );
    assert_eq!((run.code, run.findings()), (Some(1), vec![seen("SL001", 1, 1, &message)]), "{}", run.stderr);
}

// Limits: each from the config file and from a flag, the flag winning.

/// The SL001 each limit gives, as the JSON output has it.
/// Minified JSON, as exports often are: a whole file on one line. The
/// human report shows a window of the line around each label, with the
/// file's own line and column; a label past column 65,535 made miette
/// panic, and every label printed the whole line.
#[test]
fn a_finding_far_along_a_minified_line_shows_a_window_of_it() {
    let dir = Dir::new();
    let users: Vec<String> =
        (0..2000).map(|i| format!(r#"{{"account_id":"u{i}","email":"user{i}@acme.com"}}"#)).collect();
    let text = format!(r#"{{"users":[{},{{"account_id":"u-last","account_id":"u-x"}}]}}"#, users.join(","));
    dir.write("snap/users.json", &text);
    let column = text.rfind(r#""account_id""#).expect("the key") as u64 + 1;
    assert!(column > 65_535);
    let json = dir.check("snap", &[]);
    assert_eq!(json.code, Some(1), "{}", json.stderr);
    let twice = "key `account_id` is written twice; the first value is used";
    assert_eq!(json.findings(), [seen("SL004", 1, column, twice)]);
    let human = dir.run(&["check", "snap"]);
    assert_eq!(human.code, Some(1), "{}", human.stderr);
    assert!(human.stdout.contains(&format!("[snap/users.json:1:{column}]")), "{}", human.stdout);
    // The end of the line, cut at its start to fit 100 columns.
    let window = human.stdout.lines().find(|l| l.starts_with(" 1 │ …")).expect("the line, cut");
    assert!(window.ends_with(r#"{"account_id":"u-last","account_id":"u-x"}]}"#), "{window}");
    assert!(window.chars().count() <= 100 && window.len() > 60, "{window}");
    assert!(human.stdout.contains("first written here"), "{}", human.stdout);
    assert!(human.stdout.len() < 3_000, "the whole line is printed:\n{}", &human.stdout[..3_000]);
    // However wide the terminal says it is: a window past column 65,535
    // made miette panic too.
    for columns in ["40", "70000"] {
        let wide = Command::new(env!("CARGO_BIN_EXE_sitelint"))
            .args(["check", "snap"])
            .current_dir(dir.path(""))
            .env("COLUMNS", columns)
            .env_remove("NO_COLOR")
            .output()
            .expect("sitelint runs");
        let stdout = String::from_utf8_lossy(&wide.stdout);
        assert_eq!(
            wide.status.code(),
            Some(1),
            "COLUMNS={columns}: {}",
            String::from_utf8_lossy(&wide.stderr)
        );
        assert!(stdout.contains(&format!("[snap/users.json:1:{column}]")), "COLUMNS={columns}: {stdout}");
        assert!(stdout.len() < 3_000, "COLUMNS={columns}: {stdout}");
    }
}

/// An error in a rule file on a long line is shown the same way, from a
/// window of the line (it made miette panic past column 65,535 too).
#[test]
fn a_rule_file_error_far_along_a_long_line_shows_a_window_of_it() {
    let dir = Dir::new();
    dir.write("snap/a.yaml", "users: []\n");
    let when = format!("{}nope(", "true && ".repeat(10_000));
    let rule = format!(
        "code: XX001\nname: x\nseverity: error\nsummary: s\ndescription: d\nurl: https://x\n\
         for_each: users\nwhen: \"{when}\"\nmessage: m\nhelp: h\nat: item\n"
    );
    dir.write("rules/x.yaml", &rule);
    let run = dir.run(&["check", "snap", "--rules", "rules"]);
    assert_eq!((run.code, run.stdout.as_str()), (Some(2), ""), "{}", run.stderr);
    // At the last character, the `(` the expression ends on.
    let column = "when: \"".len() + when.len();
    assert!(run.stderr.contains(&format!("[rules/x.yaml:8:{column}]")), "{}", run.stderr);
    // The end of the line, cut at its start to fit 100 columns.
    let window = run.stderr.lines().find(|l| l.starts_with(" 8 │ …")).expect("the line, cut");
    assert!(window.ends_with("&& true && nope(\""), "{window}");
    assert!(window.chars().count() <= 100 && window.len() > 60, "{window}");
    assert!(run.stderr.len() < 3_000, "{}", run.stderr);
}

/// An error in the config file with two places on one long line, too far
/// apart for one window: the other is shown after it, from its own window.
#[test]
fn a_config_error_shows_both_places_far_apart_on_a_long_line() {
    let dir = Dir::new();
    dir.write("snap/a.yaml", "users: []\n");
    let codes: Vec<String> = (1..=11).map(|n| format!("PS0{n:02}")).collect();
    let ignored = [codes.join(", "), codes.join(", ")].join(", ");
    dir.write(".sitelint.yaml", format!("{{fail-on: error, ignore: [{ignored}], fail-on: warning}}\n"));
    let run = dir.run(&["check", "snap"]);
    assert_eq!((run.code, run.stdout.as_str()), (Some(2), ""), "{}", run.stderr);
    let column = "{fail-on: error, ignore: [".len() + ignored.len() + "], ".len() + 1;
    for shown in [
        format!("[.sitelint.yaml:1:{column}]"),
        "╰── written again here".to_string(),
        "☞ first written here".to_string(),
        "[.sitelint.yaml:1:2]".to_string(),
    ] {
        assert!(run.stderr.contains(&shown), "{shown}: {}", run.stderr);
    }
    // The source lines fit the width (a label's text hangs from its
    // underline, where miette puts it), and no line ends in a space.
    let source_lines = run.stderr.lines().filter(|line| line.contains(" │ "));
    assert!(
        source_lines.clone().count() == 2 && source_lines.clone().all(|line| line.chars().count() <= 100)
    );
    assert!(!run.stderr.lines().any(|line| line.ends_with(' ')), "{}", run.stderr);
}

fn limit_message(problem: &str, key: &str, value: &str, most: &str) -> String {
    format!(
        "{problem}; to allow more, set `limits: {{{key}: {value}}}` in .sitelint.yaml or pass --{key} {value}{most}"
    )
}

/// Checks `snap` with `limits:` in the config file, then with no config
/// file and the same limit as a flag; both must report `expected`. Then
/// the flag at its default wins over the file: no SL001.
fn check_limited(dir: &Dir, config: &str, flag: [&str; 2], default: &str, expected: &[Seen]) {
    dir.write(".sitelint.yaml", format!("limits:\n{config}"));
    let run = dir.check("snap", &[]);
    assert_eq!((run.code, run.findings().as_slice()), (Some(1), expected), "config: {}", run.stderr);
    let run = dir.check("snap", &["--no-config", flag[0], flag[1]]);
    assert_eq!((run.code, run.findings().as_slice()), (Some(1), expected), "flag: {}", run.stderr);
    let run = dir.check("snap", &[flag[0], default]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.findings().iter().all(|f| f.0 != "SL001"), "{:?}", run.findings());
}

#[test]
fn a_file_over_the_size_limit_is_sl001_at_1_1_and_not_read() {
    let dir = Dir::new();
    dir.write("snap/big.yaml", format!("users: []\n{}", "# padding\n".repeat(110)));
    dir.write("snap/small.yaml", "groups: []\n");
    let message = limit_message(
        "file too big: 1110 bytes, over the max-file-size limit of 1000 bytes; the file was not read",
        "max-file-size",
        "SIZE",
        "",
    );
    let flag = ["--max-file-size", "1KB"];
    check_limited(&dir, "  max-file-size: 1KB\n", flag, "256MiB", &[seen("SL001", 1, 1, &message)]);
    // Binary units.
    let run = dir.check("snap", &["--no-config", "--max-file-size", "1KiB"]);
    assert!(run.findings()[0].3.contains("over the max-file-size limit of 1 KiB"), "{:?}", run.findings());
}

#[test]
fn nesting_past_the_depth_limit_is_sl001_at_the_first_level_too_deep() {
    let dir = Dir::new();
    dir.write("snap/a.yaml", "users:\n  - account_id: u1\n    roles: {jira-software: user}\n");
    dir.write("snap/b.json", "{\"groups\": [{\"name\": \"g\", \"roles\": {\"confluence\": \"user\"}}]}");
    let message = limit_message(
        "nesting deeper than 3 levels of lists and mappings, the max-depth limit",
        "max-depth",
        "N",
        ", at most 255",
    );
    // The fourth level: `roles`' mapping in each.
    let expected = [seen("SL001", 3, 12, &message), seen("SL001", 1, 36, &message)];
    check_limited(&dir, "  max-depth: 3\n", ["--max-depth", "3"], "255", &expected);
}

/// saphyr-parser stops at the 256th level of flow nesting before the
/// loader sees the levels around it; the error is still at the first level
/// too deep, the same in YAML and JSON.
#[test]
fn deep_flow_nesting_is_sl001_at_the_first_level_too_deep() {
    let dir = Dir::new();
    let deep = format!("{}{}", "[".repeat(300), "]".repeat(300));
    dir.write("snap/a.yaml", format!("site: {deep}\n"));
    dir.write("snap/b.json", format!("{{\"site\": {deep}}}"));
    dir.write("snap/c.yaml", format!("a:\n  - {deep}\n"));
    dir.write("snap/d.yaml", format!("{deep}\n"));
    // The default is the ceiling: nothing to raise.
    let message = "nesting deeper than 255 levels of lists and mappings, the max-depth limit; no snapshot \
                   needs as deep a nesting: flatten it";
    // Level 256: the 255th bracket under a mapping, the 254th under a
    // mapping and a list, the 256th at the top.
    let run = dir.check("snap", &[]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert_eq!(
        run.findings(),
        [
            seen("SL001", 1, 261, message),
            seen("SL001", 1, 264, message),
            seen("SL001", 2, 258, message),
            seen("SL001", 1, 256, message),
        ]
    );
    // A lower limit: the fourth level.
    let run = dir.check("snap", &["--max-depth", "3"]);
    let message = limit_message(
        "nesting deeper than 3 levels of lists and mappings, the max-depth limit",
        "max-depth",
        "N",
        ", at most 255",
    );
    let expected =
        [(1, 9), (1, 12), (2, 6), (1, 4)].map(|(line, column)| seen("SL001", line, column, &message));
    assert_eq!(run.findings(), expected);
}

/// A file the fuzzer found (734 bytes of brackets, anchors, lone CRs and
/// a `%` line with a non-ASCII character): saphyr-parser's positions after
/// that line run one character late, so the place it stops at the 256th
/// level lies just past the bracket. Cut there, the text stopped at the same
/// place again, and again: the check overflowed its stack and aborted. The
/// text is now parsed again once at most, and the error is at the place
/// saphyr-parser gives (one column past the bracket, at 3:706).
#[test]
fn a_flow_limit_at_the_end_of_the_text_before_it_is_sl001_not_a_stack_overflow() {
    let dir = Dir::new();
    dir.write("snap/site.yaml", include_str!("fixtures/load/fuzzed/flow-limit-at-the-cut.yaml"));
    let run = dir.check("snap", &[]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let message = "nesting deeper than 255 levels of lists and mappings, the max-depth limit; no snapshot \
                   needs as deep a nesting: flatten it";
    assert_eq!(run.findings(), [seen("SL001", 3, 707, message)]);
}

#[test]
fn too_many_nodes_is_sl001_at_the_node_past_the_limit() {
    let dir = Dir::new();
    // The mapping, `users`, the list, then 3 nodes per user: the 11th is u3's mapping.
    dir.write("snap/a.yaml", "users:\n  - account_id: u1\n  - account_id: u2\n  - account_id: u3\n");
    let message = limit_message("more than 10 nodes in this file, the max-nodes limit", "max-nodes", "N", "");
    let expected = [seen("SL001", 4, 5, &message)];
    check_limited(&dir, "  max-nodes: 10\n", ["--max-nodes", "10"], "10000000", &expected);
}

/// Nine levels of ten aliases each: a billion nodes when expanded.
fn billion_laughs() -> String {
    let mut text = String::from("lol0: &lol0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for level in 1..10 {
        let aliases = vec![format!("*lol{}", level - 1); 10].join(", ");
        text += &format!("lol{level}: &lol{level} [{aliases}]\n");
    }
    text
}

#[test]
fn an_alias_bomb_is_sl001_at_the_alias_past_the_limit() {
    let dir = Dir::new();
    dir.write("snap/users.yaml", "users: []\n");
    dir.write("snap/bomb.yaml", billion_laughs());
    // With the default limit of a million nodes, the bomb stops at the
    // seventh alias on line 6: 246,895 nodes so far, then 111,111 a copy.
    let run = dir.check("snap", &[]);
    let default = limit_message(
        "aliases expand this file by more than 1000000 nodes, the max-alias-nodes limit (an alias bomb?)",
        "max-alias-nodes",
        "N",
        "",
    );
    assert_eq!((run.code, run.findings()), (Some(1), vec![seen("SL001", 6, 56, &default)]), "{}", run.stderr);
    // Configured lower, it stops at the second alias of level 1: 11 nodes
    // for lol0, kept once, then 11 more for each alias.
    dir.write(
        "snap/bomb.yaml",
        "lol0: &lol0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\nlol1: [*lol0, *lol0]\n",
    );
    let message = limit_message(
        "aliases expand this file by more than 30 nodes, the max-alias-nodes limit (an alias bomb?)",
        "max-alias-nodes",
        "N",
        "",
    );
    let expected = [seen("SL001", 2, 15, &message)];
    check_limited(&dir, "  max-alias-nodes: 30\n", ["--max-alias-nodes", "30"], "1000000", &expected);
}

#[test]
fn access_honours_the_limits_too() {
    let dir = Dir::new();
    dir.copy("snapshots/example", "snap");
    let args = ["access", "snap", "--user", "dana.whitfield@globex.com", "--project", "HELP"];
    let run = dir.run(&args);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(run.stderr, "");
    // Every file over the size limit: an empty site, so no service project to explain.
    dir.write(".sitelint.yaml", "limits: {max-file-size: 10}\n");
    let limited = dir.run(&args);
    assert_eq!(limited.code, Some(2), "{}", limited.stderr);
    assert!(limited.stderr.starts_with("note: the snapshot has 9 validation errors"), "{}", limited.stderr);
    let flags: Vec<&str> = args.iter().copied().chain(["--max-file-size", "1MB"]).collect();
    assert_eq!(dir.run(&flags).code, Some(0));
}

#[test]
fn a_bad_limit_flag_is_a_usage_error() {
    let dir = Dir::new();
    dir.write("snap/users.yaml", "users: []\n");
    let cases = [
        (
            "--max-depth",
            "256",
            "max-depth must be from 1 to 255 (saphyr-parser, the YAML parser, allows no deeper flow nesting), not 256",
        ),
        (
            "--max-depth",
            "0",
            "max-depth must be from 1 to 255 (saphyr-parser, the YAML parser, allows no deeper flow nesting), not 0",
        ),
        ("--max-nodes", "many", "max-nodes must be a whole number, not `many`"),
        (
            "--max-file-size",
            "1TB",
            "`1TB` is not a size: write bytes (`1000`) or a number and a unit (`64KB`, `256MiB`, `1GiB`)",
        ),
    ];
    for (flag, value, message) in cases {
        let run = dir.check("snap", &[flag, value]);
        assert_eq!(run.code, Some(2), "{flag} {value}");
        let error = format!("error: invalid value '{value}' for '{flag} <");
        assert!(run.stderr.starts_with(&error) && run.stderr.contains(message), "{}", run.stderr);
    }
}

// A rule that runs too long is stopped, so a custom rule cannot hang CI.

/// A custom rule whose condition is cubic in the size of a group: a
/// 216,000 field reads for a group of 60.
const SLOW_RULE: &str = r#"code: SLOW001
name: cubic
severity: info
summary: Compares every three members.
url: https://wiki.acme.example/SLOW001
for_each: groups
when: item.members.all(a, item.members.all(b, item.members.all(c, a.email != null)))
message: "{{ item }}"
help: None.
at: item
"#;

/// 60 users, all members of one group, each line after `indent`: SLOW_RULE's
/// condition takes 216,000 steps on them.
fn sixty_members(indent: &str) -> String {
    let users: String =
        (0..60).map(|i| format!("{indent}  - {{ account_id: u{i}, email: u{i}@acme.com }}\n")).collect();
    let members: Vec<String> = (0..60).map(|i| format!("u{i}")).collect();
    let group = format!("{indent}  - {{ name: all, members: [{}] }}\n", members.join(", "));
    format!("{indent}users:\n{users}{indent}groups:\n{group}")
}

#[test]
fn a_rule_over_its_time_limit_is_stopped_and_reported_in_its_file() {
    let dir = Dir::new();
    dir.write("snap/site.yaml", sixty_members(""));
    dir.write("rules/SLOW001.yaml", SLOW_RULE);
    let stopped = |run: Run| {
        // The other rules' findings are printed; the stopped rule's are not.
        assert_eq!(run.code, Some(2), "{}", run.stderr);
        assert!(run.findings().iter().all(|f| f.0 != "SLOW001"), "{}", run.stdout);
        let error = "× rule SLOW001 ran out of its time limit (0.001s) and was stopped: none of its";
        assert!(run.stderr.contains(error), "{}", run.stderr);
        assert!(run.stderr.contains("rules/SLOW001.yaml:7:7]"), "{}", run.stderr);
        // Shown at `when`, but the time is the whole rule's.
        assert!(run.stderr.contains("took the time together"), "{}", run.stderr);
        assert!(run.stderr.contains("--max-rule-time"), "{}", run.stderr);
    };
    stopped(dir.check("snap", &["--rules", "rules", "--max-rule-time", "0.001"]));
    dir.write(".sitelint.yaml", "limits: {max-rule-time: 0.001}\n");
    stopped(dir.check("snap", &["--rules", "rules"]));
    // The flag wins over the file; 0 is no limit, so the rule runs to the end.
    let run = dir.check("snap", &["--rules", "rules", "--max-rule-time", "0"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.findings().iter().any(|f| f.0 == "SLOW001"), "{}", run.stdout);
}

/// `test-rules` runs each case within the same limit, from the flag or,
/// testing the rules a check runs, the config file: a pre-commit hook
/// running it must not hang on a slow rule either.
#[test]
fn test_rules_stops_a_rule_over_its_time_limit() {
    let dir = Dir::new();
    let case = format!(
        "tests:\n  - name: sixty members\n    snapshot: |\n{}    expect: [{{ code: SLOW001, line: 63 }}]\n",
        sixty_members("      ")
    );
    dir.write("rules/SLOW001.yaml", format!("{SLOW_RULE}{case}"));
    let stopped = |run: Run| {
        assert_eq!(run.code, Some(1), "{}", run.stderr);
        assert!(run.stdout.contains("SLOW001 cubic: FAILED (0 of 1 passed)"), "{}", run.stdout);
        assert!(run.stdout.contains("ran out of its time limit (0.001s)"), "{}", run.stdout);
    };
    stopped(dir.run(&["test-rules", "rules", "--max-rule-time", "0.001"]));
    dir.write(".sitelint.yaml", "rules: [rules]\nlimits: {max-rule-time: 0.001}\n");
    stopped(dir.run(&["test-rules"]));
    let run = dir.run(&["test-rules", "rules", "--max-rule-time", "0"]);
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
}

#[test]
fn a_bad_rule_time_limit_is_an_error_at_its_value() {
    let dir = Dir::new();
    dir.write("snap/users.yaml", "users: []\n");
    dir.write(".sitelint.yaml", "limits:\n  max-rule-time: soon\n");
    let run = dir.check("snap", &[]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("max-rule-time must be a number of seconds, not `soon`"), "{}", run.stderr);
    assert!(run.stderr.contains(".sitelint.yaml:2:18]"), "{}", run.stderr);
    let run = dir.check("snap", &["--no-config", "--max-rule-time=-1"]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr.contains("max-rule-time must be 0 (no limit) or a positive number of seconds, not `-1`"),
        "{}",
        run.stderr
    );
    // Positive but past what a duration holds: said so, not "must be positive".
    let run = dir.check("snap", &["--no-config", "--max-rule-time=1e20"]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr.contains("max-rule-time `1e20` is more seconds than sitelint can time"),
        "{}",
        run.stderr
    );
}

// Output never loses findings: every format reports the same number.

/// The number of findings each format reports for `args`.
fn counts(dir: &Dir, path: &str) -> BTreeMap<&'static str, usize> {
    let report = |format: &str| {
        let run = dir.run(&["check", path, "--no-config", "--format", format, "--color", "never"]);
        assert!(matches!(run.code, Some(0 | 1)), "{format}: {}", run.stderr);
        run.stdout
    };
    let human = report("human");
    let headers = human
        .lines()
        .filter(|line| {
            let code_end = line.find('(').unwrap_or(0);
            code_end > 0 && line[..code_end].chars().all(|c| c.is_ascii_alphanumeric()) && line.ends_with(')')
        })
        .count();
    let summary: usize = human
        .lines()
        .last()
        .expect("a summary line")
        .split(" in ")
        .next()
        .expect("counts")
        .split(", ")
        .filter_map(|part| part.split(' ').next()?.parse::<usize>().ok())
        .sum();
    let json: Json = serde_json::from_str(&report("json")).expect("JSON");
    let sarif: Json = serde_json::from_str(&report("sarif")).expect("SARIF");
    let junit = report("junit");
    let junit = roxmltree::Document::parse(&junit).expect("JUnit XML");
    let failures = junit.descendants().filter(|n| n.has_tag_name("failure")).count();
    let github = report("github");
    let annotations = github
        .lines()
        .filter(|l| ["::error ", "::warning ", "::notice "].iter().any(|p| l.starts_with(p)))
        .count();
    BTreeMap::from([
        ("human diagnostics", headers),
        ("human summary", summary),
        ("json", json["findings"].as_array().expect("findings").len()),
        ("sarif", sarif["runs"][0]["results"].as_array().expect("results").len()),
        ("junit", failures),
        ("github", annotations),
    ])
}

#[test]
fn every_format_reports_every_finding() {
    let dir = Dir::new();
    dir.copy("snapshots/example", "example");
    dir.copy("snapshots/seeds/004-email-requests-rejected", "seed");
    // The example with broken files: SL001 to SL004 and SL006 findings too
    // (no SL005 while a file does not parse).
    dir.copy("snapshots/example", "broken");
    dir.write("broken/tab.yaml", "site:\n\tname: acme\n");
    dir.write("broken/empty.yaml", "");
    dir.write("broken/list.json", "[1]");
    dir.write("broken/more.yaml", "users:\n  - {account_id: u9, bogus: 1, groups: [nobody]}\n  - {}\n");
    for (path, at_least) in [("example", 6), ("seed", 1), ("broken", 11)] {
        let counts = counts(&dir, path);
        let json = counts["json"];
        assert!(json >= at_least, "{path}: {counts:?}");
        assert!(counts.values().all(|n| *n == json), "{path}: {counts:?}");
    }
}

// Reading is read-only.

/// Every file below `root` with its bytes and modification time.
fn contents(root: &Path) -> BTreeMap<PathBuf, (Vec<u8>, SystemTime)> {
    let mut files = BTreeMap::new();
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in fs::read_dir(&folder).expect("read folder") {
            let path = entry.expect("folder entry").path();
            if path.is_dir() {
                folders.push(path);
            } else {
                let modified = fs::metadata(&path).and_then(|m| m.modified()).expect("mtime");
                files.insert(path.clone(), (fs::read(&path).expect("read file"), modified));
            }
        }
    }
    files
}

#[test]
fn a_run_never_writes_to_the_snapshot() {
    let dir = Dir::new();
    dir.copy("snapshots/example", "snap");
    dir.write("snap/broken.yaml", "\u{feff}site:\r\n\tname: x\r\n");
    let before = contents(&dir.path("snap"));
    let runs: [&[&str]; 9] = [
        &["check", "snap", "--format", "human"],
        &["check", "snap", "--format", "json", "--stats"],
        &["check", "snap", "--format", "sarif", "--output", "out/report.sarif"],
        &["check", "snap", "--format", "junit"],
        &["check", "snap", "--format", "github"],
        &["check", "snap", "--write-baseline", "out/baseline.json"],
        &["check", "snap", "--baseline", "out/baseline.json"],
        &["check", "snap/users.yaml"],
        &["access", "snap", "--user", "dana.whitfield@globex.com"],
    ];
    for args in runs {
        let run = dir.run(args);
        assert!(matches!(run.code, Some(0 | 1)), "{args:?}: {}", run.stderr);
    }
    assert!(dir.path("out/baseline.json").is_file());
    let after = contents(&dir.path("snap"));
    assert_eq!(
        after.keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>(),
        "no file added or removed"
    );
    for (path, (bytes, modified)) in &before {
        assert!(after[path].0 == *bytes, "{} changed", path.display());
        assert_eq!(after[path].1, *modified, "{} was written", path.display());
    }
}

// Properties: whatever the input, a result or a clean error, never a panic,
// and every place inside the file on a character boundary.

mod properties {
    use super::*;
    use sitelint::finding::Finding;
    use sitelint::load::{self, Limits, LoadError, Loaded};
    use sitelint::report::{Summary, human};
    use sitelint::rules::error::RuleSource;
    use sitelint::rules::rule::Rule;
    use sitelint::source::{SourceSet, Span};

    /// Modest by default, so the suite stays quick in debug builds;
    /// `PROPTEST_CASES` runs more, `PROPTEST_RNG_SEED` replays a run.
    fn config(cases: u32) -> ProptestConfig {
        let cases = std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(cases);
        ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
    }

    /// Pieces YAML is made of, and what trips parsers up: aliases, tags,
    /// block scalars, documents, tabs, CR, a BOM, multi-byte characters.
    const YAML_PIECES: &[&str] = &[
        "users",
        "site",
        "name",
        "account_id",
        "roles",
        "groups",
        "projects",
        "key",
        "x",
        "1",
        "~",
        ":",
        ": ",
        "- ",
        "-",
        "\n",
        "\r\n",
        "\r",
        "  ",
        "    ",
        "\t",
        "[",
        "]",
        "{",
        "}",
        ", ",
        "&a ",
        "*a",
        "&b ",
        "*b",
        "!!str ",
        "!!map ",
        "!x ",
        "'",
        "\"",
        "\\",
        "# c",
        "|",
        ">-",
        "---",
        "...",
        "? ",
        "%YAML 1.2",
        "é",
        "😀",
        "\u{feff}",
        "\u{85}",
        "\u{2028}",
        "\0",
        "zoë@acme.com",
    ];

    const JSON_PIECES: &[&str] = &[
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        "\"users\"",
        "\"site\"",
        "\"name\"",
        "\"x\"",
        "\"",
        "\\",
        "\\u00e9",
        "\\ud83d",
        "1",
        "-0",
        "1e9",
        "1.5",
        "true",
        "null",
        " ",
        "\n",
        "\r\n",
        "\t",
        "é",
        "😀",
        "\u{feff}",
        "/*",
        "//",
        "\u{a0}",
        "\u{b}",
    ];

    fn pieces(alphabet: &'static [&'static str], most: usize) -> impl Strategy<Value = String> {
        prop::collection::vec(prop::sample::select(alphabet), 0..most).prop_map(|parts| parts.concat())
    }

    /// A real snapshot file with a piece inserted or a stretch removed at
    /// a character boundary: mostly valid input, broken in one place.
    fn mutated(
        files: &'static [&'static str],
        alphabet: &'static [&'static str],
    ) -> impl Strategy<Value = String> {
        (prop::sample::select(files), any::<prop::sample::Index>(), 0..8usize, prop::sample::select(alphabet))
            .prop_map(|(text, at, remove, piece)| {
                let boundaries: Vec<usize> =
                    text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
                let start = at.index(boundaries.len());
                let end = boundaries[(start + remove).min(boundaries.len() - 1)];
                let start = boundaries[start];
                format!("{}{piece}{}", &text[..start], &text[end..])
            })
    }

    const YAML_FILES: &[&str] = &[
        include_str!("../snapshots/example/site.yaml"),
        include_str!("../snapshots/example/users.yaml"),
        include_str!("../snapshots/example/groups.yaml"),
        include_str!("../snapshots/example/projects/HR.yaml"),
    ];

    const JSON_FILES: &[&str] = &[include_str!("../snapshots/example/schemes.json")];

    const RULE_FILES: &[&str] = &[
        include_str!("../rules/PS001.yaml"),
        include_str!("../rules/AC001.yaml"),
        include_str!("../rules/CH001.yaml"),
    ];

    /// Whether `span` lies in `text` with both ends on character boundaries.
    fn inside(text: &str, span: Span) -> bool {
        span.start() <= span.end() && text.is_char_boundary(span.start()) && text.is_char_boundary(span.end())
    }

    fn check_findings(sources: &SourceSet, findings: &[Finding]) -> Result<(), TestCaseError> {
        for finding in findings {
            let places = std::iter::once(finding.primary).chain(finding.related.iter().map(|r| r.location));
            for place in places {
                let text = &sources.get(place.file).text;
                prop_assert!(inside(text, place.span), "{} at {:?} in {text:?}", finding.code(), place.span);
            }
        }
        // And the human report shows them, at a width the input picks.
        let width = sources.iter().map(|(_, file)| file.text.len()).sum::<usize>() % 300;
        let summary = Summary::new(findings, sources.len());
        human::render(findings, sources, &summary, human::Style { color: false, width });
        Ok(())
    }

    /// What every load must give: nodes and findings inside their files,
    /// and a model built without a panic, its findings inside too.
    fn check_loaded(loaded: &Loaded) -> Result<(), TestCaseError> {
        for document in &loaded.documents {
            let text = &loaded.sources.get(document.file).text;
            for node in document.root.descendants() {
                prop_assert!(inside(text, node.span), "node {:?} at {:?} in {text:?}", node.value, node.span);
            }
        }
        check_findings(&loaded.sources, &loaded.findings)?;
        let (_, _, findings) = sitelint::model::build(&loaded.documents);
        check_findings(&loaded.sources, &findings)
    }

    /// Loads `bytes` as a file named `name`, as `check` reads it.
    fn load_bytes(name: &str, bytes: &[u8], limits: Limits) -> Result<(), TestCaseError> {
        let dir = tempfile::tempdir().expect("temporary folder");
        let path = dir.path().join(name);
        fs::write(&path, bytes).expect("write file");
        let options = load::LoadOptions { limits, ..load::LoadOptions::default() };
        match load::load_path_with(&path, &options) {
            Ok(loaded) => check_loaded(&loaded),
            Err(LoadError::NotUtf8 { offset, .. }) => {
                let valid = std::str::from_utf8(bytes).map_err(|e| e.valid_up_to());
                prop_assert_eq!(valid, Err(offset));
                Ok(())
            }
            Err(LoadError::NothingToLint { .. }) => Ok(()),
            Err(LoadError::Utf16 { .. }) => {
                prop_assert!(
                    matches!(
                        bytes,
                        [0xff, 0xfe, ..] | [0xfe, 0xff, ..] | [_, 0, _, 0, ..] | [0, _, 0, _, ..]
                    ),
                    "UTF-16 without its look: {bytes:?}"
                );
                Ok(())
            }
            Err(other) => Err(TestCaseError::fail(format!("unexpected {other:?}"))),
        }
    }

    /// Small limits, so that generated input crosses them too.
    fn small_limits() -> impl Strategy<Value = Limits> {
        (1..6usize, 1..40usize, 0..30usize, 0..200u64).prop_map(|(depth, nodes, alias_nodes, size)| Limits {
            max_depth: depth,
            max_nodes: nodes,
            max_alias_nodes: alias_nodes,
            max_file_size: load::ByteSize(size),
        })
    }

    proptest! {
        #![proptest_config(config(256))]

        #[test]
        fn any_bytes_load_or_fail_cleanly(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
            load_bytes("a.yaml", &bytes, Limits::default())?;
            load_bytes("a.json", &bytes, Limits::default())?;
        }

        #[test]
        fn yaml_like_text_loads_with_every_place_inside_the_file(text in pieces(YAML_PIECES, 40)) {
            match load::load_text("t.yaml", &text) {
                Ok(loaded) => check_loaded(&loaded)?,
                Err(LoadError::NothingToLint { .. }) => {}
                Err(other) => prop_assert!(false, "unexpected {other:?}"),
            }
        }

        #[test]
        fn json_like_text_loads_with_every_place_inside_the_file(text in pieces(JSON_PIECES, 40)) {
            load_bytes("t.json", text.as_bytes(), Limits::default())?;
        }

        #[test]
        fn broken_real_files_load_with_every_place_inside_the_file(
            yaml in mutated(YAML_FILES, YAML_PIECES),
            json in mutated(JSON_FILES, JSON_PIECES),
        ) {
            load_bytes("t.yaml", yaml.as_bytes(), Limits::default())?;
            load_bytes("t.json", json.as_bytes(), Limits::default())?;
        }

        #[test]
        fn any_limits_give_findings_inside_the_file(
            text in pieces(YAML_PIECES, 40),
            json in pieces(JSON_PIECES, 40),
            limits in small_limits(),
        ) {
            load_bytes("t.yaml", text.as_bytes(), limits)?;
            load_bytes("t.json", json.as_bytes(), limits)?;
        }
    }

    /// A rule file either parses, or its error points inside it.
    fn check_rule_file(text: &str) -> Result<(), TestCaseError> {
        let env = sitelint::rules::expr::env();
        let source = RuleSource { name: "r.yaml".into(), text: text.into() };
        if let Err(error) = Rule::parse(&env, source) {
            for each in std::iter::once(error.as_ref()).chain(&error.others) {
                let span = Span::new(each.span.offset(), each.span.offset() + each.span.len());
                prop_assert!(inside(text, span), "{:?} at {span:?} in {text:?}", each.message);
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(config(128))]

        #[test]
        fn yaml_like_rule_files_parse_or_fail_inside_the_file(text in pieces(YAML_PIECES, 40)) {
            check_rule_file(&text)?;
        }

        #[test]
        fn broken_real_rule_files_parse_or_fail_inside_the_file(text in mutated(RULE_FILES, YAML_PIECES)) {
            check_rule_file(&text)?;
        }
    }
}
