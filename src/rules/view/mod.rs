//! The model as rule expressions see it: every collection a rule can
//! iterate over, and the fields of what is in it.
//!
//! Each entity is a CEL map of its fields (effective values, defaults
//! applied) plus derived facts computed in Rust, so rules stay short. The
//! maps are [`Node`]s that borrow the model and compute a field when an
//! expression reads it: nothing is copied per item, so a rule costs what its
//! expressions read, whatever the size of the site. Nodes that stand for a
//! place in the snapshot answer the place protocol (see [`node`]), through
//! which `key_of(..)`/`value_of(..)` in a rule's `at` become locations.

mod account;
mod fields;
pub mod node;
pub mod schema;
mod text_set;

use std::borrow::Cow;
use std::collections::HashMap;

use cel::common::types::{CelBool, CelList, CelNull, CelString};
use cel::common::value::Val;
use rayon::prelude::*;

use crate::model::facts::{self, Facts};
use crate::model::grouped::Grouped;
use crate::model::site::*;
use crate::rules::template::NAME_FIELDS;
use account::Account;
pub use account::AccountTest;
use fields::Fields;
use node::{Anchor, Node, Of};
use text_set::Texts;

/// Collection names a rule's `for_each` may name, with what each item is.
pub const COLLECTIONS: &[(&str, &str)] = &[
    ("site", "the `site` section, when written"),
    ("user_access", "the `user_access` section, when written"),
    ("customer_access", "the `customer_access` section, when written"),
    ("user_invites", "each app entry of `user_access.user_invites`"),
    ("approved_domains", "each entry of `user_access.approved_domains`"),
    ("users", "each user"),
    ("groups", "each group"),
    ("project_roles", "each entry of `project_roles`"),
    ("permission_schemes", "each permission scheme"),
    ("grants", "each grant of each permission scheme"),
    ("projects", "each project"),
    ("service_projects", "each project of type service_desk"),
    ("email_channels", "each email channel of each service project"),
    ("role_actors", "each user or group reference in a project's `roles`"),
    ("organizations", "each organization"),
    ("organization_members", "each `members` reference of each organization"),
    ("customer_refs", "each reference that makes a user a listed customer of a service project"),
];

/// Maps whose keys are data: `x.roles.confluence` selects an app's role
/// (for a value whose kind is not known: see [`schema::Ty::Map`]).
pub const DATA_MAPS: &[&str] = &["roles", "user_invites"];

/// A CEL value owned by the expression that reads it, borrowing the model.
type V<'a> = Box<dyn Val + 'a>;

/// A field's value as the view computes it. Texts, booleans, null and nodes
/// stay what they are, so the quick test (`rules::quick`) reads them
/// without allocating; [`Field::into_val`] makes what expressions see.
#[derive(Debug)]
pub enum Field<'a> {
    Text(&'a str),
    Owned(String),
    Bool(bool),
    Null,
    Node(Of),
    /// A list of nodes.
    Nodes(Vec<Of>),
    /// Anything else: a list of texts, a map.
    Val(V<'a>),
}

impl<'a> Field<'a> {
    pub fn into_val(self, view: &'a View<'a>) -> V<'a> {
        match self {
            Field::Text(s) => Box::new(CelString::from(s)),
            Field::Owned(s) => Box::new(CelString::from(s)),
            Field::Bool(b) => Box::new(CelBool::from(b)),
            Field::Null => Box::new(CelNull),
            Field::Node(of) => Box::new(Node::new(view, of)),
            Field::Nodes(of) => list(of.into_iter().map(|of| Box::new(Node::new(view, of)) as V<'a>)),
            Field::Val(v) => v,
        }
    }
}

pub struct View<'s> {
    site: &'s Site,
    facts: &'s Facts,
    /// Per user: each place a project role names the user directly, as
    /// (project, role, index in the role's `users`).
    role_refs: Grouped<(u32, u32, u32)>,
    /// Each reference that makes a user a listed customer, in file order.
    customer_refs: Vec<CustomerRef<'s>>,
    /// The service projects of each customer reference, one run per
    /// reference (see [`CustomerRef::projects`]).
    customer_ref_projects: Vec<u32>,
    /// `customer_access.external_domains` when a list, lower-cased once:
    /// CA004 reads it for every customer reference.
    external_domains: Option<Texts>,
    /// Per user, what rules over accounts and customer references read
    /// most, see [`Account`].
    accounts: Vec<Account>,
    /// Per email domain (by its number, see [`View::email_domains`]): the
    /// first approved domain of that name, whatever role it gives.
    approved_domains: Vec<Option<usize>>,
}

/// The items of a collection, by position. Most collections are every
/// entity of a kind, a range of indices, so nothing is built per item: the
/// biggest have hundreds of thousands.
pub struct Collection<'v> {
    view: &'v View<'v>,
    items: Items,
}

