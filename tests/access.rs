//! `sitelint access`: the explanation of a person's access, through the
//! library API (the reasoning in `sitelint::access`, the rendering in
//! `sitelint::report::access`).
//!
//! Golden outputs for the field reports' people, the consistency of every
//! "no" with `sitelint check` over every bundled snapshot, and the errors.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use sitelint::access::{self, AccessError, Action, Answer, Effect, Explanation, Fact, Person, Query};
use sitelint::finding::Finding;
use sitelint::load::{self, Loaded};
use sitelint::model::site::{ProjectType, Site};
use sitelint::model::{self, Facts};
use sitelint::report::access::{headline, human, json};
use sitelint::rules::RuleSet;
use sitelint::source::Location;

/// The width golden outputs are rendered at (the CLI's default).
const WIDTH: usize = 100;

struct Snapshot {
    loaded: Loaded,
    site: Site,
    facts: Facts,
}

fn open(path: &Path) -> Snapshot {
    let loaded = load::load_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let (site, facts, _) = model::build(&loaded.documents);
    Snapshot { loaded, site, facts }
}

fn query(user: &str, project: Option<&str>) -> Query {
    Query { user: user.into(), project: project.map(str::to_string), no_account: false }
}

fn no_account(email: &str, project: &str) -> Query {
    Query { user: email.into(), project: Some(project.into()), no_account: true }
}

impl Snapshot {
    fn explain(&self, query: &Query) -> Result<Explanation, AccessError> {
        access::explain(&self.site, &self.facts, query)
    }

    fn human(&self, query: &Query) -> String {
        human(&self.explain(query).unwrap(), &self.loaded.sources, WIDTH)
    }

    fn json(&self, query: &Query) -> String {
        json(&self.explain(query).unwrap(), &self.loaded.sources)
    }

    /// `file:line:col` of a place, the file relative to the snapshot.
    fn place(&self, at: Location) -> String {
        let file = self.loaded.sources.get(at.file);
        let start = file.line_col(at.span.start());
        format!("{}:{}:{}", file.relative, start.line, start.column)
    }

    /// The blocking facts of an answer as `RULE file:line:col` (`-` for a
    /// setting no rule reports).
    fn blocks(&self, answer: &Answer) -> Vec<String> {
        let blocks = answer.facts.iter().filter(|f| f.effect == Effect::Blocks);
        blocks.map(|f| format!("{} {}", f.rule.unwrap_or("-"), self.place(f.at.unwrap()))).collect()
    }
}

fn answer(explanation: &Explanation, key: &str, action: Action) -> Answer {
    let project = explanation.projects.iter().find(|p| p.key == key).expect("project explained");
    project.answers.iter().find(|a| a.action == action).expect("every action is answered").clone()
}

fn verdicts(explanation: &Explanation, key: &str) -> Vec<(Action, bool)> {
    Action::ALL.iter().map(|&a| (a, answer(explanation, key, a).allowed())).collect()
}

// ---- golden outputs: the field reports ----

/// The seed snapshot, the person its field report is about, their project,
/// and the start of the answer to the report's question.
const SEEDS: [(&str, &str, &str, &str); 5] = [
    (
        "000-agents-cannot-add-customers",
        "jordan.lee@bluefin.io",
        "SUP",
        "jordan.lee@bluefin.io cannot be added to SUP as a customer by an agent,",
    ),
    (
        "001-admin-cannot-invite",
        "ellen.hart@carterco.co.uk",
        "HC",
        "ellen.hart@carterco.co.uk cannot be added to HC as a customer by an agent,",
    ),
    (
        "002-invited-customer-no-access",
        "sara.lind@northpeak.com",
        "CS",
        "sara.lind@northpeak.com cannot be added to CS as a customer by an agent, see it in the portal",
    ),
    (
        "003-restricted-portal-no-access",
        "leila.haddad@gulfline.com",
        "SP",
        "leila.haddad@gulfline.com cannot be added to SP as a customer by an agent, see it in the portal",
    ),
    (
        "004-email-requests-rejected",
        "kim.park@quarry.io",
        "IT",
        "kim.park@quarry.io cannot be added to IT as a customer by an agent, see it in the portal or raise requests:",
    ),
];

fn seed(name: &str) -> Snapshot {
    open(&Path::new("snapshots/seeds").join(name))
}

#[test]
fn field_reports_human_output_answers_first() {
    for (name, user, project, answer) in SEEDS {
        let text = seed(name).human(&query(user, Some(project)));
        let first = text.lines().next().unwrap_or_default();
        assert!(first.starts_with(answer), "{name}: the first line is {first:?}");
        insta::assert_snapshot!(format!("seed_{name}_human"), text);
    }
}

