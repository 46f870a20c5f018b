//! Decoding the snapshot into the typed site: SL002, SL003, SL004, SL006,
//! defaults and origins (SNAPSHOT-FORMAT.md).

mod model_support;

use model_support::{snapshot, yaml};
use sitelint::finding::Severity;
use sitelint::model::site::*;

#[test]
fn unknown_key_is_a_warning_with_did_you_mean() {
    let s = yaml("users:\n  - account_id: u1\n    emial: a@acme.com\n    colour: red\n");
    let (site, _, findings) = s.build();
    assert_eq!(
        s.sorted(&findings),
        [
            "SL002 s.yaml:3:5 unknown key `emial` in a user | help: did you mean `email`?",
            "SL002 s.yaml:4:5 unknown key `colour` in a user | help: expected one of: account_id, \
             email, name, account_type, status, site_access, managed_by_other_org, roles, \
             admin_roles, groups",
        ]
    );
    assert_eq!(findings[0].severity, Severity::Warning);
    assert_eq!(site.users.len(), 1);
    assert_eq!(site.users[0].email, None);
}

#[test]
fn unknown_top_level_key_suggests_the_section() {
    let s = yaml("user:\n  - account_id: u1\n");
    assert_eq!(
        s.findings(),
        [
            "SL002 s.yaml:1:1 unknown key `user` in the top level of a snapshot file | help: did you mean `users`?"
        ]
    );
}

#[test]
fn a_yaml_merge_key_is_unknown_and_says_nothing_was_merged() {
    let s = yaml("projects:\n  - <<: {key: A, type: software}\n    name: x\n");
    assert_eq!(
        s.findings()[0],
        "SL002 s.yaml:2:5 unknown key `<<` in a project: YAML merge keys are not supported, so nothing \
         was merged here | help: write the keys out in this mapping (an alias of a whole entity, `- *name`, works)"
    );
}

#[test]
fn a_flag_written_as_text_suggests_the_flag() {
    let s = yaml(
        "users:\n  - account_id: a\n    managed_by_other_org: \"true\"\n  - account_id: b\n    site_access: no\n  - account_id: c\n    site_access: 3\n",
    );
    assert_eq!(
        s.findings(),
        [
            "SL003 s.yaml:3:27 `managed_by_other_org` must be true or false, found string `true` | help: write true, unquoted",
            "SL003 s.yaml:5:18 `site_access` must be true or false, found string `no` | help: write false, unquoted",
            "SL003 s.yaml:7:18 `site_access` must be true or false, found integer `3`",
        ]
    );
}

#[test]
fn rest_fields_are_ignored_and_permission_schemes_is_read_from_rest() {
    // With `expand=all`, a holder also carries a copy of what it names.
    let s = snapshot(&[(
        "schemes.json",
        r#"{
  "expand": "permissions",
  "permissionSchemes": [
    {
      "expand": "permissions,user",
      "id": 10000,
      "self": "https://acme.atlassian.net/rest/api/3/permissionscheme/10000",
      "name": "JSM default scheme",
      "permissions": [
        {
          "id": 10004,
          "self": "https://acme.atlassian.net/rest/api/3/permissionscheme/10000/permission/10004",
          "holder": { "type": "group", "parameter": "jira-admins", "value": "ca85fac0", "expand": "group",
                      "group": { "name": "jira-admins", "groupId": "ca85fac0", "self": "https://acme" } },
          "permission": "ADMINISTER_PROJECTS"
        },
        {
          "id": 10005,
          "holder": { "type": "projectRole", "parameter": "Administrators", "value": "10002",
                      "projectRole": { "id": 10002, "name": "Administrators", "description": "" } },
          "permission": "ADMINISTER_PROJECTS"
        },
        {
          "id": 10006,
          "holder": { "type": "userCustomField", "parameter": "customfield_10100",
                      "field": { "id": "customfield_10100", "name": "Approver" } },
          "permission": "BROWSE_PROJECTS"
        },
        {
          "id": 10007,
          "holder": { "type": "user", "parameter": "5b10a2844c20165700ede21g", "value": "5b10a2844c20165700ede21g",
                      "user": { "accountId": "5b10a2844c20165700ede21g", "displayName": "Mia Krystof" } },
          "permission": "BROWSE_PROJECTS"
        }
      ]
    }
  ]
}"#,
    )]);
    let (site, _, findings) = s.build();
    assert_eq!(
        s.sorted(&findings),
        [
            "SL005 schemes.json:13:53 unknown group `jira-admins`",
            "SL005 schemes.json:31:52 unknown user `5b10a2844c20165700ede21g`",
        ]
    );
    let scheme = &site.permission_schemes[0];
    assert_eq!((scheme.id.as_str(), scheme.name.as_str()), ("10000", "JSM default scheme"));
    assert_eq!(scheme.permissions[0].permission, "ADMINISTER_PROJECTS");
    assert_eq!(scheme.permissions[0].holder.kind, "group");
    assert_eq!(scheme.permissions[0].holder.parameter.as_deref(), Some("jira-admins"));
}

