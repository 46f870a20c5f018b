//! The import's report, printed on standard output: what each input file
//! was recognised as, what each snapshot file holds, everything unmapped
//! (with the input file and line, and where its comment was kept), what is
//! incomplete, and what the admin must complete by hand.

use std::fmt::Write;

use super::gather::Source;

#[derive(Default)]
pub struct Summary {
    pub input: String,
    pub out: String,
    /// Input files and what each was recognised as.
    pub read: Vec<(String, String)>,
    /// Files that are not exports (no `.json`/`.csv` extension).
    pub skipped: Vec<String>,
    /// JSON files not recognised, imported without (`--skip-unrecognized`).
    pub unrecognized: Vec<(String, String)>,
    /// Snapshot files written and what each holds.
    pub written: Vec<(String, String)>,
    /// Old snapshot files removed from the output folder (`--force`).
    pub removed: Vec<String>,
    /// Unmapped items: where read, what, and the file keeping its comment.
    pub unmapped: Vec<(Source, String, String)>,
    pub notes: Vec<(Source, String)>,
}

impl Summary {
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "Imported {} into {}.", self.input, self.out);
        section(&mut out, &format!("Read {}:", files(self.read.len())), &self.read);
        if !self.skipped.is_empty() {
            let skipped: Vec<(String, String)> =
                self.skipped.iter().map(|s| (s.clone(), "not a .json or .csv file".to_string())).collect();
            section(&mut out, &format!("Skipped {}:", files(skipped.len())), &skipped);
        }
        if !self.unrecognized.is_empty() {
            section(
                &mut out,
                &format!("Not recognised, not imported ({}):", files(self.unrecognized.len())),
                &self.unrecognized,
            );
        }
        section(&mut out, &format!("Wrote {}:", files(self.written.len())), &self.written);
        if !self.removed.is_empty() {
            let removed: Vec<(String, String)> = self
                .removed
                .iter()
                .map(|r| (r.clone(), "removed: an older snapshot file (--force)".to_string()))
                .collect();
            section(&mut out, &format!("Removed {}:", files(removed.len())), &removed);
        }
        if self.unmapped.is_empty() {
            let _ = writeln!(out, "\nUnmapped: nothing; every record of the exports is in the snapshot.");
        } else {
            let rows: Vec<(String, String)> = self
                .unmapped
                .iter()
                .map(|(source, what, kept)| {
                    (source.to_string(), format!("{what} (kept as a comment in {kept})"))
                })
                .collect();
            let count = self.unmapped.len();
            let title = format!(
                "Unmapped: {count} {} the snapshot cannot hold as data:",
                if count == 1 { "item" } else { "items" }
            );
            section(&mut out, &title, &rows);
        }
        if !self.notes.is_empty() {
            let rows: Vec<(String, String)> =
                self.notes.iter().map(|(s, n)| (s.to_string(), n.clone())).collect();
            section(&mut out, "Incomplete:", &rows);
        }
        let _ = write!(
            out,
            "\nTo complete by hand (no public API exports these settings):\n\
             \x20 {out_dir}/site.yaml  user_access (user invites, invite links, approved domains) and\n\
             \x20   customer_access are commented out with Atlassian's defaults: set them from\n\
             \x20   admin.atlassian.com and Jira settings > Products > Customer access, then uncomment them.\n\
             \x20 {out_dir}/projects/  each service project's channel_access and email_channels are commented\n\
             \x20   out the same way.\n\
             \nNext: sitelint check {out_dir}\n",
            out_dir = self.out
        );
        out
    }
}

fn files(n: usize) -> String {
    format!("{n} {}", if n == 1 { "file" } else { "files" })
}

/// A titled list of `name  text` rows, names padded to one width.
fn section(out: &mut String, title: &str, rows: &[(String, String)]) {
    let _ = writeln!(out, "\n{title}");
    let width = rows.iter().map(|(name, _)| name.chars().count()).max().unwrap_or(0);
    for (name, text) in rows {
        let _ = writeln!(out, "  {name:<width$}  {text}");
    }
}
