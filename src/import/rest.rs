//! Jira Cloud platform REST responses (v3, v2 alike): permission schemes,
//! projects, project roles and their actors.

use serde_json::Value;

use super::detect::RoleLink;
use super::gather::{Gathered, Grant, Id, Role, Scheme, Source, Target, fill};
use super::hints;
use super::input::{Content, InputFile};

/// Holder types the snapshot format knows, and whether they take a
/// parameter the snapshot must resolve.
const PARAMETERLESS: &[&str] = &["sd.customer.portal.only", "anyone", "projectLead", "reporter", "assignee"];
const FREE_PARAMETER: &[&str] = &["applicationRole", "groupCustomField", "userCustomField"];

/// A string or a number as text (REST ids come as either).
pub fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn str_at<'a>(value: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(value, |v, key| v.get(key))?.as_str().filter(|s| !s.is_empty())
}

pub fn add_schemes(g: &mut Gathered, file: &InputFile, schemes: &[Value]) {
    // All schemes are a list in `permissionSchemes`; one scheme is the file.
    let listed = matches!(&file.content, Content::Json(json) if json.get("permissionSchemes").is_some());
    for (i, scheme) in schemes.iter().enumerate() {
        let index = i.to_string();
        add_scheme(g, file, scheme, if listed { vec!["permissionSchemes", &index] } else { vec![] });
    }
}

/// A scheme at `path` in the file (no steps: the whole file).
fn add_scheme(g: &mut Gathered, file: &InputFile, scheme: &Value, path: Vec<&str>) {
    let (Some(id), Some(name)) = (text(scheme.get("id")), str_at(scheme, &["name"])) else {
        let line = str_at(scheme, &["self"])
            .and_then(|s| file.line_of_string(s))
            .or_else(|| file.line_of_path(&path));
        g.unmapped(
            Source::new(&file.name, line),
            Target::Site,
            "a permission scheme without an id or name".into(),
        );
        return;
    };
    let id = Id(id);
    // The same scheme saved twice (all schemes, and one of them alone):
    // the first file read wins.
    if g.schemes.contains_key(&id) {
        return;
    }
    let source = Source::new(&file.name, file.line_of_string(name));
    let mut grants = Vec::new();
    let listed = scheme.get("permissions").and_then(Value::as_array).map_or(&[][..], Vec::as_slice);
    for (i, grant) in listed.iter().enumerate() {
        let index = i.to_string();
        let grant_path = [&path[..], &["permissions", &index]].concat();
        if let Some(grant) = read_grant(g, file, &id, grant, &grant_path) {
            grants.push(grant);
        }
    }
    let description = str_at(scheme, &["description"]).map(str::to_string);
    g.schemes.insert(id, Scheme { name: name.to_string(), description, grants, source });
}

