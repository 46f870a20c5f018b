//! Derived access facts (SNAPSHOT-FORMAT.md, "Derived facts"): what the
//! rules and the access explainer reason with. Computed once per site.

use std::collections::BTreeMap;

use foldhash::{HashMap, HashMapExt};
use rayon::prelude::*;
use thin_vec::ThinVec;

use super::decode::JSM_APP;
use super::grouped::Grouped;
use super::index::EmailIndex;
use super::site::*;
use super::text::fold;

#[derive(Debug)]
pub struct Facts {
    /// Per user: the groups they belong to, from `users[].groups` and
    /// `groups[].members`; sorted, no repeats.
    pub user_groups: Grouped<GroupId>,
    /// Per group: its members, from both sides; sorted, no repeats.
    pub group_members: Grouped<UserId>,
    /// Per user: the effective JSM role, and what gives it.
    pub jsm_role: Vec<EffectiveRole>,
    /// Per permission scheme: the projects that use it, in project order.
    pub scheme_projects: Vec<Vec<ProjectId>>,
    /// Per organization: the projects that link it, in project order.
    pub org_projects: Vec<Vec<ProjectId>>,
    /// Per project: role name to the users holding it, directly or through
    /// a group; users sorted, no repeats.
    pub project_role_users: Vec<BTreeMap<String, Vec<UserId>>>,
    /// Accounts by email (case-insensitive), in file order.
    pub users_by_email: EmailIndex,
    /// Per user: the domain of their email.
    pub email_domains: EmailDomains,
}

/// The domain of each user's email (after its last `@`, case folded), each
/// distinct domain kept once. A site has hundreds of thousands of accounts
/// and few domains: the approved domain of each account, and a rule asking
/// whether a customer's domain is allowed, look the domain up by its
/// number, without reading the account's email again.
#[derive(Debug, Default)]
pub struct EmailDomains {
    /// Per user: its domain's index in `names`, or [`EmailDomains::NONE`].
    of_user: Vec<u32>,
    /// Each domain once, folded, in order of first use.
    names: Vec<String>,
}

/// A user's effective JSM role: the highest of its sources. One per
/// account, and most accounts have no source: a thin list of them alone is
/// 8 bytes, and the role is read from it.
#[derive(Debug, Clone, PartialEq)]
pub struct EffectiveRole {
    pub sources: ThinVec<RoleSource>,
}

impl EffectiveRole {
    /// The highest role its sources give, `none` without any.
    pub fn role(&self) -> JsmRole {
        self.sources.iter().map(RoleSource::role).max().unwrap_or(JsmRole::None)
    }
}

/// One thing that gives a user a JSM role (only those above `none`).
#[derive(Debug, Clone, PartialEq)]
pub enum RoleSource {
    /// `users[].roles.jira-servicemanagement`.
    Direct(JsmRole),
    /// The group's `roles.jira-servicemanagement`.
    Group(GroupId, JsmRole),
    /// An approved domain (index into `user_access.approved_domains`) whose
    /// role counts for this user's email.
    Domain(u32, JsmRole),
}

/// How a user is a customer of a project. There is one per customer
/// reference and project it reaches, so indexes are 32-bit: a link is 16
/// bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CustomerLink {
    pub user: UserId,
    pub via: Via,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// `service_desk.customers[index]`.
    Direct { index: u32 },
    /// `organizations[org].members[member]`, the organization being linked
    /// to the project.
    Organization { org: OrgId, member: u32 },
}

/// Derives every fact of the site. Each pass is linear in the size of the
/// site (and of what it produces): everything is looked up by index or hash.
/// `users_by_email` is the index that resolution used, kept rather than
/// built twice; `email_domains` are those of `site.users`, found while the
/// files were decoded.
pub fn derive(site: &Site, users_by_email: EmailIndex, email_domains: EmailDomains) -> Facts {
    let (user_groups, group_members) = memberships(site);
    // The roles read every account; the lists by project, on the other
    // core meanwhile, read only projects.
    let (jsm_role, (scheme_projects, org_projects, project_role_users)) = rayon::join(
        || jsm_roles(site, &user_groups, &email_domains),
        || {
            let role_users = site.projects.iter().map(|p| project_role_users(p, &group_members)).collect();
            (scheme_projects(site), org_projects(site), role_users)
        },
    );
    Facts {
        jsm_role,
        email_domains,
        scheme_projects,
        org_projects,
        project_role_users,
        users_by_email,
        user_groups,
        group_members,
    }
}

