//! The files of a generated site, written in parallel: each file is a
//! function of the plan alone, so the bytes do not depend on the order the
//! threads run in.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::ops::Range;
use std::path::Path;

use rayon::prelude::*;

use super::emit::{M, V, Writer};
use super::names::{BUSINESS_KEYS, SERVICE_KEYS, SOFTWARE_KEYS, TEAMS};
use super::plan::*;
use super::problems::*;
use super::rng::tag;
use super::{Format, Generated};
use crate::model::permissions::AGENT_PERMISSIONS;

/// Where a user reference is written, so the choice of email or id varies
/// between the places that name the same user.
const IN_GROUP: usize = 1;
const IN_CUSTOMERS: usize = 2;
const IN_ORGANIZATION: usize = 3;
const IN_ROLE: usize = 4;
const IN_LEAD: usize = 5;
const IN_GRANT: usize = 6;

/// Problems planted per code, by one file.
type Planted = [usize; CODES.len()];

#[derive(Debug, Clone, Copy)]
enum Job {
    Site,
    Roles,
    Schemes,
    Groups,
    Users(usize),
    Customers(usize),
    Organizations(usize),
    Project(usize),
}

pub(crate) fn write_all(plan: &Plan, out: &Path) -> io::Result<Generated> {
    let p = &plan.p;
    let mut jobs = vec![Job::Site, Job::Roles, Job::Schemes, Job::Groups];
    jobs.extend((0..chunks(p.users, p.files)).map(Job::Users));
    jobs.extend((0..chunks(p.customers, p.files)).map(Job::Customers));
    jobs.extend((0..chunks(p.organizations, p.files)).map(Job::Organizations));
    jobs.extend((0..p.projects).map(Job::Project));
    for dir in ["users", "customers", "organizations", "projects"] {
        fs::create_dir_all(out.join(dir))?;
    }
    let results: Vec<io::Result<(u64, Planted)>> =
        jobs.par_iter().map(|job| write_job(plan, out, *job)).collect();
    let mut bytes = 0;
    let mut planted = [0; CODES.len()];
    for result in results {
        let (size, counts) = result?;
        bytes += size;
        for (total, n) in planted.iter_mut().zip(counts) {
            *total += n;
        }
    }
    let codes = plan.codes();
    Ok(Generated {
        params: plan.p.clone(),
        files: jobs.len(),
        bytes,
        planted: codes
            .iter()
            .map(|code| (*code, planted[CODES.iter().position(|c| c == code).unwrap_or(0)]))
            .collect::<BTreeMap<_, _>>(),
        codes,
    })
}

/// How many files `count` entities are split into.
fn chunks(count: usize, files: usize) -> usize {
    files.min(count).max(1)
}

/// Chunk `c` of `chunks` over `0..count`.
fn chunk(count: usize, chunks: usize, c: usize) -> Range<usize> {
    (c * count).div_ceil(chunks)..((c + 1) * count).div_ceil(chunks)
}

fn write_job(plan: &Plan, out: &Path, job: Job) -> io::Result<(u64, Planted)> {
    let p = &plan.p;
    let ext = p.format.extension();
    let mut planted = [0; CODES.len()];
    let (path, bytes) = match job {
        Job::Site => {
            let path = out.join(format!("site.{ext}"));
            let bytes = write_file(plan, &path, |w| site(plan, w, &mut planted))?;
            (path, bytes)
        }
        Job::Roles => {
            let path = out.join(format!("roles.{ext}"));
            (path.clone(), write_file(plan, &path, roles)?)
        }
        Job::Schemes => {
            let path = out.join(format!("schemes.{ext}"));
            (path.clone(), write_file(plan, &path, |w| schemes(plan, w, &mut planted))?)
        }
        Job::Groups => {
            let path = out.join(format!("groups.{ext}"));
            (path.clone(), write_file(plan, &path, |w| groups(plan, w))?)
        }
        Job::Users(c) => {
            let path = out.join(format!("users/users-{:04}.{ext}", c + 1));
            let range = chunk(p.users, chunks(p.users, p.files), c);
            (path.clone(), write_file(plan, &path, |w| users(plan, w, range, &mut planted))?)
        }
        Job::Customers(c) => {
            let path = out.join(format!("customers/customers-{:04}.{ext}", c + 1));
            let n = chunks(p.customers, p.files);
            let range = chunk(p.customers, n, c);
            let last = c + 1 == n;
            (path.clone(), write_file(plan, &path, |w| customers(plan, w, range, last, &mut planted))?)
        }
        Job::Organizations(c) => {
            let path = out.join(format!("organizations/organizations-{:04}.{ext}", c + 1));
            let range = chunk(p.organizations, chunks(p.organizations, p.files), c);
            (path.clone(), write_file(plan, &path, |w| organizations(plan, w, range, &mut planted))?)
        }
        Job::Project(index) => {
            let path = out.join(format!("projects/{}.{ext}", project_key(plan, index).0));
            (path.clone(), write_file(plan, &path, |w| project(plan, w, index, &mut planted))?)
        }
    };
    debug_assert!(path.exists());
    Ok((bytes, planted))
}

