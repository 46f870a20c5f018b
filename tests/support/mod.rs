//! Shared by the format and pre-commit tests: a Python virtual environment
//! with real validators and the real pre-commit, installed from PyPI with
//! pinned versions under the target directory. It is created once and
//! reused; an atomic lock makes it safe when several test binaries (or
//! several `cargo test` runs) need it at the same time.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime};

/// What the venv holds, every transitive dependency pinned too, so a release
/// on PyPI cannot change a test run. Changing this list recreates the venv.
const REQUIREMENTS: &str = "\
attrs==26.1.0
cfgv==3.5.0
distlib==0.4.4
elementpath==5.1.4
filelock==4.2.12
identify==2.6.20
jsonschema==4.26.0
jsonschema-specifications==2025.9.1
nodeenv==1.12.0
packaging==26.3
platformdirs==4.14.7
pre_commit==4.7.0
python-discovery==1.9.5
PyYAML==6.0.3
referencing==0.37.0
rfc3986-validator==0.1.1
rpds-py==2026.9.1
typing_extensions==4.16.0
virtualenv==21.15.8
xmlschema==4.3.2
";

/// A lock older than this was left by a run that was killed (creating the
/// venv takes well under a minute).
const STALE_LOCK: Duration = Duration::from_secs(10 * 60);

/// The target directory the binary under test was built in (`target/` of
/// `target/debug/sitelint`): caches live there, so `cargo clean` clears them.
pub fn target_dir() -> PathBuf {
    let bin = Path::new(env!("CARGO_BIN_EXE_sitelint"));
    bin.parent().and_then(Path::parent).expect("the binary sits in target/<profile>/").to_path_buf()
}

/// The venv's Python interpreter, creating the venv on first use.
pub fn python() -> &'static Path {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(create_venv)
}

fn create_venv() -> PathBuf {
    let dir = target_dir().join("test-python");
    let python = if cfg!(windows) { dir.join("Scripts/python.exe") } else { dir.join("bin/python") };
    // Written last, so its presence means a complete install of this list.
    let marker = dir.join("installed.txt");
    let ready = || std::fs::read_to_string(&marker).is_ok_and(|t| t == REQUIREMENTS);
    if ready() {
        return python;
    }
    let _lock = Lock::acquire(&target_dir().join("test-python.lock"));
    if ready() {
        return python; // another test binary made it while we waited
    }
    if dir.exists() {
        std::fs::remove_dir_all(&dir).unwrap_or_else(|e| panic!("cannot remove {}: {e}", dir.display()));
    }
    let system_python = if cfg!(windows) { "python" } else { "python3" };
    run(
        Command::new(system_python).args(["-m", "venv"]).arg(&dir),
        &format!(
            "`{system_python} -m venv` (the format and pre-commit tests need Python 3.11 or later with venv)"
        ),
    );
    let requirements = dir.join("requirements.txt");
    std::fs::write(&requirements, REQUIREMENTS).expect("the venv is writable");
    run(
        Command::new(&python)
            .args(["-m", "pip", "install", "--disable-pip-version-check", "--no-input", "--quiet", "-r"])
            .arg(&requirements),
        "pip install of the test tools from PyPI (is PyPI reachable?)",
    );
    std::fs::write(&marker, REQUIREMENTS).expect("the venv is writable");
    python
}

/// Copies a folder's files and subfolders into `to`, creating it.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("cannot create {}: {e}", to.display()));
    let entries = std::fs::read_dir(from).unwrap_or_else(|e| panic!("cannot read {}: {e}", from.display()));
    for entry in entries {
        let entry = entry.expect("a readable folder");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target)
                .unwrap_or_else(|e| panic!("cannot copy {}: {e}", entry.path().display()));
        }
    }
}

/// Runs a setup command, panicking with its output when it fails.
fn run(command: &mut Command, what: &str) {
    let out = command.output().unwrap_or_else(|e| panic!("{what}: cannot start: {e}"));
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A lock directory: creating a directory is atomic, and exactly one of
/// several processes succeeds. Removed on drop, also when a panic unwinds.
struct Lock(PathBuf);

impl Lock {
    fn acquire(path: &Path) -> Lock {
        let start = Instant::now();
        loop {
            match std::fs::create_dir(path) {
                Ok(()) => return Lock(path.to_path_buf()),
                Err(e) if e.kind() == ErrorKind::AlreadyExists => {
                    let age = std::fs::metadata(path)
                        .and_then(|m| m.modified())
                        .ok()
                        .and_then(|t| SystemTime::now().duration_since(t).ok());
                    if age.is_some_and(|age| age > STALE_LOCK) {
                        let _ = std::fs::remove_dir(path);
                        continue;
                    }
                    assert!(
                        start.elapsed() < 2 * STALE_LOCK,
                        "waited too long for {}; remove it if no test is running",
                        path.display()
                    );
                    std::thread::sleep(Duration::from_millis(200));
                }
                Err(e) => panic!("cannot create the lock {}: {e}", path.display()),
            }
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir(&self.0);
    }
}
