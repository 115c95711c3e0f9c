//! The `accord` binary: a thin shell over the `accord_api` library.

// The merged GraphQL root nests deep enough that the release build computes its future's
// layout past the default limit of 128.
#![recursion_limit = "256"]

/// `accord --version`: the package version and the commit it was built from (see build.rs).
const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (", env!("ACCORD_COMMIT"), ")");

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match accord_api::cli::run(VERSION).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("accord: {err}");
            std::process::ExitCode::FAILURE
        }
    }
}