#[test]
fn field_reports_json_output() {
    for (name, user, project, answer) in SEEDS {
        let text = seed(name).json(&query(user, Some(project)));
        let document: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
        let summary = document["projects"][0]["summary"].as_str().unwrap_or_default();
        assert!(summary.starts_with(answer), "{name}: {summary}");
        insta::assert_snapshot!(format!("seed_{name}_json"), text);
    }
}

#[test]
fn field_report_004_duplicate_account_and_new_sender() {
    let snapshot = seed("004-email-requests-rejected");
    // Ravi has a portal-only account and an Atlassian one: email is rejected.
    let ravi = snapshot.human(&query("Ravi.Kumar@Tailwind.dev", Some("IT")));
    assert!(ravi.starts_with("ravi.kumar@tailwind.dev cannot raise requests in IT:\n"), "{ravi}");
    insta::assert_snapshot!("seed_004-email-requests-rejected_duplicate_human", ravi);
    // Someone who never wrote before: sign-up is off, so their email is dropped.
    let new = snapshot.human(&no_account("new.sender@tailwind.dev", "IT"));
    assert!(
        new.starts_with("new.sender@tailwind.dev cannot see IT in the portal or raise requests:\n"),
        "{new}"
    );
    insta::assert_snapshot!("seed_004-email-requests-rejected_new_sender_human", new);
}

/// A seed, and per action the blocks its person's answer must have.
type SeedBlocks = (&'static str, &'static [(Action, &'static [&'static str])]);

#[test]
fn field_reports_name_the_rules_their_readmes_expect() {
    let expected: [SeedBlocks; 5] = [
        (
            "000-agents-cannot-add-customers",
            &[(Action::BeAddedAsCustomer, &["AC001 site.yaml:18:5", "UA006 site.yaml:9:29"])],
        ),
        (
            "001-admin-cannot-invite",
            &[(
                Action::BeAddedAsCustomer,
                &["AC001 site.yaml:33:5", "UA006 site.yaml:9:29", "UA003 site.yaml:15:33"],
            )],
        ),
        (
            "002-invited-customer-no-access",
            &[
                (Action::SeeInPortal, &["CA004 site.yaml:10:13"]),
                (Action::BeAddedAsCustomer, &["CA004 site.yaml:10:13"]),
            ],
        ),
        (
            "003-restricted-portal-no-access",
            &[
                (Action::SeeInPortal, &["CH001 site.yaml:68:23", "PS001 site.yaml:37:5"]),
                (Action::BeAddedAsCustomer, &["PS001 site.yaml:37:5", "PS003 site.yaml:43:9"]),
            ],
        ),
        (
            "004-email-requests-rejected",
            &[(Action::RaiseByEmail, &["AC001 site.yaml:17:5", "PS002 site.yaml:41:5"])],
        ),
    ];
    for ((name, user, project, _), (seed_name, answers)) in SEEDS.iter().zip(expected) {
        assert_eq!(*name, seed_name);
        let snapshot = seed(name);
        let explanation = snapshot.explain(&query(user, Some(project))).unwrap();
        for (action, blocks) in answers {
            let got = snapshot.blocks(&answer(&explanation, project, *action));
            assert_eq!(got, *blocks, "{name} {action:?}");
        }
    }
}

// ---- consistency with the rules, over every snapshot ----

/// Every bundled snapshot: the example, the healthy site, each seed.
fn bundled_snapshots() -> Vec<PathBuf> {
    let mut paths = vec![PathBuf::from("snapshots/example"), PathBuf::from("snapshots/healthy")];
    let mut seeds: Vec<PathBuf> = std::fs::read_dir("snapshots/seeds")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    seeds.sort();
    paths.extend(seeds);
    paths
}

/// What a consistency run saw, for asserting that it checked something.
#[derive(Default)]
struct Coverage {
    answers: usize,
    noes: usize,
    /// Rules named by blocking facts.
    blocking_rules: BTreeSet<&'static str>,
    /// Rules named by notes.
    noted_rules: BTreeSet<&'static str>,
}

