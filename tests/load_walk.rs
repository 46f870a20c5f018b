//! The loader end to end: which files a snapshot folder holds, in which
//! order, what diagnostics call them, and the errors that stop a run.

use std::fs;
use std::path::{Path, PathBuf};

use sitelint::load::{ByteSize, Limits, LoadError, LoadOptions, Loaded, load_path, load_path_with};
use sitelint::source::{FileId, LineCol, Span};
use sitelint::tree::Value;

/// A scratch folder removed when dropped, unique per test and process.
struct Scratch(PathBuf);

impl Scratch {
    fn new(test: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("sitelint-load-{test}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("create scratch folder");
        Scratch(dir)
    }

    fn write(&self, relative: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let path = self.0.join(relative);
        fs::create_dir_all(path.parent().expect("has a parent")).expect("create folder");
        fs::write(&path, content).expect("write file");
        path
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn load(path: &Path) -> Loaded {
    match load_path(path) {
        Ok(loaded) => loaded,
        Err(error) => panic!("{} should load: {error:?}", path.display()),
    }
}

fn load_err(path: &Path) -> LoadError {
    match load_path(path) {
        Ok(loaded) => panic!("{} should not load: {loaded:?}", path.display()),
        Err(error) => error,
    }
}

fn relatives(loaded: &Loaded) -> Vec<&str> {
    loaded.sources.iter().map(|(_, file)| file.relative.as_str()).collect()
}

#[test]
fn a_folder_is_read_in_byte_wise_relative_path_order() {
    let dir = Scratch::new("order");
    for name in [
        "a/b.yaml",
        "a.yaml",
        "B.yaml",
        "c.yml",
        "d.json",
        ".x.yaml",
        ".hidden/c.yaml",
        "notes.txt",
        "e.YAML",
    ] {
        let content = if name.ends_with(".json") { "{\"users\": []}" } else { "users: []\n" };
        dir.write(name, content);
    }
    let loaded = load(dir.path());
    // '.' (0x2E) sorts before '/' (0x2F), and 'B' before 'a'.
    assert_eq!(relatives(&loaded), ["B.yaml", "a.yaml", "a/b.yaml", "c.yml", "d.json"]);
    let paths: Vec<_> = loaded.sources.iter().map(|(_, f)| f.path.clone()).collect();
    assert_eq!(paths[2], dir.path().join("a").join("b.yaml"));
    let ids: Vec<_> = loaded.documents.iter().map(|d| d.file).collect();
    assert_eq!(ids, (0..5).map(FileId).collect::<Vec<_>>());
    assert!(loaded.findings.is_empty(), "{:?}", loaded.findings);
    // Not read, but named for a warning: the spec's `*.yaml` is byte-wise.
    assert_eq!(loaded.unread, ["e.YAML"]);
}

#[test]
fn display_paths_join_the_path_argument() {
    let root = Path::new("tests/fixtures/load/basic");
    let loaded = load(root);
    assert_eq!(relatives(&loaded), ["empty.yml", "site.yaml", "users/alice.json"]);
    assert_eq!(loaded.sources.path(FileId(1)), Path::new("tests/fixtures/load/basic/site.yaml"));
    assert_eq!(loaded.sources.path(FileId(2)), Path::new("tests/fixtures/load/basic/users/alice.json"));
    // The empty file is SL001 at 1:1; the others are documents.
    assert_eq!(loaded.findings.len(), 1);
    let finding = &loaded.findings[0];
    assert_eq!(
        (finding.code(), finding.primary.file, finding.primary.span),
        ("SL001", FileId(0), Span::new(0, 0))
    );
    assert_eq!(finding.message(), "empty file: a snapshot file must hold a mapping of sections");
    assert_eq!(loaded.documents.iter().map(|d| d.file).collect::<Vec<_>>(), [FileId(1), FileId(2)]);
    // The JSON file went through the JSON parser: its spans are byte spans.
    let alice = loaded.sources.get(FileId(2));
    let Value::Map(entries) = &loaded.documents[1].root.value else { panic!("not a mapping") };
    let Value::Seq(users) = &entries[0].value.value else { panic!("not a list") };
    let Value::Map(fields) = &users[0].value else { panic!("not a mapping") };
    let email = &fields[1].value;
    assert_eq!(&alice.text[email.span.start()..email.span.end()], "\"zoë@acme.com\"");
    assert_eq!(alice.line_col(email.span.end()), LineCol { line: 1, column: 56 });
}

#[test]
fn the_root_folder_is_read_even_when_hidden() {
    let dir = Scratch::new("hidden-root");
    dir.write(".snapshot/users.yaml", "users: []\n");
    let loaded = load(&dir.path().join(".snapshot"));
    assert_eq!(relatives(&loaded), ["users.yaml"]);
}

#[test]
fn a_single_file_is_read_whatever_its_extension() {
    let dir = Scratch::new("single");
    let text = dir.write(".export.txt", "users: []\n");
    let loaded = load(&text);
    assert_eq!(relatives(&loaded), [".export.txt"]);
    assert_eq!(loaded.sources.path(FileId(0)), text);
    assert_eq!(loaded.documents.len(), 1);
    // `.json` picks the strict JSON parser: a trailing comma is SL001.
    let json = dir.write("site.json", "{\"users\": [],}");
    let loaded = load(&json);
    assert_eq!(loaded.findings.len(), 1);
    assert_eq!(loaded.findings[0].message(), "invalid JSON: trailing commas are not allowed");
    assert_eq!(loaded.findings[0].primary.span, Span::new(12, 13));
}

#[test]
fn syntax_errors_are_findings_and_the_file_is_skipped() {
    let dir = Scratch::new("syntax");
    dir.write("a.yaml", "users:\n  - account_id: x\n   bad: [\n");
    dir.write("b.yaml", "groups: []\n");
    let loaded = load(dir.path());
    assert_eq!(loaded.documents.iter().map(|d| d.file).collect::<Vec<_>>(), [FileId(1)]);
    let finding = &loaded.findings[0];
    assert_eq!(
        (finding.code(), finding.name(), finding.primary.file),
        ("SL001", "invalid-syntax", FileId(0))
    );
    assert!(finding.message().text().starts_with("invalid YAML: "), "{}", finding.message());
    let at = loaded.sources.get(FileId(0)).line_col(finding.primary.span.start());
    assert_eq!(at, LineCol { line: 3, column: 4 });
}

#[test]
fn a_byte_order_mark_is_stripped_and_crlf_kept() {
    let dir = Scratch::new("bom");
    dir.write("a.yaml", "\u{feff}site:\r\n  name: acme\r\n");
    let loaded = load(dir.path());
    let file = loaded.sources.get(FileId(0));
    assert_eq!(&*file.text, "site:\r\n  name: acme\r\n");
    let Value::Map(entries) = &loaded.documents[0].root.value else { panic!("not a mapping") };
    assert_eq!(entries[0].key.span, Span::new(0, 4));
    let Value::Map(site) = &entries[0].value.value else { panic!("not a mapping") };
    assert_eq!(site[0].value.span, Span::new(15, 19));
    assert_eq!(file.line_col(site[0].value.span.start()), LineCol { line: 2, column: 9 });
}

#[test]
fn non_utf8_content_is_an_error_naming_the_file_and_offset() {
    let dir = Scratch::new("utf8");
    dir.write("a.yaml", "users: []\n");
    let bad = dir.write("b.yaml", b"site:\n  name: caf\xe9\n");
    match load_err(dir.path()) {
        LoadError::NotUtf8 { path, offset } => assert_eq!((path, offset), (bad, 17)),
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn a_missing_path_is_an_error() {
    let dir = Scratch::new("missing");
    let missing = dir.path().join("nope");
    match load_err(&missing) {
        LoadError::NotFound { path } => assert_eq!(path, missing),
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn nothing_to_lint_is_an_error() {
    let dir = Scratch::new("nothing");
    dir.write("notes.txt", "users: []\n");
    dir.write(".hidden.yaml", "users: []\n");
    match load_err(dir.path()) {
        LoadError::NothingToLint { reason, .. } => {
            assert_eq!(reason, "no *.yaml, *.yml or *.json files found")
        }
        other => panic!("unexpected {other:?}"),
    }
    // A file read but for the case of its extension is named.
    dir.write("Users.JSON", "{}");
    dir.write("sub/groups.Yml", "groups: []\n");
    match load_err(dir.path()) {
        LoadError::NothingToLint { reason, .. } => assert_eq!(
            reason,
            "no *.yaml, *.yml or *.json files found (Users.JSON and 1 more not read: snapshot file \
             extensions are .yaml, .yml and .json, in lower case)"
        ),
        other => panic!("unexpected {other:?}"),
    }
    dir.write("a.yaml", "# to do\n");
    dir.write("b.json", "  \n");
    match load_err(dir.path()) {
        LoadError::NothingToLint { path, reason } => {
            assert_eq!((path.as_path(), reason.as_str()), (dir.path(), "every snapshot file is empty"));
        }
        other => panic!("unexpected {other:?}"),
    }
    // One file with content, even broken content, is something to lint.
    dir.write("c.yaml", "users: [\n");
    let loaded = load(dir.path());
    assert_eq!(loaded.findings.len(), 3);
    assert!(loaded.documents.is_empty());
}

#[test]
fn error_messages_name_the_path() {
    let dir = Scratch::new("messages");
    let missing = dir.path().join("nope");
    assert_eq!(load_err(&missing).to_string(), format!("{} does not exist", missing.display()));
    let bad = dir.write("a.yaml", b"\xff");
    assert_eq!(
        load_err(&bad).to_string(),
        format!("{} is not UTF-8: invalid byte at offset 0", bad.display())
    );
}

#[cfg(unix)]
#[test]
fn a_symlink_loop_is_an_error() {
    let dir = Scratch::new("loop");
    dir.write("snap/a.yaml", "users: []\n");
    std::os::unix::fs::symlink(dir.path().join("snap"), dir.path().join("snap/again")).expect("symlink");
    match load_err(&dir.path().join("snap")) {
        LoadError::SymlinkLoop { path, ancestor } => {
            assert_eq!((path, ancestor), (dir.path().join("snap/again"), dir.path().join("snap")));
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[cfg(unix)]
#[test]
fn a_broken_link_is_an_error_unless_it_would_be_skipped() {
    let dir = Scratch::new("broken-link");
    dir.write("snap/a.yaml", "users: []\n");
    let link = |name: &str, target: &str| {
        std::os::unix::fs::symlink(target, dir.path().join("snap").join(name)).expect("symlink")
    };
    // An editor's lock file, and a link that is no snapshot file: skipped.
    link(".#a.yaml", "someone@host.1234");
    link("notes.txt", "missing.txt");
    assert_eq!(relatives(&load(&dir.path().join("snap"))), ["a.yaml"]);
    // A snapshot file, or a folder of them, that is not there: an error.
    for name in ["users.yaml", "projects"] {
        link(name, "gone");
        match load_err(&dir.path().join("snap")) {
            LoadError::BrokenLink { path, target } => {
                assert_eq!((path, target), (dir.path().join("snap").join(name), PathBuf::from("gone")));
            }
            other => panic!("unexpected {other:?}"),
        }
        fs::remove_file(dir.path().join("snap").join(name)).expect("remove link");
    }
    // Named on the command line.
    link("b.yaml", "gone");
    let error = load_err(&dir.path().join("snap/b.yaml"));
    assert_eq!(
        error.to_string(),
        format!(
            "{} is a symbolic link to gone, which does not exist",
            dir.path().join("snap/b.yaml").display()
        )
    );
}

#[test]
fn limits_are_findings_on_the_file_that_crosses_them() {
    let dir = Scratch::new("limits");
    dir.write("a.yaml", "users:\n  - account_id: u1\n  - account_id: u10\n");
    // 45 bytes, the size limit.
    dir.write("b.json", "{\"groups\": [{\"name\": \"g\", \"members\": [[1]]}]}");
    dir.write("c.yaml", "users: []\n");
    let limits = Limits { max_file_size: ByteSize(45), max_depth: 3, ..Limits::default() };
    let loaded = match load_path_with(dir.path(), &LoadOptions { limits, ..LoadOptions::default() }) {
        Ok(loaded) => loaded,
        Err(error) => panic!("should load: {error:?}"),
    };
    let found: Vec<_> =
        loaded.findings.iter().map(|f| (f.primary.file, f.primary.span, f.message().to_string())).collect();
    assert_eq!(
        found,
        [
            (FileId(0), Span::new(0, 0), limits.file_too_big(Some(46))),
            // The fourth level: the list in `members`.
            (FileId(1), Span::new(37, 38), limits.too_deep()),
        ]
    );
    // The file over the size limit was not read; the other two still count.
    assert_eq!(&*loaded.sources.get(FileId(0)).text, "");
    assert_eq!(loaded.documents.iter().map(|d| d.file).collect::<Vec<_>>(), [FileId(2)]);
}

#[test]
fn the_observers_hear_of_every_file() {
    use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
    let dir = Scratch::new("observers");
    dir.write("a.yaml", "users: []\n");
    dir.write("b/c.json", "{}");
    dir.write("d.yaml", "");
    let (found, files, bytes) = (AtomicUsize::new(0), AtomicU64::new(0), AtomicU64::new(0));
    let on_found = |n: usize| {
        found.fetch_add(n, Ordering::Relaxed);
    };
    let on_file = |n: u64| {
        files.fetch_add(1, Ordering::Relaxed);
        bytes.fetch_add(n, Ordering::Relaxed);
    };
    let options =
        LoadOptions { on_found: Some(&on_found), on_file: Some(&on_file), ..LoadOptions::default() };
    assert!(load_path_with(dir.path(), &options).is_ok());
    assert_eq!((found.into_inner(), files.into_inner(), bytes.into_inner()), (3, 3, 12));
}

#[cfg(unix)]
#[test]
fn symlinked_files_and_folders_are_followed() {
    let dir = Scratch::new("links");
    dir.write("elsewhere/users.yaml", "users: []\n");
    dir.write("snap/site.yaml", "site: {name: acme}\n");
    std::os::unix::fs::symlink(dir.path().join("elsewhere"), dir.path().join("snap/more")).expect("symlink");
    let loaded = load(&dir.path().join("snap"));
    assert_eq!(relatives(&loaded), ["more/users.yaml", "site.yaml"]);
}

#[test]
fn ids_and_findings_do_not_depend_on_the_thread_count() {
    let dir = Scratch::new("threads");
    for i in 0..60 {
        let content = if i % 7 == 0 { format!("users: [{i}\n") } else { format!("users: [u{i}]\n") };
        dir.write(&format!("part{}/{i:02}.yaml", i % 3), content);
    }
    let run = |threads| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("thread pool");
        let loaded = pool.install(|| load(dir.path()));
        let files: Vec<_> = loaded.sources.iter().map(|(id, f)| (id, f.relative.clone())).collect();
        (files, loaded.documents, loaded.findings)
    };
    let one = run(1);
    assert_eq!(one.0.len(), 60);
    assert_eq!(one.0[1], (FileId(1), "part0/03.yaml".to_string()));
    assert_eq!(one.2.len(), 9);
    for threads in [2, 8] {
        assert_eq!(run(threads), one, "{threads} threads");
    }
}
