//! The model as rule expressions see it: every collection a rule can
//! iterate over, as CEL values, and the table of places those values stand
//! for.
//!
//! Each entity is a CEL map of its fields (effective values, defaults
//! applied) plus derived facts computed in Rust, so rules stay short. Every
//! value that stands for a place in the snapshot carries `_loc`, an index
//! into [`View::anchors`]; `key_of(..)`/`value_of(..)` in a rule's `at` turn it into
//! a location. `_stated` lists the fields the snapshot actually writes.
//!
//! Values are built once per check and shared (CEL maps are `Arc`s), so
//! nesting a user inside a reference costs a pointer copy.

use std::collections::HashMap;
use std::sync::Arc;

use cel::Value;
use cel::objects::{Key, Map};

use crate::model::facts::{CustomerLink, Facts, RoleSource, Via};
use crate::model::permissions;
use crate::model::site::*;
use crate::source::Location;

/// A place a CEL value stands for: an entity (with its fields' spans) or a
/// reference (just where it is written).
#[derive(Debug, Clone, Copy)]
pub enum Anchor<'s> {
    Entity(&'s Origin),
    Reference(Location),
}

/// Collection names a rule's `for_each` may name, with what each item is.
pub const COLLECTIONS: &[(&str, &str)] = &[
    ("site", "the site itself (exactly one item)"),
    ("user_access", "the `user_access` section, when written"),
    ("customer_access", "the `customer_access` section, when written"),
    ("user_invites", "each app entry of `user_access.user_invites`"),
    ("approved_domains", "each entry of `user_access.approved_domains`"),
    ("users", "each user"),
    ("groups", "each group"),
    ("project_roles", "each entry of `project_roles`"),
    ("permission_schemes", "each permission scheme"),
    ("grants", "each grant of each permission scheme"),
    ("projects", "each project"),
    ("service_projects", "each project of type service_desk"),
    ("email_channels", "each email channel of each service project"),
    ("role_actors", "each user or group reference in a project's `roles`"),
    ("organizations", "each organization"),
    ("organization_members", "each `members` reference of each organization"),
    ("customer_refs", "each reference that makes a user a listed customer of a service project"),
];

/// Every field name the view's values have, for checking rule expressions
/// when they are loaded (a test keeps it equal to what [`View::build`]
/// produces). Keys of `roles` and `user_invites` maps are data (app keys,
/// role names), not fields.
pub const FIELDS: &[&str] = &[
    "account_id",
    "account_type",
    "active",
    "address",
    "admin_approval",
    "admin_roles",
    "anonymous_access",
    "app",
    "approved_domains",
    "channel_access",
    "customer_access",
    "customers",
    "description",
    "domain",
    "email",
    "email_account_creation",
    "email_channels",
    "email_domain",
    "enabled",
    "external",
    "external_domains",
    "external_domains_restricted",
    "group",
    "groups",
    "has_service_project",
    "holder",
    "holders",
    "id",
    "internal",
    "invite_links",
    "is_service_project",
    "jsm_role",
    "jsm_role_sources",
    "key",
    "kind",
    "lead",
    "linked_to_service_project",
    "managed_by_other_org",
    "members",
    "mode",
    "name",
    "organization",
    "organizations",
    "parameter",
    "permission",
    "permission_known",
    "permission_scheme",
    "permission_suggestion",
    "permissions",
    "project",
    "projects",
    "role",
    "role_refs",
    "roles",
    "same_email",
    "scheme",
    "service_desk",
    "service_projects",
    "signup",
    "site_access",
    "status",
    "text",
    "type",
    "url",
    "used",
    "used_by_service_project",
    "user",
    "user_access",
    "user_invites",
    "users",
    "via",
];

/// Maps whose keys are data: `x.roles.confluence` selects an app's role.
pub const DATA_MAPS: &[&str] = &["roles", "user_invites"];

pub struct View<'s> {
    pub anchors: Vec<Anchor<'s>>,
    collections: HashMap<&'static str, Vec<Value>>,
    /// The `site` variable every expression sees.
    pub site: Value,
}

impl<'s> View<'s> {
    pub fn collection(&self, name: &str) -> &[Value] {
        self.collections.get(name).map_or(&[], Vec::as_slice)
    }

