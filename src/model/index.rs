//! Indexes of entities by a text they hold (an identifier, a folded email)
//! that store only the entities' positions. The text is read back from the
//! entities when a lookup compares it, so an index copies no string: a big
//! site has millions of accounts, and a copy of every account id and email
//! (with a list per email) was a fifth of the model's memory.

use std::borrow::Cow;
use std::hash::BuildHasher;

use foldhash::HashMap;
use foldhash::fast::RandomState;
use hashbrown::HashTable;
use hashbrown::hash_table::Entry;

use super::site::{User, UserId};
use super::text::fold;

/// Positions of items by a text each has, the first item for each text.
/// `text_of` gives an item's text as the index compares it (folded, for
/// emails); every call for one index must give the same text for an item.
#[derive(Debug)]
pub struct TextIndex<T> {
    table: HashTable<T>,
    hasher: RandomState,
}

impl<T> Default for TextIndex<T> {
    fn default() -> Self {
        TextIndex { table: HashTable::new(), hasher: RandomState::default() }
    }
}

impl<T: Copy> TextIndex<T> {
    pub fn with_capacity(capacity: usize) -> TextIndex<T> {
        TextIndex { table: HashTable::with_capacity(capacity), hasher: RandomState::default() }
    }

    /// Adds `item` under `text`, unless an earlier item has that text: then
    /// the index is unchanged and that item is returned.
    pub fn insert<'a>(&mut self, item: T, text: &str, text_of: impl Fn(T) -> Cow<'a, str>) -> Result<(), T> {
        let hasher = &self.hasher;
        let hash = hasher.hash_one(text);
        let eq = |other: &T| text_of(*other) == text;
        match self.table.entry(hash, eq, |other| hasher.hash_one(&*text_of(*other))) {
            Entry::Occupied(earlier) => Err(*earlier.get()),
            Entry::Vacant(slot) => {
                slot.insert(item);
                Ok(())
            }
        }
    }

    /// The first item with `text`.
    pub fn get<'a>(&self, text: &str, text_of: impl Fn(T) -> Cow<'a, str>) -> Option<&T> {
        self.table.find(self.hasher.hash_one(text), |other| text_of(*other) == text)
    }

    /// How many texts it holds.
    pub fn len(&self) -> usize {
        self.table.len()
    }

    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }
}

/// The two ways references name an account.
#[derive(Debug, Default)]
pub struct UserIndex {
    pub accounts: AccountIndex,
    pub emails: EmailIndex,
}

impl UserIndex {
    /// Both indexes of `users`, built side by side: each is one of the
    /// biggest tables of the model.
    pub fn new(users: &[Box<User>]) -> UserIndex {
        let ((accounts, _), emails) = rayon::join(|| AccountIndex::new(users), || EmailIndex::new(users));
        UserIndex { accounts, emails }
    }
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
    pub fn new(users: &[Box<User>]) -> (AccountIndex, Vec<usize>) {
        let mut index = TextIndex::with_capacity(users.len());
        let mut repeated = Vec::new();
        let mut ids_with_at = false;
        for (position, user) in users.iter().enumerate() {
            ids_with_at |= user.account_id.contains('@');
            if index.insert(UserId(position as u32), &user.account_id, account_id(users)).is_err() {
                repeated.push(position);
            }
        }
        (AccountIndex { index, ids_with_at }, repeated)
    }

    /// The first account of `users` (the list the index was built from)
    /// with this id.
    pub fn get(&self, users: &[Box<User>], id: &str) -> Option<UserId> {
        if !self.ids_with_at && id.contains('@') {
            return None;
        }
        self.index.get(id, account_id(users)).copied()
    }
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
    pub fn new(users: &[Box<User>]) -> EmailIndex {
        let mut index =
            EmailIndex { first: TextIndex::with_capacity(users.len()), shared: HashMap::default() };
        for (position, user) in users.iter().enumerate() {
            let Some(email) = &user.email else { continue };
            let id = UserId(position as u32);
            if let Err(first) = index.first.insert(id, &fold(email), folded_email(users)) {
                index.shared.entry(first).or_insert_with(|| vec![first]).push(id);
            }
        }
        index
    }

    /// The accounts of `users` (the list the index was built from) with
    /// this email, in file order.
    pub fn get<'i>(&'i self, users: &[Box<User>], email: &str) -> &'i [UserId] {
        match self.first.get(&fold(email), folded_email(users)) {
            Some(first) => self.shared.get(first).map_or(std::slice::from_ref(first), Vec::as_slice),
            None => &[],
        }
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
            roles: Default::default(),
            admin_roles: Default::default(),
            groups: Default::default(),
        })
    }

    #[test]
    fn an_account_id_with_an_at_is_found_like_any_other() {
        let plain = [user("712020:ann"), user("bob")];
        let (index, _) = AccountIndex::new(&plain);
        assert_eq!(index.get(&plain, "bob"), Some(UserId(1)));
        assert_eq!(index.get(&plain, "bob@acme.com"), None);
        let odd = [user("712020:ann"), user("bob@acme.com")];
        let (index, _) = AccountIndex::new(&odd);
        assert_eq!(index.get(&odd, "bob@acme.com"), Some(UserId(1)));
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
