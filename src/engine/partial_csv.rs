//! A partial from the warehouse: the CSV result of `handoff sql --emit partials` (DESIGN §8),
//! read into the same [`Partial`] a `replay --partial-out` file gives, so `handoff merge` mixes
//! both. The table is long: `section, k1, k2, k3, value`, one figure per row (written by
//! `src/sql/partials_rows.rs`): meta rows (format, version, the policy's text, the as-of
//! instant, the columns), input counts, and each field of [`Metrics`].
//!
//! What the query could not compute exactly is counted in `refuse` rows, and refused here:
//! due times the calendar table does not cover, timestamps in shapes the SQL does not read,
//! rejected rows when the table has no line column (`handoff sql --line-column`: without it
//! there are no line numbers for the report's rejected examples).

use std::collections::BTreeMap;
use std::path::PathBuf;

use jiff::Timestamp;

use super::eval::{CompiledPolicy, ReasonKind};
use super::load::{HOURS_PER_WEEK, hour_of_week};
use super::metrics::{
    Breach, EXAMPLES_PER_CELL, Metrics, SKIP_NO_PRIORITY, SKIP_NO_START, SKIP_NO_TARGET,
    SKIP_UNREACHABLE, WORST_BREACHES, breach_order,
};
use super::partial::{
    Columns, FORMAT, Partial, PartialError, PartialInput, PolicyStamp, RejectedRow, VERSION,
};
use super::quality::RouteQuality;
use super::replay::REJECT_EXAMPLES;
use super::sla::Target;
use super::stats::Durations;

/// The header of a SQL partial.
pub const HEADER: &str = "section,k1,k2,k3,value";

/// Whether the bytes are a SQL partial: its header's five columns as the first record, after
/// an optional byte-order mark, quoted or not (a writer may quote every field, as Python's
/// `csv.QUOTE_ALL` and some warehouse exports do).
pub fn is_csv(bytes: &[u8]) -> bool {
    // Only the first line is looked at: a JSON partial may be one long line.
    const LOOK: usize = 256;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let head = &bytes[..bytes.len().min(LOOK)];
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(head);
    let mut record = csv::ByteRecord::new();
    let read = matches!(reader.read_byte_record(&mut record), Ok(true));
    // The record must end in the part looked at (a line break after it), or be all there is.
    let ended = head.len() == bytes.len() || reader.position().byte() < head.len() as u64;
    read && ended && record.iter().eq(HEADER.split(',').map(str::as_bytes))
}

type Row = [String; 5];

fn int<T: std::str::FromStr>(text: &str, what: &str) -> Result<T, String> {
    text.trim()
        .parse()
        .map_err(|_| format!("{what}: `{text}` is not a count"))
}

