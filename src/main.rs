// mimalloc: sitelint makes millions of small allocations (one per field,
// reference and string of a big site) from two threads; glibc's allocator
// spent a third of a 500 MB check in malloc/free and page faults.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    sitelint::cli::main()
}
