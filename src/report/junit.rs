//! JUnit XML, valid against Ant's strict schema (the one CI systems such as
//! GitLab and Jenkins read): one test suite per rule that ran, holding one
//! failing test case per finding and one erroring test case per error that
//! stopped the rule, or one passing test case when the rule found nothing,
//! so a report also shows what was checked.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};
use std::time::{SystemTime, UNIX_EPOCH};

use rayon::prelude::*;

use super::format::{RuleFailure, RuleInfo, details, place};
use super::keypath::{Alike, key_paths};
use crate::date::Date;
use crate::finding::{Finding, Severity};
use crate::source::SourceSet;

/// The environment-dependent parts the schema requires on every suite.
#[derive(Debug, Clone)]
pub struct Meta {
    /// `YYYY-MM-DDTHH:MM:SS`, UTC (the schema allows no time zone).
    pub timestamp: String,
    pub hostname: String,
}

impl Meta {
    /// `SITELINT_TIMESTAMP` when it is a valid `YYYY-MM-DDTHH:MM:SS` (for
    /// reproducible reports; any other value is ignored, since a report
    /// cannot fail), else the current UTC time. The host's name from
    /// `/etc/hostname`, `HOSTNAME` or (Windows) `COMPUTERNAME`, else
    /// `localhost`, the schema's word for an unknown host.
    pub fn from_environment() -> Meta {
        let timestamp = std::env::var("SITELINT_TIMESTAMP")
            .ok()
            .filter(|t| valid_timestamp(t))
            .unwrap_or_else(|| utc(SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())));
        let hostname = std::fs::read_to_string("/etc/hostname")
            .ok()
            .or_else(|| std::env::var("HOSTNAME").ok())
            .or_else(|| std::env::var("COMPUTERNAME").ok())
            .map(|h| h.trim().to_string())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "localhost".to_string());
        Meta { timestamp, hostname }
    }
}

/// Failing test cases rendered together, in parallel, before they are written.
const BATCH: usize = 1024;
/// Failing test cases one thread renders into one buffer.
const PART: usize = 64;

/// Writes the report to `out`.
///
/// Failing test cases are most of a big report (109 MB for a 59 MB snapshot
/// with 63,000 findings), so they are rendered in parallel, a batch at a
/// time, and written in order as each batch is done, as the JSON report's
/// findings are: rendered whole first, the report peaked at 5x the snapshot.
pub fn write(
    findings: &[Finding],
    sources: &SourceSet,
    rules: &[RuleInfo],
    failures: &[RuleFailure],
    meta: &Meta,
    mut out: impl Write,
) -> io::Result<()> {
    let mut by_code: BTreeMap<&str, (Vec<Case>, Vec<&RuleFailure>)> = BTreeMap::new();
    let paths = key_paths(findings, sources);
    for (f, path) in findings.iter().zip(paths.iter()) {
        by_code.entry(f.code()).or_default().0.push((f, path));
    }
    for failure in failures {
        by_code.entry(failure.code).or_default().1.push(failure);
    }
    let mut suites: Vec<Suite> = rules
        .iter()
        .map(|r| {
            let (findings, failures) = by_code.remove(r.code).unwrap_or_default();
            Suite { rule: r.clone(), findings, failures }
        })
        .collect();
    // A finding or failure of a rule the list does not describe still gets
    // its suite: every finding is a failing test case, every failure an
    // erroring one.
    suites.extend(by_code.into_iter().map(|(code, (findings, failures))| {
        let rule = match findings.first() {
            Some((f, _)) => RuleInfo::unlisted(code, f.name(), f.severity, f.url()),
            None => RuleInfo::unlisted(code, "", Severity::Error, None),
        };
        Suite { rule, findings, failures }
    }));

    out.write_all(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n")?;
    for (id, suite) in suites.iter().enumerate() {
        suite.write(&mut out, id, sources, meta)?;
    }
    out.write_all(b"</testsuites>\n")
}

/// A finding, and its key path in its file.
type Case<'a> = (&'a Finding, &'a str);

struct Suite<'a> {
    rule: RuleInfo<'a>,
    findings: Vec<Case<'a>>,
    /// Why the rule did not complete: each is an erroring test case, and
    /// the rule has no passing one, since its findings may be missing.
    failures: Vec<&'a RuleFailure<'a>>,
}

