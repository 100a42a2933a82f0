//! Output paths (DESIGN §6): the one way every output flag is opened, the temporary files of
//! replaced files (removed on failure and on signals), and the check that no output names an
//! input or another output. See the parent module for what each kind of path gets.

use std::fs::{File, Metadata};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use anyhow::{Context, bail};

use super::{Stdout, stdout};

/// An output flag's destination, opened as its path requires (see the module documentation).
/// Call [`OutputTarget::finish`] when everything is written: only then does a replaced file
/// change. Dropped unfinished, a temporary file is removed and nothing changes.
pub struct OutputTarget {
    /// The path as given, for messages.
    path: PathBuf,
    kind: Kind,
}

enum Kind {
    Stdout(BufWriter<Stdout>),
    /// A regular file, written to a temporary file that replaces `target` at the end.
    Replace {
        writer: BufWriter<File>,
        temp: TempFile,
        target: PathBuf,
    },
    /// A device or a FIFO, written where it is.
    InPlace(BufWriter<File>),
    #[cfg(unix)]
    Socket(BufWriter<std::os::unix::net::UnixStream>),
}

impl OutputTarget {
    /// Open `path` for writing (`-` is stdout).
    pub fn open(path: &Path) -> anyhow::Result<OutputTarget> {
        let cannot = || format!("cannot write {}", path.display());
        let kind = if path == Path::new("-") {
            Kind::Stdout(BufWriter::with_capacity(1 << 16, stdout()))
        } else {
            let (target, through_proc) = follow_links(path)?;
            if through_proc {
                // `/dev/stdout`, `/dev/fd/3`: the kernel follows these links to whatever the
                // descriptor is (its last hop, `pipe:[…]`, is no path); write it where it is.
                let meta = std::fs::metadata(path).with_context(cannot)?;
                if meta.is_dir() {
                    bail!("{}: it is a directory", cannot());
                }
                return Ok(OutputTarget {
                    path: path.to_path_buf(),
                    kind: in_place(path, &meta).with_context(cannot)?,
                });
            }
            match std::fs::metadata(&target) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => replace(&target, None)?,
                Err(e) => return Err(e).with_context(cannot),
                Ok(meta) if meta.is_file() => replace(&target, Some(&meta))?,
                Ok(meta) if meta.is_dir() => bail!("{}: it is a directory", cannot()),
                Ok(meta) => in_place(&target, &meta).with_context(cannot)?,
            }
        };
        Ok(OutputTarget {
            path: path.to_path_buf(),
            kind,
        })
    }

    /// Flush everything, and put a replaced file in place.
    pub fn finish(self) -> anyhow::Result<()> {
        let path = self.path;
        let cannot = || format!("cannot write {}", path.display());
        match self.kind {
            Kind::Stdout(mut writer) => writer.flush().with_context(cannot),
            Kind::InPlace(mut writer) => writer.flush().with_context(cannot),
            #[cfg(unix)]
            Kind::Socket(mut writer) => {
                writer.flush().with_context(cannot)?;
                let _ = writer.get_ref().shutdown(std::net::Shutdown::Write);
                Ok(())
            }
            Kind::Replace {
                writer,
                temp,
                target,
            } => {
                let file = writer
                    .into_inner()
                    .map_err(|e| e.into_error())
                    .with_context(cannot)?;
                file.sync_all().with_context(cannot)?;
                drop(file);
                temp.persist(&target).with_context(cannot)
            }
        }
    }

    fn writer(&mut self) -> &mut dyn Write {
        match &mut self.kind {
            Kind::Stdout(w) => w,
            Kind::Replace { writer, .. } => writer,
            Kind::InPlace(w) => w,
            #[cfg(unix)]
            Kind::Socket(w) => w,
        }
    }

    /// An error that names the file, keeping its kind.
    fn named(path: &Path, e: std::io::Error) -> std::io::Error {
        std::io::Error::new(e.kind(), format!("cannot write {}: {e}", path.display()))
    }
}

impl Write for OutputTarget {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let result = self.writer().write(buf);
        result.map_err(|e| OutputTarget::named(&self.path, e))
    }
    fn flush(&mut self) -> std::io::Result<()> {
        let result = self.writer().flush();
        result.map_err(|e| OutputTarget::named(&self.path, e))
    }
}

/// The path a chain of symlinks ends at (which may not exist yet), and whether the chain went
/// through `/proc` or `/dev/fd`, whose links name a process's descriptors rather than paths.
fn follow_links(path: &Path) -> anyhow::Result<(PathBuf, bool)> {
    let mut current = path.to_path_buf();
    let mut through_proc = false;
    for _ in 0..40 {
        through_proc |= current.starts_with("/proc") || current.starts_with("/dev/fd");
        match std::fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let link = std::fs::read_link(&current)
                    .with_context(|| format!("cannot read the link {}", current.display()))?;
                current = match current.parent() {
                    Some(parent) if link.is_relative() => parent.join(link),
                    _ => link,
                };
            }
            _ => return Ok((current, through_proc)),
        }
    }
    bail!(
        "cannot write {}: too many levels of symbolic links",
        path.display()
    )
}

