//! Jira Service Management (`/rest/servicedeskapi`) paged listings: service
//! desks, their customers and organizations, organizations and their
//! members. Pages of one listing may be spread over several files: each
//! page adds to the same records.

use std::collections::BTreeMap;

use serde_json::Value;

use super::gather::{Gathered, Id, Source, Target, fill};
use super::hints::is_digits;
use super::input::InputFile;
use super::rest::{add_rest_user, text};

/// `/servicedesk`: which project each service desk is.
pub fn add_service_desks(g: &mut Gathered, file: &InputFile, desks: &[Value]) {
    for desk in desks {
        let (Some(id), Some(key)) = (text(desk.get("id")), text(desk.get("projectKey"))) else {
            let name = text(desk.get("projectName")).or_else(|| text(desk.get("id")));
            let line = name.and_then(|n| file.line_of_string(&n));
            let what = format!(
                "a service desk without an id or projectKey to tie it to a project: {}",
                serde_json::to_string(desk).unwrap_or_default()
            );
            g.unmapped(Source::new(&file.name, line), Target::Site, what);
            continue;
        };
        let source = Source::new(&file.name, file.line_of_string(&key));
        g.desks.insert(id, key.clone());
        let project = g.project(&key);
        fill(&mut project.name, text(desk.get("projectName")));
        fill(&mut project.type_key, Some("service_desk".to_string()));
        fill(&mut project.source, Some(source));
    }
}

/// The project a service desk id names: the API takes a desk id or a
/// project key, and so does the file-name convention. A key counts only
/// when a saved listing makes it a service project: the snapshot writes a
/// desk's customers and organizations nowhere else, so a mistyped key
/// would drop them.
fn desk_project(g: &Gathered, desk: &str) -> Option<String> {
    if is_digits(desk) {
        return g.desks.get(desk).cloned();
    }
    let key = g.project_key(desk);
    let is_desk = g.projects.get(&key).is_some_and(|p| p.type_key.as_deref() == Some("service_desk"));
    is_desk.then_some(key)
}

/// Why a desk's listing cannot be tied to a project; its `ids` are kept
/// in the comment, ready to move into the project's file.
fn unknown_desk(g: &mut Gathered, file: &InputFile, desk: &str, what: &str, ids: &[String]) {
    let why = if is_digits(desk) {
        "no saved service desk listing names its project \
         (save GET /rest/servicedeskapi/servicedesk, or name the file with the project key)"
    } else {
        "no saved service desk has that key (save GET /rest/servicedeskapi/servicedesk, \
         or correct the key in the file name)"
    };
    let why = format!("{what} of service desk {desk}: {why}: {}", ids.join(", "));
    g.unmapped(Source::new(&file.name, Some(1)), Target::Site, why);
}

/// `/servicedesk/{id}/customer`: the project's customers, and the accounts.
pub fn add_desk_customers(g: &mut Gathered, file: &InputFile, desk: &str, users: &[Value]) {
    let ids = add_users(g, file, users);
    match desk_project(g, desk) {
        Some(key) => {
            let project = g.project(&key);
            fill(&mut project.source, Some(Source::new(&file.name, None)));
            project.customers.get_or_insert_default().extend(ids);
        }
        None if ids.is_empty() => {}
        None => unknown_desk(g, file, desk, "customers", &ids),
    }
}

/// `/servicedesk/{id}/organization`: the organizations linked to the project.
pub fn add_desk_organizations(g: &mut Gathered, file: &InputFile, desk: &str, organizations: &[Value]) {
    let ids = add_organizations(g, file, organizations);
    match desk_project(g, desk) {
        Some(key) => {
            let project = g.project(&key);
            fill(&mut project.source, Some(Source::new(&file.name, None)));
            project.organizations.get_or_insert_default().extend(ids);
        }
        None if ids.is_empty() => {}
        None => {
            let ids: Vec<String> = ids.into_iter().map(|id| id.0).collect();
            unknown_desk(g, file, desk, "organizations", &ids)
        }
    }
}

/// `/organization`: organization names by id. Returns the ids read.
pub fn add_organizations(g: &mut Gathered, file: &InputFile, organizations: &[Value]) -> Vec<Id> {
    let mut ids = Vec::new();
    for organization in organizations {
        let Some(id) = text(organization.get("id")) else { continue };
        let name = text(organization.get("name"));
        let line = name.as_deref().and_then(|n| file.line_of_string(n));
        let record = g.organization(&id);
        fill(&mut record.name, name);
        fill(&mut record.source, Some(Source::new(&file.name, line)));
        ids.push(Id(id));
    }
    ids
}

/// `/organization/{id}/user`: the organization's members, and the accounts.
pub fn add_organization_members(g: &mut Gathered, file: &InputFile, organization: &str, users: &[Value]) {
    let ids = add_users(g, file, users);
    let record = g.organization(organization);
    fill(&mut record.source, Some(Source::new(&file.name, None)));
    record.members.extend(ids);
}

/// Each JSM user (`accountId`, `emailAddress` (null when the profile hides
/// it), `displayName`, `active`). Returns the account ids read.
fn add_users(g: &mut Gathered, file: &InputFile, users: &[Value]) -> Vec<String> {
    let mut ids = Vec::new();
    // Each account's first entry in the page, and how often it was seen.
    let mut first: BTreeMap<&str, (&Value, usize)> = BTreeMap::new();
    for user in users {
        let Some(account_id) = user.get("accountId").and_then(Value::as_str).filter(|s| !s.is_empty()) else {
            let label = text(user.get("displayName")).or_else(|| text(user.get("emailAddress")));
            let label = label.unwrap_or_else(|| "(no name)".to_string());
            let source = Source::new(&file.name, file.line_of_string(&label));
            let what = format!(
                "user {label}: no accountId to identify the account: {}",
                serde_json::to_string(user).unwrap_or_default()
            );
            g.unmapped(source, Target::Site, what);
            continue;
        };
        if let Some((kept, seen)) = first.get_mut(account_id) {
            *seen += 1;
            // The same entry twice says nothing new; a different one is
            // another record under the same id: kept as a comment, not merged.
            if *kept != user {
                let line = file.line_of_nth_string(account_id, *seen);
                let first_line = file.line_of_string(account_id);
                let at = first_line.map(|l| format!(" at line {l}")).unwrap_or_default();
                let what = format!(
                    "user {account_id}: this entry disagrees with the account's entry{at}, which is kept; it says {}",
                    serde_json::to_string(user).unwrap_or_default()
                );
                g.unmapped(Source::new(&file.name, line), Target::User(account_id.to_string()), what);
            }
            continue;
        }
        first.insert(account_id, (user, 0));
        let source = Source::new(&file.name, file.line_of_string(account_id));
        add_rest_user(g, user, account_id, &source);
        ids.push(account_id.to_string());
    }
    ids
}