    pub fn anchor(&self, id: i64) -> Option<Anchor<'s>> {
        usize::try_from(id).ok().and_then(|i| self.anchors.get(i)).copied()
    }

    pub fn build(site: &'s Site, facts: &Facts) -> View<'s> {
        Builder { site, facts, anchors: Vec::new(), paths: HashMap::new() }.build()
    }
}

struct Builder<'s, 'f> {
    site: &'s Site,
    facts: &'f Facts,
    anchors: Vec<Anchor<'s>>,
    /// Interned field paths, so `_stated` lists share their strings.
    paths: HashMap<&'s str, Value>,
}

/// A CEL map under construction.
struct Obj(HashMap<Key, Value>);

impl Obj {
    fn new() -> Obj {
        Obj(HashMap::new())
    }

    fn set(mut self, key: &str, value: impl Into<Value>) -> Obj {
        self.0.insert(Key::from(key), value.into());
        self
    }

    fn build(self) -> Value {
        Value::Map(Map { map: Arc::new(self.0) })
    }
}

fn list(values: impl IntoIterator<Item = Value>) -> Value {
    Value::List(Arc::new(values.into_iter().collect()))
}

fn strings<'a>(values: impl IntoIterator<Item = &'a String>) -> Value {
    list(values.into_iter().map(|s| Value::from(s.as_str())))
}

fn string_map<'a>(entries: impl IntoIterator<Item = (&'a String, &'a str)>) -> Value {
    let map: HashMap<Key, Value> =
        entries.into_iter().map(|(k, v)| (Key::from(k.as_str()), Value::from(v))).collect();
    Value::Map(Map { map: Arc::new(map) })
}

