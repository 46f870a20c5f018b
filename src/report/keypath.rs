//! Where in its file's structure a finding is, as text that survives edits
//! elsewhere: the keys from the document's root down to the primary
//! location, each list item named by its identifier rather than its
//! position. SARIF fingerprints and JUnit test names use it to tell apart
//! findings of one rule about one subject in one file (the same customer
//! listed in two projects), where a line number or an ordinal among them
//! would shift when an earlier one is edited away.

use std::borrow::Borrow;
use std::collections::{HashMap, HashSet};
use std::hash::Hash;

use rayon::prelude::*;

use crate::finding::{Check, Finding};
use crate::load;
use crate::load::limits::{DEPTH_CEILING, Limits};
use crate::source::{FileId, SourceSet, Span};
use crate::tree::{Entry, Node, Value};

/// Keys that name a list item, in the order they are preferred: the
/// identifiers of SNAPSHOT-FORMAT.md's sections. An item with none is named
/// by its first scalar entry, and failing that by its position.
const IDENTIFIERS: [&str; 5] = ["key", "account_id", "id", "name", "domain"];

/// Findings a group of [`in_file_groups`] holds at least, unless it is the
/// last: its files are parsed in parallel, so it spans several when they
/// are small, and its paths are held until the group is written.
pub(super) const GROUP: usize = 4096;

/// The key path of each finding's primary location, in order: e.g.
/// `projects[key=SUP].service_desk.customers[bob@contoso.com]`. Empty for a
/// file that did not parse (its only finding is the SL001 saying so).
///
/// The files with findings are parsed again, in parallel, one tree at a
/// time per thread, each dropped once its findings have their paths: the
/// loader never holds every tree at once either.
pub(crate) fn key_paths<F: Borrow<Finding> + Sync>(findings: &[F], sources: &SourceSet) -> KeyPaths {
    let findings: Vec<&Finding> = findings.iter().map(Borrow::borrow).collect();
    let skipped = skipped_files(findings.iter().copied());
    // The findings of each file, in runs.
    let mut by_file: Vec<usize> = (0..findings.len()).collect();
    by_file.sort_by_key(|&n| findings[n].primary.file);
    let runs: Vec<&[usize]> =
        by_file.chunk_by(|&a, &b| findings[a].primary.file == findings[b].primary.file).collect();
    let found: Vec<KeyPaths> = runs
        .par_iter()
        .map(|run| paths_in_file(run.iter().map(|&n| findings[n]), sources, &skipped))
        .collect();
    // Where each finding's path was found: which run, and where in it.
    let mut at = vec![(0, 0); findings.len()];
    for (r, run) in runs.iter().enumerate() {
        for (i, &n) in run.iter().enumerate() {
            at[n] = (r, i);
        }
    }
    let mut paths = KeyPaths::with_capacity(found.iter().map(|p| p.text.len()).sum(), findings.len());
    for (r, i) in at {
        paths.push(found[r].get(i));
    }
    drop(found);
    // The trees are freed, and the caller holds the paths while it writes.
    crate::allocator::release_freed();
    paths
}

/// Calls `each` with `findings` in groups of consecutive runs of one file,
/// in order, and the key paths of the group's findings ([`key_paths`]),
/// run by run.
///
/// For a writer that needs a path per finding but not all at once: only a
/// group's paths are held, not the 4 MB of 63,000 findings' (and not what a
/// writer makes of them). Findings sorted by file, as `check` sorts them,
/// give each file one run; others are right but parse a file once per run.
pub(crate) fn in_file_groups<'f, E>(
    findings: &'f [Finding],
    sources: &SourceSet,
    mut each: impl FnMut(&'f [Finding], &[KeyPaths]) -> Result<(), E>,
) -> Result<(), E> {
    let skipped = skipped_files(findings.iter());
    let mut rest = findings;
    while !rest.is_empty() {
        let mut runs = Vec::new();
        let mut end = 0;
        while end < rest.len() && end < GROUP {
            let file = rest[end].primary.file;
            let len = rest[end..].iter().take_while(|f| f.primary.file == file).count();
            runs.push(&rest[end..end + len]);
            end += len;
        }
        let paths: Vec<KeyPaths> =
            runs.par_iter().map(|run| paths_in_file(run.iter(), sources, &skipped)).collect();
        let (group, after) = rest.split_at(end);
        each(group, &paths)?;
        rest = after;
    }
    Ok(())
}

/// Key paths, one per finding, in one text.
///
/// Not a `String` each: 63,000 of those, made beside the nodes of the tree
/// they came from, kept parts of the freed trees' pages in use, so the
/// allocator could not hand those pages back.
#[derive(Debug, Default)]
pub(crate) struct KeyPaths {
    text: String,
    /// Where each path ends in `text`; it starts where the one before ends.
    ends: Vec<usize>,
}

impl KeyPaths {
    fn with_capacity(bytes: usize, paths: usize) -> KeyPaths {
        KeyPaths { text: String::with_capacity(bytes), ends: Vec::with_capacity(paths) }
    }

