//! SARIF 2.1.0 output, for code scanning (GitHub's upload-sarif, GitLab,
//! IDE viewers): one run whose driver lists every rule that ran, one result
//! per finding, and one invocation that says whether every rule completed.
//! No timestamps, so the same snapshot gives the same bytes.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;

use super::catalogue::example_fix;
use super::format::{RuleFailure, RuleInfo, message_with_help, region, slash_path};
use super::keypath::key_paths;
use crate::finding::{Finding, Severity};
use crate::source::{Location, SourceSet};

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The `partialFingerprints` key; bump the version if the hashed fields change.
const FINGERPRINT: &str = "sitelint/v2";

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
    /// Our columns count characters; SARIF's default is UTF-16 code units.
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
    invocations: [Invocation<'a>; 1],
}

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

pub fn render(
    findings: &[Finding],
    sources: &SourceSet,
    rules: &[RuleInfo],
    failures: &[RuleFailure],
) -> String {
    let index: HashMap<&str, usize> = rules.iter().enumerate().map(|(i, r)| (r.code, i)).collect();
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
    let results = findings
        .iter()
        .zip(fingerprints(findings, sources))
        .map(|(f, fingerprint)| SarifResult {
            rule_id: &f.code,
            rule_index: index.get(&*f.code).copied(),
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
            partial_fingerprints: BTreeMap::from([(FINGERPRINT, fingerprint)]),
        })
        .collect();
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
    // Each rule run on its example: a few tiny snapshots, in parallel.
    let fixes: Vec<Option<String>> =
        rules.par_iter().map(|r| r.rule.and_then(|(env, rule)| example_fix(env, rule))).collect();
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
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
            },
            column_kind: "unicodeCodePoints",
            results,
            invocations: [Invocation {
                execution_successful: notifications.is_empty(),
                tool_execution_notifications: notifications,
            }],
        }],
    };
    // Serializing plain data to a String cannot fail.
    let mut out = serde_json::to_string_pretty(&log).unwrap_or_default();
    out.push('\n');
    out
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

/// One fingerprint per finding: a hash of its code, subject (entity, or
/// message), path relative to the snapshot root and key path in the file
/// ([`key_paths`]), so it survives edits elsewhere and moving the snapshot,
/// and tells apart findings about one subject at different places (a user
/// listed as a customer of two projects): deleting one leaves the other's
/// fingerprint as it was. Only findings alike in all four (a value written
/// twice in one list) are told apart by their order (`:1`, `:2`).
fn fingerprints(findings: &[Finding], sources: &SourceSet) -> Vec<String> {
    let mut seen: HashMap<u128, usize> = HashMap::new();
    findings
        .iter()
        .zip(key_paths(findings, sources))
        .map(|(f, path)| {
            let relative = &sources.get(f.primary.file).relative;
            let key = fnv1a_128(&[&f.code, f.subject(), relative, &path]);
            let n = seen.entry(key).or_default();
            *n += 1;
            format!("{key:032x}:{n}")
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
    use super::*;

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
