//! What sitelint reports: a finding points at one place (the setting to
//! change) and may name related places (the other side of the story).

use std::borrow::Cow;
use std::sync::{Arc, LazyLock};

use thin_vec::ThinVec;

use crate::source::Location;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(text: &str) -> Option<Severity> {
        match text {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

/// One finding: what is wrong, where, and what to do ([`Details`], read
/// through it).
///
/// A box: a big site can have a hundred thousand findings, all held until
/// the report. Each chunk of a rule's items makes its own list, and the
/// lists are joined into one once the rules are done: with the findings
/// themselves in the lists, both copies were held at once (7 MB of the 63,490
/// findings of a 52 MB YAML site with 20% problems, at the check's peak),
/// where the boxes stay put and only their pointers are copied.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding(Box<Details>);

/// What a finding says. It keeps what its rule's findings share behind
/// pointers (88 bytes; 176 when the rule's code, name and link were
/// copied into each).
#[derive(Debug, Clone, PartialEq)]
pub struct Details {
    /// The rule or check that reported it.
    pub reporter: Arc<Reporter>,
    pub severity: Severity,
    /// Set once, by [`Details::new`]: the entity may be read from it.
    message: Message,
    /// Shared: most of a rule's findings give the same help (see
    /// `rules::engine::SharedTexts`).
    pub help: Option<SharedText>,
    pub primary: Location,
    /// Text of the primary label (what is wrong right here). Shared, as
    /// the help.
    pub label: Option<SharedText>,
    pub related: ThinVec<Related>,
    /// What the finding is about, where it is not the start of the message
    /// (see [`Details::entity`]). How an entity is kept depends only on it
    /// and the message, so findings alike keep theirs alike, and the
    /// derived equality (which drops repeats) compares what they say.
    entity: Option<Box<str>>,
    /// The length of the entity where the message starts with it, else 0.
    /// A rule's message usually opens with its subject ("bob@acme.com is
    /// a customer of ..."), and a copy of it was 1.9 MB of the 63,490
    /// findings of a site generated with 20% problems (52 MB as YAML).
    /// It takes room the layout leaves spare.
    entity_in_message: u16,
}

impl Details {
    /// A finding's details with no help, label, related places or entity.
    pub fn new(reporter: Arc<Reporter>, severity: Severity, message: Message, primary: Location) -> Details {
        Details {
            reporter,
            severity,
            message,
            help: None,
            primary,
            label: None,
            related: ThinVec::new(),
            entity: None,
            entity_in_message: 0,
        }
    }

    pub fn message(&self) -> &Message {
        &self.message
    }

    /// What the finding is about (a user's email, a project key, a scheme
    /// name, a domain): how suppressions and baselines name it, so they
    /// survive edits elsewhere in the file.
    pub fn entity(&self) -> Option<&str> {
        match self.entity_in_message {
            0 => self.entity.as_deref(),
            len => self.message.own.get(..usize::from(len)),
        }
    }

    /// Sets the entity.
    pub fn set_entity(&mut self, entity: String) {
        let len = u16::try_from(entity.len()).ok().filter(|&len| len > 0);
        match len.filter(|_| self.message.own.starts_with(entity.as_str())) {
            Some(len) => (self.entity, self.entity_in_message) = (None, len),
            None => (self.entity, self.entity_in_message) = (Some(entity.into_boxed_str()), 0),
        }
    }
}

/// A text many findings share: a rule's help, its labels and related
/// messages, the ending of its messages. A thin pointer to it: an
/// `Arc<str>` is 16 bytes, and a finding holds three or four of these
/// (with them, its details took 112 bytes instead of 88).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SharedText(Arc<Box<str>>);

impl SharedText {
    /// Whether `a` and `b` are one shared text, not two equal ones.
    pub fn ptr_eq(a: &SharedText, b: &SharedText) -> bool {
        Arc::ptr_eq(&a.0, &b.0)
    }
}

impl std::ops::Deref for SharedText {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

/// For looking a text up by its `str` in a set of them.
impl std::borrow::Borrow<str> for SharedText {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<&str> for SharedText {
    fn from(text: &str) -> SharedText {
        SharedText(Arc::new(text.into()))
    }
}

impl From<String> for SharedText {
    fn from(text: String) -> SharedText {
        SharedText(Arc::new(text.into_boxed_str()))
    }
}

impl std::fmt::Debug for SharedText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&**self, f)
    }
}

impl std::fmt::Display for SharedText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self)
    }
}