enum Items {
    Range { len: usize, of: fn(usize) -> Of },
    List(Vec<Of>),
}

impl<'v> Collection<'v> {
    pub fn len(&self) -> usize {
        match &self.items {
            Items::Range { len, .. } => *len,
            Items::List(list) => list.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The item at `index`, which must be below [`Collection::len`].
    pub fn get(&self, index: usize) -> Node<'v> {
        let of = match &self.items {
            Items::Range { of, .. } => of(index),
            Items::List(list) => list[index],
        };
        Node::new(self.view, of)
    }

    pub fn iter(&self) -> impl Iterator<Item = Node<'v>> + '_ {
        (0..self.len()).map(|index| self.get(index))
    }
}

/// A `service_desk.customers` entry or an organization `members` entry, and
/// the service projects it makes the user a customer of. 24 bytes: a big
/// site has hundreds of thousands.
struct CustomerRef<'s> {
    reference: &'s Ref<UserId>,
    /// The reference's target (only resolved references are customer
    /// references), kept here: every rule over customer references reads
    /// it, and reading it through the reference cost each a cache miss
    /// (rules 116 ms to 158 ms at 50 MB).
    user: UserId,
    /// The organization whose `members` it is in, or [`DIRECT`].
    organization: u32,
    /// Where its projects are in the view's `customer_ref_projects`: one
    /// list for all, not one per reference.
    projects: std::ops::Range<u32>,
}

/// The `organization` of a project's own customer.
const DIRECT: u32 = u32::MAX;

impl CustomerRef<'_> {
    fn organization(&self) -> Option<OrgId> {
        (self.organization != DIRECT).then(|| OrgId::from(self.organization))
    }

    /// Its projects, in `lists` (the view's `customer_ref_projects`).
    fn projects<'p>(&self, lists: &'p [u32]) -> &'p [u32] {
        &lists[self.projects.start as usize..self.projects.end as usize]
    }
}

