//! What each value of the view is, for checking rule expressions when they
//! are loaded: the fields of each kind of node, and what each field holds.
//! A field read from the wrong kind (`item.email` over projects) is then a
//! mistake in the rule file, not an error on the first item that has it.
//! (A test keeps this equal to what the view answers.)

/// The kinds of node: what an item of a collection, or a field that is an
/// entity, stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Site,
    CustomerAccess,
    UserAccess,
    Invite,
    Domain,
    User,
    RoleSource,
    RoleRef,
    Group,
    ProjectRole,
    Scheme,
    Grant,
    Holder,
    Project,
    Actors,
    RoleActor,
    ServiceDesk,
    EmailChannel,
    Organization,
    OrgMember,
    CustomerRef,
}

/// What a value is, as far as it is known before any snapshot is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    /// Not known here (a literal, a computed value, a field of a map
    /// literal): its fields are checked against every field of the view.
    Any,
    /// A text, or null where the snapshot leaves it out.
    Text,
    Bool,
    /// An entity or reference, or null where there is none.
    Node(Kind),
    List(&'static Ty),
    /// A map whose keys are data (app keys, role names).
    Map(&'static Ty),
    /// What `key_of`/`value_of` give: a place in the snapshot.
    Place,
}

use Kind as K;
use Ty::*;

const USERS: Ty = List(&Node(K::User));
const PROJECTS: Ty = List(&Node(K::Project));
const TEXTS: Ty = List(&Text);
const TEXT_MAP: Ty = Map(&Text);

impl Kind {
    /// What it is called in an error: "a project".
    pub fn described(self) -> &'static str {
        match self {
            K::Site => "the site",
            K::CustomerAccess => "the customer_access section",
            K::UserAccess => "the user_access section",
            K::Invite => "a user_invites entry",
            K::Domain => "an approved domain",
            K::User => "a user",
            K::RoleSource => "a JSM role source",
            K::RoleRef => "a role_refs entry",
            K::Group => "a group",
            K::ProjectRole => "a project_roles entry",
            K::Scheme => "a permission scheme",
            K::Grant => "a grant",
            K::Holder => "a grant's holder",
            K::Project => "a project",
            K::Actors => "a project role's actors",
            K::RoleActor => "a role actor",
            K::ServiceDesk => "a service desk",
            K::EmailChannel => "an email channel",
            K::Organization => "an organization",
            K::OrgMember => "an organization member",
            K::CustomerRef => "a customer reference",
        }
    }

    /// Its fields and what each holds.
    pub fn fields(self) -> &'static [(&'static str, Ty)] {
        match self {
            K::Site => &[
                ("name", Text),
                ("url", Text),
                ("has_service_project", Bool),
                ("customer_access", Node(K::CustomerAccess)),
                ("user_access", Node(K::UserAccess)),
                ("email_channels", List(&Node(K::EmailChannel))),
            ],
            K::CustomerAccess => &[
                ("name", Text),
                ("internal", Bool),
                ("external", Bool),
                // `any`, or a list of domains.
                ("external_domains", Any),
                ("external_domains_restricted", Bool),
                ("signup", Text),
                ("anonymous_access", Bool),
                ("email_account_creation", Text),
            ],
            K::UserAccess => &[
                ("name", Text),
                ("invite_links", Bool),
                ("user_invites", TEXT_MAP),
                ("approved_domains", List(&Node(K::Domain))),
            ],
            K::Invite => &[("app", Text), ("mode", Text)],
            K::Domain => {
                &[("domain", Text), ("roles", TEXT_MAP), ("jsm_role", Text), ("admin_approval", Bool)]
            }
            K::User => &[
                ("account_id", Text),
                ("email", Text),
                ("email_domain", Text),
                ("approved_domain", Node(K::Domain)),
                ("name", Text),
                ("account_type", Text),
                ("status", Text),
                ("site_access", Bool),
                ("managed_by_other_org", Bool),
                ("active", Bool),
                ("roles", TEXT_MAP),
                ("admin_roles", TEXTS),
                ("groups", TEXTS),
                ("jsm_role", Text),
                ("jsm_role_sources", List(&Node(K::RoleSource))),
                ("same_email", USERS),
                ("role_refs", List(&Node(K::RoleRef))),
            ],
            K::RoleSource => &[("via", Text), ("name", Text), ("role", Text)],
            K::RoleRef => &[("text", Text), ("project", Node(K::Project)), ("role", Text)],
            K::Group => {
                &[("name", Text), ("id", Text), ("roles", TEXT_MAP), ("jsm_role", Text), ("members", USERS)]
            }
            K::ProjectRole => &[("id", Text), ("name", Text)],
            K::Scheme => &[
                ("id", Text),
                ("name", Text),
                ("description", Text),
                ("permissions", List(&Node(K::Grant))),
                ("projects", PROJECTS),
                ("service_projects", PROJECTS),
                ("used", Bool),
                ("used_by_service_project", Bool),
            ],
            K::Grant => &[
                ("name", Text),
                ("permission", Text),
                ("permission_known", Bool),
                ("permission_suggestion", Text),
                ("holder", Node(K::Holder)),
                ("scheme", Node(K::Scheme)),
            ],
            K::Holder => &[
                ("type", Text),
                ("parameter", Text),
                ("role", Text),
                ("group", Node(K::Group)),
                ("user", Node(K::User)),
            ],
            K::Project => &[
                ("key", Text),
                ("name", Text),
                ("type", Text),
                ("is_service_project", Bool),
                ("permission_scheme", Node(K::Scheme)),
                ("lead", Node(K::User)),
                ("roles", Map(&Node(K::Actors))),
                ("service_desk", Node(K::ServiceDesk)),
                ("channel_access", Text),
                ("customers", USERS),
            ],
            K::Actors => &[("users", USERS), ("groups", List(&Node(K::Group))), ("holders", USERS)],
            K::RoleActor => &[
                ("text", Text),
                ("kind", Text),
                ("user", Node(K::User)),
                ("group", Node(K::Group)),
                ("users", USERS),
                ("non_agents", USERS),
                ("role", Text),
                ("project", Node(K::Project)),
            ],
            K::ServiceDesk => &[
                ("channel_access", Text),
                ("customers", USERS),
                ("organizations", List(&Node(K::Organization))),
                ("email_channels", List(&Node(K::EmailChannel))),
            ],
            K::EmailChannel => &[("address", Text), ("enabled", Bool), ("project", Node(K::Project))],
            K::Organization => &[
                ("id", Text),
                ("name", Text),
                ("members", USERS),
                ("projects", PROJECTS),
                ("linked_to_service_project", Bool),
            ],
            K::OrgMember => {
                &[("text", Text), ("user", Node(K::User)), ("organization", Node(K::Organization))]
            }
            K::CustomerRef => &[
                ("text", Text),
                ("user", Node(K::User)),
                ("via", Text),
                ("organization", Node(K::Organization)),
                ("projects", PROJECTS),
            ],
        }
    }

    /// What its field `name` holds, if it has one.
    pub fn field(self, name: &str) -> Option<Ty> {
        self.fields().iter().find(|(n, _)| *n == name).map(|&(_, ty)| ty)
    }
}

