//! The typed site: every entity of the snapshot, with where it was written.
//!
//! Fields hold effective values (the spec's defaults applied); whether a
//! setting was actually written, and where, is in the entity's [`Origin`].
//! References keep their text and location, and the id of what they name
//! once resolved (`None` when they name nothing: SL005 was reported).

use std::collections::BTreeMap;

use thin_vec::ThinVec;

pub use super::field_spans::FieldPath;
use super::field_spans::{FieldSpan, FieldSpans, PathKind};
pub use crate::shared::Text;
use crate::source::{FileId, Location, Span};

macro_rules! index_type {
    ($($name:ident),*) => {$(
        /// A position in the site's list of its entities.
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(Position);
        impl $name {
            pub fn index(self) -> usize { self.0.get() as usize }
            pub fn position(self) -> u32 { self.0.get() }
        }
        impl From<u32> for $name {
            fn from(position: u32) -> $name { $name(Position::new(position)) }
        }
        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0.get())
            }
        }
    )*};
}

/// An entity's position, kept one higher so that it is never zero: an
/// `Option` of an id (a reference's target, `None` until resolved) is then
/// 4 bytes, not 8, and a reference 32 bytes, not 40. A big site has a
/// reference for each of its customers.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct Position(std::num::NonZeroU32);

impl Position {
    fn new(position: u32) -> Position {
        // No site has 2^32 - 1 entities of a kind: their model alone would
        // take hundreds of gigabytes before that (an account is 96 bytes).
        Position(
            std::num::NonZeroU32::new(position.wrapping_add(1)).expect("an entity's position below 2^32 - 1"),
        )
    }

    fn get(self) -> u32 {
        self.0.get() - 1
    }
}
index_type!(UserId, GroupId, RoleId, SchemeId, ProjectId, OrgId);

/// Where an entity was written and where each of its fields is.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Origin {
    pub file: FileId,
    /// The entity's value: its mapping (or the scalar, for single settings).
    /// Fields are recorded relative to its start, so it is set once, by
    /// [`Origin::new`]; read it with [`Origin::location`].
    span: Span,
    /// Fields written in the snapshot whose value is used. Only the first of
    /// a duplicated key is recorded. The key the entity is written under,
    /// when it has one (`customer_access:`, an app key in `user_invites`, a
    /// role name in `roles`), is recorded here too, as [`FieldPath::KEY`]:
    /// few entities have one, and a field of its own would cost every
    /// account 8 bytes.
    fields: FieldSpans,
    /// The paths of fields below free-form keys (`roles.jira-software`),
    /// which no schema names. Most entities have none.
    named: ThinVec<String>,
}

impl Origin {
    pub fn new(file: FileId, span: Span, key: Option<Span>) -> Origin {
        let mut origin = Origin { file, span, fields: FieldSpans::default(), named: ThinVec::new() };
        if let Some(key) = key {
            origin.set_key(key);
        }
        origin
    }

    /// Records the key the entity is written under.
    pub(super) fn set_key(&mut self, key: Span) {
        self.fields.push(self.span, FieldPath::KEY, key, self.span);
    }

    /// Room for `fields` fields, recorded next.
    pub(super) fn reserve(&mut self, fields: usize) {
        self.fields.reserve(fields);
    }

    /// Records where a field whose path a schema names is written.
    pub(super) fn record(&mut self, path: FieldPath, key: Span, value: Span) {
        self.fields.push(self.span, path, key, value);
    }

    /// Records where a field below a free-form key is written.
    /// Past 2^15 of them in one entity (a `roles` mapping of that many
    /// apps), the rest are not recorded: a finding about one points at the
    /// entity instead.
    pub(super) fn record_named(&mut self, path: String, key: Span, value: Span) {
        let Some(field) = FieldPath::named(self.named.len()) else { return };
        self.named.push(path);
        self.fields.push(self.span, field, key, value);
    }

