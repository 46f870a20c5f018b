//! Merging decoded documents into one site: singleton sections written
//! twice and identifiers an earlier entity took (SL004), settled on the
//! merged lists.

use std::borrow::Cow;

use foldhash::{HashMap, HashMapExt};

use crate::finding::{Check, Finding};
use crate::source::Location;

use super::super::facts::EmailDomains;
use super::super::index::{AccountIndex, EmailIndex, TextIndex, UserIndex};
use super::super::site::*;
use super::super::text::fold;
use super::Part;

/// Merges decoded documents, in file order, into one site: a singleton
/// section already written is reported (SL004) and ignored with what
/// decoding it found, and an entity whose identifier an earlier one took is
/// reported and left out.
///
/// Identifiers are settled on the merged lists, read from the entities
/// themselves, so nothing is copied per entity; the indexes of accounts
/// that settling builds are the ones references are resolved with.
pub fn merge(parts: impl IntoIterator<Item = Part>) -> (Site, Vec<Finding>, UserIndex, EmailDomains) {
    let mut first_sections = HashMap::new();
    let (mut sites, mut findings, mut email_domains, mut user_hashes) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut totals = [0; List::COUNT];
    for mut part in parts {
        settle_sections(&mut first_sections, &mut part);
        for (total, len) in totals.iter_mut().zip(lengths(&part.site)) {
            *total += len;
        }
        sites.push(part.site);
        findings.append(&mut part.findings);
        email_domains.push(part.email_domains);
        user_hashes.push(part.user_hashes);
    }
    let mut site = concatenate(sites, totals);
    // The accounts are most of a site: their two indexes are built side by
    // side, and the other lists settled meanwhile.
    let ((accounts, repeated), (emails, mut settled)) = rayon::join(
        || AccountIndex::new(&site.users, &user_hashes),
        || rayon::join(|| EmailIndex::new(&site.users, &user_hashes), || settle_others(&site)),
    );
    drop(user_hashes);
    for &position in &repeated {
        let user = &site.users[position];
        let first = accounts.get(&site.users, &user.account_id).map_or(user.origin.location(), |first| {
            site.users[first.index()].origin.value_location("account_id")
        });
        let at = user.origin.own_value_location("account_id");
        settled.findings.push(duplicate(Ident::Account, &user.account_id, at, first));
    }
    settled.left_out[List::Users as usize] = repeated;
    let left_out = |list: List| &settled.left_out[list as usize];
    if let Some(access) = &mut site.user_access {
        remove(&mut access.approved_domains, left_out(List::Domains));
    }
    remove(&mut site.groups, left_out(List::Groups));
    remove(&mut site.project_roles, left_out(List::ProjectRoles));
    remove(&mut site.permission_schemes, left_out(List::Schemes));
    remove(&mut site.projects, left_out(List::Projects));
    remove(&mut site.organizations, left_out(List::Organizations));
    let index = if left_out(List::Users).is_empty() {
        UserIndex { accounts, emails }
    } else {
        // Positions moved; a duplicated account is rare enough to index again.
        remove(&mut site.users, left_out(List::Users));
        UserIndex::of_users(&site.users)
    };
    findings.append(&mut settled.findings);
    let email_domains = EmailDomains::concatenate(email_domains, left_out(List::Users));
    (site, findings, index, email_domains)
}

/// The lists of entities with identifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum List {
    Users,
    Groups,
    ProjectRoles,
    Schemes,
    Projects,
    Organizations,
    /// `user_access.approved_domains`.
    Domains,
}

impl List {
    /// How many lists there are, for arrays indexed by `list as usize`
    /// (`Domains` is the last).
    const COUNT: usize = List::Domains as usize + 1;
}

