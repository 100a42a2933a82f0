//! Which files `handoff lint PATH...` reads: files as given, folders walked recursively the way
//! ripgrep and ruff walk them (the `ignore` crate: `.gitignore`, `.ignore` and hidden files and
//! folders are skipped), minus `--exclude` / `[lint] exclude` globs, minus YAML files that are
//! not policies (counted, never linted as policies). Sorted, so output is deterministic.

use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::LintError;
use crate::config::Excludes;
use crate::policy::load::looks_like_policy;

/// What a set of command-line paths expands to.
#[derive(Debug, Default)]
pub struct Collected {
    /// Files to lint, in order: each command-line path in turn, a folder's files sorted.
    pub files: Vec<PathBuf>,
    /// YAML files found in folders that are not policies (no top-level `rules` or `tiers`).
    pub skipped: Vec<PathBuf>,
    /// Files and folders the exclude globs removed from a walk.
    pub excluded: Vec<PathBuf>,
    /// Symbolic links that lead back into a folder being walked (not followed again).
    pub loops: Vec<PathBuf>,
    /// Files named on the command line that are not YAML, skipped under `--force-exclude`.
    pub not_yaml: Vec<PathBuf>,
}

pub fn is_yaml(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"))
}

/// `path` made absolute against `cwd`, with `.` and `..` resolved lexically (symbolic links are
/// not followed: the path stays the one the user gave).
pub fn absolute(cwd: &Path, path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in cwd.join(path).components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Expand command-line paths. A file named explicitly is always linted (whatever its name,
/// content or the exclude globs), unless `force_exclude`: then it is filtered as a walk would
/// filter it (excluded by the globs, skipped when it is not YAML or not a policy). A folder is
/// walked. `-` (standard input) is kept as it is, for the caller to read.
pub fn collect(
    paths: &[PathBuf],
    excludes: &Excludes,
    force_exclude: bool,
) -> Result<Collected, LintError> {
    let cwd = std::env::current_dir().unwrap_or_default();
    let mut collected = Collected::default();
    for path in paths {
        if path == Path::new("-") {
            collected.files.push(path.clone());
        } else if path.is_dir() {
            let before = (collected.files.len(), collected.skipped.len());
            walk(path, &cwd, excludes, &mut collected)?;
            if collected.files.len() == before.0 {
                return Err(LintError::EmptyDirectory {
                    path: path.clone(),
                    skipped: collected.skipped.len() - before.1,
                });
            }
        } else if path.exists() || path.symlink_metadata().is_ok() {
            if force_exclude {
                if excludes.excludes_given(&absolute(&cwd, path)) {
                    collected.excluded.push(path.clone());
                    continue;
                }
                if !is_yaml(path) {
                    collected.not_yaml.push(path.clone());
                    continue;
                }
                if path.is_file() && !looks_like_policy(&read_head(path)?) {
                    collected.skipped.push(path.clone());
                    continue;
                }
            }
            // A dangling link is "given"; reading it reports why it cannot be read.
            collected.files.push(path.clone());
        } else {
            return Err(LintError::Missing(path.clone()));
        }
    }
    let mut seen = std::collections::HashSet::new();
    collected.files.retain(|f| seen.insert(f.clone()));
    Ok(collected)
}

/// The innermost error of a walk, and the path it is about.
fn unwrap_error(err: &ignore::Error) -> (&ignore::Error, Option<&Path>) {
    match err {
        ignore::Error::WithPath { path, err } => (unwrap_error(err).0, Some(path.as_path())),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            unwrap_error(err)
        }
        other => (other, None),
    }
}

fn walk(
    dir: &Path,
    cwd: &Path,
    excludes: &Excludes,
    collected: &mut Collected,
) -> Result<(), LintError> {
    let excluded: Arc<Mutex<Vec<PathBuf>>> = Arc::default();
    let mut builder = ignore::WalkBuilder::new(dir);
    builder
        .standard_filters(true)
        // The same files on every machine: no user-wide ignore file, and `.gitignore` counts
        // whether or not the folder is in a git repository.
        .git_global(false)
        .require_git(false)
        .follow_links(true)
        .sort_by_file_name(|a, b| a.cmp(b));
    {
        let excludes = excludes.clone();
        let cwd = cwd.to_path_buf();
        let excluded = Arc::clone(&excluded);
        builder.filter_entry(move |entry| {
            if entry.depth() == 0 {
                return true;
            }
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            let keep = !excludes.excludes(&absolute(&cwd, entry.path()), is_dir);
            if !keep {
                if let Ok(mut list) = excluded.lock() {
                    list.push(entry.path().to_path_buf());
                }
            }
            keep
        });
    }
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    for result in builder.build() {
        let entry = match result {
            Ok(entry) => entry,
            Err(err) => {
                let (inner, path) = unwrap_error(&err);
                match inner {
                    ignore::Error::Loop { child, .. } => {
                        collected.loops.push(child.clone());
                        continue;
                    }
                    ignore::Error::Io(io) => {
                        return Err(LintError::Io {
                            path: path.unwrap_or(dir).to_path_buf(),
                            source: std::io::Error::new(io.kind(), io.to_string()),
                        });
                    }
                    // A malformed line in an ignore file: the rest of the file still applies.
                    _ => continue,
                }
            }
        };
        if entry.depth() == 0 || !entry.file_type().is_some_and(|t| t.is_file()) {
            // Folders are walked; FIFOs, sockets and devices are never opened.
            continue;
        }
        let path = entry.into_path();
        if !is_yaml(&path) {
            continue;
        }
        let bytes = read_head(&path)?;
        if looks_like_policy(&bytes) {
            files.push(path);
        } else {
            skipped.push(path);
        }
    }
    files.sort();
    skipped.sort();
    collected.files.extend(files);
    collected.skipped.extend(skipped);
    let mut excluded = excluded.lock().map(|l| l.clone()).unwrap_or_default();
    excluded.sort();
    collected.excluded.extend(excluded);
    Ok(())
}

/// The first bytes of a file, enough to tell a policy from other YAML.
fn read_head(path: &Path) -> Result<Vec<u8>, LintError> {
    use std::io::Read;
    let io_error = |source| LintError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io_error)?;
    let mut bytes = Vec::new();
    file.take(crate::policy::load::MAX_POLICY_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io_error)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_paths_resolve_dots_lexically() {
        let cwd = Path::new("/work/project");
        assert_eq!(
            absolute(cwd, Path::new("./policies/../x.yaml")),
            PathBuf::from("/work/project/x.yaml")
        );
        assert_eq!(
            absolute(cwd, Path::new("/elsewhere/a")),
            PathBuf::from("/elsewhere/a")
        );
    }
}