/// The contract between `access` and `check`, for every (person, service
/// project) pair of a snapshot (every account, by account id, and someone
/// without an account):
///
/// 1. an answer is "no" exactly when a fact blocks it;
/// 2. every blocking fact has a place in the snapshot; one that names no
///    rule is a setting that explains the "no" by itself;
/// 3. every fact that names a rule (blocking or not) matches a finding of
///    `sitelint check` with that code at that place (its primary location or
///    a related one), so the explainer never cites a rule that is silent.
fn assert_consistent(path: &Path, coverage: &mut Coverage) {
    let rules = RuleSet::builtin().unwrap();
    let checked =
        sitelint::cli::run_check(path, &rules).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(checked.rule_errors.is_empty(), "{}", path.display());
    let snapshot = open(path);
    let keys: Vec<&str> = snapshot
        .site
        .projects
        .iter()
        .filter(|p| p.kind == ProjectType::ServiceDesk)
        .map(|p| p.key.as_str())
        .collect();
    let mut people: Vec<(String, bool)> =
        snapshot.site.users.iter().map(|u| (u.account_id.to_string(), false)).collect();
    people.push(("someone.new@example.org".into(), true));
    for (user, no_account) in &people {
        for key in &keys {
            let query = Query { user: user.clone(), project: Some(key.to_string()), no_account: *no_account };
            let explanation = snapshot.explain(&query).unwrap();
            for answer in &explanation.projects[0].answers {
                let context = format!("{} {user} {key} {:?}", path.display(), answer.action);
                assert_answer_consistent(&snapshot, &checked.findings, answer, &context, coverage);
            }
        }
    }
}

fn assert_answer_consistent(
    snapshot: &Snapshot,
    findings: &[Finding],
    answer: &Answer,
    context: &str,
    coverage: &mut Coverage,
) {
    coverage.answers += 1;
    let blocks: Vec<&Fact> = answer.facts.iter().filter(|f| f.effect == Effect::Blocks).collect();
    assert_eq!(answer.allowed(), blocks.is_empty(), "{context}");
    if !answer.allowed() {
        coverage.noes += 1;
    }
    for fact in &answer.facts {
        if fact.effect == Effect::Blocks {
            assert!(fact.at.is_some(), "{context}: \"{}\" blocks but points nowhere", fact.text);
        }
        let Some(rule) = fact.rule else { continue };
        let at = fact.at.unwrap_or_else(|| panic!("{context}: \"{}\" names {rule} but no place", fact.text));
        let reported = findings
            .iter()
            .any(|f| f.code() == &*rule && (f.primary == at || f.related.iter().any(|r| r.location == at)));
        let places: Vec<String> =
            findings.iter().filter(|f| f.code() == &*rule).map(|f| snapshot.place(f.primary)).collect();
        assert!(
            reported,
            "{context}: \"{}\" names {rule} at {}, but check reports {rule} at {places:?}",
            fact.text,
            snapshot.place(at)
        );
        match fact.effect {
            Effect::Blocks => coverage.blocking_rules.insert(rule),
            _ => coverage.noted_rules.insert(rule),
        };
    }
}

#[test]
fn every_no_in_the_bundled_snapshots_agrees_with_check() {
    let mut coverage = Coverage::default();
    for path in bundled_snapshots() {
        assert_consistent(&path, &mut coverage);
    }
    assert_eq!((coverage.answers, coverage.noes), (340, 193));
    assert_eq!(
        coverage.blocking_rules.into_iter().collect::<Vec<_>>(),
        ["AC001", "AC003", "CA002", "CA004", "CH001", "PS001", "PS002", "PS003", "UA003", "UA006"]
    );
    assert_eq!(coverage.noted_rules.into_iter().collect::<Vec<_>>(), ["CH002", "PS003"]);
}

// ---- consistency and concrete answers on edge cases the bundled snapshots lack ----

/// Accounts that can't be customers or agents for each reason the rules
/// know (deactivated, no site access, managed elsewhere, outside the
/// external domains, a duplicate listed under its other account, an app,
/// an unlicensed member of the Service Desk Team), a scheme without agent
/// grants, one that names nothing, a project without a scheme.
const EDGE_ACCOUNTS: &str = r#"site: { name: edge }
user_access:
  user_invites: { jira-servicemanagement: approved-domains }
customer_access:
  external_domains: [partner.io]
  email_account_creation: agents-only
users:
  - { account_id: a1, email: agent@edge.io, roles: { jira-servicemanagement: agent } }
  - { account_id: a2, email: unlicensed@edge.io, roles: { jira-servicemanagement: customer } }
  - { account_id: a3, email: gone@edge.io, status: inactive, roles: { jira-servicemanagement: customer } }
  - { account_id: a4, email: away@edge.io, site_access: false, roles: { jira-servicemanagement: customer } }
  - { account_id: a5, email: kept@elsewhere.com, managed_by_other_org: true, roles: { jira-servicemanagement: customer } }
  - { account_id: q1, email: pat@outside.com, account_type: customer }
  - { account_id: q2, email: dup@partner.io, account_type: customer }
  - { account_id: a6, email: DUP@partner.io, roles: { jira-servicemanagement: customer } }
  - { account_id: bot, email: bot@edge.io, account_type: app }
groups:
  - { name: team, members: [unlicensed@edge.io] }
organizations:
  - { name: Outsiders, members: [kept@elsewhere.com] }
