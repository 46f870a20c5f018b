//! Resolving references (SNAPSHOT-FORMAT.md, "References"): targets and
//! SL005.

mod model_support;

use model_support::yaml;
use sitelint::model::site::*;

const RESOLVED: &str = r#"users:
  - { account_id: "712:alice", email: Alice@Acme.com }
  - { account_id: "qm:bob", email: bob@contoso.com, account_type: customer }
  - { account_id: "712:bob", email: Bob@Contoso.com }
  - { account_id: "qm:carol", email: carol@fabrikam.com, account_type: customer }
groups:
  - { name: jsm-agents, members: [alice@acme.com, BOB@contoso.com] }
organizations:
  - { id: "5", name: Contoso, members: [bob@contoso.com, "712:bob"] }
project_roles:
  - { id: 10101, name: Service Desk Team }
  - { id: 10200, name: Developers }
permission_schemes:
  - id: 10000
    name: JSM default scheme
    permissions:
      - { permission: BROWSE_PROJECTS, holder: { type: projectRole, parameter: "10200" } }
      - { permission: BROWSE_PROJECTS, holder: { type: projectRole, parameter: Service Desk Customers } }
      - { permission: BROWSE_PROJECTS, holder: { type: projectRole, parameter: Approvers } }
      - { permission: BROWSE_PROJECTS, holder: { type: projectRole, parameter: Developers } }
      - { permission: BROWSE_PROJECTS, holder: { type: group, parameter: jsm-agents } }
      - { permission: BROWSE_PROJECTS, holder: { type: user, parameter: bob@contoso.com } }
      - { permission: BROWSE_PROJECTS, holder: { type: applicationRole, parameter: jira-servicemanagement } }
      - { permission: BROWSE_PROJECTS, holder: { type: sd.customer.portal.only } }
  - { id: 10001, name: Software scheme }
projects:
  - key: HELP
    type: service_desk
    permission_scheme: 10000
    lead: carol@fabrikam.com
    roles:
      Approvers: { users: [BOB@CONTOSO.COM, "qm:bob"] }
    service_desk:
      customers: [BOB@CONTOSO.COM, "712:alice"]
      organizations: [Contoso, "5"]
  - key: DEV
    type: software
    permission_scheme: "Software scheme"
    lead: ALICE@acme.com
"#;

fn targets<T: Copy>(refs: &[Ref<T>]) -> Vec<Option<T>> {
    refs.iter().map(|r| r.target).collect()
}

#[test]
fn every_reference_resolves_by_its_identifiers() {
    let s = yaml(RESOLVED);
    let (site, _, findings) = s.build();
    assert_eq!(s.sorted(&findings), Vec::<String>::new());
    let (alice, portal_bob, bob, carol) =
        (UserId::from(0), UserId::from(1), UserId::from(2), UserId::from(3));
    // Group members are not a customer list: a shared email means the Atlassian account.
    assert_eq!(targets(&site.groups[0].members), [Some(alice), Some(bob)]);
    // Organization members are: the portal-only account; an account id is exact.
    assert_eq!(targets(&site.organizations[0].members), [Some(portal_bob), Some(bob)]);
    let help = &site.projects[0];
    assert_eq!(help.permission_scheme.as_ref().unwrap().target, Some(SchemeId::from(0)));
    // An email that only a portal-only account has names it anywhere.
    assert_eq!(help.lead.as_ref().unwrap().target, Some(carol));
    assert_eq!(targets(&help.roles[0].users), [Some(bob), Some(portal_bob)]);
    let desk = help.service_desk.as_ref().unwrap();
    assert_eq!(targets(&desk.customers), [Some(portal_bob), Some(alice)]);
    assert_eq!(targets(&desk.organizations), [Some(OrgId::from(0)), Some(OrgId::from(0))]);
    let dev = &site.projects[1];
    assert_eq!(dev.permission_scheme.as_ref().unwrap().target, Some(SchemeId::from(1)));
    assert_eq!(dev.lead.as_ref().unwrap().target, Some(alice));
}

