//! Indexes of entities by a text they hold (an identifier, a folded email)
//! that store only the entities' positions. The text is read back from the
//! entities when a lookup compares it, so an index copies no string: a big
//! site has millions of accounts, and a copy of every account id and email
//! (with a list per email) was a fifth of the model's memory.

use std::borrow::Cow;
use std::hash::BuildHasher;
use std::sync::OnceLock;

use foldhash::HashMap;
use foldhash::fast::RandomState;

use super::site::{User, UserId};
use super::text::{fold, has_at};

/// Positions of items by a text each has, the first item for each text.
/// `text_of` gives an item's text as the index compares it (folded, for
/// emails); every call for one index must give the same text for an item.
///
/// Open addressing with linear probing, over slots of an item's position
/// and 32 bits of its text's hash (its tag). A probe reads an item's text,
/// through the entity, only where a tag matches: about once for a text the
/// index holds, almost never for one it does not. A big site's index is
/// bigger than the processor's cache, so each slot and each entity read is
/// a wait on memory; [`TextIndex::build`] fetches slots ahead of the items
/// it inserts, so that those waits overlap.
#[derive(Debug)]
pub struct TextIndex<T> {
    /// A power of two of them, at most 7/8 full; none when empty.
    slots: Vec<Slot<T>>,
    len: usize,
}

#[derive(Debug, Clone, Copy)]
struct Slot<T> {
    /// The hash's high half, with its lowest bit set: 0 is an empty slot.
    tag: u32,
    item: T,
}

impl<T: Copy + From<u32>> Default for TextIndex<T> {
    fn default() -> Self {
        TextIndex::with_capacity(0)
    }
}

/// How many slots to insert before the one whose slot is fetched ahead.
const AHEAD: usize = 16;

/// How many lookups [`TextIndex::warm`] prepares at once, at most.
pub const WARM: usize = 16;

impl<T: Copy + From<u32>> TextIndex<T> {
    pub fn with_capacity(capacity: usize) -> TextIndex<T> {
        TextIndex { slots: vec![Slot::empty(); slots_for(capacity)], len: 0 }
    }

