//! Derived facts (SNAPSHOT-FORMAT.md, "Derived facts").

mod model_support;

use std::collections::BTreeMap;

use model_support::{snapshot, yaml};
use sitelint::model::facts::*;
use sitelint::model::site::*;

fn roles_site(internal: bool) -> String {
    format!(
        "customer_access: {{ internal: {internal} }}
user_access:
  approved_domains:
    - {{ domain: Acme.com, roles: {{ jira-servicemanagement: customer }} }}
    - {{ domain: partner.org, roles: {{ jira-servicemanagement: agent }}, admin_approval: true }}
    - {{ domain: vendor.io, roles: {{ jira-servicemanagement: agent }} }}
    - {{ roles: {{ jira-servicemanagement: agent }} }}
users:
  - {{ account_id: u0, email: alice@ACME.com }}
  - {{ account_id: u1, email: bob@partner.org }}
  - {{ account_id: u2, email: carol@acme.com, groups: [agents], roles: {{ jira-servicemanagement: collaborator }} }}
  - {{ account_id: u3, email: dan@vendor.io }}
  - {{ account_id: u4, email: erin@other.net, roles: {{ jira-servicemanagement: none }} }}
groups:
  - {{ name: agents, members: [u3, u2], roles: {{ jira-servicemanagement: agent }} }}
  - {{ name: customers, members: [u0, u4, u0], roles: {{ jira-servicemanagement: none }} }}
"
    )
}

/// An effective role, as the role it comes to and its sources.
fn role(role: JsmRole, sources: Vec<RoleSource>) -> (JsmRole, Vec<RoleSource>) {
    (role, sources)
}

fn roles(facts: &Facts) -> Vec<(JsmRole, Vec<RoleSource>)> {
    facts.jsm_role.iter().map(|r| (r.role(), r.sources.to_vec())).collect()
}

#[test]
fn effective_jsm_role_is_the_highest_source() {
    let (_, facts, findings) = yaml(&roles_site(true)).build();
    assert!(findings.is_empty());
    assert_eq!(
        roles(&facts),
        [
            // An approved domain's customer role, matched ignoring case.
            role(JsmRole::Customer, vec![RoleSource::Domain(0, JsmRole::Customer)]),
            // A domain waiting for admin approval gives nothing.
            role(JsmRole::None, vec![]),
            // Direct, group and domain sources are all recorded; the group's agent wins.
            role(
                JsmRole::Agent,
                vec![
                    RoleSource::Direct(JsmRole::Collaborator),
                    RoleSource::Group(GroupId::from(0), JsmRole::Agent),
                    RoleSource::Domain(0, JsmRole::Customer),
                ]
            ),
            role(
                JsmRole::Agent,
                vec![
                    RoleSource::Group(GroupId::from(0), JsmRole::Agent),
                    RoleSource::Domain(2, JsmRole::Agent)
                ]
            ),
            // `none` is no source, and the entry without `domain` matches no email.
            role(JsmRole::None, vec![]),
        ]
    );
}

#[test]
fn an_effective_role_is_a_thin_list_of_its_sources() {
    // One per account: 8 bytes, the role read from the sources.
    assert_eq!(std::mem::size_of::<EffectiveRole>(), 8);
    let role = EffectiveRole { sources: vec![RoleSource::Direct(JsmRole::Customer)].into() };
    assert_eq!(role.role(), JsmRole::Customer);
    assert_eq!(EffectiveRole { sources: Default::default() }.role(), JsmRole::None);
}

#[test]
fn a_domain_customer_role_counts_only_with_internal_customers() {
    let (_, facts, _) = yaml(&roles_site(false)).build();
    assert_eq!(roles(&facts)[0], role(JsmRole::None, vec![]));
    assert_eq!(
        facts.jsm_role[2].sources,
        [RoleSource::Direct(JsmRole::Collaborator), RoleSource::Group(GroupId::from(0), JsmRole::Agent)]
    );
    // A domain's agent role counts regardless.
    assert_eq!(facts.jsm_role[3].sources[1], RoleSource::Domain(2, JsmRole::Agent));
}

#[test]
fn group_membership_comes_from_both_sides() {
    let (_, facts, _) = yaml(&roles_site(true)).build();
    let user_groups: Vec<&[GroupId]> = facts.user_groups.iter().collect();
    assert_eq!(
        user_groups,
        [&[GroupId::from(1)][..], &[], &[GroupId::from(0)], &[GroupId::from(0)], &[GroupId::from(1)]]
    );
    let group_members: Vec<&[UserId]> = facts.group_members.iter().collect();
    assert_eq!(group_members, [&[UserId::from(2), UserId::from(3)][..], &[UserId::from(0), UserId::from(4)]]);
}

#[test]
fn users_by_email_folds_case_and_keeps_file_order() {
    let (site, facts, _) = yaml(
        "users:\n  - { account_id: a, email: Bob@Contoso.com }\n  - { account_id: b }\n  \
         - { account_id: c, email: bob@contoso.COM, account_type: customer }\n  \
         - { account_id: d, email: carol@contoso.com }\n",
    )
    .build();
    assert_eq!(facts.users_by_email.len(), 2);
    assert_eq!(facts.users_by_email.get(&site.users, "bob@contoso.com"), [UserId::from(0), UserId::from(2)]);
    assert_eq!(facts.users_by_email.get(&site.users, "BOB@contoso.com"), [UserId::from(0), UserId::from(2)]);
    assert_eq!(facts.users_by_email.get(&site.users, "Carol@Contoso.com"), [UserId::from(3)]);
    assert_eq!(facts.users_by_email.get(&site.users, "dave@contoso.com"), [] as [UserId; 0]);
}

