//! Reference resolution (SNAPSHOT-FORMAT.md, "References"): gives every
//! [`Ref`] and every holder parameter its target, and reports each one that
//! names nothing (SL005) with a "did you mean" when a close name exists.

use std::collections::hash_map::Entry as Slot;

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use rayon::prelude::*;

use crate::finding::{Check, Finding};
use crate::source::Location;

use super::index::{AccountIndex, EmailIndex, Key, UserIndex, WARM};
use super::site::*;
use super::text::{closest, may_be_close};

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
///
/// Lookups run in parallel, each entity on its own; the references that
/// name nothing are then reported one by one in snapshot order (holders,
/// projects, organizations, groups, users), because "did you mean" shares
/// one budget and what it suggests depends on what came before.
pub fn resolve(site: &mut Site) -> Vec<Finding> {
    let users = UserIndex::of_users(&site.users);
    resolve_with(site, users).0
}

/// [`resolve`] with the indexes of `site.users` already built (merging
/// builds them), also returning the index by email: it is one of the facts.
pub fn resolve_with(site: &mut Site, index: UserIndex) -> (Vec<Finding>, EmailIndex) {
    let Site { users, groups, project_roles, permission_schemes, projects, organizations, .. } = site;
    let group_names = Names::new("group", GroupId::from, [groups.iter().map(|g| Some(g.name.as_str()))]);
    let org_names = Names::new(
        "organization",
        OrgId::from,
        [
            organizations.iter().map(|o| Some(o.name.as_str())).collect::<Vec<_>>(),
            organizations.iter().map(|o| o.id.as_deref()).collect(),
        ],
    );
    let scheme_names = Names::new(
        "permission scheme",
        SchemeId::from,
        [
            permission_schemes.iter().map(|s| Some(s.id.as_str())).collect::<Vec<_>>(),
            permission_schemes.iter().map(|s| Some(s.name.as_str())).collect(),
        ],
    );
    let roles = Roles::new(project_roles, projects);
    // The account index borrows `users`, so the users' own group references
    // are resolved before it is built (and reported last all the same).
    let user_misses: Vec<Miss> = users
        .par_iter_mut()
        .flat_map_iter(|user| Resolver::run(|r| r.all(&group_names, user.groups_mut())))
        .collect();
    let accounts = Users { users, by_account: index.accounts, by_email: index.emails };
    let (anyone, customer) = (accounts.referenced(false), accounts.referenced(true));
    let holders = permission_schemes.par_iter_mut().flat_map_iter(|scheme| {
        Resolver::run(|r| {
            for grant in &mut scheme.permissions {
                r.holder(&mut grant.holder, &anyone, &group_names, &roles);
            }
        })
    });
    let projects = projects.par_iter_mut().flat_map_iter(|project| {
        Resolver::run(|r| r.project(project, &anyone, &customer, &group_names, &scheme_names, &org_names))
    });
    let organizations = organizations
        .par_iter_mut()
        .flat_map_iter(|organization| Resolver::run(|r| r.all(&customer, &mut organization.members)));
    let groups =
        groups.par_iter_mut().flat_map_iter(|group| Resolver::run(|r| r.all(&anyone, &mut group.members)));
    let misses: Vec<Miss> = holders.chain(projects).chain(organizations).chain(groups).collect();
    let mut suggestions = Suggestions::new();
    let findings = misses.into_iter().chain(user_misses).map(|miss| suggestions.report(miss)).collect();
    (findings, accounts.by_email)
}

/// What references can name, as messages and suggestions see it. Shared
/// by the threads that look references up.
trait Named: Sync {
    /// What it is, for messages: "group", "project role".
    fn what(&self) -> &'static str;
    /// Every text a reference could use, in snapshot order (so that
    /// suggestions do not depend on hashing).
    fn names(&self) -> Box<dyn Iterator<Item = &str> + '_>;
}

/// Something references can name.
trait Lookup<T>: Named {
    fn find(&self, text: &str) -> Option<T>;

    /// What each of `texts` names, into `found` (as long): by default, one
    /// after the other.
    fn find_each<'t>(&self, texts: impl Iterator<Item = &'t str>, found: &mut [Option<T>]) {
        for (text, found) in texts.zip(found) {
            *found = self.find(text);
        }
    }
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

