//! The `accord` binary: a thin shell over the `accord_api` library.

// The merged GraphQL root nests deep enough that the release build computes its future's
// layout past the default limit of 128.
#![recursion_limit = "256"]

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
