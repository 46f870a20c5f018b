//! What each mapping of a snapshot may hold (SNAPSHOT-FORMAT.md), and the
//! values its enumerated fields take.

use super::super::field_spans::FieldPath;
use super::super::site::*;

/// The app whose roles drive the JSM rules; its role values are checked.
pub const JSM_APP: &str = "jira-servicemanagement";

/// What a mapping may hold.
pub(super) struct Schema {
    /// Its place in [`SCHEMAS`], which numbers its keys as fields record them.
    pub(super) id: u16,
    /// The mapping in messages: "a user", "`customer_access`".
    pub(super) what: &'static str,
    pub(super) keys: &'static [&'static str],
    /// REST fields accepted and not used, besides [`IGNORED_EVERYWHERE`].
    pub(super) ignored: &'static [&'static str],
    /// REST fields accepted and not used when their value is a mapping, as
    /// `expand` writes them; written otherwise (`group: jira-admins` for
    /// `parameter`), they are a mistake to report.
    pub(super) expanded: &'static [&'static str],
    /// Other spellings of a key, from raw REST payloads.
    pub(super) aliases: &'static [(&'static str, &'static str)],
}

impl Schema {
    const fn new(id: u16, what: &'static str, keys: &'static [&'static str]) -> Schema {
        assert!(keys.len() <= MAX_KEYS, "a schema has at most MAX_KEYS keys");
        Schema { id, what, keys, ignored: &[], expanded: &[], aliases: &[] }
    }

    /// The path a field of its `index`th key records.
    pub(super) fn path(&self, index: usize) -> FieldPath {
        FieldPath::known(self.id << KEY_BITS | index as u16)
    }

    /// Its key `name`, for [`key!`]: a name it lacks fails to compile.
    pub(super) const fn key(&self, name: &'static str) -> Key {
        let mut index = 0;
        while index < self.keys.len() {
            if same(self.keys[index].as_bytes(), name.as_bytes()) {
                return Key { schema: self.id, index: index as u8, name };
            }
            index += 1;
        }
        panic!("the schema has no such key");
    }
}

/// `a == b`, where the program is compiled.
const fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// A key of a schema, named where it is read: its index among the schema's
/// keys, so an entity's field is found by indexing rather than by comparing
/// names (a site has millions of fields), and its name, for messages.
#[derive(Debug, Clone, Copy)]
pub(super) struct Key {
    /// Its schema's id, to check that an entity is asked for its own keys.
    pub(super) schema: u16,
    pub(super) index: u8,
    pub(super) name: &'static str,
}

/// The [`Key`] `$name` of `$schema`, made when the program is compiled.
macro_rules! key {
    ($schema:ident, $name:literal) => {
        const { $schema.key($name) }
    };
}
pub(super) use key;

/// The most keys a schema has ([`Schema::new`] holds them to it).
pub(super) const MAX_KEYS: usize = 12;

/// Every schema, by id: a recorded field's path is its schema's id and the
/// key's index ([`Schema::path`]), 2 bytes instead of a string.
pub(super) static SCHEMAS: [&Schema; 16] = [
    &TOP,
    &SITE,
    &USER_ACCESS,
    &APPROVED_DOMAIN,
    &CUSTOMER_ACCESS,
    &USER,
    &GROUP,
    &PROJECT_ROLE,
    &SCHEME,
    &GRANT,
    &HOLDER,
    &PROJECT,
    &ROLE_ACTORS,
    &SERVICE_DESK,
    &EMAIL_CHANNEL,
    &ORGANIZATION,
];

/// Whether some mapping of a snapshot may hold the key `name`: what a
/// rule's `stated(e, "name")` and `value_of(e, "name")` may ask about, as
/// the snapshot writes it.
pub fn is_key(name: &str) -> bool {
    SCHEMAS.iter().any(|schema| schema.keys.contains(&name))
}

/// How many bits of a path number the key's index takes.
pub(super) const KEY_BITS: u32 = 5;
const _: () = assert!(MAX_KEYS <= 1 << KEY_BITS, "a path must number every key");

/// The key a path number names (see [`Schema::path`]).
pub(in crate::model) fn known_path(number: u16) -> &'static str {
    let schema = SCHEMAS.get(usize::from(number >> KEY_BITS));
    schema.and_then(|s| s.keys.get(usize::from(number & ((1 << KEY_BITS) - 1)))).copied().unwrap_or("")
}

/// REST bookkeeping fields that may appear in any mapping of a raw payload.
pub(super) const IGNORED_EVERYWHERE: &[&str] = &["self", "expand"];

pub(super) const TOP: Schema = Schema {
    aliases: &[("permissionSchemes", "permission_schemes")],
    ..Schema::new(
        0,
        "the top level of a snapshot file",
        &[
            "format",
            "site",
            "user_access",
            "customer_access",
            "users",
            "groups",
            "project_roles",
            "permission_schemes",
            "projects",
            "organizations",
        ],
    )
};
pub(super) const SITE: Schema = Schema::new(1, "`site`", &["name", "url", "exported_at"]);
pub(super) const USER_ACCESS: Schema =
    Schema::new(2, "`user_access`", &["user_invites", "invite_links", "approved_domains"]);