impl<'s> View<'s> {
    pub fn build(site: &'s Site, facts: &'s Facts) -> View<'s> {
        let external_domains = match site.customer_access.as_ref().map(|ca| &ca.external_domains) {
            // Domains compare case-insensitively.
            Some(ExternalDomains::List(domains)) => {
                Some(Texts::new(domains.iter().map(|(d, _)| d.to_lowercase())))
            }
            _ => None,
        };
        // Independent passes over hundreds of thousands of users and references.
        let ((customer_refs, customer_ref_projects), (role_refs, accounts)) = rayon::join(
            || customer_refs(site, facts),
            || rayon::join(|| role_refs(site), || accounts(site, facts)),
        );
        let approved_domains = approved_domains(site, facts);
        View {
            site,
            facts,
            role_refs,
            customer_refs,
            customer_ref_projects,
            external_domains,
            accounts,
            approved_domains,
        }
    }

    /// The `index`th place a project role names `user`: (project, role, entry).
    fn role_ref(&self, user: usize, index: usize) -> (usize, usize, usize) {
        let (project, role, entry) = self.role_refs.get(user)[index];
        (project as usize, role as usize, entry as usize)
    }

    /// The number of the email domain of the account `of` stands for
    /// (`email_domain`, numbered once per site: see
    /// [`EmailDomains`](crate::model::facts::EmailDomains)); `None` when
    /// `of` is no account or its email has no domain.
    pub fn email_domain_number(&self, of: Of) -> Option<usize> {
        match of {
            Of::User(i) => self.facts.email_domains.id(i).map(|n| n as usize),
            _ => None,
        }
    }

    /// Every email domain of the site, by number.
    pub fn email_domains(&self) -> &[String] {
        self.facts.email_domains.names()
    }

    /// `test` on the record of the account `of` stands for; `None` when
    /// `of` is no account.
    pub fn test_account(&self, of: Of, test: AccountTest) -> Option<bool> {
        match of {
            Of::User(i) => self.accounts.get(i).map(|&account| test.holds(account)),
            _ => None,
        }
    }

    /// The `site` variable every expression sees.
    pub fn site(&self) -> Node<'_> {
        Node::new(self, Of::Site)
    }

    /// The items of a collection named in [`COLLECTIONS`], in snapshot order.
    pub fn collection(&self, name: &str) -> Collection<'_> {
        let site = self.site;
        let ua = site.user_access.as_ref();
        let range = |len: usize, of: fn(usize) -> Of| Items::Range { len, of };
        let items = match name {
            // Like the other sections: a rule over the site points at it,
            // and a snapshot without `site:` has nowhere to point. (The
            // `site` variable is there either way.)
            "site" => Items::List(site.info.as_ref().map(|_| Of::Site).into_iter().collect()),
            "user_access" => Items::List(ua.map(|_| Of::UserAccess).into_iter().collect()),
            "customer_access" => {
                Items::List(site.customer_access.as_ref().map(|_| Of::CustomerAccess).into_iter().collect())
            }
            "user_invites" => range(ua.map_or(0, |ua| ua.user_invites.len()), Of::Invite),
            "approved_domains" => range(ua.map_or(0, |ua| ua.approved_domains.len()), Of::Domain),
            "users" => range(site.users.len(), Of::User),
            "groups" => range(site.groups.len(), Of::Group),
            "project_roles" => range(site.project_roles.len(), Of::ProjectRole),
            "permission_schemes" => range(site.permission_schemes.len(), Of::Scheme),
            "grants" => Items::List(
                site.permission_schemes
                    .iter()
                    .enumerate()
                    .flat_map(|(scheme, s)| {
                        (0..s.permissions.len()).map(move |index| Of::Grant { scheme, index })
                    })
                    .collect(),
            ),
            "projects" => range(site.projects.len(), Of::Project),
            "service_projects" => Items::List(
                (0..site.projects.len())
                    .filter(|&p| site.projects[p].kind == ProjectType::ServiceDesk)
                    .map(Of::Project)
                    .collect(),
            ),
            "email_channels" => Items::List(self.email_channels()),
            "role_actors" => Items::List(self.role_actors()),
            "organizations" => range(site.organizations.len(), Of::Organization),
            "organization_members" => Items::List(
                site.organizations
                    .iter()
                    .enumerate()
                    .flat_map(|(org, o)| (0..o.members.len()).map(move |index| Of::OrgMember { org, index }))
                    .collect(),
            ),
            "customer_refs" => range(self.customer_refs.len(), Of::CustomerRef),
            _ => Items::List(Vec::new()),
        };
        Collection { view: self, items }
    }

    /// Every email channel of every project with a service desk.
    fn email_channels(&self) -> Vec<Of> {
        let projects = self.site.projects.iter().enumerate();
        projects
            .filter_map(|(project, p)| Some((project, p.service_desk.as_ref()?)))
            .flat_map(|(project, sd)| {
                (0..sd.email_channels.len()).map(move |index| Of::EmailChannel { project, index })
            })
            .collect()
    }

    /// Every user and group reference in every project role: per role, its
    /// users, then its groups.
    fn role_actors(&self) -> Vec<Of> {
        let mut out = Vec::new();
        for (project, p) in self.site.projects.iter().enumerate() {
            for (role, r) in p.roles.iter().enumerate() {
                let users =
                    (0..r.users.len()).map(|index| Of::RoleActor { project, role, group: false, index });
                let groups =
                    (0..r.groups.len()).map(|index| Of::RoleActor { project, role, group: true, index });
                out.extend(users.chain(groups));
            }
        }
        out
    }

    /// Where a node stands in the snapshot, if it stands anywhere.
    fn anchor(&self, of: Of) -> Option<Anchor<'s>> {
        let site = self.site;
        let entity = |o: &'s Origin| Some(Anchor::Entity(o));
        match of {
            // The site is its `site:` section; a snapshot without one has
            // nowhere to point for it.
            Of::Site => entity(&site.info.as_ref()?.origin),
            Of::RoleSource { .. } | Of::Actors { .. } => None,
            Of::CustomerAccess => entity(&site.customer_access.as_ref()?.origin),
            Of::UserAccess => entity(&site.user_access.as_ref()?.origin),
            Of::Invite(i) => entity(&site.user_access.as_ref()?.user_invites[i].origin),
            Of::Domain(i) => entity(&site.user_access.as_ref()?.approved_domains[i].origin),
            Of::User(i) => entity(&site.users[i].origin),
            Of::Group(i) => entity(&site.groups[i].origin),
            Of::ProjectRole(i) => entity(&site.project_roles[i].origin),
            Of::Scheme(i) => entity(&site.permission_schemes[i].origin),
            Of::Grant { scheme, index } => entity(&site.permission_schemes[scheme].permissions[index].origin),
            Of::Holder { scheme, index } => {
                entity(&site.permission_schemes[scheme].permissions[index].holder.origin)
            }
            Of::Project(i) => entity(&site.projects[i].origin),
            Of::ServiceDesk(p) => entity(&site.projects[p].service_desk.as_ref()?.origin),
            Of::EmailChannel { project, index } => {
                entity(&site.projects[project].service_desk.as_ref()?.email_channels[index].origin)
            }
            Of::Organization(i) => entity(&site.organizations[i].origin),
            Of::RoleRef { user, index } => {
                let (project, role, index) = self.role_ref(user, index);
                Some(Anchor::Reference(site.projects[project].roles[role].users[index].at))
            }
            Of::RoleActor { project, role, group, index } => {
                let r = &site.projects[project].roles[role];
                Some(Anchor::Reference(if group { r.groups[index].at } else { r.users[index].at }))
            }
            Of::OrgMember { org, index } => {
                Some(Anchor::Reference(site.organizations[org].members[index].at))
            }
            Of::CustomerRef(i) => Some(Anchor::Reference(self.customer_refs[i].reference.at)),
        }
    }

    /// The value of a field of a node as CEL sees it, or `None` when it has
    /// no such field.
    fn field<'a>(&'a self, of: Of, name: &str) -> Option<V<'a>> {
        self.field_value(of, name).map(|field| field.into_val(self))
    }

    /// How a node reads in a message and names a finding's entity (what
    /// [`display`](crate::rules::template::display) shows for it): the
    /// first of its [`NAME_FIELDS`] that is a string, else a name made from
    /// where it is, so that a suppression can name it; read without making
    /// a CEL value of each.
    pub fn natural_name(&self, of: Of) -> Cow<'_, str> {
        let name = NAME_FIELDS.iter().find_map(|name| match self.field_value(of, name)? {
            Field::Text(text) => Some(Cow::Borrowed(text)),
            Field::Owned(text) => Some(Cow::Owned(text)),
            Field::Val(value) => value.downcast_ref::<CelString>().map(|s| Cow::Owned(s.inner().to_string())),
            _ => None,
        });
        name.unwrap_or_else(|| self.placed_name(of))
    }

    /// The name of a node that has none of the [`NAME_FIELDS`] (or leaves
    /// them unwritten): where it is, as the snapshot writes it.
    fn placed_name(&self, of: Of) -> Cow<'_, str> {
        let site = self.site;
        let key = |project: usize| site.projects[project].key.as_str();
        match of {
            Of::Site => Cow::Borrowed("site"),
            Of::Domain(i) => Cow::Owned(format!("approved_domains[{i}]")),
            // Addresses are not unique across projects: the project tells
            // two channels with one address apart.
            Of::EmailChannel { project, index } => {
                let channel =
                    site.projects[project].service_desk.as_ref().map(|sd| &sd.email_channels[index]);
                match channel.and_then(|c| c.address.as_deref()) {
                    Some(address) => Cow::Owned(format!("{}: {address}", key(project))),
                    None => Cow::Owned(format!("{}: email_channels[{index}]", key(project))),
                }
            }
            Of::ServiceDesk(project) => Cow::Borrowed(key(project)),
            Of::Actors { project, role } => {
                Cow::Owned(format!("{}: {}", key(project), site.projects[project].roles[role].role))
            }
            // As a grant's name ends: `group jira-admins`, `anyone`.
            Of::Holder { scheme, index } => {
                let holder = &site.permission_schemes[scheme].permissions[index].holder;
                match holder.parameter.as_deref() {
                    Some(p) if !p.is_empty() => Cow::Owned(format!("{} {p}", holder.kind)),
                    _ => Cow::Borrowed(holder.kind.as_str()),
                }
            }
            // Every other node has a name field that is always a string.
            _ => Cow::Borrowed("<map>"),
        }
    }

    /// Whether a field of a node that is a list is empty, where that is
    /// known without making the list: an account's other accounts with its
    /// email (AC003 asks it of every account), its project roles, its groups.
    pub fn list_is_empty(&self, of: Of, name: &str) -> Option<bool> {
        let Of::User(i) = of else { return None };
        match name {
            "same_email" => Some(!self.accounts.get(i)?.shares_email),
            "role_refs" => Some(self.role_refs.get(i).is_empty()),
            "groups" => Some(self.facts.user_groups.get(i).is_empty()),
            _ => None,
        }
    }

    /// The value of a field of a node, or `None` when it has no such field.
    pub fn field_value<'a>(&'a self, of: Of, name: &str) -> Option<Field<'a>> {
        Fields::of(self, of, name)
    }
}