    /// The index of `count` items, each item `i` under the text
    /// `text_of(i)` if it has one, the `i`th of `hashes` being its hash
    /// ([`text_hash`]) or 0 when it has none; and the items whose text an
    /// earlier item has, each with that item: `(later, first)`, in item
    /// order.
    pub fn build<'a>(
        count: usize,
        hashes: impl Iterator<Item = u64> + Clone,
        text_of: impl Fn(T) -> Option<Cow<'a, str>>,
    ) -> (TextIndex<T>, Vec<(T, T)>) {
        let mut index = TextIndex::with_capacity(count);
        let mut repeated = Vec::new();
        let ahead = hashes.clone().skip(AHEAD).map(Some).chain(std::iter::repeat(None));
        for (i, (hash, ahead)) in hashes.zip(ahead).enumerate() {
            if let Some(ahead) = ahead.filter(|&h| h != 0) {
                prefetch(&index.slots[index.home(ahead)]);
            }
            if hash == 0 {
                continue;
            }
            let item = T::from(i as u32);
            let same = |other: T| text_of(other) == text_of(item);
            if let Err(first) =
                index.insert_hashed(item, hash, same, |other| text_of(other).unwrap_or_default())
            {
                repeated.push((item, first));
            }
        }
        (index, repeated)
    }

    /// Adds `item` under `text`, unless an earlier item has that text: then
    /// the index is unchanged and that item is returned.
    pub fn insert<'a>(&mut self, item: T, text: &str, text_of: impl Fn(T) -> Cow<'a, str>) -> Result<(), T> {
        let hash = text_hash(text);
        self.insert_hashed(item, hash, |other| text_of(other) == text, &text_of)
    }

    /// [`insert`](Self::insert) with the text's hash, `same` telling
    /// whether an item has the text.
    fn insert_hashed<'a>(
        &mut self,
        item: T,
        hash: u64,
        same: impl Fn(T) -> bool,
        text_of: impl Fn(T) -> Cow<'a, str>,
    ) -> Result<(), T> {
        if (self.len + 1) * 8 > self.slots.len() * 7 {
            self.grow(text_of);
        }
        let tag = tag(hash);
        let mask = self.slots.len() - 1;
        let mut at = self.home(hash);
        loop {
            let slot = self.slots[at];
            if slot.tag == 0 {
                self.slots[at] = Slot { tag, item };
                self.len += 1;
                return Ok(());
            }
            if slot.tag == tag && same(slot.item) {
                return Err(slot.item);
            }
            at = (at + 1) & mask;
        }
    }

    /// Twice the slots (at least 8), each item hashed again.
    fn grow<'a>(&mut self, text_of: impl Fn(T) -> Cow<'a, str>) {
        let slots = vec![Slot::empty(); (self.slots.len() * 2).max(8)];
        let old = std::mem::replace(&mut self.slots, slots);
        let mask = self.slots.len() - 1;
        for slot in old.into_iter().filter(|s| s.tag != 0) {
            let mut at = self.home(text_hash(&text_of(slot.item)));
            while self.slots[at].tag != 0 {
                at = (at + 1) & mask;
            }
            self.slots[at] = slot;
        }
    }

    /// The first item with `text`.
    pub fn get<'a>(&self, text: &str, text_of: impl Fn(T) -> Cow<'a, str>) -> Option<&T> {
        self.get_hashed(text, text_hash(text), text_of)
    }

    /// [`get`](Self::get) with the text's hash.
    fn get_hashed<'a>(&self, text: &str, hash: u64, text_of: impl Fn(T) -> Cow<'a, str>) -> Option<&T> {
        self.tagged(hash).find(|&&item| text_of(item) == text)
    }

    /// The items whose tag matches `hash`'s, in probe order: those a
    /// lookup of a text with that hash compares its text with.
    fn tagged(&self, hash: u64) -> impl Iterator<Item = &T> {
        let (tag, mask) = (tag(hash), self.slots.len().wrapping_sub(1));
        let mut at = if self.slots.is_empty() { 0 } else { self.home(hash) };
        std::iter::from_fn(move || {
            let slot = self.slots.get(at).filter(|slot| slot.tag != 0)?;
            at = (at + 1) & mask;
            Some(slot)
        })
        .filter(move |slot| slot.tag == tag)
        .map(|slot| &slot.item)
    }

    /// Brings into the processor's cache what looking up these hashes (of
    /// up to [`WARM`] texts) will read: the slots, then, through `steps`,
    /// what the first item whose tag matches leads to (its entity, then its
    /// text: each step prefetches what the next one reads). Each stage
    /// fetches for every hash before the next stage reads, so the waits on
    /// memory overlap instead of following each other; the lookups that
    /// follow find everything in the cache.
    pub fn warm(&self, hashes: impl Iterator<Item = u64>, steps: &[&dyn Fn(T)]) {
        if self.slots.is_empty() {
            return;
        }
        let (mut held, mut count) = ([0; WARM], 0);
        for (slot, hash) in held.iter_mut().zip(hashes) {
            *slot = hash;
            prefetch(&self.slots[self.home(hash)]);
            count += 1;
        }
        let mut candidates = [None; WARM];
        for (candidate, &hash) in candidates.iter_mut().zip(&held[..count]) {
            *candidate = self.tagged(hash).next().copied();
        }
        for step in steps {
            candidates.iter().flatten().for_each(|&item| step(item));
        }
    }

    /// The slot where a probe for `hash` starts; slots must not be empty.
    fn home(&self, hash: u64) -> usize {
        hash as usize & (self.slots.len() - 1)
    }

    /// How many texts it holds.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl<T: From<u32>> Slot<T> {
    fn empty() -> Slot<T> {
        Slot { tag: 0, item: T::from(0) }
    }
}

/// The hash of a text, as every index hashes it: with one random seed per
/// run, so that texts can be hashed before their index is built (as each
/// file is decoded, while its text is in the processor's cache). Never 0,
/// which stands for no text.
pub fn text_hash(text: &str) -> u64 {
    static STATE: OnceLock<RandomState> = OnceLock::new();
    STATE.get_or_init(RandomState::default).hash_one(text).max(1)
}

/// A text as an index compares it (an email folded), and its hash: what
/// a lookup computes first, computed once for [`warm`](AccountIndex::warm)
/// and the lookup that follows.
#[derive(Debug, Clone)]
pub struct Key<'t> {
    text: Cow<'t, str>,
    hash: u64,
}

