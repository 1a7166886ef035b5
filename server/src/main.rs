fn main() -> std::process::ExitCode {
    arcanum::cli::run_cli()
}
