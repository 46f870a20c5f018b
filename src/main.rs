fn main() -> std::process::ExitCode {
    sitelint::cli::main()
}
