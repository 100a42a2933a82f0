//! `handoff lint --tickets`: the policy checked against real data. H060 finds fields the policy
//! needs that the data lacks; H061 finds rules that match no ticket.

use std::collections::BTreeMap;
use std::io::Read;

use crate::diag::registry::Code;
use crate::diag::{Diagnostic, Severity, Span};
use crate::engine::eval::{CompiledPolicy, Tri};
use crate::fields::Field;
use crate::policy::Policy;
use crate::tickets::{Mapping, Ticket, TicketSource};

/// Fields replay metrics need, with what they feed.
const METRIC_FIELDS: [(&str, &str); 3] = [
    (
        "created_at",
        "response and resolution times, SLA attainment",
    ),
    (
        "first_human_response_at",
        "time to first human response, first-response SLA",
    ),
    ("resolved_at", "resolution time, resolution SLA"),
];

fn is_canonical(field: &str) -> bool {
    Field::read_by_conditions(field).is_some()
}

/// Check a policy against tickets. `name` is how the data is called in messages. A policy that
/// does not compile (it has lint errors, already reported) is not checked.
pub fn check(
    policy: &Policy,
    input: Box<dyn Read + Send>,
    mapping: &Mapping,
    filters: &[crate::tickets::filter::Where],
    name: &str,
) -> Result<Vec<Diagnostic>, String> {
    let Ok(compiled) = CompiledPolicy::new(policy) else {
        return Ok(Vec::new());
    };
    let mut source = TicketSource::new(input, mapping, compiled.needs.clone())?;
    source.keep_only(filters, mapping)?;
    let layout = source.layout.clone();
    let has = |field: &str| {
        if is_canonical(field) {
            layout.has(field)
        } else {
            layout.has_extra(field)
        }
    };
    let mut out = Vec::new();

    // H060, error: fields rules read. One finding per field, at the first rule reading it.
    let mut readers: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (index, rule) in compiled.rules.iter().enumerate() {
        for field in rule.reads.iter().filter(|f| !has(f)) {
            readers.entry(field.as_str()).or_default().push(index);
        }
    }
    let mut readers: Vec<(&str, Vec<usize>)> = readers.into_iter().collect();
    readers.sort_by_key(|(_, rules)| rules[0]);
    for (field, rules) in &readers {
        let ids: Vec<String> = rules
            .iter()
            .map(|&i| format!("'{}'", compiled.rules[i].id))
            .collect();
        let first = &policy.rules[rules[0]].value.id;
        let mut d = Diagnostic::new(
            Code::H060,
            first.span,
            format!(
                "`{field}` is not in {name}, but rule{} {} read{} it",
                if ids.len() == 1 { "" } else { "s" },
                ids.join(", "),
                if ids.len() == 1 { "s" } else { "" }
            ),
        )
        .label(format!("unknown for every ticket: this rule cannot match on `{field}`"))
        .help(if is_canonical(field) {
            format!("map a column to it (`[columns] {field} = \"<column>\"` in --map), or change the rule")
        } else {
            format!("add the column, map one with `[fields] {field} = \"<column>\"`, or change the rule")
        });
        for &other in &rules[1..] {
            d = d.related(policy.rules[other].value.id.span, "also reads it");
        }
        out.push(d);
    }

    // H060, warning: fields only metrics or `context.required` need.
    if let Some(context) = &policy.context {
        for field in &context.value.required {
            if !layout.has_extra(field.value.trim()) {
                let mut d = Diagnostic::new(
                    Code::H060,
                    field.span,
                    format!("context field `{}` is not in {name}", field.value.trim()),
                )
                .label("context completeness will be n/a")
                .help("add the column, or map one with `[fields] <name> = \"<column>\"`");
                d.severity = Severity::Warning;
                out.push(d);
            }
        }
    }
    for (field, feeds) in METRIC_FIELDS {
        if !layout.has(field) {
            let mut d = Diagnostic::new(
                Code::H060,
                Span::UNKNOWN,
                format!("`{field}` is not in {name}: {feeds} will be n/a"),
            )
            .help(format!(
                "map a column to it (`[columns] {field} = \"<column>\"` in --map)"
            ));
            d.severity = Severity::Warning;
            out.push(d);
        }
    }
    if !layout.has("resolved_tier") && !layout.has("escalated_at") {
        let mut d = Diagnostic::new(
            Code::H060,
            Span::UNKNOWN,
            format!("neither `resolved_tier` nor `escalated_at` is in {name}: agreement with history will be n/a"),
        )
        .help("map the column that says who resolved the ticket, or when it reached a human");
        d.severity = Severity::Warning;
        out.push(d);
    }

    // H061: rules whose fields are all there but whose condition is true for no ticket, and
    // rules that are true for some but never reached in the rule order (earlier rules decide
    // those tickets first). Every rule is evaluated on every ticket, and reading stops once
    // every rule has been reached and matched.
    let checkable: Vec<usize> = (0..compiled.rules.len())
        .filter(|&i| compiled.rules[i].reads.iter().all(|f| has(f)))
        .collect();
    let mut matched = vec![0u64; compiled.rules.len()];
    let mut reached = vec![false; compiled.rules.len()];
    let mut decision = crate::engine::eval::Decision::default();
    let mut remaining = checkable.len();
    let (mut tickets, mut found) = (0u64, Vec::new());
    let (mut records, mut examples) = (0u64, Vec::new());
    let mut ticket = Ticket::default();
    // Read on until one ticket is decided at least: a file whose every record is rejected is
    // a failure, not a clean bill of health.
    while remaining > 0 || tickets == 0 {
        let Some(row) = source
            .next(&mut ticket)
            .map_err(|e| format!("cannot read {name}: {e}"))?
        else {
            break;
        };
        records += 1;
        if let Err(error) = row {
            if examples.len() < crate::engine::replay::REJECT_EXAMPLES {
                examples.push(error);
            }
            continue;
        }
        tickets += 1;
        compiled.scan_keywords(&ticket, &mut found);
        compiled.decide(&ticket, &found, &mut decision);
        for &i in &decision.matched {
            if !reached[i] {
                reached[i] = true;
                if checkable.contains(&i) {
                    remaining -= 1;
                }
            }
        }
        // Only rules not reached yet can end up in a finding, so only they are counted.
        for &i in &checkable {
            if !reached[i] && compiled.rule_truth(i, &ticket, &found) == Tri::True {
                matched[i] += 1;
            }
        }
    }
    let tally = crate::tickets::tally::ReadTally {
        records,
        rejected: records - tickets,
        examples: &examples,
    };
    if let Some(message) = tally.nothing_decided(
        "`handoff replay … --rejects FILE` writes every rejected record with its reason",
    ) {
        return Err(message);
    }
    for &i in &checkable {
        if matched[i] > 0 && !reached[i] {
            let id = &policy.rules[i].value.id;
            out.push(
                Diagnostic::new(
                    Code::H061,
                    id.span,
                    format!(
                        "rule '{}' matches {} of the {tickets} tickets in {name} but is never reached: earlier rules decide every one of them first",
                        id.value, matched[i]
                    ),
                )
                .label("true on this data, never reached in the rule order")
                .help("move it before the rules that take its tickets, or give those `continue: true`"),
            );
        }
        if matched[i] == 0 && !reached[i] {
            let id = &policy.rules[i].value.id;
            out.push(
                Diagnostic::new(
                    Code::H061,
                    id.span,
                    format!(
                        "rule '{}' matches none of the {tickets} tickets in {name}",
                        id.value
                    ),
                )
                .label("never true on this data")
                .help("check its labels, keywords and thresholds against the data"),
            );
        }
    }
    Ok(out)
}