impl<T: Sync> Named for Names<T> {
    fn what(&self) -> &'static str {
        self.what
    }

    fn names(&self) -> Box<dyn Iterator<Item = &str> + '_> {
        Box::new(self.order.iter().map(String::as_str))
    }
}

impl<T: Copy + Sync> Lookup<T> for Names<T> {
    fn find(&self, text: &str) -> Option<T> {
        self.maps.iter().find_map(|map| map.get(text).copied())
    }
}

/// Users by account id, and by email ignoring case.
struct Users<'s> {
    users: &'s [Box<User>],
    by_account: AccountIndex,
    by_email: EmailIndex,
}

impl<'s> Users<'s> {
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

impl Named for UserLookup<'_, '_> {
    fn what(&self) -> &'static str {
        "user"
    }

    fn names(&self) -> Box<dyn Iterator<Item = &str> + '_> {
        let users = self.users.users.iter();
        Box::new(users.flat_map(|u| std::iter::once(u.account_id.as_str()).chain(u.email.as_deref())))
    }
}

impl Lookup<UserId> for UserLookup<'_, '_> {
    fn find(&self, text: &str) -> Option<UserId> {
        self.find_keyed(text, self.key(text))
    }

    /// The texts' keys first, then each index prepares its lookups (see
    /// [`TextIndex::warm`](super::index::TextIndex::warm)), so that their
    /// waits on memory overlap; then each text is looked up by its key.
    fn find_each<'t>(&self, texts: impl Iterator<Item = &'t str>, found: &mut [Option<UserId>]) {
        let keyed: Vec<(&str, UserKey)> = texts.map(|text| (text, self.key(text))).collect();
        let Users { users, by_account, by_email } = self.users;
        let keys = |by_id: bool| {
            keyed.iter().filter_map(move |(_, key)| match key {
                UserKey::Id(key) if by_id => Some(key),
                UserKey::Email(key) if !by_id => Some(key),
                _ => None,
            })
        };
        by_account.warm(users, keys(true));
        by_email.warm(users, keys(false));
        for ((text, key), found) in keyed.into_iter().zip(found) {
            *found = self.find_keyed(text, key);
        }
    }
}

/// How a reference names an account: an account id, else an email.
enum UserKey<'t> {
    Id(Key<'t>),
    Email(Key<'t>),
}

impl UserLookup<'_, '_> {
    /// Account ids are looked up by id, anything else by email (an account
    /// id is rarely missing, so its lookup rarely goes on to the emails).
    fn key<'t>(&self, text: &'t str) -> UserKey<'t> {
        match self.users.by_account.key(text) {
            Some(key) => UserKey::Id(key),
            None => UserKey::Email(EmailIndex::key(text)),
        }
    }

    fn find_keyed(&self, text: &str, key: UserKey) -> Option<UserId> {
        let Users { users, by_account, by_email } = self.users;
        let email = match key {
            UserKey::Id(key) => match by_account.get_key(users, &key) {
                Some(id) => return Some(id),
                None => EmailIndex::key(text),
            },
            UserKey::Email(key) => key,
        };
        let ids = by_email.get_key(users, &email);
        let &first = ids.first()?;
        // An email is rarely shared; when it is, the first account of the
        // preferred type, if there is one.
        if ids.len() == 1 {
            return Some(first);
        }
        let preferred = if self.in_customer_list { AccountType::Customer } else { AccountType::Atlassian };
        let account_type = |id: UserId| users.get(id.index()).map(|u| u.account_type);
        Some(ids.iter().copied().find(|&id| account_type(id) == Some(preferred)).unwrap_or(first))
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

impl Named for Roles {
    fn what(&self) -> &'static str {
        "project role"
    }

    fn names(&self) -> Box<dyn Iterator<Item = &str> + '_> {
        Box::new(self.order.iter().map(String::as_str))
    }
}

/// The name of the role, as a holder keeps it.
impl Lookup<String> for Roles {
    fn find(&self, text: &str) -> Option<String> {
        if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
            self.by_id.get(text).cloned()
        } else {
            self.names.get(text).cloned()
        }
    }
}

/// A reference that names nothing: SL005, once "did you mean" has run.
struct Miss<'l> {
    lookup: &'l dyn Named,
    text: String,
    at: Location,
}

