//! Schema-directed decoding of the spanned trees into the typed [`Site`]
//! (SNAPSHOT-FORMAT.md): unknown keys (SL002), wrong types and values (SL003),
//! duplicates (SL004) and missing required fields (SL006). Defaults are
//! applied here; references keep their text until `resolve`.
//!
//! Each document is decoded on its own, here, against the schemas of
//! `schema`; [`merge`] then makes one site of them and settles what
//! depends on the documents before (identifiers and sections written twice).
//!
//! Where the spec leaves a choice open:
//! - A value that fails SL003 counts as not given, but a required field
//!   given with a wrong value is not reported a second time as missing
//!   (SL006): one finding per mistake. The entity is left out all the same.
//! - `service_desk` on a project whose `type` is not `service_desk` is SL003
//!   at its value, and the service desk is ignored.
//! - An approved domain without `domain` is kept (only the fields listed as
//!   required are), but matches no email: its roles reach nobody, and the
//!   rules about what a domain gives (UA003, UA004) have nothing to report.
//! - A singleton section that already appeared is ignored with everything
//!   decoding it found; a later entity with a taken identifier is decoded
//!   (its own mistakes are reported) and then left out.
//! - `Origin::fields` lists a field only when its value is used: a null or
//!   invalid value is "not given", so rules never point at it as a setting.

use std::collections::hash_map::Entry as Slot;
use std::fmt;

use foldhash::HashMap;
use thin_vec::ThinVec;

use crate::finding::{Check, Finding};
use crate::shared::Text;
use crate::source::{FileId, Location, Span, shortened};
use crate::tree::{Document, Entry, Node, ScalarKind, Value};

use super::facts::{DomainNumbers, EmailDomains};
use super::index::UserHashes;
use super::site::*;
use super::text::{closest, fold};

mod merge;
mod schema;

pub use schema::is_key as is_snapshot_key;

pub use merge::merge;
pub(super) use merge::remove;
pub use schema::JSM_APP;
pub(super) use schema::known_path;
use schema::*;

/// Decodes one document on its own. What depends on the documents before
/// it, identifiers and singleton sections written twice (SL004), is settled
/// by [`merge`]; so a caller may decode each file as soon as it is parsed,
/// and drop its tree.
pub fn decode_document(document: &Document) -> Part {
    let mut decoder =
        Decoder { file: document.file, part: Part::default(), domains: DomainNumbers::default() };
    decoder.document(document);
    let mut part = decoder.part;
    part.user_hashes.shrink_to_fit();
    part.email_domains = decoder.domains.finish();
    part
}

/// One document, decoded on its own.
#[derive(Default)]
pub struct Part {
    site: Site,
    findings: Vec<Finding>,
    /// Its singleton sections, in order.
    sections: Vec<Section>,
    /// Its users' email domains.
    email_domains: EmailDomains,
    /// Its users' hashes, for the site's indexes.
    user_hashes: UserHashes,
}

/// A singleton section of a part, and which of the part's findings came
/// from decoding it.
struct Section {
    key: &'static str,
    at: Location,
    findings: std::ops::Range<usize>,
}

/// What a flag written as something else likely meant: `"true"` quoted,
/// or YAML 1.1's `yes`, `no`, `on` and `off`, which YAML 1.2 reads as text.
fn flag_help(text: &str) -> Option<String> {
    let meant = match text.to_ascii_lowercase().as_str() {
        "true" | "yes" | "y" | "on" => "true",
        "false" | "no" | "n" | "off" => "false",
        _ => return None,
    };
    Some(format!("write {meant}, unquoted"))
}

/// Mappings up to this many entries find repeated keys by scanning.
const SHORT_MAPPING: usize = 16;

/// A field named in a message: a key, or an entry of a list under a key.
#[derive(Clone, Copy)]
enum Field<'k> {
    Key(&'k str),
    ItemOf(&'k str),
}

impl fmt::Display for Field<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Field::Key(key) => write!(f, "`{key}`"),
            Field::ItemOf(key) => write!(f, "an entry of `{key}`"),
        }
    }
}

/// What `decode` makes of `items`, in order, in a list sized for all of
/// them: a file can list tens of thousands of users, and a list grown by
/// doubling copies them and touches twice the memory.
fn sized_for<'a, T, L: SizedList<T>>(items: &'a [Node], decode: impl FnMut(&'a Node) -> Option<T>) -> L {
    let mut decoded = L::with_capacity(items.len());
    decoded.extend(items.iter().filter_map(decode));
    decoded
}

/// The model's two kinds of list: `Vec`, and `ThinVec` for the lists that
/// accounts hold.
trait SizedList<T>: Extend<T> {
    fn with_capacity(capacity: usize) -> Self;
}

impl<T> SizedList<T> for Vec<T> {
    fn with_capacity(capacity: usize) -> Self {
        Vec::with_capacity(capacity)
    }
}

impl<T> SizedList<T> for ThinVec<T> {
    fn with_capacity(capacity: usize) -> Self {
        ThinVec::with_capacity(capacity)
    }
}

/// What a value was, for messages: its kind, and its text when a scalar.
fn found(node: &Node) -> String {
    match node.as_scalar() {
        Some(scalar) if !node.is_null() => format!("{} `{}`", node.kind_name(), shortened(&scalar.text, 60)),
        _ => node.kind_name().to_string(),
    }
}

/// The text of a non-null scalar.
fn scalar_text(node: &Node) -> Option<&str> {
    node.as_scalar().filter(|_| !node.is_null()).map(|s| s.text.as_str())
}

/// A mapping read against its schema: the entry of each of its keys
/// (first occurrence), and its origin, which collects each field as it is
/// used.
struct Entity<'a> {
    schema: &'static Schema,
    /// By key index.
    entries: [Option<&'a Entry>; MAX_KEYS],
    origin: Origin,
}

