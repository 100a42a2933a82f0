//! Partials (DESIGN §8): the aggregates of one replay as a versioned JSON document
//! (`handoff replay --partial-out F --as-of T`), and their merge into the report one replay of
//! all the parts would have printed (`handoff merge`).
//!
//! A partial carries every figure as it merges: counts, sums, histogram buckets, the bounded
//! example lists (chosen by the tickets, never by input order, see [`super::metrics`]). It also
//! carries what the report needs besides the metrics: the policy's text (so a merge compiles the
//! very policy the parts ran, and checks that they all ran the same one), the as-of instant
//! (every clock is settled against it: nothing is pending), `--by`, and which columns the data
//! has (they decide which figures are n/a).
//!
//! The document is an object whose sections are keyed by name; a later version adds sections
//! by name, and a reader refuses any version but its own rather than guess.

use std::collections::BTreeMap;
use std::path::PathBuf;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::eval::CompiledPolicy;
use super::metrics::Metrics;
use super::replay::{By, REJECT_EXAMPLES, ReplayOutcome, Segments};
use super::report::ReplayReport;
use crate::fields::Field;
use crate::tickets::parse::without_offset_note;
use crate::tickets::{Layout, Mapping, RowError, TicketParser};

/// The `format` of every partial.
pub const FORMAT: &str = "handoff-partial";
/// The version of the partial document this handoff writes and reads.
pub const VERSION: u32 = 1;

/// The aggregates of one replay.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Partial {
    pub format: String,
    pub version: u32,
    pub policy: PolicyStamp,
    /// The instant unanswered tickets were judged at (`--as-of`, RFC 3339).
    pub as_of: String,
    /// `--by` (the dimension's name), when given.
    pub by: Option<String>,
    pub columns: Columns,
    pub input: PartialInput,
    /// All tickets.
    pub metrics: Metrics,
    /// Per `--by` group key.
    pub groups: BTreeMap<String, PartialGroup>,
}

/// Which policy the part ran.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PolicyStamp {
    pub name: String,
    /// `fnv1a64:` and the hash of the policy file's bytes, in hex.
    pub fingerprint: String,
    /// The policy file as read.
    pub source: String,
}

/// The columns the data has: canonical fields and the policy's extra fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Columns {
    pub fields: Vec<String>,
    pub extras: Vec<String>,
}

/// What the part read.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PartialInput {
    pub records: u64,
    pub decided: u64,
    pub rejected: u64,
    /// The part's first rejected records, lines as in the part's own file.
    pub rejected_examples: Vec<RejectedRow>,
    pub bad_values_counted_as_empty: BTreeMap<String, u64>,
    pub timestamps_without_offset: u64,
    /// The zone those timestamps were read in, when the report notes it.
    pub offset_zone: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RejectedRow {
    pub line: u64,
    pub id: Option<String>,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PartialGroup {
    /// How the group is shown, a value per dimension: the spelling of its first ticket in the
    /// part.
    pub label: Vec<String>,
    pub metrics: Metrics,
}

#[derive(Debug, thiserror::Error)]
pub enum PartialError {
    #[error("{file} is not a handoff partial (write one with `handoff replay --partial-out`)")]
    NotAPartial { file: String },
    #[error("{file} is not a valid partial: {reason}")]
    Invalid { file: String, reason: String },
    #[error(
        "{file} is partial format version {version}; this handoff reads version {VERSION} (merge partials written by one handoff version)"
    )]
    Version { file: String, version: u64 },
    #[error("cannot merge {first} and {second}: {difference}")]
    Mismatch {
        first: String,
        second: String,
        difference: String,
    },
    #[error("give at least one partial to merge")]
    Nothing,
}

/// A hash of the policy file's bytes: FNV-1a, 64 bits. It tells policies apart in messages and
/// in the warehouse; merges compare the policy text itself.
pub fn fingerprint(bytes: &[u8]) -> String {
    let hash = bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    format!("fnv1a64:{hash:016x}")
}

