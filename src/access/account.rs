//! Facts about an account itself: whether it can log in, and where its
//! Jira Service Management role comes from.

use crate::model::facts::RoleSource;
use crate::model::site::{AccountType, JsmRole, Status, User, UserId};
use crate::source::Location;

use super::setting::Settings;
use super::{Fact, label};

/// Whether the account can log in at all. A deactivated or closed account,
/// or an Atlassian account without access to the site, cannot; `rule` is
/// the rule that reports it for this use of the account (AC002 for a
/// listed customer), if any.
pub(super) fn usable(user: &User, rule: Option<&'static str>) -> Vec<Fact> {
    let who = label(user);
    let mut facts = Vec::new();
    if user.account_type == AccountType::App {
        let at = user.origin.value_location("account_type");
        facts.push(Fact::blocks(format!("{who} is an app account, not a person's"), at, None));
    }
    if user.status != Status::Active {
        let status = if user.status == Status::Closed { "closed" } else { "deactivated" };
        let at = user.origin.value_location("status");
        facts.push(Fact::blocks(format!("{who}'s account is {status}"), at, rule));
    }
    if user.account_type == AccountType::Atlassian && !user.site_access {
        let at = user.origin.value_location("site_access");
        facts.push(Fact::blocks(format!("{who}'s Atlassian account has no access to the site"), at, rule));
    }
    if facts.is_empty() {
        let kind = match user.account_type {
            AccountType::Customer => "an active portal-only account",
            _ => "an active Atlassian account with access to the site",
        };
        facts.push(Fact::allows(format!("{who} has {kind}"), Some(user.origin.location())));
    }
    facts
}

/// The user's effective JSM role and what gives it (the first source of
/// the highest role), with where that is set.
pub(super) fn role_given(s: &Settings, id: UserId, user: &User) -> (JsmRole, String, Option<Location>) {
    let Some(role) = s.role(id) else { return (JsmRole::None, String::new(), None) };
    let highest = role.role();
    let Some(source) = role.sources.iter().find(|source| source.role() == highest) else {
        return (highest, String::new(), None);
    };
    let how = match *source {
        RoleSource::Direct(_) => "set on their account".to_string(),
        RoleSource::Group(group, _) => {
            let name = s.site.groups.get(group.index()).map_or("", |g| g.name.as_str());
            format!("through group {name}")
        }
        RoleSource::Domain(index, _) => {
            let domains = s.site.user_access.as_ref().map_or(&[][..], |ua| ua.approved_domains.as_slice());
            let domain = domains.get(index as usize).and_then(|d| d.domain.as_deref()).unwrap_or("");
            format!("through approved domain {domain}")
        }
    };
    (highest, how, s.role_source_at(user, source))
}
