//! Why a person can or cannot reach a service project: `sitelint access`.
//!
//! For one person (an account, or an email nobody has an account for) and
//! each service project, [`explain`] answers the things the person may try
//! (be added as a customer by an agent, see the project in the portal,
//! raise requests there or by email, work as an agent) with the chain of
//! facts that decides each answer. Every fact points at the setting it
//! comes from and names the rule that reports the problem, when a rule
//! does: the explanation and `sitelint check` tell the same story.
//!
//! The answer is derived from the facts: it is "no" exactly when a fact
//! blocks, and a blocking fact always has a place in the snapshot, so every
//! "no" can be traced to a line to change.

mod account;
mod agent;
mod customer;
mod setting;
mod subject;

use crate::model::Facts;
use crate::model::site::{AccountType, ProjectId, Site, User};
use crate::source::Location;

use setting::Settings;
pub use subject::AccessError;
use subject::Subject;

/// What to explain: `--user` (an email or an account id), `--project`
/// (a service project key; every service project when absent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub user: String,
    pub project: Option<String>,
    /// Explain for someone with no account on the site (`--no-account`):
    /// `user` is then the email they would use.
    pub no_account: bool,
}

/// The explanation for one person.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    pub person: Person,
    /// One entry per service project asked about, by key.
    pub projects: Vec<ProjectAccess>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Person {
    /// The accounts `--user` named: the one the person uses, and any other
    /// account with the same email (AC003's duplicates).
    Account { account: Account, same_email: Vec<Account> },
    /// Nobody has an account with this email.
    NoAccount { email: String },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    pub account_id: String,
    pub email: Option<String>,
    pub account_type: AccountType,
    pub at: Location,
}

/// Everything the person may try in one service project.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectAccess {
    pub key: String,
    pub name: Option<String>,
    pub at: Location,
    /// Whether the person is meant to be an agent here: in the project's
    /// Service Desk Team role, or holding the JSM agent role. Whether they
    /// can work as one is news only then.
    pub meant_as_agent: bool,
    /// One answer per [`Action`], in [`Action::ALL`] order.
    pub answers: Vec<Answer>,
}

/// Something a person may try in a service project, in the order a
/// customer meets them: an agent adds them, they see the project in the
/// portal, they raise requests there or by email.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    BeAddedAsCustomer,
    SeeInPortal,
    RaiseInPortal,
    RaiseByEmail,
    WorkAsAgent,
}

impl Action {
    pub const ALL: [Action; 5] = [
        Action::BeAddedAsCustomer,
        Action::SeeInPortal,
        Action::RaiseInPortal,
        Action::RaiseByEmail,
        Action::WorkAsAgent,
    ];

    /// A stable identifier, for JSON.
    pub fn id(self) -> &'static str {
        match self {
            Action::SeeInPortal => "see_in_portal",
            Action::RaiseInPortal => "raise_in_portal",
            Action::RaiseByEmail => "raise_by_email",
            Action::BeAddedAsCustomer => "be_added_as_customer",
            Action::WorkAsAgent => "work_as_agent",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub action: Action,
    /// The chain that decides the answer, in the order JSM checks it.
    pub facts: Vec<Fact>,
}

impl Answer {
    /// Yes, unless a fact blocks.
    pub fn allowed(&self) -> bool {
        !self.facts.iter().any(|f| f.effect == Effect::Blocks)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// A condition that holds.
    Allows,
    /// A condition that fails: the answer is no.
    Blocks,
    /// Context that does not decide the answer.
    Note,
}

impl Effect {
    pub fn id(self) -> &'static str {
        match self {
            Effect::Allows => "allows",
            Effect::Blocks => "blocks",
            Effect::Note => "note",
        }
    }
}

/// One link of a chain: what holds, where it is set, which rule reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct Fact {
    pub effect: Effect,
    pub text: String,
    /// The setting; `None` only for defaults nobody wrote down (a blocking
    /// fact always has one).
    pub at: Option<Location>,
    /// The code of the rule that reports this problem, at `at`.
    pub rule: Option<&'static str>,
}

impl Fact {
    fn allows(text: impl Into<String>, at: Option<Location>) -> Fact {
        Fact { effect: Effect::Allows, text: text.into(), at, rule: None }
    }

    fn blocks(text: impl Into<String>, at: Location, rule: Option<&'static str>) -> Fact {
        Fact { effect: Effect::Blocks, text: text.into(), at: Some(at), rule }
    }

    fn note(text: impl Into<String>, at: Option<Location>, rule: Option<&'static str>) -> Fact {
        Fact { effect: Effect::Note, text: text.into(), at, rule }
    }
}

/// Explains what the person `query` names can do in the service projects
/// it names. Errors when the person or the project does not exist.
pub fn explain(site: &Site, facts: &Facts, query: &Query) -> Result<Explanation, AccessError> {
    let projects = subject::service_projects(site, query.project.as_deref())?;
    let subject = Subject::find(site, facts, &query.user, query.no_account)?;
    let settings = Settings::new(site, facts);
    let projects = projects.into_iter().map(|id| project_access(&settings, &subject, id)).collect();
    Ok(Explanation { person: subject.person(), projects })
}

fn project_access(settings: &Settings, subject: &Subject, id: ProjectId) -> ProjectAccess {
    let project = settings.project(id);
    let agent = agent::work_as_agent(settings, subject, id);
    let customer = customer::Customer::new(settings, subject, id, &agent);
    let answers = Action::ALL
        .iter()
        .map(|&action| {
            let facts = match action {
                Action::SeeInPortal => customer.see_in_portal(),
                Action::RaiseInPortal => customer.raise_in_portal(),
                Action::RaiseByEmail => customer.raise_by_email(),
                Action::BeAddedAsCustomer => customer.be_added(),
                Action::WorkAsAgent => agent.facts.clone(),
            };
            Answer { action, facts }
        })
        .collect();
    ProjectAccess {
        key: project.key.clone(),
        name: project.name.clone(),
        at: project.origin.location(),
        meant_as_agent: agent.meant,
        answers,
    }
}

/// How a user is named in explanations: their email, else their account id.
fn label(user: &User) -> &str {
    user.email.as_deref().unwrap_or(&user.account_id)
}
