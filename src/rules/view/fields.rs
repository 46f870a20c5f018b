//! What each kind of node answers when an expression reads one of its
//! fields: the model's values with defaults applied, the facts derived for
//! it, and the nodes it leads to.

use std::collections::HashMap;

use cel::common::types::{CelMap, CelMapKey, CelString};

use crate::model::decode::JSM_APP;
use crate::model::facts::{self, RoleSource};
use crate::model::permissions;
use crate::model::site::*;

use super::node::Of;
use super::{Field, V, View, list};

/// The fields of each kind of node. Each method answers `None` for a name
/// the kind does not have (`has()` is then false, and reading it an error).
#[derive(Clone, Copy)]
pub(super) struct Fields<'a> {
    view: &'a View<'a>,
}

fn text(s: &str) -> Field<'_> {
    Field::Text(s)
}

fn owned<'a>(s: String) -> Field<'a> {
    Field::Owned(s)
}

fn opt_text(s: Option<&str>) -> Field<'_> {
    s.map_or(Field::Null, Field::Text)
}

fn boolean<'a>(b: bool) -> Field<'a> {
    Field::Bool(b)
}

fn texts<'a>(items: impl IntoIterator<Item = &'a str>) -> Field<'a> {
    Field::Val(list(items.into_iter().map(|s| Box::new(CelString::from(s)) as V<'a>)))
}

impl<'a> Fields<'a> {
    /// The value of field `name` of node `of`, or `None` when it has no
    /// such field.
    pub(super) fn of(view: &'a View<'a>, of: Of, name: &str) -> Option<Field<'a>> {
        let f = Fields { view };
        match of {
            Of::Site => f.site(name),
            Of::CustomerAccess => f.customer_access(name),
            Of::UserAccess => f.user_access(name),
            Of::Invite(i) => f.invite(i, name),
            Of::Domain(i) => f.domain(i, name),
            Of::User(i) => f.user(i, name),
            Of::RoleSource { user, index } => f.role_source(user, index, name),
            Of::RoleRef { user, index } => f.role_ref(user, index, name),
            Of::Group(i) => f.group(i, name),
            Of::ProjectRole(i) => f.project_role(i, name),
            Of::Scheme(i) => f.scheme(i, name),
            Of::Grant { scheme, index } => f.grant(scheme, index, name),
            Of::Holder { scheme, index } => f.holder(scheme, index, name),
            Of::Project(i) => f.project(i, name),
            Of::Actors { project, role } => f.actors(project, role, name),
            Of::RoleActor { project, role, group, index } => f.role_actor(project, role, group, index, name),
            Of::ServiceDesk(p) => f.service_desk(p, name),
            Of::EmailChannel { project, index } => f.email_channel(project, index, name),
            Of::Organization(i) => f.organization(i, name),
            Of::OrgMember { org, index } => f.org_member(org, index, name),
            Of::CustomerRef(i) => f.customer_ref(i, name),
        }
    }

    fn node(self, of: Of) -> Field<'a> {
        Field::Node(of)
    }

    fn opt_node(self, of: Option<Of>) -> Field<'a> {
        of.map_or(Field::Null, Field::Node)
    }

    fn nodes(self, of: impl IntoIterator<Item = Of>) -> Field<'a> {
        Field::Nodes(of.into_iter().collect())
    }

    fn users(self, ids: impl IntoIterator<Item = UserId>) -> Field<'a> {
        self.nodes(ids.into_iter().map(|u| Of::User(u.index())))
    }

    /// A map whose keys are data (app keys, role names).
    fn data_map(self, entries: impl IntoIterator<Item = (&'a str, Field<'a>)>) -> Field<'a> {
        let map: HashMap<CelMapKey<'a>, V<'a>> = entries
            .into_iter()
            .map(|(k, v)| (CelMapKey::String(CelString::from(k)), v.into_val(self.view)))
            .collect();
        Field::Val(Box::new(CelMap::from(map)))
    }

    fn site(self, name: &str) -> Option<Field<'a>> {
        let site = self.view.site;
        let info = site.info.as_ref();
        Some(match name {
            "name" => opt_text(info.and_then(|i| i.name.as_deref())),
            "url" => opt_text(info.and_then(|i| i.url.as_deref())),
            "has_service_project" => {
                boolean(site.projects.iter().any(|p| p.kind == ProjectType::ServiceDesk))
            }
            "customer_access" => self.node(Of::CustomerAccess),
            "user_access" => self.opt_node(site.user_access.as_ref().map(|_| Of::UserAccess)),
            "email_channels" => self.nodes(self.view.email_channels()),
            _ => return None,
        })
    }

    /// The `customer_access` section, or Atlassian's defaults when it is not
    /// written.
    fn customer_access(self, name: &str) -> Option<Field<'a>> {
        static DEFAULT: std::sync::LazyLock<CustomerAccess> =
            std::sync::LazyLock::new(CustomerAccess::default);
        let settings = self.view.site.customer_access.as_ref().unwrap_or(&DEFAULT);
        Some(match name {
            // Named after its section, which is how messages and suppressions name it.
            "name" => text("customer_access"),
            "internal" => boolean(settings.internal),
            "external" => boolean(settings.external),
            "external_domains" => match &self.view.external_domains {
                None => text("any"),
                Some(domains) => Field::Val(Box::new(domains.as_val())),
            },
            "external_domains_restricted" => {
                boolean(matches!(settings.external_domains, ExternalDomains::List(_)))
            }
            "signup" => text(match settings.signup {
                Signup::Allow => "allow",
                Signup::Deny => "deny",
            }),
            "anonymous_access" => boolean(settings.anonymous_access),
            "email_account_creation" => text(match settings.email_account_creation {
                EmailAccountCreation::Anyone => "anyone",
                EmailAccountCreation::AgentsOnly => "agents-only",
            }),
            _ => return None,
        })
    }

    fn user_access(self, name: &str) -> Option<Field<'a>> {
        let ua = self.view.site.user_access.as_ref()?;
        Some(match name {
            "name" => text("user_access"),
            "invite_links" => boolean(ua.invite_links),
            "user_invites" => {
                self.data_map(ua.user_invites.iter().map(|i| (i.app.as_str(), text(invite_mode(i.mode)))))
            }
            "approved_domains" => self.nodes((0..ua.approved_domains.len()).map(Of::Domain)),
            _ => return None,
        })
    }

    fn invite(self, i: usize, name: &str) -> Option<Field<'a>> {
        let invite = &self.view.site.user_access.as_ref()?.user_invites[i];
        Some(match name {
            "app" => text(&invite.app),
            "mode" => text(invite_mode(invite.mode)),
            _ => return None,
        })
    }

    fn domain(self, i: usize, name: &str) -> Option<Field<'a>> {
        let d = &self.view.site.user_access.as_ref()?.approved_domains[i];
        Some(match name {
            "domain" => opt_text(d.domain.as_deref()),
            "roles" => self.data_map(d.roles.iter().map(|(k, v)| (k.as_str(), text(domain_role(*v))))),
            "jsm_role" => opt_text(d.roles.get(JSM_APP).map(|r| domain_role(*r))),
            "admin_approval" => boolean(d.admin_approval),
            _ => return None,
        })
    }

    fn user(self, i: usize, name: &str) -> Option<Field<'a>> {
        let (site, facts) = (self.view.site, self.view.facts);
        let u = &site.users[i];
        let account = self.view.accounts[i];
        let role = facts.jsm_role.get(i);
        Some(match name {
            // From the account's record, which the rules over big
            // collections read: not from the account itself.
            "account_type" => text(account_type(account.account_type)),
            "status" => text(status(account.status)),
            "site_access" => boolean(account.site_access),
            "managed_by_other_org" => boolean(account.managed_by_other_org),
            "active" => boolean(account.active()),
            "jsm_role" => text(account.jsm_role.as_str()),
            "account_id" => text(&u.account_id),
            "email" => opt_text(u.email.as_deref()),
            "email_domain" => opt_text(facts.email_domains.of(i)),
            "approved_domain" => self.opt_node(
                facts
                    .email_domains
                    .id(i)
                    .and_then(|n| self.view.approved_domains[n as usize])
                    .map(Of::Domain),
            ),
            "name" => opt_text(u.name.as_deref()),
            "roles" => self.data_map(u.roles().iter().map(|(k, v)| (k.as_str(), text(v)))),
            "admin_roles" => texts(u.admin_roles().iter().map(String::as_str)),
            "groups" => texts(facts.user_groups.get(i).iter().map(|g| site.groups[g.index()].name.as_str())),
            "jsm_role_sources" => self.nodes(
                (0..role.map_or(0, |r| r.sources.len())).map(|index| Of::RoleSource { user: i, index }),
            ),
            // Other accounts with the same email (AC003).
            "same_email" if !account.shares_email => Field::Nodes(Vec::new()),
            "same_email" => self.users(
                u.email
                    .as_ref()
                    .map_or(&[][..], |e| facts.users_by_email.get(&site.users, e))
                    .iter()
                    .copied()
                    .filter(|id| id.index() != i),
            ),
            "role_refs" => {
                self.nodes((0..self.view.role_refs.get(i).len()).map(|index| Of::RoleRef { user: i, index }))
            }
            _ => return None,
        })
    }

    fn role_source(self, user: usize, index: usize, name: &str) -> Option<Field<'a>> {
        let site = self.view.site;
        let source = &self.view.facts.jsm_role.get(user)?.sources[index];
        let (via, who, role) = match source {
            RoleSource::Direct(r) => ("user", "", r),
            RoleSource::Group(g, r) => ("group", site.groups[g.index()].name.as_str(), r),
            RoleSource::Domain(d, r) => {
                let domain = site.user_access.as_ref().and_then(|ua| ua.approved_domains.get(*d as usize));
                ("domain", domain.and_then(|d| d.domain.as_deref()).unwrap_or(""), r)
            }
        };
        Some(match name {
            "via" => text(via),
            "name" => text(who),
            "role" => text(role.as_str()),
            _ => return None,
        })
    }

    fn role_ref(self, user: usize, index: usize, name: &str) -> Option<Field<'a>> {
        let (project, role, index) = self.view.role_ref(user, index);
        let p = &self.view.site.projects[project];
        let r = &p.roles[role];
        Some(match name {
            "text" => text(&r.users[index].text),
            "project" => self.node(Of::Project(project)),
            "role" => text(&r.role),
            _ => return None,
        })
    }

    fn group(self, i: usize, name: &str) -> Option<Field<'a>> {
        let g = &self.view.site.groups[i];
        Some(match name {
            "name" => text(&g.name),
            "id" => opt_text(g.id.as_deref()),
            "roles" => self.data_map(g.roles.iter().map(|(k, v)| (k.as_str(), text(v)))),
            "jsm_role" => text(g.roles.get(JSM_APP).map_or("none", String::as_str)),
            "members" => self.users(self.view.facts.group_members.get(i).iter().copied()),
            _ => return None,
        })
    }

    fn project_role(self, i: usize, name: &str) -> Option<Field<'a>> {
        let r = &self.view.site.project_roles[i];
        Some(match name {
            "id" => text(&r.id),
            "name" => text(&r.name),
            _ => return None,
        })
    }

    fn scheme(self, i: usize, name: &str) -> Option<Field<'a>> {
        let site = self.view.site;
        let s = &site.permission_schemes[i];
        let users = self.view.facts.scheme_projects.get(i).map_or(&[][..], Vec::as_slice);
        let service = || users.iter().filter(|p| site.projects[p.index()].kind == ProjectType::ServiceDesk);
        Some(match name {
            "id" => text(&s.id),
            "name" => text(&s.name),
            "description" => opt_text(s.description.as_deref()),
            "projects" => self.nodes(users.iter().map(|p| Of::Project(p.index()))),
            "used" => boolean(!users.is_empty()),
            "used_by_service_project" => boolean(service().next().is_some()),
            "service_projects" => self.nodes(service().map(|p| Of::Project(p.index()))),
            "permissions" => self.nodes((0..s.permissions.len()).map(|index| Of::Grant { scheme: i, index })),
            _ => return None,
        })
    }

    fn grant(self, scheme: usize, index: usize, name: &str) -> Option<Field<'a>> {
        let s = &self.view.site.permission_schemes[scheme];
        let g = &s.permissions[index];
        Some(match name {
            // A grant's natural name, e.g. `Support: BROWSE_PROJECTS to group jira-admins`.
            "name" => owned(match &g.holder.parameter {
                Some(p) if !p.is_empty() => format!("{}: {} to {} {p}", s.name, g.permission, g.holder.kind),
                _ => format!("{}: {} to {}", s.name, g.permission, g.holder.kind),
            }),
            "permission" => text(&g.permission),
            "permission_known" => boolean(permissions::is_built_in(&g.permission)),
            "permission_suggestion" => opt_text(permissions::suggestion(&g.permission)),
            "holder" => self.node(Of::Holder { scheme, index }),
            "scheme" => self.node(Of::Scheme(scheme)),
            _ => return None,
        })
    }

    fn holder(self, scheme: usize, index: usize, name: &str) -> Option<Field<'a>> {
        let site = self.view.site;
        let h = &site.permission_schemes[scheme].permissions[index].holder;
        // Groups and users are entities, as everywhere else; a role is its
        // name (a built-in role is in no list).
        let (role, group, user) = match &h.target {
            HolderTarget::Role(name) => (Some(name.as_str()), None, None),
            HolderTarget::Group(id) => (None, Some(Of::Group(id.index())), None),
            HolderTarget::User(id) => (None, None, Some(Of::User(id.index()))),
            HolderTarget::None | HolderTarget::Unresolved => (None, None, None),
        };
        Some(match name {
            "type" => text(&h.kind),
            "parameter" => opt_text(h.parameter.as_deref()),
            "role" => opt_text(role),
            "group" => self.opt_node(group),
            "user" => self.opt_node(user),
            _ => return None,
        })
    }

    fn project(self, i: usize, name: &str) -> Option<Field<'a>> {
        let p = &self.view.site.projects[i];
        let user = |r: &Ref<UserId>| r.target.map(|u| Of::User(u.index()));
        Some(match name {
            "key" => text(&p.key),
            "name" => opt_text(p.name.as_deref()),
            "type" => text(project_type(p.kind)),
            "is_service_project" => boolean(p.kind == ProjectType::ServiceDesk),
            "permission_scheme" => self
                .opt_node(p.permission_scheme.as_ref().and_then(|r| r.target).map(|s| Of::Scheme(s.index()))),
            "lead" => self.opt_node(p.lead.as_ref().and_then(user)),
            "roles" => self.data_map(
                p.roles
                    .iter()
                    .enumerate()
                    .map(|(role, r)| (r.role.as_str(), self.node(Of::Actors { project: i, role }))),
            ),
            "service_desk" => self.opt_node(p.service_desk.as_ref().map(|_| Of::ServiceDesk(i))),
            "channel_access" => opt_text(p.service_desk.as_ref().map(|sd| channel_access(sd.channel_access))),
            "customers" => self.users(facts::project_customers(self.view.site, p).map(|c| c.user)),
            _ => return None,
        })
    }

    fn actors(self, project: usize, role: usize, name: &str) -> Option<Field<'a>> {
        let r = &self.view.site.projects[project].roles[role];
        Some(match name {
            "users" => self.users(r.users.iter().filter_map(|u| u.target)),
            "groups" => self.nodes(r.groups.iter().filter_map(|g| g.target).map(|g| Of::Group(g.index()))),
            // Users holding the role, directly or through a group.
            "holders" => self.users(
                self.view
                    .facts
                    .project_role_users
                    .get(project)
                    .and_then(|roles| roles.get(&r.role))
                    .into_iter()
                    .flatten()
                    .copied(),
            ),
            _ => return None,
        })
    }

    fn role_actor(
        self,
        project: usize,
        role: usize,
        group: bool,
        index: usize,
        name: &str,
    ) -> Option<Field<'a>> {
        let r = &self.view.site.projects[project].roles[role];
        let (reference, user, target_group) = if group {
            let g = &r.groups[index];
            (&g.text, None, g.target)
        } else {
            let u = &r.users[index];
            (&u.text, u.target, None)
        };
        Some(match name {
            "text" => text(reference),
            "kind" => text(if group { "group" } else { "user" }),
            "user" => self.opt_node(user.map(|u| Of::User(u.index()))),
            "group" => self.opt_node(target_group.map(|g| Of::Group(g.index()))),
            "project" => self.node(Of::Project(project)),
            "role" => text(&r.role),
            // The users this reference puts in the role.
            "users" => self.users(self.actor_users(user, target_group)),
            // Those of them whose effective JSM role is not agent (AC005),
            // found here: a group can have thousands of members.
            "non_agents" => {
                let facts = self.view.facts;
                let agent =
                    |u: &UserId| facts.jsm_role.get(u.index()).is_some_and(|r| r.role() == JsmRole::Agent);
                self.users(self.actor_users(user, target_group).filter(|u| !agent(u)))
            }
            _ => return None,
        })
    }

    /// The users a role actor reference puts in its role: the user, or the
    /// group's members.
    fn actor_users(self, user: Option<UserId>, group: Option<GroupId>) -> impl Iterator<Item = UserId> + 'a {
        let members = group.map_or(&[][..], |g| self.view.facts.group_members.get(g.index()));
        user.into_iter().chain(members.iter().copied())
    }

    fn service_desk(self, project: usize, name: &str) -> Option<Field<'a>> {
        let sd = self.view.site.projects[project].service_desk.as_ref()?;
        Some(match name {
            "channel_access" => text(channel_access(sd.channel_access)),
            "customers" => self.users(sd.customers.iter().filter_map(|u| u.target)),
            "organizations" => self
                .nodes(sd.organizations.iter().filter_map(|o| o.target).map(|o| Of::Organization(o.index()))),
            "email_channels" => {
                self.nodes((0..sd.email_channels.len()).map(|index| Of::EmailChannel { project, index }))
            }
            _ => return None,
        })
    }

    fn email_channel(self, project: usize, index: usize, name: &str) -> Option<Field<'a>> {
        let c = &self.view.site.projects[project].service_desk.as_ref()?.email_channels[index];
        Some(match name {
            "address" => opt_text(c.address.as_deref()),
            "enabled" => boolean(c.enabled),
            "project" => self.node(Of::Project(project)),
            _ => return None,
        })
    }

    fn organization(self, i: usize, name: &str) -> Option<Field<'a>> {
        let site = self.view.site;
        let o = &site.organizations[i];
        let linked = self.view.facts.org_projects.get(i).map_or(&[][..], Vec::as_slice);
        Some(match name {
            "id" => opt_text(o.id.as_deref()),
            "name" => text(&o.name),
            "members" => self.users(o.members.iter().filter_map(|m| m.target)),
            "projects" => self.nodes(linked.iter().map(|p| Of::Project(p.index()))),
            "linked_to_service_project" => {
                boolean(linked.iter().any(|p| site.projects[p.index()].kind == ProjectType::ServiceDesk))
            }
            _ => return None,
        })
    }

    fn org_member(self, org: usize, index: usize, name: &str) -> Option<Field<'a>> {
        let m = &self.view.site.organizations[org].members[index];
        Some(match name {
            "text" => text(&m.text),
            "organization" => self.node(Of::Organization(org)),
            "user" => self.opt_node(m.target.map(|u| Of::User(u.index()))),
            _ => return None,
        })
    }

    fn customer_ref(self, i: usize, name: &str) -> Option<Field<'a>> {
        let r = &self.view.customer_refs[i];
        let projects = r.projects(&self.view.customer_ref_projects);
        Some(match name {
            "text" => text(&r.reference.text),
            "user" => self.node(Of::User(r.user.index())),
            "via" => text(if r.organization().is_some() { "organization" } else { "customer" }),
            "organization" => self.opt_node(r.organization().map(|o| Of::Organization(o.index()))),
            "projects" => self.nodes(projects.iter().map(|&p| Of::Project(p as usize))),
            _ => return None,
        })
    }
}