/// A finding's message: the text written for this finding, then the ending
/// all its rule's findings share, kept once.
///
/// A rule's message template usually ends in what people will see, the
/// same for every finding ("Agents adding them get \"This customer is
/// inactive\", and ..."): 8 of the 19 MB of messages on the 59 MB site
/// generated with 20% problems. It compares and prints as the whole text;
/// where it is split does not matter.
#[derive(Debug, Clone)]
pub struct Message {
    own: Box<str>,
    ending: Option<SharedText>,
}

impl Message {
    /// `own`, then `ending`.
    pub fn new(own: impl Into<Box<str>>, ending: Option<SharedText>) -> Message {
        Message { own: own.into(), ending: ending.filter(|e| !e.is_empty()) }
    }

    /// Its text in order: this finding's, then the shared ending.
    pub fn parts(&self) -> impl Iterator<Item = &str> {
        std::iter::once(&*self.own).chain(self.ending.as_deref())
    }

    /// The whole text, borrowed where it has no shared ending.
    pub fn text(&self) -> Cow<'_, str> {
        match &self.ending {
            None => Cow::Borrowed(&self.own),
            Some(ending) => Cow::Owned(format!("{}{ending}", self.own)),
        }
    }

    fn bytes(&self) -> impl Iterator<Item = u8> + '_ {
        self.parts().flat_map(str::bytes)
    }

    fn len(&self) -> usize {
        self.own.len() + self.ending.as_ref().map_or(0, |e| e.len())
    }
}

impl From<String> for Message {
    fn from(text: String) -> Message {
        Message { own: text.into_boxed_str(), ending: None }
    }
}

impl From<&str> for Message {
    fn from(text: &str) -> Message {
        Message { own: text.into(), ending: None }
    }
}

impl std::fmt::Display for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.parts().try_for_each(|part| f.write_str(part))
    }
}

/// As its whole text (for the JSON report's tests, which compare it with
/// serde_json's).
impl serde::Serialize for Message {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl PartialEq for Message {
    fn eq(&self, other: &Message) -> bool {
        self.len() == other.len() && self.bytes().eq(other.bytes())
    }
}

impl Eq for Message {}

impl PartialOrd for Message {
    fn partial_cmp(&self, other: &Message) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Message {
    /// As the whole texts compare. Where neither part of its own starts the
    /// other, they decide, and the endings need not be read.
    fn cmp(&self, other: &Message) -> std::cmp::Ordering {
        let (a, b) = (&*self.own, &*other.own);
        if a == b {
            self.ending.as_deref().unwrap_or("").cmp(other.ending.as_deref().unwrap_or(""))
        } else if !a.starts_with(b) && !b.starts_with(a) {
            a.cmp(b)
        } else {
            self.bytes().cmp(other.bytes())
        }
    }
}

impl PartialEq<str> for Message {
    fn eq(&self, other: &str) -> bool {
        self.len() == other.len() && self.bytes().eq(other.bytes())
    }
}

impl PartialEq<&str> for Message {
    fn eq(&self, other: &&str) -> bool {
        *self == **other
    }
}

/// What reports findings, a rule or a check: the same for all its findings.
#[derive(Debug, PartialEq, Eq)]
pub struct Reporter {
    pub code: Arc<str>,
    pub name: Arc<str>,
    /// Where the rule is documented; the checks have no page of their own.
    pub url: Option<Arc<str>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Related {
    pub location: Location,
    /// Shared, as a finding's help.
    pub message: SharedText,
}

impl From<Details> for Finding {
    fn from(details: Details) -> Finding {
        Finding(Box::new(details))
    }
}

impl std::ops::Deref for Finding {
    type Target = Details;

