//! The site as the explainer reads it: settings with their defaults and
//! where they are written, and the conditions under which the rules that
//! report them fire (so a fact names a rule only where `sitelint check`
//! reports it, at the same place).

use crate::model::Facts;
use crate::model::facts::{self, EffectiveRole, RoleSource, Via};
use crate::model::permissions::AGENT_PERMISSIONS;
use crate::model::site::*;
use crate::model::text::{email_domain, fold};
use crate::source::Location;

/// The holder type JSM fills with a service project's customers.
const PORTAL_ACCESS: &str = "sd.customer.portal.only";
const SERVICE_DESK_TEAM: &str = "Service Desk Team";
const SERVICE_DESK_CUSTOMERS: &str = "Service Desk Customers";
const JSM_APP: &str = "jira-servicemanagement";
const JSM_ROLE_FIELD: &str = "roles.jira-servicemanagement";

pub(super) struct Settings<'s> {
    pub site: &'s Site,
    pub facts: &'s Facts,
    /// Atlassian's defaults, for a site that does not write `customer_access`.
    defaults: CustomerAccess,
}

/// The `customer_access` setting that rules out portal-only accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PortalOnlyLimit {
    /// `external: false`: none at all.
    External,
    /// `external_domains`: a list without the account's domain.
    Domains,
}

