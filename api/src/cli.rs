//! The `accord` command line: `serve` (the default), `migrate`, `schema`.

use clap::{CommandFactory, Parser, Subcommand};
use migration::{Migrator, MigratorTrait};

use crate::{config::Config, db, http::server, state::AppState, telemetry};

/// Accord: marketing and sales as one revenue team. Every flag can also be set by the
/// environment variable named beside it.
#[derive(Parser, Debug)]
#[command(name = "accord", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub config: Config,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the server (the default).
    Serve,
    /// Apply or inspect database migrations.
    Migrate {
        #[command(subcommand)]
        action: MigrateAction,
    },
    /// Print the GraphQL schema (SDL) to standard output.
    Schema,
}

#[derive(Subcommand, Debug, Clone, Copy)]
pub enum MigrateAction {
    /// Apply every pending migration.
    Up,
    /// Roll back the last migration.
    Down,
    /// List migrations and whether they are applied.
    Status,
}

/// Parses the command line. A bad value exits with clap's message plus the environment variable
/// that feeds the flag, since most deployments set variables, not flags.
fn parse() -> Cli {
    Cli::try_parse().unwrap_or_else(|err| {
        if let Some(variable) = variable_of(&err) {
            eprintln!("accord: check the {variable} environment variable or its flag");
        }
        err.exit()
    })
}

fn variable_of(err: &clap::Error) -> Option<String> {
    let clap::error::ContextValue::String(invalid) =
        err.get(clap::error::ContextKind::InvalidArg)?
    else {
        return None;
    };
    let long = invalid.trim_start_matches("--").split([' ', '=']).next()?;
    Cli::command()
        .get_arguments()
        .find(|arg| arg.get_long() == Some(long))?
        .get_env()
        .map(|env| env.to_string_lossy().into_owned())
}

/// Runs the command line; the process exit code comes from the result.
pub async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let cli = parse();
    let config = cli.config;
    if let Some(Command::Schema) = cli.command {
        print!("{}", crate::graphql::sdl());
        return Ok(());
    }
    telemetry::init(config.log_format, &config.log_filter);
    config.validate()?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let state = AppState::build(config).await?;
            server::serve(state).await?;
        }
        Command::Migrate { action } => {
            let conn = db::connect(&config).await?;
            match action {
                MigrateAction::Up => Migrator::up(&conn, None).await?,
                MigrateAction::Down => Migrator::down(&conn, Some(1)).await?,
                MigrateAction::Status => Migrator::status(&conn).await?,
            }
        }
        Command::Schema => unreachable!("handled above"),
    }
    Ok(())
}
