//! Shared input/output plumbing for commands that read tickets and write files: `-` for stdin,
//! transparent gzip, atomic output files, and refusing to overwrite an input.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

/// Open a ticket file: `-` is stdin; `*.gz` is decompressed on the fly.
pub fn open_input(path: &Path) -> anyhow::Result<(Box<dyn Read + Send>, Option<u64>)> {
    if path == Path::new("-") {
        return Ok((
            Box::new(BufReader::with_capacity(1 << 16, std::io::stdin())),
            None,
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
    let reader: Box<dyn Read + Send> = if gzip {
        Box::new(flate2::read::MultiGzDecoder::new(BufReader::with_capacity(
            1 << 16,
            file,
        )))
    } else {
        Box::new(BufReader::with_capacity(1 << 16, file))
    };
    Ok((reader, (!gzip).then_some(metadata.len())))
}

/// The path as it will be on disk, for comparing outputs with inputs.
fn resolved(path: &Path) -> Option<PathBuf> {
    if let Ok(path) = path.canonicalize() {
        return Some(path);
    }
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    Some(parent.canonicalize().ok()?.join(path.file_name()?))
}

/// Refuse an output path that names one of the inputs.
pub fn refuse_overwriting_inputs(outputs: &[&Path], inputs: &[&Path]) -> anyhow::Result<()> {
    for output in outputs {
        let Some(out) = resolved(output) else {
            continue;
        };
        for input in inputs {
            if *input != Path::new("-") && resolved(input).is_some_and(|i| i == out) {
                bail!(
                    "refusing to write {}: it is an input of this command",
                    output.display()
                );
            }
        }
    }
    Ok(())
}

/// A file written atomically: data goes to a temporary file beside the target, which replaces
/// the target only when [`AtomicFile::commit`] succeeds. Dropped without commit, nothing
/// changes.
pub struct AtomicFile {
    path: PathBuf,
    writer: BufWriter<tempfile::NamedTempFile>,
}

impl AtomicFile {
    pub fn create(path: &Path) -> anyhow::Result<AtomicFile> {
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let temp = tempfile::Builder::new()
            .prefix(".handoff-")
            .tempfile_in(dir)
            .with_context(|| format!("cannot create a file in {}", dir.display()))?;
        Ok(AtomicFile {
            path: path.to_path_buf(),
            writer: BufWriter::with_capacity(1 << 16, temp),
        })
    }

    pub fn commit(self) -> anyhow::Result<()> {
        let path = self.path;
        let temp = self
            .writer
            .into_inner()
            .map_err(|e| e.into_error())
            .with_context(|| format!("cannot write {}", path.display()))?;
        temp.as_file()
            .sync_all()
            .with_context(|| format!("cannot write {}", path.display()))?;
        temp.persist(&path)
            .map_err(|e| e.error)
            .with_context(|| format!("cannot write {}", path.display()))?;
        Ok(())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.writer.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.writer.flush()
    }
}