/// A project's permission scheme, as far as the snapshot says.
pub(super) enum SchemeOf<'s> {
    /// `permission_scheme` is not written: no scheme rule applies.
    Unstated,
    /// It names no scheme of the snapshot (SL005).
    Unresolved(&'s Ref<SchemeId>),
    Scheme(&'s PermissionScheme),
}

impl<'s> Settings<'s> {
    pub fn new(site: &'s Site, facts: &'s Facts) -> Self {
        Settings { site, facts, defaults: CustomerAccess::default() }
    }

    pub fn access(&self) -> &CustomerAccess {
        self.site.customer_access.as_ref().unwrap_or(&self.defaults)
    }

    /// Where a `customer_access` field is written; `None` for a default.
    pub fn access_at(&self, field: &str) -> Option<Location> {
        let origin = &self.site.customer_access.as_ref()?.origin;
        origin.states(field).then(|| origin.value_location(field))
    }

    /// A project the explainer was asked about; ids come from the site's
    /// own project list.
    pub fn project(&self, id: ProjectId) -> &'s Project {
        &self.site.projects[id.index()]
    }

    pub fn role(&self, user: UserId) -> Option<&'s EffectiveRole> {
        self.facts.jsm_role.get(user.index())
    }

    pub fn effective_role(&self, user: UserId) -> JsmRole {
        self.role(user).map_or(JsmRole::None, EffectiveRole::role)
    }

    /// Where a link of `project`'s customer list is written.
    pub fn link_at(&self, project: ProjectId, via: Via) -> Option<Location> {
        match via {
            Via::Direct { index } => {
                let desk = self.project(project).service_desk.as_ref()?;
                desk.customers.get(index as usize).map(|r| r.at)
            }
            Via::Organization { org, member } => {
                self.site.organizations.get(org.index())?.members.get(member as usize).map(|r| r.at)
            }
        }
    }

    /// How `user` is a listed customer of `project`, with where.
    pub fn listings(&self, project: ProjectId, user: UserId) -> Vec<(Via, Location)> {
        let Some(of) = self.site.projects.get(project.index()) else { return Vec::new() };
        facts::project_customers(self.site, of)
            .filter(|link| link.user == user)
            .filter_map(|link| Some((link.via, self.link_at(project, link.via)?)))
            .collect()
    }

    /// Every reference that lists `user` as a customer of some service
    /// project, in project order: where AC001, AC002, AC004 and CA004 report.
    pub fn customer_references(&self, user: UserId) -> Vec<Location> {
        let mut found = Vec::new();
        for (index, project) in self.site.projects.iter().enumerate() {
            for link in facts::project_customers(self.site, project).filter(|link| link.user == user) {
                found.extend(self.link_at(ProjectId::from(index as u32), link.via));
            }
        }
        found
    }

    pub fn listed_anywhere(&self, user: UserId) -> bool {
        let mut links = self.site.projects.iter().flat_map(|p| facts::project_customers(self.site, p));
        links.any(|link| link.user == user)
    }

    pub fn scheme(&self, project: ProjectId) -> SchemeOf<'s> {
        match &self.project(project).permission_scheme {
            None => SchemeOf::Unstated,
            Some(r) => match r.target.and_then(|id| self.site.permission_schemes.get(id.index())) {
                Some(scheme) => SchemeOf::Scheme(scheme),
                None => SchemeOf::Unresolved(r),
            },
        }
    }

    /// The JSM entry of `user_access.user_invites`, when written.
    pub fn jsm_invites(&self) -> Option<&'s UserInvite> {
        self.site.user_access.as_ref()?.user_invites.iter().find(|i| i.app == JSM_APP)
    }

    /// The approved domain an email belongs to, if any.
    pub fn approved_domain(&self, email: &str) -> Option<&'s ApprovedDomain> {
        let domain = email_domain(email)?;
        let domains = &self.site.user_access.as_ref()?.approved_domains;
        domains.iter().find(|d| d.domain.as_deref().is_some_and(|d| fold(d) == domain))
    }

    /// What keeps a portal-only account with this email from existing, if
    /// anything, with where it is set. Atlassian's defaults allow any.
    pub fn portal_only_forbidden(&self, email: Option<&str>) -> Option<(PortalOnlyLimit, Location)> {
        let access = self.site.customer_access.as_ref()?;
        if !access.external {
            return Some((PortalOnlyLimit::External, access.origin.value_location("external")));
        }
        let ExternalDomains::List(domains) = &access.external_domains else { return None };
        let domain = email.and_then(email_domain);
        let listed = domain.is_some_and(|d| domains.iter().any(|(listed, _)| fold(listed) == d));
        (!listed).then(|| (PortalOnlyLimit::Domains, access.origin.value_location("external_domains")))
    }

    /// The written domains portal-only accounts are limited to, for messages.
    pub fn external_domains(&self) -> String {
        match &self.access().external_domains {
            ExternalDomains::Any => "any".into(),
            ExternalDomains::List(domains) => {
                domains.iter().map(|(d, _)| d.as_str()).collect::<Vec<_>>().join(", ")
            }
        }
    }

    /// Where a JSM role source is set.
    pub fn role_source_at(&self, user: &User, source: &RoleSource) -> Option<Location> {
        let origin = match *source {
            RoleSource::Direct(_) => &user.origin,
            RoleSource::Group(group, _) => &self.site.groups.get(group.index())?.origin,
            RoleSource::Domain(index, _) => {
                &self.site.user_access.as_ref()?.approved_domains.get(index as usize)?.origin
            }
        };
        Some(origin.value_location(JSM_ROLE_FIELD))
    }

    /// The actor references that put `user` in `project`'s Service Desk
    /// Team role: the user named directly, or a group they belong to.
    pub fn team_references(&self, project: ProjectId, user: UserId) -> Vec<(Option<&'s str>, Location)> {
        let groups = self.facts.user_groups.get(user.index());
        let mut found = Vec::new();
        for actors in self.project(project).roles.iter().filter(|a| a.role == SERVICE_DESK_TEAM) {
            found.extend(actors.users.iter().filter(|r| r.target == Some(user)).map(|r| (None, r.at)));
            for r in &actors.groups {
                let Some(group) = r.target.filter(|g| groups.contains(g)) else { continue };
                let name = self.site.groups.get(group.index()).map(|g| g.name.as_str());
                found.push((name, r.at));
            }
        }
        found
    }

    /// Where `project`'s Service Desk Team role is (or would be) written.
    pub fn team_at(&self, project: ProjectId) -> Location {
        let project = self.project(project);
        match project.roles.iter().find(|a| a.role == SERVICE_DESK_TEAM) {
            Some(actors) => actors.origin.key_location(),
            None => project.origin.field_key_location("roles"),
        }
    }

    // ---- when the rules fire (RULES.md), to name them only where they report ----

    /// CA001: no account type may be a customer, on a site with a service project.
    pub fn ca001_fires(&self) -> bool {
        let access = self.access();
        self.site.customer_access.is_some()
            && !access.internal
            && !access.external
            && self.has_service_project()
    }

    /// CA002: sign-up is off while an open service project takes email.
    pub fn ca002_fires(&self) -> bool {
        self.site.customer_access.is_some()
            && self.access().signup == Signup::Deny
            && self.site.projects.iter().any(|p| {
                p.kind == ProjectType::ServiceDesk
                    && p.service_desk.as_ref().is_some_and(|d| {
                        d.channel_access == ChannelAccess::Open && d.email_channels.iter().any(|c| c.enabled)
                    })
            })
    }

    /// CH001: a restricted service project lists nobody (references that
    /// name nothing count as nothing, as in the rule's view).
    pub fn ch001_fires(&self, project: ProjectId) -> bool {
        self.project(project).service_desk.as_ref().is_some_and(|d| {
            d.channel_access == ChannelAccess::Restricted
                && d.customers.iter().all(|r| r.target.is_none())
                && d.organizations.iter().all(|r| r.target.is_none())
        })
    }

    /// CH002: an organization linked to no service project.
    pub fn ch002_fires(&self, org: OrgId) -> bool {
        let linked = self.facts.org_projects.get(org.index()).map_or(&[][..], Vec::as_slice);
        !linked
            .iter()
            .any(|p| self.site.projects.get(p.index()).is_some_and(|p| p.kind == ProjectType::ServiceDesk))
    }

    /// UA003: with internal customers on, an approved domain gives no JSM role.
    pub fn ua003_fires(&self, domain: &ApprovedDomain) -> bool {
        self.access().internal && matches!(domain.roles.get(JSM_APP), None | Some(DomainRole::None))
    }

    /// With internal customers off, an approved domain's Customer role
    /// gives its users nothing (AC001 points at `internal` then).
    pub fn withholds_domain_role(&self, domain: &ApprovedDomain) -> bool {
        !self.access().internal && domain.roles.get(JSM_APP) == Some(&DomainRole::Customer)
    }

    /// UA006: JSM invites are limited to admins, on a site with a service project.
    pub fn ua006_fires(&self, invites: &UserInvite) -> bool {
        matches!(invites.mode, InviteMode::AdminsOnly | InviteMode::AdminApproval)
            && self.has_service_project()
    }

    /// AC005: `user` is in some service project's Service Desk Team
    /// without the agent role.
    pub fn ac005_fires(&self, user: UserId) -> bool {
        self.effective_role(user) != JsmRole::Agent
            && self.site.projects.iter().zip(&self.facts.project_role_users).any(|(project, roles)| {
                project.kind == ProjectType::ServiceDesk
                    && roles.get(SERVICE_DESK_TEAM).is_some_and(|users| users.contains(&user))
            })
    }

    /// PS004: the agent permissions a scheme does not grant to the Service
    /// Desk Team role.
    pub fn team_lacks(&self, scheme: &PermissionScheme) -> Vec<&'static str> {
        AGENT_PERMISSIONS
            .into_iter()
            .filter(|permission| {
                !scheme.permissions.iter().any(|g| {
                    g.permission == *permission
                        && g.holder.kind == "projectRole"
                        && g.holder.target == HolderTarget::Role(SERVICE_DESK_TEAM.into())
                })
            })
            .collect()
    }

    fn has_service_project(&self) -> bool {
        self.site.projects.iter().any(|p| p.kind == ProjectType::ServiceDesk)
    }
}

/// The grant of `permission` to portal access in a scheme (what PS001 and
/// PS002 look for).
pub(super) fn portal_grant<'s>(scheme: &'s PermissionScheme, permission: &str) -> Option<&'s Grant> {
    scheme.permissions.iter().find(|g| g.permission == permission && g.holder.kind == PORTAL_ACCESS)
}

/// Grants to the Service Desk Customers role itself (PS003), of any
/// permission, or of `permission` only.
pub(super) fn customers_role_grants<'s>(
    scheme: &'s PermissionScheme,
    permission: Option<&'s str>,
) -> impl Iterator<Item = &'s Grant> + 's {
    scheme.permissions.iter().filter(move |g| {
        g.holder.kind == "projectRole"
            && g.holder.target == HolderTarget::Role(SERVICE_DESK_CUSTOMERS.into())
            && permission.is_none_or(|p| g.permission == p)
    })
}