permission_schemes:
  - id: 1
    name: Thin scheme
    permissions:
      - { permission: BROWSE_PROJECTS, holder: { type: sd.customer.portal.only } }
      - { permission: CREATE_ISSUES, holder: { type: sd.customer.portal.only } }
projects:
  - key: DESK
    type: service_desk
    permission_scheme: Thin scheme
    roles:
      Service Desk Team: { users: [agent@edge.io], groups: [team] }
    service_desk:
      channel_access: restricted
      customers: [gone@edge.io, away@edge.io, kept@elsewhere.com, pat@outside.com, dup@partner.io]
      email_channels: [{ address: desk@edge.io, enabled: false }]
  - key: OPEN
    type: service_desk
    permission_scheme: 99
    service_desk: { channel_access: open }
  - key: BARE
    type: service_desk
"#;

/// No account type may be a customer (CA001), and a scheme grants the
/// Service Desk Customers role directly (PS003).
const EDGE_NO_CUSTOMERS: &str = r#"customer_access: { internal: false, external: false }
users:
  - { account_id: c1, email: cust@b.io, roles: { jira-servicemanagement: customer } }
  - { account_id: q1, email: portal@b.io, account_type: customer }
permission_schemes:
  - id: 1
    name: Roles scheme
    permissions:
      - { permission: BROWSE_PROJECTS, holder: { type: sd.customer.portal.only } }
      - { permission: CREATE_ISSUES, holder: { type: sd.customer.portal.only } }
      - { permission: ADD_COMMENTS, holder: { type: projectRole, parameter: Service Desk Customers } }
projects:
  - key: HELP
    type: service_desk
    permission_scheme: Roles scheme
    service_desk:
      customers: [portal@b.io]
      email_channels: [{ address: help@b.io }]
"#;

/// Anyone may sign up and write in.
const EDGE_OPEN_DOOR: &str = r#"customer_access: { signup: allow, email_account_creation: anyone }
projects:
  - key: ASK
    type: service_desk
    service_desk:
      email_channels: [{ address: ask@c.io }]
"#;

/// A snapshot written to a temporary folder, so that `run_check` reads it
/// the way the CLI does.
fn temporary(text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("site.yaml"), text).unwrap();
    let path = dir.path().to_path_buf();
    (dir, path)
}

#[test]
fn every_no_in_the_edge_cases_agrees_with_check() {
    let mut coverage = Coverage::default();
    for text in [EDGE_ACCOUNTS, EDGE_NO_CUSTOMERS, EDGE_OPEN_DOOR] {
        let (_dir, path) = temporary(text);
        assert_consistent(&path, &mut coverage);
    }
    assert_eq!((coverage.answers, coverage.noes), (170, 130));
    assert_eq!(
        coverage.blocking_rules.into_iter().collect::<Vec<_>>(),
        ["AC002", "AC003", "AC004", "AC005", "CA001", "CA004", "PS003", "PS004"]
    );
    assert_eq!(coverage.noted_rules.into_iter().collect::<Vec<_>>(), ["AC003", "SL005"]);
}

/// `(action, blocks)` for every action of one person in one project.
fn explain_blocks(snapshot: &Snapshot, query: &Query) -> Vec<(Action, Vec<String>)> {
    let explanation = snapshot.explain(query).unwrap();
    let key = query.project.as_deref().unwrap();
    Action::ALL.iter().map(|&a| (a, snapshot.blocks(&answer(&explanation, key, a)))).collect()
}

fn cited(blocks: &[&str]) -> Vec<String> {
    blocks.iter().map(|b| b.to_string()).collect()
}

fn blocks_of(snapshot: &Snapshot, user: &str, key: &str, action: Action) -> Vec<String> {
    let explanation = snapshot.explain(&query(user, Some(key))).unwrap();
    snapshot.blocks(&answer(&explanation, key, action))
}

#[test]
fn accounts_that_cannot_be_customers_cite_their_rules() {
    let (_dir, path) = temporary(EDGE_ACCOUNTS);
    let snapshot = open(&path);
    let added = Action::BeAddedAsCustomer;
    assert_eq!(blocks_of(&snapshot, "gone@edge.io", "DESK", added), ["AC002 site.yaml:10:52"]);
    assert_eq!(blocks_of(&snapshot, "away@edge.io", "DESK", added), ["AC002 site.yaml:11:57"]);
    assert_eq!(blocks_of(&snapshot, "kept@elsewhere.com", "DESK", added), ["AC004 site.yaml:35:47"]);
    assert!(blocks_of(&snapshot, "kept@elsewhere.com", "DESK", Action::SeeInPortal).is_empty());
    assert_eq!(
        blocks_of(&snapshot, "pat@outside.com", "DESK", Action::SeeInPortal),
        ["CA004 site.yaml:5:21"]
    );
    assert_eq!(blocks_of(&snapshot, "bot@edge.io", "OPEN", Action::SeeInPortal), ["- site.yaml:16:58"]);
}