/// Pushes onto the list at `index`. Ids come from `resolve`, so they are in
/// range; a hand-made site with a stray id loses that link instead of panicking.
fn push_at<T>(lists: &mut [Vec<T>], index: usize, value: T) {
    if let Some(list) = lists.get_mut(index) {
        list.push(value);
    }
}

fn sorted_unique<T: Ord>(mut list: Vec<T>) -> Vec<T> {
    list.sort_unstable();
    list.dedup();
    list
}

/// Group membership from both sides: `users[].groups` and `groups[].members`.
fn memberships(site: &Site) -> (Grouped<GroupId>, Grouped<UserId>) {
    // Every account is read, most of them for nothing: on two threads.
    let mut links: Vec<(UserId, GroupId)> = site
        .users
        .par_iter()
        .enumerate()
        .flat_map_iter(|(index, user)| {
            user.groups().iter().filter_map(move |r| Some((UserId::from(index as u32), r.target?)))
        })
        .collect();
    for (index, group) in site.groups.iter().enumerate() {
        links.extend(group.members.iter().filter_map(|r| Some((r.target?, GroupId::from(index as u32)))));
    }
    // Each side sorts every link: one side per core.
    rayon::join(
        || {
            Grouped::new(
                site.users.len(),
                links.iter().map(|&(user, group)| (user.position(), group)).collect(),
            )
        },
        || {
            Grouped::new(
                site.groups.len(),
                links.iter().map(|&(user, group)| (group.position(), user)).collect(),
            )
        },
    )
}

/// The JSM role an app-role map gives, if it names one.
fn jsm_role_in(roles: &AppRoles) -> Option<JsmRole> {
    roles.get(JSM_APP).and_then(|role| JsmRole::parse(role))
}

/// The JSM role an approved domain gives its users, if any. A `customer`
/// role counts only while Atlassian accounts may be customers
/// (`customer_access.internal`). `user` is Atlassian's name for the licensed
/// JSM role, which this format writes `agent`; it gives the same.
fn domain_jsm_role(domain: &ApprovedDomain, internal: bool) -> Option<JsmRole> {
    match domain.roles.get(JSM_APP)? {
        DomainRole::Agent | DomainRole::User => Some(JsmRole::Agent),
        DomainRole::Customer if internal => Some(JsmRole::Customer),
        DomainRole::Customer | DomainRole::None => None,
    }
}

fn jsm_roles(
    site: &Site,
    user_groups: &Grouped<GroupId>,
    email_domains: &EmailDomains,
) -> Vec<EffectiveRole> {
    let group_roles: Vec<Option<JsmRole>> = site.groups.iter().map(|g| jsm_role_in(&g.roles)).collect();
    let internal = site.customer_access.as_ref().is_none_or(|access| access.internal);
    // Folded domain to the first approved domain that gives a role without
    // waiting for an admin's approval.
    let mut domains: HashMap<String, (u32, JsmRole)> = HashMap::new();
    if let Some(access) = &site.user_access {
        for (index, domain) in access.approved_domains.iter().enumerate() {
            if let (Some(name), Some(role)) =
                (&domain.domain, domain_jsm_role(domain, internal).filter(|_| !domain.admin_approval))
            {
                domains.entry(fold(name).into_owned()).or_insert((index as u32, role));
            }
        }
    }
    // What each email domain of the site gives, once per domain.
    let by_domain: Vec<Option<RoleSource>> = email_domains
        .names
        .iter()
        .map(|name| {
            let approved = domains.get(name.as_str());
            approved.map(|&(index, role)| RoleSource::Domain(index, role))
        })
        .collect();
    // One pass over every user, the longest of the facts.
    site.users
        .par_iter()
        .enumerate()
        .map(|(index, user)| {
            let direct = jsm_role_in(user.roles()).map(RoleSource::Direct);
            let groups = user_groups.get(index).iter().filter_map(|group| {
                let role = group_roles.get(group.index()).copied().flatten()?;
                Some(RoleSource::Group(*group, role))
            });
            let domain = email_domains.id(index).and_then(|id| by_domain[id as usize].clone());
            let sources: ThinVec<RoleSource> = direct
                .into_iter()
                .chain(groups)
                .chain(domain)
                .filter(|source| source.role() > JsmRole::None)
                .collect();
            EffectiveRole { sources }
        })
        .collect()
}

