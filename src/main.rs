//! The `handoff` binary: everything is in the library (`handoff::cli`).

/// jemalloc keeps the memory it was given for reuse, where glibc's allocator gives the Parquet
/// decoder's batch buffers back to the system and faults them in again: Parquet replay spends
/// 5-6 % less CPU, CSV 2 % (docs/performance.md, issue 16 round 8).
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> std::process::ExitCode {
    handoff::cli::main()
}
