//! `accord import accounts|contacts|opportunities FILE.csv`: a CSV export streamed into a
//! workspace in batches of 1,000 rows, each batch one transaction through the same upsert
//! services as `upsertAccounts`, `upsertContacts` and `upsertOpportunities`. Rows are found by
//! their natural key, so running an import again changes nothing.

mod columns;
mod messages;
mod report;
mod rows;
mod source;

use std::{
    fmt,
    path::{Path, PathBuf},
};

use async_graphql::ID;
use clap::{Args, ValueEnum};
use uuid::Uuid;

pub use report::Tally;

use self::{
    columns::Columns,
    messages::{csv_field, plain_message, renumber},
    report::{ErrorFile, ErrorRow, Progress},
    rows::{Lookups, Owners, Record, Row},
    source::{CsvSource, RawRow},
};
use crate::{
    domain::text::normalize_email,
    error::AppError,
    services::records::{
        AccountInput, ContactInput, OpportunityUpsertInput, UpsertStatus, Write, MAX_BATCH,
    },
    services::{sources, unit_of_work::UnitOfWork},
    state::AppState,
    store::people,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Kind {
    Accounts,
    Contacts,
    Opportunities,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Accounts => "accounts",
            Kind::Contacts => "contacts",
            Kind::Opportunities => "opportunities",
        })
    }
}

/// `accord import`'s arguments.
#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    /// What the file holds.
    pub kind: Kind,
    /// The CSV file (UTF-8, a header row; a BOM and CRLF line ends are fine).
    pub file: PathBuf,
    /// The workspace to import into: its id or its slug.
    #[arg(long)]
    pub workspace: String,
    /// Column-to-field pairs overriding the header matching, e.g.
    /// `--mapping "E-mail=email,Company=account_domain"`; `Column=` leaves a column out.
    #[arg(long, value_delimiter = ',')]
    pub mapping: Vec<String>,
    /// Where to write the rows that failed (default: FILE.errors.csv).
    #[arg(long)]
    pub errors: Option<PathBuf>,
    /// Check every row against the database and report what would happen; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// No progress bar and no column report.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Why an import stopped (or, for `RowsFailed`, finished with failures).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{0}: {1}")]
    Io(String, #[source] std::io::Error),
    #[error("reading the CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("--workspace: no workspace has the id or slug `{0}`")]
    NoWorkspace(String),
    #[error("--mapping: {0}")]
    Mapping(String),
    #[error("--errors {}: that is the file being imported", .0.display())]
    ErrorsIsInput(PathBuf),
    #[error("the database: {0}")]
    Database(String),
    #[error("{failed} rows failed; see {}", path.display())]
    RowsFailed { failed: u64, path: PathBuf },
}

impl From<AppError> for ImportError {
    fn from(err: AppError) -> Self {
        ImportError::Database(match err {
            AppError::Internal(source) => source.to_string(),
            other => other.message(),
        })
    }
}

/// What an import did.
#[derive(Debug)]
pub struct Report {
    pub kind: Kind,
    pub tally: Tally,
    pub errors: PathBuf,
    pub dry_run: bool,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let prefix = if self.dry_run {
            "dry run, nothing written: "
        } else {
            ""
        };
        write!(f, "{prefix}{}: {}", self.kind, self.tally)
    }
}

impl Report {
    /// An error when some rows failed, naming the error file.
    pub fn into_result(self) -> Result<(), ImportError> {
        match self.tally.failed {
            0 => Ok(()),
            failed => Err(ImportError::RowsFailed {
                failed,
                path: self.errors,
            }),
        }
    }
}

/// `FILE.csv` -> `FILE.errors.csv`.
fn default_errors_path(file: &Path) -> PathBuf {
    file.with_extension("errors.csv")
}

/// Everything a batch needs.
struct Import<'a> {
    state: &'a AppState,
    workspace_id: Uuid,
    columns: Columns,
    lookups: Lookups,
    write: Write,
    errors: ErrorFile,
}

pub async fn run(state: &AppState, args: &ImportArgs) -> Result<Report, ImportError> {
    match args.kind {
        Kind::Accounts => run_as::<AccountInput>(state, args).await,
        Kind::Contacts => run_as::<ContactInput>(state, args).await,
        Kind::Opportunities => run_as::<OpportunityUpsertInput>(state, args).await,
    }
}

async fn run_as<R: Record>(state: &AppState, args: &ImportArgs) -> Result<Report, ImportError> {
    let workspace_id = find_workspace(state, &args.workspace).await?;
    let mut source = CsvSource::open(&args.file, MAX_BATCH).await?;
    let columns = Columns::resolve(args.kind, &source.headers, &args.mapping)?;
    let progress = Progress::new(source.total_bytes, args.quiet);
    if !args.quiet {
        progress.println(&format!("columns:\n{}", columns.describe()));
    }
    let errors_path = args
        .errors
        .clone()
        .unwrap_or_else(|| default_errors_path(&args.file));
    let mut import = Import {
        state,
        workspace_id,
        lookups: Lookups {
            owners: owners(state, workspace_id).await?,
            sources: Default::default(),
        },
        errors: ErrorFile::create(errors_path.clone(), &args.file, columns.headers()).await?,
        columns,
        write: if args.dry_run {
            Write::DryRun
        } else {
            Write::Commit
        },
    };
    let mut tally = Tally::default();
    while let Some(batch) = source.next().await {
        let batch = batch?;
        import.batch::<R>(batch.rows, &mut tally).await?;
        progress.update(batch.bytes_read, &tally);
    }
    progress.finish();
    import.errors.finish().await?;
    Ok(Report {
        kind: args.kind,
        tally,
        errors: errors_path,
        dry_run: args.dry_run,
    })
}

