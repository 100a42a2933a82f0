//! `handoff.toml`: project configuration, found in the current folder or the nearest parent
//! folder that has one (as ruff finds its configuration), or given by `--config`.
//!
//! ```toml
//! [lint]
//! select = ["H0"]            # codes, code prefixes or rule names; default: all
//! ignore = ["H043"]          # never reported
//! deny-warnings = true       # warnings fail like errors
//! exclude = ["vendor", "drafts/*.yaml"]   # gitignore-style globs, relative to this file's folder
//! [lint.severity]
//! H033 = "error"             # per-rule severity: error, warning or info
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use serde::Deserialize;

use crate::diag::Severity;
use crate::diag::registry::Code;

pub const CONFIG_FILE: &str = "handoff.toml";

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub lint: LintConfig,
    /// A column mapping for `--tickets` and replay when no `--map` is given (the same tables
    /// as a mapping file).
    pub columns: Option<crate::tickets::mapping::Columns>,
    pub fields: Option<BTreeMap<String, crate::tickets::mapping::Source>>,
    pub timestamps: Option<crate::tickets::mapping::Timestamps>,
    pub scales: Option<crate::tickets::mapping::Scales>,
    pub aliases: Option<BTreeMap<String, BTreeMap<String, String>>>,
    /// Event logs (DESIGN §7), as in a mapping file.
    pub events: Option<crate::tickets::mapping::Events>,
    pub values: Option<crate::tickets::mapping::Values>,
    /// Where the configuration was read from, for messages (relative to the current folder
    /// when it was found there or above).
    #[serde(skip)]
    pub path: Option<PathBuf>,
    /// The folder the configuration's relative paths (`[lint] exclude`) start from.
    #[serde(skip)]
    pub root: Option<PathBuf>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LintConfig {
    /// Rules to run (codes, prefixes such as `H04`, or names); all when absent.
    pub select: Option<Vec<String>>,
    /// Rules never to report.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Make warnings fail the run.
    #[serde(default)]
    pub deny_warnings: bool,
    /// Severity per rule code.
    #[serde(default)]
    pub severity: BTreeMap<String, Severity>,
    /// Files and folders a folder walk skips: gitignore-style globs, relative to the folder of
    /// the configuration file.
    #[serde(default)]
    pub exclude: Vec<String>,
}

/// Exclude globs (gitignore syntax) and the folder they are relative to.
#[derive(Debug, Clone, Default)]
pub struct Excludes {
    sets: Vec<Gitignore>,
}

impl Excludes {
    /// Add `globs` anchored at `root` (an absolute folder). A glob without a slash matches a file
    /// or folder name anywhere below; one with a slash is a path from `root`.
    pub fn add(&mut self, root: &Path, globs: &[String]) -> Result<(), String> {
        if globs.is_empty() {
            return Ok(());
        }
        let mut builder = GitignoreBuilder::new(root);
        for glob in globs {
            if glob.trim().is_empty() {
                return Err("an exclude pattern is empty".to_string());
            }
            builder
                .add_line(None, glob)
                .map_err(|e| format!("exclude pattern `{glob}`: {e}"))?;
        }
        let set = builder
            .build()
            .map_err(|e| format!("exclude patterns: {e}"))?;
        self.sets.push(set);
        Ok(())
    }

    /// Whether a file named on the command line (with `--force-exclude`) is excluded: the globs
    /// apply to it and to each of its parent folders, as they would in a walk.
    pub fn excludes_given(&self, absolute: &Path) -> bool {
        self.sets.iter().any(|set| {
            if absolute.starts_with(set.path()) {
                set.matched_path_or_any_parents(absolute, false).is_ignore()
            } else {
                set.matched(absolute, false).is_ignore()
            }
        })
    }

