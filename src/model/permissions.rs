//! Jira's built-in permission keys (Jira Cloud REST v3, permission schemes),
//! and what a key that is not one of them was probably meant to be.

/// What the Service Desk Team role must hold in a service project's scheme
/// (RULES.md, PS004): the access explainer checks it, the generator plants
/// its absence. (The rule file lists them too, in CEL.)
pub const AGENT_PERMISSIONS: [&str; 6] = [
    "BROWSE_PROJECTS",
    "CREATE_ISSUES",
    "EDIT_ISSUES",
    "SCHEDULE_ISSUES",
    "ADD_COMMENTS",
    "CREATE_ATTACHMENTS",
];

pub const BUILT_IN: &[&str] = &[
    "ADMINISTER_PROJECTS",
    "EDIT_WORKFLOW",
    "EDIT_ISSUE_LAYOUT",
    "BROWSE_PROJECTS",
    "MANAGE_SPRINTS_PERMISSION",
    "SERVICEDESK_AGENT",
    "VIEW_DEV_TOOLS",
    "VIEW_READONLY_WORKFLOW",
    "ASSIGNABLE_USER",
    "ASSIGN_ISSUES",
    "CLOSE_ISSUES",
    "CREATE_ISSUES",
    "DELETE_ISSUES",
    "EDIT_ISSUES",
    "LINK_ISSUES",
    "MODIFY_REPORTER",
    "MOVE_ISSUES",
    "RESOLVE_ISSUES",
    "SCHEDULE_ISSUES",
    "SET_ISSUE_SECURITY",
    "TRANSITION_ISSUES",
    "MANAGE_WATCHERS",
    "VIEW_VOTERS_AND_WATCHERS",
    "ADD_COMMENTS",
    "DELETE_ALL_COMMENTS",
    "DELETE_OWN_COMMENTS",
    "EDIT_ALL_COMMENTS",
    "EDIT_OWN_COMMENTS",
    "CREATE_ATTACHMENTS",
    "DELETE_ALL_ATTACHMENTS",
    "DELETE_OWN_ATTACHMENTS",
    "DELETE_ALL_WORKLOGS",
    "DELETE_OWN_WORKLOGS",
    "EDIT_ALL_WORKLOGS",
    "EDIT_OWN_WORKLOGS",
    "WORK_ON_ISSUES",
];

pub fn is_built_in(key: &str) -> bool {
    BUILT_IN.contains(&key)
}

/// For a key that is not built in: the built-in key it most likely means,
/// when upper-cased it equals one or is within edit distance 3 of one (a
/// typo or the wrong case). Apps define keys of their own, which are far
/// from every built-in key and get no suggestion.
pub fn suggestion(key: &str) -> Option<&'static str> {
    if is_built_in(key) {
        return None;
    }
    let upper = key.to_uppercase();
    BUILT_IN
        .iter()
        .map(|k| (strsim::levenshtein(k, &upper), *k))
        .filter(|(distance, _)| *distance <= 3)
        .min()
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use super::suggestion;

    #[test]
    fn suggests_the_key_a_typo_or_wrong_case_means() {
        assert_eq!(suggestion("browse_projects"), Some("BROWSE_PROJECTS"));
        assert_eq!(suggestion("CREATE_ISSUE"), Some("CREATE_ISSUES"));
        assert_eq!(suggestion("ADD_COMENTS"), Some("ADD_COMMENTS"));
        assert_eq!(suggestion("BROWSE_PROJECTS"), None);
        assert_eq!(suggestion("com.acme.app:VIEW_REPORTS"), None);
    }
}