impl Columns {
    pub fn of(layout: &Layout) -> Columns {
        Columns {
            fields: Field::ALL
                .into_iter()
                .filter(|&f| layout.has_field(f))
                .map(|f| f.name().to_string())
                .collect(),
            extras: layout
                .extras
                .iter()
                .filter(|(_, column)| column.is_some())
                .map(|(name, _)| name.clone())
                .collect(),
        }
    }

    /// Whether both name the same columns, in any order: a part written by a SQL engine lists
    /// them in whatever order its engine returned the rows (DataFusion's varies run to run).
    fn same_as(&self, other: &Columns) -> bool {
        fn sorted(names: &[String]) -> Vec<&str> {
            let mut names: Vec<&str> = names.iter().map(String::as_str).collect();
            names.sort_unstable();
            names
        }
        sorted(&self.fields) == sorted(&other.fields)
            && sorted(&self.extras) == sorted(&other.extras)
    }

    /// A layout with these columns, for the report's n/a decisions.
    fn layout(&self, policy: &CompiledPolicy) -> Result<Layout, String> {
        let headers = self.fields.iter().chain(&self.extras).cloned().collect();
        Layout::resolve(headers, &Mapping::default(), &policy.needs).map_err(|e| e.to_string())
    }
}

impl Partial {
    /// The partial of a replay whose `--as-of` was given (`outcome.as_of`).
    pub fn of(
        policy_source: &str,
        policy: &CompiledPolicy,
        layout: &Layout,
        outcome: &ReplayOutcome,
        by: Option<&Segments>,
    ) -> Partial {
        let (timestamps_without_offset, offset_zone) = outcome.parser.timestamps_without_offset();
        Partial {
            format: FORMAT.to_string(),
            version: VERSION,
            policy: PolicyStamp {
                name: policy.name.clone(),
                fingerprint: fingerprint(policy_source.as_bytes()),
                source: policy_source.to_string(),
            },
            as_of: outcome.as_of.map(|t| t.to_string()).unwrap_or_default(),
            by: by.map(Segments::name),
            columns: Columns::of(layout),
            input: PartialInput {
                records: outcome.records,
                decided: outcome.records - outcome.rejected,
                rejected: outcome.rejected,
                rejected_examples: outcome
                    .reject_examples
                    .iter()
                    .map(|e| RejectedRow {
                        line: e.line,
                        id: e.id.clone(),
                        reason: e.reason.clone(),
                    })
                    .collect(),
                bad_values_counted_as_empty: outcome.parser.bad_values.clone(),
                timestamps_without_offset,
                offset_zone,
            },
            metrics: outcome.overall.clone(),
            groups: outcome
                .groups
                .iter()
                .map(|(key, metrics)| {
                    let label = outcome
                        .group_labels
                        .get(key)
                        .cloned()
                        .unwrap_or_else(|| vec![key.clone()]);
                    let metrics = metrics.clone();
                    (key.clone(), PartialGroup { label, metrics })
                })
                .collect(),
        }
    }

    /// The document: JSON with two-space indents and a final newline.
    pub fn to_json(&self) -> serde_json::Result<String> {
        serde_json::to_string_pretty(self).map(|json| json + "\n")
    }

    /// Read a partial; `file` names it in errors.
    pub fn read(file: &str, bytes: &[u8]) -> Result<Partial, PartialError> {
        let (value, version) = peek(file, bytes)?;
        if version != u64::from(VERSION) {
            return Err(PartialError::Version {
                file: file.to_string(),
                version,
            });
        }
        serde_json::from_value(value).map_err(|e| PartialError::Invalid {
            file: file.to_string(),
            reason: e.to_string(),
        })
    }

    /// Read the partials of one merge: all must be partials of one format version (two that
    /// differ are named together), and of this handoff's version.
    pub fn read_all(files: Vec<(String, Vec<u8>)>) -> Result<Vec<(String, Partial)>, PartialError> {
        let mut first: Option<(String, u64)> = None;
        for (file, bytes) in &files {
            let (_, version) = peek(file, bytes)?;
            match &first {
                None => first = Some((file.clone(), version)),
                Some((first_file, first_version)) if *first_version != version => {
                    return Err(PartialError::Mismatch {
                        first: first_file.clone(),
                        second: file.clone(),
                        difference: format!(
                            "{first_file} is partial format version {first_version} and {file} version {version} (this handoff reads version {VERSION})"
                        ),
                    });
                }
                Some(_) => {}
            }
        }
        files
            .into_iter()
            .map(|(file, bytes)| Partial::read(&file, &bytes).map(|p| (file, p)))
            .collect()
    }
}

