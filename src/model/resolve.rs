//! Reference resolution (SNAPSHOT-FORMAT.md, "References"): gives every
//! [`Ref`] and every holder parameter its target, and reports each one that
//! names nothing (SL005) with a "did you mean" when a close name exists.

use std::borrow::Cow;
use std::collections::hash_map::Entry as Slot;
use std::collections::{HashMap, HashSet};

use crate::finding::{Check, Finding};
use crate::source::Location;

use super::site::*;
use super::text::{closest, fold, may_be_close};

/// Role names that exist on every Jira site.
pub const BUILT_IN_ROLES: [&str; 5] = [
    "Administrators",
    "Service Desk Team",
    "Service Desk Customers",
    "Service Desk Collaborators",
    "atlassian-addons-project-access",
];

/// How many names "did you mean" may compare in one run. A site has up to
/// millions of accounts, so without a bound every unresolved user reference
/// would cost a pass over all of them; past the bound SL005 is still
/// reported, only without a suggestion.
const SUGGESTION_BUDGET: usize = 1_000_000;

/// Resolves every reference of the site in place.
pub fn resolve(site: &mut Site) -> Vec<Finding> {
    let Site { users, groups, project_roles, permission_schemes, projects, organizations, .. } = site;
    let mut resolver = Resolver::new();
    let group_names = Names::new("group", GroupId, [groups.iter().map(|g| Some(g.name.as_str()))]);
    let org_names = Names::new(
        "organization",
        OrgId,
        [
            organizations.iter().map(|o| Some(o.name.as_str())).collect::<Vec<_>>(),
            organizations.iter().map(|o| o.id.as_deref()).collect(),
        ],
    );
    let scheme_names = Names::new(
        "permission scheme",
        SchemeId,
        [
            permission_schemes.iter().map(|s| Some(s.id.as_str())).collect::<Vec<_>>(),
            permission_schemes.iter().map(|s| Some(s.name.as_str())).collect(),
        ],
    );
    let roles = Roles::new(project_roles, projects);
    // The account index borrows `users`; the users' own group references
    // are resolved once it is gone.
    {
        let accounts = Users::new(users);
        for scheme in permission_schemes.iter_mut() {
            for grant in &mut scheme.permissions {
                resolver.holder(&mut grant.holder, &accounts, &group_names, &roles);
            }
        }
        let (anyone, customer) = (accounts.referenced(false), accounts.referenced(true));
        for project in projects.iter_mut() {
            resolver.project(project, &anyone, &customer, &group_names, &scheme_names, &org_names);
        }
        for organization in organizations.iter_mut() {
            resolver.all(&customer, &mut organization.members);
        }
        for group in groups.iter_mut() {
            resolver.all(&anyone, &mut group.members);
        }
    }
    for user in users.iter_mut() {
        resolver.all(&group_names, &mut user.groups);
    }
    resolver.findings
}

/// Something references can name.
trait Lookup<T> {
    /// What it is, for messages: "group", "project role".
    fn what(&self) -> &'static str;
    fn find(&self, text: &str) -> Option<T>;
    /// Every text a reference could use, in snapshot order (so that
    /// suggestions do not depend on hashing).
    fn names(&self) -> Box<dyn Iterator<Item = &str> + '_>;
}

/// Entities named by one or more identifiers, tried in order (an
/// organization by name, then by id). Owns its keys so that the entities
/// can be updated while it is in use.
struct Names<T> {
    what: &'static str,
    maps: Vec<HashMap<String, T>>,
    order: Vec<String>,
}

impl<T: Copy> Names<T> {
    /// `identifiers[k][i]` is entity `i`'s identifier of the k-th kind, if
    /// it has one; `id` makes the id of entity `i`.
    fn new<'s, I>(what: &'static str, id: fn(u32) -> T, identifiers: impl IntoIterator<Item = I>) -> Names<T>
    where
        I: IntoIterator<Item = Option<&'s str>>,
    {
        let mut names = Names { what, maps: Vec::new(), order: Vec::new() };
        for kind in identifiers {
            let mut map = HashMap::new();
            for (index, text) in kind.into_iter().enumerate() {
                let Some(text) = text else { continue };
                if let Slot::Vacant(slot) = map.entry(text.to_string()) {
                    slot.insert(id(index as u32));
                    names.order.push(text.to_string());
                }
            }
            names.maps.push(map);
        }
        names
    }
}