/// Open a temporary file beside `target` that will replace it.
fn replace(target: &Path, existing: Option<&Metadata>) -> anyhow::Result<Kind> {
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let (file, temp) = TempFile::create_in(dir)
        .with_context(|| format!("cannot create a file in {}", dir.display()))?;
    if let Some(existing) = existing {
        keep_owner_and_permissions(&file, existing)
            .with_context(|| format!("cannot write {}", target.display()))?;
    }
    Ok(Kind::Replace {
        writer: BufWriter::with_capacity(1 << 16, file),
        temp,
        target: target.to_path_buf(),
    })
}

/// Give the replacement the old file's owner (where allowed: root may; others may keep a group
/// they belong to) and its permissions.
fn keep_owner_and_permissions(file: &File, existing: &Metadata) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let (uid, gid) = (existing.uid(), existing.gid());
        if std::os::unix::fs::fchown(file, Some(uid), Some(gid)).is_err() {
            let _ = std::os::unix::fs::fchown(file, None, Some(gid));
        }
    }
    // After the owner: changing the owner may clear set-id bits.
    file.set_permissions(existing.permissions())
}

/// Open a device, FIFO or socket where it is.
fn in_place(target: &Path, meta: &Metadata) -> std::io::Result<Kind> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if meta.file_type().is_socket() {
            let stream = std::os::unix::net::UnixStream::connect(target)?;
            return Ok(Kind::Socket(BufWriter::with_capacity(1 << 16, stream)));
        }
    }
    // No truncation: a device or a FIFO has nothing to truncate, and a regular file reached
    // through a descriptor (`-o /dev/stdout >> log`) is the shell's to truncate, so it is
    // appended to. A FIFO opens when a reader is there, as with a shell's `>`.
    let file = std::fs::OpenOptions::new()
        .write(true)
        .append(meta.is_file())
        .open(target)?;
    Ok(Kind::InPlace(BufWriter::with_capacity(1 << 16, file)))
}

// ---------------------------------------------------------------------------------------------
// Temporary files, removed on failure and on signals
// ---------------------------------------------------------------------------------------------

/// Temporary files not yet renamed into place. Creating, renaming and removing one happen under
/// this lock, so the signal thread never sees one half made.
static TEMP_FILES: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn temp_files() -> MutexGuard<'static, Vec<PathBuf>> {
    TEMP_FILES.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A temporary output file, removed unless persisted.
struct TempFile {
    path: PathBuf,
}

impl TempFile {
    /// Create `.handoff-XXXXXXXXXXXX` in `dir` with mode `0666 & !umask`, the mode of a new
    /// output.
    fn create_in(dir: &Path) -> std::io::Result<(File, TempFile)> {
        use std::hash::{BuildHasher, Hasher};
        remove_temp_files_on_signals();
        let mut files = temp_files();
        let mut attempt = 0u32;
        loop {
            let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
            hasher.write_u32(std::process::id());
            hasher.write_u32(attempt);
            let path = dir.join(format!(".handoff-{:012x}", hasher.finish() >> 16));
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o666);
            match options.open(&path) {
                Ok(file) => {
                    files.push(path.clone());
                    return Ok((file, TempFile { path }));
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 100 => {
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Rename over `target`.
    fn persist(self, target: &Path) -> std::io::Result<()> {
        let mut files = temp_files();
        std::fs::rename(&self.path, target)?;
        files.retain(|p| *p != self.path);
        drop(files);
        // Renamed: nothing left to remove.
        std::mem::forget(self);
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let mut files = temp_files();
        let _ = std::fs::remove_file(&self.path);
        files.retain(|p| *p != self.path);
    }
}

/// On SIGINT, SIGTERM or SIGHUP, remove the temporary files, then end as the signal would have
/// (the shell sees 130, 143 or 129). Installed once, with the first temporary file.
fn remove_temp_files_on_signals() {
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        static INSTALLED: std::sync::Once = std::sync::Once::new();
        INSTALLED.call_once(|| {
            let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP])
            else {
                return;
            };
            let _ = std::thread::Builder::new()
                .name("handoff-signals".into())
                .spawn(move || {
                    if let Some(signal) = signals.forever().next() {
                        // Held to the end: no temporary file is made or renamed meanwhile.
                        let files = temp_files();
                        for path in files.iter() {
                            let _ = std::fs::remove_file(path);
                        }
                        let _ = signal_hook::low_level::emulate_default_handler(signal);
                        std::process::exit(128 + signal);
                    }
                });
        });
    }
}

// ---------------------------------------------------------------------------------------------
// Outputs against inputs
// ---------------------------------------------------------------------------------------------

/// What identifies a file: (device, inode) for one that exists, else the path it would be
/// created at.
#[derive(Debug, PartialEq, Eq)]
enum FileId {
    #[cfg(unix)]
    Inode(u64, u64),
    Path(PathBuf),
}

/// The identity of `path`, or `None` when it cannot collide: stdin/stdout (`-`) and
/// character devices (`/dev/null` may take every output at once).
fn file_id(path: &Path) -> Option<FileId> {
    if path == Path::new("-") {
        return None;
    }
    match std::fs::metadata(path) {
        Ok(meta) => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::{FileTypeExt, MetadataExt};
                if meta.file_type().is_char_device() {
                    return None;
                }
                Some(FileId::Inode(meta.dev(), meta.ino()))
            }
            #[cfg(not(unix))]
            {
                let _ = meta;
                path.canonicalize().ok().map(FileId::Path)
            }
        }
        Err(_) => {
            let (target, _) = follow_links(path).ok()?;
            let parent = target
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            let dir = parent
                .canonicalize()
                .or_else(|_| std::path::absolute(parent))
                .ok()?;
            Some(FileId::Path(dir.join(target.file_name()?)))
        }
    }
}