/// The first rejected rows by line (`rejected_example` rows: line, id, reason), as replay
/// lists them.
fn rejected_examples(rows: &[Row]) -> Result<Vec<RejectedRow>, String> {
    let mut examples = rows
        .iter()
        .filter(|r| r[0] == "rejected_example")
        .map(|r| {
            Ok(RejectedRow {
                line: int(&r[1], "rejected_example line")?,
                id: (!r[2].is_empty()).then(|| r[2].clone()),
                reason: r[4].clone(),
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    examples.sort_by_key(|r| r.line);
    examples.truncate(REJECT_EXAMPLES);
    Ok(examples)
}

/// Read a SQL partial; `file` names it in errors.
pub fn read(file: &str, bytes: &[u8]) -> Result<Partial, PartialError> {
    let invalid = |reason: String| PartialError::Invalid {
        file: file.to_string(),
        reason,
    };
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(bytes);
    let mut rows: Vec<Row> = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| invalid(e.to_string()))?;
        if record.len() != 5 {
            return Err(invalid(format!("a row has {} fields, not 5", record.len())));
        }
        rows.push(std::array::from_fn(|i| record[i].to_string()));
    }
    let meta = |key: &str| -> Option<&str> {
        rows.iter()
            .find(|r| r[0] == "meta" && r[1] == key)
            .map(|r| r[4].as_str())
    };
    if meta("format") != Some(FORMAT) {
        return Err(PartialError::NotAPartial {
            file: file.to_string(),
        });
    }
    let version: u64 = int(meta("version").unwrap_or(""), "version").map_err(invalid)?;
    if version != u64::from(VERSION) {
        return Err(PartialError::Version {
            file: file.to_string(),
            version,
        });
    }
    build(&rows, &meta).map_err(invalid)
}

fn build<'r>(rows: &'r [Row], meta: &dyn Fn(&str) -> Option<&'r str>) -> Result<Partial, String> {
    let need = |key: &str| meta(key).ok_or_else(|| format!("no `{key}` row"));
    let source = need("policy_source")?.to_string();
    let loaded = crate::policy::load::load_bytes(PathBuf::from("(policy)"), source.clone().into())
        .map_err(|e| format!("its policy cannot be read: {e}"))?;
    let policy = CompiledPolicy::new(&loaded.policy)
        .map_err(|e| format!("its policy cannot be compiled: {e}"))?;
    let count = |section: &str, key: &str| -> Result<u64, String> {
        rows.iter()
            .find(|r| r[0] == section && r[1] == key)
            .map_or(Ok(0), |r| int(&r[4], &format!("{section} {key}")))
    };
    // The query was given each row's line (`--line-column`): rejected rows come with examples.
    let lines = meta("lines") == Some("yes");
    let refusals = [
        (
            count("refuse", "uncovered")?,
            "SLA due times or hand-off deadlines fall outside the calendar table (cover the tickets and their longest SLA: `handoff calendar --from D --to D`)",
        ),
        (
            count("refuse", "timestamps")?,
            "timestamps are in shapes the SQL does not read (offsets, fractions of a second); replay those tickets",
        ),
        (
            if lines {
                0
            } else {
                count("input", "rejected")?
            },
            "rows were rejected, and the table has no line numbers for the report's rejected examples (give the query a line column: `handoff sql --line-column`)",
        ),
        (
            count("refuse", "lines")?,
            "rejected rows have no line in the table's line column",
        ),
    ];
    if let Some((n, why)) = refusals.iter().find(|(n, _)| *n > 0) {
        return Err(format!("{n} {why}"));
    }
    let routes = policy.routes.len();
    let rules = policy.rules.len();
    let index = |text: &str, bound: usize, what: &str| -> Result<usize, String> {
        let i: usize = int(text, what)?;
        if i < bound {
            Ok(i)
        } else {
            Err(format!("{what} {i} does not fit the policy"))
        }
    };
    let mut m = Metrics::new(&policy);
    let mut examples: BTreeMap<(usize, usize), Vec<String>> = BTreeMap::new();
    let mut durations: BTreeMap<&str, Vec<(u64, u64)>> = BTreeMap::new();
    let mut load_rows: Vec<(usize, i64, u64)> = Vec::new();
    let mut columns = Columns {
        fields: Vec::new(),
        extras: Vec::new(),
    };
    let mut bad_values = BTreeMap::new();
    for [section, k1, k2, k3, value] in rows {
        let n = || int::<u64>(value, section);
        match section.as_str() {
            "meta" if k1 == "field" => columns.fields.push(k2.clone()),
            "meta" if k1 == "extra" => columns.extras.push(k2.clone()),
            "bad" if n()? > 0 => {
                bad_values.insert(k1.clone(), n()?);
            }
            "tickets" => m.tickets = n()?,
            "by_route" => m.by_route[index(k1, routes, "route")?] = n()?,
            "by_rule" => m.by_rule[index(k1, rules + 1, "rule")?] = n()?,
            "matched" => {
                let i = index(k1, rules, "rule")?;
                m.matched[i] = n()?;
                m.true_somewhere[i] = m.matched[i] > 0;
            }
            "by_reason" => {
                let kind = match k1.as_str() {
                    "reactive" => ReasonKind::Reactive,
                    "proactive" => ReasonKind::Proactive,
                    "default" => ReasonKind::Default,
                    other => return Err(format!("unknown reason kind `{other}`")),
                };
                m.by_reason.insert(kind, n()?);
            }
            "history" if k1 == "known" => m.history_known = n()?,
            "history" if k1 == "unresolved" => m.unresolved = n()?,
            "confusion" => {
                let key = (
                    index(k1, routes, "route")?,
                    index(k2, routes + 1, "outcome")?,
                );
                m.confusion.entry(key).or_default().count = n()?;
            }
            "example" => {
                let key = (
                    index(k1, routes, "route")?,
                    index(k2, routes + 1, "outcome")?,
                );
                examples.entry(key).or_default().push(k3.clone());
            }
            "agreement" => {
                let a = &mut m.agreement;
                let slot = match k1.as_str() {
                    "history_escalated" => &mut a.history_escalated,
                    "policy_escalated_known" => &mut a.policy_escalated_known,
                    "missed" => &mut a.missed,
                    "unneeded" => &mut a.unneeded,
                    "fit_known" => &mut a.fit_known,
                    "right_tier" => &mut a.right_tier,
                    "under_routed" => &mut a.under_routed,
                    "over_routed" => &mut a.over_routed,
                    "reassignments_known" => &mut m.reassignments_known,
                    "no_reassignment" => &mut m.no_reassignment,
                    other => return Err(format!("unknown agreement count `{other}`")),
                };
                *slot = n()?;
            }
            "quality" => {
                let q = &mut m.quality;
                match k1.as_str() {
                    "known" => q.known = n()?,
                    "contained" => q.contained = n()?,
                    "projected_contained" => q.projected_contained = n()?,
                    other => return Err(format!("unknown quality count `{other}`")),
                }
            }
            "quality_policy" | "quality_history" => {
                let list = if section == "quality_policy" {
                    &mut m.quality.policy
                } else {
                    &mut m.quality.history
                };
                let i = index(k1, routes + 1, "route")?;
                if list.len() <= i {
                    list.resize(i + 1, RouteQuality::default());
                }
                let q = &mut list[i];
                match k2.as_str() {
                    "known" => q.known = n()?,
                    "contained" => q.contained = n()?,
                    "csat_n" => q.csat_n = n()?,
                    "csat_milli" => q.csat_milli = int(value, "csat")?,
                    other => return Err(format!("unknown quality count `{other}`")),
                }
            }
            "duration" => {
                let name = match k1.as_str() {
                    "first_response_wall" => "first_response_wall",
                    "first_response_business" => "first_response_business",
                    "resolution_escalated" => "resolution_escalated",
                    "resolution_not_escalated" => "resolution_not_escalated",
                    other => return Err(format!("unknown duration `{other}`")),
                };
                durations
                    .entry(name)
                    .or_default()
                    .push((int(k2, "bucket")?, n()?));
            }
            "count" => match k1.as_str() {
                "opened_outside_hours" => m.opened_outside_hours = n()?,
                "first_response_negative" => m.first_response_negative = n()?,
                "resolution_negative" => m.resolution_negative = n()?,
                other => return Err(format!("unknown count `{other}`")),
            },
            "sla" => {
                let (rank, priority) = (index(k1, routes, "route")?, int::<usize>(k2, "priority")?);
                let (target, verdict) = k3.split_once(':').ok_or("bad SLA key")?;
                let target = index(target, 2, "target")?;
                let tally = &mut m.sla.entry((rank, priority)).or_default()[target];
                match verdict {
                    "1" => tally.met = n()?,
                    "2" => tally.breached = n()?,
                    "3" => tally.pending = n()?,
                    "4" => tally.negative = n()?,
                    other => return Err(format!("unknown SLA verdict `{other}`")),
                }
            }
            "sla_skipped" => {
                let reason = [
                    SKIP_NO_PRIORITY,
                    SKIP_NO_TARGET,
                    SKIP_NO_START,
                    SKIP_UNREACHABLE,
                ]
                .into_iter()
                .find(|r| r == k1)
                .ok_or_else(|| format!("unknown SLA skip reason `{k1}`"))?;
                m.sla_skipped += n()?;
                m.sla_skipped_by_reason.insert(reason, n()?);
            }
            "worst" => {
                let parts: Vec<&str> = k2.split(':').collect();
                let [rank, priority, target, unanswered] = parts[..] else {
                    return Err(format!("bad breach key `{k2}`"));
                };
                m.worst.push(Breach {
                    overshoot: int(value, "overshoot")?,
                    id: k1.clone(),
                    rank: index(rank, routes, "route")?,
                    priority: int(priority, "priority")?,
                    target: Target::ALL[index(target, 2, "target")?],
                    unanswered: unanswered == "1",
                });
            }
            "context" if k1 == "checked" => m.context_checked = n()?,
            "context" if k1 == "complete" => m.context_complete = n()?,
            "context_missing" if n()? > 0 => {
                m.context_missing.insert(k1.clone(), n()?);
            }
            "hops" if k1 == "candidates" => m.time_based_candidates = n()?,
            "hops" if k1 == "escalated" => m.time_based_escalated = n()?,
            "hop" => {
                let key = (index(k1, routes, "route")?, index(k2, routes, "route")?);
                m.hops.insert(key, n()?);
            }
            "load" => load_rows.push((index(k1, routes, "route")?, int(k2, "quarter")?, n()?)),
            "load_span" if n()? > 0 => {
                let at = |t: &str| {
                    int::<i64>(t, "created_at")
                        .and_then(|s| Timestamp::from_second(s).map_err(|e| e.to_string()))
                };
                m.load.first = Some(at(k1)?);
                m.load.last = Some(at(k2)?);
            }
            _ => {}
        }
    }
    for (key, mut ids) in examples {
        ids.sort();
        ids.truncate(EXAMPLES_PER_CELL);
        m.confusion.entry(key).or_default().examples = ids;
    }
    for (name, buckets) in durations {
        let json = serde_json::to_value(&buckets).map_err(|e| e.to_string())?;
        let d: Durations = serde_json::from_value(json).map_err(|e| e.to_string())?;
        let slot = match name {
            "first_response_wall" => &mut m.first_response_wall,
            "first_response_business" => &mut m.first_response_business,
            "resolution_escalated" => &mut m.resolution_escalated,
            _ => &mut m.resolution_not_escalated,
        };
        *slot = d;
    }
    m.worst.sort_by(breach_order);
    m.worst.truncate(WORST_BREACHES);
    for (rank, quarter, n) in load_rows {
        let start = quarter * 900;
        let at = |s: i64| Timestamp::from_second(s).map_err(|e| e.to_string());
        let hour = hour_of_week(&policy.calendar, at(start)?);
        if hour != hour_of_week(&policy.calendar, at(start + 899)?) {
            return Err("the policy's time zone is not a whole quarter hour from UTC; its load by hour cannot be merged".into());
        }
        if m.load.by_route.len() <= rank {
            m.load.by_route.resize(rank + 1, vec![0; HOURS_PER_WEEK]);
        }
        m.load.by_route[rank][hour] += n;
    }
    let records = count("input", "records")?;
    let rejected = count("input", "rejected")?;
    let offset_zone = meta("offset_zone").filter(|z| !z.is_empty());
    Ok(Partial {
        format: FORMAT.to_string(),
        version: VERSION,
        policy: PolicyStamp {
            name: need("policy_name")?.to_string(),
            fingerprint: need("fingerprint")?.to_string(),
            source,
        },
        as_of: need("as_of")?.to_string(),
        by: None,
        columns,
        input: PartialInput {
            records,
            decided: records - rejected,
            rejected,
            rejected_examples: rejected_examples(rows)?,
            bad_values_counted_as_empty: bad_values,
            timestamps_without_offset: count("input", "offsetless")?,
            offset_zone: offset_zone.map(str::to_string),
        },
        metrics: m,
        groups: BTreeMap::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::is_csv;

    #[test]
    fn the_header_is_recognised_quoted_or_not_and_nothing_else_is() {
        for yes in [
            &b"section,k1,k2,k3,value\nmeta,format,,,handoff-partial\n"[..],
            b"\"section\",\"k1\",\"k2\",\"k3\",\"value\"\r\n\"meta\"",
            b"\xEF\xBB\xBF\"section\",k1,\"k2\",k3,value\n",
            b"section,k1,k2,k3,value",
        ] {
            assert!(is_csv(yes), "{}", String::from_utf8_lossy(yes));
        }
        let long_json = format!(
            "{{\"format\":\"handoff-partial\",\"x\":\"{}\"}}",
            "a".repeat(1000)
        );
        for no in [
            &b"section,k1,k2,k3,value,extra\n"[..],
            b"section,k1,k2,k3\n",
            b"\"section,k1,k2,k3,value\"\n",
            b"{\"format\":\"handoff-partial\"}",
            long_json.as_bytes(),
            b"",
        ] {
            assert!(!is_csv(no), "{}", String::from_utf8_lossy(no));
        }
    }
}
