//! Who and where: the accounts `--user` names and the service projects
//! `--project` names, or why they name nothing.

use crate::model::Facts;
use crate::model::site::{AccountType, ProjectId, ProjectType, Site, User, UserId};
use crate::model::text::{closest, email_domain, fold};
use crate::source::visible;

use super::{Account, Person, label};

/// Why there is nothing to explain; the CLI exits 2.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
pub enum AccessError {
    #[error("no account has the email or account id {query}{}", did_you_mean(.suggestion))]
    #[diagnostic(
        code(sitelint::access::unknown_user),
        help(
            "--user takes the email or account id of one of the snapshot's users; to explain access for someone who has no account yet, add --no-account"
        )
    )]
    UnknownUser { query: String, suggestion: Option<String> },

    #[error("{query} is the email of {} accounts of the same kind: {}", .accounts.len(), .accounts.join(", "))]
    #[diagnostic(
        code(sitelint::access::ambiguous_user),
        help(
            "an email belongs to one Atlassian account and at most one portal-only account; pass the account id of the one to explain, and remove the other from the snapshot if it is a mistake"
        )
    )]
    AmbiguousUser { query: String, accounts: Vec<String> },

    #[error("{query} already has an account ({account})")]
    #[diagnostic(
        code(sitelint::access::has_account),
        help("drop --no-account to explain that account's access")
    )]
    HasAccount { query: String, account: String },

    #[error("--no-account needs the person's email address, not {query}")]
    #[diagnostic(
        code(sitelint::access::not_an_email),
        help("pass the email they would write from, e.g. --user carol@contoso.com")
    )]
    NotAnEmail { query: String },

    #[error("no project has the key {key}{}", did_you_mean(.suggestion))]
    #[diagnostic(code(sitelint::access::unknown_project), help("{}", service_keys_help(.service_projects)))]
    UnknownProject { key: String, suggestion: Option<String>, service_projects: Vec<String> },

    #[error(
        "{key} is a {kind} project, not a service project: customers and agents have no access to explain there"
    )]
    #[diagnostic(code(sitelint::access::not_a_service_project), help("{}", service_keys_help(.service_projects)))]
    NotServiceProject { key: String, kind: &'static str, service_projects: Vec<String> },

    #[error("the snapshot has no service project (a project with type: service_desk)")]
    #[diagnostic(
        code(sitelint::access::no_service_project),
        help("access is explained for service projects; check that PATH is the snapshot you meant")
    )]
    NoServiceProject,
}

fn did_you_mean(suggestion: &Option<String>) -> String {
    suggestion.as_ref().map_or_else(String::new, |s| format!(" (did you mean {s}?)"))
}

fn service_keys_help(keys: &[String]) -> String {
    if keys.is_empty() {
        return "the snapshot has no service project".into();
    }
    format!("--project takes the key of a service project: {}", keys.join(", "))
}