impl<T: Copy> Lookup<T> for Names<T> {
    fn what(&self) -> &'static str {
        self.what
    }

    fn find(&self, text: &str) -> Option<T> {
        self.maps.iter().find_map(|map| map.get(text).copied())
    }

    fn names(&self) -> Box<dyn Iterator<Item = &str> + '_> {
        Box::new(self.order.iter().map(String::as_str))
    }
}

/// Users by account id, and by email ignoring case.
struct Users<'s> {
    users: &'s [User],
    by_account: HashMap<&'s str, UserId>,
    by_email: HashMap<Cow<'s, str>, SharedEmail>,
}

/// The accounts with one email that a reference can mean. Sites have
/// millions of accounts and an email is rarely shared, so this keeps the
/// few ids that matter instead of a list per email.
#[derive(Clone, Copy)]
struct SharedEmail {
    first: UserId,
    portal_only: Option<UserId>,
    atlassian: Option<UserId>,
}

impl<'s> Users<'s> {
    fn new(users: &'s [User]) -> Users<'s> {
        let mut by_account = HashMap::with_capacity(users.len());
        let mut by_email = HashMap::with_capacity(users.len());
        for (index, user) in users.iter().enumerate() {
            let id = UserId(index as u32);
            by_account.entry(user.account_id.as_str()).or_insert(id);
            let Some(email) = &user.email else { continue };
            let shared = by_email.entry(fold(email)).or_insert(SharedEmail {
                first: id,
                portal_only: None,
                atlassian: None,
            });
            let slot = match user.account_type {
                AccountType::Customer => &mut shared.portal_only,
                AccountType::Atlassian => &mut shared.atlassian,
                AccountType::App => continue,
            };
            slot.get_or_insert(id);
        }
        Users { users, by_account, by_email }
    }

    /// The lookup for one kind of reference: customer lists prefer the
    /// portal-only account of a shared email, every other reference the
    /// Atlassian account.
    fn referenced(&self, in_customer_list: bool) -> UserLookup<'_, 's> {
        UserLookup { users: self, in_customer_list }
    }
}

struct UserLookup<'u, 's> {
    users: &'u Users<'s>,
    in_customer_list: bool,
}

impl Lookup<UserId> for UserLookup<'_, '_> {
    fn what(&self) -> &'static str {
        "user"
    }

    fn find(&self, text: &str) -> Option<UserId> {
        if let Some(id) = self.users.by_account.get(text) {
            return Some(*id);
        }
        let shared = self.users.by_email.get(fold(text).as_ref())?;
        let preferred = if self.in_customer_list { shared.portal_only } else { shared.atlassian };
        Some(preferred.unwrap_or(shared.first))
    }

    fn names(&self) -> Box<dyn Iterator<Item = &str> + '_> {
        let users = self.users.users.iter();
        Box::new(users.flat_map(|u| std::iter::once(u.account_id.as_str()).chain(u.email.as_deref())))
    }
}

/// Project roles as holder parameters name them: digits are a role id
/// from `project_roles`, anything else a role name that exists.
struct Roles {
    by_id: HashMap<String, String>,
    names: HashSet<String>,
    /// Names then ids, in snapshot order, for suggestions.
    order: Vec<String>,
}

impl Roles {
    fn new(project_roles: &[ProjectRole], projects: &[Project]) -> Roles {
        let mut roles = Roles { by_id: HashMap::new(), names: HashSet::new(), order: Vec::new() };
        let declared = project_roles.iter().map(|r| r.name.as_str());
        let used = projects.iter().flat_map(|p| p.roles.iter().map(|r| r.role.as_str()));
        for name in declared.chain(used).chain(BUILT_IN_ROLES) {
            if roles.names.insert(name.to_string()) {
                roles.order.push(name.to_string());
            }
        }
        for role in project_roles {
            roles.by_id.entry(role.id.clone()).or_insert_with(|| role.name.clone());
            roles.order.push(role.id.clone());
        }
        roles
    }
}