    fn deref(&self) -> &Details {
        &self.0
    }
}

impl std::ops::DerefMut for Finding {
    fn deref_mut(&mut self) -> &mut Details {
        &mut self.0
    }
}

impl Finding {
    pub fn code(&self) -> &str {
        &self.reporter.code
    }

    pub fn name(&self) -> &str {
        &self.reporter.name
    }

    pub fn url(&self) -> Option<&str> {
        self.reporter.url.as_deref()
    }

    /// What the finding is about, stable across edits elsewhere in the file:
    /// its entity, or for findings without one (the snapshot checks) the
    /// message, which names the key or value at fault and never a line.
    pub fn subject(&self) -> Cow<'_, str> {
        match self.entity() {
            Some(entity) => Cow::Borrowed(entity),
            None => self.message.text(),
        }
    }

    /// The order findings are printed in: file, then position, then code.
    /// Files are numbered in sorted path order, so `FileId` order is path order.
    pub fn sort_key(&self) -> impl Ord + '_ {
        (self.primary, self.code(), &self.message)
    }
}

/// Sorts findings into their printing order and drops exact repeats (the
/// same rule reaching the same place twice with the same message). A
/// stable sort: findings alike in their sort key keep the rules' order.
pub fn sort_findings(findings: &mut Vec<Finding>) {
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    findings.dedup();
}

/// The checks built into sitelint, reported like rule findings: the snapshot
/// checks of the loader and the model (SNAPSHOT-FORMAT.md, "Validation"), and
/// the checks of the config file's suppressions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// SL001: not valid YAML/JSON, or empty.
    Syntax,
    /// SL002: a key the format does not have.
    UnknownKey,
    /// SL003: wrong type or a value outside the allowed set.
    InvalidValue,
    /// SL004: a key twice, a singleton section twice, an identifier twice.
    Duplicate,
    /// SL005: a reference that names nothing.
    UnresolvedReference,
    /// SL006: a required field is missing.
    MissingField,
    /// SL100: a suppression in the config file that matches no finding.
    UnusedSuppression,
    /// SL101: a suppression past its `expires` date, which hides nothing any more.
    ExpiredSuppression,
}

