//! Entities and references as CEL values that borrow the model: a [`Node`]
//! is a pointer to the view and which thing it stands for, and each field is
//! computed when an expression reads it. Binding a node to a variable, or
//! putting it in a list, copies two words, never the site.
//!
//! Nodes also answer a few hidden keys, the *place protocol*, that
//! `key_of`/`value_of`/`stated` and the engine use to turn a value into a
//! location (rule expressions cannot name fields starting with `_`):
//!
//! - `_loc`: the [`Place`] the node stands for (the entity, or where a
//!   reference is written); absent for nodes that are no place (a section
//!   the snapshot does not write, such as `site:` or a defaulted
//!   `customer_access:`);
//! - `_key`, `_key:<field>`, `_value:<field>`: the places of its key, of a
//!   field's key, of a field's value (the entity when the field is not written);
//! - `_stated:<field>`: whether the snapshot writes the field;
//! - `_id`: which node it is, for equality;
//! - `_name`: how it reads in a message (see [`View::natural_name`]).

use std::any::Any;

use cel::ExecutionError;
use cel::common::traits::Indexer;
use cel::common::types::{CelString, Kind, MAP_TYPE, Type};
use cel::common::value::{CowVal, StaticVal, Val};

use super::View;
use crate::model::site::Origin;
use crate::source::Location;

/// The hidden key a node answers with its natural name.
pub const NAME: &str = "_name";

/// What a [`Node`] stands for, by index into the model (or into the view's
/// own tables for references).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Of {
    Site,
    CustomerAccess,
    UserAccess,
    Invite(usize),
    Domain(usize),
    User(usize),
    /// One source of a user's JSM role: `jsm_role_sources[index]`.
    RoleSource {
        user: usize,
        index: usize,
    },
    /// One place a project role names the user: `role_refs[index]`.
    RoleRef {
        user: usize,
        index: usize,
    },
    Group(usize),
    ProjectRole(usize),
    Scheme(usize),
    Grant {
        scheme: usize,
        index: usize,
    },
    Holder {
        scheme: usize,
        index: usize,
    },
    Project(usize),
    /// Who holds a role of a project: `projects[project].roles[role]`.
    Actors {
        project: usize,
        role: usize,
    },
    /// A user (`group: false`) or group reference in a project role.
    RoleActor {
        project: usize,
        role: usize,
        group: bool,
        index: usize,
    },
    ServiceDesk(usize),
    EmailChannel {
        project: usize,
        index: usize,
    },
    Organization(usize),
    OrgMember {
        org: usize,
        index: usize,
    },
    /// An entry of the view's customer references.
    CustomerRef(usize),
}

/// A CEL value standing for something in the model.
#[derive(Clone, Copy)]
pub struct Node<'a> {
    pub(in crate::rules) view: &'a View<'a>,
    pub(in crate::rules) of: Of,
}

impl std::fmt::Debug for Node<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Node({:?})", self.of)
    }
}

/// Where a node stands: an entity with its fields' spans, or a reference.
pub(super) enum Anchor<'a> {
    Entity(&'a Origin),
    Reference(Location),
}

impl<'a> Node<'a> {
    pub(in crate::rules) fn new(view: &'a View<'a>, of: Of) -> Node<'a> {
        Node { view, of }
    }

    /// The answer to a hidden key of the place protocol, if `key` is one.
    pub(in crate::rules) fn hidden(&self, key: &str) -> Option<Box<dyn Val + 'a>> {
        if key == "_id" {
            return Some(Box::new(Identity(self.of)));
        }
        if key == NAME {
            return Some(Box::new(CelString::from(self.view.natural_name(self.of).into_owned())));
        }
        if let Some(field) = key.strip_prefix("_stated:") {
            let stated = matches!(self.view.anchor(self.of)?, Anchor::Entity(o) if o.states(field));
            return Some(Box::new(cel::common::types::CelBool::from(stated)));
        }
        Some(Box::new(Place(self.place(key)?)))
    }

    /// Where a place key of the protocol (`_loc`, `_key`, `_key:field`,
    /// `_value:field`) points, if the node has that place.
    pub(in crate::rules) fn place(&self, key: &str) -> Option<Location> {
        Some(match (self.view.anchor(self.of)?, key.split_once(':')) {
            (Anchor::Reference(at), _) if key == "_loc" || key == "_key" || key.contains(':') => at,
            (Anchor::Entity(o), None) if key == "_loc" => o.location(),
            (Anchor::Entity(o), None) if key == "_key" => o.key_location(),
            (Anchor::Entity(o), Some(("_key", field))) => o.field_key_location(field),
            (Anchor::Entity(o), Some(("_value", field))) => o.value_location(field),
            _ => return None,
        })
    }
}