    fn push(&mut self, path: &str) {
        self.text.push_str(path);
        self.ends.push(self.text.len());
    }

    /// The `n`th path.
    pub(crate) fn get(&self, n: usize) -> &str {
        let start = n.checked_sub(1).map_or(0, |before| self.ends[before]);
        &self.text[start..self.ends[n]]
    }

    /// The paths in order.
    pub(crate) fn iter(&self) -> impl ExactSizeIterator<Item = &str> {
        (0..self.ends.len()).map(|n| self.get(n))
    }
}

/// The files SL001 skipped. They are not parsed again: one may be a file
/// the limits kept out (a billion laughs), which none is applied to here.
fn skipped_files<'f>(findings: impl Iterator<Item = &'f Finding>) -> HashSet<FileId> {
    findings.filter(|f| f.code() == Check::Syntax.code()).map(|f| f.primary.file).collect()
}

/// The key paths of findings all in one file, parsed once for them all.
fn paths_in_file<'f>(
    findings: impl Iterator<Item = &'f Finding>,
    sources: &SourceSet,
    skipped: &HashSet<FileId>,
) -> KeyPaths {
    let mut findings = findings.peekable();
    let tree = match findings.peek() {
        Some(f) if !skipped.contains(&f.primary.file) => parse(sources, f.primary.file),
        _ => None,
    };
    let mut paths = KeyPaths::default();
    for f in findings {
        if let Some(root) = &tree {
            path(root, f.primary.span, &mut paths.text);
        }
        paths.ends.push(paths.text.len());
    }
    paths
}

/// Numbers findings alike (in a key made of their file, key path and
/// what they are about) in order: 1 for the first, 2 for the next. Findings
/// alike are in one file, so when findings come file by file, as `check`
/// sorts them, a file's keys are forgotten once its findings are done: a
/// report need not hold every finding's key at once.
pub(super) struct Alike<K> {
    seen: HashMap<K, usize>,
    by_file: bool,
    file: Option<FileId>,
}

impl<K: Hash + Eq> Alike<K> {
    /// For `findings` in the order they will be numbered.
    pub(super) fn new<'f>(findings: impl Iterator<Item = &'f Finding>) -> Alike<K> {
        let by_file = findings.is_sorted_by_key(|f| f.primary.file);
        Alike { seen: HashMap::new(), by_file, file: None }
    }

    /// The number of the next finding, in `file`, whose key is `key`.
    pub(super) fn number(&mut self, file: FileId, key: K) -> usize {
        if self.by_file && self.file != Some(file) {
            self.seen.clear();
            self.file = Some(file);
        }
        let n = self.seen.entry(key).or_default();
        *n += 1;
        *n
    }
}

/// A file's tree, parsed as the loader parsed it. The file loaded within
/// the check's limits, so no limit but the parser's own depth is needed;
/// the check's could be lower, and then a path would depend on them.
fn parse(sources: &SourceSet, file: FileId) -> Option<Node> {
    let source = sources.get(file);
    let limits = Limits {
        max_depth: DEPTH_CEILING,
        max_nodes: usize::MAX,
        max_alias_nodes: usize::MAX,
        ..Limits::default()
    };
    load::parse_again(&source.path, &source.text, &limits).ok()
}

/// Appends the path from `root` to the node where `at` starts to `out`:
/// the node `at` covers whole, if there is one on the way (a finding about
/// an entry points at all of it), else the deepest that holds its start.
fn path(root: &Node, at: Span, out: &mut String) {
    let start = out.len();
    let mut node = root;
    let inside = |n: &Node| n.span.start() <= at.start() && at.start() < n.span.end().max(n.span.start() + 1);
    loop {
        // The node `at` covers whole is what it points at. A block mapping
        // starts where its first key does: without this, an entry's path went
        // on into whichever key was written first, and changed when the keys
        // were reordered or the entry was rewritten in flow style. A key with
        // no value, though, is all of its block mapping, and is what is meant.
        let covered = node.span.start() == at.start() && node.span.end() <= at.end();
        match &node.value {
            Value::Scalar(_) => break,
            Value::Seq(_) if covered => break,
            Value::Map(entries) if covered && entries.first().is_none_or(|e| e.key.span != at) => break,
            Value::Map(entries) => {
                let holds = |e: &Entry| inside(&e.key) || inside(&e.value);
                let Some((_, entry)) = child(entries, at.start(), |e| e.key.span.start(), holds) else {
                    break;
                };
                if out.len() > start {
                    out.push('.');
                }
                out.push_str(&scalar_text(&entry.key));
                if inside(&entry.key) {
                    break;
                }
                node = &entry.value;
            }
            Value::Seq(items) => {
                let Some((index, item)) =
                    child(items, at.start(), |item| item.span.start(), |item| inside(item))
                else {
                    break;
                };
                out.push('[');
                out.push_str(&identity(item, index));
                out.push(']');
                node = item;
            }
        }
    }
}

