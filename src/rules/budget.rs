//! The time limit of a rule. CEL has no loops, but comprehensions nested
//! over big collections can take hours; a rule that runs past its deadline
//! is stopped, so a rule slow over many items cannot hang a CI job.
//!
//! The deadline of the rule being evaluated is kept per thread (an item is
//! evaluated on one thread, start to end), and checked before each item
//! and on field reads inside it, which every expression that walks the
//! model makes. CEL's interpreter cannot be interrupted otherwise: an item
//! whose expression computes without reading the model (comprehensions
//! over a list literal) runs to its end. The clock is read on every
//! `CHECK_EVERY`th check only.

use std::cell::Cell;
use std::time::Instant;

const CHECK_EVERY: u32 = 256;

thread_local! {
    static DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
    /// The last deadline seen to pass: once a rule is out of time, the rest
    /// of its items on this thread stop at their first check.
    static PASSED: Cell<Option<Instant>> = const { Cell::new(None) };
    static CHECKS: Cell<u32> = const { Cell::new(0) };
}

/// Runs `f` with `deadline` as the current one on this thread.
pub fn within<T>(deadline: Option<Instant>, f: impl FnOnce() -> T) -> T {
    let outer = DEADLINE.replace(deadline);
    let result = f();
    DEADLINE.set(outer);
    result
}

/// Whether the current deadline has passed (as of the last clock reading).
pub fn exhausted() -> bool {
    let Some(deadline) = DEADLINE.get() else { return false };
    if PASSED.get() == Some(deadline) {
        return true;
    }
    let checks = CHECKS.get().wrapping_add(1);
    CHECKS.set(checks);
    if checks % CHECK_EVERY == 1 && Instant::now() >= deadline {
        PASSED.set(Some(deadline));
        return true;
    }
    false
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn no_deadline_is_never_exhausted() {
        assert!((0..1000).all(|_| !exhausted()));
    }

    #[test]
    fn a_past_deadline_is_seen_within_one_round_of_checks_and_only_inside() {
        let past = Instant::now().checked_sub(Duration::from_millis(1));
        within(past, || assert!((0..=CHECK_EVERY).any(|_| exhausted())));
        assert!(!exhausted());
        within(past, || assert!(exhausted(), "once passed, it stays passed"));
        let future = Instant::now().checked_add(Duration::from_secs(3600));
        within(future, || assert!((0..=CHECK_EVERY).all(|_| !exhausted())));
    }
}