fn accounts(site: &Site, facts: &Facts) -> Vec<Account> {
    let mut accounts: Vec<Account> = site
        .users
        .par_iter()
        .zip(&facts.jsm_role)
        .map(|(u, role)| Account {
            account_type: u.account_type,
            status: u.status,
            site_access: u.site_access,
            managed_by_other_org: u.managed_by_other_org,
            jsm_role: role.role(),
            shares_email: false,
        })
        .collect();
    for ids in facts.users_by_email.shared() {
        for id in ids {
            if let Some(account) = accounts.get_mut(id.index()) {
                account.shares_email = true;
            }
        }
    }
    accounts
}

/// Per email domain of the site, by number: the first approved domain of
/// that name (compared folded, as the facts compare them), if any. A site
/// has a few dozen email domains, however many accounts.
fn approved_domains(site: &Site, facts: &Facts) -> Vec<Option<usize>> {
    let approved = site.user_access.as_ref().map_or(&[][..], |access| &access.approved_domains[..]);
    let mut by_name: HashMap<String, usize> = HashMap::new();
    for (index, domain) in approved.iter().enumerate() {
        if let Some(name) = &domain.domain {
            by_name.entry(crate::model::text::fold(name).into_owned()).or_insert(index);
        }
    }
    facts.email_domains.names().iter().map(|name| by_name.get(name.as_str()).copied()).collect()
}

