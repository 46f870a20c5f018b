//! SARIF 2.1.0 output, for code scanning (GitHub's upload-sarif, GitLab,
//! IDE viewers): one run whose driver lists every rule that ran, one result
//! per finding, and one invocation that says whether every rule completed.
//! No timestamps, so the same snapshot gives the same bytes.

use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};
use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;

use super::catalogue::example_fix;
use super::format::{RuleFailure, RuleInfo, message_with_help, region, slash_path};
use super::json::{EscapeControls, indent};
use super::keypath::{Alike, KeyPaths, in_file_groups};
use crate::finding::{Finding, Severity};
use crate::source::{Location, SourceSet};

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The `partialFingerprints` key; bump the version if the hashed fields change.
const FINGERPRINT: &str = "sitelint/v2";

/// Whether the run completed: a rule that failed or ran out of time leaves
/// the results incomplete, and consumers should not read them as a clean
/// bill for that rule.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation<'a> {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Notification<'a> {
    /// The failing expression in the rule file; none for a built-in rule,
    /// whose file is inside sitelint.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<NotificationLocation>,
    level: &'static str,
    message: OwnedText,
    associated_rule: RuleReference<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NotificationLocation {
    physical_location: StartLocation,
}

/// Where an error was found: only where it starts is known.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StartLocation {
    artifact_location: ArtifactLocation,
    region: Start,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Start {
    start_line: usize,
    start_column: usize,
}

#[derive(Serialize)]
struct RuleReference<'a> {
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    index: Option<usize>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
struct Driver<'a> {
    name: &'static str,
    version: &'static str,
    rules: Vec<Descriptor<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor<'a> {
    id: &'a str,
    name: &'a str,
    short_description: Text<'a>,
    full_description: OwnedText,
    /// What code scanning shows as the rule's help.
    help: Help,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<&'a str>,
    default_configuration: Configuration,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct Text<'a> {
    text: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    /// Absent only for a finding of a rule the list does not describe.
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: OwnedText,
    locations: [SarifLocation<'a>; 1],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<SarifLocation<'a>>,
    partial_fingerprints: BTreeMap<&'static str, String>,
}

#[derive(Serialize)]
struct OwnedText {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    /// SARIF's end column is the one just past the region, as ours.
    end_column: usize,
}

/// Results serialized together, in parallel, before they are written.
const BATCH: usize = 1024;
/// Results one thread serializes into one buffer.
const PART: usize = 64;

/// Writes the log to `out`: the bytes `serde_json::to_writer_pretty`
/// writes for the whole log, and a line break.
///
/// Results are most of a big log (125 MB for a 59 MB snapshot with 63,000
/// findings), so they are serialized in parallel, a batch at a time, and
/// written in order as each batch is done, as the JSON report's findings
/// are: built whole first, the log and its owned results peaked at 8x the
/// snapshot.
pub fn write(
    findings: &[Finding],
    sources: &SourceSet,
    rules: &[RuleInfo],
    failures: &[RuleFailure],
    out: impl Write,
) -> io::Result<()> {
    let mut out = EscapeControls::new(out);
    let index: HashMap<&str, usize> = rules.iter().enumerate().map(|(i, r)| (r.code, i)).collect();
    write!(
        out,
        "{{\n  \"$schema\": \"{SCHEMA}\",\n  \"version\": \"2.1.0\",\n  \"runs\": [\n    {{\n      \"tool\": "
    )?;
    let mut text = Vec::new();
    serde_json::to_writer_pretty(&mut text, &tool(rules))?;
    indent(&text, 3, &mut out)?;
    // Our columns count characters; SARIF's default is UTF-16 code units.
    out.write_all(b",\n      \"columnKind\": \"unicodeCodePoints\",\n      \"results\": [")?;
    let mut alike = Alike::new(findings.iter());
    let mut first = true;
    in_file_groups(findings, sources, |group, paths| {
        let prints = fingerprints(group, paths, sources, &mut alike);
        for (batch, prints) in group.chunks(BATCH).zip(prints.chunks(BATCH)) {
            let parts = batch
                .par_chunks(PART)
                .zip(prints.par_chunks(PART))
                .map(|(part, prints)| serialize_part(part, prints, sources, &index))
                .collect::<io::Result<Vec<_>>>()?;
            for part in &parts {
                // Every result follows a separator; the first one's has no comma.
                out.write_all(if first { &part[1..] } else { part })?;
                first = false;
            }
        }
        Ok::<_, io::Error>(())
    })?;
    out.write_all(if findings.is_empty() { b"" } else { b"\n      " })?;
    out.write_all(b"],\n      \"invocations\": ")?;
    text.clear();
    serde_json::to_writer_pretty(&mut text, &[invocation(failures, &index)])?;
    indent(&text, 3, &mut out)?;
    out.write_all(b"\n    }\n  ]\n}\n")
}