/// How many entities of each list a part has, indexed by [`List`] (the
/// approved domains of its `user_access`, if it is kept).
fn lengths(site: &Site) -> [usize; List::COUNT] {
    let domains = site.user_access.as_ref().map_or(0, |access| access.approved_domains.len());
    let mut lengths = [0; List::COUNT];
    for (list, len) in [
        (List::Users, site.users.len()),
        (List::Groups, site.groups.len()),
        (List::ProjectRoles, site.project_roles.len()),
        (List::Schemes, site.permission_schemes.len()),
        (List::Projects, site.projects.len()),
        (List::Organizations, site.organizations.len()),
        (List::Domains, domains),
    ] {
        lengths[list as usize] = len;
    }
    lengths
}

/// A singleton section that an earlier part wrote is reported where it
/// starts and ignored, with the findings of decoding it (sections come in
/// order, and so do their ranges).
fn settle_sections(first_sections: &mut HashMap<&'static str, Location>, part: &mut Part) {
    let mut findings = std::mem::take(&mut part.findings).into_iter();
    let mut kept = Vec::with_capacity(findings.len());
    let mut consumed = 0;
    for section in &part.sections {
        let Some(&first) = first_sections.get(section.key) else {
            first_sections.insert(section.key, section.at);
            continue;
        };
        kept.extend(findings.by_ref().take(section.findings.start - consumed));
        findings.by_ref().take(section.findings.len()).for_each(drop);
        consumed = section.findings.end;
        let message = format!("section `{}` appears twice in the snapshot; this one is ignored", section.key);
        kept.push(Check::Duplicate.at(section.at, message).with_related(first, "first written here"));
        match section.key {
            "site" => part.site.info = None,
            "user_access" => part.site.user_access = None,
            _ => part.site.customer_access = None,
        }
    }
    kept.extend(findings);
    part.findings = kept;
}

/// What settling the identifiers decided.
#[derive(Default)]
struct Settled {
    /// SL004 for each identifier an earlier entity took.
    findings: Vec<Finding>,
    /// Per list (indexed by [`List`]), the entities left out, by position,
    /// ascending.
    left_out: [Vec<usize>; List::COUNT],
}

/// Settles the identifiers of every list but the accounts.
fn settle_others(site: &Site) -> Settled {
    let mut settled = Settled::default();
    let domains = site.user_access.as_ref().map_or(&[][..], |access| &access.approved_domains);
    settled.settle(List::Domains, domains, |d| {
        (&d.origin, [d.domain.as_ref().map(|d| (Ident::Domain, d)), None])
    });
    settled.settle(List::Groups, &site.groups, |g| (&g.origin, [Some((Ident::GroupName, &g.name)), None]));
    settled.settle(List::ProjectRoles, &site.project_roles, |r| {
        (&r.origin, [Some((Ident::RoleId, &r.id)), Some((Ident::RoleName, &r.name))])
    });
    settled.settle(List::Schemes, &site.permission_schemes, |s| {
        (&s.origin, [Some((Ident::SchemeId, &s.id)), Some((Ident::SchemeName, &s.name))])
    });
    settled
        .settle(List::Projects, &site.projects, |p| (&p.origin, [Some((Ident::ProjectKey, &p.key)), None]));
    settled.settle(List::Organizations, &site.organizations, |o| {
        (&o.origin, [Some((Ident::OrgName, &o.name)), o.id.as_ref().map(|id| (Ident::OrgId, id))])
    });
    settled
}