impl RoleSource {
    /// The role this source gives.
    pub fn role(&self) -> JsmRole {
        match *self {
            RoleSource::Direct(role) | RoleSource::Group(_, role) | RoleSource::Domain(_, role) => role,
        }
    }
}

/// One file's email domains, numbered from 0 in order of first use as its
/// accounts are decoded: each account's domain is taken while its text is
/// still in the processor's caches (read again afterwards, every account's
/// email was a cache miss: 110 ms for 2 million accounts), from the email
/// folded once for the account's hashes as well ([`super::index::UserHashes`]).
#[derive(Debug, Default)]
pub struct DomainNumbers {
    domains: EmailDomains,
    numbers: HashMap<String, u32>,
}

impl DomainNumbers {
    /// Numbers the next account's domain, given its folded email.
    pub fn push(&mut self, folded_email: Option<&str>) {
        // Nothing after the `@` is no domain: none to approve, none to list
        // in `external_domains`, and messages say the email has none.
        let domain = folded_email
            .and_then(|email| email.rsplit_once('@'))
            .map(|(_, domain)| domain)
            .filter(|domain| !domain.is_empty());
        let id = domain.map_or(EmailDomains::NONE, |domain| self.number(domain));
        self.domains.of_user.push(id);
    }

    /// Makes room for `accounts` more.
    pub fn reserve(&mut self, accounts: usize) {
        self.domains.of_user.reserve(accounts);
    }

    fn number(&mut self, domain: &str) -> u32 {
        // The accounts of a domain often come together.
        let names = &mut self.domains.names;
        if let Some(&last) = self.domains.of_user.last()
            && names.get(last as usize).is_some_and(|name| name == domain)
        {
            return last;
        }
        if let Some(&number) = self.numbers.get(domain) {
            return number;
        }
        let number = names.len() as u32;
        names.push(domain.to_string());
        self.numbers.insert(domain.to_string(), number);
        number
    }

    pub fn finish(self) -> EmailDomains {
        self.domains
    }
}

impl EmailDomains {
    /// The domains of consecutive runs of users ([`DomainNumbers`]
    /// of each file), as one site's: each run's few numbers are mapped to
    /// the site's. `left_out` are the positions (ascending) of the users,
    /// counted over all runs, that the site leaves out.
    pub fn concatenate(runs: Vec<EmailDomains>, left_out: &[usize]) -> EmailDomains {
        let mut site = EmailDomains {
            of_user: Vec::with_capacity(runs.iter().map(|run| run.of_user.len()).sum()),
            names: Vec::new(),
        };
        let mut numbers: HashMap<String, u32> = HashMap::new();
        for run in runs {
            let renumbered: Vec<u32> = run
                .names
                .into_iter()
                .map(|name| match numbers.get(&name) {
                    Some(&number) => number,
                    None => {
                        let number = site.names.len() as u32;
                        site.names.push(name.clone());
                        numbers.insert(name, number);
                        number
                    }
                })
                .collect();
            let global = |id: u32| renumbered.get(id as usize).copied().unwrap_or(EmailDomains::NONE);
            site.of_user.extend(run.of_user.into_iter().map(global));
        }
        super::decode::remove(&mut site.of_user, left_out);
        site
    }

    /// The number of "no domain": an account without an email, or with no
    /// `@` in it, or nothing after it.
    const NONE: u32 = u32::MAX;

    /// The number of user `index`'s domain, if their email has one (an `@`
    /// with something after it).
    pub fn id(&self, user: usize) -> Option<u32> {
        self.of_user.get(user).copied().filter(|&id| id != EmailDomains::NONE)
    }

