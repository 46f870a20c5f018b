//! Derived access facts (SNAPSHOT-FORMAT.md, "Derived facts"): what the
//! rules and the access explainer reason with. Computed once per site.

use std::collections::{BTreeMap, HashMap};

use super::site::*;

#[derive(Debug, Default, PartialEq)]
pub struct Facts {
    /// Per user: the groups they belong to, from `users[].groups` and
    /// `groups[].members`; sorted, no repeats.
    pub user_groups: Vec<Vec<GroupId>>,
    /// Per group: its members, from both sides; sorted, no repeats.
    pub group_members: Vec<Vec<UserId>>,
    /// Per user: the effective JSM role, and what gives it.
    pub jsm_role: Vec<EffectiveRole>,
    /// Per project: its customers (service projects only), in reference order.
    pub project_customers: Vec<Vec<CustomerLink>>,
    /// Per permission scheme: the projects that use it, in project order.
    pub scheme_projects: Vec<Vec<ProjectId>>,
    /// Per organization: the projects that link it, in project order.
    pub org_projects: Vec<Vec<ProjectId>>,
    /// Per project: role name to the users holding it, directly or through
    /// a group; users sorted, no repeats.
    pub project_role_users: Vec<BTreeMap<String, Vec<UserId>>>,
    /// Lower-cased email to the accounts that have it, in file order.
    pub users_by_email: HashMap<String, Vec<UserId>>,
}

/// A user's effective JSM role: the highest of its sources.
#[derive(Debug, Clone, PartialEq)]
pub struct EffectiveRole {
    pub role: JsmRole,
    pub sources: Vec<RoleSource>,
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
    Domain(usize, JsmRole),
}

/// How a user is a customer of a project.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CustomerLink {
    pub user: UserId,
    pub via: Via,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// `service_desk.customers[index]`.
    Direct { index: usize },
    /// `organizations[org].members[member]`, the organization being linked
    /// to the project.
    Organization { org: OrgId, member: usize },
}