impl Suite<'_> {
    fn write(&self, out: &mut impl Write, id: usize, sources: &SourceSet, meta: &Meta) -> io::Result<()> {
        let rule = &self.rule;
        let classname = attribute(&format!("sitelint.{}", rule.code));
        let cases = self.findings.len() + self.failures.len();
        let mut head = String::new();
        // Writing into a String cannot fail.
        let _ = writeln!(
            head,
            "  <testsuite name=\"{}\" package=\"sitelint\" id=\"{id}\" tests=\"{}\" failures=\"{}\" \
             errors=\"{}\" skipped=\"0\" time=\"0\" timestamp=\"{}\" hostname=\"{}\">",
            attribute(format!("{} {}", rule.code, rule.name).trim_end()),
            cases.max(1),
            self.findings.len(),
            self.failures.len(),
            attribute(&meta.timestamp),
            attribute(&meta.hostname),
        );
        head.push_str("    <properties>\n");
        let url = rule.url.map(|u| ("url", u));
        for (name, value) in
            [("severity", rule.severity.as_str()), ("summary", rule.summary)].into_iter().chain(url)
        {
            let _ = writeln!(head, "      <property name=\"{name}\" value=\"{}\"/>", attribute(value));
        }
        head.push_str("    </properties>\n");
        if cases == 0 {
            let _ =
                writeln!(head, "    <testcase name=\"no findings\" classname=\"{classname}\" time=\"0\"/>");
        }
        out.write_all(head.as_bytes())?;
        let mut alike = Alike::new(self.findings.iter().map(|(f, _)| *f));
        for batch in self.findings.chunks(BATCH) {
            let names = names(batch, sources, &mut alike);
            let parts: Vec<String> = batch
                .par_chunks(PART)
                .zip(names.par_chunks(PART))
                .map(|(cases, names)| {
                    let mut part = String::new();
                    for ((f, _), name) in cases.iter().zip(names) {
                        failing_case(&mut part, f, name, &classname, sources);
                    }
                    part
                })
                .collect();
            for part in &parts {
                out.write_all(part.as_bytes())?;
            }
        }
        let mut tail = String::new();
        for failure in &self.failures {
            let _ = writeln!(
                tail,
                "    <testcase name=\"rule error\" classname=\"{classname}\" time=\"0\">\n      \
                 <error message=\"{}\" type=\"rule error\">{}</error>\n    </testcase>",
                attribute(&failure.message),
                text(&failure.details()),
            );
        }
        tail.push_str("    <system-out></system-out>\n    <system-err></system-err>\n  </testsuite>\n");
        out.write_all(tail.as_bytes())
    }
}

/// The test case name of each of the next findings of a suite.
///
/// Named by what the finding is about, its file (within the snapshot) and
/// the keys down to it, not its line, so CI systems that track tests across
/// runs see the same test, and a sibling's removal renames none. Reporters
/// key tests on name and classname, so findings alike in all of these (a
/// value twice in one list) are numbered.
fn names(cases: &[Case], sources: &SourceSet, alike: &mut Alike<String>) -> Vec<String> {
    let mut names: Vec<String> = cases
        .par_iter()
        .map(|(f, path)| {
            // The path within the snapshot, as fingerprints use: the same
            // however the snapshot was named on the command line.
            let file = &sources.get(f.primary.file).relative;
            match *path {
                "" => format!("{} ({file})", f.subject()),
                path => format!("{} ({file}: {path})", f.subject()),
            }
        })
        .collect();
    // Numbering is in order, so it is a pass of its own, after the names
    // were made in parallel.
    for (name, (f, _)) in names.iter_mut().zip(cases) {
        let n = alike.number(f.primary.file, name.clone());
        if n > 1 {
            *name += &format!(" #{n}");
        }
    }
    names
}

/// A finding's failing test case.
fn failing_case(out: &mut String, f: &Finding, name: &str, classname: &str, sources: &SourceSet) {
    let body = format!(
        "{}: {} {} {}\n{}",
        place(sources, &f.primary),
        f.severity.as_str(),
        f.code(),
        f.name(),
        details(f, sources)
    );
    let _ = writeln!(
        out,
        "    <testcase name=\"{}\" classname=\"{classname}\" time=\"0\">\n      \
         <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>",
        attribute(name),
        attribute(&f.message().text()),
        f.severity.as_str(),
        text(&body),
    );
}

/// Escapes character data.
fn text(s: &str) -> String {
    escape(s, false)
}

/// Escapes an attribute value. Tabs and line breaks become references, or a
/// parser would normalize them to spaces.
fn attribute(s: &str) -> String {
    escape(s, true)
}

