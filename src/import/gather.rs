//! What the exports say, gathered across files before anything is written:
//! one record per user, group, role, scheme, project and organization,
//! merged by identifier, and everything that could not be mapped.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// Where something was read: an input file, and the line when known.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Source {
    pub file: String,
    pub line: Option<usize>,
}

impl Source {
    pub fn new(file: &str, line: Option<usize>) -> Source {
        Source { file: file.to_string(), line }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}", self.file),
            None => f.write_str(&self.file),
        }
    }
}

/// An identifier that sorts numerically when it is a number (REST ids are
/// `10000`, `10002`, ...), and as text otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Id(pub String);

impl Ord for Id {
    fn cmp(&self, other: &Id) -> Ordering {
        let numeric = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        match (numeric(&self.0), numeric(&other.0)) {
            (true, true) => (self.0.len(), &self.0).cmp(&(other.0.len(), &other.0)),
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            (false, false) => self.0.cmp(&other.0),
        }
    }
}

impl PartialOrd for Id {
    fn partial_cmp(&self, other: &Id) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum AccountType {
    Atlassian,
    App,
    /// Portal-only (`qm:…`): the snapshot needs its email.
    Customer,
}

#[derive(Debug)]
pub struct User {
    pub account_id: String,
    pub email: Option<String>,
    pub name: Option<String>,
    pub account_type: AccountType,
    pub status: Option<&'static str>,
    pub site_access: Option<bool>,
    pub roles: BTreeMap<String, String>,
    pub admin_roles: BTreeSet<&'static str>,
    pub groups: BTreeSet<String>,
    /// Where the account was first read.
    pub source: Source,
}

impl User {
    /// A portal-only account without an email cannot be written: the
    /// format requires one (SL006).
    pub fn writable(&self) -> bool {
        self.account_type != AccountType::Customer || self.email.is_some()
    }

    /// How references to the user are labelled in comments.
    pub fn label(&self) -> &str {
        self.name.as_deref().or(self.email.as_deref()).unwrap_or(&self.account_id)
    }
}

#[derive(Debug, Default)]
pub struct Group {
    pub id: Option<String>,
}

#[derive(Debug)]
pub struct Role {
    pub name: String,
}

#[derive(Debug)]
pub struct Scheme {
    pub name: String,
    pub description: Option<String>,
    pub grants: Vec<Grant>,
    pub source: Source,
}

#[derive(Debug)]
pub struct Grant {
    pub permission: String,
    pub holder_type: String,
    pub parameter: Option<String>,
}

#[derive(Debug, Default)]
pub struct Actors {
    pub users: BTreeSet<String>,
    pub groups: BTreeSet<String>,
}

#[derive(Debug, Default)]
pub struct Project {
    pub name: Option<String>,
    /// REST `projectTypeKey`: `service_desk`, `software`, `business`.
    pub type_key: Option<String>,
    pub lead: Option<String>,
    /// The scheme id from `/project/{key}/permissionscheme`.
    pub scheme: Option<String>,
    pub roles: BTreeMap<String, Actors>,
    /// Roles named by `/project/{key}/role` (name to id, and where): a
    /// role listed there whose actors were not saved is worth a note.
    pub listed_roles: BTreeMap<String, (String, Source)>,
    /// Account ids from `/servicedesk/{id}/customer`, when saved.
    pub customers: Option<BTreeSet<String>>,
    /// Organization ids from `/servicedesk/{id}/organization`, when saved.
    pub organizations: Option<BTreeSet<Id>>,
    pub source: Option<Source>,
}

#[derive(Debug, Default)]
pub struct Organization {
    pub name: Option<String>,
    pub members: BTreeSet<String>,
    pub source: Option<Source>,
}

/// What an unmapped item is kept next to in the snapshot.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Target {
    User(String),
    Scheme(Id),
    Project(String),
    Organization(Id),
    Roles,
    /// Nothing in the snapshot to keep it next to: kept at the end of
    /// `site.yaml`, so that nothing read is dropped.
    Site,
}

/// Something the exports hold that the snapshot cannot say: kept as a
/// comment at its target and listed in the summary.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Unmapped {
    pub source: Source,
    pub what: String,
    pub target: Target,
}