/// Counts the bytes written through it.
struct Counting<W> {
    inner: W,
    bytes: u64,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

type FileWriter = Writer<Counting<BufWriter<File>>>;

fn write_file(
    plan: &Plan,
    path: &Path,
    body: impl FnOnce(&mut FileWriter) -> io::Result<()>,
) -> io::Result<u64> {
    let file = BufWriter::with_capacity(1 << 16, File::create(path)?);
    let comment = format!(
        "Synthetic site \"{}\" from sitelint's dev generator (seed {}); not real data.",
        plan.site, plan.p.seed
    );
    let mut writer = Writer::new(Counting { inner: file, bytes: 0 }, plan.p.format, &comment)?;
    body(&mut writer)?;
    let mut out = writer.finish()?;
    out.flush()?;
    Ok(out.bytes)
}

fn strs<I: IntoIterator<Item = S>, S: Into<String>>(items: I) -> V {
    V::strs(items.into_iter().map(Into::into))
}

// ---- site settings ----

fn site(plan: &Plan, w: &mut FileWriter, planted: &mut Planted) -> io::Result<()> {
    let site = &plan.site;
    let mut on = |code: usize| {
        let on = plan.on(code);
        planted[code] += usize::from(on);
        on
    };
    w.section("format", &V::Int(1))?;
    w.section(
        "site",
        &M::new()
            .with("name", V::s(site))
            .with("url", V::s(format!("https://{site}.atlassian.net")))
            .with("exported_at", V::s("2026-11-20T10:00:00Z"))
            .v(),
    )?;

    let jsm_invites = if on(UA006) { "admins-only" } else { "approved-domains" };
    let confluence_invites = if on(UA001) { "anyone" } else { "approved-domains" };
    let mut domains: Vec<V> = plan
        .internal_domains
        .iter()
        .map(|domain| {
            M::new()
                .with("domain", V::s(domain))
                .with(
                    "roles",
                    M::new()
                        .with("jira-servicemanagement", V::s("customer"))
                        .with("jira-software", V::s("none"))
                        .with("confluence", V::s("user"))
                        .v(),
                )
                .with("admin_approval", V::Bool(false))
                .v()
        })
        .collect();
    let mut extra_domain = |domain: String, roles: M, approval: bool| {
        domains.push(
            M::new()
                .with("domain", V::s(domain))
                .with("roles", roles.v())
                .with("admin_approval", V::Bool(approval))
                .v(),
        );
    };
    if on(UA003) {
        // Approved for Jira Software only: no JSM role for its users.
        extra_domain(format!("{site}-archive.com"), M::new().with("jira-software", V::s("user")), true);
    }
    if on(UA004) {
        extra_domain(
            format!("{site}-contractors.com"),
            M::new().with("jira-servicemanagement", V::s("agent")),
            true,
        );
    }
    if on(UA005) {
        extra_domain("gmail.com".into(), M::new().with("jira-servicemanagement", V::s("customer")), false);
    }
    w.section(
        "user_access",
        &M::new()
            .with(
                "user_invites",
                M::new()
                    .with("jira-servicemanagement", V::s(jsm_invites))
                    .with("jira-software", V::s("admin-approval"))
                    .with("confluence", V::s(confluence_invites))
                    .v(),
            )
            .with("invite_links", V::Bool(on(UA002)))
            .with("approved_domains", V::List(domains))
            .v(),
    )?;

    let closed = on(CA001);
    w.section(
        "customer_access",
        &M::new()
            .with("internal", V::Bool(!closed))
            .with("external", V::Bool(!closed))
            .with("external_domains", strs(plan.customer_domains.iter().cloned()))
            .with("signup", V::s(if on(CA005) { "allow" } else { "deny" }))
            .with("anonymous_access", V::Bool(on(CA003)))
            .with("email_account_creation", V::s("agents-only"))
            .v(),
    )
}

fn roles(w: &mut FileWriter) -> io::Result<()> {
    w.begin_list("project_roles")?;
    for (id, name) in ROLES {
        w.item(&M::new().with("id", V::Int(id)).with("name", V::s(name)).v())?;
    }
    Ok(())
}

const ADMINISTRATORS: (u64, &str) = (10002, "Administrators");
const DEVELOPERS: (u64, &str) = (10001, "Developers");
const ADDONS: (u64, &str) = (10003, "atlassian-addons-project-access");
const TEAM: (u64, &str) = (10100, "Service Desk Team");
const CUSTOMERS_ROLE: (u64, &str) = (10101, "Service Desk Customers");
const ROLES: [(u64, &str); 6] =
    [DEVELOPERS, ADMINISTRATORS, ADDONS, TEAM, CUSTOMERS_ROLE, (10102, "Service Desk Collaborators")];

// ---- users and groups ----

fn users(plan: &Plan, w: &mut FileWriter, range: Range<usize>, planted: &mut Planted) -> io::Result<()> {
    w.begin_list("users")?;
    for i in range {
        w.item(&user(plan, i, planted))?;
    }
    Ok(())
}

fn user(plan: &Plan, i: usize, planted: &mut Planted) -> V {
    let d = plan.dice;
    let ((first, _), (last, _)) = plan.user_name(i);
    let mut m = M::new()
        .with("account_id", V::q(plan.user_id(i)))
        .with("email", V::s(plan.user_email(i)))
        .with("name", V::s(format!("{first} {last}")));
    match plan.user_kind(i) {
        UserKind::Agent => {
            if d.chance(tag("agent.role"), i, 0.3) {
                m.push("roles", M::new().with("jira-servicemanagement", V::s("agent")).v());
            }
            match i {
                0 => m.push("admin_roles", strs(["org-admin", "site-admin"]).flow()),
                1 | 2 => m.push("admin_roles", strs(["product-admin"]).flow()),
                _ => {}
            }
        }
        UserKind::Staff => {
            let ac006 = plan.flag(AC006, i);
            planted[AC006] += usize::from(ac006);
            if ac006 {
                let status = if d.chance(tag("ac006.closed"), i, 0.3) { "closed" } else { "inactive" };
                m.push("status", V::s(status));
            } else if plan.staff_left(i) {
                m.push("status", V::s("inactive"));
            }
            if ac006 {
                m.push("admin_roles", strs(["product-admin"]).flow());
            }
            if d.chance(tag("staff.confluence"), i, 0.2) {
                m.push("roles", M::new().with("confluence", V::s("user")).v());
            }
            if plan.dev_teams > 0 && !dev_listed_in_group(plan, i) {
                m.push("groups", strs([dev_team_name((i - plan.agents) % plan.dev_teams)]).flow());
            }
        }
        UserKind::Partner => {
            let no_role = plan.flag(AC001, i);
            planted[AC001] += usize::from(no_role);
            let mut roles = M::new();
            if !no_role && !plan.partner_via_group(i) {
                roles.push("jira-servicemanagement", V::s("customer"));
            }
            roles.push("confluence", V::s("user"));
            m.push("roles", roles.v());
            if plan.flag_also(AC002, i) {
                planted[AC002] += 1;
                m.push("site_access", V::Bool(false));
            }
            if plan.flag(AC004, i) {
                planted[AC004] += 1;
                m.push("managed_by_other_org", V::Bool(true));
            }
        }
    }
    m.v()
}

/// Whether a staff member's dev team lists them (else their own `groups`
/// names the team).
fn dev_listed_in_group(plan: &Plan, i: usize) -> bool {
    plan.dice.chance(tag("dev.in_group"), i, 0.7)
}

fn team_name(prefix: &str, t: usize) -> String {
    match t / TEAMS.len() {
        0 => format!("{prefix}-{}", TEAMS[t % TEAMS.len()]),
        n => format!("{prefix}-{}-{}", TEAMS[t % TEAMS.len()], n + 1),
    }
}

fn support_team_name(t: usize) -> String {
    team_name("jsm", t)
}

fn dev_team_name(t: usize) -> String {
    team_name("dev", t)
}

fn groups(plan: &Plan, w: &mut FileWriter) -> io::Result<()> {
    let site = &plan.site;
    let (agents, staff, partners) =
        (0..plan.agents, plan.agents..plan.staff_end, plan.staff_end..plan.p.users);
    let refs = |users: &mut dyn Iterator<Item = usize>| strs(users.map(|i| plan.user_ref(i, IN_GROUP)));
    let jsm = |role: &str| M::new().with("jira-servicemanagement", V::s(role)).v();
    let app = |app: &'static str| M::new().with(app, V::s("user")).v();
    w.begin_list("groups")?;
    for g in 0..plan.p.groups {
        let (name, roles, members) = match g {
            GROUP_CUSTOMERS => (
                format!("jira-servicemanagement-customers-{site}"),
                Some(jsm("customer")),
                refs(&mut partners.clone().filter(|&k| plan.partner_via_group(k) && !plan.flag(AC001, k))),
            ),
            GROUP_AGENTS => ("jsm-agents".to_string(), Some(jsm("agent")), refs(&mut agents.clone())),
            GROUP_SOFTWARE => {
                (format!("jira-software-users-{site}"), Some(app("jira-software")), refs(&mut staff.clone()))
            }
            GROUP_ADMINS => (format!("jira-admins-{site}"), None, refs(&mut (0..plan.agents.min(4)))),
            GROUP_CONFLUENCE => (
                format!("confluence-users-{site}"),
                Some(app("confluence")),
                refs(&mut staff.clone().filter(|&i| plan.dice.chance(tag("confluence.group"), i, 0.25))),
            ),
            _ if (g - FIXED_GROUPS).is_multiple_of(2) => {
                let t = (g - FIXED_GROUPS) / 2;
                let n = plan.support_teams;
                (support_team_name(t), Some(jsm("agent")), refs(&mut agents.clone().filter(|a| a % n == t)))
            }
            _ => {
                let t = (g - FIXED_GROUPS) / 2;
                let n = plan.dev_teams;
                let members = &mut staff
                    .clone()
                    .filter(|&i| (i - plan.agents) % n == t && dev_listed_in_group(plan, i));
                (dev_team_name(t), Some(app("jira-software")), refs(members))
            }
        };
        let mut m = M::new().with("name", V::s(name)).with("id", V::q(plan.dice.uuid(tag("group.id"), g)));
        if let Some(roles) = roles {
            m.push("roles", roles);
        }
        m.push("members", members);
        w.item(&m.v())?;
    }
    Ok(())
}

fn group_name(plan: &Plan, g: usize) -> String {
    match g {
        GROUP_AGENTS => "jsm-agents".into(),
        GROUP_SOFTWARE => format!("jira-software-users-{}", plan.site),
        GROUP_ADMINS => format!("jira-admins-{}", plan.site),
        _ => unreachable!("only these groups are named in projects and schemes"),
    }
}

// ---- customers and organizations ----

fn customers(
    plan: &Plan,
    w: &mut FileWriter,
    range: Range<usize>,
    last: bool,
    planted: &mut Planted,
) -> io::Result<()> {
    w.begin_list("users")?;
    for j in range {
        let ((first, _), (last_name, _)) = plan.customer_name(j);
        let mut m = M::new()
            .with("account_id", V::q(plan.customer_id(j)))
            .with("email", V::s(plan.customer_email(j)))
            .with("name", V::s(format!("{first} {last_name}")))
            .with("account_type", V::s("customer"));
        planted[CA004] += usize::from(plan.flag(CA004, j));
        if plan.flag(AC002, j) {
            planted[AC002] += 1;
            let status = if plan.dice.chance(tag("ac002.closed"), j, 0.3) { "closed" } else { "inactive" };
            m.push("status", V::s(status));
        }
        w.item(&m.v())?;
    }
    if last {
        // AC003: a portal-only account with a partner's email, in another case.
        for k in plan.staff_end..plan.p.users {
            if !plan.flag(AC003, k) {
                continue;
            }
            planted[AC003] += 1;
            let ((first, _), (last_name, _)) = plan.user_name(k);
            let id = format!("qm:{}:{}", plan.dice.uuid(tag("dup.id"), k), plan.dice.uuid(tag("dup.id2"), k));
            let email = plan.user_email(k).split('.').map(capitalized).collect::<Vec<_>>().join(".");
            w.item(
                &M::new()
                    .with("account_id", V::q(id))
                    .with("email", V::s(email))
                    .with("name", V::s(format!("{first} {last_name}")))
                    .with("account_type", V::s("customer"))
                    .v(),
            )?;
        }
    }
    Ok(())
}

fn organizations(
    plan: &Plan,
    w: &mut FileWriter,
    range: Range<usize>,
    planted: &mut Planted,
) -> io::Result<()> {
    w.begin_list("organizations")?;
    for o in range {
        planted[CH002] += usize::from(plan.ch002(o));
        let members = plan
            .org_block(o)
            .map(|j| plan.customer_ref(j))
            .chain(plan.org_partners[o].iter().map(|&k| plan.user_ref(k as usize, IN_ORGANIZATION)));
        w.item(
            &M::new()
                .with("id", V::q(plan.org_id(o)))
                .with("name", V::s(plan.org_name(o)))
                .with("members", strs(members))
                .v(),
        )?;
    }
    Ok(())
}

// ---- permission schemes ----

/// A grant's holder.
#[derive(Debug, Clone)]
enum Holder {
    Role((u64, &'static str)),
    Portal,
    Group(usize),
    User(usize),
    Anyone,
    Application(Option<&'static str>),
    Lead,
    Reporter,
    Assignee,
}

/// Healthy grants: permission, then holders: A Administrators, T Service
/// Desk Team, X atlassian-addons-project-access, C portal access, D
/// Developers, L project lead, R reporter, S assignee, P applicationRole
/// jira-software, G group jira-admins.
const SERVICE_GRANTS: &[(&str, &str)] = &[
    ("ADMINISTER_PROJECTS", "AX"),
    ("BROWSE_PROJECTS", "ATXC"),
    ("SERVICEDESK_AGENT", "ATX"),
    ("CREATE_ISSUES", "ATXC"),
    ("EDIT_ISSUES", "ATX"),
    ("SCHEDULE_ISSUES", "ATX"),
    ("ASSIGN_ISSUES", "ATX"),
    ("ASSIGNABLE_USER", "ATXL"),
    ("RESOLVE_ISSUES", "ATX"),
    ("CLOSE_ISSUES", "ATXR"),
    ("TRANSITION_ISSUES", "ATX"),
    ("LINK_ISSUES", "ATX"),
    ("ADD_COMMENTS", "ATXC"),
    ("EDIT_OWN_COMMENTS", "ATXC"),
    ("DELETE_OWN_COMMENTS", "TX"),
    ("CREATE_ATTACHMENTS", "ATXC"),
    ("DELETE_OWN_ATTACHMENTS", "ATX"),
    ("MANAGE_WATCHERS", "ATX"),
    ("VIEW_VOTERS_AND_WATCHERS", "ATX"),
    ("DELETE_ISSUES", "AX"),
    ("WORK_ON_ISSUES", "TX"),
    ("EDIT_OWN_WORKLOGS", "TX"),
    ("VIEW_READONLY_WORKFLOW", "ATX"),
];

const SOFTWARE_GRANTS: &[(&str, &str)] = &[
    ("ADMINISTER_PROJECTS", "AX"),
    ("BROWSE_PROJECTS", "ADXP"),
    ("CREATE_ISSUES", "DX"),
    ("EDIT_ISSUES", "DX"),
    ("ASSIGN_ISSUES", "DX"),
    ("ASSIGNABLE_USER", "DXL"),
    ("RESOLVE_ISSUES", "DX"),
    ("CLOSE_ISSUES", "DXR"),
    ("TRANSITION_ISSUES", "DX"),
    ("MANAGE_SPRINTS_PERMISSION", "DX"),
    ("VIEW_DEV_TOOLS", "DX"),
    ("ADD_COMMENTS", "DX"),
    ("CREATE_ATTACHMENTS", "DX"),
    ("DELETE_ISSUES", "GX"),
    ("WORK_ON_ISSUES", "DXS"),
];

/// PS010: misspelt or wrongly cased permission keys.
const TYPOS: [&str; 6] = [
    "BROWSE_PROJECT",
    "Create_Issues",
    "EDIT_ISUES",
    "administer_projects",
    "ADD_COMMENT",
    "TRANSITION_ISSUE",
];

fn holder_of(letter: char) -> Holder {
    match letter {
        'A' => Holder::Role(ADMINISTRATORS),
        'T' => Holder::Role(TEAM),
        'X' => Holder::Role(ADDONS),
        'C' => Holder::Portal,
        'D' => Holder::Role(DEVELOPERS),
        'L' => Holder::Lead,
        'R' => Holder::Reporter,
        'S' => Holder::Assignee,
        'P' => Holder::Application(Some("jira-software")),
        _ => Holder::Group(GROUP_ADMINS),
    }
}

fn scheme_name(plan: &Plan, s: usize) -> String {
    let site = title(&plan.site);
    if s < plan.service_schemes {
        format!("{site} service management scheme {}", s + 1)
    } else if s < plan.p.schemes {
        format!("{site} software scheme {}", s - plan.service_schemes + 1)
    } else {
        format!("Copy of {site} service management scheme {}", s - plan.p.schemes + 1)
    }
}

fn schemes(plan: &Plan, w: &mut FileWriter, planted: &mut Planted) -> io::Result<()> {
    w.begin_list(match plan.p.format {
        // Raw REST payloads use this key.
        Format::Json => "permissionSchemes",
        Format::Yaml => "permission_schemes",
    })?;
    let unused = plan.unused_schemes();
    planted[PS011] += unused;
    for s in 0..plan.p.schemes + unused {
        w.item(&scheme(plan, s, planted))?;
    }
    Ok(())
}

fn scheme(plan: &Plan, s: usize, planted: &mut Planted) -> V {
    let d = plan.dice;
    let service = s < plan.service_schemes || s >= plan.p.schemes;
    let table = if service { SERVICE_GRANTS } else { SOFTWARE_GRANTS };
    // Problems of schemes used by service projects, and of any used scheme.
    let used_service = s < plan.service_schemes;
    let used = s < plan.p.schemes;
    let mut flag = |code: usize, applies: bool| {
        let on = applies && plan.flag(code, s);
        planted[code] += usize::from(on);
        on
    };
    let no_portal_browse = flag(PS001, used_service);
    let no_portal_create = flag(PS002, used_service);
    let customers_role = flag(PS003, used_service);
    let team_missing = flag(PS004, used_service).then(|| d.pick(tag("ps004"), s, &AGENT_PERMISSIONS));
    let admins_missing = flag(PS005, used_service);
    let group_grant = flag(PS006, used_service);
    let anyone = flag(PS007, used);
    let all_users = flag(PS008, used_service);
    let no_addons = flag(PS009, used_service);
    let typo = flag(PS010, used).then(|| d.pick(tag("ps010"), s, &TYPOS));

    let mut grants: Vec<(&str, Holder)> = Vec::new();
    for (permission, holders) in table {
        for letter in holders.chars() {
            let holder = holder_of(letter);
            let dropped = match (&holder, *permission) {
                (Holder::Portal, "BROWSE_PROJECTS") => no_portal_browse,
                (Holder::Portal, "CREATE_ISSUES") => no_portal_create,
                (Holder::Role(TEAM), k) => team_missing == Some(k),
                (Holder::Role(ADMINISTRATORS), "ADMINISTER_PROJECTS") => admins_missing,
                (Holder::Role(ADDONS), _) => no_addons,
                _ => false,
            };
            if !dropped {
                grants.push((permission, holder));
            }
        }
    }
    if customers_role {
        grants.push(("BROWSE_PROJECTS", Holder::Role(CUSTOMERS_ROLE)));
    }
    if group_grant {
        if d.chance(tag("ps006.user"), s, 0.5) {
            grants.push(("BROWSE_PROJECTS", Holder::User(0)));
        } else {
            grants.push(("DELETE_ISSUES", Holder::Group(GROUP_ADMINS)));
        }
    }
    if anyone {
        grants.push(("BROWSE_PROJECTS", Holder::Anyone));
    }
    if all_users {
        grants.push(("BROWSE_PROJECTS", Holder::Application(None)));
    }
    if let Some(key) = typo {
        grants.push((key, Holder::Role(ADMINISTRATORS)));
    }

    let id = 10000 + s as u64;
    let name = scheme_name(plan, s);
    let description = if service {
        "Jira Service Management permissions for service projects."
    } else {
        "Software project permissions."
    };
    match plan.p.format {
        Format::Json => {
            let url = format!("https://{}.atlassian.net/rest/api/3/permissionscheme/{id}", plan.site);
            let permissions = grants
                .iter()
                .enumerate()
                .map(|(g, (permission, holder))| {
                    let grant_id = id * 100 + g as u64;
                    M::new()
                        .with("id", V::Int(grant_id))
                        .with("self", V::s(format!("{url}/permission/{grant_id}")))
                        .with("holder", json_holder(plan, holder))
                        .with("permission", V::s(*permission))
                        .v()
                        .flow()
                })
                .collect();
            M::new()
                .with("expand", V::s("permissions,user,group,projectRole,field,all"))
                .with("id", V::Int(id))
                .with("self", V::s(url))
                .with("name", V::s(name))
                .with("description", V::s(description))
                .with("permissions", V::List(permissions))
                .v()
        }
        Format::Yaml => {
            let permissions = grants
                .iter()
                .enumerate()
                .map(|(g, (permission, holder))| {
                    M::new()
                        .with("permission", V::s(*permission))
                        .with("holder", yaml_holder(plan, holder, s * 100 + g))
                        .v()
                        .flow()
                })
                .collect();
            M::new()
                .with("id", V::Int(id))
                .with("name", V::s(name))
                .with("description", V::s(description))
                .with("permissions", V::List(permissions))
                .v()
        }
    }
}

/// A holder as the REST API writes it: roles by id, with `value` and
/// `expand`.
fn json_holder(plan: &Plan, holder: &Holder) -> V {
    let typed = |kind: &str| M::new().with("type", V::s(kind));
    match holder {
        Holder::Role((id, _)) => typed("projectRole")
            .with("parameter", V::s(id.to_string()))
            .with("value", V::s(id.to_string()))
            .with("expand", V::s("projectRole"))
            .v(),
        Holder::Group(g) => typed("group")
            .with("parameter", V::s(group_name(plan, *g)))
            .with("value", V::s(plan.dice.uuid(tag("group.id"), *g)))
            .with("expand", V::s("group"))
            .v(),
        Holder::User(i) => typed("user")
            .with("parameter", V::s(plan.user_id(*i)))
            .with("value", V::s(plan.user_id(*i)))
            .with("expand", V::s("user"))
            .v(),
        other => yaml_holder(plan, other, 0),
    }
}

/// A holder as people write it: roles by name or id.
fn yaml_holder(plan: &Plan, holder: &Holder, index: usize) -> V {
    let typed = |kind: &str| M::new().with("type", V::s(kind));
    match holder {
        Holder::Role((id, name)) => {
            let parameter =
                if plan.dice.chance(tag("holder.by_id"), index, 0.3) { V::Int(*id) } else { V::s(*name) };
            typed("projectRole").with("parameter", parameter).v()
        }
        Holder::Portal => typed("sd.customer.portal.only").v(),
        Holder::Group(g) => typed("group").with("parameter", V::s(group_name(plan, *g))).v(),
        Holder::User(i) => typed("user").with("parameter", V::s(plan.user_ref(*i, IN_GRANT))).v(),
        Holder::Anyone => typed("anyone").v(),
        Holder::Application(None) => typed("applicationRole").v(),
        Holder::Application(Some(app)) => typed("applicationRole").with("parameter", V::s(*app)).v(),
        Holder::Lead => typed("projectLead").v(),
        Holder::Reporter => typed("reporter").v(),
        Holder::Assignee => typed("assignee").v(),
    }
}

// ---- projects ----

/// A project's key and name.
fn project_key(plan: &Plan, p: usize) -> (String, String) {
    let (list, index) = match plan.project_kind(p) {
        ProjectKind::Service => (SERVICE_KEYS, p),
        ProjectKind::Software => (SOFTWARE_KEYS, p - plan.service),
        ProjectKind::Business => (BUSINESS_KEYS, p - plan.business),
    };
    let (key, name) = list[index % list.len()];
    match index / list.len() {
        0 => (key.to_string(), name.to_string()),
        n => (format!("{key}{}", n + 1), format!("{name} {}", n + 1)),
    }
}

fn project(plan: &Plan, w: &mut FileWriter, p: usize, planted: &mut Planted) -> io::Result<()> {
    let d = plan.dice;
    let (key, name) = project_key(plan, p);
    let kind = plan.project_kind(p);
    let s = plan.project_scheme(p);
    let scheme = if d.chance(tag("project.scheme.by_id"), p, 0.5) {
        V::Int(10000 + s as u64)
    } else {
        V::s(scheme_name(plan, s))
    };
    let user = |i: usize, context: usize| V::s(plan.user_ref(i, context));
    let group = |g: usize| V::s(group_name(plan, g));
    let staff = |purpose: &str| plan.active_staff(tag(purpose) ^ p as u64);
    let mut m = M::new()
        .with("key", V::s(&key))
        .with("name", V::s(format!("{} {name}", title(&plan.site))))
        .with(
            "type",
            V::s(match kind {
                ProjectKind::Service => "service_desk",
                ProjectKind::Software => "software",
                ProjectKind::Business => "business",
            }),
        )
        .with("permission_scheme", scheme);
    let mut roles = M::new();
    match kind {
        ProjectKind::Service => {
            let agent = |n: u64| d.below(tag("project.agent") ^ n, p, plan.agents);
            m.push("lead", user(agent(0), IN_LEAD));
            roles.push(
                "Administrators",
                M::new().with("users", V::List(vec![user(agent(0), IN_ROLE)])).v().flow(),
            );
            let team_group = if plan.support_teams > 0 {
                V::s(support_team_name(p % plan.support_teams))
            } else {
                group(GROUP_AGENTS)
            };
            let mut team_users = vec![user(agent(1), IN_ROLE)];
            if plan.flag(AC005, p) {
                planted[AC005] += 1;
                team_users.push(user(plan.ac005_staff, IN_ROLE));
            }
            roles.push(
                "Service Desk Team",
                M::new().with("groups", V::List(vec![team_group])).with("users", V::List(team_users)).v(),
            );
        }
        ProjectKind::Software => {
            m.push("lead", user(staff("lead"), IN_LEAD));
            roles.push(
                "Administrators",
                M::new().with("groups", V::List(vec![group(GROUP_ADMINS)])).v().flow(),
            );
            let developers = if plan.dev_teams > 0 {
                V::s(dev_team_name((p - plan.service) % plan.dev_teams))
            } else {
                group(GROUP_SOFTWARE)
            };
            roles.push(
                "Developers",
                M::new()
                    .with("groups", V::List(vec![developers]))
                    .with("users", V::List(vec![user(staff("developer"), IN_ROLE)]))
                    .v(),
            );
        }
        ProjectKind::Business => {
            let lead = staff("lead");
            m.push("lead", user(lead, IN_LEAD));
            roles.push(
                "Administrators",
                M::new().with("users", V::List(vec![user(lead, IN_ROLE)])).v().flow(),
            );
            roles
                .push("Developers", M::new().with("groups", V::List(vec![group(GROUP_SOFTWARE)])).v().flow());
        }
    }
    m.push("roles", roles.v());
    if kind == ProjectKind::Service {
        m.push("service_desk", service_desk(plan, p, &key, planted));
    }
    w.begin_list("projects")?;
    w.item(&m.v())
}

fn service_desk(plan: &Plan, p: usize, key: &str, planted: &mut Planted) -> V {
    let restricted = plan.restricted[p];
    let mut m = M::new().with("channel_access", V::s(if restricted { "restricted" } else { "open" }));
    if plan.ch001(p) {
        planted[CH001] += 1;
    } else if let Some(l) = plan.linkable_position(p) {
        let customers: Vec<String> = plan.project_partners[l]
            .iter()
            .map(|&k| plan.user_ref(k as usize, IN_CUSTOMERS))
            .chain(plan.direct_customers(l).map(|j| plan.customer_ref(j)))
            .collect();
        if !customers.is_empty() {
            m.push("customers", strs(customers));
        }
        let organizations: Vec<String> =
            plan.project_orgs[l].iter().map(|&o| plan.org_ref(o as usize)).collect();
        if !organizations.is_empty() {
            m.push("organizations", strs(organizations).flow());
        }
    }
    let address = format!("{}@{}.atlassian.net", key.to_ascii_lowercase(), plan.site);
    let channel = |enabled: bool| {
        V::List(vec![M::new().with("address", V::s(&address)).with("enabled", V::Bool(enabled)).v().flow()])
    };
    if p == 0 && plan.on(CA002) {
        // An open project taking email while sign-up is off.
        planted[CA002] += 1;
        m.push("email_channels", channel(true));
    } else if restricted {
        m.push("email_channels", channel(true));
    } else if plan.dice.chance(tag("project.email.off"), p, 0.3) {
        m.push("email_channels", channel(false));
    }
    m.v()
}
