//! Lists kept per owner (the groups of each account, the role references
//! of each account) in one allocation. A big site has hundreds of
//! thousands of accounts and most of their lists are empty; as a `Vec`
//! each, they cost 24 bytes an account before holding anything.

/// The items of each owner `0..owners`, sorted, without repeats.
#[derive(Debug, Clone, PartialEq)]
pub struct Grouped<T> {
    /// Owner `i`'s items are `items[starts[i]..starts[i + 1]]`.
    starts: Vec<u32>,
    items: Vec<T>,
}

impl<T: Ord> Grouped<T> {
    /// From (owner, item) pairs in any order; pairs whose owner is out of
    /// range are dropped (ids from a hand-made site, not from `resolve`).
    pub fn new(owners: usize, mut pairs: Vec<(u32, T)>) -> Grouped<T> {
        pairs.retain(|(owner, _)| (*owner as usize) < owners);
        pairs.sort_unstable();
        pairs.dedup();
        let mut starts = vec![0u32; owners + 1];
        for (owner, _) in &pairs {
            starts[*owner as usize + 1] += 1;
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        Grouped { starts, items: pairs.into_iter().map(|(_, item)| item).collect() }
    }
}

impl<T> Grouped<T> {
    /// Owner `i`'s items; none for an owner out of range.
    pub fn get(&self, i: usize) -> &[T] {
        match (self.starts.get(i), self.starts.get(i + 1)) {
            (Some(&start), Some(&end)) => &self.items[start as usize..end as usize],
            _ => &[],
        }
    }

    /// Every owner's items, in owner order.
    pub fn iter(&self) -> impl Iterator<Item = &[T]> {
        self.starts.windows(2).map(|w| &self.items[w[0] as usize..w[1] as usize])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_are_sorted_and_unique_per_owner() {
        let grouped = Grouped::new(4, vec![(2, 'b'), (0, 'z'), (2, 'a'), (2, 'b'), (9, 'x'), (0, 'y')]);
        let lists: Vec<&[char]> = grouped.iter().collect();
        assert_eq!(lists, [&['y', 'z'][..], &[], &['a', 'b'], &[]]);
        assert_eq!(grouped.get(2), ['a', 'b']);
        assert_eq!(grouped.get(4), [] as [char; 0]);
    }
}
