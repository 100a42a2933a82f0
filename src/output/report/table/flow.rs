//! The flow of history in tables: hand-overs, stays per stage, ping-pong, common paths.

use std::io;

use super::super::text::{rate_text, seconds_text, thousands};
use super::Printer;
use crate::engine::report::flow::FlowSection;

pub(super) fn print(p: &mut Printer, flow: &FlowSection) -> io::Result<()> {
    p.heading("Flow of history (from the events' stages)")?;
    p.line(&format!(
        "{} tickets with a stage; back at a stage they had left (ping-pong): {}",
        thousands(flow.tickets),
        rate_text(flow.ping_pong.figure())
    ))?;
    let rows = flow
        .transitions
        .iter()
        .map(|t| vec![t.from.clone(), t.to.clone(), thousands(t.count)])
        .collect();
    p.table(&["from", "to", "hand-overs"], rows)?;
    let rows = flow
        .dwell
        .iter()
        .map(|d| {
            vec![
                d.stage.clone(),
                thousands(d.wall.n),
                seconds_text(d.wall.median),
                seconds_text(d.wall.p90),
                seconds_text(d.business.median),
                seconds_text(d.business.p90),
            ]
        })
        .collect();
    p.table(
        &[
            "stage",
            "stays",
            "median",
            "p90",
            "business median",
            "business p90",
        ],
        rows,
    )?;
    let rows = flow
        .paths
        .iter()
        .map(|path| vec![path.path.join(" → "), thousands(path.tickets)])
        .collect();
    p.table(&["most common paths", "tickets"], rows)
}