/// The driver and the rules that ran.
fn tool<'a>(rules: &[RuleInfo<'a>]) -> Tool<'a> {
    // Each rule run on its example: a few tiny snapshots, in parallel.
    let fixes: Vec<Option<String>> =
        rules.par_iter().map(|r| r.rule.and_then(|(env, rule)| example_fix(env, rule))).collect();
    Tool {
        driver: Driver {
            name: "sitelint",
            version: env!("CARGO_PKG_VERSION"),
            rules: rules
                .iter()
                .zip(fixes)
                .map(|(r, fix)| Descriptor {
                    id: r.code,
                    name: r.name,
                    short_description: Text { text: r.summary },
                    full_description: OwnedText { text: prose(r.description.unwrap_or(r.summary)) },
                    help: help(r, fix.as_deref()),
                    help_uri: r.url,
                    default_configuration: Configuration { level: level(r.severity) },
                })
                .collect(),
        },
    }
}

/// Whether every rule completed, and if not, which failed, where and why.
fn invocation<'a>(failures: &[RuleFailure<'a>], index: &HashMap<&str, usize>) -> Invocation<'a> {
    let notifications: Vec<Notification> = failures
        .iter()
        .map(|failure| Notification {
            // `<built-in>/AC001.yaml` names no file.
            locations: match failure.file.starts_with('<') {
                true => Vec::new(),
                false => vec![NotificationLocation {
                    physical_location: StartLocation {
                        artifact_location: ArtifactLocation { uri: uri(Path::new(failure.file)) },
                        region: Start { start_line: failure.at.line, start_column: failure.at.column },
                    },
                }],
            },
            level: "error",
            message: OwnedText { text: failure.details() },
            associated_rule: RuleReference { id: failure.code, index: index.get(failure.code).copied() },
        })
        .collect();
    Invocation { execution_successful: notifications.is_empty(), tool_execution_notifications: notifications }
}

/// `findings` as elements of the run's `results` array (four levels deep),
/// each after its separator: `,`, a line break and the indentation.
fn serialize_part(
    findings: &[Finding],
    prints: &[String],
    sources: &SourceSet,
    index: &HashMap<&str, usize>,
) -> io::Result<Vec<u8>> {
    let mut part = Vec::with_capacity(findings.len() * 2048);
    let mut text = Vec::new();
    for (f, fingerprint) in findings.iter().zip(prints) {
        part.extend_from_slice(b",\n        ");
        text.clear();
        serde_json::to_writer_pretty(&mut text, &result(f, fingerprint, sources, index))?;
        indent(&text, 4, &mut part)?;
    }
    Ok(part)
}

/// A finding as a SARIF result.
fn result<'a>(
    f: &'a Finding,
    fingerprint: &str,
    sources: &SourceSet,
    index: &HashMap<&str, usize>,
) -> SarifResult<'a> {
    let physical = |at: &Location| {
        let (start, end) = region(sources, at);
        PhysicalLocation {
            artifact_location: ArtifactLocation { uri: uri(sources.path(at.file)) },
            region: Region {
                start_line: start.line,
                start_column: start.column,
                end_line: end.line,
                end_column: end.column,
            },
        }
    };
    SarifResult {
        rule_id: f.code(),
        rule_index: index.get(f.code()).copied(),
        level: level(f.severity),
        message: OwnedText { text: message_with_help(f) },
        locations: [SarifLocation { id: None, physical_location: physical(&f.primary), message: None }],
        related_locations: f
            .related
            .iter()
            .enumerate()
            .map(|(id, r)| SarifLocation {
                id: Some(id),
                physical_location: physical(&r.location),
                message: Some(Text { text: &r.message }),
            })
            .collect(),
        partial_fingerprints: BTreeMap::from([(FINGERPRINT, fingerprint.to_string())]),
    }
}

/// A rule's help, as `sitelint rule CODE` explains it: summary,
/// description, the fix it gives on its example, and its page.
fn help(rule: &RuleInfo, fix: Option<&str>) -> Help {
    let mut text = rule.summary.to_string();
    let mut markdown = escape_markdown(rule.summary);
    if let Some(description) = rule.description.map(prose) {
        text += &format!("\n\n{description}");
        markdown += &format!("\n\n{}", escape_markdown(&description));
    }
    if let Some(fix) = fix {
        text += &format!("\n\nFix (as given for the rule's example): {fix}");
        markdown += &format!("\n\n**Fix** (as given for the rule's example): {}", escape_markdown(fix));
    }
    if let Some(url) = rule.url {
        text += &format!("\n\nDocumentation: {url}");
        markdown += &format!("\n\n[Documentation]({url})");
    }
    Help { text, markdown }
}

