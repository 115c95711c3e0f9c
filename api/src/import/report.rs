//! What an import tells the person running it: the progress bar on stderr, the error file
//! (written on a thread of its own) and the counts.

use std::{fmt, fs::File, io::IsTerminal, path::PathBuf, time::Duration};

use indicatif::{ProgressBar, ProgressStyle};
use tokio::sync::mpsc;

use super::ImportError;

/// A failed row: its number, its cells as read, the field at fault (empty for the whole row)
/// and why.
pub struct ErrorRow {
    pub number: u64,
    pub cells: Vec<String>,
    pub field: String,
    pub message: String,
}

/// The error CSV: `row`, the file's own columns, then `field` and `message`. With its extra
/// columns left out by the header mapping, a corrected error file imports as it is.
pub struct ErrorFile {
    sender: mpsc::Sender<ErrorRow>,
    writer: std::thread::JoinHandle<Result<(), ImportError>>,
}

impl ErrorFile {
    pub async fn create(path: PathBuf, headers: &[String]) -> Result<Self, ImportError> {
        let mut header = vec!["row".to_owned()];
        header.extend(headers.iter().cloned());
        header.extend(["field".to_owned(), "message".to_owned()]);
        let writer = tokio::task::spawn_blocking(move || -> Result<_, ImportError> {
            let file = File::create(&path)
                .map_err(|err| ImportError::Io(path.display().to_string(), err))?;
            let mut writer = csv::WriterBuilder::new().flexible(true).from_writer(file);
            writer.write_record(&header)?;
            Ok(writer)
        })
        .await
        .map_err(|err| ImportError::Io("the error file".into(), err.into()))??;
        let (sender, mut rows) = mpsc::channel::<ErrorRow>(1024);
        let writer = std::thread::Builder::new()
            .name("import-errors".into())
            .spawn(move || {
                let mut writer = writer;
                while let Some(row) = rows.blocking_recv() {
                    let number = row.number.to_string();
                    let record = std::iter::once(number.as_str())
                        .chain(row.cells.iter().map(String::as_str))
                        .chain([row.field.as_str(), row.message.as_str()]);
                    writer.write_record(record)?;
                }
                writer
                    .flush()
                    .map_err(|err| ImportError::Io("the error file".into(), err))
            })
            .map_err(|err| ImportError::Io("the error file".into(), err))?;
        Ok(Self { sender, writer })
    }

    pub async fn write(&self, row: ErrorRow) {
        // A send fails only when the writer stopped on an error, which `finish` reports.
        let _ = self.sender.send(row).await;
    }

    /// Flushes the file and reports any write failure.
    pub async fn finish(self) -> Result<(), ImportError> {
        drop(self.sender);
        let writer = self.writer;
        tokio::task::spawn_blocking(move || writer.join())
            .await
            .map_err(|err| ImportError::Io("the error file".into(), err.into()))?
            .unwrap_or_else(|_| {
                Err(ImportError::Io(
                    "the error file".into(),
                    std::io::Error::other("the writer thread panicked"),
                ))
            })
    }
}

/// The bar: bytes of the file read, rows done, time left. Hidden when stderr is not a terminal
/// or with `--quiet`.
pub struct Progress(ProgressBar);

impl Progress {
    pub fn new(total_bytes: u64, quiet: bool) -> Self {
        if quiet || !std::io::stderr().is_terminal() {
            return Self(ProgressBar::hidden());
        }
        let bar = ProgressBar::new(total_bytes);
        let style = ProgressStyle::with_template(
            "{spinner} [{bar:30}] {bytes}/{total_bytes} {msg} ({eta} left)",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        bar.set_style(style);
        bar.enable_steady_tick(Duration::from_millis(200));
        Self(bar)
    }

    pub fn update(&self, bytes_read: u64, tally: &Tally) {
        self.0.set_position(bytes_read);
        self.0.set_message(format!("{} rows", tally.rows()));
    }

    /// Prints a line above the bar.
    pub fn println(&self, line: &str) {
        if self.0.is_hidden() {
            eprintln!("{line}");
        } else {
            self.0.println(line);
        }
    }

    pub fn finish(&self) {
        self.0.finish_and_clear();
    }
}

/// The rows of an import by outcome.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub failed: u64,
}

impl Tally {
    pub fn rows(&self) -> u64 {
        self.created + self.updated + self.unchanged + self.failed
    }
}

impl fmt::Display for Tally {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "created {}, updated {}, unchanged {}, failed {}",
            self.created, self.updated, self.unchanged, self.failed
        )
    }
}
