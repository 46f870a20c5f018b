//! `check --stats`: how big the snapshot is, where the time went, and which
//! rules are slow. Printed to stderr after the report: the timings differ
//! from run to run, and the report must not.

use std::fmt::Write;
use std::time::{Duration, Instant};

use crate::model::Site;
use crate::model::site::HolderTarget;
use crate::rules::engine::RuleStats;

/// The wall-clock time of each phase of a check, measured as laps: a phase
/// ends where the next starts, so the phases add up to the total.
#[derive(Debug)]
pub struct Laps {
    last: Instant,
    phases: Vec<Phase>,
}

/// One phase of a check.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Phase {
    pub name: &'static str,
    pub time: Duration,
    /// The most memory the process had held by the end of the phase, in
    /// bytes (the high-water mark of its resident set), where the system
    /// says.
    pub peak_memory: Option<u64>,
}

impl Laps {
    /// Starts the first phase now.
    pub fn start() -> Laps {
        Laps { last: Instant::now(), phases: Vec::new() }
    }

    /// Ends the phase `name`, started by the previous lap (or the start).
    pub fn lap(&mut self, name: &'static str) {
        let now = Instant::now();
        // The kernel's count lags a little behind, so a later reading can be
        // lower; the peak so far is the highest of them.
        let before = self.phases.iter().filter_map(|p| p.peak_memory).max();
        let peak_memory = peak_memory().map(|now| before.map_or(now, |before| before.max(now)));
        self.phases.push(Phase { name, time: now - self.last, peak_memory });
        self.last = now;
    }

    pub fn phases(&self) -> &[Phase] {
        &self.phases
    }
}

/// The process's peak resident set so far: `VmHWM` in /proc/self/status,
/// on Linux; `None` elsewhere.
fn peak_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find_map(|l| l.strip_prefix("VmHWM:"))?;
    let kb: u64 = line.trim().strip_suffix("kB")?.trim().parse().ok()?;
    Some(kb * 1024)
}

/// How many of each entity the model holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Entities {
    pub users: usize,
    pub groups: usize,
    pub project_roles: usize,
    pub permission_schemes: usize,
    pub grants: usize,
    pub projects: usize,
    pub service_projects: usize,
    pub organizations: usize,
    pub email_channels: usize,
    /// Every reference to another entity that resolution looks up: to a
    /// user, group, permission scheme or organization, and each grant holder
    /// that names a project role, group or user.
    pub references: usize,
}

impl Entities {
    pub fn count(site: &Site) -> Entities {
        let projects = &site.projects;
        let desks = || projects.iter().filter_map(|p| p.service_desk.as_ref());
        let grants = || site.permission_schemes.iter().flat_map(|s| &s.permissions);
        let holders = grants().filter(|g| g.holder.target != HolderTarget::None).count();
        let project_refs: usize = projects
            .iter()
            .map(|p| {
                usize::from(p.permission_scheme.is_some())
                    + usize::from(p.lead.is_some())
                    + p.roles.iter().map(|r| r.users.len() + r.groups.len()).sum::<usize>()
            })
            .sum();
        let desk_refs: usize = desks().map(|d| d.customers.len() + d.organizations.len()).sum();
        let member_refs: usize = site.groups.iter().map(|g| g.members.len()).sum::<usize>()
            + site.organizations.iter().map(|o| o.members.len()).sum::<usize>()
            + site.users.iter().map(|u| u.groups().len()).sum::<usize>();
        Entities {
            users: site.users.len(),
            groups: site.groups.len(),
            project_roles: site.project_roles.len(),
            permission_schemes: site.permission_schemes.len(),
            grants: grants().count(),
            projects: projects.len(),
            service_projects: desks().count(),
            organizations: site.organizations.len(),
            email_channels: desks().map(|d| d.email_channels.len()).sum(),
            references: holders + project_refs + desk_refs + member_refs,
        }
    }
}

/// What happened to the findings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FindingCounts {
    /// In the report (or, with `--write-baseline`, in the baseline).
    pub reported: usize,
    pub suppressed: usize,
    /// Left out because the baseline knows them.
    pub known: usize,
}

