// glibc's malloc showed as the largest single cost under write load (bin scans and
// consolidation for the many short-lived buffers of a request); jemalloc does not.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> std::process::ExitCode {
    arcanum::cli::run_cli()
}
