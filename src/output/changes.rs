//! The `--changes` file of `handoff diff`: one CSV row per ticket whose route, rule, priority
//! or first-response SLA outcome differs between the old and the new policy.

use std::io::Write;

use crate::engine::diff::first_response_outcome;
use crate::engine::eval::{CompiledPolicy, Decision};
use crate::tickets::Ticket;

/// The columns of the file, in order.
pub const COLUMNS: [&str; 10] = [
    "id",
    "line",
    "old_decision",
    "new_decision",
    "old_rule",
    "new_rule",
    "old_priority",
    "new_priority",
    "old_first_response_sla",
    "new_first_response_sla",
];

/// Writes the changed tickets of a diff of `old` and `new`.
pub struct Changes<'p, W: Write> {
    writer: csv::Writer<W>,
    old: &'p CompiledPolicy,
    new: &'p CompiledPolicy,
}

impl<'p, W: Write> Changes<'p, W> {
    /// Start the file: its header.
    pub fn new(
        out: W,
        old: &'p CompiledPolicy,
        new: &'p CompiledPolicy,
    ) -> csv::Result<Changes<'p, W>> {
        let mut writer = csv::Writer::from_writer(out);
        writer.write_record(COLUMNS)?;
        Ok(Changes { writer, old, new })
    }

    /// The row of a ticket decided `a` by the old policy and `b` by the new one.
    pub fn write(&mut self, t: &Ticket, a: &Decision, b: &Decision) -> std::io::Result<()> {
        let rule = |p: &CompiledPolicy, d: &Decision| {
            d.rule
                .map_or("(default)".to_string(), |i| p.rules[i].id.clone())
        };
        let priority = |p: &CompiledPolicy, d: &Decision| {
            d.priority
                .and_then(|i| p.priorities.get(i).cloned())
                .unwrap_or_default()
        };
        let (old, new) = (self.old, self.new);
        self.writer
            .write_record([
                t.id.clone(),
                t.line.to_string(),
                old.route_name(a.rank).to_string(),
                new.route_name(b.rank).to_string(),
                rule(old, a),
                rule(new, b),
                priority(old, a),
                priority(new, b),
                first_response_outcome(old, t, a).to_string(),
                first_response_outcome(new, t, b).to_string(),
            ])
            .map_err(std::io::Error::other)
    }

    /// Everything written: the destination.
    pub fn finish(self) -> std::io::Result<W> {
        self.writer.into_inner().map_err(|e| e.into_error())
    }
}
