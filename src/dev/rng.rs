//! Deterministic randomness without a dependency: the splitmix64 finalizer,
//! used as a hash of (seed, purpose, index).
//!
//! Every choice the generator makes about an entity is a pure function of
//! the seed, a purpose tag and the entity's index, so any file can be
//! written in any order (files are written in parallel) and an entity's
//! email or status can be recomputed wherever it is referenced, without
//! keeping the site in memory.

/// The splitmix64 finalizer: a bijection on `u64` with good avalanche.
pub(crate) const fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A purpose tag from its name (FNV-1a), so call sites read
/// `dice.chance(tag("user.inactive"), i, 0.03)`.
pub(crate) const fn tag(name: &str) -> u64 {
    let bytes = name.as_bytes();
    let mut hash = 0xcbf2_9ce4_8422_2325_u64;
    let mut i = 0;
    while i < bytes.len() {
        hash = (hash ^ bytes[i] as u64).wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    hash
}

/// The seed's dice: every draw is addressed by (tag, index).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Dice(u64);

impl Dice {
    pub(crate) fn new(seed: u64) -> Dice {
        Dice(mix(seed ^ 0x5eed_5eed_5eed_5eed))
    }

    /// 64 random bits. For a fixed tag this is a bijection of `index`, so
    /// it doubles as a collision-free identifier.
    pub(crate) fn bits(self, tag: u64, index: usize) -> u64 {
        mix(mix(self.0 ^ tag).wrapping_add(index as u64))
    }

    /// A number in [0, 1).
    pub(crate) fn unit(self, tag: u64, index: usize) -> f64 {
        (self.bits(tag, index) >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A number in [0, n); n must not be 0.
    pub(crate) fn below(self, tag: u64, index: usize, n: usize) -> usize {
        ((u128::from(self.bits(tag, index)) * n as u128) >> 64) as usize
    }

    pub(crate) fn chance(self, tag: u64, index: usize, p: f64) -> bool {
        self.unit(tag, index) < p
    }

    /// An element of `items` (not empty).
    pub(crate) fn pick<T: Copy>(self, tag: u64, index: usize, items: &[T]) -> T {
        items[self.below(tag, index, items.len())]
    }

    /// A UUID-shaped identifier, unique for each index of a tag.
    pub(crate) fn uuid(self, tag: u64, index: usize) -> String {
        let hi = self.bits(tag ^ 0xa5a5, index);
        let lo = self.bits(tag, index);
        format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            hi >> 32,
            (hi >> 16) & 0xffff,
            hi & 0xffff,
            lo >> 48,
            lo & 0xffff_ffff_ffff
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_are_a_bijection_of_the_index() {
        let dice = Dice::new(7);
        let mut seen: Vec<u64> = (0..10_000).map(|i| dice.bits(tag("x"), i)).collect();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), 10_000);
    }

    #[test]
    fn draws_depend_on_seed_tag_and_index_only() {
        let (a, b) = (Dice::new(1), Dice::new(1));
        assert_eq!(a.bits(tag("t"), 5), b.bits(tag("t"), 5));
        assert_ne!(a.bits(tag("t"), 5), Dice::new(2).bits(tag("t"), 5));
        assert_ne!(a.bits(tag("t"), 5), a.bits(tag("u"), 5));
        assert!((0..1000).all(|i| a.below(tag("n"), i, 7) < 7));
        assert!((0..1000).all(|i| (0.0..1.0).contains(&a.unit(tag("n"), i))));
    }
}