#[test]
fn an_unlicensed_member_of_the_team_cannot_work_as_an_agent() {
    let (_dir, path) = temporary(EDGE_ACCOUNTS);
    let snapshot = open(&path);
    let explanation = snapshot.explain(&query("unlicensed@edge.io", Some("DESK"))).unwrap();
    assert!(explanation.projects[0].meant_as_agent);
    let work = answer(&explanation, "DESK", Action::WorkAsAgent);
    assert_eq!(snapshot.blocks(&work), ["AC005 site.yaml:9:5", "PS004 site.yaml:24:5"]);
    let team = &work.facts[0];
    assert_eq!(team.text, "unlicensed@edge.io is in DESK's Service Desk Team role through group team");
    assert_eq!(snapshot.place(team.at.unwrap()), "site.yaml:32:61");
    let summary = headline(&explanation.person, &explanation.projects[0]);
    assert!(summary.starts_with(
        "unlicensed@edge.io cannot see DESK in the portal, raise requests or work as an agent:"
    ));
}

#[test]
fn a_duplicate_listed_under_its_portal_only_account_is_not_a_customer_when_logged_in() {
    let (_dir, path) = temporary(EDGE_ACCOUNTS);
    let snapshot = open(&path);
    let explanation = snapshot.explain(&query("a6", Some("DESK"))).unwrap();
    let see = answer(&explanation, "DESK", Action::SeeInPortal);
    assert_eq!(snapshot.blocks(&see), ["- site.yaml:34:23"]);
    let note = see.facts.iter().find(|f| f.rule == Some("AC003")).expect("the duplicate is named");
    assert_eq!(
        note.text,
        "DESK lists their other account q2 (same email) instead of the one they log in with"
    );
    assert_eq!(snapshot.place(note.at.unwrap()), "site.yaml:14:5");
    let email = snapshot.blocks(&answer(&explanation, "DESK", Action::RaiseByEmail));
    assert_eq!(email, ["- site.yaml:36:58", "AC003 site.yaml:14:5", "- site.yaml:34:23"]);
}

#[test]
fn schemes_that_cannot_be_checked_are_notes() {
    let (_dir, path) = temporary(EDGE_ACCOUNTS);
    let snapshot = open(&path);
    let see_in = |key: &str| {
        let explanation = snapshot.explain(&query("agent@edge.io", Some(key))).unwrap();
        let see = answer(&explanation, key, Action::SeeInPortal);
        see.facts.last().map(|f| (f.effect, f.text.clone(), f.rule)).unwrap()
    };
    assert_eq!(
        see_in("OPEN"),
        (
            Effect::Note,
            "OPEN's permission scheme 99 is not in the snapshot, so its grants are not checked".into(),
            Some("SL005")
        )
    );
    assert_eq!(
        see_in("BARE"),
        (Effect::Note, "BARE names no permission scheme, so its grants are not checked".into(), None)
    );
}

#[test]
fn when_no_account_type_may_be_a_customer_nobody_gets_in() {
    let (_dir, path) = temporary(EDGE_NO_CUSTOMERS);
    let snapshot = open(&path);
    let see = Action::SeeInPortal;
    // Internal customers off withholds only a domain's role: the Customer
    // role set on the account still counts, and only the scheme blocks.
    assert_eq!(blocks_of(&snapshot, "cust@b.io", "HELP", see), ["PS003 site.yaml:11:9"]);
    assert_eq!(blocks_of(&snapshot, "portal@b.io", "HELP", see), ["CA004 site.yaml:1:47"]);
    assert_eq!(
        explain_blocks(&snapshot, &no_account("new@b.io", "HELP")),
        [
            (Action::BeAddedAsCustomer, cited(&["CA001 site.yaml:1:47", "PS003 site.yaml:11:9"])),
            (Action::SeeInPortal, cited(&["CA001 site.yaml:1:47", "PS003 site.yaml:11:9"])),
            (Action::RaiseInPortal, cited(&["CA001 site.yaml:1:47", "PS003 site.yaml:11:9"])),
            (Action::RaiseByEmail, cited(&["CA001 site.yaml:1:47", "PS003 site.yaml:11:9"])),
            (Action::WorkAsAgent, cited(&["- site.yaml:13:5"])),
        ]
    );
}

/// Internal customers off: an approved domain's Customer role does not
/// count, one set on the account or given by a group does.
const EDGE_INTERNAL_OFF: &str = r#"customer_access: { internal: false }
user_access:
  approved_domains:
    - { domain: acme.com, roles: { jira-servicemanagement: customer } }