impl Check {
    pub const ALL: [Check; 8] = [
        Check::Syntax,
        Check::UnknownKey,
        Check::InvalidValue,
        Check::Duplicate,
        Check::UnresolvedReference,
        Check::MissingField,
        Check::UnusedSuppression,
        Check::ExpiredSuppression,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Check::Syntax => "SL001",
            Check::UnknownKey => "SL002",
            Check::InvalidValue => "SL003",
            Check::Duplicate => "SL004",
            Check::UnresolvedReference => "SL005",
            Check::MissingField => "SL006",
            Check::UnusedSuppression => "SL100",
            Check::ExpiredSuppression => "SL101",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Check::Syntax => "invalid-syntax",
            Check::UnknownKey => "unknown-key",
            Check::InvalidValue => "invalid-value",
            Check::Duplicate => "duplicate",
            Check::UnresolvedReference => "unresolved-reference",
            Check::MissingField => "missing-field",
            Check::UnusedSuppression => "unused-suppression",
            Check::ExpiredSuppression => "expired-suppression",
        }
    }

    pub fn severity(self) -> Severity {
        match self {
            Check::UnknownKey | Check::UnusedSuppression | Check::ExpiredSuppression => Severity::Warning,
            _ => Severity::Error,
        }
    }

    pub fn summary(self) -> &'static str {
        match self {
            Check::Syntax => "A file is not valid YAML/JSON, or is empty.",
            Check::UnknownKey => "A key the snapshot format does not have.",
            Check::InvalidValue => "A value of the wrong type or outside the allowed set.",
            Check::Duplicate => "A key, a singleton section or an identifier written twice.",
            Check::UnresolvedReference => {
                "A reference to a user, group, organization, scheme or role that does not exist."
            }
            Check::MissingField => "A required field is missing.",
            Check::UnusedSuppression => "A suppression in the config file that hides nothing.",
            Check::ExpiredSuppression => "A suppression past its expiry date: its finding is reported again.",
        }
    }

    /// What the check means and what to do, for `sitelint rule SL001`.
    pub fn detail(self) -> &'static str {
        match self {
            Check::Syntax => {
                "sitelint could not read the file as YAML 1.2 or JSON (RFC 8259): it has a syntax error, \
                 a character YAML does not allow, nothing in it, or it is over one of the limits (the \
                 README's Limits section). The file is skipped, so none of its settings are checked, and the \
                 run fails whatever --fail-on says; while it is skipped, no reference is reported unknown \
                 (SL005), since what it names may be in that file. Fix the file at the place shown. SL001 \
                 cannot be ignored, suppressed or baselined."
            }
            Check::UnknownKey => {
                "The snapshot format (SNAPSHOT-FORMAT.md) has no such key where it is written; the finding \
                 suggests the key you may have meant. The key and its value are ignored."
            }
            Check::InvalidValue => {
                "A value has the wrong type, or is outside the set of values the format allows, which the \
                 finding lists. It counts as not given, so its default applies."
            }
            Check::Duplicate => {
                "A key written twice in one mapping (the first value is used), a singleton section \
                 (site, user_access, customer_access) written twice in the snapshot, or an identifier two \
                 entities share (an account id, a group or project name, a scheme id or name, an approved \
                 domain). The finding points at the later one, which is ignored, and shows the first."
            }
            Check::UnresolvedReference => {
                "A reference names a user, group, organization, permission scheme or project role that the \
                 snapshot does not have; a \"did you mean\" names a close one. Users are referenced by \
                 account id or email (in any case), groups by name, organizations by name or id, schemes by \
                 id or name, roles by name or id."
            }
            Check::MissingField => {
                "A field the format requires is missing (SNAPSHOT-FORMAT.md, \"Required fields and \
                 defaults\"): a user's account_id, a portal-only account's email, a group's name, a \
                 project's key and type, a scheme's id and name, a grant's permission and holder type."
            }
            Check::UnusedSuppression => {
                "A suppression in the config file hides nothing: it matches no finding (the finding \
                 suggests the entity you may have meant), or another suppression of the same code and \
                 entity already hides what it matches. Delete it; suppressions of rules that did not run \
                 are not judged."
            }
            Check::ExpiredSuppression => {
                "Today is past a suppression's `expires` date, so the finding it hid is reported again and \
                 SL101 points at the date. Fix the finding and delete the suppression, or move `expires` \
                 later."
            }
        }
    }

    /// The check with this code, if one.
    pub fn of_code(code: &str) -> Option<Check> {
        Check::ALL.into_iter().find(|check| check.code() == code)
    }

    /// The check as its findings name it, one for all of them.
    pub fn reporter(self) -> Arc<Reporter> {
        static REPORTERS: LazyLock<Vec<Arc<Reporter>>> = LazyLock::new(|| {
            let reporter = |c: Check| Reporter { code: c.code().into(), name: c.name().into(), url: None };
            Check::ALL.into_iter().map(|c| Arc::new(reporter(c))).collect()
        });
        let n = Check::ALL.iter().position(|&c| c == self).expect("every check is in ALL");
        Arc::clone(&REPORTERS[n])
    }

    /// A finding of this check at `at`.
    pub fn at(self, at: Location, message: impl Into<String>) -> Finding {
        Finding::from(Details::new(self.reporter(), self.severity(), Message::from(message.into()), at))
    }
}