/// Everything `--stats` prints.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    pub files: usize,
    pub bytes: u64,
    pub entities: Entities,
    pub findings: FindingCounts,
    /// Each phase, in order.
    pub phases: Vec<Phase>,
    /// Per rule, in any order.
    pub rules: Vec<RuleStats>,
    pub threads: usize,
}

impl Stats {
    /// The rules, slowest first (by code when as slow, to the microsecond
    /// printed, so that equal times read in code order).
    pub fn slowest_rules(&self) -> Vec<&RuleStats> {
        let printed = |r: &RuleStats| micros(r.time);
        let mut rules: Vec<&RuleStats> = self.rules.iter().collect();
        rules.sort_by(|a, b| printed(b).cmp(&printed(a)).then_with(|| a.code.cmp(&b.code)));
        rules
    }

    /// The text `--stats` prints, lines no longer than `width` where it can.
    pub fn render(&self, width: usize) -> String {
        let mut out = String::from("stats\n");
        let e = &self.entities;
        let _ = writeln!(out, "  files     {} ({} bytes)", self.files, self.bytes);
        let entities = [
            count(e.users, "user", "users"),
            count(e.groups, "group", "groups"),
            count(e.project_roles, "project role", "project roles"),
            count(e.permission_schemes, "permission scheme", "permission schemes"),
            count(e.grants, "grant", "grants"),
            format!(
                "{} ({})",
                count(e.projects, "project", "projects"),
                count(e.service_projects, "service project", "service projects")
            ),
            count(e.organizations, "organization", "organizations"),
            count(e.email_channels, "email channel", "email channels"),
            count(e.references, "reference", "references"),
        ];
        out += &wrap_list("  entities  ", &entities, width);
        let f = &self.findings;
        let _ = writeln!(
            out,
            "  findings  {} reported, {} suppressed, {} known from the baseline",
            f.reported, f.suppressed, f.known
        );
        let _ = writeln!(out, "  threads   {}", self.threads);

        let name_width = self.phases.iter().map(|p| p.name.len()).max().unwrap_or(0).max("total".len());
        let total = Phase {
            name: "total",
            time: self.phases.iter().map(|p| p.time).sum(),
            peak_memory: self.phases.iter().filter_map(|p| p.peak_memory).max(),
        };
        let _ = writeln!(out, "  {:<name_width$}  {:>12}  {:>11}", "phase", "time", "peak memory");
        for phase in self.phases.iter().chain([&total]) {
            let peak = phase.peak_memory.map_or_else(|| "-".to_string(), megabytes);
            let _ = writeln!(out, "  {:<name_width$}  {:>12}  {peak:>11}", phase.name, millis(phase.time));
        }

        let rules = self.slowest_rules();
        if rules.is_empty() {
            return out;
        }
        let code_width = rules.iter().map(|r| r.code.len()).max().unwrap_or(0).max("rule".len());
        let each_width = rules.iter().map(|r| r.collection.len()).max().unwrap_or(0).max("for_each".len());
        let rules_time: Duration = rules.iter().map(|r| r.time).sum();
        let _ = writeln!(
            out,
            "  {:<code_width$}  {:<each_width$}  {:>8}  {:>8}  {:>12}  {:>6}",
            "rule", "for_each", "items", "findings", "time", "share"
        );
        for rule in &rules {
            let share = match rules_time.as_nanos() {
                0 => "-".to_string(),
                all => format!("{:.1}%", rule.time.as_nanos() as f64 * 100.0 / all as f64),
            };
            let _ = writeln!(
                out,
                "  {:<code_width$}  {:<each_width$}  {:>8}  {:>8}  {:>12}  {share:>6}",
                rule.code,
                rule.collection,
                rule.items,
                rule.findings,
                millis(rule.time)
            );
        }
        let items: usize = rules.iter().map(|r| r.items).sum();
        let _ = writeln!(
            out,
            "  {} {}, {} {} evaluated; a rule's time is the time its items took, added up over the threads",
            rules.len(),
            if rules.len() == 1 { "rule" } else { "rules" },
            items,
            if items == 1 { "item" } else { "items" },
        );
        out
    }
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Milliseconds with three decimals: one unit, so a column compares at a glance.
fn millis(time: Duration) -> String {
    let micros = micros(time);
    format!("{}.{:03} ms", micros / 1000, micros % 1000)
}

/// A time to the microsecond, rounded half up: what [`millis`] prints and
/// what the rules are ordered by, so that times printed alike sort alike
/// (a float's `{:.3}` rounded some halves the other way).
fn micros(time: Duration) -> u128 {
    (time.as_nanos() + 500) / 1000
}

/// Megabytes (10^6 bytes, as `--max-file-size` counts them) with one decimal.
fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

/// `head` then the items joined with ", ", broken between items so that
/// lines stay within `width`, continuation lines indented like the first.
fn wrap_list(head: &str, items: &[String], width: usize) -> String {
    let indent = " ".repeat(head.len());
    let mut out = String::new();
    let mut line = head.to_string();
    for (i, item) in items.iter().enumerate() {
        let last = i + 1 == items.len();
        let piece = if last { item.clone() } else { format!("{item},") };
        if line.len() > head.len() && line.len() + 1 + piece.len() > width {
            out += line.trim_end();
            out.push('\n');
            line = indent.clone();
        } else if line.len() > head.len() {
            line.push(' ');
        }
        line += &piece;
    }
    out + line.trim_end() + "\n"
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn rule(code: &str, collection: &'static str, items: usize, findings: usize, micros: u64) -> RuleStats {
        RuleStats { code: Arc::from(code), collection, items, findings, time: Duration::from_micros(micros) }
    }

    /// Times that round to the same microsecond print alike and sort by
    /// code. Formatting the float with `{:.3}` printed 1,002,500 ns as
    /// 1.002 ms but sorted it with 1.003 ms, so a rule could print as faster
    /// than the one after it (a flaky test of the slowest-first order).
    #[test]
    fn rules_as_slow_to_the_printed_microsecond_sort_by_code() {
        let at = |code: &str, nanos: u64| RuleStats {
            time: Duration::from_nanos(nanos),
            ..rule(code, "users", 1, 0, 0)
        };
        let stats = Stats { rules: vec![at("ZZ001", 1_002_700), at("AA001", 1_002_500)], ..sample() };
        let order: Vec<(&str, String)> =
            stats.slowest_rules().iter().map(|r| (&*r.code, millis(r.time))).collect();
        assert_eq!(order, [("AA001", "1.003 ms".to_string()), ("ZZ001", "1.003 ms".to_string())]);
        assert_eq!(millis(Duration::from_nanos(499)), "0.000 ms");
        assert_eq!(millis(Duration::from_micros(62_345_678)), "62345.678 ms");
    }

    fn phase(name: &'static str, micros: u64, peak_memory: Option<u64>) -> Phase {
        Phase { name, time: Duration::from_micros(micros), peak_memory }
    }

    fn sample() -> Stats {
        Stats {
            files: 9,
            bytes: 42_403,
            entities: Entities {
                users: 13,
                groups: 4,
                project_roles: 5,
                permission_schemes: 3,
                grants: 1,
                projects: 3,
                service_projects: 2,
                organizations: 2,
                email_channels: 2,
                references: 50,
            },
            findings: FindingCounts { reported: 16, suppressed: 2, known: 1 },
            phases: vec![
                phase("setup", 3_412, Some(4_200_000)),
                phase("read+decode", 1_203, Some(91_350_000)),
                phase("rules", 12_000_500, Some(91_350_000)),
            ],
            rules: vec![
                rule("PS001", "permission_schemes", 3, 1, 250),
                rule("AC001", "users", 13, 2, 1_750),
                rule("ZZ001", "site", 1, 0, 250),
                rule("CA001", "customer_access", 0, 0, 0),
            ],
            threads: 2,
        }
    }

    #[test]
    fn rules_are_listed_slowest_first_then_by_code() {
        let stats = sample();
        let order: Vec<&str> = stats.slowest_rules().iter().map(|r| &*r.code).collect();
        assert_eq!(order, ["AC001", "PS001", "ZZ001", "CA001"]);
    }

    #[test]
    fn renders_sizes_phases_and_rules() {
        let expected = "\
stats
  files     9 (42403 bytes)
  entities  13 users, 4 groups, 5 project roles, 3 permission schemes, 1 grant,
            3 projects (2 service projects), 2 organizations, 2 email channels, 50 references
  findings  16 reported, 2 suppressed, 1 known from the baseline
  threads   2
  phase                time  peak memory
  setup            3.412 ms       4.2 MB
  read+decode      1.203 ms      91.3 MB
  rules        12000.500 ms      91.3 MB
  total        12005.115 ms      91.3 MB
  rule   for_each               items  findings          time   share
  AC001  users                     13         2      1.750 ms   77.8%
  PS001  permission_schemes         3         1      0.250 ms   11.1%
  ZZ001  site                       1         0      0.250 ms   11.1%
  CA001  customer_access            0         0      0.000 ms    0.0%
  4 rules, 17 items evaluated; a rule's time is the time its items took, added up over the threads
";
        // The second entities line is 93 characters: it just fits.
        assert_eq!(sample().render(93), expected);
    }

    #[test]
    fn lists_wrap_between_items() {
        let items = ["1 user".to_string(), "2 groups".to_string(), "3 grants".to_string()];
        assert_eq!(wrap_list("  e  ", &items, 100), "  e  1 user, 2 groups, 3 grants\n");
        // "  e  1 user, 2 groups," is 22 characters.
        assert_eq!(wrap_list("  e  ", &items, 22), "  e  1 user, 2 groups,\n     3 grants\n");
        assert_eq!(wrap_list("  e  ", &items, 21), "  e  1 user,\n     2 groups,\n     3 grants\n");
        // An item longer than the width still gets a line of its own.
        assert_eq!(wrap_list("  e  ", &items, 3), "  e  1 user,\n     2 groups,\n     3 grants\n");
    }

    #[test]
    fn no_rules_no_rule_table() {
        let stats = Stats { rules: Vec::new(), ..sample() };
        let text = stats.render(100);
        assert!(text.ends_with("  total        12005.115 ms      91.3 MB\n"), "{text}");
    }

    #[test]
    fn memory_not_known_is_a_dash() {
        let stats = Stats { phases: vec![phase("setup", 1, None)], rules: Vec::new(), ..sample() };
        let text = stats.render(100);
        let table = &text[text.find("  phase").unwrap()..];
        assert_eq!(
            table,
            "  phase          time  peak memory\n  setup      0.001 ms            -\n  total      0.001 ms            -\n"
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn laps_record_the_peak_so_far() {
        let mut laps = Laps::start();
        laps.lap("one");
        // black_box: an optimized build would otherwise not allocate what
        // nothing reads, and the test failed under `cargo test --release`.
        let held = std::hint::black_box(vec![1u8; 64 << 20]);
        laps.lap("two");
        drop(std::hint::black_box(held));
        laps.lap("three");
        let peaks: Vec<u64> = laps.phases().iter().map(|p| p.peak_memory.unwrap()).collect();
        // While 64 MiB are held the peak is at least that (other tests in
        // this process may have raised it further), and it never goes down.
        assert!(peaks[1] >= 64 << 20, "{peaks:?}");
        assert!(peaks.windows(2).all(|w| w[0] <= w[1]), "{peaks:?}");
    }

    #[test]
    fn laps_add_up_to_the_whole() {
        let start = Instant::now();
        let mut laps = Laps::start();
        std::thread::sleep(Duration::from_millis(2));
        laps.lap("one");
        laps.lap("two");
        let whole = start.elapsed();
        let names: Vec<&str> = laps.phases().iter().map(|p| p.name).collect();
        assert_eq!(names, ["one", "two"]);
        assert!(laps.phases()[0].time >= Duration::from_millis(2));
        assert!(laps.phases().iter().map(|p| p.time).sum::<Duration>() <= whole);
    }
}