#[test]
fn email_domains_are_folded_and_numbered_once_across_files() {
    // Each file's domains are found as it is decoded, numbered from 0, and
    // renumbered for the site when the files are merged; an account left
    // out as a duplicate leaves its domain out too, and an email with
    // nothing after its `@` has none.
    let site_files = [
        (
            "a.yaml",
            "user_access:\n  approved_domains:\n    - { domain: b.org, roles: { jira-servicemanagement: agent } }\n\
             users:\n  - { account_id: u0, email: x@Acme.com }\n  - { account_id: u1, email: \"y@a@c.net\" }\n  \
             - { account_id: u2 }\n  - { account_id: u3, email: no-at-sign }\n",
        ),
        (
            "b.json",
            r#"{"users": [{"account_id": "u4", "email": "z@b.org"}, {"account_id": "u0", "email": "dup@dup.io"},
                {"account_id": "u5", "email": "w@acme.COM"}, {"account_id": "u6", "email": "trailing@"}]}"#,
        ),
        (
            "c.yaml",
            "users:\n  - { account_id: u7, email: v@Ünï.example }\n  - { account_id: u8, email: B@B.ORG }\n",
        ),
    ];
    let snapshot = snapshot(&site_files);
    let (site, facts, findings) = snapshot.build();
    assert_eq!(snapshot.describe_all(&findings).len(), 1, "the duplicate u0: {findings:?}");
    let domains: Vec<(&str, Option<&str>)> = (0..site.users.len())
        .map(|i| (site.users[i].account_id.as_str(), facts.email_domains.of(i)))
        .collect();
    assert_eq!(
        domains,
        [
            ("u0", Some("acme.com")),
            ("u1", Some("c.net")),
            ("u2", None),
            ("u3", None),
            ("u4", Some("b.org")),
            ("u5", Some("acme.com")),
            ("u6", None),
            ("u7", Some("ünï.example")),
            ("u8", Some("b.org")),
        ]
    );
    let agents: Vec<&str> = (0..site.users.len())
        .filter(|&i| facts.jsm_role[i].role() == JsmRole::Agent)
        .map(|i| site.users[i].account_id.as_str())
        .collect();
    assert_eq!(agents, ["u4", "u8"]);
}

const PROJECTS: &str = r#"users:
  - { account_id: u0 }
  - { account_id: u1 }
  - { account_id: u2 }
groups:
  - { name: team, members: [u1, u2] }
organizations:
  - { id: "1", name: Contoso, members: [u2, ghost, u0] }
  - { name: Fabrikam, members: [u1] }
  - { name: Unlinked }
permission_schemes:
  - { id: 1, name: S1 }
  - { id: 2, name: S2 }
projects:
  - key: HELP
    type: service_desk
    permission_scheme: 1
    roles:
      Service Desk Team: { users: [u0, u1], groups: [team] }
      Administrators: { users: [u2] }
    service_desk:
      customers: [u1, ghost, u0]
      organizations: [Contoso, "1", Fabrikam]
  - key: DEV
    type: software
    permission_scheme: S1
    roles:
      Developers: { groups: [team] }
  - key: OPS
    type: service_desk
    permission_scheme: S1
    service_desk: { organizations: [Fabrikam] }
"#;

fn direct(user: u32, index: u32) -> CustomerLink {
    CustomerLink { user: UserId::from(user), via: Via::Direct { index } }
}

fn member(user: u32, org: u32, member: u32) -> CustomerLink {
    CustomerLink { user: UserId::from(user), via: Via::Organization { org: OrgId::from(org), member } }
}

#[test]
fn project_customers_are_direct_then_organization_members() {
    let s = yaml(PROJECTS);
    let (site, _, findings) = s.build();
    assert_eq!(s.sorted(&findings).len(), 2, "the two `ghost` references");
    let customers: Vec<Vec<CustomerLink>> =
        site.projects.iter().map(|p| project_customers(&site, p).collect()).collect();
    assert_eq!(
        customers,
        [
            vec![
                direct(1, 0),
                direct(0, 2),
                member(2, 0, 0),
                member(0, 0, 2),
                // Linked twice (by name and by id): each reference counts.
                member(2, 0, 0),
                member(0, 0, 2),
                member(1, 1, 0),
            ],
            vec![],
            vec![member(1, 1, 0)],
        ]
    );
}

#[test]
fn schemes_and_organizations_know_their_projects() {
    let (_, facts, _) = yaml(PROJECTS).build();
    let (help, dev, ops) = (ProjectId::from(0), ProjectId::from(1), ProjectId::from(2));
    assert_eq!(facts.scheme_projects, [vec![help, dev, ops], vec![]]);
    assert_eq!(facts.org_projects, [vec![help], vec![help, ops], vec![]]);
}

#[test]
fn project_roles_are_held_directly_and_through_groups() {
    let (_, facts, _) = yaml(PROJECTS).build();
    let holders = |pairs: &[(&str, &[u32])]| -> BTreeMap<String, Vec<UserId>> {
        pairs
            .iter()
            .map(|(role, users)| (role.to_string(), users.iter().map(|u| UserId::from(*u)).collect()))
            .collect()
    };
    assert_eq!(
        facts.project_role_users,
        [
            holders(&[("Administrators", &[2]), ("Service Desk Team", &[0, 1, 2])]),
            holders(&[("Developers", &[1, 2])]),
            holders(&[]),
        ]
    );
}
