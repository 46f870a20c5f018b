//! Where a response came from, when its content alone cannot tell: the
//! URLs it carries (`self`, `_links.next`, ...) and, failing those, the
//! file-name convention `{resource}-{id}-{subresource}` (any of `-`, `_`,
//! `.`, `/` or a space between the parts, keywords in any case):
//!
//! - `servicedesk-10001-customer*.json`: customers of service desk 10001
//!   (a desk id or a project key, as the API accepts both);
//! - `servicedesk-10001-organization*.json`: organizations linked to it;
//! - `organization-3-user*.json` (or `-members`): members of organization 3;
//! - `project-HELP-permissionscheme*.json`: the scheme project HELP uses.
//!
//! `project/HELP/permissionscheme.json`, a folder per resource, matches too.

/// The segment between `before` and one of `after` in a URL's path:
/// `url_between(".../servicedesk/10001/customer?start=50", "servicedesk",
/// &["customer"])` is `10001`.
pub fn url_between(url: &str, before: &str, after: &[&str]) -> Option<String> {
    between(&url_segments(url), before, after)
}

/// The project key and role id of a role URL
/// (`https://acme.atlassian.net/rest/api/3/project/HELP/role/10002`).
pub fn role_url(url: &str) -> Option<(String, String)> {
    let segments = url_segments(url);
    segments.windows(4).find_map(|w| {
        let is_role = w[0] == "project" && w[2] == "role" && is_digits(w[3]);
        is_role.then(|| (w[1].to_string(), w[3].to_string()))
    })
}

/// `https://acme.atlassian.net` for any URL on that site.
pub fn origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split(['/', '?', '#']).next()?;
    (!host.is_empty() && matches!(scheme, "http" | "https")).then(|| format!("{scheme}://{host}"))
}

/// The id a file's path gives between `before` and one of `after`, by the
/// naming convention. Separators are tried without `_` first, so a project
/// key with an underscore survives `project-MY_KEY-permissionscheme.json`.
pub fn path_between(relative: &str, before: &str, after: &[&str]) -> Option<String> {
    let stem = relative.rsplit_once('.').map_or(relative, |(stem, _)| stem);
    let narrow: Vec<&str> = stem.split(['/', '-', '.', ' ']).filter(|t| !t.is_empty()).collect();
    let wide: Vec<&str> = stem.split(['/', '-', '.', ' ', '_']).filter(|t| !t.is_empty()).collect();
    between(&narrow, before, after).or_else(|| between(&wide, before, after))
}

pub fn is_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

/// A URL's path segments, without the query or fragment.
fn url_segments(url: &str) -> Vec<&str> {
    let path = url.split_once("://").map_or(url, |(_, rest)| rest.split_once('/').map_or("", |(_, p)| p));
    let path = path.split(['?', '#']).next().unwrap_or("");
    path.split('/').filter(|s| !s.is_empty()).collect()
}

fn between(tokens: &[&str], before: &str, after: &[&str]) -> Option<String> {
    tokens.windows(3).find_map(|w| {
        let matches = w[0].eq_ignore_ascii_case(before) && after.iter().any(|a| w[2].eq_ignore_ascii_case(a));
        matches.then(|| w[1].to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_from_urls() {
        let next =
            "https://acme.atlassian.net/rest/servicedeskapi/servicedesk/10001/customer?start=2&limit=2";
        assert_eq!(url_between(next, "servicedesk", &["customer"]).as_deref(), Some("10001"));
        assert_eq!(url_between(next, "organization", &["user"]), None);
        let members = "https://acme.atlassian.net/rest/servicedeskapi/organization/3/user?start=0";
        assert_eq!(url_between(members, "organization", &["user"]).as_deref(), Some("3"));
        let role = "https://acme.atlassian.net/rest/api/3/project/HELP/role/10002";
        assert_eq!(role_url(role), Some(("HELP".into(), "10002".into())));
        assert_eq!(role_url("https://acme.atlassian.net/rest/api/3/role/10002"), None);
        assert_eq!(origin(role).as_deref(), Some("https://acme.atlassian.net"));
        assert_eq!(origin("context"), None);
    }

    #[test]
    fn ids_from_file_names() {
        let customer = &["customer", "customers"];
        assert_eq!(
            path_between("servicedesk-10001-customer-page2.json", "servicedesk", customer).as_deref(),
            Some("10001")
        );
        assert_eq!(
            path_between("jsm/ServiceDesk_HELP_Customers.json", "servicedesk", customer).as_deref(),
            Some("HELP")
        );
        assert_eq!(
            path_between("servicedesk/10001/customer.json", "servicedesk", customer).as_deref(),
            Some("10001")
        );
        let scheme = &["permissionscheme"];
        assert_eq!(
            path_between("project-MY_KEY-permissionscheme.json", "project", scheme).as_deref(),
            Some("MY_KEY")
        );
        assert_eq!(
            path_between("project_HELP_permissionscheme.json", "project", scheme).as_deref(),
            Some("HELP")
        );
        assert_eq!(path_between("permissionschemes.json", "project", scheme), None);
    }
}