/// The person whose access is explained.
pub(super) struct Subject<'s> {
    /// The account they use; `None` when they have none.
    pub account: Option<(UserId, &'s User)>,
    /// Other accounts with the same email.
    pub same_email: Vec<(UserId, &'s User)>,
    /// Their email, or the account id when the account has no email.
    pub label: String,
}

impl<'s> Subject<'s> {
    pub fn find(site: &'s Site, facts: &Facts, query: &str, no_account: bool) -> Result<Self, AccessError> {
        let matches = accounts_named(site, facts, query);
        if no_account {
            return match matches.first() {
                Some(&(_, user)) => {
                    Err(AccessError::HasAccount { query: query.into(), account: user.account_id.to_string() })
                }
                None if is_email(query) => {
                    Ok(Subject { account: None, same_email: Vec::new(), label: query.to_string() })
                }
                None => Err(AccessError::NotAnEmail { query: query.into() }),
            };
        }
        let Some((&account, others)) = matches.split_first() else {
            return Err(AccessError::UnknownUser {
                query: query.into(),
                suggestion: suggest_user(site, query),
            });
        };
        // Which of two Atlassian (or two portal-only) accounts the person
        // logs in with, the snapshot cannot tell: explaining the first
        // would answer for someone else half of the time.
        let alike: Vec<String> = matches
            .iter()
            .filter(|(_, u)| u.account_type == account.1.account_type)
            .map(|(_, u)| visible(&u.account_id).into_owned())
            .collect();
        if alike.len() > 1 && account.1.account_id != query {
            return Err(AccessError::AmbiguousUser { query: query.into(), accounts: alike });
        }
        Ok(Subject {
            account: Some(account),
            same_email: others.to_vec(),
            label: label(account.1).to_string(),
        })
    }

    pub fn person(&self) -> Person {
        match self.account {
            Some(account) => Person::Account {
                account: summary(account.1),
                same_email: self.same_email.iter().map(|(_, u)| summary(u)).collect(),
            },
            None => Person::NoAccount { email: self.label.clone() },
        }
    }

    /// Every account of the person: the one they use first.
    pub fn accounts(&self) -> impl Iterator<Item = (UserId, &'s User)> + '_ {
        self.account.into_iter().chain(self.same_email.iter().copied())
    }
}

fn summary(user: &User) -> Account {
    Account {
        account_id: user.account_id.to_string(),
        email: user.email.as_deref().map(str::to_string),
        account_type: user.account_type,
        at: user.origin.location(),
    }
}

/// The accounts `query` names, the one the person uses first. An account
/// id names one account, plus the others with its email. An email names
/// every account with it; the person logs in with the Atlassian account
/// when there is one (a portal-only account with the same email is the
/// duplicate AC003 reports).
fn accounts_named<'s>(site: &'s Site, facts: &Facts, query: &str) -> Vec<(UserId, &'s User)> {
    let by_id = site.users.iter().position(|u| u.account_id == query);
    let email = match by_id {
        Some(index) => site.users[index].email.as_deref().map(fold),
        None => Some(fold(query)),
    };
    let same_email = email.map_or(&[][..], |e| facts.users_by_email.get(&site.users, &e));
    let first = by_id.map(|i| UserId::from(i as u32)).or_else(|| {
        let atlassian = same_email
            .iter()
            .find(|id| site.users.get(id.index()).is_some_and(|u| u.account_type == AccountType::Atlassian));
        atlassian.or(same_email.first()).copied()
    });
    let ordered = first.into_iter().chain(same_email.iter().copied().filter(|id| Some(*id) != first));
    ordered.filter_map(|id| Some((id, &**site.users.get(id.index())?))).collect()
}

fn is_email(text: &str) -> bool {
    text.split_once('@').is_some_and(|(local, _)| !local.is_empty()) && email_domain(text).is_some()
}

fn suggest_user(site: &Site, query: &str) -> Option<String> {
    let names = site.users.iter().flat_map(|u| u.email.as_deref().into_iter().chain([u.account_id.as_str()]));
    closest(query, names).map(|name| visible(name).into_owned())
}

/// The service projects `key` names (every one, by key, without a key).
pub(super) fn service_projects(site: &Site, key: Option<&str>) -> Result<Vec<ProjectId>, AccessError> {
    let mut service: Vec<(ProjectId, &str)> = site
        .projects
        .iter()
        .enumerate()
        .filter(|(_, p)| p.kind == ProjectType::ServiceDesk)
        .map(|(i, p)| (ProjectId::from(i as u32), p.key.as_str()))
        .collect();
    service.sort_by_key(|(_, key)| *key);
    let keys = || service.iter().map(|(_, k)| k.to_string()).collect::<Vec<_>>();
    let Some(key) = key else {
        return if service.is_empty() {
            Err(AccessError::NoServiceProject)
        } else {
            Ok(service.iter().map(|(id, _)| *id).collect())
        };
    };
    // Jira project keys are upper case; `help` means HELP.
    match site.projects.iter().position(|p| p.key.eq_ignore_ascii_case(key)) {
        Some(index) if site.projects[index].kind == ProjectType::ServiceDesk => {
            Ok(vec![ProjectId::from(index as u32)])
        }
        Some(index) => Err(AccessError::NotServiceProject {
            key: site.projects[index].key.clone(),
            kind: project_type(site.projects[index].kind),
            service_projects: keys(),
        }),
        None => Err(AccessError::UnknownProject {
            key: key.to_string(),
            suggestion: named(site, key)
                .or_else(|| closest(key, service.iter().map(|(_, k)| *k)))
                .map(|key| visible(key).into_owned()),
            service_projects: keys(),
        }),
    }
}

/// The key of the one service project named `name` (any case): admins
/// know a project by the name the portal shows.
fn named<'s>(site: &'s Site, name: &str) -> Option<&'s str> {
    let mut named = site.projects.iter().filter(|p| {
        p.kind == ProjectType::ServiceDesk && p.name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(name))
    });
    match (named.next(), named.next()) {
        (Some(project), None) => Some(&project.key),
        _ => None,
    }
}

fn project_type(kind: ProjectType) -> &'static str {
    match kind {
        ProjectType::ServiceDesk => "service",
        ProjectType::Software => "software",
        ProjectType::Business => "business",
    }
}
