//! The pre-commit hook (.pre-commit-hooks.yaml) under the real pre-commit:
//! a repository that uses this checkout as its hook repository fails on a
//! snapshot with an error and passes on a clean one.
//!
//! pre-commit builds the hook with `cargo install` (a release build) the
//! first time, which takes a few minutes. Its build directory and store live
//! under the target directory, and the hook repository is content-addressed,
//! so later runs on the same sources reuse the installed hook.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// Author and committer of the hook repository's one commit: with fixed
/// metadata, the same files give the same commit.
const IDENTITY: [(&str, &str); 6] = [
    ("GIT_AUTHOR_NAME", "sitelint tests"),
    ("GIT_AUTHOR_EMAIL", "tests@sitelint.invalid"),
    ("GIT_AUTHOR_DATE", "2000-01-01T00:00:00+00:00"),
    ("GIT_COMMITTER_NAME", "sitelint tests"),
    ("GIT_COMMITTER_EMAIL", "tests@sitelint.invalid"),
    ("GIT_COMMITTER_DATE", "2000-01-01T00:00:00+00:00"),
];

fn checkout() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs git in `dir`, isolated from a repository the tests may run inside
/// (a git hook sets `GIT_DIR`), and returns its stdout.
fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .envs(IDENTITY)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .output()
        .unwrap_or_else(|e| panic!("the pre-commit tests need git: {e}"));
    assert!(
        out.status.success(),
        "git {args:?} in {}: {}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 git output")
}

/// A git repository holding this checkout's files as they are on disk,
/// committed or not (so uncommitted changes are what gets tested), in one
/// commit. It lives at `target/pre-commit/repos/<commit>`: pre-commit caches
/// a hook environment per repository and revision, so the same sources
/// reuse the hook built before. Returns the path and the commit.
fn hook_repo() -> &'static (PathBuf, String) {
    static REPO: OnceLock<(PathBuf, String)> = OnceLock::new();
    REPO.get_or_init(|| {
        let repos = support::target_dir().join("pre-commit/repos");
        std::fs::create_dir_all(&repos).expect("the target dir is writable");
        // Built aside and renamed into place, which is atomic: concurrent
        // runs never see a half-made repository.
        let staging = tempfile::tempdir_in(&repos).expect("a staging dir");
        let files = git(checkout(), &["ls-files", "-z", "--cached", "--others", "--exclude-standard"]);
        for file in files.split('\0').filter(|f| !f.is_empty()) {
            let from = checkout().join(file);
            // Listed but deleted in the working tree: not part of it.
            if !from.is_file() {
                continue;
            }
            let to = staging.path().join(file);
            std::fs::create_dir_all(to.parent().expect("a file has a folder")).unwrap();
            std::fs::copy(&from, &to).unwrap_or_else(|e| panic!("cannot copy {file}: {e}"));
        }
        git(staging.path(), &["init", "--quiet"]);
        git(staging.path(), &["add", "--all"]);
        git(
            staging.path(),
            &["-c", "commit.gpgsign=false", "commit", "--quiet", "--no-verify", "-m", "hook"],
        );
        let commit = git(staging.path(), &["rev-parse", "HEAD"]).trim().to_string();
        let repo = repos.join(&commit);
        // When it fails, another run made the same repository: use that one
        // (dropping `staging` removes ours).
        if std::fs::rename(staging.path(), &repo).is_err() {
            assert!(repo.join(".git").is_dir(), "cannot create {}", repo.display());
        }
        (repo, commit)
    })
}

/// `pre-commit run --all-files` in a new repository holding `snapshot` as
/// `site/`, with the hook configured on `site`.
fn run_hook(snapshot: &str) -> Output {
    let (repo, commit) = hook_repo();
    let dir = tempfile::tempdir().expect("a temp dir");
    git(dir.path(), &["init", "--quiet"]);
    support::copy_dir(&checkout().join(snapshot), &dir.path().join("site"));
    // A JSON string is a YAML string, and quotes any path.
    let repo = serde_json::to_string(&repo.to_str().expect("a UTF-8 target dir")).unwrap();
    let config = format!(
        "repos:\n  - repo: {repo}\n    rev: {commit}\n    hooks:\n      - id: sitelint\n        args: [site]\n"
    );
    std::fs::write(dir.path().join(".pre-commit-config.yaml"), config).unwrap();
    git(dir.path(), &["add", "--all"]);
    let cache = support::target_dir().join("pre-commit");
    Command::new(support::python())
        .args(["-m", "pre_commit", "run", "--all-files", "--color", "never"])
        .current_dir(dir.path())
        .env("PRE_COMMIT_HOME", cache.join("home"))
        .env("CARGO_TARGET_DIR", cache.join("cargo-target"))
        // pre-commit builds the hook with `cargo install`, in release mode;
        // the test is about the hook's behaviour, not its speed, and an
        // unoptimised build takes a fraction of the time.
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
        .env("CARGO_PROFILE_RELEASE_LTO", "false")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .env_remove("SKIP")
        .output()
        .expect("the venv's python runs")
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

#[test]
fn the_hook_fails_on_a_snapshot_with_an_error_and_shows_it() {
    let out = run_hook("snapshots/seeds/002-invited-customer-no-access");
    let text = text(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("sitelint") && text.contains("Failed"), "{text}");
    assert!(text.contains("CA004(customer-account-type-disabled)"), "{text}");
    assert!(text.contains("site/site.yaml"), "the finding's place: {text}");
}

#[test]
fn the_hook_passes_on_a_clean_snapshot() {
    let out = run_hook("snapshots/healthy");
    let text = text(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("sitelint") && text.contains("Passed"), "{text}");
}
