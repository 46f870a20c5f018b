//! Which export a JSON file is, by its content's shape: saved files have
//! whatever names people gave them. The file name is used only where the
//! content cannot tell (which service desk a page of customers belongs to,
//! which project a `/project/{key}/permissionscheme` response is for), and
//! then only after the response's own links (see `hints`).

use serde_json::Value;

use super::hints::{self, is_digits};

/// A recognised export, borrowing the parsed JSON.
pub enum Export<'a> {
    /// `GET /rest/api/3/permissionscheme?expand=all` (or one scheme,
    /// `GET /rest/api/3/permissionscheme/{id}?expand=all`).
    PermissionSchemes(&'a [Value]),
    /// `GET /rest/api/3/project/{key}/permissionscheme`.
    ProjectScheme { project: String, scheme: &'a Value },
    /// `GET /rest/api/3/project/search` (a page), `/project` (a list) or
    /// `/project/{key}` (one).
    Projects(&'a [Value]),
    /// `GET /rest/api/3/project/{key}/role`: role name to role URL.
    RoleMap(Vec<RoleLink>),
    /// `GET /rest/api/3/project/{key}/role/{id}`: a role's actors.
    RoleDetail(&'a Value),
    /// `GET /rest/api/3/role` or `/project/{key}/roledetails`: role names.
    RoleList(&'a [Value]),
    /// `GET /rest/servicedeskapi/servicedesk`.
    ServiceDesks(&'a [Value]),
    /// `GET /rest/servicedeskapi/servicedesk/{id}/customer`.
    DeskCustomers { desk: String, users: &'a [Value] },
    /// `GET /rest/servicedeskapi/servicedesk/{id}/organization`.
    DeskOrganizations { desk: String, organizations: &'a [Value] },
    /// `GET /rest/servicedeskapi/organization`.
    Organizations(&'a [Value]),
    /// `GET /rest/servicedeskapi/organization/{id}/user`.
    OrganizationMembers { organization: String, users: &'a [Value] },
    /// An empty page or list that says nothing about what it lists.
    Empty,
}

pub struct RoleLink {
    pub name: String,
    pub project: String,
    pub id: String,
}

impl Export<'_> {
    /// What the file was recognised as, for the summary.
    pub fn describe(&self) -> String {
        let n =
            |count: usize, one: &str, many: &str| format!("{count} {}", if count == 1 { one } else { many });
        match self {
            Export::PermissionSchemes(s) => {
                format!(
                    "permission schemes (GET /rest/api/3/permissionscheme): {}",
                    n(s.len(), "scheme", "schemes")
                )
            }
            Export::ProjectScheme { project, .. } => {
                format!(
                    "the permission scheme of {project} (GET /rest/api/3/project/{project}/permissionscheme)"
                )
            }
            Export::Projects(p) => {
                format!("projects (GET /rest/api/3/project/search): {}", n(p.len(), "project", "projects"))
            }
            Export::RoleMap(links) => {
                let project = links.first().map_or("", |l| l.project.as_str());
                format!(
                    "roles of {project} (GET /rest/api/3/project/{project}/role): {}",
                    n(links.len(), "role", "roles")
                )
            }
            Export::RoleDetail(role) => {
                let name = role.get("name").and_then(Value::as_str).unwrap_or("?");
                let actors = role.get("actors").and_then(Value::as_array).map_or(0, Vec::len);
                format!(
                    "actors of role {name} (GET /rest/api/3/project/{{key}}/role/{{id}}): {}",
                    n(actors, "actor", "actors")
                )
            }
            Export::RoleList(r) => {
                format!("project roles (GET /rest/api/3/role): {}", n(r.len(), "role", "roles"))
            }
            Export::ServiceDesks(d) => {
                format!(
                    "service desks (GET /rest/servicedeskapi/servicedesk): {}",
                    n(d.len(), "service desk", "service desks")
                )
            }
            Export::DeskCustomers { desk, users } => format!(
                "customers of service desk {desk} (GET /rest/servicedeskapi/servicedesk/{desk}/customer): {}",
                n(users.len(), "customer", "customers")
            ),
            Export::DeskOrganizations { desk, organizations } => format!(
                "organizations of service desk {desk} (GET /rest/servicedeskapi/servicedesk/{desk}/organization): {}",
                n(organizations.len(), "organization", "organizations")
            ),
            Export::Organizations(o) => format!(
                "organizations (GET /rest/servicedeskapi/organization): {}",
                n(o.len(), "organization", "organizations")
            ),
            Export::OrganizationMembers { organization, users } => format!(
                "members of organization {organization} (GET /rest/servicedeskapi/organization/{organization}/user): {}",
                n(users.len(), "member", "members")
            ),
            Export::Empty => "an empty page: nothing to import".to_string(),
        }
    }
}

/// Recognises a parsed JSON file; `Err` says what the file looked like.
pub fn detect<'a>(relative: &str, json: &'a Value) -> Result<Export<'a>, String> {
    match json {
        Value::Object(_) => detect_object(relative, json),
        Value::Array(items) => detect_list(items),
        other => Err(format!("a JSON {}, not a REST response", kind(other))),
    }
}

fn detect_object<'a>(relative: &str, json: &'a Value) -> Result<Export<'a>, String> {
    if let Some(schemes) = json.get("permissionSchemes").and_then(Value::as_array) {
        return Ok(Export::PermissionSchemes(schemes));
    }
    if json.get("actors").is_some_and(Value::is_array)
        && (json.get("name").is_some() || json.get("id").is_some())
    {
        return Ok(Export::RoleDetail(json));
    }
    if let Some(links) = role_map(json) {
        return Ok(Export::RoleMap(links));
    }
    if let Some(values) = json.get("values").and_then(Value::as_array) {
        return detect_page(relative, json, values);
    }
    if is_project(json) {
        return Ok(Export::Projects(std::slice::from_ref(json)));
    }
    if is_scheme(json) {
        if let Some(project) = hints::path_between(relative, "project", &["permissionscheme"]) {
            return Ok(Export::ProjectScheme { project, scheme: json });
        }
        if json.get("permissions").is_some_and(Value::is_array) {
            return Ok(Export::PermissionSchemes(std::slice::from_ref(json)));
        }
        return Err("a permission scheme without its grants, and its file name does not say which project \
                    uses it"
            .to_string());
    }
    let keys: Vec<&str> =
        json.as_object().map(|o| o.keys().map(String::as_str).take(8).collect()).unwrap_or_default();
    Err(format!(
        "a JSON object with keys {}",
        if keys.is_empty() { "(none)".to_string() } else { keys.join(", ") }
    ))
}

/// A top-level list: projects (`GET /rest/api/3/project`) or roles
/// (`GET /rest/api/3/role`, `/project/{key}/roledetails`).
fn detect_list(items: &[Value]) -> Result<Export<'_>, String> {
    if items.is_empty() {
        return Ok(Export::Empty);
    }
    if items.iter().all(is_project) {
        return Ok(Export::Projects(items));
    }
    let is_role = |v: &Value| {
        v.get("name").is_some_and(Value::is_string)
            && v.get("id").is_some()
            && v.get("self").and_then(Value::as_str).is_some_and(|s| s.contains("/role/"))
    };
    if items.iter().all(is_role) {
        return Ok(Export::RoleList(items));
    }
    Err("a JSON list of neither projects nor project roles".to_string())
}

/// A paged envelope: Jira's (`startAt`, `maxResults`, `isLast`, `values`)
/// or JSM's (`size`, `start`, `limit`, `isLastPage`, `values`). The values
/// say what is listed; the links or the file name say whose it is.
fn detect_page<'a>(relative: &str, page: &'a Value, values: &'a [Value]) -> Result<Export<'a>, String> {
    let context = PageContext::of(relative, page);
    if values.iter().any(is_project) {
        return Ok(Export::Projects(values));
    }
    if values.iter().any(|v| v.get("projectKey").is_some()) {
        return Ok(Export::ServiceDesks(values));
    }
    let is_organization = |v: &Value| {
        v.get("id").is_some() && v.get("name").is_some() && !is_user(v) && v.get("projectKey").is_none()
    };
    if values.iter().any(is_user) {
        return match context {
            Some(PageContext::DeskCustomers(desk)) => Ok(Export::DeskCustomers { desk, users: values }),
            Some(PageContext::OrganizationMembers(organization)) => {
                Ok(Export::OrganizationMembers { organization, users: values })
            }
            _ => {
                Err("a page of users whose links and file name do not say which service desk's customers or \
                      which organization's members they are"
                    .to_string())
            }
        };
    }
    if values.iter().any(is_organization) {
        return Ok(match context {
            Some(PageContext::DeskOrganizations(desk)) => {
                Export::DeskOrganizations { desk, organizations: values }
            }
            _ => Export::Organizations(values),
        });
    }
    if !values.is_empty() {
        return Err(
            "a page of values that are not projects, service desks, customers or organizations".to_string()
        );
    }
    Ok(match context {
        Some(PageContext::DeskCustomers(desk)) => Export::DeskCustomers { desk, users: values },
        Some(PageContext::DeskOrganizations(desk)) => {
            Export::DeskOrganizations { desk, organizations: values }
        }
        Some(PageContext::OrganizationMembers(organization)) => {
            Export::OrganizationMembers { organization, users: values }
        }
        None => Export::Empty,
    })
}

/// A JSM user: a customer or an organization member.
fn is_user(v: &Value) -> bool {
    v.get("accountId").is_some() || v.get("emailAddress").is_some()
}

/// A page of users (customers or members), whoever's they are: its shape
/// says so even when its links and file name do not say whose.
pub fn is_user_page(json: &Value) -> bool {
    json.get("values").and_then(Value::as_array).is_some_and(|values| values.iter().any(is_user))
}

/// Whose listing a page is, from its URLs or else the file name.
enum PageContext {
    DeskCustomers(String),
    DeskOrganizations(String),
    OrganizationMembers(String),
}

const CUSTOMER: &[&str] = &["customer", "customers"];
const ORGANIZATION: &[&str] = &["organization", "organizations", "organisation", "organisations"];
const MEMBER: &[&str] = &["user", "users", "member", "members"];

impl PageContext {
    fn of(relative: &str, page: &Value) -> Option<PageContext> {
        let mut urls: Vec<&str> = Vec::new();
        if let Some(links) = page.get("_links").and_then(Value::as_object) {
            urls.extend(links.values().filter_map(Value::as_str));
        }
        urls.extend(["self", "nextPage"].iter().filter_map(|k| page.get(*k).and_then(Value::as_str)));
        let from_urls =
            urls.iter().find_map(|url| Self::find(|before, after| hints::url_between(url, before, after)));
        from_urls.or_else(|| Self::find(|before, after| hints::path_between(relative, before, after)))
    }

    fn find(lookup: impl Fn(&str, &[&str]) -> Option<String>) -> Option<PageContext> {
        if let Some(desk) = lookup("servicedesk", CUSTOMER) {
            return Some(PageContext::DeskCustomers(desk));
        }
        if let Some(desk) = lookup("servicedesk", ORGANIZATION) {
            return Some(PageContext::DeskOrganizations(desk));
        }
        ["organization", "organisation"]
            .iter()
            .find_map(|before| lookup(before, MEMBER))
            .filter(|id| is_digits(id))
            .map(PageContext::OrganizationMembers)
    }
}

/// `{"Administrators": "https://…/rest/api/3/project/HELP/role/10002", …}`.
fn role_map(json: &Value) -> Option<Vec<RoleLink>> {
    let object = json.as_object().filter(|o| !o.is_empty())?;
    object
        .iter()
        .map(|(name, url)| {
            let (project, id) = hints::role_url(url.as_str()?)?;
            Some(RoleLink { name: name.clone(), project, id })
        })
        .collect()
}

/// A Jira project: a key, and its type or its REST `self` link (the
/// published example of `/project/search` leaves out `projectTypeKey`).
fn is_project(v: &Value) -> bool {
    v.get("key").is_some_and(Value::is_string)
        && (v.get("projectTypeKey").is_some()
            || v.get("self")
                .and_then(Value::as_str)
                .is_some_and(|s| s.contains("/rest/api/") && s.contains("/project/")))
}

fn is_scheme(v: &Value) -> bool {
    v.get("id").is_some()
        && v.get("name").is_some_and(Value::is_string)
        && (v.get("self").and_then(Value::as_str).is_some_and(|s| s.contains("/permissionscheme/"))
            || v.get("permissions").is_some_and(Value::is_array))
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "list",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn what(relative: &str, json: &Value) -> String {
        match detect(relative, json) {
            Ok(export) => export.describe(),
            Err(reason) => format!("error: {reason}"),
        }
    }

    #[test]
    fn recognised_by_content_whatever_the_name() {
        let schemes = json!({"permissionSchemes": [{"id": 1, "name": "S", "permissions": []}]});
        assert!(what("a.json", &schemes).starts_with("permission schemes"));
        let roles = json!({"Developers": "https://x.atlassian.net/rest/api/3/project/MKY/role/10360"});
        assert!(what("b.json", &roles).starts_with("roles of MKY"));
        let detail = json!({"self": "https://x/rest/api/3/project/MKY/role/10360", "name": "Developers", "id": 10360, "actors": []});
        assert!(what("c.json", &detail).starts_with("actors of role Developers"));
        let desks = json!({"size": 1, "start": 0, "limit": 50, "isLastPage": true, "values": [{"id": "10001", "projectId": "11001", "projectKey": "ITH", "projectName": "IT"}]});
        assert!(what("d.json", &desks).starts_with("service desks"));
        let projects = json!({"startAt": 0, "maxResults": 50, "isLast": true, "values": [{"key": "ITH", "projectTypeKey": "service_desk"}]});
        assert!(what("e.json", &projects).starts_with("projects"));
    }

    #[test]
    fn whose_page_comes_from_links_then_the_file_name() {
        let linked = json!({"size": 1, "start": 0, "limit": 1, "isLastPage": false,
            "_links": {"next": "https://x.atlassian.net/rest/servicedeskapi/servicedesk/10001/customer?start=1&limit=1"},
            "values": [{"accountId": "qm:1:2", "emailAddress": null}]});
        assert!(what("page.json", &linked).starts_with("customers of service desk 10001"));
        let unlinked = json!({"size": 1, "start": 0, "limit": 50, "isLastPage": true, "_links": {"base": "https://x/rest/servicedeskapi", "context": ""},
            "values": [{"accountId": "qm:1:2"}]});
        assert!(what("organization-7-users.json", &unlinked).starts_with("members of organization 7"));
        assert!(what("users.json", &unlinked).starts_with("error: a page of users"));
        let organizations = json!({"isLastPage": true, "values": [{"id": "1", "name": "Contoso"}]});
        assert!(what("orgs.json", &organizations).starts_with("organizations (GET"));
        assert!(
            what("servicedesk-HELP-organization.json", &organizations)
                .starts_with("organizations of service desk HELP")
        );
    }

    #[test]
    fn a_project_scheme_needs_its_project_in_the_file_name() {
        let scheme =
            json!({"id": 10000, "self": "https://x/rest/api/3/permissionscheme/10000", "name": "Default"});
        assert!(
            what("project-HELP-permissionscheme.json", &scheme).starts_with("the permission scheme of HELP")
        );
        assert!(what("scheme.json", &scheme).starts_with("error: a permission scheme without its grants"));
    }

    #[test]
    fn anything_else_is_an_error_naming_what_it_saw() {
        assert_eq!(
            what("x.json", &json!({"accountId": "1", "displayName": "Me"})),
            "error: a JSON object with keys accountId, displayName"
        );
        assert_eq!(what("x.json", &json!(3)), "error: a JSON number, not a REST response");
        assert_eq!(
            what("x.json", &json!([1, 2])),
            "error: a JSON list of neither projects nor project roles"
        );
    }
}