/// Check a command's output paths before anything is read or written (DESIGN §6): no output
/// may name an input (however spelt: `./a.csv`, a symlink, a hard link) or another output, and
/// at most one thing may go to stdout. `outputs` and `inputs` are (what, path) pairs such as
/// `("--decisions", path)` or `("--config", path)`; `report_on_stdout` says whether the
/// command's report goes to stdout without being named among the outputs.
pub fn check_outputs(
    outputs: &[(&str, &Path)],
    inputs: &[(&str, &Path)],
    report_on_stdout: bool,
) -> anyhow::Result<()> {
    let dash = Path::new("-");
    let on_stdout: Vec<&str> = outputs
        .iter()
        .filter(|(_, path)| *path == dash)
        .map(|(what, _)| *what)
        .collect();
    match (on_stdout.as_slice(), report_on_stdout) {
        ([first, second, ..], _) => {
            bail!("{first} - and {second} - both write to stdout; give one of them a file")
        }
        ([what], true) => {
            bail!("{what} - and the report both write to stdout; give one of them a file")
        }
        _ => {}
    }
    let ids: Vec<Option<FileId>> = outputs.iter().map(|(_, path)| file_id(path)).collect();
    for (i, ((what, path), id)) in outputs.iter().zip(&ids).enumerate() {
        let Some(id) = id else {
            continue;
        };
        for (input_what, input) in inputs {
            if file_id(input).as_ref() == Some(id) {
                bail!(
                    "refusing to write {} ({what}): it is an input of this command, the same file as {input_what} {}",
                    path.display(),
                    input.display()
                );
            }
        }
        for ((other_what, _), other) in outputs.iter().zip(&ids).skip(i + 1) {
            if other.as_ref() == Some(id) {
                bail!(
                    "{what} and {other_what} name the same file ({})",
                    path.display()
                );
            }
        }
    }
    Ok(())
}

/// The configuration file a command read, as an input for [`check_outputs`].
pub fn config_input(config: &crate::config::Config) -> Option<(&'static str, &Path)> {
    config.path.as_deref().map(|path| {
        // A `handoff.toml` found in this folder or a parent, or named with --config.
        let what = if path.file_name() == Some(std::ffi::OsStr::new(crate::config::CONFIG_FILE)) {
            "the configuration"
        } else {
            "--config"
        };
        (what, path)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unfinished_output_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        let mut out = OutputTarget::open(&path).unwrap();
        out.write_all(b"half").unwrap();
        drop(out);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        let mut out = OutputTarget::open(&path).unwrap();
        out.write_all(b"whole").unwrap();
        out.finish().unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"whole");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn outputs_are_compared_after_resolving() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.csv");
        std::fs::write(&input, "x").unwrap();
        let dotted = dir.path().join(".").join("in.csv");
        let err = check_outputs(&[("-o", &dotted)], &[("--tickets", &input)], false).unwrap_err();
        assert!(
            err.to_string().contains("the same file as --tickets"),
            "{err}"
        );
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("sub/../a"));
        let err = check_outputs(&[("--decisions", &a), ("--rejects", &b)], &[], false).unwrap_err();
        assert!(err.to_string().contains("name the same file"), "{err}");
        let other = input.with_extension("txt");
        check_outputs(
            &[("--decisions", &a), ("-o", &other)],
            &[("--tickets", &input)],
            false,
        )
        .unwrap();
    }
}