pub(super) const APPROVED_DOMAIN: Schema =
    Schema::new(3, "an approved domain", &["domain", "roles", "admin_approval"]);
pub(super) const CUSTOMER_ACCESS: Schema = Schema::new(
    4,
    "`customer_access`",
    &["internal", "external", "external_domains", "signup", "anonymous_access", "email_account_creation"],
);
pub(super) const USER: Schema = Schema::new(
    5,
    "a user",
    &[
        "account_id",
        "email",
        "name",
        "account_type",
        "status",
        "site_access",
        "managed_by_other_org",
        "roles",
        "admin_roles",
        "groups",
    ],
);
pub(super) const GROUP: Schema = Schema::new(6, "a group", &["name", "id", "members", "roles"]);
pub(super) const PROJECT_ROLE: Schema = Schema::new(7, "a project role", &["id", "name"]);
pub(super) const SCHEME: Schema =
    Schema::new(8, "a permission scheme", &["id", "name", "description", "permissions"]);
pub(super) const GRANT: Schema =
    Schema { ignored: &["id"], ..Schema::new(9, "a permission grant", &["permission", "holder"]) };
/// `expand=all` adds to a holder a copy of what its parameter names (a
/// `group`, a `user`, a `projectRole`, a custom `field`): the REST shape,
/// which the spec has loaded as-is, though its list of ignored fields
/// names only `value`.
pub(super) const HOLDER: Schema = Schema {
    ignored: &["value"],
    expanded: &["group", "user", "projectRole", "field"],
    ..Schema::new(10, "a holder", &["type", "parameter"])
};
pub(super) const PROJECT: Schema = Schema::new(
    11,
    "a project",
    &["key", "name", "type", "permission_scheme", "lead", "roles", "service_desk"],
);
pub(super) const ROLE_ACTORS: Schema = Schema::new(12, "the actors of a project role", &["users", "groups"]);
pub(super) const SERVICE_DESK: Schema =
    Schema::new(13, "`service_desk`", &["channel_access", "customers", "organizations", "email_channels"]);
pub(super) const EMAIL_CHANNEL: Schema = Schema::new(14, "an email channel", &["address", "enabled"]);
pub(super) const ORGANIZATION: Schema = Schema::new(15, "an organization", &["id", "name", "members"]);

pub(super) const ACCOUNT_TYPES: &[(&str, AccountType)] =
    &[("atlassian", AccountType::Atlassian), ("customer", AccountType::Customer), ("app", AccountType::App)];
pub(super) const STATUSES: &[(&str, Status)] =
    &[("active", Status::Active), ("inactive", Status::Inactive), ("closed", Status::Closed)];
pub(super) const JSM_ROLES: &[(&str, JsmRole)] = &[
    ("agent", JsmRole::Agent),
    ("customer", JsmRole::Customer),
    ("collaborator", JsmRole::Collaborator),
    ("none", JsmRole::None),
];
pub(super) const DOMAIN_ROLES: &[(&str, DomainRole)] = &[
    ("none", DomainRole::None),
    ("user", DomainRole::User),
    ("customer", DomainRole::Customer),
    ("agent", DomainRole::Agent),
];
pub(super) const INVITE_MODES: &[(&str, InviteMode)] = &[
    ("anyone", InviteMode::Anyone),
    ("approved-domains", InviteMode::ApprovedDomains),
    ("admin-approval", InviteMode::AdminApproval),
    ("admins-only", InviteMode::AdminsOnly),
];
pub(super) const PROJECT_TYPES: &[(&str, ProjectType)] = &[
    ("service_desk", ProjectType::ServiceDesk),
    ("software", ProjectType::Software),
    ("business", ProjectType::Business),
];
pub(super) const CHANNEL_ACCESS: &[(&str, ChannelAccess)] =
    &[("open", ChannelAccess::Open), ("restricted", ChannelAccess::Restricted)];
pub(super) const SIGNUP: &[(&str, Signup)] = &[("allow", Signup::Allow), ("deny", Signup::Deny)];
pub(super) const EMAIL_ACCOUNT_CREATION: &[(&str, EmailAccountCreation)] =
    &[("anyone", EmailAccountCreation::Anyone), ("agents-only", EmailAccountCreation::AgentsOnly)];
pub(super) const ADMIN_ROLES: &[&str] = &["org-admin", "site-admin", "user-access-admin", "product-admin"];
pub(super) const HOLDER_TYPES: &[&str] = &[
    "sd.customer.portal.only",
    "projectRole",
    "group",
    "user",
    "anyone",
    "applicationRole",
    "projectLead",
    "reporter",
    "assignee",
    "groupCustomField",
    "userCustomField",
];
