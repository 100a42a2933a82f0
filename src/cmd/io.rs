//! Shared input/output plumbing for every command (DESIGN §6): `-` for stdin and stdout,
//! transparent gzip, progress over an input's bytes, the one way an output path is opened, and
//! refusing an output that names an input (or another output).
//!
//! An output path is written according to what it is:
//! - `-`: stdout;
//! - a regular file, new or existing: a temporary file in the same folder, renamed over it when
//!   the run succeeds, with the old file's permissions (and owner, where allowed) or, for a new
//!   file, `0666 & !umask`;
//! - a symlink: followed, and its target written as above (the link stays a link);
//! - anything else (a device such as `/dev/null`, a FIFO, a socket): opened and written in
//!   place, never replaced.
//!
//! Temporary files are removed when the run fails, and on SIGINT, SIGTERM and SIGHUP.

use std::fs::File;
use std::io::{BufReader, Read, Write};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

mod output;
pub use output::{OutputTarget, check_outputs, config_input};

/// Open a ticket file: `-` is stdin; `*.gz` is decompressed on the fly. With `progress`
/// ("diffing"), a progress indicator counts the bytes read (of the compressed file, for `.gz`),
/// drawn on a terminal unless quiet; without, the indicator draws nothing.
pub fn open_input(
    path: &Path,
    progress: Option<&str>,
) -> anyhow::Result<(Box<dyn Read + Send>, Progress)> {
    let progress_for = |size: Option<u64>| match progress {
        Some(verb) => Progress::new(verb, size),
        None => Progress { shared: None },
    };
    if path == Path::new("-") {
        let progress = progress_for(None);
        let reader = progress.count(Box::new(std::io::stdin()));
        return Ok((
            Box::new(BufReader::with_capacity(1 << 16, reader)),
            progress,
        ));
    }
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let metadata = file
        .metadata()
        .with_context(|| format!("cannot read {}", path.display()))?;
    if metadata.is_dir() {
        bail!("{} is a directory, not a ticket file", path.display());
    }
    let gzip = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"));
    // A FIFO or a device has no meaningful length.
    let size = metadata.is_file().then_some(metadata.len());
    let progress = progress_for(size);
    let raw = progress.count(Box::new(file));
    let reader: Box<dyn Read + Send> = if gzip {
        Box::new(flate2::read::MultiGzDecoder::new(BufReader::with_capacity(
            1 << 16,
            raw,
        )))
    } else {
        Box::new(BufReader::with_capacity(1 << 16, raw))
    };
    Ok((reader, progress))
}

/// A progress indicator over an input's bytes, on stderr. It appears only on a terminal, only
/// after a second (a quick run draws nothing), never under `--quiet`; with no known size
/// (stdin, a FIFO) it is a spinner with the bytes read, not a bar with a total.
pub struct Progress {
    shared: Option<Arc<ProgressShared>>,
}

struct ProgressShared {
    bar: indicatif::ProgressBar,
    started: Instant,
    shown: AtomicBool,
    bytes: AtomicU64,
}

/// How long a run goes before its progress is drawn.
const PROGRESS_DELAY: Duration = Duration::from_secs(1);

/// The progress template for `verb`, with a total only when the size is known.
fn progress_template(verb: &str, size: Option<u64>) -> String {
    match size {
        Some(_) => {
            format!("{{spinner}} {verb} {{bytes}}/{{total_bytes}} ({{bytes_per_sec}}, {{eta}})")
        }
        None => format!("{{spinner}} {verb} {{bytes}} read ({{bytes_per_sec}})"),
    }
}

impl Progress {
    /// No indicator (an input whose bytes are not counted as they are read).
    pub fn none() -> Progress {
        Progress { shared: None }
    }

    fn new(verb: &str, size: Option<u64>) -> Progress {
        use std::io::IsTerminal;
        if super::quiet() || !std::io::stderr().is_terminal() {
            return Progress { shared: None };
        }
        let bar =
            indicatif::ProgressBar::with_draw_target(size, indicatif::ProgressDrawTarget::hidden());
        bar.set_style(
            indicatif::ProgressStyle::with_template(&progress_template(verb, size))
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        Progress {
            shared: Some(Arc::new(ProgressShared {
                bar,
                started: Instant::now(),
                shown: AtomicBool::new(false),
                bytes: AtomicU64::new(0),
            })),
        }
    }

    /// `reader`, counting its bytes for this indicator.
    fn count(&self, reader: Box<dyn Read + Send>) -> Box<dyn Read + Send> {
        match &self.shared {
            Some(shared) => Box::new(Counted {
                inner: reader,
                shared: Arc::clone(shared),
            }),
            None => reader,
        }
    }

    /// Clear the indicator (also done when it is dropped).
    pub fn finish(&self) {
        if let Some(shared) = &self.shared {
            shared.bar.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

/// Counts the bytes read for a [`Progress`].
struct Counted {
    inner: Box<dyn Read + Send>,
    shared: Arc<ProgressShared>,
}

impl Read for Counted {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let shared = &self.shared;
        let bytes = shared.bytes.fetch_add(n as u64, Ordering::Relaxed) + n as u64;
        if !shared.shown.load(Ordering::Relaxed) && shared.started.elapsed() > PROGRESS_DELAY {
            shared.shown.store(true, Ordering::Relaxed);
            shared
                .bar
                .set_draw_target(indicatif::ProgressDrawTarget::stderr());
        }
        shared.bar.set_position(bytes);
        Ok(n)
    }
}

// ---------------------------------------------------------------------------------------------
// stdout
// ---------------------------------------------------------------------------------------------

static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// Whether stdout's reader has gone (`handoff … | head`): what was written since was dropped.
pub fn stdout_closed() -> bool {
    STDOUT_CLOSED.load(Ordering::Relaxed)
}

/// stdout for reports. When the reader closes the pipe, further output is dropped quietly and
/// the run goes on, so that the verdict (exit code, `fail-if met` lines on stderr) is what it
/// would have been: a pipe never turns a failing check green. Other write errors (a full disk)
/// are returned.
pub struct Stdout(std::io::Stdout);

/// The report writer on stdout; see [`Stdout`].
pub fn stdout() -> Stdout {
    Stdout(std::io::stdout())
}

fn swallow_closed_pipe<T>(result: std::io::Result<T>, closed: T) -> std::io::Result<T> {
    match result {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            STDOUT_CLOSED.store(true, Ordering::Relaxed);
            Ok(closed)
        }
        other => other,
    }
}

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if stdout_closed() {
            return Ok(buf.len());
        }
        swallow_closed_pipe(self.0.write(buf), buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        if stdout_closed() {
            return Ok(());
        }
        swallow_closed_pipe(self.0.flush(), ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_has_a_total_only_with_a_size() {
        assert_eq!(
            progress_template("sweeping", Some(10)),
            "{spinner} sweeping {bytes}/{total_bytes} ({bytes_per_sec}, {eta})"
        );
        assert_eq!(
            progress_template("sweeping", None),
            "{spinner} sweeping {bytes} read ({bytes_per_sec})"
        );
    }
}
