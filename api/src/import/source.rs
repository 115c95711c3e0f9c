//! The file, read on a thread of its own and handed over in batches through a short channel:
//! however large the file, a few batches are in memory at once, and the async threads never
//! block on the disk. The `csv` crate handles the UTF-8 BOM, CRLF and quoted fields (commas,
//! quotes and line breaks inside them).

use std::{fs::File, io::BufReader, path::Path};

use tokio::sync::mpsc;

use super::ImportError;

/// One data row as read: its number as a spreadsheet shows it (the header is row 1), its cells,
/// and what makes it unreadable, if anything.
pub struct RawRow {
    pub number: u64,
    pub cells: Vec<String>,
    pub problem: Option<String>,
}

pub struct Batch {
    pub rows: Vec<RawRow>,
    /// How far into the file the batch ends, for the progress bar.
    pub bytes_read: u64,
}

pub struct CsvSource {
    pub headers: Vec<String>,
    pub total_bytes: u64,
    batches: mpsc::Receiver<Result<Batch, ImportError>>,
}

type Reader = csv::Reader<BufReader<File>>;

impl CsvSource {
    /// Opens `path`, reads its header and starts the reading thread.
    pub async fn open(path: &Path, batch_size: usize) -> Result<Self, ImportError> {
        let path = path.to_owned();
        let (reader, headers, total_bytes) =
            tokio::task::spawn_blocking(move || open_blocking(&path))
                .await
                .map_err(|err| ImportError::Io("the reading thread".into(), err.into()))??;
        let (sender, batches) = mpsc::channel(2);
        let width = headers.len();
        std::thread::Builder::new()
            .name("import-reader".into())
            .spawn(move || read_batches(reader, width, batch_size, sender))
            .map_err(|err| ImportError::Io("the reading thread".into(), err))?;
        Ok(Self {
            headers,
            total_bytes,
            batches,
        })
    }

    /// The next batch; `None` at the end of the file.
    pub async fn next(&mut self) -> Option<Result<Batch, ImportError>> {
        self.batches.recv().await
    }
}

fn open_blocking(path: &Path) -> Result<(Reader, Vec<String>, u64), ImportError> {
    let at = |err| ImportError::Io(path.display().to_string(), err);
    let file = File::open(path).map_err(at)?;
    let total_bytes = file.metadata().map_err(at)?.len();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(BufReader::with_capacity(1 << 16, file));
    let headers = reader
        .byte_headers()?
        .iter()
        .map(|h| String::from_utf8_lossy(h).trim().to_owned())
        .collect();
    Ok((reader, headers, total_bytes))
}

fn read_batches(
    mut reader: Reader,
    width: usize,
    size: usize,
    sender: mpsc::Sender<Result<Batch, ImportError>>,
) {
    let mut record = csv::ByteRecord::new();
    loop {
        let mut rows = Vec::with_capacity(size);
        let mut ended = false;
        while rows.len() < size {
            match reader.read_byte_record(&mut record) {
                Ok(true) => rows.push(raw_row(&record, width)),
                Ok(false) => {
                    ended = true;
                    break;
                }
                Err(err) => {
                    let _ = sender.blocking_send(Err(err.into()));
                    return;
                }
            }
        }
        if !rows.is_empty() {
            let batch = Batch {
                rows,
                bytes_read: reader.position().byte(),
            };
            // The importer stopped (it failed): nothing more to read for.
            if sender.blocking_send(Ok(batch)).is_err() {
                return;
            }
        }
        if ended {
            return;
        }
    }
}

fn raw_row(record: &csv::ByteRecord, width: usize) -> RawRow {
    let mut problem = None;
    let cells = record
        .iter()
        .map(|cell| match std::str::from_utf8(cell) {
            Ok(text) => text.to_owned(),
            Err(_) => {
                problem = Some("is not UTF-8 text: save the file as UTF-8".to_owned());
                String::from_utf8_lossy(cell).into_owned()
            }
        })
        .collect::<Vec<_>>();
    if cells.len() != width {
        problem = Some(format!(
            "has {} cells where the header has {width}",
            cells.len()
        ));
    }
    RawRow {
        // The csv crate counts the header as record 0.
        number: record.position().map_or(0, |p| p.record() + 1),
        cells,
        problem,
    }
}
