//! The allocator the binary and the benchmarks run with: mimalloc.
//!
//! sitelint makes millions of small allocations (one per field, reference
//! and string of a big site) from every thread; glibc's allocator spent a
//! third of a 500 MB check in malloc/free and page faults.

use std::alloc::{GlobalAlloc, Layout};
use std::ffi::{c_int, c_long, c_void};

use libmimalloc_sys::{
    mi_free, mi_malloc, mi_malloc_aligned, mi_realloc, mi_realloc_aligned, mi_zalloc, mi_zalloc_aligned,
};

/// mimalloc, asked for an alignment only when its plain allocation would not
/// have it.
///
/// The `mimalloc` crate's allocator asks `mi_malloc_aligned` for every
/// layout. mimalloc v3 serves that quickly only while the size's page has a
/// free block at hand; otherwise, unless the size is a power of two, it
/// allocates `size + align - 1` bytes and aligns within them: a 24-byte
/// node took a 32-byte block, and a growing list of 1,500 bytes one of
/// 1,507. That path was 3% of a check's instructions.
///
/// Every block mimalloc hands out is a whole number of words from a page
/// start aligned to 16, so a plain allocation is aligned to a word:
/// layouts aligned to no more (nearly all of Rust's) take the plain calls,
/// as the standard library's `System` does with `malloc`.
pub struct Allocator;

/// What every plain mimalloc block is aligned to: a word.
const PLAIN_ALIGN: usize = std::mem::size_of::<usize>();

// SAFETY: each call forwards to mimalloc with a size and, where the plain
// alignment would fall short, the layout's alignment; mimalloc frees and
// reallocates both kinds of block alike.
unsafe impl GlobalAlloc for Allocator {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: mimalloc's allocation functions have no precondition.
        unsafe {
            if layout.align() <= PLAIN_ALIGN {
                mi_malloc(layout.size()).cast()
            } else {
                mi_malloc_aligned(layout.size(), layout.align()).cast()
            }
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        unsafe {
            if layout.align() <= PLAIN_ALIGN {
                mi_zalloc(layout.size()).cast()
            } else {
                mi_zalloc_aligned(layout.size(), layout.align()).cast()
            }
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: `ptr` came from this allocator, so from mimalloc.
        unsafe { mi_free(ptr.cast::<c_void>()) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` came from this allocator with `layout`'s alignment,
        // which the new block keeps.
        unsafe {
            if layout.align() <= PLAIN_ALIGN {
                mi_realloc(ptr.cast::<c_void>(), new_size).cast()
            } else {
                mi_realloc_aligned(ptr.cast::<c_void>(), new_size, layout.align()).cast()
            }
        }
    }
}

unsafe extern "C" {
    /// From mimalloc (`libmimalloc-sys` declares it only with its
    /// `extended` feature).
    fn mi_option_set(option: c_int, value: c_long);
    /// From mimalloc: frees the calling thread's empty pages and, forced,
    /// purges them at once.
    fn mi_collect(force: bool);
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

/// Hands the memory freed so far back to the kernel now, rather than after
/// `PURGE_AFTER_MS`: for a phase boundary after which the freed memory will
/// not be reused, and before one that allocates anew.
///
/// mimalloc collects one thread's heap at a time, so each of rayon's
/// threads collects its own. Where sitelint's library runs with another
/// allocator, mimalloc has no heap to collect and this does nothing.
///
/// On the 59 MB JSON site with 20% problems, calls after the rules and
/// after the JUnit report's parse for key paths took 7 MB off its peak and
/// 1-2 MB off the other formats' (before SARIF and JUnit freed the model
/// first), at no cost in time the runs could tell. One after the model
/// took 6.5 MiB more off the JSON check's peak with 1% problems, 3 to 7
/// MiB off the YAML one's, for about a millisecond.
pub fn release_freed() {
    // SAFETY: mi_collect may be called from any thread at any time.
    rayon::broadcast(|_| unsafe { mi_collect(true) });
    // SAFETY: as above.
    unsafe { mi_collect(true) };
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every alignment a layout may ask, across mimalloc's size classes and
    /// past a page empty of free blocks (where `mi_malloc_aligned` went its
    /// slow way): each block is aligned as asked, keeps its bytes when it
    /// grows, and is freed.
    #[test]
    fn blocks_are_aligned_as_asked_and_grow_with_their_bytes() {
        let sizes = [1, 3, 8, 12, 24, 40, 100, 1_000, 1_500, 70_000, 3 << 20];
        for align in (0..13).map(|shift| 1usize << shift) {
            for size in sizes {
                let layout = Layout::from_size_align(size, align).unwrap();
                // Enough blocks of a size to use up a page of them.
                let blocks: Vec<*mut u8> = (0..if size < 2_000 { 300 } else { 2 })
                    .map(|i| {
                        // SAFETY: the layout's size is not zero.
                        let block = unsafe { Allocator.alloc(layout) };
                        assert!(!block.is_null());
                        assert_eq!(block as usize % align, 0, "size {size}, align {align}");
                        // SAFETY: the block holds `size` bytes.
                        unsafe { block.write_bytes(i as u8, size) };
                        block
                    })
                    .collect();
                for (i, block) in blocks.into_iter().enumerate() {
                    // SAFETY: the block came from `alloc` with `layout`.
                    let grown = unsafe { Allocator.realloc(block, layout, size * 2 + 1) };
                    assert_eq!(grown as usize % align, 0, "grown from {size}, align {align}");
                    // SAFETY: the grown block holds the first `size` bytes.
                    let kept = unsafe { std::slice::from_raw_parts(grown, size) };
                    assert!(kept.iter().all(|b| *b == i as u8), "size {size}, align {align}");
                    let grown_layout = Layout::from_size_align(size * 2 + 1, align).unwrap();
                    // SAFETY: the block came from `realloc` with that layout.
                    unsafe { Allocator.dealloc(grown, grown_layout) };
                }
                // SAFETY: as for `alloc`.
                let zeroed = unsafe { Allocator.alloc_zeroed(layout) };
                assert_eq!(zeroed as usize % align, 0);
                // SAFETY: the block holds `size` bytes.
                assert!(unsafe { std::slice::from_raw_parts(zeroed, size) }.iter().all(|b| *b == 0));
                // SAFETY: the block came from `alloc_zeroed` with `layout`.
                unsafe { Allocator.dealloc(zeroed, layout) };
            }
        }
    }

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