/// The child of a map or list that holds the place starting at `at`, with
/// its index: the last one starting at or before it, as children are in
/// file order (a list of 150,000 users, each with a finding, was 10^10
/// steps when walked in turn), or, where YAML aliases put copies of earlier
/// nodes out of order, the first found by a walk.
fn child<T>(
    children: &[T],
    at: usize,
    start: impl Fn(&T) -> usize,
    holds: impl Fn(&T) -> bool,
) -> Option<(usize, &T)> {
    let last = children.partition_point(|c| start(c) <= at).checked_sub(1);
    match last.map(|n| (n, &children[n])) {
        Some((n, c)) if holds(c) => Some((n, c)),
        _ => children.iter().enumerate().find(|(_, c)| holds(c)),
    }
}

/// How a list item is named: its text, its identifier (`key=SUP`), its
/// first scalar entry, or as a last resort its position (`#3`).
fn identity(item: &Node, index: usize) -> String {
    match &item.value {
        Value::Scalar(s) => s.text.as_str().to_string(),
        Value::Map(entries) => {
            let scalars =
                || entries.iter().filter(|e| e.key.as_scalar().is_some() && e.value.as_scalar().is_some());
            let named = IDENTIFIERS.iter().find_map(|id| scalars().find(|e| scalar_text(&e.key) == *id));
            match named.or_else(|| scalars().next()) {
                Some(e) => format!("{}={}", scalar_text(&e.key), scalar_text(&e.value)),
                None => format!("#{}", index + 1),
            }
        }
        Value::Seq(_) => format!("#{}", index + 1),
    }
}

fn scalar_text(node: &Node) -> String {
    node.as_scalar().map_or_else(|| "?".to_string(), |s| s.text.as_str().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path_at(text: &str, needle: &str, nth: usize) -> String {
        let root = load::yaml::parse(text).unwrap();
        let start = text.match_indices(needle).nth(nth).unwrap().0;
        let mut out = "before ".to_string();
        path(&root, Span::new(start, start + needle.len()), &mut out);
        out.strip_prefix("before ").unwrap().to_string()
    }

    /// A YAML alias copies an earlier node, so a list is out of file order
    /// where one is: the item is still found.
    #[test]
    fn items_out_of_order_through_an_alias_are_found() {
        let text = "x: &x {key: A}\nlist: [{key: B, v: 1}, *x, {key: C, v: 2}]\n";
        assert_eq!(path_at(text, "v", 0), "list[key=B].v");
        assert_eq!(path_at(text, "v", 1), "list[key=C].v");
    }

    #[test]
    fn list_items_are_named_by_their_identifier_not_their_position() {
        let text = "projects:\n  - type: service_desk\n    key: HELP\n    customers: [bob]\n  \
                    - key: SUP\n    customers:\n      - bob\n";
        assert_eq!(path_at(text, "bob", 0), "projects[key=HELP].customers[bob]");
        assert_eq!(path_at(text, "bob", 1), "projects[key=SUP].customers[bob]");
        assert_eq!(path_at(text, "customers", 1), "projects[key=SUP].customers");
        assert_eq!(path_at("a: [[1], {x: {}}]\n", "1", 0), "a[#1][1]");
        assert_eq!(path_at("a: [[1], {x: {}}]\n", "{}", 0), "a[#2].x");
        assert_eq!(path_at("a: [[1], {x: {}}]\n", "a", 0), "a");
    }

    /// The path of a place that spans `needle` whole.
    fn path_over(text: &str, needle: &str) -> String {
        let root = load::yaml::parse(text).unwrap();
        let start = text.find(needle).unwrap();
        let mut out = String::new();
        path(&root, Span::new(start, start + needle.len()), &mut out);
        out
    }

    /// A finding about a whole entry (a scheme no project uses) has the
    /// entry's path, whatever order its keys are in and however it is
    /// written: before, a block mapping's path went on into its first key.
    #[test]
    fn a_whole_entry_is_named_by_its_item_not_its_first_key() {
        let entries = [
            ("s:\n  - id: 1\n    name: Old\n", "id: 1\n    name: Old"),
            ("s:\n  - name: Old\n    id: 1\n", "name: Old\n    id: 1"),
            ("s:\n  - {name: Old, id: 1}\n", "{name: Old, id: 1}"),
        ];
        for (text, entry) in entries {
            assert_eq!(path_over(text, entry), "s[id=1]", "{text}");
        }
        // Its first key alone is still that key, and a key with no value
        // (all of its block mapping) too.
        assert_eq!(path_over("s:\n  - name: Old\n    id: 1\n", "name"), "s[id=1].name");
        assert_eq!(path_over("s:\n  - name: Old\n    id: 1\n", "Old"), "s[id=1].name");
        assert_eq!(path_over("usres:\n", "usres"), "usres");
        assert_eq!(path_over("s:\n  - nme:\n", "nme"), "s[nme=].nme");
        // A field whose value is a block mapping: the field, not the
        // mapping's first key.
        let desk = "p:\n  - key: A\n    sd:\n      customers: [x]\n      organizations: [y]\n";
        assert_eq!(path_over(desk, "customers: [x]\n      organizations: [y]"), "p[key=A].sd");
        assert_eq!(path_over(desk, "customers"), "p[key=A].sd.customers");
    }
}