    /// Every domain, by number.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// User `index`'s email domain, folded, if their email has one.
    pub fn of(&self, user: usize) -> Option<&str> {
        self.names.get(self.id(user)? as usize).map(String::as_str)
    }
}

/// A project's customers (service projects only): its direct customers,
/// then the members of each linked organization, in reference order;
/// unresolved references are left out. Made as asked rather than kept: there
/// is one link per customer reference and project it reaches, and the
/// rules' view holds the references already.
pub fn project_customers<'s>(
    site: &'s Site,
    project: &'s Project,
) -> impl Iterator<Item = CustomerLink> + 's {
    let desk = project.service_desk.as_ref().filter(|_| project.kind == ProjectType::ServiceDesk);
    let (customers, organizations) =
        desk.map_or((&[][..], &[][..]), |d| (&d.customers[..], &d.organizations[..]));
    let direct = customers.iter().enumerate().filter_map(|(index, customer)| {
        Some(CustomerLink { user: customer.target?, via: Via::Direct { index: index as u32 } })
    });
    let through_orgs = organizations.iter().filter_map(|r| r.target).flat_map(move |org| {
        let members = site.organizations.get(org.index()).map_or(&[][..], |o| &o.members);
        members.iter().enumerate().filter_map(move |(member, reference)| {
            let member = member as u32;
            Some(CustomerLink { user: reference.target?, via: Via::Organization { org, member } })
        })
    });
    direct.chain(through_orgs)
}

fn scheme_projects(site: &Site) -> Vec<Vec<ProjectId>> {
    let mut projects = vec![Vec::new(); site.permission_schemes.len()];
    for (index, project) in site.projects.iter().enumerate() {
        if let Some(scheme) = project.permission_scheme.as_ref().and_then(|r| r.target) {
            push_at(&mut projects, scheme.index(), ProjectId::from(index as u32));
        }
    }
    projects
}

fn org_projects(site: &Site) -> Vec<Vec<ProjectId>> {
    let mut projects: Vec<Vec<ProjectId>> = vec![Vec::new(); site.organizations.len()];
    for (index, project) in site.projects.iter().enumerate() {
        let project_id = ProjectId::from(index as u32);
        let linked = project.service_desk.iter().flat_map(|desk| &desk.organizations);
        for org in linked.filter_map(|r| r.target) {
            // A project that links an organization twice is listed once.
            if projects.get(org.index()).is_some_and(|list| list.last() != Some(&project_id)) {
                push_at(&mut projects, org.index(), project_id);
            }
        }
    }
    projects
}

/// Role name to its holders in one project: the role's users, and the
/// members of its groups.
fn project_role_users(project: &Project, group_members: &Grouped<UserId>) -> BTreeMap<String, Vec<UserId>> {
    let mut holders: BTreeMap<String, Vec<UserId>> = BTreeMap::new();
    for actors in &project.roles {
        let users = holders.entry(actors.role.clone()).or_default();
        users.extend(actors.users.iter().filter_map(|r| r.target));
        for group in actors.groups.iter().filter_map(|r| r.target) {
            users.extend(group_members.get(group.index()));
        }
    }
    holders.into_iter().map(|(role, users)| (role, sorted_unique(users))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_are_numbered_in_order_of_first_use() {
        let mut numbers = DomainNumbers::default();
        let emails = [
            Some("a@acme.com"),
            Some("b@acme.com"),
            Some("c@globex.com"),
            None,
            Some("d@acme.com"),
            Some("e@"),
        ];
        for email in emails.into_iter().chain([Some("no-at"), Some("f@globex.com")]) {
            numbers.push(email);
        }
        let domains = numbers.finish();
        assert_eq!(domains.names(), ["acme.com", "globex.com"]);
        let ids: Vec<_> = (0..8).map(|user| domains.id(user)).collect();
        assert_eq!(ids, [Some(0), Some(0), Some(1), None, Some(0), None, None, Some(1)]);
        assert_eq!(domains.of(5), None, "nothing after the `@` is no domain");
    }
}