impl Val for Node<'_> {
    fn get_type(&self) -> &Type {
        &MAP_TYPE
    }

    fn cel_type() -> &'static Type {
        &MAP_TYPE
    }

    fn as_indexer<'b, 'w>(&'b self) -> Option<&'b (dyn Indexer + 'w)>
    where
        Self: 'w,
    {
        Some(self)
    }

    fn equals(&self, other: &dyn Val) -> bool {
        let Some(other) = other.as_indexer() else { return false };
        let Ok(id) = other.get(&CelString::from("_id")) else { return false };
        id.downcast_ref::<Identity>().is_some_and(|id| id.0 == self.of)
    }

    fn clone_as_boxed<'w>(&self) -> Box<dyn Val + 'w>
    where
        Self: 'w,
    {
        Box::new(*self)
    }
}

impl Indexer for Node<'_> {
    fn get<'b, 'w>(&'b self, key: &dyn Val) -> Result<CowVal<'b, 'w>, ExecutionError>
    where
        Self: 'w,
    {
        let Some(name) = key.downcast_ref::<CelString>() else {
            return Err(ExecutionError::UnexpectedType {
                got: key.get_type().name().to_owned(),
                want: "a field name".to_owned(),
            });
        };
        let name = name.inner();
        if crate::rules::budget::exhausted() {
            // The engine reports the rule as stopped and drops what it found.
            return Err(ExecutionError::function_error("", "the rule ran out of its time limit"));
        }
        let value = if name.starts_with('_') { self.hidden(name) } else { self.view.field(self.of, name) };
        value.map(CowVal::Owned).ok_or_else(|| ExecutionError::no_such_key(name))
    }

    fn steal<'w>(self: Box<Self>, key: &dyn Val) -> Result<Box<dyn Val + 'w>, ExecutionError>
    where
        Self: 'w,
    {
        self.get(key).map(CowVal::into_owned)
    }
}

/// A place in the snapshot, as a CEL value: what `key_of`/`value_of` return
/// and what `_loc` answers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Place(pub Location);

static PLACE_TYPE: Type = Type::simple_type(Kind::Opaque, "sitelint.place");

impl Val for Place {
    fn get_type(&self) -> &Type {
        &PLACE_TYPE
    }

    fn cel_type() -> &'static Type {
        &PLACE_TYPE
    }

    fn equals(&self, other: &dyn Val) -> bool {
        other.downcast_ref::<Place>() == Some(self)
    }

    fn clone_as_boxed<'w>(&self) -> Box<dyn Val + 'w> {
        Box::new(*self)
    }

    fn as_any(&self) -> Option<&dyn Any> {
        Some(self)
    }
}

impl StaticVal for Place {}

/// Which node a value is, for equality between nodes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Identity(pub(super) Of);

static IDENTITY_TYPE: Type = Type::simple_type(Kind::Opaque, "sitelint.identity");

impl Val for Identity {
    fn get_type(&self) -> &Type {
        &IDENTITY_TYPE
    }

    fn cel_type() -> &'static Type {
        &IDENTITY_TYPE
    }

    fn equals(&self, other: &dyn Val) -> bool {
        other.downcast_ref::<Identity>() == Some(self)
    }

    fn clone_as_boxed<'w>(&self) -> Box<dyn Val + 'w> {
        Box::new(*self)
    }

    fn as_any(&self) -> Option<&dyn Any> {
        Some(self)
    }
}

impl StaticVal for Identity {}