impl<'s> Builder<'s, '_> {
    fn build(mut self) -> View<'s> {
        let site = self.site;
        let users = self.users();
        let groups: Vec<Value> =
            site.groups.iter().enumerate().map(|(i, g)| self.group(i, g, &users)).collect();
        let orgs_base: Vec<Value> = site.organizations.iter().map(|o| self.organization_base(o)).collect();
        let schemes_base: Vec<Value> = site.permission_schemes.iter().map(|s| self.scheme_base(s)).collect();
        let projects: Vec<Value> = site
            .projects
            .iter()
            .enumerate()
            .map(|(i, p)| self.project(i, p, &users, &groups, &orgs_base, &schemes_base))
            .collect();

        let mut c: HashMap<&'static str, Vec<Value>> = HashMap::new();
        let customer_access = self.customer_access();
        let user_access = self.user_access(&mut c);
        let email_channels = self.email_channels(&projects);
        let site_value = Obj::new()
            .set("name", site.info.as_ref().and_then(|i| i.name.as_deref()))
            .set("url", site.info.as_ref().and_then(|i| i.url.as_deref()))
            .set("has_service_project", site.projects.iter().any(|p| p.kind == ProjectType::ServiceDesk))
            .set("customer_access", customer_access.clone())
            .set("user_access", user_access.clone().unwrap_or(Value::Null))
            .set("email_channels", list(email_channels.iter().cloned()))
            .build();
        c.insert("site", vec![site_value.clone()]);
        if site.customer_access.is_some() {
            c.insert("customer_access", vec![customer_access]);
        }
        c.insert("user_access", user_access.into_iter().collect());

        let (grants, schemes) = self.schemes(&schemes_base, &projects);
        c.insert("grants", grants);
        c.insert("permission_schemes", schemes);
        c.insert("project_roles", site.project_roles.iter().map(|r| self.project_role(r)).collect());
        c.insert("organizations", self.organizations(&orgs_base, &users, &projects));
        c.insert("organization_members", self.organization_members(&orgs_base, &users));
        c.insert("role_actors", self.role_actors(&projects, &users, &groups));
        c.insert("email_channels", email_channels);
        c.insert("customer_refs", self.customer_refs(&projects, &users, &orgs_base));
        c.insert(
            "service_projects",
            site.projects
                .iter()
                .zip(&projects)
                .filter(|(p, _)| p.kind == ProjectType::ServiceDesk)
                .map(|(_, v)| v.clone())
                .collect(),
        );
        c.insert("projects", projects);
        c.insert("groups", groups);
        c.insert("users", users);
        View { anchors: self.anchors, collections: c, site: site_value }
    }

    /// An object standing for an entity: `_loc` and `_stated` filled in.
    fn entity(&mut self, origin: &'s Origin) -> Obj {
        self.anchors.push(Anchor::Entity(origin));
        let stated = origin
            .fields
            .iter()
            .map(|f| self.paths.entry(&f.path).or_insert_with(|| Value::from(&*f.path)).clone())
            .collect::<Vec<_>>();
        Obj::new().set("_loc", (self.anchors.len() - 1) as i64).set("_stated", stated)
    }

    /// An object standing for a reference, where it is written.
    fn reference<T>(&mut self, r: &Ref<T>) -> Obj {
        self.anchors.push(Anchor::Reference(r.at));
        Obj::new().set("_loc", (self.anchors.len() - 1) as i64).set("text", r.text.as_str())
    }

    fn users(&mut self) -> Vec<Value> {
        let site = self.site;
        let mut role_refs = self.role_refs_by_user();
        let base: Vec<Value> = site
            .users
            .iter()
            .enumerate()
            .map(|(i, u)| {
                let refs = std::mem::take(&mut role_refs[i]);
                self.user(i, u).set("role_refs", refs).build()
            })
            .collect();
        // Accounts sharing an email (AC003) see each other; added in a second
        // pass so the nesting stays a tree.
        site.users
            .iter()
            .enumerate()
            .map(|(i, u)| {
                let same_email: Vec<Value> = u
                    .email
                    .as_ref()
                    .and_then(|e| self.facts.users_by_email.get(&e.to_lowercase()))
                    .map(|ids| {
                        ids.iter().filter(|id| id.index() != i).map(|id| base[id.index()].clone()).collect()
                    })
                    .unwrap_or_default();
                if same_email.is_empty() {
                    return base[i].clone();
                }
                let Value::Map(m) = &base[i] else { unreachable!("users are maps") };
                let mut map = (*m.map).clone();
                map.insert(Key::from("same_email"), list(same_email));
                Value::Map(Map { map: Arc::new(map) })
            })
            .collect()
    }

    /// Per user: each place a project role names the user directly.
    fn role_refs_by_user(&mut self) -> Vec<Vec<Value>> {
        let site = self.site;
        let mut refs = vec![Vec::new(); site.users.len()];
        for p in &site.projects {
            for r in &p.roles {
                for u in &r.users {
                    let Some(user) = u.target else { continue };
                    let value =
                        self.reference(u).set("project", p.key.as_str()).set("role", r.role.as_str()).build();
                    refs[user.index()].push(value);
                }
            }
        }
        refs
    }

    fn user(&mut self, index: usize, u: &'s User) -> Obj {
        let role = self.facts.jsm_role.get(index);
        let groups = self.facts.user_groups.get(index).map_or(&[][..], Vec::as_slice);
        let sources = role.map_or(&[][..], |r| r.sources.as_slice());
        let active =
            u.status == Status::Active && (u.account_type != AccountType::Atlassian || u.site_access);
        self.entity(&u.origin)
            .set("account_id", u.account_id.as_str())
            .set("email", u.email.as_deref())
            .set(
                "email_domain",
                u.email.as_deref().and_then(|e| e.rsplit_once('@')).map(|(_, d)| d.to_lowercase()),
            )
            .set("name", u.name.as_deref())
            .set("account_type", account_type(u.account_type))
            .set("status", status(u.status))
            .set("site_access", u.site_access)
            .set("managed_by_other_org", u.managed_by_other_org)
            .set("active", active)
            .set("roles", string_map(u.roles.iter().map(|(k, v)| (k, v.as_str()))))
            .set("admin_roles", strings(&u.admin_roles))
            .set(
                "groups",
                list(groups.iter().map(|g| Value::from(self.site.groups[g.index()].name.as_str()))),
            )
            .set("jsm_role", role.map_or("none", |r| r.role.as_str()))
            .set("jsm_role_sources", list(sources.iter().map(|s| self.role_source(s))))
            .set("same_email", Vec::<Value>::new())
    }

    fn role_source(&self, source: &RoleSource) -> Value {
        let site = self.site;
        let (kind, name, role) = match source {
            RoleSource::Direct(r) => ("user", String::new(), r),
            RoleSource::Group(g, r) => ("group", site.groups[g.index()].name.clone(), r),
            RoleSource::Domain(d, r) => {
                let domain = site
                    .user_access
                    .as_ref()
                    .and_then(|ua| ua.approved_domains.get(*d))
                    .map_or(String::new(), |d| d.domain.clone());
                ("domain", domain, r)
            }
        };
        Obj::new().set("via", kind).set("name", name).set("role", role.as_str()).build()
    }

    fn group(&mut self, index: usize, g: &'s Group, users: &[Value]) -> Value {
        let members = self.facts.group_members.get(index).map_or(&[][..], Vec::as_slice);
        self.entity(&g.origin)
            .set("name", g.name.as_str())
            .set("id", g.id.as_deref())
            .set("roles", string_map(g.roles.iter().map(|(k, v)| (k, v.as_str()))))
            .set("jsm_role", g.roles.get(JSM).map_or("none", String::as_str))
            .set("members", list(members.iter().map(|u| users[u.index()].clone())))
            .build()
    }

    fn project_role(&mut self, r: &'s ProjectRole) -> Value {
        self.entity(&r.origin).set("id", r.id.as_str()).set("name", r.name.as_str()).build()
    }

    fn organization_base(&mut self, o: &'s Organization) -> Value {
        self.entity(&o.origin).set("id", o.id.as_deref()).set("name", o.name.as_str()).build()
    }

    fn scheme_base(&mut self, s: &'s PermissionScheme) -> Value {
        self.entity(&s.origin)
            .set("id", s.id.as_str())
            .set("name", s.name.as_str())
            .set("description", s.description.as_deref())
            .build()
    }

    fn project(
        &mut self,
        index: usize,
        p: &'s Project,
        users: &[Value],
        groups: &[Value],
        orgs: &[Value],
        schemes: &[Value],
    ) -> Value {
        let user = |r: &Ref<UserId>| r.target.map(|u| users[u.index()].clone());
        let roles: HashMap<Key, Value> = p
            .roles
            .iter()
            .map(|r| {
                let actors = Obj::new()
                    .set("users", list(r.users.iter().filter_map(user)))
                    .set(
                        "groups",
                        list(r.groups.iter().filter_map(|g| g.target.map(|g| groups[g.index()].clone()))),
                    )
                    .set("holders", list(self.role_holders(index, &r.role, users)))
                    .build();
                (Key::from(r.role.as_str()), actors)
            })
            .collect();
        let customers = self.facts.project_customers.get(index).map_or(&[][..], Vec::as_slice);
        let service_desk = p.service_desk.as_ref().map(|sd| {
            self.entity(&sd.origin)
                .set("channel_access", channel_access(sd.channel_access))
                .set("customers", list(sd.customers.iter().filter_map(user)))
                .set(
                    "organizations",
                    list(sd.organizations.iter().filter_map(|o| o.target.map(|o| orgs[o.index()].clone()))),
                )
                .set("email_channels", list(sd.email_channels.iter().map(|c| self.email_channel(c).build())))
                .build()
        });
        self.entity(&p.origin)
            .set("key", p.key.as_str())
            .set("name", p.name.as_deref())
            .set("type", project_type(p.kind))
            .set("is_service_project", p.kind == ProjectType::ServiceDesk)
            .set(
                "permission_scheme",
                p.permission_scheme.as_ref().and_then(|r| r.target).map(|s| schemes[s.index()].clone()),
            )
            .set("lead", p.lead.as_ref().and_then(user))
            .set("roles", Value::Map(Map { map: Arc::new(roles) }))
            .set("service_desk", service_desk)
            .set("channel_access", p.service_desk.as_ref().map(|sd| channel_access(sd.channel_access)))
            .set("customers", list(customers.iter().map(|c| users[c.user.index()].clone())))
            .build()
    }

    /// Users holding a role in a project, directly or through a group.
    fn role_holders(&self, project: usize, role: &str, users: &[Value]) -> Vec<Value> {
        self.facts
            .project_role_users
            .get(project)
            .and_then(|roles| roles.get(role))
            .map(|ids| ids.iter().map(|u| users[u.index()].clone()).collect())
            .unwrap_or_default()
    }

    fn email_channel(&mut self, c: &'s EmailChannel) -> Obj {
        self.entity(&c.origin).set("address", c.address.as_deref()).set("enabled", c.enabled)
    }

    fn customer_access(&mut self) -> Value {
        let default = CustomerAccess::default();
        let ca = self.site.customer_access.as_ref();
        let settings = ca.unwrap_or(&default);
        let obj = match ca {
            Some(ca) => self.entity(&ca.origin),
            None => Obj::new().set("_stated", Vec::<Value>::new()),
        };
        let external_domains = match &settings.external_domains {
            ExternalDomains::Any => Value::from("any"),
            // Domains compare case-insensitively.
            ExternalDomains::List(domains) => {
                list(domains.iter().map(|(d, _)| Value::from(d.to_lowercase())))
            }
        };
        // Named after its section, which is how messages and suppressions name it.
        obj.set("name", "customer_access")
            .set("internal", settings.internal)
            .set("external", settings.external)
            .set("external_domains", external_domains)
            .set("external_domains_restricted", matches!(settings.external_domains, ExternalDomains::List(_)))
            .set(
                "signup",
                match settings.signup {
                    Signup::Allow => "allow",
                    Signup::Deny => "deny",
                },
            )
            .set("anonymous_access", settings.anonymous_access)
            .set(
                "email_account_creation",
                match settings.email_account_creation {
                    EmailAccountCreation::Anyone => "anyone",
                    EmailAccountCreation::AgentsOnly => "agents-only",
                },
            )
            .build()
    }

    /// The `user_access` section, and its `user_invites` and
    /// `approved_domains` collections.
    fn user_access(&mut self, c: &mut HashMap<&'static str, Vec<Value>>) -> Option<Value> {
        let Some(ua) = self.site.user_access.as_ref() else {
            c.insert("user_invites", Vec::new());
            c.insert("approved_domains", Vec::new());
            return None;
        };
        let invites: Vec<Value> = ua
            .user_invites
            .iter()
            .map(|i| {
                self.entity(&i.origin).set("app", i.app.as_str()).set("mode", invite_mode(i.mode)).build()
            })
            .collect();
        let domains: Vec<Value> = ua
            .approved_domains
            .iter()
            .map(|d| {
                self.entity(&d.origin)
                    .set("domain", d.domain.as_str())
                    .set("roles", string_map(d.roles.iter().map(|(k, v)| (k, domain_role(*v)))))
                    .set("jsm_role", d.roles.get(JSM).map(|r| domain_role(*r)))
                    .set("admin_approval", d.admin_approval)
                    .build()
            })
            .collect();
        let modes: HashMap<Key, Value> = ua
            .user_invites
            .iter()
            .map(|i| (Key::from(i.app.as_str()), Value::from(invite_mode(i.mode))))
            .collect();
        let value = self
            .entity(&ua.origin)
            .set("name", "user_access")
            .set("invite_links", ua.invite_links)
            .set("user_invites", Value::Map(Map { map: Arc::new(modes) }))
            .set("approved_domains", list(domains.iter().cloned()))
            .build();
        c.insert("user_invites", invites);
        c.insert("approved_domains", domains);
        Some(value)
    }

    /// Grants (each with its scheme) and schemes (each with its grants and
    /// the projects using it).
    fn schemes(&mut self, bases: &[Value], projects: &[Value]) -> (Vec<Value>, Vec<Value>) {
        let site = self.site;
        let mut all_grants = Vec::new();
        let mut schemes = Vec::new();
        for (i, s) in site.permission_schemes.iter().enumerate() {
            let users = self.facts.scheme_projects.get(i).map_or(&[][..], Vec::as_slice);
            let service: Vec<Value> = users
                .iter()
                .filter(|p| site.projects[p.index()].kind == ProjectType::ServiceDesk)
                .map(|p| projects[p.index()].clone())
                .collect();
            let with_projects = extend(&bases[i])
                .set("projects", list(users.iter().map(|p| projects[p.index()].clone())))
                .set("used", !users.is_empty())
                .set("used_by_service_project", !service.is_empty())
                .set("service_projects", service)
                .build();
            let grants: Vec<Value> =
                s.permissions.iter().map(|g| self.grant(g, &s.name, &with_projects)).collect();
            schemes.push(extend(&with_projects).set("permissions", list(grants.iter().cloned())).build());
            all_grants.extend(grants);
        }
        (all_grants, schemes)
    }

    fn grant(&mut self, g: &'s Grant, scheme_name: &str, scheme: &Value) -> Value {
        let site = self.site;
        let h = &g.holder;
        let (role, group, user) = match &h.target {
            HolderTarget::Role(name) => (Some(name.as_str()), None, None),
            HolderTarget::Group(id) => (None, Some(site.groups[id.index()].name.as_str()), None),
            HolderTarget::User(id) => (None, None, Some(site.users[id.index()].account_id.as_str())),
            HolderTarget::None | HolderTarget::Unresolved => (None, None, None),
        };
        let holder = self
            .entity(&h.origin)
            .set("type", h.kind.as_str())
            .set("parameter", h.parameter.as_deref())
            .set("role", role)
            .set("group", group)
            .set("user", user)
            .build();
        // A grant's natural name, e.g. `Support: BROWSE_PROJECTS to group jira-admins`.
        let name = match &h.parameter {
            Some(p) if !p.is_empty() => format!("{scheme_name}: {} to {} {p}", g.permission, h.kind),
            _ => format!("{scheme_name}: {} to {}", g.permission, h.kind),
        };
        self.entity(&g.origin)
            .set("name", name)
            .set("permission", g.permission.as_str())
            .set("permission_known", permissions::is_built_in(&g.permission))
            .set("permission_suggestion", permissions::suggestion(&g.permission))
            .set("holder", holder)
            .set("scheme", scheme.clone())
            .build()
    }

    fn organizations(&mut self, bases: &[Value], users: &[Value], projects: &[Value]) -> Vec<Value> {
        let site = self.site;
        site.organizations
            .iter()
            .enumerate()
            .map(|(i, o)| {
                let linked = self.facts.org_projects.get(i).map_or(&[][..], Vec::as_slice);
                extend(&bases[i])
                    .set(
                        "members",
                        list(o.members.iter().filter_map(|m| m.target.map(|u| users[u.index()].clone()))),
                    )
                    .set("projects", list(linked.iter().map(|p| projects[p.index()].clone())))
                    .set(
                        "linked_to_service_project",
                        linked.iter().any(|p| site.projects[p.index()].kind == ProjectType::ServiceDesk),
                    )
                    .build()
            })
            .collect()
    }

    fn organization_members(&mut self, orgs: &[Value], users: &[Value]) -> Vec<Value> {
        let site = self.site;
        let mut out = Vec::new();
        for (i, o) in site.organizations.iter().enumerate() {
            for m in &o.members {
                let user = m.target.map(|u| users[u.index()].clone());
                out.push(self.reference(m).set("organization", orgs[i].clone()).set("user", user).build());
            }
        }
        out
    }

    fn role_actors(&mut self, projects: &[Value], users: &[Value], groups: &[Value]) -> Vec<Value> {
        let site = self.site;
        let mut out = Vec::new();
        for (pi, p) in site.projects.iter().enumerate() {
            for r in &p.roles {
                for u in &r.users {
                    let user = u.target.map(|u| users[u.index()].clone());
                    let members: Vec<Value> = user.iter().cloned().collect();
                    let obj =
                        self.reference(u).set("kind", "user").set("user", user).set("group", Value::Null);
                    out.push(actor(obj, &projects[pi], &r.role, members));
                }
                for g in &r.groups {
                    let group = g.target.map(|g| groups[g.index()].clone());
                    let members: Vec<Value> = g
                        .target
                        .and_then(|g| self.facts.group_members.get(g.index()))
                        .map(|ids| ids.iter().map(|u| users[u.index()].clone()).collect())
                        .unwrap_or_default();
                    let obj =
                        self.reference(g).set("kind", "group").set("user", Value::Null).set("group", group);
                    out.push(actor(obj, &projects[pi], &r.role, members));
                }
            }
        }
        out
    }

    fn email_channels(&mut self, projects: &[Value]) -> Vec<Value> {
        let site = self.site;
        let mut out = Vec::new();
        for (pi, p) in site.projects.iter().enumerate() {
            let Some(sd) = &p.service_desk else { continue };
            for c in &sd.email_channels {
                out.push(self.email_channel(c).set("project", projects[pi].clone()).build());
            }
        }
        out
    }

    /// One item per reference that makes a user a listed customer: each
    /// `service_desk.customers` entry of a service project, and each
    /// `members` entry of an organization linked to one, however many
    /// projects it reaches.
    fn customer_refs(&mut self, projects: &[Value], users: &[Value], orgs: &[Value]) -> Vec<Value> {
        let site = self.site;
        // Reference (by where it is written) to the projects it reaches.
        let mut reached: Vec<(&'s Ref<UserId>, Option<OrgId>, Vec<usize>)> = Vec::new();
        let mut index: HashMap<Location, usize> = HashMap::new();
        for (pi, links) in self.facts.project_customers.iter().enumerate() {
            let Some(sd) = &site.projects[pi].service_desk else { continue };
            for CustomerLink { via, .. } in links {
                let (r, org) = match *via {
                    Via::Direct { index } => (&sd.customers[index], None),
                    Via::Organization { org, member } => {
                        (&site.organizations[org.index()].members[member], Some(org))
                    }
                };
                let slot = *index.entry(r.at).or_insert_with(|| {
                    reached.push((r, org, Vec::new()));
                    reached.len() - 1
                });
                if !reached[slot].2.contains(&pi) {
                    reached[slot].2.push(pi);
                }
            }
        }
        reached.sort_by_key(|(r, _, _)| r.at);
        reached
            .into_iter()
            .filter_map(|(r, org, reached)| {
                let user = users[r.target?.index()].clone();
                Some(
                    self.reference(r)
                        .set("user", user)
                        .set("via", if org.is_some() { "organization" } else { "customer" })
                        .set("organization", org.map(|o| orgs[o.index()].clone()))
                        .set("projects", list(reached.iter().map(|p| projects[*p].clone())))
                        .build(),
                )
            })
            .collect()
    }
}