    pub(crate) fn excludes(&self, absolute: &Path, is_dir: bool) -> bool {
        self.sets.iter().any(|set| {
            // Matching is relative to each set's root; a path elsewhere is matched by name.
            set.matched(absolute, is_dir).is_ignore()
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {message}", path.display())]
    Invalid { path: PathBuf, message: String },
}

/// Whether a selector (`H040`, `H04`, `shadowed-rule`) picks a code.
fn selects(selector: &str, code: Code) -> bool {
    let selector = selector.trim();
    let text = code.to_string();
    (selector.len() >= 2 && text.starts_with(&selector.to_uppercase()))
        || code.info().name.eq_ignore_ascii_case(selector)
}

/// Check that every selector names at least one rule.
pub fn check_selectors<'a>(selectors: impl IntoIterator<Item = &'a String>) -> Result<(), String> {
    for selector in selectors {
        if selector.trim().is_empty() {
            return Err("an empty rule name".to_string());
        }
        if !Code::all().any(|code| selects(selector, code)) {
            return Err(format!(
                "`{selector}` names no lint rule (run `handoff rules` for the list)"
            ));
        }
    }
    Ok(())
}

impl LintConfig {
    fn validate(&self, root: &Path) -> Result<(), String> {
        if self.select.as_ref().is_some_and(Vec::is_empty) {
            return Err(
                "`select = []` selects no rule, so lint would check nothing; remove it to run every rule"
                    .to_string(),
            );
        }
        check_selectors(
            self.select
                .iter()
                .flatten()
                .chain(self.ignore.iter())
                .chain(self.severity.keys()),
        )?;
        Excludes::default()
            .add(root, &self.exclude)
            .map_err(|e| format!("[lint] exclude: {e}"))?;
        for selector in &self.ignore {
            if let Some(code) = Code::all().find(|c| c.is_fatal() && selects(selector, *c)) {
                return Err(format!(
                    "{code} cannot be ignored: a file with it cannot be read as a policy"
                ));
            }
        }
        Ok(())
    }

    /// Whether findings of this rule are reported.
    pub fn is_enabled(&self, code: Code) -> bool {
        if code.is_fatal() {
            return true;
        }
        let selected = self
            .select
            .as_ref()
            .is_none_or(|list| list.iter().any(|s| selects(s, code)));
        selected && !self.ignore.iter().any(|s| selects(s, code))
    }

    /// The severity configured for a rule, if any (a finding otherwise keeps its own).
    pub fn severity(&self, code: Code) -> Option<Severity> {
        if code.is_fatal() {
            return None;
        }
        self.severity
            .iter()
            .filter(|(s, _)| selects(s, code))
            // The most specific selector wins: an exact code over a prefix.
            .max_by_key(|(s, _)| s.len())
            .map(|(_, severity)| *severity)
    }
}

impl Config {
    /// Load `path`, or else the `handoff.toml` of the current folder or its nearest parent
    /// folder that has one; the defaults when there is none.
    pub fn load(explicit: Option<&Path>) -> Result<Config, ConfigError> {
        let cwd = std::env::current_dir().unwrap_or_default();
        let (path, root) = match explicit {
            Some(path) => {
                let folder = cwd
                    .join(path)
                    .parent()
                    .map_or_else(|| cwd.clone(), Path::to_path_buf);
                (path.to_path_buf(), folder)
            }
            None => match Self::discover(&cwd) {
                Some(found) => found,
                None => return Ok(Config::default()),
            },
        };
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Io {
            path: path.clone(),
            source,
        })?;
        let config: Config = toml::from_str(&text).map_err(|e| ConfigError::Invalid {
            path: path.clone(),
            message: e.to_string().trim_end().to_string(),
        })?;
        let mut config = config;
        config
            .lint
            .validate(&root)
            .map_err(|message| ConfigError::Invalid {
                path: path.clone(),
                message,
            })?;
        config.path = Some(path);
        config.root = Some(root);
        Ok(config)
    }

    /// The nearest `handoff.toml` from `cwd` upwards: its path relative to `cwd`
    /// (`handoff.toml`, `../handoff.toml`, …) and its folder.
    fn discover(cwd: &Path) -> Option<(PathBuf, PathBuf)> {
        let mut relative = PathBuf::new();
        for folder in cwd.ancestors() {
            if folder.join(CONFIG_FILE).is_file() {
                return Some((relative.join(CONFIG_FILE), folder.to_path_buf()));
            }
            relative.push("..");
        }
        None
    }

    /// The column mapping given in the configuration, if it has any of the mapping tables.
    pub fn mapping(&self) -> Result<Option<crate::tickets::Mapping>, ConfigError> {
        if self.columns.is_none()
            && self.fields.is_none()
            && self.timestamps.is_none()
            && self.scales.is_none()
            && self.aliases.is_none()
            && self.events.is_none()
            && self.values.is_none()
        {
            return Ok(None);
        }
        let mapping = crate::tickets::Mapping {
            columns: self.columns.clone().unwrap_or_default(),
            fields: self.fields.clone().unwrap_or_default(),
            timestamps: self.timestamps.clone().unwrap_or_default(),
            scales: self.scales.clone().unwrap_or_default(),
            aliases: self.aliases.clone().unwrap_or_default(),
            events: self.events.clone(),
            values: self.values.clone().unwrap_or_default(),
        };
        mapping.validate().map_err(|message| ConfigError::Invalid {
            path: self
                .path
                .clone()
                .unwrap_or_else(|| PathBuf::from(CONFIG_FILE)),
            message,
        })?;
        Ok(Some(mapping))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection_by_code_prefix_and_name() {
        let config: Config = toml::from_str(
            "[lint]\nselect = [\"H03\", \"H04\", \"H001\"]\nignore = [\"overlapping-keyword\"]\n[lint.severity]\nH03 = \"error\"\nH033 = \"info\"\n",
        )
        .unwrap();
        config.lint.validate(Path::new("/")).unwrap();
        assert!(config.lint.is_enabled(Code::H040));
        assert!(!config.lint.is_enabled(Code::H043));
        assert!(!config.lint.is_enabled(Code::H090));
        assert!(config.lint.is_enabled(Code::H001));
        assert_eq!(config.lint.severity(Code::H032), Some(Severity::Error));
        assert_eq!(config.lint.severity(Code::H033), Some(Severity::Info));
        assert_eq!(config.lint.severity(Code::H040), None);
    }

    #[test]
    fn unknown_codes_and_fatal_ignores_are_refused() {
        let bad: Config = toml::from_str("[lint]\nignore = [\"H999\"]\n").unwrap();
        assert!(bad.lint.validate(Path::new("/")).is_err());
        let fatal: Config = toml::from_str("[lint]\nignore = [\"H001\"]\n").unwrap();
        assert!(fatal.lint.validate(Path::new("/")).is_err());
        let glob: Config = toml::from_str("[lint]\nexclude = [\"{a\"]\n").unwrap();
        assert!(glob.lint.validate(Path::new("/")).is_err());
    }

    #[test]
    fn excludes_match_names_anywhere_and_paths_from_their_root() {
        let mut excludes = Excludes::default();
        excludes
            .add(Path::new("/p"), &["vendor".into(), "team/*.yml".into()])
            .unwrap();
        assert!(excludes.excludes(Path::new("/p/a/vendor"), true));
        assert!(excludes.excludes(Path::new("/p/team/x.yml"), false));
        assert!(!excludes.excludes(Path::new("/p/other/team/x.yml"), false));
        assert!(!excludes.excludes(Path::new("/p/a/b.yaml"), false));
        assert!(excludes.add(Path::new("/p"), &["".into()]).is_err());
    }
}
