#[global_allocator]
static ALLOCATOR: sitelint::allocator::Allocator = sitelint::allocator::Allocator;

fn main() -> std::process::ExitCode {
    sitelint::allocator::configure();
    sitelint::cli::main()
}
