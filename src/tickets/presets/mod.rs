//! Built-in column mappings for the exports of common help desks (`--map zendesk`, DESIGN §7).
//!
//! Each preset is an ordinary mapping file, embedded from `presets/NAME.toml`, written from the
//! vendor's documented export or API fields (cited in its comments). `handoff map show NAME`
//! prints it verbatim, so a user can save it and adapt it.
//!
//! How `--map VALUE` is read ([`MapSource::resolve`]): a bare name — no path separator and no
//! extension — is a preset when one has that name; any other value is a path. A bare name that
//! is neither a preset nor an existing file is refused with the list of presets, before any
//! ticket is read. (`./zendesk` names a file called `zendesk`.)

use std::path::{Path, PathBuf};

use super::mapping::{Mapping, MappingError};

/// A built-in mapping.
#[derive(Debug)]
pub struct Preset {
    /// What `--map` takes.
    pub name: &'static str,
    /// One line for `handoff map list`.
    pub summary: &'static str,
    /// The mapping file, verbatim.
    pub text: &'static str,
}

/// Every preset, in the order `handoff map list` shows them.
pub const PRESETS: [Preset; 10] = [
    Preset {
        name: "servicenow",
        summary: "ServiceNow incident table (list export or Table API), ITIL priorities 1–5",
        text: include_str!("servicenow.toml"),
    },
    Preset {
        name: "servicenow-history",
        summary: "ServiceNow incident history: one row per update of an incident, folded",
        text: include_str!("servicenow-history.toml"),
    },
    Preset {
        name: "zendesk",
        summary: "Zendesk tickets (Tickets API) joined with ticket metrics (Ticket Metrics API)",
        text: include_str!("zendesk.toml"),
    },
    Preset {
        name: "zendesk-events",
        summary: "Zendesk ticket metric events (reply time, wait time), folded into tickets",
        text: include_str!("zendesk-events.toml"),
    },
    Preset {
        name: "jira",
        summary: "Jira / Jira Service Management issues (REST API search, fields flattened)",
        text: include_str!("jira.toml"),
    },
    Preset {
        name: "jira-changelog",
        summary: "Jira issues with expand=changelog: one row per changed field, folded",
        text: include_str!("jira-changelog.toml"),
    },
    Preset {
        name: "freshdesk",
        summary: "Freshdesk tickets (API v2, include=stats)",
        text: include_str!("freshdesk.toml"),
    },
    Preset {
        name: "freshdesk-conversations",
        summary: "Freshdesk ticket conversations: one row per reply or note, folded",
        text: include_str!("freshdesk-conversations.toml"),
    },
    Preset {
        name: "intercom",
        summary: "Intercom conversations (REST API 2.x) with statistics and AI agent outcome",
        text: include_str!("intercom.toml"),
    },
    Preset {
        name: "intercom-parts",
        summary: "Intercom conversation parts: one row per message, assignment or close, folded",
        text: include_str!("intercom-parts.toml"),
    },
];

impl Preset {
    /// The preset called `name`, if any.
    pub fn named(name: &str) -> Option<&'static Preset> {
        PRESETS.iter().find(|p| p.name == name)
    }

    /// The preset names, comma-separated, for messages.
    pub fn names() -> String {
        PRESETS.map(|p| p.name).join(", ")
    }

    /// The preset as a mapping, checked like a mapping file.
    pub fn mapping(&self) -> Result<Mapping, MappingError> {
        let invalid = |message: String| MappingError::Invalid {
            path: PathBuf::from(format!("preset {}", self.name)),
            message,
        };
        let mapping: Mapping =
            toml::from_str(self.text).map_err(|e| invalid(e.to_string().trim_end().to_string()))?;
        mapping.validate().map_err(invalid)?;
        Ok(mapping)
    }
}

/// What `--map` names: a built-in preset or a mapping file.
#[derive(Debug, Clone, Copy)]
pub enum MapSource<'a> {
    Preset(&'static Preset),
    File(&'a Path),
}

impl<'a> MapSource<'a> {
    /// Read a `--map` value: a bare name (no path separator, no extension) is a preset when one
    /// has that name, else a file when one exists, else an error listing the presets; anything
    /// else is a path (read, and reported if missing, when the mapping is loaded).
    pub fn resolve(value: &'a Path) -> Result<MapSource<'a>, String> {
        let bare = value
            .to_str()
            .filter(|s| !s.is_empty() && !s.contains(['/', '\\', '.']));
        let Some(name) = bare else {
            return Ok(MapSource::File(value));
        };
        if let Some(preset) = Preset::named(name) {
            return Ok(MapSource::Preset(preset));
        }
        if value.is_file() {
            return Ok(MapSource::File(value));
        }
        Err(format!(
            "--map {name}: no preset and no file of that name; the presets are {} (`handoff map list`), or give a mapping file (TOML)",
            Preset::names()
        ))
    }

    /// The mapping file, when `--map` names one (a preset is no file: no output can clash).
    pub fn file(self) -> Option<&'a Path> {
        match self {
            MapSource::File(path) => Some(path),
            MapSource::Preset(_) => None,
        }
    }

    /// Load the mapping.
    pub fn load(self) -> Result<Mapping, MappingError> {
        match self {
            MapSource::Preset(preset) => preset.mapping(),
            MapSource::File(path) => Mapping::load(path),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_loads_and_cites_its_documentation() {
        for preset in &PRESETS {
            preset
                .mapping()
                .unwrap_or_else(|e| panic!("{}: {e}", preset.name));
            assert!(
                preset.text.contains("https://"),
                "{} cites no documentation",
                preset.name
            );
        }
    }

    #[test]
    fn a_bare_name_is_a_preset_and_anything_else_a_path() {
        assert!(matches!(
            MapSource::resolve(Path::new("zendesk")),
            Ok(MapSource::Preset(p)) if p.name == "zendesk"
        ));
        for path in ["./zendesk", "zendesk.toml", "maps/zendesk"] {
            assert!(
                matches!(MapSource::resolve(Path::new(path)), Ok(MapSource::File(_))),
                "{path}"
            );
        }
        let err = MapSource::resolve(Path::new("zendsk")).unwrap_err();
        assert!(
            err.contains("servicenow, servicenow-history, zendesk, zendesk-events, jira"),
            "{err}"
        );
    }
}