users:
  - { account_id: a-carl, email: carl@other.com, roles: { jira-servicemanagement: customer } }
  - { account_id: a-dee, email: dee@other.com }
  - { account_id: a-ann, email: ann@acme.com }
  - { account_id: a-bo, email: bo@acme.com }
groups:
  - { name: customers, members: [dee@other.com], roles: { jira-servicemanagement: customer } }
projects:
  - key: HELP
    type: service_desk
    service_desk:
      customers: [carl@other.com, dee@other.com, ann@acme.com]
      email_channels: [{ address: help@other.com }]
"#;

#[test]
fn with_internal_customers_off_only_a_domain_given_role_does_not_count() {
    let (_dir, path) = temporary(EDGE_INTERNAL_OFF);
    assert_consistent(&path, &mut Coverage::default());
    let snapshot = open(&path);
    let customer = |allowed: bool| {
        Action::ALL.map(|a| (a, if a == Action::WorkAsAgent { false } else { allowed })).to_vec()
    };
    for user in ["carl@other.com", "dee@other.com"] {
        assert_eq!(verdicts(&snapshot.explain(&query(user, Some("HELP"))).unwrap(), "HELP"), customer(true));
    }
    assert_eq!(
        verdicts(&snapshot.explain(&query("ann@acme.com", Some("HELP"))).unwrap(), "HELP"),
        customer(false)
    );
    // The account lacks a role (AC001 at the account), and `internal` is why
    // the domain's does not count (AC001's related place for a listed
    // customer; no rule for one nobody lists).
    for action in [Action::BeAddedAsCustomer, Action::SeeInPortal] {
        assert_eq!(
            blocks_of(&snapshot, "ann@acme.com", "HELP", action),
            ["AC001 site.yaml:8:5", "AC001 site.yaml:1:30"]
        );
    }
    assert_eq!(
        blocks_of(&snapshot, "bo@acme.com", "HELP", Action::BeAddedAsCustomer),
        ["- site.yaml:9:5", "- site.yaml:1:30"]
    );
    let explanation = snapshot.explain(&query("ann@acme.com", Some("HELP"))).unwrap();
    let see = answer(&explanation, "HELP", Action::SeeInPortal);
    let withheld = see.facts.iter().find(|f| snapshot.place(f.at.unwrap()) == "site.yaml:1:30").unwrap();
    assert_eq!(
        withheld.text,
        "ann@acme.com's email domain acme.com is approved with the Customer role, which does not count because internal customers are off"
    );
}

// ---- someone without an account ----

#[test]
fn without_an_account_email_depends_on_sign_up() {
    // Sign-up is off (CA002): the first email is dropped.
    let quarry = seed("004-email-requests-rejected");
    let explanation = quarry.explain(&no_account("new.sender@tailwind.dev", "IT")).unwrap();
    assert_eq!(explanation.person, Person::NoAccount { email: "new.sender@tailwind.dev".into() });
    let email = answer(&explanation, "IT", Action::RaiseByEmail);
    assert_eq!(quarry.blocks(&email), ["CA002 site.yaml:8:11", "PS002 site.yaml:41:5"]);
    let copy = email.facts.iter().find(|f| f.effect == Effect::Note).unwrap();
    assert_eq!(copy.text, "only an agent can create their account by copying them on a request email");
    assert_eq!(copy.at, None, "email_account_creation is not written: Atlassian's default applies");
    // Sign-up on and anyone may create accounts: the first email gets one.
    let (_dir, path) = temporary(EDGE_OPEN_DOOR);
    let open_door = open(&path);
    let explanation = open_door.explain(&no_account("someone@anywhere.net", "ASK")).unwrap();
    assert_eq!(
        verdicts(&explanation, "ASK"),
        [
            (Action::BeAddedAsCustomer, true),
            (Action::SeeInPortal, true),
            (Action::RaiseInPortal, true),
            (Action::RaiseByEmail, true),
            (Action::WorkAsAgent, false),
        ]
    );
    let email = answer(&explanation, "ASK", Action::RaiseByEmail);
    let texts: Vec<&str> = email.facts.iter().map(|f| f.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "ASK takes requests by email at ask@c.io",
            "someone@anywhere.net has no account yet, and JSM creates one from their first email, as customers may create their own",
            "an agent or a customer can create their account by copying them on a request email",
            "customer access allows portal-only accounts",
            "ASK is open: anyone with an account may raise requests",
            "ASK names no permission scheme, so its grants are not checked",
        ]
    );
    assert_eq!(open_door.place(email.facts[1].at.unwrap()), "site.yaml:1:28");
    let summary = headline(&explanation.person, &explanation.projects[0]);
    assert_eq!(
        summary,
        "someone@anywhere.net can be added to ASK as a customer by an agent, see it in the portal and raise requests."
    );
}

