//! The allocator the binary and the benchmarks run with: mimalloc.
//!
//! sitelint makes millions of small allocations (one per field, reference
//! and string of a big site) from every thread; glibc's allocator spent a
//! third of a 500 MB check in malloc/free and page faults.

use std::ffi::{c_int, c_long};

pub use mimalloc::MiMalloc as Allocator;

unsafe extern "C" {
    /// From mimalloc (linked by the `mimalloc` crate).
    fn mi_option_set(option: c_int, value: c_long);
    #[cfg(test)]
    fn mi_option_get(option: c_int) -> c_long;
    /// From the C library.
    #[cfg(target_os = "linux")]
    fn prctl(option: c_int, ...) -> c_int;
}

/// `mi_option_purge_delay` in the mimalloc.h that the `mimalloc` crate
/// builds (its v3); a test checks it against its default.
const PURGE_DELAY: c_int = 15;
/// How long freed memory lies unused before it goes back to the kernel.
const PURGE_AFTER_MS: c_long = 100;
/// From linux/prctl.h.
#[cfg(target_os = "linux")]
const PR_SET_THP_DISABLE: c_int = 41;

/// Sets mimalloc up for a run of sitelint. Call it first thing in `main`.
///
/// - Freed memory goes back to the kernel once it has lain unused for
///   `PURGE_AFTER_MS`. Each thread parses a file into a tree, decodes it,
///   frees it and parses the next: pages handed back at once (or after
///   mimalloc's 10 ms) are zeroed again by the kernel when the next tree
///   touches them, which cost 8-20% of a 50 MB check. But the trees a
///   thread last held (7 MB for a 3.4 MB YAML file) are not reused by the
///   model and the rules that follow, and kept until exit (mimalloc's
///   default is 1 s, longer than most checks) they were a fifth of the
///   50 MB YAML site's peak beyond its live heap. 100 ms keeps what the next
///   file reuses and hands back what the rest of the run would carry: the
///   peak falls 5% at 50 MB (148 MB instead of 156 for YAML), 1% at
///   500 MB, at no cost in time that the runs could tell apart.
/// - No transparent huge pages (Linux): a 2 MiB page is zeroed and counted
///   whole however little of it is used. Without them the 59 MB JSON site
///   peaked at 220 MB instead of 260, and the kernel zeroes less. mimalloc
///   asks for them (`madvise`) from its first allocation, before `main`, so
///   its runtime option would come too late: the `no_thp` feature (in
///   Cargo.toml) builds it without asking, which saves 4 MB that a run
///   started with. Where the kernel hands them out unasked (THP `always`),
///   turning them off for the process is the only way.
pub fn configure() {
    // SAFETY: mimalloc options may be set at any time.
    unsafe { mi_option_set(PURGE_DELAY, PURGE_AFTER_MS) };
    // SAFETY: PR_SET_THP_DISABLE takes one integer argument. It fails only
    // on kernels older than 3.15, which then keep their huge pages.
    #[cfg(target_os = "linux")]
    unsafe {
        prctl(
            PR_SET_THP_DISABLE,
            1 as std::ffi::c_ulong,
            0 as std::ffi::c_ulong,
            0 as std::ffi::c_ulong,
            0 as std::ffi::c_ulong,
        )
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    /// If a new mimalloc renumbered its options, this would name another.
    #[test]
    fn option_numbers_name_the_options_meant() {
        // mimalloc v3's defaults for the option and its neighbours, which
        // differ, so that an option number off by one shows. The tests run
        // with the system allocator, so nothing has set them.
        // SAFETY: reading an option has no precondition.
        let defaults = |options: [c_int; 3]| options.map(|option| unsafe { mi_option_get(option) });
        assert_eq!(defaults([PURGE_DELAY - 1, PURGE_DELAY, PURGE_DELAY + 1]), [1, 1000, 0]);
    }
}