impl<'a> Entity<'a> {
    /// The entry of a key, unless absent or null (not given).
    fn get(&self, key: Key) -> Option<&'a Entry> {
        debug_assert_eq!(key.schema, self.schema.id, "`{}` is not a key of {}", key.name, self.schema.what);
        self.entries[usize::from(key.index)].filter(|entry| !entry.value.is_null())
    }

    /// [`get`](Self::get), with the path the field records.
    fn field(&self, key: Key) -> Option<(FieldPath, &'a Entry)> {
        self.get(key).map(|entry| (self.schema.path(usize::from(key.index)), entry))
    }

    /// Records where a field of the schema is, its value being used.
    fn record(&mut self, path: FieldPath, entry: &Entry) {
        self.origin.record(path, entry.key.span, entry.value.span);
    }

    /// The entity is written under a key (a section, a role name).
    fn under_key(mut self, key: Span) -> Self {
        self.origin.set_key(key);
        self
    }
}

/// The keys of a mapping seen so far, with the entry each was first
/// written with, to find repeats: scanned while they are few, looked up in
/// an index once they are many.
#[derive(Default)]
struct Seen<'a> {
    keys: Vec<(&'a str, &'a Entry)>,
    index: Option<HashMap<&'a str, usize>>,
}

impl<'a> Seen<'a> {
    /// The entry `key` was first written with, if it was seen; else records it.
    fn first(&mut self, key: &'a str, entry: &'a Entry) -> Option<&'a Entry> {
        if self.index.is_none() && self.keys.len() >= SHORT_MAPPING {
            self.index = Some(self.keys.iter().enumerate().map(|(i, (key, _))| (*key, i)).collect());
        }
        let earlier = match &mut self.index {
            Some(index) => match index.entry(key) {
                Slot::Occupied(seen) => Some(*seen.get()),
                Slot::Vacant(slot) => {
                    slot.insert(self.keys.len());
                    None
                }
            },
            None => self.keys.iter().position(|(seen, _)| *seen == key),
        };
        match earlier {
            Some(i) => Some(self.keys[i].1),
            None => {
                self.keys.push((key, entry));
                None
            }
        }
    }
}

struct Decoder {
    part: Part,
    /// Its users' email domains, so far.
    domains: DomainNumbers,
    /// The file being decoded.
    file: FileId,
}

impl Decoder {
    fn at(&self, span: Span) -> Location {
        Location { file: self.file, span }
    }

    fn report(&mut self, finding: Finding) {
        self.part.findings.push(finding);
    }

    fn invalid(&mut self, node: &Node, message: String) {
        self.report(Check::InvalidValue.at(self.at(node.span), message));
    }

    fn document(&mut self, document: &Document) {
        self.file = document.file;
        let Some(mut top) = self.entity(&document.root, &TOP) else { return };
        self.check_format(&top);
        if let Some(entry) = top.get(key!(TOP, "site")) {
            self.part.site.info = self.section("site", entry, Self::site_info);
        }
        if let Some(entry) = top.get(key!(TOP, "user_access")) {
            self.part.site.user_access = self.section("user_access", entry, Self::user_access);
        }
        if let Some(entry) = top.get(key!(TOP, "customer_access")) {
            self.part.site.customer_access = self.section("customer_access", entry, Self::customer_access);
        }
        // A part is one document, so its lists are these (moved, not copied:
        // a file can hold tens of thousands of users).
        debug_assert!(self.part.site.users.is_empty(), "one document per part");
        let accounts = self.list_field(&mut top, key!(TOP, "users"));
        // Sized once: grown account by account, these lists were copied a
        // dozen times for a file of tens of thousands.
        self.part.user_hashes.reserve(accounts.len());
        self.domains.reserve(accounts.len());
        self.part.site.users = sized_for(accounts, |node| {
            let user = match self.plain_user(node) {
                Some(user) => user,
                None => self.user(node)?,
            };
            // Keyed now, while the account's text is in the cache.
            let email = user.email.as_deref().map(fold);
            self.part.user_hashes.push(&user.account_id, email.as_deref());
            self.domains.push(email.as_deref());
            Some(Box::new(user))
        });
        self.part.site.groups = self.entities(&mut top, key!(TOP, "groups"), Self::group);
        self.part.site.project_roles =
            self.entities(&mut top, key!(TOP, "project_roles"), Self::project_role);
        self.part.site.permission_schemes =
            self.entities(&mut top, key!(TOP, "permission_schemes"), Self::scheme);
        self.part.site.projects = self.entities(&mut top, key!(TOP, "projects"), Self::project);
        self.part.site.organizations =
            self.entities(&mut top, key!(TOP, "organizations"), Self::organization);
    }

    /// `format: 1`, the number: a quoted `"1"` is a string, which the
    /// format calls any other value.
    fn check_format(&mut self, top: &Entity) {
        let one = |node: &Node| {
            node.as_scalar().is_some_and(|scalar| scalar.kind == ScalarKind::Int && scalar.text == "1")
        };
        if let Some(entry) = top.get(key!(TOP, "format"))
            && !one(&entry.value)
        {
            self.invalid(&entry.value, format!("`format` must be 1, found {}", found(&entry.value)));
        }
    }

    // ---- mappings and keys ----