pub(super) fn account_type(t: AccountType) -> &'static str {
    match t {
        AccountType::Atlassian => "atlassian",
        AccountType::Customer => "customer",
        AccountType::App => "app",
    }
}

fn project_type(t: ProjectType) -> &'static str {
    match t {
        ProjectType::ServiceDesk => "service_desk",
        ProjectType::Software => "software",
        ProjectType::Business => "business",
    }
}

fn channel_access(c: ChannelAccess) -> &'static str {
    match c {
        ChannelAccess::Open => "open",
        ChannelAccess::Restricted => "restricted",
    }
}

fn invite_mode(m: InviteMode) -> &'static str {
    match m {
        InviteMode::Anyone => "anyone",
        InviteMode::ApprovedDomains => "approved-domains",
        InviteMode::AdminApproval => "admin-approval",
        InviteMode::AdminsOnly => "admins-only",
    }
}

fn domain_role(r: DomainRole) -> &'static str {
    match r {
        DomainRole::None => "none",
        DomainRole::User => "user",
        DomainRole::Customer => "customer",
        DomainRole::Agent => "agent",
    }
}

pub(super) fn status(s: Status) -> &'static str {
    match s {
        Status::Active => "active",
        Status::Inactive => "inactive",
        Status::Closed => "closed",
    }
}
