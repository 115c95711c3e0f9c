//! The `accord` command line: `serve` (the default), `migrate`, `schema`, `import`.

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
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
    /// Import accounts, contacts or opportunities from a CSV file into a workspace.
    Import(crate::import::ImportArgs),
    /// Create a demo workspace (a 50-person revenue team after 90 days) and print a login and
    /// an API token; run again to get a fresh token.
    Demo(crate::demo::DemoArgs),
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
/// `version` is what `--version` prints after the name: the binary knows its build's commit.
fn parse(version: &'static str) -> Cli {
    let matches = Cli::command().version(version).try_get_matches();
    matches
        .and_then(|matches| Cli::from_arg_matches(&matches))
        .unwrap_or_else(|err| {
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
pub async fn run(version: &'static str) -> Result<(), Box<dyn std::error::Error>> {
    let cli = parse(version);
    let config = cli.config;
    if let Some(Command::Schema) = cli.command {
        print!("{}", crate::graphql::sdl());
        return Ok(());
    }
    // An import's own output is its progress bar and its summary: info lines would break both,
    // so it logs warnings and errors unless RUST_LOG says otherwise.
    let quiet_by_default = matches!(cli.command, Some(Command::Import(_) | Command::Demo(_)))
        && std::env::var_os("RUST_LOG").is_none()
        && config.log_filter == "info";
    let filter = if quiet_by_default {
        "warn"
    } else {
        config.log_filter.as_str()
    };
    let telemetry = telemetry::init(
        config.log_format,
        filter,
        telemetry::Export {
            endpoint: config.otlp_endpoint.as_deref(),
            service_name: &config.service_name,
        },
    );
    let result = run_command(cli.command, config).await;
    telemetry.shutdown();
    result
}

async fn run_command(
    command: Option<Command>,
    config: Config,
) -> Result<(), Box<dyn std::error::Error>> {
    config.validate()?;
    match command.unwrap_or(Command::Serve) {
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
        Command::Import(args) => {
            let state = offline_state(config).await?;
            let report = crate::import::run(&state, &args).await?;
            println!("{report}");
            report.into_result()?;
        }
        Command::Demo(args) => {
            let state = offline_state(config).await?;
            eprintln!("Making the demo workspace (a minute or two)...");
            println!("{}", crate::demo::run(&state, &args).await?);
        }
        Command::Schema => unreachable!("handled above"),
    }
    Ok(())
}

/// The state an import or the demo runs on: the configured database, migrated like `serve`
/// does. Neither signs a token nor needs its events delivered live, so they need neither the
/// signing key (which would be created and warned about) nor Redis.
async fn offline_state(mut config: Config) -> Result<AppState, Box<dyn std::error::Error>> {
    let conn = db::connect(&config).await?;
    db::migrate(&conn).await?;
    config.redis_url = None;
    config
        .jwt_secret
        .get_or_insert_with(|| crate::auth::secret::random_hex(32));
    Ok(AppState::from_parts(config, conn).await?)
}
