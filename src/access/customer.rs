//! The customer side of a service project: seeing it in the portal,
//! raising requests there or by email, and being added as a customer.
//!
//! JSM checks, in this order: that the person has an account that may be
//! a customer (or may get one), that the project's channel access lets
//! them in (open, or listed as a customer), and that the project's scheme
//! gives portal access (`sd.customer.portal.only`) the permission.

use crate::model::facts::Via;
use crate::model::site::*;
use crate::source::Location;

use super::account::{role_given, usable};
use super::agent::AgentPath;
use super::setting::{PortalOnlyLimit, SchemeOf, Settings, customers_role_grants, portal_grant};
use super::subject::Subject;
use super::{Fact, label};

/// A permission portal access needs, and the rule that reports it missing.
struct PortalPermission {
    key: &'static str,
    rule: &'static str,
    /// What nobody can do without it.
    consequence: &'static str,
}

const BROWSE: PortalPermission = PortalPermission {
    key: "BROWSE_PROJECTS",
    rule: "PS001",
    consequence: "no customer can see the project",
};
const CREATE: PortalPermission = PortalPermission {
    key: "CREATE_ISSUES",
    rule: "PS002",
    consequence: "no customer can raise requests, in the portal or by email",
};

/// How a person without an account would get one.
#[derive(Clone, Copy)]
enum Route {
    Portal,
    Email,
}

pub(super) struct Customer<'a, 's> {
    s: &'a Settings<'s>,
    subject: &'a Subject<'s>,
    project: ProjectId,
    agent: &'a AgentPath,
}

impl<'a, 's> Customer<'a, 's> {
    pub fn new(
        s: &'a Settings<'s>,
        subject: &'a Subject<'s>,
        project: ProjectId,
        agent: &'a AgentPath,
    ) -> Self {
        Customer { s, subject, project, agent }
    }

    pub fn see_in_portal(&self) -> Vec<Fact> {
        self.as_agent().unwrap_or_else(|| self.in_portal(&[BROWSE]))
    }

    pub fn raise_in_portal(&self) -> Vec<Fact> {
        self.as_agent().unwrap_or_else(|| self.in_portal(&[BROWSE, CREATE]))
    }

    pub fn raise_by_email(&self) -> Vec<Fact> {
        let mut facts = vec![self.email_channel()];
        if let Some(agent) = self.as_agent() {
            facts.extend(agent);
            return facts;
        }
        facts.extend(self.duplicate_accounts());
        facts.extend(self.login(Route::Email));
        facts.extend(self.channel_access());
        facts.extend(self.portal_grants(&[CREATE]));
        facts
    }

    /// Whether an agent adding the person to the project's customers
    /// succeeds (the field reports' "You don't have permission to invite
    /// customers to this service project").
    pub fn be_added(&self) -> Vec<Fact> {
        let mut facts = match self.subject.account {
            Some((id, user)) => self.addable_account(id, user),
            None => {
                let text = format!(
                    "{} has no account: an agent adding their email creates a portal-only account for them",
                    self.subject.label
                );
                vec![Fact::allows(text, None), self.portal_only_allowed(None, Some(&self.subject.label))]
            }
        };
        facts.extend(self.accepts_customers());
        facts
    }

    /// Agents reach the portal and the email channel through their role,
    /// whatever the customer settings say.
    fn as_agent(&self) -> Option<Vec<Fact>> {
        if !self.agent.works() {
            return None;
        }
        let text = format!(
            "{} works as an agent of {} (see below), and agents use the portal and email with their agent permissions",
            self.subject.label,
            self.key()
        );
        Some(vec![Fact::allows(text, self.agent.team_at)])
    }

    fn in_portal(&self, permissions: &[PortalPermission]) -> Vec<Fact> {
        let mut facts = self.login(Route::Portal);
        facts.extend(self.channel_access());
        facts.extend(self.portal_grants(permissions));
        facts
    }