/// A grant the snapshot can hold, with its holder's users, groups and
/// roles recorded; anything else is unmapped at the scheme.
fn read_grant(
    g: &mut Gathered,
    file: &InputFile,
    scheme: &Id,
    grant: &Value,
    path: &[&str],
) -> Option<Grant> {
    let holder = grant.get("holder").unwrap_or(&Value::Null);
    let holder_type = str_at(holder, &["type"]);
    let parameter = text(holder.get("parameter"));
    let line = str_at(grant, &["self"])
        .and_then(|s| file.line_of_string(s))
        .or_else(|| holder_type.and_then(|t| file.line_of_string(t)))
        // A grant with neither (`"holder": {}`): where the grant itself is.
        .or_else(|| file.line_of_path(path));
    let source = Source::new(&file.name, line);
    let permission = str_at(grant, &["permission"]);
    let described = format!(
        "grant {} to holder {}{}",
        permission.unwrap_or("(no permission)"),
        holder_type.unwrap_or("(no type)"),
        parameter.as_deref().map(|p| format!(" {p}")).unwrap_or_default()
    );
    let unmapped = |g: &mut Gathered, why: &str| {
        g.unmapped(source.clone(), Target::Scheme(scheme.clone()), format!("{described}: {why}"));
        None
    };
    let (Some(permission), Some(holder_type)) = (permission, holder_type) else {
        return unmapped(g, "a grant needs a permission and a holder type");
    };
    let parameter = match holder_type {
        t if PARAMETERLESS.contains(&t) => None,
        t if FREE_PARAMETER.contains(&t) => parameter,
        "projectRole" => {
            let role = holder.get("projectRole");
            let id = parameter.or_else(|| text(role.and_then(|r| r.get("id"))));
            let Some(id) = id.filter(|id| hints::is_digits(id)) else {
                return unmapped(g, "a projectRole holder needs the role's id");
            };
            if let Some(name) = role.and_then(|r| str_at(r, &["name"])) {
                g.roles.entry(Id(id.clone())).or_insert_with(|| Role { name: name.to_string() });
            }
            Some(id)
        }
        "group" => {
            let expanded = holder.get("group");
            let name = expanded.and_then(|e| str_at(e, &["name"])).map(str::to_string).or(parameter);
            let Some(name) = name else { return unmapped(g, "a group holder needs the group's name") };
            let id = expanded.and_then(|e| str_at(e, &["groupId"])).or_else(|| str_at(holder, &["value"]));
            g.group(&name, id.map(str::to_string));
            Some(name)
        }
        "user" => {
            let expanded = holder.get("user");
            let account_id =
                expanded.and_then(|e| str_at(e, &["accountId"])).map(str::to_string).or(parameter);
            let Some(account_id) = account_id else {
                return unmapped(g, "a user holder needs the account id");
            };
            if let Some(user) = expanded {
                add_rest_user(g, user, &account_id, &source);
            } else {
                g.user(&account_id, &source);
            }
            Some(account_id)
        }
        _ => return unmapped(g, "not a holder type the snapshot format knows"),
    };
    Some(Grant { permission: permission.to_string(), holder_type: holder_type.to_string(), parameter })
}

/// A REST user object (`accountId`, `displayName`, `emailAddress`,
/// `accountType`, `active`): fills in what the account record lacks.
pub fn add_rest_user(g: &mut Gathered, user: &Value, account_id: &str, source: &Source) {
    let record = g.user(account_id, source);
    fill(&mut record.name, str_at(user, &["displayName"]).map(str::to_string));
    fill(&mut record.email, str_at(user, &["emailAddress"]).map(str::to_string));
    match str_at(user, &["accountType"]) {
        Some("app") => record.account_type = super::gather::AccountType::App,
        Some("customer") => record.account_type = super::gather::AccountType::Customer,
        _ => {}
    }
    if user.get("active").and_then(Value::as_bool) == Some(false) {
        fill(&mut record.status, Some("inactive"));
    }
}

/// `/project/{key}/permissionscheme`: which scheme the project uses. When it
/// was saved with `?expand=all` it is also the scheme itself.
pub fn set_project_scheme(g: &mut Gathered, file: &InputFile, project: &str, scheme: &Value) {
    if scheme.get("permissions").is_some_and(Value::is_array) {
        add_scheme(g, file, scheme, vec![]);
    }
    let source = Source::new(&file.name, Some(1));
    let project = &g.project_key(project);
    let record = g.project(project);
    fill(&mut record.source, Some(source.clone()));
    match text(scheme.get("id")) {
        Some(id) => record.scheme = Some(id),
        None => g.unmapped(
            source,
            Target::Project(project.to_string()),
            "a permission scheme without an id".into(),
        ),
    }
}

