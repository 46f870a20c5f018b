//! The model never panics, whatever shape the values have, and every
//! finding points inside its file.

mod model_support;

use model_support::yaml;

/// A value of every kind the tree has, and some nested oddities.
const VALUES: &[&str] =
    &["~", "true", "10000", "1.5", "x", "[]", "[x, ~, {}, [1]]", "{}", "{ a: b, type: user }", "\"\""];

/// Where each key is written: `{}` stands for `key: value`.
const PLACES: &[(&str, &[&str])] = &[
    (
        "{}\n",
        &[
            "format",
            "site",
            "user_access",
            "customer_access",
            "users",
            "groups",
            "project_roles",
            "permission_schemes",
            "permissionSchemes",
            "projects",
            "organizations",
            "self",
        ],
    ),
    ("site: { {} }\n", &["name", "url", "exported_at"]),
    ("user_access: { {} }\n", &["user_invites", "invite_links", "approved_domains"]),
    ("user_access: { approved_domains: [{ domain: a.com, {} }] }\n", &["roles", "admin_approval", "domain"]),
    (
        "customer_access: { {} }\n",
        &["internal", "external", "external_domains", "signup", "anonymous_access", "email_account_creation"],
    ),
    (
        "users: [{ account_id: u1, {} }]\n",
        &[
            "account_id",
            "email",
            "name",
            "account_type",
            "status",
            "site_access",
            "managed_by_other_org",
            "roles",
            "admin_roles",
            "groups",
        ],
    ),
    ("groups: [{ name: g, {} }]\n", &["name", "id", "members", "roles"]),
    ("project_roles: [{ id: 1, name: r, {} }]\n", &["id", "name"]),
    ("permission_schemes: [{ id: 1, name: s, {} }]\n", &["id", "name", "description", "permissions"]),
    (
        "permission_schemes: [{ id: 1, name: s, permissions: [{ permission: X, holder: { type: user }, {} }] }]\n",
        &["permission", "holder", "id"],
    ),
    (
        "permission_schemes: [{ id: 1, name: s, permissions: [{ permission: X, holder: { type: projectRole, {} } }] }]\n",
        &["type", "parameter", "value"],
    ),
    (
        "projects: [{ key: P, type: service_desk, {} }]\n",
        &["key", "name", "type", "permission_scheme", "lead", "roles", "service_desk"],
    ),
    ("projects: [{ key: P, type: service_desk, roles: { R: { {} } } }]\n", &["users", "groups"]),
    (
        "projects: [{ key: P, type: service_desk, service_desk: { {} } }]\n",
        &["channel_access", "customers", "organizations", "email_channels"],
    ),
    (
        "projects: [{ key: P, type: service_desk, service_desk: { email_channels: [{ {} }] } }]\n",
        &["address", "enabled"],
    ),
    ("organizations: [{ name: o, {} }]\n", &["id", "name", "members"]),
];

#[test]
fn every_key_with_every_kind_of_value_decodes_without_panicking() {
    let mut documents = 0;
    for (template, keys) in PLACES {
        for key in *keys {
            for value in VALUES {
                let text = template.replace("{}", &format!("{key}: {value}"));
                let s = yaml(&text);
                let (_, _, findings) = s.build();
                for finding in &findings {
                    let span = finding.primary.span;
                    assert!(span.end() <= text.len(), "{text}: {finding:?}");
                }
                documents += 1;
            }
        }
    }
    assert_eq!(documents, 71 * VALUES.len());
}

#[test]
fn odd_documents_decode_without_panicking() {
    let texts = [
        "? [a, b]\n: c\n",
        "users:\n  - ? { a: 1 }\n    : x\n",
        "users: &u [{ account_id: u1 }]\ngroups: *u\n",
        "projects:\n  - { key: P, type: service_desk, service_desk: ~, roles: ~ }\n",
        "users: [{ account_id: \"\", email: \"@\" }, { account_id: x, email: \"\" }]\n\
         user_access: { approved_domains: [{ domain: \"\", roles: { jira-servicemanagement: agent } }] }\n",
    ];
    let codes =
        |text: &str| -> Vec<String> { yaml(text).build().2.iter().map(|f| f.code().to_string()).collect() };
    let outcomes: Vec<Vec<String>> = texts.iter().map(|t| codes(t)).collect();
    // Complex keys, an aliased list used as groups (no `name`, unknown
    // `account_id`), nulls where mappings go, empty identifiers.
    assert_eq!(outcomes, [vec!["SL003"], vec!["SL003", "SL006"], vec!["SL002", "SL006"], vec![], vec![]]);
}