impl<'r> Lookup<&'r str> for &'r Roles {
    fn what(&self) -> &'static str {
        "project role"
    }

    fn find(&self, text: &str) -> Option<&'r str> {
        if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
            self.by_id.get(text).map(String::as_str)
        } else {
            self.names.get(text).map(String::as_str)
        }
    }

    fn names(&self) -> Box<dyn Iterator<Item = &str> + '_> {
        Box::new(self.order.iter().map(String::as_str))
    }
}

struct Resolver {
    findings: Vec<Finding>,
    /// Suggestions already computed, by what is looked up and the text.
    suggestions: HashMap<(&'static str, String), Option<String>>,
    /// Comparisons "did you mean" may still make.
    budget: usize,
}

impl Resolver {
    fn new() -> Resolver {
        Resolver { findings: Vec::new(), suggestions: HashMap::new(), budget: SUGGESTION_BUDGET }
    }

    /// What `text` names; SL005 at `at` when it names nothing.
    fn find<T>(&mut self, lookup: &impl Lookup<T>, text: &str, at: Location) -> Option<T> {
        let found = lookup.find(text);
        if found.is_none() {
            let mut finding =
                Check::UnresolvedReference.at(at, format!("unknown {} `{text}`", lookup.what()));
            if let Some(close) = self.suggest(lookup, text) {
                finding = finding.with_help(format!("did you mean `{close}`?"));
            }
            self.findings.push(finding);
        }
        found
    }

    fn one<T>(&mut self, lookup: &impl Lookup<T>, reference: &mut Ref<T>) {
        reference.target = self.find(lookup, &reference.text, reference.at);
    }

    fn all<T>(&mut self, lookup: &impl Lookup<T>, references: &mut [Ref<T>]) {
        for reference in references {
            self.one(lookup, reference);
        }
    }

    fn suggest<T>(&mut self, lookup: &impl Lookup<T>, text: &str) -> Option<String> {
        let key = (lookup.what(), text.to_string());
        if let Some(known) = self.suggestions.get(&key) {
            return known.clone();
        }
        let mut compared = 0;
        let candidates = lookup
            .names()
            .filter(|name| may_be_close(text, name))
            .take(self.budget)
            .inspect(|_| compared += 1);
        let suggestion = closest(text, candidates).map(str::to_string);
        self.budget -= compared;
        self.suggestions.insert(key, suggestion.clone());
        suggestion
    }

    fn holder(&mut self, holder: &mut Holder, users: &Users, groups: &Names<GroupId>, roles: &Roles) {
        let Some(parameter) = &holder.parameter else { return };
        let at = holder.origin.value_location("parameter");
        let target = match holder.kind.as_str() {
            "projectRole" => self.find(&roles, parameter, at).map(|r| HolderTarget::Role(r.into())),
            "group" => self.find(groups, parameter, at).map(HolderTarget::Group),
            "user" => self.find(&users.referenced(false), parameter, at).map(HolderTarget::User),
            // Other holders' parameters (an app, a custom field) name
            // nothing in the snapshot.
            _ => return,
        };
        holder.target = target.unwrap_or(HolderTarget::Unresolved);
    }

    fn project(
        &mut self,
        project: &mut Project,
        anyone: &UserLookup,
        customer: &UserLookup,
        groups: &Names<GroupId>,
        schemes: &Names<SchemeId>,
        organizations: &Names<OrgId>,
    ) {
        if let Some(scheme) = &mut project.permission_scheme {
            self.one(schemes, scheme);
        }
        if let Some(lead) = &mut project.lead {
            self.one(anyone, lead);
        }
        for actors in &mut project.roles {
            self.all(anyone, &mut actors.users);
            self.all(groups, &mut actors.groups);
        }
        if let Some(desk) = &mut project.service_desk {
            self.all(customer, &mut desk.customers);
            self.all(organizations, &mut desk.organizations);
        }
    }
}