#[derive(Debug, Default)]
pub struct Gathered {
    pub users: BTreeMap<String, User>,
    pub groups: BTreeMap<String, Group>,
    pub roles: BTreeMap<Id, Role>,
    pub schemes: BTreeMap<Id, Scheme>,
    pub projects: BTreeMap<String, Project>,
    /// Service desk id to project key (`/rest/servicedeskapi/servicedesk`).
    pub desks: BTreeMap<String, String>,
    pub organizations: BTreeMap<Id, Organization>,
    pub unmapped: Vec<Unmapped>,
    /// Pieces the exports lack (a role's actors not saved, ...): not losses,
    /// but the snapshot is less complete than it could be.
    pub notes: Vec<(Source, String)>,
    /// Site URLs seen in `self` links (`https://acme.atlassian.net`).
    pub site_urls: BTreeSet<String>,
    /// Site names seen in the user CSV's column names (`Jira - acme`).
    pub site_names: BTreeSet<String>,
}

impl Gathered {
    /// The user with this account id, created on first sight.
    pub fn user(&mut self, account_id: &str, source: &Source) -> &mut User {
        self.users.entry(account_id.to_string()).or_insert_with(|| User {
            account_id: account_id.to_string(),
            email: None,
            name: None,
            account_type: if account_id.starts_with("qm:") {
                AccountType::Customer
            } else {
                AccountType::Atlassian
            },
            status: None,
            site_access: None,
            roles: BTreeMap::new(),
            admin_roles: BTreeSet::new(),
            groups: BTreeSet::new(),
            source: source.clone(),
        })
    }

    /// The group with this name, created on first sight; an id fills in
    /// when the group had none.
    pub fn group(&mut self, name: &str, id: Option<String>) {
        let group = self.groups.entry(name.to_string()).or_default();
        if group.id.is_none() {
            group.id = id;
        }
    }

    /// The key of a project named in a file name, where people may write
    /// it in any case: a known project's key, else the name in upper case
    /// (Jira keys are upper case).
    pub fn project_key(&self, name: &str) -> String {
        let known = self.projects.keys().find(|key| key.eq_ignore_ascii_case(name));
        known.cloned().unwrap_or_else(|| name.to_uppercase())
    }

    pub fn project(&mut self, key: &str) -> &mut Project {
        self.projects.entry(key.to_string()).or_default()
    }

    pub fn organization(&mut self, id: &str) -> &mut Organization {
        self.organizations.entry(Id(id.to_string())).or_default()
    }

    pub fn unmapped(&mut self, source: Source, target: Target, what: String) {
        self.unmapped.push(Unmapped { source, what, target });
    }

    /// The unmapped items kept at `target`, in the order they were found.
    pub fn unmapped_at<'a>(&'a self, target: &'a Target) -> impl Iterator<Item = &'a Unmapped> + 'a {
        self.unmapped.iter().filter(move |u| &u.target == target)
    }
}

/// Sets `slot` from `value` when it is still empty.
pub fn fill<T>(slot: &mut Option<T>, value: Option<T>) {
    if slot.is_none() {
        *slot = value;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_sort_numerically_then_as_text() {
        let mut ids: Vec<Id> =
            ["10100", "9", "10002", "abc", "1"].iter().map(|s| Id(s.to_string())).collect();
        ids.sort();
        let sorted: Vec<&str> = ids.iter().map(|i| i.0.as_str()).collect();
        assert_eq!(sorted, ["1", "9", "10002", "10100", "abc"]);
    }

    #[test]
    fn project_keys_from_file_names_match_in_any_case() {
        let mut gathered = Gathered::default();
        gathered.project("HELP");
        assert_eq!(gathered.project_key("help"), "HELP");
        assert_eq!(gathered.project_key("dev"), "DEV");
    }

    #[test]
    fn portal_only_accounts_need_an_email_to_be_written() {
        let mut gathered = Gathered::default();
        let source = Source::new("x.json", Some(3));
        assert!(!gathered.user("qm:1:2", &source).writable());
        gathered.user("qm:1:2", &source).email = Some("a@b.com".into());
        assert!(gathered.user("qm:1:2", &source).writable());
        assert!(gathered.user("712020:abc", &source).writable());
        assert_eq!(source.to_string(), "x.json:3");
    }
}