#[test]
fn no_account_needs_an_email_nobody_has() {
    let example = open(Path::new("snapshots/example"));
    let has = example.explain(&no_account("Alice.Ng@acme.com", "HELP")).unwrap_err();
    assert_eq!(
        has,
        AccessError::HasAccount {
            query: "Alice.Ng@acme.com".into(),
            account: "712020:3f8e2a41-6c0d-4b7e-9a15-2d4c8b1e7f03".into()
        }
    );
    let not_email = example.explain(&no_account("carol", "HELP")).unwrap_err();
    assert_eq!(not_email.to_string(), "--no-account needs the person's email address, not carol");
}

// ---- who and where ----

#[test]
fn an_unknown_user_is_an_error_with_did_you_mean() {
    let bluefin = seed("000-agents-cannot-add-customers");
    let error = bluefin.explain(&query("jordan.lee@bluefin.co", Some("SUP"))).unwrap_err();
    assert_eq!(
        error,
        AccessError::UnknownUser {
            query: "jordan.lee@bluefin.co".into(),
            suggestion: Some("jordan.lee@bluefin.io".into())
        }
    );
    assert_eq!(
        error.to_string(),
        "no account has the email or account id jordan.lee@bluefin.co (did you mean jordan.lee@bluefin.io?)"
    );
    let code = miette::Diagnostic::code(&error).map(|c| c.to_string());
    assert_eq!(code.as_deref(), Some("sitelint::access::unknown_user"));
    let nobody = open(Path::new("snapshots/example")).explain(&query("bob@contoso.com", None)).unwrap_err();
    assert_eq!(nobody, AccessError::UnknownUser { query: "bob@contoso.com".into(), suggestion: None });
}

#[test]
fn an_unknown_project_is_an_error_with_did_you_mean() {
    let example = open(Path::new("snapshots/example"));
    let error = example.explain(&query("alice.ng@acme.com", Some("HLEP"))).unwrap_err();
    let keys = vec!["HELP".to_string(), "HR".into()];
    assert_eq!(
        error,
        AccessError::UnknownProject {
            key: "HLEP".into(),
            suggestion: Some("HELP".into()),
            service_projects: keys.clone()
        }
    );
    assert_eq!(error.to_string(), "no project has the key HLEP (did you mean HELP?)");
    let software = example.explain(&query("alice.ng@acme.com", Some("DEV"))).unwrap_err();
    assert_eq!(
        software,
        AccessError::NotServiceProject { key: "DEV".into(), kind: "software", service_projects: keys }
    );
    // Project keys are upper case in Jira: `help` is HELP.
    let explanation = example.explain(&query("alice.ng@acme.com", Some("help"))).unwrap();
    assert_eq!(explanation.projects[0].key, "HELP");
}

#[test]
fn a_project_asked_for_by_its_name_suggests_its_key() {
    let example = open(Path::new("snapshots/example"));
    let error = example.explain(&query("alice.ng@acme.com", Some("acme help center"))).unwrap_err();
    assert_eq!(error.to_string(), "no project has the key acme help center (did you mean HELP?)");
    // A software project's name gets no suggestion: its key would be refused.
    let software = example.explain(&query("alice.ng@acme.com", Some("Platform Engineering"))).unwrap_err();
    assert!(matches!(software, AccessError::UnknownProject { suggestion: None, .. }), "{software:?}");
}

#[test]
fn an_email_of_two_accounts_of_one_kind_is_an_error_naming_them() {
    let (_dir, path) = temporary(
        r#"users:
  - { account_id: "712020:one", email: pat@zeta.com }
  - { account_id: "712020:two", email: Pat@zeta.com, roles: { jira-servicemanagement: agent } }
  - { account_id: "qm:pat", email: pat@zeta.com, account_type: customer }
projects:
  - { key: SD, type: service_desk }
"#,
    );
    let snapshot = open(&path);
    let error = snapshot.explain(&query("PAT@zeta.com", None)).unwrap_err();
    assert_eq!(
        error,
        AccessError::AmbiguousUser {
            query: "PAT@zeta.com".into(),
            accounts: vec!["712020:one".into(), "712020:two".into()]
        }
    );
    assert_eq!(
        error.to_string(),
        "PAT@zeta.com is the email of 2 accounts of the same kind: 712020:one, 712020:two"
    );
    // An account id names one of them.
    let two = snapshot.explain(&query("712020:two", None)).unwrap();
    let Person::Account { account, same_email } = &two.person else { panic!("an account") };
    assert_eq!(account.account_id, "712020:two");
    assert_eq!(same_email.len(), 2);
}