/// Every kind, for the names of all fields.
pub const KINDS: [Kind; 21] = [
    K::Site,
    K::CustomerAccess,
    K::UserAccess,
    K::Invite,
    K::Domain,
    K::User,
    K::RoleSource,
    K::RoleRef,
    K::Group,
    K::ProjectRole,
    K::Scheme,
    K::Grant,
    K::Holder,
    K::Project,
    K::Actors,
    K::RoleActor,
    K::ServiceDesk,
    K::EmailChannel,
    K::Organization,
    K::OrgMember,
    K::CustomerRef,
];

/// Every field name of any kind, sorted: what a field of a value whose
/// kind is not known may be.
pub fn all_fields() -> Vec<&'static str> {
    let mut names: Vec<&'static str> =
        KINDS.iter().flat_map(|k| k.fields().iter().map(|(n, _)| *n)).collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// What each item of a collection named in
/// [`COLLECTIONS`](super::COLLECTIONS) is.
pub fn item_kind(collection: &str) -> Option<Kind> {
    Some(match collection {
        "site" => K::Site,
        "user_access" => K::UserAccess,
        "customer_access" => K::CustomerAccess,
        "user_invites" => K::Invite,
        "approved_domains" => K::Domain,
        "users" => K::User,
        "groups" => K::Group,
        "project_roles" => K::ProjectRole,
        "permission_schemes" => K::Scheme,
        "grants" => K::Grant,
        "projects" | "service_projects" => K::Project,
        "email_channels" => K::EmailChannel,
        "role_actors" => K::RoleActor,
        "organizations" => K::Organization,
        "organization_members" => K::OrgMember,
        "customer_refs" => K::CustomerRef,
        _ => return None,
    })
}

impl Ty {
    /// What an element of it is, when it is a list.
    pub fn element(self) -> Ty {
        match self {
            List(element) => *element,
            _ => Any,
        }
    }

    /// How an error names a value that is no map, which has no fields.
    pub fn described(self) -> Option<&'static str> {
        match self {
            Text => Some("a text"),
            Bool => Some("a boolean"),
            List(_) => Some("a list"),
            Place => Some("a place in the snapshot"),
            Any | Node(_) | Map(_) => None,
        }
    }
}