/// The document and its format version, if it is a partial at all.
fn peek(file: &str, bytes: &[u8]) -> Result<(serde_json::Value, u64), PartialError> {
    let not_a_partial = || PartialError::NotAPartial {
        file: file.to_string(),
    };
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|_| not_a_partial())?;
    if value.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
        return Err(not_a_partial());
    }
    let version = value
        .get("version")
        .and_then(|v| v.as_u64())
        .ok_or_else(not_a_partial)?;
    Ok((value, version))
}

/// What a merge gives: the policy the parts ran and the report of all of them.
pub struct Merged {
    pub policy: CompiledPolicy,
    pub report: ReplayReport,
}

/// Why two partials cannot be merged, if they cannot.
fn difference(a: &Partial, b: &Partial) -> Option<String> {
    if a.policy.source != b.policy.source {
        return Some(format!(
            "they ran different policies ('{}' {} and '{}' {})",
            a.policy.name, a.policy.fingerprint, b.policy.name, b.policy.fingerprint
        ));
    }
    if a.as_of != b.as_of {
        return Some(format!(
            "they judged unanswered tickets at different as-of instants ({} and {}); replay every part with the same --as-of",
            a.as_of, b.as_of
        ));
    }
    if a.by != b.by {
        let show = |by: &Option<String>| {
            by.as_deref()
                .map_or("no --by".to_string(), |by| format!("--by {by}"))
        };
        return Some(format!(
            "they were split differently ({} and {})",
            show(&a.by),
            show(&b.by)
        ));
    }
    if !a.columns.same_as(&b.columns) {
        let only = |x: &Columns, y: &Columns| -> Vec<String> {
            x.fields
                .iter()
                .chain(&x.extras)
                .filter(|c| !y.fields.contains(c) && !y.extras.contains(c))
                .cloned()
                .collect()
        };
        let describe = |cols: Vec<String>| {
            if cols.is_empty() {
                "none".to_string()
            } else {
                cols.join(", ")
            }
        };
        return Some(format!(
            "their data has different columns (only the first has: {}; only the second has: {})",
            describe(only(&a.columns, &b.columns)),
            describe(only(&b.columns, &a.columns))
        ));
    }
    None
}

/// Indices of the metrics fit the policy (a partial is user input: nothing may panic).
fn check_shape(m: &Metrics, policy: &CompiledPolicy) -> Result<(), String> {
    let (routes, rules) = (policy.routes.len(), policy.rules.len());
    let fits = m.by_route.len() == routes
        && m.by_rule.len() == rules + 1
        && m.matched.len() == rules
        && m.true_somewhere.len() == rules
        && m.confusion.keys().all(|&(p, h)| p < routes && h <= routes)
        && m.sla.keys().all(|&(rank, _)| rank < routes)
        && m.hops.keys().all(|&(a, b)| a < routes && b < routes)
        && m.worst.iter().all(|b| b.rank < routes);
    if fits {
        Ok(())
    } else {
        Err("its metrics do not fit its policy's routes and rules".into())
    }
}