    fn key(&self) -> &'s str {
        &self.s.project(self.project).key
    }

    // ---- the account ----

    /// Whether the person can log in as a customer, or, without an
    /// account, create one.
    fn login(&self, route: Route) -> Vec<Fact> {
        let Some((id, user)) = self.subject.account else { return self.sign_up(route) };
        let mut facts = usable(user, self.listed_rule(id, "AC002"));
        match user.account_type {
            AccountType::Customer => facts.push(self.portal_only_allowed(Some(id), user.email.as_deref())),
            AccountType::Atlassian => facts.extend(self.internal_customer(id, user)),
            AccountType::App => {}
        }
        facts
    }

    /// An Atlassian account is a customer when it holds a JSM role (AC001).
    /// `customer_access.internal` only decides whether an approved
    /// domain's Customer role counts, which the effective role already says.
    fn internal_customer(&self, id: UserId, user: &User) -> Vec<Fact> {
        let mut facts = Vec::new();
        let who = label(user);
        let (role, how, at) = role_given(self.s, id, user);
        if role > JsmRole::None {
            facts.push(Fact::allows(
                format!("{who} has the Jira Service Management role {}, {how}", role.as_str()),
                at,
            ));
            return facts;
        }
        let text = format!(
            "{who}'s Atlassian account has no Jira Service Management role, which customers with Atlassian accounts need"
        );
        facts.push(Fact::blocks(text, user.origin.location(), self.listed_rule(id, "AC001")));
        facts.extend(self.domain_without_role(user));
        facts.extend(self.domain_role_withheld(id, user));
        facts
    }

    /// With internal customers off, an approved domain's Customer role does
    /// not count. AC001 points at `internal` for a listed customer, and
    /// CA001 does when no account type is allowed.
    fn domain_role_withheld(&self, id: UserId, user: &User) -> Option<Fact> {
        let domain = self.s.approved_domain(user.email.as_deref()?)?;
        let internal = self.s.access_at("internal").filter(|_| self.s.withholds_domain_role(domain))?;
        let text = format!(
            "{}'s email domain {} is approved with the Customer role, which does not count because internal customers are off",
            label(user),
            domain.domain.as_deref().unwrap_or_default()
        );
        let rule = self.listed_rule(id, "AC001").or_else(|| self.s.ca001_fires().then_some("CA001"));
        Some(Fact::blocks(text, internal, rule))
    }

    /// UA003: an approved domain that gives its users no JSM role.
    fn domain_without_role(&self, user: &User) -> Option<Fact> {
        let domain = self.s.approved_domain(user.email.as_deref()?)?;
        if !self.s.ua003_fires(domain) {
            return None;
        }
        let text = format!(
            "{}'s email domain {} is approved without a Jira Service Management role, so its users don't become customers",
            label(user),
            domain.domain.as_deref().unwrap_or_default()
        );
        Some(Fact::blocks(text, domain.origin.value_location("roles.jira-servicemanagement"), Some("UA003")))
    }

    /// Whether a portal-only account with this email may exist (CA004 for a
    /// listed customer; CA001 when no account type is allowed at all).
    fn portal_only_allowed(&self, user: Option<UserId>, email: Option<&str>) -> Fact {
        let email_domain = email.and_then(|e| e.rsplit_once('@')).map_or("their email's domain", |(_, d)| d);
        let Some((field, at)) = self.s.portal_only_forbidden(email) else {
            let limited = matches!(self.s.access().external_domains, ExternalDomains::List(_));
            return match self.s.access_at("external_domains").filter(|_| limited) {
                Some(at) => Fact::allows(
                    format!("customer access allows portal-only accounts from {email_domain}"),
                    Some(at),
                ),
                None => {
                    Fact::allows("customer access allows portal-only accounts", self.s.access_at("external"))
                }
            };
        };
        let rule = match user {
            Some(id) if self.s.listed_anywhere(id) => Some("CA004"),
            _ if field == PortalOnlyLimit::External && self.s.ca001_fires() => Some("CA001"),
            _ => None,
        };
        let text = match (field, user) {
            (PortalOnlyLimit::External, Some(_)) => format!(
                "{} has a portal-only account, and customer access allows none (external customers are off)",
                self.subject.label
            ),
            (PortalOnlyLimit::External, None) => format!(
                "customer access allows no portal-only accounts (external customers are off), which is what {} would get",
                self.subject.label
            ),
            (PortalOnlyLimit::Domains, _) => format!(
                "portal-only accounts are limited to the domains {}, and {email_domain} is not one of them",
                self.s.external_domains()
            ),
        };
        Fact::blocks(text, at, rule)
    }

    /// Someone without an account gets one by signing up at the portal or,
    /// as a new sender, from the email handler: both need sign-up allowed.
    fn sign_up(&self, route: Route) -> Vec<Fact> {
        let who = &self.subject.label;
        let access = self.s.access();
        let mut facts = Vec::new();
        match (access.signup, self.s.site.customer_access.as_ref()) {
            (Signup::Deny, Some(written)) => {
                // CA002 reports sign-up being off for what it does to email.
                let rule = matches!(route, Route::Email).then_some("CA002").filter(|_| self.s.ca002_fires());
                let text =
                    format!("{who} has no account, and customers can't create their own (sign-up is off)");
                facts.push(Fact::blocks(text, written.origin.value_location("signup"), rule));
            }
            _ => {
                let text = match route {
                    Route::Portal => {
                        format!(
                            "{who} has no account yet, and customers may create their own by signing up at the portal"
                        )
                    }
                    Route::Email => format!(
                        "{who} has no account yet, and JSM creates one from their first email, as customers may create their own"
                    ),
                };
                facts.push(Fact::allows(text, self.s.access_at("signup")));
            }
        }
        if let Route::Email = route {
            facts.push(self.account_from_copy());
        }
        facts.push(self.portal_only_allowed(None, Some(who)));
        facts.extend(self.signup_disabled_by_scheme());
        facts
    }

    /// Who else can create the account: people copied on a request email
    /// get one from an agent always, from a customer only when
    /// `email_account_creation: anyone`, sign-up is on and the project open.
    fn account_from_copy(&self) -> Fact {
        let access = self.s.access();
        let open = self
            .s
            .project(self.project)
            .service_desk
            .as_ref()
            .is_none_or(|d| d.channel_access == ChannelAccess::Open);
        let customers_can = access.email_account_creation == EmailAccountCreation::Anyone
            && access.signup == Signup::Allow
            && open;
        let who = if customers_can { "an agent or a customer" } else { "only an agent" };
        let text = format!("{who} can create their account by copying them on a request email");
        Fact::note(text, self.s.access_at("email_account_creation"), None)
    }

    /// PS003: a grant to the Service Desk Customers role turns public
    /// sign-up off.
    fn signup_disabled_by_scheme(&self) -> Option<Fact> {
        let (scheme, grant) = self.customers_role_grant()?;
        let text = format!(
            "permission scheme \"{}\" grants {} to the Service Desk Customers role, which turns public sign-up off for {}",
            scheme.name,
            grant.permission,
            self.key()
        );
        Some(Fact::blocks(text, grant.origin.location(), Some("PS003")))
    }

    /// AC003: email from an address with two accounts is matched to the
    /// wrong one and rejected.
    fn duplicate_accounts(&self) -> Option<Fact> {
        let accounts: Vec<&User> = self.subject.accounts().map(|(_, u)| u).collect();
        let portal_only = accounts.iter().find(|u| u.account_type == AccountType::Customer)?;
        accounts.iter().find(|u| u.account_type == AccountType::Atlassian)?;
        let text = format!(
            "{} has both a portal-only and an Atlassian account, so JSM matches their email to the wrong one and rejects it",
            self.subject.label
        );
        Some(Fact::blocks(text, portal_only.origin.location(), Some("AC003")))
    }

    /// Becoming a customer changes the account's product access, which
    /// only works for an active account this site's admins manage.
    fn addable_account(&self, id: UserId, user: &User) -> Vec<Fact> {
        let mut facts = usable(user, self.listed_rule(id, "AC002"));
        facts.extend(self.managed_elsewhere(id, user));
        match user.account_type {
            AccountType::Customer => facts.push(self.portal_only_allowed(Some(id), user.email.as_deref())),
            AccountType::Atlassian => facts.extend(self.invite(id, user)),
            AccountType::App => {}
        }
        let listed = self.s.listings(self.project, id);
        facts.extend(listed.first().map(|(_, at)| {
            Fact::note(
                format!("{} is already listed as a customer of {}", label(user), self.key()),
                Some(*at),
                None,
            )
        }));
        facts
    }

    /// AC004: another organization manages the account.
    fn managed_elsewhere(&self, id: UserId, user: &User) -> Option<Fact> {
        if !user.managed_by_other_org {
            return None;
        }
        let text = format!(
            "{}'s account is managed by another organization, whose admins alone can change it",
            label(user)
        );
        // AC004 reports each reference that lists the user: prefer this project's.
        let here = self.s.listings(self.project, id).first().map(|(_, at)| *at);
        let listed = here.or_else(|| self.s.customer_references(id).first().copied());
        Some(match listed {
            Some(at) => Fact::blocks(text, at, Some("AC004")),
            None => Fact::blocks(text, user.origin.value_location("managed_by_other_org"), None),
        })
    }

    /// Adding an Atlassian account without a JSM role gives it the
    /// Customer role, an invite only admins may make (AC001, UA006).
    fn invite(&self, id: UserId, user: &User) -> Vec<Fact> {
        let mut facts = Vec::new();
        let who = label(user);
        let (role, how, at) = role_given(self.s, id, user);
        if role > JsmRole::None {
            let text = format!("{who} already has the Jira Service Management role {}, {how}", role.as_str());
            facts.push(Fact::allows(text, at));
            return facts;
        }
        let text = format!(
            "{who}'s Atlassian account has no Jira Service Management role, and agents and project admins can't give one: they get \"You don't have permission to invite customers to this service project\""
        );
        facts.push(Fact::blocks(text, user.origin.location(), self.listed_rule(id, "AC001")));
        facts.extend(self.invites_admins_only());
        facts.extend(self.domain_without_role(user));
        facts.extend(self.domain_role_withheld(id, user));
        facts
    }

    fn invites_admins_only(&self) -> Option<Fact> {
        let invites = self.s.jsm_invites().filter(|i| self.s.ua006_fires(i))?;
        let mode = if invites.mode == InviteMode::AdminsOnly { "admins-only" } else { "admin-approval" };
        let text = format!(
            "Jira Service Management user invites are {mode}, so only admins can give an account the Customer role"
        );
        Some(Fact::blocks(text, invites.origin.location(), Some("UA006")))
    }

    /// The project side of adding customers: JSM refuses customers a
    /// project's scheme can't let in (PS001) and those of a scheme that
    /// grants the customers role directly (PS003).
    fn accepts_customers(&self) -> Vec<Fact> {
        let scheme = match scheme_or_note(self.s, self.project) {
            Ok(scheme) => scheme,
            Err(note) => return vec![note],
        };
        let mut facts = Vec::new();
        if portal_grant(scheme, BROWSE.key).is_none() {
            let text = format!(
                "permission scheme \"{}\" does not grant BROWSE_PROJECTS to Service Project Customer - Portal Access, so agents adding customers get \"Successfully added 0 customers\"",
                scheme.name
            );
            facts.push(Fact::blocks(
                text,
                scheme.origin.field_key_location("permissions"),
                Some(BROWSE.rule),
            ));
        }
        if let Some((scheme, grant)) = self.customers_role_grant() {
            let text = format!(
                "permission scheme \"{}\" grants {} to the Service Desk Customers role, so administrators can't add customers",
                scheme.name, grant.permission
            );
            facts.push(Fact::blocks(text, grant.origin.location(), Some("PS003")));
        }
        if facts.is_empty() {
            let text =
                format!("permission scheme \"{}\" lets customers in through portal access", scheme.name);
            facts.push(Fact::allows(text, Some(scheme.origin.field_key_location("permissions"))));
        }
        facts
    }

    // ---- the project ----

    /// Open projects take anyone with an account; restricted ones only
    /// their listed customers (directly or through a linked organization).
    fn channel_access(&self) -> Vec<Fact> {
        let desk = self.s.project(self.project).service_desk.as_ref();
        let listed = self.subject.account.map_or_else(Vec::new, |(id, _)| self.s.listings(self.project, id));
        let mut facts: Vec<Fact> = listed.iter().map(|&(via, at)| self.listing(via, at)).collect();
        let restricted = desk.filter(|d| d.channel_access == ChannelAccess::Restricted);
        match (restricted, listed.is_empty()) {
            (Some(desk), false) => {
                let text = format!("{} is restricted to the customers added to it", self.key());
                facts.insert(0, Fact::note(text, Some(desk.origin.value_location("channel_access")), None));
            }
            (Some(desk), true) => facts.extend(self.not_listed(desk)),
            // Someone without an account meets PS003 at sign-up instead.
            (None, _) => {
                facts.insert(0, self.open(desk, self.subject.account.is_some() && listed.is_empty()))
            }
        }
        facts
    }

    fn listing(&self, via: Via, at: Location) -> Fact {
        let who = &self.subject.label;
        let text = match via {
            Via::Direct { .. } => format!("{who} is listed as a customer of {}", self.key()),
            Via::Organization { org, .. } => {
                let name = self.s.site.organizations.get(org.index()).map_or("", |o| o.name.as_str());
                format!("{who} is a member of organization {name}, which is linked to {}", self.key())
            }
        };
        Fact::allows(text, Some(at))
    }

    /// An open project, unless a grant to the Service Desk Customers role
    /// makes JSM treat it as restricted (PS003).
    fn open(&self, desk: Option<&ServiceDesk>, unlisted_account: bool) -> Fact {
        let at = desk
            .filter(|d| d.origin.states("channel_access"))
            .map(|d| d.origin.value_location("channel_access"));
        match self.customers_role_grant().filter(|_| unlisted_account) {
            Some((scheme, grant)) => {
                let text = format!(
                    "{key} is open, but permission scheme \"{}\" grants {} to the Service Desk Customers role, which makes JSM restrict {key} to its listed customers, and {} is not one",
                    scheme.name,
                    grant.permission,
                    self.subject.label,
                    key = self.key()
                );
                Fact::blocks(text, grant.origin.location(), Some("PS003"))
            }
            None => {
                Fact::allows(format!("{} is open: anyone with an account may raise requests", self.key()), at)
            }
        }
    }

    fn not_listed(&self, desk: &ServiceDesk) -> Vec<Fact> {
        let (who, key) = (&self.subject.label, self.key());
        let text = match self.subject.account {
            Some(_) => format!("{key} is restricted to the customers added to it, and {who} is not one"),
            None => {
                format!("{key} is restricted to the customers added to it, and {who} has no account to add")
            }
        };
        let rule = self.s.ch001_fires(self.project).then_some("CH001");
        let mut facts = vec![Fact::blocks(text, desk.origin.value_location("channel_access"), rule)];
        facts.extend(self.unlinked_organizations());
        facts.extend(self.listed_elsewhere());
        facts
    }

    /// Organizations the person is in that the project does not link: a
    /// common near miss (CH002 when linked to no service project at all).
    fn unlinked_organizations(&self) -> Vec<Fact> {
        let Some((id, _)) = self.subject.account else { return Vec::new() };
        let linked = |org: usize| {
            self.s.facts.org_projects.get(org).is_some_and(|projects| projects.contains(&self.project))
        };
        let site = self.s.site;
        let member = |o: &Organization| o.members.iter().any(|m| m.target == Some(id));
        let unlinked = site.organizations.iter().enumerate().filter(|(i, o)| member(o) && !linked(*i));
        unlinked
            .map(|(index, org)| {
                let rule = self.s.ch002_fires(OrgId::from(index as u32)).then_some("CH002");
                let text = format!(
                    "{} is a member of organization {name}, but {name} is not linked to {}",
                    self.subject.label,
                    self.key(),
                    name = org.name
                );
                Fact::note(text, Some(org.origin.location()), rule)
            })
            .collect()
    }

    /// The person's other account (same email) may be the listed one; they
    /// log in with the Atlassian account (AC003).
    fn listed_elsewhere(&self) -> Vec<Fact> {
        let Some((_, user)) = self.subject.account else { return Vec::new() };
        let listed =
            self.subject.same_email.iter().filter(|(id, _)| !self.s.listings(self.project, *id).is_empty());
        listed
            .map(|(_, other)| {
                let duplicate = user.account_type == AccountType::Atlassian
                    && other.account_type == AccountType::Customer;
                let text = format!(
                    "{} lists their other account {} (same email) instead of the one they log in with",
                    self.key(),
                    other.account_id
                );
                Fact::note(text, Some(other.origin.location()), duplicate.then_some("AC003"))
            })
            .collect()
    }

    fn email_channel(&self) -> Fact {
        let project = self.s.project(self.project);
        let channels = project.service_desk.as_ref().map_or(&[][..], |d| d.email_channels.as_slice());
        let address = |c: &EmailChannel| c.address.clone().unwrap_or_else(|| "(no address)".into());
        if let Some(channel) = channels.iter().find(|c| c.enabled) {
            let text = format!("{} takes requests by email at {}", project.key, address(channel));
            return Fact::allows(text, Some(channel.origin.location()));
        }
        match channels.first() {
            Some(channel) => Fact::blocks(
                format!("{}'s email channel {} is disabled", project.key, address(channel)),
                channel.origin.value_location("enabled"),
                None,
            ),
            None => {
                let at = project
                    .service_desk
                    .as_ref()
                    .map_or(project.origin.location(), |d| d.origin.key_location());
                Fact::blocks(format!("{} has no email channel", project.key), at, None)
            }
        }
    }

    /// The portal grants in the project's scheme (PS001, PS002).
    fn portal_grants(&self, permissions: &[PortalPermission]) -> Vec<Fact> {
        let scheme = match scheme_or_note(self.s, self.project) {
            Ok(scheme) => scheme,
            Err(note) => return vec![note],
        };
        permissions.iter().flat_map(|permission| self.portal_grant(scheme, permission)).collect()
    }

    fn portal_grant(&self, scheme: &PermissionScheme, permission: &PortalPermission) -> Vec<Fact> {
        if let Some(grant) = portal_grant(scheme, permission.key) {
            let text = format!(
                "permission scheme \"{}\" grants {} to Service Project Customer - Portal Access",
                scheme.name, permission.key
            );
            return vec![Fact::allows(text, Some(grant.origin.location()))];
        }
        let text = format!(
            "permission scheme \"{}\" does not grant {} to Service Project Customer - Portal Access, so {}",
            scheme.name, permission.key, permission.consequence
        );
        let missing =
            Fact::blocks(text, scheme.origin.field_key_location("permissions"), Some(permission.rule));
        let misplaced = customers_role_grants(scheme, Some(permission.key)).map(|grant| {
            let text = format!(
                "it grants {} to the Service Desk Customers role instead, which gives Jira access, not portal access",
                permission.key
            );
            Fact::note(text, Some(grant.origin.location()), Some("PS003"))
        });
        std::iter::once(missing).chain(misplaced).collect()
    }

    fn customers_role_grant(&self) -> Option<(&'s PermissionScheme, &'s Grant)> {
        let SchemeOf::Scheme(scheme) = self.s.scheme(self.project) else { return None };
        customers_role_grants(scheme, None).next().map(|grant| (scheme, grant))
    }

    /// A rule about a listed customer names the user only where they are listed.
    fn listed_rule(&self, id: UserId, rule: &'static str) -> Option<&'static str> {
        self.s.listed_anywhere(id).then_some(rule)
    }
}

/// The project's scheme, or the note saying why its grants are not checked.
pub(super) fn scheme_or_note<'s>(s: &Settings<'s>, project: ProjectId) -> Result<&'s PermissionScheme, Fact> {
    let key = &s.project(project).key;
    match s.scheme(project) {
        SchemeOf::Scheme(scheme) => Ok(scheme),
        SchemeOf::Unstated => Err(Fact::note(
            format!("{key} names no permission scheme, so its grants are not checked"),
            Some(s.project(project).origin.location()),
            None,
        )),
        SchemeOf::Unresolved(r) => Err(Fact::note(
            format!(
                "{key}'s permission scheme {} is not in the snapshot, so its grants are not checked",
                r.text
            ),
            Some(r.at),
            Some("SL005"),
        )),
    }
}
