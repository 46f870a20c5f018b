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
}

/// `mi_option_purge_delay` in mimalloc.h (the same in its v2 and v3).
const PURGE_DELAY: c_int = 15;

/// Keeps freed memory for reuse instead of handing it back to the kernel.
///
/// A check frees big structures as it goes (each file's tree once decoded)
/// and allocates the model and findings after them. By default mimalloc
/// returns freed pages to the kernel after 10 ms, and the kernel zeroes
/// them again when they are touched next: a quarter of a 50 MB check was
/// spent in page faults clearing pages. A run is short and its peak grows
/// little (4% at 50 MB), so nothing is handed back until it exits. Call it
/// first thing in `main`.
pub fn keep_freed_memory() {
    // SAFETY: mimalloc options may be set at any time; -1 means never purge.
    unsafe { mi_option_set(PURGE_DELAY, -1) }
}