#[test]
fn a_headline_gives_each_blocking_rule_once() {
    // The scheme lacks two grants: PS001 and PS002 block at one place, and
    // PS002 blocks three of the answers.
    let (_dir, path) = temporary(
        r#"users:
  - { account_id: "qm:c1", email: cust@ext.com, account_type: customer }
permission_schemes:
  - id: 1
    name: Empty
    permissions:
      - { permission: ADMINISTER_PROJECTS, holder: { type: projectRole, parameter: Administrators } }
projects:
  - key: P
    type: service_desk
    permission_scheme: 1
    service_desk: { email_channels: [{ address: p@z.atlassian.net }] }
"#,
    );
    let snapshot = open(&path);
    let explanation = snapshot.explain(&query("cust@ext.com", None)).unwrap();
    let summary = headline(&explanation.person, &explanation.projects[0]);
    let rules: Vec<&str> =
        ["(PS001)", "(PS002)"].into_iter().filter(|r| summary.matches(r).count() == 1).collect();
    assert_eq!(rules, ["(PS001)", "(PS002)"], "{summary}");
}

#[test]
fn control_characters_of_the_snapshot_are_shown_as_escapes() {
    let (_dir, path) = temporary(
        "users: [{ account_id: u1, email: a@x.com }]\nprojects: [{ key: SD, name: \"Desk\\e]0;x\\a\", type: service_desk }]\n",
    );
    let text = open(&path).human(&query("a@x.com", None));
    assert!(text.contains("SD (Desk\\u001b]0;x\\u0007)"), "{text}");
    assert!(!text.contains(|c: char| c.is_control() && c != '\n'), "{text:?}");
    // Escaped before they are wrapped: the reasons stay within the width.
    let (_dir, path) = temporary(
        "users: [{ account_id: u1, email: \"a\\e\\e\\e\\e\\e\\e\\e\\e\\e\\e@x.com\" }]\nprojects: [{ key: SD, type: service_desk }]\n",
    );
    let text = open(&path).human(&query("u1", None));
    let reasons = text.lines().skip(1).take_while(|l| l.starts_with("  ✗") || l.starts_with("    "));
    for line in reasons {
        assert!(line.chars().count() <= WIDTH, "{line}");
    }
}

#[test]
fn a_site_without_service_projects_has_nothing_to_explain() {
    let (_dir, path) =
        temporary("users: [{ account_id: u1, email: u@x.io }]\nprojects: [{ key: WEB, type: software }]\n");
    let error = open(&path).explain(&query("u@x.io", None)).unwrap_err();
    assert_eq!(error, AccessError::NoServiceProject);
}

#[test]
fn a_person_is_found_by_account_id_or_by_email_in_any_case() {
    let quarry = seed("004-email-requests-rejected");
    // By email, the person is the Atlassian account they log in with; the
    // portal-only account with the same email is their duplicate.
    let by_email = quarry.explain(&query("RAVI.KUMAR@tailwind.dev", None)).unwrap();
    let Person::Account { account, same_email } = &by_email.person else { panic!("an account") };
    assert_eq!(account.account_id, "712020:b3c4d5e6-f7a8-4c9d-8d0e-2f3a4b5c6d7e");
    assert_eq!(quarry.place(account.at), "site.yaml:27:5");
    assert_eq!(
        same_email.iter().map(|a| a.account_id.as_str()).collect::<Vec<_>>(),
        ["qm:5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b:6f7a8b9c-0d1e-4f2a-9b3c-4d5e6f7a8b9c"]
    );
    // By account id, the person is that account.
    let portal_only = "qm:5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b:6f7a8b9c-0d1e-4f2a-9b3c-4d5e6f7a8b9c";
    let by_id = quarry.explain(&query(portal_only, None)).unwrap();
    let Person::Account { account, .. } = &by_id.person else { panic!("an account") };
    assert_eq!(account.account_id, portal_only);
}

#[test]
fn without_a_project_every_service_project_is_explained_by_key() {
    let example = open(Path::new("snapshots/example"));
    let all = example.explain(&query("bob.martins@acme.com", None)).unwrap();
    assert_eq!(all.projects.iter().map(|p| p.key.as_str()).collect::<Vec<_>>(), ["HELP", "HR"]);
    for project in &all.projects {
        let one = example.explain(&query("bob.martins@acme.com", Some(&project.key))).unwrap();
        assert_eq!(one.projects, std::slice::from_ref(project));
    }
    // An agent reaches HR's portal through the team, though HR's scheme
    // keeps customers out (PS001).
    assert_eq!(
        verdicts(&all, "HR"),
        [
            (Action::BeAddedAsCustomer, false),
            (Action::SeeInPortal, true),
            (Action::RaiseInPortal, true),
            (Action::RaiseByEmail, false),
            (Action::WorkAsAgent, true),
        ]
    );
    let text = example.human(&query("bob.martins@acme.com", None));
    insta::assert_snapshot!("example_bob_all_projects_human", text);
}