/// Per user, where a project role names them: (project, role, entry).
fn role_refs(site: &Site) -> Grouped<(u32, u32, u32)> {
    let mut refs = Vec::new();
    for (pi, p) in site.projects.iter().enumerate() {
        for (ri, r) in p.roles.iter().enumerate() {
            for (ui, u) in r.users.iter().enumerate() {
                if let Some(user) = u.target {
                    refs.push((user.position(), (pi as u32, ri as u32, ui as u32)));
                }
            }
        }
    }
    Grouped::new(site.users.len(), refs)
}

/// One entry per reference that makes a user a listed customer: each
/// `service_desk.customers` entry of a service project, and each `members`
/// entry of an organization linked to one, however many projects it
/// reaches; sorted by where they are written.
///
/// A big site has hundreds of thousands, so nothing is sorted or copied per
/// project: a project's customers are in order in the site, and so are an
/// organization's members, so the two are merged in one pass. Each points
/// at one list of projects, shared by every reference of its project or
/// organization. Only references that YAML aliases place twice (at the same
/// location) are sorted, and merged with the union of their projects.
fn customer_refs<'s>(site: &'s Site, facts: &Facts) -> (Vec<CustomerRef<'s>>, Vec<u32>) {
    // The project list of each service project with customers, then of each
    // linked organization.
    let mut projects: Vec<u32> = Vec::new();
    let mut list = |ids: &mut dyn Iterator<Item = u32>| {
        let start = projects.len() as u32;
        projects.extend(ids);
        start..projects.len() as u32
    };
    let project_lists: Vec<Option<std::ops::Range<u32>>> = site
        .projects
        .iter()
        .enumerate()
        .map(|(pi, project)| {
            let has_customers = facts::project_customers(site, project).next().is_some();
            has_customers.then(|| list(&mut std::iter::once(pi as u32)))
        })
        .collect();
    let org_lists: Vec<Option<std::ops::Range<u32>>> = facts
        .org_projects
        .iter()
        .map(|linked| (!linked.is_empty()).then(|| list(&mut linked.iter().map(|p| p.position()))))
        .collect();
    let direct = site.projects.iter().zip(&project_lists).flat_map(|(p, range)| {
        let customers =
            p.service_desk.as_ref().filter(|_| range.is_some()).map_or(&[][..], |sd| &sd.customers);
        customers.iter().filter_map(|reference| {
            Some(CustomerRef {
                reference,
                user: reference.target?,
                organization: DIRECT,
                projects: range.clone()?,
            })
        })
    });
    let members = site.organizations.iter().zip(&org_lists).enumerate().flat_map(|(oi, (o, range))| {
        let members = if range.is_some() { &o.members[..] } else { &[] };
        members.iter().filter_map(move |reference| {
            let (user, projects) = (reference.target?, range.clone()?);
            Some(CustomerRef { reference, user, organization: oi as u32, projects })
        })
    });
    // The two streams merged as they are made: no list of either is kept.
    let count = direct.clone().count() + members.clone().count();
    let mut refs = Vec::with_capacity(count);
    let (mut direct, mut members) = (direct.peekable(), members.peekable());
    while let Some(first) = match (direct.peek(), members.peek()) {
        (Some(d), Some(m)) if m.reference.at < d.reference.at => members.next(),
        (Some(_), _) => direct.next(),
        (None, _) => members.next(),
    } {
        refs.push(first);
    }
    if !refs.windows(2).all(|pair| pair[0].reference.at < pair[1].reference.at) {
        refs = merge_aliased(refs, &mut projects);
    }
    (refs, projects)
}

