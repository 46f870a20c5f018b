//! Writing a report or a baseline to a file, whole or not at all.
//!
//! A CI job writes `--output sitelint.sarif` and a later step uploads it. A
//! write that fails half-way (a full disk, a report too big for a quota)
//! must not leave a truncated file for that step, nor destroy the previous
//! one: a regular file is written beside its destination and renamed over
//! it once complete.
//!
//! Where replacing the file would change more than its content, it is
//! written in place, as asked: a path that is not a regular file
//! (`/dev/stdout`, a named pipe, a symbolic link), a read-only file (the
//! write fails, as it should), a file with other hard links, and a folder
//! where no file can be created beside it. A file that cannot be renamed
//! over (one bind-mounted into a container) gets the finished file copied
//! onto it.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use miette::Report;

/// Creates the file (and its folder: CI jobs name files in folders that do
/// not exist yet) and has `write` write it. `what` names it in the error.
pub fn write_with(
    path: &Path,
    what: &str,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), Report> {
    write_io(path, write).map_err(|e| miette::miette!("cannot write the {what} to {}: {e}", path.display()))
}

fn write_io(path: &Path, write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent)?;
    }
    let existing = fs::symlink_metadata(path).ok();
    let replaceable =
        existing.as_ref().is_none_or(|m| m.is_file() && !m.permissions().readonly() && links(m) == 1);
    let beside = temporary_path(path).filter(|_| replaceable);
    let Some((temporary, mut file)) = beside.and_then(|t| File::create(&t).ok().map(|file| (t, file))) else {
        return File::create(path).and_then(|mut file| write(&mut file));
    };
    let written = (|| {
        // The file it replaces keeps its permissions.
        if let Some(existing) = &existing {
            file.set_permissions(existing.permissions())?;
        }
        write(&mut file)?;
        drop(file);
        if fs::rename(&temporary, path).is_err() {
            fs::copy(&temporary, path)?;
        }
        Ok(())
    })();
    let _ = fs::remove_file(&temporary);
    written
}

/// How many names the file has.
fn links(metadata: &fs::Metadata) -> u64 {
    #[cfg(unix)]
    {
        std::os::unix::fs::MetadataExt::nlink(metadata)
    }
    #[cfg(not(unix))]
    {
        let _ = metadata;
        1
    }
}

/// A hidden name beside `path`, this process's own.
fn temporary_path(path: &Path) -> Option<PathBuf> {
    let name = path.file_name()?.to_string_lossy();
    Some(path.with_file_name(format!(".{name}.{}.sitelint-partial", std::process::id())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_failed_write_leaves_the_previous_file_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.sarif");
        fs::write(&path, "the previous report").unwrap();
        let failed = write_with(&path, "report", |out| {
            out.write_all(b"half a rep")?;
            Err(io::Error::other("disk full"))
        });
        let message = failed.unwrap_err().to_string();
        assert!(
            message.starts_with("cannot write the report to ") && message.ends_with(": disk full"),
            "{message}"
        );
        assert_eq!(fs::read_to_string(&path).unwrap(), "the previous report");
        assert_eq!(names_in(dir.path()), ["report.sarif"]);
    }

    #[test]
    fn a_complete_write_replaces_the_file_and_creates_its_folder() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out/report.json");
        write_with(&path, "report", |out| out.write_all(b"first")).unwrap();
        write_with(&path, "report", |out| out.write_all(b"second")).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "second");
        assert_eq!(names_in(&dir.path().join("out")), ["report.json"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_file_with_other_names_is_written_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let (path, other) = (dir.path().join("report.json"), dir.path().join("other.json"));
        fs::write(&path, "before").unwrap();
        fs::hard_link(&path, &other).unwrap();
        write_with(&path, "report", |out| out.write_all(b"after")).unwrap();
        assert_eq!(fs::read_to_string(&other).unwrap(), "after");
        assert_eq!(names_in(dir.path()), ["other.json", "report.json"]);
    }

    #[test]
    fn a_read_only_file_is_written_in_place_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("baseline.json");
        fs::write(&path, "kept").unwrap();
        let mut permissions = fs::metadata(&path).unwrap().permissions();
        permissions.set_readonly(true);
        fs::set_permissions(&path, permissions).unwrap();
        // Refused, unless the user may write anything (root), as for any
        // read-only file; and in place either way.
        let written = write_with(&path, "baseline", |out| out.write_all(b"new"));
        let content = fs::read_to_string(&path).unwrap();
        assert_eq!(written.is_ok(), content == "new", "{written:?}, {content}");
        assert!(fs::metadata(&path).unwrap().permissions().readonly());
        assert_eq!(names_in(dir.path()), ["baseline.json"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_is_written_through_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target.json");
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        write_with(&link, "report", |out| out.write_all(b"through")).unwrap();
        assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert_eq!(fs::read_to_string(&target).unwrap(), "through");
    }
}
