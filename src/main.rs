//! The `accord` binary: a thin shell over the `accord_api` library.

/// mimalloc keeps a server holding thousands of open subscriptions compact: with the system
/// allocator each socket cost about 58 KiB (see the README's benchmarks).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match accord_api::cli::run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("accord: {err}");
            std::process::ExitCode::FAILURE
        }
    }
}