impl Finding {
    pub fn with_help(mut self, help: impl Into<SharedText>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_label(mut self, label: impl Into<SharedText>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn with_related(mut self, location: Location, message: impl Into<SharedText>) -> Self {
        self.related.push(Related { location, message: message.into() });
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FileId, Span};

    /// A big site's findings are held until the report: what they share
    /// stays behind pointers (see `Details`), and lists of them hold
    /// pointers (see `Finding`).
    #[test]
    fn a_finding_is_a_pointer_to_88_bytes() {
        assert_eq!(std::mem::size_of::<Finding>(), 8);
        // mimalloc's size class for it is 96 bytes; 112 with `Arc<str>` texts.
        assert_eq!(std::mem::size_of::<Details>(), 88);
        assert_eq!(std::mem::size_of::<Related>(), 24);
        assert_eq!(std::mem::size_of::<SharedText>(), 8);
    }

    /// An entity the message starts with is read from the message; any
    /// other is kept, whatever its length.
    #[test]
    fn an_entity_is_read_from_the_start_of_the_message_when_it_is_there() {
        let at = Location { file: FileId(0), span: Span::new(0, 1) };
        let ending = Some(SharedText::from(". The end."));
        let entity_of = |own: &str, entity: String| {
            let mut details = Details::new(
                Check::Syntax.reporter(),
                Severity::Error,
                Message::new(own, ending.clone()),
                at,
            );
            details.set_entity(entity);
            (details.entity().map(str::to_string), details.entity.is_none())
        };
        let own = "bob@acme.com is a customer";
        assert_eq!(entity_of(own, "bob@acme.com".into()), (Some("bob@acme.com".into()), true));
        assert_eq!(entity_of(own, "acme.com".into()), (Some("acme.com".into()), false));
        assert_eq!(entity_of(own, String::new()), (Some(String::new()), false));
        // Past the message's own text, into its shared ending.
        let past = format!("{own}. The");
        assert_eq!(entity_of(own, past.clone()), (Some(past), false));
        let long = "x".repeat(70_000);
        assert_eq!(entity_of(&format!("{long} is long"), long.clone()), (Some(long), false));
        let plain = Check::Syntax.at(at, "no entity");
        assert_eq!((plain.entity(), plain.subject()), (None, Cow::Borrowed("no entity")));
    }

    proptest::proptest! {
        /// Wherever a message is split into its own text and a shared
        /// ending, it compares and prints as the whole text.
        #[test]
        fn messages_compare_as_their_texts(
            (a, a_at) in ("[ab]{0,5}", 0usize..6), (b, b_at) in ("[ab]{0,5}", 0usize..6),
        ) {
            let split = |text: &str, at: usize| {
                let at = at.min(text.len());
                Message::new(&text[..at], Some(SharedText::from(&text[at..])))
            };
            let (x, y) = (split(&a, a_at), split(&b, b_at));
            proptest::prop_assert_eq!(x.cmp(&y), a.cmp(&b));
            proptest::prop_assert_eq!(x == y, a == b);
            proptest::prop_assert_eq!(x.to_string(), a.clone());
            proptest::prop_assert_eq!(&*x.text(), a.as_str());
            proptest::prop_assert!(x == *a.as_str());
        }

        /// As a stable sort of the findings themselves: findings with the
        /// same key keep their order, and repeats of what a finding says go
        /// (its entity read from its message or kept apart alike).
        #[test]
        fn sorts_as_a_stable_sort_and_drops_repeats(
            keys in proptest::collection::vec((0u32..3, 0usize..4, 0u8..3, 0u8..3, 0u8..3), 0..60),
        ) {
            let findings: Vec<Finding> = keys
                .iter()
                .map(|&(file, start, code, entity, message)| {
                    let at = Location { file: FileId(file), span: Span::new(start, start + 1) };
                    let check = Check::ALL[usize::from(code)];
                    // Messages that start with the entity, with another
                    // entity, or with none.
                    let message = match message {
                        0 => format!("message {}", start % 2),
                        1 => format!("entity {entity} is here"),
                        _ => "entity 1 is here".to_string(),
                    };
                    let mut finding = check.at(at, message);
                    finding.set_entity(format!("entity {entity}"));
                    finding
                })
                .collect();
            let says = |f: &Finding| (f.primary, f.code().to_string(), f.message().to_string(), f.entity().map(str::to_string));
            let mut expected = findings.clone();
            expected.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
            expected.dedup_by(|a, b| says(a) == says(b));
            let mut sorted = findings;
            sort_findings(&mut sorted);
            proptest::prop_assert_eq!(sorted, expected);
        }
    }
}