    /// A field's dotted path; none for the key the entity is written under.
    fn path(&self, path: FieldPath) -> Option<&str> {
        match path.kind() {
            PathKind::Known(number) => Some(super::decode::known_path(number)),
            PathKind::Named(index) => self.named.get(index).map(String::as_str),
            PathKind::Key => None,
        }
    }

    fn field(&self, path: &str) -> Option<FieldSpan> {
        self.fields.iter(self.span).find(|f| self.path(f.path) == Some(path))
    }

    /// Whether the snapshot states this field.
    pub fn states(&self, path: &str) -> bool {
        self.field(path).is_some()
    }

    pub fn location(&self) -> Location {
        Location { file: self.file, span: self.span }
    }

    /// The key the entity is written under, or the entity when it has none.
    pub fn key_location(&self) -> Location {
        let key = self.fields.iter(self.span).find(|f| f.path == FieldPath::KEY);
        Location { file: self.file, span: key.map_or(self.span, |f| f.key) }
    }

    /// The field's value, or the entity when the field is not written.
    pub fn value_location(&self, path: &str) -> Location {
        let span = self.field(path).map_or(self.span, |f| f.value);
        Location { file: self.file, span }
    }

    /// [`Origin::value_location`] where it lies within the entity, else the
    /// entity. An entity written as an alias (`- *user`) is a copy of the
    /// anchored one, fields and their places alike; a finding about the copy
    /// as such (a duplicate) belongs at the alias, not at the original.
    pub fn own_value_location(&self, path: &str) -> Location {
        let at = self.value_location(path);
        let within = self.span.start() <= at.span.start() && at.span.end() <= self.span.end();
        if within { at } else { self.location() }
    }

    /// The field's key, or the entity when the field is not written.
    pub fn field_key_location(&self, path: &str) -> Location {
        let span = self.field(path).map_or(self.span, |f| f.key);
        Location { file: self.file, span }
    }
}

/// A reference to another entity, as written.
#[derive(Debug, Clone, PartialEq)]
pub struct Ref<T> {
    pub text: Text,
    pub at: Location,
    pub target: Option<T>,
}

impl<T> Ref<T> {
    pub fn new(text: Text, at: Location) -> Self {
        Ref { text, at, target: None }
    }
}

#[derive(Debug, Default, PartialEq)]
pub struct Site {
    pub info: Option<SiteInfo>,
    pub user_access: Option<UserAccess>,
    pub customer_access: Option<CustomerAccess>,
    /// Boxed, so that merging the files' lists moves pointers, not accounts:
    /// the accounts are most of a big site, and a second copy of them was
    /// the peak of its memory.
    pub users: Vec<Box<User>>,
    pub groups: Vec<Group>,
    pub project_roles: Vec<ProjectRole>,
    pub permission_schemes: Vec<PermissionScheme>,
    pub projects: Vec<Project>,
    pub organizations: Vec<Organization>,
}

#[derive(Debug, PartialEq)]
pub struct SiteInfo {
    pub origin: Origin,
    pub name: Option<String>,
    pub url: Option<String>,
    pub exported_at: Option<String>,
}

#[derive(Debug, PartialEq)]
pub struct UserAccess {
    pub origin: Origin,
    pub user_invites: Vec<UserInvite>,
    pub invite_links: bool,
    pub approved_domains: Vec<ApprovedDomain>,
}