/// Merge partials (named for errors), in the order given: the report one replay of the parts,
/// one after another, would print. Rejected examples are the first ones in that order, each
/// with its line in its own part.
pub fn merge(parts: Vec<(String, Partial)>) -> Result<Merged, PartialError> {
    let mut parts = parts.into_iter();
    let (first_name, first) = parts.next().ok_or(PartialError::Nothing)?;
    let invalid = |file: &str, reason: String| PartialError::Invalid {
        file: file.to_string(),
        reason,
    };
    let loaded = crate::policy::load::load_bytes(
        PathBuf::from(format!("{first_name} (policy)")),
        first.policy.source.clone().into_bytes(),
    )
    .map_err(|e| invalid(&first_name, format!("its policy cannot be read: {e}")))?;
    let policy = CompiledPolicy::new(&loaded.policy)
        .map_err(|e| invalid(&first_name, format!("its policy cannot be compiled: {e}")))?;
    let as_of: Timestamp = first
        .as_of
        .parse()
        .map_err(|e| invalid(&first_name, format!("as_of `{}`: {e}", first.as_of)))?;
    let by = match &first.by {
        None => None,
        Some(names) => {
            let dimensions = names
                .split(',')
                .map(|name| {
                    <By as clap::ValueEnum>::value_variants()
                        .iter()
                        .copied()
                        .find(|by| by.name() == name)
                        .ok_or_else(|| invalid(&first_name, format!("unknown --by `{name}`")))
                })
                .collect::<Result<Vec<By>, _>>()?;
            Some(
                Segments::new(&dimensions)
                    .map_err(|e| invalid(&first_name, format!("--by `{names}`: {e}")))?,
            )
        }
    };
    let layout = first
        .columns
        .layout(&policy)
        .map_err(|e| invalid(&first_name, e))?;

    let mut total = first.clone();
    check_shape(&total.metrics, &policy).map_err(|e| invalid(&first_name, e))?;
    for (name, part) in parts {
        if let Some(difference) = difference(&first, &part) {
            return Err(PartialError::Mismatch {
                first: first_name.clone(),
                second: name,
                difference,
            });
        }
        check_shape(&part.metrics, &policy).map_err(|e| invalid(&name, e))?;
        for group in part.groups.values() {
            check_shape(&group.metrics, &policy).map_err(|e| invalid(&name, e))?;
        }
        let (input, mine) = (part.input, &mut total.input);
        mine.records += input.records;
        mine.decided += input.decided;
        mine.rejected += input.rejected;
        let room = REJECT_EXAMPLES.saturating_sub(mine.rejected_examples.len());
        mine.rejected_examples
            .extend(input.rejected_examples.into_iter().take(room));
        for (column, count) in input.bad_values_counted_as_empty {
            *mine.bad_values_counted_as_empty.entry(column).or_default() += count;
        }
        mine.timestamps_without_offset += input.timestamps_without_offset;
        total.metrics.merge(part.metrics);
        for (key, group) in part.groups {
            match total.groups.get_mut(&key) {
                // The label of the first part that has the group.
                Some(mine) => mine.metrics.merge(group.metrics),
                None => {
                    total.groups.insert(key, group);
                }
            }
        }
    }
    for group in total.groups.values() {
        check_shape(&group.metrics, &policy).map_err(|e| invalid(&first_name, e))?;
    }

    total.metrics.finish(as_of);
    let mut groups = BTreeMap::new();
    let mut group_labels = BTreeMap::new();
    for (key, mut group) in total.groups {
        group.metrics.finish(as_of);
        group_labels.insert(key.clone(), group.label);
        groups.insert(key, group.metrics);
    }
    let input = total.input;
    let parser = TicketParser::new(&layout, &Mapping::default(), &policy.needs)
        .map_err(|e| invalid(&first_name, e))?;
    let outcome = ReplayOutcome {
        // Capacity (`--staffing`) needs every arrival; partials carry aggregates only.
        arrivals: super::capacity::Arrivals::new(&policy),
        overall: total.metrics,
        groups,
        group_labels,
        records: input.records,
        rejected: input.rejected,
        reject_examples: input
            .rejected_examples
            .into_iter()
            .map(|r| RowError {
                line: r.line,
                id: r.id,
                reason: r.reason,
            })
            .collect(),
        as_of: Some(as_of),
        available: super::agreement::Available::of(&layout),
        parser,
    };
    let notes: Vec<String> = input
        .offset_zone
        .and_then(|zone| without_offset_note(input.timestamps_without_offset, &zone))
        .into_iter()
        .collect();
    let report = ReplayReport::new(
        &policy,
        &layout,
        &outcome,
        by.as_ref(),
        &input.bad_values_counted_as_empty,
        &notes,
    );
    Ok(Merged { policy, report })
}

#[cfg(test)]
mod tests;