/// A rule file's text with its paragraphs unwrapped: its lines break where
/// its author's editor did, and a viewer wraps to its own width.
fn prose(text: &str) -> String {
    let paragraphs =
        text.trim_end().split("\n\n").map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "));
    paragraphs.collect::<Vec<_>>().join("\n\n")
}

/// Rule texts are prose, not Markdown: `customers-<site>` would read as an
/// HTML tag and `a_b_c` as emphasis, so their punctuation is escaped.
fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A URI reference for a path as opened: relative paths stay relative
/// (code scanning resolves them against the checkout), absolute ones become
/// `file:` URIs. Everything but unreserved characters and `/` is
/// percent-encoded; `:` survives only in absolute paths (a drive letter),
/// since in a relative reference `a:b` would read as a scheme.
fn uri(path: &Path) -> String {
    encode(&slash_path(path), path.is_absolute())
}

fn encode(slashed: &str, absolute: bool) -> String {
    let mut out = String::with_capacity(slashed.len() + 8);
    if absolute {
        // `/tmp/a` gives `file:///tmp/a`, `C:/a` gives `file:///C:/a`.
        out.push_str(if slashed.starts_with('/') { "file://" } else { "file:///" });
    }
    for byte in slashed.bytes() {
        let keep = byte.is_ascii_alphanumeric()
            || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/')
            || (absolute && byte == b':');
        if keep {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The fingerprints of the next findings, given their key paths run by run
/// (as [`in_file_groups`] gives them): a hash of each one's code, subject
/// (entity, or message), path relative to the snapshot root and key path
/// in the file ([`key_paths`]), so it survives edits elsewhere and moving
/// the snapshot, and tells apart findings about one subject at different
/// places (a user listed as a customer of two projects): deleting one
/// leaves the other's fingerprint as it was. Only findings alike in all
/// four (a value written twice in one list) are told apart by their order
/// (`:1`, `:2`).
///
/// [`key_paths`]: super::keypath::key_paths
fn fingerprints(
    findings: &[Finding],
    paths: &[KeyPaths],
    sources: &SourceSet,
    alike: &mut Alike<u128>,
) -> Vec<String> {
    findings
        .iter()
        .zip(paths.iter().flat_map(KeyPaths::iter))
        .map(|(f, path)| {
            let relative = &sources.get(f.primary.file).relative;
            let key = fnv1a_128(&[f.code(), &f.subject(), relative, path]);
            format!("{key:032x}:{}", alike.number(f.primary.file, key))
        })
        .collect()
}

/// FNV-1a, 128 bits: specified, so fingerprints are the same on every
/// platform and Rust version (std's hasher promises neither). Each field is
/// preceded by its length so that field boundaries count.
fn fnv1a_128(fields: &[&str]) -> u128 {
    const OFFSET: u128 = 0x6c62272e07bb014262b821756295c58d;
    const PRIME: u128 = 0x0000000001000000000000000000013b;
    let mut hash = OFFSET;
    for field in fields {
        for byte in (field.len() as u64).to_le_bytes().iter().chain(field.as_bytes()) {
            hash ^= u128::from(*byte);
            hash = hash.wrapping_mul(PRIME);
        }
    }
    hash
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::finding::Check;
    use crate::report::keypath::{GROUP, key_paths};
    use crate::source::{LineCol, SourceFile, Span};

    /// The whole log as one serde value, as it was written before results
    /// were serialized in parallel.
    #[derive(Serialize)]
    struct Log<'a> {
        #[serde(rename = "$schema")]
        schema: &'static str,
        version: &'static str,
        runs: [Run<'a>; 1],
    }

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Run<'a> {
        tool: Tool<'a>,
        column_kind: &'static str,
        results: Vec<SarifResult<'a>>,
        invocations: [Invocation<'a>; 1],
    }

    fn at_once(
        findings: &[Finding],
        sources: &SourceSet,
        rules: &[RuleInfo],
        failures: &[RuleFailure],
    ) -> String {
        let index: HashMap<&str, usize> = rules.iter().enumerate().map(|(i, r)| (r.code, i)).collect();
        // Every hash remembered, whatever the order of the files.
        let mut seen: HashMap<u128, usize> = HashMap::new();
        let prints: Vec<String> = findings
            .iter()
            .zip(key_paths(findings, sources).iter())
            .map(|(f, path)| {
                let key = fnv1a_128(&[f.code(), &f.subject(), &sources.get(f.primary.file).relative, path]);
                let n = seen.entry(key).or_default();
                *n += 1;
                format!("{key:032x}:{n}")
            })
            .collect();
        let log = Log {
            schema: SCHEMA,
            version: "2.1.0",
            runs: [Run {
                tool: tool(rules),
                column_kind: "unicodeCodePoints",
                results: findings.iter().zip(&prints).map(|(f, p)| result(f, p, sources, &index)).collect(),
                invocations: [invocation(failures, &index)],
            }],
        };
        serde_json::to_string_pretty(&log).unwrap() + "\n"
    }

    #[test]
    fn results_serialized_in_batches_are_the_log_serialized_at_once() {
        let mut sources = SourceSet::default();
        let text = "a: 1\nb: \"two\"\nc: [x, y]\n";
        let files = ["dir/s.yaml", "dir/t.yaml"].map(|path| {
            sources.add(SourceFile::new(PathBuf::from(path), path[4..].into(), text.to_string()))
        });
        // Past one batch, across parts and groups of files, with texts to
        // escape, related places, findings alike (numbered fingerprints) in
        // both files and a rule the list lacks.
        let findings: Vec<Finding> = (0..GROUP + BATCH + PART + 3)
            .map(|i| {
                let file = files[usize::from(i > GROUP + PART)];
                let at = |start, end| Location { file, span: Span::new(start, end) };
                let check = if i % 7 == 0 { Check::UnknownKey } else { Check::InvalidValue };
                let finding = check.at(at(i % 5, 5 + i % 9), format!("line \"{}\"\nnext\ttab\u{1}é", i % 4));
                let finding = finding.with_help("fix \\ it\r\u{8}\u{c}");
                if i % 3 == 0 { finding.with_related(at(5, 8), "there") } else { finding }
            })
            .collect();
        let code = Check::InvalidValue.code();
        let rules = [RuleInfo::unlisted(code, "invalid-value", Severity::Warning, Some("https://x/<y>"))];
        let failures = ["rules/DIV001.yaml", "<built-in>/AC001.yaml"].map(|file| RuleFailure {
            code: "DIV001",
            message: "rule DIV001 failed on `\"x\"`".into(),
            file,
            at: LineCol { line: 7, column: 7 },
            help: "fix it",
        });
        for count in [0, 1, findings.len()] {
            for failures in [&[][..], &failures[..1], &failures[..]] {
                for rules in [&[][..], &rules[..]] {
                    let mut parallel = Vec::new();
                    write(&findings[..count], &sources, rules, failures, &mut parallel).unwrap();
                    let parallel = String::from_utf8(parallel).unwrap();
                    let whole = at_once(&findings[..count], &sources, rules, failures);
                    assert_eq!(parallel, whole, "{count} findings, {} failures", failures.len());
                }
            }
        }
        // Not file by file (a library caller's order): a file's findings
        // alike are still numbered across the other file's between them.
        let (mut mixed, mut rest): (Vec<Finding>, Vec<Finding>) =
            findings.into_iter().partition(|f| f.primary.file == files[0]);
        let tail = mixed.split_off(mixed.len() / 2);
        mixed.append(&mut rest);
        mixed.extend(tail);
        let mut parallel = Vec::new();
        write(&mixed, &sources, &rules, &failures, &mut parallel).unwrap();
        assert_eq!(String::from_utf8(parallel).unwrap(), at_once(&mixed, &sources, &rules, &failures));
    }

    #[test]
    fn uris_encode_what_a_uri_reference_cannot_hold() {
        assert_eq!(uri(Path::new("./snapshots/example/site.yaml")), "snapshots/example/site.yaml");
        assert_eq!(encode("my site/a,b:c.yaml", false), "my%20site/a%2Cb%3Ac.yaml");
        assert_eq!(encode("/tmp/é.yaml", true), "file:///tmp/%C3%A9.yaml");
        assert_eq!(encode("C:/s/a.yaml", true), "file:///C:/s/a.yaml");
    }

    #[test]
    fn markdown_punctuation_in_rule_texts_is_escaped() {
        assert_eq!(escape_markdown("customers-<site> a_b *c* `d`"), r"customers-\<site\> a\_b \*c\* \`d\`");
    }

    #[test]
    fn field_boundaries_change_the_hash() {
        assert_ne!(fnv1a_128(&["ab", "c"]), fnv1a_128(&["a", "bc"]));
    }
}