    /// The entries of `node`; SL003 when it is not a mapping, with help for
    /// what was found instead (`top` for a file's top level).
    fn entries<'a>(&mut self, node: &'a Node, what: impl fmt::Display, top: bool) -> Option<&'a [Entry]> {
        let Value::Map(entries) = &node.value else {
            let message = format!("{what} must be a mapping, found {}", found(node));
            let help = match &node.value {
                // A users file written as a bare list, as the REST API returns it.
                Value::Seq(_) if top => {
                    "put the list under its section's key at the top of the file: `users:`, \
                     `projects:`, `organizations:`, ..."
                }
                _ if top => "a snapshot file holds sections by key: `site:`, `users:`, `projects:`, ...",
                _ if node.is_null() => "give it its keys and values, or leave it out",
                Value::Seq(_) => {
                    "write its keys and values directly, not in a list: without `- ` in YAML, in `{}` \
                     rather than `[]` in JSON"
                }
                _ => {
                    "write it as keys and values: `key: value` lines in YAML (a space after each colon), \
                     `{\"key\": value}` in JSON"
                }
            };
            self.report(Check::InvalidValue.at(self.at(node.span), message).with_help(help));
            return None;
        };
        Some(entries)
    }

    /// The entries of a mapping with free-form keys, each key's first
    /// occurrence only (a repeat is SL004 at the later key). `self` and
    /// `expand` are REST bookkeeping here too: the format ignores them
    /// anywhere (SNAPSHOT-FORMAT.md), so they name no app or role.
    fn mapping<'a>(&mut self, node: &'a Node, what: impl fmt::Display) -> Option<Vec<(&'a str, &'a Entry)>> {
        let mut seen = Seen::default();
        for entry in self.entries(node, what, false)? {
            let Some(key) = self.key_text(entry) else { continue };
            if let Some(first) = seen.first(key, entry) {
                self.repeated_key(key, entry, first);
            }
        }
        seen.keys.retain(|(key, _)| !IGNORED_EVERYWHERE.contains(key));
        Some(seen.keys)
    }

    /// SL004 for a key written twice in one mapping.
    fn repeated_key(&mut self, key: &str, entry: &Entry, first: &Entry) {
        let message = format!("key `{key}` is written twice; the first value is used");
        let finding = Check::Duplicate.at(self.at(entry.key.span), message);
        self.report(finding.with_related(self.at(first.key.span), "first written here"));
    }

    fn key_text<'a>(&mut self, entry: &'a Entry) -> Option<&'a str> {
        let text = entry.key.as_scalar().map(|s| s.text.as_str());
        if text.is_none() {
            let kind = entry.key.kind_name();
            self.invalid(&entry.key, format!("a key must be a string, found {kind}"));
        }
        text
    }

    /// "Expect a mapping with these keys": reads the mapping, reports keys
    /// the schema does not have (SL002), and returns its known fields.
    ///
    /// Its keys go straight to their places: entities have a handful of
    /// keys, and there are millions of them. Only keys the schema lacks,
    /// each already SL002 (or ignored), are kept in a list to find repeats.
    fn entity<'a>(&mut self, node: &'a Node, schema: &'static Schema) -> Option<Entity<'a>> {
        let written = self.entries(node, schema.what, schema.id == TOP.id)?;
        let mut entries = [None; MAX_KEYS];
        let mut known = 0;
        let mut others = Seen::default();
        for entry in written {
            let Some(key) = self.key_text(entry) else { continue };
            let key = schema.aliases.iter().find(|(alias, _)| *alias == key).map_or(key, |(_, k)| *k);
            let first = match schema.keys.iter().position(|k| *k == key) {
                Some(index) => match entries[index] {
                    Some(first) => Some(first),
                    None => {
                        entries[index] = Some(entry);
                        known += 1;
                        None
                    }
                },
                None => {
                    let first = others.first(key, entry);
                    let ignored = IGNORED_EVERYWHERE.contains(&key)
                        || schema.ignored.contains(&key)
                        || (schema.expanded.contains(&key) && matches!(entry.value.value, Value::Map(_)));
                    if first.is_none() && !ignored {
                        self.unknown_key(key, entry, schema);
                    }
                    first
                }
            };
            if let Some(first) = first {
                self.repeated_key(key, entry, first);
            }
        }
        let mut origin = Origin::new(self.file, node.span, None);
        origin.reserve(known);
        Some(Entity { schema, entries, origin })
    }

    fn unknown_key(&mut self, key: &str, entry: &Entry, schema: &Schema) {
        // YAML 1.1's merge key is no key of YAML 1.2: what it names is not
        // merged, and the missing fields would be reported with no reason.
        if key == "<<" {
            let message = format!(
                "unknown key `<<` in {}: YAML merge keys are not supported, so nothing was merged here",
                schema.what
            );
            let help = "write the keys out in this mapping (an alias of a whole entity, `- *name`, works)";
            self.report(Check::UnknownKey.at(self.at(entry.key.span), message).with_help(help));
            return;
        }
        let help = match closest(key, schema.keys.iter().copied()) {
            Some(known) => format!("did you mean `{known}`?"),
            None => format!("expected one of: {}", schema.keys.join(", ")),
        };
        let message = format!("unknown key `{key}` in {}", schema.what);
        self.report(Check::UnknownKey.at(self.at(entry.key.span), message).with_help(help));
    }

    /// A singleton section, decoded by `decode`; [`merge`] ignores it, and
    /// what decoding it found, if an earlier document has it.
    fn section<T>(
        &mut self,
        key: &'static str,
        entry: &Entry,
        decode: impl FnOnce(&mut Self, &Entry) -> Option<T>,
    ) -> Option<T> {
        let findings = self.part.findings.len();
        let value = decode(self, entry);
        self.part.sections.push(Section {
            key,
            at: self.at(entry.key.span),
            findings: findings..self.part.findings.len(),
        });
        value
    }

    fn missing_field(&self, entity: &Entity, key: Key) -> Finding {
        let message = format!("{} is missing the required field `{}`", entity.schema.what, key.name);
        Check::MissingField.at(entity.origin.location(), message)
    }

    /// A required field's value; SL006 when it is not written at all (a
    /// written but invalid value already has its SL003).
    fn require<T>(&mut self, entity: &Entity, key: Key, value: Option<T>) -> Option<T> {
        if value.is_none() && entity.get(key).is_none() {
            self.report(self.missing_field(entity, key));
        }
        value
    }

    // ---- values ----

    /// The text of a string value; SL003 when it is not one.
    fn string<'n>(&mut self, node: &'n Node, field: Field) -> Option<&'n str> {
        let text = scalar_text(node);
        if text.is_none() {
            let message = format!("{field} must be a string, found {}", found(node));
            let help = match &node.value {
                _ if node.is_null() => "give it a value, or leave it out",
                Value::Map(_) => "write it as one text; in YAML, quote a text that starts with `{`",
                _ => "write one value, not a list; in YAML, quote a text that starts with `[`",
            };
            self.report(Check::InvalidValue.at(self.at(node.span), message).with_help(help));
        }
        text
    }

    fn text(&mut self, node: &Node, field: Field) -> Option<String> {
        self.string(node, field).map(str::to_string)
    }

    /// [`Self::text`] as the tree has it: a slice of the file's text where
    /// it can be.
    fn shared(&mut self, node: &Node, field: Field) -> Option<Text> {
        self.string(node, field)?;
        node.as_scalar().map(|scalar| scalar.text.clone())
    }

    fn flag(&mut self, node: &Node, field: Field) -> Option<bool> {
        match node.as_scalar().map(|s| s.kind) {
            Some(ScalarKind::Bool(value)) => Some(value),
            _ => {
                let message = format!("{field} must be true or false, found {}", found(node));
                let mut finding = Check::InvalidValue.at(self.at(node.span), message);
                if let Some(help) = node.as_scalar().and_then(|s| flag_help(s.text.as_str())) {
                    finding = finding.with_help(help);
                }
                self.report(finding);
                None
            }
        }
    }

    fn list<'a>(&mut self, node: &'a Node, field: Field) -> Option<&'a [Node]> {
        match &node.value {
            Value::Seq(items) => Some(items),
            _ => {
                let message = format!("{field} must be a list, found {}", found(node));
                let help = match &node.value {
                    Value::Map(entries) if entries.is_empty() => "an empty list is written `[]`",
                    Value::Map(_) => "start each item of a list with `- ` on a line of its own",
                    _ => "write a list: `[a, b]`, or each item on a line of its own after `- `",
                };
                self.report(Check::InvalidValue.at(self.at(node.span), message).with_help(help));
                None
            }
        }
    }

    /// The position of the node's text among `names`; SL003 listing them
    /// (and the closest one) otherwise.
    fn pick<'n>(
        &mut self,
        node: &Node,
        field: Field,
        names: impl Iterator<Item = &'n str> + Clone,
    ) -> Option<usize> {
        let text = scalar_text(node);
        if let Some(index) = text.and_then(|text| names.clone().position(|name| name == text)) {
            return Some(index);
        }
        let allowed: Vec<&str> = names.collect();
        let message = format!("{field} must be one of {}; found {}", allowed.join(", "), found(node));
        let mut finding = Check::InvalidValue.at(self.at(node.span), message);
        if let Some(close) = text.and_then(|text| closest(text, allowed.iter().copied())) {
            finding = finding.with_help(format!("did you mean `{close}`?"));
        }
        self.report(finding);
        None
    }

    fn choice<T: Copy>(&mut self, node: &Node, field: Field, table: &[(&str, T)]) -> Option<T> {
        let index = self.pick(node, field, table.iter().map(|(name, _)| *name))?;
        table.get(index).map(|(_, value)| *value)
    }

    fn one_of(&mut self, node: &Node, field: Field, names: &[&'static str]) -> Option<&'static str> {
        let index = self.pick(node, field, names.iter().copied())?;
        names.get(index).copied()
    }

    fn reference<T>(&mut self, node: &Node, field: Field) -> Option<Ref<T>> {
        let text = self.shared(node, field)?;
        Some(Ref::new(text, self.at(node.span)))
    }

    // ---- fields of an entity ----

    /// Reads a field with `read`, recording where it is when the value is used.
    fn field<'a, T>(
        &mut self,
        entity: &mut Entity<'a>,
        key: Key,
        read: impl FnOnce(&mut Self, &'a Entry) -> Option<T>,
    ) -> Option<T> {
        let (path, entry) = entity.field(key)?;
        let value = read(self, entry)?;
        entity.record(path, entry);
        Some(value)
    }

    fn text_field(&mut self, entity: &mut Entity, key: Key) -> Option<String> {
        self.field(entity, key, |d, entry| d.text(&entry.value, Field::Key(key.name)))
    }

    fn shared_field(&mut self, entity: &mut Entity, key: Key) -> Option<Text> {
        self.field(entity, key, |d, entry| d.shared(&entry.value, Field::Key(key.name)))
    }

    fn flag_field(&mut self, entity: &mut Entity, key: Key) -> Option<bool> {
        self.field(entity, key, |d, entry| d.flag(&entry.value, Field::Key(key.name)))
    }

    fn choice_field<T: Copy>(&mut self, entity: &mut Entity, key: Key, table: &[(&str, T)]) -> Option<T> {
        self.field(entity, key, |d, entry| d.choice(&entry.value, Field::Key(key.name), table))
    }

    fn list_field<'a>(&mut self, entity: &mut Entity<'a>, key: Key) -> &'a [Node] {
        self.field(entity, key, |d, entry| d.list(&entry.value, Field::Key(key.name))).unwrap_or(&[])
    }

    fn ref_field<T>(&mut self, entity: &mut Entity, key: Key) -> Option<Ref<T>> {
        self.field(entity, key, |d, entry| d.reference(&entry.value, Field::Key(key.name)))
    }

    fn refs_field<T, L: SizedList<Ref<T>>>(&mut self, entity: &mut Entity, key: Key) -> L {
        let items = self.list_field(entity, key);
        sized_for(items, |item| self.reference(item, Field::ItemOf(key.name)))
    }

    /// The entities of a list field, each decoded by `decode`.
    fn entities<'a, T>(
        &mut self,
        entity: &mut Entity<'a>,
        key: Key,
        mut decode: impl FnMut(&mut Self, &'a Node) -> Option<T>,
    ) -> Vec<T> {
        let items = self.list_field(entity, key);
        sized_for(items, |item| decode(self, item))
    }

    /// A mapping with free-form keys (app keys, role names) whose values
    /// `read` decodes from (key, entry, field name). The map and each used
    /// value are recorded, the values as `key.<name>`.
    fn keyed<'a, T>(
        &mut self,
        entity: &mut Entity<'a>,
        key: Key,
        mut read: impl FnMut(&mut Self, &'a str, &'a Entry, Field) -> Option<T>,
    ) -> Vec<T> {
        let entries = self.field(entity, key, |d, entry| d.mapping(&entry.value, Field::Key(key.name)));
        let mut values = Vec::new();
        for (name, entry) in entries.unwrap_or_default() {
            if entry.value.is_null() {
                continue;
            }
            let path = format!("{}.{name}", key.name);
            if let Some(value) = read(self, name, entry, Field::Key(&path)) {
                entity.origin.record_named(path, entry.key.span, entry.value.span);
                values.push(value);
            }
        }
        values
    }

    /// `roles` of users and groups: app key to role as written, the JSM
    /// role checked against its names.
    fn app_roles(&mut self, entity: &mut Entity, key: Key) -> AppRoles {
        // Most accounts (every portal-only customer) have no roles: nothing
        // to gather, sort or deduplicate.
        if entity.get(key).is_none() {
            return AppRoles::default();
        }
        let roles = self.keyed(entity, key, |d, app, entry, field| {
            let role = if app == JSM_APP {
                d.choice(&entry.value, field, JSM_ROLES)?.as_str().to_string()
            } else {
                d.text(&entry.value, field)?
            };
            Some((app.to_string(), role))
        });
        roles.into_iter().collect()
    }

    // ---- sections and entities ----

    fn site_info(&mut self, section: &Entry) -> Option<SiteInfo> {
        let mut e = self.entity(&section.value, &SITE)?.under_key(section.key.span);
        Some(SiteInfo {
            name: self.text_field(&mut e, key!(SITE, "name")),
            url: self.text_field(&mut e, key!(SITE, "url")),
            exported_at: self.text_field(&mut e, key!(SITE, "exported_at")),
            origin: e.origin,
        })
    }

    fn user_access(&mut self, section: &Entry) -> Option<UserAccess> {
        let mut e = self.entity(&section.value, &USER_ACCESS)?.under_key(section.key.span);
        let user_invites = self.keyed(&mut e, key!(USER_ACCESS, "user_invites"), |d, app, entry, field| {
            Some(UserInvite {
                mode: d.choice(&entry.value, field, INVITE_MODES)?,
                app: app.to_string(),
                origin: Origin::new(d.file, entry.value.span, Some(entry.key.span)),
            })
        });
        Some(UserAccess {
            user_invites,
            invite_links: self.flag_field(&mut e, key!(USER_ACCESS, "invite_links")).unwrap_or(false),
            approved_domains: self.entities(
                &mut e,
                key!(USER_ACCESS, "approved_domains"),
                Self::approved_domain,
            ),
            origin: e.origin,
        })
    }

    fn approved_domain(&mut self, node: &Node) -> Option<ApprovedDomain> {
        let mut e = self.entity(node, &APPROVED_DOMAIN)?;
        let domain = self.text_field(&mut e, key!(APPROVED_DOMAIN, "domain"));
        let roles = self.keyed(&mut e, key!(APPROVED_DOMAIN, "roles"), |d, app, entry, field| {
            Some((app.to_string(), d.choice(&entry.value, field, DOMAIN_ROLES)?))
        });
        let admin_approval =
            self.flag_field(&mut e, key!(APPROVED_DOMAIN, "admin_approval")).unwrap_or(false);
        Some(ApprovedDomain { origin: e.origin, domain, roles: roles.into_iter().collect(), admin_approval })
    }

    fn customer_access(&mut self, section: &Entry) -> Option<CustomerAccess> {
        let mut e = self.entity(&section.value, &CUSTOMER_ACCESS)?.under_key(section.key.span);
        let defaults = CustomerAccess::default();
        Some(CustomerAccess {
            internal: self.flag_field(&mut e, key!(CUSTOMER_ACCESS, "internal")).unwrap_or(defaults.internal),
            external: self.flag_field(&mut e, key!(CUSTOMER_ACCESS, "external")).unwrap_or(defaults.external),
            external_domains: self
                .field(&mut e, key!(CUSTOMER_ACCESS, "external_domains"), |d, entry| {
                    d.external_domains(&entry.value)
                })
                .unwrap_or(defaults.external_domains),
            signup: self
                .choice_field(&mut e, key!(CUSTOMER_ACCESS, "signup"), SIGNUP)
                .unwrap_or(defaults.signup),
            anonymous_access: self
                .flag_field(&mut e, key!(CUSTOMER_ACCESS, "anonymous_access"))
                .unwrap_or(defaults.anonymous_access),
            email_account_creation: self
                .choice_field(&mut e, key!(CUSTOMER_ACCESS, "email_account_creation"), EMAIL_ACCOUNT_CREATION)
                .unwrap_or(defaults.email_account_creation),
            origin: e.origin,
        })
    }

    fn external_domains(&mut self, node: &Node) -> Option<ExternalDomains> {
        let field = Field::ItemOf("external_domains");
        match &node.value {
            Value::Seq(items) => Some(ExternalDomains::List(
                items.iter().filter_map(|item| Some((self.text(item, field)?, self.at(item.span)))).collect(),
            )),
            _ if scalar_text(node) == Some("any") => Some(ExternalDomains::Any),
            _ => {
                let message =
                    format!("`external_domains` must be `any` or a list of domains, found {}", found(node));
                self.invalid(node, message);
                None
            }
        }
    }

    fn user(&mut self, node: &Node) -> Option<User> {
        let mut e = self.entity(node, &USER)?;
        let account_id = self.shared_field(&mut e, key!(USER, "account_id"));
        let email = self.shared_field(&mut e, key!(USER, "email"));
        let name = self.shared_field(&mut e, key!(USER, "name"));
        let account_type = self
            .choice_field(&mut e, key!(USER, "account_type"), ACCOUNT_TYPES)
            .unwrap_or(AccountType::Atlassian);
        let status = self.choice_field(&mut e, key!(USER, "status"), STATUSES).unwrap_or(Status::Active);
        let site_access = self.flag_field(&mut e, key!(USER, "site_access")).unwrap_or(true);
        let managed_by_other_org =
            self.flag_field(&mut e, key!(USER, "managed_by_other_org")).unwrap_or(false);
        let roles = self.app_roles(&mut e, key!(USER, "roles"));
        let admin_roles = self.list_field(&mut e, key!(USER, "admin_roles"));
        let admin_roles = admin_roles
            .iter()
            .filter_map(|item| self.one_of(item, Field::ItemOf("admin_roles"), ADMIN_ROLES))
            .map(str::to_string)
            .collect();
        let groups = self.refs_field(&mut e, key!(USER, "groups"));
        if account_type == AccountType::Customer && email.is_none() && e.get(key!(USER, "email")).is_none() {
            let help = "a portal-only account (`account_type: customer`) is known by its email";
            self.report(self.missing_field(&e, key!(USER, "email")).with_help(help));
        }
        let account_id = self.require(&e, key!(USER, "account_id"), account_id)?;
        Some(User {
            origin: e.origin,
            account_id,
            email,
            name,
            account_type,
            status,
            site_access,
            managed_by_other_org,
            lists: UserLists { roles, admin_roles, groups }.kept(),
        })
    }

    /// [`user`](Self::user), for an account written the way most of a big
    /// site's are (every portal-only customer): a mapping of `account_id`,
    /// `email`, `name` and `account_type`, each at most once and a scalar
    /// other than null, with an id, an account type written as one of its
    /// names, and an email if it is a customer. Such an account decodes
    /// without a finding, so its fields are read directly; anything else is
    /// `None`, for [`user`](Self::user) to decode and report (a test holds
    /// both to the same accounts). The general way took 2,650 instructions
    /// an account; this one about 700, before hashing and numbering.
    fn plain_user(&self, node: &Node) -> Option<User> {
        const FIELDS: [Key; 4] =
            [key!(USER, "account_id"), key!(USER, "email"), key!(USER, "name"), key!(USER, "account_type")];
        let Value::Map(entries) = &node.value else { return None };
        let mut written: [Option<&Entry>; FIELDS.len()] = [None; FIELDS.len()];
        for entry in entries {
            let key = entry.key.as_scalar()?.text.as_str();
            let field = FIELDS.iter().position(|field| field.name == key)?;
            if entry.value.as_scalar().is_none()
                || entry.value.is_null()
                || written[field].replace(entry).is_some()
            {
                return None;
            }
        }
        let [Some(account_id), email, name, written_type] = written else { return None };
        let account_type = match written_type {
            Some(entry) => {
                let text = scalar_text(&entry.value)?;
                ACCOUNT_TYPES.iter().find(|(name, _)| *name == text)?.1
            }
            None => AccountType::Atlassian,
        };
        if account_type == AccountType::Customer && email.is_none() {
            return None;
        }
        let mut origin = Origin::new(self.file, node.span, None);
        origin.reserve(entries.len());
        // Recorded in the order `user` reads them.
        let mut record = |entry: &Entry, field: Key| {
            origin.record(USER.path(usize::from(field.index)), entry.key.span, entry.value.span);
            entry.value.as_scalar().map(|scalar| scalar.text.clone())
        };
        let account_id = record(account_id, FIELDS[0])?;
        let email = email.and_then(|entry| record(entry, FIELDS[1]));
        let name = name.and_then(|entry| record(entry, FIELDS[2]));
        if let Some(entry) = written_type {
            record(entry, FIELDS[3]);
        }
        Some(User {
            origin,
            account_id,
            email,
            name,
            account_type,
            status: Status::Active,
            site_access: true,
            managed_by_other_org: false,
            lists: None,
        })
    }

    fn group(&mut self, node: &Node) -> Option<Group> {
        let mut e = self.entity(node, &GROUP)?;
        let name = self.text_field(&mut e, key!(GROUP, "name"));
        let id = self.text_field(&mut e, key!(GROUP, "id"));
        let members = self.refs_field(&mut e, key!(GROUP, "members"));
        let roles = self.app_roles(&mut e, key!(GROUP, "roles"));
        let name = self.require(&e, key!(GROUP, "name"), name)?;
        Some(Group { origin: e.origin, name, id, members, roles })
    }

    fn project_role(&mut self, node: &Node) -> Option<ProjectRole> {
        let mut e = self.entity(node, &PROJECT_ROLE)?;
        let id = self.text_field(&mut e, key!(PROJECT_ROLE, "id"));
        let name = self.text_field(&mut e, key!(PROJECT_ROLE, "name"));
        let (id, name) = (
            self.require(&e, key!(PROJECT_ROLE, "id"), id),
            self.require(&e, key!(PROJECT_ROLE, "name"), name),
        );
        Some(ProjectRole { origin: e.origin, id: id?, name: name? })
    }

    fn scheme(&mut self, node: &Node) -> Option<PermissionScheme> {
        let mut e = self.entity(node, &SCHEME)?;
        let id = self.text_field(&mut e, key!(SCHEME, "id"));
        let name = self.text_field(&mut e, key!(SCHEME, "name"));
        let description = self.text_field(&mut e, key!(SCHEME, "description"));
        let permissions = self.entities(&mut e, key!(SCHEME, "permissions"), Self::grant);
        let (id, name) =
            (self.require(&e, key!(SCHEME, "id"), id), self.require(&e, key!(SCHEME, "name"), name));
        Some(PermissionScheme { origin: e.origin, id: id?, name: name?, description, permissions })
    }

    fn grant(&mut self, node: &Node) -> Option<Grant> {
        let mut e = self.entity(node, &GRANT)?;
        let permission = self.text_field(&mut e, key!(GRANT, "permission"));
        let holder = self.field(&mut e, key!(GRANT, "holder"), |d, entry| d.holder(&entry.value));
        let permission = self.require(&e, key!(GRANT, "permission"), permission);
        let holder = self.require(&e, key!(GRANT, "holder"), holder);
        Some(Grant { origin: e.origin, permission: permission?, holder: holder? })
    }

    fn holder(&mut self, node: &Node) -> Option<Holder> {
        let mut e = self.entity(node, &HOLDER)?;
        let kind = self.field(&mut e, key!(HOLDER, "type"), |d, entry| {
            d.one_of(&entry.value, Field::Key("type"), HOLDER_TYPES)
        });
        let parameter = self.text_field(&mut e, key!(HOLDER, "parameter"));
        let kind = self.require(&e, key!(HOLDER, "type"), kind)?;
        Some(Holder { origin: e.origin, kind: kind.to_string(), parameter, target: HolderTarget::None })
    }

    fn project(&mut self, node: &Node) -> Option<Project> {
        let mut e = self.entity(node, &PROJECT)?;
        let key = self.text_field(&mut e, key!(PROJECT, "key"));
        let name = self.text_field(&mut e, key!(PROJECT, "name"));
        let kind = self.choice_field(&mut e, key!(PROJECT, "type"), PROJECT_TYPES);
        let permission_scheme = self.ref_field(&mut e, key!(PROJECT, "permission_scheme"));
        let lead = self.ref_field(&mut e, key!(PROJECT, "lead"));
        let roles =
            self.keyed(&mut e, key!(PROJECT, "roles"), |d, role, entry, _| d.role_actors(role, entry));
        let type_at = e.origin.value_location("type");
        let service_desk = self
            .field(&mut e, key!(PROJECT, "service_desk"), |d, entry| d.service_desk(entry, kind, type_at));
        let (key, kind) =
            (self.require(&e, key!(PROJECT, "key"), key), self.require(&e, key!(PROJECT, "type"), kind));
        Some(Project {
            origin: e.origin,
            key: key?,
            name,
            kind: kind?,
            permission_scheme,
            lead,
            roles,
            service_desk,
        })
    }

    fn role_actors(&mut self, role: &str, entry: &Entry) -> Option<RoleActors> {
        let mut e = self.entity(&entry.value, &ROLE_ACTORS)?.under_key(entry.key.span);
        Some(RoleActors {
            role: role.to_string(),
            users: self.refs_field(&mut e, key!(ROLE_ACTORS, "users")),
            groups: self.refs_field(&mut e, key!(ROLE_ACTORS, "groups")),
            origin: e.origin,
        })
    }

    /// A project's `service_desk`; only a service project may have one.
    fn service_desk(
        &mut self,
        section: &Entry,
        kind: Option<ProjectType>,
        type_at: Location,
    ) -> Option<ServiceDesk> {
        if let Some(other) = kind.filter(|kind| *kind != ProjectType::ServiceDesk) {
            let name = PROJECT_TYPES.iter().find(|(_, kind)| *kind == other).map_or("", |(n, _)| n);
            let message = format!(
                "`service_desk` is only for projects of type service_desk, found it on a {name} project; it is ignored"
            );
            let finding = Check::InvalidValue.at(self.at(section.value.span), message);
            self.report(finding.with_related(type_at, "the project's type"));
            return None;
        }
        let mut e = self.entity(&section.value, &SERVICE_DESK)?.under_key(section.key.span);
        Some(ServiceDesk {
            channel_access: self
                .choice_field(&mut e, key!(SERVICE_DESK, "channel_access"), CHANNEL_ACCESS)
                .unwrap_or(ChannelAccess::Open),
            customers: self.refs_field(&mut e, key!(SERVICE_DESK, "customers")),
            organizations: self.refs_field(&mut e, key!(SERVICE_DESK, "organizations")),
            email_channels: self.entities(&mut e, key!(SERVICE_DESK, "email_channels"), Self::email_channel),
            origin: e.origin,
        })
    }

    fn email_channel(&mut self, node: &Node) -> Option<EmailChannel> {
        let mut e = self.entity(node, &EMAIL_CHANNEL)?;
        Some(EmailChannel {
            address: self.text_field(&mut e, key!(EMAIL_CHANNEL, "address")),
            enabled: self.flag_field(&mut e, key!(EMAIL_CHANNEL, "enabled")).unwrap_or(true),
            origin: e.origin,
        })
    }

    fn organization(&mut self, node: &Node) -> Option<Organization> {
        let mut e = self.entity(node, &ORGANIZATION)?;
        let id = self.text_field(&mut e, key!(ORGANIZATION, "id"));
        let name = self.text_field(&mut e, key!(ORGANIZATION, "name"));
        let members = self.refs_field(&mut e, key!(ORGANIZATION, "members"));
        let name = self.require(&e, key!(ORGANIZATION, "name"), name)?;
        Some(Organization { origin: e.origin, id, name, members })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each account of `documents` that [`Decoder::plain_user`] decodes is
    /// the account [`Decoder::user`] decodes, without a finding; how many it
    /// decoded.
    fn plain_accounts_agree(documents: &[Document]) -> usize {
        let mut plain = 0;
        for document in documents {
            let Value::Map(top) = &document.root.value else { continue };
            let lists = top.iter().filter(|e| e.key.as_scalar().is_some_and(|k| k.text.as_str() == "users"));
            for users in lists {
                let Value::Seq(users) = &users.value.value else { continue };
                for node in users {
                    let decoder = || Decoder {
                        file: document.file,
                        part: Part::default(),
                        domains: DomainNumbers::default(),
                    };
                    let Some(user) = decoder().plain_user(node) else { continue };
                    let mut general = decoder();
                    assert_eq!(Some(&user), general.user(node).as_ref(), "{node:#?}");
                    assert_eq!(general.part.findings, [], "{node:#?}");
                    plain += 1;
                }
            }
        }
        plain
    }

    /// Accounts of every shape near the plain one, in YAML and in JSON:
    /// the plain ones are decoded as `user` decodes them, the others are
    /// left to it.
    #[test]
    fn plain_accounts_decode_as_every_account_does() {
        let yaml = r#"
users:
  - { account_id: "qm:1", email: a@x.com, name: Ann, account_type: customer }
  - { name: Bo, account_type: atlassian, email: b@x.com, account_id: "712020:2" }
  - { account_id: "712020:3" }
  - { account_id: 12345, email: c@x.com, account_type: app }
  - { account_id: "712020:4", name: "Dee \u00e9" }
  - { account_id: ~, email: d@x.com }
  - { email: e@x.com, account_type: customer }
  - { account_id: "qm:5", account_type: customer }
  - { account_id: "qm:6", email: f@x.com, account_type: Customer }
  - { account_id: "qm:7", email: [g@x.com] }
  - { account_id: "qm:8", email: h@x.com, email: i@x.com }
  - { account_id: "qm:9", email: j@x.com, status: active }
  - { account_id: "qm:10", email: k@x.com, roles: {} }
  - { account_id: "qm:11", nickname: k }
  - { account_id: "qm:12", name: ~ }
  - "qm:13"
"#;
        let loaded = crate::load::load_text("site.yaml", yaml).unwrap();
        assert_eq!(plain_accounts_agree(&loaded.documents), 5);
        let json = r#"{"users": [
            {"account_id": "qm:1", "email": "a@x.com", "name": "Ann", "account_type": "customer"},
            {"account_id": "qm:2", "email": "b@x.com", "name": 7, "account_type": "customer"},
            {"account_id": "qm:3", "email": null, "account_type": "customer"},
            {"account_id": "qm:4", "email": "c@x.com", "account_type": "customer", "groups": []}
        ]}"#;
        let root = crate::load::json::parse(json).unwrap();
        assert_eq!(plain_accounts_agree(&[Document { file: FileId(0), root }]), 2);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(512),
            failure_persistence: None,
            ..Default::default()
        })]

        /// Accounts made of the plain keys and others, each written zero,
        /// one or two times with values of every kind: the plain ones
        /// decode as `user` decodes them, in YAML and in JSON.
        #[test]
        fn any_account_decodes_the_plain_way_as_the_general_way(
            fields in proptest::collection::vec((0..6usize, 0..12usize), 0..7),
        ) {
            const KEYS: [&str; 6] = ["account_id", "email", "name", "account_type", "status", "nickname"];
            const VALUES: [&str; 12] = [
                "\"qm:1\"", "12", "null", "[\"a\"]", "{}", "\"customer\"", "\"Customer\"",
                "\"atlassian\"", "\"app\"", "\"a@x.com\"", "true", "\"\"",
            ];
            let entries: Vec<String> =
                fields.iter().map(|&(key, value)| format!("\"{}\": {}", KEYS[key], VALUES[value])).collect();
            let account = format!("{{{}}}", entries.join(", "));
            // JSON is YAML too: the same text through both loaders.
            let yaml = crate::load::load_text("site.yaml", &format!("users: [{account}]")).unwrap();
            plain_accounts_agree(&yaml.documents);
            let root = crate::load::json::parse(&format!("{{\"users\": [{account}]}}")).unwrap();
            plain_accounts_agree(&[Document { file: FileId(0), root }]);
        }
    }

    /// The same over every snapshot file of the repository: the example
    /// and the test fixtures.
    #[test]
    fn plain_accounts_of_the_repository_decode_as_every_account_does() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut plain = 0;
        for folder in ["snapshots", "tests/fixtures"] {
            for entry in walkdir::WalkDir::new(root.join(folder)).into_iter().filter_map(Result::ok) {
                let is_snapshot =
                    entry.path().extension().is_some_and(|e| e == "yaml" || e == "yml" || e == "json");
                if let (true, Ok(loaded)) = (is_snapshot, crate::load::load_path(entry.path())) {
                    plain += plain_accounts_agree(&loaded.documents);
                }
            }
        }
        assert!(plain > 0, "no account of the repository was plain");
    }

    #[test]
    fn every_schema_key_has_a_path_that_names_it() {
        for (id, schema) in SCHEMAS.iter().enumerate() {
            assert_eq!(usize::from(schema.id), id, "{} is out of place in SCHEMAS", schema.what);
            for (index, key) in schema.keys.iter().enumerate() {
                let mut origin = Origin::new(FileId(0), Span::new(0, 9), None);
                origin.record(schema.path(index), Span::new(1, 2), Span::new(3, 4));
                assert_eq!(origin.value_location(key).span, Span::new(3, 4), "{} {key}", schema.what);
            }
        }
    }
}