#[test]
fn holder_parameters_resolve_by_type() {
    let (site, _, _) = yaml(RESOLVED).build();
    let holders: Vec<&HolderTarget> =
        site.permission_schemes[0].permissions.iter().map(|g| &g.holder.target).collect();
    assert_eq!(
        holders,
        [
            // A numeric parameter is a role id, mapped to the role's name.
            &HolderTarget::Role("Developers".into()),
            // Built-in role names exist without being declared.
            &HolderTarget::Role("Service Desk Customers".into()),
            // So do role names used in a project's `roles`.
            &HolderTarget::Role("Approvers".into()),
            &HolderTarget::Role("Developers".into()),
            &HolderTarget::Group(GroupId::from(0)),
            &HolderTarget::User(UserId::from(2)),
            &HolderTarget::None,
            &HolderTarget::None,
        ]
    );
}

#[test]
fn a_reference_that_names_nothing_is_sl005_with_did_you_mean() {
    let s = yaml(
        r#"users:
  - { account_id: "712:alice", email: alice@acme.com, groups: [jsm-agent] }
groups:
  - { name: jsm-agents, members: [alice@acme.co, nobody-at-all] }
project_roles:
  - { id: 10101, name: Service Desk Team }
permission_schemes:
  - id: 1
    name: S
    permissions:
      - { permission: X, holder: { type: projectRole, parameter: "10102" } }
      - { permission: X, holder: { type: projectRole, parameter: Service Desk Tem } }
      - { permission: X, holder: { type: group, parameter: admins } }
      - { permission: X, holder: { type: user, parameter: bob@acme.com } }
projects:
  - { key: HELP, type: service_desk, permission_scheme: JSM scheme, service_desk: { organizations: [Contoso] } }
organizations:
  - { name: Contosso }
"#,
    );
    let (site, _, findings) = s.build();
    assert_eq!(
        s.sorted(&findings),
        [
            "SL005 s.yaml:2:64 unknown group `jsm-agent` | help: did you mean `jsm-agents`?",
            "SL005 s.yaml:4:35 unknown user `alice@acme.co` | help: did you mean `alice@acme.com`?",
            "SL005 s.yaml:4:50 unknown user `nobody-at-all`",
            "SL005 s.yaml:11:66 unknown project role `10102` | help: did you mean `10101`?",
            "SL005 s.yaml:12:66 unknown project role `Service Desk Tem` | help: did you mean `Service Desk Team`?",
            "SL005 s.yaml:13:60 unknown group `admins`",
            "SL005 s.yaml:14:59 unknown user `bob@acme.com`",
            "SL005 s.yaml:16:57 unknown permission scheme `JSM scheme`",
            "SL005 s.yaml:16:101 unknown organization `Contoso` | help: did you mean `Contosso`?",
        ]
    );
    assert!(findings.iter().all(|f| f.name() == "unresolved-reference"));
    assert!(
        site.permission_schemes[0].permissions.iter().all(|g| g.holder.target == HolderTarget::Unresolved)
    );
    assert_eq!(site.users[0].groups()[0].target, None);
    assert_eq!(site.projects[0].permission_scheme.as_ref().unwrap().target, None);
}

#[test]
fn a_role_id_must_be_declared_even_when_a_role_has_that_name() {
    let s = yaml(
        "projects:\n  - key: HELP\n    type: software\n    roles:\n      \"10300\": { users: [] }\n\
         permission_schemes:\n  - id: 1\n    name: S\n    permissions:\n      \
         - { permission: X, holder: { type: projectRole, parameter: \"10300\" } }\n",
    );
    assert_eq!(s.findings(), ["SL005 s.yaml:10:66 unknown project role `10300`"]);
}

#[test]
fn decode_findings_come_before_resolution_findings() {
    let s = yaml("groups:\n  - { name: g, members: [ghost] }\nusers:\n  - { account_id: u1, nme: x }\n");
    let codes: Vec<String> = s.build().2.iter().map(|f| f.code().to_string()).collect();
    assert_eq!(codes, ["SL002", "SL005"]);
}