/// References in any order, some at the same location (YAML aliases):
/// sorted, each location once, with the union of the projects of its
/// references (the one kept is that of its first project).
fn merge_aliased<'s>(mut refs: Vec<CustomerRef<'s>>, projects: &mut Vec<u32>) -> Vec<CustomerRef<'s>> {
    let first_project = |r: &CustomerRef| projects.get(r.projects.start as usize).copied();
    refs.sort_by_cached_key(|r| (r.reference.at, first_project(r)));
    let mut merged: Vec<CustomerRef<'s>> = Vec::with_capacity(refs.len());
    for r in refs {
        match merged.last_mut() {
            Some(last) if last.reference.at == r.reference.at => {
                let mut union: Vec<u32> =
                    last.projects(projects).iter().chain(r.projects(projects)).copied().collect();
                union.sort_unstable();
                union.dedup();
                let start = projects.len() as u32;
                projects.extend(union);
                last.projects = start..projects.len() as u32;
            }
            _ => merged.push(r),
        }
    }
    merged
}

fn list<'a>(items: impl IntoIterator<Item = V<'a>>) -> V<'a> {
    Box::new(CelList::from(items.into_iter().collect::<Vec<_>>()))
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeSet, HashSet};

    use cel::common::types::{CelList, CelMap, CelString};
    use cel::common::value::Val;

    use super::node::{Identity, Of};
    use super::schema::{Kind, Ty, all_fields, item_kind};
    use super::{COLLECTIONS, View};
    use crate::model::facts::Via;
    use crate::source::Location;
    use crate::{load, model};

    /// The field names `Fields` answers, read from its source.
    fn names_in_source() -> BTreeSet<String> {
        let source = include_str!("fields.rs");
        let start = source.find("impl<'a> Fields<'a>").unwrap();
        let end = source[start..].find("\npub(super) fn account_type").unwrap() + start;
        let mut names = BTreeSet::new();
        for part in source[start..end].split("\" =>") {
            let Some(open) = part.rfind('"') else { continue };
            let name = &part[open + 1..];
            if !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
                names.insert(name.to_string());
            }
        }
        names
    }

    #[test]
    fn fields_lists_exactly_the_fields_the_nodes_answer() {
        let listed: BTreeSet<String> = all_fields().iter().map(|s| s.to_string()).collect();
        assert_eq!(names_in_source(), listed, "update the schema (and the README's collection table)");
    }

    /// A customer reference's location and the projects it reaches.
    type PlacedRef = (Location, Vec<u32>);

    /// Each customer reference's location and projects, as the view has
    /// them and as the facts' links give them (every link, grouped by the
    /// location of its reference).
    fn customer_refs_both_ways(loaded: &load::Loaded) -> (Vec<PlacedRef>, Vec<PlacedRef>) {
        let (site, facts, _) = model::build(&loaded.documents);
        let view = View::build(&site, &facts);
        let projects = |r: &super::CustomerRef| r.projects(&view.customer_ref_projects).to_vec();
        let built = view.customer_refs.iter().map(|r| (r.reference.at, projects(r))).collect();
        let mut links: Vec<(Location, u32)> = Vec::new();
        for (project, of) in site.projects.iter().enumerate() {
            let desk = of.service_desk.as_ref();
            for link in crate::model::facts::project_customers(&site, of) {
                let reference = match link.via {
                    Via::Direct { index } => &desk.unwrap().customers[index as usize],
                    Via::Organization { org, member } => {
                        &site.organizations[org.index()].members[member as usize]
                    }
                };
                links.push((reference.at, project as u32));
            }
        }
        links.sort_unstable();
        links.dedup();
        let mut expected: Vec<PlacedRef> = Vec::new();
        for (at, project) in links {
            match expected.last_mut() {
                Some((last, projects)) if *last == at => projects.push(project),
                _ => expected.push((at, vec![project])),
            }
        }
        (built, expected)
    }

    #[test]
    fn a_customer_reference_is_24_bytes() {
        assert_eq!(std::mem::size_of::<super::CustomerRef>(), 24);
    }

    #[test]
    fn customer_references_are_each_place_once_with_every_project_it_reaches() {
        let aliased = "organizations:\n  - { name: C, members: &people [a@c.com, b@c.com] }\n  \
                       - { name: F, members: *people }\n\
                       projects:\n  - { key: P, type: service_desk, service_desk: { customers: *people, organizations: [C, F] } }\n  \
                       - { key: Q, type: service_desk, service_desk: { customers: [b@c.com], organizations: [F, F] } }\n\
                       users:\n  - { account_id: \"qm:1\", email: a@c.com, account_type: customer }\n  \
                       - { account_id: \"qm:2\", email: b@c.com, account_type: customer }\n";
        let sites = [
            load::load_path("snapshots/example".as_ref()).unwrap(),
            load::load_text("s.yaml", aliased).unwrap(),
        ];
        for loaded in &sites {
            let (built, expected) = customer_refs_both_ways(loaded);
            assert!(!built.is_empty());
            assert_eq!(built, expected);
        }
    }

    /// The node behind a value, if it is one.
    fn of(value: &dyn Val) -> Option<Of> {
        let id = value.as_indexer()?.get(&CelString::from("_id")).ok()?;
        id.downcast_ref::<Identity>().map(|id| id.0)
    }

    /// Every node of the example site, reached from the collections
    /// through their fields; and the fields some node answers.
    fn reached(view: &View) -> (HashSet<Of>, BTreeSet<String>) {
        let mut todo: Vec<Of> = Vec::new();
        for (name, _) in COLLECTIONS {
            todo.extend(view.collection(name).iter().map(|n| n.of));
        }
        let mut seen = HashSet::new();
        let mut answered = BTreeSet::new();
        while let Some(node) = todo.pop() {
            if !seen.insert(node) {
                continue;
            }
            for name in all_fields() {
                let Some(value) = view.field(node, name) else { continue };
                answered.insert(name.to_string());
                let mut values: Vec<&dyn Val> = vec![value.as_ref()];
                if let Some(list) = value.downcast_ref::<CelList>() {
                    values.extend(list.inner().iter().map(|v| v.as_ref()));
                }
                if let Some(map) = value.downcast_ref::<CelMap>() {
                    values.extend(map.inner().values().map(|v| v.as_ref()));
                }
                todo.extend(values.into_iter().filter_map(of));
            }
        }
        (seen, answered)
    }

    /// Every field is answered by some node of the example site, reached
    /// from the collections: none is listed but dead.
    #[test]
    fn every_field_is_answered_somewhere_in_the_example() {
        let loaded = load::load_path("snapshots/example".as_ref()).unwrap();
        let (site, facts, _) = model::build(&loaded.documents);
        let view = View::build(&site, &facts);
        let listed: BTreeSet<String> = all_fields().iter().map(|s| s.to_string()).collect();
        assert_eq!(reached(&view).1, listed);
    }

    fn kind(of: Of) -> Kind {
        match of {
            Of::Site => Kind::Site,
            Of::CustomerAccess => Kind::CustomerAccess,
            Of::UserAccess => Kind::UserAccess,
            Of::Invite(_) => Kind::Invite,
            Of::Domain(_) => Kind::Domain,
            Of::User(_) => Kind::User,
            Of::RoleSource { .. } => Kind::RoleSource,
            Of::RoleRef { .. } => Kind::RoleRef,
            Of::Group(_) => Kind::Group,
            Of::ProjectRole(_) => Kind::ProjectRole,
            Of::Scheme(_) => Kind::Scheme,
            Of::Grant { .. } => Kind::Grant,
            Of::Holder { .. } => Kind::Holder,
            Of::Project(_) => Kind::Project,
            Of::Actors { .. } => Kind::Actors,
            Of::RoleActor { .. } => Kind::RoleActor,
            Of::ServiceDesk(_) => Kind::ServiceDesk,
            Of::EmailChannel { .. } => Kind::EmailChannel,
            Of::Organization(_) => Kind::Organization,
            Of::OrgMember { .. } => Kind::OrgMember,
            Of::CustomerRef(_) => Kind::CustomerRef,
        }
    }

    /// Whether `value` is what `ty` says (null standing for a text or node
    /// the snapshot leaves out).
    fn is(value: &dyn Val, ty: Ty) -> bool {
        if value.downcast_ref::<cel::common::types::CelNull>().is_some() {
            return matches!(ty, Ty::Any | Ty::Text | Ty::Node(_));
        }
        match ty {
            Ty::Any => true,
            Ty::Text => value.downcast_ref::<CelString>().is_some(),
            Ty::Bool => value.downcast_ref::<cel::common::types::CelBool>().is_some(),
            Ty::Node(k) => of(value).is_some_and(|of| kind(of) == k),
            Ty::List(element) => value
                .downcast_ref::<CelList>()
                .is_some_and(|list| list.inner().iter().all(|v| is(v.as_ref(), *element))),
            Ty::Map(element) => value
                .downcast_ref::<CelMap>()
                .is_some_and(|map| map.inner().values().all(|v| is(v.as_ref(), *element))),
            Ty::Place => false,
        }
    }

    /// Each node of the example answers exactly the fields the schema gives
    /// its kind, with values of the schema's types; each collection's items
    /// are of its kind; and every kind is reached, so all of it is checked.
    #[test]
    fn the_schema_is_what_the_view_answers() {
        let loaded = load::load_path("snapshots/example".as_ref()).unwrap();
        let (site, facts, _) = model::build(&loaded.documents);
        let view = View::build(&site, &facts);
        for (name, _) in COLLECTIONS {
            let k = item_kind(name).unwrap();
            assert!(view.collection(name).iter().all(|n| kind(n.of) == k), "{name}");
        }
        let (nodes, _) = reached(&view);
        let kinds: HashSet<Kind> = nodes.iter().map(|&of| kind(of)).collect();
        assert_eq!(kinds.len(), super::schema::KINDS.len(), "{kinds:?}");
        for of in nodes {
            for name in all_fields() {
                let value = view.field(of, name);
                match kind(of).field(name) {
                    Some(ty) => {
                        let value = value.unwrap_or_else(|| panic!("{of:?} has no {name}"));
                        assert!(is(value.as_ref(), ty), "{of:?}.{name} is not {ty:?}: {value:?}");
                    }
                    None => {
                        assert!(value.is_none(), "{of:?} answers {name}, which the schema does not give it")
                    }
                }
            }
        }
    }

    /// Whatever a message shows or a finding is about has a name, also
    /// where the snapshot leaves out what names it: never `<map>`.
    #[test]
    fn every_node_has_a_natural_name() {
        let unnamed = "site: {}\n\
                       user_access: { approved_domains: [{ admin_approval: true }] }\n\
                       users: [{ account_id: \"712020:ann\", name: Ann }]\n\
                       projects:\n  - { key: P, type: service_desk, service_desk: { email_channels: [{}] } }\n";
        for loaded in [
            load::load_path("snapshots/example".as_ref()).unwrap(),
            load::load_text("s.yaml", unnamed).unwrap(),
        ] {
            let (site, facts, _) = model::build(&loaded.documents);
            let view = View::build(&site, &facts);
            for of in reached(&view).0 {
                assert_ne!(view.natural_name(of), "<map>", "{of:?}");
            }
        }
        let loaded = load::load_text("s.yaml", unnamed).unwrap();
        let (site, facts, _) = model::build(&loaded.documents);
        let view = View::build(&site, &facts);
        let names = |collection| -> Vec<String> {
            view.collection(collection).iter().map(|n| view.natural_name(n.of).into_owned()).collect()
        };
        assert_eq!(names("site"), ["site"]);
        // A display name is not unique: suppressions name the account.
        assert_eq!(names("users"), ["712020:ann"]);
        assert_eq!(names("approved_domains"), ["approved_domains[0]"]);
        assert_eq!(names("email_channels"), ["P: email_channels[0]"]);
    }

    /// Field reads stop once the rule's deadline has passed, so a rule stuck
    /// in a comprehension over the model is stopped inside the item.
    #[test]
    fn field_reads_fail_once_the_deadline_has_passed() {
        let loaded = load::load_path("snapshots/example".as_ref()).unwrap();
        let (site, facts, _) = model::build(&loaded.documents);
        let view = View::build(&site, &facts);
        let user = view.collection("users").get(0);
        let read = || user.as_indexer().unwrap().get(&CelString::from("email")).is_ok();
        assert!((0..1000).all(|_| read()));
        let past = std::time::Instant::now().checked_sub(std::time::Duration::from_millis(1));
        crate::rules::budget::within(past, || assert!((0..1000).any(|_| !read())));
    }
}