pub fn add_projects(g: &mut Gathered, file: &InputFile, projects: &[Value]) {
    for project in projects {
        let Some(key) = str_at(project, &["key"]) else { continue };
        let source = Source::new(&file.name, file.line_of_string(key));
        if let Some(lead) = project.get("lead")
            && let Some(account_id) = str_at(lead, &["accountId"])
        {
            add_rest_user(g, lead, account_id, &source);
            fill(&mut g.project(key).lead, Some(account_id.to_string()));
        }
        let record = g.project(key);
        fill(&mut record.name, str_at(project, &["name"]).map(str::to_string));
        // A REST project listing is the authority on the type (a service
        // desk listing only implies it).
        if let Some(type_key) = str_at(project, &["projectTypeKey"]) {
            record.type_key = Some(type_key.to_string());
        }
        fill(&mut record.source, Some(source));
    }
}

/// `/project/{key}/role`: the project's role names and ids. Actors come
/// from the role's own response.
pub fn add_role_map(g: &mut Gathered, file: &InputFile, links: &[RoleLink]) {
    for link in links {
        g.roles.entry(Id(link.id.clone())).or_insert_with(|| Role { name: link.name.clone() });
        let source = Source::new(&file.name, file.line_of_string(&link.name));
        let project = g.project(&link.project);
        project.listed_roles.insert(link.name.clone(), (link.id.clone(), source));
    }
}

/// `/project/{key}/role/{id}`: the role's users and groups in the project.
pub fn add_role_detail(g: &mut Gathered, file: &InputFile, role: &Value) {
    let name = str_at(role, &["name"]);
    let id = text(role.get("id"));
    let project = str_at(role, &["self"])
        .and_then(hints::role_url)
        .map(|(key, _)| key)
        .or_else(|| str_at(role, &["scope", "project", "key"]).map(str::to_string));
    let (Some(name), Some(project)) = (name, project) else {
        let what = "a project role's actors, but neither its self link nor its scope names the project";
        g.unmapped(Source::new(&file.name, Some(1)), Target::Site, what.into());
        return;
    };
    if let Some(id) = &id {
        g.roles.entry(Id(id.clone())).or_insert_with(|| Role { name: name.to_string() });
    }
    g.project(&project).roles.entry(name.to_string()).or_default();
    for actor in role.get("actors").and_then(Value::as_array).map_or(&[][..], Vec::as_slice) {
        add_actor(g, file, &project, name, actor);
    }
}

fn add_actor(g: &mut Gathered, file: &InputFile, project: &str, role: &str, actor: &Value) {
    let actor_type = str_at(actor, &["type"]).unwrap_or("(no type)");
    let display = str_at(actor, &["displayName"]).or_else(|| str_at(actor, &["name"])).unwrap_or("?");
    let account_id = str_at(actor, &["actorUser", "accountId"]);
    let group = str_at(actor, &["actorGroup", "name"]).or_else(|| str_at(actor, &["name"]));
    let line = account_id.or(group).and_then(|s| file.line_of_string(s));
    let source = Source::new(&file.name, line.or_else(|| file.line_of_string(display)));
    match (actor_type, account_id, group) {
        ("atlassian-user-role-actor", Some(account_id), _) => {
            let user = g.user(account_id, &source);
            fill(&mut user.name, str_at(actor, &["displayName"]).map(str::to_string));
            g.project(project)
                .roles
                .entry(role.to_string())
                .or_default()
                .users
                .insert(account_id.to_string());
        }
        ("atlassian-group-role-actor", _, Some(group)) => {
            g.group(group, str_at(actor, &["actorGroup", "groupId"]).map(str::to_string));
            g.project(project).roles.entry(role.to_string()).or_default().groups.insert(group.to_string());
        }
        _ => g.unmapped(
            source,
            Target::Project(project.to_string()),
            format!(
                "actor {display} of role {role}: type {actor_type} is not a user or group actor with an id"
            ),
        ),
    }
}

/// `/rest/api/3/role` or `/project/{key}/roledetails`: role names by id.
pub fn add_role_list(g: &mut Gathered, roles: &[Value]) {
    for role in roles {
        if let (Some(id), Some(name)) = (text(role.get("id")), str_at(role, &["name"])) {
            g.roles.entry(Id(id)).or_insert_with(|| Role { name: name.to_string() });
        }
    }
}