impl<'t> Key<'t> {
    fn new(text: Cow<'t, str>) -> Key<'t> {
        let hash = text_hash(&text);
        Key { text, hash }
    }
}

fn tag(hash: u64) -> u32 {
    (hash >> 32) as u32 | 1
}

/// Slots for `capacity` items at most 7/8 full: a power of two, none for
/// none.
fn slots_for(capacity: usize) -> usize {
    match capacity {
        0 => 0,
        n => (n * 8 / 7 + 1).next_power_of_two().max(8),
    }
}

/// Asks the processor to bring `value` into its cache, without waiting.
#[inline]
fn prefetch<T: ?Sized>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is a hint that reads nothing the program sees and
    // never faults (and `value` is a live reference anyway); SSE, which has
    // it, is part of every x86_64 processor.
    unsafe {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        _mm_prefetch::<_MM_HINT_T0>((value as *const T).cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}

/// The two ways references name an account.
#[derive(Debug, Default)]
pub struct UserIndex {
    pub accounts: AccountIndex,
    pub emails: EmailIndex,
}

impl UserIndex {
    /// Both indexes of `users`, built side by side: each is one of the
    /// biggest tables of the model. `hashes` are theirs, list by list.
    pub fn new(users: &[Box<User>], hashes: &[UserHashes]) -> UserIndex {
        let ((accounts, _), emails) =
            rayon::join(|| AccountIndex::new(users, hashes), || EmailIndex::new(users, hashes));
        UserIndex { accounts, emails }
    }

    /// Both indexes of `users`, hashing them first.
    pub fn of_users(users: &[Box<User>]) -> UserIndex {
        UserIndex::new(users, &[UserHashes::of_users(users)])
    }
}

/// The hashes ([`text_hash`]) of a list of accounts' ids and folded emails,
/// in order: what building their indexes reads of each account. They are
/// taken as each file is decoded, while its text is in the processor's
/// cache (read afterwards, every account and its text was a wait on
/// memory), and the indexes of a site are built from its files' in turn,
/// not copied into one list: they are held only until then, and the copy
/// was a peak of the model's memory.
#[derive(Debug, Default)]
pub struct UserHashes {
    account_ids: Vec<u64>,
    /// 0 for an account without an email.
    emails: Vec<u64>,
    /// Whether some account id has an `@` (see [`AccountIndex`]).
    ids_with_at: bool,
}

impl UserHashes {
    pub fn of_users(users: &[Box<User>]) -> UserHashes {
        let mut hashes = UserHashes::default();
        for user in users {
            hashes.push(&user.account_id, user.email.as_deref().map(fold).as_deref());
        }
        hashes
    }

    /// Adds the next account's hashes, given its id and its folded email.
    pub fn push(&mut self, account_id: &str, folded_email: Option<&str>) {
        self.account_ids.push(text_hash(account_id));
        self.emails.push(folded_email.map_or(0, text_hash));
        self.ids_with_at |= has_at(account_id);
    }

    /// Makes room for `accounts` more.
    pub fn reserve(&mut self, accounts: usize) {
        self.account_ids.reserve(accounts);
        self.emails.reserve(accounts);
    }

    /// Frees the room kept for more accounts.
    pub fn shrink_to_fit(&mut self) {
        self.account_ids.shrink_to_fit();
        self.emails.shrink_to_fit();
    }
}

/// The hashes of consecutive lists of accounts, as one list's.
fn account_ids(lists: &[UserHashes]) -> impl Iterator<Item = u64> + Clone {
    lists.iter().flat_map(|list| list.account_ids.iter().copied())
}

fn emails(lists: &[UserHashes]) -> impl Iterator<Item = u64> + Clone {
    lists.iter().flat_map(|list| list.emails.iter().copied())
}

/// Accounts by account id, the first account with each.
#[derive(Debug, Default)]
pub struct AccountIndex {
    index: TextIndex<UserId>,
    /// Whether some account id has an `@`. Atlassian's never do, so a text
    /// with one (an email: how customers are listed) is not looked up: a
    /// site lists hundreds of thousands, and each lookup is a cache miss.
    ids_with_at: bool,
}

impl AccountIndex {
    /// The index of `users`, and the later accounts whose id an earlier
    /// one has (positions, ascending).
    pub fn new(users: &[Box<User>], hashes: &[UserHashes]) -> (AccountIndex, Vec<usize>) {
        let (index, repeated) =
            TextIndex::build(users.len(), account_ids(hashes), |id| Some(account_id(users)(id)));
        let repeated = repeated.into_iter().map(|(later, _)| later.index()).collect();
        let ids_with_at = hashes.iter().any(|list| list.ids_with_at);
        (AccountIndex { index, ids_with_at }, repeated)
    }

    /// The first account of `users` (the list the index was built from)
    /// with this id.
    pub fn get(&self, users: &[Box<User>], id: &str) -> Option<UserId> {
        self.get_key(users, &self.key(id)?)
    }

    /// The key of `text` to look up, unless it can't be an account id of
    /// the site: see `ids_with_at`.
    pub fn key<'t>(&self, text: &'t str) -> Option<Key<'t>> {
        (self.ids_with_at || !has_at(text)).then(|| Key::new(Cow::Borrowed(text)))
    }

