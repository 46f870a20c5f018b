//! Working as an agent of a service project: the Service Desk Team role
//! (directly or through a group), the JSM agent role, and the permissions
//! the project's scheme gives that role.

use crate::model::site::{AccountType, JsmRole, ProjectId, User, UserId};
use crate::source::Location;

use super::account::{role_given, usable};
use super::customer::scheme_or_note;
use super::setting::Settings;
use super::subject::Subject;
use super::{Effect, Fact, label};

/// The answer to "can they work as an agent here", which the portal and
/// email answers reuse: agents reach a project through their role.
pub(super) struct AgentPath {
    pub facts: Vec<Fact>,
    /// In the project's Service Desk Team role, or holding the JSM agent role.
    pub meant: bool,
    /// Where they are put in the Service Desk Team role.
    pub team_at: Option<Location>,
}

impl AgentPath {
    pub fn works(&self) -> bool {
        !self.facts.iter().any(|f| f.effect == Effect::Blocks)
    }
}

pub(super) fn work_as_agent(s: &Settings, subject: &Subject, project: ProjectId) -> AgentPath {
    let key = &s.project(project).key;
    let Some((id, user)) = subject.account else {
        let text =
            format!("{} has no account, so they are not in {key}'s Service Desk Team role", subject.label);
        let facts = vec![Fact::blocks(text, s.team_at(project), None)];
        return AgentPath { facts, meant: false, team_at: None };
    };
    let team = s.team_references(project, id);
    let mut facts = team_facts(s, user, project, &team);
    if user.account_type == AccountType::Customer {
        let text = format!("{} has a portal-only account, and agents need an Atlassian account", label(user));
        facts.push(Fact::blocks(text, user.origin.value_location("account_type"), None));
    }
    facts.extend(usable(user, None));
    facts.push(agent_role(s, id, user, !team.is_empty()));
    facts.push(team_permissions(s, project));
    AgentPath {
        facts,
        meant: !team.is_empty() || s.effective_role(id) == JsmRole::Agent,
        team_at: team.first().map(|(_, at)| *at),
    }
}

fn team_facts(s: &Settings, user: &User, project: ProjectId, team: &[(Option<&str>, Location)]) -> Vec<Fact> {
    let (who, key) = (label(user), &s.project(project).key);
    if team.is_empty() {
        let text = format!("{who} is not in {key}'s Service Desk Team role, directly or through a group");
        return vec![Fact::blocks(text, s.team_at(project), None)];
    }
    team.iter()
        .map(|(group, at)| {
            let through = group.map_or_else(String::new, |g| format!(" through group {g}"));
            Fact::allows(format!("{who} is in {key}'s Service Desk Team role{through}"), Some(*at))
        })
        .collect()
}

/// The JSM agent role: a project role alone gives no agent license (AC005).
fn agent_role(s: &Settings, id: UserId, user: &User, in_team: bool) -> Fact {
    let who = label(user);
    let (role, how, at) = role_given(s, id, user);
    if role == JsmRole::Agent {
        return Fact::allows(format!("{who} has the Jira Service Management agent role, {how}"), at);
    }
    let rule = s.ac005_fires(id).then_some("AC005");
    let in_team = if in_team { ", and the Service Desk Team role alone gives no agent license" } else { "" };
    let text = format!("{who}'s Jira Service Management role is {}, not agent{in_team}", role.as_str());
    Fact::blocks(text, user.origin.location(), rule)
}

/// What the scheme gives the Service Desk Team role (PS004).
fn team_permissions(s: &Settings, project: ProjectId) -> Fact {
    let scheme = match scheme_or_note(s, project) {
        Ok(scheme) => scheme,
        Err(note) => return note,
    };
    let at = scheme.origin.field_key_location("permissions");
    let missing = s.team_lacks(scheme);
    if missing.is_empty() {
        let text = format!(
            "permission scheme \"{}\" gives the Service Desk Team role the agent permissions",
            scheme.name
        );
        return Fact::allows(text, Some(at));
    }
    let text = format!(
        "permission scheme \"{}\" does not grant {} to the Service Desk Team role",
        scheme.name,
        missing.join(", ")
    );
    Fact::blocks(text, at, Some("PS004"))
}