/// Gives references their targets and keeps those that name nothing.
#[derive(Default)]
struct Resolver<'l> {
    misses: Vec<Miss<'l>>,
}

impl<'l> Resolver<'l> {
    /// The misses of what `resolve` looked up.
    fn run(resolve: impl FnOnce(&mut Resolver<'l>)) -> Vec<Miss<'l>> {
        let mut resolver = Resolver::default();
        resolve(&mut resolver);
        resolver.misses
    }

    /// What `text` names; a miss at `at` when it names nothing.
    fn find<T>(&mut self, lookup: &'l impl Lookup<T>, text: &str, at: Location) -> Option<T> {
        let found = lookup.find(text);
        self.found(lookup, found, text, at)
    }

    /// `found`, what `text` (at `at`) names: a miss when nothing.
    fn found<T>(
        &mut self,
        lookup: &'l impl Lookup<T>,
        found: Option<T>,
        text: &str,
        at: Location,
    ) -> Option<T> {
        if found.is_none() {
            self.misses.push(Miss { lookup, text: text.to_string(), at });
        }
        found
    }

    fn one<T>(&mut self, lookup: &'l impl Lookup<T>, reference: &mut Ref<T>) {
        reference.target = self.find(lookup, &reference.text, reference.at);
    }

    /// Each reference in turn, looked up [`WARM`] at a time.
    fn all<T>(&mut self, lookup: &'l impl Lookup<T>, references: &mut [Ref<T>]) {
        let mut found: [Option<T>; WARM] = std::array::from_fn(|_| None);
        for references in references.chunks_mut(WARM) {
            let found = &mut found[..references.len()];
            lookup.find_each(references.iter().map(|r| r.text.as_str()), found);
            for (reference, found) in references.iter_mut().zip(found) {
                reference.target = self.found(lookup, found.take(), &reference.text, reference.at);
            }
        }
    }

    fn holder(
        &mut self,
        holder: &mut Holder,
        users: &'l UserLookup,
        groups: &'l Names<GroupId>,
        roles: &'l Roles,
    ) {
        let Some(parameter) = &holder.parameter else { return };
        let at = holder.origin.value_location("parameter");
        let target = match holder.kind.as_str() {
            "projectRole" => self.find(roles, parameter, at).map(HolderTarget::Role),
            "group" => self.find(groups, parameter, at).map(HolderTarget::Group),
            "user" => self.find(users, parameter, at).map(HolderTarget::User),
            // Other holders' parameters (an app, a custom field) name
            // nothing in the snapshot.
            _ => return,
        };
        holder.target = target.unwrap_or(HolderTarget::Unresolved);
    }

    fn project(
        &mut self,
        project: &mut Project,
        anyone: &'l UserLookup,
        customer: &'l UserLookup,
        groups: &'l Names<GroupId>,
        schemes: &'l Names<SchemeId>,
        organizations: &'l Names<OrgId>,
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

/// "Did you mean", within one budget for the whole site.
struct Suggestions {
    /// Suggestions already computed, by what is looked up and the text.
    known: HashMap<(&'static str, String), Option<String>>,
    /// Comparisons "did you mean" may still make.
    budget: usize,
}

impl Suggestions {
    fn new() -> Suggestions {
        Suggestions { known: HashMap::new(), budget: SUGGESTION_BUDGET }
    }

    /// SL005 for a reference that names nothing.
    fn report(&mut self, miss: Miss) -> Finding {
        let Miss { lookup, text, at } = miss;
        let finding = Check::UnresolvedReference.at(at, format!("unknown {} `{text}`", lookup.what()));
        match self.suggest(lookup, text) {
            Some(close) => finding.with_help(format!("did you mean `{close}`?")),
            None => finding,
        }
    }

    fn suggest(&mut self, lookup: &dyn Named, text: String) -> Option<String> {
        let key = (lookup.what(), text);
        if let Some(known) = self.known.get(&key) {
            return known.clone();
        }
        let text = key.1.as_str();
        let mut compared = 0;
        let candidates = lookup
            .names()
            .filter(|name| may_be_close(text, name))
            .take(self.budget)
            .inspect(|_| compared += 1);
        let suggestion = closest(text, candidates).map(str::to_string);
        self.budget -= compared;
        self.known.insert(key, suggestion.clone());
        suggestion
    }
}