    /// [`get`](Self::get) by the id's key.
    pub fn get_key(&self, users: &[Box<User>], key: &Key) -> Option<UserId> {
        self.index.get_hashed(&key.text, key.hash, account_id(users)).copied()
    }

    /// Prepares [`get_key`](Self::get_key) of each of `keys` (up to
    /// [`WARM`]): see [`TextIndex::warm`].
    pub fn warm<'k>(&self, users: &[Box<User>], keys: impl Iterator<Item = &'k Key<'k>>) {
        warm(&self.index, users, keys.map(|key| key.hash), |user| &user.account_id);
    }
}

/// [`TextIndex::warm`] for an index of `users` by `text`: the steps to the
/// text are the account's place in `users`, the account, the text.
fn warm<'u>(
    index: &TextIndex<UserId>,
    users: &'u [Box<User>],
    hashes: impl Iterator<Item = u64>,
    text: impl Fn(&'u User) -> &'u str,
) {
    let user = |id: UserId| users.get(id.index());
    let place = |id: UserId| users.get(id.index()).map_or((), prefetch);
    let account = |id: UserId| user(id).map_or((), |user| prefetch(&**user));
    let text = |id: UserId| user(id).map_or((), |user| prefetch(text(user).as_bytes()));
    index.warm(hashes, &[&place, &account, &text]);
}

fn account_id<'u>(users: &'u [Box<User>]) -> impl Fn(UserId) -> Cow<'u, str> + 'u {
    |id| Cow::Borrowed(users.get(id.index()).map_or("", |u| u.account_id.as_str()))
}

/// Accounts by email, compared case-insensitively, in file order.
#[derive(Debug, Default)]
pub struct EmailIndex {
    /// The first account with each email.
    first: TextIndex<UserId>,
    /// Every account of an email more than one account has, by the first
    /// one. An email is rarely shared (AC003 reports it when it is), so
    /// most emails need no list of their own.
    shared: HashMap<UserId, Vec<UserId>>,
}

impl EmailIndex {
    pub fn new(users: &[Box<User>], hashes: &[UserHashes]) -> EmailIndex {
        let email = |id: UserId| users.get(id.index()).and_then(|u| u.email.as_deref()).map(fold);
        let (first, repeated) = TextIndex::build(users.len(), emails(hashes), email);
        let mut shared = HashMap::default();
        for (later, first) in repeated {
            shared.entry(first).or_insert_with(|| vec![first]).push(later);
        }
        EmailIndex { first, shared }
    }

    /// The accounts of `users` (the list the index was built from) with
    /// this email, in file order.
    pub fn get<'i>(&'i self, users: &[Box<User>], email: &str) -> &'i [UserId] {
        self.get_key(users, &EmailIndex::key(email))
    }

    /// The key of `email` to look up.
    pub fn key(email: &str) -> Key<'_> {
        Key::new(fold(email))
    }

    /// [`get`](Self::get) by the email's key.
    pub fn get_key<'i>(&'i self, users: &[Box<User>], key: &Key) -> &'i [UserId] {
        match self.first.get_hashed(&key.text, key.hash, folded_email(users)) {
            Some(first) => self.shared.get(first).map_or(std::slice::from_ref(first), Vec::as_slice),
            None => &[],
        }
    }

    /// Prepares [`get_key`](Self::get_key) of each of `keys` (up to
    /// [`WARM`]): see [`TextIndex::warm`].
    pub fn warm<'k>(&self, users: &[Box<User>], keys: impl Iterator<Item = &'k Key<'k>>) {
        let hashes = keys.map(|key| key.hash);
        warm(&self.first, users, hashes, |user| user.email.as_deref().unwrap_or_default());
    }

    /// The accounts of each email that more than one account has, in no
    /// particular order.
    pub fn shared(&self) -> impl Iterator<Item = &[UserId]> {
        self.shared.values().map(Vec::as_slice)
    }

    /// How many distinct emails it holds.
    pub fn len(&self) -> usize {
        self.first.len()
    }

    pub fn is_empty(&self) -> bool {
        self.first.is_empty()
    }
}