async fn find_workspace(state: &AppState, wanted: &str) -> Result<Uuid, ImportError> {
    let found = match Uuid::parse_str(wanted) {
        Ok(id) => people::workspace_by_id(&state.store.global(), id).await?,
        Err(_) => people::workspace_by_slug(&state.store.global(), wanted).await?,
    };
    found
        .map(|w| w.id)
        .ok_or_else(|| ImportError::NoWorkspace(wanted.to_owned()))
}

/// The workspace's members by email, for owner columns.
async fn owners(state: &AppState, workspace_id: Uuid) -> Result<Owners, ImportError> {
    let ids: Vec<Uuid> = state
        .store
        .tenant(workspace_id)
        .members()
        .await?
        .into_iter()
        .map(|m| m.user_id)
        .collect();
    Ok(people::users_by_ids(&state.store.global(), &ids)
        .await?
        .into_iter()
        .filter_map(|u| Some((normalize_email(&u.email)?, ID::from(u.id))))
        .collect())
}

impl Import<'_> {
    /// Sources the batch names by name, created on first use (not in a dry run), as ingestion
    /// creates the sources events name.
    async fn learn_sources(&mut self, rows: &[RawRow]) -> Result<(), ImportError> {
        let names: Vec<String> = rows
            .iter()
            .filter_map(|raw| {
                Row {
                    cells: &raw.cells,
                    columns: &self.columns,
                }
                .text("source")
                .map(str::to_owned)
            })
            .filter(|name| {
                !self
                    .lookups
                    .sources
                    .contains_key(&name.trim().to_lowercase())
            })
            .collect();
        if names.is_empty() {
            return Ok(());
        }
        let now = self.state.clock.now();
        let known = match self.write {
            // New sources are written in a unit of work of their own, before the batch's.
            Write::Commit => {
                let work = UnitOfWork::begin(self.state, self.workspace_id).await?;
                let known = sources::by_names(&work.tenant(), &names, true, now).await?;
                work.commit().await?;
                known
            }
            Write::DryRun => {
                let tenant = self.state.store.tenant(self.workspace_id);
                sources::by_names(&tenant, &names, false, now).await?
            }
        };
        self.lookups.sources = known
            .into_iter()
            .map(|(name, source)| (name, ID::from(source.id)))
            .collect();
        Ok(())
    }

    /// Reads a batch of rows into inputs and upserts them in one transaction; failed rows go to
    /// the error file.
    async fn batch<R: Record>(
        &mut self,
        rows: Vec<RawRow>,
        tally: &mut Tally,
    ) -> Result<(), ImportError> {
        self.learn_sources(&rows).await?;
        let mut inputs = Vec::with_capacity(rows.len());
        let mut sent = Vec::with_capacity(rows.len());
        let mut failed = Vec::new();
        for raw in rows {
            let read = match &raw.problem {
                Some(problem) => Err(AppError::bad_input("", problem.clone())),
                None => R::from_row(
                    &Row {
                        cells: &raw.cells,
                        columns: &self.columns,
                    },
                    &self.lookups,
                ),
            };
            match read {
                Ok(input) => {
                    inputs.push(input);
                    sent.push(raw);
                }
                Err(err) => {
                    let field = err.field().unwrap_or_default().to_owned();
                    let message = plain_message(&err.message(), &field);
                    failed.push(self.error_row(raw, &field, message));
                }
            }
        }
        if !inputs.is_empty() {
            let numbers: Vec<u64> = sent.iter().map(|r| r.number).collect();
            let results = R::upsert(self.state, self.workspace_id, inputs, self.write).await?;
            let mut sent: Vec<Option<RawRow>> = sent.into_iter().map(Some).collect();
            for result in results {
                let Some(raw) = sent.get_mut(result.index as usize).and_then(Option::take) else {
                    continue;
                };
                match (result.status, result.error) {
                    (UpsertStatus::Created, _) => tally.created += 1,
                    (UpsertStatus::Updated, _) => tally.updated += 1,
                    (UpsertStatus::Unchanged, _) => tally.unchanged += 1,
                    (UpsertStatus::Rejected, error) => {
                        let (field, message) = match error {
                            Some(e) => {
                                let path = e.field.unwrap_or_default();
                                let message = plain_message(&e.message, &path);
                                (csv_field(&path), renumber(&message, R::NOUN, &numbers))
                            }
                            None => (String::new(), "rejected".to_owned()),
                        };
                        failed.push(self.error_row(raw, &field, message));
                    }
                }
            }
        }
        tally.failed += failed.len() as u64;
        failed.sort_by_key(|row| row.number);
        for row in failed {
            self.errors.write(row).await;
        }
        Ok(())
    }

    fn error_row(&self, raw: RawRow, field: &str, message: String) -> ErrorRow {
        ErrorRow {
            number: raw.number,
            cells: raw.cells,
            field: match field {
                "" => String::new(),
                field => self.columns.header_of(field).to_owned(),
            },
            message,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_error_file_sits_beside_the_import() {
        assert_eq!(
            default_errors_path(Path::new("/tmp/contacts.csv")),
            PathBuf::from("/tmp/contacts.errors.csv")
        );
    }
}