/// One app's entry in `user_invites`; its origin's key is the app key and
/// its span the value.
#[derive(Debug, PartialEq)]
pub struct UserInvite {
    pub origin: Origin,
    pub app: String,
    pub mode: InviteMode,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InviteMode {
    Anyone,
    ApprovedDomains,
    AdminApproval,
    AdminsOnly,
}

#[derive(Debug, PartialEq)]
pub struct ApprovedDomain {
    pub origin: Origin,
    /// As written; compare with `eq_ignore_ascii_case`. Optional: an entry
    /// without one matches no email, so its roles reach nobody.
    pub domain: Option<String>,
    /// App key to role (`none | user | customer | agent`).
    pub roles: BTreeMap<String, DomainRole>,
    pub admin_approval: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DomainRole {
    None,
    User,
    Customer,
    Agent,
}

#[derive(Debug, PartialEq)]
pub struct CustomerAccess {
    pub origin: Origin,
    pub internal: bool,
    pub external: bool,
    pub external_domains: ExternalDomains,
    pub signup: Signup,
    pub anonymous_access: bool,
    pub email_account_creation: EmailAccountCreation,
}

impl Default for CustomerAccess {
    /// Atlassian's defaults for a new site; they apply when the section is absent.
    fn default() -> Self {
        CustomerAccess {
            origin: Origin::default(),
            internal: true,
            external: true,
            external_domains: ExternalDomains::Any,
            signup: Signup::Allow,
            anonymous_access: false,
            email_account_creation: EmailAccountCreation::Anyone,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExternalDomains {
    Any,
    /// Domains as written, each with its location.
    List(Vec<(String, Location)>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signup {
    Allow,
    Deny,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailAccountCreation {
    Anyone,
    AgentsOnly,
}

#[derive(Debug, PartialEq)]
pub struct User {
    pub origin: Origin,
    pub account_id: Text,
    pub email: Option<Text>,
    pub name: Option<Text>,
    pub account_type: AccountType,
    pub status: Status,
    pub site_access: bool,
    pub managed_by_other_org: bool,
    /// Its roles and groups, behind one pointer: most accounts (every
    /// portal-only customer) have none, and an account is the model's most
    /// numerous entity. With three lists of its own it took 112 bytes.
    pub(super) lists: Option<Box<UserLists>>,
}

/// What an account holds besides its own fields, read through [`User`].
#[derive(Debug, Default, PartialEq)]
pub struct UserLists {
    /// App key to role as written (`agent`, `customer`, `user`, `none`, ...).
    /// For `jira-servicemanagement` the value is one of [`JsmRole`]'s names.
    pub roles: AppRoles,
    pub admin_roles: ThinVec<String>,
    pub groups: ThinVec<Ref<GroupId>>,
}

impl UserLists {
    /// Boxed for a [`User`], if there is anything to keep.
    pub fn kept(self) -> Option<Box<UserLists>> {
        let empty = self.roles.0.is_empty() && self.admin_roles.is_empty() && self.groups.is_empty();
        (!empty).then(|| Box::new(self))
    }
}

static NO_ROLES: AppRoles = AppRoles(ThinVec::new());

impl User {
    pub fn roles(&self) -> &AppRoles {
        self.lists.as_ref().map_or(&NO_ROLES, |l| &l.roles)
    }

    pub fn admin_roles(&self) -> &[String] {
        self.lists.as_ref().map_or(&[], |l| &l.admin_roles)
    }

    pub fn groups(&self) -> &[Ref<GroupId>] {
        self.lists.as_ref().map_or(&[], |l| &l.groups)
    }

    pub fn groups_mut(&mut self) -> &mut [Ref<GroupId>] {
        self.lists.as_mut().map_or(&mut [], |l| &mut l.groups)
    }
}

/// App keys and the roles written for them, in key order, each key once.
/// A sorted list rather than a map: an account has a role or two, and a
/// `BTreeMap`'s first node is half a kilobyte.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AppRoles(ThinVec<(String, String)>);

impl AppRoles {
    pub fn get(&self, app: &str) -> Option<&String> {
        let found = self.0.binary_search_by(|(key, _)| key.as_str().cmp(app));
        found.ok().map(|index| &self.0[index].1)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &String)> {
        self.0.iter().map(|(app, role)| (app, role))
    }
}

/// From (app, role) pairs; of an app given twice, the first role is kept
/// (decoding reports the second as a duplicate key).
impl FromIterator<(String, String)> for AppRoles {
    fn from_iter<I: IntoIterator<Item = (String, String)>>(pairs: I) -> AppRoles {
        let mut roles: ThinVec<(String, String)> = pairs.into_iter().collect();
        roles.sort_by(|a, b| a.0.cmp(&b.0));
        roles.dedup_by(|later, earlier| later.0 == earlier.0);
        AppRoles(roles)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountType {
    Atlassian,
    Customer,
    App,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Active,
    Inactive,
    Closed,
}

/// A JSM app role, ordered from least to most access.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum JsmRole {
    None,
    Customer,
    Collaborator,
    Agent,
}

impl JsmRole {
    pub fn parse(text: &str) -> Option<JsmRole> {
        match text {
            "none" => Some(JsmRole::None),
            "customer" => Some(JsmRole::Customer),
            "collaborator" => Some(JsmRole::Collaborator),
            "agent" => Some(JsmRole::Agent),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            JsmRole::None => "none",
            JsmRole::Customer => "customer",
            JsmRole::Collaborator => "collaborator",
            JsmRole::Agent => "agent",
        }
    }
}

#[derive(Debug, PartialEq)]
pub struct Group {
    pub origin: Origin,
    pub name: String,
    pub id: Option<String>,
    pub members: Vec<Ref<UserId>>,
    /// App key to role as written; `jira-servicemanagement` is a [`JsmRole`] name.
    pub roles: AppRoles,
}

#[derive(Debug, PartialEq)]
pub struct ProjectRole {
    pub origin: Origin,
    pub id: String,
    pub name: String,
}

#[derive(Debug, PartialEq)]
pub struct PermissionScheme {
    pub origin: Origin,
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub permissions: Vec<Grant>,
}

#[derive(Debug, PartialEq)]
pub struct Grant {
    pub origin: Origin,
    pub permission: String,
    pub holder: Holder,
}

#[derive(Debug, PartialEq)]
pub struct Holder {
    pub origin: Origin,
    /// `sd.customer.portal.only`, `projectRole`, `group`, `user`, `anyone`,
    /// `applicationRole`, `projectLead`, `reporter`, `assignee`,
    /// `groupCustomField`, `userCustomField`.
    pub kind: String,
    pub parameter: Option<String>,
    pub target: HolderTarget,
}

/// What a holder's parameter resolved to.
#[derive(Debug, Clone, PartialEq)]
pub enum HolderTarget {
    None,
    /// A project role, by its name (resolved from a name or a numeric id).
    Role(String),
    Group(GroupId),
    User(UserId),
    /// The parameter named nothing (SL005 reported).
    Unresolved,
}

#[derive(Debug, PartialEq)]
pub struct Project {
    pub origin: Origin,
    pub key: String,
    pub name: Option<String>,
    pub kind: ProjectType,
    pub permission_scheme: Option<Ref<SchemeId>>,
    pub lead: Option<Ref<UserId>>,
    pub roles: Vec<RoleActors>,
    pub service_desk: Option<ServiceDesk>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProjectType {
    ServiceDesk,
    Software,
    Business,
}

/// One role of a project and who holds it; origin key is the role name.
#[derive(Debug, PartialEq)]
pub struct RoleActors {
    pub origin: Origin,
    pub role: String,
    pub users: Vec<Ref<UserId>>,
    pub groups: Vec<Ref<GroupId>>,
}

#[derive(Debug, PartialEq)]
pub struct ServiceDesk {
    pub origin: Origin,
    pub channel_access: ChannelAccess,
    pub customers: Vec<Ref<UserId>>,
    pub organizations: Vec<Ref<OrgId>>,
    pub email_channels: Vec<EmailChannel>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelAccess {
    Open,
    Restricted,
}

#[derive(Debug, PartialEq)]
pub struct EmailChannel {
    pub origin: Origin,
    pub address: Option<String>,
    pub enabled: bool,
}

#[derive(Debug, PartialEq)]
pub struct Organization {
    pub origin: Origin,
    pub id: Option<String>,
    pub name: String,
    pub members: Vec<Ref<UserId>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_roles_are_found_by_app_and_listed_in_app_order() {
        let pairs = [("jira-software", "user"), ("confluence", "none"), ("jira-software", "none")];
        let roles: AppRoles = pairs.iter().map(|(a, r)| (a.to_string(), r.to_string())).collect();
        assert_eq!(roles.get("jira-software").map(String::as_str), Some("user"));
        assert_eq!(roles.get("jira"), None);
        let apps: Vec<&String> = roles.iter().map(|(app, _)| app).collect();
        assert_eq!(apps, ["confluence", "jira-software"]);
    }

    #[test]
    fn fields_below_free_form_keys_are_found_by_their_path() {
        let mut origin = Origin::new(FileId(0), Span::new(0, 40), None);
        origin.record_named("roles.jira-software".into(), Span::new(3, 8), Span::new(10, 25));
        origin.record_named("roles.confluence".into(), Span::new(27, 37), Span::new(39, 40));
        assert_eq!(origin.field_key_location("roles.jira-software").span, Span::new(3, 8));
        assert_eq!(origin.value_location("roles.jira-software").span, Span::new(10, 25));
        assert_eq!(origin.value_location("roles.confluence").span, Span::new(39, 40));
        assert!(!origin.states("roles.other"));
        assert_eq!(origin.value_location("roles.other").span, Span::new(0, 40));
    }

    #[test]
    fn the_key_an_entity_is_written_under_is_no_field() {
        let mut origin = Origin::new(FileId(0), Span::new(10, 40), Some(Span::new(2, 8)));
        origin.record(FieldPath::known(0), Span::new(12, 18), Span::new(20, 25));
        assert_eq!(origin.key_location().span, Span::new(2, 8));
        assert_eq!(origin.value_location("").span, Span::new(10, 40));
        assert!(!origin.states(""));
        assert_eq!(Origin::new(FileId(0), Span::new(10, 40), None).key_location().span, Span::new(10, 40));
    }

    /// An account is the model's most numerous entity: 96 bytes is
    /// mimalloc's size class, the next one up is 112.
    #[test]
    fn an_account_is_96_bytes() {
        assert_eq!(std::mem::size_of::<User>(), 96);
    }

    /// An account without roles or groups (every portal-only customer, as
    /// a rule) keeps no lists; one with any keeps them all.
    #[test]
    fn only_accounts_with_roles_or_groups_keep_lists() {
        assert!(UserLists::default().kept().is_none());
        let admin =
            UserLists { admin_roles: ["site-admin".to_string()].into_iter().collect(), ..Default::default() };
        assert_eq!(admin.kept().unwrap().admin_roles.as_slice(), ["site-admin"]);
        let roles: AppRoles = [("jira-software".to_string(), "user".to_string())].into_iter().collect();
        assert!(UserLists { roles, ..Default::default() }.kept().is_some());
        let mut user = User {
            origin: Origin::default(),
            account_id: "a".into(),
            email: None,
            name: None,
            account_type: AccountType::Customer,
            status: Status::Active,
            site_access: true,
            managed_by_other_org: false,
            lists: None,
        };
        assert!(user.roles().iter().next().is_none() && user.admin_roles().is_empty());
        assert!(user.groups().is_empty() && user.groups_mut().is_empty());
    }

    /// A reference's target takes no room beyond its id.
    #[test]
    fn a_reference_is_32_bytes() {
        assert_eq!(std::mem::size_of::<Option<UserId>>(), 4);
        assert_eq!(std::mem::size_of::<Ref<UserId>>(), 32);
    }

    #[test]
    fn ids_keep_their_position_and_order() {
        assert_eq!(UserId::from(0).index(), 0);
        assert_eq!(OrgId::from(u32::MAX - 1).position(), u32::MAX - 1);
        assert!(GroupId::from(1) < GroupId::from(2));
        assert_eq!(format!("{:?}", ProjectId::from(3)), "ProjectId(3)");
    }
}
