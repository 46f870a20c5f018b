//! Where in its file's structure a finding is, as text that survives edits
//! elsewhere: the keys from the document's root down to the primary
//! location, each list item named by its identifier rather than its
//! position. SARIF fingerprints and JUnit test names use it to tell apart
//! findings of one rule about one subject in one file (the same customer
//! listed in two projects), where a line number or an ordinal among them
//! would shift when an earlier one is edited away.

use std::borrow::Borrow;
use std::collections::HashSet;

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

/// The key path of each finding's primary location, in order: e.g.
/// `projects[key=SUP].service_desk.customers[bob@contoso.com]`. Empty for a
/// file that did not parse (its only finding is the SL001 saying so).
///
/// The files with findings are parsed again, in parallel, one tree at a
/// time per thread, each dropped once its findings have their paths: the
/// loader never holds every tree at once either.
pub(crate) fn key_paths<F: Borrow<Finding> + Sync>(findings: &[F], sources: &SourceSet) -> Vec<String> {
    let findings: Vec<&Finding> = findings.iter().map(Borrow::borrow).collect();
    // A file SL001 skipped is not parsed again: it may be one the limits
    // kept out (a billion laughs), which none is applied to here.
    let skipped: HashSet<FileId> =
        findings.iter().filter(|f| f.code() == Check::Syntax.code()).map(|f| f.primary.file).collect();
    // The findings of each file, in runs: findings come sorted by file.
    let mut by_file: Vec<usize> = (0..findings.len()).collect();
    by_file.sort_by_key(|&n| findings[n].primary.file);
    let runs: Vec<&[usize]> =
        by_file.chunk_by(|&a, &b| findings[a].primary.file == findings[b].primary.file).collect();
    let found: Vec<Vec<(usize, String)>> = runs
        .into_par_iter()
        .map(|run| {
            let file = findings[run[0]].primary.file;
            let tree = if skipped.contains(&file) { None } else { parse(sources, file) };
            run.iter()
                .map(|&n| {
                    (n, tree.as_ref().map_or_else(String::new, |root| path(root, findings[n].primary.span)))
                })
                .collect()
        })
        .collect();
    let mut paths = vec![String::new(); findings.len()];
    for (n, path) in found.into_iter().flatten() {
        paths[n] = path;
    }
    paths
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

/// The path from `root` to the node where `at` starts.
fn path(root: &Node, at: Span) -> String {
    let mut out = String::new();
    let mut node = root;
    let inside = |n: &Node| n.span.start() <= at.start() && at.start() < n.span.end().max(n.span.start() + 1);
    loop {
        match &node.value {
            Value::Scalar(_) => break,
            Value::Map(entries) => {
                let holds = |e: &Entry| inside(&e.key) || inside(&e.value);
                let Some((_, entry)) = child(entries, at.start(), |e| e.key.span.start(), holds) else {
                    break;
                };
                if !out.is_empty() {
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
    out
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
        path(&root, Span::new(start, start + needle.len()))
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
}