/// An entity's origin and its identifiers (up to two, each always of the
/// same kind in one list).
type Identified<'a> = (&'a Origin, [Option<(Ident, &'a String)>; 2]);

impl Settled {
    /// Settles one list, in order: an entity any of whose identifiers an
    /// earlier entity took is left out, with SL004 for each taken one, and
    /// takes none of its identifiers.
    fn settle<'a, T>(&mut self, list: List, items: &'a [T], identified: impl Fn(&'a T) -> Identified<'a>) {
        let mut indexes: [TextIndex<u32>; 2] = Default::default();
        let key_of = |slot: usize| {
            let identified = &identified;
            move |position: u32| match identified(&items[position as usize]).1[slot] {
                Some((ident, text)) => ident.key(text),
                None => Cow::Borrowed(""),
            }
        };
        for (position, item) in items.iter().enumerate() {
            let (origin, identifiers) = identified(item);
            // The slots the entity has an identifier in.
            let written = || identifiers.iter().enumerate().filter_map(|(s, id)| Some((s, id.as_ref()?)));
            let mut taken = false;
            for (slot, &(ident, text)) in written() {
                let Some(&first) = indexes[slot].get(&ident.key(text), key_of(slot)) else { continue };
                let field = ident.describe().1;
                let first = identified(&items[first as usize]).0.value_location(field);
                self.findings.push(duplicate(ident, text, origin.own_value_location(field), first));
                taken = true;
            }
            if taken {
                self.left_out[list as usize].push(position);
                continue;
            }
            for (slot, &(ident, text)) in written() {
                // Free, as just checked.
                let _ = indexes[slot].insert(position as u32, &ident.key(text), key_of(slot));
            }
        }
    }
}

/// SL004 at an identifier that an earlier entity took (at `first`).
fn duplicate(ident: Ident, text: &str, at: Location, first: Location) -> Finding {
    let (entity, field) = ident.describe();
    // "approved domain domain" reads as a stammer.
    let message = if entity.ends_with(field) {
        format!("duplicate {entity} `{text}`; this {entity} is ignored")
    } else {
        format!("duplicate {entity} {field} `{text}`; this {entity} is ignored")
    };
    Check::Duplicate.at(at, message).with_related(first, "first defined here")
}

/// Every part's entities, in order, in one site; a section's value is
/// the one part's that kept it.
fn concatenate(sites: Vec<Site>, lengths: [usize; List::COUNT]) -> Site {
    let len = |list: List| lengths[list as usize];
    let mut site = Site {
        users: Vec::with_capacity(len(List::Users)),
        groups: Vec::with_capacity(len(List::Groups)),
        project_roles: Vec::with_capacity(len(List::ProjectRoles)),
        permission_schemes: Vec::with_capacity(len(List::Schemes)),
        projects: Vec::with_capacity(len(List::Projects)),
        organizations: Vec::with_capacity(len(List::Organizations)),
        ..Site::default()
    };
    for mut part in sites {
        site.info = part.info.or(site.info);
        site.user_access = part.user_access.or(site.user_access);
        site.customer_access = part.customer_access.or(site.customer_access);
        site.users.append(&mut part.users);
        site.groups.append(&mut part.groups);
        site.project_roles.append(&mut part.project_roles);
        site.permission_schemes.append(&mut part.permission_schemes);
        site.projects.append(&mut part.projects);
        site.organizations.append(&mut part.organizations);
    }
    site
}

/// Removes the items at `indices` (ascending).
pub(in crate::model) fn remove<T>(items: &mut Vec<T>, indices: &[usize]) {
    if !indices.is_empty() {
        let mut index = 0;
        items.retain(|_| {
            index += 1;
            indices.binary_search(&(index - 1)).is_err()
        });
    }
}

/// An identifier that must be unique in the snapshot (SL004).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ident {
    Account,
    GroupName,
    ProjectKey,
    RoleId,
    RoleName,
    SchemeId,
    SchemeName,
    OrgId,
    OrgName,
    Domain,
}

impl Ident {
    /// The entity it identifies and the field that holds it.
    fn describe(self) -> (&'static str, &'static str) {
        match self {
            Ident::Account => ("user", "account_id"),
            Ident::GroupName => ("group", "name"),
            Ident::ProjectKey => ("project", "key"),
            Ident::RoleId => ("project role", "id"),
            Ident::RoleName => ("project role", "name"),
            Ident::SchemeId => ("permission scheme", "id"),
            Ident::SchemeName => ("permission scheme", "name"),
            Ident::OrgId => ("organization", "id"),
            Ident::OrgName => ("organization", "name"),
            Ident::Domain => ("approved domain", "domain"),
        }
    }

    /// The text identifiers compare as: domains ignore case, the rest are
    /// compared as written.
    fn key(self, text: &str) -> Cow<'_, str> {
        match self {
            Ident::Domain => fold(text),
            _ => Cow::Borrowed(text),
        }
    }
}