fn actor(obj: Obj, project: &Value, role: &str, users: Vec<Value>) -> Value {
    obj.set("project", project.clone()).set("role", role).set("users", users).build()
}

/// A copy of a built object to add fields to; it keeps the same `_loc`.
fn extend(base: &Value) -> Obj {
    match base {
        Value::Map(m) => Obj((*m.map).clone()),
        _ => Obj::new(),
    }
}

const JSM: &str = "jira-servicemanagement";

fn account_type(t: AccountType) -> &'static str {
    match t {
        AccountType::Atlassian => "atlassian",
        AccountType::Customer => "customer",
        AccountType::App => "app",
    }
}

fn project_type(t: ProjectType) -> &'static str {
    match t {
        ProjectType::ServiceDesk => "service_desk",
        ProjectType::Software => "software",
        ProjectType::Business => "business",
    }
}

fn channel_access(c: ChannelAccess) -> &'static str {
    match c {
        ChannelAccess::Open => "open",
        ChannelAccess::Restricted => "restricted",
    }
}

fn invite_mode(m: InviteMode) -> &'static str {
    match m {
        InviteMode::Anyone => "anyone",
        InviteMode::ApprovedDomains => "approved-domains",
        InviteMode::AdminApproval => "admin-approval",
        InviteMode::AdminsOnly => "admins-only",
    }
}

