//! The `accord` binary: a thin shell over the `accord_api` library.

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