/// What `expand=all` adds to a holder is a mapping; a holder's `group`
/// written as text is the group's name under the wrong key (`parameter`),
/// and is reported: ignored, the grant would name nothing.
#[test]
fn a_holder_group_written_as_text_is_an_unknown_key() {
    let s = snapshot(&[(
        "schemes.yaml",
        "permission_schemes:\n  - id: 1\n    name: S\n    permissions:\n      \
         - { permission: BROWSE_PROJECTS, holder: { type: group, group: jira-admins } }\n",
    )]);
    let (_, _, findings) = s.build();
    assert_eq!(
        s.sorted(&findings),
        ["SL002 schemes.yaml:5:63 unknown key `group` in a holder | help: expected one of: type, parameter"]
    );
}

#[test]
fn self_and_expand_are_ignored_in_free_form_mappings_too() {
    // "`self` and `expand` anywhere": they name no app, role or project role.
    let s = yaml(
        "user_access:
  user_invites: { self: https://x, jira-servicemanagement: approved-domains }
users:
  - account_id: u1
    roles: { expand: groups, jira-software: user }
projects:
  - key: HELP
    type: software
    roles: { self: https://y, Developers: { users: [u1] } }
",
    );
    let (site, _, findings) = s.build();
    assert_eq!(s.sorted(&findings), Vec::<String>::new());
    let invites = &site.user_access.unwrap().user_invites;
    assert_eq!(invites.iter().map(|i| i.app.as_str()).collect::<Vec<_>>(), ["jira-servicemanagement"]);
    assert_eq!(site.users[0].roles().get("expand"), None);
    assert_eq!(site.users[0].roles().get("jira-software").map(String::as_str), Some("user"));
    let roles: Vec<_> = site.projects[0].roles.iter().map(|r| r.role.as_str()).collect();
    assert_eq!(roles, ["Developers"]);
}

#[test]
fn format_must_be_one() {
    assert_eq!(yaml("format: 1\nusers: []\n").findings(), Vec::<String>::new());
    assert_eq!(yaml("format: 2\n").findings(), ["SL003 s.yaml:1:9 `format` must be 1, found integer `2`"]);
    // The number 1, not a text that reads 1.
    assert_eq!(yaml("format: \"1\"\n").findings(), ["SL003 s.yaml:1:9 `format` must be 1, found string `1`"]);
    let json = |text| snapshot(&[("s.json", text)]);
    assert_eq!(
        json("{\"format\": \"1\"}").findings(),
        ["SL003 s.json:1:12 `format` must be 1, found string `1`"]
    );
    assert_eq!(json("{\"format\": 1}").findings(), Vec::<String>::new());
    assert_eq!(yaml("format: 1.0\n").findings(), ["SL003 s.yaml:1:9 `format` must be 1, found number `1.0`"]);
}

#[test]
fn the_top_level_must_be_a_mapping() {
    assert_eq!(
        yaml("- account_id: u1\n").findings(),
        ["SL003 s.yaml:1:1 the top level of a snapshot file must be a mapping, found list | help: put the \
          list under its section's key at the top of the file: `users:`, `projects:`, `organizations:`, ..."]
    );
    // An empty file is the loader's SL001; a file that says null is not a mapping.
    assert_eq!(
        yaml("# nothing but\n~\n").findings(),
        [
            "SL003 s.yaml:2:1 the top level of a snapshot file must be a mapping, found null | help: a snapshot \
          file holds sections by key: `site:`, `users:`, `projects:`, ..."
        ]
    );
}

/// Each help says how to write a mapping in place of what was found.
#[test]
fn a_section_or_item_that_is_not_a_mapping_says_how_to_write_one() {
    let json = |text| snapshot(&[("s.json", text)]);
    assert_eq!(
        yaml("users:\n  -\n").findings(),
        [
            "SL003 s.yaml:2:4 a user must be a mapping, found null | help: give it its keys and values, or leave it out"
        ]
    );
    assert_eq!(
        json("{\"site\": [{\"name\": \"Acme\"}]}").findings(),
        [
            "SL003 s.json:1:10 `site` must be a mapping, found list | help: write its keys and values directly, not \
          in a list: without `- ` in YAML, in `{}` rather than `[]` in JSON"
        ]
    );
    assert_eq!(
        yaml("users:\n  - account_id:u1\n").findings(),
        [
            "SL003 s.yaml:2:5 a user must be a mapping, found string `account_id:u1` | help: write it as keys and \
          values: `key: value` lines in YAML (a space after each colon), `{\"key\": value}` in JSON"
        ]
    );
}

#[test]
fn a_value_outside_the_allowed_set_lists_them_and_the_default_applies() {
    let s = yaml(
        "users:\n  - account_id: u1\n    status: actve\n    site_access: \"yes\"\n    account_type: [atlassian]\n",
    );
    let (site, _, findings) = s.build();
    assert_eq!(
        s.sorted(&findings),
        [
            "SL003 s.yaml:3:13 `status` must be one of active, inactive, closed; found string `actve` \
             | help: did you mean `active`?",
            "SL003 s.yaml:4:18 `site_access` must be true or false, found string `yes` | help: write true, unquoted",
            "SL003 s.yaml:5:19 `account_type` must be one of atlassian, customer, app; found list",
        ]
    );
    let user = &site.users[0];
    assert_eq!(user.status, Status::Active);
    assert!(user.site_access);
    assert_eq!(user.account_type, AccountType::Atlassian);
    // An invalid value is not given: rules do not point at it as a setting.
    assert!(!user.origin.states("status"));
    assert!(user.origin.states("account_id"));
}

#[test]
fn enumerations_of_roles_invites_and_project_settings_are_checked() {
    let s = yaml(
        "user_access:
  user_invites: { jira-servicemanagement: everyone, confluence: anyone }
  approved_domains:
    - { domain: acme.com, roles: { jira-servicemanagement: admin } }
users:
  - { account_id: u1, roles: { jira-servicemanagement: Agent, jira-software: user }, admin_roles: [site-admin, root] }
projects:
  - { key: HELP, type: service_desk, service_desk: { channel_access: closed } }
  - { key: DEV, type: kanban }
",
    );
    let (site, _, findings) = s.build();
    assert_eq!(
        s.sorted(&findings),
        [
            "SL003 s.yaml:2:43 `user_invites.jira-servicemanagement` must be one of anyone, \
             approved-domains, admin-approval, admins-only; found string `everyone`",
            "SL003 s.yaml:4:60 `roles.jira-servicemanagement` must be one of none, user, customer, \
             agent; found string `admin`",
            "SL003 s.yaml:6:56 `roles.jira-servicemanagement` must be one of agent, customer, \
             collaborator, none; found string `Agent` | help: did you mean `agent`?",
            "SL003 s.yaml:6:112 an entry of `admin_roles` must be one of org-admin, site-admin, \
             user-access-admin, product-admin; found string `root`",
            "SL003 s.yaml:8:70 `channel_access` must be one of open, restricted; found string `closed`",
            "SL003 s.yaml:9:23 `type` must be one of service_desk, software, business; found string \
             `kanban`",
        ]
    );
    let access = site.user_access.as_ref().unwrap();
    assert_eq!(access.user_invites.len(), 1);
    assert_eq!(
        (access.user_invites[0].app.as_str(), access.user_invites[0].mode),
        ("confluence", InviteMode::Anyone)
    );
    assert!(access.approved_domains[0].roles.is_empty());
    let user = &site.users[0];
    assert_eq!(user.roles().get("jira-servicemanagement"), None);
    assert_eq!(user.roles().get("jira-software").map(String::as_str), Some("user"));
    assert_eq!(user.admin_roles(), ["site-admin"]);
    // A project without a valid type is incomplete and left out.
    assert_eq!(site.projects.len(), 1);
    assert_eq!(site.projects[0].service_desk.as_ref().unwrap().channel_access, ChannelAccess::Open);
}

#[test]
fn a_key_twice_in_a_mapping_keeps_the_first_value() {
    let s = yaml("customer_access:\n  signup: deny\n  internal: false\n  signup: allow\n");
    let (site, _, findings) = s.build();
    assert_eq!(
        s.sorted(&findings),
        ["SL004 s.yaml:4:3 key `signup` is written twice; the first value is used \
             | related s.yaml:2:3 first written here"]
    );
    let access = site.customer_access.unwrap();
    assert_eq!(access.signup, Signup::Deny);
    assert_eq!(s.text(access.origin.value_location("signup")), "deny");
}

#[test]
fn a_key_twice_in_a_long_mapping_keeps_the_first_value() {
    // Past 16 entries, repeated keys are found through an index instead of a scan.
    let apps: String = (0..20).map(|i| format!("    app{i:02}: anyone\n")).collect();
    let s = yaml(&format!("user_access:\n  user_invites:\n{apps}    app03: admins-only\n"));
    let (site, _, findings) = s.build();
    assert_eq!(
        s.sorted(&findings),
        ["SL004 s.yaml:23:5 key `app03` is written twice; the first value is used \
          | related s.yaml:6:5 first written here"]
    );
    let invites = site.user_access.unwrap().user_invites;
    assert_eq!(invites.len(), 20);
    assert_eq!((invites[3].app.as_str(), invites[3].mode), ("app03", InviteMode::Anyone));
    assert_eq!(invites[19].app, "app19");
}

#[test]
fn a_key_twice_in_an_entity_is_reported_whether_known_unknown_or_ignored() {
    // 18 unknown keys, so the unknown ones are past the scan, then each kind repeated.
    let unknown: String = (0..18).map(|i| format!("    x{i:02}: 1\n")).collect();
    let s = yaml(&format!(
        "users:\n  - account_id: a\n{unknown}    self: s\n    name: First\n    x03: 2\n    self: t\n    name: Second\n"
    ));
    let (site, _, findings) = s.build();
    let findings = s.sorted(&findings);
    assert_eq!(findings.iter().filter(|f| f.starts_with("SL002")).count(), 18, "{findings:#?}");
    let repeats: Vec<_> = findings.iter().filter(|f| f.starts_with("SL004")).collect();
    assert_eq!(
        repeats,
        [
            "SL004 s.yaml:23:5 key `x03` is written twice; the first value is used \
             | related s.yaml:6:5 first written here",
            "SL004 s.yaml:24:5 key `self` is written twice; the first value is used \
             | related s.yaml:21:5 first written here",
            "SL004 s.yaml:25:5 key `name` is written twice; the first value is used \
             | related s.yaml:22:5 first written here",
        ]
    );
    assert_eq!(site.users[0].name.as_deref(), Some("First"));
}

#[test]
fn a_singleton_section_twice_in_the_snapshot_keeps_the_first() {
    let s = snapshot(&[
        ("a.yaml", "site:\n  name: acme\n"),
        ("b.yaml", "users: []\nsite:\n  name: other\n  bogus: 1\n"),
    ]);
    let (site, _, findings) = s.build();
    assert_eq!(
        s.sorted(&findings),
        ["SL004 b.yaml:2:1 section `site` appears twice in the snapshot; this one is ignored \
             | related a.yaml:1:1 first written here"]
    );
    assert_eq!(site.info.unwrap().name.as_deref(), Some("acme"));
}

#[test]
fn a_duplicate_entity_is_reported_at_its_identifier_and_left_out() {
    let s = snapshot(&[
        (
            "a.yaml",
            "users:\n  - { account_id: \"u1\", name: First }\nuser_access:\n  approved_domains:\n    \
             - domain: acme.com\n    - domain: ACME.com\n      admin_approval: true\n",
        ),
        (
            "b.yaml",
            "users:\n  - account_id: u1\n    name: Second\npermission_schemes:\n  - { id: 1, name: A }\n  \
             - { id: 2, name: A }\n  - { id: 2, name: B }\norganizations:\n  - { id: \"7\", name: Contoso }\n  \
             - { id: 7, name: Fabrikam }\n",
        ),
    ]);
    let (site, _, findings) = s.build();
    assert_eq!(
        s.sorted(&findings),
        [
            "SL004 a.yaml:6:15 duplicate approved domain `ACME.com`; this approved domain is \
             ignored | related a.yaml:5:15 first defined here",
            "SL004 b.yaml:2:17 duplicate user account_id `u1`; this user is ignored \
             | related a.yaml:2:19 first defined here",
            "SL004 b.yaml:6:20 duplicate permission scheme name `A`; this permission scheme is ignored \
             | related b.yaml:5:20 first defined here",
            "SL004 b.yaml:10:11 duplicate organization id `7`; this organization is ignored \
             | related b.yaml:9:11 first defined here",
        ]
    );
    assert_eq!(site.users.len(), 1);
    assert_eq!(site.users[0].name.as_deref(), Some("First"));
    let domains = &site.user_access.unwrap().approved_domains;
    assert_eq!(domains.len(), 1);
    assert!(!domains[0].admin_approval);
    // The left-out scheme `2 A` did not take id 2, so `2 B` is kept.
    let schemes: Vec<_> = site.permission_schemes.iter().map(|s| (s.id.as_str(), s.name.as_str())).collect();
    assert_eq!(schemes, [("1", "A"), ("2", "B")]);
    assert_eq!(site.organizations.len(), 1);
}

/// An alias copies its anchor's fields with their places; a duplicate made
/// by one is reported at the alias, not at the original twice.
#[test]
fn a_duplicate_written_as_an_alias_is_reported_at_the_alias() {
    let s = yaml(
        "users:\n  - &u { account_id: a, email: a@x.com }\n  - *u\ngroups:\n  - &g { name: g1 }\n  - *g\n",
    );
    let (site, _, findings) = s.build();
    assert_eq!(
        s.sorted(&findings),
        [
            "SL004 s.yaml:3:5 duplicate user account_id `a`; this user is ignored \
             | related s.yaml:2:22 first defined here",
            "SL004 s.yaml:6:5 duplicate group name `g1`; this group is ignored \
             | related s.yaml:5:16 first defined here",
        ]
    );
    assert_eq!((site.users.len(), site.groups.len()), (1, 1));
}

#[test]
fn missing_required_fields_point_at_the_entity() {
    let s = yaml(
        "users:
  - name: Nobody
  - { account_id: qm:1, account_type: customer }
groups:
  - { id: g1 }
project_roles:
  - { id: 10101 }
permission_schemes:
  - id: 1
    name: S
    permissions:
      - { holder: { type: anyone } }
      - { permission: BROWSE_PROJECTS, holder: { parameter: x } }
      - { permission: BROWSE_PROJECTS }
projects:
  - { key: HELP }
organizations:
  - { id: \"1\" }
user_access:
  approved_domains:
    - { admin_approval: false }
    - { admin_approval: true }
",
    );
    let (site, _, findings) = s.build();
    assert_eq!(
        s.sorted(&findings),
        [
            "SL006 s.yaml:2:5 a user is missing the required field `account_id`",
            "SL006 s.yaml:3:5 a user is missing the required field `email` | help: a portal-only \
             account (`account_type: customer`) is known by its email",
            "SL006 s.yaml:5:5 a group is missing the required field `name`",
            "SL006 s.yaml:7:5 a project role is missing the required field `name`",
            "SL006 s.yaml:12:9 a permission grant is missing the required field `permission`",
            "SL006 s.yaml:13:48 a holder is missing the required field `type`",
            "SL006 s.yaml:14:9 a permission grant is missing the required field `holder`",
            "SL006 s.yaml:16:5 a project is missing the required field `type`",
            "SL006 s.yaml:18:5 an organization is missing the required field `name`",
        ]
    );
    // The portal-only account without an email is kept; the rest are incomplete.
    assert_eq!(site.users.len(), 1);
    assert_eq!(site.users[0].account_id, "qm:1");
    assert!(site.groups.is_empty() && site.project_roles.is_empty() && site.projects.is_empty());
    assert!(site.organizations.is_empty());
    assert!(site.permission_schemes[0].permissions.is_empty());
    // `domain` is not required (SNAPSHOT-FORMAT.md lists what is): the
    // entries are kept, and two without one are no duplicates.
    let domains = &site.user_access.unwrap().approved_domains;
    let written: Vec<_> = domains.iter().map(|d| (d.domain.as_deref(), d.admin_approval)).collect();
    assert_eq!(written, [(None, false), (None, true)]);
}

#[test]
fn defaults_apply_to_what_is_not_written() {
    let s = yaml(
        "users:
  - account_id: u1
user_access:
  approved_domains:
    - domain: acme.com
customer_access:
  signup: deny
projects:
  - key: HELP
    type: service_desk
    service_desk:
      customers:
      email_channels:
        - address: help@acme.atlassian.net
",
    );
    let (site, _, findings) = s.build();
    assert_eq!(s.sorted(&findings), Vec::<String>::new());
    let user = &site.users[0];
    assert_eq!(
        (user.account_type, user.status, user.site_access, user.managed_by_other_org),
        (AccountType::Atlassian, Status::Active, true, false)
    );
    assert!(
        user.roles().iter().next().is_none() && user.admin_roles().is_empty() && user.groups().is_empty()
    );
    let access = site.user_access.unwrap();
    assert!(!access.invite_links);
    assert!(!access.approved_domains[0].admin_approval);
    let customer = site.customer_access.unwrap();
    assert_eq!((customer.internal, customer.external, customer.anonymous_access), (true, true, false));
    assert_eq!(customer.signup, Signup::Deny);
    assert_eq!(customer.external_domains, ExternalDomains::Any);
    assert_eq!(customer.email_account_creation, EmailAccountCreation::Anyone);
    assert!(customer.origin.states("signup") && !customer.origin.states("internal"));
    let desk = site.projects[0].service_desk.as_ref().unwrap();
    assert_eq!(desk.channel_access, ChannelAccess::Open);
    assert!(desk.customers.is_empty());
    // `customers:` with nothing after it is not given.
    assert!(!desk.origin.states("customers"));
    assert!(desk.email_channels[0].enabled);
    assert_eq!(site.projects[0].permission_scheme, None);
}

#[test]
fn null_sections_count_as_not_given() {
    let s = yaml("site:\ncustomer_access: ~\nusers:\n");
    let (site, _, findings) = s.build();
    assert!(findings.is_empty());
    assert_eq!(site, Site::default());
}

#[test]
fn external_domains_is_any_or_a_list() {
    let listed = yaml("customer_access:\n  external_domains: [contoso.com, fabrikam.com]\n");
    let (site, _, _) = listed.build();
    let ExternalDomains::List(domains) = site.customer_access.unwrap().external_domains else {
        panic!("expected a list")
    };
    let domains: Vec<_> = domains.iter().map(|(d, at)| (d.as_str(), listed.place(*at))).collect();
    assert_eq!(
        domains,
        [("contoso.com", "s.yaml:2:22".to_string()), ("fabrikam.com", "s.yaml:2:35".to_string())]
    );
    assert_eq!(
        yaml("customer_access:\n  external_domains: all\n").findings(),
        ["SL003 s.yaml:2:21 `external_domains` must be `any` or a list of domains, found string `all`"]
    );
}

#[test]
fn references_must_be_scalars() {
    let s = yaml("groups:\n  - name: g\n    members: [{ account_id: u1 }, ~, [u2]]\n");
    let (site, _, findings) = s.build();
    assert_eq!(
        s.sorted(&findings),
        [
            "SL003 s.yaml:3:15 an entry of `members` must be a string, found mapping | help: write it as one \
             text; in YAML, quote a text that starts with `{`",
            "SL003 s.yaml:3:35 an entry of `members` must be a string, found null | help: give it a value, or \
             leave it out",
            "SL003 s.yaml:3:38 an entry of `members` must be a string, found list | help: write one value, \
             not a list; in YAML, quote a text that starts with `[`",
        ]
    );
    assert!(site.groups[0].members.is_empty());
    assert_eq!(
        yaml("users: {}\n").findings(),
        ["SL003 s.yaml:1:8 `users` must be a list, found mapping | help: an empty list is written `[]`"]
    );
    assert_eq!(
        yaml("users:\n  account_id: a\n").findings(),
        [
            "SL003 s.yaml:2:3 `users` must be a list, found mapping | help: start each item of a list with `- ` on a line of its own"
        ]
    );
    assert_eq!(
        yaml("groups: [{ name: g, members: alice }]\n").findings(),
        [
            "SL003 s.yaml:1:30 `members` must be a list, found string `alice` | help: write a list: `[a, b]`, or each item on a line of its own after `- `"
        ]
    );
    assert_eq!(
        yaml("users: [x]\n").findings(),
        ["SL003 s.yaml:1:9 a user must be a mapping, found string `x` | help: write it as keys and values: \
          `key: value` lines in YAML (a space after each colon), `{\"key\": value}` in JSON"]
    );
}

#[test]
fn service_desk_on_another_project_type_is_invalid_and_ignored() {
    let s = yaml("projects:\n  - key: DEV\n    type: software\n    service_desk:\n      customers: [u1]\n");
    let (site, _, findings) = s.build();
    assert_eq!(
        s.sorted(&findings),
        ["SL003 s.yaml:5:7 `service_desk` is only for projects of type service_desk, found it on a \
             software project; it is ignored | related s.yaml:3:11 the project's type"]
    );
    assert_eq!(site.projects[0].service_desk, None);
    assert!(!site.projects[0].origin.states("service_desk"));
}

#[test]
fn origins_record_keys_values_and_dotted_paths() {
    let s = yaml(
        "customer_access:
  internal: true
user_access:
  user_invites:
    jira-servicemanagement: approved-domains
  approved_domains:
    - domain: acme.com
      roles: { jira-servicemanagement: customer }
groups:
  - name: agents
    roles:
      jira-servicemanagement: agent
projects:
  - key: HELP
    type: service_desk
    roles:
      Service Desk Team: { groups: [agents] }
    service_desk:
      channel_access: restricted
",
    );
    let (site, _, findings) = s.build();
    assert!(findings.is_empty(), "{:?}", s.sorted(&findings));
    let customer = site.customer_access.unwrap();
    assert_eq!(s.place(customer.origin.key_location()), "s.yaml:1:1");
    assert_eq!(s.place(customer.origin.location()), "s.yaml:2:3");
    let access = site.user_access.unwrap();
    let invite = &access.user_invites[0].origin;
    assert_eq!(s.text(invite.key_location()), "jira-servicemanagement");
    assert_eq!(s.text(invite.location()), "approved-domains");
    assert_eq!(s.place(invite.location()), "s.yaml:5:29");
    let domain = &access.approved_domains[0].origin;
    assert_eq!(s.text(domain.value_location("roles.jira-servicemanagement")), "customer");
    assert_eq!(s.place(domain.field_key_location("roles.jira-servicemanagement")), "s.yaml:8:16");
    let group = &site.groups[0].origin;
    assert_eq!(s.place(group.value_location("roles.jira-servicemanagement")), "s.yaml:12:31");
    for (path, stated) in
        [("name", true), ("roles", true), ("roles.jira-servicemanagement", true), ("id", false)]
    {
        assert_eq!(group.states(path), stated, "{path}");
    }
    let project = &site.projects[0];
    assert_eq!(s.place(project.roles[0].origin.key_location()), "s.yaml:17:7");
    assert_eq!(s.text(project.roles[0].origin.location()), "{ groups: [agents] }");
    let desk = project.service_desk.as_ref().unwrap();
    assert_eq!(s.place(desk.origin.key_location()), "s.yaml:18:5");
    assert_eq!(s.text(desk.origin.value_location("channel_access")), "restricted");
}

#[test]
fn identifiers_are_the_text_as_written() {
    let s = yaml("project_roles:\n  - { id: 10101, name: Team }\n  - { id: \"10101\", name: Other }\n");
    let (site, _, findings) = s.build();
    assert_eq!(
        s.sorted(&findings),
        ["SL004 s.yaml:3:11 duplicate project role id `10101`; this project role is ignored \
             | related s.yaml:2:11 first defined here"]
    );
    assert_eq!(site.project_roles.len(), 1);
}
