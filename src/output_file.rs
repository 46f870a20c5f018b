//! Writing a report or a baseline to a file, whole or not at all.
//!
//! A CI job writes `--output sitelint.sarif` and a later step uploads it. A
//! write that fails half-way (a full disk, a report too big for a quota)
//! must not leave a truncated file for that step, nor destroy the previous
//! one: a regular file is written beside its destination and renamed over
//! it once complete. Anything else at the path (`/dev/stdout`, a named
//! pipe, a symbolic link) is written in place, as asked.

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
    let (Some(temporary), true) = (temporary_path(path), existing.as_ref().is_none_or(|m| m.is_file()))
    else {
        return File::create(path).and_then(|mut file| write(&mut file));
    };
    let result = File::create(&temporary)
        .and_then(|mut file| {
            // The file it replaces keeps its permissions.
            if let Some(existing) = &existing {
                file.set_permissions(existing.permissions())?;
            }
            write(&mut file)
        })
        .and_then(|()| fs::rename(&temporary, path));
    if result.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    result
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