fn folded_email<'u>(users: &'u [Box<User>]) -> impl Fn(UserId) -> Cow<'u, str> + 'u {
    |id| users.get(id.index()).and_then(|u| u.email.as_deref()).map_or(Cow::Borrowed(""), fold)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::site::{AccountType, Origin, Status};

    fn user(account_id: &str) -> Box<User> {
        Box::new(User {
            origin: Origin::default(),
            account_id: account_id.into(),
            email: None,
            name: None,
            account_type: AccountType::Atlassian,
            status: Status::Active,
            site_access: true,
            managed_by_other_org: false,
            lists: None,
        })
    }

    #[test]
    fn an_account_id_with_an_at_is_found_like_any_other() {
        let plain = [user("712020:ann"), user("bob")];
        let (index, _) = AccountIndex::new(&plain, &[UserHashes::of_users(&plain)]);
        assert_eq!(index.get(&plain, "bob"), Some(UserId::from(1)));
        assert_eq!(index.get(&plain, "bob@acme.com"), None);
        let odd = [user("712020:ann"), user("bob@acme.com")];
        let (index, _) = AccountIndex::new(&odd, &[UserHashes::of_users(&odd)]);
        assert_eq!(index.get(&odd, "bob@acme.com"), Some(UserId::from(1)));
    }

    fn with_email(account_id: &str, email: &str) -> Box<User> {
        Box::new(User { email: Some(email.into()), ..*user(account_id) })
    }

    /// Hashes taken file by file (as decoding does) build the
    /// same indexes as hashes of the whole list: the first account of each
    /// id, the later ones reported, emails compared ignoring case.
    #[test]
    fn indexes_from_hashes_file_by_file_find_the_first_account_of_each_text() {
        let users = [
            with_email("a", "Ann@Acme.com"),
            with_email("b", "bob@acme.com"),
            with_email("a", "ann@acme.com"),
            user("c"),
            with_email("d", "ANN@acme.com"),
        ];
        let (first, second) = users.split_at(2);
        let by_file = [UserHashes::of_users(first), UserHashes::of_users(second)];
        for hashes in [&by_file[..], &[UserHashes::of_users(&users)]] {
            let (accounts, repeated) = AccountIndex::new(&users, hashes);
            assert_eq!(repeated, [2]);
            assert_eq!(accounts.get(&users, "a"), Some(UserId::from(0)));
            assert_eq!(accounts.get(&users, "c"), Some(UserId::from(3)));
            assert_eq!(accounts.get(&users, "e"), None);
            let emails = EmailIndex::new(&users, hashes);
            assert_eq!(
                emails.get(&users, "aNN@acme.COM"),
                [UserId::from(0), UserId::from(2), UserId::from(4)]
            );
            assert_eq!(emails.get(&users, "bob@acme.com"), [UserId::from(1)]);
            assert_eq!(emails.get(&users, "carl@acme.com"), []);
            assert_eq!(emails.len(), 2);
        }
    }

    /// Warming lookups changes none of their answers, whatever it is given:
    /// texts the index holds or not, more than it prepares at once.
    #[test]
    fn warming_lookups_leaves_their_answers_alone() {
        let users: Vec<_> =
            (0..100).map(|i| with_email(&format!("id-{i}"), &format!("u{i}@acme.com"))).collect();
        let hashes = [UserHashes::of_users(&users)];
        let (accounts, _) = AccountIndex::new(&users, &hashes);
        let emails = EmailIndex::new(&users, &hashes);
        let texts: Vec<String> =
            (0..40).flat_map(|i| [format!("id-{i}"), format!("U{i}@acme.com"), format!("x{i}")]).collect();
        let id_keys: Vec<Key> = texts.iter().filter_map(|text| accounts.key(text)).collect();
        let email_keys: Vec<Key> = texts.iter().map(|text| EmailIndex::key(text)).collect();
        accounts.warm(&users, id_keys.iter());
        emails.warm(&users, email_keys.iter());
        for i in 0..40u32 {
            assert_eq!(accounts.get(&users, &format!("id-{i}")), Some(UserId::from(i)));
            assert_eq!(emails.get(&users, &format!("U{i}@acme.com")), [UserId::from(i)]);
            assert_eq!(accounts.get(&users, &format!("x{i}")), None);
            assert_eq!(accounts.key(&format!("u{i}@acme.com")).map(|key| key.hash), None);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config::with_cases(256))]

        /// Built at once or item by item (growing from nothing), the index
        /// answers as a map from each text to its first item: a few short
        /// texts, so that many repeat and many probes collide.
        #[test]
        fn text_index_answers_as_a_map_of_first_items(
            items in proptest::collection::vec("[a-c]{0,3}", 0..200),
            probes in proptest::collection::vec("[a-d]{0,3}", 0..50),
        ) {
            let mut first: std::collections::HashMap<&str, u32> = std::collections::HashMap::new();
            let mut expected_repeats = Vec::new();
            for (i, text) in items.iter().enumerate() {
                match first.get(text.as_str()) {
                    Some(&earlier) => expected_repeats.push((i as u32, earlier)),
                    None => {
                        first.insert(text, i as u32);
                    }
                }
            }
            let text_of = |i: u32| Cow::Borrowed(items[i as usize].as_str());
            let (built, repeats) =
                TextIndex::build(items.len(), items.iter().map(|t| text_hash(t)), |i| Some(text_of(i)));
            proptest::prop_assert_eq!(repeats, expected_repeats);
            let mut grown = TextIndex::default();
            for (i, text) in items.iter().enumerate() {
                let inserted = grown.insert(i as u32, text, text_of);
                proptest::prop_assert_eq!(inserted.err(), first.get(text.as_str()).copied().filter(|&f| f != i as u32));
            }
            for index in [&built, &grown] {
                proptest::prop_assert_eq!(index.len(), first.len());
                for text in items.iter().chain(&probes) {
                    proptest::prop_assert_eq!(index.get(text, text_of).copied(), first.get(text.as_str()).copied());
                }
            }
        }
    }

    #[test]
    fn text_index_build_reports_each_later_item_with_the_first() {
        let items = ["a", "b", "a", "c", "b", "a"];
        let text_of = |i: u32| Some(Cow::Borrowed(items[i as usize]));
        let hashes = items.iter().map(|t| text_hash(t));
        let (index, repeated) = TextIndex::build(items.len(), hashes, text_of);
        assert_eq!(repeated, [(2, 0), (4, 1), (5, 0)]);
        assert_eq!(index.len(), 3);
        assert_eq!(index.get("c", texts(&items)), Some(&3));
    }

    fn texts<'a>(items: &'a [&'a str]) -> impl Fn(u32) -> Cow<'a, str> {
        |i| Cow::Borrowed(items[i as usize])
    }

    #[test]
    fn text_index_keeps_the_first_item_of_each_text() {
        let items = ["a", "b", "a", "c", "b"];
        let mut index = TextIndex::with_capacity(2);
        let inserted: Vec<_> =
            items.iter().enumerate().map(|(i, text)| index.insert(i as u32, text, texts(&items))).collect();
        assert_eq!(inserted, [Ok(()), Ok(()), Err(0), Ok(()), Err(1)]);
        assert_eq!(index.len(), 3);
        assert_eq!(index.get("c", texts(&items)), Some(&3));
        assert_eq!(index.get("d", texts(&items)), None);
    }

    #[test]
    fn text_index_grows_past_its_capacity() {
        let owned: Vec<String> = (0..1000).map(|i| format!("item-{i}")).collect();
        let items: Vec<&str> = owned.iter().map(String::as_str).collect();
        let mut index = TextIndex::with_capacity(0);
        for (i, text) in items.iter().enumerate() {
            assert_eq!(index.insert(i as u32, text, texts(&items)), Ok(()));
        }
        assert!(
            items.iter().enumerate().all(|(i, text)| index.get(text, texts(&items)) == Some(&(i as u32)))
        );
    }
}