fn domain_role(r: DomainRole) -> &'static str {
    match r {
        DomainRole::None => "none",
        DomainRole::User => "user",
        DomainRole::Customer => "customer",
        DomainRole::Agent => "agent",
    }
}

fn status(s: Status) -> &'static str {
    match s {
        Status::Active => "active",
        Status::Inactive => "inactive",
        Status::Closed => "closed",
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use cel::Value;

    use super::{DATA_MAPS, FIELDS, View};
    use crate::{load, model};

    /// Field names of every map in `value`, skipping the keys of data maps.
    fn field_names(value: &Value, out: &mut BTreeSet<String>) {
        match value {
            Value::List(items) => items.iter().for_each(|v| field_names(v, out)),
            Value::Map(m) => {
                for (key, v) in m.map.iter() {
                    let cel::objects::Key::String(key) = key else { continue };
                    out.insert(key.to_string());
                    if DATA_MAPS.contains(&key.as_str()) {
                        // Project roles hold actor maps; app roles hold strings.
                        if let Value::Map(data) = v {
                            data.map.values().for_each(|v| field_names(v, out));
                        }
                    } else {
                        field_names(v, out);
                    }
                }
            }
            _ => {}
        }
    }

    #[test]
    fn fields_lists_exactly_the_fields_the_view_builds() {
        let loaded = load::load_path("snapshots/example".as_ref()).unwrap();
        let (site, facts, _) = model::build(&loaded.documents);
        let view = View::build(&site, &facts);
        let mut built = BTreeSet::new();
        field_names(&view.site, &mut built);
        for (name, _) in super::COLLECTIONS {
            view.collection(name).iter().for_each(|v| field_names(v, &mut built));
        }
        built.retain(|k| !k.starts_with('_'));
        let listed: BTreeSet<String> = FIELDS.iter().map(|s| s.to_string()).collect();
        assert_eq!(built, listed, "update FIELDS (and the README's collection table)");
    }
}
