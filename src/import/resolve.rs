//! After every file is read: what the snapshot could not load without an
//! error (SL003, SL004, SL005, SL006) becomes unmapped, so every imported
//! snapshot loads clean and every loss is listed.

use std::collections::BTreeMap;

use super::gather::{Gathered, Id, Source, Target};

/// The project types of the snapshot format (REST `projectTypeKey`).
pub const PROJECT_TYPES: &[&str] = &["service_desk", "software", "business"];

pub fn resolve(g: &mut Gathered) {
    unique_role_names(g);
    grants_to_unknown_roles(g);
    projects_without_a_type(g);
    schemes_not_saved(g);
    customers_without_email(g);
    grants_to_unwritten_users(g);
    organizations_without_a_name(g);
    roles_without_actors(g);
}

/// `project_roles` names must be unique (SL004); team-managed projects
/// have roles of the same name with other ids. The lowest id keeps it.
fn unique_role_names(g: &mut Gathered) {
    let mut first: BTreeMap<String, Id> = BTreeMap::new();
    let mut dropped = Vec::new();
    for (id, role) in &g.roles {
        match first.get(&role.name) {
            Some(kept) => dropped.push((id.clone(), role.name.clone(), kept.clone())),
            None => {
                first.insert(role.name.clone(), id.clone());
            }
        }
    }
    for (id, name, kept) in dropped {
        g.roles.remove(&id);
        let what = format!(
            "project role {} \"{name}\": role {} has that name too, and role names are unique",
            id.0, kept.0
        );
        g.unmapped(Source::new("(project roles)", None), Target::Roles, what);
    }
}

/// A `projectRole` grant names its role by id, which must be listed in
/// `project_roles` (SL005).
fn grants_to_unknown_roles(g: &mut Gathered) {
    let mut lost = Vec::new();
    for (id, scheme) in &mut g.schemes {
        scheme.grants.retain(|grant| {
            let known = grant.holder_type != "projectRole"
                || grant.parameter.as_ref().is_some_and(|p| g.roles.contains_key(&Id(p.clone())));
            if !known {
                lost.push((
                    id.clone(),
                    scheme.source.clone(),
                    grant.permission.clone(),
                    grant.parameter.clone(),
                ));
            }
            known
        });
    }
    for (scheme, source, permission, role) in lost {
        let role = role.unwrap_or_default();
        let what = format!(
            "grant {permission} to holder projectRole {role}: no saved response names role {role} \
             (save GET /rest/api/3/role, or the schemes with ?expand=all)"
        );
        g.unmapped(source, Target::Scheme(scheme), what);
    }
}

/// `projects[].type` is required and one of three (SL006, SL003).
fn projects_without_a_type(g: &mut Gathered) {
    let mut lost = Vec::new();
    for (key, project) in &g.projects {
        let source = project.source.clone().unwrap_or_else(|| Source::new("(projects)", None));
        match project.type_key.as_deref() {
            Some(t) if PROJECT_TYPES.contains(&t) => {}
            Some(t) => lost.push((key.clone(), source, format!("project {key}: type {t} is not one the snapshot format has (service_desk, software, business)"))),
            None => lost.push((key.clone(), source, format!("project {key}: no saved project listing gives its type (save GET /rest/api/3/project/search)"))),
        }
    }
    for (key, source, what) in lost {
        g.unmapped(source, Target::Project(key), what);
    }
}

/// A project's scheme must be in `permission_schemes` (SL005).
fn schemes_not_saved(g: &mut Gathered) {
    let mut lost = Vec::new();
    for (key, project) in &mut g.projects {
        if let Some(id) = project.scheme.take_if(|id| !g.schemes.contains_key(&Id(id.clone()))) {
            let source = project.source.clone().unwrap_or_else(|| Source::new("(projects)", None));
            lost.push((key.clone(), source, id));
        }
    }
    for (key, source, id) in lost {
        let what = format!(
            "permission_scheme: {id}: scheme {id} is not in the saved permission schemes \
             (save GET /rest/api/3/permissionscheme?expand=all)"
        );
        g.unmapped(source, Target::Project(key), what);
    }
}

/// A portal-only account needs an email (SL006); the REST APIs hide it
/// when the customer's profile visibility says so.
fn customers_without_email(g: &mut Gathered) {
    let lost: Vec<(String, Source, String)> = g
        .users
        .values()
        .filter(|u| !u.writable())
        .map(|u| (u.account_id.clone(), u.source.clone(), u.label().to_string()))
        .collect();
    for (account_id, source, label) in lost {
        let what = format!(
            "portal-only customer {label} ({account_id}) has no email address (hidden by their profile \
             visibility), and a customer account needs one: add it and uncomment the account and its references"
        );
        g.unmapped(source, Target::User(account_id), what);
    }
}

/// A `user` grant must name a user the snapshot has (SL005): not one of
/// the accounts that could not be written.
fn grants_to_unwritten_users(g: &mut Gathered) {
    let mut lost = Vec::new();
    for (id, scheme) in &mut g.schemes {
        scheme.grants.retain(|grant| {
            let unwritten = grant.holder_type == "user"
                && grant.parameter.as_ref().and_then(|p| g.users.get(p)).is_some_and(|u| !u.writable());
            if unwritten {
                lost.push((
                    id.clone(),
                    scheme.source.clone(),
                    grant.permission.clone(),
                    grant.parameter.clone(),
                ));
            }
            !unwritten
        });
    }
    for (scheme, source, permission, user) in lost {
        let user = user.unwrap_or_default();
        let what =
            format!("grant {permission} to holder user {user}: the account is not written (see users.yaml)");
        g.unmapped(source, Target::Scheme(scheme), what);
    }
}

/// `organizations[].name` is required (SL006).
fn organizations_without_a_name(g: &mut Gathered) {
    let lost: Vec<(Id, Source)> = g
        .organizations
        .iter()
        .filter(|(_, o)| o.name.is_none())
        .map(|(id, o)| (id.clone(), o.source.clone().unwrap_or_else(|| Source::new("(organizations)", None))))
        .collect();
    for (id, source) in lost {
        let what = format!(
            "organization {}: no saved organization listing names it (save GET /rest/servicedeskapi/organization)",
            id.0
        );
        g.unmapped(source, Target::Organization(id), what);
    }
}

/// Roles a project lists whose actors were not saved: the snapshot says
/// nobody holds them, which may be wrong.
fn roles_without_actors(g: &mut Gathered) {
    let mut notes = Vec::new();
    for (key, project) in &g.projects {
        for (role, (id, source)) in &project.listed_roles {
            if !project.roles.contains_key(role) {
                let note = format!(
                    "actors of role {role} of {key} not saved (GET /rest/api/3/project/{key}/role/{id})"
                );
                notes.push((source.clone(), note));
            }
        }
    }
    g.notes.extend(notes);
}
