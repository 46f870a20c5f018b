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
use super::text::{email_domain, fold};

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
}

/// A user's effective JSM role: the highest of its sources. One per
/// account, and most accounts have no source: a thin list keeps it at 16
/// bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct EffectiveRole {
    pub role: JsmRole,
    pub sources: ThinVec<RoleSource>,
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
/// built twice.
pub fn derive(site: &Site, users_by_email: EmailIndex) -> Facts {
    let (user_groups, group_members) = memberships(site);
    Facts {
        jsm_role: jsm_roles(site, &user_groups),
        scheme_projects: scheme_projects(site),
        org_projects: org_projects(site),
        project_role_users: site.projects.iter().map(|p| project_role_users(p, &group_members)).collect(),
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
    let mut links = Vec::new();
    for (index, user) in site.users.iter().enumerate() {
        links.extend(user.groups.iter().filter_map(|r| Some((UserId(index as u32), r.target?))));
    }
    for (index, group) in site.groups.iter().enumerate() {
        links.extend(group.members.iter().filter_map(|r| Some((r.target?, GroupId(index as u32)))));
    }
    let user_groups = links.iter().map(|&(user, group)| (user.0, group)).collect();
    let group_members = links.into_iter().map(|(user, group)| (group.0, user)).collect();
    (Grouped::new(site.users.len(), user_groups), Grouped::new(site.groups.len(), group_members))
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

fn jsm_roles(site: &Site, user_groups: &Grouped<GroupId>) -> Vec<EffectiveRole> {
    let group_roles: Vec<Option<JsmRole>> = site.groups.iter().map(|g| jsm_role_in(&g.roles)).collect();
    let internal = site.customer_access.as_ref().is_none_or(|access| access.internal);
    // Folded domain to the first approved domain that gives a role without
    // waiting for an admin's approval.
    let mut domains: HashMap<String, (u32, JsmRole)> = HashMap::new();
    if let Some(access) = &site.user_access {
        for (index, domain) in access.approved_domains.iter().enumerate() {
            if let Some(role) = domain_jsm_role(domain, internal).filter(|_| !domain.admin_approval) {
                domains.entry(fold(&domain.domain).into_owned()).or_insert((index as u32, role));
            }
        }
    }
    // One pass over every user, the longest of the facts.
    site.users
        .par_iter()
        .enumerate()
        .map(|(index, user)| {
            let direct = jsm_role_in(&user.roles).map(RoleSource::Direct);
            let groups = user_groups.get(index).iter().filter_map(|group| {
                let role = group_roles.get(group.index()).copied().flatten()?;
                Some(RoleSource::Group(*group, role))
            });
            let domain = user.email.as_deref().and_then(email_domain).and_then(|d| domains.get(d.as_ref()));
            let domain = domain.map(|&(index, role)| RoleSource::Domain(index, role));
            let sources: ThinVec<RoleSource> = direct
                .into_iter()
                .chain(groups)
                .chain(domain)
                .filter(|source| source.role() > JsmRole::None)
                .collect();
            let role = sources.iter().map(RoleSource::role).max().unwrap_or(JsmRole::None);
            EffectiveRole { role, sources }
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
            push_at(&mut projects, scheme.index(), ProjectId(index as u32));
        }
    }
    projects
}

fn org_projects(site: &Site) -> Vec<Vec<ProjectId>> {
    let mut projects: Vec<Vec<ProjectId>> = vec![Vec::new(); site.organizations.len()];
    for (index, project) in site.projects.iter().enumerate() {
        let project_id = ProjectId(index as u32);
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