fn escape(s: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(s.len());
    // Runs of characters kept as they are are copied whole (char by char,
    // escaping was a sixth of a big report's time). A run ends at a byte
    // of a character below: ASCII, 0xC2, which leads the C1 controls, or
    // 0xEF, which leads U+FFFE and U+FFFF; each starts a character, since
    // none continues one.
    let mut rest = s;
    while let Some(at) =
        rest.bytes().position(|b| b < 0x20 || matches!(b, b'&' | b'<' | b'>' | b'"' | 0x7f | 0xc2 | 0xef))
    {
        out.push_str(&rest[..at]);
        let c = rest[at..].chars().next().unwrap_or_default();
        rest = &rest[at + c.len_utf8()..];
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            // A raw CR reads back as LF in text too.
            '\r' => out.push_str("&#13;"),
            '\n' | '\t' if attribute => {
                let _ = write!(out, "&#{};", u32::from(c));
            }
            '\n' | '\t' => out.push(c),
            // XML 1.0 cannot carry other control characters, not even as
            // references, nor U+FFFE/U+FFFF. It can DEL and C1, but a
            // terminal showing the report would act on them (U+009B as
            // ESC `[`).
            '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{fffe}' | '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out.push_str(rest);
    out
}

/// Whether `t` is `YYYY-MM-DDTHH:MM:SS` naming a real moment: the schema's
/// pattern on an `xs:dateTime`, which also checks the calendar and has no
/// year 0.
fn valid_timestamp(t: &str) -> bool {
    let (Some(date), Some(clock)) = (t.get(..10), t.get(10..)) else {
        return false;
    };
    let b = clock.as_bytes();
    let shape = b.len() == 9
        && b[0] == b'T'
        && b[3] == b':'
        && b[6] == b':'
        && [1, 2, 4, 5, 7, 8].iter().all(|&i| b[i].is_ascii_digit());
    let below = |i: usize, limit: u8| (b[i] - b'0') * 10 + (b[i + 1] - b'0') < limit;
    Date::parse(date).is_some()
        && !date.starts_with("0000")
        && shape
        && below(1, 24)
        && below(4, 60)
        && below(7, 60)
}

/// Seconds since the Unix epoch as `YYYY-MM-DDTHH:MM:SS`, UTC (Howard
/// Hinnant's civil-from-days; std has no calendar).
fn utc(secs: u64) -> String {
    let rest = secs % 86_400;
    format!("{}T{:02}:{:02}:{:02}", Date::from_unix_seconds(secs), rest / 3600, rest % 3600 / 60, rest % 60)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::finding::Check;
    use crate::source::{Location, SourceFile, Span};

    /// Findings alike past one batch and across parts: numbered in order,
    /// also when another file's findings come between them.
    #[test]
    fn cases_rendered_in_batches_are_numbered_in_order() {
        let mut sources = SourceSet::default();
        let [s, t] = ["s.yaml", "t.yaml"].map(|name| {
            sources.add(SourceFile::new(PathBuf::from(name), name.into(), "a: [x, x]\n".to_string()))
        });
        let count = BATCH + PART + 3;
        let alike = |file, count: usize| -> Vec<Finding> {
            (0..count)
                .map(|i| {
                    Check::Duplicate.at(Location { file, span: Span::new(7, 8) }, format!("x <{}>", i % 2))
                })
                .collect()
        };
        let expected = |name: &str, count: usize| -> Vec<String> {
            (0..count)
                .map(|i| {
                    let name = format!("x &lt;{}&gt; ({name}: a[x])", i % 2);
                    match i / 2 + 1 {
                        1 => name,
                        n => format!("{name} #{n}"),
                    }
                })
                .collect()
        };
        let names = |findings: &[Finding]| -> Vec<String> {
            let meta = Meta { timestamp: "2026-01-01T00:00:00".into(), hostname: "h".into() };
            let mut out = Vec::new();
            write(findings, &sources, &[], &[], &meta, &mut out).unwrap();
            let out = String::from_utf8(out).unwrap();
            assert!(out.ends_with("  </testsuite>\n</testsuites>\n"), "{out}");
            out.lines()
                .filter_map(|l| Some(l.strip_prefix("    <testcase name=\"")?.split('"').next()?.to_string()))
                .collect()
        };
        assert_eq!(names(&alike(s, count)), expected("s.yaml", count));
        // s's findings, then t's, then more of s's.
        let mut mixed = alike(s, count);
        let tail = mixed.split_off(count / 2);
        mixed.extend(alike(t, 5));
        mixed.extend(tail);
        let mut both = expected("s.yaml", count);
        let tail = both.split_off(count / 2);
        both.extend(expected("t.yaml", 5));
        both.extend(tail);
        assert_eq!(names(&mixed), both);
    }

    #[test]
    fn utc_formats_the_calendar() {
        assert_eq!(utc(0), "1970-01-01T00:00:00");
        assert_eq!(utc(951_782_400), "2000-02-29T00:00:00");
        assert_eq!(utc(1_709_251_199), "2024-02-29T23:59:59");
    }

    #[test]
    fn timestamps_must_be_real_moments_without_a_zone() {
        assert!(valid_timestamp("2024-02-29T23:59:59"));
        for bad in
            ["2023-02-29T00:00:00", "2024-13-01T00:00:00", "2024-01-01T24:00:00", "2024-01-01T00:00:00Z", ""]
        {
            assert!(!valid_timestamp(bad), "{bad}");
        }
    }

    #[test]
    fn escaping_keeps_markup_and_whitespace_and_drops_what_xml_cannot_hold() {
        assert_eq!(attribute("a<b>&\"c\"\n\t\r"), "a&lt;b&gt;&amp;&quot;c&quot;&#10;&#9;&#13;");
        assert_eq!(text("'a'\n\"b\"\r\u{1}\u{ffff}"), "'a'\n\"b\"&#13;\u{fffd}\u{fffd}");
        assert_eq!(text("é\u{fffe}\u{f8ff}\u{fffd}€ <x>"), "é\u{fffd}\u{f8ff}\u{fffd}€ &lt;x&gt;");
    }
}
