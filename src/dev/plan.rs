//! The shape of a generated site, and every choice about an entity as a
//! function of its index.
//!
//! Users are index ranges: agents `[0, agents)`, staff `[agents,
//! staff_end)` (Atlassian accounts at the site's approved domains, customers
//! through the domain) and partners `[staff_end, users)` (Atlassian accounts
//! at customer companies, given the Customer role directly or through the
//! customers group). Portal-only customers: `[0, c_org)` are members of
//! organizations (contiguous blocks, one per organization), `[c_org,
//! c_direct)` are listed on service projects directly, the rest are
//! listed nowhere (they signed up on the portal). Only small per-project
//! and per-organization index lists are kept.

use super::Params;
use super::names::{COMPANIES, FIRST, LAST, SITES, TLDS, UNITS};
use super::problems::*;
use super::rng::{Dice, tag};

/// Fixed groups, before the team groups.
pub(crate) const GROUP_CUSTOMERS: usize = 0;
pub(crate) const GROUP_AGENTS: usize = 1;
pub(crate) const GROUP_SOFTWARE: usize = 2;
pub(crate) const GROUP_ADMINS: usize = 3;
pub(crate) const GROUP_CONFLUENCE: usize = 4;
pub(crate) const FIXED_GROUPS: usize = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UserKind {
    Agent,
    Staff,
    Partner,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ProjectKind {
    Service,
    Software,
    Business,
}

pub(crate) struct Plan {
    pub(crate) p: Params,
    pub(crate) dice: Dice,
    problems: ProblemSet,
    /// The fraction of entities with each problem; 0 plants nothing.
    fraction: f64,
    /// Per code, an entity that always gets the problem (when planted) and
    /// whose problem is always a finding.
    forced: [usize; CODES.len()],

    pub(crate) site: String,
    /// The site's approved domains (staff emails); the first is the site's.
    pub(crate) internal_domains: Vec<String>,
    /// Customer companies' domains: `customer_access.external_domains`.
    pub(crate) customer_domains: Vec<String>,

    pub(crate) agents: usize,
    pub(crate) staff_end: usize,
    pub(crate) c_org: usize,
    pub(crate) c_direct: usize,

    /// Projects `[0, service)` are service projects, `[service, business)`
    /// software, the rest business.
    pub(crate) service: usize,
    pub(crate) business: usize,
    /// Schemes `[0, service_schemes)` are used by service projects, the
    /// rest by the others.
    pub(crate) service_schemes: usize,
    pub(crate) support_teams: usize,
    pub(crate) dev_teams: usize,

    /// Service projects that list customers (those without CH001).
    pub(crate) linkable: Vec<usize>,
    /// Per service project: `channel_access: restricted`.
    pub(crate) restricted: Vec<bool>,
    /// Per linkable position: the organizations linked to it.
    pub(crate) project_orgs: Vec<Vec<u32>>,
    /// Per linkable position: the partners it lists as customers.
    pub(crate) project_partners: Vec<Vec<u32>>,
    /// Per organization: its partner members.
    pub(crate) org_partners: Vec<Vec<u32>>,
    /// The staff member AC005 puts in Service Desk Team.
    pub(crate) ac005_staff: usize,
}

impl Plan {
    pub(crate) fn new(params: &Params) -> Result<Plan, String> {
        let p = params.normalized();
        let problems = ProblemSet::new(p.only.as_deref())?;
        let dice = Dice::new(p.seed);
        let fraction = p.problems;

        let site = SITES[dice.below(tag("site"), 0, SITES.len())].to_string();
        let internal_domains =
            vec![format!("{site}.com"), format!("{site}-eu.com"), format!("{site}labs.io")];
        let domain_count = (p.organizations / 100).clamp(4, 200).min(p.organizations);
        let customer_domains = (0..domain_count).map(|d| customer_domain(dice, d)).collect();

        let agents = (p.users / 40).max(3);
        let staff_end = agents + (p.users - agents) * 3 / 4;
        let c_org = (p.customers * 8 / 10).max(p.organizations);
        let c_direct = c_org + (p.customers - c_org) / 2;

        let service = ((p.projects * 3 + 2) / 5).clamp(2, p.projects - 1);
        let others = p.projects - service;
        let business = service + (others * 3).div_ceil(4);
        let service_schemes = ((p.schemes * 3 + 2) / 5).clamp(1, service.min(p.schemes - 1));
        let teams = p.groups - FIXED_GROUPS;

        let mut plan = Plan {
            dice,
            problems,
            fraction,
            forced: [0; CODES.len()],
            site,
            internal_domains,
            customer_domains,
            agents,
            staff_end,
            c_org,
            c_direct,
            service,
            business,
            service_schemes,
            support_teams: teams.div_ceil(2),
            dev_teams: teams / 2,
            linkable: Vec::new(),
            restricted: Vec::new(),
            project_orgs: Vec::new(),
            project_partners: Vec::new(),
            org_partners: Vec::new(),
            ac005_staff: 0,
            p,
        };
        plan.choose_forced();
        plan.link();
        plan.ac005_staff = plan.active_staff(tag("ac005"));
        Ok(plan)
    }

    /// The entity of each code that always gets its problem, chosen so the
    /// problem is a finding (a listed customer, a used scheme, ...).
    fn choose_forced(&mut self) {
        let d = self.dice;
        let pick = |code: usize, n: usize| d.below(tag("forced"), code, n.max(1));
        let partners = self.p.users - self.staff_end;
        let org0 = self.org_block(0).len();
        for code in 0..CODES.len() {
            self.forced[code] = match code {
                PS001 | PS002 | PS003 | PS004 | PS005 | PS006 | PS008 | PS009 => {
                    pick(code, self.service_schemes)
                }
                PS007 | PS010 => pick(code, self.p.schemes),
                CA004 | AC002 => pick(code, org0),
                // Partners listed on a project directly: every third.
                AC001 | AC003 | AC004 => self.staff_end + 3 * pick(code, partners.div_ceil(3)),
                AC005 => 0,
                AC006 => self.agents + pick(code, self.staff_end - self.agents),
                CH001 => 1 + pick(code, self.service - 1),
                CH002 => 1 + pick(code, self.p.organizations - 1),
                _ => usize::MAX,
            };
        }
    }

    /// Decides which projects list which organizations and partners, and
    /// which service projects are restricted.
    fn link(&mut self) {
        self.linkable = (0..self.service).filter(|&p| !self.ch001(p)).collect();
        let n = self.linkable.len();
        self.project_orgs = vec![Vec::new(); n];
        self.project_partners = vec![Vec::new(); n];
        self.org_partners = vec![Vec::new(); self.p.organizations];
        for o in 0..self.p.organizations {
            if self.ch002(o) {
                continue;
            }
            self.project_orgs[o % n].push(o as u32);
            if n > 1 && self.dice.chance(tag("org.second"), o, 0.1) {
                self.project_orgs[(o + 1) % n].push(o as u32);
            }
        }
        for k in self.staff_end..self.p.users {
            let r = k - self.staff_end;
            if r.is_multiple_of(3) {
                self.project_partners[(r / 3) % n].push(k as u32);
            } else {
                let o = self.dice.below(tag("partner.org"), k, self.p.organizations);
                self.org_partners[o].push(k as u32);
            }
        }
        for list in &mut self.project_orgs {
            list.sort_unstable();
        }
        self.restricted = (0..self.service)
            .map(|p| {
                if p == 0 {
                    return false;
                }
                if self.ch001(p) {
                    return true;
                }
                let l = self.linkable.iter().position(|&q| q == p).unwrap_or(0);
                let lists_someone = !self.project_orgs[l].is_empty()
                    || !self.project_partners[l].is_empty()
                    || !self.direct_customers(l).is_empty();
                lists_someone && self.dice.chance(tag("project.restricted"), p, 0.4)
            })
            .collect();
    }

    // ---- problems ----

    /// Whether the code's problems are planted at all.
    pub(crate) fn on(&self, code: usize) -> bool {
        self.problems.0[code] && self.fraction > 0.0
    }

    /// Whether entity `index` gets the code's problem.
    pub(crate) fn flag(&self, code: usize, index: usize) -> bool {
        self.on(code)
            && (index == self.forced[code]
                || self.dice.chance(tag("problem") ^ code as u64, index, self.fraction))
    }

    /// Like [`Plan::flag`], for a second kind of entity of the same code
    /// (AC002 on partners as well as customers); never forced.
    pub(crate) fn flag_also(&self, code: usize, index: usize) -> bool {
        self.on(code) && self.dice.chance(tag("problem.also") ^ code as u64, index, self.fraction)
    }

    /// A restricted service project with nobody listed. Never project 0,
    /// which stays open and lists customers.
    pub(crate) fn ch001(&self, p: usize) -> bool {
        p != 0 && p < self.service && self.flag(CH001, p)
    }

    /// An organization linked to no project. Never organization 0, whose
    /// members carry the forced customer problems.
    pub(crate) fn ch002(&self, o: usize) -> bool {
        o != 0 && self.flag(CH002, o)
    }

    pub(crate) fn codes(&self) -> Vec<&'static str> {
        if self.fraction > 0.0 { self.problems.codes() } else { Vec::new() }
    }

    /// How many unused schemes PS011 adds.
    pub(crate) fn unused_schemes(&self) -> usize {
        if self.on(PS011) { ((self.fraction * self.p.schemes as f64).round() as usize).max(1) } else { 0 }
    }

    // ---- users ----

    pub(crate) fn user_kind(&self, i: usize) -> UserKind {
        if i < self.agents {
            UserKind::Agent
        } else if i < self.staff_end {
            UserKind::Staff
        } else {
            UserKind::Partner
        }
    }

    pub(crate) fn user_id(&self, i: usize) -> String {
        format!("712020:{}", self.dice.uuid(tag("user.id"), i))
    }

    pub(crate) fn user_name(
        &self,
        i: usize,
    ) -> (&'static (&'static str, &'static str), &'static (&'static str, &'static str)) {
        let first = &FIRST[self.dice.below(tag("user.first"), i, FIRST.len())];
        let last = &LAST[self.dice.below(tag("user.last"), i, LAST.len())];
        (first, last)
    }

    pub(crate) fn user_email(&self, i: usize) -> String {
        let ((_, first), (_, last)) = self.user_name(i);
        let domain = match self.user_kind(i) {
            UserKind::Agent => &self.internal_domains[0],
            UserKind::Staff => {
                let d = self.dice.below(tag("staff.domain"), i, 5);
                &self.internal_domains[d.saturating_sub(2)]
            }
            UserKind::Partner => {
                &self.customer_domains[self.dice.below(tag("partner.domain"), i, self.customer_domains.len())]
            }
        };
        format!("{first}.{last}{i}@{domain}")
    }

    /// Staff deactivated in the normal course of things (leavers): no
    /// admin roles, named in no project role, listed nowhere.
    pub(crate) fn staff_left(&self, i: usize) -> bool {
        self.user_kind(i) == UserKind::Staff && self.dice.chance(tag("staff.left"), i, 0.03)
    }

    /// An active staff member with no planted problem, for roles and leads.
    pub(crate) fn active_staff(&self, purpose: u64) -> usize {
        let staff = self.staff_end - self.agents;
        let start = self.dice.below(purpose, 0, staff);
        (0..staff)
            .map(|k| self.agents + (start + k) % staff)
            .find(|&i| !self.staff_left(i) && !self.flag(AC006, i))
            .unwrap_or(self.agents)
    }

    /// Partners with the Customer role through the customers group rather
    /// than their own `roles`.
    pub(crate) fn partner_via_group(&self, k: usize) -> bool {
        self.dice.chance(tag("partner.via_group"), k, 0.5)
    }

    /// Whether a reference to user `i` uses the account id (else the email).
    /// A partner whose email a portal-only account shares (AC003) is always
    /// referenced by id: in a customer list, its email means the portal-only
    /// account.
    pub(crate) fn ref_by_id(&self, i: usize, context: usize) -> bool {
        (self.user_kind(i) == UserKind::Partner && self.flag(AC003, i))
            || self.dice.chance(tag("ref.id") ^ context as u64, i, 0.25)
    }

    pub(crate) fn user_ref(&self, i: usize, context: usize) -> String {
        if self.ref_by_id(i, context) {
            self.user_id(i)
        } else if self.dice.chance(tag("ref.case") ^ context as u64, i, 0.05) {
            capitalized(&self.user_email(i))
        } else {
            self.user_email(i)
        }
    }

    // ---- customers ----

    pub(crate) fn customer_id(&self, j: usize) -> String {
        format!("qm:{}:{}", self.dice.uuid(tag("customer.id"), j), self.dice.uuid(tag("customer.id2"), j))
    }

    pub(crate) fn customer_name(
        &self,
        j: usize,
    ) -> (&'static (&'static str, &'static str), &'static (&'static str, &'static str)) {
        let first = &FIRST[self.dice.below(tag("customer.first"), j, FIRST.len())];
        let last = &LAST[self.dice.below(tag("customer.last"), j, LAST.len())];
        (first, last)
    }

    pub(crate) fn customer_email(&self, j: usize) -> String {
        let ((_, first), (_, last)) = self.customer_name(j);
        if self.flag(CA004, j) {
            // Not in external_domains.
            let company = COMPANIES[self.dice.below(tag("ca004"), j, COMPANIES.len())];
            return format!("{first}.{last}.{j}@{company}-mail.net");
        }
        let domain = match self.customer_org(j) {
            Some(o) => &self.customer_domains[o % self.customer_domains.len()],
            None => {
                &self.customer_domains
                    [self.dice.below(tag("customer.domain"), j, self.customer_domains.len())]
            }
        };
        format!("{first}.{last}.{j}@{domain}")
    }

    pub(crate) fn customer_ref(&self, j: usize) -> String {
        if self.dice.chance(tag("customer.ref.id"), j, 0.25) {
            self.customer_id(j)
        } else {
            self.customer_email(j)
        }
    }

    /// The organization whose block holds customer `j`.
    pub(crate) fn customer_org(&self, j: usize) -> Option<usize> {
        (j < self.c_org).then(|| j * self.p.organizations / self.c_org)
    }

    /// The customers of organization `o`.
    pub(crate) fn org_block(&self, o: usize) -> std::ops::Range<usize> {
        let (n, c) = (self.p.organizations, self.c_org);
        (o * c).div_ceil(n)..((o + 1) * c).div_ceil(n)
    }

    /// The customers listed directly on the project at linkable position `l`.
    pub(crate) fn direct_customers(&self, l: usize) -> std::ops::Range<usize> {
        let (n, count) = (self.linkable.len(), self.c_direct - self.c_org);
        self.c_org + (l * count).div_ceil(n)..self.c_org + ((l + 1) * count).div_ceil(n)
    }

    // ---- organizations ----

    pub(crate) fn org_id(&self, o: usize) -> String {
        (1000 + o).to_string()
    }

    pub(crate) fn org_name(&self, o: usize) -> String {
        let d = self.customer_domains.len();
        let company = title(self.customer_domains[o % d].split('.').next().unwrap_or("org"));
        let unit = UNITS[(o / d) % UNITS.len()];
        match o / d / UNITS.len() {
            0 => format!("{company} {unit}"),
            n => format!("{company} {unit} {}", n + 1),
        }
    }

    pub(crate) fn org_ref(&self, o: usize) -> String {
        if self.dice.chance(tag("org.ref.id"), o, 0.3) { self.org_id(o) } else { self.org_name(o) }
    }

    // ---- projects and schemes ----

    pub(crate) fn project_kind(&self, p: usize) -> ProjectKind {
        if p < self.service {
            ProjectKind::Service
        } else if p < self.business {
            ProjectKind::Software
        } else {
            ProjectKind::Business
        }
    }

    /// The scheme project `p` uses.
    pub(crate) fn project_scheme(&self, p: usize) -> usize {
        if p < self.service {
            p % self.service_schemes
        } else {
            self.service_schemes + (p - self.service) % (self.p.schemes - self.service_schemes)
        }
    }

    pub(crate) fn linkable_position(&self, p: usize) -> Option<usize> {
        self.linkable.iter().position(|&q| q == p)
    }
}

/// A customer company's domain: `contoso.com`, `fabrikam2.io`, ...
fn customer_domain(dice: Dice, d: usize) -> String {
    let company = COMPANIES[d % COMPANIES.len()];
    let tld = TLDS[dice.below(tag("tld"), d, TLDS.len())];
    match d / COMPANIES.len() {
        0 => format!("{company}.{tld}"),
        n => format!("{company}{}.{tld}", n + 1),
    }
}

/// `fabrikam2` as `Fabrikam2`, `pied-piper` as `Pied Piper`.
pub(crate) fn title(word: &str) -> String {
    word.split('-').map(capitalized).collect::<Vec<_>>().join(" ")
}

pub(crate) fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}
