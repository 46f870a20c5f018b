#[global_allocator]
static ALLOCATOR: sitelint::allocator::Allocator = sitelint::allocator::Allocator;

fn main() -> std::process::ExitCode {
    sitelint::allocator::keep_freed_memory();
    sitelint::cli::main()
}
