//! The output folder: refused when it is not empty (unless `--force`), and
//! written only after everything was read and mapped, so a failed import
//! leaves it as it was.

use std::fs;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use serde_json::Value;

use super::detect::{Export, detect};
use super::emit::OutFile;

/// Checks that `out` may be written, and returns the old snapshot files to
/// remove: with `--force`, every `*.yaml`, `*.yml` and `*.json` below it
/// (hidden names skipped, as `sitelint check` skips them), because
/// `sitelint check` would read them together with the new ones. An output
/// folder holding any of the `inputs` (the files read as exports), or a
/// saved export (by its content), is refused: those are the user's data,
/// not an older snapshot, and nothing may remove them.
pub fn prepare(out: &Path, input: &Path, inputs: &[PathBuf], force: bool) -> Result<Vec<PathBuf>, String> {
    let shown = out.display();
    let metadata = match fs::metadata(out) {
        Ok(metadata) => metadata,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("cannot read the output folder {shown}: {e}")),
    };
    if !metadata.is_dir() {
        return Err(format!("{shown} exists and is not a folder; --out names the snapshot folder to write"));
    }
    if let (Ok(out_real), Ok(input_real)) = (out.canonicalize(), input.canonicalize())
        && input_real.starts_with(&out_real)
    {
        return Err(format!(
            "the output folder {shown} holds the input {}: write the snapshot to another folder",
            input.display()
        ));
    }
    held_inputs(out, inputs)?;
    let mut entries = fs::read_dir(out).map_err(|e| format!("cannot read the output folder {shown}: {e}"))?;
    if entries.next().is_none() {
        return Ok(Vec::new());
    }
    if !force {
        return Err(format!(
            "the output folder {shown} is not empty; use --force to replace the snapshot files in it, or choose an empty folder"
        ));
    }
    let mut stale = Vec::new();
    let walker = WalkDir::new(out)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walker {
        let entry = entry.map_err(|e| format!("cannot read the output folder {shown}: {e}"))?;
        let is_snapshot =
            entry.path().extension().is_some_and(|e| matches!(e.to_str(), Some("yaml" | "yml" | "json")));
        if entry.file_type().is_file() && is_snapshot {
            stale.push(entry.into_path());
        }
    }
    saved_exports(out, &stale)?;
    Ok(stale)
}

/// Refuses an output folder inside the input folder that holds input
/// files: the snapshot would be written among them, and `--force` would
/// remove them as older snapshot files.
fn held_inputs(out: &Path, inputs: &[PathBuf]) -> Result<(), String> {
    let Ok(out_real) = out.canonicalize() else { return Ok(()) };
    let held: Vec<String> = inputs
        .iter()
        .filter(|path| path.canonicalize().is_ok_and(|real| real.starts_with(&out_real)))
        .map(|path| shown(path))
        .collect();
    match held.as_slice() {
        [] => Ok(()),
        [first, rest @ ..] => Err(format!(
            "the output folder {} holds input files ({first}{}): write the snapshot to a folder that holds none of the input",
            out.display(),
            if rest.is_empty() { String::new() } else { format!(" and {} more", rest.len()) }
        )),
    }
}

/// Refuses to remove a `*.json` file of the output folder that is a saved
/// export (a REST response `sitelint import` recognises), whatever folder
/// the input is: it may be the only copy.
fn saved_exports(out: &Path, stale: &[PathBuf]) -> Result<(), String> {
    for path in stale.iter().filter(|p| p.extension().is_some_and(|e| e == "json")) {
        let Some(json) = fs::read(path).ok().and_then(|b| serde_json::from_slice::<Value>(&b).ok()) else {
            continue;
        };
        let relative = shown(path.strip_prefix(out).unwrap_or(path));
        if let Ok(export) = detect(&relative, &json)
            && !matches!(export, Export::Empty)
        {
            return Err(format!(
                "{} in the output folder is a saved export ({}), not a snapshot file: --force removes only \
                 snapshot files; move it out of {}, or write the snapshot to another folder",
                shown(path),
                export.describe(),
                out.display()
            ));
        }
    }
    Ok(())
}

/// Removes the old snapshot files the import does not write again, then
/// writes the new ones. Returns the removed files, as shown paths.
pub fn write(out: &Path, files: &[OutFile], stale: &[PathBuf]) -> Result<Vec<String>, String> {
    let written: Vec<PathBuf> = files.iter().map(|f| out.join(&f.path)).collect();
    let mut removed = Vec::new();
    for path in stale.iter().filter(|p| !written.contains(p)) {
        fs::remove_file(path).map_err(|e| format!("cannot remove {}: {e}", path.display()))?;
        removed.push(shown(path));
    }
    for (file, path) in files.iter().zip(&written) {
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        fs::write(path, &file.text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(removed)
}

pub fn shown(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}
