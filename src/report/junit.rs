//! JUnit XML, valid against Ant's strict schema (the one CI systems such as
//! GitLab and Jenkins read): one test suite per rule that ran, holding one
//! failing test case per finding and one erroring test case per error that
//! stopped the rule, or one passing test case when the rule found nothing,
//! so a report also shows what was checked.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;
use std::time::{SystemTime, UNIX_EPOCH};

use super::format::{RuleFailure, RuleInfo, details, place, slash_path};
use super::keypath::key_paths;
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

pub fn render(
    findings: &[Finding],
    sources: &SourceSet,
    rules: &[RuleInfo],
    failures: &[RuleFailure],
    meta: &Meta,
) -> String {
    let mut by_code: BTreeMap<&str, (Vec<Case>, Vec<&RuleFailure>)> = BTreeMap::new();
    for (f, path) in findings.iter().zip(key_paths(findings, sources)) {
        by_code.entry(&f.code).or_default().0.push((f, path));
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
            Some((f, _)) => RuleInfo::unlisted(code, &f.name, f.severity, f.url.as_deref()),
            None => RuleInfo::unlisted(code, "", Severity::Error, None),
        };
        Suite { rule, findings, failures }
    }));

    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
    for (id, suite) in suites.iter().enumerate() {
        suite.write(&mut out, id, sources, meta);
    }
    out.push_str("</testsuites>\n");
    out
}

/// A finding, and its key path in its file.
type Case<'a> = (&'a Finding, String);

struct Suite<'a> {
    rule: RuleInfo<'a>,
    findings: Vec<Case<'a>>,
    /// Why the rule did not complete: each is an erroring test case, and
    /// the rule has no passing one, since its findings may be missing.
    failures: Vec<&'a RuleFailure<'a>>,
}

impl Suite<'_> {
    fn write(&self, out: &mut String, id: usize, sources: &SourceSet, meta: &Meta) {
        let rule = &self.rule;
        let classname = attribute(&format!("sitelint.{}", rule.code));
        let cases = self.findings.len() + self.failures.len();
        // Writing into a String cannot fail.
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" package=\"sitelint\" id=\"{id}\" tests=\"{}\" failures=\"{}\" \
             errors=\"{}\" skipped=\"0\" time=\"0\" timestamp=\"{}\" hostname=\"{}\">",
            attribute(format!("{} {}", rule.code, rule.name).trim_end()),
            cases.max(1),
            self.findings.len(),
            self.failures.len(),
            attribute(&meta.timestamp),
            attribute(&meta.hostname),
        );
        out.push_str("    <properties>\n");
        let url = rule.url.map(|u| ("url", u));
        for (name, value) in
            [("severity", rule.severity.as_str()), ("summary", rule.summary)].into_iter().chain(url)
        {
            let _ = writeln!(out, "      <property name=\"{name}\" value=\"{}\"/>", attribute(value));
        }
        out.push_str("    </properties>\n");
        if cases == 0 {
            let _ =
                writeln!(out, "    <testcase name=\"no findings\" classname=\"{classname}\" time=\"0\"/>");
        }
        // Names already given in this suite, and how many times.
        let mut names: HashMap<String, usize> = HashMap::new();
        for (f, path) in &self.findings {
            // Named by what the finding is about, its file and the keys down
            // to it, not its line, so CI systems that track tests across
            // runs see the same test, and a sibling's removal renames none.
            // Reporters key tests on name and classname, so findings alike
            // in all of these (a value twice in one list) are numbered.
            let file = slash_path(sources.path(f.primary.file));
            let mut name = match path.as_str() {
                "" => format!("{} ({file})", f.subject()),
                path => format!("{} ({file}: {path})", f.subject()),
            };
            let seen = names.entry(name.clone()).or_default();
            *seen += 1;
            if *seen > 1 {
                name += &format!(" #{seen}");
            }
            let body = format!(
                "{}: {} {} {}\n{}",
                place(sources, &f.primary),
                f.severity.as_str(),
                f.code,
                f.name,
                details(f, sources)
            );
            let _ = writeln!(
                out,
                "    <testcase name=\"{}\" classname=\"{classname}\" time=\"0\">\n      \
                 <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>",
                attribute(&name),
                attribute(&f.message),
                f.severity.as_str(),
                text(&body),
            );
        }
        for failure in &self.failures {
            let _ = writeln!(
                out,
                "    <testcase name=\"rule error\" classname=\"{classname}\" time=\"0\">\n      \
                 <error message=\"{}\" type=\"rule error\">{}</error>\n    </testcase>",
                attribute(&failure.message),
                text(&failure.details()),
            );
        }
        out.push_str("    <system-out></system-out>\n    <system-err></system-err>\n  </testsuite>\n");
    }
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
    for c in s.chars() {
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
            // references, nor U+FFFE/U+FFFF.
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
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
    use super::*;

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
    }
}
